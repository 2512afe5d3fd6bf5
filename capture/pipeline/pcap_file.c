/* pcap_file.c - classic pcap records read in large chunks, packets handed out in place.
 *
 * Reference: pcap-savefile(5) / draft-ietf-opsawg-pcap (file header, record header,
 * magic 0xa1b2c3d4 microseconds and 0xa1b23c4d nanoseconds, either byte order), and
 * libpcap 1.10's sf-pcap.c behaviour, which this reproduces for the forms it takes:
 * 32-bit time stamp fields widened its way, a record over the snapshot length cut to
 * it, over 262144 bytes an error, the same "truncated dump file" messages.
 *
 * Why pread() into one buffer rather than a mapping: the copy leaves the bytes in the
 * CPU cache where the pipeline reads them next, whereas mapped bytes come from memory
 * at every packet (measured slower here even with prefetching), and a mapped file that
 * shrinks while it is read (a ring of capture files rewritten in place) kills the
 * process with SIGBUS where a read just comes up short.  A large file is read ahead on a
 * second thread (readahead.h): the kernel's copy then costs the analysing core nothing.
 */
#include "pipeline/pcap_file.h"
#include "pipeline/readahead.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "negscope/cursor.h"

/* Bytes per read: far fewer system calls than stdio's 4 KiB, and small enough that
 * what the kernel just copied is still in the CPU cache when it is parsed. */
#define CHUNK (256u << 10)
#define MAX_SANE PCAPF_MAX_SANE
#define FILE_HEADER 24u
#define RECORD_HEADER PCAPF_RECORD_HEADER

static uint32_t rd32(struct cap_cursor *c, bool swapped)
{
	return swapped ? cap_cur_be32(c) : cap_cur_le32(c);
}

/* Link types whose libpcap size limit is MAX_SANE and that need no pseudo-header
 * byte swapping (LINKTYPE_NULL, ETHERNET, RAW, LOOP, LINUX_SLL, IPV4, IPV6, SLL2). */
static bool plain_linktype(uint32_t lt)
{
	switch (lt) {
	case 0: case 1: case 101: case 108: case 113: case 228: case 229: case 276:
		return true;
	default:
		return false;
	}
}

ssize_t pcapf_pread_full(int fd, uint8_t *p, size_t n, uint64_t off)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = pread(fd, p + got, n - got, (off_t)(off + got));

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

/* The window's refill: the file's next bytes (on the reading thread when there is one,
 * which alone then touches fill_off). */
static ssize_t pcapf_fill(void *ctx, uint8_t *dst, size_t room)
{
	struct pcapf *r = ctx;
	ssize_t n = pcapf_pread_full(r->fd, dst, room, r->fill_off);

	if (n > 0)
		r->fill_off += (uint64_t)n;
	return n;
}

int pcapf_open(struct pcapf **out, int fd, uint32_t snapshot)
{
	uint8_t h[FILE_HEADER];
	struct cap_cursor c;
	struct pcapf *r;
	struct stat sb;
	uint32_t magic, lt;
	uint16_t major, minor;
	bool swapped, nano;

	*out = NULL;
	if (pcapf_pread_full(fd, h, sizeof(h), 0) != (ssize_t)sizeof(h))
		return 0;
	c = cap_cur_init(h, sizeof(h));
	magic = cap_cur_le32(&c);
	if (magic == 0xa1b2c3d4u || magic == 0xa1b23c4du)
		swapped = false;
	else if (magic == 0xd4c3b2a1u || magic == 0x4d3cb2a1u)
		swapped = true;
	else
		return 0;
	nano = magic == 0xa1b23c4du || magic == 0x4d3cb2a1u;
	major = swapped ? cap_cur_be16(&c) : cap_cur_le16(&c);
	minor = swapped ? cap_cur_be16(&c) : cap_cur_le16(&c);
	cap_cur_skip(&c, 12); /* thiszone, sigfigs, snaplen (libpcap's adjusted value is given) */
	lt = rd32(&c, swapped);
	/* Version 2.4 only: older files may have caplen and len swapped. */
	if (!cap_cur_ok(&c) || major != 2 || minor != 4 || !plain_linktype(lt) || snapshot == 0)
		return 0;
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return -1;
	r->fd = fd;
	r->swapped = swapped;
	r->nano = nano;
	r->snapshot = snapshot;
	r->pos = FILE_HEADER;
	r->fill_off = FILE_HEADER;
	if (readahead_init(&r->ra, CHUNK) != 0) {
		free(r);
		return -1;
	}
	if (fstat(fd, &sb) == 0 && sb.st_size >= READAHEAD_THREAD_MIN)
		readahead_start_thread(&r->ra, pcapf_fill, r);
	*out = r;
	return 1;
}

/* Makes at least `need` unread bytes present when the file has them: *p points at
 * them; returns how many of the `need` are there (fewer at the end of the file), or -1
 * on a read error. */
static ssize_t want(struct pcapf *r, size_t need, const uint8_t **p)
{
	return readahead_want(&r->ra, need, pcapf_fill, r, p);
}

static void advance(struct pcapf *r, size_t n)
{
	r->pos += n;
	r->ra.start += n;
}

enum pcapf_result pcapf_next(struct pcapf *r, struct pcapf_pkt *pkt, char *msg, size_t msglen)
{
	struct cap_cursor c;
	const uint8_t *hb, *p;
	uint32_t caplen, len, keep;
	int64_t sec, frac;
	ssize_t have;
	size_t body;

	if (pcapf_next_quick(r, pkt))
		return PCAPF_PACKET;
	have = want(r, RECORD_HEADER, &p);
	if (have < 0)
		goto read_error;
	if (have == 0)
		return PCAPF_EOF;
	if ((size_t)have < RECORD_HEADER) {
		snprintf(msg, msglen, "truncated dump file; tried to read %zu header bytes, only got %zu",
			 (size_t)RECORD_HEADER, (size_t)have);
		return PCAPF_TRUNCATED;
	}
	c = cap_cur_init(p, RECORD_HEADER);
	hb = cap_cur_bytes(&c, RECORD_HEADER);
	if (hb == NULL)
		return PCAPF_EOF; /* cannot happen: `have` bytes are there */
	sec = pcapf_ts_field(hb, r->swapped);
	frac = pcapf_ts_field(hb + 4, r->swapped);
	caplen = pcapf_u32_at(hb + 8, r->swapped);
	len = pcapf_u32_at(hb + 12, r->swapped);
	if (caplen > MAX_SANE) {
		if (caplen > r->snapshot)
			snprintf(msg, msglen, "invalid packet capture length %u, bigger than snaplen of %d",
				 caplen, (int)r->snapshot);
		else
			snprintf(msg, msglen, "invalid packet capture length %u, bigger than maximum of %u",
				 caplen, MAX_SANE);
		return PCAPF_ERROR;
	}
	have = want(r, RECORD_HEADER + (size_t)caplen, &p);
	if (have < 0)
		goto read_error;
	body = (size_t)have - RECORD_HEADER;
	/* Over the snapshot length: the first `snapshot` bytes are kept, the rest skipped. */
	keep = caplen > r->snapshot ? r->snapshot : caplen;
	if (body < keep) {
		if (caplen > r->snapshot)
			snprintf(msg, msglen, "truncated dump file; tried to read %d captured bytes, "
				 "only got %zu", (int)r->snapshot, body);
		else
			snprintf(msg, msglen, "truncated dump file; tried to read %u captured bytes, "
				 "only got %zu", caplen, body);
		return PCAPF_TRUNCATED;
	}
	if (body < caplen) {
		snprintf(msg, msglen, "truncated dump file; tried to read %u captured bytes, "
			 "only got %zu", caplen, body);
		return PCAPF_TRUNCATED;
	}
	pkt->sec = sec;
	pkt->nsec = frac * (r->nano ? 1 : 1000);
	pkt->data = p + RECORD_HEADER;
	pkt->caplen = keep;
	pkt->len = len;
	advance(r, RECORD_HEADER + (size_t)caplen);
	return PCAPF_PACKET;
read_error:
	snprintf(msg, msglen, "error reading dump file: %s", strerror(errno));
	return PCAPF_ERROR;
}

uint64_t pcapf_offset(const struct pcapf *r)
{
	return r->pos;
}

void pcapf_close(struct pcapf *r)
{
	if (r == NULL)
		return;
	readahead_free(&r->ra);
	free(r);
}
