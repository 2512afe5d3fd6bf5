/* test_token.c - the top-level token decoder on every HTTP auth token in the lab samples
 * and the shared HTTP captures, each cross-checked field by field with tshark (Kerberos
 * msg-type, error code, sname, realm, kvno, etype, ap-options; SPNEGO negResult; NTLM
 * message type), the input forms people paste (header line, value, base64, hex), and
 * truncation and corruption sweeps over every token. */
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
#include "negscope/classify.h"
#include "negscope/token.h"

static const char *const shared_http_pcaps[] = {
	NEGSCOPE_CAPTURES_DIR "/arkime/tests/pcap/ntlm_synthetic.pcap",
	NEGSCOPE_CAPTURES_DIR "/nDPI/tests/cfgs/default/pcap/webdav.pcap",
	NEGSCOPE_CAPTURES_DIR "/nDPI/tests/cfgs/default/pcap/http_auth.pcap",
	NEGSCOPE_CAPTURES_DIR "/arkime/tests/pcap/http-basicauth.pcap",
};

enum { F_FRAME, F_MSGTYPE, F_ERR, F_SNAME, F_REALM, F_KVNO, F_ETYPE, F_APOPT, F_NEG, F_NTLM,
       F_COUNT };
static const char *const fields[F_COUNT] = {
	"frame.number", "kerberos.msg_type", "kerberos.error_code", "kerberos.SNameString",
	"kerberos.realm", "kerberos.kvno", "kerberos.etype", "kerberos.ap_options",
	"spnego.negResult", "ntlmssp.messagetype",
};

struct stats {
	size_t tokens, krb_apreq, krb_aprep, krb_err, ntlm, ntlm_in_neg, empty, basic;
};

/* The first '|'-separated value of a tshark cell as a number; -1 when empty. */
static long first_num(const char *cell, int base)
{
	if (cell == NULL || cell[0] == '\0')
		return -1;
	return strtol(cell, NULL, base);
}

/* tshark's SNameString "HTTP|crm.example.test" as "HTTP/crm.example.test". */
static void slashes(const char *cell, char *out, size_t cap)
{
	size_t i;

	snprintf(out, cap, "%s", cell != NULL ? cell : "");
	for (i = 0; out[i] != '\0'; i++)
		if (out[i] == '|')
			out[i] = '/';
}

static void sweep(const struct cap_span raw)
{
	struct cap_token *t = malloc(sizeof(*t));
	uint8_t *c = malloc(raw.len);
	char line[512];
	size_t k;
	int raw_ntlm = cap_ntlm_is_ntlmssp(raw);

	assert_non_null(t);
	assert_non_null(c);
	for (k = 0; k < raw.len; k++) {
		uint8_t *cut = malloc(k > 0 ? k : 1);
		enum cap_status st;

		memcpy(cut, raw.p, k);
		st = cap_token_decode(cap_span_of(cut, k), t);
		if (!raw_ntlm)
			assert_int_not_equal(st, CAP_OK);
		if (st != CAP_OK)
			assert_true(t->err[0] != '\0');
		(void)cap_classify(t, line, sizeof(line));
		assert_true(line[0] != '\0');
		free(cut);
	}
	for (k = 0; k < raw.len; k++) {
		enum cap_status st;

		memcpy(c, raw.p, raw.len);
		c[k] ^= 0xff;
		st = cap_token_decode(cap_span_of(c, raw.len), t);
		assert_int_equal(st, t->status);
		if (st != CAP_OK)
			assert_true(t->err[0] != '\0');
		(void)cap_classify(t, line, sizeof(line));
		/* Flip the low bit too: values that stay plausible go deeper. */
		c[k] ^= 0xfe;
		(void)cap_token_decode(cap_span_of(c, raw.len), t);
		(void)cap_classify(t, line, sizeof(line));
	}
	free(c);
	free(t);
}

static void cross_check(const struct cap_token *t, const struct tshark_rows *rows,
			uint64_t frame, struct stats *st)
{
	const char *mt = tshark_get(rows, frame, F_MSGTYPE);
	char sname[256];

	if (t->has_krb) {
		assert_non_null(mt);
		assert_int_equal(first_num(mt, 10), t->krb_msg_type);
		slashes(tshark_get(rows, frame, F_SNAME), sname, sizeof(sname));
		assert_string_equal(t->sname, sname);
		assert_string_equal(t->realm, tshark_get(rows, frame, F_REALM));
	}
	if (t->krb_msg_type == CAP_KRB_AP_REQ) {
		st->krb_apreq++;
		assert_int_equal(t->kvno, first_num(tshark_get(rows, frame, F_KVNO), 10));
		assert_int_equal(t->etype, first_num(tshark_get(rows, frame, F_ETYPE), 10));
		assert_int_equal(t->mutual,
				 (first_num(tshark_get(rows, frame, F_APOPT), 16) & 0x20000000) != 0);
	} else if (t->krb_msg_type == CAP_KRB_AP_REP) {
		st->krb_aprep++;
	} else if (t->krb_msg_type == CAP_KRB_ERROR) {
		st->krb_err++;
		assert_int_equal(t->error_code, first_num(tshark_get(rows, frame, F_ERR), 10));
		assert_non_null(t->error_name);
	}
	if (t->has_ntlm) {
		st->ntlm++;
		assert_int_equal(t->ntlm_type, first_num(tshark_get(rows, frame, F_NTLM), 16));
		assert_int_equal(t->mech, CAP_TMECH_NTLM);
		assert_int_equal(t->is_ntlm_in_negotiate, t->scheme == CAP_AUTH_NEGOTIATE);
		st->ntlm_in_neg += (size_t)t->is_ntlm_in_negotiate;
	}
	if (t->spnego) {
		const char *neg = tshark_get(rows, frame, F_NEG);

		assert_non_null(neg);
		assert_int_equal(t->neg_state, first_num(neg, 10));
	}
}

/* The same token through every text form: same result. */
static void check_forms(const struct cap_token *ref, const char *line, uint8_t *buf)
{
	struct cap_token *t = malloc(sizeof(*t));
	char *b64, *hex, *val, c1[512], c2[512];
	size_t k, o = 0;
	const char *sp = strchr(line, ' ');

	assert_non_null(t);
	(void)cap_classify(ref, c1, sizeof(c1));
	/* The value after "Name: ". */
	val = strchr(line, ':') + 1;
	while (*val == ' ')
		val++;
	(void)cap_token_decode_text(cap_span_of(val, strlen(val)), buf, CAP_TOKEN_MAX_BYTES, t);
	(void)cap_classify(t, c2, sizeof(c2));
	assert_string_equal(c1, c2);
	/* Bare base64 and hex lose the scheme: compare the decode, not the scheme note. */
	b64 = authtok_b64(ref->raw.p, ref->raw.len);
	(void)cap_token_decode_text(cap_span_of(b64, strlen(b64)), buf, CAP_TOKEN_MAX_BYTES, t);
	assert_int_equal(t->status, ref->status);
	assert_int_equal(t->wrap, ref->wrap);
	assert_int_equal(t->krb_msg_type, ref->krb_msg_type);
	assert_int_equal(t->ntlm_type, ref->ntlm_type);
	hex = malloc(ref->raw.len * 3 + 3);
	assert_non_null(hex);
	o = (size_t)snprintf(hex, 3, "0x");
	for (k = 0; k < ref->raw.len; k++)
		o += (size_t)snprintf(hex + o, 4, "%02x%s", ref->raw.p[k], k % 16 == 15 ? "\n" : "");
	(void)cap_token_decode_text(cap_span_of(hex, o), buf, CAP_TOKEN_MAX_BYTES, t);
	assert_int_equal(t->status, ref->status);
	assert_int_equal(t->raw.len, ref->raw.len);
	assert_int_equal(t->krb_msg_type, ref->krb_msg_type);
	assert_string_equal(t->sname, ref->sname);
	assert_string_equal(t->user, ref->user);
	(void)sp;
	free(hex);
	free(b64);
	free(t);
}

static void check_pcap(const char *pcap, struct stats *st)
{
	struct authtok_set set;
	struct tshark_rows rows;
	struct cap_token *t = malloc(sizeof(*t));
	uint8_t *buf = malloc(CAP_TOKEN_MAX_BYTES), *buf2 = malloc(CAP_TOKEN_MAX_BYTES);
	size_t i;
	char line[512];

	assert_non_null(t);
	assert_non_null(buf);
	assert_non_null(buf2);
	assert_int_equal(authtok_from_pcap(pcap, &set), 0);
	assert_int_equal(tshark_fields(pcap, "http || kerberos || spnego || ntlmssp", fields,
				       F_COUNT, &rows), 0);
	for (i = 0; i < set.n; i++) {
		(void)cap_token_decode_text(cap_span_of(set.v[i].line, strlen(set.v[i].line)), buf,
					    CAP_TOKEN_MAX_BYTES, t);
		(void)cap_classify(t, line, sizeof(line));
		if (t->status != CAP_OK)
			print_message("%s frame %llu: %s\n", strrchr(pcap, '/') + 1,
				      (unsigned long long)set.v[i].frame, line);
		assert_int_equal(t->status, CAP_OK);
		assert_true(t->recognised);
		st->tokens++;
		if (t->no_token) {
			st->empty++;
			continue;
		}
		if (t->wrap == CAP_WRAP_BASIC) {
			st->basic++;
			assert_true(t->basic_user.len > 0);
			continue;
		}
		cross_check(t, &rows, set.v[i].frame, st);
		check_forms(t, set.v[i].line, buf2);
		sweep(t->raw);
	}
	tshark_rows_free(&rows);
	authtok_set_free(&set);
	free(buf);
	free(buf2);
	free(t);
}

static void test_captures_against_tshark(void **state)
{
	char **list = authtok_sample_pcaps();
	struct stats st = { 0 };
	size_t i;

	(void)state;
	if (!tshark_available()) {
		authtok_free_list(list);
		skip();
	}
	for (i = 0; list != NULL && list[i] != NULL; i++)
		check_pcap(list[i], &st);
	for (i = 0; i < sizeof(shared_http_pcaps) / sizeof(shared_http_pcaps[0]); i++)
		check_pcap(shared_http_pcaps[i], &st);
	print_message("%zu tokens: %zu AP-REQ, %zu AP-REP, %zu KRB-ERROR, %zu NTLM (%zu inside "
		      "Negotiate), %zu without token, %zu Basic\n", st.tokens, st.krb_apreq,
		      st.krb_aprep, st.krb_err, st.ntlm, st.ntlm_in_neg, st.empty, st.basic);
	assert_true(st.ntlm >= 20);
	assert_true(st.ntlm_in_neg >= 3); /* ntlm_synthetic sends raw NTLMSSP under Negotiate */
	assert_true(st.basic >= 2);
	if (list != NULL) {
		assert_true(st.krb_apreq >= 5);
		assert_true(st.krb_aprep >= 3);
		assert_true(st.krb_err >= 2);
	}
	authtok_free_list(list);
}

static void test_gss_ntlmssp_tokens(void **state)
{
	struct gss_leg legs[8];
	int n = gssgen_ntlm(1, "EXAMPLE:erin:pw", "HTTP@intranet.example.test", legs, 8), i;
	struct cap_token *t = malloc(sizeof(*t));

	(void)state;
	assert_non_null(t);
	if (n < 0) {
		free(t);
		skip();
	}
	for (i = 0; i < n; i++) {
		assert_int_equal(cap_token_decode(cap_span_of(legs[i].p, legs[i].len), t), CAP_OK);
		assert_int_equal(t->wrap, CAP_WRAP_SPNEGO);
		if (i == 2) {
			/* A client's second leg is a NegTokenResp: the inner NTLM AUTHENTICATE is
			 * found by content (no supportedMech in it). */
			assert_true(t->spnego_resp);
			assert_true(t->inner_by_content);
			assert_int_equal(t->ntlm_type, CAP_NTLM_AUTHENTICATE);
			assert_string_equal(t->user, "erin");
			assert_string_equal(t->domain, "EXAMPLE");
			assert_string_equal(t->target_spn, "HTTP/intranet.example.test");
			assert_int_equal(t->ntlm_auth, CAP_NTLM_AUTH_NTLMV2);
		}
		sweep(t->raw);
	}
	gssgen_free(legs, n);
	free(t);
}

/* The token caps on real SPNEGO/Kerberos tokens: the DER element and depth caps that
 * exactly fit pass, one less stops the decode with CAP_LIMIT naming the cap (what came
 * before stays), and a token one byte over the size cap is not decoded at all. */
static void test_caps(void **state)
{
	char **list = authtok_sample_pcaps();
	struct authtok_set set;
	struct cap_token *t = malloc(sizeof(*t));
	uint8_t *buf = malloc(CAP_TOKEN_MAX_BYTES);
	struct cap_der_limits lim;
	size_t i, checked = 0;

	(void)state;
	assert_non_null(t);
	assert_non_null(buf);
	if (list == NULL)
		skip();
	for (size_t f = 0; list[f] != NULL && checked < 6; f++) {
		if (strstr(list[f], "kerberos-ok") == NULL && strstr(list[f], "wrong-key") == NULL)
			continue;
		assert_int_equal(authtok_from_pcap(list[f], &set), 0);
		for (i = 0; i < set.n; i++) {
			struct cap_span line = cap_span_of(set.v[i].line, strlen(set.v[i].line));
			unsigned elems, depth;
			size_t raw_len;

			if (cap_token_decode_text(line, buf, CAP_TOKEN_MAX_BYTES, t) != CAP_OK ||
			    !t->has_krb)
				continue;
			elems = t->der.elems;
			raw_len = t->raw.len;
			memset(&lim, 0, sizeof(lim));
			lim.max_elems = elems;
			assert_int_equal(cap_token_decode_text_capped(line, buf, CAP_TOKEN_MAX_BYTES,
								      t, &lim), CAP_OK);
			lim.max_elems = elems - 1;
			assert_int_equal(cap_token_decode_text_capped(line, buf, CAP_TOKEN_MAX_BYTES,
								      t, &lim), CAP_LIMIT);
			assert_int_equal(t->der.hit, CAP_DER_HIT_ELEMS);
			assert_non_null(strstr(t->err, "DER elements (cap)"));
			assert_true(t->recognised);
			/* Depth: the least that decodes, then one less. */
			lim.max_elems = 0;
			for (depth = 1; depth < 64; depth++) {
				lim.max_depth = depth;
				if (cap_token_decode_text_capped(line, buf, CAP_TOKEN_MAX_BYTES, t,
								 &lim) == CAP_OK)
					break;
				assert_int_equal(t->status, CAP_LIMIT);
				assert_int_equal(t->der.hit, CAP_DER_HIT_DEPTH);
				assert_non_null(strstr(t->err, "DER nesting deeper than"));
			}
			assert_true(depth > 3 && depth <= CAP_DER_DEFAULT_MAX_DEPTH);
			/* Size: the decoded length fits exactly; a byte less does not. */
			assert_int_equal(cap_token_decode_text(line, buf, raw_len, t), CAP_OK);
			assert_false(t->over_cap);
			assert_int_equal(cap_token_decode_text(line, buf, raw_len - 1, t), CAP_LIMIT);
			assert_true(t->over_cap);
			assert_non_null(strstr(t->err, "token larger than"));
			checked++;
		}
		authtok_set_free(&set);
	}
	assert_true(checked >= 2);
	authtok_free_list(list);
	free(buf);
	free(t);
}

static void test_text_errors(void **state)
{
	struct cap_token *t = malloc(sizeof(*t));
	uint8_t *buf = malloc(CAP_TOKEN_MAX_BYTES);
	struct cap_token_input *in = malloc(sizeof(*in));
	static const char *const bad[] = {
		"Authorization: Negotiate YII%AAAA", "Host: www.example.test", "", "   ",
		"zzzz", "Negotiate YIIC/w", "60 82 01", "Authorization: Basic Zm9v",
	};
	size_t i;

	(void)state;
	assert_non_null(t);
	assert_non_null(buf);
	assert_non_null(in);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		enum cap_status st = cap_token_decode_text(cap_span_of(bad[i], strlen(bad[i])), buf,
							   CAP_TOKEN_MAX_BYTES, t);

		assert_int_not_equal(st, CAP_OK);
		assert_true(t->err[0] != '\0');
	}
	(void)cap_token_decode_text(cap_span_of(bad[0], strlen(bad[0])), buf, CAP_TOKEN_MAX_BYTES,
				    t);
	assert_non_null(strstr(t->err, "'%'"));
	assert_false(t->recognised);
	assert_int_equal(cap_token_input_parse(cap_span_of("60 82 01", 8), in), CAP_OK);
	assert_int_equal(in->form, CAP_INPUT_HEX);
	assert_int_equal(cap_token_input_parse(cap_span_of("negotiate, ntlm", 15), in), CAP_OK);
	assert_int_equal(in->form, CAP_INPUT_HEADER_VALUE);
	assert_int_equal(in->hdr.n, 2);
	assert_int_equal(cap_token_input_parse(cap_span_of("oRsw\nGaAD", 9), in), CAP_OK);
	assert_int_equal(in->form, CAP_INPUT_BASE64);
	/* A challenge without a token is clean. */
	assert_int_equal(cap_token_decode_text(cap_span_of("WWW-Authenticate: Negotiate", 27), buf,
					       CAP_TOKEN_MAX_BYTES, t), CAP_OK);
	assert_true(t->no_token);
	assert_int_equal(t->scheme, CAP_AUTH_NEGOTIATE);
	free(in);
	free(buf);
	free(t);
}

/* The enum names JSON output uses come from tables; unknown values take the default. */
static void test_enum_names(void **state)
{
	(void)state;
	assert_string_equal(cap_token_wrap_name(CAP_WRAP_SPNEGO), "spnego");
	assert_string_equal(cap_token_wrap_name((enum cap_token_wrap)99), "none");
	assert_string_equal(cap_token_mech_name(CAP_TMECH_NTLM), "ntlm");
	assert_string_equal(cap_token_mech_name((enum cap_token_mech)99), "unknown");
	assert_string_equal(cap_token_input_form_name(CAP_INPUT_HEX), "hex");
	assert_string_equal(cap_token_input_form_name((enum cap_token_input_form)99), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_enum_names),
		cmocka_unit_test(test_captures_against_tshark),
		cmocka_unit_test(test_gss_ntlmssp_tokens),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_text_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
