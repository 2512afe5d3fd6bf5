/* table.h - a bounded open-addressing hash table with fixed-size binary keys.
 *
 * Used by the analysis engine for its stream, conversation and client maps.  Keys are
 * compared byte for byte, so callers zero a key struct before filling it.  Linear
 * probing with backward-shift deletion (no tombstones), so lookups stay short after
 * many removals.  The table never grows past the capacity given at creation: callers
 * check tbl_full() and evict first.
 */
#ifndef NEGSCOPE_FINDINGS_TABLE_H
#define NEGSCOPE_FINDINGS_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TBL_KEY_MAX 64

struct tbl_ent {
	bool used;
	uint8_t key[TBL_KEY_MAX];
	void *val;
};

struct tbl {
	struct tbl_ent *e;
	size_t slots;   /* power of two, at least twice max_items */
	size_t n;
	size_t max_items;
	size_t keylen;
};

/* Returns 0, or -1 when memory runs out. */
int tbl_init(struct tbl *t, size_t max_items, size_t keylen);
void tbl_free(struct tbl *t);
void *tbl_get(const struct tbl *t, const void *key);
/* Inserts or replaces; -1 when the table is full. */
int tbl_put(struct tbl *t, const void *key, void *val);
/* Removes key; returns its value or NULL. */
void *tbl_del(struct tbl *t, const void *key);
bool tbl_full(const struct tbl *t);
/* Iteration: slot index i from 0 to t->slots; returns the value of a used slot or NULL. */
void *tbl_at(const struct tbl *t, size_t i, const void **key_out);

#endif
