/* test_http2_downgrade.c - http2-downgrade over hand-built facts and connection events:
 * which request a refusal with HTTP_1_1_REQUIRED refused (RST_STREAM names its stream,
 * GOAWAY the last stream the server accepted, RFC 9113 section 6.8), and which HTTP/1.1
 * request is its retry (same client, server, method, target and host, another connection,
 * within H2_RETRY_WINDOW). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "fact_build.h"
#include "findings/engine.h"

#define H2_CONN 1 /* TCP stream of the HTTP/2 connection */
#define H1_CONN 2 /* and of the HTTP/1.1 retry's */

struct msg {
	uint64_t frame;
	double ts;
	uint32_t stream;
	uint32_t h2_id; /* 0: HTTP/1.1 */
	bool request;
	int status;
	const char *method, *target, *host;
	uint8_t client; /* last byte of the client's address */
};

static void http(struct cap_analysis *a, const struct msg *m)
{
	struct cap_http_fact f;

	cap_http_fact_init(&f);
	f.frame = m->frame;
	f.first_frame = m->frame;
	f.ts = m->ts;
	f.stream = m->stream;
	f.client = fb_ep(1, m->client != 0 ? m->client : 5, (uint16_t)(50000 + m->stream));
	f.server = fb_ep(1, 80, 443);
	f.is_request = m->request;
	f.http2 = m->h2_id != 0;
	f.h2_stream_id = m->h2_id;
	f.version_minor = 1;
	f.status = m->status;
	snprintf(f.method, sizeof(f.method), "%s", m->method != NULL ? m->method : "GET");
	snprintf(f.target, sizeof(f.target), "%s", m->target != NULL ? m->target : "/crm/");
	snprintf(f.host, sizeof(f.host), "%s", m->host != NULL ? m->host : "crm.example.test");
	cap_analysis_http(a, &f);
}

static void h2_req(struct cap_analysis *a, uint64_t frame, double ts, uint32_t id,
		   const char *target)
{
	struct msg m = {.frame = frame, .ts = ts, .stream = H2_CONN, .h2_id = id, .request = true,
			.target = target};

	http(a, &m);
}

static void h2_resp(struct cap_analysis *a, uint64_t frame, double ts, uint32_t id)
{
	struct msg m = {.frame = frame, .ts = ts, .stream = H2_CONN, .h2_id = id, .status = 200};

	http(a, &m);
}

/* RST_STREAM (goaway false: h2_id is the refused stream) or GOAWAY (h2_id is its
 * last_stream_id), with HTTP_1_1_REQUIRED, from the server. */
static void refusal(struct cap_analysis *a, uint64_t frame, double ts, bool goaway,
		    uint32_t h2_id)
{
	struct cap_conn_event e;

	memset(&e, 0, sizeof(e));
	e.kind = CAP_CONN_H2_REFUSED;
	e.frame = frame;
	e.ts = ts;
	e.stream = H2_CONN;
	e.client = fb_ep(1, 5, 50000 + H2_CONN);
	e.server = fb_ep(1, 80, 443);
	e.from_server = true;
	e.is_http = true;
	e.h2_goaway = goaway;
	e.h2_stream_id = h2_id;
	cap_analysis_conn(a, &e);
}

/* The HTTP/1.1 request on a new connection. */
static void retry(struct cap_analysis *a, uint64_t frame, double ts, const char *method,
		  const char *target, const char *host)
{
	struct msg m = {.frame = frame, .ts = ts, .stream = H1_CONN, .request = true,
			.method = method, .target = target, .host = host};

	http(a, &m);
}

static size_t count(const struct cap_analysis *a)
{
	size_t n = 0;

	for (size_t i = 0; i < cap_analysis_nfindings(a); i++)
		n += cap_analysis_finding(a, i)->id == CAP_F_HTTP2_DOWNGRADE;
	return n;
}

/* The n-th http2-downgrade finding. */
static const struct cap_finding *nth(const struct cap_analysis *a, size_t n)
{
	size_t seen = 0;

	for (size_t i = 0; i < cap_analysis_nfindings(a); i++) {
		const struct cap_finding *f = cap_analysis_finding(a, i);

		if (f->id == CAP_F_HTTP2_DOWNGRADE && seen++ == n)
			return f;
	}
	fail_msg("no http2-downgrade finding %zu", n);
	return NULL;
}

static int64_t num(const struct cap_finding *f, const char *key)
{
	const struct cap_evidence *e = cap_finding_get(f, key);

	assert_non_null(e);
	assert_true(e->is_num);
	return e->num;
}

/* The finding says: refused in `refused`, stream h2_id, retried in `retried`; its frames are
 * exactly those two. */
static void says(const struct cap_finding *f, uint64_t refused, uint32_t h2_id, uint64_t retried)
{
	assert_int_equal(num(f, "refused_frame"), refused);
	assert_int_equal(num(f, "h2_stream"), h2_id);
	assert_int_equal(num(f, "retry_frame"), retried);
	assert_int_equal(f->nframes, 2);
	assert_int_equal(f->frames[0], refused);
	assert_int_equal(f->frames[1], retried);
	assert_int_equal(f->severity, CAP_SEV_INFO);
}

static struct cap_analysis *fresh(void)
{
	struct cap_analysis *a = cap_analysis_new(NULL);

	assert_non_null(a);
	return a;
}

/* Stream 1 (GET /) answered in frames 10-11, stream 3 (GET /crm/) sent in frame 12. */
static struct cap_analysis *answered_then_crm(void)
{
	struct cap_analysis *a = fresh();

	h2_req(a, 10, 1000.00, 1, "/");
	h2_resp(a, 11, 1000.01, 1);
	h2_req(a, 12, 1000.02, 3, "/crm/");
	return a;
}

/* GET /crm/ on stream 1 (frame 10, at 1000.0), refused by RST_STREAM in frame 11. */
static struct cap_analysis *refused_crm(void)
{
	struct cap_analysis *a = fresh();

	h2_req(a, 10, 1000.00, 1, "/crm/");
	refusal(a, 11, 1000.00, false, 1);
	return a;
}

/* HTTP.sys's way: RST_STREAM HTTP_1_1_REQUIRED on the request's stream, then the retry.
 * Another request on the connection, answered, is not the one named. */
static void rst_stream_then_retry(void **state)
{
	struct cap_analysis *a = answered_then_crm();

	(void)state;
	refusal(a, 13, 1000.03, false, 3);
	retry(a, 20, 1000.30, "GET", "/crm/", "crm.example.test");
	assert_int_equal(count(a), 1);
	says(nth(a, 0), 13, 3, 20);
	/* Matched once: the same request again is not a second retry. */
	retry(a, 21, 1000.40, "GET", "/crm/", "crm.example.test");
	assert_int_equal(count(a), 1);
	cap_analysis_free(a);
}

/* GOAWAY's last_stream_id is the last stream the server accepted: the requests above it are
 * the refused ones (the old judge named last_stream_id itself). */
static void goaway_below_request(void **state)
{
	struct cap_analysis *a = answered_then_crm();

	(void)state;
	h2_req(a, 13, 1000.02, 5, "/crm/main.aspx");
	refusal(a, 14, 1000.03, true, 1);
	retry(a, 20, 1000.30, "GET", "/crm/", "crm.example.test");
	retry(a, 22, 1000.35, "GET", "/crm/main.aspx", "crm.example.test");
	/* stream 1 (GET /) was accepted and answered: a GET / now is no retry */
	retry(a, 24, 1000.40, "GET", "/", "crm.example.test");
	assert_int_equal(count(a), 2);
	says(nth(a, 0), 14, 3, 20);
	says(nth(a, 1), 14, 5, 22);
	cap_analysis_free(a);
}

/* A GOAWAY whose last_stream_id covers the request: the server processed it, then refused
 * with HTTP_1_1_REQUIRED; the refused request is the one that got no response.  A response
 * after the GOAWAY (the server finished the stream after all) takes the refusal back. */
static void goaway_covering_request(void **state)
{
	struct cap_analysis *a = answered_then_crm();

	(void)state;
	refusal(a, 13, 1000.03, true, 3);
	retry(a, 20, 1000.30, "GET", "/crm/", "crm.example.test");
	assert_int_equal(count(a), 1);
	says(nth(a, 0), 13, 3, 20);
	cap_analysis_free(a);

	a = fresh();
	h2_req(a, 10, 1000.00, 1, "/crm/");
	refusal(a, 11, 1000.01, true, 1);
	h2_resp(a, 12, 1000.02, 1);
	retry(a, 20, 1000.30, "GET", "/crm/", "crm.example.test");
	assert_int_equal(count(a), 0);
	cap_analysis_free(a);
}

/* Not the same request: another path, method or host, or another client. */
static void other_request_no_match(void **state)
{
	static const struct {
		const char *method, *target, *host;
	} other[] = {
		{"GET", "/other/", "crm.example.test"},
		{"POST", "/crm/", "crm.example.test"},
		{"GET", "/crm/", "www.example.test"},
	};
	struct msg m = {.frame = 20, .ts = 1000.30, .stream = H1_CONN, .request = true,
			.client = 6};
	struct cap_analysis *a;

	(void)state;
	for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
		a = refused_crm();
		retry(a, 20, 1000.30, other[i].method, other[i].target, other[i].host);
		assert_int_equal(count(a), 0);
		/* the host compares without case; then the real retry still matches */
		retry(a, 21, 1000.40, "GET", "/crm/", "CRM.Example.TEST");
		assert_int_equal(count(a), 1);
		says(nth(a, 0), 11, 1, 21);
		cap_analysis_free(a);
	}
	a = refused_crm();
	http(a, &m);
	assert_int_equal(count(a), 0);
	cap_analysis_free(a);
}

/* The retry comes within H2_RETRY_WINDOW (5 s, as README says) of the refusal, or it is
 * not the retry. */
static void retry_window(void **state)
{
	struct cap_analysis *a = refused_crm();

	(void)state;
	retry(a, 20, 1006.00, "GET", "/crm/", "crm.example.test");
	assert_int_equal(count(a), 0);
	cap_analysis_free(a);

	a = refused_crm();
	retry(a, 20, 1004.50, "GET", "/crm/", "crm.example.test");
	assert_int_equal(count(a), 1);
	says(nth(a, 0), 11, 1, 20);
	cap_analysis_free(a);
}

/* A refusal naming no request this client was seen to send (the capture started after
 * it, or the header block was lost) has nothing to match a retry with. */
static void refusal_of_unseen_request(void **state)
{
	struct cap_analysis *a = fresh();

	(void)state;
	h2_req(a, 10, 1000.00, 1, "/crm/");
	refusal(a, 11, 1000.01, false, 7);
	retry(a, 20, 1000.30, "GET", "/crm/", "crm.example.test");
	assert_int_equal(count(a), 0);
	cap_analysis_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rst_stream_then_retry),
		cmocka_unit_test(goaway_below_request),
		cmocka_unit_test(goaway_covering_request),
		cmocka_unit_test(other_request_no_match),
		cmocka_unit_test(retry_window),
		cmocka_unit_test(refusal_of_unseen_request),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
