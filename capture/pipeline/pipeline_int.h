/* pipeline_int.h - state shared by the pipeline's modules (not public).
 *
 * pipeline.c decodes packets and drives flows; http_stream.c and
 * krb_stream.c consume one direction's reassembled bytes each.
 */
#ifndef NEGSCOPE_PIPELINE_INT_H
#define NEGSCOPE_PIPELINE_INT_H

#include "negscope/flow.h"
#include "negscope/http1.h"
#include "negscope/net.h"
#include "negscope/pipeline.h"

enum app_kind { APP_UNKNOWN = 0, APP_HTTP, APP_KRB, APP_IGNORE, APP_TLS, APP_H2 };
enum roles_by { ROLES_GUESS = 0, ROLES_DATA, ROLES_SYN };

#define HTTP_QUEUE 8     /* requests awaiting a response (pipelining depth kept) */
#define DETECT_PROBES 8  /* deliveries looked at before a stream is ignored */
#define DETECT_MIN 16    /* bytes needed to judge a stream's first line */
#define H2_MAX_LIVE 256  /* HTTP/2 connections decoded at once; later ones counted, skipped */

struct http_dir {
	uint8_t mode;       /* enum http_mode in http_stream.c */
	bool line_start;    /* resynchronising: the next byte starts a line */
	bool after_gap;     /* the next message follows a gap */
	uint32_t scan_off;  /* where the search for the end of the head resumes */
	uint64_t remaining; /* body or chunk bytes still to skip */
	uint64_t first_frame;
};

struct pending_req {
	uint64_t frame;
	bool head;    /* HEAD: the response has no body */
	bool connect; /* CONNECT: a 2xx turns the stream into a tunnel */
};

struct h2_pending {
	uint32_t stream_id;
	uint64_t frame;
};

struct cap_h2_dir;

struct krb_dir {
	uint8_t mode;       /* enum krb_mode in krb_stream.c */
	uint64_t remaining; /* bytes of an over-size record still to skip */
};

/* What a connection's protocol needs while bytes can still arrive: allocated when the
 * stream is found to be HTTP or Kerberos, released when the connection has ended (see
 * flow_app_release in pipeline.c), so a table full of finished connections costs only
 * their struct flow_state. */
struct flow_app {
	union {
		struct {
			struct http_dir d[2];
			struct pending_req q[HTTP_QUEUE];
			uint8_t qhead, qlen;
		} http;
		struct krb_dir krb[2];
		struct {
			struct cap_h2_dir *d[2]; /* per key side; freed by cap_pl_h2_release */
			struct h2_pending q[HTTP_QUEUE];
			uint32_t qnext;
		} h2;
		struct flow_app *next_free; /* in the pipeline's free list */
	} u;
	struct tls_conn *tls; /* APP_TLS: records and keys (tls_stream.c); u.http reads the
			       * decrypted HTTP/1.x, u.h2 the decrypted HTTP/2 when h2_live */
	bool h2_live; /* u.h2 holds decoders (APP_H2, or APP_TLS with ALPN h2), counted in
		       * the pipeline's h2_live */
};

/* The user area of a flow-table entry: kept for every connection in the table (stream
 * numbering and roles must survive the end of a connection, as tshark's do). */
struct flow_state {
	uint32_t stream;
	uint32_t syn_isn;
	uint32_t fin_seq[2]; /* sequence number of each side's FIN */
	uint8_t kind;        /* enum app_kind */
	uint8_t roles_by;    /* enum roles_by */
	uint8_t client_side; /* key side of the client */
	uint8_t probes;
	bool fin[2];
	bool rst;
	bool syn_seen;
	bool data_seen;
	bool was_http;
	struct flow_app *app; /* NULL unless kind is HTTP or KRB and the connection is live */
	struct cap_reasm_dir rd[2];
	/* The highest ACK the peer sent for each side's bytes: a side whose first data
	 * starts beyond it lost its start before the capture saw it. */
	uint32_t peer_ack[2];
	bool peer_ack_known[2];
};

/* A server certificate read, and what it says. */
#define CAP_PL_CERTS 8
struct cap_pl_cert {
	uint8_t *der; /* a copy, at most CAP_TLS_CERT_MAX bytes; NULL: empty slot */
	size_t len;
	uint64_t used; /* cert_clock at the last lookup that found it */
	struct cap_tls_cert info;
};

struct cap_pipeline {
	int linktype;
	struct cap_pipeline_limits lim;
	struct cap_sink sink;
	struct cap_pipeline_stats st;
	uint64_t frame;
	double ts;
	struct cap_flow_table *flows;
	struct cap_reasm reasm;
	struct cap_frag_table *frags;
	uint32_t next_tcp_stream, next_udp_stream;
	struct flow_app *app_free;    /* released struct flow_app, reused first */
	struct flow_app **app_chunks; /* every block of them, freed at the end */
	size_t napp_chunks;
	struct cap_http_header *hdrs; /* lim.max_headers entries, reused per message */
	uint8_t *fold_buf;            /* folded header values joined here */
	size_t fold_cap;
	uint64_t krb_buffer_skips;    /* Kerberos records longer than a direction's buffer */
	uint32_t h2_live;             /* HTTP/2 connections with decoders (at most H2_MAX_LIVE) */
	const struct cap_tls_keylog *keylog; /* TLS secrets, or NULL */
	uint8_t *tls_plain;           /* one record's plaintext (CAP_TLS_MAX_PLAIN bytes) */
	uint64_t tls_live;            /* struct tls_conn allocated now */
	struct cap_pl_cert certs[CAP_PL_CERTS]; /* certificates read (tls_certs.c) */
	uint64_t cert_clock;                     /* lookups so far: the LRU order */
};

/* The consumer context of one direction of one flow, built per segment. */
struct dir_ctx {
	struct cap_pipeline *pl;
	struct flow_state *fs;
	int side; /* key side that sent these bytes */
};

void cap_pl_endpoints(const struct flow_state *fs, struct cap_endpoint *client,
		      struct cap_endpoint *server);
void cap_pl_endpoint_of(const struct cap_flow_key *k, int side, struct cap_endpoint *e);
/* A connection event of fs at the pipeline's current frame, sent by `side` (a key side),
 * with the roles and the stream's kind filled in; the caller adds the kind's fields. */
void cap_pl_conn_init(const struct cap_pipeline *pl, const struct flow_state *fs,
		      enum cap_conn_kind kind, int side, struct cap_conn_event *e);
void cap_pl_conn_event(struct cap_pipeline *pl, struct flow_state *fs, enum cap_conn_kind kind,
		       int side, uint64_t gap_bytes);

/* A struct flow_app for fs (zeroed), or NULL when memory runs out. */
struct flow_app *cap_pl_app_get(struct cap_pipeline *pl, struct flow_state *fs);

void cap_pl_http_init(struct flow_state *fs);
size_t cap_pl_http_consume(void *ctx, const uint8_t *p, size_t n);
void cap_pl_http_gap(void *ctx, uint64_t bytes);
void cap_pl_http_overflow(void *ctx);
/* The direction's FIN: a close-delimited body ends. */
void cap_pl_http_fin(struct dir_ctx *c);

/* HTTP/2 (h2_stream.c): fs->app must be set; false when memory runs out. */
bool cap_pl_h2_start(struct cap_pipeline *pl, struct flow_state *fs);
void cap_pl_h2_release(struct cap_pipeline *pl, struct flow_state *fs);
size_t cap_pl_h2_consume(void *ctx, const uint8_t *p, size_t n);
void cap_pl_h2_gap(void *ctx, uint64_t bytes);
void cap_pl_h2_overflow(void *ctx);
/* TLS (tls_stream.c): a connection recognised by its first record.  Returns false when
 * memory runs out (the stream is then ignored). */
bool cap_pl_tls_start(struct cap_pipeline *pl, struct flow_state *fs);
size_t cap_pl_tls_consume(void *ctx, const uint8_t *p, size_t n);
void cap_pl_tls_gap(void *ctx, uint64_t bytes);
void cap_pl_tls_overflow(void *ctx);
/* Frees the connection's TLS state (keys wiped). */
void cap_pl_tls_release(struct flow_state *fs);
/* What the certificate says (cap_tls_cert_info), parsed only when it is not one of the
 * last CAP_PL_CERTS read; 0, or -1 when libcrypto cannot read it. */
int cap_pl_cert_info(struct cap_pipeline *pl, struct cap_span der, struct cap_tls_cert *out);
void cap_pl_certs_free(struct cap_pipeline *pl);
/* What the connection's TLS showed, NULL for a stream that is not TLS. */
const struct cap_tls_info *cap_pl_tls_info(const struct flow_state *fs);

/* A consumer of decrypted application bytes, chosen by the ALPN protocol the server
 * picked (TLS 1.2 ServerHello, TLS 1.3 EncryptedExtensions; none: HTTP/1.x).  consume
 * gets one direction's plaintext (c->side) in order and returns the bytes it used; the
 * rest is held (capped at max_message) and handed again with what follows.  gap tells
 * that plaintext was lost (a record not decrypted): resynchronise.  State of its own
 * goes in *cap_pl_tls_app_state(fs), freed by release at the end of the connection. */
struct cap_pl_tls_app {
	const char *alpn;
	size_t (*consume)(struct dir_ctx *c, const uint8_t *p, size_t n);
	void (*gap)(struct dir_ctx *c);
	void (*release)(void *state);
};
void **cap_pl_tls_app_state(struct flow_state *fs);
/* HTTP/2 inside TLS (ALPN "h2", RFC 9113 section 3.2), in h2_stream.c. */
extern const struct cap_pl_tls_app cap_pl_h2_tls_app;

void cap_pl_krb_init(struct flow_state *fs);
size_t cap_pl_krb_consume(void *ctx, const uint8_t *p, size_t n);
void cap_pl_krb_gap(void *ctx, uint64_t bytes);
void cap_pl_krb_overflow(void *ctx);
/* A UDP datagram to or from port 88: one PDU. */
void cap_pl_krb_udp(struct cap_pipeline *pl, const struct cap_ip *ip, const struct cap_udp *u);

#endif /* NEGSCOPE_PIPELINE_INT_H */
