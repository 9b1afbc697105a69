/*
 * spec.c - config.json as a whole: ociVersion, root, hostname, hooks,
 * annotations, and the entry points spec_parse() / spec_load() /
 * spec_free().  The sections live in spec-process.c, spec-mount.c,
 * spec-linux.c, spec-resources.c and spec-seccomp.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>

#include "spec-internal.h"
#include "util.h"
#include "banned.h"

/* HOST_NAME_MAX: sethostname() and setdomainname() refuse longer names. */
#define SPEC_HOSTNAME_MAX 64

static void
spec_freep(struct spec **spec)
{
	spec_free(*spec);
}

/* ---- ociVersion ---- */

/* "0" or digits without a leading zero. */
static bool
semver_number(const char **s)
{
	const char *p = *s;

	if (*p == '0') {
		p++;
	} else if (*p >= '1' && *p <= '9') {
		while (*p >= '0' && *p <= '9')
			p++;
	} else {
		return false;
	}
	*s = p;
	return true;
}

/* Dot-separated [0-9A-Za-z-]+ identifiers; in a pre-release an all-digit
 * identifier must not have a leading zero. */
static bool
semver_identifiers(const char **s, bool prerelease)
{
	const char *p = *s;

	for (;;) {
		const char *start = p;
		bool digits = true;

		for (; *p && (*p == '-' || (*p >= '0' && *p <= '9') ||
		              ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z'));
		     p++)
			digits = digits && *p >= '0' && *p <= '9';
		if (p == start || (prerelease && digits && *start == '0' && p - start > 1))
			return false;
		if (*p != '.')
			break;
		p++;
	}
	*s = p;
	return true;
}

/* SemVer 2.0.0 with major version 1: the only one this parser knows. */
static bool
valid_oci_version(const char *s)
{
	if (s[0] != '1' || s[1] != '.')
		return false;
	s += 2;
	if (!semver_number(&s) || *s++ != '.' || !semver_number(&s))
		return false;
	if (*s == '-' && (s++, !semver_identifiers(&s, true)))
		return false;
	if (*s == '+' && (s++, !semver_identifiers(&s, false)))
		return false;
	return *s == '\0';
}

static int
parse_version(json_t *root, struct spec *spec, struct hutch_error *err)
{
	int r = spec_get_str(root, "", "ociVersion", &spec->oci_version, err);

	if (r == 0)
		return spec_missing(err, "", "ociVersion");
	if (r > 0 && !valid_oci_version(spec->oci_version))
		return spec_error(err, "", "ociVersion",
		                  "unsupported version '" SPEC_QUOTE "', expected 1.x.y",
		                  spec->oci_version);
	return r;
}

/* ---- root, process, hostname ---- */

static int
parse_root(json_t *root, struct spec *spec, struct hutch_error *err)
{
	json_t *obj = NULL;
	int r = spec_get_object(root, "", "root", &obj, err);

	if (r == 0)
		return spec_missing(err, "", "root");
	if (r < 0)
		return r;
	/* Relative paths are relative to the bundle directory. */
	r = spec_get_path(obj, "root", "path", false, &spec->root_path, err);
	if (r == 0)
		return spec_missing(err, "root", "path");
	if (r < 0)
		return r;
	return spec_get_bool(obj, "root", "readonly", &spec->root_readonly, err);
}

static int
parse_mounts(json_t *root, struct spec *spec, struct hutch_error *err)
{
	json_t *arr = NULL;
	int r = spec_get_array(root, "", "mounts", &arr, err);

	return r > 0 ? spec_mounts_parse(arr, "mounts", spec, err) : r;
}

static int
parse_process(json_t *root, struct spec *spec, struct hutch_error *err)
{
	json_t *obj = NULL;
	int r = spec_get_object(root, "", "process", &obj, err);

	/* The spec makes it optional for `create` without `start`; like runc,
	 * hutch always starts a process, so it must be there. */
	if (r == 0)
		return spec_missing(err, "", "process");
	return r > 0 ? spec_process_from_json(obj, "process", &spec->process, err) : r;
}

static int
get_name(json_t *root, const char *key, char **out, struct hutch_error *err)
{
	int r = spec_get_str(root, "", key, out, err);

	if (r <= 0)
		return r;
	if (strlen(*out) > SPEC_HOSTNAME_MAX)
		return spec_error(err, "", key, "longer than %d bytes", SPEC_HOSTNAME_MAX);
	if (**out == '\0') {
		/* Empty means "not set": never sethostname("") on the host. */
		free(*out);
		*out = NULL;
	}
	return 0;
}

static int
parse_names(json_t *root, struct spec *spec, struct hutch_error *err)
{
	int r = get_name(root, "hostname", &spec->hostname, err);

	return r < 0 ? r : get_name(root, "domainname", &spec->domainname, err);
}

/* ---- hooks ---- */

static const struct spec_name hook_kinds[] = {
    {"prestart", SPEC_HOOK_PRESTART},
    {"createRuntime", SPEC_HOOK_CREATE_RUNTIME},
    {"createContainer", SPEC_HOOK_CREATE_CONTAINER},
    {"startContainer", SPEC_HOOK_START_CONTAINER},
    {"poststart", SPEC_HOOK_POSTSTART},
    {"poststop", SPEC_HOOK_POSTSTOP},
};

static int
parse_hook(json_t *v, const char *path, struct spec_hook *hook, struct hutch_error *err)
{
	int r;

	if (spec_value_object(v, path, NULL, err) < 0)
		return -EINVAL;
	r = spec_get_path(v, path, "path", true, &hook->path, err);
	if (r == 0)
		return spec_missing(err, path, "path");
	if (r < 0 || spec_get_strv(v, path, "args", SPEC_STRV_ANY, &hook->args, err) < 0 ||
	    spec_get_strv(v, path, "env", SPEC_STRV_ANY, &hook->env, err) < 0)
		return -EINVAL;
	r = spec_get_int(v, path, "timeout", 1, INT_MAX, &hook->timeout, err);
	hook->has_timeout = r > 0;
	return r < 0 ? r : 0;
}

static int
parse_hook_list(json_t *arr, const char *path, struct spec_hook_list *list, struct hutch_error *err)
{
	json_t *v;
	size_t i;

	list->hooks = xcalloc(json_array_size(arr), sizeof(*list->hooks));
	list->n = json_array_size(arr);
	json_array_foreach (arr, i, v) {
		char item[SPEC_PATH_MAX];

		spec_path_index(item, path, NULL, i);
		if (parse_hook(v, item, &list->hooks[i], err) < 0)
			return -EINVAL;
	}
	return 0;
}

static int
parse_hooks(json_t *root, struct spec *spec, struct hutch_error *err)
{
	json_t *hooks = NULL;
	int r = spec_get_object(root, "", "hooks", &hooks, err);

	if (r <= 0)
		return r;
	for (size_t k = 0; k < ARRAY_SIZE(hook_kinds); k++) {
		const char *name = hook_kinds[k].name;
		char path[SPEC_PATH_MAX];
		json_t *arr = NULL;

		r = spec_get_array(hooks, "hooks", name, &arr, err);
		if (r < 0)
			return r;
		spec_path_key(path, "hooks", name);
		if (r > 0 && parse_hook_list(arr, path, &spec->hooks[hook_kinds[k].value], err) < 0)
			return -EINVAL;
	}
	return 0;
}

static void
hook_list_release(struct spec_hook_list *list)
{
	for (size_t i = 0; list->hooks && i < list->n; i++) {
		free(list->hooks[i].path);
		strv_free(list->hooks[i].args);
		strv_free(list->hooks[i].env);
	}
	free(list->hooks);
}

/* ---- annotations and the checks across sections ---- */

static int
parse_annotations(json_t *root, struct spec *spec, struct hutch_error *err)
{
	int r = spec_get_string_map(root, "", "annotations", &spec->annotations,
	                            &spec->n_annotations, err);

	for (size_t i = 0; r > 0 && i < spec->n_annotations; i++)
		if (spec->annotations[i].key[0] == '\0')
			return spec_error(err, "", "annotations", "empty key");
	return r < 0 ? r : 0;
}

static int
parse_linux(json_t *root, struct spec *spec, struct hutch_error *err)
{
	json_t *obj = NULL;
	int r = spec_get_object(root, "", "linux", &obj, err);

	return r > 0 ? spec_linux_parse(obj, "linux", &spec->linux, err) : r;
}

static int
check_uts(json_t *root, struct spec *spec, struct hutch_error *err)
{
	(void)root;
	/* Without its own UTS namespace the container would rename the host. */
	if (spec->linux.namespaces[SPEC_NS_UTS].present)
		return 0;
	if (spec->hostname)
		return spec_error(err, "", "hostname", "requires a uts namespace");
	if (spec->domainname)
		return spec_error(err, "", "domainname", "requires a uts namespace");
	return 0;
}

/* In order: a message names the first bad field in this order. */
static int (*const spec_steps[])(json_t *, struct spec *, struct hutch_error *) = {
    parse_version, parse_root,  parse_mounts,      parse_process, parse_names,
    parse_hooks,   parse_linux, parse_annotations, check_uts,
};

int
spec_parse(const char *buf, size_t len, struct spec **out, struct hutch_error *err)
{
	_cleanup_(spec_freep) struct spec *spec = NULL;
	_cleanup_json_ json_t *root = NULL;
	int r = spec_json_load(buf, len, "config.json", &root, err);

	if (r < 0)
		return r;
	spec = xcalloc(1, sizeof(*spec));
	for (size_t i = 0; i < ARRAY_SIZE(spec_steps); i++) {
		r = spec_steps[i](root, spec, err);
		if (r < 0)
			return r;
	}
	*out = TAKE_PTR(spec);
	return 0;
}

int
spec_load(const char *bundle, struct spec **out, struct hutch_error *err)
{
	_cleanup_free_ char *path = xasprintf("%s/config.json", bundle);
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	int r = read_file_at(AT_FDCWD, path, SPEC_MAX_FILE_SIZE, &buf, &len, err);

	if (r < 0)
		return r;
	return spec_parse(buf, len, out, err);
}

void
spec_free(struct spec *spec)
{
	if (!spec)
		return;
	free(spec->oci_version);
	free(spec->root_path);
	spec_mounts_free(spec->mounts, spec->n_mounts);
	spec_process_free(spec->process);
	free(spec->hostname);
	free(spec->domainname);
	for (size_t k = 0; k < SPEC_HOOK_KINDS; k++)
		hook_list_release(&spec->hooks[k]);
	spec_key_values_free(spec->annotations, spec->n_annotations);
	spec_linux_release(&spec->linux);
	free(spec);
}
