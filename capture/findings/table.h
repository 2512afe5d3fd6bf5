/* table.h - a bounded open-addressing hash table with fixed-size binary keys.
 *
 * Used by the analysis engine for its stream, conversation and client maps.  Keys are
 * compared byte for byte, so callers zero a key struct before filling it.  Linear
 * probing with backward-shift deletion (no tombstones), so lookups stay short after
 * many removals.  The slot array starts small and doubles as items arrive (a capture
 * with little authentication costs little memory), up to what the capacity given at
 * creation needs; it never holds more items than that: callers check tbl_full() and
 * evict first.
 */
#ifndef NEGSCOPE_FINDINGS_TABLE_H
#define NEGSCOPE_FINDINGS_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TBL_KEY_MAX 64

struct tbl {
	uint32_t *tag;  /* per slot: part of the key's hash, 0 when the slot is empty */
	uint8_t *e;     /* per slot: the value pointer, then the key (stride bytes) */
	size_t stride;
	size_t slots;   /* power of two, at least twice n */
	size_t max_slots; /* power of two, at least twice max_items */
	size_t n;
	size_t max_items;
	size_t keylen;
};

/* Returns 0, or -1 when memory runs out. */
int tbl_init(struct tbl *t, size_t max_items, size_t keylen);
void tbl_free(struct tbl *t);
void *tbl_get(const struct tbl *t, const void *key);
/* Inserts or replaces; -1 when the table is full (or memory runs out growing it). */
int tbl_put(struct tbl *t, const void *key, void *val);
/* Removes key; returns its value or NULL. */
void *tbl_del(struct tbl *t, const void *key);
bool tbl_full(const struct tbl *t);
/* Iteration: slot index i from 0 to t->slots (no insertion meanwhile: a growth moves
 * items); returns the value of a used slot or NULL. */
void *tbl_at(const struct tbl *t, size_t i, const void **key_out);

#endif
