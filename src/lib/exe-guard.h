/*
 * exe-guard.h - keep the host's hutch binary out of reach of containers
 * (the CVE-2019-5736 class).
 *
 * Until it execs, every process hutch puts in a container (the init of a
 * created container, an exec'd process during its setup) runs hutch's own
 * image, so /proc/<pid>/exe inside the container leads to the binary on the
 * host.  Making those processes non-dumpable closes that link to every
 * process without CAP_SYS_PTRACE in the host's user namespace, which is
 * all a container normally has.  A container that shares the host's user
 * namespace and may hold CAP_SYS_PTRACE is the exception: for it hutch
 * re-executes itself from a sealed memfd copy of its binary before any of
 * its processes enters the container, so what the link leads to is a copy
 * nobody can write.  That costs one more program image (a few ms), paid
 * only by such containers.
 *
 * The decision is per container and lasting: once a process of a
 * container has been given CAP_SYS_PTRACE (by its config, or by
 * `exec --cap`), every later exec into it is guarded too.  The state
 * directory's EXE_GUARD_FILE records it; unguarded execs hold a shared
 * lock on it while their process is in the container, and marking takes
 * the exclusive lock, so no unguarded exec is still in flight once a
 * process with CAP_SYS_PTRACE can exist.
 */
#pragma once

#include <signal.h>
#include <stdbool.h>

#include "error.h"
#include "spec.h"

#define EXE_GUARD_FILE "exe-guard" /* in the state directory; non-empty: guarded */

/* Whether a process with these settings could hold CAP_SYS_PTRACE (in any
 * set, bounding included: a set-user-ID root program can raise it). */
bool exe_guard_process_may_ptrace(const struct spec_process *p);

/* Whether this process runs from a sealed copy of the binary. */
bool exe_guard_active(void);

/* Re-execute this command (same argv from /proc/self/cmdline, same
 * environment, signal mask reset to `mask` unless NULL) from a sealed memfd copy of
 * the binary.  Returns only on failure. */
int exe_guard_reexec(const sigset_t *mask, struct hutch_error *err);

/* Mark the container's state directory guarded (create/run). */
int exe_guard_mark(int state_dirfd, struct hutch_error *err);

/* exec: open (creating it if need be) and share-lock the guard file;
 * *guarded: the container is guarded.  Keep the fd open until the process
 * has exec'd: an exec that gives CAP_SYS_PTRACE waits for it. */
int exe_guard_open(int state_dirfd, bool *guarded, struct hutch_error *err);

/* exec: mark guarded through the fd of exe_guard_open(), once no
 * unguarded exec holds it. */
int exe_guard_upgrade(int fd, struct hutch_error *err);
