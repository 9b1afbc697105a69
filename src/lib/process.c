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

#include "parse.h"
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

char **
process_env_reserve_home(char *const *env)
{
	size_t n = strv_len(env);
	char **copy;

	for (size_t i = 0; i < n; i++)
		if (strncmp(env[i], "HOME=", 5) == 0)
			return NULL;
	copy = xcalloc(n + 2, sizeof(*copy)); /* HOME's slot and the NULL */
	memcpy(copy, env, n * sizeof(*copy));
	return copy;
}

/* The home field of uid's line ("name:pw:uid:gid:gecos:home:shell") copied
 * to out, or false. */
static bool
passwd_home(char *line, uid_t uid, char *out, size_t size)
{
	char *field[7];
	size_t n = 0, len;
	int found_uid;

	for (char *p = line; n < 7; n++) {
		field[n] = p;
		p = strchr(p, ':');
		if (!p)
			break;
		*p++ = '\0';
	}
	if (n < 6 || parse_int(field[2], 0, INT_MAX, &found_uid) < 0 || (uid_t)found_uid != uid)
		return false;
	len = strlen(field[5]);
	if (len == 0 || len >= size)
		return false;
	memcpy(out, field[5], len + 1);
	return true;
}

void
process_fill_home(char **env, uid_t uid)
{
	/* Static: the process may share hutch's memory and must not allocate
	 * here.  4 KiB lines at most, 1 MiB of /etc/passwd at most. */
	static char home[5 + PATH_MAX] = "HOME=";
	char buf[4096];
	size_t have = 0, total = 0;
	bool found = false;
	int fd = open("/etc/passwd", O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	while (fd >= 0 && !found && total < (1u << 20)) {
		ssize_t r = read_eintr(fd, buf + have, sizeof(buf) - 1 - have);
		char *line = buf, *nl;

		if (r <= 0)
			break;
		total += (size_t)r;
		have += (size_t)r;
		buf[have] = '\0';
		while (!found && (nl = strchr(line, '\n'))) {
			*nl = '\0';
			found = passwd_home(line, uid, home + 5, sizeof(home) - 5);
			line = nl + 1;
		}
		have -= (size_t)(line - buf);
		if (have == sizeof(buf) - 1)
			have = 0; /* a line longer than the buffer: skipped */
		memmove(buf, line, have);
	}
	if (!found && have > 0) { /* a last line without '\n' */
		buf[have] = '\0';
		found = passwd_home(buf, uid, home + 5, sizeof(home) - 5);
	}
	if (fd >= 0)
		close(fd);
	if (!found)
		snprintf(home + 5, sizeof(home) - 5, "/");
	env[strv_len(env)] = home;
}
