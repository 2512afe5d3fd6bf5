/* test_b64.c - strict base64 and hex decoding of tokens, with real gss-ntlmssp tokens
 * (encoded by the test's own encoder) and the RFC 4648 §10 vectors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "authtok.h"
#include "negscope/b64.h"
#include "negscope/hex.h"

static enum cap_status dec(const char *s, unsigned flags, uint8_t *out, size_t cap, size_t *n,
			   struct cap_b64_err *e)
{
	return cap_b64_decode(cap_span_of(s, strlen(s)), flags, out, cap, n, e);
}

static void test_rfc4648_vectors(void **state)
{
	static const char *const enc[] = { "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=",
					   "Zm9vYmFy" };
	static const char plain[] = "foobar";
	uint8_t out[16];
	char back[16];
	size_t n, i;
	struct cap_b64_err e;

	(void)state;
	for (i = 0; i < 6; i++) {
		assert_int_equal(dec(enc[i], 0, out, sizeof(out), &n, &e), CAP_OK);
		assert_int_equal(n, i + 1);
		assert_memory_equal(out, plain, n);
		assert_false(e.noncanonical);
		assert_int_equal(cap_b64_encode(cap_span_of(plain, i + 1), back, sizeof(back)),
				 strlen(enc[i]));
		assert_string_equal(back, enc[i]);
	}
}

static void test_errors_name_offset(void **state)
{
	uint8_t out[64];
	size_t n = 99;
	struct cap_b64_err e;

	(void)state;
	assert_int_equal(dec("YII%AAAA", 0, out, sizeof(out), &n, &e), CAP_MALFORMED);
	assert_int_equal(n, 0);
	assert_int_equal(e.offset, 3);
	assert_non_null(strstr(e.msg, "'%' at offset 3"));
	assert_int_equal(dec("YII-", 0, out, sizeof(out), &n, &e), CAP_MALFORMED);
	assert_non_null(strstr(e.msg, "base64url"));
	assert_int_equal(dec("Zm9vYg", 0, out, sizeof(out), &n, &e), CAP_MALFORMED);
	assert_non_null(strstr(e.msg, "padding"));
	assert_int_equal(dec("Zm9vY", 0, out, sizeof(out), &n, &e), CAP_MALFORMED);
	assert_int_equal(dec("Zg=a", 0, out, sizeof(out), &n, &e), CAP_MALFORMED);
	assert_non_null(strstr(e.msg, "after '='"));
	assert_int_equal(dec("Z===", 0, out, sizeof(out), &n, &e), CAP_MALFORMED);
	assert_int_equal(dec("Zm9v=", 0, out, sizeof(out), &n, &e), CAP_MALFORMED);
	assert_int_equal(dec("Zg===", 0, out, sizeof(out), &n, &e), CAP_MALFORMED);
	assert_non_null(strstr(e.msg, "too many"));
	assert_int_equal(dec("", 0, out, sizeof(out), &n, &e), CAP_MALFORMED);
	/* Control bytes are named in hex. */
	assert_int_equal(dec("Zm9v\x01", 0, out, sizeof(out), &n, &e), CAP_MALFORMED);
	assert_non_null(strstr(e.msg, "0x01"));
	/* Whitespace only with the flag; offsets still count it. */
	assert_int_equal(dec("Zm9v Yg==", 0, out, sizeof(out), &n, &e), CAP_MALFORMED);
	assert_int_equal(e.offset, 4);
	assert_int_equal(dec("Zm9v\r\n Yg==", CAP_B64_ALLOW_WS, out, sizeof(out), &n, &e),
			 CAP_OK);
	assert_int_equal(n, 4);
	assert_int_equal(dec("Zm9v\r\n Y%==", CAP_B64_ALLOW_WS, out, sizeof(out), &n, &e),
			 CAP_MALFORMED);
	assert_int_equal(e.offset, 8);
	/* Non-zero pad bits decode but are reported. */
	assert_int_equal(dec("Zh==", 0, out, sizeof(out), &n, &e), CAP_OK);
	assert_true(e.noncanonical);
	assert_int_equal(n, 1);
	/* Output too small. */
	assert_int_equal(dec("Zm9vYmFy", 0, out, 5, &n, &e), CAP_LIMIT);
	assert_int_equal(dec("Zm9vYg==", 0, out, 3, &n, &e), CAP_LIMIT);
	assert_int_equal(dec("Zm9v", 0, out, 3, &n, NULL), CAP_OK);
}

static void test_real_tokens_roundtrip(void **state)
{
	struct gss_leg legs[8];
	int n = gssgen_ntlm(1, "EXAMPLE:alice:Passw0rd!", "HTTP@www.example.test", legs, 8), i;

	(void)state;
	if (n < 0)
		skip();
	assert_true(n >= 3);
	for (i = 0; i < n; i++) {
		char *b = authtok_b64(legs[i].p, legs[i].len);
		size_t cap = cap_b64_decoded_max(strlen(b)), got = 0, k;
		uint8_t *out = malloc(cap);
		char *hex = malloc(legs[i].len * 3 + 1), *enc = malloc(strlen(b) + 1);
		struct cap_hex_err he;

		assert_non_null(out);
		assert_int_equal(dec(b, 0, out, cap, &got, NULL), CAP_OK);
		assert_int_equal(got, legs[i].len);
		assert_memory_equal(out, legs[i].p, got);
		/* Our encoder agrees with the independent one. */
		assert_int_equal(cap_b64_encode(cap_span_of(legs[i].p, legs[i].len), enc,
						strlen(b) + 1), strlen(b));
		assert_string_equal(enc, b);
		/* Hex, with and without separators. */
		for (k = 0; k < legs[i].len; k++)
			snprintf(hex + 3 * k, 4, "%02X%s", legs[i].p[k], k + 1 < legs[i].len ? ":" : "");
		assert_true(cap_hex_looks_like(cap_span_of(hex, strlen(hex)), CAP_HEX_ALLOW_SEP));
		assert_false(cap_hex_looks_like(cap_span_of(hex, strlen(hex)), 0));
		assert_int_equal(cap_hex_decode(cap_span_of(hex, strlen(hex)), CAP_HEX_ALLOW_SEP, out,
						cap, &got, &he), CAP_OK);
		assert_int_equal(got, legs[i].len);
		assert_memory_equal(out, legs[i].p, got);
		free(out);
		free(hex);
		free(enc);
		free(b);
	}
	gssgen_free(legs, n);
}

static void test_hex_errors(void **state)
{
	uint8_t out[16];
	size_t n;
	struct cap_hex_err e;
	char enc[16];

	(void)state;
	assert_int_equal(cap_hex_decode(cap_span_of("0x6082", 6), 0, out, sizeof(out), &n, &e),
			 CAP_OK);
	assert_int_equal(n, 2);
	assert_int_equal(out[0], 0x60);
	assert_int_equal(cap_hex_decode(cap_span_of("608", 3), 0, out, sizeof(out), &n, &e),
			 CAP_MALFORMED);
	assert_non_null(strstr(e.msg, "odd"));
	assert_int_equal(cap_hex_decode(cap_span_of("6g", 2), 0, out, sizeof(out), &n, &e),
			 CAP_MALFORMED);
	assert_int_equal(e.offset, 1);
	assert_int_equal(cap_hex_decode(cap_span_of("6 0", 3), CAP_HEX_ALLOW_SEP, out, sizeof(out),
					&n, &e), CAP_MALFORMED);
	assert_non_null(strstr(e.msg, "inside"));
	assert_int_equal(cap_hex_decode(cap_span_of("a0a1a2", 6), 0, out, 2, &n, &e), CAP_LIMIT);
	assert_false(cap_hex_looks_like(cap_span_of("YIIC", 4), CAP_HEX_ALLOW_SEP));
	assert_false(cap_hex_looks_like(cap_span_of("", 0), CAP_HEX_ALLOW_SEP));
	assert_int_equal(cap_hex_encode(cap_span_of("\x01\xff\x10", 3), enc, 5), 4);
	assert_string_equal(enc, "01ff");
}

/* Every prefix and every single-byte change of a real token's base64 either decodes or
 * fails with a message; never reads outside the input (ASan). */
static void test_sweeps(void **state)
{
	struct gss_leg legs[8];
	int n = gssgen_ntlm(0, "EXAMPLE:bob:pw", "HTTP@www.example.test", legs, 8), i;

	(void)state;
	if (n < 0)
		skip();
	for (i = 0; i < n; i++) {
		char *b = authtok_b64(legs[i].p, legs[i].len);
		size_t len = strlen(b), k, got;
		uint8_t *out = malloc(cap_b64_decoded_max(len));
		struct cap_b64_err e;

		for (k = 0; k <= len; k++) {
			char *cut = malloc(k + 1);
			enum cap_status st;

			memcpy(cut, b, k);
			st = cap_b64_decode(cap_span_of(cut, k), 0, out, cap_b64_decoded_max(len), &got,
					    &e);
			assert_true(st == CAP_OK || (st == CAP_MALFORMED && e.msg[0] != '\0'));
			if (k % 4 == 0 && k > 0 && k < len)
				assert_int_equal(st, CAP_OK);
			free(cut);
		}
		for (k = 0; k < len; k++) {
			char saved = b[k];
			enum cap_status st;

			b[k] = (char)(saved ^ 0x40);
			st = cap_b64_decode(cap_span_of(b, len), 0, out, cap_b64_decoded_max(len), &got,
					    &e);
			assert_true(st == CAP_OK || (st == CAP_MALFORMED && e.msg[0] != '\0'));
			b[k] = saved;
		}
		free(out);
		free(b);
	}
	gssgen_free(legs, n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc4648_vectors),
		cmocka_unit_test(test_errors_name_offset),
		cmocka_unit_test(test_real_tokens_roundtrip),
		cmocka_unit_test(test_hex_errors),
		cmocka_unit_test(test_sweeps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
