/* fact_build.h - facts built by hand for the report tests (test_render.c, test_html.c):
 * an IPv4 endpoint, an HTTP message of one client and server, and quiet background
 * Kerberos (each client's AS exchange worked, one conversation per client). */
#ifndef TEST_FACT_BUILD_H
#define TEST_FACT_BUILD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "negscope/analysis.h"

/* 10.0.a2.a3:port */
static inline struct cap_endpoint fb_ep(uint8_t a2, uint8_t a3, uint16_t port)
{
	struct cap_endpoint e;

	memset(&e, 0, sizeof(e));
	e.family = 4;
	e.addr[0] = 10;
	e.addr[2] = a2;
	e.addr[3] = a3;
	e.port = port;
	return e;
}

/* GET target (Host host) from 10.0.1.5 to 10.0.1.80:80, or its response with status,
 * reason and the schemes offered (CAP_AUTH_BIT). */
static inline void fb_http(struct cap_analysis *a, uint64_t frame, bool request, int status,
			   uint32_t offered, const char *host, const char *target,
			   const char *reason)
{
	struct cap_http_fact f;

	cap_http_fact_init(&f);
	f.frame = frame;
	f.ts = 1000.0 + (double)frame / 100.0;
	f.stream = 1;
	f.client = fb_ep(1, 5, 50000);
	f.server = fb_ep(1, 80, 80);
	f.is_request = request;
	f.version_minor = 1;
	f.status = status;
	snprintf(f.method, sizeof(f.method), "%s", "GET");
	snprintf(f.target, sizeof(f.target), "%s", target);
	snprintf(f.host, sizeof(f.host), "%s", host);
	snprintf(f.reason, sizeof(f.reason), "%s", reason);
	f.offered = offered;
	cap_analysis_http(a, &f);
}

/* `clients` clients (10.0.2.1 on), each with an AS exchange that worked; returns the last
 * frame used. */
static inline uint64_t fb_kdc_background(struct cap_analysis *a, uint64_t frame, unsigned clients)
{
	for (unsigned i = 0; i < clients; i++) {
		for (int rep = 0; rep < 2; rep++) {
			struct cap_krb_fact k;

			cap_krb_fact_init(&k);
			k.frame = ++frame;
			k.ts = 1000.0 + (double)frame / 100.0;
			k.client = fb_ep((uint8_t)(2 + i / 250), (uint8_t)(1 + i % 250), 40000);
			k.server = fb_ep(0, 88, 88);
			k.from_server = rep == 1;
			k.decoded = true;
			k.msg_type = rep ? CAP_KRB_AS_REP : CAP_KRB_AS_REQ;
			snprintf(k.sname, sizeof(k.sname), "%s", "krbtgt/EXAMPLE.TEST");
			snprintf(k.realm, sizeof(k.realm), "%s", "EXAMPLE.TEST");
			cap_analysis_krb(a, &k);
		}
	}
	return frame;
}

#endif /* TEST_FACT_BUILD_H */
