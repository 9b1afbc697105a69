/*
 * spec.c - `hutch spec [--bundle DIR] [--rootless]`: write runc's default
 * config.json into a bundle directory.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "cmd.h"
#include "spec-default.h"
#include "util.h"
#include "banned.h"

static const char spec_usage[] =
    "usage: hutch spec [--bundle DIR] [--rootless]\n\n"
    "Write a default config.json (the same as runc's) into the bundle directory.\n"
    "An existing config.json is never replaced.\n\n"
    "flags:\n"
    "  -b, --bundle DIR  bundle directory (default: the current directory)\n"
    "      --rootless    a config for running without root: a user namespace\n"
    "                    mapping the caller to root, no network namespace\n"
    "  -h, --help        print this help\n";

struct spec_flags {
	const char *bundle;
	bool rootless;
	bool help;
};

enum { OPT_ROOTLESS = 256 };

static const char short_options[] = ":b:h";

/* glibc leaves optopt 0 for an unknown long flag and sets it to the flag's
 * value for a known one given a value it does not take: in both cases the
 * flag is the last argument read.  An unknown short flag may sit inside a
 * cluster ("-hx"), so it is named by its letter. */
static int
unknown_flag(char **argv, struct hutch_error *err)
{
	if (optopt > 0 && optopt < 256 && !strchr(short_options, optopt))
		return error_msg(err, EINVAL, "spec: unknown flag '-%c'", optopt);
	return error_msg(err, EINVAL, "spec: unknown flag '%s'", argv[optind - 1]);
}

static int
parse_flags(int argc, char **argv, struct spec_flags *f, struct hutch_error *err)
{
	static const struct option options[] = {
	    {"bundle", required_argument, NULL, 'b'},
	    {"rootless", no_argument, NULL, OPT_ROOTLESS},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	/* ':' first: a missing value is reported as ':' rather than '?'. */
	while ((c = getopt_long(argc, argv, short_options, options, NULL)) != -1) {
		switch (c) {
		case 'b':
			f->bundle = optarg;
			break;
		case OPT_ROOTLESS:
			f->rootless = true;
			break;
		case 'h':
			f->help = true;
			break;
		case ':':
			return error_msg(err, EINVAL, "spec: flag '%s' needs a value",
			                 argv[optind - 1]);
		default:
			return unknown_flag(argv, err);
		}
	}
	if (optind < argc)
		return error_msg(err, EINVAL, "spec: unexpected argument '%s'", argv[optind]);
	return 0;
}

int
cmd_spec(struct hutch_globals *g, int argc, char **argv, struct hutch_error *err)
{
	struct spec_flags f = {0};
	int r;

	(void)g;
	r = parse_flags(argc, argv, &f, err);
	if (r < 0)
		return r;
	if (f.help) {
		cmd_usage(spec_usage);
		return 0;
	}
	r = spec_default_write(f.bundle, f.rootless, err);
	if (r < 0) {
		error_prefix(err, "spec: ");
		return r;
	}
	return 0;
}
