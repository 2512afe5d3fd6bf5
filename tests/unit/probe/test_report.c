/* test_report.c - the JSON-lines records and the JUnit file built from a result. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "expect.h"
#include "negscope/report.h"
#include "probe.h"
#include "report.h"

static void build(struct probe_result *r, bool ok)
{
	struct probe_leg *l;
	struct probe_finding *f;

	probe_result_init(r, "http://crm.example.test:5555/");
	r->url_ok = true;
	snprintf(r->spn, sizeof(r->spn), "%s", "HTTP/crm.example.test");
	snprintf(r->spn_source, sizeof(r->spn_source), "%s", "URL host");
	l = &r->legs[r->nlegs++];
	l->n = 1;
	l->status = 401;
	snprintf(l->reason, sizeof(l->reason), "%s", "Unauthorized");
	l->http_version = 11;
	l->conn_new = true;
	l->local_port = 40000;
	snprintf(l->remote_ip, sizeof(l->remote_ip), "%s", "127.0.0.1");
	l->remote_port = 5555;
	l->nwww = 2;
	l->www_auth = calloc(2, sizeof(char *));
	l->www_auth[0] = strdup("Negotiate");
	l->www_auth[1] = strdup("NTLM");
	l->connection = strdup("close");
	l->gss = PROBE_GSSO_CONTINUE;
	l->t_total_ms = 1.5;
	l = &r->legs[r->nlegs++];
	l->n = 2;
	l->curl_code = 7;
	l->curl_error = strdup("Couldn't connect \"quoted\"");
	r->status = ok ? 200 : 401;
	r->mech = ok ? PROBE_USED_KERBEROS : PROBE_USED_NONE;
	r->authenticated = ok;
	r->connections = 2;
	r->keepalive_ok = false;
	f = probe_result_add_finding(r, CAP_F_KEEPALIVE_MISSING, 2);
	cap_finding_set_num(&f->rec, "local_port", 40001);
	cap_finding_set_str(&f->rec, "connection_header", "close");
	r->nspn_checks = 1;
	snprintf(r->spn_checks[0].spn, sizeof(r->spn_checks[0].spn), "%s",
		 "HTTP/crm.example.test:5555");
	snprintf(r->spn_checks[0].form, sizeof(r->spn_checks[0].form), "%s", "FQDN with port");
	r->spn_checks[0].exists = 1;
}

static char *render(const struct probe_result *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	assert_non_null(fp);
	assert_int_equal(probe_report_json(fp, r), 0);
	fclose(fp);
	return buf;
}

static void json_lines(void **state)
{
	struct probe_result r;
	struct probe_expect ex[2];
	char err[64], *out, *line, *save = NULL;
	int n = 0;
	const char *types[] = {"leg", "leg", "spn", "finding", "result"};

	(void)state;
	build(&r, true);
	probe_expect_parse("kerberos", &ex[0], err, sizeof(err));
	probe_expect_parse("keepalive", &ex[1], err, sizeof(err));
	probe_expect_judge(&r, ex, 2);
	out = render(&r);
	for (line = strtok_r(out, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		char want[64];

		assert_true(n < 5);
		snprintf(want, sizeof(want),
			 "{\"type\":\"%s\",\"target\":\"http://crm.example.test:5555/\"",
			 types[n]);
		assert_memory_equal(line, want, strlen(want));
		assert_int_equal(line[strlen(line) - 1], '}');
		n++;
	}
	assert_int_equal(n, 5);
	free(out);

	out = render(&r);
	assert_non_null(strstr(out, "\"www_authenticate\":[\"Negotiate\",\"NTLM\"]"));
	assert_non_null(strstr(out, "\"connection_header\":\"close\""));
	assert_non_null(strstr(out, "\"error\":{\"curl_code\":7,\"message\":\"Couldn't connect "
				    "\\\"quoted\\\"\",\"tls\":null}"));
	assert_non_null(strstr(out, "\"spn\":\"HTTP/crm.example.test:5555\",\"form\":\"FQDN with "
				    "port\",\"exists\":true"));
	assert_non_null(strstr(out, "\"leg\":2,\"id\":\"keepalive-missing\","
				    "\"severity\":\"error\","));
	assert_non_null(strstr(out, "\"local_port\":40001,\"connection_header\":\"close\","
				    "\"title\":"));
	assert_non_null(strstr(out, "\"gss\":\"continue\""));
	assert_non_null(strstr(out, "\"delegation\":\"not-requested\""));
	/* the result: checks outcome, ok false because keepalive failed */
	assert_non_null(strstr(out, "\"type\":\"result\","
				    "\"target\":\"http://crm.example.test:5555/\","
				    "\"ok\":false,\"exit\":1,\"mech\":\"kerberos\","
				    "\"authenticated\":true,\"status\":200,\"legs\":2,"
				    "\"connections\":2,\"keepalive\":false"));
	assert_non_null(strstr(out, "\"checks\":[{\"check\":\"kerberos\",\"pass\":true,"));
	assert_non_null(strstr(out, "{\"check\":\"keepalive\",\"pass\":false,"));
	assert_non_null(strstr(out, "\"findings\":{\"info\":0,\"warning\":0,\"error\":1}"));
	free(out);
	probe_result_clear(&r);

	/* ok is true exactly when the exit status is 0; mech null when none */
	build(&r, false);
	probe_expect_judge(&r, ex, 0);
	out = render(&r);
	assert_non_null(strstr(out, "\"ok\":false,\"exit\":1,\"mech\":null,"));
	free(out);
	probe_result_clear(&r);
}

/* A finding record is negprobe's target and leg, then exactly the bytes negcap's writer
 * gives the same finding after its "type". */
static void finding_is_negcaps(void **state)
{
	struct probe_result r;
	struct probe_finding *f;
	struct cap_json j;
	char negcap[4096], want[4200], words[CAP_FINDING_TEXT_MAX], *out;
	const char *type = "{\"type\":\"finding\",";

	(void)state;
	probe_result_init(&r, "http://web.example.test/");
	f = probe_result_add_finding(&r, CAP_F_TOKEN_TOO_LARGE, 0);
	assert_non_null(f);
	cap_finding_add_frame(&f->rec, 3);
	cap_finding_set_num(&f->rec, "header_bytes", 17000);
	f->rec.w.detail = CAP_D_TOKEN_HEADER_SIZE;
	f->rec.w.num[0] = 16384;
	cap_json_init_buf(&j, negcap, sizeof(negcap));
	assert_int_equal(cap_report_json_finding(&j, &f->rec), 0);
	assert_memory_equal(negcap, type, strlen(type));
	snprintf(want, sizeof(want), "{\"type\":\"finding\","
		 "\"target\":\"http://web.example.test/\",\"leg\":null,%s",
		 negcap + strlen(type));
	out = render(&r);
	assert_non_null(strstr(out, want));
	assert_non_null(strstr(out, "\"frames\":[3],"));
	assert_non_null(strstr(out, "\"header_bytes\":17000,"));
	assert_true(cap_finding_detail_text(&f->rec, words, sizeof(words)) > 0);
	snprintf(want, sizeof(want), "\"detail\":\"%s\",\"advice\":[", words);
	assert_non_null(strstr(out, want));
	free(out);
	probe_result_clear(&r);
}

static void junit(void **state)
{
	struct probe_result r;
	struct probe_junit *j = probe_junit_new();
	struct probe_expect ex[2];
	char err[64], path[] = "/tmp/negprobe-junit-XXXXXX", buf[8192];
	int fd = mkstemp(path);
	FILE *fp;
	size_t n;

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	build(&r, true);
	probe_expect_parse("kerberos", &ex[0], err, sizeof(err));
	probe_expect_parse("keepalive", &ex[1], err, sizeof(err));
	probe_expect_judge(&r, ex, 2);
	assert_int_equal(probe_junit_add(j, &r), 0);
	probe_result_clear(&r);
	build(&r, false);
	probe_expect_judge(&r, NULL, 0);
	assert_int_equal(probe_junit_add(j, &r), 0);
	probe_result_clear(&r);
	assert_int_equal(probe_junit_write(j, path), 0);
	probe_junit_free(j);
	fp = fopen(path, "r");
	assert_non_null(fp);
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	unlink(path);
	assert_non_null(strstr(buf, "<testsuite name=\"negprobe\" tests=\"3\" failures=\"2\""));
	/* a passing case: no failure, the SPN asked for in system-out */
	assert_non_null(strstr(buf, "name=\"kerberos\" time=\"0.000\">\n      <system-out>SPN "));
	assert_non_null(strstr(buf, "name=\"keepalive\""));
	assert_non_null(strstr(buf, "name=\"kerberos-clean\""));
	assert_non_null(strstr(buf, "<failure message=\"not authenticated, mech none"));
	assert_non_null(strstr(buf, "error keepalive-missing"));
	/* a path that cannot be written */
	j = probe_junit_new();
	assert_int_equal(probe_junit_write(j, "/nonexistent-dir/x.xml"), -1);
	probe_junit_free(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(json_lines),
		cmocka_unit_test(finding_is_negcaps),
		cmocka_unit_test(junit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
