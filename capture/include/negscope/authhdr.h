/* authhdr.h - HTTP authentication header values: challenges and credentials.
 *
 * References: RFC 7235 §2.1 and §4.1-4.4 (WWW-Authenticate, Authorization,
 * Proxy-Authenticate, Proxy-Authorization), RFC 4559 §4 (Negotiate), RFC 9110 §5.6
 * (lists, tokens, quoted strings).
 *
 *   challenge   = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
 *   auth-param  = token BWS "=" BWS ( token / quoted-string )
 *   WWW-Authenticate = 1#challenge      (the same grammar serves credentials)
 *
 * A value can carry several challenges ("Negotiate, NTLM"), and a response can carry the
 * header several times: parse each value into the same struct cap_authhdr, which
 * accumulates challenges and remembers which header each came from.
 *
 * Results are spans into the caller's value (never copied, never NUL-terminated); they
 * stay valid as long as that buffer.  Scheme names are compared case-insensitively.
 *
 * Status (returned and kept in hdr->status with a one-line hdr->err):
 *   CAP_OK         parsed
 *   CAP_MALFORMED  not the grammar above (err names the offset); what parsed before stays
 *   CAP_LIMIT      more than max_challenges challenges or CAP_AUTH_MAX_PARAMS
 *                  parameters in one challenge: the extra ones are dropped and counted
 */
#ifndef NEGSCOPE_AUTHHDR_H
#define NEGSCOPE_AUTHHDR_H

#include <stddef.h>

#include "negscope/cursor.h"

#define CAP_AUTH_MAX_CHALLENGES 16        /* default cap on challenges kept */
#define CAP_AUTH_MAX_CHALLENGES_LIMIT 64  /* the most it can be raised to */
#define CAP_AUTH_MAX_PARAMS 16

/* An HTTP authentication scheme (RFC 7235 §2.1): the one scheme enum of negscope, for
 * the parser's challenges, the tokens and the analysis's facts.  CAP_AUTH_NONE: no header
 * (or no scheme yet); CAP_AUTH_OTHER: a scheme negscope does not know. */
enum cap_auth_scheme {
	CAP_AUTH_NONE = 0,
	CAP_AUTH_NEGOTIATE,
	CAP_AUTH_NTLM,
	CAP_AUTH_KERBEROS,
	CAP_AUTH_BASIC,
	CAP_AUTH_DIGEST,
	CAP_AUTH_BEARER,
	CAP_AUTH_OTHER
};
#define CAP_AUTH_BIT(s) (1u << (unsigned)(s))

/* Which header a value came from. */
enum cap_auth_header {
	CAP_HDR_UNKNOWN = 0,
	CAP_HDR_WWW_AUTHENTICATE,
	CAP_HDR_AUTHORIZATION,
	CAP_HDR_PROXY_AUTHENTICATE,
	CAP_HDR_PROXY_AUTHORIZATION
};

struct cap_auth_param {
	struct cap_span name;
	struct cap_span value;  /* for a quoted string: the text between the quotes, escapes
				 * still in (see cap_auth_unquote) */
	int quoted;
};

struct cap_auth_challenge {
	struct cap_span scheme;
	enum cap_auth_scheme kind;
	enum cap_auth_header header; /* as given to cap_authhdr_parse */
	unsigned header_index;       /* which call of cap_authhdr_parse, from 0 */
	int has_token68;
	struct cap_span token68;     /* the token after the scheme (base64 for Negotiate/NTLM) */
	struct cap_auth_param params[CAP_AUTH_MAX_PARAMS];
	size_t nparams;
};

struct cap_authhdr {
	struct cap_auth_challenge ch[CAP_AUTH_MAX_CHALLENGES_LIMIT];
	size_t n;
	size_t max_challenges; /* kept at most; CAP_AUTH_MAX_CHALLENGES after init */
	unsigned nheaders;   /* values parsed so far */
	size_t dropped;      /* challenges or params dropped at the caps */
	size_t challenges_dropped; /* of which challenges (max_challenges) */
	enum cap_status status;
	size_t err_offset;   /* offset in the value where parsing failed */
	char err[128];
};

void cap_authhdr_init(struct cap_authhdr *h);
/* Sets the challenge cap (0: the default; above CAP_AUTH_MAX_CHALLENGES_LIMIT: that). */
void cap_authhdr_set_max(struct cap_authhdr *h, size_t max_challenges);

/* Parses one header value (the part after the colon) and appends its challenges. */
enum cap_status cap_authhdr_parse(struct cap_authhdr *h, enum cap_auth_header which,
				  struct cap_span value);

/* Splits a header line "Name: value" (surrounding whitespace trimmed).  Returns 1 and
 * sets *which and *value when Name is one of the four authentication headers (any case);
 * 0 otherwise. */
int cap_authhdr_split_line(struct cap_span line, enum cap_auth_header *which,
			   struct cap_span *value);

/* The first challenge of this kind that carries a token68, or NULL. */
const struct cap_auth_challenge *cap_authhdr_find_token(const struct cap_authhdr *h,
							enum cap_auth_scheme kind);
/* The first challenge of this kind (with or without token), or NULL. */
const struct cap_auth_challenge *cap_authhdr_find(const struct cap_authhdr *h,
						  enum cap_auth_scheme kind);
/* The first Negotiate, NTLM or Kerberos challenge with a token, or NULL. */
const struct cap_auth_challenge *cap_authhdr_find_gss_token(const struct cap_authhdr *h);
/* A parameter of a challenge by name (case-insensitive), or NULL. */
const struct cap_auth_param *cap_auth_param_get(const struct cap_auth_challenge *ch,
						const char *name);

enum cap_auth_scheme cap_authhdr_scheme_of(struct cap_span scheme);
/* "Negotiate", "NTLM", "Kerberos", "Basic", "Digest", "Bearer", "other", "none". */
const char *cap_auth_scheme_name(enum cap_auth_scheme k);
const char *cap_authhdr_header_name(enum cap_auth_header h);   /* "WWW-Authenticate", ... */

/* A quoted-string's text with backslash escapes removed, NUL-terminated, cut to fit.
 * Returns the length written. */
size_t cap_auth_unquote(struct cap_span quoted_text, char *out, size_t cap);

/* ASCII case-insensitive comparison of a span with a NUL-terminated literal. */
int cap_span_ieq(struct cap_span s, const char *lit);

#endif /* NEGSCOPE_AUTHHDR_H */
