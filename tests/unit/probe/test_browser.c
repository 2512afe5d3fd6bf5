/* test_browser.c - the --browser preset table, the allowlist matcher, and flags that
 * override a preset. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "browser.h"
#include "options.h"

static void presets(void **state)
{
	const struct probe_browser *c = probe_browser_find("Chrome");
	const struct probe_browser *e = probe_browser_find("edge");
	const struct probe_browser *f = probe_browser_find("firefox");
	unsigned n = 0;

	(void)state;
	assert_non_null(c);
	assert_non_null(e);
	assert_non_null(f);
	assert_null(probe_browser_find("safari"));
	/* Chromium's defaults: CNAME lookup on, no port, no delegation, no allowlist needed */
	assert_true(c->canonicalize);
	assert_false(c->spn_port);
	assert_int_equal(c->deleg, PROBE_DELEG_NONE);
	assert_false(c->needs_allowlist);
	assert_string_equal(c->allow_policy, "AuthServerAllowlist");
	assert_string_equal(e->allow_policy, "AuthServerAllowlist");
	/* Firefox with GSS-API: the URL host, and nothing until trusted-uris lists the host */
	assert_false(f->canonicalize);
	assert_false(f->spn_port);
	assert_true(f->needs_allowlist);
	assert_int_equal(f->match, PROBE_ALLOW_SUFFIX);
	assert_string_equal(f->allow_policy, "network.negotiate-auth.trusted-uris");
	while (probe_browser_at(n) != NULL)
		n++;
	assert_int_equal(n, 3);
}

static void allowlist(void **state)
{
	(void)state;
	assert_true(probe_allowlist_match("*.example.test", "sales.example.test",
					  PROBE_ALLOW_EXACT));
	assert_true(probe_allowlist_match("*.Example.TEST", "Sales.example.test",
					  PROBE_ALLOW_EXACT));
	assert_false(probe_allowlist_match("*.other.test", "sales.example.test",
					   PROBE_ALLOW_EXACT));
	assert_true(probe_allowlist_match("a.test, *.other.test , sales.example.test",
					  "sales.example.test", PROBE_ALLOW_EXACT));
	assert_true(probe_allowlist_match("*sales*", "crm-sales.example.test",
					  PROBE_ALLOW_EXACT));
	assert_false(probe_allowlist_match("*sales", "sales.example.test", PROBE_ALLOW_EXACT));
	/* a plain name: that host only for Chromium, any name under it for Firefox */
	assert_false(probe_allowlist_match("example.test", "sales.example.test",
					   PROBE_ALLOW_EXACT));
	assert_true(probe_allowlist_match("example.test", "sales.example.test",
					  PROBE_ALLOW_SUFFIX));
	assert_false(probe_allowlist_match("example.test", "badexample.test",
					   PROBE_ALLOW_SUFFIX));
	assert_true(probe_allowlist_match(".example.test", "sales.example.test",
					  PROBE_ALLOW_EXACT));
	assert_false(probe_allowlist_match(".example.test", "example.test", PROBE_ALLOW_EXACT));
	assert_false(probe_allowlist_match("", "sales.example.test", PROBE_ALLOW_SUFFIX));
	assert_false(probe_allowlist_match(" , ,", "sales.example.test", PROBE_ALLOW_SUFFIX));
	assert_false(probe_allowlist_match(NULL, "sales.example.test", PROBE_ALLOW_EXACT));
}

static int parse(struct probe_options *o, int argc, ...)
{
	char *argv[16], err[256];
	va_list ap;

	va_start(ap, argc);
	argv[0] = "negprobe";
	for (int i = 1; i < argc; i++)
		argv[i] = va_arg(ap, char *);
	va_end(ap);
	argv[argc] = NULL;
	return probe_options_parse(argc, argv, o, err, sizeof(err));
}

static void flags_override(void **state)
{
	struct probe_options o;

	(void)state;
	assert_int_equal(parse(&o, 4, "--browser", "firefox", "http://a.example.test/"), 0);
	assert_true(o.cfg.no_canonicalize);
	assert_false(o.cfg.spn_port);
	assert_int_equal(o.cfg.deleg, PROBE_DELEG_NONE);
	/* the flag wins, in either order */
	assert_int_equal(parse(&o, 7, "--spn-port", "--browser", "chrome", "--delegation",
			       "policy", "http://a.example.test/"), 0);
	assert_true(o.cfg.spn_port);
	assert_false(o.cfg.no_canonicalize);
	assert_int_equal(o.cfg.deleg, PROBE_DELEG_POLICY);
	assert_int_equal(parse(&o, 5, "--browser", "edge", "--no-canonicalize",
			       "http://a.example.test/"), 0);
	assert_true(o.cfg.no_canonicalize);
	assert_int_equal(parse(&o, 4, "--browser", "netscape", "http://a.example.test/"), -1);
	assert_int_equal(parse(&o, 4, "--auth-allowlist", "*.x.test", "http://a.x.test/"), 0);
	assert_string_equal(o.cfg.auth_allowlist, "*.x.test");
	assert_null(o.cfg.browser);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(presets),
		cmocka_unit_test(allowlist),
		cmocka_unit_test(flags_override),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
