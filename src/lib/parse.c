#include "parse.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <strings.h>

#include "util.h"
#include "banned.h"

int
parse_i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	char *end;
	long long v;

	/* strtoll skips leading white space and accepts '+': be strict. */
	if (!s || !(*s == '-' || (*s >= '0' && *s <= '9')))
		return -EINVAL;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	if (*end != '\0' || end == s)
		return -EINVAL;
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int
parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	/* strtoull accepts "-1" and wraps it: refuse any sign outright. */
	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	if (*end != '\0')
		return -EINVAL;
	if (v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int
parse_int(const char *s, int min, int max, int *out)
{
	int64_t v;
	int r = parse_i64(s, min, max, &v);

	if (r < 0)
		return r;
	*out = (int)v;
	return 0;
}

static const struct {
	const char *name;
	int sig;
} signal_table[] = {
    {"ABRT", SIGABRT}, {"ALRM", SIGALRM},     {"BUS", SIGBUS},       {"CHLD", SIGCHLD},
    {"CONT", SIGCONT}, {"FPE", SIGFPE},       {"HUP", SIGHUP},       {"ILL", SIGILL},
    {"INT", SIGINT},   {"IO", SIGIO},         {"IOT", SIGIOT},       {"KILL", SIGKILL},
    {"PIPE", SIGPIPE}, {"POLL", SIGPOLL},     {"PROF", SIGPROF},     {"PWR", SIGPWR},
    {"QUIT", SIGQUIT}, {"SEGV", SIGSEGV},     {"STKFLT", SIGSTKFLT}, {"STOP", SIGSTOP},
    {"SYS", SIGSYS},   {"TERM", SIGTERM},     {"TRAP", SIGTRAP},     {"TSTP", SIGTSTP},
    {"TTIN", SIGTTIN}, {"TTOU", SIGTTOU},     {"URG", SIGURG},       {"USR1", SIGUSR1},
    {"USR2", SIGUSR2}, {"VTALRM", SIGVTALRM}, {"WINCH", SIGWINCH},   {"XCPU", SIGXCPU},
    {"XFSZ", SIGXFSZ},
};

int
parse_signal(const char *s, int *out)
{
	if (s[0] >= '0' && s[0] <= '9')
		return parse_int(s, 1, SIGRTMAX, out);
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (size_t i = 0; i < ARRAY_SIZE(signal_table); i++) {
		if (strcasecmp(s, signal_table[i].name) == 0) {
			*out = signal_table[i].sig;
			return 0;
		}
	}
	return -EINVAL;
}
