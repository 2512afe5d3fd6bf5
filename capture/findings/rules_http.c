/* rules_http.c - findings from the HTTP legs of a conversation.
 *
 * Signatures from ../shared/docs/domain.md §C2-C4: NTLM inside Negotiate (raw or in
 * SPNEGO), a 401 without Negotiate, a close after a 401 challenge, the acceptor's
 * KRB-ERROR in a SPNEGO reject, repeated rejections, an oversized Authorization header.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "findings/engine.h"
#include "findings/txt.h"
#include "negscope/ntlmssp.h"

/* HTTP.sys MaxFieldLength / MaxRequestBytes default (domain.md C4.8). */
#define HTTPSYS_HEADER_LIMIT 16384

static bool is_success(int status)
{
	return status >= 200 && status < 400;
}

static bool is_challenge(int status)
{
	return status == 401 || status == 407;
}

static void offered_list(uint32_t offered, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int s = CAP_AUTH_NEGOTIATE; s <= CAP_AUTH_OTHER; s++) {
		if ((offered & CAP_AUTH_BIT(s)) == 0)
			continue;
		int w = snprintf(buf + n, len - n, "%s%s", n ? ", " : "",
				 cap_auth_scheme_name((enum cap_auth_scheme)s));
		if (w < 0 || (size_t)w >= len - n)
			break;
		n += (size_t)w;
	}
}

static void ticket_evidence(struct cap_finding *f, const struct req_auth *t)
{
	if (t->sname[0] != '\0')
		cap_finding_set_str(f, "spn", t->sname);
	if (t->realm[0] != '\0')
		cap_finding_set_str(f, "realm", t->realm);
	if (t->kvno >= 0)
		cap_finding_set_num(f, "kvno", t->kvno);
	if (t->etype >= 0) {
		const char *n = cap_krb_etype_name(t->etype);

		cap_finding_set_num(f, "etype", t->etype);
		if (n != NULL)
			cap_finding_set_str(f, "etype_name", n);
	}
}

/* Adds frames to the conversation's keepalive-missing finding without counting a new
 * occurrence (the FIN after a Connection: close, the SYN of the next connection). */
static void keepalive_frame(struct cap_analysis *a, struct conv *c, uint64_t frame)
{
	struct cap_finding f;

	cap_finding_init(&f, CAP_F_KEEPALIVE_MISSING);
	f.count = 0;
	cap_finding_add_frame(&f, frame);
	cap_finding_set_key(&f, "%u", c != NULL ? c->pub.id : 0);
	engine_emit(a, &f);
}

/* keepalive-missing: the server broke a connection-bound handshake (the engine says how
 * in hs->broken_by), and the frames that join it (its FIN, the next connection's SYN). */
static void judge_keepalive(struct cap_analysis *a, const struct judge_ctx *j)
{
	struct hstream *hs = j->hs;
	const char *closed_by;
	struct cap_finding f;

	if (hs == NULL) { /* JUDGE_HTTP_RECONNECT */
		keepalive_frame(a, j->c, j->c->reconnect_frame);
		return;
	}
	if (hs->joins_frame != 0)
		keepalive_frame(a, hs->conv, hs->joins_frame);
	closed_by = hs->broken_by;
	if (closed_by == NULL)
		return;
	cap_finding_init(&f, CAP_F_KEEPALIVE_MISSING);
	engine_conv_evidence(&f, hs->conv);
	cap_finding_add_frame(&f, hs->challenge_frame);
	cap_finding_add_frame(&f, hs->broken_frame);
	cap_finding_set_str(&f, "closed_by", closed_by);
	cap_finding_set_num(&f, "stream", hs->stream);
	f.w.detail = hs->challenge_token ? CAP_D_KEEPALIVE_AFTER_NTLM_CHALLENGE
					 : CAP_D_KEEPALIVE_AFTER_CHALLENGE;
	f.w.frame = hs->challenge_frame;
	cap_finding_set_key(&f, "%u", hs->conv != NULL ? hs->conv->pub.id : 0);
	engine_emit(a, &f);
}

static void fallback_finding(struct cap_analysis *a, struct conv *c,
			     const struct cap_http_fact *f)
{
	struct cap_finding fd;
	struct client_state *cs = engine_client(a, &f->client);
	const struct cap_auth_fact *t = &f->auth;

	cap_finding_init(&fd, CAP_F_NTLM_FALLBACK);
	engine_conv_evidence(&fd, c);
	cap_finding_add_frame(&fd, f->frame);
	cap_finding_set_str(&fd, "scheme", cap_auth_scheme_name(t->scheme));
	if (t->kind == CAP_TOKEN_NTLM) {
		cap_finding_set_str(&fd, "ntlm_message", cap_ntlm_type_name((uint32_t)t->ntlm_type));
		cap_finding_set_str(&fd, "wrapping", t->spnego ? "spnego" : "raw");
	}
	cap_finding_set_str(&fd, "token", cap_token_kind_name(t->kind));
	if (cs != NULL && cs->kdc_err >= 0) {
		cap_finding_add_frame(&fd, cs->kdc_err_frame);
		cap_finding_set_num(&fd, "kdc_error_code", cs->kdc_err);
		fd.w.detail = CAP_D_FALLBACK_AFTER_KDC_ERROR;
		fd.w.frame = cs->kdc_err_frame;
		cap_finding_words_name(&fd, 0, cs->kdc_err_sname);
	} else if (cs != NULL && cs->kdc_unreachable) {
		fd.w.detail = CAP_D_FALLBACK_KDC_UNREACHABLE;
	} else if (t->scheme == CAP_AUTH_NEGOTIATE) {
		fd.w.detail = CAP_D_FALLBACK_NTLM_IN_NEGOTIATE;
	} else {
		fd.w.detail = CAP_D_FALLBACK_NTLM_SCHEME;
	}
	cap_finding_set_key(&fd, "%u", c->pub.id);
	engine_emit(a, &fd);
}

/* Negotiate / NTLM on an HTTP/2 stream (RFC 4559 schemes authenticate a connection). */
static void judge_http2_request(struct cap_analysis *a, const struct judge_ctx *j)
{
	const struct cap_http_fact *f = j->http;
	struct conv *c = j->c;
	struct cap_finding fd;

	if (!f->http2 || !f->has_auth ||
	    (f->auth.scheme != CAP_AUTH_NEGOTIATE && f->auth.scheme != CAP_AUTH_NTLM))
		return;

	cap_finding_init(&fd, CAP_F_HTTP2_AUTH);
	engine_conv_evidence(&fd, c);
	cap_finding_add_frame(&fd, f->frame);
	cap_finding_set_str(&fd, "scheme", cap_auth_scheme_name(f->auth.scheme));
	cap_finding_set_num(&fd, "h2_stream", (int64_t)f->h2_stream_id);
	fd.w.detail = CAP_D_HTTP2_AUTH;
	fd.w.frame = f->frame;
	cap_finding_set_key(&fd, "%u", c != NULL ? c->pub.id : 0);
	engine_emit(a, &fd);
}

/* The refused HTTP/2 request that f, an HTTP/1.x request, repeats: RFC 9113 section 7's
 * HTTP_1_1_REQUIRED asks the client to send the request again over HTTP/1.1, which takes a
 * new connection (ALPN http/1.1, or no h2c).  So the same client sends the same method and
 * target, for the same host (":authority" against Host; no check when either is absent),
 * to the same server address and port, on another connection, after the refusal and
 * within H2_RETRY_WINDOW of it.  The earliest such refusal when several match. */
static struct h2_req *refused_request(struct client_state *cs, const struct cap_http_fact *f)
{
	struct h2_req *best = NULL;

	for (unsigned i = 0; i < CS_H2; i++) {
		struct h2_req *r = &cs->h2[i];
		const struct cap_endpoint *srv = &r->server;

		if (r->frame == 0 || r->refused_frame == 0 || f->frame <= r->refused_frame ||
		    f->stream == r->stream || f->ts - r->refused_ts > H2_RETRY_WINDOW)
			continue;
		if (srv->family != f->server.family || srv->port != f->server.port ||
		    memcmp(srv->addr, f->server.addr, sizeof(srv->addr)) != 0)
			continue;
		/* methods are case-sensitive (RFC 9110 section 9.1), hosts are not */
		if (strcmp(r->method, f->method) != 0 || strcmp(r->target, f->target) != 0)
			continue;
		if (r->host[0] != '\0' && f->host[0] != '\0' && strcasecmp(r->host, f->host) != 0)
			continue;
		if (best == NULL || r->refused_frame < best->refused_frame)
			best = r;
	}
	return best;
}

/* http2-downgrade: the refusal (h2_stream the request it refused) and the retry. */
static void judge_http2_downgrade(struct cap_analysis *a, const struct judge_ctx *j)
{
	const struct cap_http_fact *f = j->http;
	struct client_state *cs;
	struct h2_req *r;
	struct cap_finding fd;

	if (f->http2)
		return;
	cs = engine_client(a, &f->client);
	if (cs == NULL || cs->h2 == NULL)
		return;
	r = refused_request(cs, f);
	if (r == NULL)
		return;
	cap_finding_init(&fd, CAP_F_HTTP2_DOWNGRADE);
	if (j->c != NULL) {
		engine_conv_evidence(&fd, j->c);
	} else {
		char buf[80];

		cap_finding_set_str(&fd, "client", engine_addr(&f->client, buf, sizeof(buf)));
		cap_finding_set_str(&fd, "server", engine_ep(&f->server, buf, sizeof(buf)));
	}
	cap_finding_add_frame(&fd, r->refused_frame);
	cap_finding_add_frame(&fd, f->frame);
	cap_finding_set_num(&fd, "refused_frame", (int64_t)r->refused_frame);
	cap_finding_set_num(&fd, "h2_stream", (int64_t)r->h2_id);
	cap_finding_set_num(&fd, "retry_frame", (int64_t)f->frame);
	fd.w.detail = CAP_D_HTTP2_DOWNGRADE;
	fd.w.frame = f->frame;
	/* one GOAWAY can refuse several requests: one finding each */
	cap_finding_set_key(&fd, "%llu:%u", (unsigned long long)r->refused_frame, r->h2_id);
	memset(r, 0, sizeof(*r)); /* retried: its slot is free */
	engine_emit(a, &fd);
}

/* A request's credentials: an oversized header, NTLM in Negotiate, an NTLM AUTHENTICATE
 * on another connection than its CHALLENGE. */
static void judge_request(struct cap_analysis *a, const struct judge_ctx *j)
{
	const struct cap_http_fact *f = j->http;
	const struct cap_auth_fact *t = &f->auth;
	struct conv *c = j->c;

	if (!f->has_auth)
		return;
	if (t->value_len > HTTPSYS_HEADER_LIMIT) {
		struct cap_finding fd;

		cap_finding_init(&fd, CAP_F_TOKEN_TOO_LARGE);
		engine_conv_evidence(&fd, c);
		cap_finding_add_frame(&fd, f->frame);
		cap_finding_set_num(&fd, "header_bytes", (int64_t)t->value_len);
		cap_finding_set_str(&fd, "scheme", cap_auth_scheme_name(t->scheme));
		fd.w.detail = CAP_D_TOKEN_HEADER_SIZE;
		fd.w.num[0] = HTTPSYS_HEADER_LIMIT;
		cap_finding_set_key(&fd, "%u", c != NULL ? c->pub.id : 0);
		engine_emit(a, &fd);
	}
	if (c == NULL)
		return;
	if ((t->scheme == CAP_AUTH_NEGOTIATE && t->kind == CAP_TOKEN_NTLM &&
	     (t->ntlm_type == 1 || t->ntlm_type == 3)) ||
	    (t->scheme == CAP_AUTH_NTLM && c->offered_negotiate && t->ntlm_type != 3))
		fallback_finding(a, c, f);
	/* NTLM is connection-bound: an AUTHENTICATE on another connection than its
	 * CHALLENGE cannot succeed (domain.md C4.6). */
	if (j->req != NULL && j->req->ntlm_new_conn) {
		struct cap_finding fd;

		cap_finding_init(&fd, CAP_F_KEEPALIVE_MISSING);
		engine_conv_evidence(&fd, c);
		cap_finding_add_frame(&fd, c->ntlm_challenge_frame);
		cap_finding_add_frame(&fd, f->frame);
		cap_finding_set_str(&fd, "closed_by", "new connection");
		cap_finding_set_num(&fd, "stream", c->ntlm_challenge_stream);
		cap_finding_set_num(&fd, "next_stream", f->stream);
		fd.w.detail = CAP_D_KEEPALIVE_NEW_CONNECTION;
		cap_finding_set_key(&fd, "%u", c->pub.id);
		engine_emit(a, &fd);
	}
}

static void server_error_token(struct cap_analysis *a, struct conv *c,
			       const struct req_info *req, const struct cap_http_fact *f)
{
	const struct cap_auth_fact *tok = &f->auth;
	enum cap_finding_id id = cap_finding_for_krb_error(tok->error_code, false, false);
	struct cap_finding fd;

	if (id == CAP_F_COUNT)
		id = CAP_F_KRB_AP_ERROR;
	cap_finding_init(&fd, id);
	engine_conv_evidence(&fd, c);
	if (req != NULL)
		cap_finding_add_frame(&fd, req->frame);
	cap_finding_add_frame(&fd, f->frame);
	cap_finding_set_num(&fd, "error_code", tok->error_code);
	cap_finding_set_str(&fd, "error_name", tok->error_name);
	cap_finding_set_str(&fd, "source", "web server (SPNEGO token in the 401)");
	if (req != NULL && req->has_auth && req->auth.kind == CAP_TOKEN_KRB_AP_REQ)
		ticket_evidence(&fd, &req->auth);
	fd.w.detail = req != NULL && req->auth.sname[0] != '\0' ? CAP_D_AP_ERROR_FOR_TICKET
								  : CAP_D_AP_ERROR_TOKEN;
	fd.w.num[0] = req != NULL ? req->auth.kvno : -1;
	if (req != NULL) {
		fd.w.num[1] = req->auth.etype;
		cap_finding_words_name(&fd, 0, req->auth.sname);
		cap_finding_words_name(&fd, 1, req->auth.realm);
	}
	if ((id == CAP_F_KRB_AP_ERR_MODIFIED || id == CAP_F_KRB_AP_ERR_NOKEY) && req != NULL &&
	    strncasecmp(req->auth.sname, "HTTP/", 5) == 0)
		fd.w.advice |= CAP_A_SETSPN_Q_ACCOUNT;
	if (id == CAP_F_KRB_AP_ERR_MODIFIED && tok->error_code == 44)
		fd.w.advice |= CAP_A_BADKEYVER;
	cap_finding_set_key(&fd, "%u/%d/%s", c->pub.id, tok->error_code,
			    req != NULL ? req->auth.sname : "");
	engine_emit(a, &fd);
}

/* A finding about one request and the response that answered it. */
static void exchange_finding(struct cap_finding *fd, enum cap_finding_id id,
			     const struct judge_ctx *j)
{
	cap_finding_init(fd, id);
	engine_conv_evidence(fd, j->c);
	if (j->req != NULL)
		cap_finding_add_frame(fd, j->req->frame);
	cap_finding_add_frame(fd, j->http->frame);
}

/* HTTP.sys refused the header itself (token-too-large): authentication never ran. */
static bool header_refused(const struct req_info *req, const struct cap_http_fact *f)
{
	return f->status == 400 && req != NULL && req->has_auth &&
	       (req->auth.scheme == CAP_AUTH_NEGOTIATE || req->auth.scheme == CAP_AUTH_KERBEROS) &&
	       req->auth.value_len >= LARGE_NEGOTIATE_HEADER;
}

/* negotiate-not-offered: only a first challenge lists what the server offers; a 401
 * carrying a continuation token is a later leg of a handshake the client chose, and a 401
 * answering credentials after a first challenge is that handshake's rejection: its fresh
 * offer restarts authentication (RFC 7235 §3.1), it tells nothing new about the server's
 * schemes.  Credentials sent with no challenge seen (a capture starting mid-way, a client
 * sending them first) leave the rejection as the only offer there is. */
static void judge_not_offered(struct cap_analysis *a, const struct judge_ctx *j)
{
	const struct cap_http_fact *f = j->http;
	struct cap_finding fd;
	char list[128];

	if (j->hs->state != HS_CHALLENGED &&
	    (j->hs->state != HS_REJECTED || j->c->first_challenge_seen))
		return;
	if (!is_challenge(f->status) ||
	    (f->offered & (CAP_AUTH_BIT(CAP_AUTH_NEGOTIATE) | CAP_AUTH_BIT(CAP_AUTH_KERBEROS))) ||
	    (f->offered == 0 && f->status != 401) ||
	    (f->offered != 0 &&
	     !(f->offered & (CAP_AUTH_BIT(CAP_AUTH_NTLM) | CAP_AUTH_BIT(CAP_AUTH_BASIC) |
			     CAP_AUTH_BIT(CAP_AUTH_DIGEST)))))
		return;
	offered_list(f->offered, list, sizeof(list));
	cap_finding_init(&fd, CAP_F_NEGOTIATE_NOT_OFFERED);
	engine_conv_evidence(&fd, j->c);
	cap_finding_add_frame(&fd, f->frame);
	cap_finding_set_str(&fd, "offered", f->offered != 0 ? list : "none");
	cap_finding_set_num(&fd, "status", f->status);
	fd.w.detail = CAP_D_NEGOTIATE_NOT_OFFERED;
	if (f->offered == 0) {
		/* a 401 with no WWW-Authenticate at all (RFC 7235 §3.1 requires one): no
		 * client can answer it; it may also be the application's own 401, so a
		 * warning */
		fd.w.detail = CAP_D_NO_SCHEME_OFFERED;
		fd.severity = CAP_SEV_WARNING;
	}
	fd.w.frame = f->frame;
	cap_finding_set_key(&fd, "%u", j->c->pub.id);
	engine_emit(a, &fd);
}

/* first-offer-not-captured: the conversation's first answer already continues a
 * handshake (a 401 with a continuation token, or the answer to an NTLM AUTHENTICATE
 * whose CHALLENGE is not in the capture). */
static void judge_first_offer_missing(struct cap_analysis *a, const struct judge_ctx *j)
{
	const struct cap_http_fact *f = j->http;
	enum cap_auth_scheme scheme;
	enum cap_token_kind kind;
	struct cap_finding fd;

	if (!j->c->start_missed_now || (!f->has_auth && j->req == NULL))
		return;
	/* The continuation token of the 401, or the AUTHENTICATE that the answer answers. */
	scheme = f->has_auth ? f->auth.scheme : j->req->auth.scheme;
	kind = f->has_auth ? f->auth.kind : j->req->auth.kind;
	exchange_finding(&fd, CAP_F_FIRST_OFFER_NOT_CAPTURED, j);
	cap_finding_set_str(&fd, "scheme", cap_auth_scheme_name(scheme));
	cap_finding_set_str(&fd, "token", cap_token_kind_name(kind));
	fd.w.detail = CAP_D_FIRST_OFFER_NOT_CAPTURED;
	fd.w.frame = f->frame;
	cap_finding_set_key(&fd, "%u", j->c->pub.id);
	engine_emit(a, &fd);
}

/* The acceptor's verdict on a Kerberos ticket in a 401: an error token concerns the web
 * server; no token at all is kerberos-rejected. */
static void judge_server_token(struct cap_analysis *a, const struct judge_ctx *j)
{
	const struct cap_http_fact *f = j->http;
	const struct req_info *req = j->req;
	const struct cap_auth_fact *tok = f->has_auth ? &f->auth : NULL;
	struct cap_finding fd;

	if (!is_challenge(f->status))
		return;
	if (tok != NULL && tok->kind == CAP_TOKEN_KRB_ERROR && tok->error_code >= 0) {
		server_error_token(a, j->c, req, f);
		return;
	}
	if (req == NULL || !req->has_auth || req->auth.kind != CAP_TOKEN_KRB_AP_REQ ||
	    (tok != NULL && tok->kind != CAP_TOKEN_NONE && tok->kind != CAP_TOKEN_SPNEGO))
		return;
	exchange_finding(&fd, CAP_F_KERBEROS_REJECTED, j);
	ticket_evidence(&fd, &req->auth);
	if (strncasecmp(req->auth.sname, "HTTP/", 5) == 0)
		fd.w.advice |= CAP_A_SETSPN_Q_POOL;
	fd.w.detail = CAP_D_KERBEROS_REJECTED;
	fd.w.frame = req->frame;
	fd.w.num[0] = f->status;
	cap_finding_words_name(&fd, 0, req->auth.sname);
	cap_finding_set_key(&fd, "%u/%s", j->c->pub.id, req->auth.sname);
	engine_emit(a, &fd);
}

/* After authentication: authorization (403), method (405), application (5xx).  Other
 * answers (a 404, a 400) are the request's own business. */
static bool refused_after_auth(int status)
{
	return status == 403 || status == 405 || status >= 500;
}

/* Authenticated, then refused: authorization (403), method (405), application (5xx). */
static void failed_after_auth(struct cap_analysis *a, const struct judge_ctx *j,
			      const char *scheme)
{
	const struct cap_http_fact *f = j->http;
	const struct req_info *req = j->req;
	struct cap_finding fd;
	const char *cause = f->status == 403 ? "authorization"
			    : f->status == 405 ? "method" : "application";

	exchange_finding(&fd, CAP_F_FAILED_AFTER_AUTH, j);
	cap_finding_set_str(&fd, "scheme", scheme);
	if (req->auth.user[0] != '\0')
		cap_finding_set_str(&fd, "user", req->auth.user);
	if (req->auth.sname[0] != '\0')
		cap_finding_set_str(&fd, "spn", req->auth.sname);
	cap_finding_set_num(&fd, "status", f->status);
	cap_finding_set_str(&fd, "cause", cause);
	fd.w.detail = CAP_D_FAILED_AFTER_AUTH;
	fd.w.advice |= CAP_A_AFTER_AUTH;
	cap_finding_words_name(&fd, 0, req->method);
	cap_finding_words_name(&fd, 1, req->target);
	cap_finding_words_name(&fd, 2, f->reason);
	cap_finding_set_key(&fd, "%u/%s%s/%d", j->c->pub.id, req->auth.user, req->auth.sname,
			    f->status);
	engine_emit(a, &fd);
}

/* The answer to an NTLM AUTHENTICATE: anything but 401 means the user authenticated.  A
 * 401 to an AUTHENTICATE sent on a new connection is keepalive-missing's symptom: its
 * frames and a line join that finding, with no password advice. */
static void judge_ntlm_result(struct cap_analysis *a, const struct judge_ctx *j)
{
	const struct cap_http_fact *f = j->http;
	const struct req_info *req = j->req;
	struct cap_finding fd;
	bool chal = j->hs->state == HS_REJECTED;

	if (req == NULL || !req->has_auth || req->auth.kind != CAP_TOKEN_NTLM ||
	    req->auth.ntlm_type != 3 || (j->hs->state != HS_DONE && !chal))
		return;
	if (chal && req->ntlm_new_conn) {
		char key[16];
		struct cap_finding *root;

		txt_fmt(key, sizeof(key), "%u", j->c->pub.id);
		root = engine_find(a, CAP_F_KEEPALIVE_MISSING, key);
		if (root != NULL) {
			cap_finding_add_frame(root, f->frame);
			cap_finding_add_fold(root, CAP_FOLD_NTLM_AUTH_ON_CLOSED, f->status,
					     f->frame);
			return;
		}
	}
	exchange_finding(&fd, chal ? CAP_F_NTLM_REJECTED : CAP_F_NTLM_OK, j);
	if (req->auth.user[0] != '\0')
		cap_finding_set_str(&fd, "user", req->auth.user);
	cap_finding_set_num(&fd, "status", f->status);
	cap_finding_set_key(&fd, "%u/%s", j->c->pub.id, req->auth.user);
	engine_emit(a, &fd);
	if (!chal && refused_after_auth(f->status))
		failed_after_auth(a, j, "NTLM");
}

/* The answer to a Kerberos AP-REQ other than 401 (or a 400 refusing the header). */
static void judge_kerberos_result(struct cap_analysis *a, const struct judge_ctx *j)
{
	const struct cap_http_fact *f = j->http;
	const struct req_info *req = j->req;
	const struct cap_auth_fact *tok = f->has_auth ? &f->auth : NULL;
	struct cap_finding fd;
	bool mutual = tok != NULL && tok->kind == CAP_TOKEN_KRB_AP_REP;

	if (req == NULL || !req->has_auth || req->auth.kind != CAP_TOKEN_KRB_AP_REQ ||
	    j->hs->state != HS_DONE)
		return;
	exchange_finding(&fd, CAP_F_KERBEROS_OK, j);
	ticket_evidence(&fd, &req->auth);
	cap_finding_set_num(&fd, "status", f->status);
	cap_finding_set_str(&fd, "mutual_auth", mutual ? "ap-rep" : "none");
	cap_finding_set_key(&fd, "%u/%s", j->c->pub.id, req->auth.sname);
	engine_emit(a, &fd);
	if (req->auth.mutual_required && !mutual && is_success(f->status)) {
		cap_finding_init(&fd, CAP_F_MUTUAL_AUTH_MISSING);
		engine_conv_evidence(&fd, j->c);
		cap_finding_add_frame(&fd, f->frame);
		ticket_evidence(&fd, &req->auth);
		cap_finding_set_key(&fd, "%u/%s", j->c->pub.id, req->auth.sname);
		engine_emit(a, &fd);
	}
	if (refused_after_auth(f->status))
		failed_after_auth(a, j, "Kerberos");
}

static void judge_header_refused(struct cap_analysis *a, const struct judge_ctx *j)
{
	const struct cap_http_fact *f = j->http;
	const struct req_info *req = j->req;
	struct cap_finding fd;

	if (!header_refused(req, f))
		return;
	exchange_finding(&fd, CAP_F_TOKEN_TOO_LARGE, j);
	cap_finding_set_num(&fd, "header_bytes", (int64_t)req->auth.value_len);
	cap_finding_set_num(&fd, "status", f->status);
	fd.w.detail = CAP_D_TOKEN_HEADER_REFUSED;
	cap_finding_words_name(&fd, 0, f->reason);
	cap_finding_set_key(&fd, "%u", j->c->pub.id);
	engine_emit(a, &fd);
}

/* auth-loop: three or more 401s in a row answering credentials. */
static void judge_auth_loop(struct cap_analysis *a, const struct judge_ctx *j)
{
	struct conv *c = j->c;
	struct cap_finding fd;

	if (c->pub.kdc_only || c->loop_max < 3)
		return;
	cap_finding_init(&fd, CAP_F_AUTH_LOOP);
	engine_conv_evidence(&fd, c);
	for (unsigned i = 0; i < c->loop_max_n; i++)
		cap_finding_add_frame(&fd, c->loop_max_frames[i]);
	cap_finding_set_num(&fd, "rejections", c->loop_max);
	fd.w.detail = CAP_D_AUTH_LOOP;
	cap_finding_set_key(&fd, "%u", c->pub.id);
	engine_emit(a, &fd);
}

/* A finding about a whole conversation, shown at one frame. */
static void conv_finding(struct cap_analysis *a, enum cap_finding_id id, const struct conv *c,
			 uint64_t frame)
{
	struct cap_finding fd;

	cap_finding_init(&fd, id);
	engine_conv_evidence(&fd, c);
	cap_finding_add_frame(&fd, frame);
	cap_finding_set_key(&fd, "%u", c->pub.id);
	engine_emit(a, &fd);
}

static void judge_no_delegation(struct cap_analysis *a, const struct judge_ctx *j)
{
	struct conv *c = j->c;

	if (c->pub.kdc_only || !c->kerberos_ok || c->delegated)
		return;
	conv_finding(a, CAP_F_NO_DELEGATION, c, c->kerberos_ok_frame);
}

/* negotiate-unanswered: offered, never answered, and no KDC finding says why. */
static void judge_negotiate_unanswered(struct cap_analysis *a, const struct judge_ctx *j)
{
	struct conv *c = j->c;
	struct client_state *cs;

	if (c->pub.kdc_only || !c->offered_negotiate || c->creds_after_offer || a->input_cut)
		return;
	cs = engine_client(a, &c->pub.client);
	/* When the KDC already said why, that finding is the diagnosis. */
	if (cs != NULL && (cs->kdc_unreachable || cs->kdc_err >= 0))
		return;
	conv_finding(a, CAP_F_NEGOTIATE_UNANSWERED, c, c->offer_frame);
}

/* The host of an SPN "HTTP/host[:port][@REALM]" into out. */
static void spn_host(const char *spn, char *out, size_t n)
{
	const char *h = strchr(spn, '/');
	size_t k = 0;

	h = h != NULL ? h + 1 : spn;
	while (h[k] != '\0' && h[k] != ':' && h[k] != '@' && k + 1 < n) {
		out[k] = h[k];
		k++;
	}
	out[k] = '\0';
}

static void set_str_opt(struct cap_finding *fd, const char *key, const char *v)
{
	if (v[0] != '\0')
		cap_finding_set_str(fd, key, v);
}

/* http-not-visible over HTTPS: the client's TLS connections that were not decrypted, the
 * one whose SNI is the ticket's host first. */
static void tls_evidence(struct cap_finding *fd, const struct client_state *cs)
{
	const struct cs_tls *best = NULL;
	char host[CAP_FACT_NAME_MAX];

	spn_host(cs->http_ticket_sname, host, sizeof(host));
	for (unsigned i = 0; i < cs->ntls; i++) {
		const struct cs_tls *x = &cs->tls[i];

		if (!x->hidden)
			continue;
		if (best == NULL ||
		    (strcasecmp(x->sni, host) == 0 && strcasecmp(best->sni, host) != 0))
			best = x;
		if (x->hello_frame != 0)
			cap_finding_add_frame(fd, x->hello_frame);
		if (x->data_frame != 0)
			cap_finding_add_frame(fd, x->data_frame);
	}
	cap_finding_set_num(fd, "tls_connections", (int64_t)cs->tls_hidden);
	fd->w.advice |= CAP_A_TLS_KEYLOG;
	if (best == NULL)
		return;
	set_str_opt(fd, "sni", best->sni);
	set_str_opt(fd, "tls_version", cap_tls_version_name(best->version, ""));
	set_str_opt(fd, "alpn", best->alpn);
	cap_finding_set_str(fd, "tls_keys", best->wrong_keys ? "wrong" : "none");
	set_str_opt(fd, "cert_subject", best->subject);
	set_str_opt(fd, "cert_sans", best->sans);
	fd->w.num[0] = (int64_t)best->hello_frame;
}

/* NTLM over HTTPS: the AUTHENTICATE's channel binding against the certificate of the
 * connection it travels on (MS-NLMP 3.1.5.1.2; RFC 5929 tls-server-end-point). */
static void judge_channel_binding(struct cap_analysis *a, const struct judge_ctx *j)
{
	const struct cap_http_fact *f = j->http;
	const struct cap_auth_fact *t = &f->auth;
	struct cap_finding fd;
	bool missing;

	if (!f->tls || !f->has_auth || t->kind != CAP_TOKEN_NTLM ||
	    t->ntlm_type != CAP_NTLM_AUTHENTICATE || j->c == NULL)
		return;
	missing = !t->ntlm_cb_present || t->ntlm_cb_zero;
	if (!missing && (!f->tls_cb_known || memcmp(t->ntlm_cb, f->tls_cb, 16) == 0))
		return;
	cap_finding_init(&fd, missing ? CAP_F_CHANNEL_BINDING_MISSING
				      : CAP_F_CHANNEL_BINDING_MISMATCH);
	engine_conv_evidence(&fd, j->c);
	cap_finding_add_frame(&fd, f->frame);
	set_str_opt(&fd, "sni", f->tls_sni);
	set_str_opt(&fd, "tls_version", cap_tls_version_name(f->tls_version, ""));
	if (missing)
		cap_finding_set_str(&fd, "binding", t->ntlm_cb_present ? "zero" : "absent");
	else
		set_str_opt(&fd, "cert_subject", f->tls_cert_subject);
	fd.w.detail = missing ? CAP_D_CHANNEL_BINDING_MISSING : CAP_D_CHANNEL_BINDING_MISMATCH;
	fd.w.frame = f->frame;
	cap_finding_set_key(&fd, "%u", j->c->pub.id);
	engine_emit(a, &fd);
}

static void judge_client_end(struct cap_analysis *a, const struct judge_ctx *j)
{
	struct client_state *cs = j->cs;
	struct cap_finding fd;
	char buf[80];

	if (!cs->http_ticket || cs->has_http_conv)
		return;
	cap_finding_init(&fd, CAP_F_HTTP_NOT_VISIBLE);
	cap_finding_set_str(&fd, "client", engine_addr(&cs->addr, buf, sizeof(buf)));
	cap_finding_set_str(&fd, "spn", cs->http_ticket_sname);
	cap_finding_add_frame(&fd, cs->http_ticket_frame);
	fd.w.detail = CAP_D_HTTP_NOT_VISIBLE;
	fd.w.frame = cs->http_ticket_frame;
	if (cs->tls_hidden > 0)
		tls_evidence(&fd, cs);
	cap_finding_set_key(&fd, "%s", buf);
	engine_emit(a, &fd);
}

static const struct judge http_judges[] = {
	{JUDGE_HTTP_REQUEST, CAP_F_NTLM_FALLBACK, judge_request},
	{JUDGE_HTTP_REQUEST, CAP_F_HTTP2_AUTH, judge_http2_request},
	{JUDGE_HTTP_REQUEST, CAP_F_HTTP2_DOWNGRADE, judge_http2_downgrade},
	{JUDGE_HTTP_RESPONSE, CAP_F_NEGOTIATE_NOT_OFFERED, judge_not_offered},
	{JUDGE_HTTP_RESPONSE, CAP_F_FIRST_OFFER_NOT_CAPTURED, judge_first_offer_missing},
	{JUDGE_HTTP_RESPONSE, CAP_F_KRB_AP_ERROR, judge_server_token},
	{JUDGE_HTTP_RESPONSE, CAP_F_NTLM_OK, judge_ntlm_result},
	{JUDGE_HTTP_RESPONSE, CAP_F_KERBEROS_OK, judge_kerberos_result},
	{JUDGE_HTTP_RESPONSE, CAP_F_TOKEN_TOO_LARGE, judge_header_refused},
	{JUDGE_HTTP_RESPONSE, CAP_F_KEEPALIVE_MISSING, judge_keepalive},
	{JUDGE_HTTP_CLOSE, CAP_F_KEEPALIVE_MISSING, judge_keepalive},
	{JUDGE_HTTP_RECONNECT, CAP_F_KEEPALIVE_MISSING, judge_keepalive},
	{JUDGE_CONV_END, CAP_F_AUTH_LOOP, judge_auth_loop},
	{JUDGE_CONV_END, CAP_F_NO_DELEGATION, judge_no_delegation},
	{JUDGE_CONV_END, CAP_F_NEGOTIATE_UNANSWERED, judge_negotiate_unanswered},
	{JUDGE_CLIENT_END, CAP_F_HTTP_NOT_VISIBLE, judge_client_end},
	{JUDGE_HTTP_REQUEST, CAP_F_CHANNEL_BINDING_MISSING, judge_channel_binding},
};

const struct judge_table judges_http = {http_judges,
					 sizeof(http_judges) / sizeof(http_judges[0])};
