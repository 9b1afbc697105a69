#include "devices.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "path.h"
#include "util.h"
#include "banned.h"

static const struct spec_device default_devices[] = {
    {.path = "/dev/null", .type = 'c', .major = 1, .minor = 3},
    {.path = "/dev/zero", .type = 'c', .major = 1, .minor = 5},
    {.path = "/dev/full", .type = 'c', .major = 1, .minor = 7},
    {.path = "/dev/random", .type = 'c', .major = 1, .minor = 8},
    {.path = "/dev/urandom", .type = 'c', .major = 1, .minor = 9},
    {.path = "/dev/tty", .type = 'c', .major = 5, .minor = 0},
};

static const struct {
	const char *target;
	const char *link;
} dev_links[] = {
    {"/proc/self/fd", "fd"},       {"/proc/self/fd/0", "stdin"}, {"/proc/self/fd/1", "stdout"},
    {"/proc/self/fd/2", "stderr"}, {"pts/ptmx", "ptmx"},
};

bool
devices_dev_is_ours(const struct spec *spec)
{
	for (size_t i = 0; i < spec->n_mounts; i++) {
		const struct spec_mount *m = &spec->mounts[i];

		if (strcmp(m->destination, "/dev") == 0)
			return !m->bind;
	}
	return false;
}

static mode_t
node_type(char type)
{
	switch (type) {
	case 'b':
		return S_IFBLK;
	case 'p':
		return S_IFIFO;
	default:
		return S_IFCHR;
	}
}

static int
bind_host_node(int rootfd, const struct spec_device *d, struct hutch_error *err)
{
	_cleanup_close_ int dst = path_open_in_root(rootfd, d->path, PATH_CREATE_FILE, err);
	_cleanup_close_ int tree = -1;

	if (dst < 0)
		return dst;
	tree = open_tree(AT_FDCWD, d->path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (tree < 0 ||
	    move_mount(tree, "", dst, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return error_sys(err, errno, "bind device '%s'", d->path);
	return 0;
}

static int
make_node(int rootfd, const struct spec_device *d, struct hutch_error *err)
{
	_cleanup_free_ char *parent = xstrdup(d->path);
	char *slash = strrchr(parent, '/');
	const char *name = slash + 1;
	_cleanup_close_ int pfd = -1, fd = -1;
	mode_t mode = d->has_file_mode ? d->file_mode & 07777 : 0666;
	char fdpath[64];

	*slash = '\0';
	pfd = path_open_in_root(rootfd, parent[0] ? parent : "/", PATH_CREATE_DIR, err);
	if (pfd < 0)
		return pfd;
	/* A name planted in the image is replaced, never followed. */
	if (unlinkat(pfd, name, 0) < 0 && errno != ENOENT)
		return error_sys(err, errno, "replace '%s'", d->path);
	if (mknodat(pfd, name, node_type(d->type) | mode,
	            makedev((unsigned)d->major, (unsigned)d->minor)) < 0)
		return error_sys(err, errno, "mknod '%s'", d->path);
	fd = openat(pfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return error_sys(err, errno, "open '%s'", d->path);
	/* mknod applied the umask; the spec's fileMode is exact.  Through
	 * the fd of the node just made, never the name again (a symlink put
	 * there meanwhile would be followed by fchmodat). */
	if (chmod(path_fd(fd, fdpath, sizeof(fdpath)), mode) < 0)
		return error_sys(err, errno, "chmod '%s'", d->path);
	if ((d->has_uid || d->has_gid) &&
	    fchownat(fd, "", d->has_uid ? d->uid : (uid_t)-1, d->has_gid ? d->gid : (gid_t)-1,
	             AT_EMPTY_PATH) < 0)
		return error_sys(err, errno, "chown '%s'", d->path);
	return 0;
}

static int
create_links(int rootfd, struct hutch_error *err)
{
	_cleanup_close_ int dev = path_open_in_root(rootfd, "/dev", PATH_NO_CREATE, err);

	if (dev < 0)
		return dev;
	for (size_t i = 0; i < ARRAY_SIZE(dev_links); i++)
		if (symlinkat(dev_links[i].target, dev, dev_links[i].link) < 0 && errno != EEXIST)
			return error_sys(err, errno, "symlink '/dev/%s'", dev_links[i].link);
	return 0;
}

int
devices_create(const struct sandbox *sb, int rootfd, struct hutch_error *err)
{
	const struct spec_linux *linux = &sb->spec->linux;
	int (*create)(int, const struct spec_device *, struct hutch_error *) =
	    sb->userns ? bind_host_node : make_node;
	int r;

	struct stat st;

	/* Nodes go below the rootfs's /dev, never through a symlink there. */
	if (fstatat(rootfd, "dev", &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(st.st_mode))
		return error_msg(err, ENOTDIR, "'/dev' in the rootfs is not a directory");
	if (devices_dev_is_ours(sb->spec)) {
		for (size_t i = 0; i < ARRAY_SIZE(default_devices); i++) {
			r = create(rootfd, &default_devices[i], err);
			if (r < 0)
				return r;
		}
		r = create_links(rootfd, err);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < linux->n_devices; i++) {
		r = create(rootfd, &linux->devices[i], err);
		if (r < 0)
			return r;
	}
	return 0;
}
