/*
 * path.h - resolve paths inside a container's root filesystem safely.
 *
 * The rootfs belongs to the image, so any of its path components may be a
 * symlink planted to point at the host ("/evil -> /../../etc").  Every path
 * below is resolved with openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS):
 * ".." and absolute symlinks stop at the rootfs, and /proc magic links
 * cannot be used to jump out.  Without openat2 (Linux < 5.6, or a seccomp
 * profile that makes it fail with ENOSYS) the same resolution is done in
 * user space, one O_NOFOLLOW component at a time (path_resolve_in_root_walk).
 * Callers then act on the returned O_PATH fd (through /proc/self/fd/N),
 * never on the path string again, so a symlink swapped in after the check
 * cannot redirect the operation.
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"

enum path_create {
	PATH_NO_CREATE,
	PATH_CREATE_DIR,  /* mkdir -p the path */
	PATH_CREATE_FILE, /* mkdir -p the parent, create an empty regular file */
};

/* Open `path` (absolute or relative, always taken as inside rootfd) as an
 * O_PATH fd, creating it as asked.  Returns the fd or -errno. */
int path_open_in_root(int rootfd, const char *path, enum path_create create,
                      struct hutch_error *err);

/* The fallback used when the kernel has no openat2: open `path` inside rootfd
 * as openat2(rootfd, path, {flags, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS})
 * would, resolving every symlink in user space (never by the kernel) and
 * ".." by going back to the directory it came from.  flags: open(2) flags
 * without O_CREAT/O_TMPFILE (O_CLOEXEC is added).  The same errno as
 * openat2 for ENOENT, ENOTDIR, ELOOP (more than 40 symlinks, or a procfs
 * magic link) and ENAMETOOLONG; it also fails with ENAMETOOLONG when a
 * symlink's text and the rest of the path together exceed PATH_MAX (the
 * kernel has no such limit), and with EAGAIN when the last component was
 * replaced between its check and its open.  Returns the fd or -errno and
 * sets no hutch_error: path_open_in_root() calls it by itself when openat2
 * fails with ENOSYS; it is public for the unit tests. */
int path_resolve_in_root_walk(int rootfd, const char *path, int flags);

/* "/proc/self/fd/N" for fd, in buf. */
const char *path_fd(int fd, char *buf, size_t size);

/* Normalise a container path lexically: collapse "//", drop "." and trailing
 * '/', refuse nothing ("..": left as is, RESOLVE_IN_ROOT contains it).  The
 * result never ends with '/' except for "/" itself.  Pure. */
void path_clean(const char *in, char *out, size_t size);
