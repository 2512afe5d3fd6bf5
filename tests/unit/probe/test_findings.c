/* test_findings.c - the probe's findings come from the engine's judges: its legs fed as
 * negcap's facts meet negcap's rules (same ids, same evidence keys), GSS/krb5 failures
 * fed as probe facts meet the probe judges; and the probe's finding records. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gssapi/gssapi.h>
#include <krb5.h>

#include "facts.h"
#include "negscope/report.h"
#include "probe.h"

/* The contract is the slug: compare on it, so a renamed id fails here. */
#define ID(x) cap_finding_slug(x)

/* The finding the judges make of one failed GSS call (its krb5 RFC number in *kerr). */
static enum cap_finding_id judged(uint32_t major, int32_t krb5_code, int *kerr)
{
	struct probe_gss_error e;
	struct cap_probe_fact f;
	struct probe_facts pf;
	enum cap_finding_id id = CAP_F_COUNT;

	memset(&e, 0, sizeof(e));
	e.major = major;
	e.krb5_code = krb5_code;
	assert_int_equal(probe_facts_init(&pf, NULL), 0);
	cap_probe_fact_init(&f, CAP_PROBE_GSS_FAILED);
	f.leg = 1;
	f.stage = CAP_PROBE_STAGE_FIRST_TOKEN;
	snprintf(f.spn, sizeof(f.spn), "HTTP/crm.example.test");
	probe_facts_gss_error(&f, &e);
	*kerr = f.krb_error;
	probe_facts_feed(&pf, &f);
	cap_analysis_finish(pf.an, NULL);
	if (cap_analysis_nfindings(pf.an) == 1)
		id = cap_analysis_finding(pf.an, 0)->id;
	probe_facts_free(&pf);
	return id;
}

#define GSS(major, code) ID(judged((major), (code), &kerr))

static void gss_mapping(void **state)
{
	int kerr = 0;

	(void)state;
	assert_string_equal(GSS(GSS_S_FAILURE, KRB5KDC_ERR_S_PRINCIPAL_UNKNOWN), "spn-unknown");
	assert_int_equal(kerr, 7);
	assert_string_equal(GSS(GSS_S_FAILURE, KRB5KRB_AP_ERR_SKEW), "clock-skew");
	assert_int_equal(kerr, 37);
	assert_string_equal(GSS(GSS_S_FAILURE, KRB5KRB_AP_ERR_MODIFIED), "krb-ap-err-modified");
	assert_string_equal(GSS(GSS_S_FAILURE, KRB5KRB_AP_ERR_BADKEYVER), "krb-ap-err-modified");
	assert_string_equal(GSS(GSS_S_FAILURE, KRB5KRB_AP_ERR_BAD_INTEGRITY), "krb-ap-err-modified");
	assert_string_equal(GSS(GSS_S_FAILURE, KRB5KDC_ERR_PRINCIPAL_NOT_UNIQUE), "spn-duplicate");
	assert_string_equal(GSS(GSS_S_FAILURE, KRB5KDC_ERR_ETYPE_NOSUPP), "etype-mismatch");
	assert_string_equal(GSS(GSS_S_FAILURE, KRB5KDC_ERR_BADOPTION), "delegation-refused");
	/* the user's own logon: wrong password, locked, unknown, expired, policy */
	assert_string_equal(GSS(GSS_S_FAILURE, KRB5KDC_ERR_PREAUTH_FAILED), "client-logon-failed");
	assert_int_equal(kerr, 24);
	assert_string_equal(GSS(GSS_S_FAILURE, KRB5KDC_ERR_CLIENT_REVOKED), "client-logon-failed");
	assert_string_equal(GSS(GSS_S_FAILURE, KRB5KDC_ERR_C_PRINCIPAL_UNKNOWN),
			    "client-logon-failed");
	assert_string_equal(GSS(GSS_S_FAILURE, KRB5KDC_ERR_KEY_EXP), "client-logon-failed");
	assert_string_equal(GSS(GSS_S_FAILURE, KRB5KRB_AP_ERR_TKT_EXPIRED), "no-credentials");
	assert_string_equal(GSS(GSS_S_FAILURE, KRB5KDC_ERR_POLICY), "client-logon-failed");
	assert_string_equal(GSS(GSS_S_FAILURE, KRB5KDC_ERR_SERVICE_EXP), "kdc-error");
	assert_string_equal(GSS(GSS_S_FAILURE, KRB5KRB_AP_ERR_MUT_FAIL), "mutual-auth-failed");
	/* com_err codes outside the RFC table */
	assert_string_equal(GSS(GSS_S_FAILURE, KRB5_KDC_UNREACH), "kdc-unreachable");
	assert_int_equal(kerr, -1);
	assert_string_equal(GSS(GSS_S_FAILURE, KRB5_REALM_CANT_RESOLVE), "kdc-unreachable");
	assert_string_equal(GSS(GSS_S_NO_CRED, KRB5_FCC_NOFILE), "no-credentials");
	assert_string_equal(GSS(GSS_S_NO_CRED, 0), "no-credentials");
	assert_string_equal(GSS(GSS_S_CREDENTIALS_EXPIRED, 0), "no-credentials");
	assert_string_equal(GSS(GSS_S_BAD_SIG, 0), "mutual-auth-failed");
	assert_string_equal(GSS(GSS_S_BAD_MECH, 0), "ntlm-unavailable");
	assert_string_equal(GSS(GSS_S_FAILURE, 100005), "gss-error");
	assert_string_equal(probe_krb_error_name(41), "KRB_AP_ERR_MODIFIED");
	assert_string_equal(probe_krb_error_name(7), "KDC_ERR_S_PRINCIPAL_UNKNOWN");
	assert_string_equal(probe_krb_error_name(9999), "");
}

static void catalog(void **state)
{
	const char *probe_only[] = {"no-credentials", "mutual-auth-failed", "connect-failed",
				    "tls-error", "tls-insecure", "delegation-not-trusted",
				    "gss-error", "ntlm-unavailable", "auth-not-required",
				    "unexpected-status"};
	const char *shared[] = {"spn-unknown", "kdc-unreachable", "ntlm-fallback", "client-logon-failed",
				"keepalive-missing", "krb-ap-err-modified", "kerberos-ok"};
	enum cap_finding_id id;

	(void)state;
	for (size_t i = 0; i < sizeof(probe_only) / sizeof(probe_only[0]); i++) {
		assert_int_equal(cap_finding_from_slug(probe_only[i], &id), 0);
		assert_true(cap_finding_info(id)->probe_only);
		assert_non_null(cap_finding_info(id)->advice[0]);
	}
	for (size_t i = 0; i < sizeof(shared) / sizeof(shared[0]); i++) {
		assert_int_equal(cap_finding_from_slug(shared[i], &id), 0);
		assert_false(cap_finding_info(id)->probe_only);
	}
	assert_int_equal(cap_finding_info(CAP_F_NO_CREDENTIALS)->severity, CAP_SEV_ERROR);
	assert_int_equal(cap_finding_info(CAP_F_DELEGATION_NOT_TRUSTED)->severity, CAP_SEV_WARNING);
	assert_int_equal(cap_finding_info(CAP_F_TLS_INSECURE)->severity, CAP_SEV_WARNING);
	assert_int_equal(cap_finding_info(CAP_F_AUTH_NOT_REQUIRED)->severity, CAP_SEV_WARNING);
	assert_int_equal(cap_finding_info(CAP_F_UNEXPECTED_STATUS)->severity, CAP_SEV_WARNING);
	assert_int_equal(cap_finding_info(CAP_F_GSS_ERROR)->severity, CAP_SEV_ERROR);
}

/* Every KDC/AP error number and every GSS major code lands on a catalog id the probe
 * may emit (never a wire-only one such as capture-truncated). */
static void mapping_covers_catalog(void **state)
{
	static const enum cap_finding_id wire_only[] = {
		CAP_F_CAPTURE_TRUNCATED, CAP_F_HTTP_NOT_VISIBLE, CAP_F_NEGOTIATE_UNANSWERED,
		CAP_F_DELEGATION_OK, CAP_F_NO_DELEGATION};
	int kerr;

	(void)state;
	for (int code = -1; code < 128; code++) {
		enum cap_finding_id id = judged(GSS_S_FAILURE, code < 0 ? 0 :
						(int32_t)(ERROR_TABLE_BASE_krb5 + code), &kerr);

		assert_non_null(cap_finding_info(id));
		for (size_t w = 0; w < sizeof(wire_only) / sizeof(wire_only[0]); w++)
			assert_int_not_equal(id, wire_only[w]);
	}
	for (uint32_t major = 1; major <= 18; major++)
		assert_non_null(cap_finding_info(judged(major << 16, 0, &kerr)));
}

/* ---- legs through negcap's rules ---- */

static void leg(struct probe_result *r, long status, const char *www, const char *connection,
		bool conn_new, long local_port)
{
	struct probe_leg *l = &r->legs[r->nlegs];

	memset(l, 0, sizeof(*l));
	l->n = (unsigned)++r->nlegs;
	l->status = status;
	snprintf(l->reason, sizeof(l->reason), "%s", status == 401 ? "Unauthorized" : "Other");
	l->http_version = 11;
	l->conn_new = conn_new;
	l->local_port = local_port;
	l->remote_port = 80;
	snprintf(l->local_ip, sizeof(l->local_ip), "192.0.2.10");
	snprintf(l->remote_ip, sizeof(l->remote_ip), "192.0.2.80");
	if (www != NULL) {
		l->www_auth = calloc(1, sizeof(*l->www_auth));
		assert_non_null(l->www_auth);
		l->www_auth[0] = strdup(www);
		l->nwww = 1;
	}
	l->connection = connection != NULL ? strdup(connection) : NULL;
}

/* A run whose first leg is a 401 with challenge `www` (and Connection `connection`). */
static void start_run(struct probe_result *r, struct probe_facts *pf, const char *www,
		      const char *connection)
{
	char err[64];

	probe_result_init(r, "http://crm.example.test/");
	assert_int_equal(probe_url_parse(r->url, &r->u, err, sizeof(err)), 0);
	r->url_ok = true;
	snprintf(r->spn, sizeof(r->spn), "HTTP/crm.example.test");
	assert_int_equal(probe_facts_init(pf, NULL), 0);
	leg(r, 401, www, connection, true, 40000);
	probe_facts_leg(pf, r, &r->legs[0], NULL);
}

static void end_run(struct probe_result *r, struct probe_facts *pf)
{
	probe_facts_free(pf);
	probe_result_clear(r);
}

static const struct probe_finding *finding(const struct probe_result *r, const char *slug)
{
	for (size_t i = 0; i < r->nfindings; i++)
		if (strcmp(ID(r->findings[i].rec.id), slug) == 0)
			return &r->findings[i];
	return NULL;
}

/* The facts of a failed -u logon: the AS exchange's error, then what GSS-API could not
 * do without a TGT. */
static void logon_run(struct probe_result *r, struct probe_facts *pf, int32_t krb5_code,
		      enum cap_probe_stage stage)
{
	struct probe_gss_error e;
	struct cap_probe_fact f;

	memset(r, 0, sizeof(*r));
	probe_result_init(r, "http://crm.example.test:5555/");
	assert_int_equal(probe_facts_init(pf, NULL), 0);
	memset(&e, 0, sizeof(e));
	e.major = GSS_S_FAILURE;
	e.krb5_code = krb5_code;
	snprintf(e.minor_text, sizeof(e.minor_text), "Preauthentication failed");
	probe_facts_start(&f, CAP_PROBE_GSS_FAILED, r, 1);
	f.stage = stage;
	snprintf(f.client, sizeof(f.client), "bob@EXAMPLE.TEST");
	probe_facts_gss_error(&f, &e);
	probe_facts_feed(pf, &f);
	/* the first token could not be made: a symptom */
	memset(&e, 0, sizeof(e));
	e.major = GSS_S_BAD_NAME;
	snprintf(e.minor_text, sizeof(e.minor_text), "Invalid value in argument");
	probe_facts_start(&f, CAP_PROBE_GSS_FAILED, r, 1);
	f.stage = CAP_PROBE_STAGE_FIRST_TOKEN;
	probe_facts_gss_error(&f, &e);
	probe_facts_feed(pf, &f);
	probe_facts_start(&f, CAP_PROBE_NO_CREDENTIALS, r, 1);
	f.scheme = CAP_AUTH_NEGOTIATE;
	probe_facts_feed(pf, &f);
	probe_facts_start(&f, CAP_PROBE_OUTCOME, r, 0);
	f.status = 401;
	probe_facts_feed(pf, &f);
	probe_facts_finish(pf, r);
}

/* A refused AS exchange is client-logon-failed naming the user; the GSS error and the
 * missing credentials after it fold into its detail. */
static void logon_failure_is_the_root_cause(void **state)
{
	struct probe_result r;
	struct probe_facts pf;
	const struct cap_finding *f;
	char words[CAP_FINDING_TEXT_MAX];

	(void)state;
	logon_run(&r, &pf, KRB5KDC_ERR_PREAUTH_FAILED, CAP_PROBE_STAGE_CREDENTIALS);
	assert_int_equal(r.nfindings, 1);
	f = &r.findings[0].rec;
	assert_string_equal(ID(f->id), "client-logon-failed");
	assert_int_equal(f->severity, CAP_SEV_ERROR);
	assert_string_equal(cap_finding_get_str(f, "user"), "bob");
	assert_string_equal(cap_finding_get_str(f, "realm"), "EXAMPLE.TEST");
	assert_string_equal(cap_finding_get_str(f, "error_name"), "KDC_ERR_PREAUTH_FAILED");
	assert_string_equal(cap_finding_get_str(f, "logon_failure"), "wrong-password");
	assert_int_equal(cap_finding_get(f, "error_code")->num, 24);
	assert_true(cap_finding_detail_text(f, words, sizeof(words)) > 0);
	assert_non_null(strstr(words, "for want of that ticket"));
	assert_true(cap_finding_nadvice(f) > 0);
	cap_finding_advice_text(f, 0, words, sizeof(words));
	assert_non_null(strstr(words, "password"));
	end_run(&r, &pf);

	/* MIT's 31 to an AS exchange is a wrong password; to an AP exchange, the server key */
	logon_run(&r, &pf, KRB5KRB_AP_ERR_BAD_INTEGRITY, CAP_PROBE_STAGE_CREDENTIALS);
	assert_string_equal(ID(r.findings[0].rec.id), "client-logon-failed");
	end_run(&r, &pf);
	logon_run(&r, &pf, KRB5KRB_AP_ERR_BAD_INTEGRITY, CAP_PROBE_STAGE_SERVER_TOKEN);
	assert_string_equal(ID(r.findings[0].rec.id), "krb-ap-err-modified");
	assert_true(r.nfindings > 1); /* no logon failure: the later GSS error is its own */
	end_run(&r, &pf);
}

/* negcap's token-too-large rule judges the probe's leg: its threshold (a 400 to a
 * Negotiate header of 4096 bytes or more) and its evidence key, header_bytes. */
static void token_too_large_is_negcaps(void **state)
{
	struct probe_result r;
	struct probe_facts pf;
	const struct probe_finding *f;
	size_t n = 6000;
	char *authz = malloc(n + 1);

	(void)state;
	assert_non_null(authz);
	memcpy(authz, "Negotiate ", 10);
	memset(authz + 10, 'Y', n - 10);
	authz[n] = '\0';
	start_run(&r, &pf, "Negotiate", NULL);
	leg(&r, 400, NULL, NULL, false, 40000);
	probe_facts_leg(&pf, &r, &r.legs[1], authz);
	probe_facts_finish(&pf, &r);
	f = finding(&r, "token-too-large");
	assert_non_null(f);
	assert_int_equal(f->leg, 2);
	/* the whole header value, as negcap counts it */
	assert_int_equal(cap_finding_get(&f->rec, "header_bytes")->num, (int64_t)n);
	assert_null(cap_finding_get(&f->rec, "authorization_bytes"));
	/* the 400 is that finding, not an unexpected status as well */
	assert_null(finding(&r, "unexpected-status"));
	end_run(&r, &pf);
	free(authz);
}

/* The first 401 offers only NTLM: negcap's negotiate-not-offered, with its evidence. */
static void negotiate_not_offered_is_negcaps(void **state)
{
	struct probe_result r;
	struct probe_facts pf;
	const struct probe_finding *f;

	(void)state;
	start_run(&r, &pf, "NTLM", NULL);
	probe_facts_finish(&pf, &r);
	f = finding(&r, "negotiate-not-offered");
	assert_non_null(f);
	assert_int_equal(f->leg, 1);
	assert_string_equal(cap_finding_get_str(&f->rec, "offered"), "NTLM");
	assert_string_equal(cap_finding_get_str(&f->rec, "server"), "192.0.2.80:80");
	end_run(&r, &pf);
}

/* A 401 with Connection: close, the next leg on a new connection: negcap's
 * keepalive-missing, on the leg that needed the new connection. */
static void keepalive_is_negcaps(void **state)
{
	struct probe_result r;
	struct probe_facts pf;
	const struct probe_finding *f;

	(void)state;
	start_run(&r, &pf, "Negotiate", "close");
	leg(&r, 200, NULL, NULL, true, 40001);
	probe_facts_leg(&pf, &r, &r.legs[1], "Negotiate oRQwEqADCgEAoQsGCSqGSIb3EgECAg==");
	probe_facts_finish(&pf, &r);
	f = finding(&r, "keepalive-missing");
	assert_non_null(f);
	assert_int_equal(f->leg, 2);
	assert_string_equal(cap_finding_get_str(&f->rec, "closed_by"), "Connection: close");
	end_run(&r, &pf);
}

/* No credentials: the probe's judge names the cause, and negcap's symptom of it (the
 * Negotiate challenge never answered) folds into that finding. */
static void no_credentials_claims_the_symptom(void **state)
{
	struct probe_result r;
	struct probe_facts pf;
	struct cap_probe_fact f;

	(void)state;
	start_run(&r, &pf, "Negotiate", NULL);
	probe_facts_start(&f, CAP_PROBE_NO_CREDENTIALS, &r, 1);
	f.scheme = CAP_AUTH_NEGOTIATE;
	snprintf(f.lib_message, sizeof(f.lib_message), "No Kerberos credentials available");
	probe_facts_feed(&pf, &f);
	probe_facts_start(&f, CAP_PROBE_OUTCOME, &r, 0);
	f.status = 401;
	probe_facts_feed(&pf, &f);
	probe_facts_finish(&pf, &r);
	assert_int_equal(r.nfindings, 1);
	assert_string_equal(ID(r.findings[0].rec.id), "no-credentials");
	assert_string_equal(cap_finding_get_str(&r.findings[0].rec, "gss_message"),
			    "No Kerberos credentials available");
	end_run(&r, &pf);
}

/* The same rule without the probe's facts is negcap's: the symptom stays. */
static void without_probe_facts_the_symptom_stays(void **state)
{
	struct probe_result r;
	struct probe_facts pf;

	(void)state;
	start_run(&r, &pf, "Negotiate", NULL);
	probe_facts_finish(&pf, &r);
	assert_non_null(finding(&r, "negotiate-unanswered"));
	end_run(&r, &pf);
}

/* NTLM inside Negotiate is negcap's ntlm-fallback, unless the user chose NTLM (--mech
 * ntlm): the probe's outcome fact settles it. */
static bool fallback_reported(bool forced)
{
	struct probe_result r;
	struct probe_facts pf;
	struct cap_probe_fact f;
	bool found;

	start_run(&r, &pf, "Negotiate", NULL);
	leg(&r, 401, "Negotiate TlRMTVNTUAACAAAAAAAAAAAAAAAFgoqiAAAAAAAAAAA=", NULL, false, 40000);
	probe_facts_leg(&pf, &r, &r.legs[1], "Negotiate TlRMTVNTUAABAAAAB4IIogAAAAAAAAAAAAAAAAAAAAA=");
	probe_facts_start(&f, CAP_PROBE_OUTCOME, &r, 0);
	f.status = 401;
	f.gss_started = true;
	f.mech = CAP_PROBE_MECH_NTLM;
	f.mech_forced = forced;
	probe_facts_feed(&pf, &f);
	probe_facts_finish(&pf, &r);
	found = finding(&r, "ntlm-fallback") != NULL;
	end_run(&r, &pf);
	return found;
}

static void forced_ntlm_is_no_fallback(void **state)
{
	(void)state;
	assert_true(fallback_reported(false));
	assert_false(fallback_reported(true));
}

/* The server's 401 carries KRB-ERROR 46 (samples/stale-keytab.pcap's SPNEGO reject with
 * its error code changed from 44): negcap's rule judges the token; GSS-API then fails on
 * the same error, and that is not a second finding. */
static const char REJECT_46[] =
	"Negotiate oX4wfKADCgEConUEc2BxBgkqhkiG9xIBAgIDAH5iMGCgAwIBBaEDAgEepBEYDzIwMjYxMTI1MDkwMzA0"
	"WqUFAgMDivumAwIBLqkOGwxFWEFNUExFLlRFU1SqJTAjoAMCAQOhHDAaGwRIVFRQGxJzdGFsZS5leGFtcGxlLnRlc3Q=";

static void token_error_judged_once(void **state)
{
	struct probe_result r;
	struct probe_facts pf;
	struct probe_gss_error e;
	struct cap_probe_fact f;

	(void)state;
	start_run(&r, &pf, "Negotiate", NULL);
	leg(&r, 401, REJECT_46, NULL, false, 40000);
	probe_facts_leg(&pf, &r, &r.legs[1], "Negotiate YIIBAA==");
	memset(&e, 0, sizeof(e));
	e.major = GSS_S_FAILURE;
	e.krb5_code = KRB5KRB_AP_ERR_MUT_FAIL;
	probe_facts_start(&f, CAP_PROBE_GSS_FAILED, &r, 2);
	f.stage = CAP_PROBE_STAGE_SERVER_TOKEN;
	probe_facts_gss_error(&f, &e);
	probe_facts_feed(&pf, &f);
	probe_facts_finish(&pf, &r);
	assert_int_equal(r.nfindings, 1);
	assert_string_equal(ID(r.findings[0].rec.id), "krb-ap-error");
	assert_int_equal(cap_finding_get(&r.findings[0].rec, "error_code")->num, 46);
	assert_int_equal(r.findings[0].leg, 2);
	end_run(&r, &pf);
}

/* A Kerberos AP-REQ's framing, pvno 5 and msg-type 14 (RFC 4121 §4.1, RFC 4120 §5.5.1):
 * enough for the rules to see an AP-REQ. */
static const char AP_REQ[] = "Negotiate YBsGCSqGSIb3EgECAgEAbgowCKADAgEFoQMCAQ4=";

/* An HTTPS run whose Kerberos AP-REQ the server refused with a bare 401, then the run's
 * outcome with the channel binding sent (or withheld): which channel-binding finding. */
static void refused_over_tls(struct probe_result *r, struct probe_facts *pf, bool sent)
{
	struct cap_probe_fact f;

	start_run(r, pf, "Negotiate", NULL);
	leg(r, 401, "Negotiate", NULL, false, 40000);
	probe_facts_leg(pf, r, &r->legs[1], AP_REQ);
	probe_facts_start(&f, CAP_PROBE_OUTCOME, r, 2);
	f.https = true;
	f.status = 401;
	f.gss_started = true;
	f.chanbind_sent = sent;
	f.chanbind_withheld = !sent;
	snprintf(f.chanbind_subject, sizeof(f.chanbind_subject), "CN=crm.example.test");
	snprintf(f.chanbind_sha256, sizeof(f.chanbind_sha256), "AB:CD");
	probe_facts_feed(pf, &f);
	probe_facts_finish(pf, r);
}

static void channel_binding_refusals(void **state)
{
	struct probe_result r;
	struct probe_facts pf;
	const struct probe_finding *pr;
	char detail[512];

	(void)state;
	refused_over_tls(&r, &pf, true);
	pr = finding(&r, "channel-binding-refused");
	assert_non_null(pr);
	assert_non_null(finding(&r, "kerberos-rejected"));
	assert_null(finding(&r, "channel-binding-required"));
	assert_string_equal(cap_finding_get(&pr->rec, "refused_by")->str, "kerberos-rejected");
	assert_string_equal(cap_finding_get(&pr->rec, "certificate_sha256")->str, "AB:CD");
	assert_int_equal(pr->leg, 2);
	assert_true(cap_finding_detail_text(&pr->rec, detail, sizeof(detail)) > 0);
	assert_non_null(strstr(detail, "(CN=crm.example.test, SHA-256 AB:CD)"));
	end_run(&r, &pf);
	/* withheld: the other finding, not this one */
	refused_over_tls(&r, &pf, false);
	assert_non_null(finding(&r, "channel-binding-required"));
	assert_null(finding(&r, "channel-binding-refused"));
	end_run(&r, &pf);
}

static void record(void **state)
{
	struct probe_result r;
	struct probe_finding *f;
	char line[CAP_FINDING_TEXT_MAX];

	(void)state;
	probe_result_init(&r, "http://crm.example.test/");
	f = probe_result_add_finding(&r, CAP_F_SPN_UNKNOWN, 1);
	assert_non_null(f);
	assert_int_equal(f->rec.severity, CAP_SEV_ERROR);
	assert_int_equal(f->leg, 1);
	assert_int_equal(cap_finding_set_str(&f->rec, "spn", "HTTP/a"), 0);
	assert_int_equal(cap_finding_set_str(&f->rec, "spn", "HTTP/b"), 0); /* first value kept */
	assert_string_equal(cap_finding_get_str(&f->rec, "spn"), "HTTP/a");
	assert_int_equal(cap_finding_add_advice(&f->rec, "register %s", "HTTP/a"), 0);
	/* instance advice first, then the catalog's */
	cap_finding_advice_text(&f->rec, 0, line, sizeof(line));
	assert_string_equal(line, "register HTTP/a");
	cap_finding_advice_text(&f->rec, 1, line, sizeof(line));
	assert_string_equal(line, cap_finding_info(CAP_F_SPN_UNKNOWN)->advice[0]);
	assert_true(probe_result_has(&r, CAP_F_SPN_UNKNOWN));
	assert_false(probe_result_has(&r, CAP_F_CLOCK_SKEW));
	probe_result_add_finding(&r, CAP_F_TLS_INSECURE, 0);
	assert_int_equal(probe_result_worst(&r), CAP_SEV_ERROR);
	probe_result_clear(&r);
	assert_int_equal(r.nfindings, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(gss_mapping),
		cmocka_unit_test(catalog),
		cmocka_unit_test(mapping_covers_catalog),
		cmocka_unit_test(logon_failure_is_the_root_cause),
		cmocka_unit_test(token_too_large_is_negcaps),
		cmocka_unit_test(negotiate_not_offered_is_negcaps),
		cmocka_unit_test(keepalive_is_negcaps),
		cmocka_unit_test(no_credentials_claims_the_symptom),
		cmocka_unit_test(without_probe_facts_the_symptom_stays),
		cmocka_unit_test(forced_ntlm_is_no_fallback),
		cmocka_unit_test(token_error_judged_once),
		cmocka_unit_test(channel_binding_refusals),
		cmocka_unit_test(record),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
