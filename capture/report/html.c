/* html.c - the report as one self-contained HTML file (negcap --html): the verdict, a
 * sequence diagram per conversation with a finding (lanes client, web server, KDC; one
 * arrow per ladder step, failing legs marked, findings pinned to the frames they cite),
 * the conversations without a finding one table row each, the findings with their advice,
 * the summary and anomalies, and what the file leaves out.
 *
 * No external asset and no network request: inline CSS and SVG, and a few lines of plain
 * JavaScript that only add a filter box (the page reads the same with scripts off).  The
 * Content-Security-Policy meta element forbids any fetch.  Every string from the capture
 * goes through cap_html_escape(); format strings below carry only numbers and our own
 * words.  Output is bounded by the caps below, and the file says what they left out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "negscope/report.h"

#define HTML_LADDERS 100        /* conversations drawn as a diagram */
#define HTML_LADDER_STEPS 300   /* arrows in one diagram */
#define HTML_ARROWS 5000        /* arrows in the whole file */
#define HTML_QUIET_ROWS 500     /* conversations without a finding, one row each */
#define HTML_FINDINGS 500       /* findings written in full */
#define HTML_VERDICT 12         /* findings named in the verdict */
#define HTML_PINS 64            /* findings of one conversation considered for pins */

/* ---- what the caps let in ---- */

struct plan {
	size_t nconv;
	int *max_sev;        /* per conversation position: highest finding severity, -1 none */
	size_t *shown_steps; /* per position: steps drawn (0 when not drawn) */
	size_t ladders, ladders_skipped, arrows, arrows_skipped, quiet, quiet_skipped;
};

/* Position of conversation `id` (ids are 1-based in creation order). */
static size_t conv_pos(const struct cap_analysis *a, size_t nconv, unsigned id)
{
	if (id >= 1 && id <= nconv && cap_analysis_conversation(a, id - 1)->id == id)
		return id - 1;
	for (size_t i = 0; i < nconv; i++)
		if (cap_analysis_conversation(a, i)->id == id)
			return i;
	return nconv;
}

static int plan_init(struct plan *p, const struct cap_analysis *a)
{
	memset(p, 0, sizeof(*p));
	p->nconv = cap_analysis_nconversations(a);
	p->max_sev = calloc(p->nconv + 1, sizeof(*p->max_sev));
	p->shown_steps = calloc(p->nconv + 1, sizeof(*p->shown_steps));
	if (p->max_sev == NULL || p->shown_steps == NULL)
		return -1;
	for (size_t i = 0; i < p->nconv; i++)
		p->max_sev[i] = -1;
	for (size_t k = 0; k < cap_analysis_nfindings(a); k++) {
		const struct cap_finding *f = cap_analysis_finding(a, k);
		size_t pos = f->conversation != 0 ? conv_pos(a, p->nconv, f->conversation)
						   : p->nconv;

		if (pos < p->nconv && (int)f->severity > p->max_sev[pos])
			p->max_sev[pos] = (int)f->severity;
	}
	return 0;
}

static void plan_free(struct plan *p)
{
	free(p->max_sev);
	free(p->shown_steps);
}

/* Whether frame `frame` of conversation `conv` is drawn, so a link to it resolves. */
static bool frame_drawn(const struct cap_analysis *a, const struct plan *p, unsigned conv,
			uint64_t frame)
{
	size_t pos = conv != 0 ? conv_pos(a, p->nconv, conv) : p->nconv;
	const struct cap_conversation *c;

	if (pos >= p->nconv)
		return false;
	c = cap_analysis_conversation(a, pos);
	for (size_t i = 0; i < p->shown_steps[pos]; i++)
		if (c->steps[i].frame == frame)
			return true;
	return false;
}

/* ---- head, verdict ---- */

static void head(struct cap_html *h, FILE *fp, const struct cap_report_input *in)
{
	cap_html_page_begin(h, fp, "negcap report");
	cap_html_put(h, "<p class=\"meta\">");
	if (in != NULL && in->live) {
		cap_html_put(h, "Live capture on ");
		cap_html_text(h, in->interface != NULL ? in->interface : "?");
		if (in->interrupted)
			cap_html_put(h, " (ended by a signal)");
	} else if (in != NULL && in->nfile_names > 0) {
		cap_html_put(h, "Input: ");
		for (size_t i = 0; i < in->nfile_names; i++) {
			cap_html_put(h, "%s<code>", i ? ", " : "");
			cap_html_text(h, in->file_names[i]);
			cap_html_put(h, "</code>");
		}
	} else {
		cap_html_put(h, "Input: %u file(s)", in != NULL ? in->files : 0);
	}
	if (in != NULL && in->truncated)
		cap_html_put(h, "; the input ended early");
	cap_html_put(h, "</p></header>\n");
}

static void verdict(struct cap_html *h, const struct cap_analysis *a)
{
	const struct cap_analysis_stats *as = cap_analysis_stats(a);
	size_t nf = cap_analysis_nfindings(a);
	int top = cap_analysis_max_severity(a);

	cap_html_put(h, "<section id=\"verdict\" class=\"verdict %s\"><h2>Verdict</h2>\n",
	    top < 0 ? "none" : cap_html_sev_class((enum cap_severity)top));
	if (nf == 0) {
		cap_html_put(h, "<p>No finding in %llu conversation(s).</p></section>\n",
		    (unsigned long long)as->conversations);
		return;
	}
	cap_html_put(h, "<p><strong>");
	for (int sv = CAP_SEV_ERROR, sep = 0; sv >= CAP_SEV_INFO; sv--) {
		if (as->findings_by_severity[sv] == 0)
			continue;
		cap_html_put(h, "%s%llu %s", sep++ ? ", " : "",
		    (unsigned long long)as->findings_by_severity[sv],
		    cap_severity_name((enum cap_severity)sv));
	}
	cap_html_put(h, "</strong></p>\n<ul>\n");
	for (size_t i = 0; i < nf && i < HTML_VERDICT; i++) {
		const struct cap_finding *f = cap_analysis_finding(a, i);
		const struct cap_finding_info *info = cap_finding_info(f->id);
		struct cap_report_subject who;

		cap_report_subject(f, &who);
		cap_html_put(h, "<li><span class=\"sev %s\">%s</span> ",
		    cap_html_sev_class(f->severity), cap_severity_name(f->severity));
		if (i < HTML_FINDINGS)
			cap_html_put(h, "<a href=\"#finding-%zu\"><code>%s</code></a>", i + 1,
			    cap_finding_slug(f->id));
		if (info != NULL)
			cap_html_put(h, ": %s", info->title);
		if (who.user != NULL) {
			cap_html_put(h, "; user <code>");
			cap_html_text(h, who.user);
			cap_html_put(h, "</code>");
		}
		if (who.site != NULL) {
			cap_html_put(h, "; %s <code>", who.site_word);
			cap_html_text(h, who.site);
			cap_html_put(h, "</code>");
		}
		if (f->conversation != 0)
			cap_html_put(h, " <a href=\"#conv-%u\">[conversation %u]</a>",
			    f->conversation, f->conversation);
		cap_html_put(h, "</li>\n");
	}
	if (nf > HTML_VERDICT)
		cap_html_put(h, "<li>… and %zu more in <a href=\"#findings\">Findings</a></li>\n",
		    nf - HTML_VERDICT);
	cap_html_put(h, "</ul></section>\n");
}

/* ---- the sequence diagrams ---- */

/* Findings of a conversation (their indexes), for pinning to frames. */
struct pins {
	size_t idx[HTML_PINS];
	size_t n;
};

static void pins_of(const struct cap_analysis *a, unsigned conv, struct pins *p)
{
	p->n = 0;
	for (size_t k = 0;
	     k < cap_analysis_nfindings(a) && k < HTML_FINDINGS && p->n < HTML_PINS; k++)
		if (cap_analysis_finding(a, k)->conversation == conv)
			p->idx[p->n++] = k;
}

static bool cites(const struct cap_finding *f, uint64_t frame)
{
	for (size_t i = 0; i < f->nframes; i++)
		if (f->frames[i] == frame)
			return true;
	return false;
}

static void step_row(struct cap_html *h, const struct cap_analysis *a,
		     const struct cap_conversation *c, size_t i, const struct pins *pins)
{
	const struct cap_step *s = &c->steps[i];
	struct cap_html_row r;
	char text[512], id[48], target[32];
	bool first = true;

	for (size_t k = 0; k < i && first; k++)
		first = c->steps[k].frame != s->frame;
	memset(&r, 0, sizeof(r));
	r.dir = s->dir;
	r.at_kdc = s->kind == CAP_STEP_KDC_UNREACHABLE;
	r.number = s->frame;
	r.kind = cap_report_step_kind_name(s->kind);
	r.bad = s->bad;
	r.ok = s->status >= 200 && s->status < 400;
	for (size_t k = 0; k < pins->n && !r.pinned; k++)
		r.pinned = cites(cap_analysis_finding(a, pins->idx[k]), s->frame);
	snprintf(id, sizeof(id), "c%u-f%llu", c->id, (unsigned long long)s->frame);
	r.id = first ? id : NULL;
	cap_report_step_text(s, text, sizeof(text));
	cap_html_row_begin(h, &r);
	cap_html_text(h, text);
	if (s->dir != CAP_STEP_NOTE && s->dir != CAP_STEP_TO_KDC && s->dir != CAP_STEP_FROM_KDC &&
	    c->nstreams > 1)
		cap_html_put(h, " <span class=\"conn\">[conn %u]</span>", s->stream);
	if (r.pinned)
		cap_html_put(h, "\n");
	for (size_t k = 0; k < pins->n; k++) {
		const struct cap_finding *f = cap_analysis_finding(a, pins->idx[k]);

		snprintf(target, sizeof(target), "finding-%zu", pins->idx[k] + 1);
		if (cites(f, s->frame))
			cap_html_pin(h, f, target);
	}
	cap_html_row_end(h);
}

static void conv_title(struct cap_html *h, const struct cap_conversation *c)
{
	char cb[80], sb[80];

	cap_addr_str(&c->client, cb, sizeof(cb));
	cap_endpoint_str(&c->server, sb, sizeof(sb));
	if (c->kdc_only) {
		cap_html_put(h, "Conversation %u: client <code>", c->id);
		cap_html_text(h, cb);
		cap_html_put(h, "</code> ↔ KDC <code>");
		cap_html_text(h, sb);
		cap_html_put(h, "</code> (Kerberos only)");
		return;
	}
	cap_html_put(h, "Conversation %u: client <code>", c->id);
	cap_html_text(h, cb);
	cap_html_put(h, "</code> → server <code>");
	cap_html_text(h, sb);
	cap_html_put(h, "</code>");
	if (c->host[0] != '\0') {
		cap_html_put(h, " Host <code>");
		cap_html_text(h, c->host);
		cap_html_put(h, "</code>");
	}
	cap_html_put(h, " (%u connection%s)", c->nstreams, c->nstreams == 1 ? "" : "s");
}

static void ladder(struct cap_html *h, const struct cap_analysis *a, struct plan *p, size_t pos)
{
	const struct cap_conversation *c = cap_analysis_conversation(a, pos);
	struct pins pins;
	size_t n = c->nsteps, left;

	left = p->arrows < HTML_ARROWS ? HTML_ARROWS - p->arrows : 0;
	if (n > HTML_LADDER_STEPS)
		n = HTML_LADDER_STEPS;
	if (n > left)
		n = left;
	pins_of(a, c->id, &pins);
	cap_html_put(h, "<section class=\"conv sev-%s\" id=\"conv-%u\" "
	    "data-conversation=\"%u\"><h3>",
	    cap_html_sev_class((enum cap_severity)p->max_sev[pos]), c->id, c->id);
	conv_title(h, c);
	cap_html_put(h, "</h3>\n");
	cap_html_lanes_begin(h, "frame");
	for (size_t i = 0; i < n; i++)
		step_row(h, a, c, i, &pins);
	cap_html_lanes_end(h);
	p->shown_steps[pos] = n;
	p->arrows += n;
	if (c->nsteps > n || c->steps_dropped > 0) {
		p->arrows_skipped += c->nsteps - n;
		cap_html_put(h, "<p class=\"omitted\">%llu more message(s) of this conversation "
		    "not drawn",
		    (unsigned long long)(c->nsteps - n + c->steps_dropped));
		if (c->steps_dropped > 0)
			cap_html_put(h, " (%llu not kept by the analysis)",
			    (unsigned long long)c->steps_dropped);
		cap_html_put(h, ".</p>\n");
	}
	cap_html_put(h, "</section>\n");
}

static void quiet_row(struct cap_html *h, const struct cap_conversation *c)
{
	char cb[80], sb[80];

	cap_addr_str(&c->client, cb, sizeof(cb));
	cap_endpoint_str(&c->server, sb, sizeof(sb));
	cap_html_put(h, "<tr class=\"quiet-row\" id=\"conv-%u\"><td>%u</td><td><code>",
	    c->id, c->id);
	cap_html_text(h, cb);
	cap_html_put(h, "</code></td><td>%s<code>", c->kdc_only ? "KDC " : "");
	cap_html_text(h, sb);
	cap_html_put(h, "</code></td><td>");
	cap_html_text(h, c->host);
	cap_html_put(h, "</td><td>%llu</td><td>%llu–%llu</td></tr>\n",
	    (unsigned long long)(c->nsteps + c->steps_dropped), (unsigned long long)c->first_frame,
	    (unsigned long long)c->last_frame);
}

static void conversations(struct cap_html *h, const struct cap_analysis *a, struct plan *p)
{
	bool table = false;

	cap_html_put(h, "<section id=\"conversations\"><h2>Conversations</h2>\n"
	       "<div id=\"filterbox\" hidden><input id=\"filter\" type=\"search\" "
	       "placeholder=\"Filter conversations and findings\" "
	       "aria-label=\"Filter conversations and findings\"></div>\n");
	if (p->nconv == 0)
		cap_html_put(h, "<p>No authentication traffic (HTTP 401/Authorization or Kerberos) "
		       "found.</p>\n");
	/* Most severe first, so the cap drops the least interesting diagrams. */
	for (int sv = CAP_SEV_ERROR; sv >= CAP_SEV_INFO; sv--)
		for (size_t i = 0; i < p->nconv; i++) {
			if (p->max_sev[i] != sv)
				continue;
			if (p->ladders < HTML_LADDERS && p->arrows < HTML_ARROWS) {
				ladder(h, a, p, i);
				p->ladders++;
			} else {
				p->ladders_skipped++;
			}
		}
	for (size_t i = 0; i < p->nconv; i++) {
		if (p->max_sev[i] >= 0)
			continue;
		if (p->quiet >= HTML_QUIET_ROWS) {
			p->quiet_skipped++;
			continue;
		}
		if (!table)
			cap_html_put(h, "<h3>Conversations without a finding</h3>\n"
			       "<table class=\"quiet\">"
			       "<thead><tr><th>#</th><th>client</th><th>server</th><th>Host</th>"
			       "<th>messages</th><th>frames</th></tr></thead><tbody>\n");
		table = true;
		quiet_row(h, cap_analysis_conversation(a, i));
		p->quiet++;
	}
	if (table)
		cap_html_put(h, "</tbody></table>\n");
	cap_html_put(h, "</section>\n");
}

/* ---- findings ---- */

static void finding(struct cap_html *h, const struct cap_analysis *a, const struct plan *p,
		    size_t k)
{
	const struct cap_finding *f = cap_analysis_finding(a, k);
	char id[32];

	snprintf(id, sizeof(id), "finding-%zu", k + 1);
	cap_html_finding_begin(h, f, id);
	cap_html_put(h, "<p class=\"meta\">");
	if (f->conversation != 0)
		cap_html_put(h, "<a href=\"#conv-%u\">Conversation %u</a>", f->conversation,
			     f->conversation);
	if (f->nframes > 0) {
		cap_html_put(h, "%sframe%s ", f->conversation != 0 ? "; " : "",
			     f->nframes == 1 ? "" : "s");
		for (size_t i = 0; i < f->nframes; i++) {
			if (frame_drawn(a, p, f->conversation, f->frames[i]))
				cap_html_put(h, "%s<a class=\"frame\" href=\"#c%u-f%llu\">%llu</a>",
					     i ? ", " : "", f->conversation,
					     (unsigned long long)f->frames[i],
					     (unsigned long long)f->frames[i]);
			else
				cap_html_put(h, "%s<span class=\"frame\">%llu</span>",
					     i ? ", " : "", (unsigned long long)f->frames[i]);
		}
	}
	if (f->count > 1)
		cap_html_put(h, " (%llu occurrences)", (unsigned long long)f->count);
	cap_html_put(h, "</p>\n");
	cap_html_finding_end(h, f);
}

static void findings(struct cap_html *h, const struct cap_analysis *a, const struct plan *p)
{
	size_t nf = cap_analysis_nfindings(a);

	cap_html_put(h, "<section id=\"findings\"><h2>Findings</h2>\n");
	if (nf == 0)
		cap_html_put(h, "<p>None.</p>\n");
	for (size_t k = 0; k < nf && k < HTML_FINDINGS; k++)
		finding(h, a, p, k);
	cap_html_put(h, "</section>\n");
}

/* ---- summary, anomalies, what was left out ---- */

static void row(struct cap_html *h, const char *name, uint64_t v)
{
	cap_html_put(h, "<tr><th>%s</th><td>%llu</td></tr>\n", name, (unsigned long long)v);
}

static void summary(struct cap_html *h, const struct cap_analysis *a,
		    const struct cap_pipeline_stats *st, const struct cap_report_input *in)
{
	const struct cap_analysis_stats *as = cap_analysis_stats(a);
	struct cap_report_cap caps[CAP_REPORT_NCAPS];
	size_t ncaps = cap_report_caps(st, as, caps);
	struct {
		const char *name;
		uint64_t v;
	} anom[] = {
		{"truncated packets", st != NULL ? st->truncated_packets : 0},
		{"undecodable packets", st != NULL ? st->undecodable : 0},
		{"TCP gaps", st != NULL ? st->tcp_gaps : 0},
		{"TCP gap bytes", st != NULL ? st->tcp_gap_bytes : 0},
		{"TCP retransmissions", st != NULL ? st->tcp_retransmissions : 0},
		{"TCP out of order", st != NULL ? st->tcp_out_of_order : 0},
		{"IP fragments", st != NULL ? st->ip_fragments : 0},
		{"flows evicted", st != NULL ? st->flows_evicted : 0},
		{"HTTP parse errors", st != NULL ? st->http_parse_errors : 0},
		{"ICMP unreachable", st != NULL ? st->icmp_unreach : 0},
		{"token decode errors", as->token_decode_errors},
		{"Kerberos decode errors", as->krb_decode_errors},
		{"packets dropped by the kernel", in != NULL && in->live ? in->pcap_dropped : 0},
	};
	size_t shown = 0;

	cap_html_put(h, "<section id=\"summary\"><h2>Summary</h2>\n<table>\n");
	row(h, "packets", st != NULL ? st->packets : 0);
	row(h, "bytes", st != NULL ? st->bytes : 0);
	row(h, "HTTP messages", as->http_messages);
	row(h, "Kerberos messages", as->krb_messages);
	row(h, "conversations", as->conversations);
	row(h, "findings: error", as->findings_by_severity[CAP_SEV_ERROR]);
	row(h, "findings: warning", as->findings_by_severity[CAP_SEV_WARNING]);
	row(h, "findings: info", as->findings_by_severity[CAP_SEV_INFO]);
	cap_html_put(h, "</table>\n<h3 id=\"anomalies\">Anomalies</h3>\n");
	for (size_t i = 0; i < sizeof(anom) / sizeof(anom[0]); i++) {
		if (anom[i].v == 0)
			continue;
		if (shown++ == 0)
			cap_html_put(h, "<table>\n");
		row(h, anom[i].name, anom[i].v);
	}
	for (size_t i = 0; i < ncaps; i++) {
		if (caps[i].hits == 0)
			continue;
		if (shown++ == 0)
			cap_html_put(h, "<table>\n");
		cap_html_put(h, "<tr><th>cap hit: --%s (raise it to analyse all)</th>"
		    "<td>%llu</td></tr>\n",
		    caps[i].name, (unsigned long long)caps[i].hits);
	}
	cap_html_put(h, shown > 0 ? "</table>\n" : "<p>None.</p>\n");
	cap_html_put(h, "</section>\n");
}

static void omitted(struct cap_html *h, const struct cap_analysis *a, const struct plan *p)
{
	const struct cap_analysis_stats *as = cap_analysis_stats(a);
	size_t nf = cap_analysis_nfindings(a);
	bool any = false;

	cap_html_put(h, "<section id=\"omitted\"><h2>Left out of this file</h2>\n"
	       "<ul class=\"omitted\">\n");
#define LEFT(cond, ...) do {				\
		if (cond) {				\
			cap_html_put(h, "<li>");	\
			cap_html_put(h, __VA_ARGS__);	\
			cap_html_put(h, "</li>\n");	\
			any = true;			\
		}					\
	} while (0)
	LEFT(p->ladders_skipped > 0, "%zu conversation(s) with a finding not drawn (at most %d "
	     "diagrams, %d arrows)", p->ladders_skipped, HTML_LADDERS, HTML_ARROWS);
	LEFT(p->arrows_skipped > 0, "%zu message(s) of drawn conversations not drawn (at most %d "
	     "per diagram)", p->arrows_skipped, HTML_LADDER_STEPS);
	LEFT(p->quiet_skipped > 0, "%zu conversation(s) without a finding not listed (at most %d)",
	     p->quiet_skipped, HTML_QUIET_ROWS);
	LEFT(nf > HTML_FINDINGS, "%zu finding(s) not written out (at most %d)", nf - HTML_FINDINGS,
	     HTML_FINDINGS);
	LEFT(as->conversations_dropped > 0, "%llu conversation(s) not kept by the analysis "
	     "(--max-conversations)", (unsigned long long)as->conversations_dropped);
	LEFT(as->steps_dropped > 0, "%llu ladder message(s) not kept by the analysis",
	     (unsigned long long)as->steps_dropped);
	LEFT(as->findings_dropped > 0, "%llu finding(s) not kept by the analysis (--max-findings)",
	     (unsigned long long)as->findings_dropped);
#undef LEFT
	if (!any)
		cap_html_put(h, "<li>Nothing: every conversation and finding is in this file."
		       "</li>\n");
	cap_html_put(h, "</ul>\n<p class=\"meta\">negcap's text (-v) and JSON (--json --events) "
	       "outputs have no such caps.</p></section>\n");
}

int cap_report_html(FILE *fp, const struct cap_analysis *a, const struct cap_pipeline_stats *st,
		    const struct cap_report_input *in)
{
	struct cap_html h;
	struct plan p;
	int rc;

	if (plan_init(&p, a) != 0) {
		plan_free(&p);
		return -1;
	}
	head(&h, fp, in);
	verdict(&h, a);
	conversations(&h, a, &p);
	findings(&h, a, &p);
	summary(&h, a, st, in);
	omitted(&h, a, &p);
	rc = cap_html_page_end(&h);
	plan_free(&p);
	return rc;
}
