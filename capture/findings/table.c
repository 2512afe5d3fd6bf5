/* table.c - bounded open-addressing hash table (see table.h).
 *
 * Probing reads a dense array of 32-bit tags (a part of each key's hash, 0 = empty)
 * and touches an entry only when its tag matches: a lookup that misses (most of them:
 * connections without authentication) stays within a few cache lines.
 */
#include <stdlib.h>
#include <string.h>

#include "findings/table.h"

#define TBL_MIN_SLOTS 64

static uint64_t mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return h;
}

static uint64_t hash_key(const uint8_t *k, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15ull ^ n;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t w;

		memcpy(&w, k + i, 8);
		h = mix(h ^ w) + i;
	}
	if (i < n) {
		uint64_t w = 0;

		memcpy(&w, k + i, n - i);
		h = mix(h ^ w ^ ((uint64_t)(n - i) << 56));
	}
	return mix(h);
}

/* A slot holds the value pointer then the key, in keylen rounded up to 8 bytes: the
 * small keys (a stream index) cost 16 bytes a slot, not the largest key's size. */
static void **val_at(const struct tbl *t, size_t i)
{
	return (void **)(void *)(t->e + i * t->stride);
}

static uint8_t *key_at(const struct tbl *t, size_t i)
{
	return t->e + i * t->stride + sizeof(void *);
}

/* Nonzero: 0 marks an empty slot. */
static uint32_t tag_of(uint64_t h)
{
	return (uint32_t)(h >> 32) | 1u;
}

int tbl_init(struct tbl *t, size_t max_items, size_t keylen)
{
	size_t max_slots = 16;

	memset(t, 0, sizeof(*t));
	if (keylen == 0 || keylen > TBL_KEY_MAX || max_items == 0)
		return -1;
	while (max_slots < max_items * 2 && max_slots < ((size_t)1 << 40))
		max_slots <<= 1;
	t->slots = max_slots < TBL_MIN_SLOTS ? max_slots : TBL_MIN_SLOTS;
	t->stride = sizeof(void *) + ((keylen + 7) & ~(size_t)7);
	t->tag = calloc(t->slots, sizeof(*t->tag));
	t->e = calloc(t->slots, t->stride);
	if (t->tag == NULL || t->e == NULL) {
		tbl_free(t);
		return -1;
	}
	t->max_slots = max_slots;
	t->max_items = max_items;
	t->keylen = keylen;
	return 0;
}

void tbl_free(struct tbl *t)
{
	free(t->tag);
	free(t->e);
	memset(t, 0, sizeof(*t));
}

static size_t find_slot(const struct tbl *t, const void *key, uint64_t h, bool *found)
{
	size_t mask = t->slots - 1;
	size_t i = (size_t)h & mask;
	uint32_t tag = tag_of(h);

	for (;;) {
		if (t->tag[i] == 0) {
			*found = false;
			return i;
		}
		if (t->tag[i] == tag && memcmp(key_at(t, i), key, t->keylen) == 0) {
			*found = true;
			return i;
		}
		i = (i + 1) & mask;
	}
}

void *tbl_get(const struct tbl *t, const void *key)
{
	bool found;
	size_t i;

	if (t->e == NULL)
		return NULL;
	i = find_slot(t, key, hash_key(key, t->keylen), &found);
	return found ? *val_at(t, i) : NULL;
}

/* Doubles the slot arrays, re-placing every item (kept at most half full). */
static int grow(struct tbl *t)
{
	uint32_t *otag = t->tag;
	uint8_t *oe = t->e;
	size_t oslots = t->slots;
	size_t nslots = t->slots * 2;
	uint32_t *ntag = calloc(nslots, sizeof(*ntag));
	uint8_t *ne = calloc(nslots, t->stride);

	if (ntag == NULL || ne == NULL) {
		free(ntag);
		free(ne);
		return -1;
	}
	t->tag = ntag;
	t->e = ne;
	t->slots = nslots;
	for (size_t i = 0; i < oslots; i++) {
		uint64_t h;
		bool found;
		size_t j;

		if (otag[i] == 0)
			continue;
		h = hash_key(oe + i * t->stride + sizeof(void *), t->keylen);
		j = find_slot(t, oe + i * t->stride + sizeof(void *), h, &found);
		t->tag[j] = otag[i];
		memcpy(t->e + j * t->stride, oe + i * t->stride, t->stride);
	}
	free(otag);
	free(oe);
	return 0;
}

int tbl_put(struct tbl *t, const void *key, void *val)
{
	uint64_t h;
	bool found;
	size_t i;

	if (t->e == NULL)
		return -1;
	h = hash_key(key, t->keylen);
	i = find_slot(t, key, h, &found);
	if (!found) {
		if (t->n >= t->max_items)
			return -1;
		if ((t->n + 1) * 2 > t->slots && t->slots < t->max_slots) {
			/* Out of memory growing: go on fuller while a free slot is left. */
			if (grow(t) == 0)
				i = find_slot(t, key, h, &found);
			else if (t->n + 1 >= t->slots)
				return -1;
		}
		t->tag[i] = tag_of(h);
		memcpy(key_at(t, i), key, t->keylen);
		t->n++;
	}
	*val_at(t, i) = val;
	return 0;
}

void *tbl_del(struct tbl *t, const void *key)
{
	bool found;
	size_t mask, i, j;
	void *val;

	if (t->e == NULL)
		return NULL;
	i = find_slot(t, key, hash_key(key, t->keylen), &found);
	if (!found)
		return NULL;
	val = *val_at(t, i);
	mask = t->slots - 1;
	/* Backward-shift: move later members of the probe run into the hole. */
	j = i;
	for (;;) {
		size_t home;

		j = (j + 1) & mask;
		if (t->tag[j] == 0)
			break;
		home = (size_t)hash_key(key_at(t, j), t->keylen) & mask;
		/* Move j to i when its home slot is not within (i, j]. */
		if ((j > i && (home <= i || home > j)) || (j < i && (home <= i && home > j))) {
			t->tag[i] = t->tag[j];
			memcpy(t->e + i * t->stride, t->e + j * t->stride, t->stride);
			i = j;
		}
	}
	t->tag[i] = 0;
	memset(t->e + i * t->stride, 0, t->stride);
	t->n--;
	return val;
}

bool tbl_full(const struct tbl *t)
{
	return t->n >= t->max_items;
}

void *tbl_at(const struct tbl *t, size_t i, const void **key_out)
{
	if (i >= t->slots || t->tag[i] == 0)
		return NULL;
	if (key_out != NULL)
		*key_out = key_at(t, i);
	return *val_at(t, i);
}
