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

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct pcapf;

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
/* File offset of the next record. */
uint64_t pcapf_offset(const struct pcapf *r);
void pcapf_close(struct pcapf *r);
/* pread() until n bytes are read, the end of the file, or an error (-1, errno set). */
ssize_t pcapf_pread_full(int fd, uint8_t *p, size_t n, uint64_t off);

#endif /* NEGSCOPE_PIPELINE_PCAP_FILE_H */
