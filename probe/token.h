/* token.h - what a Negotiate/NTLM token carries, in the probe's terms, from the
 * capture library's decoders (the probe never parses token bytes itself).
 */
#ifndef PROBE_TOKEN_H
#define PROBE_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gss.h"

struct probe_token_desc {
	char summary[320];          /* one line a person understands */
	enum probe_used_mech mech;  /* mechanism the token carries (NONE if unknown) */
	bool spnego;                /* SPNEGO-wrapped (else raw) */
	int neg_state;              /* NegTokenResp negState, -1 when absent */
	int krb_msg;                /* Kerberos message type (14 AP-REQ, 15 AP-REP, 30 KRB-ERROR), 0 */
	int krb_error;              /* KRB-ERROR code, -1 when none */
	char krb_error_name[48];
	char sname[256];            /* AP-REQ ticket sname, "HTTP/host" */
	char realm[128];
	int etype, kvno;            /* ticket enc-part, -1 when absent */
	bool mutual_required;       /* AP-REQ ap-options */
	int ntlm_type;              /* 1, 2, 3, or 0 */
	char ntlm_user[128], ntlm_domain[128];
	bool decoded;               /* the decoder understood the token */
};

/* Describes `len` bytes of token (after base64).  Never fails: an undecodable
 * token gets a summary saying so. */
void probe_token_describe(const uint8_t *p, size_t len, struct probe_token_desc *d);

/* An authentication header value as it may be shown: each token replaced by its size
 * ("Negotiate <token, 186 chars>"), parameters (realm="...") kept.  Tokens carry secrets
 * (the AP-REP's encrypted part, MICs, NTLM responses, Basic passwords) and those never
 * reach output or logs.  A value that does not parse keeps only its first word. */
void probe_auth_value_shown(const char *value, char *out, size_t cap);

#endif /* PROBE_TOKEN_H */
