/* engine.h - internal state of the analysis engine, shared by engine.c and the rules.
 *
 * The engine keeps, within bounds:
 *   - per HTTP TCP stream: requests waiting for their response, and whether the last
 *     response was a 401 challenge still waiting for the next leg;
 *   - per conversation (client address, server host:port): what the server offered,
 *     the run of rejected credentials, the ladder of steps;
 *   - per KDC stream (TCP stream, or UDP address pair): requests waiting for replies;
 *   - per client address: its recent conversations, to attach KDC traffic to them.
 */
#ifndef NEGSCOPE_FINDINGS_ENGINE_H
#define NEGSCOPE_FINDINGS_ENGINE_H

#include "findings/table.h"
#include "negscope/analysis.h"

struct conv;

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
	bool closed;             /* a FIN or RST was seen */
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
};

struct kreq {
	uint64_t frame;
	double ts;
	int msg_type;
	char sname[CAP_FACT_NAME_MAX];
	char realm[CAP_FACT_REALM_MAX];
	bool delegation;         /* forwarded TGT or S4U2Proxy request */
	const char *deleg_kind;  /* "forwarded-tgt", "s4u2proxy", "s4u2self" */
};

#define KS_QUEUE 8

struct kstream {
	enum cap_transport transport;
	uint32_t stream;
	uint64_t seq;            /* creation order: the end-of-capture rules run in it */
	struct cap_endpoint client, server;
	struct kreq *q;          /* KS_QUEUE entries, allocated only while requests wait */
	unsigned qn;
	bool replied;            /* the KDC answered at least once on it */
	bool unreachable;        /* an ICMP unreachable or RST already reported */
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
/* Evidence every conversation finding carries: client, server, host, conversation. */
void engine_conv_evidence(struct cap_finding *f, const struct conv *c);
const char *engine_addr(const struct cap_endpoint *e, char *buf, size_t len);
const char *engine_ep(const struct cap_endpoint *e, char *buf, size_t len);

/* rules_http.c */
void rules_http_request(struct cap_analysis *a, struct hstream *hs, struct conv *c,
			const struct cap_http_fact *f);
void rules_http_response(struct cap_analysis *a, struct hstream *hs, struct conv *c,
			 const struct req_info *req, const struct cap_http_fact *f);
void rules_http_close(struct cap_analysis *a, struct hstream *hs, const struct cap_conn_event *e);
void rules_http_reconnect(struct cap_analysis *a, struct conv *c, uint64_t syn_frame);
void rules_http_finish(struct cap_analysis *a, struct conv *c);
void rules_client_finish(struct cap_analysis *a, struct client_state *cs);

/* Frees a stream's request queue once nothing waits in it. */
void engine_kstream_trim(struct kstream *ks);

/* rules_kdc.c */
void rules_kdc_reply(struct cap_analysis *a, struct kstream *ks, const struct kreq *req,
		     struct conv *c, const struct cap_krb_fact *f);
void rules_kdc_unreachable(struct cap_analysis *a, struct kstream *ks, uint64_t frame,
			   const char *how);
void rules_kdc_finish(struct cap_analysis *a, struct kstream *ks);

/* spn.c: SPN forms and the setspn advice for spn-unknown. */
void spn_advice(struct cap_finding *f, const char *spn, const struct conv *c);
/* Splits "HTTP/host:port@REALM": service, host (no port), port (0 none). */
void spn_split(const char *spn, char *service, size_t slen, char *host, size_t hlen,
	       unsigned *port);

/* judges_probe.c: the fold at the end of a probe run (a no-op without probe facts), and
 * its state's release. */
void judges_probe_finish(struct cap_analysis *a);
void judges_probe_free(struct cap_analysis *a);

#endif /* NEGSCOPE_FINDINGS_ENGINE_H */
