/* tree.c - decoded token as an indented text tree or one JSON object (for --decode).
 *
 * One walk over struct cap_token drives both outputs through a small emitter, so the text
 * and the JSON always show the same fields.  Secrets go through e_secret() only.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "negscope/classify.h"
#include "negscope/der.h"
#include "negscope/hex.h"
#include "negscope/tok.h"
#include "negscope/tree.h"

struct emit {
	FILE *fp;           /* text mode */
	struct cap_json *j; /* JSON mode */
	unsigned depth;
	unsigned flags;
};

static void indent(struct emit *e)
{
	unsigned i;

	for (i = 0; i < e->depth; i++)
		fputs("  ", e->fp);
}

/* Text output of wire bytes: printable ASCII and UTF-8 as is, controls as \xNN. */
static void put_text(struct emit *e, struct cap_span s)
{
	struct cap_cursor c = cap_cur_from_span(s);

	while (cap_cur_left(&c) > 0) {
		int b = cap_cur_u8(&c);

		if (b < 0x20 || b == 0x7f)
			fprintf(e->fp, "\\x%02x", (unsigned)b);
		else
			fputc(b, e->fp);
	}
}

static struct cap_span cstr(const char *s)
{
	return cap_span_of(s, s != NULL ? strlen(s) : 0);
}

static void e_obj(struct emit *e, const char *key)
{
	if (e->j != NULL) {
		cap_json_kv_obj_begin(e->j, key);
		return;
	}
	indent(e);
	fprintf(e->fp, "%s:\n", key);
	e->depth++;
}

static void e_end_obj(struct emit *e)
{
	if (e->j != NULL)
		cap_json_obj_end(e->j);
	else
		e->depth--;
}

static void e_arr(struct emit *e, const char *key)
{
	if (e->j != NULL) {
		cap_json_kv_arr_begin(e->j, key);
		return;
	}
	indent(e);
	fprintf(e->fp, "%s:\n", key);
	e->depth++;
}

static void e_end_arr(struct emit *e)
{
	if (e->j != NULL)
		cap_json_arr_end(e->j);
	else
		e->depth--;
}

/* An object inside an array; label is its text heading. */
static void e_item_obj(struct emit *e, const char *label)
{
	if (e->j != NULL) {
		cap_json_obj_begin(e->j);
		return;
	}
	indent(e);
	fprintf(e->fp, "- %s\n", label);
	e->depth++;
}

static void e_item_str(struct emit *e, const char *s)
{
	if (e->j != NULL) {
		cap_json_str(e->j, s);
		return;
	}
	indent(e);
	fputs("- ", e->fp);
	put_text(e, cstr(s));
	fputc('\n', e->fp);
}

static void e_span(struct emit *e, const char *key, struct cap_span s)
{
	if (e->j != NULL) {
		cap_json_kv_span(e->j, key, s);
		return;
	}
	indent(e);
	fprintf(e->fp, "%s: ", key);
	put_text(e, s);
	fputc('\n', e->fp);
}

static void e_str(struct emit *e, const char *key, const char *s)
{
	e_span(e, key, cstr(s));
}

static void e_int(struct emit *e, const char *key, long long v)
{
	if (e->j != NULL) {
		cap_json_kv_int(e->j, key, v);
		return;
	}
	indent(e);
	fprintf(e->fp, "%s: %lld\n", key, v);
}

static void e_bool(struct emit *e, const char *key, int v)
{
	if (e->j != NULL) {
		cap_json_kv_bool(e->j, key, v);
		return;
	}
	indent(e);
	fprintf(e->fp, "%s: %s\n", key, v ? "yes" : "no");
}

/* A number with its symbolic name: JSON key + key_name, text "key: N (name)". */
static void e_named(struct emit *e, const char *key, long long v, const char *name)
{
	char k2[64];

	if (e->j != NULL) {
		cap_json_kv_int(e->j, key, v);
		snprintf(k2, sizeof(k2), "%s_name", key);
		if (name != NULL)
			cap_json_kv_str(e->j, k2, name);
		return;
	}
	indent(e);
	fprintf(e->fp, "%s: %lld%s%s%s\n", key, v, name ? " (" : "", name ? name : "",
		name ? ")" : "");
}

static void e_hexval(struct emit *e, const char *key, uint32_t v)
{
	char b[16];

	snprintf(b, sizeof(b), "0x%08" PRIx32, v);
	e_str(e, key, b);
}

static void e_hex(struct emit *e, const char *key, struct cap_span s)
{
	char b[2 * 64 + 1];

	if (e->j != NULL) {
		cap_json_kv_hex(e->j, key, s);
		return;
	}
	(void)cap_hex_encode(s, b, sizeof(b));
	indent(e);
	fprintf(e->fp, "%s: %s%s\n", key, b, s.len > 64 ? "..." : "");
}

static void e_secret(struct emit *e, const char *key, struct cap_span s)
{
	int show = (e->flags & CAP_TREE_SHOW_SECRETS) != 0;
	struct cap_cursor c = cap_cur_from_span(s);

	if (e->j != NULL) {
		cap_json_kv_obj_begin(e->j, key);
		cap_json_kv_uint(e->j, "len", s.len);
		if (show)
			cap_json_kv_hex(e->j, "hex", s);
		cap_json_obj_end(e->j);
		return;
	}
	indent(e);
	fprintf(e->fp, "%s: %zu bytes", key, s.len);
	if (!show) {
		fputs(s.len > 0 ? " (hidden; --show-secrets shows them)\n" : "\n", e->fp);
		return;
	}
	fputs(" ", e->fp);
	while (cap_cur_left(&c) > 0)
		fprintf(e->fp, "%02x", cap_cur_u8(&c));
	fputc('\n', e->fp);
}

static void e_time(struct emit *e, const char *key, int64_t t)
{
	char b[40];
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL || strftime(b, sizeof(b), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(b, sizeof(b), "%" PRId64, t);
	e_str(e, key, b);
}

static void e_anomalies(struct emit *e, const char *key, unsigned bits, unsigned count,
			const char *(*name)(unsigned))
{
	unsigned i;

	if (bits == 0)
		return;
	e_arr(e, key);
	for (i = 0; i < count && i < 32; i++) {
		const char *n = name(1u << i);

		if ((bits & (1u << i)) && n != NULL)
			e_item_str(e, n);
	}
	e_end_arr(e);
}

static void e_oid(struct emit *e, const char *key, struct cap_span oid)
{
	char dotted[96], b[160];
	enum cap_gss_mech m = cap_gss_mech_of(oid);

	if (cap_der_oid_str(oid, dotted, sizeof(dotted)) != CAP_OK)
		snprintf(dotted, sizeof(dotted), "(bad OID)");
	if (e->j != NULL) {
		cap_json_kv_obj_begin(e->j, key);
		cap_json_kv_str(e->j, "oid", dotted);
		cap_json_kv_str(e->j, "mech", cap_gss_mech_id(m));
		cap_json_obj_end(e->j);
		return;
	}
	snprintf(b, sizeof(b), "%s (%s)", dotted, cap_gss_mech_name(m));
	e_str(e, key, b);
}

/* ---- Kerberos ---- */

static void e_principal(struct emit *e, const char *key, const struct cap_krb_principal *p)
{
	char name[512], b[600];
	const char *nt = cap_krb_name_type_name(p->name_type);

	if (!p->present)
		return;
	(void)cap_krb_principal_str(p, name, sizeof(name));
	if (e->j != NULL) {
		cap_json_kv_obj_begin(e->j, key);
		cap_json_kv_str(e->j, "name", name);
		cap_json_kv_int(e->j, "name_type", p->name_type);
		if (nt != NULL)
			cap_json_kv_str(e->j, "name_type_name", nt);
		cap_json_obj_end(e->j);
		return;
	}
	snprintf(b, sizeof(b), "%s (%s)", name, nt != NULL ? nt : "name type ?");
	e_str(e, key, b);
}

static void e_realm(struct emit *e, const char *key, struct cap_span r)
{
	char b[256];

	if (r.p == NULL)
		return;
	e_str(e, key, cap_krb_span_str(r, b, sizeof(b)));
}

static void e_enc(struct emit *e, const char *key, const struct cap_krb_enc *x)
{
	if (!x->present)
		return;
	e_obj(e, key);
	e_named(e, "etype", x->etype, cap_krb_etype_name(x->etype));
	if (x->kvno_present)
		e_int(e, "kvno", x->kvno);
	e_secret(e, "cipher", x->cipher);
	e_end_obj(e);
}

static void e_ticket(struct emit *e, const char *key, const struct cap_krb_ticket *tk)
{
	if (!tk->present)
		return;
	e_obj(e, key);
	e_int(e, "tkt_vno", tk->tkt_vno);
	e_realm(e, "realm", tk->realm);
	e_principal(e, "sname", &tk->sname);
	e_enc(e, "enc_part", &tk->enc_part);
	e_end_obj(e);
}

static void e_bits(struct emit *e, const char *key, uint32_t v, const char *(*name)(unsigned))
{
	unsigned b;
	char tmp[16];

	e_arr(e, key);
	for (b = 0; b < 32; b++) {
		const char *n;

		if (!(v & CAP_KRB_BIT(b)))
			continue;
		n = name(b);
		if (n == NULL) {
			snprintf(tmp, sizeof(tmp), "bit %u", b);
			n = tmp;
		}
		e_item_str(e, n);
	}
	e_end_arr(e);
}

static void e_padata(struct emit *e, const struct cap_krb_msg *k)
{
	size_t i;
	char label[96];

	if (k->npadata == 0)
		return;
	e_arr(e, "padata");
	for (i = 0; i < k->npadata; i++) {
		const char *n = cap_krb_padata_name(k->padata[i].type);

		snprintf(label, sizeof(label), "%s (%d)", n != NULL ? n : "?",
			 (int)k->padata[i].type);
		e_item_obj(e, label);
		if (e->j != NULL)
			e_named(e, "type", k->padata[i].type, n);
		e_int(e, "len", (long long)k->padata[i].value.len);
		e_end_obj(e);
	}
	e_end_arr(e);
	if (k->pa_for_user.present) {
		e_obj(e, "pa_for_user");
		e_principal(e, "user_name", &k->pa_for_user.user_name);
		e_realm(e, "user_realm", k->pa_for_user.user_realm);
		e_end_obj(e);
	}
	if (k->pa_pac_options_present)
		e_bits(e, "pa_pac_options", k->pa_pac_options, cap_krb_pac_option_name);
	if (k->pa_tgs_req.present) {
		e_obj(e, "pa_tgs_req");
		e_ticket(e, "ticket", &k->pa_tgs_req.ticket);
		e_enc(e, "authenticator", &k->pa_tgs_req.authenticator);
		e_end_obj(e);
	}
	if (k->netype_info > 0) {
		e_arr(e, "etype_info");
		for (i = 0; i < k->netype_info; i++) {
			const char *n = cap_krb_etype_name(k->etype_info[i].etype);

			snprintf(label, sizeof(label), "%s (%d)", n != NULL ? n : "?",
				 (int)k->etype_info[i].etype);
			e_item_obj(e, label);
			if (e->j != NULL)
				e_named(e, "etype", k->etype_info[i].etype, n);
			if (k->etype_info[i].salt_present)
				e_span(e, "salt", k->etype_info[i].salt);
			e_end_obj(e);
		}
		e_end_arr(e);
	}
}

static void e_kdc_req(struct emit *e, const struct cap_krb_kdc_req *r)
{
	size_t i;
	char b[64];

	e_bits(e, "kdc_options", r->kdc_options, cap_krb_kdc_option_name);
	e_principal(e, "cname", &r->cname);
	e_realm(e, "realm", r->realm);
	e_principal(e, "sname", &r->sname);
	e_time(e, "till", r->till);
	e_int(e, "nonce", r->nonce);
	e_arr(e, "etypes");
	for (i = 0; i < r->netypes; i++) {
		const char *n = cap_krb_etype_name(r->etypes[i]);

		snprintf(b, sizeof(b), "%d%s%s%s", (int)r->etypes[i], n ? " (" : "", n ? n : "",
			 n ? ")" : "");
		e_item_str(e, b);
	}
	e_end_arr(e);
	for (i = 0; i < r->nadditional_tickets; i++)
		e_ticket(e, "additional_ticket", &r->additional_tickets[i]);
}

/* How a KRB-ERROR's e-data was read (RFC 4120 §5.9.1, MS-KILE §2.2.1). */
static const struct cap_tok edata_kinds[] = {
	{ CAP_KRB_EDATA_METHOD_DATA, "METHOD-DATA" },
	{ CAP_KRB_EDATA_KERB_ERROR_DATA, "KERB-ERROR-DATA" },
	{ CAP_KRB_EDATA_TYPED_DATA, "TYPED-DATA" },
	{ 0, NULL },
};

static void e_krb_error(struct emit *e, const struct cap_krb_error *x)
{
	char b[32];

	e_named(e, "error_code", x->error_code, cap_krb_error_name(x->error_code));
	if (cap_krb_error_text(x->error_code) != NULL)
		e_str(e, "error_text", cap_krb_error_text(x->error_code));
	e_time(e, "stime", x->stime);
	if (x->ctime_present)
		e_time(e, "ctime", x->ctime);
	e_realm(e, "crealm", x->crealm);
	e_principal(e, "cname", &x->cname);
	e_realm(e, "realm", x->realm);
	e_principal(e, "sname", &x->sname);
	if (x->e_text_present)
		e_span(e, "e_text", x->e_text);
	if (!x->e_data_present)
		return;
	e_obj(e, "e_data");
	e_int(e, "len", (long long)x->e_data.len);
	e_str(e, "kind", cap_tok_name(edata_kinds, x->e_data_kind, "unknown"));
	if (x->e_data_kind == CAP_KRB_EDATA_KERB_ERROR_DATA)
		e_named(e, "data_type", x->kerb_err_data_type,
			cap_krb_kerb_err_data_type_name(x->kerb_err_data_type));
	if (x->ext_error_present) {
		snprintf(b, sizeof(b), "0x%08" PRIx32, x->ntstatus);
		e_str(e, "ntstatus", b);
	}
	e_end_obj(e);
}

static void e_krb(struct emit *e, const struct cap_token *t)
{
	const struct cap_krb_msg *k = &t->krb;

	e_obj(e, "kerberos");
	e_named(e, "msg_type", k->msg_type, cap_krb_msg_type_name(k->msg_type));
	if (k->ap_req.present) {
		e_bits(e, "ap_options", k->ap_req.ap_options, cap_krb_ap_option_name);
		e_ticket(e, "ticket", &k->ap_req.ticket);
		e_enc(e, "authenticator", &k->ap_req.authenticator);
	}
	if (k->ap_rep.present)
		e_enc(e, "enc_part", &k->ap_rep.enc_part);
	if (k->req.present)
		e_kdc_req(e, &k->req);
	if (k->rep.present) {
		e_realm(e, "crealm", k->rep.crealm);
		e_principal(e, "cname", &k->rep.cname);
		e_ticket(e, "ticket", &k->rep.ticket);
		e_enc(e, "enc_part", &k->rep.enc_part);
	}
	if (k->err.present)
		e_krb_error(e, &k->err);
	if (k->cred.present) {
		e_int(e, "tickets", (long long)k->cred.ntickets_seen);
		e_enc(e, "enc_part", &k->cred.enc_part);
	}
	e_padata(e, k);
	e_anomalies(e, "anomalies", k->anomalies, CAP_KRB_ANOM_COUNT, cap_krb_anomaly_name);
	e_end_obj(e);
}

/* ---- NTLM ---- */

static void e_ntlm_str(struct emit *e, const char *key, struct cap_span s, int unicode)
{
	char b[512];

	if (s.len == 0)
		return;
	(void)cap_ntlm_text(s, unicode, b, sizeof(b));
	e_str(e, key, b);
}

static void e_avlist(struct emit *e, const char *key, const struct cap_ntlm_avlist *l)
{
	size_t i;
	char label[64];

	e_arr(e, key);
	for (i = 0; i < l->count; i++) {
		const struct cap_ntlm_av *av = &l->av[i];
		const char *n = cap_ntlm_av_name(av->id);
		struct cap_cursor c = cap_cur_from_span(av->value);

		snprintf(label, sizeof(label), "%s", n != NULL ? n : "MsvAv?");
		if (e->j != NULL) {
			cap_json_obj_begin(e->j);
			e_named(e, "id", av->id, n);
		} else {
			indent(e);
			fprintf(e->fp, "- %s: ", label);
		}
		switch (av->id) {
		case CAP_NTLM_AV_NB_COMPUTER:
		case CAP_NTLM_AV_NB_DOMAIN:
		case CAP_NTLM_AV_DNS_COMPUTER:
		case CAP_NTLM_AV_DNS_DOMAIN:
		case CAP_NTLM_AV_DNS_TREE:
		case CAP_NTLM_AV_TARGET_NAME: {
			char b[512];

			(void)cap_utf16le_to_utf8(av->value, b, sizeof(b));
			if (e->j != NULL)
				cap_json_kv_str(e->j, "value", b);
			else
				put_text(e, cstr(b));
			break;
		}
		case CAP_NTLM_AV_FLAGS:
			if (av->value.len == 4) {
				uint32_t f = cap_cur_le32(&c);

				if (e->j != NULL) {
					cap_json_kv_uint(e->j, "value", f);
					cap_json_kv_bool(e->j, "mic_present", (f & CAP_NTLM_AVF_MIC) != 0);
				} else {
					fprintf(e->fp, "0x%08" PRIx32 "%s%s%s", f,
						(f & CAP_NTLM_AVF_CONSTRAINED) ? " constrained" : "",
						(f & CAP_NTLM_AVF_MIC) ? " mic-present" : "",
						(f & CAP_NTLM_AVF_UNTRUSTED_SPN) ? " untrusted-spn" : "");
				}
			}
			break;
		case CAP_NTLM_AV_TIMESTAMP:
			if (av->value.len == 8) {
				int64_t u = cap_ntlm_filetime_to_unix(cap_cur_le64(&c));
				char b[40];
				time_t tt = (time_t)u;
				struct tm tm;

				if (gmtime_r(&tt, &tm) == NULL ||
				    strftime(b, sizeof(b), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
					snprintf(b, sizeof(b), "%" PRId64, u);
				if (e->j != NULL)
					cap_json_kv_str(e->j, "value", b);
				else
					fputs(b, e->fp);
			}
			break;
		default:
			if (e->j != NULL) {
				cap_json_kv_hex(e->j, "value", av->value);
			} else {
				char b[2 * 32 + 1];

				(void)cap_hex_encode(av->value, b, sizeof(b));
				fprintf(e->fp, "%s%s", b, av->value.len > 32 ? "..." : "");
			}
			break;
		}
		if (e->j != NULL)
			cap_json_obj_end(e->j);
		else
			fputc('\n', e->fp);
	}
	e_end_arr(e);
}

static void e_ntlm_flags(struct emit *e, uint32_t flags)
{
	uint32_t bit;
	char tmp[16];

	e_hexval(e, "flags", flags);
	e_arr(e, "flag_names");
	for (bit = 1; bit != 0; bit <<= 1) {
		const char *n;

		if (!(flags & bit))
			continue;
		n = cap_ntlm_flag_name(bit);
		if (n == NULL) {
			snprintf(tmp, sizeof(tmp), "0x%08" PRIx32, bit);
			n = tmp;
		}
		e_item_str(e, n);
	}
	e_end_arr(e);
}

static void e_ntlm(struct emit *e, const struct cap_token *t)
{
	const struct cap_ntlm_msg *m = &t->ntlm;
	char b[64];

	e_obj(e, "ntlm");
	e_named(e, "type", m->type, cap_ntlm_type_name(m->type));
	e_ntlm_flags(e, m->flags);
	if (m->version.present) {
		snprintf(b, sizeof(b), "%u.%u.%u (NTLM revision %u)", m->version.major,
			 m->version.minor, m->version.build, m->version.revision);
		e_str(e, "version", b);
	}
	switch (m->type) {
	case CAP_NTLM_NEGOTIATE:
		e_ntlm_str(e, "domain", m->domain.data, 0);
		e_ntlm_str(e, "workstation", m->workstation.data, 0);
		break;
	case CAP_NTLM_CHALLENGE:
		e_ntlm_str(e, "target_name", m->target_name.data, m->unicode);
		if (m->server_challenge.len > 0)
			e_hex(e, "server_challenge", m->server_challenge);
		if (m->target_info.data.len > 0)
			e_avlist(e, "target_info", &m->target_av);
		break;
	case CAP_NTLM_AUTHENTICATE:
		e_str(e, "response_kind", cap_ntlm_auth_kind_name(m->auth_kind));
		e_ntlm_str(e, "domain", m->domain.data, m->unicode);
		e_ntlm_str(e, "user", m->user.data, m->unicode);
		e_ntlm_str(e, "workstation", m->workstation.data, m->unicode);
		e_secret(e, "lm_response", m->lm_resp.data);
		e_secret(e, "nt_response", m->nt_resp.data);
		e_secret(e, "session_key", m->session_key.data);
		e_bool(e, "mic_present", m->mic_present);
		if (m->mic_present)
			e_secret(e, "mic", m->mic);
		if (m->has_client_blob) {
			e_obj(e, "ntlmv2_client");
			e_secret(e, "nt_proof", m->nt_proof);
			e_time(e, "timestamp", cap_ntlm_filetime_to_unix(m->client_timestamp));
			e_hex(e, "client_challenge", m->client_challenge);
			e_avlist(e, "av_pairs", &m->client_av);
			if (m->client_av.has_channel_bindings)
				e_bool(e, "channel_bindings_zero", m->client_av.channel_bindings_zero);
			e_end_obj(e);
		}
		break;
	default:
		break;
	}
	e_anomalies(e, "anomalies", m->anomalies, CAP_NTLM_ANOM_COUNT, cap_ntlm_anomaly_name);
	e_end_obj(e);
}

/* ---- SPNEGO, GSS and the whole token ---- */

static void e_spnego(struct emit *e, const struct cap_token *t)
{
	const struct cap_spnego *sp = &t->sp;
	size_t i;
	uint32_t bit;

	e_obj(e, "spnego");
	e_str(e, "kind", sp->kind == CAP_SPNEGO_INIT ? (sp->is_init2 ? "NegTokenInit2"
								      : "NegTokenInit")
						     : "NegTokenResp");
	if (sp->kind == CAP_SPNEGO_INIT) {
		e_bool(e, "framed", sp->framed);
		e_arr(e, "mech_types");
		for (i = 0; i < sp->nmechs; i++) {
			char dotted[96], b[160];
			enum cap_gss_mech m = cap_gss_mech_of(sp->mechs[i]);

			if (cap_der_oid_str(sp->mechs[i], dotted, sizeof(dotted)) != CAP_OK)
				snprintf(dotted, sizeof(dotted), "(bad OID)");
			if (e->j != NULL) {
				cap_json_obj_begin(e->j);
				cap_json_kv_str(e->j, "oid", dotted);
				cap_json_kv_str(e->j, "mech", cap_gss_mech_id(m));
				cap_json_obj_end(e->j);
			} else {
				snprintf(b, sizeof(b), "%s (%s)", dotted, cap_gss_mech_name(m));
				e_item_str(e, b);
			}
		}
		e_end_arr(e);
		if (sp->has_req_flags) {
			e_arr(e, "req_flags");
			for (bit = 0x80000000u; bit != 0; bit >>= 1)
				if ((sp->req_flags & bit) && cap_spnego_req_flag_name(bit) != NULL)
					e_item_str(e, cap_spnego_req_flag_name(bit));
			e_end_arr(e);
		}
		if (sp->has_mech_token)
			e_int(e, "mech_token_len", (long long)sp->mech_token.len);
		if (sp->has_hint_name)
			e_span(e, "neg_hints_name", sp->hint_name);
	} else {
		if (sp->neg_state >= 0)
			e_named(e, "neg_state", sp->neg_state,
				cap_spnego_neg_state_name(sp->neg_state));
		if (sp->has_supported_mech)
			e_oid(e, "supported_mech", sp->supported_mech);
		if (sp->has_response_token)
			e_int(e, "response_token_len", (long long)sp->response_token.len);
	}
	if (sp->has_mic)
		e_secret(e, "mech_list_mic", sp->mech_list_mic);
	e_anomalies(e, "anomalies", sp->anomalies, CAP_SPNEGO_ANOM_COUNT, cap_spnego_anomaly_name);
	e_end_obj(e);
}

static void e_gss(struct emit *e, const struct cap_token *t)
{
	const struct cap_gss_token *g = &t->gss;
	char b[32];

	e_obj(e, "gss");
	e_oid(e, "mech", g->mech_oid);
	if (g->has_tok_id) {
		const char *n = cap_gss_tok_id_name(g->tok_id);

		snprintf(b, sizeof(b), "%02x %02x", g->tok_id >> 8, g->tok_id & 0xff);
		e_str(e, "tok_id", b);
		if (n != NULL)
			e_str(e, "tok_id_name", n);
	}
	e_anomalies(e, "anomalies", g->anomalies, CAP_GSS_ANOM_COUNT, cap_gss_anomaly_name);
	e_end_obj(e);
}

static void e_token(struct emit *e, const struct cap_token *t)
{
	char line[512];

	(void)cap_classify(t, line, sizeof(line));
	e_str(e, "classification", line);
	e_str(e, "status", cap_status_name(t->status));
	if (t->status != CAP_OK)
		e_str(e, "error", t->err);
	if (t->no_token) {
		e_str(e, "scheme", cap_auth_scheme_name(t->scheme));
		return;
	}
	e_int(e, "len", (long long)t->raw.len);
	e_str(e, "wrap", cap_token_wrap_name(t->wrap));
	e_str(e, "mech", cap_token_mech_name(t->mech));
	if (t->scheme != CAP_AUTH_OTHER && t->scheme != CAP_AUTH_NONE)
		e_str(e, "scheme", cap_auth_scheme_name(t->scheme));
	if (t->mech == CAP_TMECH_NTLM && t->scheme == CAP_AUTH_NEGOTIATE)
		e_bool(e, "ntlm_in_negotiate", t->is_ntlm_in_negotiate);
	if (t->wrap == CAP_WRAP_BASIC) {
		e_span(e, "user", t->basic_user);
		e_secret(e, "password", t->basic_password);
		return;
	}
	if (t->spnego)
		e_spnego(e, t);
	if (t->has_gss)
		e_gss(e, t);
	if (t->has_krb)
		e_krb(e, t);
	if (t->has_ntlm)
		e_ntlm(e, t);
}

void cap_tree_print(FILE *fp, const struct cap_token *t, unsigned flags, unsigned ind)
{
	struct emit e;

	e.fp = fp;
	e.j = NULL;
	e.depth = ind;
	e.flags = flags;
	e_token(&e, t);
}

void cap_tree_json(struct cap_json *j, const struct cap_token *t, unsigned flags)
{
	struct emit e;

	e.fp = NULL;
	e.j = j;
	e.depth = 0;
	e.flags = flags;
	cap_json_obj_begin(j);
	e_token(&e, t);
	cap_json_obj_end(j);
}
