/*
 * cmd.h - the command-line layer: one file per command in src/cmd/.
 *
 * A command parses its own flags, calls the library and prints its normal
 * output.  It never prints an error: it fills `err` and returns a negative
 * number, and main() prints that error once (and logs it).  A non-negative
 * return is the process exit status.
 */
#pragma once

#include <stdbool.h>

#include "container.h"
#include "error.h"

struct hutch_globals {
	const char *root;     /* state directory (--root) */
	const char *log_path; /* --log, NULL for stderr only */
	bool log_json;        /* --log-format json */
	bool debug;           /* --debug */
	bool systemd_cgroup;  /* --systemd-cgroup */
	const char *rootless; /* --rootless true|false|auto, NULL when not given */
};

struct hutch_command {
	const char *name;
	int (*run)(struct hutch_globals *g, int argc, char **argv, struct hutch_error *err);
	const char *summary;
};

int cmd_spec(struct hutch_globals *g, int argc, char **argv, struct hutch_error *err);
int cmd_run(struct hutch_globals *g, int argc, char **argv, struct hutch_error *err);
int cmd_create(struct hutch_globals *g, int argc, char **argv, struct hutch_error *err);
int cmd_start(struct hutch_globals *g, int argc, char **argv, struct hutch_error *err);
int cmd_state(struct hutch_globals *g, int argc, char **argv, struct hutch_error *err);
int cmd_kill(struct hutch_globals *g, int argc, char **argv, struct hutch_error *err);
int cmd_exec(struct hutch_globals *g, int argc, char **argv, struct hutch_error *err);
int cmd_delete(struct hutch_globals *g, int argc, char **argv, struct hutch_error *err);
int cmd_list(struct hutch_globals *g, int argc, char **argv, struct hutch_error *err);
int cmd_ps(struct hutch_globals *g, int argc, char **argv, struct hutch_error *err);
int cmd_features(struct hutch_globals *g, int argc, char **argv, struct hutch_error *err);
int cmd_update(struct hutch_globals *g, int argc, char **argv, struct hutch_error *err);
int cmd_pause(struct hutch_globals *g, int argc, char **argv, struct hutch_error *err);
int cmd_resume(struct hutch_globals *g, int argc, char **argv, struct hutch_error *err);
int cmd_events(struct hutch_globals *g, int argc, char **argv, struct hutch_error *err);

/* --format of list and ps: "table" or "json" (runc's message otherwise). */
int cmd_parse_format(const char *value, bool *json, struct hutch_error *err);

/* The flags create and run share, for their usage texts. */
#define CMD_CREATE_FLAGS_HELP                                                           \
	"  -b, --bundle DIR        the bundle directory (default: current directory)\n" \
	"  --pid-file FILE         write the container process's pid to FILE\n"         \
	"  --console-socket SOCK   send the terminal's master fd to this unix socket\n" \
	"  --preserve-fds N        pass N more fds (from fd 3) to the process\n"        \
	"  --no-pivot              chroot instead of pivot_root (ramfs roots)\n"        \
	"  --no-new-keyring        accepted for runc compatibility\n"

/* Shared flag handling (common.c).  Each returns 0 when the command should
 * go on, 1 when --help was printed, or a negative error.  create and run
 * (is_run: -d too) also refuse --systemd-cgroup here. */
int cmd_parse_create_flags(const struct hutch_globals *g, const char *cmd, int argc, char **argv,
                           struct container_opts *opts, bool is_run, const char *usage,
                           struct hutch_error *err);
int cmd_parse_id_only(const char *cmd, int argc, char **argv, const char *usage, const char **id,
                      struct hutch_error *err);
int cmd_take_id(const char *cmd, int argc, char **argv, const char **id, struct hutch_error *err);
int cmd_unknown_flag(const char *cmd, int argc, char **argv, struct hutch_error *err);

/* Print a warning (hutch: warning: ...) to stderr and --log, if warn holds one. */
void cmd_warn(const struct hutch_globals *g, const struct hutch_error *warn);

/* Print a warning (hutch: warning: ...) to stderr and --log, if warn holds one. */
void cmd_warn(const struct hutch_globals *g, const struct hutch_error *warn);

/* Print "usage: ..." style text for a command's --help to stdout. */
void cmd_usage(const char *usage);
