/*
 * test-path.c - path.c: path_clean(), and the user-space fallback of
 * openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS) on a tree of hostile
 * symlinks built in a temp dir.  Each case must end where expected inside
 * the root (the same st_dev/st_ino) or fail with the expected errno, and
 * openat2 itself must agree with the walk on every case.  The host's /proc
 * gives real magic links.  In forked children under seccomp:
 * path_open_in_root() falls back to the walk when openat2 fails with ENOSYS
 * (creating what it is asked to, and calling openat2 no more), and gives up
 * after a bounded number of EAGAINs.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <seccomp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "path.h"
#include "util.h"
#include "tap.h"
#include "banned.h"

static char root[PATH_MAX]; /* the temp dir: the root of every walk */
static int rootfd = -1;
static bool have_openat2;

struct walk_case {
	const char *path;
	int flags;
	const char *want; /* relative to the root ("" the root itself), NULL: an error */
	int want_errno;
};

/* ---------------------------------------------------------------- path_clean */

static void
test_clean(void)
{
	static const char *const cases[][2] = {
	    {"/", "/"},
	    {"", "/"},
	    {".", "/"},
	    {"a", "/a"},
	    {"/a/b/", "/a/b"},
	    {"//a///b//", "/a/b"},
	    {"/./a/./b/.", "/a/b"},
	    {"/a/../b", "/a/../b"},
	    {"../../etc", "/../../etc"},
	    {"/a/.b/..c/...", "/a/.b/..c/..."},
	};
	char out[PATH_MAX], small[6];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		path_clean(cases[i][0], out, sizeof(out));
		is_str(out, cases[i][1], "path_clean('%s')", cases[i][0]);
	}
	/* Too long for the buffer: cut at a component, never mid-name. */
	path_clean("/ab/cdef", small, sizeof(small));
	is_str(small, "/ab", "path_clean cuts at a whole component");
}

/* ---------------------------------------------------------------- the tree */

static void
must(bool cond, const char *what)
{
	if (!cond) {
		printf("Bail out! cannot build the test tree: %s: %s\n", what, strerror(errno));
		exit(1);
	}
}

static void
mkfile(const char *name)
{
	int fd = openat(rootfd, name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);

	must(fd >= 0, name);
	close(fd);
}

static void
mkdirs(const char *name)
{
	must(mkdirat(rootfd, name, 0755) == 0, name);
}

static void
mklink(const char *target, const char *name)
{
	must(symlinkat(target, rootfd, name) == 0, name);
}

static void
build_tree(void)
{
	char name[16], target[16];

	snprintf(root, sizeof(root), "%s/hutch-test-path.XXXXXX",
	         getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	must(mkdtemp(root) != NULL, "mkdtemp");
	rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	must(rootfd >= 0, root);
	mkdirs("x");
	mkfile("x/file");
	mkdirs("etc");
	mkfile("etc/passwd");
	mkfile("file");
	mkdirs("dir");
	mkdirs("dir/sub");
	/* Not a procfs: "/proc/self/root" text must stay a path in the tree. */
	mkdirs("proc");
	mkdirs("proc/self");
	mkdirs("proc/self/root");
	mklink("/x", "abs");
	mklink("/../../../x", "absdd");
	mklink("../../../../etc", "rel");
	mklink("../../../../../etc", "dir/up");
	mklink("../../x", "dir/sub/back");
	mklink("/x/file", "dir/sub/absfile");
	mklink("/../etc/../x", "dir/sub/absdd");
	mklink("chain2", "chain1");
	mklink("dir/chain3", "chain2");
	mklink("../abs", "dir/chain3");
	mklink("loop2", "loop1");
	mklink("loop1", "loop2");
	mklink("self", "self");
	mklink("/proc/self/root", "magic");
	mklink("/proc/self/root/../../../x", "magicx");
	mklink("file", "filelink");
	mklink("file/", "fileslash");
	mklink("x/", "dirslash");
	mklink("/nonexistent", "dangling");
	mklink("/", "slash");
	mklink(".", "dotlink");
	/* n0 -> n1 -> ... -> n40 -> x: 41 links from n0, 40 from n1. */
	for (int i = 0; i <= 40; i++) {
		snprintf(name, sizeof(name), "n%d", i);
		if (i < 40)
			snprintf(target, sizeof(target), "n%d", i + 1);
		else
			snprintf(target, sizeof(target), "x");
		mklink(target, name);
	}
}

static void
remove_tree(void)
{
	pid_t pid;
	int st = -1;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		execlp("rm", "rm", "-rf", "--", root, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid || st != 0)
		printf("# could not remove %s\n", root);
}

/* ---------------------------------------------------------------- checks */

static int
openat2_in(int dirfd, const char *path, int flags)
{
	struct open_how how = {
	    .flags = (unsigned long long)(flags | O_CLOEXEC),
	    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	int fd = (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));

	return fd < 0 ? -errno : fd;
}

static bool
same_file(int fd, const struct stat *want)
{
	struct stat st;

	return fd >= 0 && fstat(fd, &st) == 0 && st.st_dev == want->st_dev &&
	       st.st_ino == want->st_ino;
}

static const char *
result(int fd, char *buf, size_t size)
{
	char link[64];
	ssize_t n;

	if (fd < 0)
		return strerror(-fd);
	n = readlink(path_fd(fd, link, sizeof(link)), buf, size - 1);
	buf[n < 0 ? 0 : n] = '\0';
	return buf;
}

/* Resolve c->path from dirfd with the walk and with openat2; `want` is the
 * expected file (NULL: the expected errno). */
static void
check(int dirfd, const struct walk_case *c, const struct stat *want)
{
	int walk = path_resolve_in_root_walk(dirfd, c->path, c->flags);
	int kern = have_openat2 ? openat2_in(dirfd, c->path, c->flags) : 0;
	char got[PATH_MAX];

	if (want)
		ok(same_file(walk, want), "walk '%.60s' (flags %#o) -> '%s'", c->path, c->flags,
		   c->want);
	else
		ok(walk == -c->want_errno, "walk '%.60s' (flags %#o) fails: %s", c->path, c->flags,
		   strerror(c->want_errno));
	if (!(want ? same_file(walk, want) : walk == -c->want_errno))
		printf("#   got %s\n", result(walk, got, sizeof(got)));
	if (have_openat2) {
		struct stat st;
		bool agree = walk < 0
		                 ? kern == walk
		                 : (kern >= 0 && fstat(kern, &st) == 0 && same_file(walk, &st));

		ok(agree, "openat2 agrees on '%.60s'", c->path);
		if (!agree)
			printf("#   openat2: %s\n", result(kern, got, sizeof(got)));
	} else {
		ok(1, "openat2 agrees on '%.60s' # SKIP no openat2 here", c->path);
	}
	if (walk >= 0)
		close(walk);
	if (kern >= 0)
		close(kern);
}

static void
test_tree(void)
{
	static const struct walk_case cases[] = {
	    {"/", O_PATH, "", 0},
	    {"", O_PATH, NULL, ENOENT},
	    {"..", O_PATH, "", 0},
	    {"/../../..", O_PATH, "", 0},
	    {"x/../../../..", O_PATH, "", 0},
	    {"//x//file", O_PATH, "x/file", 0},
	    {"././x/./file", O_PATH, "x/file", 0},
	    {"abs", O_PATH, "x", 0},
	    {"abs/file", O_PATH, "x/file", 0},
	    {"absdd/file", O_PATH, "x/file", 0},
	    {"rel/passwd", O_PATH, "etc/passwd", 0},
	    {"dir/up/passwd", O_PATH, "etc/passwd", 0},
	    {"dir/sub/back/file", O_PATH, "x/file", 0},
	    {"dir/sub/absfile", O_PATH, "x/file", 0},
	    {"dir/sub/absdd/file", O_PATH, "x/file", 0},
	    {"dir/sub/../../abs/../etc", O_PATH, "etc", 0},
	    {"chain1", O_PATH, "x", 0},
	    {"chain1/file", O_PATH, "x/file", 0},
	    {"loop1", O_PATH, NULL, ELOOP},
	    {"loop1/x", O_PATH, NULL, ELOOP},
	    {"self", O_PATH, NULL, ELOOP},
	    {"n1", O_PATH, "x", 0},
	    {"n1/file", O_PATH, "x/file", 0},
	    {"n0", O_PATH, NULL, ELOOP},
	    {"magic", O_PATH, "proc/self/root", 0},
	    {"magicx/file", O_PATH, "x/file", 0},
	    {"slash/x/file", O_PATH, "x/file", 0},
	    {"dotlink/dotlink/x", O_PATH, "x", 0},
	    {"dirslash/file", O_PATH, "x/file", 0},
	    {"filelink", O_PATH, "file", 0},
	    {"filelink/x", O_PATH, NULL, ENOTDIR},
	    {"filelink/", O_PATH, NULL, ENOTDIR},
	    {"fileslash", O_PATH, NULL, ENOTDIR},
	    {"file/x", O_PATH, NULL, ENOTDIR},
	    {"file/..", O_PATH, NULL, ENOTDIR},
	    {"file/.", O_PATH, NULL, ENOTDIR},
	    {"file/", O_PATH, NULL, ENOTDIR},
	    {"x/", O_PATH, "x", 0},
	    {"abs/", O_PATH, "x", 0},
	    {"dangling", O_PATH, NULL, ENOENT},
	    {"dangling/x", O_PATH, NULL, ENOENT},
	    {"missing/x", O_PATH, NULL, ENOENT},
	    {"x/file", O_PATH | O_DIRECTORY, NULL, ENOTDIR},
	    {"filelink", O_PATH | O_DIRECTORY, NULL, ENOTDIR},
	    {"abs", O_PATH | O_DIRECTORY, "x", 0},
	    {"/", O_PATH | O_DIRECTORY, "", 0},
	    {"filelink", O_PATH | O_NOFOLLOW, "filelink", 0},
	    {"abs/", O_PATH | O_NOFOLLOW, "x", 0},
	    {"chain1/file", O_RDONLY, "x/file", 0},
	    {"abs", O_RDONLY | O_DIRECTORY, "x", 0},
	    {"filelink", O_RDONLY | O_NOFOLLOW, NULL, ELOOP},
	};
	struct stat want;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct walk_case *c = &cases[i];

		if (c->want &&
		    fstatat(rootfd, c->want, &want, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) < 0) {
			ok(0, "stat the expected '%s': %s", c->want, strerror(errno));
			continue;
		}
		check(rootfd, c, c->want ? &want : NULL);
	}
}

/* Names and paths at and beyond the kernel's limits. */
static void
test_limits(void)
{
	char name[NAME_MAX + 2], *path = xmalloc(PATH_MAX + 1);
	struct walk_case c = {.flags = O_PATH, .want_errno = ENAMETOOLONG};

	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	c.path = name;
	check(rootfd, &c, NULL);
	/* PATH_MAX bytes without the NUL: one too many. */
	for (size_t i = 0; i < PATH_MAX; i += 2)
		memcpy(path + i, "./", 2);
	path[PATH_MAX] = '\0';
	c.path = path;
	check(rootfd, &c, NULL);
	/* One byte shorter fits: "././.../." is the root. */
	path[PATH_MAX - 1] = '\0';
	ok(path_resolve_in_root_walk(rootfd, path, O_PATH | O_DIRECTORY) >= 0,
	   "a path of PATH_MAX - 1 bytes is resolved");
	ok(path_resolve_in_root_walk(rootfd, "x", O_PATH | O_CREAT) == -EINVAL,
	   "O_CREAT is refused");
	free(path);
}

/* The host's procfs, from the host's root: magic links are ELOOP, the
 * plain symlinks of /proc's root directory are followed. */
static void
test_proc(void)
{
	_cleanup_close_ int slash = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	_cleanup_free_ char *via_root = xasprintf("/proc/self/root%s", root);
	_cleanup_free_ char *via_fd = xasprintf("/proc/self/fd/%d/x", rootfd);
	_cleanup_free_ char *via_tid = xasprintf("/proc/thread-self/root%s", root);
	const char *magic[] = {
	    via_root,
	    via_fd,
	    via_tid,
	    "/proc/self/cwd",
	    "/proc/self/exe",
	    "/proc/1/root",
	    "/proc/self/ns/net",
	};
	const char *plain[] = {
	    "/proc/self",
	    "/proc/thread-self",
	    "/proc/mounts",
	    "/proc/self/status",
	};
	int pid1_errno = ELOOP;
	struct statfs sfs;
	struct stat want;
	char buf[PATH_MAX];

	if (slash < 0 || statfs("/proc", &sfs) < 0 || sfs.f_type != PROC_SUPER_MAGIC) {
		ok(1, "procfs magic links # SKIP no procfs on /proc");
		return;
	}
	/* Another process's links first need ptrace access to it: without,
	 * openat2 fails with EACCES before looking at the link (so must the
	 * walk). */
	if (readlink("/proc/1/root", buf, sizeof(buf)) < 0 && errno == EACCES)
		pid1_errno = EACCES;
	for (size_t i = 0; i < ARRAY_SIZE(magic); i++) {
		struct walk_case c = {magic[i], O_PATH, NULL, ELOOP};

		if (strncmp(magic[i], "/proc/1/", 8) == 0)
			c.want_errno = pid1_errno;
		check(slash, &c, NULL);
	}
	for (size_t i = 0; i < ARRAY_SIZE(plain); i++) {
		struct walk_case c = {plain[i], O_PATH, plain[i], 0};

		if (stat(plain[i], &want) < 0) {
			ok(0, "stat '%s': %s", plain[i], strerror(errno));
			continue;
		}
		check(slash, &c, &want);
	}
}

/* ---------------------------------------------------------------- under seccomp */

/* Load a filter giving openat2 `action`: 0 or libseccomp's -errno. */
static int
filter_openat2(uint32_t action)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int r;

	if (!ctx)
		return -ENOMEM;
	r = seccomp_rule_add(ctx, action, SCMP_SYS(openat2), 0);
	if (r == 0)
		r = seccomp_load(ctx);
	seccomp_release(ctx);
	return r;
}

/* In a forked child: openat2 made to fail with `err`, then fn() (its
 * return value: the exit status, 0 for success).  The wait status. */
static int
with_openat2_failing(int err, int (*fn)(void))
{
	pid_t pid;
	int st = -1;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct rlimit no_core = {0, 0};

		setrlimit(RLIMIT_CORE, &no_core);
		alarm(20); /* an unbounded EAGAIN loop must fail, not hang */
		if (filter_openat2(SCMP_ACT_ERRNO((uint32_t)err)) < 0)
			_exit(100);
		_exit(fn());
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	return st;
}

static bool
is_entry(const char *path, mode_t type)
{
	struct stat st;

	return fstatat(rootfd, path, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	       (st.st_mode & S_IFMT) == type;
}

static int
open_expect(const char *path, enum path_create create, const char *want, int want_errno)
{
	struct hutch_error err = {0};
	_cleanup_close_ int fd = path_open_in_root(rootfd, path, create, &err);
	struct stat st;

	if (want) {
		if (fstatat(rootfd, want, &st, AT_SYMLINK_NOFOLLOW) == 0 && same_file(fd, &st))
			return 0;
	} else if (fd == -want_errno && err.errnum == want_errno) {
		return 0;
	}
	printf("# path_open_in_root('%s'): %d (%s), want %s\n", path, fd, err.msg,
	       want ? want : strerror(want_errno));
	return 1;
}

static int
fallback_open_and_create(void)
{
	int bad = 0;

	bad += open_expect("/abs/file", PATH_NO_CREATE, "x/file", 0);
	bad += open_expect("/abs/new/deep", PATH_CREATE_DIR, "x/new/deep", 0);
	bad += !is_entry("x/new/deep", S_IFDIR);
	bad += open_expect("/rel/../dir/made", PATH_CREATE_FILE, "dir/made", 0);
	bad += !is_entry("dir/made", S_IFREG);
	bad += open_expect("/dir/up/../magicx/f2", PATH_CREATE_FILE, "x/f2", 0);
	bad += open_expect("/loop1", PATH_NO_CREATE, NULL, ELOOP);
	bad += open_expect("/filelink/x", PATH_CREATE_DIR, NULL, ENOTDIR);
	/* The dangling link is not replaced, and nothing is made where it points. */
	bad += open_expect("/dangling", PATH_CREATE_DIR, NULL, ENOENT);
	bad += is_entry("nonexistent", S_IFDIR);
	if (bad)
		return 1;
	/* openat2 failed once with ENOSYS: it is not called again.  A
	 * second filter kills the process if it is (KILL wins over ERRNO). */
	if (filter_openat2(SCMP_ACT_KILL_PROCESS) < 0)
		return 100;
	return open_expect("/chain1/file", PATH_NO_CREATE, "x/file", 0) ? 2 : 0;
}

static int
eagain_gives_up(void)
{
	return open_expect("/x/file", PATH_NO_CREATE, NULL, EAGAIN);
}

static void
test_fallback_in_path_open(void)
{
	int st;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		ok(0, "set no_new_privs: %s", strerror(errno));
		return;
	}
	st = with_openat2_failing(ENOSYS, fallback_open_and_create);
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	   "openat2 ENOSYS: path_open_in_root walks, creates in the root, stops calling openat2");
	if (!(WIFEXITED(st) && WEXITSTATUS(st) == 0))
		printf("#   wait status %#x\n", (unsigned)st);
	st = with_openat2_failing(EAGAIN, eagain_gives_up);
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "openat2 always EAGAIN: gives up with EAGAIN");
	if (!(WIFEXITED(st) && WEXITSTATUS(st) == 0))
		printf("#   wait status %#x\n", (unsigned)st);
}

int
main(void)
{
	int r;

	test_clean();
	build_tree();
	r = openat2_in(rootfd, "x", O_PATH);
	have_openat2 = r >= 0;
	if (r >= 0)
		close(r);
	else
		printf("# openat2: %s: the agreement checks are skipped\n", strerror(-r));
	test_tree();
	test_limits();
	test_proc();
	test_fallback_in_path_open();
	close(rootfd);
	remove_tree();
	return tap_done();
}
