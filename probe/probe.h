/* probe.h - the probe's data model: what one run is asked to do (config) and
 * what it found for each target (legs, findings, outcome).  Plain data shared
 * by negotiate.c (fills it), the reporters (read it) and expect.c (judges it).
 */
#ifndef PROBE_PROBE_H
#define PROBE_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "findings.h"
#include "gss.h"
#include "http_client.h"
#include "ldap_audit.h"
#include "token.h"

#define PROBE_MAX_LEGS_LIMIT 32
#define PROBE_MAX_FINDINGS 32
#define PROBE_MAX_EXPECT 16
#define PROBE_MAX_SPN_CHECKS 12
#define PROBE_MAX_WIRE 128
#define PROBE_MAX_REDIRS_LIMIT 20 /* Chrome's limit of redirects per request */

/* Exit statuses (a contract with scripts). */
enum { PROBE_EXIT_OK = 0, PROBE_EXIT_PROBLEM = 1, PROBE_EXIT_USAGE = 2, PROBE_EXIT_CANNOT_RUN = 3 };

enum probe_expect_kind {
	PROBE_EXPECT_KERBEROS = 0,
	PROBE_EXPECT_NTLM,
	PROBE_EXPECT_STATUS,
	PROBE_EXPECT_KEEPALIVE,
	PROBE_EXPECT_MUTUAL,
	PROBE_EXPECT_DELEGATION
};

struct probe_expect {
	enum probe_expect_kind kind;
	long status; /* PROBE_EXPECT_STATUS */
	char text[32]; /* as written: "kerberos", "status=200" */
};

struct probe_browser;

struct probe_config {
	enum probe_mech mech;
	enum probe_deleg deleg;
	const char *spn;          /* --spn: forced SPN */
	bool no_canonicalize;
	bool spn_port;
	int max_legs;             /* requests per origin's handshake */
	bool follow;              /* -L: follow redirects */
	int max_redirs;           /* --max-redirs */
	bool check_spn;
	struct probe_ldap_opts ldap; /* --ldap (uri NULL: no directory side) */
	struct probe_http_opts http;
	struct probe_expect expect[PROBE_MAX_EXPECT];
	size_t nexpect;
	bool ntlm_available;      /* gss-ntlmssp installed */
	bool no_channel_binding;  /* --no-channel-binding */
	const struct probe_browser *browser; /* --browser preset, NULL none (browser.h) */
	const char *auth_allowlist; /* --auth-allowlist: hosts Negotiate may go to, NULL any */
};

struct probe_token {
	uint8_t *bytes; /* owned */
	size_t len;
	char scheme[16]; /* "Negotiate", "NTLM" */
	struct probe_token_desc desc;
};

enum probe_gss_outcome { PROBE_GSSO_NONE = 0, PROBE_GSSO_CONTINUE, PROBE_GSSO_COMPLETE, PROBE_GSSO_ERROR };

struct probe_leg {
	unsigned n;                /* 1-based */
	unsigned hop;              /* 0: the target URL; k: after the k-th redirect */
	struct probe_token sent;   /* len 0: no Authorization header */
	size_t auth_header_len;
	/* the response */
	int curl_code;
	char *curl_error;          /* owned or NULL */
	enum probe_tls_kind tls;
	long status;
	char reason[64];
	int http_version;
	bool conn_new;
	long local_port, remote_port;
	char local_ip[64], remote_ip[64];
	char **www_auth;           /* every WWW-Authenticate value (owned) */
	size_t nwww;
	char *connection;          /* Connection header or NULL */
	char *persistent_auth;     /* Persistent-Auth header or NULL */
	struct probe_token recv;   /* the token of our scheme's challenge, len 0 if none */
	enum probe_gss_outcome gss;/* what GSS made of recv (or of the first step) */
	char *gss_error;           /* owned or NULL */
	double t_total_ms, t_connect_ms, t_tls_ms, t_gss_ms;
};

enum probe_deleg_result {
	PROBE_DELEG_R_NOT_REQUESTED = 0,
	PROBE_DELEG_R_GRANTED,
	PROBE_DELEG_R_NOT_TRUSTED,
	PROBE_DELEG_R_REFUSED
};

struct probe_spn_check {
	char spn[300];   /* HTTP/host[:port] */
	char form[48];   /* "short name", "FQDN with port", ... */
	int exists;      /* 1, 0, -1 unknown */
	char error[256];
};

/* One decoded Kerberos message seen on the wire by --capture. */
struct probe_wire_krb {
	uint64_t frame;  /* 1-based position in the capture (-w file) */
	double ts;
	bool tcp, from_kdc;
	char summary[256];
	int msg_type;
	int error_code; /* -1 */
	char sname[256];
	char realm[128];
};

struct probe_expect_outcome {
	struct probe_expect expect;
	bool pass;
	char actual[96];
};

/* A redirect followed (-L): where it led, and the SPN asked for there. */
struct probe_hop {
	char *url;                 /* owned: the absolute URL requested */
	struct probe_url u;
	long status;               /* the 3xx that led here */
	unsigned first_leg;        /* the first leg at this URL */
	bool new_origin;           /* scheme, host or port changed: authentication again */
	bool new_spn;              /* ... and the SPN changed with it */
	char spn[300];
	char spn_source[96];
	char canonical[256];
};

struct probe_result {
	char *url;                 /* owned */
	struct probe_url u;
	bool url_ok;
	char spn[300];             /* the SPN the probe asked for ("HTTP/host") */
	char spn_source[96];       /* how it was chosen */
	char canonical[256];       /* the host after canonicalisation */
	struct probe_leg legs[PROBE_MAX_LEGS_LIMIT];
	size_t nlegs;
	struct probe_hop hops[PROBE_MAX_REDIRS_LIMIT]; /* redirects followed, in order */
	size_t nhops;
	bool redirs_capped;        /* another redirect came after --max-redirs */
	struct probe_finding findings[PROBE_MAX_FINDINGS];
	size_t nfindings;
	enum probe_used_mech mech; /* mechanism that authenticated, NONE = none */
	bool authenticated;        /* 2xx after a completed handshake (-L: or a redirect) */
	bool mutual_verified;
	long status;               /* final HTTP status, 0 = none */
	unsigned connections;      /* TCP connections opened */
	bool keepalive_ok;         /* every leg after a 401 reused its connection */
	enum probe_deleg_result delegation;
	bool ok_as_delegate_known, ok_as_delegate;
	/* TLS channel binding (tls-server-end-point, chanbind.h): what the GSS context got */
	struct {
		bool https;            /* the target is HTTPS: a binding applies */
		bool withheld;         /* --no-channel-binding: none sent on purpose */
		bool sent;             /* the GSS context sent one */
		char hash[16];         /* its hash ("sha256") */
		char fingerprint[100]; /* SHA-256 of the certificate it is over */
		char subject[128];     /* that certificate's subject */
	} chanbind;
	struct probe_spn_check spn_checks[PROBE_MAX_SPN_CHECKS];
	size_t nspn_checks;
	struct probe_ldap_audit ldap;  /* --check-spn --ldap */
	struct probe_wire_krb wire[PROBE_MAX_WIRE];
	size_t nwire;
	bool captured;             /* --capture ran */
	struct probe_expect_outcome outcomes[PROBE_MAX_EXPECT];
	size_t noutcomes;
	bool ok;                   /* exit status 0 */
	int exit_code;
	char fatal[256];           /* could not run: why ("" when it ran) */
	double t_total_ms;
};

/* Adds a finding to r (ignored beyond PROBE_MAX_FINDINGS); returns it or NULL. */
struct probe_finding *probe_result_add_finding(struct probe_result *r, enum cap_finding_id id,
					       unsigned leg);
/* Adds a copy of an engine finding (evidence, detail, advice, frames) on leg `leg`. */
struct probe_finding *probe_result_copy_finding(struct probe_result *r,
					       const struct cap_finding *cf, unsigned leg);
/* The hop leg `leg` (1-based) belongs to, NULL for the target URL (or leg 0: the last). */
const struct probe_hop *probe_result_hop(const struct probe_result *r, unsigned leg);
/* The URL, SPN and canonical host leg `leg` used (the target's, or its hop's). */
const struct probe_url *probe_result_leg_url(const struct probe_result *r, unsigned leg);
const char *probe_result_leg_spn(const struct probe_result *r, unsigned leg);
const char *probe_result_leg_host(const struct probe_result *r, unsigned leg);
/* True when r has a finding with this id. */
bool probe_result_has(const struct probe_result *r, enum cap_finding_id id);
void probe_result_init(struct probe_result *r, const char *url);
void probe_result_clear(struct probe_result *r);
/* Worst severity among the findings, -1 when none. */
int probe_result_worst(const struct probe_result *r);

const char *probe_deleg_result_name(enum probe_deleg_result d);

#endif /* PROBE_PROBE_H */
