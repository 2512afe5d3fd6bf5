/* test_findings.c - GSS/krb5 failures mapped to the shared catalog's finding ids, the
 * probe-only ids in that catalog, and the probe's finding records. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include <gssapi/gssapi.h>
#include <krb5.h>

#include "probe.h"

/* The contract is the slug: compare on it, so a renamed id fails here. */
#define ID(x) cap_finding_slug(x)

static void gss_mapping(void **state)
{
	int kerr = 0;

	(void)state;
	assert_string_equal(ID(probe_finding_for_gss(GSS_S_FAILURE, KRB5KDC_ERR_S_PRINCIPAL_UNKNOWN,
						  &kerr)), "spn-unknown");
	assert_int_equal(kerr, 7);
	assert_string_equal(ID(probe_finding_for_gss(GSS_S_FAILURE, KRB5KRB_AP_ERR_SKEW, &kerr)),
			    "clock-skew");
	assert_int_equal(kerr, 37);
	assert_string_equal(ID(probe_finding_for_gss(GSS_S_FAILURE, KRB5KRB_AP_ERR_MODIFIED, &kerr)),
			    "krb-ap-err-modified");
	assert_string_equal(ID(probe_finding_for_gss(GSS_S_FAILURE, KRB5KRB_AP_ERR_BADKEYVER, &kerr)),
			    "krb-ap-err-modified");
	assert_string_equal(ID(probe_finding_for_gss(GSS_S_FAILURE, KRB5KRB_AP_ERR_BAD_INTEGRITY,
						  &kerr)), "krb-ap-err-modified");
	assert_string_equal(ID(probe_finding_for_gss(GSS_S_FAILURE, KRB5KDC_ERR_PRINCIPAL_NOT_UNIQUE,
						  &kerr)), "spn-duplicate");
	assert_string_equal(ID(probe_finding_for_gss(GSS_S_FAILURE, KRB5KDC_ERR_ETYPE_NOSUPP, &kerr)),
			    "etype-mismatch");
	assert_string_equal(ID(probe_finding_for_gss(GSS_S_FAILURE, KRB5KDC_ERR_BADOPTION, &kerr)),
			    "delegation-refused");
	assert_string_equal(ID(probe_finding_for_gss(GSS_S_FAILURE, KRB5KDC_ERR_PREAUTH_FAILED, &kerr)),
			    "kdc-error");
	assert_int_equal(kerr, 24);
	assert_string_equal(ID(probe_finding_for_gss(GSS_S_FAILURE, KRB5KRB_AP_ERR_TKT_EXPIRED, &kerr)),
			    "no-credentials");
	assert_string_equal(ID(probe_finding_for_gss(GSS_S_FAILURE, KRB5KDC_ERR_POLICY, &kerr)),
			    "kdc-error");
	/* com_err codes outside the RFC table */
	assert_string_equal(ID(probe_finding_for_gss(GSS_S_FAILURE, KRB5_KDC_UNREACH, &kerr)),
			    "kdc-unreachable");
	assert_int_equal(kerr, -1);
	assert_string_equal(ID(probe_finding_for_gss(GSS_S_FAILURE, KRB5_REALM_CANT_RESOLVE, &kerr)),
			    "kdc-unreachable");
	assert_string_equal(ID(probe_finding_for_gss(GSS_S_NO_CRED, KRB5_FCC_NOFILE, &kerr)),
			    "no-credentials");
	assert_string_equal(ID(probe_finding_for_gss(GSS_S_NO_CRED, 0, &kerr)), "no-credentials");
	assert_string_equal(ID(probe_finding_for_gss(GSS_S_CREDENTIALS_EXPIRED, 0, &kerr)),
			    "no-credentials");
	assert_string_equal(ID(probe_finding_for_gss(GSS_S_BAD_SIG, 0, &kerr)), "mutual-auth-failed");
	assert_string_equal(ID(probe_finding_for_gss(GSS_S_FAILURE, 100005, &kerr)), "gss-error");
}

static void server_errors(void **state)
{
	(void)state;
	assert_string_equal(ID(probe_finding_for_krb_error(41, true)), "krb-ap-err-modified");
	assert_string_equal(ID(probe_finding_for_krb_error(45, true)), "krb-ap-err-nokey");
	assert_string_equal(ID(probe_finding_for_krb_error(34, true)), "krb-ap-error");
	assert_string_equal(ID(probe_finding_for_krb_error(34, false)), "kdc-error");
	assert_string_equal(probe_krb_error_name(41), "KRB_AP_ERR_MODIFIED");
	assert_string_equal(probe_krb_error_name(7), "KDC_ERR_S_PRINCIPAL_UNKNOWN");
	assert_string_equal(probe_krb_error_name(9999), "");
}

static void catalog(void **state)
{
	const char *probe_only[] = {"no-credentials", "mutual-auth-failed", "connect-failed",
				    "tls-error", "tls-insecure", "delegation-not-trusted",
				    "gss-error", "ntlm-unavailable", "auth-not-required",
				    "unexpected-status"};
	const char *shared[] = {"spn-unknown", "kdc-unreachable", "ntlm-fallback",
				"keepalive-missing", "krb-ap-err-modified", "kerberos-ok"};
	enum cap_finding_id id;

	(void)state;
	for (size_t i = 0; i < sizeof(probe_only) / sizeof(probe_only[0]); i++) {
		assert_int_equal(cap_finding_from_slug(probe_only[i], &id), 0);
		assert_true(cap_finding_info(id)->probe_only);
		assert_non_null(cap_finding_info(id)->advice[0]);
	}
	for (size_t i = 0; i < sizeof(shared) / sizeof(shared[0]); i++) {
		assert_int_equal(cap_finding_from_slug(shared[i], &id), 0);
		assert_false(cap_finding_info(id)->probe_only);
	}
	assert_int_equal(cap_finding_info(CAP_F_NO_CREDENTIALS)->severity, CAP_SEV_ERROR);
	assert_int_equal(cap_finding_info(CAP_F_DELEGATION_NOT_TRUSTED)->severity, CAP_SEV_WARNING);
	assert_int_equal(cap_finding_info(CAP_F_TLS_INSECURE)->severity, CAP_SEV_WARNING);
	assert_int_equal(cap_finding_info(CAP_F_AUTH_NOT_REQUIRED)->severity, CAP_SEV_WARNING);
	assert_int_equal(cap_finding_info(CAP_F_UNEXPECTED_STATUS)->severity, CAP_SEV_WARNING);
	assert_int_equal(cap_finding_info(CAP_F_GSS_ERROR)->severity, CAP_SEV_ERROR);
}

/* Every KDC/AP error number and every GSS major code lands on a catalog id the probe
 * may emit (never a wire-only one such as capture-truncated). */
static void mapping_covers_catalog(void **state)
{
	static const enum cap_finding_id wire_only[] = {
		CAP_F_CAPTURE_TRUNCATED, CAP_F_HTTP_NOT_VISIBLE, CAP_F_NEGOTIATE_UNANSWERED,
		CAP_F_DELEGATION_OK, CAP_F_NO_DELEGATION};
	int kerr;

	(void)state;
	for (int code = -1; code < 128; code++) {
		enum cap_finding_id ids[3] = {
			probe_finding_for_krb_error(code, true),
			probe_finding_for_krb_error(code, false),
			probe_finding_for_gss(GSS_S_FAILURE, code < 0 ? 0 :
					      (int32_t)(ERROR_TABLE_BASE_krb5 + code), &kerr)};

		for (size_t k = 0; k < 3; k++) {
			assert_non_null(cap_finding_info(ids[k]));
			for (size_t w = 0; w < sizeof(wire_only) / sizeof(wire_only[0]); w++)
				assert_int_not_equal(ids[k], wire_only[w]);
		}
	}
	for (uint32_t major = 1; major <= 18; major++)
		assert_non_null(cap_finding_info(probe_finding_for_gss(major << 16, 0, &kerr)));
}

static void record(void **state)
{
	struct probe_result r;
	struct probe_finding *f;

	(void)state;
	probe_result_init(&r, "http://crm.example.test/");
	f = probe_result_add_finding(&r, CAP_F_SPN_UNKNOWN, 1);
	assert_non_null(f);
	assert_int_equal(f->rec.severity, CAP_SEV_ERROR);
	assert_int_equal(f->leg, 1);
	assert_int_equal(cap_finding_set_str(&f->rec, "spn", "HTTP/a"), 0);
	assert_int_equal(cap_finding_set_str(&f->rec, "spn", "HTTP/b"), 0); /* first value kept */
	assert_string_equal(cap_finding_get_str(&f->rec, "spn"), "HTTP/a");
	assert_int_equal(cap_finding_add_advice(&f->rec, "register %s", "HTTP/a"), 0);
	/* instance advice first, then the catalog's */
	assert_string_equal(cap_finding_advice_line(&f->rec, 0), "register HTTP/a");
	assert_ptr_equal(cap_finding_advice_line(&f->rec, 1),
			 cap_finding_info(CAP_F_SPN_UNKNOWN)->advice[0]);
	assert_true(probe_result_has(&r, CAP_F_SPN_UNKNOWN));
	assert_false(probe_result_has(&r, CAP_F_CLOCK_SKEW));
	probe_result_add_finding(&r, CAP_F_TLS_INSECURE, 0);
	assert_int_equal(probe_result_worst(&r), CAP_SEV_ERROR);
	probe_result_clear(&r);
	assert_int_equal(r.nfindings, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(gss_mapping),
		cmocka_unit_test(server_errors),
		cmocka_unit_test(catalog),
		cmocka_unit_test(mapping_covers_catalog),
		cmocka_unit_test(record),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
