/* test_expect.c - --expect parsing and the exit status a result earns. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "expect.h"
#include "probe.h"

static void parse_ok(void **state)
{
	struct probe_expect e;
	char err[256];

	(void)state;
	assert_int_equal(probe_expect_parse("kerberos", &e, err, sizeof(err)), 0);
	assert_int_equal(e.kind, PROBE_EXPECT_KERBEROS);
	assert_int_equal(probe_expect_parse("NTLM", &e, err, sizeof(err)), 0);
	assert_int_equal(e.kind, PROBE_EXPECT_NTLM);
	assert_string_equal(e.text, "ntlm");
	assert_int_equal(probe_expect_parse("status=401", &e, err, sizeof(err)), 0);
	assert_int_equal(e.kind, PROBE_EXPECT_STATUS);
	assert_int_equal(e.status, 401);
	assert_string_equal(e.text, "status=401");
	assert_int_equal(probe_expect_parse("keepalive", &e, err, sizeof(err)), 0);
	assert_int_equal(e.kind, PROBE_EXPECT_KEEPALIVE);
	assert_int_equal(probe_expect_parse("mutual", &e, err, sizeof(err)), 0);
	assert_int_equal(probe_expect_parse("delegation", &e, err, sizeof(err)), 0);
	assert_int_equal(e.kind, PROBE_EXPECT_DELEGATION);
}

static void parse_bad(void **state)
{
	struct probe_expect e;
	char err[256];
	const char *bad[] = {"", "kerb", "status=", "status=abc", "status=99", "status=600",
			     "status=200x", "status= 200", "mutual=1"};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(probe_expect_parse(bad[i], &e, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "--expect"));
	}
}

/* A result as a successful Kerberos probe leaves it. */
static void kerberos_result(struct probe_result *r)
{
	probe_result_init(r, "http://crm.example.test/");
	r->url_ok = true;
	r->authenticated = true;
	r->mech = PROBE_USED_KERBEROS;
	r->mutual_verified = true;
	r->status = 200;
	r->nlegs = 2;
	r->connections = 1;
	r->keepalive_ok = true;
	r->delegation = PROBE_DELEG_R_NOT_REQUESTED;
	probe_result_add_finding(r, CAP_F_KERBEROS_OK, 0);
}

static void judge_default(void **state)
{
	struct probe_result r;

	(void)state;
	kerberos_result(&r);
	probe_expect_judge(&r, NULL, 0);
	assert_true(r.ok);
	assert_int_equal(r.exit_code, PROBE_EXIT_OK);
	/* a warning spoils the default check */
	probe_result_add_finding(&r, CAP_F_NTLM_FALLBACK, 0);
	probe_expect_judge(&r, NULL, 0);
	assert_false(r.ok);
	assert_int_equal(r.exit_code, PROBE_EXIT_PROBLEM);
	probe_result_clear(&r);

	/* NTLM success is not the default's "Kerberos succeeded" */
	kerberos_result(&r);
	r.mech = PROBE_USED_NTLM;
	probe_expect_judge(&r, NULL, 0);
	assert_int_equal(r.exit_code, PROBE_EXIT_PROBLEM);
	probe_result_clear(&r);

	/* could not run beats everything */
	kerberos_result(&r);
	snprintf(r.fatal, sizeof(r.fatal), "%s", "cannot parse URL");
	probe_expect_judge(&r, NULL, 0);
	assert_int_equal(r.exit_code, PROBE_EXIT_CANNOT_RUN);
	probe_result_clear(&r);
}

static void judge_checks(void **state)
{
	struct probe_result r;
	struct probe_expect ex[6];
	char err[128];
	const char *checks[] = {"kerberos", "status=200", "keepalive", "mutual", "delegation", "ntlm"};

	(void)state;
	for (size_t i = 0; i < 6; i++)
		assert_int_equal(probe_expect_parse(checks[i], &ex[i], err, sizeof(err)), 0);
	kerberos_result(&r);
	/* the first four hold */
	probe_expect_judge(&r, ex, 4);
	assert_int_equal(r.noutcomes, 4);
	for (size_t i = 0; i < 4; i++)
		assert_true(r.outcomes[i].pass);
	assert_int_equal(r.exit_code, PROBE_EXIT_OK);
	/* with --expect, findings do not matter, only the checks */
	probe_result_add_finding(&r, CAP_F_KEEPALIVE_MISSING, 2);
	probe_expect_judge(&r, ex, 2);
	assert_int_equal(r.exit_code, PROBE_EXIT_OK);
	/* delegation and ntlm do not hold */
	probe_expect_judge(&r, ex, 6);
	assert_false(r.outcomes[4].pass);
	assert_string_equal(r.outcomes[4].actual, "delegation not-requested");
	assert_false(r.outcomes[5].pass);
	assert_int_equal(r.exit_code, PROBE_EXIT_PROBLEM);
	assert_false(r.ok);
	/* keepalive fails when a 401 closed the connection */
	r.keepalive_ok = false;
	r.connections = 2;
	probe_expect_judge(&r, &ex[2], 1);
	assert_false(r.outcomes[0].pass);
	assert_non_null(strstr(r.outcomes[0].actual, "2 connections"));
	/* status mismatch */
	r.status = 401;
	probe_expect_judge(&r, &ex[1], 1);
	assert_false(r.outcomes[0].pass);
	assert_string_equal(r.outcomes[0].actual, "status 401");
	probe_result_clear(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_ok),
		cmocka_unit_test(parse_bad),
		cmocka_unit_test(judge_default),
		cmocka_unit_test(judge_checks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
