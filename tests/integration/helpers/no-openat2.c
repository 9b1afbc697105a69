/*
 * no-openat2 CMD [ARG...] - run CMD with openat2(2) failing with ENOSYS, as
 * on a kernel older than 5.6 or under a container engine's seccomp profile
 * written before openat2 existed.  Sets no_new_privs (needed to load a
 * filter without CAP_SYS_ADMIN, and kept by CMD and all it starts), loads
 * the filter, checks that openat2 now really fails with ENOSYS and execs
 * CMD.  Used by tests/integration/test-path-fallback.sh to run the runtime
 * on its user-space path resolution.
 * Built with `cc -o DIR/no-openat2 no-openat2.c -lseccomp`.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_openat2
#define SYS_openat2 437 /* the same number on every architecture */
#endif

/* struct open_how of <linux/openat2.h>, which an old system may lack. */
struct how {
	unsigned long long flags, mode, resolve;
};

static int
block_openat2(void)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int r;

	if (!ctx)
		return -ENOMEM;
	r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SYS_openat2, 0);
	if (r == 0)
		r = seccomp_load(ctx);
	seccomp_release(ctx);
	return r;
}

int
main(int argc, char **argv)
{
	struct how how = {.flags = O_PATH | O_CLOEXEC};
	int r;

	if (argc < 2) {
		fprintf(stderr, "usage: no-openat2 CMD [ARG...]\n");
		return 64;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		fprintf(stderr, "no-openat2: set no_new_privs: %s\n", strerror(errno));
		return 70;
	}
	r = block_openat2();
	if (r < 0) {
		fprintf(stderr, "no-openat2: load the seccomp filter: %s\n", strerror(-r));
		return 70;
	}
	/* A wrapper that silently let openat2 through would make every test
	 * run pass on the kernel's resolution instead of the fallback. */
	r = (int)syscall(SYS_openat2, AT_FDCWD, "/", &how, sizeof(how));
	if (r >= 0 || errno != ENOSYS) {
		fprintf(stderr, "no-openat2: openat2 still works after the filter (%d, %s)\n", r,
		        strerror(errno));
		return 70;
	}
	execvp(argv[1], argv + 1);
	fprintf(stderr, "no-openat2: exec '%s': %s\n", argv[1], strerror(errno));
	return 127;
}
