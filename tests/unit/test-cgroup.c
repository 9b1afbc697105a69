/*
 * test-cgroup.c - the pure parts of the cgroup module: the v1 -> v2 value
 * conversions, the parsers of `update` and `events` flags, and the check
 * of what resources need per mode.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "cgroup-convert.h"
#include "cgroup-internal.h"
#include "spec.h"
#include "tap.h"
#include "util.h"
#include "banned.h"

static void
test_weights(void)
{
	ok(cgroup_shares_to_weight(0) == 0, "shares 0 (unset) stays 0");
	ok(cgroup_shares_to_weight(2) == 1, "shares 2 -> weight 1");
	ok(cgroup_shares_to_weight(1024) == 39, "shares 1024 (the default) -> weight 39");
	ok(cgroup_shares_to_weight(262144) == 10000, "shares 262144 -> weight 10000");
	ok(cgroup_shares_to_weight(1) == 1, "shares below 2 clamped");
	ok(cgroup_shares_to_weight(1u << 30) == 10000, "shares above 262144 clamped");
	ok(cgroup_blkio_to_io_weight(0) == 0, "blkio weight 0 (unset) stays 0");
	ok(cgroup_blkio_to_io_weight(10) == 1, "blkio 10 -> io 1");
	ok(cgroup_blkio_to_io_weight(500) == 4950, "blkio 500 -> io 4950");
	ok(cgroup_blkio_to_io_weight(1000) == 10000, "blkio 1000 -> io 10000");
}

static void
test_swap(void)
{
	struct hutch_error err;
	const char *out;
	char buf[21];

	ok(cgroup_swap_to_v2(0, 0, buf, &out, &err) == 0 && !out, "nothing set: nothing written");
	ok(cgroup_swap_to_v2(0, 1 << 20, buf, &out, &err) == 0 && !out,
	   "limit alone: swap left alone");
	ok(cgroup_swap_to_v2(0, -1, buf, &out, &err) == 0 && out && strcmp(out, "max") == 0,
	   "unlimited memory, swap unset: swap unlimited too");
	ok(cgroup_swap_to_v2(-1, 1 << 20, buf, &out, &err) == 0 && out && strcmp(out, "max") == 0,
	   "swap -1: max");
	ok(cgroup_swap_to_v2(3 << 20, 1 << 20, buf, &out, &err) == 0 && out &&
	       strcmp(out, "2097152") == 0,
	   "swap is memory+swap: 3M - 1M = 2M");
	ok(cgroup_swap_to_v2(1 << 20, 1 << 20, buf, &out, &err) == 0 && out &&
	       strcmp(out, "0") == 0,
	   "swap == limit: no swap at all, written as 0");
	ok(cgroup_swap_to_v2(5 << 20, -1, buf, &out, &err) == 0 && out &&
	       strcmp(out, "5242880") == 0,
	   "unlimited memory: swap as it is");
	ok(cgroup_swap_to_v2(1 << 20, 0, buf, &out, &err) == -EINVAL &&
	       strstr(err.msg, "linux.resources.memory.swap"),
	   "swap without a limit refused, naming the field");
	ok(cgroup_swap_to_v2(1 << 20, 2 << 20, buf, &out, &err) == -EINVAL,
	   "swap below limit refused");
	is_str(cgroup_limit_str(-1, buf), "max", "limit -1 is max");
	is_str(cgroup_limit_str(42, buf), "42", "limit 42");
}

static void
test_memory_sizes(void)
{
	int64_t v;

	ok(cgroup_parse_memory("1024", &v) == 0 && v == 1024, "plain bytes");
	ok(cgroup_parse_memory("-1", &v) == 0 && v == -1, "-1 is unlimited");
	ok(cgroup_parse_memory("64b", &v) == 0 && v == 64, "b suffix");
	ok(cgroup_parse_memory("1k", &v) == 0 && v == 1024, "k");
	ok(cgroup_parse_memory("512m", &v) == 0 && v == 512ll << 20, "m");
	ok(cgroup_parse_memory("512M", &v) == 0 && v == 512ll << 20, "M");
	ok(cgroup_parse_memory("1g", &v) == 0 && v == 1ll << 30, "g");
	ok(cgroup_parse_memory("2GiB", &v) == 0 && v == 2ll << 30, "GiB");
	ok(cgroup_parse_memory("100KB", &v) == 0 && v == 102400, "KB is binary, as in runc");
	ok(cgroup_parse_memory("1.5k", &v) == 0 && v == 1536, "decimals");
	ok(cgroup_parse_memory("1 m", &v) == 0 && v == 1 << 20, "one space before the unit");
	ok(cgroup_parse_memory("1t", &v) == 0 && v == 1ll << 40, "t");
	ok(cgroup_parse_memory("", &v) == -EINVAL, "empty refused");
	ok(cgroup_parse_memory("m", &v) == -EINVAL, "unit alone refused");
	ok(cgroup_parse_memory("12x", &v) == -EINVAL, "unknown unit refused");
	ok(cgroup_parse_memory("-5", &v) == -EINVAL, "negative (other than -1) refused");
	ok(cgroup_parse_memory("1mm", &v) == -EINVAL, "trailing junk refused");
	ok(cgroup_parse_memory("99999999999p", &v) == -ERANGE, "overflow refused");
}

static void
test_durations(void)
{
	int64_t ns;

	ok(cgroup_parse_duration("5s", &ns) == 0 && ns == 5000000000, "5s");
	ok(cgroup_parse_duration("250ms", &ns) == 0 && ns == 250000000, "250ms");
	ok(cgroup_parse_duration("1m30s", &ns) == 0 && ns == 90000000000, "1m30s");
	ok(cgroup_parse_duration("1.5h", &ns) == 0 && ns == 5400000000000, "1.5h");
	ok(cgroup_parse_duration("10us", &ns) == 0 && ns == 10000, "us");
	ok(cgroup_parse_duration("10\xc2\xb5s", &ns) == 0 && ns == 10000, "micro sign");
	ok(cgroup_parse_duration("7ns", &ns) == 0 && ns == 7, "ns");
	ok(cgroup_parse_duration("5", &ns) == -EINVAL, "a number without unit refused");
	ok(cgroup_parse_duration("0", &ns) == -EINVAL, "zero refused (must be > 0)");
	ok(cgroup_parse_duration("0s", &ns) == -EINVAL, "0s refused");
	ok(cgroup_parse_duration("-1s", &ns) == -EINVAL, "negative refused");
	ok(cgroup_parse_duration("5x", &ns) == -EINVAL, "unknown unit refused");
	ok(cgroup_parse_duration("", &ns) == -EINVAL, "empty refused");
	ok(cgroup_parse_duration("9999999999h", &ns) == -ERANGE, "overflow refused");
}

static struct spec_resources *
parse(const char *json)
{
	struct spec_resources *res = NULL;
	struct hutch_error err;

	if (spec_resources_parse_json(json, strlen(json), &res, &err) < 0) {
		printf("# parse failed: %s\n", err.msg);
		return NULL;
	}
	return res;
}

static bool
needs_has(const struct cgroup_needs *n, const char *controller)
{
	for (size_t i = 0; i < n->n; i++)
		if (strcmp(n->v[i].controller, controller) == 0)
			return true;
	return false;
}

static void
test_needs(void)
{
	struct spec_resources *res;
	struct cgroup_needs n;
	struct hutch_error err;

	res = parse("{\"memory\":{\"limit\":1048576,\"swappiness\":10},\"pids\":{\"limit\":5},"
	            "\"cpu\":{\"cpus\":\"0\"},\"blockIO\":{\"weight\":100}}");
	ok(res && cgroup_resources_needs(res, false, &n, &err) == 0 && n.n == 4 &&
	       needs_has(&n, "memory") && needs_has(&n, "pids") && needs_has(&n, "cpuset") &&
	       needs_has(&n, "blkio"),
	   "v1: memory, pids, cpuset, blkio");
	ok(res && cgroup_resources_needs(res, true, &n, &err) == 0 && n.n == 4 &&
	       needs_has(&n, "io") && !needs_has(&n, "blkio") && !needs_has(&n, "cpu"),
	   "v2: io for blockIO, nothing for what is unset");
	spec_resources_free(res);

	res = parse("{\"memory\":{\"swappiness\":10,\"kernel\":1000}}");
	ok(res && cgroup_resources_needs(res, true, &n, &err) == 0 && n.n == 0,
	   "v2 ignores swappiness and kernel memory (runc): no controller touched");
	ok(res && cgroup_resources_needs(res, false, &n, &err) == 0 && n.n == 1,
	   "v1 applies swappiness");
	spec_resources_free(res);

	res = parse("{\"cpu\":{\"realtimeRuntime\":1000}}");
	ok(res && cgroup_resources_needs(res, true, &n, &err) == -EOPNOTSUPP &&
	       strstr(err.msg, "linux.resources.cpu.realtimeRuntime"),
	   "v2 refuses real-time, naming the field");
	spec_resources_free(res);

	res = parse("{\"network\":{\"classID\":1048577}}");
	ok(res && cgroup_resources_needs(res, true, &n, &err) == -EOPNOTSUPP &&
	       strcmp(err.msg, "linux.resources.network.classID: the net_cls controller is not "
	                       "available") == 0,
	   "v2 refuses network.classID");
	spec_resources_free(res);

	res = parse("{\"unified\":{\"memory.high\":\"1000000\",\"cgroup.max.depth\":\"3\"}}");
	ok(res && cgroup_resources_needs(res, false, &n, &err) == -EOPNOTSUPP &&
	       strstr(err.msg, "linux.resources.unified"),
	   "v1 refuses unified");
	ok(res && cgroup_resources_needs(res, true, &n, &err) == 0 && n.n == 1 &&
	       needs_has(&n, "memory"),
	   "v2 unified: the controller of each key, none for cgroup.*");
	spec_resources_free(res);

	ok(cgroup_resources_needs(NULL, true, &n, &err) == 0 && n.n == 0, "no resources: nothing");
	res = parse("{\"unified\":{\"../x\":\"1\"}}");
	ok(!res, "unified names with '/' refused");
	spec_resources_free(res);
	res = parse("{\"unified\":{\"..\":\"1\"}}");
	ok(!res, "unified '..' refused");
	spec_resources_free(res);
}

/* cgroup_init into cg; its path (or NULL on failure) for the checks. */
static const char *
init(struct cgroup *cg, const char *cgroups_path, int *r, struct hutch_error *err)
{
	cgroup_free(cg);
	*r = cgroup_init(cg, cgroups_path, "c1", err);
	return *r == 0 ? cg->path : NULL;
}

static void
test_paths(void)
{
	struct cgroup cg = {0};
	struct hutch_error err;
	const char *p;
	int r;

	p = init(&cg, "/a/b", &r, &err);
	is_str(p, "/a/b", "absolute path as it is");
	p = init(&cg, "//a//b/", &r, &err);
	is_str(p, "/a/b", "absolute path normalised");
	p = init(&cg, NULL, &r, &err);
	ok(p && p[0] == '/' && strstr(p, "/hutch/c1"),
	   "default: hutch/<id> below our own cgroup (%s)", p ? p : "-");
	init(&cg, "/a/../../etc", &r, &err);
	ok(r == -EINVAL, "'..' refused");
	init(&cg, "a/./b", &r, &err);
	ok(r == -EINVAL, "'.' refused");
	init(&cg, "/", &r, &err);
	ok(r == -EINVAL, "the root cgroup refused");
	init(&cg, "system.slice:hutch:c1", &r, &err);
	ok(r == -EINVAL && strstr(err.msg, "systemd"), "systemd form refused with a clear message");
	cgroup_free(&cg);
}

int
main(void)
{
	test_weights();
	test_swap();
	test_memory_sizes();
	test_durations();
	test_needs();
	test_paths();
	return tap_done();
}
