/*
 * tap.h - a minimal TAP producer for the unit tests (meson reads TAP).
 * Each check prints one "ok N - what" / "not ok N - what" line; tap_done()
 * prints the plan and returns the exit status.
 */
#pragma once

#include <stdio.h>
#include <string.h>

static int tap_count;
static int tap_failed;

#define ok(cond, ...)                                                                   \
	do {                                                                            \
		tap_count++;                                                            \
		if (!(cond))                                                            \
			tap_failed++;                                                   \
		printf("%sok %d - ", (cond) ? "" : "not ", tap_count);                  \
		printf(__VA_ARGS__);                                                    \
		printf("\n");                                                           \
		if (!(cond))                                                            \
			printf("#   failed at %s:%d: %s\n", __FILE__, __LINE__, #cond); \
	} while (0)

#define is_str(got, want, ...)                                                      \
	do {                                                                        \
		const char *got_ = (got), *want_ = (want);                          \
		ok(got_ &&want_ &&strcmp(got_, want_) == 0, __VA_ARGS__);           \
		if (!(got_ && want_ && strcmp(got_, want_) == 0))                   \
			printf("#   got '%s', want '%s'\n", got_ ? got_ : "(null)", \
			       want_ ? want_ : "(null)");                           \
	} while (0)

static inline int
tap_done(void)
{
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}
