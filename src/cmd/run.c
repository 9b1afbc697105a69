/*
 * hutch run [flags] ID: create + start + wait.
 */
#include "cmd.h"
#include "container.h"
#include "banned.h"

static const char run_usage[] =
    "usage: hutch run [flags] ID\n\n"
    "Create and start a container from an OCI bundle and wait for it to exit.\n"
    "The exit status is the container process's (128+N if killed by signal N).\n\n"
    "flags:\n"
    "  -d, --detach            return once the process runs\n" CMD_CREATE_FLAGS_HELP;

int
cmd_run(struct hutch_globals *g, int argc, char **argv, struct hutch_error *err)
{
	struct container_opts opts = {.root = g->root};
	int r = cmd_parse_create_flags(g, "run", argc, argv, &opts, true, run_usage, err);

	if (r != 0)
		return r > 0 ? 0 : r;
	return container_run(&opts, err);
}
