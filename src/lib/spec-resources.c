/*
 * spec-resources.c - linux.resources: the cgroup limits, checked for type
 * and range here and applied by the cgroup module.  Names that end up in
 * cgroup file names (hugepage sizes, unified keys) are checked so that they
 * cannot point outside the container's cgroup directory.
 */
#include <errno.h>

#include "spec-internal.h"
#include "util.h"
#include "banned.h"

typedef int (*resources_step)(json_t *obj, const char *path, struct spec_resources *r,
                              struct hutch_error *err);

static int
get_opt_i64(json_t *obj, const char *path, const char *key, int64_t min, int64_t max,
            struct spec_opt_i64 *out, struct hutch_error *err)
{
	int r = spec_get_i64(obj, path, key, min, max, &out->value, err);

	out->set = r > 0;
	return r < 0 ? r : 0;
}

static int
get_opt_u64(json_t *obj, const char *path, const char *key, uint64_t max, struct spec_opt_u64 *out,
            struct hutch_error *err)
{
	int r = spec_get_u64(obj, path, key, max, &out->value, err);

	out->set = r > 0;
	return r < 0 ? r : 0;
}

/* Open a member object and compute its path; 0 when absent. */
static int
open_section(json_t *obj, const char *path, const char *key, json_t **out, char sub[SPEC_PATH_MAX],
             struct hutch_error *err)
{
	int r = spec_get_object(obj, path, key, out, err);

	if (r > 0)
		spec_path_key(sub, path, key);
	return r;
}

/* ---- devices ---- */

static int
parse_access(json_t *v, const char *path, struct spec_device_rule *d, struct hutch_error *err)
{
	const char *s = "";
	size_t n = 0;

	if (!spec_field(v, "access")) {
		memcpy(d->access, "rwm", 4);
		return 0;
	}
	if (spec_value_str(spec_field(v, "access"), path, "access", &s, err) < 0)
		return -EINVAL;
	for (const char *p = s; *p; p++) {
		if (!strchr("rwm", *p) || n == 3 || memchr(d->access, *p, n))
			return spec_error(
			    err, path, "access",
			    "expected a combination of r, w and m, got '" SPEC_QUOTE "'", s);
		d->access[n++] = *p;
	}
	d->access[n] = '\0';
	return 0;
}

static int
parse_device_rule(json_t *v, const char *path, struct spec_device_rule *d, struct hutch_error *err)
{
	const char *type = "a";
	json_t *t;
	int r;

	if (spec_value_object(v, path, NULL, err) < 0)
		return -EINVAL;
	r = spec_get_bool(v, path, "allow", &d->allow, err);
	if (r <= 0)
		return r < 0 ? r : spec_missing(err, path, "allow");
	t = spec_field(v, "type");
	if (t && spec_value_str(t, path, "type", &type, err) < 0)
		return -EINVAL;
	if (strlen(type) != 1 || !strchr("acb", type[0]))
		return spec_error(err, path, "type",
		                  "unknown device type '" SPEC_QUOTE "', expected a, c or b", type);
	d->type = type[0];
	d->major = d->minor = -1;
	if (spec_get_i64(v, path, "major", -1, UINT32_MAX, &d->major, err) < 0 ||
	    spec_get_i64(v, path, "minor", -1, UINT32_MAX, &d->minor, err) < 0)
		return -EINVAL;
	return parse_access(v, path, d, err);
}

static int
parse_devices(json_t *obj, const char *path, struct spec_resources *res, struct hutch_error *err)
{
	json_t *arr = NULL, *v;
	size_t i;
	int r = spec_get_array(obj, path, "devices", &arr, err);

	if (r <= 0)
		return r;
	res->devices = xcalloc(json_array_size(arr), sizeof(*res->devices));
	res->n_devices = json_array_size(arr);
	json_array_foreach (arr, i, v) {
		char item[SPEC_PATH_MAX];

		spec_path_index(item, path, "devices", i);
		if (parse_device_rule(v, item, &res->devices[i], err) < 0)
			return -EINVAL;
	}
	return 0;
}

/* ---- memory, cpu, pids ---- */

static int
parse_memory(json_t *obj, const char *path, struct spec_resources *res, struct hutch_error *err)
{
	char p[SPEC_PATH_MAX];
	json_t *m = NULL;
	int r = open_section(obj, path, "memory", &m, p, err);

	if (r <= 0)
		return r;
	/* -1 means "unlimited" for every limit. */
	if (get_opt_i64(m, p, "limit", -1, INT64_MAX, &res->memory.limit, err) < 0 ||
	    get_opt_i64(m, p, "reservation", -1, INT64_MAX, &res->memory.reservation, err) < 0 ||
	    get_opt_i64(m, p, "swap", -1, INT64_MAX, &res->memory.swap, err) < 0 ||
	    get_opt_i64(m, p, "kernel", -1, INT64_MAX, &res->memory.kernel, err) < 0 ||
	    get_opt_i64(m, p, "kernelTCP", -1, INT64_MAX, &res->memory.kernel_tcp, err) < 0 ||
	    get_opt_u64(m, p, "swappiness", 100, &res->memory.swappiness, err) < 0 ||
	    spec_get_bool(m, p, "disableOOMKiller", &res->memory.disable_oom_killer, err) < 0 ||
	    spec_get_bool(m, p, "checkBeforeUpdate", &res->memory.check_before_update, err) < 0)
		return -EINVAL;
	r = spec_get_bool(m, p, "useHierarchy", &res->memory.use_hierarchy, err);
	res->memory.has_use_hierarchy = r > 0;
	if (r >= 0 && res->memory.limit.value > 0 && res->memory.swap.value > 0 &&
	    res->memory.swap.value < res->memory.limit.value)
		return spec_error(err, p, "swap", "smaller than limit (swap counts memory too)");
	return r < 0 ? r : 0;
}

static int
parse_cpu(json_t *obj, const char *path, struct spec_resources *res, struct hutch_error *err)
{
	char p[SPEC_PATH_MAX];
	json_t *c = NULL;
	int r = open_section(obj, path, "cpu", &c, p, err);

	if (r <= 0)
		return r;
	if (get_opt_u64(c, p, "shares", UINT64_MAX, &res->cpu.shares, err) < 0 ||
	    get_opt_i64(c, p, "quota", -1, INT64_MAX, &res->cpu.quota, err) < 0 ||
	    get_opt_u64(c, p, "burst", UINT64_MAX, &res->cpu.burst, err) < 0 ||
	    get_opt_u64(c, p, "period", UINT64_MAX, &res->cpu.period, err) < 0 ||
	    get_opt_i64(c, p, "realtimeRuntime", -1, INT64_MAX, &res->cpu.realtime_runtime, err) <
	        0 ||
	    get_opt_u64(c, p, "realtimePeriod", UINT64_MAX, &res->cpu.realtime_period, err) < 0 ||
	    spec_get_str(c, p, "cpus", &res->cpu.cpus, err) < 0 ||
	    spec_get_str(c, p, "mems", &res->cpu.mems, err) < 0 ||
	    get_opt_i64(c, p, "idle", 0, 1, &res->cpu.idle, err) < 0)
		return -EINVAL;
	/* "" leaves the value as it is (runc); anything else must be a list
	 * the kernel takes, checked now rather than when the file is written. */
	if (res->cpu.cpus && *res->cpu.cpus && !spec_valid_cpu_list(res->cpu.cpus))
		return spec_error(err, p, "cpus",
		                  "expected a CPU list like '0-3,7', got '" SPEC_QUOTE "'",
		                  res->cpu.cpus);
	if (res->cpu.mems && *res->cpu.mems && !spec_valid_cpu_list(res->cpu.mems))
		return spec_error(err, p, "mems",
		                  "expected a node list like '0-1', got '" SPEC_QUOTE "'",
		                  res->cpu.mems);
	if (res->cpu.burst.set && res->cpu.quota.value > 0 &&
	    res->cpu.burst.value > (uint64_t)res->cpu.quota.value)
		return spec_error(err, p, "burst", "larger than quota");
	return 0;
}

static int
parse_pids(json_t *obj, const char *path, struct spec_resources *res, struct hutch_error *err)
{
	char p[SPEC_PATH_MAX];
	json_t *pids = NULL;
	int r = open_section(obj, path, "pids", &pids, p, err);

	if (r <= 0)
		return r;
	/* 0 and -1 both mean "no limit", as in runc. */
	return get_opt_i64(pids, p, "limit", -1, INT64_MAX, &res->pids_limit, err);
}

/* ---- blockIO ---- */

static int
get_dev_numbers(json_t *v, const char *path, int64_t *major, int64_t *minor,
                struct hutch_error *err)
{
	int r = spec_get_i64(v, path, "major", 0, UINT32_MAX, major, err);

	if (r == 0)
		return spec_missing(err, path, "major");
	r = r < 0 ? r : spec_get_i64(v, path, "minor", 0, UINT32_MAX, minor, err);
	if (r == 0)
		return spec_missing(err, path, "minor");
	return r < 0 ? r : 0;
}

static int
parse_weight_device(json_t *v, const char *path, struct spec_block_device_weight *w,
                    struct hutch_error *err)
{
	if (spec_value_object(v, path, NULL, err) < 0 ||
	    get_dev_numbers(v, path, &w->major, &w->minor, err) < 0 ||
	    get_opt_u64(v, path, "weight", UINT16_MAX, &w->weight, err) < 0 ||
	    get_opt_u64(v, path, "leafWeight", UINT16_MAX, &w->leaf_weight, err) < 0)
		return -EINVAL;
	if (!w->weight.set && !w->leaf_weight.set)
		return spec_error(err, path, NULL, "needs weight or leafWeight");
	return 0;
}

static int
parse_weight_devices(json_t *blk, const char *path, struct spec_resources *res,
                     struct hutch_error *err)
{
	json_t *arr = NULL, *v;
	size_t i;
	int r = spec_get_array(blk, path, "weightDevice", &arr, err);

	if (r <= 0)
		return r;
	res->block_io.weight_devices =
	    xcalloc(json_array_size(arr), sizeof(struct spec_block_device_weight));
	res->block_io.n_weight_devices = json_array_size(arr);
	json_array_foreach (arr, i, v) {
		char item[SPEC_PATH_MAX];

		spec_path_index(item, path, "weightDevice", i);
		if (parse_weight_device(v, item, &res->block_io.weight_devices[i], err) < 0)
			return -EINVAL;
	}
	return 0;
}

static int
parse_rates(json_t *blk, const char *path, const char *key, struct spec_block_device_rate **out,
            size_t *n, struct hutch_error *err)
{
	json_t *arr = NULL, *v;
	size_t i;
	int r = spec_get_array(blk, path, key, &arr, err);

	if (r <= 0)
		return r;
	*out = xcalloc(json_array_size(arr), sizeof(**out));
	*n = json_array_size(arr);
	json_array_foreach (arr, i, v) {
		struct spec_block_device_rate *rate = &(*out)[i];
		char item[SPEC_PATH_MAX];
		int rr;

		spec_path_index(item, path, key, i);
		if (spec_value_object(v, item, NULL, err) < 0 ||
		    get_dev_numbers(v, item, &rate->major, &rate->minor, err) < 0)
			return -EINVAL;
		rr = spec_get_u64(v, item, "rate", UINT64_MAX, &rate->rate, err);
		if (rr <= 0)
			return rr < 0 ? rr : spec_missing(err, item, "rate");
	}
	return 0;
}

static int
parse_block_io(json_t *obj, const char *path, struct spec_resources *res, struct hutch_error *err)
{
	char p[SPEC_PATH_MAX];
	json_t *b = NULL;
	int r = open_section(obj, path, "blockIO", &b, p, err);

	if (r <= 0)
		return r;
	if (get_opt_u64(b, p, "weight", UINT16_MAX, &res->block_io.weight, err) < 0 ||
	    get_opt_u64(b, p, "leafWeight", UINT16_MAX, &res->block_io.leaf_weight, err) < 0 ||
	    parse_weight_devices(b, p, res, err) < 0 ||
	    parse_rates(b, p, "throttleReadBpsDevice", &res->block_io.throttle_read_bps,
	                &res->block_io.n_throttle_read_bps, err) < 0 ||
	    parse_rates(b, p, "throttleWriteBpsDevice", &res->block_io.throttle_write_bps,
	                &res->block_io.n_throttle_write_bps, err) < 0 ||
	    parse_rates(b, p, "throttleReadIOPSDevice", &res->block_io.throttle_read_iops,
	                &res->block_io.n_throttle_read_iops, err) < 0 ||
	    parse_rates(b, p, "throttleWriteIOPSDevice", &res->block_io.throttle_write_iops,
	                &res->block_io.n_throttle_write_iops, err) < 0)
		return -EINVAL;
	return 0;
}

/* ---- hugepageLimits, network, rdma, unified ---- */

static bool
valid_page_size(const char *s)
{
	/* "<digits><K|M|G...>B": it becomes part of a hugetlb.* file name. */
	size_t digits = strspn(s, "0123456789");

	return digits > 0 && s[digits] && strchr("KMGTPE", s[digits]) && s[digits + 1] == 'B' &&
	       s[digits + 2] == '\0';
}

static int
parse_hugepage(json_t *v, const char *path, struct spec_hugepage_limit *h, struct hutch_error *err)
{
	int r;

	if (spec_value_object(v, path, NULL, err) < 0)
		return -EINVAL;
	r = spec_get_str(v, path, "pageSize", &h->page_size, err);
	if (r <= 0)
		return r < 0 ? r : spec_missing(err, path, "pageSize");
	if (!valid_page_size(h->page_size))
		return spec_error(err, path, "pageSize",
		                  "expected a size like 2MB or 1GB, got '" SPEC_QUOTE "'",
		                  h->page_size);
	r = spec_get_u64(v, path, "limit", UINT64_MAX, &h->limit, err);
	return r <= 0 ? (r < 0 ? r : spec_missing(err, path, "limit")) : 0;
}

static int
parse_hugepages(json_t *obj, const char *path, struct spec_resources *res, struct hutch_error *err)
{
	json_t *arr = NULL, *v;
	size_t i;
	int r = spec_get_array(obj, path, "hugepageLimits", &arr, err);

	if (r <= 0)
		return r;
	res->hugepage_limits = xcalloc(json_array_size(arr), sizeof(*res->hugepage_limits));
	res->n_hugepage_limits = json_array_size(arr);
	json_array_foreach (arr, i, v) {
		char item[SPEC_PATH_MAX];

		spec_path_index(item, path, "hugepageLimits", i);
		if (parse_hugepage(v, item, &res->hugepage_limits[i], err) < 0)
			return -EINVAL;
	}
	return 0;
}

static int
parse_priority(json_t *v, const char *path, struct spec_net_priority *p, struct hutch_error *err)
{
	int r;

	if (spec_value_object(v, path, NULL, err) < 0)
		return -EINVAL;
	r = spec_get_str(v, path, "name", &p->name, err);
	if (r <= 0)
		return r < 0 ? r : spec_missing(err, path, "name");
	/* Written as "<name> <prio>" lines into net_prio.ifpriomap. */
	if (!spec_valid_ifname(p->name))
		return spec_error(err, path, "name", "invalid interface name '" SPEC_QUOTE "'",
		                  p->name);
	r = spec_get_u32(v, path, "priority", &p->priority, err);
	return r <= 0 ? (r < 0 ? r : spec_missing(err, path, "priority")) : 0;
}

static int
parse_network(json_t *obj, const char *path, struct spec_resources *res, struct hutch_error *err)
{
	char p[SPEC_PATH_MAX];
	json_t *net = NULL, *arr = NULL, *v;
	size_t i;
	int r = open_section(obj, path, "network", &net, p, err);

	if (r <= 0)
		return r;
	if (get_opt_u64(net, p, "classID", UINT32_MAX, &res->network.class_id, err) < 0)
		return -EINVAL;
	r = spec_get_array(net, p, "priorities", &arr, err);
	if (r <= 0)
		return r;
	res->network.priorities = xcalloc(json_array_size(arr), sizeof(*res->network.priorities));
	res->network.n_priorities = json_array_size(arr);
	json_array_foreach (arr, i, v) {
		char item[SPEC_PATH_MAX];

		spec_path_index(item, p, "priorities", i);
		if (parse_priority(v, item, &res->network.priorities[i], err) < 0)
			return -EINVAL;
	}
	return 0;
}

static bool
valid_token(const char *s)
{
	/* Written as "<device> key=value" into rdma.max: one word. */
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f || *s == '=')
			return false;
	return true;
}

static int
parse_rdma(json_t *obj, const char *path, struct spec_resources *res, struct hutch_error *err)
{
	json_t *rdma = NULL, *v;
	const char *dev;
	int r = spec_get_object(obj, path, "rdma", &rdma, err);

	if (r <= 0)
		return r;
	res->rdma = xcalloc(json_object_size(rdma), sizeof(*res->rdma));
	json_object_foreach (rdma, dev, v) {
		struct spec_rdma_limit *l = &res->rdma[res->n_rdma++];
		char item[SPEC_PATH_MAX];

		spec_path_map(item, path, "rdma", dev);
		if (!valid_token(dev))
			return spec_error(err, item, NULL, "invalid device name");
		l->device = xstrdup(dev);
		if (spec_value_object(v, item, NULL, err) < 0 ||
		    get_opt_u64(v, item, "hcaHandles", UINT32_MAX, &l->hca_handles, err) < 0 ||
		    get_opt_u64(v, item, "hcaObjects", UINT32_MAX, &l->hca_objects, err) < 0)
			return -EINVAL;
		if (!l->hca_handles.set && !l->hca_objects.set)
			return spec_error(err, item, NULL, "needs hcaHandles or hcaObjects");
	}
	return 0;
}

bool
spec_unified_key_is_core(const char *key)
{
	static const char *const core[] = {"cgroup.procs",           "cgroup.threads",
	                                   "cgroup.subtree_control", "cgroup.kill",
	                                   "cgroup.freeze",          "cgroup.type"};

	for (size_t i = 0; i < ARRAY_SIZE(core); i++)
		if (strcmp(key, core[i]) == 0)
			return true;
	return false;
}

static int
parse_unified(json_t *obj, const char *path, struct spec_resources *res, struct hutch_error *err)
{
	int r = spec_get_string_map(obj, path, "unified", &res->unified, &res->n_unified, err);

	for (size_t i = 0; r > 0 && i < res->n_unified; i++) {
		const char *key = res->unified[i].key;
		char item[SPEC_PATH_MAX];

		/* Each key is a file in the container's cgroup directory and
		 * must stay one; and the core files would move processes in
		 * (cgroup.procs), out of reach or kill them: not limits. */
		spec_path_map(item, path, "unified", key);
		if (!*key || strchr(key, '/') || strcmp(key, ".") == 0 || strcmp(key, "..") == 0)
			return spec_error(err, item, NULL, "not a cgroup file name");
		if (spec_unified_key_is_core(key))
			return spec_error(err, item, NULL, "a core cgroup file, not a limit");
	}
	return r < 0 ? r : 0;
}

static const resources_step resources_steps[] = {
    parse_devices,   parse_memory,  parse_cpu,  parse_pids,    parse_block_io,
    parse_hugepages, parse_network, parse_rdma, parse_unified,
};

int
spec_resources_parse(json_t *obj, const char *path, struct spec_resources **out,
                     struct hutch_error *err)
{
	struct spec_resources *res = xcalloc(1, sizeof(*res));

	for (size_t i = 0; i < ARRAY_SIZE(resources_steps); i++) {
		if (resources_steps[i](obj, path, res, err) < 0) {
			spec_resources_free(res);
			return -EINVAL;
		}
	}
	spec_resources_free(*out);
	*out = res;
	return 0;
}

void
spec_resources_free(struct spec_resources *r)
{
	if (!r)
		return;
	free(r->devices);
	free(r->cpu.cpus);
	free(r->cpu.mems);
	free(r->block_io.weight_devices);
	free(r->block_io.throttle_read_bps);
	free(r->block_io.throttle_write_bps);
	free(r->block_io.throttle_read_iops);
	free(r->block_io.throttle_write_iops);
	for (size_t i = 0; r->hugepage_limits && i < r->n_hugepage_limits; i++)
		free(r->hugepage_limits[i].page_size);
	free(r->hugepage_limits);
	for (size_t i = 0; r->network.priorities && i < r->network.n_priorities; i++)
		free(r->network.priorities[i].name);
	free(r->network.priorities);
	for (size_t i = 0; r->rdma && i < r->n_rdma; i++)
		free(r->rdma[i].device);
	free(r->rdma);
	spec_key_values_free(r->unified, r->n_unified);
	free(r);
}
