/* json.c - JSON-lines records: http, krb, finding, summary (one object per line).
 *
 * Field names are a contract (negcap-contract.md).  Principals are written as their
 * components joined by '/'.  Secrets never appear: tokens are described, not copied.
 */
#include <stdio.h>
#include <string.h>

#include "negscope/json.h"
#include "negscope/krb5.h"
#include "negscope/report.h"

static int end(struct cap_json *j)
{
	return cap_json_end_line(j) == CAP_JSON_OK ? 0 : -1;
}

static void kv_ep(struct cap_json *j, const char *key, const struct cap_endpoint *e)
{
	char buf[80];

	cap_json_kv_str(j, key, cap_endpoint_str(e, buf, sizeof(buf)));
}

static void kv_str_opt(struct cap_json *j, const char *key, const char *s)
{
	if (s != NULL && s[0] != '\0')
		cap_json_kv_str(j, key, s);
}

static void auth_obj(struct cap_json *j, const struct cap_http_fact *f)
{
	const struct cap_auth_fact *t = &f->auth;
	struct cap_step_auth a;
	char summary[CAP_FACT_TEXT_MAX];
	const char *hdr;

	if (f->is_request)
		hdr = t->proxy ? "Proxy-Authorization" : "Authorization";
	else
		hdr = t->proxy ? "Proxy-Authenticate" : "WWW-Authenticate";
	cap_json_kv_obj_begin(j, "auth");
	cap_json_kv_str(j, "header", hdr);
	cap_step_auth_of(t, &a);
	cap_report_json_auth_fields(j, &a);
	if (t->kind == CAP_TOKEN_NTLM)
		kv_str_opt(j, "ntlm_target", t->ntlm_target);
	kv_str_opt(j, "sname", t->sname);
	kv_str_opt(j, "realm", t->realm);
	if (t->kvno >= 0)
		cap_json_kv_int(j, "kvno", t->kvno);
	if (t->etype >= 0) {
		const char *en = cap_krb_etype_name(t->etype);

		cap_json_kv_int(j, "etype", t->etype);
		if (en != NULL)
			cap_json_kv_str(j, "etype_name", en);
	}
	if (t->deleg_requested)
		cap_json_kv_bool(j, "delegation_requested", true);
	cap_report_auth_summary(t, summary, sizeof(summary));
	kv_str_opt(j, "summary", summary);
	kv_str_opt(j, "error", t->error);
	cap_report_json_ticket(j, &t->ticket);
	cap_json_obj_end(j);
}

/* The TLS connection an HTTP message was decrypted from. */
static void tls_obj(struct cap_json *j, const struct cap_http_fact *f)
{
	const char *cipher = cap_tls_cipher_name(f->tls_cipher);
	char hex[16];

	cap_json_kv_obj_begin(j, "tls");
	cap_json_kv_str(j, "version", cap_tls_version_name(f->tls_version, "unknown"));
	if (cipher == NULL) {
		snprintf(hex, sizeof(hex), "0x%04x", (unsigned)f->tls_cipher);
		cipher = hex;
	}
	cap_json_kv_str(j, "cipher", cipher);
	cap_json_kv_str(j, "sni", f->tls_sni);
	cap_json_kv_str(j, "alpn", f->tls_alpn);
	cap_json_kv_bool(j, "decrypted", true);
	cap_json_obj_end(j);
}

int cap_report_json_http(struct cap_json *j, const struct cap_http_fact *f)
{
	char ver[16], challenges[CAP_FACT_TEXT_MAX];

	cap_json_obj_begin(j);
	cap_json_kv_str(j, "type", "http");
	cap_json_kv_uint(j, "frame", f->frame);
	if (f->first_frame != 0 && f->first_frame != f->frame)
		cap_json_kv_uint(j, "first_frame", f->first_frame);
	cap_json_kv_double(j, "ts", f->ts);
	cap_json_kv_uint(j, "stream", f->stream);
	kv_ep(j, "client", &f->client);
	kv_ep(j, "server", &f->server);
	if (f->http2)
		snprintf(ver, sizeof(ver), "HTTP/2");
	else
		snprintf(ver, sizeof(ver), "HTTP/1.%d", f->version_minor);
	cap_json_kv_str(j, "version", ver);
	if (f->http2)
		cap_json_kv_uint(j, "h2_stream", f->h2_stream_id);
	if (f->is_request) {
		cap_json_kv_str(j, "direction", "request");
		cap_json_kv_str(j, "method", f->method);
		cap_json_kv_str(j, "target", f->target);
		kv_str_opt(j, "host", f->host);
	} else {
		cap_json_kv_str(j, "direction", "response");
		cap_json_kv_int(j, "status", f->status);
		cap_json_kv_str(j, "reason", f->reason);
		cap_report_json_offered(j, f->offered);
		if (f->offered != 0) {
			cap_report_challenges_text(f, challenges, sizeof(challenges));
			kv_str_opt(j, "challenges", challenges);
		}
		kv_str_opt(j, "persistent_auth", f->persistent_auth);
		if (f->close == CAP_HTTP_CLOSE_HEADER)
			cap_json_kv_str(j, "close", "connection-close");
		else if (f->close == CAP_HTTP_CLOSE_HTTP10)
			cap_json_kv_str(j, "close", "http10");
	}
	if (f->has_auth)
		auth_obj(j, f);
	if (f->tls)
		tls_obj(j, f);
	cap_json_obj_end(j);
	return end(j);
}

int cap_report_json_krb(struct cap_json *j, const struct cap_krb_fact *f)
{
	char problem[128];

	cap_json_obj_begin(j);
	cap_json_kv_str(j, "type", "krb");
	cap_json_kv_uint(j, "frame", f->frame);
	cap_json_kv_double(j, "ts", f->ts);
	cap_json_kv_str(j, "transport", f->transport == CAP_TRANSPORT_TCP ? "tcp" : "udp");
	cap_json_kv_uint(j, "stream", f->stream);
	kv_ep(j, "client", &f->client);
	kv_ep(j, "kdc", &f->server);
	cap_json_kv_str(j, "direction", f->from_server ? "from_kdc" : "to_kdc");
	if (f->msg_type != 0)
		cap_json_kv_str(j, "msg", cap_krb_msg_name(f->msg_type));
	else
		cap_json_kv_null(j, "msg");
	kv_str_opt(j, "realm", f->realm);
	kv_str_opt(j, "sname", f->sname);
	kv_str_opt(j, "cname", f->cname);
	kv_str_opt(j, "crealm", f->crealm);
	if (f->error_code >= 0) {
		cap_json_kv_int(j, "error_code", f->error_code);
		cap_json_kv_str(j, "error_name", f->error_name);
		kv_str_opt(j, "e_text", f->e_text);
		if (f->has_stime)
			cap_json_kv_int(j, "stime", (long long)f->stime);
		if (f->has_nt_status) {
			char b[16];

			snprintf(b, sizeof(b), "0x%08X", (unsigned)f->nt_status);
			cap_json_kv_str(j, "nt_status", b);
		}
	}
	if (f->msg_type == CAP_KRB_AS_REQ || f->msg_type == CAP_KRB_TGS_REQ) {
		cap_json_kv_arr_begin(j, "kdc_options");
		if (f->opt_forwardable)
			cap_json_str(j, "forwardable");
		if (f->opt_forwarded)
			cap_json_str(j, "forwarded");
		if (f->opt_cname_in_addl_tkt)
			cap_json_str(j, "cname-in-addl-tkt");
		cap_json_arr_end(j);
		if (f->has_pa_for_user)
			cap_json_kv_bool(j, "pa_for_user", true);
		if (f->n_additional_tickets > 0)
			cap_json_kv_uint(j, "additional_tickets", f->n_additional_tickets);
	}
	if (f->ticket_etype >= 0)
		cap_json_kv_int(j, "ticket_etype", f->ticket_etype);
	if (f->ticket_kvno >= 0)
		cap_json_kv_int(j, "ticket_kvno", f->ticket_kvno);
	cap_report_json_ticket(j, &f->ticket);
	cap_json_kv_bool(j, "decoded", f->decoded);
	cap_report_krb_problem(f, problem, sizeof(problem));
	kv_str_opt(j, "error", problem);
	cap_json_obj_end(j);
	return end(j);
}

void cap_report_json_finding_fields(struct cap_json *j, const struct cap_finding *f)
{
	const struct cap_finding_info *info = cap_finding_info(f->id);
	char words[CAP_FINDING_TEXT_MAX];

	cap_json_kv_str(j, "id", cap_finding_slug(f->id));
	cap_json_kv_str(j, "severity", cap_severity_name(f->severity));
	cap_json_kv_arr_begin(j, "frames");
	for (size_t i = 0; i < f->nframes; i++)
		cap_json_uint(j, f->frames[i]);
	cap_json_arr_end(j);
	cap_json_kv_uint(j, "count", f->count);
	if (f->conversation != 0)
		cap_json_kv_uint(j, "conversation", f->conversation);
	for (size_t i = 0; i < f->nev; i++) {
		if (f->ev[i].is_num)
			cap_json_kv_int(j, f->ev[i].key, (long long)f->ev[i].num);
		else
			cap_json_kv_str(j, f->ev[i].key, f->ev[i].str);
	}
	if (info != NULL) {
		cap_json_kv_str(j, "title", info->title);
		cap_json_kv_str(j, "explanation", info->explanation);
	}
	if (cap_finding_detail_text(f, words, sizeof(words)) > 0)
		cap_json_kv_str(j, "detail", words);
	cap_json_kv_arr_begin(j, "advice");
	for (size_t i = 0; i < cap_finding_nadvice(f); i++) {
		cap_finding_advice_text(f, i, words, sizeof(words));
		cap_json_str(j, words);
	}
	cap_json_arr_end(j);
}

int cap_report_json_finding(struct cap_json *j, const struct cap_finding *f)
{
	cap_json_obj_begin(j);
	cap_json_kv_str(j, "type", "finding");
	cap_report_json_finding_fields(j, f);
	cap_json_obj_end(j);
	return end(j);
}

static void kv_u64(struct cap_json *j, const char *k, uint64_t v)
{
	cap_json_kv_uint(j, k, (unsigned long long)v);
}

int cap_report_json_conversations(struct cap_json *j, const struct cap_analysis *a)
{
	int rc = 0;

	for (size_t i = 0; i < cap_analysis_nconversations(a); i++)
		if (cap_report_json_conversation(j, cap_analysis_conversation(a, i)) != 0)
			rc = -1;
	return rc;
}

int cap_report_json_findings_and_summary(struct cap_json *j, const struct cap_analysis *a,
					 const struct cap_pipeline_stats *st,
					 const struct cap_report_input *in)
{
	const struct cap_analysis_stats *as = cap_analysis_stats(a);
	struct cap_report_cap caps[CAP_REPORT_NCAPS];
	size_t ncaps = cap_report_caps(st, as, caps);
	int rc = 0;

	for (size_t i = 0; i < cap_analysis_nfindings(a); i++)
		if (cap_report_json_finding(j, cap_analysis_finding(a, i)) != 0)
			rc = -1;
	cap_json_obj_begin(j);
	cap_json_kv_str(j, "type", "summary");
	kv_u64(j, "packets", st != NULL ? st->packets : 0);
	kv_u64(j, "bytes", st != NULL ? st->bytes : 0);
	cap_json_kv_obj_begin(j, "messages");
	kv_u64(j, "http", as->http_messages);
	kv_u64(j, "krb", as->krb_messages);
	cap_json_obj_end(j);
	kv_u64(j, "conversations", as->conversations);
	cap_json_kv_obj_begin(j, "findings");
	kv_u64(j, "error", as->findings_by_severity[CAP_SEV_ERROR]);
	kv_u64(j, "warning", as->findings_by_severity[CAP_SEV_WARNING]);
	kv_u64(j, "info", as->findings_by_severity[CAP_SEV_INFO]);
	cap_json_obj_end(j);
	cap_json_kv_arr_begin(j, "finding_ids");
	for (size_t i = 0; i < cap_analysis_nfindings(a); i++)
		cap_json_str(j, cap_finding_slug(cap_analysis_finding(a, i)->id));
	cap_json_arr_end(j);
	cap_json_kv_obj_begin(j, "input");
	if (in != NULL) {
		kv_u64(j, "files", in->files);
		cap_json_kv_bool(j, "live", in->live);
		if (in->interface != NULL)
			cap_json_kv_str(j, "interface", in->interface);
		cap_json_kv_bool(j, "truncated", in->truncated);
		cap_json_kv_bool(j, "interrupted", in->interrupted);
	}
	cap_json_obj_end(j);
	if (st != NULL && st->tls_conns > 0) {
		cap_json_kv_obj_begin(j, "tls");
		kv_u64(j, "connections", st->tls_conns);
		kv_u64(j, "decrypted_connections", st->tls_decrypted_conns);
		kv_u64(j, "records", st->tls_records);
		kv_u64(j, "records_decrypted", st->tls_records_decrypted);
		kv_u64(j, "decrypt_failures", st->tls_decrypt_failures);
		kv_u64(j, "cap_hits", st->tls_cap_hits);
		cap_json_obj_end(j);
	}
	cap_json_kv_obj_begin(j, "anomalies");
	if (st != NULL) {
		kv_u64(j, "truncated_packets", st->truncated_packets);
		kv_u64(j, "undecodable_packets", st->undecodable);
		/* the same, by link type or encapsulation that could not be decoded */
		cap_json_kv_obj_begin(j, "undecodable_by");
		for (int r = 0; r < CAP_UNDEC_N; r++)
			kv_u64(j, cap_undec_name((enum cap_undec)r), st->undecodable_by[r]);
		cap_json_obj_end(j);
		kv_u64(j, "tunneled_packets", st->tunneled_packets);
		kv_u64(j, "ip_fragments", st->ip_fragments);
		kv_u64(j, "ip_reassembled", st->ip_reassembled);
		kv_u64(j, "tcp_retransmissions", st->tcp_retransmissions);
		kv_u64(j, "tcp_out_of_order", st->tcp_out_of_order);
		kv_u64(j, "tcp_gaps", st->tcp_gaps);
		kv_u64(j, "tcp_gap_bytes", st->tcp_gap_bytes);
		kv_u64(j, "flows_evicted", st->flows_evicted);
		kv_u64(j, "flows_peak", st->flows_peak);
		kv_u64(j, "buffer_cap_hits", st->buffer_cap_hits);
		kv_u64(j, "http_parse_errors", st->http_parse_errors);
		kv_u64(j, "icmp_unreachable", st->icmp_unreach);
		kv_u64(j, "tcp_ooo_range_cap_hits", st->ooo_cap_hits);
	}
	kv_u64(j, "token_decode_errors", as->token_decode_errors);
	kv_u64(j, "krb_decode_errors", as->krb_decode_errors);
	kv_u64(j, "conversations_dropped", as->conversations_dropped);
	kv_u64(j, "ladder_steps_dropped", as->steps_dropped);
	kv_u64(j, "analysis_streams_evicted", as->streams_evicted);
	kv_u64(j, "findings_dropped", as->findings_dropped);
	if (in != NULL && in->live) {
		kv_u64(j, "pcap_dropped", in->pcap_dropped);
		kv_u64(j, "pcap_if_dropped", in->pcap_if_dropped);
	}
	cap_json_obj_end(j);
	/* Every cap, hit or not, so that scripts can test one by name. */
	cap_json_kv_obj_begin(j, "caps");
	for (size_t i = 0; i < ncaps; i++)
		kv_u64(j, caps[i].name, caps[i].hits);
	cap_json_obj_end(j);
	cap_json_obj_end(j);
	if (end(j) != 0)
		rc = -1;
	return rc;
}
