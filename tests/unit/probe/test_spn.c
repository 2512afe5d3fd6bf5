/* test_spn.c - the SPN a browser asks for, and the --check-spn candidate forms. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "spn.h"

static void candidates_fqdn_with_port(void **state)
{
	struct probe_spn_candidate c[12];
	size_t n = probe_spn_candidates("Sales.Example.Test", "sales.example.test", 5555, c, 12);

	(void)state;
	assert_int_equal(n, 4);
	assert_string_equal(c[0].spn, "HTTP/sales");
	assert_string_equal(c[0].form, "short name");
	assert_string_equal(c[1].spn, "HTTP/sales:5555");
	assert_string_equal(c[1].form, "short name with port");
	assert_string_equal(c[2].spn, "HTTP/sales.example.test");
	assert_string_equal(c[2].form, "FQDN");
	assert_string_equal(c[3].spn, "HTTP/sales.example.test:5555");
	assert_string_equal(c[3].form, "FQDN with port");
}

static void candidates_cname(void **state)
{
	struct probe_spn_candidate c[12];
	size_t n = probe_spn_candidates("crm.example.test", "web01.example.test", 443, c, 12);

	(void)state;
	assert_int_equal(n, 6);
	assert_string_equal(c[4].spn, "HTTP/web01.example.test");
	assert_string_equal(c[4].form, "canonical name");
	assert_string_equal(c[5].spn, "HTTP/web01.example.test:443");
	/* a dotless URL host takes its FQDN from the canonical name */
	n = probe_spn_candidates("crm", "crm.example.test", 80, c, 12);
	assert_int_equal(n, 4);
	assert_string_equal(c[0].spn, "HTTP/crm");
	assert_string_equal(c[2].spn, "HTTP/crm.example.test");
	/* the cap is respected */
	assert_int_equal(probe_spn_candidates("crm.example.test", "web01.example.test", 443, c, 3), 3);
}

static void candidates_ip(void **state)
{
	struct probe_spn_candidate c[12];
	size_t n = probe_spn_candidates("127.0.0.1", "127.0.0.1", 8080, c, 12);

	(void)state;
	assert_int_equal(n, 2);
	assert_string_equal(c[0].spn, "HTTP/127.0.0.1");
	assert_string_equal(c[1].spn, "HTTP/127.0.0.1:8080");
	assert_true(probe_host_is_ip("::1"));
	assert_false(probe_host_is_ip("crm.example.test"));
}

static void choose(void **state)
{
	char name[320], disp[320];
	bool hb = false;

	(void)state;
	probe_spn_choose(NULL, "crm.example.test", 5555, false, name, sizeof(name), disp,
			 sizeof(disp), &hb);
	assert_string_equal(name, "HTTP@crm.example.test");
	assert_string_equal(disp, "HTTP/crm.example.test");
	assert_true(hb);
	/* EnableAuthNegotiatePort: a non-default port is added... */
	probe_spn_choose(NULL, "crm.example.test", 5555, true, name, sizeof(name), disp,
			 sizeof(disp), &hb);
	assert_string_equal(name, "HTTP/crm.example.test:5555");
	assert_string_equal(disp, "HTTP/crm.example.test:5555");
	assert_false(hb);
	/* ...80 and 443 never */
	probe_spn_choose(NULL, "crm.example.test", 443, true, name, sizeof(name), disp,
			 sizeof(disp), &hb);
	assert_string_equal(disp, "HTTP/crm.example.test");
	assert_true(hb);
	/* --spn in both spellings */
	probe_spn_choose("HTTP@web01.example.test", "crm", 80, false, name, sizeof(name), disp,
			 sizeof(disp), &hb);
	assert_string_equal(name, "HTTP@web01.example.test");
	assert_string_equal(disp, "HTTP/web01.example.test");
	assert_true(hb);
	probe_spn_choose("HTTP/web01.example.test:8080", "crm", 80, false, name, sizeof(name),
			 disp, sizeof(disp), &hb);
	assert_string_equal(name, "HTTP/web01.example.test:8080");
	assert_false(hb);
}

static void canonical(void **state)
{
	const char *resolve[] = {"crm.example.test:5555:127.0.0.1", "other:*:[::1]", NULL};
	char out[256], how[128];

	(void)state;
	probe_spn_canonical_host("CRM.example.test", 5555, resolve, false, out, sizeof(out), how,
				 sizeof(how));
	assert_string_equal(out, "crm.example.test");
	assert_non_null(strstr(how, "--resolve"));
	assert_non_null(strstr(how, "127.0.0.1"));
	probe_spn_canonical_host("other", 1234, resolve, false, out, sizeof(out), how, sizeof(how));
	assert_string_equal(out, "other");
	assert_non_null(strstr(how, "::1"));
	probe_spn_canonical_host("Web", 80, NULL, true, out, sizeof(out), how, sizeof(how));
	assert_string_equal(out, "web");
	assert_non_null(strstr(how, "--no-canonicalize"));
	probe_spn_canonical_host("10.1.2.3", 80, NULL, false, out, sizeof(out), how, sizeof(how));
	assert_string_equal(out, "10.1.2.3");
	assert_non_null(strstr(how, "IP address"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(candidates_fqdn_with_port),
		cmocka_unit_test(candidates_cname),
		cmocka_unit_test(candidates_ip),
		cmocka_unit_test(choose),
		cmocka_unit_test(canonical),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
