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
	CAP_F_KDC_REPLY_NOT_CAPTURED,   /* the KDC answered, but the reply's start is not in the capture */
	CAP_F_FIRST_OFFER_NOT_CAPTURED, /* the capture starts in the middle of a handshake */
	CAP_F_FAILED_AFTER_AUTH,        /* authenticated, then 403/405/5xx: not an auth failure */
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
	const char *advice[CAP_CATALOG_ADVICE_MAX]; /* for a Windows administrator; NULL-terminated */
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
#define CAP_EVIDENCE_MAX 16
#define CAP_FINDING_MAX_FRAMES 32
#define CAP_FINDING_MAX_ADVICE 8
#define CAP_EVIDENCE_STR_MAX 512 /* longer values are cut (e.g. header values) */

struct cap_evidence {
	const char *key;  /* static string */
	bool is_num;
	int64_t num;
	char *str;        /* owned, NUL-terminated; NULL for numbers */
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
	char *detail;              /* one specific sentence for this instance (owned), or NULL */
	char *advice[CAP_FINDING_MAX_ADVICE]; /* instance-specific advice (owned), before the catalog's */
	size_t nadvice;
	char *key;                 /* dedupe key within its id (owned) */
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
int cap_finding_set_detail(struct cap_finding *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int cap_finding_add_advice(struct cap_finding *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int cap_finding_set_key(struct cap_finding *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The i-th line of advice to print for f: its instance-specific lines first, then the
 * catalog's; NULL after the last.  Every reporter of both programs lists advice so. */
const char *cap_finding_advice_line(const struct cap_finding *f, size_t i);
const struct cap_evidence *cap_finding_get(const struct cap_finding *f, const char *key);
/* The string form of an evidence value ("" when absent); numbers via buf. */
const char *cap_finding_get_str(const struct cap_finding *f, const char *key);

#endif /* NEGSCOPE_FINDING_H */
