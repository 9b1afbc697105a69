/*
 * fuzz-resources.c - spec_resources_parse_json() (the LinuxResources
 * document of `update --resources`) on arbitrary bytes.  Besides the error
 * contract of the other targets, a parsed object must keep the ranges the
 * cgroup writers take for granted.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz-common.h"
#include "fuzz.h"
#include "spec.h"

static bool
bad_opt_i64(const struct spec_opt_i64 *o, int64_t min, int64_t max)
{
	return o->set && (o->value < min || o->value > max);
}

static bool
bad_device_rule(const struct spec_device_rule *d)
{
	size_t n = strnlen(d->access, sizeof(d->access));

	if (!d->type || !strchr("acb", d->type) || n == sizeof(d->access) ||
	    strspn(d->access, "rwm") != n)
		return true;
	for (size_t i = 0; i < n; i++)
		if (memchr(d->access + i + 1, d->access[i], n - i - 1))
			return true;
	return d->major < -1 || d->major > UINT32_MAX || d->minor < -1 || d->minor > UINT32_MAX;
}

static void
check_resources(const struct spec_resources *r)
{
	for (size_t i = 0; i < r->n_devices; i++)
		if (bad_device_rule(&r->devices[i]))
			abort();
	if (bad_opt_i64(&r->memory.limit, -1, INT64_MAX) ||
	    bad_opt_i64(&r->memory.reservation, -1, INT64_MAX) ||
	    bad_opt_i64(&r->memory.swap, -1, INT64_MAX) ||
	    bad_opt_i64(&r->cpu.quota, -1, INT64_MAX) || bad_opt_i64(&r->cpu.idle, 0, 1) ||
	    bad_opt_i64(&r->pids_limit, -1, INT64_MAX) ||
	    (r->memory.swappiness.set && r->memory.swappiness.value > 100))
		abort();
	/* cgroup_swap_to_v2() and the v1 writers rely on these. */
	if (r->memory.limit.value > 0 && r->memory.swap.value > 0 &&
	    r->memory.swap.value < r->memory.limit.value)
		abort();
	if (r->cpu.burst.set && r->cpu.quota.value > 0 &&
	    r->cpu.burst.value > (uint64_t)r->cpu.quota.value)
		abort();
	for (size_t i = 0; i < r->n_unified; i++) {
		const char *key = r->unified[i].key;

		if (!key || !*key || strchr(key, '/') || strcmp(key, ".") == 0 ||
		    strcmp(key, "..") == 0 || spec_unified_key_is_core(key) || !r->unified[i].value)
			abort();
	}
	for (size_t i = 0; i < r->n_rdma; i++)
		if (!r->rdma[i].device ||
		    (!r->rdma[i].hca_handles.set && !r->rdma[i].hca_objects.set))
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hutch_error err = {0};
	struct spec_resources *res = NULL;
	int r = spec_resources_parse_json((const char *)data, size, &res, &err);

	if (r == 0 && !res)
		abort();
	if (r < 0 && (res || fuzz_bad_error(&err)))
		abort();
	if (res)
		check_resources(res);
	spec_resources_free(res);
	return 0;
}
