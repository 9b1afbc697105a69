/*
 * hutch pause ID: freeze every process of the container.
 */
#include "cmd.h"
#include "container.h"
#include "banned.h"

static const char pause_usage[] =
    "usage: hutch pause ID\n\n"
    "Suspend every process of the container (cgroup freezer); `resume` thaws them.\n";

int
cmd_pause(struct hutch_globals *g, int argc, char **argv, struct hutch_error *err)
{
	const char *id = NULL;
	int r = cmd_parse_id_only("pause", argc, argv, pause_usage, &id, err);

	if (r != 0)
		return r > 0 ? 0 : r;
	return container_pause(g->root, id, err);
}
