/*
 * hutch features: print the OCI features document.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"
#include "runtime-features.h"
#include "banned.h"

static const char features_usage[] =
    "usage: hutch features\n\n"
    "Print the runtime-spec features document: what this build of hutch\n"
    "recognises and implements, as JSON.\n";

int
cmd_features(struct hutch_globals *g, int argc, char **argv, struct hutch_error *err)
{
	static const struct option options[] = {
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	char *json = NULL;
	int c, r;

	(void)g;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+h", options, NULL)) != -1) {
		if (c != 'h')
			return cmd_unknown_flag("features", argc, argv, err);
		cmd_usage(features_usage);
		return 0;
	}
	if (optind < argc)
		return error_msg(err, EINVAL, "features: unexpected argument '%s'", argv[optind]);
	r = features_json(&json, err);
	if (r < 0)
		return r;
	puts(json);
	free(json);
	return 0;
}
