/* fuzz_authhdr.c - fuzz target: HTTP authentication headers, base64, hex, and the token
 * decoders behind them (RFC 7235, RFC 4559, RFC 4648).
 *
 * The input is text, as a user pastes it into `negcap --decode` or as it appears in a
 * header block.  It is read:
 *   - whole, by the paste helpers (cap_token_input_parse, cap_token_decode_text) and by the
 *     analysis layer's header decoder (cap_facts_auth, as plain and proxy header);
 *   - line by line, each line as "Name: value" (cap_authhdr_split_line) or as a bare value,
 *     all accumulated into one struct cap_authhdr (several headers in one response), whose
 *     challenges and parameters are then decoded and rendered;
 *   - as base64 and hex, with two properties checked: a strict decode that succeeds and is
 *     canonical re-encodes to exactly the input, and encode-then-decode gives the bytes
 *     back.
 * The token buffers are malloc'ed per input at the size the API asks for and freed.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "fuzz_target.h"
#include "negscope/analysis.h"
#include "negscope/authhdr.h"
#include "negscope/b64.h"
#include "negscope/hex.h"
#include "negscope/report.h"
#include "negscope/token.h"

/* Header values beyond this are refused by every HTTP server; tokens are capped lower. */
#define MAX_TEXT (128u * 1024u)

static volatile size_t sink_len;

static void use_str(const char *s)
{
	if (s != NULL)
		sink_len += strlen(s);
}

static void fail(const char *what)
{
	fprintf(stderr, "fuzz_authhdr: property violated: %s\n", what);
	abort();
}

static void check_b64(struct cap_span in)
{
	size_t max = cap_b64_decoded_max(in.len), n = 0, m = 0, elen;
	uint8_t *out = malloc(max + 1), *back = NULL;
	char *enc = NULL;
	struct cap_b64_err e;

	if (out == NULL)
		return;
	(void)cap_b64_decode(in, CAP_B64_ALLOW_WS, out, max, &n, &e);
	use_str(e.msg);
	if (cap_b64_decode(in, 0, out, max, &n, &e) == CAP_OK) {
		if (n > max)
			fail("b64 decode wrote more than cap_b64_decoded_max");
		elen = cap_b64_encoded_len(n);
		enc = malloc(elen + 1);
		if (enc == NULL)
			goto out_free;
		if (cap_b64_encode(cap_span_of(out, n), enc, elen + 1) != elen)
			fail("b64 encode length differs from cap_b64_encoded_len");
		if (!e.noncanonical && (elen != in.len || memcmp(enc, in.p, elen) != 0))
			fail("strict canonical b64 does not re-encode to its input");
	}
	/* The input as bytes: encode, decode, compare (an empty token is an error by design). */
	if (in.len == 0)
		goto out_free;
	elen = cap_b64_encoded_len(in.len);
	free(enc);
	enc = malloc(elen + 1);
	back = malloc(cap_b64_decoded_max(elen) + 1);
	if (enc == NULL || back == NULL)
		goto out_free;
	if (cap_b64_encode(in, enc, elen + 1) != elen)
		fail("b64 encode length");
	if (cap_b64_decode(cap_span_of(enc, elen), 0, back, cap_b64_decoded_max(elen), &m, &e) !=
		    CAP_OK ||
	    e.noncanonical || m != in.len || (m > 0 && memcmp(back, in.p, m) != 0))
		fail("b64 encode then decode does not give the bytes back");
out_free:
	free(out);
	free(enc);
	free(back);
}

static void check_hex(struct cap_span in)
{
	size_t cap = in.len / 2 + 1, n = 0, elen = in.len * 2 + 1, m = 0;
	uint8_t *out = malloc(cap), *back = malloc(in.len + 1);
	char *enc = malloc(elen);
	struct cap_hex_err e;

	if (out == NULL || enc == NULL || back == NULL)
		goto out_free;
	(void)cap_hex_looks_like(in, 0);
	(void)cap_hex_looks_like(in, CAP_HEX_ALLOW_SEP);
	(void)cap_hex_decode(in, 0, out, cap, &n, &e);
	(void)cap_hex_decode(in, CAP_HEX_ALLOW_SEP, out, cap, &n, &e);
	use_str(e.msg);
	if (in.len == 0)
		goto out_free;
	if (cap_hex_encode(in, enc, elen) != in.len * 2)
		fail("hex encode length");
	if (cap_hex_decode(cap_span_of(enc, in.len * 2), 0, back, in.len + 1, &m, &e) != CAP_OK ||
	    m != in.len || (m > 0 && memcmp(back, in.p, m) != 0))
		fail("hex encode then decode does not give the bytes back");
out_free:
	free(out);
	free(enc);
	free(back);
}

static void check_challenges(const struct cap_authhdr *h, struct cap_token *tok)
{
	size_t cap = CAP_TOKEN_MAX_BYTES, i, k;
	uint8_t *buf = malloc(cap);
	char unq[64];

	if (buf == NULL)
		return;
	(void)cap_authhdr_find_gss_token(h);
	(void)cap_authhdr_find(h, CAP_AUTH_NEGOTIATE);
	(void)cap_authhdr_find_token(h, CAP_AUTH_NTLM);
	for (i = 0; i < h->n && i < CAP_AUTH_MAX_CHALLENGES; i++) {
		const struct cap_auth_challenge *ch = &h->ch[i];

		use_str(cap_auth_scheme_name(ch->kind));
		use_str(cap_authhdr_header_name(ch->header));
		(void)cap_auth_param_get(ch, "realm");
		for (k = 0; k < ch->nparams && k < CAP_AUTH_MAX_PARAMS; k++) {
			sink_len += cap_auth_unquote(ch->params[k].value, unq, sizeof(unq));
			sink_len += cap_auth_unquote(ch->params[k].value, unq, 1);
		}
		cap_token_init(tok);
		(void)cap_token_decode_challenge(ch, buf, cap, tok);
		fuzz_render_token(tok);
	}
	free(buf);
}

/* Each line as a header line, or else as a value of a header chosen by its position. */
static void check_lines(struct cap_span in, struct cap_authhdr *h, struct cap_token *tok)
{
	struct cap_cursor c = cap_cur_from_span(in);
	unsigned lineno = 0;

	cap_authhdr_init(h);
	while (cap_cur_left(&c) > 0) {
		struct cap_span rest = cap_cur_rest(&c), line, value;
		const uint8_t *nl = memchr(rest.p, '\n', rest.len);
		size_t len = nl != NULL ? (size_t)(nl - rest.p) : rest.len;
		enum cap_auth_header which;

		line = cap_cur_span(&c, len);
		(void)cap_cur_skip(&c, nl != NULL ? 1 : 0);
		if (cap_authhdr_split_line(line, &which, &value))
			(void)cap_authhdr_parse(h, which, value);
		else
			(void)cap_authhdr_parse(h, (enum cap_auth_header)(1 + lineno % 4), line);
		lineno++;
	}
	use_str(h->err);
	check_challenges(h, tok);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cap_token tok;
	static struct cap_token_input tin;
	static struct cap_authhdr hdr;
	static struct cap_auth_fact fact;
	struct cap_span in = cap_span_of(data, size);
	uint8_t *buf;

	if (size > MAX_TEXT)
		return 0;

	(void)cap_token_input_parse(in, &tin);
	use_str(cap_token_input_form_name(tin.form));
	buf = malloc(CAP_TOKEN_MAX_BYTES);
	if (buf != NULL) {
		cap_token_init(&tok);
		(void)cap_token_decode_text(in, buf, CAP_TOKEN_MAX_BYTES, &tok);
		fuzz_render_token(&tok);
		/* A small buffer: the CAP_LIMIT path. */
		cap_token_init(&tok);
		(void)cap_token_decode_text(in, buf, 16, &tok);
		free(buf);
	}
	cap_auth_fact_init(&fact);
	cap_facts_auth(in, false, NULL, &fact);
	cap_auth_fact_init(&fact);
	cap_facts_auth(in, true, NULL, &fact);
	{
		char line[CAP_FACT_TEXT_MAX];

		(void)cap_report_auth_summary(&fact, line, sizeof(line));
		use_str(line);
	}

	check_lines(in, &hdr, &tok);
	check_b64(in);
	check_hex(in);
	return 0;
}
