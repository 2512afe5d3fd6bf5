/* netmon_file.c - Microsoft Network Monitor 2.x capture files.
 *
 * Layout as Wireshark's wiretap (netmon.c) reads it: a little-endian header with the
 * magic "GMBU", version (minor, major), the media type, the capture's start as a
 * SYSTEMTIME (UTC), and the offset and length of a frame table (one 32-bit file offset
 * per frame); each frame a header of a 64-bit time in microseconds since the start, the
 * original and the captured length, then the bytes; from version 2.1 on a trailer after
 * the bytes names the frame's own media type.  Media types: 1 Ethernet; 0xE000 plus a
 * LINKTYPE_ value for frames kept as pcap would keep them.  Frames are numbered in table
 * order, as tshark numbers them.
 */
#include "pipeline/netmon_file.h"

#include <errno.h>
#include <pcap/dlt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "negscope/cursor.h"
#include "pipeline/pcapng_file.h"

#define HEADER 64u
#define FRAME_HEADER 16u
#define MAX_SNAP 262144u
#define MAX_TABLE (64u << 20) /* 16 Mi frames */
#define MEDIA_PCAP_BASE 0xe000u

struct netmon {
	int fd;
	uint8_t minor;
	uint16_t media;
	int64_t start_sec, start_nsec;
	uint8_t *table;
	uint32_t nframes, next;
	uint8_t *buf;
	uint64_t done;
};

int netmon_magic(const uint8_t *head, size_t n)
{
	return n >= 4 && memcmp(head, "GMBU", 4) == 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static int media_dlt(uint16_t media)
{
	if (media == 1)
		return DLT_EN10MB;
	if (media >= MEDIA_PCAP_BASE && media < 0xf000u)
		return pcapng_linktype_to_dlt(media - MEDIA_PCAP_BASE);
	return -1;
}

int netmon_open(struct netmon **out, int fd, char *msg, size_t msglen)
{
	uint8_t h[HEADER];
	struct cap_cursor c;
	struct netmon *r;
	struct stat sb;
	uint16_t t[8];
	uint32_t toff, tlen;
	uint8_t minor, major;
	int i;

	*out = NULL;
	if (pcapf_pread_full(fd, h, sizeof(h), 0) != (ssize_t)sizeof(h) || !netmon_magic(h, sizeof(h)))
		return 0;
	c = cap_cur_init(h + 4, sizeof(h) - 4);
	minor = cap_cur_u8(&c);
	major = cap_cur_u8(&c);
	if (major != 2)
		return 0;
	r = calloc(1, sizeof(*r));
	if (r == NULL) {
		snprintf(msg, msglen, "%s", strerror(ENOMEM));
		return -1;
	}
	r->fd = fd;
	r->minor = minor;
	r->media = cap_cur_le16(&c);
	for (i = 0; i < 8; i++)
		t[i] = cap_cur_le16(&c);
	toff = cap_cur_le32(&c);
	tlen = cap_cur_le32(&c);
	/* SYSTEMTIME: year, month, day of week, day, hour, minute, second, milliseconds. */
	r->start_sec = days_from_civil(t[0], t[1] >= 1 && t[1] <= 12 ? t[1] : 1, t[3]) * 86400 +
		       (int64_t)t[4] * 3600 + (int64_t)t[5] * 60 + t[6];
	r->start_nsec = (int64_t)t[7] * 1000000;
	if (fstat(fd, &sb) != 0 || (uint64_t)toff + tlen > (uint64_t)sb.st_size || tlen % 4 != 0) {
		snprintf(msg, msglen, "Network Monitor file whose frame table is missing or "
			 "damaged (a cut file loses it, at the end)");
		goto fail;
	}
	if (tlen > MAX_TABLE) {
		snprintf(msg, msglen, "Network Monitor file with more than %u frames; split it "
			 "with editcap first", MAX_TABLE / 4);
		goto fail;
	}
	r->table = malloc(tlen > 0 ? tlen : 1);
	r->buf = malloc(FRAME_HEADER + MAX_SNAP);
	if (r->table == NULL || r->buf == NULL) {
		snprintf(msg, msglen, "%s", strerror(ENOMEM));
		goto fail;
	}
	if (pcapf_pread_full(fd, r->table, tlen, toff) != (ssize_t)tlen) {
		snprintf(msg, msglen, "error reading the frame table: %s", strerror(errno));
		goto fail;
	}
	r->nframes = tlen / 4;
	*out = r;
	return 1;
fail:
	netmon_close(r);
	return -1;
}

enum pcapf_result netmon_next(struct netmon *r, struct netmon_pkt *pkt, char *msg, size_t msglen)
{
	struct cap_cursor c;
	uint8_t trailer[2];
	uint64_t off, delta;
	uint32_t orig, incl;
	ssize_t n;
	uint16_t media = r->media;

	if (r->next >= r->nframes)
		return PCAPF_EOF;
	c = cap_cur_init(r->table + 4 * (size_t)r->next, 4);
	off = cap_cur_le32(&c);
	n = pcapf_pread_full(r->fd, r->buf, FRAME_HEADER, off);
	if (n < 0)
		goto read_error;
	if (n < (ssize_t)FRAME_HEADER) {
		snprintf(msg, msglen, "Network Monitor frame %u lies outside the file",
			 r->next + 1);
		return PCAPF_ERROR;
	}
	c = cap_cur_init(r->buf, FRAME_HEADER);
	delta = cap_cur_le64(&c);
	orig = cap_cur_le32(&c);
	incl = cap_cur_le32(&c);
	if (incl > MAX_SNAP) {
		snprintf(msg, msglen, "invalid packet capture length %u, bigger than maximum of %u",
			 incl, MAX_SNAP);
		return PCAPF_ERROR;
	}
	n = pcapf_pread_full(r->fd, r->buf + FRAME_HEADER, incl, off + FRAME_HEADER);
	if (n < 0)
		goto read_error;
	if ((uint32_t)n < incl) {
		snprintf(msg, msglen, "truncated Network Monitor file; frame %u has %zd of its %u "
			 "bytes", r->next + 1, n, incl);
		return PCAPF_TRUNCATED;
	}
	if (r->minor >= 1 &&
	    pcapf_pread_full(r->fd, trailer, sizeof(trailer), off + FRAME_HEADER + incl) == 2)
		media = (uint16_t)(trailer[0] | trailer[1] << 8);
	pkt->sec = r->start_sec + (int64_t)(delta / 1000000u);
	pkt->nsec = r->start_nsec + (int64_t)(delta % 1000000u) * 1000;
	if (pkt->nsec >= 1000000000) {
		pkt->sec++;
		pkt->nsec -= 1000000000;
	}
	pkt->data = r->buf + FRAME_HEADER;
	pkt->caplen = incl;
	pkt->len = orig;
	pkt->dlt = media_dlt(media);
	r->next++;
	r->done = off + FRAME_HEADER + incl;
	return PCAPF_PACKET;
read_error:
	snprintf(msg, msglen, "error reading dump file: %s", strerror(errno));
	return PCAPF_ERROR;
}

uint64_t netmon_offset(const struct netmon *r)
{
	return r->done;
}

void netmon_close(struct netmon *r)
{
	if (r == NULL)
		return;
	free(r->table);
	free(r->buf);
	free(r);
}
