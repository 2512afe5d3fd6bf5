/* spncheck.c - which SPN forms the KDC knows (RFC 4120 §3.3 TGS exchange per form).
 * What they mean for spn-unknown is the judges' (capture/findings/judges_probe.c). */
#include "spncheck.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "spn.h"

void probe_spncheck_run(const struct probe_config *cfg, struct probe_cred *cred,
			struct probe_result *r)
{
	struct probe_spn_candidate cand[PROBE_MAX_SPN_CHECKS];
	size_t n = probe_spn_candidates(r->u.host, r->canonical, r->u.port, cand,
					PROBE_MAX_SPN_CHECKS);

	(void)cfg;
	r->nspn_checks = 0;
	for (size_t i = 0; i < n; i++) {
		struct probe_spn_check *c = &r->spn_checks[r->nspn_checks++];
		struct probe_gss_error e;

		memset(&e, 0, sizeof(e));
		snprintf(c->spn, sizeof(c->spn), "%.299s", cand[i].spn);
		snprintf(c->form, sizeof(c->form), "%.47s", cand[i].form);
		c->exists = probe_gss_spn_exists(cred, c->spn, &e);
		if (c->exists < 0)
			snprintf(c->error, sizeof(c->error), "%.255s",
				 e.text[0] != '\0' ? e.text : "no Kerberos credentials");
	}
}
