/*
 * cgroup-convert.h - the pure conversions behind the cgroup module and its
 * commands: the v1 -> v2 value mappings the OCI spec implies (it was
 * written for v1), and the parsers of `update` and `events` flags.
 *
 * No I/O, no allocation; unit-tested on their own.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "error.h"

/* cpu.shares [2, 262144] -> cpu.weight [1, 10000], linearly, as runc and
 * crun map it; 0 (unset) stays 0 and out-of-range shares are clamped
 * first, as the kernel clamps them on v1. */
uint64_t cgroup_shares_to_weight(uint64_t shares);

/* blkio.weight [10, 1000] -> io.weight [1, 10000]; 0 stays 0. */
uint64_t cgroup_blkio_to_io_weight(uint64_t weight);

/* The v2 memory.swap.max for the spec's swap (memory + swap, as on v1)
 * and limit, 0 meaning "not set" for both (runc's convention): *out is
 * the text to write, in buf or "max", or NULL for "leave it alone".  A
 * swap without a memory limit to subtract, or below it, is -EINVAL with
 * err naming linux.resources.memory.swap. */
int cgroup_swap_to_v2(int64_t swap, int64_t limit, char buf[static 21], const char **out,
                      struct hutch_error *err);

/* The text of a v2 limit file (memory.max, memory.low, pids.max ...):
 * -1 -> "max", else the number.  buf needs 21 bytes. */
const char *cgroup_limit_str(int64_t v, char buf[static 21]);

/* A memory size as runc's update takes it: "-1", or a number (decimals
 * allowed) with an optional binary unit k, m, g, t, p (any case, an
 * optional "i" and "b": "512m", "1.5G", "100KiB", "64b").  0 or -EINVAL /
 * -ERANGE. */
int cgroup_parse_memory(const char *s, int64_t *out);

/* A Go duration as runc's --interval takes it ("5s", "1m30s", "250ms",
 * "1.5h"), in nanoseconds; must be > 0.  0 or -EINVAL / -ERANGE. */
int cgroup_parse_duration(const char *s, int64_t *ns);
