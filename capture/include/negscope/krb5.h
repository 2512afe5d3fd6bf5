/* krb5.h - Kerberos V5 message decoder (AS/TGS/AP/KRB-ERROR/KRB-CRED).
 *
 * References: RFC 4120 §5 (messages), §7.5 (numbers); RFC 6113 (FAST
 * padata numbers, PA-FX-FAST framing); MS-KILE §2.2 (KERB-ERROR-DATA, KERB-EXT-ERROR,
 * PA-PAC-OPTIONS, PA-SUPPORTED-ENCTYPES); MS-SFU §2.2.1 (PA-FOR-USER).
 *
 * cap_krb_decode() is a pure function over a byte span: no allocation, no
 * I/O, no globals.  Everything variable-length is stored in fixed arrays
 * with the caps below (overflow is counted in *_seen and raised as an
 * anomaly, never fatal).
 *
 * LIFETIME: every struct cap_span in a struct cap_krb_msg aliases the input
 * span given to cap_krb_decode(); it is valid exactly as long as that
 * buffer is.  Copy what you keep.  Strings are NOT NUL-terminated: render
 * them with cap_krb_span_str() / cap_krb_principal_str().
 *
 * Encrypted parts (enc-part, authenticator, cipher of PA-ENC-TIMESTAMP) are
 * never decrypted; only their etype, kvno and length are reported (the
 * span is there for --show-secrets style dumps).
 *
 * Each sub-struct has a `present` flag; everything absent is zero.  What is
 * filled per message type:
 *   AS-REQ, TGS-REQ  msg->padata[], msg->req (+ msg->pa_* decoded padata)
 *   AS-REP, TGS-REP  msg->padata[], msg->rep
 *   AP-REQ           msg->ap_req
 *   AP-REP           msg->ap_rep
 *   KRB-ERROR        msg->err; e-data METHOD-DATA also fills msg->padata[]
 *                    and msg->etype_info2[]
 *   KRB-CRED         msg->cred
 */
#ifndef NEGSCOPE_KRB5_H
#define NEGSCOPE_KRB5_H

#include <stddef.h>
#include <stdint.h>

#include "negscope/cursor.h"
#include "negscope/der.h"

/* Caps on stored elements (extra elements are counted, not stored). */
#define CAP_KRB_MAX_COMPONENTS 8     /* PrincipalName name-string */
#define CAP_KRB_MAX_ETYPES 32        /* KDC-REQ-BODY etype list */
#define CAP_KRB_MAX_PADATA 16        /* PA-DATA / METHOD-DATA entries */
#define CAP_KRB_MAX_ADDL_TICKETS 4   /* additional-tickets */
#define CAP_KRB_MAX_CRED_TICKETS 4   /* KRB-CRED tickets */
#define CAP_KRB_MAX_ETYPE_INFO 8     /* PA-ETYPE-INFO2 / PA-ETYPE-INFO entries */
#define CAP_KRB_MAX_ADDRESSES 8      /* HostAddresses */

/* Message types (RFC 4120 §7.5.7), the [APPLICATION n] tag numbers. */
enum cap_krb_msg_type {
	CAP_KRB_AS_REQ = 10,
	CAP_KRB_AS_REP = 11,
	CAP_KRB_TGS_REQ = 12,
	CAP_KRB_TGS_REP = 13,
	CAP_KRB_AP_REQ = 14,
	CAP_KRB_AP_REP = 15,
	CAP_KRB_SAFE = 20,
	CAP_KRB_PRIV = 21,
	CAP_KRB_CRED = 22,
	CAP_KRB_ERROR = 30
};

/* Error codes used by name elsewhere (full table: cap_krb_error_name). */
enum {
	CAP_KDC_ERR_C_PRINCIPAL_UNKNOWN = 6,
	CAP_KDC_ERR_S_PRINCIPAL_UNKNOWN = 7,
	CAP_KDC_ERR_PRINCIPAL_NOT_UNIQUE = 8,
	CAP_KDC_ERR_POLICY = 12,
	CAP_KDC_ERR_BADOPTION = 13,
	CAP_KDC_ERR_ETYPE_NOSUPP = 14,
	CAP_KDC_ERR_PREAUTH_FAILED = 24,
	CAP_KDC_ERR_PREAUTH_REQUIRED = 25,
	CAP_KRB_AP_ERR_BAD_INTEGRITY = 31,
	CAP_KRB_AP_ERR_TKT_EXPIRED = 32,
	CAP_KRB_AP_ERR_REPEAT = 34,
	CAP_KRB_AP_ERR_NOT_US = 35,
	CAP_KRB_AP_ERR_SKEW = 37,
	CAP_KRB_AP_ERR_MODIFIED = 41,
	CAP_KRB_AP_ERR_BADKEYVER = 44,
	CAP_KRB_AP_ERR_NOKEY = 45,
	CAP_KRB_ERR_RESPONSE_TOO_BIG = 52,
	CAP_KRB_ERR_GENERIC = 60,
	CAP_KDC_ERR_WRONG_REALM = 68
};

/* PA-DATA types the decoder looks inside (full table: cap_krb_padata_name). */
enum {
	CAP_KRB_PA_TGS_REQ = 1,
	CAP_KRB_PA_ENC_TIMESTAMP = 2,
	CAP_KRB_PA_PW_SALT = 3,
	CAP_KRB_PA_ETYPE_INFO = 11,
	CAP_KRB_PA_ETYPE_INFO2 = 19,
	CAP_KRB_PA_PAC_REQUEST = 128,
	CAP_KRB_PA_FOR_USER = 129,
	CAP_KRB_PA_FOR_X509_USER = 130,
	CAP_KRB_PA_FX_FAST = 136,
	CAP_KRB_PA_SUPPORTED_ETYPES = 165,
	CAP_KRB_PA_PAC_OPTIONS = 167
};

/* KDCOptions bits (RFC 4120 §5.4.1; bit 0 = MSB).  Test with
 * CAP_KRB_BIT(n) & req.kdc_options. */
#define CAP_KRB_BIT(n) (0x80000000u >> (n))
enum {
	CAP_KDC_OPT_FORWARDABLE = 1,
	CAP_KDC_OPT_FORWARDED = 2,
	CAP_KDC_OPT_PROXIABLE = 3,
	CAP_KDC_OPT_PROXY = 4,
	CAP_KDC_OPT_ALLOW_POSTDATE = 5,
	CAP_KDC_OPT_POSTDATED = 6,
	CAP_KDC_OPT_RENEWABLE = 8,
	CAP_KDC_OPT_OPT_HARDWARE_AUTH = 11,
	CAP_KDC_OPT_CNAME_IN_ADDL_TKT = 14, /* MS-SFU S4U2Proxy */
	CAP_KDC_OPT_CANONICALIZE = 15,
	CAP_KDC_OPT_REQUEST_ANONYMOUS = 16,
	CAP_KDC_OPT_DISABLE_TRANSITED_CHECK = 26,
	CAP_KDC_OPT_RENEWABLE_OK = 27,
	CAP_KDC_OPT_ENC_TKT_IN_SKEY = 28,
	CAP_KDC_OPT_RENEW = 30,
	CAP_KDC_OPT_VALIDATE = 31
};
/* APOptions bits (RFC 4120 §5.5.1). */
enum {
	CAP_AP_OPT_USE_SESSION_KEY = 1,
	CAP_AP_OPT_MUTUAL_REQUIRED = 2
};
/* PA-PAC-OPTIONS bits (MS-KILE §2.2.10). */
enum {
	CAP_PAC_OPT_CLAIMS = 0,
	CAP_PAC_OPT_BRANCH_AWARE = 1,
	CAP_PAC_OPT_FORWARD_TO_FULL_DC = 2,
	CAP_PAC_OPT_RBCD = 3 /* resource-based constrained delegation */
};

/* Tolerated deviations (bit set in msg->anomalies; cap_krb_anomaly_name). */
#define CAP_KRB_ANOM_MSG_TYPE_MISMATCH 0x0001u  /* msg-type != [APPLICATION n] */
#define CAP_KRB_ANOM_BAD_PVNO 0x0002u           /* pvno / tkt-vno != 5 */
#define CAP_KRB_ANOM_NOT_GENERAL_STRING 0x0004u /* KerberosString not GeneralString */
#define CAP_KRB_ANOM_TOO_MANY_COMPONENTS 0x0008u
#define CAP_KRB_ANOM_TOO_MANY_ETYPES 0x0010u
#define CAP_KRB_ANOM_TOO_MANY_PADATA 0x0020u
#define CAP_KRB_ANOM_TOO_MANY_TICKETS 0x0040u
#define CAP_KRB_ANOM_TOO_MANY_ETYPE_INFO 0x0080u
#define CAP_KRB_ANOM_TRAILING_DATA 0x0100u     /* bytes after the message */
#define CAP_KRB_ANOM_UNKNOWN_FIELD 0x0200u     /* extra fields in a SEQUENCE */
#define CAP_KRB_ANOM_PADATA_UNDECODED 0x0400u  /* known padata value did not decode */
#define CAP_KRB_ANOM_EDATA_UNDECODED 0x0800u   /* e-data in no known form */
#define CAP_KRB_ANOM_EMPTY_NAME 0x1000u        /* PrincipalName with no components */
#define CAP_KRB_ANOM_NONMINIMAL_DER 0x2000u    /* DER length/int not minimal */
#define CAP_KRB_ANOM_TOO_MANY_ADDRESSES 0x4000u
#define CAP_KRB_ANOM_COUNT 15

struct cap_krb_principal {
	int present;
	int32_t name_type;               /* cap_krb_name_type_name() */
	size_t ncomponents;              /* stored, <= CAP_KRB_MAX_COMPONENTS */
	size_t ncomponents_seen;         /* on the wire */
	struct cap_span components[CAP_KRB_MAX_COMPONENTS];
};

/* EncryptedData: never decrypted. */
struct cap_krb_enc {
	int present;
	int32_t etype;                   /* cap_krb_etype_name() */
	int kvno_present;
	uint32_t kvno;
	struct cap_span cipher;          /* secret: print cipher.len only */
};

struct cap_krb_ticket {
	int present;
	int64_t tkt_vno;
	struct cap_span realm;
	struct cap_krb_principal sname;
	struct cap_krb_enc enc_part;
	struct cap_span raw;             /* the whole [APPLICATION 1] TLV */
};

struct cap_krb_ap_req {
	int present;
	int64_t pvno;
	int64_t msg_type;
	uint32_t ap_options;             /* CAP_KRB_BIT(CAP_AP_OPT_*) */
	struct cap_krb_ticket ticket;
	struct cap_krb_enc authenticator;
};

struct cap_krb_padata {
	int32_t type;                    /* cap_krb_padata_name() */
	struct cap_span value;
	int decoded;                     /* 1 if its contents went to msg->pa_* */
};

/* PA-ETYPE-INFO2 (or PA-ETYPE-INFO) entry. */
struct cap_krb_etype_info {
	int32_t etype;
	int salt_present;
	struct cap_span salt;
	int s2kparams_present;
	struct cap_span s2kparams;
	int from_info2;                  /* 1 ETYPE-INFO2, 0 ETYPE-INFO */
};

/* PA-FOR-USER (MS-SFU §2.2.1): S4U2Self. */
struct cap_krb_pa_for_user {
	int present;
	struct cap_krb_principal user_name;
	struct cap_span user_realm;
	int32_t cksum_type;
	struct cap_span auth_package;    /* "Kerberos" */
};

/* PA-FX-FAST (RFC 6113 §5.4.2): the armored request or reply.  Only the
 * framing is visible; the FAST request/reply itself is encrypted. */
struct cap_krb_fast {
	int present;
	int is_reply;                    /* KrbFastArmoredRep (KDC-REP, KRB-ERROR) */
	int armor_present;               /* request: KrbFastArmor */
	int32_t armor_type;              /* 1 = FX_FAST_ARMOR_AP_REQUEST */
	struct cap_krb_ap_req armor_ap_req; /* armor-value when armor_type 1 */
	int32_t cksum_type;              /* request: req-checksum type */
	struct cap_krb_enc enc;          /* enc-fast-req / enc-fast-rep */
};

struct cap_krb_address {
	int32_t addr_type;               /* 2 IPv4, 24 IPv6, 20 NetBIOS */
	struct cap_span address;
};

struct cap_krb_kdc_req {             /* AS-REQ / TGS-REQ */
	int present;
	int64_t pvno;
	int64_t msg_type;
	uint32_t kdc_options;            /* CAP_KRB_BIT(CAP_KDC_OPT_*) */
	struct cap_krb_principal cname;
	struct cap_span realm;
	struct cap_krb_principal sname;
	int from_present;
	int64_t from;                    /* Unix seconds (UTC) */
	struct cap_span till_str;
	int64_t till;
	int rtime_present;
	int64_t rtime;
	uint32_t nonce;
	size_t netypes, netypes_seen;
	int32_t etypes[CAP_KRB_MAX_ETYPES];
	size_t naddresses, naddresses_seen;
	struct cap_krb_address addresses[CAP_KRB_MAX_ADDRESSES];
	struct cap_krb_enc enc_authorization_data;
	size_t nadditional_tickets, nadditional_tickets_seen;
	struct cap_krb_ticket additional_tickets[CAP_KRB_MAX_ADDL_TICKETS];
};

struct cap_krb_kdc_rep {             /* AS-REP / TGS-REP */
	int present;
	int64_t pvno;
	int64_t msg_type;
	struct cap_span crealm;
	struct cap_krb_principal cname;
	struct cap_krb_ticket ticket;
	struct cap_krb_enc enc_part;
};

struct cap_krb_ap_rep {
	int present;
	int64_t pvno;
	int64_t msg_type;
	struct cap_krb_enc enc_part;
};

enum cap_krb_edata_kind {
	CAP_KRB_EDATA_NONE = 0,
	CAP_KRB_EDATA_METHOD_DATA,       /* SEQUENCE OF PA-DATA -> msg->padata */
	CAP_KRB_EDATA_KERB_ERROR_DATA,   /* MS-KILE KERB-ERROR-DATA */
	CAP_KRB_EDATA_TYPED_DATA,        /* RFC 4120 TYPED-DATA */
	CAP_KRB_EDATA_UNKNOWN
};

/* KERB-ERROR-DATA data-type values (MS-KILE §2.2.1). */
enum {
	CAP_KERB_AP_ERR_TYPE_SKEW_RECOVERY = 2,
	CAP_KERB_ERR_TYPE_EXTENDED = 3
};

struct cap_krb_error {
	int present;
	int64_t pvno;
	int64_t msg_type;
	int ctime_present;
	int64_t ctime;
	int cusec_present;
	int64_t cusec;
	struct cap_span stime_str;
	int64_t stime;                   /* Unix seconds (UTC) */
	int64_t susec;
	int32_t error_code;              /* cap_krb_error_name() */
	struct cap_span crealm;          /* p == NULL when absent */
	struct cap_krb_principal cname;
	struct cap_span realm;
	struct cap_krb_principal sname;
	int e_text_present;
	struct cap_span e_text;
	int e_data_present;
	struct cap_span e_data;
	enum cap_krb_edata_kind e_data_kind;
	/* KERB-ERROR-DATA */
	int64_t kerb_err_data_type;      /* CAP_KERB_* */
	struct cap_span kerb_err_data_value;
	/* KERB-EXT-ERROR inside it (data-type 3): NTSTATUS etc. */
	int ext_error_present;
	uint32_t ntstatus;               /* e.g. 0xC00000BB STATUS_NOT_SUPPORTED */
	uint32_t ext_reserved;
	uint32_t ext_flags;
	/* TYPED-DATA: first entry's type */
	int32_t typed_data_type;
};

struct cap_krb_cred {
	int present;
	int64_t pvno;
	int64_t msg_type;
	size_t ntickets, ntickets_seen;
	struct cap_krb_ticket tickets[CAP_KRB_MAX_CRED_TICKETS];
	struct cap_krb_enc enc_part;
};

/* One decoded Kerberos message. */
struct cap_krb_msg {
	int msg_type;                    /* CAP_KRB_* from the application tag */
	unsigned anomalies;              /* CAP_KRB_ANOM_* */
	unsigned der_cap_hit;            /* CAP_DER_HIT_*: decoding stopped at a DER cap */
	size_t wire_len;                 /* bytes of the outer TLV (declared) */

	/* PA-DATA of a KDC-REQ/KDC-REP, or KRB-ERROR METHOD-DATA. */
	size_t npadata, npadata_seen;
	struct cap_krb_padata padata[CAP_KRB_MAX_PADATA];

	/* Decoded padata contents. */
	struct cap_krb_ap_req pa_tgs_req;            /* PA-TGS-REQ (1) */
	struct cap_krb_enc pa_enc_timestamp;         /* PA-ENC-TIMESTAMP (2) */
	struct cap_krb_pa_for_user pa_for_user;      /* PA-FOR-USER (129) */
	struct cap_krb_fast pa_fx_fast;              /* PA-FX-FAST (136) */
	int pa_pac_request_present;                  /* PA-PAC-REQUEST (128) */
	int pa_pac_request;                          /* include-pac */
	int pa_pac_options_present;                  /* PA-PAC-OPTIONS (167) */
	uint32_t pa_pac_options;                     /* CAP_KRB_BIT(CAP_PAC_OPT_*) */
	int pa_supported_etypes_present;             /* PA-SUPPORTED-ENCTYPES (165) */
	uint32_t pa_supported_etypes;                /* MS-KILE 2.2.7 bit mask */
	size_t netype_info, netype_info_seen;        /* PA-ETYPE-INFO2 / INFO */
	struct cap_krb_etype_info etype_info[CAP_KRB_MAX_ETYPE_INFO];

	struct cap_krb_kdc_req req;
	struct cap_krb_kdc_rep rep;
	struct cap_krb_ap_req ap_req;
	struct cap_krb_ap_rep ap_rep;
	struct cap_krb_error err;
	struct cap_krb_cred cred;
};

/* Decodes one Kerberos message (no TCP record marker: see
 * cap_krb_tcp_record).  Returns CAP_OK, or:
 *   CAP_TRUNCATED    input ended early; *out holds what came before the cut
 *   CAP_MALFORMED    not a Kerberos message / contradicts RFC 4120
 *   CAP_UNSUPPORTED  a known type not decoded here (KRB-SAFE, KRB-PRIV),
 *                    or an indefinite BER length; out->msg_type is set
 *   CAP_LIMIT        a DER limit (tag number, INTEGER width, the default depth
 *                    and element caps of der.h) was hit
 * *out is always initialised (zeroed first). */
enum cap_status cap_krb_decode(struct cap_span in, struct cap_krb_msg *out);
/* The same, spending the DER depth and element caps of b (der.h; NULL: uncapped).
 * A cap hit returns CAP_LIMIT with out->der_cap_hit set and what decoded before it
 * kept. */
enum cap_status cap_krb_decode_capped(struct cap_span in, struct cap_krb_msg *out,
				      struct cap_der_budget *b);

/* Message type if the span starts like a Kerberos message (an
 * [APPLICATION n] constructed tag with a known n), else 0.  Cheap: reads
 * the identifier octet only; used to recognise tokens by content. */
int cap_krb_peek_type(struct cap_span in);

/* Kerberos over TCP (RFC 4120 §7.2.2): a 4-byte big-endian record length,
 * high bit reserved.  *pdu_out gets the record (the part captured: status
 * CAP_TRUNCATED if fewer than reclen bytes follow), *reclen_out the
 * declared length.  CAP_MALFORMED if the reserved bit is set. */
enum cap_status cap_krb_tcp_record(struct cap_span in, struct cap_span *pdu_out,
				   uint32_t *reclen_out);

/* Names.  All return static strings; NULL when the value is unknown
 * (except where noted). */
const char *cap_krb_msg_type_name(int msg_type);   /* "AS-REQ", "KRB-ERROR" */
const char *cap_krb_error_name(int32_t code);      /* "KDC_ERR_S_PRINCIPAL_UNKNOWN" */
const char *cap_krb_error_text(int32_t code);      /* one-line meaning */
const char *cap_krb_etype_name(int32_t etype);     /* "aes256-cts-hmac-sha1-96" */
const char *cap_krb_name_type_name(int32_t nt);    /* "NT-SRV-INST" */
const char *cap_krb_padata_name(int32_t type);     /* "PA-TGS-REQ" */
const char *cap_krb_kdc_option_name(unsigned bit); /* "forwardable"; bit 0..31 */
const char *cap_krb_ap_option_name(unsigned bit);  /* "mutual-required" */
const char *cap_krb_pac_option_name(unsigned bit); /* "resource-based-constrained-delegation" */
const char *cap_krb_anomaly_name(unsigned bit);    /* "krb_msg_type_mismatch" */
const char *cap_krb_kerb_err_data_type_name(int64_t t); /* "KERB_ERR_TYPE_EXTENDED" */
/* NTSTATUS values a Windows KDC puts in KERB-EXT-ERROR (a short list of
 * the logon/delegation ones): "STATUS_NOT_SUPPORTED". */
const char *cap_krb_ntstatus_name(uint32_t status);

/* Renders a principal's components joined by '/' into buf (always
 * NUL-terminated when len > 0; cut if too small, never mid-escape).
 * Nothing is escaped except bytes outside 0x20..0x7e, written as \xNN
 * (so a NUL inside a component cannot cut the text).  An absent principal renders
 * as "".  Returns buf. */
const char *cap_krb_principal_str(const struct cap_krb_principal *p,
				  char *buf, size_t len);

/* Same escaping for one string span (realm, e-text, salt).  Returns buf. */
const char *cap_krb_span_str(struct cap_span s, char *buf, size_t len);

#endif /* NEGSCOPE_KRB5_H */
