#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include "banned.h"

static void __attribute__((noreturn)) oom(void)
{
	static const char msg[] = "hutch: out of memory\n";

	(void)!write(STDERR_FILENO, msg, sizeof(msg) - 1);
	abort();
}

void *
xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p)
		oom();
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		oom();
	return p;
}

void *
xrealloc(void *p, size_t n, size_t size)
{
	size_t total;

	if (__builtin_mul_overflow(n, size, &total))
		oom();
	p = realloc(p, total ? total : 1);
	if (!p)
		oom();
	return p;
}

char *
xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		oom();
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&p, fmt, ap);
	va_end(ap);
	if (r < 0)
		oom();
	return p;
}

size_t
strv_len(char *const *strv)
{
	size_t n = 0;

	while (strv && strv[n])
		n++;
	return n;
}

void
strv_free(char **strv)
{
	for (size_t i = 0; strv && strv[i]; i++)
		free(strv[i]);
	free(strv);
}

void
strv_freep(char ***strv)
{
	strv_free(*strv);
}

ssize_t
read_eintr(int fd, void *buf, size_t len)
{
	ssize_t r;

	do
		r = read(fd, buf, len);
	while (r < 0 && errno == EINTR);
	return r;
}

ssize_t
write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	size_t done = 0;

	while (done < len) {
		ssize_t w = write(fd, p + done, len - done);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		done += (size_t)w;
	}
	return (ssize_t)done;
}

int
read_fd_all(int fd, const char *what, size_t max, char **out, size_t *len, struct hutch_error *err)
{
	_cleanup_free_ char *buf = NULL;
	size_t cap = 4096, n = 0;

	buf = xmalloc(cap + 1);
	for (;;) {
		ssize_t r = read_eintr(fd, buf + n, cap - n);

		if (r < 0)
			return error_sys(err, errno, "read '%s'", what);
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > max)
			return error_msg(err, EFBIG, "read '%s': larger than %zu bytes", what, max);
		if (n == cap) {
			cap *= 2;
			buf = xrealloc(buf, cap + 1, 1);
		}
	}
	buf[n] = '\0';
	if (len)
		*len = n;
	*out = TAKE_PTR(buf);
	return 0;
}

int
read_file_at(int dirfd, const char *path, size_t max, char **out, size_t *len,
             struct hutch_error *err)
{
	_cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		return error_sys(err, errno, "open '%s'", path);
	return read_fd_all(fd, path, max, out, len, err);
}

int
write_file_at(int dirfd, const char *path, const char *data, struct hutch_error *err)
{
	_cleanup_close_ int fd = openat(dirfd, path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	size_t len = strlen(data);

	if (fd < 0)
		return error_sys(err, errno, "open '%s'", path);
	if (write_all(fd, data, len) < 0)
		return error_sys(err, errno, "write '%s'", path);
	return 0;
}

int
mkdir_p(const char *path, mode_t mode, struct hutch_error *err)
{
	_cleanup_free_ char *tmp = xstrdup(path);

	for (char *p = tmp + 1;; p++) {
		char c = *p;

		if (c != '/' && c != '\0')
			continue;
		*p = '\0';
		if (mkdir(tmp, mode) < 0 && errno != EEXIST)
			return error_sys(err, errno, "mkdir '%s'", tmp);
		if (c == '\0')
			break;
		*p = c;
	}
	return 0;
}

int
write_proc_file(const char *path, const char *value, struct hutch_error *err)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	struct statfs fs;

	if (fd < 0)
		return error_sys(err, errno, "open '%s'", path);
	if (fstatfs(fd, &fs) < 0 || fs.f_type != PROC_SUPER_MAGIC)
		return error_msg(err, EPERM, "'%s' is not on procfs", path);
	if (write_all(fd, value, strlen(value)) < 0)
		return error_sys(err, errno, "write '%s'", path);
	return 0;
}
