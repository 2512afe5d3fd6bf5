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
#include <stdarg.h>
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

/* Lane positions in a step's SVG (user units = CSS px). */
#define LANE_CLIENT 30
#define LANE_SERVER 124
#define LANE_KDC 218
#define LANES_W 240
#define ARROW_Y 14

struct html {
	FILE *fp;
	bool err;
};

static void put(struct html *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct html *h, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vfprintf(h->fp, fmt, ap) < 0)
		h->err = true;
	va_end(ap);
}

static void esc(struct html *h, const char *s)
{
	if (cap_html_escape_str(h->fp, s) != 0)
		h->err = true;
}

static const char *sev_class(enum cap_severity s)
{
	switch (s) {
	case CAP_SEV_ERROR: return "error";
	case CAP_SEV_WARNING: return "warning";
	case CAP_SEV_INFO: return "info";
	}
	return "info";
}

static const char STYLE[] =
":root{--err:#b3261e;--warn:#8a5a00;--info:#1f5f99;--ok:#1e6b34;--dim:#5f6368;"
"--line:#c8ccd0;--bg:#fff;--fg:#1b1c1e;--soft:#f3f4f6}"
"*{box-sizing:border-box}"
"body{margin:0 auto;max-width:1180px;padding:16px;font:15px/1.45 system-ui,-apple-system,"
"'Segoe UI',Roboto,sans-serif;color:var(--fg);background:var(--bg);overflow-wrap:anywhere}"
"h1{font-size:1.5em;margin:.2em 0}h2{font-size:1.2em;margin:1.4em 0 .5em;"
"border-bottom:1px solid var(--line)}h3{font-size:1.05em;margin:.3em 0}"
"code,.mono,.text{font-family:ui-monospace,'SFMono-Regular',Menlo,Consolas,monospace;"
"font-size:.9em}"
".meta{color:var(--dim)}"
".verdict{border-left:6px solid var(--ok);background:var(--soft);padding:8px 14px}"
".verdict.error{border-color:var(--err)}.verdict.warning{border-color:var(--warn)}"
".verdict.info{border-color:var(--info)}.verdict ul{margin:.3em 0;padding-left:1.2em}"
".sev{display:inline-block;min-width:5.2em;font-weight:700;font-size:.8em;"
"letter-spacing:.04em}"
".sev.error{color:var(--err)}.sev.warning{color:var(--warn)}.sev.info{color:var(--info)}"
".conv{margin:14px 0 22px;break-inside:auto}"
".ladder{border:1px solid var(--line);border-radius:6px;overflow:hidden}"
".step,.lanehead{display:grid;grid-template-columns:5.5em 240px 1fr;align-items:stretch;"
"border-top:1px solid var(--soft);break-inside:avoid}"
".lanehead{border-top:0;background:var(--soft);font-size:.8em;font-weight:600}"
".lanehead .lanes{position:relative;height:2.2em}"
".lane{position:absolute;top:.5em;transform:translateX(-50%);white-space:nowrap}"
".lane-client{left:30px}.lane-server{left:124px}.lane-kdc{left:218px}"
".fr{padding:4px 6px;text-align:right;color:var(--dim);font-variant-numeric:tabular-nums}"
".fr a{color:inherit}"
".lanes{position:relative;overflow:hidden;min-height:28px}"
".lanes svg{position:absolute;top:0;left:0;overflow:visible}"
".lanes .lane-line{stroke:var(--line);stroke-width:2}"
".arrow line,.arrow path{stroke:var(--fg);stroke-width:1.6;fill:var(--fg)}"
".step.bad .arrow line,.step.bad .arrow path{stroke:var(--err);fill:var(--err)}"
".step.ok .arrow line,.step.ok .arrow path{stroke:var(--ok);fill:var(--ok)}"
".step.note .arrow line{stroke-dasharray:3 3}"
".text{padding:4px 8px;white-space:pre-wrap}"
".step.bad .text{color:var(--err)}"
".step.pinned{background:#fff8e6}"
".step:target{outline:2px solid var(--info);outline-offset:-2px}"
".mark{font-weight:700;margin-right:.3em}"
".pin{display:inline-block;margin:2px 4px 0 0;padding:0 6px;border-radius:10px;"
"font:600 .78em system-ui,sans-serif;text-decoration:none;color:#fff;background:var(--info)}"
".pin.error{background:var(--err)}.pin.warning{background:var(--warn)}"
".conn{color:var(--dim)}"
"table{border-collapse:collapse;width:100%;font-size:.9em}#summary table{width:auto;min-width:50%}"
"#summary td{text-align:right;font-variant-numeric:tabular-nums}"
"th,td{text-align:left;padding:3px 8px;border-bottom:1px solid var(--soft);vertical-align:top}"
".finding{border:1px solid var(--line);border-left:6px solid var(--info);border-radius:6px;"
"padding:8px 14px;margin:12px 0;break-inside:avoid}"
".finding.error{border-left-color:var(--err)}.finding.warning{border-left-color:var(--warn)}"
".finding:target{outline:2px solid var(--info)}"
".finding dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:.4em 0}"
".finding dt{color:var(--dim)}.finding dd{margin:0}"
".advice{margin:.3em 0;padding-left:1.4em}"
".omitted{background:var(--soft);padding:6px 12px;border-radius:6px}"
"#filterbox{margin:8px 0}#filterbox input{font:inherit;padding:4px 8px;width:min(28em,100%)}"
"[hidden]{display:none!important}"
"@media (max-width:640px){body{padding:8px;font-size:14px}"
".step{grid-template-columns:4em 240px;}"
".step .text{grid-column:1/-1;padding:0 8px 6px 8px}"
"th:nth-child(4),td:nth-child(4){display:none}}"
"@media print{@page{margin:12mm}body{max-width:none;padding:0;font-size:10.5pt}"
"*{-webkit-print-color-adjust:exact;print-color-adjust:exact}"
"#filterbox{display:none}a{color:inherit;text-decoration:none}"
".step.pinned{background:#fff3cc}h2{break-after:avoid}}";

/* Shows the filter box and hides what does not match; the page works without it. */
static const char SCRIPT[] =
"(function(){var box=document.getElementById('filterbox');if(!box)return;box.hidden=false;"
"var q=document.getElementById('filter');q.addEventListener('input',function(){"
"var t=q.value.toLowerCase();document.querySelectorAll('.conv,.quiet-row,.finding')"
".forEach(function(e){e.hidden=t!==''&&e.textContent.toLowerCase().indexOf(t)<0;});});})();";

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
		size_t pos = f->conversation != 0 ? conv_pos(a, p->nconv, f->conversation) : p->nconv;

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

static void head(struct html *h, const struct cap_report_input *in)
{
	put(h, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	       "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	       "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n"
	       "<meta name=\"generator\" content=\"negcap\">\n"
	       "<title>negcap report</title>\n<style>%s</style>\n</head>\n<body>\n"
	       "<header><h1>negcap report</h1><p class=\"meta\">", STYLE);
	if (in != NULL && in->live) {
		put(h, "Live capture on ");
		esc(h, in->interface != NULL ? in->interface : "?");
		if (in->interrupted)
			put(h, " (ended by a signal)");
	} else if (in != NULL && in->nfile_names > 0) {
		put(h, "Input: ");
		for (size_t i = 0; i < in->nfile_names; i++) {
			put(h, "%s<code>", i ? ", " : "");
			esc(h, in->file_names[i]);
			put(h, "</code>");
		}
	} else {
		put(h, "Input: %u file(s)", in != NULL ? in->files : 0);
	}
	if (in != NULL && in->truncated)
		put(h, "; the input ended early");
	put(h, "</p></header>\n");
}

static void verdict(struct html *h, const struct cap_analysis *a)
{
	const struct cap_analysis_stats *as = cap_analysis_stats(a);
	size_t nf = cap_analysis_nfindings(a);
	int top = cap_analysis_max_severity(a);

	put(h, "<section id=\"verdict\" class=\"verdict %s\"><h2>Verdict</h2>\n",
	    top < 0 ? "none" : sev_class((enum cap_severity)top));
	if (nf == 0) {
		put(h, "<p>No finding in %llu conversation(s).</p></section>\n",
		    (unsigned long long)as->conversations);
		return;
	}
	put(h, "<p><strong>");
	for (int sv = CAP_SEV_ERROR, sep = 0; sv >= CAP_SEV_INFO; sv--) {
		if (as->findings_by_severity[sv] == 0)
			continue;
		put(h, "%s%llu %s", sep++ ? ", " : "", (unsigned long long)as->findings_by_severity[sv],
		    cap_severity_name((enum cap_severity)sv));
	}
	put(h, "</strong></p>\n<ul>\n");
	for (size_t i = 0; i < nf && i < HTML_VERDICT; i++) {
		const struct cap_finding *f = cap_analysis_finding(a, i);
		const struct cap_finding_info *info = cap_finding_info(f->id);
		struct cap_report_subject who;

		cap_report_subject(f, &who);
		put(h, "<li><span class=\"sev %s\">%s</span> ", sev_class(f->severity),
		    cap_severity_name(f->severity));
		if (i < HTML_FINDINGS)
			put(h, "<a href=\"#finding-%zu\"><code>%s</code></a>", i + 1,
			    cap_finding_slug(f->id));
		if (info != NULL)
			put(h, ": %s", info->title);
		if (who.user != NULL) {
			put(h, "; user <code>");
			esc(h, who.user);
			put(h, "</code>");
		}
		if (who.site != NULL) {
			put(h, "; %s <code>", who.site_word);
			esc(h, who.site);
			put(h, "</code>");
		}
		if (f->conversation != 0)
			put(h, " <a href=\"#conv-%u\">[conversation %u]</a>", f->conversation,
			    f->conversation);
		put(h, "</li>\n");
	}
	if (nf > HTML_VERDICT)
		put(h, "<li>… and %zu more in <a href=\"#findings\">Findings</a></li>\n",
		    nf - HTML_VERDICT);
	put(h, "</ul></section>\n");
}

/* ---- the sequence diagrams ---- */

static const char *dir_name(enum cap_step_dir d)
{
	switch (d) {
	case CAP_STEP_TO_SERVER: return "to_server";
	case CAP_STEP_FROM_SERVER: return "from_server";
	case CAP_STEP_TO_KDC: return "to_kdc";
	case CAP_STEP_FROM_KDC: return "from_kdc";
	case CAP_STEP_NOTE: return "note";
	}
	return "note";
}

/* One step's arrow between its lanes, over the three lane lines. */
static void arrow_svg(struct html *h, const struct cap_step *s)
{
	int from = LANE_CLIENT, to = LANE_SERVER, head;

	switch (s->dir) {
	case CAP_STEP_TO_SERVER: break;
	case CAP_STEP_FROM_SERVER: from = LANE_SERVER; to = LANE_CLIENT; break;
	case CAP_STEP_TO_KDC: to = LANE_KDC; break;
	case CAP_STEP_FROM_KDC: from = LANE_KDC; to = LANE_CLIENT; break;
	case CAP_STEP_NOTE:
		/* A connection event: a short dashed stroke ending in a bar at the lane that
		 * went away (the web server, or the KDC). */
		from = LANE_CLIENT;
		to = s->kind == CAP_STEP_KDC_UNREACHABLE ? LANE_KDC : LANE_SERVER;
		break;
	}
	put(h, "<svg width=\"%d\" height=\"28\" viewBox=\"0 0 %d 28\" aria-hidden=\"true\">"
	       "<line class=\"lane-line\" x1=\"%d\" y1=\"-2000\" x2=\"%d\" y2=\"2000\"/>"
	       "<line class=\"lane-line\" x1=\"%d\" y1=\"-2000\" x2=\"%d\" y2=\"2000\"/>"
	       "<line class=\"lane-line\" x1=\"%d\" y1=\"-2000\" x2=\"%d\" y2=\"2000\"/>",
	    LANES_W, LANES_W, LANE_CLIENT, LANE_CLIENT, LANE_SERVER, LANE_SERVER, LANE_KDC,
	    LANE_KDC);
	head = to > from ? -7 : 7;
	put(h, "<g class=\"arrow\" data-frame=\"%llu\"><line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>",
	    (unsigned long long)s->frame, from, ARROW_Y, to + (s->dir == CAP_STEP_NOTE ? 0 : head),
	    ARROW_Y);
	if (s->dir == CAP_STEP_NOTE)
		put(h, "<path d=\"M%d %d V%d\"/>", to, ARROW_Y - 7, ARROW_Y + 7);
	else
		put(h, "<path d=\"M%d %d L%d %d L%d %d Z\"/>", to, ARROW_Y, to + head, ARROW_Y - 5,
		    to + head, ARROW_Y + 5);
	put(h, "</g></svg>");
}

/* Findings of a conversation (their indexes), for pinning to frames. */
struct pins {
	size_t idx[HTML_PINS];
	size_t n;
};

static void pins_of(const struct cap_analysis *a, unsigned conv, struct pins *p)
{
	p->n = 0;
	for (size_t k = 0; k < cap_analysis_nfindings(a) && k < HTML_FINDINGS && p->n < HTML_PINS; k++)
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

static void step_row(struct html *h, const struct cap_analysis *a, const struct cap_conversation *c,
		     size_t i, const struct pins *pins)
{
	const struct cap_step *s = &c->steps[i];
	char text[512];
	bool first = true, pinned = false;
	const char *cls = s->dir == CAP_STEP_NOTE ? " note" : "";

	for (size_t k = 0; k < i && first; k++)
		first = c->steps[k].frame != s->frame;
	for (size_t k = 0; k < pins->n && !pinned; k++)
		pinned = cites(cap_analysis_finding(a, pins->idx[k]), s->frame);
	cap_report_step_text(s, text, sizeof(text));
	put(h, "<div class=\"step%s%s%s\"", cls,
	    s->bad ? " bad" : s->status >= 200 && s->status < 400 ? " ok" : "",
	    pinned ? " pinned" : "");
	if (first)
		put(h, " id=\"c%u-f%llu\"", c->id, (unsigned long long)s->frame);
	put(h, " data-frame=\"%llu\" data-dir=\"%s\" data-kind=\"%s\""
	       "><div class=\"fr\">%llu</div><div class=\"lanes\">",
	    (unsigned long long)s->frame, dir_name(s->dir), cap_report_step_kind_name(s->kind),
	    (unsigned long long)s->frame);
	arrow_svg(h, s);
	put(h, "</div><div class=\"text\">");
	if (s->bad)
		put(h, "<span class=\"mark\" title=\"failing leg\">✗</span>");
	esc(h, text);
	if (s->dir != CAP_STEP_NOTE && s->dir != CAP_STEP_TO_KDC && s->dir != CAP_STEP_FROM_KDC &&
	    c->nstreams > 1)
		put(h, " <span class=\"conn\">[conn %u]</span>", s->stream);
	if (pinned)
		put(h, "\n");
	for (size_t k = 0; k < pins->n; k++) {
		const struct cap_finding *f = cap_analysis_finding(a, pins->idx[k]);

		if (cites(f, s->frame))
			put(h, "<a class=\"pin %s\" href=\"#finding-%zu\">%s</a>", sev_class(f->severity),
			    pins->idx[k] + 1, cap_finding_slug(f->id));
	}
	put(h, "</div></div>\n");
}

static void conv_title(struct html *h, const struct cap_conversation *c)
{
	char cb[80], sb[80];

	cap_addr_str(&c->client, cb, sizeof(cb));
	cap_endpoint_str(&c->server, sb, sizeof(sb));
	if (c->kdc_only) {
		put(h, "Conversation %u: client <code>", c->id);
		esc(h, cb);
		put(h, "</code> ↔ KDC <code>");
		esc(h, sb);
		put(h, "</code> (Kerberos only)");
		return;
	}
	put(h, "Conversation %u: client <code>", c->id);
	esc(h, cb);
	put(h, "</code> → server <code>");
	esc(h, sb);
	put(h, "</code>");
	if (c->host[0] != '\0') {
		put(h, " Host <code>");
		esc(h, c->host);
		put(h, "</code>");
	}
	put(h, " (%u connection%s)", c->nstreams, c->nstreams == 1 ? "" : "s");
}

static void ladder(struct html *h, const struct cap_analysis *a, struct plan *p, size_t pos)
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
	put(h, "<section class=\"conv sev-%s\" id=\"conv-%u\" data-conversation=\"%u\"><h3>",
	    sev_class((enum cap_severity)p->max_sev[pos]), c->id, c->id);
	conv_title(h, c);
	put(h, "</h3>\n<div class=\"ladder\" role=\"figure\" aria-label=\"sequence diagram\">\n"
	       "<div class=\"lanehead\"><div class=\"fr\">frame</div><div class=\"lanes\">"
	       "<span class=\"lane lane-client\">client</span>"
	       "<span class=\"lane lane-server\">web server</span>"
	       "<span class=\"lane lane-kdc\">KDC</span></div><div class=\"text\"></div></div>\n");
	for (size_t i = 0; i < n; i++)
		step_row(h, a, c, i, &pins);
	put(h, "</div>\n");
	p->shown_steps[pos] = n;
	p->arrows += n;
	if (c->nsteps > n || c->steps_dropped > 0) {
		p->arrows_skipped += c->nsteps - n;
		put(h, "<p class=\"omitted\">%llu more message(s) of this conversation not drawn",
		    (unsigned long long)(c->nsteps - n + c->steps_dropped));
		if (c->steps_dropped > 0)
			put(h, " (%llu not kept by the analysis)", (unsigned long long)c->steps_dropped);
		put(h, ".</p>\n");
	}
	put(h, "</section>\n");
}

static void quiet_row(struct html *h, const struct cap_conversation *c)
{
	char cb[80], sb[80];

	cap_addr_str(&c->client, cb, sizeof(cb));
	cap_endpoint_str(&c->server, sb, sizeof(sb));
	put(h, "<tr class=\"quiet-row\" id=\"conv-%u\"><td>%u</td><td><code>", c->id, c->id);
	esc(h, cb);
	put(h, "</code></td><td>%s<code>", c->kdc_only ? "KDC " : "");
	esc(h, sb);
	put(h, "</code></td><td>");
	esc(h, c->host);
	put(h, "</td><td>%llu</td><td>%llu–%llu</td></tr>\n",
	    (unsigned long long)(c->nsteps + c->steps_dropped), (unsigned long long)c->first_frame,
	    (unsigned long long)c->last_frame);
}

static void conversations(struct html *h, const struct cap_analysis *a, struct plan *p)
{
	bool table = false;

	put(h, "<section id=\"conversations\"><h2>Conversations</h2>\n"
	       "<div id=\"filterbox\" hidden><input id=\"filter\" type=\"search\" "
	       "placeholder=\"Filter conversations and findings\" "
	       "aria-label=\"Filter conversations and findings\"></div>\n");
	if (p->nconv == 0)
		put(h, "<p>No authentication traffic (HTTP 401/Authorization or Kerberos) found.</p>\n");
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
			put(h, "<h3>Conversations without a finding</h3>\n<table class=\"quiet\">"
			       "<thead><tr><th>#</th><th>client</th><th>server</th><th>Host</th>"
			       "<th>messages</th><th>frames</th></tr></thead><tbody>\n");
		table = true;
		quiet_row(h, cap_analysis_conversation(a, i));
		p->quiet++;
	}
	if (table)
		put(h, "</tbody></table>\n");
	put(h, "</section>\n");
}

/* ---- findings ---- */

static void finding(struct html *h, const struct cap_analysis *a, const struct plan *p, size_t k)
{
	const struct cap_finding *f = cap_analysis_finding(a, k);
	const struct cap_finding_info *info = cap_finding_info(f->id);

	put(h, "<article class=\"finding %s\" id=\"finding-%zu\" data-id=\"%s\"><h3>"
	       "<span class=\"sev %s\">%s</span> <code>%s</code> — %s</h3>\n",
	    sev_class(f->severity), k + 1, cap_finding_slug(f->id), sev_class(f->severity),
	    cap_severity_name(f->severity), cap_finding_slug(f->id),
	    info != NULL ? info->title : "");
	put(h, "<p class=\"meta\">");
	if (f->conversation != 0)
		put(h, "<a href=\"#conv-%u\">Conversation %u</a>", f->conversation, f->conversation);
	if (f->nframes > 0) {
		put(h, "%sframe%s ", f->conversation != 0 ? "; " : "", f->nframes == 1 ? "" : "s");
		for (size_t i = 0; i < f->nframes; i++) {
			if (frame_drawn(a, p, f->conversation, f->frames[i]))
				put(h, "%s<a class=\"frame\" href=\"#c%u-f%llu\">%llu</a>", i ? ", " : "",
				    f->conversation, (unsigned long long)f->frames[i],
				    (unsigned long long)f->frames[i]);
			else
				put(h, "%s<span class=\"frame\">%llu</span>", i ? ", " : "",
				    (unsigned long long)f->frames[i]);
		}
	}
	if (f->count > 1)
		put(h, " (%llu occurrences)", (unsigned long long)f->count);
	put(h, "</p>\n");
	if (info != NULL)
		put(h, "<p>%s</p>\n", info->explanation);
	if (f->detail != NULL) {
		put(h, "<p>");
		esc(h, f->detail);
		put(h, "</p>\n");
	}
	if (f->nev > 0) {
		put(h, "<dl>");
		for (size_t i = 0; i < f->nev; i++) {
			const struct cap_evidence *e = &f->ev[i];

			put(h, "<dt>%s</dt><dd>", e->key);
			if (e->is_num) {
				put(h, "%lld", (long long)e->num);
			} else {
				put(h, "<code>");
				esc(h, e->str);
				put(h, "</code>");
			}
			put(h, "</dd>");
		}
		put(h, "</dl>\n");
	}
	put(h, "<p><strong>What to do</strong></p><ul class=\"advice\">\n");
	/* Instance advice may quote the capture (a host, an SPN): escaped like the rest. */
	for (size_t i = 0; cap_finding_advice_line(f, i) != NULL; i++) {
		put(h, "<li>");
		esc(h, cap_finding_advice_line(f, i));
		put(h, "</li>\n");
	}
	put(h, "</ul></article>\n");
}

static void findings(struct html *h, const struct cap_analysis *a, const struct plan *p)
{
	size_t nf = cap_analysis_nfindings(a);

	put(h, "<section id=\"findings\"><h2>Findings</h2>\n");
	if (nf == 0)
		put(h, "<p>None.</p>\n");
	for (size_t k = 0; k < nf && k < HTML_FINDINGS; k++)
		finding(h, a, p, k);
	put(h, "</section>\n");
}

/* ---- summary, anomalies, what was left out ---- */

static void row(struct html *h, const char *name, uint64_t v)
{
	put(h, "<tr><th>%s</th><td>%llu</td></tr>\n", name, (unsigned long long)v);
}

static void summary(struct html *h, const struct cap_analysis *a, const struct cap_pipeline_stats *st,
		    const struct cap_report_input *in)
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

	put(h, "<section id=\"summary\"><h2>Summary</h2>\n<table>\n");
	row(h, "packets", st != NULL ? st->packets : 0);
	row(h, "bytes", st != NULL ? st->bytes : 0);
	row(h, "HTTP messages", as->http_messages);
	row(h, "Kerberos messages", as->krb_messages);
	row(h, "conversations", as->conversations);
	row(h, "findings: error", as->findings_by_severity[CAP_SEV_ERROR]);
	row(h, "findings: warning", as->findings_by_severity[CAP_SEV_WARNING]);
	row(h, "findings: info", as->findings_by_severity[CAP_SEV_INFO]);
	put(h, "</table>\n<h3 id=\"anomalies\">Anomalies</h3>\n");
	for (size_t i = 0; i < sizeof(anom) / sizeof(anom[0]); i++) {
		if (anom[i].v == 0)
			continue;
		if (shown++ == 0)
			put(h, "<table>\n");
		row(h, anom[i].name, anom[i].v);
	}
	for (size_t i = 0; i < ncaps; i++) {
		if (caps[i].hits == 0)
			continue;
		if (shown++ == 0)
			put(h, "<table>\n");
		put(h, "<tr><th>cap hit: --%s (raise it to analyse all)</th><td>%llu</td></tr>\n",
		    caps[i].name, (unsigned long long)caps[i].hits);
	}
	put(h, shown > 0 ? "</table>\n" : "<p>None.</p>\n");
	put(h, "</section>\n");
}

static void omitted(struct html *h, const struct cap_analysis *a, const struct plan *p)
{
	const struct cap_analysis_stats *as = cap_analysis_stats(a);
	size_t nf = cap_analysis_nfindings(a);
	bool any = false;

	put(h, "<section id=\"omitted\"><h2>Left out of this file</h2>\n<ul class=\"omitted\">\n");
#define LEFT(cond, ...) do { if (cond) { put(h, "<li>"); put(h, __VA_ARGS__); put(h, "</li>\n"); any = true; } } while (0)
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
		put(h, "<li>Nothing: every conversation and finding is in this file.</li>\n");
	put(h, "</ul>\n<p class=\"meta\">negcap's text (-v) and JSON (--json --events) outputs "
	       "have no such caps.</p></section>\n");
}

int cap_report_html(FILE *fp, const struct cap_analysis *a, const struct cap_pipeline_stats *st,
		    const struct cap_report_input *in)
{
	struct html h = {fp, false};
	struct plan p;

	if (plan_init(&p, a) != 0) {
		plan_free(&p);
		return -1;
	}
	head(&h, in);
	verdict(&h, a);
	conversations(&h, a, &p);
	findings(&h, a, &p);
	summary(&h, a, st, in);
	omitted(&h, a, &p);
	put(&h, "<script>%s</script>\n</body>\n</html>\n", SCRIPT);
	plan_free(&p);
	if (fflush(fp) != 0 || ferror(fp))
		h.err = true;
	return h.err ? -1 : 0;
}
