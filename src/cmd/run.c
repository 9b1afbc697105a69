/*
 * hutch run [flags] ID: create + start + wait.
 */
#include <errno.h>

#include "cmd.h"
#include "container.h"
#include "banned.h"

static const char run_usage[] =
    "usage: hutch run [flags] ID\n\n"
    "Create and start a container from an OCI bundle and wait for it to exit.\n"
    "The exit status is the container process's (128+N if killed by signal N).\n\n"
    "flags:\n"
    "  -b, --bundle DIR        the bundle directory (default: current directory)\n"
    "  --pid-file FILE         write the container process's pid to FILE\n"
    "  -d, --detach            return once the process runs\n"
    "  --console-socket SOCK   send the terminal's master fd to this unix socket\n"
    "  --preserve-fds N        pass N more fds (from fd 3) to the process\n"
    "  --no-pivot              chroot instead of pivot_root (ramfs roots)\n"
    "  --no-new-keyring        accepted for runc compatibility\n";

int
cmd_run(struct hutch_globals *g, int argc, char **argv, struct hutch_error *err)
{
	struct container_opts opts = {.root = g->root};
	int r = cmd_parse_create_flags("run", argc, argv, &opts, true, run_usage, err);

	if (r != 0)
		return r > 0 ? 0 : r;
	if (g->systemd_cgroup)
		return error_msg(
		    err, ENOTSUP,
		    "--systemd-cgroup: the systemd cgroup driver is not supported; use cgroupfs paths");
	return container_run(&opts, err);
}
