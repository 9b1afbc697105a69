/*
 * container.h - the lifecycle of a container, the library's public face.
 *
 * container_run() is create + start + wait in the foreground: it validates
 * the bundle, creates the container process with one clone(), waits for it,
 * forwards signals to it, and removes everything it made when it ends.
 */
#pragma once

#include <stdbool.h>

#include "error.h"

struct container_opts {
	const char *id;
	const char *bundle;   /* NULL: the current directory */
	const char *root;     /* state directory (--root) */
	const char *pid_file; /* NULL: none */
};

/* Returns the container process's exit status (128+N when killed by signal
 * N), or -errno with err filled. */
int container_run(const struct container_opts *opts, struct hutch_error *err);

/* Check a container id: 1-1024 characters of [A-Za-z0-9_.+-], not "." or
 * ".." (it names a directory under the state root).  Pure. */
int container_check_id(const char *id, struct hutch_error *err);
