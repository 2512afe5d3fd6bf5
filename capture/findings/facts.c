/* facts.c - the decoding step: pipeline events -> facts, through the decoders.
 *
 * HTTP auth headers (RFC 7235, RFC 4559) go through authhdr.h and token.h (SPNEGO,
 * GSS krb5, NTLMSSP, Kerberos); Kerberos PDUs on port 88 through krb5.h (RFC 4120).
 * This is the only analysis module that sees bytes; the rules see the facts it fills.
 * Secrets (NTLM responses, Basic passwords, encrypted parts) are never copied out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "negscope/analysis.h"
#include "negscope/authhdr.h"
#include "negscope/b64.h"
#include "negscope/krb5.h"
#include "negscope/token.h"
#include "findings/txt.h"

/* Copies a span as printable text (other bytes become '?'), cut to fit. */
static void span_text(struct cap_span s, char *out, size_t cap)
{
	size_t n = 0;

	if (cap == 0)
		return;
	for (size_t i = 0; s.p != NULL && i < s.len && n + 1 < cap; i++) {
		uint8_t c = s.p[i];
		out[n++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	out[n] = '\0';
}

/* Case-insensitive comparison with a literal of n bytes (callers pass sizeof - 1:
 * this runs for every header of every message). */
static int span_ieq(struct cap_span s, const char *lit, size_t n)
{
	if (s.len != n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char a = (char)s.p[i], b = lit[i];
		if (a >= 'A' && a <= 'Z')
			a = (char)(a - 'A' + 'a');
		if (b >= 'A' && b <= 'Z')
			b = (char)(b - 'A' + 'a');
		if (a != b)
			return 0;
	}
	return 1;
}

static void auth_from_token(const struct cap_token *t, struct cap_auth_fact *f)
{
	if (t->no_token) {
		f->kind = CAP_TOKEN_NONE;
	} else if (!t->recognised) {
		f->kind = CAP_TOKEN_UNDECODABLE;
		txt_copy(f->error, sizeof(f->error), t->err[0] ? t->err : "not recognised");
	} else {
		f->spnego = t->spnego != 0;
		f->spnego_init = t->spnego_init != 0;
		f->wrap = t->wrap;
		f->mech = t->mech;
		f->neg_state = t->neg_state;
		f->deleg_requested = t->deleg_requested != 0;
		if (t->has_ntlm && t->ntlm_type != 0) {
			f->kind = CAP_TOKEN_NTLM;
			f->ntlm_type = t->ntlm_type;
			txt_copy(f->ntlm_target, sizeof(f->ntlm_target), t->ntlm_target);
			if (t->ntlm_type == CAP_NTLM_AUTHENTICATE) {
				const struct cap_ntlm_avlist *av = &t->ntlm.client_av;

				f->ntlm_v2 = t->ntlm_auth == CAP_NTLM_AUTH_NTLMV2;
				f->ntlm_cb_present = av->has_channel_bindings != 0;
				f->ntlm_cb_zero = av->channel_bindings_zero != 0;
				memcpy(f->ntlm_cb, av->channel_bindings, sizeof(f->ntlm_cb));
			}
			if (t->user[0] != '\0')
				txt_fmt(f->user, sizeof(f->user), "%s%s%s", t->domain,
					 t->domain[0] ? "\\" : "", t->user);
		} else if (t->krb_msg_type == CAP_KRB_AP_REQ) {
			f->kind = CAP_TOKEN_KRB_AP_REQ;
			txt_copy(f->sname, sizeof(f->sname), t->sname);
			txt_copy(f->realm, sizeof(f->realm), t->realm);
			f->kvno = t->kvno;
			f->etype = t->etype;
			f->mutual_required = t->mutual != 0;
		} else if (t->krb_msg_type == CAP_KRB_AP_REP) {
			f->kind = CAP_TOKEN_KRB_AP_REP;
		} else if (t->krb_msg_type == CAP_KRB_ERROR) {
			f->kind = CAP_TOKEN_KRB_ERROR;
			f->error_code = t->error_code;
			if (t->error_name != NULL)
				txt_copy(f->error_name, sizeof(f->error_name), t->error_name);
			else
				txt_fmt(f->error_name, sizeof(f->error_name), "KRB_ERR_%d",
					 t->error_code);
		} else if (t->spnego) {
			f->kind = CAP_TOKEN_SPNEGO;
		} else {
			f->kind = CAP_TOKEN_OTHER;
			if (t->wrap == CAP_WRAP_BASIC)
				span_text(t->basic_user, f->user, sizeof(f->user));
		}
		if (t->status != CAP_OK && f->kind == CAP_TOKEN_OTHER) {
			f->kind = CAP_TOKEN_UNDECODABLE;
			txt_copy(f->error, sizeof(f->error), t->err);
		}
	}
}

static struct cap_der_limits der_limits(const struct cap_decode_limits *lim)
{
	struct cap_der_limits l = {0, 0}; /* 0: the defaults (cap_der_budget_init) */

	if (lim != NULL) {
		l.max_depth = lim->max_der_depth > CAP_DER_MAX_DEPTH_LIMIT ? CAP_DER_MAX_DEPTH_LIMIT
									    : (unsigned)lim->max_der_depth;
		l.max_elems = lim->max_der_elems > CAP_DER_MAX_ELEMS_LIMIT ? CAP_DER_MAX_ELEMS_LIMIT
									   : (unsigned)lim->max_der_elems;
	}
	return l;
}

static size_t token_cap(const struct cap_decode_limits *lim)
{
	if (lim == NULL || lim->max_token == 0)
		return CAP_TOKEN_MAX_BYTES;
	return lim->max_token < CAP_TOKEN_MAX_BYTES_LIMIT ? lim->max_token
							  : CAP_TOKEN_MAX_BYTES_LIMIT;
}

/* CAP_FACT_HIT_* for the DER caps a decode hit. */
static unsigned der_hits(unsigned der_hit)
{
	return ((der_hit & CAP_DER_HIT_DEPTH) ? CAP_FACT_HIT_DER_DEPTH : 0u) |
	       ((der_hit & CAP_DER_HIT_ELEMS) ? CAP_FACT_HIT_DER_ELEMS : 0u);
}

/* Decodes one challenge or credentials into *f (token decoded on the heap: tokens can
 * be large, and struct cap_token is several KiB). */
/* With server keys: the AP-REQ's ticket and authenticator, or the AP-REP's check, through
 * krbkeys.h (the session key stays in the keyset, remembered under the connection). */
static void try_keys(const struct cap_token *t, const struct cap_decode_limits *lim,
		     uint64_t context, struct cap_auth_fact *f)
{
	if (lim == NULL || lim->keys == NULL || !t->has_krb)
		return;
	if (t->krb_msg_type == CAP_KRB_AP_REQ && t->krb.ap_req.present)
		cap_krb_keys_ap_req(lim->keys, &t->krb.ap_req, context, &f->ticket);
	else if (t->krb_msg_type == CAP_KRB_AP_REP)
		f->ap_rep = (int)cap_krb_keys_ap_rep(lim->keys, &t->krb.ap_rep, context);
}

static void decode_challenge(const struct cap_auth_challenge *ch, bool proxy,
			     const struct cap_decode_limits *lim, uint64_t context,
			     struct cap_auth_fact *f)
{
	struct cap_token *t = malloc(sizeof(*t));
	size_t bufcap = ch->has_token68 ? cap_b64_decoded_max(ch->token68.len) : 1;
	struct cap_der_limits dl = der_limits(lim);
	uint8_t *buf;

	f->scheme = ch->kind;
	f->proxy = proxy;
	/* A buffer of the cap exactly: a larger token decodes to CAP_LIMIT, "too big". */
	if (bufcap > token_cap(lim))
		bufcap = token_cap(lim);
	if (bufcap == 0)
		bufcap = 1;
	buf = malloc(bufcap);
	if (t == NULL || buf == NULL) {
		f->kind = CAP_TOKEN_UNDECODABLE;
		txt_fmt(f->error, sizeof(f->error), "out of memory");
		free(t);
		free(buf);
		return;
	}
	cap_token_init(t);
	cap_token_decode_challenge_capped(ch, buf, bufcap, t, &dl);
	auth_from_token(t, f);
	try_keys(t, lim, context, f);
	f->caps_hit |= der_hits(t->der.hit) | (t->over_cap ? CAP_FACT_HIT_TOKEN : 0u);
	/* Basic passwords are secret: nothing of them leaves here. */
	free(t);
	free(buf);
}

/* The challenges as typed records: scheme, token length, first parameter. */
static void challenge_facts(const struct cap_authhdr *h, struct cap_http_fact *out)
{
	for (size_t i = 0; i < h->n && out->nchallenges < CAP_FACT_CHALLENGES_MAX; i++) {
		const struct cap_auth_challenge *ch = &h->ch[i];
		struct cap_challenge_fact *c = &out->challenge[out->nchallenges++];

		c->scheme = ch->kind;
		span_text(ch->scheme, c->name, sizeof(c->name));
		c->has_token = ch->has_token68 != 0;
		c->token_chars = (uint32_t)ch->token68.len;
		c->nparams = (unsigned)ch->nparams;
		if (ch->nparams > 0) {
			span_text(ch->params[0].name, c->param, sizeof(c->param));
			span_text(ch->params[0].value, c->value, sizeof(c->value));
		}
	}
}

static void facts_auth(struct cap_span value, bool proxy, const struct cap_decode_limits *lim,
		       uint64_t context, struct cap_auth_fact *out)
{
	struct cap_authhdr *h = malloc(sizeof(*h));

	cap_auth_fact_init(out);
	out->value_len = value.len;
	if (h == NULL) {
		out->kind = CAP_TOKEN_UNDECODABLE;
		txt_fmt(out->error, sizeof(out->error), "out of memory");
		return;
	}
	cap_authhdr_init(h);
	cap_authhdr_set_max(h, lim != NULL ? lim->max_challenges : 0);
	cap_authhdr_parse(h, proxy ? CAP_HDR_PROXY_AUTHORIZATION : CAP_HDR_AUTHORIZATION, value);
	if (h->challenges_dropped > 0)
		out->caps_hit |= CAP_FACT_HIT_CHALLENGES;
	if (h->n == 0) {
		out->scheme = CAP_AUTH_OTHER;
		out->kind = CAP_TOKEN_UNDECODABLE;
		txt_copy(out->error, sizeof(out->error), h->err[0] ? h->err : "empty value");
	} else if (h->status == CAP_MALFORMED) {
		/* e.g. "Negotiate !!!": the scheme parsed, the token did not. */
		out->scheme = h->ch[0].kind;
		out->kind = CAP_TOKEN_UNDECODABLE;
		txt_copy(out->error, sizeof(out->error), h->err);
	} else {
		decode_challenge(&h->ch[0], proxy, lim, context, out);
	}
	free(h);
}

void cap_facts_auth(struct cap_span value, bool proxy, const struct cap_decode_limits *lim,
		    struct cap_auth_fact *out)
{
	facts_auth(value, proxy, lim, 0, out);
}

void cap_facts_http(const struct cap_http_msg *m, const struct cap_decode_limits *lim,
		    struct cap_http_fact *out)
{
	struct cap_authhdr *h = NULL;
	struct cap_span cred = {NULL, 0};
	bool cred_proxy = false;

	cap_http_fact_init(out);
	out->frame = m->frame;
	out->first_frame = m->first_frame;
	out->ts = m->ts;
	out->stream = m->stream;
	out->client = m->client;
	out->server = m->server;
	out->is_request = m->is_request;
	out->version_minor = m->version_minor;
	out->http2 = m->http2;
	out->h2_stream_id = m->h2_stream_id;
	out->status = m->status;
	out->close = m->close;
	out->header_bytes = m->header_bytes;
	out->anomalies = m->anomalies;
	span_text(m->method, out->method, sizeof(out->method));
	span_text(m->target, out->target, sizeof(out->target));
	span_text(m->reason, out->reason, sizeof(out->reason));
	if (m->tls != NULL) {
		out->tls = true;
		out->tls_version = m->tls->version;
		out->tls_cipher = m->tls->cipher;
		txt_copy(out->tls_sni, sizeof(out->tls_sni), m->tls->sni);
		txt_copy(out->tls_alpn, sizeof(out->tls_alpn), m->tls->alpn);
		out->tls_cb_known = m->tls->has_cert && m->tls->cert.endpoint_len > 0 &&
				    cap_tls_channel_binding(&m->tls->cert, out->tls_cb) == 0;
		if (m->tls->has_cert)
			txt_copy(out->tls_cert_subject, sizeof(out->tls_cert_subject),
				 m->tls->cert.subject);
	}

	for (size_t i = 0; i < m->nheaders; i++) {
		const struct cap_http_header *hd = &m->headers[i];
		enum cap_auth_header which = CAP_HDR_UNKNOWN;

		/* The names differ in length: one compare decides most headers. */
		switch (hd->name.len) {
		case sizeof("Host") - 1:
			if (span_ieq(hd->name, "Host", sizeof("Host") - 1) && out->host[0] == '\0')
				span_text(hd->value, out->host, sizeof(out->host));
			continue;
		case sizeof("Persistent-Auth") - 1:
			if (span_ieq(hd->name, "Persistent-Auth", sizeof("Persistent-Auth") - 1))
				span_text(hd->value, out->persistent_auth, sizeof(out->persistent_auth));
			continue;
		case sizeof("Authorization") - 1:
			if (m->is_request &&
			    span_ieq(hd->name, "Authorization", sizeof("Authorization") - 1))
				which = CAP_HDR_AUTHORIZATION;
			break;
		case sizeof("Proxy-Authorization") - 1:
			if (m->is_request && span_ieq(hd->name, "Proxy-Authorization",
						      sizeof("Proxy-Authorization") - 1))
				which = CAP_HDR_PROXY_AUTHORIZATION;
			break;
		case sizeof("WWW-Authenticate") - 1:
			if (!m->is_request &&
			    span_ieq(hd->name, "WWW-Authenticate", sizeof("WWW-Authenticate") - 1))
				which = CAP_HDR_WWW_AUTHENTICATE;
			break;
		case sizeof("Proxy-Authenticate") - 1:
			if (!m->is_request && span_ieq(hd->name, "Proxy-Authenticate",
						       sizeof("Proxy-Authenticate") - 1))
				which = CAP_HDR_PROXY_AUTHENTICATE;
			break;
		default:
			continue;
		}
		if (which == CAP_HDR_UNKNOWN)
			continue;
		if (m->is_request) {
			out->nauth++;
			/* Origin credentials win over proxy ones. */
			if (cred.p == NULL || (cred_proxy && which == CAP_HDR_AUTHORIZATION)) {
				cred = hd->value;
				cred_proxy = which == CAP_HDR_PROXY_AUTHORIZATION;
			}
			continue;
		}
		if (h == NULL) {
			h = malloc(sizeof(*h));
			if (h == NULL)
				continue;
			cap_authhdr_init(h);
			cap_authhdr_set_max(h, lim != NULL ? lim->max_challenges : 0);
		}
		cap_authhdr_parse(h, which, hd->value);
	}

	if (cred.p != NULL) {
		out->has_auth = true;
		facts_auth(cred, cred_proxy, lim, m->stream, &out->auth);
	}
	if (h != NULL) {
		const struct cap_auth_challenge *tok = cap_authhdr_find_gss_token(h);

		for (size_t i = 0; i < h->n; i++)
			out->offered |= CAP_AUTH_BIT(h->ch[i].kind);
		out->nauth = (unsigned)h->n;
		if (h->challenges_dropped > 0)
			out->caps_hit |= CAP_FACT_HIT_CHALLENGES;
		challenge_facts(h, out);
		if (tok != NULL) {
			out->has_auth = true;
			cap_auth_fact_init(&out->auth);
			out->auth.value_len = tok->token68.len;
			decode_challenge(tok, tok->header == CAP_HDR_PROXY_AUTHENTICATE, lim,
					 m->stream, &out->auth);
		}
		free(h);
	}
}

static void principal(const struct cap_krb_principal *p, char *out, size_t cap)
{
	out[0] = '\0';
	if (p->present)
		cap_krb_principal_str(p, out, cap);
}

static void name_types(const struct cap_krb_principal *sname,
		       const struct cap_krb_principal *cname, struct cap_krb_fact *out)
{
	if (sname->present) {
		out->sname_type = sname->name_type;
		out->sname_ncomp = (unsigned)sname->ncomponents_seen;
	}
	if (cname->present)
		out->cname_type = cname->name_type;
}

static void realm_of(struct cap_span s, char *out, size_t cap)
{
	out[0] = '\0';
	if (s.p != NULL)
		cap_krb_span_str(s, out, cap);
}

void cap_facts_krb(const struct cap_krb_pdu *k, const struct cap_decode_limits *lim,
		   struct cap_krb_fact *out)
{
	struct cap_krb_msg *m = malloc(sizeof(*m));
	struct cap_der_limits dl = der_limits(lim);
	struct cap_der_budget b;
	enum cap_status st;

	cap_krb_fact_init(out);
	out->frame = k->frame;
	out->ts = k->ts;
	out->transport = k->transport;
	out->stream = k->stream;
	out->client = k->client;
	out->server = k->server;
	out->from_server = k->from_server;
	out->bytes = k->bytes.len;
	if (m == NULL) {
		out->decode_status = CAP_LIMIT; /* out of memory */
		return;
	}
	cap_der_budget_init(&b, &dl);
	st = cap_krb_decode_capped(k->bytes, m, &b);
	out->decoded = st == CAP_OK;
	out->caps_hit = der_hits(b.hit);
	out->decode_status = st;
	out->msg_type = m->msg_type;
	switch (m->msg_type) {
	case CAP_KRB_AS_REQ:
	case CAP_KRB_TGS_REQ:
		if (!m->req.present)
			break;
		realm_of(m->req.realm, out->realm, sizeof(out->realm));
		principal(&m->req.sname, out->sname, sizeof(out->sname));
		principal(&m->req.cname, out->cname, sizeof(out->cname));
		name_types(&m->req.sname, &m->req.cname, out);
		out->opt_enc_tkt_in_skey =
			(m->req.kdc_options & CAP_KRB_BIT(CAP_KDC_OPT_ENC_TKT_IN_SKEY)) != 0;
		out->opt_forwarded = (m->req.kdc_options & CAP_KRB_BIT(CAP_KDC_OPT_FORWARDED)) != 0;
		out->opt_forwardable =
			(m->req.kdc_options & CAP_KRB_BIT(CAP_KDC_OPT_FORWARDABLE)) != 0;
		out->opt_cname_in_addl_tkt =
			(m->req.kdc_options & CAP_KRB_BIT(CAP_KDC_OPT_CNAME_IN_ADDL_TKT)) != 0;
		out->has_pa_for_user = m->pa_for_user.present != 0;
		out->n_additional_tickets = (unsigned)m->req.nadditional_tickets_seen;
		break;
	case CAP_KRB_AS_REP:
	case CAP_KRB_TGS_REP:
		if (!m->rep.present)
			break;
		realm_of(m->rep.ticket.realm, out->realm, sizeof(out->realm));
		principal(&m->rep.ticket.sname, out->sname, sizeof(out->sname));
		principal(&m->rep.cname, out->cname, sizeof(out->cname));
		realm_of(m->rep.crealm, out->crealm, sizeof(out->crealm));
		if (m->rep.ticket.enc_part.present) {
			out->ticket_etype = m->rep.ticket.enc_part.etype;
			out->ticket_kvno = m->rep.ticket.enc_part.kvno_present
						   ? (int)m->rep.ticket.enc_part.kvno : -1;
		}
		if (lim != NULL && lim->keys != NULL && m->msg_type == CAP_KRB_TGS_REP)
			cap_krb_keys_ticket(lim->keys, &m->rep.ticket, &out->ticket);
		break;
	case CAP_KRB_AP_REQ:
		if (!m->ap_req.present)
			break;
		realm_of(m->ap_req.ticket.realm, out->realm, sizeof(out->realm));
		principal(&m->ap_req.ticket.sname, out->sname, sizeof(out->sname));
		break;
	case CAP_KRB_ERROR: {
		const char *name;

		if (!m->err.present)
			break;
		realm_of(m->err.realm, out->realm, sizeof(out->realm));
		principal(&m->err.sname, out->sname, sizeof(out->sname));
		principal(&m->err.cname, out->cname, sizeof(out->cname));
		name_types(&m->err.sname, &m->err.cname, out);
		realm_of(m->err.crealm, out->crealm, sizeof(out->crealm));
		/* A cut or malformed error may not have reached error-code: 0 (KDC_ERR_NONE)
		 * is never sent in a KRB-ERROR, so it means "not decoded". */
		if (st != CAP_OK && m->err.error_code == 0)
			break;
		out->error_code = m->err.error_code;
		name = cap_krb_error_name(m->err.error_code);
		if (name != NULL)
			txt_copy(out->error_name, sizeof(out->error_name), name);
		else
			txt_fmt(out->error_name, sizeof(out->error_name), "KRB_ERR_%d",
				 (int)m->err.error_code);
		if (m->err.e_text_present)
			cap_krb_span_str(m->err.e_text, out->e_text, sizeof(out->e_text));
		if (m->err.stime_str.p != NULL) {
			out->has_stime = true;
			out->stime = m->err.stime;
		}
		if (m->err.ctime_present) {
			out->has_ctime = true;
			out->ctime = m->err.ctime;
		}
		if (m->err.ext_error_present) {
			out->has_nt_status = true;
			out->nt_status = m->err.ntstatus;
		}
		break;
	}
	default:
		break;
	}
	free(m);
}
