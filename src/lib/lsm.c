#include "lsm.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <sys/vfs.h>

#include "util.h"
#include "banned.h"

#ifndef SELINUX_MAGIC
#define SELINUX_MAGIC 0xf97cff8c
#endif

static bool
apparmor_enabled(void)
{
	char buf[4] = "";
	_cleanup_close_ int fd =
	    open("/sys/module/apparmor/parameters/enabled", O_RDONLY | O_CLOEXEC);

	return fd >= 0 && read_eintr(fd, buf, sizeof(buf) - 1) > 0 && buf[0] == 'Y';
}

static bool
selinux_enabled(void)
{
	struct statfs fs;

	return statfs("/sys/fs/selinux", &fs) == 0 && fs.f_type == SELINUX_MAGIC;
}

void
lsm_labels_for(const struct spec_process *p, struct lsm_labels *out)
{
	out->apparmor = p->apparmor_profile && *p->apparmor_profile && apparmor_enabled()
	                    ? p->apparmor_profile
	                    : NULL;
	out->selinux =
	    p->selinux_label && *p->selinux_label && selinux_enabled() ? p->selinux_label : NULL;
}

int
lsm_apply(const struct lsm_labels *l, struct hutch_error *err)
{
	char value[4096];
	int r;

	if (l->apparmor) {
		/* The AppArmor directory of attr/ since Linux 5.8 (stacking);
		 * the shared file before. */
		if ((size_t)snprintf(value, sizeof(value), "exec %s", l->apparmor) >= sizeof(value))
			return error_msg(err, ENAMETOOLONG, "process.apparmorProfile: too long");
		r = write_proc_file(access("/proc/thread-self/attr/apparmor", F_OK) == 0
		                        ? "/proc/thread-self/attr/apparmor/exec"
		                        : "/proc/thread-self/attr/exec",
		                    value, err);
		if (r < 0) {
			error_prefix(err, "process.apparmorProfile '%.64s': ", l->apparmor);
			return r;
		}
	}
	if (l->selinux) {
		r = write_proc_file("/proc/thread-self/attr/exec", l->selinux, err);
		if (r < 0) {
			error_prefix(err, "process.selinuxLabel '%.64s': ", l->selinux);
			return r;
		}
	}
	return 0;
}
