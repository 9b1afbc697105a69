/*
 * namespace.h - the namespaces of a container: which to create, which to
 * join, and the user namespace's id maps.
 *
 * Namespaces given by `path` are opened (and checked to be namespaces of
 * the stated type) by the parent before anything else happens, so a bad
 * path fails validation, not half-way through a start.
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"
#include "spec.h"

/* CLONE_NEW* flags of the namespaces clone() creates (no `path`).  Not
 * among them: time (clone() cannot take CLONE_NEWTIME) and cgroup (made by
 * the process itself once it is in its cgroup). */
int namespace_new_flags(const struct spec_linux *linux);

/* Open every namespace `path` into fds[type] (-1 where none), checking
 * with NS_GET_NSTYPE that it is a namespace of that type. */
int namespace_open_paths(const struct spec_linux *linux, int fds[SPEC_NS_COUNT],
                         struct hutch_error *err);
void namespace_close_fds(int fds[SPEC_NS_COUNT]);

/* The name of type t's file under /proc/<pid>/ns/ ("net", "mnt" ...). */
const char *namespace_proc_name(enum spec_ns_type t);

/* Whether fd is the same namespace of type t as the caller's. */
bool namespace_is_ours(int fd, enum spec_ns_type t);

/* setns() into every open fd: those our capabilities allow before the user
 * namespace, the rest after it, mount last. */
int namespace_join(const int fds[SPEC_NS_COUNT], struct hutch_error *err);

/* Write /proc/<pid>/uid_map and gid_map from the spec's mappings. */
int namespace_write_id_maps(pid_t pid, const struct spec_linux *linux, struct hutch_error *err);

/* unshare(CLONE_NEWTIME) and write the offsets: the caller's *children*
 * are then born in the new time namespace. */
int namespace_new_time(const struct spec_linux *linux, struct hutch_error *err);

/* Bring the loopback interface of the current network namespace up. */
int namespace_loopback_up(struct hutch_error *err);
