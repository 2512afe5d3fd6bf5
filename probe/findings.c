/* findings.c - probe finding records, the probe-only catalog rows, and the
 * mapping of GSS/krb5 failures onto finding ids.
 * References: RFC 4120 §7.5.9 (error codes), MIT krb5 krb5_err.et (com_err
 * codes = ERROR_TABLE_BASE_krb5 + RFC number), RFC 2744 §3.9.1 (major codes).
 *
 * The probe-only rows below are the ids negcap's catalog does not have; when
 * that catalog gains them, delete the row here and nothing else changes.
 */
#include "findings.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gssapi/gssapi.h>
#include <krb5.h>

#include "negscope/krb5.h"

struct probe_row {
	const char *slug;
	enum cap_severity severity;
	const char *title;
	const char *explanation;
	const char *advice[4];
};

static const struct probe_row probe_rows[] = {
	{"no-credentials", CAP_SEV_ERROR, "No Kerberos credentials",
	 "The probe had no ticket-granting ticket, keytab or password to ask the KDC for a "
	 "service ticket, so a browser running as this user would fall back to NTLM or prompt.",
	 {"On Windows: log on with a domain account (klist shows a krbtgt ticket); on Linux: "
	  "kinit user@REALM, or give negprobe --keytab FILE --principal NAME, or --user with "
	  "NEGPROBE_PASSWORD.",
	  "If a ticket exists but expired, renew it (kinit -R) or log on again.", NULL}},
	{"mutual-auth-failed", CAP_SEV_ERROR, "Mutual authentication failed",
	 "The server's final Negotiate token in the success response did not verify, so the "
	 "client cannot be sure it talked to the service that owns the SPN.",
	 {"Check that the server's keytab or account holds the current key of the SPN "
	  "(klist -kte; setspn -Q) and that no proxy rewrites the WWW-Authenticate header.",
	  NULL}},
	{"connect-failed", CAP_SEV_ERROR, "The site could not be reached",
	 "The TCP connection to the site failed (refused, timed out, or the name did not "
	 "resolve), so authentication never started.",
	 {"Check the URL, DNS (nslookup <host>), that the site is started and bound to this "
	  "port, and firewalls between client and server.", NULL}},
	{"tls-error", CAP_SEV_ERROR, "The TLS handshake failed",
	 "The HTTPS connection failed before any HTTP request, so a browser shows a certificate "
	 "or connection error instead of signing in.",
	 {"Fix the certificate set-up named in the evidence; once TLS works, run negprobe again "
	  "for the Kerberos part.", NULL}},
	{"tls-insecure", CAP_SEV_WARNING, "Certificate checks were turned off",
	 "The probe ran with -k/--insecure, so it did not check the server certificate; a "
	 "browser would, and may refuse the site.",
	 {"Run again with --cacert pointing at the issuing CA to test what browsers see.", NULL}},
	{"delegation-not-trusted", CAP_SEV_WARNING, "The service is not trusted for delegation",
	 "The client asked to delegate only where the KDC allows it (as Windows clients and "
	 "browsers do), and the service ticket lacks ok-as-delegate: the service account is not "
	 "trusted for delegation, so the user's identity cannot make the second hop.",
	 {"In Active Directory Users and Computers, on the account that holds the SPN: Delegation "
	  "> Trust this user for delegation to any service (Kerberos only), or configure "
	  "constrained delegation to the back-end SPNs.",
	  "On MIT: kadmin modprinc +ok_as_delegate HTTP/<host>.", NULL}},
	{"gss-error", CAP_SEV_ERROR, "GSS-API failed",
	 "The GSS-API library could not produce or accept a token; its own message is in the "
	 "evidence.",
	 {"Run again with KRB5_TRACE=/dev/stderr to see each Kerberos step.", NULL}},
	{"ntlm-unavailable", CAP_SEV_ERROR, "NTLM is not available on this machine",
	 "The probe needed the NTLM mechanism but gss-ntlmssp is not installed (or has no "
	 "credentials), so it could not answer an NTLM challenge.",
	 {"Install gss-ntlmssp (apt-get install gss-ntlmssp) and give credentials with --user "
	  "and NEGPROBE_PASSWORD or NTLM_USER_FILE.", NULL}},
	{"auth-not-required", CAP_SEV_WARNING, "The site did not ask for authentication",
	 "The first request succeeded without a 401 challenge, so no Negotiate handshake took "
	 "place and the user is anonymous to the application.",
	 {"If the site should use Windows sign-in, disable Anonymous Authentication and enable "
	  "Windows Authentication for it (IIS Manager > Authentication).", NULL}},
	{"unexpected-status", CAP_SEV_WARNING, "The final response is not a success",
	 "The handshake ended with a status other than 2xx that is not an authentication "
	 "challenge (a redirect, 403, 500...).",
	 {"A 403 after successful authentication is an authorization rule (NTFS, URL "
	  "authorization); a 3xx needs --location or the target URL; 5xx is the application.",
	  NULL}},
};

static const struct probe_row *probe_row(const char *slug)
{
	for (size_t i = 0; i < sizeof(probe_rows) / sizeof(probe_rows[0]); i++)
		if (strcmp(probe_rows[i].slug, slug) == 0)
			return &probe_rows[i];
	return NULL;
}

int probe_finding_severity(const char *slug)
{
	enum cap_finding_id id;
	const struct probe_row *r;

	if (cap_finding_from_slug(slug, &id) == 0)
		return (int)cap_finding_info(id)->severity;
	r = probe_row(slug);
	return r != NULL ? (int)r->severity : -1;
}

int probe_finding_text(const char *slug, struct probe_finding_text *out)
{
	enum cap_finding_id id;
	const struct probe_row *r;

	if (cap_finding_from_slug(slug, &id) == 0) {
		const struct cap_finding_info *i = cap_finding_info(id);

		out->title = i->title;
		out->explanation = i->explanation;
		out->advice = i->advice;
		return 0;
	}
	r = probe_row(slug);
	if (r == NULL)
		return -1;
	out->title = r->title;
	out->explanation = r->explanation;
	out->advice = r->advice;
	return 0;
}

bool probe_finding_known(const char *slug)
{
	return probe_finding_severity(slug) >= 0;
}

void probe_finding_init(struct probe_finding *f, const char *slug, unsigned leg)
{
	int sev = probe_finding_severity(slug);

	memset(f, 0, sizeof(*f));
	f->slug = slug;
	f->severity = sev >= 0 ? (enum cap_severity)sev : CAP_SEV_ERROR;
	f->leg = leg;
}

void probe_finding_clear(struct probe_finding *f)
{
	for (size_t i = 0; i < f->nev; i++)
		free(f->ev[i].str);
	free(f->detail);
	free(f->advice);
	memset(f, 0, sizeof(*f));
}

const struct probe_evidence *probe_finding_get(const struct probe_finding *f, const char *key)
{
	for (size_t i = 0; i < f->nev; i++)
		if (strcmp(f->ev[i].key, key) == 0)
			return &f->ev[i];
	return NULL;
}

int probe_finding_str(struct probe_finding *f, const char *key, const char *val)
{
	if (probe_finding_get(f, key) != NULL)
		return 0;
	if (f->nev >= PROBE_EVIDENCE_MAX || val == NULL)
		return -1;
	f->ev[f->nev].str = strdup(val);
	if (f->ev[f->nev].str == NULL)
		return -1;
	f->ev[f->nev].key = key;
	f->ev[f->nev].is_num = false;
	f->nev++;
	return 0;
}

int probe_finding_num(struct probe_finding *f, const char *key, int64_t val)
{
	if (probe_finding_get(f, key) != NULL)
		return 0;
	if (f->nev >= PROBE_EVIDENCE_MAX)
		return -1;
	f->ev[f->nev].key = key;
	f->ev[f->nev].is_num = true;
	f->ev[f->nev].num = val;
	f->ev[f->nev].str = NULL;
	f->nev++;
	return 0;
}

__attribute__((format(printf, 2, 0)))
static int vset(char **dst, const char *fmt, va_list ap)
{
	char *s = NULL;

	if (vasprintf(&s, fmt, ap) < 0)
		return -1;
	free(*dst);
	*dst = s;
	return 0;
}

int probe_finding_detail(struct probe_finding *f, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vset(&f->detail, fmt, ap);
	va_end(ap);
	return rc;
}

int probe_finding_advice(struct probe_finding *f, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vset(&f->advice, fmt, ap);
	va_end(ap);
	return rc;
}

const char *probe_finding_for_krb_error(int code, bool from_server)
{
	switch (code) {
	case 7: return "spn-unknown";
	case 8: return "spn-duplicate";
	case 13: return "delegation-refused";
	case 14: return "etype-mismatch";
	case 31: /* BAD_INTEGRITY */
	case 41: /* MODIFIED */
	case 44: /* BADKEYVER */
		return "krb-ap-err-modified";
	case 37: return "clock-skew";
	case 45: return "krb-ap-err-nokey";
	case 46: return "mutual-auth-failed";
	default: break;
	}
	return from_server ? "krb-ap-error" : "kdc-error";
}

const char *probe_finding_for_gss(uint32_t major, int32_t krb5_code, int *krb_error_out)
{
	*krb_error_out = -1;
	if (krb5_code >= ERROR_TABLE_BASE_krb5 && krb5_code < ERROR_TABLE_BASE_krb5 + 128) {
		int n = (int)(krb5_code - ERROR_TABLE_BASE_krb5);

		*krb_error_out = n;
		switch (n) {
		case 6:  /* C_PRINCIPAL_UNKNOWN: the user is not in the realm */
		case 18: /* CLIENT_REVOKED */
		case 23: /* KEY_EXPIRED */
		case 24: /* PREAUTH_FAILED: wrong password */
			return "kdc-error";
		case 32: /* TKT_EXPIRED: the TGT in the ccache */
			return "no-credentials";
		default:
			break;
		}
		return probe_finding_for_krb_error(n, false);
	}
	switch (krb5_code) {
	case KRB5_KDC_UNREACH:
	case KRB5_REALM_CANT_RESOLVE:
	case KRB5_REALM_UNKNOWN:
	case KRB5_SERVICE_UNKNOWN:
		return "kdc-unreachable";
	case KRB5_FCC_NOFILE:
	case KRB5_CC_NOTFOUND:
	case KRB5_CC_END:
	case KRB5_CC_BADNAME:
	case KRB5_FCC_PERM:
	case KRB5_KT_NOTFOUND:
	case KRB5_KT_END:
	case KRB5_NO_TKT_SUPPLIED:
		return "no-credentials";
	default:
		break;
	}
	switch (GSS_ROUTINE_ERROR(major)) {
	case GSS_S_NO_CRED:
	case GSS_S_CREDENTIALS_EXPIRED:
		return "no-credentials";
	case GSS_S_BAD_SIG:
		return "mutual-auth-failed";
	case GSS_S_BAD_MECH:
		return "ntlm-unavailable";
	default:
		break;
	}
	return "gss-error";
}

/* The capture library's table (RFC 4120 §7.5.9 plus MS-KILE) names the codes. */
const char *probe_krb_error_name(int code)
{
	const char *n = cap_krb_error_name(code);

	return n != NULL ? n : "";
}
