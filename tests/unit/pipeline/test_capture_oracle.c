/* test_capture_oracle.c - the pipeline over every real capture (shared
 * captures, then samples/), checked against tshark run here as an independent
 * oracle: HTTP messages (frame, tcp.stream, request or response and status),
 * which of them carry Authorization / WWW-Authenticate, Kerberos PDUs on port
 * 88 (frame, message type of the first PDU, tcp.stream), and the number of
 * TCP segments decoded (link layers: Ethernet+VLAN, SLL, SLL2, NULL, raw IP).
 *
 * tshark runs with http.desegment_body off: negscope reports an HTTP message
 * at the frame that completes its head, and skips bodies without buffering.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "pl_harness.h"

struct strset {
	char **v;
	size_t n, cap;
};

static void ss_add(struct strset *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void ss_add(struct strset *s, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 32;
		s->v = realloc(s->v, s->cap * sizeof(*s->v));
		assert_non_null(s->v);
	}
	s->v[s->n] = strdup(buf);
	assert_non_null(s->v[s->n]);
	s->n++;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void ss_free(struct strset *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* Compares two multisets; prints the differences.  Returns true when equal. */
static bool ss_equal(const char *file, const char *what, struct strset *ours,
		     struct strset *theirs)
{
	size_t i = 0, j = 0, shown = 0;
	bool eq = true;

	if (ours->n > 1)
		qsort(ours->v, ours->n, sizeof(char *), cmp_str);
	if (theirs->n > 1)
		qsort(theirs->v, theirs->n, sizeof(char *), cmp_str);
	while (i < ours->n || j < theirs->n) {
		int c = i == ours->n ? 1 : j == theirs->n ? -1 : strcmp(ours->v[i], theirs->v[j]);

		if (c == 0) {
			i++;
			j++;
			continue;
		}
		eq = false;
		if (shown++ < 5)
			fprintf(stderr, "%s: %s: %s only: %s\n", file, what, c < 0 ? "negscope" : "tshark",
				c < 0 ? ours->v[i] : theirs->v[j]);
		if (c < 0)
			i++;
		else
			j++;
	}
	return eq;
}

/* Splits a tab-separated line in place into at most n fields. */
static size_t split_tabs(char *line, char **f, size_t n)
{
	size_t k = 0;

	f[k++] = line;
	while (k < n && (line = strchr(line, '\t')) != NULL) {
		*line++ = '\0';
		f[k++] = line;
	}
	return k;
}

static bool has_port88(const char *ports)
{
	return strcmp(ports, "88") == 0 || strncmp(ports, "88,", 3) == 0 ||
	       (strlen(ports) > 3 && strcmp(ports + strlen(ports) - 3, ",88") == 0);
}

enum { F_FRAME, F_TSTREAM, F_USTREAM, F_METHOD, F_CODE, F_AUTH, F_WWW, F_KRB, F_TPORT,
       F_UPORT, F_ICMP, F_ICMP6, F_N };

/* The oracle's facts about one capture. */
static int tshark_facts(const char *path, struct strset *http, struct strset *auth,
			struct strset *krb, uint64_t *tcp_segments)
{
	char cmd[4096], q[2048];
	struct pcaputil_list lines;
	size_t i;
	/* HTTP/2 with prior knowledge (the lab's h2c samples, port 5447) is found by negscope
	 * from the preface; tshark has no heuristic for it and is told the port, and its
	 * HTTP/2 fields fill the same columns. */
	bool h2c = strstr(path, "/h2c-") != NULL;

	snprintf(cmd, sizeof(cmd),
		 "tshark -n -r %s -o http.desegment_body:FALSE %s-Y 'tcp || udp.port == 88' "
		 "-T fields -E occurrence=a -e frame.number -e tcp.stream -e udp.stream "
		 "-e %s -e %s -e %s -e %s -e kerberos.msg_type -e tcp.port -e udp.port "
		 "-e icmp.type -e icmpv6.type 2>/dev/null",
		 pcaputil_quote(path, q, sizeof(q)), h2c ? "-d tcp.port==5447,http2 " : "",
		 h2c ? "http2.headers.method" : "http.request.method",
		 h2c ? "http2.headers.status" : "http.response.code",
		 h2c ? "http2.headers.authorization" : "http.authorization",
		 h2c ? "http2.headers.www_authenticate" : "http.www_authenticate");
	if (pcaputil_run(cmd, &lines) < 0)
		return -1;
	*tcp_segments = 0;
	for (i = 0; i < lines.n; i++) {
		char *f[F_N], *tok, *save = NULL;
		size_t nf = split_tabs(lines.v[i], f, F_N);

		if (nf < F_N || f[F_ICMP][0] != '\0' || f[F_ICMP6][0] != '\0')
			continue; /* ICMP quoting a packet is not that packet */
		if (f[F_TSTREAM][0] != '\0')
			(*tcp_segments)++;
		for (tok = strtok_r(f[F_METHOD], ",", &save); tok != NULL;
		     tok = strtok_r(NULL, ",", &save))
			ss_add(http, "%s %s REQ", f[F_FRAME], f[F_TSTREAM]);
		for (tok = strtok_r(f[F_CODE], ",", &save); tok != NULL;
		     tok = strtok_r(NULL, ",", &save))
			ss_add(http, "%s %s RSP %s", f[F_FRAME], f[F_TSTREAM], tok);
		if (f[F_AUTH][0] != '\0')
			ss_add(auth, "%s Authorization", f[F_FRAME]);
		if (f[F_WWW][0] != '\0')
			ss_add(auth, "%s WWW-Authenticate", f[F_FRAME]);
		if (f[F_KRB][0] != '\0' && (has_port88(f[F_TPORT]) || has_port88(f[F_UPORT]))) {
			/* The first type is the outer PDU's (an AP-REQ inside a
			 * TGS-REQ's PA-DATA comes after it). */
			int type = (int)strtol(f[F_KRB], NULL, 10);

			if (f[F_TSTREAM][0] != '\0')
				ss_add(krb, "%s tcp %d stream %s", f[F_FRAME], type, f[F_TSTREAM]);
			else
				ss_add(krb, "%s udp %d", f[F_FRAME], type);
		}
	}
	pcaputil_list_free(&lines);
	return 0;
}

static void our_facts(const struct evlog *l, struct strset *http, struct strset *auth,
		      struct strset *krb)
{
	uint64_t last_krb_frame = 0;
	size_t i;

	for (i = 0; i < l->n; i++) {
		const struct ev *e = &l->v[i];

		if (e->type == 'H') {
			if (e->is_request)
				ss_add(http, "%llu %u REQ", (unsigned long long)e->frame, e->stream);
			else
				ss_add(http, "%llu %u RSP %d", (unsigned long long)e->frame, e->stream,
				       e->status);
			if (e->has_auth && e->is_request)
				ss_add(auth, "%llu Authorization", (unsigned long long)e->frame);
			if (e->has_www && !e->is_request)
				ss_add(auth, "%llu WWW-Authenticate", (unsigned long long)e->frame);
		} else if (e->type == 'K' && e->frame != last_krb_frame) {
			/* tshark lists a frame once: compare its first PDU. */
			last_krb_frame = e->frame;
			if (e->conn_kind == CAP_TRANSPORT_TCP)
				ss_add(krb, "%llu tcp %d stream %u", (unsigned long long)e->frame,
				       e->tag - 0x60, e->stream);
			else
				ss_add(krb, "%llu udp %d", (unsigned long long)e->frame, e->tag - 0x60);
		}
	}
}

/* Captures whose HTTP tshark decodes by port despite fuzzed bytes (an
 * "HTTP/d.1" version, retransmissions with rewritten sequence numbers):
 * negscope finds HTTP by content and rightly disagrees there. */
static bool fuzzed(const char *path)
{
	return strstr(path, "/fuzz-") != NULL;
}

static int check_dir(const char *dir, size_t *checked)
{
	struct pcaputil_list files;
	size_t i;
	int failures = 0;

	pcaputil_find(dir, &files);
	for (i = 0; i < files.n; i++) {
		const char *path = files.v[i];
		struct strset oh = { 0 }, oa = { 0 }, ok = { 0 }, th = { 0 }, ta = { 0 }, tk = { 0 };
		struct cap_pipeline_stats st;
		struct evlog l = { 0 };
		uint64_t tcp = 0;
		enum cap_source_status rc;
		bool good = true;

		memset(&st, 0, sizeof(st));
		rc = ev_run_file(path, &l, &st);
		assert_true(rc == CAP_SRC_END || rc == CAP_SRC_TRUNCATED);
		assert_int_equal(tshark_facts(path, &th, &ta, &tk, &tcp), 0);
		our_facts(&l, &oh, &oa, &ok);
		if (!fuzzed(path)) {
			good &= ss_equal(path, "http", &oh, &th);
			good &= ss_equal(path, "auth headers", &oa, &ta);
			if (st.tcp_segments != tcp) {
				fprintf(stderr, "%s: tcp segments: negscope %llu, tshark %llu\n", path,
					(unsigned long long)st.tcp_segments, (unsigned long long)tcp);
				good = false;
			}
		}
		good &= ss_equal(path, "kerberos", &ok, &tk);
		failures += !good;
		(*checked)++;
		ss_free(&oh);
		ss_free(&oa);
		ss_free(&ok);
		ss_free(&th);
		ss_free(&ta);
		ss_free(&tk);
		evlog_free(&l);
	}
	pcaputil_list_free(&files);
	return failures;
}

static void test_shared_captures_agree_with_tshark(void **state)
{
	size_t checked = 0;

	(void)state;
	if (!pcaputil_have_tshark()) {
		skip();
		return;
	}
	assert_int_equal(check_dir(NEGSCOPE_CAPTURES_DIR, &checked), 0);
	/* The corpus is there: a missing directory must not pass silently. */
	assert_true(checked >= 50);
}

static void test_samples_agree_with_tshark(void **state)
{
	size_t checked = 0;

	(void)state;
	if (!pcaputil_have_tshark()) {
		skip();
		return;
	}
	assert_int_equal(check_dir(NEGSCOPE_SAMPLES_DIR, &checked), 0);
	if (checked == 0)
		skip(); /* samples/ not recorded yet */
}

/* Link layers: one capture of each kind decodes every TCP segment tshark sees,
 * and the counts are not trivially zero. */
static void test_link_types_decode(void **state)
{
	static const char *const files[] = {
		"arkime/tests/pcap/krb5-tcp.pcap",                     /* Ethernet + 802.1Q */
		"suricata-verify/tests/output-eve-smb-01/input.pcap",  /* Linux cooked v1 */
		"suricata-verify/tests/decode-sll2-02/input.pcap",     /* Linux cooked v2 */
		"suricata-verify/tests/http-auth-bearer/input.pcap",   /* BSD loopback */
		"suricata-verify/tests/http-post-file/input.pcap",     /* NULL + IPv6 */
		"nDPI/tests/cfgs/default/pcap/kerberos_fuzz.pcapng",   /* raw IPv4, pcapng */
		"arkime/tests/pcap/ntlm_synthetic.pcap",               /* Ethernet + IPv6 */
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char path[1024];
		struct cap_pipeline_stats st;
		struct evlog l = { 0 };

		memset(&st, 0, sizeof(st));
		snprintf(path, sizeof(path), "%s/%s", NEGSCOPE_CAPTURES_DIR, files[i]);
		assert_int_equal(ev_run_file(path, &l, &st), CAP_SRC_END);
		assert_true(st.packets > 0);
		assert_true(st.tcp_segments + st.krb_pdus > 0);
		evlog_free(&l);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_link_types_decode),
		cmocka_unit_test(test_shared_captures_agree_with_tshark),
		cmocka_unit_test(test_samples_agree_with_tshark),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
