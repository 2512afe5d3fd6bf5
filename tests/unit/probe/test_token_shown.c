/* test_token_shown.c - auth header values as negprobe shows them (report, JSON, -v trace,
 * evidence): tokens replaced by their size, parameters kept, nothing of a token left. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "token.h"

static const char *shown(const char *v)
{
	static char out[512];

	probe_auth_value_shown(v, out, sizeof(out));
	return out;
}

/* "SCHEME TOKEN" must show as "SCHEME <token, strlen(TOKEN) chars>" */
static void hides(const char *scheme, const char *token)
{
	char v[512], want[96];

	snprintf(v, sizeof(v), "%s %s", scheme, token);
	snprintf(want, sizeof(want), "%s <token, %zu chars>", scheme, strlen(token));
	assert_string_equal(shown(v), want);
}

static void tokens_hidden(void **state)
{
	(void)state;
	/* a mutual-authentication AP-REP: its enc-part is an encrypted part */
	hides("Negotiate", "oYG3MIG0oAMKAQChCwYJKoZIhvcSAQICooGfBIGcYIGZBgkqhkiG9xIBAgICAG+BiTCBhqADAgEFoQ"
			   "MCAQ+iejB4oAMCARKicQRvpc5jOKe7ixPH==");
	/* short tokens too: SPNEGO's final token with only a mechListMIC */
	hides("Negotiate", "oRswGaADCgEAoxIEEAEAAAAjWp3Usp7xcAAAAAA=");
	hides("Basic", "dGVzdDpmYWlsMg==");
	hides("NTLM", "TlRMTVNTUAACAAAA");
	assert_string_equal(shown("Negotiate abcd, NTLM TlRMTVNTUAACAAAA"),
			    "Negotiate <token, 4 chars>, NTLM <token, 16 chars>");
}

static void parameters_kept(void **state)
{
	(void)state;
	assert_string_equal(shown("Negotiate"), "Negotiate");
	assert_string_equal(shown("Basic realm=\"CRM site\", charset=\"UTF-8\""),
			    "Basic realm=\"CRM site\", charset=\"UTF-8\"");
	assert_string_equal(shown(""), "");
}

static void unparsable_keeps_scheme_only(void **state)
{
	const char *v = "Negotiate abc def ghi";
	const char *s = shown(v);

	(void)state;
	assert_string_equal(s, "Negotiate <11 chars>");
	assert_null(strstr(s, "def"));
}

static void output_bounded(void **state)
{
	char out[12];

	(void)state;
	memset(out, 'x', sizeof(out));
	probe_auth_value_shown("Negotiate oYG3MIG0oAMKAQChCwYJ", out, sizeof(out));
	assert_int_equal(strlen(out), sizeof(out) - 1);
	assert_string_equal(out, "Negotiate <");
	probe_auth_value_shown("Negotiate oYG3", out, 1);
	assert_string_equal(out, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tokens_hidden),
		cmocka_unit_test(parameters_kept),
		cmocka_unit_test(unparsable_keeps_scheme_only),
		cmocka_unit_test(output_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
