/* spncheck.c - which SPN forms the KDC knows (RFC 4120 §3.3 TGS exchange per form). */
#include "spncheck.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "spn.h"

/* Names the existing forms on the spn-unknown finding: the seed's "SPN
 * registered with the port" mistake in one line. */
static void explain_missing(struct probe_result *r)
{
	char found[600] = "";
	const struct probe_spn_check *asked = NULL;

	for (size_t i = 0; i < r->nspn_checks; i++) {
		const struct probe_spn_check *c = &r->spn_checks[i];

		if (strcasecmp(c->spn, r->spn) == 0)
			asked = c;
		if (c->exists == 1) {
			size_t used = strlen(found);

			snprintf(found + used, sizeof(found) - used, "%s%s", used > 0 ? ", " : "",
				 c->spn);
		}
	}
	if (asked == NULL || asked->exists != 0 || found[0] == '\0')
		return;
	for (size_t i = 0; i < r->nfindings; i++) {
		struct probe_finding *f = &r->findings[i];

		if (f->rec.id != CAP_F_SPN_UNKNOWN)
			continue;
		cap_finding_set_str(&f->rec, "registered_forms", found);
		cap_finding_add_advice(&f->rec, "The KDC knows %s but not %s, the form browsers ask for: "
				     "register %s on the same account (setspn -S %s DOMAIN\\account)%s.",
				     found, r->spn, r->spn, r->spn,
				     strchr(found, ':') != NULL ?
				     "; an SPN with a port is only used by clients told to add it" : "");
	}
}

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
	explain_missing(r);
}
