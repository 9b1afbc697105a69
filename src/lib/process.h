/*
 * process.h - the settings of the process a container runs, applied by the
 * process itself just before execve(): oom score, scheduler, I/O priority,
 * rlimits, groups and ids, umask, cwd, no_new_privs, and the PATH search.
 * Shared by the container's init and by exec'd processes.
 */
#pragma once

#include <sys/types.h>

#include "error.h"
#include "spec.h"

/* Written by hutch from the host side (/proc/<pid>/oom_score_adj) before
 * the process runs: the process itself is not dumpable while it is still
 * hutch's image (see launch.c), so it may not own its /proc files. */
int process_set_oom_score_adj(pid_t pid, const struct spec_process *p, struct hutch_error *err);

/* What needs privilege and must happen before the uid switch: scheduler,
 * I/O priority, rlimits. */
int process_apply_privileged(const struct spec_process *p, struct hutch_error *err);

/* setgroups/setresgid/setresuid.  `setgroups_allowed` is false in a user
 * namespace whose setgroups file says "deny". */
int process_set_ids(const struct spec_process *p, bool setgroups_allowed, struct hutch_error *err);

/* umask, cwd, no_new_privs: what comes after the capabilities. */
int process_apply_final(const struct spec_process *p, struct hutch_error *err);

/* Find args[0] as execve() will run it: searched in the PATH of `env` when
 * it has no '/' (the container's PATH, not ours), into path (PATH_MAX
 * bytes).  Done before the container reports ready, so that a command that
 * does not exist fails `create`, as in runc.  -ENOENT when not found. */
int process_find(const struct spec_process *p, char *const *env, char *path,
                 struct hutch_error *err);

/* HOME, when process.env has none (as runc): the home directory of the
 * process's uid in the container's /etc/passwd, else "/".  The parent makes
 * room: a copy of env with a free slot, or NULL when HOME is set.  The
 * process fills it just before execve, without allocating (it may share
 * hutch's memory). */
char **process_env_reserve_home(char *const *env);
void process_fill_home(char **env, uid_t uid);
