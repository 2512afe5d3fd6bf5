/* facts.c - the probe's legs as the diagnosis engine's facts (see facts.h).
 * References: RFC 7230 §6.1 (Connection: close), RFC 7235 (challenges), RFC 2744 §3.9.1
 * (GSS major status), MIT krb5 krb5_err.et (com_err codes = ERROR_TABLE_BASE_krb5 + the
 * RFC 4120 error number).
 */
#include "facts.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <krb5.h>

#include "negscope/http1.h"
#include "negscope/krbkeys.h"
#include "token.h"

/* A probe run is one conversation: small tables are plenty. */
#define PROBE_AN_CONVERSATIONS 8
#define PROBE_AN_STREAMS 64
#define PROBE_AN_FINDINGS 64

int probe_facts_init(struct probe_facts *pf, const char *server_keytab)
{
	struct cap_analysis_limits lim;
	char err[256];

	memset(pf, 0, sizeof(*pf));
	memset(&lim, 0, sizeof(lim));
	if (server_keytab != NULL) {
		pf->keys = cap_krb_keyset_new();
		if (pf->keys == NULL ||
		    cap_krb_keyset_add_keytab(pf->keys, server_keytab, err, sizeof(err)) < 0) {
			cap_krb_keyset_free(pf->keys);
			pf->keys = NULL;
			return -1;
		}
		lim.decode.keys = pf->keys;
	}
	lim.max_conversations = PROBE_AN_CONVERSATIONS;
	lim.max_streams = PROBE_AN_STREAMS;
	lim.max_findings = PROBE_AN_FINDINGS;
	pf->an = cap_analysis_new(&lim);
	return pf->an != NULL ? 0 : -1;
}

void probe_facts_free(struct probe_facts *pf)
{
	cap_analysis_free(pf->an);
	pf->an = NULL;
	cap_krb_keyset_free(pf->keys); /* wipes the keys */
	pf->keys = NULL;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void endpoint(const char *ip, long port, struct cap_endpoint *e)
{
	memset(e, 0, sizeof(*e));
	e->port = (uint16_t)port;
	if (inet_pton(AF_INET, ip, e->addr) == 1)
		e->family = 4;
	else if (inet_pton(AF_INET6, ip, e->addr) == 1)
		e->family = 6;
	else
		e->family = 4; /* unknown: 0.0.0.0, still one conversation */
}

static struct cap_span span(const char *s)
{
	return (struct cap_span){(const uint8_t *)s, s != NULL ? strlen(s) : 0};
}

static void header(struct cap_http_header *h, size_t *n, const char *name, const char *value)
{
	if (value == NULL)
		return;
	h[*n].name = span(name);
	h[*n].value = span(value);
	(*n)++;
}

static void conn_event(struct probe_facts *pf, enum cap_conn_kind kind, uint64_t frame,
		       double ts)
{
	struct cap_conn_event e;

	memset(&e, 0, sizeof(e));
	e.kind = kind;
	e.frame = frame;
	e.ts = ts;
	e.stream = pf->stream;
	e.client = pf->client;
	e.server = pf->server;
	/* curl reuses a live connection: a new one means the server ended the last */
	e.from_server = kind != CAP_CONN_OPEN;
	cap_analysis_conn(pf->an, &e);
}

static void feed_msg(struct probe_facts *pf, struct cap_http_msg *m)
{
	struct cap_http_fact *f = malloc(sizeof(*f));

	if (f == NULL)
		return;
	m->stream = pf->stream;
	m->client = pf->client;
	m->server = pf->server;
	cap_facts_http(m, cap_analysis_decode_limits(pf->an), f);
	cap_analysis_http(pf->an, f);
	free(f);
}

void probe_facts_leg(struct probe_facts *pf, const struct probe_result *r,
		     const struct probe_leg *l, const char *authz)
{
	const struct probe_url *u;
	struct cap_http_header *h;
	struct cap_http_msg m;
	char host[300];
	size_t n = 0;
	double ts = now_s();

	if (l->curl_code != 0 || l->status == 0)
		return;
	h = calloc(l->nwww + 3, sizeof(*h));
	if (h == NULL)
		return;
	if (l->conn_new || !pf->have_stream) {
		if (pf->have_stream) {
			conn_event(pf, CAP_CONN_FIN, l->n > 1 ? l->n - 1 : l->n, pf->ts);
			pf->stream++;
		}
		pf->have_stream = true;
		endpoint(l->local_ip, l->local_port, &pf->client);
		endpoint(l->remote_ip, l->remote_port, &pf->server);
		conn_event(pf, CAP_CONN_OPEN, l->n, ts);
	}
	/* the request */
	memset(&m, 0, sizeof(m));
	m.frame = m.first_frame = l->n;
	m.ts = ts;
	m.is_request = true;
	m.version_minor = 1;
	m.method = span("GET");
	u = probe_result_leg_url(r, l->n);
	m.target = span(u->path[0] != '\0' ? u->path : "/");
	if (u->port_explicit)
		snprintf(host, sizeof(host), "%s:%ld", u->host, u->port);
	else
		snprintf(host, sizeof(host), "%s", u->host);
	header(h, &n, "Host", host);
	header(h, &n, "Authorization", authz);
	m.headers = h;
	m.nheaders = n;
	m.header_bytes = l->auth_header_len;
	feed_msg(pf, &m);
	/* the response */
	n = 0;
	for (size_t i = 0; i < l->nwww; i++)
		header(h, &n, "WWW-Authenticate", l->www_auth[i]);
	header(h, &n, "Connection", l->connection);
	header(h, &n, "Persistent-Auth", l->persistent_auth);
	memset(&m, 0, sizeof(m));
	m.frame = m.first_frame = l->n;
	m.ts = ts;
	m.version_minor = l->http_version == 10 ? 0 : 1;
	m.status = (int)l->status;
	m.reason = span(l->reason);
	m.headers = h;
	m.nheaders = n;
	if (l->connection != NULL && strcasestr(l->connection, "close") != NULL)
		m.close = CAP_HTTP_CLOSE_HEADER;
	else if (l->http_version == 10 &&
		 (l->connection == NULL || strcasestr(l->connection, "keep-alive") == NULL))
		m.close = CAP_HTTP_CLOSE_HTTP10;
	feed_msg(pf, &m);
	pf->ts = ts;
	pf->last_status = l->status;
	free(h);
}

void probe_facts_start(struct cap_probe_fact *f, enum cap_probe_event ev,
		       const struct probe_result *r, unsigned leg)
{
	cap_probe_fact_init(f, ev);
	f->leg = leg;
	snprintf(f->url, sizeof(f->url), "%.*s", (int)sizeof(f->url) - 1, r->url);
	/* a leg after a redirect (-L): that URL's host and SPN; leg 0: the last one's */
	snprintf(f->host, sizeof(f->host), "%.*s", (int)sizeof(f->host) - 1,
		 probe_result_leg_host(r, leg));
	f->port = probe_result_leg_url(r, leg)->port > 0 ?
		  (unsigned)probe_result_leg_url(r, leg)->port : 0;
	snprintf(f->spn, sizeof(f->spn), "%.*s", (int)sizeof(f->spn) - 1,
		 probe_result_leg_spn(r, leg));
}

void probe_facts_gss_error(struct cap_probe_fact *f, const struct probe_gss_error *e)
{
	int32_t k = e->krb5_code;

	f->gss_major = e->major;
	f->gss_minor = e->minor;
	snprintf(f->lib_message, sizeof(f->lib_message), "%.*s", (int)sizeof(f->lib_message) - 1,
		 e->minor_text[0] != '\0' ? e->minor_text : e->text);
	f->krb_error = -1;
	f->krb5 = CAP_PROBE_KRB5_NONE;
	if (k >= ERROR_TABLE_BASE_krb5 && k < ERROR_TABLE_BASE_krb5 + 128) {
		f->krb_error = (int)(k - ERROR_TABLE_BASE_krb5);
		return;
	}
	switch (k) {
	case KRB5_KDC_UNREACH:
	case KRB5_REALM_CANT_RESOLVE:
	case KRB5_REALM_UNKNOWN:
	case KRB5_SERVICE_UNKNOWN:
		f->krb5 = CAP_PROBE_KRB5_KDC_UNREACH;
		break;
	case KRB5_FCC_NOFILE:
	case KRB5_CC_NOTFOUND:
	case KRB5_CC_END:
	case KRB5_CC_BADNAME:
	case KRB5_FCC_PERM:
	case KRB5_KT_NOTFOUND:
	case KRB5_KT_END:
	case KRB5_NO_TKT_SUPPLIED:
		f->krb5 = CAP_PROBE_KRB5_NO_CREDS;
		break;
	default:
		break;
	}
}

void probe_facts_feed(struct probe_facts *pf, const struct cap_probe_fact *f)
{
	cap_analysis_probe(pf->an, f);
}

void probe_facts_finish(struct probe_facts *pf, struct probe_result *r)
{
	cap_analysis_finish(pf->an, NULL);
	for (size_t i = 0; i < cap_analysis_nfindings(pf->an); i++)
	{
		const struct cap_finding *cf = cap_analysis_finding(pf->an, i);

		/* the leg a finding belongs to is its last frame */
		probe_result_copy_finding(r, cf, cf->nframes > 0 ?
					  (unsigned)cf->frames[cf->nframes - 1] : 0);
	}
}
