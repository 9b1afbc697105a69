/*
 * hutch run [--bundle DIR] [--pid-file FILE] ID
 */
#include <errno.h>
#include <getopt.h>
#include <string.h>

#include "cmd/cmd.h"
#include "container.h"
#include "util.h"
#include "banned.h"

static const char run_usage[] =
	"usage: hutch run [flags] ID\n\n"
	"Create and start a container from an OCI bundle and wait for it to exit.\n"
	"The exit status is the container process's (128+N if killed by signal N).\n\n"
	"flags:\n"
	"  -b, --bundle DIR     the bundle directory (default: current directory)\n"
	"  --pid-file FILE      write the container process's pid to FILE\n";

enum { OPT_PID_FILE = 256 };

int
cmd_run(struct hutch_globals *g, int argc, char **argv, struct hutch_error *err)
{
	static const struct option options[] = {
		{"bundle", required_argument, NULL, 'b'},
		{"pid-file", required_argument, NULL, OPT_PID_FILE},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct container_opts opts = {.root = g->root};
	int c;

	while ((c = getopt_long(argc, argv, "+b:h", options, NULL)) != -1) {
		switch (c) {
		case 'b':
			opts.bundle = optarg;
			break;
		case OPT_PID_FILE:
			opts.pid_file = optarg;
			break;
		case 'h':
			cmd_usage(run_usage);
			return 0;
		default:
			return error_msg(err, EINVAL, "run: unknown flag '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return error_msg(err, EINVAL, "run: a container id is required");
	if (optind + 1 < argc)
		return error_msg(err, EINVAL, "run: unexpected argument '%s'", argv[optind + 1]);
	opts.id = argv[optind];
	return container_run(&opts, err);
}
