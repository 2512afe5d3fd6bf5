/* facts.h - the probe's legs as the diagnosis engine's facts.
 *
 * negprobe does not judge: each leg's request and response become the same
 * cap_http_fact records negcap makes from packets (through cap_facts_http, with the same
 * token decoders), a new connection a cap_conn_event, and what only a client sees
 * (credentials, GSS-API and TLS results) a cap_probe_fact.  The findings then come from
 * the engine's judges, shared with negcap.  Frames are leg numbers.
 */
#ifndef PROBE_FACTS_H
#define PROBE_FACTS_H

#include <stdbool.h>
#include <stdint.h>

#include "negscope/analysis.h"
#include "probe.h"

struct probe_facts {
	struct cap_analysis *an;
	uint32_t stream;          /* connection index of the last leg */
	bool have_stream;
	double ts;                /* the last response's time */
	long last_status;
	struct cap_endpoint client, server;
	struct cap_krb_keyset *keys; /* --server-keytab: tried on the AP-REQ sent, NULL none */
};

/* 0, or -1 when out of memory or the keytab (NULL: none) no longer reads.  With a keytab,
 * the engine's decoders try its keys on the ticket of each AP-REQ sent, as `kvno -k`
 * does, and the keys judges give the same verdicts as negcap --keytab. */
int probe_facts_init(struct probe_facts *pf, const char *server_keytab);
void probe_facts_free(struct probe_facts *pf);
/* Feeds leg l: a connection opened (and the one before closed), the request with the
 * Authorization value `authz` sent (NULL: none), the response.  A leg without an HTTP
 * answer feeds nothing. */
void probe_facts_leg(struct probe_facts *pf, const struct probe_result *r,
		     const struct probe_leg *l, const char *authz);
/* A probe fact about r's target: url, host, port and SPN filled in. */
void probe_facts_start(struct cap_probe_fact *f, enum cap_probe_event ev,
		       const struct probe_result *r, unsigned leg);
/* The typed form of a GSS-API failure: major/minor status, the RFC 4120 error number
 * when the minor status is a krb5 error-table code, and the library codes told apart. */
void probe_facts_gss_error(struct cap_probe_fact *f, const struct probe_gss_error *e);
void probe_facts_feed(struct probe_facts *pf, const struct cap_probe_fact *f);
/* Ends the run: the engine's findings (id order of its sort) become r's. */
void probe_facts_finish(struct probe_facts *pf, struct probe_result *r);

#endif /* PROBE_FACTS_H */
