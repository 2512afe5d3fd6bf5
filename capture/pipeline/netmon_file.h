/* netmon_file.h - a reader for Microsoft Network Monitor 2.x captures (not public).
 *
 * A Network Monitor file lists its frames in a table at its end, so it is read from a
 * regular file (pread at the table's offsets), not from a pipe or a decompressor.
 */
#ifndef NEGSCOPE_PIPELINE_NETMON_FILE_H
#define NEGSCOPE_PIPELINE_NETMON_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "pipeline/pcap_file.h"

struct netmon;

struct netmon_pkt {
	int64_t sec, nsec;
	const uint8_t *data; /* valid until the next netmon_next() */
	uint32_t caplen, len;
	int dlt;             /* DLT_ of the frame's media type; -1 when none fits */
};

/* True when the first bytes are a Network Monitor 2.x file's magic ("GMBU"). */
int netmon_magic(const uint8_t *head, size_t n);
/* Starts reading the regular file open on fd (not taken over).  Returns 1 with *out set,
 * 0 when it is not a Network Monitor 2.x file, -1 with a message when it is but cannot
 * be read (a cut file has lost its frame table). */
int netmon_open(struct netmon **out, int fd, char *msg, size_t msglen);
enum pcapf_result netmon_next(struct netmon *r, struct netmon_pkt *pkt, char *msg, size_t msglen);
/* Bytes read so far (the frames' ends, in table order). */
uint64_t netmon_offset(const struct netmon *r);
void netmon_close(struct netmon *r);

#endif /* NEGSCOPE_PIPELINE_NETMON_FILE_H */
