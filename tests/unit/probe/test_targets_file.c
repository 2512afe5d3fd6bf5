/* test_targets_file.c - --targets is read in bounded pieces: URLs, comments and blank
 * lines; a line over 8 KiB or a NUL byte is an error naming the line (issue 16). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "secret.h"

/* Writes n bytes to a new temporary file; returns its path (static storage). */
static const char *temp_with(const char *bytes, size_t n)
{
	static char path[64];
	FILE *fp;
	int fd;

	snprintf(path, sizeof(path), "/tmp/negprobe-targets-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	fp = fdopen(fd, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(bytes, 1, n, fp), n);
	assert_int_equal(fclose(fp), 0);
	return path;
}

static void urls_comments_blanks(void **state)
{
	static const char text[] = "# list\n\n  http://a.test/  \n\t# indented\n"
				   "https://b.test/x\r\nhttp://c.test/";
	const char *path = temp_with(text, sizeof(text) - 1);
	char err[256] = "";
	char **lines = NULL;
	long n = probe_read_lines(path, 10, &lines, err, sizeof(err));

	(void)state;
	unlink(path);
	assert_int_equal(n, 3);
	assert_string_equal(lines[0], "http://a.test/");
	assert_string_equal(lines[1], "https://b.test/x");
	assert_string_equal(lines[2], "http://c.test/");
	probe_free_lines(lines, n);
}

static void long_line_names_its_number(void **state)
{
	size_t big = 3 * 8192;
	char *text = malloc(big + 32);
	const char *path;
	char err[256] = "";
	char **lines = NULL;

	(void)state;
	assert_non_null(text);
	memcpy(text, "http://a.test/\n", 15);
	memset(text + 15, 'x', big);
	text[15 + big] = '\n';
	path = temp_with(text, 16 + big);
	free(text);
	assert_int_equal(probe_read_lines(path, 10, &lines, err, sizeof(err)), -1);
	unlink(path);
	assert_null(lines);
	assert_non_null(strstr(err, "line 2: longer than 8192 bytes"));
}

static void nul_byte_is_an_error(void **state)
{
	const char *path = temp_with("http://a.test/\n\0\0\0", 18);
	char err[256] = "";
	char **lines = NULL;

	(void)state;
	assert_int_equal(probe_read_lines(path, 10, &lines, err, sizeof(err)), -1);
	unlink(path);
	assert_non_null(strstr(err, "line 2: a NUL byte"));
}

static void exactly_the_limit_is_accepted(void **state)
{
	char *text = malloc(8192 + 1);
	const char *path;
	char err[256] = "";
	char **lines = NULL;
	long n;

	(void)state;
	assert_non_null(text);
	memset(text, 'y', 8192);
	text[8192] = '\n';
	path = temp_with(text, 8193);
	free(text);
	n = probe_read_lines(path, 10, &lines, err, sizeof(err));
	unlink(path);
	assert_int_equal(n, 1);
	assert_int_equal(strlen(lines[0]), 8192);
	probe_free_lines(lines, n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(urls_comments_blanks),
		cmocka_unit_test(long_line_names_its_number),
		cmocka_unit_test(nul_byte_is_an_error),
		cmocka_unit_test(exactly_the_limit_is_accepted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
