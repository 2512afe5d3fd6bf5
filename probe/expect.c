/* expect.c - parses --expect checks and turns a probe result into an exit status. */
#include "expect.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char probe_default_check_name[] = "kerberos-clean";

static const struct {
	const char *name;
	enum probe_expect_kind kind;
} kinds[] = {
	{"kerberos", PROBE_EXPECT_KERBEROS},   {"ntlm", PROBE_EXPECT_NTLM},
	{"keepalive", PROBE_EXPECT_KEEPALIVE}, {"mutual", PROBE_EXPECT_MUTUAL},
	{"delegation", PROBE_EXPECT_DELEGATION},
};

int probe_expect_parse(const char *s, struct probe_expect *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	if (strncasecmp(s, "status=", 7) == 0) {
		char *end = NULL;
		long v;

		errno = 0;
		v = strtol(s + 7, &end, 10);
		if (errno != 0 || !(s[7] >= '0' && s[7] <= '9') || *end != '\0' || v < 100 ||
		    v > 599) {
			snprintf(err, errlen, "--expect %s: the status must be a number from 100 to 599",
				 s);
			return -1;
		}
		out->kind = PROBE_EXPECT_STATUS;
		out->status = v;
		snprintf(out->text, sizeof(out->text), "status=%ld", v);
		return 0;
	}
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (strcasecmp(s, kinds[i].name) == 0) {
			out->kind = kinds[i].kind;
			snprintf(out->text, sizeof(out->text), "%s", kinds[i].name);
			return 0;
		}
	}
	snprintf(err, errlen, "--expect %s: unknown check (use kerberos, ntlm, status=N, keepalive, "
		 "mutual or delegation)", s);
	return -1;
}

static bool check(const struct probe_result *r, const struct probe_expect *e, char *actual,
		  size_t len)
{
	switch (e->kind) {
	case PROBE_EXPECT_KERBEROS:
	case PROBE_EXPECT_NTLM: {
		enum probe_used_mech want = e->kind == PROBE_EXPECT_KERBEROS ? PROBE_USED_KERBEROS :
									      PROBE_USED_NTLM;

		snprintf(actual, len, "%s%s", r->authenticated ? "authenticated with " : "not authenticated, mech ",
			 probe_used_mech_name(r->mech));
		return r->authenticated && r->mech == want;
	}
	case PROBE_EXPECT_STATUS:
		snprintf(actual, len, "status %ld", r->status);
		return r->status == e->status;
	case PROBE_EXPECT_KEEPALIVE:
		snprintf(actual, len, "%u connection%s over %zu legs%s", r->connections,
			 r->connections == 1 ? "" : "s", r->nlegs,
			 r->keepalive_ok ? "" : ", closed after a 401");
		return r->keepalive_ok && r->nlegs >= 2;
	case PROBE_EXPECT_MUTUAL:
		snprintf(actual, len, "mutual authentication %s",
			 r->mutual_verified ? "verified" : "not verified");
		return r->mutual_verified;
	case PROBE_EXPECT_DELEGATION:
		snprintf(actual, len, "delegation %s", probe_deleg_result_name(r->delegation));
		return r->delegation == PROBE_DELEG_R_GRANTED;
	}
	return false;
}

void probe_expect_judge(struct probe_result *r, const struct probe_expect *checks, size_t n)
{
	bool all = true;

	r->noutcomes = 0;
	if (r->fatal[0] != '\0') {
		r->ok = false;
		r->exit_code = PROBE_EXIT_CANNOT_RUN;
		return;
	}
	for (size_t i = 0; i < n && i < PROBE_MAX_EXPECT; i++) {
		struct probe_expect_outcome *o = &r->outcomes[r->noutcomes++];

		o->expect = checks[i];
		o->pass = check(r, &checks[i], o->actual, sizeof(o->actual));
		all = all && o->pass;
	}
	if (n == 0)
		all = r->authenticated && r->mech == PROBE_USED_KERBEROS &&
		      probe_result_worst(r) < (int)CAP_SEV_WARNING;
	r->ok = all;
	r->exit_code = all ? PROBE_EXIT_OK : PROBE_EXIT_PROBLEM;
}
