/* test_dynbuf.c - the growable buffer with a cap set at init. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "negscope/dynbuf.h"

/* Growth past the first allocation keeps every byte, in order. */
static void test_growth(void **state)
{
	struct cap_dynbuf b;
	size_t i;

	(void)state;
	cap_dynbuf_init(&b, 100000);
	for (i = 0; i < 5000; i++)
		assert_int_equal(cap_dynbuf_addc(&b, (char)('a' + i % 26)), CAP_DYN_OK);
	assert_int_equal(cap_dynbuf_len(&b), 5000);
	assert_true(b.alloc > 5000 && b.alloc <= 100001);
	for (i = 0; i < 5000; i++)
		assert_int_equal(cap_dynbuf_ptr(&b)[i], (char)('a' + i % 26));
	assert_int_equal(cap_dynbuf_ptr(&b)[5000], '\0');
	assert_false(cap_dynbuf_hit(&b));
	cap_dynbuf_free(&b);
	assert_int_equal(cap_dynbuf_len(&b), 0);
	assert_string_equal(cap_dynbuf_ptr(&b), "");
}

/* Exactly max bytes fit; storage never exceeds max plus the NUL. */
static void test_cap_exactly_reached(void **state)
{
	struct cap_dynbuf b;

	(void)state;
	cap_dynbuf_init(&b, 10);
	assert_int_equal(cap_dynbuf_adds(&b, "01234"), CAP_DYN_OK);
	assert_int_equal(cap_dynbuf_add(&b, "56789", 5), CAP_DYN_OK);
	assert_int_equal(cap_dynbuf_len(&b), 10);
	assert_string_equal(cap_dynbuf_ptr(&b), "0123456789");
	assert_false(cap_dynbuf_hit(&b));
	assert_true(b.alloc <= 11);
	/* Adding nothing to a full buffer is not passing the cap. */
	assert_int_equal(cap_dynbuf_add(&b, "", 0), CAP_DYN_OK);
	assert_false(cap_dynbuf_hit(&b));
	cap_dynbuf_free(&b);
}

/* Passing the cap: an error value, hit recorded, content cut at the cap. */
static void test_cap_passed(void **state)
{
	struct cap_dynbuf b;

	(void)state;
	cap_dynbuf_init(&b, 8);
	assert_int_equal(cap_dynbuf_adds(&b, "abcdef"), CAP_DYN_OK);
	assert_int_equal(cap_dynbuf_adds(&b, "ghij"), CAP_DYN_TOO_LARGE);
	assert_true(cap_dynbuf_hit(&b));
	assert_string_equal(cap_dynbuf_ptr(&b), "abcdefgh");
	assert_int_equal(cap_dynbuf_addc(&b, 'x'), CAP_DYN_TOO_LARGE);
	assert_int_equal(cap_dynbuf_len(&b), 8);
	cap_dynbuf_free(&b);

	/* A cap of zero takes nothing and allocates nothing. */
	cap_dynbuf_init(&b, 0);
	assert_int_equal(cap_dynbuf_addc(&b, 'x'), CAP_DYN_TOO_LARGE);
	assert_null(b.p);
	assert_string_equal(cap_dynbuf_ptr(&b), "");
	cap_dynbuf_free(&b);
}

/* Formatted text, short and longer than any internal scratch space, and cut by the cap. */
static void test_formatted(void **state)
{
	struct cap_dynbuf b;
	char want[1001];

	(void)state;
	cap_dynbuf_init(&b, 4096);
	assert_int_equal(cap_dynbuf_addf(&b, "%s %d/%u", "frame", -3, 7u), CAP_DYN_OK);
	assert_string_equal(cap_dynbuf_ptr(&b), "frame -3/7");
	cap_dynbuf_reset(&b);
	memset(want, 'z', 1000);
	want[1000] = '\0';
	assert_int_equal(cap_dynbuf_addf(&b, "%s", want), CAP_DYN_OK);
	assert_int_equal(cap_dynbuf_len(&b), 1000);
	assert_string_equal(cap_dynbuf_ptr(&b), want);
	cap_dynbuf_free(&b);

	cap_dynbuf_init(&b, 600);
	assert_int_equal(cap_dynbuf_addf(&b, "%s", want), CAP_DYN_TOO_LARGE);
	assert_int_equal(cap_dynbuf_len(&b), 600);
	assert_true(cap_dynbuf_hit(&b));
	assert_int_equal(strspn(cap_dynbuf_ptr(&b), "z"), 600);
	cap_dynbuf_free(&b);

	cap_dynbuf_init(&b, 5);
	assert_int_equal(cap_dynbuf_addf(&b, "n=%d", 123456), CAP_DYN_TOO_LARGE);
	assert_string_equal(cap_dynbuf_ptr(&b), "n=123");
	cap_dynbuf_free(&b);
}

/* Reset empties and clears hit, keeping storage and cap. */
static void test_reset(void **state)
{
	struct cap_dynbuf b;
	char *before;

	(void)state;
	cap_dynbuf_init(&b, 4);
	assert_int_equal(cap_dynbuf_adds(&b, "abcdef"), CAP_DYN_TOO_LARGE);
	before = b.p;
	cap_dynbuf_reset(&b);
	assert_int_equal(cap_dynbuf_len(&b), 0);
	assert_string_equal(cap_dynbuf_ptr(&b), "");
	assert_false(cap_dynbuf_hit(&b));
	assert_ptr_equal(b.p, before);
	assert_int_equal(cap_dynbuf_adds(&b, "wxyz"), CAP_DYN_OK);
	assert_string_equal(cap_dynbuf_ptr(&b), "wxyz");
	cap_dynbuf_free(&b);
}

/* Zero-length adds: no allocation, no error, ptr is "" (never NULL). */
static void test_zero_length(void **state)
{
	struct cap_dynbuf b;
	size_t n = 99;

	(void)state;
	cap_dynbuf_init(&b, 16);
	assert_int_equal(cap_dynbuf_add(&b, NULL, 0), CAP_DYN_OK);
	assert_int_equal(cap_dynbuf_adds(&b, ""), CAP_DYN_OK);
	assert_int_equal(cap_dynbuf_addf(&b, "%s", ""), CAP_DYN_OK);
	assert_null(b.p);
	assert_non_null(cap_dynbuf_ptr(&b));
	assert_string_equal(cap_dynbuf_ptr(&b), "");
	assert_null(cap_dynbuf_take(&b, &n));
	assert_int_equal(n, 0);
	cap_dynbuf_free(&b);
}

/* Fixed storage: the caller's array, cut at its size, never freed nor grown. */
static void test_fixed(void **state)
{
	struct cap_dynbuf b;
	char mem[6];

	(void)state;
	memset(mem, 'q', sizeof(mem));
	cap_dynbuf_init_fixed(&b, mem, sizeof(mem));
	assert_string_equal(mem, "");
	assert_int_equal(cap_dynbuf_adds(&b, "abc"), CAP_DYN_OK);
	assert_int_equal(cap_dynbuf_addf(&b, "%d", 12345), CAP_DYN_TOO_LARGE);
	assert_string_equal(mem, "abc12");
	assert_ptr_equal(cap_dynbuf_ptr(&b), mem);
	assert_null(cap_dynbuf_take(&b, NULL));
	cap_dynbuf_free(&b);
	assert_string_equal(mem, "");

	cap_dynbuf_init_fixed(&b, mem, 0);
	assert_int_equal(cap_dynbuf_addc(&b, 'a'), CAP_DYN_TOO_LARGE);
	assert_string_equal(cap_dynbuf_ptr(&b), "");
}

/* Whole units: all or none; after a refusal nothing more goes in, until reset. */
static void test_add_whole(void **state)
{
	struct cap_dynbuf b;
	char mem[8];

	(void)state;
	cap_dynbuf_init(&b, 6);
	assert_int_equal(cap_dynbuf_add_whole(&b, "abcd", 4), CAP_DYN_OK);
	assert_int_equal(cap_dynbuf_add_whole(&b, "\\x7f", 4), CAP_DYN_TOO_LARGE);
	assert_string_equal(cap_dynbuf_ptr(&b), "abcd");
	assert_true(cap_dynbuf_hit(&b));
	/* Two bytes would fit, but the text already has a hole: refused. */
	assert_int_equal(cap_dynbuf_add_whole(&b, "ef", 2), CAP_DYN_TOO_LARGE);
	assert_int_equal(cap_dynbuf_adds(&b, "ef"), CAP_DYN_TOO_LARGE);
	assert_int_equal(cap_dynbuf_addf(&b, "%s", "ef"), CAP_DYN_TOO_LARGE);
	assert_string_equal(cap_dynbuf_ptr(&b), "abcd");
	cap_dynbuf_reset(&b);
	assert_int_equal(cap_dynbuf_add_whole(&b, "abcdef", 6), CAP_DYN_OK);
	assert_false(cap_dynbuf_hit(&b));
	cap_dynbuf_free(&b);

	/* The same on fixed storage, where formatted text is written in place. */
	cap_dynbuf_init_fixed(&b, mem, sizeof(mem));
	assert_int_equal(cap_dynbuf_addf(&b, "%s|", "AB"), CAP_DYN_OK);
	assert_int_equal(cap_dynbuf_add_whole(&b, "SEAL", 4), CAP_DYN_OK);
	assert_int_equal(cap_dynbuf_add_whole(&b, "|X", 2), CAP_DYN_TOO_LARGE);
	assert_int_equal(cap_dynbuf_addf(&b, "%c", 'Y'), CAP_DYN_TOO_LARGE);
	assert_string_equal(mem, "AB|SEAL");
	assert_int_equal(cap_dynbuf_len(&b), 7);
}

/* take hands the heap content over and leaves an empty buffer. */
static void test_take(void **state)
{
	struct cap_dynbuf b;
	size_t n = 0;
	char *p;

	(void)state;
	cap_dynbuf_init(&b, 32);
	assert_int_equal(cap_dynbuf_adds(&b, "kept"), CAP_DYN_OK);
	p = cap_dynbuf_take(&b, &n);
	assert_non_null(p);
	assert_int_equal(n, 4);
	assert_string_equal(p, "kept");
	free(p);
	assert_int_equal(cap_dynbuf_len(&b), 0);
	assert_int_equal(cap_dynbuf_adds(&b, "again"), CAP_DYN_OK);
	assert_string_equal(cap_dynbuf_ptr(&b), "again");
	cap_dynbuf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_growth),
		cmocka_unit_test(test_cap_exactly_reached),
		cmocka_unit_test(test_cap_passed),
		cmocka_unit_test(test_formatted),
		cmocka_unit_test(test_reset),
		cmocka_unit_test(test_zero_length),
		cmocka_unit_test(test_fixed),
		cmocka_unit_test(test_add_whole),
		cmocka_unit_test(test_take),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
