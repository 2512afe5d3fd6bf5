/* negotiate.c - leg state machine of the HTTP Negotiate/NTLM handshake.
 * References: RFC 4559 (Negotiate over HTTP; §4.2 the final token in a 200),
 * RFC 7235 (challenges), MS-N2HT (Persistent-Auth), domain.md C3/C4.
 */
#include "negotiate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "negscope/authhdr.h"
#include "negscope/b64.h"
#include "spn.h"

#define MAX_TOKEN_BYTES (64 * 1024) /* a server token beyond this is refused */
#define LARGE_AUTH_HEADER 16384     /* HTTP.sys MaxFieldLength default */

struct probe_session {
	const struct probe_config *cfg;
	struct probe_cred *cred;
	struct probe_result *r;
	struct probe_gss *gss;
	enum probe_gss_wrap wrap;
	char scheme[16];         /* the scheme we answer with */
	char gss_name[320];
	bool hostbased;
	char *authz;             /* next Authorization value (owned) */
	struct probe_token pending; /* the token the next leg carries */
	bool offered_negotiate;  /* the first 401 offered Negotiate */
	char offered[128];       /* schemes of the first 401, "Negotiate, NTLM" */
	bool rejected;           /* server refused our final token */
	bool failed;             /* GSS or transport failure ended it */
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static char *xstrdup(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

struct probe_session *probe_session_new(const struct probe_config *cfg, struct probe_cred *cred,
					struct probe_result *r)
{
	struct probe_session *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->cfg = cfg;
	s->cred = cred;
	s->r = r;
	return s;
}

void probe_session_free(struct probe_session *s)
{
	if (s == NULL)
		return;
	probe_gss_free(s->gss);
	free(s->authz);
	free(s->pending.bytes);
	free(s);
}

const char *probe_session_authz(const struct probe_session *s)
{
	return s->authz;
}

const char *probe_session_url(const struct probe_session *s)
{
	return s->r->url;
}

const char *probe_session_gss_name(const struct probe_session *s)
{
	return s->gss_name;
}

enum probe_next probe_session_begin(struct probe_session *s)
{
	struct probe_result *r = s->r;
	char err[256];

	if (probe_url_parse(r->url, &r->u, err, sizeof(err)) != 0) {
		snprintf(r->fatal, sizeof(r->fatal), "%s", err);
		return PROBE_NEXT_DONE;
	}
	r->url_ok = true;
	probe_spn_canonical_host(r->u.host, r->u.port, s->cfg->http.resolve,
				 s->cfg->no_canonicalize, r->canonical, sizeof(r->canonical),
				 r->spn_source, sizeof(r->spn_source));
	probe_spn_choose(s->cfg->spn, r->canonical, r->u.port, s->cfg->spn_port, s->gss_name,
			 sizeof(s->gss_name), r->spn, sizeof(r->spn), &s->hostbased);
	if (s->cfg->spn != NULL)
		snprintf(r->spn_source, sizeof(r->spn_source), "--spn");
	else if (s->cfg->spn_port && strchr(r->spn, ':') != NULL)
		snprintf(r->spn_source + strlen(r->spn_source),
			 sizeof(r->spn_source) - strlen(r->spn_source), ", port added (--spn-port)");
	return PROBE_NEXT_REQUEST;
}

/* Copies what the response says into a new leg record. */
static struct probe_leg *record_leg(struct probe_session *s, const struct probe_http_resp *resp)
{
	struct probe_result *r = s->r;
	struct probe_leg *l;
	const char *v;
	size_t n = 0;

	if (r->nlegs >= PROBE_MAX_LEGS_LIMIT)
		return NULL;
	l = &r->legs[r->nlegs];
	memset(l, 0, sizeof(*l));
	l->n = (unsigned)++r->nlegs;
	l->sent = s->pending; /* ownership moves to the leg */
	memset(&s->pending, 0, sizeof(s->pending));
	l->auth_header_len = resp->request_auth_len;
	l->curl_code = resp->curl_code;
	l->curl_error = resp->curl_code != 0 ? xstrdup(resp->error) : NULL;
	l->tls = resp->tls;
	l->status = resp->status;
	snprintf(l->reason, sizeof(l->reason), "%.63s", resp->reason);
	l->http_version = resp->http_version;
	l->conn_new = resp->conn_new;
	l->local_port = resp->local_port;
	l->remote_port = resp->remote_port;
	snprintf(l->local_ip, sizeof(l->local_ip), "%s", resp->local_ip);
	snprintf(l->remote_ip, sizeof(l->remote_ip), "%s", resp->remote_ip);
	l->t_total_ms = resp->t_total * 1e3;
	l->t_connect_ms = resp->t_connect * 1e3;
	l->t_tls_ms = resp->t_tls * 1e3;
	while (probe_http_header(resp, "WWW-Authenticate", n) != NULL)
		n++;
	if (n > 0) {
		l->www_auth = calloc(n, sizeof(*l->www_auth));
		for (size_t i = 0; l->www_auth != NULL && i < n; i++) {
			l->www_auth[i] = xstrdup(probe_http_header(resp, "WWW-Authenticate", i));
			if (l->www_auth[i] != NULL)
				l->nwww++;
		}
	}
	v = probe_http_header(resp, "Connection", 0);
	l->connection = xstrdup(v);
	v = probe_http_header(resp, "Persistent-Auth", 0);
	l->persistent_auth = xstrdup(v);
	if (resp->curl_code == 0 && resp->conn_new)
		r->connections++;
	return l;
}

static void parse_challenges(const struct probe_leg *l, struct cap_authhdr *h)
{
	cap_authhdr_init(h);
	for (size_t i = 0; i < l->nwww; i++) {
		struct cap_span v = {(const uint8_t *)l->www_auth[i], strlen(l->www_auth[i])};

		cap_authhdr_parse(h, CAP_HDR_WWW_AUTHENTICATE, v);
	}
}

/* Base64-decodes the token of challenge ch into t; -1 with a finding on bad input. */
static int take_token(struct probe_session *s, struct probe_leg *l,
		      const struct cap_auth_challenge *ch, struct probe_token *t)
{
	size_t cap = cap_b64_decoded_max(ch->token68.len), n = 0;
	struct cap_b64_err e;
	uint8_t *buf;

	if (cap > MAX_TOKEN_BYTES) {
		struct probe_finding *f = probe_result_add_finding(s->r, CAP_F_GSS_ERROR, l->n);

		if (f != NULL)
			cap_finding_set_detail(&f->rec, "The server's %s token is %zu bytes of base64, over "
					     "the %d-byte limit.", s->scheme, ch->token68.len,
					     MAX_TOKEN_BYTES);
		return -1;
	}
	buf = malloc(cap > 0 ? cap : 1);
	if (buf == NULL)
		return -1;
	if (cap_b64_decode(ch->token68, CAP_B64_ALLOW_WS, buf, cap, &n, &e) != CAP_OK) {
		struct probe_finding *f = probe_result_add_finding(s->r, CAP_F_GSS_ERROR, l->n);

		if (f != NULL) {
			cap_finding_set_detail(&f->rec, "The server's %s token is not valid base64: %s.",
					     s->scheme, e.msg);
			char shown[512];

			probe_auth_value_shown(l->nwww > 0 ? l->www_auth[0] : "", shown,
					       sizeof(shown));
			cap_finding_set_str(&f->rec, "header", shown);
		}
		free(buf);
		return -1;
	}
	t->bytes = buf;
	t->len = n;
	snprintf(t->scheme, sizeof(t->scheme), "%s", s->scheme);
	probe_token_describe(buf, n, &t->desc);
	return 0;
}

/* Sets the next leg's Authorization from a fresh GSS token (ownership taken). */
static int set_authz(struct probe_session *s, uint8_t *tok, size_t len)
{
	size_t need = strlen(s->scheme) + 1 + cap_b64_encoded_len(len) + 1;
	char *h = malloc(need);
	size_t off;

	free(s->authz);
	s->authz = NULL;
	free(s->pending.bytes);
	memset(&s->pending, 0, sizeof(s->pending));
	if (h == NULL) {
		free(tok);
		return -1;
	}
	/* the decoders see the token first, as it left GSS */
	probe_token_describe(tok, len, &s->pending.desc);
	s->pending.bytes = tok;
	s->pending.len = len;
	snprintf(s->pending.scheme, sizeof(s->pending.scheme), "%s", s->scheme);
	off = (size_t)snprintf(h, need, "%s ", s->scheme);
	cap_b64_encode((struct cap_span){tok, len}, h + off, need - off);
	s->authz = h;
	return 0;
}

static void add_spn_advice(struct probe_session *s, struct probe_finding *f)
{
	const struct probe_url *u = &s->r->u;
	char shortname[256];

	snprintf(shortname, sizeof(shortname), "%s", s->r->canonical);
	shortname[strcspn(shortname, ".")] = '\0';
	cap_finding_add_advice(&f->rec, "Register %s on the account the site runs as (setspn -S %s "
			     "DOMAIN\\account), and HTTP/%s too if users browse by the short name; "
			     "browsers do not add the port (HTTP/%s:%ld is never asked for). "
			     "negprobe --check-spn %s shows which forms exist.",
			     s->r->spn, s->r->spn, shortname, s->r->canonical, u->port, s->r->url);
}

/* A finding for a failed GSS call, named by the krb5/GSS codes. */
static void gss_finding(struct probe_session *s, unsigned leg, const struct probe_gss_error *e,
			const char *context)
{
	int kerr = -1;
	enum cap_finding_id id = probe_finding_for_gss(e->major, e->krb5_code, &kerr);
	struct probe_finding *f;
	char hex[16];

	if (probe_result_has(s->r, id))
		return;
	f = probe_result_add_finding(s->r, id, leg);
	if (f == NULL)
		return;
	snprintf(hex, sizeof(hex), "0x%08x", (unsigned)e->major);
	cap_finding_set_str(&f->rec, "spn", s->r->spn);
	if (kerr >= 0) {
		cap_finding_set_num(&f->rec, "error_code", kerr);
		cap_finding_set_str(&f->rec, "error_name", probe_krb_error_name(kerr));
	}
	cap_finding_set_str(&f->rec, "gss_major", hex);
	cap_finding_set_num(&f->rec, "gss_minor", (int64_t)e->minor);
	cap_finding_set_str(&f->rec, "gss_message", e->text);
	if (id == CAP_F_SPN_UNKNOWN) {
		cap_finding_set_detail(&f->rec, "%s: the KDC has no principal %s (KDC_ERR_S_PRINCIPAL_UNKNOWN), "
				     "so no Kerberos ticket can be issued for this site.", context,
				     s->r->spn);
		add_spn_advice(s, f);
	} else if (kerr >= 0) {
		cap_finding_set_detail(&f->rec, "%s: %s (%d), \"%s\".", context, probe_krb_error_name(kerr),
				     kerr, e->minor_text[0] != '\0' ? e->minor_text : e->text);
	} else {
		cap_finding_set_detail(&f->rec, "%s: %s.", context,
				     e->minor_text[0] != '\0' ? e->minor_text : e->text);
	}
}

/* A finding for a KRB-ERROR the server put in its token. */
static void token_error_finding(struct probe_session *s, const struct probe_leg *l)
{
	const struct probe_token_desc *d = &l->recv.desc;
	enum cap_finding_id id;
	struct probe_finding *f;

	if (d->krb_error < 0)
		return;
	id = probe_finding_for_krb_error(d->krb_error, true);
	if (probe_result_has(s->r, id))
		return;
	f = probe_result_add_finding(s->r, id, l->n);
	if (f == NULL)
		return;
	cap_finding_set_num(&f->rec, "error_code", d->krb_error);
	cap_finding_set_str(&f->rec, "error_name", d->krb_error_name[0] != '\0' ? d->krb_error_name :
					   probe_krb_error_name(d->krb_error));
	cap_finding_set_str(&f->rec, "spn", s->r->spn);
	if (l->sent.desc.kvno >= 0)
		cap_finding_set_num(&f->rec, "kvno", l->sent.desc.kvno);
	if (l->sent.desc.etype >= 0)
		cap_finding_set_num(&f->rec, "etype", l->sent.desc.etype);
	cap_finding_set_detail(&f->rec, "The server answered the ticket for %s with %s (%d) in its 401.",
			     s->r->spn, probe_krb_error_name(d->krb_error), d->krb_error);
}

static enum probe_used_mech sent_mech(const struct probe_session *s)
{
	struct probe_gss_info info;

	if (s->gss == NULL)
		return PROBE_USED_NONE;
	probe_gss_get_info(s->gss, &info);
	if (info.mech != PROBE_USED_NONE)
		return info.mech;
	for (size_t i = s->r->nlegs; i-- > 0;)
		if (s->r->legs[i].sent.desc.mech != PROBE_USED_NONE)
			return s->r->legs[i].sent.desc.mech;
	return s->wrap == PROBE_WRAP_NTLM ? PROBE_USED_NTLM : PROBE_USED_NONE;
}

static void rejected_finding(struct probe_session *s, const struct probe_leg *l)
{
	enum probe_used_mech m = sent_mech(s);
	enum cap_finding_id id = m == PROBE_USED_NTLM ? CAP_F_NTLM_REJECTED : CAP_F_KERBEROS_REJECTED;
	struct probe_finding *f;

	s->rejected = true;
	if (l->recv.desc.krb_error >= 0)
		return; /* the KRB-ERROR finding says it better */
	f = probe_result_add_finding(s->r, id, l->n);
	if (f == NULL)
		return;
	cap_finding_set_str(&f->rec, "spn", s->r->spn);
	cap_finding_set_num(&f->rec, "status", l->status);
	if (l->nwww > 0) {
		char shown[512];

		probe_auth_value_shown(l->www_auth[0], shown, sizeof(shown));
		cap_finding_set_str(&f->rec, "www_authenticate", shown);
	}
	cap_finding_set_detail(&f->rec, "The server answered the %s credentials of leg %u with another 401.",
			     m == PROBE_USED_NTLM ? "NTLM" : "Kerberos", l->n - 1);
}

/* Runs one GSS step and records its outcome on the leg. */
static enum probe_gss_rc step(struct probe_session *s, struct probe_leg *l, const uint8_t *in,
			      size_t inlen, uint8_t **out, size_t *outlen, struct probe_gss_error *e)
{
	double t0 = now_ms();
	enum probe_gss_rc rc = probe_gss_step(s->gss, in, inlen, out, outlen, e);

	l->t_gss_ms += now_ms() - t0;
	l->gss = rc == PROBE_GSS_ERROR ? PROBE_GSSO_ERROR :
		 rc == PROBE_GSS_COMPLETE ? PROBE_GSSO_COMPLETE : PROBE_GSSO_CONTINUE;
	if (rc == PROBE_GSS_ERROR) {
		free(l->gss_error);
		l->gss_error = xstrdup(e->text);
	}
	return rc;
}

static void offered_list(struct probe_session *s, const struct cap_authhdr *h)
{
	s->offered[0] = '\0';
	for (size_t i = 0; i < h->n; i++) {
		size_t used = strlen(s->offered);

		snprintf(s->offered + used, sizeof(s->offered) - used, "%s%.*s", used > 0 ? ", " : "",
			 (int)h->ch[i].scheme.len, (const char *)h->ch[i].scheme.p);
	}
}

/* The first 401: pick the scheme a browser would, start GSS, send its token. */
static enum probe_next first_challenge(struct probe_session *s, struct probe_leg *l,
				       const struct cap_authhdr *h)
{
	const struct probe_config *cfg = s->cfg;
	bool neg = cap_authhdr_find(h, CAP_AUTH_NEGOTIATE) != NULL;
	bool ntlm = cap_authhdr_find(h, CAP_AUTH_NTLM) != NULL;
	struct probe_gss_error e;
	uint8_t *tok = NULL;
	size_t toklen = 0;
	struct probe_finding *f;
	enum cap_finding_id id;

	offered_list(s, h);
	s->offered_negotiate = neg;
	if (!neg) {
		f = probe_result_add_finding(s->r, CAP_F_NEGOTIATE_NOT_OFFERED, l->n);
		if (f != NULL) {
			cap_finding_set_str(&f->rec, "offered", s->offered[0] != '\0' ? s->offered : "(none)");
			cap_finding_set_detail(&f->rec, "The 401 offers %s but not Negotiate.",
					     s->offered[0] != '\0' ? s->offered : "no scheme at all");
		}
	}
	if (neg) {
		snprintf(s->scheme, sizeof(s->scheme), "Negotiate");
		s->wrap = PROBE_WRAP_SPNEGO;
	} else if (ntlm && cfg->mech != PROBE_MECH_KERBEROS) {
		snprintf(s->scheme, sizeof(s->scheme), "NTLM");
		s->wrap = PROBE_WRAP_NTLM;
	} else {
		return PROBE_NEXT_DONE;
	}
	if ((s->wrap == PROBE_WRAP_NTLM || cfg->mech == PROBE_MECH_NTLM) && !cfg->ntlm_available) {
		f = probe_result_add_finding(s->r, CAP_F_NTLM_UNAVAILABLE, l->n);
		if (f != NULL)
			cap_finding_set_detail(&f->rec, "The NTLM mechanism (gss-ntlmssp) is not installed "
					     "here, so negprobe cannot answer %s with NTLM.",
					     s->wrap == PROBE_WRAP_NTLM ? "an NTLM-only server" :
								      "Negotiate");
		s->failed = true;
		return PROBE_NEXT_DONE;
	}
	if (s->cred != NULL && s->wrap == PROBE_WRAP_SPNEGO && cfg->mech != PROBE_MECH_NTLM &&
	    !probe_cred_has_krb5(s->cred)) {
		/* say why Kerberos is out before SPNEGO tries what is left */
		const struct probe_gss_error *ke = probe_cred_krb5_error(s->cred);

		if (ke->major != 0 || ke->krb5_code != 0)
			gss_finding(s, l->n, ke, "Getting Kerberos credentials failed");
	}
	if (s->cred == NULL ||
	    (s->wrap == PROBE_WRAP_NTLM && !probe_cred_has_ntlm(s->cred)) ||
	    (s->wrap == PROBE_WRAP_SPNEGO && !probe_cred_has_krb5(s->cred) &&
	     !probe_cred_has_ntlm(s->cred))) {
		id = s->wrap == PROBE_WRAP_NTLM && cfg->ntlm_available ? CAP_F_NTLM_UNAVAILABLE :
									     CAP_F_NO_CREDENTIALS;
		f = probe_result_has(s->r, id) ? NULL : probe_result_add_finding(s->r, id, l->n);
		if (f != NULL) {
			const struct probe_gss_error *ke =
				s->cred == NULL ? NULL :
				s->wrap == PROBE_WRAP_NTLM ? probe_cred_ntlm_error(s->cred) :
				probe_cred_krb5_error(s->cred);

			cap_finding_set_str(&f->rec, "spn", s->r->spn);
			if (ke != NULL && ke->text[0] != '\0')
				cap_finding_set_str(&f->rec, "gss_message", ke->text);
			cap_finding_set_detail(&f->rec, "No credentials to answer the %s challenge%s%s.",
					     s->scheme, ke != NULL && ke->text[0] != '\0' ? ": " : "",
					     ke != NULL ? ke->text : "");
		}
		s->failed = true;
		return PROBE_NEXT_DONE;
	}
	s->gss = probe_gss_new(s->cred, s->wrap, cfg->mech, cfg->deleg, s->gss_name,
			       s->hostbased || s->wrap == PROBE_WRAP_NTLM);
	if (s->gss == NULL)
		return PROBE_NEXT_DONE;
	if (step(s, l, NULL, 0, &tok, &toklen, &e) == PROBE_GSS_ERROR) {
		gss_finding(s, l->n, &e, "Creating the first token failed");
		s->failed = true;
		return PROBE_NEXT_DONE;
	}
	if (toklen == 0 || set_authz(s, tok, toklen) != 0)
		return PROBE_NEXT_DONE;
	return PROBE_NEXT_REQUEST;
}

static const struct cap_auth_challenge *our_token(const struct probe_session *s,
						  const struct cap_authhdr *h)
{
	return cap_authhdr_find_token(h, s->wrap == PROBE_WRAP_NTLM ? CAP_AUTH_NTLM :
								     CAP_AUTH_NEGOTIATE);
}

/* A later 401: continue the handshake with the server's token, or stop. */
static enum probe_next next_challenge(struct probe_session *s, struct probe_leg *l,
				      const struct cap_authhdr *h)
{
	const struct cap_auth_challenge *ch = our_token(s, h);
	struct probe_gss_error e;
	uint8_t *tok = NULL;
	size_t toklen = 0;
	enum probe_gss_rc rc;

	if (ch == NULL) {
		rejected_finding(s, l);
		return PROBE_NEXT_DONE;
	}
	if (take_token(s, l, ch, &l->recv) != 0)
		return PROBE_NEXT_DONE;
	token_error_finding(s, l);
	if (probe_gss_state(s->gss) == PROBE_GSS_DONE) {
		/* we had finished; a token with a 401 is the server's refusal */
		rejected_finding(s, l);
		return PROBE_NEXT_DONE;
	}
	rc = step(s, l, l->recv.bytes, l->recv.len, &tok, &toklen, &e);
	if (rc == PROBE_GSS_ERROR) {
		gss_finding(s, l->n, &e, "The server's answer to the ticket");
		s->failed = true;
		return PROBE_NEXT_DONE;
	}
	if (toklen == 0) {
		rejected_finding(s, l);
		return PROBE_NEXT_DONE;
	}
	if (s->r->nlegs >= (size_t)s->cfg->max_legs) {
		struct probe_finding *f = probe_result_add_finding(s->r, CAP_F_AUTH_LOOP, l->n);

		free(tok);
		if (f != NULL) {
			cap_finding_set_num(&f->rec, "legs", (int64_t)s->r->nlegs);
			cap_finding_set_detail(&f->rec, "The handshake did not finish within %d legs "
					     "(--max-legs).", s->cfg->max_legs);
		}
		return PROBE_NEXT_DONE;
	}
	return set_authz(s, tok, toklen) == 0 ? PROBE_NEXT_REQUEST : PROBE_NEXT_DONE;
}

/* A 2xx: verify the server's final token (mutual authentication). */
static void success(struct probe_session *s, struct probe_leg *l, const struct cap_authhdr *h)
{
	const struct cap_auth_challenge *ch;
	struct probe_gss_error e;
	uint8_t *tok = NULL;
	size_t toklen = 0;

	if (s->gss == NULL) {
		struct probe_finding *f = probe_result_add_finding(s->r, CAP_F_AUTH_NOT_REQUIRED, l->n);

		if (f != NULL)
			cap_finding_set_num(&f->rec, "status", l->status);
		return;
	}
	ch = our_token(s, h);
	if (ch != NULL && take_token(s, l, ch, &l->recv) == 0 && !probe_gss_complete(s->gss)) {
		if (step(s, l, l->recv.bytes, l->recv.len, &tok, &toklen, &e) == PROBE_GSS_ERROR) {
			struct probe_finding *f =
				probe_result_add_finding(s->r, CAP_F_MUTUAL_AUTH_FAILED, l->n);

			if (f != NULL) {
				cap_finding_set_str(&f->rec, "spn", s->r->spn);
				cap_finding_set_str(&f->rec, "gss_message", e.text);
				cap_finding_set_detail(&f->rec, "The server's final token did not verify: %s.",
						     e.text);
			}
		} else {
			struct probe_gss_info info;

			probe_gss_get_info(s->gss, &info);
			/* NTLM has no mutual authentication; SPNEGO completing is not one */
			s->r->mutual_verified = info.complete && info.mech == PROBE_USED_KERBEROS;
		}
		free(tok);
	}
	s->r->authenticated = true;
	probe_gss_succeeded(s->gss);
}

enum probe_next probe_session_on_response(struct probe_session *s, const struct probe_http_resp *resp)
{
	struct probe_leg *l = record_leg(s, resp);
	struct cap_authhdr h;
	struct probe_finding *f;

	free(s->authz);
	s->authz = NULL;
	if (l == NULL)
		return PROBE_NEXT_DONE;
	s->r->status = l->status;
	if (resp->curl_code != 0) {
		s->failed = true;
		f = probe_result_add_finding(s->r, l->tls != PROBE_TLS_NONE ? CAP_F_TLS_ERROR :
								      CAP_F_CONNECT_FAILED, l->n);
		if (f == NULL)
			return PROBE_NEXT_DONE;
		cap_finding_set_str(&f->rec, "curl_error", resp->error);
		cap_finding_set_num(&f->rec, "curl_code", resp->curl_code);
		cap_finding_set_str(&f->rec, "host", s->r->u.host);
		cap_finding_set_num(&f->rec, "port", s->r->u.port);
		if (l->tls != PROBE_TLS_NONE) {
			char cert[600];

			cap_finding_set_str(&f->rec, "tls_failure", probe_tls_kind_name(l->tls));
			if (resp->verify_result != 0)
				cap_finding_set_num(&f->rec, "verify_result", resp->verify_result);
			probe_http_cert_summary(&s->cfg->http, s->r->url, cert, sizeof(cert));
			if (cert[0] != '\0')
				cap_finding_set_str(&f->rec, "certificate", cert);
			cap_finding_set_detail(&f->rec, "TLS to %s:%ld failed: %s (%s).", s->r->u.host,
					     s->r->u.port, probe_tls_kind_name(l->tls), resp->error);
			cap_finding_add_advice(&f->rec, "%s", probe_tls_kind_advice(l->tls));
		} else {
			cap_finding_set_detail(&f->rec, "Connecting to %s:%ld failed: %s.", s->r->u.host,
					     s->r->u.port, resp->error);
		}
		return PROBE_NEXT_DONE;
	}
	parse_challenges(l, &h);
	if (l->status == 401) {
		if (s->gss == NULL)
			return first_challenge(s, l, &h);
		return next_challenge(s, l, &h);
	}
	if (l->status >= 200 && l->status < 300) {
		success(s, l, &h);
		return PROBE_NEXT_DONE;
	}
	if (l->status == 400 && l->auth_header_len > 4096) {
		f = probe_result_add_finding(s->r, CAP_F_TOKEN_TOO_LARGE, l->n);
		if (f != NULL) {
			cap_finding_set_num(&f->rec, "authorization_bytes", (int64_t)l->auth_header_len);
			cap_finding_set_detail(&f->rec, "The server answered 400 to a %zu-byte Authorization "
					     "header.", l->auth_header_len);
		}
		return PROBE_NEXT_DONE;
	}
	f = probe_result_add_finding(s->r, CAP_F_UNEXPECTED_STATUS, l->n);
	if (f != NULL) {
		cap_finding_set_num(&f->rec, "status", l->status);
		if (probe_http_header(resp, "Location", 0) != NULL)
			cap_finding_set_str(&f->rec, "location", probe_http_header(resp, "Location", 0));
		cap_finding_set_detail(&f->rec, "The server answered %ld %s.", l->status, l->reason);
	}
	return PROBE_NEXT_DONE;
}

/* Asks Kerberos alone for the SPN, to say why SPNEGO did not use it. */
static void why_not_kerberos(struct probe_session *s)
{
	struct probe_gss *g;
	struct probe_gss_error e;
	uint8_t *tok = NULL;
	size_t toklen = 0;
	struct probe_finding *f;

	if (!probe_cred_has_krb5(s->cred)) {
		const struct probe_gss_error *ke = probe_cred_krb5_error(s->cred);

		if (probe_result_has(s->r, CAP_F_NO_CREDENTIALS) || probe_result_has(s->r, CAP_F_KDC_ERROR))
			return; /* already said at the first challenge */
		f = probe_result_add_finding(s->r, CAP_F_NO_CREDENTIALS, 0);
		if (f != NULL) {
			cap_finding_set_str(&f->rec, "gss_message", ke->text);
			cap_finding_set_detail(&f->rec, "No Kerberos credentials, so SPNEGO could only offer "
					     "NTLM: %s.", ke->text);
		}
		return;
	}
	g = probe_gss_new(s->cred, PROBE_WRAP_KRB5, PROBE_MECH_KERBEROS, PROBE_DELEG_NONE,
			  s->gss_name, s->hostbased);
	if (g == NULL)
		return;
	if (probe_gss_step(g, NULL, 0, &tok, &toklen, &e) == PROBE_GSS_ERROR)
		gss_finding(s, 0, &e, "Kerberos alone for the same SPN");
	free(tok);
	probe_gss_free(g);
}

static void keepalive_check(struct probe_session *s)
{
	struct probe_result *r = s->r;

	for (size_t i = 1; i < r->nlegs; i++) {
		const struct probe_leg *prev = &r->legs[i - 1], *l = &r->legs[i];
		struct probe_finding *f;

		if (prev->status != 401 || !l->conn_new || l->curl_code != 0)
			continue;
		r->keepalive_ok = false;
		if (probe_result_has(r, CAP_F_KEEPALIVE_MISSING))
			continue;
		f = probe_result_add_finding(r, CAP_F_KEEPALIVE_MISSING, l->n);
		if (f == NULL)
			continue;
		cap_finding_set_num(&f->rec, "leg", l->n);
		cap_finding_set_str(&f->rec, "connection_header", prev->connection != NULL ? prev->connection :
										"(none)");
		cap_finding_set_num(&f->rec, "previous_local_port", prev->local_port);
		cap_finding_set_num(&f->rec, "local_port", l->local_port);
		cap_finding_set_detail(&f->rec, "The 401 of leg %u %s, so leg %u needed a new TCP connection "
				     "(local port %ld, was %ld).", prev->n,
				     prev->connection != NULL &&
				     strcasestr(prev->connection, "close") != NULL ?
				     "said Connection: close" : "was followed by a closed connection",
				     l->n, l->local_port, prev->local_port);
	}
}

static void delegation_outcome(struct probe_session *s, const struct probe_gss_info *info)
{
	struct probe_result *r = s->r;
	struct probe_finding *f;

	r->ok_as_delegate_known = info->have_tkt_flags;
	r->ok_as_delegate = info->have_tkt_flags && (info->tkt_flags & PROBE_TKT_OK_AS_DELEGATE);
	if (s->cfg->deleg == PROBE_DELEG_NONE) {
		r->delegation = PROBE_DELEG_R_NOT_REQUESTED;
		return;
	}
	if (info->deleg_granted) {
		r->delegation = PROBE_DELEG_R_GRANTED;
		return;
	}
	if (info->mech == PROBE_USED_KERBEROS &&
	    (!info->have_tkt_flags || !(info->tkt_flags & PROBE_TKT_OK_AS_DELEGATE))) {
		r->delegation = PROBE_DELEG_R_NOT_TRUSTED;
		f = probe_result_add_finding(r, CAP_F_DELEGATION_NOT_TRUSTED, 0);
		if (f != NULL) {
			cap_finding_set_str(&f->rec, "spn", r->spn);
			cap_finding_set_str(&f->rec, "ok_as_delegate", info->have_tkt_flags ? "no" : "unknown");
			cap_finding_set_detail(&f->rec, "The service ticket for %s is not marked ok-as-delegate, "
					     "so no credential was delegated.", r->spn);
		}
		return;
	}
	r->delegation = PROBE_DELEG_R_REFUSED;
	f = probe_result_add_finding(r, CAP_F_DELEGATION_REFUSED, 0);
	if (f != NULL) {
		cap_finding_set_str(&f->rec, "spn", r->spn);
		cap_finding_set_detail(&f->rec, "Delegation was requested but no credential was delegated%s.",
				     info->mech == PROBE_USED_NTLM ? " (NTLM cannot delegate)" :
				     " (is the TGT forwardable? klist -f shows F)");
	}
}

void probe_session_finish(struct probe_session *s)
{
	struct probe_result *r = s->r;
	struct probe_gss_info info;
	struct probe_finding *f;

	memset(&info, 0, sizeof(info));
	if (s->gss != NULL)
		probe_gss_get_info(s->gss, &info);
	r->mech = sent_mech(s);
	if (r->url_ok && strcmp(r->u.scheme, "https") == 0 && s->cfg->http.insecure) {
		f = probe_result_add_finding(r, CAP_F_TLS_INSECURE, 0);
		if (f != NULL)
			cap_finding_set_str(&f->rec, "host", r->u.host);
	}
	keepalive_check(s);
	if (r->authenticated) {
		f = probe_result_add_finding(r, r->mech == PROBE_USED_NTLM ? CAP_F_NTLM_OK : CAP_F_KERBEROS_OK, 0);
		if (f != NULL) {
			cap_finding_set_str(&f->rec, "spn", r->spn);
			cap_finding_set_num(&f->rec, "status", r->status);
			if (r->mech == PROBE_USED_KERBEROS)
				cap_finding_set_str(&f->rec, "mutual", r->mutual_verified ? "verified" :
											"not verified");
		}
		if (r->mech == PROBE_USED_KERBEROS && !r->mutual_verified &&
		    !probe_result_has(r, CAP_F_MUTUAL_AUTH_FAILED))
			probe_result_add_finding(r, CAP_F_MUTUAL_AUTH_MISSING, 0);
	}
	if (r->mech == PROBE_USED_NTLM && s->wrap == PROBE_WRAP_SPNEGO && s->offered_negotiate &&
	    s->cfg->mech == PROBE_MECH_AUTO) {
		f = probe_result_add_finding(r, CAP_F_NTLM_FALLBACK, 0);
		if (f != NULL) {
			cap_finding_set_str(&f->rec, "spn", r->spn);
			cap_finding_set_detail(&f->rec, "The server offered Negotiate and SPNEGO chose NTLM.");
		}
		why_not_kerberos(s);
	}
	if (r->authenticated || (s->gss != NULL && info.complete))
		delegation_outcome(s, &info);
	else
		r->delegation = s->cfg->deleg == PROBE_DELEG_NONE ? PROBE_DELEG_R_NOT_REQUESTED :
								    PROBE_DELEG_R_REFUSED;
}
