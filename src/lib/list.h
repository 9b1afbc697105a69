/*
 * list.h - looking at containers from outside: every container under a
 * state root (`hutch list`) and the processes of one container (`hutch ps`).
 *
 * Each container is read under the lock of its state directory, so a
 * record is never half-written, and its status is derived from the live
 * process (state.h).  A directory that vanishes while we look (a concurrent
 * delete) or holds no readable state.json (a create not yet done, or a
 * corrupt one) is skipped, not reported: one broken entry must not hide
 * the others.
 *
 * Until cgroups are managed, a container's processes are its init process
 * and that process's descendants as /proc shows them now.  A process that
 * left the tree (daemonised, re-parented outside a pid namespace) is not
 * found; the cgroup module will replace this walk.
 *
 * Ownership: the caller frees what it gets (list_release(), free()).
 * Nothing here prints.
 */
#pragma once

#include <stddef.h>
#include <sys/types.h>

#include "error.h"
#include "state.h"

struct list_entry {
	struct state *state;
	enum state_status status;
	char *owner; /* user owning the state directory, "#uid" when unnamed */
};

struct container_list {
	struct list_entry *entries; /* sorted by id, as runc lists them */
	size_t n;
};

/* Every readable container under root; a missing root is an empty list. */
int list_load(const char *root, struct container_list *out, struct hutch_error *err);
void list_release(struct container_list *list);

/* runc's `list --format json`: a compact array of state objects, "null"
 * when empty (Go encodes an empty slice so).  NULL on out of memory. */
char *list_json(const struct container_list *list);

/* The host pids of the container's processes, ascending; *n is 0 (and
 * *pids NULL) when it is stopped, as runc answers.  An unknown id fails
 * with STATE_MSG_NOT_EXIST. */
int list_pids(const char *root, const char *id, pid_t **pids, size_t *n, struct hutch_error *err);

/* runc's `ps` table: run the host's ps(1) with args (NULL-terminated,
 * without argv[0]) and keep its header and the lines whose PID column is
 * one of pids.  *out is the text to print, to be freed by the caller. */
int list_ps_table(const pid_t *pids, size_t n, char *const *args, char **out,
                  struct hutch_error *err);

/* The filtering half of list_ps_table(), pure: ps_output is what ps
 * printed.  Fails when there is no PID column or a PID is not a number. */
int list_ps_filter(const char *ps_output, const pid_t *pids, size_t n, char **out,
                   struct hutch_error *err);
