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
 * Facts and ladder steps are typed records (enums, numbers, and names copied from the
 * wire, cut when longer) with no English in them: sentences are written by report/ only.
 * Plain values, so that rules can be unit-tested by building facts by hand.  Memory is
 * bounded by struct cap_analysis_limits; hitting a cap is counted in struct
 * cap_analysis_stats.
 */
#ifndef NEGSCOPE_ANALYSIS_H
#define NEGSCOPE_ANALYSIS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "negscope/authhdr.h"
#include "negscope/finding.h"
#include "negscope/krb5.h"
#include "negscope/krbkeys.h"
#include "negscope/pipeline.h"
#include "negscope/token.h"

#define CAP_FACT_NAME_MAX 256  /* principals, host names */
#define CAP_FACT_REALM_MAX 128
#define CAP_FACT_TEXT_MAX 256  /* request targets */
#define CAP_FACT_CHALLENGES_MAX 8 /* challenges a response fact lists */

/* enum cap_auth_scheme, CAP_AUTH_BIT() and cap_auth_scheme_name(): negscope/authhdr.h */

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
	/* The server's keys (negcap --keytab, --password-for), tried on every ticket;
	 * NULL: none.  Not a cap: it rides with the decode settings to the decoders. */
	struct cap_krb_keyset *keys;
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
	bool spnego_init;        /* SPNEGO NegTokenInit(2) (else a NegTokenResp) */
	enum cap_token_wrap wrap;  /* raw, GSS, SPNEGO, Basic */
	enum cap_token_mech mech;  /* what authenticates, as far as the token tells */
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
	char user[CAP_FACT_NAME_MAX]; /* NTLM AUTHENTICATE domain\user, Basic user (never a
				       * secret) */
	char ntlm_target[CAP_FACT_REALM_MAX]; /* NTLM CHALLENGE target name */
	/* NTLM AUTHENTICATE: NTLMv2, and its MsvAvChannelBindings (MS-NLMP 2.2.2.1). */
	bool ntlm_v2;
	bool ntlm_cb_present;    /* the pair is there (zero or not) */
	bool ntlm_cb_zero;       /* all zero: the client bound to no channel */
	uint8_t ntlm_cb[16];
	char error[128];         /* the decoder's message, when kind == UNDECODABLE */
	/* With server keys: what they showed about an AP-REQ's ticket and authenticator,
	 * and whether an AP-REP verified (enum cap_krb_aprep_verdict). */
	struct cap_krb_ticket_view ticket;
	int ap_rep;
};

struct cap_http_fact {
	uint64_t frame, first_frame;
	double ts;
	uint32_t stream;
	struct cap_endpoint client, server;
	bool is_request;
	int version_minor;
	bool http2;            /* an HTTP/2 header block (RFC 9113); version_minor unused */
	uint32_t h2_stream_id; /* HTTP/2: its stream */
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
	struct cap_challenge_fact {
		enum cap_auth_scheme scheme;
		char name[24];          /* the scheme as written (CAP_AUTH_OTHER's name) */
		bool has_token;
		uint32_t token_chars;   /* token68 length */
		unsigned nparams;
		char param[24];         /* the first auth-param's name and value */
		char value[48];
	} challenge[CAP_FACT_CHALLENGES_MAX];
	unsigned nchallenges;          /* listed (the first CAP_FACT_CHALLENGES_MAX) */
	char persistent_auth[16];
	/* The Authorization header (requests) or the challenge carrying a token (responses;
	 * Negotiate preferred).  has_auth is false when there is none. */
	bool has_auth;
	struct cap_auth_fact auth;
	unsigned nauth;                /* auth headers/challenges seen in total */
	unsigned caps_hit;             /* CAP_FACT_HIT_CHALLENGES (the token's are in auth) */
	/* Inside TLS (decrypted with a key log); tls is false in the clear. */
	bool tls;
	uint16_t tls_version, tls_cipher;
	char tls_sni[CAP_TLS_SNI_MAX];
	char tls_alpn[CAP_TLS_ALPN_MAX];
	/* The server certificate's channel binding as an NTLMv2 client sends it (MD5 of the
	 * gss_channel_bindings_struct over tls-server-end-point, RFC 5929 / MS-NLMP 3.1.5.1.2);
	 * tls_cb_known false when the certificate was not seen. */
	bool tls_cb_known;
	uint8_t tls_cb[16];
	char tls_cert_subject[128];   /* that certificate's subject, cut */
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
	bool decoded;                  /* false: decode_status and caps_hit say why; msg_type
					* may still be set */
	unsigned caps_hit;             /* CAP_FACT_HIT_DER_* */
	enum cap_status decode_status; /* the decoder's status */
	size_t bytes;                  /* length of the message */
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
	/* With server keys: what they showed about a TGS-REP's ticket. */
	struct cap_krb_ticket_view ticket;
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

/* One line of a conversation's ladder: one message or connection event, typed.
 * report/ renders it (cap_report_step_text, and the JSON conversation record). */
enum cap_step_dir {
	CAP_STEP_TO_SERVER,   /* client -> web server */
	CAP_STEP_FROM_SERVER, /* client <- web server */
	CAP_STEP_TO_KDC,      /* client -> KDC */
	CAP_STEP_FROM_KDC,    /* client <- KDC */
	CAP_STEP_NOTE         /* connection events (close, reset, unreachable) */
};

enum cap_step_kind {
	CAP_STEP_HTTP_REQUEST,
	CAP_STEP_HTTP_RESPONSE,
	CAP_STEP_KDC_REQUEST,     /* AS-REQ, TGS-REQ (or another message to the KDC) */
	CAP_STEP_KDC_REPLY,       /* AS-REP, TGS-REP */
	CAP_STEP_KRB_ERROR,       /* a KDC's KRB-ERROR */
	CAP_STEP_CONN_CLOSE,      /* the web server closed or reset the connection */
	CAP_STEP_KDC_UNREACHABLE, /* the KDC answered with an ICMP error or a reset */
	CAP_STEP_UNDECODABLE      /* a Kerberos message that did not decode */
};

/* Why a connection ended, or how a response announced it. */
enum cap_step_close {
	CAP_STEP_CLOSE_NONE = 0,
	CAP_STEP_CLOSE_HEADER,  /* Connection: close */
	CAP_STEP_CLOSE_HTTP10,  /* HTTP/1.0 without keep-alive */
	CAP_STEP_CLOSE_FIN,
	CAP_STEP_CLOSE_RST,
	CAP_STEP_CLOSE_ICMP     /* ICMP unreachable */
};

/* KDC request options shown in the ladder (kdc_options bits). */
#define CAP_STEP_OPT_FORWARDED 1u   /* forwarded TGT */
#define CAP_STEP_OPT_S4U2PROXY 2u   /* cname-in-addl-tkt: constrained delegation */

/* An HTTP step's token, reduced to what the ladder shows. */
struct cap_step_auth {
	enum cap_auth_scheme scheme;
	bool proxy;               /* Proxy-Authorization / Proxy-Authenticate */
	enum cap_token_kind kind;
	bool spnego, spnego_init;
	int neg_state;            /* -1 when absent */
	int ntlm_type;            /* 0 when not NTLM */
	int error_code;           /* the token's KRB-ERROR, -1 when none */
	bool mutual;              /* AP-REQ mutual-required */
	uint64_t bytes;           /* header value length */
	char user[96];            /* NTLM AUTHENTICATE domain\user, Basic user */
	/* With server keys (negcap --keytab): enum cap_krb_key_verdict of an AP-REQ's
	 * ticket, its client, whether a forwarded TGT rode along, and an AP-REP's check
	 * (enum cap_krb_aprep_verdict). */
	int key_verdict;
	char ticket_client[96];
	bool deleg_tgt;
	int ap_rep;
};

struct cap_step {
	uint64_t frame;
	enum cap_step_dir dir;
	enum cap_step_kind kind;
	uint32_t stream;
	bool bad;                 /* an error outcome (401 with error token, KRB-ERROR, ...) */
	/* HTTP */
	char method[16];
	char target[96];
	int status;               /* HTTP status of a response, else 0 */
	char reason[32];
	uint32_t offered;         /* CAP_AUTH_BIT(scheme) of the response's challenges */
	enum cap_step_close close;
	bool has_auth;
	struct cap_step_auth auth;
	/* Kerberos: a KDC message, or the ticket of an AP-REQ token */
	int msg_type;             /* CAP_KRB_*, 0 when unknown */
	char sname[96];
	char realm[64];
	int etype, kvno;          /* -1 when absent */
	int error_code;           /* KRB_ERROR steps; -1 otherwise */
	enum cap_transport transport;
	struct cap_endpoint kdc;
	unsigned kdc_options;     /* CAP_STEP_OPT_* */
	enum cap_status decode_status; /* UNDECODABLE */
	unsigned caps_hit;        /* UNDECODABLE: CAP_FACT_HIT_DER_* */
};

/* The step fields of an auth fact (report/ uses it to describe an http record's token). */
void cap_step_auth_of(const struct cap_auth_fact *f, struct cap_step_auth *out);

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
void cap_analysis_tls(struct cap_analysis *a, const struct cap_tls_event *e);
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

/* ---- negprobe's facts (findings/judges_probe.c) ----
 * negprobe feeds the engine what its legs show, as negcap does from packets: each leg's
 * request and response as a cap_http_fact (frame = leg number), a new connection as a
 * cap_conn_event.  What only a client sees (its credentials, GSS-API and TLS results)
 * arrives as a cap_probe_fact; the probe judges turn those into the probe-only findings.
 * Typed values only: the two message fields are the libraries' own text, kept verbatim
 * as evidence. */

/* krb5 library codes outside the RFC 4120 error table that the judges tell apart. */
enum cap_probe_krb5 {
	CAP_PROBE_KRB5_NONE = 0,     /* none, or one the probe does not name */
	CAP_PROBE_KRB5_KDC_UNREACH,  /* no KDC answered, or the realm's KDC is not found */
	CAP_PROBE_KRB5_NO_CREDS      /* no credential cache, keytab entry or ticket */
};

enum cap_probe_event {
	CAP_PROBE_TRANSPORT_FAILED, /* no HTTP answer: curl_code, tls_failure */
	CAP_PROBE_GSS_FAILED,       /* a GSS-API call failed: stage, gss_*, krb_error, krb5 */
	CAP_PROBE_NO_CREDENTIALS,   /* no credentials for the scheme answered */
	CAP_PROBE_NTLM_MISSING,     /* the NTLM mechanism (gss-ntlmssp) is not installed */
	CAP_PROBE_BAD_TOKEN,        /* the server's token: over the cap, or not base64 */
	CAP_PROBE_MUTUAL_FAILED,    /* the server's final token did not verify */
	CAP_PROBE_LEGS_EXHAUSTED,   /* the handshake reached max_legs */
	CAP_PROBE_OUTCOME,          /* the end of a target's run */
	CAP_PROBE_SPN_CHECKS,       /* which SPN forms the KDC knows */
	CAP_PROBE_SPN_DIRECTORY,    /* who holds them in the directory (--ldap) */
	CAP_PROBE_NOT_ALLOWED       /* --browser: the host is outside the auth allowlist */
};

/* TRANSPORT_FAILED after the server had started to answer. */
enum cap_probe_cut {
	CAP_PROBE_CUT_NONE = 0,     /* no answer at all: connecting or TLS failed */
	CAP_PROBE_CUT_HEAD,         /* the connection ended inside the response head */
	CAP_PROBE_CUT_BODY,         /* the head was complete (status), the body was cut */
	CAP_PROBE_CUT_TIMEOUT,      /* connected (and TLS done), the time limit ran out */
	CAP_PROBE_CUT_HEAD_TOO_LARGE /* the head grew past the client's limit */
};

/* The GSS-API call a failure came from. */
enum cap_probe_stage {
	CAP_PROBE_STAGE_CREDENTIALS = 0, /* acquiring Kerberos credentials */
	CAP_PROBE_STAGE_FIRST_TOKEN,     /* the first token, before anything was sent */
	CAP_PROBE_STAGE_SERVER_TOKEN,    /* the server's token in a 401 */
	CAP_PROBE_STAGE_KERBEROS_ALONE   /* Kerberos alone for the SPN, after SPNEGO chose NTLM */
};

enum cap_probe_mech { CAP_PROBE_MECH_NONE = 0, CAP_PROBE_MECH_KERBEROS, CAP_PROBE_MECH_NTLM };

#define CAP_PROBE_SPN_FORMS 12

struct cap_probe_spn_form {
	char spn[CAP_FACT_NAME_MAX];
	int exists;                     /* 1, 0, -1 unknown */
};

#define CAP_PROBE_DIR_HOLDERS 4

/* One SPN form as the directory has it (setspn -Q). */
struct cap_probe_dir_spn {
	char spn[CAP_FACT_NAME_MAX];
	size_t total;                   /* accounts holding it (setspn -X: > 1) */
	char accounts[CAP_PROBE_DIR_HOLDERS][128]; /* sAMAccountNames, up to 4 */
	char dns[CAP_PROBE_DIR_HOLDERS][CAP_FACT_NAME_MAX];
};

/* The account holding the asked SPN, its directory attributes (MS-ADTS, MS-KILE). */
struct cap_probe_dir_account {
	char sam[128];
	char dn[CAP_FACT_NAME_MAX];
	int64_t uac;                    /* userAccountControl, -1 not read */
	int64_t enctypes;               /* msDS-SupportedEncryptionTypes, -1 not set */
	int64_t kvno;                   /* msDS-KeyVersionNumber, -1 not returned */
	char deleg_to[CAP_FACT_NAME_MAX]; /* msDS-AllowedToDelegateTo, ", "-separated */
};

struct cap_probe_fact {
	enum cap_probe_event event;
	unsigned leg;                   /* 1-based leg (its frame), 0: the whole run */
	char url[CAP_FACT_TEXT_MAX];
	char host[CAP_FACT_NAME_MAX];   /* the target host, after canonicalisation */
	unsigned port;
	char spn[CAP_FACT_NAME_MAX];    /* the SPN the probe asked for */
	char client[CAP_FACT_NAME_MAX]; /* the user's Kerberos name (user@REALM), "" unknown */
	enum cap_auth_scheme scheme;    /* the scheme the probe answered with */
	/* GSS_FAILED, NO_CREDENTIALS, MUTUAL_FAILED */
	enum cap_probe_stage stage;
	uint32_t gss_major, gss_minor;  /* RFC 2744 major status and the mechanism's minor */
	int krb_error;                  /* RFC 4120 error number, -1 when none */
	enum cap_probe_krb5 krb5;
	char lib_message[256];          /* the GSS library's display text, verbatim */
	bool have_credentials;          /* NO_CREDENTIALS: some credential was acquired */
	bool ntlm_installed;
	/* TRANSPORT_FAILED */
	int curl_code;
	char curl_error[256];           /* libcurl's text, verbatim */
	char tls_failure[32];           /* stable TLS failure name, "" when not TLS */
	long verify_result;             /* X509_V_* code, 0 when none */
	char certificate[CAP_FACT_TEXT_MAX]; /* the server certificate's names and dates */
	enum cap_probe_cut cut;         /* how far the answer got; status: a cut body's head */
	uint64_t received;              /* bytes of the answer received (head and body) */
	uint64_t head_limit;            /* CUT_HEAD_TOO_LARGE: the client's limit */
	/* BAD_TOKEN */
	bool token_over_cap;            /* else: not valid base64 */
	size_t token_chars, token_cap;
	char header[CAP_FACT_TEXT_MAX]; /* the challenge, tokens shortened */
	/* LEGS_EXHAUSTED */
	unsigned legs, max_legs;
	/* NOT_ALLOWED (host: the URL host, as the browser matches it) */
	char browser[16];               /* the --browser preset, "" none */
	char policy[64];                /* the policy or pref the allowlist stands for */
	char allowlist[CAP_FACT_NAME_MAX]; /* the list, verbatim; "" empty */
	/* OUTCOME */
	bool https, tls_unverified;
	int status;                     /* the last HTTP status, 0 when none */
	char location[CAP_FACT_TEXT_MAX];
	bool gss_started;               /* a GSS context was set up for a challenge */
	bool gss_complete;              /* ... and it completed */
	bool authenticated;
	enum cap_probe_mech mech;
	bool mech_forced;               /* the user chose the mechanism (not SPNEGO's choice) */
	bool deleg_requested, deleg_granted;
	bool have_tkt_flags, ok_as_delegate;
	bool chanbind_sent;             /* a TLS channel binding went out with the tokens */
	bool chanbind_withheld;         /* HTTPS, and the user turned the binding off */
	char chanbind_subject[128];     /* the certificate the binding is over: subject, */
	char chanbind_sha256[100];      /* ... and SHA-256 fingerprint ("AB:CD:...") */
	/* SPN_CHECKS */
	struct cap_probe_spn_form forms[CAP_PROBE_SPN_FORMS];
	size_t nforms;
	/* SPN_DIRECTORY (spn: the asked SPN; realm: its realm) */
	char realm[CAP_FACT_NAME_MAX];
	char ldap_uri[CAP_FACT_NAME_MAX];
	char ldap_step[16];             /* "" ran; else the step that failed */
	char ldap_error[256];
	struct cap_probe_dir_spn dir[CAP_PROBE_SPN_FORMS];
	size_t ndir;
	bool have_holder;               /* `holder` holds the asked SPN */
	struct cap_probe_dir_account holder;
	char backend_spn[CAP_FACT_NAME_MAX]; /* --backend-spn, "" none */
	size_t backend_holders;
	char keytab[CAP_FACT_NAME_MAX]; /* --server-keytab, "" none */
	char keytab_error[256];
	int64_t keytab_kvno;            /* the asked SPN's highest kvno in it, -1 none */
	char keytab_accounts[CAP_FACT_NAME_MAX]; /* account names whose keys it holds */
};

/* Empty fact (krb_error -1). */
void cap_probe_fact_init(struct cap_probe_fact *f, enum cap_probe_event event);
/* A probe fact in.  negprobe feeds them between its HTTP facts, then calls
 * cap_analysis_finish. */
void cap_analysis_probe(struct cap_analysis *a, const struct cap_probe_fact *f);

#endif /* NEGSCOPE_ANALYSIS_H */
