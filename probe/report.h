/* report.h - formats probe results: the human ladder, JSON lines, JUnit XML.
 * Reporters only format; they never judge (expect.c) or probe (negotiate.c).
 */
#ifndef PROBE_REPORT_H
#define PROBE_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "probe.h"

/* The human report of one target: ladder of legs, outcome, findings with
 * advice.  `principal` is the client principal ("" when unknown). */
void probe_report_text(FILE *fp, const struct probe_result *r, bool color, const char *principal);

/* JSON lines for one target: leg, spn, krb (capture), finding records, then
 * the result record.  Returns 0, or -1 when writing failed. */
int probe_report_json(FILE *fp, const struct probe_result *r);

/* Collects test cases over all targets, then writes one JUnit XML file. */
struct probe_junit;
struct probe_junit *probe_junit_new(void);
/* Adds one test case per check of r (or the default check). 0, or -1. */
int probe_junit_add(struct probe_junit *j, const struct probe_result *r);
/* Writes the file; 0, or -1 with errno set. */
int probe_junit_write(const struct probe_junit *j, const char *path);
void probe_junit_free(struct probe_junit *j);

/* Token description as one JSON object (shared by leg records). */
struct cap_json;
void probe_json_token(struct cap_json *j, const char *key, const struct probe_token *t);

#endif /* PROBE_REPORT_H */
