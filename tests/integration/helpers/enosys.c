/*
 * enosys SYSCALL[,SYSCALL...] CMD [ARG...] - run CMD with the named system
 * calls failing with ENOSYS, as on an older kernel or under a container
 * engine's seccomp profile written before they existed.  Sets
 * no_new_privs (needed to load a filter without CAP_SYS_ADMIN, and kept by
 * CMD and all it starts), loads the filter, checks that each call now
 * really fails with ENOSYS (calling it with all-zero arguments: name only
 * calls for which that is harmless, such as openat2 and clone3) and execs
 * CMD.  Used by the integration tests to run the runtime on its fallbacks
 * (user-space path resolution without openat2, cgroup.procs writes
 * without clone3).
 * Built with `cc -o DIR/enosys enosys.c -lseccomp`.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	scmp_filter_ctx ctx;
	char *names, *save = NULL;
	int nrs[16], n = 0, r = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: enosys SYSCALL[,SYSCALL...] CMD [ARG...]\n");
		return 64;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		fprintf(stderr, "enosys: set no_new_privs: %s\n", strerror(errno));
		return 70;
	}
	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		return 70;
	names = argv[1];
	for (char *name = strtok_r(names, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
		int nr = seccomp_syscall_resolve_name(name);

		if (nr == __NR_SCMP_ERROR || n == 16) {
			fprintf(stderr, "enosys: unknown system call '%s'\n", name);
			return 64;
		}
		nrs[n++] = nr;
		if (r == 0)
			r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), nr, 0);
	}
	if (r == 0)
		r = seccomp_load(ctx);
	seccomp_release(ctx);
	if (r < 0) {
		fprintf(stderr, "enosys: load the seccomp filter: %s\n", strerror(-r));
		return 70;
	}
	/* A wrapper that silently let a call through would make every test
	 * run pass on the kernel's path instead of the fallback. */
	for (int i = 0; i < n; i++) {
		long ret = syscall(nrs[i], 0, 0, 0, 0, 0, 0);

		if (ret >= 0 || errno != ENOSYS) {
			fprintf(stderr,
			        "enosys: system call %d still works after the filter (%ld, %s)\n",
			        nrs[i], ret, strerror(errno));
			return 70;
		}
	}
	execvp(argv[2], argv + 2);
	fprintf(stderr, "enosys: exec '%s': %s\n", argv[2], strerror(errno));
	return 127;
}
