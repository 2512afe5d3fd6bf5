/* skipcount.c - a test program that skipped a case exits 77, which ctest (SKIP_RETURN_CODE)
 * shows as skipped: cmocka counts a skipped case as passed, so a program that could not
 * run its tshark or ../shared cases would otherwise show as passed.  Linked with
 * -Wl,--wrap=_skip,--wrap=_cmocka_run_group_tests (tests/CMakeLists.txt).
 *
 * Under NEGSCOPE_REQUIRE_TOOLS=1 (the README's test command), a skip on a machine that lacks
 * a tool .ci/install-deps installs is a failure, with a line naming the tool. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#define EXIT_SKIPPED 77

void __real__skip(const char *const file, const int line);
void __wrap__skip(const char *const file, const int line);
int __real__cmocka_run_group_tests(const char *group_name, const struct CMUnitTest *const tests,
				   const size_t num_tests, CMFixtureFunction group_setup,
				   CMFixtureFunction group_teardown);
int __wrap__cmocka_run_group_tests(const char *group_name, const struct CMUnitTest *const tests,
				   const size_t num_tests, CMFixtureFunction group_setup,
				   CMFixtureFunction group_teardown);

static unsigned skipped;

void __wrap__skip(const char *const file, const int line)
{
	skipped++;
	__real__skip(file, line);
}

/* The tools a unit test may skip without; all come with .ci/install-deps. */
static const char *const tools[][2] = {
	{ "tshark", "tshark" },
	{ "editcap", "wireshark-common (with tshark)" },
	{ "python3", "python3" },
};
/* The GSS-API NTLM mechanism the tests make real NTLM tokens with. */
static const char ntlm_mech_conf[] = "/etc/gss/mech.d/mech.ntlmssp.conf";

static int missing_tool(void)
{
	char cmd[128];
	size_t i;
	int missing = 0;

	for (i = 0; i < sizeof(tools) / sizeof(tools[0]); i++) {
		snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", tools[i][0]);
		if (system(cmd) != 0) {
			fprintf(stderr, "FAIL: %s not installed (package %s; .ci/install-deps "
				"installs it)\n", tools[i][0], tools[i][1]);
			missing = 1;
		}
	}
	if (access(ntlm_mech_conf, R_OK) != 0) {
		fprintf(stderr, "FAIL: %s missing (package gss-ntlmssp; .ci/install-deps installs "
			"it)\n", ntlm_mech_conf);
		missing = 1;
	}
	return missing;
}

int __wrap__cmocka_run_group_tests(const char *group_name, const struct CMUnitTest *const tests,
				   const size_t num_tests, CMFixtureFunction group_setup,
				   CMFixtureFunction group_teardown)
{
	const char *req = getenv("NEGSCOPE_REQUIRE_TOOLS");
	int failed;

	failed = __real__cmocka_run_group_tests(group_name, tests, num_tests, group_setup,
						group_teardown);
	if (failed != 0 || skipped == 0)
		return failed;
	if (req != NULL && strcmp(req, "1") == 0 && missing_tool())
		return 1;
	fprintf(stderr, "SKIP: %u case(s) skipped (see [  SKIPPED ] above)\n", skipped);
	return EXIT_SKIPPED;
}
