/*
 * sandbox.h - what runs inside the new container process, in this order:
 * namespaces -> mounts & rootfs -> devices -> pivot_root -> masked/readonly
 * paths -> hostname, sysctl -> rlimits, user & groups -> capabilities ->
 * no_new_privs -> execve.
 *
 * The parent fills a struct sandbox before clone(); the child only reads
 * it (it shares the parent's memory: CLONE_VM) and never reads JSON.  The
 * child reports a failure over sync_fd and exits (sync_exit); it never prints.
 */
#pragma once

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "lsm.h"
#include "spec.h"

struct sandbox {
	const struct spec *spec;
	const struct spec_process *process;
	const char *bundle; /* absolute */
	const char *rootfs; /* absolute, symlinks resolved */
	int ns_fds[SPEC_NS_COUNT];
	int new_ns_flags; /* CLONE_NEW* created by the clone() */
	bool userns;      /* the process is in a user namespace of its own */
	bool new_time_ns;
	bool new_cgroup_ns; /* unshare it after the parent placed us in the cgroup */
	int sync_fd;        /* the child's end of the sync socket */
	/* The parent's fds the child must close first: the state directory
	 * (its flock would otherwise be held for as long as the process
	 * waits) and the parent's end of the sync socket. */
	int parent_fds[3];
	int console_fd; /* process.terminal: send the pty master here; else -1 */
	/* create: a listening socket; `start` connects and sends SYNC_START,
	 * and gets the error if the process fails after that.  -1 (run): the
	 * parent sends SYNC_START on the sync socket. */
	int start_fd;
	int preserve_fds; /* fds 3 .. 3+N-1 pass to the process */
	bool no_pivot;    /* MS_MOVE + chroot instead of pivot_root (--no-pivot) */
	sigset_t sigmask; /* the mask to restore just before execve */
	char *const *exec_env;
	bool fill_home;        /* exec_env has a free slot for HOME (process.h) */
	struct lsm_labels lsm; /* the AppArmor/SELinux labels that apply here */
	/* idmap-mount.h: per spec mount, its id-mapped copy's fd, or -1; NULL
	 * when there is none. */
	const int *idmap_fds;
	/* State JSON for createContainer/startContainer hooks and a seccomp
	 * listener: the parent fills them in (with the pid) before SYNC_GO,
	 * into `shared` when set (a MAP_SHARED region: the process may not
	 * share our memory), else where these point. */
	char *const *hook_state;
	struct sandbox_shared *shared;
	/* exe-guard.h: the process must not share our memory (CLONE_VM), nor
	 * the join helper its: a process in the container with CAP_SYS_PTRACE
	 * could write into it through /proc/<pid>/mem. */
	bool own_memory;
	int (*child_fn)(void *); /* what the join helper clones: sandbox_child or exec's */
	/* The cgroups the spawned process enters by itself (cgroup.h); NULL,
	 * or after sandbox_spawn() fell back to clone(): the parent moves it. */
	const struct cgroup_entry *cgroup_entry;
	const struct seccomp_program *seccomp; /* NULL: no filter */
	int seccomp_listener;                  /* listenerPath socket, or -1 */
	char *const *seccomp_state;
};

struct seccomp_program;
struct cgroup_entry;

/* The states the parent hands over after the clone (see hook_state). */
#define SANDBOX_SHARED_SIZE (4u << 20)
struct sandbox_shared {
	size_t hook_len, seccomp_len; /* each string is followed by a NUL */
	char data[];
};

/* A MAP_SHARED region of SANDBOX_SHARED_SIZE (pages used on demand), or
 * NULL with errno. */
struct sandbox_shared *sandbox_shared_new(void);
void sandbox_shared_free(struct sandbox_shared *shared);
/* Parent: publish the states (seccomp may be NULL); -E2BIG if too big. */
int sandbox_shared_put(struct sandbox_shared *shared, const char *hook, const char *seccomp,
                       struct hutch_error *err);

/* The entry point of the container process (clone()'s fn); arg is the
 * struct sandbox.  Never returns: it execs or exits. */
int sandbox_child(void *arg);

/* Clone the process that runs sb->child_fn: directly into new namespaces,
 * or (helper) through a helper that first joins the namespaces given by
 * path and then clones it as our child.  Closes sb->sync_fd (the child's
 * end) in the parent, leaving *sb untouched (the child reads it).  On success *pid is the process,
 * waiting for SYNC_GO on the sync socket; *stack is freed with sandbox_free_stack().
 * With sb->cgroup_entry, the process (or the helper, before it joins
 * anything) enters those cgroups by itself; where clone3 is missing,
 * sb->cgroup_entry is set to NULL and the caller must move *pid. */
int sandbox_spawn(struct sandbox *sb, bool helper, int parent_sync, void **stack, pid_t *pid,
                  struct hutch_error *err);
void sandbox_free_stack(void *stack);

/* The entry point of a process `exec` starts in a running container. */
int sandbox_exec_child(void *arg);

/* The entry point of the helper that joins namespaces by path (and creates
 * a time namespace) before it clones the container process. */
int sandbox_join_helper(void *arg);
