/* report_json.c - JSON lines (RFC 8259, one record per line) for scripts.
 * Record types: leg, spn, krb, finding, result (schema: notes/negprobe-contract.md).
 */
#include "report.h"

#include <string.h>

#include "negscope/json.h"
#include "negscope/krb5.h"
#include "negscope/report.h"
#include "negscope/tok.h"

static void kv_str_or_null(struct cap_json *j, const char *key, const char *s)
{
	if (s != NULL)
		cap_json_kv_str(j, key, s);
	else
		cap_json_kv_null(j, key);
}

void probe_json_token(struct cap_json *j, const char *key, const struct probe_token *t)
{
	const struct probe_token_desc *d = &t->desc;

	if (t->len == 0) {
		cap_json_kv_null(j, key);
		return;
	}
	cap_json_kv_obj_begin(j, key);
	cap_json_kv_str(j, "scheme", t->scheme);
	cap_json_kv_uint(j, "bytes", t->len);
	cap_json_kv_str(j, "summary", d->summary);
	if (d->mech != PROBE_USED_NONE)
		cap_json_kv_str(j, "mech", probe_used_mech_name(d->mech));
	else
		cap_json_kv_null(j, "mech");
	cap_json_kv_bool(j, "spnego", d->spnego);
	if (d->neg_state >= 0)
		cap_json_kv_int(j, "neg_state", d->neg_state);
	if (cap_krb_msg_type_name(d->krb_msg) != NULL)
		cap_json_kv_str(j, "krb_msg", cap_krb_msg_type_name(d->krb_msg));
	if (d->sname[0] != '\0')
		cap_json_kv_str(j, "sname", d->sname);
	if (d->realm[0] != '\0')
		cap_json_kv_str(j, "realm", d->realm);
	if (d->etype >= 0)
		cap_json_kv_int(j, "etype", d->etype);
	if (d->kvno >= 0)
		cap_json_kv_int(j, "kvno", d->kvno);
	if (d->krb_error >= 0) {
		cap_json_kv_int(j, "error_code", d->krb_error);
		cap_json_kv_str(j, "error_name", d->krb_error_name[0] != '\0' ? d->krb_error_name :
					       probe_krb_error_name(d->krb_error));
	}
	if (d->ntlm_type > 0) {
		cap_json_kv_int(j, "ntlm_type", d->ntlm_type);
		if (d->ntlm_user[0] != '\0')
			cap_json_kv_str(j, "ntlm_user", d->ntlm_user);
		if (d->ntlm_domain[0] != '\0')
			cap_json_kv_str(j, "ntlm_domain", d->ntlm_domain);
	}
	cap_json_obj_end(j);
}

static long long us(double ms)
{
	return (long long)(ms * 1000.0 + 0.5);
}

/* "gss": null for PROBE_GSSO_NONE (no GSS step on this leg) */
static const struct cap_tok gss_outcome_names[] = {
	{ PROBE_GSSO_CONTINUE, "continue" },
	{ PROBE_GSSO_COMPLETE, "complete" },
	{ PROBE_GSSO_ERROR, "error" },
	{ 0, NULL },
};

static void leg_record(struct cap_json *j, const struct probe_result *r, const struct probe_leg *l)
{
	cap_json_obj_begin(j);
	cap_json_kv_str(j, "type", "leg");
	cap_json_kv_str(j, "target", r->url);
	cap_json_kv_uint(j, "leg", l->n);
	cap_json_kv_uint(j, "hop", l->hop);
	cap_json_kv_str(j, "url", l->hop > 0 ? r->hops[l->hop - 1].url : r->url);
	kv_str_or_null(j, "spn", r->url_ok ? probe_result_leg_spn(r, l->n) : NULL);
	cap_json_kv_obj_begin(j, "request");
	kv_str_or_null(j, "authorization", l->sent.len > 0 ? l->sent.scheme : NULL);
	cap_json_kv_uint(j, "header_bytes", l->auth_header_len);
	probe_json_token(j, "token", &l->sent);
	cap_json_obj_end(j);
	cap_json_kv_obj_begin(j, "connection");
	cap_json_kv_bool(j, "new", l->conn_new);
	cap_json_kv_int(j, "local_port", l->local_port);
	cap_json_kv_str(j, "local_ip", l->local_ip);
	cap_json_kv_str(j, "remote_ip", l->remote_ip);
	cap_json_kv_int(j, "remote_port", l->remote_port);
	cap_json_obj_end(j);
	if (l->curl_code == 0 || l->status > 0) { /* a cut body: its head's status */
		cap_json_kv_int(j, "status", l->status);
		cap_json_kv_str(j, "reason", l->reason);
	} else {
		cap_json_kv_null(j, "status");
		cap_json_kv_null(j, "reason");
	}
	cap_json_kv_str(j, "http_version", l->http_version == 10 ? "1.0" :
					   l->http_version == 20 ? "2" : "1.1");
	cap_json_kv_arr_begin(j, "www_authenticate");
	for (size_t i = 0; i < l->nwww; i++) {
		char shown[512];

		probe_auth_value_shown(l->www_auth[i], shown, sizeof(shown));
		cap_json_str(j, shown);
	}
	cap_json_arr_end(j);
	kv_str_or_null(j, "connection_header", l->connection);
	kv_str_or_null(j, "persistent_auth", l->persistent_auth);
	probe_json_token(j, "token_received", &l->recv);
	kv_str_or_null(j, "gss", cap_tok_name(gss_outcome_names, l->gss, NULL));
	kv_str_or_null(j, "gss_error", l->gss_error);
	if (l->curl_code != 0) {
		cap_json_kv_obj_begin(j, "error");
		cap_json_kv_int(j, "curl_code", l->curl_code);
		kv_str_or_null(j, "message", l->curl_error);
		kv_str_or_null(j, "tls", l->tls != PROBE_TLS_NONE ? probe_tls_kind_name(l->tls) : NULL);
		cap_json_obj_end(j);
	} else {
		cap_json_kv_null(j, "error");
	}
	/* integer microseconds: exact, and no %.17g noise */
	cap_json_kv_obj_begin(j, "time_us");
	cap_json_kv_int(j, "total", us(l->t_total_ms));
	cap_json_kv_int(j, "connect", us(l->t_connect_ms));
	cap_json_kv_int(j, "tls", us(l->t_tls_ms));
	cap_json_kv_int(j, "gss", us(l->t_gss_ms));
	cap_json_obj_end(j);
	cap_json_obj_end(j);
}

/* negprobe's own fields first, then the finding's fields exactly as negcap writes them. */
static void finding_record(struct cap_json *j, const struct probe_result *r,
			   const struct probe_finding *pf)
{
	cap_json_obj_begin(j);
	cap_json_kv_str(j, "type", "finding");
	cap_json_kv_str(j, "target", r->url);
	if (pf->leg > 0)
		cap_json_kv_uint(j, "leg", pf->leg);
	else
		cap_json_kv_null(j, "leg");
	cap_report_json_finding_fields(j, &pf->rec);
	cap_json_obj_end(j);
}

static void spn_record(struct cap_json *j, const struct probe_result *r,
		       const struct probe_spn_check *c)
{
	cap_json_obj_begin(j);
	cap_json_kv_str(j, "type", "spn");
	cap_json_kv_str(j, "target", r->url);
	cap_json_kv_str(j, "spn", c->spn);
	cap_json_kv_str(j, "form", c->form);
	if (c->exists >= 0)
		cap_json_kv_bool(j, "exists", c->exists == 1);
	else
		cap_json_kv_null(j, "exists");
	kv_str_or_null(j, "error", c->exists < 0 ? c->error : NULL);
	cap_json_obj_end(j);
}

static void krb_record(struct cap_json *j, const struct probe_result *r,
		       const struct probe_wire_krb *w)
{
	cap_json_obj_begin(j);
	cap_json_kv_str(j, "type", "krb");
	cap_json_kv_str(j, "target", r->url);
	cap_json_kv_uint(j, "frame", w->frame);
	cap_json_kv_int(j, "ts_us", (long long)(w->ts * 1e6));
	cap_json_kv_str(j, "transport", w->tcp ? "tcp" : "udp");
	cap_json_kv_str(j, "direction", w->from_kdc ? "from-kdc" : "to-kdc");
	kv_str_or_null(j, "msg", cap_krb_msg_type_name(w->msg_type));
	if (w->sname[0] != '\0')
		cap_json_kv_str(j, "sname", w->sname);
	if (w->realm[0] != '\0')
		cap_json_kv_str(j, "realm", w->realm);
	if (w->error_code >= 0) {
		cap_json_kv_int(j, "error_code", w->error_code);
		cap_json_kv_str(j, "error_name", probe_krb_error_name(w->error_code));
	}
	cap_json_kv_str(j, "summary", w->summary);
	cap_json_obj_end(j);
}

/* The TLS channel binding (null when not HTTPS): sent or not, over which certificate. */
static void chanbind_record(struct cap_json *j, const struct probe_result *r)
{
	if (!r->chanbind.https) {
		cap_json_kv_null(j, "channel_binding");
		return;
	}
	cap_json_kv_obj_begin(j, "channel_binding");
	cap_json_kv_bool(j, "sent", r->chanbind.sent);
	cap_json_kv_bool(j, "withheld", r->chanbind.withheld);
	kv_str_or_null(j, "hash", r->chanbind.hash[0] != '\0' ? r->chanbind.hash : NULL);
	kv_str_or_null(j, "certificate_sha256", r->chanbind.fingerprint[0] != '\0' ?
		       r->chanbind.fingerprint : NULL);
	kv_str_or_null(j, "certificate_subject", r->chanbind.subject[0] != '\0' ?
		       r->chanbind.subject : NULL);
	cap_json_obj_end(j);
}

static void result_record(struct cap_json *j, const struct probe_result *r)
{
	unsigned count[CAP_SEV_COUNT] = {0};

	for (size_t i = 0; i < r->nfindings; i++)
		count[r->findings[i].rec.severity]++;
	cap_json_obj_begin(j);
	cap_json_kv_str(j, "type", "result");
	cap_json_kv_str(j, "target", r->url);
	cap_json_kv_bool(j, "ok", r->ok);
	cap_json_kv_int(j, "exit", r->exit_code);
	kv_str_or_null(j, "mech", r->mech == PROBE_USED_KERBEROS ? "kerberos" :
				  r->mech == PROBE_USED_NTLM ? "ntlm" : NULL);
	cap_json_kv_bool(j, "authenticated", r->authenticated);
	if (r->status > 0)
		cap_json_kv_int(j, "status", r->status);
	else
		cap_json_kv_null(j, "status");
	cap_json_kv_uint(j, "legs", r->nlegs);
	cap_json_kv_uint(j, "connections", r->connections);
	cap_json_kv_bool(j, "keepalive", r->keepalive_ok && r->nlegs >= 2);
	cap_json_kv_bool(j, "mutual", r->mutual_verified);
	cap_json_kv_str(j, "delegation", probe_deleg_result_name(r->delegation));
	kv_str_or_null(j, "spn", r->url_ok ? r->spn : NULL);
	kv_str_or_null(j, "spn_source", r->url_ok ? r->spn_source : NULL);
	chanbind_record(j, r); /* probe-cb */
	cap_json_kv_uint(j, "redirects", r->nhops);
	cap_json_kv_bool(j, "redirects_capped", r->redirs_capped);
	cap_json_kv_arr_begin(j, "hops");
	for (size_t i = 0; i < r->nhops; i++) {
		const struct probe_hop *h = &r->hops[i];

		cap_json_obj_begin(j);
		cap_json_kv_int(j, "status", h->status);
		cap_json_kv_str(j, "url", h->url);
		cap_json_kv_uint(j, "first_leg", h->first_leg);
		cap_json_kv_bool(j, "new_origin", h->new_origin);
		cap_json_kv_str(j, "spn", h->spn);
		cap_json_kv_str(j, "spn_source", h->spn_source);
		cap_json_obj_end(j);
	}
	cap_json_arr_end(j);
	cap_json_kv_obj_begin(j, "findings");
	cap_json_kv_uint(j, "info", count[CAP_SEV_INFO]);
	cap_json_kv_uint(j, "warning", count[CAP_SEV_WARNING]);
	cap_json_kv_uint(j, "error", count[CAP_SEV_ERROR]);
	cap_json_obj_end(j);
	cap_json_kv_arr_begin(j, "checks");
	for (size_t i = 0; i < r->noutcomes; i++) {
		cap_json_obj_begin(j);
		cap_json_kv_str(j, "check", r->outcomes[i].expect.text);
		cap_json_kv_bool(j, "pass", r->outcomes[i].pass);
		cap_json_kv_str(j, "actual", r->outcomes[i].actual);
		cap_json_obj_end(j);
	}
	cap_json_arr_end(j);
	cap_json_kv_int(j, "time_us", us(r->t_total_ms));
	kv_str_or_null(j, "error", r->fatal[0] != '\0' ? r->fatal : NULL);
	cap_json_obj_end(j);
}

int probe_report_json(FILE *fp, const struct probe_result *r)
{
	struct cap_json j;
	int rc = 0;

	cap_json_init_file(&j, fp);
	for (size_t i = 0; i < r->nlegs; i++) {
		leg_record(&j, r, &r->legs[i]);
		rc |= cap_json_end_line(&j) != CAP_JSON_OK;
		cap_json_reset(&j);
	}
	for (size_t i = 0; i < r->nspn_checks; i++) {
		spn_record(&j, r, &r->spn_checks[i]);
		rc |= cap_json_end_line(&j) != CAP_JSON_OK;
		cap_json_reset(&j);
	}
	for (size_t i = 0; i < r->nwire; i++) {
		krb_record(&j, r, &r->wire[i]);
		rc |= cap_json_end_line(&j) != CAP_JSON_OK;
		cap_json_reset(&j);
	}
	for (size_t i = 0; i < r->nfindings; i++) {
		finding_record(&j, r, &r->findings[i]);
		rc |= cap_json_end_line(&j) != CAP_JSON_OK;
		cap_json_reset(&j);
	}
	result_record(&j, r);
	rc |= cap_json_end_line(&j) != CAP_JSON_OK;
	return rc ? -1 : 0;
}
