/* hex.h - hexadecimal text to bytes and back, for pasted tokens and for display.
 *
 * Decoding accepts pairs of hex digits in either case, an optional leading "0x", and
 * (with CAP_HEX_ALLOW_SEP) separators between whole bytes: space, tab, CR, LF, ':' and
 * '-', so that Wireshark's "Copy as hex stream", `xxd -p` and "aa:bb:cc" all work.
 * A separator inside a byte, an odd digit count or a non-hex character is an error that
 * names its offset.
 */
#ifndef NEGSCOPE_HEX_H
#define NEGSCOPE_HEX_H

#include <stddef.h>
#include <stdint.h>

#include "negscope/cursor.h"

#define CAP_HEX_ALLOW_SEP 0x1u

struct cap_hex_err {
	enum cap_status status; /* CAP_OK, CAP_MALFORMED, CAP_LIMIT (output too small) */
	size_t offset;          /* offset in the input of the offending character */
	char msg[128];
};

/* Decodes hex text into out[0..out_cap) (at most in.len / 2 bytes are needed).
 * Returns CAP_OK and sets *out_len, or an error status (also in err, which may be NULL)
 * with *out_len set to 0. */
enum cap_status cap_hex_decode(struct cap_span in, unsigned flags, uint8_t *out,
			       size_t out_cap, size_t *out_len, struct cap_hex_err *err);

/* 1 when every character of in is a hex digit or (with CAP_HEX_ALLOW_SEP) a separator,
 * after an optional "0x", and there is an even, non-zero number of digits. */
int cap_hex_looks_like(struct cap_span in, unsigned flags);

/* Writes lowercase hex of in into out, NUL-terminated, stopping early when out is too
 * small (an odd cut never splits a byte).  Returns the number of characters written. */
size_t cap_hex_encode(struct cap_span in, char *out, size_t out_cap);

#endif /* NEGSCOPE_HEX_H */
