/* result.c - life cycle of a probe result (one target): legs, findings, outcome. */
#include "probe.h"

#include <stdlib.h>
#include <string.h>

#include "negscope/tok.h"

void probe_result_init(struct probe_result *r, const char *url)
{
	memset(r, 0, sizeof(*r));
	r->url = strdup(url != NULL ? url : "");
	r->keepalive_ok = true;
	r->exit_code = PROBE_EXIT_OK;
}

static void token_clear(struct probe_token *t)
{
	free(t->bytes);
	memset(t, 0, sizeof(*t));
}

void probe_result_clear(struct probe_result *r)
{
	for (size_t i = 0; i < r->nlegs; i++) {
		struct probe_leg *l = &r->legs[i];

		token_clear(&l->sent);
		token_clear(&l->recv);
		free(l->curl_error);
		free(l->gss_error);
		for (size_t k = 0; k < l->nwww; k++)
			free(l->www_auth[k]);
		free(l->www_auth);
		free(l->connection);
		free(l->persistent_auth);
	}
	for (size_t i = 0; i < r->nfindings; i++)
		cap_finding_clear(&r->findings[i].rec);
	for (size_t i = 0; i < r->nhops; i++)
		free(r->hops[i].url);
	free(r->url);
	memset(r, 0, sizeof(*r));
}

struct probe_finding *probe_result_add_finding(struct probe_result *r, enum cap_finding_id id,
					       unsigned leg)
{
	struct probe_finding *f;

	if (r->nfindings >= PROBE_MAX_FINDINGS)
		return NULL;
	f = &r->findings[r->nfindings++];
	cap_finding_init(&f->rec, id);
	f->leg = leg;
	return f;
}

struct probe_finding *probe_result_copy_finding(struct probe_result *r,
					       const struct cap_finding *cf, unsigned leg)
{
	struct probe_finding *f = probe_result_add_finding(r, cf->id, leg);

	if (f == NULL)
		return NULL;
	f->rec.severity = cf->severity;
	f->rec.conversation = cf->conversation;
	f->rec.count = cf->count;
	for (size_t i = 0; i < cf->nframes; i++)
		cap_finding_add_frame(&f->rec, cf->frames[i]);
	for (size_t i = 0; i < cf->nev; i++) {
		if (cf->ev[i].is_num)
			cap_finding_set_num(&f->rec, cf->ev[i].key, cf->ev[i].num);
		else
			cap_finding_set_str(&f->rec, cf->ev[i].key, cf->ev[i].str);
	}
	for (size_t i = 0; i < cf->nadvice; i++)
		cap_finding_add_advice(&f->rec, "%s", cf->advice[i]);
	cap_finding_copy_words(&f->rec, cf);
	return f;
}

const struct probe_hop *probe_result_hop(const struct probe_result *r, unsigned leg)
{
	unsigned hop = r->nhops;

	if (leg > 0 && leg <= r->nlegs)
		hop = r->legs[leg - 1].hop;
	return hop > 0 && hop <= r->nhops ? &r->hops[hop - 1] : NULL;
}

const struct probe_url *probe_result_leg_url(const struct probe_result *r, unsigned leg)
{
	const struct probe_hop *h = probe_result_hop(r, leg);

	return h != NULL ? &h->u : &r->u;
}

const char *probe_result_leg_spn(const struct probe_result *r, unsigned leg)
{
	const struct probe_hop *h = probe_result_hop(r, leg);

	return h != NULL ? h->spn : r->spn;
}

const char *probe_result_leg_host(const struct probe_result *r, unsigned leg)
{
	const struct probe_hop *h = probe_result_hop(r, leg);
	const char *c = h != NULL ? h->canonical : r->canonical;

	return c[0] != '\0' ? c : probe_result_leg_url(r, leg)->host;
}

bool probe_result_has(const struct probe_result *r, enum cap_finding_id id)
{
	for (size_t i = 0; i < r->nfindings; i++)
		if (r->findings[i].rec.id == id)
			return true;
	return false;
}

int probe_result_worst(const struct probe_result *r)
{
	int worst = -1;

	for (size_t i = 0; i < r->nfindings; i++)
		if ((int)r->findings[i].rec.severity > worst)
			worst = (int)r->findings[i].rec.severity;
	return worst;
}

static const struct cap_tok deleg_result_names[] = {
	{ PROBE_DELEG_R_NOT_REQUESTED, "not-requested" },
	{ PROBE_DELEG_R_GRANTED, "granted" },
	{ PROBE_DELEG_R_NOT_TRUSTED, "not-trusted" },
	{ PROBE_DELEG_R_REFUSED, "refused" },
	{ 0, NULL },
};

const char *probe_deleg_result_name(enum probe_deleg_result d)
{
	return cap_tok_name(deleg_result_names, d, "?");
}
