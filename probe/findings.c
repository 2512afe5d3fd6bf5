/* findings.c - the mapping of GSS/krb5 failures onto finding ids (the catalog itself,
 * probe-only rows included, is capture/findings/catalog.c).
 * References: RFC 4120 §7.5.9 (error codes), MIT krb5 krb5_err.et (com_err
 * codes = ERROR_TABLE_BASE_krb5 + RFC number), RFC 2744 §3.9.1 (major codes).
 */
#include "findings.h"

#include <gssapi/gssapi.h>
#include <krb5.h>

#include "negscope/krb5.h"

enum cap_finding_id probe_finding_for_krb_error(int code, bool from_server)
{
	enum cap_finding_id id;

	/* the server's AP-REP did not verify: only a client sees this */
	if (code == 46)
		return CAP_F_MUTUAL_AUTH_FAILED;
	/* the same map as negcap's; a BADOPTION the probe meets answers its delegation */
	id = cap_finding_for_krb_error(code, !from_server, true);
	if (id != CAP_F_COUNT)
		return id;
	return from_server ? CAP_F_KRB_AP_ERROR : CAP_F_KDC_ERROR;
}

enum cap_finding_id probe_finding_for_gss(uint32_t major, int32_t krb5_code, int *krb_error_out)
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
			return CAP_F_KDC_ERROR;
		case 32: /* TKT_EXPIRED: the TGT in the ccache */
			return CAP_F_NO_CREDENTIALS;
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
		return CAP_F_KDC_UNREACHABLE;
	case KRB5_FCC_NOFILE:
	case KRB5_CC_NOTFOUND:
	case KRB5_CC_END:
	case KRB5_CC_BADNAME:
	case KRB5_FCC_PERM:
	case KRB5_KT_NOTFOUND:
	case KRB5_KT_END:
	case KRB5_NO_TKT_SUPPLIED:
		return CAP_F_NO_CREDENTIALS;
	default:
		break;
	}
	switch (GSS_ROUTINE_ERROR(major)) {
	case GSS_S_NO_CRED:
	case GSS_S_CREDENTIALS_EXPIRED:
		return CAP_F_NO_CREDENTIALS;
	case GSS_S_BAD_SIG:
		return CAP_F_MUTUAL_AUTH_FAILED;
	case GSS_S_BAD_MECH:
		return CAP_F_NTLM_UNAVAILABLE;
	default:
		break;
	}
	return CAP_F_GSS_ERROR;
}

/* The capture library's table (RFC 4120 §7.5.9 plus MS-KILE) names the codes. */
const char *probe_krb_error_name(int code)
{
	const char *n = cap_krb_error_name(code);

	return n != NULL ? n : "";
}
