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

/* A KDC request still unanswered this long before the end of the capture counts as
 * unanswered; one sent just before the capture stopped does not. */
#define NO_ANSWER_AFTER 1.0

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

void rules_kdc_reply(struct cap_analysis *a, struct kstream *ks, const struct kreq *req,
		     struct conv *c, const struct cap_krb_fact *k)
{
	struct client_state *cs = engine_client(a, &k->client);
	struct cap_finding f;
	char buf[80];

	(void)ks;
	if (k->msg_type == CAP_KRB_ERROR && k->error_code >= 0) {
		int code = k->error_code;
		const char *sname = k->sname[0] != '\0' ? k->sname : (req != NULL ? req->sname : "");
		const char *realm = k->realm[0] != '\0' ? k->realm : (req != NULL ? req->realm : "");
		bool deleg = req != NULL && req->delegation;
		enum cap_finding_id id = cap_finding_for_krb_error(code, true, deleg);

		if (cs != NULL && code != 25 && code != 52) {
			cs->kdc_err = code;
			cs->kdc_err_frame = k->frame;
			txt_copy(cs->kdc_err_sname, sizeof(cs->kdc_err_sname), sname);
		}
		if (id == CAP_F_COUNT)
			id = CAP_F_KDC_ERROR;
		cap_finding_init(&f, id);
		if (id == CAP_F_KDC_ERROR)
			f.severity = (code == 25 || code == 52) ? CAP_SEV_INFO : CAP_SEV_WARNING;
		engine_conv_evidence(&f, c);
		cap_finding_set_str(&f, "client", engine_addr(&k->client, buf, sizeof(buf)));
		cap_finding_set_str(&f, "kdc", engine_ep(&k->server, buf, sizeof(buf)));
		cap_finding_set_str(&f, "transport", k->transport == CAP_TRANSPORT_TCP ? "tcp" : "udp");
		if (req != NULL) {
			cap_finding_add_frame(&f, req->frame);
			cap_finding_set_str(&f, "request", cap_krb_msg_name(req->msg_type));
		}
		cap_finding_add_frame(&f, k->frame);
		if (sname[0] != '\0')
			cap_finding_set_str(&f, "spn", sname);
		if (realm[0] != '\0')
			cap_finding_set_str(&f, "realm", realm);
		if (k->cname[0] != '\0')
			cap_finding_set_str(&f, "cname", k->cname);
		cap_finding_set_num(&f, "error_code", code);
		cap_finding_set_str(&f, "error_name", k->error_name);
		if (k->e_text[0] != '\0')
			cap_finding_set_str(&f, "e_text", k->e_text);
		if (k->has_nt_status) {
			const char *n = nt_status_name(k->nt_status);

			txt_fmt(buf, sizeof(buf), "0x%08X%s%s", (unsigned)k->nt_status,
				 n != NULL ? " " : "", n != NULL ? n : "");
			cap_finding_set_str(&f, "nt_status", buf);
		}
		if (deleg)
			cap_finding_set_str(&f, "delegation", req->deleg_kind);
		cap_finding_set_detail(&f, "The KDC answered %s%s%s with %s (%d).",
				       req != NULL ? cap_krb_msg_name(req->msg_type) : "a request",
				       sname[0] ? " for " : "", sname, k->error_name, code);
		switch (id) {
		case CAP_F_SPN_UNKNOWN:
			spn_advice(&f, sname, c);
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
		cap_finding_set_key(&f, "%s/%s/%d/%s", engine_addr(&k->client, buf, sizeof(buf)),
				    sname, code, f.severity == CAP_SEV_INFO ? "i" : "");
		engine_emit(a, &f);
		return;
	}
	if ((k->msg_type == CAP_KRB_TGS_REP || k->msg_type == CAP_KRB_AS_REP) && req != NULL &&
	    req->delegation) {
		cap_finding_init(&f, CAP_F_DELEGATION_OK);
		engine_conv_evidence(&f, c);
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

void rules_kdc_finish(struct cap_analysis *a, struct kstream *ks)
{
	if (ks->qn == 0 || ks->replied || ks->unreachable || a->input_cut)
		return;
	if (a->last_ts - ks->q[0].ts < NO_ANSWER_AFTER)
		return;
	rules_kdc_unreachable(a, ks, 0, "no answer");
}
