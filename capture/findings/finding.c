/* finding.c - one finding record: frames, evidence, and the typed words of its sentences. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "negscope/finding.h"

void cap_finding_init(struct cap_finding *f, enum cap_finding_id id)
{
	const struct cap_finding_info *info = cap_finding_info(id);

	memset(f, 0, sizeof(*f));
	f->id = id;
	f->severity = info != NULL ? info->severity : CAP_SEV_WARNING;
	f->count = 1;
}

void cap_finding_clear(struct cap_finding *f)
{
	if (f == NULL)
		return;
	for (size_t i = 0; i < f->nev; i++)
		free(f->ev[i].str);
	for (size_t i = 0; i < f->nadvice; i++)
		free(f->advice[i]);
	for (size_t i = 0; i < CAP_WORDS_NAMES; i++)
		free(f->w.name[i]);
	free(f->key);
	memset(f, 0, sizeof(*f));
}

void cap_finding_move(struct cap_finding *dst, struct cap_finding *src)
{
	*dst = *src;
	memset(src, 0, sizeof(*src));
}

void cap_finding_add_frame(struct cap_finding *f, uint64_t frame)
{
	size_t i;

	if (frame == 0)
		return;
	for (i = 0; i < f->nframes && f->frames[i] < frame; i++)
		;
	if (i < f->nframes && f->frames[i] == frame)
		return;
	if (f->nframes == CAP_FINDING_MAX_FRAMES) {
		/* Full: keep the earliest frames, they show where it started. */
		if (i == f->nframes)
			return;
		f->nframes--;
	}
	memmove(&f->frames[i + 1], &f->frames[i], (f->nframes - i) * sizeof(f->frames[0]));
	f->frames[i] = frame;
	f->nframes++;
}

static struct cap_evidence *find_ev(struct cap_finding *f, const char *key)
{
	for (size_t i = 0; i < f->nev; i++)
		if (strcmp(f->ev[i].key, key) == 0)
			return &f->ev[i];
	return NULL;
}

static char *dup_cut(const char *s)
{
	size_t n = strnlen(s, CAP_EVIDENCE_STR_MAX);
	char *r = malloc(n + 1);

	if (r == NULL)
		return NULL;
	memcpy(r, s, n);
	r[n] = '\0';
	return r;
}

int cap_finding_set_str(struct cap_finding *f, const char *key, const char *val)
{
	struct cap_evidence *e;

	if (val == NULL)
		return 0;
	if (find_ev(f, key) != NULL)
		return 0;
	if (f->nev == CAP_EVIDENCE_MAX)
		return -1;
	e = &f->ev[f->nev];
	e->str = dup_cut(val);
	if (e->str == NULL)
		return -1;
	e->key = key;
	e->is_num = false;
	e->num = 0;
	f->nev++;
	return 0;
}

int cap_finding_set_num(struct cap_finding *f, const char *key, int64_t val)
{
	struct cap_evidence *e;

	if (find_ev(f, key) != NULL)
		return 0;
	if (f->nev == CAP_EVIDENCE_MAX)
		return -1;
	e = &f->ev[f->nev++];
	e->key = key;
	e->is_num = true;
	e->num = val;
	e->str = NULL;
	return 0;
}

__attribute__((format(printf, 1, 0))) static char *vfmt(const char *fmt, va_list ap)
{
	char buf[1024];
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);

	if (n < 0)
		return NULL;
	return dup_cut(buf);
}

/* Replaces an owned string of the finding with a formatted one. */
__attribute__((format(printf, 2, 0))) static int set_owned(char **field, const char *fmt,
							 va_list ap)
{
	char *s = vfmt(fmt, ap);

	if (s == NULL)
		return -1;
	free(*field);
	*field = s;
	return 0;
}

int cap_finding_add_advice(struct cap_finding *f, const char *fmt, ...)
{
	va_list ap;
	char *s;

	if (f->nadvice == CAP_FINDING_MAX_ADVICE)
		return -1;
	va_start(ap, fmt);
	s = vfmt(fmt, ap);
	va_end(ap);
	if (s == NULL)
		return -1;
	f->advice[f->nadvice++] = s;
	return 0;
}

int cap_finding_set_key(struct cap_finding *f, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = set_owned(&f->key, fmt, ap);
	va_end(ap);
	return r;
}

const struct cap_evidence *cap_finding_get(const struct cap_finding *f, const char *key)
{
	for (size_t i = 0; i < f->nev; i++)
		if (strcmp(f->ev[i].key, key) == 0)
			return &f->ev[i];
	return NULL;
}

const char *cap_finding_get_str(const struct cap_finding *f, const char *key)
{
	const struct cap_evidence *e = cap_finding_get(f, key);

	if (e == NULL || e->is_num || e->str == NULL)
		return "";
	return e->str;
}

int cap_finding_words_name(struct cap_finding *f, size_t i, const char *val)
{
	char *s;

	if (i >= CAP_WORDS_NAMES)
		return -1;
	s = dup_cut(val != NULL ? val : "");
	if (s == NULL)
		return -1;
	free(f->w.name[i]);
	f->w.name[i] = s;
	return 0;
}

int cap_finding_copy_words(struct cap_finding *dst, const struct cap_finding *src)
{
	int rc = 0;

	for (size_t i = 0; i < CAP_WORDS_NAMES; i++)
		free(dst->w.name[i]);
	dst->w = src->w;
	for (size_t i = 0; i < CAP_WORDS_NAMES; i++) {
		dst->w.name[i] = NULL;
		if (src->w.name[i] != NULL && cap_finding_words_name(dst, i, src->w.name[i]) != 0)
			rc = -1;
	}
	return rc;
}

void cap_finding_add_fold(struct cap_finding *f, enum cap_fold_kind kind, int status,
			  uint64_t frame)
{
	for (size_t i = 0; i < f->w.nfolds; i++)
		if (f->w.fold[i].kind == kind && f->w.fold[i].status == status &&
		    f->w.fold[i].frame == frame)
			return;
	if (f->w.nfolds == CAP_WORDS_FOLDS)
		return;
	f->w.fold[f->w.nfolds].kind = kind;
	f->w.fold[f->w.nfolds].status = status;
	f->w.fold[f->w.nfolds].frame = frame;
	f->w.nfolds++;
}
