#include "terminal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>

#include "util.h"
#include "banned.h"

int
terminal_connect(const char *path, struct hutch_error *err)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (strlen(path) >= sizeof(addr.sun_path))
		return error_msg(err, ENAMETOOLONG, "--console-socket '%.64s': path too long",
		                 path);
	memcpy(addr.sun_path, path, strlen(path) + 1);
	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return error_sys(err, errno, "--console-socket '%s'", path);
	return TAKE_FD(fd);
}

static int
send_fd(int sock, int fd, const char *name)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = {0};
	struct iovec iov = {.iov_base = (void *)name, .iov_len = strlen(name)};
	struct msghdr msg = {
	    .msg_iov = &iov,
	    .msg_iovlen = 1,
	    .msg_control = cbuf,
	    .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	ssize_t r;

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	do
		r = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : 0;
}

int
terminal_recv_master(int sock, struct hutch_error *err)
{
	char name[256], cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {.iov_base = name, .iov_len = sizeof(name)};
	struct msghdr msg = {
	    .msg_iov = &iov,
	    .msg_iovlen = 1,
	    .msg_control = cbuf,
	    .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c;
	ssize_t r;
	int fd;

	do
		r = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return error_sys(err, errno, "receive the terminal");
	c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_type != SCM_RIGHTS || c->cmsg_len != CMSG_LEN(sizeof(int)))
		return error_msg(err, EPROTO, "receive the terminal: no fd in the message");
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

int
terminal_setup(const struct spec_process *p, int sock, struct hutch_error *err)
{
	_cleanup_close_ int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	_cleanup_close_ int slave = -1;
	char name[64];
	int n;

	if (master < 0 || unlockpt(master) < 0)
		return error_sys(err, errno, "open '/dev/ptmx' in the container");
	/* TIOCGPTPEER opens the slave through the master, not by a path the
	 * image could have replaced. */
	slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0 || ptsname_r(master, name, sizeof(name)) != 0)
		return error_sys(err, errno, "open the terminal's slave");
	if (p->has_console_size) {
		struct winsize ws = {.ws_row = (unsigned short)p->console_height,
		                     .ws_col = (unsigned short)p->console_width};

		if (ioctl(slave, TIOCSWINSZ, &ws) < 0)
			return error_sys(err, errno, "process.consoleSize: set the window size");
	}
	if (fchown(slave, p->user.uid, p->user.gid) < 0)
		return error_sys(err, errno, "chown '%s'", name);
	n = send_fd(sock, master, name);
	if (n < 0)
		return error_sys(err, -n, "send the terminal to the console socket");
	if (setsid() < 0 || ioctl(slave, TIOCSCTTY, 0) < 0)
		return error_sys(err, errno, "make '%s' the controlling terminal", name);
	for (int fd = 0; fd < 3; fd++)
		if (dup2(slave, fd) < 0)
			return error_sys(err, errno, "dup the terminal to fd %d", fd);
	return 0;
}

static void
copy_window_size(int master)
{
	struct winsize ws;

	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
		ioctl(master, TIOCSWINSZ, &ws);
}

/* Move what is readable from `from` to `to`; false on end of input (EIO
 * from a master whose slave is closed everywhere counts as the end). */
static bool
pump(int from, int to)
{
	char buf[8192];
	ssize_t n = read(from, buf, sizeof(buf));

	if (n < 0 && errno == EINTR)
		return true;
	if (n <= 0)
		return false;
	return write_all(to, buf, (size_t)n) >= 0;
}

int
terminal_relay(int master, pid_t pid, int sigfd, struct hutch_error *err)
{
	struct termios saved, raw;
	bool tty = tcgetattr(STDIN_FILENO, &saved) == 0;
	bool in_open = true, out_open = true;
	int status = -1;

	if (tty) {
		raw = saved;
		cfmakeraw(&raw);
		tcsetattr(STDIN_FILENO, TCSANOW, &raw);
		copy_window_size(master);
	}
	while (status < 0) {
		struct pollfd fds[3] = {
		    {.fd = sigfd, .events = POLLIN},
		    {.fd = out_open ? master : -1, .events = POLLIN},
		    {.fd = in_open ? STDIN_FILENO : -1, .events = POLLIN},
		};
		struct signalfd_siginfo si;

		if (poll(fds, 3, -1) < 0 && errno != EINTR)
			break;
		if (fds[1].revents & (POLLIN | POLLHUP))
			out_open = pump(master, STDOUT_FILENO);
		if (fds[2].revents & (POLLIN | POLLHUP))
			in_open = pump(STDIN_FILENO, master);
		if (!(fds[0].revents & POLLIN) || read_eintr(sigfd, &si, sizeof(si)) != sizeof(si))
			continue;
		if (si.ssi_signo == SIGWINCH && tty)
			copy_window_size(master);
		else if (si.ssi_signo != SIGCHLD)
			kill(pid, (int)si.ssi_signo);
		else if (waitpid(pid, &status, WNOHANG) != pid)
			status = -1;
	}
	/* The process is gone: flush what it wrote last (non-blocking: a
	 * child it left behind may still hold the slave open). */
	fcntl(master, F_SETFL, O_NONBLOCK);
	while (out_open && pump(master, STDOUT_FILENO))
		;
	if (tty)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	if (status < 0)
		return error_sys(err, errno, "relay the terminal");
	return status;
}
