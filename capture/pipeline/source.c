/* source.c - packets from capture files or a live interface through libpcap.
 *
 * References: pcap_next_ex(3PCAP) (outcomes and pointer lifetime),
 * pcap_create(3PCAP)/pcap_activate(3PCAP) (two-phase live open, warnings),
 * pcap_breakloop(3PCAP) (safe from a signal handler), tcpdump(8) -Z (drop
 * privileges after opening the device, before opening output files).
 */
#include "negscope/source.h"
#include "pipeline/pcap_file.h"

#include <errno.h>
#include <grp.h>
#include <pcap/pcap.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LIVE_TIMEOUT_MS 100
#define READ_BUFFER (1u << 20)

struct cap_source {
	pcap_t *p;
	struct pcapf *fast;        /* this file is read by pcap_file.c, not libpcap */
	struct bpf_program prog;   /* the filter, applied per packet to files */
	bool have_prog;
	uint64_t skipped;          /* frames the filter rejected since the last packet */
	pcap_dumper_t *dumper;
	bool live;
	bool nano;
	const char *const *paths;
	size_t npaths, next_path;
	const char *cur_name;
	struct cap_source_opts opts;
	uint64_t packets;
	uint64_t done_before;   /* bytes of inputs already read */
	uint64_t total_bytes;
	enum cap_source_status status;
	bool truncated;
	volatile sig_atomic_t stop;
	char msg[PCAP_ERRBUF_SIZE + 256];
};

static void set_msg(char *err, size_t errlen, const char *name, const char *what)
{
	if (errlen > 0)
		snprintf(err, errlen, "%s: %s", name, what);
}

static const char *display_name(const char *path)
{
	return strcmp(path, "-") == 0 ? "standard input" : path;
}

/* Compiles the filter; installs it in libpcap only when `install` (live captures).
 * Files are filtered packet by packet by the source, which counts what it skips. */
static int apply_filter(pcap_t *p, const char *filter, bool install, const char *name,
			char *err, size_t errlen)
{
	struct bpf_program prog;
	char what[PCAP_ERRBUF_SIZE + 64];

	if (filter == NULL || filter[0] == '\0')
		return 0;
	if (pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
		snprintf(what, sizeof(what), "bad filter \"%s\": %s", filter, pcap_geterr(p));
		set_msg(err, errlen, name, what);
		return -1;
	}
	if (install && pcap_setfilter(p, &prog) != 0) {
		snprintf(what, sizeof(what), "cannot set filter: %s", pcap_geterr(p));
		set_msg(err, errlen, name, what);
		pcap_freecode(&prog);
		return -1;
	}
	pcap_freecode(&prog);
	return 0;
}

static pcap_t *open_file(const char *path, const struct cap_source_opts *o, char *err,
			 size_t errlen)
{
	char perr[PCAP_ERRBUF_SIZE];
	pcap_t *p;
	FILE *f;

	perr[0] = '\0';
	f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (f == NULL) {
		set_msg(err, errlen, path, strerror(errno));
		return NULL;
	}
	/* A large stdio buffer: far fewer read() calls than libpcap's default
	 * (the buffer must be set before the first read). */
	(void)setvbuf(f, NULL, _IOFBF, READ_BUFFER);
	p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, perr);
	if (p == NULL) {
		set_msg(err, errlen, display_name(path), perr[0] ? perr : "cannot open");
		if (f != stdin)
			fclose(f);
		return NULL;
	}
	if (apply_filter(p, o->filter, false, display_name(path), err, errlen) != 0) {
		pcap_close(p);
		return NULL;
	}
	return p;
}

int cap_source_open_files(struct cap_source **out, const char *const *paths, size_t npaths,
			  const struct cap_source_opts *o, char *err, size_t errlen)
{
	struct cap_source *s;
	struct cap_source_opts none;
	size_t i, nstdin = 0;

	*out = NULL;
	if (npaths == 0) {
		set_msg(err, errlen, "input", "no capture file given");
		return -1;
	}
	memset(&none, 0, sizeof(none));
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		set_msg(err, errlen, "input", strerror(ENOMEM));
		return -1;
	}
	s->opts = o != NULL ? *o : none;
	s->paths = paths;
	s->npaths = npaths;
	/* Check every file now (libpcap reads the header), so that a bad second
	 * file is reported before the first is analysed.  Standard input cannot
	 * be opened twice: it is checked when reached. */
	for (i = 0; i < npaths; i++) {
		struct stat sb;
		pcap_t *p;

		if (strcmp(paths[i], "-") == 0) {
			if (++nstdin > 1) {
				set_msg(err, errlen, "-", "standard input given more than once");
				free(s);
				return -1;
			}
			continue;
		}
		p = open_file(paths[i], &s->opts, err, errlen);
		if (p == NULL) {
			free(s);
			return -1;
		}
		pcap_close(p);
		if (stat(paths[i], &sb) == 0 && S_ISREG(sb.st_mode))
			s->total_bytes += (uint64_t)sb.st_size;
	}
	s->nano = true;
	*out = s;
	if (errlen > 0)
		err[0] = '\0';
	return 0;
}

int cap_source_open_live(struct cap_source **out, const char *iface,
			 const struct cap_source_opts *o, char *err, size_t errlen)
{
	char perr[PCAP_ERRBUF_SIZE];
	struct cap_source *s;
	struct cap_source_opts none;
	pcap_t *p;
	int r;

	*out = NULL;
	memset(&none, 0, sizeof(none));
	if (o == NULL)
		o = &none;
	perr[0] = '\0';
	p = pcap_create(iface, perr);
	if (p == NULL) {
		set_msg(err, errlen, iface, perr);
		return -1;
	}
	pcap_set_snaplen(p, o->snaplen > 0 ? o->snaplen : CAP_SOURCE_DEFAULT_SNAPLEN);
	pcap_set_promisc(p, o->promisc ? 1 : 0);
	pcap_set_timeout(p, LIVE_TIMEOUT_MS);
	if (!o->no_immediate)
		pcap_set_immediate_mode(p, 1);
	if (o->buffer_kib > 0)
		pcap_set_buffer_size(p, o->buffer_kib * 1024);
	/* Nanoseconds when the platform has them; microseconds are fine too. */
	(void)pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO);
	r = pcap_activate(p);
	if (r < 0) {
		char what[PCAP_ERRBUF_SIZE + 64];

		if (r == PCAP_ERROR_PERM_DENIED)
			snprintf(what, sizeof(what), "permission denied (run as root or with "
				 "CAP_NET_RAW): %s", pcap_geterr(p));
		else if (r == PCAP_ERROR_NO_SUCH_DEVICE)
			snprintf(what, sizeof(what), "no such interface: %s", pcap_geterr(p));
		else
			snprintf(what, sizeof(what), "%s%s%s", pcap_statustostr(r),
				 pcap_geterr(p)[0] ? ": " : "", pcap_geterr(p));
		set_msg(err, errlen, iface, what);
		pcap_close(p);
		return -1;
	}
	if (apply_filter(p, o->filter, true, iface, err, errlen) != 0) {
		pcap_close(p);
		return -1;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		set_msg(err, errlen, iface, strerror(ENOMEM));
		pcap_close(p);
		return -1;
	}
	s->p = p;
	s->live = true;
	s->opts = *o;
	s->cur_name = iface;
	s->nano = pcap_get_tstamp_precision(p) == PCAP_TSTAMP_PRECISION_NANO;
	if (errlen > 0)
		err[0] = '\0';
	if (r > 0)
		set_msg(err, errlen, iface, pcap_statustostr(r));
	*out = s;
	return 0;
}

int cap_source_start_dump(struct cap_source *s, const char *path, char *err, size_t errlen)
{
	if (!s->live || s->p == NULL) {
		set_msg(err, errlen, path, "writing packets needs a live capture");
		return -1;
	}
	s->dumper = pcap_dump_open(s->p, path);
	if (s->dumper == NULL) {
		set_msg(err, errlen, path, pcap_geterr(s->p));
		return -1;
	}
	return 0;
}

int cap_source_linktype(const struct cap_source *s)
{
	return s->p != NULL ? pcap_datalink(s->p) : -1;
}

/* Hands a regular classic pcap file libpcap has opened (and so validated) to the
 * fast reader; anything else stays with libpcap.  -1 when memory runs out. */
static int start_fast(struct cap_source *s)
{
	FILE *f = pcap_file(s->p);
	struct stat sb;
	int snap = pcap_snapshot(s->p);
	int r;

	if (f == NULL || fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode) || snap <= 0)
		return 0;
	r = pcapf_open(&s->fast, fileno(f), (uint32_t)snap);
	return r < 0 ? -1 : 0;
}

/* Opens the next file; false when there is none or it fails. */
static bool next_file(struct cap_source *s)
{
	const char *path;

	if (s->next_path >= s->npaths) {
		s->status = s->truncated ? CAP_SRC_TRUNCATED : CAP_SRC_END;
		return false;
	}
	path = s->paths[s->next_path++];
	s->cur_name = display_name(path);
	s->p = open_file(path, &s->opts, s->msg, sizeof(s->msg));
	if (s->p == NULL) {
		s->status = CAP_SRC_ERROR;
		return false;
	}
	if (s->opts.filter != NULL && s->opts.filter[0] != '\0') {
		/* Checked when the file was opened, so this compiles. */
		if (pcap_compile(s->p, &s->prog, s->opts.filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
			set_msg(s->msg, sizeof(s->msg), s->cur_name, pcap_geterr(s->p));
			s->status = CAP_SRC_ERROR;
			return false;
		}
		s->have_prog = true;
	}
	if (strcmp(path, "-") != 0 && start_fast(s) != 0) {
		set_msg(s->msg, sizeof(s->msg), s->cur_name, strerror(ENOMEM));
		s->status = CAP_SRC_ERROR;
		return false;
	}
	return true;
}

static void end_file(struct cap_source *s)
{
	struct stat sb;
	FILE *f = pcap_file(s->p);

	if (f != NULL && fstat(fileno(f), &sb) == 0 && S_ISREG(sb.st_mode))
		s->done_before += (uint64_t)sb.st_size;
	pcapf_close(s->fast);
	s->fast = NULL;
	if (s->have_prog)
		pcap_freecode(&s->prog);
	s->have_prog = false;
	pcap_close(s->p);
	s->p = NULL;
}

/* The fast reader's next packet that passes the filter: 1, or 0 at the end of this
 * file (ended_file set) or on an error (status set). */
static int next_fast(struct cap_source *s, struct cap_source_pkt *pkt, bool *ended_file)
{
	struct pcapf_pkt fp;
	char what[PCAP_ERRBUF_SIZE];

	*ended_file = false;
	for (;;) {
		enum pcapf_result r = pcapf_next(s->fast, &fp, what, sizeof(what));

		if (r == PCAPF_PACKET) {
			if (s->have_prog) {
				struct pcap_pkthdr h;

				h.ts.tv_sec = (time_t)fp.sec;
				h.ts.tv_usec = (suseconds_t)fp.nsec;
				h.caplen = fp.caplen;
				h.len = fp.len;
				if (pcap_offline_filter(&s->prog, &h, fp.data) == 0) {
					s->skipped++;
					continue;
				}
			}
			/* As libpcap's fields are combined below (same rounding). */
			pkt->ts = (double)fp.sec + (double)fp.nsec / 1e9;
			pkt->data = fp.data;
			pkt->caplen = fp.caplen;
			pkt->wirelen = fp.len;
			pkt->skipped_before = s->skipped;
			s->skipped = 0;
			return 1;
		}
		if (r == PCAPF_EOF) {
			end_file(s);
			*ended_file = true;
			return 0;
		}
		set_msg(s->msg, sizeof(s->msg), s->cur_name, what);
		if (r == PCAPF_TRUNCATED) {
			s->truncated = true;
			end_file(s);
			*ended_file = true;
			return 0;
		}
		s->status = CAP_SRC_ERROR;
		return 0;
	}
}

int cap_source_next(struct cap_source *s, struct cap_source_pkt *pkt, bool *new_input)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	int r;

	*new_input = false;
	if (s->status != CAP_SRC_MORE)
		return 0;
	for (;;) {
		if (s->stop || (s->opts.max_packets > 0 && s->packets >= s->opts.max_packets)) {
			s->status = CAP_SRC_STOPPED;
			return 0;
		}
		if (s->p == NULL) {
			if (s->live || !next_file(s))
				return 0;
			*new_input = true;
		}
		if (s->fast != NULL) {
			bool ended;

			if (next_fast(s, pkt, &ended) == 1) {
				s->packets++;
				return 1;
			}
			if (!ended)
				return 0;
			continue;
		}
		r = pcap_next_ex(s->p, &h, &data);
		if (r == 1 && s->have_prog && !s->live &&
		    pcap_offline_filter(&s->prog, h, data) == 0) {
			s->skipped++;
			continue;
		}
		if (r == 1) {
			pkt->ts = (double)h->ts.tv_sec +
				  (double)h->ts.tv_usec / (s->nano ? 1e9 : 1e6);
			pkt->data = data;
			pkt->caplen = h->caplen;
			pkt->wirelen = h->len;
			pkt->skipped_before = s->skipped;
			s->skipped = 0;
			s->packets++;
			if (s->dumper != NULL)
				pcap_dump((u_char *)s->dumper, h, data);
			return 1;
		}
		if (r == 0) { /* live read timeout: a chance to see the stop flag */
			if (s->dumper != NULL)
				pcap_dump_flush(s->dumper);
			continue;
		}
		if (r == PCAP_ERROR_BREAK) {
			if (s->live) {
				s->status = CAP_SRC_STOPPED;
				return 0;
			}
			end_file(s);
			continue;
		}
		/* libpcap says "truncated dump file; tried to read N captured bytes,
		 * only got M" (pcap) or "truncated pcapng dump file" at a cut. */
		set_msg(s->msg, sizeof(s->msg), s->cur_name, pcap_geterr(s->p));
		if (!s->live && strstr(pcap_geterr(s->p), "truncated") != NULL) {
			s->truncated = true;
			end_file(s);
			continue;
		}
		s->status = CAP_SRC_ERROR;
		return 0;
	}
}

enum cap_source_status cap_source_run(struct cap_source *s, struct cap_pipeline *pl)
{
	struct cap_source_pkt pkt;
	bool fresh;

	while (cap_source_next(s, &pkt, &fresh) == 1) {
		if (fresh)
			(void)cap_pipeline_set_linktype(pl, cap_source_linktype(s));
		cap_pipeline_skip_frames(pl, pkt.skipped_before);
		cap_pipeline_packet(pl, pkt.ts, pkt.data, pkt.caplen, pkt.wirelen);
	}
	return s->status;
}

enum cap_source_status cap_source_status(const struct cap_source *s)
{
	return s->status;
}

const char *cap_source_message(const struct cap_source *s)
{
	return s->msg;
}

uint64_t cap_source_packets(const struct cap_source *s)
{
	return s->packets;
}

int cap_source_progress(const struct cap_source *s, uint64_t *done, uint64_t *total)
{
	FILE *f;
	off_t pos;

	if (s->live)
		return -1;
	*done = s->done_before;
	*total = s->total_bytes;
	if (s->fast != NULL) {
		*done += pcapf_offset(s->fast);
		return 0;
	}
	f = s->p != NULL ? pcap_file(s->p) : NULL;
	if (f != NULL && (pos = ftello(f)) > 0)
		*done += (uint64_t)pos;
	return 0;
}

int cap_source_live_stats(const struct cap_source *s, uint64_t *received, uint64_t *dropped,
			  uint64_t *if_dropped)
{
	struct pcap_stat ps;

	if (!s->live || s->p == NULL || pcap_stats(s->p, &ps) != 0)
		return -1;
	*received = ps.ps_recv;
	*dropped = ps.ps_drop;
	*if_dropped = ps.ps_ifdrop;
	return 0;
}

void cap_source_stop(struct cap_source *s)
{
	s->stop = 1;
	if (s->live && s->p != NULL)
		pcap_breakloop(s->p);
}

void cap_source_close(struct cap_source *s)
{
	if (s == NULL)
		return;
	if (s->dumper != NULL)
		pcap_dump_close(s->dumper);
	pcapf_close(s->fast);
	if (s->have_prog)
		pcap_freecode(&s->prog);
	if (s->p != NULL)
		pcap_close(s->p);
	free(s);
}

int cap_source_drop_privileges(const char *user, char *err, size_t errlen)
{
	struct passwd *pw;

	errno = 0;
	pw = getpwnam(user);
	if (pw == NULL) {
		set_msg(err, errlen, user, errno ? strerror(errno) : "no such user");
		return -1;
	}
	/* Groups first: once the uid is gone, they cannot be changed. */
	if (initgroups(pw->pw_name, pw->pw_gid) != 0 || setgid(pw->pw_gid) != 0 ||
	    setuid(pw->pw_uid) != 0) {
		set_msg(err, errlen, user, strerror(errno));
		return -1;
	}
	if (pw->pw_uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
		set_msg(err, errlen, user, "root privileges could be regained after dropping them");
		return -1;
	}
	return 0;
}

const char *cap_source_default_user(void)
{
	if (getpwnam("tcpdump") != NULL)
		return "tcpdump";
	if (getpwnam("nobody") != NULL)
		return "nobody";
	return NULL;
}
