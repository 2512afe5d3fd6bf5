/* steps.c - words for the typed records: a ladder step as one line of text or as JSON
 * fields, a token's one-line description, a response's challenges, a Kerberos message's
 * decode problem.  The analysis holds enums, numbers and names; this is where they
 * become sentences. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "negscope/dynbuf.h"
#include "negscope/krb5.h"
#include "negscope/ntlmssp.h"
#include "negscope/report.h"
#include "negscope/spnego.h"
#include "negscope/tok.h"

static const struct cap_tok step_kinds[] = {
	{CAP_STEP_HTTP_REQUEST, "http-request"},
	{CAP_STEP_HTTP_RESPONSE, "http-response"},
	{CAP_STEP_KDC_REQUEST, "kdc-request"},
	{CAP_STEP_KDC_REPLY, "kdc-reply"},
	{CAP_STEP_KRB_ERROR, "krb-error"},
	{CAP_STEP_CONN_CLOSE, "conn-close"},
	{CAP_STEP_KDC_UNREACHABLE, "kdc-unreachable"},
	{CAP_STEP_UNDECODABLE, "undecodable"},
	{0, NULL},
};

static const struct cap_tok step_dirs[] = {
	{CAP_STEP_TO_SERVER, "to_server"},
	{CAP_STEP_FROM_SERVER, "from_server"},
	{CAP_STEP_TO_KDC, "to_kdc"},
	{CAP_STEP_FROM_KDC, "from_kdc"},
	{CAP_STEP_NOTE, "note"},
	{0, NULL},
};

/* JSON names of the close reasons, and the words the ladder uses for them. */
static const struct cap_tok close_names[] = {
	{CAP_STEP_CLOSE_HEADER, "connection-close"},
	{CAP_STEP_CLOSE_HTTP10, "http10"},
	{CAP_STEP_CLOSE_FIN, "fin"},
	{CAP_STEP_CLOSE_RST, "rst"},
	{CAP_STEP_CLOSE_ICMP, "icmp-unreachable"},
	{0, NULL},
};

static const struct cap_tok close_words[] = {
	{CAP_STEP_CLOSE_HEADER, "  [Connection: close]"},
	{CAP_STEP_CLOSE_HTTP10, "  [HTTP/1.0, no keep-alive]"},
	{CAP_STEP_CLOSE_FIN, "server closed the connection (FIN)"},
	{CAP_STEP_CLOSE_RST, "server reset the connection (RST)"},
	{0, NULL},
};

static const struct cap_tok unreachable_words[] = {
	{CAP_STEP_CLOSE_RST, "TCP reset"},
	{CAP_STEP_CLOSE_ICMP, "ICMP unreachable"},
	{0, NULL},
};

/* A non-empty string evidence value, or NULL. */
static const char *str_ev(const struct cap_finding *f, const char *key)
{
	const struct cap_evidence *e = cap_finding_get(f, key);

	return e != NULL && !e->is_num && e->str != NULL && e->str[0] != '\0' ? e->str : NULL;
}

void cap_report_subject(const struct cap_finding *f, struct cap_report_subject *out)
{
	static const struct {
		const char *key, *word;
	} sites[] = {{"host", "site"}, {"server", "server"}, {"spn", "SPN"}, {"kdc", "KDC"}};

	out->user = str_ev(f, "user") != NULL ? str_ev(f, "user") : str_ev(f, "cname");
	out->site = out->site_word = NULL;
	for (size_t i = 0; i < sizeof(sites) / sizeof(sites[0]) && out->site == NULL; i++) {
		out->site = str_ev(f, sites[i].key);
		out->site_word = sites[i].word;
	}
	if (out->site == NULL)
		out->site_word = NULL;
}

const char *cap_report_step_kind_name(enum cap_step_kind k)
{
	return cap_tok_name(step_kinds, k, "?");
}

/* ---- a bounded line ---- */

/* The caller's buffer: cut at its size, always NUL-terminated, nothing after a cut. */
struct line {
	struct cap_dynbuf b;
};

static void add(struct line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add(struct line *l, const char *fmt, ...)
{
	enum cap_dyn_err e;
	va_list ap;

	va_start(ap, fmt);
	e = cap_dynbuf_vaddf(&l->b, fmt, ap);
	va_end(ap);
	(void)e; /* cut at the caller's size: the line so far is the best that fits */
}

static struct line line_of(char *buf, size_t cap)
{
	struct line l;

	cap_dynbuf_init_fixed(&l.b, buf, cap);
	return l;
}

static const char *transport_name(enum cap_transport t)
{
	return t == CAP_TRANSPORT_TCP ? "tcp" : "udp";
}

/* A protocol number's name, or the number after `prefix` when the table has none. */
static const char *name_or_number(const char *name, const char *prefix, int v, char *buf,
				  size_t cap)
{
	if (name != NULL)
		return name;
	snprintf(buf, cap, "%s%d", prefix, v);
	return buf;
}

static const char *etype_text(int etype, char *buf, size_t cap)
{
	return name_or_number(cap_krb_etype_name(etype), "etype ", etype, buf, cap);
}

static const char *krb_error_text(int code, char *buf, size_t cap)
{
	return name_or_number(cap_krb_error_name(code), "KRB_ERR_", code, buf, cap);
}

/* "Kerberos " before a message name, unless the scheme already said it. */
static const char *mech_word(const struct cap_step_auth *a, const char *mech, bool spnego)
{
	if (spnego)
		return mech;
	if (a->scheme == CAP_AUTH_KERBEROS && strcmp(mech, "Kerberos ") == 0)
		return "";
	if (a->scheme == CAP_AUTH_NTLM && strcmp(mech, "NTLM ") == 0)
		return "";
	return mech;
}

/* The scheme, then what its token is: each word once ("NTLM NEGOTIATE", never
 * "NTLM NTLM NEGOTIATE"). */
static void auth_text(struct line *l, const struct cap_step_auth *a, const char *sname,
		      const char *realm, int etype, int kvno)
{
	const char *sep;
	char b[32];

	add(l, "%s", cap_auth_scheme_name(a->scheme));
	switch (a->kind) {
	case CAP_TOKEN_NONE:
		add(l, " (no token)");
		return;
	case CAP_TOKEN_UNDECODABLE:
		add(l, " token, undecodable");
		return;
	case CAP_TOKEN_OTHER:
		if (a->scheme == CAP_AUTH_BASIC)
			add(l, " credentials for user \"%s\"", a->user);
		else
			add(l, " token");
		return;
	default:
		break;
	}
	if (a->spnego) {
		add(l, " SPNEGO %s", a->spnego_init ? "init" : "resp");
		if (!a->spnego_init && a->neg_state >= 0)
			add(l, " %s", cap_spnego_neg_state_name(a->neg_state));
	}
	sep = a->spnego ? " → " : " ";
	switch (a->kind) {
	case CAP_TOKEN_KRB_AP_REQ:
		add(l, "%s%sAP-REQ", sep, mech_word(a, "Kerberos ", a->spnego));
		if (sname != NULL && sname[0] != '\0')
			add(l, " for %s%s%s", sname, realm[0] ? "@" : "", realm);
		if (etype >= 0) {
			add(l, " (%s", etype_text(etype, b, sizeof(b)));
			if (kvno >= 0)
				add(l, ", kvno %d", kvno);
			add(l, ", %s)", a->mutual ? "mutual" : "no mutual");
		}
		if (a->key_verdict != CAP_KEYV_NONE)
			add(l, " [keys: %s%s%s%s]",
			    cap_krb_key_verdict_name((enum cap_krb_key_verdict)a->key_verdict),
			    a->ticket_client[0] ? ", client " : "", a->ticket_client,
			    a->deleg_tgt ? ", forwarded TGT" : "");
		break;
	case CAP_TOKEN_KRB_AP_REP:
		add(l, "%s%sAP-REP (mutual authentication reply%s)", sep,
		    mech_word(a, "Kerberos ", a->spnego),
		    a->ap_rep == CAP_APREP_VERIFIED ? ", verified with the session key"
		    : a->ap_rep == CAP_APREP_FAILED ? ", does NOT decrypt with the session key"
						    : "");
		break;
	case CAP_TOKEN_KRB_ERROR:
		add(l, "%sKRB-ERROR %s (%d)", sep, krb_error_text(a->error_code, b, sizeof(b)),
		    a->error_code);
		break;
	case CAP_TOKEN_NTLM:
		add(l, "%s%s%s", sep, mech_word(a, "NTLM ", a->spnego),
		    cap_ntlm_type_name((uint32_t)a->ntlm_type));
		if (a->ntlm_type == CAP_NTLM_AUTHENTICATE && a->user[0] != '\0')
			add(l, " %s", a->user);
		if (a->scheme == CAP_AUTH_NEGOTIATE && a->ntlm_type == CAP_NTLM_NEGOTIATE)
			add(l, " (NTLM inside Negotiate: no Kerberos)");
		break;
	default:
		break;
	}
}

size_t cap_report_auth_summary(const struct cap_auth_fact *f, char *buf, size_t cap)
{
	struct cap_step_auth a;
	struct line l = line_of(buf, cap);

	cap_step_auth_of(f, &a);
	auth_text(&l, &a, f->sname, f->realm, f->etype, f->kvno);
	if (f->kind == CAP_TOKEN_UNDECODABLE && f->error[0] != '\0')
		add(&l, " (%s)", f->error);
	return cap_dynbuf_len(&l.b);
}

static void offered_text(struct line *l, uint32_t offered)
{
	const char *sep = "";

	for (int s = CAP_AUTH_NEGOTIATE; s <= CAP_AUTH_OTHER; s++) {
		if (offered & CAP_AUTH_BIT(s)) {
			add(l, "%s%s", sep, cap_auth_scheme_name((enum cap_auth_scheme)s));
			sep = ", ";
		}
	}
}

size_t cap_report_challenges_text(const struct cap_http_fact *f, char *buf, size_t cap)
{
	struct line l = line_of(buf, cap);

	for (unsigned i = 0; i < f->nchallenges; i++) {
		const struct cap_challenge_fact *c = &f->challenge[i];

		add(&l, "%s%s", i ? ", " : "", c->name);
		if (c->has_token)
			add(&l, " <token, %u chars>", (unsigned)c->token_chars);
		else if (c->nparams > 0)
			add(&l, " %s=\"%s\"%s", c->param, c->value, c->nparams > 1 ? ", ..." : "");
	}
	return cap_dynbuf_len(&l.b);
}

static void decode_problem(struct line *l, unsigned caps_hit, enum cap_status st, size_t bytes)
{
	if (caps_hit & CAP_FACT_HIT_DER_DEPTH)
		add(l, "not decoded: nesting deeper than --max-der-depth");
	else if (caps_hit & CAP_FACT_HIT_DER_ELEMS)
		add(l, "not decoded: more elements than --max-der-elements");
	else
		add(l, "%s", cap_status_name(st));
	if (bytes > 0)
		add(l, ", %zu bytes", bytes);
}

size_t cap_report_krb_problem(const struct cap_krb_fact *f, char *buf, size_t cap)
{
	struct line l = line_of(buf, cap);

	if (f->decoded && f->caps_hit == 0)
		return 0;
	add(&l, "Kerberos message ");
	decode_problem(&l, f->caps_hit, f->decode_status, f->bytes);
	return cap_dynbuf_len(&l.b);
}

size_t cap_report_step_text(const struct cap_step *s, char *buf, size_t cap)
{
	struct line l = line_of(buf, cap);
	char kdc[80], b[32];

	cap_endpoint_str(&s->kdc, kdc, sizeof(kdc));
	switch (s->kind) {
	case CAP_STEP_HTTP_REQUEST:
		add(&l, "%s %s", s->method, s->target);
		if (s->has_auth) {
			add(&l, "  %sAuthorization: ", s->auth.proxy ? "Proxy-" : "");
			auth_text(&l, &s->auth, s->sname, s->realm, s->etype, s->kvno);
			add(&l, " (%llu bytes)", (unsigned long long)s->auth.bytes);
		}
		break;
	case CAP_STEP_HTTP_RESPONSE:
		add(&l, "%d %s", s->status, s->reason);
		if (s->has_auth) {
			add(&l, "  ");
			auth_text(&l, &s->auth, s->sname, s->realm, s->etype, s->kvno);
		} else if (s->offered != 0) {
			add(&l, "  offers ");
			offered_text(&l, s->offered);
		}
		add(&l, "%s", cap_tok_name(close_words, s->close, ""));
		break;
	case CAP_STEP_KDC_REQUEST:
		add(&l, "%s %s%s%s%s%s", cap_krb_msg_name(s->msg_type), s->sname,
		    s->realm[0] ? "@" : "", s->realm,
		    (s->kdc_options & CAP_STEP_OPT_FORWARDED) ? " (forwarded)" : "",
		    (s->kdc_options & CAP_STEP_OPT_S4U2PROXY) ? " (S4U2Proxy)" : "");
		add(&l, " [%s %s]", transport_name(s->transport), kdc);
		break;
	case CAP_STEP_KDC_REPLY:
		add(&l, "%s ticket %s%s%s", cap_krb_msg_name(s->msg_type), s->sname,
		    s->realm[0] ? "@" : "", s->realm);
		if (s->kvno >= 0)
			add(&l, " (%s, kvno %d)", etype_text(s->etype, b, sizeof(b)), s->kvno);
		add(&l, " [%s %s]", transport_name(s->transport), kdc);
		break;
	case CAP_STEP_KRB_ERROR:
		add(&l, "KRB-ERROR %s (%d)%s%s [%s %s]",
		    krb_error_text(s->error_code, b, sizeof(b)), s->error_code,
		    s->sname[0] ? " for " : "", s->sname,
		    transport_name(s->transport), kdc);
		break;
	case CAP_STEP_UNDECODABLE:
		add(&l, "undecodable Kerberos message (");
		decode_problem(&l, s->caps_hit, s->decode_status, 0);
		add(&l, ") [%s %s]", transport_name(s->transport), kdc);
		break;
	case CAP_STEP_CONN_CLOSE:
		add(&l, "%s", cap_tok_name(close_words, s->close, "connection ended"));
		break;
	case CAP_STEP_KDC_UNREACHABLE:
		add(&l, "KDC %s (%s) unreachable: %s", kdc, transport_name(s->transport),
		    cap_tok_name(unreachable_words, s->close, "no answer"));
		break;
	}
	return cap_dynbuf_len(&l.b);
}

/* ---- JSON ---- */

static void kv_str_opt(struct cap_json *j, const char *key, const char *s)
{
	if (s != NULL && s[0] != '\0')
		cap_json_kv_str(j, key, s);
}

static void json_etype(struct cap_json *j, const char *key, const char *name_key, int etype)
{
	const char *en;

	if (etype < 0)
		return;
	cap_json_kv_int(j, key, etype);
	en = cap_krb_etype_name(etype);
	if (en != NULL)
		cap_json_kv_str(j, name_key, en);
}

void cap_report_json_offered(struct cap_json *j, uint32_t offered)
{
	if (offered == 0)
		return;
	cap_json_kv_arr_begin(j, "offered");
	for (int k = CAP_AUTH_NEGOTIATE; k <= CAP_AUTH_OTHER; k++)
		if (offered & CAP_AUTH_BIT(k))
			cap_json_str(j, cap_auth_scheme_name((enum cap_auth_scheme)k));
	cap_json_arr_end(j);
}

void cap_report_json_auth_fields(struct cap_json *j, const struct cap_step_auth *a)
{
	char b[32];

	cap_json_kv_str(j, "scheme", cap_auth_scheme_name(a->scheme));
	cap_json_kv_uint(j, "bytes", a->bytes);
	cap_json_kv_str(j, "token", cap_token_kind_name(a->kind));
	cap_json_kv_bool(j, "spnego", a->spnego);
	if (a->spnego)
		cap_json_kv_str(j, "spnego_token", a->spnego_init ? "init" : "resp");
	if (a->neg_state >= CAP_NEG_ACCEPT_COMPLETED && a->neg_state <= CAP_NEG_REQUEST_MIC)
		cap_json_kv_str(j, "neg_state", cap_spnego_neg_state_name(a->neg_state));
	if (a->ntlm_type >= CAP_NTLM_NEGOTIATE && a->ntlm_type <= CAP_NTLM_AUTHENTICATE)
		cap_json_kv_str(j, "ntlm_message", cap_ntlm_type_name((uint32_t)a->ntlm_type));
	if (a->kind == CAP_TOKEN_KRB_AP_REQ)
		cap_json_kv_bool(j, "mutual", a->mutual);
	if (a->kind == CAP_TOKEN_KRB_AP_REQ && a->key_verdict != CAP_KEYV_NONE)
		cap_json_kv_str(j, "keys",
				cap_krb_key_verdict_name((enum cap_krb_key_verdict)a->key_verdict));
	if (a->kind == CAP_TOKEN_KRB_AP_REP && a->ap_rep != CAP_APREP_NONE)
		cap_json_kv_str(j, "ap_rep", a->ap_rep == CAP_APREP_VERIFIED ? "verified"
									      : "not-verified");
	if (a->error_code >= 0) {
		cap_json_kv_int(j, "error_code", a->error_code);
		cap_json_kv_str(j, "error_name", krb_error_text(a->error_code, b, sizeof(b)));
	}
	kv_str_opt(j, "user", a->user);
}

static void json_step(struct cap_json *j, const struct cap_step *s)
{
	char kdc[80], b[32];

	cap_json_obj_begin(j);
	cap_json_kv_uint(j, "frame", s->frame);
	cap_json_kv_str(j, "step", cap_report_step_kind_name(s->kind));
	cap_json_kv_str(j, "direction", cap_tok_name(step_dirs, s->dir, "?"));
	cap_json_kv_uint(j, "stream", s->stream);
	cap_json_kv_bool(j, "bad", s->bad);
	switch (s->kind) {
	case CAP_STEP_HTTP_REQUEST:
	case CAP_STEP_HTTP_RESPONSE:
		if (s->kind == CAP_STEP_HTTP_REQUEST) {
			cap_json_kv_str(j, "method", s->method);
			cap_json_kv_str(j, "target", s->target);
		} else {
			cap_json_kv_int(j, "status", s->status);
			cap_json_kv_str(j, "reason", s->reason);
		}
		cap_report_json_offered(j, s->offered);
		if (s->close != CAP_STEP_CLOSE_NONE)
			cap_json_kv_str(j, "close", cap_tok_name(close_names, s->close, "?"));
		if (s->has_auth) {
			cap_json_kv_obj_begin(j, "auth");
			cap_json_kv_str(j, "header", cap_authhdr_header_name(
				s->kind == CAP_STEP_HTTP_REQUEST
					? (s->auth.proxy ? CAP_HDR_PROXY_AUTHORIZATION
							 : CAP_HDR_AUTHORIZATION)
					: (s->auth.proxy ? CAP_HDR_PROXY_AUTHENTICATE
							 : CAP_HDR_WWW_AUTHENTICATE)));
			cap_report_json_auth_fields(j, &s->auth);
			kv_str_opt(j, "sname", s->sname);
			kv_str_opt(j, "realm", s->realm);
			if (s->kvno >= 0)
				cap_json_kv_int(j, "kvno", s->kvno);
			json_etype(j, "etype", "etype_name", s->etype);
			cap_json_obj_end(j);
		}
		break;
	default:
		if (s->msg_type != 0)
			cap_json_kv_str(j, "msg", cap_krb_msg_name(s->msg_type));
		kv_str_opt(j, "sname", s->sname);
		kv_str_opt(j, "realm", s->realm);
		if (s->error_code >= 0) {
			cap_json_kv_int(j, "error_code", s->error_code);
			cap_json_kv_str(j, "error_name",
					krb_error_text(s->error_code, b, sizeof(b)));
		}
		json_etype(j, "ticket_etype", "ticket_etype_name", s->etype);
		if (s->kvno >= 0)
			cap_json_kv_int(j, "ticket_kvno", s->kvno);
		if (s->kind == CAP_STEP_KDC_REQUEST) {
			cap_json_kv_arr_begin(j, "kdc_options");
			if (s->kdc_options & CAP_STEP_OPT_FORWARDED)
				cap_json_str(j, "forwarded");
			if (s->kdc_options & CAP_STEP_OPT_S4U2PROXY)
				cap_json_str(j, "cname-in-addl-tkt");
			cap_json_arr_end(j);
		}
		if (s->kind == CAP_STEP_UNDECODABLE)
			cap_json_kv_str(j, "decode_status", cap_status_name(s->decode_status));
		if (s->close != CAP_STEP_CLOSE_NONE)
			cap_json_kv_str(j, "close", cap_tok_name(close_names, s->close, "?"));
		if (s->kind != CAP_STEP_CONN_CLOSE) {
			cap_json_kv_str(j, "transport", transport_name(s->transport));
			cap_json_kv_str(j, "kdc", cap_endpoint_str(&s->kdc, kdc, sizeof(kdc)));
		}
		break;
	}
	cap_json_obj_end(j);
}

int cap_report_json_conversation(struct cap_json *j, const struct cap_conversation *c)
{
	char buf[80];

	cap_json_obj_begin(j);
	cap_json_kv_str(j, "type", "conversation");
	cap_json_kv_uint(j, "id", c->id);
	cap_json_kv_str(j, "client", cap_addr_str(&c->client, buf, sizeof(buf)));
	cap_json_kv_str(j, c->kdc_only ? "kdc" : "server",
			cap_endpoint_str(&c->server, buf, sizeof(buf)));
	cap_json_kv_bool(j, "kdc_only", c->kdc_only);
	kv_str_opt(j, "host", c->host);
	cap_json_kv_uint(j, "connections", c->nstreams);
	cap_json_kv_uint(j, "first_frame", c->first_frame);
	cap_json_kv_uint(j, "last_frame", c->last_frame);
	cap_json_kv_arr_begin(j, "steps");
	for (size_t i = 0; i < c->nsteps; i++)
		json_step(j, &c->steps[i]);
	cap_json_arr_end(j);
	cap_json_kv_uint(j, "steps_dropped", c->steps_dropped);
	cap_json_obj_end(j);
	return cap_json_end_line(j) == CAP_JSON_OK ? 0 : -1;
}
