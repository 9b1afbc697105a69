#include "namespace.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "util.h"
#include "banned.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

int
namespace_new_flags(const struct spec_linux *linux)
{
	int flags = 0;

	for (int t = 0; t < SPEC_NS_COUNT; t++) {
		const struct spec_namespace *ns = &linux->namespaces[t];

		/* Time: clone() cannot take it.  Cgroup: the process must be in
		 * its cgroup before the namespace is made, so that the cgroup
		 * is the namespace's root; it unshares it itself (sandbox.c). */
		if (ns->present && !ns->path && t != SPEC_NS_TIME && t != SPEC_NS_CGROUP)
			flags |= spec_ns_clone_flag(t);
	}
	return flags;
}

/* /proc/<pid>/ns/ file names, indexed by enum spec_ns_type. */
static const char *const ns_files[SPEC_NS_COUNT] = {
    [SPEC_NS_PID] = "pid",       [SPEC_NS_NETWORK] = "net", [SPEC_NS_MOUNT] = "mnt",
    [SPEC_NS_IPC] = "ipc",       [SPEC_NS_UTS] = "uts",     [SPEC_NS_USER] = "user",
    [SPEC_NS_CGROUP] = "cgroup", [SPEC_NS_TIME] = "time",
};

const char *
namespace_proc_name(enum spec_ns_type t)
{
	return ns_files[t];
}

bool
namespace_is_ours(int fd, enum spec_ns_type t)
{
	char path[32];
	struct stat a, b;

	snprintf(path, sizeof(path), "/proc/self/ns/%s", ns_files[t]);
	return fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_ino == b.st_ino &&
	       a.st_dev == b.st_dev;
}

void
namespace_close_fds(int fds[SPEC_NS_COUNT])
{
	for (int t = 0; t < SPEC_NS_COUNT; t++) {
		if (fds[t] >= 0)
			close(fds[t]);
		fds[t] = -1;
	}
}

static int
open_ns_path(enum spec_ns_type type, const char *path, struct hutch_error *err)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	int kind;

	if (fd < 0)
		return error_sys(err, errno, "linux.namespaces: open %s namespace '%s'",
		                 spec_ns_type_name(type), path);
	kind = ioctl(fd, NS_GET_NSTYPE);
	if (kind < 0)
		return error_msg(err, EINVAL, "linux.namespaces: '%s' is not a namespace file",
		                 path);
	if (kind != spec_ns_clone_flag(type))
		return error_msg(err, EINVAL, "linux.namespaces: '%s' is not a %s namespace", path,
		                 spec_ns_type_name(type));
	return TAKE_FD(fd);
}

int
namespace_open_paths(const struct spec_linux *linux, int fds[SPEC_NS_COUNT],
                     struct hutch_error *err)
{
	for (int t = 0; t < SPEC_NS_COUNT; t++)
		fds[t] = -1;
	for (int t = 0; t < SPEC_NS_COUNT; t++) {
		const struct spec_namespace *ns = &linux->namespaces[t];
		int fd;

		if (!ns->present || !ns->path)
			continue;
		fd = open_ns_path(t, ns->path, err);
		if (fd < 0) {
			namespace_close_fds(fds);
			return fd;
		}
		fds[t] = fd;
	}
	return 0;
}

/* Namespaces owned by the host's user namespace (a time namespace made
 * outside the container's user namespace, say) can only be joined while we
 * still hold the host's capabilities; those owned by the container's user
 * namespace only after joining it.  So: try each before joining the user
 * namespace, and retry the ones refused (EPERM) after it.  Mount is last
 * either way. */
int
namespace_join(const int fds[SPEC_NS_COUNT], struct hutch_error *err)
{
	static const enum spec_ns_type order[] = {
	    SPEC_NS_PID, SPEC_NS_NETWORK, SPEC_NS_IPC, SPEC_NS_UTS, SPEC_NS_CGROUP, SPEC_NS_TIME,
	};
	bool retry[SPEC_NS_COUNT] = {false};

	for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
		enum spec_ns_type t = order[i];

		if (fds[t] >= 0 && setns(fds[t], spec_ns_clone_flag(t)) < 0) {
			if (errno != EPERM || fds[SPEC_NS_USER] < 0)
				return error_sys(err, errno, "join the %s namespace",
				                 spec_ns_type_name(t));
			retry[t] = true;
		}
	}
	if (fds[SPEC_NS_USER] >= 0 && setns(fds[SPEC_NS_USER], CLONE_NEWUSER) < 0)
		return error_sys(err, errno, "join the user namespace");
	retry[SPEC_NS_MOUNT] = fds[SPEC_NS_MOUNT] >= 0;
	for (int t = 0; t < SPEC_NS_COUNT; t++)
		if (retry[t] && setns(fds[t], spec_ns_clone_flag(t)) < 0)
			return error_sys(err, errno, "join the %s namespace", spec_ns_type_name(t));
	return 0;
}

static int
write_map(pid_t pid, const char *file, const struct spec_id_map *maps, size_t n,
          struct hutch_error *err)
{
	char path[64];
	/* 340 lines of three 10-digit numbers at most: the kernel's limit. */
	char buf[340 * 36];
	size_t len = 0;

	for (size_t i = 0; i < n && len < sizeof(buf); i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%u %u %u\n",
		                        maps[i].container_id, maps[i].host_id, maps[i].size);
	if (len >= sizeof(buf))
		return error_msg(err, E2BIG, "%s: too many mappings", file);
	snprintf(path, sizeof(path), "/proc/%d/%s", pid, file);
	return write_file_at(-1, path, buf, err);
}

int
namespace_write_id_maps(pid_t pid, const struct spec_linux *linux, struct hutch_error *err)
{
	int r;

	if (linux->n_uid_mappings) {
		r = write_map(pid, "uid_map", linux->uid_mappings, linux->n_uid_mappings, err);
		if (r < 0)
			return r;
	}
	if (linux->n_gid_mappings) {
		r = write_map(pid, "gid_map", linux->gid_mappings, linux->n_gid_mappings, err);
		if (r < 0)
			return r;
	}
	return 0;
}

int
namespace_new_time(const struct spec_linux *linux, struct hutch_error *err)
{
	static const char *const names[SPEC_TIME_CLOCKS] = {"monotonic", "boottime"};
	char buf[128];
	size_t len = 0;

	if (unshare(CLONE_NEWTIME) < 0)
		return error_sys(err, errno, "create the time namespace");
	for (int c = 0; c < SPEC_TIME_CLOCKS; c++) {
		const struct spec_time_offset *o = &linux->time_offsets[c];

		if (o->set)
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s %lld %u\n",
			                        names[c], (long long)o->secs, o->nanosecs);
	}
	if (len == 0)
		return 0;
	/* One write per clock: the kernel takes one line per write(). */
	for (char *line = buf, *nl; (nl = strchr(line, '\n')); line = nl + 1) {
		*nl = '\0';
		if (write_file_at(-1, "/proc/self/timens_offsets", line, err) < 0) {
			error_prefix(err, "linux.timeOffsets: ");
			return -err->code;
		}
	}
	return 0;
}

int
namespace_loopback_up(struct hutch_error *err)
{
	_cleanup_close_ int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct ifreq ifr = {0};

	if (sock < 0)
		return error_sys(err, errno, "socket for 'lo'");
	memcpy(ifr.ifr_name, "lo", 3);
	if (ioctl(sock, SIOCGIFFLAGS, &ifr) < 0)
		return error_sys(err, errno, "get flags of 'lo'");
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(sock, SIOCSIFFLAGS, &ifr) < 0)
		return error_sys(err, errno, "bring 'lo' up");
	return 0;
}
