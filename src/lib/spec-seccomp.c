/*
 * spec-seccomp.c - linux.seccomp: actions, operators, architectures and
 * flags checked by name here; the seccomp module builds the filter.
 * Syscall names are not resolved: profiles list syscalls newer than the
 * libseccomp we run with, and runc skips those too.
 */
#include <errno.h>
#include <seccomp.h>

#include "spec-internal.h"
#include "util.h"
#include "banned.h"

#define SCMP_ARCH_PREFIX "SCMP_ARCH_"

static const struct spec_name seccomp_actions[] = {
    {"SCMP_ACT_KILL", SPEC_SECCOMP_KILL},
    {"SCMP_ACT_KILL_PROCESS", SPEC_SECCOMP_KILL_PROCESS},
    {"SCMP_ACT_KILL_THREAD", SPEC_SECCOMP_KILL_THREAD},
    {"SCMP_ACT_TRAP", SPEC_SECCOMP_TRAP},
    {"SCMP_ACT_ERRNO", SPEC_SECCOMP_ERRNO},
    {"SCMP_ACT_TRACE", SPEC_SECCOMP_TRACE},
    {"SCMP_ACT_ALLOW", SPEC_SECCOMP_ALLOW},
    {"SCMP_ACT_LOG", SPEC_SECCOMP_LOG},
    {"SCMP_ACT_NOTIFY", SPEC_SECCOMP_NOTIFY},
};

static const struct spec_name seccomp_ops[] = {
    {"SCMP_CMP_NE", SPEC_SECCOMP_OP_NE},
    {"SCMP_CMP_LT", SPEC_SECCOMP_OP_LT},
    {"SCMP_CMP_LE", SPEC_SECCOMP_OP_LE},
    {"SCMP_CMP_EQ", SPEC_SECCOMP_OP_EQ},
    {"SCMP_CMP_GE", SPEC_SECCOMP_OP_GE},
    {"SCMP_CMP_GT", SPEC_SECCOMP_OP_GT},
    {"SCMP_CMP_MASKED_EQ", SPEC_SECCOMP_OP_MASKED_EQ},
};

static const struct spec_name seccomp_flags[] = {
    {"SECCOMP_FILTER_FLAG_TSYNC", 0},
    {"SECCOMP_FILTER_FLAG_LOG", 0},
    {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", 0},
    {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", 0},
};

static int
get_action(json_t *obj, const char *path, const char *key, enum spec_seccomp_action *out,
           struct hutch_error *err)
{
	const struct spec_name *a;
	json_t *v = spec_field(obj, key);
	const char *s = "";

	if (!v)
		return spec_missing(err, path, key);
	if (spec_value_str(v, path, key, &s, err) < 0)
		return -EINVAL;
	a = SPEC_NAME_FIND(seccomp_actions, s);
	if (!a)
		return spec_error(err, path, key, "unknown seccomp action '" SPEC_QUOTE "'", s);
	*out = (enum spec_seccomp_action)a->value;
	return 0;
}

/* errnoRet is only meaningful for actions that return an errno. */
static int
get_errno_ret(json_t *obj, const char *path, const char *key, enum spec_seccomp_action action,
              uint32_t *out, bool *has, struct hutch_error *err)
{
	int r = spec_get_u32(obj, path, key, out, err);

	if (r > 0 && action != SPEC_SECCOMP_ERRNO && action != SPEC_SECCOMP_TRACE)
		return spec_error(err, path, key,
		                  "only allowed with SCMP_ACT_ERRNO or SCMP_ACT_TRACE");
	*has = r > 0;
	return r < 0 ? r : 0;
}

static bool
valid_arch(const char *name)
{
	char lower[32];
	size_t n = strlen(name), plen = strlen(SCMP_ARCH_PREFIX);

	/* libseccomp spells "SCMP_ARCH_X86_64" as "x86_64". */
	if (strncmp(name, SCMP_ARCH_PREFIX, plen) != 0 || n - plen >= sizeof(lower) || n == plen)
		return false;
	for (size_t i = plen; i <= n; i++) {
		char c = name[i];

		if (c && !((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
			return false;
		lower[i - plen] = c >= 'A' && c <= 'Z' ? (char)(c | 0x20) : c;
	}
	return seccomp_arch_resolve_name(lower) != 0;
}

static int
check_names(char **names, const char *path, const char *key, const struct spec_name *table,
            size_t n, const char *what, struct hutch_error *err)
{
	for (size_t i = 0; names && names[i]; i++) {
		char item[SPEC_PATH_MAX];
		bool ok = table ? spec_name_find(table, n, names[i]) != NULL : valid_arch(names[i]);

		if (ok)
			continue;
		spec_path_index(item, path, key, i);
		return spec_error(err, item, NULL, "unknown %s '" SPEC_QUOTE "'", what, names[i]);
	}
	return 0;
}

static int
parse_arg(json_t *v, const char *path, struct spec_seccomp_arg *a, struct hutch_error *err)
{
	const struct spec_name *op;
	json_t *o;
	const char *s = "";
	uint64_t index;
	int r;

	if (spec_value_object(v, path, NULL, err) < 0)
		return -EINVAL;
	r = spec_get_u64(v, path, "index", 5, &index, err);
	if (r <= 0)
		return r < 0 ? r : spec_missing(err, path, "index");
	a->index = (uint32_t)index;
	r = spec_get_u64(v, path, "value", UINT64_MAX, &a->value, err);
	if (r <= 0)
		return r < 0 ? r : spec_missing(err, path, "value");
	if (spec_get_u64(v, path, "valueTwo", UINT64_MAX, &a->value_two, err) < 0)
		return -EINVAL;
	o = spec_field(v, "op");
	if (!o)
		return spec_missing(err, path, "op");
	if (spec_value_str(o, path, "op", &s, err) < 0)
		return -EINVAL;
	op = SPEC_NAME_FIND(seccomp_ops, s);
	if (!op)
		return spec_error(err, path, "op", "unknown seccomp operator '" SPEC_QUOTE "'", s);
	a->op = (enum spec_seccomp_op)op->value;
	return 0;
}

static int
parse_args(json_t *v, const char *path, struct spec_seccomp_rule *rule, struct hutch_error *err)
{
	json_t *arr = NULL, *a;
	size_t i;
	int r = spec_get_array(v, path, "args", &arr, err);

	if (r <= 0)
		return r;
	rule->args = xcalloc(json_array_size(arr), sizeof(*rule->args));
	rule->n_args = json_array_size(arr);
	json_array_foreach (arr, i, a) {
		char item[SPEC_PATH_MAX];

		spec_path_index(item, path, "args", i);
		if (parse_arg(a, item, &rule->args[i], err) < 0)
			return -EINVAL;
	}
	return 0;
}

static int
parse_rule(json_t *v, const char *path, struct spec_seccomp_rule *rule, struct hutch_error *err)
{
	int r;

	if (spec_value_object(v, path, NULL, err) < 0)
		return -EINVAL;
	r = spec_get_strv(v, path, "names", SPEC_STRV_NONEMPTY, &rule->names, err);
	if (r < 0)
		return r;
	if (r == 0 || !rule->names[0])
		return spec_error(err, path, "names", "expected at least one syscall name");
	for (size_t i = 0; rule->names[i]; i++)
		if (strspn(rule->names[i], "abcdefghijklmnopqrstuvwxyz0123456789_") !=
		    strlen(rule->names[i]))
			return spec_error(err, path, "names",
			                  "'" SPEC_QUOTE "' is not a syscall name (a-z, 0-9, _)",
			                  rule->names[i]);
	if (get_action(v, path, "action", &rule->action, err) < 0 ||
	    get_errno_ret(v, path, "errnoRet", rule->action, &rule->errno_ret, &rule->has_errno_ret,
	                  err) < 0)
		return -EINVAL;
	return parse_args(v, path, rule, err);
}

static int
parse_rules(json_t *obj, const char *path, struct spec_seccomp *s, struct hutch_error *err)
{
	json_t *arr = NULL, *v;
	size_t i;
	int r = spec_get_array(obj, path, "syscalls", &arr, err);

	if (r <= 0)
		return r;
	s->rules = xcalloc(json_array_size(arr), sizeof(*s->rules));
	s->n_rules = json_array_size(arr);
	json_array_foreach (arr, i, v) {
		char item[SPEC_PATH_MAX];

		spec_path_index(item, path, "syscalls", i);
		if (parse_rule(v, item, &s->rules[i], err) < 0)
			return -EINVAL;
	}
	return 0;
}

static int
check_notify(const struct spec_seccomp *s, const char *path, struct hutch_error *err)
{
	bool notify = false;

	/* The kernel has no "notify" default: a listener must pick up every
	 * syscall, and libseccomp refuses it too. */
	if (s->default_action == SPEC_SECCOMP_NOTIFY)
		return spec_error(err, path, "defaultAction",
		                  "SCMP_ACT_NOTIFY cannot be the default");
	for (size_t i = 0; i < s->n_rules; i++)
		notify = notify || s->rules[i].action == SPEC_SECCOMP_NOTIFY;
	if (notify && !s->listener_path)
		return spec_error(err, path, "listenerPath", "required with SCMP_ACT_NOTIFY");
	if (s->listener_metadata && !s->listener_path)
		return spec_error(err, path, "listenerMetadata", "requires listenerPath");
	return 0;
}

static int
parse_seccomp(json_t *obj, const char *path, struct spec_seccomp *s, struct hutch_error *err)
{
	if (get_action(obj, path, "defaultAction", &s->default_action, err) < 0 ||
	    get_errno_ret(obj, path, "defaultErrnoRet", s->default_action, &s->default_errno_ret,
	                  &s->has_default_errno_ret, err) < 0 ||
	    spec_get_strv(obj, path, "architectures", SPEC_STRV_ANY, &s->architectures, err) < 0 ||
	    check_names(s->architectures, path, "architectures", NULL, 0, "architecture", err) <
	        0 ||
	    spec_get_strv(obj, path, "flags", SPEC_STRV_ANY, &s->flags, err) < 0 ||
	    check_names(s->flags, path, "flags", seccomp_flags, ARRAY_SIZE(seccomp_flags),
	                "seccomp flag", err) < 0 ||
	    spec_get_path(obj, path, "listenerPath", false, &s->listener_path, err) < 0 ||
	    spec_get_str(obj, path, "listenerMetadata", &s->listener_metadata, err) < 0 ||
	    parse_rules(obj, path, s, err) < 0)
		return -EINVAL;
	return check_notify(s, path, err);
}

int
spec_seccomp_parse(json_t *obj, const char *path, struct spec_seccomp **out,
                   struct hutch_error *err)
{
	struct spec_seccomp *s = xcalloc(1, sizeof(*s));

	if (parse_seccomp(obj, path, s, err) < 0) {
		spec_seccomp_free(s);
		return -EINVAL;
	}
	spec_seccomp_free(*out);
	*out = s;
	return 0;
}

void
spec_seccomp_free(struct spec_seccomp *s)
{
	if (!s)
		return;
	strv_free(s->architectures);
	strv_free(s->flags);
	free(s->listener_path);
	free(s->listener_metadata);
	for (size_t i = 0; s->rules && i < s->n_rules; i++) {
		strv_free(s->rules[i].names);
		free(s->rules[i].args);
	}
	free(s->rules);
	free(s);
}
