/* test_netdecode.c - link layers, IPv6 extension headers, IP fragment
 * reassembly, ICMP unreachable and truncated headers, on synthetic frames
 * built around one HTTP request and one real Kerberos datagram (taken by
 * tshark from a public capture). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <pcap/dlt.h>

#include "pl_harness.h"

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif
#ifndef DLT_IPV4
#define DLT_IPV4 228
#endif
#ifndef DLT_IPV6
#define DLT_IPV6 229
#endif

static const char request[] = "GET /x HTTP/1.1\r\nHost: h\r\nAuthorization: Negotiate YII=\r\n\r\n";

/* IPv4 + TCP carrying the request (no link header). */
static size_t ip4_request(uint8_t *b)
{
	size_t n = sizeof(request) - 1;
	uint8_t *t = b + 20;

	ipv4_hdr(b, 1, 2, 6, 40 + n, 9, 0x4000);
	memset(t, 0, 20);
	put16(t, 40001);
	put16(t + 2, 8000);
	put32(t + 4, 77);
	t[12] = 5 << 4;
	t[13] = 0x18;
	memcpy(t + 20, request, n);
	return 40 + n;
}

/* IPv6 with hop-by-hop and destination options headers, then TCP. */
static size_t ip6_request(uint8_t *b)
{
	size_t n = sizeof(request) - 1;
	uint8_t *t = b + 56;

	memset(b, 0, 56);
	b[0] = 0x60;
	put16(b + 4, (unsigned)(16 + 20 + n));
	b[6] = 0; /* hop-by-hop */
	b[7] = 64;
	b[23] = 1; /* ::1 -> ::2 */
	b[39] = 2;
	b[40] = 60; /* next: destination options */
	b[41] = 0;
	b[42] = 1; /* PadN */
	b[43] = 4;
	b[48] = 6; /* next: TCP */
	b[49] = 0;
	b[50] = 1;
	b[51] = 4;
	memset(t, 0, 20);
	put16(t, 40001);
	put16(t + 2, 8000);
	put32(t + 4, 77);
	t[12] = 5 << 4;
	t[13] = 0x18;
	memcpy(t + 20, request, n);
	return 56 + 20 + n;
}

struct wrap {
	int dlt;
	const char *name;
	uint8_t hdr[32];
	size_t hlen;
	bool v6;
};

static void feed_one(int dlt, const uint8_t *f, size_t len, struct evlog *l,
		     struct cap_pipeline_stats *st)
{
	struct cap_sink sink = ev_sink(l);
	struct cap_pipeline *pl = cap_pipeline_new(dlt, NULL, &sink);

	assert_non_null(pl);
	cap_pipeline_packet(pl, 1.0, f, len, len);
	cap_pipeline_finish(pl);
	*st = *cap_pipeline_stats(pl);
	cap_pipeline_free(pl);
}

static void test_link_layers(void **state)
{
	static const struct wrap wraps[] = {
		{ DLT_EN10MB, "ethernet", { 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x08, 0x00 }, 14, false },
		{ DLT_EN10MB, "802.1ad+802.1Q",
		  { 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x88, 0xa8, 0, 10, 0x81, 0x00, 0, 20, 0x08, 0x00 },
		  22, false },
		{ DLT_EN10MB, "ethernet v6", { 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x86, 0xdd }, 14, true },
		{ DLT_LINUX_SLL, "sll", { 0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, 0x08, 0x00 }, 16, false },
		{ DLT_LINUX_SLL2, "sll2",
		  { 0x86, 0xdd, 0, 0, 0, 0, 0, 1, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0 }, 20, true },
		{ DLT_NULL, "null LE", { 2, 0, 0, 0 }, 4, false },
		{ DLT_NULL, "null BE", { 0, 0, 0, 2 }, 4, false },
		{ DLT_NULL, "null v6 macOS", { 30, 0, 0, 0 }, 4, true },
		{ DLT_LOOP, "loop v6 OpenBSD", { 0, 0, 0, 24 }, 4, true },
		{ DLT_NULL, "null v6 FreeBSD", { 28, 0, 0, 0 }, 4, true },
		{ DLT_RAW, "raw v4", { 0 }, 0, false },
		{ DLT_RAW, "raw v6", { 0 }, 0, true },
		{ DLT_IPV4, "ipv4", { 0 }, 0, false },
		{ DLT_IPV6, "ipv6", { 0 }, 0, true },
	};
	static uint8_t f[2048];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(wraps) / sizeof(wraps[0]); i++) {
		const struct wrap *w = &wraps[i];
		struct cap_pipeline_stats st;
		struct evlog l = { 0 };
		size_t n;

		memcpy(f, w->hdr, w->hlen);
		n = w->hlen + (w->v6 ? ip6_request(f + w->hlen) : ip4_request(f + w->hlen));
		assert_true(cap_linktype_supported(w->dlt));
		feed_one(w->dlt, f, n, &l, &st);
		if (ev_count(&l, 'H') != 1)
			fail_msg("%s: %zu HTTP events", w->name, ev_count(&l, 'H'));
		assert_true(ev_nth(&l, 'H', 0)->has_auth);
		assert_int_equal(ev_nth(&l, 'H', 0)->server.port, 8000);
		assert_int_equal(ev_nth(&l, 'H', 0)->client.family, w->v6 ? 6 : 4);
		assert_int_equal(st.undecodable, 0);
		evlog_free(&l);
	}
	assert_false(cap_linktype_supported(DLT_IEEE802_11));
}

static void test_truncated_headers(void **state)
{
	static uint8_t f[2048];
	struct cap_pipeline_stats st;
	struct evlog l = { 0 };
	size_t n;

	(void)state;
	memcpy(f, (const uint8_t[]){ 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x08, 0x00 }, 14);
	n = 14 + ip4_request(f + 14);
	/* Cut inside the IP header, then inside the TCP header. */
	feed_one(DLT_EN10MB, f, 30, &l, &st);
	assert_int_equal(st.truncated_packets, 1);
	feed_one(DLT_EN10MB, f, 14 + 20 + 10, &l, &st);
	assert_int_equal(st.truncated_packets, 1);
	assert_int_equal(st.tcp_segments, 0);
	/* The whole frame once more: decodes. */
	feed_one(DLT_EN10MB, f, n, &l, &st);
	assert_int_equal(st.truncated_packets, 0);
	assert_int_equal(ev_count(&l, 'H'), 1);
	evlog_free(&l);
}

/* The UDP payload of the Kerberos datagram in a public capture. */
static uint8_t *krb_udp_payload(size_t *n)
{
	char cmd[2048], q[1024], path[1024];
	struct pcaputil_list lines;
	uint8_t *b = NULL;

	*n = 0;
	snprintf(path, sizeof(path), "%s/arkime/tests/pcap/krb5-udp.pcap", NEGSCOPE_CAPTURES_DIR);
	snprintf(cmd, sizeof(cmd), "tshark -r %s -T fields -e udp.payload 2>/dev/null",
		 pcaputil_quote(path, q, sizeof(q)));
	if (pcaputil_run(cmd, &lines) != 0 || lines.n < 1) {
		pcaputil_list_free(&lines);
		return NULL;
	}
	append_hex(&b, n, lines.v[0]);
	pcaputil_list_free(&lines);
	return b;
}

/* Ethernet + IPv4 fragment of a UDP datagram `dg` (header included). */
static void frag4(struct frame_buf *f, const uint8_t *dg, size_t off, size_t len, bool more,
		  uint16_t id)
{
	eth_hdr(f->b);
	ipv4_hdr(f->b + 14, 1, 2, 17, 20 + len, id, (uint16_t)((more ? 0x2000 : 0) | (off / 8)));
	memcpy(f->b + 34, dg + off, len);
	f->len = 34 + len;
}

static void test_ipv4_fragments(void **state)
{
	static struct frame_buf f;
	static uint8_t dg[4096];
	struct evlog l = { 0 };
	struct cap_sink sink = ev_sink(&l);
	struct cap_pipeline *pl;
	const struct cap_pipeline_stats *st;
	const struct ev *k;
	size_t n, dlen;
	uint8_t *pdu;

	(void)state;
	if (!pcaputil_have_tshark()) {
		skip();
		return;
	}
	pdu = krb_udp_payload(&n);
	assert_non_null(pdu);
	assert_true(n > 130 && n + 8 < sizeof(dg));
	put16(dg, 51000);
	put16(dg + 2, 88);
	put16(dg + 4, (unsigned)(n + 8));
	put16(dg + 6, 0);
	memcpy(dg + 8, pdu, n);
	dlen = n + 8;
	pl = cap_pipeline_new(DLT_EN10MB, NULL, &sink);
	assert_non_null(pl);
	/* Last fragment first, then the first, a duplicate, then the middle. */
	frag4(&f, dg, 128, dlen - 128, false, 42);
	cap_pipeline_packet(pl, 1.0, f.b, f.len, f.len);
	frag4(&f, dg, 0, 64, true, 42);
	cap_pipeline_packet(pl, 1.1, f.b, f.len, f.len);
	cap_pipeline_packet(pl, 1.2, f.b, f.len, f.len);
	assert_int_equal(ev_count(&l, 'K'), 0);
	frag4(&f, dg, 64, 64, true, 42);
	cap_pipeline_packet(pl, 1.3, f.b, f.len, f.len);
	assert_int_equal(ev_count(&l, 'K'), 1);
	k = ev_nth(&l, 'K', 0);
	assert_int_equal(k->frame, 4); /* the frame that completed it */
	assert_int_equal(k->conn_kind, CAP_TRANSPORT_UDP);
	assert_int_equal(k->nbytes, n);
	assert_memory_equal(k->bytes, pdu, n);
	assert_int_equal(k->server.port, 88);
	assert_false(k->from_server);
	/* A datagram missing a piece is given up after the timeout. */
	frag4(&f, dg, 0, 64, true, 43);
	cap_pipeline_packet(pl, 2.0, f.b, f.len, f.len);
	frag4(&f, dg, 0, 64, true, 44);
	cap_pipeline_packet(pl, 40.0, f.b, f.len, f.len);
	st = cap_pipeline_stats(pl);
	assert_int_equal(st->ip_fragments, 6);
	assert_int_equal(st->ip_reassembled, 1);
	assert_int_equal(st->ip_frag_dropped, 1);
	assert_int_equal(ev_count(&l, 'K'), 1);
	cap_pipeline_free(pl);
	evlog_free(&l);
	free(pdu);
}

/* First fragments of two datagrams, neither complete, through a pipeline with these
 * limits; its counters come back. */
static struct cap_pipeline_stats two_open_datagrams(const struct cap_pipeline_limits *lim)
{
	static struct frame_buf f;
	static uint8_t dg[256];
	struct evlog l = { 0 };
	struct cap_sink sink = ev_sink(&l);
	struct cap_pipeline *pl = cap_pipeline_new(DLT_EN10MB, lim, &sink);
	struct cap_pipeline_stats st;

	assert_non_null(pl);
	frag4(&f, dg, 0, 64, true, 50);
	cap_pipeline_packet(pl, 1.0, f.b, f.len, f.len);
	frag4(&f, dg, 0, 64, true, 51);
	cap_pipeline_packet(pl, 1.1, f.b, f.len, f.len);
	st = *cap_pipeline_stats(pl);
	cap_pipeline_free(pl);
	evlog_free(&l);
	return st;
}

/* --max-frag-bytes: room for one datagram; a second one gives the first up and is
 * counted as a cap hit, not as a timeout.  The default (4 MiB) holds both. */
static void test_ipv4_fragment_cap(void **state)
{
	struct cap_pipeline_limits lim;
	struct cap_pipeline_stats st;

	(void)state;
	memset(&lim, 0, sizeof(lim));
	lim.max_frag_bytes = 65536;
	st = two_open_datagrams(&lim);
	assert_int_equal(st.frag_cap_hits, 1);
	assert_int_equal(st.ip_frag_dropped, 1);
	st = two_open_datagrams(NULL);
	assert_int_equal(st.frag_cap_hits, 0);
	assert_int_equal(st.ip_frag_dropped, 0);
}

static void test_ipv6_fragments(void **state)
{
	static const uint8_t pdu[] = { 0x6a, 0x81, 0x90, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13 };
	static uint8_t f[512];
	struct evlog l = { 0 };
	struct cap_sink sink = ev_sink(&l);
	struct cap_pipeline *pl = cap_pipeline_new(DLT_RAW, NULL, &sink);
	uint8_t dg[8 + sizeof(pdu)];
	size_t part;

	(void)state;
	assert_non_null(pl);
	put16(dg, 88);
	put16(dg + 2, 52000);
	put16(dg + 4, (unsigned)sizeof(dg));
	put16(dg + 6, 0);
	memcpy(dg + 8, pdu, sizeof(pdu));
	for (part = 0; part < 2; part++) {
		size_t off = part * 16, len = part == 0 ? 16 : sizeof(dg) - 16;

		memset(f, 0, 48);
		f[0] = 0x60;
		put16(f + 4, (unsigned)(8 + len));
		f[6] = 44; /* fragment header */
		f[7] = 64;
		f[23] = 2; /* ::2 (the KDC) -> ::1 */
		f[39] = 1;
		f[40] = 17;
		put16(f + 42, (unsigned)(off | (part == 0 ? 1 : 0)));
		put32(f + 44, 0xabcdef);
		memcpy(f + 48, dg + off, len);
		cap_pipeline_packet(pl, 1.0, f, 48 + len, 48 + len);
	}
	assert_int_equal(ev_count(&l, 'K'), 1);
	assert_int_equal(ev_nth(&l, 'K', 0)->nbytes, sizeof(pdu));
	assert_memory_equal(ev_nth(&l, 'K', 0)->bytes, pdu, sizeof(pdu));
	assert_true(ev_nth(&l, 'K', 0)->from_server);
	assert_int_equal(ev_nth(&l, 'K', 0)->client.port, 52000);
	cap_pipeline_free(pl);
	evlog_free(&l);
}

static void test_icmp_unreachable(void **state)
{
	static uint8_t f[256];
	struct evlog l = { 0 };
	struct cap_pipeline_stats st;
	const struct ev *e;
	uint8_t *q;

	(void)state;
	/* ICMP port unreachable from 10.0.0.2 quoting 10.0.0.1:40000 -> :88/udp. */
	memcpy(f, (const uint8_t[]){ 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x08, 0x00 }, 14);
	ipv4_hdr(f + 14, 2, 1, 1, 20 + 8 + 28, 5, 0);
	f[34] = 3;
	f[35] = 3;
	q = f + 42;
	ipv4_hdr(q, 1, 2, 17, 20 + 8 + 1000, 6, 0); /* quoted total length > what is quoted */
	put16(q + 20, 40000);
	put16(q + 22, 88);
	put16(q + 24, 1008);
	feed_one(DLT_EN10MB, f, 14 + 20 + 8 + 28, &l, &st);
	assert_int_equal(st.icmp_unreach, 1);
	assert_int_equal(ev_count(&l, 'I'), 1);
	e = ev_nth(&l, 'I', 0);
	assert_int_equal(e->status, 3);
	assert_int_equal(e->conn_kind, 3);
	assert_int_equal(e->client.port, 40000);
	assert_int_equal(e->server.port, 88);
	assert_int_equal(e->orig_proto, 17);
	evlog_free(&l);

	/* ICMPv6 type 1 code 4 quoting [::1]:40001 -> [::2]:88/tcp. */
	memset(f, 0, sizeof(f));
	f[0] = 0x60;
	put16(f + 4, 8 + 40 + 8);
	f[6] = 58;
	f[23] = 2;
	f[39] = 1;
	f[40] = 1;
	f[41] = 4;
	q = f + 48;
	q[0] = 0x60;
	put16(q + 4, 20);
	q[6] = 6;
	q[23] = 1;
	q[39] = 2;
	put16(q + 40, 40001);
	put16(q + 42, 88);
	feed_one(DLT_RAW, f, 48 + 48, &l, &st);
	assert_int_equal(ev_count(&l, 'I'), 1);
	e = ev_nth(&l, 'I', 0);
	assert_int_equal(e->status, 1);
	assert_int_equal(e->conn_kind, 4);
	assert_int_equal(e->client.family, 6);
	assert_int_equal(e->server.port, 88);
	assert_int_equal(e->orig_proto, 6);
	evlog_free(&l);
}

static void test_endpoint_strings(void **state)
{
	struct cap_endpoint e;
	char buf[64];

	(void)state;
	memset(&e, 0, sizeof(e));
	e.family = 4;
	e.addr[0] = 192;
	e.addr[1] = 0;
	e.addr[2] = 2;
	e.addr[3] = 7;
	e.port = 88;
	assert_string_equal(cap_endpoint_str(&e, buf, sizeof(buf)), "192.0.2.7:88");
	assert_string_equal(cap_addr_str(&e, buf, sizeof(buf)), "192.0.2.7");
	memset(e.addr, 0, sizeof(e.addr));
	e.family = 6;
	e.addr[15] = 1;
	e.port = 8080;
	assert_string_equal(cap_endpoint_str(&e, buf, sizeof(buf)), "[::1]:8080");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_link_layers),
		cmocka_unit_test(test_truncated_headers),
		cmocka_unit_test(test_ipv4_fragments),
		cmocka_unit_test(test_ipv4_fragment_cap),
		cmocka_unit_test(test_ipv6_fragments),
		cmocka_unit_test(test_icmp_unreachable),
		cmocka_unit_test(test_endpoint_strings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
