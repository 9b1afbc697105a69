#include "seccomp-cache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/filter.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "config.h"
#include "util.h"
#include "banned.h"

#define MAGIC       "HUTCHSB1"
#define MAX_ENTRIES 256 /* distinct profiles kept; past that, compile */
#define MAX_FILE    (1u << 20)

struct header {
	char magic[8];
	uint32_t key_len;
	uint32_t n_insns;
	uint32_t flags;
	uint32_t notify;
};

/* Each string with its length first: no value (a syscall "name" with a
 * newline in it, say) can spell other lines of the key, so two profiles
 * share a key only when they are the same. */
static void
print_strv(FILE *f, const char *what, char *const *v)
{
	for (size_t i = 0; v && v[i]; i++)
		fprintf(f, "%s %zu:%s\n", what, strlen(v[i]), v[i]);
}

char *
seccomp_cache_key(const struct spec_seccomp *s)
{
	const struct scmp_version *v = seccomp_version();
	struct utsname u = {0};
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	if (!f)
		abort(); /* out of memory, as xmalloc */
	uname(&u);
	fprintf(f, "hutch seccomp cache 3 (hutch %s)\nlibseccomp %u.%u.%u api %u\nkernel %s %s\n",
	        HUTCH_VERSION, v ? v->major : 0, v ? v->minor : 0, v ? v->micro : 0,
	        seccomp_api_get(), u.release, u.machine);
	fprintf(f, "default %d %d %" PRIu32 "\n", (int)s->default_action, s->has_default_errno_ret,
	        s->default_errno_ret);
	print_strv(f, "arch", s->architectures);
	print_strv(f, "flag", s->flags);
	for (size_t i = 0; i < s->n_rules; i++) {
		const struct spec_seccomp_rule *r = &s->rules[i];

		fprintf(f, "rule %d %d %" PRIu32 "\n", (int)r->action, r->has_errno_ret,
		        r->errno_ret);
		print_strv(f, " name", r->names);
		for (size_t a = 0; a < r->n_args; a++)
			fprintf(f, " arg %" PRIu32 " %d %" PRIu64 " %" PRIu64 "\n",
			        r->args[a].index, (int)r->args[a].op, r->args[a].value,
			        r->args[a].value_two);
	}
	if (fclose(f) != 0)
		abort();
	return text;
}

/* FNV-1a: only names the file; the key inside decides. */
static uint64_t
key_hash(const char *key)
{
	uint64_t h = 14695981039346656037ULL;

	for (const unsigned char *p = (const unsigned char *)key; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	return h;
}

static bool
cache_read(int dirfd, const char *name, const char *key, struct seccomp_program *out)
{
	_cleanup_free_ char *buf = NULL;
	struct hutch_error ignored;
	struct header h;
	size_t len, key_len = strlen(key);
	_cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0 || read_fd_all(fd, name, MAX_FILE, &buf, &len, &ignored) < 0 || len < sizeof(h))
		return false;
	memcpy(&h, buf, sizeof(h));
	if (memcmp(h.magic, MAGIC, sizeof(h.magic)) != 0 || h.key_len != key_len ||
	    h.n_insns == 0 || h.n_insns > BPF_MAXINSNS ||
	    len != sizeof(h) + key_len + (size_t)h.n_insns * sizeof(struct sock_filter) ||
	    memcmp(buf + sizeof(h), key, key_len) != 0)
		return false;
	out->len = h.n_insns;
	out->flags = h.flags;
	out->notify = h.notify != 0;
	out->bpf = xmalloc(out->len * sizeof(struct sock_filter));
	memcpy(out->bpf, buf + sizeof(h) + key_len, out->len * sizeof(struct sock_filter));
	return true;
}

static size_t
count_entries(int dirfd)
{
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	size_t n = 0;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return SIZE_MAX;
	}
	for (struct dirent *de; (de = readdir(d));)
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

/* Written under a temporary name and renamed: a reader sees a whole entry
 * or none. */
static void
cache_write(int dirfd, const char *name, const char *key, const struct seccomp_program *p)
{
	struct header h = {.key_len = (uint32_t)strlen(key),
	                   .n_insns = (uint32_t)p->len,
	                   .flags = p->flags,
	                   .notify = p->notify};
	char tmp[64];
	int fd;
	bool ok;

	if (count_entries(dirfd) >= MAX_ENTRIES)
		return;
	memcpy(h.magic, MAGIC, sizeof(h.magic));
	snprintf(tmp, sizeof(tmp), ".%s.%d", name, (int)getpid());
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	ok = write_all(fd, &h, sizeof(h)) >= 0 && write_all(fd, key, h.key_len) >= 0 &&
	     write_all(fd, p->bpf, p->len * sizeof(struct sock_filter)) >= 0;
	close(fd);
	if (!ok || renameat(dirfd, tmp, dirfd, name) < 0)
		unlinkat(dirfd, tmp, 0);
}

int
seccomp_program_compile_cached(const char *root, const struct spec_seccomp *s,
                               struct seccomp_program *out, struct hutch_error *err)
{
	_cleanup_free_ char *key = NULL, *dir = NULL;
	_cleanup_close_ int dirfd = -1;
	char name[32];
	int r;

	if (!root)
		return seccomp_program_compile(s, out, err);
	key = seccomp_cache_key(s);
	snprintf(name, sizeof(name), "%016" PRIx64, key_hash(key));
	dir = xasprintf("%s/" SECCOMP_CACHE_DIR, root);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return seccomp_program_compile(s, out, err);
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dirfd >= 0 && cache_read(dirfd, name, key, out))
		return 0;
	r = seccomp_program_compile(s, out, err);
	if (r == 0 && dirfd >= 0)
		cache_write(dirfd, name, key, out);
	return r;
}
