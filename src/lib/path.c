#include "path.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>

#include "util.h"
#include "banned.h"

/* Every kernel with openat2 (5.6+) knows both RESOLVE flags (they came with
 * it), so EINVAL or E2BIG from it is a bad call of ours, not a missing
 * feature: only ENOSYS selects the walk below.  An old container engine's
 * seccomp profile returns ENOSYS for syscalls it does not know, as does a
 * kernel older than 5.6.  Remembered once per process (a feature probe, not
 * state: it only ever goes from false to true, and a CLONE_VM child setting
 * it tells its parent nothing wrong). */
static bool openat2_missing;

/* openat2 fails with EAGAIN when a rename or a mount raced with a ".." of
 * RESOLVE_IN_ROOT, and the walk when the last component changed between its
 * check and its open.  Retrying is right, but an attacker renaming in a
 * tight loop must not keep the runtime spinning for ever. */
#define RESOLVE_TRIES 128

/* The kernel's MAXSYMLINKS: the 41st symlink of one lookup is ELOOP. */
#define WALK_MAX_LINKS 40
/* A directory deeper than this has no path shorter than PATH_MAX (each
 * level is at least "/x"): refusing it (ENAMETOOLONG) bounds the fds the
 * walk holds. */
#define WALK_MAX_DEPTH (PATH_MAX / 2)
/* procfs's root directory (PROC_ROOT_INO of the kernel, not in its uapi). */
#define PROC_ROOT_INO 1

/*
 * The fallback of openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS): the path
 * is resolved one component at a time, each opened O_PATH | O_NOFOLLOW from
 * the directory before it, so that the kernel never follows a symlink
 * itself.  A symlink's text is read and put in front of what is left of the
 * path: an absolute one starts again at the root, a relative one goes on
 * from the directory holding it.  The directories entered are kept open on a
 * stack and ".." closes the top one: the walk goes back the way it came and
 * never asks the kernel for "..", so a directory moved elsewhere (outside
 * the rootfs, say) while it is being walked cannot lead out, and ".." at the
 * root stays there.  Magic links (/proc/<pid>/root, /proc/<pid>/fd/N) are
 * therefore never followed by the kernel either: their text would only be
 * read as a path inside the root.  They are refused with ELOOP anyway, as
 * RESOLVE_NO_MAGICLINKS does, so that both ways fail alike (see
 * walk_is_magic()).
 */
struct walk {
	int rootfd;
	size_t depth;             /* dirs[0 .. depth-1] lead from rootfd to here */
	int dirs[WALK_MAX_DEPTH]; /* owned O_PATH fds of the directories entered */
	int links;                /* symlinks followed so far */
	char path[PATH_MAX];      /* what is left to resolve */
};

static int
walk_cur(const struct walk *w)
{
	return w->depth ? w->dirs[w->depth - 1] : w->rootfd;
}

static void
walk_pop_to(struct walk *w, size_t depth)
{
	while (w->depth > depth)
		close(w->dirs[--w->depth]);
}

/* Whether the symlink `linkfd`, found in the directory `dirfd`, is a procfs
 * magic link.  Those all live in per-process directories
 * (/proc/<pid>/{cwd,root,exe,fd/N,ns/X,map_files/X}); the symlinks of
 * procfs's root directory (self, thread-self, mounts, net) are plain ones
 * whose text is relative to /proc, and openat2 follows them.  A failed
 * fstatfs/fstat counts as "not magic": that is safe, the walk never lets
 * the kernel follow a link, it is only a different errno. */
static bool
walk_is_magic(int dirfd, int linkfd)
{
	struct statfs sfs;
	struct stat st;

	if (fstatfs(linkfd, &sfs) < 0 || sfs.f_type != PROC_SUPER_MAGIC)
		return false;
	return fstat(dirfd, &st) == 0 && st.st_ino != PROC_ROOT_INO;
}

/* Replace the symlink just met with its text: w->path becomes the text
 * followed by `rest` (what came after the link's name, a pointer into
 * w->path).  Returns 0 or -errno. */
static int
walk_splice(struct walk *w, int linkfd, const char *rest)
{
	size_t len = strlen(rest);
	char text[PATH_MAX];
	ssize_t n;

	if (++w->links > WALK_MAX_LINKS)
		return -ELOOP;
	/* Before the magic check: reading a magic link checks the same
	 * access (ptrace) as following it, and openat2 fails with EACCES
	 * first too. */
	n = readlinkat(linkfd, "", text, sizeof(text));
	if (n < 0)
		return -errno;
	if (walk_is_magic(walk_cur(w), linkfd))
		return -ELOOP;
	if (n == 0)
		return -ENOENT; /* as the kernel treats an empty symlink */
	if ((size_t)n + len + 1 > sizeof(w->path))
		return -ENAMETOOLONG;
	memmove(w->path + n, rest, len + 1);
	memcpy(w->path, text, (size_t)n);
	if (text[0] == '/')
		walk_pop_to(w, 0);
	return 0;
}

static int
walk_push(struct walk *w, int fd)
{
	if (w->depth == ARRAY_SIZE(w->dirs)) {
		close(fd);
		return -ENAMETOOLONG;
	}
	w->dirs[w->depth++] = fd;
	return 0;
}

/* The last component, checked as `fd` (O_PATH | O_NOFOLLOW, taken) whose
 * stat is `seen`.  With O_PATH that fd is the result: there is no second
 * lookup, so nothing can be swapped in between.  Other flags need a real
 * open by name: O_NOFOLLOW makes it fail on a symlink swapped in since the
 * check, and the inode comparison catches any other replacement; both are
 * EAGAIN, so that the whole lookup is done again. */
static int
walk_finish(struct walk *w, int fd, const char *name, int flags, const struct stat *seen)
{
	struct stat st;
	int r;

	if (flags & O_PATH) {
		if ((flags & O_DIRECTORY) && !S_ISDIR(seen->st_mode)) {
			close(fd);
			return -ENOTDIR;
		}
		return fd;
	}
	close(fd);
	r = openat(walk_cur(w), name, flags | O_NOFOLLOW | O_CLOEXEC);
	if (r < 0) {
		if ((errno == ELOOP && !S_ISLNK(seen->st_mode)) ||
		    (errno == ENOTDIR && S_ISDIR(seen->st_mode)))
			return -EAGAIN;
		return -errno;
	}
	if (fstat(r, &st) < 0 || st.st_dev != seen->st_dev || st.st_ino != seen->st_ino) {
		close(r);
		return -EAGAIN;
	}
	return r;
}

/* Open the component that starts at `name` and ends at `end` (in w->path)
 * O_PATH | O_NOFOLLOW, and stat it.  Returns the fd or -errno. */
static int
walk_open_name(struct walk *w, char *name, char *end, struct stat *st)
{
	char c = *end;
	int fd, r;

	*end = '\0';
	fd = openat(walk_cur(w), name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	*end = c;
	if (fd < 0)
		return -errno;
	if (fstat(fd, st) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

static int
walk_run(struct walk *w, int flags)
{
	char *p = w->path;

	for (;;) {
		char *name, *end;
		bool last, want_dir;
		struct stat st;
		size_t len;
		int fd, r;

		while (*p == '/')
			p++;
		/* Ends on a directory we hold ("/", "a/..", "a/."): reopen it. */
		if (*p == '\0') {
			fd = openat(walk_cur(w), ".", flags | O_CLOEXEC);
			return fd < 0 ? -errno : fd;
		}
		name = p;
		end = strchrnul(p, '/');
		len = (size_t)(end - name);
		for (p = end; *p == '/'; p++)
			;
		last = *p == '\0';
		if (len == 1 && name[0] == '.')
			continue;
		if (len == 2 && name[0] == '.' && name[1] == '.') {
			/* Back the way we came; at the root, stay there. */
			if (w->depth)
				walk_pop_to(w, w->depth - 1);
			continue;
		}
		/* A trailing '/' asks for a directory, and so follows a last
		 * symlink even with O_NOFOLLOW, as the kernel does. */
		want_dir = !last || *end == '/';
		fd = walk_open_name(w, name, end, &st);
		if (fd < 0)
			return fd;
		if (S_ISLNK(st.st_mode) && (want_dir || !(flags & O_NOFOLLOW))) {
			r = walk_splice(w, fd, end);
			close(fd);
			if (r < 0)
				return r;
			p = w->path;
			continue;
		}
		if (want_dir && !S_ISDIR(st.st_mode)) {
			close(fd);
			return -ENOTDIR;
		}
		if (!last) {
			r = walk_push(w, fd);
			if (r < 0)
				return r;
			continue;
		}
		*end = '\0';
		return walk_finish(w, fd, name, flags, &st);
	}
}

int
path_resolve_in_root_walk(int rootfd, const char *path, int flags)
{
	size_t len = strlen(path);
	struct walk *w;
	int fd;

	/* Creating a file would need its own race-free step: none is asked. */
	if ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE)
		return -EINVAL;
	if (len >= PATH_MAX)
		return -ENAMETOOLONG;
	if (len == 0)
		return -ENOENT;
	w = xmalloc(sizeof(*w));
	w->rootfd = rootfd;
	w->depth = 0;
	w->links = 0;
	memcpy(w->path, path, len + 1);
	fd = walk_run(w, flags);
	walk_pop_to(w, 0);
	free(w);
	return fd;
}

static int
resolve_once(int rootfd, const char *path, int flags)
{
	struct open_how how = {
	    .flags = (unsigned long long)(flags | O_CLOEXEC),
	    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	int fd;

	if (!openat2_missing) {
		fd = (int)syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
		if (fd >= 0 || errno != ENOSYS)
			return fd;
		openat2_missing = true;
	}
	fd = path_resolve_in_root_walk(rootfd, path, flags);
	if (fd < 0) {
		errno = -fd;
		return -1;
	}
	return fd;
}

/* Open `path` inside rootfd: the fd, or -1 and errno. */
static int
resolve_in_root(int rootfd, const char *path, int flags)
{
	int fd = -1;

	for (int i = 0; i < RESOLVE_TRIES; i++) {
		fd = resolve_once(rootfd, path, flags);
		if (fd >= 0 || errno != EAGAIN)
			break;
	}
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
	pfd = resolve_in_root(rootfd, slash && parent[0] ? parent : "/", O_PATH | O_DIRECTORY);
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
	fd = resolve_in_root(rootfd, clean, O_PATH);
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
		fd = resolve_in_root(rootfd, clean, O_PATH);
		if (fd < 0 && errno == ENOENT) {
			r = create_last(rootfd, clean, last ? create : PATH_CREATE_DIR, err);
			if (r < 0)
				return r;
			fd = resolve_in_root(rootfd, clean, O_PATH);
		}
		if (fd < 0)
			return error_sys(err, errno, "open '%s' in the rootfs", clean);
		if (last)
			return fd;
		close(fd);
		*p = c;
	}
}
