/*
 * spec-linux.c - the `linux` object: namespaces, id mappings, time offsets,
 * devices, sysctl, masked and read-only paths, personality, Intel RDT,
 * network devices and the NUMA memory policy.  `resources` and `seccomp`
 * have their own files.
 */
#include <errno.h>
#include <limits.h>
#include <linux/mempolicy.h>
#include <net/if.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/personality.h>

#include "spec-internal.h"
#include "util.h"
#include "banned.h"

/* The kernel refuses more lines in uid_map / gid_map (since 4.15). */
#define SPEC_ID_MAPS_MAX 340

/* Added in Linux 6.9, after the enum of older <linux/mempolicy.h>. */
#define SPEC_MPOL_WEIGHTED_INTERLEAVE 6

typedef int (*linux_step)(json_t *obj, const char *path, struct spec_linux *l,
                          struct hutch_error *err);

static const struct spec_name ns_names[] = {
    {"pid", SPEC_NS_PID},       {"network", SPEC_NS_NETWORK}, {"mount", SPEC_NS_MOUNT},
    {"ipc", SPEC_NS_IPC},       {"uts", SPEC_NS_UTS},         {"user", SPEC_NS_USER},
    {"cgroup", SPEC_NS_CGROUP}, {"time", SPEC_NS_TIME},
};

static const int ns_clone_flags[SPEC_NS_COUNT] = {
    [SPEC_NS_PID] = CLONE_NEWPID,       [SPEC_NS_NETWORK] = CLONE_NEWNET,
    [SPEC_NS_MOUNT] = CLONE_NEWNS,      [SPEC_NS_IPC] = CLONE_NEWIPC,
    [SPEC_NS_UTS] = CLONE_NEWUTS,       [SPEC_NS_USER] = CLONE_NEWUSER,
    [SPEC_NS_CGROUP] = CLONE_NEWCGROUP, [SPEC_NS_TIME] = CLONE_NEWTIME,
};

static const struct spec_name propagations[] = {
    {"shared", MS_SHARED},
    {"slave", MS_SLAVE},
    {"private", MS_PRIVATE},
    {"unbindable", MS_UNBINDABLE},
    {"rshared", MS_SHARED | MS_REC},
    {"rslave", MS_SLAVE | MS_REC},
    {"rprivate", MS_PRIVATE | MS_REC},
    {"runbindable", MS_UNBINDABLE | MS_REC},
};

static const struct spec_name time_clocks[] = {
    {"monotonic", SPEC_TIME_MONOTONIC},
    {"boottime", SPEC_TIME_BOOTTIME},
};

static const struct spec_name personality_domains[] = {
    {"LINUX", PER_LINUX},
    {"LINUX32", PER_LINUX32},
};

static const struct spec_name mpol_modes[] = {
    {"MPOL_DEFAULT", MPOL_DEFAULT},
    {"MPOL_PREFERRED", MPOL_PREFERRED},
    {"MPOL_BIND", MPOL_BIND},
    {"MPOL_INTERLEAVE", MPOL_INTERLEAVE},
    {"MPOL_LOCAL", MPOL_LOCAL},
    {"MPOL_PREFERRED_MANY", MPOL_PREFERRED_MANY},
    {"MPOL_WEIGHTED_INTERLEAVE", SPEC_MPOL_WEIGHTED_INTERLEAVE},
};

static const struct spec_name mpol_flags[] = {
    {"MPOL_F_NUMA_BALANCING", MPOL_F_NUMA_BALANCING},
    {"MPOL_F_RELATIVE_NODES", MPOL_F_RELATIVE_NODES},
    {"MPOL_F_STATIC_NODES", MPOL_F_STATIC_NODES},
};

/* Namespaced sysctls and the namespace each needs, as runc validates them:
 * any other key would change the host's kernel. */
static const struct {
	const char *name;
	bool prefix;
	enum spec_ns_type ns;
} sysctl_namespaces[] = {
    {"kernel.msgmax", false, SPEC_NS_IPC},
    {"kernel.msgmnb", false, SPEC_NS_IPC},
    {"kernel.msgmni", false, SPEC_NS_IPC},
    {"kernel.sem", false, SPEC_NS_IPC},
    {"kernel.shmall", false, SPEC_NS_IPC},
    {"kernel.shmmax", false, SPEC_NS_IPC},
    {"kernel.shmmni", false, SPEC_NS_IPC},
    {"kernel.shm_rmid_forced", false, SPEC_NS_IPC},
    {"kernel.msg_next_id", false, SPEC_NS_IPC},
    {"kernel.sem_next_id", false, SPEC_NS_IPC},
    {"kernel.shm_next_id", false, SPEC_NS_IPC},
    {"fs.mqueue.", true, SPEC_NS_IPC},
    {"net.", true, SPEC_NS_NETWORK},
    {"kernel.domainname", false, SPEC_NS_UTS},
};

int
spec_ns_type_from_name(const char *name, enum spec_ns_type *out)
{
	const struct spec_name *n = SPEC_NAME_FIND(ns_names, name);

	if (!n)
		return -EINVAL;
	*out = (enum spec_ns_type)n->value;
	return 0;
}

const char *
spec_ns_type_name(enum spec_ns_type type)
{
	return spec_name_of(ns_names, ARRAY_SIZE(ns_names), type);
}

int
spec_ns_clone_flag(enum spec_ns_type type)
{
	return (unsigned)type < SPEC_NS_COUNT ? ns_clone_flags[type] : 0;
}

/* ---- namespaces ---- */

static int
parse_namespace(json_t *v, const char *path, struct spec_linux *l, struct hutch_error *err)
{
	enum spec_ns_type type;
	struct spec_namespace *ns;
	json_t *t;
	const char *s = "";

	if (spec_value_object(v, path, NULL, err) < 0)
		return -EINVAL;
	t = spec_field(v, "type");
	if (!t)
		return spec_missing(err, path, "type");
	if (spec_value_str(t, path, "type", &s, err) < 0)
		return -EINVAL;
	if (spec_ns_type_from_name(s, &type) < 0)
		return spec_error(err, path, "type", "unknown namespace '" SPEC_QUOTE "'", s);
	ns = &l->namespaces[type];
	if (ns->present)
		return spec_error(err, path, "type", "duplicate namespace '%s'", s);
	ns->present = true;
	return spec_get_path(v, path, "path", true, &ns->path, err) < 0 ? -EINVAL : 0;
}

static int
parse_namespaces(json_t *obj, const char *path, struct spec_linux *l, struct hutch_error *err)
{
	json_t *arr = NULL, *v;
	size_t i;
	int r = spec_get_array(obj, path, "namespaces", &arr, err);

	if (r <= 0)
		return r;
	json_array_foreach (arr, i, v) {
		char item[SPEC_PATH_MAX];

		spec_path_index(item, path, "namespaces", i);
		if (parse_namespace(v, item, l, err) < 0)
			return -EINVAL;
	}
	return 0;
}

/* ---- uid/gid mappings ---- */

static int
get_required_u32(json_t *obj, const char *path, const char *key, uint32_t *out,
                 struct hutch_error *err)
{
	int r = spec_get_u32(obj, path, key, out, err);

	return r == 0 ? spec_missing(err, path, key) : r;
}

static int
parse_id_map(json_t *v, const char *path, struct spec_id_map *m, struct hutch_error *err)
{
	if (spec_value_object(v, path, NULL, err) < 0 ||
	    get_required_u32(v, path, "containerID", &m->container_id, err) < 0 ||
	    get_required_u32(v, path, "hostID", &m->host_id, err) < 0 ||
	    get_required_u32(v, path, "size", &m->size, err) < 0)
		return -EINVAL;
	if (m->size == 0)
		return spec_error(err, path, "size", "must be greater than 0");
	/* The kernel refuses a range that wraps around 2^32. */
	if ((uint64_t)m->container_id + m->size > UINT32_MAX)
		return spec_error(err, path, NULL, "containerID + size overflows 32 bits");
	if ((uint64_t)m->host_id + m->size > UINT32_MAX)
		return spec_error(err, path, NULL, "hostID + size overflows 32 bits");
	return 0;
}

static bool
ranges_overlap(uint32_t a, uint32_t b, uint32_t size_a, uint32_t size_b)
{
	return (uint64_t)a < (uint64_t)b + size_b && (uint64_t)b < (uint64_t)a + size_a;
}

static int
check_overlaps(const struct spec_id_map *maps, size_t i, const char *path, struct hutch_error *err)
{
	const struct spec_id_map *m = &maps[i];

	for (size_t j = 0; j < i; j++) {
		if (ranges_overlap(m->container_id, maps[j].container_id, m->size, maps[j].size))
			return spec_error(err, path, NULL, "container ids overlap entry %zu", j);
		if (ranges_overlap(m->host_id, maps[j].host_id, m->size, maps[j].size))
			return spec_error(err, path, NULL, "host ids overlap entry %zu", j);
	}
	return 0;
}

int
spec_id_maps_parse(json_t *arr, const char *path, struct spec_id_map **out, size_t *n,
                   struct hutch_error *err)
{
	_cleanup_free_ struct spec_id_map *maps = NULL;
	json_t *v;
	size_t i;

	if (json_array_size(arr) > SPEC_ID_MAPS_MAX)
		return spec_error(err, path, NULL, "more than %d entries", SPEC_ID_MAPS_MAX);
	maps = xcalloc(json_array_size(arr), sizeof(*maps));
	json_array_foreach (arr, i, v) {
		char item[SPEC_PATH_MAX];

		spec_path_index(item, path, NULL, i);
		if (parse_id_map(v, item, &maps[i], err) < 0 ||
		    check_overlaps(maps, i, item, err) < 0)
			return -EINVAL;
	}
	free(*out);
	*out = TAKE_PTR(maps);
	*n = json_array_size(arr);
	return 0;
}

static int
get_id_maps(json_t *obj, const char *path, const char *key, struct spec_id_map **out, size_t *n,
            struct hutch_error *err)
{
	char mpath[SPEC_PATH_MAX];
	json_t *arr = NULL;
	int r = spec_get_array(obj, path, key, &arr, err);

	if (r <= 0)
		return r;
	spec_path_key(mpath, path, key);
	return spec_id_maps_parse(arr, mpath, out, n, err) < 0 ? -EINVAL : 1;
}

static int
parse_id_maps(json_t *obj, const char *path, struct spec_linux *l, struct hutch_error *err)
{
	const struct spec_namespace *userns = &l->namespaces[SPEC_NS_USER];
	int ru = get_id_maps(obj, path, "uidMappings", &l->uid_mappings, &l->n_uid_mappings, err);
	int rg = ru < 0 ? ru
	                : get_id_maps(obj, path, "gidMappings", &l->gid_mappings,
	                              &l->n_gid_mappings, err);

	if (rg < 0)
		return -EINVAL;
	if ((ru || rg) && !userns->present)
		return spec_error(err, path, ru ? "uidMappings" : "gidMappings",
		                  "requires a user namespace");
	/* A new user namespace without maps leaves every id unmapped: the
	 * container could not even set its own uid (runc refuses it too). */
	if (userns->present && !userns->path && !(l->n_uid_mappings && l->n_gid_mappings))
		return spec_error(err, path, l->n_uid_mappings ? "gidMappings" : "uidMappings",
		                  "required with a new user namespace");
	return 0;
}

/* ---- timeOffsets ---- */

static int
parse_time_offset(json_t *v, const char *path, struct spec_time_offset *t, struct hutch_error *err)
{
	if (spec_value_object(v, path, NULL, err) < 0 ||
	    spec_get_i64(v, path, "secs", INT64_MIN, INT64_MAX, &t->secs, err) < 0 ||
	    spec_get_u32(v, path, "nanosecs", &t->nanosecs, err) < 0)
		return -EINVAL;
	if (t->nanosecs >= 1000000000)
		return spec_error(err, path, "nanosecs", "expected an integer from 0 to 999999999");
	t->set = true;
	return 0;
}

static int
parse_time_offsets(json_t *obj, const char *path, struct spec_linux *l, struct hutch_error *err)
{
	const struct spec_namespace *timens = &l->namespaces[SPEC_NS_TIME];
	json_t *offsets = NULL, *v;
	const char *clock;
	int r = spec_get_object(obj, path, "timeOffsets", &offsets, err);

	if (r <= 0)
		return r;
	if (!timens->present || timens->path)
		return spec_error(err, path, "timeOffsets", "requires a new time namespace");
	json_object_foreach (offsets, clock, v) {
		const struct spec_name *c = SPEC_NAME_FIND(time_clocks, clock);
		char item[SPEC_PATH_MAX];

		spec_path_map(item, path, "timeOffsets", clock);
		if (!c)
			return spec_error(err, item, NULL,
			                  "unknown clock, expected monotonic or "
			                  "boottime");
		if (parse_time_offset(v, item, &l->time_offsets[c->value], err) < 0)
			return -EINVAL;
	}
	return 0;
}

/* ---- devices ---- */

static int
parse_device_numbers(json_t *v, const char *path, struct spec_device *d, struct hutch_error *err)
{
	int rmaj = spec_get_i64(v, path, "major", 0, UINT32_MAX, &d->major, err);
	int rmin = rmaj < 0 ? rmaj : spec_get_i64(v, path, "minor", 0, UINT32_MAX, &d->minor, err);

	if (rmin < 0)
		return -EINVAL;
	/* A fifo has no device numbers. */
	if (d->type != 'p' && (!rmaj || !rmin))
		return spec_missing(err, path, rmaj ? "minor" : "major");
	return 0;
}

static int
parse_device(json_t *v, const char *path, struct spec_device *d, struct hutch_error *err)
{
	json_t *t;
	const char *type;
	int r;

	if (spec_value_object(v, path, NULL, err) < 0)
		return -EINVAL;
	r = spec_get_path(v, path, "path", true, &d->path, err);
	if (r <= 0)
		return r < 0 ? r : spec_missing(err, path, "path");
	t = spec_field(v, "type");
	if (!t)
		return spec_missing(err, path, "type");
	if (spec_value_str(t, path, "type", &type, err) < 0)
		return -EINVAL;
	if (strlen(type) != 1 || !strchr("cbup", type[0]))
		return spec_error(err, path, "type",
		                  "unknown device type '" SPEC_QUOTE "', expected c, b, u or p",
		                  type);
	d->type = type[0];
	if (parse_device_numbers(v, path, d, err) < 0)
		return -EINVAL;
	r = spec_get_u32(v, path, "fileMode", &d->file_mode, err);
	if (r > 0 && d->file_mode > 07777)
		return spec_error(err, path, "fileMode", "expected permission bits up to 07777");
	d->has_file_mode = r > 0;
	if (r < 0 || (r = spec_get_u32(v, path, "uid", &d->uid, err)) < 0)
		return -EINVAL;
	d->has_uid = r > 0;
	r = spec_get_u32(v, path, "gid", &d->gid, err);
	d->has_gid = r > 0;
	return r < 0 ? r : 0;
}

static int
parse_devices(json_t *obj, const char *path, struct spec_linux *l, struct hutch_error *err)
{
	json_t *arr = NULL, *v;
	size_t i;
	int r = spec_get_array(obj, path, "devices", &arr, err);

	if (r <= 0)
		return r;
	l->devices = xcalloc(json_array_size(arr), sizeof(*l->devices));
	l->n_devices = json_array_size(arr);
	json_array_foreach (arr, i, v) {
		char item[SPEC_PATH_MAX];

		spec_path_index(item, path, "devices", i);
		if (parse_device(v, item, &l->devices[i], err) < 0)
			return -EINVAL;
	}
	return 0;
}

/* ---- cgroups, resources, propagation, seccomp ---- */

static int
parse_cgroups(json_t *obj, const char *path, struct spec_linux *l, struct hutch_error *err)
{
	char rpath[SPEC_PATH_MAX];
	json_t *res = NULL;
	int r = spec_get_str(obj, path, "cgroupsPath", &l->cgroups_path, err);

	if (r > 0 && strlen(l->cgroups_path) >= PATH_MAX)
		return spec_error(err, path, "cgroupsPath", "longer than %d bytes", PATH_MAX - 1);
	if (r > 0 && l->cgroups_path[0] == '\0') {
		free(l->cgroups_path);
		l->cgroups_path = NULL; /* "" means "not given" */
	}
	r = r < 0 ? r : spec_get_object(obj, path, "resources", &res, err);
	if (r <= 0)
		return r;
	spec_path_key(rpath, path, "resources");
	return spec_resources_parse(res, rpath, &l->resources, err);
}

static int
parse_propagation(json_t *obj, const char *path, struct spec_linux *l, struct hutch_error *err)
{
	const struct spec_name *p;
	json_t *v = spec_field(obj, "rootfsPropagation");
	const char *s = "";

	if (!v)
		return 0;
	if (spec_value_str(v, path, "rootfsPropagation", &s, err) < 0)
		return -EINVAL;
	p = SPEC_NAME_FIND(propagations, s);
	if (!p)
		return spec_error(err, path, "rootfsPropagation",
		                  "unknown propagation '" SPEC_QUOTE "'", s);
	l->rootfs_propagation = (unsigned long)p->value;
	return 0;
}

static int
parse_seccomp(json_t *obj, const char *path, struct spec_linux *l, struct hutch_error *err)
{
	char spath[SPEC_PATH_MAX];
	json_t *sc = NULL;
	int r = spec_get_object(obj, path, "seccomp", &sc, err);

	if (r <= 0)
		return r;
	spec_path_key(spath, path, "seccomp");
	return spec_seccomp_parse(sc, spath, &l->seccomp, err);
}

/* ---- sysctl, paths, label ---- */

int
spec_sysctl_namespace(const char *key)
{
	_cleanup_free_ char *name = xstrdup(key);

	for (char *p = name; *p; p++)
		if (*p == '/')
			*p = '.';
	for (size_t i = 0; i < ARRAY_SIZE(sysctl_namespaces); i++) {
		const char *n = sysctl_namespaces[i].name;
		bool match = sysctl_namespaces[i].prefix ? strncmp(name, n, strlen(n)) == 0
		                                         : strcmp(name, n) == 0;

		if (match)
			return (int)sysctl_namespaces[i].ns;
	}
	return -1;
}

static int
check_sysctl(const char *key, const struct spec_linux *l, const char *path, struct hutch_error *err)
{
	_cleanup_free_ char *name = xstrdup(key);

	/* Keys may be written with '/' as well; and "net/../../x" would reach
	 * outside /proc/sys once the dots become slashes. */
	if (*name == '\0' || *name == '.' || *name == '/' || strstr(name, ".."))
		return spec_error(err, path, NULL, "invalid sysctl name");
	for (char *p = name; *p; p++)
		if (*p == '/')
			*p = '.';
	if (strcmp(name, "kernel.hostname") == 0)
		return spec_error(err, path, NULL, "use the hostname field instead");
	for (size_t i = 0; i < ARRAY_SIZE(sysctl_namespaces); i++) {
		const char *n = sysctl_namespaces[i].name;
		const char *ns = spec_ns_type_name(sysctl_namespaces[i].ns);
		bool match = sysctl_namespaces[i].prefix ? strncmp(name, n, strlen(n)) == 0
		                                         : strcmp(name, n) == 0;

		if (!match)
			continue;
		if (!l->namespaces[sysctl_namespaces[i].ns].present)
			return spec_error(err, path, NULL, "requires %s %s namespace",
			                  strchr("aeio", ns[0]) ? "an" : "a", ns);
		return 0;
	}
	return spec_error(err, path, NULL, "not in a namespace the container can own");
}

static int
parse_sysctl(json_t *obj, const char *path, struct spec_linux *l, struct hutch_error *err)
{
	int r = spec_get_string_map(obj, path, "sysctl", &l->sysctl, &l->n_sysctl, err);

	for (size_t i = 0; r > 0 && i < l->n_sysctl; i++) {
		char item[SPEC_PATH_MAX];

		spec_path_map(item, path, "sysctl", l->sysctl[i].key);
		if (check_sysctl(l->sysctl[i].key, l, item, err) < 0)
			return -EINVAL;
	}
	return r < 0 ? r : 0;
}

static int
parse_paths(json_t *obj, const char *path, struct spec_linux *l, struct hutch_error *err)
{
	if (spec_get_strv(obj, path, "maskedPaths", SPEC_STRV_ABSOLUTE, &l->masked_paths, err) <
	        0 ||
	    spec_get_strv(obj, path, "readonlyPaths", SPEC_STRV_ABSOLUTE, &l->readonly_paths, err) <
	        0 ||
	    spec_get_str(obj, path, "mountLabel", &l->mount_label, err) < 0)
		return -EINVAL;
	return 0;
}

/* ---- personality ---- */

static int
parse_personality(json_t *obj, const char *path, struct spec_linux *l, struct hutch_error *err)
{
	const struct spec_name *d;
	char ppath[SPEC_PATH_MAX];
	json_t *pers = NULL, *dom;
	const char *s = "";
	int r = spec_get_object(obj, path, "personality", &pers, err);

	if (r <= 0)
		return r;
	spec_path_key(ppath, path, "personality");
	dom = spec_field(pers, "domain");
	if (!dom)
		return spec_missing(err, ppath, "domain");
	if (spec_value_str(dom, ppath, "domain", &s, err) < 0)
		return -EINVAL;
	d = SPEC_NAME_FIND(personality_domains, s);
	if (!d)
		return spec_error(err, ppath, "domain",
		                  "unknown domain '" SPEC_QUOTE "', expected LINUX or LINUX32", s);
	l->personality.present = true;
	l->personality.domain = (unsigned long)d->value;
	r = spec_get_strv(pers, ppath, "flags", SPEC_STRV_ANY, &l->personality.flags, err);
	/* The spec defines no flag yet: one we cannot apply is an error. */
	if (r > 0 && l->personality.flags[0])
		return spec_error(err, ppath, "flags", "unsupported flag '" SPEC_QUOTE "'",
		                  l->personality.flags[0]);
	return r < 0 ? r : 0;
}

/* ---- intelRdt ---- */

static int
get_schemata(json_t *rdt, const char *path, char **out, struct hutch_error *err)
{
	_cleanup_strv_ char **lines = NULL;
	json_t *v = spec_field(rdt, "schemata");
	size_t len = 1;

	/* A string in the spec text, an array of lines in its Go types. */
	if (!v || json_is_string(v))
		return spec_get_str(rdt, path, "schemata", out, err);
	if (spec_get_strv(rdt, path, "schemata", SPEC_STRV_ANY, &lines, err) < 0)
		return -EINVAL;
	for (size_t i = 0; lines[i]; i++)
		len += strlen(lines[i]) + 1;
	*out = xcalloc(len, 1);
	for (size_t i = 0, at = 0; lines[i]; i++)
		at += (size_t)snprintf(*out + at, len - at, "%s%s", i ? "\n" : "", lines[i]);
	return 1;
}

static int
check_clos_id(const char *id, const char *path, struct hutch_error *err)
{
	/* It names a directory under /sys/fs/resctrl: no way out of it. */
	if (*id == '\0' || strchr(id, '/') || strcmp(id, ".") == 0 || strcmp(id, "..") == 0 ||
	    strchr(id, '\n'))
		return spec_error(err, path, "closID", "invalid name '" SPEC_QUOTE "'", id);
	return 0;
}

static int
parse_intel_rdt(json_t *obj, const char *path, struct spec_linux *l, struct hutch_error *err)
{
	struct spec_intel_rdt *rdt = &l->intel_rdt;
	char ipath[SPEC_PATH_MAX];
	json_t *o = NULL;
	int r = spec_get_object(obj, path, "intelRdt", &o, err);

	if (r <= 0)
		return r;
	spec_path_key(ipath, path, "intelRdt");
	rdt->present = true;
	if (spec_get_str(o, ipath, "closID", &rdt->clos_id, err) < 0 ||
	    (rdt->clos_id && check_clos_id(rdt->clos_id, ipath, err) < 0) ||
	    spec_get_str(o, ipath, "l3CacheSchema", &rdt->l3_cache_schema, err) < 0 ||
	    spec_get_str(o, ipath, "memBwSchema", &rdt->mem_bw_schema, err) < 0 ||
	    get_schemata(o, ipath, &rdt->schemata, err) < 0 ||
	    spec_get_bool(o, ipath, "enableCMT", &rdt->enable_cmt, err) < 0 ||
	    spec_get_bool(o, ipath, "enableMBM", &rdt->enable_mbm, err) < 0)
		return -EINVAL;
	if (rdt->mem_bw_schema &&
	    (strncmp(rdt->mem_bw_schema, "MB:", 3) != 0 || strchr(rdt->mem_bw_schema, '\n')))
		return spec_error(err, ipath, "memBwSchema", "expected one line starting with MB:");
	return 0;
}

/* ---- netDevices ---- */

bool
spec_valid_ifname(const char *name)
{
	/* The kernel's dev_valid_name(). */
	if (*name == '\0' || strlen(name) >= IFNAMSIZ || strcmp(name, ".") == 0 ||
	    strcmp(name, "..") == 0)
		return false;
	for (; *name; name++)
		if (*name == '/' || *name == ':' || *name == ' ' ||
		    (*name >= '\t' && *name <= '\r'))
			return false;
	return true;
}

static int
parse_net_device(const char *host, json_t *v, const char *path, struct spec_net_device *d,
                 struct hutch_error *err)
{
	if (!spec_valid_ifname(host))
		return spec_error(err, path, NULL, "invalid interface name");
	d->host_name = xstrdup(host);
	if (spec_value_object(v, path, NULL, err) < 0 ||
	    spec_get_str(v, path, "name", &d->name, err) < 0)
		return -EINVAL;
	if (d->name && d->name[0] == '\0') {
		free(d->name);
		d->name = NULL; /* keep the host's name */
	}
	if (d->name && !spec_valid_ifname(d->name))
		return spec_error(err, path, "name", "invalid interface name '" SPEC_QUOTE "'",
		                  d->name);
	return 0;
}

static int
compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted, not pairwise: a config may list many devices. */
static int
check_net_device_names(const struct spec_linux *l, const char *path, struct hutch_error *err)
{
	_cleanup_free_ const char **names = xcalloc(l->n_net_devices, sizeof(*names));

	for (size_t i = 0; i < l->n_net_devices; i++) {
		const struct spec_net_device *d = &l->net_devices[i];

		names[i] = d->name ? d->name : d->host_name;
	}
	qsort(names, l->n_net_devices, sizeof(*names), compare_names);
	for (size_t i = 1; i < l->n_net_devices; i++)
		if (strcmp(names[i - 1], names[i]) == 0)
			return spec_error(err, path, "netDevices",
			                  "two devices named '%s' in the container", names[i]);
	return 0;
}

static int
parse_net_devices(json_t *obj, const char *path, struct spec_linux *l, struct hutch_error *err)
{
	json_t *devs = NULL, *v;
	const char *host;
	int r = spec_get_object(obj, path, "netDevices", &devs, err);

	if (r <= 0)
		return r;
	if (!l->namespaces[SPEC_NS_NETWORK].present)
		return spec_error(err, path, "netDevices", "requires a network namespace");
	l->net_devices = xcalloc(json_object_size(devs), sizeof(*l->net_devices));
	json_object_foreach (devs, host, v) {
		char item[SPEC_PATH_MAX];
		size_t i = l->n_net_devices++;

		spec_path_map(item, path, "netDevices", host);
		if (parse_net_device(host, v, item, &l->net_devices[i], err) < 0)
			return -EINVAL;
	}
	return check_net_device_names(l, path, err);
}

/* ---- memoryPolicy ---- */

static int
parse_mpol_flags(json_t *o, const char *path, struct spec_memory_policy *mp,
                 struct hutch_error *err)
{
	int r = spec_get_strv(o, path, "flags", SPEC_STRV_ANY, &mp->flags, err);

	for (size_t i = 0; r > 0 && mp->flags[i]; i++) {
		const struct spec_name *f = SPEC_NAME_FIND(mpol_flags, mp->flags[i]);
		char item[SPEC_PATH_MAX];

		if (f) {
			mp->mode_flags |= (int)f->value;
			continue;
		}
		spec_path_index(item, path, "flags", i);
		return spec_error(err, item, NULL, "unknown memory policy flag '" SPEC_QUOTE "'",
		                  mp->flags[i]);
	}
	return r < 0 ? r : 0;
}

static int
check_mpol_nodes(const struct spec_memory_policy *mp, const char *path, struct hutch_error *err)
{
	bool none = mp->mode == MPOL_DEFAULT || mp->mode == MPOL_LOCAL;
	bool empty = !mp->nodes || mp->nodes[0] == '\0';

	if (!empty && !spec_valid_cpu_list(mp->nodes))
		return spec_error(err, path, "nodes",
		                  "expected a node list like '0-3,7', got '" SPEC_QUOTE "'",
		                  mp->nodes);
	if (none && !empty)
		return spec_error(err, path, "nodes", "not allowed with this mode");
	if (!none && mp->mode != MPOL_PREFERRED && empty)
		return spec_missing(err, path, "nodes");
	return 0;
}

static int
parse_memory_policy(json_t *obj, const char *path, struct spec_linux *l, struct hutch_error *err)
{
	struct spec_memory_policy *mp = &l->memory_policy;
	const struct spec_name *m;
	char mpath[SPEC_PATH_MAX];
	json_t *o = NULL, *mode;
	const char *s = "";
	int r = spec_get_object(obj, path, "memoryPolicy", &o, err);

	if (r <= 0)
		return r;
	spec_path_key(mpath, path, "memoryPolicy");
	mode = spec_field(o, "mode");
	if (!mode)
		return spec_missing(err, mpath, "mode");
	if (spec_value_str(mode, mpath, "mode", &s, err) < 0)
		return -EINVAL;
	m = SPEC_NAME_FIND(mpol_modes, s);
	if (!m)
		return spec_error(err, mpath, "mode", "unknown mode '" SPEC_QUOTE "'", s);
	mp->present = true;
	mp->mode = (int)m->value;
	if (spec_get_str(o, mpath, "nodes", &mp->nodes, err) < 0 ||
	    parse_mpol_flags(o, mpath, mp, err) < 0)
		return -EINVAL;
	return check_mpol_nodes(mp, mpath, err);
}

/* Namespaces first: several checks below depend on them. */
static const linux_step linux_steps[] = {
    parse_namespaces,  parse_id_maps,     parse_time_offsets,  parse_devices, parse_cgroups,
    parse_propagation, parse_seccomp,     parse_sysctl,        parse_paths,   parse_personality,
    parse_intel_rdt,   parse_net_devices, parse_memory_policy,
};

int
spec_linux_parse(json_t *obj, const char *path, struct spec_linux *linux_, struct hutch_error *err)
{
	for (size_t i = 0; i < ARRAY_SIZE(linux_steps); i++)
		if (linux_steps[i](obj, path, linux_, err) < 0)
			return -EINVAL;
	return 0;
}

void
spec_linux_release(struct spec_linux *l)
{
	for (size_t i = 0; i < SPEC_NS_COUNT; i++)
		free(l->namespaces[i].path);
	free(l->uid_mappings);
	free(l->gid_mappings);
	for (size_t i = 0; l->devices && i < l->n_devices; i++)
		free(l->devices[i].path);
	free(l->devices);
	free(l->cgroups_path);
	spec_resources_free(l->resources);
	spec_seccomp_free(l->seccomp);
	spec_key_values_free(l->sysctl, l->n_sysctl);
	strv_free(l->masked_paths);
	strv_free(l->readonly_paths);
	free(l->mount_label);
	strv_free(l->personality.flags);
	free(l->intel_rdt.clos_id);
	free(l->intel_rdt.l3_cache_schema);
	free(l->intel_rdt.mem_bw_schema);
	free(l->intel_rdt.schemata);
	for (size_t i = 0; l->net_devices && i < l->n_net_devices; i++) {
		free(l->net_devices[i].host_name);
		free(l->net_devices[i].name);
	}
	free(l->net_devices);
	free(l->memory_policy.nodes);
	strv_free(l->memory_policy.flags);
}
