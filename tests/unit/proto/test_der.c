/* test_der.c - DER reader: X.690 edge cases, limits, typed primitives. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "negscope/der.h"

#define CUR(a) cap_cur_init((a), sizeof(a))
#define RDR(a) cap_der_reader(cap_span_of((a), sizeof(a)), NULL)

static void test_short_and_long_length(void **state)
{
	static const uint8_t shortf[] = { 0x04, 0x02, 'h', 'i', 0xaa };
	static const uint8_t longf[] = { 0x04, 0x81, 0x80 };
	uint8_t big[3 + 0x80];
	struct cap_cursor c = CUR(shortf);
	struct cap_der d;

	(void)state;
	assert_int_equal(cap_der_get(&c, &d), 1);
	assert_int_equal(d.cls, CAP_DER_UNIVERSAL);
	assert_int_equal(d.constructed, 0);
	assert_int_equal(d.tag, CAP_DER_TAG_OCTET_STRING);
	assert_int_equal(d.value.len, 2);
	assert_memory_equal(d.value.p, "hi", 2);
	assert_int_equal(d.tlv.len, 4);
	assert_int_equal(d.anomalies, 0);
	assert_int_equal(cap_cur_left(&c), 1);

	memset(big, 'x', sizeof(big));
	memcpy(big, longf, sizeof(longf));
	c = CUR(big);
	assert_int_equal(cap_der_get(&c, &d), 1);
	assert_int_equal(d.value.len, 0x80);
	assert_int_equal(d.tlv.len, sizeof(big));
	assert_int_equal(d.anomalies, 0);
	assert_int_equal(cap_cur_left(&c), 0);
}

static void test_nonminimal_length_tolerated(void **state)
{
	static const uint8_t a[] = { 0x04, 0x81, 0x02, 'h', 'i' };
	static const uint8_t b[] = { 0x04, 0x82, 0x00, 0x02, 'h', 'i' };
	struct cap_cursor c = CUR(a);
	struct cap_der d;

	(void)state;
	assert_int_equal(cap_der_get(&c, &d), 1);
	assert_int_equal(d.value.len, 2);
	assert_true(d.anomalies & CAP_DER_ANOM_NONMIN_LEN);
	c = CUR(b);
	assert_int_equal(cap_der_get(&c, &d), 1);
	assert_int_equal(d.value.len, 2);
	assert_true(d.anomalies & CAP_DER_ANOM_NONMIN_LEN);
	assert_string_equal(cap_der_anomaly_name(CAP_DER_ANOM_NONMIN_LEN),
			    "der_nonminimal_length");
}

/* The universal tag names come from one table; tag 0 is a name, not its end. */
static void test_universal_names(void **state)
{
	(void)state;
	assert_string_equal(cap_der_universal_name(0), "EOC");
	assert_string_equal(cap_der_universal_name(CAP_DER_TAG_SEQUENCE), "SEQUENCE");
	assert_string_equal(cap_der_universal_name(26), "VisibleString");
	assert_string_equal(cap_der_universal_name(CAP_DER_TAG_BMP_STRING), "BMPString");
	assert_null(cap_der_universal_name(29));
	assert_null(cap_der_universal_name(0xffffffffu));
	assert_string_equal(cap_der_anomaly_name(CAP_DER_ANOM_TIME_FRAC), "der_time_fraction");
	assert_null(cap_der_anomaly_name(0));
	assert_null(cap_der_anomaly_name(CAP_DER_ANOM_NONMIN_LEN | CAP_DER_ANOM_NONMIN_TAG));
}

static void test_indefinite_and_reserved_length(void **state)
{
	static const uint8_t indef[] = { 0x30, 0x80, 0x02, 0x01, 0x05, 0x00, 0x00 };
	static const uint8_t resv[] = { 0x04, 0xff, 0x00 };
	struct cap_der_reader c = RDR(indef);
	struct cap_der_reader in;
	struct cap_der d;

	(void)state;
	assert_int_equal(cap_der_read(&c, &d), 0);
	assert_int_equal(c.cur.status, CAP_UNSUPPORTED);
	c = RDR(indef);
	assert_int_equal(cap_der_seq(&c, &in), 0);
	assert_int_equal(c.cur.status, CAP_UNSUPPORTED);
	assert_false(cap_der_ok(&in));
	c = RDR(resv);
	assert_int_equal(cap_der_read(&c, &d), 0);
	assert_int_equal(c.cur.status, CAP_MALFORMED);
}

static void test_length_past_end_and_overflow(void **state)
{
	static const uint8_t past[] = { 0x04, 0x05, 'a', 'b' };
	static const uint8_t huge[] = { 0x04, 0x88, 0xff, 0xff, 0xff, 0xff,
					0xff, 0xff, 0xff, 0xff, 'a' };
	static const uint8_t over[] = { 0x04, 0x89, 0x01, 0x00, 0x00, 0x00, 0x00,
					0x00, 0x00, 0x00, 0x00, 'a' };
	static const uint8_t lenlen_cut[] = { 0x04, 0x84, 0x00, 0x01 };
	struct cap_cursor c = CUR(past);
	struct cap_der d;

	(void)state;
	assert_int_equal(cap_der_get(&c, &d), 0);
	assert_int_equal(c.status, CAP_TRUNCATED);
	assert_int_equal(d.partial, 1);
	assert_int_equal(d.declared_len, 5);
	assert_int_equal(d.value.len, 2);

	c = CUR(huge); /* SIZE_MAX: fits size_t, but is past the end */
	assert_int_equal(cap_der_get(&c, &d), 0);
	assert_int_equal(c.status, CAP_TRUNCATED);

	c = CUR(over); /* 2^64 cannot fit size_t at all */
	assert_int_equal(cap_der_get(&c, &d), 0);
	assert_int_equal(c.status, CAP_MALFORMED);

	c = CUR(lenlen_cut);
	assert_int_equal(cap_der_get(&c, &d), 0);
	assert_int_equal(c.status, CAP_TRUNCATED);
	assert_int_equal(d.partial, 0);
}

static void test_high_tag(void **state)
{
	static const uint8_t hi[] = { 0x7f, 0x81, 0x00, 0x01, 0xaa };   /* [APP 128] */
	static const uint8_t nonmin[] = { 0xbf, 0x05, 0x00 };           /* [5] as high */
	static const uint8_t toobig[] = { 0x9f, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x00 };
	static const uint8_t cut[] = { 0x9f, 0x81 };
	struct cap_cursor c = CUR(hi);
	struct cap_der d;

	(void)state;
	assert_int_equal(cap_der_get(&c, &d), 1);
	assert_int_equal(d.cls, CAP_DER_APPLICATION);
	assert_int_equal(d.constructed, 1);
	assert_int_equal(d.tag, 128);
	assert_int_equal(d.value.len, 1);
	assert_int_equal(d.anomalies, 0);

	c = CUR(nonmin);
	assert_int_equal(cap_der_get(&c, &d), 1);
	assert_int_equal(d.cls, CAP_DER_CONTEXT);
	assert_int_equal(d.tag, 5);
	assert_true(d.anomalies & CAP_DER_ANOM_NONMIN_TAG);

	c = CUR(toobig);
	assert_int_equal(cap_der_get(&c, &d), 0);
	assert_int_equal(c.status, CAP_LIMIT);

	c = CUR(cut);
	assert_int_equal(cap_der_get(&c, &d), 0);
	assert_int_equal(c.status, CAP_TRUNCATED);
}

static void test_expect_optional(void **state)
{
	/* SEQUENCE { [0] INTEGER 5, [2] GeneralString "EX" } */
	static const uint8_t seq[] = { 0x30, 0x0b, 0xa0, 0x03, 0x02, 0x01, 0x05,
				       0xa2, 0x04, 0x1b, 0x02, 'E', 'X' };
	struct cap_der_reader c = RDR(seq), s, f;
	struct cap_span str;
	uint32_t tag;
	int64_t v;

	(void)state;
	assert_int_equal(cap_der_seq(&c, &s), 1);
	assert_int_equal(cap_der_ctx(&s, 0, &f), 1);
	assert_int_equal(cap_der_int64(&f, &v), 1);
	assert_int_equal(v, 5);
	/* [1] absent: no error, cursor untouched */
	assert_int_equal(cap_der_ctx_opt(&s, 1, &f), 0);
	assert_true(cap_der_ok(&s));
	assert_int_equal(cap_der_ctx_opt(&s, 2, &f), 1);
	assert_int_equal(cap_der_string(&f, &str, &tag), 1);
	assert_int_equal(tag, CAP_DER_TAG_GENERAL_STRING);
	assert_true(cap_span_eq(str, "EX"));
	/* end of sequence: optional returns 0, still OK */
	assert_int_equal(cap_der_ctx_opt(&s, 3, &f), 0);
	assert_true(cap_der_ok(&s));
	/* required but absent: TRUNCATED (ran out) */
	assert_int_equal(cap_der_ctx(&s, 3, &f), 0);
	assert_int_equal(s.cur.status, CAP_TRUNCATED);

	/* required with the wrong tag: MALFORMED */
	c = RDR(seq);
	assert_int_equal(cap_der_seq(&c, &s), 1);
	assert_int_equal(cap_der_ctx(&s, 1, &f), 0);
	assert_int_equal(s.cur.status, CAP_MALFORMED);
	assert_false(cap_der_ok(&f));
}

static void test_partial_descent(void **state)
{
	/* SEQUENCE claims 11 bytes, only the first field is there. */
	static const uint8_t seq[] = { 0x30, 0x0b, 0xa0, 0x03, 0x02, 0x01, 0x05, 0xa2 };
	struct cap_der_reader c = RDR(seq), s, f;
	int64_t v;

	(void)state;
	assert_int_equal(cap_der_seq(&c, &s), 1);
	assert_int_equal(c.cur.status, CAP_TRUNCATED);
	assert_int_equal(cap_der_ctx(&s, 0, &f), 1);
	assert_int_equal(cap_der_int64(&f, &v), 1);
	assert_int_equal(v, 5);
	assert_int_equal(cap_der_ctx_opt(&s, 2, &f), 0);
	assert_int_equal(s.cur.status, CAP_TRUNCATED);
}

static void test_integers(void **state)
{
	static const struct {
		uint8_t b[12];
		size_t n;
		int64_t v;
		enum cap_status s;
		unsigned anom;
	} cases[] = {
		{ { 0x00 }, 1, 0, CAP_OK, 0 },
		{ { 0x7f }, 1, 127, CAP_OK, 0 },
		{ { 0x00, 0x80 }, 2, 128, CAP_OK, 0 },
		{ { 0xff }, 1, -1, CAP_OK, 0 },
		{ { 0x80 }, 1, -128, CAP_OK, 0 },
		{ { 0xff, 0x7f }, 2, -129, CAP_OK, 0 },
		{ { 0x00, 0x00, 0x05 }, 3, 5, CAP_OK, CAP_DER_ANOM_NONMIN_INT },
		{ { 0x00, 0xff, 0xff, 0xff, 0xff }, 5, 4294967295LL, CAP_OK, 0 },
		{ { 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, 8, INT64_MAX,
		  CAP_OK, 0 },
		{ { 0x80, 0, 0, 0, 0, 0, 0, 0 }, 8, INT64_MIN, CAP_OK, 0 },
		{ { 0x00, 0x80, 0, 0, 0, 0, 0, 0, 0 }, 9, 0, CAP_LIMIT, 0 },
		{ { 0 }, 0, 0, CAP_MALFORMED, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t v = 42;
		unsigned anom = 0;
		enum cap_status s = cap_der_int64_value(
			cap_span_of(cases[i].b, cases[i].n), &v, &anom);
		assert_int_equal(s, cases[i].s);
		if (s == CAP_OK)
			assert_true(v == cases[i].v);
		assert_int_equal(anom, cases[i].anom);
	}
}

static void test_bool_null_enum(void **state)
{
	static const uint8_t b[] = { 0x01, 0x01, 0xff, 0x05, 0x00, 0x0a, 0x01, 0x02,
				     0x01, 0x02, 0x00, 0x00 };
	struct cap_der_reader c = RDR(b);
	int64_t e;
	int v;

	(void)state;
	assert_int_equal(cap_der_bool(&c, &v), 1);
	assert_int_equal(v, 1);
	assert_int_equal(cap_der_null(&c), 1);
	assert_int_equal(cap_der_enumerated(&c, &e), 1);
	assert_int_equal(e, 2);
	assert_int_equal(cap_der_bool(&c, &v), 0); /* length 2 */
	assert_int_equal(c.cur.status, CAP_MALFORMED);
}

static void test_bits32(void **state)
{
	/* KDCOptions forwardable|renewable|canonicalize|renewable-ok (0x40810010) */
	static const uint8_t kdco[] = { 0x03, 0x05, 0x00, 0x40, 0x81, 0x00, 0x10 };
	static const uint8_t shortb[] = { 0x03, 0x02, 0x07, 0x80 };
	static const uint8_t bad[] = { 0x03, 0x02, 0x08, 0x80 };
	static const uint8_t empty_bad[] = { 0x03, 0x01, 0x01 };
	struct cap_der_reader c = RDR(kdco);
	uint32_t bits;
	size_t nbits;

	(void)state;
	assert_int_equal(cap_der_bits32(&c, &bits, &nbits), 1);
	assert_int_equal(bits, 0x40810010u);
	assert_int_equal(nbits, 32);
	c = RDR(shortb);
	assert_int_equal(cap_der_bits32(&c, &bits, &nbits), 1);
	assert_int_equal(bits, 0x80000000u);
	assert_int_equal(nbits, 1);
	c = RDR(bad);
	assert_int_equal(cap_der_bits32(&c, &bits, &nbits), 0);
	assert_int_equal(c.cur.status, CAP_MALFORMED);
	c = RDR(empty_bad);
	assert_int_equal(cap_der_bits32(&c, &bits, &nbits), 0);
	assert_int_equal(c.cur.status, CAP_MALFORMED);
}

static void test_gentime(void **state)
{
	static const uint8_t t[] = { 0x18, 0x0f, '2', '0', '3', '7', '0', '9', '1',
				     '3', '0', '2', '4', '8', '0', '5', 'Z' };
	struct cap_der_reader c = RDR(t);
	struct cap_span sp;
	int64_t v;
	unsigned anom = 0;
	const char *frac = "19700101000001.5Z";
	const char *leapday = "20240229120000Z";

	(void)state;
	assert_int_equal(cap_der_gentime(&c, &sp, &v), 1);
	assert_int_equal(sp.len, 15);
	assert_true(v == 2136422885LL); /* date -u -d 2037-09-13T02:48:05Z +%s */
	assert_int_equal(cap_der_gentime_value(cap_span_of(frac, strlen(frac)), &v,
					       &anom), CAP_OK);
	assert_true(v == 1);
	assert_true(anom & CAP_DER_ANOM_TIME_FRAC);
	assert_int_equal(cap_der_gentime_value(cap_span_of(leapday,
							   strlen(leapday)), &v, NULL),
			 CAP_OK);
	assert_true(v == 1709208000LL);
	assert_int_equal(cap_der_gentime_value(cap_span_of("20230229120000Z", 15),
					       &v, NULL), CAP_MALFORMED);
	assert_int_equal(cap_der_gentime_value(cap_span_of("20230101120000", 14),
					       &v, NULL), CAP_MALFORMED);
	assert_int_equal(cap_der_gentime_value(cap_span_of("2023010112000Z", 14),
					       &v, NULL), CAP_MALFORMED);
	assert_int_equal(cap_der_gentime_value(cap_span_of("19691231235959Z", 15),
					       &v, NULL), CAP_OK);
	assert_true(v == -1);
}

static void test_oid(void **state)
{
	/* 1.2.840.113554.1.2.2 (krb5), 1.3.6.1.5.5.2 (SPNEGO),
	 * 1.2.840.48018.1.2.2 (MS krb5), 2.999.3 */
	static const uint8_t krb5[] = { 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7,
					0x12, 0x01, 0x02, 0x02 };
	static const uint8_t spnego[] = { 0x2b, 0x06, 0x01, 0x05, 0x05, 0x02 };
	static const uint8_t mskrb[] = { 0x2a, 0x86, 0x48, 0x82, 0xf7, 0x12, 0x01,
					 0x02, 0x02 };
	static const uint8_t two[] = { 0x88, 0x37, 0x03 };
	static const uint8_t unterminated[] = { 0x2a, 0x86 };
	static const uint8_t padded[] = { 0x2a, 0x80, 0x01 };
	static const uint8_t huge[] = { 0x2a, 0x82, 0x80, 0x80, 0x80, 0x80, 0x80,
					0x80, 0x80, 0x80, 0x00 };
	struct cap_der_reader c = RDR(krb5);
	struct cap_span o;
	char buf[64], tiny[6];

	(void)state;
	assert_int_equal(cap_der_oid(&c, &o), 1);
	assert_int_equal(cap_der_oid_str(o, buf, sizeof(buf)), CAP_OK);
	assert_string_equal(buf, "1.2.840.113554.1.2.2");
	assert_true(cap_der_oid_eq(o, "1.2.840.113554.1.2.2"));
	assert_false(cap_der_oid_eq(o, "1.2.840.113554.1.2"));
	assert_true(cap_der_oid_eq(cap_span_of(spnego, sizeof(spnego)),
				   "1.3.6.1.5.5.2"));
	assert_true(cap_der_oid_eq(cap_span_of(mskrb, sizeof(mskrb)),
				   "1.2.840.48018.1.2.2"));
	assert_int_equal(cap_der_oid_str(cap_span_of(two, sizeof(two)), buf,
					 sizeof(buf)), CAP_OK);
	assert_string_equal(buf, "2.999.3");
	assert_int_equal(cap_der_oid_str(cap_span_of(unterminated,
						     sizeof(unterminated)), buf,
					 sizeof(buf)), CAP_MALFORMED);
	assert_int_equal(cap_der_oid_str(cap_span_of(padded, sizeof(padded)), buf,
					 sizeof(buf)), CAP_MALFORMED);
	assert_int_equal(cap_der_oid_str(cap_span_of(huge, sizeof(huge)), buf,
					 sizeof(buf)), CAP_LIMIT);
	assert_int_equal(cap_der_oid_str(o, tiny, sizeof(tiny)), CAP_LIMIT);
	assert_string_equal(tiny, "1.2.8");
	assert_int_equal(cap_der_oid_str(cap_span_of(NULL, 0), buf, sizeof(buf)),
			 CAP_MALFORMED);
	/* cap_der_oid_eq compares without formatting: exactly the text above, no more */
	assert_false(cap_der_oid_eq(o, "1.2.840.113554.1.2.2.1"));
	assert_false(cap_der_oid_eq(o, "1.2.840.113554.1.2.3"));
	assert_false(cap_der_oid_eq(o, "1.2.840.113554.1.2.22"));
	assert_false(cap_der_oid_eq(o, "1.2.840.11355.4.1.2.2"));
	assert_false(cap_der_oid_eq(o, "01.2.840.113554.1.2.2"));
	assert_false(cap_der_oid_eq(o, ""));
	assert_true(cap_der_oid_eq(cap_span_of(two, sizeof(two)), "2.999.3"));
	assert_false(cap_der_oid_eq(cap_span_of(two, sizeof(two)), "2.99.3"));
	assert_false(cap_der_oid_eq(cap_span_of(unterminated, sizeof(unterminated)), "1.2"));
	assert_false(cap_der_oid_eq(cap_span_of(padded, sizeof(padded)), "1.2.1"));
	assert_false(cap_der_oid_eq(cap_span_of(NULL, 0), ""));
}

static int count_visit(const struct cap_der *d, unsigned depth, void *arg)
{
	unsigned *n = arg;

	(void)d;
	(void)depth;
	(*n)++;
	return 0;
}

static void test_walk_limits(void **state)
{
	uint8_t nest[64];
	struct cap_der_limits lim = cap_der_default_limits();
	unsigned n = 0, i;
	static const uint8_t flat[] = { 0x05, 0x00, 0x05, 0x00, 0x05, 0x00, 0x05, 0x00 };

	(void)state;
	/* 32 nested empty-terminated SEQUENCEs: 30 1e 30 1c ... 30 00 */
	for (i = 0; i < 32; i++) {
		nest[2 * i] = 0x30;
		nest[2 * i + 1] = (uint8_t)(62 - 2 * i);
	}
	assert_int_equal(cap_der_walk(cap_span_of(nest, 64), &lim, count_visit, &n),
			 CAP_OK);
	assert_int_equal(n, 32);
	lim.max_depth = 31;
	n = 0;
	assert_int_equal(cap_der_walk(cap_span_of(nest, 64), &lim, count_visit, &n),
			 CAP_LIMIT);
	lim = cap_der_default_limits();
	lim.max_elems = 3;
	n = 0;
	assert_int_equal(cap_der_walk(cap_span_of(flat, sizeof(flat)), &lim,
				      count_visit, &n), CAP_LIMIT);
	assert_int_equal(n, 3);
	n = 0;
	assert_int_equal(cap_der_walk(cap_span_of(flat, sizeof(flat)), NULL,
				      count_visit, &n), CAP_OK);
	assert_int_equal(n, 4);
	/* a truncated inner element is reported */
	nest[1] = 0x40;
	assert_int_equal(cap_der_walk(cap_span_of(nest, 64), NULL, count_visit, &n),
			 CAP_TRUNCATED);
}

/* A budget carried by the reader: depth counts values entered, elements count reads
 * (peeks are free), readers entered from it share it, and a hit fails with CAP_LIMIT. */
static void test_budget(void **state)
{
	uint8_t nest[64];
	static const uint8_t flat[] = { 0x05, 0x00, 0x05, 0x00, 0x05, 0x00, 0x05, 0x00 };
	struct cap_der_limits lim = {31, 0};
	struct cap_der_budget b;
	struct cap_der_reader c, in, sub;
	struct cap_cursor plain;
	struct cap_der d;
	unsigned i;
	char why[96];

	(void)state;
	for (i = 0; i < 32; i++) {
		nest[2 * i] = 0x30;
		nest[2 * i + 1] = (uint8_t)(62 - 2 * i);
	}
	/* 32 levels against a cap of 31: the 32nd SEQUENCE's contents are refused. */
	cap_der_budget_init(&b, &lim);
	c = cap_der_reader(cap_span_of(nest, 64), &b);
	for (i = 0; i < 32; i++) {
		if (!cap_der_seq(&c, &in))
			break;
		c = in;
	}
	assert_int_equal(i, 31);
	assert_int_equal(c.cur.status, CAP_LIMIT);
	assert_int_equal(b.hit, CAP_DER_HIT_DEPTH);
	assert_non_null(cap_der_budget_text(&b, why, sizeof(why)));
	assert_string_equal(why, "DER nesting deeper than 31 levels (cap)");
	/* The same with one level more allowed goes to the bottom. */
	lim.max_depth = 32;
	cap_der_budget_init(&b, &lim);
	c = cap_der_reader(cap_span_of(nest, 64), &b);
	for (i = 0; i < 32 && cap_der_seq(&c, &in); i++)
		c = in;
	assert_int_equal(i, 32);
	assert_int_equal(b.hit, 0);
	assert_null(cap_der_budget_text(&b, why, sizeof(why)));

	/* Elements: three reads allowed; peeking costs nothing; a sub-cursor shares. */
	lim.max_depth = 0;
	lim.max_elems = 3;
	cap_der_budget_init(&b, &lim);
	c = cap_der_reader(cap_span_of(flat, sizeof(flat)), &b);
	assert_true(cap_der_peek(&c.cur, &d));
	assert_true(cap_der_read(&c, &d));
	sub = cap_der_enter(&c, cap_cur_span(&c.cur, 4));
	assert_true(cap_der_read(&sub, &d));
	assert_true(cap_der_peek(&sub.cur, &d));
	assert_true(cap_der_read(&sub, &d));
	assert_int_equal(b.elems, 3);
	assert_false(cap_der_read(&c, &d));
	assert_int_equal(c.cur.status, CAP_LIMIT);
	assert_int_equal(b.hit, CAP_DER_HIT_ELEMS);
	assert_string_equal(cap_der_budget_text(&b, why, sizeof(why)),
			    "more than 3 DER elements (cap)");
	/* No budget: as before, nothing counted. */
	plain = cap_cur_init(flat, sizeof(flat));
	for (i = 0; i < 4; i++)
		assert_true(cap_der_get(&plain, &d));
	c = cap_der_reader(cap_span_of(flat, sizeof(flat)), NULL);
	for (i = 0; i < 4; i++)
		assert_true(cap_der_read(&c, &d));
}

static void test_every_prefix_of_nested(void **state)
{
	static const uint8_t seq[] = { 0x30, 0x0b, 0xa0, 0x03, 0x02, 0x01, 0x05,
				       0xa2, 0x04, 0x1b, 0x02, 'E', 'X' };
	size_t n;

	(void)state;
	for (n = 0; n < sizeof(seq); n++) {
		enum cap_status s =
			cap_der_walk(cap_span_of(seq, n), NULL, NULL, NULL);
		if (n == 0)
			assert_int_equal(s, CAP_OK);
		else
			assert_int_equal(s, CAP_TRUNCATED);
	}
	assert_int_equal(cap_der_walk(cap_span_of(seq, sizeof(seq)), NULL, NULL,
				      NULL), CAP_OK);
}

static void test_sticky_status(void **state)
{
	static const uint8_t b[] = { 0x02, 0x05, 0x01 };
	struct cap_der_reader c = RDR(b), in;
	int64_t v;

	(void)state;
	assert_int_equal(cap_der_int64(&c, &v), 0);
	assert_int_equal(c.cur.status, CAP_TRUNCATED);
	/* every later read fails, first error kept */
	assert_int_equal(cap_der_seq(&c, &in), 0);
	assert_int_equal(cap_der_ctx_opt(&c, 0, &in), 0);
	assert_int_equal(c.cur.status, CAP_TRUNCATED);
	assert_int_equal(in.cur.status, CAP_TRUNCATED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_short_and_long_length),
		cmocka_unit_test(test_nonminimal_length_tolerated),
		cmocka_unit_test(test_indefinite_and_reserved_length),
		cmocka_unit_test(test_length_past_end_and_overflow),
		cmocka_unit_test(test_high_tag),
		cmocka_unit_test(test_expect_optional),
		cmocka_unit_test(test_partial_descent),
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_bool_null_enum),
		cmocka_unit_test(test_bits32),
		cmocka_unit_test(test_gentime),
		cmocka_unit_test(test_oid),
		cmocka_unit_test(test_walk_limits),
		cmocka_unit_test(test_budget),
		cmocka_unit_test(test_universal_names),
		cmocka_unit_test(test_every_prefix_of_nested),
		cmocka_unit_test(test_sticky_status),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
