/* spnego.h - SPNEGO NegTokenInit / NegTokenInit2 / NegTokenResp decoder.
 *
 * References: RFC 4178 §4.2 (NegotiationToken), MS-SPNG §2.2.1 (NegTokenInit2 with
 * negHints, as Windows servers send it), RFC 2743 §3.1 (the initial token's framing).
 *
 *   NegotiationToken ::= CHOICE { negTokenInit [0] NegTokenInit,
 *                                 negTokenResp [1] NegTokenResp }
 *   initial token:  60 <len> 06 06 2B 06 01 05 05 02  A0 <len> 30 <len> ...
 *   response token: A1 <len> 30 <len> ...
 *
 * The inner mechToken / responseToken is only located here (a span); token.h decodes it.
 * Spans alias the input.
 */
#ifndef NEGSCOPE_SPNEGO_H
#define NEGSCOPE_SPNEGO_H

#include <stddef.h>
#include <stdint.h>

#include "negscope/cursor.h"
#include "negscope/der.h"

#define CAP_SPNEGO_MAX_MECHS 16

enum cap_spnego_kind {
	CAP_SPNEGO_NONE = 0,
	CAP_SPNEGO_INIT,  /* NegTokenInit or NegTokenInit2 (see is_init2) */
	CAP_SPNEGO_RESP   /* NegTokenResp */
};

/* negState (RFC 4178 §4.2.2). */
enum {
	CAP_NEG_ACCEPT_COMPLETED = 0,
	CAP_NEG_ACCEPT_INCOMPLETE = 1,
	CAP_NEG_REJECT = 2,
	CAP_NEG_REQUEST_MIC = 3
};

/* reqFlags ContextFlags, as read by cap_der_bits32 (bit 0 = 0x80000000). */
#define CAP_SPNEGO_REQ_DELEG 0x80000000u
#define CAP_SPNEGO_REQ_MUTUAL 0x40000000u
#define CAP_SPNEGO_REQ_REPLAY 0x20000000u
#define CAP_SPNEGO_REQ_SEQUENCE 0x10000000u
#define CAP_SPNEGO_REQ_ANON 0x08000000u
#define CAP_SPNEGO_REQ_CONF 0x04000000u
#define CAP_SPNEGO_REQ_INTEG 0x02000000u

/* Tolerated deviations. */
#define CAP_SPNEGO_ANOM_UNFRAMED_INIT 0x01u  /* NegTokenInit without the 0x60 framing */
#define CAP_SPNEGO_ANOM_MECH_LIMIT 0x02u     /* more than CAP_SPNEGO_MAX_MECHS mechs */
#define CAP_SPNEGO_ANOM_UNKNOWN_FIELD 0x04u  /* an unexpected [n] field (skipped) */
#define CAP_SPNEGO_ANOM_TRAILING 0x08u       /* bytes after the token */
#define CAP_SPNEGO_ANOM_COUNT 4

struct cap_spnego {
	enum cap_spnego_kind kind;
	int framed;                 /* the init token had GSS framing with the SPNEGO OID */

	/* NegTokenInit / NegTokenInit2. */
	int is_init2;               /* negHints present (Windows) */
	struct cap_span mechs[CAP_SPNEGO_MAX_MECHS]; /* OID contents, preference order */
	size_t nmechs, nmechs_seen;
	int has_req_flags;
	uint32_t req_flags;         /* CAP_SPNEGO_REQ_* */
	int has_mech_token;
	struct cap_span mech_token;
	int has_hint_name;
	struct cap_span hint_name;  /* usually "not_defined_in_RFC4178@please_ignore" */
	int has_hint_address;
	struct cap_span hint_address;

	/* NegTokenResp. */
	int neg_state;              /* CAP_NEG_*, or -1 when absent */
	int has_supported_mech;
	struct cap_span supported_mech;
	int has_response_token;
	struct cap_span response_token;

	/* Both. */
	int has_mic;
	struct cap_span mech_list_mic;

	unsigned anomalies;         /* CAP_SPNEGO_ANOM_* */
	enum cap_status status;
	char err[128];
};

/* 1 when the span looks like SPNEGO: GSS framing with the SPNEGO OID, or a bare
 * [0]/[1] constructed tag followed by a SEQUENCE. */
int cap_spnego_detect(struct cap_span in);

/* Decodes a SPNEGO token (framed init, bare init, or resp).  Returns out->status:
 * CAP_OK, CAP_TRUNCATED (fields before the cut stay filled), CAP_MALFORMED,
 * CAP_UNSUPPORTED (an indefinite BER length), CAP_LIMIT. */
enum cap_status cap_spnego_decode(struct cap_span in, struct cap_spnego *out);
/* The same, spending the DER depth and element caps of b (der.h); a cap hit is
 * CAP_LIMIT with err naming the cap. */
enum cap_status cap_spnego_decode_capped(struct cap_span in, struct cap_spnego *out,
					 struct cap_der_budget *b);

/* "accept-completed", "accept-incomplete", "reject", "request-mic", or "unknown". */
const char *cap_spnego_neg_state_name(int neg_state);
const char *cap_spnego_kind_name(enum cap_spnego_kind k); /* "init", "resp", "none" */
/* "deleg", "mutual", ... for one CAP_SPNEGO_REQ_* bit, or NULL. */
const char *cap_spnego_req_flag_name(uint32_t bit);
const char *cap_spnego_anomaly_name(unsigned bit);

#endif /* NEGSCOPE_SPNEGO_H */
