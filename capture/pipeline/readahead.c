/* readahead.c - the window of unread input bytes of the capture file readers. */
#include <stdlib.h>
#include <string.h>

#include "pipeline/readahead.h"

int readahead_init(struct readahead *ra, size_t chunk)
{
	memset(ra, 0, sizeof(*ra));
	ra->buf = malloc(chunk);
	if (ra->buf == NULL)
		return -1;
	ra->cap = chunk;
	return 0;
}

void readahead_free(struct readahead *ra)
{
	free(ra->buf);
	memset(ra, 0, sizeof(*ra));
}

ssize_t readahead_want(struct readahead *ra, size_t need, readahead_fill_fn fill, void *ctx,
		       const uint8_t **p)
{
	size_t have = ra->end - ra->start;

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
			ssize_t n = fill(ctx, ra->buf + ra->end, ra->cap - ra->end,
					 ra->end - ra->start);

			if (n < 0)
				return -1;
			if (n == 0)
				ra->eof = true;
			ra->end += (size_t)n;
		}
		have = ra->end - ra->start;
	}
	*p = ra->buf + ra->start;
	return (ssize_t)(have < need ? have : need);
}
