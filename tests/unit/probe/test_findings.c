/* test_findings.c - GSS/krb5 failures mapped to negcap's finding ids, the
 * probe-only ids, and finding records. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include <gssapi/gssapi.h>
#include <krb5.h>

#include "findings.h"

static void gss_mapping(void **state)
{
	int kerr = 0;

	(void)state;
	assert_string_equal(probe_finding_for_gss(GSS_S_FAILURE, KRB5KDC_ERR_S_PRINCIPAL_UNKNOWN,
						  &kerr), "spn-unknown");
	assert_int_equal(kerr, 7);
	assert_string_equal(probe_finding_for_gss(GSS_S_FAILURE, KRB5KRB_AP_ERR_SKEW, &kerr),
			    "clock-skew");
	assert_int_equal(kerr, 37);
	assert_string_equal(probe_finding_for_gss(GSS_S_FAILURE, KRB5KRB_AP_ERR_MODIFIED, &kerr),
			    "krb-ap-err-modified");
	assert_string_equal(probe_finding_for_gss(GSS_S_FAILURE, KRB5KRB_AP_ERR_BADKEYVER, &kerr),
			    "krb-ap-err-modified");
	assert_string_equal(probe_finding_for_gss(GSS_S_FAILURE, KRB5KRB_AP_ERR_BAD_INTEGRITY,
						  &kerr), "krb-ap-err-modified");
	assert_string_equal(probe_finding_for_gss(GSS_S_FAILURE, KRB5KDC_ERR_PRINCIPAL_NOT_UNIQUE,
						  &kerr), "spn-duplicate");
	assert_string_equal(probe_finding_for_gss(GSS_S_FAILURE, KRB5KDC_ERR_ETYPE_NOSUPP, &kerr),
			    "etype-mismatch");
	assert_string_equal(probe_finding_for_gss(GSS_S_FAILURE, KRB5KDC_ERR_BADOPTION, &kerr),
			    "delegation-refused");
	assert_string_equal(probe_finding_for_gss(GSS_S_FAILURE, KRB5KDC_ERR_PREAUTH_FAILED, &kerr),
			    "kdc-error");
	assert_int_equal(kerr, 24);
	assert_string_equal(probe_finding_for_gss(GSS_S_FAILURE, KRB5KRB_AP_ERR_TKT_EXPIRED, &kerr),
			    "no-credentials");
	assert_string_equal(probe_finding_for_gss(GSS_S_FAILURE, KRB5KDC_ERR_POLICY, &kerr),
			    "kdc-error");
	/* com_err codes outside the RFC table */
	assert_string_equal(probe_finding_for_gss(GSS_S_FAILURE, KRB5_KDC_UNREACH, &kerr),
			    "kdc-unreachable");
	assert_int_equal(kerr, -1);
	assert_string_equal(probe_finding_for_gss(GSS_S_FAILURE, KRB5_REALM_CANT_RESOLVE, &kerr),
			    "kdc-unreachable");
	assert_string_equal(probe_finding_for_gss(GSS_S_NO_CRED, KRB5_FCC_NOFILE, &kerr),
			    "no-credentials");
	assert_string_equal(probe_finding_for_gss(GSS_S_NO_CRED, 0, &kerr), "no-credentials");
	assert_string_equal(probe_finding_for_gss(GSS_S_CREDENTIALS_EXPIRED, 0, &kerr),
			    "no-credentials");
	assert_string_equal(probe_finding_for_gss(GSS_S_BAD_SIG, 0, &kerr), "mutual-auth-failed");
	assert_string_equal(probe_finding_for_gss(GSS_S_FAILURE, 100005, &kerr), "gss-error");
}

static void server_errors(void **state)
{
	(void)state;
	assert_string_equal(probe_finding_for_krb_error(41, true), "krb-ap-err-modified");
	assert_string_equal(probe_finding_for_krb_error(45, true), "krb-ap-err-nokey");
	assert_string_equal(probe_finding_for_krb_error(34, true), "krb-ap-error");
	assert_string_equal(probe_finding_for_krb_error(34, false), "kdc-error");
	assert_string_equal(probe_krb_error_name(41), "KRB_AP_ERR_MODIFIED");
	assert_string_equal(probe_krb_error_name(7), "KDC_ERR_S_PRINCIPAL_UNKNOWN");
	assert_string_equal(probe_krb_error_name(9999), "");
}

static void catalog(void **state)
{
	struct probe_finding_text t;
	const char *probe_only[] = {"no-credentials", "mutual-auth-failed", "connect-failed",
				    "tls-error", "delegation-not-trusted", "tls-insecure"};
	const char *shared[] = {"spn-unknown", "kdc-unreachable", "ntlm-fallback",
				"keepalive-missing", "krb-ap-err-modified", "kerberos-ok"};

	(void)state;
	for (size_t i = 0; i < 6; i++) {
		assert_true(probe_finding_known(probe_only[i]));
		assert_int_equal(probe_finding_text(probe_only[i], &t), 0);
		assert_non_null(t.title);
		assert_non_null(t.advice[0]);
		assert_true(probe_finding_known(shared[i]));
		assert_int_equal(probe_finding_text(shared[i], &t), 0);
	}
	assert_int_equal(probe_finding_severity("no-credentials"), CAP_SEV_ERROR);
	assert_int_equal(probe_finding_severity("delegation-not-trusted"), CAP_SEV_WARNING);
	assert_int_equal(probe_finding_severity("ntlm-fallback"), CAP_SEV_WARNING);
	assert_int_equal(probe_finding_severity("kerberos-ok"), CAP_SEV_INFO);
	assert_int_equal(probe_finding_severity("no-such-id"), -1);
	assert_false(probe_finding_known("no-such-id"));
}

static void record(void **state)
{
	struct probe_finding f;

	(void)state;
	probe_finding_init(&f, "spn-unknown", 1);
	assert_int_equal(f.severity, CAP_SEV_ERROR);
	assert_int_equal(probe_finding_str(&f, "spn", "HTTP/a"), 0);
	assert_int_equal(probe_finding_str(&f, "spn", "HTTP/b"), 0); /* first value kept */
	assert_int_equal(probe_finding_num(&f, "error_code", 7), 0);
	assert_string_equal(probe_finding_get(&f, "spn")->str, "HTTP/a");
	assert_int_equal(probe_finding_get(&f, "error_code")->num, 7);
	assert_null(probe_finding_get(&f, "nothing"));
	assert_int_equal(probe_finding_detail(&f, "asked for %s", "HTTP/a"), 0);
	assert_string_equal(f.detail, "asked for HTTP/a");
	for (int i = 0; i < PROBE_EVIDENCE_MAX; i++)
		probe_finding_num(&f, i % 2 ? "k1" : "k2", i);
	assert_int_equal(f.nev, 4);
	probe_finding_clear(&f);
	assert_int_equal(f.nev, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(gss_mapping),
		cmocka_unit_test(server_errors),
		cmocka_unit_test(catalog),
		cmocka_unit_test(record),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
