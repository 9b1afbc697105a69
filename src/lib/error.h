/*
 * error.h - the one error type of libhutch.
 *
 * A function that can fail returns int (>= 0 success, -errno failure) and
 * takes `struct hutch_error *err` as its last parameter.  The failure site
 * fills it once with the operation and its object; callers pass it up
 * untouched.  It holds no pointers, so the container child can send it to
 * the parent over the sync socket byte for byte.  The library never prints:
 * main() prints the message once, with strerror(errnum) appended when errnum
 * is non-zero.
 */
#pragma once

#include <stdarg.h>

#define HUTCH_ERROR_MSG_MAX 480

struct hutch_error {
	int errnum;      /* errno to append when printed, 0 for none */
	int code;        /* positive errno-style code returned (negated) to callers */
	int exit_status; /* the command's exit status for this error; 0: 1 */
	char msg[HUTCH_ERROR_MSG_MAX];
};

/* Record a failure caused by a system call: errnum is appended when printed.
 * Returns -errnum (or -EIO when errnum is 0) so that callers can write
 * `return error_sys(err, errno, "open '%s'", path);`. */
int error_sys(struct hutch_error *err, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Record a failure with no errno text (validation, protocol): returns -code. */
int error_msg(struct hutch_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prefix an existing message with context ("linux.mounts[2]: " ...). */
void error_prefix(struct hutch_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Render the full one-line text ("msg: strerror") into buf. */
const char *error_text(const struct hutch_error *err, char *buf, int size);

void error_clear(struct hutch_error *err);
