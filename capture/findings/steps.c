/* steps.c - typed ladder steps from facts: what the ladder shows of each message, with
 * no words (report/steps.c renders them). */
#include <string.h>

#include "findings/steps.h"
#include "findings/txt.h"

static void step_init(struct cap_step *s, uint64_t frame, enum cap_step_dir dir,
		      enum cap_step_kind kind, uint32_t stream)
{
	memset(s, 0, sizeof(*s));
	s->frame = frame;
	s->dir = dir;
	s->kind = kind;
	s->stream = stream;
	s->auth.neg_state = -1;
	s->auth.error_code = -1;
	s->etype = -1;
	s->kvno = -1;
	s->error_code = -1;
}

/* What the server keys showed, for the ladder. */
static void step_keys_of(const struct cap_krb_ticket_view *v, struct cap_step_auth *out)
{
	out->key_verdict = (int)v->verdict;
	out->deleg_tgt = v->deleg_tgt;
	if (v->decoded && v->cname[0] != '\0')
		txt_fmt(out->ticket_client, sizeof(out->ticket_client), "%s%s%s", v->cname,
			v->crealm[0] ? "@" : "", v->crealm);
}

void cap_step_auth_of(const struct cap_auth_fact *f, struct cap_step_auth *out)
{
	memset(out, 0, sizeof(*out));
	out->scheme = f->scheme;
	out->proxy = f->proxy;
	out->kind = f->kind;
	out->spnego = f->spnego;
	out->spnego_init = f->spnego_init;
	out->neg_state = f->neg_state;
	out->ntlm_type = f->ntlm_type;
	out->error_code = f->error_code;
	out->mutual = f->mutual_required;
	out->bytes = f->value_len;
	txt_copy(out->user, sizeof(out->user), f->user);
	step_keys_of(&f->ticket, out);
	out->ap_rep = f->ap_rep;
}

/* The AP-REQ ticket's names and numbers go to the step's Kerberos fields. */
static void ticket_of(struct cap_step *s, const char *sname, const char *realm, int etype,
		      int kvno)
{
	txt_copy(s->sname, sizeof(s->sname), sname);
	txt_copy(s->realm, sizeof(s->realm), realm);
	s->etype = etype;
	s->kvno = kvno;
}

void step_http_request(struct cap_step *s, const struct req_info *r,
		       const struct cap_auth_fact *full, uint32_t stream)
{
	step_init(s, r->frame, CAP_STEP_TO_SERVER, CAP_STEP_HTTP_REQUEST, stream);
	txt_copy(s->method, sizeof(s->method), r->method);
	txt_copy(s->target, sizeof(s->target), r->target);
	if (!r->has_auth)
		return;
	s->has_auth = true;
	s->bad = r->auth.kind == CAP_TOKEN_UNDECODABLE;
	if (full != NULL) {
		cap_step_auth_of(full, &s->auth);
		if (full->kind == CAP_TOKEN_KRB_AP_REQ)
			ticket_of(s, full->sname, full->realm, full->etype, full->kvno);
		return;
	}
	/* The fact is gone (the conversation began later): the queued copy keeps the token's
	 * kind and ticket. */
	s->auth = (struct cap_step_auth){.scheme = r->auth.scheme, .proxy = r->auth.proxy,
					 .kind = r->auth.kind, .ntlm_type = r->auth.ntlm_type,
					 .mutual = r->auth.mutual_required,
					 .bytes = r->auth.value_len, .neg_state = -1,
					 .error_code = -1};
	txt_copy(s->auth.user, sizeof(s->auth.user), r->auth.user);
	step_keys_of(&r->auth.ticket, &s->auth);
	if (r->auth.kind == CAP_TOKEN_KRB_AP_REQ)
		ticket_of(s, r->auth.sname, r->auth.realm, r->auth.etype, r->auth.kvno);
}

void step_http_response(struct cap_step *s, const struct cap_http_fact *f)
{
	step_init(s, f->frame, CAP_STEP_FROM_SERVER, CAP_STEP_HTTP_RESPONSE, f->stream);
	s->status = f->status;
	s->bad = f->status >= 400;
	txt_copy(s->reason, sizeof(s->reason), f->reason);
	s->offered = f->offered;
	if (f->close == CAP_HTTP_CLOSE_HEADER)
		s->close = CAP_STEP_CLOSE_HEADER;
	else if (f->close == CAP_HTTP_CLOSE_HTTP10)
		s->close = CAP_STEP_CLOSE_HTTP10;
	if (f->has_auth && f->auth.kind != CAP_TOKEN_NONE) {
		s->has_auth = true;
		cap_step_auth_of(&f->auth, &s->auth);
	}
}

void step_krb(struct cap_step *s, const struct cap_krb_fact *f)
{
	enum cap_step_dir dir = f->from_server ? CAP_STEP_FROM_KDC : CAP_STEP_TO_KDC;
	enum cap_step_kind kind = f->from_server ? CAP_STEP_KDC_REPLY : CAP_STEP_KDC_REQUEST;

	if (!f->decoded && f->msg_type == 0)
		kind = CAP_STEP_UNDECODABLE;
	else if (f->msg_type == CAP_KRB_ERROR)
		kind = CAP_STEP_KRB_ERROR;
	step_init(s, f->frame, kind == CAP_STEP_KRB_ERROR ? CAP_STEP_FROM_KDC : dir, kind,
		  f->stream);
	s->transport = f->transport;
	s->kdc = f->server;
	s->msg_type = f->msg_type;
	txt_copy(s->sname, sizeof(s->sname), f->sname);
	txt_copy(s->realm, sizeof(s->realm), f->realm);
	switch (kind) {
	case CAP_STEP_UNDECODABLE:
		s->bad = true;
		s->decode_status = f->decode_status;
		s->caps_hit = f->caps_hit;
		break;
	case CAP_STEP_KRB_ERROR:
		s->error_code = f->error_code;
		/* PREAUTH_REQUIRED and RESPONSE_TOO_BIG (RFC 4120 §7.5.9) are normal steps. */
		s->bad = f->error_code != 25 && f->error_code != 52;
		break;
	case CAP_STEP_KDC_REQUEST:
		s->kdc_options = (f->opt_forwarded ? CAP_STEP_OPT_FORWARDED : 0u) |
				 (f->opt_cname_in_addl_tkt ? CAP_STEP_OPT_S4U2PROXY : 0u);
		break;
	default:
		s->etype = f->ticket_kvno >= 0 ? f->ticket_etype : -1;
		s->kvno = f->ticket_kvno;
		break;
	}
}

void step_conn_close(struct cap_step *s, uint64_t frame, uint32_t stream, bool rst, bool bad)
{
	step_init(s, frame, CAP_STEP_NOTE, CAP_STEP_CONN_CLOSE, stream);
	s->close = rst ? CAP_STEP_CLOSE_RST : CAP_STEP_CLOSE_FIN;
	s->bad = bad;
}

void step_kdc_unreachable(struct cap_step *s, uint64_t frame, const struct kstream *ks,
			  enum cap_step_close how)
{
	step_init(s, frame, CAP_STEP_NOTE, CAP_STEP_KDC_UNREACHABLE, ks->stream);
	s->close = how;
	s->transport = ks->transport;
	s->kdc = ks->server;
	s->bad = true;
}
