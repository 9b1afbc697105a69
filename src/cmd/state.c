/*
 * hutch state ID: print the container's state as runc does.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"
#include "container.h"
#include "banned.h"

static const char state_usage[] = "usage: hutch state ID\n\n"
                                  "Print the state of a container as JSON.\n";

int
cmd_state(struct hutch_globals *g, int argc, char **argv, struct hutch_error *err)
{
	const char *id;
	char *json = NULL;
	int r = cmd_parse_id_only("state", argc, argv, state_usage, &id, err);

	if (r != 0)
		return r > 0 ? 0 : r;
	r = container_state(g->root, id, &json, err);
	if (r < 0)
		return r;
	puts(json);
	free(json);
	return 0;
}
