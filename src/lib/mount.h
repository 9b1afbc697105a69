/*
 * mount.h - the container's root filesystem: the spec's mounts, pivot_root,
 * then masked and read-only paths.  Runs in the container process, inside
 * its new mount namespace.  Every destination is resolved inside the rootfs
 * (path.h) and mounted through an fd.
 */
#pragma once

#include "error.h"
#include "sandbox.h"

/* Make the mount tree a slave of the host's (no event of ours reaches the
 * host), bind the rootfs on itself and return an O_PATH fd of it. */
int mount_prepare_rootfs(const struct sandbox *sb, struct hutch_error *err);

/* Mount every linux.mounts entry below rootfd. */
int mount_spec_mounts(const struct sandbox *sb, int rootfd, struct hutch_error *err);

/* Building blocks shared with cgroup-mount.c: a bind mount of a host path
 * (options applied before it is attached) and a new filesystem instance,
 * both attached at m->destination below rootfd. */
int mount_bind_path(const char *source, bool recursive, int rootfd, const struct spec_mount *m,
                    struct hutch_error *err);
int mount_new_fs(int rootfd, const struct spec_mount *m, struct hutch_error *err);

/* pivot_root into the rootfs and detach the old root; with no_pivot, move
 * the rootfs onto / and chroot (for ramfs roots, where pivot_root fails). */
int mount_pivot_root(const char *rootfs, bool no_pivot, struct hutch_error *err);

/* After pivot_root: maskedPaths, readonlyPaths, root.readonly, and
 * rootfsPropagation on the new "/". */
int mount_finish(const struct sandbox *sb, struct hutch_error *err);
