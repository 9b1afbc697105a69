/*
 * spec-default.h - the default config.json that `hutch spec` writes.
 *
 * The document is runc's (`runc spec`, and `runc spec --rootless`) key for
 * key, only ociVersion differs: scripts, engines and tests written against
 * runc's default bundle work unchanged with hutch.  The lists (capabilities,
 * mounts, namespaces, masked and read-only paths) are tables in
 * spec-default.c.
 *
 * spec_default_render() is pure and returns a string the caller frees;
 * spec_default_write() puts it into a bundle directory.  Out of memory
 * aborts.  Nothing here prints.
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"

/* The runtime-spec version written into ociVersion.  The default config
 * uses nothing newer than 1.0, and "1.1.0" is the newest that Debian 12's
 * crun 1.8 accepts: it refuses any version without "1.0" in it ("unknown
 * version specified"), so a 1.2.0 bundle would not run there. */
#define SPEC_DEFAULT_OCI_VERSION "1.1.0"

/* The default config as JSON text (2-space indent, trailing newline).
 * rootless: runc's rootless variant - a user namespace mapping container
 * root to uid/gid, no network namespace, /sys bind-mounted, no gid= mount
 * options and no cgroup resources. */
char *spec_default_render(bool rootless, uid_t uid, gid_t gid);

/* Write the default config to dir/config.json (dir NULL: the current
 * directory), mode 0644, atomically: readers see no file or a whole file.
 * An existing config.json is never replaced: -EEXIST with
 * "'DIR/config.json' already exists".  Rootless maps the effective uid/gid. */
int spec_default_write(const char *dir, bool rootless, struct hutch_error *err);
