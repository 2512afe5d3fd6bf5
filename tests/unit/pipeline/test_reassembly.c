/* test_reassembly.c - TCP reassembly and stream parsing on real bytes cut into
 * synthetic segments: in order at many sizes, reversed, retransmitted,
 * overlapping, with a hole (gap), cut by the snap length, starting mid-stream;
 * Kerberos records over TCP split and resynchronised; caps and LRU eviction.
 *
 * The bytes are tshark's reassembly ("follow,tcp,raw") of a real HTTP
 * exchange (Basic auth, 401 with a chunked body, keep-alive) and of a real
 * Kerberos-over-TCP record; expected frames are computed from the segment
 * schedule (a head completes with the last of its bytes to arrive).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "pl_harness.h"

#define ISN_C 1000000u
#define ISN_S 0xffffff00u /* the server's sequence numbers wrap past 2^32 */
#define REPEAT 3

struct seg {
	int dir;          /* 0 client->server, 1 server->client */
	uint32_t off, len;
	uint32_t caplen;  /* bytes captured (== len unless cut) */
};

struct plan {
	struct seg v[100000];
	size_t n;
	bool handshake;
	uint16_t cport, sport;
};

static struct stream_bytes http_x, krb_x;
static uint8_t *cdata, *sdata; /* REPEAT copies of each direction */
static size_t clen, slen, one_c, one_s;

static int setup(void **state)
{
	char path[1024];
	size_t i;

	(void)state;
	if (!pcaputil_have_tshark())
		return -1;
	snprintf(path, sizeof(path), "%s/nDPI/tests/cfgs/default/pcap/http_auth.pcap",
		 NEGSCOPE_CAPTURES_DIR);
	if (tshark_stream_bytes(path, 0, &http_x) != 0)
		return -1;
	snprintf(path, sizeof(path), "%s/arkime/tests/pcap/krb5-tcp.pcap", NEGSCOPE_CAPTURES_DIR);
	if (tshark_stream_bytes(path, 0, &krb_x) != 0)
		return -1;
	one_c = http_x.nc;
	one_s = http_x.ns;
	clen = one_c * REPEAT;
	slen = one_s * REPEAT;
	cdata = malloc(clen);
	sdata = malloc(slen);
	if (cdata == NULL || sdata == NULL)
		return -1;
	for (i = 0; i < REPEAT; i++) {
		memcpy(cdata + i * one_c, http_x.c2s, one_c);
		memcpy(sdata + i * one_s, http_x.s2c, one_s);
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	stream_bytes_free(&http_x);
	stream_bytes_free(&krb_x);
	free(cdata);
	free(sdata);
	return 0;
}

static void plan_add(struct plan *p, int dir, uint32_t off, uint32_t len)
{
	assert_true(p->n < sizeof(p->v) / sizeof(p->v[0]));
	p->v[p->n].dir = dir;
	p->v[p->n].off = off;
	p->v[p->n].len = len;
	p->v[p->n].caplen = len;
	p->n++;
}

/* Segments of k bytes (the last shorter), every `step` bytes. */
static void plan_cut(struct plan *p, int dir, size_t total, uint32_t k, uint32_t step)
{
	uint32_t off;

	for (off = 0; off < total; off += step) {
		uint32_t len = (uint32_t)(total - off < k ? total - off : k);

		plan_add(p, dir, off, len);
		if (off + len >= total)
			break;
	}
}

static void plan_init(struct plan *p)
{
	memset(p, 0, sizeof(*p));
	p->handshake = true;
	p->cport = 50123;
	p->sport = 8080; /* not 80: HTTP is found by content */
}

/* Feeds the plan (after the handshake) to a fresh pipeline.  Frame numbers:
 * 1..3 handshake (when present), then one per segment in plan order.
 * Returns the frame number of the first server segment, 0 when none. */
static uint64_t run_plan(const struct plan *p, const uint8_t *c, const uint8_t *s,
			 const struct cap_pipeline_limits *lim, struct evlog *l,
			 struct cap_pipeline_stats *st)
{
	static struct frame_buf f;
	struct cap_sink sink = ev_sink(l);
	struct cap_pipeline *pl = cap_pipeline_new(1, lim, &sink);
	uint32_t cend = 0;
	uint64_t frame = 0, first_server = 0;
	size_t i;

	assert_non_null(pl);
	for (i = 0; i < p->n; i++)
		if (p->v[i].dir == 0 && p->v[i].off + p->v[i].len > cend)
			cend = p->v[i].off + p->v[i].len;
	if (p->handshake) {
		tcp_frame(&f, 1, p->cport, 2, p->sport, ISN_C, 0, 0x02, NULL, 0);
		cap_pipeline_packet(pl, 1.0, f.b, f.len, f.len);
		tcp_frame(&f, 2, p->sport, 1, p->cport, ISN_S, ISN_C + 1, 0x12, NULL, 0);
		cap_pipeline_packet(pl, 1.0, f.b, f.len, f.len);
		tcp_frame(&f, 1, p->cport, 2, p->sport, ISN_C + 1, ISN_S + 1, 0x10, NULL, 0);
		cap_pipeline_packet(pl, 1.0, f.b, f.len, f.len);
		frame = 3;
	}
	for (i = 0; i < p->n; i++) {
		const struct seg *g = &p->v[i];

		if (g->dir == 0)
			tcp_frame(&f, 1, p->cport, 2, p->sport, ISN_C + 1 + g->off, ISN_S + 1, 0x18,
				  c + g->off, g->len);
		else
			tcp_frame(&f, 2, p->sport, 1, p->cport, ISN_S + 1 + g->off, ISN_C + 1 + cend,
				  0x18, s + g->off, g->len);
		frame++;
		if (g->dir == 1 && first_server == 0)
			first_server = frame;
		/* A snap length cut: fewer bytes captured than were sent. */
		cap_pipeline_packet(pl, 1.0 + (double)i / 1000, f.b, f.len - (g->len - g->caplen),
				    f.len);
	}
	cap_pipeline_finish(pl);
	*st = *cap_pipeline_stats(pl);
	cap_pipeline_free(pl);
	return first_server;
}

/* Frame at which byte `end - 1` and everything before it have arrived
 * (first copy of each byte counts), or 0 when some byte never does. */
static uint64_t completion_frame(const struct plan *p, int dir, size_t end)
{
	uint64_t worst = 0;
	size_t b;
	uint64_t *arr = calloc(end ? end : 1, sizeof(*arr));
	size_t i;

	assert_non_null(arr);
	for (i = 0; i < p->n; i++) {
		const struct seg *g = &p->v[i];
		uint64_t frame = (p->handshake ? 3 : 0) + i + 1;

		if (g->dir != dir)
			continue;
		for (b = g->off; b < (size_t)g->off + g->caplen && b < end; b++)
			if (arr[b] == 0)
				arr[b] = frame;
	}
	for (b = 0; b < end; b++) {
		if (arr[b] == 0) {
			worst = 0;
			break;
		}
		if (arr[b] > worst)
			worst = arr[b];
	}
	free(arr);
	return worst;
}

/* Offset just past the head of the message starting at `start`. */
static size_t head_end(const uint8_t *d, size_t len, size_t start)
{
	const uint8_t *e = memmem(d + start, len - start, "\r\n\r\n", 4);

	assert_non_null(e);
	return (size_t)(e - d) + 4;
}

/* Every message of the three exchanges is reported, at the right frames. */
static void check_full_exchange(const struct plan *p, const struct evlog *l)
{
	const struct ev *rq[REPEAT], *rs[REPEAT];
	size_t i, nq = 0, ns = 0;

	assert_int_equal(ev_count(l, 'H'), 2 * REPEAT);
	for (i = 0; i < 2 * REPEAT; i++) {
		const struct ev *e = ev_nth(l, 'H', i);

		if (e->is_request)
			rq[nq++] = e;
		else
			rs[ns++] = e;
		assert_true(nq <= REPEAT && ns <= REPEAT);
	}
	for (i = 0; i < REPEAT; i++) {
		assert_true(rq[i]->has_auth);
		assert_string_equal(rq[i]->method, "GET");
		assert_int_equal(rq[i]->frame,
				 completion_frame(p, 0, head_end(cdata, clen, i * one_c)));
		assert_int_equal(rs[i]->status, 401);
		assert_true(rs[i]->has_www);
		assert_true(rs[i]->chunked);
		assert_int_equal(rs[i]->frame,
				 completion_frame(p, 1, head_end(sdata, slen, i * one_s)));
		assert_int_equal(rs[i]->paired_frame, rq[i]->frame);
		assert_int_equal(rq[i]->client.port, p->cport);
		assert_int_equal(rq[i]->server.port, p->sport);
		assert_int_equal(rq[i]->stream, 0);
	}
}

static void full_plan(struct plan *p, uint32_t k)
{
	plan_init(p);
	plan_cut(p, 0, clen, k, k);
	plan_cut(p, 1, slen, k, k);
}

static void test_in_order_sizes(void **state)
{
	static const uint32_t sizes[] = { 1, 7, 100, 1460, 1000000 };
	static struct plan p;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct cap_pipeline_stats st;
		struct evlog l = { 0 };

		full_plan(&p, sizes[i]);
		run_plan(&p, cdata, sdata, NULL, &l, &st);
		check_full_exchange(&p, &l);
		assert_int_equal(st.tcp_gaps, 0);
		assert_int_equal(st.http_parse_errors, 0);
		assert_int_equal(st.tcp_out_of_order, 0);
		/* Small segments must be held; whole ones never are. */
		if (sizes[i] >= 1000000)
			assert_int_equal(st.buffer_bytes_peak, 0);
		evlog_free(&l);
	}
}

static void test_reordered(void **state)
{
	static struct plan p;
	struct cap_pipeline_stats st;
	struct evlog l = { 0 };
	size_t i, w;

	(void)state;
	full_plan(&p, 50);
	/* Reverse every window of 4 segments of the same direction. */
	for (w = 0; w + 4 <= p.n; w += 4) {
		if (p.v[w].dir != p.v[w + 3].dir)
			continue;
		for (i = 0; i < 2; i++) {
			struct seg t = p.v[w + i];

			p.v[w + i] = p.v[w + 3 - i];
			p.v[w + 3 - i] = t;
		}
	}
	run_plan(&p, cdata, sdata, NULL, &l, &st);
	check_full_exchange(&p, &l);
	assert_true(st.tcp_out_of_order > 0);
	assert_int_equal(st.tcp_gaps, 0);
	evlog_free(&l);
}

static void test_retransmitted_and_overlapping(void **state)
{
	static struct plan p, q;
	struct cap_pipeline_stats st;
	struct evlog l = { 0 };
	size_t i;

	(void)state;
	/* Every segment twice. */
	full_plan(&q, 97);
	plan_init(&p);
	for (i = 0; i < q.n; i++) {
		p.v[p.n++] = q.v[i];
		p.v[p.n++] = q.v[i];
	}
	run_plan(&p, cdata, sdata, NULL, &l, &st);
	check_full_exchange(&p, &l);
	assert_int_equal(st.tcp_retransmissions, q.n);
	assert_int_equal(st.tcp_gaps, 0);
	evlog_free(&l);

	/* Segments of 120 bytes every 80: each overlaps the one before. */
	plan_init(&p);
	plan_cut(&p, 0, clen, 120, 80);
	plan_cut(&p, 1, slen, 120, 80);
	run_plan(&p, cdata, sdata, NULL, &l, &st);
	check_full_exchange(&p, &l);
	assert_true(st.tcp_overlaps > 0);
	assert_int_equal(st.tcp_gaps, 0);
	evlog_free(&l);

	/* A pseudo-random mix: windows of 8 shuffled, some segments repeated. */
	full_plan(&q, 33);
	plan_init(&p);
	{
		uint32_t x = 12345;

		for (i = 0; i < q.n; i++) {
			size_t j = i + (x % 8 < q.n - i ? x % 8 : 0);
			struct seg t;

			x = x * 1103515245u + 12345u;
			if (j < q.n && q.v[j].dir == q.v[i].dir) {
				t = q.v[i];
				q.v[i] = q.v[j];
				q.v[j] = t;
			}
			p.v[p.n++] = q.v[i];
			if ((x >> 16) % 5 == 0)
				p.v[p.n++] = q.v[i];
		}
	}
	run_plan(&p, cdata, sdata, NULL, &l, &st);
	check_full_exchange(&p, &l);
	assert_int_equal(st.tcp_gaps, 0);
	evlog_free(&l);
}

static void test_gap_resynchronises(void **state)
{
	static struct plan p;
	struct cap_pipeline_stats st;
	struct evlog l = { 0 };
	const struct ev *gap = NULL, *third;
	uint64_t first_server;
	size_t i, dropped = 0;
	uint32_t hole_len = 0;

	(void)state;
	full_plan(&p, 100);
	/* Drop the client segment holding byte 200 of the second request (its
	 * head is longer; the segment does not reach into the first or third). */
	for (i = 0; i < p.n; i++) {
		if (p.v[i].dir == 0 && p.v[i].off <= one_c + 200 &&
		    one_c + 200 < p.v[i].off + p.v[i].len) {
			hole_len = p.v[i].len;
			memmove(&p.v[i], &p.v[i + 1], (p.n - i - 1) * sizeof(p.v[0]));
			p.n--;
			dropped++;
			break;
		}
	}
	assert_int_equal(dropped, 1);
	first_server = run_plan(&p, cdata, sdata, NULL, &l, &st);
	for (i = 0; i < l.n; i++)
		if (l.v[i].type == 'C' && l.v[i].conn_kind == CAP_CONN_GAP)
			gap = &l.v[i];
	assert_non_null(gap);
	assert_int_equal(gap->gap_bytes, hole_len);
	assert_false(gap->from_server);
	/* The server acknowledged past the hole: that frame declares it. */
	assert_int_equal(gap->frame, first_server);
	assert_int_equal(st.tcp_gaps, 1);
	assert_int_equal(st.tcp_gap_bytes, hole_len);
	/* Requests 1 and 3 are found, 3 marked as following a gap. */
	assert_int_equal(ev_count(&l, 'H'), 2 + REPEAT);
	assert_true(ev_nth(&l, 'H', 0)->is_request);
	third = ev_nth(&l, 'H', 1);
	assert_true(third->is_request);
	assert_true(third->anomalies & CAP_HTTP_ANOM_AFTER_GAP);
	assert_int_equal(third->frame, first_server);
	assert_true(third->has_auth);
	evlog_free(&l);
}

static void test_snaplen_cut_is_a_gap(void **state)
{
	static struct plan p;
	struct cap_pipeline_stats st;
	struct evlog l = { 0 };
	size_t i;

	(void)state;
	full_plan(&p, 200);
	/* Cut the second client segment after 60 bytes (a body-less request
	 * head spans several segments, so the first request is lost). */
	for (i = 0; i < p.n && p.v[i].dir != 0; i++)
		;
	p.v[i + 1].caplen = 60;
	run_plan(&p, cdata, sdata, NULL, &l, &st);
	assert_int_equal(st.tcp_gaps, 1);
	assert_int_equal(st.tcp_gap_bytes, 140);
	assert_true(st.truncated_packets >= 1);
	assert_int_equal(ev_count(&l, 'H'), REPEAT - 1 + REPEAT);
	evlog_free(&l);
}

static void test_mid_stream(void **state)
{
	static struct plan p;
	struct cap_pipeline_stats st;
	struct evlog l = { 0 };
	const struct ev *e;
	size_t i, skip;

	(void)state;
	/* No handshake: roles come from the data. */
	full_plan(&p, 300);
	p.handshake = false;
	p.sport = 40000; /* server on the higher port: the port guess would be wrong */
	run_plan(&p, cdata, sdata, NULL, &l, &st);
	check_full_exchange(&p, &l);
	evlog_free(&l);

	/* The capture starts inside the first request: it is lost, the
	 * second and third are found at their request lines. */
	full_plan(&p, 100);
	p.handshake = false;
	for (skip = 0; p.v[skip].dir == 0 && p.v[skip].off < 200; skip++)
		;
	memmove(&p.v[0], &p.v[skip], (p.n - skip) * sizeof(p.v[0]));
	p.n -= skip;
	run_plan(&p, cdata, sdata, NULL, &l, &st);
	assert_int_equal(st.http_parse_errors, 0);
	for (i = 0; i < ev_count(&l, 'H'); i++) {
		e = ev_nth(&l, 'H', i);
		assert_int_equal(e->server.port, p.sport);
	}
	assert_int_equal(ev_count(&l, 'H'), REPEAT - 1 + REPEAT);
	evlog_free(&l);
}

static void test_head_over_cap(void **state)
{
	static uint8_t big[8192];
	static struct plan p;
	struct cap_pipeline_limits lim;
	struct cap_pipeline_stats st;
	struct evlog l = { 0 };
	size_t o;

	(void)state;
	/* A 5000-byte request head, then a normal one, with a 1 KiB cap. */
	o = (size_t)snprintf((char *)big, sizeof(big), "GET /big HTTP/1.1\r\nX-Pad: ");
	memset(big + o, 'p', 5000);
	o += 5000;
	memcpy(big + o, "\r\n\r\n", 4);
	o += 4;
	memcpy(big + o, http_x.c2s, one_c);
	o += one_c;
	memset(&lim, 0, sizeof(lim));
	lim.max_stream_buffer = 1024;
	plan_init(&p);
	plan_cut(&p, 0, o, 100, 100);
	run_plan(&p, big, sdata, &lim, &l, &st);
	assert_int_equal(ev_count(&l, 'H'), 1);
	assert_true(ev_nth(&l, 'H', 0)->has_auth);
	assert_true(st.http_cap_hits >= 1);
	assert_true(st.buffer_cap_hits >= 1);
	assert_true(st.buffer_bytes_peak <= 1024);
	assert_true(st.stream_cap_hits >= 1);
	assert_int_equal(st.message_cap_hits, 0);
	evlog_free(&l);

	/* The same head against --max-message instead: skipped whole, nothing over the
	 * stream buffer, the next request found. */
	memset(&lim, 0, sizeof(lim));
	lim.max_message = 1024;
	run_plan(&p, big, sdata, &lim, &l, &st);
	assert_int_equal(ev_count(&l, 'H'), 1);
	assert_true(ev_nth(&l, 'H', 0)->has_auth);
	assert_int_equal(st.message_cap_hits, 1);
	assert_int_equal(st.stream_cap_hits, 0);
	assert_true(st.buffer_bytes_peak <= 4096); /* one buffer of the smallest size */
	evlog_free(&l);

	/* --max-total-buffer below one buffer: nothing is held, each refusal counted (and,
	 * under the sanitizers, nothing leaks). */
	memset(&lim, 0, sizeof(lim));
	lim.max_total_buffer = 1;
	run_plan(&p, big, sdata, &lim, &l, &st);
	assert_true(st.total_cap_hits >= 1);
	assert_int_equal(st.buffer_bytes_peak, 0);
	evlog_free(&l);
}

/* ---- Kerberos over TCP ---- */

static void test_krb_record_split(void **state)
{
	static struct plan p;
	static uint8_t two[65536];
	struct cap_pipeline_stats st;
	struct evlog l = { 0 };
	const struct ev *k;
	size_t rec = krb_x.nc, i;
	uint32_t hole = 0;

	(void)state;
	assert_true(rec > 8 && 2 * rec < sizeof(two));
	/* One byte per segment: one PDU, at the last frame. */
	plan_init(&p);
	p.sport = 88;
	plan_cut(&p, 0, rec, 1, 1);
	run_plan(&p, krb_x.c2s, krb_x.s2c, NULL, &l, &st);
	assert_int_equal(ev_count(&l, 'K'), 1);
	k = ev_nth(&l, 'K', 0);
	assert_int_equal(k->frame, 3 + rec);
	assert_int_equal(k->nbytes, rec - 4);
	assert_memory_equal(k->bytes, krb_x.c2s + 4, rec - 4);
	assert_false(k->from_server);
	assert_int_equal(k->server.port, 88);
	evlog_free(&l);

	/* Two records, a hole in the first: the second is found again. */
	memcpy(two, krb_x.c2s, rec);
	memcpy(two + rec, krb_x.c2s, rec);
	plan_init(&p);
	p.sport = 88;
	plan_cut(&p, 0, 2 * rec, 16, 16);
	for (i = 0; i < p.n; i++) {
		if (p.v[i].off == 32) {
			hole = p.v[i].len;
			memmove(&p.v[i], &p.v[i + 1], (p.n - i - 1) * sizeof(p.v[0]));
			p.n--;
			break;
		}
	}
	run_plan(&p, two, krb_x.s2c, NULL, &l, &st);
	assert_int_equal(st.tcp_gaps, 1);
	assert_int_equal(st.tcp_gap_bytes, hole);
	assert_int_equal(ev_count(&l, 'K'), 1);
	k = ev_nth(&l, 'K', 0);
	assert_memory_equal(k->bytes, krb_x.c2s + 4, rec - 4);
	evlog_free(&l);
}

static void test_krb_record_over_cap(void **state)
{
	static const uint8_t small[] = { 0, 0, 0, 3, 0x6a, 0x01, 0x00 };
	static struct plan p;
	static uint8_t two[65536];
	struct cap_pipeline_limits lim;
	struct cap_pipeline_stats st;
	struct evlog l = { 0 };
	size_t rec = krb_x.nc;

	(void)state;
	memcpy(two, krb_x.c2s, rec);
	memcpy(two + rec, small, sizeof(small));
	memset(&lim, 0, sizeof(lim));
	lim.max_stream_buffer = 64;
	plan_init(&p);
	p.sport = 88;
	plan_cut(&p, 0, rec + sizeof(small), 40, 40);
	run_plan(&p, two, krb_x.s2c, &lim, &l, &st);
	assert_int_equal(st.krb_cap_hits, 1);
	assert_int_equal(st.stream_cap_hits, 1);
	assert_int_equal(ev_count(&l, 'K'), 1);
	assert_int_equal(ev_nth(&l, 'K', 0)->nbytes, 3);
	evlog_free(&l);
	/* Under --max-message rather than the buffer: the same skip, counted there. */
	memset(&lim, 0, sizeof(lim));
	lim.max_message = 64;
	run_plan(&p, two, krb_x.s2c, &lim, &l, &st);
	assert_int_equal(st.message_cap_hits, 1);
	assert_int_equal(st.stream_cap_hits, 0);
	assert_int_equal(ev_count(&l, 'K'), 1);
	assert_int_equal(ev_nth(&l, 'K', 0)->nbytes, 3);
	evlog_free(&l);
}

/* ---- the flow table ---- */

static void test_lru_eviction(void **state)
{
	static struct frame_buf f;
	struct cap_pipeline_limits lim;
	struct evlog l = { 0 };
	struct cap_sink sink = ev_sink(&l);
	struct cap_pipeline *pl;
	const struct cap_pipeline_stats *st;
	size_t i, evicted = 0;
	uint16_t port;

	(void)state;
	memset(&lim, 0, sizeof(lim));
	lim.max_flows = 4;
	pl = cap_pipeline_new(1, &lim, &sink);
	assert_non_null(pl);
	for (port = 1000; port < 1010; port++) {
		tcp_frame(&f, 1, port, 2, 80, 1, 0, 0x02, NULL, 0);
		cap_pipeline_packet(pl, 1.0, f.b, f.len, f.len);
	}
	/* Flow 1009 is recent: touching it keeps it; flow 1000 comes back new. */
	tcp_frame(&f, 1, 1009, 2, 80, 2, 0, 0x10, NULL, 0);
	cap_pipeline_packet(pl, 1.0, f.b, f.len, f.len);
	tcp_frame(&f, 1, 1000, 2, 80, 2, 0, 0x10, NULL, 0);
	cap_pipeline_packet(pl, 1.0, f.b, f.len, f.len);
	st = cap_pipeline_stats(pl);
	assert_int_equal(st->flows_created, 11);
	assert_int_equal(st->flows_evicted, 7);
	assert_int_equal(st->flows_peak, 4);
	for (i = 0; i < l.n; i++)
		evicted += l.v[i].type == 'C' && l.v[i].conn_kind == CAP_CONN_EVICTED;
	assert_int_equal(evicted, 7);
	/* Streams in order of first sight; the returning flow gets a new one. */
	assert_int_equal(ev_nth(&l, 'C', 0)->stream, 0);
	assert_int_equal(l.v[l.n - 1].type, 'C');
	assert_int_equal(l.v[l.n - 1].conn_kind, CAP_CONN_OPEN);
	assert_int_equal(l.v[l.n - 1].stream, 10);
	cap_pipeline_finish(pl);
	cap_pipeline_free(pl);
	evlog_free(&l);
}

static void test_port_reuse_new_stream(void **state)
{
	static struct frame_buf f;
	struct evlog l = { 0 };
	struct cap_sink sink = ev_sink(&l);
	struct cap_pipeline *pl = cap_pipeline_new(1, NULL, &sink);
	size_t i, opens = 0;

	(void)state;
	assert_non_null(pl);
	tcp_frame(&f, 1, 5555, 2, 80, 100, 0, 0x02, NULL, 0);
	cap_pipeline_packet(pl, 1.0, f.b, f.len, f.len);
	cap_pipeline_packet(pl, 1.5, f.b, f.len, f.len); /* retransmitted SYN: same stream */
	tcp_frame(&f, 2, 80, 1, 5555, 0, 0, 0x04, NULL, 0);
	cap_pipeline_packet(pl, 2.0, f.b, f.len, f.len);
	tcp_frame(&f, 1, 5555, 2, 80, 900, 0, 0x02, NULL, 0);
	cap_pipeline_packet(pl, 3.0, f.b, f.len, f.len);
	for (i = 0; i < l.n; i++) {
		if (l.v[i].type == 'C' && l.v[i].conn_kind == CAP_CONN_OPEN) {
			assert_int_equal(l.v[i].stream, opens);
			opens++;
		}
	}
	assert_int_equal(opens, 2);
	assert_int_equal(ev_nth(&l, 'C', 1)->conn_kind, CAP_CONN_RST);
	assert_true(ev_nth(&l, 'C', 1)->from_server);
	cap_pipeline_free(pl);
	evlog_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_order_sizes),
		cmocka_unit_test(test_reordered),
		cmocka_unit_test(test_retransmitted_and_overlapping),
		cmocka_unit_test(test_gap_resynchronises),
		cmocka_unit_test(test_snaplen_cut_is_a_gap),
		cmocka_unit_test(test_mid_stream),
		cmocka_unit_test(test_head_over_cap),
		cmocka_unit_test(test_krb_record_split),
		cmocka_unit_test(test_krb_record_over_cap),
		cmocka_unit_test(test_lru_eviction),
		cmocka_unit_test(test_port_reuse_new_stream),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
