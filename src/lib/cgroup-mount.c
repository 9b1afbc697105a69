#include "cgroup-mount.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include "mount.h"
#include "path.h"
#include "util.h"
#include "banned.h"

/* The path of this process's cgroup in the hierarchy whose controllers (as
 * listed in /proc/self/cgroup: "memory", "name=systemd", "" for v2) are
 * `controllers`.  Returns a pointer into `cgroups` or NULL. */
static const char *
own_cgroup(char *cgroups, const char *controllers)
{
	size_t n = strlen(controllers);

	for (char *line = cgroups; line && *line;) {
		char *nl = strchr(line, '\n'), *c = strchr(line, ':'), *p;

		if (nl)
			*nl = '\0';
		p = c ? strchr(c + 1, ':') : NULL;
		if (p && (size_t)(p - c - 1) == n && strncmp(c + 1, controllers, n) == 0)
			return p + 1;
		line = nl ? nl + 1 : NULL;
	}
	return NULL;
}

/* From a v1 mount's super options ("rw,cpu,cpuacct", "rw,xattr,name=systemd")
 * keep the controller names, comma-joined, in place. */
static void
controllers_of(char *opts)
{
	static const char *const skip[] = {
	    "rw", "ro", "xattr", "noprefix", "clone_children", "cpuset_v2_mode", "favordynmods"};
	char *out = opts, *save = NULL;

	for (char *tok = strtok_r(opts, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		bool keep = strncmp(tok, "release_agent=", 14) != 0;

		for (size_t i = 0; keep && i < ARRAY_SIZE(skip); i++)
			keep = strcmp(tok, skip[i]) != 0;
		if (!keep)
			continue;
		size_t len = strlen(tok); /* before the move: it may overwrite tok */

		if (out != opts)
			*out++ = ',';
		memmove(out, tok, len + 1);
		out += len;
	}
	*out = '\0';
}

static int
mount_hierarchy(const struct sandbox *sb, int rootfd, const struct spec_mount *m,
                const char *mountpoint, const char *fstype, char *opts, struct hutch_error *err)
{
	_cleanup_free_ char *cgroups = NULL, *dest = NULL, *source = NULL;
	const char *name = strrchr(mountpoint, '/') + 1;
	bool v2 = strcmp(fstype, "cgroup2") == 0;
	struct spec_mount sub = *m;
	const char *path;
	int r;

	controllers_of(opts);
	dest = xasprintf("%s/%s", m->destination, name);
	sub.destination = dest;
	sub.type = (char *)fstype;
	sub.source = (char *)fstype;
	sub.data = v2 ? NULL : opts;
	sub.propagation = 0;
	if (sb->spec->linux.namespaces[SPEC_NS_CGROUP].present) {
		r = mount_new_fs(rootfd, &sub, err);
		if (r != -EPERM && r != -EBUSY)
			return r;
	}
	r = read_file_at(AT_FDCWD, "/proc/self/cgroup", 1 << 16, &cgroups, NULL, err);
	if (r < 0)
		return r;
	path = own_cgroup(cgroups, v2 ? "" : opts);
	source = xasprintf("%s%s", mountpoint, path ? path : "");
	return mount_bind_path(source, false, rootfd, &sub, err);
}

/* v1 and hybrid: a tmpfs with one mount per hierarchy of the host. */
static int
mount_v1(const struct sandbox *sb, int rootfd, const struct spec_mount *m, struct hutch_error *err)
{
	struct spec_mount tmpfs = *m;
	_cleanup_free_ char *info = NULL;
	int r;

	tmpfs.type = "tmpfs";
	tmpfs.source = "tmpfs";
	tmpfs.data = "mode=755";
	tmpfs.flags &= ~MS_RDONLY; /* filled first, made read-only last */
	tmpfs.propagation = 0;
	r = mount_new_fs(rootfd, &tmpfs, err);
	if (r < 0)
		return r;
	r = read_file_at(AT_FDCWD, "/proc/self/mountinfo", 1 << 22, &info, NULL, err);
	if (r < 0)
		return r;
	for (char *line = info, *nl; line && *line; line = nl ? nl + 1 : NULL) {
		char mountpoint[PATH_MAX], fstype[32], opts[512];
		const char *sep;

		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		sep = strstr(line, " - ");
		if (!sep || sscanf(line, "%*s %*s %*s %*s %4095s", mountpoint) != 1 ||
		    sscanf(sep, " - %31s %*s %511s", fstype, opts) != 2)
			continue;
		if (strncmp(mountpoint, "/sys/fs/cgroup/", 15) != 0 ||
		    strchr(mountpoint + 15, '/') ||
		    (strcmp(fstype, "cgroup") != 0 && strcmp(fstype, "cgroup2") != 0))
			continue;
		r = mount_hierarchy(sb, rootfd, m, mountpoint, fstype, opts, err);
		if (r < 0)
			return r;
	}
	if (m->flags & MS_RDONLY) {
		_cleanup_close_ int fd =
		    path_open_in_root(rootfd, m->destination, PATH_NO_CREATE, err);
		struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};

		if (fd < 0)
			return fd;
		if (mount_setattr(fd, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0)
			return error_sys(err, errno, "make '%s' read-only", m->destination);
	}
	return 0;
}

int
cgroup_mount(const struct sandbox *sb, int rootfd, const struct spec_mount *m,
             struct hutch_error *err)
{
	struct statfs fs;
	struct spec_mount v2 = *m;
	int r;

	if (statfs("/sys/fs/cgroup", &fs) < 0)
		return error_sys(err, errno, "statfs '/sys/fs/cgroup'");
	if (fs.f_type != CGROUP2_SUPER_MAGIC)
		return mount_v1(sb, rootfd, m, err);

	v2.type = "cgroup2";
	v2.source = "cgroup2";
	v2.data = NULL;
	/* Outside a cgroup namespace of its own a new cgroup2 mount would show
	 * the whole tree, and would reset the host's superblock-wide options
	 * (nsdelegate, memory_recursiveprot): bind our own cgroup instead. */
	r = sb->spec->linux.namespaces[SPEC_NS_CGROUP].present ? mount_new_fs(rootfd, &v2, err)
	                                                       : -EPERM;
	if (r == -EPERM || r == -EBUSY) {
		/* No cgroup namespace of our own: show only our own cgroup. */
		_cleanup_free_ char *cgroups = NULL, *source = NULL;
		const char *path;

		r = read_file_at(AT_FDCWD, "/proc/self/cgroup", 1 << 16, &cgroups, NULL, err);
		if (r < 0)
			return r;
		path = own_cgroup(cgroups, "");
		source = xasprintf("/sys/fs/cgroup%s", path ? path : "");
		r = mount_bind_path(source, true, rootfd, &v2, err);
	}
	return r;
}
