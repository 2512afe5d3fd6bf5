/* dynbuf.c - the growable buffer with a cap set at init (see negscope/dynbuf.h). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "negscope/dynbuf.h"

#define DYN_FIRST_ALLOC 64u

void cap_dynbuf_init(struct cap_dynbuf *b, size_t max)
{
	b->p = NULL;
	b->len = 0;
	b->alloc = 0;
	b->max = max;
	b->fixed = 0;
	b->hit = 0;
}

void cap_dynbuf_init_fixed(struct cap_dynbuf *b, char *mem, size_t size)
{
	cap_dynbuf_init(b, size > 0 ? size - 1 : 0);
	b->fixed = 1;
	if (mem != NULL && size > 0) {
		b->p = mem;
		b->alloc = size;
		mem[0] = '\0';
	}
}

void cap_dynbuf_free(struct cap_dynbuf *b)
{
	if (!b->fixed) {
		free(b->p);
		b->p = NULL;
		b->alloc = 0;
	}
	b->len = 0;
	b->hit = 0;
	if (b->p != NULL)
		b->p[0] = '\0';
}

void cap_dynbuf_reset(struct cap_dynbuf *b)
{
	b->len = 0;
	b->hit = 0;
	if (b->p != NULL)
		b->p[0] = '\0';
}

/* Makes room for need content bytes plus the NUL (need <= max); 0 when the heap refuses. */
static int grow(struct cap_dynbuf *b, size_t need)
{
	size_t want;
	char *q;

	if (b->p != NULL && need < b->alloc)
		return 1;
	if (b->fixed)
		return 0; /* unreachable: max < alloc for fixed storage */
	want = b->alloc > 0 ? b->alloc : DYN_FIRST_ALLOC;
	while (want <= need && want <= b->max / 2)
		want *= 2;
	if (want <= need)
		want = need + 1; /* doubling would pass the cap: take just what is needed */
	if (b->max < SIZE_MAX && want > b->max + 1)
		want = b->max + 1; /* never more storage than the cap can use */
	if (want <= need)
		return 0; /* need + 1 wrapped, which only a cap of SIZE_MAX allows */
	q = realloc(b->p, want);
	if (q == NULL)
		return 0;
	if (b->p == NULL)
		q[0] = '\0';
	b->p = q;
	b->alloc = want;
	return 1;
}

enum cap_dyn_err cap_dynbuf_add(struct cap_dynbuf *b, const void *mem, size_t n)
{
	size_t room = b->hit ? 0 : b->max - b->len, k = n < room ? n : room;

	if (n > room)
		b->hit = 1;
	if (k > 0) {
		if (!grow(b, b->len + k))
			return CAP_DYN_NOMEM;
		memcpy(b->p + b->len, mem, k);
		b->len += k;
		b->p[b->len] = '\0';
	}
	return n > room ? CAP_DYN_TOO_LARGE : CAP_DYN_OK;
}

enum cap_dyn_err cap_dynbuf_add_whole(struct cap_dynbuf *b, const void *mem, size_t n)
{
	if (b->hit || n > b->max - b->len) {
		b->hit = 1;
		return CAP_DYN_TOO_LARGE;
	}
	return cap_dynbuf_add(b, mem, n);
}

enum cap_dyn_err cap_dynbuf_addc(struct cap_dynbuf *b, char ch)
{
	return cap_dynbuf_add(b, &ch, 1);
}

enum cap_dyn_err cap_dynbuf_adds(struct cap_dynbuf *b, const char *s)
{
	return cap_dynbuf_add(b, s, strlen(s));
}

enum cap_dyn_err cap_dynbuf_vaddf(struct cap_dynbuf *b, const char *fmt, va_list ap)
{
	char small[256];
	va_list aq;
	enum cap_dyn_err e;
	char *big;
	int n;

	if (b->fixed && b->p != NULL && !b->hit) {
		/* The storage is there: format in place, vsnprintf cuts at its end. */
		n = vsnprintf(b->p + b->len, b->alloc - b->len, fmt, ap);
		if (n < 0) {
			b->p[b->len] = '\0';
			return CAP_DYN_NOMEM;
		}
		if ((size_t)n <= b->max - b->len) {
			b->len += (size_t)n;
			return CAP_DYN_OK;
		}
		b->len = b->max;
		b->hit = 1;
		return CAP_DYN_TOO_LARGE;
	}
	va_copy(aq, ap);
	n = vsnprintf(small, sizeof(small), fmt, aq);
	va_end(aq);
	if (n < 0)
		return CAP_DYN_NOMEM; /* only an encoding error makes vsnprintf fail */
	if ((size_t)n < sizeof(small))
		return cap_dynbuf_add(b, small, (size_t)n);
	/* Longer than the stack copy: format only what the cap can still take. */
	if (b->hit)
		return cap_dynbuf_add(b, small, (size_t)n); /* refused, as every add after a hit */
	if (b->max - b->len >= (size_t)n) {
		big = malloc((size_t)n + 1);
		if (big == NULL)
			return CAP_DYN_NOMEM;
		(void)vsnprintf(big, (size_t)n + 1, fmt, ap);
		e = cap_dynbuf_add(b, big, (size_t)n);
		free(big);
		return e;
	}
	big = malloc(b->max - b->len + 1);
	if (big == NULL)
		return CAP_DYN_NOMEM;
	(void)vsnprintf(big, b->max - b->len + 1, fmt, ap);
	e = cap_dynbuf_add(b, big, b->max - b->len);
	free(big);
	if (e != CAP_DYN_OK)
		return e;
	b->hit = 1;
	return CAP_DYN_TOO_LARGE;
}

enum cap_dyn_err cap_dynbuf_addf(struct cap_dynbuf *b, const char *fmt, ...)
{
	enum cap_dyn_err e;
	va_list ap;

	va_start(ap, fmt);
	e = cap_dynbuf_vaddf(b, fmt, ap);
	va_end(ap);
	return e;
}

const char *cap_dynbuf_ptr(const struct cap_dynbuf *b)
{
	return b->p != NULL ? b->p : "";
}

size_t cap_dynbuf_len(const struct cap_dynbuf *b)
{
	return b->len;
}

int cap_dynbuf_hit(const struct cap_dynbuf *b)
{
	return b->hit;
}

char *cap_dynbuf_take(struct cap_dynbuf *b, size_t *len_out)
{
	char *p;

	if (len_out != NULL)
		*len_out = b->fixed ? 0 : b->len;
	if (b->fixed)
		return NULL;
	p = b->p;
	b->p = NULL;
	b->alloc = 0;
	b->len = 0;
	b->hit = 0;
	return p;
}
