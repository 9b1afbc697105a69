/*
 * sync.h - the one channel between hutch and a container process it is
 * setting up: a SOCK_SEQPACKET socketpair, one fixed-size message per
 * packet.
 *
 * Both ends are close-on-exec, so the parent sees end-of-file exactly when
 * the child's execve() succeeded (or the child died): no extra message, no
 * race.  A child that fails sends SYNC_ERROR with its struct hutch_error and
 * exits; the parent reports that error as its own.
 */
#pragma once

#include "error.h"

enum sync_type {
	SYNC_GO = 1, /* parent -> child: ids mapped, cgroup joined: carry on */
	SYNC_PID,    /* helper -> parent: host pid of the container process (value) */
	SYNC_HOOKS,  /* child -> parent: mounts done: run prestart/createRuntime, then GO */
	SYNC_READY,  /* child -> parent: set up, waiting to be started */
	SYNC_START,  /* parent -> child (run): execute the process now */
	SYNC_ERROR,  /* child -> parent: failed; err holds why */
};

struct sync_msg {
	int type;
	int value;
	struct hutch_error err;
};

/* Returns 0 or -errno. */
int sync_pair(int fds[2], struct hutch_error *err);
int sync_send(int fd, enum sync_type type, int value, const struct hutch_error *payload);

/* Receive one message.  Returns 1 with *msg filled, 0 on end-of-file, or
 * -errno (err filled). */
int sync_recv(int fd, struct sync_msg *msg, struct hutch_error *err);

/* Child side: send the error and exit (sync_exit).  When nobody listens any more
 * (after `create` returned), the error goes to the process's stderr, which
 * is create's: the engine's log. */
void sync_fail(int fd, const struct hutch_error *err);

/* End the calling child process.  Not marked noreturn on purpose: the
 * child runs on a stack of its own, and ASan, which instruments every call
 * of a noreturn function, would take that for a stack overflow. */
void sync_exit(int status);
