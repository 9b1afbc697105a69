/*
 * fuzz-idmap.c - uid/gid mappings (linux.uidMappings, linux.gidMappings
 * and those of an idmapped mount) through spec_parse().
 *
 * The input is spliced into a minimal valid config.json; its first byte
 * says where:
 *  - "u" + X: X is the inside of linux.uidMappings, with a user namespace
 *    and a valid one-entry gidMappings;
 *  - "g" + X: the same for gidMappings;
 *  - "m" + X: the inside of the uidMappings of an idmapped bind mount;
 *  - anything else (a member list starts with '"' or white space): the
 *    members of the linux object, namespaces included, so that the rules
 *    between maps and the user namespace are reached too.
 * On success the maps hold what /proc/<pid>/uid_map writes rely on.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz-common.h"
#include "fuzz.h"
#include "spec.h"

#define CONFIG_HEAD                                                                          \
	"{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},\"process\":{\"args\":[\"a\"]," \
	"\"cwd\":\"/\"},"
#define ONE_MAP "{\"containerID\":0,\"hostID\":1000,\"size\":1}"
#define USERNS  "\"namespaces\":[{\"type\":\"user\"}]"
#define ID_MAX  340 /* SPEC_ID_MAPS_MAX of spec-linux.c */

struct site {
	char selector;
	const char *before;
	const char *after;
};

static const struct site sites[] = {
    {'u', CONFIG_HEAD "\"linux\":{" USERNS ",\"uidMappings\":[",
     "],\"gidMappings\":[" ONE_MAP "]}}"},
    {'g', CONFIG_HEAD "\"linux\":{" USERNS ",\"uidMappings\":[" ONE_MAP "],\"gidMappings\":[",
     "]}}"},
    {'m',
     CONFIG_HEAD "\"mounts\":[{\"destination\":\"/m\",\"source\":\"/s\",\"options\":[\"rbind\","
                 "\"ridmap\"],\"gidMappings\":[" ONE_MAP "],\"uidMappings\":[",
     "]}]}"},
};

static void
check_linux(const struct spec_linux *l)
{
	const struct spec_namespace *userns = &l->namespaces[SPEC_NS_USER];

	if (fuzz_bad_id_maps(l->uid_mappings, l->n_uid_mappings) ||
	    fuzz_bad_id_maps(l->gid_mappings, l->n_gid_mappings) || l->n_uid_mappings > ID_MAX ||
	    l->n_gid_mappings > ID_MAX)
		abort();
	/* Maps need a user namespace; a new one needs both maps. */
	if ((l->n_uid_mappings || l->n_gid_mappings) && !userns->present)
		abort();
	if (userns->present && !userns->path && (!l->n_uid_mappings || !l->n_gid_mappings))
		abort();
}

static void
check_mounts(const struct spec *spec)
{
	for (size_t i = 0; i < spec->n_mounts; i++) {
		const struct spec_mount *m = &spec->mounts[i];

		if (fuzz_bad_id_maps(m->uid_mappings, m->n_uid_mappings) ||
		    fuzz_bad_id_maps(m->gid_mappings, m->n_gid_mappings) ||
		    m->n_uid_mappings > ID_MAX || m->n_gid_mappings > ID_MAX)
			abort();
		if (m->uid_mappings && !m->idmap)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hutch_error err = {0};
	struct spec *spec = NULL;
	const struct site *t = NULL;
	size_t len;
	char *buf;
	int r;

	for (size_t i = 0; size > 0 && i < sizeof(sites) / sizeof(sites[0]); i++)
		if (data[0] == sites[i].selector)
			t = &sites[i];
	buf = t ? fuzz_splice(t->before, data + 1, size - 1, t->after, &len)
	        : fuzz_splice(CONFIG_HEAD "\"linux\":{", data, size, "}}", &len);
	r = spec_parse(buf, len, &spec, &err);
	if (r == 0 && !spec)
		abort();
	if (r < 0 && (spec || fuzz_bad_error(&err)))
		abort();
	if (spec) {
		check_linux(&spec->linux);
		check_mounts(spec);
	}
	spec_free(spec);
	free(buf);
	return 0;
}
