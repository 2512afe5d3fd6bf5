/* tls_error.c - TLS failure naming from libcurl (OpenSSL backend) results.
 * References: libcurl-errors(3), OpenSSL X509_verify_cert_error_string(3)
 * (X509_V_ERR_* numbering), RFC 6125 §6.4.3 (a wildcard matches one label).
 */
#include "tls_error.h"

#include <string.h>

#include <curl/curl.h>

/* OpenSSL's X509_V_ERR_* values (stable across 1.1 and 3.x). */
enum {
	V_UNABLE_TO_GET_ISSUER_CERT = 2,
	V_CERT_NOT_YET_VALID = 9,
	V_CERT_HAS_EXPIRED = 10,
	V_DEPTH_ZERO_SELF_SIGNED = 18,
	V_SELF_SIGNED_IN_CHAIN = 19,
	V_UNABLE_TO_GET_ISSUER_LOCALLY = 20,
	V_UNABLE_TO_VERIFY_LEAF = 21,
	V_CERT_REVOKED = 23,
	V_INVALID_CA = 24,
	V_HOSTNAME_MISMATCH = 62
};

static int has(const char *msg, const char *needle)
{
	return msg != NULL && strcasestr(msg, needle) != NULL;
}

static enum probe_tls_kind from_verify(long v)
{
	switch (v) {
	case V_UNABLE_TO_GET_ISSUER_CERT:
	case V_UNABLE_TO_GET_ISSUER_LOCALLY:
	case V_UNABLE_TO_VERIFY_LEAF:
	case V_SELF_SIGNED_IN_CHAIN:
	case V_INVALID_CA:
		return PROBE_TLS_UNTRUSTED_ISSUER;
	case V_DEPTH_ZERO_SELF_SIGNED: return PROBE_TLS_SELF_SIGNED;
	case V_CERT_NOT_YET_VALID: return PROBE_TLS_NOT_YET_VALID;
	case V_CERT_HAS_EXPIRED: return PROBE_TLS_EXPIRED;
	case V_CERT_REVOKED: return PROBE_TLS_REVOKED;
	case V_HOSTNAME_MISMATCH: return PROBE_TLS_NAME_MISMATCH;
	default: break;
	}
	return PROBE_TLS_NONE;
}

/* The wording curl and OpenSSL use, for when the verify result is missing. */
static enum probe_tls_kind from_message(const char *msg)
{
	if (has(msg, "subject name") && (has(msg, "does not match") || has(msg, "matches target")))
		return PROBE_TLS_NAME_MISMATCH;
	if (has(msg, "hostname mismatch"))
		return PROBE_TLS_NAME_MISMATCH;
	if (has(msg, "certificate has expired"))
		return PROBE_TLS_EXPIRED;
	if (has(msg, "certificate is not yet valid"))
		return PROBE_TLS_NOT_YET_VALID;
	if (has(msg, "certificate revoked"))
		return PROBE_TLS_REVOKED;
	if (has(msg, "self-signed certificate in certificate chain") ||
	    has(msg, "self signed certificate in certificate chain"))
		return PROBE_TLS_UNTRUSTED_ISSUER;
	if (has(msg, "self-signed certificate") || has(msg, "self signed certificate"))
		return PROBE_TLS_SELF_SIGNED;
	if (has(msg, "unable to get local issuer") || has(msg, "unable to get issuer") ||
	    has(msg, "unable to verify the first certificate") || has(msg, "invalid CA"))
		return PROBE_TLS_UNTRUSTED_ISSUER;
	if (has(msg, "protocol version") || has(msg, "unsupported protocol") ||
	    has(msg, "no protocols available") || has(msg, "version too low") ||
	    has(msg, "version too high"))
		return PROBE_TLS_PROTOCOL_REFUSED;
	if (has(msg, "no shared cipher") || has(msg, "no cipher match") ||
	    has(msg, "handshake failure") || has(msg, "insufficient security") ||
	    has(msg, "cipher list"))
		return PROBE_TLS_CIPHER_REFUSED;
	if (has(msg, "wrong version number") || has(msg, "packet length too long") ||
	    has(msg, "http request"))
		return PROBE_TLS_NOT_TLS;
	return PROBE_TLS_NONE;
}

enum probe_tls_kind probe_tls_classify(int curl_code, long verify_result, const char *msg)
{
	enum probe_tls_kind k;

	switch (curl_code) {
	case CURLE_SSL_CACERT_BADFILE:
		return PROBE_TLS_CA_FILE;
	case CURLE_SSL_CIPHER:
		return PROBE_TLS_CIPHER_REFUSED;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
		/* curl checks the host name itself, after OpenSSL accepted the chain,
		 * so the message is the reliable source for a mismatch. */
		k = from_message(msg);
		if (k == PROBE_TLS_NAME_MISMATCH)
			return k;
		if (from_verify(verify_result) != PROBE_TLS_NONE)
			return from_verify(verify_result);
		return k != PROBE_TLS_NONE ? k : PROBE_TLS_OTHER;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_ENGINE_INITFAILED:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_USE_SSL_FAILED:
		k = from_message(msg);
		if (k == PROBE_TLS_NONE)
			k = from_verify(verify_result);
		return k != PROBE_TLS_NONE ? k : PROBE_TLS_OTHER;
	default:
		break;
	}
	return PROBE_TLS_NONE;
}

const char *probe_tls_kind_name(enum probe_tls_kind k)
{
	switch (k) {
	case PROBE_TLS_NONE: return "none";
	case PROBE_TLS_UNTRUSTED_ISSUER: return "untrusted-issuer";
	case PROBE_TLS_SELF_SIGNED: return "self-signed";
	case PROBE_TLS_NAME_MISMATCH: return "name-mismatch";
	case PROBE_TLS_EXPIRED: return "expired";
	case PROBE_TLS_NOT_YET_VALID: return "not-yet-valid";
	case PROBE_TLS_REVOKED: return "revoked";
	case PROBE_TLS_PROTOCOL_REFUSED: return "protocol-refused";
	case PROBE_TLS_CIPHER_REFUSED: return "cipher-refused";
	case PROBE_TLS_NOT_TLS: return "not-tls";
	case PROBE_TLS_CA_FILE: return "ca-file-unreadable";
	case PROBE_TLS_OTHER: return "handshake-failed";
	}
	return "?";
}

const char *probe_tls_kind_advice(enum probe_tls_kind k)
{
	switch (k) {
	case PROBE_TLS_UNTRUSTED_ISSUER:
		return "The certificate chain does not lead to a CA this client trusts: install the "
		       "intermediate certificates on the server (IIS: the full chain in the machine "
		       "store) or give negprobe the issuing CA with --cacert.";
	case PROBE_TLS_SELF_SIGNED:
		return "The server presents a self-signed certificate: replace it with one issued by "
		       "the enterprise CA, or trust it explicitly with --cacert.";
	case PROBE_TLS_NAME_MISMATCH:
		return "No name in the certificate matches the host in the URL: add the host to the "
		       "Subject Alternative Names (a wildcard *.example.com covers one label only, not "
		       "a.b.example.com nor example.com) or browse by a name the certificate has.";
	case PROBE_TLS_EXPIRED:
		return "The server certificate has expired: renew it and bind the new one to the "
		       "site (IIS: Bindings > https > SSL certificate).";
	case PROBE_TLS_NOT_YET_VALID:
		return "The certificate is not valid yet: check the server's and the client's clocks "
		       "(Kerberos needs them within 5 minutes too).";
	case PROBE_TLS_REVOKED:
		return "The issuer revoked this certificate: install a new one.";
	case PROBE_TLS_PROTOCOL_REFUSED:
		return "Client and server share no TLS version: enable TLS 1.2 (and 1.3) on the "
		       "server (SCHANNEL protocol settings) rather than lowering the client.";
	case PROBE_TLS_CIPHER_REFUSED:
		return "Client and server share no cipher suite: enable current ECDHE/AES-GCM suites "
		       "on the server (SCHANNEL cipher suite order).";
	case PROBE_TLS_NOT_TLS:
		return "The port does not answer TLS: check the URL scheme and port (https on an http "
		       "port?) and the site bindings.";
	case PROBE_TLS_CA_FILE:
		return "The file given with --cacert could not be read as PEM certificates.";
	case PROBE_TLS_OTHER:
		return "The TLS handshake failed; curl's message above names the step.";
	case PROBE_TLS_NONE:
		break;
	}
	return "";
}
