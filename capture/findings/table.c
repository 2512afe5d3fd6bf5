/* table.c - bounded open-addressing hash table (see table.h). */
#include <stdlib.h>
#include <string.h>

#include "findings/table.h"

static uint64_t hash_key(const uint8_t *k, size_t n)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */

	for (size_t i = 0; i < n; i++) {
		h ^= k[i];
		h *= 1099511628211ull;
	}
	return h ^ (h >> 29);
}

int tbl_init(struct tbl *t, size_t max_items, size_t keylen)
{
	size_t slots = 16;

	memset(t, 0, sizeof(*t));
	if (keylen == 0 || keylen > TBL_KEY_MAX || max_items == 0)
		return -1;
	while (slots < max_items * 2 && slots < ((size_t)1 << 40))
		slots <<= 1;
	t->e = calloc(slots, sizeof(*t->e));
	if (t->e == NULL)
		return -1;
	t->slots = slots;
	t->max_items = max_items;
	t->keylen = keylen;
	return 0;
}

void tbl_free(struct tbl *t)
{
	free(t->e);
	memset(t, 0, sizeof(*t));
}

static size_t find_slot(const struct tbl *t, const void *key, bool *found)
{
	size_t mask = t->slots - 1;
	size_t i = (size_t)hash_key(key, t->keylen) & mask;

	for (;;) {
		if (!t->e[i].used) {
			*found = false;
			return i;
		}
		if (memcmp(t->e[i].key, key, t->keylen) == 0) {
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
	i = find_slot(t, key, &found);
	return found ? t->e[i].val : NULL;
}

int tbl_put(struct tbl *t, const void *key, void *val)
{
	bool found;
	size_t i;

	if (t->e == NULL)
		return -1;
	i = find_slot(t, key, &found);
	if (!found) {
		if (t->n >= t->max_items)
			return -1;
		t->e[i].used = true;
		memcpy(t->e[i].key, key, t->keylen);
		t->n++;
	}
	t->e[i].val = val;
	return 0;
}

void *tbl_del(struct tbl *t, const void *key)
{
	bool found;
	size_t mask, i, j;
	void *val;

	if (t->e == NULL)
		return NULL;
	i = find_slot(t, key, &found);
	if (!found)
		return NULL;
	val = t->e[i].val;
	mask = t->slots - 1;
	/* Backward-shift: move later members of the probe run into the hole. */
	j = i;
	for (;;) {
		size_t home;

		j = (j + 1) & mask;
		if (!t->e[j].used)
			break;
		home = (size_t)hash_key(t->e[j].key, t->keylen) & mask;
		/* Move j to i when its home slot is not within (i, j]. */
		if ((j > i && (home <= i || home > j)) || (j < i && (home <= i && home > j))) {
			t->e[i] = t->e[j];
			i = j;
		}
	}
	memset(&t->e[i], 0, sizeof(t->e[i]));
	t->n--;
	return val;
}

bool tbl_full(const struct tbl *t)
{
	return t->n >= t->max_items;
}

void *tbl_at(const struct tbl *t, size_t i, const void **key_out)
{
	if (i >= t->slots || !t->e[i].used)
		return NULL;
	if (key_out != NULL)
		*key_out = t->e[i].key;
	return t->e[i].val;
}
