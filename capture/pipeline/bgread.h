/* bgread.h - a reading thread: an input's next blocks read (or decompressed) ahead on the
 * second core while the pipeline analyses the current one (not public).
 *
 * The thread calls the reader's fill function, and only it does, until the input ends, a
 * read fails or bgread_stop(); blocks are handed over in order.  Each block has `headroom`
 * writable bytes before its data, so that a record cut by the block's start can be made
 * whole by copying only its head there (readahead.c).  Only for regular files: a pipe's
 * read can wait for ever, and stopping must not. */
#ifndef NEGSCOPE_PIPELINE_BGREAD_H
#define NEGSCOPE_PIPELINE_BGREAD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct bgread;

/* Reads up to `room` bytes into dst: the count, 0 at the end, -1 on an error (errno set).
 * Called on the reading thread. */
typedef ssize_t (*bgread_fill_fn)(void *ctx, uint8_t *dst, size_t room);

/* Starts the thread; -1 when it or its blocks cannot be had (the caller reads itself). */
int bgread_start(struct bgread **out, size_t block, size_t headroom, bgread_fill_fn fill,
		 void *ctx);
/* The next block: *data at its bytes (`headroom` bytes before them are the caller's to
 * write); returns its length, 0 at the end of the input, -1 on a read error (errno set).
 * The block stays valid until the caller gives it back. */
ssize_t bgread_next(struct bgread *b, uint8_t **data);
/* Gives back the oldest block taken and not yet given back. */
void bgread_release(struct bgread *b);
/* Stops and joins the thread, frees everything; NULL is fine. */
void bgread_stop(struct bgread *b);

#endif /* NEGSCOPE_PIPELINE_BGREAD_H */
