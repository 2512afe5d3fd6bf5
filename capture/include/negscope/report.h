/* report.h - negcap's reporters: the human text report and JSON lines.
 *
 * Reporters only format what the analysis holds (analysis.h); they never decode or judge.
 * They are the only place that writes words: ladder steps and facts are typed records,
 * and the functions below turn them into text lines and JSON fields.  The JSON writers
 * take the caller's struct cap_json (negscope/json.h), so negprobe prints findings with
 * the same code.
 * The JSON record contract (types http, krb, finding, summary and their fields) is
 * documented in negcap-contract.md / README.md; field names here are that contract.
 */
#ifndef NEGSCOPE_REPORT_H
#define NEGSCOPE_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "negscope/analysis.h"
#include "negscope/json.h"
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
	bool color;    /* ANSI colours (terminal, NO_COLOR unset, no --no-color) */
	bool quiet;    /* -q: findings and the summary line only */
	bool verbose;  /* -v: every conversation's ladder, quiet ones too */
};

/* Text report: the verdict (which findings, for which user and site), the ladders of the
 * conversations with a warning or error finding (the others one line each, unless
 * verbose), the findings in full, most severe first, then a summary line.  Returns 0, or
 * -1 when writing failed. */
int cap_report_text(FILE *out, const struct cap_analysis *a, const struct cap_pipeline_stats *st,
		    const struct cap_report_input *in, const struct cap_report_opts *o);

/* JSON lines through the caller's writer.  Each call writes one record and ends the
 * line (cap_json_end_line); returns 0, or -1 when the writer failed (its status says
 * why).  With a buffer writer, cap_json_reset() it between records. */
int cap_report_json_http(struct cap_json *j, const struct cap_http_fact *f);
int cap_report_json_krb(struct cap_json *j, const struct cap_krb_fact *f);
int cap_report_json_finding(struct cap_json *j, const struct cap_finding *f);
/* A finding's fields (id, severity, frames, count, conversation, evidence, title,
 * explanation, detail, advice) into an object the caller opened and will close, so a
 * program can put its own fields first (negprobe's "target" and "leg"). */
void cap_report_json_finding_fields(struct cap_json *j, const struct cap_finding *f);
/* One conversation with its ladder: typed steps as fields (negcap --json --events). */
int cap_report_json_conversation(struct cap_json *j, const struct cap_conversation *c);
int cap_report_json_conversations(struct cap_json *j, const struct cap_analysis *a);
/* All findings (in the analysis's order), then the summary record (always last). */
int cap_report_json_findings_and_summary(struct cap_json *j, const struct cap_analysis *a,
					 const struct cap_pipeline_stats *st,
					 const struct cap_report_input *in);

/* Words for typed records (report/steps.c).  Each writes a NUL-terminated line into
 * buf, cut to fit, and returns its length. */
/* "GET /  Authorization: Negotiate SPNEGO init → Kerberos AP-REQ for HTTP/web@R ..." */
size_t cap_report_step_text(const struct cap_step *s, char *buf, size_t cap);
/* "http-request", "kdc-reply", ... (the JSON "step" field). */
const char *cap_report_step_kind_name(enum cap_step_kind k);
/* A token in one line, scheme first: "NTLM CHALLENGE", "Basic credentials for user "x"". */
size_t cap_report_auth_summary(const struct cap_auth_fact *f, char *buf, size_t cap);
/* A response's challenges: "Negotiate <token, 120 chars>, Basic realm="x"". */
size_t cap_report_challenges_text(const struct cap_http_fact *f, char *buf, size_t cap);
/* Why a Kerberos message did not decode; "" (0) when it did. */
size_t cap_report_krb_problem(const struct cap_krb_fact *f, char *buf, size_t cap);
/* "offered": the schemes of CAP_AUTH_BIT() bits, as an array (nothing when 0). */
void cap_report_json_offered(struct cap_json *j, uint32_t offered);
/* The token fields of an "auth" object (scheme, bytes, token, spnego, neg_state, ...). */
void cap_report_json_auth_fields(struct cap_json *j, const struct cap_step_auth *a);

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
