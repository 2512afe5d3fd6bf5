/* test_safe_text.c - server text made safe for terminals and XML: controls and invalid
 * UTF-8 shown as \xNN, valid UTF-8 kept, output cut at a character boundary. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "safe_text.h"

static void escapes_controls(void **state)
{
	char out[256];

	(void)state;
	assert_string_equal(probe_str_safe(out, sizeof(out), "\x1b]0;x\x07\x1b[2J ok\tz\x7f"),
			    "\\x1b]0;x\\x07\\x1b[2J ok\tz\\x7f");
	/* C1 CSI as UTF-8 (U+009B), a lone 0xFF, a cut sequence */
	assert_string_equal(probe_str_safe(out, sizeof(out), "a\xc2\x9b" "b\xff" "c\xe2\x82"),
			    "a\\xc2\\x9bb\\xffc\\xe2\\x82");
	assert_string_equal(probe_str_safe(out, sizeof(out), NULL), "");
}

static void keeps_utf8(void **state)
{
	char out[64];

	(void)state;
	assert_string_equal(probe_str_safe(out, sizeof(out),
					   "\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x91"),
			    "\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x91");
	/* overlong '/', a UTF-16 surrogate, past U+10FFFF: not UTF-8 */
	assert_string_equal(probe_str_safe(out, sizeof(out), "\xc0\xaf"), "\\xc0\\xaf");
	assert_string_equal(probe_str_safe(out, sizeof(out), "\xed\xa0\x80"), "\\xed\\xa0\\x80");
	assert_string_equal(probe_str_safe(out, sizeof(out), "\xf4\x90\x80\x80"),
			    "\\xf4\\x90\\x80\\x80");
}

static void cuts_at_boundary(void **state)
{
	char out[6];

	(void)state;
	assert_string_equal(probe_str_safe(out, sizeof(out), "ab\x1b" "cd"), "ab");
	assert_string_equal(probe_str_safe(out, sizeof(out), "abc\xe2\x82\xac"), "abc");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(escapes_controls),
		cmocka_unit_test(keeps_utf8),
		cmocka_unit_test(cuts_at_boundary),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
