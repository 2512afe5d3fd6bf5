/* test_tls_certs.c - the pipeline's certificates read once: what a cached certificate says is
 * what libcrypto's parse says, the least recently used one leaves first, and what is not a
 * certificate is refused and not kept.  Certificates are made here with libcrypto (self-signed,
 * EC P-256, SHA-256), one subject each. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "pipeline/pipeline_int.h"

#define NCERTS (CAP_PL_CERTS + 2)

static uint8_t *ders[NCERTS];
static size_t der_lens[NCERTS];

/* A self-signed certificate for CN=host<i>.example.test, DER-encoded. */
static void make_cert(int i, EVP_PKEY *key)
{
	X509 *x = X509_new();
	X509_NAME *name;
	char cn[64];
	unsigned char *p = NULL;
	int n;

	assert_non_null(x);
	snprintf(cn, sizeof(cn), "host%d.example.test", i);
	assert_int_equal(X509_set_version(x, 2), 1);
	assert_int_equal(ASN1_INTEGER_set(X509_get_serialNumber(x), 1000 + i), 1);
	assert_non_null(X509_gmtime_adj(X509_getm_notBefore(x), 0));
	assert_non_null(X509_gmtime_adj(X509_getm_notAfter(x), 86400));
	name = X509_get_subject_name(x);
	assert_int_equal(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
						    (const unsigned char *)cn, -1, -1, 0), 1);
	assert_int_equal(X509_set_issuer_name(x, name), 1);
	assert_int_equal(X509_set_pubkey(x, key), 1);
	assert_true(X509_sign(x, key, EVP_sha256()) > 0);
	n = i2d_X509(x, &p);
	assert_true(n > 0);
	ders[i] = p;
	der_lens[i] = (size_t)n;
	X509_free(x);
}

static int setup(void **state)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");

	(void)state;
	if (key == NULL)
		return -1;
	for (int i = 0; i < NCERTS; i++)
		make_cert(i, key);
	EVP_PKEY_free(key);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (int i = 0; i < NCERTS; i++)
		OPENSSL_free(ders[i]);
	return 0;
}

static struct cap_pipeline *new_pipeline(void)
{
	static const struct cap_sink none;

	return cap_pipeline_new(1, NULL, &none);
}

static struct cap_span der_of(int i)
{
	return cap_span_of(ders[i], der_lens[i]);
}

static bool kept(const struct cap_pipeline *pl, int i)
{
	for (size_t k = 0; k < CAP_PL_CERTS; k++)
		if (pl->certs[k].der != NULL && pl->certs[k].len == der_lens[i] &&
		    memcmp(pl->certs[k].der, ders[i], der_lens[i]) == 0)
			return true;
	return false;
}

/* Every lookup, parsed or cached, says what cap_tls_cert_info says. */
static void same_as_parse(void **state)
{
	struct cap_pipeline *pl = new_pipeline();

	(void)state;
	assert_non_null(pl);
	for (int round = 0; round < 3; round++)
		for (int i = 0; i < NCERTS; i++) {
			struct cap_tls_cert want, got;
			char cn[64];

			assert_int_equal(cap_tls_cert_info(der_of(i), &want), 0);
			memset(&got, 0x5a, sizeof(got));
			assert_int_equal(cap_pl_cert_info(pl, der_of(i), &got), 0);
			assert_memory_equal(&got, &want, sizeof(want));
			snprintf(cn, sizeof(cn), "CN=host%d.example.test", i);
			assert_string_equal(got.subject, cn);
			assert_int_equal(got.endpoint_len, 32); /* SHA-256 (RFC 5929 4.1) */
		}
	cap_pipeline_free(pl);
}

/* Full: the one looked up longest ago makes room; a recent lookup keeps one in. */
static void least_recent_out(void **state)
{
	struct cap_pipeline *pl = new_pipeline();
	struct cap_tls_cert c;

	(void)state;
	assert_non_null(pl);
	for (int i = 0; i < CAP_PL_CERTS; i++)
		assert_int_equal(cap_pl_cert_info(pl, der_of(i), &c), 0);
	for (int i = 0; i < CAP_PL_CERTS; i++)
		assert_true(kept(pl, i));
	assert_int_equal(cap_pl_cert_info(pl, der_of(0), &c), 0); /* 0 used again: 1 is oldest */
	assert_int_equal(cap_pl_cert_info(pl, der_of(CAP_PL_CERTS), &c), 0);
	assert_true(kept(pl, 0));
	assert_false(kept(pl, 1));
	assert_true(kept(pl, CAP_PL_CERTS));
	assert_int_equal(cap_pl_cert_info(pl, der_of(CAP_PL_CERTS + 1), &c), 0);
	assert_false(kept(pl, 2));
	assert_true(kept(pl, CAP_PL_CERTS + 1));
	cap_pipeline_free(pl);
}

/* Bytes libcrypto cannot read: refused every time, nothing kept, no slot taken. */
static void not_a_certificate(void **state)
{
	struct cap_pipeline *pl = new_pipeline();
	uint8_t junk[64];
	struct cap_tls_cert c;

	(void)state;
	assert_non_null(pl);
	memset(junk, 0x30, sizeof(junk));
	for (int k = 0; k < 2; k++)
		assert_int_equal(cap_pl_cert_info(pl, cap_span_of(junk, sizeof(junk)), &c), -1);
	assert_int_equal(cap_pl_cert_info(pl, cap_span_of(junk, 0), &c), -1);
	for (size_t k = 0; k < CAP_PL_CERTS; k++)
		assert_null(pl->certs[k].der);
	/* a truncated certificate is not the certificate */
	assert_int_equal(cap_pl_cert_info(pl, der_of(0), &c), 0);
	assert_int_equal(cap_pl_cert_info(pl, cap_span_of(ders[0], der_lens[0] - 1), &c), -1);
	cap_pipeline_free(pl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(same_as_parse),
		cmocka_unit_test(least_recent_out),
		cmocka_unit_test(not_a_certificate),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
