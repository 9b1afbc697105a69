/*
 * cgroup-entry.c - how a new process gets into its cgroups: the fds of
 * struct cgroup_entry (cgroup.h), and the slow way (writing a pid) for
 * kernels without clone3.  exec finds the container's cgroups in
 * /proc/<init>/cgroup; create/run in the v1/v2 implementations.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <sys/vfs.h>

#include "cgroup-internal.h"
#include "util.h"
#include "banned.h"

void
cgroup_entry_init(struct cgroup_entry *e)
{
	e->dir_fd = -1;
	e->n_tasks = 0;
}

void
cgroup_entry_close(struct cgroup_entry *e)
{
	if (e->dir_fd >= 0)
		close(e->dir_fd);
	for (size_t i = 0; i < e->n_tasks; i++)
		if (e->tasks_fds[i] >= 0)
			close(e->tasks_fds[i]);
	cgroup_entry_init(e);
}

int
cgroup_entry_join_self(const struct cgroup_entry *e, struct hutch_error *err)
{
	int r = 0;

	for (size_t i = 0; i < e->n_tasks; i++) {
		if (e->tasks_fds[i] < 0)
			continue;
		if (r == 0 && write(e->tasks_fds[i], "0", 1) != 1)
			r = error_sys(err, errno, "join the container's cgroup (v1 tasks)");
		close(e->tasks_fds[i]);
	}
	if (e->dir_fd >= 0)
		close(e->dir_fd);
	return r;
}

/* The mount point of a hierarchy as /proc/<pid>/cgroup names it. */
static char *
hierarchy_dir(const char *id, const char *controllers)
{
	struct statfs fs;

	if (strcmp(id, "0") == 0) {
		if (statfs(CGROUP_ROOT, &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC)
			return xstrdup(CGROUP_ROOT);
		return xstrdup(CGROUP_UNIFIED);
	}
	if (strncmp(controllers, "name=", 5) == 0)
		controllers += 5;
	return xasprintf(CGROUP_ROOT "/%s", controllers);
}

/* Call fn for each hierarchy `like` is in, with the directory of its
 * cgroup there, unless those are our own cgroups. */
static int
each_cgroup_of(pid_t like, int (*fn)(const char *dir, bool v2, void *data, struct hutch_error *err),
               void *data, struct hutch_error *err)
{
	_cleanup_free_ char *theirs = NULL, *mine = NULL;
	char path[64], *save = NULL;
	int r;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", like);
	r = read_file_at(AT_FDCWD, path, 1 << 16, &theirs, NULL, err);
	if (r < 0)
		return r;
	if (read_file_at(AT_FDCWD, "/proc/self/cgroup", 1 << 16, &mine, NULL, err) == 0 &&
	    strcmp(mine, theirs) == 0)
		return 0; /* the container has no cgroup of its own */
	for (char *line = strtok_r(theirs, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		_cleanup_free_ char *mnt = NULL, *dir = NULL;

		if (!c2)
			continue;
		*c1 = *c2 = '\0';
		mnt = hierarchy_dir(line, c1 + 1);
		dir = xasprintf("%s%s", mnt, c2 + 1);
		r = fn(dir, strcmp(line, "0") == 0, data, err);
		if (r < 0)
			return r;
	}
	return 0;
}

static int
open_one(const char *dir, bool v2, void *data, struct hutch_error *err)
{
	struct cgroup_entry *e = data;
	_cleanup_free_ char *tasks = NULL;
	int fd;

	if (v2) {
		struct statfs fs;

		fd = e->dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		/* Only a cgroup2 directory will do for clone3. */
		if (fd >= 0 && (fstatfs(fd, &fs) < 0 || fs.f_type != CGROUP2_SUPER_MAGIC)) {
			close(fd);
			e->dir_fd = -1;
			return 0;
		}
	} else {
		if (e->n_tasks == CGROUP_ENTRY_MAX)
			return error_msg(err, E2BIG, "more than %d cgroup hierarchies",
			                 CGROUP_ENTRY_MAX);
		tasks = xasprintf("%s/tasks", dir);
		fd = e->tasks_fds[e->n_tasks++] = open(tasks, O_WRONLY | O_CLOEXEC);
	}
	/* A hierarchy the container's cgroup is gone from: nothing to join. */
	if (fd < 0 && errno != ENOENT)
		return error_sys(err, errno, "open '%s'", tasks ? tasks : dir);
	return 0;
}

int
cgroup_entry_open_like(pid_t like, struct cgroup_entry *e, struct hutch_error *err)
{
	int r;

	cgroup_entry_init(e);
	r = each_cgroup_of(like, open_one, e, err);
	if (r < 0)
		cgroup_entry_close(e);
	return r;
}

static int
enter_one(const char *dir, bool v2, void *data, struct hutch_error *err)
{
	_cleanup_free_ char *procs = xasprintf("%s/cgroup.procs", dir);
	int r = write_file_at(AT_FDCWD, procs, data, err);

	(void)v2;
	return r == -ENOENT ? 0 : r;
}

int
cgroup_enter_like(pid_t like, pid_t pid, struct hutch_error *err)
{
	char value[16];

	snprintf(value, sizeof(value), "%d", pid);
	return each_cgroup_of(like, enter_one, value, err);
}
