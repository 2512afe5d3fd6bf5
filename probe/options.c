/* options.c - negprobe argument parsing (getopt_long) and the usage text. */
#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "browser.h"
#include "expect.h"
#include "negscope/krbkeys.h"

enum {
	OPT_MECH = 256, OPT_SPN, OPT_NO_CANON, OPT_SPN_PORT, OPT_CHECK_SPN, OPT_CCACHE, OPT_KEYTAB,
	OPT_PRINCIPAL, OPT_PASSWORD_FILE, OPT_DELEGATION, OPT_CACERT, OPT_RESOLVE, OPT_MAX_LEGS,
	OPT_TIMEOUT, OPT_CONNECT_TIMEOUT, OPT_EXPECT, OPT_JSON, OPT_JUNIT, OPT_TARGETS,
	OPT_PARALLEL, OPT_CAPTURE, OPT_COLOR, OPT_NO_COLOR, OPT_USER_AGENT, OPT_PROXY,
	OPT_PASSWORD, OPT_HTML, OPT_MAX_REDIRS,
	OPT_NO_CHANBIND, /* probe-cb: channel binding */
	OPT_BROWSER, OPT_AUTH_ALLOWLIST,
	OPT_LDAP, OPT_BACKEND_SPN, OPT_SERVER_KEYTAB, OPT_KEYLOG
};

static const struct option longopts[] = {
	{"mech", required_argument, NULL, OPT_MECH},
	{"spn", required_argument, NULL, OPT_SPN},
	{"no-canonicalize", no_argument, NULL, OPT_NO_CANON},
	{"no-channel-binding", no_argument, NULL, OPT_NO_CHANBIND},
	{"spn-port", no_argument, NULL, OPT_SPN_PORT},
	{"browser", required_argument, NULL, OPT_BROWSER},
	{"auth-allowlist", required_argument, NULL, OPT_AUTH_ALLOWLIST},
	{"check-spn", no_argument, NULL, OPT_CHECK_SPN},
	{"ldap", required_argument, NULL, OPT_LDAP},
	{"backend-spn", required_argument, NULL, OPT_BACKEND_SPN},
	{"server-keytab", required_argument, NULL, OPT_SERVER_KEYTAB},
	{"ccache", required_argument, NULL, OPT_CCACHE},
	{"keytab", required_argument, NULL, OPT_KEYTAB},
	{"principal", required_argument, NULL, OPT_PRINCIPAL},
	{"user", required_argument, NULL, 'u'},
	{"password-file", required_argument, NULL, OPT_PASSWORD_FILE},
	{"password", required_argument, NULL, OPT_PASSWORD},
	{"delegation", required_argument, NULL, OPT_DELEGATION},
	{"cacert", required_argument, NULL, OPT_CACERT},
	{"insecure", no_argument, NULL, 'k'},
	{"resolve", required_argument, NULL, OPT_RESOLVE},
	{"max-legs", required_argument, NULL, OPT_MAX_LEGS},
	{"location", no_argument, NULL, 'L'},
	{"max-redirs", required_argument, NULL, OPT_MAX_REDIRS},
	{"timeout", required_argument, NULL, OPT_TIMEOUT},
	{"connect-timeout", required_argument, NULL, OPT_CONNECT_TIMEOUT},
	{"expect", required_argument, NULL, OPT_EXPECT},
	{"json", no_argument, NULL, OPT_JSON},
	{"junit", required_argument, NULL, OPT_JUNIT},
	{"html", required_argument, NULL, OPT_HTML},
	{"targets", required_argument, NULL, OPT_TARGETS},
	{"parallel", required_argument, NULL, OPT_PARALLEL},
	{"capture", required_argument, NULL, OPT_CAPTURE},
	{"write", required_argument, NULL, 'w'},
	{"keylog", required_argument, NULL, OPT_KEYLOG},
	{"color", required_argument, NULL, OPT_COLOR},
	{"no-color", no_argument, NULL, OPT_NO_COLOR},
	{"user-agent", required_argument, NULL, OPT_USER_AGENT},
	{"proxy", required_argument, NULL, OPT_PROXY},
	{"verbose", no_argument, NULL, 'v'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

void probe_usage(FILE *fp)
{
	fputs("usage: negprobe [options] URL\n"
	      "       negprobe [options] --targets FILE\n"
	      "Replays a browser's HTTP Negotiate (Kerberos/NTLM) sign-in and explains each leg.\n"
	      "\n"
	      "Handshake:\n"
	      "  --mech auto|kerberos|ntlm   SPNEGO as a browser (auto), or one mechanism\n"
	      "  --spn SPN                   ask for this SPN (HTTP/host[:port] or HTTP@host)\n"
	      "  --no-canonicalize           build the SPN from the URL host, no CNAME lookup\n"
	      "  --spn-port                  add a non-default port to the SPN (EnableAuthNegotiatePort)\n"
	      "  --check-spn                 ask the KDC which SPN forms exist (short, FQDN, canonical, +port)\n"
	      "  --ldap URI|auto             also ask AD who holds each form, duplicates,\n"
	      "                              delegation, etypes, kvno (auto: the KDC host)\n"
	      "  --backend-spn SPN           with --ldap: may the site's account delegate to SPN?\n"
	      "  --server-keytab FILE        the site's keytab: does it decrypt the ticket\n"
	      "                              (as kvno -k); with --ldap also its kvno, accounts\n"
	      "  --delegation none|policy|always   delegate the TGT (policy: only if ok-as-delegate)\n"
	      "  --browser chrome|edge|firefox   that browser's defaults for the options above\n"
	      "                              (CNAME, port, delegation, allowlist); flags override\n"
	      "  --auth-allowlist LIST       hosts it may sign in to (AuthServerAllowlist,\n"
	      "                              trusted-uris): comma list, *.example.test; others\n"
	      "                              get no Negotiate token (negotiate-not-allowed)\n"
	      "  --max-legs N                stop after N requests per handshake (default 8)\n"
	      "  -L, --location              follow redirects as a browser does; each new origin\n"
	      "                              authenticates again with its own SPN\n"
	      "  --max-redirs N              follow at most N redirects (default 20, Chrome's)\n"
	      "Credentials (default: the default ccache, KRB5CCNAME):\n"
	      "  --ccache CCACHE             use this credential cache\n"
	      "  --keytab FILE --principal NAME   get a ticket from a client keytab\n"
	      "  -u, --user NAME             with a password from NEGPROBE_PASSWORD, --password-file\n"
	      "                              or a prompt on the terminal (never from the command line)\n"
	      "  --password-file FILE        first line of FILE is the password\n"
	      "Transport:\n"
	      "  --resolve HOST:PORT:ADDR    map a name to an address, as curl does (repeatable)\n"
	      "  --cacert FILE               trust this CA bundle for HTTPS\n"
	      "  -k, --insecure              do not check the server certificate (reported)\n"
	      "  --no-channel-binding        send no TLS channel binding (what a client without\n"
	      "                              Extended Protection support sends)\n"
	      "  --timeout SEC, --connect-timeout SEC, --proxy URL, --user-agent UA, -v (curl trace)\n"
	      "Wire:\n"
	      "  --capture IFACE             capture this probe's own HTTP and KDC traffic\n"
	      "  -w FILE                     save that capture as pcap\n"
	      "  --keylog FILE               append the TLS key log of its sessions to FILE\n"
	      "                              (as SSLKEYLOGFILE, which is honoured too)\n"
	      "Scripts:\n"
	      "  --expect CHECK              kerberos, ntlm, status=N, keepalive, mutual, delegation\n"
	      "                              (repeatable; exit 0 only when all hold)\n"
	      "  --json                      JSON lines: leg, finding, spn, capture records, then result\n"
	      "  --junit FILE                JUnit XML, one test case per check\n"
	      "  --html FILE                 also a self-contained HTML report (sequence diagrams)\n"
	      "  --targets FILE              one URL per line (- = stdin), probed concurrently\n"
	      "  --parallel N                concurrent targets (default 8)\n"
	      "  --color auto|always|never, --no-color (NO_COLOR is honoured)\n"
	      "Exit status: 0 all checks hold (without --expect: Kerberos worked, no warning or\n"
	      "error finding), 1 a check failed or a problem was found, 2 usage, 3 could not run.\n",
	      fp);
}

static int number(const char *opt, const char *s, long lo, long hi, long *out, char *err,
		  size_t errlen)
{
	char *end = NULL;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || !(s[0] >= '0' && s[0] <= '9') || *end != '\0' || v < lo || v > hi) {
		snprintf(err, errlen, "%s %s: expected a number from %ld to %ld", opt, s, lo, hi);
		return -1;
	}
	*out = v;
	return 0;
}

/* --server-keytab: read now, so a bad file is one line at the start, not a failed run. */
static int server_keytab_check(const char *path, char *err, size_t errlen)
{
	struct cap_krb_keyset *ks;
	char why[256];
	int n;

	if (access(path, R_OK) != 0) {
		snprintf(err, errlen, "--server-keytab %s: %s", path, strerror(errno));
		return -1;
	}
	ks = cap_krb_keyset_new();
	if (ks == NULL) {
		snprintf(err, errlen, "--server-keytab %s: out of memory", path);
		return -1;
	}
	n = cap_krb_keyset_add_keytab(ks, path, why, sizeof(why));
	cap_krb_keyset_free(ks);
	if (n < 0) {
		snprintf(err, errlen, "--server-keytab: %s", why);
		return -1;
	}
	return 0;
}

static int resolve_ok(const char *s)
{
	const char *c1 = strchr(s, ':'), *c2 = c1 != NULL ? strchr(c1 + 1, ':') : NULL;

	return c1 != NULL && c1 != s && c2 != NULL && c2 > c1 + 1 && c2[1] != '\0';
}

/* A --browser preset sets what the user did not set with its own flag. */
static void apply_browser(struct probe_config *cfg, bool canon_set, bool port_set,
			  bool deleg_set)
{
	if (cfg->browser == NULL)
		return;
	if (!canon_set)
		cfg->no_canonicalize = !cfg->browser->canonicalize;
	if (!port_set)
		cfg->spn_port = cfg->browser->spn_port;
	if (!deleg_set)
		cfg->deleg = cfg->browser->deleg;
}

int probe_options_parse(int argc, char **argv, struct probe_options *o, char *err, size_t errlen)
{
	int c;
	long v;
	bool canon_set = false, port_set = false, deleg_set = false;

	memset(o, 0, sizeof(*o));
	o->cfg.max_legs = 8;
	o->cfg.max_redirs = PROBE_MAX_REDIRS_LIMIT;
	o->parallel = 8;
	o->color = -1;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":u:kw:vhVL", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_MECH:
			if (strcasecmp(optarg, "auto") == 0)
				o->cfg.mech = PROBE_MECH_AUTO;
			else if (strcasecmp(optarg, "kerberos") == 0)
				o->cfg.mech = PROBE_MECH_KERBEROS;
			else if (strcasecmp(optarg, "ntlm") == 0)
				o->cfg.mech = PROBE_MECH_NTLM;
			else {
				snprintf(err, errlen, "--mech %s: use auto, kerberos or ntlm",
					 optarg);
				return -1;
			}
			break;
		case OPT_SPN:
			if (strchr(optarg, '/') == NULL && strchr(optarg, '@') == NULL) {
				snprintf(err, errlen, "--spn %s: write it as HTTP/host[:port] or "
					 "HTTP@host", optarg);
				return -1;
			}
			o->cfg.spn = optarg;
			break;
		case OPT_NO_CANON: o->cfg.no_canonicalize = canon_set = true; break;
		case OPT_BROWSER:
			o->cfg.browser = probe_browser_find(optarg);
			if (o->cfg.browser == NULL) {
				snprintf(err, errlen, "--browser %s: use chrome, edge or firefox",
					 optarg);
				return -1;
			}
			break;
		case OPT_AUTH_ALLOWLIST: o->cfg.auth_allowlist = optarg; break;
		case OPT_NO_CHANBIND: o->cfg.no_channel_binding = true; break;
		case 'L': o->cfg.follow = true; break;
		case OPT_MAX_REDIRS:
			if (number("--max-redirs", optarg, 0, PROBE_MAX_REDIRS_LIMIT, &v, err,
				   errlen) != 0)
				return -1;
			o->cfg.max_redirs = (int)v;
			break;
		case OPT_SPN_PORT: o->cfg.spn_port = port_set = true; break;
		case OPT_CHECK_SPN: o->cfg.check_spn = true; break;
		case OPT_LDAP: o->cfg.ldap.uri = optarg; o->cfg.check_spn = true; break;
		case OPT_BACKEND_SPN: o->cfg.ldap.backend_spn = optarg; break;
		case OPT_SERVER_KEYTAB: o->cfg.ldap.keytab = optarg; break;
		case OPT_CCACHE: o->ccache = optarg; break;
		case OPT_KEYTAB: o->keytab = optarg; break;
		case OPT_PRINCIPAL: o->principal = optarg; break;
		case 'u': o->user = optarg; break;
		case OPT_PASSWORD_FILE: o->password_file = optarg; break;
		case OPT_PASSWORD:
			snprintf(err, errlen, "--password: passwords are never taken from the "
				 "command line (other users can read it); use NEGPROBE_PASSWORD, "
				 "--password-file or the prompt");
			return -1;
		case OPT_DELEGATION:
			deleg_set = true;
			if (strcasecmp(optarg, "none") == 0)
				o->cfg.deleg = PROBE_DELEG_NONE;
			else if (strcasecmp(optarg, "policy") == 0)
				o->cfg.deleg = PROBE_DELEG_POLICY;
			else if (strcasecmp(optarg, "always") == 0)
				o->cfg.deleg = PROBE_DELEG_ALWAYS;
			else {
				snprintf(err, errlen, "--delegation %s: use none, policy or always",
					 optarg);
				return -1;
			}
			break;
		case OPT_CACERT: o->cfg.http.cacert = optarg; break;
		case 'k': o->cfg.http.insecure = true; break;
		case OPT_RESOLVE:
			if (!resolve_ok(optarg)) {
				snprintf(err, errlen, "--resolve %s: write it as HOST:PORT:ADDRESS",
					 optarg);
				return -1;
			}
			if (o->nresolve >= PROBE_MAX_RESOLVE) {
				snprintf(err, errlen, "--resolve: at most %d entries",
					 PROBE_MAX_RESOLVE);
				return -1;
			}
			o->resolve[o->nresolve++] = optarg;
			break;
		case OPT_MAX_LEGS:
			if (number("--max-legs", optarg, 1, PROBE_MAX_LEGS_LIMIT, &v, err,
				   errlen) != 0)
				return -1;
			o->cfg.max_legs = (int)v;
			break;
		case OPT_TIMEOUT:
			if (number("--timeout", optarg, 1, 3600, &v, err, errlen) != 0)
				return -1;
			o->cfg.http.timeout_ms = v * 1000;
			break;
		case OPT_CONNECT_TIMEOUT:
			if (number("--connect-timeout", optarg, 1, 3600, &v, err, errlen) != 0)
				return -1;
			o->cfg.http.connect_timeout_ms = v * 1000;
			break;
		case OPT_EXPECT:
			if (o->cfg.nexpect >= PROBE_MAX_EXPECT) {
				snprintf(err, errlen, "--expect: at most %d checks",
					 PROBE_MAX_EXPECT);
				return -1;
			}
			if (probe_expect_parse(optarg, &o->cfg.expect[o->cfg.nexpect], err,
					       errlen) != 0)
				return -1;
			o->cfg.nexpect++;
			break;
		case OPT_JSON: o->json = true; break;
		case OPT_JUNIT: o->junit_file = optarg; break;
		case OPT_HTML: o->html_file = optarg; break;
		case OPT_TARGETS: o->targets_file = optarg; break;
		case OPT_PARALLEL:
			if (number("--parallel", optarg, 1, 256, &o->parallel, err, errlen) != 0)
				return -1;
			break;
		case OPT_CAPTURE: o->capture_iface = optarg; break;
		case 'w': o->write_file = optarg; break;
		case OPT_KEYLOG: o->keylog_file = optarg; break;
		case OPT_COLOR:
			if (strcasecmp(optarg, "auto") == 0)
				o->color = -1;
			else if (strcasecmp(optarg, "always") == 0)
				o->color = 1;
			else if (strcasecmp(optarg, "never") == 0)
				o->color = 0;
			else {
				snprintf(err, errlen, "--color %s: use auto, always or never",
					 optarg);
				return -1;
			}
			break;
		case OPT_NO_COLOR: o->color = 0; break;
		case OPT_USER_AGENT: o->cfg.http.user_agent = optarg; break;
		case OPT_PROXY: o->cfg.http.proxy = optarg; break;
		case 'v': o->cfg.http.verbose = true; break;
		case 'h': o->help = true; return 0;
		case 'V': o->version = true; return 0;
		case ':':
			snprintf(err, errlen, "%s needs a value", argv[optind - 1]);
			return -1;
		default:
			snprintf(err, errlen, "unknown option %s (negprobe --help lists them)",
				 argv[optind - 1]);
			return -1;
		}
	}
	apply_browser(&o->cfg, canon_set, port_set, deleg_set);
	o->resolve[o->nresolve] = NULL;
	o->cfg.http.resolve = o->nresolve > 0 ? o->resolve : NULL;
	if (optind < argc)
		o->url = argv[optind++];
	if (optind < argc) {
		snprintf(err, errlen, "one URL per run (use --targets FILE for several): '%s'",
			 argv[optind]);
		return -1;
	}
	if ((o->url == NULL) == (o->targets_file == NULL)) {
		snprintf(err, errlen, o->url == NULL ? "give a URL or --targets FILE" :
						       "give either a URL or --targets, not both");
		return -1;
	}
	if ((o->keytab != NULL) != (o->principal != NULL)) {
		snprintf(err, errlen, "--keytab and --principal go together");
		return -1;
	}
	if (o->keytab != NULL && (o->user != NULL || o->ccache != NULL)) {
		snprintf(err, errlen, "--keytab excludes --user and --ccache");
		return -1;
	}
	if (o->user != NULL && o->ccache != NULL) {
		snprintf(err, errlen, "--user excludes --ccache");
		return -1;
	}
	if (o->password_file != NULL && o->user == NULL) {
		snprintf(err, errlen, "--password-file needs --user");
		return -1;
	}
	if (o->cfg.ldap.backend_spn != NULL && o->cfg.ldap.uri == NULL) {
		snprintf(err, errlen, "--backend-spn needs --ldap URI|auto");
		return -1;
	}
	if (o->cfg.ldap.keytab != NULL && server_keytab_check(o->cfg.ldap.keytab, err,
							      errlen) != 0)
		return -1;
	if (o->write_file != NULL && o->capture_iface == NULL) {
		snprintf(err, errlen, "-w FILE needs --capture IFACE");
		return -1;
	}
	if (o->capture_iface != NULL && o->targets_file != NULL) {
		snprintf(err, errlen, "--capture works with one URL, not --targets");
		return -1;
	}
	return 0;
}
