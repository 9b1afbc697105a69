/*
 * cgroup-v1.c - the cgroup of a container on a v1 or hybrid host: one
 * directory of the same path in every mounted v1 hierarchy (name=systemd
 * included) and, on a hybrid host, in the unified (v2) hierarchy too, so
 * that the container is tracked there as well.  No controller is ever
 * enabled on the unified side: limits are v1's.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "cgroup-internal.h"
#include "parse.h"
#include "util.h"
#include "banned.h"

/* ---- the hierarchies ---- */

struct hier {
	char *mnt;         /* mount point */
	char *root;        /* the hierarchy's directory mounted there ("/" normally) */
	char *controllers; /* "cpu,cpuacct", "name=systemd"; "" for the unified one */
	char *dev;         /* "maj:min" of the superblock: one entry per hierarchy */
};

struct hiers {
	struct hier *h;
	size_t n;
};

static void
hiers_free(struct hiers *hs)
{
	for (size_t i = 0; i < hs->n; i++) {
		free(hs->h[i].mnt);
		free(hs->h[i].root);
		free(hs->h[i].controllers);
		free(hs->h[i].dev);
	}
	free(hs->h);
	*hs = (struct hiers){0};
}

/* mountinfo escapes ' ', '\t', '\n' and '\\' as octal. */
static void
unescape(char *s)
{
	char *out = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*out++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*out++ = *s;
		}
	}
	*out = '\0';
}

/* The controller names of a v1 mount's super options. */
static char *
controllers_of(const char *opts)
{
	static const char *const skip[] = {
	    "rw", "ro", "xattr", "noprefix", "clone_children", "cpuset_v2_mode", "favordynmods"};
	_cleanup_free_ char *copy = xstrdup(opts);
	char *out = xcalloc(1, strlen(opts) + 1), *save = NULL;

	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		bool keep = strncmp(tok, "release_agent=", 14) != 0;

		for (size_t i = 0; keep && i < ARRAY_SIZE(skip); i++)
			keep = strcmp(tok, skip[i]) != 0;
		if (!keep)
			continue;
		if (*out)
			memcpy(out + strlen(out), ",", 2);
		memcpy(out + strlen(out), tok, strlen(tok) + 1);
	}
	return out;
}

static bool
hiers_have_dev(const struct hiers *hs, const char *dev)
{
	for (size_t i = 0; i < hs->n; i++)
		if (strcmp(hs->h[i].dev, dev) == 0)
			return true;
	return false;
}

/* One mountinfo line: "id parent maj:min root mountpoint options
 * [optional...] - fstype source super-options".  Kept if it is a cgroup
 * hierarchy not seen yet (a hierarchy can be mounted more than once). */
static void
hiers_add_line(struct hiers *hs, char *line, bool hybrid)
{
	char *f[64], *save = NULL;
	size_t n = 0, dash = 0;

	for (char *t = strtok_r(line, " ", &save); t && n < ARRAY_SIZE(f);
	     t = strtok_r(NULL, " ", &save)) {
		if (!dash && n >= 6 && strcmp(t, "-") == 0)
			dash = n;
		f[n++] = t;
	}
	if (!dash || n < dash + 4)
		return;
	bool v1 = strcmp(f[dash + 1], "cgroup") == 0, v2 = strcmp(f[dash + 1], "cgroup2") == 0;

	if (!(v1 || (v2 && hybrid)) || hiers_have_dev(hs, f[2]))
		return;
	unescape(f[3]);
	unescape(f[4]);
	hs->h = xrealloc(hs->h, hs->n + 1, sizeof(*hs->h));
	hs->h[hs->n++] = (struct hier){
	    .mnt = xstrdup(f[4]),
	    .root = xstrdup(f[3]),
	    .controllers = v2 ? xstrdup("") : controllers_of(f[dash + 3]),
	    .dev = xstrdup(f[2]),
	};
}

static int
hiers_load(struct hiers *hs, struct hutch_error *err)
{
	/* The host's cgroup mounts do not change under one command, which
	 * asks for them a dozen times (each read has the kernel print every
	 * mount): read once.  Only hutch's own process comes here, never the
	 * container's, whose mounts differ. */
	static char *mountinfo;
	_cleanup_free_ char *text = NULL;
	bool hybrid = cgroup_mode() == CGROUP_MODE_HYBRID;
	int r;

	*hs = (struct hiers){0};
	if (!mountinfo) {
		r = read_file_at(AT_FDCWD, "/proc/self/mountinfo", 16u << 20, &mountinfo, NULL,
		                 err);
		if (r < 0)
			return r;
	}
	text = xstrdup(mountinfo);
	for (char *line = text, *nl; line && *line; line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		if (strstr(line, " - cgroup"))
			hiers_add_line(hs, line, hybrid);
	}
	if (hs->n == 0)
		return error_msg(err, ENOENT, "no cgroup hierarchy is mounted");
	return 0;
}

/* The directory of path in h, malloc'd; NULL when h's mount does not
 * reach that path (a hierarchy mounted from a subtree). */
static char *
hier_dir(const struct hier *h, const char *path)
{
	size_t n = strlen(h->root);

	if (strcmp(h->root, "/") == 0)
		return xasprintf("%s%s", h->mnt, path);
	if (strncmp(path, h->root, n) == 0 && (path[n] == '/' || path[n] == '\0'))
		return xasprintf("%s%s", h->mnt, path + n);
	return NULL;
}

static bool
has_controller(const struct hier *h, const char *controller)
{
	size_t n = strlen(controller);

	for (const char *p = h->controllers; *p;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);

		if (len == n && strncmp(p, controller, n) == 0)
			return true;
		p += len + (comma ? 1 : 0);
	}
	return false;
}

static const struct hier *
hier_find(const struct hiers *hs, const char *controller)
{
	for (size_t i = 0; i < hs->n; i++)
		if (has_controller(&hs->h[i], controller))
			return &hs->h[i];
	return NULL;
}

/* The container's directory in the hierarchy of controller, malloc'd. */
static int
ctrl_dir(const struct hiers *hs, const char *path, const char *controller, const char *field,
         char **dir, struct hutch_error *err)
{
	const struct hier *h = hier_find(hs, controller);

	*dir = h ? hier_dir(h, path) : NULL;
	if (!*dir)
		return error_msg(err, EOPNOTSUPP, "%s: the %s controller is not available",
		                 field ? field : "cgroup", controller);
	return 0;
}

/* The same, for callers that have no resources to name (freeze, stats). */
static char *
ctrl_dir_of(const struct cgroup *cg, const char *controller)
{
	struct hiers hs;
	struct hutch_error ignored;
	const struct hier *h;
	char *dir = NULL;

	if (hiers_load(&hs, &ignored) < 0)
		return NULL;
	h = hier_find(&hs, controller);
	if (h)
		dir = hier_dir(h, cg->path);
	hiers_free(&hs);
	return dir;
}

/* ---- resources ---- */

struct v1_ctx {
	const struct hiers *hs;
	const char *path;
	const struct spec_resources *res;
};

static int
ctx_dir(const struct v1_ctx *c, const char *controller, const char *field, char **dir,
        struct hutch_error *err)
{
	return ctrl_dir(c->hs, c->path, controller, field, dir, err);
}

static int
write_i64(const char *dir, const char *file, int64_t v, const char *field, struct hutch_error *err)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%" PRId64, v);
	return cg_write(dir, file, buf, field, err);
}

enum scalar_kind {
	SCALAR_I64,  /* struct spec_opt_i64, written as is (-1: unlimited) */
	SCALAR_U64,  /* struct spec_opt_u64 */
	SCALAR_PIDS, /* i64, <= 0 meaning "max" */
};

struct scalar {
	const char *field;
	const char *controller;
	const char *file;
	size_t offset;
	enum scalar_kind kind;
};

#define RES(member) offsetof(struct spec_resources, member)

/* The fields that are one value in one file. */
static const struct scalar scalars[] = {
    {"linux.resources.memory.reservation", "memory", "memory.soft_limit_in_bytes",
     RES(memory.reservation), SCALAR_I64},
    {"linux.resources.memory.kernelTCP", "memory", "memory.kmem.tcp.limit_in_bytes",
     RES(memory.kernel_tcp), SCALAR_I64},
    {"linux.resources.memory.swappiness", "memory", "memory.swappiness", RES(memory.swappiness),
     SCALAR_U64},
    {"linux.resources.cpu.shares", "cpu", "cpu.shares", RES(cpu.shares), SCALAR_U64},
    {"linux.resources.cpu.idle", "cpu", "cpu.idle", RES(cpu.idle), SCALAR_I64},
    {"linux.resources.pids.limit", "pids", "pids.max", RES(pids_limit), SCALAR_PIDS},
    {"linux.resources.blockIO.leafWeight", "blkio", "blkio.leaf_weight", RES(block_io.leaf_weight),
     SCALAR_U64},
};

static int
apply_scalar(const struct v1_ctx *c, const struct scalar *s, struct hutch_error *err)
{
	const char *p = (const char *)c->res + s->offset;
	_cleanup_free_ char *dir = NULL;
	char buf[24];
	const char *value = buf;
	int r;

	if (!*(const bool *)p) /* both spec_opt_* start with `set` */
		return 0;
	if (s->kind == SCALAR_U64) {
		snprintf(buf, sizeof(buf), "%" PRIu64, ((const struct spec_opt_u64 *)p)->value);
	} else {
		int64_t v = ((const struct spec_opt_i64 *)p)->value;

		if (s->kind == SCALAR_PIDS && v <= 0)
			value = "max";
		else
			snprintf(buf, sizeof(buf), "%" PRId64, v);
	}
	r = ctx_dir(c, s->controller, s->field, &dir, err);
	return r < 0 ? r : cg_write(dir, s->file, value, s->field, err);
}

static int
apply_scalars(const struct v1_ctx *c, struct hutch_error *err)
{
	for (size_t i = 0; i < ARRAY_SIZE(scalars); i++) {
		int r = apply_scalar(c, &scalars[i], err);

		if (r < 0)
			return r;
	}
	return 0;
}

#define F_LIMIT "linux.resources.memory.limit"
#define F_SWAP  "linux.resources.memory.swap"

static int
check_usage(const char *dir, int64_t limit, struct hutch_error *err)
{
	uint64_t usage;

	if (limit <= 0 || cg_read_u64(dir, "memory.usage_in_bytes", &usage) < 0)
		return 0;
	if ((uint64_t)limit < usage)
		return error_msg(err, EBUSY,
		                 F_LIMIT ": %" PRId64 " is below the current usage of %" PRIu64
		                         " bytes (checkBeforeUpdate)",
		                 limit, usage);
	return 0;
}

/* memory.memsw (memory + swap) must stay >= memory.limit at every step:
 * the order of the two writes depends on where the limits move. */
static int
apply_memory_limits(const struct v1_ctx *c, struct hutch_error *err)
{
	const struct spec_resources *res = c->res;
	int64_t limit = res->memory.limit.set ? res->memory.limit.value : 0;
	int64_t swap = res->memory.swap.set ? res->memory.swap.value : 0;
	_cleanup_free_ char *dir = NULL;
	uint64_t cur;
	int r;

	if (limit == 0 && swap == 0)
		return 0;
	r = ctx_dir(c, "memory", limit ? F_LIMIT : F_SWAP, &dir, err);
	if (r < 0)
		return r;
	if (res->memory.check_before_update && (r = check_usage(dir, limit, err)) < 0)
		return r;
	/* runc: an unlimited memory with swap unset makes swap unlimited too
	 * (where swap accounting exists). */
	if (limit == -1 && swap == 0 && cg_exists(dir, "memory.memsw.limit_in_bytes"))
		swap = -1;
	if (limit && swap && cg_read_u64(dir, "memory.limit_in_bytes", &cur) == 0 &&
	    (swap == -1 || cur < (uint64_t)swap)) {
		r = write_i64(dir, "memory.memsw.limit_in_bytes", swap, F_SWAP, err);
		return r < 0 ? r : write_i64(dir, "memory.limit_in_bytes", limit, F_LIMIT, err);
	}
	if (limit && (r = write_i64(dir, "memory.limit_in_bytes", limit, F_LIMIT, err)) < 0)
		return r;
	if (swap)
		return write_i64(dir, "memory.memsw.limit_in_bytes", swap, F_SWAP, err);
	return 0;
}

static int
apply_memory_flags(const struct v1_ctx *c, struct hutch_error *err)
{
	const struct spec_resources *res = c->res;
	_cleanup_free_ char *dir = NULL;
	int r;

	if (res->memory.disable_oom_killer) {
		r = ctx_dir(c, "memory", "linux.resources.memory.disableOOMKiller", &dir, err);
		if (r < 0 || (r = cg_write(dir, "memory.oom_control", "1",
		                           "linux.resources.memory.disableOOMKiller", err)) < 0)
			return r;
	}
	if (res->memory.has_use_hierarchy) {
		free(dir);
		r = ctx_dir(c, "memory", "linux.resources.memory.useHierarchy", &dir, err);
		if (r < 0 || (r = cg_write(dir, "memory.use_hierarchy",
		                           res->memory.use_hierarchy ? "1" : "0",
		                           "linux.resources.memory.useHierarchy", err)) < 0)
			return r;
	}
	return 0;
}

static int
apply_cpu_rt(const struct v1_ctx *c, struct hutch_error *err)
{
	const struct spec_resources *res = c->res;
	_cleanup_free_ char *dir = NULL;
	int r;

	if (!res->cpu.realtime_period.set && !res->cpu.realtime_runtime.set)
		return 0;
	r = ctx_dir(c, "cpu", "linux.resources.cpu.realtimePeriod", &dir, err);
	if (r < 0)
		return r;
	/* The period first: the runtime must fit into it. */
	if (res->cpu.realtime_period.set &&
	    (r = write_i64(dir, "cpu.rt_period_us", (int64_t)res->cpu.realtime_period.value,
	                   "linux.resources.cpu.realtimePeriod", err)) < 0)
		return r;
	if (res->cpu.realtime_runtime.set)
		return write_i64(dir, "cpu.rt_runtime_us", res->cpu.realtime_runtime.value,
		                 "linux.resources.cpu.realtimeRuntime", err);
	return 0;
}

/* quota, period and burst are checked against each other (and against the
 * parent's quota) at every write: a write refused with EINVAL is tried
 * again after the quota, as runc does. */
static int
apply_cpu_bandwidth(const struct v1_ctx *c, struct hutch_error *err)
{
	const struct spec_resources *res = c->res;
	bool quota = res->cpu.quota.set && res->cpu.quota.value != 0;
	bool period = res->cpu.period.set && res->cpu.period.value != 0;
	bool burst = res->cpu.burst.set, period_again = false, burst_again = false;
	_cleanup_free_ char *dir = NULL;
	int r;

	if (!quota && !period && !burst)
		return 0;
	r = ctx_dir(c, "cpu", "linux.resources.cpu.quota", &dir, err);
	if (r < 0)
		return r;
	if (period) {
		r = write_i64(dir, "cpu.cfs_period_us", (int64_t)res->cpu.period.value,
		              "linux.resources.cpu.period", err);
		if (r == -EINVAL && quota)
			period_again = true;
		else if (r < 0)
			return r;
	}
	if (burst) {
		r = write_i64(dir, "cpu.cfs_burst_us", (int64_t)res->cpu.burst.value,
		              "linux.resources.cpu.burst", err);
		if (r == -EINVAL && quota)
			burst_again = true;
		else if (r < 0)
			return r;
	}
	if (!quota)
		return 0;
	r = write_i64(dir, "cpu.cfs_quota_us", res->cpu.quota.value, "linux.resources.cpu.quota",
	              err);
	if (r == 0 && period_again)
		r = write_i64(dir, "cpu.cfs_period_us", (int64_t)res->cpu.period.value,
		              "linux.resources.cpu.period", err);
	if (r == 0 && burst_again)
		r = write_i64(dir, "cpu.cfs_burst_us", (int64_t)res->cpu.burst.value,
		              "linux.resources.cpu.burst", err);
	return r;
}

static int
apply_cpuset(const struct v1_ctx *c, struct hutch_error *err)
{
	const struct spec_resources *res = c->res;
	_cleanup_free_ char *dir = NULL;
	int r;

	if (!res->cpu.cpus && !res->cpu.mems)
		return 0;
	r = ctx_dir(c, "cpuset",
	            res->cpu.cpus ? "linux.resources.cpu.cpus" : "linux.resources.cpu.mems", &dir,
	            err);
	if (r < 0)
		return r;
	if (res->cpu.cpus &&
	    (r = cg_write(dir, "cpuset.cpus", res->cpu.cpus, "linux.resources.cpu.cpus", err)) < 0)
		return r;
	if (res->cpu.mems)
		return cg_write(dir, "cpuset.mems", res->cpu.mems, "linux.resources.cpu.mems", err);
	return 0;
}

static int
write_dev(const char *dir, const char *file, int64_t major, int64_t minor, uint64_t v,
          const char *field, struct hutch_error *err)
{
	char buf[80];

	snprintf(buf, sizeof(buf), "%" PRId64 ":%" PRId64 " %" PRIu64, major, minor, v);
	return cg_write(dir, file, buf, field, err);
}

struct throttle {
	const char *field;
	const char *file;
	size_t list;  /* offset of the array pointer */
	size_t count; /* offset of its length */
};

static const struct throttle throttles[] = {
    {"linux.resources.blockIO.throttleReadBpsDevice", "blkio.throttle.read_bps_device",
     RES(block_io.throttle_read_bps), RES(block_io.n_throttle_read_bps)},
    {"linux.resources.blockIO.throttleWriteBpsDevice", "blkio.throttle.write_bps_device",
     RES(block_io.throttle_write_bps), RES(block_io.n_throttle_write_bps)},
    {"linux.resources.blockIO.throttleReadIOPSDevice", "blkio.throttle.read_iops_device",
     RES(block_io.throttle_read_iops), RES(block_io.n_throttle_read_iops)},
    {"linux.resources.blockIO.throttleWriteIOPSDevice", "blkio.throttle.write_iops_device",
     RES(block_io.throttle_write_iops), RES(block_io.n_throttle_write_iops)},
};

static int
apply_throttles(const char *dir, const struct spec_resources *res, struct hutch_error *err)
{
	for (size_t t = 0; t < ARRAY_SIZE(throttles); t++) {
		const struct spec_block_device_rate *rates = *(
		    struct spec_block_device_rate *const *)((const char *)res + throttles[t].list);
		size_t n = *(const size_t *)((const char *)res + throttles[t].count);

		for (size_t i = 0; i < n; i++) {
			char field[96];
			int r;

			snprintf(field, sizeof(field), "%s[%zu]", throttles[t].field, i);
			r = write_dev(dir, throttles[t].file, rates[i].major, rates[i].minor,
			              rates[i].rate, field, err);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

/* CFQ named the files blkio.weight*, BFQ blkio.bfq.weight*: whichever the
 * kernel offers. */
static int
weight_files(const char *dir, const char **weight, const char **device, const char *field,
             struct hutch_error *err)
{
	if (cg_exists(dir, "blkio.weight")) {
		*weight = "blkio.weight";
		*device = "blkio.weight_device";
	} else if (cg_exists(dir, "blkio.bfq.weight")) {
		*weight = "blkio.bfq.weight";
		*device = "blkio.bfq.weight_device";
	} else {
		return error_msg(
		    err, EOPNOTSUPP,
		    "%s: no blkio.weight or blkio.bfq.weight in '%s' (no I/O scheduler "
		    "with weights)",
		    field, dir);
	}
	return 0;
}

static int
apply_blkio(const struct v1_ctx *c, struct hutch_error *err)
{
	const struct spec_resources *res = c->res;
	const struct spec_block_device_weight *wd = res->block_io.weight_devices;
	const char *weight = NULL, *device = NULL;
	_cleanup_free_ char *dir = NULL;
	int r;

	if (!res->block_io.weight.set && !res->block_io.n_weight_devices &&
	    !res->block_io.n_throttle_read_bps && !res->block_io.n_throttle_write_bps &&
	    !res->block_io.n_throttle_read_iops && !res->block_io.n_throttle_write_iops)
		return 0;
	r = ctx_dir(c, "blkio", "linux.resources.blockIO", &dir, err);
	if (r < 0)
		return r;
	if (res->block_io.weight.set || res->block_io.n_weight_devices) {
		r = weight_files(dir, &weight, &device,
		                 res->block_io.weight.set ? "linux.resources.blockIO.weight"
		                                          : "linux.resources.blockIO.weightDevice",
		                 err);
		if (r < 0)
			return r;
	}
	if (res->block_io.weight.set &&
	    (r = write_i64(dir, weight, (int64_t)res->block_io.weight.value,
	                   "linux.resources.blockIO.weight", err)) < 0)
		return r;
	for (size_t i = 0; i < res->block_io.n_weight_devices; i++) {
		char field[80];

		snprintf(field, sizeof(field), "linux.resources.blockIO.weightDevice[%zu]", i);
		if (wd[i].weight.set && (r = write_dev(dir, device, wd[i].major, wd[i].minor,
		                                       wd[i].weight.value, field, err)) < 0)
			return r;
		if (wd[i].leaf_weight.set &&
		    (r = write_dev(dir, "blkio.leaf_weight_device", wd[i].major, wd[i].minor,
		                   wd[i].leaf_weight.value, field, err)) < 0)
			return r;
	}
	return apply_throttles(dir, res, err);
}

static int
apply_hugetlb(const struct v1_ctx *c, struct hutch_error *err)
{
	_cleanup_free_ char *dir = NULL;
	int r;

	if (c->res->n_hugepage_limits == 0)
		return 0;
	r = ctx_dir(c, "hugetlb", "linux.resources.hugepageLimits", &dir, err);
	for (size_t i = 0; r == 0 && i < c->res->n_hugepage_limits; i++) {
		const struct spec_hugepage_limit *h = &c->res->hugepage_limits[i];
		_cleanup_free_ char *file = xasprintf("hugetlb.%s.limit_in_bytes", h->page_size);
		char field[64], value[24];

		snprintf(field, sizeof(field), "linux.resources.hugepageLimits[%zu]", i);
		snprintf(value, sizeof(value), "%" PRIu64, h->limit);
		r = cg_write(dir, file, value, field, err);
	}
	return r;
}

static int
apply_network(const struct v1_ctx *c, struct hutch_error *err)
{
	const struct spec_resources *res = c->res;
	_cleanup_free_ char *cls = NULL, *prio = NULL;
	int r = 0;

	if (res->network.class_id.set) {
		r = ctx_dir(c, "net_cls", "linux.resources.network.classID", &cls, err);
		if (r == 0)
			r = write_i64(cls, "net_cls.classid", (int64_t)res->network.class_id.value,
			              "linux.resources.network.classID", err);
	}
	if (r == 0 && res->network.n_priorities)
		r = ctx_dir(c, "net_prio", "linux.resources.network.priorities", &prio, err);
	for (size_t i = 0; r == 0 && i < res->network.n_priorities; i++) {
		const struct spec_net_priority *p = &res->network.priorities[i];
		char field[64], value[64];

		snprintf(field, sizeof(field), "linux.resources.network.priorities[%zu]", i);
		snprintf(value, sizeof(value), "%s %" PRIu32, p->name, p->priority);
		r = cg_write(prio, "net_prio.ifpriomap", value, field, err);
	}
	return r;
}

static int
apply_rdma(const struct v1_ctx *c, struct hutch_error *err)
{
	_cleanup_free_ char *dir = NULL;
	int r;

	if (c->res->n_rdma == 0)
		return 0;
	r = ctx_dir(c, "rdma", "linux.resources.rdma", &dir, err);
	for (size_t i = 0; r == 0 && i < c->res->n_rdma; i++) {
		const struct spec_rdma_limit *l = &c->res->rdma[i];
		char field[128], handles[40] = "", objects[40] = "";
		_cleanup_free_ char *value = NULL;

		if (l->hca_handles.set)
			snprintf(handles, sizeof(handles), " hca_handle=%" PRIu64,
			         l->hca_handles.value);
		if (l->hca_objects.set)
			snprintf(objects, sizeof(objects), " hca_object=%" PRIu64,
			         l->hca_objects.value);
		value = xasprintf("%s%s%s", l->device, handles, objects);
		snprintf(field, sizeof(field), "linux.resources.rdma[\"%.64s\"]", l->device);
		r = cg_write(dir, "rdma.max", value, field, err);
	}
	return r;
}

/* What every container may use whatever its rules say, appended after
 * them as runc does: mknod of any node (using one is what the rules
 * decide), and the standard nodes the sandbox creates in /dev (null,
 * zero, full, random, urandom, tty, console, ptmx and the ptys). */

static void
dev_number(char *buf, size_t size, int64_t n)
{
	if (n < 0)
		snprintf(buf, size, "*");
	else
		snprintf(buf, size, "%" PRId64, n);
}

static int
write_device_rule(const char *dir, const struct spec_device_rule *d, const char *field,
                  struct hutch_error *err)
{
	char major[24], minor[24], value[80];

	dev_number(major, sizeof(major), d->major);
	dev_number(minor, sizeof(minor), d->minor);
	if (d->type == 'a')
		snprintf(value, sizeof(value), "a");
	else
		snprintf(value, sizeof(value), "%c %s:%s %s", d->type, major, minor, d->access);
	return cg_write(dir, d->allow ? "devices.allow" : "devices.deny", value, field, err);
}

/* The rules in order, each to devices.allow or devices.deny: the kernel
 * applies them as the spec means them (a later rule overrides an earlier
 * one; "a" resets the list to allow-all or deny-all).  "a" with an access
 * subset has no v1 form: it is written as "a" (all), as runc does. */
static int
apply_devices(const struct v1_ctx *c, struct hutch_error *err)
{
	_cleanup_free_ char *dir = NULL;
	int r;

	if (c->res->n_devices == 0)
		return 0;
	r = ctx_dir(c, "devices", "linux.resources.devices", &dir, err);
	for (size_t i = 0; r == 0 && i < c->res->n_devices; i++) {
		char field[64];

		snprintf(field, sizeof(field), "linux.resources.devices[%zu]", i);
		r = write_device_rule(dir, &c->res->devices[i], field, err);
	}
	for (size_t i = 0; r == 0 && i < cgroup_n_default_devices; i++)
		r = write_device_rule(dir, &cgroup_default_devices[i], "linux.resources.devices",
		                      err);
	return r;
}

typedef int (*apply_step)(const struct v1_ctx *c, struct hutch_error *err);

/* Limits before flags that depend on them; the cpuset before anything
 * could need its CPUs. */
static const apply_step apply_steps[] = {
    apply_cpuset,  apply_memory_limits, apply_scalars, apply_memory_flags,
    apply_cpu_rt,  apply_cpu_bandwidth, apply_blkio,   apply_hugetlb,
    apply_network, apply_rdma,          apply_devices,
};

/* Every controller the resources need must be mounted: checked before the
 * first write, so that an update is not half applied for that reason. */
static int
check_needs(const struct hiers *hs, const struct spec_resources *res, struct hutch_error *err)
{
	struct cgroup_needs needs;
	int r = cgroup_resources_needs(res, false, &needs, err);

	for (size_t i = 0; r == 0 && i < needs.n; i++)
		if (!hier_find(hs, needs.v[i].controller))
			r = error_msg(err, EOPNOTSUPP, "%s: the %s controller is not available",
			              needs.v[i].field, needs.v[i].controller);
	return r;
}

static int
apply(const struct hiers *hs, const char *path, const struct spec_resources *res,
      struct hutch_error *err)
{
	const struct v1_ctx c = {.hs = hs, .path = path, .res = res};
	int r = check_needs(hs, res, err);

	for (size_t i = 0; r == 0 && i < ARRAY_SIZE(apply_steps); i++)
		r = apply_steps[i](&c, err);
	return r;
}

static int
v1_set(const struct cgroup *cg, const struct spec_resources *res, struct hutch_error *err)
{
	struct hiers hs;
	int r = hiers_load(&hs, err);

	if (r == 0)
		r = apply(&hs, cg->path, res, err);
	hiers_free(&hs);
	return r;
}

/* ---- create, enter ---- */

/* A new cpuset cgroup starts with no CPUs and no memory nodes, and a task
 * cannot join it (ENOSPC): give it its parent's. */
static int
cpuset_inherit(const char *parent, const char *dir, struct hutch_error *err)
{
	static const char *const files[] = {"cpuset.cpus", "cpuset.mems"};

	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		char mine[4096], theirs[4096];
		int r;

		if (cg_read(dir, files[i], mine, sizeof(mine)) < 0 || mine[0] != '\0')
			continue;
		r = cg_read(parent, files[i], theirs, sizeof(theirs));
		if (r < 0)
			return error_sys(err, -r, "read '%s/%s'", parent, files[i]);
		r = cg_write(dir, files[i], theirs, NULL, err);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Make path in h, level by level.  *leaf: the last level was made here. */
static int
make_dirs(const struct hier *h, const char *path, struct cg_made *made, bool *leaf,
          struct hutch_error *err)
{
	_cleanup_free_ char *dir = hier_dir(h, path), *cur = NULL;
	bool cpuset = has_controller(h, "cpuset");
	size_t base;
	int r;

	if (!dir)
		return error_msg(err, ENOENT,
		                 "cgroup '%s' is outside the %s hierarchy mounted at '%s'", path,
		                 *h->controllers ? h->controllers : "unified", h->mnt);
	base = strlen(h->mnt);
	cur = xstrdup(dir);
	for (size_t i = base + 1;; i++) {
		char c = dir[i];

		if (c != '/' && c != '\0')
			continue;
		cur[i] = '\0';
		r = cg_mkdir(made, cur, leaf, err);
		if (r == 0 && cpuset) {
			_cleanup_free_ char *parent =
			    xasprintf("%.*s", (int)(strrchr(cur, '/') - cur), cur);

			r = cpuset_inherit(parent, cur, err);
		}
		if (r < 0)
			return r;
		if (c == '\0')
			return 0;
		cur[i] = '/';
	}
}

/* A concurrent destroy may remove hutch's default parent between our
 * mkdir of it and of the leaf (ENOENT): start that hierarchy again. */
static int
make_dirs_retry(const struct hier *h, const char *path, struct cg_made *made, bool *leaf,
                struct hutch_error *err)
{
	int r;

	for (int attempt = 0;; attempt++) {
		r = make_dirs(h, path, made, leaf, err);
		if (r != -ENOENT || attempt == 3)
			return r;
	}
}

/* runc refuses to start a container in a cgroup that has processes
 * already: delete would kill them. */
static int
check_empty(const char *dir, struct hutch_error *err)
{
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = 0;
	int r = cg_read_procs(dir, &pids, &n, err);

	if (r < 0)
		return r;
	if (n > 0)
		return error_msg(err, EBUSY,
		                 "container's cgroup is not empty: %zu process(es) found in '%s'",
		                 n, dir);
	return 0;
}

static int
v1_create(struct cgroup *cg, const struct spec_resources *res, struct hutch_error *err)
{
	struct cg_made made = {0};
	struct hiers hs;
	bool any_leaf = false;
	int r = hiers_load(&hs, err);

	/* Validate first: nothing is made for resources that cannot be
	 * applied. */
	if (r == 0)
		r = check_needs(&hs, res, err);
	for (size_t i = 0; r == 0 && i < hs.n; i++) {
		bool leaf = false;

		r = make_dirs_retry(&hs.h[i], cg->path, &made, &leaf, err);
		if (r == 0 && !leaf) {
			_cleanup_free_ char *dir = hier_dir(&hs.h[i], cg->path);

			r = check_empty(dir, err);
		}
		any_leaf |= leaf;
	}
	if (r == 0 && res)
		r = apply(&hs, cg->path, res, err);
	if (r < 0)
		cg_made_undo(&made);
	else
		cg->created = any_leaf;
	cg_made_free(&made);
	hiers_free(&hs);
	return r;
}

static int
v1_enter(const struct cgroup *cg, pid_t pid, struct hutch_error *err)
{
	struct hiers hs;
	char value[16];
	int r = hiers_load(&hs, err);

	snprintf(value, sizeof(value), "%d", pid);
	for (size_t i = 0; r == 0 && i < hs.n; i++) {
		_cleanup_free_ char *dir = hier_dir(&hs.h[i], cg->path);

		if (dir)
			r = cg_write(dir, "cgroup.procs", value, NULL, err);
	}
	hiers_free(&hs);
	return r;
}

/* Hybrid's unified hierarchy is cgroup2: a directory fd for clone3; the
 * v1 hierarchies: their `tasks` file. */
static int
v1_open_entry(const struct cgroup *cg, struct cgroup_entry *e, struct hutch_error *err)
{
	struct hiers hs;
	int r = hiers_load(&hs, err);

	for (size_t i = 0; r == 0 && i < hs.n; i++) {
		_cleanup_free_ char *dir = hier_dir(&hs.h[i], cg->path), *tasks = NULL;
		int fd;

		if (!dir)
			continue;
		if (!*hs.h[i].controllers) {
			fd = e->dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		} else if (e->n_tasks < CGROUP_ENTRY_MAX) {
			tasks = xasprintf("%s/tasks", dir);
			fd = e->tasks_fds[e->n_tasks++] = open(tasks, O_WRONLY | O_CLOEXEC);
		} else {
			r = error_msg(err, E2BIG, "more than %d cgroup hierarchies",
			              CGROUP_ENTRY_MAX);
			break;
		}
		if (fd < 0)
			r = error_sys(err, errno, "open '%s'", tasks ? tasks : dir);
	}
	hiers_free(&hs);
	return r;
}

/* ---- freezer ---- */

static bool
freezer_is(const char *dir, const char *state)
{
	char buf[32];

	return cg_read(dir, "freezer.state", buf, sizeof(buf)) == 0 && strcmp(buf, state) == 0;
}

/* The v1 freezer has no notification: poll freezer.state in 1 ms steps,
 * re-asking every 100 ms (tasks that were forking may have escaped the
 * first pass), within CGROUP_FREEZE_TIMEOUT_MS. */
static int
v1_freeze(const struct cgroup *cg, bool frozen, struct hutch_error *err)
{
	_cleanup_free_ char *dir = ctrl_dir_of(cg, "freezer");
	const char *want = frozen ? "FROZEN" : "THAWED";
	int r;

	if (!dir)
		return error_msg(err, EOPNOTSUPP, "the freezer controller is not available");
	for (int ms = 0;; ms++) {
		if (ms % 100 == 0 && (r = cg_write(dir, "freezer.state", want, NULL, err)) < 0)
			return r;
		if (freezer_is(dir, want))
			return 0;
		if (ms >= CGROUP_FREEZE_TIMEOUT_MS)
			break;
		cg_sleep_ms(1);
	}
	if (frozen)
		cg_write(dir, "freezer.state", "THAWED", NULL, err);
	return error_msg(err, ETIMEDOUT, "%s '%s': still not %s after %d ms",
	                 frozen ? "freeze" : "thaw", dir, want, CGROUP_FREEZE_TIMEOUT_MS);
}

static bool
v1_is_frozen(const struct cgroup *cg)
{
	_cleanup_free_ char *dir = ctrl_dir_of(cg, "freezer");

	return dir && freezer_is(dir, "FROZEN");
}

/* ---- processes, teardown ---- */

static char *
v1_procs_dir(const struct cgroup *cg)
{
	static const char *const preferred[] = {"freezer", "pids", "memory", "cpu"};
	struct hiers hs;
	struct hutch_error ignored;
	char *dir = NULL;

	if (hiers_load(&hs, &ignored) < 0)
		return NULL;
	for (size_t i = 0; !dir && i < ARRAY_SIZE(preferred); i++) {
		const struct hier *h = hier_find(&hs, preferred[i]);

		dir = h ? hier_dir(h, cg->path) : NULL;
		if (dir && !cg_exists(dir, NULL)) {
			free(dir);
			dir = NULL;
		}
	}
	for (size_t i = 0; !dir && i < hs.n; i++) {
		dir = hier_dir(&hs.h[i], cg->path);
		if (dir && !cg_exists(dir, NULL)) {
			free(dir);
			dir = NULL;
		}
	}
	hiers_free(&hs);
	return dir;
}

static int
v1_kill_all(const struct cgroup *cg, int sig, struct hutch_error *err)
{
	_cleanup_free_ char *dir = v1_procs_dir(cg);
	int r;

	if (!dir)
		return 0;
	r = cg_signal_tree(dir, sig, err);
	return r < 0 ? r : 0;
}

/* No notification on v1 either: look every ms, and kill again whatever
 * shows up (a task forked while the freeze was not complete). */
static int
v1_wait_empty(const struct cgroup *cg, struct hutch_error *err)
{
	_cleanup_free_ char *dir = v1_procs_dir(cg);

	for (int ms = 0; dir; ms++) {
		int r = cg_signal_tree(dir, SIGKILL, err);

		if (r <= 0)
			return r;
		if (ms >= CGROUP_EMPTY_TIMEOUT_MS)
			return error_msg(err, ETIMEDOUT,
			                 "cgroup '%s': %d process(es) still alive after %d ms", dir,
			                 r, CGROUP_EMPTY_TIMEOUT_MS);
		cg_sleep_ms(1);
	}
	return 0;
}

static int
v1_remove(const struct cgroup *cg, struct hutch_error *err)
{
	struct hiers hs;
	int r = hiers_load(&hs, err), first = 0;

	if (r < 0)
		return r;
	for (size_t i = 0; i < hs.n; i++) {
		_cleanup_free_ char *dir = hier_dir(&hs.h[i], cg->path);
		struct hutch_error e;

		if (!dir)
			continue;
		/* Go on with the other hierarchies; report the first failure. */
		r = cg_remove_tree(dir, first < 0 ? &e : err);
		if (r < 0 && first == 0)
			first = r;
		if (r == 0)
			cg_remove_made_parents(dir, hs.h[i].mnt);
	}
	hiers_free(&hs);
	return first;
}

/* ---- stats ---- */

/* "1 2 3" -> [1, 2, 3] */
static json_t *
u64_list(const char *text)
{
	json_t *arr = json_array();
	_cleanup_free_ char *copy = xstrdup(text);
	char *save = NULL;
	uint64_t v;

	for (char *t = strtok_r(copy, " \n", &save); t; t = strtok_r(NULL, " \n", &save))
		if (parse_u64(t, UINT64_MAX, &v) == 0)
			json_array_append_new(arr, cg_json_u64(v));
	return arr;
}

/* cpuacct.usage_all: "cpu user system" then one line per CPU. */
static void
percpu_modes(const char *dir, json_t *usage)
{
	_cleanup_free_ char *path = xasprintf("%s/cpuacct.usage_all", dir), *text = NULL;
	json_t *user = json_array(), *kernel = json_array();
	struct hutch_error ignored;

	if (read_file_at(AT_FDCWD, path, 1 << 20, &text, NULL, &ignored) == 0) {
		char *save = NULL, *line = strtok_r(text, "\n", &save);

		for (line = strtok_r(NULL, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			unsigned long long cpu, u, s;

			if (sscanf(line, "%llu %llu %llu", &cpu, &u, &s) == 3) {
				json_array_append_new(user, cg_json_u64(u));
				json_array_append_new(kernel, cg_json_u64(s));
			}
		}
	}
	json_object_set_new(usage, "percpu_kernel", kernel);
	json_object_set_new(usage, "percpu_user", user);
}

static json_t *
stats_cpu(const struct hiers *hs, const char *path)
{
	json_t *cpu = json_object(), *usage = json_object(), *thr = json_object();
	_cleanup_free_ char *acct = NULL, *cpudir = NULL;
	struct hutch_error ignored;
	uint64_t v;

	if (ctrl_dir(hs, path, "cpuacct", NULL, &acct, &ignored) == 0) {
		char buf[8192];
		long tck = sysconf(_SC_CLK_TCK);

		if (cg_read_u64(acct, "cpuacct.usage", &v) == 0)
			cg_json_set_u64(usage, "total", v);
		if (cg_read(acct, "cpuacct.usage_percpu", buf, sizeof(buf)) == 0)
			json_object_set_new(usage, "percpu", u64_list(buf));
		percpu_modes(acct, usage);
		/* cpuacct.stat counts USER_HZ ticks; runc reports ns. */
		if (tck > 0 && cg_read_key(acct, "cpuacct.stat", "system", &v) == 0)
			cg_json_set_u64(usage, "kernel", v * (1000000000ull / (uint64_t)tck));
		if (tck > 0 && cg_read_key(acct, "cpuacct.stat", "user", &v) == 0)
			cg_json_set_u64(usage, "user", v * (1000000000ull / (uint64_t)tck));
	}
	if (ctrl_dir(hs, path, "cpu", NULL, &cpudir, &ignored) == 0) {
		if (cg_read_key(cpudir, "cpu.stat", "nr_periods", &v) == 0)
			cg_json_set_u64(thr, "periods", v);
		if (cg_read_key(cpudir, "cpu.stat", "nr_throttled", &v) == 0)
			cg_json_set_u64(thr, "throttledPeriods", v);
		if (cg_read_key(cpudir, "cpu.stat", "throttled_time", &v) == 0)
			cg_json_set_u64(thr, "throttledTime", v);
	}
	json_object_set_new(cpu, "usage", usage);
	json_object_set_new(cpu, "throttling", thr);
	return cpu;
}

/* {limit, usage, max, failcnt} of memory, memory.memsw, memory.kmem ... */
static json_t *
memory_entry(const char *dir, const char *prefix)
{
	static const char *const keys[][2] = {{"limit", "limit_in_bytes"},
	                                      {"usage", "usage_in_bytes"},
	                                      {"max", "max_usage_in_bytes"},
	                                      {"failcnt", "failcnt"}};
	json_t *e = json_object();

	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		_cleanup_free_ char *file = xasprintf("%s.%s", prefix, keys[i][1]);
		uint64_t v;

		if (cg_read_u64(dir, file, &v) == 0)
			cg_json_set_u64(e, keys[i][0], v);
	}
	return e;
}

static json_t *
stats_memory(const struct hiers *hs, const char *path)
{
	json_t *mem = json_object(), *raw, *cache;
	_cleanup_free_ char *dir = NULL;
	struct hutch_error ignored;

	if (ctrl_dir(hs, path, "memory", NULL, &dir, &ignored) < 0)
		return mem;
	raw = cg_json_keyed(dir, "memory.stat");
	cache = json_object_get(raw, "cache");
	json_object_set_new(mem, "cache", cache ? json_incref(cache) : json_integer(0));
	json_object_set_new(mem, "usage", memory_entry(dir, "memory"));
	json_object_set_new(mem, "swap", memory_entry(dir, "memory.memsw"));
	json_object_set_new(mem, "kernel", memory_entry(dir, "memory.kmem"));
	json_object_set_new(mem, "kernelTCP", memory_entry(dir, "memory.kmem.tcp"));
	json_object_set_new(mem, "raw", raw);
	return mem;
}

static json_t *
stats_pids(const struct hiers *hs, const char *path)
{
	json_t *pids = json_object();
	_cleanup_free_ char *dir = NULL;
	struct hutch_error ignored;
	uint64_t v;

	if (ctrl_dir(hs, path, "pids", NULL, &dir, &ignored) < 0)
		return pids;
	if (cg_read_u64(dir, "pids.current", &v) == 0)
		cg_json_set_u64(pids, "current", v);
	/* runc: "max" is reported as 0, no limit. */
	if (cg_read_u64(dir, "pids.max", &v) == 0)
		cg_json_set_u64(pids, "limit", v == UINT64_MAX ? 0 : v);
	return pids;
}

/* "8:0 Read 4096" lines ("Total N" skipped) as runc's blkio entries. */
static json_t *
blkio_entries(const char *dir, const char *file)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", dir, file), *text = NULL;
	json_t *arr = json_array();
	struct hutch_error ignored;
	char *save = NULL;

	if (read_file_at(AT_FDCWD, path, 1 << 20, &text, NULL, &ignored) < 0)
		return arr;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long long major, minor, value;
		char op[16];

		if (sscanf(line, "%llu:%llu %15s %llu", &major, &minor, op, &value) != 4)
			continue;
		json_array_append_new(arr, json_pack("{s:I,s:I,s:s,s:I}", "major",
		                                     (json_int_t)major, "minor", (json_int_t)minor,
		                                     "op", op, "value", (json_int_t)value));
	}
	return arr;
}

/* CFQ's files, else BFQ's, else the throttling layer's (always there). */
static json_t *
blkio_recursive(const char *dir, const char *what)
{
	static const char *const layers[] = {"blkio.", "blkio.bfq.", "blkio.throttle."};

	for (size_t i = 0; i < ARRAY_SIZE(layers); i++) {
		_cleanup_free_ char *file = xasprintf("%s%s_recursive", layers[i], what);
		json_t *arr;

		if (!cg_exists(dir, file))
			continue;
		arr = blkio_entries(dir, file);
		if (json_array_size(arr) > 0 || i == ARRAY_SIZE(layers) - 1)
			return arr;
		json_decref(arr);
	}
	return json_array();
}

static json_t *
stats_blkio(const struct hiers *hs, const char *path)
{
	json_t *blkio = json_object();
	_cleanup_free_ char *dir = NULL;
	struct hutch_error ignored;

	if (ctrl_dir(hs, path, "blkio", NULL, &dir, &ignored) < 0)
		return blkio;
	json_object_set_new(blkio, "ioServiceBytesRecursive",
	                    blkio_recursive(dir, "io_service_bytes"));
	json_object_set_new(blkio, "ioServicedRecursive", blkio_recursive(dir, "io_serviced"));
	return blkio;
}

static json_t *
stats_hugetlb(const struct hiers *hs, const char *path)
{
	json_t *out = json_object();
	_cleanup_free_ char *dir = NULL;
	struct hutch_error ignored;
	struct dirent *e;
	DIR *d;

	if (ctrl_dir(hs, path, "hugetlb", NULL, &dir, &ignored) < 0 || !(d = opendir(dir)))
		return out;
	while ((e = readdir(d))) {
		const char *name = e->d_name, *end = strstr(name, ".usage_in_bytes");
		_cleanup_free_ char *size = NULL, *max = NULL, *fail = NULL;
		json_t *h;
		uint64_t v;

		if (strncmp(name, "hugetlb.", 8) != 0 || !end || end[15] != '\0' ||
		    strstr(name, ".rsvd."))
			continue;
		size = xasprintf("%.*s", (int)(end - name - 8), name + 8);
		max = xasprintf("hugetlb.%s.max_usage_in_bytes", size);
		fail = xasprintf("hugetlb.%s.failcnt", size);
		h = json_object();
		if (cg_read_u64(dir, name, &v) == 0)
			cg_json_set_u64(h, "usage", v);
		if (cg_read_u64(dir, max, &v) == 0)
			cg_json_set_u64(h, "max", v);
		cg_json_set_u64(h, "failcnt", cg_read_u64(dir, fail, &v) == 0 ? v : 0);
		json_object_set_new(out, size, h);
	}
	closedir(d);
	return out;
}

static int
v1_stats(const struct cgroup *cg, json_t *data, struct hutch_error *err)
{
	_cleanup_free_ char *dir = v1_procs_dir(cg);
	struct hiers hs;
	int r;

	if (!dir)
		return error_msg(err, ENOENT, "cgroup '%s' does not exist", cg->path);
	r = hiers_load(&hs, err);
	if (r < 0)
		return r;
	json_object_set_new(data, "cpu", stats_cpu(&hs, cg->path));
	json_object_set_new(data, "memory", stats_memory(&hs, cg->path));
	json_object_set_new(data, "pids", stats_pids(&hs, cg->path));
	json_object_set_new(data, "blkio", stats_blkio(&hs, cg->path));
	json_object_set_new(data, "hugetlb", stats_hugetlb(&hs, cg->path));
	hiers_free(&hs);
	return 0;
}

/* ---- OOM notification: an eventfd registered on memory.oom_control ---- */

static int
v1_oom_open(const struct cgroup *cg, uint64_t *count, struct hutch_error *err)
{
	_cleanup_free_ char *dir = ctrl_dir_of(cg, "memory"), *oc = NULL;
	_cleanup_close_ int efd = -1, cfd = -1;
	char value[32];
	int r;

	if (!dir)
		return error_msg(err, EOPNOTSUPP, "the memory controller is not available");
	oc = xasprintf("%s/memory.oom_control", dir);
	cfd = open(oc, O_RDONLY | O_CLOEXEC);
	if (cfd < 0)
		return error_sys(err, errno, "open '%s'", oc);
	efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (efd < 0)
		return error_sys(err, errno, "eventfd");
	/* The registration holds the eventfd, not oom_control's fd: the
	 * kernel also signals it when the cgroup is removed. */
	snprintf(value, sizeof(value), "%d %d", efd, cfd);
	r = cg_write(dir, "cgroup.event_control", value, NULL, err);
	if (r < 0)
		return r;
	*count = 0;
	return TAKE_FD(efd);
}

static int
v1_oom_check(const struct cgroup *cg, int fd, uint64_t *count)
{
	_cleanup_free_ char *dir = ctrl_dir_of(cg, "memory");
	uint64_t n;

	if (read_eintr(fd, &n, sizeof(n)) != sizeof(n))
		return 0;
	if (!dir || !cg_exists(dir, NULL))
		return -ENOENT;
	*count += n;
	return 1;
}

const struct cgroup_ops cgroup_v1_ops = {
    .name = "v1",
    .create = v1_create,
    .enter = v1_enter,
    .open_entry = v1_open_entry,
    .set = v1_set,
    .freeze = v1_freeze,
    .is_frozen = v1_is_frozen,
    .procs_dir = v1_procs_dir,
    .kill_all = v1_kill_all,
    .wait_empty = v1_wait_empty,
    .remove = v1_remove,
    .stats = v1_stats,
    .oom_open = v1_oom_open,
    .oom_check = v1_oom_check,
};
