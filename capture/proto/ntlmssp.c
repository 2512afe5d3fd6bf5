/* ntlmssp.c - NTLMSSP message decoder (MS-NLMP §2.2.1, §2.2.2).
 *
 * Fixed headers, little-endian (offsets from the start of the message):
 *
 *   NEGOTIATE     0 "NTLMSSP\0"  8 type=1  12 flags  16 DomainName  24 Workstation
 *                 32 Version (8)  40 payload                  (very old clients: 16 bytes)
 *   CHALLENGE     0 sig  8 type=2  12 TargetName  20 flags  24 ServerChallenge (8)
 *                 32 Reserved (8)  40 TargetInfo  48 Version  56 payload   (old: 32 bytes)
 *   AUTHENTICATE  0 sig  8 type=3  12 LmChallengeResponse  20 NtChallengeResponse
 *                 28 DomainName  36 UserName  44 Workstation  52 EncryptedRandomSessionKey
 *                 60 flags  64 Version  72 MIC (16)  88 payload
 *
 * A field "DomainName" etc. is a security buffer: len (2), maxlen (2), offset (4).
 */
#include <stdio.h>
#include <string.h>

#include "negscope/dynbuf.h"
#include "negscope/ntlmssp.h"
#include "negscope/tok.h"

#define SIG_LEN 8
#define NEG_FIXED 32
#define CHAL_FIXED 48
#define CHAL_MIN 32
#define AUTH_FIXED 64
#define AUTH_MIC_END 88
#define MIC_LEN 16
#define VERSION_LEN 8
#define NTLMV1_RESP_LEN 24
#define NTPROOF_LEN 16
#define FILETIME_UNIX_EPOCH 116444736000000000ull

struct ntlm_ctx {
	struct cap_span msg;       /* the whole message */
	struct cap_ntlm_msg *out;
	size_t fixed;              /* end of the fixed header before Version */
	size_t payload_start;      /* lowest offset of a non-empty buffer, or msg length */
};

static void set_err(struct cap_ntlm_msg *m, enum cap_status st, const char *text)
{
	if (m->status != CAP_OK)
		return;
	m->status = st;
	snprintf(m->err, sizeof(m->err), "%s", text);
}

/* 1 when the (short) input is a prefix of the signature. */
static int sig_prefix(struct cap_span in)
{
	struct cap_cursor c = cap_cur_from_span(in);
	const uint8_t *p = cap_cur_bytes(&c, in.len);

	return p != NULL && in.len <= SIG_LEN && memcmp(p, CAP_NTLM_SIGNATURE, in.len) == 0;
}

int cap_ntlm_is_ntlmssp(struct cap_span in)
{
	struct cap_cursor c = cap_cur_from_span(in);
	const uint8_t *sig = cap_cur_bytes(&c, SIG_LEN);

	return sig != NULL && memcmp(sig, CAP_NTLM_SIGNATURE, SIG_LEN) == 0;
}

/* Reads a security buffer header at the cursor (8 bytes). */
static void read_secbuf_hdr(struct cap_cursor *c, struct cap_ntlm_secbuf *b)
{
	b->len = cap_cur_le16(c);
	b->maxlen = cap_cur_le16(c);
	b->off = cap_cur_le32(c);
	b->data = cap_span_of(NULL, 0);
}

/* Tracks where the payload begins, which tells whether Version and MIC are present. */
static void note_offset(struct ntlm_ctx *x, const struct cap_ntlm_secbuf *b)
{
	if (b->len > 0 && b->off < x->payload_start)
		x->payload_start = b->off;
}

/* Resolves a security buffer against the whole message, by subtraction. */
static void resolve(struct ntlm_ctx *x, struct cap_ntlm_secbuf *b, const char *name)
{
	char msg[128];
	struct cap_cursor c;

	if (b->len == 0)
		return;
	if (b->off < x->fixed) {
		snprintf(msg, sizeof(msg),
			 "NTLM %s buffer offset %u lies inside the %zu-byte fixed header", name,
			 (unsigned)b->off, x->fixed);
		set_err(x->out, CAP_MALFORMED, msg);
		return;
	}
	if (!cap_range_ok(b->off, b->len, x->msg.len)) {
		snprintf(msg, sizeof(msg),
			 "NTLM %s buffer (offset %u, length %u) runs past the end of the "
			 "%zu-byte message", name, (unsigned)b->off, (unsigned)b->len, x->msg.len);
		set_err(x->out, CAP_TRUNCATED, msg);
		return;
	}
	c = cap_span_slice(x->msg, b->off, b->len);
	b->data = cap_cur_rest(&c);
}

static void read_version(struct ntlm_ctx *x, struct cap_cursor *c)
{
	struct cap_ntlm_version *v = &x->out->version;

	/* The Version field exists when negotiated and the payload leaves room for it. */
	if (!(x->out->flags & CAP_NTLM_F_VERSION) || x->payload_start < x->fixed + VERSION_LEN ||
	    cap_cur_left(c) < VERSION_LEN)
		return;
	v->major = cap_cur_u8(c);
	v->minor = cap_cur_u8(c);
	v->build = cap_cur_le16(c);
	(void)cap_cur_skip(c, 3);
	v->revision = cap_cur_u8(c);
	v->present = cap_cur_ok(c);
}

static void set_str_field(struct cap_span *dst, struct cap_span v)
{
	*dst = v;
}

/* Parses an AV_PAIR list (MS-NLMP §2.2.2.1) up to MsvAvEOL. */
static void parse_avlist(struct cap_span s, struct cap_ntlm_avlist *l, struct cap_ntlm_msg *m,
			 const char *where)
{
	struct cap_cursor c = cap_cur_from_span(s);
	char msg[128];

	while (cap_cur_left(&c) > 0) {
		uint16_t id, len;
		struct cap_span v;
		struct cap_cursor vc;

		if (cap_cur_left(&c) < 4) {
			snprintf(msg, sizeof(msg), "NTLM %s: AV pair header cut short", where);
			set_err(m, CAP_MALFORMED, msg);
			return;
		}
		id = cap_cur_le16(&c);
		len = cap_cur_le16(&c);
		if (len > cap_cur_left(&c)) {
			snprintf(msg, sizeof(msg),
				 "NTLM %s: AV pair %u of length %u runs past the end of the list",
				 where, (unsigned)id, (unsigned)len);
			set_err(m, CAP_MALFORMED, msg);
			return;
		}
		v = cap_cur_span(&c, len);
		if (id == CAP_NTLM_AV_EOL) {
			l->has_eol = 1;
			return;
		}
		if (l->count < CAP_NTLM_MAX_AV) {
			l->av[l->count].id = id;
			l->av[l->count].value = v;
			l->count++;
		} else {
			m->anomalies |= CAP_NTLM_ANOM_AV_LIMIT;
		}
		vc = cap_cur_from_span(v);
		switch (id) {
		case CAP_NTLM_AV_NB_COMPUTER: set_str_field(&l->nb_computer, v); break;
		case CAP_NTLM_AV_NB_DOMAIN: set_str_field(&l->nb_domain, v); break;
		case CAP_NTLM_AV_DNS_COMPUTER: set_str_field(&l->dns_computer, v); break;
		case CAP_NTLM_AV_DNS_DOMAIN: set_str_field(&l->dns_domain, v); break;
		case CAP_NTLM_AV_DNS_TREE: set_str_field(&l->dns_tree, v); break;
		case CAP_NTLM_AV_TARGET_NAME: set_str_field(&l->target_name, v); break;
		case CAP_NTLM_AV_FLAGS:
			if (len != 4) {
				m->anomalies |= CAP_NTLM_ANOM_BAD_AV_LEN;
				break;
			}
			l->has_flags = 1;
			l->flags = cap_cur_le32(&vc);
			break;
		case CAP_NTLM_AV_TIMESTAMP:
			if (len != 8) {
				m->anomalies |= CAP_NTLM_ANOM_BAD_AV_LEN;
				break;
			}
			l->has_timestamp = 1;
			l->timestamp = cap_cur_le64(&vc);
			break;
		case CAP_NTLM_AV_SINGLE_HOST:
			l->has_single_host = 1;
			break;
		case CAP_NTLM_AV_CHANNEL_BINDINGS: {
			int zero = 1;

			if (len != 16) {
				m->anomalies |= CAP_NTLM_ANOM_BAD_AV_LEN;
				break;
			}
			l->has_channel_bindings = 1;
			for (size_t i = 0; cap_cur_left(&vc) > 0 && i < 16; i++)
				if ((l->channel_bindings[i] = cap_cur_u8(&vc)) != 0)
					zero = 0;
			l->channel_bindings_zero = zero;
			break;
		}
		default:
			break;
		}
	}
	m->anomalies |= CAP_NTLM_ANOM_AV_NO_EOL;
}

static void check_unicode_len(struct cap_ntlm_msg *m, const struct cap_ntlm_secbuf *b)
{
	if (m->unicode && (b->len & 1))
		m->anomalies |= CAP_NTLM_ANOM_ODD_UNICODE;
}

static void decode_negotiate(struct ntlm_ctx *x, struct cap_cursor *c)
{
	struct cap_ntlm_msg *m = x->out;

	m->flags = cap_cur_le32(c);
	m->unicode = 0; /* NEGOTIATE strings are always OEM */
	if (!cap_cur_ok(c)) {
		set_err(m, CAP_TRUNCATED, "NTLM NEGOTIATE cut short before its flags");
		return;
	}
	if (cap_cur_left(c) == 0) {
		/* The oldest clients send only signature, type and flags. */
		m->anomalies |= CAP_NTLM_ANOM_SHORT_HEADER;
		return;
	}
	read_secbuf_hdr(c, &m->domain);
	read_secbuf_hdr(c, &m->workstation);
	if (!cap_cur_ok(c)) {
		set_err(m, CAP_TRUNCATED, "NTLM NEGOTIATE cut short in its fixed header");
		return;
	}
	note_offset(x, &m->domain);
	note_offset(x, &m->workstation);
	read_version(x, c);
	resolve(x, &m->domain, "DomainName");
	resolve(x, &m->workstation, "Workstation");
}

static void decode_challenge(struct ntlm_ctx *x, struct cap_cursor *c)
{
	struct cap_ntlm_msg *m = x->out;

	read_secbuf_hdr(c, &m->target_name);
	m->flags = cap_cur_le32(c);
	m->server_challenge = cap_cur_span(c, 8);
	if (!cap_cur_ok(c)) {
		set_err(m, CAP_TRUNCATED, "NTLM CHALLENGE cut short in its fixed header");
		return;
	}
	m->unicode = (m->flags & CAP_NTLM_F_UNICODE) != 0;
	note_offset(x, &m->target_name);
	if (cap_cur_left(c) == 0 || x->payload_start <= CHAL_MIN) {
		/* Old servers: no Reserved/TargetInfo fields. */
		m->anomalies |= CAP_NTLM_ANOM_SHORT_HEADER;
		x->fixed = CHAL_MIN;
	} else {
		(void)cap_cur_skip(c, 8);
		read_secbuf_hdr(c, &m->target_info);
		if (!cap_cur_ok(c)) {
			set_err(m, CAP_TRUNCATED, "NTLM CHALLENGE cut short in its fixed header");
			return;
		}
		note_offset(x, &m->target_info);
		read_version(x, c);
	}
	resolve(x, &m->target_name, "TargetName");
	check_unicode_len(m, &m->target_name);
	resolve(x, &m->target_info, "TargetInfo");
	if (m->target_info.data.len > 0)
		parse_avlist(m->target_info.data, &m->target_av, m, "TargetInfo");
}

/* The NTLMv2_CLIENT_CHALLENGE after the 16-byte NTProofStr (MS-NLMP §2.2.2.7). */
static void decode_client_blob(struct cap_ntlm_msg *m)
{
	struct cap_cursor c = cap_cur_from_span(m->nt_resp.data);
	uint8_t resp_type, hi_type;

	m->nt_proof = cap_cur_span(&c, NTPROOF_LEN);
	resp_type = cap_cur_u8(&c);
	hi_type = cap_cur_u8(&c);
	(void)cap_cur_skip(&c, 6);
	m->client_timestamp = cap_cur_le64(&c);
	m->client_challenge = cap_cur_span(&c, 8);
	(void)cap_cur_skip(&c, 4);
	if (!cap_cur_ok(&c) || resp_type != 1 || hi_type != 1)
		return;
	m->has_client_blob = 1;
	parse_avlist(cap_cur_rest(&c), &m->client_av, m, "NTLMv2 response");
}

static enum cap_ntlm_auth_kind auth_kind(const struct cap_ntlm_msg *m)
{
	size_t lm = m->lm_resp.len, nt = m->nt_resp.len;

	if (nt == 0 && lm <= 1)
		return CAP_NTLM_AUTH_ANONYMOUS;
	if (nt == 0 && lm == NTLMV1_RESP_LEN)
		return CAP_NTLM_AUTH_LMV1;
	if (nt == NTLMV1_RESP_LEN)
		return (m->flags & CAP_NTLM_F_EXTENDED_SESSIONSECURITY) ? CAP_NTLM_AUTH_NTLMV1_ESS
									 : CAP_NTLM_AUTH_NTLMV1;
	if (nt > NTLMV1_RESP_LEN)
		return CAP_NTLM_AUTH_NTLMV2;
	return CAP_NTLM_AUTH_UNKNOWN;
}

static void decode_authenticate(struct ntlm_ctx *x, struct cap_cursor *c)
{
	struct cap_ntlm_msg *m = x->out;
	struct cap_cursor mic;

	read_secbuf_hdr(c, &m->lm_resp);
	read_secbuf_hdr(c, &m->nt_resp);
	read_secbuf_hdr(c, &m->domain);
	read_secbuf_hdr(c, &m->user);
	read_secbuf_hdr(c, &m->workstation);
	read_secbuf_hdr(c, &m->session_key);
	m->flags = cap_cur_le32(c);
	if (!cap_cur_ok(c)) {
		set_err(m, CAP_TRUNCATED, "NTLM AUTHENTICATE cut short in its fixed header");
		return;
	}
	m->unicode = (m->flags & CAP_NTLM_F_UNICODE) != 0;
	note_offset(x, &m->lm_resp);
	note_offset(x, &m->nt_resp);
	note_offset(x, &m->domain);
	note_offset(x, &m->user);
	note_offset(x, &m->workstation);
	note_offset(x, &m->session_key);
	read_version(x, c);
	resolve(x, &m->lm_resp, "LmChallengeResponse");
	resolve(x, &m->nt_resp, "NtChallengeResponse");
	resolve(x, &m->domain, "DomainName");
	resolve(x, &m->user, "UserName");
	resolve(x, &m->workstation, "Workstation");
	resolve(x, &m->session_key, "EncryptedRandomSessionKey");
	check_unicode_len(m, &m->domain);
	check_unicode_len(m, &m->user);
	check_unicode_len(m, &m->workstation);
	m->auth_kind = auth_kind(m);
	if (m->auth_kind == CAP_NTLM_AUTH_NTLMV2 && m->nt_resp.data.len == m->nt_resp.len)
		decode_client_blob(m);
	/* The MIC sits at 72..88 when the client says it sent one (MsvAvFlags bit 0x2). */
	if (m->client_av.has_flags && (m->client_av.flags & CAP_NTLM_AVF_MIC) &&
	    x->payload_start >= AUTH_MIC_END) {
		mic = cap_span_slice(x->msg, AUTH_FIXED + VERSION_LEN, MIC_LEN);
		if (cap_cur_ok(&mic)) {
			m->mic_present = 1;
			m->mic = cap_cur_rest(&mic);
		}
	}
}

enum cap_status cap_ntlm_decode(struct cap_span in, struct cap_ntlm_msg *out)
{
	struct cap_cursor c = cap_cur_from_span(in);
	struct ntlm_ctx x;
	char msg[128];

	memset(out, 0, sizeof(*out));
	out->status = CAP_OK;
	x.msg = in;
	x.out = out;
	x.payload_start = in.len;
	if (in.len < SIG_LEN) {
		if (sig_prefix(in))
			set_err(out, CAP_TRUNCATED,
				"NTLM message cut short before the end of its signature");
		else
			set_err(out, CAP_MALFORMED,
				"not an NTLMSSP message (no \"NTLMSSP\\0\" signature)");
		return out->status;
	}
	if (!cap_ntlm_is_ntlmssp(in)) {
		set_err(out, CAP_MALFORMED, "not an NTLMSSP message (no \"NTLMSSP\\0\" signature)");
		return out->status;
	}
	(void)cap_cur_skip(&c, SIG_LEN);
	out->type = cap_cur_le32(&c);
	if (!cap_cur_ok(&c)) {
		set_err(out, CAP_TRUNCATED, "NTLM message cut short before its message type");
		return out->status;
	}
	switch (out->type) {
	case CAP_NTLM_NEGOTIATE:
		x.fixed = NEG_FIXED;
		decode_negotiate(&x, &c);
		break;
	case CAP_NTLM_CHALLENGE:
		x.fixed = CHAL_FIXED;
		decode_challenge(&x, &c);
		break;
	case CAP_NTLM_AUTHENTICATE:
		x.fixed = AUTH_FIXED;
		decode_authenticate(&x, &c);
		break;
	default:
		snprintf(msg, sizeof(msg),
			 "NTLM message type %u is not NEGOTIATE (1), CHALLENGE (2) or "
			 "AUTHENTICATE (3)", (unsigned)out->type);
		set_err(out, CAP_UNSUPPORTED, msg);
		break;
	}
	return out->status;
}

/* MS-NLMP §2.2.1 MessageType. */
static const struct cap_tok ntlm_type_names[] = {
	{ CAP_NTLM_NEGOTIATE, "NEGOTIATE" },
	{ CAP_NTLM_CHALLENGE, "CHALLENGE" },
	{ CAP_NTLM_AUTHENTICATE, "AUTHENTICATE" },
	{ 0, NULL },
};

const char *cap_ntlm_type_name(uint32_t type)
{
	return cap_tok_name(ntlm_type_names, type, "UNKNOWN");
}

/* MS-NLMP §2.2.2.5 NEGOTIATE flags. */
static const struct cap_tok ntlm_flags[] = {
	{ CAP_NTLM_F_UNICODE, "NEGOTIATE_UNICODE" },
	{ CAP_NTLM_F_OEM, "NEGOTIATE_OEM" },
	{ CAP_NTLM_F_REQUEST_TARGET, "REQUEST_TARGET" },
	{ CAP_NTLM_F_SIGN, "NEGOTIATE_SIGN" },
	{ CAP_NTLM_F_SEAL, "NEGOTIATE_SEAL" },
	{ CAP_NTLM_F_DATAGRAM, "NEGOTIATE_DATAGRAM" },
	{ CAP_NTLM_F_LM_KEY, "NEGOTIATE_LM_KEY" },
	{ CAP_NTLM_F_NTLM, "NEGOTIATE_NTLM" },
	{ CAP_NTLM_F_ANONYMOUS, "ANONYMOUS" },
	{ CAP_NTLM_F_OEM_DOMAIN_SUPPLIED, "NEGOTIATE_OEM_DOMAIN_SUPPLIED" },
	{ CAP_NTLM_F_OEM_WORKSTATION_SUPPLIED, "NEGOTIATE_OEM_WORKSTATION_SUPPLIED" },
	{ CAP_NTLM_F_ALWAYS_SIGN, "NEGOTIATE_ALWAYS_SIGN" },
	{ CAP_NTLM_F_TARGET_TYPE_DOMAIN, "TARGET_TYPE_DOMAIN" },
	{ CAP_NTLM_F_TARGET_TYPE_SERVER, "TARGET_TYPE_SERVER" },
	{ CAP_NTLM_F_EXTENDED_SESSIONSECURITY, "NEGOTIATE_EXTENDED_SESSIONSECURITY" },
	{ CAP_NTLM_F_IDENTIFY, "NEGOTIATE_IDENTIFY" },
	{ CAP_NTLM_F_REQUEST_NON_NT_SESSION_KEY, "REQUEST_NON_NT_SESSION_KEY" },
	{ CAP_NTLM_F_TARGET_INFO, "NEGOTIATE_TARGET_INFO" },
	{ CAP_NTLM_F_VERSION, "NEGOTIATE_VERSION" },
	{ CAP_NTLM_F_128, "NEGOTIATE_128" },
	{ CAP_NTLM_F_KEY_EXCH, "NEGOTIATE_KEY_EXCH" },
	{ CAP_NTLM_F_56, "NEGOTIATE_56" },
	{ 0, NULL }
};

const char *cap_ntlm_flag_name(uint32_t bit)
{
	return cap_tok_name(ntlm_flags, bit, NULL);
}

size_t cap_ntlm_flags_str(uint32_t flags, char *out, size_t cap)
{
	struct cap_dynbuf b;
	uint32_t bit;

	cap_dynbuf_init_fixed(&b, out, cap);
	for (bit = 1; bit != 0; bit <<= 1) {
		const char *n;
		char tmp[16], piece[64];
		int w;

		if (!(flags & bit))
			continue;
		n = cap_ntlm_flag_name(bit);
		if (n == NULL) {
			snprintf(tmp, sizeof(tmp), "0x%08x", (unsigned)bit);
			n = tmp;
		} else if (strncmp(n, "NEGOTIATE_", 10) == 0) {
			n += 10;
		}
		w = snprintf(piece, sizeof(piece), "%s%s", cap_dynbuf_len(&b) > 0 ? "|" : "", n);
		/* A flag goes in whole or, like every one after it, not at all. */
		if (w < 0 || (size_t)w >= sizeof(piece) ||
		    cap_dynbuf_add_whole(&b, piece, (size_t)w) != CAP_DYN_OK)
			break;
	}
	return cap_dynbuf_len(&b);
}

/* MS-NLMP §2.2.2.1 AvId. */
static const struct cap_tok av_names[] = {
	{ CAP_NTLM_AV_EOL, "MsvAvEOL" },
	{ CAP_NTLM_AV_NB_COMPUTER, "MsvAvNbComputerName" },
	{ CAP_NTLM_AV_NB_DOMAIN, "MsvAvNbDomainName" },
	{ CAP_NTLM_AV_DNS_COMPUTER, "MsvAvDnsComputerName" },
	{ CAP_NTLM_AV_DNS_DOMAIN, "MsvAvDnsDomainName" },
	{ CAP_NTLM_AV_DNS_TREE, "MsvAvDnsTreeName" },
	{ CAP_NTLM_AV_FLAGS, "MsvAvFlags" },
	{ CAP_NTLM_AV_TIMESTAMP, "MsvAvTimestamp" },
	{ CAP_NTLM_AV_SINGLE_HOST, "MsvAvSingleHost" },
	{ CAP_NTLM_AV_TARGET_NAME, "MsvAvTargetName" },
	{ CAP_NTLM_AV_CHANNEL_BINDINGS, "MsvAvChannelBindings" },
	{ 0, NULL },
};

const char *cap_ntlm_av_name(uint16_t id)
{
	return cap_tok_name(av_names, id, NULL);
}

static const struct cap_tok auth_kind_names[] = {
	{ CAP_NTLM_AUTH_NONE, "none" },
	{ CAP_NTLM_AUTH_ANONYMOUS, "anonymous" },
	{ CAP_NTLM_AUTH_LMV1, "LMv1" },
	{ CAP_NTLM_AUTH_NTLMV1, "NTLMv1" },
	{ CAP_NTLM_AUTH_NTLMV1_ESS, "NTLMv1-ESS" },
	{ CAP_NTLM_AUTH_NTLMV2, "NTLMv2" },
	{ CAP_NTLM_AUTH_UNKNOWN, "unknown" },
	{ 0, NULL },
};

const char *cap_ntlm_auth_kind_name(enum cap_ntlm_auth_kind k)
{
	return cap_tok_name(auth_kind_names, k, "unknown");
}

static const struct cap_tok ntlm_anomaly_names[] = {
	{ CAP_NTLM_ANOM_SHORT_HEADER, "ntlm_short_header" },
	{ CAP_NTLM_ANOM_AV_NO_EOL, "ntlm_av_no_eol" },
	{ CAP_NTLM_ANOM_AV_LIMIT, "ntlm_av_limit" },
	{ CAP_NTLM_ANOM_ODD_UNICODE, "ntlm_odd_unicode_length" },
	{ CAP_NTLM_ANOM_BAD_AV_LEN, "ntlm_bad_av_length" },
	{ 0, NULL },
};

const char *cap_ntlm_anomaly_name(unsigned bit)
{
	return cap_tok_name(ntlm_anomaly_names, bit, NULL);
}

/* Appends code point cp as UTF-8 if all of it fits; 0 when it does not. */
static int put_utf8(struct cap_dynbuf *out, uint32_t cp)
{
	char b[4];
	size_t n;

	if (cp < 0x80) {
		b[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xe0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		b[0] = (char)(0xf0 | (cp >> 18));
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return cap_dynbuf_add_whole(out, b, n) == CAP_DYN_OK;
}

size_t cap_utf16le_to_utf8(struct cap_span s, char *out, size_t cap)
{
	struct cap_cursor c = cap_cur_from_span(s);
	struct cap_dynbuf o;

	cap_dynbuf_init_fixed(&o, out, cap);
	while (cap_cur_left(&c) >= 2) {
		uint32_t u = cap_cur_le16(&c);

		if (u >= 0xd800 && u <= 0xdbff) {
			int lo0 = cap_cur_peek(&c, 0), lo1 = cap_cur_peek(&c, 1);
			uint32_t lo = lo0 >= 0 && lo1 >= 0 ? (uint32_t)(lo0 | (lo1 << 8)) : 0;

			if (lo >= 0xdc00 && lo <= 0xdfff) {
				(void)cap_cur_le16(&c);
				u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
			} else {
				u = 0xfffd;
			}
		} else if (u >= 0xdc00 && u <= 0xdfff) {
			u = 0xfffd;
		}
		if (!put_utf8(&o, u))
			return cap_dynbuf_len(&o);
	}
	if (cap_cur_left(&c) == 1)
		(void)put_utf8(&o, 0xfffd);
	return cap_dynbuf_len(&o);
}

size_t cap_ntlm_text(struct cap_span s, int unicode, char *out, size_t cap)
{
	struct cap_cursor c = cap_cur_from_span(s);
	struct cap_dynbuf o;

	if (unicode)
		return cap_utf16le_to_utf8(s, out, cap);
	cap_dynbuf_init_fixed(&o, out, cap);
	while (cap_cur_left(&c) > 0)
		if (!put_utf8(&o, cap_cur_u8(&c)))
			break;
	return cap_dynbuf_len(&o);
}

int64_t cap_ntlm_filetime_to_unix(uint64_t ft)
{
	if (ft >= FILETIME_UNIX_EPOCH)
		return (int64_t)((ft - FILETIME_UNIX_EPOCH) / 10000000u);
	return -(int64_t)((FILETIME_UNIX_EPOCH - ft) / 10000000u);
}
