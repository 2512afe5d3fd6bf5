/* ldap_audit.h - --check-spn's directory side (--ldap): who holds each SPN form in Active
 * Directory and with which delegation, encryption-type and key-version settings, read over
 * LDAP with a SASL/GSSAPI bind on the user's ticket (OpenLDAP libldap, Cyrus SASL).
 * What the answers mean is the judges' (capture/findings/judges_probe.c).
 */
#ifndef PROBE_LDAP_AUDIT_H
#define PROBE_LDAP_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROBE_LDAP_MAX_FORMS 12   /* = PROBE_MAX_SPN_CHECKS */
#define PROBE_LDAP_MAX_HOLDERS 4  /* accounts kept per SPN (more are counted) */
#define PROBE_LDAP_MAX_ENTRIES 64 /* entries read per search; beyond: counted, not read */
#define PROBE_LDAP_PAGE 32        /* RFC 2696 page size */

/* The step that failed (stable names: JSON evidence `ldap_step`). */
enum probe_ldap_step {
	PROBE_LDAP_STEP_NONE = 0,
	PROBE_LDAP_STEP_LOCATE,  /* no URI: the realm has no KDC host and no _ldap._tcp SRV */
	PROBE_LDAP_STEP_CONNECT,
	PROBE_LDAP_STEP_BIND,
	PROBE_LDAP_STEP_SEARCH
};

struct probe_ldap_account {
	char sam[128];         /* sAMAccountName */
	char dn[256];
	int64_t uac;           /* userAccountControl, -1 not read */
	int64_t enctypes;      /* msDS-SupportedEncryptionTypes, -1 not set */
	int64_t kvno;          /* msDS-KeyVersionNumber, -1 not returned */
	char deleg_to[256];    /* msDS-AllowedToDelegateTo, ", "-separated, "" none */
	size_t ndeleg_to;
};

struct probe_ldap_spn {
	char spn[300];
	struct probe_ldap_account holders[PROBE_LDAP_MAX_HOLDERS];
	size_t nholders;       /* kept */
	size_t total;          /* found (capped by PROBE_LDAP_MAX_ENTRIES) */
	bool truncated;        /* the directory had more than PROBE_LDAP_MAX_ENTRIES */
};

struct probe_ldap_opts {
	const char *uri;          /* --ldap URI, or "auto": the realm's KDC host / DNS SRV */
	const char *backend_spn;  /* --backend-spn */
	const char *keytab;       /* --server-keytab */
	const char *const *resolve; /* --resolve HOST:PORT:ADDR, NULL-terminated, or NULL */
	long timeout_ms;
};

struct probe_ldap_audit {
	bool ran;
	char realm[256];
	char uri[256];
	char base[256];           /* the default naming context */
	enum probe_ldap_step failed; /* NONE when the audit ran to the end */
	char error[256];          /* what libldap / SASL / the resolver said */
	struct probe_ldap_spn spns[PROBE_LDAP_MAX_FORMS];
	size_t nspns;
	struct probe_ldap_spn backend; /* --backend-spn's holders */
	bool have_backend;
	char keytab[256];
	int64_t keytab_kvno;      /* highest kvno of the asked SPN in --server-keytab, -1 */
	char keytab_accounts[256];/* one-component principals (account names) in it, ", " */
	char keytab_error[256];
};

struct probe_cred;
struct cap_probe_fact;

/* Looks each of `spns` (nspns, each up to 299 chars) up in the directory, and the backend SPN;
 * reads `asked`'s kvno from the keytab.  Never fails: a failure is recorded in out->failed
 * and out->error.  `realm` locates the directory when o->uri is "auto". */
void probe_ldap_audit_run(const struct probe_ldap_opts *o, struct probe_cred *cred,
			  const char *realm, const char (*spns)[300], size_t nspns,
			  const char *asked, struct probe_ldap_audit *out);

/* Copies the audit into a CAP_PROBE_SPN_DIRECTORY fact (f->spn: the asked SPN, set). */
void probe_ldap_audit_fact(const struct probe_ldap_audit *l, struct cap_probe_fact *f);

/* The stable name of a step ("connect", "bind", ...). */
const char *probe_ldap_step_name(enum probe_ldap_step s);

#endif /* PROBE_LDAP_AUDIT_H */
