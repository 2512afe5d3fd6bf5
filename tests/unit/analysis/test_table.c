/* test_table.c - the analysis engine's hash table: it starts small and grows as items
 * arrive (keys of 4 and 48 bytes), never holds more than its capacity, finds every key
 * after growth and after deletions in random order (backward-shift deletion), and
 * iterates over exactly its items. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "findings/table.h"

#define N 5000

static void make_key(uint8_t *k, size_t keylen, uint32_t i)
{
	memset(k, 0, keylen);
	memcpy(k, &i, sizeof(i));
	if (keylen > 8)
		k[keylen - 1] = (uint8_t)(i * 31); /* bytes past the first word count too */
}

static size_t count_items(const struct tbl *t)
{
	size_t i, n = 0;

	for (i = 0; i < t->slots; i++)
		n += tbl_at(t, i, NULL) != NULL;
	return n;
}

static void run(size_t keylen)
{
	static uintptr_t vals[N];
	static uint32_t order[N];
	uint8_t k[64];
	struct tbl t;
	uint32_t i, j, seed = 12345;

	assert_int_equal(tbl_init(&t, N, keylen), 0);
	assert_true(t.slots < 1024); /* small at first */
	for (i = 0; i < N; i++) {
		make_key(k, keylen, i);
		vals[i] = i + 1;
		assert_int_equal(tbl_put(&t, k, &vals[i]), 0);
	}
	assert_true(tbl_full(&t));
	assert_true(t.slots >= 2 * N);
	make_key(k, keylen, N);
	assert_int_equal(tbl_put(&t, k, &vals[0]), -1); /* over the capacity */
	/* replacing an existing key is not an insertion */
	make_key(k, keylen, 7);
	assert_int_equal(tbl_put(&t, k, &vals[7]), 0);
	for (i = 0; i < N; i++) {
		make_key(k, keylen, i);
		assert_ptr_equal(tbl_get(&t, k), &vals[i]);
	}
	assert_int_equal(count_items(&t), N);
	/* delete half in a random order, then check every key */
	for (i = 0; i < N; i++)
		order[i] = i;
	for (i = N - 1; i > 0; i--) {
		uint32_t tmp;

		seed = seed * 1103515245u + 12345u;
		j = (seed >> 8) % (i + 1);
		tmp = order[i];
		order[i] = order[j];
		order[j] = tmp;
	}
	for (i = 0; i < N / 2; i++) {
		make_key(k, keylen, order[i]);
		assert_ptr_equal(tbl_del(&t, k), &vals[order[i]]);
		assert_null(tbl_del(&t, k));
	}
	for (i = 0; i < N; i++) {
		make_key(k, keylen, order[i]);
		if (i < N / 2)
			assert_null(tbl_get(&t, k));
		else
			assert_ptr_equal(tbl_get(&t, k), &vals[order[i]]);
	}
	assert_int_equal(t.n, N - N / 2);
	assert_int_equal(count_items(&t), N - N / 2);
	assert_false(tbl_full(&t));
	/* the room freed is usable again */
	for (i = 0; i < N / 2; i++) {
		make_key(k, keylen, order[i]);
		assert_int_equal(tbl_put(&t, k, &vals[order[i]]), 0);
	}
	assert_true(tbl_full(&t));
	for (i = 0; i < N; i++) {
		make_key(k, keylen, i);
		assert_ptr_equal(tbl_get(&t, k), &vals[i]);
	}
	tbl_free(&t);
}

static void test_small_key(void **state)
{
	(void)state;
	run(4);
}

static void test_large_key(void **state)
{
	(void)state;
	run(48);
}

static void test_bad_init(void **state)
{
	struct tbl t;

	(void)state;
	assert_int_equal(tbl_init(&t, 10, 0), -1);
	assert_int_equal(tbl_init(&t, 10, TBL_KEY_MAX + 1), -1);
	assert_int_equal(tbl_init(&t, 0, 4), -1);
	/* an empty table answers lookups */
	assert_int_equal(tbl_init(&t, 3, 4), 0);
	assert_null(tbl_get(&t, "abcd"));
	assert_null(tbl_del(&t, "abcd"));
	tbl_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small_key),
		cmocka_unit_test(test_large_key),
		cmocka_unit_test(test_bad_init),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
