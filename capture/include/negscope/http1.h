/* http1.h - HTTP/1.x message head parser (RFC 9112), picohttpparser-style.
 *
 * The caller owns the buffer and the header array; results are spans into
 * the caller's buffer, never copied and never NUL-terminated.  A parse
 * returns the number of bytes of the head (request/status line, headers and
 * the empty line), CAP_HTTP1_INCOMPLETE when more bytes are needed, or
 * CAP_HTTP1_MALFORMED.  There is no hidden state.
 *
 * Tolerated deviations are reported, not fatal (CAP_HTTP_ANOM_* bits):
 * obsolete line folding (a continuation line is returned as a header with an
 * empty name, name.p == NULL, whose value is the continuation), a header
 * line longer than the line cap (value cut at the cap), more headers than the
 * array holds (the rest are parsed for the end of the head and dropped).
 * Repeated headers are kept in order.  Bare LF line ends are accepted.
 */
#ifndef NEGSCOPE_HTTP1_H
#define NEGSCOPE_HTTP1_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "negscope/cursor.h"

struct cap_http_header {
	struct cap_span name;  /* as on the wire, not NUL-terminated; empty for a folded continuation */
	struct cap_span value; /* leading/trailing white space trimmed, folded lines joined by the parser */
};

#define CAP_HTTP_ANOM_FOLDED      0x01u /* obsolete line folding seen */
#define CAP_HTTP_ANOM_LONG_HEADER 0x02u /* a header line over the cap: value cut */
#define CAP_HTTP_ANOM_TOO_MANY    0x04u /* more headers than the cap: rest dropped */
#define CAP_HTTP_ANOM_AFTER_GAP   0x08u /* parsing resumed after a reassembly gap */
#define CAP_HTTP_ANOM_BARE_LF     0x10u /* a line ended with LF alone */

#define CAP_HTTP1_MALFORMED  (-1)
#define CAP_HTTP1_INCOMPLETE (-2)

struct cap_http1_head {
	bool is_request;
	int version_minor;      /* the x of HTTP/1.x */
	struct cap_span method; /* requests */
	struct cap_span target; /* requests */
	int status;             /* responses, 100..999 */
	struct cap_span reason; /* responses, may be empty */
	size_t nheaders;        /* headers written to the caller's array */
	uint32_t anomalies;     /* CAP_HTTP_ANOM_* */
};

/* Parses a request head at the start of buf.  hdrs has room for max_headers
 * entries; max_line caps one line (request line over it is malformed, a
 * header line over it is cut).  Returns head length, CAP_HTTP1_INCOMPLETE or
 * CAP_HTTP1_MALFORMED; *h is valid only on a positive return. */
long cap_http1_parse_request(const uint8_t *buf, size_t len, struct cap_http1_head *h,
			     struct cap_http_header *hdrs, size_t max_headers, size_t max_line);
/* Same for a response (status line "HTTP/1.x NNN reason"). */
long cap_http1_parse_response(const uint8_t *buf, size_t len, struct cap_http1_head *h,
			      struct cap_http_header *hdrs, size_t max_headers, size_t max_line);

/* Case-insensitive comparison of a span with a literal. */
bool cap_http1_span_ieq(struct cap_span s, const char *lit);
/* The first header named `name` (case-insensitive) at or after index *from;
 * *from is set past it so callers can iterate over repeated headers.  NULL
 * when there is no more. */
const struct cap_http_header *cap_http1_find(const struct cap_http_header *hdrs, size_t n,
					    const char *name, size_t *from);
/* True when the comma-separated list `value` holds `token` (case-insensitive),
 * as in "Connection: keep-alive, close". */
bool cap_http1_list_has(struct cap_span value, const char *token);
/* True when `p` begins with a known request method followed by a space.
 * Used to find HTTP by content; the list includes WebDAV and RPC over HTTP. */
bool cap_http1_is_method_start(const uint8_t *p, size_t len);
/* True when buf (at a line start) plausibly begins an HTTP/1 message: a known
 * method, a space and " HTTP/1." before the line end (or no line end yet), or
 * "HTTP/1.x NNN".  *is_request_out tells which. */
bool cap_http1_looks_like_start(const uint8_t *buf, size_t len, bool *is_request_out);

#endif /* NEGSCOPE_HTTP1_H */
