/* engine.c - groups decoded facts into authentication conversations and runs the rules.
 *
 * A conversation is one client address talking to one server host:port, across as many
 * TCP connections as the handshake takes, plus the KDC traffic of that client around it.
 * HTTP traffic without any authentication (no 401, no WWW-Authenticate, no
 * Authorization) never creates a conversation, so a busy capture costs a stream entry
 * per connection and nothing more.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "findings/engine.h"
#include "findings/steps.h"
#include "findings/txt.h"

#define DEF_MAX_CONVERSATIONS 65536
#define DEF_MAX_STREAMS 65536
#define DEF_MAX_STEPS 65536
#define DEF_MAX_STEPS_PER_CONV 200
#define DEF_MAX_FINDINGS 10000
/* KDC traffic attaches to the client's last conversation when it is this recent. */
#define KDC_ATTACH_WINDOW 300.0

struct hs_key {
	uint32_t stream;
};

struct ks_key {
	uint8_t transport;
	uint8_t pad[3];
	uint32_t stream;            /* TCP */
	struct cap_endpoint a, b;   /* UDP: client, server */
};

struct conv_key {
	uint8_t kdc_only;
	uint8_t family;
	uint8_t addr[16];
	struct cap_endpoint server;
};

struct client_key {
	uint8_t family;
	uint8_t addr[16];
};

struct f_key {
	uint32_t id;
	uint32_t pad;
	uint64_t hash;
};

/* Finding keys name who (user, SPN, host): case-insensitive names in Active Directory,
 * so JOHNSON-PC$ and johnson-pc$ are one record. */
static uint64_t str_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; s != NULL && *s != '\0'; s++) {
		h ^= (uint8_t)tolower((unsigned char)*s);
		h *= 1099511628211ull;
	}
	return h;
}

const char *engine_addr(const struct cap_endpoint *e, char *buf, size_t len)
{
	return cap_addr_str(e, buf, len);
}

const char *engine_ep(const struct cap_endpoint *e, char *buf, size_t len)
{
	return cap_endpoint_str(e, buf, len);
}

struct cap_analysis *cap_analysis_new(const struct cap_analysis_limits *lim)
{
	struct cap_analysis *a = calloc(1, sizeof(*a));

	if (a == NULL)
		return NULL;
	if (lim != NULL)
		a->lim = *lim;
	if (a->lim.max_conversations == 0)
		a->lim.max_conversations = DEF_MAX_CONVERSATIONS;
	if (a->lim.max_streams == 0)
		a->lim.max_streams = DEF_MAX_STREAMS;
	if (a->lim.max_steps == 0)
		a->lim.max_steps = DEF_MAX_STEPS;
	if (a->lim.max_steps_per_conv == 0)
		a->lim.max_steps_per_conv = DEF_MAX_STEPS_PER_CONV;
	if (a->lim.max_findings == 0)
		a->lim.max_findings = DEF_MAX_FINDINGS;
	if (tbl_init(&a->hstreams, a->lim.max_streams, sizeof(struct hs_key)) != 0 ||
	    tbl_init(&a->kstreams, a->lim.max_streams, sizeof(struct ks_key)) != 0 ||
	    tbl_init(&a->convmap, a->lim.max_conversations, sizeof(struct conv_key)) != 0 ||
	    tbl_init(&a->clients, a->lim.max_conversations, sizeof(struct client_key)) != 0 ||
	    tbl_init(&a->fmap, a->lim.max_findings, sizeof(struct f_key)) != 0) {
		cap_analysis_free(a);
		return NULL;
	}
	a->convs = calloc(a->lim.max_conversations, sizeof(*a->convs));
	if (a->convs == NULL) {
		cap_analysis_free(a);
		return NULL;
	}
	return a;
}

static void free_table_values(struct tbl *t)
{
	for (size_t i = 0; i < t->slots; i++) {
		void *v = tbl_at(t, i, NULL);
		free(v);
	}
}

static void hstream_free(void *v)
{
	struct hstream *hs = v;

	if (hs != NULL)
		free(hs->q);
	free(hs);
}

/* A dropped stream goes to a small pool with its queue: a connection without
 * authentication takes one and gives it back per exchange, without malloc. */
static void hstream_put_back(struct cap_analysis *a, struct hstream *hs)
{
	if (hs == NULL)
		return;
	if (a->nhs_pool < HS_POOL) {
		a->hs_pool[a->nhs_pool++] = hs;
		return;
	}
	hstream_free(hs);
}

static struct hstream *hstream_take(struct cap_analysis *a)
{
	struct hstream *hs;
	struct req_info *q;

	if (a->nhs_pool == 0)
		return calloc(1, sizeof(struct hstream));
	hs = a->hs_pool[--a->nhs_pool];
	q = hs->q;
	memset(hs, 0, sizeof(*hs));
	hs->q = q;
	return hs;
}

static void kstream_free(void *v)
{
	struct kstream *ks = v;

	if (ks != NULL)
		free(ks->q);
	free(ks);
}

void engine_kstream_trim(struct kstream *ks)
{
	if (ks->qn == 0 && ks->q != NULL) {
		free(ks->q);
		ks->q = NULL;
	}
}

static void hstream_trim(struct hstream *hs)
{
	if (hs->qn == 0 && hs->q != NULL) {
		free(hs->q);
		hs->q = NULL;
	}
}

void cap_analysis_free(struct cap_analysis *a)
{
	if (a == NULL)
		return;
	for (size_t i = 0; i < a->hstreams.slots; i++)
		hstream_free(tbl_at(&a->hstreams, i, NULL));
	for (size_t i = 0; i < a->nhs_pool; i++)
		hstream_free(a->hs_pool[i]);
	for (size_t i = 0; i < a->kstreams.slots; i++)
		kstream_free(tbl_at(&a->kstreams, i, NULL));
	for (size_t i = 0; i < a->clients.slots; i++) {
		struct client_state *cs = tbl_at(&a->clients, i, NULL);

		if (cs != NULL) {
			free(cs->tls);
			free(cs->h2);
		}
	}
	free_table_values(&a->clients);
	tbl_free(&a->hstreams);
	tbl_free(&a->kstreams);
	tbl_free(&a->convmap);
	tbl_free(&a->clients);
	tbl_free(&a->fmap);
	if (a->convs != NULL) {
		for (size_t i = 0; i < a->nconvs; i++) {
			free(a->convs[i]->pub.steps);
			free(a->convs[i]);
		}
		free(a->convs);
	}
	for (size_t i = 0; i < a->nfindings; i++) {
		cap_finding_clear(a->findings[i]);
		free(a->findings[i]);
	}
	free(a->findings);
	judges_probe_free(a);
	free(a);
}

void cap_analysis_set_hooks(struct cap_analysis *a, const struct cap_analysis_hooks *h)
{
	if (h != NULL)
		a->hooks = *h;
	else
		memset(&a->hooks, 0, sizeof(a->hooks));
}

const struct cap_decode_limits *cap_analysis_decode_limits(const struct cap_analysis *a)
{
	return &a->lim.decode;
}

/* ---- conversations and steps ---- */

struct client_state *engine_client(struct cap_analysis *a, const struct cap_endpoint *addr)
{
	struct client_key k;
	struct client_state *cs;

	memset(&k, 0, sizeof(k));
	k.family = addr->family;
	memcpy(k.addr, addr->addr, sizeof(k.addr));
	cs = tbl_get(&a->clients, &k);
	if (cs != NULL)
		return cs;
	if (tbl_full(&a->clients))
		return NULL;
	cs = calloc(1, sizeof(*cs));
	if (cs == NULL)
		return NULL;
	cs->addr = *addr;
	cs->addr.port = 0;
	cs->kdc_err = -1;
	if (tbl_put(&a->clients, &k, cs) != 0) {
		free(cs);
		return NULL;
	}
	return cs;
}

struct conv *engine_conv_find(struct cap_analysis *a, const struct cap_endpoint *client,
			      const struct cap_endpoint *server, bool kdc_only)
{
	struct conv_key k;

	memset(&k, 0, sizeof(k));
	k.kdc_only = kdc_only;
	k.family = client->family;
	memcpy(k.addr, client->addr, sizeof(k.addr));
	k.server = *server;
	return tbl_get(&a->convmap, &k);
}

struct conv *engine_conv(struct cap_analysis *a, const struct cap_endpoint *client,
			 const struct cap_endpoint *server, bool kdc_only)
{
	struct conv_key k;
	struct conv *c;
	struct client_state *cs;

	memset(&k, 0, sizeof(k));
	k.kdc_only = kdc_only;
	k.family = client->family;
	memcpy(k.addr, client->addr, sizeof(k.addr));
	k.server = *server;
	c = tbl_get(&a->convmap, &k);
	if (c != NULL)
		return c;
	if (a->nconvs >= a->lim.max_conversations) {
		a->st.conversations_dropped++;
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL || tbl_put(&a->convmap, &k, c) != 0) {
		free(c);
		a->st.conversations_dropped++;
		return NULL;
	}
	c->pub.id = (unsigned)a->nconvs + 1;
	c->pub.client = *client;
	c->pub.client.port = 0;
	c->pub.server = *server;
	c->pub.kdc_only = kdc_only;
	a->convs[a->nconvs++] = c;
	a->st.conversations++;
	if (!kdc_only) {
		cs = engine_client(a, client);
		if (cs != NULL) {
			cs->recent[cs->nrecent % CS_RECENT] = c;
			cs->nrecent++;
		}
	}
	return c;
}

void engine_step(struct cap_analysis *a, struct conv *c, const struct cap_step *step)
{
	struct cap_conversation *p;
	uint64_t frame = step->frame;
	size_t i;

	if (c == NULL)
		return;
	p = &c->pub;
	if (p->first_frame == 0 || frame < p->first_frame)
		p->first_frame = frame;
	if (frame > p->last_frame)
		p->last_frame = frame;
	if (p->nsteps >= a->lim.max_steps_per_conv || a->steps_total >= a->lim.max_steps) {
		p->steps_dropped++;
		a->st.steps_dropped++;
		return;
	}
	if (p->nsteps == p->steps_cap) {
		size_t ncap = p->steps_cap ? p->steps_cap * 2 : 8;
		struct cap_step *ns;

		if (ncap > a->lim.max_steps_per_conv)
			ncap = a->lim.max_steps_per_conv;
		ns = realloc(p->steps, ncap * sizeof(*ns));
		if (ns == NULL) {
			p->steps_dropped++;
			a->st.steps_dropped++;
			return;
		}
		p->steps = ns;
		p->steps_cap = ncap;
	}
	/* Keep frame order: a request's step can be added when its response arrives. */
	for (i = p->nsteps; i > 0 && p->steps[i - 1].frame > frame; i--)
		;
	memmove(&p->steps[i + 1], &p->steps[i], (p->nsteps - i) * sizeof(p->steps[0]));
	p->steps[i] = *step;
	p->nsteps++;
	a->steps_total++;
}

void engine_conv_evidence(struct cap_finding *f, const struct conv *c)
{
	char buf[80];

	if (c == NULL)
		return;
	f->conversation = c->pub.id;
	cap_finding_set_str(f, "client", engine_addr(&c->pub.client, buf, sizeof(buf)));
	if (!c->pub.kdc_only) {
		cap_finding_set_str(f, "server", engine_ep(&c->pub.server, buf, sizeof(buf)));
		if (c->pub.host[0] != '\0')
			cap_finding_set_str(f, "host", c->pub.host);
	}
}

/* ---- findings ---- */

void engine_emit(struct cap_analysis *a, struct cap_finding *f)
{
	struct f_key k;
	struct cap_finding *old, *nf;

	memset(&k, 0, sizeof(k));
	k.id = (uint32_t)f->id;
	k.hash = str_hash(f->key != NULL ? f->key : "");
	old = tbl_get(&a->fmap, &k);
	if (old != NULL) {
		for (size_t i = 0; i < f->nframes; i++)
			cap_finding_add_frame(old, f->frames[i]);
		old->count += f->count;
		if (f->severity > old->severity)
			old->severity = f->severity;
		cap_finding_clear(f);
		return;
	}
	if (a->nfindings >= a->lim.max_findings) {
		a->st.findings_dropped++;
		cap_finding_clear(f);
		return;
	}
	if (a->nfindings == a->findings_cap) {
		size_t ncap = a->findings_cap ? a->findings_cap * 2 : 16;
		struct cap_finding **nv = realloc(a->findings, ncap * sizeof(*nv));

		if (nv == NULL) {
			a->st.findings_dropped++;
			cap_finding_clear(f);
			return;
		}
		a->findings = nv;
		a->findings_cap = ncap;
	}
	nf = malloc(sizeof(*nf));
	if (nf == NULL || tbl_put(&a->fmap, &k, nf) != 0) {
		free(nf);
		a->st.findings_dropped++;
		cap_finding_clear(f);
		return;
	}
	cap_finding_move(nf, f);
	a->findings[a->nfindings++] = nf;
}

struct cap_finding *engine_find(struct cap_analysis *a, enum cap_finding_id id, const char *key)
{
	struct f_key k;

	memset(&k, 0, sizeof(k));
	k.id = (uint32_t)id;
	k.hash = str_hash(key != NULL ? key : "");
	return tbl_get(&a->fmap, &k);
}

/* ---- streams ---- */

static void evict_one(struct tbl *t, size_t *cursor, uint64_t *counter, void (*release)(void *))
{
	for (size_t n = 0; n < t->slots; n++) {
		size_t i = (*cursor + n) & (t->slots - 1);
		const void *key;
		void *v = tbl_at(t, i, &key);
		uint8_t kcopy[TBL_KEY_MAX];

		if (v == NULL)
			continue;
		memcpy(kcopy, key, t->keylen);
		tbl_del(t, kcopy);
		release(v);
		*cursor = i + 1;
		(*counter)++;
		return;
	}
}

static struct hstream *hstream_get(struct cap_analysis *a, uint32_t stream, bool create,
				   const struct cap_endpoint *client,
				   const struct cap_endpoint *server)
{
	struct hs_key k;
	struct hstream *hs;

	memset(&k, 0, sizeof(k));
	k.stream = stream;
	hs = tbl_get(&a->hstreams, &k);
	if (hs != NULL || !create)
		return hs;
	if (tbl_full(&a->hstreams))
		evict_one(&a->hstreams, &a->evict_cursor_h, &a->st.streams_evicted, hstream_free);
	hs = hstream_take(a);
	if (hs == NULL)
		return NULL;
	hs->stream = stream;
	hs->client = *client;
	hs->server = *server;
	if (tbl_put(&a->hstreams, &k, hs) != 0) {
		hstream_free(hs);
		return NULL;
	}
	return hs;
}

static void hstream_drop(struct cap_analysis *a, uint32_t stream)
{
	struct hs_key k;

	memset(&k, 0, sizeof(k));
	k.stream = stream;
	hstream_put_back(a, tbl_del(&a->hstreams, &k));
}

static void ks_key_of(struct ks_key *k, enum cap_transport t, uint32_t stream,
		      const struct cap_endpoint *client, const struct cap_endpoint *server)
{
	memset(k, 0, sizeof(*k));
	k->transport = (uint8_t)t;
	if (t == CAP_TRANSPORT_TCP) {
		k->stream = stream;
	} else {
		k->a = *client;
		k->b = *server;
	}
}

static struct kstream *kstream_get(struct cap_analysis *a, enum cap_transport t,
				   uint32_t stream, const struct cap_endpoint *client,
				   const struct cap_endpoint *server, bool create)
{
	struct ks_key k;
	struct kstream *ks;

	ks_key_of(&k, t, stream, client, server);
	ks = tbl_get(&a->kstreams, &k);
	if (ks != NULL || !create)
		return ks;
	if (tbl_full(&a->kstreams))
		evict_one(&a->kstreams, &a->evict_cursor_k, &a->st.streams_evicted, kstream_free);
	ks = calloc(1, sizeof(*ks));
	if (ks == NULL)
		return NULL;
	ks->transport = t;
	ks->stream = stream;
	ks->seq = a->next_kseq++;
	ks->client = *client;
	ks->server = *server;
	if (tbl_put(&a->kstreams, &k, ks) != 0) {
		free(ks);
		return NULL;
	}
	return ks;
}

static void note_time(struct cap_analysis *a, uint64_t frame, double ts)
{
	if (frame > a->last_frame)
		a->last_frame = frame;
	if (ts > a->last_ts)
		a->last_ts = ts;
}

/* ---- HTTP ---- */

static bool http_relevant(const struct cap_http_fact *f, const struct req_info *req)
{
	if (f->has_auth || f->offered != 0)
		return true;
	if (f->is_request)
		return false;
	if (f->status == 401 || f->status == 407)
		return true;
	return req != NULL && req->has_auth;
}

static struct conv *attach_conv(struct cap_analysis *a, struct hstream *hs,
				const struct cap_http_fact *f)
{
	struct conv *c = hs->conv;
	struct client_state *cs;

	if (c == NULL) {
		c = engine_conv(a, &hs->client, &hs->server, false);
		hs->conv = c;
	}
	if (c == NULL)
		return NULL;
	if (!hs->counted) {
		hs->counted = true;
		c->pub.nstreams++;
	}
	if (c->pub.host[0] == '\0' && hs->host[0] != '\0')
		txt_copy(c->pub.host, sizeof(c->pub.host), hs->host);
	c->pub.last_ts = f->ts;
	cs = engine_client(a, &hs->client);
	if (cs != NULL) {
		cs->last = c;
		cs->last_ts = f->ts;
		cs->has_http_conv = true;
	}
	return c;
}

static void request_step(struct cap_analysis *a, struct conv *c, const struct req_info *r,
			 const struct cap_auth_fact *full, uint32_t stream)
{
	struct cap_step s;

	step_http_request(&s, r, full, stream);
	engine_step(a, c, &s);
}

static void response_step(struct cap_analysis *a, struct conv *c,
			  const struct cap_http_fact *f)
{
	struct cap_step s;

	step_http_response(&s, f);
	engine_step(a, c, &s);
}

static void count_cap_hits(struct cap_analysis *a, unsigned hits)
{
	a->st.token_cap_hits += (hits & CAP_FACT_HIT_TOKEN) != 0;
	a->st.challenges_cap_hits += (hits & CAP_FACT_HIT_CHALLENGES) != 0;
	a->st.der_depth_cap_hits += (hits & CAP_FACT_HIT_DER_DEPTH) != 0;
	a->st.der_elems_cap_hits += (hits & CAP_FACT_HIT_DER_ELEMS) != 0;
}

/* ---- observe: the handshake state (no finding is decided here) ---- */

static void observe_request(struct hstream *hs, struct conv *c, struct req_info *r,
			    const struct cap_http_fact *f)
{
	const struct cap_auth_fact *t = &f->auth;

	hs->challenge_open = false; /* the connection carried the next request */
	if (c == NULL || !f->has_auth)
		return;
	if (c->offered != 0)
		c->creds_after_offer = true;
	if (t->kind == CAP_TOKEN_KRB_AP_REQ)
		c->kerberos_attempted = true;
	/* A forwarded TGT in the authenticator (decrypted with server keys) is the double
	 * hop's delegation, as a forwarded-TGT request to the KDC is. */
	if (t->kind == CAP_TOKEN_KRB_AP_REQ && t->ticket.deleg_tgt)
		c->delegated = true;
	/* NTLM is connection-bound: an AUTHENTICATE on another connection than its
	 * CHALLENGE cannot succeed (MS-NLMP 3.1.1; domain.md C4.6). */
	if (t->kind == CAP_TOKEN_NTLM && t->ntlm_type == 3 && c->ntlm_challenge_seen &&
	    c->ntlm_challenge_stream != f->stream)
		r->ntlm_new_conn = true;
}

static bool bound_scheme(enum cap_auth_scheme s)
{
	return (CAP_AUTH_BIT(s) & HS_BOUND_SCHEMES) != 0;
}

/* Every handshake state transition, per connection and per conversation. */
static void observe_response(struct hstream *hs, struct conv *c, const struct req_info *req,
			     const struct cap_http_fact *f)
{
	const struct cap_auth_fact *tok = f->has_auth ? &f->auth : NULL;
	bool chal = f->status == 401 || f->status == 407;
	bool creds = req != NULL && req->has_auth;
	bool continuation = tok != NULL &&
			    ((tok->kind == CAP_TOKEN_NTLM && tok->ntlm_type == 2) ||
			     tok->neg_state == 1);

	if (chal && f->offered != 0) {
		c->offered |= f->offered;
		if ((f->offered & (CAP_AUTH_BIT(CAP_AUTH_NEGOTIATE) |
				   CAP_AUTH_BIT(CAP_AUTH_KERBEROS))) && !c->offered_negotiate) {
			c->offered_negotiate = true;
			c->offer_frame = f->frame;
		}
	}
	/* A run of 401s answering offered credentials: continuations count too, since a
	 * handshake that keeps restarting (NTLM without keep-alive) never ends either. */
	if (chal && creds) {
		c->loop_count++;
		if (c->loop_n < 8)
			c->loop_frames[c->loop_n++] = f->frame;
		if (c->loop_count > c->loop_max) {
			c->loop_max = c->loop_count;
			memcpy(c->loop_max_frames, c->loop_frames, sizeof(c->loop_frames));
			c->loop_max_n = c->loop_n;
		}
	} else if (!chal && req != NULL) {
		c->loop_count = 0;
		c->loop_n = 0;
	}
	if (tok != NULL && tok->kind == CAP_TOKEN_NTLM && tok->ntlm_type == 2) {
		c->ntlm_challenge_seen = true;
		c->ntlm_challenge_stream = f->stream;
		c->ntlm_challenge_frame = f->frame;
	}
	/* The capture starts mid-handshake: a continuation, or an NTLM AUTHENTICATE whose
	 * CHALLENGE is not in it, before any first challenge. */
	if (!c->first_challenge_seen && !c->start_missed &&
	    ((chal && continuation) ||
	     (creds && req->auth.kind == CAP_TOKEN_NTLM && req->auth.ntlm_type == 3 &&
	      !c->ntlm_challenge_seen))) {
		c->start_missed = true;
		c->start_missed_now = true;
	}
	if (creds && f->status == 400 && req->auth.value_len >= LARGE_NEGOTIATE_HEADER &&
	    (req->auth.scheme == CAP_AUTH_NEGOTIATE || req->auth.scheme == CAP_AUTH_KERBEROS)) {
		hs->state = HS_REJECTED; /* HTTP.sys refused the header: no authentication ran */
	} else if (chal && creds && req->auth.kind == CAP_TOKEN_NTLM && req->auth.ntlm_type == 3) {
		hs->state = HS_REJECTED; /* NTLM's last leg: any 401 refuses it */
	} else if (chal && continuation) {
		hs->state = HS_CONTINUED;
	} else if (chal && creds) {
		hs->state = HS_REJECTED;
	} else if (chal) {
		hs->state = HS_CHALLENGED;
		c->first_challenge_seen = true;
	} else if (creds && ((req->auth.kind == CAP_TOKEN_NTLM && req->auth.ntlm_type == 3) ||
			     req->auth.kind == CAP_TOKEN_KRB_AP_REQ)) {
		hs->state = HS_DONE;
		if (req->auth.kind == CAP_TOKEN_KRB_AP_REQ && f->status >= 200 && f->status < 400) {
			c->kerberos_ok = true;
			if (c->kerberos_ok_frame == 0)
				c->kerberos_ok_frame = f->frame;
		}
	}
	c->state = hs->state;
	/* A challenge the next leg must answer on this connection, when the scheme is
	 * connection-bound (Basic and Digest are not: closing after them breaks nothing). */
	if (chal && ((f->offered & HS_BOUND_SCHEMES) != 0 ||
		     (tok != NULL && tok->kind != CAP_TOKEN_NONE && bound_scheme(tok->scheme)) ||
		     (creds && bound_scheme(req->auth.scheme)))) {
		hs->challenge_open = true;
		hs->challenge_frame = f->frame;
		hs->challenge_ts = f->ts;
		hs->challenge_token = continuation;
		if (f->close == CAP_HTTP_CLOSE_HEADER)
			hs->broken_by = "Connection: close";
		else if (f->close == CAP_HTTP_CLOSE_HTTP10)
			hs->broken_by = "HTTP/1.0 without keep-alive";
		hs->broken_frame = f->frame;
	}
}

/* The server closed or reset a connection: it broke a handshake when a challenge of a
 * connection-bound scheme was still open on it, within CLOSE_AFTER_CHALLENGE. */
static void observe_close(struct hstream *hs, const struct cap_conn_event *e)
{
	if (hs->ka_reported && e->from_server) {
		hs->joins_frame = e->frame;
		hs->ka_reported = false;
		return;
	}
	if (!hs->challenge_open)
		return;
	if (!e->from_server || (e->kind != CAP_CONN_FIN && e->kind != CAP_CONN_RST) ||
	    e->ts - hs->challenge_ts > CLOSE_AFTER_CHALLENGE) {
		/* the client gave up or moved on, or an idle timeout: not a keep-alive policy */
		hs->challenge_open = false;
		return;
	}
	hs->broken_by = e->kind == CAP_CONN_FIN ? "FIN" : "RST";
	hs->broken_frame = e->frame;
}

/* After the judges: a broken handshake is reported once; its FIN and the conversation's
 * next connection join it. */
static void settle_close(struct cap_analysis *a, struct hstream *hs)
{
	hs->joins_frame = 0;
	if (hs->broken_by == NULL)
		return;
	hs->broken_by = NULL;
	hs->challenge_open = false;
	hs->ka_reported = true;
	if (hs->conv != NULL && !hs->conv->ka_waiting) {
		hs->conv->ka_waiting = true;
		a->ka_waiting++;
	}
}

static void http_close(struct cap_analysis *a, struct hstream *hs, const struct cap_conn_event *e)
{
	struct judge_ctx j = {.c = hs->conv, .hs = hs};

	observe_close(hs, e);
	engine_judge(a, JUDGE_HTTP_CLOSE, &j);
	settle_close(a, hs);
}

static void http_reconnect(struct cap_analysis *a, struct conv *c, uint64_t syn_frame)
{
	struct judge_ctx j = {.c = c};

	c->reconnect_frame = syn_frame;
	engine_judge(a, JUDGE_HTTP_RECONNECT, &j);
	c->reconnect_frame = 0;
	a->ka_waiting--;
	c->ka_waiting = false;
}

void cap_analysis_http(struct cap_analysis *a, const struct cap_http_fact *f)
{
	struct hstream *hs;
	struct conv *c;

	a->st.http_messages++;
	note_time(a, f->frame, f->ts);
	if (f->has_auth && f->auth.kind == CAP_TOKEN_UNDECODABLE)
		a->st.token_decode_errors++;
	count_cap_hits(a, f->caps_hit | (f->has_auth ? f->auth.caps_hit : 0u));
	if (a->hooks.http != NULL)
		a->hooks.http(a->hooks.ctx, f);
	if (f->http2)
		engine_h2_http(a, f);
	hs = hstream_get(a, f->stream, true, &f->client, &f->server);
	if (hs == NULL)
		return;
	if (f->is_request) {
		struct req_info *r;

		if (hs->host[0] == '\0' && f->host[0] != '\0')
			txt_copy(hs->host, sizeof(hs->host), f->host);
		if (hs->q == NULL) {
			hs->q = malloc(HS_QUEUE * sizeof(*hs->q));
			if (hs->q == NULL)
				return;
		}
		if (hs->qn == HS_QUEUE) { /* pipelined past our queue: forget the oldest */
			memmove(&hs->q[0], &hs->q[1], (HS_QUEUE - 1) * sizeof(hs->q[0]));
			hs->qn--;
		}
		r = &hs->q[hs->qn++];
		memset(r, 0, sizeof(*r));
		r->frame = f->frame;
		r->ts = f->ts;
		txt_copy(r->method, sizeof(r->method), f->method);
		txt_copy(r->target, sizeof(r->target), f->target);
		r->has_auth = f->has_auth;
		if (f->has_auth) {
			r->auth.scheme = f->auth.scheme;
			r->auth.proxy = f->auth.proxy;
			r->auth.value_len = f->auth.value_len;
			r->auth.kind = f->auth.kind;
			r->auth.ntlm_type = f->auth.ntlm_type;
			r->auth.kvno = f->auth.kvno;
			r->auth.etype = f->auth.etype;
			r->auth.mutual_required = f->auth.mutual_required;
			r->auth.ticket = f->auth.ticket;
			txt_copy(r->auth.sname, sizeof(r->auth.sname), f->auth.sname);
			txt_copy(r->auth.realm, sizeof(r->auth.realm), f->auth.realm);
			txt_copy(r->auth.user, sizeof(r->auth.user), f->auth.user);
		}
		c = hs->conv;
		if (c == NULL && http_relevant(f, NULL))
			c = attach_conv(a, hs, f);
		else if (c != NULL)
			c = attach_conv(a, hs, f);
		if (c != NULL) {
			if (c->pub.host[0] == '\0' && f->host[0] != '\0')
				txt_copy(c->pub.host, sizeof(c->pub.host), f->host);
			request_step(a, c, r, &f->auth, f->stream);
			r->step_added = true;
		}
		observe_request(hs, c, r, f);
		{
			struct judge_ctx j = {.c = c, .hs = hs, .req = r, .http = f};

			engine_judge(a, JUDGE_HTTP_REQUEST, &j);
		}
	} else {
		struct req_info req;
		bool have_req = hs->qn > 0;

		if (have_req) {
			req = hs->q[0];
			/* only the waiting entries move (a plain exchange moves none) */
			memmove(&hs->q[0], &hs->q[1], (hs->qn - 1) * sizeof(hs->q[0]));
			hs->qn--;
		}
		/* 1xx responses do not answer the request. */
		if (have_req && f->status >= 100 && f->status < 200) {
			memmove(&hs->q[1], &hs->q[0], hs->qn * sizeof(hs->q[0]));
			hs->q[0] = req;
			hs->qn++;
			return;
		}
		c = hs->conv;
		if (c != NULL || http_relevant(f, have_req ? &req : NULL))
			c = attach_conv(a, hs, f);
		if (c != NULL) {
			if (have_req && !req.step_added)
				request_step(a, c, &req, NULL, f->stream);
			response_step(a, c, f);
		}
		if (c != NULL) {
			struct judge_ctx j = {.c = c, .hs = hs, .req = have_req ? &req : NULL,
					      .http = f};

			observe_response(hs, c, j.req, f);
			engine_judge(a, JUDGE_HTTP_RESPONSE, &j);
			settle_close(a, hs);
			c->start_missed_now = false;
		}
		/* A connection without authentication keeps no state between exchanges. */
		if (hs->conv == NULL && hs->qn == 0 && !hs->challenge_open)
			hstream_drop(a, f->stream);
	}
}

/* ---- Kerberos ---- */

static struct conv *kdc_conv(struct cap_analysis *a, const struct cap_krb_fact *f)
{
	struct client_state *cs = engine_client(a, &f->client);

	if (cs != NULL) {
		char service[32], host[CAP_FACT_NAME_MAX];
		unsigned port;

		if (f->sname[0] != '\0') {
			spn_split(f->sname, service, sizeof(service), host, sizeof(host), &port);
			for (unsigned i = 0; i < CS_RECENT && i < cs->nrecent; i++) {
				struct conv *c = cs->recent[i];
				char chost[CAP_FACT_NAME_MAX], hpart[CAP_FACT_NAME_MAX], sv[8], abuf[64];
				unsigned cport;

				if (c == NULL)
					continue;
				txt_fmt(chost, sizeof(chost), "x/%s", c->pub.host);
				/* Separate output buffer: vsnprintf from a buffer into itself is UB. */
				spn_split(chost, sv, sizeof(sv), hpart, sizeof(hpart), &cport);
				if ((hpart[0] != '\0' && strcasecmp(hpart, host) == 0) ||
				    strcmp(engine_addr(&c->pub.server, abuf, sizeof(abuf)), host) == 0)
					return c;
			}
		}
		if (cs->last != NULL && f->ts - cs->last_ts <= KDC_ATTACH_WINDOW &&
		    f->ts - cs->last_ts >= -KDC_ATTACH_WINDOW)
			return cs->last;
	}
	return engine_conv(a, &f->client, &f->server, true);
}

static void krb_step(struct cap_analysis *a, struct conv *c, const struct cap_krb_fact *f)
{
	struct cap_step s;

	step_krb(&s, f);
	engine_step(a, c, &s);
}

static bool is_request_type(int t)
{
	return t == CAP_KRB_AS_REQ || t == CAP_KRB_TGS_REQ || t == CAP_KRB_AP_REQ;
}

void cap_analysis_krb(struct cap_analysis *a, const struct cap_krb_fact *f)
{
	struct kstream *ks;
	struct conv *c;

	a->st.krb_messages++;
	note_time(a, f->frame, f->ts);
	if (!f->decoded)
		a->st.krb_decode_errors++;
	count_cap_hits(a, f->caps_hit);
	if (a->hooks.krb != NULL)
		a->hooks.krb(a->hooks.ctx, f);
	ks = kstream_get(a, f->transport, f->stream, &f->client, &f->server, true);
	if (!f->from_server && (is_request_type(f->msg_type) || f->msg_type == 0)) {
		struct kreq *r;

		c = kdc_conv(a, f);
		krb_step(a, c, f);
		if (ks == NULL)
			return;
		ks->conv = c;
		if (ks->q == NULL) {
			ks->q = malloc(KS_QUEUE * sizeof(*ks->q));
			if (ks->q == NULL)
				return;
		}
		if (ks->qn == KS_QUEUE) {
			memmove(&ks->q[0], &ks->q[1], (KS_QUEUE - 1) * sizeof(ks->q[0]));
			ks->qn--;
		}
		r = &ks->q[ks->qn++];
		memset(r, 0, sizeof(*r));
		r->frame = f->frame;
		r->ts = f->ts;
		r->msg_type = f->msg_type;
		txt_copy(r->sname, sizeof(r->sname), f->sname);
		txt_copy(r->realm, sizeof(r->realm), f->realm);
		txt_copy(r->cname, sizeof(r->cname), f->cname);
		r->sname_type = f->sname_type;
		r->sname_ncomp = f->sname_ncomp;
		r->u2u = f->opt_enc_tkt_in_skey;
		if (f->msg_type == CAP_KRB_TGS_REQ) {
			if (f->opt_cname_in_addl_tkt && f->n_additional_tickets > 0) {
				r->delegation = true;
				r->deleg_kind = "s4u2proxy";
			} else if (f->opt_forwarded && strncmp(f->sname, "krbtgt/", 7) == 0) {
				r->delegation = true;
				r->deleg_kind = "forwarded-tgt";
			} else if (f->has_pa_for_user) {
				r->delegation = true;
				r->deleg_kind = "s4u2self";
			}
			if (r->delegation && c != NULL && strcmp(r->deleg_kind, "s4u2self") != 0)
				c->delegated = true;
		}
		return;
	}
	/* From the KDC (or an unexpected message from the client: shown, not judged). */
	{
		struct kreq req;
		bool have_req = false;

		if (ks != NULL && f->from_server) {
			ks->replied = true;
			if (ks->qn > 0) {
				req = ks->q[0];
				memmove(&ks->q[0], &ks->q[1], (ks->qn - 1) * sizeof(ks->q[0]));
				ks->qn--;
				have_req = true;
				engine_kstream_trim(ks);
			}
		}
		c = ks != NULL && ks->conv != NULL ? ks->conv : kdc_conv(a, f);
		krb_step(a, c, f);
		if (f->from_server && f->msg_type == CAP_KRB_TGS_REP &&
		    strncasecmp(f->sname, "HTTP/", 5) == 0) {
			struct client_state *cs = engine_client(a, &f->client);

			if (cs != NULL && !cs->http_ticket) {
				cs->http_ticket = true;
				cs->http_ticket_frame = f->frame;
				txt_copy(cs->http_ticket_sname, sizeof(cs->http_ticket_sname), f->sname);
			}
		}
		if (f->from_server) {
			struct client_state *cs = engine_client(a, &f->client);
			struct judge_ctx j = {.c = c, .ks = ks, .kreq = have_req ? &req : NULL,
					      .krb = f, .cs = cs};

			/* The client's last KDC error, for the NTLM fallback's explanation. */
			if (cs != NULL && f->msg_type == CAP_KRB_ERROR && f->error_code >= 0 &&
			    f->error_code != 25 && f->error_code != 52) {
				cs->kdc_err = f->error_code;
				cs->kdc_err_frame = f->frame;
				txt_copy(cs->kdc_err_sname, sizeof(cs->kdc_err_sname),
					 f->sname[0] != '\0' ? f->sname
							      : (have_req ? req.sname : ""));
			}
			engine_judge(a, JUDGE_KDC_REPLY, &j);
		}
	}
}

/* Observe a stream's end: its waiting requests got no reply, or a reply the capture
 * did not keep the start of.  A capture cut short says nothing about what came after. */
static void kdc_end(struct cap_analysis *a, struct kstream *ks)
{
	struct judge_ctx j = {.ks = ks};

	ks->outcome = KX_WAITING;
	if (ks->qn > 0 && !ks->replied && !ks->unreachable && !a->input_cut &&
	    a->last_ts - ks->q[0].ts >= KX_NO_ANSWER_AFTER)
		ks->outcome = ks->server_gap ? KX_REPLY_NOT_CAPTURED : KX_NO_REPLY;
	engine_judge(a, JUDGE_KDC_END, &j);
}

/* ---- connection events ---- */

void cap_analysis_conn(struct cap_analysis *a, const struct cap_conn_event *e)
{
	struct hstream *hs;

	note_time(a, e->frame, e->ts);
	if (e->kind == CAP_CONN_H2_REFUSED) {
		engine_h2_refused(a, e);
		return;
	}
	if (e->is_krb || e->server.port == 88) {
		struct kstream *ks = kstream_get(a, CAP_TRANSPORT_TCP, e->stream, &e->client,
						 &e->server,
						 e->kind == CAP_CONN_RST || e->kind == CAP_CONN_OPEN);

		if (ks != NULL && e->kind == CAP_CONN_OPEN && ks->open_frame == 0)
			ks->open_frame = e->frame;

		/* A reset answering a request or a connection attempt: a lone RST (no SYN,
		 * no request seen) says nothing about the KDC. */
		if (ks != NULL && e->kind == CAP_CONN_RST && e->from_server && !ks->server_gap &&
		    (ks->qn > 0 || (!ks->replied && ks->open_frame != 0)))
			rules_kdc_unreachable(a, ks, e->frame, "TCP reset");
		if (ks != NULL && e->kind == CAP_CONN_GAP && e->from_server && !ks->server_gap) {
			ks->server_gap = true;
			ks->server_gap_frame = e->frame;
		}
		if (ks != NULL && (e->kind == CAP_CONN_EVICTED)) {
			struct ks_key k;

			ks_key_of(&k, CAP_TRANSPORT_TCP, e->stream, &e->client, &e->server);
			kdc_end(a, ks);
			kstream_free(tbl_del(&a->kstreams, &k));
		}
		return;
	}
	if (e->kind == CAP_CONN_OPEN && a->ka_waiting > 0) {
		struct conv *c = engine_conv_find(a, &e->client, &e->server, false);

		if (c != NULL && c->ka_waiting)
			http_reconnect(a, c, e->frame);
	}
	hs = hstream_get(a, e->stream, false, NULL, NULL);
	if (hs == NULL)
		return;
	switch (e->kind) {
	case CAP_CONN_FIN:
	case CAP_CONN_RST:
		if (e->from_server && hs->conv != NULL) {
			struct cap_step s;

			step_conn_close(&s, e->frame, e->stream, e->kind == CAP_CONN_RST,
					hs->challenge_open);
			engine_step(a, hs->conv, &s);
		}
		http_close(a, hs, e);
		if (e->kind == CAP_CONN_RST) {
			hstream_drop(a, e->stream);
		} else {
			hs->closed = true;
			hstream_trim(hs); /* kept for the close rules: without its queue */
		}
		break;
	case CAP_CONN_EVICTED:
		hstream_drop(a, e->stream);
		break;
	case CAP_CONN_OPEN:
	case CAP_CONN_GAP:
	case CAP_CONN_H2_REFUSED:
		break;
	}
}

/* A TLS connection's state: kept per client for http-not-visible. */
void cap_analysis_tls(struct cap_analysis *a, const struct cap_tls_event *e)
{
	const struct cap_tls_info *t = e->info;
	struct client_state *cs;
	struct cs_tls *x = NULL;
	bool hidden = (t->no_keys || t->bad_keys) && !t->decrypted;

	note_time(a, e->frame, e->ts);
	cs = engine_client(a, &e->client);
	if (cs == NULL)
		return;
	for (unsigned i = 0; i < cs->ntls; i++)
		if (cs->tls[i].stream == e->stream)
			x = &cs->tls[i];
	if (x == NULL) {
		if (!hidden)
			return;
		/* A connection beyond the kept ones tells "no keys" once: counted then. */
		if (cs->ntls == CS_TLS) {
			cs->tls_hidden++;
			return;
		}
		if (cs->ntls == cs->tls_cap) {
			unsigned nc = cs->tls_cap ? cs->tls_cap * 2 : 1;
			struct cs_tls *nv;

			if (nc > CS_TLS)
				nc = CS_TLS;
			nv = realloc(cs->tls, nc * sizeof(*nv));
			if (nv == NULL)
				return;
			cs->tls = nv;
			cs->tls_cap = nc;
		}
		x = &cs->tls[cs->ntls++];
		memset(x, 0, sizeof(*x));
		x->stream = e->stream;
	}
	if (hidden && !x->hidden)
		cs->tls_hidden++;
	else if (!hidden && x->hidden)
		cs->tls_hidden--;
	x->hidden = hidden;
	x->wrong_keys = t->bad_keys;
	x->version = t->version;
	x->hello_frame = t->hello_frame;
	x->data_frame = t->data_frame;
	x->server = e->server;
	txt_copy(x->sni, sizeof(x->sni), t->sni);
	txt_copy(x->alpn, sizeof(x->alpn), t->alpn);
	if (t->has_cert) {
		txt_copy(x->subject, sizeof(x->subject), t->cert.subject);
		txt_copy(x->sans, sizeof(x->sans), t->cert.sans);
	}
}

void cap_analysis_icmp(struct cap_analysis *a, const struct cap_icmp_unreach *u)
{
	struct kstream *ks;

	note_time(a, u->frame, u->ts);
	if (u->orig_dst.port != 88 || (u->orig_proto != 17 && u->orig_proto != 6))
		return;
	if (u->orig_proto == 17) {
		ks = kstream_get(a, CAP_TRANSPORT_UDP, 0, &u->orig_src, &u->orig_dst, true);
		if (ks == NULL)
			return;
		rules_kdc_unreachable(a, ks, u->frame, "ICMP unreachable");
	} else {
		/* TCP streams are keyed by index, which the ICMP quote does not give. */
		struct kstream tmp;

		memset(&tmp, 0, sizeof(tmp));
		tmp.transport = CAP_TRANSPORT_TCP;
		tmp.client = u->orig_src;
		tmp.server = u->orig_dst;
		rules_kdc_unreachable(a, &tmp, u->frame, "ICMP unreachable");
	}
}

void cap_analysis_truncated(struct cap_analysis *a, uint64_t frame, const char *why)
{
	struct cap_finding f;

	/* A file cut short says nothing about what came after: the rules that judge by
	 * absence (no answer, no credentials) stay quiet. */
	if (frame != 0)
		a->input_cut = true;
	cap_finding_init(&f, CAP_F_CAPTURE_TRUNCATED);
	cap_finding_add_frame(&f, frame);
	cap_finding_set_str(&f, "reason", why != NULL ? why : "the capture ends mid-packet");
	cap_finding_set_key(&f, "%s", why != NULL ? why : "");
	engine_emit(a, &f);
}

/* ---- finish ---- */

static int finding_cmp(const void *x, const void *y)
{
	const struct cap_finding *a = *(const struct cap_finding *const *)x;
	const struct cap_finding *b = *(const struct cap_finding *const *)y;
	uint64_t fa = a->nframes ? a->frames[0] : 0, fb = b->nframes ? b->frames[0] : 0;

	if (a->severity != b->severity)
		return a->severity > b->severity ? -1 : 1;
	if (fa != fb)
		return fa < fb ? -1 : 1;
	if (a->id != b->id)
		return a->id < b->id ? -1 : 1;
	return 0;
}

static int kstream_seq_cmp(const void *x, const void *y)
{
	const struct kstream *p = *(const struct kstream *const *)x;
	const struct kstream *q = *(const struct kstream *const *)y;

	return p->seq < q->seq ? -1 : p->seq > q->seq;
}


/* The end-of-capture KDC rule over every stream, oldest first: when two streams' findings
 * merge, the evidence kept is the earliest one's whatever the table's layout. */
static void finish_kstreams(struct cap_analysis *a)
{
	struct kstream **v = malloc((a->kstreams.n > 0 ? a->kstreams.n : 1) * sizeof(*v));
	size_t n = 0;

	for (size_t i = 0; i < a->kstreams.slots; i++) {
		struct kstream *ks = tbl_at(&a->kstreams, i, NULL);

		if (ks == NULL)
			continue;
		if (v != NULL)
			v[n++] = ks;
		else
			kdc_end(a, ks); /* out of memory: table order */
	}
	if (v == NULL)
		return;
	if (n > 1)
		qsort(v, n, sizeof(*v), kstream_seq_cmp);
	for (size_t i = 0; i < n; i++)
		kdc_end(a, v[i]);
	free(v);
}

void cap_analysis_finish(struct cap_analysis *a, const struct cap_pipeline_stats *st)
{
	if (a->finished)
		return;
	a->finished = true;
	finish_kstreams(a);
	for (size_t i = 0; i < a->nconvs; i++) {
		struct judge_ctx j = {.c = a->convs[i]};

		engine_judge(a, JUDGE_CONV_END, &j);
	}
	for (size_t i = 0; i < a->clients.slots; i++) {
		struct judge_ctx j = {.cs = tbl_at(&a->clients, i, NULL)};

		if (j.cs != NULL)
			engine_judge(a, JUDGE_CLIENT_END, &j);
	}
	if (st != NULL && st->truncated_packets > 0) {
		char why[160];

		txt_fmt(why, sizeof(why),
			 "the snap length cut the headers of %llu packet(s) the analysis needed",
			 (unsigned long long)st->truncated_packets);
		cap_analysis_truncated(a, 0, why);
	}
	judges_probe_finish(a);
	if (a->nfindings > 0) /* qsort(NULL, 0, ...) is undefined behaviour */
		qsort(a->findings, a->nfindings, sizeof(a->findings[0]), finding_cmp);
	memset(a->st.findings_by_severity, 0, sizeof(a->st.findings_by_severity));
	for (size_t i = 0; i < a->nfindings; i++)
		a->st.findings_by_severity[a->findings[i]->severity]++;
}

size_t cap_analysis_nfindings(const struct cap_analysis *a)
{
	return a->nfindings;
}

const struct cap_finding *cap_analysis_finding(const struct cap_analysis *a, size_t i)
{
	return i < a->nfindings ? a->findings[i] : NULL;
}

size_t cap_analysis_nconversations(const struct cap_analysis *a)
{
	return a->nconvs;
}

const struct cap_conversation *cap_analysis_conversation(const struct cap_analysis *a, size_t i)
{
	return i < a->nconvs ? &a->convs[i]->pub : NULL;
}

const struct cap_analysis_stats *cap_analysis_stats(const struct cap_analysis *a)
{
	return &a->st;
}

int cap_analysis_max_severity(const struct cap_analysis *a)
{
	int m = -1;

	for (size_t i = 0; i < a->nfindings; i++)
		if ((int)a->findings[i]->severity > m)
			m = (int)a->findings[i]->severity;
	return m;
}
