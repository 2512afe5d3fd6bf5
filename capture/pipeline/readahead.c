/* readahead.c - the window of unread input bytes of the capture file readers. */
#include <stdlib.h>
#include <string.h>

#include "pipeline/readahead.h"

/* Room before each block of the reading thread: a record's head up to this size moves
 * there when the record runs into the next block (most records are far smaller); a
 * larger one is assembled in the window's own buffer. */
#define HEADROOM (64u << 10)

int readahead_init(struct readahead *ra, size_t chunk)
{
	memset(ra, 0, sizeof(*ra));
	ra->buf = malloc(chunk);
	if (ra->buf == NULL)
		return -1;
	ra->cap = chunk;
	ra->own = ra->buf;
	ra->own_cap = chunk;
	return 0;
}

void readahead_start_thread(struct readahead *ra, readahead_fill_fn fill, void *ctx)
{
	if (ra->bg == NULL && bgread_start(&ra->bg, 1u << 20, HEADROOM, fill, ctx) != 0)
		ra->bg = NULL;
}

void readahead_free(struct readahead *ra)
{
	bgread_stop(ra->bg);
	free(ra->own);
	memset(ra, 0, sizeof(*ra));
}

/* The unread bytes followed by the block's n bytes, in own[]; the block is given back. */
static int append_block(struct readahead *ra, const uint8_t *bp, size_t n)
{
	size_t have = ra->end - ra->start;

	if (have + n > ra->own_cap) {
		uint8_t *nb = malloc(have + n);

		if (nb == NULL)
			return -1;
		memcpy(nb, ra->buf + ra->start, have);
		free(ra->own); /* the window itself unless it is a block */
		ra->own = nb;
		ra->own_cap = have + n;
	} else {
		memmove(ra->own, ra->buf + ra->start, have);
	}
	memcpy(ra->own + have, bp, n);
	if (ra->in_block)
		bgread_release(ra->bg); /* the block the window was */
	bgread_release(ra->bg);         /* this one, copied */
	ra->in_block = false;
	ra->buf = ra->own;
	ra->cap = ra->own_cap;
	ra->start = 0;
	ra->end = have + n;
	return 0;
}

/* readahead_want with the reading thread. */
static ssize_t want_bg(struct readahead *ra, size_t need, const uint8_t **p)
{
	size_t have = ra->end - ra->start;

	while (have < need && !ra->eof) {
		uint8_t *bp;
		ssize_t n = bgread_next(ra->bg, &bp);

		if (n < 0)
			return -1;
		if (n == 0) {
			/* The thread has stopped: no block is written any more. */
			ra->eof = true;
			break;
		}
		if (have <= HEADROOM && have + (size_t)n >= need) {
			/* The next block becomes the window, the unread head just before it. */
			memcpy(bp - have, ra->buf + ra->start, have);
			if (ra->in_block)
				bgread_release(ra->bg);
			ra->in_block = true;
			ra->buf = bp - HEADROOM;
			ra->cap = HEADROOM + (size_t)n;
			ra->start = HEADROOM - have;
			ra->end = HEADROOM + (size_t)n;
		} else if (append_block(ra, bp, (size_t)n) != 0) {
			return -1;
		}
		have = ra->end - ra->start;
	}
	*p = ra->buf + ra->start;
	return (ssize_t)(have < need ? have : need);
}

ssize_t readahead_want(struct readahead *ra, size_t need, readahead_fill_fn fill, void *ctx,
		       const uint8_t **p)
{
	size_t have = ra->end - ra->start;

	if (ra->bg != NULL)
		return want_bg(ra, need, p);
	if (have < need && !ra->eof) {
		if (need > ra->cap) {
			/* A record larger than the chunk: the reader's caps bound `need`. */
			uint8_t *nb = malloc(need);

			if (nb == NULL)
				return -1;
			memcpy(nb, ra->buf + ra->start, have);
			free(ra->buf);
			ra->buf = nb;
			ra->cap = need;
			ra->start = 0;
			ra->end = have;
		} else if (ra->start + need > ra->cap) {
			memmove(ra->buf, ra->buf + ra->start, have);
			ra->start = 0;
			ra->end = have;
		}
		while (ra->end - ra->start < need && !ra->eof) {
			ssize_t n = fill(ctx, ra->buf + ra->end, ra->cap - ra->end);

			if (n < 0)
				return -1;
			if (n == 0)
				ra->eof = true;
			ra->end += (size_t)n;
		}
		have = ra->end - ra->start;
	}
	ra->own = ra->buf;
	ra->own_cap = ra->cap;
	*p = ra->buf + ra->start;
	return (ssize_t)(have < need ? have : need);
}
