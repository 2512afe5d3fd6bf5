/* h2_retry.c - a client's HTTP/2 requests and which of them a refusal with
 * HTTP_1_1_REQUIRED refused (RFC 9113 sections 6.4, 6.8 and 7), for http2-downgrade.
 *
 * RST_STREAM names the refused stream.  GOAWAY names the last stream the server accepted
 * (section 6.8): the requests on streams above it were not processed, and are the ones to
 * repeat; when there are none, the server processed the request and then closed with
 * HTTP_1_1_REQUIRED, and the refused one is the request that got no response.
 */
#include <stdlib.h>
#include <string.h>

#include "findings/engine.h"
#include "findings/txt.h"

/* Still worth keeping at `now`: waiting for its response, or refused and its retry may
 * still come. */
static bool h2_live(const struct h2_req *r, double now)
{
	if (r->refused_frame != 0)
		return now - r->refused_ts <= H2_RETRY_WINDOW;
	return !r->answered;
}

/* A slot for a new request: a free one, else the oldest no longer live, else the oldest. */
static struct h2_req *h2_slot(struct h2_req *q, double now)
{
	struct h2_req *old = NULL, *dead = NULL;

	for (unsigned i = 0; i < CS_H2; i++) {
		if (q[i].frame == 0)
			return &q[i];
		if (!h2_live(&q[i], now) && (dead == NULL || q[i].frame < dead->frame))
			dead = &q[i];
		if (old == NULL || q[i].frame < old->frame)
			old = &q[i];
	}
	return dead != NULL ? dead : old;
}

static struct h2_req *h2_find(struct h2_req *q, uint32_t stream, uint32_t h2_id)
{
	for (unsigned i = 0; i < CS_H2; i++)
		if (q[i].frame != 0 && q[i].stream == stream && q[i].h2_id == h2_id)
			return &q[i];
	return NULL;
}

void engine_h2_http(struct cap_analysis *a, const struct cap_http_fact *f)
{
	struct client_state *cs = engine_client(a, &f->client);
	struct h2_req *r;

	if (cs == NULL)
		return;
	if (!f->is_request) {
		/* a final response: the request was not refused after all (1xx are not) */
		r = cs->h2 != NULL ? h2_find(cs->h2, f->stream, f->h2_stream_id) : NULL;
		if (r != NULL && f->status >= 200) {
			r->answered = true;
			r->refused_frame = 0;
		}
		return;
	}
	if (cs->h2 == NULL) {
		cs->h2 = calloc(CS_H2, sizeof(*cs->h2));
		if (cs->h2 == NULL)
			return;
	}
	r = h2_slot(cs->h2, f->ts);
	memset(r, 0, sizeof(*r));
	r->frame = f->frame;
	r->ts = f->ts;
	r->stream = f->stream;
	r->h2_id = f->h2_stream_id;
	r->server = f->server;
	txt_copy(r->method, sizeof(r->method), f->method);
	txt_copy(r->target, sizeof(r->target), f->target);
	txt_copy(r->host, sizeof(r->host), f->host);
}

static void refuse(struct h2_req *r, const struct cap_conn_event *e)
{
	r->refused_frame = e->frame;
	r->refused_ts = e->ts;
}

void engine_h2_refused(struct cap_analysis *a, const struct cap_conn_event *e)
{
	struct client_state *cs = engine_client(a, &e->client);
	struct h2_req *q;
	bool above = false;
	unsigned i;

	if (cs == NULL || cs->h2 == NULL)
		return; /* no request of this client seen: nothing to name */
	q = cs->h2;
	if (!e->h2_goaway) {
		struct h2_req *r = h2_find(q, e->stream, e->h2_stream_id);

		if (r != NULL)
			refuse(r, e);
		return;
	}
	for (i = 0; i < CS_H2; i++)
		if (q[i].frame != 0 && q[i].stream == e->stream && q[i].h2_id > e->h2_stream_id)
			above = true;
	for (i = 0; i < CS_H2; i++) {
		struct h2_req *r = &q[i];

		if (r->frame == 0 || r->stream != e->stream || r->refused_frame != 0)
			continue;
		if (above ? r->h2_id > e->h2_stream_id : !r->answered)
			refuse(r, e);
	}
}
