/*
 * features.c - the OCI features document (see features.h).
 */
#include "runtime-features.h"

#include <errno.h>
#include <jansson.h>
#include <seccomp.h>
#include <stdio.h>
#include <sys/capability.h>

#include "config.h"
#include "hooks.h"
#include "spec.h"
#include "util.h"
#include "banned.h"

/*
 * Mirrors of tables private to the config parser, sorted as runc sorts
 * them.  Keep them in step with src/lib/spec-mount.c (mount_opts) and
 * src/lib/spec-seccomp.c (seccomp_actions, seccomp_ops, seccomp_flags):
 * test-features.c checks that the parser accepts every name listed here.
 * Filesystem data options ("mode=755") are not listed, as the spec asks.
 */
static const char *const mount_options[] = {
    "async",         "atime",        "bind",
    "defaults",      "dev",          "diratime",
    "dirsync",       "exec",         "idmap",
    "iversion",      "lazytime",     "loud",
    "mand",          "noatime",      "nodev",
    "nodiratime",    "noexec",       "noiversion",
    "nolazytime",    "nomand",       "norelatime",
    "nostrictatime", "nosuid",       "nosymfollow",
    "private",       "ratime",       "rbind",
    "rdev",          "rdiratime",    "relatime",
    "remount",       "rexec",        "ridmap",
    "rnoatime",      "rnodev",       "rnodiratime",
    "rnoexec",       "rnorelatime",  "rnostrictatime",
    "rnosuid",       "rnosymfollow", "ro",
    "rprivate",      "rrelatime",    "rro",
    "rrw",           "rshared",      "rslave",
    "rstrictatime",  "rsuid",        "rsymfollow",
    "runbindable",   "rw",           "shared",
    "silent",        "slave",        "strictatime",
    "suid",          "symfollow",    "sync",
    "tmpcopyup",     "unbindable",
};

static const char *const seccomp_actions[] = {
    "SCMP_ACT_ALLOW",        "SCMP_ACT_ERRNO",       "SCMP_ACT_KILL",
    "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG",
    "SCMP_ACT_NOTIFY",       "SCMP_ACT_TRACE",       "SCMP_ACT_TRAP",
};

static const char *const seccomp_operators[] = {
    "SCMP_CMP_EQ", "SCMP_CMP_GE",        "SCMP_CMP_GT", "SCMP_CMP_LE",
    "SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE",
};

/* A flag is usable when seccomp_api_get() (which probes the kernel) is at
 * least the level that brought libseccomp's attribute for it. */
static const struct {
	const char *name;
	unsigned int api_level;
} seccomp_flags[] = {
    {"SECCOMP_FILTER_FLAG_LOG", 3},
    {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", 4},
    {"SECCOMP_FILTER_FLAG_TSYNC", 2},
    {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", 7},
};

/* Every architecture the runtime-spec names; those this libseccomp cannot
 * resolve are left out, as the parser refuses them. */
static const char *const seccomp_arch_names[] = {
    "aarch64",  "arm",         "loongarch64", "m68k",     "mips", "mips64", "mips64n32", "mipsel",
    "mipsel64", "mipsel64n32", "parisc",      "parisc64", "ppc",  "ppc64",  "ppc64le",   "riscv64",
    "s390",     "s390x",       "sh",          "sheb",     "x32",  "x86",    "x86_64",
};

static json_t *
names_json(const char *const *names, size_t n)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_string(names[i]));
	return arr;
}

static int
compare_strings(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static json_t *
namespaces_json(void)
{
	const char *names[SPEC_NS_COUNT];

	for (int i = 0; i < SPEC_NS_COUNT; i++)
		names[i] = spec_ns_type_name((enum spec_ns_type)i);
	qsort(names, SPEC_NS_COUNT, sizeof(names[0]), compare_strings);
	return names_json(names, SPEC_NS_COUNT);
}

/* libcap's table of names, which the parser takes through cap_from_name():
 * fixed when libcap was built, not what this kernel has (cap_max_bits()),
 * as the spec asks for recognised names.  Numbers in capability order. */
static json_t *
capabilities_json(void)
{
	json_t *arr = json_array();

	for (cap_value_t cap = 0; cap < 64; cap++) {
		char *name = cap_to_name(cap);
		int parsed;

		/* An unnamed capability comes back as its number. */
		if (name && strncmp(name, "cap_", 4) == 0) {
			for (char *p = name; *p; p++)
				if (*p >= 'a' && *p <= 'z')
					*p = (char)(*p - 'a' + 'A');
			if (spec_cap_from_name(name, &parsed) == 0 && parsed == cap)
				json_array_append_new(arr, json_string(name));
		}
		cap_free(name);
	}
	return arr;
}

static json_t *
seccomp_archs_json(void)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < ARRAY_SIZE(seccomp_arch_names); i++) {
		char upper[32];
		size_t k;

		if (seccomp_arch_resolve_name(seccomp_arch_names[i]) == 0)
			continue;
		for (k = 0; seccomp_arch_names[i][k] && k < sizeof(upper) - 1; k++) {
			char c = seccomp_arch_names[i][k];

			upper[k] = c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
		}
		upper[k] = '\0';
		json_array_append_new(arr, json_sprintf("SCMP_ARCH_%s", upper));
	}
	return arr;
}

static json_t *
seccomp_json(void)
{
	unsigned int api = seccomp_api_get();
	json_t *known = json_array(), *supported = json_array();

	for (size_t i = 0; i < ARRAY_SIZE(seccomp_flags); i++) {
		json_array_append_new(known, json_string(seccomp_flags[i].name));
		if (api >= seccomp_flags[i].api_level)
			json_array_append_new(supported, json_string(seccomp_flags[i].name));
	}
	return json_pack("{s:b, s:o, s:o, s:o, s:o, s:o}", "enabled", 1, "actions",
	                 names_json(seccomp_actions, ARRAY_SIZE(seccomp_actions)), "operators",
	                 names_json(seccomp_operators, ARRAY_SIZE(seccomp_operators)), "archs",
	                 seccomp_archs_json(), "knownFlags", known, "supportedFlags", supported);
}

static json_t *
linux_json(void)
{
	/* systemd: --systemd-cgroup is refused; rdma: the rdma controller
	 * takes linux.resources.rdma.  AppArmor and SELinux labels are applied
	 * where the host runs them (lsm.h), id-mapped bind mounts too
	 * (idmap-mount.h).  Intel RDT and netDevices are parsed but not
	 * applied: not claimed. */
	return json_pack("{s:o, s:o, s:{s:b, s:b, s:b, s:b, s:b}, s:o, s:{s:b}, s:{s:b}, s:{s:b},"
	                 " s:{s:{s:b}}, s:{s:b}}",
	                 "namespaces", namespaces_json(), "capabilities", capabilities_json(),
	                 "cgroup", "v1", 1, "v2", 1, "systemd", 0, "systemdUser", 0, "rdma", 1,
	                 "seccomp", seccomp_json(), "apparmor", "enabled", 1, "selinux", "enabled",
	                 1, "intelRdt", "enabled", 0, "mountExtensions", "idmap", "enabled", 1,
	                 "netDevices", "enabled", 0);
}

static json_t *
hooks_json(void)
{
	json_t *arr = json_array();

	for (int k = 0; k < SPEC_HOOK_KINDS; k++)
		json_array_append_new(arr, json_string(hooks_kind_name((enum spec_hook_kind)k)));
	return arr;
}

int
features_json(char **out, struct hutch_error *err)
{
	const struct scmp_version *v = seccomp_version();
	char libseccomp[64];
	json_t *j;

	snprintf(libseccomp, sizeof(libseccomp), "%u.%u.%u", v ? v->major : 0, v ? v->minor : 0,
	         v ? v->micro : 0);
	/* hutch interprets no annotation of config.json: none is unsafe. */
	j = json_pack("{s:s, s:s, s:o, s:o, s:o, s:{s:s, s:s}, s:[]}", "ociVersionMin",
	              FEATURES_OCI_VERSION_MIN, "ociVersionMax", FEATURES_OCI_VERSION_MAX, "hooks",
	              hooks_json(), "mountOptions",
	              names_json(mount_options, ARRAY_SIZE(mount_options)), "linux", linux_json(),
	              "annotations", "io.github.hutch.version", HUTCH_VERSION,
	              "io.github.seccomp.libseccomp.version", libseccomp,
	              "potentiallyUnsafeConfigAnnotations");
	if (!j)
		return error_msg(err, ENOMEM, "build the features document");
	*out = json_dumps(j, JSON_INDENT(4));
	json_decref(j);
	if (!*out)
		return error_msg(err, ENOMEM, "encode the features document");
	return 0;
}
