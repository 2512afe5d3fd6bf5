/* token.c - HTTP Negotiate/NTLM/Kerberos token: recognise the wrapping by content and
 * decode every layer (RFC 4559, RFC 4178, RFC 2743 §3.1, RFC 4121, RFC 4120, MS-NLMP),
 * like Zeek's GSSAPI forward_blob: the container hands the inner token to the decoder
 * that its first bytes select. */
#include <stdio.h>
#include <string.h>

#include "negscope/b64.h"
#include "negscope/der.h"
#include "negscope/hex.h"
#include "negscope/token.h"
#include "negscope/tok.h"

#define NEGOEX_SIGNATURE "NEGOEXTS"

static void tok_err(struct cap_token *t, enum cap_status st, const char *text)
{
	if (t->status != CAP_OK || st == CAP_OK)
		return;
	t->status = st;
	snprintf(t->err, sizeof(t->err), "%.150s", text);
}

static const struct cap_tok status_word_names[] = {
	{ CAP_OK, "ok" },
	{ CAP_TRUNCATED, "cut short" },
	{ CAP_MALFORMED, "malformed" },
	{ CAP_LIMIT, "a decoder limit was hit" },
	{ CAP_UNSUPPORTED, "a form not decoded here" },
	{ 0, NULL },
};

static const char *status_words(enum cap_status st)
{
	return cap_tok_name(status_word_names, st, "?");
}

void cap_token_init(struct cap_token *t)
{
	memset(t, 0, sizeof(*t));
	t->status = CAP_OK;
	t->neg_state = -1;
	t->etype = -1;
	t->kvno = -1;
	t->authenticator_etype = -1;
	t->error_code = -1;
	cap_der_budget_init(&t->der, NULL);
}

/* An empty result whose decode spends the DER caps lim (NULL: defaults). */
static void token_reset(struct cap_token *t, const struct cap_der_limits *lim)
{
	cap_token_init(t);
	cap_der_budget_init(&t->der, lim);
}

static enum cap_token_mech tmech_of(enum cap_gss_mech m)
{
	switch (m) {
	case CAP_MECH_KRB5:
	case CAP_MECH_KRB5_MS:
	case CAP_MECH_KRB5_U2U:
	case CAP_MECH_IAKERB:
		return CAP_TMECH_KERBEROS;
	case CAP_MECH_NTLMSSP:
		return CAP_TMECH_NTLM;
	case CAP_MECH_NEGOEX:
		return CAP_TMECH_NEGOEX;
	case CAP_MECH_SPNEGO:
		return CAP_TMECH_NONE;
	case CAP_MECH_UNKNOWN:
		break;
	}
	return CAP_TMECH_UNKNOWN;
}

static void fill_krb_facts(struct cap_token *t)
{
	const struct cap_krb_msg *k = &t->krb;

	t->krb_msg_type = k->msg_type;
	if (k->ap_req.present) {
		const struct cap_krb_ticket *tk = &k->ap_req.ticket;

		t->mutual = (k->ap_req.ap_options & CAP_KRB_BIT(CAP_AP_OPT_MUTUAL_REQUIRED)) != 0;
		if (tk->present) {
			(void)cap_krb_principal_str(&tk->sname, t->sname, sizeof(t->sname));
			(void)cap_krb_span_str(tk->realm, t->realm, sizeof(t->realm));
			if (tk->enc_part.present) {
				t->etype = tk->enc_part.etype;
				t->kvno = tk->enc_part.kvno_present ? (int)tk->enc_part.kvno : -1;
			}
		}
		if (k->ap_req.authenticator.present)
			t->authenticator_etype = k->ap_req.authenticator.etype;
	}
	if (k->err.present) {
		t->error_code = k->err.error_code;
		t->error_name = cap_krb_error_name(k->err.error_code);
		if (k->err.sname.present)
			(void)cap_krb_principal_str(&k->err.sname, t->sname, sizeof(t->sname));
		if (k->err.realm.p != NULL)
			(void)cap_krb_span_str(k->err.realm, t->realm, sizeof(t->realm));
		if (k->err.e_text_present)
			(void)cap_krb_span_str(k->err.e_text, t->e_text, sizeof(t->e_text));
	}
}

static void decode_krb(struct cap_token *t, struct cap_span in)
{
	enum cap_status st;
	char msg[160];

	t->has_krb = 1;
	t->mech = CAP_TMECH_KERBEROS;
	st = cap_krb_decode_capped(in, &t->krb, &t->der);
	fill_krb_facts(t);
	if (st != CAP_OK) {
		const char *name = cap_krb_msg_type_name(t->krb.msg_type);

		snprintf(msg, sizeof(msg), "Kerberos %s: %s", name != NULL ? name : "message",
			 status_words(st));
		tok_err(t, st, msg);
	}
}

static void fill_ntlm_facts(struct cap_token *t)
{
	const struct cap_ntlm_msg *m = &t->ntlm;

	t->ntlm_type = (int)m->type;
	switch (m->type) {
	case CAP_NTLM_NEGOTIATE:
		(void)cap_ntlm_text(m->domain.data, 0, t->domain, sizeof(t->domain));
		(void)cap_ntlm_text(m->workstation.data, 0, t->workstation, sizeof(t->workstation));
		break;
	case CAP_NTLM_CHALLENGE:
		(void)cap_ntlm_text(m->target_name.data, m->unicode, t->ntlm_target,
				    sizeof(t->ntlm_target));
		break;
	case CAP_NTLM_AUTHENTICATE:
		(void)cap_ntlm_text(m->user.data, m->unicode, t->user, sizeof(t->user));
		(void)cap_ntlm_text(m->domain.data, m->unicode, t->domain, sizeof(t->domain));
		(void)cap_ntlm_text(m->workstation.data, m->unicode, t->workstation,
				    sizeof(t->workstation));
		(void)cap_utf16le_to_utf8(m->client_av.target_name, t->target_spn,
					  sizeof(t->target_spn));
		t->ntlm_auth = m->auth_kind;
		t->ntlm_mic = m->mic_present;
		break;
	default:
		break;
	}
}

static void decode_ntlm(struct cap_token *t, struct cap_span in)
{
	t->has_ntlm = 1;
	t->mech = CAP_TMECH_NTLM;
	if (cap_ntlm_decode(in, &t->ntlm) != CAP_OK)
		tok_err(t, t->ntlm.status, t->ntlm.err);
	fill_ntlm_facts(t);
}

static void decode_inner(struct cap_token *t, struct cap_span in, int depth);

/* A GSS InitialContextToken that is not SPNEGO (krb5, IAKERB, ...). */
static void decode_gss(struct cap_token *t, struct cap_span in, int depth)
{
	struct cap_gss_token *g = &t->gss;
	char msg[160], oid[64];

	t->has_gss = 1;
	(void)cap_gss_unwrap(in, g);
	t->gss_mech = g->mech;
	if (g->mech_oid.len == 0) {
		tok_err(t, g->status, g->err);
		return;
	}
	t->mech = tmech_of(g->mech);
	if (cap_gss_mech_is_krb5(g->mech)) {
		int want = g->has_tok_id ? cap_gss_tok_id_krb_type(g->tok_id) : 0;

		if (g->status != CAP_OK && g->status != CAP_TRUNCATED) {
			tok_err(t, g->status, g->err);
			return;
		}
		if (g->has_tok_id && want == 0) {
			const char *n = cap_gss_tok_id_name(g->tok_id);

			snprintf(msg, sizeof(msg), "GSS krb5 token id %02x %02x (%s) is not a "
				 "context-establishment token", g->tok_id >> 8, g->tok_id & 0xff,
				 n != NULL ? n : "unknown");
			tok_err(t, CAP_UNSUPPORTED, msg);
			return;
		}
		if (g->inner.len > 0 || g->has_tok_id)
			decode_krb(t, g->inner);
		if (want != 0 && t->krb.msg_type != 0 && t->krb.msg_type != want)
			g->anomalies |= CAP_GSS_ANOM_TOKID_MISMATCH;
		if (g->status != CAP_OK)
			tok_err(t, g->status, g->err);
		return;
	}
	if (g->mech == CAP_MECH_IAKERB) {
		/* Recognised; its IAKERB-HEADER + proxied KDC message are not decoded. */
		tok_err(t, g->status, g->err);
		return;
	}
	if (g->mech == CAP_MECH_NTLMSSP || g->mech == CAP_MECH_NEGOEX) {
		if (depth < CAP_TOKEN_MAX_DEPTH && g->inner.len > 0)
			decode_inner(t, g->inner, depth + 1);
		tok_err(t, g->status, g->err);
		return;
	}
	if (cap_der_oid_str(g->mech_oid, oid, sizeof(oid)) != CAP_OK)
		snprintf(oid, sizeof(oid), "?");
	snprintf(msg, sizeof(msg), "GSS token for mechanism %s, not decoded", oid);
	tok_err(t, CAP_UNSUPPORTED, msg);
}

static int has_prefix(struct cap_span in, const char *lit)
{
	struct cap_cursor c = cap_cur_from_span(in);
	size_t n = strlen(lit);
	const uint8_t *p = cap_cur_bytes(&c, n);

	return p != NULL && memcmp(p, lit, n) == 0;
}

/* 1 for a short span that is the start of "NTLMSSP\0" (a cut NTLM message). */
static int ntlm_sig_prefix(struct cap_span in)
{
	struct cap_cursor c = cap_cur_from_span(in);
	const uint8_t *p;

	if (in.len == 0 || in.len >= sizeof(CAP_NTLM_SIGNATURE))
		return 0;
	p = cap_cur_bytes(&c, in.len);
	return p != NULL && memcmp(p, CAP_NTLM_SIGNATURE, in.len) == 0;
}

/* The mechanism token inside SPNEGO (or a GSS token), by content. */
static void decode_inner(struct cap_token *t, struct cap_span in, int depth)
{
	struct cap_cursor c = cap_cur_from_span(in);
	int b0 = cap_cur_peek(&c, 0);
	char msg[160];

	if (depth > CAP_TOKEN_MAX_DEPTH) {
		tok_err(t, CAP_LIMIT, "token nesting too deep");
		return;
	}
	if (in.len == 0) {
		tok_err(t, CAP_MALFORMED, "empty mechanism token");
		return;
	}
	if (cap_ntlm_is_ntlmssp(in)) {
		decode_ntlm(t, in);
		return;
	}
	if (has_prefix(in, NEGOEX_SIGNATURE)) {
		t->mech = CAP_TMECH_NEGOEX;
		return;
	}
	if (b0 == 0x60) {
		struct cap_gss_token g;

		(void)cap_gss_unwrap(in, &g);
		if (g.mech == CAP_MECH_SPNEGO) {
			tok_err(t, CAP_UNSUPPORTED, "SPNEGO nested inside SPNEGO");
			return;
		}
		decode_gss(t, in, depth);
		return;
	}
	if (cap_krb_peek_type(in) != 0) {
		decode_krb(t, in);
		return;
	}
	if (ntlm_sig_prefix(in)) {
		tok_err(t, CAP_TRUNCATED, "NTLM message cut short before the end of its signature");
		return;
	}
	t->mech = CAP_TMECH_UNKNOWN;
	snprintf(msg, sizeof(msg),
		 "mechanism token not recognised (first byte 0x%02x: not NTLMSSP, GSS or "
		 "Kerberos)", (unsigned)(b0 & 0xff));
	tok_err(t, CAP_UNSUPPORTED, msg);
}

static void decode_spnego(struct cap_token *t, struct cap_span in)
{
	struct cap_spnego *sp = &t->sp;

	(void)cap_spnego_decode_capped(in, sp, &t->der);
	t->wrap = CAP_WRAP_SPNEGO;
	t->spnego = 1;
	t->spnego_init = sp->kind == CAP_SPNEGO_INIT;
	t->spnego_resp = sp->kind == CAP_SPNEGO_RESP;
	t->neg_state = sp->neg_state;
	t->deleg_requested = sp->has_req_flags && (sp->req_flags & CAP_SPNEGO_REQ_DELEG);
	t->spnego_mic = sp->has_mic;
	/* The negotiated mechanism, until the inner token says more. */
	if (sp->has_supported_mech)
		t->gss_mech = cap_gss_mech_of(sp->supported_mech);
	else if (sp->kind == CAP_SPNEGO_INIT && sp->nmechs > 0)
		t->gss_mech = cap_gss_mech_of(sp->mechs[0]);
	t->mech = tmech_of(t->gss_mech);
	if (sp->status != CAP_OK)
		tok_err(t, sp->status, sp->err);
	if (sp->has_mech_token) {
		t->has_inner = 1;
		t->inner = sp->mech_token;
	} else if (sp->has_response_token) {
		t->has_inner = 1;
		t->inner = sp->response_token;
		t->inner_by_content = !sp->has_supported_mech;
	}
	if (t->has_inner && t->inner.len > 0)
		decode_inner(t, t->inner, 1);
	else if (t->has_inner && t->status == CAP_OK)
		tok_err(t, CAP_MALFORMED, "SPNEGO: empty mechanism token");
}

enum cap_status cap_token_decode(struct cap_span raw, struct cap_token *t)
{
	return cap_token_decode_capped(raw, t, NULL);
}

static void decode_any(struct cap_span raw, struct cap_token *t);

enum cap_status cap_token_decode_capped(struct cap_span raw, struct cap_token *t,
					const struct cap_der_limits *lim)
{
	char why[96];

	token_reset(t, lim);
	decode_any(raw, t);
	if (cap_der_budget_text(&t->der, why, sizeof(why)) != NULL) {
		/* The cap, not the damage it did below, is what the reader must hear. */
		t->status = CAP_OK;
		tok_err(t, CAP_LIMIT, why);
	}
	return t->status;
}

/* Recognises the outer format by content and decodes down (t already reset). */
static void decode_any(struct cap_span raw, struct cap_token *t)
{
	struct cap_cursor c = cap_cur_from_span(raw);
	int b0 = cap_cur_peek(&c, 0);
	char msg[160];

	t->raw = raw;
	if (raw.len == 0) {
		tok_err(t, CAP_TRUNCATED, "empty token");
		return;
	}
	if (cap_ntlm_is_ntlmssp(raw)) {
		t->recognised = 1;
		t->wrap = CAP_WRAP_RAW;
		t->has_inner = 1;
		t->inner = raw;
		decode_ntlm(t, raw);
		return;
	}
	if (b0 == 0x60) {
		struct cap_gss_token g;

		(void)cap_gss_unwrap(raw, &g);
		if (g.mech == CAP_MECH_SPNEGO) {
			t->recognised = 1;
			decode_spnego(t, raw);
			return;
		}
		if (g.mech_oid.len > 0) {
			t->recognised = 1;
			t->wrap = CAP_WRAP_GSS;
			t->has_inner = 1;
			t->inner = raw;
			decode_gss(t, raw, 1);
			return;
		}
		tok_err(t, g.status, g.err);
		return;
	}
	if ((b0 == 0xa0 || b0 == 0xa1) && cap_spnego_detect(raw)) {
		t->recognised = 1;
		decode_spnego(t, raw);
		return;
	}
	if (cap_krb_peek_type(raw) != 0) {
		t->recognised = 1;
		t->wrap = CAP_WRAP_RAW;
		t->has_inner = 1;
		t->inner = raw;
		decode_krb(t, raw);
		return;
	}
	if (ntlm_sig_prefix(raw)) {
		tok_err(t, CAP_TRUNCATED, "NTLM message cut short before the end of its signature");
		return;
	}
	snprintf(msg, sizeof(msg),
		 "not a SPNEGO, Kerberos or NTLMSSP token (first byte 0x%02x)", (unsigned)(b0 & 0xff));
	tok_err(t, CAP_MALFORMED, msg);
}

void cap_token_set_scheme(struct cap_token *t, enum cap_auth_scheme scheme)
{
	t->scheme = scheme;
	t->is_ntlm_in_negotiate = scheme == CAP_AUTH_NEGOTIATE && t->mech == CAP_TMECH_NTLM;
}

void cap_token_set_empty(struct cap_token *t, enum cap_auth_scheme scheme)
{
	cap_token_init(t);
	t->recognised = 1;
	t->no_token = 1;
	t->scheme = scheme;
	if (scheme == CAP_AUTH_BASIC)
		t->mech = CAP_TMECH_BASIC;
}

/* ---- Text input ---- */

static int is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static struct cap_span trim(struct cap_span s)
{
	struct cap_cursor c = cap_cur_from_span(s);
	size_t end;

	while (is_space(cap_cur_peek(&c, 0)))
		(void)cap_cur_u8(&c);
	end = cap_cur_left(&c);
	while (end > 0 && is_space(cap_cur_peek(&c, end - 1)))
		end--;
	return cap_cur_span(&c, end);
}

static void in_err(struct cap_token_input *in, const char *text)
{
	in->status = CAP_MALFORMED;
	snprintf(in->err, sizeof(in->err), "%s", text);
}

/* The first word: up to a space, tab or comma. */
static struct cap_span first_word(struct cap_span s)
{
	struct cap_cursor c = cap_cur_from_span(s);
	size_t n = 0;
	int b;

	while ((b = cap_cur_peek(&c, n)) >= 0 && b != ' ' && b != '\t' && b != ',')
		n++;
	return cap_cur_span(&c, n);
}

static int all_base64ish(struct cap_span s)
{
	struct cap_cursor c = cap_cur_from_span(s);

	while (cap_cur_left(&c) > 0) {
		int b = cap_cur_u8(&c);

		if (!cap_b64_is_alpha(b) && b != '=' && !is_space(b))
			return 0;
	}
	return 1;
}

static int has_byte(struct cap_span s, int ch)
{
	struct cap_cursor c = cap_cur_from_span(s);

	while (cap_cur_left(&c) > 0)
		if (cap_cur_u8(&c) == ch)
			return 1;
	return 0;
}

static enum cap_status parse_value(struct cap_token_input *in, struct cap_span v)
{
	if (cap_authhdr_parse(&in->hdr, in->header, v) == CAP_MALFORMED)
		in_err(in, in->hdr.err);
	return in->status;
}

enum cap_status cap_token_input_parse(struct cap_span text, struct cap_token_input *in)
{
	struct cap_span s = trim(text), v, w;
	enum cap_auth_header which;

	memset(in, 0, sizeof(*in));
	in->status = CAP_OK;
	cap_authhdr_init(&in->hdr);
	if (s.len == 0) {
		in_err(in, "empty input: give a header line, a header value, base64 or hex");
		return in->status;
	}
	if (cap_authhdr_split_line(s, &which, &v)) {
		in->form = CAP_INPUT_HEADER_LINE;
		in->header = which;
		return parse_value(in, v);
	}
	w = first_word(s);
	if (cap_authhdr_scheme_of(w) != CAP_AUTH_OTHER) {
		in->form = CAP_INPUT_HEADER_VALUE;
		return parse_value(in, s);
	}
	if (cap_hex_looks_like(s, CAP_HEX_ALLOW_SEP)) {
		in->form = CAP_INPUT_HEX;
		in->bare = s;
		return in->status;
	}
	if (all_base64ish(s)) {
		in->form = CAP_INPUT_BASE64;
		in->bare = s;
		return in->status;
	}
	if (has_byte(w, ':')) {
		in_err(in, "not an authentication header line (expected Authorization, "
			   "WWW-Authenticate, Proxy-Authenticate or Proxy-Authorization)");
		return in->status;
	}
	if (w.len < s.len) {
		/* "Scheme something": an unknown scheme's header value. */
		in->form = CAP_INPUT_HEADER_VALUE;
		return parse_value(in, s);
	}
	/* One word of other characters: let the base64 decoder say where it goes wrong. */
	in->form = CAP_INPUT_BASE64;
	in->bare = s;
	return in->status;
}

/* The error for a token whose decoded bytes do not fit in cap. */
static void too_big(struct cap_token *t, size_t cap)
{
	char msg[96];

	snprintf(msg, sizeof(msg), "token larger than %zu bytes (cap)", cap);
	tok_err(t, CAP_LIMIT, msg);
	t->over_cap = 1;
}

enum cap_status cap_token_decode_encoded_capped(struct cap_span enc, int is_hex, uint8_t *buf,
						size_t cap, struct cap_token *t,
						const struct cap_der_limits *lim)
{
	size_t n = 0;
	char msg[160];
	enum cap_status st;

	token_reset(t, lim);
	if (cap > CAP_TOKEN_MAX_BYTES_LIMIT)
		cap = CAP_TOKEN_MAX_BYTES_LIMIT;
	if (is_hex) {
		struct cap_hex_err e;

		st = cap_hex_decode(enc, CAP_HEX_ALLOW_SEP, buf, cap, &n, &e);
		if (st == CAP_LIMIT)
			too_big(t, cap);
		if (st != CAP_OK) {
			snprintf(msg, sizeof(msg), "hex: %s", e.msg);
			tok_err(t, CAP_MALFORMED, msg);
			return t->status;
		}
	} else {
		struct cap_b64_err e;

		st = cap_b64_decode(enc, CAP_B64_ALLOW_WS, buf, cap, &n, &e);
		if (st == CAP_LIMIT)
			too_big(t, cap);
		if (st != CAP_OK) {
			snprintf(msg, sizeof(msg), "base64: %s", e.msg);
			tok_err(t, CAP_MALFORMED, msg);
			return t->status;
		}
	}
	return cap_token_decode_capped(cap_span_of(buf, n), t, lim);
}

enum cap_status cap_token_decode_encoded(struct cap_span enc, int is_hex, uint8_t *buf,
					 size_t cap, struct cap_token *t)
{
	return cap_token_decode_encoded_capped(enc, is_hex, buf, cap, t, NULL);
}

static enum cap_status decode_basic(const struct cap_auth_challenge *ch, uint8_t *buf,
				    size_t cap, struct cap_token *t)
{
	struct cap_b64_err e;
	struct cap_cursor c;
	size_t n = 0, i = 0;
	char msg[160];

	cap_token_init(t);
	t->scheme = CAP_AUTH_BASIC;
	t->mech = CAP_TMECH_BASIC;
	t->wrap = CAP_WRAP_BASIC;
	if (cap > CAP_TOKEN_MAX_BYTES_LIMIT)
		cap = CAP_TOKEN_MAX_BYTES_LIMIT;
	if (cap_b64_decode(ch->token68, CAP_B64_ALLOW_WS, buf, cap, &n, &e) != CAP_OK) {
		if (e.status == CAP_LIMIT)
			too_big(t, cap);
		snprintf(msg, sizeof(msg), "Basic credentials: base64: %s", e.msg);
		tok_err(t, CAP_MALFORMED, msg);
		return t->status;
	}
	t->recognised = 1;
	t->raw = cap_span_of(buf, n);
	c = cap_cur_from_span(t->raw);
	while (cap_cur_peek(&c, i) >= 0 && cap_cur_peek(&c, i) != ':')
		i++;
	if (cap_cur_peek(&c, i) != ':') {
		t->basic_user = t->raw;
		tok_err(t, CAP_MALFORMED, "Basic credentials: no ':' between user and password");
		return t->status;
	}
	t->basic_user = cap_cur_span(&c, i);
	(void)cap_cur_u8(&c);
	t->basic_password = cap_cur_rest(&c);
	return t->status;
}

enum cap_status cap_token_decode_challenge(const struct cap_auth_challenge *ch, uint8_t *buf,
					   size_t cap, struct cap_token *t)
{
	return cap_token_decode_challenge_capped(ch, buf, cap, t, NULL);
}

enum cap_status cap_token_decode_challenge_capped(const struct cap_auth_challenge *ch,
						  uint8_t *buf, size_t cap, struct cap_token *t,
						  const struct cap_der_limits *lim)
{
	if (!ch->has_token68) {
		cap_token_set_empty(t, ch->kind);
		return t->status;
	}
	switch (ch->kind) {
	case CAP_AUTH_NEGOTIATE:
	case CAP_AUTH_NTLM:
	case CAP_AUTH_KERBEROS:
		(void)cap_token_decode_encoded_capped(ch->token68, 0, buf, cap, t, lim);
		cap_token_set_scheme(t, ch->kind);
		return t->status;
	case CAP_AUTH_BASIC:
		return decode_basic(ch, buf, cap, t);
	default:
		cap_token_set_empty(t, ch->kind);
		t->no_token = 0;
		t->mech = CAP_TMECH_UNKNOWN;
		return t->status;
	}
}

enum cap_status cap_token_decode_text(struct cap_span text, uint8_t *buf, size_t cap,
				      struct cap_token *t)
{
	return cap_token_decode_text_capped(text, buf, cap, t, NULL);
}

enum cap_status cap_token_decode_text_capped(struct cap_span text, uint8_t *buf, size_t cap,
					     struct cap_token *t, const struct cap_der_limits *lim)
{
	struct cap_token_input local, *in = &local;
	const struct cap_auth_challenge *ch;

	if (cap_token_input_parse(text, in) != CAP_OK) {
		cap_token_init(t);
		tok_err(t, in->status, in->err);
		return t->status;
	}
	if (in->form == CAP_INPUT_BASE64 || in->form == CAP_INPUT_HEX)
		return cap_token_decode_encoded_capped(in->bare, in->form == CAP_INPUT_HEX, buf, cap, t,
						       lim);
	ch = cap_authhdr_find_gss_token(&in->hdr);
	if (ch == NULL)
		ch = &in->hdr.ch[0];
	return cap_token_decode_challenge_capped(ch, buf, cap, t, lim);
}

static const struct cap_tok wrap_names[] = {
	{ CAP_WRAP_NONE, "none" },
	{ CAP_WRAP_RAW, "raw" },
	{ CAP_WRAP_GSS, "gss" },
	{ CAP_WRAP_SPNEGO, "spnego" },
	{ CAP_WRAP_BASIC, "basic" },
	{ 0, NULL },
};

const char *cap_token_wrap_name(enum cap_token_wrap w)
{
	return cap_tok_name(wrap_names, w, "none");
}

static const struct cap_tok tmech_names[] = {
	{ CAP_TMECH_NONE, "none" },
	{ CAP_TMECH_KERBEROS, "kerberos" },
	{ CAP_TMECH_NTLM, "ntlm" },
	{ CAP_TMECH_NEGOEX, "negoex" },
	{ CAP_TMECH_BASIC, "basic" },
	{ CAP_TMECH_UNKNOWN, "unknown" },
	{ 0, NULL },
};

const char *cap_token_mech_name(enum cap_token_mech m)
{
	return cap_tok_name(tmech_names, m, "unknown");
}

static const struct cap_tok input_form_names[] = {
	{ CAP_INPUT_HEADER_LINE, "header_line" },
	{ CAP_INPUT_HEADER_VALUE, "header_value" },
	{ CAP_INPUT_BASE64, "base64" },
	{ CAP_INPUT_HEX, "hex" },
	{ 0, NULL },
};

const char *cap_token_input_form_name(enum cap_token_input_form f)
{
	return cap_tok_name(input_form_names, f, "unknown");
}
