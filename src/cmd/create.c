/*
 * hutch create [flags] ID: set a container up, its process waiting for start.
 */
#include <errno.h>

#include "cmd.h"
#include "container.h"
#include "banned.h"

static const char create_usage[] =
    "usage: hutch create [flags] ID\n\n"
    "Create a container from an OCI bundle; its process waits for `hutch start`.\n\n"
    "flags:\n"
    "  -b, --bundle DIR        the bundle directory (default: current directory)\n"
    "  --pid-file FILE         write the container process's pid to FILE\n"
    "  --console-socket SOCK   send the terminal's master fd to this unix socket\n"
    "  --preserve-fds N        pass N more fds (from fd 3) to the process\n"
    "  --no-pivot              chroot instead of pivot_root (ramfs roots)\n"
    "  --no-new-keyring        accepted for runc compatibility\n";

int
cmd_create(struct hutch_globals *g, int argc, char **argv, struct hutch_error *err)
{
	struct container_opts opts = {.root = g->root};
	int r = cmd_parse_create_flags("create", argc, argv, &opts, false, create_usage, err);

	if (r != 0)
		return r > 0 ? 0 : r;
	if (g->systemd_cgroup)
		return error_msg(
		    err, ENOTSUP,
		    "--systemd-cgroup: the systemd cgroup driver is not supported; use cgroupfs paths");
	return container_create(&opts, err);
}
