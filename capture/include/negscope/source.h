/* source.h - where packets come from: capture files or a live interface (libpcap).
 *
 * Files: pcap and pcapng, microsecond or nanosecond timestamps, several in
 * order (frame numbers continue across them), "-" for standard input, each
 * plain or compressed with gzip, zstd or lz4 (recognised by magic number).  A
 * regular classic pcap file is read by pipeline/pcap_file.c in large chunks
 * (libpcap still validates its header and compiles the filter); pcapng is
 * read by pipeline/pcapng_file.c (every interface with its own link type,
 * snap length and time stamp resolution; the filter compiled per link type);
 * a Microsoft Network Monitor 2.x file (plain, named: its frame table is at
 * its end) by pipeline/netmon_file.c; other classic pcap input (piped,
 * decompressed) goes through libpcap.  An
 * input negcap does not read is refused with a message that names its format
 * and says how to convert it.  A
 * file that ends in the middle of a record ("truncated dump file") is not
 * an error: every packet before the cut is delivered, reading goes on with
 * the next file, and the result says CAP_SRC_TRUNCATED so the caller can
 * report it.  Live: pcap_create/pcap_activate with a snap length,
 * promiscuous mode off unless asked, immediate mode unless asked otherwise
 * (negcap asks: buffered blocks keep up with fast traffic; the probe keeps it
 * for prompt delivery), an optional BPF filter, an optional dump of the raw
 * packets.  cap_source_stop() is safe to call
 * from a signal handler.
 *
 * Messages are one line, name what failed and come from libpcap or the
 * system where they know better; the caller decides exit codes.
 */
#ifndef NEGSCOPE_SOURCE_H
#define NEGSCOPE_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "negscope/pipeline.h"

#define CAP_SOURCE_DEFAULT_SNAPLEN 262144

struct cap_source_opts {
	int snaplen;          /* live: bytes kept per packet; 0 = CAP_SOURCE_DEFAULT_SNAPLEN */
	bool promisc;         /* live: promiscuous mode; off by default */
	bool no_immediate;    /* live: immediate mode is on unless this is set */
	int buffer_kib;       /* live: kernel buffer; 0 = libpcap's default */
	const char *filter;   /* BPF expression for files and live; NULL = everything */
	uint64_t max_packets; /* stop after this many packets (-c); 0 = no limit */
};

enum cap_source_status {
	CAP_SRC_MORE = 0,  /* not finished yet */
	CAP_SRC_END,       /* every input read to its end */
	CAP_SRC_STOPPED,   /* cap_source_stop() or the packet count reached */
	CAP_SRC_TRUNCATED, /* every input read, but one ended mid-record: see the message */
	CAP_SRC_ERROR      /* reading failed: see the message; packets before it were delivered */
};

struct cap_source_pkt {
	double ts; /* seconds since the epoch, nanosecond precision when the input has it */
	const uint8_t *data; /* valid until the next cap_source_next() */
	size_t caplen, wirelen;
	/* Frames of the input read since the previous packet returned that the filter
	 * rejected: give them to cap_pipeline_skip_frames() so frame numbers stay the
	 * input's own positions, as tshark numbers them.  Always 0 for live captures,
	 * where the kernel applies the filter. */
	uint64_t skipped_before;
};

struct cap_source;

/* Opens capture files (or "-" for standard input) to be read in order.
 * Every named file is checked here, so an unreadable one fails before any
 * packet is read.  Returns 0, or -1 with a message in err. */
int cap_source_open_files(struct cap_source **out, const char *const *paths, size_t npaths,
			  const struct cap_source_opts *o, char *err, size_t errlen);
/* Opens a live capture on an interface.  Returns 0, or -1 with a message.
 * A warning from libpcap (e.g. promiscuous mode not supported) is returned
 * in err with 0; err is "" otherwise. */
int cap_source_open_live(struct cap_source **out, const char *iface,
			 const struct cap_source_opts *o, char *err, size_t errlen);
/* Live: also writes every packet read to `path` (pcap), as tcpdump -w.
 * Call it after dropping privileges, as tcpdump opens its output then. */
int cap_source_start_dump(struct cap_source *s, const char *path, char *err, size_t errlen);

/* The DLT_* of the packet read last (of the input being read now; a pcapng file's
 * interfaces may each have their own). */
int cap_source_linktype(const struct cap_source *s);
/* Decryption Secrets Blocks of the pcapng inputs read so far (e.g. TLS key logs put
 * in by editcap --inject-secrets), in file order: the length of the i-th with *type
 * (0x544c534b "TLSK" for an NSS key log) and *data set, 0 past the last.  The data
 * stay valid until cap_source_close().  At most 256 blocks and 16 MiB are kept; the
 * blocks over that are counted by cap_source_secrets_dropped(). */
size_t cap_source_secrets(const struct cap_source *s, size_t i, uint32_t *type,
			  const uint8_t **data);
size_t cap_source_nsecrets(const struct cap_source *s);
uint64_t cap_source_secrets_dropped(const struct cap_source *s);
/* Reads the next packet: 1 with *pkt filled, 0 when finished (see
 * cap_source_status).  *new_input is set true when this packet is the first
 * of a new file, or its link type differs from the previous packet's (a pcapng
 * file with interfaces of several link types): cap_source_linktype() says it. */
int cap_source_next(struct cap_source *s, struct cap_source_pkt *pkt, bool *new_input);
/* Feeds every packet to the pipeline (switching link types between files)
 * and returns how reading ended.  Does not call cap_pipeline_finish. */
enum cap_source_status cap_source_run(struct cap_source *s, struct cap_pipeline *pl);
enum cap_source_status cap_source_status(const struct cap_source *s);
/* The truncation or error message, "" when none ("FILE: libpcap's words"). */
const char *cap_source_message(const struct cap_source *s);
/* Packets read so far. */
uint64_t cap_source_packets(const struct cap_source *s);
/* Files: bytes read and total bytes of every input (total 0 when unknown,
 * as for a pipe).  Returns -1 for a live source. */
int cap_source_progress(const struct cap_source *s, uint64_t *done, uint64_t *total);
/* Live: packets received and dropped by the kernel/interface (pcap_stats). */
int cap_source_live_stats(const struct cap_source *s, uint64_t *received, uint64_t *dropped,
			  uint64_t *if_dropped);
/* Ends reading soon; safe in a signal handler (pcap_breakloop). */
void cap_source_stop(struct cap_source *s);
void cap_source_close(struct cap_source *s);

/* Drops root for `user` (groups, gid, uid) and checks root cannot be
 * regained.  Returns 0, or -1 with a message. */
int cap_source_drop_privileges(const char *user, char *err, size_t errlen);
/* The unprivileged user to drop to by default when started as root, as
 * tcpdump does: "tcpdump" when it exists, else "nobody"; NULL when neither. */
const char *cap_source_default_user(void);

#endif /* NEGSCOPE_SOURCE_H */
