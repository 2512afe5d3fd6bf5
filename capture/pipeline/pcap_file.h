/* pcap_file.h - a fast reader for classic pcap files (not public).
 *
 * libpcap reads a savefile through stdio and copies every packet once more
 * into its own buffer; on a multi-gigabyte capture that is most of the cost
 * of reading.  This reader takes large pread() chunks of a regular file and
 * hands out packets in place.  It handles only the plain form (version 2.4,
 * micro- or nanosecond magic, either byte order, no FCS bits in the link
 * type); source.c keeps libpcap for everything else (pcapng, pipes, odd
 * headers).  Its messages and timestamps are libpcap 1.10's, so which reader
 * ran never shows in the output.
 */
#ifndef NEGSCOPE_PIPELINE_PCAP_FILE_H
#define NEGSCOPE_PIPELINE_PCAP_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "negscope/cursor.h"
#include "pipeline/readahead.h"

#define PCAPF_MAX_SANE 262144u /* libpcap's MAXIMUM_SNAPLEN, the limit for our link types */
#define PCAPF_RECORD_HEADER 16u

/* Here rather than opaque so that the common case (pcapf_next_quick) is inlined into the
 * source's loop: it runs for every packet of a multi-gigabyte file. */
struct pcapf {
	int fd;
	bool swapped, nano;
	uint32_t snapshot;
	uint64_t pos;          /* file offset of the next unread byte */
	uint64_t fill_off;     /* file offset of the next byte to read (the filler's own) */
	struct readahead ra;    /* unread bytes, the first at file offset pos */
};

struct pcapf_pkt {
	int64_t sec, nsec;   /* as libpcap gives them: 32-bit fields widened its way, nsec
			      * scaled from microseconds when the file has those */
	const uint8_t *data; /* valid until the next pcapf_next() */
	uint32_t caplen, len;
};

enum pcapf_result {
	PCAPF_PACKET = 1,
	PCAPF_EOF = 0,
	PCAPF_TRUNCATED = -1, /* the file ends inside a record: msg says where */
	PCAPF_ERROR = -2      /* a read failed or a record is insane: msg says why */
};

/* Starts reading the regular file open on fd (not taken over) whose header libpcap
 * already accepted with this snapshot length and link type (the raw LINKTYPE_ value of
 * the header).  Returns 1 with *out set, 0 when the file is not one this reader takes
 * (the caller keeps libpcap), -1 when memory runs out. */
int pcapf_open(struct pcapf **out, int fd, uint32_t snapshot);
enum pcapf_result pcapf_next(struct pcapf *r, struct pcapf_pkt *pkt, char *msg, size_t msglen);

/* A 32-bit field of a record header the cursor has already bounded. */
static inline uint32_t pcapf_u32_at(const uint8_t *b, bool swapped)
{
	uint32_t le = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
		      (uint32_t)b[3] << 24;

	return swapped ? __builtin_bswap32(le) : le;
}

/* A time stamp field as libpcap 1.10 widens it: sign-extended from 32 bits in the
 * file's own byte order, zero-extended when it had to swap the bytes (SWAPLONG is
 * unsigned there). */
static inline int64_t pcapf_ts_field(const uint8_t *b, bool swapped)
{
	uint32_t v = pcapf_u32_at(b, swapped);

	return swapped ? (int64_t)v : (int64_t)(int32_t)v;
}

/* pcapf_next's common case: the whole next record is in the window and within the
 * snapshot length.  True with *pkt set; false when pcapf_next must look further (more
 * bytes to read, the end, a cut or insane record). */
static inline bool pcapf_next_quick(struct pcapf *r, struct pcapf_pkt *pkt)
{
	struct cap_cursor c = cap_cur_init(r->ra.buf + r->ra.start, r->ra.end - r->ra.start);
	const uint8_t *hb = cap_cur_bytes(&c, PCAPF_RECORD_HEADER);
	uint32_t caplen;

	if (hb == NULL)
		return false;
	caplen = pcapf_u32_at(hb + 8, r->swapped);
	if (caplen > r->snapshot || caplen > PCAPF_MAX_SANE || cap_cur_left(&c) < caplen)
		return false;
	pkt->sec = pcapf_ts_field(hb, r->swapped);
	pkt->nsec = pcapf_ts_field(hb + 4, r->swapped) * (r->nano ? 1 : 1000);
	pkt->data = hb + PCAPF_RECORD_HEADER;
	pkt->caplen = caplen;
	pkt->len = pcapf_u32_at(hb + 12, r->swapped);
	r->pos += PCAPF_RECORD_HEADER + (size_t)caplen;
	r->ra.start += PCAPF_RECORD_HEADER + (size_t)caplen;
	return true;
}
/* File offset of the next record. */
uint64_t pcapf_offset(const struct pcapf *r);
void pcapf_close(struct pcapf *r);
/* pread() until n bytes are read, the end of the file, or an error (-1, errno set). */
ssize_t pcapf_pread_full(int fd, uint8_t *p, size_t n, uint64_t off);

#endif /* NEGSCOPE_PIPELINE_PCAP_FILE_H */
