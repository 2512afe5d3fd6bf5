/* tls.h - TLS records, handshake messages, key logs and record protection.
 *
 * References: RFC 8446 (TLS 1.3), RFC 5246 (TLS 1.2), RFC 7905 (ChaCha20-Poly1305 for
 * TLS), RFC 7366 (encrypt-then-MAC), RFC 5929 section 4 (tls-server-end-point), NSS key
 * log format (the SSLKEYLOGFILE lines of Firefox, Chrome, Edge and curl).  Every bit of
 * cryptography is libcrypto's (EVP, EVP_KDF "TLS1-PRF" and "HKDF"); nothing here
 * implements a primitive.
 */
#ifndef NEGSCOPE_TLS_H
#define NEGSCOPE_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "negscope/cursor.h"

/* RFC 5246 section 6.2.3: a protected record is at most 2^14 + 2048 bytes. */
#define CAP_TLS_MAX_RECORD (16384u + 2048u)
#define CAP_TLS_MAX_PLAIN (16384u + 256u) /* TLS 1.3 inner plaintext, with its type */

enum cap_tls_content {
	CAP_TLS_CCS = 20,
	CAP_TLS_ALERT = 21,
	CAP_TLS_HANDSHAKE = 22,
	CAP_TLS_APPDATA = 23
};

enum cap_tls_hs_type {
	CAP_TLS_HS_CLIENT_HELLO = 1,
	CAP_TLS_HS_SERVER_HELLO = 2,
	CAP_TLS_HS_NEW_SESSION_TICKET = 4,
	CAP_TLS_HS_END_OF_EARLY_DATA = 5,
	CAP_TLS_HS_ENCRYPTED_EXTENSIONS = 8,
	CAP_TLS_HS_CERTIFICATE = 11,
	CAP_TLS_HS_FINISHED = 20,
	CAP_TLS_HS_KEY_UPDATE = 24
};

struct cap_tls_record {
	uint8_t type;     /* enum cap_tls_content */
	uint16_t version; /* legacy_record_version */
	struct cap_span body;
};

/* One record from c: CAP_OK with c past it, CAP_TRUNCATED when not all of it is there yet
 * (c unchanged), CAP_MALFORMED when the header is not a TLS record's. */
enum cap_status cap_tls_record(struct cap_cursor *c, struct cap_tls_record *r);
/* True when p starts with a TLS handshake record holding a ClientHello or ServerHello:
 * how a TLS connection is recognised on any port. */
bool cap_tls_looks_like(const uint8_t *p, size_t n, bool *is_client);

#define CAP_TLS_SNI_MAX 256
#define CAP_TLS_ALPN_MAX 64

/* What a ClientHello or ServerHello says. */
struct cap_tls_hello {
	uint8_t random[32];
	uint8_t session_id[32];
	uint8_t session_id_len;
	uint16_t legacy_version;
	uint16_t version;     /* supported_versions when present (the server's choice), else
			       * legacy_version */
	uint16_t cipher;      /* ServerHello */
	char sni[CAP_TLS_SNI_MAX];    /* ClientHello server_name host_name, "" when absent */
	char alpn[CAP_TLS_ALPN_MAX];  /* ClientHello: offered, comma-separated; ServerHello:
				       * the choice (TLS 1.2; 1.3 says it encrypted) */
	bool etm;             /* encrypt_then_mac (RFC 7366) */
	bool ems;             /* extended_master_secret (RFC 7627) */
	bool psk;             /* pre_shared_key (TLS 1.3 resumption) */
	bool hrr;             /* ServerHello is a HelloRetryRequest (RFC 8446 4.1.3) */
};

enum cap_status cap_tls_client_hello(struct cap_span body, struct cap_tls_hello *h);
enum cap_status cap_tls_server_hello(struct cap_span body, struct cap_tls_hello *h);
/* TLS 1.3 EncryptedExtensions: the chosen ALPN protocol into alpn ("" when none). */
enum cap_status cap_tls_encrypted_extensions(struct cap_span body, char *alpn, size_t n);
/* Certificate message: the end-entity (first) certificate's DER. */
enum cap_status cap_tls_certificate(struct cap_span body, bool tls13, struct cap_span *leaf);

enum cap_tls_aead { CAP_TLS_GCM, CAP_TLS_CHACHA, CAP_TLS_CBC };

struct cap_tls_suite {
	uint16_t id;
	const char *name;    /* IANA name */
	uint8_t kind;        /* enum cap_tls_aead */
	uint8_t key_len;
	uint8_t mac_len;     /* CBC: HMAC output length */
	const char *cipher;  /* libcrypto cipher name */
	const char *prf_md;  /* TLS 1.2 PRF / TLS 1.3 HKDF hash */
	const char *mac_md;  /* CBC: HMAC hash */
	bool tls13;
};

/* The suites negscope decrypts; NULL for another. */
const struct cap_tls_suite *cap_tls_suite(uint16_t id);
/* "TLS 1.2", "TLS 1.3", ...; dflt when unknown. */
const char *cap_tls_version_name(uint16_t v, const char *dflt);
/* IANA name of a cipher suite, NULL when not in the table. */
const char *cap_tls_cipher_name(uint16_t id);

/* ---- certificates (libcrypto d2i_X509) ---- */

#define CAP_TLS_CERT_MAX (64u * 1024u) /* larger certificates are not parsed */

struct cap_tls_cert {
	char subject[256]; /* RFC 2253 form, cut */
	char sans[512];    /* DNS names, comma-separated, cut */
	uint8_t endpoint[64]; /* tls-server-end-point: RFC 5929 section 4.1 */
	uint8_t endpoint_len;
};

/* 0, or -1 when the DER is not a certificate libcrypto reads. */
int cap_tls_cert_info(struct cap_span der, struct cap_tls_cert *out);
/* The MsvAvChannelBindings an NTLMv2 client computes for this certificate: MD5 of the
 * gss_channel_bindings_struct whose application data is "tls-server-end-point:" and the
 * certificate hash (RFC 5929 section 4, RFC 5056, MS-NLMP 3.1.5.1.2).  0 or -1. */
int cap_tls_channel_binding(const struct cap_tls_cert *c, uint8_t out[16]);

/* ---- key logs ---- */

enum cap_tls_secret {
	CAP_TLS_SEC_MASTER = 0, /* CLIENT_RANDOM: TLS 1.2 master secret */
	CAP_TLS_SEC_C_HS,       /* CLIENT_HANDSHAKE_TRAFFIC_SECRET */
	CAP_TLS_SEC_S_HS,       /* SERVER_HANDSHAKE_TRAFFIC_SECRET */
	CAP_TLS_SEC_C_AP,       /* CLIENT_TRAFFIC_SECRET_0 */
	CAP_TLS_SEC_S_AP,       /* SERVER_TRAFFIC_SECRET_0 */
	CAP_TLS_SEC_N
};

#define CAP_TLS_KEYLOG_LINE_MAX 1024u   /* longer lines are counted, not read */
#define CAP_TLS_KEYLOG_DEF_MAX 65536u   /* client randoms kept by default */

struct cap_tls_keylog_stats {
	uint64_t lines;      /* non-empty, non-comment lines read */
	uint64_t used;       /* lines whose secret was kept */
	uint64_t bad;        /* lines not of the format (bad hex, lengths, fields) */
	uint64_t too_long;   /* lines over CAP_TLS_KEYLOG_LINE_MAX */
	uint64_t other;      /* well-formed lines of labels not used (EXPORTER_SECRET, ...) */
	uint64_t cap_hits;   /* lines dropped because the table was full */
};

struct cap_tls_keylog;

/* A table of at most max_randoms client randoms (0: CAP_TLS_KEYLOG_DEF_MAX); NULL when
 * memory runs out. */
struct cap_tls_keylog *cap_tls_keylog_new(size_t max_randoms);
void cap_tls_keylog_free(struct cap_tls_keylog *k);
/* Reads NSS key log text (whole lines; a last line without its newline counts too). */
void cap_tls_keylog_add(struct cap_tls_keylog *k, const uint8_t *text, size_t n);
/* The secret of that kind for that client random: its length, 0 when absent. */
size_t cap_tls_keylog_find(const struct cap_tls_keylog *k, const uint8_t random[32],
			   enum cap_tls_secret which, const uint8_t **secret);
size_t cap_tls_keylog_count(const struct cap_tls_keylog *k);
const struct cap_tls_keylog_stats *cap_tls_keylog_stats(const struct cap_tls_keylog *k);

/* ---- record protection (libcrypto) ---- */

/* One direction's read state.  Holds key material: never printed. */
struct cap_tls_cipher {
	const struct cap_tls_suite *suite;
	void *ctx;            /* EVP_CIPHER_CTX */
	uint16_t version;     /* 0x0303 or 0x0304 */
	bool etm;
	uint64_t seq;
	uint8_t key[32];
	uint8_t iv[16];       /* GCM 1.2: 4-byte salt; ChaCha and 1.3: 12 bytes; CBC: unused */
	uint8_t mac_key[48];
	uint8_t secret[64];   /* TLS 1.3 traffic secret (for KeyUpdate) */
	uint8_t secret_len;
};

/* TLS 1.2 key block from the master secret (RFC 5246 section 6.3); 0 or -1. */
int cap_tls12_keys(const struct cap_tls_suite *s, const uint8_t *master, size_t mlen,
		   const uint8_t cr[32], const uint8_t sr[32], bool etm,
		   struct cap_tls_cipher *client, struct cap_tls_cipher *server);
/* TLS 1.3 traffic keys from a traffic secret (RFC 8446 section 7.3); 0 or -1. */
int cap_tls13_keys(const struct cap_tls_suite *s, const uint8_t *secret, size_t len,
		   struct cap_tls_cipher *out);
/* TLS 1.3 KeyUpdate: the next generation of the same direction (RFC 8446 7.2). */
int cap_tls13_update(struct cap_tls_cipher *c);
/* Decrypts one record's body into out (CAP_TLS_MAX_PLAIN bytes): CAP_OK with *out_len and
 * *inner_type (TLS 1.3: the real content type; 1.2: the record's), CAP_MALFORMED when it
 * does not authenticate (wrong keys, or a record lost before it). */
enum cap_status cap_tls_decrypt(struct cap_tls_cipher *c, const struct cap_tls_record *r,
				uint8_t *out, size_t *out_len, uint8_t *inner_type);
/* Frees the context and wipes the keys. */
void cap_tls_cipher_clear(struct cap_tls_cipher *c);

#endif /* NEGSCOPE_TLS_H */
