/* test_tls_stream.c - HTTPS samples through the pipeline with their key logs: the HTTP
 * messages tshark shows with -o tls.keylog_file (frame numbers included), every record
 * authenticated, what TLS says in the clear without keys, and wrong secrets told apart
 * from missing ones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "pl_harness.h"

struct tls_log {
	struct evlog ev;
	struct cap_tls_info last; /* the last TLS event's state */
	size_t ntls;
	/* HTTP/2 inside TLS: the messages, and the HTTP_1_1_REQUIRED refusals */
	size_t nh2;
	uint64_t h2_frame;
	uint32_t h2_sid;
	char h2_host[64];
	size_t nrefused;
	uint64_t refused_frame;
	uint32_t refused_sid;
	bool refused_goaway;
};

static void on_tls(void *ctx, const struct cap_tls_event *t)
{
	struct tls_log *l = ctx;

	l->last = *t->info;
	l->ntls++;
}

static void on_http(void *ctx, const struct cap_http_msg *m)
{
	struct tls_log *l = ctx;

	ev_on_http(&l->ev, m);
	/* Decrypted messages say which TLS they came from. */
	assert_non_null(m->tls);
	assert_true(m->tls->decrypted);
	if (m->http2) {
		assert_string_equal(m->tls->alpn, "h2");
		l->nh2++;
		l->h2_frame = m->frame;
		l->h2_sid = m->h2_stream_id;
		for (size_t i = 0; i < m->nheaders; i++)
			if (m->headers[i].name.len == 4 &&
			    memcmp(m->headers[i].name.p, "host", 4) == 0)
				snprintf(l->h2_host, sizeof(l->h2_host), "%.*s",
					 (int)m->headers[i].value.len,
					 (const char *)m->headers[i].value.p);
	}
}

static void on_conn(void *ctx, const struct cap_conn_event *e)
{
	struct tls_log *l = ctx;

	if (e->kind != CAP_CONN_H2_REFUSED)
		return;
	assert_true(e->from_server);
	l->nrefused++;
	l->refused_frame = e->frame;
	l->refused_sid = e->h2_stream_id;
	l->refused_goaway = e->h2_goaway;
}

static void read_file(const char *path, uint8_t **out, size_t *n)
{
	FILE *fp = fopen(path, "rb");
	long len;

	assert_non_null(fp);
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	len = ftell(fp);
	rewind(fp);
	*out = malloc((size_t)len + 1);
	assert_int_equal(fread(*out, 1, (size_t)len, fp), (size_t)len);
	*n = (size_t)len;
	fclose(fp);
}

/* Runs a sample with the key log text given (NULL: none). */
static void run(const char *name, const uint8_t *keys, size_t nkeys, struct tls_log *l,
		struct cap_pipeline_stats *st)
{
	char path[512];
	struct cap_sink sink;
	struct cap_source *src = NULL;
	struct cap_pipeline *pl;
	struct cap_tls_keylog *k = cap_tls_keylog_new(0);
	const char *p = path;
	char err[256];

	memset(l, 0, sizeof(*l));
	memset(&sink, 0, sizeof(sink));
	sink.ctx = l;
	sink.http = on_http;
	sink.tls = on_tls;
	sink.conn = on_conn;
	snprintf(path, sizeof(path), "%s/%s.pcap", NEGSCOPE_SAMPLES_DIR, name);
	assert_int_equal(cap_source_open_files(&src, &p, 1, NULL, err, sizeof(err)), 0);
	pl = cap_pipeline_new(1, NULL, &sink);
	assert_non_null(pl);
	if (keys != NULL)
		cap_tls_keylog_add(k, keys, nkeys);
	cap_pipeline_set_keylog(pl, k);
	(void)cap_source_run(src, pl);
	cap_pipeline_finish(pl);
	*st = *cap_pipeline_stats(pl);
	cap_pipeline_free(pl);
	cap_source_close(src);
	cap_tls_keylog_free(k);
}

static void run_keylog(const char *name, struct tls_log *l, struct cap_pipeline_stats *st)
{
	char path[512];
	uint8_t *keys;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s.keylog", NEGSCOPE_SAMPLES_DIR, name);
	read_file(path, &keys, &n);
	run(name, keys, n, l, st);
	free(keys);
}

/* tshark -r NAME.pcap -o tls.keylog_file:NAME.keylog [-d tcp.port==5445,tls] -Y http */
static const struct {
	const char *name;
	uint16_t version, cipher;
	uint64_t frames[12];
} samples[] = {
	{"https-kerberos-ok", 0x0304, 0x1302, {9, 13, 17, 18}},
	{"https-tls13-aes128-gcm", 0x0304, 0x1301, {11, 12, 15, 16}},
	{"https-tls13-chacha20", 0x0304, 0x1303, {9, 13, 17, 18}},
	{"https-tls12-aes128-gcm", 0x0303, 0xc02f, {10, 11, 14, 15}},
	{"https-tls12-aes256-gcm", 0x0303, 0xc030, {10, 11, 14, 15}},
	{"https-tls12-chacha20", 0x0303, 0xcca8, {10, 11, 14, 15}},
	{"https-tls12-cbc-sha", 0x0303, 0xc013, {10, 11, 14, 15}},
	{"https-tls12-cbc-sha256", 0x0303, 0xc027, {10, 11, 14, 15}},
	{"https-tls12-cbc-sha384", 0x0303, 0xc028, {10, 11, 14, 15}},
	{"https-ntlm", 0x0303, 0xc030, {10, 11, 12, 13, 14, 15}},
	{"https-ntlm-tls13", 0x0304, 0x1302, {11, 12, 13, 14, 15, 16}},
	{"https-proxy-ntlm", 0, 0, {10, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30}},
	/* h2 first (frame 13 HEADERS[1] GET /), then HTTP/1.1 with a renegotiation for a
	 * client cert */
	{"https-h2-downgrade", 0x0303, 0xc030, {13, 28, 34, 38, 39}},
};

static void samples_decrypted(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		struct tls_log l;
		struct cap_pipeline_stats st;
		size_t n = 0;

		run_keylog(samples[i].name, &l, &st);
		while (n < 12 && samples[i].frames[n] != 0)
			n++;
		if (ev_count(&l.ev, 'H') != n)
			fail_msg("%s: %zu HTTP messages, tshark shows %zu", samples[i].name,
				 ev_count(&l.ev, 'H'), n);
		for (size_t k = 0; k < n; k++)
			if (ev_nth(&l.ev, 'H', k)->frame != samples[i].frames[k])
				fail_msg("%s: message %zu in frame %llu, tshark %llu",
					 samples[i].name, k,
					 (unsigned long long)ev_nth(&l.ev, 'H', k)->frame,
					 (unsigned long long)samples[i].frames[k]);
		assert_int_equal(st.tls_decrypt_failures, 0);
		assert_int_equal(st.tls_decrypted_conns, st.tls_conns);
		assert_true(st.tls_records_decrypted > 0);
		if (samples[i].version != 0) {
			assert_int_equal(l.last.version, samples[i].version);
			assert_int_equal(l.last.cipher, samples[i].cipher);
		}
		evlog_free(&l.ev);
	}
}

/* HTTP/2 inside TLS (ALPN h2).  tshark -r https-h2-downgrade.pcap -o tls.keylog_file:... -Y
 * http2 -T fields -e frame.number -e http2.type -e http2.streamid -e http2.rst_stream.error
 * -e http2.headers.method -e http2.headers.path -e http2.headers.authority:
 *   13  HEADERS     stream 1  GET / crm.example.test:5448
 *   17  RST_STREAM  stream 1  error 13 (HTTP_1_1_REQUIRED)
 *   41  GOAWAY      stream 0  error 0 (not a refusal) */
static void h2_in_tls(void **state)
{
	struct tls_log l;
	struct cap_pipeline_stats st;

	(void)state;
	run_keylog("https-h2-downgrade", &l, &st);
	assert_int_equal(l.nh2, 1);
	assert_int_equal(l.h2_frame, 13);
	assert_int_equal(l.h2_sid, 1);
	assert_string_equal(l.h2_host, "crm.example.test:5448");
	assert_string_equal(ev_nth(&l.ev, 'H', 0)->method, "GET");
	assert_true(ev_nth(&l.ev, 'H', 0)->is_request);
	assert_int_equal(l.nrefused, 1);
	assert_int_equal(l.refused_frame, 17);
	assert_int_equal(l.refused_sid, 1);
	assert_false(l.refused_goaway); /* RST_STREAM names its stream */
	assert_int_equal(st.http_parse_errors, 0);
	evlog_free(&l.ev);

	/* Without keys nothing of it is seen. */
	run("https-h2-downgrade", NULL, 0, &l, &st);
	assert_int_equal(l.nh2, 0);
	assert_int_equal(l.nrefused, 0);
	evlog_free(&l.ev);
}

/* Without keys: no HTTP, and what the handshake shows in the clear. */
static void clear_view(void **state)
{
	struct tls_log l;
	struct cap_pipeline_stats st;

	(void)state;
	run("https-tls12-aes128-gcm", NULL, 0, &l, &st);
	assert_int_equal(ev_count(&l.ev, 'H'), 0);
	assert_int_equal(st.tls_conns, 1);
	assert_true(l.last.no_keys);
	assert_false(l.last.decrypted);
	assert_string_equal(l.last.sni, "crm.example.test");
	assert_int_equal(l.last.hello_frame, 4);
	assert_true(l.last.has_cert); /* TLS 1.2: in the clear */
	assert_string_equal(l.last.cert.subject, "O=negscope lab site,CN=crm.example.test");
	assert_non_null(strstr(l.last.cert.sans, "crm.example.test"));
	/* RFC 5929: SHA-256 for a SHA-256 signature; the certificate's fingerprint
	 * (openssl x509 -fingerprint -sha256) */
	assert_int_equal(l.last.cert.endpoint_len, 32);
	evlog_free(&l.ev);

	run("https-kerberos-ok", NULL, 0, &l, &st);
	assert_int_equal(ev_count(&l.ev, 'H'), 0);
	assert_true(l.last.no_keys);
	assert_int_equal(l.last.version, 0x0304);
	assert_false(l.last.has_cert); /* TLS 1.3: encrypted */
	assert_string_equal(l.last.alpn_offered, "h2,http/1.1"); /* curl offers both */
	evlog_free(&l.ev);
}

/* A key log with the right client random and a wrong secret: told as bad keys. */
static void wrong_secret(void **state)
{
	char path[512];
	uint8_t *keys;
	size_t n;
	struct tls_log l;
	struct cap_pipeline_stats st;

	(void)state;
	snprintf(path, sizeof(path), "%s/https-tls12-aes128-gcm.keylog", NEGSCOPE_SAMPLES_DIR);
	read_file(path, &keys, &n);
	/* the master secret's last hex digit changed */
	for (size_t i = n; i > 0; i--)
		if (keys[i - 1] >= '0' && keys[i - 1] <= '9') {
			keys[i - 1] = keys[i - 1] == '0' ? '1' : '0';
			break;
		}
	run("https-tls12-aes128-gcm", keys, n, &l, &st);
	free(keys);
	assert_int_equal(ev_count(&l.ev, 'H'), 0);
	assert_true(l.last.bad_keys);
	assert_false(l.last.decrypted);
	assert_true(st.tls_decrypt_failures > 0);
	evlog_free(&l.ev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(samples_decrypted),
		cmocka_unit_test(h2_in_tls),
		cmocka_unit_test(clear_view),
		cmocka_unit_test(wrong_secret),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
