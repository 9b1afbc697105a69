/*
 * sec-swap SECONDS A B [COUNTFILE] - swap two paths (a directory and a
 * symlink, say) with renameat2(RENAME_EXCHANGE) in a tight loop for at most
 * SECONDS, or until SIGTERM; write the number of swaps done to COUNTFILE
 * (or stdout).  Used by tests/integration/escape.sh (test-security.sh,
 * test-path-fallback.sh) to race a runtime's path resolution during
 * container setup.  Ends with A and B as they were at the start.
 * Built with `cc -o DIR/sec-swap sec-swap.c`.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

static volatile sig_atomic_t stop;

static void
on_term(int sig)
{
	(void)sig;
	stop = 1;
}

int
main(int argc, char **argv)
{
	struct sigaction sa = {.sa_handler = on_term};
	struct timespec t0, t;
	unsigned long n = 0;
	double limit;
	FILE *out = stdout;

	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: sec-swap SECONDS A B [COUNTFILE]\n");
		return 64;
	}
	limit = atof(argv[1]);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!stop) {
		if (renameat2(AT_FDCWD, argv[2], AT_FDCWD, argv[3], RENAME_EXCHANGE) < 0) {
			fprintf(stderr, "sec-swap: renameat2 %s %s: %s\n", argv[2], argv[3],
			        strerror(errno));
			return 1;
		}
		n++;
		if ((n & 255) == 0) {
			clock_gettime(CLOCK_MONOTONIC, &t);
			if ((double)(t.tv_sec - t0.tv_sec) +
			        (double)(t.tv_nsec - t0.tv_nsec) / 1e9 >
			    limit)
				break;
		}
	}
	/* An odd count leaves them exchanged: put them back. */
	if ((n & 1) && renameat2(AT_FDCWD, argv[2], AT_FDCWD, argv[3], RENAME_EXCHANGE) == 0)
		n++;
	if (argc == 5 && !(out = fopen(argv[4], "w")))
		return 1;
	fprintf(out, "%lu\n", n);
	return 0;
}
