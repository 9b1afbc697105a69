#include "path.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "util.h"
#include "banned.h"

static int
openat2_in_root(int rootfd, const char *path, int flags)
{
	struct open_how how = {
	    .flags = (unsigned long long)(flags | O_CLOEXEC),
	    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	int fd;

	do
		fd = (int)syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
	while (fd < 0 && errno == EAGAIN); /* a rename raced with the lookup: retry */
	return fd;
}

const char *
path_fd(int fd, char *buf, size_t size)
{
	snprintf(buf, size, "/proc/self/fd/%d", fd);
	return buf;
}

void
path_clean(const char *in, char *out, size_t size)
{
	size_t n = 0;

	for (const char *p = in; *p && n + 1 < size;) {
		const char *end;
		size_t len;

		while (*p == '/')
			p++;
		end = strchrnul(p, '/');
		len = (size_t)(end - p);
		if (len == 0 || (len == 1 && p[0] == '.')) {
			p = end;
			continue;
		}
		if (n + 1 + len + 1 > size)
			break;
		out[n++] = '/';
		memcpy(out + n, p, len);
		n += len;
		p = end;
	}
	if (n == 0)
		out[n++] = '/';
	out[n] = '\0';
}

/* Create the last component of `path` inside its (already existing) parent. */
static int
create_last(int rootfd, const char *path, enum path_create create, struct hutch_error *err)
{
	_cleanup_free_ char *parent = xstrdup(path);
	char *slash = strrchr(parent, '/');
	const char *name = slash ? slash + 1 : parent;
	_cleanup_close_ int pfd = -1;
	int r;

	if (slash)
		*slash = '\0';
	pfd = openat2_in_root(rootfd, slash && parent[0] ? parent : "/", O_PATH | O_DIRECTORY);
	if (pfd < 0)
		return error_sys(err, errno, "open '%s' in the rootfs", parent[0] ? parent : "/");
	/* mkdirat/openat on a plain name: a symlink planted at `name` makes
	 * them fail (EEXIST / ELOOP) instead of being followed. */
	if (create == PATH_CREATE_DIR) {
		r = mkdirat(pfd, name, 0755);
	} else {
		r = openat(pfd, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (r >= 0)
			close(r);
	}
	if (r < 0 && errno != EEXIST)
		return error_sys(err, errno, "create '%s' in the rootfs", path);
	return 0;
}

int
path_open_in_root(int rootfd, const char *path, enum path_create create, struct hutch_error *err)
{
	char clean[PATH_MAX];
	int fd, r;

	path_clean(path, clean, sizeof(clean));
	fd = openat2_in_root(rootfd, clean, O_PATH);
	if (fd >= 0 || errno != ENOENT || create == PATH_NO_CREATE) {
		if (fd < 0)
			return error_sys(err, errno, "open '%s' in the rootfs", clean);
		return fd;
	}

	/* Create each missing component in turn.  Each prefix is resolved
	 * again from the root, so a symlink among the parents still resolves
	 * inside the rootfs. */
	for (char *p = clean + 1;; p++) {
		char c = *p;
		bool last = c == '\0';

		if (c != '/' && !last)
			continue;
		*p = '\0';
		fd = openat2_in_root(rootfd, clean, O_PATH);
		if (fd < 0 && errno == ENOENT) {
			r = create_last(rootfd, clean, last ? create : PATH_CREATE_DIR, err);
			if (r < 0)
				return r;
			fd = openat2_in_root(rootfd, clean, O_PATH);
		}
		if (fd < 0)
			return error_sys(err, errno, "open '%s' in the rootfs", clean);
		if (last)
			return fd;
		close(fd);
		*p = c;
	}
}
