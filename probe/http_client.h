/* http_client.h - libcurl transport for the probe: one request per leg, the
 * response head captured, which TCP connection carried it, TLS failures named.
 *
 * Each probe target owns a struct probe_http_conn: an easy handle plus a
 * private connection pool (a curl share with CURL_LOCK_DATA_CONNECT), so
 * concurrent targets never borrow each other's connections mid-handshake.
 * All transfers run on one multi handle (struct probe_http_multi).
 * libcurl does no authentication of its own here: the caller passes the
 * Authorization header of each leg.
 */
#ifndef PROBE_HTTP_CLIENT_H
#define PROBE_HTTP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chanbind.h"
#include "tls_error.h"

#define PROBE_HTTP_MAX_HEADERS 256
#define PROBE_HTTP_MAX_LINE (64 * 1024)     /* longer header lines are cut */
#define PROBE_HTTP_MAX_HEAD (300 * 1024)    /* whole header block, as curl's own cap */

struct probe_http_opts {
	const char *cacert;  /* --cacert PEM file */
	bool insecure;       /* -k: no peer or host verification */
	const char *const *resolve; /* "host:port:addr" entries, NULL-terminated, or NULL */
	long timeout_ms;     /* whole transfer; 0 = 30 s */
	long connect_timeout_ms; /* 0 = 10 s */
	const char *user_agent;
	const char *proxy;   /* NULL = libcurl's default (environment) */
	bool verbose;        /* curl's own trace on stderr */
};

struct probe_http_header {
	char *name;
	char *value;
};

/* How far a failed answer got (curl_code != 0), once the server had started it. */
enum probe_http_cut {
	PROBE_HTTP_CUT_NONE = 0,     /* no answer at all (connecting, TLS), or none cut */
	PROBE_HTTP_CUT_HEAD,         /* the connection ended inside the head */
	PROBE_HTTP_CUT_BODY,         /* the head was complete (status is set), the body cut */
	PROBE_HTTP_CUT_TIMEOUT,      /* connected (TLS done), then the time limit ran out */
	PROBE_HTTP_CUT_TOO_LARGE     /* the head went past PROBE_HTTP_MAX_HEAD */
};

struct probe_http_resp {
	int curl_code;           /* CURLcode; 0 = a response arrived */
	enum probe_http_cut cut; /* with curl_code != 0: how far the answer got */
	uint64_t head_bytes;     /* bytes of the final head received */
	char error[256];         /* curl's error text */
	enum probe_tls_kind tls; /* PROBE_TLS_NONE unless a TLS failure */
	long verify_result;      /* X509_V_* */
	long status;
	int http_version;        /* 10, 11, 20 */
	char reason[128];
	struct probe_http_header headers[PROBE_HTTP_MAX_HEADERS];
	size_t nheaders;
	bool headers_cut;        /* a cap was hit */
	bool conn_new;           /* a new TCP connection carried this leg */
	long local_port, remote_port;
	char local_ip[64], remote_ip[64];
	double t_connect, t_tls, t_total; /* seconds, from the start of the leg */
	uint64_t body_bytes;
	size_t request_auth_len; /* length of the Authorization header line sent */
	/* After a certificate failure: the server certificate's subject, names, issuer and
	 * dates, or "" (the evidence of the failure). */
	char certificate[512];
	/* The server certificate's channel binding, when this leg made a TLS handshake. */
	struct probe_chanbind chanbind;
};

/* A parsed URL (curl's parser). */
struct probe_url {
	char scheme[8];   /* http / https */
	char host[256];   /* without brackets for IPv6 */
	long port;        /* effective port */
	bool port_explicit;
	char path[1024];
};

/* Parses `url`; 0, or -1 with a one-line reason in `err`. */
int probe_url_parse(const char *url, struct probe_url *u, char *err, size_t errlen);

/* A Location value resolved against the URL it answered (RFC 9110 §10.2.2, RFC 3986 §5):
 * *out is a malloc'd absolute URL.  0, or -1 with a one-line reason in `err`. */
int probe_url_resolve(const char *base, const char *location, char **out, char *err,
		      size_t errlen);

/* Looks `host`:`port` up in a --resolve list; returns the address or NULL. */
const char *probe_resolve_lookup(const char *const *resolve, const char *host, long port,
				 char *buf, size_t len);

/* libcurl's global init; 0 on success. */
int probe_http_global_init(void);
void probe_http_global_cleanup(void);

struct probe_http_conn;
struct probe_http_multi;

/* `o` must outlive the connection. */
struct probe_http_conn *probe_http_conn_new(const struct probe_http_opts *o);
void probe_http_conn_free(struct probe_http_conn *c);
/* Sets up the next leg: GET `url` with `authz` ("Negotiate <b64>", or NULL
 * for none).  0, or -1 on allocation failure. */
int probe_http_conn_prepare(struct probe_http_conn *c, const char *url, const char *authz);
/* The response of the last completed leg (valid until the next prepare). */
const struct probe_http_resp *probe_http_conn_resp(const struct probe_http_conn *c);
/* Opaque pointer for the caller (its target). */
void probe_http_conn_set_user(struct probe_http_conn *c, void *user);
void *probe_http_conn_user(const struct probe_http_conn *c);

struct probe_http_multi *probe_http_multi_new(void);
void probe_http_multi_free(struct probe_http_multi *m);
/* Starts the prepared leg of c.  0, or -1. */
int probe_http_multi_add(struct probe_http_multi *m, struct probe_http_conn *c);
/* Runs transfers until one completes; returns it (its response filled), or
 * NULL when nothing is running or probe_http_multi_wakeup was called. */
struct probe_http_conn *probe_http_multi_next(struct probe_http_multi *m);
/* Makes a waiting probe_http_multi_next return (thread-safe). */
void probe_http_multi_wakeup(struct probe_http_multi *m);
/* True while transfers are running. */
bool probe_http_multi_busy(const struct probe_http_multi *m);

/* Case-insensitive header lookup in a response; the n-th (0-based) match. */
const char *probe_http_header(const struct probe_http_resp *r, const char *name, size_t n);

#endif /* PROBE_HTTP_CLIENT_H */
