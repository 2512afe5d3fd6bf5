/* test_gss.c - the GSS wrapper against the real MIT mechglue and gss-ntlmssp:
 * tokens it produces are classified by the capture library's decoders, and
 * missing credentials are named.  No KDC needed: NTLM works from a user file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "facts.h"
#include "gss.h"
#include "token.h"

/* The library's error, made a fact, says "no credentials" (a missing ccache or ticket,
 * or GSS_S_NO_CRED): what the judges turn into no-credentials (test_findings.c). */
static bool no_credentials_fact(const struct probe_gss_error *e)
{
	struct cap_probe_fact f;

	cap_probe_fact_init(&f, CAP_PROBE_GSS_FAILED);
	probe_facts_gss_error(&f, e);
	return f.krb5 == CAP_PROBE_KRB5_NO_CREDS || ((f.gss_major >> 16) & 0xffu) == 7u;
}

static char userfile[] = "/tmp/negprobe-ntlm-XXXXXX";

/* gss-ntlmssp initialises OpenSSL, whose global state is never freed, and MIT's plugin
 * loader keeps its handles: neither is this code's leak.  Read only by LeakSanitizer. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libcrypto.so\nleak:krb5int_open_plugin\nleak:gssntlmssp.so\n";
}

static int setup(void **state)
{
	int fd = mkstemp(userfile);
	FILE *fp;

	(void)state;
	if (fd < 0)
		return -1;
	fp = fdopen(fd, "w");
	fprintf(fp, "EXAMPLE:alice:Secret-1\n");
	fclose(fp);
	setenv("NTLM_USER_FILE", userfile, 1);
	setenv("KRB5CCNAME", "FILE:/nonexistent/negprobe-test-ccache", 1);
	setenv("KRB5_CONFIG", "/dev/null", 1);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(userfile);
	return 0;
}

/* With credential c, the first Negotiate token is SPNEGO carrying an NTLM NEGOTIATE. */
static void assert_spnego_starts_ntlm(struct probe_cred *c)
{
	struct probe_gss_error e;
	struct probe_gss *g;
	struct probe_token_desc d;
	uint8_t *tok = NULL;
	size_t len = 0;

	g = probe_gss_new(c, PROBE_WRAP_SPNEGO, PROBE_MECH_AUTO, PROBE_DELEG_NONE,
			  "HTTP@crm.example.test", true);
	assert_int_equal(probe_gss_step(g, NULL, 0, &tok, &len, &e), PROBE_GSS_CONTINUE);
	probe_token_describe(tok, len, &d);
	assert_true(d.spnego);
	assert_int_equal(d.mech, PROBE_USED_NTLM);
	assert_int_equal(d.ntlm_type, 1);
	assert_non_null(strstr(d.summary, "NTLM"));
	free(tok);
	probe_gss_free(g);
}

static void ntlm_raw_and_spnego(void **state)
{
	struct probe_cred_opts co = {0};
	struct probe_cred *c = NULL;
	struct probe_gss_error e;
	struct probe_gss *g;
	struct probe_token_desc d;
	uint8_t *tok = NULL;
	size_t len = 0;

	(void)state;
	if (!probe_gss_ntlm_available())
		skip();
	co.mech = PROBE_MECH_AUTO;
	assert_int_equal(probe_cred_acquire(&co, &c, &e), 0);
	assert_true(probe_cred_has_ntlm(c));
	/* no ccache: Kerberos is out, and the reason names it */
	assert_false(probe_cred_has_krb5(c));
	assert_true(no_credentials_fact(probe_cred_krb5_error(c)));

	/* the NTLM scheme: a raw NEGOTIATE */
	g = probe_gss_new(c, PROBE_WRAP_NTLM, PROBE_MECH_AUTO, PROBE_DELEG_NONE,
			  "HTTP@crm.example.test", true);
	assert_non_null(g);
	assert_int_equal(probe_gss_state(g), PROBE_GSS_NONE);
	assert_int_equal(probe_gss_step(g, NULL, 0, &tok, &len, &e), PROBE_GSS_CONTINUE);
	assert_int_equal(probe_gss_state(g), PROBE_GSS_SENT);
	assert_true(len > 8);
	assert_memory_equal(tok, "NTLMSSP\0", 8);
	probe_token_describe(tok, len, &d);
	assert_int_equal(d.mech, PROBE_USED_NTLM);
	assert_int_equal(d.ntlm_type, 1);
	assert_false(d.spnego);
	free(tok);
	probe_gss_reset(g);
	assert_int_equal(probe_gss_state(g), PROBE_GSS_NONE);
	probe_gss_reset(g); /* twice is safe */
	probe_gss_free(g);

	/* Negotiate: SPNEGO falls back to NTLM, as the probe must see it */
	assert_spnego_starts_ntlm(c);
	probe_cred_free(c);
}

static void kerberos_without_credentials(void **state)
{
	struct probe_cred_opts co = {0};
	struct probe_cred *c = NULL;
	struct probe_gss_error e;
	struct probe_gss *g;
	uint8_t *tok = NULL;
	size_t len = 0;

	(void)state;
	co.mech = PROBE_MECH_KERBEROS;
	assert_int_equal(probe_cred_acquire(&co, &c, &e), 0);
	assert_false(probe_cred_has_krb5(c));
	assert_false(probe_cred_has_ntlm(c));
	g = probe_gss_new(c, PROBE_WRAP_SPNEGO, PROBE_MECH_KERBEROS, PROBE_DELEG_NONE,
			  "HTTP@crm.example.test", true);
	assert_int_equal(probe_gss_step(g, NULL, 0, &tok, &len, &e), PROBE_GSS_ERROR);
	assert_null(tok);
	assert_true(strlen(e.text) > 0);
	assert_true(no_credentials_fact(&e));
	probe_gss_free(g);
	assert_int_equal(probe_gss_spn_exists(c, "HTTP/crm.example.test", &e), -1);
	probe_cred_free(c);
	probe_cred_free(NULL);
	probe_gss_free(NULL);
}

/* -u DOMAIN\\user: Kerberos is asked for user@REALM (the KDC is down here: a failure that
 * is no refused logon), and SPNEGO still holds NTLM for DOMAIN\\user from the password
 * alone (no user file), its first token an NTLM NEGOTIATE rather than "An invalid name
 * was supplied" (issue 16 defect 8). */
static void domain_user_falls_back_to_ntlm(void **state)
{
	char conf[] = "/tmp/negprobe-krb5-XXXXXX";
	struct probe_cred_opts co = {0};
	struct probe_cred *c = NULL;
	struct probe_gss_error e;
	int fd;
	FILE *fp;

	(void)state;
	if (!probe_gss_ntlm_available())
		skip();
	fd = mkstemp(conf);
	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	/* port 9 on loopback: refused at once, "Cannot contact any KDC" */
	fprintf(fp, "[libdefaults]\n default_realm = EXAMPLE.TEST\n dns_lookup_kdc = false\n"
		    "[realms]\n EXAMPLE.TEST = {\n  kdc = 127.0.0.1:9\n }\n");
	fclose(fp);
	setenv("KRB5_CONFIG", conf, 1);
	unsetenv("NTLM_USER_FILE");
	co.mech = PROBE_MECH_AUTO;
	co.user = "EXAMPLE\\alice";
	co.password = "Secret-2";
	assert_int_equal(probe_cred_acquire(&co, &c, &e), 0);
	assert_false(probe_cred_has_krb5(c));
	assert_string_equal(probe_cred_client(c), "alice@EXAMPLE.TEST");
	assert_true(probe_cred_has_ntlm(c));
	assert_spnego_starts_ntlm(c);
	probe_cred_free(c);
	unlink(conf);
	setenv("KRB5_CONFIG", "/dev/null", 1);
	setenv("NTLM_USER_FILE", userfile, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ntlm_raw_and_spnego),
		cmocka_unit_test(kerberos_without_credentials),
		cmocka_unit_test(domain_user_falls_back_to_ntlm),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
