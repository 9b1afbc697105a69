/*
 * timer.c - run commands one after another and print the wall-clock time
 * they took together, in nanoseconds, on stdout.
 *
 *   timer [-o LOG] -- CMD [ARG...] [-- CMD [ARG...]]...
 *
 * Children get stdin from /dev/null and stdout+stderr appended to LOG
 * (default /dev/null).  Everything that costs time and is not the commands
 * (opening LOG, parsing) happens before the clock starts.  posix_spawn()
 * uses clone(CLONE_VM|CLONE_VFORK), so the timer's own spawn cost is tens of
 * microseconds, not a fork's page-table copy.
 *
 * Exit status: 0 when every command exited 0; otherwise the status of the
 * first one that failed (128+signal for a signal), and the rest do not run.
 * Nothing is printed on stdout then.  Part of the benchmark, not of hutch.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static int
usage(void)
{
	fputs("usage: timer [-o LOG] -- CMD [ARG...] [-- CMD [ARG...]]...\n", stderr);
	return 2;
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int
exit_status(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

/* Spawn argv with the prepared stdio and wait for it. */
static int
run_one(char **argv, const posix_spawn_file_actions_t *fa)
{
	pid_t pid;
	int status, r;

	r = posix_spawnp(&pid, argv[0], fa, NULL, argv, environ);
	if (r != 0) {
		fprintf(stderr, "timer: spawn '%s': %s\n", argv[0], strerror(r));
		return 127;
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			perror("timer: waitpid");
			return 127;
		}
	}
	return exit_status(status);
}

/* Split argv at "--" in place: cmds[i] is a NULL-terminated argv. */
static int
split(int argc, char **argv, char ***cmds, int max)
{
	int n = 0;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			argv[i] = NULL;
			if (i + 1 < argc && strcmp(argv[i + 1], "--") != 0) {
				if (n == max)
					return -1;
				cmds[n++] = &argv[i + 1];
			}
		}
	}
	return n;
}

int
main(int argc, char **argv)
{
	const char *log = "/dev/null";
	posix_spawn_file_actions_t fa;
	char **cmds[16];
	int n, logfd, nullfd, r = 0;
	uint64_t t0, t1;

	if (argc > 2 && strcmp(argv[1], "-o") == 0) {
		log = argv[2];
		argc -= 2;
		argv += 2;
	}
	if (argc < 3 || strcmp(argv[1], "--") != 0)
		return usage();
	n = split(argc - 1, argv + 1, cmds, 16);
	if (n <= 0)
		return usage();
	logfd = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (logfd < 0 || nullfd < 0) {
		perror("timer: open");
		return 127;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, nullfd, 0);
	posix_spawn_file_actions_adddup2(&fa, logfd, 1);
	posix_spawn_file_actions_adddup2(&fa, logfd, 2);

	t0 = now_ns();
	for (int i = 0; i < n && r == 0; i++)
		r = run_one(cmds[i], &fa);
	t1 = now_ns();
	if (r == 0)
		printf("%llu\n", (unsigned long long)(t1 - t0));
	return r;
}
