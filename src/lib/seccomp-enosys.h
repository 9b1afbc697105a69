/*
 * seccomp-enosys.h - the -ENOSYS stub in front of a filter, as runc has.
 *
 * A profile written before a syscall existed gives it the default action,
 * usually EPERM, and libc then fails instead of falling back to the older
 * call (clone3 to clone, faccessat2 to faccessat), since only ENOSYS means
 * "not there".  So a syscall whose number is above every syscall the
 * profile names (for its architecture) answers ENOSYS before the profile
 * is consulted.  Syscalls the profile could have named but did not keep
 * the default action.  Not used when the default action allows or logs.
 */
#pragma once

#include <linux/filter.h>
#include <stddef.h>

#include "error.h"
#include "spec.h"

/* The stub for s, its jumps ending where the program that follows it
 * begins; *n is 0 when no stub applies.  arches: the filter's
 * architecture tokens (SCMP_ARCH_*), n_arches of them. */
int seccomp_enosys_stub(const struct spec_seccomp *s, const unsigned int *arches, size_t n_arches,
                        struct sock_filter **out, size_t *n, struct hutch_error *err);
