/* readahead.h - the window of unread input bytes the capture file readers parse in place.
 *
 * A reader asks for the next `need` bytes; the window keeps them contiguous (moving the
 * unread rest to the front, or growing for a record larger than the chunk, up to what the
 * reader's own caps allow it to ask for) and refills from the reader's input.  With a
 * reading thread (readahead_start_thread) the input is read ahead into blocks on the other
 * core and the window is the current block itself: only a record cut by a block's start
 * is copied (its head, into the room before the next block's bytes). */
#ifndef NEGSCOPE_PIPELINE_READAHEAD_H
#define NEGSCOPE_PIPELINE_READAHEAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "pipeline/bgread.h"

/* Reads up to `room` bytes into dst, sequentially: the count, 0 at the end, -1 on an
 * error (errno set).  On the reading thread when there is one. */
typedef bgread_fill_fn readahead_fill_fn;

struct readahead {
	uint8_t *buf;
	size_t cap, start, end;  /* unread bytes: buf[start .. end) */
	bool eof;                /* the input has no more bytes */
	/* With a reading thread: buf is the block held (in_block) or own[]. */
	struct bgread *bg;
	bool in_block;
	uint8_t *own;
	size_t own_cap;
};

/* The smallest file worth a reading thread: starting and joining one costs more than it
 * saves on a small input (and a file is opened twice: checked, then read). */
#define READAHEAD_THREAD_MIN (8 << 20)

/* Allocates the first chunk; -1 when out of memory. */
int readahead_init(struct readahead *ra, size_t chunk);
/* Reads the input ahead on a thread of its own from now on (before any readahead_want).
 * Only for a regular file (a pipe's read may never return).  When the thread cannot be
 * started the window reads by itself, as without: never an error. */
void readahead_start_thread(struct readahead *ra, readahead_fill_fn fill, void *ctx);
/* Stops the thread if any, frees the window. */
void readahead_free(struct readahead *ra);

/* Makes `need` unread bytes present when the input has them: *p points at the unread bytes;
 * returns how many of the `need` are there (fewer at the end), or -1 on a read error or
 * when out of memory. */
ssize_t readahead_want(struct readahead *ra, size_t need, readahead_fill_fn fill, void *ctx,
		       const uint8_t **p);

#endif /* NEGSCOPE_PIPELINE_READAHEAD_H */
