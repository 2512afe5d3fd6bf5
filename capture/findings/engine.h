/* engine.h - internal state of the analysis engine, shared by engine.c and the rules.
 *
 * The engine keeps, within bounds:
 *   - per HTTP TCP stream: requests waiting for their response, and whether the last
 *     response was a 401 challenge still waiting for the next leg;
 *   - per conversation (client address, server host:port): what the server offered,
 *     the run of rejected credentials, the ladder of steps;
 *   - per KDC stream (TCP stream, or UDP address pair): requests waiting for replies;
 *   - per client address: its recent conversations, to attach KDC traffic to them, and
 *     its recent HTTP/2 requests, for their HTTP/1.1 retries.
 */
#ifndef NEGSCOPE_FINDINGS_ENGINE_H
#define NEGSCOPE_FINDINGS_ENGINE_H

#include "findings/table.h"
#include "negscope/analysis.h"

struct conv;

/* The handshake state of one connection, and of a conversation (its last connection's),
 * in the spirit of curl's curlnegotiate: one enum, every transition in
 * engine.c:observe_response(). */
enum hs_state {
	HS_NONE = 0,    /* no challenge seen yet */
	HS_CHALLENGED,  /* a first challenge: a 401 offering schemes with no continuation token */
	HS_CONTINUED,   /* a 401 carrying a continuation token (NTLM CHALLENGE, SPNEGO
			 * accept-incomplete): the next leg must come on this connection */
	HS_DONE,        /* the client's last leg (NTLM AUTHENTICATE, Kerberos AP-REQ) got an
			 * answer other than 401: the user is authenticated */
	HS_REJECTED     /* credentials answered by a 401 that does not continue */
};

/* A server close this soon after a 401 is the server's keep-alive policy, not an idle
 * timeout (IIS and Apache idle timeouts are several seconds). */
#define CLOSE_AFTER_CHALLENGE 1.0

/* A 400 answering a Negotiate header at least this long is blamed on the header
 * (HTTP.sys refused it before authentication ran; domain.md C4.8). */
#define LARGE_NEGOTIATE_HEADER 4096

/* Schemes bound to one connection (MS-N2HT; RFC 4559 §4 for Negotiate): only they break
 * when the server closes the connection between legs. */
#define HS_BOUND_SCHEMES (CAP_AUTH_BIT(CAP_AUTH_NEGOTIATE) | CAP_AUTH_BIT(CAP_AUTH_NTLM) | \
			  CAP_AUTH_BIT(CAP_AUTH_KERBEROS))

/* What the rules keep of a request's credentials until its response arrives. */
struct req_auth {
	enum cap_auth_scheme scheme;
	bool proxy;
	size_t value_len;
	enum cap_token_kind kind;
	int ntlm_type;
	int kvno, etype;
	bool mutual_required;
	char sname[128];
	char realm[64];
	char user[96];
	struct cap_krb_ticket_view ticket; /* what the server keys showed (negcap --keytab) */
};

/* A request waiting for its response (reduced copy of the fact). */
struct req_info {
	uint64_t frame;
	double ts;
	char method[16];
	char target[64];
	bool has_auth;
	struct req_auth auth;
	bool step_added;
	bool ntlm_new_conn;      /* an NTLM AUTHENTICATE on another connection than its
				  * CHALLENGE (keepalive-missing claims its 401) */
};

#define HS_QUEUE 4

struct hstream {
	uint32_t stream;
	struct conv *conv;
	struct cap_endpoint client, server;
	struct req_info *q;      /* HS_QUEUE entries, allocated only while requests wait */
	unsigned qn;
	bool counted;            /* counted in conv->pub.nstreams */
	bool challenge_open;     /* last response was a 401 challenge, no request since */
	uint64_t challenge_frame;
	double challenge_ts;
	bool challenge_token;    /* that 401 carried a continuation token (NTLM CHALLENGE) */
	bool ka_reported;        /* keepalive-missing reported for it (its FIN joins it) */
	/* The server broke a connection-bound handshake on this connection just now (set by
	 * the engine, read by the keepalive judge): how and in which frame. */
	const char *broken_by;   /* "Connection: close", "HTTP/1.0 without keep-alive", "FIN",
				  * "RST"; NULL when not broken */
	uint64_t broken_frame;
	uint64_t joins_frame;    /* a frame that joins its keepalive-missing (the FIN after a
				  * Connection: close), 0 none */
	bool closed;             /* a FIN or RST was seen */
	enum hs_state state;
	char host[128];          /* Host header of the first request */
};

struct conv {
	struct cap_conversation pub;
	uint32_t offered;            /* schemes offered by any 401 so far */
	uint64_t offer_frame;        /* first 401 offering Negotiate */
	bool offered_negotiate;
	bool creds_after_offer;
	unsigned loop_count;         /* rejecting 401s in a row answering credentials */
	uint64_t loop_frames[8];
	unsigned loop_n;
	unsigned loop_max;           /* the longest such run, and its first frames */
	uint64_t loop_max_frames[8];
	unsigned loop_max_n;
	bool ntlm_challenge_seen;
	uint32_t ntlm_challenge_stream;
	uint64_t ntlm_challenge_frame;
	bool kerberos_attempted;
	bool kerberos_ok;
	uint64_t kerberos_ok_frame;
	bool delegated;              /* a forwarded TGT or S4U2Proxy request of its client */
	bool ka_waiting;             /* keepalive-missing: the next connection joins it */
	uint64_t reconnect_frame;    /* that next connection's SYN, just seen; 0 none */
	enum hs_state state;         /* of the connection that moved last */
	bool first_challenge_seen;   /* a first challenge (HS_CHALLENGED) was seen */
	bool start_missed;           /* a continuation came before any first challenge */
	bool start_missed_now;       /* ... in the response being judged */
};

struct kreq {
	uint64_t frame;
	double ts;
	int msg_type;
	char sname[CAP_FACT_NAME_MAX];
	char realm[CAP_FACT_REALM_MAX];
	bool delegation;         /* forwarded TGT or S4U2Proxy request */
	const char *deleg_kind;  /* "forwarded-tgt", "s4u2proxy", "s4u2self" */
	char cname[CAP_FACT_NAME_MAX];   /* the client's name as sent (AS-REQ, TGS-REQ) */
	int sname_type;
	unsigned sname_ncomp;
	bool u2u;                /* enc-tkt-in-skey: sname names a user */
};

#define KS_QUEUE 8

/* What became of a stream's waiting KDC requests by the end of the capture. */
enum kx_outcome {
	KX_WAITING = 0,         /* still waiting, or answered, or too recent to judge */
	KX_REPLY_NOT_CAPTURED,  /* the KDC's side lost bytes: it answered, the capture lost
				 * the reply's start */
	KX_NO_REPLY             /* nothing at all came back */
};

/* A KDC request still unanswered this long before the end of the capture counts as
 * unanswered; one sent just before the capture stopped does not. */
#define KX_NO_ANSWER_AFTER 1.0

struct kstream {
	enum cap_transport transport;
	uint32_t stream;
	uint64_t seq;            /* creation order: the end-of-capture rules run in it */
	struct cap_endpoint client, server;
	struct kreq *q;          /* KS_QUEUE entries, allocated only while requests wait */
	unsigned qn;
	bool replied;            /* the KDC answered at least once on it */
	bool unreachable;        /* an ICMP unreachable or RST already reported */
	bool server_gap;         /* bytes from the KDC are missing: a reply whose start the
				  * capture lost is "not captured", never "no reply" */
	uint64_t server_gap_frame;
	enum kx_outcome outcome; /* set at the end of the capture, for the judges */
	uint64_t open_frame;     /* TCP: the SYN */
	struct conv *conv;
};

#define CS_RECENT 8

struct client_state {
	struct cap_endpoint addr; /* port 0 */
	struct conv *recent[CS_RECENT];
	unsigned nrecent;
	struct conv *last;
	double last_ts;
	/* The last KDC error this client got, for the NTLM fallback's explanation. */
	int kdc_err;
	uint64_t kdc_err_frame;
	char kdc_err_sname[CAP_FACT_NAME_MAX];
	bool kdc_unreachable;
	/* A ticket for an HTTP service, and whether the client has HTTP conversations. */
	bool http_ticket;
	uint64_t http_ticket_frame;
	char http_ticket_sname[CAP_FACT_NAME_MAX];
	bool has_http_conv;
	/* Its TLS connections whose application data was not decrypted (the first CS_TLS, in
	 * an array grown 1, 2, 4 as they come: most clients show one), and how many there
	 * were in all: http-not-visible names them. */
	struct cs_tls *tls;
	unsigned ntls, tls_cap;
	uint64_t tls_hidden;
	/* Its recent HTTP/2 requests (CS_H2, allocated at the first; h2_retry.c). */
	struct h2_req *h2;
};

/* A client's HTTP/2 requests are kept so that a refusal with HTTP_1_1_REQUIRED (RFC 9113
 * section 7) names the request it refused, and http2-downgrade finds that request again
 * in the client's HTTP/1.1 retry (same method, target and host). */
#define CS_H2 8

/* How long after the refusal the HTTP/1.1 retry may come.  Browsers (Chromium, Firefox)
 * repeat a request refused with HTTP_1_1_REQUIRED at once, without the user, on a new
 * connection: a TCP and a TLS handshake, a few round trips.  The same request later than
 * this is the user's own (a reload), not the retry. */
#define H2_RETRY_WINDOW 5.0

struct h2_req {
	uint64_t frame;          /* its HEADERS; 0: a free slot */
	double ts;
	uint32_t stream;         /* TCP stream */
	uint32_t h2_id;          /* HTTP/2 stream */
	bool answered;           /* a final response came on its stream */
	uint64_t refused_frame;  /* the RST_STREAM or GOAWAY that refused it; 0: not refused */
	double refused_ts;
	struct cap_endpoint server;
	char method[16];
	char target[CAP_FACT_TEXT_MAX];
	char host[CAP_FACT_NAME_MAX];
};

/* h2_retry.c: an HTTP/2 message of the client (requests kept, responses mark theirs
 * answered), and a refusal with HTTP_1_1_REQUIRED (marks the requests it refused). */
void engine_h2_http(struct cap_analysis *a, const struct cap_http_fact *f);
void engine_h2_refused(struct cap_analysis *a, const struct cap_conn_event *e);

#define CS_TLS 4
struct cs_tls {
	uint32_t stream;
	bool hidden;             /* application data seen, not decrypted */
	bool wrong_keys;         /* secrets were found, but did not decrypt it */
	uint16_t version;
	uint64_t hello_frame, data_frame;
	struct cap_endpoint server;
	char sni[CAP_TLS_SNI_MAX];
	char alpn[CAP_TLS_ALPN_MAX];
	char subject[128];       /* TLS 1.2: the certificate, in the clear */
	char sans[256];
};

struct cap_analysis {
	struct cap_analysis_limits lim;
	struct cap_analysis_hooks hooks;
	struct cap_analysis_stats st;
	struct tbl hstreams, kstreams, convmap, clients, fmap;
	struct conv **convs;
	size_t nconvs;
	struct cap_finding **findings;
	size_t nfindings, findings_cap;
	size_t steps_total;
	size_t evict_cursor_h, evict_cursor_k;
	uint64_t next_kseq;
#define HS_POOL 64
	struct hstream *hs_pool[HS_POOL]; /* dropped streams kept for reuse */
	size_t nhs_pool;
	size_t ka_waiting;       /* conversations with ka_waiting set: 0 spares a lookup per
				  * new connection */
	uint64_t last_frame;
	double last_ts;
	bool finished;
	bool input_cut;          /* the input ended mid-packet */
	struct probe_judges *probe; /* judges_probe.c: negprobe's facts; NULL for negcap */
};

/* ---- judges ----
 * The engine observes (updates the state above); judges decide.  A judge is a small
 * function for one finding id or family, run when something it looks at changed; it
 * reads the state and the fact that moved it, and emits findings with typed evidence.
 * It never parses bytes.  Judges live in tables (judges.c lists them); another file
 * contributes a table by adding it to judges.c:judge_tables[]. */
enum judge_when {
	JUDGE_HTTP_REQUEST,   /* a request: hs, c (may be NULL), http */
	JUDGE_HTTP_RESPONSE,  /* a response, after observe_response(): hs, c, req (may be
			       * NULL), http */
	JUDGE_HTTP_CLOSE,     /* the server closed or reset a connection: hs, c */
	JUDGE_HTTP_RECONNECT, /* a new connection of a conversation whose handshake the
			       * server broke: c */
	JUDGE_KDC_REPLY,      /* a KDC reply or error: ks, c, kreq (the request it answers,
			       * may be NULL), krb, cs */
	JUDGE_KDC_END,        /* a KDC stream's end of capture: ks */
	JUDGE_CONV_END,       /* end of capture, per conversation: c */
	JUDGE_CLIENT_END,     /* end of capture, per client: cs */
	JUDGE_WHEN_COUNT
};

struct judge_ctx {
	struct conv *c;
	struct hstream *hs;
	const struct req_info *req;
	const struct cap_http_fact *http;
	struct kstream *ks;
	const struct kreq *kreq;
	const struct cap_krb_fact *krb;
	struct client_state *cs;
};

struct judge {
	enum judge_when when;
	enum cap_finding_id id;   /* the finding (or the family's first) it emits */
	void (*fn)(struct cap_analysis *a, const struct judge_ctx *j);
};

struct judge_table {
	const struct judge *v;
	size_t n;
};

/* judges.c: runs every table's judges for `when`, in table order. */
void engine_judge(struct cap_analysis *a, enum judge_when when, const struct judge_ctx *j);
extern const struct judge_table judges_http, judges_kdc, judges_keys;

/* engine.c: conversation and step bookkeeping for the rules. */
struct conv *engine_conv(struct cap_analysis *a, const struct cap_endpoint *client,
			 const struct cap_endpoint *server, bool kdc_only);
/* Files a typed step (findings/steps.h builds them) in c's ladder, in frame order. */
void engine_step(struct cap_analysis *a, struct conv *c, const struct cap_step *s);
struct conv *engine_conv_find(struct cap_analysis *a, const struct cap_endpoint *client,
			      const struct cap_endpoint *server, bool kdc_only);
struct client_state *engine_client(struct cap_analysis *a, const struct cap_endpoint *addr);
/* Takes over *f (it is left empty): stores it, or merges it into the finding with the
 * same id and key (frames added, count incremented). */
void engine_emit(struct cap_analysis *a, struct cap_finding *f);
/* The finding stored under id and key, or NULL. */
struct cap_finding *engine_find(struct cap_analysis *a, enum cap_finding_id id, const char *key);
/* Evidence every conversation finding carries: client, server, host, conversation. */
void engine_conv_evidence(struct cap_finding *f, const struct conv *c);
const char *engine_addr(const struct cap_endpoint *e, char *buf, size_t len);
const char *engine_ep(const struct cap_endpoint *e, char *buf, size_t len);


/* Frees a stream's request queue once nothing waits in it. */
void engine_kstream_trim(struct kstream *ks);

/* rules_kdc.c: an immediate refusal (ICMP unreachable, TCP reset); the KDC judges are
 * in its table. */
void rules_kdc_unreachable(struct cap_analysis *a, struct kstream *ks, uint64_t frame,
			   const char *how);
/* Whether a name in an sname is a service principal (RFC 4120 §6.2: NT-SRV-INST,
 * NT-SRV-HST, or service/host form), not a user's name (U2U, NT-PRINCIPAL,
 * NT-MS-PRINCIPAL, NT-ENTERPRISE with one component).  type 0 and ncomp 0 (not known)
 * fall back to the name's form. */
bool spn_is_service(const char *name, int type, unsigned ncomp, bool u2u);

/* spn.c: SPN forms and the setspn advice for spn-unknown (IIS advice only for HTTP/). */
void spn_advice(struct cap_finding *f, const char *spn, const struct conv *c);
/* Splits "HTTP/host:port@REALM": service, host (no port), port (0 none). */
void spn_split(const char *spn, char *service, size_t slen, char *host, size_t hlen,
	       unsigned *port);

/* judges_probe.c: the fold at the end of a probe run (a no-op without probe facts), and
 * its state's release. */
void judges_probe_finish(struct cap_analysis *a);
void judges_probe_free(struct cap_analysis *a);

#endif /* NEGSCOPE_FINDINGS_ENGINE_H */
