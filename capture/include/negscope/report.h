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
	const char *const *file_names; /* the -r inputs as given, for the HTML report's head */
	size_t nfile_names;
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

/* The HTML report (negcap --html): one self-contained file (inline CSS and SVG, no
 * external asset, readable with scripts off) with the verdict, a sequence diagram per
 * conversation with a finding, the others one table row each, the findings with their
 * advice, the summary and anomalies, and what its caps left out.  Every string from the
 * capture is escaped with cap_html_escape().  Returns 0, or -1 when writing failed. */
int cap_report_html(FILE *out, const struct cap_analysis *a, const struct cap_pipeline_stats *st,
		    const struct cap_report_input *in);
/* The parts of the HTML report (report/html_page.c), also used by negprobe's: a writer
 * whose first error sticks, the page around the content (style, filter script), the rows
 * of one sequence diagram, and a finding with its explanation, evidence and advice.
 * Markup goes through cap_html_put() (its format and arguments must hold no text from a
 * capture or a server); such text goes through cap_html_text(), which escapes it. */
struct cap_html {
	FILE *fp;
	bool err;
};
void cap_html_put(struct cap_html *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cap_html_text(struct cap_html *h, const char *s);
/* "<!DOCTYPE html>" ... "<body><header><h1>title</h1>" (title is ours, not escaped). */
void cap_html_page_begin(struct cap_html *h, FILE *fp, const char *title);
/* The filter script and the closing tags; flushes.  0, or -1 when any write failed. */
int cap_html_page_end(struct cap_html *h);
/* "error", "warning", "info": the CSS class of a severity. */
const char *cap_html_sev_class(enum cap_severity s);
/* A diagram: lanes client, web server, KDC; `number_label` heads the left column
 * ("frame", "leg"). */
void cap_html_lanes_begin(struct cap_html *h, const char *number_label);
void cap_html_lanes_end(struct cap_html *h);
struct cap_html_row {
	enum cap_step_dir dir;
	bool at_kdc;          /* a NOTE about the KDC (else about the web server) */
	uint64_t number;      /* frame or leg, shown at the left and as data-frame */
	const char *id;       /* the row's anchor id, or NULL */
	const char *kind;     /* data-kind, e.g. cap_report_step_kind_name() */
	bool bad, ok, pinned; /* failing leg (marked), success, cited by a finding */
};
/* One arrow's row, leaving its text cell open for cap_html_text() and cap_html_pin(). */
void cap_html_row_begin(struct cap_html *h, const struct cap_html_row *r);
void cap_html_row_end(struct cap_html *h);
/* A finding's badge in a row, linking to the element with id `target`. */
void cap_html_pin(struct cap_html *h, const struct cap_finding *f, const char *target);
/* A finding: article with the id `id` and its heading, then the caller's "meta" line
 * (where it was seen) between _begin and _end, which writes the catalog's explanation,
 * the detail, the evidence and the advice. */
void cap_html_finding_begin(struct cap_html *h, const struct cap_finding *f, const char *id);
void cap_html_finding_end(struct cap_html *h, const struct cap_finding *f);

/* Writes n bytes of untrusted text as HTML text (also safe inside a quoted attribute):
 * & < > " ' become entities; control characters (but tab and newline), the bidi
 * formatting characters and bytes that are not valid UTF-8 become U+FFFD.  Returns 0, or
 * -1 when writing failed.  The _str form takes a NUL-terminated string (NULL writes
 * nothing). */
int cap_html_escape(FILE *out, const void *text, size_t n);
int cap_html_escape_str(FILE *out, const char *s);

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

/* A finding's words (report/finding_words.c): its detail sentence and advice lines,
 * rendered from its id, evidence and typed words.  Each writes a NUL-terminated text
 * into buf, cut to fit, and returns the length it needed (as snprintf). */
#define CAP_FINDING_TEXT_MAX 2048 /* enough for any detail or advice line */
/* The detail sentence(s), with any folded symptom's line; 0 (and "") when none. */
size_t cap_finding_detail_text(const struct cap_finding *f, char *buf, size_t cap);
/* How many advice lines to print: the instance's first, then the catalog's. */
size_t cap_finding_nadvice(const struct cap_finding *f);
/* Advice line i (< cap_finding_nadvice()); 0 (and "") past the last. */
size_t cap_finding_advice_text(const struct cap_finding *f, size_t i, char *buf, size_t cap);

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
/* Whom and what a finding concerns, for a verdict line: the first user evidence (user,
 * cname), the first site evidence (host, server, spn, kdc) and the word for it ("site",
 * "server", "SPN", "KDC"); NULL when absent. */
struct cap_report_subject {
	const char *user, *site, *site_word;
};
void cap_report_subject(const struct cap_finding *f, struct cap_report_subject *out);
/* Why a Kerberos message did not decode; "" (0) when it did. */
size_t cap_report_krb_problem(const struct cap_krb_fact *f, char *buf, size_t cap);
/* "offered": the schemes of CAP_AUTH_BIT() bits, as an array (nothing when 0). */
void cap_report_json_offered(struct cap_json *j, uint32_t offered);
/* The token fields of an "auth" object (scheme, bytes, token, spnego, neg_state, ...). */
void cap_report_json_auth_fields(struct cap_json *j, const struct cap_step_auth *a);
/* The "ticket" object of an http record's auth or a krb record (report/keys.c): what the
 * server keys showed; nothing when no keys were tried. */
void cap_report_json_ticket(struct cap_json *j, const struct cap_krb_ticket_view *v);
/* The same as indented text lines (negcap --decode); ap_rep: enum cap_krb_aprep_verdict
 * of an AP-REP token. */
void cap_report_ticket_text(FILE *fp, const struct cap_krb_ticket_view *v, int ap_rep);

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
