/* findings.h - findings the probe emits: a negcap finding record (ids, severities,
 * titles and advice from the one catalog, capture/include/negscope/finding.h) plus the
 * leg it was seen on, and the mapping of GSS/krb5 failures onto those ids.
 */
#ifndef PROBE_FINDINGS_H
#define PROBE_FINDINGS_H

#include <stdbool.h>
#include <stdint.h>

#include "negscope/finding.h"

struct probe_finding {
	/* id, severity, evidence, detail, instance advice: negcap's record, filled with the
	 * cap_finding_set_* setters (frames, count and conversation stay unused) */
	struct cap_finding rec;
	unsigned leg; /* 1-based leg it was seen on, 0 = whole probe */
};

/* Maps a failed GSS call to a finding id: the krb5 com_err code first
 * (KDC and AP errors, unreachable KDC, missing ccache), then the GSS major
 * code.  *krb_error_out gets the RFC 4120 error number when the code is one
 * (else -1). */
enum cap_finding_id probe_finding_for_gss(uint32_t major, int32_t krb5_code, int *krb_error_out);
/* Maps an RFC 4120 error number found in a server's token (`from_server`) or
 * from the KDC to a finding id. */
enum cap_finding_id probe_finding_for_krb_error(int code, bool from_server);
/* The RFC 4120 name of an error number ("KRB_AP_ERR_MODIFIED"), or "". */
const char *probe_krb_error_name(int code);

#endif /* PROBE_FINDINGS_H */
