/*
 * seccomp-cache.h - compiled seccomp filters kept under --root.
 *
 * libseccomp takes 5-20 ms to compile an engine's default profile (a few
 * hundred syscalls for three architectures), more than the rest of a
 * container start.  Engines give nearly every container the same profile,
 * and every exec into a container compiles the container's profile again:
 * so the finished program is kept in --root/SECCOMP_CACHE_DIR, in a file
 * named by a hash of a text key, and used only when the whole key in the
 * file matches (a hash collision can only cost a compile).  The key is
 * everything the program depends on: the linux.seccomp fields that reach
 * the filter, the libseccomp version and API level, and the kernel
 * release.  The cache is best effort: failing to read or write it only
 * means compiling.
 */
#pragma once

#include "error.h"
#include "seccomp.h"
#include "spec.h"

/* Not a valid container id ('@'): `list` never takes it for one. */
#define SECCOMP_CACHE_DIR "@seccomp-cache"

/* seccomp_program_compile(), through the cache of `root` (NULL: none). */
int seccomp_program_compile_cached(const char *root, const struct spec_seccomp *s,
                                   struct seccomp_program *out, struct hutch_error *err);

/* The cache key of a filter (malloc'd text).  Pure apart from the versions
 * it asks libseccomp and uname(2) for. */
char *seccomp_cache_key(const struct spec_seccomp *s);
