/* flow_table.c - 5-tuple hash table over a preallocated pool, LRU eviction.
 *
 * The pool is one calloc of max_flows entries (pages are touched only as
 * flows appear), buckets chain by pool index, and a doubly linked list by
 * index keeps recency.  No allocation happens per packet or per flow.
 */
#include "negscope/flow.h"

#include <stdlib.h>
#include <string.h>

#define NIL UINT32_MAX
/* Direct-mapped cache of recently found entries, by hash: the connections in flight
 * are found without touching the (large, cold) bucket array. */
#define RECENT 512u

struct entry {
	struct cap_flow_key key;
	uint32_t hash;
	uint32_t hnext;      /* bucket chain, or free list */
	uint32_t prev, next; /* recency: head is most recent */
	/* user area follows, 8-byte aligned */
};

struct cap_flow_table {
	uint8_t *pool;
	size_t stride, max, user_size;
	uint32_t *buckets; /* pool index, NIL when empty */
	uint32_t mask;
	uint32_t recent[RECENT]; /* pool index + 1 of an entry with that hash slot, 0 none */
	uint32_t head, tail, free_list, next_fresh;
	size_t count;
	uint64_t evictions;
	cap_flow_evict_fn evict;
	void *ctx;
};

#define ENTRY_SIZE ((sizeof(struct entry) + 7) & ~(size_t)7)

static struct entry *at(const struct cap_flow_table *t, uint32_t i)
{
	return (struct entry *)(void *)(t->pool + (size_t)i * t->stride);
}

static uint32_t index_of(const struct cap_flow_table *t, const struct entry *e)
{
	return (uint32_t)(((const uint8_t *)e - t->pool) / t->stride);
}

static void *user_of(struct entry *e)
{
	return (uint8_t *)e + ENTRY_SIZE;
}

const struct cap_flow_key *cap_flow_key_of(const void *user)
{
	return &((const struct entry *)(const void *)((const uint8_t *)user - ENTRY_SIZE))->key;
}

static uint32_t be32_at(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

void cap_flow_key_make(struct cap_flow_key *k, uint8_t family, uint8_t proto,
		       const uint8_t *src, uint16_t sport, const uint8_t *dst, uint16_t dport,
		       int *side_out)
{
	size_t alen = family == 4 ? 4 : 16;
	int c;
	int side;

	if (family == 4) { /* big-endian words order as memcmp does */
		uint32_t a = be32_at(src), b = be32_at(dst);

		c = a < b ? -1 : a > b;
	} else {
		c = memcmp(src, dst, alen);
	}
	side = c < 0 || (c == 0 && sport <= dport) ? 0 : 1;

	k->family = family;
	k->proto = proto;
	if (alen == 4) {
		/* Only the unused tails are zeroed (keys are compared byte for byte). */
		memcpy(k->addr[side], src, 4);
		memcpy(k->addr[1 - side], dst, 4);
		memset(k->addr[0] + 4, 0, 12);
		memset(k->addr[1] + 4, 0, 12);
	} else {
		memcpy(k->addr[side], src, 16);
		memcpy(k->addr[1 - side], dst, 16);
	}
	k->port[side] = sport;
	k->port[1 - side] = dport;
	*side_out = side;
}

/* MurmurHash3's 64-bit finaliser: every input bit reaches every output bit. */
static uint64_t fmix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return h;
}

uint32_t cap_flow_hash(const struct cap_flow_key *k)
{
	uint32_t w[8];
	uint64_t h;
	int i;

	memcpy(w, k->addr, sizeof(w));
	h = (uint64_t)k->port[0] << 32 | (uint64_t)k->port[1] << 16 | (uint64_t)k->proto << 8 |
	    k->family;
	/* IPv4 keys use the first word of each address only: one round. */
	h ^= fmix64((uint64_t)w[0] << 32 | w[4]);
	if (k->family != 4)
		for (i = 1; i < 4; i++)
			h = fmix64(h ^ ((uint64_t)w[i] << 32 | w[4 + i]));
	return (uint32_t)fmix64(h);
}

struct cap_flow_table *cap_flow_table_new(size_t max_flows, size_t user_size,
					  cap_flow_evict_fn evict, void *ctx)
{
	struct cap_flow_table *t;
	size_t nb = 16;

	if (max_flows == 0 || max_flows >= NIL / 2)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return NULL;
	t->user_size = (user_size + 7) & ~(size_t)7;
	t->stride = ENTRY_SIZE + t->user_size;
	t->max = max_flows;
	while (nb < max_flows * 2)
		nb <<= 1;
	t->mask = (uint32_t)(nb - 1);
	t->pool = calloc(max_flows, t->stride);
	t->buckets = malloc(nb * sizeof(*t->buckets));
	if (t->pool == NULL || t->buckets == NULL) {
		cap_flow_table_free(t);
		return NULL;
	}
	memset(t->buckets, 0xff, nb * sizeof(*t->buckets));
	t->head = t->tail = t->free_list = NIL;
	t->evict = evict;
	t->ctx = ctx;
	return t;
}

void cap_flow_table_free(struct cap_flow_table *t)
{
	if (t == NULL)
		return;
	free(t->pool);
	free(t->buckets);
	free(t);
}

static void lru_unlink(struct cap_flow_table *t, struct entry *e)
{
	if (e->prev != NIL)
		at(t, e->prev)->next = e->next;
	else
		t->head = e->next;
	if (e->next != NIL)
		at(t, e->next)->prev = e->prev;
	else
		t->tail = e->prev;
}

static void lru_push_front(struct cap_flow_table *t, struct entry *e)
{
	uint32_t i = index_of(t, e);

	e->prev = NIL;
	e->next = t->head;
	if (t->head != NIL)
		at(t, t->head)->prev = i;
	t->head = i;
	if (t->tail == NIL)
		t->tail = i;
}

/* memcmp(a, b, sizeof(*a)) == 0, a word at a time without a library call (the last
 * word overlaps the one before it when the size is not a multiple of 8). */
static bool key_eq(const struct cap_flow_key *a, const struct cap_flow_key *b)
{
	const uint8_t *x = (const uint8_t *)a, *y = (const uint8_t *)b;
	uint64_t d = 0, u, v;
	size_t i;

	_Static_assert(sizeof(*a) >= 8, "a key holds at least one word");
	for (i = 0; i + 8 <= sizeof(*a); i += 8) {
		memcpy(&u, x + i, 8);
		memcpy(&v, y + i, 8);
		d |= u ^ v;
	}
	memcpy(&u, x + sizeof(*a) - 8, 8);
	memcpy(&v, y + sizeof(*a) - 8, 8);
	return (d | (u ^ v)) == 0;
}

static void *found(struct cap_flow_table *t, struct entry *e, uint32_t i)
{
	if (t->head != i) {
		lru_unlink(t, e);
		lru_push_front(t, e);
	}
	return user_of(e);
}

void *cap_flow_find(struct cap_flow_table *t, const struct cap_flow_key *k, uint32_t hash)
{
	uint32_t r = t->recent[hash % RECENT];
	uint32_t i;

	if (r != 0) {
		struct entry *e = at(t, r - 1);

		if (e->hash == hash && key_eq(&e->key, k))
			return found(t, e, r - 1);
	}
	for (i = t->buckets[hash & t->mask]; i != NIL;) {
		struct entry *e = at(t, i);

		if (e->hash == hash && key_eq(&e->key, k)) {
			t->recent[hash % RECENT] = i + 1;
			return found(t, e, i);
		}
		i = e->hnext;
	}
	return NULL;
}

static void unhash(struct cap_flow_table *t, struct entry *e)
{
	uint32_t *pp = &t->buckets[e->hash & t->mask];
	uint32_t i = index_of(t, e);

	if (t->recent[e->hash % RECENT] == i + 1)
		t->recent[e->hash % RECENT] = 0;

	while (*pp != NIL && *pp != i)
		pp = &at(t, *pp)->hnext;
	if (*pp == i)
		*pp = e->hnext;
}

void *cap_flow_insert(struct cap_flow_table *t, const struct cap_flow_key *k, uint32_t hash)
{
	struct entry *e;
	uint32_t b;

	if (t->free_list != NIL) {
		e = at(t, t->free_list);
		t->free_list = e->hnext;
	} else if (t->next_fresh < t->max) {
		e = at(t, t->next_fresh++);
	} else {
		e = at(t, t->tail);
		if (t->evict != NULL)
			t->evict(t->ctx, user_of(e), &e->key);
		lru_unlink(t, e);
		unhash(t, e);
		t->count--;
		t->evictions++;
	}
	memset(e, 0, t->stride);
	e->key = *k;
	e->hash = hash;
	b = hash & t->mask;
	e->hnext = t->buckets[b];
	t->buckets[b] = index_of(t, e);
	t->recent[hash % RECENT] = index_of(t, e) + 1;
	lru_push_front(t, e);
	t->count++;
	return user_of(e);
}

void cap_flow_foreach(struct cap_flow_table *t, cap_flow_evict_fn fn, void *ctx)
{
	uint32_t i = t->head;

	while (i != NIL) {
		struct entry *e = at(t, i);

		i = e->next;
		fn(ctx, user_of(e), &e->key);
	}
}

size_t cap_flow_count(const struct cap_flow_table *t)
{
	return t->count;
}

uint64_t cap_flow_evictions(const struct cap_flow_table *t)
{
	return t->evictions;
}
