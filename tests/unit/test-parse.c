#include <errno.h>
#include <stdint.h>

#include "parse.h"
#include "tap.h"
#include "banned.h"

int
main(void)
{
	int64_t i;
	uint64_t u;
	int n;

	ok(parse_i64("42", 0, 100, &i) == 0 && i == 42, "plain integer");
	ok(parse_i64("-5", -10, 10, &i) == 0 && i == -5, "negative integer");
	ok(parse_i64("", 0, 10, &i) == -EINVAL, "empty string refused");
	ok(parse_i64("12x", 0, 100, &i) == -EINVAL, "trailing junk refused");
	ok(parse_i64("101", 0, 100, &i) == -ERANGE, "above max refused");
	ok(parse_i64("99999999999999999999", INT64_MIN, INT64_MAX, &i) == -ERANGE,
	   "overflow refused");
	ok(parse_u64("-1", UINT64_MAX, &u) == -EINVAL, "sign refused for unsigned");
	ok(parse_u64("18446744073709551615", UINT64_MAX, &u) == 0 && u == UINT64_MAX, "u64 max");
	ok(parse_u64("18446744073709551616", UINT64_MAX, &u) == -ERANGE, "u64 overflow");
	ok(parse_int("2147483648", INT32_MIN, INT32_MAX, &n) == -ERANGE, "int overflow");
	ok(parse_int(" 5", 0, 10, &n) == -EINVAL, "leading space refused");
	ok(parse_int("+5", 0, 10, &n) == -EINVAL, "plus sign refused");
	return tap_done();
}
