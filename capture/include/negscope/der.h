/* der.h - DER (and the DER subset of BER) reader: struct cap_der_reader wraps a cap_cursor.
 *
 * Reference: ITU-T X.690 (BER/DER); modelled on MIT krb5 k5-der.h / get_tag().
 *
 * Pure functions, no allocation, no globals.  Every result that is bytes is a
 * struct cap_span aliasing the caller's input: it stays valid exactly as long
 * as the buffer the cursor was made from.
 *
 * Errors (the sticky status of the cursor, or of the reader's cursor):
 *   CAP_TRUNCATED   the identifier, length or contents run past the end
 *   CAP_MALFORMED   bytes contradict X.690 (e.g. reserved length 0xFF, a
 *                   length that cannot fit size_t, wrong tag where one was
 *                   required, bad INTEGER/OID/time contents)
 *   CAP_UNSUPPORTED indefinite length (0x80): valid BER, never valid DER
 *   CAP_LIMIT       tag number above CAP_DER_MAX_TAG, INTEGER wider than
 *                   int64, depth or element-count cap (a struct cap_der_budget
 *                   carried by the reader, or cap_der_walk()'s limits)
 *
 * Two levels.  cap_der_get()/cap_der_peek() parse one TLV from a plain cursor and
 * know nothing of caps.  A decoder that recurses (Kerberos, SPNEGO, tokens) reads
 * through a struct cap_der_reader instead: a cursor plus the budget of the whole
 * decode and its own depth.  The cursor stays generic; only the reader knows DER caps.
 *
 * Tolerated deviations are recorded, never fatal: see CAP_DER_ANOM_*.
 *
 * Typical use (Kerberos, SPNEGO), checking the status once at the end:
 *
 *	struct cap_der_reader r = cap_der_reader(in, &budget), seq, f;
 *	if (cap_der_expect(&r, CAP_DER_UNIVERSAL, 1, CAP_DER_TAG_SEQUENCE, &seq)) {
 *		if (cap_der_ctx(&seq, 0, &f))            -- [0] required
 *			cap_der_int64(&f, &pvno);
 *		if (cap_der_ctx_opt(&seq, 3, &f))        -- [3] OPTIONAL
 *			cap_der_string(&f, &s, NULL);
 *	}
 *	... cap_der_ok(&r) && cap_der_ok(&seq) && cap_der_ok(&f) ...
 *
 * Partial decoding: when a constructed element's declared length runs past
 * the end of the captured bytes, cap_der_expect()/cap_der_optional() still
 * return 1 and give an inner reader over the bytes that are there, while the
 * parent reader gets CAP_TRUNCATED.  A decoder can therefore keep whatever it
 * decoded before the cut (style rule: truncated is not malformed); it must
 * merge the parent's status into its result.  Conversely, CAP_TRUNCATED
 * met inside an element whose own length was complete means a child
 * overran its parent: a decoder should report that as CAP_MALFORMED.
 */
#ifndef NEGSCOPE_DER_H
#define NEGSCOPE_DER_H

#include <stddef.h>
#include <stdint.h>

#include "negscope/cursor.h"

enum cap_der_class {
	CAP_DER_UNIVERSAL = 0,
	CAP_DER_APPLICATION = 1,
	CAP_DER_CONTEXT = 2,
	CAP_DER_PRIVATE = 3
};

/* Universal tag numbers used by the negscope decoders. */
enum {
	CAP_DER_TAG_BOOLEAN = 1,
	CAP_DER_TAG_INTEGER = 2,
	CAP_DER_TAG_BIT_STRING = 3,
	CAP_DER_TAG_OCTET_STRING = 4,
	CAP_DER_TAG_NULL = 5,
	CAP_DER_TAG_OID = 6,
	CAP_DER_TAG_ENUMERATED = 10,
	CAP_DER_TAG_UTF8_STRING = 12,
	CAP_DER_TAG_SEQUENCE = 16,
	CAP_DER_TAG_SET = 17,
	CAP_DER_TAG_PRINTABLE_STRING = 19,
	CAP_DER_TAG_IA5_STRING = 22,
	CAP_DER_TAG_UTC_TIME = 23,
	CAP_DER_TAG_GENERALIZED_TIME = 24,
	CAP_DER_TAG_GENERAL_STRING = 27,
	CAP_DER_TAG_BMP_STRING = 30
};

/* Tag numbers above this are refused with CAP_LIMIT (4 continuation bytes). */
#define CAP_DER_MAX_TAG 0x0fffffffu

/* Tolerated deviations from DER (a bit set; names from cap_der_anomaly_name). */
#define CAP_DER_ANOM_NONMIN_LEN 0x01u   /* long form for < 128, or leading 00 */
#define CAP_DER_ANOM_NONMIN_TAG 0x02u   /* high-tag form for tag < 31, or 0x80 pad */
#define CAP_DER_ANOM_NONMIN_INT 0x04u   /* INTEGER with redundant leading 00/FF */
#define CAP_DER_ANOM_BAD_BOOL 0x08u     /* BOOLEAN true not encoded as 0xFF */
#define CAP_DER_ANOM_BIT_PAD 0x10u      /* BIT STRING unused bits not zero */
#define CAP_DER_ANOM_TIME_FRAC 0x20u    /* GeneralizedTime with fractional secs */
#define CAP_DER_ANOM_COUNT 6

/* One decoded TLV.  value and tlv alias the input. */
struct cap_der {
	enum cap_der_class cls;
	int constructed;        /* 1 constructed, 0 primitive */
	uint32_t tag;           /* tag number (high-tag form decoded) */
	struct cap_span value;  /* contents (only the captured part if partial) */
	struct cap_span tlv;    /* identifier + length + contents */
	size_t declared_len;    /* contents length as encoded */
	int partial;            /* header complete but contents cut short */
	unsigned anomalies;     /* CAP_DER_ANOM_* */
};

/* Caps for generic walks (cap_der_walk) and for decoders that recurse. */
struct cap_der_limits {
	unsigned max_depth;     /* nesting levels, top level = 1 */
	unsigned max_elems;     /* total TLVs visited */
};

#define CAP_DER_DEFAULT_MAX_DEPTH 32u
#define CAP_DER_DEFAULT_MAX_ELEMS 4096u
/* The most either can be raised to (negcap --max-der-depth / --max-der-elements). */
#define CAP_DER_MAX_DEPTH_LIMIT 65535u
#define CAP_DER_MAX_ELEMS_LIMIT (1u << 24)

static inline struct cap_der_limits cap_der_default_limits(void)
{
	struct cap_der_limits l;
	l.max_depth = CAP_DER_DEFAULT_MAX_DEPTH;
	l.max_elems = CAP_DER_DEFAULT_MAX_ELEMS;
	return l;
}

/* The caps of one decode (one Kerberos message, one HTTP token), shared by every reader
 * made from the first (cap_der_enter, or the inner reader of cap_der_expect and the
 * like): each TLV read counts one element; each value entered is one level deeper.
 * Past a cap the read fails with CAP_LIMIT and `hit` says which cap, so a hostile
 * message costs at most max_elems reads however it is nested. */
#define CAP_DER_HIT_DEPTH 1u
#define CAP_DER_HIT_ELEMS 2u

struct cap_der_budget {
	struct cap_der_limits lim;
	unsigned elems;         /* TLVs read so far */
	unsigned hit;           /* CAP_DER_HIT_* */
};

/* A cursor plus the caps it spends.  Readers made from one another share the budget;
 * depth counts the values entered from the top-level reader (0). */
struct cap_der_reader {
	struct cap_cursor cur;
	struct cap_der_budget *budget; /* NULL: uncapped */
	unsigned depth;
};

/* lim NULL = the defaults; a 0 field = its default. */
void cap_der_budget_init(struct cap_der_budget *b, const struct cap_der_limits *lim);
/* A top-level reader over `in` that spends b (NULL: uncapped). */
struct cap_der_reader cap_der_reader(struct cap_span in, struct cap_der_budget *b);
/* A reader over `value`, a DER value read from `outer`: same budget, one level deeper.
 * Deeper than the cap: the reader comes back failed with CAP_LIMIT. */
struct cap_der_reader cap_der_enter(const struct cap_der_reader *outer, struct cap_span value);

static inline int cap_der_ok(const struct cap_der_reader *r)
{
	return cap_cur_ok(&r->cur);
}

static inline size_t cap_der_left(const struct cap_der_reader *r)
{
	return cap_cur_left(&r->cur);
}

/* "DER nesting deeper than 32 levels (cap)" / "more than 4096 DER elements (cap)"
 * in buf when a cap was hit, else NULL. */
const char *cap_der_budget_text(const struct cap_der_budget *b, char *buf, size_t len);

/* Reads one TLV and advances past it.  Returns 1 on success.  On failure
 * returns 0 with the cursor's status set; if only the contents were cut
 * short, *out is still filled with partial = 1 and value = the captured
 * part (status CAP_TRUNCATED).  Spends no budget: see cap_der_read. */
int cap_der_get(struct cap_cursor *c, struct cap_der *out);
/* As cap_der_get on the reader's cursor, spending one element of its budget. */
int cap_der_read(struct cap_der_reader *r, struct cap_der *out);

/* Like cap_der_get but does not advance (and never sets the status).
 * Returns 1 if a complete TLV is next, 0 otherwise. */
int cap_der_peek(const struct cap_cursor *c, struct cap_der *out);

/* Reads the next TLV, which must have this class, form and tag: *inner
 * becomes a reader over its contents, one level deeper on the same budget.  A different tag is
 * CAP_MALFORMED; no bytes left is CAP_TRUNCATED; contents one level past the
 * budget's depth cap are CAP_LIMIT (on both readers).  Returns 1 if *inner is
 * usable (also when partial: see the header comment). */
int cap_der_expect(struct cap_der_reader *r, enum cap_der_class cls,
		   int constructed, uint32_t tag, struct cap_der_reader *inner);

/* As cap_der_expect, but if the reader is empty or the next identifier
 * differs, returns 0 and leaves the reader and its status untouched
 * (OPTIONAL fields).  A matching identifier with a bad length sets the
 * status and returns 0. */
int cap_der_optional(struct cap_der_reader *r, enum cap_der_class cls,
		     int constructed, uint32_t tag, struct cap_der_reader *inner);

/* Shorthands for EXPLICIT context tags [n] (constructed) and SEQUENCE. */
int cap_der_ctx(struct cap_der_reader *r, uint32_t n, struct cap_der_reader *inner);
int cap_der_ctx_opt(struct cap_der_reader *r, uint32_t n, struct cap_der_reader *inner);
int cap_der_seq(struct cap_der_reader *r, struct cap_der_reader *inner);

/* Typed readers: each reads one whole universal TLV of its type.  They
 * return 1 on success, else 0 with the status set and *out zeroed.  A
 * different tag is CAP_MALFORMED; the constructed (BER) form of a string
 * type is CAP_UNSUPPORTED.  Tolerated deviations are not reported here: a
 * decoder that wants them uses cap_der_get + the *_value parsers below. */
int cap_der_int64(struct cap_der_reader *r, int64_t *out);
int cap_der_enumerated(struct cap_der_reader *r, int64_t *out);
int cap_der_bool(struct cap_der_reader *r, int *out);
int cap_der_null(struct cap_der_reader *r);
/* BIT STRING: the first 32 bits, bit 0 = most significant bit of the first
 * octet (ASN.1 numbering, as KerberosFlags use it) = 0x80000000 in *out.
 * nbits_out (may be NULL) receives the number of bits encoded. */
int cap_der_bits32(struct cap_der_reader *r, uint32_t *out, size_t *nbits_out);
int cap_der_octets(struct cap_der_reader *r, struct cap_span *out);
/* Any universal character-string type (GeneralString, UTF8String,
 * IA5String, PrintableString, VisibleString, ...); *tag_out (may be NULL)
 * says which.  Contents are returned as is, not converted. */
int cap_der_string(struct cap_der_reader *r, struct cap_span *out,
		   uint32_t *tag_out);
/* GeneralizedTime "YYYYMMDDHHMMSS[.f*]Z": span and seconds since the Unix
 * epoch (UTC, int64 so that years past 2038 and before 1970 work; cast to
 * time_t where needed).  Local times (no Z) are CAP_MALFORMED. */
int cap_der_gentime(struct cap_der_reader *r, struct cap_span *out,
		    int64_t *time_out);
int cap_der_oid(struct cap_der_reader *r, struct cap_span *out);

/* Value-level parsers (contents already isolated, e.g. by IMPLICIT tags). */
enum cap_status cap_der_int64_value(struct cap_span v, int64_t *out,
				    unsigned *anomalies);
enum cap_status cap_der_bits32_value(struct cap_span v, uint32_t *out,
				     size_t *nbits_out, unsigned *anomalies);
enum cap_status cap_der_gentime_value(struct cap_span v, int64_t *time_out,
				      unsigned *anomalies);

/* OID contents (no tag/length) to dotted text, always NUL-terminated when
 * len > 0.  CAP_LIMIT if buf is too small (text cut), CAP_MALFORMED for a
 * bad encoding, CAP_LIMIT for an arc above UINT64_MAX. */
enum cap_status cap_der_oid_str(struct cap_span oid, char *buf, size_t len);

/* 1 if the OID contents equal the dotted string, else 0 (also on errors). */
int cap_der_oid_eq(struct cap_span oid, const char *dotted);

/* Generic bounded walk for tree printers: calls visit for each TLV in
 * pre-order (depth 1 = top level) and descends into constructed ones.
 * visit returns 0 to continue, 1 to skip this element's children, -1 to
 * stop (the walk then returns CAP_OK).  Depth or element cap hit:
 * CAP_LIMIT.  lim NULL = defaults. */
typedef int (*cap_der_visit_fn)(const struct cap_der *d, unsigned depth,
				void *arg);
enum cap_status cap_der_walk(struct cap_span in,
			     const struct cap_der_limits *lim,
			     cap_der_visit_fn visit, void *arg);

/* snake_case name of one CAP_DER_ANOM_* bit, or NULL if not one. */
const char *cap_der_anomaly_name(unsigned bit);

/* "UNIVERSAL 16" style names: the universal type name ("SEQUENCE",
 * "INTEGER", ...) or NULL if unknown. */
const char *cap_der_universal_name(uint32_t tag);

#endif /* NEGSCOPE_DER_H */
