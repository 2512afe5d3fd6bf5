/* test_render.c - report/: typed ladder steps become one text line and JSON fields, and
 * the text report answers first (verdict on top, quiet conversations one line, -v, -q). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "negscope/analysis.h"
#include "negscope/json.h"
#include "negscope/report.h"

#include "fact_build.h"

#define SET(dst, src) snprintf((dst), sizeof(dst), "%s", (src))

static struct cap_step step(enum cap_step_kind kind, enum cap_step_dir dir)
{
	struct cap_step s;

	memset(&s, 0, sizeof(s));
	s.frame = 7;
	s.kind = kind;
	s.dir = dir;
	s.auth.neg_state = -1;
	s.auth.error_code = -1;
	s.etype = -1;
	s.kvno = -1;
	s.error_code = -1;
	s.kdc = fb_ep(0, 88, 88);
	return s;
}

static const char *text_of(const struct cap_step *s)
{
	static char buf[512];

	cap_report_step_text(s, buf, sizeof(buf));
	return buf;
}

static void test_step_text_http(void **state)
{
	struct cap_step s = step(CAP_STEP_HTTP_REQUEST, CAP_STEP_TO_SERVER);
	struct cap_step r = step(CAP_STEP_HTTP_RESPONSE, CAP_STEP_FROM_SERVER);

	(void)state;
	SET(s.method, "GET");
	SET(s.target, "/crm/");
	assert_string_equal(text_of(&s), "GET /crm/");
	/* Each word once: the scheme is not repeated by the token's description. */
	s.has_auth = true;
	s.auth.scheme = CAP_AUTH_NTLM;
	s.auth.kind = CAP_TOKEN_NTLM;
	s.auth.ntlm_type = 1;
	s.auth.bytes = 40;
	assert_string_equal(text_of(&s), "GET /crm/  Authorization: NTLM NEGOTIATE (40 bytes)");
	s.auth.scheme = CAP_AUTH_BASIC;
	s.auth.kind = CAP_TOKEN_OTHER;
	SET(s.auth.user, "alice");
	s.auth.proxy = true;
	assert_string_equal(text_of(&s),
			    "GET /crm/  Proxy-Authorization: Basic credentials for user \"alice\" "
			    "(40 bytes)");
	/* A Kerberos ticket inside SPNEGO, with its numbers. */
	s.auth.proxy = false;
	s.auth.scheme = CAP_AUTH_NEGOTIATE;
	s.auth.kind = CAP_TOKEN_KRB_AP_REQ;
	s.auth.spnego = s.auth.spnego_init = true;
	s.auth.mutual = true;
	s.auth.bytes = 1800;
	SET(s.sname, "HTTP/crm.example.test");
	SET(s.realm, "EXAMPLE.TEST");
	s.etype = 18;
	s.kvno = 3;
	assert_string_equal(text_of(&s),
			    "GET /crm/  Authorization: Negotiate SPNEGO init → Kerberos AP-REQ "
			    "for HTTP/crm.example.test@EXAMPLE.TEST (aes256-cts-hmac-sha1-96, "
			    "kvno 3, mutual) (1800 bytes)");

	r.status = 401;
	SET(r.reason, "Unauthorized");
	r.offered = CAP_AUTH_BIT(CAP_AUTH_NEGOTIATE) | CAP_AUTH_BIT(CAP_AUTH_NTLM);
	r.close = CAP_STEP_CLOSE_HEADER;
	assert_string_equal(text_of(&r),
			    "401 Unauthorized  offers Negotiate, NTLM  [Connection: close]");
	r.close = CAP_STEP_CLOSE_NONE;
	r.has_auth = true;
	r.auth.scheme = CAP_AUTH_NEGOTIATE;
	r.auth.kind = CAP_TOKEN_KRB_ERROR;
	r.auth.spnego = true;
	r.auth.neg_state = 2;
	r.auth.error_code = 41;
	assert_string_equal(text_of(&r), "401 Unauthorized  Negotiate SPNEGO resp reject → "
					 "KRB-ERROR KRB_AP_ERR_MODIFIED (41)");
	r.auth.scheme = CAP_AUTH_NTLM;
	r.auth.kind = CAP_TOKEN_NTLM;
	r.auth.spnego = false;
	r.auth.neg_state = -1;
	r.auth.ntlm_type = 2;
	assert_string_equal(text_of(&r), "401 Unauthorized  NTLM CHALLENGE");
}

static void test_step_text_kdc(void **state)
{
	struct cap_step s = step(CAP_STEP_KDC_REQUEST, CAP_STEP_TO_KDC);

	(void)state;
	s.msg_type = CAP_KRB_TGS_REQ;
	SET(s.sname, "krbtgt/EXAMPLE.TEST");
	SET(s.realm, "EXAMPLE.TEST");
	s.kdc_options = CAP_STEP_OPT_FORWARDED;
	s.transport = CAP_TRANSPORT_TCP;
	assert_string_equal(text_of(&s), "TGS-REQ krbtgt/EXAMPLE.TEST@EXAMPLE.TEST (forwarded) "
					 "[tcp 10.0.0.88:88]");
	s.kind = CAP_STEP_KDC_REPLY;
	s.msg_type = CAP_KRB_TGS_REP;
	s.transport = CAP_TRANSPORT_UDP;
	s.etype = 23;
	s.kvno = 5;
	assert_string_equal(text_of(&s), "TGS-REP ticket krbtgt/EXAMPLE.TEST@EXAMPLE.TEST "
					 "(rc4-hmac, kvno 5) [udp 10.0.0.88:88]");
	s.kind = CAP_STEP_KRB_ERROR;
	s.msg_type = CAP_KRB_ERROR;
	s.error_code = 7;
	SET(s.sname, "HTTP/crm");
	assert_string_equal(text_of(&s), "KRB-ERROR KDC_ERR_S_PRINCIPAL_UNKNOWN (7) for HTTP/crm "
					 "[udp 10.0.0.88:88]");
	s.kind = CAP_STEP_KDC_UNREACHABLE;
	s.close = CAP_STEP_CLOSE_ICMP;
	assert_string_equal(text_of(&s), "KDC 10.0.0.88:88 (udp) unreachable: ICMP unreachable");
	s = step(CAP_STEP_CONN_CLOSE, CAP_STEP_NOTE);
	s.close = CAP_STEP_CLOSE_RST;
	assert_string_equal(text_of(&s), "server reset the connection (RST)");
	s = step(CAP_STEP_UNDECODABLE, CAP_STEP_TO_KDC);
	s.decode_status = CAP_TRUNCATED;
	assert_string_equal(text_of(&s), "undecodable Kerberos message (truncated) "
					 "[udp 10.0.0.88:88]");
}

/* A conversation's ladder in JSON: fields, never a sentence. */
static void test_step_json(void **state)
{
	struct cap_step steps[2];
	struct cap_conversation c;
	struct cap_json j;
	char buf[4096];

	(void)state;
	steps[0] = step(CAP_STEP_HTTP_REQUEST, CAP_STEP_TO_SERVER);
	SET(steps[0].method, "GET");
	SET(steps[0].target, "/");
	steps[0].has_auth = true;
	steps[0].auth.scheme = CAP_AUTH_NEGOTIATE;
	steps[0].auth.kind = CAP_TOKEN_NTLM;
	steps[0].auth.spnego = steps[0].auth.spnego_init = true;
	steps[0].auth.ntlm_type = 1;
	steps[0].auth.bytes = 110;
	steps[1] = step(CAP_STEP_KRB_ERROR, CAP_STEP_FROM_KDC);
	steps[1].frame = 9;
	steps[1].msg_type = CAP_KRB_ERROR;
	steps[1].error_code = 24;
	steps[1].bad = true;
	memset(&c, 0, sizeof(c));
	c.id = 3;
	c.client = fb_ep(0, 5, 0);
	c.server = fb_ep(0, 80, 80);
	SET(c.host, "crm.example.test");
	c.nstreams = 1;
	c.steps = steps;
	c.nsteps = 2;
	cap_json_init_buf(&j, buf, sizeof(buf));
	assert_int_equal(cap_report_json_conversation(&j, &c), 0);
	assert_non_null(strstr(buf, "{\"type\":\"conversation\",\"id\":3,\"client\":\"10.0.0.5\","
				    "\"server\":\"10.0.0.80:80\""));
	assert_non_null(strstr(buf, "{\"frame\":7,\"step\":\"http-request\",\"direction\":"
				    "\"to_server\",\"stream\":0,\"bad\":false,\"method\":\"GET\","
				    "\"target\":\"/\",\"auth\":{\"header\":\"Authorization\","
				    "\"scheme\":\"Negotiate\",\"bytes\":110,\"token\":\"ntlm\","
				    "\"spnego\":true,\"spnego_token\":\"init\",\"ntlm_message\":"
				    "\"NEGOTIATE\"}}"));
	assert_non_null(strstr(buf, "\"step\":\"krb-error\",\"direction\":\"from_kdc\""));
	assert_non_null(strstr(buf, "\"error_code\":24,\"error_name\":\"KDC_ERR_PREAUTH_FAILED\""));
	assert_null(strstr(buf, "\"text\""));
	assert_non_null(strstr(buf, "}\n"));
}

/* ---- the text report ---- */

static char *report(const struct cap_analysis *a, bool quiet, bool verbose)
{
	struct cap_report_opts o = {false, quiet, verbose};
	char *out = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&out, &len);

	assert_non_null(fp);
	assert_int_equal(cap_report_text(fp, a, NULL, NULL, &o), 0);
	fclose(fp);
	return out;
}

/* 1-based line of the first line that starts with prefix, 0 when none. */
static int line_of(const char *text, const char *prefix)
{
	int n = 1;

	for (const char *p = text; *p != '\0'; n++) {
		const char *nl = strchr(p, '\n');

		if (strncmp(p, prefix, strlen(prefix)) == 0)
			return n;
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	return 0;
}

static void test_text_answers_first(void **state)
{
	struct cap_analysis *a = cap_analysis_new(NULL);
	uint64_t frame;
	char *out;

	(void)state;
	assert_non_null(a);
	/* 40 quiet Kerberos clients first, then a 401 that offers only NTLM. */
	frame = fb_kdc_background(a, 0, 40);
	fb_http(a, frame + 1, true, 0, 0, "crm.example.test", "/", "");
	fb_http(a, frame + 2, false, 401, CAP_AUTH_BIT(CAP_AUTH_NTLM), "crm.example.test", "/",
		"Unauthorized");
	cap_analysis_finish(a, NULL);
	assert_true(cap_analysis_nfindings(a) > 0);

	out = report(a, false, false);
	assert_int_equal(line_of(out, "Verdict: 1 error"), 1);
	assert_int_equal(line_of(out, "  ERROR   negotiate-not-offered: "), 2);
	assert_non_null(strstr(out, "site crm.example.test"));
	/* The problem's ladder and the finding itself stay on the first screen. */
	assert_true(line_of(out, "ERROR   negotiate-not-offered — ") > 0);
	assert_true(line_of(out, "ERROR   negotiate-not-offered — ") < 40);
	assert_non_null(strstr(out, "401 Unauthorized  offers NTLM"));
	assert_non_null(strstr(out, "… 30 more conversation(s) without a problem"));
	assert_null(strstr(out, "AS-REQ"));
	assert_true(line_of(out, "Summary: ") > 0);
	free(out);

	/* -v: every ladder. */
	out = report(a, false, true);
	assert_non_null(strstr(out, "Conversation 40  client 10.0.2.40 ↔ KDC"));
	assert_non_null(strstr(out, "AS-REQ krbtgt/EXAMPLE.TEST@EXAMPLE.TEST"));
	assert_null(strstr(out, "without a problem"));
	free(out);

	/* -q: the findings and the summary line. */
	out = report(a, true, false);
	assert_int_equal(line_of(out, "ERROR   negotiate-not-offered — "), 1);
	assert_int_equal(line_of(out, "Verdict"), 0);
	assert_null(strstr(out, "Conversation"));
	assert_true(line_of(out, "Summary: ") > 0);
	free(out);
	cap_analysis_free(a);
}

static void test_text_nothing_found(void **state)
{
	struct cap_analysis *a = cap_analysis_new(NULL);
	char *out;

	(void)state;
	assert_non_null(a);
	cap_analysis_finish(a, NULL);
	out = report(a, true, false);
	/* -q with nothing found still says the input was read. */
	assert_int_equal(line_of(out, "Summary: 0 packets"), 1);
	free(out);
	out = report(a, false, false);
	assert_int_equal(line_of(out, "Verdict: no finding"), 1);
	assert_true(line_of(out, "No authentication traffic") > 0);
	free(out);
	cap_analysis_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_step_text_http),
		cmocka_unit_test(test_step_text_kdc),
		cmocka_unit_test(test_step_json),
		cmocka_unit_test(test_text_answers_first),
		cmocka_unit_test(test_text_nothing_found),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
