/* tls_certs.c - what the servers' certificates say, read once per distinct certificate.
 *
 * Every full TLS handshake carries the server's chain again (RFC 5246 section 7.4.2,
 * RFC 8446 section 4.4.2), and a capture shows a few certificates over many connections:
 * a site, its CDN, a proxy.  libcrypto's parse (d2i_X509, which decodes the public key
 * through its provider decoders) costs far more than the rest of a handshake, so the last
 * CAP_PL_CERTS certificates read are kept with what they say, least recently used out.
 */
#include "pipeline/pipeline_int.h"

#include <stdlib.h>
#include <string.h>

int cap_pl_cert_info(struct cap_pipeline *pl, struct cap_span der, struct cap_tls_cert *out)
{
	struct cap_pl_cert *slot = &pl->certs[0];
	uint8_t *copy;

	pl->cert_clock++;
	for (size_t i = 0; i < CAP_PL_CERTS; i++) {
		struct cap_pl_cert *e = &pl->certs[i];

		if (e->der != NULL && e->len == der.len && memcmp(e->der, der.p, der.len) == 0) {
			e->used = pl->cert_clock;
			*out = e->info;
			return 0;
		}
		if (e->used < slot->used)
			slot = e; /* an empty slot has used 0: taken first */
	}
	if (cap_tls_cert_info(der, out) != 0)
		return -1;
	/* cap_tls_cert_info read it, so it is at most CAP_TLS_CERT_MAX bytes. */
	copy = realloc(slot->der, der.len);
	if (copy == NULL)
		return 0; /* told, not kept */
	memcpy(copy, der.p, der.len);
	slot->der = copy;
	slot->len = der.len;
	slot->used = pl->cert_clock;
	slot->info = *out;
	return 0;
}

void cap_pl_certs_free(struct cap_pipeline *pl)
{
	for (size_t i = 0; i < CAP_PL_CERTS; i++) {
		free(pl->certs[i].der);
		memset(&pl->certs[i], 0, sizeof(pl->certs[i]));
	}
}
