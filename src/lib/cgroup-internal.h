/*
 * cgroup-internal.h - what cgroup.c, cgroup-v1.c and cgroup-v2.c share: the
 * ops struct of one implementation, the table of what each resource needs,
 * and small helpers for cgroupfs files.  Private to the cgroup module and
 * to container-cgroup.c (which also uses the OOM watch).
 *
 * Error messages name the resource's JSON field and the file:
 * "linux.resources.memory.limit: write '/sys/fs/cgroup/memory/x/memory.limit_in_bytes'"
 * followed by the errno text.  Nothing here prints.
 */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgroup.h"

/* The v2 mount point on a pure v2 host, and the usual v1 / hybrid root. */
#define CGROUP_ROOT    "/sys/fs/cgroup"
#define CGROUP_UNIFIED "/sys/fs/cgroup/unified"

/* The parent of containers without linux.cgroupsPath ("hutch/<id>"). */
#define CGROUP_DEFAULT_PARENT "hutch"

/* Set on every cgroup directory hutch makes, so that a later `delete` (in
 * another process, with only the path in state.json) removes the parents
 * it made and no other: kernfs keeps trusted.* attributes on v1 and v2
 * alike. */
#define CGROUP_MADE_XATTR "trusted.hutch.made"

/* Bounds of the waits that have no kernel notification to wait on (v1
 * freezer, v1 emptiness): 1 ms steps, then an error. */
#define CGROUP_FREEZE_TIMEOUT_MS 2000
#define CGROUP_EMPTY_TIMEOUT_MS  5000

struct cgroup_ops {
	const char *name;
	int (*create)(struct cgroup *cg, const struct spec_resources *res, struct hutch_error *err);
	int (*enter)(const struct cgroup *cg, pid_t pid, struct hutch_error *err);
	int (*open_entry)(const struct cgroup *cg, struct cgroup_entry *e, struct hutch_error *err);
	int (*set)(const struct cgroup *cg, const struct spec_resources *res,
	           struct hutch_error *err);
	int (*freeze)(const struct cgroup *cg, bool frozen, struct hutch_error *err);
	bool (*is_frozen)(const struct cgroup *cg);
	/* The directory that lists the processes (cgroup.procs), malloc'd;
	 * NULL when the cgroup does not exist. */
	char *(*procs_dir)(const struct cgroup *cg);
	int (*kill_all)(const struct cgroup *cg, int sig, struct hutch_error *err);
	/* Wait (bounded) until no process is left; 0 or -ETIMEDOUT. */
	int (*wait_empty)(const struct cgroup *cg, struct hutch_error *err);
	/* Remove the directories in every hierarchy (children first). */
	int (*remove)(const struct cgroup *cg, struct hutch_error *err);
	/* Fill runc's stats "data" object. */
	int (*stats)(const struct cgroup *cg, json_t *data, struct hutch_error *err);
	/* An fd that becomes readable when an OOM kill happens (v1 eventfd,
	 * v2 inotify on memory.events), and the check that consumes it. */
	int (*oom_open)(const struct cgroup *cg, uint64_t *count, struct hutch_error *err);
	int (*oom_check)(const struct cgroup *cg, int fd, uint64_t *count);
};

extern const struct cgroup_ops cgroup_v1_ops;
extern const struct cgroup_ops cgroup_v2_ops;

/* ---- what the resources need (cgroup.c) ---- */

/* One controller a resource needs, with the first field that needs it. */
struct cgroup_need {
	char controller[32]; /* v1 hierarchy or v2 controller name */
	const char *field;   /* "linux.resources.memory.limit" */
};

#define CGROUP_MAX_NEEDS 24

struct cgroup_needs {
	size_t n;
	struct cgroup_need v[CGROUP_MAX_NEEDS];
};

/* Check the resources against what the mode can apply (a field the mode
 * cannot honour is an error naming it, a field it ignores as runc does is
 * skipped) and list the controllers they need.  Pure. */
int cgroup_resources_needs(const struct spec_resources *res, bool v2, struct cgroup_needs *needs,
                           struct hutch_error *err);

/* ---- files (cgroup.c) ---- */

/* Write value to dir/file; on failure the message names field (if any)
 * and the file. */
int cg_write(const char *dir, const char *file, const char *value, const char *field,
             struct hutch_error *err);
/* Read a small file into buf (NUL-terminated, trailing newline cut);
 * -errno on failure, nothing reported. */
int cg_read(const char *dir, const char *file, char *buf, size_t size);
/* A file holding one unsigned number ("max" reads as UINT64_MAX). */
int cg_read_u64(const char *dir, const char *file, uint64_t *out);
/* The value of `key` in a flat keyed file ("key value" lines). */
int cg_read_key(const char *dir, const char *file, const char *key, uint64_t *out);
bool cg_exists(const char *dir, const char *file);

/* Every pid in dir/cgroup.procs and below, appended to *pids. */
int cg_read_procs(const char *dir, pid_t **pids, size_t *n, struct hutch_error *err);
/* Whether dir/cgroup.procs lists at least one process (not recursive). */
bool cg_has_procs(const char *dir);
/* Send sig to every process in dir and below; ESRCH is not an error.
 * Returns the number of processes signalled. */
int cg_signal_tree(const char *dir, int sig, struct hutch_error *err);
/* rmdir dir after its child cgroups (EBUSY retried for a short while, a
 * missing dir is fine). */
int cg_remove_tree(const char *dir, struct hutch_error *err);
/* After the leaf dir is gone: remove its parents that hutch made (marked
 * with CGROUP_MADE_XATTR) and that are empty now, upwards, never `top`
 * (the hierarchy's mount point) or above. */
void cg_remove_made_parents(const char *leaf_dir, const char *top);

/* Sleep 1 ms (the step of the bounded waits). */
void cg_sleep_ms(long ms);

/* Directories made by cgroup_create, to undo them on failure. */
struct cg_made {
	char **dirs;
	size_t n;
};

int cg_mkdir(struct cg_made *made, const char *dir, bool *created, struct hutch_error *err);
void cg_made_undo(struct cg_made *made);
void cg_made_free(struct cg_made *made);

/* hutch's own cgroup in the hierarchy listed in /proc/self/cgroup with
 * these controllers ("" for v2, "name=systemd", "memory" ...), malloc'd;
 * NULL if none. */
char *cg_own_path(const char *controllers);

/* ---- jansson ---- */

/* A u64 as a JSON integer: jansson's are signed, so values above
 * INT64_MAX (v2's "max") are clamped to INT64_MAX. */
json_t *cg_json_u64(uint64_t v);
/* Set obj.key to a u64. */
void cg_json_set_u64(json_t *obj, const char *key, uint64_t v);
/* Parse a flat keyed file ("key value" lines) into a JSON object of
 * numbers; an absent file gives an empty object. */
json_t *cg_json_keyed(const char *dir, const char *file);

/* ---- the OOM watch (container-cgroup.c uses it for `events`) ---- */

/* An fd to poll for POLLIN, and the current OOM kill count. */
int cgroup_oom_watch(const struct cgroup *cg, uint64_t *count, struct hutch_error *err);
/* After the fd polled readable: 1 if OOM kills happened (count updated),
 * 0 if not, -ENOENT when the cgroup is gone. */
int cgroup_oom_check(const struct cgroup *cg, int fd, uint64_t *count);

/* runc's default allowed devices (cgroup.c), appended to the spec's rules. */
extern const struct spec_device_rule cgroup_default_devices[];
extern const size_t cgroup_n_default_devices;

/* v2: attach a BPF_CGROUP_DEVICE program enforcing rules + the defaults to
 * the cgroup directory dir (cgroup-v2-devices.c). */
int cgroup_v2_devices_apply(const char *dir, const struct spec_device_rule *rules, size_t n,
                            struct hutch_error *err);
