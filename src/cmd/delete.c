/*
 * hutch delete [--force] ID: remove a stopped container (force: any).
 */
#include <getopt.h>

#include "cmd.h"
#include "container.h"
#include "banned.h"

static const char delete_usage[] =
    "usage: hutch delete [--force] ID\n\n"
    "Delete a stopped container.  --force kills a running one first.\n";

int
cmd_delete(struct hutch_globals *g, int argc, char **argv, struct hutch_error *err)
{
	static const struct option options[] = {
	    {"force", no_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct hutch_error warn = {0};
	const char *id;
	bool force = false;
	int c, r;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+fh", options, NULL)) != -1) {
		if (c == 'f') {
			force = true;
		} else if (c == 'h') {
			cmd_usage(delete_usage);
			return 0;
		} else {
			return cmd_unknown_flag("delete", argc, argv, err);
		}
	}
	r = cmd_take_id("delete", argc, argv, &id, err);
	if (r < 0)
		return r;
	r = container_delete(g->root, id, force, &warn, err);
	cmd_warn(g, &warn);
	return r;
}
