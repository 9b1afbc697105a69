/* PLACEHOLDER so that the tree links while the real cgroup implementation
 * (cgroup.c, cgroup-v1.c, cgroup-v2.c) is being written: replace it whole. */
#include "cgroup.h"

#include <errno.h>
#include <stdlib.h>

enum cgroup_mode
cgroup_mode(void)
{
	return CGROUP_MODE_HYBRID;
}

int
cgroup_init(struct cgroup *cg, const char *cgroups_path, const char *id, struct hutch_error *err)
{
	(void)cgroups_path, (void)id, (void)err;
	*cg = (struct cgroup){0};
	return 0;
}

void
cgroup_init_path(struct cgroup *cg, const char *path)
{
	(void)path;
	*cg = (struct cgroup){0};
}

int
cgroup_create(struct cgroup *cg, const struct spec_resources *res, struct hutch_error *err)
{
	(void)cg, (void)res, (void)err;
	return 0;
}

int
cgroup_enter(const struct cgroup *cg, pid_t pid, struct hutch_error *err)
{
	(void)cg, (void)pid, (void)err;
	return 0;
}

int
cgroup_set(const struct cgroup *cg, const struct spec_resources *res, struct hutch_error *err)
{
	(void)cg, (void)res;
	return error_msg(err, ENOSYS, "cgroups are not implemented yet");
}

int
cgroup_freeze(const struct cgroup *cg, bool frozen, struct hutch_error *err)
{
	(void)cg, (void)frozen;
	return error_msg(err, ENOSYS, "cgroups are not implemented yet");
}

bool
cgroup_is_frozen(const struct cgroup *cg)
{
	(void)cg;
	return false;
}

int
cgroup_pids(const struct cgroup *cg, pid_t **pids, size_t *n, struct hutch_error *err)
{
	(void)cg, (void)pids, (void)n;
	return error_msg(err, ENOSYS, "cgroups are not implemented yet");
}

int
cgroup_kill_all(const struct cgroup *cg, int sig, struct hutch_error *err)
{
	(void)cg, (void)sig;
	return error_msg(err, ENOSYS, "cgroups are not implemented yet");
}

int
cgroup_destroy(const struct cgroup *cg, struct hutch_error *err)
{
	(void)cg, (void)err;
	return 0;
}

int
cgroup_stats_json(const struct cgroup *cg, char **json, struct hutch_error *err)
{
	(void)cg, (void)json;
	return error_msg(err, ENOSYS, "cgroups are not implemented yet");
}

void
cgroup_free(struct cgroup *cg)
{
	free(cg->path);
	cg->path = NULL;
}
