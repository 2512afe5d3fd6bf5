/* kerberos_names.c - name tables for Kerberos numbers (struct cap_tok tables only).
 *
 * References: RFC 4120 §7.5 (message types, padata types, name types,
 * error codes §7.5.9), RFC 3961 §8 / RFC 8009 / RFC 6803 (etypes), RFC 4556
 * and RFC 6113 (PKINIT and FAST errors and padata), MS-KILE §2.2 and MS-SFU
 * (Microsoft padata, name types, PAC options, KERB-ERROR-DATA types),
 * MS-ERREF §2.3.1 (NTSTATUS values).
 * Names are the RFC constant names; etypes use the MIT krb5 spelling.
 */
#include <stddef.h>

#include "negscope/krb5.h"
#include "negscope/tok.h"

struct err_row {
	int32_t code;
	const char *name;
	const char *text;
};

static const struct cap_tok msg_types[] = {
	{ 10, "AS-REQ" },   { 11, "AS-REP" },   { 12, "TGS-REQ" },
	{ 13, "TGS-REP" },  { 14, "AP-REQ" },   { 15, "AP-REP" },
	{ 16, "TGT-REQ" },  { 17, "TGT-REP" },  { 20, "KRB-SAFE" },
	{ 21, "KRB-PRIV" }, { 22, "KRB-CRED" }, { 30, "KRB-ERROR" },
	{ 0, NULL },
};

const char *cap_krb_msg_type_name(int msg_type)
{
	return cap_tok_name(msg_types, msg_type, NULL);
}

static const struct err_row errors[] = {
	{ 0, "KDC_ERR_NONE", "No error" },
	{ 1, "KDC_ERR_NAME_EXP", "Client's entry in database has expired" },
	{ 2, "KDC_ERR_SERVICE_EXP", "Server's entry in database has expired" },
	{ 3, "KDC_ERR_BAD_PVNO", "Requested protocol version number not supported" },
	{ 4, "KDC_ERR_C_OLD_MAST_KVNO", "Client's key encrypted in old master key" },
	{ 5, "KDC_ERR_S_OLD_MAST_KVNO", "Server's key encrypted in old master key" },
	{ 6, "KDC_ERR_C_PRINCIPAL_UNKNOWN", "Client not found in Kerberos database" },
	{ 7, "KDC_ERR_S_PRINCIPAL_UNKNOWN",
	  "Server not found in Kerberos database (no such SPN, or a duplicate SPN)" },
	{ 8, "KDC_ERR_PRINCIPAL_NOT_UNIQUE", "Multiple principal entries in database" },
	{ 9, "KDC_ERR_NULL_KEY", "The client or server has a null key" },
	{ 10, "KDC_ERR_CANNOT_POSTDATE", "Ticket not eligible for postdating" },
	{ 11, "KDC_ERR_NEVER_VALID", "Requested starttime is later than end time" },
	{ 12, "KDC_ERR_POLICY", "KDC policy rejects request" },
	{ 13, "KDC_ERR_BADOPTION",
	  "KDC cannot accommodate requested option (e.g. delegation refused)" },
	{ 14, "KDC_ERR_ETYPE_NOSUPP", "KDC has no support for encryption type" },
	{ 15, "KDC_ERR_SUMTYPE_NOSUPP", "KDC has no support for checksum type" },
	{ 16, "KDC_ERR_PADATA_TYPE_NOSUPP", "KDC has no support for padata type" },
	{ 17, "KDC_ERR_TRTYPE_NOSUPP", "KDC has no support for transited type" },
	{ 18, "KDC_ERR_CLIENT_REVOKED", "Clients credentials have been revoked" },
	{ 19, "KDC_ERR_SERVICE_REVOKED", "Credentials for server have been revoked" },
	{ 20, "KDC_ERR_TGT_REVOKED", "TGT has been revoked" },
	{ 21, "KDC_ERR_CLIENT_NOTYET", "Client not yet valid; try again later" },
	{ 22, "KDC_ERR_SERVICE_NOTYET", "Server not yet valid; try again later" },
	{ 23, "KDC_ERR_KEY_EXPIRED", "Password has expired; change password to reset" },
	{ 24, "KDC_ERR_PREAUTH_FAILED",
	  "Pre-authentication information was invalid (wrong password)" },
	{ 25, "KDC_ERR_PREAUTH_REQUIRED", "Additional pre-authentication required" },
	{ 26, "KDC_ERR_SERVER_NOMATCH", "Requested server and ticket don't match" },
	{ 27, "KDC_ERR_MUST_USE_USER2USER", "Server principal valid for user2user only" },
	{ 28, "KDC_ERR_PATH_NOT_ACCEPTED", "KDC Policy rejects transited path" },
	{ 29, "KDC_ERR_SVC_UNAVAILABLE", "A service is not available" },
	{ 31, "KRB_AP_ERR_BAD_INTEGRITY", "Integrity check on decrypted field failed" },
	{ 32, "KRB_AP_ERR_TKT_EXPIRED", "Ticket expired" },
	{ 33, "KRB_AP_ERR_TKT_NYV", "Ticket not yet valid" },
	{ 34, "KRB_AP_ERR_REPEAT", "Request is a replay" },
	{ 35, "KRB_AP_ERR_NOT_US", "The ticket isn't for us" },
	{ 36, "KRB_AP_ERR_BADMATCH", "Ticket and authenticator don't match" },
	{ 37, "KRB_AP_ERR_SKEW", "Clock skew too great" },
	{ 38, "KRB_AP_ERR_BADADDR", "Incorrect net address" },
	{ 39, "KRB_AP_ERR_BADVERSION", "Protocol version mismatch" },
	{ 40, "KRB_AP_ERR_MSG_TYPE", "Invalid msg type" },
	{ 41, "KRB_AP_ERR_MODIFIED",
	  "Message stream modified (ticket not decryptable by the service's key)" },
	{ 42, "KRB_AP_ERR_BADORDER", "Message out of order" },
	{ 43, "KRB_AP_ERR_ILL_CR_TKT", "Illegal cross-realm ticket" },
	{ 44, "KRB_AP_ERR_BADKEYVER", "Specified version of key is not available" },
	{ 45, "KRB_AP_ERR_NOKEY", "Service key not available" },
	{ 46, "KRB_AP_ERR_MUT_FAIL", "Mutual authentication failed" },
	{ 47, "KRB_AP_ERR_BADDIRECTION", "Incorrect message direction" },
	{ 48, "KRB_AP_ERR_METHOD", "Alternative authentication method required" },
	{ 49, "KRB_AP_ERR_BADSEQ", "Incorrect sequence number in message" },
	{ 50, "KRB_AP_ERR_INAPP_CKSUM", "Inappropriate type of checksum in message" },
	{ 51, "KRB_AP_PATH_NOT_ACCEPTED", "Policy rejects transited path" },
	{ 52, "KRB_ERR_RESPONSE_TOO_BIG", "Response too big for UDP; retry with TCP" },
	{ 60, "KRB_ERR_GENERIC", "Generic error (see e-text)" },
	{ 61, "KRB_ERR_FIELD_TOOLONG", "Field is too long for this implementation" },
	{ 62, "KDC_ERROR_CLIENT_NOT_TRUSTED", "Client not trusted (PKINIT)" },
	{ 63, "KDC_ERROR_KDC_NOT_TRUSTED", "KDC not trusted (PKINIT)" },
	{ 64, "KDC_ERROR_INVALID_SIG", "Invalid signature (PKINIT)" },
	{ 65, "KDC_ERR_KEY_TOO_WEAK", "Key too weak (PKINIT)" },
	{ 66, "KDC_ERR_CERTIFICATE_MISMATCH", "Certificate mismatch (PKINIT)" },
	{ 67, "KRB_AP_ERR_NO_TGT", "No TGT available to validate USER-TO-USER" },
	{ 68, "KDC_ERR_WRONG_REALM", "Wrong realm" },
	{ 69, "KRB_AP_ERR_USER_TO_USER_REQUIRED", "Ticket must be for USER-TO-USER" },
	{ 70, "KDC_ERR_CANT_VERIFY_CERTIFICATE", "Can't verify certificate (PKINIT)" },
	{ 71, "KDC_ERR_INVALID_CERTIFICATE", "Invalid certificate (PKINIT)" },
	{ 72, "KDC_ERR_REVOKED_CERTIFICATE", "Revoked certificate (PKINIT)" },
	{ 73, "KDC_ERR_REVOCATION_STATUS_UNKNOWN", "Revocation status unknown (PKINIT)" },
	{ 74, "KDC_ERR_REVOCATION_STATUS_UNAVAILABLE", "Revocation status unavailable (PKINIT)" },
	{ 75, "KDC_ERR_CLIENT_NAME_MISMATCH", "Client name mismatch (PKINIT)" },
	{ 76, "KDC_ERR_KDC_NAME_MISMATCH", "KDC name mismatch (PKINIT)" },
	{ 77, "KDC_ERR_INCONSISTENT_KEY_PURPOSE", "Inconsistent key purpose (PKINIT)" },
	{ 78, "KDC_ERR_DIGEST_IN_CERT_NOT_ACCEPTED",
	  "Digest in certificate not accepted (PKINIT)" },
	{ 79, "KDC_ERR_PA_CHECKSUM_MUST_BE_INCLUDED", "paChecksum must be included (PKINIT)" },
	{ 80, "KDC_ERR_DIGEST_IN_SIGNED_DATA_NOT_ACCEPTED",
	  "Digest in signed data not accepted (PKINIT)" },
	{ 81, "KDC_ERR_PUBLIC_KEY_ENCRYPTION_NOT_SUPPORTED",
	  "Public key encryption not supported (PKINIT)" },
	{ 85, "KRB_AP_ERR_IAKERB_KDC_NOT_FOUND", "IAKERB proxy could not find a KDC" },
	{ 86, "KRB_AP_ERR_IAKERB_KDC_NO_RESPONSE", "IAKERB proxy never reached a KDC" },
	{ 90, "KDC_ERR_PREAUTH_EXPIRED", "Pre-authentication has expired (FAST)" },
	{ 91, "KDC_ERR_MORE_PREAUTH_DATA_REQUIRED",
	  "More pre-authentication data required (FAST)" },
	{ 92, "KDC_ERR_PREAUTH_BAD_AUTHENTICATION_SET", "Bad authentication set (FAST)" },
	{ 93, "KDC_ERR_UNKNOWN_CRITICAL_FAST_OPTIONS", "Unknown critical FAST options" },
	{ 100, "KDC_ERR_NO_ACCEPTABLE_KDF", "No acceptable KDF (PKINIT)" },
};

static const struct err_row *err_row(int32_t code)
{
	size_t i;

	for (i = 0; i < sizeof(errors) / sizeof(errors[0]); i++)
		if (errors[i].code == code)
			return &errors[i];
	return NULL;
}

const char *cap_krb_error_name(int32_t code)
{
	const struct err_row *r = err_row(code);

	return r != NULL ? r->name : NULL;
}

const char *cap_krb_error_text(int32_t code)
{
	const struct err_row *r = err_row(code);

	return r != NULL ? r->text : NULL;
}

static const struct cap_tok etypes[] = {
	{ 0, "null" },
	{ 1, "des-cbc-crc" },
	{ 2, "des-cbc-md4" },
	{ 3, "des-cbc-md5" },
	{ 5, "des3-cbc-md5" },
	{ 6, "des3-cbc-raw" },
	{ 7, "des3-cbc-sha1-old" },
	{ 8, "sign-dsa-generate" },
	{ 9, "dsa-sha1" },
	{ 10, "rsa-md5" },
	{ 11, "rsa-sha1" },
	{ 12, "rc2-cbc" },
	{ 13, "rsa" },
	{ 14, "rsaes-oaep" },
	{ 15, "des-ede3-cbc" },
	{ 16, "des3-cbc-sha1" },
	{ 17, "aes128-cts-hmac-sha1-96" },
	{ 18, "aes256-cts-hmac-sha1-96" },
	{ 19, "aes128-cts-hmac-sha256-128" },
	{ 20, "aes256-cts-hmac-sha384-192" },
	{ 23, "rc4-hmac" },
	{ 24, "rc4-hmac-exp" },
	{ 25, "camellia128-cts-cmac" },
	{ 26, "camellia256-cts-cmac" },
	{ 48, "pk-cross" },
	{ 65, "subkey-keymaterial" },
	/* Microsoft private (negative) types */
	{ -128, "rc4-md4" },
	{ -129, "rc4-plain2" },
	{ -130, "rc4-lm" },
	{ -131, "rc4-sha" },
	{ -132, "des-plain" },
	{ -133, "rc4-hmac-old" },
	{ -134, "rc4-plain-old" },
	{ -135, "rc4-hmac-old-exp" },
	{ -136, "rc4-plain-old-exp" },
	{ -140, "rc4-plain" },
	{ -141, "rc4-plain-exp" },
	/* Heimdal private types */
	{ -4096, "des-cbc-none" },
	{ -4097, "des3-cbc-none" },
	{ -4098, "des-cfb64-none" },
	{ -4099, "des-pcbc-none" },
	{ -4100, "digest-md5-none" },
	{ -4101, "cram-md5-none" },
	{ 0, NULL },
};

const char *cap_krb_etype_name(int32_t etype)
{
	return cap_tok_name(etypes, etype, NULL);
}

static const struct cap_tok name_types[] = {
	{ 0, "NT-UNKNOWN" },
	{ 1, "NT-PRINCIPAL" },
	{ 2, "NT-SRV-INST" },
	{ 3, "NT-SRV-HST" },
	{ 4, "NT-SRV-XHST" },
	{ 5, "NT-UID" },
	{ 6, "NT-X500-PRINCIPAL" },
	{ 7, "NT-SMTP-NAME" },
	{ 10, "NT-ENTERPRISE" },
	{ 11, "NT-WELLKNOWN" },
	{ 12, "NT-SRV-HST-DOMAIN" },
	{ -128, "NT-MS-PRINCIPAL" },
	{ -129, "NT-MS-PRINCIPAL-AND-ID" },
	{ -130, "NT-ENT-PRINCIPAL-AND-ID" },
	{ -1200, "NT-NTLM" },
	{ -1201, "NT-X509-GENERAL-NAME" },
	{ -1202, "NT-GSS-HOSTBASED-SERVICE" },
	{ -1203, "NT-CACHE-UUID" },
	{ -195894762, "NT-SRV-HST-NEEDS-CANON" },
	{ 0, NULL },
};

const char *cap_krb_name_type_name(int32_t nt)
{
	return cap_tok_name(name_types, nt, NULL);
}

static const struct cap_tok padata_types[] = {
	{ 0, "PA-NONE" },
	{ 1, "PA-TGS-REQ" },
	{ 2, "PA-ENC-TIMESTAMP" },
	{ 3, "PA-PW-SALT" },
	{ 5, "PA-ENC-UNIX-TIME" },
	{ 6, "PA-SANDIA-SECUREID" },
	{ 7, "PA-SESAME" },
	{ 8, "PA-OSF-DCE" },
	{ 9, "PA-CYBERSAFE-SECUREID" },
	{ 10, "PA-AFS3-SALT" },
	{ 11, "PA-ETYPE-INFO" },
	{ 12, "PA-SAM-CHALLENGE" },
	{ 13, "PA-SAM-RESPONSE" },
	{ 14, "PA-PK-AS-REQ-OLD" },
	{ 15, "PA-PK-AS-REP-OLD" },
	{ 16, "PA-PK-AS-REQ" },
	{ 17, "PA-PK-AS-REP" },
	{ 18, "PA-PK-OCSP-RESPONSE" },
	{ 19, "PA-ETYPE-INFO2" },
	{ 20, "PA-USE-SPECIFIED-KVNO" },
	{ 21, "PA-SAM-REDIRECT" },
	{ 22, "PA-GET-FROM-TYPED-DATA" },
	{ 23, "PA-SAM-ETYPE-INFO" },
	{ 24, "PA-ALT-PRINC" },
	{ 25, "PA-SERVER-REFERRAL" },
	{ 30, "PA-SAM-CHALLENGE2" },
	{ 31, "PA-SAM-RESPONSE2" },
	{ 41, "PA-EXTRA-TGT" },
	{ 101, "TD-PKINIT-CMS-CERTIFICATES" },
	{ 102, "TD-KRB-PRINCIPAL" },
	{ 103, "TD-KRB-REALM" },
	{ 104, "TD-TRUSTED-CERTIFIERS" },
	{ 105, "TD-CERTIFICATE-INDEX" },
	{ 106, "TD-APP-DEFINED-ERROR" },
	{ 107, "TD-REQ-NONCE" },
	{ 108, "TD-REQ-SEQ" },
	{ 109, "TD-DH-PARAMETERS" },
	{ 111, "TD-CMS-DIGEST-ALGORITHMS" },
	{ 112, "TD-CERT-DIGEST-ALGORITHMS" },
	{ 128, "PA-PAC-REQUEST" },
	{ 129, "PA-FOR-USER" },
	{ 130, "PA-FOR-X509-USER" },
	{ 131, "PA-FOR-CHECK-DUPS" },
	{ 132, "PA-AS-CHECKSUM" },
	{ 133, "PA-FX-COOKIE" },
	{ 134, "PA-AUTHENTICATION-SET" },
	{ 135, "PA-AUTH-SET-SELECTED" },
	{ 136, "PA-FX-FAST" },
	{ 137, "PA-FX-ERROR" },
	{ 138, "PA-ENCRYPTED-CHALLENGE" },
	{ 141, "PA-OTP-CHALLENGE" },
	{ 142, "PA-OTP-REQUEST" },
	{ 143, "PA-OTP-CONFIRM" },
	{ 144, "PA-OTP-PIN-CHANGE" },
	{ 145, "PA-EPAK-AS-REQ" },
	{ 146, "PA-EPAK-AS-REP" },
	{ 147, "PA-PKINIT-KX" },
	{ 148, "PA-PKU2U-NAME" },
	{ 149, "PA-REQ-ENC-PA-REP" },
	{ 150, "PA-AS-FRESHNESS" },
	{ 151, "PA-SPAKE" },
	{ 152, "PA-REDHAT-IDP-OAUTH2" },
	{ 153, "PA-REDHAT-PASSKEY" },
	{ 161, "PA-KERB-KEY-LIST-REQ" },
	{ 162, "PA-KERB-KEY-LIST-REP" },
	{ 165, "PA-SUPPORTED-ETYPES" },
	{ 166, "PA-EXTENDED-ERROR" },
	{ 167, "PA-PAC-OPTIONS" },
	{ -1, "PA-PROV-SRV-LOCATION" },
	{ 0, NULL },
};

const char *cap_krb_padata_name(int32_t type)
{
	return cap_tok_name(padata_types, type, NULL);
}

/* KDCOptions, RFC 4120 §5.4.1; bit 14 from MS-SFU, 16 from RFC 6112. */
static const char *const kdc_options[32] = {
	"reserved", "forwardable", "forwarded", "proxiable",
	"proxy", "allow-postdate", "postdated", "unused7",
	"renewable", "unused9", "unused10", "opt-hardware-auth",
	"unused12", "unused13", "cname-in-addl-tkt", "canonicalize",
	"request-anonymous", "unused17", "unused18", "unused19",
	"unused20", "unused21", "unused22", "unused23",
	"unused24", "unused25", "disable-transited-check", "renewable-ok",
	"enc-tkt-in-skey", "unused29", "renew", "validate",
};

const char *cap_krb_kdc_option_name(unsigned bit)
{
	return bit < 32 ? kdc_options[bit] : NULL;
}

const char *cap_krb_ap_option_name(unsigned bit)
{
	static const char *const ap[3] = { "reserved", "use-session-key",
					   "mutual-required" };

	return bit < 3 ? ap[bit] : NULL;
}

const char *cap_krb_pac_option_name(unsigned bit)
{
	static const char *const pac[4] = {
		"claims", "branch-aware", "forward-to-full-dc",
		"resource-based-constrained-delegation"
	};

	return bit < 4 ? pac[bit] : NULL;
}

static const struct cap_tok krb_anomaly_names[] = {
	{ CAP_KRB_ANOM_MSG_TYPE_MISMATCH, "krb_msg_type_mismatch" },
	{ CAP_KRB_ANOM_BAD_PVNO, "krb_bad_pvno" },
	{ CAP_KRB_ANOM_NOT_GENERAL_STRING, "krb_not_general_string" },
	{ CAP_KRB_ANOM_TOO_MANY_COMPONENTS, "krb_too_many_components" },
	{ CAP_KRB_ANOM_TOO_MANY_ETYPES, "krb_too_many_etypes" },
	{ CAP_KRB_ANOM_TOO_MANY_PADATA, "krb_too_many_padata" },
	{ CAP_KRB_ANOM_TOO_MANY_TICKETS, "krb_too_many_tickets" },
	{ CAP_KRB_ANOM_TOO_MANY_ETYPE_INFO, "krb_too_many_etype_info" },
	{ CAP_KRB_ANOM_TRAILING_DATA, "krb_trailing_data" },
	{ CAP_KRB_ANOM_UNKNOWN_FIELD, "krb_unknown_field" },
	{ CAP_KRB_ANOM_PADATA_UNDECODED, "krb_padata_undecoded" },
	{ CAP_KRB_ANOM_EDATA_UNDECODED, "krb_edata_undecoded" },
	{ CAP_KRB_ANOM_EMPTY_NAME, "krb_empty_name" },
	{ CAP_KRB_ANOM_NONMINIMAL_DER, "krb_nonminimal_der" },
	{ CAP_KRB_ANOM_TOO_MANY_ADDRESSES, "krb_too_many_addresses" },
	{ 0, NULL },
};

const char *cap_krb_anomaly_name(unsigned bit)
{
	return cap_tok_name(krb_anomaly_names, bit, NULL);
}

/* MS-KILE §2.2.1 KERB-ERROR-DATA data-type. */
static const struct cap_tok err_data_type_names[] = {
	{ CAP_KERB_AP_ERR_TYPE_SKEW_RECOVERY, "KERB_AP_ERR_TYPE_SKEW_RECOVERY" },
	{ CAP_KERB_ERR_TYPE_EXTENDED, "KERB_ERR_TYPE_EXTENDED" },
	{ 0, NULL },
};

const char *cap_krb_kerb_err_data_type_name(int64_t t)
{
	return cap_tok_name(err_data_type_names, t, NULL);
}

/* NTSTATUS (MS-ERREF 2.3.1) seen in KERB-EXT-ERROR from Windows KDCs. */
static const struct cap_tok ntstatus[] = {
	{ 0x00000000u, "STATUS_SUCCESS" },
	{ 0xC0000022u, "STATUS_ACCESS_DENIED" },
	{ 0xC000005Eu, "STATUS_NO_LOGON_SERVERS" },
	{ 0xC0000064u, "STATUS_NO_SUCH_USER" },
	{ 0xC000006Au, "STATUS_WRONG_PASSWORD" },
	{ 0xC000006Du, "STATUS_LOGON_FAILURE" },
	{ 0xC000006Eu, "STATUS_ACCOUNT_RESTRICTION" },
	{ 0xC000006Fu, "STATUS_INVALID_LOGON_HOURS" },
	{ 0xC0000070u, "STATUS_INVALID_WORKSTATION" },
	{ 0xC0000071u, "STATUS_PASSWORD_EXPIRED" },
	{ 0xC0000072u, "STATUS_ACCOUNT_DISABLED" },
	{ 0xC000009Au, "STATUS_INSUFFICIENT_RESOURCES" },
	{ 0xC00000BBu, "STATUS_NOT_SUPPORTED" },
	{ 0xC00000DFu, "STATUS_NO_SUCH_DOMAIN" },
	{ 0xC0000133u, "STATUS_TIME_DIFFERENCE_AT_DC" },
	{ 0xC000015Bu, "STATUS_LOGON_TYPE_NOT_GRANTED" },
	{ 0xC000018Bu, "STATUS_NO_TRUST_SAM_ACCOUNT" },
	{ 0xC0000192u, "STATUS_NETLOGON_NOT_STARTED" },
	{ 0xC0000193u, "STATUS_ACCOUNT_EXPIRED" },
	{ 0xC0000198u, "STATUS_NOLOGON_INTERDOMAIN_TRUST_ACCOUNT" },
	{ 0xC0000199u, "STATUS_NOLOGON_WORKSTATION_TRUST_ACCOUNT" },
	{ 0xC000019Au, "STATUS_NOLOGON_SERVER_TRUST_ACCOUNT" },
	{ 0xC0000224u, "STATUS_PASSWORD_MUST_CHANGE" },
	{ 0xC0000225u, "STATUS_NOT_FOUND" },
	{ 0xC0000234u, "STATUS_ACCOUNT_LOCKED_OUT" },
	{ 0xC0000272u, "STATUS_NO_MATCH" },
	{ 0xC000035Bu, "STATUS_BAD_BINDINGS" },
	{ 0xC0000388u, "STATUS_DOWNGRADE_DETECTED" },
	{ 0xC0000413u, "STATUS_AUTHENTICATION_FIREWALL_FAILED" },
	{ 0, NULL },
};

const char *cap_krb_ntstatus_name(uint32_t status)
{
	return cap_tok_name(ntstatus, status, NULL);
}
