/* spncheck.h - --check-spn: asks the KDC for a ticket for each SPN form a
 * browser, a setting or an administrator might use, and records which exist.
 */
#ifndef PROBE_SPNCHECK_H
#define PROBE_SPNCHECK_H

#include "probe.h"

/* Fills r->spn_checks (the session feeds them to the judges). */
void probe_spncheck_run(const struct probe_config *cfg, struct probe_cred *cred,
			struct probe_result *r);

#endif /* PROBE_SPNCHECK_H */
