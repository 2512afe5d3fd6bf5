/* report.h - negcap's reporters: the human text report and JSON lines.
 *
 * Reporters only format what the analysis holds (analysis.h); they never decode or judge.
 * The JSON record contract (types http, krb, finding, summary and their fields) is
 * documented in negcap-contract.md / README.md; field names here are that contract.
 */
#ifndef NEGSCOPE_REPORT_H
#define NEGSCOPE_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "negscope/analysis.h"
#include "negscope/pipeline.h"

/* What the reader of the input knows, for the summary. */
struct cap_report_input {
	unsigned files;           /* -r inputs read */
	bool live;                /* -i */
	const char *interface;    /* live interface name, or NULL */
	bool truncated;           /* an input ended mid-packet */
	uint64_t pcap_dropped;    /* live: dropped by the kernel (pcap_stats ps_drop) */
	uint64_t pcap_if_dropped; /* live: dropped by the interface */
	bool interrupted;         /* ended by a signal (Ctrl-C) */
};

struct cap_report_opts {
	bool color;  /* ANSI colours (terminal, NO_COLOR unset, no --no-color) */
	bool quiet;  /* -q: findings only */
};

/* Text report: the ladder of each conversation, then the findings, most severe first,
 * then a summary line.  Returns 0, or -1 when writing failed. */
int cap_report_text(FILE *out, const struct cap_analysis *a, const struct cap_pipeline_stats *st,
		    const struct cap_report_input *in, const struct cap_report_opts *o);

/* JSON lines.  Each call writes one record and a newline; returns 0 or -1 (write error). */
int cap_report_json_http(FILE *out, const struct cap_http_fact *f);
int cap_report_json_krb(FILE *out, const struct cap_krb_fact *f);
int cap_report_json_finding(FILE *out, const struct cap_finding *f);
/* All findings (in the analysis's order), then the summary record (always last). */
int cap_report_json_findings_and_summary(FILE *out, const struct cap_analysis *a,
					 const struct cap_pipeline_stats *st,
					 const struct cap_report_input *in);

/* One cap and how often it was hit; name is the negcap flag without "--". */
struct cap_report_cap {
	const char *name;
	uint64_t hits;
};

#define CAP_REPORT_NCAPS 13

/* Every cap, in the order of negcap --help, into out[CAP_REPORT_NCAPS]; returns the count.
 * st may be NULL (no pipeline: its caps count 0). */
size_t cap_report_caps(const struct cap_pipeline_stats *st, const struct cap_analysis_stats *as,
		       struct cap_report_cap *out);

#endif /* NEGSCOPE_REPORT_H */
