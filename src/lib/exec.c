#include "exec.h"

#include <errno.h>
#include <jansson.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>

#include "cgroup.h"
#include "container.h"
#include "exe-guard.h"
#include "launch.h"
#include "namespace.h"
#include "process.h"
#include "sandbox.h"
#include "seccomp-cache.h"
#include "seccomp.h"
#include "spec.h"
#include "state.h"
#include "sync.h"
#include "terminal.h"
#include "util.h"
#include "banned.h"

struct exec {
	const struct exec_opts *opts;
	struct state *state;
	struct spec_process *process;
	struct sandbox sb;
	int sync[2];
	int console[2];
	void *stack;
	pid_t pid;
	struct seccomp_program seccomp;
	int seccomp_listener;
	char *seccomp_state;
	int state_fd;
	enum state_status status;
	bool config_may_ptrace; /* the container's own process settings */
	int guard_fd;           /* exe-guard.h: share-locked until the process exec'd */
	struct cgroup_entry cgroup_entry;
	char **home_env; /* process env with room for HOME, or NULL */
	bool guarded;    /* exe-guard.h */
};

/* The container's state and its saved config, checked to be running. */
static int
load_container(struct exec *x, struct spec **spec, struct hutch_error *err)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r;

	r = container_check_id(x->opts->id, err);
	if (r < 0)
		return r;
	r = x->state_fd = state_open_dir(x->opts->root, x->opts->id, false, err);
	if (r < 0)
		return r;
	r = state_read(x->state_fd, &x->state, err);
	if (r < 0)
		return r;
	x->status = state_status(x->state_fd, x->state);
	if (x->status == STATUS_STOPPED)
		return error_msg(err, ESRCH, "cannot exec in a stopped container");
	if (x->status == STATUS_PAUSED && !x->opts->ignore_paused)
		return error_msg(err, EBUSY,
		                 "cannot exec in a paused container (see --ignore-paused)");
	r = read_file_at(x->state_fd, STATE_CONFIG, SPEC_MAX_FILE_SIZE, &text, &len, err);
	if (r < 0)
		return r;
	r = spec_parse(text, len, spec, err);
	if (r == 0 && (*spec)->process)
		x->config_may_ptrace = exe_guard_process_may_ptrace((*spec)->process);
	return r;
}

static char **
strv_copy(char *const *v, size_t n)
{
	char **copy = xcalloc(n + 1, sizeof(*copy));

	for (size_t i = 0; i < n; i++)
		copy[i] = xstrdup(v[i]);
	return copy;
}

/* The spec's env with each --env NAME=VALUE replacing the same NAME. */
static char **
merge_env(char **env, char **add, size_t n_add)
{
	size_t n = strv_len(env);
	char **out = xcalloc(n + n_add + 1, sizeof(*out));
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		size_t name = strcspn(env[i], "=");
		bool replaced = false;

		for (size_t j = 0; j < n_add && !replaced; j++)
			replaced = strncmp(add[j], env[i], name + 1) == 0;
		if (!replaced)
			out[k++] = xstrdup(env[i]);
	}
	for (size_t j = 0; j < n_add; j++) {
		size_t name = strcspn(add[j], "=");
		bool later = false;

		/* The same name given twice: the last one wins. */
		for (size_t l = j + 1; l < n_add && !later; l++)
			later = strncmp(add[l], add[j], name + 1) == 0;
		if (!later)
			out[k++] = xstrdup(add[j]);
	}
	return out;
}

static int
apply_overrides(struct spec_process *p, const struct exec_opts *o, struct hutch_error *err)
{
	char **env = merge_env(p->env, o->env, o->n_env);

	strv_free(p->args);
	p->args = strv_copy(o->args, strv_len(o->args));
	strv_free(p->env);
	p->env = env;
	p->terminal = o->tty;
	if (o->cwd) {
		free(p->cwd);
		p->cwd = xstrdup(o->cwd);
	}
	if (o->has_user) {
		p->user.uid = o->uid;
		p->user.gid = o->has_gid ? o->gid : 0;
	}
	if (o->n_additional_gids) {
		free(p->user.additional_gids);
		p->user.additional_gids = xcalloc(o->n_additional_gids, sizeof(uint32_t));
		memcpy(p->user.additional_gids, o->additional_gids,
		       o->n_additional_gids * sizeof(uint32_t));
		p->user.n_additional_gids = o->n_additional_gids;
	}
	for (size_t i = 0; i < o->n_caps; i++) {
		int cap;

		if (spec_cap_from_name(o->caps[i], &cap) < 0)
			return error_msg(err, EINVAL, "--cap: unknown capability '%s'", o->caps[i]);
		p->caps[SPEC_CAP_BOUNDING] |= 1ULL << cap;
		p->caps[SPEC_CAP_EFFECTIVE] |= 1ULL << cap;
		p->caps[SPEC_CAP_PERMITTED] |= 1ULL << cap;
	}
	if (o->no_new_privs)
		p->no_new_privileges = true;
	return 0;
}

static int
build_process(struct exec *x, struct spec *spec, struct hutch_error *err)
{
	const struct exec_opts *o = x->opts;
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r;

	if (o->process_file) {
		r = read_file_at(AT_FDCWD, o->process_file, SPEC_MAX_FILE_SIZE, &text, &len, err);
		if (r < 0)
			return r;
		r = spec_process_parse(text, len, &x->process, err);
		if (r < 0)
			error_prefix(err, "--process '%s': ", o->process_file);
		return r;
	}
	if (!o->args || !o->args[0])
		return error_msg(err, EINVAL, "exec: a command is required (or --process)");
	x->process = TAKE_PTR(spec->process);
	return apply_overrides(x->process, o, err);
}

/* Open the init's namespaces that differ from ours, then check the init is
 * still the process the state names: the fds then hold the right ones. */
static int
open_namespaces(struct exec *x, struct hutch_error *err)
{
	pid_t pid = x->state->pid;
	uint64_t start;
	bool zombie = false;

	for (int t = 0; t < SPEC_NS_COUNT; t++) {
		char path[64];
		int fd;

		snprintf(path, sizeof(path), "/proc/%d/ns/%s", pid, namespace_proc_name(t));
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 && errno != ENOENT)
			return error_sys(err, errno, "open '%s'", path);
		if (fd >= 0 && namespace_is_ours(fd, t))
			close(fd); /* ours already: nothing to join */
		else
			x->sb.ns_fds[t] = fd;
	}
	if (state_proc_start_time(pid, &start, &zombie) < 0 || zombie ||
	    start != x->state->start_time)
		return error_msg(err, ESRCH, STATE_MSG_NOT_RUNNING);
	return 0;
}

/* exe-guard.h: in a container of our user namespace whose processes may
 * hold CAP_SYS_PTRACE, go on from a sealed copy of hutch. */
static int
guard_exe(struct exec *x, struct hutch_error *err)
{
	bool guarded;
	int r;

	if (x->sb.ns_fds[SPEC_NS_USER] >= 0)
		return 0; /* another user namespace: non-dumpable is enough */
	r = x->guard_fd = exe_guard_open(x->state_fd, &guarded, err);
	if (r < 0)
		return r;
	if (!guarded && (x->config_may_ptrace || exe_guard_process_may_ptrace(x->process))) {
		if (x->status == STATUS_CREATED)
			return error_msg(
			    err, EPERM,
			    "exec: a process with CAP_SYS_PTRACE could reach the runtime's "
			    "binary through the container's init until it is started; "
			    "start the container first, or give it CAP_SYS_PTRACE in "
			    "config.json");
		r = exe_guard_upgrade(x->guard_fd, err);
		if (r < 0)
			return r;
		guarded = true;
	}
	/* Guarded: the process in the container gets a memory of its own too
	 * (sandbox.h own_memory), set in init_sandbox from x->guarded. */
	x->guarded = guarded;
	if (!guarded || exe_guard_active())
		return 0;
	return exe_guard_reexec(NULL, err);
}

static int
open_console(struct exec *x, struct hutch_error *err)
{
	const struct exec_opts *o = x->opts;

	if (!x->process->terminal) {
		if (o->console_socket)
			return error_msg(err, EINVAL, "--console-socket: needs --tty");
		return 0;
	}
	if (o->console_socket) {
		x->console[1] = terminal_connect(o->console_socket, err);
		return x->console[1] < 0 ? x->console[1] : 0;
	}
	if (o->detach)
		return error_msg(err, EINVAL, "--tty with --detach needs --console-socket");
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, x->console) < 0)
		return error_sys(err, errno, "socketpair for the terminal");
	return 0;
}

/* The runtime-spec's "container process state" for a seccomp listener:
 * the state of the container (running) with its metadata. */
static char *
seccomp_state_json(struct exec *x, const struct spec_seccomp *s)
{
	_cleanup_free_ char *state = launch_state_json(x->state, STATUS_RUNNING, false);
	json_t *j = json_pack("{s:s, s:[s], s:i, s:s, s:o?}", "ociVersion", STATE_OCI_VERSION,
	                      "fds", "seccompFd", "pid", (int)x->state->pid, "metadata",
	                      s->listener_metadata ? s->listener_metadata : "", "state",
	                      state ? json_loads(state, 0, NULL) : NULL);
	char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;

	json_decref(j);
	return text;
}

/* The container's filter binds exec'd processes too. */
static int
prepare_seccomp(struct exec *x, const struct spec *spec, struct hutch_error *err)
{
	const struct spec_seccomp *s = spec->linux.seccomp;
	int r;

	if (!s)
		return 0;
	r = seccomp_program_compile_cached(x->opts->root, s, &x->seccomp, err);
	if (r < 0)
		return r;
	x->sb.seccomp = &x->seccomp;
	if (x->seccomp.notify) {
		r = x->seccomp_listener = seccomp_listener_connect(s->listener_path, err);
		if (r < 0)
			return r;
		x->seccomp_state = seccomp_state_json(x, s);
	}
	x->sb.seccomp_listener = x->seccomp_listener;
	return 0;
}

static void
init_sandbox(struct exec *x, const sigset_t *mask)
{
	struct sandbox *sb = &x->sb;

	sb->process = x->process;
	x->home_env = process_env_reserve_home(x->process->env);
	sb->fill_home = x->home_env != NULL;
	lsm_labels_for(x->process, &sb->lsm);
	sb->exec_env = sb->fill_home ? x->home_env : x->process->env;
	sb->userns = sb->ns_fds[SPEC_NS_USER] >= 0;
	sb->sync_fd = x->sync[1];
	sb->console_fd = x->console[1];
	sb->parent_fds[0] = x->sync[0];
	sb->parent_fds[1] = x->console[0];
	sb->parent_fds[2] = -1;
	sb->start_fd = -1;
	sb->seccomp_state = &x->seccomp_state;
	sb->hook_state = &x->seccomp_state; /* unused: exec runs no hooks */
	sb->preserve_fds = x->opts->preserve_fds;
	sb->sigmask = *mask;
	sb->child_fn = sandbox_exec_child;
	sb->own_memory = x->guarded;
	sb->seccomp_listener = -1;
}

static int
start_process(struct exec *x, struct hutch_error *err)
{
	struct sync_msg msg;
	int r;

	/* Not dumpable while our image is in the container: see launch.c. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return error_sys(err, errno, "prctl(PR_SET_DUMPABLE)");
	r = cgroup_entry_open_like(x->state->pid, &x->cgroup_entry, err);
	if (r < 0 && r != -E2BIG)
		return r;
	x->sb.cgroup_entry = r == 0 ? &x->cgroup_entry : NULL;
	r = sandbox_spawn(&x->sb, true, x->sync[0], &x->stack, &x->pid, err);
	x->sync[1] = -1;
	if (r < 0)
		return r;
	/* Into the init's cgroups before it may run anything (and fork out of
	 * reach of the container's limits): by itself, unless clone3 is
	 * missing (sandbox_spawn()). */
	if (!x->sb.cgroup_entry && (r = cgroup_enter_like(x->state->pid, x->pid, err)) < 0)
		return r;
	r = process_set_oom_score_adj(x->pid, x->process, err);
	if (r < 0)
		return r;
	if (sync_send(x->sync[0], SYNC_GO, 0, NULL) < 0)
		return error_msg(err, EPROTO, "the process died before it started");
	/* End-of-file: it exec'd (its end of the socket is close-on-exec). */
	r = sync_recv(x->sync[0], &msg, err);
	if (r < 0)
		return r;
	if (r == 1 && msg.type == SYNC_ERROR) {
		*err = msg.err;
		return -err->code;
	}
	return 0;
}

static int
wait_process(struct exec *x, int sigfd, struct hutch_error *err)
{
	_cleanup_close_ int master = -1;
	int status;

	if (x->console[0] >= 0) {
		master = terminal_recv_master(x->console[0], err);
		if (master < 0)
			return master;
		status = terminal_relay(master, x->pid, sigfd, err);
	} else {
		status = container_wait_forwarding(x->pid, sigfd, err);
	}
	x->pid = 0;
	if (status < 0)
		return status;
	return container_exit_status(status);
}

static void
release(struct exec *x)
{
	if (x->pid > 0) {
		kill(x->pid, SIGKILL);
		waitpid(x->pid, NULL, 0);
	}
	for (int t = 0; t < SPEC_NS_COUNT; t++)
		if (x->sb.ns_fds[t] >= 0)
			close(x->sb.ns_fds[t]);
	for (int i = 0; i < 2; i++) {
		if (x->sync[i] >= 0)
			close(x->sync[i]);
		if (x->console[i] >= 0)
			close(x->console[i]);
	}
	sandbox_free_stack(x->stack);
	seccomp_program_release(&x->seccomp);
	free(x->seccomp_state);
	if (x->seccomp_listener >= 0)
		close(x->seccomp_listener);
	spec_process_free(x->process);
	state_free(x->state);
	if (x->guard_fd >= 0)
		close(x->guard_fd);
	if (x->state_fd >= 0)
		close(x->state_fd);
	cgroup_entry_close(&x->cgroup_entry);
	free(x->home_env);
}

int
container_exec(const struct exec_opts *opts, struct hutch_error *err)
{
	struct exec x = {.opts = opts,
	                 .sync = {-1, -1},
	                 .console = {-1, -1},
	                 .seccomp_listener = -1,
	                 .state_fd = -1,
	                 .guard_fd = -1,
	                 .cgroup_entry = {.dir_fd = -1}};
	_cleanup_close_ int sigfd = -1;
	struct spec *spec = NULL;
	sigset_t mask;
	int r;

	for (int t = 0; t < SPEC_NS_COUNT; t++)
		x.sb.ns_fds[t] = -1;
	r = load_container(&x, &spec, err);
	if (r == 0)
		r = build_process(&x, spec, err);
	if (r < 0 || (r = open_namespaces(&x, err)) < 0 || (r = guard_exe(&x, err)) < 0 ||
	    (r = sync_pair(x.sync, err)) < 0 || (r = open_console(&x, err)) < 0 ||
	    (r = sigfd = container_block_signals(&mask, err)) < 0)
		goto out;
	init_sandbox(&x, &mask);
	r = prepare_seccomp(&x, spec, err);
	if (r < 0)
		goto out;
	r = start_process(&x, err);
	if (r < 0)
		goto out;
	if (x.guard_fd >= 0)
		close(TAKE_FD(x.guard_fd)); /* it has exec'd */
	if (opts->pid_file && (r = launch_write_pid_file(opts->pid_file, x.pid, err)) < 0)
		goto out;
	if (opts->detach) {
		x.pid = 0;
		r = 0;
		goto out;
	}
	r = wait_process(&x, sigfd, err);
out:
	spec_free(spec);
	release(&x);
	return r;
}
