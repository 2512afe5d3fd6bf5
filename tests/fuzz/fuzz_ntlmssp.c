/* fuzz_ntlmssp.c - fuzz target: the NTLMSSP decoder (MS-NLMP) and its text helpers.
 *
 * The input is one NTLMSSP message.  A libFuzzer mutation rarely keeps the 8-byte
 * signature, so when the input does not start with "NTLMSSP\0" it is decoded twice: as is
 * (the signature check) and with the signature put in front (the message parser).  Every
 * string field goes through the UTF-16/OEM converters into a small and a large buffer,
 * and the message is also decoded as a raw token inside Negotiate (token.h) and rendered.
 * The one allocation (the signed copy) is freed before returning.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "fuzz_target.h"
#include "negscope/ntlmssp.h"
#include "negscope/token.h"

#define SIG_LEN 8

static volatile size_t sink_len;

static void use_str(const char *s)
{
	if (s != NULL)
		sink_len += strlen(s);
}

static void text(struct cap_span s, int unicode)
{
	char small[5], big[1024];

	sink_len += cap_ntlm_text(s, unicode, small, sizeof(small));
	sink_len += cap_ntlm_text(s, unicode, big, sizeof(big));
	sink_len += cap_ntlm_text(s, !unicode, big, sizeof(big));
	sink_len += cap_utf16le_to_utf8(s, small, 1);
}

static void avlist(const struct cap_ntlm_avlist *l)
{
	size_t i;

	for (i = 0; i < l->count && i < CAP_NTLM_MAX_AV; i++) {
		use_str(cap_ntlm_av_name(l->av[i].id));
		text(l->av[i].value, 1);
	}
	text(l->target_name, 1);
	text(l->dns_computer, 1);
	if (l->has_timestamp)
		sink_len += (size_t)cap_ntlm_filetime_to_unix(l->timestamp);
}

static void check_msg(struct cap_span in)
{
	static struct cap_ntlm_msg m;
	char flags[64], flags_big[1024];
	unsigned bit;

	(void)cap_ntlm_is_ntlmssp(in);
	(void)cap_ntlm_decode(in, &m);
	use_str(cap_ntlm_type_name(m.type));
	use_str(cap_ntlm_auth_kind_name(m.auth_kind));
	sink_len += cap_ntlm_flags_str(m.flags, flags, sizeof(flags));
	sink_len += cap_ntlm_flags_str(m.flags, flags_big, sizeof(flags_big));
	for (bit = 0; bit < 32; bit++) {
		use_str(cap_ntlm_flag_name(1u << bit));
		if (m.anomalies & (1u << bit))
			use_str(cap_ntlm_anomaly_name(1u << bit));
	}
	text(m.domain.data, m.unicode);
	text(m.workstation.data, m.unicode);
	text(m.user.data, m.unicode);
	text(m.target_name.data, m.unicode);
	avlist(&m.target_av);
	avlist(&m.client_av);
	if (m.has_client_blob)
		sink_len += (size_t)cap_ntlm_filetime_to_unix(m.client_timestamp);
	use_str(m.err);
}

static void check_token(struct cap_span in)
{
	static struct cap_token tok;

	cap_token_init(&tok);
	(void)cap_token_decode(in, &tok);
	cap_token_set_scheme(&tok, CAP_AUTH_NEGOTIATE);
	fuzz_render_token(&tok);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cap_span in = cap_span_of(data, size);

	if (size > CAP_TOKEN_MAX_BYTES)
		return 0;

	check_msg(in);
	check_token(in);
	if (!cap_ntlm_is_ntlmssp(in)) {
		/* The same bytes as the body of a message, in a buffer of the exact size so
		 * that ASan sees any read past its end. */
		uint8_t *p = malloc(size + SIG_LEN);

		if (p == NULL)
			return 0;
		memcpy(p, "NTLMSSP", SIG_LEN);
		if (size > 0)
			memcpy(p + SIG_LEN, data, size);
		in = cap_span_of(p, size + SIG_LEN);
		check_msg(in);
		check_token(in);
		free(p);
	}
	return 0;
}
