/* tcp_reasm.c - per-direction TCP reassembly: in-order delivery, holes as gaps.
 *
 * Reference: RFC 9293 section 3.4 (sequence numbers, modulo 2^32
 * comparison).  Policy: first copy of a byte delivered wins (later
 * retransmissions and overlaps are trimmed); a hole becomes a gap when the
 * peer acknowledged past it, when buffering would pass a cap, or when the
 * direction ends.
 *
 * Buffer layout: held (in-order, not yet consumed) bytes at
 * data[start .. start+held); an out-of-order byte `off` bytes after next_seq
 * at data[start + held + off].  The common case (consumer takes everything,
 * nothing out of order) never touches the buffer.
 */
#include "negscope/flow.h"

#include <stdlib.h>
#include <string.h>

#define MAX_OOO 8
#define MIN_BUF 4096u

struct range {
	uint32_t off, len; /* relative to next_seq */
};

struct cap_reasm_buf {
	uint8_t *data;
	uint32_t cap, start, held;
	uint32_t nooo;
	struct range ooo[MAX_OOO]; /* sorted, disjoint, not adjacent */
};

void cap_reasm_init(struct cap_reasm *r, size_t max_dir, size_t max_total)
{
	memset(r, 0, sizeof(*r));
	r->max_dir = max_dir > UINT32_MAX / 2 ? UINT32_MAX / 2 : max_dir;
	r->max_total = max_total;
}

void cap_reasm_start(struct cap_reasm_dir *d, uint32_t seq)
{
	d->next_seq = seq;
	d->seq_known = true;
}

size_t cap_reasm_held(const struct cap_reasm_dir *d)
{
	return d->b != NULL ? d->b->held : 0;
}

bool cap_reasm_has_ooo(const struct cap_reasm_dir *d)
{
	return d->b != NULL && d->b->nooo > 0;
}

static uint32_t extent(const struct cap_reasm_buf *b)
{
	return b->nooo > 0 ? b->ooo[b->nooo - 1].off + b->ooo[b->nooo - 1].len : 0;
}

void cap_reasm_release(struct cap_reasm *r, struct cap_reasm_dir *d)
{
	if (d->b == NULL)
		return;
	r->total_now -= d->b->cap;
	free(d->b->data);
	free(d->b);
	d->b = NULL;
}

/* A buffer struct that never got bytes is not counted in total_now, so nothing would
 * look for it at the end: free it at once. */
static void drop_if_empty(struct cap_reasm_dir *d)
{
	if (d->b != NULL && d->b->cap == 0) {
		free(d->b);
		d->b = NULL;
	}
}

/* Makes room for `need` bytes from start (held + out-of-order extent). */
static bool ensure(struct cap_reasm *r, struct cap_reasm_dir *d, uint64_t need)
{
	struct cap_reasm_buf *b = d->b;
	uint64_t ncap;
	uint8_t *nd;

	if (need > r->max_dir) {
		r->dir_cap_hits++;
		return false;
	}
	if (b == NULL) {
		b = calloc(1, sizeof(*b));
		if (b == NULL)
			return false;
		d->b = b;
	}
	if (b->start + need <= b->cap)
		return true;
	if (need <= b->cap) {
		/* Compacting is amortised: start only grows by what was consumed. */
		memmove(b->data, b->data + b->start, (size_t)b->held + extent(b));
		b->start = 0;
		return true;
	}
	ncap = b->cap > 0 ? b->cap : MIN_BUF;
	while (ncap < need)
		ncap *= 2;
	if (ncap > r->max_dir)
		ncap = r->max_dir;
	if (r->total_now + (ncap - b->cap) > r->max_total) {
		r->total_cap_hits++;
		drop_if_empty(d);
		return false;
	}
	nd = malloc((size_t)ncap);
	if (nd == NULL) {
		drop_if_empty(d);
		return false;
	}
	if (b->data != NULL)
		memcpy(nd, b->data + b->start, (size_t)b->held + extent(b));
	free(b->data);
	r->total_now += (size_t)ncap - b->cap;
	if (r->total_now > r->total_peak)
		r->total_peak = r->total_now;
	b->data = nd;
	b->cap = (uint32_t)ncap;
	b->start = 0;
	return true;
}

/* Stores n bytes `rel` bytes after next_seq as an out-of-order range. */
static bool insert(struct cap_reasm *r, struct cap_reasm_dir *d, uint32_t rel,
		   const uint8_t *p, uint32_t n)
{
	struct cap_reasm_buf *b;
	uint64_t end = (uint64_t)rel + n, need;
	uint32_t i, j, lo, hi;

	if (n == 0)
		return true;
	b = d->b;
	/* A disjoint range needs a free slot. */
	if (b != NULL && b->nooo == MAX_OOO) {
		for (i = 0; i < b->nooo; i++)
			if ((uint64_t)b->ooo[i].off <= end && rel <= (uint64_t)b->ooo[i].off + b->ooo[i].len)
				break;
		if (i == b->nooo) {
			r->ooo_cap_hits++;
			return false;
		}
	}
	need = (b != NULL ? b->held : 0) + (b != NULL && extent(b) > end ? extent(b) : end);
	if (!ensure(r, d, need)) {
		r->cap_hits++;
		return false;
	}
	b = d->b;
	memcpy(b->data + b->start + b->held + rel, p, n);
	/* Merge [rel, end) with every range it touches. */
	lo = rel;
	hi = (uint32_t)end;
	for (i = 0; i < b->nooo && (uint64_t)b->ooo[i].off + b->ooo[i].len < lo; i++)
		;
	for (j = i; j < b->nooo && b->ooo[j].off <= hi; j++) {
		if (b->ooo[j].off < lo)
			lo = b->ooo[j].off;
		if (b->ooo[j].off + b->ooo[j].len > hi)
			hi = b->ooo[j].off + b->ooo[j].len;
	}
	/* ranges i..j-1 are replaced by one */
	if (j == i) {
		memmove(&b->ooo[i + 1], &b->ooo[i], (b->nooo - i) * sizeof(b->ooo[0]));
		b->nooo++;
	} else if (j > i + 1) {
		memmove(&b->ooo[i + 1], &b->ooo[j], (b->nooo - j) * sizeof(b->ooo[0]));
		b->nooo -= j - i - 1;
	}
	b->ooo[i].off = lo;
	b->ooo[i].len = hi - lo;
	return true;
}

/* Moves ranges that now start at next_seq into held, then offers held. */
static void drain(struct cap_reasm_dir *d, const struct cap_reasm_sink *s)
{
	struct cap_reasm_buf *b = d->b;
	uint32_t i, len;
	size_t k;

	if (b == NULL)
		return;
	while (b->nooo > 0 && b->ooo[0].off == 0) {
		len = b->ooo[0].len;
		b->held += len;
		d->next_seq += len;
		memmove(&b->ooo[0], &b->ooo[1], (b->nooo - 1) * sizeof(b->ooo[0]));
		b->nooo--;
		for (i = 0; i < b->nooo; i++)
			b->ooo[i].off -= len;
	}
	if (b->held == 0)
		return;
	k = s->consume(s->ctx, b->data + b->start, b->held);
	if (k > b->held)
		k = b->held;
	b->start += (uint32_t)k;
	b->held -= (uint32_t)k;
	if (b->held == 0 && b->nooo == 0)
		b->start = 0;
}

/* Declares `n` bytes after next_seq missing: held bytes are dropped, the
 * consumer told, and whatever follows the hole is offered. */
static void skip_gap(struct cap_reasm *r, struct cap_reasm_dir *d, uint32_t n,
		     const struct cap_reasm_sink *s)
{
	struct cap_reasm_buf *b = d->b;
	uint32_t i, o = 0;

	r->gaps++;
	r->gap_bytes += n;
	d->next_seq += n;
	if (b != NULL) {
		b->start += b->held;
		b->held = 0;
		for (i = 0; i < b->nooo; i++) {
			struct range g = b->ooo[i];

			if ((uint64_t)g.off + g.len <= n)
				continue;
			if (g.off < n) {
				g.len -= n - g.off;
				g.off = 0;
			} else {
				g.off -= n;
			}
			b->ooo[o++] = g;
		}
		b->nooo = o;
		if (b->nooo == 0)
			b->start = 0;
		else
			b->start += n;
	}
	s->gap(s->ctx, n);
	drain(d, s);
}

/* Offers in-order bytes, holding what the consumer leaves. */
static void deliver(struct cap_reasm *r, struct cap_reasm_dir *d, const uint8_t *p,
		    uint32_t n, const struct cap_reasm_sink *s)
{
	struct cap_reasm_buf *b = d->b;
	size_t k;

	if (b == NULL || (b->held == 0 && b->nooo == 0)) {
		d->next_seq += n;
		k = s->consume(s->ctx, p, n);
		if (k >= n)
			return;
		if (!ensure(r, d, n - k)) {
			r->cap_hits++;
			s->overflow(s->ctx);
			return;
		}
		memcpy(d->b->data, p + k, n - k);
		d->b->start = 0;
		d->b->held = (uint32_t)(n - k);
		return;
	}
	if (!insert(r, d, 0, p, n)) {
		/* Cannot keep both what is held and the new bytes: drop what was
		 * held and what waits out of order, and go on with the new bytes. */
		b->start = 0;
		b->held = 0;
		b->nooo = 0;
		s->overflow(s->ctx);
		d->next_seq += n;
		k = s->consume(s->ctx, p, n);
		(void)k;
		return;
	}
	drain(d, s);
}

/* Bytes up to the first held out-of-order range, or up to `rel`. */
static uint32_t first_hole(const struct cap_reasm_dir *d, uint32_t rel)
{
	if (d->b != NULL && d->b->nooo > 0 && d->b->ooo[0].off < rel)
		return d->b->ooo[0].off;
	return rel;
}

void cap_reasm_segment(struct cap_reasm *r, struct cap_reasm_dir *d, uint32_t seq,
		       const uint8_t *p, size_t caplen, size_t len,
		       const struct cap_reasm_sink *s)
{
	uint32_t end_seq, back, skip;
	int32_t rel;

	if (len == 0)
		return;
	if (caplen > len)
		caplen = len;
	if (!d->seq_known)
		cap_reasm_start(d, seq);
	end_seq = seq + (uint32_t)len;
	rel = (int32_t)(seq - d->next_seq);
	if (rel < 0) {
		back = d->next_seq - seq;
		if (back >= len) {
			r->retransmissions++;
			return;
		}
		r->overlaps++;
		skip = back < caplen ? back : (uint32_t)caplen;
		p += skip;
		caplen -= skip;
		len -= back;
		rel = 0;
	}
	if (rel > 0) {
		r->out_of_order++;
		if ((uint32_t)rel > r->max_dir && !cap_reasm_has_ooo(d)) {
			/* Far beyond any window: the bytes in between are lost. */
			skip_gap(r, d, (uint32_t)rel, s);
		} else {
			if (insert(r, d, (uint32_t)rel, p, (uint32_t)caplen))
				return;
			/* Out of room: give up the first hole and retry once. */
			skip_gap(r, d, first_hole(d, (uint32_t)rel), s);
			rel = (int32_t)(seq - d->next_seq);
			if (rel != 0) {
				if (rel > 0)
					(void)insert(r, d, (uint32_t)rel, p, (uint32_t)caplen);
				return;
			}
		}
	}
	deliver(r, d, p, (uint32_t)caplen, s);
	/* Bytes the snap length cut will never be seen: a gap right away. */
	if (caplen < len && (int32_t)(end_seq - d->next_seq) > 0)
		skip_gap(r, d, end_seq - d->next_seq, s);
}

void cap_reasm_ack(struct cap_reasm *r, struct cap_reasm_dir *d, uint32_t ack,
		   const struct cap_reasm_sink *s)
{
	while (d->b != NULL && d->b->nooo > 0 &&
	       (int32_t)(ack - (d->next_seq + d->b->ooo[0].off)) >= 0)
		skip_gap(r, d, d->b->ooo[0].off, s);
}

void cap_reasm_flush(struct cap_reasm *r, struct cap_reasm_dir *d,
		     const struct cap_reasm_sink *s)
{
	while (d->b != NULL && d->b->nooo > 0)
		skip_gap(r, d, d->b->ooo[0].off, s);
}
