/* finding.h - the diagnosis catalog: stable finding ids, severities, and the
 * record one finding carries (frames, evidence, explanation, advice).
 *
 * The ids (cap_finding_slug) are a contract: tests, JSON consumers and users
 * script against them.  Append new ids; never rename or renumber.
 *
 * A struct cap_finding owns its strings; cap_finding_clear() frees them.
 */
#ifndef NEGSCOPE_FINDING_H
#define NEGSCOPE_FINDING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum cap_severity {
	CAP_SEV_INFO = 0,
	CAP_SEV_WARNING = 1,
	CAP_SEV_ERROR = 2
};
#define CAP_SEV_COUNT 3

enum cap_finding_id {
	CAP_F_KERBEROS_OK = 0,
	CAP_F_NTLM_FALLBACK,
	CAP_F_NEGOTIATE_NOT_OFFERED,
	CAP_F_KEEPALIVE_MISSING,
	CAP_F_KRB_AP_ERR_MODIFIED,
	CAP_F_SPN_UNKNOWN,
	CAP_F_SPN_DUPLICATE,
	CAP_F_CLOCK_SKEW,
	CAP_F_ETYPE_MISMATCH,
	CAP_F_DELEGATION_REFUSED,
	CAP_F_AUTH_LOOP,
	CAP_F_TOKEN_TOO_LARGE,
	CAP_F_KDC_ERROR,
	CAP_F_KDC_UNREACHABLE,
	CAP_F_CAPTURE_TRUNCATED,
	/* Beyond the table: further causes the wire shows. */
	CAP_F_KRB_AP_ERR_NOKEY,
	CAP_F_KRB_AP_ERROR,
	CAP_F_KERBEROS_REJECTED,
	CAP_F_NTLM_OK,
	CAP_F_NTLM_REJECTED,
	CAP_F_MUTUAL_AUTH_MISSING,
	CAP_F_NEGOTIATE_UNANSWERED,
	CAP_F_DELEGATION_OK,
	CAP_F_NO_DELEGATION,
	CAP_F_HTTP_NOT_VISIBLE,
	/* negprobe only (catalog rows marked probe_only): what a client sees that the wire
	 * does not show — its own credentials, TLS, GSS-API results. */
	CAP_F_NO_CREDENTIALS,
	CAP_F_MUTUAL_AUTH_FAILED,
	CAP_F_CONNECT_FAILED,
	CAP_F_TLS_ERROR,
	CAP_F_TLS_INSECURE,
	CAP_F_DELEGATION_NOT_TRUSTED,
	CAP_F_GSS_ERROR,
	CAP_F_NTLM_UNAVAILABLE,
	CAP_F_AUTH_NOT_REQUIRED,
	CAP_F_UNEXPECTED_STATUS,
	/* Issue 11: findings that judge a message by its context. */
	CAP_F_CLIENT_LOGON_FAILED,      /* an AS-REQ error: the user's own logon failed */
	CAP_F_KDC_REPLY_NOT_CAPTURED,   /* the KDC answered, but the reply's start is not in
					 * the capture */
	CAP_F_FIRST_OFFER_NOT_CAPTURED, /* the capture starts in the middle of a handshake */
	CAP_F_FAILED_AFTER_AUTH,        /* authenticated, then 403/405/5xx: not an auth failure */
	/* Issue 16: negprobe against broken servers (probe only). */
	CAP_F_RESPONSE_INCOMPLETE,      /* the connection ended (or timed out) inside a response */
	CAP_F_RESPONSE_TOO_LARGE,       /* the response head is over the client's limit */
	/* Issue 14: what the server's keys (negcap --keytab, --password-for) show. */
	CAP_F_KEYTAB_KVNO_STALE,        /* keys for the SPN, none at the ticket's kvno */
	CAP_F_KEYTAB_WRONG_KEY,         /* same kvno and etype, the integrity check fails */
	CAP_F_KEYTAB_ETYPE_MISSING,     /* keys for the SPN, none of the ticket's etype */
	CAP_F_KEYTAB_PRINCIPAL_MISSING, /* no key for the ticket's SPN */
	CAP_F_TICKET_DECRYPTED,         /* the keys decrypt the ticket: what it carried */
	CAP_F_TICKET_EXPIRED,           /* the decrypted ticket's endtime had passed */
	/* Issue 16 (negprobe): refused over HTTPS while no channel binding was sent */
	CAP_F_CHANNEL_BINDING_REQUIRED,
	/* Issue 15: negprobe --check-spn --ldap, what the directory says (probe_only). */
	CAP_F_SPN_HOLDER,               /* the account holding the SPN and its settings */
	CAP_F_SPN_ON_WRONG_ACCOUNT,     /* the SPN is on X, the site's keytab holds Y's keys */
	CAP_F_DELEGATION_NOT_CONFIGURED,/* the SPN's account may not delegate to the back end */
	CAP_F_KEYTAB_KVNO_MISMATCH,     /* the site's keytab kvno is not the account's */
	CAP_F_LDAP_FAILED,              /* the directory could not be read */
	/* Issue 13: HTTPS. */
	CAP_F_CHANNEL_BINDING_MISSING,  /* NTLM over TLS without MsvAvChannelBindings */
	CAP_F_CHANNEL_BINDING_MISMATCH, /* bound to another certificate than the server's */
	CAP_F_HTTP2_AUTH,               /* Negotiate or NTLM credentials sent over HTTP/2 */
	CAP_F_NEGOTIATE_NOT_ALLOWED,    /* negprobe --browser: the host is outside the allowlist */
	CAP_F_HTTP2_DOWNGRADE,          /* HTTP_1_1_REQUIRED, then the request on HTTP/1.1 */
	/* Issue 16 (negprobe): refused over HTTPS although a channel binding was sent */
	CAP_F_CHANNEL_BINDING_REFUSED,
	CAP_F_COUNT
};

#define CAP_CATALOG_ADVICE_MAX 6

/* One row of the catalog: the single table of ids, severities and advice that negcap
 * and negprobe both report from. */
struct cap_finding_info {
	enum cap_finding_id id;
	const char *slug;        /* stable id, e.g. "spn-unknown" */
	enum cap_severity severity; /* default severity */
	const char *title;       /* a few words */
	const char *explanation; /* one sentence: what the wire shows and why it matters */
	/* for a Windows administrator; NULL-terminated */
	const char *advice[CAP_CATALOG_ADVICE_MAX];
	bool probe_only;         /* only negprobe emits it (never seen on the wire by negcap) */
};

const struct cap_finding_info *cap_finding_info(enum cap_finding_id id);
/* Looks a slug up; returns 0 and sets *id_out, or -1 when unknown. */
int cap_finding_from_slug(const char *slug, enum cap_finding_id *id_out);
const char *cap_finding_slug(enum cap_finding_id id);
const char *cap_severity_name(enum cap_severity s);
/* The finding a Kerberos error code (RFC 4120 §7.5.9) names, for negcap's rules and
 * negprobe alike: `from_kdc` when a KDC sent it (else a web server's token),
 * `delegation` when it answers a request that asked to delegate.  CAP_F_COUNT when the
 * code has no finding of its own (the caller then uses kdc-error or krb-ap-error). */
enum cap_finding_id cap_finding_for_krb_error(int code, bool from_kdc, bool delegation);

/* Evidence: named values the rule saw on the wire.  Keys are JSON field names
 * (snake_case) and are part of the contract (see negcap-contract.md). */
#define CAP_EVIDENCE_MAX 24
#define CAP_FINDING_MAX_FRAMES 32
#define CAP_FINDING_MAX_ADVICE 8
#define CAP_EVIDENCE_STR_MAX 512 /* longer values are cut (e.g. header values) */

struct cap_evidence {
	const char *key;  /* static string */
	bool is_num;
	int64_t num;
	char *str;        /* owned, NUL-terminated; NULL for numbers */
};

/* Which sentence the report writes for one instance of a finding (report/finding_words.c
 * renders it from the finding's evidence and struct cap_finding_words).  Values are
 * grouped by finding id; append, never reuse. */
enum cap_detail_kind {
	CAP_D_NONE = 0,
	CAP_D_KEEPALIVE_AFTER_CHALLENGE,      /* stream, closed_by; w.frame: the 401 */
	CAP_D_KEEPALIVE_AFTER_NTLM_CHALLENGE, /* as above, the 401 carried an NTLM CHALLENGE */
	CAP_D_KEEPALIVE_NEW_CONNECTION,       /* stream, next_stream */
	CAP_D_FALLBACK_AFTER_KDC_ERROR,       /* kdc_error_code; w.frame; w.name[0]: sname */
	CAP_D_FALLBACK_KDC_UNREACHABLE,
	CAP_D_FALLBACK_NTLM_IN_NEGOTIATE,     /* wrapping, ntlm_message */
	CAP_D_FALLBACK_NTLM_SCHEME,
	CAP_D_TOKEN_HEADER_SIZE,              /* header_bytes; w.num[0]: the HTTP.sys limit */
	CAP_D_TOKEN_HEADER_REFUSED,           /* header_bytes; w.name[0]: reason phrase */
	CAP_D_AP_ERROR_FOR_TICKET,            /* error_*; w.name: sname, realm;
					       * w.num: kvno, etype */
	CAP_D_AP_ERROR_TOKEN,                 /* error_code, error_name */
	CAP_D_NEGOTIATE_NOT_OFFERED,          /* status, offered; w.frame */
	CAP_D_NO_SCHEME_OFFERED,              /* status; w.frame: a 401 with no challenge */
	CAP_D_FIRST_OFFER_NOT_CAPTURED,       /* scheme; w.frame */
	CAP_D_KERBEROS_REJECTED,              /* w.name[0]: sname; w.frame: AP-REQ;
					       * w.num[0]: status */
	CAP_D_FAILED_AFTER_AUTH,              /* scheme, status; w.name: method, target, reason */
	CAP_D_AUTH_LOOP,                      /* rejections */
	CAP_D_HTTP_NOT_VISIBLE,               /* spn; w.frame; TLS: sni, tls_connections,
					       * tls_version, tls_keys, cert_subject, cert_sans;
					       * w.num[0]: the ClientHello frame */
	CAP_D_CHANNEL_BINDING_MISSING,        /* binding ("absent"/"zero"), sni */
	CAP_D_CHANNEL_BINDING_MISMATCH,       /* sni, tls_version */
	CAP_D_HTTP2_AUTH,                     /* scheme, h2_stream; w.frame: the request */
	CAP_D_HTTP2_DOWNGRADE,                /* refused_frame, h2_stream, retry_frame */
	CAP_D_CLIENT_LOGON_FAILED,            /* user, realm, error_*, logon_failure */
	CAP_D_KDC_ANSWERED,                   /* error_*; w.name: request type (or none), sname */
	CAP_D_KDC_UNREACHABLE,                /* kdc, transport, answer */
	CAP_D_KDC_REPLY_NOT_CAPTURED,         /* kdc, request; w.frame: the request */
	/* negprobe's judges (w.num[0]: enum cap_probe_stage where a GSS call failed) */
	CAP_D_PROBE_SPN_UNKNOWN,              /* spn */
	CAP_D_PROBE_KRB_ERROR,                /* error_code, error_name, gss_message */
	CAP_D_PROBE_GSS_ERROR,                /* gss_message */
	CAP_D_PROBE_KERBEROS_ALONE,           /* gss_message */
	CAP_D_PROBE_NO_CREDENTIALS,           /* gss_message; w.num[0]: enum cap_auth_scheme */
	CAP_D_PROBE_TLS_FAILED,               /* host, port, tls_failure, curl_error */
	CAP_D_PROBE_CONNECT_FAILED,           /* host, port, curl_error */
	CAP_D_PROBE_TOKEN_OVER_CAP,           /* w.num: scheme, base64 chars, the cap */
	CAP_D_PROBE_TOKEN_NOT_BASE64,         /* w.num[0]: scheme */
	CAP_D_PROBE_NTLM_MISSING,             /* w.num[0]: enum cap_auth_scheme */
	CAP_D_PROBE_MUTUAL_FAILED,            /* gss_message */
	CAP_D_PROBE_LEGS_EXHAUSTED,           /* w.num[0]: --max-legs */
	CAP_D_PROBE_NOT_OK_AS_DELEGATE,       /* spn */
	CAP_D_PROBE_NOT_DELEGATED,            /* w.num[0]: 1 when the mechanism was NTLM */
	CAP_D_PROBE_UNEXPECTED_STATUS,        /* status */
	CAP_D_PROBE_CUT_HEAD,                 /* bytes_received, curl_error */
	CAP_D_PROBE_CUT_BODY,                 /* status, bytes_received, curl_error */
	CAP_D_PROBE_SLOW_RESPONSE,            /* bytes_received, curl_error */
	CAP_D_PROBE_HEAD_TOO_LARGE,           /* bytes_received; w.num[0]: the limit */
	CAP_D_PROBE_NOT_ALLOWED,              /* browser, policy, allowlist, host */
	/* Issue 14 (the server's keys); w.name[0]: the SPN, w.num[0]: the ticket's kvno,
	 * w.num[1]: its etype. */
	CAP_D_KEYS_SERVER_REJECTED,           /* the server refused the ticket too */
	CAP_D_KEYS_SERVER_ACCEPTED,           /* the server accepted it: not its keys */
	CAP_D_KEYS_KDC_TICKET,                /* a ticket in a TGS-REP */
	CAP_D_KEYS_ANSWER_UNSEEN,             /* no answer of the server seen (or negprobe) */
	CAP_D_TICKET_CONTENTS,                /* ticket-decrypted, ticket-expired: cname,
					       * flags, times, pac_*, gss_flags */
	/* --check-spn --ldap (issue 15) */
	CAP_D_PROBE_DIR_DUPLICATE,            /* spn, accounts, holders */
	CAP_D_PROBE_DIR_HOLDER,               /* spn, account, user_account_control, ... */
	CAP_D_PROBE_DIR_WRONG_ACCOUNT,        /* spn, account, keytab, keytab_accounts */
	CAP_D_PROBE_DIR_DELEGATION,           /* spn, account, backend_spn, allowed_to_... */
	CAP_D_PROBE_DIR_KVNO,                 /* spn, account, kvno, keytab, keytab_kvno */
	CAP_D_PROBE_DIR_FAILED,               /* ldap_uri, ldap_step, ldap_error */
	CAP_D_PROBE_CHANNEL_BINDING_REFUSED   /* refused_by, certificate_subject,
					       * certificate_sha256 */
};

/* Instance advice lines, a bit each, rendered in this order before the catalog's. */
enum cap_advice_kind {
	CAP_A_SETSPN_Q_ACCOUNT = 1u << 0,   /* w.name[0]: the SPN */
	CAP_A_BADKEYVER = 1u << 1,          /* w.num[0]: the ticket's kvno */
	CAP_A_SETSPN_Q_POOL = 1u << 2,      /* w.name[0]: the SPN */
	CAP_A_AFTER_AUTH = 1u << 3,         /* status; w.name[0]: method */
	CAP_A_KDC_ERROR_CODE = 1u << 4,     /* error_code */
	CAP_A_MODIFIED_FROM_KDC = 1u << 5,
	/* An unknown SPN (spn.c): w.name[CAP_WN_SPN...]; w.num[CAP_WV_PORT...] */
	CAP_A_SPN_REGISTER_SERVICE = 1u << 6, /* not HTTP: the service's account */
	CAP_A_SPN_WITH_PORT = 1u << 7,        /* HTTP, the client asked with a port */
	CAP_A_SPN_SITE_PORT = 1u << 8,        /* HTTP, the site listens on another port */
	CAP_A_SPN_REGISTER_SITE = 1u << 9,    /* HTTP: the site's account */
	CAP_A_SPN_WHO_HOLDS = 1u << 10,
	CAP_A_SPN_CNAME = 1u << 11,           /* the URL host is an alias */
	CAP_A_SPN_CHECK_FORMS = 1u << 12,      /* negprobe: w.name[0]: the URL */
	CAP_A_SPN_REGISTERED_FORMS = 1u << 13, /* registered_forms (negprobe) */
	CAP_A_KEYS_ROOT_CAUSE = 1u << 14,     /* key_verdict: what the server's keys show */
	CAP_A_TOKEN_GROUPS = 1u << 15,        /* pac_groups, pac_extra_sids */
	/* --check-spn --ldap: the exact setspn / PowerShell / ADUC steps, from the evidence */
	CAP_A_DIR_DUPLICATE = 1u << 16,        /* spn, accounts */
	CAP_A_DIR_WRONG_ACCOUNT = 1u << 17,    /* spn, account, keytab_accounts */
	CAP_A_DIR_DELEGATION = 1u << 18,       /* account, backend_spn, account_is_computer */
	CAP_A_DIR_KVNO = 1u << 19,             /* spn, account, realm */
	CAP_A_TLS_KEYLOG = 1u << 20,          /* how to get a TLS key log */
	CAP_A_LAST = CAP_A_TLS_KEYLOG
};

/* A symptom folded into its root cause: a line joins the root's detail. */
enum cap_fold_kind {
	CAP_FOLD_NTLM_AUTH_ON_CLOSED = 1,   /* status, frame: the 401 to the AUTHENTICATE */
	CAP_FOLD_PROBE_CALL_AFTER_LOGON,    /* status: enum cap_probe_stage of a GSS call that
					     * failed for want of the refused TGT */
	CAP_FOLD_PROBE_NO_CREDENTIAL_LEFT   /* no credential was left to answer a challenge */
};

/* Name and number slots: 0..2 for the detail; the SPN advice has its own. */
enum {
	CAP_WN_SPN = 3, CAP_WN_SERVICE, CAP_WN_HOST, CAP_WN_SHORTNAME, CAP_WN_URL_HOST,
	CAP_WORDS_NAMES
};
enum { CAP_WV_PORT = 2, CAP_WV_SITE_PORT, CAP_WORDS_NUMS };
#define CAP_WORDS_FOLDS 4

/* Typed values a finding's sentences name beyond its evidence (frames, numbers and
 * names copied from the facts).  No text is formatted here. */
struct cap_finding_words {
	enum cap_detail_kind detail;
	unsigned advice;                   /* enum cap_advice_kind bits */
	uint64_t frame;
	int64_t num[CAP_WORDS_NUMS];
	char *name[CAP_WORDS_NAMES];       /* owned, or NULL */
	struct {
		enum cap_fold_kind kind;
		int status;
		uint64_t frame;
	} fold[CAP_WORDS_FOLDS];
	size_t nfolds;
	bool on_wire;                      /* negprobe: seen in its own capture */
};

struct cap_finding {
	enum cap_finding_id id;
	enum cap_severity severity;
	unsigned conversation;     /* 1-based conversation number, 0 = none */
	uint64_t frames[CAP_FINDING_MAX_FRAMES]; /* ascending, distinct */
	size_t nframes;
	uint64_t count;            /* occurrences merged into this finding */
	struct cap_evidence ev[CAP_EVIDENCE_MAX];
	size_t nev;
	/* advice lines a caller outside the engine adds (negprobe's TLS advice), before
	 * the catalog's; the judges' own are typed in w (report/finding_words.c words them) */
	char *advice[CAP_FINDING_MAX_ADVICE];
	size_t nadvice;
	char *key;                 /* dedupe key within its id (owned) */
	struct cap_finding_words w; /* what the detail and advice sentences need */
};

void cap_finding_init(struct cap_finding *f, enum cap_finding_id id);
void cap_finding_clear(struct cap_finding *f);
/* Moves src into dst (dst must be cleared or fresh); src is left empty. */
void cap_finding_move(struct cap_finding *dst, struct cap_finding *src);
/* Adds a frame (kept sorted, duplicates ignored, cap silently). */
void cap_finding_add_frame(struct cap_finding *f, uint64_t frame);
/* Evidence setters: a key set twice keeps the first value.  Return 0, or -1
 * when the evidence list is full or memory ran out. */
int cap_finding_set_str(struct cap_finding *f, const char *key, const char *val);
int cap_finding_set_num(struct cap_finding *f, const char *key, int64_t val);
int cap_finding_add_advice(struct cap_finding *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Sets words name i (cut like evidence); 0, or -1 when memory ran out. */
int cap_finding_words_name(struct cap_finding *f, size_t i, const char *val);
/* Copies src's words into dst (whose own are cleared first); 0, or -1 on no memory. */
int cap_finding_copy_words(struct cap_finding *dst, const struct cap_finding *src);
/* Folds a symptom into f (identical folds once; cap silently). */
void cap_finding_add_fold(struct cap_finding *f, enum cap_fold_kind kind, int status,
			  uint64_t frame);
int cap_finding_set_key(struct cap_finding *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
const struct cap_evidence *cap_finding_get(const struct cap_finding *f, const char *key);
/* The string form of an evidence value ("" when absent); numbers via buf. */
const char *cap_finding_get_str(const struct cap_finding *f, const char *key);

#endif /* NEGSCOPE_FINDING_H */
