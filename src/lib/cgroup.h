/*
 * cgroup.h - the container's cgroup: one interface, with a v1 and a v2
 * implementation chosen once by looking at the host.
 *
 * Host modes: pure v2 (/sys/fs/cgroup is cgroup2), v1 (controllers mounted
 * under /sys/fs/cgroup/<controller>), and hybrid (v1 controllers plus a
 * cgroup2 mount at /sys/fs/cgroup/unified).  v1 and hybrid use the v1
 * implementation; in hybrid mode the unified hierarchy gets a directory
 * too, so that the container has a cgroup there as well.
 *
 * The path: linux.cgroupsPath as runc reads it - absolute ("/a/b") from the
 * hierarchy's root, relative ("a/b") from hutch's own cgroup; absent, the
 * default is "hutch/<id>" relative to hutch's own cgroup.  A systemd-style
 * "slice:prefix:name" is refused (no systemd driver).
 *
 * Ownership: struct cgroup owns its strings; cgroup_free() releases memory
 * only, never the directories.  Nothing here prints.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"
#include "spec.h"

enum cgroup_mode { CGROUP_MODE_V1, CGROUP_MODE_HYBRID, CGROUP_MODE_V2 };

struct cgroup {
	enum cgroup_mode mode;
	char *path;   /* absolute within each hierarchy, e.g. "/process_api/x/hutch/c1" */
	bool created; /* directories were made by us (and are ours to remove) */
};

/* The host's mode, detected once (statfs of /sys/fs/cgroup and of
 * /sys/fs/cgroup/unified). */
enum cgroup_mode cgroup_mode(void);

/* Resolve the path of a container's cgroup (pure apart from reading
 * /proc/self/cgroup).  cgroups_path may be NULL. */
int cgroup_init(struct cgroup *cg, const char *cgroups_path, const char *id,
                struct hutch_error *err);

/* A cgroup whose path is already known (from state.json). */
void cgroup_init_path(struct cgroup *cg, const char *path);

/* Make the directories (every hierarchy on v1; enabling the controllers the
 * resources need down the v2 tree) and apply the resources (NULL: none).
 * On failure, whatever was made is removed again. */
int cgroup_create(struct cgroup *cg, const struct spec_resources *res, struct hutch_error *err);

/* Move pid into the cgroup (before the process runs anything). */
int cgroup_enter(const struct cgroup *cg, pid_t pid, struct hutch_error *err);

/* A new process can enter its cgroups without anyone writing its pid to
 * cgroup.procs, whose first write waits for an RCU grace period (6-16 ms
 * here): it is born in the cgroup2 directory (clone3 CLONE_INTO_CGROUP)
 * and writes "0" to each v1 hierarchy's `tasks` itself (a single thread
 * moving itself takes no global lock).  The fds are opened by the parent,
 * close-on-exec. */
#define CGROUP_ENTRY_MAX 16

struct cgroup_entry {
	int dir_fd; /* the cgroup2 directory (v2, or hybrid's unified), or -1 */
	int tasks_fds[CGROUP_ENTRY_MAX];
	size_t n_tasks;
};

void cgroup_entry_init(struct cgroup_entry *e);
/* The container's cgroup, in every hierarchy. */
int cgroup_entry_open(const struct cgroup *cg, struct cgroup_entry *e, struct hutch_error *err);
/* The cgroups process `pid` is in (exec: the init's), when they are not
 * ours; an empty entry when they are. */
int cgroup_entry_open_like(pid_t pid, struct cgroup_entry *e, struct hutch_error *err);
/* In the new process: write "0" to each `tasks` and close the fds.
 * Async-signal-safe. */
int cgroup_entry_join_self(const struct cgroup_entry *e, struct hutch_error *err);
void cgroup_entry_close(struct cgroup_entry *e);

/* Without clone3: move pid into the cgroups `like` is in (the slow way). */
int cgroup_enter_like(pid_t like, pid_t pid, struct hutch_error *err);

/* Apply resources to an existing cgroup (`update`). */
int cgroup_set(const struct cgroup *cg, const struct spec_resources *res, struct hutch_error *err);

/* Freeze or thaw every process in it, returning once the kernel reports
 * the new state. */
int cgroup_freeze(const struct cgroup *cg, bool frozen, struct hutch_error *err);
bool cgroup_is_frozen(const struct cgroup *cg);

/* The pids in it (host pids), recursively.  *pids is malloc'd. */
int cgroup_pids(const struct cgroup *cg, pid_t **pids, size_t *n, struct hutch_error *err);

/* Send sig to every process in it. */
int cgroup_kill_all(const struct cgroup *cg, int sig, struct hutch_error *err);

/* Kill everything in it (frozen first, so nothing forks away), wait until
 * it is empty, and remove its directories in every hierarchy.  Removing a
 * cgroup that is already gone is not an error. */
int cgroup_destroy(const struct cgroup *cg, struct hutch_error *err);

/* runc's `events --stats` "data" object as JSON text (cpu, memory, pids,
 * blkio, hugetlb), malloc'd. */
int cgroup_stats_json(const struct cgroup *cg, char **json, struct hutch_error *err);

void cgroup_free(struct cgroup *cg);
