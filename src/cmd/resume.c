/*
 * hutch resume ID: thaw a paused container.
 */
#include "cmd.h"
#include "container.h"
#include "banned.h"

static const char resume_usage[] = "usage: hutch resume ID\n\n"
                                   "Resume every process of a container suspended by `pause`.\n";

int
cmd_resume(struct hutch_globals *g, int argc, char **argv, struct hutch_error *err)
{
	const char *id = NULL;
	int r = cmd_parse_id_only("resume", argc, argv, resume_usage, &id, err);

	if (r != 0)
		return r > 0 ? 0 : r;
	return container_resume(g->root, id, err);
}
