/* judges_probe.c - the judges of what only a client sees: negprobe's credentials,
 * GSS-API and TLS results (struct cap_probe_fact), beside the HTTP rules its legs go
 * through like negcap's packets do.
 *
 * A probe run is one conversation.  The judges read the engine's findings so far: a
 * finding the HTTP rules already made for the same cause (a KRB-ERROR in the 401's
 * token, a 400 to a large header) is not made again from the GSS-API's side.  At the
 * end (judges_probe_finish) the symptoms the HTTP rules report by absence fold into
 * the probe's root cause (rule 5 of the engine issue).
 * References: RFC 2744 §3.9.1 (GSS major status), RFC 4120 §7.5.9 (error codes),
 * RFC 4559 (Negotiate over HTTP).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "findings/engine.h"
#include "findings/txt.h"

/* RFC 2744 §3.9.1: the routine error field of a major status, and the values told apart. */
#define GSS_ROUTINE(major) (((major) >> 16) & 0xffu)
#define GSS_R_BAD_MECH 1u
#define GSS_R_BAD_SIG 6u
#define GSS_R_NO_CRED 7u
#define GSS_R_CREDENTIALS_EXPIRED 11u

struct probe_judges {
	bool root_cause;      /* a probe judge named why no credentials went out */
	enum cap_finding_id root_id;
	bool outcome_seen;
	bool mech_forced_ntlm;
	bool chanbind_withheld; /* HTTPS without a channel binding, on purpose */
	bool chanbind_refused;  /* HTTPS, a binding sent, the finished handshake refused */
	char chanbind_subject[128]; /* the certificate that binding is over */
	char chanbind_sha256[100];
	/* Findings folded away: kept until the analysis is freed, as the engine's merge
	 * table still points at them. */
#define PROBE_DROPPED_MAX 8
	struct cap_finding *dropped[PROBE_DROPPED_MAX];
	size_t ndropped;
};

static struct probe_judges *state(struct cap_analysis *a)
{
	if (a->probe == NULL)
		a->probe = calloc(1, sizeof(*a->probe));
	return a->probe;
}

void judges_probe_free(struct cap_analysis *a)
{
	for (size_t i = 0; a->probe != NULL && i < a->probe->ndropped; i++) {
		cap_finding_clear(a->probe->dropped[i]);
		free(a->probe->dropped[i]);
	}
	free(a->probe);
	a->probe = NULL;
}

void cap_probe_fact_init(struct cap_probe_fact *f, enum cap_probe_event event)
{
	memset(f, 0, sizeof(*f));
	f->event = event;
	f->krb_error = -1;
}

static struct cap_finding *find(struct cap_analysis *a, enum cap_finding_id id)
{
	for (size_t i = 0; i < a->nfindings; i++)
		if (a->findings[i]->id == id)
			return a->findings[i];
	return NULL;
}

/* True when the HTTP rules already judged error `code` on leg `leg` (the KRB-ERROR of
 * a 401's token, which GSS-API then fails on too). */
static bool judged_on_leg(struct cap_analysis *a, unsigned leg, int code)
{
	for (size_t i = 0; i < a->nfindings; i++) {
		const struct cap_finding *f = a->findings[i];
		const struct cap_evidence *e = cap_finding_get(f, "error_code");

		if (e == NULL || !e->is_num || e->num != code)
			continue;
		for (size_t k = 0; k < f->nframes; k++)
			if (f->frames[k] == leg)
				return true;
	}
	return false;
}

/* The probe's one web conversation (NULL when no leg got an answer). */
static struct conv *web_conv(struct cap_analysis *a)
{
	for (size_t i = 0; i < a->nconvs; i++)
		if (!a->convs[i]->pub.kdc_only)
			return a->convs[i];
	return NULL;
}

/* A finding of the probe's conversation, on leg `leg` (its frame). */
static void start(struct cap_analysis *a, struct cap_finding *f, enum cap_finding_id id,
		  const struct cap_probe_fact *p)
{
	struct conv *c = web_conv(a);

	cap_finding_init(f, id);
	engine_conv_evidence(f, c);
	if (p->leg > 0)
		cap_finding_add_frame(f, p->leg);
	cap_finding_set_key(f, "%u", c != NULL ? c->pub.id : 0);
}

/* The finding a failed GSS-API call names: the RFC 4120 error first (KDC and AP
 * errors), then the krb5 library's own codes, then the GSS routine error. */
static enum cap_finding_id gss_id(uint32_t major, int krb_error, enum cap_probe_krb5 krb5,
				  enum cap_probe_stage stage)
{
	enum cap_finding_id id;

	if (krb_error >= 0) {
		switch (krb_error) {
		case 6:  /* KDC_ERR_C_PRINCIPAL_UNKNOWN: the user is not in the realm */
		case 12: /* KDC_ERR_POLICY: logon hours, workstation restrictions */
		case 18: /* KDC_ERR_CLIENT_REVOKED: locked out, disabled, expired */
		case 23: /* KDC_ERR_KEY_EXPIRED: the password expired */
		case 24: /* KDC_ERR_PREAUTH_FAILED: wrong password */
			return CAP_F_CLIENT_LOGON_FAILED;
		case 31: /* KRB_AP_ERR_BAD_INTEGRITY: to an AS exchange, MIT's wrong password */
			if (stage == CAP_PROBE_STAGE_CREDENTIALS)
				return CAP_F_CLIENT_LOGON_FAILED;
			break;
		case 32: /* KRB_AP_ERR_TKT_EXPIRED: the TGT in the ccache */
			return CAP_F_NO_CREDENTIALS;
		case 46: /* KRB_AP_ERR_MUT_FAIL: the server's AP-REP did not verify */
			return CAP_F_MUTUAL_AUTH_FAILED;
		default:
			break;
		}
		/* a GSS call's KDC error answers the probe's own TGS-REQ; a BADOPTION there
		 * answers its delegation */
		id = cap_finding_for_krb_error(krb_error, true, true);
		return id != CAP_F_COUNT ? id : CAP_F_KDC_ERROR;
	}
	if (krb5 == CAP_PROBE_KRB5_KDC_UNREACH)
		return CAP_F_KDC_UNREACHABLE;
	if (krb5 == CAP_PROBE_KRB5_NO_CREDS)
		return CAP_F_NO_CREDENTIALS;
	switch (GSS_ROUTINE(major)) {
	case GSS_R_NO_CRED:
	case GSS_R_CREDENTIALS_EXPIRED:
		return CAP_F_NO_CREDENTIALS;
	case GSS_R_BAD_SIG:
		return CAP_F_MUTUAL_AUTH_FAILED;
	case GSS_R_BAD_MECH:
		return CAP_F_NTLM_UNAVAILABLE;
	default:
		break;
	}
	return CAP_F_GSS_ERROR;
}

static void root(struct cap_analysis *a, enum cap_finding_id id)
{
	struct probe_judges *st = state(a);

	if (st == NULL || st->root_cause)
		return;
	st->root_cause = true;
	st->root_id = id;
}

/* The logon_failure evidence (the same words as negcap's, rules_kdc.c) of a code the GSS
 * library reported: it carries no NTSTATUS, so 18 stays account-revoked. */
static const char *gss_logon_failure(int code)
{
	switch (code) {
	case 6: return "unknown-user";
	case 12: return "policy";
	case 18: return "account-revoked";
	case 23: return "password-expired";
	case 24:
	case 31: return "wrong-password";
	default: return NULL;
	}
}

/* client-logon-failed: the user's AS exchange (or a later request naming the user) was
 * refused; the evidence names the user as the KDC would (RFC 4120 §7.5.9). */
static void logon_failed(struct cap_analysis *a, const struct cap_probe_fact *p, const char *name)
{
	char user[CAP_FACT_NAME_MAX];
	const char *at = strrchr(p->client, '@');
	const char *realm = at != NULL ? at + 1 : "";
	struct cap_finding f;
	char hex[16];

	txt_fmt(user, sizeof(user), "%.*s", (int)(at != NULL ? (size_t)(at - p->client) :
						   strlen(p->client)), p->client);
	start(a, &f, CAP_F_CLIENT_LOGON_FAILED, p);
	txt_fmt(hex, sizeof(hex), "0x%08x", (unsigned)p->gss_major);
	if (user[0] != '\0')
		cap_finding_set_str(&f, "user", user);
	if (realm[0] != '\0')
		cap_finding_set_str(&f, "realm", realm);
	cap_finding_set_num(&f, "error_code", p->krb_error);
	cap_finding_set_str(&f, "error_name", name != NULL ? name : "");
	if (gss_logon_failure(p->krb_error) != NULL)
		cap_finding_set_str(&f, "logon_failure", gss_logon_failure(p->krb_error));
	cap_finding_set_str(&f, "gss_major", hex);
	cap_finding_set_num(&f, "gss_minor", (int64_t)p->gss_minor);
	cap_finding_set_str(&f, "gss_message", p->lib_message);
	f.w.detail = CAP_D_CLIENT_LOGON_FAILED;
	f.w.advice |= CAP_A_KDC_ERROR_CODE;
	engine_emit(a, &f);
}

/* After a failed logon, what could not be done without a TGT is its symptom: it joins
 * the root cause as a fold instead of a finding of its own.  True when folded. */
static bool fold_into_logon(struct cap_analysis *a, enum cap_fold_kind kind, int stage)
{
	struct probe_judges *st = state(a);
	struct cap_finding *rc;

	if (st == NULL || !st->root_cause || st->root_id != CAP_F_CLIENT_LOGON_FAILED)
		return false;
	rc = find(a, CAP_F_CLIENT_LOGON_FAILED);
	if (rc == NULL)
		return false;
	cap_finding_add_fold(rc, kind, stage, 0);
	return true;
}

static void judge_gss(struct cap_analysis *a, const struct cap_probe_fact *p)
{
	enum cap_finding_id id = gss_id(p->gss_major, p->krb_error, p->krb5, p->stage);
	const char *name = p->krb_error >= 0 ? cap_krb_error_name(p->krb_error) : NULL;
	struct cap_finding f;
	char hex[16];

	if (id != CAP_F_CLIENT_LOGON_FAILED && fold_into_logon(a, CAP_FOLD_PROBE_CALL_AFTER_LOGON,
								 (int)p->stage))
		return;
	root(a, id);
	/* one cause, one finding: the 401's token or an earlier call already named it */
	if (find(a, id) != NULL ||
	    (p->krb_error >= 0 && p->leg > 0 && judged_on_leg(a, p->leg, p->krb_error)))
		return;
	if (id == CAP_F_CLIENT_LOGON_FAILED) {
		logon_failed(a, p, name);
		return;
	}
	start(a, &f, id, p);
	txt_fmt(hex, sizeof(hex), "0x%08x", (unsigned)p->gss_major);
	cap_finding_set_str(&f, "spn", p->spn);
	if (p->krb_error >= 0) {
		cap_finding_set_num(&f, "error_code", p->krb_error);
		cap_finding_set_str(&f, "error_name", name != NULL ? name : "");
	}
	cap_finding_set_str(&f, "gss_major", hex);
	cap_finding_set_num(&f, "gss_minor", (int64_t)p->gss_minor);
	cap_finding_set_str(&f, "gss_message", p->lib_message);
	f.w.num[0] = p->stage;
	if (id == CAP_F_SPN_UNKNOWN) {
		f.w.detail = CAP_D_PROBE_SPN_UNKNOWN;
		spn_advice(&f, p->spn, web_conv(a));
		if (p->url[0] != '\0') {
			cap_finding_words_name(&f, 0, p->url);
			f.w.advice |= CAP_A_SPN_CHECK_FORMS;
		}
	} else if (p->krb_error >= 0) {
		f.w.detail = CAP_D_PROBE_KRB_ERROR;
	} else {
		f.w.detail = CAP_D_PROBE_GSS_ERROR;
	}
	engine_emit(a, &f);
}

static void judge_no_credentials(struct cap_analysis *a, const struct cap_probe_fact *p)
{
	enum cap_finding_id id = p->scheme == CAP_AUTH_NTLM && p->ntlm_installed ?
					 CAP_F_NTLM_UNAVAILABLE : CAP_F_NO_CREDENTIALS;
	struct cap_finding f;

	if (p->stage == CAP_PROBE_STAGE_KERBEROS_ALONE) {
		/* SPNEGO chose NTLM for want of a ticket: said already at the challenge? */
		if (find(a, CAP_F_NO_CREDENTIALS) != NULL || find(a, CAP_F_KDC_ERROR) != NULL)
			return;
		if (find(a, CAP_F_CLIENT_LOGON_FAILED) != NULL)
			return;
		start(a, &f, CAP_F_NO_CREDENTIALS, p);
		cap_finding_set_str(&f, "gss_message", p->lib_message);
		f.w.detail = CAP_D_PROBE_KERBEROS_ALONE;
		engine_emit(a, &f);
		return;
	}
	if (fold_into_logon(a, CAP_FOLD_PROBE_NO_CREDENTIAL_LEFT, 0))
		return;
	root(a, id);
	if (find(a, id) != NULL)
		return;
	start(a, &f, id, p);
	cap_finding_set_str(&f, "spn", p->spn);
	if (p->lib_message[0] != '\0')
		cap_finding_set_str(&f, "gss_message", p->lib_message);
	f.w.detail = CAP_D_PROBE_NO_CREDENTIALS;
	f.w.num[0] = p->scheme;
	engine_emit(a, &f);
}

/* The server had started to answer: the connection succeeded, the answer is what failed
 * (issue 16).  A cut body still carries the head's status. */
static void judge_cut(struct cap_analysis *a, const struct cap_probe_fact *p)
{
	static const enum cap_detail_kind detail[] = {
		[CAP_PROBE_CUT_HEAD] = CAP_D_PROBE_CUT_HEAD,
		[CAP_PROBE_CUT_BODY] = CAP_D_PROBE_CUT_BODY,
		[CAP_PROBE_CUT_TIMEOUT] = CAP_D_PROBE_SLOW_RESPONSE,
		[CAP_PROBE_CUT_HEAD_TOO_LARGE] = CAP_D_PROBE_HEAD_TOO_LARGE,
	};
	struct cap_finding f;

	start(a, &f, p->cut == CAP_PROBE_CUT_HEAD_TOO_LARGE ? CAP_F_RESPONSE_TOO_LARGE
							    : CAP_F_RESPONSE_INCOMPLETE, p);
	cap_finding_set_str(&f, "curl_error", p->curl_error);
	cap_finding_set_num(&f, "curl_code", p->curl_code);
	cap_finding_set_str(&f, "host", p->host);
	cap_finding_set_num(&f, "port", p->port);
	cap_finding_set_num(&f, "bytes_received", (int64_t)p->received);
	if (p->cut == CAP_PROBE_CUT_BODY)
		cap_finding_set_num(&f, "status", p->status);
	f.w.detail = detail[p->cut];
	f.w.num[0] = (int64_t)p->head_limit;
	engine_emit(a, &f);
}

static void judge_transport(struct cap_analysis *a, const struct cap_probe_fact *p)
{
	bool tls = p->tls_failure[0] != '\0';
	struct cap_finding f;

	if (p->cut != CAP_PROBE_CUT_NONE && (unsigned)p->cut <= CAP_PROBE_CUT_HEAD_TOO_LARGE) {
		judge_cut(a, p);
		return;
	}
	start(a, &f, tls ? CAP_F_TLS_ERROR : CAP_F_CONNECT_FAILED, p);
	cap_finding_set_str(&f, "curl_error", p->curl_error);
	cap_finding_set_num(&f, "curl_code", p->curl_code);
	cap_finding_set_str(&f, "host", p->host);
	cap_finding_set_num(&f, "port", p->port);
	if (tls) {
		cap_finding_set_str(&f, "tls_failure", p->tls_failure);
		if (p->verify_result != 0)
			cap_finding_set_num(&f, "verify_result", p->verify_result);
		if (p->certificate[0] != '\0')
			cap_finding_set_str(&f, "certificate", p->certificate);
		f.w.detail = CAP_D_PROBE_TLS_FAILED;
	} else {
		f.w.detail = CAP_D_PROBE_CONNECT_FAILED;
	}
	engine_emit(a, &f);
}

static void judge_bad_token(struct cap_analysis *a, const struct cap_probe_fact *p)
{
	struct cap_finding f;

	root(a, CAP_F_GSS_ERROR);
	start(a, &f, CAP_F_GSS_ERROR, p);
	f.w.num[0] = p->scheme;
	if (p->token_over_cap) {
		f.w.detail = CAP_D_PROBE_TOKEN_OVER_CAP;
		f.w.num[1] = (int64_t)p->token_chars;
		f.w.num[2] = (int64_t)p->token_cap;
	} else {
		f.w.detail = CAP_D_PROBE_TOKEN_NOT_BASE64;
		cap_finding_set_str(&f, "header", p->header);
	}
	engine_emit(a, &f);
}

static void judge_ntlm_missing(struct cap_analysis *a, const struct cap_probe_fact *p)
{
	struct cap_finding f;

	root(a, CAP_F_NTLM_UNAVAILABLE);
	start(a, &f, CAP_F_NTLM_UNAVAILABLE, p);
	f.w.detail = CAP_D_PROBE_NTLM_MISSING;
	f.w.num[0] = p->scheme;
	engine_emit(a, &f);
}

/* The browser would not answer Negotiate at all: its allowlist policy excludes the host. */
static void judge_not_allowed(struct cap_analysis *a, const struct cap_probe_fact *p)
{
	struct cap_finding f;

	root(a, CAP_F_NEGOTIATE_NOT_ALLOWED);
	start(a, &f, CAP_F_NEGOTIATE_NOT_ALLOWED, p); /* host: the conversation's host:port */
	cap_finding_set_str(&f, "browser", p->browser);
	cap_finding_set_str(&f, "policy", p->policy);
	cap_finding_set_str(&f, "allowlist", p->allowlist);
	f.w.detail = CAP_D_PROBE_NOT_ALLOWED;
	engine_emit(a, &f);
}

static void judge_mutual_failed(struct cap_analysis *a, const struct cap_probe_fact *p)
{
	struct cap_finding f;

	start(a, &f, CAP_F_MUTUAL_AUTH_FAILED, p);
	cap_finding_set_str(&f, "spn", p->spn);
	cap_finding_set_str(&f, "gss_message", p->lib_message);
	f.w.detail = CAP_D_PROBE_MUTUAL_FAILED;
	engine_emit(a, &f);
}

/* The same finding as a run of rejections on the wire (same key: merged with it). */
static void judge_legs_exhausted(struct cap_analysis *a, const struct cap_probe_fact *p)
{
	struct cap_finding f;

	start(a, &f, CAP_F_AUTH_LOOP, p);
	cap_finding_set_num(&f, "legs", p->legs);
	f.w.detail = CAP_D_PROBE_LEGS_EXHAUSTED;
	f.w.num[0] = p->max_legs;
	engine_emit(a, &f);
}

static bool success_status(int status)
{
	return status >= 200 && status < 300;
}

static void judge_delegation(struct cap_analysis *a, const struct cap_probe_fact *p)
{
	struct cap_finding f;

	if (!p->deleg_requested || p->deleg_granted || !(p->authenticated || p->gss_complete))
		return;
	if (p->mech == CAP_PROBE_MECH_KERBEROS && !(p->have_tkt_flags && p->ok_as_delegate)) {
		start(a, &f, CAP_F_DELEGATION_NOT_TRUSTED, p);
		cap_finding_set_str(&f, "spn", p->spn);
		cap_finding_set_str(&f, "ok_as_delegate", p->have_tkt_flags ? "no" : "unknown");
		f.w.detail = CAP_D_PROBE_NOT_OK_AS_DELEGATE;
	} else {
		start(a, &f, CAP_F_DELEGATION_REFUSED, p);
		cap_finding_set_str(&f, "spn", p->spn);
		f.w.detail = CAP_D_PROBE_NOT_DELEGATED;
		f.w.num[0] = p->mech == CAP_PROBE_MECH_NTLM;
	}
	engine_emit(a, &f);
}

static void judge_outcome(struct cap_analysis *a, const struct cap_probe_fact *p)
{
	struct probe_judges *st = state(a);
	struct cap_finding f;

	if (st != NULL) {
		st->outcome_seen = true;
		st->mech_forced_ntlm = p->mech_forced && p->mech == CAP_PROBE_MECH_NTLM;
		st->chanbind_withheld = p->https && p->chanbind_withheld && p->gss_started &&
					!p->authenticated && p->status == 401;
		st->chanbind_refused = p->https && p->chanbind_sent && p->gss_started &&
				       !p->authenticated && p->status == 401;
		snprintf(st->chanbind_subject, sizeof(st->chanbind_subject), "%s",
			 p->chanbind_subject);
		snprintf(st->chanbind_sha256, sizeof(st->chanbind_sha256), "%s",
			 p->chanbind_sha256);
	}
	if (p->https && p->tls_unverified) {
		start(a, &f, CAP_F_TLS_INSECURE, p);
		cap_finding_set_str(&f, "host", p->host);
		engine_emit(a, &f);
	}
	if (success_status(p->status) && !p->gss_started) {
		start(a, &f, CAP_F_AUTH_NOT_REQUIRED, p);
		cap_finding_set_num(&f, "status", p->status);
		engine_emit(a, &f);
	} else if (p->status != 0 && p->status != 401 && !success_status(p->status) &&
		   find(a, CAP_F_TOKEN_TOO_LARGE) == NULL) {
		/* a 400 to a large Negotiate header is the HTTP rules' token-too-large */
		start(a, &f, CAP_F_UNEXPECTED_STATUS, p);
		cap_finding_set_num(&f, "status", p->status);
		if (p->location[0] != '\0')
			cap_finding_set_str(&f, "location", p->location);
		f.w.detail = CAP_D_PROBE_UNEXPECTED_STATUS;
		engine_emit(a, &f);
	}
	judge_delegation(a, p);
}

/* --check-spn: when the SPN asked for is missing but other forms exist, the spn-unknown
 * finding names them. */
static void judge_spn_checks(struct cap_analysis *a, const struct cap_probe_fact *p)
{
	struct cap_finding *f = find(a, CAP_F_SPN_UNKNOWN);
	char found[CAP_EVIDENCE_STR_MAX] = "";
	bool asked_missing = false;

	for (size_t i = 0; i < p->nforms && i < CAP_PROBE_SPN_FORMS; i++) {
		const struct cap_probe_spn_form *s = &p->forms[i];
		size_t used = strlen(found);

		if (strcasecmp(s->spn, p->spn) == 0)
			asked_missing = s->exists == 0;
		if (s->exists == 1)
			txt_fmt(found + used, sizeof(found) - used, "%s%s", used > 0 ? ", " : "",
				s->spn);
	}
	if (f == NULL || !asked_missing || found[0] == '\0')
		return;
	cap_finding_set_str(f, "registered_forms", found);
	cap_finding_words_name(f, CAP_WN_SPN, p->spn);
	f->w.advice |= CAP_A_SPN_REGISTERED_FORMS;
}

/* userAccountControl bits (MS-ADTS 2.2.16) */
#define UF_WORKSTATION_TRUST_ACCOUNT 0x1000
#define UF_SERVER_TRUST_ACCOUNT 0x2000
#define UF_TRUSTED_FOR_DELEGATION 0x80000
#define UF_TRUSTED_TO_AUTH_FOR_DELEGATION 0x1000000

/* `name` is one of the ", "-separated items of `list` (compared without case). */
static bool in_list(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; n > 0 && *p != '\0';) {
		size_t k = strcspn(p, ",");

		if (k == n && strncasecmp(p, name, n) == 0)
			return true;
		p += k;
		while (*p == ',' || *p == ' ')
			p++;
	}
	return false;
}

/* The directory failed: one finding that says which step and why. */
static void dir_failed(struct cap_analysis *a, const struct cap_probe_fact *p)
{
	struct cap_finding f;

	start(a, &f, CAP_F_LDAP_FAILED, p);
	cap_finding_set_str(&f, "ldap_uri", p->ldap_uri);
	cap_finding_set_str(&f, "ldap_step", p->ldap_step);
	cap_finding_set_str(&f, "ldap_error", p->ldap_error);
	f.w.detail = CAP_D_PROBE_DIR_FAILED;
	engine_emit(a, &f);
}

/* setspn -X for the forms a browser may ask for: a name on two accounts. */
static void dir_duplicates(struct cap_analysis *a, const struct cap_probe_fact *p)
{
	for (size_t i = 0; i < p->ndir && i < CAP_PROBE_SPN_FORMS; i++) {
		const struct cap_probe_dir_spn *d = &p->dir[i];
		char accounts[CAP_EVIDENCE_STR_MAX] = "", dns[CAP_EVIDENCE_STR_MAX] = "";
		struct cap_finding f;

		if (d->total < 2)
			continue;
		for (size_t k = 0; k < d->total && k < CAP_PROBE_DIR_HOLDERS; k++) {
			size_t u = strlen(accounts), v = strlen(dns);

			txt_fmt(accounts + u, sizeof(accounts) - u, "%s%s", k > 0 ? ", " : "",
				d->accounts[k]);
			txt_fmt(dns + v, sizeof(dns) - v, "%s%s", k > 0 ? "; " : "", d->dns[k]);
		}
		start(a, &f, CAP_F_SPN_DUPLICATE, p);
		cap_finding_set_key(&f, "dir %s", d->spn);
		cap_finding_set_str(&f, "spn", d->spn);
		cap_finding_set_str(&f, "accounts", accounts);
		cap_finding_set_str(&f, "account_dns", dns);
		cap_finding_set_num(&f, "holders", (int64_t)d->total);
		f.w.detail = CAP_D_PROBE_DIR_DUPLICATE;
		f.w.advice |= CAP_A_DIR_DUPLICATE;
		engine_emit(a, &f);
	}
}

static void holder_evidence(struct cap_finding *f, const struct cap_probe_fact *p)
{
	const struct cap_probe_dir_account *h = &p->holder;

	cap_finding_set_str(f, "spn", p->spn);
	cap_finding_set_str(f, "account", h->sam);
	cap_finding_set_str(f, "account_dn", h->dn);
	if (h->uac >= 0) {
		cap_finding_set_num(f, "user_account_control", h->uac);
		cap_finding_set_num(f, "account_is_computer",
				    (h->uac & (UF_WORKSTATION_TRUST_ACCOUNT |
					       UF_SERVER_TRUST_ACCOUNT)) != 0);
		cap_finding_set_num(f, "trusted_for_delegation",
				    (h->uac & UF_TRUSTED_FOR_DELEGATION) != 0);
		cap_finding_set_num(f, "trusted_to_auth_for_delegation",
				    (h->uac & UF_TRUSTED_TO_AUTH_FOR_DELEGATION) != 0);
	}
	if (h->enctypes >= 0)
		cap_finding_set_num(f, "supported_enctypes", h->enctypes);
	if (h->kvno >= 0)
		cap_finding_set_num(f, "kvno", h->kvno);
	cap_finding_set_str(f, "allowed_to_delegate_to", h->deleg_to);
	cap_finding_set_str(f, "realm", p->realm);
}

/* --check-spn --ldap: what the directory says about the SPN forms and the asked SPN's
 * account.  Only what the directory shows is judged: a missing SPN is spn-unknown's (the
 * KDC's answer), and a keytab is compared by its names and kvno, never by its keys. */
static void judge_spn_directory(struct cap_analysis *a, const struct cap_probe_fact *p)
{
	const struct cap_probe_dir_account *h = &p->holder;
	struct cap_finding f;

	if (p->ldap_step[0] != '\0') {
		dir_failed(a, p);
		return;
	}
	dir_duplicates(a, p);
	if (!p->have_holder)
		return;
	start(a, &f, CAP_F_SPN_HOLDER, p);
	holder_evidence(&f, p);
	if (p->keytab_error[0] != '\0') /* --server-keytab unreadable: said, not skipped */
		cap_finding_set_str(&f, "keytab_error", p->keytab_error);
	f.w.detail = CAP_D_PROBE_DIR_HOLDER;
	engine_emit(a, &f);
	if (p->keytab[0] != '\0' && p->keytab_accounts[0] != '\0' &&
	    !in_list(p->keytab_accounts, h->sam)) {
		/* the keytab names its account(s), and the SPN's is not among them */
		start(a, &f, CAP_F_SPN_ON_WRONG_ACCOUNT, p);
		holder_evidence(&f, p);
		cap_finding_set_str(&f, "keytab", p->keytab);
		cap_finding_set_str(&f, "keytab_accounts", p->keytab_accounts);
		f.w.detail = CAP_D_PROBE_DIR_WRONG_ACCOUNT;
		f.w.advice |= CAP_A_DIR_WRONG_ACCOUNT;
		engine_emit(a, &f);
	} else if (p->keytab[0] != '\0' && p->keytab_kvno >= 0 && h->kvno >= 0 &&
		   p->keytab_kvno != h->kvno) {
		start(a, &f, CAP_F_KEYTAB_KVNO_MISMATCH, p);
		holder_evidence(&f, p);
		cap_finding_set_str(&f, "keytab", p->keytab);
		cap_finding_set_num(&f, "keytab_kvno", p->keytab_kvno);
		f.w.detail = CAP_D_PROBE_DIR_KVNO;
		f.w.advice |= CAP_A_DIR_KVNO;
		engine_emit(a, &f);
	}
	/* the double hop: unconstrained delegation, or the back end in the constrained list
	 * (MS-SFU 3.2.5.2.2: the KDC checks msDS-AllowedToDelegateTo for S4U2Proxy) */
	if (p->backend_spn[0] != '\0' && h->uac >= 0 && !(h->uac & UF_TRUSTED_FOR_DELEGATION) &&
	    !in_list(h->deleg_to, p->backend_spn)) {
		start(a, &f, CAP_F_DELEGATION_NOT_CONFIGURED, p);
		holder_evidence(&f, p);
		cap_finding_set_str(&f, "backend_spn", p->backend_spn);
		cap_finding_set_num(&f, "backend_holders", (int64_t)p->backend_holders);
		f.w.detail = CAP_D_PROBE_DIR_DELEGATION;
		f.w.advice |= CAP_A_DIR_DELEGATION;
		engine_emit(a, &f);
	}
}

/* One judge per kind of probe fact. */
static void (*const judges[])(struct cap_analysis *a, const struct cap_probe_fact *p) = {
	[CAP_PROBE_TRANSPORT_FAILED] = judge_transport,
	[CAP_PROBE_GSS_FAILED] = judge_gss,
	[CAP_PROBE_NO_CREDENTIALS] = judge_no_credentials,
	[CAP_PROBE_NTLM_MISSING] = judge_ntlm_missing,
	[CAP_PROBE_BAD_TOKEN] = judge_bad_token,
	[CAP_PROBE_MUTUAL_FAILED] = judge_mutual_failed,
	[CAP_PROBE_LEGS_EXHAUSTED] = judge_legs_exhausted,
	[CAP_PROBE_OUTCOME] = judge_outcome,
	[CAP_PROBE_SPN_CHECKS] = judge_spn_checks,
	[CAP_PROBE_SPN_DIRECTORY] = judge_spn_directory,
	[CAP_PROBE_NOT_ALLOWED] = judge_not_allowed,
};

void cap_analysis_probe(struct cap_analysis *a, const struct cap_probe_fact *p)
{
	if (state(a) == NULL || (size_t)p->event >= sizeof(judges) / sizeof(judges[0]) ||
	    judges[p->event] == NULL)
		return;
	if (p->leg > a->last_frame)
		a->last_frame = p->leg;
	judges[p->event](a, p);
}

/* Takes finding i out of the report (the end-of-run fold). */
static void drop(struct cap_analysis *a, size_t i)
{
	struct probe_judges *st = a->probe;

	if (st->ndropped == PROBE_DROPPED_MAX)
		return; /* a probe run drops three ids at most: stays reported if ever reached */
	st->dropped[st->ndropped++] = a->findings[i];
	memmove(&a->findings[i], &a->findings[i + 1],
		(a->nfindings - i - 1) * sizeof(a->findings[0]));
	a->nfindings--;
}

/* Starts finding `id` over the server's refusal of the finished handshake
 * (kerberos-rejected, ntlm-rejected: its legs, its id as refused_by).  False when the
 * server refused nothing of the kind (a KRB-ERROR in the 401 already says why). */
static bool over_refusal(struct cap_analysis *a, enum cap_finding_id id, struct cap_finding *f)
{
	struct cap_finding *rej = find(a, CAP_F_KERBEROS_REJECTED);
	struct cap_probe_fact p;

	if (rej == NULL)
		rej = find(a, CAP_F_NTLM_REJECTED);
	if (rej == NULL)
		return false;
	cap_probe_fact_init(&p, CAP_PROBE_OUTCOME);
	start(a, f, id, &p);
	for (size_t k = 0; k < rej->nframes; k++)
		cap_finding_add_frame(f, rej->frames[k]);
	cap_finding_set_str(f, "refused_by", cap_finding_slug(rej->id));
	return true;
}

/* The server refused the finished handshake of a client that sent no channel binding
 * over HTTPS: what Extended Protection set to Require answers.  Said as what it appears
 * to be: without the binding the probe cannot tell it from a refusal for another reason,
 * so the advice is to run again with it. */
static void channel_binding_required(struct cap_analysis *a)
{
	struct cap_finding f;

	if (!over_refusal(a, CAP_F_CHANNEL_BINDING_REQUIRED, &f))
		return;
	cap_finding_set_str(&f, "channel_binding", "not sent (--no-channel-binding)");
	engine_emit(a, &f);
}

/* The same refusal of a client that did send the binding, over the certificate it was
 * shown: with good credentials, a site with Extended Protection behind a TLS-terminating
 * proxy, whose certificate the binding is over (RFC 5929 §4.1; IIS <extendedProtection>).
 * The client cannot see the server's own certificate, so the finding names the one it
 * bound to and says how to tell the two causes apart. */
static void channel_binding_refused(struct cap_analysis *a)
{
	const struct probe_judges *st = a->probe;
	struct cap_finding f;

	if (!over_refusal(a, CAP_F_CHANNEL_BINDING_REFUSED, &f))
		return;
	cap_finding_set_str(&f, "channel_binding", "sent");
	if (st->chanbind_subject[0] != '\0')
		cap_finding_set_str(&f, "certificate_subject", st->chanbind_subject);
	if (st->chanbind_sha256[0] != '\0')
		cap_finding_set_str(&f, "certificate_sha256", st->chanbind_sha256);
	f.w.detail = CAP_D_PROBE_CHANNEL_BINDING_REFUSED;
	engine_emit(a, &f);
}

void judges_probe_finish(struct cap_analysis *a)
{
	struct probe_judges *st = a->probe;

	if (st == NULL)
		return; /* negcap: no probe facts */
	if (st->chanbind_withheld)
		channel_binding_required(a);
	else if (st->chanbind_refused)
		channel_binding_refused(a);
	for (size_t i = a->nfindings; i-- > 0;) {
		const struct cap_finding *f = a->findings[i];
		struct cap_finding *rc;

		switch (f->id) {
		case CAP_F_NO_DELEGATION:
			/* the probe's own delegation fact settles it: granted, refused or not
			 * trusted (its own findings), or never asked for */
			if (st->outcome_seen)
				drop(a, i);
			break;
		case CAP_F_NTLM_FALLBACK:
			if (st->mech_forced_ntlm) /* --mech ntlm: the user's choice */
				drop(a, i);
			break;
		case CAP_F_NEGOTIATE_UNANSWERED:
			/* the symptom of the probe's root cause: its frames join that finding */
			if (!st->root_cause)
				break;
			rc = find(a, st->root_id);
			for (size_t k = 0; rc != NULL && k < f->nframes; k++)
				cap_finding_add_frame(rc, f->frames[k]);
			drop(a, i);
			break;
		default:
			break;
		}
	}
}
