/*
 * fuzz-small.c - the small string parsers: numbers and signals of the
 * command line, names of capabilities, rlimits and namespaces, sysctl and
 * cgroup keys, interface names and CPU lists, path_clean(), container ids,
 * `ps` output, and the cgroup value conversions of `update`.
 *
 * The first byte selects the parser ((byte - '@') modulo the table size,
 * so the seeds start with '@', 'A', 'B' ...), the rest is the string, cut
 * at its first NUL as a C string would be.  Besides crashes, each check
 * holds the parser to its header's contract, and where an independent
 * answer is cheap (a plain number, a name that maps back) compares with it.
 */
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/capability.h>
#include <sys/resource.h>

#include "cgroup-convert.h"
#include "container.h"
#include "fuzz-common.h"
#include "fuzz.h"
#include "list.h"
#include "parse.h"
#include "path.h"
#include "spec-internal.h"
#include "spec.h"

/* -?[0-9]+ (the sign only when allowed) as a number, saturated far outside
 * 64 bits: the reference for the checked number parsers. */
static bool
ref_number(const char *s, bool sign, __int128 *out)
{
	bool neg = sign && *s == '-';
	const char *p = s + neg;
	__int128 v = 0;

	if (*p == '\0')
		return false;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		if (v < ((__int128)1 << 100))
			v = v * 10 + (*p - '0');
	}
	*out = neg ? -v : v;
	return true;
}

static bool
bad_code(int r)
{
	return r < 0 && r != -EINVAL && r != -ERANGE;
}

/* '@': parse_i64, parse_u64 and parse_int over the ranges hutch uses. */
static void
check_numbers(const char *s)
{
	static const int64_t i64_ranges[][2] = {
	    {INT64_MIN, INT64_MAX}, {-1, INT64_MAX}, {0, UINT32_MAX}, {0, 1}};
	static const uint64_t u64_max[] = {UINT64_MAX, UINT32_MAX, 0};
	static const int int_ranges[][2] = {{INT_MIN, INT_MAX}, {0, INT_MAX - 3}, {1, 64}};
	__int128 ref;
	bool signed_ok = ref_number(s, true, &ref);

	for (size_t i = 0; i < sizeof(i64_ranges) / sizeof(i64_ranges[0]); i++) {
		bool want = signed_ok && ref >= i64_ranges[i][0] && ref <= i64_ranges[i][1];
		int64_t v = 0;
		int r = parse_i64(s, i64_ranges[i][0], i64_ranges[i][1], &v);

		if (want != (r == 0) || (want && v != ref) || bad_code(r))
			abort();
	}
	for (size_t i = 0; i < sizeof(int_ranges) / sizeof(int_ranges[0]); i++) {
		bool want = signed_ok && ref >= int_ranges[i][0] && ref <= int_ranges[i][1];
		int v = 0;
		int r = parse_int(s, int_ranges[i][0], int_ranges[i][1], &v);

		if (want != (r == 0) || (want && v != ref) || bad_code(r))
			abort();
	}
	signed_ok = ref_number(s, false, &ref);
	for (size_t i = 0; i < sizeof(u64_max) / sizeof(u64_max[0]); i++) {
		bool want = signed_ok && ref <= u64_max[i];
		uint64_t v = 0;
		int r = parse_u64(s, u64_max[i], &v);

		if (want != (r == 0) || (want && v != ref) || bad_code(r))
			abort();
	}
}

/* 'A': a signal is 1..SIGRTMAX; a number means the same as parse_int(). */
static void
check_signal(const char *s)
{
	int sig = 0, num = 0;
	int r = parse_signal(s, &sig);

	if (r == 0 && (sig < 1 || sig > SIGRTMAX))
		abort();
	if (s[0] >= '0' && s[0] <= '9' &&
	    (r == 0) != (parse_int(s, 1, SIGRTMAX, &num) == 0 && num == sig))
		abort();
}

/* 'B': only "CAP_" + upper case, 0..63, and the number names it back. */
static void
check_cap(const char *s)
{
	int cap = -1;
	char *name;

	if (spec_cap_from_name(s, &cap) < 0)
		return;
	if (cap < 0 || cap > 63 || strncmp(s, "CAP_", 4) != 0)
		abort();
	name = cap_to_name(cap);
	if (!name || strcasecmp(name, s) != 0)
		abort();
	cap_free(name);
}

/* 'C' */
static void
check_rlimit(const char *s)
{
	int res = -1;

	if (spec_rlimit_from_name(s, &res) == 0 &&
	    (res < 0 || res >= RLIM_NLIMITS || strncmp(s, "RLIMIT_", 7) != 0))
		abort();
}

/* 'D': a namespace type names itself back and has a clone flag. */
static void
check_ns_type(const char *s)
{
	enum spec_ns_type t = SPEC_NS_COUNT;
	const char *name;

	if (spec_ns_type_from_name(s, &t) < 0)
		return;
	name = (unsigned)t < SPEC_NS_COUNT ? spec_ns_type_name(t) : NULL;
	if (!name || strcmp(name, s) != 0 || spec_ns_clone_flag(t) == 0)
		abort();
}

/* 'E': a sysctl key belongs to ipc, net, uts or nothing. */
static void
check_sysctl(const char *s)
{
	int ns = spec_sysctl_namespace(s);

	if (ns != -1 && ns != SPEC_NS_IPC && ns != SPEC_NS_NETWORK && ns != SPEC_NS_UTS)
		abort();
}

/* 'F' */
static void
check_unified(const char *s)
{
	if (spec_unified_key_is_core(s) && strncmp(s, "cgroup.", 7) != 0)
		abort();
}

/* 'G': dev_valid_name(): 1..IFNAMSIZ-1 bytes, no '/', ':' or white space. */
static void
check_ifname(const char *s)
{
	size_t len = strlen(s);

	if (!spec_valid_ifname(s))
		return;
	if (len == 0 || len >= IFNAMSIZ || strpbrk(s, "/: \t\n\v\f\r") || strcmp(s, ".") == 0 ||
	    strcmp(s, "..") == 0)
		abort();
}

/* 'H': "0-3,7": numbers up to 65535 joined by '-' and ','. */
static void
check_cpu_list(const char *s)
{
	bool digit = false;

	if (!spec_valid_cpu_list(s))
		return;
	for (const char *p = s; *p; p++) {
		bool d = *p >= '0' && *p <= '9';

		/* Every separator sits between two numbers. */
		if (!d && (!digit || !strchr(",-", *p) || !(p[1] >= '0' && p[1] <= '9')))
			abort();
		digit = d;
	}
	if (!digit)
		abort();
}

/* The components of `in` other than "" and ".", joined as "/a/b": the
 * reference for path_clean() when the result fits. */
static char *
ref_clean(const char *in)
{
	char *out = malloc(strlen(in) + 2);
	size_t n = 0;

	if (!out)
		abort();
	for (const char *p = in; *p;) {
		size_t len = strcspn(p, "/");

		if (len > 0 && !(len == 1 && *p == '.')) {
			out[n++] = '/';
			memcpy(out + n, p, len);
			n += len;
		}
		p += len + (p[len] == '/');
	}
	if (n == 0)
		out[n++] = '/';
	out[n] = '\0';
	return out;
}

/* path_clean() into a buffer of exactly `size` bytes (ASan sees any byte
 * past it), checked against path.h's promises. */
static char *
clean(const char *in, size_t size)
{
	char *out = malloc(size);
	size_t len;

	if (!out)
		abort();
	path_clean(in, out, size);
	len = strnlen(out, size);
	if (len == size || out[0] != '/' || strstr(out, "//") || strstr(out, "/./") ||
	    (len > 1 && out[len - 1] == '/') || (len >= 2 && strcmp(out + len - 2, "/.") == 0))
		abort();
	return out;
}

/* 'I': path_clean() in a PATH_MAX buffer and in small ones.  A result
 * that does not fit is cut after a whole component.  Sizes below 2 are
 * left out: path_clean() writes "/" and a NUL whatever the size, and every
 * caller passes PATH_MAX. */
static void
check_path_clean(const char *in)
{
	static const size_t small[] = {2, 3, 8, 17};
	char *ref = ref_clean(in), *full = clean(in, PATH_MAX), *again;

	if (strlen(ref) < PATH_MAX && strcmp(full, ref) != 0)
		abort();
	again = clean(full, PATH_MAX);
	if (strcmp(again, full) != 0)
		abort();
	for (size_t i = 0; i < sizeof(small) / sizeof(small[0]); i++) {
		char *cut = clean(in, small[i]);
		size_t len = strlen(cut);

		if (strncmp(cut, full, len) != 0 ||
		    (len > 1 && full[len] != '\0' && full[len] != '/'))
			abort();
		if (strlen(full) < small[i] && strcmp(cut, full) != 0)
			abort();
		free(cut);
	}
	free(again);
	free(full);
	free(ref);
}

/* 'J': 1..1024 bytes of [A-Za-z0-9_.+-], not "." or "..". */
static void
check_container_id(const char *id)
{
	struct hutch_error err = {0};
	size_t len = strlen(id);
	bool want =
	    len >= 1 && len <= 1024 && strcmp(id, ".") != 0 && strcmp(id, "..") != 0 &&
	    strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.+-") == len;
	int r = container_check_id(id, &err);

	/* Non-empty only, not one line: the message quotes the id as given,
	 * control characters included. */
	if (want != (r == 0) || (r < 0 && err.msg[0] == '\0'))
		abort();
}

/* 'K': list_ps_filter() keeps the header line and some of the other lines,
 * in order, unchanged. */
static void
check_ps(const char *text)
{
	static const pid_t pids[] = {1, 42, 4242};
	struct hutch_error err = {0};
	size_t head = strcspn(text, "\n");
	const char *t = text + head, *o;
	char *out = NULL;
	int r = list_ps_filter(text, pids, sizeof(pids) / sizeof(pids[0]), &out, &err);

	if (r < 0) {
		if (out || fuzz_bad_error(&err))
			abort();
		return;
	}
	if (!out || strncmp(out, text, head) != 0 || out[head] != '\n')
		abort();
	for (o = out + head + 1; *o;) {
		size_t len = strcspn(o, "\n");
		bool found = false;

		if (len == 0 || o[len] != '\n')
			abort();
		while (*t && !found) {
			size_t tlen;

			t += *t == '\n';
			tlen = strcspn(t, "\n");
			found = tlen == len && memcmp(t, o, len) == 0;
			t += tlen;
		}
		if (!found)
			abort();
		o += len + 1;
	}
	free(out);
}

/* 'L': a memory size is -1 (exactly "-1") or >= 0; plain numbers and one
 * binary unit letter are checked against the reference. */
static void
check_memory(const char *s)
{
	static const char units[] = "bkmgtp";
	int64_t v = 0;
	int r = cgroup_parse_memory(s, &v);
	size_t len = strlen(s);
	__int128 ref;
	const char *u;

	if (bad_code(r) || (r == 0 && (v < -1 || (v == -1) != (strcmp(s, "-1") == 0))))
		abort();
	if (ref_number(s, false, &ref) && (r == 0) != (ref <= INT64_MAX))
		abort();
	if (r == 0 && ref_number(s, false, &ref) && v != ref)
		abort();
	if (len >= 2 && (u = strchr(units + 1, s[len - 1] | 0x20))) {
		char *digits = strndup(s, len - 1);
		int shift = 10 * (int)(u - units);

		if (!digits)
			abort();
		if (ref_number(digits, false, &ref)) {
			bool fits = ref <= (INT64_MAX >> shift);

			if (fits != (r == 0) || (fits && v != ref << shift))
				abort();
		}
		free(digits);
	}
}

/* 'M': a duration is > 0; "<digits>s" is checked against the reference. */
static void
check_duration(const char *s)
{
	int64_t ns = 0;
	int r = cgroup_parse_duration(s, &ns);
	size_t len = strlen(s);

	if (bad_code(r) || (r == 0 && ns <= 0))
		abort();
	if (len >= 2 && s[len - 1] == 's' && s[len - 2] >= '0' && s[len - 2] <= '9') {
		char *digits = strndup(s, len - 1);
		__int128 ref;

		if (!digits)
			abort();
		if (ref_number(digits, false, &ref)) {
			bool want = ref > 0 && ref <= INT64_MAX / 1000000000;

			if (want != (r == 0) || (want && ns != ref * 1000000000))
				abort();
		}
		free(digits);
	}
}

/* A v1 -> v2 weight mapping: 0 stays 0, else 1..10000, never decreasing,
 * and the ends of the v1 range map to the ends of the v2 range. */
static void
check_weight(uint64_t (*map)(uint64_t), uint64_t x, uint64_t lo, uint64_t hi)
{
	uint64_t w = map(x);

	if ((x == 0) != (w == 0) || w > 10000)
		abort();
	if (x < UINT64_MAX && map(x + 1) < w)
		abort();
	if ((x != 0 && x <= lo && w != 1) || (x >= hi && w != 10000))
		abort();
}

/* 'N': a number through the weight mappings and cgroup_limit_str(). */
static void
check_conversions(const char *s)
{
	char buf[21];
	uint64_t u;
	int64_t i, back = 0;

	if (parse_u64(s, UINT64_MAX, &u) == 0) {
		check_weight(cgroup_shares_to_weight, u, 2, 262144);
		check_weight(cgroup_blkio_to_io_weight, u, 10, 1000);
	}
	if (parse_i64(s, INT64_MIN, INT64_MAX, &i) == 0) {
		const char *text = cgroup_limit_str(i, buf);

		if (i < 0 ? strcmp(text, "max") != 0
		          : parse_i64(text, 0, INT64_MAX, &back) < 0 || back != i)
			abort();
	}
}

/* 'O': "SWAP:LIMIT" through cgroup_swap_to_v2(): no answer, "max", or a
 * number of bytes that is not negative. */
static void
check_swap(const char *s)
{
	struct hutch_error err = {0};
	const char *colon = strchr(s, ':'), *out = "unset";
	int64_t swap, limit, v;
	char *first, buf[21];
	int r;

	if (!colon)
		return;
	first = strndup(s, (size_t)(colon - s));
	if (!first)
		abort();
	r = parse_i64(first, INT64_MIN, INT64_MAX, &swap) < 0 ||
	    parse_i64(colon + 1, INT64_MIN, INT64_MAX, &limit) < 0;
	free(first);
	if (r)
		return;
	r = cgroup_swap_to_v2(swap, limit, buf, &out, &err);
	if (r < 0) {
		if (out || fuzz_bad_error(&err))
			abort();
		return;
	}
	if (out && strcmp(out, "max") != 0 && parse_i64(out, 0, INT64_MAX, &v) < 0)
		abort();
	if (out && limit > 0 && swap > 0 &&
	    (parse_i64(out, 0, INT64_MAX, &v) < 0 || v != swap - limit))
		abort();
}

static void (*const checks[])(const char *s) = {
    check_numbers,      /* '@' */
    check_signal,       /* 'A' */
    check_cap,          /* 'B' */
    check_rlimit,       /* 'C' */
    check_ns_type,      /* 'D' */
    check_sysctl,       /* 'E' */
    check_unified,      /* 'F' */
    check_ifname,       /* 'G' */
    check_cpu_list,     /* 'H' */
    check_path_clean,   /* 'I' */
    check_container_id, /* 'J' */
    check_ps,           /* 'K' */
    check_memory,       /* 'L' */
    check_duration,     /* 'M' */
    check_conversions,  /* 'N' */
    check_swap,         /* 'O' */
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t n = sizeof(checks) / sizeof(checks[0]);
	char *s;

	if (size == 0)
		return 0;
	s = fuzz_string(data + 1, size - 1);
	checks[(uint8_t)(data[0] - '@') % n](s);
	free(s);
	return 0;
}
