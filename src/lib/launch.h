/*
 * launch.h - bringing a container's init process to life (create and run
 * share it): validate the bundle, take the state directory, clone the
 * process into its namespaces, answer its requests (id maps, hooks) until
 * it reports ready, and record the state.
 *
 * Internal to the container module.
 */
#pragma once

#include <signal.h>

#include "cgroup.h"
#include "container.h"
#include "seccomp.h"
#include "sandbox.h"
#include "spec.h"
#include "state.h"

struct launch {
	const struct container_opts *opts;
	struct spec *spec;
	char *bundle;
	char *rootfs;
	int state_fd; /* the locked state directory */
	bool state_made;
	bool exe_guard; /* runs from a sealed copy of hutch (exe-guard.h) */
	struct state state;
	struct cgroup cgroup;
	struct cgroup_entry cgroup_entry; /* read by the child until it is ready */
	struct seccomp_program seccomp;
	int seccomp_listener;
	char *seccomp_state; /* sent with a seccomp listener fd */
	char *hook_state;    /* state JSON handed to hooks; both rebuilt with the pid before GO */
	struct sandbox sb;
	char **home_env;               /* process.env with room for HOME, or NULL */
	int *idmap_fds;                /* idmap-mount.h, read by the process until it is ready */
	struct sandbox_shared *shared; /* the states for the process (sandbox.h) */
	int sync[2];
	int console[2]; /* [0]: ours to receive the pty (foreground run), [1]: the child's */
	void *stack;
	pid_t pid; /* the container process */
};

/* Validate, make the state directory, spawn the process and wait until it
 * is ready to be started; state.json is written.  `with_fifo`: it will be
 * started by `hutch start` through the exec fifo (create), else by
 * launch_start() (run).  exec_mask: the signal mask the process gets
 * back before execve (the caller may have blocked signals to forward). */
int launch_prepare(struct launch *l, const struct container_opts *opts, bool with_fifo,
                   const sigset_t *exec_mask, struct hutch_error *err);

/* run: tell the process to exec and wait until it has. */
int launch_start(struct launch *l, struct hutch_error *err);

/* Undo a failed launch: kill the process, remove the state directory. */
void launch_abort(struct launch *l);

/* Free what the launch holds (the process must be gone or have exec'd). */
void launch_release(struct launch *l);

/* The state JSON of the spec's "State" (for hooks and `state`). */
char *launch_state_json(const struct state *s, enum state_status status, bool indent);

int launch_write_pid_file(const char *path, pid_t pid, struct hutch_error *err);

/* A wait status as a command's exit status: 128+N when killed by signal N. */
int container_exit_status(int status);

/* Block the signals a foreground run or exec passes on to its process (and
 * SIGCHLD); returns a signalfd for them, *old gets the previous mask. */
int container_block_signals(sigset_t *old, struct hutch_error *err);

/* Wait for pid (our child), passing on the signals read from sigfd.
 * Returns its wait status. */
int container_wait_forwarding(pid_t pid, int sigfd, struct hutch_error *err);

/* Check the id, open --root/<id> (*dirfd, to be closed by the caller; with
 * `lock`, the lock goes with it) and read its state. */
int container_open_state(const char *root, const char *id, bool lock, int *dirfd,
                         struct state **state, struct hutch_error *err);
