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

long probe_read_lines(const char *path, size_t max, char ***out, char *err, size_t errlen)
{
	FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	char *line = NULL;
	size_t cap = 0, n = 0, alloc = 0;
	ssize_t len;
	long lineno = 0;
	char **v = NULL;

	*out = NULL;
	if (fp == NULL) {
		snprintf(err, errlen, "--targets %s: %s", path, strerror(errno));
		return -1;
	}
	while ((len = getline(&line, &cap, fp)) >= 0) {
		char *p = line, *copy;

		lineno++;
		if (len > LINE_MAX_BYTES) {
			snprintf(err, errlen, "--targets %s line %ld: longer than %d bytes", path,
				 lineno, LINE_MAX_BYTES);
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
	if (ferror(fp)) {
		snprintf(err, errlen, "--targets %s: read error", path);
		goto fail;
	}
	free(line);
	if (fp != stdin)
		fclose(fp);
	*out = v;
	return (long)n;
oom:
	snprintf(err, errlen, "out of memory");
fail:
	free(line);
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
