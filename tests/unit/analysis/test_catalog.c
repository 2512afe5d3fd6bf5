/* test_catalog.c - the one finding catalog shared by negcap and negprobe: every id
 * either program documents is there with its severity, a title, an explanation and
 * advice; ids are unique and kebab-case; probe-only rows are marked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "negscope/finding.h"
#include "negscope/report.h"

/* The contract users script against (negcap-contract.md, negprobe-contract.md): the
 * id, its default severity, and whether only negprobe emits it. */
static const struct {
	const char *slug;
	enum cap_severity sev;
	bool probe_only;
} contract[] = {
	{"kerberos-ok", CAP_SEV_INFO, false},
	{"ntlm-fallback", CAP_SEV_WARNING, false},
	{"negotiate-not-offered", CAP_SEV_ERROR, false},
	{"keepalive-missing", CAP_SEV_ERROR, false},
	{"krb-ap-err-modified", CAP_SEV_ERROR, false},
	{"spn-unknown", CAP_SEV_ERROR, false},
	{"spn-duplicate", CAP_SEV_ERROR, false},
	{"clock-skew", CAP_SEV_ERROR, false},
	{"etype-mismatch", CAP_SEV_ERROR, false},
	{"delegation-refused", CAP_SEV_ERROR, false},
	{"auth-loop", CAP_SEV_ERROR, false},
	{"token-too-large", CAP_SEV_ERROR, false},
	{"kdc-error", CAP_SEV_WARNING, false},
	{"kdc-unreachable", CAP_SEV_ERROR, false},
	{"capture-truncated", CAP_SEV_WARNING, false},
	{"krb-ap-err-nokey", CAP_SEV_ERROR, false},
	{"krb-ap-error", CAP_SEV_ERROR, false},
	{"kerberos-rejected", CAP_SEV_ERROR, false},
	{"ntlm-ok", CAP_SEV_INFO, false},
	{"ntlm-rejected", CAP_SEV_WARNING, false},
	{"mutual-auth-missing", CAP_SEV_INFO, false},
	{"negotiate-unanswered", CAP_SEV_WARNING, false},
	{"delegation-ok", CAP_SEV_INFO, false},
	{"no-delegation", CAP_SEV_INFO, false},
	{"http-not-visible", CAP_SEV_INFO, false},
	{"no-credentials", CAP_SEV_ERROR, true},
	{"mutual-auth-failed", CAP_SEV_ERROR, true},
	{"connect-failed", CAP_SEV_ERROR, true},
	{"tls-error", CAP_SEV_ERROR, true},
	{"tls-insecure", CAP_SEV_WARNING, true},
	{"delegation-not-trusted", CAP_SEV_WARNING, true},
	{"gss-error", CAP_SEV_ERROR, true},
	{"ntlm-unavailable", CAP_SEV_ERROR, true},
	{"auth-not-required", CAP_SEV_WARNING, true},
	{"unexpected-status", CAP_SEV_WARNING, true},
	{"client-logon-failed", CAP_SEV_ERROR, false},
	{"kdc-reply-not-captured", CAP_SEV_INFO, false},
	{"first-offer-not-captured", CAP_SEV_INFO, false},
	{"failed-after-auth", CAP_SEV_WARNING, false},
	{"response-incomplete", CAP_SEV_ERROR, true},
	{"response-too-large", CAP_SEV_ERROR, true},
	{"keytab-kvno-stale", CAP_SEV_ERROR, false},
	{"keytab-wrong-key", CAP_SEV_ERROR, false},
	{"keytab-etype-missing", CAP_SEV_ERROR, false},
	{"keytab-principal-missing", CAP_SEV_ERROR, false},
	{"ticket-decrypted", CAP_SEV_INFO, false},
	{"ticket-expired", CAP_SEV_WARNING, false},
	{"channel-binding-required", CAP_SEV_ERROR, true},
	{"spn-holder", CAP_SEV_INFO, true},
	{"spn-on-wrong-account", CAP_SEV_ERROR, true},
	{"delegation-not-configured", CAP_SEV_ERROR, true},
	{"keytab-kvno-mismatch", CAP_SEV_ERROR, true},
	{"ldap-failed", CAP_SEV_WARNING, true},
	{"channel-binding-missing", CAP_SEV_INFO, false},
	{"channel-binding-mismatch", CAP_SEV_WARNING, false},
	{"http2-auth", CAP_SEV_WARNING, false},
	{"negotiate-not-allowed", CAP_SEV_ERROR, true},
	{"http2-downgrade", CAP_SEV_INFO, false},
	{"channel-binding-refused", CAP_SEV_INFO, true},
};
#define NCONTRACT (sizeof(contract) / sizeof(contract[0]))

static bool kebab(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || s[0] == '-' || s[n - 1] == '-')
		return false;
	for (size_t i = 0; i < n; i++) {
		bool ok = (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
			  (s[i] == '-' && s[i + 1] != '-');

		if (!ok)
			return false;
	}
	return true;
}

static void contract_ids_present(void **state)
{
	enum cap_finding_id id;

	(void)state;
	/* every documented id, no undocumented one */
	assert_int_equal(CAP_F_COUNT, NCONTRACT);
	for (size_t i = 0; i < NCONTRACT; i++) {
		const struct cap_finding_info *in;

		assert_int_equal(cap_finding_from_slug(contract[i].slug, &id), 0);
		in = cap_finding_info(id);
		assert_non_null(in);
		assert_string_equal(in->slug, contract[i].slug);
		assert_int_equal(in->severity, contract[i].sev);
		assert_int_equal(in->probe_only, contract[i].probe_only);
	}
}

static void rows_complete(void **state)
{
	enum cap_finding_id id;

	(void)state;
	for (unsigned i = 0; i < CAP_F_COUNT; i++) {
		const struct cap_finding_info *in = cap_finding_info((enum cap_finding_id)i);
		size_t nadv = 0;

		assert_non_null(in);
		assert_int_equal(in->id, i); /* the row sits at its own index */
		assert_non_null(in->slug);
		assert_true(kebab(in->slug));
		assert_true(in->severity == CAP_SEV_INFO || in->severity == CAP_SEV_WARNING ||
			    in->severity == CAP_SEV_ERROR);
		assert_true(in->title != NULL && in->title[0] != '\0');
		assert_true(in->explanation != NULL && strlen(in->explanation) > 20);
		while (nadv < CAP_CATALOG_ADVICE_MAX && in->advice[nadv] != NULL) {
			assert_true(strlen(in->advice[nadv]) > 10);
			nadv++;
		}
		assert_true(nadv >= 1);
		assert_true(nadv < CAP_CATALOG_ADVICE_MAX); /* NULL-terminated */
		/* unique: the slug leads back to this row and no other row has it */
		assert_int_equal(cap_finding_from_slug(in->slug, &id), 0);
		assert_int_equal(id, i);
		for (unsigned k = i + 1; k < CAP_F_COUNT; k++)
			assert_string_not_equal(in->slug, cap_finding_info((enum cap_finding_id)k)->slug);
	}
	assert_null(cap_finding_info(CAP_F_COUNT));
	assert_int_equal(cap_finding_from_slug("no-such-finding", &id), -1);
	assert_string_equal(cap_finding_slug(CAP_F_COUNT), "unknown");
	assert_string_equal(cap_severity_name(CAP_SEV_WARNING), "warning");
}

/* The Kerberos error map both programs use never names a probe-only id (those come
 * from what only a client sees), and names the documented ids for the documented codes. */
static void krb_error_map(void **state)
{
	(void)state;
	for (int code = -1; code < 128; code++)
		for (int k = 0; k < 4; k++) {
			enum cap_finding_id id = cap_finding_for_krb_error(code, k & 1, k & 2);

			if (id != CAP_F_COUNT)
				assert_false(cap_finding_info(id)->probe_only);
		}
	assert_int_equal(cap_finding_for_krb_error(7, true, false), CAP_F_SPN_UNKNOWN);
	assert_int_equal(cap_finding_for_krb_error(7, false, false), CAP_F_COUNT);
	assert_int_equal(cap_finding_for_krb_error(8, true, false), CAP_F_SPN_DUPLICATE);
	assert_int_equal(cap_finding_for_krb_error(13, true, true), CAP_F_DELEGATION_REFUSED);
	assert_int_equal(cap_finding_for_krb_error(13, true, false), CAP_F_COUNT);
	assert_int_equal(cap_finding_for_krb_error(14, true, false), CAP_F_ETYPE_MISMATCH);
	assert_int_equal(cap_finding_for_krb_error(31, false, false), CAP_F_KRB_AP_ERR_MODIFIED);
	assert_int_equal(cap_finding_for_krb_error(41, false, false), CAP_F_KRB_AP_ERR_MODIFIED);
	assert_int_equal(cap_finding_for_krb_error(44, true, false), CAP_F_KRB_AP_ERR_MODIFIED);
	assert_int_equal(cap_finding_for_krb_error(37, true, false), CAP_F_CLOCK_SKEW);
	assert_int_equal(cap_finding_for_krb_error(45, false, false), CAP_F_KRB_AP_ERR_NOKEY);
	assert_int_equal(cap_finding_for_krb_error(25, true, false), CAP_F_COUNT);
}

static void advice_lines(void **state)
{
	struct cap_finding f;
	const struct cap_finding_info *in = cap_finding_info(CAP_F_KEEPALIVE_MISSING);
	size_t ncat = 0;
	char line[CAP_FINDING_TEXT_MAX];

	(void)state;
	cap_finding_init(&f, CAP_F_KEEPALIVE_MISSING);
	cap_finding_advice_text(&f, 0, line, sizeof(line));
	assert_string_equal(line, in->advice[0]);
	assert_int_equal(cap_finding_add_advice(&f, "first %d", 1), 0);
	assert_int_equal(cap_finding_add_advice(&f, "second"), 0);
	cap_finding_advice_text(&f, 0, line, sizeof(line));
	assert_string_equal(line, "first 1");
	cap_finding_advice_text(&f, 1, line, sizeof(line));
	assert_string_equal(line, "second");
	cap_finding_advice_text(&f, 2, line, sizeof(line));
	assert_string_equal(line, in->advice[0]);
	while (in->advice[ncat] != NULL)
		ncat++;
	assert_int_equal(cap_finding_nadvice(&f), 2 + ncat);
	assert_int_equal(cap_finding_advice_text(&f, 1000, line, sizeof(line)), 0);
	assert_string_equal(line, "");
	cap_finding_clear(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(contract_ids_present),
		cmocka_unit_test(rows_complete),
		cmocka_unit_test(krb_error_map),
		cmocka_unit_test(advice_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
