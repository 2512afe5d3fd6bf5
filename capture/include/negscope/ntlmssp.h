/* ntlmssp.h - NTLMSSP NEGOTIATE / CHALLENGE / AUTHENTICATE decoder (MS-NLMP §2.2).
 *
 * Pure function over a byte span; no allocation.  All spans in struct cap_ntlm_msg alias
 * the input and stay valid as long as the caller's buffer does.
 *
 * Security buffers (len, maxlen, offset) are checked by subtraction against the whole
 * message: a non-empty buffer must start at or after the fixed header, inside the
 * message, and its length must not exceed what is left (curl ntlm_decode_type2_target).
 *
 * Status of a decode (also in msg->status, with a one-line msg->err):
 *   CAP_OK          decoded
 *   CAP_TRUNCATED   the fixed header or a security buffer runs past the end
 *   CAP_MALFORMED   bad signature, a buffer offset inside the fixed header, bad AV list
 *   CAP_UNSUPPORTED a message type other than 1, 2, 3
 * Whatever was decoded before the problem stays filled in.
 *
 * Tolerated deviations are recorded in msg->anomalies (CAP_NTLM_ANOM_*).
 */
#ifndef NEGSCOPE_NTLMSSP_H
#define NEGSCOPE_NTLMSSP_H

#include <stddef.h>
#include <stdint.h>

#include "negscope/cursor.h"

#define CAP_NTLM_SIGNATURE "NTLMSSP" /* followed by a NUL: 8 bytes on the wire */

enum {
	CAP_NTLM_NEGOTIATE = 1,
	CAP_NTLM_CHALLENGE = 2,
	CAP_NTLM_AUTHENTICATE = 3
};

/* NegotiateFlags (MS-NLMP §2.2.2.5). */
#define CAP_NTLM_F_UNICODE 0x00000001u
#define CAP_NTLM_F_OEM 0x00000002u
#define CAP_NTLM_F_REQUEST_TARGET 0x00000004u
#define CAP_NTLM_F_SIGN 0x00000010u
#define CAP_NTLM_F_SEAL 0x00000020u
#define CAP_NTLM_F_DATAGRAM 0x00000040u
#define CAP_NTLM_F_LM_KEY 0x00000080u
#define CAP_NTLM_F_NTLM 0x00000200u
#define CAP_NTLM_F_ANONYMOUS 0x00000800u
#define CAP_NTLM_F_OEM_DOMAIN_SUPPLIED 0x00001000u
#define CAP_NTLM_F_OEM_WORKSTATION_SUPPLIED 0x00002000u
#define CAP_NTLM_F_ALWAYS_SIGN 0x00008000u
#define CAP_NTLM_F_TARGET_TYPE_DOMAIN 0x00010000u
#define CAP_NTLM_F_TARGET_TYPE_SERVER 0x00020000u
#define CAP_NTLM_F_EXTENDED_SESSIONSECURITY 0x00080000u
#define CAP_NTLM_F_IDENTIFY 0x00100000u
#define CAP_NTLM_F_REQUEST_NON_NT_SESSION_KEY 0x00400000u
#define CAP_NTLM_F_TARGET_INFO 0x00800000u
#define CAP_NTLM_F_VERSION 0x02000000u
#define CAP_NTLM_F_128 0x20000000u
#define CAP_NTLM_F_KEY_EXCH 0x40000000u
#define CAP_NTLM_F_56 0x80000000u

/* AV_PAIR ids (MS-NLMP §2.2.2.1). */
enum {
	CAP_NTLM_AV_EOL = 0,
	CAP_NTLM_AV_NB_COMPUTER = 1,
	CAP_NTLM_AV_NB_DOMAIN = 2,
	CAP_NTLM_AV_DNS_COMPUTER = 3,
	CAP_NTLM_AV_DNS_DOMAIN = 4,
	CAP_NTLM_AV_DNS_TREE = 5,
	CAP_NTLM_AV_FLAGS = 6,
	CAP_NTLM_AV_TIMESTAMP = 7,
	CAP_NTLM_AV_SINGLE_HOST = 8,
	CAP_NTLM_AV_TARGET_NAME = 9,
	CAP_NTLM_AV_CHANNEL_BINDINGS = 10
};

/* MsvAvFlags bits. */
#define CAP_NTLM_AVF_CONSTRAINED 0x1u
#define CAP_NTLM_AVF_MIC 0x2u
#define CAP_NTLM_AVF_UNTRUSTED_SPN 0x4u

/* Tolerated deviations. */
#define CAP_NTLM_ANOM_SHORT_HEADER 0x01u  /* older, shorter fixed header */
#define CAP_NTLM_ANOM_AV_NO_EOL 0x02u     /* AV list not ended by MsvAvEOL */
#define CAP_NTLM_ANOM_AV_LIMIT 0x04u      /* more AV pairs than CAP_NTLM_MAX_AV */
#define CAP_NTLM_ANOM_ODD_UNICODE 0x08u   /* a UTF-16 string of odd length */
#define CAP_NTLM_ANOM_BAD_AV_LEN 0x10u    /* a fixed-size AV pair of the wrong size */
#define CAP_NTLM_ANOM_COUNT 5

#define CAP_NTLM_MAX_AV 32

/* A security buffer: length, allocated length, offset from the start of the message. */
struct cap_ntlm_secbuf {
	uint16_t len;
	uint16_t maxlen;
	uint32_t off;
	struct cap_span data; /* the bytes, when valid (len 0: empty span) */
};

struct cap_ntlm_version {
	int present;
	uint8_t major;
	uint8_t minor;
	uint16_t build;
	uint8_t revision; /* NTLMSSP_REVISION_W2K3 = 15 */
};

struct cap_ntlm_av {
	uint16_t id;
	struct cap_span value;
};

/* A parsed AV_PAIR list (CHALLENGE TargetInfo, or the NTLMv2 client blob). */
struct cap_ntlm_avlist {
	struct cap_ntlm_av av[CAP_NTLM_MAX_AV];
	size_t count;
	int has_eol;
	/* The well-known pairs, UTF-16LE spans (empty when absent). */
	struct cap_span nb_computer, nb_domain, dns_computer, dns_domain, dns_tree;
	struct cap_span target_name; /* MsvAvTargetName: the SPN the client asked for */
	int has_flags;
	uint32_t flags; /* CAP_NTLM_AVF_* */
	int has_timestamp;
	uint64_t timestamp; /* FILETIME */
	int has_single_host;
	int has_channel_bindings;
	int channel_bindings_zero; /* all-zero hash: client had no TLS channel binding */
	uint8_t channel_bindings[16]; /* the MD5 itself (MS-NLMP 2.2.2.1), when present */
};

enum cap_ntlm_auth_kind {
	CAP_NTLM_AUTH_NONE = 0,  /* not an AUTHENTICATE message */
	CAP_NTLM_AUTH_ANONYMOUS, /* empty NT response, LM empty or one zero byte */
	CAP_NTLM_AUTH_LMV1,      /* LM response only */
	CAP_NTLM_AUTH_NTLMV1,    /* 24-byte NT response */
	CAP_NTLM_AUTH_NTLMV1_ESS, /* 24-byte NT response with extended session security */
	CAP_NTLM_AUTH_NTLMV2,    /* NT response > 24 bytes (NTProofStr + client blob) */
	CAP_NTLM_AUTH_UNKNOWN    /* lengths that fit none of the above */
};

struct cap_ntlm_msg {
	uint32_t type; /* CAP_NTLM_NEGOTIATE/CHALLENGE/AUTHENTICATE, as on the wire */
	uint32_t flags;
	int unicode; /* strings of CHALLENGE/AUTHENTICATE are UTF-16LE (else OEM) */
	struct cap_ntlm_version version;

	/* NEGOTIATE (OEM) and AUTHENTICATE. */
	struct cap_ntlm_secbuf domain, workstation;

	/* CHALLENGE. */
	struct cap_ntlm_secbuf target_name;
	struct cap_span server_challenge; /* 8 bytes */
	struct cap_ntlm_secbuf target_info;
	struct cap_ntlm_avlist target_av;

	/* AUTHENTICATE.  lm_resp, nt_resp, session_key and mic are secret material. */
	struct cap_ntlm_secbuf lm_resp, nt_resp, user, session_key;
	int mic_present; /* MsvAvFlags says so and the header has room for it */
	struct cap_span mic;
	enum cap_ntlm_auth_kind auth_kind;
	/* NTLMv2 only: the NTLMv2_CLIENT_CHALLENGE inside nt_resp. */
	int has_client_blob;
	struct cap_span nt_proof; /* 16 bytes */
	uint64_t client_timestamp; /* FILETIME */
	struct cap_span client_challenge; /* 8 bytes */
	struct cap_ntlm_avlist client_av;

	unsigned anomalies; /* CAP_NTLM_ANOM_* */
	enum cap_status status;
	char err[128];
};

/* 1 when in starts with "NTLMSSP\0". */
int cap_ntlm_is_ntlmssp(struct cap_span in);

/* Decodes one message.  Returns out->status (see the header comment). */
enum cap_status cap_ntlm_decode(struct cap_span in, struct cap_ntlm_msg *out);

/* "NEGOTIATE", "CHALLENGE", "AUTHENTICATE", or "UNKNOWN". */
const char *cap_ntlm_type_name(uint32_t type);
/* Name of one flag bit ("NEGOTIATE_UNICODE"), or NULL for unnamed bits. */
const char *cap_ntlm_flag_name(uint32_t bit);
/* All set flags as "UNICODE|NTLM|..." (names without the NEGOTIATE_ prefix, unnamed bits
 * as 0x...), NUL-terminated and cut to fit.  Returns the length written. */
size_t cap_ntlm_flags_str(uint32_t flags, char *out, size_t cap);
/* "MsvAvNbComputerName", ... or NULL. */
const char *cap_ntlm_av_name(uint16_t id);
const char *cap_ntlm_auth_kind_name(enum cap_ntlm_auth_kind k);
/* snake_case name of one CAP_NTLM_ANOM_* bit, or NULL. */
const char *cap_ntlm_anomaly_name(unsigned bit);

/* A string field as UTF-8 into out (NUL-terminated, cut at a character boundary to fit).
 * unicode: UTF-16LE (unpaired surrogates become U+FFFD), else OEM bytes taken as
 * Latin-1.  Returns the length written. */
size_t cap_ntlm_text(struct cap_span s, int unicode, char *out, size_t cap);
size_t cap_utf16le_to_utf8(struct cap_span s, char *out, size_t cap);

/* FILETIME (100 ns since 1601) to seconds since the Unix epoch. */
int64_t cap_ntlm_filetime_to_unix(uint64_t ft);

#endif /* NEGSCOPE_NTLMSSP_H */
