/* test_tunnels.c - traffic inside tunnels gives the events of the same traffic bare.
 *
 * A sample's frames are wrapped here the way each tunnel carries them (GRE with key and
 * sequence, transparent Ethernet over GRE, ERSPAN types I, II and III, VXLAN, MPLS
 * under Ethernet and under GRE, IPv4 in IPv4 and in IPv6, NFLOG records) and fed to a
 * pipeline: every event (frame, stream, endpoints, headers, Kerberos bytes) must be the
 * bare run's, and nothing undecodable.  Damaged tunnels are counted by their reason.
 * (tests/golden/t_tunnels.sh does the same with tunnels the kernel makes.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <pcap/pcap.h>

#include "pl_harness.h"

#define MAXF 256

struct frames {
	size_t n;
	uint8_t *b[MAXF];
	size_t len[MAXF];
	double ts[MAXF];
	int dlt;
};

static struct frames bare;

static void load(const char *path, struct frames *f)
{
	struct cap_source *src;
	struct cap_source_pkt pkt;
	char err[256];
	bool fresh;

	memset(f, 0, sizeof(*f));
	assert_int_equal(cap_source_open_files(&src, &path, 1, NULL, err, sizeof(err)), 0);
	while (cap_source_next(src, &pkt, &fresh) == 1 && f->n < MAXF) {
		f->dlt = cap_source_linktype(src);
		f->b[f->n] = malloc(pkt.caplen);
		assert_non_null(f->b[f->n]);
		memcpy(f->b[f->n], pkt.data, pkt.caplen);
		f->len[f->n] = pkt.caplen;
		f->ts[f->n] = pkt.ts;
		f->n++;
	}
	cap_source_close(src);
}

static void run(const struct frames *f, struct evlog *l, struct cap_pipeline_stats *st)
{
	struct cap_sink sink = ev_sink(l);
	struct cap_pipeline *pl = cap_pipeline_new(f->dlt, NULL, &sink);

	assert_non_null(pl);
	for (size_t i = 0; i < f->n; i++)
		cap_pipeline_packet(pl, f->ts[i], f->b[i], f->len[i], f->len[i]);
	cap_pipeline_finish(pl);
	*st = *cap_pipeline_stats(pl);
	cap_pipeline_free(pl);
}

static void frames_free(struct frames *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->b[i]);
	f->n = 0;
}

enum kind {
	K_GRE_IP, K_GRETAP, K_ERSPAN1, K_ERSPAN2, K_ERSPAN3, K_VXLAN, K_MPLS, K_MPLS_GRE,
	K_IPIP, K_IP6IP, K_NFLOG, K_N, K_6IN4 = K_N
};

/* An outer IPv4 header (20 bytes) or IPv6 header (40 bytes) for `len` payload bytes. */
static size_t outer_ip(uint8_t *p, bool v6, uint8_t proto, size_t len)
{
	if (!v6) {
		ipv4_hdr(p, 10, 20, proto, 20 + len, 0, 0);
		return 20;
	}
	memset(p, 0, 40);
	p[0] = 0x60;
	put16(p + 4, (unsigned)len);
	p[6] = proto;
	p[7] = 64;
	p[23] = 1;
	p[39] = 2;
	return 40;
}

/* The bare frame i (Ethernet) wrapped as `k` carries it; returns the new length. */
static size_t wrap(enum kind k, const uint8_t *eth, size_t n, uint8_t *out)
{
	uint8_t inner[70000];
	size_t in = 0, o = 0;
	const uint8_t *ip = eth + 14;
	size_t iplen = n - 14;

	/* The tunnel header and what follows it, then the outer headers in front. */
	switch (k) {
	case K_GRE_IP: /* GRE with key and sequence number, IPv4 inside */
		put16(inner, 0x3000);
		put16(inner + 2, 0x0800);
		put32(inner + 4, 77);
		put32(inner + 8, 1);
		in = 12;
		memcpy(inner + in, ip, iplen);
		in += iplen;
		break;
	case K_GRETAP:
	case K_ERSPAN1:
	case K_ERSPAN2:
	case K_ERSPAN3:
		put16(inner, k == K_ERSPAN2 || k == K_ERSPAN3 ? 0x1000 : 0);
		put16(inner + 2, k == K_GRETAP ? 0x6558 : k == K_ERSPAN3 ? 0x22eb : 0x88be);
		in = 4;
		if (k == K_ERSPAN2 || k == K_ERSPAN3) {
			put32(inner + in, 5);
			in += 4;
		}
		if (k == K_ERSPAN2) {
			memset(inner + in, 0, 8);
			inner[in] = 0x10; /* version 1 (type II) */
			in += 8;
		} else if (k == K_ERSPAN3) {
			memset(inner + in, 0, 20);
			inner[in] = 0x20; /* version 2 (type III) */
			inner[in + 11] = 1; /* O: platform subheader follows */
			in += 20;
		}
		memcpy(inner + in, eth, n);
		in += n;
		break;
	case K_VXLAN:
		put16(inner, 40000);
		put16(inner + 2, 4789);
		put16(inner + 4, (unsigned)(8 + 8 + n));
		put16(inner + 6, 0);
		memset(inner + 8, 0, 8);
		inner[8] = 0x08;
		inner[14] = 42;
		in = 16;
		memcpy(inner + in, eth, n);
		in += n;
		break;
	case K_MPLS_GRE:
	case K_MPLS:
		if (k == K_MPLS_GRE) {
			put16(inner, 0);
			put16(inner + 2, 0x8847);
			in = 4;
		}
		put32(inner + in, (100u << 12) | 64);
		put32(inner + in + 4, (200u << 12) | 0x100 | 64);
		in += 8;
		memcpy(inner + in, ip, iplen);
		in += iplen;
		break;
	case K_IPIP:
	case K_IP6IP:
	case K_6IN4:
		memcpy(inner, ip, iplen);
		in = iplen;
		break;
	case K_NFLOG:
		/* header: AF_INET, version 0, resource 5; a prefix TLV; the payload TLV */
		inner[0] = 2;
		inner[1] = 0;
		inner[2] = 0;
		inner[3] = 5;
		inner[4] = 9; inner[5] = 0; inner[6] = 10; inner[7] = 0; /* len 9, type 10 */
		memcpy(inner + 8, "neg\0\0\0\0\0", 8);
		in = 16;
		inner[in] = (uint8_t)((iplen + 4) & 0xff);
		inner[in + 1] = (uint8_t)((iplen + 4) >> 8);
		inner[in + 2] = 9;
		inner[in + 3] = 0;
		in += 4;
		memcpy(inner + in, ip, iplen);
		in += iplen;
		while (in % 4)
			inner[in++] = 0;
		memcpy(out, inner, in);
		return in;
	}
	eth_hdr(out);
	o = 14;
	if (k == K_MPLS) {
		put16(out + 12, 0x8847);
	} else {
		bool v6 = k == K_IP6IP;

		put16(out + 12, v6 ? 0x86dd : 0x0800);
		o += outer_ip(out + o, v6, k == K_VXLAN ? 17 : k == K_IPIP || k == K_IP6IP ? 4 :
			      k == K_6IN4 ? ((ip[0] >> 4) == 6 ? 41 : 4) : 47, in);
	}
	memcpy(out + o, inner, in);
	return o + in;
}

/* Every frame of src wrapped as `k` carries it, into dst. */
static void wrap_all(enum kind k, const struct frames *src, struct frames *dst)
{
	static uint8_t buf[70100];

	memset(dst, 0, sizeof(*dst));
	dst->dlt = k == K_NFLOG ? DLT_NFLOG : DLT_EN10MB;
	for (size_t i = 0; i < src->n; i++) {
		size_t n = wrap(k, src->b[i], src->len[i], buf);

		dst->b[i] = malloc(n);
		assert_non_null(dst->b[i]);
		memcpy(dst->b[i], buf, n);
		dst->len[i] = n;
		dst->ts[i] = src->ts[i];
		dst->n++;
	}
}

static void same_events(const struct evlog *a, const struct evlog *b, const char *what)
{
	if (a->n != b->n)
		fail_msg("%s: %zu events, bare %zu", what, a->n, b->n);
	for (size_t i = 0; i < a->n; i++) {
		const struct ev *x = &a->v[i], *y = &b->v[i];

		if (x->type != y->type || x->frame != y->frame || x->stream != y->stream ||
		    x->status != y->status || strcmp(x->auth, y->auth) != 0 ||
		    x->nbytes != y->nbytes || memcmp(&x->client, &y->client, sizeof(x->client)) ||
		    (x->nbytes && memcmp(x->bytes, y->bytes, x->nbytes)))
			fail_msg("%s: event %zu (%c frame %llu) differs from the bare one (%c frame %llu)",
				 what, i, x->type, (unsigned long long)x->frame, y->type,
				 (unsigned long long)y->frame);
	}
}

static void test_every_tunnel_like_bare(void **state)
{
	static const char *const names[K_N] = {
		"GRE", "gretap", "ERSPAN I", "ERSPAN II", "ERSPAN III", "VXLAN", "MPLS",
		"MPLS in GRE", "IP in IP", "IPv4 in IPv6", "NFLOG"};
	char path[1024];
	struct evlog want = {0};
	struct cap_pipeline_stats st0, st;

	(void)state;
	snprintf(path, sizeof(path), "%s/stale-keytab.pcap", NEGSCOPE_SAMPLES_DIR);
	load(path, &bare);
	assert_int_equal(bare.dlt, DLT_EN10MB);
	run(&bare, &want, &st0);
	assert_true(ev_count(&want, 'K') > 0 && ev_count(&want, 'H') > 0);
	for (int k = 0; k < K_N; k++) {
		struct frames t;
		struct evlog got = {0};

		wrap_all((enum kind)k, &bare, &t);
		run(&t, &got, &st);
		same_events(&got, &want, names[k]);
		if (st.undecodable != 0 || st.truncated_packets != 0)
			fail_msg("%s: %llu undecodable, %llu truncated", names[k],
				 (unsigned long long)st.undecodable,
				 (unsigned long long)st.truncated_packets);
		assert_int_equal(st.tunneled_packets, k == K_MPLS || k == K_NFLOG ? 0 : bare.n);
		evlog_free(&got);
		frames_free(&t);
	}
	evlog_free(&want);
}

/* Damaged tunnels: counted under their own reason, never decoded as something else. */
static void test_undecodable_by_reason(void **state)
{
	struct frames t;
	struct evlog l = {0};
	struct cap_pipeline_stats st;
	static uint8_t buf[70100];
	size_t n;

	(void)state;
	if (bare.n == 0) {
		char path[1024];

		snprintf(path, sizeof(path), "%s/stale-keytab.pcap", NEGSCOPE_SAMPLES_DIR);
		load(path, &bare);
	}
	memset(&t, 0, sizeof(t));
	t.dlt = DLT_EN10MB;
	/* 0: GRE version 1 (PPTP) */
	n = wrap(K_GRE_IP, bare.b[0], bare.len[0], buf);
	buf[34 + 1] |= 1;
	t.b[t.n] = malloc(n); memcpy(t.b[t.n], buf, n); t.len[t.n++] = n;
	/* 1: GRE with an unknown protocol */
	n = wrap(K_GRETAP, bare.b[0], bare.len[0], buf);
	put16(buf + 34 + 2, 0x1234);
	t.b[t.n] = malloc(n); memcpy(t.b[t.n], buf, n); t.len[t.n++] = n;
	/* 2: an MPLS stack of 9 labels without a bottom */
	n = wrap(K_MPLS, bare.b[0], bare.len[0], buf);
	for (int i = 0; i < 9; i++)
		put32(buf + 14 + 4 * i, 64);
	t.b[t.n] = malloc(n); memcpy(t.b[t.n], buf, n); t.len[t.n++] = n;
	/* 3: VXLAN carrying an ARP frame */
	n = wrap(K_VXLAN, bare.b[0], bare.len[0], buf);
	put16(buf + 14 + 20 + 16 + 12, 0x0806);
	t.b[t.n] = malloc(n); memcpy(t.b[t.n], buf, n); t.len[t.n++] = n;
	/* 4: an ERSPAN III header cut short */
	n = wrap(K_ERSPAN3, bare.b[0], bare.len[0], buf);
	t.b[t.n] = malloc(n); memcpy(t.b[t.n], buf, n); t.len[t.n++] = 14 + 20 + 4 + 4 + 6;
	run(&t, &l, &st);
	assert_int_equal(st.undecodable_by[CAP_UNDEC_GRE], 2);
	assert_int_equal(st.undecodable_by[CAP_UNDEC_MPLS], 1);
	assert_int_equal(st.undecodable_by[CAP_UNDEC_ETHERTYPE], 1);
	assert_int_equal(st.truncated_packets, 1);
	assert_int_equal(st.undecodable, 4);
	assert_string_equal(cap_undec_name(CAP_UNDEC_ERSPAN), "erspan");
	frames_free(&t);
	evlog_free(&l);
	frames_free(&bare);
}

/* 6in4 (protocol 41): a capture's IPv6 frames inside IPv4, as a sit tunnel sends them
 * (its IPv4 frames as IP in IP). */
static void test_6in4_like_bare(void **state)
{
	char path[1024];
	struct frames v6, t;
	struct evlog want = {0}, got = {0};
	struct cap_pipeline_stats st0, st;

	(void)state;
	snprintf(path, sizeof(path), "%s/arkime/tests/pcap/ntlm_synthetic.pcap",
		 NEGSCOPE_CAPTURES_DIR);
	if (pcaputil_file_size(path) <= 0) {
		skip(); /* the shared captures are not here */
		return;
	}
	load(path, &v6);
	run(&v6, &want, &st0);
	assert_true(want.n > 0);
	wrap_all(K_6IN4, &v6, &t);
	run(&t, &got, &st);
	same_events(&got, &want, "6in4");
	assert_int_equal(st.undecodable, st0.undecodable);
	assert_int_equal(st.tunneled_packets, v6.n - st0.undecodable);
	evlog_free(&want);
	evlog_free(&got);
	frames_free(&t);
	frames_free(&v6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_tunnel_like_bare),
		cmocka_unit_test(test_undecodable_by_reason),
		cmocka_unit_test(test_6in4_like_bare),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
