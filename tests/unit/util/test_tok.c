/* test_tok.c - the code→name table lookup. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "negscope/tok.h"

static const struct cap_tok colours[] = {
	{ 1, "red" },
	{ -7, "minus-seven" },
	{ INT64_MAX, "max" },
	{ 1, "shadowed" }, /* the first entry for a value wins */
	{ 0, NULL },
};

static void test_name(void **state)
{
	(void)state;
	assert_string_equal(cap_tok_name(colours, 1, "?"), "red");
	assert_string_equal(cap_tok_name(colours, -7, "?"), "minus-seven");
	assert_string_equal(cap_tok_name(colours, INT64_MAX, "?"), "max");
	assert_string_equal(cap_tok_name(colours, 2, "?"), "?");
	assert_null(cap_tok_name(colours, 0, NULL)); /* the terminator is not an entry */
	assert_null(cap_tok_name(NULL, 1, NULL));
}

static void test_value(void **state)
{
	int64_t v = 99;

	(void)state;
	assert_int_equal(cap_tok_value(colours, "RED", &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(cap_tok_value(colours, "minus-seven", &v), 0);
	assert_int_equal(v, -7);
	v = 99;
	assert_int_equal(cap_tok_value(colours, "blue", &v), -1);
	assert_int_equal(v, 99);
	assert_int_equal(cap_tok_value(colours, NULL, &v), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name),
		cmocka_unit_test(test_value),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
