/* json.c - streaming JSON-lines writer with structural checks (RFC 8259). */
#include <math.h>
#include <string.h>

#include "negscope/json.h"
#include "negscope/tok.h"

static void set_status(struct cap_json *j, enum cap_json_status s)
{
	if (j->status == CAP_JSON_OK)
		j->status = s;
}

static void put(struct cap_json *j, const char *s, size_t n)
{
	if (j->status != CAP_JSON_OK || n == 0)
		return;
	if (j->fp != NULL) {
		if (fwrite(s, 1, n, j->fp) != n)
			set_status(j, CAP_JSON_IO);
		return;
	}
	/* Cut at the end of the caller's array: the line is unusable and the status says so. */
	if (cap_dynbuf_add(&j->out, s, n) != CAP_DYN_OK)
		set_status(j, CAP_JSON_FULL);
}

static void puts_lit(struct cap_json *j, const char *s)
{
	put(j, s, strlen(s));
}

static void clear_state(struct cap_json *j)
{
	j->status = CAP_JSON_OK;
	j->depth = 0;
	j->have_key = 0;
	j->top_done = 0;
	memset(j->is_obj, 0, sizeof(j->is_obj));
	memset(j->has_elem, 0, sizeof(j->has_elem));
}

void cap_json_init_file(struct cap_json *j, FILE *fp)
{
	j->fp = fp;
	cap_dynbuf_init_fixed(&j->out, NULL, 0);
	clear_state(j);
	if (fp == NULL)
		j->status = CAP_JSON_MISUSE;
}

void cap_json_init_buf(struct cap_json *j, char *buf, size_t cap)
{
	j->fp = NULL;
	cap_dynbuf_init_fixed(&j->out, buf, cap);
	clear_state(j);
	if (buf == NULL || cap == 0)
		j->status = CAP_JSON_MISUSE;
}

void cap_json_reset(struct cap_json *j)
{
	enum cap_json_status keep = j->status;

	clear_state(j);
	if (j->fp == NULL) {
		if (j->out.p != NULL)
			cap_dynbuf_reset(&j->out);
		else
			j->status = keep;
	}
}

enum cap_json_status cap_json_status(const struct cap_json *j)
{
	return j->status;
}

static const struct cap_tok json_status_names[] = {
	{ CAP_JSON_OK, "ok" },
	{ CAP_JSON_FULL, "output buffer full" },
	{ CAP_JSON_IO, "write error" },
	{ CAP_JSON_MISUSE, "JSON writer misuse" },
	{ 0, NULL },
};

const char *cap_json_status_name(enum cap_json_status s)
{
	return cap_tok_name(json_status_names, s, "?");
}

size_t cap_json_len(const struct cap_json *j)
{
	return cap_dynbuf_len(&j->out);
}

/* Called before any value: checks it is allowed here and writes the comma. */
static int before_value(struct cap_json *j)
{
	if (j->status != CAP_JSON_OK)
		return 0;
	if (j->depth == 0) {
		if (j->top_done) {
			set_status(j, CAP_JSON_MISUSE);
			return 0;
		}
		return 1;
	}
	if (j->is_obj[j->depth - 1]) {
		if (!j->have_key) {
			set_status(j, CAP_JSON_MISUSE);
			return 0;
		}
		j->have_key = 0;
		return 1;
	}
	if (j->has_elem[j->depth - 1])
		put(j, ",", 1);
	j->has_elem[j->depth - 1] = 1;
	return j->status == CAP_JSON_OK;
}

/* Called after a complete value at the current level. */
static void after_value(struct cap_json *j)
{
	if (j->depth == 0)
		j->top_done = 1;
}

static void open_container(struct cap_json *j, int is_obj)
{
	if (!before_value(j))
		return;
	if (j->depth >= CAP_JSON_MAX_DEPTH) {
		set_status(j, CAP_JSON_MISUSE);
		return;
	}
	put(j, is_obj ? "{" : "[", 1);
	j->is_obj[j->depth] = (unsigned char)is_obj;
	j->has_elem[j->depth] = 0;
	j->depth++;
}

static void close_container(struct cap_json *j, int is_obj)
{
	if (j->status != CAP_JSON_OK)
		return;
	if (j->depth == 0 || j->is_obj[j->depth - 1] != is_obj || j->have_key) {
		set_status(j, CAP_JSON_MISUSE);
		return;
	}
	j->depth--;
	put(j, is_obj ? "}" : "]", 1);
	after_value(j);
}

void cap_json_obj_begin(struct cap_json *j)
{
	open_container(j, 1);
}

void cap_json_obj_end(struct cap_json *j)
{
	close_container(j, 1);
}

void cap_json_arr_begin(struct cap_json *j)
{
	open_container(j, 0);
}

void cap_json_arr_end(struct cap_json *j)
{
	close_container(j, 0);
}

/* Length of the valid UTF-8 sequence at the cursor (2-4), or 0 when it is not one. */
static size_t utf8_seq_len(const struct cap_cursor *c)
{
	int b0 = cap_cur_peek(c, 0), b1 = cap_cur_peek(c, 1);
	int lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (b0 >= 0xc2 && b0 <= 0xdf)
		n = 2;
	else if (b0 >= 0xe0 && b0 <= 0xef)
		n = 3;
	else if (b0 >= 0xf0 && b0 <= 0xf4)
		n = 4;
	else
		return 0;
	/* Second-byte ranges that exclude overlongs, surrogates and > U+10FFFF. */
	if (b0 == 0xe0)
		lo = 0xa0;
	else if (b0 == 0xed)
		hi = 0x9f;
	else if (b0 == 0xf0)
		lo = 0x90;
	else if (b0 == 0xf4)
		hi = 0x8f;
	if (b1 < lo || b1 > hi)
		return 0;
	for (i = 2; i < n; i++) {
		int b = cap_cur_peek(c, i);

		if (b < 0x80 || b > 0xbf)
			return 0;
	}
	return n;
}

static void put_escaped(struct cap_json *j, const void *s, size_t n)
{
	static const char hexd[] = "0123456789abcdef";
	struct cap_cursor c = cap_cur_init(s, n);

	put(j, "\"", 1);
	while (cap_cur_left(&c) > 0 && j->status == CAP_JSON_OK) {
		int b = cap_cur_peek(&c, 0);
		size_t run = 0;

		/* Copy the longest run of plain ASCII in one write. */
		while (b >= 0x20 && b < 0x7f && b != '"' && b != '\\') {
			run++;
			b = cap_cur_peek(&c, run);
		}
		if (run > 0) {
			put(j, (const char *)cap_cur_bytes(&c, run), run);
			continue;
		}
		b = cap_cur_peek(&c, 0);
		if (b >= 0x80) {
			size_t sl = utf8_seq_len(&c);

			if (sl == 2 && b == 0xC2 && cap_cur_peek(&c, 1) < 0xA0) {
				/* a C1 control (U+0080..U+009F, ECMA-48): escaped, as C0 is, so a
				 * terminal showing the JSON never sees a raw CSI */
				int lo = cap_cur_peek(&c, 1);
				char u[7] = { '\\', 'u', '0', '0', hexd[(lo >> 4) & 15],
					       hexd[lo & 15], 0 };

				(void)cap_cur_bytes(&c, 2);
				put(j, u, 6);
			} else if (sl > 0) {
				put(j, (const char *)cap_cur_bytes(&c, sl), sl);
			} else {
				(void)cap_cur_u8(&c);
				puts_lit(j, "\\ufffd");
			}
			continue;
		}
		(void)cap_cur_u8(&c);
		switch (b) {
		case '"': puts_lit(j, "\\\""); break;
		case '\\': puts_lit(j, "\\\\"); break;
		case '\n': puts_lit(j, "\\n"); break;
		case '\r': puts_lit(j, "\\r"); break;
		case '\t': puts_lit(j, "\\t"); break;
		case '\b': puts_lit(j, "\\b"); break;
		case '\f': puts_lit(j, "\\f"); break;
		default: {
			char u[7] = { '\\', 'u', '0', '0', hexd[(b >> 4) & 15], hexd[b & 15], 0 };

			put(j, u, 6);
		}
		}
	}
	put(j, "\"", 1);
}

void cap_json_key(struct cap_json *j, const char *key)
{
	if (j->status != CAP_JSON_OK)
		return;
	if (j->depth == 0 || !j->is_obj[j->depth - 1] || j->have_key || key == NULL) {
		set_status(j, CAP_JSON_MISUSE);
		return;
	}
	if (j->has_elem[j->depth - 1])
		put(j, ",", 1);
	j->has_elem[j->depth - 1] = 1;
	put_escaped(j, key, strlen(key));
	put(j, ":", 1);
	j->have_key = 1;
}

void cap_json_strn(struct cap_json *j, const void *s, size_t n)
{
	if (s == NULL && n > 0) {
		set_status(j, CAP_JSON_MISUSE);
		return;
	}
	if (!before_value(j))
		return;
	put_escaped(j, s, n);
	after_value(j);
}

void cap_json_str(struct cap_json *j, const char *s)
{
	if (s == NULL)
		cap_json_null(j);
	else
		cap_json_strn(j, s, strlen(s));
}

void cap_json_span(struct cap_json *j, struct cap_span s)
{
	cap_json_strn(j, s.p, s.p != NULL ? s.len : 0);
}

static void put_number(struct cap_json *j, const char *fmt_out, int n)
{
	if (n < 0) {
		set_status(j, CAP_JSON_MISUSE);
		return;
	}
	put(j, fmt_out, (size_t)n);
}

void cap_json_int(struct cap_json *j, long long v)
{
	char b[32];

	if (!before_value(j))
		return;
	put_number(j, b, snprintf(b, sizeof(b), "%lld", v));
	after_value(j);
}

void cap_json_uint(struct cap_json *j, unsigned long long v)
{
	char b[32];

	if (!before_value(j))
		return;
	put_number(j, b, snprintf(b, sizeof(b), "%llu", v));
	after_value(j);
}

void cap_json_double(struct cap_json *j, double v)
{
	char b[40];

	if (!isfinite(v)) {
		cap_json_null(j);
		return;
	}
	if (!before_value(j))
		return;
	put_number(j, b, snprintf(b, sizeof(b), "%.17g", v));
	after_value(j);
}

void cap_json_bool(struct cap_json *j, int v)
{
	if (!before_value(j))
		return;
	puts_lit(j, v ? "true" : "false");
	after_value(j);
}

void cap_json_null(struct cap_json *j)
{
	if (!before_value(j))
		return;
	puts_lit(j, "null");
	after_value(j);
}

void cap_json_hex(struct cap_json *j, struct cap_span s)
{
	static const char hexd[] = "0123456789abcdef";
	struct cap_cursor c = cap_cur_from_span(s);

	if (!before_value(j))
		return;
	put(j, "\"", 1);
	while (cap_cur_left(&c) > 0 && j->status == CAP_JSON_OK) {
		char two[2];
		uint8_t b = cap_cur_u8(&c);

		two[0] = hexd[b >> 4];
		two[1] = hexd[b & 15];
		put(j, two, 2);
	}
	put(j, "\"", 1);
	after_value(j);
}

void cap_json_kv_str(struct cap_json *j, const char *key, const char *s)
{
	cap_json_key(j, key);
	cap_json_str(j, s);
}

void cap_json_kv_strn(struct cap_json *j, const char *key, const void *s, size_t n)
{
	cap_json_key(j, key);
	cap_json_strn(j, s, n);
}

void cap_json_kv_span(struct cap_json *j, const char *key, struct cap_span s)
{
	cap_json_key(j, key);
	cap_json_span(j, s);
}

void cap_json_kv_int(struct cap_json *j, const char *key, long long v)
{
	cap_json_key(j, key);
	cap_json_int(j, v);
}

void cap_json_kv_uint(struct cap_json *j, const char *key, unsigned long long v)
{
	cap_json_key(j, key);
	cap_json_uint(j, v);
}

void cap_json_kv_double(struct cap_json *j, const char *key, double v)
{
	cap_json_key(j, key);
	cap_json_double(j, v);
}

void cap_json_kv_bool(struct cap_json *j, const char *key, int v)
{
	cap_json_key(j, key);
	cap_json_bool(j, v);
}

void cap_json_kv_null(struct cap_json *j, const char *key)
{
	cap_json_key(j, key);
	cap_json_null(j);
}

void cap_json_kv_hex(struct cap_json *j, const char *key, struct cap_span s)
{
	cap_json_key(j, key);
	cap_json_hex(j, s);
}

void cap_json_kv_obj_begin(struct cap_json *j, const char *key)
{
	cap_json_key(j, key);
	cap_json_obj_begin(j);
}

void cap_json_kv_arr_begin(struct cap_json *j, const char *key)
{
	cap_json_key(j, key);
	cap_json_arr_begin(j);
}

enum cap_json_status cap_json_end_line(struct cap_json *j)
{
	if (j->status != CAP_JSON_OK)
		return j->status;
	if (j->depth != 0 || !j->top_done) {
		set_status(j, CAP_JSON_MISUSE);
		return j->status;
	}
	put(j, "\n", 1);
	if (j->fp != NULL && fflush(j->fp) != 0)
		set_status(j, CAP_JSON_IO);
	j->top_done = 0;
	return j->status;
}
