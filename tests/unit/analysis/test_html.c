/* test_html.c - report/html.c and html_escape.c: hostile text stays text, the report holds
 * the lanes, one arrow per ladder step, findings pinned to the frames they cite and linked
 * back, quiet conversations collapse under a cap the file states, and a failed write is
 * an error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "negscope/analysis.h"
#include "negscope/report.h"

#include "fact_build.h"

static char *escaped(const void *s, size_t n)
{
	char *out = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&out, &len);

	assert_non_null(fp);
	assert_int_equal(cap_html_escape(fp, s, n), 0);
	fclose(fp);
	return out;
}

static void check_escape(const char *in, size_t n, const char *want)
{
	char *got = escaped(in, n);

	assert_string_equal(got, want);
	free(got);
}

#define CHECK(lit, want) check_escape((lit), sizeof(lit) - 1, (want))

static void test_escape(void **state)
{
	(void)state;
	CHECK("plain text, tab\tand\nnewline", "plain text, tab\tand\nnewline");
	CHECK("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;");
	CHECK("a\"b'c&d", "a&quot;b&#39;c&amp;d");
	CHECK("&amp;", "&amp;amp;");
	/* Valid UTF-8 passes: é, €, 𝄞. */
	CHECK("\xc3\xa9\xe2\x82\xac\xf0\x9d\x84\x9e", "\xc3\xa9\xe2\x82\xac\xf0\x9d\x84\x9e");
	/* C0 (NUL, ESC, CR), DEL and C1 (U+0085) controls. */
	CHECK("a\0b\033[31mc\rd\x7f" "e\xc2\x85", "a\xEF\xBF\xBD" "b\xEF\xBF\xBD[31mc\xEF\xBF\xBD"
	      "d\xEF\xBF\xBD" "e\xEF\xBF\xBD");
	/* Bidi: RLO U+202E, LRI U+2066, PDI U+2069, RLM U+200F, ALM U+061C. */
	CHECK("x\xe2\x80\xaey\xe2\x81\xa6z\xe2\x81\xa9\xe2\x80\x8f\xd8\x9c",
	      "x\xEF\xBF\xBDy\xEF\xBF\xBDz\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
	/* Invalid UTF-8: stray continuation, overlong '<' (C0 BC), surrogate, > U+10FFFF,
	 * a sequence cut by the end. */
	CHECK("\x80", "\xEF\xBF\xBD");
	CHECK("\xc0\xbc", "\xEF\xBF\xBD\xEF\xBF\xBD");
	CHECK("\xed\xa0\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
	CHECK("\xf4\x90\x80\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
	CHECK("ok\xe2\x82", "ok\xEF\xBF\xBD\xEF\xBF\xBD");
	CHECK("", "");
}

static void test_escape_write_error(void **state)
{
	FILE *fp = fopen("/dev/full", "w");

	(void)state;
	if (fp == NULL)
		skip();
	setvbuf(fp, NULL, _IONBF, 0);
	assert_int_equal(cap_html_escape_str(fp, "<text that cannot be written>"), -1);
	fclose(fp);
}

/* ---- the report ---- */

static char *html_of(const struct cap_analysis *a)
{
	char *out = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&out, &len);
	char *copy;

	assert_non_null(fp);
	assert_int_equal(cap_report_html(fp, a, NULL, NULL), 0);
	fclose(fp);
	/* A copy: gcc 12's -Wdangling-pointer at -O2 takes open_memstream's buffer for the
	 * local variable whose address it was given. */
	copy = strdup(out);
	free(out);
	assert_non_null(copy);
	return copy;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = strstr(hay, needle); p != NULL; p = strstr(p + 1, needle))
		n++;
	return n;
}

static const struct cap_conversation *conv_with_findings(const struct cap_analysis *a)
{
	const struct cap_finding *f = cap_analysis_finding(a, 0);

	for (size_t i = 0; i < cap_analysis_nconversations(a); i++)
		if (cap_analysis_conversation(a, i)->id == f->conversation)
			return cap_analysis_conversation(a, i);
	fail();
	return NULL;
}

static void test_report_ladder(void **state)
{
	struct cap_analysis *a = cap_analysis_new(NULL);
	const struct cap_conversation *c;
	const struct cap_finding *f;
	uint64_t frame;
	char *out, want[96];

	(void)state;
	assert_non_null(a);
	frame = fb_kdc_background(a, 0, 3);
	fb_http(a, frame + 1, true, 0, 0, "crm.example.test\xe2\x80\xae<script>alert(1)</script>",
		"/<img src=x onerror=alert(1)>", "");
	fb_http(a, frame + 2, false, 401, CAP_AUTH_BIT(CAP_AUTH_NTLM), "", "",
		"Unauthorized \"<b>\"");
	cap_analysis_finish(a, NULL);
	assert_true(cap_analysis_nfindings(a) > 0);
	f = cap_analysis_finding(a, 0);
	c = conv_with_findings(a);
	out = html_of(a);

	assert_non_null(strstr(out, "<!DOCTYPE html>"));
	assert_non_null(strstr(out, "<section id=\"verdict\" class=\"verdict error\">"));
	/* The verdict comes before the diagrams. */
	assert_true(strstr(out, "id=\"verdict\"") < strstr(out, "class=\"ladder\""));
	/* One diagram (the conversation with the finding), with the three lanes and one arrow
	 * per step; the quiet ones are table rows. */
	assert_int_equal(count(out, "class=\"ladder\""), 1);
	assert_int_equal(count(out, "class=\"lane lane-client\">client<"), 1);
	assert_int_equal(count(out, "class=\"lane lane-server\">web server<"), 1);
	assert_int_equal(count(out, "class=\"lane lane-kdc\">KDC<"), 1);
	assert_int_equal(count(out, "<g class=\"arrow\""), c->nsteps);
	assert_int_equal(count(out, "<div class=\"step"), c->nsteps);
	assert_int_equal(count(out, "class=\"quiet-row\""), 3);
	/* The failing leg is marked, the finding pinned to it and linked back to it. */
	assert_non_null(strstr(out, "title=\"failing leg\""));
	snprintf(want, sizeof(want), "href=\"#finding-1\">%s</a>", cap_finding_slug(f->id));
	assert_non_null(strstr(out, want));
	assert_true(f->nframes > 0);
	snprintf(want, sizeof(want), "id=\"c%u-f%llu\"", c->id, (unsigned long long)f->frames[0]);
	assert_non_null(strstr(out, want));
	snprintf(want, sizeof(want), "href=\"#c%u-f%llu\"", c->id,
		 (unsigned long long)f->frames[0]);
	assert_non_null(strstr(out, want));
	/* The catalog's advice is there (escaped like any text: it may quote). */
	assert_non_null(strstr(out, "What to do"));
	{
		const char *adv = cap_finding_info(f->id)->advice[0];
		char *adv_html = escaped(adv, strlen(adv));

		assert_non_null(strstr(out, adv_html));
		free(adv_html);
	}
	/* Hostile strings stay text: one <script> element (ours), no injected attribute. */
	assert_int_equal(count(out, "<script"), 1);
	assert_null(strstr(out, "<img"));
	assert_null(strstr(out, "\xe2\x80\xae"));
	assert_non_null(strstr(out, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	assert_non_null(strstr(out, "&lt;img src=x onerror=alert(1)&gt;"));
	/* Nothing fetched from elsewhere. */
	assert_null(strstr(out, "src=\"http"));
	assert_null(strstr(out, "href=\"http"));
	assert_non_null(strstr(out, "Nothing: every conversation and finding is in this file."));
	free(out);
	cap_analysis_free(a);
}

static void test_report_bounded(void **state)
{
	struct cap_analysis *a = cap_analysis_new(NULL);
	char *out;

	(void)state;
	assert_non_null(a);
	(void)fb_kdc_background(a, 0, 2000);
	cap_analysis_finish(a, NULL);
	assert_int_equal(cap_analysis_nconversations(a), 2000);
	out = html_of(a);
	assert_int_equal(count(out, "class=\"ladder\""), 0);
	assert_int_equal(count(out, "class=\"quiet-row\""), 500);
	assert_non_null(strstr(out, "1500 conversation(s) without a finding not listed "
				    "(at most 500)"));
	assert_non_null(strstr(out, "No finding in 2000 conversation(s)."));
	/* Two thousand conversations in well under a megabyte. */
	assert_true(strlen(out) < 200 * 1024);
	free(out);
	cap_analysis_free(a);
}

static void test_report_empty_and_write_error(void **state)
{
	struct cap_analysis *a = cap_analysis_new(NULL);
	FILE *fp;
	char *out;

	(void)state;
	assert_non_null(a);
	cap_analysis_finish(a, NULL);
	out = html_of(a);
	assert_non_null(strstr(out, "No authentication traffic"));
	assert_non_null(strstr(out, "</html>\n"));
	free(out);
	fp = fopen("/dev/full", "w");
	if (fp != NULL) {
		assert_int_equal(cap_report_html(fp, a, NULL, NULL), -1);
		fclose(fp);
	}
	cap_analysis_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_escape_write_error),
		cmocka_unit_test(test_report_ladder),
		cmocka_unit_test(test_report_bounded),
		cmocka_unit_test(test_report_empty_and_write_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
