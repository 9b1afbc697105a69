/*
 * container-cgroup.c - the lifecycle operations that act on a container's
 * cgroup alone: update, pause, resume and events.  Each finds the cgroup
 * through state.json (its cgroup_path) and derives the status from the
 * live process first.
 */
#include "container.h"

#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "cgroup-internal.h"
#include "launch.h"
#include "util.h"
#include "banned.h"

/* Open the state (locked when the operation changes the container) and
 * the cgroup of a container that is not stopped. */
static int
open_live(const char *root, const char *id, bool lock, int *dirfd, struct state **s,
          enum state_status *status, struct cgroup *cg, struct hutch_error *err)
{
	int r = container_open_state(root, id, lock, dirfd, s, err);

	if (r < 0)
		return r;
	*status = state_status(*dirfd, *s);
	if (*status == STATUS_STOPPED)
		r = error_msg(err, ESRCH, STATE_MSG_NOT_RUNNING);
	else if (!(*s)->cgroup_path)
		r = error_msg(err, ENOENT, "container '%s' has no cgroup", id);
	if (r < 0) {
		state_free(*s);
		*s = NULL;
		return r;
	}
	cgroup_init_path(cg, (*s)->cgroup_path);
	return 0;
}

int
container_update(const char *root, const char *id, const struct spec_resources *res,
                 struct hutch_error *err)
{
	/* As runc: update leaves the device rules alone (a GPU plugin may
	 * have added its own on top of the config's). */
	struct spec_resources without_devices = *res;
	_cleanup_close_ int dirfd = -1;
	enum state_status status;
	struct state *s = NULL;
	struct cgroup cg;
	int r = open_live(root, id, true, &dirfd, &s, &status, &cg, err);

	if (r < 0)
		return r;
	without_devices.n_devices = 0;
	r = cgroup_set(&cg, &without_devices, err);
	cgroup_free(&cg);
	state_free(s);
	return r;
}

/* pause (frozen) or resume: runc pauses running and created containers,
 * and resumes only paused ones. */
static int
set_frozen(const char *root, const char *id, bool frozen, struct hutch_error *err)
{
	_cleanup_close_ int dirfd = -1;
	enum state_status status;
	struct state *s = NULL;
	struct cgroup cg;
	bool allowed;
	int r = open_live(root, id, true, &dirfd, &s, &status, &cg, err);

	if (r < 0)
		return r;
	allowed =
	    frozen ? status == STATUS_RUNNING || status == STATUS_CREATED : status == STATUS_PAUSED;
	if (allowed)
		r = cgroup_freeze(&cg, frozen, err);
	else
		r = error_msg(err, EINVAL,
		              frozen ? STATE_MSG_NOT_RUNNING : CONTAINER_MSG_NOT_PAUSED);
	cgroup_free(&cg);
	state_free(s);
	return r;
}

int
container_pause(const char *root, const char *id, struct hutch_error *err)
{
	return set_frozen(root, id, true, err);
}

int
container_resume(const char *root, const char *id, struct hutch_error *err)
{
	return set_frozen(root, id, false, err);
}

/* ---- events ---- */

struct events {
	const char *id;
	char *id_json; /* the id as a JSON string */
	struct cgroup cg;
	int (*emit)(void *ctx, const char *json);
	void *ctx;
};

static int
emit_stats(struct events *ev, struct hutch_error *err)
{
	_cleanup_free_ char *data = NULL, *line = NULL;
	int r = cgroup_stats_json(&ev->cg, &data, err);

	if (r < 0)
		return r;
	line = xasprintf("{\"type\":\"stats\",\"id\":%s,\"data\":%s}", ev->id_json, data);
	return ev->emit(ev->ctx, line);
}

static int
emit_oom(struct events *ev)
{
	_cleanup_free_ char *line = xasprintf("{\"type\":\"oom\",\"id\":%s}", ev->id_json);

	return ev->emit(ev->ctx, line);
}

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* A pidfd of the container's init, once it is sure to be that process
 * (its start time is the recorded one); -1 when it is gone already. */
static int
init_pidfd(const struct state *s)
{
	int fd = (int)syscall(SYS_pidfd_open, s->pid, 0);
	uint64_t start;
	bool zombie;

	if (fd < 0)
		return -1;
	if (state_proc_start_time(s->pid, &start, &zombie) < 0 || start != s->start_time ||
	    zombie) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Stats every interval and OOM kills as they come, until the init exits
 * (its pidfd polls readable) or the cgroup goes away. */
static int
watch(struct events *ev, int pidfd, int64_t interval_ns, struct hutch_error *err)
{
	struct hutch_error ignored;
	uint64_t ooms = 0;
	_cleanup_close_ int oomfd = cgroup_oom_watch(&ev->cg, &ooms, &ignored);
	int64_t next = now_ns() + interval_ns;

	for (;;) {
		struct pollfd pfd[2] = {{.fd = pidfd, .events = POLLIN},
		                        {.fd = oomfd, .events = POLLIN}};
		int64_t left = next - now_ns();
		int r, timeout = left <= 0 ? 0 : (int)((left + 999999) / 1000000);

		r = poll(pfd, oomfd >= 0 ? 2 : 1, timeout);
		if (r < 0 && errno != EINTR)
			return error_sys(err, errno, "poll");
		/* The OOM first: the kill of the init fires both. */
		if (r > 0 && (pfd[1].revents & POLLIN)) {
			r = cgroup_oom_check(&ev->cg, oomfd, &ooms);
			if (r == -ENOENT)
				return 0;
			if (r > 0 && (r = emit_oom(ev)) < 0)
				return r;
		}
		if (pfd[0].revents & (POLLIN | POLLHUP))
			return 0;
		if (now_ns() >= next) {
			next += interval_ns;
			r = emit_stats(ev, err);
			if (r == -ENOENT)
				return 0; /* the cgroup is gone with the container */
			if (r < 0)
				return r;
		}
	}
}

int
container_events(const char *root, const char *id, bool stats_only, int64_t interval_ns,
                 int (*emit)(void *ctx, const char *json), void *ctx, struct hutch_error *err)
{
	_cleanup_close_ int dirfd = -1, pidfd = -1;
	struct events ev = {.id = id, .emit = emit, .ctx = ctx};
	enum state_status status;
	struct state *s = NULL;
	int r;

	if (interval_ns <= 0)
		return error_msg(err, EINVAL, "duration interval must be greater than 0");
	/* No lock: events runs for as long as the container does. */
	r = open_live(root, id, false, &dirfd, &s, &status, &ev.cg, err);
	if (r < 0)
		return r;
	{
		json_t *j = json_string(id);

		ev.id_json = json_dumps(j, JSON_ENCODE_ANY);
		json_decref(j);
	}
	if (stats_only) {
		r = emit_stats(&ev, err);
	} else {
		pidfd = init_pidfd(s);
		r = pidfd < 0 ? 0 : watch(&ev, pidfd, interval_ns, err);
	}
	free(ev.id_json);
	cgroup_free(&ev.cg);
	state_free(s);
	return r;
}
