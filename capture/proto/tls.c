/* tls.c - TLS records and the handshake messages read in the clear or once decrypted.
 *
 * References: RFC 8446 sections 4.1.2 (ClientHello), 4.1.3 (ServerHello and the
 * HelloRetryRequest random), 4.2 (extensions), 4.3.1 (EncryptedExtensions), 4.4.2
 * (Certificate), 5.1 (records); RFC 5246 sections 6.2 and 7.4; RFC 6066 section 3
 * (server_name); RFC 7301 (ALPN); RFC 7366 (encrypt_then_mac); RFC 7627 (extended master
 * secret); RFC 5929 section 4.1 (tls-server-end-point); IANA TLS cipher suite registry.
 */
#include <string.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "negscope/tls.h"
#include "negscope/tok.h"

enum cap_status cap_tls_record(struct cap_cursor *c, struct cap_tls_record *r)
{
	struct cap_cursor h = *c;
	uint16_t len;

	if (cap_cur_left(&h) < 5)
		return CAP_TRUNCATED;
	r->type = cap_cur_u8(&h);
	r->version = cap_cur_be16(&h);
	len = cap_cur_be16(&h);
	if (r->type < CAP_TLS_CCS || r->type > CAP_TLS_APPDATA || (r->version >> 8) != 3 ||
	    len > CAP_TLS_MAX_RECORD)
		return CAP_MALFORMED;
	if (cap_cur_left(&h) < len)
		return CAP_TRUNCATED;
	r->body = cap_cur_span(&h, len);
	*c = h;
	return CAP_OK;
}

bool cap_tls_looks_like(const uint8_t *p, size_t n, bool *is_client)
{
	struct cap_cursor c = cap_cur_init(p, n);
	uint8_t type, hs;
	uint16_t ver, len;

	if (n < 6)
		return false;
	type = cap_cur_u8(&c);
	ver = cap_cur_be16(&c);
	len = cap_cur_be16(&c);
	hs = cap_cur_u8(&c);
	if (type != CAP_TLS_HANDSHAKE || ver < 0x0300 || ver > 0x0304 || len < 4 ||
	    len > CAP_TLS_MAX_RECORD)
		return false;
	if (hs != CAP_TLS_HS_CLIENT_HELLO && hs != CAP_TLS_HS_SERVER_HELLO)
		return false;
	*is_client = hs == CAP_TLS_HS_CLIENT_HELLO;
	return true;
}

/* A vector with a 1-, 2- or 3-byte length prefix, as a sub-cursor. */
static struct cap_cursor vec(struct cap_cursor *c, int lenbytes)
{
	size_t len = 0;

	for (int i = 0; i < lenbytes; i++)
		len = (len << 8) | cap_cur_u8(c);
	if (!cap_cur_ok(c))
		return cap_cur_sub(c, 1); /* fails: the cursor is already failed */
	return cap_cur_sub(c, len);
}

/* Printable ASCII of a span into out, cut; other bytes become '?'. */
static void text_of(struct cap_span s, char *out, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < s.len && k + 1 < n; i++)
		out[k++] = (s.p[i] >= 0x20 && s.p[i] < 0x7f) ? (char)s.p[i] : '?';
	out[k] = '\0';
}

static void sni_of(struct cap_cursor e, char *out, size_t n)
{
	struct cap_cursor list = vec(&e, 2);

	while (cap_cur_ok(&list) && cap_cur_left(&list) > 0) {
		uint8_t type = cap_cur_u8(&list);
		struct cap_cursor name = vec(&list, 2);

		if (!cap_cur_ok(&list))
			return;
		if (type == 0) { /* host_name */
			text_of(cap_cur_rest(&name), out, n);
			return;
		}
	}
}

/* ALPN protocol_name_list, comma-separated. */
static void alpn_of(struct cap_cursor e, char *out, size_t n)
{
	struct cap_cursor list = vec(&e, 2);
	size_t k = 0;

	out[0] = '\0';
	while (cap_cur_ok(&list) && cap_cur_left(&list) > 0) {
		struct cap_cursor p = vec(&list, 1);
		char one[CAP_TLS_ALPN_MAX];
		size_t l;

		if (!cap_cur_ok(&list))
			return;
		text_of(cap_cur_rest(&p), one, sizeof(one));
		l = strlen(one);
		if (k + l + 2 > n)
			return;
		if (k > 0)
			out[k++] = ',';
		memcpy(out + k, one, l + 1);
		k += l;
	}
}

enum ext_type {
	EXT_SERVER_NAME = 0,
	EXT_ALPN = 16,
	EXT_ETM = 22,
	EXT_EMS = 23,
	EXT_PSK = 41,
	EXT_SUPPORTED_VERSIONS = 43
};

static enum cap_status extensions(struct cap_cursor *c, struct cap_tls_hello *h, bool client)
{
	struct cap_cursor all;

	if (cap_cur_left(c) == 0)
		return CAP_OK; /* no extensions at all (RFC 5246 7.4.1.2) */
	all = vec(c, 2);
	while (cap_cur_ok(&all) && cap_cur_left(&all) > 0) {
		uint16_t type = cap_cur_be16(&all);
		struct cap_cursor e = vec(&all, 2);

		if (!cap_cur_ok(&all))
			break;
		switch (type) {
		case EXT_SERVER_NAME:
			if (client)
				sni_of(e, h->sni, sizeof(h->sni));
			break;
		case EXT_ALPN:
			alpn_of(e, h->alpn, sizeof(h->alpn));
			break;
		case EXT_ETM:
			h->etm = true;
			break;
		case EXT_EMS:
			h->ems = true;
			break;
		case EXT_PSK:
			h->psk = true;
			break;
		case EXT_SUPPORTED_VERSIONS:
			if (!client) {
				h->version = cap_cur_be16(&e);
			} else {
				/* The client's list: its highest known version. */
				struct cap_cursor l = vec(&e, 1);

				while (cap_cur_left(&l) >= 2) {
					uint16_t v = cap_cur_be16(&l);

					if (v <= 0x0304 && v > h->version)
						h->version = v;
				}
			}
			break;
		default:
			break;
		}
	}
	return cap_cur_ok(&all) ? CAP_OK : all.status;
}

static void hello_start(struct cap_cursor *c, struct cap_tls_hello *h)
{
	struct cap_cursor sid;

	memset(h, 0, sizeof(*h));
	h->legacy_version = cap_cur_be16(c);
	cap_cur_copy(c, h->random, 32);
	sid = vec(c, 1);
	if (cap_cur_ok(c) && cap_cur_left(&sid) <= 32) {
		h->session_id_len = (uint8_t)cap_cur_left(&sid);
		cap_cur_copy(&sid, h->session_id, h->session_id_len);
	} else {
		cap_cur_fail(c, CAP_MALFORMED);
	}
}

enum cap_status cap_tls_client_hello(struct cap_span body, struct cap_tls_hello *h)
{
	struct cap_cursor c = cap_cur_from_span(body);

	hello_start(&c, h);
	(void)vec(&c, 2); /* cipher_suites */
	(void)vec(&c, 1); /* legacy_compression_methods */
	if (!cap_cur_ok(&c))
		return c.status;
	h->version = h->legacy_version;
	return extensions(&c, h, true);
}

/* SHA-256 of "HelloRetryRequest" (RFC 8446 section 4.1.3). */
static const uint8_t hrr_random[32] = {
	0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8,
	0x91, 0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8,
	0x33, 0x9C};

enum cap_status cap_tls_server_hello(struct cap_span body, struct cap_tls_hello *h)
{
	struct cap_cursor c = cap_cur_from_span(body);

	hello_start(&c, h);
	h->cipher = cap_cur_be16(&c);
	(void)cap_cur_u8(&c); /* legacy_compression_method */
	if (!cap_cur_ok(&c))
		return c.status;
	h->version = h->legacy_version;
	h->hrr = memcmp(h->random, hrr_random, 32) == 0;
	return extensions(&c, h, false);
}

enum cap_status cap_tls_encrypted_extensions(struct cap_span body, char *alpn, size_t n)
{
	struct cap_cursor c = cap_cur_from_span(body);
	struct cap_tls_hello h;
	enum cap_status st;

	memset(&h, 0, sizeof(h));
	st = extensions(&c, &h, false);
	text_of(cap_span_of(h.alpn, strlen(h.alpn)), alpn, n);
	return st;
}

enum cap_status cap_tls_certificate(struct cap_span body, bool tls13, struct cap_span *leaf)
{
	struct cap_cursor c = cap_cur_from_span(body), list, cert;

	if (tls13)
		(void)vec(&c, 1); /* certificate_request_context */
	list = vec(&c, 3);
	cert = vec(&list, 3);
	if (!cap_cur_ok(&list))
		return cap_cur_ok(&c) ? list.status : c.status;
	*leaf = cap_cur_rest(&cert);
	return leaf->len > 0 ? CAP_OK : CAP_MALFORMED;
}

/* ---- names ---- */

#define S12(id, n, k, kl, ml, ci, prf, mac) {id, n, k, kl, ml, ci, prf, mac, false}
static const struct cap_tls_suite suites[] = {
	{0x1301, "TLS_AES_128_GCM_SHA256", CAP_TLS_GCM, 16, 0, "AES-128-GCM", "SHA256", NULL, true},
	{0x1302, "TLS_AES_256_GCM_SHA384", CAP_TLS_GCM, 32, 0, "AES-256-GCM", "SHA384", NULL, true},
	{0x1303, "TLS_CHACHA20_POLY1305_SHA256", CAP_TLS_CHACHA, 32, 0, "ChaCha20-Poly1305",
	 "SHA256", NULL, true},
	S12(0xC02F, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", CAP_TLS_GCM, 16, 0, "AES-128-GCM",
	    "SHA256", NULL),
	S12(0xC030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", CAP_TLS_GCM, 32, 0, "AES-256-GCM",
	    "SHA384", NULL),
	S12(0xC02B, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", CAP_TLS_GCM, 16, 0, "AES-128-GCM",
	    "SHA256", NULL),
	S12(0xC02C, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", CAP_TLS_GCM, 32, 0, "AES-256-GCM",
	    "SHA384", NULL),
	S12(0x009C, "TLS_RSA_WITH_AES_128_GCM_SHA256", CAP_TLS_GCM, 16, 0, "AES-128-GCM",
	    "SHA256", NULL),
	S12(0x009D, "TLS_RSA_WITH_AES_256_GCM_SHA384", CAP_TLS_GCM, 32, 0, "AES-256-GCM",
	    "SHA384", NULL),
	S12(0x009E, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", CAP_TLS_GCM, 16, 0, "AES-128-GCM",
	    "SHA256", NULL),
	S12(0x009F, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", CAP_TLS_GCM, 32, 0, "AES-256-GCM",
	    "SHA384", NULL),
	S12(0xCCA8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", CAP_TLS_CHACHA, 32, 0,
	    "ChaCha20-Poly1305", "SHA256", NULL),
	S12(0xCCA9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", CAP_TLS_CHACHA, 32, 0,
	    "ChaCha20-Poly1305", "SHA256", NULL),
	S12(0xCCAA, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256", CAP_TLS_CHACHA, 32, 0,
	    "ChaCha20-Poly1305", "SHA256", NULL),
	S12(0xC013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", CAP_TLS_CBC, 16, 20, "AES-128-CBC",
	    "SHA256", "SHA1"),
	S12(0xC014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", CAP_TLS_CBC, 32, 20, "AES-256-CBC",
	    "SHA256", "SHA1"),
	S12(0xC009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", CAP_TLS_CBC, 16, 20, "AES-128-CBC",
	    "SHA256", "SHA1"),
	S12(0xC00A, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", CAP_TLS_CBC, 32, 20, "AES-256-CBC",
	    "SHA256", "SHA1"),
	S12(0x002F, "TLS_RSA_WITH_AES_128_CBC_SHA", CAP_TLS_CBC, 16, 20, "AES-128-CBC", "SHA256",
	    "SHA1"),
	S12(0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA", CAP_TLS_CBC, 32, 20, "AES-256-CBC", "SHA256",
	    "SHA1"),
	S12(0x003C, "TLS_RSA_WITH_AES_128_CBC_SHA256", CAP_TLS_CBC, 16, 32, "AES-128-CBC",
	    "SHA256", "SHA256"),
	S12(0x003D, "TLS_RSA_WITH_AES_256_CBC_SHA256", CAP_TLS_CBC, 32, 32, "AES-256-CBC",
	    "SHA256", "SHA256"),
	S12(0xC027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", CAP_TLS_CBC, 16, 32, "AES-128-CBC",
	    "SHA256", "SHA256"),
	S12(0xC028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", CAP_TLS_CBC, 32, 48, "AES-256-CBC",
	    "SHA384", "SHA384"),
	S12(0xC023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", CAP_TLS_CBC, 16, 32, "AES-128-CBC",
	    "SHA256", "SHA256"),
	S12(0xC024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", CAP_TLS_CBC, 32, 48, "AES-256-CBC",
	    "SHA384", "SHA384"),
	S12(0x0067, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256", CAP_TLS_CBC, 16, 32, "AES-128-CBC",
	    "SHA256", "SHA256"),
	S12(0x006B, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256", CAP_TLS_CBC, 32, 32, "AES-256-CBC",
	    "SHA256", "SHA256"),
	S12(0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA", CAP_TLS_CBC, 16, 20, "AES-128-CBC",
	    "SHA256", "SHA1"),
	S12(0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA", CAP_TLS_CBC, 32, 20, "AES-256-CBC",
	    "SHA256", "SHA1"),
};
#undef S12

const struct cap_tls_suite *cap_tls_suite(uint16_t id)
{
	for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
		if (suites[i].id == id)
			return &suites[i];
	return NULL;
}

const char *cap_tls_cipher_name(uint16_t id)
{
	const struct cap_tls_suite *s = cap_tls_suite(id);

	return s != NULL ? s->name : NULL;
}

static const struct cap_tok versions[] = {
	{0x0300, "SSL 3.0"}, {0x0301, "TLS 1.0"}, {0x0302, "TLS 1.1"},
	{0x0303, "TLS 1.2"}, {0x0304, "TLS 1.3"}, {0, NULL}};

const char *cap_tls_version_name(uint16_t v, const char *dflt)
{
	return cap_tok_name(versions, v, dflt);
}

/* ---- certificates ---- */

static void name_text(X509_NAME *n, char *out, size_t len)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p;
	long l;

	out[0] = '\0';
	if (b == NULL)
		return;
	if (X509_NAME_print_ex(b, n, 0, XN_FLAG_RFC2253) >= 0) {
		l = BIO_get_mem_data(b, &p);
		if (l > 0)
			text_of(cap_span_of(p, (size_t)l), out, len);
	}
	BIO_free(b);
}

static void sans_text(X509 *x, char *out, size_t len)
{
	GENERAL_NAMES *g = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	size_t k = 0;

	out[0] = '\0';
	if (g == NULL)
		return;
	for (int i = 0; i < sk_GENERAL_NAME_num(g); i++) {
		const GENERAL_NAME *n = sk_GENERAL_NAME_value(g, i);
		char one[256];
		size_t l;

		if (n->type != GEN_DNS)
			continue;
		text_of(cap_span_of(ASN1_STRING_get0_data(n->d.dNSName),
				    (size_t)ASN1_STRING_length(n->d.dNSName)), one, sizeof(one));
		l = strlen(one);
		if (k + l + 2 > len)
			break;
		if (k > 0)
			out[k++] = ',';
		memcpy(out + k, one, l + 1);
		k += l;
	}
	GENERAL_NAMES_free(g);
}

int cap_tls_cert_info(struct cap_span der, struct cap_tls_cert *out)
{
	const unsigned char *p = der.p;
	const EVP_MD *md;
	unsigned int hl = 0;
	int mdnid = NID_undef;
	X509 *x;

	memset(out, 0, sizeof(*out));
	if (der.len == 0 || der.len > CAP_TLS_CERT_MAX)
		return -1;
	x = d2i_X509(NULL, &p, (long)der.len);
	if (x == NULL)
		return -1;
	name_text(X509_get_subject_name(x), out->subject, sizeof(out->subject));
	sans_text(x, out->sans, sizeof(out->sans));
	/* RFC 5929 4.1: the certificate's signature hash, SHA-256 for MD5 and SHA-1. */
	if (X509_get_signature_info(x, &mdnid, NULL, NULL, NULL) == 1 && mdnid != NID_undef) {
		if (mdnid == NID_md5 || mdnid == NID_sha1)
			mdnid = NID_sha256;
		md = EVP_get_digestbynid(mdnid);
		if (md != NULL && EVP_Digest(der.p, der.len, out->endpoint, &hl, md, NULL) == 1 &&
		    hl <= sizeof(out->endpoint))
			out->endpoint_len = (uint8_t)hl;
	}
	X509_free(x);
	return 0;
}

int cap_tls_channel_binding(const struct cap_tls_cert *c, uint8_t out[16])
{
	static const char prefix[] = "tls-server-end-point:";
	uint8_t buf[20 + sizeof(prefix) - 1 + sizeof(c->endpoint)];
	size_t app = sizeof(prefix) - 1 + c->endpoint_len;
	unsigned int hl = 0;

	if (c->endpoint_len == 0)
		return -1;
	/* Initiator and acceptor address types and lengths are zero (16 bytes), then the
	 * application data's length, little-endian as Windows and MIT krb5 serialise it. */
	memset(buf, 0, 16);
	buf[16] = (uint8_t)app;
	buf[17] = (uint8_t)(app >> 8);
	buf[18] = buf[19] = 0;
	memcpy(buf + 20, prefix, sizeof(prefix) - 1);
	memcpy(buf + 20 + sizeof(prefix) - 1, c->endpoint, c->endpoint_len);
	if (EVP_Digest(buf, 20 + app, out, &hl, EVP_md5(), NULL) != 1 || hl != 16)
		return -1;
	return 0;
}
