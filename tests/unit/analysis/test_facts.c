/* test_facts.c - the decoding step (findings/facts.c): real header values from samples/
 * become the facts the rules read, and secrets never reach a fact. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "negscope/analysis.h"

/* samples/stale-keytab.pcap frame 11: SPNEGO reject carrying KRB-ERROR 44. */
static const char STALE_401[] =
	"Negotiate oX4wfKADCgEConUEc2BxBgkqhkiG9xIBAgIDAH5iMGCgAwIBBaEDAgEepBEYDzIwMjYxMTI1MDkwMzA0WqUF"
	"AgMDivumAwIBLKkOGwxFWEFNUExFLlRFU1SqJTAjoAMCAQOhHDAaGwRIVFRQGxJzdGFsZS5leGFtcGxlLnRlc3Q=";
/* samples/ntlm-fallback.pcap frame 8: SPNEGO NegTokenInit with an NTLM NEGOTIATE. */
static const char NTLM_IN_SPNEGO[] =
	"Negotiate YEgGBisGAQUFAqA+MDygDjAMBgorBgEEAYI3AgIKoioEKE5UTE1TU1AAAQAAABeCCOIAAAAAAAAAAAAAAAAAAAAABgIAAAAAAA8=";
/* A raw NTLM NEGOTIATE inside Negotiate (what Windows sends without a ticket). */
static const char RAW_NTLM[] = "Negotiate TlRMTVNTUAABAAAAB4IIogAAAAAAAAAAAAAAAAAAAAAKAO5CAAAADw==";

static void decode(const char *value, struct cap_auth_fact *f)
{
	cap_facts_auth(cap_span_of(value, strlen(value)), false, NULL, f);
}

/* The decode caps reach the facts: each hit is flagged by the cap that stopped it, and
 * the defaults flag nothing. */
static void test_caps_hit(void **state)
{
	struct cap_decode_limits lim;
	struct cap_auth_fact f;

	(void)state;
	decode(STALE_401, &f);
	assert_int_equal(f.caps_hit, 0);
	memset(&lim, 0, sizeof(lim));
	lim.max_token = 40;
	cap_facts_auth(cap_span_of(STALE_401, strlen(STALE_401)), false, &lim, &f);
	assert_int_equal(f.caps_hit, CAP_FACT_HIT_TOKEN);
	assert_int_equal(f.kind, CAP_TOKEN_UNDECODABLE);
	memset(&lim, 0, sizeof(lim));
	lim.max_der_elems = 4;
	cap_facts_auth(cap_span_of(STALE_401, strlen(STALE_401)), false, &lim, &f);
	assert_int_equal(f.caps_hit, CAP_FACT_HIT_DER_ELEMS);
	memset(&lim, 0, sizeof(lim));
	lim.max_der_depth = 2;
	cap_facts_auth(cap_span_of(STALE_401, strlen(STALE_401)), false, &lim, &f);
	assert_int_equal(f.caps_hit, CAP_FACT_HIT_DER_DEPTH);
	memset(&lim, 0, sizeof(lim));
	lim.max_challenges = 1;
	cap_facts_auth(cap_span_of("Negotiate, NTLM", 15), false, &lim, &f);
	assert_int_equal(f.caps_hit, CAP_FACT_HIT_CHALLENGES);
	assert_int_equal(f.scheme, CAP_AUTH_NEGOTIATE);
}

static void test_krb_error_token(void **state)
{
	struct cap_auth_fact f;

	(void)state;
	decode(STALE_401, &f);
	assert_int_equal(f.scheme, CAP_AUTH_NEGOTIATE);
	assert_int_equal(f.kind, CAP_TOKEN_KRB_ERROR);
	assert_true(f.spnego);
	assert_int_equal(f.neg_state, 2);
	assert_int_equal(f.error_code, 44);
	assert_string_equal(f.error_name, "KRB_AP_ERR_BADKEYVER");
	assert_int_equal(f.value_len, strlen(STALE_401));
	assert_int_equal(f.wrap, CAP_WRAP_SPNEGO);
	assert_false(f.spnego_init);
}

static void test_ntlm_in_negotiate(void **state)
{
	struct cap_auth_fact f;

	(void)state;
	decode(NTLM_IN_SPNEGO, &f);
	assert_int_equal(f.kind, CAP_TOKEN_NTLM);
	assert_int_equal(f.ntlm_type, 1);
	assert_true(f.spnego);
	decode(RAW_NTLM, &f);
	assert_int_equal(f.kind, CAP_TOKEN_NTLM);
	assert_int_equal(f.ntlm_type, 1);
	assert_false(f.spnego);
	assert_int_equal(f.scheme, CAP_AUTH_NEGOTIATE);
}

static void test_bare_basic_and_garbage(void **state)
{
	struct cap_auth_fact f;

	(void)state;
	decode("Negotiate", &f);
	assert_int_equal(f.scheme, CAP_AUTH_NEGOTIATE);
	assert_int_equal(f.kind, CAP_TOKEN_NONE);
	/* Basic: the user is a fact, the password never is. */
	decode("Basic YWxpY2U6czNjcjN0UGFzcw==", &f); /* alice:s3cr3tPass */
	assert_int_equal(f.scheme, CAP_AUTH_BASIC);
	assert_string_equal(f.user, "alice");
	assert_int_equal(f.wrap, CAP_WRAP_BASIC);
	for (size_t i = 0; i + 6 <= sizeof(f); i++) /* nowhere in the fact */
		assert_false(memcmp((const char *)&f + i, "s3cr3t", 6) == 0);
	assert_null(strstr(f.user, "s3cr3t"));
	decode("Negotiate !!!notbase64", &f);
	assert_int_equal(f.kind, CAP_TOKEN_UNDECODABLE);
	assert_true(f.error[0] != '\0');
	decode("", &f);
	assert_int_equal(f.kind, CAP_TOKEN_UNDECODABLE);
}

static void test_http_message(void **state)
{
	struct cap_http_header h[4];
	struct cap_http_msg m;
	struct cap_http_fact f;
	static const char *const names[] = {"WWW-Authenticate", "www-authenticate", "Connection",
					    "Persistent-Auth"};
	static const char *const values[] = {"Negotiate", "NTLM", "close", "true"};

	(void)state;
	memset(&m, 0, sizeof(m));
	for (int i = 0; i < 4; i++) {
		h[i].name = cap_span_of(names[i], strlen(names[i]));
		h[i].value = cap_span_of(values[i], strlen(values[i]));
	}
	m.frame = 6;
	m.stream = 0;
	m.status = 401;
	m.reason = cap_span_of("Unauthorized", 12);
	m.headers = h;
	m.nheaders = 4;
	m.close = CAP_HTTP_CLOSE_HEADER;
	cap_facts_http(&m, NULL, &f);
	assert_false(f.is_request);
	assert_int_equal(f.status, 401);
	assert_string_equal(f.reason, "Unauthorized");
	assert_int_equal(f.offered, CAP_AUTH_BIT(CAP_AUTH_NEGOTIATE) | CAP_AUTH_BIT(CAP_AUTH_NTLM));
	assert_false(f.has_auth); /* no challenge carries a token */
	assert_int_equal(f.nchallenges, 2);
	assert_int_equal(f.challenge[0].scheme, CAP_AUTH_NEGOTIATE);
	assert_string_equal(f.challenge[1].name, "NTLM");
	assert_false(f.challenge[1].has_token);
	assert_string_equal(f.persistent_auth, "true");
	assert_int_equal(f.close, CAP_HTTP_CLOSE_HEADER);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_caps_hit),
		cmocka_unit_test(test_krb_error_token),
		cmocka_unit_test(test_ntlm_in_negotiate),
		cmocka_unit_test(test_bare_basic_and_garbage),
		cmocka_unit_test(test_http_message),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
