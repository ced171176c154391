/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * spawnbench.c - the cost of a command as a whole process: what sshd pays
 * for each AuthorizedKeysCommand, or a device CLI for each `nexusbg session
 * check`.
 *
 * usage: spawnbench --runs N [--expect-exit CODE] -- COMMAND [ARGS...]
 *
 * Runs COMMAND N times with posix_spawn (standard output to /dev/null),
 * waiting for each, timed with CLOCK_MONOTONIC from before the spawn to
 * after the wait.  Every run must exit with CODE (default 0), so a run
 * cannot time an error path by mistake.  Prints
 * "median_us=... p99_us=... min_us=...".
 */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	posix_spawn_file_actions_t fa;
	long runs = 0, expect = 0;
	double *t;
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc) {
			runs = atol(argv[++i]);
		} else if (strcmp(argv[i], "--expect-exit") == 0 && i + 1 < argc) {
			expect = atol(argv[++i]);
		} else {
			break;
		}
	}
	if (runs < 10 || i >= argc) {
		fprintf(stderr, "usage: spawnbench --runs N (>= 10) [--expect-exit CODE] -- "
		    "COMMAND [ARGS...]\n");
		return 2;
	}
	if ((t = calloc((size_t)runs, sizeof(*t))) == NULL ||
	    posix_spawn_file_actions_init(&fa) != 0 ||
	    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0) != 0)
		return 1;
	for (long r = 0; r < runs; r++) {
		struct timespec a, b;
		pid_t pid;
		int st, e;

		clock_gettime(CLOCK_MONOTONIC, &a);
		if ((e = posix_spawn(&pid, argv[i], &fa, NULL, argv + i, environ)) != 0) {
			fprintf(stderr, "spawnbench: %s: %s\n", argv[i], strerror(e));
			return 1;
		}
		if (waitpid(pid, &st, 0) != pid) {
			perror("spawnbench: waitpid");
			return 1;
		}
		clock_gettime(CLOCK_MONOTONIC, &b);
		if (!WIFEXITED(st) || WEXITSTATUS(st) != expect) {
			fprintf(stderr, "spawnbench: %s: run %ld ended with status %d, "
			    "expected exit %ld\n", argv[i], r, st, expect);
			return 1;
		}
		t[r] = (double)(b.tv_sec - a.tv_sec) * 1e6 + (double)(b.tv_nsec - a.tv_nsec) / 1e3;
	}
	qsort(t, (size_t)runs, sizeof(*t), cmp);
	printf("median_us=%.1f p99_us=%.1f min_us=%.1f\n", t[runs / 2], t[(runs * 99) / 100],
	    t[0]);
	posix_spawn_file_actions_destroy(&fa);
	free(t);
	return 0;
}
