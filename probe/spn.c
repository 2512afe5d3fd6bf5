/* spn.c - SPN choice as browsers make it, and the --check-spn candidate forms.
 * References: RFC 4120 §6.2.1 (host-based service names), domain.md C1
 * (WinINet, Chromium EnableAuthNegotiatePort / DisableAuthNegotiateCnameLookup).
 */
#include "spn.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "http_client.h"

bool probe_host_is_ip(const char *host)
{
	unsigned char buf[16];

	return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

static void lower(char *s)
{
	for (; *s != '\0'; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s + 32);
}

void probe_spn_canonical_host(const char *host, long port, const char *const *resolve,
			      bool no_canonicalize, char *out, size_t len, char *how, size_t howlen)
{
	struct addrinfo hints, *ai = NULL;
	char addr[64];
	int rc;

	snprintf(out, len, "%s", host);
	lower(out);
	if (no_canonicalize) {
		snprintf(how, howlen, "URL host (--no-canonicalize)");
		return;
	}
	if (probe_host_is_ip(host)) {
		snprintf(how, howlen, "IP address in the URL (Kerberos needs a name)");
		return;
	}
	if (probe_resolve_lookup(resolve, host, port, addr, sizeof(addr)) != NULL) {
		snprintf(how, howlen, "URL host (mapped by --resolve to %s)", addr);
		return;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_CANONNAME;
	rc = getaddrinfo(host, NULL, &hints, &ai);
	if (rc != 0 || ai == NULL || ai->ai_canonname == NULL) {
		snprintf(how, howlen, "URL host (DNS: %s)", rc != 0 ? gai_strerror(rc) : "no name");
		if (ai != NULL)
			freeaddrinfo(ai);
		return;
	}
	if (strcasecmp(ai->ai_canonname, host) != 0) {
		snprintf(out, len, "%s", ai->ai_canonname);
		lower(out);
		snprintf(how, howlen, "canonical name (CNAME of %s)", host);
	} else {
		snprintf(how, howlen, "URL host (DNS A record)");
	}
	freeaddrinfo(ai);
}

void probe_spn_choose(const char *forced, const char *canonical, long port, bool with_port,
		      char *name, size_t namelen, char *display, size_t displen, bool *hostbased)
{
	if (forced != NULL) {
		const char *at = strchr(forced, '@');
		const char *slash = strchr(forced, '/');

		snprintf(name, namelen, "%s", forced);
		if (at != NULL && slash == NULL) {
			/* "HTTP@host": a host-based name, shown as HTTP/host */
			*hostbased = true;
			snprintf(display, displen, "%.*s/%s", (int)(at - forced), forced, at + 1);
		} else {
			*hostbased = false;
			snprintf(display, displen, "%s", forced);
		}
		return;
	}
	/* Chromium's EnableAuthNegotiatePort adds only ports other than 80/443. */
	if (with_port && port != 80 && port != 443) {
		*hostbased = false;
		snprintf(name, namelen, "HTTP/%s:%ld", canonical, port);
		snprintf(display, displen, "HTTP/%s:%ld", canonical, port);
		return;
	}
	*hostbased = true;
	snprintf(name, namelen, "HTTP@%s", canonical);
	snprintf(display, displen, "HTTP/%s", canonical);
}

static size_t add_candidate(struct probe_spn_candidate *out, size_t n, size_t max,
			    const char *host, long port, const char *form)
{
	char spn[300];

	if (host[0] == '\0' || n >= max)
		return n;
	if (port > 0)
		snprintf(spn, sizeof(spn), "HTTP/%s:%ld", host, port);
	else
		snprintf(spn, sizeof(spn), "HTTP/%s", host);
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(out[i].spn, spn) == 0)
			return n;
	snprintf(out[n].spn, sizeof(out[n].spn), "%s", spn);
	snprintf(out[n].form, sizeof(out[n].form), "%s%s", form, port > 0 ? " with port" : "");
	return n + 1;
}

size_t probe_spn_candidates(const char *host, const char *canonical, long port,
			    struct probe_spn_candidate *out, size_t max)
{
	char shortname[256], fqdn[256], canon[256];
	size_t n = 0;

	snprintf(fqdn, sizeof(fqdn), "%s", host);
	snprintf(canon, sizeof(canon), "%s", canonical != NULL ? canonical : "");
	lower(fqdn);
	lower(canon);
	if (probe_host_is_ip(fqdn)) {
		n = add_candidate(out, n, max, fqdn, 0, "IP address");
		return add_candidate(out, n, max, fqdn, port, "IP address");
	}
	/* A dotless URL host has its FQDN only through DNS (the canonical name). */
	if (strchr(fqdn, '.') == NULL && strchr(canon, '.') != NULL)
		snprintf(fqdn, sizeof(fqdn), "%s", canon);
	snprintf(shortname, sizeof(shortname), "%s", fqdn);
	shortname[strcspn(shortname, ".")] = '\0';
	if (strcmp(canon, fqdn) == 0)
		canon[0] = '\0';
	n = add_candidate(out, n, max, shortname, 0, "short name");
	n = add_candidate(out, n, max, shortname, port, "short name");
	n = add_candidate(out, n, max, fqdn, 0, "FQDN");
	n = add_candidate(out, n, max, fqdn, port, "FQDN");
	n = add_candidate(out, n, max, canon, 0, "canonical name");
	n = add_candidate(out, n, max, canon, port, "canonical name");
	return n;
}
