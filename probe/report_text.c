/* report_text.c - the human report: one ladder per target, then findings with advice. */
#include "report.h"

#include <string.h>
#include <strings.h>

#include "negscope/report.h"
#include "safe_text.h"

/* Every string that may carry server-provided bytes (reason phrase, headers, curl's
 * message, decoded token fields, finding details) goes through safe(): a hostile server
 * must not drive the user's terminal with escape sequences (issue 16). */
#define SAFE_MAX 4096
#define safe(buf, s) probe_str_safe((buf), sizeof(buf), (s))

struct pen {
	FILE *fp;
	bool color;
};

static const char *c_on(const struct pen *p, const char *code)
{
	return p->color ? code : "";
}

#define RED "\033[31m"
#define YELLOW "\033[33m"
#define GREEN "\033[32m"
#define CYAN "\033[36m"
#define DIM "\033[2m"
#define BOLD "\033[1m"
#define OFF "\033[0m"

static const char *sev_color(enum cap_severity s)
{
	return s == CAP_SEV_ERROR ? RED : s == CAP_SEV_WARNING ? YELLOW : GREEN;
}


static void leg_lines(const struct pen *p, const struct probe_result *r, const struct probe_leg *l)
{
	FILE *fp = p->fp;
	char b1[SAFE_MAX], b2[SAFE_MAX];
	const struct probe_hop *h = probe_result_hop(r, l->n);
	const struct probe_url *u = probe_result_leg_url(r, l->n);

	if (h != NULL && h->first_leg == l->n)
		fprintf(fp, "  %sredirect%s %ld -> %s\n           %s%sSPN %s  (%s)\n",
			c_on(p, BOLD), c_on(p, OFF), h->status, safe(b1, h->url),
			h->new_origin ? "new origin, authenticates again; " : "same origin; ",
			h->new_spn ? "new " : "", safe(b2, h->spn), h->spn_source);
	fprintf(fp, "  %sleg %u%s  GET %s", c_on(p, BOLD), l->n, c_on(p, OFF),
		u->path[0] != '\0' ? safe(b1, u->path) : "/");
	if (l->sent.len > 0)
		fprintf(fp, "  Authorization: %s <%zu-byte token>", safe(b1, l->sent.scheme),
			l->sent.len);
	fprintf(fp, "\n");
	if (l->curl_code == 0 || l->local_port != 0)
		fprintf(fp, "         %s%s connection, local port %ld -> %s:%ld%s\n", c_on(p, DIM),
			l->conn_new ? "new" : "same", l->local_port, safe(b1, l->remote_ip),
			l->remote_port, c_on(p, OFF));
	if (l->sent.len > 0)
		fprintf(fp, "         -> %s\n", safe(b1, l->sent.desc.summary));
	if (l->curl_code != 0 && l->status > 0)
		/* the head arrived whole, its body did not */
		fprintf(fp, "         <- %ld %s  (then cut)\n", l->status, safe(b1, l->reason));
	if (l->curl_code != 0) {
		fprintf(fp, "         %sx  %s%s\n", c_on(p, RED),
			l->curl_error != NULL ? safe(b1, l->curl_error) : "failed", c_on(p, OFF));
		return;
	}
	fprintf(fp, "         <- %s%ld %s%s", c_on(p, l->status >= 200 && l->status < 300 ? GREEN :
							l->status == 401 ? YELLOW : RED),
		l->status, safe(b1, l->reason), c_on(p, OFF));
	fprintf(fp, "  %s[%.1f ms", c_on(p, DIM), l->t_total_ms);
	if (l->t_gss_ms > 0.05)
		fprintf(fp, ", GSS %.1f ms", l->t_gss_ms);
	fprintf(fp, "]%s\n", c_on(p, OFF));
	for (size_t i = 0; i < l->nwww; i++) {
		char shown[512];

		probe_auth_value_shown(l->www_auth[i], shown, sizeof(shown));
		fprintf(fp, "            WWW-Authenticate: %s\n", safe(b1, shown));
	}
	if (l->connection != NULL)
		fprintf(fp, "            Connection: %s\n", safe(b1, l->connection));
	if (l->persistent_auth != NULL)
		fprintf(fp, "            Persistent-Auth: %s\n", safe(b1, l->persistent_auth));
	if (l->recv.len > 0)
		fprintf(fp, "         <- %s\n", safe(b1, l->recv.desc.summary));
	if (l->gss == PROBE_GSSO_ERROR && l->gss_error != NULL)
		fprintf(fp, "         %sGSS: %s%s\n", c_on(p, RED), safe(b2, l->gss_error),
			c_on(p, OFF));
	else if (l->gss == PROBE_GSSO_COMPLETE)
		fprintf(fp, "         GSS: complete\n");
}

static void finding_lines(const struct pen *p, const struct probe_finding *pf)
{
	const struct cap_finding *f = &pf->rec;
	const struct cap_finding_info *t = cap_finding_info(f->id);
	FILE *fp = p->fp;
	char b1[SAFE_MAX];
	char words[CAP_FINDING_TEXT_MAX];

	fprintf(fp, "  %s%-7s%s %s%s%s", c_on(p, sev_color(f->severity)),
		cap_severity_name(f->severity), c_on(p, OFF), c_on(p, BOLD),
		cap_finding_slug(f->id), c_on(p, OFF));
	if (t != NULL)
		fprintf(fp, "  %s", t->title);
	if (pf->leg > 0)
		fprintf(fp, " %s(leg %u)%s", c_on(p, DIM), pf->leg, c_on(p, OFF));
	fprintf(fp, "\n");
	bool said = cap_finding_detail_text(f, words, sizeof(words)) > 0;

	if (said)
		fprintf(fp, "          %s\n", safe(b1, words));
	else if (t != NULL && f->severity != CAP_SEV_INFO)
		fprintf(fp, "          %s\n", t->explanation);
	for (size_t i = 0; i < f->nev; i++) {
		if (strcmp(f->ev[i].key, "gss_message") == 0 && said &&
		    strstr(words, f->ev[i].str) != NULL)
			continue; /* already in the sentence */
		if (f->ev[i].is_num)
			fprintf(fp, "          %s%s: %lld%s\n", c_on(p, DIM), f->ev[i].key,
				(long long)f->ev[i].num, c_on(p, OFF));
		else
			fprintf(fp, "          %s%s: %s%s\n", c_on(p, DIM), f->ev[i].key,
				safe(b1, f->ev[i].str), c_on(p, OFF));
	}
	if (f->severity == CAP_SEV_INFO)
		return;
	for (size_t i = 0; i < cap_finding_nadvice(f); i++) {
		cap_finding_advice_text(f, i, words, sizeof(words));
		fprintf(fp, "          %s*%s %s\n", c_on(p, CYAN), c_on(p, OFF),
			safe(b1, words));
	}
}

static void outcome_line(const struct pen *p, const struct probe_result *r)
{
	FILE *fp = p->fp;

	fprintf(fp, "\n  %sresult%s  ", c_on(p, BOLD), c_on(p, OFF));
	if (r->authenticated)
		fprintf(fp, "%s%s authenticated%s", c_on(p, GREEN),
			r->mech == PROBE_USED_NTLM ? "NTLM" : "Kerberos", c_on(p, OFF));
	else
		fprintf(fp, "%snot authenticated%s (mech %s)", c_on(p, RED), c_on(p, OFF),
			probe_used_mech_name(r->mech));
	fprintf(fp, ", status %ld, %zu leg%s, %u connection%s", r->status, r->nlegs,
		r->nlegs == 1 ? "" : "s", r->connections, r->connections == 1 ? "" : "s");
	if (r->mech == PROBE_USED_KERBEROS)
		fprintf(fp, ", mutual auth %s", r->mutual_verified ? "verified" : "not verified");
	fprintf(fp, ", delegation %s\n", probe_deleg_result_name(r->delegation));
	if (r->nhops > 0 || r->redirs_capped)
		fprintf(fp, "          %zu redirect%s followed%s\n", r->nhops,
			r->nhops == 1 ? "" : "s",
			r->redirs_capped ? ", stopped at --max-redirs" : "");
}

void probe_report_text(FILE *fp, const struct probe_result *r, bool color, const char *principal)
{
	struct pen p = {fp, color};
	char b1[SAFE_MAX], b2[SAFE_MAX];

	fprintf(fp, "%snegprobe%s %s\n", c_on(&p, BOLD), c_on(&p, OFF), safe(b1, r->url));
	if (r->fatal[0] != '\0') {
		fprintf(fp, "  %scould not run:%s %s\n\n", c_on(&p, RED), c_on(&p, OFF),
			safe(b1, r->fatal));
		return;
	}
	fprintf(fp, "  SPN %s  %s(%s)%s\n", safe(b1, r->spn), c_on(&p, DIM), r->spn_source,
		c_on(&p, OFF));
	if (principal != NULL && principal[0] != '\0')
		fprintf(fp, "  client %s\n", safe(b1, principal));
	probe_chanbind_describe(r, b2, sizeof(b2)); /* probe-cb */
	if (b2[0] != '\0')
		fprintf(fp, "  channel binding %s\n", safe(b1, b2));
	if (probe_result_has(r, CAP_F_TLS_INSECURE))
		fprintf(fp, "  %sTLS CERTIFICATE CHECKS ARE OFF (-k): a browser would verify "
			"this site%s\n",
			c_on(&p, RED), c_on(&p, OFF));
	fprintf(fp, "\n");
	for (size_t i = 0; i < r->nlegs; i++)
		leg_lines(&p, r, &r->legs[i]);
	outcome_line(&p, r);
	if (r->nspn_checks > 0) {
		fprintf(fp, "\n  %sSPN forms in the KDC%s\n", c_on(&p, BOLD), c_on(&p, OFF));
		for (size_t i = 0; i < r->nspn_checks; i++) {
			const struct probe_spn_check *c = &r->spn_checks[i];

			fprintf(fp, "    %s%-8s%s %-44s %s%s%s%s\n",
				c_on(&p, c->exists == 1 ? GREEN : c->exists == 0 ? RED : YELLOW),
				c->exists == 1 ? "exists" : c->exists == 0 ? "missing" : "unknown",
				c_on(&p, OFF), safe(b1, c->spn), c_on(&p, DIM), c->form,
				c->exists < 0 ? " - " : "",
				c->exists < 0 ? safe(b2, c->error) : "");
			fprintf(fp, "%s", c_on(&p, OFF));
		}
	}
	if (r->captured) {
		fprintf(fp, "\n  %son the wire (KDC)%s\n", c_on(&p, BOLD), c_on(&p, OFF));
		if (r->nwire == 0)
			fprintf(fp, "    no Kerberos traffic (tickets came from the cache)\n");
		for (size_t i = 0; i < r->nwire; i++)
			fprintf(fp, "    %s %s %s\n", r->wire[i].from_kdc ? "KDC ->" : "-> KDC",
				r->wire[i].tcp ? "tcp" : "udp", safe(b1, r->wire[i].summary));
	}
	if (r->nfindings > 0) {
		fprintf(fp, "\n  %sfindings%s\n", c_on(&p, BOLD), c_on(&p, OFF));
		/* most severe first */
		for (int sev = CAP_SEV_ERROR; sev >= CAP_SEV_INFO; sev--)
			for (size_t i = 0; i < r->nfindings; i++)
				if ((int)r->findings[i].rec.severity == sev)
					finding_lines(&p, &r->findings[i]);
	}
	if (r->noutcomes > 0) {
		fprintf(fp, "\n  %schecks%s\n", c_on(&p, BOLD), c_on(&p, OFF));
		for (size_t i = 0; i < r->noutcomes; i++)
			fprintf(fp, "    %s%s%s %-12s %s\n",
				c_on(&p, r->outcomes[i].pass ? GREEN : RED),
				r->outcomes[i].pass ? "pass" : "FAIL", c_on(&p, OFF),
				safe(b1, r->outcomes[i].expect.text),
				safe(b2, r->outcomes[i].actual));
	}
	fprintf(fp, "\n");
}
