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

/* A failed poststart (start) or poststop (delete) hook is not an error:
 * its message goes into warn (warn->msg[0] stays 0 otherwise). */
int container_start(const char *root, const char *id, struct hutch_error *warn,
                    struct hutch_error *err);

/* create + start + wait.  Returns the process's exit status (128+N when
 * killed by signal N), or 0 at once with opts->detach. */
int container_run(const struct container_opts *opts, struct hutch_error *err);

/* runc's state JSON (indented), to be freed by the caller. */
int container_state(const char *root, const char *id, char **json, struct hutch_error *err);

int container_kill(const char *root, const char *id, int sig, bool all, struct hutch_error *err);

int container_delete(const char *root, const char *id, bool force, struct hutch_error *warn,
                     struct hutch_error *err);

/* Check a container id: 1-1024 characters of [A-Za-z0-9_.+-], not "." or
 * ".." (it names a directory under the state root).  Pure. */
int container_check_id(const char *id, struct hutch_error *err);

/* ---- cgroups: update, pause, resume, events (container-cgroup.c) ---- */

/* runc's wording for resume of a container that is not paused. */
#define CONTAINER_MSG_NOT_PAUSED "container not paused"

/* Apply the resources that are set in res to the container's cgroup. */
int container_update(const char *root, const char *id, const struct spec_resources *res,
                     struct hutch_error *err);

/* Freeze / thaw every process of the container, returning once the kernel
 * reports it done. */
int container_pause(const char *root, const char *id, struct hutch_error *err);
int container_resume(const char *root, const char *id, struct hutch_error *err);

/* runc's `events`: hand emit() one JSON object per event (no newline):
 * {"type":"stats","id":ID,"data":{...}} every interval_ns, and
 * {"type":"oom","id":ID} when the kernel OOM-kills in the container, until
 * the container stops; with stats_only, one stats event and return.  A
 * negative return of emit() stops and is returned. */
int container_events(const char *root, const char *id, bool stats_only, int64_t interval_ns,
                     int (*emit)(void *ctx, const char *json), void *ctx, struct hutch_error *err);
