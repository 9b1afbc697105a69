/*
 * spec-internal.h - what the spec-*.c files share: typed access to the
 * jansson tree with the field's JSON path in every error, name tables, and
 * the per-section parsers and destructors.  Private to src/lib/spec*.c.
 *
 * Conventions of the accessors:
 *  - `path` is the JSON path of the object being read ("" at the top,
 *    "linux.namespaces[2]"), `key` the member read from it (NULL when the
 *    value itself is meant).  Messages read "path.key: what is wrong".
 *  - spec_get_*() return 1 when the key is present and valid, 0 when it is
 *    absent (a JSON null counts as absent, as Go's decoder treats it), or
 *    -EINVAL with err filled.  Outputs are only written on 1.
 *  - Strings handed out are copies owned by the caller.
 */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spec.h"

/* Room for the deepest path the parser builds; keys taken from the config
 * (map keys) are cut to 64 bytes before they go into a path. */
#define SPEC_PATH_MAX 256

/* Longest slice of a user string quoted in a message. */
#define SPEC_QUOTE "%.64s"

/* json_decrefp() comes with jansson (>= 2.9, GCC and clang). */
#define _cleanup_json_ __attribute__((cleanup(json_decrefp)))

/* ---- spec-json.c ---- */

/* Parse a whole JSON document whose top level must be an object; `what`
 * names it in messages ("config.json"). */
int spec_json_load(const char *buf, size_t len, const char *what, json_t **out,
                   struct hutch_error *err);

int spec_error(struct hutch_error *err, const char *path, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int spec_missing(struct hutch_error *err, const char *path, const char *key);

/* Child paths: "parent.key", "parent.key[i]" ("parent[i]" for a NULL key),
 * "parent.key[\"map key\"]". */
void spec_path_key(char out[SPEC_PATH_MAX], const char *parent, const char *key);
void spec_path_index(char out[SPEC_PATH_MAX], const char *parent, const char *key, size_t i);
void spec_path_map(char out[SPEC_PATH_MAX], const char *parent, const char *key,
                   const char *map_key);

/* The member `key` of obj, or NULL when absent or null. */
json_t *spec_field(json_t *obj, const char *key);

/* Checks of one value (v not NULL). */
int spec_value_object(json_t *v, const char *path, const char *key, struct hutch_error *err);
int spec_value_array(json_t *v, const char *path, const char *key, struct hutch_error *err);
int spec_value_str(json_t *v, const char *path, const char *key, const char **out,
                   struct hutch_error *err);
int spec_value_i64(json_t *v, const char *path, const char *key, int64_t min, int64_t max,
                   int64_t *out, struct hutch_error *err);
int spec_value_u64(json_t *v, const char *path, const char *key, uint64_t max, uint64_t *out,
                   struct hutch_error *err);
/* A non-empty path of less than PATH_MAX bytes, absolute if asked. */
int spec_value_path(json_t *v, const char *path, const char *key, bool absolute, const char **out,
                    struct hutch_error *err);

int spec_get_object(json_t *obj, const char *path, const char *key, json_t **out,
                    struct hutch_error *err);
int spec_get_array(json_t *obj, const char *path, const char *key, json_t **out,
                   struct hutch_error *err);
int spec_get_bool(json_t *obj, const char *path, const char *key, bool *out,
                  struct hutch_error *err);
int spec_get_str(json_t *obj, const char *path, const char *key, char **out,
                 struct hutch_error *err);
int spec_get_path(json_t *obj, const char *path, const char *key, bool absolute, char **out,
                  struct hutch_error *err);
int spec_get_i64(json_t *obj, const char *path, const char *key, int64_t min, int64_t max,
                 int64_t *out, struct hutch_error *err);
int spec_get_u64(json_t *obj, const char *path, const char *key, uint64_t max, uint64_t *out,
                 struct hutch_error *err);
int spec_get_u32(json_t *obj, const char *path, const char *key, uint32_t *out,
                 struct hutch_error *err);
int spec_get_int(json_t *obj, const char *path, const char *key, int min, int max, int *out,
                 struct hutch_error *err);

enum spec_strv_check {
	SPEC_STRV_ANY,      /* any strings */
	SPEC_STRV_NONEMPTY, /* no empty string */
	SPEC_STRV_ABSOLUTE, /* absolute paths */
};

/* An array of strings as a NULL-terminated vector. */
int spec_get_strv(json_t *obj, const char *path, const char *key, enum spec_strv_check check,
                  char ***out, struct hutch_error *err);

/* An object whose members are all strings, as key/value pairs. */
int spec_get_string_map(json_t *obj, const char *path, const char *key, struct spec_key_value **out,
                        size_t *n, struct hutch_error *err);
void spec_key_values_free(struct spec_key_value *kv, size_t n);

/* ---- name tables ---- */

struct spec_name {
	const char *name;
	long value;
};

const struct spec_name *spec_name_find(const struct spec_name *table, size_t n, const char *name);
const char *spec_name_of(const struct spec_name *table, size_t n, long value);

#define SPEC_NAME_FIND(table, name) spec_name_find(table, ARRAY_SIZE(table), name)

/* "0-3,7": the list syntax of cpusets, CPU affinity and NUMA node masks. */
bool spec_valid_cpu_list(const char *s);

/* A network interface name the kernel would take (dev_valid_name()). */
bool spec_valid_ifname(const char *name);

/* ---- the sections (spec-process.c, spec-mount.c, spec-linux.c ...) ---- */

int spec_process_from_json(json_t *obj, const char *path, struct spec_process **out,
                           struct hutch_error *err);

int spec_mounts_parse(json_t *arr, const char *path, struct spec *spec, struct hutch_error *err);
void spec_mounts_free(struct spec_mount *mounts, size_t n);

/* uidMappings / gidMappings of linux and of mounts. */
int spec_id_maps_parse(json_t *arr, const char *path, struct spec_id_map **out, size_t *n,
                       struct hutch_error *err);

int spec_linux_parse(json_t *obj, const char *path, struct spec_linux *linux_,
                     struct hutch_error *err);
void spec_linux_release(struct spec_linux *linux_);

int spec_resources_parse(json_t *obj, const char *path, struct spec_resources **out,
                         struct hutch_error *err);
void spec_resources_free(struct spec_resources *r);

int spec_seccomp_parse(json_t *obj, const char *path, struct spec_seccomp **out,
                       struct hutch_error *err);
void spec_seccomp_free(struct spec_seccomp *s);
