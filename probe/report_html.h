/* report_html.h - negprobe --html: one self-contained HTML file over all targets, built
 * from the same parts as negcap's (negscope/report.h: cap_html_*). */
#ifndef PROBE_REPORT_HTML_H
#define PROBE_REPORT_HTML_H

#include <stdio.h>

#include "negscope/report.h"
#include "probe.h"

/* Targets written in full; later ones get one line each, up to PROBE_HTML_LINES more. */
#define PROBE_HTML_FULL 200
#define PROBE_HTML_LINES 2000

struct probe_html {
	struct cap_html h;
	size_t targets, omitted;
};

void probe_report_html_begin(struct probe_html *ph, FILE *fp);
/* One target: verdict, the legs as a sequence diagram (with the KDC messages --capture
 * saw), findings pinned to their legs and listed with advice, SPN forms, checks. */
void probe_report_html_target(struct probe_html *ph, const struct probe_result *r,
			      const char *principal);
/* What was left out, the closing tags; 0, or -1 when any write failed. */
int probe_report_html_end(struct probe_html *ph);

#endif /* PROBE_REPORT_HTML_H */
