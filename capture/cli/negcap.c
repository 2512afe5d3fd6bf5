/* negcap.c - the negcap command: argument parsing and wiring only.
 *
 * input (source.h) -> pipeline (pipeline.h) -> analysis (analysis.h) -> report (report.h).
 * Flags follow tcpdump where they mean the same thing (-r -i -w -c -s -Z, a BPF filter as
 * trailing words).  `--decode` hands the whole command line to negcap_decode_main().
 *
 * Exit status: 0 no finding of warning or error severity, 1 at least one, 2 usage error,
 * 3 the input could not be read at all, or the --html file could not be written.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "cli/decode_cmd.h"
#include "cli/keylog_opt.h"
#include "cli/limit_opts.h"
#include "negscope/analysis.h"
#include "negscope/dynbuf.h"
#include "negscope/pipeline.h"
#include "negscope/report.h"
#include "negscope/source.h"

#ifndef NEGSCOPE_VERSION
#define NEGSCOPE_VERSION "0.1.0"
#endif

#define PROG "negcap"
#define EXIT_CLEAN 0
#define EXIT_FINDINGS 1
#define EXIT_USAGE 2
#define EXIT_INPUT 3
#define MAX_INPUTS 256
#define MAX_FILTER 8192

struct opts {
	const char *files[MAX_INPUTS];
	size_t nfiles;
	const char *iface;
	const char *wfile;
	const char *html;  /* --html FILE */
	uint64_t count;
	int snaplen;
	const char *user;
	bool json, events, quiet, verbose, no_color, promisc;
	struct cap_dynbuf filter; /* the filter words joined by spaces, at most MAX_FILTER - 1 */
	struct cap_pipeline_limits plim;
	struct cap_analysis_limits alim;
	const char *keylogs[NEGCAP_MAX_KEYLOGS]; /* --keylog FILE */
	size_t nkeylogs;
};

static void usage(FILE *fp)
{
	fprintf(fp,
"usage: negcap [options] -r FILE [-r FILE ...] [filter]\n"
"       negcap [options] -i IFACE [-w FILE] [filter]\n"
"       negcap --decode VALUE [--json] [--show-secrets]\n"
"\n"
"Tells why HTTP Negotiate (Kerberos/NTLM) sign-in fails, from a capture or live traffic.\n"
"\n"
"input:\n"
"  -r FILE          read a pcap/pcapng file ('-' = stdin); repeat to read several in order\n"
"  -i IFACE         capture live on IFACE; Ctrl-C ends the capture and prints the report\n"
"  -w FILE          with -i: also save the raw packets to FILE (pcap)\n"
"  -c N             stop after N packets\n"
"  -s SNAPLEN       live: bytes kept per packet (default %d)\n"
"  -Z USER          drop privileges to USER once the input is open (live captures\n"
"                   started as root drop to tcpdump or nobody by default; -Z root keeps\n"
"                   root; with several -r, the later files must be readable by USER)\n"
"  -p               live: promiscuous mode\n"
"  filter           a BPF expression, as for tcpdump (e.g. 'port 80 or port 88')\n"
"output:\n"
"  (default)        the verdict first, then the ladder of each conversation with a\n"
"                   problem (the others one line each), the findings, a summary line\n"
"  -q, --quiet      the findings and the summary line only\n"
"  -v, --verbose    the ladder of every conversation, those without a problem too\n"
"  --json           JSON lines: finding records, then a summary record\n"
"  --events         with --json: also every decoded HTTP and Kerberos message, and\n"
"                   each conversation with its ladder steps\n"
"  --html FILE      also write the report as one self-contained HTML file\n"
"                   (sequence diagrams; opens offline, prints on A4/Letter)\n"
"  --no-color       no ANSI colours (also when NO_COLOR is set or not a terminal)\n"
"TLS:\n"
"  --keylog FILE    TLS secrets in the NSS key log format (what SSLKEYLOGFILE makes\n"
"                   Chrome, Edge, Firefox and curl write, or negprobe --keylog):\n"
"                   HTTPS is decrypted and diagnosed; repeatable.  Keys in pcapng\n"
"                   Decryption Secrets Blocks are used too\n"
"limits (hitting one is counted in the summary, never fatal):\n"
"  --max-flows N            TCP/UDP flows tracked (default 65536, LRU evicted)\n"
"  --max-stream-buffer B    reassembly bytes per direction (default 256K)\n"
"  --max-total-buffer B     reassembly bytes over all flows (default 32M)\n"
"  --max-header-line B      longest HTTP header line (default 64K)\n"
"  --max-headers N          HTTP headers per message (default 256)\n"
"  --max-message B          largest HTTP head or Kerberos message (default 128K)\n"
"  --max-frag-bytes B       IP fragment reassembly bytes (default 4M)\n"
"  --max-conversations N    conversations kept by the analysis (default 65536)\n"
"  --max-findings N         distinct findings kept (default 10000)\n"
"  --max-token B            decoded bytes of one auth token (default 64K, at most 1M)\n"
"  --max-challenges N       auth challenges kept per message (default 16, at most 64)\n"
"  --max-der-depth N        DER nesting per token or Kerberos message (default 32)\n"
"  --max-der-elements N     DER elements per token or Kerberos message (default 4096)\n"
"other:\n"
"  --decode VALUE   decode one pasted auth header or token (see negcap --decode -h)\n"
"  -h, --help       this help;  --version  the version\n"
"\n"
"exit status: 0 no warning or error finding, 1 at least one, 2 usage error,\n"
"             3 the input could not be read or the --html file not written\n",
		CAP_SOURCE_DEFAULT_SNAPLEN);
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, PROG ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n" PROG ": try 'negcap --help'\n");
	return -1;
}

/* Appends filter words, space-separated, capped. */
static int add_filter_word(struct opts *o, const char *w)
{
	enum cap_dyn_err e = CAP_DYN_OK;

	if (cap_dynbuf_len(&o->filter) > 0)
		e = cap_dynbuf_addc(&o->filter, ' ');
	if (e == CAP_DYN_OK)
		e = cap_dynbuf_adds(&o->filter, w);
	if (e == CAP_DYN_TOO_LARGE)
		return usage_error("filter expression longer than %s bytes", "8192");
	if (e != CAP_DYN_OK)
		return usage_error("%s", "out of memory");
	return 0;
}

/* The filter expression, or NULL when none was given. */
static const char *filter_of(const struct opts *o)
{
	return cap_dynbuf_len(&o->filter) > 0 ? cap_dynbuf_ptr(&o->filter) : NULL;
}

/* A filter that does not compile is a usage error, found before any input is opened
 * (the syntax does not depend on the link type). */
static int check_filter(const char *filter)
{
	pcap_t *p = pcap_open_dead(DLT_EN10MB, CAP_SOURCE_DEFAULT_SNAPLEN);
	struct bpf_program prog;
	int rc = 0;

	if (p == NULL)
		return 0;
	if (pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0)
		rc = usage_error("bad filter \"%s\": %s", filter, pcap_geterr(p));
	else
		pcap_freecode(&prog);
	pcap_close(p);
	return rc;
}

/* Returns 0 to run, 1 when --help/--version was handled, -1 on a usage error. */
static int parse_args(int argc, char **argv, struct opts *o)
{
	int i;
	bool filter_started = false;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *val = NULL;

		/* Options may follow filter words (as with tcpdump and GNU getopt); after "--"
		 * everything is filter. */
		if (filter_started || a[0] != '-' || strcmp(a, "-") == 0) {
			if (add_filter_word(o, a) != 0)
				return -1;
			continue;
		}
		if (strcmp(a, "--") == 0) {
			filter_started = true;
			continue;
		}
		if (a[1] == '-') {
			const char *name = a + 2;
			const char *eq = strchr(name, '=');
			size_t nlen = eq != NULL ? (size_t)(eq - name) : strlen(name);
			bool handled = false;

#define IS(lit) (nlen == strlen(lit) && strncmp(name, lit, nlen) == 0)
			if (IS("help")) {
				usage(stdout);
				return 1;
			}
			if (IS("version")) {
				printf("negcap %s (%s)\n", NEGSCOPE_VERSION, pcap_lib_version());
				return 1;
			}
			if (IS("json") || IS("events") || IS("no-color") || IS("quiet") ||
			    IS("verbose")) {
				if (eq != NULL)
					return usage_error("option --%s takes no value", a + 2);
				if (IS("json"))
					o->json = true;
				else if (IS("events"))
					o->events = true;
				else if (IS("quiet"))
					o->quiet = true;
				else if (IS("verbose"))
					o->verbose = true;
				else
					o->no_color = true;
				continue;
			}
			val = eq != NULL ? eq + 1 : (i + 1 < argc ? argv[i + 1] : NULL);
			if (IS("keylog")) {
				if (val == NULL || val[0] == '\0')
					return usage_error("%s", "option --keylog needs a "
							   "file name");
				if (o->nkeylogs == NEGCAP_MAX_KEYLOGS)
					return usage_error("too many --keylog files (at most %d)",
							   NEGCAP_MAX_KEYLOGS);
				o->keylogs[o->nkeylogs++] = val;
				if (eq == NULL)
					i++;
				continue;
			}
			if (IS("html")) {
				if (val == NULL || val[0] == '\0')
					return usage_error("%s", "option --html needs a file name");
				o->html = val;
				if (eq == NULL)
					i++;
				continue;
			}
			switch (negcap_limit_opt(name, nlen, val, false, &o->plim, &o->alim)) {
			case 1:
				handled = true;
				if (eq == NULL)
					i++;
				break;
			case -1:
				fprintf(stderr, PROG ": try 'negcap --help'\n");
				return -1;
			default:
				break;
			}
#undef IS
			if (!handled)
				return usage_error("unknown option '%s'", a);
			continue;
		}
		/* Short options: -q, -v, -p alone; -r -i -w -c -s -Z take a value (attached or
		 * next). */
		switch (a[1]) {
		case 'h':
			if (a[2] != '\0')
				return usage_error("unknown option '%s'", a);
			usage(stdout);
			return 1;
		case 'q':
		case 'v':
		case 'p':
			if (a[2] != '\0')
				return usage_error("unknown option '%s'", a);
			if (a[1] == 'q')
				o->quiet = true;
			else if (a[1] == 'v')
				o->verbose = true;
			else
				o->promisc = true;
			continue;
		case 'r':
		case 'i':
		case 'w':
		case 'c':
		case 's':
		case 'Z':
			val = a[2] != '\0' ? a + 2 : (i + 1 < argc ? argv[++i] : NULL);
			if (val == NULL)
				return usage_error("option %s needs a value", a);
			break;
		default:
			return usage_error("unknown option '%s'", a);
		}
		switch (a[1]) {
		case 'r':
			if (o->nfiles == MAX_INPUTS)
				return usage_error("too many -r inputs (at most %s)", "256");
			o->files[o->nfiles++] = val;
			break;
		case 'i':
			if (o->iface != NULL)
				return usage_error("only one -i interface (%s given twice)", val);
			o->iface = val;
			break;
		case 'w':
			o->wfile = val;
			break;
		case 'c': {
			uint64_t v;

			if (negcap_parse_size(val, UINT64_MAX, &v) != 0 || v == 0)
				return usage_error("bad packet count '%s' "
						   "(a positive number)", val);
			o->count = v;
			break;
		}
		case 's': {
			uint64_t v;

			if (negcap_parse_size(val, 262144, &v) != 0)
				return usage_error("bad snap length '%s' "
						   "(0 to 262144; 0 = default)", val);
			o->snaplen = (int)v;
			break;
		}
		case 'Z':
			o->user = val;
			break;
		default:
			break;
		}
	}
	if (o->nfiles == 0 && o->iface == NULL)
		return usage_error("%s", "nothing to read: give -r FILE or -i IFACE");
	if (o->nfiles > 0 && o->iface != NULL)
		return usage_error("%s", "-r and -i cannot be used together");
	if (o->wfile != NULL && o->iface == NULL)
		return usage_error("%s", "-w saves a live capture: it needs -i");
	if (o->events && !o->json)
		return usage_error("%s", "--events goes with --json");
	if (o->quiet && o->verbose)
		return usage_error("%s", "-q and -v cannot be used together");
	if (filter_of(o) != NULL && check_filter(filter_of(o)) != 0)
		return -1;
	return 0;
}

static const char *link_name(int linktype)
{
	const char *n = pcap_datalink_val_to_name(linktype);

	return n != NULL ? n : "unknown";
}

/* ---- signals ---- */

static struct cap_source *volatile g_source;
static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
	(void)sig;
	g_stop = 1;
	if (g_source != NULL)
		cap_source_stop(g_source);
}

static void install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/* ---- --json --events hooks ---- */

/* ctx: the run's JSON writer.  A write error sticks in it and is reported at the end. */
static void hook_http(void *ctx, const struct cap_http_fact *f)
{
	(void)cap_report_json_http(ctx, f);
}

static void hook_krb(void *ctx, const struct cap_krb_fact *f)
{
	(void)cap_report_json_krb(ctx, f);
}

/* ---- progress ---- */

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

struct progress {
	bool on;
	bool shown;
	double start, last;
};

static void progress_tick(struct progress *p, const struct cap_source *s)
{
	uint64_t done = 0, total = 0;
	double t = now_s();

	if (!p->on || t - p->last < 0.5 || t - p->start < 1.0)
		return;
	p->last = t;
	p->shown = true;
	if (cap_source_progress(s, &done, &total) == 0 && total > 0)
		fprintf(stderr, "\r" PROG ": %3.0f%%  %llu packets  %llu MB", 100.0 * (double)done /
			(double)total, (unsigned long long)cap_source_packets(s),
			(unsigned long long)(done >> 20));
	else
		fprintf(stderr, "\r" PROG ": %llu packets",
			(unsigned long long)cap_source_packets(s));
}

static void progress_clear(struct progress *p)
{
	if (p->shown)
		fprintf(stderr, "\r\033[K");
	p->shown = false;
}

/* ---- main ---- */


static int drop_privileges(const struct opts *o)
{
	const char *user = o->user;
	char err[256];

	if (user != NULL && strcmp(user, "root") == 0)
		return 0;
	if (user == NULL) {
		if (geteuid() != 0 || o->nfiles > 0)
			return 0;
		user = cap_source_default_user();
		if (user == NULL) {
			fprintf(stderr, PROG ": warning: running as root: no unprivileged user "
					    "(tcpdump, nobody) to drop to; use -Z USER\n");
			return 0;
		}
	}
	if (cap_source_drop_privileges(user, err, sizeof(err)) != 0) {
		fprintf(stderr, PROG ": cannot drop privileges: %s\n", err);
		return -1;
	}
	return 0;
}

/* The --html file, written whole or reported as one line. */
static int write_html(const char *path, const struct cap_analysis *an,
		      const struct cap_pipeline_stats *st, const struct cap_report_input *in)
{
	static char buf[1 << 16];
	FILE *fp = fopen(path, "w");
	int rc, e;

	if (fp == NULL) {
		fprintf(stderr, PROG ": cannot write the HTML report %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	(void)setvbuf(fp, buf, _IOFBF, sizeof(buf));
	errno = 0;
	rc = cap_report_html(fp, an, st, in);
	e = errno;
	if (fclose(fp) != 0 && rc == 0) {
		rc = -1;
		e = errno;
	}
	if (rc != 0)
		fprintf(stderr, PROG ": writing the HTML report %s failed: %s\n", path,
			e != 0 ? strerror(e) : "write error");
	return rc;
}

static int run(struct opts *o)
{
	struct cap_source_opts so;
	struct cap_source *src = NULL;
	struct cap_pipeline *pl = NULL;
	struct cap_analysis *an = NULL;
	struct cap_sink sink;
	struct cap_report_input in;
	struct cap_report_opts ro;
	struct cap_json json;
	struct progress prog;
	struct cap_source_pkt pkt;
	struct cap_tls_keylog *keys = NULL;
	size_t secrets_seen = 0;
	enum cap_source_status status;
	const struct cap_pipeline_stats *st;
	char err[512];
	bool new_input, link_ok = true, any_link_ok = false, dropped = false;
	uint64_t skipped = 0;
	int rc = EXIT_INPUT, linktype, warned_linktype = -2;

	memset(&so, 0, sizeof(so));
	so.snaplen = o->snaplen;
	so.promisc = o->promisc;
	so.filter = filter_of(o);
	so.max_packets = o->count;
	/* Live: packets come in kernel blocks handed over at least every 100 ms (the
	 * source's read timeout), as for tcpdump -w, in a larger ring; immediate mode (a
	 * wake-up per packet, few fixed-size frames) loses most of a fast burst.  Ctrl-C
	 * stays prompt (pcap_breakloop). */
	so.no_immediate = true;
	so.buffer_kib = 16384;
	memset(&in, 0, sizeof(in));
	err[0] = '\0';
	if (o->iface != NULL) {
		if (cap_source_open_live(&src, o->iface, &so, err, sizeof(err)) != 0) {
			fprintf(stderr, PROG ": %s\n", err);
			return EXIT_INPUT;
		}
		if (err[0] != '\0')
			fprintf(stderr, PROG ": warning: %s\n", err);
		in.live = true;
		in.interface = o->iface;
		/* As tcpdump: say when the capture is really running (scripts wait for it). */
		fprintf(stderr, PROG ": listening on %s, link-type %s, snapshot length %d bytes\n",
			o->iface, link_name(cap_source_linktype(src)),
			o->snaplen > 0 ? o->snaplen : CAP_SOURCE_DEFAULT_SNAPLEN);
	} else {
		if (cap_source_open_files(&src, o->files, o->nfiles, &so, err, sizeof(err)) != 0) {
			fprintf(stderr, PROG ": %s\n", err);
			return EXIT_INPUT;
		}
		in.files = (unsigned)o->nfiles;
		in.file_names = o->files;
		in.nfile_names = o->nfiles;
	}
	g_source = src;
	install_signals();
	/* Live: drop root once the device is open, then open the -w file, as tcpdump does.
	 * Files: the source opens each one at its first packet, so the drop waits for the
	 * first packet (below); by default only live captures drop, -Z asks for it. */
	if (in.live) {
		if (drop_privileges(o) != 0)
			goto cleanup;
		if (o->wfile != NULL &&
		    cap_source_start_dump(src, o->wfile, err, sizeof(err)) != 0) {
			fprintf(stderr, PROG ": %s\n", err);
			goto cleanup;
		}
	}
	/* Files open lazily: their link type is known at their first packet. */
	linktype = cap_source_linktype(src);
	if (in.live && !cap_linktype_supported(linktype)) {
		fprintf(stderr, PROG ": %s: link type %d (%s) is not supported\n", o->iface,
			linktype, link_name(linktype));
		goto cleanup;
	}
	an = cap_analysis_new(&o->alim);
	if (an == NULL) {
		fprintf(stderr, PROG ": out of memory\n");
		goto cleanup;
	}
	cap_json_init_file(&json, stdout);
	if (o->json && o->events) {
		struct cap_analysis_hooks h = {&json, hook_http, hook_krb};

		cap_analysis_set_hooks(an, &h);
	}
	cap_analysis_sink(an, &sink);
	pl = cap_pipeline_new(cap_linktype_supported(linktype) ? linktype : DLT_EN10MB, &o->plim,
			      &sink);
	keys = cap_tls_keylog_new(0);
	if (pl == NULL || keys == NULL) {
		fprintf(stderr, PROG ": out of memory\n");
		goto cleanup;
	}
	for (size_t i = 0; i < o->nkeylogs; i++) {
		if (negcap_keylog_load(keys, o->keylogs[i], err, sizeof(err)) != 0) {
			fprintf(stderr, PROG ": %s\n", err);
			goto cleanup;
		}
	}
	cap_pipeline_set_keylog(pl, keys);

	memset(&prog, 0, sizeof(prog));
	prog.on = !in.live && isatty(STDERR_FILENO);
	prog.start = prog.last = now_s();
	while (!g_stop && cap_source_next(src, &pkt, &new_input) == 1) {
		if (!in.live && !dropped) {
			dropped = true;
			if (drop_privileges(o) != 0)
				goto cleanup;
		}
		if (new_input) {
			linktype = cap_source_linktype(src);
			link_ok = cap_pipeline_set_linktype(pl, linktype) == 0;
			if (link_ok) {
				any_link_ok = true;
			} else if (linktype != warned_linktype) {
				/* once, not at every switch between a pcapng file's interfaces */
				warned_linktype = linktype;
				fprintf(stderr, PROG ": warning: link type %d (%s) is not "
					"supported: the packets of that input are counted, "
					"not decoded\n", linktype, link_name(linktype));
			}
		}
		/* Filtered-out and undecodable frames still count, so that frame numbers
		 * are positions in the input, as tshark numbers them. */
		cap_pipeline_skip_frames(pl, pkt.skipped_before);
		if (cap_source_nsecrets(src) != secrets_seen)
			secrets_seen = negcap_keylog_from_source(keys, src, secrets_seen);
		/* A frame of a link type not decoded still goes in, to be counted in the
		 * summary as undecodable (link). */
		if (!link_ok)
			skipped++;
		cap_pipeline_packet(pl, pkt.ts, pkt.data, pkt.caplen, pkt.wirelen);
		if (prog.on && (cap_source_packets(src) & 0x3fff) == 0)
			progress_tick(&prog, src);
	}
	progress_clear(&prog);
	cap_pipeline_finish(pl);
	st = cap_pipeline_stats(pl);
	if (cap_tls_keylog_stats(keys)->bad + cap_tls_keylog_stats(keys)->too_long > 0)
		fprintf(stderr, PROG ": warning: %llu key log lines are not in the NSS key log "
			"format (LABEL CLIENT_RANDOM SECRET, hex): they were skipped\n",
			(unsigned long long)(cap_tls_keylog_stats(keys)->bad +
					     cap_tls_keylog_stats(keys)->too_long));
	status = cap_source_status(src);
	in.interrupted = g_stop != 0;
	if (in.live) {
		uint64_t rcv, drop = 0, ifdrop = 0;

		if (cap_source_live_stats(src, &rcv, &drop, &ifdrop) == 0) {
			in.pcap_dropped = drop;
			in.pcap_if_dropped = ifdrop;
		}
	}
	if (skipped > 0 && !any_link_ok) {
		fprintf(stderr, PROG ": no input has a link type negcap decodes\n");
		rc = EXIT_INPUT;
		goto cleanup;
	}
	if (status == CAP_SRC_ERROR && cap_source_packets(src) == 0) {
		fprintf(stderr, PROG ": %s\n", cap_source_message(src));
		rc = EXIT_INPUT;
		goto cleanup;
	}
	if (status == CAP_SRC_TRUNCATED || status == CAP_SRC_ERROR) {
		char why[600];

		in.truncated = true;
		snprintf(why, sizeof(why), "%s%s",
			 status == CAP_SRC_ERROR ? "reading stopped early: " : "",
			 cap_source_message(src));
		fprintf(stderr, PROG ": warning: %s\n", why);
		cap_analysis_truncated(an, cap_source_packets(src), why);
	}
	cap_analysis_finish(an, st);

	if (o->json) {
		if (o->events)
			(void)cap_report_json_conversations(&json, an);
		if (cap_report_json_findings_and_summary(&json, an, st, &in) != 0)
			fprintf(stderr, PROG ": writing the report failed: %s (%s)\n",
				cap_json_status_name(cap_json_status(&json)), strerror(errno));
	} else {
		const char *nc = getenv("NO_COLOR");

		ro.quiet = o->quiet;
		ro.verbose = o->verbose;
		ro.color = !o->no_color && (nc == NULL || nc[0] == '\0') && isatty(STDOUT_FILENO);
		if (cap_report_text(stdout, an, st, &in, &ro) != 0)
			fprintf(stderr, PROG ": writing the report failed: %s\n", strerror(errno));
	}
	rc = cap_analysis_max_severity(an) >= CAP_SEV_WARNING ? EXIT_FINDINGS : EXIT_CLEAN;
	if (o->html != NULL && write_html(o->html, an, st, &in) != 0)
		rc = EXIT_INPUT;

cleanup:
	g_source = NULL;
	cap_pipeline_free(pl);
	cap_tls_keylog_free(keys);
	cap_analysis_free(an);
	cap_source_close(src);
	return rc;
}

int main(int argc, char **argv)
{
	struct opts o;
	int r;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "--decode") == 0 || strncmp(argv[i], "--decode=", 9) == 0)
			return negcap_decode_main(argc, argv);
	}
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	memset(&o, 0, sizeof(o));
	cap_dynbuf_init(&o.filter, MAX_FILTER - 1);
	r = parse_args(argc, argv, &o);
	if (r != 0) {
		cap_dynbuf_free(&o.filter);
		return r > 0 ? EXIT_CLEAN : EXIT_USAGE;
	}
	r = run(&o);
	cap_dynbuf_free(&o.filter);
	return r;
}
