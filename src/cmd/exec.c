/*
 * hutch exec [flags] ID COMMAND [ARG...] | hutch exec --process FILE ID
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "exec.h"
#include "parse.h"
#include "util.h"
#include "banned.h"

static const char exec_usage[] =
    "usage: hutch exec [flags] ID COMMAND [ARG...]\n"
    "       hutch exec [flags] --process FILE ID\n\n"
    "Run a process in a running container: it joins the namespaces and cgroups of\n"
    "the container's init.  The exit status is the process's.\n\n"
    "flags:\n"
    "  -p, --process FILE       the process as OCI process JSON\n"
    "  -e, --env NAME=VALUE     set an environment variable (repeatable)\n"
    "  --cwd DIR                working directory\n"
    "  -u, --user UID[:GID]     user and group ids\n"
    "  -g, --additional-gids G  an additional group id (repeatable)\n"
    "  -c, --cap CAP            add a capability (repeatable)\n"
    "  -t, --tty                allocate a terminal\n"
    "  -d, --detach             do not wait for the process\n"
    "  --console-socket SOCK    send the terminal's master fd to this unix socket\n"
    "  --pid-file FILE          write the process's pid to FILE\n"
    "  --preserve-fds N         pass N more fds (from fd 3) to the process\n"
    "  --no-new-privs           set no_new_privs\n"
    "  --ignore-paused          exec even into a paused container\n";

enum {
	OPT_CWD = 256,
	OPT_CONSOLE_SOCKET,
	OPT_PID_FILE,
	OPT_PRESERVE_FDS,
	OPT_NO_NEW_PRIVS,
	OPT_IGNORE_PAUSED,
	OPT_IGNORED,
};

static int
parse_user(const char *s, struct exec_opts *o)
{
	_cleanup_free_ char *copy = xstrdup(s);
	char *colon = strchr(copy, ':');
	int64_t v;

	if (colon)
		*colon = '\0';
	if (parse_i64(copy, 0, UINT32_MAX, &v) < 0)
		return -EINVAL;
	o->uid = (uint32_t)v;
	o->has_user = true;
	if (!colon)
		return 0;
	if (parse_i64(colon + 1, 0, UINT32_MAX, &v) < 0)
		return -EINVAL;
	o->gid = (uint32_t)v;
	o->has_gid = true;
	return 0;
}

static void
push(char ***v, size_t *n, char *s)
{
	*v = xrealloc(*v, *n + 2, sizeof(**v));
	(*v)[(*n)++] = s;
	(*v)[*n] = NULL;
}

static int
parse_flag(int c, struct exec_opts *o, struct hutch_error *err)
{
	int64_t v;

	switch (c) {
	case 'p':
		o->process_file = optarg;
		return 0;
	case 'e':
		if (!strchr(optarg, '='))
			return error_msg(err, EINVAL, "exec: --env '%s': expected NAME=VALUE",
			                 optarg);
		push(&o->env, &o->n_env, optarg);
		return 0;
	case OPT_CWD:
		if (optarg[0] != '/')
			return error_msg(err, EINVAL, "exec: --cwd '%s': must be absolute", optarg);
		o->cwd = optarg;
		return 0;
	case 'u':
		if (parse_user(optarg, o) < 0)
			return error_msg(err, EINVAL, "exec: --user '%s': expected UID[:GID]",
			                 optarg);
		return 0;
	case 'g':
		if (parse_i64(optarg, 0, UINT32_MAX, &v) < 0)
			return error_msg(err, EINVAL, "exec: --additional-gids '%s': not a gid",
			                 optarg);
		o->additional_gids =
		    xrealloc(o->additional_gids, o->n_additional_gids + 1, sizeof(uint32_t));
		o->additional_gids[o->n_additional_gids++] = (uint32_t)v;
		return 0;
	case 'c':
		push(&o->caps, &o->n_caps, optarg);
		return 0;
	case 't':
		o->tty = true;
		return 0;
	case 'd':
		o->detach = true;
		return 0;
	case OPT_CONSOLE_SOCKET:
		o->console_socket = optarg;
		return 0;
	case OPT_PID_FILE:
		o->pid_file = optarg;
		return 0;
	case OPT_PRESERVE_FDS:
		if (parse_int(optarg, 0, INT_MAX - 3, &o->preserve_fds) < 0)
			return error_msg(err, EINVAL, "exec: --preserve-fds: invalid number '%s'",
			                 optarg);
		return 0;
	case OPT_NO_NEW_PRIVS:
		o->no_new_privs = true;
		return 0;
	case OPT_IGNORE_PAUSED:
		o->ignore_paused = true;
		return 0;
	case OPT_IGNORED:
		return 0;
	default:
		return -EINVAL;
	}
}

int
cmd_exec(struct hutch_globals *g, int argc, char **argv, struct hutch_error *err)
{
	static const struct option options[] = {
	    {"process", required_argument, NULL, 'p'},
	    {"env", required_argument, NULL, 'e'},
	    {"cwd", required_argument, NULL, OPT_CWD},
	    {"user", required_argument, NULL, 'u'},
	    {"additional-gids", required_argument, NULL, 'g'},
	    {"cap", required_argument, NULL, 'c'},
	    {"tty", no_argument, NULL, 't'},
	    {"detach", no_argument, NULL, 'd'},
	    {"console-socket", required_argument, NULL, OPT_CONSOLE_SOCKET},
	    {"pid-file", required_argument, NULL, OPT_PID_FILE},
	    {"preserve-fds", required_argument, NULL, OPT_PRESERVE_FDS},
	    {"no-new-privs", no_argument, NULL, OPT_NO_NEW_PRIVS},
	    {"ignore-paused", no_argument, NULL, OPT_IGNORE_PAUSED},
	    {"process-label", required_argument, NULL, OPT_IGNORED},
	    {"apparmor", required_argument, NULL, OPT_IGNORED},
	    {"cgroup", required_argument, NULL, OPT_IGNORED},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct exec_opts o = {.root = g->root};
	int c, r;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+p:e:u:g:c:tdh", options, NULL)) != -1) {
		if (c == 'h') {
			cmd_usage(exec_usage);
			r = 0;
			goto out;
		}
		r = parse_flag(c, &o, err);
		if (r == -EINVAL && c != 'e' && c != 'u' && c != 'g' && c != OPT_CWD &&
		    c != OPT_PRESERVE_FDS)
			r = cmd_unknown_flag("exec", argc, argv, err);
		if (r < 0)
			goto out;
	}
	if (optind >= argc) {
		r = error_msg(err, EINVAL, "exec: a container id is required");
		goto out;
	}
	o.id = argv[optind++];
	if (o.process_file && optind < argc) {
		r = error_msg(err, EINVAL, "exec: a command and --process exclude each other");
		goto out;
	}
	o.args = optind < argc ? argv + optind : NULL;
	r = container_exec(&o, err);
out:
	free(o.env);
	free(o.caps);
	free(o.additional_gids);
	return r;
}
