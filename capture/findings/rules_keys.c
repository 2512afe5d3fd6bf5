/* rules_keys.c - findings from the server's keys (negcap --keytab, --password-for).
 *
 * The decoders tried the keys on each ticket (proto/krb_keys.c); these judges read the
 * verdict and what the decrypted ticket carried.  A verdict on a ticket the server refused
 * is the root cause of krb-ap-err-modified or kerberos-rejected, and joins it; on a ticket
 * the server accepted it says the keys given are not the server's.  RFC 4120 §5.3 (ticket
 * flags and times), RFC 4121 §4.1.1 (GSS checksum flags), MS-PAC §2.5 (group counts).
 */
#include <string.h>

#include "findings/engine.h"
#include "findings/txt.h"

static const enum cap_finding_id verdict_finding[CAP_KEYV_COUNT] = {
	[CAP_KEYV_NONE] = CAP_F_COUNT,
	[CAP_KEYV_DECRYPTED] = CAP_F_TICKET_DECRYPTED,
	[CAP_KEYV_KVNO_STALE] = CAP_F_KEYTAB_KVNO_STALE,
	[CAP_KEYV_WRONG_KEY] = CAP_F_KEYTAB_WRONG_KEY,
	[CAP_KEYV_ETYPE_MISSING] = CAP_F_KEYTAB_ETYPE_MISSING,
	[CAP_KEYV_PRINCIPAL_MISSING] = CAP_F_KEYTAB_PRINCIPAL_MISSING,
};

/* The ticket's name and numbers, and the keys' side of the comparison. */
static void key_evidence(struct cap_finding *f, const struct cap_krb_ticket_view *v,
			 const char *sname, const char *realm, int kvno, int etype)
{
	char list[160] = "";
	const char *n;

	cap_finding_set_str(f, "spn", sname);
	if (realm[0] != '\0')
		cap_finding_set_str(f, "realm", realm);
	if (kvno >= 0)
		cap_finding_set_num(f, "ticket_kvno", kvno);
	if (etype >= 0) {
		cap_finding_set_num(f, "ticket_etype", etype);
		n = cap_krb_etype_name(etype);
		if (n != NULL)
			cap_finding_set_str(f, "ticket_etype_name", n);
	}
	cap_finding_set_str(f, "key_verdict", cap_krb_key_verdict_name(v->verdict));
	cap_finding_set_str(f, "key_source", v->by_password ? "password" : "keytab");
	if (v->key_kvno_max >= 0) {
		cap_finding_set_num(f, "key_kvno", v->key_kvno_max);
		if (v->key_kvno_min != v->key_kvno_max)
			cap_finding_set_num(f, "key_kvno_min", v->key_kvno_min);
	}
	for (size_t i = 0; i < v->n_key_etypes; i++) {
		n = cap_krb_etype_name(v->key_etypes[i]);
		txt_fmt(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
			i > 0 ? ", " : "", n != NULL ? n : "?");
	}
	if (list[0] != '\0')
		cap_finding_set_str(f, "key_etypes", list);
	cap_finding_words_name(f, 0, sname);
	f->w.num[0] = kvno;
	f->w.num[1] = etype;
}

/* What the decrypted ticket and authenticator carried, as evidence. */
static void contents_evidence(struct cap_finding *f, const struct cap_krb_ticket_view *v,
			      bool ap_req)
{
	char list[200] = "";
	const char *n;

	if (!v->decoded)
		return;
	if (v->cname[0] != '\0') {
		char who[CAP_FACT_NAME_MAX + CAP_FACT_REALM_MAX];

		txt_fmt(who, sizeof(who), "%s%s%s", v->cname, v->crealm[0] ? "@" : "", v->crealm);
		cap_finding_set_str(f, "user", who);
	}
	for (unsigned b = 0; b < 32; b++) {
		if (!(v->flags & CAP_KRB_BIT(b)) || (n = cap_krb_ticket_flag_name(b)) == NULL)
			continue;
		txt_fmt(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
			list[0] ? ", " : "", n);
	}
	cap_finding_set_str(f, "ticket_flags", list);
	cap_finding_set_num(f, "authtime", v->authtime);
	cap_finding_set_num(f, "endtime", v->endtime);
	if (v->pac.present) {
		cap_finding_set_num(f, "pac_bytes", (int64_t)v->pac.bytes);
		if (v->pac.logon_info) {
			cap_finding_set_num(f, "pac_groups", v->pac.group_count);
			cap_finding_set_num(f, "pac_extra_sids", v->pac.extra_sid_count);
		}
	}
	if (!ap_req || !v->auth_decrypted)
		return;
	if (v->gss_checksum) {
		list[0] = '\0';
		static const char *const gss[] = {"deleg", "mutual", "replay", "sequence",
						  "conf", "integ"};
		for (unsigned b = 0; b < 6; b++)
			if (v->gss_flags & (1u << b))
				txt_fmt(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
					list[0] ? ", " : "", gss[b]);
		cap_finding_set_str(f, "gss_flags", list);
	}
	cap_finding_set_str(f, "delegation", v->deleg_tgt ? "forwarded-tgt"
					     : v->deleg_cred ? "credentials"
					     : "none");
}

/* Joins a verdict to the finding the server's refusal raised (its root cause). */
static void join_root(struct cap_analysis *a, const struct judge_ctx *j, enum cap_finding_id id,
		      const struct cap_krb_ticket_view *v, const char *sname)
{
	const struct cap_http_fact *f = j->http;
	struct cap_finding *root;
	char key[CAP_FACT_NAME_MAX + 32];

	if (f->has_auth && f->auth.kind == CAP_TOKEN_KRB_ERROR)
		txt_fmt(key, sizeof(key), "%u/%d/%s", j->c->pub.id, f->auth.error_code, sname);
	else
		txt_fmt(key, sizeof(key), "%u/%s", j->c->pub.id, sname);
	root = engine_find(a, CAP_F_KRB_AP_ERR_MODIFIED, key);
	if (root == NULL)
		root = engine_find(a, CAP_F_KERBEROS_REJECTED, key);
	if (root == NULL)
		root = engine_find(a, CAP_F_KRB_AP_ERR_NOKEY, key);
	if (root == NULL)
		return;
	cap_finding_set_str(root, "root_cause", cap_finding_slug(id));
	cap_finding_set_str(root, "key_verdict", cap_krb_key_verdict_name(v->verdict));
	if (v->key_kvno_max >= 0)
		cap_finding_set_num(root, "key_kvno", v->key_kvno_max);
	root->w.advice |= CAP_A_KEYS_ROOT_CAUSE;
}

/* token-too-large: the PAC's group counts name its cause. */
static void name_token_cause(struct cap_analysis *a, const struct conv *c,
			     const struct cap_krb_ticket_view *v)
{
	struct cap_finding *f;
	char key[16];

	if (c == NULL || !v->pac.logon_info)
		return;
	txt_fmt(key, sizeof(key), "%u", c->pub.id);
	f = engine_find(a, CAP_F_TOKEN_TOO_LARGE, key);
	if (f == NULL)
		return;
	cap_finding_set_num(f, "pac_groups", v->pac.group_count);
	cap_finding_set_num(f, "pac_extra_sids", v->pac.extra_sid_count);
	cap_finding_set_num(f, "pac_bytes", (int64_t)v->pac.bytes);
	f->w.advice |= CAP_A_TOKEN_GROUPS;
}

/* Files a verdict: one finding per id, service name and client, whether it came from a
 * TGS-REP or an AP-REQ (frames join); the most severe reading and its words win. */
static struct cap_finding *emit_verdict(struct cap_analysis *a, struct cap_finding *fd,
				       const char *sname)
{
	enum cap_severity sev = fd->severity;
	enum cap_detail_kind detail = fd->w.detail;
	uint64_t frame = fd->w.frame;
	enum cap_finding_id id = fd->id;
	const char *client = cap_finding_get_str(fd, "user");
	char key[2 * CAP_FACT_NAME_MAX];
	struct cap_finding *st;

	txt_fmt(key, sizeof(key), "%s/%s", sname, client);
	cap_finding_set_key(fd, "%s", key);
	engine_emit(a, fd);
	st = engine_find(a, id, key);
	if (st != NULL && st->severity == sev) { /* the engine kept the highest severity */
		st->w.detail = detail;
		st->w.frame = frame;
	}
	return st;
}

/* One verdict on one AP-REQ: its finding, and its place beside the server's answer. */
static void judge_ap_req(struct cap_analysis *a, const struct judge_ctx *j)
{
	const struct cap_http_fact *f = j->http;
	const struct req_info *req = j->req;
	const struct cap_krb_ticket_view *v;
	enum cap_finding_id id;
	struct cap_finding fd, *st;
	bool rejected, accepted;

	if (req == NULL || !req->has_auth || req->auth.kind != CAP_TOKEN_KRB_AP_REQ ||
	    j->c == NULL)
		return;
	v = &req->auth.ticket;
	if (v->verdict == CAP_KEYV_NONE || (unsigned)v->verdict >= CAP_KEYV_COUNT)
		return;
	id = verdict_finding[v->verdict];
	rejected = f->status == 401 || f->status == 407;
	accepted = !rejected && j->hs->state == HS_DONE;
	cap_finding_init(&fd, id);
	engine_conv_evidence(&fd, j->c);
	cap_finding_add_frame(&fd, req->frame);
	cap_finding_add_frame(&fd, f->frame);
	key_evidence(&fd, v, req->auth.sname, req->auth.realm, req->auth.kvno, req->auth.etype);
	if (id == CAP_F_TICKET_DECRYPTED) {
		fd.w.detail = CAP_D_TICKET_CONTENTS;
	} else {
		fd.w.detail = rejected ? CAP_D_KEYS_SERVER_REJECTED
			      : accepted ? CAP_D_KEYS_SERVER_ACCEPTED : CAP_D_KEYS_ANSWER_UNSEEN;
		/* The server decrypted it: the keys given are not the server's, say less. */
		if (accepted)
			fd.severity = CAP_SEV_WARNING;
	}
	fd.w.frame = rejected ? f->frame : req->frame;
	contents_evidence(&fd, v, true);
	st = emit_verdict(a, &fd, req->auth.sname);
	/* The same ticket may have been judged in its TGS-REP: the authenticator's part and
	 * the AP-REP's check join that finding. */
	if (st != NULL) {
		contents_evidence(st, v, true);
		if (f->has_auth && f->auth.kind == CAP_TOKEN_KRB_AP_REP)
			cap_finding_set_str(st, "ap_rep", f->auth.ap_rep == CAP_APREP_VERIFIED
								 ? "verified" : "not-verified");
	}
	if (rejected)
		join_root(a, j, id, v, req->auth.sname);
	name_token_cause(a, j->c, v);
	if (v->decoded && v->endtime != 0 && (int64_t)req->ts > v->endtime) {
		cap_finding_init(&fd, CAP_F_TICKET_EXPIRED);
		engine_conv_evidence(&fd, j->c);
		cap_finding_add_frame(&fd, req->frame);
		key_evidence(&fd, v, req->auth.sname, req->auth.realm, req->auth.kvno,
			     req->auth.etype);
		contents_evidence(&fd, v, true);
		cap_finding_set_num(&fd, "sent", (int64_t)req->ts);
		fd.w.detail = CAP_D_TICKET_CONTENTS;
		cap_finding_set_key(&fd, "%u/%s", j->c->pub.id, req->auth.sname);
		engine_emit(a, &fd);
	}
}

/* token-too-large from the request alone (its header over HTTP.sys's limit). */
static void judge_request_size(struct cap_analysis *a, const struct judge_ctx *j)
{
	if (j->http->has_auth && j->http->auth.kind == CAP_TOKEN_KRB_AP_REQ)
		name_token_cause(a, j->c, &j->http->auth.ticket);
}

/* A ticket in a TGS-REP: the server will not decrypt it, before any AP-REQ is seen.  A
 * name the keys do not hold is another service's ticket, not a finding. */
static void judge_kdc_ticket(struct cap_analysis *a, const struct judge_ctx *j)
{
	const struct cap_krb_fact *k = j->krb;
	const struct cap_krb_ticket_view *v = &k->ticket;
	struct cap_finding fd;
	enum cap_finding_id id;

	if (k->msg_type != CAP_KRB_TGS_REP || v->verdict == CAP_KEYV_NONE ||
	    v->verdict == CAP_KEYV_PRINCIPAL_MISSING || (unsigned)v->verdict >= CAP_KEYV_COUNT)
		return;
	id = verdict_finding[v->verdict];
	cap_finding_init(&fd, id);
	if (j->c != NULL)
		engine_conv_evidence(&fd, j->c);
	cap_finding_add_frame(&fd, k->frame);
	key_evidence(&fd, v, k->sname, k->realm, k->ticket_kvno, k->ticket_etype);
	if (id == CAP_F_TICKET_DECRYPTED) {
		contents_evidence(&fd, v, false);
		fd.w.detail = CAP_D_TICKET_CONTENTS;
	} else {
		fd.w.detail = CAP_D_KEYS_KDC_TICKET;
		fd.severity = CAP_SEV_WARNING; /* the server's own answer, if seen, decides */
	}
	fd.w.frame = k->frame;
	emit_verdict(a, &fd, k->sname);
}

static const struct judge keys_judges[] = {
	{JUDGE_HTTP_REQUEST, CAP_F_TOKEN_TOO_LARGE, judge_request_size},
	{JUDGE_HTTP_RESPONSE, CAP_F_KEYTAB_KVNO_STALE, judge_ap_req},
	{JUDGE_KDC_REPLY, CAP_F_KEYTAB_KVNO_STALE, judge_kdc_ticket},
};

const struct judge_table judges_keys = {keys_judges,
					 sizeof(keys_judges) / sizeof(keys_judges[0])};
