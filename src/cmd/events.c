/*
 * hutch events [--stats] [--interval D] ID: the container's resource usage
 * every interval and its OOM kills, as runc prints them (one JSON object a
 * line), until it stops; --stats prints the usage once.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>

#include "cgroup-convert.h"
#include "cmd.h"
#include "container.h"
#include "banned.h"

static const char events_usage[] =
    "usage: hutch events [--stats] [--interval DURATION] ID\n\n"
    "Print the container's statistics every DURATION (default 5s; Go syntax:\n"
    "500ms, 10s, 1m) and its OOM events, one JSON object a line, until it stops.\n"
    "  --stats   print the statistics once and exit\n";

enum { OPT_STATS = 256, OPT_INTERVAL };

/* Each event goes out at once: a reader (containerd's shim) waits on it. */
static int
print_event(void *ctx, const char *json)
{
	(void)ctx;
	if (puts(json) == EOF || fflush(stdout) == EOF)
		return -EPIPE;
	return 0;
}

int
cmd_events(struct hutch_globals *g, int argc, char **argv, struct hutch_error *err)
{
	static const struct option options[] = {
	    {"stats", no_argument, NULL, OPT_STATS},
	    {"interval", required_argument, NULL, OPT_INTERVAL},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int64_t interval = 5000000000; /* 5 s, runc's default */
	const char *id = NULL;
	bool stats = false;
	int c, r;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+h", options, NULL)) != -1) {
		switch (c) {
		case OPT_STATS:
			stats = true;
			break;
		case OPT_INTERVAL:
			if (cgroup_parse_duration(optarg, &interval) < 0)
				return error_msg(err, EINVAL,
				                 "events: --interval: invalid duration '%.64s' "
				                 "(a positive Go duration: 500ms, 5s, 1m)",
				                 optarg);
			break;
		case 'h':
			cmd_usage(events_usage);
			return 0;
		default:
			return cmd_unknown_flag("events", argc, argv, err);
		}
	}
	r = cmd_take_id("events", argc, argv, &id, err);
	if (r < 0)
		return r;
	r = container_events(g->root, id, stats, interval, print_event, NULL, err);
	if (r == -EPIPE)
		return 0; /* the reader went away: nothing more to say */
	return r;
}
