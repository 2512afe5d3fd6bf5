/* test_classify.c - one-line classifications of real tokens: the lines are rebuilt from
 * tshark's view of each frame (sname, realm, kvno, error code, NTLM type, negResult) and
 * compared with what cap_classify() says; secrets never appear. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "authtok.h"
#include "negscope/classify.h"
#include "negscope/token.h"

#define ARROW "\xe2\x86\x92"

static const char *const fields[] = {
	"frame.number", "kerberos.msg_type", "kerberos.error_code", "kerberos.SNameString",
	"kerberos.realm", "kerberos.kvno", "kerberos.etype", "spnego.negResult",
	"ntlmssp.messagetype",
};

static const char *neg_name(const char *cell)
{
	static const char *const n[] = { "accept-completed", "accept-incomplete", "reject",
					 "request-mic" };
	long v = cell != NULL && cell[0] ? strtol(cell, NULL, 10) : -1;

	return v >= 0 && v <= 3 ? n[v] : NULL;
}

/* The classification tshark's facts imply for one frame, or "" when no rule applies. */
static void expected_line(const struct tshark_rows *rows, uint64_t frame,
			  const struct cap_token *t, char *out, size_t cap)
{
	const char *mt = tshark_get(rows, frame, 1), *neg = neg_name(tshark_get(rows, frame, 7));
	char sname[256], eb[32], pre[64];
	size_t i;

	out[0] = '\0';
	if (mt == NULL)
		return;
	snprintf(sname, sizeof(sname), "%s", tshark_get(rows, frame, 3));
	for (i = 0; sname[i]; i++)
		if (sname[i] == '|')
			sname[i] = '/';
	if (tshark_get(rows, frame, 7)[0] == '\0' || t->spnego_init)
		snprintf(pre, sizeof(pre), "SPNEGO init");
	else
		snprintf(pre, sizeof(pre), "SPNEGO resp %s", neg);
	switch (strtol(mt, NULL, 10)) {
	case 14:
		snprintf(out, cap, "%s " ARROW " Kerberos AP-REQ for %s@%s (%s, kvno %ld, mutual)", pre,
			 sname, tshark_get(rows, frame, 4),
			 cap_classify_etype((int)strtol(tshark_get(rows, frame, 6), NULL, 10), eb,
					    sizeof(eb)),
			 strtol(tshark_get(rows, frame, 5), NULL, 10));
		break;
	case 15:
		snprintf(out, cap, "%s " ARROW " Kerberos AP-REP (mutual authentication reply)", pre);
		break;
	case 30:
		snprintf(out, cap, "%s " ARROW " KRB-ERROR %s", pre,
			 cap_krb_error_name((int32_t)strtol(tshark_get(rows, frame, 2), NULL, 10)));
		break;
	default:
		break;
	}
}

static void test_sample_lines(void **state)
{
	char **list = authtok_sample_pcaps();
	struct cap_token *t = malloc(sizeof(*t));
	uint8_t *buf = malloc(CAP_TOKEN_MAX_BYTES);
	size_t i, j, compared = 0, fallback = 0;
	char got[512], want[512];

	(void)state;
	assert_non_null(t);
	assert_non_null(buf);
	if (list == NULL || !tshark_available()) {
		authtok_free_list(list);
		free(t);
		free(buf);
		skip();
	}
	for (i = 0; list[i] != NULL; i++) {
		struct authtok_set set;
		struct tshark_rows rows;

		assert_int_equal(authtok_from_pcap(list[i], &set), 0);
		assert_int_equal(tshark_fields(list[i], "kerberos || spnego || ntlmssp", fields, 9,
					       &rows), 0);
		for (j = 0; j < set.n; j++) {
			(void)cap_token_decode_text(cap_span_of(set.v[j].line, strlen(set.v[j].line)),
						    buf, CAP_TOKEN_MAX_BYTES, t);
			(void)cap_classify(t, got, sizeof(got));
			if (t->no_token) {
				assert_string_equal(got, t->scheme == CAP_AUTH_NTLM
								 ? "NTLM (no token)"
								 : "Negotiate (no token)");
				continue;
			}
			if (t->has_ntlm && t->scheme == CAP_AUTH_NEGOTIATE) {
				/* Negotiate fell back to NTLM: the line says so. */
				assert_non_null(strstr(got, "inside Negotiate: NTLM fallback"));
				fallback++;
			}
			if (t->has_ntlm) {
				char nt[32];

				snprintf(nt, sizeof(nt), "NTLM %s",
					 cap_ntlm_type_name((uint32_t)strtoul(
						 tshark_get(&rows, set.v[j].frame, 8), NULL, 16)));
				assert_non_null(strstr(got, nt));
			}
			expected_line(&rows, set.v[j].frame, t, want, sizeof(want));
			if (want[0] == '\0')
				continue;
			assert_string_equal(got, want);
			compared++;
		}
		tshark_rows_free(&rows);
		authtok_set_free(&set);
	}
	print_message("%zu Kerberos lines rebuilt from tshark, %zu NTLM-fallback lines\n", compared,
		      fallback);
	assert_true(compared >= 15);
	assert_true(fallback >= 3);
	authtok_free_list(list);
	free(buf);
	free(t);
}

/* The raw-NTLM-in-Negotiate line, from the shared capture where a client does exactly
 * that; and Basic, whose password must never show. */
static void test_shared_lines(void **state)
{
	static const char *const nfields[] = { "frame.number", "ntlmssp.negotiate.domain",
						"ntlmssp.negotiate.callingworkstation" };
	static const char pcap[] = NEGSCOPE_CAPTURES_DIR "/arkime/tests/pcap/ntlm_synthetic.pcap";
	struct authtok_set set;
	struct tshark_rows rows;
	struct cap_token *t = malloc(sizeof(*t));
	uint8_t *buf = malloc(CAP_TOKEN_MAX_BYTES);
	size_t j, raw_neg = 0, basic = 0;
	char got[512], want[512];

	(void)state;
	assert_non_null(t);
	assert_non_null(buf);
	if (!tshark_available()) {
		free(t);
		free(buf);
		skip();
	}
	assert_int_equal(authtok_from_pcap(pcap, &set), 0);
	assert_int_equal(tshark_fields(pcap, "ntlmssp", nfields, 3, &rows), 0);
	for (j = 0; j < set.n; j++) {
		(void)cap_token_decode_text(cap_span_of(set.v[j].line, strlen(set.v[j].line)), buf,
					    CAP_TOKEN_MAX_BYTES, t);
		(void)cap_classify(t, got, sizeof(got));
		if (t->scheme == CAP_AUTH_NEGOTIATE && t->ntlm_type == CAP_NTLM_NEGOTIATE) {
			const char *d = tshark_get(&rows, set.v[j].frame, 1);
			const char *w = tshark_get(&rows, set.v[j].frame, 2);

			assert_non_null(d);
			if (d[0] != '\0' || w[0] != '\0')
				snprintf(want, sizeof(want), "NTLM NEGOTIATE from %s\\%s (raw, inside "
					 "Negotiate: NTLM fallback)", d, w);
			else
				snprintf(want, sizeof(want),
					 "NTLM NEGOTIATE (raw, inside Negotiate: NTLM fallback)");
			assert_string_equal(got, want);
			raw_neg++;
		}
	}
	tshark_rows_free(&rows);
	authtok_set_free(&set);
	assert_true(raw_neg >= 1);
	assert_int_equal(authtok_from_pcap(NEGSCOPE_CAPTURES_DIR
					   "/nDPI/tests/cfgs/default/pcap/http_auth.pcap", &set), 0);
	for (j = 0; j < set.n; j++) {
		(void)cap_token_decode_text(cap_span_of(set.v[j].line, strlen(set.v[j].line)), buf,
					    CAP_TOKEN_MAX_BYTES, t);
		(void)cap_classify(t, got, sizeof(got));
		if (t->wrap != CAP_WRAP_BASIC)
			continue;
		basic++;
		/* "dGVzdDpmYWlsMg==" is test:fail2 */
		assert_string_equal(got, "Basic credentials for user \"test\" (password 5 bytes)");
		assert_null(strstr(got, "fail2"));
	}
	authtok_set_free(&set);
	assert_int_equal(basic, 1);
	free(buf);
	free(t);
}

static void test_undecodable_and_cut(void **state)
{
	struct cap_token *t = malloc(sizeof(*t));
	uint8_t *buf = malloc(CAP_TOKEN_MAX_BYTES);
	char got[512], small[16];
	struct gss_leg legs[4];
	int n;

	(void)state;
	assert_non_null(t);
	assert_non_null(buf);
	(void)cap_token_decode_text(cap_span_of("Negotiate Zm9vYmFy", 18), buf, CAP_TOKEN_MAX_BYTES,
				    t);
	(void)cap_classify(t, got, sizeof(got));
	assert_string_equal(got, "undecodable: not a SPNEGO, Kerberos or NTLMSSP token "
				 "(first byte 0x66)");
	n = gssgen_ntlm(0, "EXAMPLE:frank:pw", "HTTP@intranet.example.test", legs, 4);
	if (n >= 2) {
		/* The CHALLENGE cut in its target info: classified, with the problem named. */
		(void)cap_token_decode(cap_span_of(legs[1].p, legs[1].len - 10), t);
		(void)cap_classify(t, got, sizeof(got));
		assert_true(strncmp(got, "NTLM CHALLENGE", 14) == 0);
		assert_non_null(strstr(got, "[truncated: NTLM TargetInfo buffer"));
		/* A small output buffer is cut, NUL-terminated. */
		assert_int_equal(cap_classify(t, small, sizeof(small)), sizeof(small) - 1);
		assert_int_equal(strlen(small), sizeof(small) - 1);
		gssgen_free(legs, n);
	}
	free(buf);
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sample_lines),
		cmocka_unit_test(test_shared_lines),
		cmocka_unit_test(test_undecodable_and_cut),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
