/* findings_json.c - reads negcap "finding" records (RFC 8259 subset) and canonical finding lines. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "findings_json.h"

struct scan {
	const char *p;
	size_t len, pos;
	bool bad;
};

static int peek(const struct scan *s)
{
	return !s->bad && s->pos < s->len ? (unsigned char)s->p[s->pos] : -1;
}

static void skip_ws(struct scan *s)
{
	int c;

	while ((c = peek(s)) == ' ' || c == '\t' || c == '\r' || c == '\n')
		s->pos++;
}

static bool eat(struct scan *s, char want)
{
	skip_ws(s);
	if (peek(s) != want) {
		s->bad = true;
		return false;
	}
	s->pos++;
	return true;
}

/* Reads a string; its bytes (escapes kept as written, which is enough for ids and keys)
 * go to out when out is not NULL.  Returns false when out was too small (the string is
 * still read to its end). */
static bool scan_string(struct scan *s, char *out, size_t outlen)
{
	size_t n = 0;
	bool fits = true;
	int c;

	if (!eat(s, '"'))
		return false;
	while ((c = peek(s)) != -1 && c != '"') {
		if (c == '\\') {
			s->pos++;
			c = peek(s);
			if (c == -1)
				break;
		}
		if (out != NULL) {
			if (n + 1 < outlen)
				out[n++] = (char)c;
			else
				fits = false;
		}
		s->pos++;
	}
	if (out != NULL && outlen > 0)
		out[n] = '\0';
	if (peek(s) != '"') {
		s->bad = true;
		return false;
	}
	s->pos++;
	return fits;
}

static uint64_t scan_uint(struct scan *s)
{
	uint64_t v = 0;
	int c;
	bool any = false;

	skip_ws(s);
	while ((c = peek(s)) >= '0' && c <= '9') {
		if (v > (UINT64_MAX - 9) / 10) {
			s->bad = true;
			return 0;
		}
		v = v * 10 + (uint64_t)(c - '0');
		s->pos++;
		any = true;
	}
	if (!any)
		s->bad = true;
	return v;
}

/* Skips any value: strings, numbers, literals, nested objects and arrays. */
static void skip_value(struct scan *s)
{
	int depth = 0;

	skip_ws(s);
	for (;;) {
		int c = peek(s);

		if (c == -1) {
			s->bad = true;
			return;
		}
		if (depth == 0 && (c == ',' || c == '}' || c == ']'))
			return;
		if (c == '"') {
			scan_string(s, NULL, 0);
			if (s->bad)
				return;
			continue;
		}
		if (c == '{' || c == '[')
			depth++;
		else if (c == '}' || c == ']')
			depth--;
		s->pos++;
	}
}

static void scan_frames(struct scan *s, struct bench_finding *out)
{
	out->nframes = 0;
	if (!eat(s, '['))
		return;
	skip_ws(s);
	if (peek(s) == ']') {
		s->pos++;
		return;
	}
	for (;;) {
		uint64_t v = scan_uint(s);

		if (s->bad)
			return;
		if (out->nframes == BENCH_FRAMES_MAX) {
			s->bad = true;
			return;
		}
		out->frames[out->nframes++] = v;
		skip_ws(s);
		if (peek(s) == ',') {
			s->pos++;
			continue;
		}
		eat(s, ']');
		return;
	}
}

int bench_json_finding(const char *line, size_t len, struct bench_finding *out)
{
	struct scan s = {line, len, 0, false};
	char key[32], type[32] = "";
	bool have_id = false, have_frames = false;

	memset(out, 0, sizeof(*out));
	if (!eat(&s, '{'))
		return -1;
	skip_ws(&s);
	if (peek(&s) == '}')
		return 0;
	while (!s.bad) {
		if (!scan_string(&s, key, sizeof(key)))
			key[0] = '\0'; /* longer than any key looked for */
		if (s.bad)
			break;
		if (!eat(&s, ':'))
			break;
		skip_ws(&s);
		if (strcmp(key, "type") == 0) {
			scan_string(&s, type, sizeof(type));
		} else if (strcmp(key, "id") == 0 && peek(&s) == '"') {
			if (!scan_string(&s, out->id, sizeof(out->id)))
				return -1;
			have_id = true;
		} else if (strcmp(key, "frames") == 0) {
			scan_frames(&s, out);
			have_frames = true;
		} else {
			skip_value(&s);
		}
		skip_ws(&s);
		if (peek(&s) == ',') {
			s.pos++;
			skip_ws(&s);
			continue;
		}
		if (eat(&s, '}'))
			break;
	}
	if (s.bad)
		return -1;
	if (strcmp(type, "finding") != 0)
		return 0;
	if (!have_id || !have_frames)
		return -1;
	bench_finding_normalize(out);
	return 1;
}

int bench_finding_parse(const char *line, struct bench_finding *out)
{
	const char *tab = strchr(line, '\t');
	const char *p;
	size_t idlen;

	memset(out, 0, sizeof(*out));
	if (tab == NULL)
		return -1;
	idlen = (size_t)(tab - line);
	if (idlen == 0 || idlen >= sizeof(out->id))
		return -1;
	memcpy(out->id, line, idlen);
	out->id[idlen] = '\0';
	p = tab + 1;
	while (*p != '\0' && *p != '\n') {
		char *end;
		unsigned long long v;

		errno = 0;
		v = strtoull(p, &end, 10);
		if (end == p || errno != 0 || out->nframes == BENCH_FRAMES_MAX)
			return -1;
		out->frames[out->nframes++] = v;
		p = end;
		if (*p == ',')
			p++;
		else if (*p != '\0' && *p != '\n')
			return -1;
	}
	bench_finding_normalize(out);
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

void bench_finding_normalize(struct bench_finding *f)
{
	size_t n = 0;

	qsort(f->frames, f->nframes, sizeof(f->frames[0]), cmp_u64);
	for (size_t i = 0; i < f->nframes; i++)
		if (n == 0 || f->frames[n - 1] != f->frames[i])
			f->frames[n++] = f->frames[i];
	f->nframes = n;
}

int bench_finding_cmp(const void *a, const void *b)
{
	const struct bench_finding *x = a, *y = b;
	uint64_t fx = x->nframes ? x->frames[0] : 0, fy = y->nframes ? y->frames[0] : 0;
	int c;

	if (fx != fy)
		return fx < fy ? -1 : 1;
	c = strcmp(x->id, y->id);
	if (c != 0)
		return c;
	for (size_t i = 0; i < x->nframes && i < y->nframes; i++)
		if (x->frames[i] != y->frames[i])
			return x->frames[i] < y->frames[i] ? -1 : 1;
	return x->nframes < y->nframes ? -1 : x->nframes > y->nframes;
}

int bench_finding_write(FILE *fp, const struct bench_finding *f)
{
	if (fprintf(fp, "%s\t", f->id) < 0)
		return -1;
	for (size_t i = 0; i < f->nframes; i++)
		if (fprintf(fp, i ? ",%llu" : "%llu", (unsigned long long)f->frames[i]) < 0)
			return -1;
	return fputc('\n', fp) == EOF ? -1 : 0;
}
