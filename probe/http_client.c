/* http_client.c - one HTTP/1.1 request per handshake leg over libcurl.
 * References: RFC 9112 (HTTP/1.1 message syntax), libcurl-multi(3),
 * libcurl-share(3) (CURL_LOCK_DATA_CONNECT), CURLINFO_NUM_CONNECTS(3).
 */
#include "http_client.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "negscope/cursor.h"
#include "safe_text.h"
#include "token.h"

struct probe_http_conn {
	CURL *easy;
	CURLSH *share;            /* this target's own connection pool */
	struct curl_slist *hdrs;  /* request headers of the current leg */
	struct curl_slist *resolve;
	struct probe_http_resp resp;
	size_t head_bytes;
	bool head_complete;       /* the empty line ending the final (non-1xx) head arrived */
	CURLM *multi;             /* set while a transfer runs */
	void *user;
	const struct probe_http_opts *opts; /* the caller's, outliving the connection */
	char errbuf[CURL_ERROR_SIZE];
};

struct probe_http_multi {
	CURLM *multi;
	int running;
	atomic_bool woken; /* probe_http_multi_wakeup was called (probe-cb: GSS workers) */
};

/* One header line of -v's trace, its secrets replaced by their size and its bytes made
 * safe for a terminal (server text may carry escape sequences, issue 16). */
static void trace_line(char prefix, const char *line, size_t n)
{
	static const char *const auth[] = {"Authorization", "Proxy-Authorization",
					    "WWW-Authenticate", "Proxy-Authenticate"};
	static const char *const cookie[] = {"Cookie", "Set-Cookie"};
	const char *colon = memchr(line, ':', n);
	size_t name = colon != NULL ? (size_t)(colon - line) : 0;
	char safe[4 * 1024 + 1], safe2[2048];
	char *value;

	for (size_t i = 0; colon != NULL && i < sizeof(cookie) / sizeof(cookie[0]); i++)
		if (name == strlen(cookie[i]) && strncasecmp(line, cookie[i], name) == 0) {
			fprintf(stderr, "%c %s: <%zu chars>\n", prefix, cookie[i], n - name - 1);
			return;
		}
	for (size_t i = 0; colon != NULL && i < sizeof(auth) / sizeof(auth[0]); i++) {
		char shown[512];

		if (name != strlen(auth[i]) || strncasecmp(line, auth[i], name) != 0)
			continue;
		value = strndup(colon + 1, n - name - 1);
		if (value == NULL)
			return;
		probe_auth_value_shown(value + strspn(value, " \t"), shown, sizeof(shown));
		free(value);
		fprintf(stderr, "%c %s: %s\n", prefix, auth[i],
			probe_str_safe(safe2, sizeof(safe2), shown));
		return;
	}
	fprintf(stderr, "%c %s\n", prefix, probe_text_safe(safe, sizeof(safe), line, n));
}

/* -v: libcurl's trace on stderr as CURLOPT_VERBOSE prints it, except that tokens, Basic
 * credentials and cookies are shown by size only: secrets never reach logs (issue 7).
 * Bodies are not traced. */
static int debug_cb(CURL *e, curl_infotype type, char *data, size_t size, void *user)
{
	char prefix;
	size_t at = 0;

	(void)e;
	(void)user;
	switch (type) {
	case CURLINFO_TEXT: prefix = '*'; break;
	case CURLINFO_HEADER_OUT: prefix = '>'; break;
	case CURLINFO_HEADER_IN: prefix = '<'; break;
	default: return 0;
	}
	while (at < size) {
		const char *nl = memchr(data + at, '\n', size - at);
		size_t n = nl != NULL ? (size_t)(nl - (data + at)) : size - at;
		size_t next = at + n + (nl != NULL ? 1 : 0);

		if (n > 0 && data[at + n - 1] == '\r')
			n--;
		if (n > 0)
			trace_line(prefix, data + at, n);
		at = next;
	}
	return 0;
}

int probe_http_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

void probe_http_global_cleanup(void)
{
	curl_global_cleanup();
}

int probe_url_resolve(const char *base, const char *location, char **out, char *err,
		      size_t errlen)
{
	CURLU *h = curl_url();
	CURLUcode rc = CURLUE_OUT_OF_MEMORY;
	char *url = NULL;

	*out = NULL;
	if (h != NULL && (rc = curl_url_set(h, CURLUPART_URL, base, 0)) == CURLUE_OK &&
	    (rc = curl_url_set(h, CURLUPART_URL, location, CURLU_URLENCODE)) == CURLUE_OK)
		rc = curl_url_get(h, CURLUPART_URL, &url, 0);
	curl_url_cleanup(h);
	if (rc != CURLUE_OK || url == NULL) {
		snprintf(err, errlen, "cannot follow the redirect: %s", curl_url_strerror(rc));
		return -1;
	}
	*out = strdup(url);
	curl_free(url);
	if (*out == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

int probe_url_parse(const char *url, struct probe_url *u, char *err, size_t errlen)
{
	CURLU *h = curl_url();
	CURLUcode rc;
	char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL;
	int ret = -1;

	memset(u, 0, sizeof(*u));
	if (h == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	rc = curl_url_set(h, CURLUPART_URL, url, 0);
	if (rc != CURLUE_OK) {
		snprintf(err, errlen, "cannot parse URL '%s': %s", url, curl_url_strerror(rc));
		goto out;
	}
	if (curl_url_get(h, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(h, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    curl_url_get(h, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK ||
	    curl_url_get(h, CURLUPART_PATH, &path, 0) != CURLUE_OK) {
		snprintf(err, errlen, "URL '%s' lacks a scheme, host or port", url);
		goto out;
	}
	if (strcasecmp(scheme, "http") != 0 && strcasecmp(scheme, "https") != 0) {
		snprintf(err, errlen, "URL '%s': only http and https are supported", url);
		goto out;
	}
	snprintf(u->scheme, sizeof(u->scheme), "%s", scheme);
	for (char *p = u->scheme; *p != '\0'; p++)
		*p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
	/* IPv6 literals come back in brackets; the SPN and --resolve want them bare. */
	if (host[0] == '[') {
		size_t n = strlen(host);

		snprintf(u->host, sizeof(u->host), "%.*s", (int)(n > 2 ? n - 2 : 0), host + 1);
	} else {
		snprintf(u->host, sizeof(u->host), "%s", host);
	}
	u->port = strtol(port, NULL, 10);
	{
		char *p2 = NULL;

		u->port_explicit = curl_url_get(h, CURLUPART_PORT, &p2, 0) == CURLUE_OK;
		curl_free(p2);
	}
	snprintf(u->path, sizeof(u->path), "%s", path);
	ret = 0;
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(path);
	curl_url_cleanup(h);
	return ret;
}

const char *probe_resolve_lookup(const char *const *resolve, const char *host, long port,
				 char *buf, size_t len)
{
	size_t hl = strlen(host);

	for (size_t i = 0; resolve != NULL && resolve[i] != NULL; i++) {
		const char *e = resolve[i], *c1, *c2;

		if (e[0] == '+' || e[0] == '-')
			e++;
		c1 = strchr(e, ':');
		if (c1 == NULL || (size_t)(c1 - e) != hl || strncasecmp(e, host, hl) != 0)
			continue;
		c2 = strchr(c1 + 1, ':');
		if (c2 == NULL)
			continue;
		if (!(c2 - c1 - 1 == 1 && c1[1] == '*') && strtol(c1 + 1, NULL, 10) != port)
			continue;
		snprintf(buf, len, "%s", c2 + 1);
		/* several addresses: keep the first; strip brackets of IPv6 */
		buf[strcspn(buf, ",")] = '\0';
		if (buf[0] == '[') {
			memmove(buf, buf + 1, strlen(buf));
			buf[strcspn(buf, "]")] = '\0';
		}
		return buf;
	}
	return NULL;
}

static void resp_clear(struct probe_http_resp *r)
{
	for (size_t i = 0; i < r->nheaders; i++) {
		free(r->headers[i].name);
		free(r->headers[i].value);
	}
	memset(r, 0, sizeof(*r));
}

static char *dup_span(struct cap_span s)
{
	char *p = malloc(s.len + 1);

	if (p != NULL) {
		if (s.len > 0)
			memcpy(p, s.p, s.len);
		p[s.len] = '\0';
	}
	return p;
}

static struct cap_span trim(struct cap_span s)
{
	while (s.len > 0 && (s.p[0] == ' ' || s.p[0] == '\t')) {
		s.p++;
		s.len--;
	}
	while (s.len > 0 && (s.p[s.len - 1] == ' ' || s.p[s.len - 1] == '\t' ||
			     s.p[s.len - 1] == '\r' || s.p[s.len - 1] == '\n'))
		s.len--;
	return s;
}

/* "HTTP/1.1 401 Unauthorized": starts a new response head (1xx and the final one). */
static void parse_status_line(struct probe_http_resp *r, struct cap_cursor c)
{
	struct cap_span line = trim(cap_cur_rest(&c));
	struct cap_cursor lc = cap_cur_from_span(line);
	size_t skip = 0;

	/* past "HTTP/x.y" and one space, past the 3-digit code and one space */
	for (int field = 0; field < 2; field++) {
		while (cap_cur_peek(&lc, skip) > ' ')
			skip++;
		while (cap_cur_peek(&lc, skip) == ' ')
			skip++;
	}
	if (cap_cur_skip(&lc, skip))
		snprintf(r->reason, sizeof(r->reason), "%.*s", (int)cap_cur_left(&lc),
			 (const char *)cap_cur_rest(&lc).p);
}

static void add_header(struct probe_http_resp *r, struct cap_span line)
{
	struct cap_cursor c = cap_cur_from_span(line);
	size_t colon = 0;
	int ch;

	if (line.len > 0 && (line.p[0] == ' ' || line.p[0] == '\t')) {
		/* obsolete folding: continue the previous value */
		struct probe_http_header *h;
		struct cap_span more = trim(line);
		size_t old;
		char *v;

		if (r->nheaders == 0)
			return;
		h = &r->headers[r->nheaders - 1];
		old = strlen(h->value);
		if (old + 1 + more.len > PROBE_HTTP_MAX_LINE) {
			r->headers_cut = true;
			return;
		}
		v = realloc(h->value, old + 2 + more.len);
		if (v == NULL)
			return;
		v[old] = ' ';
		memcpy(v + old + 1, more.p, more.len);
		v[old + 1 + more.len] = '\0';
		h->value = v;
		return;
	}
	while ((ch = cap_cur_peek(&c, colon)) >= 0 && ch != ':')
		colon++;
	if (ch != ':' || colon == 0)
		return; /* not a header line; curl already judged the syntax */
	if (r->nheaders >= PROBE_HTTP_MAX_HEADERS) {
		r->headers_cut = true;
		return;
	}
	{
		struct cap_span name = cap_cur_span(&c, colon);
		struct cap_span value;

		cap_cur_skip(&c, 1);
		value = trim(cap_cur_rest(&c));
		if (value.len > PROBE_HTTP_MAX_LINE) {
			value.len = PROBE_HTTP_MAX_LINE;
			r->headers_cut = true;
		}
		r->headers[r->nheaders].name = dup_span(trim(name));
		r->headers[r->nheaders].value = dup_span(value);
		if (r->headers[r->nheaders].name == NULL || r->headers[r->nheaders].value == NULL) {
			free(r->headers[r->nheaders].name);
			free(r->headers[r->nheaders].value);
			return;
		}
		r->nheaders++;
	}
}

static size_t header_cb(char *buf, size_t size, size_t nitems, void *userdata)
{
	struct probe_http_conn *c = userdata;
	size_t n = size * nitems;
	struct cap_cursor cur = cap_cur_init(buf, n);

	c->head_bytes += n;
	if (n <= 2 && (n == 1 ? buf[0] == '\n' : buf[0] == '\r' && buf[1] == '\n')) {
		/* the empty line ending a head (past the cap too); a 1xx head is followed by
		 * another, which clears this again */
		if (c->head_bytes > n)
			c->head_complete = true;
		return n;
	}
	if (c->head_bytes > PROBE_HTTP_MAX_HEAD) {
		c->resp.headers_cut = true;
		return n;
	}
	if (n >= 5 && memcmp(buf, "HTTP/", 5) == 0) {
		/* a new head (after 100 Continue, say): drop the interim one */
		bool cut = c->resp.headers_cut;

		c->head_complete = false;
		for (size_t i = 0; i < c->resp.nheaders; i++) {
			free(c->resp.headers[i].name);
			free(c->resp.headers[i].value);
		}
		c->resp.nheaders = 0;
		c->resp.headers_cut = cut;
		parse_status_line(&c->resp, cur);
		return n;
	}

	add_header(&c->resp, cap_cur_rest(&cur));
	return n;
}

static size_t body_cb(char *buf, size_t size, size_t nitems, void *userdata)
{
	struct probe_http_conn *c = userdata;

	(void)buf;
	c->resp.body_bytes += (uint64_t)size * nitems;
	return size * nitems;
}

struct probe_http_conn *probe_http_conn_new(const struct probe_http_opts *o)
{
	struct probe_http_conn *c = calloc(1, sizeof(*c));
	CURL *e;

	if (c == NULL)
		return NULL;
	c->opts = o;
	c->easy = e = curl_easy_init();
	c->share = curl_share_init();
	if (e == NULL || c->share == NULL)
		goto fail;
	curl_share_setopt(c->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
	for (size_t i = 0; o->resolve != NULL && o->resolve[i] != NULL; i++) {
		struct curl_slist *n = curl_slist_append(c->resolve, o->resolve[i]);

		if (n == NULL)
			goto fail;
		c->resolve = n;
	}
	curl_easy_setopt(e, CURLOPT_SHARE, c->share);
	curl_easy_setopt(e, CURLOPT_CERTINFO, 1L); /* the channel binding's certificate */
	curl_easy_setopt(e, CURLOPT_PRIVATE, c);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, c->errbuf);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, c);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, body_cb);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, o->timeout_ms > 0 ? o->timeout_ms : 30000L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
			 o->connect_timeout_ms > 0 ? o->connect_timeout_ms : 10000L);
	curl_easy_setopt(e, CURLOPT_USERAGENT, o->user_agent != NULL ? o->user_agent : "negprobe");
	if (c->resolve != NULL)
		curl_easy_setopt(e, CURLOPT_RESOLVE, c->resolve);
	if (o->cacert != NULL)
		curl_easy_setopt(e, CURLOPT_CAINFO, o->cacert);
	if (o->insecure) {
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (o->proxy != NULL)
		curl_easy_setopt(e, CURLOPT_PROXY, o->proxy);
	if (o->verbose) {
		curl_easy_setopt(e, CURLOPT_DEBUGFUNCTION, debug_cb);
		curl_easy_setopt(e, CURLOPT_VERBOSE, 1L);
	}
	return c;
fail:
	probe_http_conn_free(c);
	return NULL;
}

void probe_http_conn_free(struct probe_http_conn *c)
{
	if (c == NULL)
		return;
	if (c->multi != NULL)
		curl_multi_remove_handle(c->multi, c->easy);
	resp_clear(&c->resp);
	/* the easy handle goes first: it may still hold a connection of the share */
	if (c->easy != NULL)
		curl_easy_cleanup(c->easy);
	if (c->share != NULL)
		curl_share_cleanup(c->share);
	curl_slist_free_all(c->hdrs);
	curl_slist_free_all(c->resolve);
	free(c);
}

int probe_http_conn_prepare(struct probe_http_conn *c, const char *url, const char *authz)
{
	struct curl_slist *h = NULL;

	resp_clear(&c->resp);
	c->head_bytes = 0;
	c->head_complete = false;
	c->errbuf[0] = '\0';
	curl_slist_free_all(c->hdrs);
	c->hdrs = NULL;
	/* no compression negotiation, no Expect: keep the request minimal */
	h = curl_slist_append(h, "Accept: */*");
	if (h == NULL)
		return -1;
	c->hdrs = h;
	if (authz != NULL) {
		size_t n = strlen("Authorization: ") + strlen(authz) + 1;
		char *line = malloc(n);

		if (line == NULL)
			return -1;
		snprintf(line, n, "Authorization: %s", authz);
		h = curl_slist_append(c->hdrs, line);
		free(line);
		if (h == NULL)
			return -1;
		c->hdrs = h;
		c->resp.request_auth_len = n - 1;
	}
	curl_easy_setopt(c->easy, CURLOPT_URL, url);
	curl_easy_setopt(c->easy, CURLOPT_HTTPHEADER, c->hdrs);
	return 0;
}

const struct probe_http_resp *probe_http_conn_resp(const struct probe_http_conn *c)
{
	return &c->resp;
}

void probe_http_conn_set_user(struct probe_http_conn *c, void *user)
{
	c->user = user;
}

void *probe_http_conn_user(const struct probe_http_conn *c)
{
	return c->user;
}

/* Appends "key value" from one certinfo line "Key:value" when it matches. */
static void cert_field(char *buf, size_t len, const char *line, const char *key, const char *label)
{
	size_t kl = strlen(key), used = strlen(buf);

	if (strncasecmp(line, key, kl) != 0 || line[kl] != ':' || used + 4 >= len)
		return;
	snprintf(buf + used, len - used, "%s%s %s", used > 0 ? "; " : "", label, line + kl + 1);
}

/* A certificate failure's evidence: the leaf certificate's names and dates, read over a
 * second connection that does not verify (curl keeps no CERTINFO of a transfer whose
 * verification failed).  Only for failures where the server did present a certificate:
 * after garbage, a refused version or cipher the second try cannot get further.  It keeps
 * the user's --timeout/--connect-timeout, so a server that stalls it costs no more than
 * the transfer was allowed (issue 16: a fixed 5 s, serialising --parallel targets). */
static void cert_summary(const struct probe_http_opts *o, CURL *failed, char *buf, size_t len)
{
	CURL *e;
	struct curl_slist *res = NULL;
	struct curl_certinfo *ci = NULL;
	char *url = NULL;
	long limit = o->timeout_ms > 0 ? o->timeout_ms : 30000L;
	long climit = o->connect_timeout_ms > 0 ? o->connect_timeout_ms : 10000L;

	buf[0] = '\0';
	if (curl_easy_getinfo(failed, CURLINFO_EFFECTIVE_URL, &url) != CURLE_OK || url == NULL)
		return;
	e = curl_easy_init();
	if (e == NULL)
		return;
	for (size_t i = 0; o->resolve != NULL && o->resolve[i] != NULL; i++) {
		struct curl_slist *n = curl_slist_append(res, o->resolve[i]);

		if (n == NULL)
			goto out;
		res = n;
	}
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_CONNECT_ONLY, 1L);
	curl_easy_setopt(e, CURLOPT_CERTINFO, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, climit < limit ? climit : limit);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, climit < limit ? climit : limit);
	if (o->proxy != NULL)
		curl_easy_setopt(e, CURLOPT_PROXY, o->proxy);
	if (res != NULL)
		curl_easy_setopt(e, CURLOPT_RESOLVE, res);
	if (curl_easy_perform(e) != CURLE_OK)
		goto out;
	if (curl_easy_getinfo(e, CURLINFO_CERTINFO, &ci) != CURLE_OK || ci == NULL ||
	    ci->num_of_certs < 1)
		goto out;
	for (struct curl_slist *s = ci->certinfo[0]; s != NULL; s = s->next) {
		cert_field(buf, len, s->data, "Subject", "subject");
		cert_field(buf, len, s->data, "X509v3 Subject Alternative Name", "names");
		cert_field(buf, len, s->data, "Issuer", "issuer");
		cert_field(buf, len, s->data, "Start date", "valid from");
		cert_field(buf, len, s->data, "Expire date", "until");
	}
out:
	curl_easy_cleanup(e);
	curl_slist_free_all(res);
}

/* Failures after which the server has shown a certificate. */
static bool presented_certificate(enum probe_tls_kind k)
{
	return k == PROBE_TLS_UNTRUSTED_ISSUER || k == PROBE_TLS_SELF_SIGNED ||
	       k == PROBE_TLS_NAME_MISMATCH || k == PROBE_TLS_EXPIRED ||
	       k == PROBE_TLS_NOT_YET_VALID || k == PROBE_TLS_REVOKED;
}

static void fill_info(struct probe_http_conn *c, CURLcode rc)
{
	struct probe_http_resp *r = &c->resp;
	CURL *e = c->easy;
	long l = 0;
	char *s = NULL;
	curl_off_t t = 0;

	r->curl_code = (int)rc;
	r->head_bytes = c->head_bytes;
	if (rc != CURLE_OK && c->head_bytes > 0)
		/* the server had started to answer: the answer failed, not the connection */
		r->cut = c->head_bytes > PROBE_HTTP_MAX_HEAD ? PROBE_HTTP_CUT_TOO_LARGE :
			 rc == CURLE_OPERATION_TIMEDOUT ? PROBE_HTTP_CUT_TIMEOUT :
			 c->head_complete ? PROBE_HTTP_CUT_BODY : PROBE_HTTP_CUT_HEAD;
	if (rc == CURLE_OK && !c->head_complete) {
		/* curl takes a connection closed inside the head as its end: that is no
		 * complete 401 (or 200) to act on */
		rc = CURLE_PARTIAL_FILE;
		r->curl_code = (int)rc;
		r->cut = PROBE_HTTP_CUT_HEAD;
		snprintf(c->errbuf, sizeof(c->errbuf),
			 "the response ended in the middle of its headers (%zu bytes received)",
			 c->head_bytes);
	} else if (rc != CURLE_OK && c->head_bytes > PROBE_HTTP_MAX_HEAD) {
		/* curl says "Out of memory" or "Too large response headers" */
		snprintf(c->errbuf, sizeof(c->errbuf),
			 "the response headers exceeded libcurl's limit of %d KB (%zu bytes "
			 "received)", PROBE_HTTP_MAX_HEAD / 1024, c->head_bytes);
	}
	if (rc != CURLE_OK)
		snprintf(r->error, sizeof(r->error), "%s",
			 c->errbuf[0] != '\0' ? c->errbuf : curl_easy_strerror(rc));
	/* a transfer that failed has a status only when its head arrived whole (a body cut):
	 * the leg and the result then show the same one; the caller does not answer it */
	if ((rc == CURLE_OK || r->cut == PROBE_HTTP_CUT_BODY) &&
	    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &l) == CURLE_OK)
		r->status = l;
	if (curl_easy_getinfo(e, CURLINFO_HTTP_VERSION, &l) == CURLE_OK)
		r->http_version = l == CURL_HTTP_VERSION_1_0 ? 10 :
				  l == CURL_HTTP_VERSION_2_0 ? 20 :
				  l == CURL_HTTP_VERSION_1_1 ? 11 : 0;
	if (curl_easy_getinfo(e, CURLINFO_NUM_CONNECTS, &l) == CURLE_OK)
		r->conn_new = l > 0;
	if (curl_easy_getinfo(e, CURLINFO_LOCAL_PORT, &l) == CURLE_OK)
		r->local_port = l;
	if (curl_easy_getinfo(e, CURLINFO_PRIMARY_PORT, &l) == CURLE_OK)
		r->remote_port = l;
	if (curl_easy_getinfo(e, CURLINFO_LOCAL_IP, &s) == CURLE_OK && s != NULL)
		snprintf(r->local_ip, sizeof(r->local_ip), "%s", s);
	if (curl_easy_getinfo(e, CURLINFO_PRIMARY_IP, &s) == CURLE_OK && s != NULL)
		snprintf(r->remote_ip, sizeof(r->remote_ip), "%s", s);
	if (curl_easy_getinfo(e, CURLINFO_CONNECT_TIME_T, &t) == CURLE_OK)
		r->t_connect = (double)t / 1e6;
	if (curl_easy_getinfo(e, CURLINFO_APPCONNECT_TIME_T, &t) == CURLE_OK)
		r->t_tls = (double)t / 1e6;
	if (curl_easy_getinfo(e, CURLINFO_TOTAL_TIME_T, &t) == CURLE_OK)
		r->t_total = (double)t / 1e6;
	if (r->cut == PROBE_HTTP_CUT_NONE && rc == CURLE_OPERATION_TIMEDOUT && r->t_connect > 0 &&
	    (r->t_tls > 0 || (curl_easy_getinfo(e, CURLINFO_SCHEME, &s) == CURLE_OK &&
			      s != NULL && strcasecmp(s, "http") == 0)))
		/* connected (and TLS done): the server is slow or stuck, it is reachable */
		r->cut = PROBE_HTTP_CUT_TIMEOUT;
	if (curl_easy_getinfo(e, CURLINFO_SSL_VERIFYRESULT, &l) == CURLE_OK)
		r->verify_result = l;
	if (rc == CURLE_OK)
		probe_chanbind_from_curl(e, &r->chanbind);
	if (rc != CURLE_OK)
		r->tls = probe_tls_classify((int)rc, r->verify_result, r->error);
}

struct probe_http_multi *probe_http_multi_new(void)
{
	struct probe_http_multi *m = calloc(1, sizeof(*m));

	if (m == NULL)
		return NULL;
	atomic_init(&m->woken, false);
	m->multi = curl_multi_init();
	if (m->multi == NULL) {
		free(m);
		return NULL;
	}
	return m;
}

void probe_http_multi_free(struct probe_http_multi *m)
{
	if (m == NULL)
		return;
	curl_multi_cleanup(m->multi);
	free(m);
}

int probe_http_multi_add(struct probe_http_multi *m, struct probe_http_conn *c)
{
	if (curl_multi_add_handle(m->multi, c->easy) != CURLM_OK)
		return -1;
	c->multi = m->multi;
	m->running++;
	return 0;
}

/* Takes one finished transfer off the multi handle, or NULL. */
static struct probe_http_conn *take_done(struct probe_http_multi *m)
{
	CURLMsg *msg;
	int left = 0;

	while ((msg = curl_multi_info_read(m->multi, &left)) != NULL) {
		struct probe_http_conn *c = NULL;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&c);
		if (c == NULL)
			continue;
		fill_info(c, msg->data.result);
		curl_multi_remove_handle(m->multi, c->easy);
		c->multi = NULL;
		/* after the removal: the failed connection is closed, so a server that serves
		 * one connection at a time answers the second */
		if (presented_certificate(c->resp.tls))
			cert_summary(c->opts, c->easy, c->resp.certificate,
				     sizeof(c->resp.certificate));
		m->running--;
		return c;
	}
	return NULL;
}

struct probe_http_conn *probe_http_multi_next(struct probe_http_multi *m)
{
	for (;;) {
		struct probe_http_conn *c = take_done(m);
		int still = 0;

		if (c != NULL)
			return c;
		if (m->running <= 0)
			return NULL;
		if (curl_multi_perform(m->multi, &still) != CURLM_OK)
			return NULL;
		c = take_done(m);
		if (c != NULL)
			return c;
		if (atomic_exchange(&m->woken, false))
			return NULL;
		curl_multi_poll(m->multi, NULL, 0, 1000, NULL);
		if (atomic_exchange(&m->woken, false))
			return NULL;
	}
}

/* probe-cb: the GSS workers wake the loop when a job is done (curl_multi_wakeup(3) may be
 * called from any thread). */
void probe_http_multi_wakeup(struct probe_http_multi *m)
{
	atomic_store(&m->woken, true);
	curl_multi_wakeup(m->multi);
}

bool probe_http_multi_busy(const struct probe_http_multi *m)
{
	return m->running > 0;
}

const char *probe_http_header(const struct probe_http_resp *r, const char *name, size_t n)
{
	for (size_t i = 0; i < r->nheaders; i++)
		if (strcasecmp(r->headers[i].name, name) == 0 && n-- == 0)
			return r->headers[i].value;
	return NULL;
}
