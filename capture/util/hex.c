/* hex.c - hex text decoding (tolerating byte separators) and encoding. */
#include <stdio.h>

#include "negscope/hex.h"
#include "negscope/textmsg.h"

static int hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int is_sep(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ':' || c == '-';
}

static enum cap_status fail(struct cap_hex_err *err, enum cap_status st, size_t off,
			    const char *what, int c)
{
	if (err == NULL)
		return st;
	err->status = st;
	err->offset = off;
	cap_text_char_msg(err->msg, sizeof(err->msg), what, c, off);
	return st;
}

/* Skips a leading "0x"/"0X"; returns the number of characters skipped. */
static size_t skip_0x(struct cap_cursor *c)
{
	if (cap_cur_peek(c, 0) == '0' && (cap_cur_peek(c, 1) == 'x' || cap_cur_peek(c, 1) == 'X')) {
		cap_cur_skip(c, 2);
		return 2;
	}
	return 0;
}

enum cap_status cap_hex_decode(struct cap_span in, unsigned flags, uint8_t *out,
			       size_t out_cap, size_t *out_len, struct cap_hex_err *err)
{
	struct cap_cursor c = cap_cur_from_span(in);
	size_t off, n = 0;
	int hi = -1;

	*out_len = 0;
	if (err != NULL) {
		err->status = CAP_OK;
		err->offset = 0;
		err->msg[0] = '\0';
	}
	off = skip_0x(&c);
	for (; cap_cur_left(&c) > 0; off++) {
		int ch = cap_cur_u8(&c);
		int v = hex_value(ch);

		if (v < 0) {
			if ((flags & CAP_HEX_ALLOW_SEP) && is_sep(ch)) {
				if (hi >= 0)
					return fail(err, CAP_MALFORMED, off,
						    "separator inside a hex byte", ch);
				continue;
			}
			return fail(err, CAP_MALFORMED, off, "bad hex character", ch);
		}
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n >= out_cap)
			return fail(err, CAP_LIMIT, off, "decoded token too large", -1);
		out[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	if (hi >= 0)
		return fail(err, CAP_MALFORMED, off, "odd number of hex digits", -1);
	if (n == 0)
		return fail(err, CAP_MALFORMED, off, "empty hex string", -1);
	*out_len = n;
	return CAP_OK;
}

int cap_hex_looks_like(struct cap_span in, unsigned flags)
{
	struct cap_cursor c = cap_cur_from_span(in);
	size_t digits = 0;
	int inbyte = 0;

	(void)skip_0x(&c);
	while (cap_cur_left(&c) > 0) {
		int ch = cap_cur_u8(&c);

		if (hex_value(ch) >= 0) {
			digits++;
			inbyte = !inbyte;
		} else if (!(flags & CAP_HEX_ALLOW_SEP) || !is_sep(ch) || inbyte) {
			return 0;
		}
	}
	return digits > 0 && digits % 2 == 0;
}

size_t cap_hex_encode(struct cap_span in, char *out, size_t out_cap)
{
	static const char digits[] = "0123456789abcdef";
	struct cap_cursor c = cap_cur_from_span(in);
	size_t o = 0;

	if (out_cap == 0)
		return 0;
	while (cap_cur_left(&c) > 0 && out_cap - o >= 3) {
		uint8_t b = cap_cur_u8(&c);

		out[o++] = digits[b >> 4];
		out[o++] = digits[b & 15];
	}
	out[o] = '\0';
	return o;
}
