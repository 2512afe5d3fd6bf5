/* tls_error.h - names a TLS failure precisely from libcurl's error code, the
 * OpenSSL verify result (CURLINFO_SSL_VERIFYRESULT) and curl's error text.
 * Pure: no I/O, so it is unit tested with the exact messages curl produces.
 */
#ifndef PROBE_TLS_ERROR_H
#define PROBE_TLS_ERROR_H

#include <stddef.h>

enum probe_tls_kind {
	PROBE_TLS_NONE = 0,        /* not a TLS failure */
	PROBE_TLS_UNTRUSTED_ISSUER, /* chain does not lead to a trusted CA */
	PROBE_TLS_SELF_SIGNED,     /* the server certificate signs itself */
	PROBE_TLS_NAME_MISMATCH,   /* no SAN/CN matches the URL host */
	PROBE_TLS_EXPIRED,
	PROBE_TLS_NOT_YET_VALID,
	PROBE_TLS_REVOKED,
	PROBE_TLS_PROTOCOL_REFUSED, /* no common TLS version */
	PROBE_TLS_CIPHER_REFUSED,  /* no common cipher suite */
	PROBE_TLS_NOT_TLS,         /* the port does not speak TLS (plain HTTP?) */
	PROBE_TLS_CA_FILE,         /* --cacert could not be read */
	PROBE_TLS_OTHER            /* another handshake or verification failure */
};

/* Returns the kind for a failed transfer.  `curl_code` is the CURLcode,
 * `verify_result` the X509_V_* value (0 when unknown), `msg` curl's error
 * buffer (may be NULL). */
enum probe_tls_kind probe_tls_classify(int curl_code, long verify_result, const char *msg);

/* Stable short name ("untrusted-issuer", "name-mismatch", ...). */
const char *probe_tls_kind_name(enum probe_tls_kind k);
/* One sentence a person can act on. */
const char *probe_tls_kind_advice(enum probe_tls_kind k);

#endif /* PROBE_TLS_ERROR_H */
