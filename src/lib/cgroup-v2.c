/*
 * cgroup-v2.c - the cgroup of a container on a pure v2 host: one directory
 * under /sys/fs/cgroup.  The controllers its resources need (and only
 * those) are enabled in cgroup.subtree_control of every ancestor, from the
 * hierarchy's root down to its parent.
 *
 * Written from Documentation/admin-guide/cgroup-v2.rst: the no internal
 * process rule (a non-root cgroup that has processes cannot give
 * controllers to its children), cgroup.freeze with the "frozen" key of
 * cgroup.events, cgroup.kill, and the v1 -> v2 conversions of
 * cgroup-convert.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include "cgroup-convert.h"
#include "cgroup-internal.h"
#include "parse.h"
#include "util.h"
#include "banned.h"

static char *
dir_of(const struct cgroup *cg)
{
	return xasprintf(CGROUP_ROOT "%s", cg->path);
}

static bool
word_in(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; (p = strstr(p, word)); p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return true;
	return false;
}

/* ---- controllers down the tree ---- */

/* The message for a cgroup that holds processes and so cannot hand a
 * controller down. */
static int
internal_process_error(const char *dir, const struct cgroup_need *need, struct hutch_error *err)
{
	_cleanup_free_ char *own = cg_own_path(""), *own_dir = NULL;

	own_dir = own ? xasprintf(CGROUP_ROOT "%s", strcmp(own, "/") == 0 ? "" : own) : NULL;
	if (own_dir && strcmp(own_dir, dir) == 0)
		return error_msg(
		    err, EBUSY,
		    "%s: cannot enable the %s controller in hutch's own cgroup '%s': it "
		    "holds processes, and cgroup v2 gives controllers only to children "
		    "of cgroups without processes; give linux.cgroupsPath an absolute "
		    "path outside it",
		    need->field, need->controller, dir);
	return error_msg(
	    err, EBUSY,
	    "%s: cannot enable the %s controller in '%s': it holds processes, and "
	    "cgroup v2 gives controllers only to children of cgroups without processes",
	    need->field, need->controller, dir);
}

/* Enable the needed controllers in one ancestor. */
static int
enable_in(const char *dir, bool is_root, const struct cgroup_needs *needs, struct hutch_error *err)
{
	char enabled[1024], available[1024];
	bool checked_procs = false;
	int r = cg_read(dir, "cgroup.subtree_control", enabled, sizeof(enabled));

	if (r == 0)
		r = cg_read(dir, "cgroup.controllers", available, sizeof(available));
	if (r < 0)
		return error_sys(err, -r, "read the controllers of '%s'", dir);
	for (size_t i = 0; i < needs->n; i++) {
		const struct cgroup_need *need = &needs->v[i];
		char value[40];

		if (word_in(enabled, need->controller))
			continue;
		if (!word_in(available, need->controller))
			return error_msg(err, EOPNOTSUPP,
			                 "%s: the %s controller is not available in '%s'",
			                 need->field, need->controller, dir);
		if (!is_root && !checked_procs) {
			if (cg_has_procs(dir))
				return internal_process_error(dir, need, err);
			checked_procs = true;
		}
		snprintf(value, sizeof(value), "+%s", need->controller);
		r = cg_write(dir, "cgroup.subtree_control", value, need->field, err);
		if (r < 0)
			return r;
	}
	return 0;
}

/* From the root down to the leaf's parent. */
static int
enable_controllers(const char *path, const struct cgroup_needs *needs, struct hutch_error *err)
{
	_cleanup_free_ char *dir = xasprintf(CGROUP_ROOT "%s", path);
	size_t base = strlen(CGROUP_ROOT);
	char *last = strrchr(dir, '/');
	int r;

	if (needs->n == 0)
		return 0;
	for (char *p = dir + base;; p = strchr(p + 1, '/')) {
		char c = *p;

		*p = '\0';
		r = enable_in(dir, p == dir + base, needs, err);
		*p = c;
		if (r < 0 || p == last)
			return r;
	}
}

/* ---- resources ---- */

struct v2_ctx {
	const char *dir;
	const struct spec_resources *res;
};

static int
write_num(const char *dir, const char *file, uint64_t v, const char *field, struct hutch_error *err)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	return cg_write(dir, file, buf, field, err);
}

static int
apply_cpuset(const struct v2_ctx *c, struct hutch_error *err)
{
	const struct spec_resources *res = c->res;
	int r;

	if (res->cpu.cpus && (r = cg_write(c->dir, "cpuset.cpus", res->cpu.cpus,
	                                   "linux.resources.cpu.cpus", err)) < 0)
		return r;
	if (res->cpu.mems)
		return cg_write(c->dir, "cpuset.mems", res->cpu.mems, "linux.resources.cpu.mems",
		                err);
	return 0;
}

static int
check_usage(const char *dir, int64_t limit, struct hutch_error *err)
{
	uint64_t usage;

	if (limit <= 0 || cg_read_u64(dir, "memory.current", &usage) < 0)
		return 0;
	if ((uint64_t)limit < usage)
		return error_msg(err, EBUSY,
		                 "linux.resources.memory.limit: %" PRId64
		                 " is below the current usage of %" PRIu64
		                 " bytes (checkBeforeUpdate)",
		                 limit, usage);
	return 0;
}

/* memory.max, memory.swap.max (swap alone on v2: the spec's memory + swap
 * less the limit) and memory.low. */
static int
apply_memory(const struct v2_ctx *c, struct hutch_error *err)
{
	const struct spec_resources *res = c->res;
	int64_t limit = res->memory.limit.set ? res->memory.limit.value : 0;
	int64_t swap = res->memory.swap.set ? res->memory.swap.value : 0;
	int64_t low = res->memory.reservation.set ? res->memory.reservation.value : 0;
	const char *swap_str;
	char buf[21];
	int r;

	if (limit == 0 && swap == 0 && low == 0)
		return 0;
	if (res->memory.check_before_update && (r = check_usage(c->dir, limit, err)) < 0)
		return r;
	r = cgroup_swap_to_v2(swap, limit, buf, &swap_str, err);
	if (r < 0)
		return r;
	/* Without swap accounting there is no memory.swap.max: "no swap"
	 * and "unlimited" then hold anyway. */
	if (swap_str &&
	    !(!cg_exists(c->dir, "memory.swap.max") &&
	      (strcmp(swap_str, "max") == 0 || strcmp(swap_str, "0") == 0)) &&
	    (r = cg_write(c->dir, "memory.swap.max", swap_str, "linux.resources.memory.swap",
	                  err)) < 0)
		return r;
	if (limit && (r = cg_write(c->dir, "memory.max", cgroup_limit_str(limit, buf),
	                           "linux.resources.memory.limit", err)) < 0)
		return r;
	if (low)
		return cg_write(c->dir, "memory.low", cgroup_limit_str(low, buf),
		                "linux.resources.memory.reservation", err);
	return 0;
}

static int
apply_pids(const struct v2_ctx *c, struct hutch_error *err)
{
	char buf[21];

	if (!c->res->pids_limit.set)
		return 0;
	return cg_write(
	    c->dir, "pids.max",
	    c->res->pids_limit.value <= 0 ? "max" : cgroup_limit_str(c->res->pids_limit.value, buf),
	    "linux.resources.pids.limit", err);
}

/* cpu.max is "$QUOTA $PERIOD"; the kernel keeps the period when only the
 * quota is written, and the quota must be written back to change only
 * the period. */
static int
write_cpu_max(const struct v2_ctx *c, struct hutch_error *err)
{
	const struct spec_resources *res = c->res;
	bool quota = res->cpu.quota.set && res->cpu.quota.value != 0;
	bool period = res->cpu.period.set && res->cpu.period.value != 0;
	char cur[64], q[64], value[96];

	if (!quota && !period)
		return 0;
	if (quota) {
		cgroup_limit_str(res->cpu.quota.value, q);
		if (res->cpu.quota.value < 0)
			snprintf(q, sizeof(q), "max");
	} else if (cg_read(c->dir, "cpu.max", cur, sizeof(cur)) == 0 && strchr(cur, ' ')) {
		*strchr(cur, ' ') = '\0';
		snprintf(q, sizeof(q), "%s", cur);
	} else {
		snprintf(q, sizeof(q), "max");
	}
	if (period)
		snprintf(value, sizeof(value), "%s %" PRIu64, q, res->cpu.period.value);
	else
		snprintf(value, sizeof(value), "%s", q);
	return cg_write(c->dir, "cpu.max", value,
	                quota ? "linux.resources.cpu.quota" : "linux.resources.cpu.period", err);
}

static int
apply_cpu(const struct v2_ctx *c, struct hutch_error *err)
{
	const struct spec_resources *res = c->res;
	bool burst_again = false;
	int r;

	if (res->cpu.idle.set && (r = write_num(c->dir, "cpu.idle", (uint64_t)res->cpu.idle.value,
	                                        "linux.resources.cpu.idle", err)) < 0)
		return r;
	if (res->cpu.shares.set && res->cpu.shares.value != 0 &&
	    (r = write_num(c->dir, "cpu.weight", cgroup_shares_to_weight(res->cpu.shares.value),
	                   "linux.resources.cpu.shares", err)) < 0)
		return r;
	/* A burst larger than the current quota is refused (EINVAL): once
	 * more after the new quota, as runc does. */
	if (res->cpu.burst.set) {
		r = write_num(c->dir, "cpu.max.burst", res->cpu.burst.value,
		              "linux.resources.cpu.burst", err);
		if (r == -EINVAL && res->cpu.quota.set)
			burst_again = true;
		else if (r < 0)
			return r;
	}
	r = write_cpu_max(c, err);
	if (r == 0 && burst_again)
		r = write_num(c->dir, "cpu.max.burst", res->cpu.burst.value,
		              "linux.resources.cpu.burst", err);
	return r;
}

struct io_limit {
	const char *field;
	const char *key; /* in io.max */
	size_t list;
	size_t count;
};

#define RES(member) offsetof(struct spec_resources, member)

static const struct io_limit io_limits[] = {
    {"linux.resources.blockIO.throttleReadBpsDevice", "rbps", RES(block_io.throttle_read_bps),
     RES(block_io.n_throttle_read_bps)},
    {"linux.resources.blockIO.throttleWriteBpsDevice", "wbps", RES(block_io.throttle_write_bps),
     RES(block_io.n_throttle_write_bps)},
    {"linux.resources.blockIO.throttleReadIOPSDevice", "riops", RES(block_io.throttle_read_iops),
     RES(block_io.n_throttle_read_iops)},
    {"linux.resources.blockIO.throttleWriteIOPSDevice", "wiops", RES(block_io.throttle_write_iops),
     RES(block_io.n_throttle_write_iops)},
};

static int
apply_io_max(const struct v2_ctx *c, struct hutch_error *err)
{
	for (size_t t = 0; t < ARRAY_SIZE(io_limits); t++) {
		const struct spec_block_device_rate *rates =
		    *(struct spec_block_device_rate *const *)((const char *)c->res +
		                                              io_limits[t].list);
		size_t n = *(const size_t *)((const char *)c->res + io_limits[t].count);

		for (size_t i = 0; i < n; i++) {
			char field[96], value[96];
			int r;

			snprintf(field, sizeof(field), "%s[%zu]", io_limits[t].field, i);
			snprintf(value, sizeof(value), "%" PRId64 ":%" PRId64 " %s=%" PRIu64,
			         rates[i].major, rates[i].minor, io_limits[t].key, rates[i].rate);
			r = cg_write(c->dir, "io.max", value, field, err);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

/* BFQ's io.bfq.weight takes blkio's scale as it is; io.weight (the
 * io.cost controller) its own, converted. */
static int
apply_io(const struct v2_ctx *c, struct hutch_error *err)
{
	const struct spec_resources *res = c->res;
	bool bfq = cg_exists(c->dir, "io.bfq.weight");
	const char *file = bfq ? "io.bfq.weight" : "io.weight";
	int r;

	if (res->block_io.weight.set && res->block_io.weight.value != 0) {
		uint64_t w = res->block_io.weight.value;

		r = write_num(c->dir, file, bfq ? w : cgroup_blkio_to_io_weight(w),
		              "linux.resources.blockIO.weight", err);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < res->block_io.n_weight_devices; i++) {
		const struct spec_block_device_weight *wd = &res->block_io.weight_devices[i];
		char field[80], value[80];

		if (!wd->weight.set)
			continue; /* leafWeight: no v2 equivalent, ignored as runc does */
		snprintf(field, sizeof(field), "linux.resources.blockIO.weightDevice[%zu]", i);
		snprintf(value, sizeof(value), "%" PRId64 ":%" PRId64 " %" PRIu64, wd->major,
		         wd->minor,
		         bfq ? wd->weight.value : cgroup_blkio_to_io_weight(wd->weight.value));
		r = cg_write(c->dir, file, value, field, err);
		if (r < 0)
			return r;
	}
	return apply_io_max(c, err);
}

static int
apply_hugetlb(const struct v2_ctx *c, struct hutch_error *err)
{
	for (size_t i = 0; i < c->res->n_hugepage_limits; i++) {
		const struct spec_hugepage_limit *h = &c->res->hugepage_limits[i];
		_cleanup_free_ char *max = xasprintf("hugetlb.%s.max", h->page_size);
		_cleanup_free_ char *rsvd = xasprintf("hugetlb.%s.rsvd.max", h->page_size);
		char field[64];
		int r;

		snprintf(field, sizeof(field), "linux.resources.hugepageLimits[%zu]", i);
		r = write_num(c->dir, max, h->limit, field, err);
		/* Since 5.7 reservations are limited apart; limit them too so
		 * that the limit holds for mmap(MAP_HUGETLB) as well. */
		if (r == 0 && cg_exists(c->dir, rsvd))
			r = write_num(c->dir, rsvd, h->limit, field, err);
		if (r < 0)
			return r;
	}
	return 0;
}

static int
apply_rdma(const struct v2_ctx *c, struct hutch_error *err)
{
	for (size_t i = 0; i < c->res->n_rdma; i++) {
		const struct spec_rdma_limit *l = &c->res->rdma[i];
		char field[128], handles[40] = "", objects[40] = "";
		_cleanup_free_ char *value = NULL;
		int r;

		if (l->hca_handles.set)
			snprintf(handles, sizeof(handles), " hca_handle=%" PRIu64,
			         l->hca_handles.value);
		if (l->hca_objects.set)
			snprintf(objects, sizeof(objects), " hca_object=%" PRIu64,
			         l->hca_objects.value);
		value = xasprintf("%s%s%s", l->device, handles, objects);
		snprintf(field, sizeof(field), "linux.resources.rdma[\"%.64s\"]", l->device);
		r = cg_write(c->dir, "rdma.max", value, field, err);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Last, so that a unified value overrides what the fields above wrote
 * (runc's order).  The parser refused names with '/', "." and "..". */
static int
apply_unified(const struct v2_ctx *c, struct hutch_error *err)
{
	for (size_t i = 0; i < c->res->n_unified; i++) {
		const struct spec_key_value *kv = &c->res->unified[i];
		char field[128];
		int r;

		if (strchr(kv->key, '/') || strcmp(kv->key, ".") == 0 ||
		    strcmp(kv->key, "..") == 0 || spec_unified_key_is_core(kv->key))
			return error_msg(
			    err, EINVAL,
			    "linux.resources.unified[\"%.64s\"]: not a cgroup file name", kv->key);
		snprintf(field, sizeof(field), "linux.resources.unified[\"%.64s\"]", kv->key);
		r = cg_write(c->dir, kv->key, kv->value, field, err);
		if (r < 0)
			return r;
	}
	return 0;
}

typedef int (*apply_step)(const struct v2_ctx *c, struct hutch_error *err);

/* The device policy: a BPF program (cgroup-v2-devices.c). */
static int
apply_devices(const struct v2_ctx *c, struct hutch_error *err)
{
	if (c->res->n_devices == 0)
		return 0;
	return cgroup_v2_devices_apply(c->dir, c->res->devices, c->res->n_devices, err);
}

static const apply_step apply_steps[] = {
    apply_cpuset,  apply_memory, apply_pids,    apply_cpu,     apply_io,
    apply_hugetlb, apply_rdma,   apply_unified, apply_devices,
};

static int
apply(const char *path, const struct spec_resources *res, struct hutch_error *err)
{
	_cleanup_free_ char *dir = xasprintf(CGROUP_ROOT "%s", path);
	const struct v2_ctx c = {.dir = dir, .res = res};
	struct cgroup_needs needs;
	int r = cgroup_resources_needs(res, true, &needs, err);

	if (r == 0)
		r = enable_controllers(path, &needs, err);
	for (size_t i = 0; r == 0 && i < ARRAY_SIZE(apply_steps); i++)
		r = apply_steps[i](&c, err);
	return r;
}

static int
v2_set(const struct cgroup *cg, const struct spec_resources *res, struct hutch_error *err)
{
	_cleanup_free_ char *dir = dir_of(cg);

	if (!cg_exists(dir, NULL))
		return error_msg(err, ENOENT, "cgroup '%s' does not exist", dir);
	return apply(cg->path, res, err);
}

/* ---- create, enter ---- */

static int
make_dirs(const char *dir, struct cg_made *made, bool *leaf, struct hutch_error *err)
{
	_cleanup_free_ char *cur = xstrdup(dir);
	int r;

	for (size_t i = strlen(CGROUP_ROOT) + 1;; i++) {
		char c = dir[i];

		if (c != '/' && c != '\0')
			continue;
		cur[i] = '\0';
		r = cg_mkdir(made, cur, leaf, err);
		if (r < 0 || c == '\0')
			return r;
		cur[i] = '/';
	}
}

static int
v2_create(struct cgroup *cg, const struct spec_resources *res, struct hutch_error *err)
{
	_cleanup_free_ char *dir = dir_of(cg);
	_cleanup_free_ pid_t *pids = NULL;
	struct cg_made made = {0};
	struct cgroup_needs needs;
	bool leaf = false;
	size_t n = 0;
	int r = cgroup_resources_needs(res, true, &needs, err);

	/* A concurrent destroy may remove hutch's default parent between
	 * our two mkdirs (ENOENT): once more. */
	for (int attempt = 0; r == 0; attempt++) {
		r = make_dirs(dir, &made, &leaf, err);
		if (r != -ENOENT || attempt == 3)
			break;
		r = 0;
	}
	if (r == 0 && !leaf && (r = cg_read_procs(dir, &pids, &n, err)) == 0 && n > 0)
		r = error_msg(err, EBUSY,
		              "container's cgroup is not empty: %zu process(es) found in '%s'", n,
		              dir);
	if (r == 0 && res)
		r = apply(cg->path, res, err);
	if (r < 0)
		cg_made_undo(&made);
	else
		cg->created = leaf;
	cg_made_free(&made);
	return r;
}

static int
v2_enter(const struct cgroup *cg, pid_t pid, struct hutch_error *err)
{
	_cleanup_free_ char *dir = dir_of(cg);
	char value[16];

	snprintf(value, sizeof(value), "%d", pid);
	return cg_write(dir, "cgroup.procs", value, NULL, err);
}

static int
v2_open_entry(const struct cgroup *cg, struct cgroup_entry *e, struct hutch_error *err)
{
	_cleanup_free_ char *dir = dir_of(cg);

	e->dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return e->dir_fd < 0 ? error_sys(err, errno, "open '%s'", dir) : 0;
}

/* ---- waiting on cgroup.events ---- */

static long
ms_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) * 1000 + (now.tv_nsec - start->tv_nsec) / 1000000;
}

/* Wait until `key` of cgroup.events reads `want`.  A change of the file
 * wakes poll() with POLLPRI (kernfs notification); the file is read again
 * from offset 0 each time.  -ETIMEDOUT after timeout_ms. */
static int
wait_event(const char *dir, const char *key, uint64_t want, int timeout_ms)
{
	_cleanup_free_ char *path = xasprintf("%s/cgroup.events", dir);
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct timespec start;

	if (fd < 0)
		return errno == ENOENT ? 0 : -errno; /* gone: nothing left to wait for */
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		struct pollfd pfd = {.fd = fd, .events = POLLPRI};
		char buf[256];
		ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
		long left;
		char *p;

		if (n < 0)
			return errno == ENODEV || errno == ENOENT ? 0 : -errno;
		buf[n] = '\0';
		for (p = buf; (p = strstr(p, key)); p++) {
			uint64_t v;
			char *nl;

			if ((p != buf && p[-1] != '\n') || p[strlen(key)] != ' ')
				continue;
			nl = strchr(p, '\n');
			if (nl)
				*nl = '\0';
			if (parse_u64(p + strlen(key) + 1, UINT64_MAX, &v) == 0 && v == want)
				return 0;
			break;
		}
		left = timeout_ms - ms_since(&start);
		if (left <= 0)
			return -ETIMEDOUT;
		/* Short slices: a kernel that does not notify is still seen. */
		if (poll(&pfd, 1, left < 50 ? (int)left : 50) < 0 && errno != EINTR)
			return -errno;
	}
}

/* ---- freezer ---- */

static int
v2_freeze(const struct cgroup *cg, bool frozen, struct hutch_error *err)
{
	_cleanup_free_ char *dir = dir_of(cg);
	int r;

	if (!cg_exists(dir, "cgroup.freeze"))
		return error_msg(err, EOPNOTSUPP,
		                 "%s '%s': no cgroup.freeze (the kernel's freezer is too old)",
		                 frozen ? "freeze" : "thaw", dir);
	r = cg_write(dir, "cgroup.freeze", frozen ? "1" : "0", NULL, err);
	if (r < 0)
		return r;
	r = wait_event(dir, "frozen", frozen ? 1 : 0, CGROUP_FREEZE_TIMEOUT_MS);
	if (r == 0)
		return 0;
	if (frozen)
		cg_write(dir, "cgroup.freeze", "0", NULL, err);
	if (r == -ETIMEDOUT)
		return error_msg(err, ETIMEDOUT, "%s '%s': not done after %d ms",
		                 frozen ? "freeze" : "thaw", dir, CGROUP_FREEZE_TIMEOUT_MS);
	return error_sys(err, -r, "read '%s/cgroup.events'", dir);
}

static bool
v2_is_frozen(const struct cgroup *cg)
{
	_cleanup_free_ char *dir = dir_of(cg);
	char buf[8];

	return cg_read(dir, "cgroup.freeze", buf, sizeof(buf)) == 0 && strcmp(buf, "1") == 0;
}

/* ---- processes, teardown ---- */

static char *
v2_procs_dir(const struct cgroup *cg)
{
	char *dir = dir_of(cg);

	if (cg_exists(dir, NULL))
		return dir;
	free(dir);
	return NULL;
}

static int
v2_kill_all(const struct cgroup *cg, int sig, struct hutch_error *err)
{
	_cleanup_free_ char *dir = v2_procs_dir(cg);
	int r;

	if (!dir)
		return 0;
	/* cgroup.kill (5.14) kills the whole subtree at once, forks
	 * included. */
	if (sig == SIGKILL && cg_exists(dir, "cgroup.kill"))
		return cg_write(dir, "cgroup.kill", "1", NULL, err);
	r = cg_signal_tree(dir, sig, err);
	return r < 0 ? r : 0;
}

static int
v2_wait_empty(const struct cgroup *cg, struct hutch_error *err)
{
	_cleanup_free_ char *dir = v2_procs_dir(cg);
	int r;

	if (!dir)
		return 0;
	r = wait_event(dir, "populated", 0, CGROUP_EMPTY_TIMEOUT_MS);
	if (r == -ETIMEDOUT)
		return error_msg(err, ETIMEDOUT, "cgroup '%s': processes still alive after %d ms",
		                 dir, CGROUP_EMPTY_TIMEOUT_MS);
	return r < 0 ? error_sys(err, -r, "read '%s/cgroup.events'", dir) : 0;
}

static int
v2_remove(const struct cgroup *cg, struct hutch_error *err)
{
	_cleanup_free_ char *dir = dir_of(cg);
	int r = cg_remove_tree(dir, err);

	if (r == 0)
		cg_remove_made_parents(dir, CGROUP_ROOT);
	return r;
}

/* ---- stats ---- */

static json_t *
stats_cpu(const char *dir)
{
	json_t *cpu = json_object(), *usage = json_object(), *thr = json_object();
	uint64_t v;

	/* cpu.stat counts microseconds; runc reports nanoseconds. */
	if (cg_read_key(dir, "cpu.stat", "usage_usec", &v) == 0)
		cg_json_set_u64(usage, "total", v * 1000);
	if (cg_read_key(dir, "cpu.stat", "system_usec", &v) == 0)
		cg_json_set_u64(usage, "kernel", v * 1000);
	if (cg_read_key(dir, "cpu.stat", "user_usec", &v) == 0)
		cg_json_set_u64(usage, "user", v * 1000);
	if (cg_read_key(dir, "cpu.stat", "nr_periods", &v) == 0)
		cg_json_set_u64(thr, "periods", v);
	if (cg_read_key(dir, "cpu.stat", "nr_throttled", &v) == 0)
		cg_json_set_u64(thr, "throttledPeriods", v);
	if (cg_read_key(dir, "cpu.stat", "throttled_usec", &v) == 0)
		cg_json_set_u64(thr, "throttledTime", v * 1000);
	json_object_set_new(cpu, "usage", usage);
	json_object_set_new(cpu, "throttling", thr);
	return cpu;
}

static json_t *
stats_memory(const char *dir)
{
	json_t *mem = json_object(), *raw = cg_json_keyed(dir, "memory.stat"), *file;
	json_t *usage = json_object(), *swap = json_object();
	uint64_t cur = 0, max = UINT64_MAX, v;

	file = json_object_get(raw, "file");
	json_object_set_new(mem, "cache", file ? json_incref(file) : json_integer(0));
	if (cg_read_u64(dir, "memory.current", &cur) == 0)
		cg_json_set_u64(usage, "usage", cur);
	if (cg_read_u64(dir, "memory.max", &max) == 0)
		cg_json_set_u64(usage, "limit", max);
	if (cg_read_u64(dir, "memory.peak", &v) == 0)
		cg_json_set_u64(usage, "max", v);
	cg_json_set_u64(usage, "failcnt", 0);
	/* v1 reports swap as memory + swap: so does runc on v2. */
	if (cg_read_u64(dir, "memory.swap.current", &v) == 0)
		cg_json_set_u64(swap, "usage", v + cur);
	if (cg_read_u64(dir, "memory.swap.max", &v) == 0)
		cg_json_set_u64(swap, "limit",
		                v == UINT64_MAX || max == UINT64_MAX ? UINT64_MAX : v + max);
	cg_json_set_u64(swap, "failcnt", 0);
	json_object_set_new(mem, "usage", usage);
	json_object_set_new(mem, "swap", swap);
	json_object_set_new(mem, "raw", raw);
	return mem;
}

static json_t *
stats_pids(const char *dir)
{
	json_t *pids = json_object();
	uint64_t v;

	if (cg_read_u64(dir, "pids.current", &v) == 0)
		cg_json_set_u64(pids, "current", v);
	if (cg_read_u64(dir, "pids.max", &v) == 0)
		cg_json_set_u64(pids, "limit", v == UINT64_MAX ? 0 : v);
	return pids;
}

/* io.stat: "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0" per
 * device, mapped to v1's tables as runc maps them. */
static json_t *
stats_io(const char *dir)
{
	static const struct {
		const char *key, *table, *op;
	} map[] = {{"rbytes", "ioServiceBytesRecursive", "Read"},
	           {"wbytes", "ioServiceBytesRecursive", "Write"},
	           {"rios", "ioServicedRecursive", "Read"},
	           {"wios", "ioServicedRecursive", "Write"}};
	_cleanup_free_ char *path = xasprintf("%s/io.stat", dir), *text = NULL;
	json_t *blkio = json_object();
	struct hutch_error ignored;
	char *save = NULL;

	json_object_set_new(blkio, "ioServiceBytesRecursive", json_array());
	json_object_set_new(blkio, "ioServicedRecursive", json_array());
	if (read_file_at(AT_FDCWD, path, 1 << 20, &text, NULL, &ignored) < 0)
		return blkio;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long long major, minor;
		char *save2 = NULL, *tok = strtok_r(line, " ", &save2);

		if (!tok || sscanf(tok, "%llu:%llu", &major, &minor) != 2)
			continue;
		while ((tok = strtok_r(NULL, " ", &save2))) {
			char *eq = strchr(tok, '=');
			uint64_t v;

			if (!eq || parse_u64(eq + 1, UINT64_MAX, &v) < 0)
				continue;
			*eq = '\0';
			for (size_t i = 0; i < ARRAY_SIZE(map); i++)
				if (strcmp(tok, map[i].key) == 0)
					json_array_append_new(
					    json_object_get(blkio, map[i].table),
					    json_pack("{s:I,s:I,s:s,s:o}", "major",
					              (json_int_t)major, "minor", (json_int_t)minor,
					              "op", map[i].op, "value", cg_json_u64(v)));
		}
	}
	return blkio;
}

static json_t *
stats_hugetlb(const char *dir)
{
	static const char *const sizes_dir = "/sys/kernel/mm/hugepages";
	json_t *out = json_object();
	_cleanup_strv_ char **sizes = NULL;
	size_t n = 0;
	DIR *d = opendir(sizes_dir);
	struct dirent *e;

	if (!d)
		return out;
	/* "hugepages-2048kB" -> "2MB", the name the cgroup files use. */
	while ((e = readdir(d))) {
		unsigned long kb;
		static const char *const units[] = {"KB", "MB", "GB", "TB"};
		size_t u = 0;

		if (sscanf(e->d_name, "hugepages-%lukB", &kb) != 1)
			continue;
		while (kb >= 1024 && kb % 1024 == 0 && u + 1 < ARRAY_SIZE(units)) {
			kb /= 1024;
			u++;
		}
		sizes = xrealloc(sizes, n + 2, sizeof(*sizes));
		sizes[n++] = xasprintf("%lu%s", kb, units[u]);
		sizes[n] = NULL;
	}
	closedir(d);
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *cur = xasprintf("hugetlb.%s.current", sizes[i]);
		_cleanup_free_ char *events = xasprintf("hugetlb.%s.events", sizes[i]);
		json_t *h;
		uint64_t v;

		if (cg_read_u64(dir, cur, &v) < 0)
			continue;
		h = json_object();
		cg_json_set_u64(h, "usage", v);
		cg_json_set_u64(h, "failcnt", cg_read_key(dir, events, "max", &v) == 0 ? v : 0);
		json_object_set_new(out, sizes[i], h);
	}
	return out;
}

static int
v2_stats(const struct cgroup *cg, json_t *data, struct hutch_error *err)
{
	_cleanup_free_ char *dir = v2_procs_dir(cg);

	if (!dir)
		return error_msg(err, ENOENT, "cgroup '%s' does not exist", cg->path);
	json_object_set_new(data, "cpu", stats_cpu(dir));
	json_object_set_new(data, "memory", stats_memory(dir));
	json_object_set_new(data, "pids", stats_pids(dir));
	json_object_set_new(data, "blkio", stats_io(dir));
	json_object_set_new(data, "hugetlb", stats_hugetlb(dir));
	return 0;
}

/* ---- OOM notification: inotify on memory.events ---- */

static int
v2_oom_open(const struct cgroup *cg, uint64_t *count, struct hutch_error *err)
{
	_cleanup_free_ char *dir = dir_of(cg), *events = NULL;
	_cleanup_close_ int fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);

	if (fd < 0)
		return error_sys(err, errno, "inotify_init1");
	events = xasprintf("%s/memory.events", dir);
	/* memory.events is "modified" whenever one of its counters moves. */
	if (inotify_add_watch(fd, events, IN_MODIFY) < 0)
		return error_sys(err, errno, "watch '%s'", events);
	*count = 0;
	cg_read_key(dir, "memory.events", "oom_kill", count);
	return TAKE_FD(fd);
}

static int
v2_oom_check(const struct cgroup *cg, int fd, uint64_t *count)
{
	_cleanup_free_ char *dir = dir_of(cg);
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	uint64_t now;

	while (read_eintr(fd, buf, sizeof(buf)) > 0)
		;
	if (cg_read_key(dir, "memory.events", "oom_kill", &now) < 0)
		return -ENOENT;
	if (now <= *count)
		return 0;
	*count = now;
	return 1;
}

const struct cgroup_ops cgroup_v2_ops = {
    .name = "v2",
    .create = v2_create,
    .enter = v2_enter,
    .open_entry = v2_open_entry,
    .set = v2_set,
    .freeze = v2_freeze,
    .is_frozen = v2_is_frozen,
    .procs_dir = v2_procs_dir,
    .kill_all = v2_kill_all,
    .wait_empty = v2_wait_empty,
    .remove = v2_remove,
    .stats = v2_stats,
    .oom_open = v2_oom_open,
    .oom_check = v2_oom_check,
};
