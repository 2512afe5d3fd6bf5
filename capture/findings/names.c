/* names.c - names of schemes, token kinds and Kerberos message types; empty facts. */
#include <string.h>

#include "negscope/analysis.h"

const char *cap_token_kind_name(enum cap_token_kind k)
{
	switch (k) {
	case CAP_TOKEN_NONE: return "none";
	case CAP_TOKEN_KRB_AP_REQ: return "krb-ap-req";
	case CAP_TOKEN_KRB_AP_REP: return "krb-ap-rep";
	case CAP_TOKEN_KRB_ERROR: return "krb-error";
	case CAP_TOKEN_NTLM: return "ntlm";
	case CAP_TOKEN_SPNEGO: return "spnego";
	case CAP_TOKEN_OTHER: return "other";
	case CAP_TOKEN_UNDECODABLE: return "undecodable";
	}
	return "?";
}

const char *cap_krb_msg_name(int t)
{
	switch (t) {
	case CAP_KRB_AS_REQ: return "AS-REQ";
	case CAP_KRB_AS_REP: return "AS-REP";
	case CAP_KRB_TGS_REQ: return "TGS-REQ";
	case CAP_KRB_TGS_REP: return "TGS-REP";
	case CAP_KRB_AP_REQ: return "AP-REQ";
	case CAP_KRB_AP_REP: return "AP-REP";
	case CAP_KRB_CRED: return "KRB-CRED";
	case CAP_KRB_ERROR: return "KRB-ERROR";
	}
	return "?";
}

void cap_auth_fact_init(struct cap_auth_fact *f)
{
	memset(f, 0, sizeof(*f));
	f->neg_state = -1;
	f->kvno = -1;
	f->etype = -1;
	f->error_code = -1;
}

void cap_http_fact_init(struct cap_http_fact *f)
{
	memset(f, 0, sizeof(*f));
	cap_auth_fact_init(&f->auth);
}

void cap_krb_fact_init(struct cap_krb_fact *f)
{
	memset(f, 0, sizeof(*f));
	f->error_code = -1;
	f->ticket_kvno = -1;
	f->ticket_etype = -1;
}
