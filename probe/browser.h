/* browser.h - negprobe --browser: how Chrome, Edge and Firefox decide whether to answer
 * Negotiate and which SPN they ask for, as one table of presets (--browser), and the
 * host allowlist matcher (--auth-allowlist, AuthServerAllowlist / trusted-uris).
 */
#ifndef PROBE_BROWSER_H
#define PROBE_BROWSER_H

#include <stdbool.h>

#include "probe.h"

/* How an allowlist entry without a wildcard matches a host. */
enum probe_allow_match {
	PROBE_ALLOW_EXACT = 0,  /* Chromium: "host" is that host only; "*.d" and ".d" suffixes */
	PROBE_ALLOW_SUFFIX      /* Firefox trusted-uris: "d" matches d and every name under it */
};

struct probe_browser {
	const char *name;            /* "chrome", "edge", "firefox" */
	bool canonicalize;           /* CNAME lookup for the SPN host */
	bool spn_port;               /* a non-default port in the SPN */
	enum probe_deleg deleg;      /* delegation when no delegation policy is set */
	bool needs_allowlist;        /* an empty allowlist allows no host at all */
	enum probe_allow_match match;
	const char *allow_policy;    /* the policy or pref --auth-allowlist stands for */
	const char *port_policy, *cname_policy, *deleg_policy;
};

/* The preset called `name` (case-insensitive), NULL when there is none. */
const struct probe_browser *probe_browser_find(const char *name);

/* Every preset, NULL-terminated by name (for the usage text and tests). */
const struct probe_browser *probe_browser_at(unsigned i);

/* Is `host` in the comma-separated `list`?  Entries are host patterns: "*" anywhere is
 * a wildcard ("*.example.test"), a leading "." means "any name under", a scheme or port
 * ("https://h:8443") is not matched (negprobe keeps to host names).  Case-insensitive;
 * spaces around entries are ignored.  An empty or NULL list matches nothing. */
bool probe_allowlist_match(const char *list, const char *host, enum probe_allow_match m);

#endif /* PROBE_BROWSER_H */
