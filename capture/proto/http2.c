/* http2.c - HTTP/2 frames (RFC 9113 sections 4 and 6) of one direction, header blocks
 * decompressed by libnghttp2's HPACK inflater (RFC 7541). */
#include "negscope/http2.h"

#include <nghttp2/nghttp2.h>
#include <stdlib.h>
#include <string.h>

#include "negscope/dynbuf.h"
#include "negscope/tok.h"

#define FRAME_HEAD 9 /* RFC 9113 section 4.1 */

enum { F_DATA = 0, F_HEADERS = 1, F_PRIORITY = 2, F_RST_STREAM = 3, F_SETTINGS = 4,
       F_PUSH_PROMISE = 5, F_PING = 6, F_GOAWAY = 7, F_WINDOW_UPDATE = 8, F_CONTINUATION = 9 };
#define FL_END_STREAM  0x01u
#define FL_END_HEADERS 0x04u
#define FL_PADDED      0x08u
#define FL_PRIORITY    0x20u

struct cap_h2_dir {
	struct cap_h2_limits lim;
	struct cap_h2_stats st;
	nghttp2_hd_inflater *inflater;
	bool want_preface;   /* the client side, before its first frame */
	bool lost;           /* frame boundaries lost (a gap): nothing more is decoded */
	bool hpack_lost;     /* HPACK state unknown: header blocks are not decoded */
	uint64_t skip;       /* bytes of an over-size frame still to skip */
	/* the header block being gathered (HEADERS or PUSH_PROMISE + CONTINUATION) */
	bool in_block;
	bool block_cut;      /* the compressed block passed the cap */
	bool block_report;   /* HEADERS (reported) rather than PUSH_PROMISE (only inflated) */
	bool block_end_stream;
	uint32_t block_stream;
	struct cap_dynbuf block;  /* compressed block */
	struct cap_dynbuf fields; /* decoded names and values, back to back */
	struct cap_http_header *hdrs;
	size_t *offs;             /* per field: name offset, name len, value offset, value len */
};

static const struct cap_tok h2_errors[] = {
	{ 0x0, "NO_ERROR" }, { 0x1, "PROTOCOL_ERROR" }, { 0x2, "INTERNAL_ERROR" },
	{ 0x3, "FLOW_CONTROL_ERROR" }, { 0x4, "SETTINGS_TIMEOUT" }, { 0x5, "STREAM_CLOSED" },
	{ 0x6, "FRAME_SIZE_ERROR" }, { 0x7, "REFUSED_STREAM" }, { 0x8, "CANCEL" },
	{ 0x9, "COMPRESSION_ERROR" }, { 0xa, "CONNECT_ERROR" }, { 0xb, "ENHANCE_YOUR_CALM" },
	{ 0xc, "INADEQUATE_SECURITY" }, { 0xd, "HTTP_1_1_REQUIRED" }, { 0, NULL }
};

const char *cap_h2_error_name(uint32_t code)
{
	return cap_tok_name(h2_errors, code, NULL);
}

bool cap_h2_is_preface(const uint8_t *p, size_t n)
{
	size_t k = n < CAP_H2_PREFACE_LEN ? n : CAP_H2_PREFACE_LEN;

	return n > 0 && memcmp(p, CAP_H2_PREFACE, k) == 0;
}

struct cap_h2_dir *cap_h2_dir_new(bool from_client, const struct cap_h2_limits *lim)
{
	struct cap_h2_dir *d = calloc(1, sizeof(*d));

	if (d == NULL)
		return NULL;
	d->lim = *lim;
	if (d->lim.max_frame == 0)
		d->lim.max_frame = 1u << 20;
	if (d->lim.max_header_list == 0)
		d->lim.max_header_list = 128u << 10;
	if (d->lim.max_headers == 0)
		d->lim.max_headers = 256;
	d->want_preface = from_client;
	d->hdrs = calloc(d->lim.max_headers, sizeof(*d->hdrs));
	d->offs = calloc(d->lim.max_headers * 4, sizeof(*d->offs));
	cap_dynbuf_init(&d->block, d->lim.max_header_list);
	cap_dynbuf_init(&d->fields, d->lim.max_header_list);
	/* The encoder may grow its table to what the peer's SETTINGS allow; a passive decoder
	 * does not see them reliably, so it accepts up to a fixed cap (RFC 7541 section 4.2). */
	if (d->hdrs == NULL || d->offs == NULL || nghttp2_hd_inflate_new(&d->inflater) != 0 ||
	    nghttp2_hd_inflate_change_table_size(d->inflater, CAP_H2_MAX_TABLE) != 0) {
		cap_h2_dir_free(d);
		return NULL;
	}
	return d;
}

void cap_h2_dir_free(struct cap_h2_dir *d)
{
	if (d == NULL)
		return;
	if (d->inflater != NULL)
		nghttp2_hd_inflate_del(d->inflater);
	cap_dynbuf_free(&d->block);
	cap_dynbuf_free(&d->fields);
	free(d->hdrs);
	free(d->offs);
	free(d);
}

const struct cap_h2_stats *cap_h2_dir_stats(const struct cap_h2_dir *d)
{
	return &d->st;
}

void cap_h2_dir_gap(struct cap_h2_dir *d)
{
	d->lost = true;
	d->in_block = false;
}

/* Keeps one decoded field; over a cap it is dropped and the block marked cut. */
static void keep_field(struct cap_h2_dir *d, size_t *n, const nghttp2_nv *nv, bool *cut)
{
	size_t at = cap_dynbuf_len(&d->fields);

	if (*n >= d->lim.max_headers ||
	    cap_dynbuf_add_whole(&d->fields, nv->name, nv->namelen) != CAP_DYN_OK ||
	    cap_dynbuf_add_whole(&d->fields, nv->value, nv->valuelen) != CAP_DYN_OK) {
		*cut = true;
		return;
	}
	d->offs[*n * 4] = at;
	d->offs[*n * 4 + 1] = nv->namelen;
	d->offs[*n * 4 + 2] = at + nv->namelen;
	d->offs[*n * 4 + 3] = nv->valuelen;
	(*n)++;
}

/* Decompresses the gathered block and reports it (HEADERS) or only keeps the HPACK state
 * in step (PUSH_PROMISE). */
static void end_block(struct cap_h2_dir *d, cap_h2_cb cb, void *ctx)
{
	const uint8_t *in = (const uint8_t *)cap_dynbuf_ptr(&d->block);
	size_t left = cap_dynbuf_len(&d->block), n = 0, i;
	bool cut = false;
	struct cap_h2_event ev;

	d->in_block = false;
	d->st.header_blocks++;
	if (d->hpack_lost) {
		d->st.blocks_lost++;
		return;
	}
	if (d->block_cut) {
		/* a block not seen whole cannot be inflated, and the table it changed is lost */
		d->st.header_cap_hits++;
		d->st.blocks_lost++;
		d->hpack_lost = true;
		return;
	}
	cap_dynbuf_reset(&d->fields);
	for (;;) {
		nghttp2_nv nv;
		int flags = 0;
		ssize_t r = nghttp2_hd_inflate_hd2(d->inflater, &nv, &flags, in, left, 1);

		if (r < 0) {
			d->st.hpack_errors++;
			d->hpack_lost = true;
			return;
		}
		in += r;
		left -= (size_t)r;
		if (flags & NGHTTP2_HD_INFLATE_EMIT)
			keep_field(d, &n, &nv, &cut);
		if (flags & NGHTTP2_HD_INFLATE_FINAL) {
			nghttp2_hd_inflate_end_headers(d->inflater);
			break;
		}
		if (r == 0 && left == 0 && !(flags & NGHTTP2_HD_INFLATE_EMIT)) {
			d->st.hpack_errors++;
			d->hpack_lost = true;
			return;
		}
	}
	if (cut)
		d->st.header_cap_hits++;
	if (!d->block_report)
		return;
	for (i = 0; i < n; i++) {
		const uint8_t *base = (const uint8_t *)cap_dynbuf_ptr(&d->fields);

		d->hdrs[i].name = cap_span_of(base + d->offs[i * 4], d->offs[i * 4 + 1]);
		d->hdrs[i].value = cap_span_of(base + d->offs[i * 4 + 2], d->offs[i * 4 + 3]);
	}
	memset(&ev, 0, sizeof(ev));
	ev.kind = CAP_H2_HEADERS;
	ev.stream_id = d->block_stream;
	ev.end_stream = d->block_end_stream;
	ev.headers = d->hdrs;
	ev.nheaders = n;
	ev.header_bytes = cap_dynbuf_len(&d->block);
	ev.headers_cut = cut;
	cb(ctx, &ev);
}

static void add_fragment(struct cap_h2_dir *d, struct cap_span frag)
{
	if (frag.len > 0 && cap_dynbuf_add(&d->block, frag.p, frag.len) != CAP_DYN_OK)
		d->block_cut = true;
}

/* The header block fragment of HEADERS / PUSH_PROMISE: padding and priority removed
 * (RFC 9113 sections 6.2 and 6.6). False when the frame contradicts its own lengths. */
static bool block_fragment(struct cap_cursor *pl, unsigned type, unsigned flags,
			   struct cap_span *out)
{
	size_t pad = 0;

	if (flags & FL_PADDED)
		pad = cap_cur_u8(pl);
	if (type == F_HEADERS && (flags & FL_PRIORITY))
		cap_cur_skip(pl, 5);
	if (type == F_PUSH_PROMISE)
		cap_cur_skip(pl, 4);
	if (!cap_cur_ok(pl) || pad > cap_cur_left(pl))
		return false;
	*out = cap_cur_span(pl, cap_cur_left(pl) - pad);
	return cap_cur_ok(pl);
}

static void frame(struct cap_h2_dir *d, unsigned type, unsigned flags, uint32_t sid,
		  struct cap_cursor *pl, cap_h2_cb cb, void *ctx)
{
	struct cap_h2_event ev;
	struct cap_span frag;

	memset(&ev, 0, sizeof(ev));
	d->st.frames++;
	if (d->in_block && type != F_CONTINUATION) {
		/* RFC 9113 section 6.10: only CONTINUATION may follow an open block */
		d->st.malformed++;
		d->in_block = false;
		d->hpack_lost = true;
	}
	switch (type) {
	case F_HEADERS:
	case F_PUSH_PROMISE:
		if (!block_fragment(pl, type, flags, &frag)) {
			d->st.malformed++;
			d->hpack_lost = true;
			return;
		}
		cap_dynbuf_reset(&d->block);
		d->block_cut = false;
		d->in_block = true;
		d->block_report = type == F_HEADERS;
		d->block_end_stream = (flags & FL_END_STREAM) != 0;
		d->block_stream = sid;
		add_fragment(d, frag);
		if (flags & FL_END_HEADERS)
			end_block(d, cb, ctx);
		return;
	case F_CONTINUATION:
		if (!d->in_block || sid != d->block_stream) {
			d->st.malformed++;
			return;
		}
		add_fragment(d, cap_cur_rest(pl));
		if (flags & FL_END_HEADERS)
			end_block(d, cb, ctx);
		return;
	case F_RST_STREAM:
		ev.kind = CAP_H2_RST_STREAM;
		ev.stream_id = sid;
		ev.error_code = cap_cur_be32(pl);
		break;
	case F_GOAWAY:
		ev.kind = CAP_H2_GOAWAY;
		ev.last_stream_id = cap_cur_be32(pl) & 0x7fffffffu;
		ev.error_code = cap_cur_be32(pl);
		break;
	default:
		return; /* DATA, PRIORITY, SETTINGS, PING, WINDOW_UPDATE, unknown: nothing to say */
	}
	if (!cap_cur_ok(pl)) {
		d->st.malformed++;
		return;
	}
	cb(ctx, &ev);
}

size_t cap_h2_dir_consume(struct cap_h2_dir *d, const uint8_t *p, size_t n, cap_h2_cb cb,
			  void *ctx)
{
	struct cap_cursor c = cap_cur_init(p, n);

	if (d->lost)
		return n;
	if (d->want_preface) {
		if (n < CAP_H2_PREFACE_LEN && cap_h2_is_preface(p, n))
			return 0; /* the rest of the preface is still to come */
		if (cap_h2_is_preface(p, n))
			cap_cur_skip(&c, CAP_H2_PREFACE_LEN);
		d->want_preface = false;
	}
	for (;;) {
		struct cap_cursor head, payload;
		uint32_t len, sid;
		unsigned type, flags;

		if (d->skip > 0) {
			size_t k = d->skip < cap_cur_left(&c) ? (size_t)d->skip : cap_cur_left(&c);

			cap_cur_skip(&c, k);
			d->skip -= k;
			if (d->skip > 0)
				break;
		}
		if (cap_cur_left(&c) < FRAME_HEAD)
			break;
		head = cap_cur_sub(&c, FRAME_HEAD);
		len = (uint32_t)cap_cur_u8(&head) << 16;
		len |= cap_cur_be16(&head);
		type = cap_cur_u8(&head);
		flags = cap_cur_u8(&head);
		sid = cap_cur_be32(&head) & 0x7fffffffu;
		if (len > d->lim.max_frame) {
			d->st.frames++;
			d->st.frame_cap_hits++;
			if (type == F_HEADERS || type == F_CONTINUATION || type == F_PUSH_PROMISE) {
				d->in_block = false;
				d->hpack_lost = true;
			}
			d->skip = len;
			continue;
		}
		if (cap_cur_left(&c) < len) {
			/* wait for the whole frame: un-read its head */
			return n - cap_cur_left(&c) - FRAME_HEAD;
		}
		payload = cap_cur_sub(&c, len);
		frame(d, type, flags, sid, &payload, cb, ctx);
	}
	return n - cap_cur_left(&c);
}
