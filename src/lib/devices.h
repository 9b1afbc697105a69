/*
 * devices.h - the device nodes of the container's /dev: the standard set
 * every container gets (null, zero, full, random, urandom, tty), the
 * linux.devices entries, and the /dev/fd, /dev/std* and /dev/ptmx links.
 *
 * Runs in the container process before pivot_root.  In a user namespace
 * mknod is not allowed, so the host's node is bind-mounted instead, as runc
 * does.
 */
#pragma once

#include "error.h"
#include "sandbox.h"

/* True when the spec mounts a fresh filesystem (not a bind) on /dev: only
 * then does the runtime populate it. */
bool devices_dev_is_ours(const struct spec *spec);

int devices_create(const struct sandbox *sb, int rootfd, struct hutch_error *err);
