/*
 * common.c - what several commands share: the flags of create and run, and
 * taking the one container id argument.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>

#include "cmd.h"
#include "parse.h"
#include "util.h"
#include "banned.h"

enum {
	OPT_PID_FILE = 256,
	OPT_CONSOLE_SOCKET,
	OPT_NO_PIVOT,
	OPT_NO_NEW_KEYRING,
	OPT_PRESERVE_FDS,
	OPT_NO_SUBREAPER,
	OPT_KEEP,
};

int
cmd_take_id(const char *cmd, int argc, char **argv, const char **id, struct hutch_error *err)
{
	if (optind >= argc)
		return error_msg(err, EINVAL, "%s: a container id is required", cmd);
	if (optind + 1 < argc)
		return error_msg(err, EINVAL, "%s: unexpected argument '%s'", cmd,
		                 argv[optind + 1]);
	*id = argv[optind];
	return 0;
}

int
cmd_unknown_flag(const char *cmd, int argc, char **argv, struct hutch_error *err)
{
	const char *flag = optind > 0 && optind <= argc ? argv[optind - 1] : "?";

	if (optopt && flag[0] == '-' && flag[1] != '-')
		return error_msg(err, EINVAL, "%s: unknown or incomplete flag '-%c'", cmd, optopt);
	return error_msg(err, EINVAL, "%s: unknown or incomplete flag '%s'", cmd, flag);
}

int
cmd_parse_create_flags(const struct hutch_globals *g, const char *cmd, int argc, char **argv,
                       struct container_opts *opts, bool is_run, const char *usage,
                       struct hutch_error *err)
{
	static const struct option options[] = {
	    {"bundle", required_argument, NULL, 'b'},
	    {"pid-file", required_argument, NULL, OPT_PID_FILE},
	    {"console-socket", required_argument, NULL, OPT_CONSOLE_SOCKET},
	    {"no-pivot", no_argument, NULL, OPT_NO_PIVOT},
	    {"no-new-keyring", no_argument, NULL, OPT_NO_NEW_KEYRING},
	    {"preserve-fds", required_argument, NULL, OPT_PRESERVE_FDS},
	    {"no-subreaper", no_argument, NULL, OPT_NO_SUBREAPER},
	    {"keep", no_argument, NULL, OPT_KEEP},
	    {"detach", no_argument, NULL, 'd'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+b:dh", options, NULL)) != -1) {
		switch (c) {
		case 'b':
			opts->bundle = optarg;
			break;
		case OPT_PID_FILE:
			opts->pid_file = optarg;
			break;
		case OPT_CONSOLE_SOCKET:
			opts->console_socket = optarg;
			break;
		case OPT_NO_PIVOT:
			opts->no_pivot = true;
			break;
		case OPT_NO_NEW_KEYRING:
			opts->no_new_keyring = true;
			break;
		case OPT_PRESERVE_FDS:
			if (parse_int(optarg, 0, INT_MAX - 3, &opts->preserve_fds) < 0)
				return error_msg(err, EINVAL,
				                 "%s: --preserve-fds: invalid number '%s'", cmd,
				                 optarg);
			break;
		case OPT_NO_SUBREAPER:
		case OPT_KEEP:
			break;
		case 'd':
			if (!is_run)
				return cmd_unknown_flag(cmd, argc, argv, err);
			opts->detach = true;
			break;
		case 'h':
			cmd_usage(usage);
			return 1;
		default:
			return cmd_unknown_flag(cmd, argc, argv, err);
		}
	}
	if (g->systemd_cgroup)
		return error_msg(
		    err, ENOTSUP,
		    "--systemd-cgroup: the systemd cgroup driver is not supported; use cgroupfs paths");
	return cmd_take_id(cmd, argc, argv, &opts->id, err);
}

int
cmd_parse_id_only(const char *cmd, int argc, char **argv, const char *usage, const char **id,
                  struct hutch_error *err)
{
	static const struct option options[] = {
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+h", options, NULL)) != -1) {
		if (c != 'h')
			return cmd_unknown_flag(cmd, argc, argv, err);
		cmd_usage(usage);
		return 1;
	}
	return cmd_take_id(cmd, argc, argv, id, err);
}

int
cmd_parse_format(const char *value, bool *json, struct hutch_error *err)
{
	if (strcmp(value, "json") != 0 && strcmp(value, "table") != 0)
		return error_msg(err, EINVAL, "invalid format option");
	*json = strcmp(value, "json") == 0;
	return 0;
}
