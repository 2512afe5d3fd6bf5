/* ipfrag.c - IPv4/IPv6 fragment reassembly, capped and timed out.
 *
 * References: RFC 791 section 3.2 (reassembly by source, destination,
 * protocol and identification), RFC 8200 section 4.5 (IPv6 fragment header),
 * RFC 815 (hole tracking; here a bitmap of 8-byte blocks, which makes
 * overlaps and duplicates harmless).  Large Kerberos replies over UDP are
 * the reason this exists.
 */
#include "negscope/net.h"

#include <stdlib.h>
#include <string.h>

#define FRAG_SLOTS 64
#define FRAG_MAX_DATAGRAM 65536u /* IP total length is 16 bits */
#define FRAG_BLOCKS (FRAG_MAX_DATAGRAM / 8)
#define FRAG_TIMEOUT 30.0 /* seconds of capture time, as Linux ipfrag_time */

struct frag_slot {
	bool used;
	uint8_t family, proto;
	bool proto_known; /* IPv6: from the first fragment only */
	uint8_t src[16], dst[16];
	uint32_t id;
	double first_ts;
	uint32_t total;   /* datagram payload length, 0 until the last fragment */
	uint32_t blocks_have;
	uint8_t *data;    /* FRAG_MAX_DATAGRAM bytes */
	uint8_t have[FRAG_BLOCKS / 8];
};

struct cap_frag_table {
	size_t max_bytes, used_bytes;
	uint64_t cap_hits; /* a datagram given up for want of bytes or slots */
	int done; /* slot handed out by the last call, released on the next */
	struct frag_slot slots[FRAG_SLOTS];
};

uint64_t cap_frag_cap_hits(const struct cap_frag_table *t)
{
	return t->cap_hits;
}

struct cap_frag_table *cap_frag_new(size_t max_bytes)
{
	struct cap_frag_table *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->max_bytes = max_bytes;
	t->done = -1;
	return t;
}

static void release(struct cap_frag_table *t, struct frag_slot *s)
{
	if (!s->used)
		return;
	free(s->data);
	t->used_bytes -= FRAG_MAX_DATAGRAM;
	memset(s, 0, sizeof(*s));
}

void cap_frag_free(struct cap_frag_table *t)
{
	int i;

	if (t == NULL)
		return;
	for (i = 0; i < FRAG_SLOTS; i++)
		release(t, &t->slots[i]);
	free(t);
}

static bool same(const struct frag_slot *s, const struct cap_ip *f)
{
	size_t alen = f->family == 4 ? 4 : 16;

	return s->used && s->family == f->family && s->id == f->frag_id &&
	       (f->family == 6 || s->proto == f->proto) && memcmp(s->src, f->src, alen) == 0 &&
	       memcmp(s->dst, f->dst, alen) == 0;
}

/* Finds the slot of this datagram or starts one; expires old ones on the way.
 * When every slot is busy the oldest is given up. */
static struct frag_slot *lookup(struct cap_frag_table *t, const struct cap_ip *f, double ts,
				uint64_t *dropped)
{
	struct frag_slot *free_slot = NULL, *oldest = NULL;
	int i;

	for (i = 0; i < FRAG_SLOTS; i++) {
		struct frag_slot *s = &t->slots[i];

		if (s->used && ts - s->first_ts > FRAG_TIMEOUT) {
			*dropped += 1;
			release(t, s);
		}
		if (!s->used) {
			if (free_slot == NULL)
				free_slot = s;
			continue;
		}
		if (same(s, f))
			return s;
		if (oldest == NULL || s->first_ts < oldest->first_ts)
			oldest = s;
	}
	if (free_slot == NULL || t->used_bytes + FRAG_MAX_DATAGRAM > t->max_bytes) {
		if (oldest == NULL)
			return NULL;
		*dropped += 1;
		t->cap_hits++;
		release(t, oldest);
		free_slot = oldest;
		if (t->used_bytes + FRAG_MAX_DATAGRAM > t->max_bytes)
			return NULL;
	}
	free_slot->data = malloc(FRAG_MAX_DATAGRAM);
	if (free_slot->data == NULL)
		return NULL;
	t->used_bytes += FRAG_MAX_DATAGRAM;
	free_slot->used = true;
	free_slot->family = f->family;
	free_slot->proto = f->proto;
	free_slot->id = f->frag_id;
	memcpy(free_slot->src, f->src, f->family == 4 ? 4 : 16);
	memcpy(free_slot->dst, f->dst, f->family == 4 ? 4 : 16);
	free_slot->first_ts = ts;
	return free_slot;
}

int cap_frag_add(struct cap_frag_table *t, const struct cap_ip *frag, double ts,
		 struct cap_ip *out, uint64_t *dropped_out)
{
	struct frag_slot *s;
	uint32_t len = (uint32_t)frag->payload.len;
	uint32_t b, first, last;

	if (t->done >= 0) {
		release(t, &t->slots[t->done]);
		t->done = -1;
	}
	/* A fragment cut by the snap length cannot be reassembled. */
	if (len < frag->payload_len || !cap_range_ok(frag->frag_off, len, FRAG_MAX_DATAGRAM - 1) ||
	    (frag->more_frags && (len == 0 || len % 8 != 0))) {
		*dropped_out += 1;
		return -1;
	}
	s = lookup(t, frag, ts, dropped_out);
	if (s == NULL) {
		*dropped_out += 1;
		return -1;
	}
	if (len > 0)
		memcpy(s->data + frag->frag_off, frag->payload.p, len);
	if (frag->frag_off == 0) {
		s->proto = frag->proto;
		s->proto_known = true;
	}
	if (!frag->more_frags) {
		s->total = frag->frag_off + len;
		if (s->total == 0) {
			*dropped_out += 1;
			release(t, s);
			return -1;
		}
	}
	first = frag->frag_off / 8;
	last = (frag->frag_off + len + 7) / 8;
	for (b = first; b < last; b++) {
		if (!(s->have[b / 8] & (1u << (b % 8)))) {
			s->have[b / 8] |= (uint8_t)(1u << (b % 8));
			s->blocks_have++;
		}
	}
	if (s->total == 0 || !s->proto_known || s->blocks_have < (s->total + 7) / 8)
		return 0;
	/* Every block below total is present iff the count matches and none lies
	 * beyond (a fragment past the last one's end contradicts it). */
	for (b = (s->total + 7) / 8; b < FRAG_BLOCKS; b++)
		if (s->have[b / 8] & (1u << (b % 8)))
			break;
	if (b != FRAG_BLOCKS) {
		*dropped_out += 1;
		release(t, s);
		return -1;
	}
	out->family = s->family;
	out->proto = s->proto;
	out->src = s->src;
	out->dst = s->dst;
	out->payload = cap_span_of(s->data, s->total);
	out->payload_len = s->total;
	out->fragment = false;
	out->more_frags = false;
	out->frag_off = 0;
	out->frag_id = s->id;
	t->done = (int)(s - t->slots);
	return 1;
}
