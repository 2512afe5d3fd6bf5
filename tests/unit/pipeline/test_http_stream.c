/* test_http_stream.c - HTTP message framing over a TCP stream (RFC 9112
 * section 6.3): pipelined requests paired with responses in order, HEAD /
 * 1xx / 204 / 304 without body, Content-Length and chunked bodies skipped
 * (extensions, trailers), close-delimited bodies, Connection: close and
 * HTTP/1.0, folded headers joined, 101 Upgrade ending HTTP parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "pl_harness.h"

/* The exchange of pl_run_exchange (frames 4 and 5 carry cl and sv). */
static void run_exchange(const char *cl, const char *sv, struct evlog *l,
			 struct cap_pipeline_stats *st)
{
	struct cap_sink sink = ev_sink(l);

	pl_run_exchange((const uint8_t *)cl, (uint32_t)strlen(cl), (const uint8_t *)sv,
			(uint32_t)strlen(sv), &sink, st);
}

static void test_framing_and_pairing(void **state)
{
	static const char cl[] =
		"HEAD /a HTTP/1.1\r\nHost: h\r\n\r\n"
		"POST /b HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\nhello"
		"GET /c HTTP/1.1\r\nHost: h\r\n\r\n"
		"GET /d HTTP/1.1\r\nHost: h\r\nAuthorization: Negotiate\r\n\tYIIfolded\r\n\r\n"
		"GET /e HTTP/1.0\r\n\r\n";
	static const char sv[] =
		"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"
		"HTTP/1.1 100 Continue\r\n\r\n"
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		"5;ext=1\r\nhello\r\nA\r\n0123456789\r\n0\r\nTrailer: x\r\n\r\n"
		"HTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\n\r\n"
		"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Negotiate\r\n"
		"Connection: keep-alive, close\r\nContent-Length: 3\r\n\r\nabc"
		"HTTP/1.0 200 OK\r\n\r\n"
		"body that runs to the close\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
	static const int status[] = { 200, 100, 200, 304, 401, 200 };
	struct cap_pipeline_stats st;
	struct evlog l = { 0 };
	const struct ev *rq[5], *rs[6];
	size_t i, nq = 0, ns = 0;

	(void)state;
	run_exchange(cl, sv, &l, &st);
	for (i = 0; i < ev_count(&l, 'H'); i++) {
		const struct ev *e = ev_nth(&l, 'H', i);

		if (e->is_request && nq < 5)
			rq[nq++] = e;
		else if (!e->is_request && ns < 6)
			rs[ns++] = e;
	}
	/* The HTTP-looking line inside the close-delimited body is body. */
	assert_int_equal(ev_count(&l, 'H'), 11);
	assert_int_equal(nq, 5);
	assert_int_equal(ns, 6);
	assert_int_equal(st.http_parse_errors, 0);
	for (i = 0; i < 6; i++) {
		assert_int_equal(rs[i]->status, status[i]);
		assert_int_equal(rs[i]->frame, 5);
		assert_int_equal(rs[i]->paired_frame, i == 1 ? 0 : 4);
	}
	for (i = 0; i < 5; i++)
		assert_int_equal(rq[i]->frame, 4);
	assert_string_equal(rq[0]->method, "HEAD");
	assert_string_equal(rq[1]->method, "POST");
	assert_int_equal(rq[1]->body_bytes, 5);
	assert_true(rs[2]->chunked);
	/* The folded Authorization value is joined with one space. */
	assert_true(rq[3]->has_auth);
	assert_string_equal(rq[3]->auth, "Negotiate YIIfolded");
	assert_true(rq[3]->anomalies & CAP_HTTP_ANOM_FOLDED);
	assert_int_equal(rs[4]->close, CAP_HTTP_CLOSE_HEADER);
	assert_int_equal(rq[4]->close, CAP_HTTP_CLOSE_HTTP10);
	assert_int_equal(rs[5]->close, CAP_HTTP_CLOSE_HTTP10);
	assert_int_equal(rs[0]->close, CAP_HTTP_CLOSE_NONE);
	assert_int_equal(rs[3]->body_bytes, 0); /* 304: no body whatever it declares */
	assert_int_equal(rs[0]->body_bytes, 0); /* answer to HEAD */
	/* FIN events, the stream marked HTTP. */
	assert_int_equal(l.v[l.n - 1].type, 'C');
	assert_int_equal(l.v[l.n - 1].conn_kind, CAP_CONN_FIN);
	assert_int_equal(l.v[l.n - 2].conn_kind, CAP_CONN_FIN);
	assert_true(l.v[l.n - 2].from_server);
	evlog_free(&l);
}

static void test_upgrade_ends_http(void **state)
{
	static const char cl[] = "GET /ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
				 "GET /not-http HTTP/1.1\r\n\r\n";
	static const char sv[] = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n"
				 "HTTP/1.1 200 OK\r\n\r\n";
	struct cap_pipeline_stats st;
	struct evlog l = { 0 };

	(void)state;
	run_exchange(cl, sv, &l, &st);
	/* Both requests were sent before the 101 arrived (frame 4); after the
	 * 101 the server's bytes are the new protocol's, not a 200. */
	assert_int_equal(ev_count(&l, 'H'), 3);
	assert_int_equal(ev_nth(&l, 'H', 2)->status, 101);
	evlog_free(&l);
}

static void test_not_http_is_ignored(void **state)
{
	static char cl[4096], sv[4096];
	struct cap_pipeline_stats st;
	struct evlog l = { 0 };

	(void)state;
	/* Binary traffic: the stream is given up, its bytes never parsed. */
	memset(cl, 'Z', sizeof(cl) - 1);
	memset(sv, 0x7f, sizeof(sv) - 1);
	run_exchange(cl, sv, &l, &st);
	assert_int_equal(ev_count(&l, 'H'), 0);
	assert_int_equal(st.http_parse_errors, 0);
	assert_int_equal(st.buffer_bytes_peak, 0);
	evlog_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_framing_and_pairing),
		cmocka_unit_test(test_upgrade_ends_http),
		cmocka_unit_test(test_not_http_is_ignored),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
