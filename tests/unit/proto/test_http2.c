/* test_http2.c - the HTTP/2 frame decoder (capture/proto/http2.c): header blocks (HPACK
 * made by libnghttp2's deflater, the encoder a real peer uses), CONTINUATION, padding and
 * priority, RST_STREAM/GOAWAY, frames fed in pieces, and every cap and malformed frame. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <nghttp2/nghttp2.h>

#include "negscope/http2.h"

struct out {
	int headers, rst, goaway;
	uint32_t last_sid, last_err;
	size_t nheaders;
	bool end_stream, cut;
	char fields[1024];
};

static void on_ev(void *ctx, const struct cap_h2_event *ev)
{
	struct out *o = ctx;
	size_t i, at = 0;

	if (ev->kind == CAP_H2_HEADERS) {
		o->headers++;
		o->last_sid = ev->stream_id;
		o->nheaders = ev->nheaders;
		o->end_stream = ev->end_stream;
		o->cut = ev->headers_cut;
		o->fields[0] = '\0';
		for (i = 0; i < ev->nheaders && at < sizeof(o->fields); i++)
			at += (size_t)snprintf(o->fields + at, sizeof(o->fields) - at, "%.*s=%.*s;",
					       (int)ev->headers[i].name.len,
					       (const char *)ev->headers[i].name.p,
					       (int)ev->headers[i].value.len,
					       (const char *)ev->headers[i].value.p);
	} else if (ev->kind == CAP_H2_RST_STREAM) {
		o->rst++;
		o->last_sid = ev->stream_id;
		o->last_err = ev->error_code;
	} else {
		o->goaway++;
		o->last_sid = ev->last_stream_id;
		o->last_err = ev->error_code;
	}
}

#define NV(n, v) { (uint8_t *)(n), (uint8_t *)(v), sizeof(n) - 1, sizeof(v) - 1, \
		   NGHTTP2_NV_FLAG_NONE }

/* An HPACK block of the request's fields, from a deflater kept across blocks. */
static size_t deflate(nghttp2_hd_deflater *df, const nghttp2_nv *nv, size_t n, uint8_t *buf,
		      size_t cap)
{
	ssize_t r = nghttp2_hd_deflate_hd(df, buf, cap, nv, n);

	assert_true(r > 0);
	return (size_t)r;
}

static size_t frame(uint8_t *buf, size_t len, unsigned type, unsigned flags, uint32_t sid,
		    const uint8_t *payload)
{
	buf[0] = (uint8_t)(len >> 16);
	buf[1] = (uint8_t)(len >> 8);
	buf[2] = (uint8_t)len;
	buf[3] = (uint8_t)type;
	buf[4] = (uint8_t)flags;
	buf[5] = (uint8_t)(sid >> 24);
	buf[6] = (uint8_t)(sid >> 16);
	buf[7] = (uint8_t)(sid >> 8);
	buf[8] = (uint8_t)sid;
	if (len > 0)
		memcpy(buf + 9, payload, len);
	return 9 + len;
}

static const nghttp2_nv req[] = {
	NV(":method", "GET"), NV(":path", "/crm"), NV(":scheme", "https"),
	NV(":authority", "crm.example.test"), NV("authorization", "Negotiate YIIabc"),
};

static struct cap_h2_dir *dir(bool client, size_t max_frame, size_t max_list, size_t max_hdrs)
{
	struct cap_h2_limits lim = { max_frame, max_list, max_hdrs };
	struct cap_h2_dir *d = cap_h2_dir_new(client, &lim);

	assert_non_null(d);
	return d;
}

/* Feeds buf in pieces of `step` bytes, keeping what the decoder did not take, as the
 * reassembler does. */
static void feed(struct cap_h2_dir *d, const uint8_t *buf, size_t n, size_t step, struct out *o)
{
	uint8_t held[8192];
	size_t nheld = 0, off = 0;

	while (off < n) {
		size_t k = n - off < step ? n - off : step, used;

		assert_true(nheld + k <= sizeof(held));
		memcpy(held + nheld, buf + off, k);
		nheld += k;
		off += k;
		used = cap_h2_dir_consume(d, held, nheld, on_ev, o);
		assert_true(used <= nheld);
		memmove(held, held + used, nheld - used);
		nheld -= used;
	}
	assert_int_equal(nheld, 0);
}

static void test_request_in_pieces(void **state)
{
	nghttp2_hd_deflater *df;
	uint8_t block[512], wire[2048];
	size_t bl, n = 0, step;

	(void)state;
	assert_int_equal(nghttp2_hd_deflate_new(&df, 4096), 0);
	bl = deflate(df, req, 5, block, sizeof(block));
	nghttp2_hd_deflate_del(df);
	memcpy(wire, CAP_H2_PREFACE, CAP_H2_PREFACE_LEN);
	n = CAP_H2_PREFACE_LEN;
	n += frame(wire + n, 0, 4, 0, 0, NULL); /* SETTINGS */
	/* HEADERS (first half of the block) + CONTINUATION (rest, END_HEADERS) */
	n += frame(wire + n, bl / 2, 1, 0x01, 1, block);
	n += frame(wire + n, bl - bl / 2, 9, 0x04, 1, block + bl / 2);
	for (step = 1; step <= n; step += 7) {
		struct out o = { 0 };
		struct cap_h2_dir *d = dir(true, 0, 0, 0);

		feed(d, wire, n, step, &o);
		assert_int_equal(o.headers, 1);
		assert_int_equal(o.last_sid, 1);
		assert_true(o.end_stream);
		assert_string_equal(o.fields, ":method=GET;:path=/crm;:scheme=https;"
				    ":authority=crm.example.test;authorization=Negotiate YIIabc;");
		assert_int_equal(cap_h2_dir_stats(d)->frames, 3);
		cap_h2_dir_free(d);
	}
}

static void test_padding_priority_and_dynamic_table(void **state)
{
	nghttp2_hd_deflater *df;
	uint8_t block[512], payload[600], wire[4096];
	size_t bl, n = 0, pl;
	struct out o = { 0 };
	struct cap_h2_dir *d = dir(true, 0, 0, 0);
	int i;

	(void)state;
	assert_int_equal(nghttp2_hd_deflate_new(&df, 4096), 0);
	for (i = 0; i < 2; i++) {
		/* the second block refers to the first one's dynamic table entries */
		bl = deflate(df, req, 5, block, sizeof(block));
		pl = 0;
		payload[pl++] = 3; /* pad length */
		memset(payload + pl, 0, 5); /* priority: dependency + weight */
		pl += 5;
		memcpy(payload + pl, block, bl);
		pl += bl;
		memset(payload + pl, 0, 3);
		pl += 3;
		n += frame(wire + n, pl, 1, 0x04 | 0x08 | 0x20, (uint32_t)(1 + 2 * i), payload);
	}
	nghttp2_hd_deflate_del(df);
	feed(d, wire, n, n, &o);
	assert_int_equal(o.headers, 2);
	assert_int_equal(o.last_sid, 3);
	assert_false(o.end_stream);
	assert_non_null(strstr(o.fields, "authorization=Negotiate YIIabc;"));
	cap_h2_dir_free(d);
}

static void test_rst_goaway(void **state)
{
	uint8_t wire[64], p[8] = { 0, 0, 0, 0xd };
	uint8_t g[8] = { 0, 0, 0, 1, 0, 0, 0, 0xd };
	size_t n = 0;
	struct out o = { 0 };
	struct cap_h2_dir *d = dir(false, 0, 0, 0);

	(void)state;
	n += frame(wire + n, 4, 3, 0, 1, p);
	feed(d, wire, n, 1, &o);
	assert_int_equal(o.rst, 1);
	assert_int_equal(o.last_err, CAP_H2_ERR_HTTP_1_1_REQUIRED);
	assert_string_equal(cap_h2_error_name(o.last_err), "HTTP_1_1_REQUIRED");
	assert_null(cap_h2_error_name(0x99));
	n = frame(wire, 8, 7, 0, 0, g);
	feed(d, wire, n, n, &o);
	assert_int_equal(o.goaway, 1);
	assert_int_equal(o.last_sid, 1);
	/* a short RST_STREAM is malformed, not an event */
	n = frame(wire, 2, 3, 0, 1, p);
	feed(d, wire, n, n, &o);
	assert_int_equal(o.rst, 1);
	assert_int_equal(cap_h2_dir_stats(d)->malformed, 1);
	cap_h2_dir_free(d);
}

static void test_caps(void **state)
{
	nghttp2_hd_deflater *df;
	uint8_t block[512], big[300], wire[4096], p[4] = { 0, 0, 0, 8 };
	size_t bl, n = 0;
	struct out o = { 0 };
	struct cap_h2_dir *d;

	(void)state;
	memset(big, 'x', sizeof(big));
	/* a DATA frame over max_frame is skipped, the next frame is read */
	d = dir(false, 256, 0, 0);
	n += frame(wire + n, sizeof(big), 0, 0, 1, big);
	n += frame(wire + n, 4, 3, 0, 1, p);
	feed(d, wire, n, 5, &o);
	assert_int_equal(cap_h2_dir_stats(d)->frame_cap_hits, 1);
	assert_int_equal(o.rst, 1);
	cap_h2_dir_free(d);

	/* more fields than max_headers: the first ones kept, the block marked cut */
	assert_int_equal(nghttp2_hd_deflate_new(&df, 4096), 0);
	bl = deflate(df, req, 5, block, sizeof(block));
	nghttp2_hd_deflate_del(df);
	d = dir(true, 0, 0, 2);
	n = frame(wire, bl, 1, 0x04, 1, block);
	memset(&o, 0, sizeof(o));
	feed(d, wire, n, n, &o);
	assert_int_equal(o.nheaders, 2);
	assert_true(o.cut);
	assert_int_equal(cap_h2_dir_stats(d)->header_cap_hits, 1);
	cap_h2_dir_free(d);

	/* a block over max_header_list: lost, and HPACK state with it */
	d = dir(true, 0, 16, 0);
	n = frame(wire, bl, 1, 0x04, 1, block);
	n += frame(wire + n, bl, 1, 0x04, 3, block);
	memset(&o, 0, sizeof(o));
	feed(d, wire, n, n, &o);
	assert_int_equal(o.headers, 0);
	assert_int_equal(cap_h2_dir_stats(d)->blocks_lost, 2);
	cap_h2_dir_free(d);
}

static void test_hostile(void **state)
{
	uint8_t wire[256], bad[16];
	size_t n;
	struct out o = { 0 };
	struct cap_h2_dir *d = dir(true, 0, 0, 0);

	(void)state;
	/* padding longer than the frame */
	bad[0] = 200;
	n = frame(wire, 4, 1, 0x04 | 0x08, 1, bad);
	feed(d, wire, n, n, &o);
	assert_int_equal(cap_h2_dir_stats(d)->malformed, 1);
	cap_h2_dir_free(d);

	/* bytes that are not HPACK (an index past every table) */
	d = dir(true, 0, 0, 0);
	memset(bad, 0xff, sizeof(bad));
	n = frame(wire, sizeof(bad), 1, 0x04, 1, bad);
	feed(d, wire, n, n, &o);
	assert_int_equal(o.headers, 0);
	assert_int_equal(cap_h2_dir_stats(d)->hpack_errors, 1);
	/* CONTINUATION with no block open, then a gap: nothing decoded after it */
	n = frame(wire, 1, 9, 0x04, 1, bad);
	feed(d, wire, n, n, &o);
	assert_int_equal(cap_h2_dir_stats(d)->malformed, 1);
	cap_h2_dir_gap(d);
	assert_int_equal(cap_h2_dir_consume(d, wire, n, on_ev, &o), n);
	assert_int_equal(cap_h2_dir_stats(d)->frames, 2);
	cap_h2_dir_free(d);

	/* not a preface: the client side reads frames from the first byte */
	assert_true(cap_h2_is_preface((const uint8_t *)"PRI * HT", 8));
	assert_false(cap_h2_is_preface((const uint8_t *)"GET / HTTP/1.1", 14));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_in_pieces),
		cmocka_unit_test(test_padding_priority_and_dynamic_table),
		cmocka_unit_test(test_rst_goaway),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
