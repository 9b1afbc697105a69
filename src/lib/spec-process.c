/*
 * spec-process.c - the `process` object of config.json, also parsed alone
 * from the process.json of `exec --process`.
 */
#include <errno.h>
#include <limits.h>
#include <linux/ioprio.h>
#include <sched.h>
#include <strings.h>
#include <sys/capability.h>
#include <sys/resource.h>

#include "spec-internal.h"
#include "util.h"
#include "banned.h"

#ifndef SCHED_DEADLINE
#define SCHED_DEADLINE 6
#endif

/* The sched_attr flags of <linux/sched.h>, whose other contents clash with
 * <sched.h>; the values are kernel ABI. */
#define SCHED_FLAG_RESET_ON_FORK  0x01
#define SCHED_FLAG_RECLAIM        0x02
#define SCHED_FLAG_DL_OVERRUN     0x04
#define SCHED_FLAG_KEEP_POLICY    0x08
#define SCHED_FLAG_KEEP_PARAMS    0x10
#define SCHED_FLAG_UTIL_CLAMP_MIN 0x20
#define SCHED_FLAG_UTIL_CLAMP_MAX 0x40

/* setgroups(2) refuses more than NGROUPS_MAX (65536) groups. */
#define SPEC_GROUPS_MAX 65536

typedef int (*process_step)(json_t *obj, const char *path, struct spec_process *p,
                            struct hutch_error *err);

static const struct spec_name rlimits[] = {
    {"RLIMIT_AS", RLIMIT_AS},
    {"RLIMIT_CORE", RLIMIT_CORE},
    {"RLIMIT_CPU", RLIMIT_CPU},
    {"RLIMIT_DATA", RLIMIT_DATA},
    {"RLIMIT_FSIZE", RLIMIT_FSIZE},
    {"RLIMIT_LOCKS", RLIMIT_LOCKS},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
    {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_NPROC", RLIMIT_NPROC},
    {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
    {"RLIMIT_RTTIME", RLIMIT_RTTIME},
    {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_STACK", RLIMIT_STACK},
};

static const struct spec_name cap_sets[] = {
    {"bounding", SPEC_CAP_BOUNDING},       {"effective", SPEC_CAP_EFFECTIVE},
    {"inheritable", SPEC_CAP_INHERITABLE}, {"permitted", SPEC_CAP_PERMITTED},
    {"ambient", SPEC_CAP_AMBIENT},
};

static const struct spec_name sched_policies[] = {
    {"SCHED_OTHER", SCHED_OTHER}, {"SCHED_FIFO", SCHED_FIFO}, {"SCHED_RR", SCHED_RR},
    {"SCHED_BATCH", SCHED_BATCH}, {"SCHED_IDLE", SCHED_IDLE}, {"SCHED_DEADLINE", SCHED_DEADLINE},
};

static const struct spec_name sched_flags[] = {
    {"SCHED_FLAG_RESET_ON_FORK", SCHED_FLAG_RESET_ON_FORK},
    {"SCHED_FLAG_RECLAIM", SCHED_FLAG_RECLAIM},
    {"SCHED_FLAG_DL_OVERRUN", SCHED_FLAG_DL_OVERRUN},
    {"SCHED_FLAG_KEEP_POLICY", SCHED_FLAG_KEEP_POLICY},
    {"SCHED_FLAG_KEEP_PARAMS", SCHED_FLAG_KEEP_PARAMS},
    {"SCHED_FLAG_UTIL_CLAMP_MIN", SCHED_FLAG_UTIL_CLAMP_MIN},
    {"SCHED_FLAG_UTIL_CLAMP_MAX", SCHED_FLAG_UTIL_CLAMP_MAX},
};

static const struct spec_name ioprio_classes[] = {
    {"IOPRIO_CLASS_RT", IOPRIO_CLASS_RT},
    {"IOPRIO_CLASS_BE", IOPRIO_CLASS_BE},
    {"IOPRIO_CLASS_IDLE", IOPRIO_CLASS_IDLE},
};

int
spec_rlimit_from_name(const char *name, int *out)
{
	const struct spec_name *n = SPEC_NAME_FIND(rlimits, name);

	if (!n)
		return -EINVAL;
	*out = (int)n->value;
	return 0;
}

int
spec_cap_from_name(const char *name, int *out)
{
	cap_value_t cap;
	char *canonical;
	bool same;

	/* libcap also takes "cap_chown", "CHOWN" and "0", and stops at the
	 * first character that cannot be in a name ("CAP_KILL0" is CAP_KILL):
	 * accept only the spec's spelling, like runc, by naming the result
	 * back. */
	if (strncmp(name, "CAP_", 4) != 0 || name[4] == '\0')
		return -EINVAL;
	for (const char *p = name + 4; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || *p == '_'))
			return -EINVAL;
	if (cap_from_name(name, &cap) < 0 || cap < 0 || cap > 63)
		return -EINVAL;
	canonical = cap_to_name(cap);
	same = canonical && strcasecmp(canonical, name) == 0;
	cap_free(canonical);
	if (!same)
		return -EINVAL;
	*out = cap;
	return 0;
}

bool
spec_valid_cpu_list(const char *s)
{
	/* "0-3,7": what the kernel's cpulist/nodelist parsers take. */
	do {
		unsigned long lo, hi;
		char *end;

		if (*s < '0' || *s > '9')
			return false;
		lo = hi = strtoul(s, &end, 10);
		if (*end == '-') {
			if (end[1] < '0' || end[1] > '9')
				return false;
			hi = strtoul(end + 1, &end, 10);
		}
		if (lo > hi || hi > 65535)
			return false;
		s = end;
	} while (*s++ == ',');
	return s[-1] == '\0';
}

/* ---- user, console, args, env, cwd ---- */

static int
parse_gids(json_t *user, const char *path, struct spec_user *u, struct hutch_error *err)
{
	json_t *arr = NULL, *v;
	size_t i;
	int r = spec_get_array(user, path, "additionalGids", &arr, err);

	if (r <= 0)
		return r;
	if (json_array_size(arr) > SPEC_GROUPS_MAX)
		return spec_error(err, path, "additionalGids", "more than %d groups",
		                  SPEC_GROUPS_MAX);
	u->additional_gids = xcalloc(json_array_size(arr), sizeof(uint32_t));
	json_array_foreach (arr, i, v) {
		char item[SPEC_PATH_MAX];
		uint64_t gid;

		spec_path_index(item, path, "additionalGids", i);
		if (spec_value_u64(v, item, NULL, UINT32_MAX, &gid, err) < 0)
			return -EINVAL;
		u->additional_gids[u->n_additional_gids++] = (uint32_t)gid;
	}
	return 0;
}

static int
parse_user(json_t *obj, const char *path, struct spec_process *p, struct hutch_error *err)
{
	struct spec_user *u = &p->user;
	char upath[SPEC_PATH_MAX];
	json_t *user = NULL;
	int r = spec_get_object(obj, path, "user", &user, err);

	/* Absent uid/gid mean root, as in runc (Go's zero values). */
	if (r <= 0)
		return r;
	spec_path_key(upath, path, "user");
	if (spec_get_u32(user, upath, "uid", &u->uid, err) < 0 ||
	    spec_get_u32(user, upath, "gid", &u->gid, err) < 0)
		return -EINVAL;
	r = spec_get_u32(user, upath, "umask", &u->umask, err);
	if (r > 0 && u->umask > 0777)
		return spec_error(err, upath, "umask", "expected an integer from 0 to 511 (0777)");
	u->has_umask = r > 0;
	if (r < 0 || parse_gids(user, upath, u, err) < 0)
		return -EINVAL;
	return spec_get_str(user, upath, "username", &u->username, err);
}

static int
parse_console(json_t *obj, const char *path, struct spec_process *p, struct hutch_error *err)
{
	char cpath[SPEC_PATH_MAX];
	json_t *size = NULL;
	int r = spec_get_object(obj, path, "consoleSize", &size, err);

	if (r <= 0)
		return r;
	spec_path_key(cpath, path, "consoleSize");
	r = spec_get_u32(size, cpath, "height", &p->console_height, err);
	if (r == 0)
		return spec_missing(err, cpath, "height");
	r = r < 0 ? r : spec_get_u32(size, cpath, "width", &p->console_width, err);
	if (r == 0)
		return spec_missing(err, cpath, "width");
	p->has_console_size = r > 0;
	return r < 0 ? r : 0;
}

static int
parse_args(json_t *obj, const char *path, struct spec_process *p, struct hutch_error *err)
{
	int r = spec_get_strv(obj, path, "args", SPEC_STRV_ANY, &p->args, err);

	if (r < 0)
		return r;
	if (r == 0)
		return spec_missing(err, path, "args");
	if (!p->args[0])
		return spec_error(err, path, "args", "expected at least one element");
	if (p->args[0][0] == '\0')
		return spec_error(err, path, "args", "empty executable name");
	return 0;
}

static int
parse_env(json_t *obj, const char *path, struct spec_process *p, struct hutch_error *err)
{
	int r = spec_get_strv(obj, path, "env", SPEC_STRV_ANY, &p->env, err);

	for (size_t i = 0; r > 0 && p->env[i]; i++) {
		char item[SPEC_PATH_MAX];
		const char *eq = strchr(p->env[i], '=');

		if (eq && eq != p->env[i])
			continue;
		spec_path_index(item, path, "env", i);
		return spec_error(err, item, NULL, "expected NAME=value, got '" SPEC_QUOTE "'",
		                  p->env[i]);
	}
	return r < 0 ? r : 0;
}

static int
parse_cwd(json_t *obj, const char *path, struct spec_process *p, struct hutch_error *err)
{
	int r = spec_get_path(obj, path, "cwd", true, &p->cwd, err);

	if (r == 0)
		return spec_missing(err, path, "cwd");
	return r < 0 ? r : 0;
}

/* ---- capabilities and rlimits ---- */

static int
parse_cap_set(json_t *arr, const char *path, const char *key, uint64_t *mask,
              struct hutch_error *err)
{
	json_t *v;
	size_t i;

	json_array_foreach (arr, i, v) {
		char item[SPEC_PATH_MAX];
		const char *name;
		int cap;

		spec_path_index(item, path, key, i);
		if (spec_value_str(v, item, NULL, &name, err) < 0)
			return -EINVAL;
		if (spec_cap_from_name(name, &cap) < 0)
			return spec_error(err, item, NULL, "unknown capability '" SPEC_QUOTE "'",
			                  name);
		*mask |= UINT64_C(1) << cap;
	}
	return 0;
}

static int
parse_capabilities(json_t *obj, const char *path, struct spec_process *p, struct hutch_error *err)
{
	char cpath[SPEC_PATH_MAX];
	json_t *caps = NULL;
	int r = spec_get_object(obj, path, "capabilities", &caps, err);

	if (r <= 0)
		return r;
	p->has_capabilities = true;
	spec_path_key(cpath, path, "capabilities");
	for (size_t k = 0; k < ARRAY_SIZE(cap_sets); k++) {
		json_t *arr = NULL;

		r = spec_get_array(caps, cpath, cap_sets[k].name, &arr, err);
		if (r < 0)
			return r;
		if (r > 0 && parse_cap_set(arr, cpath, cap_sets[k].name,
		                           &p->caps[cap_sets[k].value], err) < 0)
			return -EINVAL;
	}
	return 0;
}

static int
parse_rlimit(json_t *v, const char *path, struct spec_rlimit *rl, struct hutch_error *err)
{
	const char *type;
	json_t *t;
	int r;

	if (spec_value_object(v, path, NULL, err) < 0)
		return -EINVAL;
	t = spec_field(v, "type");
	if (!t)
		return spec_missing(err, path, "type");
	if (spec_value_str(t, path, "type", &type, err) < 0)
		return -EINVAL;
	if (spec_rlimit_from_name(type, &rl->resource) < 0)
		return spec_error(err, path, "type", "unknown rlimit '" SPEC_QUOTE "'", type);
	r = spec_get_u64(v, path, "soft", UINT64_MAX, &rl->soft, err);
	if (r == 0)
		return spec_missing(err, path, "soft");
	r = r < 0 ? r : spec_get_u64(v, path, "hard", UINT64_MAX, &rl->hard, err);
	if (r == 0)
		return spec_missing(err, path, "hard");
	if (r > 0 && rl->soft > rl->hard)
		return spec_error(err, path, "soft", "greater than hard");
	return r < 0 ? r : 0;
}

static int
parse_rlimits(json_t *obj, const char *path, struct spec_process *p, struct hutch_error *err)
{
	json_t *arr = NULL, *v;
	size_t i;
	int r = spec_get_array(obj, path, "rlimits", &arr, err);

	if (r <= 0)
		return r;
	p->rlimits = xcalloc(json_array_size(arr), sizeof(*p->rlimits));
	json_array_foreach (arr, i, v) {
		char item[SPEC_PATH_MAX];

		spec_path_index(item, path, "rlimits", i);
		if (parse_rlimit(v, item, &p->rlimits[i], err) < 0)
			return -EINVAL;
		p->n_rlimits = i + 1;
		for (size_t j = 0; j < i; j++)
			if (p->rlimits[j].resource == p->rlimits[i].resource)
				return spec_error(err, item, "type", "duplicate rlimit '%s'",
				                  spec_name_of(rlimits, ARRAY_SIZE(rlimits),
				                               p->rlimits[i].resource));
	}
	return 0;
}

/* ---- scheduler, I/O priority, CPU affinity ---- */

static int
get_named(json_t *obj, const char *path, const char *key, const struct spec_name *table, size_t n,
          const char *what, long *out, struct hutch_error *err)
{
	const struct spec_name *found;
	json_t *v = spec_field(obj, key);
	const char *s = "";

	if (!v)
		return spec_missing(err, path, key);
	if (spec_value_str(v, path, key, &s, err) < 0)
		return -EINVAL;
	found = spec_name_find(table, n, s);
	if (!found)
		return spec_error(err, path, key, "unknown %s '" SPEC_QUOTE "'", what, s);
	*out = found->value;
	return 0;
}

static int
parse_sched_flags(json_t *obj, const char *path, uint64_t *flags, struct hutch_error *err)
{
	_cleanup_strv_ char **names = NULL;
	int r = spec_get_strv(obj, path, "flags", SPEC_STRV_ANY, &names, err);

	for (size_t i = 0; r > 0 && names[i]; i++) {
		const struct spec_name *f = SPEC_NAME_FIND(sched_flags, names[i]);
		char item[SPEC_PATH_MAX];

		if (f) {
			*flags |= (uint64_t)f->value;
			continue;
		}
		spec_path_index(item, path, "flags", i);
		return spec_error(err, item, NULL, "unknown scheduler flag '" SPEC_QUOTE "'",
		                  names[i]);
	}
	return r < 0 ? r : 0;
}

static int
check_sched_params(json_t *obj, const char *path, struct spec_scheduler *s, struct hutch_error *err)
{
	bool rt = s->policy == SCHED_FIFO || s->policy == SCHED_RR;

	if (rt && (s->priority < 1 || s->priority > 99))
		return spec_error(err, path, "priority",
		                  "expected 1 to 99 with SCHED_FIFO/SCHED_RR");
	if (!rt && s->priority != 0)
		return spec_error(err, path, "priority", "only allowed with SCHED_FIFO/SCHED_RR");
	if (s->policy != SCHED_DEADLINE &&
	    (spec_field(obj, "runtime") || spec_field(obj, "deadline") ||
	     spec_field(obj, "period")))
		return spec_error(err, path, NULL,
		                  "runtime, deadline and period need SCHED_DEADLINE");
	return 0;
}

static int
parse_scheduler(json_t *obj, const char *path, struct spec_process *p, struct hutch_error *err)
{
	struct spec_scheduler *s = &p->scheduler;
	char spath[SPEC_PATH_MAX];
	json_t *sched = NULL;
	long policy = 0;
	int r = spec_get_object(obj, path, "scheduler", &sched, err);

	if (r <= 0)
		return r;
	spec_path_key(spath, path, "scheduler");
	if (get_named(sched, spath, "policy", sched_policies, ARRAY_SIZE(sched_policies),
	              "scheduler policy", &policy, err) < 0)
		return -EINVAL;
	s->present = true;
	s->policy = (int)policy;
	if (spec_get_int(sched, spath, "nice", -20, 19, &s->nice, err) < 0 ||
	    spec_get_int(sched, spath, "priority", INT32_MIN, INT32_MAX, &s->priority, err) < 0 ||
	    parse_sched_flags(sched, spath, &s->flags, err) < 0 ||
	    spec_get_u64(sched, spath, "runtime", UINT64_MAX, &s->runtime, err) < 0 ||
	    spec_get_u64(sched, spath, "deadline", UINT64_MAX, &s->deadline, err) < 0 ||
	    spec_get_u64(sched, spath, "period", UINT64_MAX, &s->period, err) < 0)
		return -EINVAL;
	return check_sched_params(sched, spath, s, err);
}

static int
parse_io_priority(json_t *obj, const char *path, struct spec_process *p, struct hutch_error *err)
{
	char ipath[SPEC_PATH_MAX];
	json_t *io = NULL;
	long class = 0;
	int r = spec_get_object(obj, path, "ioPriority", &io, err);

	if (r <= 0)
		return r;
	spec_path_key(ipath, path, "ioPriority");
	if (get_named(io, ipath, "class", ioprio_classes, ARRAY_SIZE(ioprio_classes),
	              "I/O priority class", &class, err) < 0 ||
	    spec_get_int(io, ipath, "priority", 0, 7, &p->io_priority.priority, err) < 0)
		return -EINVAL;
	p->io_priority.present = true;
	p->io_priority.class = (int)class;
	return 0;
}

static int
get_cpu_list(json_t *obj, const char *path, const char *key, char **out, struct hutch_error *err)
{
	int r = spec_get_str(obj, path, key, out, err);

	if (r > 0 && !spec_valid_cpu_list(*out))
		return spec_error(err, path, key,
		                  "expected a CPU list like '0-3,7', got '" SPEC_QUOTE "'", *out);
	return r < 0 ? r : 0;
}

static int
parse_cpu_affinity(json_t *obj, const char *path, struct spec_process *p, struct hutch_error *err)
{
	char apath[SPEC_PATH_MAX];
	json_t *aff = NULL;
	int r = spec_get_object(obj, path, "execCPUAffinity", &aff, err);

	if (r <= 0)
		return r;
	spec_path_key(apath, path, "execCPUAffinity");
	if (get_cpu_list(aff, apath, "initial", &p->exec_cpu_affinity_initial, err) < 0)
		return -EINVAL;
	return get_cpu_list(aff, apath, "final", &p->exec_cpu_affinity_final, err);
}

static int
parse_misc(json_t *obj, const char *path, struct spec_process *p, struct hutch_error *err)
{
	int r;

	if (spec_get_bool(obj, path, "terminal", &p->terminal, err) < 0 ||
	    spec_get_bool(obj, path, "noNewPrivileges", &p->no_new_privileges, err) < 0)
		return -EINVAL;
	r = spec_get_int(obj, path, "oomScoreAdj", -1000, 1000, &p->oom_score_adj, err);
	p->has_oom_score_adj = r > 0;
	if (r < 0 || spec_get_str(obj, path, "apparmorProfile", &p->apparmor_profile, err) < 0)
		return -EINVAL;
	return spec_get_str(obj, path, "selinuxLabel", &p->selinux_label, err);
}

static const process_step process_steps[] = {
    parse_misc,      parse_console,     parse_user,         parse_args,
    parse_env,       parse_cwd,         parse_capabilities, parse_rlimits,
    parse_scheduler, parse_io_priority, parse_cpu_affinity,
};

int
spec_process_from_json(json_t *obj, const char *path, struct spec_process **out,
                       struct hutch_error *err)
{
	struct spec_process *p = xcalloc(1, sizeof(*p));

	for (size_t i = 0; i < ARRAY_SIZE(process_steps); i++) {
		if (process_steps[i](obj, path, p, err) < 0) {
			spec_process_free(p);
			return -EINVAL;
		}
	}
	spec_process_free(*out);
	*out = p;
	return 0;
}

int
spec_process_parse(const char *buf, size_t len, struct spec_process **out, struct hutch_error *err)
{
	_cleanup_json_ json_t *root = NULL;
	struct spec_process *p = NULL;
	int r = spec_json_load(buf, len, "process.json", &root, err);

	if (r < 0)
		return r;
	r = spec_process_from_json(root, "", &p, err);
	if (r < 0)
		return r;
	*out = p;
	return 0;
}

void
spec_process_free(struct spec_process *p)
{
	if (!p)
		return;
	free(p->user.additional_gids);
	free(p->user.username);
	strv_free(p->args);
	strv_free(p->env);
	free(p->cwd);
	free(p->rlimits);
	free(p->apparmor_profile);
	free(p->selinux_label);
	free(p->exec_cpu_affinity_initial);
	free(p->exec_cpu_affinity_final);
	free(p);
}
