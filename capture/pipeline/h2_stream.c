/* h2_stream.c - HTTP/2 over one TCP connection (cleartext h2c with prior knowledge, RFC
 * 9113 section 3.3, or decrypted TLS with ALPN "h2", section 3.2): each header block
 * becomes an HTTP message event, as HTTP/1 heads do.  A refusal with HTTP_1_1_REQUIRED
 * (section 7: the server wants the request again on HTTP/1.1) is a connection event.
 *
 * The pseudo-headers become the request line and status (section 8.3); ":authority" stands
 * for Host (section 8.3.1) when no Host field is sent. A response is paired with the request
 * of its stream.
 */
#include "pipeline/pipeline_int.h"

#include <string.h>

#include "negscope/http2.h"

bool cap_pl_h2_start(struct cap_pipeline *pl, struct flow_state *fs)
{
	struct cap_h2_limits lim;
	int side;

	memset(&fs->app->u.h2, 0, sizeof(fs->app->u.h2));
	if (pl->h2_live >= H2_MAX_LIVE) {
		pl->st.http_cap_hits++;
		return false;
	}
	pl->h2_live++;
	fs->app->h2_live = true;
	memset(&lim, 0, sizeof(lim));
	lim.max_frame = pl->lim.max_message;
	lim.max_header_list = pl->lim.max_message;
	lim.max_headers = pl->lim.max_headers;
	for (side = 0; side < 2; side++) {
		fs->app->u.h2.d[side] = cap_h2_dir_new(side == fs->client_side, &lim);
		if (fs->app->u.h2.d[side] == NULL) {
			cap_pl_h2_release(pl, fs);
			return false;
		}
	}
	return true;
}

static void add_stats(struct cap_pipeline *pl, const struct cap_h2_dir *d)
{
	const struct cap_h2_stats *s = cap_h2_dir_stats(d);

	pl->st.message_cap_hits += s->frame_cap_hits;
	pl->st.http_cap_hits += s->frame_cap_hits + s->header_cap_hits;
	pl->st.http_parse_errors += s->hpack_errors + s->malformed;
}

void cap_pl_h2_release(struct cap_pipeline *pl, struct flow_state *fs)
{
	int side;

	if (fs->app == NULL || !fs->app->h2_live)
		return;
	fs->app->h2_live = false;
	pl->h2_live--;
	for (side = 0; side < 2; side++) {
		if (fs->app->u.h2.d[side] != NULL)
			add_stats(pl, fs->app->u.h2.d[side]);
		cap_h2_dir_free(fs->app->u.h2.d[side]);
		fs->app->u.h2.d[side] = NULL;
	}
}

static bool parse_status(struct cap_span v, int *out)
{
	struct cap_cursor c = cap_cur_from_span(v);
	int n = 0, i;

	if (v.len != 3)
		return false;
	for (i = 0; i < 3; i++) {
		int ch = cap_cur_u8(&c);

		if (ch < '0' || ch > '9')
			return false;
		n = n * 10 + (ch - '0');
	}
	*out = n;
	return true;
}

/* The request of a stream, kept for its response (the oldest is forgotten when full). */
static void remember(struct flow_app *a, uint32_t sid, uint64_t frame)
{
	struct h2_pending *q = &a->u.h2.q[a->u.h2.qnext % HTTP_QUEUE];

	q->stream_id = sid;
	q->frame = frame;
	a->u.h2.qnext++;
}

static uint64_t paired(const struct flow_app *a, uint32_t sid)
{
	size_t i;

	for (i = 0; i < HTTP_QUEUE; i++)
		if (a->u.h2.q[i].frame != 0 && a->u.h2.q[i].stream_id == sid)
			return a->u.h2.q[i].frame;
	return 0;
}

/* The refusal as the pipeline saw it: which request it refused is the engine's to work out
 * (it pairs requests and responses by stream), from RST_STREAM's stream or GOAWAY's
 * last_stream_id (RFC 9113 sections 6.4, 6.8). */
static void refused(struct cap_pipeline *pl, struct flow_state *fs, int side,
		    const struct cap_h2_event *ev)
{
	struct cap_conn_event e;

	if (pl->sink.conn == NULL)
		return;
	cap_pl_conn_init(pl, fs, CAP_CONN_H2_REFUSED, side, &e);
	e.is_http = true;
	e.h2_goaway = ev->kind == CAP_H2_GOAWAY;
	e.h2_stream_id = e.h2_goaway ? ev->last_stream_id : ev->stream_id;
	pl->sink.conn(pl->sink.ctx, &e);
}

static void on_event(void *ctx, const struct cap_h2_event *ev)
{
	struct dir_ctx *c = ctx;
	struct cap_pipeline *pl = c->pl;
	struct flow_state *fs = c->fs;
	struct cap_http_msg m;
	struct cap_span authority = { NULL, 0 };
	bool has_host = false;
	size_t i, n = 0;

	if (ev->kind != CAP_H2_HEADERS) {
		if (ev->error_code == CAP_H2_ERR_HTTP_1_1_REQUIRED &&
		    c->side != fs->client_side)
			refused(pl, fs, c->side, ev);
		return;
	}
	memset(&m, 0, sizeof(m));
	m.frame = pl->frame;
	m.first_frame = pl->frame;
	m.ts = pl->ts;
	m.stream = fs->stream;
	cap_pl_endpoints(fs, &m.client, &m.server);
	m.is_request = c->side == fs->client_side;
	m.http2 = true;
	m.tls = cap_pl_tls_info(fs);
	m.h2_stream_id = ev->stream_id;
	m.header_bytes = ev->header_bytes;
	if (ev->headers_cut)
		m.anomalies |= CAP_HTTP_ANOM_TOO_MANY;
	for (i = 0; i < ev->nheaders; i++) {
		const struct cap_http_header *h = &ev->headers[i];

		if (h->name.len > 0 && h->name.p[0] == ':') {
			if (cap_span_eq(h->name, ":method"))
				m.method = h->value;
			else if (cap_span_eq(h->name, ":path"))
				m.target = h->value;
			else if (cap_span_eq(h->name, ":authority"))
				authority = h->value;
			else if (cap_span_eq(h->name, ":status") &&
				 !parse_status(h->value, &m.status))
				m.status = 0;
			continue;
		}
		if (n >= pl->lim.max_headers)
			break;
		if (cap_http1_span_ieq(h->name, "host"))
			has_host = true;
		pl->hdrs[n++] = *h;
	}
	if (!has_host && authority.p != NULL && n < pl->lim.max_headers) {
		pl->hdrs[n].name = cap_span_of("host", 4);
		pl->hdrs[n].value = authority;
		n++;
	}
	m.headers = pl->hdrs;
	m.nheaders = n;
	if (m.is_request) {
		if (m.method.p == NULL)
			return; /* trailers: nothing to report */
		remember(fs->app, ev->stream_id, pl->frame);
	} else {
		if (m.status == 0)
			return;
		m.paired_frame = paired(fs->app, ev->stream_id);
	}
	pl->st.http_messages++;
	if (pl->sink.http != NULL)
		pl->sink.http(pl->sink.ctx, &m);
}

size_t cap_pl_h2_consume(void *ctx, const uint8_t *p, size_t n)
{
	struct dir_ctx *c = ctx;

	if (c->fs->app == NULL || c->fs->app->u.h2.d[c->side] == NULL)
		return n;
	return cap_h2_dir_consume(c->fs->app->u.h2.d[c->side], p, n, on_event, ctx);
}

void cap_pl_h2_gap(void *ctx, uint64_t bytes)
{
	struct dir_ctx *c = ctx;

	(void)bytes;
	if (c->fs->app != NULL && c->fs->app->u.h2.d[c->side] != NULL)
		cap_h2_dir_gap(c->fs->app->u.h2.d[c->side]);
}

void cap_pl_h2_overflow(void *ctx)
{
	struct dir_ctx *c = ctx;

	c->pl->st.http_cap_hits++;
	cap_pl_h2_gap(ctx, 0);
}

/* ALPN "h2": the decoders start with the first decrypted bytes (the client's preface). */
static size_t tls_consume(struct dir_ctx *c, const uint8_t *p, size_t n)
{
	if (!c->fs->app->h2_live && !cap_pl_h2_start(c->pl, c->fs))
		return n;
	c->fs->was_http = true;
	return cap_pl_h2_consume(c, p, n);
}

static void tls_gap(struct dir_ctx *c)
{
	cap_pl_h2_gap(c, 0);
}

/* Released with the connection's struct flow_app (cap_pl_h2_release), not here. */
const struct cap_pl_tls_app cap_pl_h2_tls_app = {"h2", tls_consume, tls_gap, NULL};
