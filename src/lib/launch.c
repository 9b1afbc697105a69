#include "launch.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "cgroup.h"
#include "exe-guard.h"
#include "hooks.h"
#include "idmap-mount.h"
#include "namespace.h"
#include "process.h"
#include "seccomp-cache.h"
#include "sync.h"
#include "terminal.h"
#include "util.h"
#include "banned.h"

char *
launch_state_json(const struct state *s, enum state_status status, bool indent)
{
	json_t *ann = json_object();
	json_t *j;
	char *text;

	for (size_t i = 0; i < s->n_annotations; i++)
		json_object_set_new(ann, s->annotations[i].key,
		                    json_string(s->annotations[i].value));
	j = json_pack("{s:s, s:s, s:i, s:s, s:s, s:s, s:s, s:s}", "ociVersion", STATE_OCI_VERSION,
	              "id", s->id, "pid", status == STATUS_STOPPED ? 0 : (int)s->pid, "status",
	              state_status_name(status), "bundle", s->bundle, "rootfs", s->rootfs,
	              "created", s->created, "owner", s->owner ? s->owner : "");
	if (!j) {
		json_decref(ann);
		return NULL;
	}
	if (json_object_size(ann))
		json_object_set(j, "annotations", ann);
	json_decref(ann);
	text = json_dumps(j, indent ? JSON_INDENT(2) : JSON_COMPACT);
	json_decref(j);
	return text;
}

int
launch_write_pid_file(const char *path, pid_t pid, struct hutch_error *err)
{
	_cleanup_free_ char *tmp = xasprintf("%s.hutch-tmp", path);
	_cleanup_close_ int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	char buf[16];

	if (fd < 0)
		return error_sys(err, errno, "--pid-file '%s'", path);
	snprintf(buf, sizeof(buf), "%d", pid);
	/* Rename into place: an engine polling for the file never reads it
	 * half-written. */
	if (write_all(fd, buf, strlen(buf)) < 0 || rename(tmp, path) < 0) {
		unlink(tmp);
		return error_sys(err, errno, "--pid-file '%s'", path);
	}
	return 0;
}

/* A sysctl is only for the container's own namespace: one joined by path
 * that is in fact ours (the host's) would change the host. */
static int
check_sysctl_targets(const struct spec_linux *linux, const int fds[SPEC_NS_COUNT],
                     struct hutch_error *err)
{
	for (size_t i = 0; i < linux->n_sysctl; i++) {
		int t = spec_sysctl_namespace(linux->sysctl[i].key);

		if (t >= 0 && fds[t] >= 0 && namespace_is_ours(fds[t], t))
			return error_msg(
			    err, EPERM,
			    "linux.sysctl[\"%.64s\"]: the %s namespace joined by path is the runtime's own",
			    linux->sysctl[i].key, spec_ns_type_name(t));
	}
	return 0;
}

/* Everything that can be checked without side effects: the id, the
 * config, the rootfs, the namespace files. */
static int
validate(struct launch *l, struct hutch_error *err)
{
	const char *bundle = l->opts->bundle ? l->opts->bundle : ".";
	const struct spec_linux *linux;
	_cleanup_free_ char *root = NULL;
	struct stat st;
	int r;

	r = container_check_id(l->opts->id, err);
	if (r < 0)
		return r;
	l->bundle = realpath(bundle, NULL);
	if (!l->bundle)
		return error_sys(err, errno, "bundle '%s'", bundle);
	r = spec_load(l->bundle, &l->spec, err);
	if (r < 0)
		return r;
	linux = &l->spec->linux;
	if (!l->spec->process)
		return error_msg(err, EINVAL, "process: required to run a container");
	if (!linux->namespaces[SPEC_NS_MOUNT].present)
		return error_msg(err, EINVAL, "linux.namespaces: a mount namespace is required");
	if (l->spec->hostname && !linux->namespaces[SPEC_NS_UTS].present)
		return error_msg(err, EINVAL, "hostname: requires a uts namespace");
	if (l->spec->domainname && !linux->namespaces[SPEC_NS_UTS].present)
		return error_msg(err, EINVAL, "domainname: requires a uts namespace");
	root = l->spec->root_path[0] == '/' ? xstrdup(l->spec->root_path)
	                                    : xasprintf("%s/%s", l->bundle, l->spec->root_path);
	l->rootfs = realpath(root, NULL);
	if (!l->rootfs || stat(l->rootfs, &st) < 0)
		return error_sys(err, errno, "root.path: rootfs '%s'", root);
	if (!S_ISDIR(st.st_mode))
		return error_msg(err, ENOTDIR, "root.path: rootfs '%s' is not a directory", root);
	r = namespace_open_paths(linux, l->sb.ns_fds, err);
	if (r < 0)
		return r;
	return check_sysctl_targets(linux, l->sb.ns_fds, err);
}

/* exe-guard.h: a container in our user namespace whose processes may hold
 * CAP_SYS_PTRACE is set up from a sealed copy of hutch. */
static bool
needs_exe_guard(const struct launch *l)
{
	const struct spec_namespace *user = &l->spec->linux.namespaces[SPEC_NS_USER];
	bool host_userns =
	    !user->present ||
	    (user->path && namespace_is_ours(l->sb.ns_fds[SPEC_NS_USER], SPEC_NS_USER));

	return host_userns && exe_guard_process_may_ptrace(l->spec->process);
}

static bool
needs_join_helper(const struct spec_linux *linux)
{
	for (int t = 0; t < SPEC_NS_COUNT; t++)
		if (linux->namespaces[t].present &&
		    (linux->namespaces[t].path || t == SPEC_NS_TIME))
			return true;
	return false;
}

static int
spawn(struct launch *l, struct hutch_error *err)
{
	bool helper = needs_join_helper(&l->spec->linux);
	int r = sandbox_spawn(&l->sb, helper, l->sync[0], &l->stack, &l->pid, err);

	l->sync[1] = -1; /* closed by sandbox_spawn */
	return r;
}

/* Compile the filter here, before the clone: the process only loads it. */
static int
prepare_seccomp(struct launch *l, struct hutch_error *err)
{
	const struct spec_seccomp *s = l->spec->linux.seccomp;
	int r;

	if (!s)
		return 0;
	r = seccomp_program_compile_cached(l->opts->root, s, &l->seccomp, err);
	if (r < 0)
		return r;
	l->sb.seccomp = &l->seccomp;
	if (l->seccomp.notify) {
		r = l->seccomp_listener = seccomp_listener_connect(s->listener_path, err);
		if (r < 0)
			return r;
	}
	l->sb.seccomp_listener = l->seccomp_listener;
	return 0;
}

/* The state JSON the process hands to its hooks and, with a seccomp
 * listener, the runtime-spec's "container process state" around it.  Built
 * once the pid is known, before SYNC_GO: the process reads them after. */
static void
fill_process_states(struct launch *l)
{
	const struct spec_seccomp *s = l->spec->linux.seccomp;
	json_t *j;

	l->state.pid = l->pid;
	free(l->hook_state);
	l->hook_state = launch_state_json(&l->state, STATUS_CREATING, false);
	if (!s || !l->seccomp.notify || !l->hook_state)
		return;
	j = json_pack("{s:s, s:[s], s:i, s:s, s:o?}", "ociVersion", STATE_OCI_VERSION, "fds",
	              "seccompFd", "pid", (int)l->pid, "metadata",
	              s->listener_metadata ? s->listener_metadata : "", "state",
	              json_loads(l->hook_state, 0, NULL));
	free(l->seccomp_state);
	l->seccomp_state = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
}

/* The process may not share our memory (a new time namespace, the exe
 * guard): it reads the states from the shared region. */
static int
publish_process_states(struct launch *l, struct hutch_error *err)
{
	fill_process_states(l);
	return sandbox_shared_put(l->shared, l->hook_state, l->seccomp_state, err);
}

static int
run_runtime_hooks(struct launch *l, struct hutch_error *err)
{
	const char *json = l->hook_state;
	int r;

	r = hooks_run(&l->spec->hooks[SPEC_HOOK_PRESTART], SPEC_HOOK_PRESTART, json, err);
	if (r < 0)
		return r;
	r = hooks_run(&l->spec->hooks[SPEC_HOOK_CREATE_RUNTIME], SPEC_HOOK_CREATE_RUNTIME, json,
	              err);
	if (r < 0)
		return r;
	return sync_send(l->sync[0], SYNC_GO, 0, NULL);
}

/* Map ids, release the process, serve its requests until it is ready. */
static int
handshake(struct launch *l, struct hutch_error *err)
{
	struct sync_msg msg;
	int r;

	if (l->sb.userns && l->sb.ns_fds[SPEC_NS_USER] < 0) {
		r = namespace_write_id_maps(l->pid, &l->spec->linux, err);
		if (r < 0)
			return r;
	}
	/* Before GO: nothing the process runs may escape its limits.  It
	 * entered by itself, unless clone3 is missing (sandbox_spawn()). */
	if (!l->sb.cgroup_entry && (r = cgroup_enter(&l->cgroup, l->pid, err)) < 0)
		return r;
	r = process_set_oom_score_adj(l->pid, l->spec->process, err);
	if (r < 0)
		return r;
	r = publish_process_states(l, err);
	if (r < 0)
		return r;
	if (sync_send(l->sync[0], SYNC_GO, 0, NULL) < 0)
		return error_msg(err, EPROTO, "the container process died during setup");
	for (;;) {
		r = sync_recv(l->sync[0], &msg, err);
		if (r < 0)
			return r;
		if (r == 0)
			return error_msg(err, EPROTO, "the container process died during setup");
		if (msg.type == SYNC_ERROR) {
			*err = msg.err;
			return -err->code;
		}
		if (msg.type == SYNC_READY)
			return 0;
		if (msg.type == SYNC_HOOKS && (r = run_runtime_hooks(l, err)) < 0)
			return r;
	}
}

static void
init_state(struct launch *l)
{
	char created[64];
	struct state *s = &l->state;

	state_now_rfc3339(created, sizeof(created));
	s->id = (char *)l->opts->id;
	s->bundle = l->bundle;
	s->rootfs = l->rootfs;
	s->created = xstrdup(created);
	s->owner = "";
	s->annotations = l->spec->annotations;
	s->n_annotations = l->spec->n_annotations;
}

/* Keep config.json beside the state: exec takes the process's defaults
 * from it, start runs its poststart hooks and delete its poststop hooks,
 * even when the bundle has changed or gone since. */
static int
save_config(struct launch *l, struct hutch_error *err)
{
	_cleanup_free_ char *path = xasprintf("%s/config.json", l->bundle);
	_cleanup_free_ char *text = NULL;
	_cleanup_close_ int fd = -1;
	size_t len;
	int r;

	r = read_file_at(AT_FDCWD, path, SPEC_MAX_FILE_SIZE, &text, &len, err);
	if (r < 0)
		return r;
	fd = openat(l->state_fd, STATE_CONFIG, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write_all(fd, text, len) < 0)
		return error_sys(err, errno, "save config.json in the state directory");
	return 0;
}

/* Every linux.devices node is usable in the container, as in runc: when
 * the config has a device policy, allow each one after its rules. */
static void
allow_spec_devices(struct spec *spec)
{
	struct spec_resources *res = spec->linux.resources;
	size_t n;

	if (!res || !res->n_devices || !spec->linux.n_devices)
		return;
	n = res->n_devices;
	res->devices = xrealloc(res->devices, n + spec->linux.n_devices, sizeof(*res->devices));
	for (size_t i = 0; i < spec->linux.n_devices; i++) {
		const struct spec_device *d = &spec->linux.devices[i];

		if (d->type == 'p') /* fifos are not subject to the policy */
			continue;
		res->devices[n++] = (struct spec_device_rule){
		    .allow = true,
		    .type = d->type == 'b' ? 'b' : 'c',
		    .major = d->major,
		    .minor = d->minor,
		    .access = "rwm",
		};
	}
	res->n_devices = n;
}

/* The socket the created process waits on for `start` (state.h). */
static int
make_start_socket(struct launch *l, struct hutch_error *err)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return error_sys(err, errno, "socket for start");
	l->sb.start_fd = fd;
	/* Bound through the directory's fd: a socket address holds 108 bytes,
	 * a state path may be longer. */
	snprintf(addr.sun_path, sizeof(addr.sun_path), "/proc/self/fd/%d/%s", l->state_fd,
	         STATE_EXEC_SOCK);
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, 1) < 0)
		return error_sys(err, errno, "listen on '%s'", STATE_EXEC_SOCK);
	return 0;
}

/* Where the pty master goes: the engine's console socket, or back to us
 * when `run` holds the terminal in the foreground. */
static int
open_console(struct launch *l, bool with_fifo, struct hutch_error *err)
{
	const char *sock = l->opts->console_socket;
	bool foreground = !with_fifo && !l->opts->detach;

	if (!l->spec->process->terminal) {
		if (sock)
			return error_msg(
			    err, EINVAL,
			    "--console-socket: process.terminal is false, there is no terminal to send");
		return 0;
	}
	if (sock) {
		l->console[1] = terminal_connect(sock, err);
		return l->console[1] < 0 ? l->console[1] : 0;
	}
	if (!foreground)
		return error_msg(
		    err, EINVAL,
		    "process.terminal is true: --console-socket is required to create or detach");
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, l->console) < 0)
		return error_sys(err, errno, "socketpair for the terminal");
	return 0;
}

static void
init_sandbox(struct launch *l)
{
	struct sandbox *sb = &l->sb;
	const struct spec_linux *linux = &l->spec->linux;

	sb->spec = l->spec;
	sb->process = l->spec->process;
	sb->bundle = l->bundle;
	sb->rootfs = l->rootfs;
	l->home_env = process_env_reserve_home(l->spec->process->env);
	sb->fill_home = l->home_env != NULL;
	lsm_labels_for(l->spec->process, &sb->lsm);
	sb->exec_env = sb->fill_home ? l->home_env : l->spec->process->env;
	sb->new_ns_flags = namespace_new_flags(linux);
	sb->userns = linux->namespaces[SPEC_NS_USER].present;
	sb->new_time_ns =
	    linux->namespaces[SPEC_NS_TIME].present && !linux->namespaces[SPEC_NS_TIME].path;
	sb->new_cgroup_ns =
	    linux->namespaces[SPEC_NS_CGROUP].present && !linux->namespaces[SPEC_NS_CGROUP].path;
	sb->no_pivot = l->opts->no_pivot;
	sb->preserve_fds = l->opts->preserve_fds;
	sb->sync_fd = l->sync[1];
	sb->child_fn = sandbox_child;
	sb->seccomp_listener = -1;
	sb->parent_fds[0] = l->state_fd;
	sb->parent_fds[1] = l->sync[0];
	sb->parent_fds[2] = l->console[0];
	sb->console_fd = l->console[1];
}

int
launch_prepare(struct launch *l, const struct container_opts *opts, bool with_fifo,
               const sigset_t *exec_mask, struct hutch_error *err)
{
	uint64_t start;
	bool zombie;
	int r;

	*l = (struct launch){.opts = opts,
	                     .state_fd = -1,
	                     .sync = {-1, -1},
	                     .console = {-1, -1},
	                     .seccomp_listener = -1,
	                     .cgroup_entry = {.dir_fd = -1}};
	for (int t = 0; t < SPEC_NS_COUNT; t++)
		l->sb.ns_fds[t] = -1;
	l->sb.start_fd = -1;
	r = validate(l, err);
	if (r < 0)
		return r;
	l->exe_guard = needs_exe_guard(l);
	if (l->exe_guard && !exe_guard_active()) {
		/* Nothing exists yet: the copy starts this command afresh. */
		namespace_close_fds(l->sb.ns_fds);
		return exe_guard_reexec(exec_mask, err);
	}
	r = cgroup_init(&l->cgroup, l->spec->linux.cgroups_path, opts->id, err);
	if (r < 0)
		return r;
	r = l->state_fd = state_create_dir(opts->root, opts->id, err);
	if (r < 0)
		return r;
	l->state_made = true;
	if (l->exe_guard && (r = exe_guard_mark(l->state_fd, err)) < 0)
		return r;
	if (with_fifo && (r = make_start_socket(l, err)) < 0)
		return r;
	r = sync_pair(l->sync, err);
	if (r < 0)
		return r;
	r = open_console(l, with_fifo, err);
	if (r < 0)
		return r;
	init_sandbox(l);
	r = prepare_seccomp(l, err);
	if (r < 0)
		return r;
	l->sb.sigmask = *exec_mask;
	init_state(l);
	l->sb.hook_state = &l->hook_state;
	l->sb.seccomp_state = &l->seccomp_state;
	allow_spec_devices(l->spec);
	r = cgroup_create(&l->cgroup, l->spec->linux.resources, err);
	if (r < 0)
		return r;
	l->state.cgroup_path = l->cgroup.path;
	/* More hierarchies than an entry holds: the parent moves the pid. */
	r = cgroup_entry_open(&l->cgroup, &l->cgroup_entry, err);
	if (r < 0 && r != -E2BIG)
		return r;
	l->sb.cgroup_entry = r == 0 ? &l->cgroup_entry : NULL;
	r = idmap_mounts_open(l->spec, l->bundle, &l->idmap_fds, err);
	if (r < 0)
		return r;
	l->sb.idmap_fds = l->idmap_fds;
	l->shared = sandbox_shared_new();
	if (!l->shared)
		return error_sys(err, errno, "map the region for the container's state");
	l->sb.shared = l->shared;
	l->sb.own_memory = l->exe_guard;
	/* A first state.json (pid 0: stopped) before anything runs: should
	 * this create be killed half-way, `delete` still finds the cgroup to
	 * remove and the id is not stuck. */
	r = state_write(l->state_fd, &l->state, err);
	if (r < 0)
		return r;
	/* Until it execs, the container process runs hutch's image and shares
	 * our memory.  Not dumpable, /proc/<pid>/exe and /proc/<pid>/mem of it
	 * are closed to everything without CAP_SYS_PTRACE on the host: a
	 * process in the container cannot get at the hutch binary through it
	 * (CVE-2019-5736); for containers that may hold it, exe-guard.h.
	 * execve() makes the container's program dumpable. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return error_sys(err, errno, "prctl(PR_SET_DUMPABLE)");
	if ((r = save_config(l, err)) < 0 || (r = spawn(l, err)) < 0 || (r = handshake(l, err)) < 0)
		return r;
	if (state_proc_start_time(l->pid, &start, &zombie) < 0)
		return error_msg(err, ESRCH, "the container process died during setup");
	l->state.pid = l->pid;
	l->state.start_time = start;
	r = state_write(l->state_fd, &l->state, err);
	if (r < 0)
		return r;
	if (opts->pid_file)
		return launch_write_pid_file(opts->pid_file, l->pid, err);
	return 0;
}

int
launch_start(struct launch *l, struct hutch_error *err)
{
	struct sync_msg msg;
	int r;

	if (sync_send(l->sync[0], SYNC_START, 0, NULL) < 0)
		return error_msg(err, EPROTO, "the container process died before it started");
	/* End-of-file: the process exec'd (its end is close-on-exec). */
	r = sync_recv(l->sync[0], &msg, err);
	if (r < 0)
		return r;
	if (r == 1 && msg.type == SYNC_ERROR) {
		*err = msg.err;
		return -err->code;
	}
	return 0;
}

void
launch_abort(struct launch *l)
{
	struct hutch_error ignored;

	if (l->pid > 0) {
		kill(l->pid, SIGKILL);
		waitpid(l->pid, NULL, 0);
		l->pid = 0;
	}
	if (l->cgroup.created)
		cgroup_destroy(&l->cgroup, &ignored);
	l->cgroup.created = false;
	if (l->state_made)
		state_remove_dir(l->opts->root, l->opts->id, &ignored);
	l->state_made = false;
}

void
launch_release(struct launch *l)
{
	namespace_close_fds(l->sb.ns_fds);
	for (int i = 0; i < 2; i++) {
		if (l->sync[i] >= 0)
			close(l->sync[i]);
		if (l->console[i] >= 0)
			close(l->console[i]);
	}
	if (l->sb.start_fd >= 0)
		close(l->sb.start_fd);
	if (l->state_fd >= 0)
		close(l->state_fd);
	if (l->stack)
		sandbox_free_stack(l->stack);
	free(l->hook_state);
	free(l->seccomp_state);
	free(l->state.created);
	seccomp_program_release(&l->seccomp);
	if (l->seccomp_listener >= 0)
		close(l->seccomp_listener);
	cgroup_entry_close(&l->cgroup_entry);
	idmap_mounts_close(l->idmap_fds, l->spec ? l->spec->n_mounts : 0);
	sandbox_shared_free(l->shared);
	free(l->home_env);
	cgroup_free(&l->cgroup);
	spec_free(l->spec);
	free(l->bundle);
	free(l->rootfs);
}
