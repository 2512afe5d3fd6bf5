/* capture.c - --capture: the probe's own traffic through negcap's source,
 * pipeline and analysis, on a background thread while the handshake runs.
 * The Kerberos messages become `krb` records of the result, and findings only
 * the wire can show (an ICMP-unreachable KDC, a KDC error the GSS library
 * retried past) are added to the probe's own.
 */
#include "capture.h"
#include "pcap_dl.h"

#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "negscope/analysis.h"
#include "negscope/pipeline.h"
#include "negscope/report.h"
#include "negscope/source.h"

struct probe_capture {
	struct cap_source *src;
	struct cap_pipeline *pl;
	struct cap_analysis *an;
	pthread_t thread;
	bool running;
	enum cap_source_status status;
	struct probe_wire_krb wire[PROBE_MAX_WIRE];
	size_t nwire;
	uint64_t dropped;
};

/* Runs on the capture thread; the main thread reads `wire` only after join. */
static void on_krb(void *ctx, const struct cap_krb_fact *f)
{
	struct probe_capture *c = ctx;
	struct probe_wire_krb *w;

	if (c->nwire >= PROBE_MAX_WIRE) {
		c->dropped++;
		return;
	}
	w = &c->wire[c->nwire++];
	memset(w, 0, sizeof(*w));
	w->frame = f->frame;
	w->ts = f->ts;
	snprintf(w->realm, sizeof(w->realm), "%.127s", f->realm);
	w->tcp = f->transport == CAP_TRANSPORT_TCP;
	w->from_kdc = f->from_server;
	w->msg_type = f->msg_type;
	w->error_code = f->error_code;
	snprintf(w->sname, sizeof(w->sname), "%.250s", f->sname);
	if (!f->decoded) {
		char why[128];

		cap_report_krb_problem(f, why, sizeof(why));
		snprintf(w->summary, sizeof(w->summary), "%s (not decoded: %.100s)",
			 cap_krb_msg_name(f->msg_type), why);
	}
	else if (f->error_code >= 0)
		snprintf(w->summary, sizeof(w->summary), "KRB-ERROR %.60s (%d)%s%.120s", f->error_name,
			 f->error_code, f->sname[0] != '\0' ? " for " : "", f->sname);
	else
		snprintf(w->summary, sizeof(w->summary), "%s %s%.120s%s%.60s%s", cap_krb_msg_name(f->msg_type),
			 f->from_server ? "ticket " : "for ", f->sname, f->realm[0] != '\0' ? "@" : "",
			 f->realm, f->opt_forwarded ? " (forwarded TGT)" : "");
}

static void *capture_thread(void *arg)
{
	struct probe_capture *c = arg;

	c->status = cap_source_run(c->src, c->pl);
	return NULL;
}

/* The BPF filter: the KDC, ICMP errors, and the web server's address and port. */
static void build_filter(const char *url, const char *const *resolve, char *out, size_t len)
{
	struct probe_url u;
	char err[128], addr[64];
	const char *a;

	if (probe_url_parse(url, &u, err, sizeof(err)) != 0) {
		snprintf(out, len, "port 88 or icmp or icmp6");
		return;
	}
	a = probe_resolve_lookup(resolve, u.host, u.port, addr, sizeof(addr));
	if (a == NULL) {
		struct addrinfo hints, *ai = NULL;

		memset(&hints, 0, sizeof(hints));
		hints.ai_socktype = SOCK_STREAM;
		hints.ai_flags = AI_NUMERICSERV;
		if (getaddrinfo(u.host, NULL, &hints, &ai) == 0 && ai != NULL &&
		    getnameinfo(ai->ai_addr, ai->ai_addrlen, addr, sizeof(addr), NULL, 0,
				NI_NUMERICHOST) == 0)
			a = addr;
		if (ai != NULL)
			freeaddrinfo(ai);
	}
	if (a != NULL)
		snprintf(out, len, "port 88 or icmp or icmp6 or (tcp and host %s and port %ld)", a,
			 u.port);
	else
		snprintf(out, len, "port 88 or icmp or icmp6 or tcp port %ld", u.port);
}

static void capture_free(struct probe_capture *c)
{
	if (c == NULL)
		return;
	cap_source_close(c->src);
	cap_pipeline_free(c->pl);
	cap_analysis_free(c->an);
	free(c);
}

struct probe_capture *probe_capture_start(const char *iface, const char *write_file,
					  const char *url, const char *const *resolve, char *err,
					  size_t errlen)
{
	struct probe_capture *c = calloc(1, sizeof(*c));
	struct cap_source_opts so;
	struct cap_analysis_hooks hooks;
	struct cap_sink sink;
	char filter[256];

	if (c == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (probe_pcap_load(err, errlen) != 0)
		goto fail;
	build_filter(url, resolve, filter, sizeof(filter));
	memset(&so, 0, sizeof(so));
	so.filter = filter;
	if (cap_source_open_live(&c->src, iface, &so, err, errlen) != 0)
		goto fail;
	if (write_file != NULL && cap_source_start_dump(c->src, write_file, err, errlen) != 0)
		goto fail;
	c->an = cap_analysis_new(NULL);
	if (c->an == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	memset(&hooks, 0, sizeof(hooks));
	hooks.ctx = c;
	hooks.krb = on_krb;
	cap_analysis_set_hooks(c->an, &hooks);
	cap_analysis_sink(c->an, &sink);
	c->pl = cap_pipeline_new(cap_source_linktype(c->src), NULL, &sink);
	if (c->pl == NULL) {
		snprintf(err, errlen, "interface %s: link type %d not supported or out of memory",
			 iface, cap_source_linktype(c->src));
		goto fail;
	}
	if (pthread_create(&c->thread, NULL, capture_thread, c) != 0) {
		snprintf(err, errlen, "cannot start the capture thread");
		goto fail;
	}
	c->running = true;
	return c;
fail:
	capture_free(c);
	return NULL;
}

/* True when a probe finding carries the Kerberos error `e` names: the KRB-ERROR the GSS
 * library already reported (a refused logon is client-logon-failed, not kdc-error). */
static bool same_krb_error(const struct probe_result *r, const struct cap_evidence *e)
{
	for (size_t i = 0; e != NULL && e->is_num && i < r->nfindings; i++) {
		const struct cap_evidence *p = cap_finding_get(&r->findings[i].rec, "error_code");

		if (p != NULL && p->is_num && p->num == e->num)
			return true;
	}
	return false;
}

/* Findings negcap drew from the wire that the probe did not already have. */
static void fold_findings(struct probe_capture *c, struct probe_result *r)
{
	for (size_t i = 0; i < cap_analysis_nfindings(c->an); i++) {
		const struct cap_finding *cf = cap_analysis_finding(c->an, i);
		struct probe_finding *f;

		if (probe_result_has(r, cf->id) ||
		    same_krb_error(r, cap_finding_get(cf, "error_code")))
			continue;
		/* negcap sees the same handshake: its success/fallback verdicts repeat ours */
		if (cf->id == CAP_F_KERBEROS_OK || cf->id == CAP_F_NTLM_OK)
			continue;
		f = probe_result_copy_finding(r, cf, 0);
		if (f == NULL)
			return;
		cap_finding_set_str(&f->rec, "seen_on", "wire");
		f->rec.w.on_wire = true;
	}
}

int probe_capture_stop(struct probe_capture *c, struct probe_result *r, char *err, size_t errlen)
{
	struct timespec settle = {0, 200 * 1000 * 1000};
	int rc = 0;

	if (c == NULL)
		return 0;
	/* the last FIN/ACKs and a late KDC reply reach the socket a moment later */
	nanosleep(&settle, NULL);
	cap_source_stop(c->src);
	if (c->running)
		pthread_join(c->thread, NULL);
	cap_pipeline_finish(c->pl);
	cap_analysis_finish(c->an, cap_pipeline_stats(c->pl));
	if (c->status == CAP_SRC_ERROR) {
		snprintf(err, errlen, "%s", cap_source_message(c->src));
		rc = -1;
	}
	if (r != NULL) {
		r->captured = true;
		memcpy(r->wire, c->wire, c->nwire * sizeof(c->wire[0]));
		r->nwire = c->nwire;
		fold_findings(c, r);
		/* the capture may add a warning: judge again with the same checks */
	}
	capture_free(c);
	return rc;
}
