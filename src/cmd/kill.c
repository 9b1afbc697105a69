/*
 * hutch kill [--all] ID [SIGNAL]: send a signal to the container.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>

#include "cmd.h"
#include "container.h"
#include "parse.h"
#include "banned.h"

static const char kill_usage[] =
    "usage: hutch kill [--all] ID [SIGNAL]\n\n"
    "Send SIGNAL (a name like KILL or SIGKILL, or a number; default TERM) to the\n"
    "container's init process; with --all, to every process of the container.\n";

int
cmd_kill(struct hutch_globals *g, int argc, char **argv, struct hutch_error *err)
{
	static const struct option options[] = {
	    {"all", no_argument, NULL, 'a'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	bool all = false;
	int sig = SIGTERM, c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+ah", options, NULL)) != -1) {
		if (c == 'a') {
			all = true;
		} else if (c == 'h') {
			cmd_usage(kill_usage);
			return 0;
		} else {
			return cmd_unknown_flag("kill", argc, argv, err);
		}
	}
	if (optind >= argc)
		return error_msg(err, EINVAL, "kill: a container id is required");
	if (optind + 2 < argc)
		return error_msg(err, EINVAL, "kill: unexpected argument '%s'", argv[optind + 2]);
	if (optind + 1 < argc && parse_signal(argv[optind + 1], &sig) < 0)
		return error_msg(err, EINVAL, "kill: unknown signal '%s'", argv[optind + 1]);
	return container_kill(g->root, argv[optind], sig, all, err);
}
