/*
 * main.c - hutch's entry point: global flags, the command table, and the one
 * place where an error is printed (and logged).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "cmd/cmd.h"
#include "util.h"
#include "banned.h"

static const struct hutch_command commands[] = {
    {"create", cmd_create, "create a container; its process waits for start"},
    {"delete", cmd_delete, "delete a stopped container"},
    {"events", cmd_events, "print resource statistics and OOM events of a container"},
    {"exec", cmd_exec, "run a process in a running container"},
    {"features", cmd_features, "print the features this runtime implements as JSON"},
    {"kill", cmd_kill, "send a signal to a container"},
    {"list", cmd_list, "list the containers"},
    {"pause", cmd_pause, "suspend every process of a container"},
    {"ps", cmd_ps, "show the processes of a container"},
    {"resume", cmd_resume, "resume a paused container"},
    {"run", cmd_run, "create and start a container, wait for it to exit"},
    {"spec", cmd_spec, "write a default config.json"},
    {"start", cmd_start, "start a created container"},
    {"state", cmd_state, "print the state of a container as JSON"},
    {"update", cmd_update, "update the resource limits of a container"},
};

static void
usage(FILE *out)
{
	fprintf(out, "usage: hutch [global flags] COMMAND [flags] [ID]\n\n"
	             "global flags:\n"
	             "  --root DIR           state directory (default /run/hutch)\n"
	             "  --log FILE           also write errors to FILE\n"
	             "  --log-format FORMAT  text or json\n"
	             "  --debug              log debug messages\n"
	             "  --systemd-cgroup     use the systemd cgroup driver (not supported)\n"
	             "  --rootless VALUE     true, false or auto\n"
	             "  -v, --version        print the version\n\n"
	             "commands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
}

void
cmd_usage(const char *text)
{
	fputs(text, stdout);
}

/* Errors go to stderr always, and to --log in the chosen format: engines
 * (containerd's shim, conmon) read the last "level":"error" line of it. */
/* A message is one line: control characters that came from the input (an
 * id, a path, a name) are shown escaped, never acted on by the terminal or
 * taken for the start of another line by a log reader. */
static void
put_line(FILE *f, const char *prefix, const char *text)
{
	fputs(prefix, f);
	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\x%02x", *p);
		else
			fputc(*p, f);
	}
	fputc('\n', f);
}

static void
report(const struct hutch_globals *g, const char *level, const char *text)
{
	bool error = strcmp(level, "error") == 0;
	const char *prefix = error ? "hutch: " : "hutch: warning: ";

	put_line(stderr, prefix, text);
	if (!g->log_path)
		return;

	FILE *log = fopen(g->log_path, "ae");
	if (!log)
		return;
	if (g->log_json) {
		char stamp[64];
		struct timespec ts;
		struct tm tm;

		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
		fprintf(log, "{\"level\":\"%s\",\"msg\":\"", level);
		for (const char *p = text; *p; p++) {
			unsigned char c = (unsigned char)*p;

			if (c == '"' || c == '\\')
				fprintf(log, "\\%c", c);
			else if (c < 0x20)
				fprintf(log, "\\u%04x", c);
			else
				fputc(c, log);
		}
		fprintf(log, "\",\"time\":\"%s.%09ldZ\"}\n", stamp, ts.tv_nsec);
	} else {
		put_line(log, prefix, text);
	}
	fclose(log);
}

void
cmd_warn(const struct hutch_globals *g, const struct hutch_error *warn)
{
	char text[HUTCH_ERROR_MSG_MAX + 128];

	if (warn->msg[0])
		report(g, "warning", error_text(warn, text, sizeof(text)));
}

enum {
	OPT_ROOT = 256,
	OPT_LOG,
	OPT_LOG_FORMAT,
	OPT_DEBUG,
	OPT_SYSTEMD_CGROUP,
	OPT_ROOTLESS,
	OPT_CRIU,
};

static int
parse_globals(struct hutch_globals *g, int argc, char **argv, struct hutch_error *err)
{
	static const struct option options[] = {
	    {"root", required_argument, NULL, OPT_ROOT},
	    {"log", required_argument, NULL, OPT_LOG},
	    {"log-format", required_argument, NULL, OPT_LOG_FORMAT},
	    {"debug", no_argument, NULL, OPT_DEBUG},
	    {"systemd-cgroup", no_argument, NULL, OPT_SYSTEMD_CGROUP},
	    {"rootless", required_argument, NULL, OPT_ROOTLESS},
	    {"criu", required_argument, NULL, OPT_CRIU},
	    {"version", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	opterr = 0;
	/* '+': stop at the command name; its flags are the command's own. */
	while ((c = getopt_long(argc, argv, "+vh", options, NULL)) != -1) {
		switch (c) {
		case OPT_ROOT:
			g->root = optarg;
			break;
		case OPT_LOG:
			g->log_path = optarg;
			break;
		case OPT_LOG_FORMAT:
			if (strcmp(optarg, "json") == 0)
				g->log_json = true;
			else if (strcmp(optarg, "text") == 0)
				g->log_json = false;
			else
				return error_msg(err, EINVAL, "--log-format: unknown format '%s'",
				                 optarg);
			break;
		case OPT_DEBUG:
			g->debug = true;
			break;
		case OPT_SYSTEMD_CGROUP:
			g->systemd_cgroup = true;
			break;
		case OPT_ROOTLESS:
			g->rootless = optarg;
			break;
		case OPT_CRIU:
			break;
		case 'v':
			printf("hutch version %s\nspec: 1.3.0\n", HUTCH_VERSION);
			return 1;
		case 'h':
			usage(stdout);
			return 1;
		default:
			return error_msg(err, EINVAL, "unknown global flag '%s'", argv[optind - 1]);
		}
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct hutch_globals g = {.root = "/run/hutch"};
	struct hutch_error err = {0};
	char text[HUTCH_ERROR_MSG_MAX + 128];
	int r;

	if (getuid() != 0) {
		const char *xdg = getenv("XDG_RUNTIME_DIR");

		if (xdg && *xdg)
			g.root = xasprintf("%s/hutch", xdg);
	}

	r = parse_globals(&g, argc, argv, &err);
	if (r > 0)
		return 0;
	if (r == 0 && optind >= argc) {
		usage(stderr);
		r = error_msg(&err, EINVAL, "no command given");
	}
	if (r == 0) {
		const char *name = argv[optind];
		const struct hutch_command *cmd = NULL;

		for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
			if (strcmp(commands[i].name, name) == 0)
				cmd = &commands[i];
		if (!cmd) {
			r = error_msg(&err, EINVAL, "unknown command '%s'", name);
		} else {
			argc -= optind;
			argv += optind;
			optind = 0; /* 0 re-initialises getopt for the command's flags */
			r = cmd->run(&g, argc, argv, &err);
		}
	}
	if (r >= 0)
		return r;
	report(&g, "error", error_text(&err, text, sizeof(text)));
	return err.exit_status ? err.exit_status : 1;
}
