/* classify.c - one-line human summary of a decoded HTTP auth token (what the wire says,
 * in the words an engineer uses: RFC 4178 negState, RFC 4120 names, MS-NLMP types). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "negscope/classify.h"
#include "negscope/dynbuf.h"
#include "negscope/tok.h"

static void add(struct cap_dynbuf *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A summary longer than the caller's array is cut at its end: one line stays readable. */
static void add(struct cap_dynbuf *o, const char *fmt, ...)
{
	enum cap_dyn_err e;
	va_list ap;

	va_start(ap, fmt);
	e = cap_dynbuf_vaddf(o, fmt, ap);
	va_end(ap);
	(void)e; /* cut: cap_dynbuf_hit() says so, and the text so far stands */
}

/* Up to max bytes of s, with anything outside printable ASCII as '?'. */
static void add_printable(struct cap_dynbuf *o, struct cap_span s, size_t max)
{
	struct cap_cursor c = cap_cur_from_span(s);
	size_t n = 0;

	while (cap_cur_left(&c) > 0 && n++ < max) {
		int b = cap_cur_u8(&c);

		add(o, "%c", b >= 0x20 && b < 0x7f ? b : '?');
	}
}

/* The short etype names of a one-line summary; others take RFC 3961's (kerberos_names.c). */
static const struct cap_tok short_etypes[] = {
	{ 1, "des-cbc-crc" },
	{ 3, "des-cbc-md5" },
	{ 17, "aes128-cts" },
	{ 18, "aes256-cts" },
	{ 19, "aes128-cts-sha256" },
	{ 20, "aes256-cts-sha384" },
	{ 23, "rc4-hmac" },
	{ 24, "rc4-hmac-exp" },
	{ 0, NULL },
};

const char *cap_classify_etype(int etype, char *buf, size_t cap)
{
	const char *n = cap_tok_name(short_etypes, etype, NULL);

	if (n != NULL)
		return n;
	n = cap_krb_etype_name(etype);
	if (n != NULL)
		return n;
	snprintf(buf, cap, "etype %d", etype);
	return buf;
}

static void add_krb(struct cap_dynbuf *o, const struct cap_token *t)
{
	const char *name = cap_krb_msg_type_name(t->krb_msg_type);
	char eb[32];

	switch (t->krb_msg_type) {
	case CAP_KRB_AP_REQ:
		add(o, "Kerberos AP-REQ");
		if (t->sname[0] != '\0')
			add(o, " for %s%s%s", t->sname, t->realm[0] ? "@" : "", t->realm);
		if (t->etype >= 0) {
			add(o, " (%s", cap_classify_etype(t->etype, eb, sizeof(eb)));
			if (t->kvno >= 0)
				add(o, ", kvno %d", t->kvno);
			add(o, ", %s)", t->mutual ? "mutual" : "no mutual");
		}
		break;
	case CAP_KRB_AP_REP:
		add(o, "Kerberos AP-REP (mutual authentication reply)");
		break;
	case CAP_KRB_ERROR:
		if (t->error_name != NULL)
			add(o, "KRB-ERROR %s", t->error_name);
		else if (t->error_code >= 0)
			add(o, "KRB-ERROR code %d", t->error_code);
		else
			add(o, "KRB-ERROR");
		break;
	default:
		add(o, "Kerberos %s", name != NULL ? name : "message");
		if (t->krb.req.present && t->krb.req.sname.present) {
			char sn[256], rl[128];

			(void)cap_krb_principal_str(&t->krb.req.sname, sn, sizeof(sn));
			(void)cap_krb_span_str(t->krb.req.realm, rl, sizeof(rl));
			add(o, " for %s%s%s", sn, rl[0] ? "@" : "", rl);
		}
		break;
	}
}

static void add_ntlm(struct cap_dynbuf *o, const struct cap_token *t)
{
	add(o, "NTLM %s", cap_ntlm_type_name((uint32_t)t->ntlm_type));
	switch (t->ntlm_type) {
	case CAP_NTLM_NEGOTIATE:
		if (t->domain[0] || t->workstation[0])
			add(o, " from %s%s%s", t->domain, t->domain[0] && t->workstation[0] ? "\\" : "",
			    t->workstation);
		break;
	case CAP_NTLM_CHALLENGE:
		if (t->ntlm_target[0])
			add(o, " from %s", t->ntlm_target);
		break;
	case CAP_NTLM_AUTHENTICATE:
		if (t->ntlm_auth == CAP_NTLM_AUTH_ANONYMOUS) {
			add(o, " anonymous");
		} else {
			add(o, " %s%s%s", t->domain, t->domain[0] ? "\\" : "", t->user);
			if (t->workstation[0])
				add(o, " from %s", t->workstation);
			add(o, " (%s%s", cap_ntlm_auth_kind_name(t->ntlm_auth),
			    t->ntlm_mic ? ", MIC" : "");
			if (t->target_spn[0])
				add(o, ", for %s", t->target_spn);
			add(o, ")");
		}
		break;
	default:
		break;
	}
}

static void add_inner(struct cap_dynbuf *o, const struct cap_token *t)
{
	if (t->has_krb && t->krb_msg_type != 0)
		add_krb(o, t);
	else if (t->has_ntlm && t->ntlm_type != 0)
		add_ntlm(o, t);
	else if (t->mech == CAP_TMECH_NEGOEX)
		add(o, "NEGOEX");
	else if (t->has_gss && t->gss_mech == CAP_MECH_IAKERB)
		add(o, "IAKERB");
	else if (t->has_krb)
		add(o, "Kerberos (undecoded)");
	else if (t->has_ntlm)
		add(o, "NTLM (undecoded)");
	else
		add(o, "unrecognised mechanism token");
}

static void add_spnego(struct cap_dynbuf *o, const struct cap_token *t)
{
	const struct cap_spnego *sp = &t->sp;
	size_t i;

	if (t->spnego_init)
		add(o, "SPNEGO init%s", sp->is_init2 ? "2" : "");
	else if (t->spnego_resp && t->neg_state >= 0)
		add(o, "SPNEGO resp %s", cap_spnego_neg_state_name(t->neg_state));
	else
		add(o, "SPNEGO resp");
	if (t->has_inner && t->inner.len > 0) {
		add(o, " → ");
		add_inner(o, t);
		return;
	}
	if (t->spnego_init && sp->nmechs > 0) {
		add(o, " (no mechToken; mechs:");
		for (i = 0; i < sp->nmechs; i++)
			add(o, " %s", cap_gss_mech_id(cap_gss_mech_of(sp->mechs[i])));
		add(o, ")");
	} else if (sp->has_supported_mech) {
		add(o, " (%s%s)", cap_gss_mech_name(cap_gss_mech_of(sp->supported_mech)),
		    sp->has_mic ? ", mechListMIC" : "");
	} else if (sp->has_mic) {
		add(o, " (mechListMIC)");
	}
}

static void add_scheme_note(struct cap_dynbuf *o, const struct cap_token *t, int raw)
{
	if (t->is_ntlm_in_negotiate)
		add(o, raw ? " (raw, inside Negotiate: NTLM fallback)"
			   : " (inside Negotiate: NTLM fallback)");
	else if (raw && t->mech == CAP_TMECH_NTLM)
		add(o, " (raw)");
	else if (raw && t->mech == CAP_TMECH_KERBEROS)
		add(o, " (bare, no GSS framing)");
}

size_t cap_classify(const struct cap_token *t, char *outbuf, size_t cap)
{
	struct cap_dynbuf o;

	cap_dynbuf_init_fixed(&o, outbuf, cap);
	if (t->no_token) {
		add(&o, "%s (no token)", cap_auth_scheme_name(t->scheme));
		return cap_dynbuf_len(&o);
	}
	if (!t->recognised) {
		add(&o, "undecodable: %s", t->err[0] ? t->err : "unknown format");
		return cap_dynbuf_len(&o);
	}
	switch (t->wrap) {
	case CAP_WRAP_SPNEGO:
		add_spnego(&o, t);
		add_scheme_note(&o, t, 0);
		break;
	case CAP_WRAP_GSS:
		add(&o, "GSS %s → ", cap_gss_mech_id(t->gss_mech));
		add_inner(&o, t);
		break;
	case CAP_WRAP_RAW:
		add_inner(&o, t);
		add_scheme_note(&o, t, 1);
		break;
	case CAP_WRAP_BASIC:
		add(&o, "Basic credentials for user \"");
		add_printable(&o, t->basic_user, 64);
		add(&o, "\" (password %zu bytes)", t->basic_password.len);
		break;
	case CAP_WRAP_NONE:
		add(&o, "%s token (not decoded)", cap_auth_scheme_name(t->scheme));
		break;
	}
	if (t->status != CAP_OK)
		add(&o, " [%s: %s]", cap_status_name(t->status), t->err);
	return cap_dynbuf_len(&o);
}
