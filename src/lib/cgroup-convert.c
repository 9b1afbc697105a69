/*
 * cgroup-convert.c - pure value conversions of the cgroup module (see
 * cgroup-convert.h).
 */
#include "cgroup-convert.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "banned.h"

#define SHARES_MIN 2
#define SHARES_MAX 262144 /* MAX_SHARES of the kernel: 1 << 18 */
#define BLKIO_MIN  10
#define BLKIO_MAX  1000

uint64_t
cgroup_shares_to_weight(uint64_t shares)
{
	if (shares == 0)
		return 0;
	if (shares < SHARES_MIN)
		shares = SHARES_MIN;
	if (shares > SHARES_MAX)
		shares = SHARES_MAX;
	return 1 + ((shares - SHARES_MIN) * 9999) / (SHARES_MAX - SHARES_MIN);
}

uint64_t
cgroup_blkio_to_io_weight(uint64_t weight)
{
	if (weight == 0)
		return 0;
	if (weight < BLKIO_MIN)
		weight = BLKIO_MIN;
	if (weight > BLKIO_MAX)
		weight = BLKIO_MAX;
	return 1 + ((weight - BLKIO_MIN) * 9999) / (BLKIO_MAX - BLKIO_MIN);
}

const char *
cgroup_limit_str(int64_t v, char buf[static 21])
{
	if (v < 0)
		return "max";
	snprintf(buf, 21, "%" PRId64, v);
	return buf;
}

int
cgroup_swap_to_v2(int64_t swap, int64_t limit, char buf[static 21], const char **out,
                  struct hutch_error *err)
{
	*out = NULL;
	/* v1 compatibility: an unlimited memory with swap left unset means
	 * both unlimited. */
	if (limit == -1 && swap == 0) {
		*out = "max";
		return 0;
	}
	if (swap == 0)
		return 0;
	if (swap == -1) {
		*out = "max";
		return 0;
	}
	if (limit == -1) {
		/* Nothing to subtract from: the swap is taken as it is. */
		*out = cgroup_limit_str(swap, buf);
		return 0;
	}
	if (limit <= 0)
		return error_msg(
		    err, EINVAL,
		    "linux.resources.memory.swap: needs a memory limit (memory.limit) on "
		    "cgroup v2, where swap is limited on its own");
	if (swap < limit)
		return error_msg(err, EINVAL,
		                 "linux.resources.memory.swap: smaller than the memory limit "
		                 "(swap counts memory too)");
	*out = cgroup_limit_str(swap - limit, buf);
	return 0;
}

/* ---- flag parsers ---- */

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* "<digits>[.<digits>]" at *s: the integer part and the fraction as
 * numerator / denominator (at most 18 fraction digits are kept). */
static int
parse_decimal(const char **s, uint64_t *whole, uint64_t *num, uint64_t *den)
{
	const char *p = *s;
	bool any = false;

	*whole = 0;
	*num = 0;
	*den = 1;
	for (; is_digit(*p); p++, any = true) {
		if (*whole > (UINT64_MAX - 9) / 10)
			return -ERANGE;
		*whole = *whole * 10 + (uint64_t)(*p - '0');
	}
	if (*p == '.') {
		p++;
		for (; is_digit(*p); p++, any = true) {
			if (*den >= 1000000000000000000ull)
				continue; /* beyond the precision that matters */
			*num = *num * 10 + (uint64_t)(*p - '0');
			*den *= 10;
		}
	}
	if (!any)
		return -EINVAL;
	*s = p;
	return 0;
}

/* whole * unit + num * unit / den, checked. */
static int
scale(uint64_t whole, uint64_t num, uint64_t den, uint64_t unit, uint64_t max, uint64_t *out)
{
	uint64_t frac;

	if (whole != 0 && unit > max / whole)
		return -ERANGE;
	/* num < den <= 1e18 and unit < 2^53: the product needs 128 bits. */
	frac = (uint64_t)(((unsigned __int128)num * unit) / den);
	if (whole * unit > max - frac)
		return -ERANGE;
	*out = whole * unit + frac;
	return 0;
}

int
cgroup_parse_memory(const char *s, int64_t *out)
{
	static const char units[] = "bkmgtp";
	uint64_t whole, num, den, unit = 1, v;
	const char *p = s, *u;
	int r;

	if (strcmp(s, "-1") == 0) {
		*out = -1;
		return 0;
	}
	r = parse_decimal(&p, &whole, &num, &den);
	if (r < 0)
		return r;
	if (*p == ' ')
		p++;
	if (*p && (u = strchr(units, *p | 0x20)) && *u != 'b') {
		for (long i = u - units; i > 0; i--)
			unit *= 1024;
		p++;
		if ((*p | 0x20) == 'i')
			p++;
	}
	if ((*p | 0x20) == 'b')
		p++;
	if (*p != '\0')
		return -EINVAL;
	r = scale(whole, num, den, unit, INT64_MAX, &v);
	if (r < 0)
		return r;
	*out = (int64_t)v;
	return 0;
}

struct duration_unit {
	const char *name;
	uint64_t ns;
};

/* Longest names first: "ms" before "m", "ns" before nothing. */
static const struct duration_unit duration_units[] = {
    {"ns", 1},           {"us", 1000},         {"\xc2\xb5s", 1000}, /* U+00B5 micro sign */
    {"\xce\xbcs", 1000},                                            /* U+03BC Greek mu */
    {"ms", 1000000},     {"s", 1000000000ull}, {"m", 60000000000ull}, {"h", 3600000000000ull},
};

static const struct duration_unit *
duration_unit(const char **p)
{
	const struct duration_unit *best = NULL;
	size_t best_len = 0;

	for (size_t i = 0; i < sizeof(duration_units) / sizeof(duration_units[0]); i++) {
		size_t len = strlen(duration_units[i].name);

		if (len > best_len && strncmp(*p, duration_units[i].name, len) == 0) {
			best = &duration_units[i];
			best_len = len;
		}
	}
	*p += best_len;
	return best;
}

int
cgroup_parse_duration(const char *s, int64_t *ns)
{
	const char *p = s;
	uint64_t total = 0;

	if (*p == '+')
		p++;
	if (*p == '-')
		return -EINVAL; /* an interval must be positive */
	if (strcmp(p, "0") == 0 || *p == '\0')
		return -EINVAL;
	while (*p) {
		const struct duration_unit *unit;
		uint64_t whole, num, den, v;
		int r = parse_decimal(&p, &whole, &num, &den);

		if (r < 0)
			return r;
		unit = duration_unit(&p);
		if (!unit)
			return -EINVAL; /* Go requires a unit on every number */
		r = scale(whole, num, den, unit->ns, INT64_MAX, &v);
		if (r < 0)
			return r;
		if (total > (uint64_t)INT64_MAX - v)
			return -ERANGE;
		total += v;
	}
	if (total == 0)
		return -EINVAL;
	*ns = (int64_t)total;
	return 0;
}
