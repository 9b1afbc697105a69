/* PLACEHOLDER so that the tree links while the real seccomp module is being
 * written: replace it whole. */
#include "seccomp.h"

#include <errno.h>
#include <stdlib.h>

int
seccomp_compile(const struct spec_seccomp *s, struct seccomp_program *out, struct hutch_error *err)
{
	(void)s, (void)out;
	return error_msg(err, ENOSYS, "linux.seccomp: not implemented yet");
}

int
seccomp_connect_listener(const char *path, struct hutch_error *err)
{
	(void)path;
	return error_msg(err, ENOSYS, "linux.seccomp: not implemented yet");
}

int
seccomp_load(const struct seccomp_program *p, int listener_sock, const char *state_json,
	     struct hutch_error *err)
{
	(void)p, (void)listener_sock, (void)state_json;
	return error_msg(err, ENOSYS, "linux.seccomp: not implemented yet");
}

void
seccomp_program_release(struct seccomp_program *p)
{
	free(p->bpf);
	p->bpf = NULL;
}
