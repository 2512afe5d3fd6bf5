/* test_options.c - negprobe's command line: what it accepts and what it refuses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "options.h"

static int parse(struct probe_options *o, char *err, size_t errlen, int argc, ...)
{
	char *argv[32];
	va_list ap;

	va_start(ap, argc);
	argv[0] = "negprobe";
	for (int i = 1; i < argc; i++)
		argv[i] = va_arg(ap, char *);
	va_end(ap);
	argv[argc] = NULL;
	return probe_options_parse(argc, argv, o, err, errlen);
}

static void full(void **state)
{
	struct probe_options o;
	char err[256];

	(void)state;
	assert_int_equal(parse(&o, err, sizeof(err), 18, "--mech", "kerberos", "--delegation",
			       "policy", "--resolve", "crm.example.test:5555:127.0.0.1", "--expect",
			       "kerberos", "--expect", "status=200", "--json", "-k", "--spn-port",
			       "--max-legs", "4", "--check-spn", "http://crm.example.test:5555/"), 0);
	assert_int_equal(o.cfg.mech, PROBE_MECH_KERBEROS);
	assert_int_equal(o.cfg.deleg, PROBE_DELEG_POLICY);
	assert_int_equal(o.nresolve, 1);
	assert_string_equal(o.cfg.http.resolve[0], "crm.example.test:5555:127.0.0.1");
	assert_null(o.cfg.http.resolve[1]);
	assert_int_equal(o.cfg.nexpect, 2);
	assert_int_equal(o.cfg.expect[1].status, 200);
	assert_true(o.json);
	assert_true(o.cfg.http.insecure);
	assert_true(o.cfg.spn_port);
	assert_true(o.cfg.check_spn);
	assert_int_equal(o.cfg.max_legs, 4);
	assert_string_equal(o.url, "http://crm.example.test:5555/");
	/* defaults */
	assert_int_equal(parse(&o, err, sizeof(err), 2, "http://x/"), 0);
	assert_int_equal(o.cfg.mech, PROBE_MECH_AUTO);
	assert_int_equal(o.cfg.deleg, PROBE_DELEG_NONE);
	assert_int_equal(o.cfg.max_legs, 8);
	assert_int_equal(o.parallel, 8);
	assert_int_equal(o.color, -1);
	assert_null(o.cfg.http.resolve);
	assert_int_equal(parse(&o, err, sizeof(err), 5, "--targets", "-", "--parallel", "32"), 0);
	assert_string_equal(o.targets_file, "-");
	assert_int_equal(o.parallel, 32);
	assert_int_equal(parse(&o, err, sizeof(err), 6, "--keytab", "k", "--principal", "p", "u"), 0);
}

static void refused(void **state)
{
	struct probe_options o;
	char err[256];

	(void)state;
	/* a password is never accepted on the command line */
	assert_int_equal(parse(&o, err, sizeof(err), 5, "-u", "alice", "--password", "x", "u"), -1);
	assert_non_null(strstr(err, "never taken from the command line"));
	assert_int_equal(parse(&o, err, sizeof(err), 1), -1);
	assert_non_null(strstr(err, "URL"));
	assert_int_equal(parse(&o, err, sizeof(err), 4, "--targets", "f", "http://x/"), -1);
	assert_int_equal(parse(&o, err, sizeof(err), 3, "http://x/", "http://y/"), -1);
	assert_int_equal(parse(&o, err, sizeof(err), 4, "--mech", "ntlmv2", "http://x/"), -1);
	assert_non_null(strstr(err, "--mech"));
	assert_int_equal(parse(&o, err, sizeof(err), 4, "--delegation", "yes", "http://x/"), -1);
	assert_int_equal(parse(&o, err, sizeof(err), 4, "--resolve", "crm:5555", "http://x/"), -1);
	assert_non_null(strstr(err, "HOST:PORT:ADDRESS"));
	assert_int_equal(parse(&o, err, sizeof(err), 4, "--max-legs", "0", "http://x/"), -1);
	assert_int_equal(parse(&o, err, sizeof(err), 4, "--max-legs", " 3", "http://x/"), -1);
	assert_int_equal(parse(&o, err, sizeof(err), 4, "--parallel", "1000", "http://x/"), -1);
	assert_int_equal(parse(&o, err, sizeof(err), 4, "--expect", "fast", "http://x/"), -1);
	assert_int_equal(parse(&o, err, sizeof(err), 4, "--keytab", "k", "http://x/"), -1);
	assert_int_equal(parse(&o, err, sizeof(err), 4, "-w", "f.pcap", "http://x/"), -1);
	assert_int_equal(parse(&o, err, sizeof(err), 4, "--password-file", "f", "http://x/"), -1);
	assert_int_equal(parse(&o, err, sizeof(err), 3, "--bogus", "http://x/"), -1);
	assert_non_null(strstr(err, "--bogus"));
	assert_int_equal(parse(&o, err, sizeof(err), 2, "--spn"), -1);
	assert_int_equal(parse(&o, err, sizeof(err), 4, "--spn", "crm", "http://x/"), -1);
	assert_int_equal(parse(&o, err, sizeof(err), 6, "--capture", "lo", "--targets", "f",
			       "--json"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(full),
		cmocka_unit_test(refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
