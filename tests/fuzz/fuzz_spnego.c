/* fuzz_spnego.c - fuzz target: GSS-API framing, SPNEGO and the inner tokens (token.h).
 *
 * The input is a raw token, as it would be after base64: it goes through cap_gss_unwrap,
 * cap_spnego_decode, and the whole recursive cap_token_decode (SPNEGO -> Kerberos /
 * NTLMSSP, recognition by content), under every HTTP scheme, and the result is rendered
 * (classification, text and JSON trees).  No allocation: nothing to free.
 */
#include <string.h>

#include "fuzz_common.h"
#include "fuzz_target.h"
#include "negscope/der.h"
#include "negscope/gss_token.h"
#include "negscope/spnego.h"
#include "negscope/token.h"

static volatile size_t sink_len;

static void use_str(const char *s)
{
	if (s != NULL)
		sink_len += strlen(s);
}

static void check_spnego(struct cap_span in)
{
	static struct cap_spnego sp;
	char oid[128];
	size_t i;
	unsigned bit;

	(void)cap_spnego_detect(in);
	(void)cap_spnego_decode(in, &sp);
	use_str(cap_spnego_kind_name(sp.kind));
	use_str(cap_spnego_neg_state_name(sp.neg_state));
	for (i = 0; i < sp.nmechs && i < CAP_SPNEGO_MAX_MECHS; i++) {
		(void)cap_der_oid_str(sp.mechs[i], oid, sizeof(oid));
		use_str(cap_gss_mech_name(cap_gss_mech_of(sp.mechs[i])));
	}
	for (bit = 0; bit < 32; bit++) {
		if (sp.req_flags & (0x80000000u >> bit))
			use_str(cap_spnego_req_flag_name(0x80000000u >> bit));
		if (sp.anomalies & (1u << bit))
			use_str(cap_spnego_anomaly_name(1u << bit));
	}
	use_str(sp.err);
}

static void check_gss(struct cap_span in)
{
	struct cap_gss_token g;
	enum cap_gss_mech m;

	(void)cap_gss_is_framed(in);
	(void)cap_gss_unwrap(in, &g);
	m = cap_gss_mech_of(g.mech_oid);
	use_str(cap_gss_mech_name(m));
	use_str(cap_gss_mech_id(m));
	use_str(cap_gss_mech_oid(m));
	(void)cap_gss_mech_is_krb5(m);
	use_str(cap_gss_tok_id_name(g.tok_id));
	(void)cap_gss_tok_id_krb_type(g.tok_id);
	use_str(cap_gss_anomaly_name(g.anomalies & 1u));
	use_str(g.err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cap_token tok; /* some KiB: keep it off the stack */
	static const enum cap_auth_scheme schemes[] = {
		CAP_AUTH_NEGOTIATE, CAP_AUTH_NTLM, CAP_AUTH_KERBEROS
	};
	static char line[512];
	struct cap_span in = cap_span_of(data, size);
	struct cap_der_limits small = {6, 40};
	size_t i;

	if (size > CAP_TOKEN_MAX_BYTES)
		return 0;

	check_gss(in);
	check_spnego(in);

	/* The scheme changes only what is derived from it (NTLM inside Negotiate): decode
	 * once, then look at the result under each scheme. */
	cap_token_init(&tok);
	(void)cap_token_decode(in, &tok);
	use_str(cap_token_wrap_name(tok.wrap));
	use_str(cap_token_mech_name(tok.mech));
	use_str(tok.err);
	for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
		cap_token_set_scheme(&tok, schemes[i]);
		if (i == 0)
			fuzz_render_token(&tok);
		else
			(void)cap_classify(&tok, line, sizeof(line));
	}
	/* Small DER caps stop the decode part way: what is left must still render. */
	(void)cap_token_decode_capped(in, &tok, &small);
	fuzz_render_token(&tok);
	return 0;
}
