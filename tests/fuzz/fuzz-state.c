/*
 * fuzz-state.c - state_parse() (--root/<id>/state.json) on arbitrary bytes.
 *
 * Contract: success gives a state with an id, failure gives none and a
 * one-line, non-empty message.  A parsed state that state_to_json() can
 * write (it needs bundle, rootfs and created) must come back field for
 * field from state_to_json() and state_parse() again: what `create` writes
 * is what every later command reads.  When a field is added to struct
 * state, compare it in same_state() too.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz-common.h"
#include "fuzz.h"
#include "state.h"

static bool
same_str(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

static bool
same_state(const struct state *a, const struct state *b)
{
	if (!same_str(a->id, b->id) || a->pid != b->pid || a->start_time != b->start_time ||
	    !same_str(a->bundle, b->bundle) || !same_str(a->rootfs, b->rootfs) ||
	    !same_str(a->created, b->created) || !same_str(a->cgroup_path, b->cgroup_path))
		return false;
	/* An absent owner is written as "". */
	if (!same_str(a->owner ? a->owner : "", b->owner))
		return false;
	if (a->n_annotations != b->n_annotations)
		return false;
	for (size_t i = 0; i < a->n_annotations; i++)
		if (!same_str(a->annotations[i].key, b->annotations[i].key) ||
		    !same_str(a->annotations[i].value, b->annotations[i].value))
			return false;
	return true;
}

static void
check_parsed(const struct state *s)
{
	if (!s->id || (s->n_annotations && !s->annotations))
		abort();
	for (size_t i = 0; i < s->n_annotations; i++)
		if (!s->annotations[i].key || !s->annotations[i].value)
			abort();
}

static void
round_trip(const struct state *s)
{
	struct hutch_error err = {0};
	struct state *again = NULL;
	char *text = NULL;
	bool writable = s->bundle && s->rootfs && s->created;
	int r = state_to_json(s, &text, &err);

	if (!writable) {
		if (r == 0 || text || fuzz_bad_error(&err))
			abort();
		return;
	}
	if (r < 0 || !text)
		abort();
	if (state_parse(text, strlen(text), &again, &err) < 0 || !again)
		abort();
	if (!same_state(s, again))
		abort();
	state_free(again);
	free(text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hutch_error err = {0};
	struct state *s = NULL;
	int r = state_parse((const char *)data, size, &s, &err);

	if (r == 0 && !s)
		abort();
	if (r < 0 && (s || fuzz_bad_error(&err)))
		abort();
	if (!s)
		return 0;
	check_parsed(s);
	round_trip(s);
	state_free(s);
	return 0;
}
