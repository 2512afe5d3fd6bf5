/* chanbind.c - tls-server-end-point channel bindings from the server certificate.
 * References: RFC 5929 §4.1 (tls-server-end-point), RFC 5056 (channel bindings),
 * RFC 2744 §3.11 (gss_channel_bindings_struct), libcurl CURLINFO_CERTINFO(3).
 */
#include "chanbind.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "gss.h"
#include "probe.h"

/* RFC 5929 §4.1: the certificate's signature hash, but SHA-256 for MD5 and SHA-1.  A
 * signature without a separate hash (Ed25519) leaves the binding undefined in the RFC;
 * Windows and Chrome use SHA-256 there too, and so do we. */
static const EVP_MD *binding_md(const X509 *cert)
{
	int md_nid = NID_undef;
	const EVP_MD *md = NULL;

	if (OBJ_find_sigid_algs(X509_get_signature_nid(cert), &md_nid, NULL) == 1 &&
	    md_nid != NID_undef && md_nid != NID_md5 && md_nid != NID_sha1)
		md = EVP_get_digestbynid(md_nid);
	return md != NULL ? md : EVP_sha256();
}

static int from_x509(const X509 *cert, struct probe_chanbind *out)
{
	const size_t plen = sizeof(PROBE_CHANBIND_PREFIX) - 1;
	unsigned char h[EVP_MAX_MD_SIZE], fp[EVP_MAX_MD_SIZE];
	unsigned int hlen = 0, fplen = 0;
	const EVP_MD *md = binding_md(cert);
	size_t o = 0;

	memset(out, 0, sizeof(*out));
	if (X509_digest(cert, md, h, &hlen) != 1 || plen + hlen > sizeof(out->data) ||
	    X509_digest(cert, EVP_sha256(), fp, &fplen) != 1)
		return -1;
	memcpy(out->data, PROBE_CHANBIND_PREFIX, plen);
	memcpy(out->data + plen, h, hlen);
	out->len = plen + hlen;
	snprintf(out->hash, sizeof(out->hash), "%s", OBJ_nid2sn(EVP_MD_get_type(md)));
	for (char *p = out->hash; *p != '\0'; p++)
		*p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
	for (unsigned int i = 0; i < fplen && o + 4 <= sizeof(out->fingerprint); i++)
		o += (size_t)snprintf(out->fingerprint + o, sizeof(out->fingerprint) - o,
				      i > 0 ? ":%02X" : "%02X", fp[i]);
	X509_NAME_oneline(X509_get_subject_name(cert), out->subject, (int)sizeof(out->subject));
	return 0;
}

int probe_chanbind_from_der(const uint8_t *der, size_t len, struct probe_chanbind *out)
{
	const unsigned char *p = der;
	X509 *cert;
	int rc;

	memset(out, 0, sizeof(*out));
	if (len > 1024 * 1024)
		return -1;
	cert = d2i_X509(NULL, &p, (long)len);
	if (cert == NULL)
		return -1;
	rc = from_x509(cert, out);
	X509_free(cert);
	return rc;
}

int probe_chanbind_from_pem(const char *pem, struct probe_chanbind *out)
{
	BIO *b = BIO_new_mem_buf(pem, -1);
	X509 *cert = b != NULL ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
	int rc = cert != NULL ? from_x509(cert, out) : -1;

	if (cert == NULL)
		memset(out, 0, sizeof(*out));
	X509_free(cert);
	BIO_free(b);
	return rc;
}

int probe_chanbind_from_curl(void *easy, struct probe_chanbind *out)
{
	struct curl_certinfo *ci = NULL;

	memset(out, 0, sizeof(*out));
	/* certinfo[0] is the server's own certificate, the one the binding is over */
	if (curl_easy_getinfo((CURL *)easy, CURLINFO_CERTINFO, &ci) != CURLE_OK || ci == NULL ||
	    ci->num_of_certs < 1)
		return -1;
	for (const struct curl_slist *s = ci->certinfo[0]; s != NULL; s = s->next)
		if (strncmp(s->data, "Cert:", 5) == 0)
			return probe_chanbind_from_pem(s->data + 5, out);
	return -1;
}

void probe_chanbind_attach(struct probe_gss *g, const struct probe_chanbind *cb, bool send,
			   struct probe_result *r)
{
	if (cb->len == 0)
		return;
	/* the certificate is named even when withheld: it is the one a browser binds to */
	snprintf(r->chanbind.hash, sizeof(r->chanbind.hash), "%s", cb->hash);
	snprintf(r->chanbind.fingerprint, sizeof(r->chanbind.fingerprint), "%s", cb->fingerprint);
	snprintf(r->chanbind.subject, sizeof(r->chanbind.subject), "%s", cb->subject);
	if (send && probe_gss_set_channel_binding(g, cb->data, cb->len) == 0)
		r->chanbind.sent = true;
}

void probe_chanbind_describe(const struct probe_result *r, char *buf, size_t len)
{
	const char *what;

	if (len == 0)
		return;
	buf[0] = '\0';
	if (!r->chanbind.https)
		return;
	if (r->chanbind.fingerprint[0] == '\0') {
		snprintf(buf, len, "%s", r->chanbind.withheld ?
			 "none (--no-channel-binding)" :
			 "none (no handshake needed one, or no server certificate was seen)");
		return;
	}
	what = r->chanbind.sent ? "sent" : r->chanbind.withheld ?
	       "not sent (--no-channel-binding)" : "not sent";
	snprintf(buf, len, "%s, tls-server-end-point %s of the certificate %.127s (SHA-256 %s)",
		 what, r->chanbind.hash, r->chanbind.subject, r->chanbind.fingerprint);
}
