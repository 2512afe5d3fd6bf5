/* test_http1.c - the HTTP/1.x head parser: complete heads, every prefix
 * incomplete, malformed lines, folding, repeated headers, caps.  Inputs are
 * copied to exact-size heap blocks so that a read past the end trips ASan. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "negscope/http1.h"

#define MAXH 16

/* The copy lives until the next call: results are spans into it. */
static uint8_t *last_copy;

static long parse(const char *text, size_t len, bool request, struct cap_http1_head *h,
		  struct cap_http_header *hdrs, size_t maxh, size_t maxline)
{
	uint8_t *b;
	long r;

	free(last_copy);
	b = last_copy = malloc(len ? len : 1);
	assert_non_null(b);
	memcpy(b, text, len);
	r = request ? cap_http1_parse_request(b, len, h, hdrs, maxh, maxline)
		    : cap_http1_parse_response(b, len, h, hdrs, maxh, maxline);
	return r;
}

static const char req[] =
	"GET /a/b?c=1 HTTP/1.1\r\n"
	"Host: crm.example.test\r\n"
	"Authorization: Negotiate YIIabc==\r\n"
	"X-Dup: one\r\n"
	"X-Dup: two\r\n"
	"\r\n";

static void test_request(void **state)
{
	struct cap_http_header hdrs[MAXH];
	struct cap_http1_head h;
	uint8_t buf[sizeof(req) + 10];
	size_t from = 0;
	long r;

	(void)state;
	memcpy(buf, req, sizeof(req) - 1);
	memcpy(buf + sizeof(req) - 1, "BODYBYTES", 9);
	r = cap_http1_parse_request(buf, sizeof(req) - 1 + 9, &h, hdrs, MAXH, 1024);
	assert_int_equal(r, (long)(sizeof(req) - 1));
	assert_true(h.is_request);
	assert_true(cap_span_eq(h.method, "GET"));
	assert_true(cap_span_eq(h.target, "/a/b?c=1"));
	assert_int_equal(h.version_minor, 1);
	assert_int_equal(h.nheaders, 4);
	assert_true(cap_span_eq(hdrs[1].name, "Authorization"));
	assert_true(cap_span_eq(hdrs[1].value, "Negotiate YIIabc=="));
	assert_int_equal(h.anomalies, 0);
	/* Repeated headers stay, in order. */
	assert_true(cap_span_eq(cap_http1_find(hdrs, h.nheaders, "x-dup", &from)->value, "one"));
	assert_true(cap_span_eq(cap_http1_find(hdrs, h.nheaders, "X-DUP", &from)->value, "two"));
	assert_null(cap_http1_find(hdrs, h.nheaders, "x-dup", &from));
}

static void test_every_prefix_incomplete(void **state)
{
	struct cap_http_header hdrs[MAXH];
	struct cap_http1_head h;
	size_t n;

	(void)state;
	for (n = 0; n < sizeof(req) - 1; n++)
		assert_int_equal(parse(req, n, true, &h, hdrs, MAXH, 1024), CAP_HTTP1_INCOMPLETE);
	assert_int_equal(parse(req, sizeof(req) - 1, true, &h, hdrs, MAXH, 1024),
			 (long)(sizeof(req) - 1));
}

static void test_response(void **state)
{
	static const char rsp[] = "HTTP/1.0 401 Unauthorized\r\n"
				  "WWW-Authenticate: Negotiate\r\n"
				  "WWW-Authenticate: NTLM\r\n"
				  "Content-Length:   12   \r\n\r\n";
	struct cap_http_header hdrs[MAXH];
	struct cap_http1_head h;
	size_t n;

	(void)state;
	assert_int_equal(parse(rsp, sizeof(rsp) - 1, false, &h, hdrs, MAXH, 1024),
			 (long)(sizeof(rsp) - 1));
	assert_false(h.is_request);
	assert_int_equal(h.status, 401);
	assert_int_equal(h.version_minor, 0);
	assert_true(cap_span_eq(h.reason, "Unauthorized"));
	assert_int_equal(h.nheaders, 3);
	assert_true(cap_span_eq(hdrs[2].value, "12")); /* white space trimmed */
	for (n = 0; n < sizeof(rsp) - 1; n++)
		assert_int_equal(parse(rsp, n, false, &h, hdrs, MAXH, 1024), CAP_HTTP1_INCOMPLETE);
	/* Empty reason phrase, bare LF line ends. */
	assert_int_equal(parse("HTTP/1.1 204\n\n", 14, false, &h, hdrs, MAXH, 1024), 14);
	assert_int_equal(h.status, 204);
	assert_int_equal(h.reason.len, 0);
	assert_true(h.anomalies & CAP_HTTP_ANOM_BARE_LF);
}

static void test_malformed(void **state)
{
	static const char *const bad_req[] = {
		"GET\r\n\r\n",
		"GET / HTTP/2.0\r\n\r\n",
		"GET / FTP/1.1\r\n\r\n",
		"G(T / HTTP/1.1\r\n\r\n",
		"GET / HTTP/1.1\r\nNoColon\r\n\r\n",
		"GET / HTTP/1.1\r\n: empty name\r\n\r\n",
		"GET / HTTP/1.1\r\n folded-first\r\n\r\n",
		" GET / HTTP/1.1\r\n\r\n",
	};
	static const char *const bad_rsp[] = {
		"HTTP/1.1 4x1 Bad\r\n\r\n",
		"HTTP/1.1 99 Low\r\n\r\n",
		"HTTP/1.1  \r\n\r\n",
		"HTTP/1.x 200 OK\r\n\r\n",
		"HTTP/1.1 2000 OK\r\n\r\n",
	};
	struct cap_http_header hdrs[MAXH];
	struct cap_http1_head h;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad_req) / sizeof(bad_req[0]); i++)
		assert_int_equal(parse(bad_req[i], strlen(bad_req[i]), true, &h, hdrs, MAXH, 1024),
				 CAP_HTTP1_MALFORMED);
	for (i = 0; i < sizeof(bad_rsp) / sizeof(bad_rsp[0]); i++)
		assert_int_equal(parse(bad_rsp[i], strlen(bad_rsp[i]), false, &h, hdrs, MAXH, 1024),
				 CAP_HTTP1_MALFORMED);
}

static void test_folding_and_caps(void **state)
{
	static const char folded[] = "GET / HTTP/1.1\r\n"
				     "Authorization: Negotiate\r\n"
				     "\tYIIabc\r\n"
				     "Host: h\r\n\r\n";
	struct cap_http_header hdrs[MAXH];
	struct cap_http1_head h;
	char many[2048], longh[600];
	size_t o, i;

	(void)state;
	assert_int_equal(parse(folded, sizeof(folded) - 1, true, &h, hdrs, MAXH, 1024),
			 (long)(sizeof(folded) - 1));
	assert_true(h.anomalies & CAP_HTTP_ANOM_FOLDED);
	assert_int_equal(h.nheaders, 3);
	assert_null(hdrs[1].name.p); /* continuation reported as a nameless header */
	assert_true(cap_span_eq(hdrs[1].value, "YIIabc"));

	/* More headers than the array: the head still parses to its end. */
	o = (size_t)snprintf(many, sizeof(many), "GET / HTTP/1.1\r\n");
	for (i = 0; i < 20; i++)
		o += (size_t)snprintf(many + o, sizeof(many) - o, "H%zu: v\r\n", i);
	o += (size_t)snprintf(many + o, sizeof(many) - o, "\r\n");
	assert_int_equal(parse(many, o, true, &h, hdrs, 4, 1024), (long)o);
	assert_int_equal(h.nheaders, 4);
	assert_true(h.anomalies & CAP_HTTP_ANOM_TOO_MANY);

	/* A header line over the line cap: value cut, flagged. */
	o = (size_t)snprintf(longh, sizeof(longh), "GET / HTTP/1.1\r\nX-Long: ");
	memset(longh + o, 'a', 400);
	o += 400;
	o += (size_t)snprintf(longh + o, sizeof(longh) - o, "\r\n\r\n");
	assert_int_equal(parse(longh, o, true, &h, hdrs, MAXH, 100), (long)o);
	assert_true(h.anomalies & CAP_HTTP_ANOM_LONG_HEADER);
	assert_true(hdrs[0].value.len <= 100);
	/* A request line over the cap is malformed. */
	assert_int_equal(parse(longh, o, true, &h, hdrs, MAXH, 10), CAP_HTTP1_MALFORMED);
}

static void test_helpers(void **state)
{
	bool is_req = false;

	(void)state;
	assert_true(cap_http1_list_has(cap_span_of("keep-alive, Close", 17), "close"));
	assert_false(cap_http1_list_has(cap_span_of("keep-alive, closed", 18), "close"));
	assert_true(cap_http1_list_has(cap_span_of("chunked", 7), "chunked"));
	assert_true(cap_http1_looks_like_start((const uint8_t *)"GET / HTTP/1.1\r\n", 16, &is_req));
	assert_true(is_req);
	assert_true(cap_http1_looks_like_start((const uint8_t *)"HTTP/1.1 401 X\r\n", 16, &is_req));
	assert_false(is_req);
	assert_true(cap_http1_looks_like_start((const uint8_t *)"RPC_IN_DATA /rpc HTTP/1.1\r\n", 27,
					       &is_req));
	assert_false(cap_http1_looks_like_start((const uint8_t *)"GET / SMTP\r\n", 12, &is_req));
	assert_false(cap_http1_looks_like_start((const uint8_t *)"\x00\x00\x01\x02GET", 7, &is_req));
	assert_false(cap_http1_looks_like_start((const uint8_t *)"GETX / HTTP/1.1\r\n", 17, &is_req));
	/* A request line still arriving (long target) is taken as a start. */
	assert_true(cap_http1_looks_like_start((const uint8_t *)"POST /aaaaaaaaaaaa", 18, &is_req));
	assert_true(cap_http1_span_ieq(cap_span_of("WWW-Authenticate", 16), "www-authenticate"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request),
		cmocka_unit_test(test_every_prefix_incomplete),
		cmocka_unit_test(test_response),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_folding_and_caps),
		cmocka_unit_test(test_helpers),
	};

	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	free(last_copy);
	return rc;
}
