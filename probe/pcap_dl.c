/* pcap_dl.c - the pcap_* functions of negprobe, forwarded to a libpcap loaded at run time.
 *
 * The capture library (capture/pipeline/source.c) calls libpcap directly; negcap links it
 * normally.  negprobe defines those functions here instead, so only --capture loads
 * libpcap (dlopen(3), dlsym(3)).  The list is the set of pcap_* symbols the capture library
 * uses: one it starts using and this list lacks fails negprobe's link, not a run.  Each
 * definition is checked against <pcap/pcap.h>'s prototype by the compiler.
 */
#include "pcap_dl.h"

#include <dlfcn.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#ifndef NEGPROBE_PCAP_SONAME
#define NEGPROBE_PCAP_SONAME "libpcap.so.1"
#endif

/* F(return type, name, parameters, arguments) for a function returning a value, V(...) for
 * one returning void. */
#define PCAP_FUNCTIONS(F, V) \
	F(int, pcap_activate, (pcap_t *p), (p)) \
	V(pcap_breakloop, (pcap_t *p), (p)) \
	V(pcap_close, (pcap_t *p), (p)) \
	F(int, pcap_compile, (pcap_t *p, struct bpf_program *fp, const char *s, int opt, \
			      bpf_u_int32 mask), (p, fp, s, opt, mask)) \
	F(pcap_t *, pcap_create, (const char *dev, char *errbuf), (dev, errbuf)) \
	F(int, pcap_datalink, (pcap_t *p), (p)) \
	F(const char *, pcap_datalink_val_to_name, (int dlt), (dlt)) \
	V(pcap_dump, (u_char *d, const struct pcap_pkthdr *h, const u_char *b), (d, h, b)) \
	V(pcap_dump_close, (pcap_dumper_t *d), (d)) \
	F(int, pcap_dump_flush, (pcap_dumper_t *d), (d)) \
	F(pcap_dumper_t *, pcap_dump_open, (pcap_t *p, const char *path), (p, path)) \
	F(FILE *, pcap_file, (pcap_t *p), (p)) \
	F(pcap_t *, pcap_fopen_offline_with_tstamp_precision, (FILE *f, u_int prec, \
							       char *errbuf), (f, prec, errbuf)) \
	V(pcap_freecode, (struct bpf_program *fp), (fp)) \
	F(int, pcap_get_tstamp_precision, (pcap_t *p), (p)) \
	F(char *, pcap_geterr, (pcap_t *p), (p)) \
	F(int, pcap_next_ex, (pcap_t *p, struct pcap_pkthdr **h, const u_char **b), (p, h, b)) \
	F(int, pcap_offline_filter, (const struct bpf_program *fp, const struct pcap_pkthdr *h, \
				     const u_char *b), (fp, h, b)) \
	F(pcap_t *, pcap_open_dead, (int dlt, int snaplen), (dlt, snaplen)) \
	F(int, pcap_set_buffer_size, (pcap_t *p, int n), (p, n)) \
	F(int, pcap_set_immediate_mode, (pcap_t *p, int on), (p, on)) \
	F(int, pcap_set_promisc, (pcap_t *p, int on), (p, on)) \
	F(int, pcap_set_snaplen, (pcap_t *p, int n), (p, n)) \
	F(int, pcap_set_timeout, (pcap_t *p, int ms), (p, ms)) \
	F(int, pcap_set_tstamp_precision, (pcap_t *p, int prec), (p, prec)) \
	F(int, pcap_setfilter, (pcap_t *p, struct bpf_program *fp), (p, fp)) \
	F(int, pcap_snapshot, (pcap_t *p), (p)) \
	F(int, pcap_stats, (pcap_t *p, struct pcap_stat *st), (p, st)) \
	F(const char *, pcap_statustostr, (int status), (status))

#define POINTER_F(ret, name, params, args) static ret(*dl_##name) params;
#define POINTER_V(name, params, args) static void(*dl_##name) params;
PCAP_FUNCTIONS(POINTER_F, POINTER_V)

/* A call before probe_pcap_load() succeeded is a bug in negprobe, not a user's problem. */
static void unloaded(const char *name)
{
	fprintf(stderr, "negprobe: internal error: %s called before libpcap was loaded\n", name);
	abort();
}

#define FORWARD_F(ret, name, params, args) \
	ret name params \
	{ \
		if (dl_##name == NULL) \
			unloaded(#name); \
		return dl_##name args; \
	}
#define FORWARD_V(name, params, args) \
	void name params \
	{ \
		if (dl_##name == NULL) \
			unloaded(#name); \
		dl_##name args; \
	}
PCAP_FUNCTIONS(FORWARD_F, FORWARD_V)

/* dlsym(3) returns an object pointer; POSIX guarantees it converts to the function's type. */
#define RESOLVE_F(ret, name, params, args) \
	if (ok) { \
		sym = dlsym(lib, #name); \
		if (sym == NULL) { \
			snprintf(msg, sizeof(msg), "%s has no %s: libpcap 1.5 or later is needed", \
				 NEGPROBE_PCAP_SONAME, #name); \
			ok = false; \
		} \
		dl_##name = (ret(*) params)sym; \
	}
#define RESOLVE_V(name, params, args) RESOLVE_F(void, name, params, args)

int probe_pcap_load(char *err, size_t errlen)
{
	static int state; /* 0 not tried, 1 loaded, -1 failed (msg says why) */
	static char msg[512];
	void *lib, *sym;
	bool ok = true;

	if (state == 0) {
		lib = dlopen(NEGPROBE_PCAP_SONAME, RTLD_NOW | RTLD_LOCAL);
		if (lib == NULL) {
			snprintf(msg, sizeof(msg), "libpcap could not be loaded (%s); install it "
				 "(Debian: apt-get install libpcap0.8)", dlerror());
			ok = false;
		}
		PCAP_FUNCTIONS(RESOLVE_F, RESOLVE_V)
		state = ok ? 1 : -1;
	}
	if (state < 0)
		snprintf(err, errlen, "%s", msg);
	return state > 0 ? 0 : -1;
}
