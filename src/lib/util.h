/*
 * util.h - small helpers every module uses: cleanup attributes, allocation
 * that aborts on out-of-memory, EINTR-safe fd I/O and whole-file helpers.
 *
 * Out of memory aborts: hutch is a short-lived command and gains nothing
 * from threading ENOMEM through every caller.  Nothing here prints except
 * the abort message of xmalloc().
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "error.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static inline void
freep(void *p)
{
	free(*(void **)p);
}

static inline void
closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}

void strv_freep(char ***strv);

#define _cleanup_(f)    __attribute__((cleanup(f)))
#define _cleanup_free_  _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)
#define _cleanup_strv_  _cleanup_(strv_freep)

/* Hand ownership out of a cleanup-managed variable. */
#define TAKE_PTR(p)                            \
	({                                     \
		__typeof__(p) take_tmp_ = (p); \
		(p) = NULL;                    \
		take_tmp_;                     \
	})
#define TAKE_FD(fd)                  \
	({                           \
		int take_fd_ = (fd); \
		(fd) = -1;           \
		take_fd_;            \
	})

void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n, size_t size);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

size_t strv_len(char *const *strv);
void strv_free(char **strv);

/* read()/write() that retry on EINTR and, for write, on short writes. */
ssize_t read_eintr(int fd, void *buf, size_t len);
ssize_t write_all(int fd, const void *buf, size_t len);

/* Read a whole file (at most max bytes, else -EFBIG) into a NUL-terminated
 * buffer.  dirfd may be AT_FDCWD. */
int read_file_at(int dirfd, const char *path, size_t max, char **out, size_t *len,
                 struct hutch_error *err);
/* The same from an open fd (stdin, say); `what` names it in errors. */
int read_fd_all(int fd, const char *what, size_t max, char **out, size_t *len,
                struct hutch_error *err);
/* Write a string to an existing file (procfs, sysfs, cgroupfs). */
int write_file_at(int dirfd, const char *path, const char *data, struct hutch_error *err);

/* Write a file that must be procfs's (refused otherwise): a /proc that an
 * image turned into a symlink to a volume must not receive the value. */
int write_proc_file(const char *path, const char *value, struct hutch_error *err);

/* mkdir -p; existing directories are fine. */
int mkdir_p(const char *path, mode_t mode, struct hutch_error *err);
