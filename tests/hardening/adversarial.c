/* adversarial.c - hostile traffic through the pipeline and the analysis: memory stays
 * flat past the caps (issue 7, "Limits instead of trust").
 *
 *   adversarial ooo|halfopen|bigheader [COUNT]
 *
 * Each case generates its packets in memory (raw IPv4, DLT_RAW) and feeds them to
 * cap_pipeline_packet with the analysis layer as the sink, at the default caps:
 *   ooo        one connection whose request body arrives as COUNT (default 1,000,000)
 *              two-byte segments, each block of 1000 sent odd ones first, backwards, then
 *              the even ones: the reassembly meets hundreds of holes at once
 *   halfopen   COUNT (default 1,000,000) connections from distinct clients that send a SYN
 *              (every other one answered by a SYN-ACK) and nothing more
 *   bigheader  one request with a header line of COUNT MiB (default 100), then a normal
 *              request on the same connection, in 1460-byte segments
 * A case runs twice, each time in a child process: at a quarter of COUNT and at COUNT.
 * Both sizes are far past the caps, so a bounded implementation uses the same memory for
 * both; the test fails when the larger run's peak RSS (wait4 ru_maxrss) exceeds the
 * smaller one's by more than SLACK_MIB, or when the pipeline's own counters show a cap
 * was not applied (flows over max_flows, buffered bytes over max_total_buffer, no cap hit
 * counted).  Times are printed for the record, never asserted (timing belongs to
 * tests/bench).  Under ASan the RSS comparison is skipped (its quarantine grows with
 * the number of frees); the counter checks still run.
 */
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "negscope/analysis.h"
#include "negscope/pipeline.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

#define SLACK_MIB 24
#define MSS 1460u

#define TCP_FIN 0x01u
#define TCP_SYN 0x02u
#define TCP_RST 0x04u
#define TCP_PSH 0x08u
#define TCP_ACK 0x10u

struct feed {
	struct cap_pipeline *pl;
	struct cap_analysis *an;
	uint8_t pkt[20 + 20 + MSS];
	double ts;
	uint64_t frames;
	uint64_t http_events;
	bool saw_after; /* bigheader: the request after the big one was parsed */
	struct cap_sink inner;
};

/* Result a child reports to the parent through its exit status: 0 pass, 1 fail. */
static int failures;

static void check(bool ok, const char *what)
{
	if (!ok) {
		printf("  FAIL: %s\n", what);
		failures++;
	}
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

/* One IPv4/TCP packet from src to dst. */
static void emit(struct feed *f, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport,
		 uint32_t seq, uint32_t ack, uint8_t flags, const void *payload, size_t n)
{
	uint8_t *ip = f->pkt, *tcp = f->pkt + 20;
	size_t len = 40 + n;

	memset(ip, 0, 40);
	ip[0] = 0x45;
	put16(ip + 2, (uint32_t)len);
	ip[8] = 64;
	ip[9] = 6;
	put32(ip + 12, src);
	put32(ip + 16, dst);
	put16(tcp, sport);
	put16(tcp + 2, dport);
	put32(tcp + 4, seq);
	put32(tcp + 8, ack);
	tcp[12] = 0x50;
	tcp[13] = flags;
	put16(tcp + 14, 65535);
	if (n > 0)
		memcpy(tcp + 20, payload, n);
	f->frames++;
	f->ts += 0.0001;
	cap_pipeline_packet(f->pl, f->ts, f->pkt, len, len);
}

static void on_http(void *ctx, const struct cap_http_msg *m)
{
	struct feed *f = ctx;

	f->http_events++;
	if (m->is_request && m->target.len == 6 && memcmp(m->target.p, "/after", 6) == 0)
		f->saw_after = true;
	f->inner.http(f->inner.ctx, m);
}

static void on_krb(void *ctx, const struct cap_krb_pdu *k)
{
	struct feed *f = ctx;

	f->inner.krb(f->inner.ctx, k);
}

static void on_conn(void *ctx, const struct cap_conn_event *e)
{
	struct feed *f = ctx;

	f->inner.conn(f->inner.ctx, e);
}

static void on_icmp(void *ctx, const struct cap_icmp_unreach *u)
{
	struct feed *f = ctx;

	f->inner.icmp(f->inner.ctx, u);
}

static void on_tls(void *ctx, const struct cap_tls_event *t)
{
	struct feed *f = ctx;

	f->inner.tls(f->inner.ctx, t);
}

static int feed_open(struct feed *f)
{
	struct cap_sink s;

	memset(f, 0, sizeof(*f));
	f->ts = 1700000000.0;
	f->an = cap_analysis_new(NULL);
	if (f->an == NULL)
		return -1;
	cap_analysis_sink(f->an, &f->inner);
	s.ctx = f;
	s.http = f->inner.http != NULL ? on_http : NULL;
	s.krb = f->inner.krb != NULL ? on_krb : NULL;
	s.conn = f->inner.conn != NULL ? on_conn : NULL;
	s.icmp = f->inner.icmp != NULL ? on_icmp : NULL;
	s.tls = f->inner.tls != NULL ? on_tls : NULL;
	f->pl = cap_pipeline_new(DLT_RAW, NULL, &s);
	return f->pl != NULL ? 0 : -1;
}

static const struct cap_pipeline_stats *feed_finish(struct feed *f)
{
	const struct cap_pipeline_stats *st;

	cap_pipeline_finish(f->pl);
	st = cap_pipeline_stats(f->pl);
	cap_analysis_finish(f->an, st);
	return st;
}

static void feed_close(struct feed *f)
{
	cap_pipeline_free(f->pl);
	cap_analysis_free(f->an);
}

#define CLIENT 0x0a000001u
#define SERVER 0x0a000002u

static void print_stats(const struct cap_pipeline_stats *st)
{
	printf("  packets %llu, segments %llu, out-of-order %llu, gaps %llu (%llu bytes), "
	       "ooo cap hits %llu, buffer cap hits %llu, http cap hits %llu, "
	       "message cap hits %llu\n"
	       "  flows created %llu, evicted %llu, peak %llu, active %llu; "
	       "buffered peak %llu bytes; "
	       "http messages %llu\n",
	       (unsigned long long)st->packets, (unsigned long long)st->tcp_segments,
	       (unsigned long long)st->tcp_out_of_order, (unsigned long long)st->tcp_gaps,
	       (unsigned long long)st->tcp_gap_bytes, (unsigned long long)st->ooo_cap_hits,
	       (unsigned long long)st->buffer_cap_hits, (unsigned long long)st->http_cap_hits,
	       (unsigned long long)st->message_cap_hits,
	       (unsigned long long)st->flows_created, (unsigned long long)st->flows_evicted,
	       (unsigned long long)st->flows_peak, (unsigned long long)st->flows_active,
	       (unsigned long long)st->buffer_bytes_peak, (unsigned long long)st->http_messages);
}

/* Default caps, as pipeline.h documents them. */
#define DEF_MAX_FLOWS 65536u
#define DEF_MAX_STREAM_BUFFER (256u * 1024u)
#define DEF_MAX_TOTAL_BUFFER (32u * 1024u * 1024u)

static void case_ooo(uint64_t count)
{
	static const char head[] = "POST /upload HTTP/1.1\r\nHost: big.example.test\r\n"
				   "Content-Length: %llu\r\n\r\n";
	static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
	const uint64_t block = 1000;
	struct feed f;
	const struct cap_pipeline_stats *st;
	char req[160];
	uint32_t cseq = 1000, sseq = 5000, body0;
	uint64_t b, i;
	int n;

	if (feed_open(&f) != 0) {
		check(false, "pipeline setup");
		return;
	}
	n = snprintf(req, sizeof(req), head, (unsigned long long)(2 * count));
	emit(&f, CLIENT, 40000, SERVER, 80, cseq - 1, 0, TCP_SYN, NULL, 0);
	emit(&f, SERVER, 80, CLIENT, 40000, sseq - 1, cseq, TCP_SYN | TCP_ACK, NULL, 0);
	emit(&f, CLIENT, 40000, SERVER, 80, cseq, sseq, TCP_ACK | TCP_PSH, req, (size_t)n);
	body0 = cseq + (uint32_t)n;
	for (b = 0; b < count; b += block) {
		uint64_t end = b + block < count ? b + block : count;

		/* Odd segments of the block backwards, then the even ones forwards. */
		for (i = end; i-- > b;)
			if ((i - b) & 1)
				emit(&f, CLIENT, 40000, SERVER, 80, body0 + (uint32_t)(2 * i), sseq,
				     TCP_ACK, "ab", 2);
		for (i = b; i < end; i++)
			if (!((i - b) & 1))
				emit(&f, CLIENT, 40000, SERVER, 80, body0 + (uint32_t)(2 * i), sseq,
				     TCP_ACK, "ab", 2);
	}
	cseq = body0 + (uint32_t)(2 * count);
	emit(&f, SERVER, 80, CLIENT, 40000, sseq, cseq, TCP_ACK | TCP_PSH, resp, sizeof(resp) - 1);
	sseq += (uint32_t)(sizeof(resp) - 1);
	emit(&f, CLIENT, 40000, SERVER, 80, cseq, sseq, TCP_FIN | TCP_ACK, NULL, 0);
	emit(&f, SERVER, 80, CLIENT, 40000, sseq, cseq + 1, TCP_FIN | TCP_ACK, NULL, 0);
	st = feed_finish(&f);
	print_stats(st);
	check(st->packets == f.frames, "every packet counted");
	check(st->tcp_out_of_order > 0, "out-of-order segments counted");
	check(st->buffer_bytes_peak <= 2u * DEF_MAX_STREAM_BUFFER,
	      "buffered bytes stayed within the per-direction caps");
	check(st->ooo_cap_hits > 0 || st->tcp_gaps > 0 || st->buffer_cap_hits > 0,
	      "the out-of-order limit was hit and counted");
	feed_close(&f);
}

static void case_halfopen(uint64_t count)
{
	struct feed f;
	const struct cap_pipeline_stats *st;
	uint64_t i;

	if (feed_open(&f) != 0) {
		check(false, "pipeline setup");
		return;
	}
	for (i = 0; i < count; i++) {
		/* 10.x.y.z clients (a /8 holds 16 M), ports cycling: every flow is distinct. */
		uint32_t client = 0x0b000000u | (uint32_t)(i >> 4);
		uint16_t port = (uint16_t)(32768 + (i & 15));
		uint32_t isn = (uint32_t)(i * 2654435761u);

		emit(&f, client, port, SERVER, 80, isn, 0, TCP_SYN, NULL, 0);
		if (i & 1)
			emit(&f, SERVER, 80, client, port, ~isn, isn + 1, TCP_SYN | TCP_ACK,
			     NULL, 0);
	}
	st = feed_finish(&f);
	print_stats(st);
	check(st->packets == f.frames, "every packet counted");
	check(st->flows_peak <= DEF_MAX_FLOWS, "flows in the table never exceeded max_flows");
	check(st->flows_active <= DEF_MAX_FLOWS, "flows left in the table within max_flows");
	check(count <= DEF_MAX_FLOWS || st->flows_evicted >= count - DEF_MAX_FLOWS,
	      "least recently used flows were evicted and counted");
	{
		const struct cap_analysis_stats *as = cap_analysis_stats(f.an);

		printf("  analysis: conversations %llu (dropped %llu), streams evicted %llu\n",
		       (unsigned long long)as->conversations,
		       (unsigned long long)as->conversations_dropped,
		       (unsigned long long)as->streams_evicted);
	}
	feed_close(&f);
}

static void case_bigheader(uint64_t mib)
{
	static const char head[] = "GET /big HTTP/1.1\r\nHost: crm.example.test\r\nX-Big: ";
	static const char after[] = "\r\n\r\nGET /after HTTP/1.1\r\nHost: crm.example.test\r\n\r\n";
	uint64_t total = mib * 1024 * 1024, sent = 0;
	struct feed f;
	const struct cap_pipeline_stats *st;
	uint8_t seg[MSS];
	uint32_t cseq = 7000, sseq = 9000;

	if (feed_open(&f) != 0) {
		check(false, "pipeline setup");
		return;
	}
	memset(seg, 'a', sizeof(seg));
	emit(&f, CLIENT, 40001, SERVER, 80, cseq - 1, 0, TCP_SYN, NULL, 0);
	emit(&f, SERVER, 80, CLIENT, 40001, sseq - 1, cseq, TCP_SYN | TCP_ACK, NULL, 0);
	emit(&f, CLIENT, 40001, SERVER, 80, cseq, sseq, TCP_ACK | TCP_PSH, head, sizeof(head) - 1);
	cseq += (uint32_t)(sizeof(head) - 1);
	while (sent < total) {
		size_t n = total - sent < MSS ? (size_t)(total - sent) : MSS;

		emit(&f, CLIENT, 40001, SERVER, 80, cseq, sseq, TCP_ACK, seg, n);
		cseq += (uint32_t)n;
		sent += n;
	}
	emit(&f, CLIENT, 40001, SERVER, 80, cseq, sseq, TCP_ACK | TCP_PSH, after,
	     sizeof(after) - 1);
	cseq += (uint32_t)(sizeof(after) - 1);
	emit(&f, CLIENT, 40001, SERVER, 80, cseq, sseq, TCP_FIN | TCP_ACK, NULL, 0);
	st = feed_finish(&f);
	print_stats(st);
	printf("  the request after the big header was %s\n",
	       f.saw_after ? "parsed" : "not found (resynchronisation not attempted)");
	check(st->packets == f.frames, "every packet counted");
	check(st->buffer_bytes_peak <= 2u * DEF_MAX_STREAM_BUFFER,
	      "buffered bytes stayed within the per-direction caps");
	check(st->message_cap_hits > 0 && st->http_cap_hits > 0,
	      "the message size cap (--max-message) was hit and counted");
	feed_close(&f);
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Runs one case in a child; returns its peak RSS in KiB, or -1 when it failed. */
static long run_child(const char *name, uint64_t count, double *secs)
{
	struct rusage ru;
	double t0 = now_s();
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("adversarial: fork");
		return -1;
	}
	if (pid == 0) {
		if (strcmp(name, "ooo") == 0)
			case_ooo(count);
		else if (strcmp(name, "halfopen") == 0)
			case_halfopen(count);
		else
			case_bigheader(count);
		fflush(stdout);
		_exit(failures == 0 ? 0 : 1);
	}
	if (wait4(pid, &status, 0, &ru) != pid) {
		perror("adversarial: wait4");
		return -1;
	}
	*secs = now_s() - t0;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		printf("  the %s run at %llu %s\n", name, (unsigned long long)count,
		       WIFEXITED(status) ? "failed its checks" : "crashed");
		return -1;
	}
	return ru.ru_maxrss;
}

int main(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : "";
	uint64_t count, small;
	long rss_small, rss_big;
	double t_small = 0, t_big = 0;
	char *end;

	if (strcmp(name, "ooo") != 0 && strcmp(name, "halfopen") != 0 &&
	    strcmp(name, "bigheader") != 0) {
		fprintf(stderr, "usage: adversarial ooo|halfopen|bigheader [COUNT]\n");
		return 2;
	}
	count = strcmp(name, "bigheader") == 0 ? 100 : 1000000;
	if (argc > 2) {
		unsigned long long v = strtoull(argv[2], &end, 10);

		if (*end != '\0' || v == 0 || v > 100000000ull) {
			fprintf(stderr, "adversarial: COUNT %s: a number from 1 to 100000000\n",
				argv[2]);
			return 2;
		}
		count = v;
	}
	small = count / 4 > 0 ? count / 4 : 1;
	printf("%s at %llu:\n", name, (unsigned long long)small);
	rss_small = run_child(name, small, &t_small);
	printf("%s at %llu:\n", name, (unsigned long long)count);
	rss_big = run_child(name, count, &t_big);
	if (rss_small < 0 || rss_big < 0)
		return 1;
	printf("%s: peak RSS %ld KiB at %llu, %ld KiB at %llu; time %.2f s and %.2f s "
	       "(ratio %.2f for 4x the input)\n",
	       name, rss_small, (unsigned long long)small, rss_big, (unsigned long long)count,
	       t_small, t_big, t_small > 0 ? t_big / t_small : 0.0);
	if (UNDER_ASAN) {
		printf("%s: built with ASan: peak RSS not compared\n", name);
		return 0;
	}
	if (rss_big > rss_small + SLACK_MIB * 1024L) {
		printf("FAIL: %s: memory grew with the input past the caps (%ld KiB -> %ld KiB)\n",
		       name, rss_small, rss_big);
		return 1;
	}
	printf("%s: ok, memory flat past the caps\n", name);
	return 0;
}
