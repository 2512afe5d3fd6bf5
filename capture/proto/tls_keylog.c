/* tls_keylog.c - NSS key log lines (SSLKEYLOGFILE), kept by client random.
 *
 * Reference: the NSS key log format ("<label> <client_random hex> <secret hex>", '#'
 * comments), as written by Firefox, Chrome, Edge, curl and OpenSSL's keylog callback;
 * the labels are those of RFC 8446 section 7.1's secrets and TLS 1.2's CLIENT_RANDOM
 * master secret.  The table is capped: lines past the cap are counted, never kept.
 */
#include <stdlib.h>
#include <string.h>

#include "negscope/hex.h"
#include "negscope/tls.h"
#include "negscope/tok.h"

#define SECRET_MAX 48 /* SHA-384 secrets; the TLS 1.2 master secret is 48 bytes */

struct entry {
	uint8_t random[32];
	uint8_t used;                  /* the slot holds a random */
	uint8_t len[CAP_TLS_SEC_N];    /* 0: that secret is absent */
	uint8_t sec[CAP_TLS_SEC_N][SECRET_MAX];
};

struct cap_tls_keylog {
	struct entry *slots;
	size_t nslots, count, max;
	struct cap_tls_keylog_stats st;
};

static const struct cap_tok labels[] = {
	{CAP_TLS_SEC_MASTER, "CLIENT_RANDOM"},
	{CAP_TLS_SEC_C_HS, "CLIENT_HANDSHAKE_TRAFFIC_SECRET"},
	{CAP_TLS_SEC_S_HS, "SERVER_HANDSHAKE_TRAFFIC_SECRET"},
	{CAP_TLS_SEC_C_AP, "CLIENT_TRAFFIC_SECRET_0"},
	{CAP_TLS_SEC_S_AP, "SERVER_TRAFFIC_SECRET_0"},
	{-1, "CLIENT_EARLY_TRAFFIC_SECRET"},
	{-1, "EARLY_EXPORTER_SECRET"},
	{-1, "EXPORTER_SECRET"},
	{0, NULL}};

struct cap_tls_keylog *cap_tls_keylog_new(size_t max_randoms)
{
	struct cap_tls_keylog *k = calloc(1, sizeof(*k));

	if (k == NULL)
		return NULL;
	k->max = max_randoms != 0 ? max_randoms : CAP_TLS_KEYLOG_DEF_MAX;
	return k;
}

void cap_tls_keylog_free(struct cap_tls_keylog *k)
{
	if (k == NULL)
		return;
	if (k->slots != NULL) {
		/* Secrets: wiped before the memory goes back. */
		memset(k->slots, 0, k->nslots * sizeof(*k->slots));
		free(k->slots);
	}
	free(k);
}

static size_t hash_of(const uint8_t r[32], size_t nslots)
{
	uint64_t h = 0;

	memcpy(&h, r, sizeof(h)); /* client randoms are random: their bytes are the hash */
	return (size_t)(h & (nslots - 1));
}

static struct entry *slot_of(const struct cap_tls_keylog *k, const uint8_t r[32])
{
	size_t i;

	if (k->nslots == 0)
		return NULL;
	for (i = hash_of(r, k->nslots);; i = (i + 1) & (k->nslots - 1)) {
		struct entry *e = &k->slots[i];

		if (!e->used || memcmp(e->random, r, 32) == 0)
			return e;
	}
}

/* Keeps the table at most half full; false when memory runs out. */
static bool grow(struct cap_tls_keylog *k)
{
	size_t n = k->nslots != 0 ? k->nslots * 2 : 64, i;
	struct entry *old = k->slots, *ns;
	size_t oldn = k->nslots;

	ns = calloc(n, sizeof(*ns));
	if (ns == NULL)
		return false;
	k->slots = ns;
	k->nslots = n;
	for (i = 0; i < oldn; i++)
		if (old[i].used)
			*slot_of(k, old[i].random) = old[i];
	if (old != NULL) {
		memset(old, 0, oldn * sizeof(*old));
		free(old);
	}
	return true;
}

/* A hex field of exactly 2*max digits or fewer (even) into out; its byte count, or -1. */
static int hex_field(struct cap_span f, uint8_t *out, size_t max)
{
	size_t n;

	if (f.len == 0 || f.len % 2 != 0 || f.len / 2 > max ||
	    cap_hex_decode(f, 0, out, max, &n, NULL) != CAP_OK)
		return -1;
	return (int)n;
}

/* The next space-separated field of c. */
static struct cap_span field(struct cap_cursor *c)
{
	struct cap_span r = cap_cur_rest(c);
	size_t n = 0;

	while (n < r.len && r.p[n] == ' ')
		n++;
	cap_cur_skip(c, n);
	r = cap_cur_rest(c);
	n = 0;
	while (n < r.len && r.p[n] != ' ' && r.p[n] != '\t')
		n++;
	return cap_cur_span(c, n);
}

static void one_line(struct cap_tls_keylog *k, struct cap_span line)
{
	struct cap_cursor c = cap_cur_from_span(line);
	struct cap_span lab, rnd, sec;
	uint8_t r[32], s[SECRET_MAX];
	char name[40];
	int64_t which;
	int slen;
	struct entry *e;

	while (line.len > 0 && (line.p[line.len - 1] == '\r' || line.p[line.len - 1] == ' '))
		line.len--;
	c = cap_cur_from_span(line);
	if (line.len == 0 || line.p[0] == '#')
		return;
	k->st.lines++;
	lab = field(&c);
	rnd = field(&c);
	sec = field(&c);
	if (lab.len == 0 || lab.len >= sizeof(name) || cap_cur_left(&c) != 0) {
		k->st.bad++;
		return;
	}
	memcpy(name, lab.p, lab.len);
	name[lab.len] = '\0';
	if (cap_tok_value(labels, name, &which) != 0 || hex_field(rnd, r, 32) != 32) {
		k->st.bad++;
		return;
	}
	slen = hex_field(sec, s, sizeof(s));
	if (slen < 32) {
		k->st.bad++;
		memset(s, 0, sizeof(s));
		return;
	}
	if (which < 0) {
		k->st.other++;
		memset(s, 0, sizeof(s));
		return;
	}
	e = slot_of(k, r);
	if (e == NULL || !e->used) {
		if (k->count >= k->max) {
			k->st.cap_hits++;
			memset(s, 0, sizeof(s));
			return;
		}
		if ((k->count + 1) * 2 > k->nslots && !grow(k)) {
			k->st.cap_hits++;
			memset(s, 0, sizeof(s));
			return;
		}
		e = slot_of(k, r);
		e->used = 1;
		memcpy(e->random, r, 32);
		k->count++;
	}
	memcpy(e->sec[which], s, (size_t)slen);
	e->len[which] = (uint8_t)slen;
	memset(s, 0, sizeof(s));
	k->st.used++;
}

void cap_tls_keylog_add(struct cap_tls_keylog *k, const uint8_t *text, size_t n)
{
	struct cap_cursor c = cap_cur_init(text, n);

	while (cap_cur_left(&c) > 0) {
		struct cap_span rest = cap_cur_rest(&c);
		const uint8_t *nl = memchr(rest.p, '\n', rest.len);
		size_t len = nl != NULL ? (size_t)(nl - rest.p) : rest.len;
		struct cap_span line = cap_cur_span(&c, len);

		cap_cur_skip(&c, nl != NULL ? 1 : 0);
		if (len > CAP_TLS_KEYLOG_LINE_MAX) {
			k->st.lines++;
			k->st.too_long++;
			continue;
		}
		one_line(k, line);
	}
}

size_t cap_tls_keylog_find(const struct cap_tls_keylog *k, const uint8_t random[32],
			   enum cap_tls_secret which, const uint8_t **secret)
{
	const struct entry *e;

	if (k == NULL || (unsigned)which >= CAP_TLS_SEC_N)
		return 0;
	e = slot_of(k, random);
	if (e == NULL || !e->used || e->len[which] == 0)
		return 0;
	*secret = e->sec[which];
	return e->len[which];
}

size_t cap_tls_keylog_count(const struct cap_tls_keylog *k)
{
	return k != NULL ? k->count : 0;
}

const struct cap_tls_keylog_stats *cap_tls_keylog_stats(const struct cap_tls_keylog *k)
{
	return &k->st;
}
