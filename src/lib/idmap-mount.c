#include "idmap-mount.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "util.h"
#include "banned.h"

#define HOLDER_STACK_SIZE (64 * 1024)

struct holder {
	int wait_fd;  /* read end: EOF means the namespace fd is open */
	int write_fd; /* ours; the holder closes its copy */
};

/* Lives in the new user namespace until the parent has opened it. */
static int
hold(void *arg)
{
	const struct holder *h = arg;
	char c;

	close(h->write_fd);
	while (read(h->wait_fd, &c, 1) < 0 && errno == EINTR)
		;
	return 0;
}

static int
write_map(pid_t pid, const char *file, const struct spec_id_map *maps, size_t n,
          struct hutch_error *err)
{
	char path[64], text[16384]; /* 340 lines at most (the parser checks) */
	size_t len = 0;

	for (size_t i = 0; i < n && len < sizeof(text); i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, "%u %u %u\n",
		                        maps[i].container_id, maps[i].host_id, maps[i].size);
	if (len >= sizeof(text))
		return error_msg(err, E2BIG, "too many id mappings for an id-mapped mount");
	snprintf(path, sizeof(path), "/proc/%d/%s", pid, file);
	return write_file_at(AT_FDCWD, path, text, err);
}

/* A user namespace with these uid/gid maps, as an fd. */
static int
userns_for(const struct spec_id_map *uids, size_t n_uids, const struct spec_id_map *gids,
           size_t n_gids, struct hutch_error *err)
{
	int pipefd[2];
	struct holder h;
	void *stack;
	pid_t pid;
	int fd = -1, r;
	char path[64];

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return error_sys(err, errno, "pipe for an id-mapped mount");
	h = (struct holder){.wait_fd = pipefd[0], .write_fd = pipefd[1]};
	stack = mmap(NULL, HOLDER_STACK_SIZE, PROT_READ | PROT_WRITE,
	             MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (stack == MAP_FAILED) {
		close(pipefd[0]);
		close(pipefd[1]);
		return error_sys(err, errno, "stack for an id-mapped mount's namespace");
	}
	pid =
	    clone(hold, (char *)stack + HOLDER_STACK_SIZE, CLONE_NEWUSER | CLONE_VM | SIGCHLD, &h);
	close(pipefd[0]);
	if (pid < 0) {
		r = error_sys(err, errno, "create a user namespace for an id-mapped mount");
	} else {
		r = write_map(pid, "uid_map", uids, n_uids, err);
		if (r == 0)
			r = write_map(pid, "gid_map", gids, n_gids, err);
		snprintf(path, sizeof(path), "/proc/%d/ns/user", pid);
		if (r == 0 && (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			r = error_sys(err, errno, "open '%s'", path);
	}
	close(pipefd[1]); /* the holder exits */
	if (pid > 0)
		waitpid(pid, NULL, 0);
	munmap(stack, HOLDER_STACK_SIZE);
	return r < 0 ? r : fd;
}

/* The mount's own mappings, else (as crun) the container's. */
static int
mount_userns(const struct spec *spec, const struct spec_mount *m, struct hutch_error *err)
{
	const struct spec_linux *l = &spec->linux;

	if (m->n_uid_mappings > 0 && m->n_gid_mappings > 0)
		return userns_for(m->uid_mappings, m->n_uid_mappings, m->gid_mappings,
		                  m->n_gid_mappings, err);
	if (l->n_uid_mappings > 0 && l->n_gid_mappings > 0)
		return userns_for(l->uid_mappings, l->n_uid_mappings, l->gid_mappings,
		                  l->n_gid_mappings, err);
	return error_msg(
	    err, EINVAL,
	    "mount '%s': an id-mapped mount needs uidMappings and gidMappings, its own "
	    "or the container's (linux.uidMappings)",
	    m->destination);
}

static int
open_one(const struct spec *spec, const struct spec_mount *m, const char *bundle,
         struct hutch_error *err)
{
	_cleanup_free_ char *source = NULL;
	_cleanup_close_ int userns = -1, tree = -1;
	bool rec = (m->flags & MS_REC) != 0;
	struct mount_attr attr = {.attr_set = MOUNT_ATTR_IDMAP};

	if (!m->bind || !m->source)
		return error_msg(err, EINVAL, "mount '%s': an id-mapped mount must be a bind mount",
		                 m->destination);
	source = m->source[0] == '/' ? xstrdup(m->source) : xasprintf("%s/%s", bundle, m->source);
	userns = mount_userns(spec, m, err);
	if (userns < 0)
		return userns;
	tree = open_tree(AT_FDCWD, source,
	                 OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (rec ? AT_RECURSIVE : 0));
	if (tree < 0)
		return error_sys(err, errno, "mount '%s': bind '%s'", m->destination, source);
	attr.userns_fd = (uint64_t)userns;
	if (mount_setattr(tree, "", AT_EMPTY_PATH | (m->idmap_recursive ? AT_RECURSIVE : 0), &attr,
	                  sizeof(attr)) < 0)
		return error_sys(err, errno, "mount '%s': id-map '%s'", m->destination, source);
	return TAKE_FD(tree);
}

int
idmap_mounts_open(const struct spec *spec, const char *bundle, int **fds, struct hutch_error *err)
{
	int *out = NULL;

	*fds = NULL;
	for (size_t i = 0; i < spec->n_mounts; i++) {
		int fd;

		if (!spec->mounts[i].idmap)
			continue;
		if (!out) {
			out = xcalloc(spec->n_mounts, sizeof(*out));
			for (size_t k = 0; k < spec->n_mounts; k++)
				out[k] = -1;
		}
		fd = open_one(spec, &spec->mounts[i], bundle, err);
		if (fd < 0) {
			idmap_mounts_close(out, spec->n_mounts);
			return fd;
		}
		out[i] = fd;
	}
	*fds = out;
	return 0;
}

void
idmap_mounts_close(int *fds, size_t n)
{
	for (size_t i = 0; fds && i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(fds);
}
