/* token.h - one HTTP authentication token, decoded all the way down, plus the facts the
 * analysis layer needs.
 *
 * cap_token_decode() takes the raw bytes of a Negotiate/NTLM/Kerberos token (after base64)
 * and recognises, by content:
 *   - SPNEGO NegTokenInit (framed 60 .. 06 06 2B 06 01 05 05 02 A0 ..) or NegTokenResp (A1 ..),
 *     then its mechToken / responseToken, recursively (RFC 4178);
 *   - a raw NTLMSSP message ("NTLMSSP\0": what Windows sends inside `Negotiate` when it
 *     has no ticket, MS-NLMP);
 *   - a krb5 GSS token (60 .. 06 09 2A 86 48 86 F7 12 01 02 02 01 00 ..) or a bare Kerberos
 *     message (6E AP-REQ, 6F AP-REP, 7E KRB-ERROR), decoded with cap_krb_decode().
 * A NegTokenResp seen alone (a leg on a new connection) still has its inner token
 * recognised by content.
 *
 * The text helpers take what people paste: a header line (`Authorization: Negotiate YII..`),
 * a header value with one or several challenges (`Negotiate, NTLM`), bare base64, or hex.
 *
 * LIFETIME: every span in struct cap_token (and in its sp/gss/krb/ntlm members) aliases the
 * bytes given to cap_token_decode() -- for the text helpers, the caller's buf.  The char
 * arrays are copies.  No allocation anywhere; struct cap_token is large (some KiB): keep it
 * off small stacks in hot loops, or reuse one.
 *
 * Status: t->status is the first problem met at any layer (CAP_OK, CAP_TRUNCATED,
 * CAP_MALFORMED, CAP_UNSUPPORTED, CAP_LIMIT) and t->err one line saying which layer and
 * what.  t->recognised says whether the outer format was recognised at all; what decoded
 * before a problem stays filled in (a cut AP-REQ may still have its sname).
 */
#ifndef NEGSCOPE_TOKEN_H
#define NEGSCOPE_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#include "negscope/authhdr.h"
#include "negscope/cursor.h"
#include "negscope/der.h"
#include "negscope/gss_token.h"
#include "negscope/krb5.h"
#include "negscope/ntlmssp.h"
#include "negscope/spnego.h"

/* Largest decoded token accepted by the text helpers (Windows MaxTokenSize is 48000;
 * IIS and Apache refuse header lines far below this). */
#define CAP_TOKEN_MAX_BYTES 65536u
/* The most a caller may raise that to (negcap --max-token): buffers are the caller's. */
#define CAP_TOKEN_MAX_BYTES_LIMIT (1024u * 1024u)
/* SPNEGO inside SPNEGO, GSS inside GSS: recursion stops here. */
#define CAP_TOKEN_MAX_DEPTH 4

/* How the token is wrapped. */
enum cap_token_wrap {
	CAP_WRAP_NONE = 0,     /* nothing decoded (or the scheme came without a token) */
	CAP_WRAP_RAW,          /* bare NTLMSSP or bare Kerberos message */
	CAP_WRAP_GSS,          /* krb5 GSS framing, no SPNEGO (RFC 4121 / RFC 1964) */
	CAP_WRAP_SPNEGO,       /* SPNEGO NegTokenInit(2) or NegTokenResp */
	CAP_WRAP_BASIC         /* Basic credentials (RFC 7617), not a GSS token */
};

/* What authenticates, as far as the token tells. */
enum cap_token_mech {
	CAP_TMECH_NONE = 0,    /* no inner token and no mech named */
	CAP_TMECH_KERBEROS,
	CAP_TMECH_NTLM,
	CAP_TMECH_NEGOEX,
	CAP_TMECH_BASIC,
	CAP_TMECH_UNKNOWN      /* a mechanism or bytes we do not know */
};

struct cap_token {
	enum cap_status status;
	char err[160];
	/* The DER caps this decode spent; der.hit says a cap stopped it (status CAP_LIMIT). */
	struct cap_der_budget der;
	int over_cap;              /* the token's bytes did not fit the size cap: not decoded */
	int recognised;            /* the outer format was recognised */
	struct cap_span raw;       /* the bytes decoded */

	enum cap_token_wrap wrap;
	enum cap_token_mech mech;
	enum cap_gss_mech gss_mech; /* precise mech by OID, when one was seen */
	enum cap_auth_scheme scheme; /* HTTP scheme, when known (cap_token_set_scheme) */
	int no_token;              /* the challenge carried no token (e.g. bare `Negotiate`) */
	int is_ntlm_in_negotiate;  /* NTLM under the Negotiate scheme: Kerberos was not used */

	/* SPNEGO. */
	int spnego;                /* wrap == CAP_WRAP_SPNEGO */
	struct cap_spnego sp;
	int spnego_init;           /* NegTokenInit(2) */
	int spnego_resp;           /* NegTokenResp */
	int neg_state;             /* CAP_NEG_*, -1 when absent */
	int deleg_requested;       /* reqFlags delegFlag */
	int spnego_mic;            /* mechListMIC present */

	/* The mechanism token (SPNEGO mechToken/responseToken, or the whole token). */
	int has_inner;
	struct cap_span inner;
	int inner_by_content;      /* recognised by content, not by a negotiated mech */
	int has_gss;               /* krb5 GSS framing seen (60 .. OID TOK_ID) */
	struct cap_gss_token gss;

	/* Kerberos. */
	int has_krb;
	struct cap_krb_msg krb;
	int krb_msg_type;          /* CAP_KRB_AP_REQ, CAP_KRB_AP_REP, CAP_KRB_ERROR, or 0 */
	/* AP-REQ: the ticket. */
	char sname[256];           /* "HTTP/crm.example.test" */
	char realm[128];           /* "EXAMPLE.TEST" */
	int etype;                 /* ticket enc-part etype, -1 when absent */
	int kvno;                  /* ticket enc-part kvno, -1 when absent */
	int mutual;                /* ap-options mutual-required */
	int authenticator_etype;   /* -1 when absent */
	/* KRB-ERROR. */
	int error_code;            /* -1 when not a KRB-ERROR */
	const char *error_name;    /* static, "KRB_AP_ERR_MODIFIED"; NULL when unknown */
	char e_text[128];

	/* NTLM. */
	int has_ntlm;
	struct cap_ntlm_msg ntlm;
	int ntlm_type;             /* CAP_NTLM_NEGOTIATE/CHALLENGE/AUTHENTICATE, 0 when none */
	char user[128];            /* AUTHENTICATE: UTF-8 */
	char domain[128];          /* NEGOTIATE (if supplied) / AUTHENTICATE */
	char workstation[128];
	char target_spn[256];      /* AUTHENTICATE NTLMv2 MsvAvTargetName: the SPN asked for */
	char ntlm_target[128];     /* CHALLENGE TargetName (domain or server) */
	enum cap_ntlm_auth_kind ntlm_auth; /* AUTHENTICATE: LMv1/NTLMv1/NTLMv2/anonymous */
	int ntlm_mic;              /* AUTHENTICATE carries a MIC */

	/* Basic (text helpers only): user and password alias the decoded buffer. */
	struct cap_span basic_user;
	struct cap_span basic_password; /* secret */
};

/* Decodes raw token bytes (see the header comment).  Returns t->status. */
enum cap_status cap_token_decode(struct cap_span raw, struct cap_token *t);
/* The same with DER depth and element caps (der.h; NULL or 0 fields: the defaults). */
enum cap_status cap_token_decode_capped(struct cap_span raw, struct cap_token *t,
					const struct cap_der_limits *lim);

/* Records the HTTP scheme the token came under; sets is_ntlm_in_negotiate. */
void cap_token_set_scheme(struct cap_token *t, enum cap_auth_scheme scheme);

/* A token that is only a scheme name: sets scheme, no_token, recognised. */
void cap_token_set_empty(struct cap_token *t, enum cap_auth_scheme scheme);

/* Empty result (everything zero, optional numbers -1). */
void cap_token_init(struct cap_token *t);

/* ---- Text input ---- */

enum cap_token_input_form {
	CAP_INPUT_HEADER_LINE = 1, /* "Authorization: Negotiate YII..." */
	CAP_INPUT_HEADER_VALUE,    /* "Negotiate YII...", "Negotiate, NTLM" */
	CAP_INPUT_BASE64,          /* "YII..." */
	CAP_INPUT_HEX              /* "60 82 ..", "6082..", "0x6082.." */
};

struct cap_token_input {
	enum cap_token_input_form form;
	enum cap_auth_header header; /* header line form */
	struct cap_authhdr hdr;         /* header line and value forms */
	struct cap_span bare;           /* base64 and hex forms: the text, trimmed */
	enum cap_status status;
	char err[160];
};

/* Works out what the text is.  A first word that is a known scheme name (any case), or a
 * "Name:" naming an authentication header, makes it a header; otherwise hex when every
 * character is a hex digit or byte separator (even digit count), else base64.  Spans alias
 * text.  Returns CAP_OK or CAP_MALFORMED (in->err says why). */
enum cap_status cap_token_input_parse(struct cap_span text, struct cap_token_input *in);

/* Decodes one encoded token (base64, or hex when is_hex) into buf[0..cap), then
 * cap_token_decode().  A base64/hex error is CAP_MALFORMED with the offset in t->err and
 * t->recognised 0.  buf needs cap_b64_decoded_max(enc.len) bytes; fewer (or more than
 * CAP_TOKEN_MAX_BYTES_LIMIT) is CAP_LIMIT. */
enum cap_status cap_token_decode_encoded(struct cap_span enc, int is_hex, uint8_t *buf,
					 size_t cap, struct cap_token *t);
/* The same with DER caps (NULL or 0 fields: the defaults). */
enum cap_status cap_token_decode_encoded_capped(struct cap_span enc, int is_hex, uint8_t *buf,
						size_t cap, struct cap_token *t,
						const struct cap_der_limits *lim);

/* Decodes one challenge (scheme + optional token68 or params): GSS schemes through
 * cap_token_decode_encoded, Basic into basic_user/basic_password, others recognised
 * without a token. */
enum cap_status cap_token_decode_challenge(const struct cap_auth_challenge *ch, uint8_t *buf,
					   size_t cap, struct cap_token *t);
/* The same with DER caps.  A token whose bytes do not fit in cap is CAP_LIMIT ("token
 * larger than N bytes (cap)"): cap is the token size cap. */
enum cap_status cap_token_decode_challenge_capped(const struct cap_auth_challenge *ch,
						  uint8_t *buf, size_t cap, struct cap_token *t,
						  const struct cap_der_limits *lim);

/* One call for the common case: parses text (any form above), picks the first
 * Negotiate/NTLM/Kerberos challenge that carries a token (else the first challenge), and
 * decodes it.  Returns t->status; CAP_MALFORMED with t->recognised 0 when the text is
 * neither a header, base64 nor hex. */
enum cap_status cap_token_decode_text(struct cap_span text, uint8_t *buf, size_t cap,
				      struct cap_token *t);
enum cap_status cap_token_decode_text_capped(struct cap_span text, uint8_t *buf, size_t cap,
					     struct cap_token *t, const struct cap_der_limits *lim);

/* Names for JSON / text output. */
const char *cap_token_wrap_name(enum cap_token_wrap w);   /* "raw", "gss", "spnego", ... */
const char *cap_token_mech_name(enum cap_token_mech m);   /* "kerberos", "ntlm", ... */
const char *cap_token_input_form_name(enum cap_token_input_form f); /* "header_line", ... */

#endif /* NEGSCOPE_TOKEN_H */
