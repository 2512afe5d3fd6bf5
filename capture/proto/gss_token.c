/* gss_token.c - GSS-API InitialContextToken framing and mechanism OIDs (RFC 2743 §3.1,
 * RFC 4121 §4.1). */
#include <stdio.h>

#include "negscope/der.h"
#include "negscope/gss_token.h"
#include "negscope/tok.h"

struct mech_row {
	enum cap_gss_mech mech;
	const char *oid;
	const char *name;
	const char *id;
};

static const struct mech_row mechs[] = {
	{ CAP_MECH_SPNEGO, "1.3.6.1.5.5.2", "SPNEGO", "spnego" },
	{ CAP_MECH_KRB5, "1.2.840.113554.1.2.2", "Kerberos 5", "krb5" },
	{ CAP_MECH_KRB5_MS, "1.2.840.48018.1.2.2", "Kerberos 5 (MS legacy OID)", "krb5_ms" },
	{ CAP_MECH_KRB5_U2U, "1.2.840.113554.1.2.2.3", "Kerberos 5 user-to-user", "krb5_u2u" },
	{ CAP_MECH_IAKERB, "1.3.6.1.5.2.5", "IAKERB", "iakerb" },
	{ CAP_MECH_NTLMSSP, "1.3.6.1.4.1.311.2.2.10", "NTLMSSP", "ntlmssp" },
	{ CAP_MECH_NEGOEX, "1.3.6.1.4.1.311.2.2.30", "NEGOEX", "negoex" },
	{ CAP_MECH_UNKNOWN, NULL, NULL, NULL }
};

static const struct mech_row *row_of(enum cap_gss_mech m)
{
	size_t i;

	for (i = 0; mechs[i].oid != NULL; i++)
		if (mechs[i].mech == m)
			return &mechs[i];
	return NULL;
}

enum cap_gss_mech cap_gss_mech_of(struct cap_span oid)
{
	size_t i;

	for (i = 0; mechs[i].oid != NULL; i++)
		if (cap_der_oid_eq(oid, mechs[i].oid))
			return mechs[i].mech;
	return CAP_MECH_UNKNOWN;
}

const char *cap_gss_mech_name(enum cap_gss_mech m)
{
	const struct mech_row *r = row_of(m);

	return r != NULL ? r->name : "unknown";
}

const char *cap_gss_mech_id(enum cap_gss_mech m)
{
	const struct mech_row *r = row_of(m);

	return r != NULL ? r->id : "unknown";
}

const char *cap_gss_mech_oid(enum cap_gss_mech m)
{
	const struct mech_row *r = row_of(m);

	return r != NULL ? r->oid : NULL;
}

int cap_gss_mech_is_krb5(enum cap_gss_mech m)
{
	return m == CAP_MECH_KRB5 || m == CAP_MECH_KRB5_MS || m == CAP_MECH_KRB5_U2U;
}

/* krb5 GSS TOK_IDs: RFC 4121 §4.1 and §4.2.6, RFC 1964 §1.2, draft-ietf-kitten-iakerb,
 * draft-swift-win2k-krb-user2user. */
static const struct cap_tok tok_id_names[] = {
	{ CAP_GSS_TOK_AP_REQ, "AP-REQ" },
	{ CAP_GSS_TOK_AP_REP, "AP-REP" },
	{ CAP_GSS_TOK_KRB_ERROR, "KRB-ERROR" },
	{ 0x0404, "MIC" },
	{ 0x0504, "Wrap" },
	{ 0x0101, "MIC (RFC 1964)" },
	{ 0x0201, "Wrap (RFC 1964)" },
	{ 0x0102, "delete-context (RFC 1964)" },
	{ CAP_GSS_TOK_IAKERB_PROXY, "IAKERB-PROXY" },
	{ 0x0401, "TGT-REQ (user-to-user)" },
	{ 0x0411, "TGT-REP (user-to-user)" },
	{ 0, NULL },
};

const char *cap_gss_tok_id_name(uint16_t tok_id)
{
	return cap_tok_name(tok_id_names, tok_id, NULL);
}

int cap_gss_tok_id_krb_type(uint16_t tok_id)
{
	switch (tok_id) {
	case CAP_GSS_TOK_AP_REQ: return 14;
	case CAP_GSS_TOK_AP_REP: return 15;
	case CAP_GSS_TOK_KRB_ERROR: return 30;
	}
	return 0;
}

static const struct cap_tok gss_anomaly_names[] = {
	{ CAP_GSS_ANOM_TOKID_MISMATCH, "gss_tok_id_mismatch" },
	{ CAP_GSS_ANOM_TRAILING, "gss_trailing_data" },
	{ 0, NULL },
};

const char *cap_gss_anomaly_name(unsigned bit)
{
	return cap_tok_name(gss_anomaly_names, bit, NULL);
}

int cap_gss_is_framed(struct cap_span in)
{
	struct cap_cursor c = cap_cur_from_span(in);

	return cap_cur_peek(&c, 0) == 0x60;
}

static void set_err(struct cap_gss_token *t, enum cap_status st, const char *text)
{
	if (t->status != CAP_OK)
		return;
	t->status = st;
	snprintf(t->err, sizeof(t->err), "GSS token: %s", text);
}

enum cap_status cap_gss_unwrap(struct cap_span in, struct cap_gss_token *out)
{
	struct cap_der_reader c = cap_der_reader(in, NULL), body;
	struct cap_cursor rest;
	struct cap_der oid;

	out->mech_oid = cap_span_of(NULL, 0);
	out->mech = CAP_MECH_UNKNOWN;
	out->inner = cap_span_of(NULL, 0);
	out->has_tok_id = 0;
	out->tok_id = 0;
	out->anomalies = 0;
	out->status = CAP_OK;
	out->err[0] = '\0';
	if (in.len == 0) {
		set_err(out, CAP_TRUNCATED, "empty token");
		return out->status;
	}
	if (!cap_gss_is_framed(in)) {
		set_err(out, CAP_MALFORMED, "no InitialContextToken framing (0x60)");
		return out->status;
	}
	if (!cap_der_expect(&c, CAP_DER_APPLICATION, 1, 0, &body)) {
		set_err(out, c.cur.status != CAP_OK ? c.cur.status : CAP_MALFORMED,
			c.cur.status == CAP_TRUNCATED ? "cut short in the [APPLICATION 0] header"
						  : "bad [APPLICATION 0] length");
		return out->status;
	}
	if (!cap_der_read(&body, &oid) || oid.cls != CAP_DER_UNIVERSAL ||
	    oid.tag != CAP_DER_TAG_OID || oid.constructed) {
		if (body.cur.status == CAP_TRUNCATED ||
		    (!cap_der_ok(&c) && cap_der_left(&body) == 0))
			set_err(out, CAP_TRUNCATED,
				"cut short before the end of the mechanism OID");
		else
			set_err(out, CAP_MALFORMED, "thisMech is not an OBJECT IDENTIFIER");
		return out->status;
	}
	out->mech_oid = oid.value;
	out->mech = cap_gss_mech_of(oid.value);
	rest = body.cur;
	if (cap_gss_mech_is_krb5(out->mech) || out->mech == CAP_MECH_IAKERB) {
		if (cap_cur_left(&rest) >= 2) {
			out->tok_id = cap_cur_be16(&rest);
			out->has_tok_id = 1;
		} else {
			set_err(out, CAP_TRUNCATED, "cut short before the krb5 TOK_ID");
		}
	}
	out->inner = cap_cur_rest(&rest);
	/* The outer length ran past the captured bytes: inner is only what is there. */
	if (!cap_der_ok(&c))
		set_err(out, c.cur.status,
			c.cur.status == CAP_TRUNCATED
			? "cut short (the [APPLICATION 0] length runs past the end)"
			: "bad framing");
	else if (cap_der_left(&c) > 0)
		out->anomalies |= CAP_GSS_ANOM_TRAILING;
	return out->status;
}
