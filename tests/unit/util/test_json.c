/* test_json.c - the JSON-lines writer: structure checks, escaping, UTF-8 repair, caps.
 * Output validity is checked independently by Python's json module where it matters. */
#include <setjmp.h>
#include <stdarg.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "negscope/json.h"

static void json_buf(struct cap_json *j, char *buf, size_t cap)
{
	cap_json_init_buf(j, buf, cap);
}

static void test_nested_structure(void **state)
{
	char buf[512];
	struct cap_json j;

	(void)state;
	json_buf(&j, buf, sizeof(buf));
	cap_json_obj_begin(&j);
	cap_json_kv_str(&j, "id", "ntlm_fallback");
	cap_json_kv_uint(&j, "frame", 42);
	cap_json_kv_int(&j, "neg", -7);
	cap_json_kv_bool(&j, "t", 1);
	cap_json_kv_bool(&j, "f", 0);
	cap_json_kv_null(&j, "n");
	cap_json_kv_arr_begin(&j, "a");
	cap_json_str(&j, "x");
	cap_json_obj_begin(&j);
	cap_json_obj_end(&j);
	cap_json_arr_begin(&j);
	cap_json_arr_end(&j);
	cap_json_int(&j, 1);
	cap_json_arr_end(&j);
	cap_json_kv_obj_begin(&j, "o");
	cap_json_kv_hex(&j, "h", cap_span_of("\x01\xab", 2));
	cap_json_obj_end(&j);
	cap_json_obj_end(&j);
	assert_int_equal(cap_json_end_line(&j), CAP_JSON_OK);
	assert_string_equal(buf, "{\"id\":\"ntlm_fallback\",\"frame\":42,\"neg\":-7,\"t\":true,"
				 "\"f\":false,\"n\":null,\"a\":[\"x\",{},[],1],\"o\":{\"h\":\"01ab\"}}\n");
	assert_int_equal(cap_json_len(&j), strlen(buf));
}

static void test_escapes(void **state)
{
	char buf[256];
	struct cap_json j;
	static const char in[] = "q\"b\\n\nr\rt\tb\bf\f\x01\x1f\x7f/";

	(void)state;
	json_buf(&j, buf, sizeof(buf));
	cap_json_strn(&j, in, sizeof(in) - 1);
	assert_int_equal(cap_json_status(&j), CAP_JSON_OK);
	assert_string_equal(buf, "\"q\\\"b\\\\n\\nr\\rt\\tb\\bf\\f\\u0001\\u001f\\u007f/\"");
}

static void test_utf8_valid_and_invalid(void **state)
{
	char buf[256];
	struct cap_json j;

	(void)state;
	/* Valid 2, 3, 4-byte sequences pass through. */
	json_buf(&j, buf, sizeof(buf));
	cap_json_str(&j, "\xc3\xa9\xe2\x86\x92\xf0\x9f\x98\x80");
	assert_string_equal(buf, "\"\xc3\xa9\xe2\x86\x92\xf0\x9f\x98\x80\"");
	/* Stray continuation, overlong, surrogate, > U+10FFFF, cut sequence, 0xff. */
	json_buf(&j, buf, sizeof(buf));
	{
		static const char bad[] = "\x80|\xc0\xaf|\xed\xa0\x80|\xf4\x90\x80\x80|\xe2\x86|\xff";

		cap_json_strn(&j, bad, sizeof(bad) - 1);
	}
	assert_string_equal(buf, "\"\\ufffd|\\ufffd\\ufffd|\\ufffd\\ufffd\\ufffd|"
				 "\\ufffd\\ufffd\\ufffd\\ufffd|\\ufffd\\ufffd|\\ufffd\"");
	/* Embedded NUL with strn. */
	json_buf(&j, buf, sizeof(buf));
	cap_json_strn(&j, "a\0b", 3);
	assert_string_equal(buf, "\"a\\u0000b\"");
}

static void test_numbers(void **state)
{
	char buf[256];
	struct cap_json j;

	(void)state;
	json_buf(&j, buf, sizeof(buf));
	cap_json_arr_begin(&j);
	cap_json_int(&j, INT64_MIN);
	cap_json_uint(&j, UINT64_MAX);
	cap_json_double(&j, 0.5);
	cap_json_double(&j, NAN);
	cap_json_double(&j, INFINITY);
	cap_json_arr_end(&j);
	assert_int_equal(cap_json_status(&j), CAP_JSON_OK);
	assert_string_equal(buf, "[-9223372036854775808,18446744073709551615,0.5,null,null]");
}

static void test_misuse(void **state)
{
	char buf[64];
	struct cap_json j;
	int i;

	(void)state;
	/* A value in an object without a key. */
	json_buf(&j, buf, sizeof(buf));
	cap_json_obj_begin(&j);
	cap_json_str(&j, "x");
	assert_int_equal(cap_json_status(&j), CAP_JSON_MISUSE);
	/* A key in an array. */
	json_buf(&j, buf, sizeof(buf));
	cap_json_arr_begin(&j);
	cap_json_key(&j, "k");
	assert_int_equal(cap_json_status(&j), CAP_JSON_MISUSE);
	/* Mismatched end. */
	json_buf(&j, buf, sizeof(buf));
	cap_json_obj_begin(&j);
	cap_json_arr_end(&j);
	assert_int_equal(cap_json_status(&j), CAP_JSON_MISUSE);
	/* A dangling key. */
	json_buf(&j, buf, sizeof(buf));
	cap_json_obj_begin(&j);
	cap_json_key(&j, "k");
	cap_json_obj_end(&j);
	assert_int_equal(cap_json_status(&j), CAP_JSON_MISUSE);
	/* end_line with an open container, and two top-level values without a newline. */
	json_buf(&j, buf, sizeof(buf));
	cap_json_obj_begin(&j);
	assert_int_equal(cap_json_end_line(&j), CAP_JSON_MISUSE);
	json_buf(&j, buf, sizeof(buf));
	cap_json_null(&j);
	cap_json_null(&j);
	assert_int_equal(cap_json_status(&j), CAP_JSON_MISUSE);
	/* end_line with nothing written. */
	json_buf(&j, buf, sizeof(buf));
	assert_int_equal(cap_json_end_line(&j), CAP_JSON_MISUSE);
	/* Depth cap. */
	json_buf(&j, buf, sizeof(buf));
	for (i = 0; i < CAP_JSON_MAX_DEPTH + 1; i++)
		cap_json_arr_begin(&j);
	assert_int_not_equal(cap_json_status(&j), CAP_JSON_OK);
	/* Sticky: later calls change nothing. */
	{
		size_t len = cap_json_len(&j);

		cap_json_null(&j);
		assert_int_equal(cap_json_len(&j), len);
	}
}

static void test_buffer_cap(void **state)
{
	char buf[8];
	struct cap_json j;

	(void)state;
	json_buf(&j, buf, sizeof(buf));
	cap_json_str(&j, "abcdefghij");
	assert_int_equal(cap_json_status(&j), CAP_JSON_FULL);
	assert_int_equal(strlen(buf), sizeof(buf) - 1);
	assert_memory_equal(buf, "\"abcdef", 7);
	/* Reset gives a clean writer over the same buffer. */
	cap_json_reset(&j);
	cap_json_int(&j, 5);
	assert_int_equal(cap_json_end_line(&j), CAP_JSON_OK);
	assert_string_equal(buf, "5\n");
	/* A full buffer at the closing quote. */
	json_buf(&j, buf, sizeof(buf));
	cap_json_str(&j, "abcdef");
	assert_int_equal(cap_json_status(&j), CAP_JSON_FULL);
}

static void test_lines_to_file(void **state)
{
	FILE *fp = tmpfile();
	struct cap_json j;
	char got[128];
	size_t n;

	(void)state;
	assert_non_null(fp);
	cap_json_init_file(&j, fp);
	cap_json_obj_begin(&j);
	cap_json_kv_int(&j, "a", 1);
	cap_json_obj_end(&j);
	assert_int_equal(cap_json_end_line(&j), CAP_JSON_OK);
	cap_json_arr_begin(&j);
	cap_json_arr_end(&j);
	assert_int_equal(cap_json_end_line(&j), CAP_JSON_OK);
	rewind(fp);
	n = fread(got, 1, sizeof(got) - 1, fp);
	got[n] = '\0';
	assert_string_equal(got, "{\"a\":1}\n[]\n");
	fclose(fp);
	cap_json_init_file(&j, NULL);
	assert_int_equal(cap_json_status(&j), CAP_JSON_MISUSE);
}

/* Writes random byte strings as JSON lines and lets Python's json module check each line:
 * it must parse, and when the input was valid UTF-8 it must round-trip exactly. */
static void test_random_strings_parse_in_python(void **state)
{
	char path[] = "/tmp/negscope-json-XXXXXX";
	FILE *fp;
	struct cap_json j;
	uint8_t b[48];
	int i, k, fd, rc;
	char cmd[512];
	uint32_t seed = 12345;

	(void)state;
	if (system("python3 -c 'import json' >/dev/null 2>&1") != 0)
		skip();
	fd = mkstemp(path);
	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	assert_non_null(fp);
	cap_json_init_file(&j, fp);
	for (i = 0; i < 2000; i++) {
		size_t n = (size_t)(i % 48);

		for (k = 0; k < (int)n; k++) {
			seed = seed * 1103515245u + 12345u;
			/* Bias toward ASCII, controls and UTF-8 lead/continuation bytes. */
			b[k] = (uint8_t)((seed >> 16) & 0xff);
		}
		cap_json_obj_begin(&j);
		cap_json_key(&j, "s");
		cap_json_strn(&j, b, n);
		cap_json_kv_hex(&j, "raw", cap_span_of(b, n));
		cap_json_obj_end(&j);
		assert_int_equal(cap_json_end_line(&j), CAP_JSON_OK);
	}
	fclose(fp);
	snprintf(cmd, sizeof(cmd),
		 "python3 -c \"import json,sys\n"
		 "for l in open('%s','rb'):\n"
		 "  l.decode('utf-8')\n"
		 "  o=json.loads(l)\n"
		 "  r=bytes.fromhex(o['raw'])\n"
		 "  try: t=r.decode('utf-8')\n"
		 "  except UnicodeDecodeError: continue\n"
		 "  assert o['s']==t,(o,t)\n\"",
		 path);
	rc = system(cmd);
	unlink(path);
	assert_int_equal(rc, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nested_structure),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_utf8_valid_and_invalid),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_misuse),
		cmocka_unit_test(test_buffer_cap),
		cmocka_unit_test(test_lines_to_file),
		cmocka_unit_test(test_random_strings_parse_in_python),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
