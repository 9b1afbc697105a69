/*
 * fuzz-common.h - small helpers of the fuzz targets: the error contract,
 * splicing the input into a JSON template, and the invariants of a parsed
 * id map list.  Header-only (static inline), so that each target still
 * builds from its own .c file.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "spec.h"

/* Every failure fills err with a one-line, non-empty message. */
static inline bool
fuzz_bad_error(const struct hutch_error *err)
{
	size_t len = strnlen(err->msg, sizeof(err->msg));

	return len == 0 || len == sizeof(err->msg) || memchr(err->msg, '\n', len) != NULL;
}

/* before + data + after, in a new buffer of *len bytes (not terminated). */
static inline char *
fuzz_splice(const char *before, const uint8_t *data, size_t size, const char *after, size_t *len)
{
	size_t nb = strlen(before), na = strlen(after);
	char *buf = malloc(nb + size + na + 1);

	if (!buf)
		abort();
	memcpy(buf, before, nb);
	if (size)
		memcpy(buf + nb, data, size);
	memcpy(buf + nb + size, after, na);
	*len = nb + size + na;
	return buf;
}

/* The data after the selector byte as a NUL-terminated string. */
static inline char *
fuzz_string(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* What a parsed uidMappings / gidMappings promises the code that writes
 * /proc/<pid>/uid_map: non-empty ranges that do not wrap at 2^32, and no
 * two entries overlapping on either side (the kernel refuses both). */
static inline bool
fuzz_bad_id_maps(const struct spec_id_map *maps, size_t n)
{
	if (n > 0 && !maps)
		return true;
	for (size_t i = 0; i < n; i++) {
		const struct spec_id_map *m = &maps[i];

		if (m->size == 0 || (uint64_t)m->container_id + m->size > UINT32_MAX ||
		    (uint64_t)m->host_id + m->size > UINT32_MAX)
			return true;
		for (size_t j = 0; j < i; j++) {
			const struct spec_id_map *o = &maps[j];

			if ((uint64_t)m->container_id < (uint64_t)o->container_id + o->size &&
			    (uint64_t)o->container_id < (uint64_t)m->container_id + m->size)
				return true;
			if ((uint64_t)m->host_id < (uint64_t)o->host_id + o->size &&
			    (uint64_t)o->host_id < (uint64_t)m->host_id + m->size)
				return true;
		}
	}
	return false;
}
