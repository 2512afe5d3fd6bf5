/* findings.h - findings the probe emits: negcap's catalog ids where they exist
 * (capture/include/negscope/finding.h) plus the probe-only ids, one record type.
 *
 * A probe finding names its id by slug.  Title, explanation and advice come
 * from negcap's catalog for shared ids and from the small probe table
 * (findings.c) for probe-only ids, so the advice is written once.
 */
#ifndef PROBE_FINDINGS_H
#define PROBE_FINDINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "negscope/finding.h"

#define PROBE_EVIDENCE_MAX 12

struct probe_evidence {
	const char *key; /* static, snake_case: a JSON field name */
	bool is_num;
	int64_t num;
	char *str; /* owned */
};

struct probe_finding {
	const char *slug;          /* static */
	enum cap_severity severity;
	unsigned leg;              /* 1-based leg it was seen on, 0 = whole probe */
	char *detail;              /* one sentence for this instance (owned) or NULL */
	char *advice;              /* instance-specific advice line (owned) or NULL */
	struct probe_evidence ev[PROBE_EVIDENCE_MAX];
	size_t nev;
};

/* Catalog view of one id, whichever table holds it. */
struct probe_finding_text {
	const char *title;
	const char *explanation;
	const char *const *advice; /* NULL-terminated */
};

/* Default severity of an id; -1 when the id is unknown to both tables. */
int probe_finding_severity(const char *slug);
/* 0 and *out filled, or -1 for an unknown id. */
int probe_finding_text(const char *slug, struct probe_finding_text *out);
/* True for every id the probe may emit (for --expect and docs). */
bool probe_finding_known(const char *slug);

/* Fills f for `slug` with its default severity. */
void probe_finding_init(struct probe_finding *f, const char *slug, unsigned leg);
void probe_finding_clear(struct probe_finding *f);
/* Evidence setters; a repeated key keeps the first value; -1 when full or out of memory. */
int probe_finding_str(struct probe_finding *f, const char *key, const char *val);
int probe_finding_num(struct probe_finding *f, const char *key, int64_t val);
int probe_finding_detail(struct probe_finding *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int probe_finding_advice(struct probe_finding *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
const struct probe_evidence *probe_finding_get(const struct probe_finding *f, const char *key);

/* Maps a failed GSS call to a finding id: the krb5 com_err code first
 * (KDC and AP errors, unreachable KDC, missing ccache), then the GSS major
 * code.  *krb_error_out gets the RFC 4120 error number when the code is one
 * (else -1). */
const char *probe_finding_for_gss(uint32_t major, int32_t krb5_code, int *krb_error_out);
/* Maps an RFC 4120 error number found in a server's token (`from_server`) or
 * from the KDC to a finding id. */
const char *probe_finding_for_krb_error(int code, bool from_server);
/* The RFC 4120 name of an error number ("KRB_AP_ERR_MODIFIED"), or "". */
const char *probe_krb_error_name(int code);

#endif /* PROBE_FINDINGS_H */
