/*
 * spec-mount.c - the `mounts` array: destinations, and the mount(8)-style
 * option strings turned into MS_* flags, propagation, mount_setattr()
 * attributes and the filesystem's own data string.
 */
#include <errno.h>
#include <limits.h>
#include <sys/mount.h>

#include "spec-internal.h"
#include "util.h"
#include "banned.h"

enum opt_kind {
	OPT_SET,         /* MS_* flag to set */
	OPT_CLEAR,       /* MS_* flag to clear ("rw", "suid" ...) */
	OPT_PROPAGATION, /* MS_SHARED ... maybe | MS_REC; the last one wins */
	OPT_ATTR_SET,    /* MOUNT_ATTR_* to set recursively */
	OPT_ATTR_CLEAR,  /* MOUNT_ATTR_* to clear recursively */
	OPT_ATIME,       /* MOUNT_ATTR_<atime> mode, an enum inside MOUNT_ATTR__ATIME */
	OPT_IDMAP,       /* value 1 for "ridmap" */
	OPT_IGNORE,
};

struct mount_opt {
	const char *name;
	enum opt_kind kind;
	unsigned long value;
};

static const struct mount_opt mount_opts[] = {
    {"ro", OPT_SET, MS_RDONLY},
    {"rw", OPT_CLEAR, MS_RDONLY},
    {"nosuid", OPT_SET, MS_NOSUID},
    {"suid", OPT_CLEAR, MS_NOSUID},
    {"nodev", OPT_SET, MS_NODEV},
    {"dev", OPT_CLEAR, MS_NODEV},
    {"noexec", OPT_SET, MS_NOEXEC},
    {"exec", OPT_CLEAR, MS_NOEXEC},
    {"sync", OPT_SET, MS_SYNCHRONOUS},
    {"async", OPT_CLEAR, MS_SYNCHRONOUS},
    {"dirsync", OPT_SET, MS_DIRSYNC},
    {"mand", OPT_SET, MS_MANDLOCK},
    {"nomand", OPT_CLEAR, MS_MANDLOCK},
    {"noatime", OPT_SET, MS_NOATIME},
    {"atime", OPT_CLEAR, MS_NOATIME},
    {"nodiratime", OPT_SET, MS_NODIRATIME},
    {"diratime", OPT_CLEAR, MS_NODIRATIME},
    {"relatime", OPT_SET, MS_RELATIME},
    {"norelatime", OPT_CLEAR, MS_RELATIME},
    {"strictatime", OPT_SET, MS_STRICTATIME},
    {"nostrictatime", OPT_CLEAR, MS_STRICTATIME},
    {"lazytime", OPT_SET, MS_LAZYTIME},
    {"nolazytime", OPT_CLEAR, MS_LAZYTIME},
    {"nosymfollow", OPT_SET, MS_NOSYMFOLLOW},
    {"symfollow", OPT_CLEAR, MS_NOSYMFOLLOW},
    {"remount", OPT_SET, MS_REMOUNT},
    {"silent", OPT_SET, MS_SILENT},
    {"loud", OPT_CLEAR, MS_SILENT},
    {"iversion", OPT_SET, MS_I_VERSION},
    {"noiversion", OPT_CLEAR, MS_I_VERSION},
    {"bind", OPT_SET, MS_BIND},
    {"rbind", OPT_SET, MS_BIND | MS_REC},
    {"shared", OPT_PROPAGATION, MS_SHARED},
    {"rshared", OPT_PROPAGATION, MS_SHARED | MS_REC},
    {"slave", OPT_PROPAGATION, MS_SLAVE},
    {"rslave", OPT_PROPAGATION, MS_SLAVE | MS_REC},
    {"private", OPT_PROPAGATION, MS_PRIVATE},
    {"rprivate", OPT_PROPAGATION, MS_PRIVATE | MS_REC},
    {"unbindable", OPT_PROPAGATION, MS_UNBINDABLE},
    {"runbindable", OPT_PROPAGATION, MS_UNBINDABLE | MS_REC},
    {"rro", OPT_ATTR_SET, MOUNT_ATTR_RDONLY},
    {"rrw", OPT_ATTR_CLEAR, MOUNT_ATTR_RDONLY},
    {"rnosuid", OPT_ATTR_SET, MOUNT_ATTR_NOSUID},
    {"rsuid", OPT_ATTR_CLEAR, MOUNT_ATTR_NOSUID},
    {"rnodev", OPT_ATTR_SET, MOUNT_ATTR_NODEV},
    {"rdev", OPT_ATTR_CLEAR, MOUNT_ATTR_NODEV},
    {"rnoexec", OPT_ATTR_SET, MOUNT_ATTR_NOEXEC},
    {"rexec", OPT_ATTR_CLEAR, MOUNT_ATTR_NOEXEC},
    {"rnodiratime", OPT_ATTR_SET, MOUNT_ATTR_NODIRATIME},
    {"rdiratime", OPT_ATTR_CLEAR, MOUNT_ATTR_NODIRATIME},
    {"rnosymfollow", OPT_ATTR_SET, MOUNT_ATTR_NOSYMFOLLOW},
    {"rsymfollow", OPT_ATTR_CLEAR, MOUNT_ATTR_NOSYMFOLLOW},
    /* Leaving noatime or strictatime means the kernel default, relatime. */
    {"rnoatime", OPT_ATIME, MOUNT_ATTR_NOATIME},
    {"ratime", OPT_ATIME, MOUNT_ATTR_RELATIME},
    {"rstrictatime", OPT_ATIME, MOUNT_ATTR_STRICTATIME},
    {"rnostrictatime", OPT_ATIME, MOUNT_ATTR_RELATIME},
    {"rrelatime", OPT_ATIME, MOUNT_ATTR_RELATIME},
    {"rnorelatime", OPT_ATIME, MOUNT_ATTR_RELATIME},
    {"idmap", OPT_IDMAP, 0},
    {"ridmap", OPT_IDMAP, 1},
    /* crun's "copy the image's content into the tmpfs": not supported, and
     * harmless to skip; "defaults" is mount(8)'s no-op. */
    {"tmpcopyup", OPT_IGNORE, 0},
    {"defaults", OPT_IGNORE, 0},
};

struct data_buf {
	char *s;
	size_t len;
	size_t cap;
};

static void
data_append(struct data_buf *d, const char *opt)
{
	size_t n = strlen(opt);

	if (d->len + n + 2 > d->cap) {
		d->cap = (d->len + n + 2) * 2;
		d->s = xrealloc(d->s, d->cap, 1);
	}
	if (d->len > 0)
		d->s[d->len++] = ',';
	memcpy(d->s + d->len, opt, n + 1);
	d->len += n;
}

static void
apply_option(struct spec_mount *m, const struct mount_opt *o)
{
	switch (o->kind) {
	case OPT_SET:
		m->flags |= o->value;
		m->clear_flags &= ~o->value;
		break;
	case OPT_CLEAR:
		m->flags &= ~o->value;
		m->clear_flags |= o->value;
		break;
	case OPT_PROPAGATION:
		m->propagation = o->value;
		break;
	case OPT_ATTR_SET:
		m->attr_set |= o->value;
		m->attr_clr &= ~(uint64_t)o->value;
		break;
	case OPT_ATTR_CLEAR:
		m->attr_clr |= o->value;
		m->attr_set &= ~(uint64_t)o->value;
		break;
	case OPT_ATIME:
		/* mount_setattr() changes the atime mode only when the whole
		 * MOUNT_ATTR__ATIME field is in attr_clr. */
		m->attr_clr |= MOUNT_ATTR__ATIME;
		m->attr_set = (m->attr_set & ~(uint64_t)MOUNT_ATTR__ATIME) | o->value;
		break;
	case OPT_IDMAP:
		m->idmap = true;
		m->idmap_recursive = o->value;
		break;
	case OPT_IGNORE:
		break;
	}
}

static const struct mount_opt *
find_option(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(mount_opts); i++)
		if (strcmp(mount_opts[i].name, name) == 0)
			return &mount_opts[i];
	return NULL;
}

static int
parse_options(json_t *arr, const char *path, struct spec_mount *m, struct hutch_error *err)
{
	struct data_buf data = {0};
	json_t *v;
	size_t i;

	json_array_foreach (arr, i, v) {
		char item[SPEC_PATH_MAX];
		const struct mount_opt *o;
		const char *s = "";

		spec_path_index(item, path, "options", i);
		if (spec_value_str(v, item, NULL, &s, err) < 0)
			goto fail;
		/* A comma would smuggle several options into one. */
		if (*s == '\0' || strchr(s, ',')) {
			spec_error(err, item, NULL, "invalid mount option '" SPEC_QUOTE "'", s);
			goto fail;
		}
		o = find_option(s);
		if (o)
			apply_option(m, o);
		else
			data_append(&data, s);
	}
	m->data = data.s;
	return 0;
fail:
	free(data.s);
	return -EINVAL;
}

static int
parse_mount_maps(json_t *v, const char *path, struct spec_mount *m, struct hutch_error *err)
{
	json_t *uids = NULL, *gids = NULL;
	char mpath[SPEC_PATH_MAX];
	int ru, rg;

	ru = spec_get_array(v, path, "uidMappings", &uids, err);
	rg = ru < 0 ? ru : spec_get_array(v, path, "gidMappings", &gids, err);
	if (rg < 0)
		return -EINVAL;
	if (ru != rg)
		return spec_error(err, path, ru ? "gidMappings" : "uidMappings", "required with %s",
		                  ru ? "uidMappings" : "gidMappings");
	if (!ru)
		return 0;
	if (json_array_size(uids) == 0 || json_array_size(gids) == 0)
		return spec_error(err, path, json_array_size(uids) ? "gidMappings" : "uidMappings",
		                  "an idmapped mount needs at least one mapping");
	spec_path_key(mpath, path, "uidMappings");
	if (spec_id_maps_parse(uids, mpath, &m->uid_mappings, &m->n_uid_mappings, err) < 0)
		return -EINVAL;
	spec_path_key(mpath, path, "gidMappings");
	if (spec_id_maps_parse(gids, mpath, &m->gid_mappings, &m->n_gid_mappings, err) < 0)
		return -EINVAL;
	/* Mappings make an idmapped mount even without "idmap", as in runc. */
	m->idmap = true;
	return 0;
}

static int
parse_mount(json_t *v, const char *path, struct spec_mount *m, struct hutch_error *err)
{
	json_t *opts = NULL;
	int r;

	if (spec_value_object(v, path, NULL, err) < 0)
		return -EINVAL;
	r = spec_get_path(v, path, "destination", true, &m->destination, err);
	if (r == 0)
		return spec_missing(err, path, "destination");
	if (r < 0 || spec_get_str(v, path, "type", &m->type, err) < 0 ||
	    spec_get_str(v, path, "source", &m->source, err) < 0)
		return -EINVAL;
	/* A path for bind mounts, a name ("proc", "tmpfs") otherwise. */
	if (m->source && strlen(m->source) >= PATH_MAX)
		return spec_error(err, path, "source", "longer than %d bytes", PATH_MAX - 1);
	r = spec_get_array(v, path, "options", &opts, err);
	if (r < 0 || (r > 0 && parse_options(opts, path, m, err) < 0))
		return -EINVAL;
	m->bind = m->flags & MS_BIND;
	if (parse_mount_maps(v, path, m, err) < 0)
		return -EINVAL;
	/* As runc: only a bind mount's source is id-mapped. */
	if (m->idmap && !m->bind)
		return spec_error(err, path, "options", "an id-mapped mount must be a bind mount");
	return 0;
}

int
spec_mounts_parse(json_t *arr, const char *path, struct spec *spec, struct hutch_error *err)
{
	json_t *v;
	size_t i;

	spec->mounts = xcalloc(json_array_size(arr), sizeof(*spec->mounts));
	spec->n_mounts = json_array_size(arr);
	json_array_foreach (arr, i, v) {
		char item[SPEC_PATH_MAX];

		spec_path_index(item, path, NULL, i);
		if (parse_mount(v, item, &spec->mounts[i], err) < 0)
			return -EINVAL;
	}
	return 0;
}

void
spec_mounts_free(struct spec_mount *mounts, size_t n)
{
	for (size_t i = 0; mounts && i < n; i++) {
		free(mounts[i].destination);
		free(mounts[i].type);
		free(mounts[i].source);
		free(mounts[i].data);
		free(mounts[i].uid_mappings);
		free(mounts[i].gid_mappings);
	}
	free(mounts);
}
