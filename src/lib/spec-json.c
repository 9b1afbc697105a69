/*
 * spec-json.c - loading config.json with jansson and reading its values with
 * strict types, naming the field's JSON path in every error.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>

#include "parse.h"
#include "spec-internal.h"
#include "util.h"
#include "banned.h"

/*
 * jansson keeps integers as long long and refuses larger literals ("too big
 * integer"), but the spec has uint64 fields and Go writes RLIM_INFINITY as
 * 18446744073709551615.  So before loading, each integer literal in a value
 * position that does not fit in int64 is rewritten as a string holding
 * BIG_INT_MARK followed by the literal: the integer readers accept such a
 * string and range-check the literal, the string readers refuse it.  A
 * config may spell the same string by hand; it then gets exactly the integer
 * it could have written as a number, so nothing is gained by it.
 */
#define BIG_INT_MARK         '\x01'
#define BIG_INT_MARK_ESCAPED "\\u0001"
#define BIG_INT_EXTRA        (sizeof(BIG_INT_MARK_ESCAPED) - 1 + 2) /* mark and quotes */

struct rewrite {
	const char *in;
	size_t len;
	size_t done; /* in[0..done) is already in out */
	char *out;   /* NULL until the first rewrite */
	size_t out_len;
	size_t out_cap;
	size_t *at;     /* offsets in `in` of the rewritten literals */
	size_t *at_len; /* and their lengths */
	size_t n_at;
	size_t at_cap;
	unsigned char stack[JSON_PARSER_MAX_DEPTH]; /* 1: array, 0: object */
	size_t depth;
	bool too_deep;
};

static void
rewrite_append(struct rewrite *rw, const char *s, size_t n)
{
	if (rw->out_len + n + 1 > rw->out_cap) {
		rw->out_cap = (rw->out_len + n + 1) * 2;
		rw->out = xrealloc(rw->out, rw->out_cap, 1);
	}
	memcpy(rw->out + rw->out_len, s, n);
	rw->out_len += n;
	rw->out[rw->out_len] = '\0';
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Length of the JSON number starting at s, 0 if none; *integer is false
 * when it has a fraction or an exponent. */
static size_t
number_len(const char *s, const char *end, bool *integer)
{
	const char *p = s;

	if (p < end && *p == '-')
		p++;
	if (p == end || !is_digit(*p))
		return 0;
	if (*p++ != '0')
		while (p < end && is_digit(*p))
			p++;
	*integer = true;
	if (p < end && *p == '.') {
		*integer = false;
		for (p++; p < end && is_digit(*p); p++)
			;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		*integer = false;
		if (++p < end && (*p == '+' || *p == '-'))
			p++;
		while (p < end && is_digit(*p))
			p++;
	}
	return (size_t)(p - s);
}

static bool
fits_int64(const char *s, size_t n)
{
	char buf[24];
	int64_t v;

	if (n >= sizeof(buf))
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return parse_i64(buf, INT64_MIN, INT64_MAX, &v) != -ERANGE;
}

static void
rewrite_literal(struct rewrite *rw, size_t at, size_t n)
{
	if (!rw->out) {
		rw->out_cap = rw->len + 64;
		rw->out = xmalloc(rw->out_cap);
	}
	rewrite_append(rw, rw->in + rw->done, at - rw->done);
	rewrite_append(rw, "\"" BIG_INT_MARK_ESCAPED, sizeof(BIG_INT_MARK_ESCAPED));
	rewrite_append(rw, rw->in + at, n);
	rewrite_append(rw, "\"", 1);
	rw->done = at + n;
	if (rw->n_at == rw->at_cap) {
		rw->at_cap = rw->at_cap ? rw->at_cap * 2 : 16;
		rw->at = xrealloc(rw->at, rw->at_cap, sizeof(*rw->at));
		rw->at_len = xrealloc(rw->at_len, rw->at_cap, sizeof(*rw->at_len));
	}
	rw->at[rw->n_at] = at;
	rw->at_len[rw->n_at++] = n;
}

/* Index just past the string literal opening at i (or len if unclosed). */
static size_t
skip_string(const char *s, size_t len, size_t i)
{
	for (i++; i < len; i++) {
		if (s[i] == '\\')
			i++;
		else if (s[i] == '"')
			return i + 1;
	}
	return len;
}

static void
track_nesting(struct rewrite *rw, char c)
{
	if (c == '{' || c == '[') {
		if (rw->depth == sizeof(rw->stack))
			rw->too_deep = true; /* jansson refuses it anyway */
		else
			rw->stack[rw->depth++] = c == '[';
	} else if ((c == '}' || c == ']') && rw->depth > 0) {
		rw->depth--;
	}
}

static bool
value_position(const struct rewrite *rw, char prev)
{
	/* After ',' an object expects a key: a number there stays invalid. */
	return prev == ':' || prev == '[' ||
	       (prev == ',' && rw->depth > 0 && rw->stack[rw->depth - 1]);
}

static void
rewrite_big_ints(struct rewrite *rw)
{
	const char *s = rw->in, *end = rw->in + rw->len;
	char prev = 0;
	size_t i = 0;

	while (i < rw->len && !rw->too_deep) {
		char c = s[i];
		bool integer = false;
		size_t n;

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			i++;
			continue;
		}
		if (c == '"') {
			i = skip_string(s, rw->len, i);
			prev = c;
			continue;
		}
		n = (c == '-' || is_digit(c)) && value_position(rw, prev)
		        ? number_len(s + i, end, &integer)
		        : 0;
		if (n > 0 && integer && !fits_int64(s + i, n))
			rewrite_literal(rw, i, n);
		track_nesting(rw, c);
		i += n ? n : 1;
		prev = s[i - 1];
	}
	if (rw->out)
		rewrite_append(rw, s + rw->done, rw->len - rw->done);
}

/* Where jansson's error offset in the rewritten text lies in the original. */
static size_t
original_offset(const struct rewrite *rw, size_t pos)
{
	size_t shift = 0;

	for (size_t k = 0; k < rw->n_at; k++) {
		size_t start = rw->at[k] + shift;

		if (pos <= start)
			break;
		if (pos < start + rw->at_len[k] + BIG_INT_EXTRA)
			return rw->at[k];
		shift += BIG_INT_EXTRA;
	}
	return pos - shift;
}

/* Line and column as jansson counts them: 1-based lines, columns counting
 * UTF-8 sequences rather than bytes. */
static void
line_column(const char *s, size_t len, size_t pos, int *line, int *column)
{
	*line = 1;
	*column = 0;
	for (size_t i = 0; i < pos && i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\n') {
			++*line;
			*column = 0;
		} else if (c < 0x80 || (c >= 0xc2 && c <= 0xf4)) {
			++*column;
		}
	}
}

static void
sanitize(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

static int
load_error(const struct rewrite *rw, const json_error_t *jerr, const char *what,
           struct hutch_error *err)
{
	int line = jerr->line, column = jerr->column;
	char text[sizeof(jerr->text)];

	if (rw->out && jerr->position >= 0)
		line_column(rw->in, rw->len, original_offset(rw, (size_t)jerr->position), &line,
		            &column);
	snprintf(text, sizeof(text), "%s", jerr->text);
	sanitize(text);
	return error_msg(err, EINVAL, "%s: invalid JSON at line %d, column %d: %s", what, line,
	                 column, text);
}

int
spec_json_load(const char *buf, size_t len, const char *what, json_t **out, struct hutch_error *err)
{
	struct rewrite *rw;
	json_error_t jerr;
	json_t *root;
	int r = 0;

	if (len > SPEC_MAX_FILE_SIZE)
		return error_msg(err, EFBIG, "%s: larger than %u bytes", what, SPEC_MAX_FILE_SIZE);
	rw = xcalloc(1, sizeof(*rw));
	rw->in = buf;
	rw->len = len;
	rewrite_big_ints(rw);
	root = rw->out ? json_loadb(rw->out, rw->out_len, JSON_REJECT_DUPLICATES, &jerr)
	               : json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		r = load_error(rw, &jerr, what, err);
	else if (!json_is_object(root))
		r = error_msg(err, EINVAL, "%s: expected a JSON object at the top level", what);
	free(rw->out);
	free(rw->at);
	free(rw->at_len);
	free(rw);
	if (r < 0) {
		json_decref(root);
		return r;
	}
	*out = root;
	return 0;
}

/* ---- errors and paths ---- */

int
spec_error(struct hutch_error *err, const char *path, const char *key, const char *fmt, ...)
{
	char what[HUTCH_ERROR_MSG_MAX];
	bool dot = path && *path && key;
	va_list ap;
	int r;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	r = error_msg(err, EINVAL, "%s%s%s: %s", path ? path : "", dot ? "." : "", key ? key : "",
	              what);
	/* Messages quote config strings: keep them on one line. */
	sanitize(err->msg);
	return r;
}

int
spec_missing(struct hutch_error *err, const char *path, const char *key)
{
	return spec_error(err, path, key, "required");
}

void
spec_path_key(char out[SPEC_PATH_MAX], const char *parent, const char *key)
{
	snprintf(out, SPEC_PATH_MAX, "%s%s%s", parent, *parent ? "." : "", key);
}

void
spec_path_index(char out[SPEC_PATH_MAX], const char *parent, const char *key, size_t i)
{
	bool dot = *parent && key;

	snprintf(out, SPEC_PATH_MAX, "%s%s%s[%zu]", parent, dot ? "." : "", key ? key : "", i);
}

void
spec_path_map(char out[SPEC_PATH_MAX], const char *parent, const char *key, const char *map_key)
{
	snprintf(out, SPEC_PATH_MAX, "%s%s%s[\"" SPEC_QUOTE "\"]", parent, *parent ? "." : "", key,
	         map_key);
}

/* ---- single values ---- */

json_t *
spec_field(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return v && !json_is_null(v) ? v : NULL;
}

/* The literal a big-integer string stands for (see BIG_INT_MARK), or NULL. */
static const char *
big_int_literal(json_t *v)
{
	const char *s = "";
	int64_t i = 0;

	if (!json_is_string(v))
		return NULL;
	s = json_string_value(v);
	if (s[0] != BIG_INT_MARK)
		return NULL;
	s++;
	if (!(s[0] == '-' ? s[1] >= '1' && s[1] <= '9' : s[0] >= '1' && s[0] <= '9'))
		return NULL;
	for (const char *p = s + 1; *p; p++)
		if (!is_digit(*p))
			return NULL;
	return parse_i64(s, INT64_MIN, INT64_MAX, &i) == -ERANGE ? s : NULL;
}

int
spec_value_object(json_t *v, const char *path, const char *key, struct hutch_error *err)
{
	return json_is_object(v) ? 0 : spec_error(err, path, key, "expected an object");
}

int
spec_value_array(json_t *v, const char *path, const char *key, struct hutch_error *err)
{
	return json_is_array(v) ? 0 : spec_error(err, path, key, "expected an array");
}

int
spec_value_str(json_t *v, const char *path, const char *key, const char **out,
               struct hutch_error *err)
{
	if (!json_is_string(v) || big_int_literal(v))
		return spec_error(err, path, key, "expected a string");
	*out = json_string_value(v);
	return 0;
}

int
spec_value_i64(json_t *v, const char *path, const char *key, int64_t min, int64_t max, int64_t *out,
               struct hutch_error *err)
{
	json_int_t i;

	if (!json_is_integer(v) && !big_int_literal(v))
		return spec_error(err, path, key, "expected an integer");
	/* A big literal is outside int64, so always out of range here. */
	i = json_is_integer(v) ? json_integer_value(v) : 0;
	if (!json_is_integer(v) || i < min || i > max)
		return spec_error(err, path, key,
		                  "expected an integer from %" PRId64 " to %" PRId64, min, max);
	*out = i;
	return 0;
}

int
spec_value_u64(json_t *v, const char *path, const char *key, uint64_t max, uint64_t *out,
               struct hutch_error *err)
{
	const char *big = big_int_literal(v);
	uint64_t u = 0;
	bool ok;

	if (!json_is_integer(v) && !big)
		return spec_error(err, path, key, "expected an integer");
	if (big) {
		ok = parse_u64(big, max, &u) == 0;
	} else {
		ok = json_integer_value(v) >= 0 && (uint64_t)json_integer_value(v) <= max;
		u = (uint64_t)json_integer_value(v);
	}
	if (!ok)
		return spec_error(err, path, key, "expected an integer from 0 to %" PRIu64, max);
	*out = u;
	return 0;
}

int
spec_value_path(json_t *v, const char *path, const char *key, bool absolute, const char **out,
                struct hutch_error *err)
{
	const char *s = "";

	if (spec_value_str(v, path, key, &s, err) < 0)
		return -EINVAL;
	if (*s == '\0')
		return spec_error(err, path, key, "expected a non-empty path");
	if (json_string_length(v) >= PATH_MAX)
		return spec_error(err, path, key, "path longer than %d bytes", PATH_MAX - 1);
	if (absolute && *s != '/')
		return spec_error(err, path, key, "expected an absolute path, got '" SPEC_QUOTE "'",
		                  s);
	*out = s;
	return 0;
}

/* ---- members of an object ---- */

int
spec_get_object(json_t *obj, const char *path, const char *key, json_t **out,
                struct hutch_error *err)
{
	json_t *v = spec_field(obj, key);

	if (!v)
		return 0;
	if (spec_value_object(v, path, key, err) < 0)
		return -EINVAL;
	*out = v;
	return 1;
}

int
spec_get_array(json_t *obj, const char *path, const char *key, json_t **out,
               struct hutch_error *err)
{
	json_t *v = spec_field(obj, key);

	if (!v)
		return 0;
	if (spec_value_array(v, path, key, err) < 0)
		return -EINVAL;
	*out = v;
	return 1;
}

int
spec_get_bool(json_t *obj, const char *path, const char *key, bool *out, struct hutch_error *err)
{
	json_t *v = spec_field(obj, key);

	if (!v)
		return 0;
	if (!json_is_boolean(v))
		return spec_error(err, path, key, "expected true or false");
	*out = json_is_true(v);
	return 1;
}

int
spec_get_str(json_t *obj, const char *path, const char *key, char **out, struct hutch_error *err)
{
	json_t *v = spec_field(obj, key);
	const char *s = "";

	if (!v)
		return 0;
	if (spec_value_str(v, path, key, &s, err) < 0)
		return -EINVAL;
	*out = xstrdup(s);
	return 1;
}

int
spec_get_path(json_t *obj, const char *path, const char *key, bool absolute, char **out,
              struct hutch_error *err)
{
	json_t *v = spec_field(obj, key);
	const char *s = "";

	if (!v)
		return 0;
	if (spec_value_path(v, path, key, absolute, &s, err) < 0)
		return -EINVAL;
	*out = xstrdup(s);
	return 1;
}

int
spec_get_i64(json_t *obj, const char *path, const char *key, int64_t min, int64_t max, int64_t *out,
             struct hutch_error *err)
{
	json_t *v = spec_field(obj, key);

	if (!v)
		return 0;
	return spec_value_i64(v, path, key, min, max, out, err) < 0 ? -EINVAL : 1;
}

int
spec_get_u64(json_t *obj, const char *path, const char *key, uint64_t max, uint64_t *out,
             struct hutch_error *err)
{
	json_t *v = spec_field(obj, key);

	if (!v)
		return 0;
	return spec_value_u64(v, path, key, max, out, err) < 0 ? -EINVAL : 1;
}

int
spec_get_u32(json_t *obj, const char *path, const char *key, uint32_t *out, struct hutch_error *err)
{
	uint64_t u = 0;
	int r = spec_get_u64(obj, path, key, UINT32_MAX, &u, err);

	if (r > 0)
		*out = (uint32_t)u;
	return r;
}

int
spec_get_int(json_t *obj, const char *path, const char *key, int min, int max, int *out,
             struct hutch_error *err)
{
	int64_t i = 0;
	int r = spec_get_i64(obj, path, key, min, max, &i, err);

	if (r > 0)
		*out = (int)i;
	return r;
}

static int
check_strv_item(json_t *v, const char *path, enum spec_strv_check check, const char **out,
                struct hutch_error *err)
{
	const char *s = "";

	if (check == SPEC_STRV_ABSOLUTE)
		return spec_value_path(v, path, NULL, true, out, err);
	if (spec_value_str(v, path, NULL, &s, err) < 0)
		return -EINVAL;
	if (check == SPEC_STRV_NONEMPTY && *s == '\0')
		return spec_error(err, path, NULL, "expected a non-empty string");
	*out = s;
	return 0;
}

int
spec_get_strv(json_t *obj, const char *path, const char *key, enum spec_strv_check check,
              char ***out, struct hutch_error *err)
{
	_cleanup_strv_ char **strv = NULL;
	json_t *arr = NULL, *v;
	size_t i;
	int r = spec_get_array(obj, path, key, &arr, err);

	if (r <= 0)
		return r;
	strv = xcalloc(json_array_size(arr) + 1, sizeof(char *));
	json_array_foreach (arr, i, v) {
		char item[SPEC_PATH_MAX];
		const char *s = "";

		spec_path_index(item, path, key, i);
		if (check_strv_item(v, item, check, &s, err) < 0)
			return -EINVAL;
		strv[i] = xstrdup(s);
	}
	strv_free(*out);
	*out = TAKE_PTR(strv);
	return 1;
}

void
spec_key_values_free(struct spec_key_value *kv, size_t n)
{
	for (size_t i = 0; kv && i < n; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
}

int
spec_get_string_map(json_t *obj, const char *path, const char *key, struct spec_key_value **out,
                    size_t *n, struct hutch_error *err)
{
	struct spec_key_value *kv;
	json_t *map = NULL, *v;
	const char *k;
	size_t i = 0;
	int r = spec_get_object(obj, path, key, &map, err);

	if (r <= 0)
		return r;
	kv = xcalloc(json_object_size(map), sizeof(*kv));
	json_object_foreach (map, k, v) {
		char item[SPEC_PATH_MAX];
		const char *s = "";

		spec_path_map(item, path, key, k);
		if (spec_value_str(v, item, NULL, &s, err) < 0) {
			spec_key_values_free(kv, i);
			return -EINVAL;
		}
		kv[i].key = xstrdup(k);
		kv[i++].value = xstrdup(s);
	}
	spec_key_values_free(*out, *n);
	*out = kv;
	*n = i;
	return 1;
}

/* ---- name tables ---- */

const struct spec_name *
spec_name_find(const struct spec_name *table, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(table[i].name, name) == 0)
			return &table[i];
	return NULL;
}

const char *
spec_name_of(const struct spec_name *table, size_t n, long value)
{
	for (size_t i = 0; i < n; i++)
		if (table[i].value == value)
			return table[i].name;
	return NULL;
}
