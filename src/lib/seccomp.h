/*
 * seccomp.h - linux.seccomp: the OCI filter compiled with libseccomp.
 *
 * The filter is compiled to BPF by hutch before the container process is
 * cloned (seccomp_program_compile), so that the process only has to hand the
 * finished program to the kernel (seccomp_program_load) as the last step before
 * execve(): no libseccomp work, no allocation inside a container that may
 * have a tiny memory limit.  The program is plain memory the process reads
 * through the shared address space (or its copy of it).
 *
 * SCMP_ACT_NOTIFY: the load returns a listener fd, which the process sends
 * to linux.seccomp.listenerPath (a unix socket on the host, connected by
 * the parent beforehand: after pivot_root its path is out of reach) with
 * the container state, as the runtime-spec describes.  Nothing here prints.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"
#include "spec.h"

struct seccomp_program {
	void *bpf;          /* struct sock_filter[] */
	size_t len;         /* number of instructions */
	unsigned int flags; /* SECCOMP_FILTER_FLAG_* for seccomp(2) */
	bool notify;        /* has SCMP_ACT_NOTIFY rules: a listener fd comes back */
};

/* Compile the spec's filter.  Unknown syscall names are skipped, as runc
 * does; a bad architecture, action or flag is an error naming the field. */
int seccomp_program_compile(const struct spec_seccomp *s, struct seccomp_program *out,
                            struct hutch_error *err);

/* Connect to linux.seccomp.listenerPath (parent, before clone). */
int seccomp_listener_connect(const char *path, struct hutch_error *err);

/* In the process: install the program.  With notify, send the listener fd
 * and `state_json` (the runtime-spec's container process state) over
 * listener_sock, then close the listener fd. */
int seccomp_program_load(const struct seccomp_program *p, int listener_sock, const char *state_json,
                         struct hutch_error *err);

void seccomp_program_release(struct seccomp_program *p);
