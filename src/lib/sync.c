#include "sync.h"

#include <errno.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util.h"
#include <string.h>
#include "banned.h"

int
sync_pair(int fds[2], struct hutch_error *err)
{
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) < 0)
		return error_sys(err, errno, "socketpair");
	return 0;
}

int
sync_send(int fd, enum sync_type type, int value, const struct hutch_error *payload)
{
	struct sync_msg msg = {.type = type, .value = value};
	ssize_t w;

	if (payload)
		msg.err = *payload;
	do
		w = send(fd, &msg, sizeof(msg), MSG_NOSIGNAL);
	while (w < 0 && errno == EINTR);
	if (w < 0)
		return -errno;
	return w == (ssize_t)sizeof(msg) ? 0 : -EPROTO;
}

int
sync_recv(int fd, struct sync_msg *msg, struct hutch_error *err)
{
	ssize_t r;

	do
		r = recv(fd, msg, sizeof(*msg), 0);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return error_sys(err, errno, "read from the container process");
	if (r == 0)
		return 0;
	if (r != (ssize_t)sizeof(*msg))
		return error_msg(err, EPROTO, "short message from the container process");
	msg->err.msg[sizeof(msg->err.msg) - 1] = '\0';
	return 1;
}

void
sync_exit(int status)
{
	for (;;)
		syscall(SYS_exit_group, status);
}

void
sync_fail(int fd, const struct hutch_error *err)
{
	if (sync_send(fd, SYNC_ERROR, 0, err) < 0) {
		char text[HUTCH_ERROR_MSG_MAX + 128];
		size_t len;

		error_text(err, text, sizeof(text) - 1);
		len = strlen(text);
		text[len++] = '\n';
		(void)!write(STDERR_FILENO, "hutch: ", 7);
		(void)!write(STDERR_FILENO, text, len);
	}
	sync_exit(err->exit_status ? err->exit_status : 1);
}
