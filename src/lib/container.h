/*
 * container.h - the lifecycle of a container, the library's public face:
 * create, start, run, state, kill, delete, list.
 *
 * Every operation on an existing container holds the lock of its state
 * directory for its whole duration, so concurrent commands on one id are
 * serialised, and derives the status from the live process (state.h).
 * Nothing here prints; results come back as values or JSON text.
 */
#pragma once

#include <stdbool.h>

#include "error.h"
#include "state.h"

struct container_opts {
	const char *id;
	const char *bundle;         /* NULL: the current directory */
	const char *root;           /* state directory (--root) */
	const char *pid_file;       /* NULL: none */
	const char *console_socket; /* NULL: none */
	bool no_pivot;
	bool no_new_keyring;
	bool detach; /* run: return once the process runs */
	int preserve_fds;
};

/* Leave the container's process set up and waiting for `start`.  On
 * success the caller must exit soon without freeing anything: the
 * container process still runs in this process's memory until it execs. */
int container_create(const struct container_opts *opts, struct hutch_error *err);

int container_start(const char *root, const char *id, struct hutch_error *err);

/* create + start + wait.  Returns the process's exit status (128+N when
 * killed by signal N), or 0 at once with opts->detach. */
int container_run(const struct container_opts *opts, struct hutch_error *err);

/* runc's state JSON (indented), to be freed by the caller. */
int container_state(const char *root, const char *id, char **json, struct hutch_error *err);

int container_kill(const char *root, const char *id, int sig, bool all, struct hutch_error *err);

int container_delete(const char *root, const char *id, bool force, struct hutch_error *err);

/* Check a container id: 1-1024 characters of [A-Za-z0-9_.+-], not "." or
 * ".." (it names a directory under the state root).  Pure. */
int container_check_id(const char *id, struct hutch_error *err);
