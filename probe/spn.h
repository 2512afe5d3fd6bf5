/* spn.h - the SPN a browser would ask for, and the candidate forms --check-spn tries.
 * Browsers build HTTP/<host> from the host after DNS canonicalisation (the CNAME
 * target), without the port unless a policy adds it (domain.md C1).
 */
#ifndef PROBE_SPN_H
#define PROBE_SPN_H

#include <stdbool.h>
#include <stddef.h>

struct probe_spn_candidate {
	char spn[300];  /* "HTTP/host" or "HTTP/host:port" */
	char form[48];  /* "short name", "FQDN with port", ... */
};

/* The host name SPNs are built from.  `resolve` is the --resolve list: a host
 * mapped there is taken as an A-record name (no DNS query, as in the lab).
 * `how` explains the choice in a few words.  Always succeeds. */
void probe_spn_canonical_host(const char *host, long port, const char *const *resolve,
			      bool no_canonicalize, char *out, size_t len, char *how, size_t howlen);

/* The SPN to ask for.  `forced` is --spn (NULL for none).  Sets *hostbased
 * when the name should be imported as a GSS host-based name ("HTTP@host"),
 * which also suits NTLM; port forms and forced principals are not host-based.
 * `name` receives the string to import; `display` the HTTP/host[:port] form. */
void probe_spn_choose(const char *forced, const char *canonical, long port, bool with_port,
		      char *name, size_t namelen, char *display, size_t displen, bool *hostbased);

/* Candidate SPNs for --check-spn: short name, FQDN, canonical name, each
 * without and with `port`, duplicates removed.  `host` is the URL host.
 * Returns how many were written (at most max). */
size_t probe_spn_candidates(const char *host, const char *canonical, long port,
			    struct probe_spn_candidate *out, size_t max);

/* True for an IPv4 or IPv6 literal. */
bool probe_host_is_ip(const char *host);

#endif /* PROBE_SPN_H */
