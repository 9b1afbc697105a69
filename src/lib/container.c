#include "container.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "namespace.h"
#include "sandbox.h"
#include "spec.h"
#include "sync.h"
#include "util.h"
#include "banned.h"

/* The container process runs on its own stack in our address space
 * (CLONE_VM): no page-table copy, which is what makes fork() cost
 * milliseconds on a VM. */
#define CHILD_STACK_SIZE (1024 * 1024)

/* Signals hutch passes on to the container process while it waits. */
static const int forwarded_signals[] = {SIGINT, SIGTERM, SIGHUP,  SIGQUIT,
					SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT};

int
container_check_id(const char *id, struct hutch_error *err)
{
	size_t len = strlen(id);

	if (len == 0 || len > 1024 || strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
		return error_msg(err, EINVAL, "invalid container id '%.64s'", id);
	for (const char *c = id; *c; c++)
		if (!(*c >= 'a' && *c <= 'z') && !(*c >= 'A' && *c <= 'Z') &&
		    !(*c >= '0' && *c <= '9') && !strchr("_.+-", *c))
			return error_msg(err, EINVAL, "invalid container id '%.64s'", id);
	return 0;
}

struct run {
	const struct container_opts *opts;
	struct spec *spec;
	char *bundle;
	char *rootfs;
	char *state_dir;
	struct sandbox sb;
	int sync[2];
	void *stack;
	pid_t pid; /* the container process */
};

static void
run_release(struct run *run)
{
	if (run->state_dir) {
		rmdir(run->state_dir);
		free(run->state_dir);
	}
	namespace_close_fds(run->sb.ns_fds);
	for (int i = 0; i < 2; i++)
		if (run->sync[i] >= 0)
			close(run->sync[i]);
	if (run->stack)
		munmap(run->stack, CHILD_STACK_SIZE);
	spec_free(run->spec);
	free(run->bundle);
	free(run->rootfs);
}

/* Everything that can be checked without side effects: the config, the
 * rootfs, the namespace files. */
static int
validate(struct run *run, struct hutch_error *err)
{
	const struct spec_linux *linux;
	_cleanup_free_ char *root = NULL;
	struct stat st;
	int r;

	r = container_check_id(run->opts->id, err);
	if (r < 0)
		return r;
	run->bundle = realpath(run->opts->bundle ? run->opts->bundle : ".", NULL);
	if (!run->bundle)
		return error_sys(err, errno, "bundle '%s'", run->opts->bundle ? run->opts->bundle : ".");
	r = spec_load(run->bundle, &run->spec, err);
	if (r < 0)
		return r;
	linux = &run->spec->linux;
	if (!run->spec->process)
		return error_msg(err, EINVAL, "process: required to run a container");
	if (!linux->namespaces[SPEC_NS_MOUNT].present)
		return error_msg(err, EINVAL, "linux.namespaces: a mount namespace is required");
	if (run->spec->hostname && !linux->namespaces[SPEC_NS_UTS].present)
		return error_msg(err, EINVAL, "hostname: requires a uts namespace");
	root = run->spec->root_path[0] == '/'
		       ? xstrdup(run->spec->root_path)
		       : xasprintf("%s/%s", run->bundle, run->spec->root_path);
	run->rootfs = realpath(root, NULL);
	if (!run->rootfs || stat(run->rootfs, &st) < 0)
		return error_sys(err, errno, "root.path: rootfs '%s'", root);
	if (!S_ISDIR(st.st_mode))
		return error_msg(err, ENOTDIR, "root.path: rootfs '%s' is not a directory", root);
	return namespace_open_paths(linux, run->sb.ns_fds, err);
}

static int
make_state_dir(struct run *run, struct hutch_error *err)
{
	char *dir = xasprintf("%s/%s", run->opts->root, run->opts->id);
	int r = mkdir_p(run->opts->root, 0711, err);

	if (r < 0) {
		free(dir);
		return r;
	}
	if (mkdir(dir, 0711) < 0) {
		int e = errno;

		free(dir);
		if (e == EEXIST)
			return error_msg(err, EEXIST, "container with id '%s' already exists",
					 run->opts->id);
		return error_sys(err, e, "mkdir '%s/%s'", run->opts->root, run->opts->id);
	}
	run->state_dir = dir;
	return 0;
}

static bool
needs_join_helper(const struct spec_linux *linux)
{
	for (int t = 0; t < SPEC_NS_COUNT; t++)
		if (linux->namespaces[t].present && (linux->namespaces[t].path || t == SPEC_NS_TIME))
			return true;
	return false;
}

/* Start the container process; on return run->pid is set and it waits for
 * SYNC_GO. */
static int
spawn(struct run *run, struct hutch_error *err)
{
	const struct spec_linux *linux = &run->spec->linux;
	struct sandbox *sb = &run->sb;
	bool helper = needs_join_helper(linux);
	int (*fn)(void *) = helper ? sandbox_join_helper : sandbox_child;
	int flags = CLONE_VM | SIGCHLD | (helper ? 0 : sb->new_ns_flags);
	struct sync_msg msg;
	pid_t pid;
	int r;

	run->stack = mmap(NULL, CHILD_STACK_SIZE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (run->stack == MAP_FAILED) {
		run->stack = NULL;
		return error_sys(err, errno, "allocate the child's stack");
	}
	pid = clone(fn, (char *)run->stack + CHILD_STACK_SIZE, flags, sb);
	if (pid < 0)
		return error_sys(err, errno, "clone the container process");
	close(TAKE_FD(run->sync[1]));
	run->pid = pid;
	if (!helper)
		return 0;

	/* The helper joins the namespaces, clones the container process as
	 * our child (CLONE_PARENT) and tells us its pid. */
	r = sync_recv(run->sync[0], &msg, err);
	waitpid(pid, NULL, 0);
	run->pid = 0;
	if (r < 0)
		return r;
	if (r == 0)
		return error_msg(err, EPROTO, "the namespace helper died");
	if (msg.type == SYNC_ERROR) {
		*err = msg.err;
		return -err->code;
	}
	run->pid = msg.value;
	return 0;
}

static int
write_pid_file(const char *path, pid_t pid, struct hutch_error *err)
{
	_cleanup_free_ char *tmp = xasprintf("%s.hutch-tmp", path);
	char buf[16];
	_cleanup_close_ int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0)
		return error_sys(err, errno, "--pid-file '%s'", path);
	snprintf(buf, sizeof(buf), "%d", pid);
	if (write_all(fd, buf, strlen(buf)) < 0 || rename(tmp, path) < 0) {
		unlink(tmp);
		return error_sys(err, errno, "--pid-file '%s'", path);
	}
	return 0;
}

/* Let the container process go and wait until it has exec'd: EOF on the
 * sync socket, whose child end is close-on-exec. */
static int
release_and_wait_exec(struct run *run, struct hutch_error *err)
{
	struct sync_msg msg;
	int r;

	if (run->sb.userns && run->sb.ns_fds[SPEC_NS_USER] < 0) {
		r = namespace_write_id_maps(run->pid, &run->spec->linux, err);
		if (r < 0)
			return r;
	}
	if (sync_send(run->sync[0], SYNC_GO, 0, NULL) < 0)
		return error_msg(err, EPROTO, "the container process died during setup");
	r = sync_recv(run->sync[0], &msg, err);
	if (r < 0)
		return r;
	if (r == 1 && msg.type == SYNC_ERROR) {
		*err = msg.err;
		return -err->code;
	}
	return 0;
}

static int
exit_status(int status)
{
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/* Wait for the container process, passing on the signals hutch receives. */
static int
wait_forwarding(struct run *run, int sigfd, struct hutch_error *err)
{
	for (;;) {
		struct signalfd_siginfo si;
		int status;
		pid_t w = waitpid(run->pid, &status, WNOHANG);

		if (w == run->pid) {
			run->pid = 0;
			return exit_status(status);
		}
		if (w < 0 && errno != EINTR)
			return error_sys(err, errno, "wait for the container process");
		if (read_eintr(sigfd, &si, sizeof(si)) != sizeof(si))
			return error_sys(err, errno, "read signals");
		if (si.ssi_signo != SIGCHLD)
			kill(run->pid, (int)si.ssi_signo);
	}
}

static int
block_signals(sigset_t *old, struct hutch_error *err)
{
	sigset_t set;
	int fd;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	for (size_t i = 0; i < ARRAY_SIZE(forwarded_signals); i++)
		sigaddset(&set, forwarded_signals[i]);
	if (sigprocmask(SIG_BLOCK, &set, old) < 0)
		return error_sys(err, errno, "block signals");
	fd = signalfd(-1, &set, SFD_CLOEXEC);
	if (fd < 0)
		return error_sys(err, errno, "signalfd");
	return fd;
}

int
container_run(const struct container_opts *opts, struct hutch_error *err)
{
	struct run run = {.opts = opts, .sync = {-1, -1}};
	_cleanup_close_ int sigfd = -1;
	struct sandbox *sb = &run.sb;
	int r;

	for (int t = 0; t < SPEC_NS_COUNT; t++)
		sb->ns_fds[t] = -1;
	r = validate(&run, err);
	if (r < 0)
		goto out;
	sb->spec = run.spec;
	sb->process = run.spec->process;
	sb->bundle = run.bundle;
	sb->rootfs = run.rootfs;
	sb->exec_env = run.spec->process->env;
	sb->new_ns_flags = namespace_new_flags(&run.spec->linux);
	sb->userns = run.spec->linux.namespaces[SPEC_NS_USER].present;
	sb->new_time_ns = run.spec->linux.namespaces[SPEC_NS_TIME].present &&
			  !run.spec->linux.namespaces[SPEC_NS_TIME].path;

	r = make_state_dir(&run, err);
	if (r < 0)
		goto out;
	r = sigfd = block_signals(&sb->sigmask, err);
	if (r < 0)
		goto out;
	r = sync_pair(run.sync, err);
	if (r < 0)
		goto out;
	sb->sync_fd = run.sync[1];
	r = spawn(&run, err);
	if (r < 0)
		goto out;
	r = release_and_wait_exec(&run, err);
	if (r < 0)
		goto out;
	if (opts->pid_file) {
		r = write_pid_file(opts->pid_file, run.pid, err);
		if (r < 0)
			goto out;
	}
	r = wait_forwarding(&run, sigfd, err);
out:
	if (run.pid > 0) {
		/* Failed half-way: the process must not outlive the error. */
		kill(run.pid, SIGKILL);
		waitpid(run.pid, NULL, 0);
	}
	run_release(&run);
	return r;
}
