/* pcapng_file.h - negcap's own pcapng reader (not public).
 *
 * libpcap reads a pcapng file only when every interface has the link type and snap
 * length of the first, which is not what Wireshark writes when it captures on several
 * interfaces.  This reader takes every interface as it is: packets carry the link type,
 * snap length and time stamp resolution of their own interface.  Blocks are read from
 * an instream (plain or decompressed) into one buffer and packets handed out in place.
 */
#ifndef NEGSCOPE_PIPELINE_PCAPNG_FILE_H
#define NEGSCOPE_PIPELINE_PCAPNG_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pipeline/instream.h"
#include "pipeline/pcap_file.h"

#define PCAPNG_SHB_TYPE 0x0a0d0d0au

/* Decryption Secrets Blocks, kept across every file of a source (they are small). */
struct pcapng_secret {
	uint32_t type; /* e.g. 0x544c534b "TLSK": an NSS key log */
	uint8_t *data;
	size_t len;
};

struct pcapng_secrets {
	struct pcapng_secret *v;
	size_t n, cap;
	size_t bytes;
	uint64_t cap_hits; /* blocks not kept: over PCAPNG_MAX_SECRETS or PCAPNG_MAX_SECRET_BYTES */
};

#define PCAPNG_MAX_SECRETS 256u
#define PCAPNG_MAX_SECRET_BYTES (16u << 20)

void pcapng_secrets_free(struct pcapng_secrets *ss);

struct pcapng_pkt {
	int64_t sec, nsec;   /* as libpcap gives them at nanosecond precision */
	const uint8_t *data; /* valid until the next pcapng_next() */
	uint32_t caplen, len;
	uint32_t iface;      /* interface index within its section */
	uint32_t linktype;   /* that interface's LINKTYPE_ value */
	int dlt;             /* its DLT_ value (pcapng_linktype_to_dlt), -1 when none */
	uint32_t snaplen;    /* that interface's snap length (0 = none declared) */
};

struct pcapng;

/* Starts reading: the first block must be a Section Header Block.  Returns 1 with *out
 * set, 0 when the input is not pcapng (nothing consumed but the peek), -1 with a message
 * when it is pcapng but unreadable (or memory runs out).  Secrets found are appended
 * to *secrets (may be NULL: skipped). */
int pcapng_open(struct pcapng **out, struct instream *in, struct pcapng_secrets *secrets,
		char *msg, size_t msglen);
enum pcapf_result pcapng_next(struct pcapng *r, struct pcapng_pkt *pkt, char *msg, size_t msglen);
/* pcapng_next's common case: a whole, sane Enhanced Packet Block in the window on a known
 * interface.  True with *pkt set; false when pcapng_next must look further (it reads or
 * refuses the block the same way). */
bool pcapng_next_quick(struct pcapng *r, struct pcapng_pkt *pkt);
/* Content bytes consumed so far. */
uint64_t pcapng_offset(const struct pcapng *r);
/* Blocks skipped because of their type (name resolution, statistics, custom...). */
uint64_t pcapng_skipped_blocks(const struct pcapng *r);
void pcapng_close(struct pcapng *r);

/* The DLT_ value libpcap gives for a LINKTYPE_ value (they differ for a few). */
int pcapng_linktype_to_dlt(uint32_t linktype);

#endif /* NEGSCOPE_PIPELINE_PCAPNG_FILE_H */
