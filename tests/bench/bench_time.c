/* bench_time.c - runs a command and reports its wall time, CPU time and peak RSS
 * (wait4 rusage), so the benchmark needs no GNU time. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double tv_s(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
	const char *outp = NULL;
	struct timespec t0, t1;
	struct rusage ru;
	int argi = 1, status;
	pid_t pid;
	FILE *out = stderr;
	double wall;

	if (argi + 1 < argc && strcmp(argv[argi], "-o") == 0) {
		outp = argv[argi + 1];
		argi += 2;
	}
	if (argi < argc && strcmp(argv[argi], "--") == 0)
		argi++;
	if (argi >= argc) {
		fprintf(stderr, "usage: bench_time [-o FILE] [--] COMMAND [ARG...]\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "bench_time: fork: %s\n", strerror(errno));
		return 2;
	}
	if (pid == 0) {
		execvp(argv[argi], argv + argi);
		fprintf(stderr, "bench_time: %s: %s\n", argv[argi], strerror(errno));
		_exit(127);
	}
	while (wait4(pid, &status, 0, &ru) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, "bench_time: wait4: %s\n", strerror(errno));
			return 2;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	wall = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (outp != NULL && (out = fopen(outp, "a")) == NULL) {
		fprintf(stderr, "bench_time: %s: %s\n", outp, strerror(errno));
		return 2;
	}
	fprintf(out, "wall_s=%.3f user_s=%.3f sys_s=%.3f maxrss_kib=%ld exit=%d\n", wall,
		tv_s(ru.ru_utime), tv_s(ru.ru_stime), ru.ru_maxrss,
		WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	if (out != stderr)
		fclose(out);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
