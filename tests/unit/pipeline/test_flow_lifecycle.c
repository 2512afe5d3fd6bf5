/* test_flow_lifecycle.c - what the pipeline keeps of a connection over its life: the
 * protocol state is released when a connection ends and reused by later ones
 * (thousands of connections, with and without a flow table small enough to evict),
 * yet a FIN that overtook the last data keeps it for that data; a retransmission after
 * the end emits nothing; a new SYN on the same ports is a new stream; a reset ends
 * parsing.  Frames are synthetic Ethernet/IPv4/TCP. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "pl_harness.h"

#define SYN 0x02
#define FIN 0x01
#define RST 0x04
#define ACK 0x10
#define PSH 0x08

static const char req[] = "GET /a HTTP/1.1\r\nHost: h\r\n\r\n";
static const char rsp[] = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";

struct conn {
	struct cap_pipeline *pl;
	uint16_t cport;
	uint32_t cseq, sseq; /* next sequence numbers */
	uint8_t a;           /* client address 10.0.0.a */
};

static void send(struct conn *c, bool from_client, uint8_t flags, const char *data, size_t n)
{
	struct frame_buf f;

	if (from_client)
		tcp_frame(&f, c->a, c->cport, 200, 80, c->cseq, c->sseq, flags,
			  (const uint8_t *)data, n);
	else
		tcp_frame(&f, 200, 80, c->a, c->cport, c->sseq, c->cseq, flags,
			  (const uint8_t *)data, n);
	cap_pipeline_packet(c->pl, 1.0, f.b, f.len, f.len);
}

/* Sends at an explicit sequence number, without moving the connection's. */
static void send_at(struct conn *c, bool from_client, uint32_t seq, uint8_t flags,
		    const char *data, size_t n)
{
	struct frame_buf f;

	if (from_client)
		tcp_frame(&f, c->a, c->cport, 200, 80, seq, c->sseq, flags, (const uint8_t *)data, n);
	else
		tcp_frame(&f, 200, 80, c->a, c->cport, seq, c->cseq, flags, (const uint8_t *)data, n);
	cap_pipeline_packet(c->pl, 1.0, f.b, f.len, f.len);
}

static void handshake(struct conn *c)
{
	send(c, true, SYN, NULL, 0);
	c->cseq++;
	send(c, false, SYN | ACK, NULL, 0);
	c->sseq++;
	send(c, true, ACK, NULL, 0);
}

static void exchange(struct conn *c)
{
	send(c, true, PSH | ACK, req, sizeof(req) - 1);
	c->cseq += sizeof(req) - 1;
	send(c, false, ACK, NULL, 0);
	send(c, false, PSH | ACK, rsp, sizeof(rsp) - 1);
	c->sseq += sizeof(rsp) - 1;
	send(c, true, ACK, NULL, 0);
}

static void close_both(struct conn *c)
{
	send(c, false, FIN | ACK, NULL, 0);
	c->sseq++;
	send(c, true, FIN | ACK, NULL, 0);
	c->cseq++;
	send(c, false, ACK, NULL, 0);
}

static void many(size_t max_flows)
{
	struct cap_pipeline_limits lim;
	struct evlog l;
	struct cap_sink sink;
	const struct cap_pipeline_stats *st;
	struct conn c;
	size_t i, nh;

	memset(&l, 0, sizeof(l));
	memset(&lim, 0, sizeof(lim));
	lim.max_flows = max_flows;
	sink = ev_sink(&l);
	memset(&c, 0, sizeof(c));
	c.pl = cap_pipeline_new(1, &lim, &sink);
	assert_non_null(c.pl);
	for (i = 0; i < 3000; i++) {
		c.a = (uint8_t)(1 + i % 50);
		c.cport = (uint16_t)(20000 + i);
		c.cseq = (uint32_t)(i * 7919);
		c.sseq = (uint32_t)(i * 104729);
		handshake(&c);
		exchange(&c);
		close_both(&c);
	}
	cap_pipeline_finish(c.pl);
	st = cap_pipeline_stats(c.pl);
	nh = ev_count(&l, 'H');
	assert_int_equal(nh, 6000);
	for (i = 0; i < nh; i++) {
		const struct ev *e = ev_nth(&l, 'H', i);

		assert_int_equal(e->stream, i / 2);
		assert_int_equal(e->is_request, i % 2 == 0);
	}
	assert_int_equal(st->flows_created, 3000);
	if (max_flows != 0 && max_flows < 3000) /* 0: the default, 65536 */
		assert_int_equal(st->flows_evicted, 3000 - max_flows);
	else
		assert_int_equal(st->flows_evicted, 0);
	cap_pipeline_free(c.pl);
	evlog_free(&l);
}

static void test_many_connections(void **state)
{
	(void)state;
	many(0);  /* the default table */
	many(16); /* a small one: finished connections are evicted */
}

static struct conn *fresh(struct evlog *l, struct conn *c)
{
	struct cap_sink sink = ev_sink(l);

	memset(l, 0, sizeof(*l));
	memset(c, 0, sizeof(*c));
	c->pl = cap_pipeline_new(1, NULL, &sink);
	assert_non_null(c->pl);
	c->a = 1;
	c->cport = 40000;
	c->cseq = 1000;
	c->sseq = 5000;
	return c;
}

/* The server's FIN (and the client's) arrive before the response they follow. */
static void test_fin_overtakes_data(void **state)
{
	struct evlog l;
	struct conn c;
	uint32_t rsp_seq;

	(void)state;
	fresh(&l, &c);
	handshake(&c);
	send(&c, true, PSH | ACK, req, sizeof(req) - 1);
	c.cseq += sizeof(req) - 1;
	rsp_seq = c.sseq;
	c.sseq += sizeof(rsp) - 1;
	send(&c, false, FIN | ACK, NULL, 0); /* FIN at the end of the response */
	c.sseq++;
	send(&c, true, FIN | ACK, NULL, 0);
	c.cseq++;
	assert_int_equal(ev_count(&l, 'H'), 1);
	send_at(&c, false, rsp_seq, PSH | ACK, rsp, sizeof(rsp) - 1); /* frame 7 */
	assert_int_equal(ev_count(&l, 'H'), 2);
	assert_int_equal(ev_nth(&l, 'H', 1)->status, 200);
	assert_int_equal(ev_nth(&l, 'H', 1)->frame, 7);
	/* now everything before both FINs is delivered: a retransmission is dropped */
	send_at(&c, false, rsp_seq, PSH | ACK, rsp, sizeof(rsp) - 1);
	assert_int_equal(ev_count(&l, 'H'), 2);
	cap_pipeline_finish(c.pl);
	cap_pipeline_free(c.pl);
	evlog_free(&l);
}

static void test_after_close(void **state)
{
	struct evlog l;
	struct conn c;
	uint32_t rsp_seq;
	size_t before;

	(void)state;
	fresh(&l, &c);
	handshake(&c);
	send(&c, true, PSH | ACK, req, sizeof(req) - 1);
	c.cseq += sizeof(req) - 1;
	rsp_seq = c.sseq;
	send(&c, false, PSH | ACK, rsp, sizeof(rsp) - 1);
	c.sseq += sizeof(rsp) - 1;
	close_both(&c);
	assert_int_equal(ev_count(&l, 'H'), 2);
	before = l.n;
	/* a retransmitted response and a stray ACK: nothing new */
	send_at(&c, false, rsp_seq, PSH | ACK, rsp, sizeof(rsp) - 1);
	send(&c, true, ACK, NULL, 0);
	assert_int_equal(l.n, before);
	/* the same ports again, with a SYN: a new stream, parsed from its start */
	c.cseq += 100000;
	c.sseq += 100000;
	handshake(&c);
	exchange(&c);
	assert_int_equal(ev_count(&l, 'H'), 4);
	assert_int_equal(ev_nth(&l, 'H', 2)->stream, 1);
	assert_int_equal(ev_nth(&l, 'H', 3)->stream, 1);
	assert_int_equal(ev_nth(&l, 'H', 3)->status, 200);
	cap_pipeline_finish(c.pl);
	cap_pipeline_free(c.pl);
	evlog_free(&l);
}

static void test_reset_ends_parsing(void **state)
{
	struct evlog l;
	struct conn c;
	const struct cap_pipeline_stats *st;

	(void)state;
	fresh(&l, &c);
	handshake(&c);
	exchange(&c);
	send(&c, false, RST | ACK, NULL, 0);
	send(&c, true, PSH | ACK, req, sizeof(req) - 1); /* after the reset: ignored */
	c.cseq += sizeof(req) - 1;
	assert_int_equal(ev_count(&l, 'H'), 2);
	st = cap_pipeline_stats(c.pl);
	assert_int_equal(st->tcp_ignored_segments, 1);
	cap_pipeline_finish(c.pl);
	cap_pipeline_free(c.pl);
	evlog_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_many_connections),
		cmocka_unit_test(test_fin_overtakes_data),
		cmocka_unit_test(test_after_close),
		cmocka_unit_test(test_reset_ends_parsing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
