/* http1.c - HTTP/1.x message head parser: spans into the caller's buffer.
 *
 * Reference: RFC 9112 (HTTP/1.1 message syntax), sections 2-5; obsolete line
 * folding (obs-fold) per RFC 9112 section 5.2.  Modelled on picohttpparser's
 * contract (consumed / need more / malformed), without its code.
 */
#include "negscope/http1.h"

#include <string.h>

/* Methods recognised when HTTP is found by content on an arbitrary port:
 * RFC 9110, WebDAV (RFC 4918, RFC 3253, RFC 5323), RPC over HTTP (MS-RPCH). */
static const char *const known_methods[] = {
	"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH",
	"PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "SEARCH",
	"REPORT", "CHECKOUT", "CHECKIN", "MERGE", "MKACTIVITY", "VERSION-CONTROL",
	"RPC_IN_DATA", "RPC_OUT_DATA", NULL
};

static int lower(int ch)
{
	return ch >= 'A' && ch <= 'Z' ? ch + ('a' - 'A') : ch;
}

static bool is_tchar(int ch)
{
	if (ch < 0)
		return false;
	if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9'))
		return true;
	return ch != 0 && strchr("!#$%&'*+-.^_`|~", ch) != NULL;
}

static bool is_ws(int ch)
{
	return ch == ' ' || ch == '\t';
}

static bool span_ieq_n(struct cap_span s, const char *lit, size_t n)
{
	struct cap_cursor c = cap_cur_from_span(s);
	const uint8_t *b;
	size_t i;

	if (s.len != n)
		return false;
	b = cap_cur_bytes(&c, n); /* bounds checked once for the loop */
	if (b == NULL)
		return n == 0;
	for (i = 0; i < n; i++)
		if (lower(b[i]) != lower((unsigned char)lit[i]))
			return false;
	return true;
}

bool cap_http1_span_ieq(struct cap_span s, const char *lit)
{
	return span_ieq_n(s, lit, strlen(lit));
}

/* Strips spaces and tabs from both ends of a span. */
static struct cap_span trim(struct cap_span s)
{
	struct cap_cursor c = cap_cur_from_span(s);
	const uint8_t *b = cap_cur_bytes(&c, s.len); /* bounds checked once */
	size_t lo = 0, hi = s.len;

	if (b == NULL || hi == 0)
		return cap_span_of(s.p, 0);
	while (lo < hi && is_ws(b[lo]))
		lo++;
	while (hi > lo && is_ws(b[hi - 1]))
		hi--;
	return cap_span_of(b + lo, hi - lo);
}

/* Takes the next line (without its CR LF or LF) from c.  Returns 1 with the
 * line, 0 when no line end is present yet. */
static int next_line(struct cap_cursor *c, struct cap_span *line, uint32_t *anom)
{
	struct cap_span rest = cap_cur_rest(c);
	struct cap_cursor lc;
	const uint8_t *nl;
	size_t n;

	if (rest.len == 0)
		return 0;
	nl = memchr(rest.p, '\n', rest.len);
	if (nl == NULL)
		return 0;
	n = (size_t)(nl - rest.p);
	*line = cap_cur_span(c, n);
	cap_cur_skip(c, 1);
	lc = cap_cur_from_span(*line);
	if (line->len > 0 && cap_cur_peek(&lc, line->len - 1) == '\r')
		line->len--;
	else
		*anom |= CAP_HTTP_ANOM_BARE_LF;
	return 1;
}

/* "HTTP/1.x" at the start of c; returns x or -1. */
static int parse_version(struct cap_cursor *c)
{
	const uint8_t *v = cap_cur_bytes(c, 8);

	if (v == NULL || memcmp(v, "HTTP/1.", 7) != 0 || v[7] < '0' || v[7] > '9')
		return -1;
	return v[7] - '0';
}

/* A token up to the next space; fails on an empty or non-token run. */
static struct cap_span take_token(struct cap_cursor *c)
{
	struct cap_span none = { NULL, 0 };
	size_t n = 0;

	while (is_tchar(cap_cur_peek(c, n)))
		n++;
	if (n == 0 || cap_cur_peek(c, n) != ' ')
		return none;
	return cap_cur_span(c, n);
}

static int parse_request_line(struct cap_span line, struct cap_http1_head *h)
{
	struct cap_cursor c = cap_cur_from_span(line);
	struct cap_span rest;
	const uint8_t *sp;

	h->method = take_token(&c);
	if (h->method.p == NULL)
		return -1;
	while (cap_cur_peek(&c, 0) == ' ')
		cap_cur_skip(&c, 1);
	rest = cap_cur_rest(&c);
	sp = rest.len > 0 ? memchr(rest.p, ' ', rest.len) : NULL;
	if (sp == NULL || sp == rest.p)
		return -1;
	h->target = cap_cur_span(&c, (size_t)(sp - rest.p));
	while (cap_cur_peek(&c, 0) == ' ')
		cap_cur_skip(&c, 1);
	h->version_minor = parse_version(&c);
	if (h->version_minor < 0)
		return -1;
	/* Trailing white space after the version is tolerated. */
	rest = trim(cap_cur_rest(&c));
	return rest.len == 0 ? 0 : -1;
}

static int parse_status_line(struct cap_span line, struct cap_http1_head *h)
{
	struct cap_cursor c = cap_cur_from_span(line);
	const uint8_t *d;
	int i;

	h->version_minor = parse_version(&c);
	if (h->version_minor < 0 || cap_cur_u8(&c) != ' ')
		return -1;
	while (cap_cur_peek(&c, 0) == ' ')
		cap_cur_skip(&c, 1);
	d = cap_cur_bytes(&c, 3);
	if (d == NULL)
		return -1;
	h->status = 0;
	for (i = 0; i < 3; i++) {
		if (d[i] < '0' || d[i] > '9')
			return -1;
		h->status = h->status * 10 + (d[i] - '0');
	}
	if (h->status < 100)
		return -1;
	if (cap_cur_left(&c) > 0 && cap_cur_u8(&c) != ' ')
		return -1;
	h->reason = trim(cap_cur_rest(&c));
	return 0;
}

/* Parses header lines up to the empty line.  Returns 0 at the end of the head,
 * CAP_HTTP1_INCOMPLETE or CAP_HTTP1_MALFORMED. */
static int parse_headers(struct cap_cursor *c, struct cap_http1_head *h,
			 struct cap_http_header *hdrs, size_t max_headers, size_t max_line)
{
	struct cap_span line;
	bool have_prev = false;

	for (;;) {
		struct cap_cursor lc;
		struct cap_span name, value, rest;
		const uint8_t *colon;

		if (!next_line(c, &line, &h->anomalies))
			return CAP_HTTP1_INCOMPLETE;
		if (line.len == 0)
			return 0;
		lc = cap_cur_from_span(line);
		if (is_ws(cap_cur_peek(&lc, 0))) {
			/* obs-fold: only valid after a header line. */
			if (!have_prev)
				return CAP_HTTP1_MALFORMED;
			h->anomalies |= CAP_HTTP_ANOM_FOLDED;
			name.p = NULL;
			name.len = 0;
			value = trim(line);
		} else {
			colon = memchr(line.p, ':', line.len);
			if (colon == NULL || colon == line.p)
				return CAP_HTTP1_MALFORMED;
			name = cap_cur_span(&lc, (size_t)(colon - line.p));
			cap_cur_skip(&lc, 1);
			rest = cap_cur_rest(&lc);
			value = trim(rest);
			have_prev = true;
		}
		if (line.len > max_line) {
			h->anomalies |= CAP_HTTP_ANOM_LONG_HEADER;
			if (value.len > max_line)
				value.len = max_line;
		}
		if (h->nheaders >= max_headers) {
			h->anomalies |= CAP_HTTP_ANOM_TOO_MANY;
			continue;
		}
		hdrs[h->nheaders].name = name;
		hdrs[h->nheaders].value = value;
		h->nheaders++;
	}
}

static long parse_head(const uint8_t *buf, size_t len, struct cap_http1_head *h,
		       struct cap_http_header *hdrs, size_t max_headers, size_t max_line,
		       bool request)
{
	struct cap_cursor c = cap_cur_init(buf, len);
	struct cap_span line;
	int r;

	memset(h, 0, sizeof(*h));
	h->is_request = request;
	/* RFC 9112 section 2.2: ignore at least one empty line before a request. */
	while (cap_cur_peek(&c, 0) == '\r' || cap_cur_peek(&c, 0) == '\n')
		cap_cur_skip(&c, 1);
	if (!next_line(&c, &line, &h->anomalies))
		return cap_cur_left(&c) > max_line ? CAP_HTTP1_MALFORMED : CAP_HTTP1_INCOMPLETE;
	if (line.len > max_line)
		return CAP_HTTP1_MALFORMED;
	r = request ? parse_request_line(line, h) : parse_status_line(line, h);
	if (r != 0)
		return CAP_HTTP1_MALFORMED;
	r = parse_headers(&c, h, hdrs, max_headers, max_line);
	if (r != 0)
		return r;
	return (long)(len - cap_cur_left(&c));
}

long cap_http1_parse_request(const uint8_t *buf, size_t len, struct cap_http1_head *h,
			     struct cap_http_header *hdrs, size_t max_headers, size_t max_line)
{
	return parse_head(buf, len, h, hdrs, max_headers, max_line, true);
}

long cap_http1_parse_response(const uint8_t *buf, size_t len, struct cap_http1_head *h,
			      struct cap_http_header *hdrs, size_t max_headers, size_t max_line)
{
	return parse_head(buf, len, h, hdrs, max_headers, max_line, false);
}

const struct cap_http_header *cap_http1_find(const struct cap_http_header *hdrs, size_t n,
					    const char *name, size_t *from)
{
	size_t i, len = strlen(name);

	for (i = from != NULL ? *from : 0; i < n; i++) {
		if (hdrs[i].name.len == len && span_ieq_n(hdrs[i].name, name, len)) {
			if (from != NULL)
				*from = i + 1;
			return &hdrs[i];
		}
	}
	if (from != NULL)
		*from = n;
	return NULL;
}

bool cap_http1_list_has(struct cap_span value, const char *token)
{
	struct cap_cursor c = cap_cur_from_span(value);

	while (cap_cur_left(&c) > 0) {
		struct cap_span rest = cap_cur_rest(&c);
		const uint8_t *comma = memchr(rest.p, ',', rest.len);
		size_t n = comma != NULL ? (size_t)(comma - rest.p) : rest.len;
		struct cap_span item = trim(cap_cur_span(&c, n));

		if (cap_http1_span_ieq(item, token))
			return true;
		cap_cur_skip(&c, comma != NULL ? 1 : 0);
	}
	return false;
}

bool cap_http1_is_method_start(const uint8_t *p, size_t len)
{
	struct cap_cursor c = cap_cur_init(p, len);
	size_t i, n;

	/* Cheap first test: methods are upper-case letters and '_' / '-'. */
	if (cap_cur_peek(&c, 0) < 'A' || cap_cur_peek(&c, 0) > 'Z')
		return false;
	for (i = 0; known_methods[i] != NULL; i++) {
		n = strlen(known_methods[i]);
		if (len > n && memcmp(p, known_methods[i], n) == 0 && cap_cur_peek(&c, n) == ' ')
			return true;
	}
	return false;
}

bool cap_http1_looks_like_start(const uint8_t *buf, size_t len, bool *is_request_out)
{
	struct cap_cursor c = cap_cur_init(buf, len);
	const uint8_t *nl, *v;
	size_t linelen, i;

	if (len >= 12 && memcmp(buf, "HTTP/1.", 7) == 0) {
		v = cap_cur_bytes(&c, 12);
		if (v != NULL && v[7] >= '0' && v[7] <= '9' && v[8] == ' ') {
			for (i = 9; i < 12; i++)
				if (v[i] < '0' || v[i] > '9')
					return false;
			*is_request_out = false;
			return true;
		}
		return false;
	}
	if (!cap_http1_is_method_start(buf, len))
		return false;
	nl = memchr(buf, '\n', len);
	linelen = nl != NULL ? (size_t)(nl - buf) : len;
	if (linelen >= 8 && memmem(buf, linelen, " HTTP/1.", 8) != NULL) {
		*is_request_out = true;
		return true;
	}
	if (nl != NULL)
		return false;
	/* A request line not yet complete in this segment (long target). */
	*is_request_out = true;
	return true;
}
