/* tls_stream.c - TLS over one TCP connection: records, handshake, decryption, and the
 * decrypted application bytes handed to HTTP/1.x (or the consumer of the ALPN protocol).
 *
 * References: RFC 8446 sections 2 (the TLS 1.3 handshake: which records are protected
 * with which traffic secret), 4.1.3 (HelloRetryRequest), 4.6.3 (KeyUpdate), D.4
 * (middlebox compatibility ChangeCipherSpec, ignored); RFC 5246 sections 7.1
 * (ChangeCipherSpec switches one direction to the pending keys) and 7.4.1.2 / 7.4.1.3
 * (session resumption: the same master secret, logged again under the new client random
 * by NSS-format key logs); RFC 5746 (renegotiation: a new handshake under the current
 * protection).
 */
#include "pipeline/pipeline_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "negscope/dynbuf.h"

struct tls_dir {
	struct cap_tls_cipher cur;     /* protection of what this side sends now */
	struct cap_tls_cipher pending; /* TLS 1.2: after its ChangeCipherSpec */
	bool protected_;               /* records of this side are protected from now on */
	bool keys;                     /* cur decrypts them */
	bool pending_keys;
	bool dead;                     /* lost sync (gap, bad record): nothing more read */
	bool hs_broken;                /* a handshake message over the cap: the rest skipped */
	bool closed;                   /* its close_notify was read */
	struct cap_dynbuf hs;          /* handshake bytes not yet a whole message */
	struct cap_dynbuf held;        /* application plaintext the consumer did not take */
};

struct tls_conn {
	struct tls_dir d[2]; /* by key side */
	struct cap_tls_hello ch;
	bool have_ch, have_sh, tls13, hrr_seen;
	const struct cap_tls_suite *suite;
	struct cap_tls_info info;
	const struct cap_pl_tls_app *app;
	bool app_chosen;
	void *app_state;
};

/* HTTP/1.x: the ALPN ids of HTTP/1, and the default when the server chose none. */
static size_t http1_consume(struct dir_ctx *c, const uint8_t *p, size_t n)
{
	c->fs->was_http = true;
	return cap_pl_http_consume(c, p, n);
}

static const struct cap_pl_tls_app http1_app = {"http/1.1", http1_consume, NULL, NULL};
static const struct cap_pl_tls_app http10_app = {"http/1.0", http1_consume, NULL, NULL};

/* Consumers by ALPN id. */
static const struct cap_pl_tls_app *const apps[] = {&http1_app, &http10_app, &cap_pl_h2_tls_app,
						    NULL};

static struct tls_conn *conn_of(const struct flow_state *fs)
{
	return fs->app != NULL ? fs->app->tls : NULL;
}

bool cap_pl_tls_start(struct cap_pipeline *pl, struct flow_state *fs)
{
	struct tls_conn *t;
	size_t cap = pl->lim.max_message;

	if (pl->tls_plain == NULL) {
		pl->tls_plain = malloc(CAP_TLS_MAX_PLAIN);
		if (pl->tls_plain == NULL)
			return false;
	}
	if (cap_pl_app_get(pl, fs) == NULL)
		return false;
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return false;
	for (int i = 0; i < 2; i++) {
		cap_dynbuf_init(&t->d[i].hs, cap);
		cap_dynbuf_init(&t->d[i].held, cap);
	}
	fs->app->tls = t;
	fs->kind = APP_TLS;
	cap_pl_http_init(fs);
	pl->tls_live++;
	pl->st.tls_conns++;
	return true;
}

static void release_dir(struct tls_dir *d)
{
	cap_tls_cipher_clear(&d->cur);
	cap_tls_cipher_clear(&d->pending);
	cap_dynbuf_free(&d->hs);
	/* Plaintext: wiped, it may hold more than the HTTP head. */
	if (d->held.p != NULL)
		memset(d->held.p, 0, d->held.alloc);
	cap_dynbuf_free(&d->held);
}

void cap_pl_tls_release(struct flow_state *fs)
{
	struct tls_conn *t = conn_of(fs);

	if (t == NULL)
		return;
	release_dir(&t->d[0]);
	release_dir(&t->d[1]);
	if (t->app != NULL && t->app->release != NULL && t->app_state != NULL)
		t->app->release(t->app_state);
	free(t);
	fs->app->tls = NULL;
}

const struct cap_tls_info *cap_pl_tls_info(const struct flow_state *fs)
{
	struct tls_conn *t = conn_of(fs);

	return t != NULL ? &t->info : NULL;
}

void **cap_pl_tls_app_state(struct flow_state *fs)
{
	struct tls_conn *t = conn_of(fs);

	return t != NULL ? &t->app_state : NULL;
}

static void tell(struct dir_ctx *c, struct tls_conn *t)
{
	struct cap_tls_event e;

	if (c->pl->sink.tls == NULL)
		return;
	memset(&e, 0, sizeof(e));
	e.frame = c->pl->frame;
	e.ts = c->pl->ts;
	e.stream = c->fs->stream;
	cap_pl_endpoints(c->fs, &e.client, &e.server);
	e.info = &t->info;
	c->pl->sink.tls(c->pl->sink.ctx, &e);
}

static bool from_client(const struct dir_ctx *c)
{
	return c->side == c->fs->client_side;
}

static size_t secret_of(struct dir_ctx *c, struct tls_conn *t, enum cap_tls_secret which,
			const uint8_t **s)
{
	return cap_tls_keylog_find(c->pl->keylog, t->ch.random, which, s);
}

/* TLS 1.3: one side's protection from the secret of that kind; keys false when absent. */
static void set13(struct dir_ctx *c, struct tls_conn *t, int side, enum cap_tls_secret which)
{
	struct tls_dir *d = &t->d[side];
	const uint8_t *s = NULL;
	size_t n = secret_of(c, t, which, &s);

	d->protected_ = true;
	d->keys = n > 0 && t->suite != NULL && cap_tls13_keys(t->suite, s, n, &d->cur) == 0;
}

static void server_hello(struct dir_ctx *c, struct tls_conn *t, struct cap_span body)
{
	struct cap_tls_hello sh;
	int cside = c->fs->client_side;

	if (cap_tls_server_hello(body, &sh) != CAP_OK || !t->have_ch)
		return;
	if (sh.hrr) {
		/* RFC 8446 4.1.4: the client answers with a second ClientHello, same random. */
		t->hrr_seen = true;
		return;
	}
	t->have_sh = true;
	t->suite = cap_tls_suite(sh.cipher);
	t->tls13 = sh.version == 0x0304;
	t->info.version = sh.version;
	t->info.cipher = sh.cipher;
	if (!t->tls13 && sh.alpn[0] != '\0')
		memcpy(t->info.alpn, sh.alpn, sizeof(t->info.alpn));
	if (t->tls13) {
		t->info.resumed = sh.psk;
		set13(c, t, 1 - cside, CAP_TLS_SEC_S_HS);
		set13(c, t, cside, CAP_TLS_SEC_C_HS);
	} else {
		const uint8_t *ms = NULL;
		size_t n = secret_of(c, t, CAP_TLS_SEC_MASTER, &ms);
		struct tls_dir *cd = &t->d[cside], *sd = &t->d[1 - cside];

		/* The server echoing the client's session id resumes that session. */
		t->info.resumed = sh.session_id_len > 0 &&
				  sh.session_id_len == t->ch.session_id_len &&
				  memcmp(sh.session_id, t->ch.session_id, sh.session_id_len) == 0;
		cd->pending_keys = sd->pending_keys =
			n > 0 && t->suite != NULL &&
			cap_tls12_keys(t->suite, ms, n, t->ch.random, sh.random, sh.etm,
				       &cd->pending, &sd->pending) == 0;
	}
	tell(c, t);
}

static void certificate(struct dir_ctx *c, struct tls_conn *t, struct cap_span body)
{
	struct cap_span leaf;

	if (from_client(c) || t->info.has_cert)
		return;
	if (cap_tls_certificate(body, t->tls13, &leaf) != CAP_OK ||
	    cap_pl_cert_info(c->pl, leaf, &t->info.cert) != 0)
		return;
	t->info.has_cert = true;
	tell(c, t);
}

static void handshake_msg(struct dir_ctx *c, struct tls_conn *t, uint8_t type,
			  struct cap_span body)
{
	struct tls_dir *d = &t->d[c->side];
	int cside = c->fs->client_side;

	switch (type) {
	case CAP_TLS_HS_CLIENT_HELLO:
		if (!from_client(c) || cap_tls_client_hello(body, &t->ch) != CAP_OK)
			return;
		t->have_ch = true;
		if (t->info.hello_frame == 0)
			t->info.hello_frame = c->pl->frame;
		memcpy(t->info.sni, t->ch.sni, sizeof(t->info.sni));
		memcpy(t->info.alpn_offered, t->ch.alpn, sizeof(t->info.alpn_offered));
		break;
	case CAP_TLS_HS_SERVER_HELLO:
		if (!from_client(c))
			server_hello(c, t, body);
		break;
	case CAP_TLS_HS_ENCRYPTED_EXTENSIONS:
		if (!from_client(c) && t->tls13 &&
		    cap_tls_encrypted_extensions(body, t->info.alpn, sizeof(t->info.alpn)) ==
			    CAP_OK)
			tell(c, t);
		break;
	case CAP_TLS_HS_CERTIFICATE:
		certificate(c, t, body);
		break;
	case CAP_TLS_HS_FINISHED:
		/* TLS 1.3: what follows a side's Finished is under its application secret. */
		if (t->tls13)
			set13(c, t, c->side,
			      c->side == cside ? CAP_TLS_SEC_C_AP : CAP_TLS_SEC_S_AP);
		break;
	case CAP_TLS_HS_KEY_UPDATE:
		if (t->tls13 && d->keys && cap_tls13_update(&d->cur) != 0)
			d->keys = false;
		break;
	default:
		break;
	}
}

/* The whole handshake messages at the start of s, each to handshake_msg: the bytes they
 * took, or SIZE_MAX when an incomplete one announces more than max. */
static size_t handshake_msgs(struct dir_ctx *c, struct tls_conn *t, struct cap_span s,
			     size_t max)
{
	struct cap_cursor cur = cap_cur_from_span(s);
	size_t used = 0;

	while (cap_cur_left(&cur) >= 4) {
		struct cap_cursor m = cur;
		uint8_t type = cap_cur_u8(&m);
		uint32_t len = (uint32_t)cap_cur_u8(&m) << 16;

		len |= cap_cur_be16(&m);
		if (cap_cur_left(&m) < len)
			return (size_t)len + 4 > max ? SIZE_MAX : used;
		handshake_msg(c, t, type, cap_cur_span(&m, len));
		cur = m;
		used = s.len - cap_cur_left(&cur);
	}
	return used;
}

static void handshake_broken(struct dir_ctx *c, struct tls_dir *d)
{
	c->pl->st.tls_cap_hits++;
	d->hs_broken = true;
	cap_dynbuf_free(&d->hs);
}

/* Handshake bytes of one side (clear or decrypted), whole messages out. */
static void handshake_bytes(struct dir_ctx *c, struct tls_conn *t, struct cap_span s)
{
	struct tls_dir *d = &t->d[c->side];
	size_t used;

	if (d->hs_broken)
		return;
	if (d->hs.len == 0) {
		/* Records mostly hold whole messages: read in place, only a split one kept. */
		used = handshake_msgs(c, t, s, d->hs.max);
		if (used == SIZE_MAX) {
			handshake_broken(c, d);
			return;
		}
		s = cap_span_of(s.p + used, s.len - used);
		if (s.len == 0)
			return;
	}
	if (cap_dynbuf_add(&d->hs, s.p, s.len) != CAP_DYN_OK) {
		handshake_broken(c, d);
		return;
	}
	used = handshake_msgs(c, t, cap_span_of((const uint8_t *)d->hs.p, d->hs.len), d->hs.max);
	if (used == SIZE_MAX) {
		handshake_broken(c, d);
		return;
	}
	if (used > 0) {
		memmove(d->hs.p, d->hs.p + used, d->hs.len - used);
		d->hs.len -= used;
		d->hs.p[d->hs.len] = '\0';
	}
}

static const struct cap_pl_tls_app *app_for(const char *alpn)
{
	if (alpn[0] == '\0')
		return &http1_app;
	for (size_t i = 0; apps[i] != NULL; i++)
		if (strcmp(apps[i]->alpn, alpn) == 0)
			return apps[i];
	return NULL;
}

static void app_lost(struct dir_ctx *c, struct tls_conn *t)
{
	if (t->app != NULL && t->app->gap != NULL)
		t->app->gap(c);
}

/* Decrypted application bytes to the consumer; what it leaves is held. */
static void app_bytes(struct dir_ctx *c, struct tls_conn *t, const uint8_t *p, size_t n)
{
	struct tls_dir *d = &t->d[c->side];
	size_t k;

	if (!t->app_chosen) {
		t->app_chosen = true;
		t->app = app_for(t->info.alpn);
	}
	if (t->app == NULL || n == 0)
		return;
	if (d->held.len == 0) {
		k = t->app->consume(c, p, n);
		if (k >= n)
			return;
		p += k;
		n -= k;
	}
	if (cap_dynbuf_add(&d->held, p, n) != CAP_DYN_OK) {
		c->pl->st.tls_cap_hits++;
		cap_dynbuf_reset(&d->held);
		app_lost(c, t);
		return;
	}
	if (d->held.len == n)
		return; /* just held: the consumer saw these bytes already */
	k = t->app->consume(c, (const uint8_t *)d->held.p, d->held.len);
	if (k > d->held.len)
		k = d->held.len;
	memmove(d->held.p, d->held.p + k, d->held.len - k);
	d->held.len -= k;
	d->held.p[d->held.len] = '\0';
}

static void no_data_keys(struct dir_ctx *c, struct tls_conn *t)
{
	if (t->info.data_frame == 0)
		t->info.data_frame = c->pl->frame;
	if (!t->info.no_keys && !t->info.bad_keys && !t->info.decrypted) {
		t->info.no_keys = true;
		tell(c, t);
	}
}

/* RFC 8446 6.1 / RFC 5246 7.2.1: close_notify ends that side's writing, as its FIN
 * would; told as one, so that who closed first is seen inside TLS too. */
static void close_notify(struct dir_ctx *c, struct tls_dir *d, struct cap_span alert)
{
	struct cap_cursor a = cap_cur_from_span(alert);

	(void)cap_cur_u8(&a); /* level */
	if (cap_cur_u8(&a) != 0 || !cap_cur_ok(&a) || d->closed)
		return;
	d->closed = true;
	cap_pl_conn_event(c->pl, c->fs, CAP_CONN_FIN, c->side, 0);
}

static void record(struct dir_ctx *c, struct tls_conn *t, const struct cap_tls_record *r)
{
	struct tls_dir *d = &t->d[c->side];
	struct cap_pipeline *pl = c->pl;
	uint8_t inner = r->type;
	size_t plen = 0;
	struct cap_span plain = r->body;

	pl->st.tls_records++;
	if (r->type == CAP_TLS_CCS) {
		if (!t->tls13 && t->have_sh) {
			/* TLS 1.2: this side's next records use the pending keys. */
			d->protected_ = true;
			cap_tls_cipher_clear(&d->cur);
			d->cur = d->pending;
			memset(&d->pending, 0, sizeof(d->pending));
			d->keys = d->pending_keys;
			d->pending_keys = false;
		}
		return;
	}
	if (d->protected_) {
		if (!d->keys) {
			struct tls_dir *o = &t->d[1 - c->side];

			if (r->type == CAP_TLS_APPDATA)
				no_data_keys(c, t);
			/* Both sides protected and no secret for either: nothing more can be
			 * read, so the connection costs no more than any unread stream. */
			if (o->protected_ && !o->keys && !d->pending_keys && !o->pending_keys) {
				no_data_keys(c, t);
				c->fs->kind = APP_IGNORE;
			}
			return;
		}
		if (cap_tls_decrypt(&d->cur, r, pl->tls_plain, &plen, &inner) != CAP_OK) {
			pl->st.tls_decrypt_failures++;
			d->keys = false;
			d->dead = true;
			if (!t->info.bad_keys) {
				t->info.bad_keys = true;
				tell(c, t);
			}
			app_lost(c, t);
			return;
		}
		pl->st.tls_records_decrypted++;
		plain = cap_span_of(pl->tls_plain, plen);
	} else if (r->type == CAP_TLS_APPDATA) {
		/* Application data before the keys (TLS 1.3 early data): not read. */
		no_data_keys(c, t);
		return;
	}
	switch (inner) {
	case CAP_TLS_ALERT:
		close_notify(c, d, plain);
		break;
	case CAP_TLS_HANDSHAKE:
		handshake_bytes(c, t, plain);
		break;
	case CAP_TLS_APPDATA:
		if (t->info.data_frame == 0)
			t->info.data_frame = pl->frame;
		if (!t->info.decrypted) {
			t->info.decrypted = true;
			pl->st.tls_decrypted_conns++;
			tell(c, t);
		}
		app_bytes(c, t, plain.p, plain.len);
		break;
	default:
		break;
	}
	if (plain.p == pl->tls_plain)
		memset(pl->tls_plain, 0, plen);
}

size_t cap_pl_tls_consume(void *ctx, const uint8_t *p, size_t n)
{
	struct dir_ctx *c = ctx;
	struct tls_conn *t = conn_of(c->fs);
	struct cap_cursor cur = cap_cur_init(p, n);

	if (t == NULL || t->d[c->side].dead)
		return n;
	while (cap_cur_left(&cur) > 0 && !t->d[c->side].dead) {
		struct cap_tls_record r;
		enum cap_status st = cap_tls_record(&cur, &r);

		if (st == CAP_TRUNCATED)
			return n - cap_cur_left(&cur);
		if (st != CAP_OK) {
			/* Not a record where one must start: the rest of this side is unread. */
			t->d[c->side].dead = true;
			app_lost(c, t);
			return n;
		}
		record(c, t, &r);
	}
	return n;
}

void cap_pl_tls_gap(void *ctx, uint64_t bytes)
{
	struct dir_ctx *c = ctx;
	struct tls_conn *t = conn_of(c->fs);

	cap_pl_conn_event(c->pl, c->fs, CAP_CONN_GAP, c->side, bytes);
	/* Record boundaries and sequence numbers are lost with the bytes. */
	if (t != NULL && !t->d[c->side].dead) {
		t->d[c->side].dead = true;
		app_lost(c, t);
	}
}

void cap_pl_tls_overflow(void *ctx)
{
	struct dir_ctx *c = ctx;
	struct tls_conn *t = conn_of(c->fs);

	c->pl->st.tls_cap_hits++;
	if (t != NULL)
		t->d[c->side].dead = true;
}
