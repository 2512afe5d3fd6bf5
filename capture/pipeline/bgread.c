/* bgread.c - the reading thread: a ring of blocks, filled in order on one thread and
 * taken in order on the other (POSIX threads, one mutex and one condition variable).
 *
 * Sequence numbers, never wrapping in practice (64 bits): `filled` blocks the thread has
 * finished, `taken` the consumer has, `released` it gave back; released <= taken <=
 * filled <= released + NBLOCKS.  The block that ends the input (length 0 or -1) is
 * counted as filled, so the consumer sees the end in order. */
#include "pipeline/bgread.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

/* Four blocks: the thread stays up to three ahead while the consumer holds at most two
 * (the one it parses and the next, while a record's head moves over). */
#define NBLOCKS 4u

struct bgblock {
	ssize_t len;
	int err;
};

struct bgread {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bgread_fill_fn fill;
	void *ctx;
	uint8_t *mem;
	size_t block, headroom, stride;
	struct bgblock blk[NBLOCKS];
	uint64_t filled, taken, released;
	bool stop, done;
	ssize_t final_len; /* what every call after the end block returns */
	int final_err;
};

static uint8_t *block_data(struct bgread *b, uint64_t seq)
{
	return b->mem + (size_t)(seq % NBLOCKS) * b->stride + b->headroom;
}

static void *run(void *arg)
{
	struct bgread *b = arg;

	pthread_mutex_lock(&b->mu);
	for (;;) {
		uint64_t seq;
		ssize_t n;
		int err;

		while (!b->stop && b->filled - b->released >= NBLOCKS)
			pthread_cond_wait(&b->cv, &b->mu);
		if (b->stop)
			break;
		seq = b->filled;
		pthread_mutex_unlock(&b->mu);
		errno = 0;
		n = b->fill(b->ctx, block_data(b, seq), b->block);
		err = errno;
		pthread_mutex_lock(&b->mu);
		b->blk[seq % NBLOCKS].len = n;
		b->blk[seq % NBLOCKS].err = err;
		b->filled++;
		pthread_cond_broadcast(&b->cv);
		if (n <= 0)
			break;
	}
	b->done = true;
	pthread_cond_broadcast(&b->cv);
	pthread_mutex_unlock(&b->mu);
	return NULL;
}

int bgread_start(struct bgread **out, size_t block, size_t headroom, bgread_fill_fn fill,
		 void *ctx)
{
	struct bgread *b;

	*out = NULL;
	b = calloc(1, sizeof(*b));
	if (b == NULL)
		return -1;
	b->fill = fill;
	b->ctx = ctx;
	b->block = block;
	b->headroom = headroom;
	b->stride = headroom + block;
	b->mem = malloc(NBLOCKS * b->stride);
	if (b->mem == NULL) {
		free(b);
		return -1;
	}
	if (pthread_mutex_init(&b->mu, NULL) != 0) {
		free(b->mem);
		free(b);
		return -1;
	}
	if (pthread_cond_init(&b->cv, NULL) != 0) {
		pthread_mutex_destroy(&b->mu);
		free(b->mem);
		free(b);
		return -1;
	}
	if (pthread_create(&b->thread, NULL, run, b) != 0) {
		pthread_cond_destroy(&b->cv);
		pthread_mutex_destroy(&b->mu);
		free(b->mem);
		free(b);
		return -1;
	}
	*out = b;
	return 0;
}

ssize_t bgread_next(struct bgread *b, uint8_t **data)
{
	struct bgblock *k;
	ssize_t n;
	int err = 0;

	pthread_mutex_lock(&b->mu);
	while (b->taken == b->filled && !b->done)
		pthread_cond_wait(&b->cv, &b->mu);
	if (b->taken == b->filled) {
		/* After the end block: the same answer again. */
		n = b->final_len;
		err = b->final_err;
	} else {
		k = &b->blk[b->taken % NBLOCKS];
		*data = block_data(b, b->taken);
		n = k->len;
		if (n <= 0) {
			b->final_len = n;
			b->final_err = err = k->err;
		}
		b->taken++;
	}
	pthread_mutex_unlock(&b->mu);
	if (n < 0)
		errno = err; /* after the unlock, which may set it */
	return n;
}

void bgread_release(struct bgread *b)
{
	pthread_mutex_lock(&b->mu);
	if (b->released < b->taken)
		b->released++;
	pthread_cond_broadcast(&b->cv);
	pthread_mutex_unlock(&b->mu);
}

void bgread_stop(struct bgread *b)
{
	if (b == NULL)
		return;
	pthread_mutex_lock(&b->mu);
	b->stop = true;
	pthread_cond_broadcast(&b->cv);
	pthread_mutex_unlock(&b->mu);
	pthread_join(b->thread, NULL);
	pthread_cond_destroy(&b->cv);
	pthread_mutex_destroy(&b->mu);
	free(b->mem);
	free(b);
}
