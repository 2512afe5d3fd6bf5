/* http2.h - one direction of an HTTP/2 connection (RFC 9113): frames and header blocks.
 *
 * A decoder per direction takes the connection's bytes in order (cleartext h2c, or what a
 * TLS layer decrypted when ALPN said h2) and reports what a diagnosis needs: each header
 * block (requests, responses, trailers) with its pseudo-headers and fields, RST_STREAM and
 * GOAWAY with their error codes (HTTP_1_1_REQUIRED, 0xd, is Windows authentication's
 * downgrade). DATA is skipped, never copied. Header blocks are decompressed by libnghttp2's
 * HPACK inflater (RFC 7541); nothing of HPACK is written here.
 *
 * Bounded: a frame longer than max_frame is skipped (counted); a header block is kept up to
 * max_header_list compressed bytes and its decoded fields up to max_header_list bytes and
 * max_headers fields (the rest dropped, counted); the HPACK dynamic table is at most
 * CAP_H2_MAX_TABLE bytes. A block that could not be decompressed (over the cap, or bad
 * HPACK) leaves the direction's HPACK state unknown: later header blocks are not decoded
 * (counted), frames still are.
 */
#ifndef NEGSCOPE_HTTP2_H
#define NEGSCOPE_HTTP2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "negscope/cursor.h"
#include "negscope/http1.h"

#define CAP_H2_PREFACE     "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
#define CAP_H2_PREFACE_LEN 24
#define CAP_H2_MAX_TABLE   65536u /* HPACK dynamic table the inflater accepts */

/* RFC 9113 section 7 */
#define CAP_H2_ERR_HTTP_1_1_REQUIRED 0xdu

enum cap_h2_kind { CAP_H2_HEADERS = 1, CAP_H2_RST_STREAM, CAP_H2_GOAWAY };

struct cap_h2_event {
	enum cap_h2_kind kind;
	uint32_t stream_id;      /* HEADERS, RST_STREAM; GOAWAY: 0 */
	uint32_t error_code;     /* RST_STREAM, GOAWAY */
	uint32_t last_stream_id; /* GOAWAY */
	bool end_stream;         /* HEADERS: END_STREAM flag */
	/* HEADERS: the fields in order, pseudo-headers (":method", ":status", ...) first;
	 * spans into the decoder, valid during the callback only */
	const struct cap_http_header *headers;
	size_t nheaders;
	uint64_t header_bytes;   /* HEADERS: compressed block size */
	bool headers_cut;        /* HEADERS: fields dropped by a cap */
};

typedef void (*cap_h2_cb)(void *ctx, const struct cap_h2_event *ev);

struct cap_h2_limits {
	size_t max_frame;       /* largest frame payload decoded (RFC 9113 allows 16 MiB) */
	size_t max_header_list; /* header block, compressed and decoded */
	size_t max_headers;     /* fields per header block */
};

struct cap_h2_stats {
	uint64_t frames;
	uint64_t header_blocks;
	uint64_t frame_cap_hits;  /* frames over max_frame, skipped */
	uint64_t header_cap_hits; /* header blocks cut by max_header_list / max_headers */
	uint64_t hpack_errors;    /* header blocks the inflater refused */
	uint64_t blocks_lost;     /* header blocks not decoded: HPACK state unknown */
	uint64_t malformed;       /* frames that contradict RFC 9113 (bad padding, ...) */
};

struct cap_h2_dir;

/* A decoder for one direction. from_client: the client's side, which starts with the
 * connection preface (skipped when present). NULL when memory runs out. */
struct cap_h2_dir *cap_h2_dir_new(bool from_client, const struct cap_h2_limits *lim);
void cap_h2_dir_free(struct cap_h2_dir *d);
/* Decodes the complete frames at the start of p[0..n) and returns how many bytes it took;
 * the caller keeps the rest and offers it again with more bytes. Events go to cb. */
size_t cap_h2_dir_consume(struct cap_h2_dir *d, const uint8_t *p, size_t n, cap_h2_cb cb,
			  void *ctx);
/* Bytes went missing (a reassembly gap): frame boundaries and HPACK state are lost. */
void cap_h2_dir_gap(struct cap_h2_dir *d);
const struct cap_h2_stats *cap_h2_dir_stats(const struct cap_h2_dir *d);

/* True when p starts with the client connection preface (or a prefix of it, when n < 24). */
bool cap_h2_is_preface(const uint8_t *p, size_t n);
/* "NO_ERROR", "HTTP_1_1_REQUIRED", ... (RFC 9113 section 7); NULL for an unknown code. */
const char *cap_h2_error_name(uint32_t code);

#endif /* NEGSCOPE_HTTP2_H */
