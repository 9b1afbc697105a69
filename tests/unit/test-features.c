/*
 * test-features.c - the features document: it is JSON with the spec's
 * keys, and every name it claims is recognised really is taken by the
 * config parser (features.c mirrors some of the parser's private tables,
 * so this is what keeps the two in step).
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime-features.h"
#include "spec.h"
#include "tap.h"
#include "banned.h"

static const char base_config[] =
    "{\"ociVersion\": \"1.3.0\", \"root\": {\"path\": \"rootfs\"},"
    " \"process\": {\"args\": [\"sh\"], \"cwd\": \"/\", \"user\": {\"uid\": 0, \"gid\": 0}},"
    " \"linux\": {\"namespaces\": [{\"type\": \"mount\"}]}}";

static json_t *doc;

/* Parse base_config with `patch` (a JSON object, consumed) merged in at
 * the top, one level deep for "linux" and "process"; NULL when refused. */
static struct spec *
parse_with(json_t *patch, char *why, size_t size)
{
	json_t *cfg = json_loads(base_config, 0, NULL);
	struct hutch_error err = {0};
	struct spec *spec = NULL;
	const char *key;
	json_t *val;
	char *text;
	int r;

	json_object_foreach (patch, key, val) {
		json_t *cur = json_object_get(cfg, key);

		if (json_is_object(cur) && json_is_object(val))
			json_object_update(cur, val);
		else
			json_object_set(cfg, key, val);
	}
	text = json_dumps(cfg, JSON_COMPACT);
	r = spec_parse(text, strlen(text), &spec, &err);
	snprintf(why, size, "%s", r < 0 ? err.msg : "");
	free(text);
	json_decref(cfg);
	json_decref(patch);
	return r == 0 ? spec : NULL;
}

static bool
parses_with(json_t *patch, char *why, size_t size)
{
	struct spec *spec = parse_with(patch, why, size);

	spec_free(spec);
	return spec != NULL;
}

static json_t *
array_at(const char *path)
{
	json_t *j = doc;
	char buf[128], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *k = strtok_r(buf, ".", &save); k && j; k = strtok_r(NULL, ".", &save))
		j = json_object_get(j, k);
	return json_is_array(j) ? j : NULL;
}

/* Every element of the array at path is a string, none twice. */
static void
check_names(const char *path, size_t min)
{
	json_t *arr = array_at(path), *v;
	size_t i, n = json_array_size(arr);
	bool strings = true, unique = true;

	ok(arr && n >= min, "%s: an array of at least %zu", path, min);
	json_array_foreach (arr, i, v) {
		strings = strings && json_is_string(v);
		for (size_t k = 0; k < i && strings; k++)
			unique = unique && !json_equal(json_array_get(arr, k), v);
	}
	ok(strings && unique, "%s: distinct strings", path);
}

static void
test_document(void)
{
	char *text = NULL;
	struct hutch_error err = {0};
	json_error_t jerr;
	int r = features_json(&text, &err);

	ok(r == 0 && text, "features_json succeeds");
	doc = json_loads(text ? text : "", 0, &jerr);
	ok(json_is_object(doc), "the document is a JSON object");
	free(text);
	is_str(json_string_value(json_object_get(doc, "ociVersionMin")), "1.0.0", "ociVersionMin");
	is_str(json_string_value(json_object_get(doc, "ociVersionMax")), "1.3.0", "ociVersionMax");
	check_names("hooks", 6);
	check_names("mountOptions", 40);
	check_names("linux.namespaces", 8);
	check_names("linux.capabilities", 38);
	check_names("linux.seccomp.actions", 9);
	check_names("linux.seccomp.operators", 7);
	check_names("linux.seccomp.archs", 1);
	check_names("linux.seccomp.knownFlags", 1);
	check_names("linux.seccomp.supportedFlags", 0);
	ok(json_is_true(
	       json_object_get(json_object_get(json_object_get(doc, "linux"), "cgroup"), "v1")),
	   "linux.cgroup.v1");
	ok(json_is_string(
	       json_object_get(json_object_get(doc, "annotations"), "io.github.hutch.version")),
	   "annotations carry the version");
}

/* Every element of the array at path, put in the config by patch(),
 * parses, and passes check() when given. */
static void
each_accepted(const char *path, json_t *(*patch)(const char *name),
              bool (*check)(const struct spec *spec))
{
	json_t *v;
	size_t i;
	char why[HUTCH_ERROR_MSG_MAX];
	int bad = 0;

	json_array_foreach (array_at(path), i, v) {
		const char *name = json_string_value(v);
		struct spec *spec = parse_with(patch(name), why, sizeof(why));

		if (!spec || (check && !check(spec))) {
			printf("# %s: '%s' refused: %s\n", path, name,
			       spec ? "not recognised" : why);
			bad++;
		}
		spec_free(spec);
	}
	ok(bad == 0, "the parser takes every name of %s", path);
}

static json_t *
hook_patch(const char *name)
{
	return json_pack("{s:{s:[{s:s}]}}", "hooks", name, "path", "/bin/true");
}

static json_t *
mount_patch(const char *name)
{
	/* idmap and ridmap are for bind mounts only */
	if (strstr(name, "idmap"))
		return json_pack("{s:[{s:s, s:s, s:s, s:[s, s]}]}", "mounts", "destination", "/mnt",
		                 "type", "bind", "source", "/srv", "options", "bind", name);
	return json_pack("{s:[{s:s, s:s, s:s, s:[s]}]}", "mounts", "destination", "/mnt", "type",
	                 "tmpfs", "source", "tmpfs", "options", name);
}

/* An option the parser does not know is passed to the filesystem as
 * data: a recognised one leaves no data. */
static bool
mount_option_known(const struct spec *spec)
{
	return spec->n_mounts == 1 && spec->mounts[0].data == NULL;
}

static json_t *
cap_patch(const char *name)
{
	return json_pack("{s:{s:{s:[s]}}}", "process", "capabilities", "bounding", name);
}

/* A rule with every field an action may need; NOTIFY needs a listener. */
static json_t *
seccomp_patch(json_t *seccomp)
{
	json_object_set_new(seccomp, "defaultAction", json_string("SCMP_ACT_ALLOW"));
	json_object_set_new(seccomp, "listenerPath", json_string("/run/listener.sock"));
	return json_pack("{s:{s:o}}", "linux", "seccomp", seccomp);
}

static json_t *
action_patch(const char *name)
{
	return seccomp_patch(
	    json_pack("{s:[{s:[s], s:s}]}", "syscalls", "names", "getpid", "action", name));
}

static json_t *
operator_patch(const char *name)
{
	return seccomp_patch(json_pack("{s:[{s:[s], s:s, s:[{s:i, s:i, s:i, s:s}]}]}", "syscalls",
	                               "names", "getpid", "action", "SCMP_ACT_ERRNO", "args",
	                               "index", 0, "value", 1, "valueTwo", 1, "op", name));
}

static json_t *
arch_patch(const char *name)
{
	return seccomp_patch(json_pack("{s:[s]}", "architectures", name));
}

static json_t *
flag_patch(const char *name)
{
	return seccomp_patch(json_pack("{s:[s]}", "flags", name));
}

static void
test_namespaces(void)
{
	json_t *v;
	size_t i;
	int bad = 0;

	json_array_foreach (array_at("linux.namespaces"), i, v) {
		enum spec_ns_type type;

		bad += spec_ns_type_from_name(json_string_value(v), &type) < 0;
	}
	ok(bad == 0, "the parser takes every namespace listed");
}

static void
test_accepted(void)
{
	char why[HUTCH_ERROR_MSG_MAX];
	struct spec *spec;
	bool parsed = parses_with(json_object(), why, sizeof(why));

	/* ok() evaluates its condition more than once: compute it first. */
	ok(parsed, "the base config parses%s%s", *why ? ": " : "", why);
	each_accepted("hooks", hook_patch, NULL);
	each_accepted("mountOptions", mount_patch, mount_option_known);
	each_accepted("linux.capabilities", cap_patch, NULL);
	each_accepted("linux.seccomp.actions", action_patch, NULL);
	each_accepted("linux.seccomp.operators", operator_patch, NULL);
	each_accepted("linux.seccomp.archs", arch_patch, NULL);
	each_accepted("linux.seccomp.knownFlags", flag_patch, NULL);
	test_namespaces();
	/* The checks can fail: a name the parser does not know is caught. */
	parsed = parses_with(action_patch("SCMP_ACT_FOO"), why, sizeof(why));
	ok(!parsed, "an unknown seccomp action is refused");
	spec = parse_with(mount_patch("acl"), why, sizeof(why));
	parsed = spec && !mount_option_known(spec);
	ok(parsed, "an unknown mount option is seen as data");
	spec_free(spec);
}

int
main(void)
{
	test_document();
	test_accepted();
	json_decref(doc);
	return tap_done();
}
