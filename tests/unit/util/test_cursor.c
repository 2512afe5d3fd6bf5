/* test_cursor.c - the bounds-checked reader: sticky errors, sub-cursors, sizes near SIZE_MAX,
 * and reads at the exact end of the buffer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "negscope/cursor.h"

static const uint8_t bytes[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08 };

/* Every read up to the last byte succeeds; one byte more fails as truncated. */
static void test_reads_at_exact_end(void **state)
{
	struct cap_cursor c = cap_cur_init(bytes, sizeof(bytes));
	uint8_t out[2];

	(void)state;
	assert_int_equal(cap_cur_be16(&c), 0x0102);
	assert_int_equal(cap_cur_le16(&c), 0x0403);
	assert_int_equal(cap_cur_be32(&c), 0x05060708u);
	assert_int_equal(cap_cur_left(&c), 0);
	assert_true(cap_cur_ok(&c));
	/* Zero bytes at the very end are there. */
	assert_non_null(cap_cur_bytes(&c, 0));
	assert_true(cap_cur_skip(&c, 0));
	assert_int_equal(cap_cur_peek(&c, 0), -1);
	assert_true(cap_cur_ok(&c));
	assert_int_equal(cap_cur_u8(&c), 0);
	assert_int_equal(c.status, CAP_TRUNCATED);

	c = cap_cur_init(bytes, sizeof(bytes));
	assert_int_equal(cap_cur_le64(&c), 0x0807060504030201ull);
	assert_true(cap_cur_ok(&c));

	/* A multi-byte read one short of the end refuses all of it, consuming nothing. */
	c = cap_cur_init(bytes, 3);
	assert_int_equal(cap_cur_be32(&c), 0);
	assert_int_equal(c.status, CAP_TRUNCATED);
	c = cap_cur_init(bytes, 1);
	memset(out, 0xaa, sizeof(out));
	assert_int_equal(cap_cur_copy(&c, out, 2), 0);
	assert_int_equal(out[0], 0);
	assert_int_equal(out[1], 0);

	/* The last byte can be peeked at, the one after cannot. */
	c = cap_cur_init(bytes, sizeof(bytes));
	assert_int_equal(cap_cur_peek(&c, 7), 0x08);
	assert_int_equal(cap_cur_peek(&c, 8), -1);
	assert_int_equal(cap_cur_peek(&c, SIZE_MAX), -1);
	assert_true(cap_cur_ok(&c)); /* peeking never fails the cursor */
}

/* After a failed read every later read fails, returns zero or empty, and the first error
 * stays. */
static void test_sticky_error(void **state)
{
	struct cap_cursor c = cap_cur_init(bytes, sizeof(bytes));
	struct cap_span s, rest;
	uint8_t out[4];

	(void)state;
	assert_int_equal(cap_cur_u8(&c), 0x01);
	assert_null(cap_cur_bytes(&c, 100));
	assert_int_equal(c.status, CAP_TRUNCATED);
	/* The bytes are still there, but a failed cursor reads none of them. */
	assert_int_equal(cap_cur_u8(&c), 0);
	assert_int_equal(cap_cur_be16(&c), 0);
	assert_int_equal(cap_cur_le32(&c), 0);
	assert_int_equal(cap_cur_le64(&c), 0);
	assert_null(cap_cur_bytes(&c, 0));
	assert_false(cap_cur_skip(&c, 0));
	assert_int_equal(cap_cur_left(&c), 0);
	assert_int_equal(cap_cur_peek(&c, 0), -1);
	s = cap_cur_span(&c, 1);
	assert_null(s.p);
	assert_int_equal(s.len, 0);
	rest = cap_cur_rest(&c);
	assert_null(rest.p);
	assert_int_equal(rest.len, 0);
	memset(out, 0xaa, sizeof(out));
	assert_int_equal(cap_cur_copy(&c, out, sizeof(out)), 0);
	assert_int_equal(out[0] | out[1] | out[2] | out[3], 0);

	/* A second, different failure does not overwrite the first. */
	cap_cur_fail(&c, CAP_MALFORMED);
	assert_int_equal(c.status, CAP_TRUNCATED);
	assert_string_equal(cap_status_name(c.status), "truncated");

	/* Failing "with success" still fails: an empty cursor is never silently OK. */
	c = cap_cur_init(bytes, sizeof(bytes));
	cap_cur_fail(&c, CAP_OK);
	assert_false(cap_cur_ok(&c));
	assert_int_equal(c.status, CAP_MALFORMED);
	assert_int_equal(cap_cur_u8(&c), 0);
}

/* A sub-cursor of a failed parent is failed with the parent's error and reads nothing; the
 * parent does not move. */
static void test_sub_of_failed_parent(void **state)
{
	struct cap_cursor c = cap_cur_init(bytes, sizeof(bytes)), s;

	(void)state;
	cap_cur_fail(&c, CAP_LIMIT);
	s = cap_cur_sub(&c, 2);
	assert_false(cap_cur_ok(&s));
	assert_int_equal(s.status, CAP_LIMIT);
	assert_int_equal(cap_cur_left(&s), 0);
	assert_int_equal(cap_cur_u8(&s), 0);
	assert_int_equal(cap_cur_peek(&s, 0), -1);
	assert_int_equal(c.status, CAP_LIMIT);

	/* A sub-cursor longer than the parent fails both as truncated. */
	c = cap_cur_init(bytes, sizeof(bytes));
	s = cap_cur_sub(&c, sizeof(bytes) + 1);
	assert_int_equal(s.status, CAP_TRUNCATED);
	assert_int_equal(c.status, CAP_TRUNCATED);
	assert_int_equal(cap_cur_u8(&s), 0);

	/* A good sub-cursor is bounded to its bytes; its failure leaves the parent alone. */
	c = cap_cur_init(bytes, sizeof(bytes));
	s = cap_cur_sub(&c, 2);
	assert_int_equal(cap_cur_be16(&s), 0x0102);
	assert_int_equal(cap_cur_u8(&s), 0);
	assert_int_equal(s.status, CAP_TRUNCATED);
	assert_true(cap_cur_ok(&c));
	assert_int_equal(cap_cur_u8(&c), 0x03);

	/* A sub-cursor of exactly the rest, and an empty one at the end, are fine. */
	s = cap_cur_sub(&c, cap_cur_left(&c));
	assert_int_equal(cap_cur_left(&s), 5);
	s = cap_cur_sub(&c, 0);
	assert_true(cap_cur_ok(&s));
	assert_int_equal(cap_cur_left(&s), 0);
}

/* Lengths and offsets whose sum would wrap size_t are refused, never wrapped. */
static void test_near_size_max(void **state)
{
	struct cap_cursor c = cap_cur_init(bytes, sizeof(bytes)), s;
	struct cap_span whole = cap_span_of(bytes, sizeof(bytes));

	(void)state;
	assert_null(cap_cur_bytes(&c, SIZE_MAX));
	assert_int_equal(c.status, CAP_TRUNCATED);
	c = cap_cur_init(bytes, sizeof(bytes));
	assert_false(cap_cur_skip(&c, SIZE_MAX - 1));
	c = cap_cur_init(bytes, sizeof(bytes));
	(void)cap_cur_u8(&c);
	s = cap_cur_sub(&c, SIZE_MAX);
	assert_false(cap_cur_ok(&s));
	assert_false(cap_cur_ok(&c));

	/* off + len would wrap to a small number: still out of range. */
	assert_false(cap_range_ok(1, SIZE_MAX, 8));
	assert_false(cap_range_ok(SIZE_MAX, 1, 8));
	assert_false(cap_range_ok(SIZE_MAX, SIZE_MAX, SIZE_MAX - 1));
	assert_false(cap_range_ok(2, SIZE_MAX - 1, 8));
	assert_false(cap_range_ok(9, 0, 8));
	assert_true(cap_range_ok(8, 0, 8));
	assert_true(cap_range_ok(0, 8, 8));
	assert_true(cap_range_ok(SIZE_MAX, 0, SIZE_MAX));
	assert_true(cap_range_ok(1, SIZE_MAX - 1, SIZE_MAX));
	assert_false(cap_range_ok(2, SIZE_MAX - 1, SIZE_MAX));

	s = cap_span_slice(whole, 4, SIZE_MAX - 3);
	assert_int_equal(s.status, CAP_MALFORMED);
	assert_int_equal(cap_cur_left(&s), 0);
	s = cap_span_slice(whole, SIZE_MAX, 2);
	assert_int_equal(s.status, CAP_MALFORMED);
	s = cap_span_slice(whole, 6, 2);
	assert_true(cap_cur_ok(&s));
	assert_int_equal(cap_cur_be16(&s), 0x0708);
	s = cap_span_slice(whole, 8, 0);
	assert_true(cap_cur_ok(&s));
	assert_int_equal(cap_cur_left(&s), 0);
	s = cap_span_slice(cap_span_of(NULL, 0), 0, 0);
	assert_false(cap_cur_ok(&s));
}

/* A NULL buffer is an empty cursor, whatever length is claimed. */
static void test_null_buffer(void **state)
{
	struct cap_cursor c = cap_cur_init(NULL, SIZE_MAX);

	(void)state;
	assert_int_equal(cap_cur_left(&c), 0);
	assert_true(cap_cur_ok(&c));
	assert_int_equal(cap_cur_u8(&c), 0);
	assert_int_equal(c.status, CAP_TRUNCATED);
}

static void test_status_names(void **state)
{
	(void)state;
	assert_string_equal(cap_status_name(CAP_OK), "ok");
	assert_string_equal(cap_status_name(CAP_MALFORMED), "malformed");
	assert_string_equal(cap_status_name(CAP_LIMIT), "limit");
	assert_string_equal(cap_status_name(CAP_UNSUPPORTED), "unsupported");
	assert_string_equal(cap_status_name((enum cap_status)42), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reads_at_exact_end),
		cmocka_unit_test(test_sticky_error),
		cmocka_unit_test(test_sub_of_failed_parent),
		cmocka_unit_test(test_near_size_max),
		cmocka_unit_test(test_null_buffer),
		cmocka_unit_test(test_status_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
