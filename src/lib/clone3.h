/*
 * clone3.h - clone3(2) with a function to run, as clone(3) is for clone(2).
 *
 * glibc has no public clone3 wrapper, and a child that shares our memory
 * (CLONE_VM) on a stack of its own cannot return from the system call
 * into the caller's frames: it must start in fn(arg) on its new stack,
 * which takes a few lines of assembly per architecture.  hutch needs
 * clone3 for CLONE_INTO_CGROUP: a process born in its cgroup costs no
 * write to cgroup.procs, whose first use waits for an RCU grace period
 * (6-16 ms on a small VM).
 */
#pragma once

#include <linux/sched.h>
#include <sys/types.h>

/* The child runs fn(arg) on args->stack and exits with its return value.
 * Returns the child's pid, or -1 with errno set: ENOSYS when the kernel
 * (before 5.3) or this architecture (not x86_64) lacks it. */
pid_t clone3_run(struct clone_args *args, int (*fn)(void *), void *arg);
