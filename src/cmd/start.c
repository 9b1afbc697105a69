/*
 * hutch start ID: let a created container's process run.
 */
#include "cmd.h"
#include "container.h"
#include "banned.h"

static const char start_usage[] = "usage: hutch start ID\n\n"
                                  "Start the process of a created container.\n";

int
cmd_start(struct hutch_globals *g, int argc, char **argv, struct hutch_error *err)
{
	struct hutch_error warn = {0};
	const char *id;
	int r = cmd_parse_id_only("start", argc, argv, start_usage, &id, err);

	if (r != 0)
		return r > 0 ? 0 : r;
	r = container_start(g->root, id, &warn, err);
	cmd_warn(g, &warn);
	return r;
}
