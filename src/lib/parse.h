/*
 * parse.h - checked number parsing for command-line flags and kernel files.
 *
 * Each parser accepts the whole string or nothing: trailing junk, an empty
 * string, overflow and values outside [min, max] fail with -EINVAL/-ERANGE.
 * Pure functions, no I/O.
 */
#pragma once

#include <stdint.h>

int parse_i64(const char *s, int64_t min, int64_t max, int64_t *out);
int parse_u64(const char *s, uint64_t max, uint64_t *out);
int parse_int(const char *s, int min, int max, int *out);

/* A signal by number ("9") or name, with or without "SIG" ("KILL",
 * "SIGKILL", "sigterm"), as runc's kill takes it. */
int parse_signal(const char *s, int *out);
