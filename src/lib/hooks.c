#include "hooks.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "util.h"
#include "banned.h"

static const char *const kind_names[SPEC_HOOK_KINDS] = {
    [SPEC_HOOK_PRESTART] = "prestart",
    [SPEC_HOOK_CREATE_RUNTIME] = "createRuntime",
    [SPEC_HOOK_CREATE_CONTAINER] = "createContainer",
    [SPEC_HOOK_START_CONTAINER] = "startContainer",
    [SPEC_HOOK_POSTSTART] = "poststart",
    [SPEC_HOOK_POSTSTOP] = "poststop",
};

const char *
hooks_kind_name(enum spec_hook_kind kind)
{
	return kind_names[kind];
}

/* The state goes into the pipe before the hook starts: it is small (the
 * pipe holds 64 KiB), so the write never blocks and a hook that ignores its
 * stdin can never make us block or take a SIGPIPE. */
static int
state_pipe(const char *state_json, struct hutch_error *err)
{
	int fds[2];
	size_t len = strlen(state_json);

	if (pipe2(fds, O_CLOEXEC) < 0)
		return error_sys(err, errno, "pipe for a hook");
	if (len >= 65536 || write_all(fds[1], state_json, len) < 0) {
		close(fds[0]);
		close(fds[1]);
		return error_msg(err, E2BIG, "the state is too large to pass to a hook");
	}
	close(fds[1]);
	return fds[0];
}

static int
wait_hook(pid_t pid, const struct spec_hook *hook, const char *kind, struct hutch_error *err)
{
	_cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	struct pollfd pfd = {.fd = pidfd, .events = POLLIN};
	int status, r;

	if (pidfd >= 0 && hook->has_timeout) {
		do
			r = poll(&pfd, 1, hook->timeout * 1000);
		while (r < 0 && errno == EINTR);
		if (r == 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			return error_msg(err, ETIMEDOUT, "%s hook '%s': timed out after %d s", kind,
			                 hook->path, hook->timeout);
		}
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return error_sys(err, errno, "wait for %s hook '%s'", kind, hook->path);
	if (WIFSIGNALED(status))
		return error_msg(err, ECANCELED, "%s hook '%s': killed by signal %d", kind,
		                 hook->path, WTERMSIG(status));
	if (WEXITSTATUS(status) != 0)
		return error_msg(err, ECANCELED, "%s hook '%s': exit status %d", kind, hook->path,
		                 WEXITSTATUS(status));
	return 0;
}

static int
run_one(const struct spec_hook *hook, const char *kind, const char *state_json,
        struct hutch_error *err)
{
	char *const default_args[] = {hook->path, NULL};
	char *const empty_env[] = {NULL};
	_cleanup_close_ int in = state_pipe(state_json, err);
	pid_t pid;

	if (in < 0)
		return in;
	if (access(hook->path, X_OK) < 0)
		return error_sys(err, errno, "%s hook '%s'", kind, hook->path);
	pid = fork();
	if (pid < 0)
		return error_sys(err, errno, "fork for %s hook '%s'", kind, hook->path);
	if (pid == 0) {
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (dup2(in, STDIN_FILENO) < 0)
			_exit(126);
		execve(hook->path, hook->args ? hook->args : default_args,
		       hook->env ? hook->env : empty_env);
		_exit(127);
	}
	return wait_hook(pid, hook, kind, err);
}

int
hooks_run(const struct spec_hook_list *list, enum spec_hook_kind kind, const char *state_json,
          struct hutch_error *err)
{
	/* After the start a failed hook cannot undo anything: the spec says
	 * to warn and carry on with the remaining hooks. */
	bool keep_going = kind == SPEC_HOOK_POSTSTART || kind == SPEC_HOOK_POSTSTOP;
	struct hutch_error later;
	int first = 0;

	if (!state_json)
		state_json = "{}";
	for (size_t i = 0; i < list->n; i++) {
		int r = run_one(&list->hooks[i], kind_names[kind], state_json,
		                first < 0 ? &later : err);

		if (r < 0 && !keep_going)
			return r;
		if (r < 0 && first == 0)
			first = r;
	}
	return first;
}
