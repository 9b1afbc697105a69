#include "state.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <jansson.h>
#include <pwd.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>

#include "cgroup.h"
#include "parse.h"
#include "util.h"
#include "banned.h"

static const char *const status_names[] = {
    [STATUS_CREATING] = "creating", [STATUS_CREATED] = "created", [STATUS_RUNNING] = "running",
    [STATUS_PAUSED] = "paused",     [STATUS_STOPPED] = "stopped",
};

const char *
state_status_name(enum state_status status)
{
	return status_names[status];
}

void
state_now_rfc3339(char *buf, size_t size)
{
	struct timespec ts;
	struct tm tm;
	char date[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, size, "%s.%09ldZ", date, ts.tv_nsec);
}

static int
lock_dir(int fd, const char *what, struct hutch_error *err)
{
	int r;

	do
		r = flock(fd, LOCK_EX);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return error_sys(err, errno, "lock '%s'", what);
	return 0;
}

int
state_create_dir(const char *root, const char *id, struct hutch_error *err)
{
	_cleanup_free_ char *dir = xasprintf("%s/%s", root, id);
	_cleanup_close_ int fd = -1;
	int r = mkdir_p(root, 0711, err);

	if (r < 0)
		return r;
	/* mkdir is the atomic test-and-set: of two creates of one id, exactly
	 * one gets here. */
	if (mkdir(dir, 0711) < 0) {
		if (errno == EEXIST)
			return error_msg(err, EEXIST, "container with id '%s' already exists", id);
		return error_sys(err, errno, "mkdir '%s'", dir);
	}
	fd = open(dir, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return error_sys(err, errno, "open '%s'", dir);
	r = lock_dir(fd, dir, err);
	if (r < 0)
		return r;
	return TAKE_FD(fd);
}

int
state_open_dir(const char *root, const char *id, bool lock, struct hutch_error *err)
{
	_cleanup_free_ char *dir = xasprintf("%s/%s", root, id);
	_cleanup_close_ int fd = open(dir, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	struct stat st;
	int r;

	if (fd < 0) {
		if (errno == ENOENT)
			return error_msg(err, ENOENT, STATE_MSG_NOT_EXIST);
		return error_sys(err, errno, "open '%s'", dir);
	}
	r = lock ? lock_dir(fd, dir, err) : 0;
	if (r < 0)
		return r;
	/* A delete that held the lock before us removed the directory: an
	 * unlinked directory has no links left. */
	if (fstat(fd, &st) < 0 || st.st_nlink == 0)
		return error_msg(err, ENOENT, STATE_MSG_NOT_EXIST);
	return TAKE_FD(fd);
}

int
state_remove_dir(const char *root, const char *id, struct hutch_error *err)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", root, id);
	_cleanup_close_ int fd = open(path, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	DIR *d;
	struct dirent *e;

	if (fd < 0)
		return errno == ENOENT ? 0 : error_sys(err, errno, "open '%s'", path);
	d = fdopendir(TAKE_FD(fd));
	if (!d)
		return error_sys(err, errno, "open '%s'", path);
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			unlinkat(dirfd(d), e->d_name, 0);
	closedir(d);
	if (rmdir(path) < 0 && errno != ENOENT)
		return error_sys(err, errno, "remove '%s'", path);
	return 0;
}

static json_t *
annotations_json(const struct state *s)
{
	json_t *obj = json_object();

	for (size_t i = 0; i < s->n_annotations; i++)
		json_object_set_new(obj, s->annotations[i].key,
		                    json_string(s->annotations[i].value));
	return obj;
}

int
state_to_json(const struct state *s, char **out, struct hutch_error *err)
{
	json_t *j = json_pack("{s:s, s:i, s:I, s:s, s:s, s:s, s:s, s:o}", "id", s->id, "pid",
	                      (int)s->pid, "start_time", (json_int_t)s->start_time, "bundle",
	                      s->bundle, "rootfs", s->rootfs, "created", s->created, "owner",
	                      s->owner ? s->owner : "", "annotations", annotations_json(s));
	char *text;

	if (!j)
		return error_msg(err, EINVAL, "build state.json");
	if (s->cgroup_path)
		json_object_set_new(j, "cgroup_path", json_string(s->cgroup_path));
	text = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (!text)
		return error_msg(err, ENOMEM, "encode state.json");
	*out = text;
	return 0;
}

int
state_write(int dirfd, const struct state *s, struct hutch_error *err)
{
	_cleanup_free_ char *text = NULL;
	_cleanup_close_ int fd = -1;
	int r = state_to_json(s, &text, err);

	if (r < 0)
		return r;
	/* Write then rename: a reader sees the old file or the new, whole. */
	fd = openat(dirfd, STATE_FILE ".tmp", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write_all(fd, text, strlen(text)) < 0)
		return error_sys(err, errno, "write state.json");
	if (renameat(dirfd, STATE_FILE ".tmp", dirfd, STATE_FILE) < 0)
		return error_sys(err, errno, "rename state.json");
	return 0;
}

static char *
dup_member(json_t *j, const char *key)
{
	const char *s = json_string_value(json_object_get(j, key));

	return s ? xstrdup(s) : NULL;
}

int
state_parse(const char *buf, size_t len, struct state **out, struct hutch_error *err)
{
	struct state *s;
	json_error_t jerr;
	json_t *j, *ann;
	const char *key;
	json_t *val;

	j = json_loadb(buf, len, 0, &jerr);
	if (!j || !json_is_integer(json_object_get(j, "pid")) ||
	    json_integer_value(json_object_get(j, "pid")) < 0 ||
	    json_integer_value(json_object_get(j, "pid")) > INT_MAX ||
	    !json_is_string(json_object_get(j, "id"))) {
		json_decref(j);
		return error_msg(err, EINVAL, "state.json is corrupt");
	}
	s = xcalloc(1, sizeof(*s));
	s->id = dup_member(j, "id");
	s->pid = (pid_t)json_integer_value(json_object_get(j, "pid"));
	s->start_time = (uint64_t)json_integer_value(json_object_get(j, "start_time"));
	s->bundle = dup_member(j, "bundle");
	s->rootfs = dup_member(j, "rootfs");
	s->created = dup_member(j, "created");
	s->owner = dup_member(j, "owner");
	s->cgroup_path = dup_member(j, "cgroup_path");
	ann = json_object_get(j, "annotations");
	s->annotations = xcalloc(json_object_size(ann) + 1, sizeof(*s->annotations));
	json_object_foreach (ann, key, val) {
		if (!json_is_string(val))
			continue;
		s->annotations[s->n_annotations].key = xstrdup(key);
		s->annotations[s->n_annotations++].value = xstrdup(json_string_value(val));
	}
	json_decref(j);
	*out = s;
	return 0;
}

int
state_read(int dirfd, struct state **out, struct hutch_error *err)
{
	_cleanup_free_ char *text = NULL;
	int r;

	r = read_file_at(dirfd, STATE_FILE, 1 << 20, &text, NULL, err);
	if (r == -ENOENT)
		return error_msg(err, ENOENT, STATE_MSG_NOT_EXIST);
	if (r < 0)
		return r;
	/* The text ends at its first NUL byte, as json_loads() read it. */
	return state_parse(text, strlen(text), out, err);
}

void
state_free(struct state *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_annotations; i++) {
		free(s->annotations[i].key);
		free(s->annotations[i].value);
	}
	free(s->annotations);
	free(s->id);
	free(s->bundle);
	free(s->rootfs);
	free(s->created);
	free(s->owner);
	free(s->cgroup_path);
	free(s);
}

int
state_proc_start_time(pid_t pid, uint64_t *start, bool *zombie)
{
	char path[64], buf[1024], *p, *save = NULL;
	_cleanup_close_ int fd = -1;
	ssize_t n;
	int field = 2;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -ESRCH;
	n = read_eintr(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return -ESRCH;
	buf[n] = '\0';
	/* comm (field 2) may hold spaces and parentheses: skip to the last ')'. */
	p = strrchr(buf, ')');
	if (!p)
		return -EINVAL;
	for (char *tok = strtok_r(p + 1, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		field++;
		if (field == 3)
			*zombie = tok[0] == 'Z' || tok[0] == 'X';
		if (field == 22)
			return parse_u64(tok, UINT64_MAX, start);
	}
	return -EINVAL;
}

enum state_status
state_status(int dirfd, const struct state *s)
{
	uint64_t start;
	bool zombie = false;

	if (s->pid <= 0 || state_proc_start_time(s->pid, &start, &zombie) < 0 ||
	    start != s->start_time || zombie)
		return STATUS_STOPPED;
	/* Paused first (as runc): a created container can be paused too, and
	 * must then say so, or resume would refuse it. */
	if (s->cgroup_path) {
		struct cgroup cg;
		bool frozen;

		cgroup_init_path(&cg, s->cgroup_path);
		frozen = cgroup_is_frozen(&cg);
		cgroup_free(&cg);
		if (frozen)
			return STATUS_PAUSED;
	}
	if (faccessat(dirfd, STATE_EXEC_SOCK, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return STATUS_CREATED;
	return STATUS_RUNNING;
}
