/*
 * replay.c - run a fuzz target over every file of the corpus directories
 * given as arguments, printing TAP: the seed corpus and every crash
 * reproducer become regression tests under plain `meson test`.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

static int count;

static int
replay_file(const char *path)
{
	FILE *f = fopen(path, "rbe");
	char *buf = NULL;
	size_t len = 0;
	long size;

	if (!f)
		return -errno;
	if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)size + 1);
		len = buf ? fread(buf, 1, (size_t)size, f) : 0;
	}
	fclose(f);
	if (!buf)
		return -ENOMEM;
	/* A crash ends the process: the TAP plan is then missing. */
	LLVMFuzzerTestOneInput((const uint8_t *)buf, len);
	free(buf);
	return 0;
}

static int
compare(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int
replay_dir(const char *dir)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, compare), failed = 0;

	if (n < 0) {
		printf("not ok %d - scandir '%s': %s\n", ++count, dir, strerror(errno));
		return 1;
	}
	for (int i = 0; i < n; i++) {
		char path[4096];
		int r;

		if (names[i]->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
			r = replay_file(path);
			printf("%sok %d - %s\n", r < 0 ? "not " : "", ++count, names[i]->d_name);
			failed += r < 0;
		}
		free(names[i]);
	}
	free(names);
	return failed;
}

int
main(int argc, char **argv)
{
	int failed = 0;

	for (int i = 1; i < argc; i++)
		failed += replay_dir(argv[i]);
	printf("1..%d\n", count);
	return failed ? 1 : 0;
}
