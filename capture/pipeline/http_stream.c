/* http_stream.c - HTTP/1.x over one TCP connection: heads out, bodies skipped.
 *
 * References: RFC 9112 section 6.3 (message body length: HEAD, 1xx, 204,
 * 304, CONNECT 2xx, Transfer-Encoding chunked, Content-Length, read until
 * close), section 7.1 (chunked coding), section 9.3 (persistence: HTTP/1.0
 * without keep-alive, Connection: close), section 9.3.2 (pipelining:
 * responses come in request order).  Body bytes are never copied.
 */
#include "pipeline/pipeline_int.h"

#include <string.h>

enum http_mode {
	H_SYNC = 0,   /* looking for the start of a message at a line start */
	H_HEAD,       /* a message head is next */
	H_BODY,       /* `remaining` body bytes to skip */
	H_CHUNK_SIZE, /* a chunk-size line is next */
	H_CHUNK_DATA, /* `remaining` chunk bytes to skip */
	H_CHUNK_END,  /* the CRLF after chunk data */
	H_TRAILER,    /* trailer fields up to an empty line */
	H_CLOSE,      /* body until the connection closes */
	H_DEAD        /* not HTTP any more (upgrade, tunnel) */
};

#define MAX_CHUNK_LINE 4096 /* chunk-size line with extensions */
#define SYNC_MIN 16         /* bytes needed to judge a line start */

void cap_pl_http_init(struct flow_state *fs)
{
	int i;

	memset(&fs->app->u.http, 0, sizeof(fs->app->u.http));
	for (i = 0; i < 2; i++) {
		fs->app->u.http.d[i].mode = H_SYNC;
		fs->app->u.http.d[i].line_start = true;
	}
}

static bool from_client(const struct dir_ctx *c)
{
	return c->side == c->fs->client_side;
}

/* Length of the line at the start of s including its LF, 0 when incomplete. */
static size_t line_len(struct cap_span s)
{
	const uint8_t *nl = s.len > 0 ? memchr(s.p, '\n', s.len) : NULL;

	return nl != NULL ? (size_t)(nl - s.p) + 1 : 0;
}

/* Looks for the empty line ending a head, resuming at *scan. */
static bool head_complete(struct cap_span s, uint32_t *scan)
{
	struct cap_cursor c = cap_span_slice(s, *scan < s.len ? *scan : s.len,
					     s.len - (*scan < s.len ? *scan : s.len));

	for (;;) {
		struct cap_span rest = cap_cur_rest(&c);
		size_t n = line_len(rest);

		if (n == 0)
			break;
		cap_cur_skip(&c, n);
		if (cap_cur_peek(&c, 0) == '\n' ||
		    (cap_cur_peek(&c, 0) == '\r' && cap_cur_peek(&c, 1) == '\n'))
			return true;
	}
	/* Resume just before the last line end (it may be followed by CR LF). */
	*scan = s.len > 2 ? (uint32_t)(s.len - 2) : 0;
	return false;
}

static bool parse_u64(struct cap_span v, int base, uint64_t *out)
{
	struct cap_cursor c = cap_cur_from_span(v);
	uint64_t n = 0;
	int ch, digit, count = 0;

	while ((ch = cap_cur_peek(&c, 0)) >= 0) {
		if (ch >= '0' && ch <= '9')
			digit = ch - '0';
		else if (base == 16 && ch >= 'a' && ch <= 'f')
			digit = ch - 'a' + 10;
		else if (base == 16 && ch >= 'A' && ch <= 'F')
			digit = ch - 'A' + 10;
		else
			break;
		if (n > (UINT64_MAX >> 5))
			return false;
		n = n * (uint64_t)base + (uint64_t)digit;
		cap_cur_skip(&c, 1);
		count++;
	}
	*out = n;
	return count > 0;
}

/* Joins obs-fold continuation lines into the previous header's value with
 * one space (RFC 9112 section 5.2) in the pipeline's scratch buffer. */
static void join_folded(struct cap_pipeline *pl, struct cap_http_header *h, size_t *n)
{
	size_t i, out = 0, used = 0;
	ptrdiff_t joined = -1;

	for (i = 0; i < *n; i++) {
		struct cap_http_header *prev;
		size_t need;

		if (h[i].name.p != NULL || out == 0) {
			if (h[i].name.p != NULL)
				h[out++] = h[i];
			continue;
		}
		prev = &h[out - 1];
		need = h[i].value.len + 1 + (joined == (ptrdiff_t)(out - 1) ? 0 : prev->value.len);
		if (need > pl->fold_cap - used)
			continue; /* over the cap: the continuation is dropped */
		if (joined != (ptrdiff_t)(out - 1)) {
			if (prev->value.len > 0)
				memcpy(pl->fold_buf + used, prev->value.p, prev->value.len);
			prev->value.p = pl->fold_buf + used;
			used += prev->value.len;
			joined = (ptrdiff_t)(out - 1);
		}
		pl->fold_buf[used++] = ' ';
		if (h[i].value.len > 0)
			memcpy(pl->fold_buf + used, h[i].value.p, h[i].value.len);
		used += h[i].value.len;
		prev->value.len = (size_t)(pl->fold_buf + used - prev->value.p);
	}
	*n = out;
}

/* The first Transfer-Encoding, Content-Length and Connection headers, in one pass
 * that looks at a name's length before its letters. */
static void find_framing(const struct cap_http_header *h, size_t n,
			 const struct cap_http_header **te, const struct cap_http_header **cl,
			 const struct cap_http_header **conn)
{
	size_t i;

	*te = *cl = *conn = NULL;
	for (i = 0; i < n; i++) {
		const struct cap_http_header **slot;
		const char *name;

		switch (h[i].name.len) {
		case 17: slot = te; name = "Transfer-Encoding"; break;
		case 14: slot = cl; name = "Content-Length"; break;
		case 10: slot = conn; name = "Connection"; break;
		default: continue;
		}
		if (*slot == NULL && cap_http1_span_ieq(h[i].name, name))
			*slot = &h[i];
	}
}

static void kill_flow(struct flow_state *fs)
{
	fs->app->u.http.d[0].mode = H_DEAD;
	fs->app->u.http.d[1].mode = H_DEAD;
}

/* Decides how the body after this head is delimited and emits the event. */
static void emit(struct dir_ctx *c, struct http_dir *d, const struct cap_http1_head *h,
		 size_t head_len)
{
	struct cap_pipeline *pl = c->pl;
	struct flow_state *fs = c->fs;
	struct cap_http_msg m;
	const struct cap_http_header *te, *cl, *conn;
	size_t n = h->nheaders;
	uint64_t len = 0;
	bool has_len = false, chunked, tunnel = false;

	if (h->anomalies & CAP_HTTP_ANOM_FOLDED)
		join_folded(pl, pl->hdrs, &n);
	if (h->anomalies & (CAP_HTTP_ANOM_LONG_HEADER | CAP_HTTP_ANOM_TOO_MANY))
		pl->st.http_cap_hits++;
	if (h->anomalies & CAP_HTTP_ANOM_LONG_HEADER)
		pl->st.header_line_cap_hits++;
	if (h->anomalies & CAP_HTTP_ANOM_TOO_MANY)
		pl->st.headers_cap_hits++;
	find_framing(pl->hdrs, n, &te, &cl, &conn);
	chunked = te != NULL && cap_http1_list_has(te->value, "chunked");
	if (cl != NULL)
		has_len = parse_u64(cl->value, 10, &len);

	memset(&m, 0, sizeof(m));
	m.frame = pl->frame;
	m.first_frame = d->first_frame != 0 ? d->first_frame : pl->frame;
	m.ts = pl->ts;
	m.stream = fs->stream;
	cap_pl_endpoints(fs, &m.client, &m.server);
	m.is_request = h->is_request;
	m.version_minor = h->version_minor;
	m.method = h->method;
	m.target = h->target;
	m.status = h->status;
	m.reason = h->reason;
	m.headers = pl->hdrs;
	m.nheaders = n;
	m.header_bytes = head_len;
	m.body_bytes = has_len && !chunked ? len : 0;
	m.anomalies = h->anomalies | (d->after_gap ? CAP_HTTP_ANOM_AFTER_GAP : 0);
	m.chunked = chunked;
	m.tls = cap_pl_tls_info(fs);
	if (conn != NULL && cap_http1_list_has(conn->value, "close"))
		m.close = CAP_HTTP_CLOSE_HEADER;
	else if (h->version_minor == 0 &&
		 (conn == NULL || !cap_http1_list_has(conn->value, "keep-alive")))
		m.close = CAP_HTTP_CLOSE_HTTP10;

	/* The body that follows (RFC 9112 section 6.3). */
	if (h->is_request) {
		struct pending_req *q;

		if (fs->app->u.http.qlen == HTTP_QUEUE) {
			fs->app->u.http.qhead = (uint8_t)((fs->app->u.http.qhead + 1) % HTTP_QUEUE);
			fs->app->u.http.qlen--;
		}
		q = &fs->app->u.http.q[(fs->app->u.http.qhead + fs->app->u.http.qlen) % HTTP_QUEUE];
		fs->app->u.http.qlen++;
		q->frame = pl->frame;
		q->head = cap_http1_span_ieq(h->method, "HEAD");
		q->connect = cap_http1_span_ieq(h->method, "CONNECT");
		d->mode = chunked ? H_CHUNK_SIZE : has_len && len > 0 ? H_BODY : H_HEAD;
	} else if (h->status < 200) {
		/* Interim: the final response is still to come for the same request. */
		d->mode = H_HEAD;
	} else {
		struct pending_req q;

		memset(&q, 0, sizeof(q));
		if (fs->app->u.http.qlen > 0) {
			q = fs->app->u.http.q[fs->app->u.http.qhead];
			fs->app->u.http.qhead = (uint8_t)((fs->app->u.http.qhead + 1) % HTTP_QUEUE);
			fs->app->u.http.qlen--;
		}
		m.paired_frame = q.frame;
		if (q.head || h->status == 204 || h->status == 304)
			d->mode = H_HEAD;
		else if (chunked)
			d->mode = H_CHUNK_SIZE;
		else if (has_len)
			d->mode = len > 0 ? H_BODY : H_HEAD;
		else {
			d->mode = H_CLOSE;
			m.body_to_close = true;
		}
		if (q.head || h->status == 204 || h->status == 304)
			m.body_bytes = 0;
		tunnel = q.connect && h->status < 300;
	}
	if (!h->is_request && h->status == 101)
		tunnel = true;
	d->remaining = len;
	d->after_gap = false;
	d->first_frame = 0;
	d->scan_off = 0;
	pl->st.http_messages++;
	if (pl->sink.http != NULL)
		pl->sink.http(pl->sink.ctx, &m);
	/* Protocol switch or tunnel: what follows is not HTTP. */
	if (tunnel)
		kill_flow(fs);
}

/* Skips to a line that starts a message of this direction.  Returns the
 * bytes used; the mode becomes H_HEAD when one was found. */
static size_t resync(const struct dir_ctx *c, struct http_dir *d, struct cap_span s)
{
	struct cap_cursor cur = cap_cur_from_span(s);
	bool is_req;

	for (;;) {
		struct cap_span rest = cap_cur_rest(&cur);
		size_t n;

		if (d->line_start) {
			n = line_len(rest);
			if (n == 0 && rest.len < SYNC_MIN)
				return s.len - rest.len; /* too little to judge: hold it */
			if (cap_http1_looks_like_start(rest.p, rest.len, &is_req) &&
			    is_req == from_client(c)) {
				d->mode = H_HEAD;
				return s.len - rest.len;
			}
		} else {
			n = line_len(rest);
		}
		if (n == 0) {
			d->line_start = false;
			return s.len;
		}
		cap_cur_skip(&cur, n);
		d->line_start = true;
	}
}

static size_t skip_body(struct http_dir *d, size_t avail, enum http_mode next)
{
	size_t k = d->remaining < avail ? (size_t)d->remaining : avail;

	d->remaining -= k;
	if (d->remaining == 0)
		d->mode = (uint8_t)next;
	return k;
}

/* One step on a line-oriented state (chunk size, chunk end, trailer).
 * Returns bytes used, 0 when the line is not complete yet. */
static size_t chunk_line(struct cap_pipeline *pl, struct http_dir *d, struct cap_span s,
			 bool *malformed)
{
	size_t n = line_len(s);
	struct cap_cursor lc = cap_cur_from_span(s);
	struct cap_span line;
	uint64_t size;

	*malformed = false;
	if (n == 0) {
		*malformed = s.len > MAX_CHUNK_LINE;
		return 0;
	}
	line = cap_span_of(s.p, n);
	if (d->mode == H_CHUNK_SIZE) {
		if (!parse_u64(line, 16, &size)) {
			*malformed = true;
			return 0;
		}
		d->remaining = size;
		d->mode = size == 0 ? H_TRAILER : H_CHUNK_DATA;
	} else if (d->mode == H_CHUNK_END) {
		d->mode = H_CHUNK_SIZE;
	} else if (n == 1 || (n == 2 && cap_cur_peek(&lc, 0) == '\r')) {
		d->mode = H_HEAD; /* empty line: end of the trailer section */
	}
	(void)pl;
	return n;
}

/* Abandons the head being read; the direction looks for the next message. */
static void give_up_head(struct http_dir *d)
{
	d->mode = H_SYNC;
	d->line_start = false;
	d->after_gap = true;
	d->scan_off = 0;
	d->first_frame = 0;
}

size_t cap_pl_http_consume(void *ctx, const uint8_t *p, size_t n)
{
	struct dir_ctx *c = ctx;
	struct cap_pipeline *pl = c->pl;
	struct http_dir *d = &c->fs->app->u.http.d[c->side];
	struct cap_cursor cur = cap_cur_init(p, n);
	struct cap_http1_head h;
	bool bad;
	long r;

	while (cap_cur_left(&cur) > 0) {
		struct cap_span s = cap_cur_rest(&cur);
		size_t k;

		switch (d->mode) {
		case H_SYNC:
			k = resync(c, d, s);
			if (d->mode == H_SYNC && k < s.len)
				goto need_more;
			break;
		case H_HEAD:
			/* Blank lines between messages are ignored (RFC 9112 section 2.2). */
			if (cap_cur_peek(&cur, 0) == '\r' || cap_cur_peek(&cur, 0) == '\n') {
				k = 1;
				break;
			}
			/* A head held from earlier segments is parsed only once its end is
			 * there (no quadratic re-parsing); a fresh one is parsed at once, and
			 * a parse that fails before the end of the head waits for it, as the
			 * parse-after-the-end order would. */
			if (d->scan_off != 0 && !head_complete(s, &d->scan_off))
				goto need_more;
			if (from_client(c))
				r = cap_http1_parse_request(s.p, s.len, &h, pl->hdrs,
							    pl->lim.max_headers, pl->lim.max_header_line);
			else
				r = cap_http1_parse_response(s.p, s.len, &h, pl->hdrs,
							     pl->lim.max_headers, pl->lim.max_header_line);
			if (r <= 0 && d->scan_off == 0 && !head_complete(s, &d->scan_off))
				goto need_more;
			if (r == CAP_HTTP1_INCOMPLETE)
				goto need_more;
			if (r <= 0) {
				pl->st.http_parse_errors++;
				d->mode = H_SYNC;
				d->line_start = false;
				d->scan_off = 0;
				d->first_frame = 0;
				k = 0;
				break;
			}
			k = (size_t)r;
			if (k > pl->lim.max_message) {
				/* Too big to decode: skipped whole, the next bytes start afresh. */
				pl->st.message_cap_hits++;
				pl->st.http_cap_hits++;
				give_up_head(d);
				d->line_start = true;
				break;
			}
			emit(c, d, &h, k);
			break;
		case H_BODY:
			k = skip_body(d, s.len, H_HEAD);
			break;
		case H_CHUNK_DATA:
			k = skip_body(d, s.len, H_CHUNK_END);
			break;
		case H_CHUNK_SIZE:
		case H_CHUNK_END:
		case H_TRAILER:
			k = chunk_line(pl, d, s, &bad);
			if (bad) {
				pl->st.http_parse_errors++;
				d->mode = H_SYNC;
				d->line_start = false;
				break;
			}
			if (k == 0)
				goto need_more;
			break;
		default: /* H_CLOSE, H_DEAD: nothing more to read here */
			k = s.len;
			break;
		}
		cap_cur_skip(&cur, k);
	}
	return n;
need_more:
	if (d->mode == H_HEAD && cap_cur_left(&cur) > pl->lim.max_message) {
		/* A head still open past the cap: drop what is held and resynchronise. */
		pl->st.message_cap_hits++;
		pl->st.http_cap_hits++;
		give_up_head(d);
		return n;
	}
	if (d->first_frame == 0 && d->mode == H_HEAD)
		d->first_frame = pl->frame;
	return n - cap_cur_left(&cur);
}

void cap_pl_http_gap(void *ctx, uint64_t bytes)
{
	struct dir_ctx *c = ctx;
	struct http_dir *d = &c->fs->app->u.http.d[c->side];

	cap_pl_conn_event(c->pl, c->fs, CAP_CONN_GAP, c->side, bytes);
	if ((d->mode == H_BODY || d->mode == H_CHUNK_DATA) && d->remaining >= bytes) {
		/* The hole lies inside a body we skip anyway. */
		d->remaining -= bytes;
		if (d->remaining == 0)
			d->mode = d->mode == H_BODY ? H_HEAD : H_CHUNK_END;
		return;
	}
	if (d->mode == H_CLOSE || d->mode == H_DEAD)
		return;
	give_up_head(d);
	d->line_start = true; /* segments often begin a message */
}

void cap_pl_http_overflow(void *ctx)
{
	struct dir_ctx *c = ctx;
	struct http_dir *d = &c->fs->app->u.http.d[c->side];

	c->pl->st.http_cap_hits++;
	if (d->mode == H_DEAD)
		return;
	give_up_head(d);
}

void cap_pl_http_fin(struct dir_ctx *c)
{
	struct http_dir *d = &c->fs->app->u.http.d[c->side];

	if (d->mode == H_CLOSE)
		d->mode = H_DEAD;
}
