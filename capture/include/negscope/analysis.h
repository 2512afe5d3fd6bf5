/* analysis.h - negcap's diagnosis: decoded facts in, conversations and findings out.
 *
 * Three steps, three modules:
 *   1. facts   (findings/facts.c)  pipeline events -> decoded facts, with the decoders;
 *   2. engine  (findings/engine.c) observes: groups facts into authentication
 *              conversations (a client, a server host:port, that client's KDC traffic,
 *              the legs of the handshake across TCP connections) and keeps their state
 *              (one handshake state per connection and conversation; KDC requests paired
 *              with their replies); it decides nothing;
 *   3. judges  (findings/rules_*.c, run by findings/judges.c) read that state and emit
 *              findings, never over bytes.
 * Reporters (report/) only format what this layer holds.
 *
 * Facts are plain values (fixed-size text fields, cut when longer) so that rules can be
 * unit-tested by building facts by hand.  Memory is bounded by struct
 * cap_analysis_limits; hitting a cap is counted in struct cap_analysis_stats.
 */
#ifndef NEGSCOPE_ANALYSIS_H
#define NEGSCOPE_ANALYSIS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "negscope/finding.h"
#include "negscope/krb5.h"
#include "negscope/pipeline.h"

#define CAP_FACT_NAME_MAX 256  /* principals, host names */
#define CAP_FACT_REALM_MAX 128
#define CAP_FACT_TEXT_MAX 256  /* classification lines, header summaries */

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
const char *cap_auth_scheme_name(enum cap_auth_scheme s);

/* What a decoded auth token holds, reduced to what the rules need. */
enum cap_token_kind {
	CAP_TOKEN_NONE = 0,    /* the scheme without a token */
	CAP_TOKEN_KRB_AP_REQ,  /* Kerberos AP-REQ (SPNEGO init or bare GSS krb5) */
	CAP_TOKEN_KRB_AP_REP,  /* mutual authentication reply */
	CAP_TOKEN_KRB_ERROR,   /* the acceptor's KRB-ERROR (usually in a SPNEGO reject) */
	CAP_TOKEN_NTLM,        /* NTLMSSP, raw or inside SPNEGO; ntlm_type says which */
	CAP_TOKEN_SPNEGO,      /* SPNEGO with no inner token (e.g. negState only) */
	CAP_TOKEN_OTHER,       /* decoded but none of the above (Basic, NEGOEX, ...) */
	CAP_TOKEN_UNDECODABLE  /* the token did not decode; `error` says why */
};
const char *cap_token_kind_name(enum cap_token_kind k);

/* Caps on decoding one HTTP message's auth headers or one Kerberos message; 0 fields
 * mean the defaults. */
struct cap_decode_limits {
	size_t max_token;       /* decoded bytes of one token; 64 KiB (CAP_TOKEN_MAX_BYTES),
				 * at most CAP_TOKEN_MAX_BYTES_LIMIT */
	size_t max_challenges;  /* challenges kept per message; 16, at most 64 */
	size_t max_der_depth;   /* DER nesting levels; 32 */
	size_t max_der_elems;   /* DER elements read per token or message; 4096 */
};

/* Which decode cap stopped a fact's decoding (caps_hit bits). */
#define CAP_FACT_HIT_TOKEN 1u       /* token over max_token bytes: not decoded */
#define CAP_FACT_HIT_CHALLENGES 2u  /* challenges beyond max_challenges dropped */
#define CAP_FACT_HIT_DER_DEPTH 4u   /* decoding stopped at max_der_depth */
#define CAP_FACT_HIT_DER_ELEMS 8u   /* decoding stopped at max_der_elems */

struct cap_auth_fact {
	enum cap_auth_scheme scheme;
	unsigned caps_hit;       /* CAP_FACT_HIT_* */
	bool proxy;              /* Proxy-Authorization / Proxy-Authenticate */
	size_t value_len;        /* bytes of the whole header value */
	enum cap_token_kind kind;
	bool spnego;             /* wrapped in SPNEGO */
	int neg_state;           /* SPNEGO negState, -1 when absent */
	int ntlm_type;           /* 1 NEGOTIATE, 2 CHALLENGE, 3 AUTHENTICATE, else 0 */
	char sname[CAP_FACT_NAME_MAX];  /* AP-REQ: the ticket's service name */
	char realm[CAP_FACT_REALM_MAX]; /* AP-REQ: the ticket's realm */
	int kvno;                /* AP-REQ ticket enc-part kvno, -1 when absent */
	int etype;               /* AP-REQ ticket enc-part etype, -1 when absent */
	bool mutual_required;    /* AP-REQ ap-options mutual-required */
	bool deleg_requested;    /* SPNEGO reqFlags delegFlag */
	int error_code;          /* KRB-ERROR code, -1 when none */
	char error_name[64];
	char user[CAP_FACT_NAME_MAX]; /* NTLM AUTHENTICATE domain\user (never a secret) */
	char summary[CAP_FACT_TEXT_MAX]; /* one-line classification */
	char error[128];         /* decode error, when kind == UNDECODABLE */
};

struct cap_http_fact {
	uint64_t frame, first_frame;
	double ts;
	uint32_t stream;
	struct cap_endpoint client, server;
	bool is_request;
	int version_minor;
	char method[16];
	char target[CAP_FACT_TEXT_MAX];
	char host[CAP_FACT_NAME_MAX];  /* Host header, "" when absent */
	int status;
	char reason[64];
	enum cap_http_close close;     /* from the pipeline */
	uint64_t header_bytes;
	uint32_t anomalies;            /* CAP_HTTP_ANOM_* */
	/* Responses: schemes offered in WWW-Authenticate / Proxy-Authenticate. */
	uint32_t offered;              /* CAP_AUTH_BIT(scheme) */
	char challenges[CAP_FACT_TEXT_MAX]; /* the challenge values, tokens shortened */
	char persistent_auth[16];
	/* The Authorization header (requests) or the challenge carrying a token (responses;
	 * Negotiate preferred).  has_auth is false when there is none. */
	bool has_auth;
	struct cap_auth_fact auth;
	unsigned nauth;                /* auth headers/challenges seen in total */
	unsigned caps_hit;             /* CAP_FACT_HIT_CHALLENGES (the token's are in auth) */
};

/* Kerberos message types: CAP_KRB_AS_REQ ... CAP_KRB_ERROR from krb5.h. */
const char *cap_krb_msg_name(int msg_type); /* "AS-REQ", ..., "KRB-ERROR", "?" */

struct cap_krb_fact {
	uint64_t frame;
	double ts;
	enum cap_transport transport;
	uint32_t stream;
	struct cap_endpoint client, server;  /* server = the KDC (port 88) */
	bool from_server;
	bool decoded;                  /* false: `error` says why; msg_type may still be set */
	unsigned caps_hit;             /* CAP_FACT_HIT_DER_* */
	char error[128];
	int msg_type;                  /* CAP_KRB_*, 0 when unknown */
	/* sname/realm: the request body's in a request, the ticket's in a reply, the
	 * error's own in a KRB-ERROR.  Principals are components joined by '/'. */
	char realm[CAP_FACT_REALM_MAX];
	char sname[CAP_FACT_NAME_MAX];
	char cname[CAP_FACT_NAME_MAX];
	char crealm[CAP_FACT_REALM_MAX];
	/* The principals' name-types (RFC 4120 §6.2; 0 NT-UNKNOWN also when absent) and
	 * sname's component count (0 when absent): a service principal is NT-SRV-INST,
	 * NT-SRV-HST or has two components; a user name can stand in an sname too. */
	int sname_type;
	unsigned sname_ncomp;
	int cname_type;
	bool opt_enc_tkt_in_skey;      /* User-to-User (RFC 4120 §2.9.2): sname names a user */
	int error_code;                /* -1 when not an error */
	char error_name[64];
	char e_text[128];
	bool has_stime;
	int64_t stime;                 /* KRB-ERROR stime, seconds since the epoch */
	bool has_ctime;
	int64_t ctime;                 /* KRB-ERROR ctime: the client's time, when echoed */
	bool has_nt_status;
	uint32_t nt_status;            /* KERB-EXT-ERROR NTSTATUS in e-data */
	/* Requests: KDC options and S4U/delegation markers. */
	bool opt_forwarded;
	bool opt_forwardable;
	bool opt_cname_in_addl_tkt;    /* S4U2Proxy (constrained delegation) */
	bool has_pa_for_user;          /* S4U2Self */
	unsigned n_additional_tickets;
	/* Replies: the ticket's enc-part. */
	int ticket_kvno;               /* -1 when absent */
	int ticket_etype;              /* -1 when absent */
};

/* Bounds on what the analysis keeps; 0 means the default. */
struct cap_analysis_limits {
	size_t max_conversations;  /* default 65536 */
	size_t max_streams;        /* HTTP/KDC stream states; default 65536, oldest evicted */
	size_t max_steps;          /* ladder lines kept over all conversations; default 65536 */
	size_t max_steps_per_conv; /* default 200 */
	size_t max_findings;       /* distinct findings; default 10000 */
	struct cap_decode_limits decode;
};

struct cap_analysis_stats {
	uint64_t http_messages, krb_messages;
	uint64_t conversations, conversations_dropped;
	uint64_t steps_dropped, streams_evicted, findings_dropped;
	uint64_t token_decode_errors, krb_decode_errors;
	/* Each decode cap's hits (negcap's summary "caps"). */
	uint64_t token_cap_hits, challenges_cap_hits, der_depth_cap_hits, der_elems_cap_hits;
	uint64_t findings_by_severity[CAP_SEV_COUNT];
};

/* One line of a conversation's ladder: one message. */
enum cap_step_dir {
	CAP_STEP_TO_SERVER,   /* client -> web server */
	CAP_STEP_FROM_SERVER, /* client <- web server */
	CAP_STEP_TO_KDC,      /* client -> KDC */
	CAP_STEP_FROM_KDC,    /* client <- KDC */
	CAP_STEP_NOTE         /* connection events (close, reset, unreachable) */
};

struct cap_step {
	uint64_t frame;
	enum cap_step_dir dir;
	uint32_t stream;
	int status;            /* HTTP status of a response, else 0 */
	bool bad;              /* an error outcome (401 with error token, KRB-ERROR, ...) */
	char text[200];
};

struct cap_conversation {
	unsigned id;                   /* 1-based, in order of creation */
	struct cap_endpoint client;    /* port 0: a conversation spans client ports */
	struct cap_endpoint server;    /* web server host:port, or the KDC for KDC-only ones */
	bool kdc_only;                 /* KDC traffic not tied to any HTTP conversation */
	char host[CAP_FACT_NAME_MAX];  /* Host header of the first request seen */
	uint64_t first_frame, last_frame;
	double last_ts;
	unsigned nstreams;             /* distinct TCP connections used */
	struct cap_step *steps;
	size_t nsteps, steps_cap;
	uint64_t steps_dropped;
};

struct cap_analysis;

/* Called as facts are decoded (negcap --json --events). */
struct cap_analysis_hooks {
	void *ctx;
	void (*http)(void *ctx, const struct cap_http_fact *f);
	void (*krb)(void *ctx, const struct cap_krb_fact *f);
};

struct cap_analysis *cap_analysis_new(const struct cap_analysis_limits *lim);
void cap_analysis_free(struct cap_analysis *a);
void cap_analysis_set_hooks(struct cap_analysis *a, const struct cap_analysis_hooks *h);
/* The decode caps the sink applies (as given to cap_analysis_new). */
const struct cap_decode_limits *cap_analysis_decode_limits(const struct cap_analysis *a);

/* A sink that decodes pipeline events into facts and feeds them in. */
void cap_analysis_sink(struct cap_analysis *a, struct cap_sink *out);

/* Facts in (the sink calls these; unit tests call them directly). */
void cap_analysis_http(struct cap_analysis *a, const struct cap_http_fact *f);
void cap_analysis_krb(struct cap_analysis *a, const struct cap_krb_fact *f);
void cap_analysis_conn(struct cap_analysis *a, const struct cap_conn_event *e);
void cap_analysis_icmp(struct cap_analysis *a, const struct cap_icmp_unreach *u);
/* The input ended mid-packet (frame = the last complete frame), or the snap length cut
 * headers: reported as capture-truncated with `why` as its detail. */
void cap_analysis_truncated(struct cap_analysis *a, uint64_t frame, const char *why);

/* End of input: runs the end-of-capture rules and sorts the findings (most severe
 * first, then by first frame).  `st` may be NULL. */
void cap_analysis_finish(struct cap_analysis *a, const struct cap_pipeline_stats *st);

size_t cap_analysis_nfindings(const struct cap_analysis *a);
const struct cap_finding *cap_analysis_finding(const struct cap_analysis *a, size_t i);
size_t cap_analysis_nconversations(const struct cap_analysis *a);
const struct cap_conversation *cap_analysis_conversation(const struct cap_analysis *a, size_t i);
const struct cap_analysis_stats *cap_analysis_stats(const struct cap_analysis *a);
/* Highest severity among the findings, or -1 when there are none. */
int cap_analysis_max_severity(const struct cap_analysis *a);

/* The decoding step (findings/facts.c).  Fill a fact from a pipeline event; the fact
 * holds copies, so it outlives the event. */
void cap_facts_http(const struct cap_http_msg *m, const struct cap_decode_limits *lim,
		    struct cap_http_fact *out);
void cap_facts_krb(const struct cap_krb_pdu *k, const struct cap_decode_limits *lim,
		   struct cap_krb_fact *out);
/* Decodes one auth header value ("Negotiate YII...") into *out.  lim NULL: defaults. */
void cap_facts_auth(struct cap_span value, bool proxy, const struct cap_decode_limits *lim,
		    struct cap_auth_fact *out);
/* Empty facts (all optional numbers -1). */
void cap_http_fact_init(struct cap_http_fact *f);
void cap_krb_fact_init(struct cap_krb_fact *f);
void cap_auth_fact_init(struct cap_auth_fact *f);

#endif /* NEGSCOPE_ANALYSIS_H */
