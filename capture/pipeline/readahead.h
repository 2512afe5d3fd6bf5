/* readahead.h - the window of unread input bytes the capture file readers parse in place.
 *
 * A reader asks for the next `need` bytes; the window keeps them contiguous (moving the
 * unread rest to the front, or growing for a record larger than the chunk, up to what the
 * reader's own caps allow it to ask for) and refills from the reader's input. */
#ifndef NEGSCOPE_PIPELINE_READAHEAD_H
#define NEGSCOPE_PIPELINE_READAHEAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct readahead {
	uint8_t *buf;
	size_t cap, start, end;  /* unread bytes: buf[start .. end) */
	bool eof;                /* the input has no more bytes */
};

/* Reads up to `room` bytes into dst; `unread` bytes are in the window before them (so a
 * positional reader knows its offset).  Returns the count, 0 at the end, -1 on error. */
typedef ssize_t (*readahead_fill_fn)(void *ctx, uint8_t *dst, size_t room, size_t unread);

/* Allocates the first chunk; -1 when out of memory. */
int readahead_init(struct readahead *ra, size_t chunk);
void readahead_free(struct readahead *ra);

/* Makes `need` unread bytes present when the input has them: *p points at the unread bytes;
 * returns how many of the `need` are there (fewer at the end), or -1 on a read error or
 * when out of memory. */
ssize_t readahead_want(struct readahead *ra, size_t need, readahead_fill_fn fill, void *ctx,
		       const uint8_t **p);

#endif /* NEGSCOPE_PIPELINE_READAHEAD_H */
