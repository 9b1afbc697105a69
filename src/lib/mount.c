#include "mount.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>

#include "cgroup-mount.h"
#include "path.h"
#include "util.h"
#include "banned.h"

/* MS_* flags of a config.json mount and their mount_setattr() twins. */
static const struct {
	unsigned long ms;
	uint64_t attr;
} attr_table[] = {
    {MS_RDONLY, MOUNT_ATTR_RDONLY},         {MS_NOSUID, MOUNT_ATTR_NOSUID},
    {MS_NODEV, MOUNT_ATTR_NODEV},           {MS_NOEXEC, MOUNT_ATTR_NOEXEC},
    {MS_NODIRATIME, MOUNT_ATTR_NODIRATIME}, {MS_NOSYMFOLLOW, MOUNT_ATTR_NOSYMFOLLOW},
    {MS_NOATIME, MOUNT_ATTR_NOATIME},       {MS_STRICTATIME, MOUNT_ATTR_STRICTATIME},
};

/* Superblock flags go to fsconfig() by name rather than to the mount. */
static const struct {
	unsigned long ms;
	const char *name;
} sb_flag_table[] = {
    {MS_SYNCHRONOUS, "sync"}, {MS_DIRSYNC, "dirsync"}, {MS_LAZYTIME, "lazytime"},
    {MS_MANDLOCK, "mand"},    {MS_SILENT, "silent"},   {MS_I_VERSION, "iversion"},
};

#define ATIME_FLAGS (MS_NOATIME | MS_STRICTATIME | MS_RELATIME)

static void
flags_to_attr(unsigned long set, unsigned long clear, struct mount_attr *attr)
{
	for (size_t i = 0; i < ARRAY_SIZE(attr_table); i++) {
		if (set & attr_table[i].ms)
			attr->attr_set |= attr_table[i].attr;
		if (clear & attr_table[i].ms)
			attr->attr_clr |= attr_table[i].attr;
	}
	/* The atime modes are one field: setting one means clearing the others. */
	if ((set | clear) & ATIME_FLAGS)
		attr->attr_clr |= MOUNT_ATTR__ATIME;
}

static int
setattr(int fd, unsigned int flags, struct mount_attr *attr)
{
	if (!attr->attr_set && !attr->attr_clr && !attr->propagation)
		return 0;
	return mount_setattr(fd, "", AT_EMPTY_PATH | flags, attr, sizeof(*attr));
}

/* Apply a mount entry's attributes to a mount (attached or not) given by fd. */
static int
apply_attrs(int fd, const struct spec_mount *m, unsigned long extra_clear, struct hutch_error *err)
{
	struct mount_attr top = {0}, rec = {.attr_set = m->attr_set, .attr_clr = m->attr_clr};

	flags_to_attr(m->flags, m->clear_flags | extra_clear, &top);
	if (setattr(fd, 0, &top) < 0 || setattr(fd, AT_RECURSIVE, &rec) < 0)
		return error_sys(err, errno, "set the options of mount '%s'", m->destination);
	return 0;
}

static int
apply_propagation(int rootfd, const struct spec_mount *m, struct hutch_error *err)
{
	struct mount_attr attr = {.propagation = m->propagation & ~MS_REC};
	_cleanup_close_ int fd = -1;

	if (!m->propagation)
		return 0;
	/* Reopen: the fd must name the new mount's root, not what it covers. */
	fd = path_open_in_root(rootfd, m->destination, PATH_NO_CREATE, err);
	if (fd < 0)
		return fd;
	if (setattr(fd, (m->propagation & MS_REC) ? AT_RECURSIVE : 0, &attr) < 0)
		return error_sys(err, errno, "set the propagation of mount '%s'", m->destination);
	return 0;
}

static int
attach(int tree, int rootfd, const char *dest, enum path_create create, struct hutch_error *err)
{
	_cleanup_close_ int dfd = path_open_in_root(rootfd, dest, create, err);

	if (dfd < 0)
		return dfd;
	if (move_mount(tree, "", dfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return error_sys(err, errno, "attach mount on '%s'", dest);
	return 0;
}

/* A detached copy of a bind mount's source: its options, then attached at
 * the destination (made a directory or a file like the source).  The copy
 * is detached until move_mount(): its options are set before the
 * container could ever see it without them. */
static int
attach_bind(int tree, int rootfd, const struct spec_mount *m, struct hutch_error *err)
{
	struct stat st;
	int r;

	if (fstat(tree, &st) < 0)
		return error_sys(err, errno, "mount '%s': source", m->destination);
	r = apply_attrs(tree, m, 0, err);
	if (r < 0)
		return r;
	return attach(tree, rootfd, m->destination,
	              S_ISDIR(st.st_mode) ? PATH_CREATE_DIR : PATH_CREATE_FILE, err);
}

int
mount_bind_path(const char *source, bool recursive, int rootfd, const struct spec_mount *m,
                struct hutch_error *err)
{
	unsigned int flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0);
	_cleanup_close_ int tree = -1;
	struct stat st;

	if (stat(source, &st) < 0)
		return error_sys(err, errno, "mount '%s': source '%s'", m->destination, source);
	tree = open_tree(AT_FDCWD, source, flags);
	if (tree < 0)
		return error_sys(err, errno, "bind '%s'", source);
	return attach_bind(tree, rootfd, m, err);
}

static int
mount_bind(const struct sandbox *sb, int rootfd, const struct spec_mount *m,
           struct hutch_error *err)
{
	_cleanup_free_ char *source = NULL;

	if (!m->source)
		return error_msg(err, EINVAL, "mount '%s': bind mount without a source",
		                 m->destination);
	source =
	    m->source[0] == '/' ? xstrdup(m->source) : xasprintf("%s/%s", sb->bundle, m->source);
	return mount_bind_path(source, (m->flags & MS_REC) != 0, rootfd, m, err);
}

/* Pass the comma-separated filesystem options to fsconfig() one by one. */
static int
configure_fs(int fsfd, const struct spec_mount *m, struct hutch_error *err)
{
	_cleanup_free_ char *data = m->data ? xstrdup(m->data) : NULL;
	char *save = NULL;

	if (m->source && fsconfig(fsfd, FSCONFIG_SET_STRING, "source", m->source, 0) < 0)
		return error_sys(err, errno, "mount '%s': source '%s'", m->destination, m->source);
	for (size_t i = 0; i < ARRAY_SIZE(sb_flag_table); i++)
		if ((m->flags & sb_flag_table[i].ms) &&
		    fsconfig(fsfd, FSCONFIG_SET_FLAG, sb_flag_table[i].name, NULL, 0) < 0)
			return error_sys(err, errno, "mount '%s': option '%s'", m->destination,
			                 sb_flag_table[i].name);
	for (char *opt = data ? strtok_r(data, ",", &save) : NULL; opt;
	     opt = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(opt, '=');
		int r;

		if (eq) {
			*eq = '\0';
			r = fsconfig(fsfd, FSCONFIG_SET_STRING, opt, eq + 1, 0);
		} else {
			r = fsconfig(fsfd, FSCONFIG_SET_FLAG, opt, NULL, 0);
		}
		if (r < 0)
			return error_sys(err, errno, "mount '%s': option '%s'", m->destination,
			                 opt);
	}
	if (fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return error_sys(err, errno, "mount %s on '%s'", m->type, m->destination);
	return 0;
}

/* A new filesystem instance, built detached (fsopen/fsmount) and attached by
 * fd: no path is looked up between the check and the mount. */
int
mount_new_fs(int rootfd, const struct spec_mount *m, struct hutch_error *err)
{
	_cleanup_close_ int fsfd = -1, mfd = -1;
	int r;

	fsfd = fsopen(m->type, FSOPEN_CLOEXEC);
	if (fsfd < 0)
		return error_sys(err, errno, "mount '%s': filesystem '%s'", m->destination,
		                 m->type);
	r = configure_fs(fsfd, m, err);
	if (r < 0)
		return r;
	mfd = fsmount(fsfd, FSMOUNT_CLOEXEC, 0);
	if (mfd < 0)
		return error_sys(err, errno, "mount %s on '%s'", m->type, m->destination);
	r = apply_attrs(mfd, m, 0, err);
	if (r < 0)
		return r;
	return attach(mfd, rootfd, m->destination, PATH_CREATE_DIR, err);
}

/* sysfs cannot be mounted anew in a user namespace that does not own the
 * network namespace; runc then binds the host's /sys, read-only options and
 * all.  Do the same. */
static int
mount_sysfs(const struct sandbox *sb, int rootfd, const struct spec_mount *m,
            struct hutch_error *err)
{
	int r = mount_new_fs(rootfd, m, err);

	if (r == -EPERM && sb->userns)
		r = mount_bind_path("/sys", true, rootfd, m, err);
	return r;
}

/* /proc, /sys and /dev hold what the runtime writes to later (sysctl,
 * device nodes, masks).  An image that made one of them a symlink could
 * send those writes into a volume: refuse, as runc does for /proc. */
static int
check_special_destination(int rootfd, const struct spec_mount *m, struct hutch_error *err)
{
	static const char *const special[] = {"/proc", "/sys", "/dev"};
	struct stat st;

	for (size_t i = 0; i < ARRAY_SIZE(special); i++)
		if (strcmp(m->destination, special[i]) == 0 &&
		    fstatat(rootfd, special[i] + 1, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISLNK(st.st_mode))
			return error_msg(err, ELOOP, "mount '%s': a symlink in the rootfs",
			                 m->destination);
	return 0;
}

static int
mount_one(const struct sandbox *sb, int rootfd, const struct spec_mount *m, int idmap_fd,
          struct hutch_error *err)
{
	const char *type = m->type ? m->type : "";
	int r = check_special_destination(rootfd, m, err);

	if (r < 0)
		return r;

	if (idmap_fd >= 0) /* made before the clone (idmap-mount.h) */
		r = attach_bind(idmap_fd, rootfd, m, err);
	else if (m->bind)
		r = mount_bind(sb, rootfd, m, err);
	else if (!m->type)
		return error_msg(err, EINVAL, "mount '%s': no type and not a bind mount",
		                 m->destination);
	else if (strcmp(type, "cgroup") == 0 || strcmp(type, "cgroup2") == 0)
		r = cgroup_mount(sb, rootfd, m, err);
	else if (strcmp(type, "sysfs") == 0)
		r = mount_sysfs(sb, rootfd, m, err);
	else
		r = mount_new_fs(rootfd, m, err);
	if (r < 0)
		return r;
	return apply_propagation(rootfd, m, err);
}

int
mount_spec_mounts(const struct sandbox *sb, int rootfd, struct hutch_error *err)
{
	for (size_t i = 0; i < sb->spec->n_mounts; i++) {
		int r = mount_one(sb, rootfd, &sb->spec->mounts[i],
		                  sb->idmap_fds ? sb->idmap_fds[i] : -1, err);

		if (r < 0)
			return r;
	}
	return 0;
}

int
mount_prepare_rootfs(const struct sandbox *sb, struct hutch_error *err)
{
	int fd;

	/* Slave, not private: mounts made on the host later still reach us,
	 * but nothing we do here can ever propagate back to the host. */
	if (mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		return error_sys(err, errno, "make '/' a slave mount");
	/* pivot_root() needs the new root to be a mount point. */
	if (mount(sb->rootfs, sb->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		return error_sys(err, errno, "bind the rootfs '%s'", sb->rootfs);
	fd = open(sb->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return error_sys(err, errno, "open the rootfs '%s'", sb->rootfs);
	return fd;
}

int
mount_pivot_root(const char *rootfs, bool no_pivot, struct hutch_error *err)
{
	_cleanup_close_ int fd = open(rootfs, O_DIRECTORY | O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fchdir(fd) < 0)
		return error_sys(err, errno, "enter the rootfs '%s'", rootfs);
	if (no_pivot) {
		if (mount(rootfs, "/", NULL, MS_MOVE, NULL) < 0 || chroot(".") < 0 ||
		    chdir("/") < 0)
			return error_sys(err, errno, "move the rootfs '%s' to '/'", rootfs);
		return 0;
	}
	/* pivot_root(".", ".") stacks the old root on top of the new one, so
	 * no directory for it is needed in the image; unmount it right away. */
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return error_sys(err, errno, "pivot_root to '%s'", rootfs);
	if (umount2(".", MNT_DETACH) < 0)
		return error_sys(err, errno, "detach the old root");
	if (chdir("/") < 0)
		return error_sys(err, errno, "chdir '/'");
	return 0;
}

/* /dev/null as it must be: a character device 1:3.  An image that made it a
 * symlink or a directory must not turn masking into exposing. */
static int
open_dev_null(struct hutch_error *err)
{
	_cleanup_close_ int fd = -1;
	struct stat st;

	fd = open("/dev/null", O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0)
		return error_sys(err, errno, "open '/dev/null' to mask paths");
	if (!S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3))
		return error_msg(err, EINVAL,
		                 "'/dev/null' in the container is not the null device");
	return TAKE_FD(fd);
}

static int
mask_dir(int target, const char *path, struct hutch_error *err)
{
	_cleanup_close_ int fsfd = fsopen("tmpfs", FSOPEN_CLOEXEC), mfd = -1;

	if (fsfd < 0 || fsconfig(fsfd, FSCONFIG_SET_STRING, "size", "0", 0) < 0 ||
	    fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return error_sys(err, errno, "mask '%s'", path);
	mfd = fsmount(fsfd, FSMOUNT_CLOEXEC,
	              MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
	if (mfd < 0 ||
	    move_mount(mfd, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return error_sys(err, errno, "mask '%s'", path);
	return 0;
}

static int
mask_file(int target, int *null_fd, const char *path, struct hutch_error *err)
{
	_cleanup_close_ int tree = -1;

	if (*null_fd < 0) {
		*null_fd = open_dev_null(err);
		if (*null_fd < 0)
			return *null_fd;
	}
	tree = open_tree(*null_fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
	if (tree < 0 ||
	    move_mount(tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return error_sys(err, errno, "mask '%s'", path);
	return 0;
}

static int
mask_paths(int rootfd, char **paths, struct hutch_error *err)
{
	_cleanup_close_ int null_fd = -1;

	for (size_t i = 0; paths && paths[i]; i++) {
		_cleanup_close_ int fd = path_open_in_root(rootfd, paths[i], PATH_NO_CREATE, err);
		struct stat st;
		int r;

		if (fd == -ENOENT)
			continue;
		if (fd < 0)
			return fd;
		if (fstat(fd, &st) < 0)
			return error_sys(err, errno, "stat '%s'", paths[i]);
		r = S_ISDIR(st.st_mode) ? mask_dir(fd, paths[i], err)
		                        : mask_file(fd, &null_fd, paths[i], err);
		if (r < 0)
			return r;
	}
	return 0;
}

static int
readonly_paths(int rootfd, char **paths, struct hutch_error *err)
{
	struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};

	for (size_t i = 0; paths && paths[i]; i++) {
		_cleanup_close_ int fd = path_open_in_root(rootfd, paths[i], PATH_NO_CREATE, err);
		_cleanup_close_ int tree = -1;

		if (fd == -ENOENT)
			continue;
		if (fd < 0)
			return fd;
		/* Cover the path with a read-only copy of itself. */
		tree = open_tree(
		    fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);
		if (tree < 0 || setattr(tree, AT_RECURSIVE, &attr) < 0 ||
		    move_mount(tree, "", fd, "",
		               MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
			return error_sys(err, errno, "make '%s' read-only", paths[i]);
	}
	return 0;
}

int
mount_finish(const struct sandbox *sb, struct hutch_error *err)
{
	const struct spec_linux *linux = &sb->spec->linux;
	_cleanup_close_ int rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	int r;

	if (rootfd < 0)
		return error_sys(err, errno, "open '/'");
	r = mask_paths(rootfd, linux->masked_paths, err);
	if (r < 0)
		return r;
	r = readonly_paths(rootfd, linux->readonly_paths, err);
	if (r < 0)
		return r;
	if (sb->spec->root_readonly) {
		struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};

		if (setattr(rootfd, 0, &attr) < 0)
			return error_sys(err, errno, "make the root read-only");
	}
	if (linux->rootfs_propagation &&
	    mount(NULL, "/", NULL, linux->rootfs_propagation, NULL) < 0)
		return error_sys(err, errno, "set rootfsPropagation");
	return 0;
}
