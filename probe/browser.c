/* browser.c - the --browser presets and the --auth-allowlist matcher.
 * Sources: Chrome Enterprise policy list (AuthServerAllowlist, AuthNegotiateDelegateAllowlist,
 * DisableAuthNegotiateCnameLookup, EnableAuthNegotiatePort; Edge takes the same names,
 * learn.microsoft.com "Microsoft Edge Browser Policy Documentation"); Mozilla's
 * network.negotiate-auth.* prefs (trusted-uris, delegation-uris) and its enterprise policy
 * "Authentication".  Firefox looks the CNAME up only with SSPI on Windows; negprobe runs
 * GSS-API, as Firefox on Linux and macOS does.
 */
#include "browser.h"

#include <ctype.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

static const struct probe_browser presets[] = {
	{"chrome", true, false, PROBE_DELEG_NONE, false, PROBE_ALLOW_EXACT,
	 "AuthServerAllowlist", "EnableAuthNegotiatePort", "DisableAuthNegotiateCnameLookup",
	 "AuthNegotiateDelegateAllowlist"},
	{"edge", true, false, PROBE_DELEG_NONE, false, PROBE_ALLOW_EXACT,
	 "AuthServerAllowlist", "EnableAuthNegotiatePort", "DisableAuthNegotiateCnameLookup",
	 "AuthNegotiateDelegateAllowlist"},
	{"firefox", false, false, PROBE_DELEG_NONE, true, PROBE_ALLOW_SUFFIX,
	 "network.negotiate-auth.trusted-uris", "(none: never a port)",
	 "(none: the URL host with GSS-API)", "network.negotiate-auth.delegation-uris"},
};

const struct probe_browser *probe_browser_at(unsigned i)
{
	return i < sizeof(presets) / sizeof(presets[0]) ? &presets[i] : NULL;
}

const struct probe_browser *probe_browser_find(const char *name)
{
	for (unsigned i = 0; probe_browser_at(i) != NULL; i++)
		if (strcasecmp(presets[i].name, name) == 0)
			return &presets[i];
	return NULL;
}

/* Case-insensitive glob of pattern p[0..plen) against s: '*' matches any run. */
static bool glob(const char *p, size_t plen, const char *s)
{
	size_t slen = strlen(s), pi = 0, si = 0, star = (size_t)-1, mark = 0;

	while (si < slen) {
		if (pi < plen && p[pi] == '*') {
			star = pi++;
			mark = si;
		} else if (pi < plen &&
			   tolower((unsigned char)p[pi]) == tolower((unsigned char)s[si])) {
			pi++;
			si++;
		} else if (star != (size_t)-1) {
			pi = star + 1;
			si = ++mark;
		} else {
			return false;
		}
	}
	while (pi < plen && p[pi] == '*')
		pi++;
	return pi == plen;
}

/* Does `host` end in `.d` (d of length dlen), case-insensitively? */
static bool under(const char *host, const char *d, size_t dlen)
{
	size_t hlen = strlen(host);

	return hlen > dlen && host[hlen - dlen - 1] == '.' &&
	       strncasecmp(host + hlen - dlen, d, dlen) == 0;
}

static bool entry_match(const char *e, size_t len, const char *host, enum probe_allow_match m)
{
	if (memchr(e, '*', len) != NULL)
		return glob(e, len, host);
	if (len > 1 && e[0] == '.')
		return under(host, e + 1, len - 1);
	if (strlen(host) == len && strncasecmp(host, e, len) == 0)
		return true;
	return m == PROBE_ALLOW_SUFFIX && under(host, e, len);
}

bool probe_allowlist_match(const char *list, const char *host, enum probe_allow_match m)
{
	const char *p = list;

	if (list == NULL || host == NULL || host[0] == '\0')
		return false;
	while (*p != '\0') {
		const char *end = strchr(p, ',');
		size_t len = end != NULL ? (size_t)(end - p) : strlen(p);

		while (len > 0 && (*p == ' ' || *p == '\t')) {
			p++;
			len--;
		}
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len > 0 && entry_match(p, len, host, m))
			return true;
		if (end == NULL)
			break;
		p = end + 1;
	}
	return false;
}
