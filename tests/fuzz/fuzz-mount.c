/*
 * fuzz-mount.c - the `mounts` entries of config.json (destination, source,
 * mount options, idmapped mount maps) through spec_parse().
 *
 * The input is spliced into a minimal valid config.json, so that nearly
 * every run reaches the mount parser instead of stopping at a missing
 * ociVersion:
 *  - "o" + X: X is the inside of the `options` array of one tmpfs mount;
 *  - anything else (a JSON value cannot start with 'o'): the inside of the
 *    `mounts` array, one or more whole mount objects.
 * On success every mount is checked against what the mount code relies on,
 * and the filesystem data string is parsed again as options: it must hold
 * only options the parser does not know, so it comes back unchanged.
 */
#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "fuzz-common.h"
#include "fuzz.h"
#include "spec.h"

#define CONFIG_HEAD                                                                          \
	"{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},\"process\":{\"args\":[\"a\"]," \
	"\"cwd\":\"/\"},\"mounts\":["
#define OPTIONS_HEAD                                                                   \
	CONFIG_HEAD "{\"destination\":\"/m\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"," \
	            "\"options\":["

static bool
bad_propagation(unsigned long p)
{
	unsigned long type = p & ~(unsigned long)MS_REC;

	if (p == 0)
		return false;
	return type != MS_SHARED && type != MS_SLAVE && type != MS_PRIVATE && type != MS_UNBINDABLE;
}

static bool
bad_attrs(const struct spec_mount *m)
{
	uint64_t atime = m->attr_set & MOUNT_ATTR__ATIME;

	/* Outside the atime field a bit is set or cleared, not both. */
	if (m->attr_set & m->attr_clr & ~(uint64_t)MOUNT_ATTR__ATIME)
		return true;
	/* An atime mode is only applied with the whole field cleared. */
	if (atime && (m->attr_clr & MOUNT_ATTR__ATIME) != MOUNT_ATTR__ATIME)
		return true;
	return atime != 0 && atime != MOUNT_ATTR_NOATIME && atime != MOUNT_ATTR_STRICTATIME;
}

static bool
bad_data(const char *data)
{
	size_t len;

	if (!data)
		return false;
	len = strlen(data);
	return len == 0 || data[0] == ',' || data[len - 1] == ',' || strstr(data, ",,");
}

static void
check_mount(const struct spec_mount *m)
{
	if (!m->destination || m->destination[0] != '/' || strlen(m->destination) >= PATH_MAX ||
	    (m->source && strlen(m->source) >= PATH_MAX))
		abort();
	if ((m->flags & m->clear_flags) || m->bind != ((m->flags & MS_BIND) != 0))
		abort();
	if (bad_propagation(m->propagation) || bad_attrs(m) || bad_data(m->data))
		abort();
	if ((m->idmap_recursive && !m->idmap) || (!m->uid_mappings != !m->gid_mappings) ||
	    (m->uid_mappings && !m->idmap))
		abort();
	if (fuzz_bad_id_maps(m->uid_mappings, m->n_uid_mappings) ||
	    fuzz_bad_id_maps(m->gid_mappings, m->n_gid_mappings))
		abort();
}

/* A config whose one mount has data's items as its options. */
static char *
options_config(const char *data)
{
	json_t *opts = json_array();
	char *text;
	json_t *root;

	for (const char *p = data; *p;) {
		size_t len = strcspn(p, ",");

		json_array_append_new(opts, json_stringn(p, len));
		p += len + (p[len] == ',');
	}
	root = json_pack("{s:s, s:{s:s}, s:{s:[s], s:s}, s:[{s:s, s:o}]}", "ociVersion", "1.0.0",
	                 "root", "path", "r", "process", "args", "a", "cwd", "/", "mounts",
	                 "destination", "/m", "options", opts);
	if (!root)
		abort();
	text = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	if (!text)
		abort();
	return text;
}

static void
check_data_round_trip(const char *data)
{
	struct hutch_error err = {0};
	struct spec *spec = NULL;
	char *text = options_config(data);
	const struct spec_mount *m;

	if (spec_parse(text, strlen(text), &spec, &err) < 0 || spec->n_mounts != 1)
		abort();
	m = &spec->mounts[0];
	if (!m->data || strcmp(m->data, data) != 0 || m->flags || m->clear_flags ||
	    m->propagation || m->attr_set || m->attr_clr || m->idmap)
		abort();
	spec_free(spec);
	free(text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hutch_error err = {0};
	struct spec *spec = NULL;
	bool options = size > 0 && data[0] == 'o';
	size_t len;
	char *buf = options ? fuzz_splice(OPTIONS_HEAD, data + 1, size - 1, "]}]}", &len)
	                    : fuzz_splice(CONFIG_HEAD, data, size, "]}", &len);
	int r = spec_parse(buf, len, &spec, &err);

	if (r == 0 && !spec)
		abort();
	if (r < 0 && (spec || fuzz_bad_error(&err)))
		abort();
	for (size_t i = 0; spec && i < spec->n_mounts; i++) {
		check_mount(&spec->mounts[i]);
		if (spec->mounts[i].data)
			check_data_round_trip(spec->mounts[i].data);
	}
	spec_free(spec);
	free(buf);
	return 0;
}
