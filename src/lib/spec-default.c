#include "spec-default.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <sys/stat.h>

#include "util.h"
#include "banned.h"

/* Which variant of the config an entry belongs to. */
enum variant {
	ROOTFUL = 1 << 0,
	ROOTLESS = 1 << 1,
	BOTH = ROOTFUL | ROOTLESS,
};

#define STRV(...) ((const char *const[]){__VA_ARGS__, NULL})

static const char *const default_env[] = {
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "TERM=xterm",
    NULL,
};

/* runc's default keeps only these; "inheritable" is absent, not empty. */
static const char *const default_caps[] = {
    "CAP_AUDIT_WRITE",
    "CAP_KILL",
    "CAP_NET_BIND_SERVICE",
    NULL,
};

static const char *const cap_sets[] = {"bounding", "effective", "permitted", "ambient", NULL};

struct default_mount {
	const char *destination;
	const char *type;
	const char *source;
	const char *const *options; /* NULL: no "options" key */
	unsigned variant;
};

/* Rootless differences, as in runc: gid=5 (tty) does not exist in a user
 * namespace that maps only root, and a new sysfs may not be mounted without
 * owning the network namespace, so the host's /sys is bind-mounted. */
static const struct default_mount default_mounts[] = {
    {"/proc", "proc", "proc", NULL, BOTH},
    {"/dev", "tmpfs", "tmpfs", STRV("nosuid", "strictatime", "mode=755", "size=65536k"), BOTH},
    {"/dev/pts", "devpts", "devpts",
     STRV("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"), ROOTFUL},
    {"/dev/pts", "devpts", "devpts",
     STRV("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"), ROOTLESS},
    {"/dev/shm", "tmpfs", "shm", STRV("nosuid", "noexec", "nodev", "mode=1777", "size=65536k"),
     BOTH},
    {"/dev/mqueue", "mqueue", "mqueue", STRV("nosuid", "noexec", "nodev"), BOTH},
    {"/sys", "sysfs", "sysfs", STRV("nosuid", "noexec", "nodev", "ro"), ROOTFUL},
    {"/sys", "none", "/sys", STRV("rbind", "nosuid", "noexec", "nodev", "ro"), ROOTLESS},
    {"/sys/fs/cgroup", "cgroup", "cgroup", STRV("nosuid", "noexec", "nodev", "relatime", "ro"),
     BOTH},
};

struct default_namespace {
	const char *type;
	unsigned variant;
};

static const struct default_namespace default_namespaces[] = {
    {"pid", BOTH}, {"network", ROOTFUL}, {"ipc", BOTH},
    {"uts", BOTH}, {"mount", BOTH},      {"user", ROOTLESS},
};

static const char *const default_masked_paths[] = {
    "/proc/acpi",
    "/proc/asound",
    "/proc/kcore",
    "/proc/keys",
    "/proc/latency_stats",
    "/proc/timer_list",
    "/proc/timer_stats",
    "/proc/sched_debug",
    "/sys/firmware",
    "/proc/scsi",
    NULL,
};

static const char *const default_readonly_paths[] = {
    "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
};

/* jansson returns NULL only on allocation failure (or a format string bug,
 * which the tests catch): abort like xmalloc(). */
static json_t *
json_check(json_t *j)
{
	if (!j)
		abort();
	return j;
}

static void
json_set(json_t *obj, const char *key, json_t *value)
{
	if (json_object_set_new(obj, key, json_check(value)) < 0)
		abort();
}

static void
json_push(json_t *array, json_t *value)
{
	if (json_array_append_new(array, json_check(value)) < 0)
		abort();
}

static json_t *
strv_json(const char *const *strv)
{
	json_t *array = json_check(json_array());

	for (size_t i = 0; strv[i]; i++)
		json_push(array, json_string(strv[i]));
	return array;
}

static json_t *
capabilities_json(void)
{
	json_t *caps = json_check(json_object());

	for (size_t i = 0; cap_sets[i]; i++)
		json_set(caps, cap_sets[i], strv_json(default_caps));
	return caps;
}

static json_t *
process_json(void)
{
	return json_check(json_pack(
	    "{s:b, s:{s:i, s:i}, s:[s], s:o, s:s, s:o, s:[{s:s, s:i, s:i}], "
	    "s:b}",
	    "terminal", 1, "user", "uid", 0, "gid", 0, "args", "sh", "env", strv_json(default_env),
	    "cwd", "/", "capabilities", capabilities_json(), "rlimits", "type", "RLIMIT_NOFILE",
	    "hard", 1024, "soft", 1024, "noNewPrivileges", 1));
}

static json_t *
mount_json(const struct default_mount *m)
{
	json_t *mount = json_check(json_pack("{s:s, s:s, s:s}", "destination", m->destination,
	                                     "type", m->type, "source", m->source));

	if (m->options)
		json_set(mount, "options", strv_json(m->options));
	return mount;
}

static json_t *
mounts_json(unsigned variant)
{
	json_t *mounts = json_check(json_array());

	for (size_t i = 0; i < ARRAY_SIZE(default_mounts); i++)
		if (default_mounts[i].variant & variant)
			json_push(mounts, mount_json(&default_mounts[i]));
	return mounts;
}

static json_t *
namespaces_json(unsigned variant)
{
	json_t *namespaces = json_check(json_array());

	for (size_t i = 0; i < ARRAY_SIZE(default_namespaces); i++)
		if (default_namespaces[i].variant & variant)
			json_push(namespaces,
			          json_pack("{s:s}", "type", default_namespaces[i].type));
	return namespaces;
}

static json_t *
id_mappings_json(unsigned host_id)
{
	return json_pack("[{s:i, s:I, s:i}]", "containerID", 0, "hostID", (json_int_t)host_id,
	                 "size", 1);
}

/* "linux" is a predefined macro in GNU C, hence "lx". */
static json_t *
linux_json(bool rootless, uid_t uid, gid_t gid)
{
	json_t *lx = json_check(json_object());

	if (rootless) {
		json_set(lx, "uidMappings", id_mappings_json(uid));
		json_set(lx, "gidMappings", id_mappings_json(gid));
	} else {
		/* Deny every device; the runtime adds the default ones. */
		json_set(lx, "resources",
		         json_pack("{s:[{s:b, s:s}]}", "devices", "allow", 0, "access", "rwm"));
	}
	json_set(lx, "namespaces", namespaces_json(rootless ? ROOTLESS : ROOTFUL));
	json_set(lx, "maskedPaths", strv_json(default_masked_paths));
	json_set(lx, "readonlyPaths", strv_json(default_readonly_paths));
	return lx;
}

char *
spec_default_render(bool rootless, uid_t uid, gid_t gid)
{
	json_t *root = json_check(json_pack(
	    "{s:s, s:o, s:{s:s, s:b}, s:s, s:o, s:o}", "ociVersion", SPEC_DEFAULT_OCI_VERSION,
	    "process", process_json(), "root", "path", "rootfs", "readonly", 1, "hostname", "runc",
	    "mounts", mounts_json(rootless ? ROOTLESS : ROOTFUL), "linux",
	    linux_json(rootless, uid, gid)));
	char *text = json_dumps(root, JSON_INDENT(2));
	char *out;

	json_decref(root);
	if (!text)
		abort();
	out = xasprintf("%s\n", text);
	free(text);
	return out;
}

static int
fill(int fd, const char *path, const char *text, struct hutch_error *err)
{
	if (fchmod(fd, 0644) < 0)
		return error_sys(err, errno, "chmod '%s'", path);
	if (write_all(fd, text, strlen(text)) < 0)
		return error_sys(err, errno, "write '%s'", path);
	/* Without this a crash soon after the rename can leave an empty file. */
	if (fsync(fd) < 0)
		return error_sys(err, errno, "fsync '%s'", path);
	return 0;
}

/* Write text to a new file, mode 0644 whatever the umask.  O_EXCL refuses a
 * leftover or planted file instead of writing through it (or a symlink). */
static int
write_new(const char *path, const char *text, struct hutch_error *err)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	int r;

	if (fd < 0)
		return error_sys(err, errno, "create '%s'", path);
	r = fill(fd, path, text, err);
	if (r < 0)
		unlink(path);
	return r;
}

/* Move tmp to path unless path exists: RENAME_NOREPLACE, or link()+unlink()
 * on filesystems without it.  Either way the check and the creation are one
 * step, so a config.json appearing meanwhile is not clobbered. */
static int
publish(const char *tmp, const char *path, struct hutch_error *err)
{
	int r = renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE);

	if (r < 0 && (errno == EINVAL || errno == ENOSYS)) {
		r = link(tmp, path);
		if (r == 0)
			(void)unlink(tmp); /* a stray temp file is not worth failing for */
	}
	if (r == 0)
		return 0;
	if (errno == EEXIST)
		return error_msg(err, EEXIST, "'%s' already exists", path);
	return error_sys(err, errno, "rename '%s' to '%s'", tmp, path);
}

int
spec_default_write(const char *dir, bool rootless, struct hutch_error *err)
{
	_cleanup_free_ char *text = spec_default_render(rootless, geteuid(), getegid());
	_cleanup_free_ char *path = NULL;
	_cleanup_free_ char *tmp = NULL;
	int r;

	if (!dir)
		dir = ".";
	path = xasprintf("%s/config.json", dir);
	/* The pid keeps concurrent writers apart. */
	tmp = xasprintf("%s/.config.json.%d", dir, (int)getpid());
	r = write_new(tmp, text, err);
	if (r < 0)
		return r;
	r = publish(tmp, path, err);
	if (r < 0)
		unlink(tmp);
	return r;
}
