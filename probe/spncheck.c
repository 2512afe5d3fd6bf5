/* spncheck.c - which SPN forms the KDC knows (RFC 4120 §3.3 TGS exchange per form), and
 * with --ldap what the directory says about each (ldap_audit.c).
 * What they mean is the judges' (capture/findings/judges_probe.c). */
#include "spncheck.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <krb5/krb5.h>

#include "spn.h"

/* The realm the directory side looks in: the user's principal's, else the default. */
static void user_realm(struct probe_cred *cred, char *out, size_t len)
{
	const char *p = probe_cred_principal(cred), *at = strrchr(p, '@');
	krb5_context ctx = NULL;
	char *def = NULL;

	out[0] = '\0';
	if (at == NULL) {
		p = probe_cred_client(cred);
		at = strrchr(p, '@');
	}
	if (at != NULL && at[1] != '\0') {
		snprintf(out, len, "%s", at + 1);
		return;
	}
	if (krb5_init_context(&ctx) != 0)
		return;
	if (krb5_get_default_realm(ctx, &def) == 0) {
		snprintf(out, len, "%s", def);
		krb5_free_default_realm(ctx, def);
	}
	krb5_free_context(ctx);
}

static void directory(const struct probe_config *cfg, struct probe_cred *cred,
		      struct probe_result *r)
{
	struct probe_ldap_opts o = cfg->ldap;
	char spns[PROBE_MAX_SPN_CHECKS][300];
	char realm[256];
	size_t n = 0;

	o.resolve = (const char *const *)cfg->http.resolve;
	o.timeout_ms = cfg->http.connect_timeout_ms > 0 ? cfg->http.connect_timeout_ms : 10000;
	for (size_t i = 0; i < r->nspn_checks && n < PROBE_MAX_SPN_CHECKS; i++)
		snprintf(spns[n++], sizeof(spns[0]), "%s", r->spn_checks[i].spn);
	user_realm(cred, realm, sizeof(realm));
	probe_ldap_audit_run(&o, cred, realm, (const char (*)[300])spns, n, r->spn, &r->ldap);
}

void probe_spncheck_run(const struct probe_config *cfg, struct probe_cred *cred,
			struct probe_result *r)
{
	struct probe_spn_candidate cand[PROBE_MAX_SPN_CHECKS];
	size_t n = probe_spn_candidates(r->u.host, r->canonical, r->u.port, cand,
					PROBE_MAX_SPN_CHECKS);

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
	if (cfg->ldap.uri != NULL)
		directory(cfg, cred, r);
}
