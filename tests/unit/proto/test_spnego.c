/* test_spnego.c - SPNEGO decoder on real tokens: HTTP Negotiate tokens from the lab
 * samples, SMB security blobs from the shared captures (Windows NegTokenInit2 with
 * negHints, the MS legacy krb5 OID, NEGOEX), and gss-ntlmssp through MIT SPNEGO; tshark's
 * spnego dissector is the cross-check.  Truncation and corruption sweeps over all. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "authtok.h"
#include "negscope/b64.h"
#include "negscope/der.h"
#include "negscope/hex.h"
#include "negscope/spnego.h"
#include "negscope/token.h"

static const char *const smb_pcaps[] = {
	NEGSCOPE_CAPTURES_DIR "/arkime/tests/pcap/wireshark-smb-on-windows10.pcap",
	NEGSCOPE_CAPTURES_DIR "/arkime/tests/pcap/smbtorture-ntlmssp.pcap",
	NEGSCOPE_CAPTURES_DIR "/arkime/tests/pcap/smb-smb1-ascii.pcap",
};

static const char *const fields[] = {
	"frame.number", "spnego.negResult", "spnego.supportedMech", "spnego.MechType",
	"spnego.hintName", "spnego.mechToken", "spnego.responseToken",
};

struct counts {
	size_t tokens, init, init2, resp, ms_oid;
};

static enum cap_status decode_copy(const uint8_t *p, size_t n, struct cap_spnego *sp)
{
	uint8_t *c = malloc(n > 0 ? n : 1);
	enum cap_status st;

	assert_non_null(c);
	if (n > 0)
		memcpy(c, p, n);
	st = cap_spnego_decode(cap_span_of(c, n), sp);
	free(c);
	return st;
}

static void sweep(const uint8_t *p, size_t n)
{
	struct cap_spnego sp;
	uint8_t *c = malloc(n);
	size_t k;

	assert_non_null(c);
	for (k = 0; k < n; k++) {
		enum cap_status st = decode_copy(p, k, &sp);

		/* A proper prefix of a DER token is never complete. */
		assert_int_not_equal(st, CAP_OK);
		assert_true(sp.err[0] != '\0');
	}
	for (k = 0; k < n; k++) {
		enum cap_status st;

		memcpy(c, p, n);
		c[k] ^= 0xff;
		st = decode_copy(c, n, &sp);
		assert_int_equal(st, sp.status);
		if (st != CAP_OK)
			assert_true(sp.err[0] != '\0');
	}
	free(c);
}

/* Joins the mechTypes as dotted strings with the aggregator tshark_fields uses. */
static void mech_list(const struct cap_spnego *sp, char *out, size_t cap)
{
	size_t i, o = 0;
	char d[96];

	out[0] = '\0';
	for (i = 0; i < sp->nmechs; i++) {
		assert_int_equal(cap_der_oid_str(sp->mechs[i], d, sizeof(d)), CAP_OK);
		o += (size_t)snprintf(out + o, cap - o, "%s%s", i ? "|" : "", d);
	}
}

static int atoi_safe(const char *s)
{
	return (int)strtol(s, NULL, 10);
}

static void check_one(const uint8_t *p, size_t n, const struct tshark_rows *rows, uint64_t frame,
		      struct counts *cnt)
{
	struct cap_spnego sp;
	char list[512], d[96];
	const char *neg = tshark_get(rows, frame, 1), *sup = tshark_get(rows, frame, 2);
	const char *mechs = tshark_get(rows, frame, 3), *hint = tshark_get(rows, frame, 4);

	assert_non_null(neg);
	assert_int_equal(cap_spnego_decode(cap_span_of(p, n), &sp), CAP_OK);
	assert_int_equal(sp.anomalies & ~CAP_SPNEGO_ANOM_UNKNOWN_FIELD, 0);
	cnt->tokens++;
	if (sp.kind == CAP_SPNEGO_INIT) {
		cnt->init++;
		assert_true(sp.framed);
		mech_list(&sp, list, sizeof(list));
		assert_string_equal(list, mechs);
		if (strstr(list, "1.2.840.48018.1.2.2") != NULL)
			cnt->ms_oid++;
		assert_int_equal(sp.has_mech_token, tshark_get(rows, frame, 5)[0] != '\0');
		assert_int_equal(sp.neg_state, -1);
		if (sp.is_init2) {
			cnt->init2++;
			assert_true(sp.has_hint_name);
			assert_int_equal(sp.hint_name.len, strlen(hint));
			assert_memory_equal(sp.hint_name.p, hint, strlen(hint));
		}
	} else {
		cnt->resp++;
		assert_int_equal(sp.kind, CAP_SPNEGO_RESP);
		if (neg[0] != '\0')
			assert_int_equal(sp.neg_state, atoi_safe(neg));
		else
			assert_int_equal(sp.neg_state, -1);
		assert_int_equal(sp.has_supported_mech, sup[0] != '\0');
		if (sp.has_supported_mech) {
			assert_int_equal(cap_der_oid_str(sp.supported_mech, d, sizeof(d)), CAP_OK);
			assert_string_equal(d, sup);
		}
		assert_int_equal(sp.has_response_token, tshark_get(rows, frame, 6)[0] != '\0');
	}
	sweep(p, n);
}

static void http_pcap(const char *pcap, struct counts *cnt)
{
	struct authtok_set set;
	struct tshark_rows rows;
	uint8_t *buf = malloc(CAP_TOKEN_MAX_BYTES);
	size_t i;

	assert_non_null(buf);
	assert_int_equal(authtok_from_pcap(pcap, &set), 0);
	assert_int_equal(tshark_fields(pcap, "spnego", fields, 7, &rows), 0);
	for (i = 0; i < set.n; i++) {
		struct cap_token_input *in = malloc(sizeof(*in));
		const struct cap_auth_challenge *ch;
		size_t n = 0;

		assert_non_null(in);
		assert_int_equal(cap_token_input_parse(cap_span_of(set.v[i].line,
								   strlen(set.v[i].line)), in),
				 CAP_OK);
		ch = cap_authhdr_find_token(&in->hdr, CAP_AUTH_NEGOTIATE);
		if (ch != NULL &&
		    cap_b64_decode(ch->token68, 0, buf, CAP_TOKEN_MAX_BYTES, &n, NULL) == CAP_OK &&
		    cap_spnego_detect(cap_span_of(buf, n)))
			check_one(buf, n, &rows, set.v[i].frame, cnt);
		free(in);
	}
	tshark_rows_free(&rows);
	authtok_set_free(&set);
	free(buf);
}

static void smb_pcap(const char *pcap, struct counts *cnt)
{
	static const char *const blob_fields[] = { "frame.number", "smb.security_blob",
						    "smb2.security_blob" };
	struct tshark_rows blobs, rows;
	uint8_t *buf = malloc(CAP_TOKEN_MAX_BYTES);
	size_t i;

	assert_non_null(buf);
	assert_int_equal(tshark_fields(pcap, "smb.security_blob || smb2.security_blob", blob_fields,
				       3, &blobs), 0);
	assert_int_equal(tshark_fields(pcap, "spnego", fields, 7, &rows), 0);
	for (i = 0; i < blobs.n; i++) {
		const char *h = blobs.cells[i * 3 + 1][0] ? blobs.cells[i * 3 + 1]
							  : blobs.cells[i * 3 + 2];
		uint64_t frame = strtoull(blobs.cells[i * 3], NULL, 10);
		size_t n = 0;

		if (!cap_hex_looks_like(cap_span_of(h, strlen(h)), 0))
			continue;
		assert_int_equal(cap_hex_decode(cap_span_of(h, strlen(h)), 0, buf,
						CAP_TOKEN_MAX_BYTES, &n, NULL), CAP_OK);
		if (tshark_get(&rows, frame, 0) != NULL)
			check_one(buf, n, &rows, frame, cnt);
	}
	tshark_rows_free(&blobs);
	tshark_rows_free(&rows);
	free(buf);
}

static void test_captures_against_tshark(void **state)
{
	char **list = authtok_sample_pcaps();
	struct counts http = { 0 }, smb = { 0 };
	size_t i;

	(void)state;
	if (!tshark_available()) {
		authtok_free_list(list);
		skip();
	}
	for (i = 0; list != NULL && list[i] != NULL; i++)
		http_pcap(list[i], &http);
	authtok_free_list(list);
	for (i = 0; i < sizeof(smb_pcaps) / sizeof(smb_pcaps[0]); i++)
		smb_pcap(smb_pcaps[i], &smb);
	print_message("SPNEGO: %zu HTTP tokens (%zu init, %zu resp), %zu SMB blobs (%zu init2, "
		      "%zu with the MS krb5 OID)\n", http.tokens, http.init, http.resp, smb.tokens,
		      smb.init2, smb.ms_oid);
	assert_true(smb.tokens >= 30);
	assert_true(smb.init2 >= 1);
	assert_true(smb.ms_oid >= 2);
	if (list != NULL) {
		assert_true(http.init >= 5);
		assert_true(http.resp >= 5);
	}
}

static void test_gss_ntlmssp_legs(void **state)
{
	struct gss_leg legs[8];
	int n = gssgen_ntlm(1, "EXAMPLE:carol:secret", "HTTP@web.example.test", legs, 8), i;
	struct cap_spnego sp;
	char d[96];

	(void)state;
	if (n < 0)
		skip();
	assert_true(n >= 4);
	for (i = 0; i < n; i++) {
		assert_int_equal(cap_spnego_decode(cap_span_of(legs[i].p, legs[i].len), &sp), CAP_OK);
		assert_true(cap_spnego_detect(cap_span_of(legs[i].p, legs[i].len)));
		if (i == 0) {
			/* Only NTLM was available: the one mech offered is NTLMSSP. */
			assert_int_equal(sp.kind, CAP_SPNEGO_INIT);
			assert_int_equal(sp.nmechs, 1);
			assert_int_equal(cap_der_oid_str(sp.mechs[0], d, sizeof(d)), CAP_OK);
			assert_string_equal(d, "1.3.6.1.4.1.311.2.2.10");
			assert_true(sp.has_mech_token);
		} else {
			assert_int_equal(sp.kind, CAP_SPNEGO_RESP);
		}
		if (i == 1) {
			assert_int_equal(sp.neg_state, CAP_NEG_ACCEPT_INCOMPLETE);
			assert_true(sp.has_supported_mech);
			assert_int_equal(cap_gss_mech_of(sp.supported_mech), CAP_MECH_NTLMSSP);
		}
		if (i == n - 1) {
			assert_int_equal(sp.neg_state, CAP_NEG_ACCEPT_COMPLETED);
			assert_true(sp.has_mic);
			assert_false(sp.has_response_token);
		}
		sweep(legs[i].p, legs[i].len);
	}
	gssgen_free(legs, n);
}

static void test_not_spnego(void **state)
{
	struct gss_leg legs[4];
	int n = gssgen_ntlm(0, "EXAMPLE:carol:secret", "HTTP@web.example.test", legs, 4);
	struct cap_spnego sp;

	(void)state;
	if (n < 0)
		skip();
	/* A raw NTLMSSP token is not SPNEGO. */
	assert_false(cap_spnego_detect(cap_span_of(legs[0].p, legs[0].len)));
	assert_int_equal(cap_spnego_decode(cap_span_of(legs[0].p, legs[0].len), &sp),
			 CAP_MALFORMED);
	assert_non_null(strstr(sp.err, "negTokenInit"));
	assert_int_equal(cap_spnego_decode(cap_span_of(NULL, 0), &sp), CAP_TRUNCATED);
	gssgen_free(legs, n);
	assert_string_equal(cap_spnego_neg_state_name(CAP_NEG_REJECT), "reject");
	assert_string_equal(cap_spnego_neg_state_name(7), "unknown");
	assert_string_equal(cap_spnego_req_flag_name(CAP_SPNEGO_REQ_DELEG), "deleg");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_captures_against_tshark),
		cmocka_unit_test(test_gss_ntlmssp_legs),
		cmocka_unit_test(test_not_spnego),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
