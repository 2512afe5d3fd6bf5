/* spn.c - service principal name forms, and which ones to register (spn-unknown).
 *
 * Clients build HTTP/<host> from the URL host; browsers and curl leave the port out
 * unless configured otherwise (domain.md C1, C4.2).  The CRM article in ../shared/seeds
 * names the classic mistake: a port on the FQDN form of the SPN.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "findings/engine.h"
#include "findings/txt.h"

void spn_split(const char *spn, char *service, size_t slen, char *host, size_t hlen,
	       unsigned *port)
{
	const char *slash = strchr(spn, '/');
	const char *h = slash != NULL ? slash + 1 : spn;
	size_t n, sn = slash != NULL ? (size_t)(slash - spn) : 0;
	const char *colon, *at, *end;

	*port = 0;
	if (slen > 0)
		txt_fmt(service, slen, "%.*s", (int)(sn < slen ? sn : slen - 1), spn);
	at = strchr(h, '@');
	end = at != NULL ? at : h + strlen(h);
	/* A further component (HTTP/host/extra) is not part of the host. */
	{
		const char *s2 = memchr(h, '/', (size_t)(end - h));
		if (s2 != NULL)
			end = s2;
	}
	colon = memchr(h, ':', (size_t)(end - h));
	if (colon != NULL && colon[1] != '\0' && isdigit((unsigned char)colon[1])) {
		unsigned long p = strtoul(colon + 1, NULL, 10);

		if (p > 0 && p < 65536)
			*port = (unsigned)p;
		n = (size_t)(colon - h);
	} else {
		n = (size_t)(end - h);
	}
	if (hlen > 0)
		txt_fmt(host, hlen, "%.*s", (int)(n < hlen ? n : hlen - 1), h);
}

/* RFC 4120 §6.2 name types: 2 NT-SRV-INST, 3 NT-SRV-HST, 4 NT-SRV-XHST. */
bool spn_is_service(const char *name, int type, unsigned ncomp, bool u2u)
{
	if (u2u)
		return false;
	if (type == 2 || type == 3 || type == 4)
		return true;
	if (ncomp == 0 && name != NULL) { /* not known: count the name's components */
		const char *at = strchr(name, '@');
		const char *slash = strchr(name, '/');

		ncomp = slash != NULL && (at == NULL || slash < at) ? 2 : 1;
	}
	return ncomp >= 2;
}

static bool is_ip(const char *h)
{
	for (; *h != '\0'; h++)
		if (!isdigit((unsigned char)*h) && *h != '.' && *h != ':')
			return false;
	return true;
}

void spn_advice(struct cap_finding *f, const char *spn, const struct conv *c)
{
	char service[32], host[CAP_FACT_NAME_MAX], shortname[CAP_FACT_NAME_MAX];
	char forms[2 * CAP_FACT_NAME_MAX + 80];
	unsigned port, site_port = 0;
	const char *dot;
	bool http;

	if (spn == NULL || spn[0] == '\0')
		return;
	spn_split(spn, service, sizeof(service), host, sizeof(host), &port);
	if (service[0] == '\0')
		return; /* not a service/host name: spn_is_service() keeps such names out */
	http = strcasecmp(service, "HTTP") == 0;
	if (http && c != NULL && !c->pub.kdc_only) {
		char hh[CAP_FACT_NAME_MAX + 2], sv[8], hn[CAP_FACT_NAME_MAX];

		txt_fmt(hh, sizeof(hh), "x/%s", c->pub.host);
		spn_split(hh, sv, sizeof(sv), hn, sizeof(hn), &site_port);
		if (site_port == 0)
			site_port = c->pub.server.port;
	}
	shortname[0] = '\0';
	dot = strchr(host, '.');
	if (dot != NULL && !is_ip(host))
		txt_fmt(shortname, sizeof(shortname), "%.*s", (int)(dot - host), host);

	if (shortname[0] != '\0')
		txt_fmt(forms, sizeof(forms), "%s/%s, %s/%s", service, host, service, shortname);
	else
		txt_fmt(forms, sizeof(forms), "%s/%s", service, host);
	cap_finding_set_str(f, "spn_forms", forms);
	if (!http) {
		/* Another service class (host/, MSSQLSvc/, cifs/, ...): no browser, site or
		 * application pool is involved. */
		if (port != 0)
			cap_finding_set_num(f, "spn_port", port);
		cap_finding_add_advice(f,
			"Register it on the account the %s service runs as: setspn -S %s "
			"<DOMAIN\\account>.", service, spn);
	} else if (port != 0) {
		cap_finding_set_num(f, "spn_port", port);
		cap_finding_add_advice(f,
			"The client asked for %s, with a port. Browsers and curl leave the port out "
			"unless told to add it (EnableAuthNegotiatePort, "
			"FEATURE_INCLUDE_PORT_IN_SPN_KB908209, .NET 5): register exactly this name "
			"(setspn -S %s/%s:%u <DOMAIN\\account>) or make the client ask for %s/%s.",
			spn, service, host, port, service, host);
	} else if (site_port != 0 && site_port != 80 && site_port != 443) {
		cap_finding_set_num(f, "site_port", site_port);
		cap_finding_add_advice(f,
			"The site listens on port %u but the client asked for %s/%s without a port, "
			"as browsers do: an SPN registered as %s/%s:%u is never asked for. Register "
			"the FQDN form without a port (only the short-name form may carry one).",
			site_port, service, host, service, host, site_port);
	}
	if (http)
		cap_finding_add_advice(f,
			"Register it on the account the site runs as (the application pool "
			"identity, or the computer account for NetworkService/ApplicationPoolIdentity): "
			"setspn -S %s/%s <DOMAIN\\account>%s%s%s%s%s.",
			service, host, shortname[0] ? ", and the short name: setspn -S " : "",
			shortname[0] ? service : "", shortname[0] ? "/" : "", shortname,
			shortname[0] ? " <DOMAIN\\account>" : "");
	cap_finding_add_advice(f, "Check who holds the name now: setspn -Q %s/%s%s%s%s%s.",
			       service, host, shortname[0] ? " and setspn -Q " : "",
			       shortname[0] ? service : "", shortname[0] ? "/" : "", shortname);
	if (http && c != NULL && !c->pub.kdc_only && c->pub.host[0] != '\0') {
		char hh[CAP_FACT_NAME_MAX + 2], sv[8], hn[CAP_FACT_NAME_MAX];
		unsigned hp;

		txt_fmt(hh, sizeof(hh), "x/%s", c->pub.host);
		spn_split(hh, sv, sizeof(sv), hn, sizeof(hn), &hp);
		if (hn[0] != '\0' && strcasecmp(hn, host) != 0)
			cap_finding_add_advice(f,
				"The URL host is %s but the client asked for %s: it resolved a DNS "
				"alias (CNAME) to its canonical name, so the SPN must be registered for "
				"%s.", hn, spn, host);
	}
}
