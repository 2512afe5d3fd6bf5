/* pcapng_file.c - pcapng blocks read into one buffer, packets handed out in place.
 *
 * Reference: draft-ietf-opsawg-pcapng (block layout, Section Header Block byte-order
 * magic 0x1A2B3C4D, Interface Description Block options if_tsresol (9) and if_tsoffset
 * (14), Enhanced (6), Simple (3) and obsolete Packet (2) Blocks, Decryption Secrets
 * Block (0x0A)); libpcap 1.10's sf-pcapng.c for what it gives a reader: time stamps
 * scaled to the requested (nanosecond) resolution with the offset added to the seconds,
 * a Simple Packet Block taking interface 0, a zero time stamp and its interface's snap
 * length, "truncated pcapng dump file" at a cut.  A packet whose captured length
 * exceeds its interface's snap length is delivered whole, as tshark does (libpcap
 * stops there with an error).
 * Unlike libpcap, every interface keeps its own link type and snap length, and several
 * sections are read one after another (each starts its own interface list), as tshark
 * reads them.  Every other block type is skipped by its length.
 */
#include "pipeline/pcapng_file.h"
#include "pipeline/readahead.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "negscope/cursor.h"

#define CHUNK (256u << 10)
#define MAX_BLOCK (16u << 20)  /* libpcap's largest pcapng block (INITIAL_MAX_BLOCKSIZE) */
#define MAX_IFACES 65536u      /* per section; the obsolete Packet Block's index is 16 bits */
#define MAX_SNAP 262144u       /* libpcap's MAXIMUM_SNAPLEN for the link types negcap decodes */
#define BYTE_ORDER_MAGIC 0x1a2b3c4du

enum block_type {
	BT_IDB = 1, BT_PB = 2, BT_SPB = 3, BT_EPB = 6, BT_DSB = 0x0a
};

struct iface {
	uint32_t linktype, snaplen, keep;
	int dlt;          /* pcapng_linktype_to_dlt(linktype), once */
	uint64_t units;   /* time stamp units per second */
	bool binary;      /* units is a power of 2 */
	int64_t tsoffset; /* seconds added to every time stamp */
};

struct pcapng {
	struct instream *in;
	bool be;                /* this section is big-endian */
	struct iface *ifaces;
	size_t nifaces, ifcap;
	struct pcapng_secrets *secrets;
	struct readahead ra;    /* unread bytes */
	bool read_failed;
	uint64_t pos;           /* content offset of the first unread byte */
	uint64_t skipped;
};

void pcapng_secrets_free(struct pcapng_secrets *ss)
{
	size_t i;

	for (i = 0; i < ss->n; i++)
		free(ss->v[i].data);
	free(ss->v);
	memset(ss, 0, sizeof(*ss));
}

int pcapng_linktype_to_dlt(uint32_t linktype)
{
	/* LINKTYPE_ values that are not the DLT_ of the same number (libpcap's
	 * pcap-common.c); the rest are equal. */
	static const uint32_t map[][2] = {
		{100, 11}, {101, 12}, {102, 15}, {103, 16}, {106, 19},
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (map[i][0] == linktype)
			return (int)map[i][1];
	return linktype > (uint32_t)INT32_MAX ? -1 : (int)linktype;
}

static uint32_t rd32(struct cap_cursor *c, bool be)
{
	return be ? cap_cur_be32(c) : cap_cur_le32(c);
}

static uint16_t rd16(struct cap_cursor *c, bool be)
{
	return be ? cap_cur_be16(c) : cap_cur_le16(c);
}

/* The window's refill from the input stream; a read error is remembered apart from a
 * short file. */
static ssize_t pcapng_fill(void *ctx, uint8_t *dst, size_t room)
{
	struct pcapng *r = ctx;
	ssize_t n = instream_read(r->in, dst, room);

	if (n < 0)
		r->read_failed = true;
	return n;
}

/* Makes `need` unread bytes present when the input has them; *p points at the unread
 * bytes; returns how many of `need` are there, -1 on a read error. */
static ssize_t want(struct pcapng *r, size_t need, const uint8_t **p)
{
	return readahead_want(&r->ra, need, pcapng_fill, r, p);
}

static void advance(struct pcapng *r, size_t n)
{
	r->pos += n;
	r->ra.start += n;
}

/* if_tsresol: 10^-n seconds, or 2^-n when the top bit is set; libpcap refuses units it
 * cannot hold in 64 bits. */
static int set_tsresol(struct iface *f, uint8_t v, char *msg, size_t msglen)
{
	unsigned e = v & 0x7fu;

	f->binary = (v & 0x80u) != 0;
	if (f->binary ? e > 63 : e > 19) {
		snprintf(msg, msglen, "pcapng interface has an if_tsresol of %s%u, too fine to "
			 "represent", f->binary ? "2^-" : "10^-", e);
		return -1;
	}
	f->units = 1;
	while (e-- > 0)
		f->units *= f->binary ? 2u : 10u;
	return 0;
}

static int parse_idb(struct pcapng *r, struct cap_cursor *c, char *msg, size_t msglen)
{
	struct iface f;

	memset(&f, 0, sizeof(f));
	f.linktype = rd16(c, r->be);
	(void)rd16(c, r->be);
	f.snaplen = rd32(c, r->be);
	f.units = 1000000u; /* microseconds unless if_tsresol says otherwise */
	if (!cap_cur_ok(c)) {
		snprintf(msg, msglen, "pcapng Interface Description Block is too short");
		return -1;
	}
	/* Options: code, length, value padded to 4 bytes; a malformed list ends it. */
	while (cap_cur_left(c) >= 4) {
		uint16_t code = rd16(c, r->be), len = rd16(c, r->be);
		struct cap_cursor v = cap_cur_sub(c, len);

		if (code == 0 || !cap_cur_ok(c))
			break;
		cap_cur_skip(c, (4u - (len & 3u)) & 3u);
		if (code == 9 && len == 1) {
			if (set_tsresol(&f, cap_cur_u8(&v), msg, msglen) != 0)
				return -1;
		} else if (code == 14 && len == 8) {
			uint32_t a = rd32(&v, r->be), b = rd32(&v, r->be);
			uint64_t u = r->be ? (uint64_t)a << 32 | b : (uint64_t)b << 32 | a;

			f.tsoffset = (int64_t)u;
		}
	}
	f.dlt = pcapng_linktype_to_dlt(f.linktype);
	/* libpcap's pcap_adjust_snapshot: none or an insane one means the maximum. */
	f.keep = f.snaplen == 0 || f.snaplen > MAX_SNAP ? MAX_SNAP : f.snaplen;
	if (r->nifaces == r->ifcap) {
		size_t nc = r->ifcap ? r->ifcap * 2 : 4;
		struct iface *nv;

		if (r->nifaces >= MAX_IFACES) {
			snprintf(msg, msglen, "pcapng section declares more than %u interfaces",
				 MAX_IFACES);
			return -1;
		}
		nv = realloc(r->ifaces, nc * sizeof(*nv));
		if (nv == NULL) {
			snprintf(msg, msglen, "%s", strerror(ENOMEM));
			return -1;
		}
		r->ifaces = nv;
		r->ifcap = nc;
	}
	r->ifaces[r->nifaces++] = f;
	return 0;
}

static void keep_secret(struct pcapng *r, struct cap_cursor *c)
{
	struct pcapng_secrets *ss = r->secrets;
	uint32_t type = rd32(c, r->be), len = rd32(c, r->be);
	const uint8_t *p = cap_cur_bytes(c, len);
	struct pcapng_secret *s;

	if (ss == NULL || p == NULL)
		return; /* not wanted, or a block too short for its length: skipped */
	if (ss->n >= PCAPNG_MAX_SECRETS || len > PCAPNG_MAX_SECRET_BYTES - ss->bytes) {
		ss->cap_hits++;
		return;
	}
	if (ss->n == ss->cap) {
		size_t nc = ss->cap ? ss->cap * 2 : 4;
		struct pcapng_secret *nv = realloc(ss->v, nc * sizeof(*nv));

		if (nv == NULL) {
			ss->cap_hits++;
			return;
		}
		ss->v = nv;
		ss->cap = nc;
	}
	s = &ss->v[ss->n];
	s->data = malloc(len > 0 ? len : 1);
	if (s->data == NULL) {
		ss->cap_hits++;
		return;
	}
	memcpy(s->data, p, len);
	s->type = type;
	s->len = len;
	ss->n++;
	ss->bytes += len;
}

/* A Section Header Block at the unread bytes, whole; sets the byte order. */
static int parse_shb(struct pcapng *r, const uint8_t *b, size_t len, char *msg, size_t msglen)
{
	struct cap_cursor c = cap_cur_init(b + 8, len - 8);
	uint32_t magic = cap_cur_le32(&c);
	uint16_t major, minor;

	if (magic == BYTE_ORDER_MAGIC)
		r->be = false;
	else if (magic == __builtin_bswap32(BYTE_ORDER_MAGIC))
		r->be = true;
	else {
		snprintf(msg, msglen, "pcapng section header has an unknown byte-order magic "
			 "0x%08x", magic);
		return -1;
	}
	major = rd16(&c, r->be);
	minor = rd16(&c, r->be);
	/* 1.0, and 1.2 as some writers put it (libpcap and tshark read it as 1.0). */
	if (!cap_cur_ok(&c) || major != 1 || (minor != 0 && minor != 2)) {
		snprintf(msg, msglen, "unsupported pcapng version %u.%u", major, minor);
		return -1;
	}
	r->nifaces = 0; /* a new section: its own interfaces */
	return 0;
}

/* The block at the unread bytes: its length when whole, 0 at the end of the input,
 * -1 with msg set (truncated says whether the input was cut). */
static ssize_t next_block(struct pcapng *r, const uint8_t **b, bool *truncated, char *msg,
			  size_t msglen)
{
	const uint8_t *p;
	struct cap_cursor c;
	ssize_t have;
	uint32_t type, len;
	bool be = r->be;

	*truncated = false;
	have = want(r, 12, &p);
	if (have < 0)
		goto read_error;
	if (have == 0)
		return 0;
	if (have < 8) {
		*truncated = true;
		snprintf(msg, msglen, "truncated pcapng dump file; tried to read 8 bytes, only "
			 "got %zu", (size_t)have);
		return -1;
	}
	c = cap_cur_init(p, (size_t)have);
	type = cap_cur_le32(&c);
	if (type == PCAPNG_SHB_TYPE && have < 12) {
		/* Without its byte-order magic the section's length cannot be read. */
		*truncated = true;
		snprintf(msg, msglen, "truncated pcapng dump file; tried to read 12 bytes, only "
			 "got %zu", (size_t)have);
		return -1;
	}
	if (type == PCAPNG_SHB_TYPE) {
		/* The byte order of the new section decides how its length is read. */
		struct cap_cursor m = cap_cur_init(p + 8, 4);

		be = cap_cur_le32(&m) != BYTE_ORDER_MAGIC;
	}
	c = cap_cur_init(p + 4, 4);
	len = be ? cap_cur_be32(&c) : cap_cur_le32(&c);
	if (len < 12 || (len & 3u) != 0 || len > MAX_BLOCK ||
	    (type == PCAPNG_SHB_TYPE && len < 28)) {
		snprintf(msg, msglen, "pcapng block has an invalid length %u (block type 0x%08x)",
			 len, be ? __builtin_bswap32(type) : type);
		return -1;
	}
	have = want(r, len, &p);
	if (have < 0)
		goto read_error;
	if ((size_t)have < len) {
		*truncated = true;
		snprintf(msg, msglen, "truncated pcapng dump file; tried to read %u bytes, only "
			 "got %zu", len - 8, (size_t)have < 8 ? 0 : (size_t)have - 8);
		return -1;
	}
	*b = p;
	return (ssize_t)len;
read_error:
	if (r->read_failed)
		snprintf(msg, msglen, "%s", instream_error(r->in)[0] ? instream_error(r->in) :
			 "error reading pcapng dump file");
	else
		snprintf(msg, msglen, "%s", strerror(ENOMEM));
	return -1;
}

int pcapng_open(struct pcapng **out, struct instream *in, struct pcapng_secrets *secrets,
		char *msg, size_t msglen)
{
	uint8_t head[4];
	struct cap_cursor c;
	struct pcapng *r;
	const uint8_t *b;
	bool truncated;
	ssize_t len;

	*out = NULL;
	if (instream_peek(in, head, sizeof(head)) != (ssize_t)sizeof(head))
		return 0;
	c = cap_cur_init(head, sizeof(head));
	if (cap_cur_le32(&c) != PCAPNG_SHB_TYPE)
		return 0;
	r = calloc(1, sizeof(*r));
	if (r == NULL) {
		snprintf(msg, msglen, "%s", strerror(ENOMEM));
		return -1;
	}
	r->in = in;
	r->secrets = secrets;
	if (readahead_init(&r->ra, CHUNK) != 0) {
		snprintf(msg, msglen, "%s", strerror(ENOMEM));
		free(r);
		return -1;
	}
	if (instream_file_size(in) >= READAHEAD_THREAD_MIN)
		readahead_start_thread(&r->ra, pcapng_fill, r);
	len = next_block(r, &b, &truncated, msg, msglen);
	if (len == 0)
		snprintf(msg, msglen, "truncated pcapng dump file; no section header");
	if (len <= 0 || parse_shb(r, b, (size_t)len, msg, msglen) != 0) {
		pcapng_close(r);
		return -1;
	}
	advance(r, (size_t)len);
	*out = r;
	return 1;
}

/* Seconds and nanoseconds of a 64-bit time stamp in the interface's units. */
static void timestamp(const struct iface *f, uint64_t t, struct pcapng_pkt *pkt)
{
	uint64_t sec, frac;

	if (f->units == 1000000u) {
		/* The usual microseconds: division by a constant, far cheaper per packet. */
		pkt->sec = (int64_t)(t / 1000000u) + f->tsoffset;
		pkt->nsec = (int64_t)(t % 1000000u * 1000u);
		return;
	}
	sec = t / f->units;
	frac = t % f->units;
	if (f->units == 1000000000u)
		;
	else if (!f->binary && f->units < 1000000000u)
		frac *= 1000000000u / f->units;
	else if (!f->binary)
		frac /= f->units / 1000000000u;
	else
		frac = (uint64_t)((unsigned __int128)frac * 1000000000u / f->units);
	pkt->sec = (int64_t)sec + f->tsoffset;
	pkt->nsec = (int64_t)frac;
}

/* A packet block's body (after type and length, before the trailing length). */
static enum pcapf_result packet(struct pcapng *r, uint32_t type, struct cap_cursor *c,
				struct pcapng_pkt *pkt, char *msg, size_t msglen)
{
	const struct iface *f;
	uint32_t iface = 0, hi = 0, lo = 0, caplen, len;

	if (type == BT_EPB)
		iface = rd32(c, r->be);
	else if (type == BT_PB) {
		iface = rd16(c, r->be);
		(void)rd16(c, r->be); /* drops count */
	}
	if (type != BT_SPB) {
		hi = rd32(c, r->be);
		lo = rd32(c, r->be);
		caplen = rd32(c, r->be);
		len = rd32(c, r->be);
	} else {
		len = rd32(c, r->be);
		caplen = len;
	}
	if (!cap_cur_ok(c)) {
		snprintf(msg, msglen, "pcapng packet block (type %u) is too short", type);
		return PCAPF_ERROR;
	}
	if (iface >= r->nifaces) {
		snprintf(msg, msglen, "a packet arrived on interface %u, but there's no "
			 "Interface Description Block for that interface", iface);
		return PCAPF_ERROR;
	}
	f = &r->ifaces[iface];
	if (type == BT_SPB) {
		/* The block's length bounds it; the original length may be larger. */
		if (caplen > cap_cur_left(c))
			caplen = (uint32_t)cap_cur_left(c);
		memset(pkt, 0, sizeof(*pkt));
	} else {
		if (caplen > cap_cur_left(c)) {
			snprintf(msg, msglen, "pcapng packet block has a captured length %u "
				 "bigger than the block", caplen);
			return PCAPF_ERROR;
		}
		timestamp(f, (uint64_t)hi << 32 | lo, pkt);
	}
	if (caplen > MAX_SNAP) {
		snprintf(msg, msglen, "invalid packet capture length %u, bigger than maximum of %u",
			 caplen, MAX_SNAP);
		return PCAPF_ERROR;
	}
	pkt->data = cap_cur_bytes(c, caplen);
	/* A Simple Packet Block's length is the original one, cut to the snap length;
	 * another block's captured length is taken as written, as tshark takes it (libpcap
	 * refuses one over the snap length). */
	pkt->caplen = type == BT_SPB && caplen > f->keep ? f->keep : caplen;
	pkt->len = len;
	pkt->iface = iface;
	pkt->linktype = f->linktype;
	pkt->dlt = f->dlt;
	pkt->snaplen = f->snaplen;
	return PCAPF_PACKET;
}

/* A 32-bit field of a block already known to be in the buffer. */
static uint32_t field32(const uint8_t *b, bool be)
{
	uint32_t v;

	memcpy(&v, b, sizeof(v));
	return be ? __builtin_bswap32(v) : v;
}

/* The common case without the general path's steps: a whole, sane Enhanced Packet
 * Block in the buffer on a known interface.  Anything else returns false, and the
 * general path reads (or refuses) the block the same way. */
bool pcapng_next_quick(struct pcapng *r, struct pcapng_pkt *pkt)
{
	size_t have = r->ra.end - r->ra.start;
	const uint8_t *b = r->ra.buf + r->ra.start;
	const struct iface *f;
	uint32_t len, iface, caplen;

	if (have < 32 || field32(b, r->be) != BT_EPB)
		return false;
	len = field32(b + 4, r->be);
	iface = field32(b + 8, r->be);
	caplen = field32(b + 20, r->be);
	if (len < 32 || (len & 3u) != 0 || len > have || len > MAX_BLOCK || iface >= r->nifaces ||
	    caplen > len - 32 || caplen > MAX_SNAP)
		return false;
	f = &r->ifaces[iface];
	timestamp(f, (uint64_t)field32(b + 12, r->be) << 32 | field32(b + 16, r->be), pkt);
	pkt->data = b + 28;
	pkt->caplen = caplen;
	pkt->len = field32(b + 24, r->be);
	pkt->iface = iface;
	pkt->linktype = f->linktype;
	pkt->dlt = f->dlt;
	pkt->snaplen = f->snaplen;
	advance(r, len);
	return true;
}

enum pcapf_result pcapng_next(struct pcapng *r, struct pcapng_pkt *pkt, char *msg, size_t msglen)
{
	if (pcapng_next_quick(r, pkt))
		return PCAPF_PACKET;
	for (;;) {
		const uint8_t *b;
		struct cap_cursor c;
		bool truncated;
		ssize_t len = next_block(r, &b, &truncated, msg, msglen);
		uint32_t type;
		enum pcapf_result res = PCAPF_EOF;

		if (len == 0)
			return PCAPF_EOF;
		if (len < 0)
			return truncated ? PCAPF_TRUNCATED : PCAPF_ERROR;
		c = cap_cur_init(b, (size_t)len - 4);
		type = cap_cur_le32(&c);
		if (type == PCAPNG_SHB_TYPE) {
			if (parse_shb(r, b, (size_t)len, msg, msglen) != 0)
				return PCAPF_ERROR;
			advance(r, (size_t)len);
			continue;
		}
		c = cap_cur_init(b + 8, (size_t)len - 12);
		if (r->be)
			type = __builtin_bswap32(type);
		switch (type) {
		case BT_IDB:
			if (parse_idb(r, &c, msg, msglen) != 0)
				return PCAPF_ERROR;
			break;
		case BT_EPB:
		case BT_SPB:
		case BT_PB:
			res = packet(r, type, &c, pkt, msg, msglen);
			if (res != PCAPF_PACKET)
				return res;
			break;
		case BT_DSB:
			keep_secret(r, &c);
			break;
		default:
			r->skipped++;
			break;
		}
		advance(r, (size_t)len);
		if (res == PCAPF_PACKET)
			return res; /* the data stays in the buffer until the next call */
	}
}

uint64_t pcapng_offset(const struct pcapng *r)
{
	return r->pos;
}

uint64_t pcapng_skipped_blocks(const struct pcapng *r)
{
	return r->skipped;
}

void pcapng_close(struct pcapng *r)
{
	if (r == NULL)
		return;
	free(r->ifaces);
	readahead_free(&r->ra);
	free(r);
}
