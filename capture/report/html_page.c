/* html_page.c - the parts of the HTML reports (negcap --html, negprobe --html): the page
 * with its inline style and filter script, sequence-diagram rows (three lanes: client, web
 * server, KDC; an SVG arrow per row over the lane lines), finding badges, and a finding
 * with its advice.  Nothing here is fetched: inline CSS and SVG only, and a
 * Content-Security-Policy that forbids any request.  The page reads the same with scripts
 * off; the script only shows a filter box. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "negscope/report.h"

/* Lane positions in a step's SVG (user units = CSS px). */
#define LANE_CLIENT 30
#define LANE_SERVER 124
#define LANE_KDC 218
#define LANES_W 240
#define ARROW_Y 14

void cap_html_put(struct cap_html *h, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vfprintf(h->fp, fmt, ap) < 0)
		h->err = true;
	va_end(ap);
}

void cap_html_text(struct cap_html *h, const char *s)
{
	if (cap_html_escape_str(h->fp, s) != 0)
		h->err = true;
}

const char *cap_html_sev_class(enum cap_severity s)
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

void cap_html_page_begin(struct cap_html *h, FILE *fp, const char *title)
{
	h->fp = fp;
	h->err = false;
	cap_html_put(h, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		     "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
		     "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n"
		     "<title>%s</title>\n<style>%s</style>\n</head>\n<body>\n"
		     "<header><h1>%s</h1>", title, STYLE, title);
}

int cap_html_page_end(struct cap_html *h)
{
	cap_html_put(h, "<script>%s</script>\n</body>\n</html>\n", SCRIPT);
	if (fflush(h->fp) != 0 || ferror(h->fp))
		h->err = true;
	return h->err ? -1 : 0;
}

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

/* One row's arrow between its lanes, over the three lane lines. */
static void arrow_svg(struct cap_html *h, const struct cap_html_row *s)
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
		to = s->at_kdc ? LANE_KDC : LANE_SERVER;
		break;
	}
	cap_html_put(h, "<svg width=\"%d\" height=\"28\" viewBox=\"0 0 %d 28\" "
	       "aria-hidden=\"true\">"
	       "<line class=\"lane-line\" x1=\"%d\" y1=\"-2000\" x2=\"%d\" y2=\"2000\"/>"
	       "<line class=\"lane-line\" x1=\"%d\" y1=\"-2000\" x2=\"%d\" y2=\"2000\"/>"
	       "<line class=\"lane-line\" x1=\"%d\" y1=\"-2000\" x2=\"%d\" y2=\"2000\"/>",
	    LANES_W, LANES_W, LANE_CLIENT, LANE_CLIENT, LANE_SERVER, LANE_SERVER, LANE_KDC,
	    LANE_KDC);
	head = to > from ? -7 : 7;
	cap_html_put(h, "<g class=\"arrow\" data-frame=\"%llu\">"
	    "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>",
	    (unsigned long long)s->number, from, ARROW_Y, to + (s->dir == CAP_STEP_NOTE ? 0 : head),
	    ARROW_Y);
	if (s->dir == CAP_STEP_NOTE)
		cap_html_put(h, "<path d=\"M%d %d V%d\"/>", to, ARROW_Y - 7, ARROW_Y + 7);
	else
		cap_html_put(h, "<path d=\"M%d %d L%d %d L%d %d Z\"/>", to, ARROW_Y,
		    to + head, ARROW_Y - 5, to + head, ARROW_Y + 5);
	cap_html_put(h, "</g></svg>");
}

void cap_html_lanes_begin(struct cap_html *h, const char *number_label)
{
	cap_html_put(h, "<div class=\"ladder\" role=\"figure\" aria-label=\"sequence diagram\">\n"
		     "<div class=\"lanehead\"><div class=\"fr\">%s</div><div class=\"lanes\">"
		     "<span class=\"lane lane-client\">client</span>"
		     "<span class=\"lane lane-server\">web server</span>"
		     "<span class=\"lane lane-kdc\">KDC</span></div>"
		     "<div class=\"text\"></div></div>\n",
		     number_label);
}

void cap_html_lanes_end(struct cap_html *h)
{
	cap_html_put(h, "</div>\n");
}

void cap_html_row_begin(struct cap_html *h, const struct cap_html_row *r)
{
	cap_html_put(h, "<div class=\"step%s%s%s\"", r->dir == CAP_STEP_NOTE ? " note" : "",
		     r->bad ? " bad" : r->ok ? " ok" : "", r->pinned ? " pinned" : "");
	if (r->id != NULL)
		cap_html_put(h, " id=\"%s\"", r->id);
	cap_html_put(h, " data-frame=\"%llu\" data-dir=\"%s\" data-kind=\"%s\""
		     "><div class=\"fr\">%llu</div><div class=\"lanes\">",
		     (unsigned long long)r->number, dir_name(r->dir),
		     r->kind != NULL ? r->kind : "",
		     (unsigned long long)r->number);
	arrow_svg(h, r);
	cap_html_put(h, "</div><div class=\"text\">");
	if (r->bad)
		cap_html_put(h, "<span class=\"mark\" title=\"failing leg\">✗</span>");
}

void cap_html_row_end(struct cap_html *h)
{
	cap_html_put(h, "</div></div>\n");
}

void cap_html_pin(struct cap_html *h, const struct cap_finding *f, const char *target)
{
	cap_html_put(h, "<a class=\"pin %s\" href=\"#%s\">%s</a>", cap_html_sev_class(f->severity),
		     target, cap_finding_slug(f->id));
}

void cap_html_finding_begin(struct cap_html *h, const struct cap_finding *f, const char *id)
{
	const struct cap_finding_info *info = cap_finding_info(f->id);

	cap_html_put(h, "<article class=\"finding %s\" id=\"%s\" data-id=\"%s\"><h3>"
		     "<span class=\"sev %s\">%s</span> <code>%s</code> — %s</h3>\n",
		     cap_html_sev_class(f->severity), id, cap_finding_slug(f->id),
		     cap_html_sev_class(f->severity), cap_severity_name(f->severity),
		     cap_finding_slug(f->id), info != NULL ? info->title : "");
}

void cap_html_finding_end(struct cap_html *h, const struct cap_finding *f)
{
	const struct cap_finding_info *info = cap_finding_info(f->id);
	char words[CAP_FINDING_TEXT_MAX];

	if (info != NULL)
		cap_html_put(h, "<p>%s</p>\n", info->explanation);
	if (cap_finding_detail_text(f, words, sizeof(words)) > 0) {
		cap_html_put(h, "<p>");
		cap_html_text(h, words);
		cap_html_put(h, "</p>\n");
	}
	if (f->nev > 0) {
		cap_html_put(h, "<dl>");
		for (size_t i = 0; i < f->nev; i++) {
			const struct cap_evidence *e = &f->ev[i];

			cap_html_put(h, "<dt>%s</dt><dd>", e->key);
			if (e->is_num) {
				cap_html_put(h, "%lld", (long long)e->num);
			} else {
				cap_html_put(h, "<code>");
				cap_html_text(h, e->str);
				cap_html_put(h, "</code>");
			}
			cap_html_put(h, "</dd>");
		}
		cap_html_put(h, "</dl>\n");
	}
	cap_html_put(h, "<p><strong>What to do</strong></p><ul class=\"advice\">\n");
	/* Instance advice may quote the capture (a host, an SPN): escaped like the rest. */
	for (size_t i = 0; i < cap_finding_nadvice(f); i++) {
		cap_finding_advice_text(f, i, words, sizeof(words));
		cap_html_put(h, "<li>");
		cap_html_text(h, words);
		cap_html_put(h, "</li>\n");
	}
	cap_html_put(h, "</ul></article>\n");
}
