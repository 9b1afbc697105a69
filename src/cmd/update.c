/*
 * hutch update [flags] ID: change the cgroup limits of a running container,
 * with runc's flags, or from a LinuxResources JSON (--resources FILE|-),
 * in which case the other flags are ignored, as in runc.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stddef.h>
#include <stdio.h>

#include "cgroup-convert.h"
#include "cmd.h"
#include "container.h"
#include "parse.h"
#include "spec.h"
#include "util.h"
#include "banned.h"

static const char update_usage[] =
    "usage: hutch update [flags] ID\n\n"
    "Update the resource limits of a container.\n\n"
    "  -r, --resources FILE       a LinuxResources JSON ('-': standard input); the\n"
    "                             other flags are then ignored\n"
    "  --memory SIZE              memory limit (k, m, g suffixes; -1: unlimited)\n"
    "  --memory-swap SIZE         memory + swap limit (-1: unlimited swap)\n"
    "  --memory-reservation SIZE  memory soft limit\n"
    "  --cpu-shares N             CPU shares (also --cpu-share)\n"
    "  --cpu-quota N              CFS quota in microseconds per period (-1: none)\n"
    "  --cpu-period N             CFS period in microseconds\n"
    "  --cpu-burst N              CFS burst in microseconds\n"
    "  --cpu-rt-runtime N         real-time runtime in microseconds\n"
    "  --cpu-rt-period N          real-time period in microseconds\n"
    "  --cpu-idle 0|1             SCHED_IDLE for the cgroup\n"
    "  --cpuset-cpus LIST         CPUs to run on (0-3,7)\n"
    "  --cpuset-mems LIST         memory nodes to use\n"
    "  --pids-limit N             maximum number of processes (-1: unlimited)\n"
    "  --blkio-weight N           block I/O weight, 10 to 1000\n"
    "  --kernel-memory SIZE, --kernel-memory-tcp SIZE\n"
    "                             accepted and ignored, as runc does\n";

enum {
	OPT_MEMORY = 256,
	OPT_MEMORY_SWAP,
	OPT_MEMORY_RESERVATION,
	OPT_KERNEL_MEMORY,
	OPT_CPU_SHARES,
	OPT_CPU_QUOTA,
	OPT_CPU_PERIOD,
	OPT_CPU_BURST,
	OPT_CPU_RT_RUNTIME,
	OPT_CPU_RT_PERIOD,
	OPT_CPU_IDLE,
	OPT_CPUSET_CPUS,
	OPT_CPUSET_MEMS,
	OPT_PIDS_LIMIT,
	OPT_BLKIO_WEIGHT,
};

static const struct option update_options[] = {
    {"resources", required_argument, NULL, 'r'},
    {"memory", required_argument, NULL, OPT_MEMORY},
    {"memory-swap", required_argument, NULL, OPT_MEMORY_SWAP},
    {"memory-reservation", required_argument, NULL, OPT_MEMORY_RESERVATION},
    {"kernel-memory", required_argument, NULL, OPT_KERNEL_MEMORY},
    {"kernel-memory-tcp", required_argument, NULL, OPT_KERNEL_MEMORY},
    {"cpu-share", required_argument, NULL, OPT_CPU_SHARES},
    {"cpu-shares", required_argument, NULL, OPT_CPU_SHARES},
    {"cpu-quota", required_argument, NULL, OPT_CPU_QUOTA},
    {"cpu-period", required_argument, NULL, OPT_CPU_PERIOD},
    {"cpu-burst", required_argument, NULL, OPT_CPU_BURST},
    {"cpu-rt-runtime", required_argument, NULL, OPT_CPU_RT_RUNTIME},
    {"cpu-rt-period", required_argument, NULL, OPT_CPU_RT_PERIOD},
    {"cpu-idle", required_argument, NULL, OPT_CPU_IDLE},
    {"cpuset-cpus", required_argument, NULL, OPT_CPUSET_CPUS},
    {"cpuset-mems", required_argument, NULL, OPT_CPUSET_MEMS},
    {"pids-limit", required_argument, NULL, OPT_PIDS_LIMIT},
    {"blkio-weight", required_argument, NULL, OPT_BLKIO_WEIGHT},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static int
bad_value(const char *flag, const char *value, struct hutch_error *err)
{
	return error_msg(err, EINVAL, "update: invalid value for --%s: '%.64s'", flag, value);
}

static int
set_memory(struct spec_opt_i64 *o, const char *flag, const char *v, struct hutch_error *err)
{
	if (cgroup_parse_memory(v, &o->value) < 0)
		return bad_value(flag, v, err);
	o->set = true;
	return 0;
}

static int
set_u64(struct spec_opt_u64 *o, const char *flag, const char *v, struct hutch_error *err)
{
	if (parse_u64(v, UINT64_MAX, &o->value) < 0)
		return bad_value(flag, v, err);
	o->set = true;
	return 0;
}

static int
set_i64(struct spec_opt_i64 *o, const char *flag, const char *v, int64_t min, int64_t max,
        struct hutch_error *err)
{
	if (parse_i64(v, min, max, &o->value) < 0)
		return bad_value(flag, v, err);
	o->set = true;
	return 0;
}

/* One flag into res.  An empty value means "not given", as in runc. */
static int
apply_flag(struct spec_resources *res, int c, const char *v, struct hutch_error *err)
{
	const char *flag = update_options[0].name;

	for (size_t i = 0; update_options[i].name; i++)
		if (update_options[i].val == c)
			flag = update_options[i].name;
	if (*v == '\0')
		return 0;
	switch (c) {
	case OPT_MEMORY:
		return set_memory(&res->memory.limit, flag, v, err);
	case OPT_MEMORY_SWAP:
		return set_memory(&res->memory.swap, flag, v, err);
	case OPT_MEMORY_RESERVATION:
		return set_memory(&res->memory.reservation, flag, v, err);
	case OPT_CPU_SHARES:
		return set_u64(&res->cpu.shares, flag, v, err);
	case OPT_CPU_QUOTA:
		return set_i64(&res->cpu.quota, flag, v, -1, INT64_MAX, err);
	case OPT_CPU_PERIOD:
		return set_u64(&res->cpu.period, flag, v, err);
	case OPT_CPU_BURST:
		return set_u64(&res->cpu.burst, flag, v, err);
	case OPT_CPU_RT_RUNTIME:
		return set_i64(&res->cpu.realtime_runtime, flag, v, -1, INT64_MAX, err);
	case OPT_CPU_RT_PERIOD:
		return set_u64(&res->cpu.realtime_period, flag, v, err);
	case OPT_CPU_IDLE:
		return set_i64(&res->cpu.idle, flag, v, 0, 1, err);
	case OPT_CPUSET_CPUS:
		free(res->cpu.cpus);
		res->cpu.cpus = xstrdup(v);
		return 0;
	case OPT_CPUSET_MEMS:
		free(res->cpu.mems);
		res->cpu.mems = xstrdup(v);
		return 0;
	case OPT_PIDS_LIMIT:
		/* runc: 0 leaves the limit alone, a negative one lifts it. */
		if (set_i64(&res->pids_limit, flag, v, INT64_MIN, INT64_MAX, err) < 0)
			return -EINVAL;
		res->pids_limit.set = res->pids_limit.value != 0;
		return 0;
	case OPT_BLKIO_WEIGHT:
		if (set_u64(&res->block_io.weight, flag, v, err) < 0)
			return -EINVAL;
		if (res->block_io.weight.value != 0 &&
		    (res->block_io.weight.value < 10 || res->block_io.weight.value > 1000))
			return bad_value(flag, v, err);
		res->block_io.weight.set = res->block_io.weight.value != 0;
		return 0;
	case OPT_KERNEL_MEMORY:
		return 0; /* obsolete: kernel memory limits are gone */
	}
	return 0;
}

static int
load_resources(const char *file, struct spec_resources **out, struct hutch_error *err)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	/* "-": fd 0 itself; /dev/stdin need not exist where hutch runs. */
	int r = strcmp(file, "-") == 0
	            ? read_fd_all(STDIN_FILENO, "stdin", SPEC_MAX_FILE_SIZE, &text, &len, err)
	            : read_file_at(AT_FDCWD, file, SPEC_MAX_FILE_SIZE, &text, &len, err);

	if (r < 0)
		return r;
	r = spec_resources_parse_json(text, len, out, err);
	if (r < 0)
		error_prefix(err, "update: --resources '%s': ", file);
	return r;
}

int
cmd_update(struct hutch_globals *g, int argc, char **argv, struct hutch_error *err)
{
	struct spec_resources *res = xcalloc(1, sizeof(*res));
	const char *file = NULL, *id = NULL;
	int c, r = 0;

	opterr = 0;
	while (r == 0 && (c = getopt_long(argc, argv, "+r:h", update_options, NULL)) != -1) {
		if (c == 'r') {
			file = optarg;
		} else if (c == 'h') {
			cmd_usage(update_usage);
			spec_resources_free(res);
			return 0;
		} else if (c == '?' || c == ':') {
			r = cmd_unknown_flag("update", argc, argv, err);
		} else {
			r = apply_flag(res, c, optarg, err);
		}
	}
	if (r == 0)
		r = cmd_take_id("update", argc, argv, &id, err);
	if (r == 0 && file) {
		spec_resources_free(res);
		res = NULL;
		r = load_resources(file, &res, err);
	}
	if (r == 0)
		r = container_update(g->root, id, res, err);
	spec_resources_free(res);
	return r;
}
