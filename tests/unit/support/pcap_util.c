/* pcap_util.c - test support: capture files, tshark oracle, damaged copies. */
#include "pcap_util.h"
#include "authtok.h"

#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void push(struct pcaputil_list *l, const char *s, size_t len)
{
	char **nv = realloc(l->v, (l->n + 1) * sizeof(*nv));
	char *c = malloc(len + 1);

	if (nv == NULL || c == NULL) {
		free(c);
		if (nv != NULL)
			l->v = nv;
		return;
	}
	memcpy(c, s, len);
	c[len] = '\0';
	l->v = nv;
	l->v[l->n++] = c;
}

static struct pcaputil_list *walk_target;

static int walk_one(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	size_t n = strlen(path);

	(void)sb;
	(void)ftw;
	if (type == FTW_F && ((n > 5 && strcmp(path + n - 5, ".pcap") == 0) ||
			      (n > 7 && strcmp(path + n - 7, ".pcapng") == 0)))
		push(walk_target, path, n);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void pcaputil_find(const char *dir, struct pcaputil_list *out)
{
	out->v = NULL;
	out->n = 0;
	walk_target = out;
	(void)nftw(dir, walk_one, 16, FTW_PHYS);
	walk_target = NULL;
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v), cmp_str);
}

static void read_lines(FILE *f, struct pcaputil_list *out)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	/* getline: lines with long tokens (tens of KiB) stay whole. */
	while ((n = getline(&line, &cap, f)) >= 0) {
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			n--;
		push(out, line, (size_t)n);
	}
	free(line);
}

/* tshark's answer from tests/golden/oracle/tshark/, or recorded there (see authtok.c);
 * recorded with its exit status ignored, as a stored answer is read as a success. */
static int stored_run(const char *cmd, struct pcaputil_list *out)
{
	char path[1024], full[4300];
	FILE *f;

	tshark_stored_path(path, sizeof(path), cmd, 0);
	if (strcmp(tshark_oracle_mode(), "record") == 0) {
		snprintf(full, sizeof(full), "%s > '%s.tmp'; mv '%s.tmp' '%s'", cmd, path, path,
			 path);
		if (system(full) != 0)
			return -1;
	}
	f = fopen(path, "r");
	if (f == NULL) {
		fprintf(stderr, "no stored tshark answer %s for: %s\n(run "
			"tests/golden/oracle/regenerate.sh)\n", path, cmd);
		return -1;
	}
	read_lines(f, out);
	fclose(f);
	return 0;
}

int pcaputil_run(const char *cmd, struct pcaputil_list *out)
{
	FILE *f;
	int st;

	out->v = NULL;
	out->n = 0;
	if (strncmp(cmd, "tshark ", 7) == 0 && strcmp(tshark_oracle_mode(), "live") != 0)
		return stored_run(cmd, out);
	f = popen(cmd, "r");
	if (f == NULL)
		return -1;
	read_lines(f, out);
	st = pclose(f);
	return st == -1 ? -1 : WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

void pcaputil_list_free(struct pcaputil_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

bool pcaputil_have_tshark(void)
{
	return tshark_available() != 0;
}

const char *pcaputil_quote(const char *s, char *buf, size_t len)
{
	size_t o = 0;

	if (len < 3)
		return "''";
	buf[o++] = '\'';
	for (; *s != '\0' && o + 6 < len; s++) {
		if (*s == '\'') {
			memcpy(buf + o, "'\\''", 4);
			o += 4;
		} else {
			buf[o++] = *s;
		}
	}
	buf[o++] = '\'';
	buf[o] = '\0';
	return buf;
}

int pcaputil_copy_prefix(const char *src, const char *dst, long nbytes)
{
	FILE *in = fopen(src, "rb"), *out = NULL;
	char buf[8192];
	int rc = -1;

	if (in == NULL)
		return -1;
	out = fopen(dst, "wb");
	if (out == NULL)
		goto cleanup;
	while (nbytes > 0) {
		size_t want = nbytes < (long)sizeof(buf) ? (size_t)nbytes : sizeof(buf);
		size_t got = fread(buf, 1, want, in);

		if (got == 0 || fwrite(buf, 1, got, out) != got)
			goto cleanup;
		nbytes -= (long)got;
	}
	rc = 0;
cleanup:
	if (out != NULL && fclose(out) != 0)
		rc = -1;
	fclose(in);
	return rc;
}

long pcaputil_file_size(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 ? (long)sb.st_size : -1;
}

char *pcaputil_tempdir(void)
{
	const char *base = getenv("TMPDIR");
	char *d;
	size_t n;

	if (base == NULL || base[0] == '\0')
		base = "/tmp";
	n = strlen(base) + 32;
	d = malloc(n);
	if (d == NULL)
		return NULL;
	snprintf(d, n, "%s/negscope-test-XXXXXX", base);
	if (mkdtemp(d) == NULL) {
		free(d);
		return NULL;
	}
	return d;
}

void pcaputil_rmdir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4096];

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}
