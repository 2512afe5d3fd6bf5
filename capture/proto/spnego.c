/* spnego.c - SPNEGO NegTokenInit/NegTokenInit2/NegTokenResp decoder (RFC 4178 §4.2,
 * MS-SPNG §2.2.1).
 *
 * Fields are read in a loop over the SEQUENCE so that a token cut short keeps every field
 * before the cut (the cut field's bytes are kept too: a partial mechToken still lets the
 * inner decoder report what it saw).  "cut" tracks whether the bytes in hand are a prefix
 * of the declared token: an inner length overrunning a complete parent is malformed, one
 * overrunning a cut parent is truncation.
 */
#include <stdio.h>
#include <string.h>

#include "negscope/der.h"
#include "negscope/gss_token.h"
#include "negscope/spnego.h"
#include "negscope/tok.h"

static void set_err(struct cap_spnego *o, enum cap_status st, const char *where,
		    const char *what)
{
	if (o->status != CAP_OK)
		return;
	o->status = st;
	snprintf(o->err, sizeof(o->err), "SPNEGO %s: %.100s", where, what);
}

/* What a failed DER read means here, in a message's words. */
static const struct cap_tok status_texts[] = {
	{ CAP_TRUNCATED, "cut short" },
	{ CAP_UNSUPPORTED, "indefinite length (BER, not DER)" },
	{ CAP_LIMIT, "a DER limit was hit" },
	{ 0, NULL },
};

static const char *status_text(enum cap_status st)
{
	return cap_tok_name(status_texts, st, "bad encoding");
}

/* The status a failed read inside a container means. */
static enum cap_status inner_status(enum cap_status st, int cut)
{
	if (st == CAP_TRUNCATED && !cut)
		return CAP_MALFORMED;
	return st;
}

/* One TLV, keeping a partial one; returns 1 when d is usable, *cut_out says if partial. */
static int get_tlv(struct cap_der_reader *c, struct cap_der *d, int *cut_out)
{
	memset(d, 0, sizeof(*d));
	if (cap_der_read(c, d)) {
		*cut_out = 0;
		return 1;
	}
	*cut_out = d->partial;
	return d->partial;
}

/* An OCTET STRING, possibly cut. */
static int get_octets(struct cap_der_reader *f, struct cap_span *out, int *cut, enum cap_status *st)
{
	struct cap_der d;
	int c2 = 0;

	if (!get_tlv(f, &d, &c2)) {
		*st = f->cur.status;
		return 0;
	}
	if (d.cls != CAP_DER_UNIVERSAL || d.tag != CAP_DER_TAG_OCTET_STRING || d.constructed) {
		*st = CAP_MALFORMED;
		return 0;
	}
	*out = d.value;
	*cut = c2;
	*st = c2 ? CAP_TRUNCATED : CAP_OK;
	return 1;
}

static void field_fail(struct cap_spnego *o, const struct cap_der_reader *f, int cut,
		       const char *where)
{
	enum cap_status st = inner_status(f->cur.status != CAP_OK ? f->cur.status : CAP_MALFORMED,
					  cut);

	set_err(o, st, where, status_text(st));
}

static void decode_mech_types(struct cap_spnego *o, struct cap_der_reader *f, int cut)
{
	struct cap_der d;
	struct cap_der_reader seq;
	int c2 = 0;

	if (!get_tlv(f, &d, &c2) || d.cls != CAP_DER_UNIVERSAL || d.tag != CAP_DER_TAG_SEQUENCE ||
	    !d.constructed) {
		field_fail(o, f, cut, "mechTypes");
		return;
	}
	seq = cap_der_enter(f, d.value);
	cut = cut || c2;
	while (cap_der_left(&seq) > 0) {
		struct cap_span oid;

		if (!cap_der_oid(&seq, &oid)) {
			field_fail(o, &seq, cut, "mechTypes");
			return;
		}
		o->nmechs_seen++;
		if (o->nmechs < CAP_SPNEGO_MAX_MECHS)
			o->mechs[o->nmechs++] = oid;
		else
			o->anomalies |= CAP_SPNEGO_ANOM_MECH_LIMIT;
	}
	if (c2)
		set_err(o, CAP_TRUNCATED, "mechTypes", "cut short");
}

static void decode_octets_field(struct cap_spnego *o, struct cap_der_reader *f, int cut,
				int *has, struct cap_span *out, const char *where)
{
	enum cap_status st = CAP_OK;
	int c2 = 0;

	if (!get_octets(f, out, &c2, &st)) {
		st = inner_status(st != CAP_OK ? st : CAP_MALFORMED, cut);
		set_err(o, st, where, status_text(st));
		return;
	}
	*has = 1;
	if (c2)
		set_err(o, CAP_TRUNCATED, where, "cut short");
}

static void decode_neg_hints(struct cap_spnego *o, struct cap_der_reader *f, int cut)
{
	struct cap_der d;
	struct cap_der_reader seq, h;
	int c2 = 0;

	if (!get_tlv(f, &d, &c2) || d.tag != CAP_DER_TAG_SEQUENCE) {
		field_fail(o, f, cut, "negHints");
		return;
	}
	o->is_init2 = 1;
	seq = cap_der_enter(f, d.value);
	if (cap_der_ctx_opt(&seq, 0, &h)) {
		if (cap_der_string(&h, &o->hint_name, NULL))
			o->has_hint_name = 1;
		else
			field_fail(o, &h, cut || c2, "negHints hintName");
	}
	if (cap_der_ctx_opt(&seq, 1, &h)) {
		if (cap_der_octets(&h, &o->hint_address))
			o->has_hint_address = 1;
		else
			field_fail(o, &h, cut || c2, "negHints hintAddress");
	}
	if (!cap_der_ok(&seq))
		field_fail(o, &seq, cut || c2, "negHints");
	else if (c2)
		set_err(o, CAP_TRUNCATED, "negHints", "cut short");
}

static void decode_init_field(struct cap_spnego *o, uint32_t tag, struct cap_der_reader *f, int cut)
{
	int peek;

	switch (tag) {
	case 0:
		decode_mech_types(o, f, cut);
		break;
	case 1:
		if (cap_der_bits32(f, &o->req_flags, NULL))
			o->has_req_flags = 1;
		else
			field_fail(o, f, cut, "reqFlags");
		break;
	case 2:
		decode_octets_field(o, f, cut, &o->has_mech_token, &o->mech_token, "mechToken");
		break;
	case 3:
		/* RFC 4178 puts mechListMIC here; MS-SPNG NegTokenInit2 puts negHints. */
		peek = cap_cur_peek(&f->cur, 0);
		if (peek == 0x30)
			decode_neg_hints(o, f, cut);
		else
			decode_octets_field(o, f, cut, &o->has_mic, &o->mech_list_mic,
					    "mechListMIC");
		break;
	case 4:
		decode_octets_field(o, f, cut, &o->has_mic, &o->mech_list_mic, "mechListMIC");
		break;
	default:
		o->anomalies |= CAP_SPNEGO_ANOM_UNKNOWN_FIELD;
		break;
	}
}

static void decode_resp_field(struct cap_spnego *o, uint32_t tag, struct cap_der_reader *f, int cut)
{
	int64_t v = 0;

	switch (tag) {
	case 0:
		if (cap_der_enumerated(f, &v) && v >= 0 && v <= 255) {
			o->neg_state = (int)v;
		} else if (cap_der_ok(f)) {
			set_err(o, CAP_MALFORMED, "negState", "value out of range");
		} else {
			field_fail(o, f, cut, "negState");
		}
		break;
	case 1:
		if (cap_der_oid(f, &o->supported_mech))
			o->has_supported_mech = 1;
		else
			field_fail(o, f, cut, "supportedMech");
		break;
	case 2:
		decode_octets_field(o, f, cut, &o->has_response_token, &o->response_token,
				    "responseToken");
		break;
	case 3:
		decode_octets_field(o, f, cut, &o->has_mic, &o->mech_list_mic, "mechListMIC");
		break;
	default:
		o->anomalies |= CAP_SPNEGO_ANOM_UNKNOWN_FIELD;
		break;
	}
}

/* The fields of NegTokenInit(2) or NegTokenResp: a SEQUENCE of [n] EXPLICIT. */
static void decode_fields(struct cap_spnego *o, struct cap_der_reader *seq, int cut)
{
	const char *where = o->kind == CAP_SPNEGO_INIT ? "NegTokenInit" : "NegTokenResp";

	while (cap_der_left(seq) > 0 && o->status == CAP_OK) {
		struct cap_der d;
		struct cap_der_reader f;
		int c2 = 0;

		if (!get_tlv(seq, &d, &c2)) {
			enum cap_status st = inner_status(seq->cur.status, cut);

			set_err(o, st, where, status_text(st));
			return;
		}
		if (d.cls != CAP_DER_CONTEXT || !d.constructed) {
			set_err(o, CAP_MALFORMED, where, "expected a context-tagged [n] field");
			return;
		}
		f = cap_der_enter(seq, d.value);
		if (o->kind == CAP_SPNEGO_INIT)
			decode_init_field(o, d.tag, &f, cut || c2);
		else
			decode_resp_field(o, d.tag, &f, cut || c2);
		if (c2)
			set_err(o, CAP_TRUNCATED, where, "cut short");
	}
}

int cap_spnego_detect(struct cap_span in)
{
	struct cap_cursor c = cap_cur_from_span(in);
	int b0 = cap_cur_peek(&c, 0);
	struct cap_gss_token g;
	struct cap_der d;

	if (b0 == 0x60) {
		(void)cap_gss_unwrap(in, &g);
		return g.mech == CAP_MECH_SPNEGO;
	}
	if (b0 != 0xa0 && b0 != 0xa1)
		return 0;
	memset(&d, 0, sizeof(d));
	if (!cap_der_get(&c, &d) && !d.partial)
		return 0;
	c = cap_cur_from_span(d.value);
	return cap_cur_peek(&c, 0) == 0x30;
}

static void spnego_decode(struct cap_span in, struct cap_spnego *out, struct cap_der_budget *b);

enum cap_status cap_spnego_decode(struct cap_span in, struct cap_spnego *out)
{
	struct cap_der_budget b;

	cap_der_budget_init(&b, NULL);
	return cap_spnego_decode_capped(in, out, &b);
}

enum cap_status cap_spnego_decode_capped(struct cap_span in, struct cap_spnego *out,
					 struct cap_der_budget *b)
{
	char why[96];

	spnego_decode(in, out, b);
	if (cap_der_budget_text(b, why, sizeof(why)) != NULL) {
		out->status = CAP_OK; /* the cap, not what it caused, is the error to tell */
		set_err(out, CAP_LIMIT, "token", why);
	}
	return out->status;
}

static void spnego_decode(struct cap_span in, struct cap_spnego *out, struct cap_der_budget *b)
{
	struct cap_der_reader c = cap_der_reader(in, b), body, seq;
	struct cap_gss_token g;
	struct cap_der d;
	int cut = 0, c2 = 0;

	memset(out, 0, sizeof(*out));
	out->neg_state = -1;
	out->status = CAP_OK;
	if (in.len == 0) {
		set_err(out, CAP_TRUNCATED, "token", "empty");
		return;
	}
	if (cap_gss_is_framed(in)) {
		(void)cap_gss_unwrap(in, &g);
		if (g.mech_oid.len == 0) {
			set_err(out, g.status == CAP_OK ? CAP_MALFORMED : g.status, "token", g.err);
			return;
		}
		if (g.mech != CAP_MECH_SPNEGO) {
			set_err(out, CAP_MALFORMED, "token", "GSS framing for another mechanism");
			return;
		}
		out->framed = 1;
		cut = g.status == CAP_TRUNCATED;
		body = cap_der_enter(&c, g.inner);
		if (g.status != CAP_OK && !cut) {
			set_err(out, g.status, "token", g.err);
			return;
		}
	} else {
		body = c;
	}
	if (!get_tlv(&body, &d, &c2)) {
		enum cap_status st = inner_status(body.cur.status, cut || !out->framed);

		set_err(out, st, "NegotiationToken", status_text(st));
		return;
	}
	if (d.cls != CAP_DER_CONTEXT || !d.constructed || d.tag > 1) {
		set_err(out, CAP_MALFORMED, "NegotiationToken",
			"neither negTokenInit [0] nor negTokenResp [1]");
		return;
	}
	out->kind = d.tag == 0 ? CAP_SPNEGO_INIT : CAP_SPNEGO_RESP;
	if (out->kind == CAP_SPNEGO_INIT && !out->framed)
		out->anomalies |= CAP_SPNEGO_ANOM_UNFRAMED_INIT;
	if (cap_der_left(&body) > 0)
		out->anomalies |= CAP_SPNEGO_ANOM_TRAILING;
	cut = cut || c2;
	seq = cap_der_enter(&body, d.value);
	if (!get_tlv(&seq, &d, &c2) || d.cls != CAP_DER_UNIVERSAL ||
	    d.tag != CAP_DER_TAG_SEQUENCE || !d.constructed) {
		enum cap_status st = seq.cur.status != CAP_OK ? inner_status(seq.cur.status, cut)
							  : CAP_MALFORMED;

		set_err(out, st, out->kind == CAP_SPNEGO_INIT ? "NegTokenInit" : "NegTokenResp",
			st == CAP_MALFORMED ? "not a SEQUENCE" : status_text(st));
		return;
	}
	if (cap_der_left(&seq) > 0)
		out->anomalies |= CAP_SPNEGO_ANOM_TRAILING;
	seq = cap_der_enter(&seq, d.value);
	decode_fields(out, &seq, cut || c2);
	if (out->status == CAP_OK && (cut || c2))
		set_err(out, CAP_TRUNCATED, "token", "cut short");
	return;
}

/* RFC 4178 §4.2.2 negState. */
static const struct cap_tok neg_state_names[] = {
	{ CAP_NEG_ACCEPT_COMPLETED, "accept-completed" },
	{ CAP_NEG_ACCEPT_INCOMPLETE, "accept-incomplete" },
	{ CAP_NEG_REJECT, "reject" },
	{ CAP_NEG_REQUEST_MIC, "request-mic" },
	{ 0, NULL },
};

const char *cap_spnego_neg_state_name(int neg_state)
{
	return cap_tok_name(neg_state_names, neg_state, "unknown");
}

static const struct cap_tok kind_names[] = {
	{ CAP_SPNEGO_INIT, "init" },
	{ CAP_SPNEGO_RESP, "resp" },
	{ CAP_SPNEGO_NONE, "none" },
	{ 0, NULL },
};

const char *cap_spnego_kind_name(enum cap_spnego_kind k)
{
	return cap_tok_name(kind_names, k, "none");
}

/* RFC 4178 §4.2.1 ContextFlags. */
static const struct cap_tok req_flag_names[] = {
	{ CAP_SPNEGO_REQ_DELEG, "deleg" },
	{ CAP_SPNEGO_REQ_MUTUAL, "mutual" },
	{ CAP_SPNEGO_REQ_REPLAY, "replay" },
	{ CAP_SPNEGO_REQ_SEQUENCE, "sequence" },
	{ CAP_SPNEGO_REQ_ANON, "anon" },
	{ CAP_SPNEGO_REQ_CONF, "conf" },
	{ CAP_SPNEGO_REQ_INTEG, "integ" },
	{ 0, NULL },
};

const char *cap_spnego_req_flag_name(uint32_t bit)
{
	return cap_tok_name(req_flag_names, bit, NULL);
}

static const struct cap_tok spnego_anomaly_names[] = {
	{ CAP_SPNEGO_ANOM_UNFRAMED_INIT, "spnego_unframed_init" },
	{ CAP_SPNEGO_ANOM_MECH_LIMIT, "spnego_mech_limit" },
	{ CAP_SPNEGO_ANOM_UNKNOWN_FIELD, "spnego_unknown_field" },
	{ CAP_SPNEGO_ANOM_TRAILING, "spnego_trailing_data" },
	{ 0, NULL },
};

const char *cap_spnego_anomaly_name(unsigned bit)
{
	return cap_tok_name(spnego_anomaly_names, bit, NULL);
}
