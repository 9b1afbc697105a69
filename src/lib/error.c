#include "error.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "banned.h"

static int
error_vset(struct hutch_error *err, int errnum, int code, const char *fmt, va_list ap)
{
	err->errnum = errnum;
	err->code = code > 0 ? code : EIO;
	err->exit_status = 0;
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	return -err->code;
}

int
error_sys(struct hutch_error *err, int errnum, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = error_vset(err, errnum, errnum, fmt, ap);
	va_end(ap);
	return ret;
}

int
error_msg(struct hutch_error *err, int code, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = error_vset(err, 0, code, fmt, ap);
	va_end(ap);
	return ret;
}

void
error_prefix(struct hutch_error *err, const char *fmt, ...)
{
	char prefix[HUTCH_ERROR_MSG_MAX];
	char old[HUTCH_ERROR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	/* Truncate the old text, not the new context, when both do not fit. */
	snprintf(err->msg, sizeof(err->msg), "%s%.*s", prefix,
	         (int)(sizeof(err->msg) - 1 - strnlen(prefix, sizeof(err->msg) - 1)), old);
}

const char *
error_text(const struct hutch_error *err, char *buf, int size)
{
	if (err->errnum)
		snprintf(buf, size, "%s: %s", err->msg, strerror(err->errnum));
	else
		snprintf(buf, size, "%s", err->msg);
	return buf;
}

void
error_clear(struct hutch_error *err)
{
	err->errnum = 0;
	err->code = 0;
	err->exit_status = 0;
	err->msg[0] = '\0';
}
