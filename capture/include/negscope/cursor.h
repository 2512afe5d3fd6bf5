/* cursor.h - the one bounds-checked reader for untrusted bytes.
 *
 * Every decoder in negscope reads packet and token bytes through a struct
 * cap_cursor: a pointer, the bytes remaining, and a sticky status.  A read
 * that would run past the end sets the status (only the first error is kept)
 * and returns 0 / NULL; from then on every read returns 0 / NULL.  Callers do
 * a run of reads and test cap_cur_ok() once at the end.  No macro jumps.
 *
 * Length-delimited things (a DER value, an IP payload, an NTLM security
 * buffer) become sub-cursors bounded to their own bytes, so a child decoder
 * can never read its neighbour's bytes.
 *
 * Truncated (ran out of captured bytes) and malformed (bytes contradict the
 * format) are kept apart, as libpcap keeps caplen and len apart.
 */
#ifndef NEGSCOPE_CURSOR_H
#define NEGSCOPE_CURSOR_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

enum cap_status {
	CAP_OK = 0,
	CAP_TRUNCATED,  /* the bytes ended before the structure did */
	CAP_MALFORMED,  /* the bytes are there but contradict the format */
	CAP_LIMIT,      /* a configured cap (depth, count, size) was hit */
	CAP_UNSUPPORTED /* valid, but a form we do not decode */
};

struct cap_cursor {
	const uint8_t *p;
	size_t len;
	enum cap_status status;
};

/* A (pointer, length) slice into a buffer someone else owns. */
struct cap_span {
	const uint8_t *p;
	size_t len;
};

/* "ok", "truncated", "malformed", "limit", "unsupported"; "?" for any other value. */
const char *cap_status_name(enum cap_status s);

static inline struct cap_cursor cap_cur_init(const void *p, size_t len)
{
	struct cap_cursor c;
	c.p = (const uint8_t *)p;
	c.len = p != NULL ? len : 0;
	c.status = CAP_OK;
	return c;
}

static inline struct cap_cursor cap_cur_from_span(struct cap_span s)
{
	return cap_cur_init(s.p, s.len);
}

static inline int cap_cur_ok(const struct cap_cursor *c)
{
	return c->status == CAP_OK;
}

/* Keep the first error only.  Failing is never success: a CAP_OK here is kept as
 * CAP_MALFORMED, so the cursor cannot end up empty yet OK. */
static inline void cap_cur_fail(struct cap_cursor *c, enum cap_status s)
{
	if (c->status == CAP_OK)
		c->status = s != CAP_OK ? s : CAP_MALFORMED;
	c->len = 0;
}

static inline size_t cap_cur_left(const struct cap_cursor *c)
{
	return c->status == CAP_OK ? c->len : 0;
}

/* Returns a pointer to n bytes and advances, or NULL (status set). */
static inline const uint8_t *cap_cur_bytes(struct cap_cursor *c, size_t n)
{
	const uint8_t *r;

	if (c->status != CAP_OK)
		return NULL;
	if (n > c->len) {
		cap_cur_fail(c, CAP_TRUNCATED);
		return NULL;
	}
	r = c->p;
	if (n > 0) { /* a NULL cursor stays NULL: NULL + 0 is undefined (UBSan) */
		c->p += n;
		c->len -= n;
	}
	return r;
}

static inline int cap_cur_skip(struct cap_cursor *c, size_t n)
{
	(void)cap_cur_bytes(c, n);
	return cap_cur_ok(c);
}

/* Takes the next n bytes as a sub-cursor; the parent moves past them. */
static inline struct cap_cursor cap_cur_sub(struct cap_cursor *c, size_t n)
{
	const uint8_t *p = cap_cur_bytes(c, n);
	struct cap_cursor s = cap_cur_init(p, p != NULL ? n : 0);

	if (p == NULL)
		s.status = c->status == CAP_OK ? CAP_TRUNCATED : c->status;
	return s;
}

static inline struct cap_span cap_cur_span(struct cap_cursor *c, size_t n)
{
	struct cap_span s;

	s.p = cap_cur_bytes(c, n);
	s.len = s.p != NULL ? n : 0;
	return s;
}

/* The remaining bytes as a span, without advancing. */
static inline struct cap_span cap_cur_rest(const struct cap_cursor *c)
{
	struct cap_span s;

	s.p = c->status == CAP_OK ? c->p : NULL;
	s.len = c->status == CAP_OK ? c->len : 0;
	return s;
}

/* Peeks at byte i ahead without advancing; -1 when it is not there. */
static inline int cap_cur_peek(const struct cap_cursor *c, size_t i)
{
	if (c->status != CAP_OK || i >= c->len)
		return -1;
	return c->p[i];
}

static inline uint8_t cap_cur_u8(struct cap_cursor *c)
{
	const uint8_t *b = cap_cur_bytes(c, 1);
	return b != NULL ? b[0] : 0;
}

static inline uint16_t cap_cur_be16(struct cap_cursor *c)
{
	const uint8_t *b = cap_cur_bytes(c, 2);
	return b != NULL ? (uint16_t)((b[0] << 8) | b[1]) : 0;
}

static inline uint32_t cap_cur_be32(struct cap_cursor *c)
{
	const uint8_t *b = cap_cur_bytes(c, 4);
	return b != NULL ? ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) |
				   ((uint32_t)b[2] << 8) | b[3]
			 : 0;
}

static inline uint16_t cap_cur_le16(struct cap_cursor *c)
{
	const uint8_t *b = cap_cur_bytes(c, 2);
	return b != NULL ? (uint16_t)(b[0] | (b[1] << 8)) : 0;
}

static inline uint32_t cap_cur_le32(struct cap_cursor *c)
{
	const uint8_t *b = cap_cur_bytes(c, 4);
	return b != NULL ? (uint32_t)b[0] | ((uint32_t)b[1] << 8) |
				   ((uint32_t)b[2] << 16) | ((uint32_t)b[3] << 24)
			 : 0;
}

static inline uint64_t cap_cur_le64(struct cap_cursor *c)
{
	uint64_t lo = cap_cur_le32(c);
	uint64_t hi = cap_cur_le32(c);
	return lo | (hi << 32);
}

/* Copies n bytes out; on failure the destination is zeroed. */
static inline int cap_cur_copy(struct cap_cursor *c, void *dst, size_t n)
{
	const uint8_t *b = cap_cur_bytes(c, n);

	if (b == NULL) {
		memset(dst, 0, n);
		return 0;
	}
	memcpy(dst, b, n);
	return 1;
}

/* Checks that [off, off+len) lies inside a buffer of total bytes, by
 * subtraction so that no sum can overflow (curl ntlm_decode_type2_target). */
static inline int cap_range_ok(size_t off, size_t len, size_t total)
{
	return off <= total && len <= total - off;
}

/* A sub-cursor over [off, off+len) of a span, or a failed cursor. */
static inline struct cap_cursor cap_span_slice(struct cap_span s, size_t off,
					       size_t len)
{
	struct cap_cursor c;

	if (!cap_range_ok(off, len, s.len) || s.p == NULL) {
		c = cap_cur_init(NULL, 0);
		c.status = CAP_MALFORMED;
		return c;
	}
	return cap_cur_init(s.p + off, len);
}

static inline int cap_span_eq(struct cap_span s, const char *lit)
{
	size_t n = strlen(lit);
	return s.len == n && (n == 0 || memcmp(s.p, lit, n) == 0);
}

static inline struct cap_span cap_span_of(const void *p, size_t len)
{
	struct cap_span s;
	s.p = (const uint8_t *)p;
	s.len = len;
	return s;
}

#endif /* NEGSCOPE_CURSOR_H */
