/* tls_crypto.c - TLS record protection removed with libcrypto's primitives.
 *
 * References: RFC 5246 sections 5 (PRF), 6.2.3 (record protection), 6.3 (key block);
 * RFC 5288 section 3 (AES-GCM nonce and AAD); RFC 7905 section 2 (ChaCha20-Poly1305
 * nonce); RFC 7366 section 3 (encrypt-then-MAC); RFC 8446 sections 5.2 (TLSInnerPlaintext),
 * 5.3 (per-record nonce), 7.1 (HKDF-Expand-Label), 7.2 (KeyUpdate), 7.3 (traffic keys).
 * The PRF is EVP_KDF "TLS1-PRF", HKDF-Expand is EVP_KDF "HKDF", ciphers are EVP, MACs are
 * EVP_MAC "HMAC": no primitive is written here.
 */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "negscope/tls.h"

/* Fetched once: a fetch takes libcrypto's global locks, which cost more than a derivation.
 * Kept for the life of the process (the program is single-threaded). */
static EVP_KDF *kdf_of(const char *name)
{
	static EVP_KDF *prf, *hkdf;
	EVP_KDF **slot = strcmp(name, "HKDF") == 0 ? &hkdf : &prf;

	if (*slot == NULL)
		*slot = EVP_KDF_fetch(NULL, name, NULL);
	return *slot;
}

static int kdf_derive(const char *kdf, OSSL_PARAM *params, uint8_t *out, size_t n)
{
	EVP_KDF *k = kdf_of(kdf);
	EVP_KDF_CTX *ctx = k != NULL ? EVP_KDF_CTX_new(k) : NULL;
	int ok = ctx != NULL && EVP_KDF_derive(ctx, out, n, params) == 1;

	EVP_KDF_CTX_free(ctx);
	return ok ? 0 : -1;
}

/* RFC 8446 7.1: HKDF-Expand-Label(secret, label, "", n). */
static int expand_label(const char *md, const uint8_t *secret, size_t slen, const char *label,
			uint8_t *out, size_t n)
{
	uint8_t info[2 + 1 + 255 + 1];
	size_t ll = strlen(label), k = 0;
	int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
	OSSL_PARAM p[5];

	info[k++] = (uint8_t)(n >> 8);
	info[k++] = (uint8_t)n;
	info[k++] = (uint8_t)(6 + ll);
	memcpy(info + k, "tls13 ", 6);
	k += 6;
	memcpy(info + k, label, ll);
	k += ll;
	info[k++] = 0; /* empty context */
	p[0] = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
	p[1] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)md, 0);
	p[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)secret, slen);
	p[3] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info, k);
	p[4] = OSSL_PARAM_construct_end();
	return kdf_derive("HKDF", p, out, n);
}

static const EVP_CIPHER *cipher_of(const struct cap_tls_suite *s)
{
	static const char *names[8];
	static EVP_CIPHER *fetched[8];
	size_t i;

	for (i = 0; i < 8 && names[i] != NULL; i++)
		if (names[i] == s->cipher)
			return fetched[i];
	if (i == 8)
		return EVP_get_cipherbyname(s->cipher);
	fetched[i] = EVP_CIPHER_fetch(NULL, s->cipher, NULL);
	if (fetched[i] != NULL)
		names[i] = s->cipher;
	return fetched[i];
}

/* The context keyed once; each record then sets only its nonce. */
static int cipher_setup(struct cap_tls_cipher *c, const struct cap_tls_suite *s,
			uint16_t version)
{
	const EVP_CIPHER *ci = cipher_of(s);
	EVP_CIPHER_CTX *ctx;

	c->suite = s;
	c->version = version;
	c->seq = 0;
	if (ci == NULL)
		return -1;
	if (c->ctx == NULL)
		c->ctx = EVP_CIPHER_CTX_new();
	ctx = c->ctx;
	if (ctx == NULL || EVP_DecryptInit_ex(ctx, ci, NULL, c->key, NULL) != 1)
		return -1;
	if (s->kind == CAP_TLS_CBC)
		EVP_CIPHER_CTX_set_padding(ctx, 0);
	return 0;
}

int cap_tls12_keys(const struct cap_tls_suite *s, const uint8_t *master, size_t mlen,
		   const uint8_t cr[32], const uint8_t sr[32], bool etm,
		   struct cap_tls_cipher *client, struct cap_tls_cipher *server)
{
	static const char label[] = "key expansion";
	uint8_t seed[sizeof(label) - 1 + 64], block[2 * (48 + 32 + 12)];
	size_t mac = s->kind == CAP_TLS_CBC ? s->mac_len : 0, key = s->key_len, k = 0;
	size_t iv = s->kind == CAP_TLS_GCM ? 4 : s->kind == CAP_TLS_CHACHA ? 12 : 0;
	size_t need = 2 * (mac + key + iv);
	OSSL_PARAM p[4];
	int rc;

	if (s->tls13)
		return -1;
	memcpy(seed, label, sizeof(label) - 1);
	memcpy(seed + sizeof(label) - 1, sr, 32);
	memcpy(seed + sizeof(label) - 1 + 32, cr, 32);
	p[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)s->prf_md, 0);
	p[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET, (void *)master, mlen);
	p[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, seed, sizeof(seed));
	p[3] = OSSL_PARAM_construct_end();
	if (kdf_derive("TLS1-PRF", p, block, need) != 0)
		return -1;
	memcpy(client->mac_key, block + k, mac);
	k += mac;
	memcpy(server->mac_key, block + k, mac);
	k += mac;
	memcpy(client->key, block + k, key);
	k += key;
	memcpy(server->key, block + k, key);
	k += key;
	memcpy(client->iv, block + k, iv);
	k += iv;
	memcpy(server->iv, block + k, iv);
	OPENSSL_cleanse(block, sizeof(block));
	client->etm = server->etm = etm && s->kind == CAP_TLS_CBC;
	rc = cipher_setup(client, s, 0x0303);
	if (rc == 0)
		rc = cipher_setup(server, s, 0x0303);
	return rc;
}

int cap_tls13_keys(const struct cap_tls_suite *s, const uint8_t *secret, size_t len,
		   struct cap_tls_cipher *out)
{
	if (!s->tls13 || len > sizeof(out->secret))
		return -1;
	if (out->secret != secret) {
		memcpy(out->secret, secret, len);
		out->secret_len = (uint8_t)len;
	}
	if (expand_label(s->prf_md, secret, len, "key", out->key, s->key_len) != 0 ||
	    expand_label(s->prf_md, secret, len, "iv", out->iv, 12) != 0)
		return -1;
	return cipher_setup(out, s, 0x0304);
}

int cap_tls13_update(struct cap_tls_cipher *c)
{
	uint8_t next[64];
	int rc;

	if (c->suite == NULL || !c->suite->tls13 || c->secret_len == 0)
		return -1;
	if (expand_label(c->suite->prf_md, c->secret, c->secret_len, "traffic upd", next,
			 c->secret_len) != 0)
		return -1;
	memcpy(c->secret, next, c->secret_len);
	OPENSSL_cleanse(next, sizeof(next));
	rc = cap_tls13_keys(c->suite, c->secret, c->secret_len, c);
	return rc;
}

static void put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

/* seq(8) || type || version || length: the additional data of RFC 5246 6.2.3.3 and
 * the MAC header of 6.2.3.1. */
static void pseudo_header(uint8_t h[13], uint64_t seq, uint8_t type, uint16_t ver, size_t len)
{
	put_be64(h, seq);
	h[8] = type;
	h[9] = (uint8_t)(ver >> 8);
	h[10] = (uint8_t)ver;
	h[11] = (uint8_t)(len >> 8);
	h[12] = (uint8_t)len;
}

static enum cap_status aead_open(struct cap_tls_cipher *c, const uint8_t *nonce,
				 const uint8_t *aad, size_t aadlen, struct cap_span ct,
				 const uint8_t *tag, uint8_t *out)
{
	EVP_CIPHER_CTX *ctx = c->ctx;
	int l = 0, l2 = 0;

	if (EVP_DecryptInit_ex(ctx, NULL, NULL, NULL, nonce) != 1 ||
	    EVP_DecryptUpdate(ctx, NULL, &l, aad, (int)aadlen) != 1 ||
	    (ct.len > 0 && EVP_DecryptUpdate(ctx, out, &l, ct.p, (int)ct.len) != 1) ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, 16, (void *)tag) != 1 ||
	    EVP_DecryptFinal_ex(ctx, out + l, &l2) != 1)
		return CAP_MALFORMED;
	return CAP_OK;
}

static int hmac(const struct cap_tls_cipher *c, const uint8_t hdr[13], struct cap_span a,
		struct cap_span b, uint8_t *out)
{
	static EVP_MAC *m;
	EVP_MAC_CTX *ctx;
	OSSL_PARAM p[2];
	size_t ol = 0;
	int ok;

	if (m == NULL)
		m = EVP_MAC_fetch(NULL, "HMAC", NULL); /* once, as kdf_of */
	ctx = m != NULL ? EVP_MAC_CTX_new(m) : NULL;
	p[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
						(char *)c->suite->mac_md, 0);
	p[1] = OSSL_PARAM_construct_end();
	ok = ctx != NULL && EVP_MAC_init(ctx, c->mac_key, c->suite->mac_len, p) == 1 &&
	     EVP_MAC_update(ctx, hdr, 13) == 1 &&
	     (a.len == 0 || EVP_MAC_update(ctx, a.p, a.len) == 1) &&
	     (b.len == 0 || EVP_MAC_update(ctx, b.p, b.len) == 1) &&
	     EVP_MAC_final(ctx, out, &ol, 64) == 1 && ol == c->suite->mac_len;
	EVP_MAC_CTX_free(ctx);
	return ok ? 0 : -1;
}

/* TLS 1.2 AES-CBC with HMAC, MAC-then-encrypt or encrypt-then-MAC (RFC 7366). */
static enum cap_status cbc_open(struct cap_tls_cipher *c, const struct cap_tls_record *r,
				uint8_t *out, size_t *out_len)
{
	size_t ml = c->suite->mac_len, ctlen, plen, pad;
	struct cap_span iv, ct;
	uint8_t hdr[13], mac[64];
	int l = 0;

	if (r->body.len < 16 + (c->etm ? ml : 0))
		return CAP_MALFORMED;
	iv = cap_span_of(r->body.p, 16);
	ctlen = r->body.len - 16 - (c->etm ? ml : 0);
	ct = cap_span_of(r->body.p + 16, ctlen);
	if (ctlen == 0 || ctlen % 16 != 0 || ctlen > CAP_TLS_MAX_PLAIN + 256)
		return CAP_MALFORMED;
	if (c->etm) {
		pseudo_header(hdr, c->seq, r->type, r->version, 16 + ctlen);
		if (hmac(c, hdr, iv, ct, mac) != 0 ||
		    CRYPTO_memcmp(mac, r->body.p + 16 + ctlen, ml) != 0)
			return CAP_MALFORMED;
	}
	if (EVP_DecryptInit_ex(c->ctx, NULL, NULL, NULL, iv.p) != 1 ||
	    EVP_DecryptUpdate(c->ctx, out, &l, ct.p, (int)ct.len) != 1 || (size_t)l != ctlen)
		return CAP_MALFORMED;
	pad = out[ctlen - 1];
	if (pad + 1 > ctlen)
		return CAP_MALFORMED;
	for (size_t i = 0; i <= pad; i++)
		if (out[ctlen - 1 - i] != pad)
			return CAP_MALFORMED;
	plen = ctlen - pad - 1;
	if (!c->etm) {
		if (plen < ml)
			return CAP_MALFORMED;
		plen -= ml;
		pseudo_header(hdr, c->seq, r->type, r->version, plen);
		if (hmac(c, hdr, cap_span_of(out, plen), cap_span_of(NULL, 0), mac) != 0 ||
		    CRYPTO_memcmp(mac, out + plen, ml) != 0)
			return CAP_MALFORMED;
	}
	*out_len = plen;
	return CAP_OK;
}

enum cap_status cap_tls_decrypt(struct cap_tls_cipher *c, const struct cap_tls_record *r,
				uint8_t *out, size_t *out_len, uint8_t *inner_type)
{
	const struct cap_tls_suite *s = c->suite;
	uint8_t nonce[12], aad[13];
	struct cap_span ct;
	enum cap_status st;
	size_t plen;

	if (s == NULL || c->ctx == NULL)
		return CAP_UNSUPPORTED;
	*inner_type = r->type;
	if (s->kind == CAP_TLS_CBC) {
		st = cbc_open(c, r, out, out_len);
		if (st == CAP_OK)
			c->seq++;
		return st;
	}
	if (c->version == 0x0303 && s->kind == CAP_TLS_GCM) {
		if (r->body.len < 8 + 16)
			return CAP_MALFORMED;
		memcpy(nonce, c->iv, 4);
		memcpy(nonce + 4, r->body.p, 8);
		ct = cap_span_of(r->body.p + 8, r->body.len - 24);
	} else {
		if (r->body.len < 16)
			return CAP_MALFORMED;
		memcpy(nonce, c->iv, 12);
		put_be64(aad, c->seq);
		for (int i = 0; i < 8; i++)
			nonce[4 + i] ^= aad[i];
		ct = cap_span_of(r->body.p, r->body.len - 16);
	}
	if (ct.len > CAP_TLS_MAX_PLAIN)
		return CAP_MALFORMED;
	if (c->version == 0x0304) {
		aad[0] = r->type;
		aad[1] = (uint8_t)(r->version >> 8);
		aad[2] = (uint8_t)r->version;
		aad[3] = (uint8_t)(r->body.len >> 8);
		aad[4] = (uint8_t)r->body.len;
		st = aead_open(c, nonce, aad, 5, ct, r->body.p + r->body.len - 16, out);
	} else {
		pseudo_header(aad, c->seq, r->type, r->version, ct.len);
		st = aead_open(c, nonce, aad, 13, ct, r->body.p + r->body.len - 16, out);
	}
	if (st != CAP_OK)
		return st;
	c->seq++;
	plen = ct.len;
	if (c->version == 0x0304) {
		/* TLSInnerPlaintext: content, type, zero padding. */
		while (plen > 0 && out[plen - 1] == 0)
			plen--;
		if (plen == 0)
			return CAP_MALFORMED;
		*inner_type = out[--plen];
	}
	*out_len = plen;
	return CAP_OK;
}

void cap_tls_cipher_clear(struct cap_tls_cipher *c)
{
	EVP_CIPHER_CTX_free(c->ctx);
	OPENSSL_cleanse(c, sizeof(*c));
	c->ctx = NULL;
	c->suite = NULL;
}
