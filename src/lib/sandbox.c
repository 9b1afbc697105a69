#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/close_range.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <linux/magic.h>

#include "caps.h"
#include "cgroup.h"
#include "clone3.h"
#include "devices.h"
#include "hooks.h"
#include "mount.h"
#include "namespace.h"
#include "process.h"
#include "seccomp.h"
#include "sync.h"
#include "terminal.h"
#include "util.h"
#include "banned.h"

struct sandbox_shared *
sandbox_shared_new(void)
{
	void *p = mmap(NULL, SANDBOX_SHARED_SIZE, PROT_READ | PROT_WRITE,
	               MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

void
sandbox_shared_free(struct sandbox_shared *shared)
{
	if (shared)
		munmap(shared, SANDBOX_SHARED_SIZE);
}

int
sandbox_shared_put(struct sandbox_shared *shared, const char *hook, const char *seccomp,
                   struct hutch_error *err)
{
	size_t hook_len = hook ? strlen(hook) : 0, seccomp_len = seccomp ? strlen(seccomp) : 0;

	if (sizeof(*shared) + hook_len + seccomp_len + 2 > SANDBOX_SHARED_SIZE)
		return error_msg(err, E2BIG, "the container's state is larger than %u bytes",
		                 SANDBOX_SHARED_SIZE);
	memcpy(shared->data, hook ? hook : "", hook_len + 1);
	memcpy(shared->data + hook_len + 1, seccomp ? seccomp : "", seccomp_len + 1);
	shared->hook_len = hook_len;
	shared->seccomp_len = seccomp_len;
	return 0;
}

static const char *
hook_state_of(const struct sandbox *sb)
{
	if (sb->shared)
		return sb->shared->data;
	return *sb->hook_state ? *sb->hook_state : "{}";
}

static const char *
seccomp_state_of(const struct sandbox *sb)
{
	const char *s;

	if (!sb->shared)
		return *sb->seccomp_state ? *sb->seccomp_state : "{}";
	s = sb->shared->data + sb->shared->hook_len + 1;
	return *s ? s : "{}";
}

static int
set_names(const struct spec *spec, struct hutch_error *err)
{
	if (spec->hostname && sethostname(spec->hostname, strlen(spec->hostname)) < 0)
		return error_sys(err, errno, "hostname: sethostname '%s'", spec->hostname);
	if (spec->domainname && setdomainname(spec->domainname, strlen(spec->domainname)) < 0)
		return error_sys(err, errno, "domainname: setdomainname '%s'", spec->domainname);
	return 0;
}

static int
apply_sysctl(const struct spec_linux *linux, struct hutch_error *err)
{
	int r;

	for (size_t i = 0; i < linux->n_sysctl; i++) {
		const struct spec_key_value *kv = &linux->sysctl[i];
		_cleanup_free_ char *path = xasprintf("/proc/sys/%s", kv->key);

		/* net.ipv4.conf.eth0/1 style names keep their '/' as '.' */
		for (char *c = path + 10; *c; c++)
			if (*c == '.')
				*c = '/';
		r = write_proc_file(path, kv->value, err);
		if (r < 0) {
			error_prefix(err, "linux.sysctl '%s': ", kv->key);
			return r;
		}
	}
	return 0;
}

static bool
setgroups_allowed(const struct sandbox *sb)
{
	_cleanup_free_ char *s = NULL;
	struct hutch_error ignored;

	if (!sb->userns)
		return true;
	if (read_file_at(AT_FDCWD, "/proc/self/setgroups", 64, &s, NULL, &ignored) < 0)
		return true;
	return strncmp(s, "allow", 5) == 0;
}

static int
wait_for(int fd, enum sync_type type, struct hutch_error *err)
{
	struct sync_msg msg;
	int r = sync_recv(fd, &msg, err);

	if (r < 0)
		return r;
	if (r == 0 || msg.type != (int)type)
		return error_msg(err, EPROTO, "the runtime went away during setup");
	return 0;
}

/* prestart and createRuntime run in the runtime's namespaces, so the
 * parent runs them while we wait; createContainer runs here, in the
 * container's mount namespace before pivot_root. */
static int
run_create_hooks(const struct sandbox *sb, struct hutch_error *err)
{
	const struct spec_hook_list *hooks = sb->spec->hooks;
	int r;

	if (hooks[SPEC_HOOK_PRESTART].n || hooks[SPEC_HOOK_CREATE_RUNTIME].n) {
		if (sync_send(sb->sync_fd, SYNC_HOOKS, 0, NULL) < 0)
			return error_msg(err, EPROTO, "the runtime went away during setup");
		r = wait_for(sb->sync_fd, SYNC_GO, err);
		if (r < 0)
			return r;
	}
	return hooks_run(&hooks[SPEC_HOOK_CREATE_CONTAINER], SPEC_HOOK_CREATE_CONTAINER,
	                 hook_state_of(sb), err);
}

/* Everything up to pivot_root: the root filesystem and its devices. */
static int
build_rootfs(const struct sandbox *sb, struct hutch_error *err)
{
	_cleanup_close_ int rootfd = mount_prepare_rootfs(sb, err);
	int r;

	if (rootfd < 0)
		return rootfd;
	r = mount_spec_mounts(sb, rootfd, err);
	if (r < 0)
		return r;
	r = devices_create(sb, rootfd, err);
	if (r < 0)
		return r;
	r = run_create_hooks(sb, err);
	if (r < 0)
		return r;
	return mount_pivot_root(sb->rootfs, sb->no_pivot, err);
}

/* In a new user namespace we still carry the host's uid 0, which is not
 * mapped there: files we create would fail with EOVERFLOW.  Become the
 * namespace's root first (the maps are written by now). */
static int
become_root(const struct sandbox *sb, struct hutch_error *err)
{
	if (!sb->userns)
		return 0;
	if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
		return error_sys(err, errno, "become root in the user namespace (is 0 mapped?)");
	return 0;
}

/* The filter is the last thing before execve().  Without no_new_privs the
 * kernel demands CAP_SYS_ADMIN to install it, which the process may be
 * about to drop: then it goes in just before the capabilities change. */
static int
load_seccomp(const struct sandbox *sb, bool early, struct hutch_error *err)
{
	if (!sb->seccomp || early == sb->process->no_new_privileges)
		return 0;
	return seccomp_program_load(sb->seccomp, sb->seccomp_listener, seccomp_state_of(sb), err);
}

/* execve() keeps ignored signals ignored: whatever our caller ignored
 * (a shell's SIGINT in the background, say) must not reach the
 * container's process.  Handlers need no reset: execve() drops them. */
static void
reset_signals(const sigset_t *mask)
{
	struct sigaction dfl = {.sa_handler = SIG_DFL};

	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaction(sig, &dfl, NULL); /* EINVAL for libc's own: fine */
	sigprocmask(SIG_SETMASK, mask, NULL);
}

static int
setup(const struct sandbox *sb, struct hutch_error *err)
{
	const struct spec *spec = sb->spec;
	const struct spec_process *p = sb->process;
	int r;

	if (sb->new_cgroup_ns && unshare(CLONE_NEWCGROUP) < 0)
		return error_sys(err, errno, "create the cgroup namespace");
	if ((sb->new_ns_flags & CLONE_NEWNET) && namespace_loopback_up(err) < 0)
		return -err->code;
	/* sysctl before mount_finish: /proc/sys is usually a read-only path. */
	if ((r = become_root(sb, err)) < 0 || (r = build_rootfs(sb, err)) < 0 ||
	    (r = apply_sysctl(&spec->linux, err)) < 0 || (r = mount_finish(sb, err)) < 0 ||
	    (r = set_names(spec, err)) < 0)
		return r;
	/* HOME from the image's /etc/passwd: still root, no filter yet. */
	if (sb->fill_home)
		process_fill_home((char **)sb->exec_env, p->user.uid);
	if (sb->console_fd >= 0 && (r = terminal_setup(p, sb->console_fd, err)) < 0)
		return r;
	if ((r = process_apply_privileged(p, err)) < 0 || (r = lsm_apply(&sb->lsm, err)) < 0 ||
	    (r = load_seccomp(sb, true, err)) < 0 || (r = caps_prepare_uid_switch(p, err)) < 0 ||
	    (r = process_set_ids(p, setgroups_allowed(sb), err)) < 0 ||
	    (r = caps_apply(p, err)) < 0 || (r = process_apply_final(p, err)) < 0)
		return r;
	return 0;
}

/* Block until `start` (create) or the parent (run) says go.  *fd becomes
 * the channel for a later failure: `start`'s connection when there is one. */
static int
wait_for_start(const struct sandbox *sb, int *fd, struct hutch_error *err)
{
	int conn;

	if (sb->start_fd < 0)
		return wait_for(sb->sync_fd, SYNC_START, err);
	do
		conn = accept4(sb->start_fd, NULL, NULL, SOCK_CLOEXEC);
	while (conn < 0 && errno == EINTR);
	if (conn < 0)
		return error_sys(err, errno, "wait for start");
	*fd = conn;
	return wait_for(conn, SYNC_START, err);
}

/* Close every fd the caller left us but --preserve-fds, stdio and our own:
 * a created container waits for `start` for as long as an engine likes,
 * and must not hold a host directory open meanwhile. */
static void
close_caller_fds(const struct sandbox *sb)
{
	const int keep[] = {sb->sync_fd, sb->start_fd, sb->console_fd, sb->seccomp_listener};
	unsigned int from = 3 + (unsigned int)sb->preserve_fds;

	for (;;) {
		unsigned int next = ~0U;

		for (size_t i = 0; i < ARRAY_SIZE(keep); i++)
			if (keep[i] >= 0 && (unsigned int)keep[i] >= from &&
			    (unsigned int)keep[i] < next)
				next = (unsigned int)keep[i];
		for (size_t i = 0; sb->idmap_fds && i < sb->spec->n_mounts; i++)
			if (sb->idmap_fds[i] >= 0 && (unsigned int)sb->idmap_fds[i] >= from &&
			    (unsigned int)sb->idmap_fds[i] < next)
				next = (unsigned int)sb->idmap_fds[i];
		if (next > from)
			close_range(from, next - 1, 0);
		if (next == ~0U)
			return;
		from = next + 1;
	}
}

/* The process is PID 1 of its pid namespace: the kernel drops any signal
 * it has no handler for, so a created container would ignore `kill ID`
 * (SIGTERM).  Until it execs, these end it; execve() resets them. */
static void
die_of_signal(int sig)
{
	sync_exit(128 + sig);
}

static void
catch_termination(void)
{
	static const int sigs[] = {SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGALRM};
	struct sigaction sa = {.sa_handler = die_of_signal};

	for (size_t i = 0; i < ARRAY_SIZE(sigs); i++)
		sigaction(sigs[i], &sa, NULL);
}

int
sandbox_child(void *arg)
{
	const struct sandbox *sb = arg;
	struct hutch_error err = {0};
	char path[PATH_MAX];
	int fd = sb->sync_fd; /* where a failure is reported */

	for (size_t i = 0; i < ARRAY_SIZE(sb->parent_fds); i++)
		if (sb->parent_fds[i] >= 0)
			close(sb->parent_fds[i]);
	close_caller_fds(sb);
	catch_termination();
	if (wait_for(sb->sync_fd, SYNC_GO, &err) < 0 || setup(sb, &err) < 0 ||
	    process_find(sb->process, sb->exec_env, path, &err) < 0)
		sync_fail(sb->sync_fd, &err);
	if (sync_send(sb->sync_fd, SYNC_READY, 0, NULL) < 0 || wait_for_start(sb, &fd, &err) < 0 ||
	    hooks_run(&sb->spec->hooks[SPEC_HOOK_START_CONTAINER], SPEC_HOOK_START_CONTAINER,
	              hook_state_of(sb), &err) < 0 ||
	    load_seccomp(sb, false, &err) < 0)
		sync_fail(fd, &err);
	/* Only stdio and --preserve-fds cross into the container: whatever
	 * else our caller left open must not leak the host into it. */
	if (close_range(3 + (unsigned)sb->preserve_fds, ~0U, CLOSE_RANGE_CLOEXEC) < 0) {
		error_sys(&err, errno, "close_range");
		sync_fail(fd, &err);
	}
	/* Signals the runtime blocked to forward them are ours again. */
	reset_signals(&sb->sigmask);
	execve(path, sb->process->args, sb->exec_env);
	error_sys(&err, errno, "exec '%s'", sb->process->args[0]);
	sync_fail(fd, &err);
	return 1;
}

/* An exec'd process: already in the container's namespaces (the join
 * helper put it there) and cgroups (the parent, before SYNC_GO); only the
 * process's own settings are left, in the same order as for the init. */
int
sandbox_exec_child(void *arg)
{
	const struct sandbox *sb = arg;
	const struct spec_process *p = sb->process;
	struct hutch_error err = {0};
	char path[PATH_MAX];
	int r;

	for (size_t i = 0; i < ARRAY_SIZE(sb->parent_fds); i++)
		if (sb->parent_fds[i] >= 0)
			close(sb->parent_fds[i]);
	close_caller_fds(sb);
	/* HOME from the image's /etc/passwd (already in its mount namespace):
	 * before the filter and the uid switch. */
	if (sb->fill_home)
		process_fill_home((char **)sb->exec_env, p->user.uid);
	if ((r = wait_for(sb->sync_fd, SYNC_GO, &err)) < 0 || (r = become_root(sb, &err)) < 0 ||
	    (sb->console_fd >= 0 && (r = terminal_setup(p, sb->console_fd, &err)) < 0) ||
	    (r = process_apply_privileged(p, &err)) < 0 || (r = lsm_apply(&sb->lsm, &err)) < 0 ||
	    (r = load_seccomp(sb, true, &err)) < 0 || (r = caps_prepare_uid_switch(p, &err)) < 0 ||
	    (r = process_set_ids(p, setgroups_allowed(sb), &err)) < 0 ||
	    (r = caps_apply(p, &err)) < 0 || (r = process_apply_final(p, &err)) < 0 ||
	    (r = process_find(p, sb->exec_env, path, &err)) < 0 ||
	    (r = load_seccomp(sb, false, &err)) < 0)
		sync_fail(sb->sync_fd, &err);
	if (close_range(3 + (unsigned)sb->preserve_fds, ~0U, CLOSE_RANGE_CLOEXEC) < 0) {
		error_sys(&err, errno, "close_range");
		sync_fail(sb->sync_fd, &err);
	}
	reset_signals(&sb->sigmask);
	execve(path, p->args, sb->exec_env);
	error_sys(&err, errno, "exec '%s'", p->args[0]);
	sync_fail(sb->sync_fd, &err);
	return 1;
}

#define CHILD_STACK_SIZE (256 * 1024)

int
sandbox_join_helper(void *arg)
{
	const struct sandbox *sb = arg;
	struct hutch_error err = {0};
	static char stack[CHILD_STACK_SIZE] __attribute__((aligned(16)));
	int flags = sb->new_ns_flags | SIGCHLD | CLONE_PARENT;
	pid_t pid;

	if (namespace_join(sb->ns_fds, &err) < 0)
		sync_fail(sb->sync_fd, &err);
	/* A process cannot share its memory with one in another time
	 * namespace (the vDSO differs): only then pay for a real copy. */
	if (sb->new_time_ns) {
		if (namespace_new_time(&sb->spec->linux, &err) < 0)
			sync_fail(sb->sync_fd, &err);
	} else if (!sb->own_memory) {
		flags |= CLONE_VM;
	}
	pid = clone(sb->child_fn, stack + sizeof(stack), flags, arg);
	if (pid < 0) {
		error_sys(&err, errno, "clone the container process");
		sync_fail(sb->sync_fd, &err);
	}
	sync_send(sb->sync_fd, SYNC_PID, pid, NULL);
	sync_exit(0);
	return 0;
}

/* The child runs on its own stack in our address space (CLONE_VM): no
 * page-table copy, which is what makes fork() cost milliseconds on a VM. */
#define SPAWN_STACK_SIZE (1024 * 1024)

void
sandbox_free_stack(void *stack)
{
	if (stack)
		munmap(stack, SPAWN_STACK_SIZE);
}

/* The first thing the spawned process does: enter its v1 cgroups. */
static void
enter_cgroups(const struct sandbox *sb)
{
	struct hutch_error err = {0};

	if (sb->cgroup_entry && cgroup_entry_join_self(sb->cgroup_entry, &err) < 0)
		sync_fail(sb->sync_fd, &err);
}

static int
spawned_child(void *arg)
{
	const struct sandbox *sb = arg;

	enter_cgroups(sb);
	return sb->child_fn(arg);
}

static int
spawned_helper(void *arg)
{
	enter_cgroups(arg);
	return sandbox_join_helper(arg);
}

/* clone(), or clone3() into the cgroup2 directory of sb->cgroup_entry. */
static pid_t
spawn_clone(struct sandbox *sb, int (*fn)(void *), void *stack, int flags)
{
	if (sb->cgroup_entry && sb->cgroup_entry->dir_fd >= 0) {
		struct clone_args args = {
		    .flags = (unsigned)(flags & ~CSIGNAL) | CLONE_INTO_CGROUP,
		    .exit_signal = (unsigned)(flags & CSIGNAL),
		    .stack = (uintptr_t)stack,
		    .stack_size = SPAWN_STACK_SIZE,
		    .cgroup = (unsigned)sb->cgroup_entry->dir_fd,
		};
		pid_t pid = clone3_run(&args, fn, sb);

		/* ENOSYS: no clone3 (< 5.3, or a seccomp profile); E2BIG: no
		 * CLONE_INTO_CGROUP (< 5.7); EPERM: an older profile; EAGAIN:
		 * the cgroup is at pids.max (a fork into it is charged, a
		 * move is not: exec must still get in, to clean up); EBUSY:
		 * the cgroup is changing.  The caller then moves the pid the
		 * old way. */
		if (pid >= 0 || (errno != ENOSYS && errno != E2BIG && errno != EPERM &&
		                 errno != EAGAIN && errno != EBUSY))
			return pid;
		sb->cgroup_entry = NULL;
	}
	return clone(fn, (char *)stack + SPAWN_STACK_SIZE, flags, sb);
}

int
sandbox_spawn(struct sandbox *sb, bool helper, int parent_sync, void **stack, pid_t *pid,
              struct hutch_error *err)
{
	int flags = SIGCHLD | (helper ? 0 : sb->new_ns_flags);
	struct sync_msg msg;
	pid_t child;
	int r;

	/* Joining a time namespace needs a process that shares its memory
	 * with no other (setns fails with EUSERS): only then pay for a copy;
	 * and when the exe guard wants it (sb->own_memory). */
	if (!(helper && sb->ns_fds[SPEC_NS_TIME] >= 0) && !sb->own_memory)
		flags |= CLONE_VM;
	*stack = mmap(NULL, SPAWN_STACK_SIZE, PROT_READ | PROT_WRITE,
	              MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (*stack == MAP_FAILED) {
		*stack = NULL;
		return error_sys(err, errno, "allocate the child's stack");
	}
	child = spawn_clone(sb, helper ? spawned_helper : spawned_child, *stack, flags);
	if (child < 0)
		return error_sys(err, errno, "clone the container process");
	/* The child reads *sb (shared memory): change nothing in it now. */
	close(sb->sync_fd);
	*pid = child;
	if (!helper)
		return 0;

	/* The helper joins the namespaces, clones the process as our child
	 * (CLONE_PARENT) and tells us its pid. */
	r = sync_recv(parent_sync, &msg, err);
	waitpid(child, NULL, 0);
	*pid = 0;
	if (r < 0)
		return r;
	if (r == 0)
		return error_msg(err, EPROTO, "the namespace helper died");
	if (msg.type == SYNC_ERROR) {
		*err = msg.err;
		return -err->code;
	}
	*pid = msg.value;
	return 0;
}
