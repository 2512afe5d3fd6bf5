/* test_tls_error.c - TLS failures named from curl's code, OpenSSL's verify
 * result and curl's message (the wording libcurl 7.88 + OpenSSL 3 produce). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include <curl/curl.h>

#include "tls_error.h"

static void by_verify_result(void **state)
{
	(void)state;
	assert_int_equal(probe_tls_classify(CURLE_PEER_FAILED_VERIFICATION, 20,
		"SSL certificate problem: unable to get local issuer certificate"),
		PROBE_TLS_UNTRUSTED_ISSUER);
	assert_int_equal(probe_tls_classify(CURLE_PEER_FAILED_VERIFICATION, 10,
		"SSL certificate problem: certificate has expired"), PROBE_TLS_EXPIRED);
	assert_int_equal(probe_tls_classify(CURLE_PEER_FAILED_VERIFICATION, 18,
		"SSL certificate problem: self-signed certificate"), PROBE_TLS_SELF_SIGNED);
	assert_int_equal(probe_tls_classify(CURLE_PEER_FAILED_VERIFICATION, 19,
		"SSL certificate problem: self-signed certificate in certificate chain"),
		PROBE_TLS_UNTRUSTED_ISSUER);
	assert_int_equal(probe_tls_classify(CURLE_PEER_FAILED_VERIFICATION, 9, ""),
			 PROBE_TLS_NOT_YET_VALID);
}

static void name_mismatch(void **state)
{
	(void)state;
	/* curl checks the name after OpenSSL accepted the chain: verify result 0 or 1 */
	assert_int_equal(probe_tls_classify(CURLE_PEER_FAILED_VERIFICATION, 1,
		"SSL: no alternative certificate subject name matches target host name "
		"'sales.example.test'"), PROBE_TLS_NAME_MISMATCH);
	assert_int_equal(probe_tls_classify(CURLE_PEER_FAILED_VERIFICATION, 0,
		"SSL: certificate subject name 'crm' does not match target host name 'x'"),
		PROBE_TLS_NAME_MISMATCH);
}

static void handshake(void **state)
{
	(void)state;
	assert_int_equal(probe_tls_classify(CURLE_SSL_CONNECT_ERROR, 0,
		"error:0A00042E:SSL routines::tlsv1 alert protocol version"),
		PROBE_TLS_PROTOCOL_REFUSED);
	assert_int_equal(probe_tls_classify(CURLE_SSL_CONNECT_ERROR, 0,
		"error:0A000102:SSL routines::unsupported protocol"), PROBE_TLS_PROTOCOL_REFUSED);
	assert_int_equal(probe_tls_classify(CURLE_SSL_CONNECT_ERROR, 0,
		"error:0A000410:SSL routines::sslv3 alert handshake failure"),
		PROBE_TLS_CIPHER_REFUSED);
	assert_int_equal(probe_tls_classify(CURLE_SSL_CIPHER, 0, "failed setting cipher list"),
			 PROBE_TLS_CIPHER_REFUSED);
	assert_int_equal(probe_tls_classify(CURLE_SSL_CONNECT_ERROR, 0,
		"error:0A00010B:SSL routines::wrong version number"), PROBE_TLS_NOT_TLS);
	assert_int_equal(probe_tls_classify(CURLE_SSL_CACERT_BADFILE, 0,
		"error setting certificate file: /nope"), PROBE_TLS_CA_FILE);
	assert_int_equal(probe_tls_classify(CURLE_SSL_CONNECT_ERROR, 0, "something new"),
			 PROBE_TLS_OTHER);
}

static void not_tls(void **state)
{
	(void)state;
	assert_int_equal(probe_tls_classify(CURLE_COULDNT_CONNECT, 0, "Connection refused"),
			 PROBE_TLS_NONE);
	assert_int_equal(probe_tls_classify(CURLE_OPERATION_TIMEDOUT, 0, NULL), PROBE_TLS_NONE);
	assert_int_equal(probe_tls_classify(CURLE_OK, 0, NULL), PROBE_TLS_NONE);
}

static void names_and_advice(void **state)
{
	(void)state;
	for (int k = PROBE_TLS_UNTRUSTED_ISSUER; k <= PROBE_TLS_OTHER; k++) {
		assert_string_not_equal(probe_tls_kind_name((enum probe_tls_kind)k), "?");
		assert_true(strlen(probe_tls_kind_advice((enum probe_tls_kind)k)) > 20);
	}
	assert_string_equal(probe_tls_kind_name(PROBE_TLS_NAME_MISMATCH), "name-mismatch");
	assert_non_null(strstr(probe_tls_kind_advice(PROBE_TLS_NAME_MISMATCH), "one label"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(by_verify_result),
		cmocka_unit_test(name_mismatch),
		cmocka_unit_test(handshake),
		cmocka_unit_test(not_tls),
		cmocka_unit_test(names_and_advice),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
