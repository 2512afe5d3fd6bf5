/* test_h2_refused.c - the connection event of an HTTP/2 refusal with HTTP_1_1_REQUIRED
 * (RFC 9113 section 7) over cleartext h2c: RST_STREAM names its stream, GOAWAY its
 * last_stream_id (section 6.8) and says it is a GOAWAY; other error codes and the client's
 * frames are no refusal.  Frames built by hand (section 4.1), header blocks from HPACK's
 * static table (RFC 7541 appendix A). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "negscope/http2.h"
#include "pl_harness.h"

struct refusals {
	struct evlog ev;
	size_t n;
	struct cap_conn_event last;
};

static void on_conn(void *ctx, const struct cap_conn_event *e)
{
	struct refusals *r = ctx;

	ev_on_conn(&r->ev, e);
	if (e->kind != CAP_CONN_H2_REFUSED)
		return;
	r->n++;
	r->last = *e;
}

static void on_http(void *ctx, const struct cap_http_msg *m)
{
	struct refusals *r = ctx;

	ev_on_http(&r->ev, m);
}

/* A frame header (9 bytes) and its payload appended at buf + *n. */
static void frame(uint8_t *buf, size_t *n, uint8_t type, uint8_t flags, uint32_t sid,
		  const uint8_t *payload, uint32_t len)
{
	uint8_t *p = buf + *n;

	p[0] = (uint8_t)(len >> 16);
	p[1] = (uint8_t)(len >> 8);
	p[2] = (uint8_t)len;
	p[3] = type;
	p[4] = flags;
	put32(p + 5, sid);
	if (len > 0)
		memcpy(p + 9, payload, len);
	*n += 9 + len;
}

#define T_HEADERS 1
#define T_RST_STREAM 3
#define T_SETTINGS 4
#define T_GOAWAY 7
#define END_STREAM_HEADERS 0x05

/* The client: preface, SETTINGS, GET / on streams 1 and 3 (:method GET, :path /,
 * :scheme http, :authority "h" as a literal without indexing). */
static size_t client_bytes(uint8_t *buf)
{
	static const uint8_t get[] = {0x82, 0x84, 0x86, 0x01, 0x01, 'h'};
	size_t n = CAP_H2_PREFACE_LEN;

	memcpy(buf, CAP_H2_PREFACE, CAP_H2_PREFACE_LEN);
	frame(buf, &n, T_SETTINGS, 0, 0, NULL, 0);
	frame(buf, &n, T_HEADERS, END_STREAM_HEADERS, 1, get, sizeof(get));
	frame(buf, &n, T_HEADERS, END_STREAM_HEADERS, 3, get, sizeof(get));
	return n;
}

/* The server: SETTINGS, then RST_STREAM on `sid` (goaway false) or GOAWAY with
 * last_stream_id `sid`, carrying `error`. */
static void run(bool goaway, uint32_t sid, uint32_t error, struct refusals *r)
{
	uint8_t cl[128], sv[64], pay[8];
	size_t cn = client_bytes(cl), sn = 0;
	struct cap_sink sink;
	struct cap_pipeline_stats st;

	memset(r, 0, sizeof(*r));
	memset(&sink, 0, sizeof(sink));
	sink.ctx = r;
	sink.http = on_http;
	sink.conn = on_conn;
	frame(sv, &sn, T_SETTINGS, 0, 0, NULL, 0);
	if (goaway) {
		put32(pay, sid);
		put32(pay + 4, error);
		frame(sv, &sn, T_GOAWAY, 0, 0, pay, 8);
	} else {
		put32(pay, error);
		frame(sv, &sn, T_RST_STREAM, 0, sid, pay, 4);
	}
	pl_run_exchange(cl, (uint32_t)cn, sv, (uint32_t)sn, &sink, &st);
	assert_int_equal(st.http_parse_errors, 0);
	/* both requests decoded, as HTTP/2 messages */
	assert_int_equal(ev_count(&r->ev, 'H'), 2);
	assert_true(ev_nth(&r->ev, 'H', 1)->is_request);
}

/* One refusal, in the server's data segment (frame 5), from the server of the h2c
 * connection, saying which frame it was and which stream it carries. */
static void one_refusal(const struct refusals *r, bool goaway, uint32_t sid)
{
	assert_int_equal(r->n, 1);
	assert_int_equal(r->last.h2_goaway, goaway);
	assert_int_equal(r->last.h2_stream_id, sid);
	assert_int_equal(r->last.frame, 5);
	assert_true(r->last.from_server);
	assert_true(r->last.is_http);
	assert_int_equal(r->last.server.port, 80);
	assert_int_equal(r->last.client.port, 41000);
}

static void rst_stream_names_its_stream(void **state)
{
	struct refusals r;

	(void)state;
	run(false, 3, CAP_H2_ERR_HTTP_1_1_REQUIRED, &r);
	one_refusal(&r, false, 3);
	evlog_free(&r.ev);
}

/* GOAWAY carries the last stream the server accepted (1), not the refused one (3): the
 * event says it is a GOAWAY, so the analysis can tell. */
static void goaway_carries_last_stream(void **state)
{
	struct refusals r;

	(void)state;
	run(true, 1, CAP_H2_ERR_HTTP_1_1_REQUIRED, &r);
	one_refusal(&r, true, 1);
	evlog_free(&r.ev);
}

/* Another error code (REFUSED_STREAM 0x7, NO_ERROR) is no downgrade. */
static void other_errors_are_no_refusal(void **state)
{
	struct refusals r;

	(void)state;
	run(false, 3, 0x7, &r);
	assert_int_equal(r.n, 0);
	evlog_free(&r.ev);
	run(true, 1, 0x0, &r);
	assert_int_equal(r.n, 0);
	evlog_free(&r.ev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rst_stream_names_its_stream),
		cmocka_unit_test(goaway_carries_last_stream),
		cmocka_unit_test(other_errors_are_no_refusal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
