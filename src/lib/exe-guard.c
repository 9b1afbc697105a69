#include "exe-guard.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>

#include "util.h"
#include "banned.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U /* Linux 6.3: needed where vm.memfd_noexec is set */
#endif

/* A copy nobody can change: not written, not resized, seals frozen. */
#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

/* The most argv bytes we re-execute with (the kernel's own limit is far
 * higher, but hutch's command lines are short). */
#define CMDLINE_MAX (1 << 20)

bool
exe_guard_process_may_ptrace(const struct spec_process *p)
{
	for (int set = 0; set < SPEC_CAP_SETS; set++)
		if ((p->caps[set] >> CAP_SYS_PTRACE) & 1)
			return true;
	return false;
}

bool
exe_guard_active(void)
{
	_cleanup_close_ int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	int seals = fd >= 0 ? fcntl(fd, F_GET_SEALS) : -1;

	return seals >= 0 && (seals & SEALS) == SEALS;
}

static int
sealed_copy(struct hutch_error *err)
{
	_cleanup_close_ int exe = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	_cleanup_close_ int fd = -1;
	struct stat st;
	off_t off = 0;

	if (exe < 0 || fstat(exe, &st) < 0)
		return error_sys(err, errno, "open /proc/self/exe to copy the runtime");
	fd = memfd_create("hutch", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
	if (fd < 0 && errno == EINVAL) /* before 6.3: no MFD_EXEC, memfds are executable */
		fd = memfd_create("hutch", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return error_sys(err, errno, "memfd_create for a copy of the runtime");
	while (off < st.st_size) {
		ssize_t n = sendfile(fd, exe, &off, (size_t)(st.st_size - off));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return error_sys(err, n < 0 ? errno : EIO, "copy the runtime's binary");
	}
	if (fcntl(fd, F_ADD_SEALS, SEALS) < 0)
		return error_sys(err, errno, "seal the copy of the runtime");
	return TAKE_FD(fd);
}

/* argv as the kernel keeps it: NUL-separated strings. */
static char **
own_argv(struct hutch_error *err)
{
	_cleanup_free_ char *buf = NULL;
	size_t len, n = 0;
	char **argv;

	if (read_file_at(AT_FDCWD, "/proc/self/cmdline", CMDLINE_MAX, &buf, &len, err) < 0)
		return NULL;
	for (size_t i = 0; i < len; i++)
		n += buf[i] == '\0';
	argv = xcalloc(n + 1, sizeof(*argv));
	for (size_t i = 0, k = 0; k < n; k++) {
		argv[k] = xstrdup(buf + i);
		i += strlen(buf + i) + 1;
	}
	return argv;
}

int
exe_guard_reexec(const sigset_t *mask, struct hutch_error *err)
{
	_cleanup_strv_ char **argv = own_argv(err);
	_cleanup_close_ int fd = -1;

	if (!argv)
		return -err->code;
	if (!argv[0])
		return error_msg(err, EINVAL, "re-execute the runtime: empty command line");
	fd = sealed_copy(err);
	if (fd < 0)
		return fd;
	if (mask && sigprocmask(SIG_SETMASK, mask, NULL) < 0)
		return error_sys(err, errno, "restore the signal mask");
	fexecve(fd, argv, environ);
	return error_sys(err, errno, "re-execute the runtime from its sealed copy");
}

#define MARK "ptrace\n"

int
exe_guard_mark(int state_dirfd, struct hutch_error *err)
{
	_cleanup_close_ int fd =
	    openat(state_dirfd, EXE_GUARD_FILE, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (fd < 0 || write_all(fd, MARK, strlen(MARK)) < 0)
		return error_sys(err, errno, "write the state's %s", EXE_GUARD_FILE);
	return 0;
}

int
exe_guard_open(int state_dirfd, bool *guarded, struct hutch_error *err)
{
	_cleanup_close_ int fd =
	    openat(state_dirfd, EXE_GUARD_FILE, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	struct stat st;

	if (fd < 0)
		return error_sys(err, errno, "open the state's %s", EXE_GUARD_FILE);
	if (flock(fd, LOCK_SH) < 0 || fstat(fd, &st) < 0)
		return error_sys(err, errno, "lock the state's %s", EXE_GUARD_FILE);
	*guarded = st.st_size > 0;
	return TAKE_FD(fd);
}

int
exe_guard_upgrade(int fd, struct hutch_error *err)
{
	/* Waits for every unguarded exec still setting up its process. */
	if (flock(fd, LOCK_EX) < 0)
		return error_sys(err, errno, "lock the state's %s", EXE_GUARD_FILE);
	if (write_all(fd, MARK, strlen(MARK)) < 0)
		return error_sys(err, errno, "write the state's %s", EXE_GUARD_FILE);
	return flock(fd, LOCK_SH) < 0 ? error_sys(err, errno, "lock %s", EXE_GUARD_FILE) : 0;
}
