/* test_gss_token.c - GSS-API framing (RFC 2743 §3.1) and krb5 token ids on real tokens:
 * the krb5 mechTokens/responseTokens of the lab samples (MIT Kerberos behind Apache and
 * the IIS-like acceptor), checked against tshark's kerberos.msg_type, and the mechanism
 * lists Windows and Samba send (MS legacy krb5 OID, NEGOEX, user-to-user). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "authtok.h"
#include "negscope/der.h"
#include "negscope/gss_token.h"
#include "negscope/hex.h"
#include "negscope/spnego.h"
#include "negscope/token.h"

static void sweep(const uint8_t *p, size_t n)
{
	struct cap_gss_token g;
	uint8_t *c = malloc(n);
	size_t k;

	assert_non_null(c);
	for (k = 0; k < n; k++) {
		uint8_t *cut = malloc(k > 0 ? k : 1);

		memcpy(cut, p, k);
		assert_int_not_equal(cap_gss_unwrap(cap_span_of(cut, k), &g), CAP_OK);
		assert_true(g.err[0] != '\0');
		/* Whatever inner part was kept lies inside the input. */
		if (g.inner.len > 0)
			assert_true(g.inner.p >= cut && g.inner.p + g.inner.len <= cut + k);
		free(cut);
	}
	for (k = 0; k < n; k++) {
		enum cap_status st;

		memcpy(c, p, n);
		c[k] ^= 0xff;
		st = cap_gss_unwrap(cap_span_of(c, n), &g);
		if (st != CAP_OK)
			assert_true(g.err[0] != '\0');
		if (k == 0)
			assert_int_equal(st, CAP_MALFORMED);
	}
	free(c);
}

static void test_sample_krb5_tokens(void **state)
{
	static const char *const fields[] = { "frame.number", "kerberos.msg_type" };
	char **list = authtok_sample_pcaps();
	size_t i, j, seen[3] = { 0 };
	uint8_t *buf = malloc(CAP_TOKEN_MAX_BYTES);
	struct cap_token *t = malloc(sizeof(*t));

	(void)state;
	assert_non_null(buf);
	assert_non_null(t);
	if (list == NULL || !tshark_available()) {
		authtok_free_list(list);
		free(buf);
		free(t);
		skip();
	}
	for (i = 0; list[i] != NULL; i++) {
		struct authtok_set set;
		struct tshark_rows rows;

		assert_int_equal(authtok_from_pcap(list[i], &set), 0);
		assert_int_equal(tshark_fields(list[i], "kerberos", fields, 2, &rows), 0);
		for (j = 0; j < set.n; j++) {
			struct cap_gss_token g;
			const char *mt;
			int want;

			(void)cap_token_decode_text(cap_span_of(set.v[j].line, strlen(set.v[j].line)),
						    buf, CAP_TOKEN_MAX_BYTES, t);
			if (!t->has_inner || !cap_gss_is_framed(t->inner) || !t->spnego)
				continue;
			assert_int_equal(cap_gss_unwrap(t->inner, &g), CAP_OK);
			assert_int_equal(g.anomalies, 0);
			assert_true(cap_gss_mech_is_krb5(g.mech));
			assert_true(g.has_tok_id);
			mt = tshark_get(&rows, set.v[j].frame, 1);
			assert_non_null(mt);
			want = (int)strtol(mt, NULL, 10);
			assert_int_equal(cap_gss_tok_id_krb_type(g.tok_id), want);
			switch (g.tok_id) {
			case CAP_GSS_TOK_AP_REQ: seen[0]++; break;
			case CAP_GSS_TOK_AP_REP: seen[1]++; break;
			case CAP_GSS_TOK_KRB_ERROR: seen[2]++; break;
			default: fail();
			}
			/* The inner token is the Kerberos message itself. */
			assert_int_equal(cap_krb_peek_type(g.inner), want);
			/* The same token decoded on its own: a bare krb5 GSS token. */
			assert_int_equal(cap_token_decode(t->inner, t), CAP_OK);
			assert_int_equal(t->wrap, CAP_WRAP_GSS);
			assert_int_equal(t->krb_msg_type, want);
			sweep(t->inner.p, t->inner.len);
		}
		tshark_rows_free(&rows);
		authtok_set_free(&set);
	}
	authtok_free_list(list);
	free(buf);
	free(t);
	print_message("krb5 GSS tokens: %zu AP-REQ, %zu AP-REP, %zu KRB-ERROR\n", seen[0], seen[1],
		      seen[2]);
	assert_true(seen[0] >= 3 && seen[1] >= 3 && seen[2] >= 2);
}

/* The mechTypes Windows and Samba list, named from tshark's dotted form. */
static void test_mech_oids_from_smb(void **state)
{
	static const char *const pcaps[] = {
		NEGSCOPE_CAPTURES_DIR "/arkime/tests/pcap/smbtorture-ntlmssp.pcap",
		NEGSCOPE_CAPTURES_DIR "/arkime/tests/pcap/smb-smb1-ascii.pcap",
		NEGSCOPE_CAPTURES_DIR "/arkime/tests/pcap/wireshark-smb-on-windows10.pcap",
	};
	static const char *const fields[] = { "frame.number", "smb.security_blob",
					       "smb2.security_blob" };
	uint8_t *buf = malloc(CAP_TOKEN_MAX_BYTES);
	size_t i, k, named[8] = { 0 };

	(void)state;
	assert_non_null(buf);
	if (!tshark_available()) {
		free(buf);
		skip();
	}
	for (i = 0; i < 3; i++) {
		struct tshark_rows rows;

		assert_int_equal(tshark_fields(pcaps[i], "spnego.MechType", fields, 3, &rows), 0);
		for (k = 0; k < rows.n; k++) {
			const char *h = rows.cells[k * 3 + 1][0] ? rows.cells[k * 3 + 1]
								 : rows.cells[k * 3 + 2];
			struct cap_spnego sp;
			size_t n = 0, m;

			assert_int_equal(cap_hex_decode(cap_span_of(h, strlen(h)), 0, buf,
							CAP_TOKEN_MAX_BYTES, &n, NULL), CAP_OK);
			assert_int_equal(cap_spnego_decode(cap_span_of(buf, n), &sp), CAP_OK);
			for (m = 0; m < sp.nmechs; m++) {
				char d[96];
				enum cap_gss_mech mech = cap_gss_mech_of(sp.mechs[m]);

				assert_int_equal(cap_der_oid_str(sp.mechs[m], d, sizeof(d)), CAP_OK);
				assert_true(mech != CAP_MECH_UNKNOWN);
				assert_string_equal(cap_gss_mech_oid(mech), d);
				named[mech]++;
			}
		}
		tshark_rows_free(&rows);
	}
	free(buf);
	assert_true(named[CAP_MECH_KRB5_MS] >= 2);
	assert_true(named[CAP_MECH_KRB5] >= 2);
	assert_true(named[CAP_MECH_KRB5_U2U] >= 1);
	assert_true(named[CAP_MECH_NTLMSSP] >= 5);
	assert_true(named[CAP_MECH_NEGOEX] >= 5);
	assert_string_equal(cap_gss_mech_name(CAP_MECH_KRB5_MS), "Kerberos 5 (MS legacy OID)");
	assert_true(cap_gss_mech_is_krb5(CAP_MECH_KRB5_MS));
	assert_false(cap_gss_mech_is_krb5(CAP_MECH_IAKERB));
	assert_string_equal(cap_gss_mech_oid(CAP_MECH_IAKERB), "1.3.6.1.5.2.5");
	assert_string_equal(cap_gss_tok_id_name(CAP_GSS_TOK_KRB_ERROR), "KRB-ERROR");
	assert_null(cap_gss_tok_id_name(0x0909));
}

static void test_not_framed(void **state)
{
	struct gss_leg legs[4];
	int n = gssgen_ntlm(0, "EXAMPLE:dave:pw", "HTTP@web.example.test", legs, 4);
	struct cap_gss_token g;

	(void)state;
	if (n < 0)
		skip();
	assert_false(cap_gss_is_framed(cap_span_of(legs[0].p, legs[0].len)));
	assert_int_equal(cap_gss_unwrap(cap_span_of(legs[0].p, legs[0].len), &g), CAP_MALFORMED);
	assert_non_null(strstr(g.err, "0x60"));
	assert_int_equal(cap_gss_unwrap(cap_span_of(NULL, 0), &g), CAP_TRUNCATED);
	gssgen_free(legs, n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sample_krb5_tokens),
		cmocka_unit_test(test_mech_oids_from_smb),
		cmocka_unit_test(test_not_framed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
