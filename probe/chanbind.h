/* chanbind.h - the TLS channel binding negprobe hands to GSS-API, as browsers do for
 * Extended Protection for Authentication.
 *
 * tls-server-end-point (RFC 5929 §4.1): the hash of the server certificate, with the
 * hash of the certificate's signature algorithm (SHA-256 when that is MD5 or SHA-1).
 * GSS-API carries it as the application data of the channel bindings (RFC 5056,
 * RFC 2744 §3.11): "tls-server-end-point:" followed by the hash bytes.  The certificate
 * comes from libcurl (CURLINFO_CERTINFO); libcrypto parses and hashes it.
 */
#ifndef PROBE_CHANBIND_H
#define PROBE_CHANBIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROBE_CHANBIND_PREFIX "tls-server-end-point:"
#define PROBE_CHANBIND_MAX (sizeof(PROBE_CHANBIND_PREFIX) - 1 + 64) /* SHA-512 at most */

struct probe_chanbind {
	uint8_t data[PROBE_CHANBIND_MAX]; /* the application data, prefix included */
	size_t len;                       /* 0: no binding (not TLS, or no certificate) */
	char hash[16];                    /* the binding's hash: "sha256", "sha384", ... */
	char fingerprint[100];            /* SHA-256 of the certificate, "AB:CD:..." */
	char subject[128];                /* the certificate's subject, for the report */
};

/* The binding of one DER certificate.  0, or -1 (not a certificate, no digest). */
int probe_chanbind_from_der(const uint8_t *der, size_t len, struct probe_chanbind *out);
/* The binding of the first certificate of a PEM text (libcurl's "Cert:" field). */
int probe_chanbind_from_pem(const char *pem, struct probe_chanbind *out);
/* The binding of the server certificate of the last transfer of `easy` (a CURL *, with
 * CURLOPT_CERTINFO set).  0, or -1 when the transfer showed none (not TLS, or a
 * connection reused without a new handshake). */
int probe_chanbind_from_curl(void *easy, struct probe_chanbind *out);

struct probe_gss;
struct probe_result;

/* Gives context g the binding cb when `send` and cb holds one (an HTTPS target), and
 * notes in r whether it went out and over which certificate. */
void probe_chanbind_attach(struct probe_gss *g, const struct probe_chanbind *cb, bool send,
			   struct probe_result *r);

/* One line for the reports: whether a binding went out and over which certificate
 * ("" when the target is not HTTPS).  The certificate's SHA-256 fingerprint and subject
 * are public; the binding itself is not printed. */
void probe_chanbind_describe(const struct probe_result *r, char *buf, size_t len);

#endif /* PROBE_CHANBIND_H */
