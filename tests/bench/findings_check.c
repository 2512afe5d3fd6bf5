/* findings_check.c - compares negcap's JSON findings with the benchmark's expected list:
 * every (id, frames) must be there, and nothing else (speed never buys wrong answers). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "findings_json.h"

struct list {
	struct bench_finding *v;
	size_t n, cap;
};

static int push(struct list *l, const struct bench_finding *f)
{
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 256;
		struct bench_finding *nv = realloc(l->v, nc * sizeof(*nv));

		if (nv == NULL)
			return -1;
		l->v = nv;
		l->cap = nc;
	}
	l->v[l->n++] = *f;
	return 0;
}

/* json: negcap's JSON lines; otherwise canonical lines with '#' comments. */
static int load(const char *path, bool json, struct list *l, bool *summary)
{
	FILE *fp = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t n;

	if (fp == NULL) {
		fprintf(stderr, "findings_check: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while ((n = getline(&line, &cap, fp)) != -1) {
		struct bench_finding f;
		int k;

		lineno++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n == 0 || (!json && line[0] == '#'))
			continue;
		if (json) {
			k = bench_json_finding(line, (size_t)n, &f);
			if (k == 0 && strstr(line, "\"summary\"") != NULL)
				*summary = true;
		} else {
			k = bench_finding_parse(line, &f) == 0 ? 1 : -1;
		}
		if (k < 0) {
			fprintf(stderr, "findings_check: %s:%zu: unreadable line\n", path, lineno);
			free(line);
			fclose(fp);
			return -1;
		}
		if (k == 1 && push(l, &f) != 0) {
			fprintf(stderr, "findings_check: out of memory\n");
			free(line);
			fclose(fp);
			return -1;
		}
	}
	free(line);
	fclose(fp);
	qsort(l->v, l->n, sizeof(l->v[0]), bench_finding_cmp);
	return 0;
}

int main(int argc, char **argv)
{
	struct list want = {0}, got = {0};
	size_t i = 0, j = 0, missing = 0, extra = 0, shown = 0, limit = 25;
	bool summary = false;

	if (argc != 3) {
		fprintf(stderr, "usage: findings_check EXPECTED NEGCAP_JSON\n");
		return 2;
	}
	if (load(argv[1], false, &want, &summary) != 0)
		return 2;
	summary = false;
	if (load(argv[2], true, &got, &summary) != 0)
		return 2;
	while (i < want.n || j < got.n) {
		int c = i == want.n ? 1 : j == got.n ? -1
				      : bench_finding_cmp(&want.v[i], &got.v[j]);

		if (c == 0) {
			i++;
			j++;
			continue;
		}
		if (shown++ < limit) {
			fputs(c < 0 ? "missing:    " : "unexpected: ", stdout);
			bench_finding_write(stdout, c < 0 ? &want.v[i] : &got.v[j]);
		}
		if (c < 0) {
			missing++;
			i++;
		} else {
			extra++;
			j++;
		}
	}
	if (shown > limit)
		printf("... %zu more differences\n", shown - limit);
	if (!summary)
		printf("findings_check: %s has no summary record (negcap did not finish?)\n",
		       argv[2]);
	printf("findings_check: %zu expected, %zu reported, %zu missing, %zu unexpected: %s\n",
	       want.n, got.n, missing, extra, missing || extra || !summary ? "FAIL" : "ok");
	free(want.v);
	free(got.v);
	return missing || extra || !summary ? 1 : 0;
}
