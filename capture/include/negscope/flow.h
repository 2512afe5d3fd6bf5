/* flow.h - flow table (5-tuple hash, LRU eviction) and per-direction TCP
 * reassembly for the capture pipeline.
 *
 * The flow table owns a pool of fixed-size entries allocated once: a
 * packet never allocates.  Each entry carries a caller-defined user area
 * (the pipeline's per-connection state).  At max_flows the least recently
 * used entry is evicted, through a callback so its owner can release what
 * it holds.
 *
 * Reassembly delivers each direction's bytes in sequence order to a
 * consumer that takes what it can and leaves the rest; the rest (and
 * out-of-order data) is buffered under a per-direction and a global cap.
 * Bytes that never arrive are reported as a gap and skipped.
 */
#ifndef NEGSCOPE_FLOW_H
#define NEGSCOPE_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Canonical 5-tuple: side 0 is the lower (address, port).  Compared with
 * memcmp, so it is always built by cap_flow_key_make (padding-free). */
struct cap_flow_key {
	uint8_t family, proto;
	uint16_t port[2];
	uint8_t addr[2][16];
};

/* Builds the key of a packet from src to dst; *side_out is the key side of src. */
void cap_flow_key_make(struct cap_flow_key *k, uint8_t family, uint8_t proto,
		       const uint8_t *src, uint16_t sport, const uint8_t *dst, uint16_t dport,
		       int *side_out);
uint32_t cap_flow_hash(const struct cap_flow_key *k);

struct cap_flow_table;

/* Called for an entry evicted to make room, before its user area is reused. */
typedef void (*cap_flow_evict_fn)(void *ctx, void *user, const struct cap_flow_key *k);

struct cap_flow_table *cap_flow_table_new(size_t max_flows, size_t user_size,
					  cap_flow_evict_fn evict, void *ctx);
void cap_flow_table_free(struct cap_flow_table *t);
/* The user area of the flow with this key (made most recently used), or NULL. */
void *cap_flow_find(struct cap_flow_table *t, const struct cap_flow_key *k, uint32_t hash);
/* Inserts a new flow (its user area zeroed), evicting the least recently
 * used one when the table is full.  Never fails once the table exists. */
void *cap_flow_insert(struct cap_flow_table *t, const struct cap_flow_key *k, uint32_t hash);
const struct cap_flow_key *cap_flow_key_of(const void *user);
/* Calls fn for every flow, in no particular order. */
void cap_flow_foreach(struct cap_flow_table *t, cap_flow_evict_fn fn, void *ctx);
size_t cap_flow_count(const struct cap_flow_table *t);
uint64_t cap_flow_evictions(const struct cap_flow_table *t);

/* ---- TCP reassembly, one direction (RFC 9293 sequence space) ---- */

struct cap_reasm_buf; /* allocated only while something must be held */

struct cap_reasm_dir {
	uint32_t next_seq; /* next byte owed to the consumer */
	bool seq_known;
	struct cap_reasm_buf *b;
};

/* Shared caps and counters of every direction of a pipeline. */
struct cap_reasm {
	size_t max_dir, max_total;
	size_t total_now, total_peak;
	uint64_t retransmissions, out_of_order, overlaps, gaps, gap_bytes;
	uint64_t cap_hits;     /* a direction or the total would exceed its cap */
	uint64_t dir_cap_hits, total_cap_hits; /* cap_hits by which cap (max_dir, max_total) */
	uint64_t ooo_cap_hits; /* too many separate out-of-order ranges */
};

/* The consumer of one direction's in-order bytes.  consume() takes what it
 * can from p[0..n) and returns how many bytes it used; the rest is held and
 * offered again, followed by new bytes.  gap() tells that `bytes` bytes are
 * missing before the next offered byte (the held bytes were dropped);
 * overflow() that held bytes were dropped because a cap was hit. */
struct cap_reasm_sink {
	size_t (*consume)(void *ctx, const uint8_t *p, size_t n);
	void (*gap)(void *ctx, uint64_t bytes);
	void (*overflow)(void *ctx);
	void *ctx;
};

void cap_reasm_init(struct cap_reasm *r, size_t max_dir, size_t max_total);
/* Starts the direction at `seq` (SYN + 1, or the first data seen). */
void cap_reasm_start(struct cap_reasm_dir *d, uint32_t seq);
/* A segment: `caplen` bytes captured of `len` sent at `seq`. */
void cap_reasm_segment(struct cap_reasm *r, struct cap_reasm_dir *d, uint32_t seq,
		       const uint8_t *p, size_t caplen, size_t len,
		       const struct cap_reasm_sink *s);
/* The peer acknowledged `ack`: bytes we hold out of order after a hole the
 * peer already received will never be retransmitted, so the hole is a gap. */
void cap_reasm_ack(struct cap_reasm *r, struct cap_reasm_dir *d, uint32_t ack,
		   const struct cap_reasm_sink *s);
/* The direction ends: every remaining hole becomes a gap, data after it is delivered. */
void cap_reasm_flush(struct cap_reasm *r, struct cap_reasm_dir *d,
		     const struct cap_reasm_sink *s);
/* Frees what the direction holds. */
void cap_reasm_release(struct cap_reasm *r, struct cap_reasm_dir *d);
/* Bytes held (in order, not yet consumed) and out of order. */
size_t cap_reasm_held(const struct cap_reasm_dir *d);
bool cap_reasm_has_ooo(const struct cap_reasm_dir *d);

#endif /* NEGSCOPE_FLOW_H */
