#include "container.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "cgroup.h"
#include "hooks.h"
#include "launch.h"
#include "spec.h"
#include "sync.h"
#include "terminal.h"
#include "util.h"
#include "banned.h"

/* Signals `run` passes on to the container process while it waits. */
static const int forwarded_signals[] = {SIGINT,  SIGTERM, SIGHUP,   SIGQUIT,
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

int
container_create(const struct container_opts *opts, struct hutch_error *err)
{
	static struct launch l; /* lives until exit: the process shares it */
	sigset_t mask;
	int r;

	sigprocmask(SIG_SETMASK, NULL, &mask);
	r = launch_prepare(&l, opts, true, &mask, err);
	if (r < 0) {
		launch_abort(&l);
		launch_release(&l);
	}
	/* On success nothing is freed: the container process still reads
	 * the spec and runs on the stack in this address space until it
	 * execs.  Exiting leaves its copy of the mappings intact. */
	return r;
}

int
container_open_state(const char *root, const char *id, bool lock, int *dirfd, struct state **state,
                     struct hutch_error *err)
{
	int r = container_check_id(id, err);

	if (r < 0)
		return r;
	r = *dirfd = state_open_dir(root, id, lock, err);
	if (r < 0)
		return r;
	r = state_read(*dirfd, state, err);
	if (r < 0) {
		close(*dirfd);
		*dirfd = -1;
	}
	return r;
}

/* The config saved beside the state, for hooks; NULL when none was. */
static struct spec *
saved_spec(int dirfd)
{
	_cleanup_free_ char *text = NULL;
	struct hutch_error ignored;
	struct spec *spec = NULL;
	size_t len;

	if (read_file_at(dirfd, STATE_CONFIG, SPEC_MAX_FILE_SIZE, &text, &len, &ignored) < 0 ||
	    spec_parse(text, len, &spec, &ignored) < 0)
		return NULL;
	return spec;
}

/* Connect to the waiting process, tell it to go, and wait until it has
 * exec'd (end-of-file: its end is close-on-exec) or failed (its error). */
static int
release_process(int dirfd, struct hutch_error *err)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	struct sync_msg msg;
	int r;

	snprintf(addr.sun_path, sizeof(addr.sun_path), "/proc/self/fd/%d/%s", dirfd,
	         STATE_EXEC_SOCK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return error_msg(err, ESRCH, STATE_MSG_NOT_RUNNING);
	/* Gone from the directory: the container counts as running, and a
	 * second start finds nothing to connect to. */
	unlinkat(dirfd, STATE_EXEC_SOCK, 0);
	if (sync_send(fd, SYNC_START, 0, NULL) < 0)
		return error_msg(err, ESRCH, STATE_MSG_NOT_RUNNING);
	r = sync_recv(fd, &msg, err);
	if (r < 0)
		return r;
	if (r == 1 && msg.type == SYNC_ERROR) {
		*err = msg.err;
		return -err->code;
	}
	return 0;
}

/* Hooks after the fact: a failure is only a warning (filled into warn). */
static void
run_saved_hooks(int dirfd, struct state *s, enum spec_hook_kind kind, enum state_status status,
                struct hutch_error *warn)
{
	struct spec *spec = saved_spec(dirfd);
	_cleanup_free_ char *json = NULL;

	if (!spec)
		return;
	json = launch_state_json(s, status, false);
	hooks_run(&spec->hooks[kind], kind, json, warn);
	spec_free(spec);
}

int
container_start(const char *root, const char *id, struct hutch_error *warn, struct hutch_error *err)
{
	_cleanup_close_ int dirfd = -1;
	struct state *s = NULL;
	int r = container_open_state(root, id, true, &dirfd, &s, err);

	if (r < 0)
		return r;
	switch (state_status(dirfd, s)) {
	case STATUS_CREATED:
		r = release_process(dirfd, err);
		if (r == 0)
			run_saved_hooks(dirfd, s, SPEC_HOOK_POSTSTART, STATUS_RUNNING, warn);
		break;
	case STATUS_STOPPED:
		r = error_msg(err, EINVAL, "cannot start a container that has stopped");
		break;
	default:
		r = error_msg(err, EINVAL, "cannot start an already running container");
		break;
	}
	state_free(s);
	return r;
}

int
container_exit_status(int status)
{
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

int
container_wait_forwarding(pid_t pid, int sigfd, struct hutch_error *err)
{
	for (;;) {
		struct signalfd_siginfo si;
		int status;
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid)
			return status;
		if (w < 0 && errno != EINTR)
			return error_sys(err, errno, "wait for the container process");
		if (read_eintr(sigfd, &si, sizeof(si)) != sizeof(si))
			return error_sys(err, errno, "read signals");
		if (si.ssi_signo != SIGCHLD)
			kill(pid, (int)si.ssi_signo);
	}
}

static int
wait_process(struct launch *l, int sigfd, struct hutch_error *err)
{
	_cleanup_close_ int master = -1;
	int r;

	if (l->console[0] < 0) {
		r = container_wait_forwarding(l->pid, sigfd, err);
	} else {
		master = terminal_recv_master(l->console[0], err);
		if (master < 0)
			return master;
		r = terminal_relay(master, l->pid, sigfd, err);
	}
	return r < 0 ? r : container_exit_status(r);
}

int
container_block_signals(sigset_t *old, struct hutch_error *err)
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

static void
run_poststop(struct launch *l)
{
	_cleanup_free_ char *json = launch_state_json(&l->state, STATUS_STOPPED, false);
	struct hutch_error ignored;

	hooks_run(&l->spec->hooks[SPEC_HOOK_POSTSTOP], SPEC_HOOK_POSTSTOP, json, &ignored);
}

int
container_run(const struct container_opts *opts, struct hutch_error *err)
{
	static struct launch l; /* with --detach it outlives this function */
	_cleanup_close_ int sigfd = -1;
	sigset_t mask;
	int r;

	r = sigfd = container_block_signals(&mask, err);
	if (r < 0)
		return r;
	r = launch_prepare(&l, opts, false, &mask, err);
	if (r < 0)
		goto fail;
	r = launch_start(&l, err);
	if (r < 0)
		goto fail;
	{
		_cleanup_free_ char *json = launch_state_json(&l.state, STATUS_RUNNING, false);
		struct hutch_error ignored;

		hooks_run(&l.spec->hooks[SPEC_HOOK_POSTSTART], SPEC_HOOK_POSTSTART, json, &ignored);
	}
	if (opts->detach)
		return 0;
	/* Others may act on the running container meanwhile (update, pause,
	 * exec, delete --force): do not hold its lock while waiting. */
	flock(l.state_fd, LOCK_UN);
	r = wait_process(&l, sigfd, err);
	l.pid = 0;
	flock(l.state_fd, LOCK_EX);
	run_poststop(&l);
fail:
	launch_abort(&l);
	launch_release(&l);
	return r;
}

int
container_state(const char *root, const char *id, char **json, struct hutch_error *err)
{
	_cleanup_close_ int dirfd = -1;
	struct state *s = NULL;
	int r = container_open_state(root, id, false, &dirfd, &s, err);

	if (r < 0)
		return r;
	*json = launch_state_json(s, state_status(dirfd, s), true);
	state_free(s);
	if (!*json)
		return error_msg(err, ENOMEM, "encode the state");
	return 0;
}

int
container_kill(const char *root, const char *id, int sig, bool all, struct hutch_error *err)
{
	_cleanup_close_ int dirfd = -1;
	struct state *s = NULL;
	int r = container_open_state(root, id, true, &dirfd, &s, err);

	if (r < 0)
		return r;
	if (state_status(dirfd, s) == STATUS_STOPPED) {
		r = error_msg(err, ESRCH, STATE_MSG_NOT_RUNNING);
	} else if (all && s->cgroup_path) {
		struct cgroup cg;

		cgroup_init_path(&cg, s->cgroup_path);
		r = cgroup_kill_all(&cg, sig, err);
		cgroup_free(&cg);
	} else if (kill(s->pid, sig) < 0) {
		r = error_sys(err, errno, "kill container '%s'", id);
	}
	state_free(s);
	return r;
}

/* Kill the init and wait until it is gone (it is not our child: a pidfd
 * tells when it exits). */
static int
kill_and_wait(pid_t pid, struct hutch_error *err)
{
	_cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	struct pollfd pfd = {.fd = pidfd, .events = POLLIN};

	if (pidfd < 0)
		return errno == ESRCH ? 0 : error_sys(err, errno, "pidfd_open %d", pid);
	if (syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0) < 0 && errno != ESRCH)
		return error_sys(err, errno, "kill %d", pid);
	while (poll(&pfd, 1, -1) < 0 && errno == EINTR)
		;
	return 0;
}

int
container_delete(const char *root, const char *id, bool force, struct hutch_error *warn,
                 struct hutch_error *err)
{
	_cleanup_close_ int dirfd = -1;
	struct state *s = NULL;
	enum state_status status;
	int r = container_open_state(root, id, true, &dirfd, &s, err);

	if (r < 0)
		return r;
	status = state_status(dirfd, s);
	if (status != STATUS_STOPPED && !force) {
		r = error_msg(err, EBUSY, "cannot delete container %s that is not stopped: %s", id,
		              state_status_name(status));
		goto out;
	}
	if (s->cgroup_path) {
		struct cgroup cg;

		/* Every process of the container dies with the cgroup: frozen
		 * first, so none forks away, and thawed, so a paused one can
		 * die at all. */
		cgroup_init_path(&cg, s->cgroup_path);
		r = cgroup_destroy(&cg, err);
		cgroup_free(&cg);
		if (r < 0)
			goto out;
	}
	if (status != STATUS_STOPPED && (r = kill_and_wait(s->pid, err)) < 0)
		goto out;
	run_saved_hooks(dirfd, s, SPEC_HOOK_POSTSTOP, STATUS_STOPPED, warn);
	r = state_remove_dir(root, id, err);
out:
	state_free(s);
	return r;
}
