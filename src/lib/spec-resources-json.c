/*
 * spec-resources-json.c - a LinuxResources object on its own, as `update
 * --resources` reads it: the linux.resources parser of spec-resources.c
 * applied to a whole document.
 */
#include "spec-internal.h"
#include "util.h"
#include "banned.h"

int
spec_resources_parse_json(const char *buf, size_t len, struct spec_resources **out,
                          struct hutch_error *err)
{
	_cleanup_json_ json_t *root = NULL;
	int r = spec_json_load(buf, len, "resources", &root, err);

	if (r < 0)
		return r;
	*out = NULL;
	return spec_resources_parse(root, "", out, err);
}
