/* test_tls.c - TLS records and hellos (every prefix of a record, hostile lengths), the NSS
 * key log table (caps, bad lines counted), certificates and channel bindings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "negscope/tls.h"

struct bytes {
	uint8_t b[2048];
	size_t n;
};

static void put(struct bytes *o, const void *p, size_t n)
{
	assert_true(o->n + n <= sizeof(o->b));
	memcpy(o->b + o->n, p, n);
	o->n += n;
}

static void u8(struct bytes *o, unsigned v)
{
	uint8_t b = (uint8_t)v;

	put(o, &b, 1);
}

static void u16(struct bytes *o, unsigned v)
{
	u8(o, v >> 8);
	u8(o, v);
}

static void u24(struct bytes *o, unsigned v)
{
	u8(o, v >> 16);
	u16(o, v & 0xffff);
}

/* A ClientHello record as a browser sends it: SNI, ALPN h2,http/1.1, supported_versions. */
static void client_hello(struct bytes *rec)
{
	struct bytes body = {{0}, 0}, ext = {{0}, 0};
	static const char host[] = "crm.example.test";

	u16(&ext, 0); /* server_name */
	u16(&ext, 2 + 1 + 2 + sizeof(host) - 1);
	u16(&ext, 1 + 2 + sizeof(host) - 1);
	u8(&ext, 0);
	u16(&ext, sizeof(host) - 1);
	put(&ext, host, sizeof(host) - 1);
	u16(&ext, 16); /* ALPN */
	u16(&ext, 2 + 3 + 9);
	u16(&ext, 3 + 9);
	u8(&ext, 2);
	put(&ext, "h2", 2);
	u8(&ext, 8);
	put(&ext, "http/1.1", 8);
	u16(&ext, 43); /* supported_versions */
	u16(&ext, 5);
	u8(&ext, 4);
	u16(&ext, 0x0304);
	u16(&ext, 0x0303);

	u16(&body, 0x0303);
	for (unsigned i = 0; i < 32; i++)
		u8(&body, i + 1); /* random */
	u8(&body, 0);         /* session id */
	u16(&body, 4);
	u16(&body, 0x1301);
	u16(&body, 0xc02f);
	u8(&body, 1);
	u8(&body, 0);
	u16(&body, (unsigned)ext.n);
	put(&body, ext.b, ext.n);

	rec->n = 0;
	u8(rec, 22);
	u16(rec, 0x0301);
	u16(rec, (unsigned)body.n + 4);
	u8(rec, 1);
	u24(rec, (unsigned)body.n);
	put(rec, body.b, body.n);
}

static void hello_parsed(void **state)
{
	struct bytes rec;
	struct cap_cursor c;
	struct cap_tls_record r;
	struct cap_tls_hello h;
	bool is_client = false;

	(void)state;
	client_hello(&rec);
	assert_true(cap_tls_looks_like(rec.b, rec.n, &is_client));
	assert_true(is_client);
	c = cap_cur_init(rec.b, rec.n);
	assert_int_equal(cap_tls_record(&c, &r), CAP_OK);
	assert_int_equal(r.type, CAP_TLS_HANDSHAKE);
	assert_int_equal(cap_cur_left(&c), 0);
	assert_int_equal(cap_tls_client_hello(cap_span_of(r.body.p + 4, r.body.len - 4), &h),
			 CAP_OK);
	assert_string_equal(h.sni, "crm.example.test");
	assert_string_equal(h.alpn, "h2,http/1.1");
	assert_int_equal(h.version, 0x0304);
	assert_int_equal(h.random[0], 1);
	assert_int_equal(h.random[31], 32);
}

/* Every prefix of a record is "not all there yet", never a record or a crash; every
 * prefix of the hello body parses to an error or to a hello, never past its bytes. */
static void every_prefix(void **state)
{
	struct bytes rec;
	struct cap_tls_hello h;

	(void)state;
	client_hello(&rec);
	for (size_t n = 0; n < rec.n; n++) {
		uint8_t *cut = malloc(n > 0 ? n : 1);
		struct cap_cursor c;
		struct cap_tls_record r;

		memcpy(cut, rec.b, n);
		c = cap_cur_init(cut, n);
		assert_int_equal(cap_tls_record(&c, &r), CAP_TRUNCATED);
		assert_int_equal(cap_cur_left(&c), n); /* nothing consumed */
		if (n >= 9)
			(void)cap_tls_client_hello(cap_span_of(cut + 9, n - 9), &h);
		(void)cap_tls_server_hello(cap_span_of(cut, n), &h);
		free(cut);
	}
}

/* Lengths that lie: records over 2^14+2048, bytes that are not TLS. */
static void hostile_records(void **state)
{
	static const uint8_t too_long[] = {23, 3, 3, 0x48, 0x01};
	static const uint8_t not_tls[] = {'G', 'E', 'T', ' ', '/', ' ', 'H', 'T', 'T', 'P'};
	static const uint8_t bad_version[] = {22, 9, 9, 0, 1, 1};
	struct cap_tls_record r;
	struct cap_cursor c;
	bool is_client;
	uint8_t junk[300];

	(void)state;
	c = cap_cur_init(too_long, sizeof(too_long));
	assert_int_equal(cap_tls_record(&c, &r), CAP_MALFORMED);
	c = cap_cur_init(not_tls, sizeof(not_tls));
	assert_int_equal(cap_tls_record(&c, &r), CAP_MALFORMED);
	assert_false(cap_tls_looks_like(not_tls, sizeof(not_tls), &is_client));
	c = cap_cur_init(bad_version, sizeof(bad_version));
	assert_int_equal(cap_tls_record(&c, &r), CAP_MALFORMED);
	/* Random bytes through every message parser: errors, no overrun (ASan leg). */
	srand(13);
	for (int round = 0; round < 2000; round++) {
		struct cap_tls_hello h;
		struct cap_span leaf;
		char alpn[CAP_TLS_ALPN_MAX];
		size_t n = (size_t)rand() % sizeof(junk);

		for (size_t i = 0; i < n; i++)
			junk[i] = (uint8_t)(rand() % 4 == 0 ? rand() : (rand() % 3));
		(void)cap_tls_client_hello(cap_span_of(junk, n), &h);
		(void)cap_tls_server_hello(cap_span_of(junk, n), &h);
		(void)cap_tls_encrypted_extensions(cap_span_of(junk, n), alpn, sizeof(alpn));
		(void)cap_tls_certificate(cap_span_of(junk, n), round & 1, &leaf);
	}
}

#define RND "0102030405060708091011121314151617181920212223242526272829303132"
#define SEC48 "aabbccddeeff00112233445566778899aabbccddeeff00112233445566778899" \
	      "aabbccddeeff00112233445566778899"

static void keylog_lines(void **state)
{
	static const char text[] =
		"# comment\n"
		"\n"
		"CLIENT_RANDOM " RND " " SEC48 "\r\n"
		"SERVER_TRAFFIC_SECRET_0 " RND " " SEC48 "\n"
		"EXPORTER_SECRET " RND " " SEC48 "\n"
		"CLIENT_RANDOM " RND "\n"                    /* no secret */
		"CLIENT_RANDOM zz" RND " " SEC48 "\n"        /* bad hex */
		"BOGUS_LABEL " RND " " SEC48 "\n"
		"CLIENT_RANDOM " RND " " SEC48 " extra\n"
		"CLIENT_HANDSHAKE_TRAFFIC_SECRET " RND " " SEC48; /* no final newline */
	struct cap_tls_keylog *k = cap_tls_keylog_new(0);
	const struct cap_tls_keylog_stats *st;
	uint8_t r[32];
	const uint8_t *s = NULL;

	(void)state;
	assert_non_null(k);
	cap_tls_keylog_add(k, (const uint8_t *)text, sizeof(text) - 1);
	st = cap_tls_keylog_stats(k);
	assert_int_equal(st->lines, 8);
	assert_int_equal(st->used, 3);
	assert_int_equal(st->other, 1);
	assert_int_equal(st->bad, 4);
	assert_int_equal(cap_tls_keylog_count(k), 1);
	for (int i = 0; i < 32; i++)
		r[i] = (uint8_t)(((i + 1) / 10) << 4 | ((i + 1) % 10));
	assert_int_equal(cap_tls_keylog_find(k, r, CAP_TLS_SEC_MASTER, &s), 48);
	assert_int_equal(s[0], 0xaa);
	assert_int_equal(cap_tls_keylog_find(k, r, CAP_TLS_SEC_S_AP, &s), 48);
	assert_int_equal(cap_tls_keylog_find(k, r, CAP_TLS_SEC_C_HS, &s), 48);
	assert_int_equal(cap_tls_keylog_find(k, r, CAP_TLS_SEC_S_HS, &s), 0);
	r[0] ^= 1;
	assert_int_equal(cap_tls_keylog_find(k, r, CAP_TLS_SEC_MASTER, &s), 0);
	cap_tls_keylog_free(k);
}

/* At most max client randoms; a line too long is counted, not read. */
static void keylog_caps(void **state)
{
	struct cap_tls_keylog *k = cap_tls_keylog_new(3);
	char line[400];
	char *big;

	(void)state;
	for (int i = 0; i < 10; i++) {
		int n = snprintf(line, sizeof(line), "CLIENT_RANDOM %064x %s\n", i + 1, SEC48);

		cap_tls_keylog_add(k, (const uint8_t *)line, (size_t)n);
	}
	assert_int_equal(cap_tls_keylog_count(k), 3);
	assert_int_equal(cap_tls_keylog_stats(k)->cap_hits, 7);
	big = malloc(5000);
	memset(big, 'a', 4999);
	big[4999] = '\n';
	cap_tls_keylog_add(k, (const uint8_t *)big, 5000);
	assert_int_equal(cap_tls_keylog_stats(k)->too_long, 1);
	free(big);
	cap_tls_keylog_free(k);
	/* Many randoms: the table grows past its first size. */
	k = cap_tls_keylog_new(0);
	for (int i = 0; i < 5000; i++) {
		int n = snprintf(line, sizeof(line), "CLIENT_RANDOM %064x %s\n", i + 1, SEC48);

		cap_tls_keylog_add(k, (const uint8_t *)line, (size_t)n);
	}
	assert_int_equal(cap_tls_keylog_count(k), 5000);
	cap_tls_keylog_free(k);
}

static void suites_named(void **state)
{
	(void)state;
	assert_string_equal(cap_tls_cipher_name(0x1302), "TLS_AES_256_GCM_SHA384");
	assert_string_equal(cap_tls_cipher_name(0xc014), "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA");
	assert_null(cap_tls_cipher_name(0x0005));
	assert_string_equal(cap_tls_version_name(0x0303, "?"), "TLS 1.2");
	assert_true(cap_tls_suite(0x1303)->tls13);
	assert_int_equal(cap_tls_suite(0xc028)->mac_len, 48);
}

/* A record that does not authenticate is refused (wrong key, or a byte changed). */
static void decrypt_refuses_forgery(void **state)
{
	struct cap_tls_cipher c;
	uint8_t secret[32] = {1}, body[64] = {0}, out[CAP_TLS_MAX_PLAIN];
	struct cap_tls_record r = {CAP_TLS_APPDATA, 0x0303, {body, sizeof(body)}};
	size_t n = 0;
	uint8_t inner;

	(void)state;
	memset(&c, 0, sizeof(c));
	assert_int_equal(cap_tls13_keys(cap_tls_suite(0x1301), secret, 32, &c), 0);
	assert_int_equal(cap_tls_decrypt(&c, &r, out, &n, &inner), CAP_MALFORMED);
	assert_int_equal(c.seq, 0); /* not counted as read */
	assert_int_equal(cap_tls13_update(&c), 0);
	cap_tls_cipher_clear(&c);
	memset(&c, 0, sizeof(c));
	assert_int_equal(cap_tls12_keys(cap_tls_suite(0xc014), secret, 32, secret, secret, false,
				       &c, &c), 0);
	assert_int_equal(cap_tls_decrypt(&c, &r, out, &n, &inner), CAP_MALFORMED);
	cap_tls_cipher_clear(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hello_parsed),
		cmocka_unit_test(every_prefix),
		cmocka_unit_test(hostile_records),
		cmocka_unit_test(keylog_lines),
		cmocka_unit_test(keylog_caps),
		cmocka_unit_test(suites_named),
		cmocka_unit_test(decrypt_refuses_forgery),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
