/* fuzz_http_stream.c - fuzz target: the capture pipeline fed one synthetic TCP connection
 * whose payload is the fuzz input, cut into segments the input also chooses.
 *
 * Input layout (missing header bytes read as zero):
 *
 *   0      flags   bit0 SYN/SYN-ACK first    bit1 client FIN at the end
 *                  bit2 server FIN at end    bit3 RST instead of the FINs
 *                  bit4 server port 88 (Kerberos over TCP) instead of 80
 *                  bit5 IPv6                 bit6 Ethernet (+802.1Q) instead of raw IP
 *                  bit7 tiny caps (4 KiB per direction, 8 KiB total, 8 headers)
 *   1      shape   bits0-2 largest segment (1, 2, 3, 7, 16, 64, 536, 1460 bytes)
 *                  bits3-4 retransmit odds   bits5-6 out-of-order odds   bit7 gaps
 *   2..5   seed    PRNG seed and client ISN (near 2^32 exercises wrap-around)
 *   6..7   split   bytes of the payload sent by the client (big-endian), rest by the server
 *   8      snap    0: whole packets; else caplen = 54 + 4 * snap (headers may be cut)
 *   9..    payload client bytes, then server bytes
 *
 * Each packet is built in memory in a buffer of its exact length (so ASan sees any read
 * past the captured bytes) and fed to cap_pipeline_packet with the analysis layer as the
 * sink; afterwards the findings are reported as text and JSON to /dev/null.  The HTTP head
 * parser is also run directly over both byte streams with small caps.  Properties checked:
 * every event's frame numbers lie within the frames fed, and the reassembly never holds
 * more than its total cap.  Everything allocated is freed.
 */
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "fuzz_target.h"
#include "negscope/analysis.h"
#include "negscope/http1.h"
#include "negscope/pipeline.h"
#include "negscope/report.h"

#define HDR_LEN 9
#define MAX_PAYLOAD (64u * 1024u)
#define MAX_PACKETS 6000u
#define TCP_SYN 0x02u
#define TCP_FIN 0x01u
#define TCP_RST 0x04u
#define TCP_PSH 0x08u
#define TCP_ACK 0x10u

struct dir {
	const uint8_t *p;
	size_t len, off;
	uint32_t isn;  /* sequence number of payload byte 0 */
	int fin_sent;
};

struct gen {
	uint8_t flags, shape, snap;
	uint32_t rng;
	size_t seg_max;
	struct cap_pipeline *pl;
	uint64_t frames;
	double ts;
	struct dir d[2]; /* 0 client, 1 server */
	uint32_t ack[2];
};

struct check_sink {
	struct cap_sink inner;
	const struct gen *g;
};

static void fail(const char *what)
{
	fprintf(stderr, "fuzz_http_stream: property violated: %s\n", what);
	abort();
}

static uint32_t rnd(struct gen *g)
{
	/* xorshift32: any non-zero state works; the seed's zero is mapped away. */
	uint32_t x = g->rng != 0 ? g->rng : 0x9e3779b9u;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	g->rng = x;
	return x;
}

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

/* Builds and feeds one TCP segment from side s (0 client, 1 server). */
static void emit(struct gen *g, int s, uint8_t tcpflags, uint32_t seq, const uint8_t *pl,
		 size_t n)
{
	int v6 = (g->flags & 0x20) != 0, eth = (g->flags & 0x40) != 0;
	int vlan = eth && (g->rng & 1u);
	size_t l2 = eth ? 14u + (vlan ? 4u : 0u) : 0u, l3 = v6 ? 40u : 20u;
	size_t len = l2 + l3 + 20u + n, caplen = len;
	uint16_t cport = 49152, sport = (g->flags & 0x10) ? 88 : 80;
	uint8_t *b, *ip, *tcp;

	b = malloc(len);
	if (b == NULL)
		return;
	memset(b, 0, len);
	ip = b + l2;
	if (eth) {
		memcpy(b, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01", 12);
		if (vlan) {
			put16(b + 12, 0x8100);
			put16(b + 14, 7);
		}
		put16(b + l2 - 2, v6 ? 0x86dd : 0x0800);
	}
	if (v6) {
		ip[0] = 0x60;
		put16(ip + 4, (uint32_t)(20u + n));
		ip[6] = 6;
		ip[7] = 64;
		ip[8] = 0xfd; /* fd00::1 client, fd00::2 server */
		ip[23] = (uint8_t)(s == 0 ? 1 : 2);
		ip[24] = 0xfd;
		ip[39] = (uint8_t)(s == 0 ? 2 : 1);
	} else {
		ip[0] = 0x45;
		put16(ip + 2, (uint32_t)(20u + 20u + n));
		ip[8] = 64;
		ip[9] = 6;
		put32(ip + 12, s == 0 ? 0x0a000001u : 0x0a000002u);
		put32(ip + 16, s == 0 ? 0x0a000002u : 0x0a000001u);
	}
	tcp = ip + l3;
	put16(tcp, s == 0 ? cport : sport);
	put16(tcp + 2, s == 0 ? sport : cport);
	put32(tcp + 4, seq);
	put32(tcp + 8, g->ack[s]);
	tcp[12] = 0x50;
	tcp[13] = tcpflags;
	put16(tcp + 14, 65535);
	if (n > 0)
		memcpy(tcp + 20, pl, n);
	if (g->snap != 0 && caplen > 54u + 4u * g->snap)
		caplen = 54u + 4u * g->snap;
	if (caplen < len) {
		/* A shorter buffer, so that a read past caplen is a heap overflow. */
		uint8_t *cut = malloc(caplen);

		if (cut != NULL) {
			memcpy(cut, b, caplen);
			g->frames++;
			cap_pipeline_packet(g->pl, g->ts, cut, caplen, len);
			free(cut);
		}
	} else {
		g->frames++;
		cap_pipeline_packet(g->pl, g->ts, b, caplen, len);
	}
	g->ts += 0.001;
	free(b);
}

/* Sends the next segment of side s, with the retransmission, reordering and gap games. */
static void step(struct gen *g, int s)
{
	struct dir *d = &g->d[s];
	size_t left = d->len - d->off, n = 1 + rnd(g) % g->seg_max;
	unsigned retx = (g->shape >> 3) & 3u, ooo = (g->shape >> 5) & 3u;
	uint32_t r = rnd(g);

	if (n > left)
		n = left;
	if ((g->shape & 0x80) && (r & 0xf) == 0 && left > n) {
		/* A gap: these bytes are never sent. */
		d->off += n;
		return;
	}
	if (ooo != 0 && (r >> 4) % (8u >> (ooo - 1)) == 0 && left > n) {
		/* The following segment first, then this one. */
		size_t n2 = 1 + rnd(g) % g->seg_max;

		if (n2 > left - n)
			n2 = left - n;
		emit(g, s, TCP_ACK | TCP_PSH, d->isn + (uint32_t)(d->off + n), d->p + d->off + n, n2);
		emit(g, s, TCP_ACK | TCP_PSH, d->isn + (uint32_t)d->off, d->p + d->off, n);
		d->off += n + n2;
	} else {
		emit(g, s, TCP_ACK | TCP_PSH, d->isn + (uint32_t)d->off, d->p + d->off, n);
		d->off += n;
	}
	g->ack[1 - s] = d->isn + (uint32_t)d->off;
	if (retx != 0 && (r >> 8) % (8u >> (retx - 1)) == 0 && d->off > 0) {
		/* A retransmission overlapping what was sent, possibly reaching back further. */
		size_t back = 1 + (r >> 12) % (d->off < 2 * g->seg_max ? d->off : 2 * g->seg_max);

		emit(g, s, TCP_ACK, d->isn + (uint32_t)(d->off - back), d->p + d->off - back, back);
	}
}

static void run_connection(struct gen *g)
{
	unsigned packets = 0;

	if (g->flags & 0x01) {
		emit(g, 0, TCP_SYN, g->d[0].isn - 1, NULL, 0);
		g->ack[1] = g->d[0].isn;
		emit(g, 1, TCP_SYN | TCP_ACK, g->d[1].isn - 1, NULL, 0);
		g->ack[0] = g->d[1].isn;
	}
	while ((g->d[0].off < g->d[0].len || g->d[1].off < g->d[1].len) &&
	       packets++ < MAX_PACKETS) {
		int s;

		if (g->d[0].off >= g->d[0].len)
			s = 1;
		else if (g->d[1].off >= g->d[1].len)
			s = 0;
		else
			s = (int)((rnd(g) >> 3) & 1u);
		step(g, s);
	}
	if (g->flags & 0x08) {
		emit(g, 1, TCP_RST | TCP_ACK, g->d[1].isn + (uint32_t)g->d[1].off, NULL, 0);
		return;
	}
	if (g->flags & 0x02)
		emit(g, 0, TCP_FIN | TCP_ACK, g->d[0].isn + (uint32_t)g->d[0].off, NULL, 0);
	if (g->flags & 0x04)
		emit(g, 1, TCP_FIN | TCP_ACK, g->d[1].isn + (uint32_t)g->d[1].off, NULL, 0);
}

/* TLS state, on to the analysis. */
static void ck_tls(void *ctx, const struct cap_tls_event *t)
{
	struct check_sink *c = ctx;

	if (c->inner.tls != NULL)
		c->inner.tls(c->inner.ctx, t);
}

/* Checking sink: frame numbers in range, then on to the analysis. */
static void ck_http(void *ctx, const struct cap_http_msg *m)
{
	struct check_sink *c = ctx;

	if (m->frame == 0 || m->frame > c->g->frames || m->first_frame > m->frame)
		fail("http event frame numbers out of range");
	if (m->nheaders > 0 && m->headers == NULL)
		fail("http event with headers but no array");
	if (c->inner.http != NULL)
		c->inner.http(c->inner.ctx, m);
}

static void ck_krb(void *ctx, const struct cap_krb_pdu *k)
{
	struct check_sink *c = ctx;

	if (k->frame == 0 || k->frame > c->g->frames)
		fail("krb event frame number out of range");
	if (c->inner.krb != NULL)
		c->inner.krb(c->inner.ctx, k);
}

static void ck_conn(void *ctx, const struct cap_conn_event *e)
{
	struct check_sink *c = ctx;

	if (e->frame > c->g->frames)
		fail("conn event frame number out of range");
	if (c->inner.conn != NULL)
		c->inner.conn(c->inner.ctx, e);
}

static void ck_icmp(void *ctx, const struct cap_icmp_unreach *u)
{
	struct check_sink *c = ctx;

	if (c->inner.icmp != NULL)
		c->inner.icmp(c->inner.ctx, u);
}

/* The head parser on its own, over each direction's bytes, with small caps. */
static void parse_heads(const uint8_t *p, size_t len)
{
	struct cap_http_header hdrs[8];
	struct cap_http1_head h;
	size_t off = 0;
	int rounds = 0;
	bool is_req;

	while (off < len && rounds++ < 64) {
		long r;

		(void)cap_http1_looks_like_start(p + off, len - off, &is_req);
		(void)cap_http1_is_method_start(p + off, len - off);
		r = cap_http1_parse_request(p + off, len - off, &h, hdrs, 8, 128);
		if (r <= 0)
			r = cap_http1_parse_response(p + off, len - off, &h, hdrs, 8, 128);
		if (r > 0) {
			size_t from = 0;

			if (h.nheaders > 8)
				fail("http1 wrote more headers than the array holds");
			(void)cap_http1_find(hdrs, h.nheaders, "connection", &from);
			if (h.nheaders > 0)
				(void)cap_http1_list_has(hdrs[0].value, "close");
			off += (size_t)r;
		} else {
			const uint8_t *nl = memchr(p + off, '\n', len - off);

			if (nl == NULL)
				break;
			off = (size_t)(nl - p) + 1;
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t hdr[HDR_LEN] = {0};
	struct cap_pipeline_limits lim;
	struct cap_analysis_limits alim;
	struct check_sink ck;
	struct cap_sink sink;
	struct cap_analysis *a;
	struct gen g;
	size_t body, split;
	const struct cap_pipeline_stats *st;
	struct cap_report_input rin;
	struct cap_report_opts ro;
	struct cap_json json;

	if (size > HDR_LEN + MAX_PAYLOAD)
		return 0;
	memcpy(hdr, data, size < HDR_LEN ? size : HDR_LEN);
	body = size > HDR_LEN ? size - HDR_LEN : 0;

	memset(&g, 0, sizeof(g));
	g.flags = hdr[0];
	g.shape = hdr[1];
	g.rng = ((uint32_t)hdr[2] << 24) | ((uint32_t)hdr[3] << 16) | ((uint32_t)hdr[4] << 8) | hdr[5];
	g.snap = hdr[8];
	{
		static const size_t sizes[8] = {1, 2, 3, 7, 16, 64, 536, 1460};

		g.seg_max = sizes[g.shape & 7u];
		/* Bound the packet count: 64 KiB in 1-byte segments would be slow to no gain. */
		if (body / g.seg_max > MAX_PACKETS / 2)
			g.seg_max = body / (MAX_PACKETS / 2) + 1;
	}
	split = ((size_t)hdr[6] << 8) | hdr[7];
	if (split > body)
		split = body;
	g.d[0].p = data + HDR_LEN;
	g.d[0].len = split;
	g.d[0].isn = g.rng;
	g.d[1].p = data + HDR_LEN + split;
	g.d[1].len = body - split;
	g.d[1].isn = ~g.rng;
	g.ts = 1700000000.0;

	/* The default tables (65536 flows, 131072 analysis streams) cost milliseconds to set
	 * up and tear down per input; one connection needs a handful.  The adversarial tests
	 * (tests/hardening) cover the default caps. */
	memset(&lim, 0, sizeof(lim));
	lim.max_flows = 8;
	memset(&alim, 0, sizeof(alim));
	alim.max_conversations = 64;
	alim.max_streams = 64;
	alim.max_steps = 1024;
	alim.max_findings = 256;
	if (g.flags & 0x80) {
		lim.max_flows = 2;
		lim.max_stream_buffer = 4096;
		lim.max_total_buffer = 8192;
		lim.max_header_line = 256;
		lim.max_headers = 8;
		lim.max_frag_bytes = 4096;
	}
	a = cap_analysis_new(&alim);
	if (a == NULL)
		return 0;
	cap_analysis_sink(a, &ck.inner);
	ck.g = &g;
	sink.ctx = &ck;
	sink.http = ck_http;
	sink.krb = ck_krb;
	sink.conn = ck_conn;
	sink.icmp = ck_icmp;
	sink.tls = ck_tls;
	g.pl = cap_pipeline_new((g.flags & 0x40) ? DLT_EN10MB : DLT_RAW, &lim, &sink);
	if (g.pl == NULL) {
		cap_analysis_free(a);
		return 0;
	}

	run_connection(&g);
	cap_pipeline_finish(g.pl);
	st = cap_pipeline_stats(g.pl);
	if (g.flags & 0x80 && st->buffer_bytes_peak > lim.max_total_buffer)
		fail("reassembly held more than max_total_buffer");
	if (st->packets != g.frames)
		fail("pipeline packet count differs from the frames fed");
	cap_analysis_finish(a, st);

	memset(&rin, 0, sizeof(rin));
	memset(&ro, 0, sizeof(ro));
	rin.files = 1;
	(void)cap_report_text(fuzz_devnull(), a, st, &rin, &ro);
	cap_json_init_file(&json, fuzz_devnull());
	(void)cap_report_json_conversations(&json, a);
	(void)cap_report_json_findings_and_summary(&json, a, st, &rin);

	cap_pipeline_free(g.pl);
	cap_analysis_free(a);

	parse_heads(g.d[0].p, g.d[0].len);
	parse_heads(g.d[1].p, g.d[1].len);
	return 0;
}
