/*
 * test-spec.c - the config.json parser: the default config of `runc spec`
 * and a fuller one parse into the expected structs; bad values of known
 * keys fail with the key's JSON path in the message; unknown keys are
 * ignored.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spec.h"
#include "tap.h"
#include "banned.h"

/* What `runc spec` (1.1.5) writes. */
static const char default_config[] =
    "{\n"
    "  \"ociVersion\": \"1.0.2-dev\",\n"
    "  \"process\": {\n"
    "    \"terminal\": true,\n"
    "    \"user\": {\n"
    "      \"uid\": 0,\n"
    "      \"gid\": 0\n"
    "    },\n"
    "    \"args\": [\n"
    "      \"sh\"\n"
    "    ],\n"
    "    \"env\": [\n"
    "      \"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\",\n"
    "      \"TERM=xterm\"\n"
    "    ],\n"
    "    \"cwd\": \"/\",\n"
    "    \"capabilities\": {\n"
    "      \"bounding\": [\n"
    "        \"CAP_AUDIT_WRITE\",\n"
    "        \"CAP_KILL\",\n"
    "        \"CAP_NET_BIND_SERVICE\"\n"
    "      ],\n"
    "      \"effective\": [\n"
    "        \"CAP_AUDIT_WRITE\",\n"
    "        \"CAP_KILL\",\n"
    "        \"CAP_NET_BIND_SERVICE\"\n"
    "      ],\n"
    "      \"permitted\": [\n"
    "        \"CAP_AUDIT_WRITE\",\n"
    "        \"CAP_KILL\",\n"
    "        \"CAP_NET_BIND_SERVICE\"\n"
    "      ],\n"
    "      \"ambient\": [\n"
    "        \"CAP_AUDIT_WRITE\",\n"
    "        \"CAP_KILL\",\n"
    "        \"CAP_NET_BIND_SERVICE\"\n"
    "      ]\n"
    "    },\n"
    "    \"rlimits\": [\n"
    "      {\n"
    "        \"type\": \"RLIMIT_NOFILE\",\n"
    "        \"hard\": 1024,\n"
    "        \"soft\": 1024\n"
    "      }\n"
    "    ],\n"
    "    \"noNewPrivileges\": true\n"
    "  },\n"
    "  \"root\": {\n"
    "    \"path\": \"rootfs\",\n"
    "    \"readonly\": true\n"
    "  },\n"
    "  \"hostname\": \"runc\",\n"
    "  \"mounts\": [\n"
    "    {\n"
    "      \"destination\": \"/proc\",\n"
    "      \"type\": \"proc\",\n"
    "      \"source\": \"proc\"\n"
    "    },\n"
    "    {\n"
    "      \"destination\": \"/dev\",\n"
    "      \"type\": \"tmpfs\",\n"
    "      \"source\": \"tmpfs\",\n"
    "      \"options\": [\n"
    "        \"nosuid\",\n"
    "        \"strictatime\",\n"
    "        \"mode=755\",\n"
    "        \"size=65536k\"\n"
    "      ]\n"
    "    },\n"
    "    {\n"
    "      \"destination\": \"/dev/pts\",\n"
    "      \"type\": \"devpts\",\n"
    "      \"source\": \"devpts\",\n"
    "      \"options\": [\n"
    "        \"nosuid\",\n"
    "        \"noexec\",\n"
    "        \"newinstance\",\n"
    "        \"ptmxmode=0666\",\n"
    "        \"mode=0620\",\n"
    "        \"gid=5\"\n"
    "      ]\n"
    "    },\n"
    "    {\n"
    "      \"destination\": \"/dev/shm\",\n"
    "      \"type\": \"tmpfs\",\n"
    "      \"source\": \"shm\",\n"
    "      \"options\": [\n"
    "        \"nosuid\",\n"
    "        \"noexec\",\n"
    "        \"nodev\",\n"
    "        \"mode=1777\",\n"
    "        \"size=65536k\"\n"
    "      ]\n"
    "    },\n"
    "    {\n"
    "      \"destination\": \"/dev/mqueue\",\n"
    "      \"type\": \"mqueue\",\n"
    "      \"source\": \"mqueue\",\n"
    "      \"options\": [\n"
    "        \"nosuid\",\n"
    "        \"noexec\",\n"
    "        \"nodev\"\n"
    "      ]\n"
    "    },\n"
    "    {\n"
    "      \"destination\": \"/sys\",\n"
    "      \"type\": \"sysfs\",\n"
    "      \"source\": \"sysfs\",\n"
    "      \"options\": [\n"
    "        \"nosuid\",\n"
    "        \"noexec\",\n"
    "        \"nodev\",\n"
    "        \"ro\"\n"
    "      ]\n"
    "    },\n"
    "    {\n"
    "      \"destination\": \"/sys/fs/cgroup\",\n"
    "      \"type\": \"cgroup\",\n"
    "      \"source\": \"cgroup\",\n"
    "      \"options\": [\n"
    "        \"nosuid\",\n"
    "        \"noexec\",\n"
    "        \"nodev\",\n"
    "        \"relatime\",\n"
    "        \"ro\"\n"
    "      ]\n"
    "    }\n"
    "  ],\n"
    "  \"linux\": {\n"
    "    \"resources\": {\n"
    "      \"devices\": [\n"
    "        {\n"
    "          \"allow\": false,\n"
    "          \"access\": \"rwm\"\n"
    "        }\n"
    "      ]\n"
    "    },\n"
    "    \"namespaces\": [\n"
    "      {\n"
    "        \"type\": \"pid\"\n"
    "      },\n"
    "      {\n"
    "        \"type\": \"network\"\n"
    "      },\n"
    "      {\n"
    "        \"type\": \"ipc\"\n"
    "      },\n"
    "      {\n"
    "        \"type\": \"uts\"\n"
    "      },\n"
    "      {\n"
    "        \"type\": \"mount\"\n"
    "      }\n"
    "    ],\n"
    "    \"maskedPaths\": [\n"
    "      \"/proc/acpi\",\n"
    "      \"/proc/asound\",\n"
    "      \"/proc/kcore\",\n"
    "      \"/proc/keys\",\n"
    "      \"/proc/latency_stats\",\n"
    "      \"/proc/timer_list\",\n"
    "      \"/proc/timer_stats\",\n"
    "      \"/proc/sched_debug\",\n"
    "      \"/sys/firmware\",\n"
    "      \"/proc/scsi\"\n"
    "    ],\n"
    "    \"readonlyPaths\": [\n"
    "      \"/proc/bus\",\n"
    "      \"/proc/fs\",\n"
    "      \"/proc/irq\",\n"
    "      \"/proc/sys\",\n"
    "      \"/proc/sysrq-trigger\"\n"
    "    ]\n"
    "  }\n"
    "}\n";

/* Most of what the parser knows, written with ' for " (see json_quotes()). */
static const char full_config[] =
    "{'ociVersion': '1.2.1',"
    " 'root': {'path': '/var/lib/c/rootfs'},"
    " 'hostname': 'box', 'domainname': 'example.org',"
    " 'annotations': {'org.example.k': 'v', 'other': ''},"
    " 'process': {'terminal': false, 'consoleSize': {'height': 25, 'width': 80},"
    "   'user': {'uid': 1000, 'gid': 1000, 'umask': 18, 'additionalGids': [5, 6],"
    "            'username': 'u'},"
    "   'args': ['/bin/app', '--flag'], 'env': ['A=1', 'B='], 'cwd': '/srv',"
    "   'capabilities': {'bounding': ['CAP_SYS_ADMIN', 'CAP_CHOWN'], 'effective': ['CAP_CHOWN']},"
    "   'rlimits': [{'type': 'RLIMIT_MEMLOCK', 'soft': 18446744073709551615,"
    "                'hard': 18446744073709551615},"
    "               {'type': 'RLIMIT_CORE', 'soft': 0, 'hard': 1024}],"
    "   'oomScoreAdj': -500, 'apparmorProfile': 'p', 'selinuxLabel': 'l',"
    "   'scheduler': {'policy': 'SCHED_FIFO', 'priority': 10,"
    "                 'flags': ['SCHED_FLAG_RESET_ON_FORK']},"
    "   'ioPriority': {'class': 'IOPRIO_CLASS_BE', 'priority': 4},"
    "   'execCPUAffinity': {'initial': '0-3,7', 'final': '1'}},"
    " 'mounts': ["
    "   {'destination': '/data', 'type': 'bind', 'source': '/srv/data',"
    "    'options': ['rbind', 'ro', 'rw', 'rro', 'rnosuid', 'rnoatime', 'rprivate', 'idmap',"
    "                'tmpcopyup', 'uid=5']},"
    "   {'destination': '/m', 'source': '/x',"
    "    'options': ['bind', 'ridmap', 'nosymfollow', 'lazytime'],"
    "    'uidMappings': [{'containerID': 0, 'hostID': 100000, 'size': 65536}],"
    "    'gidMappings': [{'containerID': 0, 'hostID': 100000, 'size': 65536}]}],"
    " 'hooks': {'createRuntime': [{'path': '/bin/hook', 'args': ['hook', 'x'],"
    "                              'env': ['K=V'], 'timeout': 5}],"
    "           'poststop': [{'path': '/bin/post'}]},"
    " 'linux': {"
    "   'namespaces': [{'type': 'pid'}, {'type': 'mount'}, {'type': 'uts'}, {'type': 'ipc'},"
    "                  {'type': 'user'}, {'type': 'time'}, {'type': 'cgroup'},"
    "                  {'type': 'network', 'path': '/var/run/netns/n'}],"
    "   'uidMappings': [{'containerID': 0, 'hostID': 100000, 'size': 1000},"
    "                   {'containerID': 1000, 'hostID': 1000, 'size': 1}],"
    "   'gidMappings': [{'containerID': 0, 'hostID': 100000, 'size': 65536}],"
    "   'timeOffsets': {'monotonic': {'secs': -3, 'nanosecs': 5}, 'boottime': {'secs': 7}},"
    "   'devices': [{'path': '/dev/fuse', 'type': 'c', 'major': 10, 'minor': 229,"
    "                'fileMode': 438, 'uid': 0, 'gid': 0},"
    "               {'path': '/dev/fifo', 'type': 'p'}],"
    "   'cgroupsPath': '/hutch/box',"
    "   'resources': {"
    "     'devices': [{'allow': false, 'access': 'rwm'},"
    "                 {'allow': true, 'type': 'c', 'major': 10, 'minor': 229, 'access': 'rw'}],"
    "     'memory': {'limit': 536870912, 'swap': -1, 'swappiness': 0, 'disableOOMKiller': true,"
    "                'useHierarchy': false},"
    "     'cpu': {'shares': 1024, 'quota': 100000, 'burst': 1000, 'period': 100000,"
    "             'cpus': '0-3', 'mems': '0', 'idle': 1},"
    "     'pids': {'limit': 32771},"
    "     'blockIO': {'weight': 10, 'weightDevice': [{'major': 8, 'minor': 0, 'weight': 500}],"
    "                 'throttleReadBpsDevice': [{'major': 8, 'minor': 0, 'rate': 600}]},"
    "     'hugepageLimits': [{'pageSize': '2MB', 'limit': 209715200}],"
    "     'network': {'classID': 1048577, 'priorities': [{'name': 'eth0', 'priority': 500}]},"
    "     'rdma': {'mlx5_1': {'hcaHandles': 3}},"
    "     'unified': {'io.max': '259:0 rbps=2097152', 'memory.high': '1G'}},"
    "   'rootfsPropagation': 'rslave',"
    "   'seccomp': {'defaultAction': 'SCMP_ACT_ERRNO', 'defaultErrnoRet': 38,"
    "     'architectures': ['SCMP_ARCH_X86_64', 'SCMP_ARCH_AARCH64'],"
    "     'flags': ['SECCOMP_FILTER_FLAG_LOG'],"
    "     'syscalls': [{'names': ['read', 'write'], 'action': 'SCMP_ACT_ALLOW'},"
    "                  {'names': ['personality'], 'action': 'SCMP_ACT_ALLOW',"
    "                   'args': [{'index': 0, 'value': 8, 'op': 'SCMP_CMP_EQ'},"
    "                            {'index': 5, 'value': 255, 'valueTwo': 8,"
    "                             'op': 'SCMP_CMP_MASKED_EQ'}]}]},"
    "   'sysctl': {'net.ipv4.ip_forward': '1', 'kernel.shmmax': '100',"
    "              'kernel/domainname': 'x'},"
    "   'maskedPaths': ['/proc/kcore'], 'readonlyPaths': ['/proc/sys'],"
    "   'mountLabel': 'system_u:object_r:svirt_sandbox_file_t:s0',"
    "   'personality': {'domain': 'LINUX32'},"
    "   'intelRdt': {'closID': 'guaranteed', 'memBwSchema': 'MB:0=20',"
    "                'schemata': ['L3:0=7f0', 'MB:0=20'], 'enableCMT': true},"
    "   'netDevices': {'eth1': {'name': 'ceth1'}, 'eth2': {}},"
    "   'memoryPolicy': {'mode': 'MPOL_BIND', 'nodes': '0-1',"
    "                    'flags': ['MPOL_F_STATIC_NODES']}}}";

#define U64_MAX_TEXT "18446744073709551615"

static struct hutch_error err;

/* The test configs are written with ' for ": turn them into JSON. */
static char *
json_quotes(const char *s)
{
	char *out = strdup(s);

	for (char *p = out; *p; p++)
		if (*p == '\'')
			*p = '"';
	return out;
}

/* Replace the first `from` in s (which is freed) by `to`. */
static char *
replace(char *s, const char *from, const char *to)
{
	char *at = strstr(s, from);
	size_t head, total;
	char *out;

	if (!at)
		return s;
	head = (size_t)(at - s);
	total = strlen(s) - strlen(from) + strlen(to) + 1;
	out = malloc(total);
	memcpy(out, s, head);
	memcpy(out + head, to, strlen(to));
	memcpy(out + head + strlen(to), at + strlen(from), strlen(at + strlen(from)) + 1);
	free(s);
	return out;
}

/* Step into `key` of j: an object member (created if missing) or an array
 * index. */
static json_t *
step(json_t *j, const char *key)
{
	json_t *next;

	if (json_is_array(j))
		return json_array_get(j, strtoul(key, NULL, 10));
	next = json_object_get(j, key);
	if (!next) {
		next = json_object();
		json_object_set_new(j, key, next);
	}
	return next;
}

/*
 * The config `base` with the value at `ptr` ("/process/user/uid"; "-" as
 * the last element appends to an array) replaced by the raw JSON text
 * `raw` (' for "), or deleted when raw is NULL.  Raw text goes in as text,
 * so it may be what jansson could not build (huge integers).
 */
static char *
patch(const char *base, const char *ptr, const char *raw)
{
	char *path = strdup(ptr), *save = NULL, *key, *last = NULL, *text, *value;
	json_t *root, *j;

	/* jansson cannot hold 2^64-1: park it in a string meanwhile. */
	text = strdup(base);
	while (strstr(text, U64_MAX_TEXT))
		text = replace(text, U64_MAX_TEXT, "\"@@U64@@\"");
	j = root = json_loads(text, 0, NULL);
	free(text);

	for (key = strtok_r(path, "/", &save); key; key = strtok_r(NULL, "/", &save)) {
		if (last)
			j = step(j, last);
		last = key;
	}
	if (!raw && json_is_array(j))
		json_array_remove(j, strtoul(last, NULL, 10));
	else if (!raw)
		json_object_del(j, last);
	else if (json_is_array(j) && strcmp(last, "-") == 0)
		json_array_append_new(j, json_string("@@RAW@@"));
	else if (json_is_array(j))
		json_array_set_new(j, strtoul(last, NULL, 10), json_string("@@RAW@@"));
	else
		json_object_set_new(j, last, json_string("@@RAW@@"));
	text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	free(path);
	value = raw ? json_quotes(raw) : NULL;
	text = raw ? replace(text, "\"@@RAW@@\"", value) : text;
	free(value);
	while (strstr(text, "\"@@U64@@\""))
		text = replace(text, "\"@@U64@@\"", U64_MAX_TEXT);
	return text;
}

static int
parse_text(const char *text, struct spec **out)
{
	error_clear(&err);
	return spec_parse(text, strlen(text), out, &err);
}

/* Patch `base`, expect a failure whose message contains `want`. */
static void
bad_on(const char *base, const char *ptr, const char *raw, const char *want)
{
	char *text = patch(base, ptr, raw);
	struct spec *spec = NULL;
	int r = parse_text(text, &spec);
	bool refused = r == -EINVAL && spec == NULL && strstr(err.msg, want);

	ok(refused, "%s=%.40s refused: %s", ptr, raw ? raw : "(deleted)", err.msg);
	if (!refused)
		printf("#   want '%s'\n", want);
	spec_free(spec);
	free(text);
}

static void
bad(const char *ptr, const char *raw, const char *want)
{
	bad_on(default_config, ptr, raw, want);
}

/* The same on the full config. */
static void
bad_full(const char *ptr, const char *raw, const char *want)
{
	char *base = json_quotes(full_config);

	bad_on(base, ptr, raw, want);
	free(base);
}

/* Two patches of the default config. */
static void
bad2(const char *ptr1, const char *raw1, const char *ptr2, const char *raw2, const char *want)
{
	char *base = patch(default_config, ptr1, raw1);

	bad_on(base, ptr2, raw2, want);
	free(base);
}

/* Patch the default config, expect success; the caller frees the spec. */
static struct spec *
good(const char *ptr, const char *raw)
{
	char *text = patch(default_config, ptr, raw);
	struct spec *spec = NULL;
	int r = parse_text(text, &spec);

	ok(r == 0 && spec, "%s=%.40s accepted%s%s", ptr, raw ? raw : "(deleted)", r ? ": " : "",
	   r ? err.msg : "");
	free(text);
	return spec;
}

static void
bad_text(const char *text, const char *want, const char *what)
{
	struct spec *spec = NULL;
	int r = parse_text(text, &spec);
	bool refused = r < 0 && spec == NULL && strstr(err.msg, want);

	ok(refused, "%s refused: %s", what, err.msg);
	spec_free(spec);
}

static uint64_t
bit(int cap)
{
	return UINT64_C(1) << cap;
}

static void
test_default(void)
{
	const uint64_t caps = bit(CAP_AUDIT_WRITE) | bit(CAP_KILL) | bit(CAP_NET_BIND_SERVICE);
	struct spec *s = NULL;
	struct spec_process *p;
	const struct spec_mount *m;
	int r = parse_text(default_config, &s);

	/* ok() evaluates its condition more than once: no calls inside. */
	ok(r == 0, "default config parses: %s", err.msg);
	if (!s)
		return;
	p = s->process;
	is_str(s->oci_version, "1.0.2-dev", "ociVersion");
	is_str(s->root_path, "rootfs", "root.path kept relative");
	ok(s->root_readonly, "root.readonly");
	is_str(s->hostname, "runc", "hostname");
	ok(s->domainname == NULL, "no domainname");
	ok(p && p->terminal && p->user.uid == 0 && p->user.gid == 0, "terminal, uid, gid");
	ok(p->args && !strcmp(p->args[0], "sh") && !p->args[1], "args");
	ok(p->env && p->env[1] && !strcmp(p->env[1], "TERM=xterm") && !p->env[2], "env");
	is_str(p->cwd, "/", "cwd");
	ok(p->has_capabilities && p->caps[SPEC_CAP_BOUNDING] == caps &&
	       p->caps[SPEC_CAP_EFFECTIVE] == caps && p->caps[SPEC_CAP_PERMITTED] == caps &&
	       p->caps[SPEC_CAP_AMBIENT] == caps && p->caps[SPEC_CAP_INHERITABLE] == 0,
	   "capability bitmasks (absent inheritable set is empty)");
	ok(p->n_rlimits == 1 && p->rlimits[0].resource == RLIMIT_NOFILE &&
	       p->rlimits[0].soft == 1024 && p->rlimits[0].hard == 1024,
	   "rlimits");
	ok(p->no_new_privileges && !p->has_oom_score_adj && !p->scheduler.present,
	   "noNewPrivileges, no oomScoreAdj, no scheduler");
	ok(s->n_mounts == 7, "7 mounts");
	m = &s->mounts[0];
	ok(!strcmp(m->destination, "/proc") && !strcmp(m->type, "proc") &&
	       !strcmp(m->source, "proc") && m->flags == 0 && m->data == NULL,
	   "mounts[0] /proc");
	m = &s->mounts[1];
	ok(m->flags == (MS_NOSUID | MS_STRICTATIME) && m->clear_flags == 0 && !m->bind,
	   "mounts[1] flags");
	is_str(m->data, "mode=755,size=65536k", "mounts[1] data");
	m = &s->mounts[2];
	ok(m->flags == (MS_NOSUID | MS_NOEXEC), "mounts[2] /dev/pts flags");
	is_str(m->data, "newinstance,ptmxmode=0666,mode=0620,gid=5", "mounts[2] data");
	ok(s->mounts[5].flags == (MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY), "/sys read-only");
	ok(s->mounts[6].flags == (MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RELATIME | MS_RDONLY),
	   "/sys/fs/cgroup flags");
	ok(s->linux.namespaces[SPEC_NS_PID].present &&
	       s->linux.namespaces[SPEC_NS_NETWORK].present &&
	       s->linux.namespaces[SPEC_NS_IPC].present &&
	       s->linux.namespaces[SPEC_NS_UTS].present &&
	       s->linux.namespaces[SPEC_NS_MOUNT].present,
	   "five namespaces");
	ok(!s->linux.namespaces[SPEC_NS_USER].present &&
	       !s->linux.namespaces[SPEC_NS_CGROUP].present &&
	       !s->linux.namespaces[SPEC_NS_TIME].present && !s->linux.namespaces[SPEC_NS_PID].path,
	   "no user/cgroup/time namespace, no paths");
	ok(s->linux.resources && s->linux.resources->n_devices == 1 &&
	       !s->linux.resources->devices[0].allow &&
	       s->linux.resources->devices[0].type == 'a' &&
	       s->linux.resources->devices[0].major == -1 &&
	       !strcmp(s->linux.resources->devices[0].access, "rwm"),
	   "deny-all device rule");
	ok(s->linux.masked_paths && !strcmp(s->linux.masked_paths[0], "/proc/acpi") &&
	       s->linux.masked_paths[9] && !s->linux.masked_paths[10],
	   "10 masked paths");
	ok(s->linux.readonly_paths && s->linux.readonly_paths[4] && !s->linux.readonly_paths[5],
	   "5 read-only paths");
	ok(!s->linux.seccomp && !s->linux.uid_mappings && s->linux.rootfs_propagation == 0,
	   "no seccomp, no mappings, no propagation");
	spec_free(s);
}

static void
test_full_process(const struct spec_process *p)
{
	ok(p->has_console_size && p->console_height == 25 && p->console_width == 80, "consoleSize");
	ok(p->user.uid == 1000 && p->user.has_umask && p->user.umask == 022 &&
	       p->user.n_additional_gids == 2 && p->user.additional_gids[1] == 6,
	   "user");
	is_str(p->user.username, "u", "username");
	ok(p->caps[SPEC_CAP_BOUNDING] == (bit(CAP_SYS_ADMIN) | bit(CAP_CHOWN)) &&
	       p->caps[SPEC_CAP_EFFECTIVE] == bit(CAP_CHOWN) && p->caps[SPEC_CAP_AMBIENT] == 0,
	   "capabilities");
	ok(p->n_rlimits == 2 && p->rlimits[0].resource == RLIMIT_MEMLOCK &&
	       p->rlimits[0].soft == UINT64_MAX && p->rlimits[0].hard == UINT64_MAX,
	   "rlimit of 2^64-1 (beyond jansson's integers)");
	ok(p->has_oom_score_adj && p->oom_score_adj == -500, "oomScoreAdj");
	ok(p->scheduler.present && p->scheduler.policy == SCHED_FIFO &&
	       p->scheduler.priority == 10 && p->scheduler.flags == 1,
	   "scheduler");
	ok(p->io_priority.present && p->io_priority.class == 2 && p->io_priority.priority == 4,
	   "ioPriority");
	is_str(p->exec_cpu_affinity_initial, "0-3,7", "execCPUAffinity.initial");
}

static void
test_full_mounts(const struct spec *s)
{
	const struct spec_mount *m = &s->mounts[0];

	ok(s->n_mounts == 2 && m->bind && m->flags == (MS_BIND | MS_REC) &&
	       m->clear_flags == MS_RDONLY,
	   "\"ro\" then \"rw\": rw wins and lands in clear_flags");
	ok(m->propagation == (MS_PRIVATE | MS_REC), "rprivate");
	ok(m->attr_set == (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOATIME) &&
	       m->attr_clr == MOUNT_ATTR__ATIME,
	   "recursive attributes");
	ok(m->idmap && !m->idmap_recursive && m->n_uid_mappings == 0, "idmap");
	is_str(m->data, "uid=5", "data without tmpcopyup");
	m = &s->mounts[1];
	ok(m->idmap && m->idmap_recursive && m->n_uid_mappings == 1 &&
	       m->uid_mappings[0].host_id == 100000 && m->n_gid_mappings == 1,
	   "ridmap with mappings");
	ok(m->flags == (MS_BIND | MS_NOSYMFOLLOW | MS_LAZYTIME) && !m->type && !m->data,
	   "bind, nosymfollow, lazytime; type absent");
}

static void
test_full_linux(const struct spec_linux *l)
{
	const struct spec_resources *r = l->resources;
	const struct spec_seccomp *sc = l->seccomp;

	ok(l->namespaces[SPEC_NS_USER].present && l->namespaces[SPEC_NS_TIME].present &&
	       !strcmp(l->namespaces[SPEC_NS_NETWORK].path, "/var/run/netns/n"),
	   "namespaces with a path");
	ok(l->n_uid_mappings == 2 && l->uid_mappings[1].container_id == 1000 &&
	       l->n_gid_mappings == 1,
	   "id mappings");
	ok(l->time_offsets[SPEC_TIME_MONOTONIC].set &&
	       l->time_offsets[SPEC_TIME_MONOTONIC].secs == -3 &&
	       l->time_offsets[SPEC_TIME_MONOTONIC].nanosecs == 5 &&
	       l->time_offsets[SPEC_TIME_BOOTTIME].secs == 7,
	   "timeOffsets");
	ok(l->n_devices == 2 && l->devices[0].major == 10 && l->devices[0].file_mode == 0666 &&
	       l->devices[1].type == 'p' && !l->devices[1].has_file_mode,
	   "devices");
	ok(r && r->n_devices == 2 && r->devices[1].allow && !strcmp(r->devices[1].access, "rw"),
	   "device rules");
	ok(r->memory.limit.set && r->memory.limit.value == 536870912 &&
	       r->memory.swap.value == -1 && r->memory.swappiness.set &&
	       r->memory.disable_oom_killer && r->memory.has_use_hierarchy &&
	       !r->memory.use_hierarchy && !r->memory.kernel.set,
	   "memory");
	ok(r->cpu.shares.value == 1024 && r->cpu.quota.value == 100000 && r->cpu.idle.value == 1 &&
	       !strcmp(r->cpu.cpus, "0-3"),
	   "cpu");
	ok(r->pids_limit.set && r->pids_limit.value == 32771, "pids");
	ok(r->block_io.weight.value == 10 && r->block_io.n_weight_devices == 1 &&
	       r->block_io.n_throttle_read_bps == 1 && r->block_io.throttle_read_bps[0].rate == 600,
	   "blockIO");
	ok(r->n_hugepage_limits == 1 && !strcmp(r->hugepage_limits[0].page_size, "2MB"),
	   "hugepages");
	ok(r->network.class_id.value == 1048577 && r->network.n_priorities == 1, "network");
	ok(r->n_rdma == 1 && r->rdma[0].hca_handles.set && !r->rdma[0].hca_objects.set, "rdma");
	ok(r->n_unified == 2 && !strcmp(r->unified[1].key, "memory.high"), "unified");
	ok(l->rootfs_propagation == (MS_SLAVE | MS_REC), "rootfsPropagation");
	ok(sc && sc->default_action == SPEC_SECCOMP_ERRNO && sc->has_default_errno_ret &&
	       sc->default_errno_ret == 38 && sc->n_rules == 2 && sc->rules[1].n_args == 2 &&
	       sc->rules[1].args[1].op == SPEC_SECCOMP_OP_MASKED_EQ &&
	       sc->rules[1].args[1].value_two == 8,
	   "seccomp");
	ok(l->n_sysctl == 3 && l->personality.present && l->personality.domain == 8,
	   "sysctl, personality");
	ok(l->intel_rdt.present && l->intel_rdt.enable_cmt && l->intel_rdt.schemata &&
	       !strcmp(l->intel_rdt.schemata, "L3:0=7f0\nMB:0=20"),
	   "intelRdt");
	ok(l->n_net_devices == 2 && !strcmp(l->net_devices[0].name, "ceth1") &&
	       !l->net_devices[1].name,
	   "netDevices");
	ok(l->memory_policy.present && l->memory_policy.mode == 2 &&
	       l->memory_policy.mode_flags == (1 << 15),
	   "memoryPolicy");
}

static void
test_full(void)
{
	char *text = json_quotes(full_config);
	struct spec *s = NULL;
	int r = parse_text(text, &s);

	ok(r == 0, "full config parses: %s", err.msg);
	free(text);
	if (!s)
		return;
	is_str(s->domainname, "example.org", "domainname");
	ok(s->n_annotations == 2 && !strcmp(s->annotations[0].key, "org.example.k"), "annotations");
	ok(s->hooks[SPEC_HOOK_CREATE_RUNTIME].n == 1 &&
	       s->hooks[SPEC_HOOK_CREATE_RUNTIME].hooks[0].has_timeout &&
	       s->hooks[SPEC_HOOK_CREATE_RUNTIME].hooks[0].timeout == 5 &&
	       s->hooks[SPEC_HOOK_POSTSTOP].n == 1 && s->hooks[SPEC_HOOK_PRESTART].n == 0,
	   "hooks");
	test_full_process(s->process);
	test_full_mounts(s);
	test_full_linux(&s->linux);
	spec_free(s);
}

static void
test_accepted(void)
{
	struct spec *s;

	s = good("/unknownTopLevel", "{'x': [1, 2.5, null]}");
	spec_free(s);
	s = good("/process/unknownKey", "'x'");
	spec_free(s);
	s = good("/linux/resources/memory/unknownKey", "1.5");
	spec_free(s);
	s = good("/mounts/0/unknownKey", "{}");
	spec_free(s);
	s = good("/domainname", "null");
	ok(s && !s->domainname, "null counts as absent");
	spec_free(s);
	s = good("/hostname", "''");
	ok(s && !s->hostname, "empty hostname means not set");
	spec_free(s);
	s = good("/ociVersion", "'1.0.0'");
	spec_free(s);
	s = good("/ociVersion", "'1.3.0-rc.1+build.5'");
	spec_free(s);
	s = good("/linux/resources/memory/limit", "-1");
	ok(s && s->linux.resources->memory.limit.value == -1, "memory.limit -1 (unlimited)");
	spec_free(s);
	s = good("/process/rlimits/0/hard", "9223372036854775808");
	ok(s && s->process->rlimits[0].hard == UINT64_C(9223372036854775808) &&
	       s->process->rlimits[0].soft == 1024,
	   "u64 just above int64 max");
	spec_free(s);
}

static void
test_bad_json(void)
{
	char *big = malloc(10u << 20);
	struct spec *s = NULL;
	int r;

	bad_text("{\n  \"ociVersion\": \"1.0.0\",\n  \"root\": x\n}",
	         "config.json: invalid JSON at line 3, column", "invalid JSON");
	bad_text("[1, 2]", "config.json: expected a JSON object", "array at the top");
	bad_text("{} x", "config.json: invalid JSON", "trailing garbage");
	bad_text("{\"ociVersion\": \"1.0.0\", \"ociVersion\": \"1.0.0\"}", "duplicate",
	         "duplicate keys");
	bad_text("", "config.json: invalid JSON", "empty input");
	memset(big, ' ', 10u << 20);
	big[0] = '{';
	big[(10u << 20) - 1] = '}';
	error_clear(&err);
	r = spec_parse(big, 10u << 20, &s, &err);
	ok(r == -EFBIG && !s && strstr(err.msg, "larger than"), "10 MB refused: %s", err.msg);
	free(big);
	/* Columns stay right after a rewritten big integer on the same line. */
	bad_text("{\"a\": \"123456789012345678\", !}", "line 1, column 29", "column reference");
	bad_text("{\"a\": 18446744073709551615, !}", "line 1, column 29",
	         "column after a big integer");
	big = calloc(1, 8192);
	memset(big, '[', 3000);
	bad_text(big, "invalid JSON", "3000 nested arrays");
	free(big);
}

static void
test_bad_top(void)
{
	char *huge = malloc(100 * 1024 + 3);

	bad("/ociVersion", NULL, "ociVersion: required");
	bad("/ociVersion", "'2.0.0'", "ociVersion: unsupported version '2.0.0'");
	bad("/ociVersion", "'abc'", "ociVersion");
	bad("/ociVersion", "''", "ociVersion");
	bad("/ociVersion", "'1.0'", "ociVersion");
	bad("/ociVersion", "'1.01.0'", "ociVersion");
	bad("/ociVersion", "1", "ociVersion: expected a string");
	bad("/root", NULL, "root: required");
	bad("/root", "'rootfs'", "root: expected an object");
	bad("/root/path", "''", "root.path: expected a non-empty path");
	bad("/root/path", NULL, "root.path: required");
	bad("/root/readonly", "'yes'", "root.readonly: expected true or false");
	bad("/process", NULL, "process: required");
	memset(huge, 'a', 100 * 1024 + 2);
	huge[0] = huge[100 * 1024 + 1] = '\'';
	huge[100 * 1024 + 2] = '\0';
	bad("/hostname", huge, "hostname: longer than 64 bytes");
	free(huge);
	bad("/linux/namespaces/3", NULL, "hostname: requires a uts namespace");
	bad("/hooks/prestart", "[{'path': 'hook'}]",
	    "hooks.prestart[0].path: expected an absolute path");
	bad("/hooks/poststop", "[{'path': '/hook', 'timeout': 0}]", "hooks.poststop[0].timeout");
	bad("/hooks/poststop", "[{'path': '/hook', 'timeout': 1.5}]", "hooks.poststop[0].timeout");
	bad("/hooks/poststop", "[{'args': []}]", "hooks.poststop[0].path: required");
	bad("/hooks/createRuntime", "{}", "hooks.createRuntime: expected an array");
	bad("/annotations", "{'a': 1}", "annotations[\"a\"]: expected a string");
	bad("/annotations", "['a']", "annotations: expected an object");
	bad("/annotations", "{'': 'x'}", "annotations: empty key");
	/* Integers beyond int64 are rewritten before jansson sees them: they
	 * must still be refused where a string is expected. */
	bad("/annotations", "{'a': 18446744073709551615}", "annotations[\"a\"]: expected a string");
	bad("/process/args/0", "18446744073709551615", "process.args[0]: expected a string");
	bad("/hostname", "-99999999999999999999", "hostname: expected a string");
}

static void
test_bad_process(void)
{
	bad("/process/args", "[]", "process.args: expected at least one element");
	bad("/process/args", NULL, "process.args: required");
	bad("/process/args", "['sh', 1]", "process.args[1]: expected a string");
	bad("/process/args", "'sh'", "process.args: expected an array");
	bad("/process/cwd", "'relative/dir'", "process.cwd: expected an absolute path");
	bad("/process/cwd", NULL, "process.cwd: required");
	bad("/process/env/-", "'NOEQUALS'", "process.env[2]: expected NAME=value");
	bad("/process/env/0", "'=value'", "process.env[0]");
	bad("/process/user/uid", "-1",
	    "process.user.uid: expected an integer from 0 to 4294967295");
	bad("/process/user/uid", "4294967296",
	    "process.user.uid: expected an integer from 0 to 4294967295");
	bad("/process/user/uid", "1.0", "process.user.uid: expected an integer");
	bad("/process/user/uid", "1e3", "process.user.uid: expected an integer");
	bad("/process/user/uid", "'0'", "process.user.uid: expected an integer");
	bad("/process/user/uid", "18446744073709551616",
	    "process.user.uid: expected an integer from 0");
	bad("/process/user/gid", "true", "process.user.gid: expected an integer");
	bad("/process/user/umask", "512", "process.user.umask");
	bad("/process/user/additionalGids", "[1, -2]", "process.user.additionalGids[1]");
	bad("/process/capabilities/bounding/0", "'CAP_FOO'",
	    "process.capabilities.bounding[0]: unknown capability 'CAP_FOO'");
	bad("/process/capabilities/ambient/1", "'cap_kill'", "process.capabilities.ambient[1]");
	bad("/process/capabilities/effective/0", "'KILL'", "process.capabilities.effective[0]");
	bad("/process/capabilities/permitted/0", "'5'", "process.capabilities.permitted[0]");
	bad("/process/rlimits/0/type", "'RLIMIT_FOO'",
	    "process.rlimits[0].type: unknown rlimit 'RLIMIT_FOO'");
	bad("/process/rlimits/0/soft", "2048", "process.rlimits[0].soft: greater than hard");
	bad("/process/rlimits/0/hard", "-1", "process.rlimits[0].hard: expected an integer from 0");
	bad("/process/rlimits/0/hard", NULL, "process.rlimits[0].hard: required");
	bad("/process/rlimits/-", "{'type': 'RLIMIT_NOFILE', 'soft': 1, 'hard': 1}",
	    "process.rlimits[1].type: duplicate rlimit 'RLIMIT_NOFILE'");
	bad("/process/oomScoreAdj", "1001",
	    "process.oomScoreAdj: expected an integer from -1000 to 1000");
	bad("/process/oomScoreAdj", "-9223372036854775809",
	    "process.oomScoreAdj: expected an integer from -1000");
	bad("/process/terminal", "1", "process.terminal: expected true or false");
	bad("/process/consoleSize", "{'height': 1}", "process.consoleSize.width: required");
	bad("/process/scheduler", "{'policy': 'SCHED_FOO'}",
	    "process.scheduler.policy: unknown scheduler policy");
	bad("/process/scheduler", "{'policy': 'SCHED_OTHER', 'nice': 20}",
	    "process.scheduler.nice");
	bad("/process/scheduler", "{'policy': 'SCHED_OTHER', 'priority': 5}",
	    "process.scheduler.priority");
	bad("/process/scheduler", "{'policy': 'SCHED_BATCH', 'runtime': 5}", "process.scheduler");
	bad("/process/scheduler", "{'policy': 'SCHED_RR', 'priority': 1, 'flags': ['X']}",
	    "process.scheduler.flags[0]");
	bad("/process/ioPriority", "{'class': 'IOPRIO_CLASS_NONE'}", "process.ioPriority.class");
	bad("/process/ioPriority", "{'class': 'IOPRIO_CLASS_RT', 'priority': 8}",
	    "process.ioPriority.priority");
	bad("/process/execCPUAffinity", "{'initial': '3-1'}", "process.execCPUAffinity.initial");
}

/* A 4096-byte absolute path: one byte too long for PATH_MAX. */
static void
bad_long_path(const char *ptr, const char *want)
{
	char *raw = malloc(4096 + 3);

	memset(raw, 'a', 4096 + 2);
	raw[0] = raw[4096 + 1] = '\'';
	raw[1] = '/';
	raw[4096 + 2] = '\0';
	bad(ptr, raw, want);
	free(raw);
}

static void
test_bad_mounts(void)
{
	bad("/mounts/0/destination", "'proc'",
	    "mounts[0].destination: expected an absolute path, got 'proc'");
	bad("/mounts/0/destination", NULL, "mounts[0].destination: required");
	bad("/mounts/1/options/0", "''", "mounts[1].options[0]: invalid mount option ''");
	bad("/mounts/1/options/0", "'ro,exec'", "mounts[1].options[0]: invalid mount option");
	bad("/mounts/1/options/0", "7", "mounts[1].options[0]: expected a string");
	bad("/mounts/1/options", "'ro'", "mounts[1].options: expected an array");
	bad("/mounts/0", "'proc'", "mounts[0]: expected an object");
	bad("/mounts", "{}", "mounts: expected an array");
	bad("/mounts/0/uidMappings", "[{'containerID': 0, 'hostID': 1, 'size': 1}]",
	    "mounts[0].gidMappings: required with uidMappings");
	bad("/mounts/0",
	    "{'destination': '/m', 'type': 'tmpfs', 'source': 'tmpfs', 'options': ['idmap']}",
	    "mounts[0].options: an id-mapped mount must be a bind mount");
	bad("/mounts/0",
	    "{'destination': '/m', 'type': 'bind', 'source': '/tmp', 'uidMappings': [],"
	    " 'gidMappings': []}",
	    "mounts[0].uidMappings: an idmapped mount needs at least one mapping");
	bad("/mounts/0/type", "[]", "mounts[0].type: expected a string");
	bad_long_path("/mounts/0/destination",
	              "mounts[0].destination: path longer than 4095 bytes");
	bad_long_path("/mounts/0/source", "mounts[0].source: longer than 4095 bytes");
	bad_long_path("/process/cwd", "process.cwd: path longer than 4095 bytes");
}

static void
test_bad_namespaces(void)
{
	bad("/linux/namespaces/2/type", "'foo'",
	    "linux.namespaces[2].type: unknown namespace 'foo'");
	bad("/linux/namespaces/-", "{'type': 'pid'}",
	    "linux.namespaces[5].type: duplicate namespace 'pid'");
	bad("/linux/namespaces/0/path", "'proc/1/ns/pid'",
	    "linux.namespaces[0].path: expected an absolute path");
	bad("/linux/namespaces/0", "{'path': '/x'}", "linux.namespaces[0].type: required");
	bad("/linux/uidMappings", "[{'containerID': 0, 'hostID': 1000, 'size': 1}]",
	    "linux.uidMappings: requires a user namespace");
	bad("/linux/namespaces/-", "{'type': 'user'}",
	    "linux.uidMappings: required with a new user namespace");
	bad_full("/linux/uidMappings/1/hostID", "100005",
	         "linux.uidMappings[1]: host ids overlap entry 0");
	bad_full("/linux/uidMappings/1/containerID", "999",
	         "linux.uidMappings[1]: container ids overlap entry 0");
	bad_full("/linux/gidMappings/0/size", "0",
	         "linux.gidMappings[0].size: must be greater than 0");
	bad_full("/linux/gidMappings/0/containerID", "4294967295",
	         "linux.gidMappings[0]: containerID + size");
	bad_full("/linux/gidMappings/0/hostID", NULL, "linux.gidMappings[0].hostID: required");
	bad_full("/linux/timeOffsets/realtime", "{'secs': 1}",
	         "linux.timeOffsets[\"realtime\"]: unknown clock");
	bad_full("/linux/timeOffsets/boottime/nanosecs", "1000000000",
	         "linux.timeOffsets[\"boottime\"].nanosecs");
	bad("/linux/timeOffsets", "{'monotonic': {'secs': 1}}",
	    "linux.timeOffsets: requires a new time namespace");
}

static void
test_too_many_maps(void)
{
	char *maps = malloc(341 * 64 + 16), *p = maps;

	p += snprintf(p, 4, "[");
	for (int i = 0; i < 341; i++)
		p += snprintf(p, 64, "%s{'containerID': %d, 'hostID': %d, 'size': 1}", i ? "," : "",
		              i, i);
	snprintf(p, 4, "]");
	bad_full("/linux/uidMappings", maps, "linux.uidMappings: more than 340 entries");
	free(maps);
}

static void
test_bad_linux(void)
{
	bad("/linux/devices", "[{'path': '/dev/x', 'type': 'x', 'major': 1, 'minor': 1}]",
	    "linux.devices[0].type: unknown device type 'x'");
	bad("/linux/devices", "[{'path': '/dev/x', 'type': 'c', 'minor': 1}]",
	    "linux.devices[0].major: required");
	bad("/linux/devices", "[{'path': 'dev/x', 'type': 'p'}]",
	    "linux.devices[0].path: expected an absolute path");
	bad("/linux/devices", "[{'path': '/dev/x', 'type': 'p', 'fileMode': 4096}]",
	    "linux.devices[0].fileMode");
	bad("/linux/rootfsPropagation", "'sideways'",
	    "linux.rootfsPropagation: unknown propagation 'sideways'");
	bad("/linux/sysctl", "{'kernel.foo': '1'}", "linux.sysctl[\"kernel.foo\"]");
	bad("/linux/sysctl", "{'net.ipv4.ip_forward': 1}",
	    "linux.sysctl[\"net.ipv4.ip_forward\"]: expected a string");
	bad("/linux/sysctl", "{'net/../../kernel/core_pattern': '|x'}",
	    "linux.sysctl[\"net/../../kernel/core_pattern\"]");
	bad2("/linux/namespaces/2", NULL, "/linux/sysctl", "{'kernel.shmmax': '1'}",
	     "linux.sysctl[\"kernel.shmmax\"]: requires an ipc namespace");
	bad2("/linux/namespaces/1", NULL, "/linux/netDevices", "{'eth0': {}}",
	     "linux.netDevices: requires a network namespace");
	bad("/linux/maskedPaths/0", "'proc/kcore'",
	    "linux.maskedPaths[0]: expected an absolute path");
	bad("/linux/readonlyPaths/-", "''", "linux.readonlyPaths[5]: expected a non-empty path");
	bad("/linux/personality", "{'domain': 'LINUX64'}",
	    "linux.personality.domain: unknown domain 'LINUX64'");
	bad("/linux/personality", "{'domain': 'LINUX', 'flags': ['X']}", "linux.personality.flags");
	bad("/linux/netDevices", "{'eth0/x': {}}",
	    "linux.netDevices[\"eth0/x\"]: invalid interface name");
	bad("/linux/netDevices", "{'eth0': {'name': 'a b'}}", "linux.netDevices[\"eth0\"].name");
	bad("/linux/netDevices", "{'averyveryverylongname': {}}",
	    "linux.netDevices[\"averyveryverylongname\"]");
	bad("/linux/netDevices", "{'a': {'name': 'c'}, 'b': {'name': 'c'}}",
	    "linux.netDevices: two devices named 'c'");
	bad("/linux/memoryPolicy", "{'mode': 'MPOL_FOO'}",
	    "linux.memoryPolicy.mode: unknown mode 'MPOL_FOO'");
	bad("/linux/memoryPolicy", "{'mode': 'MPOL_BIND', 'nodes': '0', 'flags': ['X']}",
	    "linux.memoryPolicy.flags[0]");
	bad("/linux/memoryPolicy", "{'mode': 'MPOL_BIND'}", "linux.memoryPolicy.nodes: required");
	bad("/linux/intelRdt", "{'closID': '../x'}", "linux.intelRdt.closID: invalid name");
	bad("/linux/intelRdt", "{'memBwSchema': 'L3:0=1'}", "linux.intelRdt.memBwSchema");
	bad("/linux/cgroupsPath", "5", "linux.cgroupsPath: expected a string");
	bad("/linux", "[]", "linux: expected an object");
}

static void
test_bad_resources(void)
{
	bad("/linux/resources/memory/limit", "'1g'",
	    "linux.resources.memory.limit: expected an integer");
	bad("/linux/resources/memory/limit", "9223372036854775808",
	    "linux.resources.memory.limit: expected an integer from -1 to 9223372036854775807");
	bad("/linux/resources/memory/limit", "-2", "linux.resources.memory.limit");
	bad("/linux/resources/memory/swappiness", "101", "linux.resources.memory.swappiness");
	bad("/linux/resources/memory", "{'limit': 100, 'swap': 50}", "linux.resources.memory.swap");
	bad("/linux/resources/devices/0/access", "'rwx'", "linux.resources.devices[0].access");
	bad("/linux/resources/devices/0/access", "'rr'", "linux.resources.devices[0].access");
	bad("/linux/resources/devices/0/type", "'x'", "linux.resources.devices[0].type");
	bad("/linux/resources/devices/0/allow", NULL, "linux.resources.devices[0].allow: required");
	bad("/linux/resources/cpu/idle", "2", "linux.resources.cpu.idle");
	bad("/linux/resources/cpu/cpus", "'0-'", "linux.resources.cpu.cpus: expected a CPU list");
	bad("/linux/resources/cpu/mems", "'one'", "linux.resources.cpu.mems: expected a node list");
	bad("/linux/resources/cpu/shares", "-1", "linux.resources.cpu.shares");
	bad("/linux/resources/cpu", "{'quota': 1000, 'burst': 2000}", "linux.resources.cpu.burst");
	bad("/linux/resources/pids/limit", "1.5",
	    "linux.resources.pids.limit: expected an integer");
	bad("/linux/resources/blockIO/weightDevice", "[{'major': 8, 'minor': 0}]",
	    "linux.resources.blockIO.weightDevice[0]: needs weight or leafWeight");
	bad("/linux/resources/blockIO/weight", "65536", "linux.resources.blockIO.weight");
	bad("/linux/resources/blockIO/throttleWriteIOPSDevice", "[{'major': 8, 'minor': 0}]",
	    "linux.resources.blockIO.throttleWriteIOPSDevice[0].rate: required");
	bad("/linux/resources/hugepageLimits", "[{'pageSize': '../2MB', 'limit': 1}]",
	    "linux.resources.hugepageLimits[0].pageSize");
	bad("/linux/resources/network/priorities", "[{'name': 'eth0\\nx', 'priority': 1}]",
	    "linux.resources.network.priorities[0].name");
	bad("/linux/resources/rdma", "{'mlx5': {}}",
	    "linux.resources.rdma[\"mlx5\"]: needs hcaHandles");
	bad("/linux/resources/unified", "{'../cgroup.procs': '1'}",
	    "linux.resources.unified[\"../cgroup.procs\"]");
	bad("/linux/resources/unified", "{'..': '1'}", "linux.resources.unified[\"..\"]");
	bad("/linux/resources/unified", "{'memory.max': 5}",
	    "linux.resources.unified[\"memory.max\"]: expected a string");
}

static void
test_bad_seccomp(void)
{
	bad_full("/linux/seccomp/defaultAction", "'SCMP_ACT_FOO'",
	         "linux.seccomp.defaultAction: unknown seccomp action");
	bad_full("/linux/seccomp/defaultAction", NULL, "linux.seccomp.defaultAction: required");
	bad_full("/linux/seccomp/syscalls/0/action", "'ALLOW'", "linux.seccomp.syscalls[0].action");
	/* a name that could spell other lines of the compiled-filter cache's
	 * key (found in review): refused */
	bad_full("/linux/seccomp/syscalls/0/names", "['mkdir\\n name mkdirat']",
	         "linux.seccomp.syscalls[0].names: 'mkdir? name mkdirat' is not a syscall name");
	bad_full("/linux/seccomp/syscalls/1/args/0/op", "'SCMP_CMP_FOO'",
	         "linux.seccomp.syscalls[1].args[0].op: unknown seccomp operator");
	bad_full("/linux/seccomp/syscalls/1/args/0/index", "6",
	         "linux.seccomp.syscalls[1].args[0].index");
	bad_full("/linux/seccomp/syscalls/1/args/0/value", "-1",
	         "linux.seccomp.syscalls[1].args[0].value");
	bad_full("/linux/seccomp/architectures/1", "'SCMP_ARCH_FOO'",
	         "linux.seccomp.architectures[1]");
	bad_full("/linux/seccomp/architectures/0", "'x86_64'", "linux.seccomp.architectures[0]");
	bad_full("/linux/seccomp/flags/0", "'SECCOMP_FILTER_FLAG_FOO'", "linux.seccomp.flags[0]");
	bad_full("/linux/seccomp/syscalls/0/errnoRet", "1",
	         "linux.seccomp.syscalls[0].errnoRet: only allowed");
	bad_full("/linux/seccomp/syscalls/0/action", "'SCMP_ACT_NOTIFY'",
	         "linux.seccomp.listenerPath: required");
	bad_full("/linux/seccomp/syscalls/0/names", "[]", "linux.seccomp.syscalls[0].names");
	bad_full("/linux/seccomp/syscalls/0/names/0", "''", "linux.seccomp.syscalls[0].names[0]");
}

static int
process_parse(const char *text, struct spec_process **p)
{
	*p = NULL;
	error_clear(&err);
	return spec_process_parse(text, strlen(text), p, &err);
}

static void
test_process_json(void)
{
	struct spec_process *p = NULL;
	int r;

	r = process_parse("{\"args\": [\"ls\"], \"cwd\": \"/\", \"user\": {\"uid\": 7}}", &p);
	ok(r == 0 && p && p->user.uid == 7, "process.json parses");
	spec_process_free(p);
	r = process_parse("{\"cwd\": \"/\"}", &p);
	ok(r < 0 && !p && strncmp(err.msg, "args: required", 14) == 0,
	   "process.json paths start at the object: %s", err.msg);
	r = process_parse("{\"args\": [\"ls\"], \"cwd\": \"/\", \"user\": {\"uid\": -1}}", &p);
	ok(r < 0 && strncmp(err.msg, "user.uid: ", 10) == 0, "process.json user.uid: %s", err.msg);
	r = process_parse("{", &p);
	ok(r < 0 && strstr(err.msg, "process.json: invalid JSON"), "process.json invalid: %s",
	   err.msg);
	spec_process_free(NULL);
	spec_free(NULL);
	ok(1, "spec_free(NULL) and spec_process_free(NULL) are no-ops");
}

static void
test_load(void)
{
	char dir[] = "/tmp/test-spec-XXXXXX", path[64];
	struct spec *s = NULL;
	ssize_t n = -1;
	int fd, r;

	error_clear(&err);
	r = spec_load("/nonexistent-bundle", &s, &err);
	ok(r == -ENOENT && !strcmp(err.msg, "open '/nonexistent-bundle/config.json'"),
	   "missing bundle: %s", err.msg);
	if (!mkdtemp(dir))
		return;
	snprintf(path, sizeof(path), "%s/config.json", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0)
		n = write(fd, default_config, strlen(default_config));
	ok(n == (ssize_t)strlen(default_config), "write config.json");
	close(fd);
	r = spec_load(dir, &s, &err);
	ok(r == 0 && s && !strcmp(s->hostname, "runc"), "spec_load: %s", err.msg);
	spec_free(s);
	unlink(path);
	rmdir(dir);
}

static void
test_names(void)
{
	enum spec_ns_type t;
	int v;

	ok(spec_ns_type_from_name("network", &t) == 0 && t == SPEC_NS_NETWORK, "ns from name");
	ok(spec_ns_type_from_name("net", &t) == -EINVAL, "ns 'net' unknown");
	is_str(spec_ns_type_name(SPEC_NS_CGROUP), "cgroup", "ns name");
	ok(spec_ns_type_name(SPEC_NS_COUNT) == NULL, "ns name out of range");
	ok(spec_ns_clone_flag(SPEC_NS_MOUNT) == CLONE_NEWNS &&
	       spec_ns_clone_flag(SPEC_NS_TIME) == CLONE_NEWTIME &&
	       spec_ns_clone_flag(SPEC_NS_USER) == CLONE_NEWUSER,
	   "clone flags");
	ok(spec_cap_from_name("CAP_SYS_ADMIN", &v) == 0 && v == CAP_SYS_ADMIN, "CAP_SYS_ADMIN");
	ok(spec_cap_from_name("cap_sys_admin", &v) == -EINVAL, "lower case refused");
	/* libcap reads a name's leading letters only (found by fuzzing) */
	ok(spec_cap_from_name("CAP_KILL0", &v) == -EINVAL, "CAP_KILL0 refused");
	ok(spec_cap_from_name("CAP_SYS_ADMIN1", &v) == -EINVAL, "CAP_SYS_ADMIN1 refused");
	ok(spec_cap_from_name("CAP_NET_ADMIN_FOO", &v) == -EINVAL, "CAP_NET_ADMIN_FOO refused");
	ok(spec_cap_from_name("CAP_", &v) == -EINVAL && spec_cap_from_name("0", &v) == -EINVAL,
	   "'CAP_' and '0' refused");
	ok(spec_rlimit_from_name("RLIMIT_NOFILE", &v) == 0 && v == RLIMIT_NOFILE, "RLIMIT_NOFILE");
	ok(spec_rlimit_from_name("NOFILE", &v) == -EINVAL, "rlimit without prefix refused");
}

int
main(void)
{
	test_default();
	test_full();
	test_accepted();
	test_bad_json();
	test_bad_top();
	test_bad_process();
	test_bad_mounts();
	test_bad_namespaces();
	test_too_many_maps();
	test_bad_linux();
	test_bad_resources();
	test_bad_seccomp();
	test_process_json();
	test_load();
	test_names();
	return tap_done();
}
