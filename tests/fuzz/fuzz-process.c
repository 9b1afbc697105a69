/*
 * fuzz-process.c - spec_process_parse() (the process.json of `exec
 * --process`) on arbitrary bytes, with the same contract checks as
 * fuzz-spec.c.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "spec.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hutch_error err = {0};
	struct spec_process *process = NULL;
	int r = spec_process_parse((const char *)data, size, &process, &err);

	if (r == 0 && !process)
		abort();
	if (r < 0 && (process || err.msg[0] == '\0' || strchr(err.msg, '\n')))
		abort();
	spec_process_free(process);
	return 0;
}
