/*
 * hutch ps [--format table|json] ID [PS-OPTIONS...]: the processes of a
 * container, as runc shows them.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"
#include "list.h"
#include "util.h"
#include "banned.h"

static const char ps_usage[] =
    "usage: hutch ps [--format table|json] ID [PS-OPTIONS...]\n\n"
    "Show the processes of a container: with table (the default), the lines of\n"
    "the host's ps(1) run with PS-OPTIONS (default -ef) that are the container's;\n"
    "with json, an array of their host pids.\n";

/* `[1234,1235]` as containerd's shim parses it; `null` when there is none,
 * as Go encodes an empty slice. */
static void
print_pids_json(const pid_t *pids, size_t n)
{
	if (n == 0) {
		puts("null");
		return;
	}
	putchar('[');
	for (size_t i = 0; i < n; i++)
		printf(i ? ",%d" : "%d", (int)pids[i]);
	puts("]");
}

static int
print_table(const pid_t *pids, size_t n, char **ps_args, struct hutch_error *err)
{
	static char *const default_args[] = {(char *)"-ef", NULL};
	_cleanup_free_ char *text = NULL;
	int r = list_ps_table(pids, n, ps_args[0] ? ps_args : default_args, &text, err);

	if (r < 0)
		return r;
	fputs(text, stdout);
	return 0;
}

int
cmd_ps(struct hutch_globals *g, int argc, char **argv, struct hutch_error *err)
{
	static const struct option options[] = {
	    {"format", required_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	_cleanup_free_ pid_t *pids = NULL;
	bool json = false;
	size_t n = 0;
	int c, r;

	opterr = 0;
	/* '+': the options after the id are ps(1)'s, not ours. */
	while ((c = getopt_long(argc, argv, "+f:h", options, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (cmd_parse_format(optarg, &json, err) < 0)
				return -err->code;
			break;
		case 'h':
			cmd_usage(ps_usage);
			return 0;
		default:
			return cmd_unknown_flag("ps", argc, argv, err);
		}
	}
	if (optind >= argc)
		return error_msg(err, EINVAL, "ps: a container id is required");
	r = list_pids(g->root, argv[optind], &pids, &n, err);
	if (r < 0)
		return r;
	if (json) {
		print_pids_json(pids, n);
		return 0;
	}
	return print_table(pids, n, argv + optind + 1, err);
}
