/*
 * list.c - every container under a state root, and the processes of one
 * container (see list.h).
 */
#include "list.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "container.h"
#include "parse.h"
#include "util.h"
#include "banned.h"

/* ps(1) of a busy host prints a few MiB at most; more is not ps. */
#define PS_OUTPUT_MAX (64u << 20)

/* A pid is at most 7 digits (pid_max <= 2^22); room for junk to report. */
#define PID_FIELD_MAX 32

/* ---- the containers under a root ---- */

static int
compare_entries(const void *a, const void *b)
{
	const struct list_entry *x = a, *y = b;

	return strcmp(x->state->id, y->state->id);
}

/* Errors that mean "not a container (any more)": skip the entry. */
static bool
skippable(int r)
{
	return r == -ENOENT || r == -ENOTDIR || r == -EINVAL || r == -EFBIG;
}

/* runc's OWNER: the user name of the state directory's uid, "#uid" when
 * it has none. */
static char *
dir_owner(int fd)
{
	struct passwd pw, *found = NULL;
	char buf[4096];
	struct stat st;

	if (fstat(fd, &st) < 0)
		return xstrdup("");
	if (getpwuid_r(st.st_uid, &pw, buf, sizeof(buf), &found) == 0 && found)
		return xstrdup(found->pw_name);
	return xasprintf("#%u", (unsigned)st.st_uid);
}

/* Read one container; 1 when the entry is to be skipped. */
static int
load_one(const char *root, const char *name, struct list_entry *e, struct hutch_error *err)
{
	_cleanup_close_ int fd = -1;
	struct hutch_error ignored;
	int r;

	/* Not a name create would have made (a stray file, "..."). */
	if (container_check_id(name, &ignored) < 0)
		return 1;
	r = fd = state_open_dir(root, name, false, err);
	if (r >= 0)
		r = state_read(fd, &e->state, err);
	if (r < 0)
		return skippable(r) ? 1 : r;
	e->status = state_status(fd, e->state);
	e->owner = dir_owner(fd);
	return 0;
}

int
list_load(const char *root, struct container_list *out, struct hutch_error *err)
{
	_cleanup_close_ int fd = open(root, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	struct container_list l = {0};
	size_t cap = 0;
	struct dirent *de;
	DIR *d;
	int r = 0;

	*out = l;
	if (fd < 0)
		return errno == ENOENT ? 0 : error_sys(err, errno, "open '%s'", root);
	d = fdopendir(fd);
	if (!d)
		return error_sys(err, errno, "open '%s'", root);
	fd = -1;
	while (r >= 0 && (de = readdir(d))) {
		if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN)
			continue;
		if (l.n == cap) {
			cap = cap ? cap * 2 : 8;
			l.entries = xrealloc(l.entries, cap, sizeof(*l.entries));
		}
		r = load_one(root, de->d_name, &l.entries[l.n], err);
		if (r == 0)
			l.n++;
	}
	closedir(d);
	if (r < 0) {
		list_release(&l);
		return r;
	}
	if (l.n > 1)
		qsort(l.entries, l.n, sizeof(*l.entries), compare_entries);
	*out = l;
	return 0;
}

void
list_release(struct container_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		state_free(l->entries[i].state);
		free(l->entries[i].owner);
	}
	free(l->entries);
	l->entries = NULL;
	l->n = 0;
}

static const char *
or_empty(const char *s)
{
	return s ? s : "";
}

/* runc's containerState, members in its order (annotations before owner). */
static json_t *
entry_json(const struct list_entry *e)
{
	const struct state *s = e->state;
	json_t *j, *ann;

	j = json_pack("{s:s, s:s, s:i, s:s, s:s, s:s, s:s}", "ociVersion", STATE_OCI_VERSION, "id",
	              s->id, "pid", e->status == STATUS_STOPPED ? 0 : (int)s->pid, "status",
	              state_status_name(e->status), "bundle", or_empty(s->bundle), "rootfs",
	              or_empty(s->rootfs), "created", or_empty(s->created));
	if (!j)
		return NULL;
	if (s->n_annotations) {
		ann = json_object();
		for (size_t i = 0; i < s->n_annotations; i++)
			json_object_set_new(ann, s->annotations[i].key,
			                    json_string(s->annotations[i].value));
		json_object_set_new(j, "annotations", ann);
	}
	json_object_set_new(j, "owner", json_string(e->owner));
	return j;
}

char *
list_json(const struct container_list *l)
{
	json_t *arr;
	char *text;

	if (l->n == 0)
		return xstrdup("null");
	arr = json_array();
	for (size_t i = 0; i < l->n; i++) {
		json_t *j = entry_json(&l->entries[i]);

		if (!j || json_array_append_new(arr, j) < 0) {
			json_decref(arr);
			return NULL;
		}
	}
	text = json_dumps(arr, JSON_COMPACT);
	json_decref(arr);
	return text;
}

/* ---- the processes of a container ---- */

struct proc_link {
	pid_t pid;
	pid_t ppid;
	bool taken; /* already in the result: each process is added once */
};

/* The parent of /proc/<name>; false for a process that is gone or a
 * zombie (it has no children left, and cgroup.procs would not list it). */
static bool
read_ppid(int procfd, const char *name, pid_t *ppid)
{
	_cleanup_free_ char *path = xasprintf("%s/stat", name);
	_cleanup_close_ int fd = openat(procfd, path, O_RDONLY | O_CLOEXEC);
	char buf[1024], *p, *end;
	ssize_t n;

	if (fd < 0)
		return false;
	n = read_eintr(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	/* comm (field 2) may hold spaces and ')': fields 3 and 4 (state,
	 * ppid) follow the last ')'. */
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ' || !p[2] || p[3] != ' ' || p[2] == 'Z' || p[2] == 'X')
		return false;
	end = strchr(p + 4, ' ');
	if (!end)
		return false;
	*end = '\0';
	return parse_int(p + 4, 0, INT_MAX, ppid) == 0;
}

/* Every live process of the host with its parent. */
static int
read_proc_links(struct proc_link **out, size_t *n, struct hutch_error *err)
{
	_cleanup_close_ int fd = open("/proc", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	struct proc_link *links = NULL;
	size_t cap = 0, count = 0;
	struct dirent *de;
	DIR *d;

	if (fd < 0)
		return error_sys(err, errno, "open '/proc'");
	d = fdopendir(fd);
	if (!d)
		return error_sys(err, errno, "open '/proc'");
	fd = -1;
	while ((de = readdir(d))) {
		pid_t pid, ppid;

		if (parse_int(de->d_name, 1, INT_MAX, &pid) < 0 ||
		    !read_ppid(dirfd(d), de->d_name, &ppid))
			continue;
		if (count == cap) {
			cap = cap ? cap * 2 : 256;
			links = xrealloc(links, cap, sizeof(*links));
		}
		links[count++] = (struct proc_link){.pid = pid, .ppid = ppid};
	}
	closedir(d);
	*out = links;
	*n = count;
	return 0;
}

static int
compare_pids(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

/* init and its descendants, breadth first, then sorted. */
static int
proc_tree(pid_t init, pid_t **pids, size_t *n, struct hutch_error *err)
{
	_cleanup_free_ struct proc_link *links = NULL;
	size_t n_links = 0, count = 1;
	pid_t *tree;
	int r = read_proc_links(&links, &n_links, err);

	if (r < 0)
		return r;
	tree = xcalloc(n_links + 1, sizeof(*tree));
	tree[0] = init;
	for (size_t i = 0; i < n_links; i++)
		if (links[i].pid == init)
			links[i].taken = true;
	/* `taken` bounds the walk even if pid reuse during the scan made the
	 * links look like a cycle. */
	for (size_t i = 0; i < count; i++)
		for (size_t k = 0; k < n_links; k++)
			if (!links[k].taken && links[k].ppid == tree[i]) {
				links[k].taken = true;
				tree[count++] = links[k].pid;
			}
	qsort(tree, count, sizeof(*tree), compare_pids);
	*pids = tree;
	*n = count;
	return 0;
}

int
list_pids(const char *root, const char *id, pid_t **pids, size_t *n, struct hutch_error *err)
{
	_cleanup_close_ int fd = -1;
	struct state *s = NULL;
	int r = container_check_id(id, err);

	*pids = NULL;
	*n = 0;
	if (r < 0)
		return r;
	r = fd = state_open_dir(root, id, false, err);
	if (r < 0)
		return r;
	r = state_read(fd, &s, err);
	if (r < 0)
		return r;
	/* runc answers an empty list for a stopped container, not an error:
	 * containerd's shim asks for the pids of containers that just exited. */
	if (state_status(fd, s) != STATUS_STOPPED)
		r = proc_tree(s->pid, pids, n, err);
	state_free(s);
	return r;
}

/* The idx-th whitespace-separated field of line (len bytes) into buf, ""
 * when it does not fit (it is then neither "PID" nor a pid); false when the
 * line has fewer fields. */
static bool
nth_field(const char *line, size_t len, size_t idx, char *buf, size_t size)
{
	const char *p = line, *end = line + len;

	for (;;) {
		const char *start;

		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p == end)
			return false;
		start = p;
		while (p < end && *p != ' ' && *p != '\t')
			p++;
		if (idx-- == 0) {
			if ((size_t)(p - start) >= size)
				start = p;
			snprintf(buf, size, "%.*s", (int)(p - start), start);
			return true;
		}
	}
}

/* The index of the field "PID" in the header line. */
static int
pid_column(const char *header, size_t len, size_t *idx)
{
	char field[PID_FIELD_MAX];

	for (size_t i = 0; nth_field(header, len, i, field, sizeof(field)); i++)
		if (strcmp(field, "PID") == 0) {
			*idx = i;
			return 0;
		}
	return -EINVAL;
}

/* How much of a line of ps output to quote in a message. */
static int
quote_len(size_t len)
{
	return len < 64 ? (int)len : 64;
}

static bool
pid_in(pid_t pid, const pid_t *pids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (pids[i] == pid)
			return true;
	return false;
}

int
list_ps_filter(const char *text, const pid_t *pids, size_t n, char **out, struct hutch_error *err)
{
	size_t len = strcspn(text, "\n"), col = 0, size = 0;
	char *buf = NULL;
	FILE *f;

	if (pid_column(text, len, &col) < 0)
		return error_msg(err, EINVAL, "ps output: no PID column in '%.*s'", quote_len(len),
		                 text);
	f = open_memstream(&buf, &size);
	if (!f)
		return error_sys(err, errno, "ps output");
	fprintf(f, "%.*s\n", (int)len, text);
	for (text += len; *text; text += len) {
		char field[PID_FIELD_MAX];
		pid_t pid;

		text += *text == '\n';
		len = strcspn(text, "\n");
		if (len == 0)
			continue;
		if (!nth_field(text, len, col, field, sizeof(field)) ||
		    parse_int(field, 0, INT_MAX, &pid) < 0) {
			fclose(f);
			free(buf);
			return error_msg(err, EINVAL, "ps output: no pid in '%.*s'", quote_len(len),
			                 text);
		}
		if (pid_in(pid, pids, n))
			fprintf(f, "%.*s\n", (int)len, text);
	}
	if (fclose(f) != 0) {
		free(buf);
		return error_sys(err, ENOMEM, "ps output");
	}
	*out = buf;
	return 0;
}

static int
wait_child(pid_t pid, int *status)
{
	pid_t r;

	do
		r = waitpid(pid, status, 0);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : 0;
}

/* Read fd to its end; -EFBIG past PS_OUTPUT_MAX. */
static int
read_all(int fd, char **out)
{
	size_t len = 0, cap = 4096;
	char *buf = xmalloc(cap);
	ssize_t n;

	for (;;) {
		if (cap - len < 2) {
			if (cap >= PS_OUTPUT_MAX) {
				free(buf);
				return -EFBIG;
			}
			cap *= 2;
			buf = xrealloc(buf, cap, 1);
		}
		n = read_eintr(fd, buf + len, cap - len - 1);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	if (n < 0) {
		free(buf);
		return -errno;
	}
	buf[len] = '\0';
	*out = buf;
	return 0;
}

/* Run `ps ARGS...` with stdout and stderr into one pipe (its messages
 * explain a failure); stdin is /dev/null. */
static int
run_ps(char *const *args, char **out, struct hutch_error *err)
{
	_cleanup_free_ char **argv = xcalloc(strv_len(args) + 2, sizeof(*argv));
	_cleanup_free_ char *text = NULL;
	_cleanup_close_ int rd = -1;
	posix_spawn_file_actions_t fa;
	int fds[2], status, r;
	pid_t pid;

	argv[0] = (char *)"ps";
	for (size_t i = 0; args[i]; i++)
		argv[i + 1] = args[i];
	if (pipe2(fds, O_CLOEXEC) < 0)
		return error_sys(err, errno, "pipe for 'ps'");
	rd = fds[0];
	/* dup2 clears O_CLOEXEC on the copies: only they reach ps. */
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
	r = posix_spawnp(&pid, "ps", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	if (r != 0)
		return error_sys(err, r, "run 'ps'");
	r = read_all(rd, &text);
	if (r < 0)
		kill(pid, SIGKILL); /* it must not block on a full pipe while we wait */
	if (wait_child(pid, &status) < 0)
		return error_sys(err, errno, "wait for 'ps'");
	if (r < 0)
		return error_sys(err, -r, "read the output of 'ps'");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return error_msg(err, EIO, "run 'ps': exit status %d: %.*s",
		                 WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
		                 (int)strcspn(text, "\n"), text);
	*out = TAKE_PTR(text);
	return 0;
}

int
list_ps_table(const pid_t *pids, size_t n, char *const *args, char **out, struct hutch_error *err)
{
	_cleanup_free_ char *text = NULL;
	int r = run_ps(args, &text, err);

	if (r < 0)
		return r;
	return list_ps_filter(text, pids, n, out, err);
}
