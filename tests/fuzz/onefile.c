/* onefile.c - replays files through a fuzz target without libFuzzer.
 *
 * Usage: fuzz_X_replay FILE|DIR...  Every regular file named, and every regular file
 * directly inside a named directory, is read whole and passed to LLVMFuzzerTestOneInput.
 * A crash is a crash (and a sanitizer report in a sanitizer build); the exit status is 0
 * when every input ran, 1 when an input could not be read, 2 on usage error.  An empty or
 * missing directory is an error, so a corpus that went missing cannot pass silently.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_target.h"

static int run_file(const char *path, unsigned long *count)
{
	FILE *fp = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;
	int rc = 1;

	if (fp == NULL) {
		fprintf(stderr, "onefile: %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (fseek(fp, 0, SEEK_END) != 0 || (n = ftell(fp)) < 0 || fseek(fp, 0, SEEK_SET) != 0) {
		fprintf(stderr, "onefile: %s: cannot size the file\n", path);
		goto out_close;
	}
	/* malloc(0) may return NULL: always ask for one byte more. */
	buf = malloc((size_t)n + 1);
	if (buf == NULL) {
		fprintf(stderr, "onefile: %s: out of memory for %ld bytes\n", path, n);
		goto out_close;
	}
	if (n > 0 && fread(buf, 1, (size_t)n, fp) != (size_t)n) {
		fprintf(stderr, "onefile: %s: short read\n", path);
		goto out_free;
	}
	/* A copy of exactly n bytes, so ASan sees a read one past the end. */
	{
		uint8_t *exact = malloc(n > 0 ? (size_t)n : 1);

		if (exact == NULL)
			goto out_free;
		if (n > 0)
			memcpy(exact, buf, (size_t)n);
		(void)LLVMFuzzerTestOneInput(exact, (size_t)n);
		free(exact);
	}
	(*count)++;
	rc = 0;
out_free:
	free(buf);
out_close:
	fclose(fp);
	return rc;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs every regular file in dir, in name order (reproducible). */
static int run_dir(const char *dir, unsigned long *count)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	int rc = 0;

	if (d == NULL) {
		fprintf(stderr, "onefile: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			char **nn = realloc(names, ncap * sizeof(*names));

			if (nn == NULL) {
				rc = 1;
				break;
			}
			names = nn;
			cap = ncap;
		}
		names[n] = malloc(strlen(dir) + strlen(e->d_name) + 2);
		if (names[n] == NULL) {
			rc = 1;
			break;
		}
		snprintf(names[n], strlen(dir) + strlen(e->d_name) + 2, "%s/%s", dir, e->d_name);
		n++;
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof(*names), cmp_names);
	for (i = 0; i < n; i++) {
		struct stat st;

		if (rc == 0 && stat(names[i], &st) == 0 && S_ISREG(st.st_mode))
			rc |= run_file(names[i], count);
		free(names[i]);
	}
	free(names);
	return rc;
}

int main(int argc, char **argv)
{
	unsigned long count = 0;
	int rc = 0, i;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 2;
	}
	for (i = 1; i < argc; i++) {
		struct stat st;
		unsigned long before = count;

		if (stat(argv[i], &st) != 0) {
			fprintf(stderr, "onefile: %s: %s\n", argv[i], strerror(errno));
			rc = 1;
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			rc |= run_dir(argv[i], &count);
			if (count == before) {
				fprintf(stderr, "onefile: %s: no input files\n", argv[i]);
				rc = 1;
			}
		} else {
			rc |= run_file(argv[i], &count);
		}
	}
	printf("onefile: %lu inputs ran\n", count);
	return rc;
}
