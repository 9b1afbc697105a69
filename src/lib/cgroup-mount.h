/*
 * cgroup-mount.h - the `cgroup` mount of a container (/sys/fs/cgroup).
 *
 * On a cgroup v2 host it is a cgroup2 mount.  On v1 and hybrid hosts it is
 * a tmpfs holding one mount per hierarchy, as runc builds it: a fresh
 * hierarchy mount when the container has a cgroup namespace (it then shows
 * only the namespace's root), else a bind of the container's own cgroup.
 */
#pragma once

#include "error.h"
#include "sandbox.h"

int cgroup_mount(const struct sandbox *sb, int rootfd, const struct spec_mount *m,
                 struct hutch_error *err);
