/* keys.c - the JSON `ticket` object: what the server's keys showed about a ticket
 * (negcap --keytab, --password-for).  Names and numbers only: no key, session key or
 * decrypted byte exists at this layer (proto/krb_keys.c keeps them). */
#include "negscope/json.h"
#include "negscope/report.h"

static const char *const gss_flag_names[] = {"deleg", "mutual", "replay", "sequence",
					     "conf", "integ"};

void cap_report_json_ticket(struct cap_json *j, const struct cap_krb_ticket_view *v)
{
	const char *n;

	if (v->verdict == CAP_KEYV_NONE)
		return;
	cap_json_kv_obj_begin(j, "ticket");
	cap_json_kv_str(j, "keys", cap_krb_key_verdict_name(v->verdict));
	cap_json_kv_str(j, "key_source", v->by_password ? "password" : "keytab");
	if (v->key_kvno_max >= 0)
		cap_json_kv_int(j, "key_kvno", v->key_kvno_max);
	cap_json_kv_arr_begin(j, "key_etypes");
	for (size_t i = 0; i < v->n_key_etypes; i++)
		cap_json_int(j, v->key_etypes[i]);
	cap_json_arr_end(j);
	if (v->decoded) {
		cap_json_kv_str(j, "cname", v->cname);
		cap_json_kv_str(j, "crealm", v->crealm);
		cap_json_kv_uint(j, "flags_value", v->flags);
		cap_json_kv_arr_begin(j, "flags");
		for (unsigned b = 0; b < 32; b++)
			if ((v->flags & CAP_KRB_BIT(b)) &&
			    (n = cap_krb_ticket_flag_name(b)) != NULL)
				cap_json_str(j, n);
		cap_json_arr_end(j);
		cap_json_kv_int(j, "authtime", (long long)v->authtime);
		if (v->has_starttime)
			cap_json_kv_int(j, "starttime", (long long)v->starttime);
		cap_json_kv_int(j, "endtime", (long long)v->endtime);
		if (v->pac.present) {
			cap_json_kv_obj_begin(j, "pac");
			cap_json_kv_uint(j, "bytes", v->pac.bytes);
			cap_json_kv_uint(j, "buffers", v->pac.buffers);
			if (v->pac.logon_info) {
				cap_json_kv_uint(j, "groups", v->pac.group_count);
				cap_json_kv_uint(j, "extra_sids", v->pac.extra_sid_count);
				cap_json_kv_uint(j, "resource_groups", v->pac.resource_group_count);
			}
			if (v->pac.malformed)
				cap_json_kv_bool(j, "malformed", 1);
			cap_json_obj_end(j);
		}
	}
	if (v->auth_decrypted) {
		cap_json_kv_obj_begin(j, "authenticator");
		if (v->gss_checksum) {
			cap_json_kv_uint(j, "gss_flags_value", v->gss_flags);
			cap_json_kv_arr_begin(j, "gss_flags");
			for (unsigned b = 0; b < 6; b++)
				if (v->gss_flags & (1u << b))
					cap_json_str(j, gss_flag_names[b]);
			cap_json_arr_end(j);
			cap_json_kv_bool(j, "channel_bindings", v->cbt_present);
		}
		cap_json_kv_bool(j, "delegated_credentials", v->deleg_cred);
		cap_json_kv_bool(j, "forwarded_tgt", v->deleg_tgt);
		cap_json_obj_end(j);
	}
	cap_json_obj_end(j);
}

void cap_report_ticket_text(FILE *fp, const struct cap_krb_ticket_view *v, int ap_rep)
{
	const char *n;

	if (ap_rep != CAP_APREP_NONE)
		fprintf(fp, "  AP-REP: %s\n", ap_rep == CAP_APREP_VERIFIED
			? "decrypts with the session key: mutual authentication verified"
			: "does NOT decrypt with the session key of the AP-REQ before it");
	if (v->verdict == CAP_KEYV_NONE)
		return;
	fprintf(fp, "  keys: %s", cap_krb_key_verdict_name(v->verdict));
	if (v->key_kvno_max >= 0)
		fprintf(fp, " (keys at kvno %d)", v->key_kvno_max);
	fprintf(fp, "\n");
	if (!v->decoded)
		return;
	fprintf(fp, "  ticket: client %s@%s, authtime %lld, endtime %lld\n  flags:", v->cname,
		v->crealm, (long long)v->authtime, (long long)v->endtime);
	for (unsigned b = 0; b < 32; b++)
		if ((v->flags & CAP_KRB_BIT(b)) && (n = cap_krb_ticket_flag_name(b)) != NULL)
			fprintf(fp, " %s", n);
	fprintf(fp, "\n");
	if (v->pac.present)
		fprintf(fp, "  PAC: %zu bytes, %u buffers%s\n", v->pac.bytes, v->pac.buffers,
			v->pac.malformed ? " (malformed)" : "");
	if (v->pac.logon_info)
		fprintf(fp, "  PAC groups: %u, extra SIDs: %u\n", v->pac.group_count,
			v->pac.extra_sid_count);
	if (v->auth_decrypted && v->gss_checksum) {
		fprintf(fp, "  authenticator GSS flags:");
		for (unsigned b = 0; b < 6; b++)
			if (v->gss_flags & (1u << b))
				fprintf(fp, " %s", gss_flag_names[b]);
		fprintf(fp, "%s\n", v->deleg_tgt ? "; a forwarded TGT rides along" : "");
	}
}
