/* source.c - packets from capture files or a live interface through libpcap.
 *
 * References: pcap_next_ex(3PCAP) (outcomes and pointer lifetime),
 * pcap_create(3PCAP)/pcap_activate(3PCAP) (two-phase live open, warnings),
 * pcap_breakloop(3PCAP) (safe from a signal handler), tcpdump(8) -Z (drop
 * privileges after opening the device, before opening output files).
 */
#include "negscope/source.h"
#include "pipeline/capformat.h"
#include "pipeline/instream.h"
#include "pipeline/netmon_file.h"
#include "pipeline/pcap_file.h"
#include "pipeline/pcapng_file.h"

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
#define MAX_FILTER_LINKTYPES 16
#define MAX_SNAPLEN_FILTER 262144 /* a pcapng file's link types each get a compiled filter */

/* The filter compiled for one link type of a pcapng file (pcap_open_dead). */
struct typed_filter {
	int dlt;
	struct bpf_program prog;
};

/* One input file as it is being read: by libpcap (p, with the fast classic reader on
 * top for a plain regular file), or by the pcapng reader (ng).  `in` holds the bytes
 * of a pcapng, compressed or standard input. */
struct file_reader {
	pcap_t *p;
	struct instream *in;
	struct pcapng *ng;
	struct netmon *nm;
};

struct cap_source {
	pcap_t *p;                 /* live, or the libpcap reader of this file */
	struct instream *in;
	struct pcapng *ng;         /* this file is pcapng, read by pcapng_file.c */
	struct netmon *nm;         /* this file is Network Monitor 2.x, read by netmon_file.c */
	bool file_open;
	int linktype;              /* DLT_ of the packet returned last (pcapng) */
	struct typed_filter filters[MAX_FILTER_LINKTYPES];
	size_t nfilters;
	struct pcapng_secrets secrets;
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

/* The one line for an input libpcap refuses: what the file is, and what to do. */
static void refused(const char *name, struct instream *in, const uint8_t *head, ssize_t n,
		    const char *perr, char *err, size_t errlen)
{
	const char *fmt = n > 0 ? capformat_name(head, (size_t)n) : NULL;
	const char *codec = instream_codec_name(instream_codec(in));
	char what[PCAP_ERRBUF_SIZE + 160];

	if (n <= 0 && instream_cut(in) != NULL)
		snprintf(what, sizeof(what), "%s before the first packet", instream_cut(in));
	else if (n <= 0)
		snprintf(what, sizeof(what), "empty%s%s: not a capture file", codec[0] ? " " : "",
			 codec);
	else if (fmt != NULL && netmon_magic(head, (size_t)n) && codec[0] != '\0')
		snprintf(what, sizeof(what), "%s compressed with %s: negcap reads one only as a "
			 "plain file (its frame table is at the end); decompress it first",
			 fmt, codec);
	else if (fmt != NULL && netmon_magic(head, (size_t)n) &&
		 strcmp(name, "standard input") == 0)
		snprintf(what, sizeof(what), "%s: negcap reads one only as a plain file (its frame "
			 "table is at the end); give its name instead of standard input", fmt);
	else if (fmt != NULL)
		snprintf(what, sizeof(what), "%s, which negcap does not read; convert it with "
			 "editcap -F pcapng", fmt);
	else if (capformat_is_pcap(head, (size_t)n))
		/* libpcap's reason is about the header it could not take; say so plainly. */
		snprintf(what, sizeof(what), "a pcap file whose header negcap cannot use (%s); "
			 "if tshark opens it, convert it with editcap -F pcapng", perr);
	else
		snprintf(what, sizeof(what), "not a capture file negcap reads (pcap or pcapng, "
			 "plain or gzip/zstd/lz4-compressed); if tshark opens it, convert it with "
			 "editcap -F pcapng");
	set_msg(err, errlen, name, what);
}

/* Libpcap on a stdio stream (NULL when it could not be made: errno says why), which it
 * takes over. */
static pcap_t *open_pcap_stdio(FILE *f, char *perr)
{
	pcap_t *p;

	if (f == NULL) {
		snprintf(perr, PCAP_ERRBUF_SIZE, "%s", strerror(errno));
		return NULL;
	}
	/* A large stdio buffer: far fewer read() calls than libpcap's default
	 * (the buffer must be set before the first read). */
	(void)setvbuf(f, NULL, _IOFBF, READ_BUFFER);
	p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, perr);
	if (p == NULL)
		fclose(f);
	return p;
}

/* Libpcap on a plain regular file by its path (the fast reader uses the descriptor). */
static pcap_t *open_pcap_path(const char *path, char *perr)
{
	return open_pcap_stdio(fopen(path, "rb"), perr);
}

/* Libpcap through the instream: standard input or a decompressed file. */
static pcap_t *open_pcap_stream(struct instream *in, char *perr)
{
	return open_pcap_stdio(instream_fopen(in), perr);
}

static void close_reader(struct file_reader *fr)
{
	pcapng_close(fr->ng);
	netmon_close(fr->nm);
	if (fr->p != NULL)
		pcap_close(fr->p); /* closes its FILE, which reads from fr->in */
	instream_close(fr->in);
	memset(fr, 0, sizeof(*fr));
}

/* Opens one input and checks its header (and the filter against it).  Returns 0 with
 * fr set, or -1 with a one-line message. */
static int open_input(const char *path, const struct cap_source_opts *o,
		      struct pcapng_secrets *secrets, struct file_reader *fr, char *err,
		      size_t errlen)
{
	const char *name = display_name(path);
	char perr[PCAP_ERRBUF_SIZE];
	int r;

	uint8_t head[16];
	ssize_t nhead;

	memset(fr, 0, sizeof(*fr));
	perr[0] = '\0';
	if (instream_open(&fr->in, path, err, errlen) != 0)
		return -1;
	nhead = instream_peek(fr->in, head, sizeof(head)); /* before anything reads */
	r = pcapng_open(&fr->ng, fr->in, secrets, perr, sizeof(perr));
	if (r < 0) {
		set_msg(err, errlen, name, perr);
		close_reader(fr);
		return -1;
	}
	if (r == 0 && strcmp(path, "-") != 0 && instream_regular_fd(fr->in) >= 0) {
		r = nhead > 0 && netmon_magic(head, (size_t)nhead)
			? netmon_open(&fr->nm, instream_regular_fd(fr->in), perr, sizeof(perr)) : 0;
		if (r < 0) {
			set_msg(err, errlen, name, perr);
			close_reader(fr);
			return -1;
		}
	}
	if (r == 0) {
		if (strcmp(path, "-") != 0 && instream_regular_fd(fr->in) >= 0) {
			fr->p = open_pcap_path(path, perr);
			if (fr->p != NULL) {
				instream_close(fr->in);
				fr->in = NULL;
			}
		} else {
			fr->p = open_pcap_stream(fr->in, perr);
		}
		if (fr->p == NULL) {
			refused(name, fr->in, head, nhead, perr[0] ? perr : "cannot open", err,
				errlen);
			close_reader(fr);
			return -1;
		}
	}
	if (o->filter != NULL && o->filter[0] != '\0') {
		/* A pcapng file's link types are known packet by packet: the syntax is
		 * checked here on Ethernet, each link type compiled when it is met. */
		pcap_t *chk = fr->p != NULL ? fr->p
					   : pcap_open_dead(DLT_EN10MB, MAX_SNAPLEN_FILTER);

		r = chk != NULL ? apply_filter(chk, o->filter, false, name, err, errlen) : -1;
		if (chk == NULL)
			set_msg(err, errlen, name, strerror(ENOMEM));
		if (chk != fr->p && chk != NULL)
			pcap_close(chk);
		if (r != 0) {
			close_reader(fr);
			return -1;
		}
	}
	return 0;
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
		struct file_reader fr;

		if (strcmp(paths[i], "-") == 0) {
			if (++nstdin > 1) {
				set_msg(err, errlen, "-", "standard input given more than once");
				free(s);
				return -1;
			}
			continue;
		}
		if (open_input(paths[i], &s->opts, NULL, &fr, err, errlen) != 0) {
			free(s);
			return -1;
		}
		close_reader(&fr);
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
	if (s->ng != NULL || s->nm != NULL)
		return s->linktype;
	return s->p != NULL ? pcap_datalink(s->p) : -1;
}

size_t cap_source_secrets(const struct cap_source *s, size_t i, uint32_t *type,
			  const uint8_t **data)
{
	if (i >= s->secrets.n)
		return 0;
	*type = s->secrets.v[i].type;
	*data = s->secrets.v[i].data;
	return s->secrets.v[i].len;
}

size_t cap_source_nsecrets(const struct cap_source *s)
{
	return s->secrets.n;
}

uint64_t cap_source_secrets_dropped(const struct cap_source *s)
{
	return s->secrets.cap_hits;
}

/* Hands a regular classic pcap file libpcap has opened (and so validated) to the
 * fast reader; anything else stays with libpcap.  -1 when memory runs out. */
static int start_fast(struct cap_source *s)
{
	FILE *f = pcap_file(s->p);
	struct stat sb;
	int snap = pcap_snapshot(s->p);
	int r;

	if (f == NULL || fileno(f) < 0 || fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode) ||
	    snap <= 0)
		return 0;
	r = pcapf_open(&s->fast, fileno(f), (uint32_t)snap);
	return r < 0 ? -1 : 0;
}

/* Opens the next file; false when there is none or it fails. */
static bool next_file(struct cap_source *s)
{
	struct file_reader fr;
	const char *path;

	if (s->next_path >= s->npaths) {
		s->status = s->truncated ? CAP_SRC_TRUNCATED : CAP_SRC_END;
		return false;
	}
	path = s->paths[s->next_path++];
	s->cur_name = display_name(path);
	if (open_input(path, &s->opts, &s->secrets, &fr, s->msg, sizeof(s->msg)) != 0) {
		s->status = CAP_SRC_ERROR;
		return false;
	}
	s->p = fr.p;
	s->in = fr.in;
	s->ng = fr.ng;
	s->nm = fr.nm;
	s->file_open = true;
	s->linktype = -1;
	if (s->p != NULL && s->opts.filter != NULL && s->opts.filter[0] != '\0') {
		/* Checked when the file was opened, so this compiles. */
		if (pcap_compile(s->p, &s->prog, s->opts.filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
			set_msg(s->msg, sizeof(s->msg), s->cur_name, pcap_geterr(s->p));
			s->status = CAP_SRC_ERROR;
			return false;
		}
		s->have_prog = true;
	}
	if (s->p != NULL && s->in == NULL && start_fast(s) != 0) {
		set_msg(s->msg, sizeof(s->msg), s->cur_name, strerror(ENOMEM));
		s->status = CAP_SRC_ERROR;
		return false;
	}
	return true;
}

static void free_filters(struct cap_source *s)
{
	size_t i;

	for (i = 0; i < s->nfilters; i++)
		pcap_freecode(&s->filters[i].prog);
	s->nfilters = 0;
}

static void end_file(struct cap_source *s)
{
	struct stat sb;
	FILE *f = s->p != NULL ? pcap_file(s->p) : NULL;

	if (s->in != NULL)
		s->done_before += instream_raw_offset(s->in);
	else if (f != NULL && fstat(fileno(f), &sb) == 0 && S_ISREG(sb.st_mode))
		s->done_before += (uint64_t)sb.st_size;
	pcapf_close(s->fast);
	s->fast = NULL;
	if (s->have_prog)
		pcap_freecode(&s->prog);
	s->have_prog = false;
	free_filters(s);
	pcapng_close(s->ng);
	s->ng = NULL;
	netmon_close(s->nm);
	s->nm = NULL;
	if (s->p != NULL)
		pcap_close(s->p);
	s->p = NULL;
	instream_close(s->in);
	s->in = NULL;
	s->file_open = false;
}

/* The filter compiled for a pcapng link type: compiled when the type is first met.
 * NULL with the message set when it does not compile for that type. */
static const struct bpf_program *filter_for(struct cap_source *s, int dlt)
{
	struct typed_filter *t;
	pcap_t *dead;
	size_t i;

	for (i = 0; i < s->nfilters; i++)
		if (s->filters[i].dlt == dlt)
			return &s->filters[i].prog;
	if (s->nfilters == MAX_FILTER_LINKTYPES) {
		set_msg(s->msg, sizeof(s->msg), s->cur_name, "more link types than the filter "
			"is compiled for (16); split the file with editcap first");
		return NULL;
	}
	dead = pcap_open_dead(dlt, MAX_SNAPLEN_FILTER);
	if (dead == NULL) {
		set_msg(s->msg, sizeof(s->msg), s->cur_name, strerror(ENOMEM));
		return NULL;
	}
	t = &s->filters[s->nfilters];
	if (pcap_compile(dead, &t->prog, s->opts.filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
		char what[PCAP_ERRBUF_SIZE + 128];

		snprintf(what, sizeof(what), "bad filter \"%s\" for link type %s: %s",
			 s->opts.filter,
			 pcap_datalink_val_to_name(dlt) ? pcap_datalink_val_to_name(dlt)
							: "unknown",
			 pcap_geterr(dead));
		set_msg(s->msg, sizeof(s->msg), s->cur_name, what);
		pcap_close(dead);
		return NULL;
	}
	pcap_close(dead);
	t->dlt = dlt;
	s->nfilters++;
	return &t->prog;
}

/* How a file reader's packet left it: fills the packet or ends the file. */
struct raw_pkt {
	int64_t sec, nsec;
	const uint8_t *data;
	uint32_t caplen, len;
};

/* True when the filter (if any) takes the packet; counts it as skipped otherwise. */
static bool passes(struct cap_source *s, const struct bpf_program *prog, const struct raw_pkt *rp)
{
	struct pcap_pkthdr h;

	if (prog == NULL)
		return true;
	h.ts.tv_sec = (time_t)rp->sec;
	h.ts.tv_usec = (suseconds_t)rp->nsec;
	h.caplen = rp->caplen;
	h.len = rp->len;
	if (pcap_offline_filter(prog, &h, rp->data) != 0)
		return true;
	s->skipped++;
	return false;
}

static void deliver(struct cap_source *s, const struct raw_pkt *rp, struct cap_source_pkt *pkt)
{
	/* As libpcap's fields are combined below (same rounding). */
	pkt->ts = (double)rp->sec + (double)rp->nsec / 1e9;
	pkt->data = rp->data;
	pkt->caplen = rp->caplen;
	pkt->wirelen = rp->len;
	pkt->skipped_before = s->skipped;
	s->skipped = 0;
}

/* After a reader's non-packet result: 0 with the file ended (truncated noted), or -1
 * with the status set to an error. */
static int reader_end(struct cap_source *s, enum pcapf_result r, const char *what)
{
	if (s->in != NULL && instream_cut(s->in) != NULL && r != PCAPF_ERROR)
		r = PCAPF_TRUNCATED, what = instream_cut(s->in);
	if (r == PCAPF_EOF) {
		end_file(s);
		return 0;
	}
	set_msg(s->msg, sizeof(s->msg), s->cur_name, what);
	if (r == PCAPF_TRUNCATED) {
		s->truncated = true;
		end_file(s);
		return 0;
	}
	s->status = CAP_SRC_ERROR;
	return -1;
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
		struct raw_pkt rp;

		if (r != PCAPF_PACKET) {
			*ended_file = reader_end(s, r, what) == 0;
			return 0;
		}
		rp.sec = fp.sec;
		rp.nsec = fp.nsec;
		rp.data = fp.data;
		rp.caplen = fp.caplen;
		rp.len = fp.len;
		if (!passes(s, s->have_prog ? &s->prog : NULL, &rp))
			continue;
		deliver(s, &rp, pkt);
		return 1;
	}
}

/* The next packet of a reader whose packets carry their own link type (pcapng,
 * Network Monitor). */
static enum pcapf_result pull_typed(struct cap_source *s, struct raw_pkt *rp, int *dlt,
				    char *what, size_t whatlen)
{
	enum pcapf_result r;

	if (s->ng != NULL) {
		struct pcapng_pkt np;

		r = pcapng_next(s->ng, &np, what, whatlen);
		rp->sec = np.sec;
		rp->nsec = np.nsec;
		rp->data = np.data;
		rp->caplen = np.caplen;
		rp->len = np.len;
		*dlt = np.dlt;
	} else {
		struct netmon_pkt mp;

		r = netmon_next(s->nm, &mp, what, whatlen);
		rp->sec = mp.sec;
		rp->nsec = mp.nsec;
		rp->data = mp.data;
		rp->caplen = mp.caplen;
		rp->len = mp.len;
		*dlt = mp.dlt;
	}
	return r;
}

/* That reader's next packet that passes the filter, as next_fast; *new_link set when
 * its link type differs from the previous packet's. */
static int next_typed(struct cap_source *s, struct cap_source_pkt *pkt, bool *ended_file,
		      bool *new_link)
{
	char what[PCAP_ERRBUF_SIZE];
	bool filtering = s->opts.filter != NULL && s->opts.filter[0] != '\0';

	*ended_file = false;
	for (;;) {
		const struct bpf_program *prog = NULL;
		struct raw_pkt rp;
		int dlt = -1;
		enum pcapf_result r = pull_typed(s, &rp, &dlt, what, sizeof(what));

		if (r != PCAPF_PACKET) {
			*ended_file = reader_end(s, r, what) == 0;
			return 0;
		}
		if (filtering && dlt < 0) {
			s->skipped++; /* no link type: no filter can take it */
			continue;
		}
		if (filtering && (prog = filter_for(s, dlt)) == NULL) {
			s->status = CAP_SRC_ERROR;
			return 0;
		}
		if (!passes(s, prog, &rp))
			continue;
		if (dlt != s->linktype)
			*new_link = true;
		s->linktype = dlt;
		deliver(s, &rp, pkt);
		return 1;
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
	/* The common case of a plain pcap file read without a filter, straight through:
	 * what next_fast() does, without its steps for the rare cases. */
	if (s->fast != NULL && !s->have_prog && !s->stop &&
	    (s->opts.max_packets == 0 || s->packets < s->opts.max_packets)) {
		struct pcapf_pkt fp;

		if (pcapf_next_quick(s->fast, &fp)) {
			struct raw_pkt rp = {fp.sec, fp.nsec, fp.data, fp.caplen, fp.len};

			deliver(s, &rp, pkt);
			s->packets++;
			return 1;
		}
	}
	/* The same for an Enhanced Packet Block of a pcapng file read without a filter. */
	if (s->ng != NULL && (s->opts.filter == NULL || s->opts.filter[0] == '\0') && !s->stop &&
	    (s->opts.max_packets == 0 || s->packets < s->opts.max_packets)) {
		struct pcapng_pkt np;

		if (pcapng_next_quick(s->ng, &np)) {
			struct raw_pkt rp = {np.sec, np.nsec, np.data, np.caplen, np.len};

			if (np.dlt != s->linktype)
				*new_input = true;
			s->linktype = np.dlt;
			deliver(s, &rp, pkt);
			s->packets++;
			return 1;
		}
	}
	for (;;) {
		if (s->stop || (s->opts.max_packets > 0 && s->packets >= s->opts.max_packets)) {
			s->status = CAP_SRC_STOPPED;
			return 0;
		}
		if (!s->live && !s->file_open) {
			if (!next_file(s))
				return 0;
			*new_input = true;
		}
		if (s->ng != NULL || s->nm != NULL || s->fast != NULL) {
			bool ended;

			r = s->fast != NULL ? next_fast(s, pkt, &ended)
					    : next_typed(s, pkt, &ended, new_input);
			if (r == 1) {
				s->packets++;
				return 1;
			}
			if (!ended)
				return 0;
			continue;
		}
		if (s->p == NULL)
			return 0;
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
			if (reader_end(s, PCAPF_EOF, "") != 0)
				return 0;
			continue;
		}
		/* libpcap says "truncated dump file; tried to read N captured bytes,
		 * only got M" (pcap) or "truncated pcapng dump file" at a cut. */
		if (!s->live && s->in != NULL && instream_cut(s->in) != NULL) {
			(void)reader_end(s, PCAPF_TRUNCATED, instream_cut(s->in));
			continue;
		}
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
	if (s->nm != NULL) {
		*done += netmon_offset(s->nm);
		return 0;
	}
	if (s->in != NULL) {
		*done += instream_raw_offset(s->in);
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
	if (s->live) {
		if (s->p != NULL)
			pcap_close(s->p);
	} else if (s->file_open) {
		end_file(s);
	}
	pcapng_secrets_free(&s->secrets);
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
