/*
 * exec.h - run one more process in a running container (`hutch exec`).
 *
 * The process joins every namespace of the container's init that differs
 * from ours, through the files of /proc/<init>/ns/, opened before any is joined (user
 * first, mount last), via a helper that forks once more so that the pid
 * and time namespaces apply to it.  The parent puts it in the init's
 * cgroups before it may run anything.  The init is checked to be the same
 * process (pid and start time) after its namespace files are open, so a
 * recycled pid is never entered.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct exec_opts {
	const char *root;
	const char *id;
	const char *process_file; /* --process: the whole process JSON */
	char **args;              /* the command, when no process_file */
	char **env;               /* --env NAME=VALUE, override by name */
	size_t n_env;
	const char *cwd;
	bool has_user;
	uint32_t uid;
	bool has_gid;
	uint32_t gid;
	uint32_t *additional_gids;
	size_t n_additional_gids;
	char **caps; /* --cap: added to bounding, effective and permitted */
	size_t n_caps;
	bool tty;
	bool detach;
	bool no_new_privs;
	bool ignore_paused;
	const char *console_socket;
	const char *pid_file;
	int preserve_fds;
};

/* Returns the process's exit status (128+N for signal N), or 0 at once
 * with detach. */
int container_exec(const struct exec_opts *opts, struct hutch_error *err);
