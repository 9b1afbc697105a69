/*
 * state.h - what hutch remembers about a container between commands:
 * --root/<id>/state.json (written atomically), a lock on the directory, and
 * the socket on which the created process waits for `start`.
 *
 * The status is never taken from the file alone: it is derived from the
 * init process as it is now.  A pid is only the container's while the
 * process's start time (field 22 of /proc/<pid>/stat) is the one recorded,
 * so a recycled pid is seen as stopped.  Nothing here prints.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "spec.h"

/* runc's exact wording: engines match these strings. */
#define STATE_MSG_NOT_EXIST   "container does not exist"
#define STATE_MSG_NOT_RUNNING "container not running"

#define STATE_FILE      "state.json"
#define STATE_EXEC_SOCK "exec.sock" /* exists while the container is created */
#define STATE_CONFIG    "config.json"

/* The runtime-spec version the state JSON follows. */
#define STATE_OCI_VERSION "1.2.0"

enum state_status {
	STATUS_CREATING,
	STATUS_CREATED,
	STATUS_RUNNING,
	STATUS_PAUSED,
	STATUS_STOPPED,
};

struct state {
	char *id;
	pid_t pid;
	uint64_t start_time; /* of pid, in clock ticks since boot */
	char *bundle;
	char *rootfs;
	char *created; /* RFC 3339, UTC */
	char *owner;
	char *cgroup_path; /* NULL until cgroups are managed */
	struct spec_key_value *annotations;
	size_t n_annotations;
};

const char *state_status_name(enum state_status status);

/* Make --root/<id> (and --root).  Returns an O_DIRECTORY fd of it, locked
 * for the caller; EEXIST when the id is taken. */
int state_create_dir(const char *root, const char *id, struct hutch_error *err);

/* Open --root/<id>; ENOENT as STATE_MSG_NOT_EXIST.  With `lock`, wait for
 * its exclusive lock first: commands that change the container take it.
 * Readers (state, list, ps, exec) do not: state.json is replaced
 * atomically, and a hook that runs `hutch state` while `create` holds the
 * lock must not wait for itself. */
int state_open_dir(const char *root, const char *id, bool lock, struct hutch_error *err);

/* Remove --root/<id> and everything in it. */
int state_remove_dir(const char *root, const char *id, struct hutch_error *err);

int state_write(int dirfd, const struct state *state, struct hutch_error *err);
int state_read(int dirfd, struct state **out, struct hutch_error *err);
void state_free(struct state *state);

/* The pure halves of state_write() and state_read(), no I/O.  state_to_json()
 * needs id, bundle, rootfs and created set; *out is a malloc'ed string.
 * state_parse() takes len bytes (need not be NUL-terminated); on success
 * *out is a new struct state with id set, on failure *out is untouched. */
int state_to_json(const struct state *state, char **out, struct hutch_error *err);
int state_parse(const char *buf, size_t len, struct state **out, struct hutch_error *err);

/* The status of the container now (see the header comment). */
enum state_status state_status(int dirfd, const struct state *state);

/* Start time of pid from /proc/<pid>/stat; -ESRCH when it is gone.
 * *zombie tells whether it has exited but was not reaped yet. */
int state_proc_start_time(pid_t pid, uint64_t *start, bool *zombie);

/* The current time in RFC 3339 with nanoseconds, UTC, in buf. */
void state_now_rfc3339(char *buf, size_t size);
