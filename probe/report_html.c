/* report_html.c - negprobe's HTML report: per target a verdict, the handshake as a
 * sequence diagram (client, web server, KDC; one arrow per request and per response, and
 * the KDC messages a --capture saw), findings pinned to their legs and listed with
 * advice.  Every string from the server, the URL or the KDC is escaped (cap_html_text). */
#include "report_html.h"

#include <stdio.h>
#include <string.h>

#include "token.h"

void probe_report_html_begin(struct probe_html *ph, FILE *fp)
{
	memset(ph, 0, sizeof(*ph));
	cap_html_page_begin(&ph->h, fp, "negprobe report");
	cap_html_put(&ph->h, "</header>\n<div id=\"filterbox\" hidden><input id=\"filter\" "
			     "type=\"search\" placeholder=\"Filter targets and findings\" "
			     "aria-label=\"Filter targets and findings\"></div>\n");
}

static void verdict(struct cap_html *h, const struct probe_result *r, size_t t,
		    const char *principal)
{
	int worst = probe_result_worst(r);

	cap_html_put(h, "<div class=\"verdict %s\"><p><strong>",
		     worst < 0 ? "none" : cap_html_sev_class((enum cap_severity)worst));
	if (r->fatal[0] != '\0') {
		cap_html_put(h, "Could not run:</strong> ");
		cap_html_text(h, r->fatal);
		cap_html_put(h, "</p></div>\n");
		return;
	}
	if (r->authenticated)
		cap_html_put(h, "%s authenticated",
			     r->mech == PROBE_USED_NTLM ? "NTLM" : "Kerberos");
	else
		cap_html_put(h, "Not authenticated");
	cap_html_put(h, "</strong>: status %ld, %zu leg%s, %u connection%s", r->status, r->nlegs,
		     r->nlegs == 1 ? "" : "s", r->connections, r->connections == 1 ? "" : "s");
	if (r->mech == PROBE_USED_KERBEROS)
		cap_html_put(h, ", mutual authentication %s",
			     r->mutual_verified ? "verified" : "not verified");
	cap_html_put(h, ", delegation %s.</p>\n<p class=\"meta\">SPN <code>",
		     probe_deleg_result_name(r->delegation));
	cap_html_text(h, r->spn);
	cap_html_put(h, "</code> (");
	cap_html_text(h, r->spn_source);
	cap_html_put(h, ")");
	for (size_t i = 0; i < r->nhops; i++) {
		cap_html_put(h, "; redirect %ld to <code>", r->hops[i].status);
		cap_html_text(h, r->hops[i].url);
		cap_html_put(h, "</code>, SPN <code>");
		cap_html_text(h, r->hops[i].spn);
		cap_html_put(h, "</code>%s", r->hops[i].new_origin ? " (new origin)" : "");
	}
	if (r->redirs_capped)
		cap_html_put(h, "; stopped at --max-redirs");
	if (principal != NULL && principal[0] != '\0') {
		cap_html_put(h, "; client <code>");
		cap_html_text(h, principal);
		cap_html_put(h, "</code>");
	}
	{
		char cb[400];

		probe_chanbind_describe(r, cb, sizeof(cb)); /* probe-cb */
		if (cb[0] != '\0') {
			cap_html_put(h, "; channel binding ");
			cap_html_text(h, cb);
		}
	}
	cap_html_put(h, "</p>\n<ul>\n");
	for (int sev = CAP_SEV_ERROR; sev >= CAP_SEV_INFO; sev--)
		for (size_t i = 0; i < r->nfindings; i++) {
			const struct cap_finding *f = &r->findings[i].rec;
			const struct cap_finding_info *info = cap_finding_info(f->id);

			if ((int)f->severity != sev)
				continue;
			cap_html_put(h, "<li><span class=\"sev %s\">%s</span> "
				     "<a href=\"#t%zu-finding-%zu\"><code>%s</code></a>: %s</li>\n",
				     cap_html_sev_class(f->severity),
				     cap_severity_name(f->severity), t, i + 1,
				     cap_finding_slug(f->id),
				     info != NULL ? info->title : "");
		}
	cap_html_put(h, "</ul></div>\n");
}

/* Pins the findings seen on leg n (1-based) to the row being written. */
static void pins(struct cap_html *h, const struct probe_result *r, size_t t, unsigned n)
{
	char target[48];
	bool any = false;

	for (size_t i = 0; i < r->nfindings; i++) {
		if (r->findings[i].leg != n)
			continue;
		if (!any)
			cap_html_put(h, "\n");
		any = true;
		snprintf(target, sizeof(target), "t%zu-finding-%zu", t, i + 1);
		cap_html_pin(h, &r->findings[i].rec, target);
	}
}

static bool leg_pinned(const struct probe_result *r, unsigned n)
{
	for (size_t i = 0; i < r->nfindings; i++)
		if (r->findings[i].leg == n)
			return true;
	return false;
}

static void kdc_rows(struct cap_html *h, const struct probe_result *r)
{
	for (size_t i = 0; i < r->nwire; i++) {
		const struct probe_wire_krb *w = &r->wire[i];
		struct cap_html_row row;

		memset(&row, 0, sizeof(row));
		row.dir = w->from_kdc ? CAP_STEP_FROM_KDC : CAP_STEP_TO_KDC;
		row.number = w->frame;
		row.kind = w->error_code >= 0 ? "krb-error"
			   : w->from_kdc ? "kdc-reply" : "kdc-request";
		row.bad = w->error_code >= 0;
		cap_html_row_begin(h, &row);
		cap_html_put(h, "(captured frame %llu, %s) ", (unsigned long long)w->frame,
			     w->tcp ? "tcp" : "udp");
		cap_html_text(h, w->summary);
		cap_html_row_end(h);
	}
}

static void leg_rows(struct cap_html *h, const struct probe_result *r, size_t t,
		     const struct probe_leg *l)
{
	struct cap_html_row row;
	char id[48], shown[512];

	memset(&row, 0, sizeof(row));
	row.dir = CAP_STEP_TO_SERVER;
	row.number = l->n;
	row.kind = "http-request";
	cap_html_row_begin(h, &row);
	cap_html_put(h, "GET ");
	cap_html_text(h, r->u.path[0] != '\0' ? r->u.path : "/");
	if (l->sent.len > 0) {
		cap_html_put(h, "  Authorization: ");
		cap_html_text(h, l->sent.scheme);
		cap_html_put(h, " → ");
		cap_html_text(h, l->sent.desc.summary);
	}
	cap_html_put(h, "  (%s connection)", l->conn_new ? "new" : "same");
	cap_html_row_end(h);

	memset(&row, 0, sizeof(row));
	snprintf(id, sizeof(id), "t%zu-leg%u", t, l->n);
	row.id = id;
	row.number = l->n;
	row.pinned = leg_pinned(r, l->n);
	if (l->curl_code != 0) {
		row.dir = CAP_STEP_NOTE;
		row.kind = "conn-close";
		row.bad = true;
		cap_html_row_begin(h, &row);
		cap_html_text(h, l->curl_error != NULL ? l->curl_error : "the request failed");
		pins(h, r, t, l->n);
		cap_html_row_end(h);
		return;
	}
	row.dir = CAP_STEP_FROM_SERVER;
	row.kind = "http-response";
	row.ok = l->status >= 200 && l->status < 300;
	row.bad = l->gss == PROBE_GSSO_ERROR ||
		  (l->status >= 400 && (l->status != 401 || l->sent.len > 0));
	cap_html_row_begin(h, &row);
	cap_html_put(h, "%ld ", l->status);
	cap_html_text(h, l->reason);
	for (size_t i = 0; i < l->nwww; i++) {
		probe_auth_value_shown(l->www_auth[i], shown, sizeof(shown));
		cap_html_put(h, "\nWWW-Authenticate: ");
		cap_html_text(h, shown);
	}
	if (l->connection != NULL) {
		cap_html_put(h, "\nConnection: ");
		cap_html_text(h, l->connection);
	}
	if (l->recv.len > 0) {
		cap_html_put(h, "\n→ ");
		cap_html_text(h, l->recv.desc.summary);
	}
	if (l->gss == PROBE_GSSO_ERROR && l->gss_error != NULL) {
		cap_html_put(h, "\nGSS: ");
		cap_html_text(h, l->gss_error);
	} else if (l->gss == PROBE_GSSO_COMPLETE) {
		cap_html_put(h, "\nGSS: complete");
	}
	pins(h, r, t, l->n);
	cap_html_row_end(h);
}

static void findings(struct cap_html *h, const struct probe_result *r, size_t t)
{
	char id[48];

	for (int sev = CAP_SEV_ERROR; sev >= CAP_SEV_INFO; sev--)
		for (size_t i = 0; i < r->nfindings; i++) {
			const struct probe_finding *pf = &r->findings[i];

			if ((int)pf->rec.severity != sev)
				continue;
			snprintf(id, sizeof(id), "t%zu-finding-%zu", t, i + 1);
			cap_html_finding_begin(h, &pf->rec, id);
			if (pf->leg > 0 && pf->leg <= r->nlegs)
				cap_html_put(h, "<p class=\"meta\"><a href=\"#t%zu-leg%u\">"
					     "leg %u</a></p>\n", t, pf->leg, pf->leg);
			cap_html_finding_end(h, &pf->rec);
		}
}

static void tables(struct cap_html *h, const struct probe_result *r)
{
	if (r->nspn_checks > 0) {
		cap_html_put(h, "<h3>SPN forms in the KDC</h3>\n<table>\n");
		for (size_t i = 0; i < r->nspn_checks; i++) {
			const struct probe_spn_check *c = &r->spn_checks[i];

			cap_html_put(h, "<tr><td>%s</td><td><code>",
				     c->exists == 1 ? "exists" :
				     c->exists == 0 ? "missing" : "unknown");
			cap_html_text(h, c->spn);
			cap_html_put(h, "</code></td><td>");
			cap_html_text(h, c->form);
			cap_html_put(h, "</td><td>");
			cap_html_text(h, c->exists < 0 ? c->error : "");
			cap_html_put(h, "</td></tr>\n");
		}
		cap_html_put(h, "</table>\n");
	}
	if (r->noutcomes > 0) {
		cap_html_put(h, "<h3>Checks</h3>\n<table>\n");
		for (size_t i = 0; i < r->noutcomes; i++) {
			cap_html_put(h, "<tr><td>%s</td><td><code>",
				     r->outcomes[i].pass ? "pass" : "FAIL");
			cap_html_text(h, r->outcomes[i].expect.text);
			cap_html_put(h, "</code></td><td>");
			cap_html_text(h, r->outcomes[i].actual);
			cap_html_put(h, "</td></tr>\n");
		}
		cap_html_put(h, "</table>\n");
	}
}

void probe_report_html_target(struct probe_html *ph, const struct probe_result *r,
			      const char *principal)
{
	struct cap_html *h = &ph->h;
	size_t t = ++ph->targets;
	size_t first_token = r->nlegs;

	if (t > PROBE_HTML_FULL) {
		if (t > PROBE_HTML_FULL + PROBE_HTML_LINES) {
			ph->omitted++;
			return;
		}
		cap_html_put(h, "<p class=\"target-line\">%zu. <code>", t);
		cap_html_text(h, r->url);
		cap_html_put(h, "</code>: %s, status %ld, %zu finding(s)</p>\n",
			     r->authenticated ? "authenticated" : "not authenticated", r->status,
			     r->nfindings);
		return;
	}
	cap_html_put(h, "<section class=\"conv target\" id=\"t%zu\" data-target=\"%zu\">"
			"<h2>Target %zu: <code>", t, t, t);
	cap_html_text(h, r->url);
	cap_html_put(h, "</code></h2>\n");
	verdict(h, r, t, principal);
	if (r->fatal[0] == '\0') {
		/* The KDC exchange comes before the first request that carries a token. */
		for (size_t i = 0; i < r->nlegs && first_token == r->nlegs; i++)
			if (r->legs[i].sent.len > 0)
				first_token = i;
		cap_html_lanes_begin(h, "leg");
		for (size_t i = 0; i < r->nlegs; i++) {
			if (i == first_token)
				kdc_rows(h, r);
			leg_rows(h, r, t, &r->legs[i]);
		}
		if (first_token == r->nlegs)
			kdc_rows(h, r);
		cap_html_lanes_end(h);
		if (r->captured && r->nwire == 0)
			cap_html_put(h, "<p class=\"meta\">No Kerberos traffic on the wire "
					"(the tickets came from the cache).</p>\n");
	}
	findings(h, r, t);
	tables(h, r);
	cap_html_put(h, "</section>\n");
}

int probe_report_html_end(struct probe_html *ph)
{
	cap_html_put(&ph->h, "<section id=\"omitted\"><h2>Left out of this file</h2>\n"
			     "<ul class=\"omitted\"><li>");
	if (ph->targets > PROBE_HTML_FULL)
		cap_html_put(&ph->h, "%zu target(s) in one line each (at most %d in full)",
			     ph->targets - PROBE_HTML_FULL - ph->omitted, PROBE_HTML_FULL);
	if (ph->omitted > 0)
		cap_html_put(&ph->h, "; %zu target(s) not listed (at most %d lines)", ph->omitted,
			     PROBE_HTML_LINES);
	if (ph->targets <= PROBE_HTML_FULL)
		cap_html_put(&ph->h, "Nothing: every target is in this file.");
	cap_html_put(&ph->h, "</li></ul></section>\n");
	return cap_html_page_end(&ph->h);
}
