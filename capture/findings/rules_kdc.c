/* rules_kdc.c - findings from a client's traffic with its KDC (port 88).
 *
 * Error codes and their meaning: RFC 4120 §7.5.9 and ../shared/docs/domain.md §C5;
 * delegation (S4U2Proxy, KDC_ERR_BADOPTION with an NTSTATUS in e-data): MS-SFU, MS-KILE.
 */
#include <stdio.h>
#include <string.h>

#include "findings/engine.h"
#include "findings/steps.h"
#include "findings/txt.h"


static const char *nt_status_name(uint32_t s)
{
	switch (s) {
	case 0xC00000BBu: return "STATUS_NOT_SUPPORTED";
	case 0xC0000272u: return "STATUS_NO_MATCH";
	case 0xC0000225u: return "STATUS_NOT_FOUND";
	case 0xC000006Eu: return "STATUS_ACCOUNT_RESTRICTION";
	case 0xC000006Du: return "STATUS_LOGON_FAILURE";
	case 0xC0000234u: return "STATUS_ACCOUNT_LOCKED_OUT";
	case 0xC0000072u: return "STATUS_ACCOUNT_DISABLED";
	case 0xC0000193u: return "STATUS_ACCOUNT_EXPIRED";
	case 0xC0000071u: return "STATUS_PASSWORD_EXPIRED";
	}
	return NULL;
}

static void kdc_error_advice(struct cap_finding *f, int code)
{
	switch (code) {
	case 6:
		cap_finding_add_advice(f, "The KDC does not know the client principal: check the "
					  "user name and the realm it was sent to.");
		break;
	case 12:
		cap_finding_add_advice(f, "KDC policy refused the request: check logon hours, "
					  "'Log on to' workstation restrictions and authentication "
					  "policies on the account.");
		break;
	case 18:
		cap_finding_add_advice(f, "The client's credentials are revoked: the account is "
					  "disabled, locked out or expired (see the NTSTATUS).");
		break;
	case 23:
		cap_finding_add_advice(f, "The user's password has expired: change it.");
		break;
	case 24:
		cap_finding_add_advice(f, "Pre-authentication failed: a wrong or stale password "
					  "(cached credentials, a mapped drive or a service still using "
					  "the old one).");
		break;
	case 25:
		cap_finding_add_advice(f, "Normal: the client retries with pre-authentication.");
		break;
	case 32:
		cap_finding_add_advice(f, "The client's ticket expired: klist purge, then sign in "
					  "again.");
		break;
	case 52:
		cap_finding_add_advice(f, "Normal over UDP: the client retries over TCP. If no TCP "
					  "request follows, TCP port 88 is probably blocked.");
		break;
	case 68:
		cap_finding_add_advice(f, "The request went to the wrong realm: check the "
					  "client's realm mapping (domain_realm) and trust referrals.");
		break;
	case 60:
		cap_finding_add_advice(f, "A generic error: the e-text and the KDC's event log "
					  "give the reason.");
		break;
	default:
		break;
	}
}

/* Why a user's own logon (AS exchange) failed, or NULL when the code is not about the
 * user's account or password.  MIT answers a wrong password with 31
 * KRB_AP_ERR_BAD_INTEGRITY and e-text PREAUTH_FAILED where AD says 24 (RFC 4120
 * §7.5.9; MS-KILE 3.3.5.7); a lockout is 18 KDC_ERR_CLIENT_REVOKED, with the NTSTATUS
 * in AD's e-data or LOCKED_OUT in MIT's e-text. */
static const char *logon_failure(const struct cap_krb_fact *k)
{
	switch (k->error_code) {
	case 1: return "account-expired";      /* KDC_ERR_NAME_EXP */
	case 6: return "unknown-user";         /* KDC_ERR_C_PRINCIPAL_UNKNOWN */
	case 12: return "policy";              /* KDC_ERR_POLICY: logon hours, workstations */
	case 18:                               /* KDC_ERR_CLIENT_REVOKED */
		if (k->has_nt_status && k->nt_status == 0xC0000234u)
			return "account-locked-out";
		if (k->has_nt_status && k->nt_status == 0xC0000072u)
			return "account-disabled";
		if (k->has_nt_status && k->nt_status == 0xC0000193u)
			return "account-expired";
		if (strstr(k->e_text, "LOCKED") != NULL)
			return "account-locked-out";
		return "account-revoked";
	case 23: return "password-expired";    /* KDC_ERR_KEY_EXPIRED */
	case 24: return "wrong-password";      /* KDC_ERR_PREAUTH_FAILED */
	case 31: return "wrong-password";      /* MIT: KRB_AP_ERR_BAD_INTEGRITY, PREAUTH_FAILED */
	}
	return NULL;
}

/* Did this error answer an AS-REQ?  Without its request (not captured), only codes
 * that exist in AS exchanges alone say so. */
static bool answers_as_req(const struct kreq *req, const struct cap_krb_fact *k)
{
	if (req != NULL)
		return req->msg_type == CAP_KRB_AS_REQ;
	return k->error_code == 24 ||
	       (k->error_code == 31 && strstr(k->e_text, "PREAUTH_FAILED") != NULL);
}

static void kdc_evidence(struct cap_finding *f, const struct conv *c, const struct kreq *req,
			 const struct cap_krb_fact *k)
{
	char buf[80];

	engine_conv_evidence(f, c);
	cap_finding_set_str(f, "client", engine_addr(&k->client, buf, sizeof(buf)));
	cap_finding_set_str(f, "kdc", engine_ep(&k->server, buf, sizeof(buf)));
	cap_finding_set_str(f, "transport", k->transport == CAP_TRANSPORT_TCP ? "tcp" : "udp");
	if (req != NULL) {
		cap_finding_add_frame(f, req->frame);
		cap_finding_set_str(f, "request", cap_krb_msg_name(req->msg_type));
	}
	cap_finding_add_frame(f, k->frame);
}

static void error_evidence(struct cap_finding *f, const struct cap_krb_fact *k)
{
	char buf[80];

	cap_finding_set_num(f, "error_code", k->error_code);
	cap_finding_set_str(f, "error_name", k->error_name);
	if (k->e_text[0] != '\0')
		cap_finding_set_str(f, "e_text", k->e_text);
	if (k->has_nt_status) {
		const char *n = nt_status_name(k->nt_status);

		txt_fmt(buf, sizeof(buf), "0x%08X%s%s", (unsigned)k->nt_status,
			 n != NULL ? " " : "", n != NULL ? n : "");
		cap_finding_set_str(f, "nt_status", buf);
	}
}

/* client-logon-failed: an AS-REQ refused for the user's account or password.  The user
 * is named from the error, or from the request when the error leaves it out (AD). */
static void judge_logon(struct cap_analysis *a, const struct judge_ctx *j)
{
	const struct cap_krb_fact *k = j->krb;
	const struct kreq *req = j->kreq;
	const char *why, *user, *realm;
	struct cap_finding f;
	char buf[80];

	if (k->msg_type != CAP_KRB_ERROR || !answers_as_req(req, k))
		return;
	why = logon_failure(k);
	if (why == NULL)
		return;
	user = k->cname[0] != '\0' ? k->cname : (req != NULL ? req->cname : "");
	realm = k->crealm[0] != '\0' ? k->crealm : (req != NULL && req->realm[0] != '\0' ?
						   req->realm : k->realm);
	cap_finding_init(&f, CAP_F_CLIENT_LOGON_FAILED);
	kdc_evidence(&f, j->c, req, k);
	if (user[0] != '\0')
		cap_finding_set_str(&f, "user", user);
	if (realm[0] != '\0')
		cap_finding_set_str(&f, "realm", realm);
	cap_finding_set_str(&f, "logon_failure", why);
	error_evidence(&f, k);
	cap_finding_set_detail(&f, "The KDC refused the logon of %s%s%s (AS-REQ) with %s (%d): "
				   "%s. This is the user the browser prompts again and again.",
			       user[0] != '\0' ? user : "an unnamed user", realm[0] ? "@" : "",
			       realm, k->error_name, k->error_code, why);
	cap_finding_set_key(&f, "%s/%s@%s/%d", engine_addr(&k->client, buf, sizeof(buf)), user,
			    realm, k->error_code);
	engine_emit(a, &f);
}

/* Every other KRB-ERROR from a KDC: a TGS-REQ's concern the service it names (spn-unknown
 * with setspn advice only when that name is a service principal); an AS-REQ's never
 * mean a server's key (krb-ap-err-modified). */
static void judge_kdc_error(struct cap_analysis *a, const struct judge_ctx *j)
{
	const struct cap_krb_fact *k = j->krb;
	const struct kreq *req = j->kreq;
	struct cap_finding f;
	char buf[80];
	int code = k->error_code;
	bool as, deleg, service;
	const char *sname, *realm;
	enum cap_finding_id id;

	if (k->msg_type != CAP_KRB_ERROR || code < 0)
		return;
	as = answers_as_req(req, k);
	if (as && logon_failure(k) != NULL)
		return; /* judge_logon's */
	sname = k->sname[0] != '\0' ? k->sname : (req != NULL ? req->sname : "");
	realm = k->realm[0] != '\0' ? k->realm : (req != NULL ? req->realm : "");
	service = k->sname[0] != '\0'
			  ? spn_is_service(sname, k->sname_type, k->sname_ncomp,
					   req != NULL && req->u2u)
			  : spn_is_service(sname, req != NULL ? req->sname_type : 0,
					   req != NULL ? req->sname_ncomp : 0,
					   req != NULL && req->u2u);
	deleg = req != NULL && req->delegation;
	id = cap_finding_for_krb_error(code, true, deleg);
	if (id == CAP_F_KRB_AP_ERR_MODIFIED && as)
		id = CAP_F_COUNT; /* the KDC's own keys, not a service's: kdc-error */
	if ((id == CAP_F_SPN_UNKNOWN || id == CAP_F_SPN_DUPLICATE) && !service)
		id = CAP_F_COUNT; /* a user's name in the sname (U2U, S4U): no SPN to register */
	if (id == CAP_F_COUNT)
		id = CAP_F_KDC_ERROR;
	cap_finding_init(&f, id);
	if (id == CAP_F_KDC_ERROR)
		f.severity = (code == 25 || code == 52) ? CAP_SEV_INFO : CAP_SEV_WARNING;
	kdc_evidence(&f, j->c, req, k);
	if (sname[0] != '\0')
		cap_finding_set_str(&f, service ? "spn" : "sname", sname);
	if (realm[0] != '\0')
		cap_finding_set_str(&f, "realm", realm);
	if (k->cname[0] != '\0')
		cap_finding_set_str(&f, "cname", k->cname);
	else if (req != NULL && req->cname[0] != '\0')
		cap_finding_set_str(&f, "cname", req->cname);
	error_evidence(&f, k);
	if (deleg)
		cap_finding_set_str(&f, "delegation", req->deleg_kind);
	cap_finding_set_detail(&f, "The KDC answered %s%s%s with %s (%d).",
			       req != NULL ? cap_krb_msg_name(req->msg_type) : "a request",
			       sname[0] ? " for " : "", sname, k->error_name, code);
	switch (id) {
	case CAP_F_SPN_UNKNOWN:
		spn_advice(&f, sname, j->c);
		break;
	case CAP_F_CLOCK_SKEW:
		/* The client's clock is only visible when the KDC echoes it (ctime). */
		if (k->has_stime && k->has_ctime)
			cap_finding_set_num(&f, "skew_seconds", k->ctime - k->stime);
		break;
	case CAP_F_KDC_ERROR:
		kdc_error_advice(&f, code);
		break;
	case CAP_F_KRB_AP_ERR_MODIFIED:
		cap_finding_add_advice(&f, "From the KDC itself this usually means the "
					   "client's TGT is not readable by this KDC: klist "
					   "purge and sign in again; check krbtgt replication "
					   "between domain controllers.");
		break;
	default:
		break;
	}
	cap_finding_set_key(&f, "%s/%s/%s/%d/%s", engine_addr(&k->client, buf, sizeof(buf)),
			    cap_finding_get_str(&f, "cname"), sname, code,
			    f.severity == CAP_SEV_INFO ? "i" : "");
	engine_emit(a, &f);
}

static void judge_delegation_ok(struct cap_analysis *a, const struct judge_ctx *j)
{
	const struct cap_krb_fact *k = j->krb;
	const struct kreq *req = j->kreq;
	struct cap_finding f;
	char buf[80];

	if ((k->msg_type != CAP_KRB_TGS_REP && k->msg_type != CAP_KRB_AS_REP) || req == NULL ||
	    !req->delegation)
		return;
	cap_finding_init(&f, CAP_F_DELEGATION_OK);
	engine_conv_evidence(&f, j->c);
	cap_finding_set_str(&f, "client", engine_addr(&k->client, buf, sizeof(buf)));
	cap_finding_set_str(&f, "kdc", engine_ep(&k->server, buf, sizeof(buf)));
	cap_finding_add_frame(&f, req->frame);
	cap_finding_add_frame(&f, k->frame);
	cap_finding_set_str(&f, "delegation", req->deleg_kind);
	cap_finding_set_str(&f, "spn", k->sname[0] ? k->sname : req->sname);
	if (k->realm[0] != '\0')
		cap_finding_set_str(&f, "realm", k->realm);
	cap_finding_set_key(&f, "%s/%s/%s", engine_addr(&k->client, buf, sizeof(buf)),
			    req->deleg_kind, req->sname);
	engine_emit(a, &f);
}

void rules_kdc_unreachable(struct cap_analysis *a, struct kstream *ks, uint64_t frame,
			   const char *how)
{
	struct client_state *cs = engine_client(a, &ks->client);
	struct cap_finding f;
	char buf[80], kdc[80];

	if (ks->conv == NULL && cs != NULL && cs->last != NULL)
		ks->conv = cs->last;
	cap_finding_init(&f, CAP_F_KDC_UNREACHABLE);
	engine_conv_evidence(&f, ks->conv);
	engine_addr(&ks->client, buf, sizeof(buf));
	cap_finding_set_str(&f, "client", buf);
	engine_ep(&ks->server, kdc, sizeof(kdc));
	cap_finding_set_str(&f, "kdc", kdc);
	cap_finding_set_str(&f, "transport", ks->transport == CAP_TRANSPORT_TCP ? "tcp" : "udp");
	cap_finding_set_str(&f, "answer", how);
	for (unsigned i = 0; i < ks->qn; i++)
		cap_finding_add_frame(&f, ks->q[i].frame);
	cap_finding_add_frame(&f, ks->open_frame);
	if (ks->qn > 0 && ks->q[0].sname[0] != '\0')
		cap_finding_set_str(&f, "spn", ks->q[0].sname);
	cap_finding_add_frame(&f, frame);
	cap_finding_set_detail(&f, "The KDC at %s (%s) answered with: %s.", kdc,
			       ks->transport == CAP_TRANSPORT_TCP ? "tcp" : "udp", how);
	if (frame != 0) {
		struct cap_step st;

		step_kdc_unreachable(&st, frame, ks, strcmp(how, "TCP reset") == 0
							  ? CAP_STEP_CLOSE_RST : CAP_STEP_CLOSE_ICMP);
		engine_step(a, ks->conv, &st);
	}
	engine_addr(&ks->server, kdc, sizeof(kdc));
	cap_finding_set_key(&f, "%s/%s", buf, kdc);
	engine_emit(a, &f);
	ks->qn = 0;
	engine_kstream_trim(ks);
	ks->unreachable = true;
	if (cs != NULL)
		cs->kdc_unreachable = true;
}

/* End of capture: requests still waiting.  A reply whose start the capture lost is
 * kdc-reply-not-captured (info); only a request with no reply at all is kdc-unreachable. */
static void judge_kdc_end(struct cap_analysis *a, const struct judge_ctx *j)
{
	struct kstream *ks = j->ks;
	struct cap_finding f;
	char buf[80], kdc[80];

	if (ks->outcome == KX_NO_REPLY) {
		rules_kdc_unreachable(a, ks, 0, "no answer");
		return;
	}
	if (ks->outcome != KX_REPLY_NOT_CAPTURED)
		return;
	cap_finding_init(&f, CAP_F_KDC_REPLY_NOT_CAPTURED);
	engine_conv_evidence(&f, ks->conv);
	cap_finding_set_str(&f, "client", engine_addr(&ks->client, buf, sizeof(buf)));
	cap_finding_set_str(&f, "kdc", engine_ep(&ks->server, kdc, sizeof(kdc)));
	cap_finding_set_str(&f, "transport", "tcp");
	for (unsigned i = 0; i < ks->qn; i++)
		cap_finding_add_frame(&f, ks->q[i].frame);
	cap_finding_add_frame(&f, ks->server_gap_frame);
	cap_finding_set_str(&f, "request", cap_krb_msg_name(ks->q[0].msg_type));
	if (ks->q[0].sname[0] != '\0')
		cap_finding_set_str(&f, "sname", ks->q[0].sname);
	cap_finding_set_detail(&f, "The KDC at %s answered the %s in frame %llu, but the "
				   "capture lost the start of its reply.", kdc,
			       cap_krb_msg_name(ks->q[0].msg_type),
			       (unsigned long long)ks->q[0].frame);
	cap_finding_set_key(&f, "%s/%s", buf, kdc);
	engine_emit(a, &f);
}

static const struct judge kdc_judges[] = {
	{JUDGE_KDC_REPLY, CAP_F_CLIENT_LOGON_FAILED, judge_logon},
	{JUDGE_KDC_REPLY, CAP_F_KDC_ERROR, judge_kdc_error},
	{JUDGE_KDC_REPLY, CAP_F_DELEGATION_OK, judge_delegation_ok},
	{JUDGE_KDC_END, CAP_F_KDC_UNREACHABLE, judge_kdc_end},
};

const struct judge_table judges_kdc = {kdc_judges, sizeof(kdc_judges) / sizeof(kdc_judges[0])};
