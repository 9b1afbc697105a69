#include "process.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "path.h"
#include "util.h"
#include "banned.h"

/* glibc has no wrapper for sched_setattr(); the kernel's struct. */
struct sched_attr_v1 {
	uint32_t size;
	uint32_t sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime;
	uint64_t sched_deadline;
	uint64_t sched_period;
};

#define IOPRIO_WHO_PROCESS 1
#define IOPRIO_CLASS_SHIFT 13

static int
apply_scheduler(const struct spec_scheduler *s, struct hutch_error *err)
{
	struct sched_attr_v1 attr = {
	    .size = sizeof(attr),
	    .sched_policy = (uint32_t)s->policy,
	    .sched_flags = s->flags,
	    .sched_nice = s->nice,
	    .sched_priority = (uint32_t)s->priority,
	    .sched_runtime = s->runtime,
	    .sched_deadline = s->deadline,
	    .sched_period = s->period,
	};

	if (syscall(SYS_sched_setattr, 0, &attr, 0) < 0)
		return error_sys(err, errno, "process.scheduler: sched_setattr");
	return 0;
}

int
process_set_oom_score_adj(pid_t pid, const struct spec_process *p, struct hutch_error *err)
{
	char path[64], val[16];

	if (!p->has_oom_score_adj)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/oom_score_adj", pid);
	snprintf(val, sizeof(val), "%d", p->oom_score_adj);
	if (write_file_at(AT_FDCWD, path, val, err) < 0) {
		error_prefix(err, "process.oomScoreAdj: ");
		return -err->code;
	}
	return 0;
}

int
process_apply_privileged(const struct spec_process *p, struct hutch_error *err)
{
	if (p->scheduler.present && apply_scheduler(&p->scheduler, err) < 0)
		return -err->code;
	if (p->io_priority.present &&
	    syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0,
	            (p->io_priority.class << IOPRIO_CLASS_SHIFT) | p->io_priority.priority) < 0)
		return error_sys(err, errno, "process.ioPriority: ioprio_set");
	for (size_t i = 0; i < p->n_rlimits; i++) {
		const struct spec_rlimit *l = &p->rlimits[i];
		struct rlimit rl = {.rlim_cur = l->soft, .rlim_max = l->hard};

		if (setrlimit(l->resource, &rl) < 0)
			return error_sys(err, errno, "process.rlimits[%zu]: setrlimit", i);
	}
	return 0;
}

int
process_set_ids(const struct spec_process *p, bool setgroups_allowed, struct hutch_error *err)
{
	const struct spec_user *u = &p->user;

	if (setgroups_allowed &&
	    setgroups(u->n_additional_gids, (const gid_t *)u->additional_gids) < 0)
		return error_sys(err, errno, "process.user.additionalGids: setgroups");
	if (!setgroups_allowed && u->n_additional_gids)
		return error_msg(
		    err, EPERM,
		    "process.user.additionalGids: setgroups is denied in this user namespace");
	if (setresgid(u->gid, u->gid, u->gid) < 0)
		return error_sys(err, errno, "process.user.gid: setresgid %u", u->gid);
	if (setresuid(u->uid, u->uid, u->uid) < 0)
		return error_sys(err, errno, "process.user.uid: setresuid %u", u->uid);
	return 0;
}

int
process_apply_final(const struct spec_process *p, struct hutch_error *err)
{
	_cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int cwd = -1;

	umask(p->user.has_umask ? p->user.umask : 022);
	/* Resolved inside the root, magic links refused: "/proc/self/fd/N"
	 * must not lead to a directory of the host an fd still points at. */
	if (root < 0)
		return error_sys(err, errno, "process.cwd: open '/'");
	cwd = path_open_in_root(root, p->cwd, PATH_NO_CREATE, err);
	if (cwd < 0) {
		error_prefix(err, "process.cwd: ");
		return cwd;
	}
	if (fchdir(cwd) < 0)
		return error_sys(err, errno, "process.cwd: chdir '%s'", p->cwd);
	if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return error_sys(err, errno, "set no_new_privs");
	return 0;
}

static const char *
env_path(char *const *env)
{
	for (size_t i = 0; env && env[i]; i++)
		if (strncmp(env[i], "PATH=", 5) == 0)
			return env[i] + 5;
	/* POSIX's default when PATH is unset, as execvp uses. */
	return "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
}

/* 0 when path is a regular file we may execute, else -errno. */
static int
check_executable(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EACCES;
	return access(path, X_OK) < 0 ? -errno : 0;
}

int
process_find(const struct spec_process *p, char *const *env, char *path, struct hutch_error *err)
{
	const char *cmd = p->args[0];
	int first_err = ENOENT, r;

	if (strchr(cmd, '/')) {
		/* Relative to the cwd, as execve() will see it. */
		if ((size_t)snprintf(path, PATH_MAX, "%s", cmd) >= PATH_MAX)
			return error_msg(err, ENAMETOOLONG, "exec '%.64s': name too long", cmd);
		r = check_executable(path);
		if (r < 0) {
			error_sys(err, -r, "exec '%s'", cmd);
			err->exit_status = r == -ENOENT ? 127 : 126;
		}
		return r < 0 ? r : 0;
	}
	for (const char *dir = env_path(env), *end; *dir; dir = *end ? end + 1 : end) {
		int len;

		end = strchrnul(dir, ':');
		/* An empty PATH entry means the current directory. */
		len = end == dir ? snprintf(path, PATH_MAX, "./%s", cmd)
		                 : snprintf(path, PATH_MAX, "%.*s/%s", (int)(end - dir), dir, cmd);
		r = (size_t)len < PATH_MAX ? check_executable(path) : -ENAMETOOLONG;

		if (r == 0)
			return 0;
		/* Look past a missing file; remember a match we cannot run. */
		if (r != -ENOENT && r != -ENOTDIR && first_err == ENOENT)
			first_err = -r;
	}
	/* 127 and 126, as a shell reports a command it cannot find or run. */
	if (first_err == ENOENT)
		r = error_msg(err, ENOENT, "exec '%s': executable file not found in $PATH", cmd);
	else
		r = error_sys(err, first_err, "exec '%s'", cmd);
	err->exit_status = first_err == ENOENT ? 127 : 126;
	return r;
}
