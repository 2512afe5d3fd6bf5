/* secret.c - password sources for --user, and the --targets line reader. */
#include "secret.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#define SECRET_MAX 1024
#define LINE_MAX_BYTES 8192

static void chomp(char *s)
{
	s[strcspn(s, "\r\n")] = '\0';
}

static char *from_tty(const char *user, char *err, size_t errlen)
{
	int fd = open("/dev/tty", O_RDWR | O_NOCTTY);
	struct termios old, quiet;
	char buf[SECRET_MAX];
	ssize_t n = 0, got;
	char *s;

	if (fd < 0) {
		snprintf(err, errlen, "--user %s needs a password: set NEGPROBE_PASSWORD or use "
			 "--password-file (no terminal to prompt on)", user);
		return NULL;
	}
	if (tcgetattr(fd, &old) != 0) {
		close(fd);
		snprintf(err, errlen, "--user %s needs a password: set NEGPROBE_PASSWORD or use "
			 "--password-file", user);
		return NULL;
	}
	quiet = old;
	quiet.c_lflag &= (tcflag_t)~ECHO;
	dprintf(fd, "Password for %s: ", user);
	tcsetattr(fd, TCSAFLUSH, &quiet);
	while (n < (ssize_t)sizeof(buf) - 1 && (got = read(fd, buf + n, 1)) == 1 && buf[n] != '\n')
		n++;
	buf[n] = '\0';
	tcsetattr(fd, TCSAFLUSH, &old);
	dprintf(fd, "\n");
	close(fd);
	s = strdup(buf);
	explicit_bzero(buf, sizeof(buf));
	if (s == NULL)
		snprintf(err, errlen, "out of memory");
	return s;
}

char *probe_secret_get(const char *user, const char *password_file, char *err, size_t errlen)
{
	const char *env = getenv("NEGPROBE_PASSWORD");
	char buf[SECRET_MAX];
	char *s;
	FILE *fp;

	if (env != NULL) {
		s = strdup(env);
		if (s == NULL)
			snprintf(err, errlen, "out of memory");
		return s;
	}
	if (password_file == NULL)
		return from_tty(user, err, errlen);
	fp = fopen(password_file, "r");
	if (fp == NULL) {
		snprintf(err, errlen, "--password-file %s: %s", password_file, strerror(errno));
		return NULL;
	}
	if (fgets(buf, sizeof(buf), fp) == NULL) {
		fclose(fp);
		snprintf(err, errlen, "--password-file %s: empty", password_file);
		return NULL;
	}
	fclose(fp);
	chomp(buf);
	s = strdup(buf);
	explicit_bzero(buf, sizeof(buf));
	if (s == NULL)
		snprintf(err, errlen, "out of memory");
	return s;
}

void probe_secret_free(char *s)
{
	if (s == NULL)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

/* Reads one line into buf (cap bytes, NUL-terminated, newline dropped) without ever
 * holding more than cap bytes: 1 = a line, 0 = end of file, -1 = longer than cap - 1,
 * -2 = a NUL byte (binary input such as /dev/zero), -3 = read error. */
static int read_line_bounded(FILE *fp, char *buf, size_t cap)
{
	size_t n = 0;
	int ch;

	while ((ch = getc(fp)) != EOF && ch != '\n') {
		if (ch == '\0')
			return -2;
		if (n + 1 >= cap)
			return -1;
		buf[n++] = (char)ch;
	}
	buf[n] = '\0';
	if (ch == EOF && ferror(fp))
		return -3;
	return ch == EOF && n == 0 ? 0 : 1;
}

long probe_read_lines(const char *path, size_t max, char ***out, char *err, size_t errlen)
{
	FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	char line[LINE_MAX_BYTES + 2];
	size_t n = 0, alloc = 0;
	long lineno = 0;
	char **v = NULL;
	int got;

	*out = NULL;
	if (fp == NULL) {
		snprintf(err, errlen, "--targets %s: %s", path, strerror(errno));
		return -1;
	}
	/* bounded reads: a 300 MB line or /dev/zero ends in an error, never in memory
	 * growing with the input (issue 16) */
	while ((got = read_line_bounded(fp, line, sizeof(line) - 1)) != 0) {
		char *p = line, *copy;

		lineno++;
		if (got == -1) {
			snprintf(err, errlen, "--targets %s line %ld: longer than %d bytes", path,
				 lineno, LINE_MAX_BYTES);
			goto fail;
		}
		if (got == -2) {
			snprintf(err, errlen, "--targets %s line %ld: a NUL byte "
				 "(not a text file?)", path, lineno);
			goto fail;
		}
		if (got == -3) {
			snprintf(err, errlen, "--targets %s line %ld: read error: %s", path, lineno,
				 strerror(errno));
			goto fail;
		}
		chomp(p);
		while (*p == ' ' || *p == '\t')
			p++;
		for (size_t e = strlen(p); e > 0 && (p[e - 1] == ' ' || p[e - 1] == '\t'); e--)
			p[e - 1] = '\0';
		if (*p == '\0' || *p == '#')
			continue;
		if (n >= max) {
			snprintf(err, errlen, "--targets %s: more than %zu URLs", path, max);
			goto fail;
		}
		if (n == alloc) {
			size_t na = alloc > 0 ? alloc * 2 : 64;
			char **nv = realloc(v, na * sizeof(*nv));

			if (nv == NULL)
				goto oom;
			v = nv;
			alloc = na;
		}
		copy = strdup(p);
		if (copy == NULL)
			goto oom;
		v[n++] = copy;
	}
	if (fp != stdin)
		fclose(fp);
	*out = v;
	return (long)n;
oom:
	snprintf(err, errlen, "out of memory");
fail:
	if (fp != stdin)
		fclose(fp);
	probe_free_lines(v, (long)n);
	return -1;
}

void probe_free_lines(char **lines, long n)
{
	for (long i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}
