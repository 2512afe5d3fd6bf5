/* gss_token.h - GSS-API token framing and mechanism OIDs.
 *
 * References: RFC 2743 §3.1 (InitialContextToken: [APPLICATION 0] IMPLICIT SEQUENCE
 * { thisMech MechType, innerContextToken ANY }), RFC 4121 §4.1 and RFC 1964 §1.1
 * (krb5 token ids), draft-ietf-kitten-iakerb (IAKERB), MS-SPNG (OIDs Windows uses).
 *
 *   60 <len> 06 <n> <mech OID> <innerContextToken>
 *   krb5:   innerContextToken = TOK_ID (2 bytes) + Kerberos message
 *           01 00 AP-REQ [APPLICATION 14], 02 00 AP-REP [APPLICATION 15],
 *           03 00 KRB-ERROR [APPLICATION 30]
 *
 * Pure function; spans alias the input.
 */
#ifndef NEGSCOPE_GSS_TOKEN_H
#define NEGSCOPE_GSS_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#include "negscope/cursor.h"

/* Mechanisms by OID. */
enum cap_gss_mech {
	CAP_MECH_UNKNOWN = 0,
	CAP_MECH_SPNEGO,     /* 1.3.6.1.5.5.2 */
	CAP_MECH_KRB5,       /* 1.2.840.113554.1.2.2 */
	CAP_MECH_KRB5_MS,    /* 1.2.840.48018.1.2.2 (Microsoft's legacy, mis-encoded krb5 OID) */
	CAP_MECH_KRB5_U2U,   /* 1.2.840.113554.1.2.2.3 (user-to-user) */
	CAP_MECH_IAKERB,     /* 1.3.6.1.5.2.5 */
	CAP_MECH_NTLMSSP,    /* 1.3.6.1.4.1.311.2.2.10 */
	CAP_MECH_NEGOEX      /* 1.3.6.1.4.1.311.2.2.30 */
};

/* krb5 GSS token ids (first two bytes of the innerContextToken). */
#define CAP_GSS_TOK_AP_REQ 0x0100u
#define CAP_GSS_TOK_AP_REP 0x0200u
#define CAP_GSS_TOK_KRB_ERROR 0x0300u
#define CAP_GSS_TOK_IAKERB_PROXY 0x0501u

/* Tolerated deviations. */
#define CAP_GSS_ANOM_TOKID_MISMATCH 0x01u /* TOK_ID disagrees with the Kerberos message */
#define CAP_GSS_ANOM_TRAILING 0x02u       /* bytes after the InitialContextToken */
#define CAP_GSS_ANOM_COUNT 2

struct cap_gss_token {
	struct cap_span mech_oid;   /* OID contents (no tag/length) */
	enum cap_gss_mech mech;
	struct cap_span inner;      /* innerContextToken (for krb5: after TOK_ID) */
	int has_tok_id;             /* krb5 / IAKERB mechs */
	uint16_t tok_id;            /* big-endian, 0x0100 = "01 00" */
	unsigned anomalies;
	enum cap_status status;
	char err[128];
};

/* 1 when the span starts with the [APPLICATION 0] constructed tag (0x60). */
int cap_gss_is_framed(struct cap_span in);

/* Unwraps an InitialContextToken.  Returns CAP_OK, CAP_TRUNCATED (what was read stays,
 * inner is the captured part), CAP_MALFORMED (not 0x60 / no OID / bad length). */
enum cap_status cap_gss_unwrap(struct cap_span in, struct cap_gss_token *out);

enum cap_gss_mech cap_gss_mech_of(struct cap_span oid);
/* "SPNEGO", "Kerberos 5", "Kerberos 5 (MS legacy OID)", "NTLMSSP", ... or "unknown". */
const char *cap_gss_mech_name(enum cap_gss_mech m);
/* Short stable identifier for JSON: "spnego", "krb5", "krb5_ms", "ntlmssp", ... */
const char *cap_gss_mech_id(enum cap_gss_mech m);
/* Dotted OID of a known mechanism, or NULL. */
const char *cap_gss_mech_oid(enum cap_gss_mech m);
/* 1 for the Kerberos mechanisms (krb5, MS legacy krb5, user-to-user). */
int cap_gss_mech_is_krb5(enum cap_gss_mech m);
/* "AP-REQ", "AP-REP", "KRB-ERROR", "MIC", "Wrap", ... or NULL. */
const char *cap_gss_tok_id_name(uint16_t tok_id);
/* The Kerberos msg-type a krb5 TOK_ID carries (14, 15, 30), or 0. */
int cap_gss_tok_id_krb_type(uint16_t tok_id);
const char *cap_gss_anomaly_name(unsigned bit);

#endif /* NEGSCOPE_GSS_TOKEN_H */
