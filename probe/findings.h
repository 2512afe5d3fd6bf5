/* findings.h - a finding as negprobe reports it: the engine's record (ids, severities,
 * titles and advice from the one catalog, capture/include/negscope/finding.h; judged by
 * the engine's judges, capture/findings/) plus the leg it was seen on.
 */
#ifndef PROBE_FINDINGS_H
#define PROBE_FINDINGS_H

#include <stdbool.h>
#include <stdint.h>

#include "negscope/finding.h"

struct probe_finding {
	/* id, severity, evidence, detail, instance advice: negcap's record, copied from the
	 * engine (frames are legs there; count and conversation kept) */
	struct cap_finding rec;
	unsigned leg; /* 1-based leg it was seen on, 0 = whole probe */
};

/* The RFC 4120 name of an error number ("KRB_AP_ERR_MODIFIED"), or "". */
const char *probe_krb_error_name(int code);

#endif /* PROBE_FINDINGS_H */
