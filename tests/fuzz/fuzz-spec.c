/*
 * fuzz-spec.c - spec_parse() on arbitrary bytes.  Besides crashes and leaks
 * (ASan/UBSan), it checks the contract: success gives a spec, failure gives
 * none and a one-line, non-empty message.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "spec.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hutch_error err = {0};
	struct spec *spec = NULL;
	int r = spec_parse((const char *)data, size, &spec, &err);

	if (r == 0 && !spec)
		abort();
	if (r < 0 && (spec || err.msg[0] == '\0' || strchr(err.msg, '\n')))
		abort();
	/* What the rest of hutch relies on without checking again. */
	if (spec && (!spec->process || !spec->process->args[0] || spec->process->cwd[0] != '/' ||
	             !spec->root_path[0] || !spec->oci_version))
		abort();
	spec_free(spec);
	return 0;
}
