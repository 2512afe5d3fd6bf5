/* b64.c - strict base64 decoder and encoder (RFC 4648 §4). */
#include <stdio.h>

#include "negscope/b64.h"
#include "negscope/textmsg.h"

static const char b64_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Value of an alphabet character, or -1. */
static int b64_value(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int cap_b64_is_alpha(int c)
{
	return b64_value(c) >= 0;
}

static int is_ws(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

size_t cap_b64_decoded_max(size_t in_len)
{
	return in_len / 4 * 3 + 3;
}

size_t cap_b64_encoded_len(size_t n)
{
	return (n + 2) / 3 * 4;
}

static enum cap_status fail(struct cap_b64_err *err, enum cap_status st, size_t off,
			    const char *what, int c)
{
	if (err == NULL)
		return st;
	err->status = st;
	err->offset = off;
	cap_text_char_msg(err->msg, sizeof(err->msg), what, c, off);
	return st;
}

/* The hint for the common confusion between base64 and base64url. */
static const char *bad_char_text(int c)
{
	if (c == '-' || c == '_')
		return "bad base64 character (base64url is not used in HTTP auth)";
	return "bad base64 character";
}

enum cap_status cap_b64_decode(struct cap_span in, unsigned flags, uint8_t *out,
			       size_t out_cap, size_t *out_len, struct cap_b64_err *err)
{
	struct cap_cursor c = cap_cur_init(in.p, in.len);
	uint32_t acc = 0;
	size_t nchar = 0, npad = 0, n = 0, off = 0, last_off = 0;
	int last_val = 0;

	*out_len = 0;
	if (err != NULL) {
		err->status = CAP_OK;
		err->offset = 0;
		err->noncanonical = 0;
		err->msg[0] = '\0';
	}
	for (; cap_cur_left(&c) > 0; off++) {
		int ch = cap_cur_u8(&c);
		int v;

		if ((flags & CAP_B64_ALLOW_WS) && is_ws(ch))
			continue;
		if (ch == '=') {
			if (npad > 0 && nchar % 4 == 0)
				return fail(err, CAP_MALFORMED, off, "bad padding: too many '='",
					    -1);
			if (nchar % 4 < 2)
				return fail(err, CAP_MALFORMED, off, "bad padding: '=' too early", -1);
			npad++;
			nchar++;
			continue;
		}
		v = b64_value(ch);
		if (v < 0)
			return fail(err, CAP_MALFORMED, off, bad_char_text(ch), ch);
		if (npad > 0)
			return fail(err, CAP_MALFORMED, off, "bad padding: data after '='", ch);
		acc = (acc << 6) | (uint32_t)v;
		last_val = v;
		last_off = off;
		nchar++;
		if (nchar % 4 == 0) {
			if (out_cap - n < 3)
				return fail(err, CAP_LIMIT, off, "decoded token too large", -1);
			out[n++] = (uint8_t)(acc >> 16);
			out[n++] = (uint8_t)(acc >> 8);
			out[n++] = (uint8_t)acc;
			acc = 0;
		}
	}
	if (nchar == 0)
		return fail(err, CAP_MALFORMED, off, "empty base64 token", -1);
	if (nchar % 4 != 0) {
		if (npad > 0)
			return fail(err, CAP_MALFORMED, off, "bad padding: wrong number of '='",
				    -1);
		if (nchar % 4 == 1)
			return fail(err, CAP_MALFORMED, off,
				    "bad base64 length (one character too many or cut short)", -1);
		return fail(err, CAP_MALFORMED, off,
			    "bad padding: length is not a multiple of 4 (missing '='?)", -1);
	}
	if (npad > 0) {
		/* acc holds 4 - npad characters: 18 bits (npad 1) or 12 bits (npad 2). */
		size_t keep = 3 - npad;

		if (out_cap - n < keep)
			return fail(err, CAP_LIMIT, off, "decoded token too large", -1);
		if (npad == 1) {
			out[n++] = (uint8_t)(acc >> 10);
			out[n++] = (uint8_t)(acc >> 2);
			if ((last_val & 0x3) != 0 && err != NULL)
				err->noncanonical = 1;
		} else {
			out[n++] = (uint8_t)(acc >> 4);
			if ((last_val & 0xf) != 0 && err != NULL)
				err->noncanonical = 1;
		}
		if (err != NULL && err->noncanonical)
			err->offset = last_off;
	}
	*out_len = n;
	return CAP_OK;
}

size_t cap_b64_encode(struct cap_span in, char *out, size_t out_cap)
{
	struct cap_cursor c = cap_cur_from_span(in);
	size_t need = cap_b64_encoded_len(in.len), o = 0;

	if (out_cap == 0)
		return 0;
	if (out_cap < need + 1) {
		out[0] = '\0';
		return 0;
	}
	while (cap_cur_left(&c) > 0) {
		size_t k = cap_cur_left(&c) < 3 ? cap_cur_left(&c) : 3;
		uint32_t v = 0;
		size_t i;

		for (i = 0; i < 3; i++)
			v = (v << 8) | (i < k ? cap_cur_u8(&c) : 0u);
		out[o++] = b64_alphabet[(v >> 18) & 63];
		out[o++] = b64_alphabet[(v >> 12) & 63];
		out[o++] = k > 1 ? b64_alphabet[(v >> 6) & 63] : '=';
		out[o++] = k > 2 ? b64_alphabet[v & 63] : '=';
	}
	out[o] = '\0';
	return o;
}
