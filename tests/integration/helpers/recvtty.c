/*
 * recvtty SOCKET OUTFILE [INPUT] - a console-socket receiver for the
 * integration tests (what containerd's shim and conmon do with
 * --console-socket): listen on the unix socket SOCKET, accept one
 * connection, receive the terminal's master fd (SCM_RIGHTS), write INPUT
 * to it, then copy everything the terminal prints to OUTFILE until the
 * terminal's last slave closes.  The name sent with the fd goes to
 * OUTFILE.name.  SOCKET appears only once it accepts connections.
 * Gives up after 30 s.  Exit status: 0, or 1 with a message.
 *
 * Built by the tests with `cc -o DIR/recvtty recvtty.c`.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static void
die(const char *what)
{
	fprintf(stderr, "recvtty: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void
write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("write");
		buf += n;
		len -= (size_t)n;
	}
}

int
main(int argc, char **argv)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	char tmp[sizeof(addr.sun_path)], name[256], buf[4096];
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {.iov_base = name, .iov_len = sizeof(name) - 1};
	struct msghdr msg = {
	    .msg_iov = &iov,
	    .msg_iovlen = 1,
	    .msg_control = cbuf,
	    .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c;
	int lfd, conn, master, out;
	ssize_t n;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: recvtty SOCKET OUTFILE [INPUT]\n");
		return 2;
	}
	alarm(30);
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", argv[1]) >= (int)sizeof(tmp)) {
		fprintf(stderr, "recvtty: socket path too long\n");
		return 1;
	}
	memcpy(addr.sun_path, tmp, strlen(tmp) + 1);
	unlink(tmp);
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(lfd, 1) < 0)
		die("listen");
	/* Only now under its name: a connect never meets a socket that
	 * does not listen yet. */
	if (rename(tmp, argv[1]) < 0)
		die("rename");
	do
		conn = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	while (conn < 0 && errno == EINTR);
	if (conn < 0)
		die("accept");
	do
		n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		die("recvmsg");
	c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
	    c->cmsg_len != CMSG_LEN(sizeof(int))) {
		fprintf(stderr, "recvtty: no fd in the message (%zd bytes)\n", n);
		return 1;
	}
	memcpy(&master, CMSG_DATA(c), sizeof(int));
	close(conn);
	close(lfd);
	unlink(argv[1]);

	snprintf(buf, sizeof(buf), "%s.name", argv[2]);
	out = open(buf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0)
		die(buf);
	write_all(out, name, (size_t)n);
	close(out);

	out = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0)
		die(argv[2]);
	if (argc == 4)
		write_all(master, argv[3], strlen(argv[3]));
	for (;;) {
		n = read(master, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		/* EIO: no slave is open any more (the container's side). */
		if (n == 0 || (n < 0 && errno == EIO))
			break;
		if (n < 0)
			die("read the terminal");
		write_all(out, buf, (size_t)n);
	}
	return 0;
}
