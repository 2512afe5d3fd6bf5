/* krb_stream.c - Kerberos to and from port 88: one PDU per UDP datagram,
 * record-marked PDUs over TCP.
 *
 * References: RFC 4120 section 7.2.1 (UDP: one message per datagram) and
 * section 7.2.2 (TCP: 4-byte big-endian length, high bit reserved), RFC 5021
 * (the reserved bit).  Plausible record starts for resynchronisation use the
 * application tags of RFC 4120 section 5.10 (AS-REQ [APPLICATION 10] ...
 * KRB-ERROR [APPLICATION 30]).
 */
#include "pipeline/pipeline_int.h"

#include <string.h>

enum krb_mode {
	K_REC = 0, /* a record marker is next */
	K_SKIP,    /* `remaining` bytes of an over-size record to skip */
	K_SYNC     /* looking for a plausible record marker */
};

#define KRB_MAX_PLAUSIBLE (1u << 20) /* a record larger than this is not a start */

void cap_pl_krb_init(struct flow_state *fs)
{
	/* Without the SYN the first byte may be mid-record: look for a start. */
	uint8_t mode = fs->syn_seen ? K_REC : K_SYNC;

	memset(&fs->app->u.krb, 0, sizeof(fs->app->u.krb));
	fs->app->u.krb[0].mode = mode;
	fs->app->u.krb[1].mode = mode;
}

static bool krb_tag(int b)
{
	/* [APPLICATION n] constructed: 0x60 | n for n = 10..15, 20..22, 30 */
	return (b >= 0x6a && b <= 0x6f) || (b >= 0x74 && b <= 0x76) || b == 0x7e;
}

static bool plausible_marker(const struct cap_cursor *c)
{
	struct cap_cursor t = *c;
	uint32_t len = cap_cur_be32(&t);

	return cap_cur_ok(&t) && len >= 2 && len <= KRB_MAX_PLAUSIBLE && krb_tag(cap_cur_peek(&t, 0));
}

static void emit_pdu(struct cap_pipeline *pl, struct flow_state *fs, int side,
		     enum cap_transport tr, struct cap_span bytes)
{
	struct cap_krb_pdu k;

	pl->st.krb_pdus++;
	if (pl->sink.krb == NULL)
		return;
	memset(&k, 0, sizeof(k));
	k.frame = pl->frame;
	k.ts = pl->ts;
	k.transport = tr;
	k.stream = fs->stream;
	cap_pl_endpoints(fs, &k.client, &k.server);
	k.from_server = side != fs->client_side;
	k.bytes = bytes;
	pl->sink.krb(pl->sink.ctx, &k);
}

size_t cap_pl_krb_consume(void *ctx, const uint8_t *p, size_t n)
{
	struct dir_ctx *c = ctx;
	struct cap_pipeline *pl = c->pl;
	struct krb_dir *d = &c->fs->app->u.krb[c->side];
	struct cap_cursor cur = cap_cur_init(p, n);
	size_t max = pl->lim.max_stream_buffer > 4 ? pl->lim.max_stream_buffer - 4 : 0;

	while (cap_cur_left(&cur) > 0) {
		struct cap_cursor rec = cur;
		uint32_t len;
		size_t k;

		switch (d->mode) {
		case K_REC:
			len = cap_cur_be32(&rec);
			if (!cap_cur_ok(&rec))
				return n - cap_cur_left(&cur);
			if ((len & 0x80000000u) != 0 || len == 0 || len > KRB_MAX_PLAUSIBLE) {
				/* Reserved bit set, empty, or longer than any Kerberos message: not
				 * a record marker (a message sent without one, or not Kerberos). */
				d->mode = K_SYNC;
				cap_cur_skip(&cur, 1);
				break;
			}
			if (len > max || len > pl->lim.max_message) {
				if (len > pl->lim.max_message)
					pl->st.message_cap_hits++;
				else
					pl->krb_buffer_skips++;
				pl->st.krb_cap_hits++;
				cap_cur_skip(&cur, 4);
				d->remaining = len;
				d->mode = K_SKIP;
				break;
			}
			if (cap_cur_left(&rec) < len)
				return n - cap_cur_left(&cur); /* the record is not complete yet */
			emit_pdu(pl, c->fs, c->side, CAP_TRANSPORT_TCP, cap_cur_span(&rec, len));
			cap_cur_skip(&cur, 4 + (size_t)len);
			break;
		case K_SKIP:
			k = d->remaining < cap_cur_left(&cur) ? (size_t)d->remaining : cap_cur_left(&cur);
			d->remaining -= k;
			cap_cur_skip(&cur, k);
			if (d->remaining == 0)
				d->mode = K_REC;
			break;
		default: /* K_SYNC */
			while (cap_cur_left(&cur) >= 5 && !plausible_marker(&cur))
				cap_cur_skip(&cur, 1);
			if (cap_cur_left(&cur) < 5)
				return n - cap_cur_left(&cur); /* keep the last bytes: a marker may start there */
			d->mode = K_REC;
			break;
		}
	}
	return n;
}

void cap_pl_krb_gap(void *ctx, uint64_t bytes)
{
	struct dir_ctx *c = ctx;
	struct krb_dir *d = &c->fs->app->u.krb[c->side];

	cap_pl_conn_event(c->pl, c->fs, CAP_CONN_GAP, c->side, bytes);
	if (d->mode == K_SKIP && d->remaining >= bytes) {
		d->remaining -= bytes;
		if (d->remaining == 0)
			d->mode = K_REC;
		return;
	}
	d->mode = K_SYNC;
}

void cap_pl_krb_overflow(void *ctx)
{
	struct dir_ctx *c = ctx;

	c->pl->st.krb_cap_hits++;
	c->fs->app->u.krb[c->side].mode = K_SYNC;
}

void cap_pl_krb_udp(struct cap_pipeline *pl, const struct cap_ip *ip, const struct cap_udp *u)
{
	struct cap_flow_key k;
	struct flow_state *fs;
	uint32_t h;
	int side;

	cap_flow_key_make(&k, ip->family, 17, ip->src, u->sport, ip->dst, u->dport, &side);
	h = cap_flow_hash(&k);
	fs = cap_flow_find(pl->flows, &k, h);
	if (fs == NULL) {
		fs = cap_flow_insert(pl->flows, &k, h);
		fs->stream = pl->next_udp_stream++;
		fs->kind = APP_KRB;
		/* The port-88 side is the server; when both are 88, the receiver. */
		fs->client_side = (uint8_t)(u->dport == 88 ? side : 1 - side);
		fs->roles_by = ROLES_DATA;
		pl->st.flows_created++;
		if (cap_flow_count(pl->flows) > pl->st.flows_peak)
			pl->st.flows_peak = cap_flow_count(pl->flows);
	}
	if (u->payload.len < u->payload_len)
		pl->st.truncated_packets++;
	if (u->payload.len > pl->lim.max_message) {
		pl->st.message_cap_hits++;
		return;
	}
	emit_pdu(pl, fs, side, CAP_TRANSPORT_UDP, u->payload);
}
