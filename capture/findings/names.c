/* names.c - names of schemes, token kinds and Kerberos message types; empty facts. */
#include <string.h>

#include "negscope/analysis.h"
#include "negscope/krb5.h"

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

/* The proto table's name (RFC 4120 §5.10 msg-type), "?" for a type it does not know. */
const char *cap_krb_msg_name(int t)
{
	const char *n = cap_krb_msg_type_name(t);

	return n != NULL ? n : "?";
}

void cap_auth_fact_init(struct cap_auth_fact *f)
{
	memset(f, 0, sizeof(*f));
	f->neg_state = -1;
	f->kvno = -1;
	f->etype = -1;
	f->error_code = -1;
	f->ticket.key_kvno_min = -1;
	f->ticket.key_kvno_max = -1;
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
	f->ticket.key_kvno_min = -1;
	f->ticket.key_kvno_max = -1;
}
