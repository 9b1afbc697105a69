/*
 * hutch create [flags] ID: set a container up, its process waiting for start.
 */
#include "cmd.h"
#include "container.h"
#include "banned.h"

static const char create_usage[] =
    "usage: hutch create [flags] ID\n\n"
    "Create a container from an OCI bundle; its process waits for `hutch start`.\n\n"
    "flags:\n" CMD_CREATE_FLAGS_HELP;

int
cmd_create(struct hutch_globals *g, int argc, char **argv, struct hutch_error *err)
{
	struct container_opts opts = {.root = g->root};
	int r = cmd_parse_create_flags(g, "create", argc, argv, &opts, false, create_usage, err);

	if (r != 0)
		return r > 0 ? 0 : r;
	return container_create(&opts, err);
}
