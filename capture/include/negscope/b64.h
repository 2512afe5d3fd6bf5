/* b64.h - strict base64 (RFC 4648 §4) for HTTP authentication tokens.
 *
 * HTTP Negotiate/NTLM tokens are token68 values in the standard alphabet with '='
 * padding (RFC 4559 §4, RFC 7235 §2.1).  The decoder is strict: a character outside the
 * alphabet, misplaced or missing padding, or a length that is not a multiple of 4 is an
 * error whose message names the offending offset, so a user who pasted a token from a log
 * learns exactly what is wrong with it.  Non-zero bits in the last character before the
 * padding (RFC 4648 §3.5) are tolerated and reported through err->noncanonical.
 */
#ifndef NEGSCOPE_B64_H
#define NEGSCOPE_B64_H

#include <stddef.h>
#include <stdint.h>

#include "negscope/cursor.h"

/* Skip ASCII whitespace (space, tab, CR, LF) anywhere in the input: for pasted tokens
 * that were wrapped across lines.  Offsets in errors still count the original input. */
#define CAP_B64_ALLOW_WS 0x1u

struct cap_b64_err {
	enum cap_status status; /* CAP_OK, CAP_MALFORMED, or CAP_LIMIT (output too small) */
	size_t offset;          /* offset in the input of the offending character */
	int noncanonical;       /* decoded, but trailing bits were not zero */
	char msg[128];          /* one line, e.g. "bad base64 character '%' at offset 12" */
};

/* Upper bound on the decoded size of in_len input characters. */
size_t cap_b64_decoded_max(size_t in_len);

/* Decodes in into out[0..out_cap).  On success returns CAP_OK and sets *out_len.
 * On failure returns the status also stored in err (err may be NULL); *out_len is 0.
 * The output buffer must be caller-sized with cap_b64_decoded_max(); no allocation. */
enum cap_status cap_b64_decode(struct cap_span in, unsigned flags, uint8_t *out,
			       size_t out_cap, size_t *out_len, struct cap_b64_err *err);

/* Size of the encoding of n bytes, including padding, excluding the NUL. */
size_t cap_b64_encoded_len(size_t n);

/* Encodes in as padded base64 into out (NUL-terminated).  Returns the length written,
 * or 0 when out_cap < cap_b64_encoded_len(in.len) + 1 (then out is set to ""). */
size_t cap_b64_encode(struct cap_span in, char *out, size_t out_cap);

/* 1 when c is in the base64 alphabet (not counting '='). */
int cap_b64_is_alpha(int c);

#endif /* NEGSCOPE_B64_H */
