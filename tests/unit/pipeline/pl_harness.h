/* pl_harness.h - shared by the pipeline tests: events copied out of the
 * callbacks, synthetic Ethernet/IPv4/TCP/UDP frames, tshark's view of a
 * TCP stream's bytes.  Header-only (static inline) so each test program
 * takes what it uses. */
#ifndef NEGSCOPE_PL_HARNESS_H
#define NEGSCOPE_PL_HARNESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "negscope/pipeline.h"
#include "negscope/source.h"
#include "pcap_util.h"

struct ev {
	char type;        /* 'H' http, 'K' krb, 'C' conn, 'I' icmp */
	uint64_t frame, first_frame, paired_frame;
	uint32_t stream;
	bool is_request, from_server, chunked, has_auth, has_www;
	int status, close, conn_kind, tag;
	uint32_t anomalies;
	uint64_t gap_bytes, body_bytes;
	char method[16];
	char auth[96];    /* first bytes of Authorization / WWW-Authenticate */
	uint8_t *bytes;   /* Kerberos PDU copy */
	size_t nbytes;
	struct cap_endpoint client, server;
	uint8_t orig_proto;
};

struct evlog {
	struct ev *v;
	size_t n, cap;
};

static inline struct ev *evlog_add(struct evlog *l, char type)
{
	struct ev *e;

	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 64;
		struct ev *nv = realloc(l->v, nc * sizeof(*nv));

		if (nv == NULL)
			abort();
		l->v = nv;
		l->cap = nc;
	}
	e = &l->v[l->n++];
	memset(e, 0, sizeof(*e));
	e->type = type;
	return e;
}

static inline void evlog_free(struct evlog *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].bytes);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static inline void ev_on_http(void *ctx, const struct cap_http_msg *m)
{
	struct ev *e = evlog_add(ctx, 'H');
	size_t i, n;

	e->frame = m->frame;
	e->first_frame = m->first_frame;
	e->paired_frame = m->paired_frame;
	e->stream = m->stream;
	e->is_request = m->is_request;
	e->status = m->status;
	e->close = (int)m->close;
	e->anomalies = m->anomalies;
	e->chunked = m->chunked;
	e->body_bytes = m->body_bytes;
	e->client = m->client;
	e->server = m->server;
	n = m->method.len < sizeof(e->method) - 1 ? m->method.len : sizeof(e->method) - 1;
	if (n > 0)
		memcpy(e->method, m->method.p, n);
	for (i = 0; i < m->nheaders; i++) {
		const struct cap_http_header *h = &m->headers[i];
		bool a = cap_http1_span_ieq(h->name, "Authorization");
		bool w = cap_http1_span_ieq(h->name, "WWW-Authenticate");

		if (!a && !w)
			continue;
		if (a)
			e->has_auth = true;
		if (w)
			e->has_www = true;
		if (e->auth[0] == '\0') {
			n = h->value.len < sizeof(e->auth) - 1 ? h->value.len : sizeof(e->auth) - 1;
			if (n > 0)
				memcpy(e->auth, h->value.p, n);
		}
	}
}

static inline void ev_on_krb(void *ctx, const struct cap_krb_pdu *k)
{
	struct ev *e = evlog_add(ctx, 'K');

	e->frame = k->frame;
	e->stream = k->stream;
	e->from_server = k->from_server;
	e->conn_kind = (int)k->transport;
	e->client = k->client;
	e->server = k->server;
	e->tag = k->bytes.len > 0 ? k->bytes.p[0] : -1;
	e->nbytes = k->bytes.len;
	e->bytes = malloc(k->bytes.len + 1);
	if (e->bytes == NULL)
		abort();
	if (k->bytes.len > 0)
		memcpy(e->bytes, k->bytes.p, k->bytes.len);
}

static inline void ev_on_conn(void *ctx, const struct cap_conn_event *c)
{
	struct ev *e = evlog_add(ctx, 'C');

	e->frame = c->frame;
	e->stream = c->stream;
	e->conn_kind = (int)c->kind;
	e->from_server = c->from_server;
	e->gap_bytes = c->gap_bytes;
	e->client = c->client;
	e->server = c->server;
}

static inline void ev_on_icmp(void *ctx, const struct cap_icmp_unreach *u)
{
	struct ev *e = evlog_add(ctx, 'I');

	e->frame = u->frame;
	e->status = u->type;
	e->conn_kind = u->code;
	e->client = u->orig_src;
	e->server = u->orig_dst;
	e->orig_proto = u->orig_proto;
}

static inline struct cap_sink ev_sink(struct evlog *l)
{
	struct cap_sink s;

	memset(&s, 0, sizeof(s));
	s.ctx = l;
	s.http = ev_on_http;
	s.krb = ev_on_krb;
	s.conn = ev_on_conn;
	s.icmp = ev_on_icmp;
	return s;
}

static inline size_t ev_count(const struct evlog *l, char type)
{
	size_t i, n = 0;

	for (i = 0; i < l->n; i++)
		n += l->v[i].type == type;
	return n;
}

/* The i-th event of a type, or NULL. */
static inline const struct ev *ev_nth(const struct evlog *l, char type, size_t nth)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->v[i].type == type && nth-- == 0)
			return &l->v[i];
	return NULL;
}

/* Runs files through a fresh pipeline; returns the source status. */
static inline enum cap_source_status ev_run_files(const char *const *paths, size_t n,
						  const struct cap_pipeline_limits *lim,
						  struct evlog *l, struct cap_pipeline_stats *st,
						  char *msg, size_t msglen)
{
	struct cap_sink sink = ev_sink(l);
	struct cap_source *src = NULL;
	struct cap_pipeline *pl;
	enum cap_source_status rc;
	char err[512];

	if (st != NULL)
		memset(st, 0, sizeof(*st));
	if (cap_source_open_files(&src, paths, n, NULL, err, sizeof(err)) != 0) {
		if (msg != NULL)
			snprintf(msg, msglen, "%s", err);
		return CAP_SRC_ERROR;
	}
	pl = cap_pipeline_new(1, lim, &sink);
	if (pl == NULL)
		abort();
	rc = cap_source_run(src, pl);
	cap_pipeline_finish(pl);
	if (st != NULL)
		*st = *cap_pipeline_stats(pl);
	if (msg != NULL)
		snprintf(msg, msglen, "%s", cap_source_message(src));
	cap_pipeline_free(pl);
	cap_source_close(src);
	return rc;
}

static inline enum cap_source_status ev_run_file(const char *path, struct evlog *l,
						 struct cap_pipeline_stats *st)
{
	return ev_run_files(&path, 1, NULL, l, st, NULL, 0);
}

/* ---- synthetic frames: Ethernet / IPv4 / TCP or UDP ---- */

struct frame_buf {
	uint8_t b[70000];
	size_t len;
};

static inline void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* IPv4 header (20 bytes) at p; addresses 10.0.0.a -> 10.0.0.b. */
static inline void ipv4_hdr(uint8_t *p, uint8_t a, uint8_t b, uint8_t proto, size_t total,
			    uint16_t id, uint16_t frag)
{
	memset(p, 0, 20);
	p[0] = 0x45;
	put16(p + 2, (unsigned)total);
	put16(p + 4, id);
	put16(p + 6, frag);
	p[8] = 64;
	p[9] = proto;
	p[12] = 10;
	p[15] = a;
	p[16] = 10;
	p[19] = b;
}

static inline void eth_hdr(uint8_t *p)
{
	memset(p, 0, 12);
	p[0] = 2;
	p[6] = 2;
	p[11] = 1;
	put16(p + 12, 0x0800);
}

/* Ethernet + IPv4 + TCP from 10.0.0.a:sport to 10.0.0.b:dport. */
static inline void tcp_frame(struct frame_buf *f, uint8_t a, uint16_t sport, uint8_t b,
			     uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags,
			     const uint8_t *data, size_t n)
{
	uint8_t *t = f->b + 34;

	eth_hdr(f->b);
	ipv4_hdr(f->b + 14, a, b, 6, 20 + 20 + n, 1, 0x4000);
	memset(t, 0, 20);
	put16(t, sport);
	put16(t + 2, dport);
	put32(t + 4, seq);
	put32(t + 8, ack);
	t[12] = 5 << 4;
	t[13] = flags;
	put16(t + 14, 65535);
	if (n > 0)
		memcpy(t + 20, data, n);
	f->len = 54 + n;
}

/* Ethernet + IPv4 + UDP. */
static inline void udp_frame(struct frame_buf *f, uint8_t a, uint16_t sport, uint8_t b,
			     uint16_t dport, const uint8_t *data, size_t n)
{
	uint8_t *u = f->b + 34;

	eth_hdr(f->b);
	ipv4_hdr(f->b + 14, a, b, 17, 28 + n, 7, 0);
	put16(u, sport);
	put16(u + 2, dport);
	put16(u + 4, (unsigned)(8 + n));
	put16(u + 6, 0);
	memcpy(u + 8, data, n);
	f->len = 42 + n;
}

/* One TCP connection 10.0.0.1:41000 -> 10.0.0.2:80 through a fresh pipeline: handshake,
 * the client's bytes in one segment, the server's in one, FINs.  Frames: 1-3 handshake,
 * 4 client data, 5 server data, 6-7 FIN. */
static inline void pl_run_exchange(const uint8_t *cl, uint32_t cn, const uint8_t *sv,
				   uint32_t sn, const struct cap_sink *sink,
				   struct cap_pipeline_stats *st)
{
	static struct frame_buf f;
	struct cap_pipeline *pl = cap_pipeline_new(1, NULL, sink);

	if (pl == NULL)
		abort();
	tcp_frame(&f, 1, 41000, 2, 80, 100, 0, 0x02, NULL, 0);
	cap_pipeline_packet(pl, 1.0, f.b, f.len, f.len);
	tcp_frame(&f, 2, 80, 1, 41000, 500, 101, 0x12, NULL, 0);
	cap_pipeline_packet(pl, 1.0, f.b, f.len, f.len);
	tcp_frame(&f, 1, 41000, 2, 80, 101, 501, 0x10, NULL, 0);
	cap_pipeline_packet(pl, 1.0, f.b, f.len, f.len);
	tcp_frame(&f, 1, 41000, 2, 80, 101, 501, 0x18, cl, cn);
	cap_pipeline_packet(pl, 1.1, f.b, f.len, f.len);
	tcp_frame(&f, 2, 80, 1, 41000, 501, 101 + cn, 0x18, sv, sn);
	cap_pipeline_packet(pl, 1.2, f.b, f.len, f.len);
	tcp_frame(&f, 2, 80, 1, 41000, 501 + sn, 101 + cn, 0x11, NULL, 0);
	cap_pipeline_packet(pl, 1.3, f.b, f.len, f.len);
	tcp_frame(&f, 1, 41000, 2, 80, 101 + cn, 502 + sn, 0x11, NULL, 0);
	cap_pipeline_packet(pl, 1.4, f.b, f.len, f.len);
	cap_pipeline_finish(pl);
	*st = *cap_pipeline_stats(pl);
	cap_pipeline_free(pl);
}

/* ---- tshark's reassembled bytes of one TCP stream ("follow,tcp,raw") ---- */

struct stream_bytes {
	uint8_t *c2s, *s2c;
	size_t nc, ns;
};

static inline int hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return -1;
}

static inline void append_hex(uint8_t **buf, size_t *n, const char *hex)
{
	size_t len = strlen(hex) / 2, i;
	uint8_t *nb = realloc(*buf, *n + len + 1);

	if (nb == NULL)
		abort();
	*buf = nb;
	for (i = 0; i < len; i++)
		nb[*n + i] = (uint8_t)(hexval(hex[2 * i]) << 4 | hexval(hex[2 * i + 1]));
	*n += len;
}

/* Returns 0 with both directions of tcp.stream `idx` of a capture. */
static inline int tshark_stream_bytes(const char *path, int idx, struct stream_bytes *out)
{
	char cmd[4096], q[2048];
	struct pcaputil_list lines;
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	snprintf(cmd, sizeof(cmd), "tshark -r %s -q -z follow,tcp,raw,%d 2>/dev/null",
		 pcaputil_quote(path, q, sizeof(q)), idx);
	rc = pcaputil_run(cmd, &lines);
	if (rc != 0) {
		pcaputil_list_free(&lines);
		return -1;
	}
	for (i = 0; i < lines.n; i++) {
		const char *l = lines.v[i];
		bool server = l[0] == '\t';
		const char *h = server ? l + 1 : l;
		size_t k;

		if (h[0] == '\0' || strchr(h, ':') != NULL || strchr(h, '=') != NULL)
			continue;
		for (k = 0; h[k] != '\0' && hexval(h[k]) >= 0; k++)
			;
		if (h[k] != '\0' || k % 2 != 0)
			continue;
		if (server)
			append_hex(&out->s2c, &out->ns, h);
		else
			append_hex(&out->c2s, &out->nc, h);
	}
	pcaputil_list_free(&lines);
	return out->nc > 0 || out->ns > 0 ? 0 : -1;
}

static inline void stream_bytes_free(struct stream_bytes *s)
{
	free(s->c2s);
	free(s->s2c);
	memset(s, 0, sizeof(*s));
}

#endif /* NEGSCOPE_PL_HARNESS_H */
