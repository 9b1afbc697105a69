/*
 * idmap-mount.h - id-mapped bind mounts (mounts[].uidMappings and
 * gidMappings, options "idmap" and "ridmap").
 *
 * Setting MOUNT_ATTR_IDMAP takes privilege over the source's filesystem,
 * which a process in the container's user namespace does not have.  So
 * hutch makes each id-mapped copy of a source before the clone: a detached
 * open_tree() copy with mount_setattr(MOUNT_ATTR_IDMAP) and a user
 * namespace made for the mount's mappings (held by a short-lived helper
 * process).  The container process inherits the fds and attaches each copy
 * where the mount goes, with its other options, like any bind mount.
 */
#pragma once

#include "error.h"
#include "spec.h"

/* fds[i]: the id-mapped copy for spec->mounts[i], -1 for the other mounts
 * (*fds NULL when there are none).  Close-on-exec. */
int idmap_mounts_open(const struct spec *spec, const char *bundle, int **fds,
                      struct hutch_error *err);
void idmap_mounts_close(int *fds, size_t n);
