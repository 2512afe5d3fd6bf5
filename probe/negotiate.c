/* negotiate.c - leg state machine of the HTTP Negotiate/NTLM handshake.
 * It drives curl and GSS-API and reports what it saw as facts (facts.h); the findings
 * come from the diagnosis engine's judges, the same as negcap's.
 * References: RFC 4559 (Negotiate over HTTP; §4.2 the final token in a 200),
 * RFC 7235 (challenges), MS-N2HT (Persistent-Auth).
 */
#include "negotiate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "negscope/authhdr.h"
#include "negscope/b64.h"
#include "browser.h"
#include "facts.h"
#include "spn.h"
#include "spncheck.h"

#define MAX_TOKEN_BYTES (64 * 1024) /* a server token beyond this is refused */

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
	bool failed;             /* GSS or transport failure ended it */
	char location[CAP_FACT_TEXT_MAX]; /* Location of the last response */
	enum probe_tls_kind tls;  /* the TLS failure that ended it */
	struct probe_facts facts;
	bool facts_ok;
	struct probe_chanbind cb; /* the binding of the last TLS handshake (probe-cb) */
	unsigned hop;             /* 0: the target URL; k: r->hops[k - 1] (-L) */
	bool restart;             /* redirected within the origin: a 401 starts anew */
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
	if (probe_facts_init(&s->facts, cfg->ldap.keytab) != 0) {
		free(s);
		return NULL;
	}
	s->facts_ok = true;
	return s;
}

void probe_session_free(struct probe_session *s)
{
	if (s == NULL)
		return;
	probe_gss_free(s->gss);
	probe_facts_free(&s->facts);
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
	return s->hop > 0 ? s->r->hops[s->hop - 1].url : s->r->url;
}

const char *probe_session_gss_name(const struct probe_session *s)
{
	return s->gss_name;
}

/* The SPN a browser asks for at URL u (the session's GSS name too); the arrays are the
 * result's canonical[256], spn[300] and spn_source[96]. */
static void choose_spn(struct probe_session *s, const struct probe_url *u, char *canonical,
		       char *spn, char *source)
{
	probe_spn_canonical_host(u->host, u->port, s->cfg->http.resolve, s->cfg->no_canonicalize,
				 canonical, 256, source, 96);
	probe_spn_choose(s->cfg->spn, canonical, u->port, s->cfg->spn_port, s->gss_name,
			 sizeof(s->gss_name), spn, 300, &s->hostbased);
	if (s->cfg->spn != NULL)
		snprintf(source, 96, "--spn");
	else if (s->cfg->spn_port && strchr(spn, ':') != NULL)
		snprintf(source + strlen(source), 96 - strlen(source), ", port added (--spn-port)");
	if (s->cfg->spn == NULL && s->cfg->browser != NULL)
		snprintf(source + strlen(source), 96 - strlen(source), "; --browser %s",
			 s->cfg->browser->name);
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
	r->chanbind.https = strcmp(r->u.scheme, "https") == 0;
	r->chanbind.withheld = r->chanbind.https && s->cfg->no_channel_binding;
	choose_spn(s, &r->u, r->canonical, r->spn, r->spn_source);
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
	l->hop = s->hop;
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
	if (resp->conn_new && (resp->curl_code == 0 || resp->local_port != 0))
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

/* A probe fact about this target on leg `leg`. */
static void fact(struct probe_session *s, struct cap_probe_fact *f, enum cap_probe_event ev,
		 unsigned leg)
{
	probe_facts_start(f, ev, s->r, leg);
	f->scheme = strcmp(s->scheme, "NTLM") == 0 ? CAP_AUTH_NTLM : CAP_AUTH_NEGOTIATE;
	snprintf(f->client, sizeof(f->client), "%.*s", (int)sizeof(f->client) - 1,
		 probe_cred_client(s->cred));
}

/* Base64-decodes the token of challenge ch into t; -1 (and a fact) on bad input. */
static int take_token(struct probe_session *s, struct probe_leg *l,
		      const struct cap_auth_challenge *ch, struct probe_token *t)
{
	size_t cap = cap_b64_decoded_max(ch->token68.len), n = 0;
	struct cap_probe_fact f;
	struct cap_b64_err e;
	uint8_t *buf;

	if (cap > MAX_TOKEN_BYTES) {
		fact(s, &f, CAP_PROBE_BAD_TOKEN, l->n);
		f.token_over_cap = true;
		f.token_chars = ch->token68.len;
		f.token_cap = MAX_TOKEN_BYTES;
		probe_facts_feed(&s->facts, &f);
		return -1;
	}
	buf = malloc(cap > 0 ? cap : 1);
	if (buf == NULL)
		return -1;
	if (cap_b64_decode(ch->token68, CAP_B64_ALLOW_WS, buf, cap, &n, &e) != CAP_OK) {
		fact(s, &f, CAP_PROBE_BAD_TOKEN, l->n);
		f.token_chars = ch->token68.len;
		probe_auth_value_shown(l->nwww > 0 ? l->www_auth[0] : "", f.header, sizeof(f.header));
		probe_facts_feed(&s->facts, &f);
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

/* A failed GSS-API call, as a fact: the judges name it. */
static void gss_fact(struct probe_session *s, unsigned leg, const struct probe_gss_error *e,
		     enum cap_probe_stage stage)
{
	struct cap_probe_fact f;

	fact(s, &f, CAP_PROBE_GSS_FAILED, leg);
	f.stage = stage;
	probe_facts_gss_error(&f, e);
	probe_facts_feed(&s->facts, &f);
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

/* Runs one GSS step and records its outcome on the leg. */
static enum probe_gss_rc step(struct probe_session *s, struct probe_leg *l, const uint8_t *in,
			      size_t inlen, uint8_t **out, size_t *outlen, struct probe_gss_error *e)
{
	double t0 = now_ms();
	enum probe_gss_rc rc;

	if (in != NULL && in == l->recv.bytes && l->recv.desc.ntlm_type == 2 &&
	    !l->recv.desc.decoded) {
		/* gss-ntlmssp 1.2 crashes on some malformed CHALLENGE messages (an AV pair
		 * running past TargetInfo): a server's bytes that our bounds-checked decoder
		 * rejects never reach it (issue 16) */
		memset(e, 0, sizeof(*e));
		e->major = 0x00090000u; /* GSS_S_DEFECTIVE_TOKEN, RFC 2744 §3.9.1 */
		snprintf(e->where, sizeof(e->where), "gss_init_sec_context");
		snprintf(e->text, sizeof(e->text), "the server's NTLM CHALLENGE is malformed, not "
			 "handed to the NTLM mechanism: %.400s", l->recv.desc.summary);
		snprintf(e->minor_text, sizeof(e->minor_text), "%.400s", l->recv.desc.summary);
		rc = PROBE_GSS_ERROR;
	} else {
		rc = probe_gss_step(s->gss, in, inlen, out, outlen, e);
	}

	l->t_gss_ms += now_ms() - t0;
	l->gss = rc == PROBE_GSS_ERROR ? PROBE_GSSO_ERROR :
		 rc == PROBE_GSS_COMPLETE ? PROBE_GSSO_COMPLETE : PROBE_GSSO_CONTINUE;
	if (rc == PROBE_GSS_ERROR) {
		free(l->gss_error);
		l->gss_error = xstrdup(e->text);
	}
	return rc;
}

/* Would the browser answer Negotiate at all on this leg's host?  Chrome and Edge with no
 * AuthServerAllowlist decide by zone (Windows) or answer any 401 (Linux, macOS): negprobe,
 * which cannot see zones, answers; Firefox with empty trusted-uris answers no host. */
static bool allowed(struct probe_session *s, unsigned leg)
{
	const struct probe_config *cfg = s->cfg;
	const char *host = probe_result_leg_url(s->r, leg)->host;
	struct cap_probe_fact f;

	if (cfg->auth_allowlist == NULL &&
	    (cfg->browser == NULL || !cfg->browser->needs_allowlist))
		return true;
	if (cfg->auth_allowlist != NULL &&
	    probe_allowlist_match(cfg->auth_allowlist, host,
				  cfg->browser != NULL ? cfg->browser->match : PROBE_ALLOW_EXACT))
		return true;
	fact(s, &f, CAP_PROBE_NOT_ALLOWED, leg);
	snprintf(f.host, sizeof(f.host), "%.*s", (int)sizeof(f.host) - 1, host);
	snprintf(f.browser, sizeof(f.browser), "%s",
		 cfg->browser != NULL ? cfg->browser->name : "");
	snprintf(f.policy, sizeof(f.policy), "%s",
		 cfg->browser != NULL ? cfg->browser->allow_policy : "--auth-allowlist");
	snprintf(f.allowlist, sizeof(f.allowlist), "%.*s", (int)sizeof(f.allowlist) - 1,
		 cfg->auth_allowlist != NULL ? cfg->auth_allowlist : "");
	probe_facts_feed(&s->facts, &f);
	return false;
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
	struct cap_probe_fact f;

	s->offered_negotiate = neg;
	if (neg) {
		snprintf(s->scheme, sizeof(s->scheme), "Negotiate");
		s->wrap = PROBE_WRAP_SPNEGO;
	} else if (ntlm && cfg->mech != PROBE_MECH_KERBEROS) {
		snprintf(s->scheme, sizeof(s->scheme), "NTLM");
		s->wrap = PROBE_WRAP_NTLM;
	} else {
		return PROBE_NEXT_DONE;
	}
	if (!allowed(s, l->n)) {
		s->failed = true;
		return PROBE_NEXT_DONE;
	}
	if ((s->wrap == PROBE_WRAP_NTLM || cfg->mech == PROBE_MECH_NTLM) && !cfg->ntlm_available) {
		fact(s, &f, CAP_PROBE_NTLM_MISSING, l->n);
		probe_facts_feed(&s->facts, &f);
		s->failed = true;
		return PROBE_NEXT_DONE;
	}
	if (s->cred != NULL && s->wrap == PROBE_WRAP_SPNEGO && cfg->mech != PROBE_MECH_NTLM &&
	    !probe_cred_has_krb5(s->cred)) {
		/* say why Kerberos is out before SPNEGO tries what is left */
		const struct probe_gss_error *ke = probe_cred_krb5_error(s->cred);

		if (ke->major != 0 || ke->krb5_code != 0)
			gss_fact(s, l->n, ke, CAP_PROBE_STAGE_CREDENTIALS);
	}
	if (s->cred == NULL ||
	    (s->wrap == PROBE_WRAP_NTLM && !probe_cred_has_ntlm(s->cred)) ||
	    (s->wrap == PROBE_WRAP_SPNEGO && !probe_cred_has_krb5(s->cred) &&
	     !probe_cred_has_ntlm(s->cred))) {
		const struct probe_gss_error *ke =
			s->cred == NULL ? NULL :
			s->wrap == PROBE_WRAP_NTLM ? probe_cred_ntlm_error(s->cred) :
			probe_cred_krb5_error(s->cred);

		fact(s, &f, CAP_PROBE_NO_CREDENTIALS, l->n);
		f.stage = CAP_PROBE_STAGE_CREDENTIALS;
		f.have_credentials = s->cred != NULL;
		f.ntlm_installed = cfg->ntlm_available;
		if (ke != NULL)
			snprintf(f.lib_message, sizeof(f.lib_message), "%.255s", ke->text);
		probe_facts_feed(&s->facts, &f);
		s->failed = true;
		return PROBE_NEXT_DONE;
	}
	s->gss = probe_gss_new(s->cred, s->wrap, cfg->mech, cfg->deleg, s->gss_name,
			       s->hostbased || s->wrap == PROBE_WRAP_NTLM);
	if (s->gss == NULL)
		return PROBE_NEXT_DONE;
	probe_chanbind_attach(s->gss, &s->cb, !cfg->no_channel_binding, s->r);
	if (step(s, l, NULL, 0, &tok, &toklen, &e) == PROBE_GSS_ERROR) {
		gss_fact(s, l->n, &e, CAP_PROBE_STAGE_FIRST_TOKEN);
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

/* Our scheme followed by text the header parser could not take as a token68
 * ("Negotiate !!not*base64"): the server's token is not base64 (issue 16). */
static void unparsed_token(struct probe_session *s, const struct probe_leg *l)
{
	size_t sl = strlen(s->scheme);

	for (size_t i = 0; i < l->nwww; i++) {
		const char *v = l->www_auth[i];
		struct cap_probe_fact f;

		if (strncasecmp(v, s->scheme, sl) != 0 || v[sl] != ' ' ||
		    v[sl + strspn(v + sl, " \t")] == '\0')
			continue;
		fact(s, &f, CAP_PROBE_BAD_TOKEN, l->n);
		f.token_chars = strlen(v + sl + strspn(v + sl, " \t"));
		probe_auth_value_shown(v, f.header, sizeof(f.header));
		probe_facts_feed(&s->facts, &f);
		return;
	}
}

/* A later 401: continue the handshake with the server's token, or stop (a 401 without
 * a token, or with one after the handshake completed, is the server's refusal: the
 * engine's rules judge it from the leg's facts). */
static enum probe_next next_challenge(struct probe_session *s, struct probe_leg *l,
				      const struct cap_authhdr *h)
{
	const struct cap_auth_challenge *ch = our_token(s, h);
	struct probe_gss_error e;
	uint8_t *tok = NULL;
	size_t toklen = 0;
	enum probe_gss_rc rc;

	if (ch == NULL) {
		unparsed_token(s, l);
		return PROBE_NEXT_DONE;
	}
	if (take_token(s, l, ch, &l->recv) != 0)
		return PROBE_NEXT_DONE;
	if (probe_gss_state(s->gss) == PROBE_GSS_DONE)
		return PROBE_NEXT_DONE;
	rc = step(s, l, l->recv.bytes, l->recv.len, &tok, &toklen, &e);
	if (rc == PROBE_GSS_ERROR) {
		gss_fact(s, l->n, &e, CAP_PROBE_STAGE_SERVER_TOKEN);
		s->failed = true;
		return PROBE_NEXT_DONE;
	}
	if (toklen == 0)
		return PROBE_NEXT_DONE;
	if (s->r->nlegs - (s->hop > 0 ? s->r->hops[s->hop - 1].first_leg - 1 : 0) >=
	    (size_t)s->cfg->max_legs) {
		struct cap_probe_fact f;

		free(tok);
		fact(s, &f, CAP_PROBE_LEGS_EXHAUSTED, l->n);
		f.legs = (unsigned)s->r->nlegs;
		f.max_legs = (unsigned)s->cfg->max_legs;
		probe_facts_feed(&s->facts, &f);
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

	if (s->gss == NULL)
		return; /* no challenge: the outcome's judge says so */
	ch = our_token(s, h);
	if (ch != NULL && take_token(s, l, ch, &l->recv) == 0 && !probe_gss_complete(s->gss)) {
		if (step(s, l, l->recv.bytes, l->recv.len, &tok, &toklen, &e) == PROBE_GSS_ERROR) {
			struct cap_probe_fact f;

			fact(s, &f, CAP_PROBE_MUTUAL_FAILED, l->n);
			probe_facts_gss_error(&f, &e);
			snprintf(f.lib_message, sizeof(f.lib_message), "%.255s", e.text);
			probe_facts_feed(&s->facts, &f);
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

static void transport_failed(struct probe_session *s, const struct probe_leg *l,
			     const struct probe_http_resp *resp)
{
	static const enum cap_probe_cut cut[] = {
		[PROBE_HTTP_CUT_NONE] = CAP_PROBE_CUT_NONE,
		[PROBE_HTTP_CUT_HEAD] = CAP_PROBE_CUT_HEAD,
		[PROBE_HTTP_CUT_BODY] = CAP_PROBE_CUT_BODY,
		[PROBE_HTTP_CUT_TIMEOUT] = CAP_PROBE_CUT_TIMEOUT,
		[PROBE_HTTP_CUT_TOO_LARGE] = CAP_PROBE_CUT_HEAD_TOO_LARGE,
	};
	struct cap_probe_fact f;

	fact(s, &f, CAP_PROBE_TRANSPORT_FAILED, l->n);
	snprintf(f.host, sizeof(f.host), "%.255s", probe_result_leg_url(s->r, l->n)->host);
	f.curl_code = resp->curl_code;
	snprintf(f.curl_error, sizeof(f.curl_error), "%.255s", resp->error);
	f.cut = cut[resp->cut];
	f.received = resp->head_bytes + resp->body_bytes;
	f.head_limit = PROBE_HTTP_MAX_HEAD;
	f.status = (int)resp->status;
	s->tls = l->tls;
	if (l->tls != PROBE_TLS_NONE) {
		snprintf(f.tls_failure, sizeof(f.tls_failure), "%.31s", probe_tls_kind_name(l->tls));
		f.verify_result = resp->verify_result;
		snprintf(f.certificate, sizeof(f.certificate), "%.255s", resp->certificate);
	}
	probe_facts_feed(&s->facts, &f);
}

static bool is_redirect(long status)
{
	return status == 301 || status == 302 || status == 303 || status == 307 ||
	       status == 308;
}

/* -L: the next leg goes where Location points, as a browser's would (RFC 9110 §15.4).
 * Another origin (scheme, host or port) authenticates again, with its own SPN; within the
 * origin, a 401 there starts a new handshake with the same SPN. */
static enum probe_next redirect(struct probe_session *s, const struct probe_leg *l,
				const char *location)
{
	struct probe_result *r = s->r;
	const struct probe_url *from = probe_result_leg_url(r, l->n);
	const char *from_spn = probe_result_leg_spn(r, l->n);
	struct probe_hop *h;
	char err[256];
	char *url;

	if (r->nhops >= (size_t)s->cfg->max_redirs || r->nhops >= PROBE_MAX_REDIRS_LIMIT) {
		r->redirs_capped = true;
		return PROBE_NEXT_DONE;
	}
	if (probe_url_resolve(probe_session_url(s), location, &url, err, sizeof(err)) != 0)
		return PROBE_NEXT_DONE; /* unexpected-status names the Location */
	h = &r->hops[r->nhops];
	memset(h, 0, sizeof(*h));
	if (probe_url_parse(url, &h->u, err, sizeof(err)) != 0) {
		free(url);
		return PROBE_NEXT_DONE;
	}
	h->url = url;
	h->status = l->status;
	h->first_leg = l->n + 1;
	h->new_origin = strcmp(h->u.scheme, from->scheme) != 0 ||
			strcasecmp(h->u.host, from->host) != 0 || h->u.port != from->port;
	choose_spn(s, &h->u, h->canonical, h->spn, h->spn_source);
	h->new_spn = strcasecmp(h->spn, from_spn) != 0;
	s->hop = (unsigned)++r->nhops;
	s->restart = true;
	if (h->new_origin) {
		/* what the last origin granted does not carry over */
		probe_gss_free(s->gss);
		s->gss = NULL;
		s->restart = false;
		r->authenticated = false;
		r->mutual_verified = false;
	}
	return PROBE_NEXT_REQUEST;
}

enum probe_next probe_session_on_response(struct probe_session *s, const struct probe_http_resp *resp)
{
	struct probe_leg *l = record_leg(s, resp);
	struct cap_authhdr h;
	const char *loc;

	if (l != NULL)
		probe_facts_leg(&s->facts, s->r, l, s->authz);
	free(s->authz);
	s->authz = NULL;
	if (l == NULL)
		return PROBE_NEXT_DONE;
	if (resp->chanbind.len > 0)
		s->cb = resp->chanbind;
	s->r->status = l->status;
	if (resp->curl_code != 0) {
		s->failed = true;
		transport_failed(s, l, resp);
		return PROBE_NEXT_DONE;
	}
	loc = probe_http_header(resp, "Location", 0);
	snprintf(s->location, sizeof(s->location), "%.255s", loc != NULL ? loc : "");
	parse_challenges(l, &h);
	if (l->status == 401) {
		if (s->restart) {
			/* a new handshake at the URL redirected to */
			probe_gss_free(s->gss);
			s->gss = NULL;
			s->restart = false;
			s->r->authenticated = false;
		}
		if (s->gss == NULL)
			return first_challenge(s, l, &h);
		return next_challenge(s, l, &h);
	}
	if ((l->status >= 200 && l->status < 300) ||
	    (s->cfg->follow && is_redirect(l->status) && s->gss != NULL && !s->restart))
		/* -L: a redirect answering the last leg is its success too (the final token
		 * may come in any answer but a 401, RFC 4559 §4.2) */
		success(s, l, &h);
	if (s->cfg->follow && is_redirect(l->status) && loc != NULL)
		return redirect(s, l, loc);
	/* any other status ends the handshake; the judges name it */
	return PROBE_NEXT_DONE;
}

/* Asks Kerberos alone for the SPN, to learn why SPNEGO did not use it. */
static void why_not_kerberos(struct probe_session *s)
{
	struct probe_gss *g;
	struct probe_gss_error e;
	uint8_t *tok = NULL;
	size_t toklen = 0;

	if (!probe_cred_has_krb5(s->cred)) {
		struct cap_probe_fact f;

		fact(s, &f, CAP_PROBE_NO_CREDENTIALS, 0);
		f.stage = CAP_PROBE_STAGE_KERBEROS_ALONE;
		f.scheme = CAP_AUTH_KERBEROS;
		f.have_credentials = true;
		snprintf(f.lib_message, sizeof(f.lib_message), "%.255s",
			 probe_cred_krb5_error(s->cred)->text);
		probe_facts_feed(&s->facts, &f);
		return;
	}
	g = probe_gss_new(s->cred, PROBE_WRAP_KRB5, PROBE_MECH_KERBEROS, PROBE_DELEG_NONE,
			  s->gss_name, s->hostbased);
	if (g == NULL)
		return;
	if (probe_gss_step(g, NULL, 0, &tok, &toklen, &e) == PROBE_GSS_ERROR)
		gss_fact(s, 0, &e, CAP_PROBE_STAGE_KERBEROS_ALONE);
	free(tok);
	probe_gss_free(g);
}

/* keep-alive as an outcome (--expect keepalive): every leg after a 401 on the same
 * connection.  Its finding, keepalive-missing, comes from the connection facts. */
static void keepalive_outcome(struct probe_result *r)
{
	for (size_t i = 1; i < r->nlegs; i++) {
		const struct probe_leg *prev = &r->legs[i - 1], *l = &r->legs[i];

		if (prev->status == 401 && l->conn_new && l->curl_code == 0)
			r->keepalive_ok = false;
	}
}

static enum cap_probe_mech fact_mech(enum probe_used_mech m)
{
	return m == PROBE_USED_KERBEROS ? CAP_PROBE_MECH_KERBEROS :
	       m == PROBE_USED_NTLM ? CAP_PROBE_MECH_NTLM : CAP_PROBE_MECH_NONE;
}

/* The delegation outcome, as the judges named it. */
static void delegation_outcome(struct probe_session *s, const struct probe_gss_info *info)
{
	struct probe_result *r = s->r;

	r->ok_as_delegate_known = info->have_tkt_flags;
	r->ok_as_delegate = info->have_tkt_flags && (info->tkt_flags & PROBE_TKT_OK_AS_DELEGATE);
	if (s->cfg->deleg == PROBE_DELEG_NONE)
		r->delegation = PROBE_DELEG_R_NOT_REQUESTED;
	else if (info->deleg_granted && (r->authenticated || info->complete))
		r->delegation = PROBE_DELEG_R_GRANTED;
	else if (probe_result_has(r, CAP_F_DELEGATION_NOT_TRUSTED))
		r->delegation = PROBE_DELEG_R_NOT_TRUSTED;
	else
		r->delegation = PROBE_DELEG_R_REFUSED;
}

/* --check-spn: which forms the KDC knows, as a fact for the spn-unknown judge. */
static void spn_checks(struct probe_session *s)
{
	struct probe_result *r = s->r;
	struct cap_probe_fact *f = malloc(sizeof(*f));

	probe_spncheck_run(s->cfg, s->cred, r);
	if (f == NULL)
		return;
	fact(s, f, CAP_PROBE_SPN_CHECKS, 0);
	for (size_t i = 0; i < r->nspn_checks && f->nforms < CAP_PROBE_SPN_FORMS; i++) {
		struct cap_probe_spn_form *sf = &f->forms[f->nforms++];

		snprintf(sf->spn, sizeof(sf->spn), "%.255s", r->spn_checks[i].spn);
		sf->exists = r->spn_checks[i].exists;
	}
	probe_facts_feed(&s->facts, f);
	if (r->ldap.ran) { /* --ldap: the directory's answers, for their judge */
		fact(s, f, CAP_PROBE_SPN_DIRECTORY, 0);
		probe_ldap_audit_fact(&r->ldap, f);
		probe_facts_feed(&s->facts, f);
	}
	free(f);
}

void probe_session_finish(struct probe_session *s)
{
	struct probe_result *r = s->r;
	struct probe_gss_info info;
	struct cap_probe_fact f;

	memset(&info, 0, sizeof(info));
	if (s->gss != NULL)
		probe_gss_get_info(s->gss, &info);
	r->mech = sent_mech(s);
	keepalive_outcome(r);
	if (r->mech == PROBE_USED_NTLM && s->wrap == PROBE_WRAP_SPNEGO && s->offered_negotiate &&
	    s->cfg->mech == PROBE_MECH_AUTO)
		why_not_kerberos(s);
	fact(s, &f, CAP_PROBE_OUTCOME, 0);
	f.https = r->url_ok && strcmp(r->u.scheme, "https") == 0;
	f.tls_unverified = s->cfg->http.insecure;
	f.status = (int)r->status;
	snprintf(f.location, sizeof(f.location), "%s", s->location);
	f.gss_started = s->gss != NULL;
	f.gss_complete = info.complete;
	f.authenticated = r->authenticated;
	f.mech = fact_mech(r->mech);
	f.mech_forced = s->cfg->mech != PROBE_MECH_AUTO;
	f.deleg_requested = s->cfg->deleg != PROBE_DELEG_NONE;
	f.deleg_granted = info.deleg_granted;
	f.have_tkt_flags = info.have_tkt_flags;
	f.ok_as_delegate = info.have_tkt_flags && (info.tkt_flags & PROBE_TKT_OK_AS_DELEGATE);
	f.chanbind_sent = r->chanbind.sent;
	f.chanbind_withheld = r->chanbind.withheld;
	snprintf(f.chanbind_subject, sizeof(f.chanbind_subject), "%s", r->chanbind.subject);
	snprintf(f.chanbind_sha256, sizeof(f.chanbind_sha256), "%s", r->chanbind.fingerprint);
	probe_facts_feed(&s->facts, &f);
	if (s->cfg->check_spn && r->url_ok)
		spn_checks(s);
	probe_facts_finish(&s->facts, r);
	delegation_outcome(s, &info);
	/* the report says what to do about this kind of TLS failure (tls_error.c's words) */
	for (size_t i = 0; i < r->nfindings && s->tls != PROBE_TLS_NONE; i++)
		if (r->findings[i].rec.id == CAP_F_TLS_ERROR)
			cap_finding_add_advice(&r->findings[i].rec, "%s", probe_tls_kind_advice(s->tls));
}
