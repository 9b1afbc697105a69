/*
 * spec.h - the OCI runtime-spec config (config.json) as typed, validated C.
 *
 * spec_parse() reads the JSON once and checks every field it knows before
 * anything else happens: a struct spec that exists is valid, and the rest of
 * hutch never looks at JSON again.  Unknown keys are ignored, as the spec
 * requires; a bad value of a known key fails with the key's JSON path in the
 * message ("linux.namespaces[2].type: unknown namespace 'foo'").
 *
 * Ownership: every pointer in these structs is owned by the struct spec (or
 * struct spec_process) it hangs from and freed by spec_free() /
 * spec_process_free().  String vectors (char **) are NULL-terminated.
 * Optional scalars carry a `has_` flag.  Nothing here prints.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* GNU C predefines `linux` as 1, which would turn `spec->linux` below into
 * `spec->1`; nothing in hutch needs that macro (use __linux__). */
#undef linux

/* A config.json (or process.json) larger than this is refused outright: real
 * ones are a few KiB, and a huge one is an attack on our memory. */
#define SPEC_MAX_FILE_SIZE (4u << 20)

enum spec_ns_type {
	SPEC_NS_PID,
	SPEC_NS_NETWORK,
	SPEC_NS_MOUNT,
	SPEC_NS_IPC,
	SPEC_NS_UTS,
	SPEC_NS_USER,
	SPEC_NS_CGROUP,
	SPEC_NS_TIME,
	SPEC_NS_COUNT
};

struct spec_namespace {
	bool present; /* listed in linux.namespaces */
	char *path;   /* join this namespace; NULL: create a new one */
};

struct spec_id_map {
	uint32_t container_id;
	uint32_t host_id;
	uint32_t size;
};

struct spec_mount {
	char *destination;         /* absolute, inside the container */
	char *type;                /* NULL when absent */
	char *source;              /* NULL when absent */
	unsigned long flags;       /* MS_* to set (MS_RDONLY, MS_NOSUID, MS_BIND, MS_REC ...) */
	unsigned long clear_flags; /* MS_* explicitly cleared by "rw", "suid", "dev" ... */
	unsigned long propagation; /* MS_SHARED|MS_SLAVE|MS_PRIVATE|MS_UNBINDABLE, maybe |MS_REC */
	bool bind;                 /* "bind" or "rbind" (flags has MS_BIND, and MS_REC for rbind) */
	/* Recursive mount attributes ("rro", "rnosuid" ...) for mount_setattr(). */
	uint64_t attr_set;
	uint64_t attr_clr;
	bool idmap;           /* "idmap" / "ridmap", or mount uid/gid mappings given */
	bool idmap_recursive; /* "ridmap": also map the submounts (AT_RECURSIVE) */
	char *data; /* the filesystem options, comma-joined ("mode=755,size=65536k"), or NULL */
	struct spec_id_map *uid_mappings;
	size_t n_uid_mappings;
	struct spec_id_map *gid_mappings;
	size_t n_gid_mappings;
};

enum spec_cap_set {
	SPEC_CAP_BOUNDING,
	SPEC_CAP_EFFECTIVE,
	SPEC_CAP_INHERITABLE,
	SPEC_CAP_PERMITTED,
	SPEC_CAP_AMBIENT,
	SPEC_CAP_SETS
};

struct spec_rlimit {
	int resource; /* RLIMIT_* */
	uint64_t soft;
	uint64_t hard;
};

struct spec_user {
	uint32_t uid;
	uint32_t gid;
	bool has_umask;
	uint32_t umask;
	uint32_t *additional_gids;
	size_t n_additional_gids;
	char *username; /* Windows only in the spec; kept for completeness */
};

struct spec_scheduler {
	bool present;
	int policy; /* SCHED_* */
	int nice;
	int priority;
	uint64_t flags; /* SCHED_FLAG_* */
	uint64_t runtime;
	uint64_t deadline;
	uint64_t period;
};

struct spec_io_priority {
	bool present;
	int class; /* IOPRIO_CLASS_RT/BE/IDLE */
	int priority;
};

struct spec_process {
	bool terminal;
	bool has_console_size;
	uint32_t console_height;
	uint32_t console_width;
	struct spec_user user;
	char **args; /* at least one element */
	char **env;  /* "NAME=value" each; may be empty */
	char *cwd;   /* absolute */
	/* Capabilities as bitmasks of CAP_* numbers.  A set absent from the
	 * config is empty, as in runc. */
	bool has_capabilities;
	uint64_t caps[SPEC_CAP_SETS];
	struct spec_rlimit *rlimits;
	size_t n_rlimits;
	bool no_new_privileges;
	bool has_oom_score_adj;
	int oom_score_adj;
	char *apparmor_profile;
	char *selinux_label;
	struct spec_scheduler scheduler;
	struct spec_io_priority io_priority;
	char *exec_cpu_affinity_initial;
	char *exec_cpu_affinity_final;
};

struct spec_hook {
	char *path; /* absolute */
	char **args;
	char **env;
	bool has_timeout;
	int timeout; /* seconds, > 0 */
};

enum spec_hook_kind {
	SPEC_HOOK_PRESTART,
	SPEC_HOOK_CREATE_RUNTIME,
	SPEC_HOOK_CREATE_CONTAINER,
	SPEC_HOOK_START_CONTAINER,
	SPEC_HOOK_POSTSTART,
	SPEC_HOOK_POSTSTOP,
	SPEC_HOOK_KINDS
};

struct spec_hook_list {
	struct spec_hook *hooks;
	size_t n;
};

struct spec_device {
	char *path; /* absolute, inside the container */
	char type;  /* 'c', 'b', 'u' (unbuffered char) or 'p' (fifo) */
	int64_t major;
	int64_t minor;
	bool has_file_mode;
	uint32_t file_mode;
	bool has_uid;
	uint32_t uid;
	bool has_gid;
	uint32_t gid;
};

struct spec_key_value {
	char *key;
	char *value;
};

/* ---- linux.resources (applied by the cgroup module) ---- */

struct spec_opt_i64 {
	bool set;
	int64_t value;
};

struct spec_opt_u64 {
	bool set;
	uint64_t value;
};

struct spec_device_rule {
	bool allow;
	char type;      /* 'a', 'c' or 'b' */
	int64_t major;  /* -1: any */
	int64_t minor;  /* -1: any */
	char access[4]; /* subset of "rwm", NUL-terminated */
};

struct spec_block_device_weight {
	int64_t major;
	int64_t minor;
	struct spec_opt_u64 weight;
	struct spec_opt_u64 leaf_weight;
};

struct spec_block_device_rate {
	int64_t major;
	int64_t minor;
	uint64_t rate;
};

struct spec_hugepage_limit {
	char *page_size; /* "2MB", "1GB" ... */
	uint64_t limit;
};

struct spec_net_priority {
	char *name;
	uint32_t priority;
};

struct spec_rdma_limit {
	char *device;
	struct spec_opt_u64 hca_handles;
	struct spec_opt_u64 hca_objects;
};

struct spec_resources {
	struct spec_device_rule *devices;
	size_t n_devices;
	struct {
		struct spec_opt_i64 limit;
		struct spec_opt_i64 reservation;
		struct spec_opt_i64 swap;
		struct spec_opt_i64 kernel;
		struct spec_opt_i64 kernel_tcp;
		struct spec_opt_u64 swappiness;
		bool disable_oom_killer;
		bool has_use_hierarchy;
		bool use_hierarchy;
		bool check_before_update;
	} memory;
	struct {
		struct spec_opt_u64 shares;
		struct spec_opt_i64 quota;
		struct spec_opt_u64 burst;
		struct spec_opt_u64 period;
		struct spec_opt_i64 realtime_runtime;
		struct spec_opt_u64 realtime_period;
		char *cpus;
		char *mems;
		struct spec_opt_i64 idle;
	} cpu;
	struct spec_opt_i64 pids_limit;
	struct {
		struct spec_opt_u64 weight;
		struct spec_opt_u64 leaf_weight;
		struct spec_block_device_weight *weight_devices;
		size_t n_weight_devices;
		struct spec_block_device_rate *throttle_read_bps;
		size_t n_throttle_read_bps;
		struct spec_block_device_rate *throttle_write_bps;
		size_t n_throttle_write_bps;
		struct spec_block_device_rate *throttle_read_iops;
		size_t n_throttle_read_iops;
		struct spec_block_device_rate *throttle_write_iops;
		size_t n_throttle_write_iops;
	} block_io;
	struct spec_hugepage_limit *hugepage_limits;
	size_t n_hugepage_limits;
	struct {
		struct spec_opt_u64 class_id;
		struct spec_net_priority *priorities;
		size_t n_priorities;
	} network;
	struct spec_rdma_limit *rdma;
	size_t n_rdma;
	struct spec_key_value *unified; /* v2 file name -> value */
	size_t n_unified;
};

/* ---- linux.seccomp (applied by the seccomp module) ---- */

enum spec_seccomp_action {
	SPEC_SECCOMP_KILL,
	SPEC_SECCOMP_KILL_PROCESS,
	SPEC_SECCOMP_KILL_THREAD,
	SPEC_SECCOMP_TRAP,
	SPEC_SECCOMP_ERRNO,
	SPEC_SECCOMP_TRACE,
	SPEC_SECCOMP_ALLOW,
	SPEC_SECCOMP_LOG,
	SPEC_SECCOMP_NOTIFY
};

enum spec_seccomp_op {
	SPEC_SECCOMP_OP_NE,
	SPEC_SECCOMP_OP_LT,
	SPEC_SECCOMP_OP_LE,
	SPEC_SECCOMP_OP_EQ,
	SPEC_SECCOMP_OP_GE,
	SPEC_SECCOMP_OP_GT,
	SPEC_SECCOMP_OP_MASKED_EQ
};

struct spec_seccomp_arg {
	uint32_t index; /* 0..5 */
	uint64_t value;
	uint64_t value_two;
	enum spec_seccomp_op op;
};

struct spec_seccomp_rule {
	char **names;
	enum spec_seccomp_action action;
	bool has_errno_ret;
	uint32_t errno_ret;
	struct spec_seccomp_arg *args;
	size_t n_args;
};

struct spec_seccomp {
	enum spec_seccomp_action default_action;
	bool has_default_errno_ret;
	uint32_t default_errno_ret;
	char **architectures; /* "SCMP_ARCH_X86_64" ... */
	char **flags;         /* "SECCOMP_FILTER_FLAG_TSYNC" ... */
	char *listener_path;
	char *listener_metadata;
	struct spec_seccomp_rule *rules;
	size_t n_rules;
};

/* ---- the rest of linux ---- */

enum spec_time_clock { SPEC_TIME_MONOTONIC, SPEC_TIME_BOOTTIME, SPEC_TIME_CLOCKS };

struct spec_time_offset {
	bool set;
	int64_t secs;
	uint32_t nanosecs;
};

struct spec_personality {
	bool present;
	unsigned long domain; /* PER_LINUX or PER_LINUX32 */
	char **flags;
};

struct spec_intel_rdt {
	bool present;
	char *clos_id;
	char *l3_cache_schema;
	char *mem_bw_schema;
	char *schemata; /* written last, as is; an array in the config is joined by '\n' */
	bool enable_cmt;
	bool enable_mbm;
};

struct spec_net_device {
	char *host_name; /* the key in linux.netDevices */
	char *name;      /* name inside the container; NULL (absent or ""): host_name */
};

struct spec_memory_policy {
	bool present;
	int mode; /* MPOL_* */
	char *nodes;
	char **flags;
	int mode_flags; /* the flags as MPOL_F_* bits, to or into mode */
};

struct spec_linux {
	struct spec_namespace namespaces[SPEC_NS_COUNT];
	struct spec_id_map *uid_mappings;
	size_t n_uid_mappings;
	struct spec_id_map *gid_mappings;
	size_t n_gid_mappings;
	struct spec_time_offset time_offsets[SPEC_TIME_CLOCKS];
	struct spec_device *devices;
	size_t n_devices;
	char *cgroups_path;               /* NULL when absent or "" */
	struct spec_resources *resources; /* NULL when absent */
	unsigned long rootfs_propagation; /* MS_* propagation flags, 0 when absent */
	struct spec_seccomp *seccomp;     /* NULL when absent */
	struct spec_key_value *sysctl;
	size_t n_sysctl;
	char **masked_paths;
	char **readonly_paths;
	char *mount_label;
	struct spec_personality personality;
	struct spec_intel_rdt intel_rdt;
	struct spec_net_device *net_devices;
	size_t n_net_devices;
	struct spec_memory_policy memory_policy;
};

struct spec {
	char *oci_version;
	char *root_path; /* as written: relative paths are relative to the bundle */
	bool root_readonly;
	struct spec_mount *mounts;
	size_t n_mounts;
	struct spec_process *process; /* NULL when absent */
	char *hostname;               /* NULL when absent or "" */
	char *domainname;             /* NULL when absent or "" */
	struct spec_hook_list hooks[SPEC_HOOK_KINDS];
	struct spec_key_value *annotations;
	size_t n_annotations;
	struct spec_linux linux;
};

/* Parse and validate a config.json held in memory (len bytes, need not be
 * NUL-terminated).  On success *out owns a new struct spec. */
int spec_parse(const char *buf, size_t len, struct spec **out, struct hutch_error *err);

/* Read `config.json` from the bundle directory and spec_parse() it. */
int spec_load(const char *bundle, struct spec **out, struct hutch_error *err);

/* Parse a process.json (the `process` object alone), as `exec --process`
 * receives it; field paths in errors are relative to that object. */
int spec_process_parse(const char *buf, size_t len, struct spec_process **out,
                       struct hutch_error *err);

void spec_free(struct spec *spec);
void spec_process_free(struct spec_process *process);

/* Small parsers shared with the command line and unit-tested on their own.
 * Each returns 0 or -EINVAL and never allocates. */
int spec_ns_type_from_name(const char *name, enum spec_ns_type *out);
const char *spec_ns_type_name(enum spec_ns_type type);
int spec_ns_clone_flag(enum spec_ns_type type);     /* CLONE_NEW* */
int spec_cap_from_name(const char *name, int *out); /* "CAP_SYS_ADMIN" */
int spec_rlimit_from_name(const char *name, int *out);
/* A linux.resources.unified key naming a core cgroup file (cgroup.procs,
 * cgroup.kill ...) rather than a limit. */
bool spec_unified_key_is_core(const char *key);
/* The namespace a (validated) linux.sysctl key belongs to, or -1. */
int spec_sysctl_namespace(const char *key); /* "RLIMIT_NOFILE" */

/* Parse a standalone LinuxResources object (`update --resources`, as
 * containerd and CRI-O send it), with the same checks as linux.resources
 * of a config.json; field paths in errors are relative to that object. */
int spec_resources_parse_json(const char *buf, size_t len, struct spec_resources **out,
                              struct hutch_error *err);
void spec_resources_free(struct spec_resources *r);
