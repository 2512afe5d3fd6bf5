/* test_chanbind.c - tls-server-end-point channel bindings (RFC 5929 §4.1): the hash follows
 * the certificate's signature (SHA-384 for ecdsa-with-SHA384), SHA-256 replaces SHA-1; the
 * application data is "tls-server-end-point:" + hash.  Known answers from
 * `openssl x509 -outform DER | openssl dgst` over the same certificates. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chanbind.h"
#include "probe.h"

/* self-signed P-256 certificates, made with openssl req -x509 -sha1 / -sha384 */
static const char pem_sha1[] =
	"-----BEGIN CERTIFICATE-----\n"
	"MIIBkTCCATigAwIBAgIUKchhf2LZoY1puJ/GGyEAfMjqnZowCQYHKoZIzj0EATAf\n"
	"MR0wGwYDVQQDDBRjYi1zaGExLmV4YW1wbGUudGVzdDAeFw0yNjEyMDIwODAyMzRa\n"
	"Fw0zNjExMjkwODAyMzRaMB8xHTAbBgNVBAMMFGNiLXNoYTEuZXhhbXBsZS50ZXN0\n"
	"MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE3m0raKARtKpsvEJp7htc5ZzFYTqX\n"
	"puGBRL1TyijhdghTLZl+xVzATMlr0oLhn+Wj2yRwKALvSbfZU+UBGyQTLKNTMFEw\n"
	"HQYDVR0OBBYEFPqumBjavhUaZ2VX/njYx5dqPYTzMB8GA1UdIwQYMBaAFPqumBja\n"
	"vhUaZ2VX/njYx5dqPYTzMA8GA1UdEwEB/wQFMAMBAf8wCQYHKoZIzj0EAQNIADBF\n"
	"AiAofntKeb9p0hBp9PshOTvdjhdhDx+Fwo/b3Ie6x+83HwIhALcTdP9m2k+rPg94\n"
	"0LDrO+yn6kiHqIJ66gHG1c5dlLzg\n"
	"-----END CERTIFICATE-----\n"
	;

static const char pem_sha384[] =
	"-----BEGIN CERTIFICATE-----\n"
	"MIIBmDCCAT2gAwIBAgIUB4WKVlvqnHsmSRAE5Um0Kcis/AwwCgYIKoZIzj0EAwMw\n"
	"ITEfMB0GA1UEAwwWY2Itc2hhMzg0LmV4YW1wbGUudGVzdDAeFw0yNjEyMDIwODAy\n"
	"MzVaFw0zNjExMjkwODAyMzVaMCExHzAdBgNVBAMMFmNiLXNoYTM4NC5leGFtcGxl\n"
	"LnRlc3QwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAASw06kKgG7rrPHenM7tWAjg\n"
	"u4UvKrTXiKRBvjUGrntX8eSVaFWSYt05K/GXXgMfkI8X51V8t03EAAq3vqsvVjq1\n"
	"o1MwUTAdBgNVHQ4EFgQUY20fO56WoJh0LT1+aIInVHprlj8wHwYDVR0jBBgwFoAU\n"
	"Y20fO56WoJh0LT1+aIInVHprlj8wDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQD\n"
	"AwNJADBGAiEAkJu07N2CvaI6y6RX9DiUHabH0Le8DfkCw4ktENXQOEICIQDX2JTl\n"
	"uDsnydorzGbEwvg19GrKBvUHxxxWRzPaWTc7Ow==\n"
	"-----END CERTIFICATE-----\n"
	;

static void hex(const uint8_t *b, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
}

static void check(const char *pem, const char *hash, const char *want_hex, const char *fp_start)
{
	const size_t plen = strlen(PROBE_CHANBIND_PREFIX);
	struct probe_chanbind cb;
	char got[2 * 64 + 1];

	assert_int_equal(probe_chanbind_from_pem(pem, &cb), 0);
	assert_string_equal(cb.hash, hash);
	assert_int_equal(cb.len, plen + strlen(want_hex) / 2);
	assert_memory_equal(cb.data, PROBE_CHANBIND_PREFIX, plen);
	hex(cb.data + plen, cb.len - plen, got);
	assert_string_equal(got, want_hex);
	assert_int_equal(strncmp(cb.fingerprint, fp_start, strlen(fp_start)), 0);
	assert_int_equal(strlen(cb.fingerprint), 32 * 3 - 1); /* "AB:" x 32 */
}

static void sha1_becomes_sha256(void **state)
{
	(void)state;
	check(pem_sha1, "sha256",
	      "0c5ec9fc4d05ddbd62a13a79be1b374ea2135c83c79e8a225140525cac3e2f80", "0C:5E:C9:FC");
}

static void sha384_kept(void **state)
{
	(void)state;
	check(pem_sha384, "sha384",
	      "91092b1b6d34a3be71024200286fdbd6d717bd128e7eb6a1acd2a37f4bdaf6ecd5715ef12aead7d5115d"
	      "33cd500166aa", "F6:7E:E4:CC");
}

static void not_a_certificate(void **state)
{
	static const uint8_t junk[] = {0x30, 0x82, 0xff, 0xff, 0x01};
	struct probe_chanbind cb;

	(void)state;
	assert_int_equal(probe_chanbind_from_pem("-----BEGIN CERTIFICATE-----\nAAAA\n", &cb), -1);
	assert_int_equal(cb.len, 0);
	assert_int_equal(probe_chanbind_from_der(junk, sizeof(junk), &cb), -1);
	assert_int_equal(cb.len, 0);
}

/* What the reports say: sent or withheld, and over which certificate. */
static void described(void **state)
{
	struct probe_result *r = calloc(1, sizeof(*r));
	char line[400];

	(void)state;
	assert_non_null(r);
	probe_chanbind_describe(r, line, sizeof(line));
	assert_string_equal(line, ""); /* plain HTTP */
	r->chanbind.https = true;
	r->chanbind.withheld = true;
	probe_chanbind_describe(r, line, sizeof(line));
	assert_string_equal(line, "none (--no-channel-binding)");
	snprintf(r->chanbind.hash, sizeof(r->chanbind.hash), "sha256");
	snprintf(r->chanbind.fingerprint, sizeof(r->chanbind.fingerprint), "0C:5E");
	snprintf(r->chanbind.subject, sizeof(r->chanbind.subject), "/CN=x");
	probe_chanbind_describe(r, line, sizeof(line));
	assert_string_equal(line, "not sent (--no-channel-binding), tls-server-end-point sha256 "
			    "of the certificate /CN=x (SHA-256 0C:5E)");
	r->chanbind.withheld = false;
	r->chanbind.sent = true;
	probe_chanbind_describe(r, line, sizeof(line));
	assert_string_equal(line, "sent, tls-server-end-point sha256 of the certificate /CN=x "
			    "(SHA-256 0C:5E)");
	free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sha1_becomes_sha256),
		cmocka_unit_test(sha384_kept),
		cmocka_unit_test(not_a_certificate),
		cmocka_unit_test(described),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
