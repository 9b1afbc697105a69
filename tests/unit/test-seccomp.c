/*
 * test-seccomp.c - linux.seccomp compiled and loaded: the compiled program
 * and its seccomp(2) flags, the refusals naming the field, and, in forked
 * children, the filter enforced by the kernel: errno, argument comparisons,
 * kills, the default action and a notify listener answered by this test.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "seccomp.h"
#include "spec.h"
#include "util.h"
#include "seccomp-cache.h"
#include "tap.h"
#include "banned.h"

#define ALLOW_ALL "\"defaultAction\": \"SCMP_ACT_ALLOW\""

/* Parse a config whose linux.seccomp is `seccomp`; NULL (and the message
 * in msg) when the parser refuses it. */
static struct spec *
parse(const char *seccomp, char *msg, size_t size)
{
	_cleanup_free_ char *cfg = xasprintf(
	    "{\"ociVersion\": \"1.2.0\", \"root\": {\"path\": \"rootfs\"},"
	    " \"process\": {\"args\": [\"sh\"], \"cwd\": \"/\", \"user\": {\"uid\": 0, \"gid\": 0}},"
	    " \"linux\": {\"seccomp\": {%s}}}",
	    seccomp);
	struct hutch_error err = {0};
	struct spec *spec = NULL;

	if (spec_parse(cfg, strlen(cfg), &spec, &err) < 0) {
		error_text(&err, msg, (int)size);
		return NULL;
	}
	return spec;
}

/* Parse and compile; returns seccomp_program_compile's result, or -1000 when the
 * parser refused the config.  The message goes to msg either way. */
static int
compile(const char *seccomp, struct seccomp_program *p, char *msg, size_t size)
{
	struct hutch_error err = {0};
	struct spec *spec;
	int r;

	msg[0] = '\0';
	spec = parse(seccomp, msg, size);
	*p = (struct seccomp_program){0};
	if (!spec)
		return -1000;
	r = seccomp_program_compile(spec->linux.seccomp, p, &err);
	if (r < 0)
		error_text(&err, msg, (int)size);
	spec_free(spec);
	return r;
}

/* The number of instructions of a program that must compile. */
static size_t
compiled_len(const char *seccomp, unsigned int *flags)
{
	struct seccomp_program p;
	char msg[512];
	size_t len;

	if (compile(seccomp, &p, msg, sizeof(msg)) < 0) {
		printf("# compile failed: %s\n", msg);
		return 0;
	}
	len = p.len;
	if (flags)
		*flags = p.flags;
	seccomp_program_release(&p);
	return len;
}

/* ---- compiling */

static void
test_compile_basic(void)
{
	struct seccomp_program p;
	char msg[512];
	int r;

	r = compile(ALLOW_ALL
	            ", \"architectures\": [\"SCMP_ARCH_X86_64\"],"
	            " \"syscalls\": [{\"names\": [\"getpid\"], \"action\": \"SCMP_ACT_ERRNO\"}]",
	            &p, msg, sizeof(msg));
	ok(r == 0, "a small filter compiles (%s)", msg);
	ok(p.bpf && p.len > 0 && p.len <= 4096, "the program is not empty (%zu instructions)",
	   p.len);
	ok(p.flags == 0 && !p.notify, "no flags, no listener");
	seccomp_program_release(&p);
	ok(p.bpf == NULL && p.len == 0, "release empties the program");
	seccomp_program_release(&p);
	seccomp_program_release(NULL);
	ok(1, "release twice and release(NULL) are harmless");
}

static void
test_compile_flags(void)
{
	unsigned int flags = 99;
	size_t len;

	len = compiled_len(ALLOW_ALL ", \"flags\": [\"SECCOMP_FILTER_FLAG_LOG\","
	                             " \"SECCOMP_FILTER_FLAG_SPEC_ALLOW\"]",
	                   &flags);
	ok(len > 0 && flags == (SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW),
	   "LOG and SPEC_ALLOW map to seccomp(2) flags (0x%x)", flags);
	len = compiled_len(ALLOW_ALL ", \"flags\": [\"SECCOMP_FILTER_FLAG_TSYNC\"]", &flags);
	ok(len > 0 && flags == SECCOMP_FILTER_FLAG_TSYNC, "TSYNC maps (0x%x)", flags);
	len = compiled_len(ALLOW_ALL ", \"flags\": [\"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV\"]",
	                   &flags);
	ok(len > 0 && flags == 0, "WAIT_KILLABLE_RECV without a listener is dropped (0x%x)", flags);
	len = compiled_len(
	    ALLOW_ALL
	    ", \"listenerPath\": \"/run/agent.sock\","
	    " \"syscalls\": [{\"names\": [\"getppid\"], \"action\": \"SCMP_ACT_NOTIFY\"}]",
	    &flags);
	ok(len > 0 && flags == SECCOMP_FILTER_FLAG_NEW_LISTENER, "NOTIFY adds NEW_LISTENER (0x%x)",
	   flags);
	len = compiled_len(
	    ALLOW_ALL
	    ", \"listenerPath\": \"/run/agent.sock\","
	    " \"flags\": [\"SECCOMP_FILTER_FLAG_TSYNC\", \"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV\"],"
	    " \"syscalls\": [{\"names\": [\"getppid\"], \"action\": \"SCMP_ACT_NOTIFY\"}]",
	    &flags);
	ok(len > 0 &&
	       flags == (SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_TSYNC_ESRCH |
	                 SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV),
	   "TSYNC with a listener adds TSYNC_ESRCH; WAIT_KILLABLE_RECV kept (0x%x)", flags);
}

static void
test_compile_skips(void)
{
	size_t base, with;

	base = compiled_len(ALLOW_ALL ", \"syscalls\": [{\"names\": [\"getpid\"], \"action\": "
	                              "\"SCMP_ACT_ERRNO\"}]",
	                    NULL);
	with = compiled_len(ALLOW_ALL
	                    ", \"syscalls\": [{\"names\": [\"hutch_no_such_syscall\", \"getpid\"],"
	                    " \"action\": \"SCMP_ACT_ERRNO\"},"
	                    " {\"names\": [\"another_unknown\"], \"action\": \"SCMP_ACT_KILL\"}]",
	                    NULL);
	ok(base > 0 && with == base, "unknown syscall names are skipped (%zu == %zu)", with, base);

	/* The same names in both: the -ENOSYS stub counts every name. */
	base =
	    compiled_len("\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": ["
	                 " {\"names\": [\"getpid\", \"getppid\"], \"action\": \"SCMP_ACT_ERRNO\"}]",
	                 NULL);
	with = compiled_len(
	    "\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": ["
	    " {\"names\": [\"getpid\"], \"action\": \"SCMP_ACT_ERRNO\"},"
	    " {\"names\": [\"getppid\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 1}]",
	    NULL);
	ok(base > 0 && with == base, "rules repeating the default action are skipped (%zu == %zu)",
	   with, base);
	with = compiled_len(
	    "\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": ["
	    " {\"names\": [\"getpid\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 38}]",
	    NULL);
	ok(with > base, "the same action with another errno is a rule (%zu > %zu)", with, base);

	base = compiled_len(
	    ALLOW_ALL ", \"architectures\": [\"SCMP_ARCH_X86_64\"],"
	              " \"syscalls\": [{\"names\": [\"socket\"], \"action\": \"SCMP_ACT_ERRNO\"}]",
	    NULL);
	with = compiled_len(
	    ALLOW_ALL
	    ", \"architectures\": [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\"],"
	    " \"syscalls\": [{\"names\": [\"socket\", \"socketcall\"], \"action\": \"SCMP_ACT_ERRNO\"}]",
	    NULL);
	ok(base > 0 && with > base,
	   "extra architectures and other arches' syscalls compile (%zu > %zu)", with, base);
}

static void
test_compile_refusals(void)
{
	struct seccomp_program p;
	struct hutch_error err = {0};
	struct spec *spec;
	char msg[512], *saved;
	int r;

	r = compile(ALLOW_ALL ", \"architectures\": [\"SCMP_ARCH_BOGUS\"]", &p, msg, sizeof(msg));
	ok(r == -1000 && strstr(msg, "architectures[0]"), "the parser refuses a bad arch: %s", msg);

	/* The compiler does not rely on the parser for it. */
	spec = parse(ALLOW_ALL ", \"architectures\": [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\"]",
	             msg, sizeof(msg));
	ok(spec != NULL, "arches parse (%s)", spec ? "" : msg);
	if (spec) {
		saved = spec->linux.seccomp->architectures[1];
		spec->linux.seccomp->architectures[1] = "SCMP_ARCH_BOGUS";
		r = seccomp_program_compile(spec->linux.seccomp, &p, &err);
		spec->linux.seccomp->architectures[1] = saved;
		ok(r == -EINVAL && strstr(err.msg, "linux.seccomp.architectures[1]") &&
		       strstr(err.msg, "SCMP_ARCH_BOGUS") && p.bpf == NULL,
		   "seccomp_program_compile refuses a bad arch: %s", err.msg);
		spec->linux.seccomp->flags = (char *[]){"SECCOMP_FILTER_FLAG_BOGUS", NULL};
		r = seccomp_program_compile(spec->linux.seccomp, &p, &err);
		spec->linux.seccomp->flags = NULL;
		ok(r == -EINVAL && strstr(err.msg, "linux.seccomp.flags[0]"),
		   "seccomp_program_compile refuses an unknown flag: %s", err.msg);
		spec_free(spec);
	}

	r = compile(ALLOW_ALL ", \"syscalls\": [{\"names\": [\"getpid\"], \"action\": "
	                      "\"SCMP_ACT_KILL\"}, {\"names\": [\"getppid\"],"
	                      " \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 70000}]",
	            &p, msg, sizeof(msg));
	ok(r == -EINVAL && strstr(msg, "linux.seccomp.syscalls[1].errnoRet"),
	   "an errno above 16 bits is refused: %s", msg);
	r = compile("\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 65536", &p, msg,
	            sizeof(msg));
	ok(r == -EINVAL && strstr(msg, "linux.seccomp.defaultErrnoRet"),
	   "a default errno above 16 bits is refused: %s", msg);
	r = compile(ALLOW_ALL
	            ", \"listenerPath\": \"/run/a.sock\", \"syscalls\": ["
	            "{\"names\": [\"getpid\", \"sendmsg\"], \"action\": \"SCMP_ACT_NOTIFY\"}]",
	            &p, msg, sizeof(msg));
	ok(r == -EINVAL && strstr(msg, "linux.seccomp.syscalls[0]") && strstr(msg, "sendmsg"),
	   "NOTIFY on the syscall that sends the listener is refused: %s", msg);
}

/* More than the kernel's 4096 instructions: refused at compile time, not
 * in the container.  Values differing in both 32-bit halves cost two
 * comparisons each. */
static void
test_compile_too_big(void)
{
	struct seccomp_program p;
	size_t size = 4000 * 128, off;
	_cleanup_free_ char *cfg = xmalloc(size);
	char msg[512];
	int r;

	off = (size_t)snprintf(cfg, size, ALLOW_ALL ", \"syscalls\": [");
	for (int i = 0; i < 3000; i++)
		off += (size_t)snprintf(
		    cfg + off, size - off,
		    "%s{\"names\": [\"getpriority\"], \"action\": \"SCMP_ACT_ERRNO\","
		    " \"args\": [{\"index\": 1, \"value\": %llu, \"op\": \"SCMP_CMP_EQ\"}]}",
		    i ? "," : "", (unsigned long long)i << 32 | (unsigned)i);
	snprintf(cfg + off, size - off, "]");
	r = compile(cfg, &p, msg, sizeof(msg));
	ok(r == -E2BIG && strstr(msg, "4096"), "a filter over the kernel's limit is refused: %s",
	   msg);
	seccomp_program_release(&p);
}

/* ---- loading, in children */

typedef int (*child_fn)(void);

/* Fork; the child loads the filter (no core dumps: some tests kill it with
 * SIGSYS) and returns fn() as its exit status.  Returns the wait status;
 * 100 + n: the load failed. */
static int
run_child(const char *seccomp, child_fn fn)
{
	struct seccomp_program p;
	char msg[512];
	pid_t pid;
	int st = -1;

	if (compile(seccomp, &p, msg, sizeof(msg)) < 0) {
		printf("# compile failed: %s\n", msg);
		return -1;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct rlimit no_core = {0, 0};
		struct hutch_error err = {0};

		setrlimit(RLIMIT_CORE, &no_core);
		alarm(30);
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
			_exit(101);
		if (seccomp_program_load(&p, -1, NULL, &err) < 0) {
			fprintf(stderr, "# load failed: %s (%s)\n", err.msg, strerror(err.errnum));
			_exit(102);
		}
		_exit(fn());
	}
	seccomp_program_release(&p);
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	return st;
}

static bool
exited_ok(int st)
{
	return st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static int
child_errno(void)
{
	int fd;

	/* glibc's getpid() cannot fail: it would return -42. */
	if (syscall(SYS_getpid) != -1 || errno != 42)
		return 1;
	if (getppid() <= 1)
		return 2;
	fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "x", 1) != 1)
		return 3;
	return 0;
}

static int
child_personality(void)
{
	if (syscall(SYS_personality, 0xffffffffUL) != -1 || errno != 42)
		return 1;
	/* PER_LINUX is what the process has already. */
	if (syscall(SYS_personality, 0UL) < 0)
		return 2;
	return 0;
}

static int
child_masked(void)
{
	if (syscall(SYS_umask, 0022) != -1 || errno != 42)
		return 1;
	if (syscall(SYS_umask, 01022) != -1 || errno != 42)
		return 2;
	if (syscall(SYS_umask, 0027) < 0)
		return 3;
	return 0;
}

static int
child_same_index(void)
{
	if (syscall(SYS_umask, 0022) != -1 || errno != 42)
		return 1;
	if (syscall(SYS_umask, 0027) != -1 || errno != 42)
		return 2;
	if (syscall(SYS_umask, 0077) < 0)
		return 3;
	return 0;
}

static int
child_two_args(void)
{
	/* Both conditions must hold. */
	errno = 0;
	if (syscall(SYS_getpriority, PRIO_PROCESS, 999999) != -1 || errno != 42)
		return 1;
	errno = 0;
	if (syscall(SYS_getpriority, PRIO_PROCESS, 0) < 0)
		return 2;
	errno = 0;
	if (syscall(SYS_getpriority, PRIO_PGRP, 999999) != -1 || errno != ESRCH)
		return 3;
	return 0;
}

static int
child_getppid(void)
{
	getppid();
	return 0;
}

static int
child_uname(void)
{
	struct utsname u;

	uname(&u);
	return 0;
}

static int
child_allow_list(void)
{
	if (syscall(SYS_getppid) != -1 || errno != 42)
		return 1;
	if (getpid() <= 0)
		return 2;
	return 0;
}

/* Above every syscall the profile names: ENOSYS (the stub); below it,
 * not named: the default action. */
static int
child_enosys(void)
{
	if (syscall(SYS_getppid) != -1 || errno != 42)
		return 1;
	if (syscall(1000) != -1 || errno != ENOSYS)
		return 2;
	if (syscall(SYS_faccessat2, AT_FDCWD, "/", 0, 0) != -1 || errno != ENOSYS)
		return 3;
	return getpid() > 0 ? 0 : 4;
}

/* faccessat2 named (ERRNO, i.e. EPERM): it is the largest named, only
 * newer ones get ENOSYS. */
static int
child_enosys_named(void)
{
	if (syscall(SYS_faccessat2, AT_FDCWD, "/", 0, 0) != -1 || errno != EPERM)
		return 1;
	if (syscall(1000) != -1 || errno != ENOSYS)
		return 2;
	if (syscall(SYS_getppid) != -1 || errno != 42)
		return 3;
	return 0;
}

#define ALLOW_LIST_NAMES                                                                         \
	"\"getpid\", \"gettid\", \"exit\", \"exit_group\", \"read\", \"write\", \"writev\","     \
	" \"openat\", \"close\", \"fstat\", \"newfstatat\", \"readlink\", \"mmap\", \"munmap\"," \
	" \"mprotect\", \"madvise\", \"brk\", \"sigaltstack\", \"rt_sigaction\","                \
	" \"rt_sigprocmask\", \"futex\", \"sched_yield\", \"prctl\", \"tgkill\", \"getrandom\"," \
	" \"clock_gettime\""

static void
test_load_enosys_stub(void)
{
	int st;

	st = run_child("\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 42,"
	               " \"syscalls\": [{\"names\": [" ALLOW_LIST_NAMES
	               "], \"action\": \"SCMP_ACT_ALLOW\"}]",
	               child_enosys);
	ok(exited_ok(st), "newer than any named syscall: ENOSYS, older: the default (status 0x%x)",
	   st);
	st = run_child(
	    "\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 42,"
	    " \"architectures\": [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\"],"
	    " \"syscalls\": [{\"names\": [" ALLOW_LIST_NAMES "], \"action\": \"SCMP_ACT_ALLOW\"}]",
	    child_enosys);
	ok(exited_ok(st), "the same with three architectures (status 0x%x)", st);
	st = run_child("\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 42,"
	               " \"syscalls\": [{\"names\": [" ALLOW_LIST_NAMES
	               "], \"action\": \"SCMP_ACT_ALLOW\"},"
	               " {\"names\": [\"faccessat2\"], \"action\": \"SCMP_ACT_ERRNO\"}]",
	               child_enosys_named);
	ok(exited_ok(st), "a named newer syscall keeps its action (status 0x%x)", st);
}

static void
test_load_errno_and_args(void)
{
	int st;

	st = run_child(ALLOW_ALL ", \"syscalls\": [{\"names\": [\"getpid\"],"
	                         " \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 42}]",
	               child_errno);
	ok(exited_ok(st),
	   "ERRNO 42: getpid() fails with errno 42, other syscalls work (status 0x%x)", st);

	st = run_child(
	    ALLOW_ALL
	    ", \"syscalls\": [{\"names\": [\"personality\"],"
	    " \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 42,"
	    " \"args\": [{\"index\": 0, \"value\": 4294967295, \"op\": \"SCMP_CMP_EQ\"}]}]",
	    child_personality);
	ok(exited_ok(st),
	   "EQ: personality(0xffffffff) denied, personality(0) allowed (status 0x%x)", st);

	st = run_child(
	    ALLOW_ALL ", \"syscalls\": [{\"names\": [\"umask\"],"
	              " \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 42, \"args\": [{\"index\": 0,"
	              " \"value\": 63, \"valueTwo\": 18, \"op\": \"SCMP_CMP_MASKED_EQ\"}]}]",
	    child_masked);
	ok(exited_ok(st), "MASKED_EQ: value is the mask, valueTwo the value (status 0x%x)", st);

	st = run_child(ALLOW_ALL ", \"syscalls\": [{\"names\": [\"umask\"],"
	                         " \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 42, \"args\": ["
	                         "{\"index\": 0, \"value\": 18, \"op\": \"SCMP_CMP_EQ\"},"
	                         "{\"index\": 0, \"value\": 23, \"op\": \"SCMP_CMP_EQ\"}]}]",
	               child_same_index);
	ok(exited_ok(st),
	   "two conditions on one argument: either matches (runc's split) (status 0x%x)", st);

	st = run_child(ALLOW_ALL ", \"syscalls\": [{\"names\": [\"getpriority\"],"
	                         " \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 42, \"args\": ["
	                         "{\"index\": 0, \"value\": 0, \"op\": \"SCMP_CMP_EQ\"},"
	                         "{\"index\": 1, \"value\": 999999, \"op\": \"SCMP_CMP_EQ\"}]}]",
	               child_two_args);
	ok(exited_ok(st), "conditions on two arguments: both must match (status 0x%x)", st);

	/* Generous enough for a sanitizer's runtime too: it needs memory,
	 * signals and a way to report. */
	st = run_child(
	    "\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 42,"
	    " \"syscalls\": [{\"names\": [\"getpid\", \"gettid\", \"exit\", \"exit_group\","
	    " \"read\", \"write\", \"writev\", \"openat\", \"close\", \"fstat\", \"newfstatat\","
	    " \"readlink\", \"mmap\", \"munmap\", \"mprotect\", \"madvise\", \"brk\","
	    " \"sigaltstack\", \"rt_sigaction\", \"rt_sigprocmask\", \"futex\","
	    " \"sched_yield\", \"prctl\", \"tgkill\", \"getrandom\", \"clock_gettime\"],"
	    " \"action\": \"SCMP_ACT_ALLOW\"}]",
	    child_allow_list);
	ok(exited_ok(st), "an allow-list: the default ERRNO 42 for anything else (status 0x%x)",
	   st);
}

static void
test_load_kill(void)
{
	int st;

	st = run_child(ALLOW_ALL ", \"syscalls\": [{\"names\": [\"getppid\"],"
	                         " \"action\": \"SCMP_ACT_KILL\"}]",
	               child_getppid);
	ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS, "KILL: killed by SIGSYS (status 0x%x)", st);
	st = run_child(ALLOW_ALL ", \"syscalls\": [{\"names\": [\"uname\"],"
	                         " \"action\": \"SCMP_ACT_KILL_PROCESS\"}]",
	               child_uname);
	ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS,
	   "KILL_PROCESS: killed by SIGSYS (status 0x%x)", st);
	st = run_child(ALLOW_ALL ", \"syscalls\": [{\"names\": [\"uname\"],"
	                         " \"action\": \"SCMP_ACT_TRAP\"}]",
	               child_uname);
	ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS, "TRAP: SIGSYS (status 0x%x)", st);
}

/* A flag the kernel does not know: the load fails naming it and installs
 * nothing. */
static void
test_load_bad_flag(void)
{
	struct seccomp_program p;
	char msg[512];
	pid_t pid;
	int st = -1;

	if (compile(ALLOW_ALL, &p, msg, sizeof(msg)) < 0) {
		ok(0, "compile: %s", msg);
		return;
	}
	p.flags |= 1U << 30;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct hutch_error err = {0};
		bool ok_msg;
		int r;

		prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
		r = seccomp_program_load(&p, -1, NULL, &err);
		ok_msg = r == -EINVAL && strstr(err.msg, "0x40000000");
		if (!ok_msg)
			fprintf(stderr, "# got %d: %s\n", r, err.msg);
		_exit(ok_msg ? 0 : 1);
	}
	seccomp_program_release(&p);
	waitpid(pid, &st, 0);
	ok(exited_ok(st), "an unknown seccomp(2) flag fails the load, named (status 0x%x)", st);
}

/* ---- notify */

/* Receive the listener fd and the text sent with it until end-of-file. */
static int
recv_listener(int sock, char *buf, size_t size)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} c;
	struct iovec iov = {buf, size - 1};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
	struct cmsghdr *cm;
	size_t off;
	ssize_t n;
	int fd = -1;

	memset(&c, 0, sizeof(c));
	msg.msg_control = c.buf;
	msg.msg_controllen = sizeof(c.buf);
	n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	if (n <= 0)
		return -1;
	cm = CMSG_FIRSTHDR(&msg);
	if (cm && cm->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	for (off = (size_t)n; off < size - 1 && (n = read(sock, buf + off, size - 1 - off)) > 0;)
		off += (size_t)n;
	buf[off] = '\0';
	return fd;
}

/* Answer one notification for getppid with 12345. */
static bool
answer(int fd, pid_t child)
{
	struct seccomp_notif_sizes sizes;
	_cleanup_free_ struct seccomp_notif *req = NULL;
	_cleanup_free_ struct seccomp_notif_resp *resp = NULL;
	struct pollfd pfd = {.fd = fd, .events = POLLIN};

	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0)
		return false;
	req = xcalloc(1, sizes.seccomp_notif > sizeof(*req) ? sizes.seccomp_notif : sizeof(*req));
	resp = xcalloc(1, sizes.seccomp_notif_resp > sizeof(*resp) ? sizes.seccomp_notif_resp
	                                                           : sizeof(*resp));
	if (poll(&pfd, 1, 10000) != 1 || ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, req) < 0)
		return false;
	ok(req->data.nr == __NR_getppid && req->pid == (__u32)child,
	   "the notification is the child's getppid (nr %d, pid %u)", req->data.nr, req->pid);
	resp->id = req->id;
	resp->val = 12345;
	return ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, resp) == 0;
}

static void
test_notify(const char *flags, const char *what)
{
	const char *state = "{\"ociVersion\":\"1.2.0\",\"fds\":[\"seccompFd\"],\"pid\":1,"
	                    "\"metadata\":\"m\",\"state\":{\"id\":\"c\",\"status\":\"creating\"}}";
	_cleanup_free_ char *cfg = xasprintf(
	    ALLOW_ALL
	    ", \"listenerPath\": \"/run/agent.sock\", \"flags\": [%s],"
	    " \"syscalls\": [{\"names\": [\"getppid\"], \"action\": \"SCMP_ACT_NOTIFY\"}]",
	    flags);
	struct seccomp_program p;
	char msg[512], buf[1024];
	int sv[2], fd, st = -1;
	bool answered;
	pid_t pid;

	if (compile(cfg, &p, msg, sizeof(msg)) < 0 ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		ok(0, "%s: set up: %s", what, msg);
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct hutch_error err = {0};

		close(sv[0]);
		prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
		if (seccomp_program_load(&p, sv[1], state, &err) < 0) {
			fprintf(stderr, "# load failed: %s (%s)\n", err.msg, strerror(err.errnum));
			_exit(strstr(err.msg, "not supported by this kernel") ? 77 : 102);
		}
		close(sv[1]);
		_exit(getppid() == 12345 ? 0 : 1);
	}
	seccomp_program_release(&p);
	close(sv[1]);
	fd = recv_listener(sv[0], buf, sizeof(buf));
	close(sv[0]);
	if (fd < 0) {
		waitpid(pid, &st, 0);
		if (WIFEXITED(st) && WEXITSTATUS(st) == 77) {
			ok(1, "%s # SKIP a flag this kernel lacks", what);
			return;
		}
		ok(0, "%s: no listener fd came (child status 0x%x)", what, st);
		return;
	}
	is_str(buf, state, "%s: the state came with the listener fd", what);
	ok(fcntl(fd, F_GETFD) >= 0, "%s: the listener fd is open here", what);
	answered = answer(fd, pid);
	ok(answered, "%s: the notification was answered", what);
	close(fd);
	waitpid(pid, &st, 0);
	ok(exited_ok(st), "%s: the child's getppid() returned the listener's 12345 (status 0x%x)",
	   what, st);
}

/* ---- the listener socket */

static void
test_connect_listener(void)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct hutch_error err = {0};
	char dir[] = "/tmp/hutch-test-seccomp.XXXXXX", path[64], lng[200];
	int srv, fd;

	fd = seccomp_listener_connect("/nonexistent/agent.sock", &err);
	ok(fd == -ENOENT && strstr(err.msg, "linux.seccomp.listenerPath") &&
	       strstr(err.msg, "/nonexistent/agent.sock"),
	   "a missing listener is an error naming the field: %s", err.msg);
	memset(lng, 'a', sizeof(lng) - 1);
	lng[0] = '/';
	lng[sizeof(lng) - 1] = '\0';
	fd = seccomp_listener_connect(lng, &err);
	ok(fd == -ENAMETOOLONG && strstr(err.msg, "linux.seccomp.listenerPath"),
	   "a path too long for a unix socket is refused");

	if (!mkdtemp(dir)) {
		ok(0, "mkdtemp: %s", strerror(errno));
		return;
	}
	snprintf(path, sizeof(path), "%s/agent.sock", dir);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	srv = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (srv < 0 || bind(srv, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(srv, 1) < 0) {
		ok(0, "listen on %s: %s", path, strerror(errno));
	} else {
		fd = seccomp_listener_connect(path, &err);
		ok(fd >= 0 && (fcntl(fd, F_GETFD) & FD_CLOEXEC), "connects, close-on-exec (%s)",
		   fd < 0 ? err.msg : "");
		if (fd >= 0)
			close(fd);
	}
	if (srv >= 0)
		close(srv);
	unlink(path);
	rmdir(dir);
}

/* The cache key: the same for the same profile, different when anything
 * that reaches the program differs; the listener (not in the program) is
 * left out. */
static void
test_cache_key(void)
{
	static const char *const variants[] = {
	    ALLOW_ALL ", \"syscalls\": [{\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_ERRNO\"}]",
	    ALLOW_ALL ", \"syscalls\": [{\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_ERRNO\","
	              " \"errnoRet\": 13}]",
	    ALLOW_ALL ", \"syscalls\": [{\"names\": [\"rmdir\"], \"action\": \"SCMP_ACT_ERRNO\"}]",
	    ALLOW_ALL ", \"syscalls\": [{\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_KILL\"}]",
	    ALLOW_ALL ", \"syscalls\": [{\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_ERRNO\","
	              " \"args\": [{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]}]",
	    ALLOW_ALL ", \"syscalls\": [{\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_ERRNO\","
	              " \"args\": [{\"index\": 0, \"value\": 2, \"op\": \"SCMP_CMP_EQ\"}]}]",
	    ALLOW_ALL ", \"architectures\": [\"SCMP_ARCH_X86\"]",
	    ALLOW_ALL ", \"flags\": [\"SECCOMP_FILTER_FLAG_LOG\"]",
	    "\"defaultAction\": \"SCMP_ACT_ERRNO\"",
	    "\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38",
	};
	char *keys[ARRAY_SIZE(variants)];
	char msg[512];

	for (size_t i = 0; i < ARRAY_SIZE(variants); i++) {
		struct spec *a = parse(variants[i], msg, sizeof(msg));
		struct spec *b = parse(variants[i], msg, sizeof(msg));
		char *again;

		if (!a || !b) {
			ok(0, "cache key: parse variant %zu: %s", i, msg);
			keys[i] = xstrdup("");
			spec_free(a);
			spec_free(b);
			continue;
		}
		keys[i] = seccomp_cache_key(a->linux.seccomp);
		again = seccomp_cache_key(b->linux.seccomp);
		is_str(again, keys[i], "cache key of variant %zu is stable", i);
		ok(strstr(keys[i], "libseccomp ") && strstr(keys[i], "kernel "),
		   "cache key %zu names the library and kernel", i);
		free(again);
		spec_free(a);
		spec_free(b);
	}
	for (size_t i = 0; i < ARRAY_SIZE(variants); i++)
		for (size_t j = i + 1; j < ARRAY_SIZE(variants); j++)
			ok(strcmp(keys[i], keys[j]) != 0,
			   "cache keys of variants %zu and %zu differ", i, j);
	{
		struct spec *a =
		    parse(ALLOW_ALL ", \"listenerPath\": \"/run/a.sock\"", msg, sizeof(msg));
		struct spec *b = parse(ALLOW_ALL, msg, sizeof(msg));
		char *ka = a ? seccomp_cache_key(a->linux.seccomp) : xstrdup("a");
		char *kb = b ? seccomp_cache_key(b->linux.seccomp) : xstrdup("b");

		is_str(ka, kb, "the listener is not part of the cache key");
		free(ka);
		free(kb);
		spec_free(a);
		spec_free(b);
	}
	for (size_t i = 0; i < ARRAY_SIZE(variants); i++)
		free(keys[i]);
}

int
main(void)
{
	test_cache_key();
	test_compile_basic();
	test_compile_flags();
	test_compile_skips();
	test_compile_refusals();
	test_compile_too_big();
	test_load_errno_and_args();
	test_load_enosys_stub();
	test_load_kill();
	test_load_bad_flag();
	test_notify("", "notify");
	test_notify(
	    "\"SECCOMP_FILTER_FLAG_TSYNC\", \"SECCOMP_FILTER_FLAG_LOG\","
	    " \"SECCOMP_FILTER_FLAG_SPEC_ALLOW\", \"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV\"",
	    "notify with every flag");
	test_connect_listener();
	return tap_done();
}
