/* pipeline.c - packets in, protocol events out: the glue of net/ and flow/.
 *
 * References: RFC 9293 (TCP connection states: SYN/FIN/RST), tshark's
 * numbering of frames (1-based) and of TCP streams (order of first sight,
 * a new SYN after a finished connection starts a new stream).
 */
#include "pipeline/pipeline_int.h"

#include <stdlib.h>
#include <string.h>

#include "negscope/http2.h"

#define DEF_MAX_FLOWS 65536u
#define DEF_MAX_STREAM_BUFFER (256u * 1024u)
#define DEF_MAX_TOTAL_BUFFER (32u * 1024u * 1024u)
#define DEF_MAX_HEADER_LINE (64u * 1024u)
#define DEF_MAX_HEADERS 256u
#define DEF_MAX_FRAG_BYTES (4u * 1024u * 1024u)
/* Above any real head (IIS refuses 16 KiB by default) or Kerberos message (Windows
 * MaxTokenSize is 48000 bytes). */
#define DEF_MAX_MESSAGE (128u * 1024u)

static size_t detect_consume(void *ctx, const uint8_t *p, size_t n);

static void detect_gap(void *ctx, uint64_t bytes)
{
	(void)ctx;
	(void)bytes;
}

static void detect_overflow(void *ctx)
{
	(void)ctx;
}

static void sink_for(struct dir_ctx *dc, struct cap_reasm_sink *s)
{
	s->ctx = dc;
	if (dc->fs->kind == APP_UNKNOWN) {
		s->consume = detect_consume;
		s->gap = detect_gap;
		s->overflow = detect_overflow;
	} else if (dc->fs->kind == APP_TLS) {
		s->consume = cap_pl_tls_consume;
		s->gap = cap_pl_tls_gap;
		s->overflow = cap_pl_tls_overflow;
	} else if (dc->fs->kind == APP_KRB) {
		s->consume = cap_pl_krb_consume;
		s->gap = cap_pl_krb_gap;
		s->overflow = cap_pl_krb_overflow;
	} else if (dc->fs->kind == APP_H2) {
		s->consume = cap_pl_h2_consume;
		s->gap = cap_pl_h2_gap;
		s->overflow = cap_pl_h2_overflow;
	} else {
		s->consume = cap_pl_http_consume;
		s->gap = cap_pl_http_gap;
		s->overflow = cap_pl_http_overflow;
	}
}

#define APP_CHUNK 256 /* struct flow_app allocated this many at a time */

struct flow_app *cap_pl_app_get(struct cap_pipeline *pl, struct flow_state *fs)
{
	struct flow_app *a = pl->app_free;

	if (a == NULL) {
		struct flow_app **nc;
		struct flow_app *chunk;
		size_t i;

		nc = realloc(pl->app_chunks, (pl->napp_chunks + 1) * sizeof(*nc));
		if (nc == NULL)
			return NULL;
		pl->app_chunks = nc;
		chunk = malloc(APP_CHUNK * sizeof(*chunk));
		if (chunk == NULL)
			return NULL;
		pl->app_chunks[pl->napp_chunks++] = chunk;
		for (i = 0; i < APP_CHUNK; i++) {
			chunk[i].u.next_free = pl->app_free;
			pl->app_free = &chunk[i];
		}
		a = pl->app_free;
	}
	pl->app_free = a->u.next_free;
	memset(a, 0, sizeof(*a));
	a->tls = NULL;
	fs->app = a;
	return a;
}

static void app_release(struct cap_pipeline *pl, struct flow_state *fs)
{
	if (fs->app == NULL)
		return;
	cap_pl_h2_release(pl, fs);
	if (fs->app->tls != NULL) {
		cap_pl_tls_release(fs);
		pl->tls_live--;
	}
	fs->app->u.next_free = pl->app_free;
	pl->app_free = fs->app;
	fs->app = NULL;
}

/* Every byte up to this side's FIN has been handed to the consumer. */
static bool delivered_to_fin(const struct flow_state *fs, int side)
{
	return fs->fin[side] && fs->rd[side].seq_known && fs->rd[side].next_seq == fs->fin_seq[side];
}

void cap_pl_endpoint_of(const struct cap_flow_key *k, int side, struct cap_endpoint *e)
{
	memset(e, 0, sizeof(*e));
	e->family = k->family;
	memcpy(e->addr, k->addr[side], k->family == 4 ? 4 : 16);
	e->port = k->port[side];
}

void cap_pl_endpoints(const struct flow_state *fs, struct cap_endpoint *client,
		      struct cap_endpoint *server)
{
	const struct cap_flow_key *k = cap_flow_key_of(fs);

	cap_pl_endpoint_of(k, fs->client_side, client);
	cap_pl_endpoint_of(k, 1 - fs->client_side, server);
}

void cap_pl_conn_init(const struct cap_pipeline *pl, const struct flow_state *fs,
		      enum cap_conn_kind kind, int side, struct cap_conn_event *e)
{
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->frame = pl->frame;
	e->ts = pl->ts;
	e->stream = fs->stream;
	cap_pl_endpoints(fs, &e->client, &e->server);
	e->from_server = side != fs->client_side;
	e->is_http = fs->was_http;
	e->is_krb = fs->kind == APP_KRB;
}

void cap_pl_conn_event(struct cap_pipeline *pl, struct flow_state *fs, enum cap_conn_kind kind,
		       int side, uint64_t gap_bytes)
{
	struct cap_conn_event e;

	if (pl->sink.conn == NULL)
		return;
	cap_pl_conn_init(pl, fs, kind, side, &e);
	e.gap_bytes = gap_bytes;
	pl->sink.conn(pl->sink.ctx, &e);
}

static void sync_stats(struct cap_pipeline *pl)
{
	const struct cap_reasm *r = &pl->reasm;

	pl->st.tcp_retransmissions = r->retransmissions;
	pl->st.tcp_out_of_order = r->out_of_order;
	pl->st.tcp_overlaps = r->overlaps;
	pl->st.tcp_gaps = r->gaps;
	pl->st.tcp_gap_bytes = r->gap_bytes;
	pl->st.buffer_cap_hits = r->cap_hits;
	pl->st.ooo_cap_hits = r->ooo_cap_hits;
	pl->st.stream_cap_hits = r->dir_cap_hits + pl->krb_buffer_skips;
	pl->st.total_cap_hits = r->total_cap_hits;
	pl->st.frag_cap_hits = cap_frag_cap_hits(pl->frags);
	pl->st.buffer_bytes_peak = r->total_peak;
	pl->st.flows_active = cap_flow_count(pl->flows);
}

/* Ends what a TCP flow holds: holes become gaps, buffers are freed.  The protocol
 * state goes too when the entry is discarded (evicted, reused, end of input) or the
 * connection is over: a reset, or both FINs with every byte before them delivered
 * (what still comes can only be a retransmission, which reassembly drops).  A FIN
 * that overtook data keeps it, for the data. */
static void close_flow(struct cap_pipeline *pl, struct flow_state *fs, bool discard)
{
	int side;

	if (fs->kind == APP_UNKNOWN || fs->app != NULL) {
		for (side = 0; side < 2; side++) {
			struct dir_ctx dc = { pl, fs, side };
			struct cap_reasm_sink s;

			sink_for(&dc, &s);
			cap_reasm_flush(&pl->reasm, &fs->rd[side], &s);
		}
	}
	cap_reasm_release(&pl->reasm, &fs->rd[0]);
	cap_reasm_release(&pl->reasm, &fs->rd[1]);
	if (discard || fs->rst || (delivered_to_fin(fs, 0) && delivered_to_fin(fs, 1)))
		app_release(pl, fs);
}

static void on_evict(void *ctx, void *user, const struct cap_flow_key *k)
{
	struct cap_pipeline *pl = ctx;
	struct flow_state *fs = user;

	pl->st.flows_evicted++;
	if (k->proto != 6)
		return;
	close_flow(pl, fs, true);
	if (!fs->rst && !(fs->fin[0] && fs->fin[1]))
		cap_pl_conn_event(pl, fs, CAP_CONN_EVICTED, fs->client_side, 0);
}

static void finish_one(void *ctx, void *user, const struct cap_flow_key *k)
{
	if (k->proto == 6)
		close_flow(ctx, user, true);
}

static size_t or_default(size_t v, size_t def)
{
	return v != 0 ? v : def;
}

struct cap_pipeline *cap_pipeline_new(int linktype, const struct cap_pipeline_limits *lim,
				      const struct cap_sink *sink)
{
	struct cap_pipeline *pl = calloc(1, sizeof(*pl));
	struct cap_pipeline_limits none;

	if (pl == NULL)
		return NULL;
	memset(&none, 0, sizeof(none));
	if (lim == NULL)
		lim = &none;
	pl->linktype = linktype;
	pl->lim.max_flows = or_default(lim->max_flows, DEF_MAX_FLOWS);
	pl->lim.max_stream_buffer = or_default(lim->max_stream_buffer, DEF_MAX_STREAM_BUFFER);
	pl->lim.max_total_buffer = or_default(lim->max_total_buffer, DEF_MAX_TOTAL_BUFFER);
	pl->lim.max_header_line = or_default(lim->max_header_line, DEF_MAX_HEADER_LINE);
	pl->lim.max_headers = or_default(lim->max_headers, DEF_MAX_HEADERS);
	pl->lim.max_frag_bytes = or_default(lim->max_frag_bytes, DEF_MAX_FRAG_BYTES);
	pl->lim.max_message = or_default(lim->max_message, DEF_MAX_MESSAGE);
	if (sink != NULL)
		pl->sink = *sink;
	cap_reasm_init(&pl->reasm, pl->lim.max_stream_buffer, pl->lim.max_total_buffer);
	pl->flows = cap_flow_table_new(pl->lim.max_flows, sizeof(struct flow_state), on_evict, pl);
	pl->frags = cap_frag_new(pl->lim.max_frag_bytes);
	pl->hdrs = calloc(pl->lim.max_headers, sizeof(*pl->hdrs));
	pl->fold_cap = pl->lim.max_header_line;
	pl->fold_buf = malloc(pl->fold_cap);
	if (pl->flows == NULL || pl->frags == NULL || pl->hdrs == NULL || pl->fold_buf == NULL) {
		cap_pipeline_free(pl);
		return NULL;
	}
	return pl;
}

/* HTTP/2 decoders hold heap state of their own (HPACK tables). */
static void release_h2(void *ctx, void *user, const struct cap_flow_key *k)
{
	struct flow_state *fs = user;

	(void)k;
	cap_pl_h2_release(ctx, fs);
}

static void release_one(void *ctx, void *user, const struct cap_flow_key *k)
{
	struct cap_pipeline *pl = ctx;
	struct flow_state *fs = user;

	if (k->proto != 6)
		return;
	cap_reasm_release(&pl->reasm, &fs->rd[0]);
	cap_reasm_release(&pl->reasm, &fs->rd[1]);
	app_release(pl, fs);
}

void cap_pipeline_set_keylog(struct cap_pipeline *pl, const struct cap_tls_keylog *k)
{
	pl->keylog = k;
}

void cap_pipeline_free(struct cap_pipeline *pl)
{
	size_t i;

	if (pl == NULL)
		return;
	/* Walking every entry costs cache misses: only when some buffer is held. */
	if (pl->flows != NULL && (pl->reasm.total_now > 0 || pl->tls_live > 0))
		cap_flow_foreach(pl->flows, release_one, pl);
	if (pl->flows != NULL && pl->h2_live > 0)
		cap_flow_foreach(pl->flows, release_h2, pl);
	cap_flow_table_free(pl->flows);
	for (i = 0; i < pl->napp_chunks; i++)
		free(pl->app_chunks[i]);
	free(pl->app_chunks);
	cap_frag_free(pl->frags);
	free(pl->hdrs);
	free(pl->fold_buf);
	free(pl->tls_plain);
	cap_pl_certs_free(pl);
	free(pl);
}

int cap_pipeline_set_linktype(struct cap_pipeline *pl, int linktype)
{
	pl->linktype = linktype;
	return cap_linktype_supported(linktype) ? 0 : -1;
}

bool cap_linktype_supported(int linktype)
{
	return cap_link_supported(linktype);
}

void cap_pipeline_finish(struct cap_pipeline *pl)
{
	/* Only held bytes make the end of a flow do anything (holes become gaps, in
	 * recency order): without any, the walk over every entry is skipped. */
	if (pl->reasm.total_now > 0)
		cap_flow_foreach(pl->flows, finish_one, pl);
	sync_stats(pl);
}

const struct cap_pipeline_stats *cap_pipeline_stats(struct cap_pipeline *pl)
{
	sync_stats(pl);
	return &pl->st;
}

static void count_failure(struct cap_pipeline *pl, enum cap_status st, enum cap_undec why)
{
	if (st == CAP_TRUNCATED) {
		pl->st.truncated_packets++;
	} else {
		pl->st.undecodable++;
		pl->st.undecodable_by[why]++;
	}
}

/* A SYN (without ACK) on a known flow: the same connection (retransmitted
 * SYN) or a new one reusing the ports, which gets a new stream. */
static bool new_session(const struct flow_state *fs, const struct cap_tcp *t)
{
	if (fs->syn_seen)
		return fs->syn_isn != t->seq;
	return fs->data_seen || fs->rst || fs->fin[0] || fs->fin[1];
}

static void start_flow(struct cap_pipeline *pl, struct flow_state *fs, const struct cap_tcp *t,
		       int side)
{
	const struct cap_flow_key *k = cap_flow_key_of(fs);

	fs->stream = pl->next_tcp_stream++;
	pl->st.flows_created++;
	if (cap_flow_count(pl->flows) > pl->st.flows_peak)
		pl->st.flows_peak = cap_flow_count(pl->flows);
	/* Until a SYN or the data tell: the lower port is the server's. */
	fs->client_side = k->port[0] < k->port[1] ? 1 : 0;
	fs->roles_by = ROLES_GUESS;
	(void)t;
	(void)side;
}

/* A message start in a segment of a stream not yet identified: at its start,
 * or at a line holding "HTTP/1." (a request line ends with it, a status line
 * begins with it), for captures that begin in the middle of a message.
 * Both forms begin with an upper-case letter, so on binary payload (TLS and
 * the like) only the rare line end followed by one is looked at further. */
static bool find_http_start(struct cap_span s, bool *is_req)
{
	struct cap_cursor c = cap_cur_from_span(s);

	if (s.len == 0)
		return false;
	if (cap_http1_looks_like_start(s.p, s.len, is_req))
		return true;
	for (;;) {
		struct cap_span rest = cap_cur_rest(&c);
		const uint8_t *nl = rest.len > 0 ? memchr(rest.p, '\n', rest.len) : NULL;
		struct cap_span line;
		const uint8_t *end;
		int first;

		if (nl == NULL)
			return false;
		cap_cur_skip(&c, (size_t)(nl - rest.p) + 1);
		first = cap_cur_peek(&c, 0);
		if (first < 'A' || first > 'Z')
			continue;
		line = cap_cur_rest(&c);
		end = memchr(line.p, '\n', line.len);
		if (memmem(line.p, end != NULL ? (size_t)(end - line.p) : line.len, "HTTP/1.", 7) ==
			    NULL)
			continue;
		if (cap_http1_looks_like_start(line.p, line.len, is_req))
			return true;
	}
}

/* Kerberos is decided by port 88 at the first data; roles follow unless a
 * SYN settled them. */
static void detect_krb(struct cap_pipeline *pl, struct flow_state *fs, const struct cap_tcp *t,
		       int side)
{
	if (cap_pl_app_get(pl, fs) == NULL) {
		fs->kind = APP_IGNORE; /* out of memory: counted as ignored segments */
		return;
	}
	fs->kind = APP_KRB;
	if (fs->roles_by != ROLES_SYN) {
		fs->client_side = (uint8_t)(t->dport == 88 ? side : 1 - side);
		fs->roles_by = ROLES_DATA;
	}
	cap_pl_krb_init(fs);
}

/* The consumer of a stream not identified yet: HTTP by content.  Too few
 * bytes to judge are held (reassembly keeps them); after DETECT_PROBES
 * deliveries without a message start the stream is ignored. */
static size_t detect_consume(void *ctx, const uint8_t *p, size_t n)
{
	struct dir_ctx *c = ctx;
	struct flow_state *fs = c->fs;
	struct cap_span s = cap_span_of(p, n);
	bool is_req, is_client;

	/* HTTP/2 with prior knowledge (RFC 9113 section 3.3): the client's preface */
	if (cap_h2_is_preface(p, n)) {
		if (n < CAP_H2_PREFACE_LEN)
			return 0;
		if (fs->roles_by != ROLES_SYN) {
			fs->client_side = (uint8_t)c->side;
			fs->roles_by = ROLES_DATA;
		}
		if (cap_pl_app_get(c->pl, fs) == NULL || (fs->kind = APP_H2, false) ||
		    !cap_pl_h2_start(c->pl, fs)) {
			fs->kind = APP_IGNORE;
			return n;
		}
		fs->was_http = true;
		return cap_pl_h2_consume(ctx, p, n);
	}
	/* a server's first SETTINGS frame may come before the client's preface: held */
	if (n >= 9 && p[3] == 4 && p[5] == 0 && p[6] == 0 && p[7] == 0 && p[8] == 0 &&
	    fs->probes < 2) {
		fs->probes++;
		return 0;
	}
	/* TLS by its first record, on any port: a ClientHello or ServerHello. */
	if (fs->probes == 0 && cap_tls_looks_like(p, n, &is_client)) {
		if (!cap_pl_tls_start(c->pl, fs)) {
			fs->kind = APP_IGNORE; /* out of memory: counted as ignored segments */
			return n;
		}
		if (fs->roles_by != ROLES_SYN) {
			fs->client_side = (uint8_t)(is_client ? c->side : 1 - c->side);
			fs->roles_by = ROLES_DATA;
		}
		return cap_pl_tls_consume(ctx, p, n);
	}
	if (find_http_start(s, &is_req)) {
		if (cap_pl_app_get(c->pl, fs) == NULL) {
			fs->kind = APP_IGNORE; /* out of memory: counted as ignored segments */
			return n;
		}
		fs->kind = APP_HTTP;
		fs->was_http = true;
		if (fs->roles_by != ROLES_SYN) {
			fs->client_side = (uint8_t)(is_req ? c->side : 1 - c->side);
			fs->roles_by = ROLES_DATA;
		}
		cap_pl_http_init(fs);
		return cap_pl_http_consume(ctx, p, n);
	}
	if (n < DETECT_MIN && memchr(p, '\n', n) == NULL)
		return 0;
	if (++fs->probes >= DETECT_PROBES)
		fs->kind = APP_IGNORE;
	return n;
}

/* A side's first data begins after bytes its peer already acknowledged: the capture
 * lost the start (e.g. a KDC reply whose first segment is missing).  Told as a gap, so
 * that "the reply was not captured" stays apart from "no reply". */
#define FIRST_DATA_GAP_MAX (1u << 24)
static void first_data_gap(struct cap_pipeline *pl, struct flow_state *fs, int side,
			   uint32_t dseq)
{
	uint32_t missing;

	if (!fs->peer_ack_known[side])
		return;
	missing = dseq - fs->peer_ack[side];
	if (missing == 0 || missing > FIRST_DATA_GAP_MAX)
		return;
	cap_pl_conn_event(pl, fs, CAP_CONN_GAP, side, missing);
}

static void tcp_data(struct cap_pipeline *pl, struct flow_state *fs, const struct cap_tcp *t,
		     int side, uint32_t dseq)
{
	struct cap_reasm_dir *rd = &fs->rd[side];
	struct dir_ctx dc = { pl, fs, side };
	struct cap_reasm_sink s;

	fs->data_seen = true;
	if (fs->kind == APP_UNKNOWN && (t->sport == 88 || t->dport == 88)) {
		bool first = !rd->seq_known;

		detect_krb(pl, fs, t, side);
		/* Delivery starts with this segment in this direction. */
		cap_reasm_start(rd, dseq);
		if (first)
			first_data_gap(pl, fs, side, dseq);
	}
	/* Ignored, reset, or over with its protocol state released (see close_flow). */
	if (fs->kind == APP_IGNORE || fs->rst || (fs->kind != APP_UNKNOWN && fs->app == NULL)) {
		pl->st.tcp_ignored_segments++;
		return;
	}
	if (!rd->seq_known) {
		cap_reasm_start(rd, dseq);
		first_data_gap(pl, fs, side, dseq);
	}
	if (t->payload.len < t->payload_len && fs->kind != APP_UNKNOWN)
		pl->st.truncated_packets++;
	sink_for(&dc, &s);
	cap_reasm_segment(&pl->reasm, rd, dseq, t->payload.p, t->payload.len, t->payload_len, &s);
	if (fs->kind == APP_IGNORE) {
		/* Not HTTP nor Kerberos: nothing of it is kept or looked at again. */
		cap_reasm_release(&pl->reasm, &fs->rd[0]);
		cap_reasm_release(&pl->reasm, &fs->rd[1]);
	}
}

static void tcp_packet(struct cap_pipeline *pl, const struct cap_ip *ip)
{
	struct cap_flow_key k;
	struct flow_state *fs;
	struct cap_tcp t;
	enum cap_status st;
	uint32_t h, dseq;
	int side;
	bool fresh = false;

	st = cap_tcp_decode(ip, &t);
	if (st != CAP_OK) {
		count_failure(pl, st, CAP_UNDEC_TRANSPORT);
		if (st != CAP_MALFORMED)
			return;
	}
	pl->st.tcp_segments++;
	cap_flow_key_make(&k, ip->family, 6, ip->src, t.sport, ip->dst, t.dport, &side);
	h = cap_flow_hash(&k);
	fs = cap_flow_find(pl->flows, &k, h);
	if (fs == NULL) {
		fs = cap_flow_insert(pl->flows, &k, h);
		start_flow(pl, fs, &t, side);
		fresh = true;
	} else if ((t.flags & (CAP_TCP_SYN | CAP_TCP_ACK)) == CAP_TCP_SYN && new_session(fs, &t)) {
		close_flow(pl, fs, true);
		memset(fs, 0, sizeof(*fs));
		start_flow(pl, fs, &t, side);
		fresh = true;
	}
	if (t.flags & CAP_TCP_SYN) {
		if (!(t.flags & CAP_TCP_ACK)) {
			fs->client_side = (uint8_t)side;
			fs->syn_seen = true;
			fs->syn_isn = t.seq;
		} else {
			fs->client_side = (uint8_t)(1 - side);
		}
		fs->roles_by = ROLES_SYN;
		cap_reasm_start(&fs->rd[side], t.seq + 1);
	}
	if (fresh)
		cap_pl_conn_event(pl, fs, CAP_CONN_OPEN, side, 0);
	if ((t.flags & CAP_TCP_ACK) && fs->rd[1 - side].b != NULL &&
	    (fs->kind == APP_UNKNOWN || fs->app != NULL) && cap_reasm_has_ooo(&fs->rd[1 - side])) {
		struct dir_ctx dc = { pl, fs, 1 - side };
		struct cap_reasm_sink s;

		sink_for(&dc, &s);
		cap_reasm_ack(&pl->reasm, &fs->rd[1 - side], t.ack, &s);
	}
	if ((t.flags & CAP_TCP_ACK) &&
	    (!fs->peer_ack_known[1 - side] || (int32_t)(t.ack - fs->peer_ack[1 - side]) > 0)) {
		fs->peer_ack[1 - side] = t.ack;
		fs->peer_ack_known[1 - side] = true;
	}
	dseq = t.seq + ((t.flags & CAP_TCP_SYN) ? 1u : 0u);
	if (t.payload_len > 0)
		tcp_data(pl, fs, &t, side, dseq);
	if ((t.flags & CAP_TCP_FIN) && !fs->fin[side]) {
		fs->fin[side] = true;
		fs->fin_seq[side] = dseq + t.payload_len;
		if ((fs->kind == APP_HTTP || fs->kind == APP_TLS) && fs->app != NULL &&
		    !fs->app->h2_live) {
			struct dir_ctx dc = { pl, fs, side };

			cap_pl_http_fin(&dc);
		}
		cap_pl_conn_event(pl, fs, CAP_CONN_FIN, side, 0);
		if (fs->fin[0] && fs->fin[1])
			close_flow(pl, fs, false);
	}
	if ((t.flags & CAP_TCP_RST) && !fs->rst) {
		fs->rst = true;
		cap_pl_conn_event(pl, fs, CAP_CONN_RST, side, 0);
		close_flow(pl, fs, false);
	}
}

static void icmp_packet(struct cap_pipeline *pl, const struct cap_ip *ip)
{
	struct cap_icmp_unreach u;
	struct cap_icmp m;
	enum cap_status st;

	st = cap_icmp_decode(ip, &m);
	if (st != CAP_OK) {
		count_failure(pl, st, CAP_UNDEC_TRANSPORT);
		return;
	}
	if (!m.unreach)
		return;
	pl->st.icmp_unreach++;
	if (pl->sink.icmp == NULL)
		return;
	memset(&u, 0, sizeof(u));
	u.frame = pl->frame;
	u.ts = pl->ts;
	u.type = m.type;
	u.code = m.code;
	u.reporter.family = ip->family;
	memcpy(u.reporter.addr, ip->src, ip->family == 4 ? 4 : 16);
	u.orig_src.family = u.orig_dst.family = m.inner.family;
	memcpy(u.orig_src.addr, m.inner.src, m.inner.family == 4 ? 4 : 16);
	memcpy(u.orig_dst.addr, m.inner.dst, m.inner.family == 4 ? 4 : 16);
	u.orig_src.port = m.inner_sport;
	u.orig_dst.port = m.inner_dport;
	u.orig_proto = m.inner.proto;
	pl->sink.icmp(pl->sink.ctx, &u);
}

static void udp_packet(struct cap_pipeline *pl, const struct cap_ip *ip)
{
	struct cap_udp u;
	enum cap_status st;

	st = cap_udp_decode(ip, &u);
	if (st != CAP_OK) {
		count_failure(pl, st, CAP_UNDEC_TRANSPORT);
		return;
	}
	/* Only Kerberos is wanted from UDP: other datagrams cost one compare. */
	if (u.sport == 88 || u.dport == 88)
		cap_pl_krb_udp(pl, ip, &u);
}

void cap_pipeline_skip_frames(struct cap_pipeline *pl, uint64_t n)
{
	pl->frame += n;
}

void cap_pipeline_packet(struct cap_pipeline *pl, double ts, const uint8_t *data,
			 size_t caplen, size_t wirelen)
{
	struct cap_cursor c = cap_cur_init(data, caplen);
	struct cap_ip ip, whole;
	enum cap_status st;
	uint16_t et = 0;
	int r;

	pl->frame++;
	pl->ts = ts;
	pl->st.packets++;
	pl->st.bytes += wirelen;
	st = cap_link_decode(pl->linktype, &c, &et);
	if (st != CAP_OK) {
		count_failure(pl, st, pl->linktype == DLT_NFLOG ? CAP_UNDEC_NFLOG : CAP_UNDEC_LINK);
		return;
	}
	/* Tunnels are opened until the innermost IP packet: that one is analysed, as
	 * tshark dissects the innermost TCP. */
	for (int depth = 0;; depth++) {
		enum cap_undec why = CAP_UNDEC_GRE;

		if (et == CAP_ETH_MPLS || et == CAP_ETH_MPLS_MC) {
			st = cap_mpls_pop(&c, &et);
			if (st != CAP_OK) {
				count_failure(pl, st, CAP_UNDEC_MPLS);
				return;
			}
		}
		if (et != CAP_ETH_IPV4 && et != CAP_ETH_IPV6) {
			count_failure(pl, CAP_UNSUPPORTED, CAP_UNDEC_ETHERTYPE);
			return;
		}
		st = cap_ip_decode(c, et, &ip);
		if (st != CAP_OK) {
			count_failure(pl, st, CAP_UNDEC_IP);
			return;
		}
		if (ip.fragment) {
			pl->st.ip_fragments++;
			r = cap_frag_add(pl->frags, &ip, ts, &whole, &pl->st.ip_frag_dropped);
			if (r != 1)
				return;
			pl->st.ip_reassembled++;
			ip = whole;
		}
		r = cap_tunnel_inner(&ip, &c, &et, &why);
		if (r == 0)
			break;
		if (r < 0) {
			count_failure(pl, r == -2 ? CAP_TRUNCATED : CAP_UNSUPPORTED, why);
			return;
		}
		if (depth == CAP_MAX_TUNNELS) {
			count_failure(pl, CAP_UNSUPPORTED, CAP_UNDEC_DEPTH);
			return;
		}
		pl->st.tunneled_packets += depth == 0;
	}
	switch (ip.proto) {
	case 6:
		tcp_packet(pl, &ip);
		break;
	case 17:
		udp_packet(pl, &ip);
		break;
	case 1:
	case 58:
		if ((ip.proto == 1) == (ip.family == 4))
			icmp_packet(pl, &ip);
		break;
	default:
		break;
	}
}
