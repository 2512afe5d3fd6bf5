/* der.c - DER reader: TLVs, typed primitives, OIDs, bounded tree walk.
 *
 * Reference: ITU-T X.690 §8 (BER) and §10 (DER restrictions).  Strictness
 * follows MIT krb5 asn1_encode.c get_tag(): definite lengths only, length
 * checked against what remains, oversize tags and lengths refused.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "negscope/der.h"
#include "negscope/dynbuf.h"
#include "negscope/tok.h"

/* Identifier octets (X.690 §8.1.2).  Fails the cursor on error. */
static int get_ident(struct cap_cursor *t, struct cap_der *d)
{
	uint8_t id, b;
	uint32_t tag;
	unsigned n = 0;

	id = cap_cur_u8(t);
	if (!cap_cur_ok(t))
		return 0;
	d->cls = (enum cap_der_class)(id >> 6);
	d->constructed = (id >> 5) & 1;
	tag = id & 0x1f;
	if (tag == 0x1f) {
		tag = 0;
		do {
			b = cap_cur_u8(t);
			if (!cap_cur_ok(t))
				return 0;
			/* A leading 0x80 pad is forbidden by §8.1.2.4.2c. */
			if (n == 0 && b == 0x80)
				d->anomalies |= CAP_DER_ANOM_NONMIN_TAG;
			if (tag > (CAP_DER_MAX_TAG >> 7)) {
				cap_cur_fail(t, CAP_LIMIT);
				return 0;
			}
			tag = (tag << 7) | (b & 0x7fu);
			n++;
		} while (b & 0x80);
		if (tag < 31)
			d->anomalies |= CAP_DER_ANOM_NONMIN_TAG;
	}
	d->tag = tag;
	return 1;
}

/* Length octets (X.690 §8.1.3), definite form only. */
static int get_len(struct cap_cursor *t, struct cap_der *d, size_t *len_out)
{
	uint8_t lb, b;
	size_t len = 0;
	unsigned i, n;

	lb = cap_cur_u8(t);
	if (!cap_cur_ok(t))
		return 0;
	if (lb < 0x80) {
		*len_out = lb;
		return 1;
	}
	if (lb == 0x80) {
		/* Indefinite: BER only, and it would need end-of-contents scanning. */
		cap_cur_fail(t, CAP_UNSUPPORTED);
		return 0;
	}
	if (lb == 0xff) {
		cap_cur_fail(t, CAP_MALFORMED); /* reserved, §8.1.3.5c */
		return 0;
	}
	n = lb & 0x7fu;
	for (i = 0; i < n; i++) {
		b = cap_cur_u8(t);
		if (!cap_cur_ok(t))
			return 0;
		if (i == 0 && b == 0)
			d->anomalies |= CAP_DER_ANOM_NONMIN_LEN;
		if (len > (SIZE_MAX >> 8)) {
			cap_cur_fail(t, CAP_MALFORMED); /* no buffer can hold it */
			return 0;
		}
		len = (len << 8) | b;
	}
	if (len < 0x80)
		d->anomalies |= CAP_DER_ANOM_NONMIN_LEN;
	*len_out = len;
	return 1;
}

void cap_der_budget_init(struct cap_der_budget *b, const struct cap_der_limits *lim)
{
	b->lim = cap_der_default_limits();
	if (lim != NULL && lim->max_depth != 0)
		b->lim.max_depth = lim->max_depth;
	if (lim != NULL && lim->max_elems != 0)
		b->lim.max_elems = lim->max_elems;
	b->elems = 0;
	b->hit = 0;
}

struct cap_der_reader cap_der_reader(struct cap_span in, struct cap_der_budget *b)
{
	struct cap_der_reader r;

	r.cur = cap_cur_from_span(in);
	r.budget = b;
	r.depth = 0;
	return r;
}

struct cap_der_reader cap_der_enter(const struct cap_der_reader *outer, struct cap_span value)
{
	struct cap_der_reader r;

	r.cur = cap_cur_from_span(value);
	r.budget = outer->budget;
	r.depth = outer->depth + 1;
	if (r.budget != NULL && r.depth > r.budget->lim.max_depth) {
		r.budget->hit |= CAP_DER_HIT_DEPTH;
		cap_cur_fail(&r.cur, CAP_LIMIT);
	}
	return r;
}

const char *cap_der_budget_text(const struct cap_der_budget *b, char *buf, size_t len)
{
	if (b == NULL || b->hit == 0 || len == 0)
		return NULL;
	if (b->hit & CAP_DER_HIT_DEPTH)
		snprintf(buf, len, "DER nesting deeper than %u levels (cap)",
			 b->lim.max_depth);
	else
		snprintf(buf, len, "more than %u DER elements (cap)",
			 b->lim.max_elems);
	return buf;
}

static int der_read(struct cap_cursor *c, struct cap_der *out);

/* Spends one element of budget b (NULL: none) on a read from c; 0 (status CAP_LIMIT) past
 * the cap. */
static int budget_take(struct cap_der_budget *b, struct cap_cursor *c)
{
	if (b == NULL || c->status != CAP_OK || c->len == 0)
		return 1;
	if (b->elems >= b->lim.max_elems) {
		b->hit |= CAP_DER_HIT_ELEMS;
		cap_cur_fail(c, CAP_LIMIT);
		return 0;
	}
	b->elems++;
	return 1;
}

int cap_der_get(struct cap_cursor *c, struct cap_der *out)
{
	return der_read(c, out);
}

/* One TLV from c, a cursor of r (r's own or a copy), spending one element of r's budget. */
static int take(struct cap_der_reader *r, struct cap_cursor *c, struct cap_der *out)
{
	if (!budget_take(r->budget, c)) {
		memset(out, 0, sizeof(*out));
		return 0;
	}
	return der_read(c, out);
}

int cap_der_read(struct cap_der_reader *r, struct cap_der *out)
{
	return take(r, &r->cur, out);
}

static int der_read(struct cap_cursor *c, struct cap_der *out)
{
	struct cap_cursor t;
	struct cap_der d;
	size_t len = 0, hlen;

	memset(&d, 0, sizeof(d));
	memset(out, 0, sizeof(*out));
	if (!cap_cur_ok(c))
		return 0;
	t = *c;
	if (!get_ident(&t, &d) || !get_len(&t, &d, &len)) {
		cap_cur_fail(c, t.status);
		return 0;
	}
	hlen = c->len - t.len;
	d.declared_len = len;
	if (len > t.len) {
		/* Header complete, contents cut: hand back what is there. */
		d.partial = 1;
		d.value = cap_cur_rest(&t);
		d.tlv = cap_span_of(c->p, c->len);
		*out = d;
		cap_cur_fail(c, CAP_TRUNCATED);
		return 0;
	}
	d.value = cap_cur_span(&t, len);
	d.tlv = cap_span_of(c->p, hlen + len);
	*c = t;
	*out = d;
	return 1;
}

int cap_der_peek(const struct cap_cursor *c, struct cap_der *out)
{
	struct cap_cursor t = *c;

	return der_read(&t, out); /* looking is free: only reader reads spend a budget */
}

/* A failed reader below r: it reads nothing, and keeps r's budget. */
static void fail_inner(const struct cap_der_reader *r, struct cap_der_reader *inner,
		       enum cap_status s)
{
	inner->cur = cap_cur_init(NULL, 0);
	inner->cur.status = s != CAP_OK ? s : CAP_MALFORMED;
	inner->budget = r->budget;
	inner->depth = r->depth + 1;
}

static int matches(const struct cap_der *d, enum cap_der_class cls,
		   int constructed, uint32_t tag)
{
	return d->cls == cls && (d->constructed != 0) == (constructed != 0) &&
	       d->tag == tag;
}

int cap_der_expect(struct cap_der_reader *r, enum cap_der_class cls,
		   int constructed, uint32_t tag, struct cap_der_reader *inner)
{
	struct cap_cursor *c = &r->cur;
	struct cap_cursor t;
	struct cap_der d;

	if (!cap_cur_ok(c)) {
		fail_inner(r, inner, c->status);
		return 0;
	}
	if (c->len == 0) {
		cap_cur_fail(c, CAP_TRUNCATED);
		fail_inner(r, inner, CAP_TRUNCATED);
		return 0;
	}
	t = *c;
	if (!take(r, &t, &d)) {
		if (d.partial && matches(&d, cls, constructed, tag)) {
			*inner = cap_der_enter(r, d.value);
			cap_cur_fail(c, inner->cur.status == CAP_LIMIT ? CAP_LIMIT : CAP_TRUNCATED);
			return inner->cur.status != CAP_LIMIT;
		}
		cap_cur_fail(c, d.partial ? CAP_MALFORMED : t.status);
		fail_inner(r, inner, c->status);
		return 0;
	}
	if (!matches(&d, cls, constructed, tag)) {
		cap_cur_fail(c, CAP_MALFORMED);
		fail_inner(r, inner, CAP_MALFORMED);
		return 0;
	}
	*c = t;
	*inner = cap_der_enter(r, d.value);
	if (inner->cur.status == CAP_LIMIT) { /* one level too deep: the walk stops here */
		cap_cur_fail(c, CAP_LIMIT);
		return 0;
	}
	return 1;
}

int cap_der_optional(struct cap_der_reader *r, enum cap_der_class cls,
		     int constructed, uint32_t tag, struct cap_der_reader *inner)
{
	struct cap_cursor *c = &r->cur;
	struct cap_cursor t;
	struct cap_der d;

	if (!cap_cur_ok(c) || c->len == 0) {
		fail_inner(r, inner, cap_cur_ok(c) ? CAP_MALFORMED : c->status);
		return 0;
	}
	t = *c;
	memset(&d, 0, sizeof(d));
	if (!get_ident(&t, &d)) {
		cap_cur_fail(c, t.status);
		fail_inner(r, inner, c->status);
		return 0;
	}
	if (!matches(&d, cls, constructed, tag)) {
		fail_inner(r, inner, CAP_MALFORMED);
		return 0;
	}
	return cap_der_expect(r, cls, constructed, tag, inner);
}

int cap_der_ctx(struct cap_der_reader *r, uint32_t n, struct cap_der_reader *inner)
{
	return cap_der_expect(r, CAP_DER_CONTEXT, 1, n, inner);
}

int cap_der_ctx_opt(struct cap_der_reader *r, uint32_t n, struct cap_der_reader *inner)
{
	return cap_der_optional(r, CAP_DER_CONTEXT, 1, n, inner);
}

int cap_der_seq(struct cap_der_reader *r, struct cap_der_reader *inner)
{
	return cap_der_expect(r, CAP_DER_UNIVERSAL, 1, CAP_DER_TAG_SEQUENCE,
			      inner);
}

/* One whole universal primitive TLV of the given tag (or any string tag
 * when tag == 0 and strings is set). */
static int get_prim(struct cap_der_reader *r, uint32_t tag, struct cap_der *d)
{
	struct cap_cursor *c = &r->cur;
	struct cap_cursor t;

	if (!cap_cur_ok(c))
		return 0;
	if (c->len == 0) {
		cap_cur_fail(c, CAP_TRUNCATED);
		return 0;
	}
	t = *c;
	if (!take(r, &t, d)) {
		cap_cur_fail(c, t.status);
		return 0;
	}
	if (d->cls != CAP_DER_UNIVERSAL || d->tag != tag) {
		cap_cur_fail(c, CAP_MALFORMED);
		return 0;
	}
	if (d->constructed) {
		cap_cur_fail(c, CAP_UNSUPPORTED);
		return 0;
	}
	*c = t;
	return 1;
}

enum cap_status cap_der_int64_value(struct cap_span v, int64_t *out,
				    unsigned *anomalies)
{
	struct cap_cursor c = cap_cur_from_span(v);
	uint64_t u;
	int b0, b1;
	unsigned anom = 0;

	*out = 0;
	if (v.len == 0)
		return CAP_MALFORMED;
	/* Strip redundant sign octets (non-minimal, tolerated). */
	for (;;) {
		b0 = cap_cur_peek(&c, 0);
		b1 = cap_cur_peek(&c, 1);
		if (b1 < 0)
			break;
		if ((b0 == 0x00 && !(b1 & 0x80)) || (b0 == 0xff && (b1 & 0x80))) {
			anom |= CAP_DER_ANOM_NONMIN_INT;
			cap_cur_skip(&c, 1);
			continue;
		}
		break;
	}
	if (cap_cur_left(&c) > 8)
		return CAP_LIMIT;
	u = (cap_cur_peek(&c, 0) & 0x80) ? UINT64_MAX : 0;
	while (cap_cur_left(&c) > 0)
		u = (u << 8) | cap_cur_u8(&c);
	/* Two's complement to int64 without implementation-defined casts. */
	if (u > (uint64_t)INT64_MAX)
		*out = -(int64_t)(~u) - 1;
	else
		*out = (int64_t)u;
	if (anomalies != NULL)
		*anomalies |= anom;
	return CAP_OK;
}

/* INTEGER and ENUMERATED share their encoding; only the tag differs. */
static int get_int64(struct cap_der_reader *r, uint32_t tag, int64_t *out)
{
	struct cap_cursor *c = &r->cur;
	struct cap_der d;
	enum cap_status s;

	*out = 0;
	if (!get_prim(r, tag, &d))
		return 0;
	s = cap_der_int64_value(d.value, out, NULL);
	if (s != CAP_OK) {
		cap_cur_fail(c, s);
		return 0;
	}
	return 1;
}

int cap_der_int64(struct cap_der_reader *r, int64_t *out)
{
	return get_int64(r, CAP_DER_TAG_INTEGER, out);
}

int cap_der_enumerated(struct cap_der_reader *r, int64_t *out)
{
	return get_int64(r, CAP_DER_TAG_ENUMERATED, out);
}

int cap_der_bool(struct cap_der_reader *r, int *out)
{
	struct cap_cursor *c = &r->cur;
	struct cap_der d;
	struct cap_cursor v;

	*out = 0;
	if (!get_prim(r, CAP_DER_TAG_BOOLEAN, &d))
		return 0;
	if (d.value.len != 1) {
		cap_cur_fail(c, CAP_MALFORMED);
		return 0;
	}
	v = cap_cur_from_span(d.value);
	*out = cap_cur_u8(&v) != 0;
	return 1;
}

int cap_der_null(struct cap_der_reader *r)
{
	struct cap_cursor *c = &r->cur;
	struct cap_der d;

	if (!get_prim(r, CAP_DER_TAG_NULL, &d))
		return 0;
	if (d.value.len != 0) {
		cap_cur_fail(c, CAP_MALFORMED);
		return 0;
	}
	return 1;
}

enum cap_status cap_der_bits32_value(struct cap_span v, uint32_t *out,
				     size_t *nbits_out, unsigned *anomalies)
{
	struct cap_cursor c = cap_cur_from_span(v);
	uint8_t unused, b = 0;
	uint32_t bits = 0;
	size_t nbytes, i;

	*out = 0;
	if (nbits_out != NULL)
		*nbits_out = 0;
	if (v.len == 0)
		return CAP_MALFORMED;
	unused = cap_cur_u8(&c);
	nbytes = v.len - 1;
	if (unused > 7 || (nbytes == 0 && unused != 0))
		return CAP_MALFORMED;
	for (i = 0; i < nbytes; i++) {
		b = cap_cur_u8(&c);
		if (i < 4)
			bits |= (uint32_t)b << (24 - 8 * i);
	}
	if (unused != 0 && (b & ((1u << unused) - 1)) != 0 && anomalies != NULL)
		*anomalies |= CAP_DER_ANOM_BIT_PAD;
	*out = bits;
	if (nbits_out != NULL)
		*nbits_out = nbytes * 8 - unused;
	return CAP_OK;
}

int cap_der_bits32(struct cap_der_reader *r, uint32_t *out, size_t *nbits_out)
{
	struct cap_cursor *c = &r->cur;
	struct cap_der d;
	enum cap_status s;

	*out = 0;
	if (nbits_out != NULL)
		*nbits_out = 0;
	if (!get_prim(r, CAP_DER_TAG_BIT_STRING, &d))
		return 0;
	s = cap_der_bits32_value(d.value, out, nbits_out, NULL);
	if (s != CAP_OK) {
		cap_cur_fail(c, s);
		return 0;
	}
	return 1;
}

int cap_der_octets(struct cap_der_reader *r, struct cap_span *out)
{
	struct cap_der d;

	out->p = NULL;
	out->len = 0;
	if (!get_prim(r, CAP_DER_TAG_OCTET_STRING, &d))
		return 0;
	*out = d.value;
	return 1;
}

static int is_string_tag(uint32_t tag)
{
	switch (tag) {
	case CAP_DER_TAG_UTF8_STRING:
	case 18: /* NumericString */
	case CAP_DER_TAG_PRINTABLE_STRING:
	case 20: /* TeletexString */
	case 21: /* VideotexString */
	case CAP_DER_TAG_IA5_STRING:
	case 25: /* GraphicString */
	case 26: /* VisibleString */
	case CAP_DER_TAG_GENERAL_STRING:
	case 28: /* UniversalString */
	case CAP_DER_TAG_BMP_STRING:
		return 1;
	}
	return 0;
}

int cap_der_string(struct cap_der_reader *r, struct cap_span *out,
		   uint32_t *tag_out)
{
	struct cap_cursor *c = &r->cur;
	struct cap_cursor t;
	struct cap_der d;

	out->p = NULL;
	out->len = 0;
	if (tag_out != NULL)
		*tag_out = 0;
	if (!cap_cur_ok(c))
		return 0;
	if (c->len == 0) {
		cap_cur_fail(c, CAP_TRUNCATED);
		return 0;
	}
	t = *c;
	if (!take(r, &t, &d)) {
		cap_cur_fail(c, t.status);
		return 0;
	}
	if (d.cls != CAP_DER_UNIVERSAL || !is_string_tag(d.tag)) {
		cap_cur_fail(c, CAP_MALFORMED);
		return 0;
	}
	if (d.constructed) {
		cap_cur_fail(c, CAP_UNSUPPORTED);
		return 0;
	}
	*c = t;
	*out = d.value;
	if (tag_out != NULL)
		*tag_out = d.tag;
	return 1;
}

/* n ASCII digits, or -1. */
static int digits(struct cap_cursor *c, unsigned n)
{
	int v = 0;
	int ch;

	while (n-- > 0) {
		ch = cap_cur_u8(c);
		if (!cap_cur_ok(c) || ch < '0' || ch > '9')
			return -1;
		v = v * 10 + (ch - '0');
	}
	return v;
}

static int leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date, by counting whole
 * 400-year eras from year 0 (civil-from-days arithmetic). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

enum cap_status cap_der_gentime_value(struct cap_span v, int64_t *time_out,
				      unsigned *anomalies)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30,
				       31, 31, 30, 31, 30, 31 };
	struct cap_cursor c = cap_cur_from_span(v);
	int y, mo, d, h, mi, s, ch, nfrac = 0;

	*time_out = 0;
	y = digits(&c, 4);
	mo = digits(&c, 2);
	d = digits(&c, 2);
	h = digits(&c, 2);
	mi = digits(&c, 2);
	s = digits(&c, 2);
	if (y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 ||
	    mi > 59 || s < 0 || s > 60)
		return CAP_MALFORMED;
	if (d > mdays[mo - 1] + (mo == 2 && leap(y)))
		return CAP_MALFORMED;
	ch = cap_cur_u8(&c);
	if (ch == '.' || ch == ',') {
		while ((ch = cap_cur_u8(&c)) >= '0' && ch <= '9' && cap_cur_ok(&c))
			nfrac++;
		if (nfrac == 0)
			return CAP_MALFORMED;
		if (anomalies != NULL)
			*anomalies |= CAP_DER_ANOM_TIME_FRAC;
	}
	if (!cap_cur_ok(&c) || ch != 'Z' || cap_cur_left(&c) != 0)
		return CAP_MALFORMED;
	*time_out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
	return CAP_OK;
}

int cap_der_gentime(struct cap_der_reader *r, struct cap_span *out,
		    int64_t *time_out)
{
	struct cap_cursor *c = &r->cur;
	struct cap_der d;
	enum cap_status s;

	out->p = NULL;
	out->len = 0;
	*time_out = 0;
	if (!get_prim(r, CAP_DER_TAG_GENERALIZED_TIME, &d))
		return 0;
	s = cap_der_gentime_value(d.value, time_out, NULL);
	if (s != CAP_OK) {
		cap_cur_fail(c, s);
		return 0;
	}
	*out = d.value;
	return 1;
}

int cap_der_oid(struct cap_der_reader *r, struct cap_span *out)
{
	struct cap_cursor *c = &r->cur;
	struct cap_der d;

	out->p = NULL;
	out->len = 0;
	if (!get_prim(r, CAP_DER_TAG_OID, &d))
		return 0;
	if (d.value.len == 0) {
		cap_cur_fail(c, CAP_MALFORMED);
		return 0;
	}
	*out = d.value;
	return 1;
}

/* One base-128 sub-identifier (X.690 §8.19.2). */
static enum cap_status oid_subid(struct cap_cursor *c, uint64_t *out)
{
	uint64_t v = 0;
	uint8_t b;
	int first = 1;

	do {
		b = cap_cur_u8(c);
		if (!cap_cur_ok(c))
			return CAP_MALFORMED; /* last octet had bit 8 set */
		if (first && b == 0x80)
			return CAP_MALFORMED; /* padded sub-identifier */
		if (v > (UINT64_MAX >> 7))
			return CAP_LIMIT;
		v = (v << 7) | (b & 0x7fu);
		first = 0;
	} while (b & 0x80);
	*out = v;
	return CAP_OK;
}

enum cap_status cap_der_oid_str(struct cap_span oid, char *buf, size_t len)
{
	struct cap_cursor c = cap_cur_from_span(oid);
	struct cap_dynbuf b;
	char tmp[48];
	uint64_t v;
	enum cap_status s;
	int first = 1, cut = 0;

	cap_dynbuf_init_fixed(&b, buf, len);
	if (oid.len == 0)
		return CAP_MALFORMED;
	while (cap_cur_left(&c) > 0) {
		s = oid_subid(&c, &v);
		if (s != CAP_OK)
			return s;
		if (first) {
			unsigned top = v < 40 ? 0 : v < 80 ? 1 : 2;
			snprintf(tmp, sizeof(tmp), "%u.%" PRIu64, top,
				 v - 40u * top);
			first = 0;
		} else {
			snprintf(tmp, sizeof(tmp), ".%" PRIu64, v);
		}
		/* Cut at the end of buf; the remaining arcs are still checked. */
		cut |= cap_dynbuf_adds(&b, tmp) != CAP_DYN_OK;
	}
	return cut || len == 0 ? CAP_LIMIT : CAP_OK;
}

/* Whether *p starts with v in decimal (after a '.' when dot); *p moves past what matched. */
static int arc_is(const char **p, uint64_t v, int dot)
{
	char d[24];
	size_t n = 0;

	if (dot && *(*p)++ != '.')
		return 0;
	do {
		d[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	while (n > 0)
		if (*(*p)++ != d[--n])
			return 0;
	return 1;
}

/* The text cap_der_oid_str would write, compared arc by arc without formatting it: token
 * decoders compare mechanism OIDs in every message they read. */
int cap_der_oid_eq(struct cap_span oid, const char *dotted)
{
	struct cap_cursor c = cap_cur_from_span(oid);
	const char *p = dotted;
	uint64_t v;
	int first = 1;

	if (oid.len == 0)
		return 0;
	while (cap_cur_left(&c) > 0) {
		if (oid_subid(&c, &v) != CAP_OK)
			return 0;
		if (first) {
			unsigned top = v < 40 ? 0 : v < 80 ? 1 : 2;

			if (!arc_is(&p, top, 0) || !arc_is(&p, v - 40u * top, 1))
				return 0;
			first = 0;
		} else if (!arc_is(&p, v, 1)) {
			return 0;
		}
	}
	return *p == '\0';
}

struct walk {
	const struct cap_der_limits *lim;
	cap_der_visit_fn visit;
	void *arg;
	unsigned elems;
	int stop;
};

static enum cap_status walk_level(struct walk *w, struct cap_span in,
				  unsigned depth)
{
	struct cap_cursor c = cap_cur_from_span(in);
	struct cap_der d;
	enum cap_status s;
	int r;

	while (cap_cur_left(&c) > 0 && !w->stop) {
		/* Checked per element, so empty constructed leaves cost nothing. */
		if (depth > w->lim->max_depth)
			return CAP_LIMIT;
		if (!cap_der_get(&c, &d))
			return c.status;
		if (++w->elems > w->lim->max_elems)
			return CAP_LIMIT;
		r = w->visit != NULL ? w->visit(&d, depth, w->arg) : 0;
		if (r < 0) {
			w->stop = 1;
			break;
		}
		if (r == 0 && d.constructed) {
			s = walk_level(w, d.value, depth + 1);
			if (s != CAP_OK)
				return s;
		}
	}
	return CAP_OK;
}

enum cap_status cap_der_walk(struct cap_span in,
			     const struct cap_der_limits *lim,
			     cap_der_visit_fn visit, void *arg)
{
	struct cap_der_limits def = cap_der_default_limits();
	struct walk w;

	w.lim = lim != NULL ? lim : &def;
	w.visit = visit;
	w.arg = arg;
	w.elems = 0;
	w.stop = 0;
	if (in.p == NULL && in.len != 0)
		return CAP_MALFORMED;
	return walk_level(&w, in, 1);
}

static const struct cap_tok der_anomaly_names[] = {
	{ CAP_DER_ANOM_NONMIN_LEN, "der_nonminimal_length" },
	{ CAP_DER_ANOM_NONMIN_TAG, "der_nonminimal_tag" },
	{ CAP_DER_ANOM_NONMIN_INT, "der_nonminimal_integer" },
	{ CAP_DER_ANOM_BAD_BOOL, "der_boolean_not_ff" },
	{ CAP_DER_ANOM_BIT_PAD, "der_bitstring_unused_bits_set" },
	{ CAP_DER_ANOM_TIME_FRAC, "der_time_fraction" },
	{ 0, NULL },
};

const char *cap_der_anomaly_name(unsigned bit)
{
	return cap_tok_name(der_anomaly_names, bit, NULL);
}

/* X.680 §8.4 universal tag names. */
static const struct cap_tok universal_names[] = {
	{ 0, "EOC" },
	{ CAP_DER_TAG_BOOLEAN, "BOOLEAN" },
	{ CAP_DER_TAG_INTEGER, "INTEGER" },
	{ CAP_DER_TAG_BIT_STRING, "BIT STRING" },
	{ CAP_DER_TAG_OCTET_STRING, "OCTET STRING" },
	{ CAP_DER_TAG_NULL, "NULL" },
	{ CAP_DER_TAG_OID, "OBJECT IDENTIFIER" },
	{ CAP_DER_TAG_ENUMERATED, "ENUMERATED" },
	{ CAP_DER_TAG_UTF8_STRING, "UTF8String" },
	{ CAP_DER_TAG_SEQUENCE, "SEQUENCE" },
	{ CAP_DER_TAG_SET, "SET" },
	{ 18, "NumericString" },
	{ CAP_DER_TAG_PRINTABLE_STRING, "PrintableString" },
	{ 20, "TeletexString" },
	{ CAP_DER_TAG_IA5_STRING, "IA5String" },
	{ CAP_DER_TAG_UTC_TIME, "UTCTime" },
	{ CAP_DER_TAG_GENERALIZED_TIME, "GeneralizedTime" },
	{ 26, "VisibleString" },
	{ CAP_DER_TAG_GENERAL_STRING, "GeneralString" },
	{ 28, "UniversalString" },
	{ CAP_DER_TAG_BMP_STRING, "BMPString" },
	{ 0, NULL },
};

const char *cap_der_universal_name(uint32_t tag)
{
	return cap_tok_name(universal_names, tag, NULL);
}
