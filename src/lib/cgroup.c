/*
 * cgroup.c - the mode detection, the path rules, the dispatch to the v1 or
 * v2 implementation, the table of what each resource needs, and the
 * cgroupfs helpers both implementations use.
 */
#include "cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/magic.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/xattr.h>
#include <time.h>

#include "cgroup-internal.h"
#include "parse.h"
#include "util.h"
#include "banned.h"

/* ---- mode ---- */

static bool
is_cgroup2(const char *path)
{
	struct statfs fs;

	return statfs(path, &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC;
}

enum cgroup_mode
cgroup_mode(void)
{
	/* The host's layout does not change under a running hutch: detect it
	 * once per process. */
	static int mode = -1;

	if (mode < 0) {
		if (is_cgroup2(CGROUP_ROOT))
			mode = CGROUP_MODE_V2;
		else if (is_cgroup2(CGROUP_UNIFIED))
			mode = CGROUP_MODE_HYBRID;
		else
			mode = CGROUP_MODE_V1;
	}
	return (enum cgroup_mode)mode;
}

static const struct cgroup_ops *
ops_of(const struct cgroup *cg)
{
	return cg->mode == CGROUP_MODE_V2 ? &cgroup_v2_ops : &cgroup_v1_ops;
}

/* ---- the path ---- */

char *
cg_own_path(const char *controllers)
{
	_cleanup_free_ char *text = NULL;
	struct hutch_error ignored;
	size_t n = strlen(controllers);

	if (read_file_at(AT_FDCWD, "/proc/self/cgroup", 1 << 16, &text, NULL, &ignored) < 0)
		return NULL;
	for (char *line = text, *nl; line && *line; line = nl ? nl + 1 : NULL) {
		char *c = strchr(line, ':'), *p = c ? strchr(c + 1, ':') : NULL;

		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		if (p && (size_t)(p - c - 1) == n && strncmp(c + 1, controllers, n) == 0)
			return xstrdup(p + 1);
	}
	return NULL;
}

/* The cgroup relative paths start from.  On v2 and hybrid hosts it is the
 * one of the unified hierarchy; on v1, the one of name=systemd (else of
 * memory).  runc resolves a relative path in each v1 hierarchy on its own;
 * hutch keeps one path for all (state.json records one), taken from the
 * hierarchy that identifies a process's place on the host. */
static char *
own_base(enum cgroup_mode mode)
{
	char *p = NULL;

	if (mode != CGROUP_MODE_V1)
		p = cg_own_path("");
	if (!p)
		p = cg_own_path("name=systemd");
	if (!p)
		p = cg_own_path("memory");
	return p ? p : xstrdup("/");
}

/* Append the components of rel to out (which ends without '/'), refusing
 * "." and "..": the path names a directory under the hierarchy's root and
 * must not climb out of it (or out of /sys/fs/cgroup altogether). */
static int
append_components(char **out, const char *rel, struct hutch_error *err)
{
	_cleanup_free_ char *copy = xstrdup(rel);
	char *save = NULL;

	for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		char *joined;

		if (strcmp(c, ".") == 0 || strcmp(c, "..") == 0)
			return error_msg(err, EINVAL,
			                 "linux.cgroupsPath: '%.64s' has a '%s' component", rel, c);
		joined = xasprintf("%s/%s", *out, c);
		free(*out);
		*out = joined;
	}
	return 0;
}

/* "slice:prefix:name", systemd's form: a relative path with two colons. */
static bool
is_systemd_form(const char *p)
{
	const char *c1 = strchr(p, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;

	return p[0] != '/' && c2 && !strchr(c2 + 1, ':');
}

int
cgroup_init(struct cgroup *cg, const char *cgroups_path, const char *id, struct hutch_error *err)
{
	_cleanup_free_ char *rel = NULL, *path = NULL;
	int r;

	*cg = (struct cgroup){.mode = cgroup_mode()};
	if (cgroups_path && is_systemd_form(cgroups_path))
		return error_msg(
		    err, EINVAL,
		    "linux.cgroupsPath: '%.64s' is in systemd's slice:prefix:name form, "
		    "which needs the systemd cgroup driver (hutch has none)",
		    cgroups_path);
	rel = cgroups_path ? xstrdup(cgroups_path) : xasprintf(CGROUP_DEFAULT_PARENT "/%s", id);
	if (rel[0] == '/') {
		path = xstrdup("");
	} else {
		path = own_base(cg->mode);
		if (strcmp(path, "/") == 0)
			path[0] = '\0';
	}
	r = append_components(&path, rel, err);
	if (r < 0)
		return r;
	/* Killing "everything in it" on delete must never mean the host. */
	if (path[0] == '\0')
		return error_msg(
		    err, EINVAL,
		    "linux.cgroupsPath: the root cgroup cannot be a container's cgroup");
	cg->path = TAKE_PTR(path);
	return 0;
}

void
cgroup_init_path(struct cgroup *cg, const char *path)
{
	*cg = (struct cgroup){.mode = cgroup_mode(), .path = xstrdup(path)};
}

void
cgroup_free(struct cgroup *cg)
{
	free(cg->path);
	cg->path = NULL;
}

/* ---- dispatch ---- */

int
cgroup_create(struct cgroup *cg, const struct spec_resources *res, struct hutch_error *err)
{
	return ops_of(cg)->create(cg, res, err);
}

int
cgroup_enter(const struct cgroup *cg, pid_t pid, struct hutch_error *err)
{
	return ops_of(cg)->enter(cg, pid, err);
}

int
cgroup_entry_open(const struct cgroup *cg, struct cgroup_entry *e, struct hutch_error *err)
{
	int r;

	cgroup_entry_init(e);
	r = ops_of(cg)->open_entry(cg, e, err);
	if (r < 0)
		cgroup_entry_close(e);
	return r;
}

int
cgroup_set(const struct cgroup *cg, const struct spec_resources *res, struct hutch_error *err)
{
	return res ? ops_of(cg)->set(cg, res, err) : 0;
}

int
cgroup_freeze(const struct cgroup *cg, bool frozen, struct hutch_error *err)
{
	return ops_of(cg)->freeze(cg, frozen, err);
}

bool
cgroup_is_frozen(const struct cgroup *cg)
{
	return ops_of(cg)->is_frozen(cg);
}

int
cgroup_pids(const struct cgroup *cg, pid_t **pids, size_t *n, struct hutch_error *err)
{
	_cleanup_free_ char *dir = ops_of(cg)->procs_dir(cg);
	int r;

	*pids = NULL;
	*n = 0;
	if (!dir)
		return 0;
	r = cg_read_procs(dir, pids, n, err);
	if (r < 0) {
		free(*pids);
		*pids = NULL;
		*n = 0;
	}
	return r;
}

int
cgroup_kill_all(const struct cgroup *cg, int sig, struct hutch_error *err)
{
	return ops_of(cg)->kill_all(cg, sig, err);
}

int
cgroup_destroy(const struct cgroup *cg, struct hutch_error *err)
{
	const struct cgroup_ops *ops = ops_of(cg);
	_cleanup_free_ char *dir = ops->procs_dir(cg);
	_cleanup_free_ pid_t *pids = NULL;
	struct hutch_error ignored;
	size_t n = 0;
	int r;

	/* Usually the init has exited and taken its pid namespace with it:
	 * nothing is left to freeze and kill (0.3-0.5 ms saved).  Nothing can
	 * enter an empty cgroup meanwhile (exec needs a live init), and rmdir
	 * fails with EBUSY if something did. */
	if (dir && cgroup_pids(cg, &pids, &n, &ignored) == 0 && n == 0 &&
	    ops->remove(cg, &ignored) == 0)
		return 0;
	/* Not empty, or something entered it meanwhile (a late exec): the
	 * full way. */
	if (dir) {
		/* Frozen, nothing can fork away between reading cgroup.procs
		 * and the kill; a freeze that does not complete (a task stuck
		 * in the kernel) must not keep the rest from being killed. */
		ops->freeze(cg, true, &ignored);
		r = ops->kill_all(cg, SIGKILL, err);
		/* SIGKILL is acted upon only once the tasks run again. */
		ops->freeze(cg, false, &ignored);
		if (r < 0)
			return r;
		r = ops->wait_empty(cg, err);
		if (r < 0)
			return r;
	}
	return ops->remove(cg, err);
}

int
cgroup_stats_json(const struct cgroup *cg, char **json, struct hutch_error *err)
{
	_cleanup_(json_decrefp) json_t *data = json_object();
	int r = ops_of(cg)->stats(cg, data, err);

	if (r < 0)
		return r;
	*json = json_dumps(data, JSON_COMPACT);
	if (!*json)
		return error_msg(err, ENOMEM, "encode the cgroup stats");
	return 0;
}

int
cgroup_oom_watch(const struct cgroup *cg, uint64_t *count, struct hutch_error *err)
{
	return ops_of(cg)->oom_open(cg, count, err);
}

int
cgroup_oom_check(const struct cgroup *cg, int fd, uint64_t *count)
{
	return ops_of(cg)->oom_check(cg, fd, count);
}

/* ---- what each resource needs ---- */

enum field_kind {
	KIND_OPT,   /* struct spec_opt_i64 / spec_opt_u64: `set` comes first */
	KIND_BOOL,  /* a bool that is true */
	KIND_STR,   /* a char * that is not NULL */
	KIND_COUNT, /* a size_t that is not 0 */
};

enum field_action {
	APPLY,  /* written to the controller's files */
	IGNORE, /* accepted and ignored, as runc does on this version */
	REFUSE, /* an error: the host cannot apply it */
};

struct field_rule {
	const char *field;
	size_t offset;
	enum field_kind kind;
	const char *v1_controller;
	const char *v2_controller;
	enum field_action v1, v2;
	const char *refusal; /* NULL: "the <controller> controller is not available" */
};

/* runc's default allowed devices: mknod of any node, and the standard
 * nodes and ptys.  Written after the spec's own rules in v1 and v2. */
const struct spec_device_rule cgroup_default_devices[] = {
    {.allow = true, .type = 'c', .major = -1, .minor = -1, .access = "m"},
    {.allow = true, .type = 'b', .major = -1, .minor = -1, .access = "m"},
    {.allow = true, .type = 'c', .major = 1, .minor = 3, .access = "rwm"},    /* null */
    {.allow = true, .type = 'c', .major = 1, .minor = 5, .access = "rwm"},    /* zero */
    {.allow = true, .type = 'c', .major = 1, .minor = 7, .access = "rwm"},    /* full */
    {.allow = true, .type = 'c', .major = 1, .minor = 8, .access = "rwm"},    /* random */
    {.allow = true, .type = 'c', .major = 1, .minor = 9, .access = "rwm"},    /* urandom */
    {.allow = true, .type = 'c', .major = 5, .minor = 0, .access = "rwm"},    /* tty */
    {.allow = true, .type = 'c', .major = 5, .minor = 1, .access = "rwm"},    /* console */
    {.allow = true, .type = 'c', .major = 5, .minor = 2, .access = "rwm"},    /* ptmx */
    {.allow = true, .type = 'c', .major = 136, .minor = -1, .access = "rwm"}, /* pts/N */
};
const size_t cgroup_n_default_devices = ARRAY_SIZE(cgroup_default_devices);

#define RES(member) offsetof(struct spec_resources, member)
#define F(name)     "linux.resources." name

static const struct field_rule field_rules[] = {
    /* v2 devices are a BPF_CGROUP_DEVICE program, not a controller:
     * nothing to enable ("ignore" here), applied by cgroup-v2.c. */
    {F("devices"), RES(n_devices), KIND_COUNT, "devices", NULL, APPLY, IGNORE, NULL},
    {F("memory.limit"), RES(memory.limit), KIND_OPT, "memory", "memory", APPLY, APPLY, NULL},
    {F("memory.reservation"), RES(memory.reservation), KIND_OPT, "memory", "memory", APPLY, APPLY,
     NULL},
    {F("memory.swap"), RES(memory.swap), KIND_OPT, "memory", "memory", APPLY, APPLY, NULL},
    /* Kernel memory limits are gone from the kernel (5.16 on v1 refuses
     * them); runc ignores the field. */
    {F("memory.kernel"), RES(memory.kernel), KIND_OPT, "memory", "memory", IGNORE, IGNORE, NULL},
    {F("memory.kernelTCP"), RES(memory.kernel_tcp), KIND_OPT, "memory", "memory", APPLY, IGNORE,
     NULL},
    {F("memory.swappiness"), RES(memory.swappiness), KIND_OPT, "memory", "memory", APPLY, IGNORE,
     NULL},
    {F("memory.disableOOMKiller"), RES(memory.disable_oom_killer), KIND_BOOL, "memory", "memory",
     APPLY, IGNORE, NULL},
    {F("memory.useHierarchy"), RES(memory.has_use_hierarchy), KIND_BOOL, "memory", "memory", APPLY,
     IGNORE, NULL},
    {F("cpu.shares"), RES(cpu.shares), KIND_OPT, "cpu", "cpu", APPLY, APPLY, NULL},
    {F("cpu.quota"), RES(cpu.quota), KIND_OPT, "cpu", "cpu", APPLY, APPLY, NULL},
    {F("cpu.burst"), RES(cpu.burst), KIND_OPT, "cpu", "cpu", APPLY, APPLY, NULL},
    {F("cpu.period"), RES(cpu.period), KIND_OPT, "cpu", "cpu", APPLY, APPLY, NULL},
    {F("cpu.realtimeRuntime"), RES(cpu.realtime_runtime), KIND_OPT, "cpu", "cpu", APPLY, REFUSE,
     "real-time CPU time is not supported by cgroup v2"},
    {F("cpu.realtimePeriod"), RES(cpu.realtime_period), KIND_OPT, "cpu", "cpu", APPLY, REFUSE,
     "real-time CPU time is not supported by cgroup v2"},
    {F("cpu.cpus"), RES(cpu.cpus), KIND_STR, "cpuset", "cpuset", APPLY, APPLY, NULL},
    {F("cpu.mems"), RES(cpu.mems), KIND_STR, "cpuset", "cpuset", APPLY, APPLY, NULL},
    {F("cpu.idle"), RES(cpu.idle), KIND_OPT, "cpu", "cpu", APPLY, APPLY, NULL},
    {F("pids.limit"), RES(pids_limit), KIND_OPT, "pids", "pids", APPLY, APPLY, NULL},
    {F("blockIO.weight"), RES(block_io.weight), KIND_OPT, "blkio", "io", APPLY, APPLY, NULL},
    {F("blockIO.leafWeight"), RES(block_io.leaf_weight), KIND_OPT, "blkio", "io", APPLY, IGNORE,
     NULL},
    {F("blockIO.weightDevice"), RES(block_io.n_weight_devices), KIND_COUNT, "blkio", "io", APPLY,
     APPLY, NULL},
    {F("blockIO.throttleReadBpsDevice"), RES(block_io.n_throttle_read_bps), KIND_COUNT, "blkio",
     "io", APPLY, APPLY, NULL},
    {F("blockIO.throttleWriteBpsDevice"), RES(block_io.n_throttle_write_bps), KIND_COUNT, "blkio",
     "io", APPLY, APPLY, NULL},
    {F("blockIO.throttleReadIOPSDevice"), RES(block_io.n_throttle_read_iops), KIND_COUNT, "blkio",
     "io", APPLY, APPLY, NULL},
    {F("blockIO.throttleWriteIOPSDevice"), RES(block_io.n_throttle_write_iops), KIND_COUNT, "blkio",
     "io", APPLY, APPLY, NULL},
    {F("hugepageLimits"), RES(n_hugepage_limits), KIND_COUNT, "hugetlb", "hugetlb", APPLY, APPLY,
     NULL},
    {F("network.classID"), RES(network.class_id), KIND_OPT, "net_cls", "net_cls", APPLY, REFUSE,
     NULL},
    {F("network.priorities"), RES(network.n_priorities), KIND_COUNT, "net_prio", "net_prio", APPLY,
     REFUSE, NULL},
    {F("rdma"), RES(n_rdma), KIND_COUNT, "rdma", "rdma", APPLY, APPLY, NULL},
    /* unified: v2 only; its controllers come from the file names. */
    {F("unified"), RES(n_unified), KIND_COUNT, NULL, NULL, REFUSE, APPLY,
     "cgroup v2 files cannot be set on a cgroup v1 host"},
};

static bool
field_is_set(const struct spec_resources *res, const struct field_rule *rule)
{
	const char *p = (const char *)res + rule->offset;

	switch (rule->kind) {
	case KIND_OPT:
	case KIND_BOOL:
		return *(const bool *)p;
	case KIND_STR:
		return *(char *const *)p != NULL;
	case KIND_COUNT:
		return *(const size_t *)p != 0;
	}
	return false;
}

static void
need_add(struct cgroup_needs *needs, const char *controller, size_t len, const char *field)
{
	if (len >= sizeof(needs->v[0].controller))
		return; /* no controller has such a name; the write will tell */
	for (size_t i = 0; i < needs->n; i++)
		if (strlen(needs->v[i].controller) == len &&
		    strncmp(needs->v[i].controller, controller, len) == 0)
			return;
	if (needs->n == CGROUP_MAX_NEEDS)
		return;
	memcpy(needs->v[needs->n].controller, controller, len);
	needs->v[needs->n].controller[len] = '\0';
	needs->v[needs->n].field = field;
	needs->n++;
}

/* v2 `unified` keys name their controller before the first dot
 * ("memory.high"); "cgroup.*" files belong to the core, not a controller. */
static void
unified_needs(const struct spec_resources *res, struct cgroup_needs *needs)
{
	for (size_t i = 0; i < res->n_unified; i++) {
		const char *key = res->unified[i].key, *dot = strchr(key, '.');

		if (dot && strncmp(key, "cgroup.", 7) != 0)
			need_add(needs, key, (size_t)(dot - key), F("unified"));
	}
}

int
cgroup_resources_needs(const struct spec_resources *res, bool v2, struct cgroup_needs *needs,
                       struct hutch_error *err)
{
	needs->n = 0;
	if (!res)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(field_rules); i++) {
		const struct field_rule *rule = &field_rules[i];
		enum field_action action = v2 ? rule->v2 : rule->v1;
		const char *controller = v2 ? rule->v2_controller : rule->v1_controller;

		if (!field_is_set(res, rule) || action == IGNORE)
			continue;
		if (action == REFUSE && rule->refusal)
			return error_msg(err, EOPNOTSUPP, "%s: %s", rule->field, rule->refusal);
		if (action == REFUSE)
			return error_msg(err, EOPNOTSUPP, "%s: the %s controller is not available",
			                 rule->field, controller);
		if (controller)
			need_add(needs, controller, strlen(controller), rule->field);
	}
	if (v2)
		unified_needs(res, needs);
	return 0;
}

/* ---- files ---- */

int
cg_write(const char *dir, const char *file, const char *value, const char *field,
         struct hutch_error *err)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", dir, file);
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	size_t len = strlen(value);
	ssize_t w;

	if (fd >= 0) {
		/* One write(): cgroupfs takes each write as one value. */
		do
			w = write(fd, value, len);
		while (w < 0 && errno == EINTR);
		if (w == (ssize_t)len)
			return 0;
		if (w >= 0)
			errno = EIO;
	}
	if (field)
		return error_sys(err, errno, "%s: write '%s'", field, path);
	return error_sys(err, errno, "write '%s'", path);
}

int
cg_read(const char *dir, const char *file, char *buf, size_t size)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", dir, file);
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read_eintr(fd, buf, size - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return 0;
}

int
cg_read_u64(const char *dir, const char *file, uint64_t *out)
{
	char buf[64];
	int r = cg_read(dir, file, buf, sizeof(buf));

	if (r < 0)
		return r;
	if (strcmp(buf, "max") == 0) {
		*out = UINT64_MAX;
		return 0;
	}
	return parse_u64(buf, UINT64_MAX, out);
}

/* Call fn for each "key value" line of a keyed file. */
static int
each_key(const char *dir, const char *file, void (*fn)(const char *key, uint64_t v, void *ctx),
         void *ctx)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", dir, file), *text = NULL;
	struct hutch_error ignored;
	int r = read_file_at(AT_FDCWD, path, 1 << 20, &text, NULL, &ignored);

	if (r < 0)
		return r;
	for (char *line = text, *nl; line && *line; line = nl ? nl + 1 : NULL) {
		char *sp;
		uint64_t v;

		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		sp = strchr(line, ' ');
		if (!sp)
			continue;
		*sp = '\0';
		if (parse_u64(sp + 1, UINT64_MAX, &v) == 0)
			fn(line, v, ctx);
	}
	return 0;
}

struct key_lookup {
	const char *key;
	uint64_t *out;
	bool found;
};

static void
key_match(const char *key, uint64_t v, void *ctx)
{
	struct key_lookup *k = ctx;

	if (strcmp(key, k->key) == 0) {
		*k->out = v;
		k->found = true;
	}
}

int
cg_read_key(const char *dir, const char *file, const char *key, uint64_t *out)
{
	struct key_lookup k = {.key = key, .out = out};
	int r = each_key(dir, file, key_match, &k);

	if (r < 0)
		return r;
	return k.found ? 0 : -ENOENT;
}

bool
cg_exists(const char *dir, const char *file)
{
	_cleanup_free_ char *path = file ? xasprintf("%s/%s", dir, file) : xstrdup(dir);

	return access(path, F_OK) == 0;
}

/* The child cgroups of dir, as names (malloc'd, NULL-terminated). */
static char **
child_dirs(const char *dir)
{
	DIR *d = opendir(dir);
	char **names = NULL;
	size_t n = 0;
	struct dirent *e;

	if (!d)
		return NULL;
	while ((e = readdir(d))) {
		if (e->d_type != DT_DIR || strcmp(e->d_name, ".") == 0 ||
		    strcmp(e->d_name, "..") == 0)
			continue;
		names = xrealloc(names, n + 2, sizeof(*names));
		names[n++] = xstrdup(e->d_name);
		names[n] = NULL;
	}
	closedir(d);
	return names;
}

int
cg_read_procs(const char *dir, pid_t **pids, size_t *n, struct hutch_error *err)
{
	_cleanup_free_ char *path = xasprintf("%s/cgroup.procs", dir), *text = NULL;
	_cleanup_strv_ char **children = NULL;
	int r = read_file_at(AT_FDCWD, path, 64u << 20, &text, NULL, err);

	if (r == -ENOENT)
		return 0; /* removed under us: nothing in it */
	if (r < 0)
		return r;
	for (char *line = text, *nl; line && *line; line = nl ? nl + 1 : NULL) {
		int pid;

		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		if (parse_int(line, 1, INT32_MAX, &pid) < 0)
			continue;
		*pids = xrealloc(*pids, *n + 1, sizeof(**pids));
		(*pids)[(*n)++] = pid;
	}
	children = child_dirs(dir);
	for (size_t i = 0; children && children[i]; i++) {
		_cleanup_free_ char *sub = xasprintf("%s/%s", dir, children[i]);

		r = cg_read_procs(sub, pids, n, err);
		if (r < 0)
			return r;
	}
	return 0;
}

bool
cg_has_procs(const char *dir)
{
	char buf[16];

	return cg_read(dir, "cgroup.procs", buf, sizeof(buf)) == 0 && buf[0] != '\0';
}

int
cg_signal_tree(const char *dir, int sig, struct hutch_error *err)
{
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = 0;
	int r = cg_read_procs(dir, &pids, &n, err), sent = 0;

	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		if (kill(pids[i], sig) == 0)
			sent++;
		else if (errno != ESRCH)
			return error_sys(err, errno, "kill %d", pids[i]);
	}
	return sent;
}

void
cg_sleep_ms(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int
cg_remove_tree(const char *dir, struct hutch_error *err)
{
	_cleanup_strv_ char **children = child_dirs(dir);
	int r;

	for (size_t i = 0; children && children[i]; i++) {
		_cleanup_free_ char *sub = xasprintf("%s/%s", dir, children[i]);

		r = cg_remove_tree(sub, err);
		if (r < 0)
			return r;
	}
	/* EBUSY right after the last task left: the kernel releases the
	 * css asynchronously. */
	for (int ms = 0;; ms++) {
		if (rmdir(dir) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY || ms >= CGROUP_FREEZE_TIMEOUT_MS)
			return error_sys(err, errno, "remove cgroup '%s'", dir);
		cg_sleep_ms(1);
	}
}

void
cg_remove_made_parents(const char *leaf_dir, const char *top)
{
	_cleanup_free_ char *dir = xstrdup(leaf_dir);
	size_t top_len = strlen(top);
	char *slash;
	char mark;

	/* Stops at the first parent not made by hutch, or busy (other
	 * containers live there: EBUSY), or gone. */
	while ((slash = strrchr(dir, '/')) && (size_t)(slash - dir) > top_len) {
		*slash = '\0';
		if (getxattr(dir, CGROUP_MADE_XATTR, &mark, sizeof(mark)) < 0 || rmdir(dir) < 0)
			return;
	}
}

int
cg_mkdir(struct cg_made *made, const char *dir, bool *created, struct hutch_error *err)
{
	*created = false;
	if (mkdir(dir, 0755) == 0) {
		/* Best effort: without CAP_SYS_ADMIN the parents stay, as
		 * runc leaves them. */
		setxattr(dir, CGROUP_MADE_XATTR, "1", 1, 0);
		*created = true;
		made->dirs = xrealloc(made->dirs, made->n + 1, sizeof(*made->dirs));
		made->dirs[made->n++] = xstrdup(dir);
		return 0;
	}
	if (errno == EEXIST)
		return 0;
	return error_sys(err, errno, "create cgroup '%s'", dir);
}

void
cg_made_undo(struct cg_made *made)
{
	while (made->n > 0) {
		char *dir = made->dirs[--made->n];

		rmdir(dir);
		free(dir);
	}
}

void
cg_made_free(struct cg_made *made)
{
	for (size_t i = 0; i < made->n; i++)
		free(made->dirs[i]);
	free(made->dirs);
	made->dirs = NULL;
	made->n = 0;
}

/* ---- jansson ---- */

json_t *
cg_json_u64(uint64_t v)
{
	return json_integer(v > INT64_MAX ? INT64_MAX : (json_int_t)v);
}

void
cg_json_set_u64(json_t *obj, const char *key, uint64_t v)
{
	json_object_set_new(obj, key, cg_json_u64(v));
}

static void
keyed_to_json(const char *key, uint64_t v, void *ctx)
{
	cg_json_set_u64(ctx, key, v);
}

json_t *
cg_json_keyed(const char *dir, const char *file)
{
	json_t *obj = json_object();

	each_key(dir, file, keyed_to_json, obj);
	return obj;
}
