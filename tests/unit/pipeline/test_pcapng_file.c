/* test_pcapng_file.c - negcap's pcapng reader against libpcap and tshark.
 *
 * Files come from two places: written here block by block (either byte order, several
 * sections, interfaces with their own link type, snap length, if_tsresol and
 * if_tsoffset, Enhanced/Simple/obsolete Packet Blocks, Decryption Secrets and blocks to
 * skip), and made by editcap/mergecap from every sample and shared capture.  Where
 * libpcap reads a file (one link type and snap length), cap_source must deliver exactly
 * what pcap_next_ex delivers, also for every prefix of a file; where it cannot (mixed
 * interfaces), tshark says which frames, times and lengths there are. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <pcap/pcap.h>

#include "pipeline/pcapng_file.h"
#include "pl_harness.h"

static char *tmpdir;

static int setup(void **state)
{
	(void)state;
	tmpdir = pcaputil_tempdir();
	return tmpdir != NULL ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	if (getenv("KEEP_TMP") == NULL) pcaputil_rmdir(tmpdir);
	free(tmpdir);
	return 0;
}

/* ---- a pcapng writer: blocks are built in memory, then written whole ---- */

struct blk {
	uint8_t b[4096];
	size_t n;
	bool be;
};

static void blk32(struct blk *k, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		k->b[k->n++] = (uint8_t)(k->be ? v >> (24 - 8 * i) : v >> (8 * i));
}

static void blk16(struct blk *k, uint16_t v)
{
	k->b[k->n++] = (uint8_t)(k->be ? v >> 8 : v);
	k->b[k->n++] = (uint8_t)(k->be ? v : v >> 8);
}

static void put_bytes(struct blk *k, const void *p, size_t n)
{
	memcpy(k->b + k->n, p, n);
	k->n += n;
	while (k->n % 4 != 0)
		k->b[k->n++] = 0;
}

static void begin(struct blk *k, bool be, uint32_t type)
{
	k->n = 0;
	k->be = be;
	blk32(k, type);
	blk32(k, 0); /* length, set by end() */
}

static void end(struct blk *k, FILE *f)
{
	uint32_t len = (uint32_t)k->n + 4;
	struct blk t = *k;

	t.n = 4;
	blk32(&t, len);
	memcpy(k->b + 4, t.b + 4, 4);
	blk32(k, len);
	assert_int_equal(fwrite(k->b, 1, k->n, f), k->n);
}

static void shb(FILE *f, bool be)
{
	struct blk k;

	begin(&k, be, PCAPNG_SHB_TYPE);
	blk32(&k, 0x1a2b3c4d);
	blk16(&k, 1);
	blk16(&k, 0);
	blk32(&k, 0xffffffff); /* section length: unknown */
	blk32(&k, 0xffffffff);
	end(&k, f);
}

/* tsresol < 0: no option; tsoffset_set: add if_tsoffset. */
static void idb(FILE *f, bool be, uint16_t linktype, uint32_t snaplen, int tsresol,
		bool tsoffset_set, int64_t tsoffset)
{
	struct blk k;

	begin(&k, be, 1);
	blk16(&k, linktype);
	blk16(&k, 0);
	blk32(&k, snaplen);
	blk16(&k, 2); /* if_name, to be skipped */
	blk16(&k, 3);
	put_bytes(&k, "lo0", 3);
	if (tsresol >= 0) {
		uint8_t v = (uint8_t)tsresol;

		blk16(&k, 9);
		blk16(&k, 1);
		put_bytes(&k, &v, 1);
	}
	if (tsoffset_set) {
		blk16(&k, 14);
		blk16(&k, 8);
		blk32(&k, be ? (uint32_t)((uint64_t)tsoffset >> 32) : (uint32_t)tsoffset);
		blk32(&k, be ? (uint32_t)tsoffset : (uint32_t)((uint64_t)tsoffset >> 32));
	}
	blk16(&k, 0);
	blk16(&k, 0);
	end(&k, f);
}

static struct frame_buf frame;

/* An Ethernet/IPv4/UDP frame from port sport, padded with a pattern to n bytes; skip
 * cuts the Ethernet header off (for raw IP interfaces). */
static const uint8_t *payload(uint16_t sport, size_t n, size_t skip)
{
	static uint8_t buf[2048];
	size_t i;

	udp_frame(&frame, 1, sport, 2, 9999, (const uint8_t *)"x", 1);
	for (i = 0; i < n; i++)
		buf[i] = i + skip < frame.len ? frame.b[i + skip] : (uint8_t)(i * 7 + sport);
	return buf;
}

static void epb(FILE *f, bool be, uint32_t iface, uint64_t ts, uint32_t caplen, uint32_t len,
		const uint8_t *data)
{
	struct blk k;

	begin(&k, be, 6);
	blk32(&k, iface);
	blk32(&k, (uint32_t)(ts >> 32));
	blk32(&k, (uint32_t)ts);
	blk32(&k, caplen);
	blk32(&k, len);
	put_bytes(&k, data, caplen);
	blk16(&k, 1); /* opt_comment, skipped */
	blk16(&k, 2);
	put_bytes(&k, "hi", 2);
	blk16(&k, 0);
	blk16(&k, 0);
	end(&k, f);
}

static void spb(FILE *f, bool be, uint32_t len, const uint8_t *data, uint32_t stored)
{
	struct blk k;

	begin(&k, be, 3);
	blk32(&k, len);
	put_bytes(&k, data, stored);
	end(&k, f);
}

static void old_pb(FILE *f, bool be, uint16_t iface, uint64_t ts, uint32_t caplen,
		   const uint8_t *data)
{
	struct blk k;

	begin(&k, be, 2);
	blk16(&k, iface);
	blk16(&k, 0);
	blk32(&k, (uint32_t)(ts >> 32));
	blk32(&k, (uint32_t)ts);
	blk32(&k, caplen);
	blk32(&k, caplen);
	put_bytes(&k, data, caplen);
	end(&k, f);
}

static void other(FILE *f, bool be, uint32_t type, uint32_t words)
{
	struct blk k;

	begin(&k, be, type);
	for (uint32_t i = 0; i < words; i++)
		blk32(&k, 0); /* a well-formed empty body for NRB/ISB */
	end(&k, f);
}

static void dsb(FILE *f, bool be, const char *text)
{
	struct blk k;

	begin(&k, be, 0x0a);
	blk32(&k, 0x544c534b);
	blk32(&k, (uint32_t)strlen(text));
	put_bytes(&k, text, strlen(text));
	end(&k, f);
}

/* ---- what a reader delivers ---- */

#define MAXPKT 4096

struct seen {
	size_t n;
	double *ts;
	size_t *caplen, *wirelen;
	int *dlt;
	uint32_t *sum;
	enum cap_source_status end;
	char msg[512];
	bool open_failed;
};

static void seen_init(struct seen *s)
{
	memset(s, 0, sizeof(*s));
	s->ts = calloc(MAXPKT, sizeof(*s->ts));
	s->caplen = calloc(MAXPKT, sizeof(*s->caplen));
	s->wirelen = calloc(MAXPKT, sizeof(*s->wirelen));
	s->dlt = calloc(MAXPKT, sizeof(*s->dlt));
	s->sum = calloc(MAXPKT, sizeof(*s->sum));
	assert_true(s->ts && s->caplen && s->wirelen && s->dlt && s->sum);
}

static void seen_free(struct seen *s)
{
	free(s->ts);
	free(s->caplen);
	free(s->wirelen);
	free(s->dlt);
	free(s->sum);
}

static uint32_t checksum(const uint8_t *p, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static void add(struct seen *s, double ts, const uint8_t *d, size_t caplen, size_t len, int dlt)
{
	if (s->n == MAXPKT)
		return;
	s->ts[s->n] = ts;
	s->caplen[s->n] = caplen;
	s->wirelen[s->n] = len;
	s->sum[s->n] = checksum(d, caplen);
	s->dlt[s->n] = dlt;
	s->n++;
}

static void via_source(const char *path, const char *filter, struct seen *s)
{
	struct cap_source_opts o;
	struct cap_source *src;
	struct cap_source_pkt pkt;
	char err[512];
	bool fresh;
	int prev = -2;

	seen_init(s);
	memset(&o, 0, sizeof(o));
	o.filter = filter;
	if (cap_source_open_files(&src, &path, 1, &o, err, sizeof(err)) != 0) {
		s->open_failed = true;
		snprintf(s->msg, sizeof(s->msg), "%s", err);
		return;
	}
	while (cap_source_next(src, &pkt, &fresh) == 1) {
		int dlt = cap_source_linktype(src);

		/* new_input exactly when the link type changes (or at the first packet) */
		assert_int_equal(fresh, dlt != prev);
		prev = dlt;
		add(s, pkt.ts, pkt.data, pkt.caplen, pkt.wirelen, dlt);
	}
	s->end = cap_source_status(src);
	snprintf(s->msg, sizeof(s->msg), "%s", cap_source_message(src));
	cap_source_close(src);
}

static void via_libpcap(const char *path, const char *filter, struct seen *s)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, err);
	struct pcap_pkthdr *h;
	const u_char *d;
	int r;

	seen_init(s);
	if (p == NULL) {
		s->open_failed = true;
		snprintf(s->msg, sizeof(s->msg), "%s", err);
		return;
	}
	if (filter != NULL) {
		struct bpf_program prog;

		assert_int_equal(pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN), 0);
		assert_int_equal(pcap_setfilter(p, &prog), 0);
		pcap_freecode(&prog);
	}
	while ((r = pcap_next_ex(p, &h, &d)) == 1)
		add(s, (double)h->ts.tv_sec + (double)h->ts.tv_usec / 1e9, d, h->caplen, h->len,
		    pcap_datalink(p));
	if (r == PCAP_ERROR_BREAK) {
		s->end = CAP_SRC_END;
	} else {
		const char *e = pcap_geterr(p);

		s->end = strstr(e, "truncated") != NULL ? CAP_SRC_TRUNCATED : CAP_SRC_ERROR;
		snprintf(s->msg, sizeof(s->msg), "%s: %s", path, e);
	}
	pcap_close(p);
}

static void assert_same_packets(const char *path, const struct seen *a, const struct seen *b)
{
	if (a->n != b->n)
		fail_msg("%s: %zu packets, expected %zu", path, a->n, b->n);
	for (size_t i = 0; i < a->n; i++) {
		if (a->ts[i] != b->ts[i])
			fail_msg("%s packet %zu: ts %.17g != %.17g", path, i + 1, a->ts[i],
				 b->ts[i]);
		if (a->caplen[i] != b->caplen[i] || a->wirelen[i] != b->wirelen[i] ||
		    a->sum[i] != b->sum[i] || a->dlt[i] != b->dlt[i])
			fail_msg("%s packet %zu: caplen %zu/%zu len %zu/%zu dlt %d/%d "
				 "or bytes differ",
				 path, i + 1, a->caplen[i], b->caplen[i], a->wirelen[i],
				 b->wirelen[i], a->dlt[i], b->dlt[i]);
	}
}

/* cap_source and libpcap agree on a file libpcap can read: packets, end, message.
 * libpcap refuses a file whose section has no interface yet, where negcap reads zero
 * packets (tshark does too). */
static void same(const char *path, const char *filter)
{
	struct seen a, b;

	via_source(path, filter, &a);
	via_libpcap(path, filter, &b);
	if (!b.open_failed && b.end == CAP_SRC_ERROR && strstr(b.msg, "bigger than snaplen")) {
		/* libpcap stops at a packet over the snap length; negcap reads on, as
		 * tshark: what libpcap gave comes first. */
		assert_true(a.n > b.n);
		a.n = b.n;
		assert_same_packets(path, &a, &b);
	} else if (b.open_failed && !a.open_failed) {
		assert_int_equal(a.n, 0);
		assert_true(strstr(b.msg, "Interface Description") != NULL ||
			    strstr(b.msg, "truncated") != NULL);
	} else {
		if (a.open_failed != b.open_failed)
			fail_msg("%s: open %s by negcap (%s), %s by libpcap (%s)", path,
				 a.open_failed ? "fails" : "works", a.msg,
				 b.open_failed ? "fails" : "works", b.msg);
		assert_same_packets(path, &a, &b);
		if (!a.open_failed) {
			assert_int_equal(a.end, b.end);
			assert_string_equal(a.msg, b.msg);
		}
	}
	seen_free(&a);
	seen_free(&b);
}

/* A one-section file in one byte order with one interface libpcap can read too. */
static void write_single(const char *path, bool be, int tsresol, uint32_t snaplen, long *offs,
			 size_t *noffs)
{
	FILE *f = fopen(path, "wb");
	size_t n = 0;

	assert_non_null(f);
	shb(f, be);
	idb(f, be, 1, snaplen, tsresol, tsresol == 6, 7200);
	for (uint32_t i = 0; i < 12; i++) {
		uint32_t cl = 60 + 97 * i;

		if (offs != NULL)
			offs[n++] = ftell(f);
		if (i == 3)
			other(f, be, 4, 3);       /* name resolution: skipped */
		if (i == 5)
			dsb(f, be, "CLIENT_RANDOM 00 11\n");
		if (i == 7)
			other(f, be, 0x40000bad, 1); /* custom block: skipped */
		if (i == 9)
			old_pb(f, be, 0, 1700000000123456789ull + i, cl,
			       payload((uint16_t)i, cl, 0));
		else
			epb(f, be, 0,
			    1700000000123456789ull / (tsresol == 6 ? 1000 : 1) + i * 1000003ull,
			    cl, cl + (i == 4 ? 1000 : 0), payload((uint16_t)(1000 + i), cl, 0));
	}
	if (offs != NULL)
		offs[n++] = ftell(f);
	fclose(f);
	if (noffs != NULL)
		*noffs = n;
}

static void test_single_interface_like_libpcap(void **state)
{
	char path[1024];
	static const int resols[] = {6, 9, 0x80 | 30};

	(void)state;
	for (int be = 0; be < 2; be++)
		for (size_t r = 0; r < sizeof(resols) / sizeof(resols[0]); r++)
			for (int snap = 0; snap < 2; snap++) {
				snprintf(path, sizeof(path), "%s/s%d%zu%d.pcapng", tmpdir, be, r,
					 snap);
				write_single(path, be != 0, resols[r], snap ? 300 : 0, NULL, NULL);
				same(path, NULL);
				same(path, "udp src port 1002 or udp src port 1006");
			}
}

static void test_single_cut_like_libpcap(void **state)
{
	char path[1024], cut[1024];
	long offs[32], size;
	size_t n;

	(void)state;
	snprintf(path, sizeof(path), "%s/whole.pcapng", tmpdir);
	snprintf(cut, sizeof(cut), "%s/cut.pcapng", tmpdir);
	write_single(path, false, 9, 0, offs, &n);
	size = pcaputil_file_size(path);
	/* Every prefix: never a crash, always what libpcap delivers. */
	for (long at = 0; at < size; at++) {
		assert_int_equal(pcaputil_copy_prefix(path, cut, at), 0);
		same(cut, NULL);
	}
}

/* Sections, interfaces and blocks libpcap does not take, against the values written. */
static void write_mixed(const char *path)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	shb(f, false);
	idb(f, false, 1, 0, -1, false, 0);              /* 0: Ethernet, microseconds */
	idb(f, false, 101, 100, 9, false, 0);           /* 1: raw IP, snap 100, ns */
	idb(f, false, 113, 65535, 0x80 | 20, true, -5); /* 2: SLL, 2^-20 s, offset -5 s */
	dsb(f, false, "CLIENT_RANDOM aa bb\n");
	epb(f, false, 0, 1700000000000001ull, 70, 70, payload(1, 70, 0));
	epb(f, false, 1, 1700000000000000002ull, 150, 150, payload(2, 150, 14));
	other(f, false, 5, 6);                          /* interface statistics */
	epb(f, false, 2, (1700000000ull << 20) | (1u << 19), 80, 80, payload(3, 80, 0));
	spb(f, false, 90, payload(4, 90, 0), 90);       /* interface 0 */
	old_pb(f, false, 1, 1700000001000000000ull, 40, payload(5, 40, 14));
	/* A second section, big-endian, with its own interface 0. */
	shb(f, true);
	idb(f, true, 1, 64, 3, false, 0);               /* milliseconds, snap 64 */
	dsb(f, true, "CLIENT_RANDOM cc dd\n");
	epb(f, true, 0, 1700000002500ull, 100, 100, payload(6, 100, 0));
	spb(f, true, 500, payload(7, 64, 0), 64);       /* 500 long, 64 kept (the snap) */
	fclose(f);
}

static void test_sections_and_interfaces(void **state)
{
	char path[1024];
	struct cap_source *src;
	struct cap_source_opts o;
	struct cap_source_pkt pkt;
	const char *p = path;
	char err[256];
	bool fresh;
	const uint8_t *data;
	uint32_t type;
	static const struct {
		double ts;
		size_t caplen, len;
		int dlt;
		bool fresh;
	} want[] = {
		{1700000000.000001, 70, 70, DLT_EN10MB, true},
		{1700000000.000000002, 150, 150, DLT_RAW, true},
		{1699999995.5, 80, 80, DLT_LINUX_SLL, true},
		{0, 90, 90, DLT_EN10MB, true},
		{1700000001, 40, 40, DLT_RAW, true},
		{1700000002.5, 100, 100, DLT_EN10MB, true},
		{0, 64, 500, DLT_EN10MB, false},
	};
	size_t i = 0;

	(void)state;
	snprintf(path, sizeof(path), "%s/mixed.pcapng", tmpdir);
	write_mixed(path);
	memset(&o, 0, sizeof(o));
	assert_int_equal(cap_source_open_files(&src, &p, 1, &o, err, sizeof(err)), 0);
	while (cap_source_next(src, &pkt, &fresh) == 1) {
		assert_true(i < sizeof(want) / sizeof(want[0]));
		if (pkt.ts != want[i].ts)
			fail_msg("packet %zu: ts %.17g, expected %.17g", i + 1, pkt.ts, want[i].ts);
		assert_int_equal(pkt.caplen, want[i].caplen);
		assert_int_equal(pkt.wirelen, want[i].len);
		assert_int_equal(cap_source_linktype(src), want[i].dlt);
		assert_int_equal(fresh, want[i].fresh);
		assert_int_equal(pkt.skipped_before, 0);
		i++;
	}
	assert_int_equal(i, sizeof(want) / sizeof(want[0]));
	assert_int_equal(cap_source_status(src), CAP_SRC_END);
	assert_int_equal(cap_source_nsecrets(src), 2);
	assert_int_equal(cap_source_secrets(src, 0, &type, &data), strlen("CLIENT_RANDOM aa bb\n"));
	assert_int_equal(type, 0x544c534b);
	assert_memory_equal(data, "CLIENT_RANDOM aa bb\n", 20);
	assert_int_equal(cap_source_secrets(src, 1, &type, &data), 20);
	assert_memory_equal(data, "CLIENT_RANDOM cc dd\n", 20);
	assert_int_equal(cap_source_secrets(src, 2, &type, &data), 0);
	cap_source_close(src);

	/* A filter compiled per link type; skipped frames keep the numbering. */
	o.filter = "udp src port 2 or udp src port 6";
	assert_int_equal(cap_source_open_files(&src, &p, 1, &o, err, sizeof(err)), 0);
	assert_int_equal(cap_source_next(src, &pkt, &fresh), 1);
	assert_int_equal(pkt.skipped_before, 1);
	assert_int_equal(cap_source_linktype(src), DLT_RAW);
	assert_int_equal(cap_source_next(src, &pkt, &fresh), 1);
	assert_int_equal(pkt.skipped_before, 3);
	assert_int_equal(cap_source_linktype(src), DLT_EN10MB);
	assert_int_equal(cap_source_next(src, &pkt, &fresh), 0);
	cap_source_close(src);
}

/* Every prefix of the mixed file: the packets before the cut, then a clean end or a
 * truncation, never anything else. */
static void test_mixed_every_prefix(void **state)
{
	char path[1024], cut[1024];
	struct seen whole, part;
	long size;

	(void)state;
	snprintf(path, sizeof(path), "%s/mixed.pcapng", tmpdir);
	snprintf(cut, sizeof(cut), "%s/mixedcut.pcapng", tmpdir);
	write_mixed(path);
	via_source(path, NULL, &whole);
	size = pcaputil_file_size(path);
	for (long at = 0; at < size; at++) {
		assert_int_equal(pcaputil_copy_prefix(path, cut, at), 0);
		via_source(cut, NULL, &part);
		if (part.open_failed) {
			/* Only a cut section header refuses the file (under 4 bytes, not
			 * even its magic is there). */
			if (at >= 28 || (at >= 4 && strstr(part.msg, "truncated") == NULL))
				fail_msg("cut at %ld: %s", at, part.msg);
		} else {
			assert_true(part.n <= whole.n);
			for (size_t i = 0; i < part.n; i++) {
				assert_true(part.ts[i] == whole.ts[i]);
				assert_int_equal(part.sum[i], whole.sum[i]);
			}
			assert_true(part.end == CAP_SRC_END || part.end == CAP_SRC_TRUNCATED);
			if (part.end == CAP_SRC_TRUNCATED &&
			    strstr(part.msg, "truncated pcapng dump file") == NULL)
				fail_msg("cut at %ld: %s", at, part.msg);
		}
		seen_free(&part);
	}
	seen_free(&whole);
}

static void test_damaged_blocks(void **state)
{
	char path[1024];
	struct seen s;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/damaged.pcapng", tmpdir);
	/* A packet on an interface never described. */
	f = fopen(path, "wb");
	assert_non_null(f);
	shb(f, false);
	idb(f, false, 1, 0, -1, false, 0);
	epb(f, false, 0, 1, 60, 60, payload(1, 60, 0));
	epb(f, false, 3, 2, 60, 60, payload(2, 60, 0));
	fclose(f);
	via_source(path, NULL, &s);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.end, CAP_SRC_ERROR);
	assert_non_null(strstr(s.msg, "interface 3"));
	seen_free(&s);
	/* A block length that is not a multiple of 4, and one over the cap. */
	for (int k = 0; k < 2; k++) {
		struct blk b;

		f = fopen(path, "wb");
		assert_non_null(f);
		shb(f, false);
		begin(&b, false, 6);
		blk32(&b, k ? 0x7ffffff0u : 13);
		assert_int_equal(fwrite(b.b, 1, 8, f), 8);
		assert_int_equal(fwrite(b.b, 1, 8, f), 8);
		fclose(f);
		via_source(path, NULL, &s);
		assert_int_equal(s.n, 0);
		assert_int_equal(s.end, CAP_SRC_ERROR);
		assert_non_null(strstr(s.msg, "invalid length"));
		seen_free(&s);
	}
}

/* ---- files made by editcap and mergecap ---- */

static bool have_tool(const char *name)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", name);
	return system(cmd) == 0;
}

static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int run(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

static size_t check_converted(const char *dir, bool every_prefix)
{
	struct pcaputil_list files;
	char out[1024], q1[1100], q2[1100];
	size_t checked = 0;

	pcaputil_find(dir, &files);
	for (size_t i = 0; i < files.n; i++) {
		if (pcaputil_file_size(files.v[i]) > (8l << 20))
			continue; /* a few big ones would take most of the time */
		snprintf(out, sizeof(out), "%s/conv.pcapng", tmpdir);
		if (run("editcap -F pcapng %s %s >/dev/null 2>&1", pcaputil_quote(files.v[i], q1,
		    sizeof(q1)), pcaputil_quote(out, q2, sizeof(q2))) != 0)
			continue; /* editcap refuses it too (a damaged capture) */
		same(out, NULL);
		same(out, "tcp port 88 or udp port 88");
		if (strstr(files.v[i], ".pcapng") != NULL)
			same(files.v[i], NULL); /* as recorded */
		if (every_prefix) {
			char cut[1024];
			long size = pcaputil_file_size(out);

			snprintf(cut, sizeof(cut), "%s/convcut.pcapng", tmpdir);
			for (long at = 0; at < size; at++) {
				assert_int_equal(pcaputil_copy_prefix(out, cut, at), 0);
				same(cut, NULL);
			}
			every_prefix = false;
		}
		checked++;
	}
	pcaputil_list_free(&files);
	return checked;
}

static void test_samples_converted_like_libpcap(void **state)
{
	(void)state;
	if (!have_tool("editcap")) {
		skip();
		return;
	}
	assert_true(check_converted(NEGSCOPE_SAMPLES_DIR, true) > 0);
	(void)check_converted(NEGSCOPE_CAPTURES_DIR, false);
}

/* editcap --inject-secrets puts a TLS key log into a Decryption Secrets Block: the
 * source keeps it, byte for byte. */
static void test_injected_secrets(void **state)
{
	char keylog[1100], pcap[1100], out[1024], q[3][1100];
	struct cap_source *src;
	struct cap_source_pkt pkt;
	const char *p = out;
	const uint8_t *data;
	uint32_t type;
	char err[256], *want;
	bool fresh;
	size_t n = 0, len;
	long size;
	FILE *f;

	(void)state;
	if (!have_tool("editcap")) {
		skip();
		return;
	}
	snprintf(keylog, sizeof(keylog), "%s/https-kerberos-ok.keylog", NEGSCOPE_SAMPLES_DIR);
	snprintf(pcap, sizeof(pcap), "%s/https-kerberos-ok.pcap", NEGSCOPE_SAMPLES_DIR);
	snprintf(out, sizeof(out), "%s/secrets.pcapng", tmpdir);
	assert_int_equal(run("editcap --inject-secrets tls,%s -F pcapng %s %s",
			     pcaputil_quote(keylog, q[0], sizeof(q[0])),
			     pcaputil_quote(pcap, q[1], sizeof(q[1])),
			     pcaputil_quote(out, q[2], sizeof(q[2]))), 0);
	size = pcaputil_file_size(keylog);
	want = malloc((size_t)size);
	f = fopen(keylog, "rb");
	assert_true(want != NULL && f != NULL);
	assert_int_equal(fread(want, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	assert_int_equal(cap_source_open_files(&src, &p, 1, NULL, err, sizeof(err)), 0);
	while (cap_source_next(src, &pkt, &fresh) == 1)
		n++;
	assert_true(n > 0);
	assert_int_equal(cap_source_nsecrets(src), 1);
	len = cap_source_secrets(src, 0, &type, &data);
	assert_int_equal(type, 0x544c534b);
	assert_int_equal(len, (size_t)size);
	assert_memory_equal(data, want, len);
	cap_source_close(src);
	free(want);
}

/* The same capture plain, gzip-, zstd- and lz4-compressed (as files and on standard
 * input): the same packets; a compressed file cut short ends as a truncation. */
static void test_compressed_inputs(void **state)
{
	static const char *const tools[] = {"gzip -c", "zstd -q -c", "lz4 -q -c"};
	char ng[1024], sample[1100], z[1024], q[3][1100];
	struct seen plain, got;

	(void)state;
	if (!have_tool("editcap") || !have_tool("gzip") || !have_tool("zstd") ||
	    !have_tool("lz4")) {
		skip();
		return;
	}
	snprintf(sample, sizeof(sample), "%s/stale-keytab.pcap", NEGSCOPE_SAMPLES_DIR);
	snprintf(ng, sizeof(ng), "%s/plain.pcapng", tmpdir);
	snprintf(z, sizeof(z), "%s/packed", tmpdir);
	pcaputil_quote(sample, q[0], sizeof(q[0]));
	pcaputil_quote(ng, q[1], sizeof(q[1]));
	pcaputil_quote(z, q[2], sizeof(q[2]));
	assert_int_equal(run("editcap -F pcapng %s %s", q[0], q[1]), 0);
	for (int form = 0; form < 2; form++) {
		const char *src = form == 0 ? ng : sample;
		const char *qs = form == 0 ? q[1] : q[0];

		via_source(src, NULL, &plain);
		assert_true(plain.n > 10);
		for (size_t t = 0; t < sizeof(tools) / sizeof(tools[0]); t++) {
			assert_int_equal(run("%s %s >%s", tools[t], qs, q[2]), 0);
			via_source(z, NULL, &got);
			assert_same_packets(z, &got, &plain);
			assert_int_equal(got.end, CAP_SRC_END);
			seen_free(&got);
			/* Cut in the middle: the packets before, then a truncation. */
			assert_int_equal(run("head -c %ld %s >%s.cut",
					     pcaputil_file_size(z) * 2 / 3, q[2], q[2]), 0);
			{
				char cut[1100];
				size_t all;

				snprintf(cut, sizeof(cut), "%s.cut", z);
				via_source(cut, NULL, &got);
				if (got.open_failed) {
					/* zstd and lz4 decode whole blocks: a small file is one,
					 * and a cut one gives nothing at all. */
					assert_true(t > 0);
					assert_non_null(strstr(got.msg, "the file is cut"));
					seen_free(&got);
					continue;
				}
				all = plain.n;
				assert_true(got.n < plain.n);
				assert_int_equal(got.end, CAP_SRC_TRUNCATED);
				plain.n = got.n;
				assert_same_packets(cut, &got, &plain);
				plain.n = all;
				seen_free(&got);
			}
		}
		seen_free(&plain);
	}
}

/* Network Monitor 2.x files written by editcap: the frames, bytes and (microsecond)
 * times of the sample they were made from. */
static void test_netmon_like_the_pcap(void **state)
{
	struct pcaputil_list files;
	char out[1024], q[2][1100];
	size_t checked = 0;

	(void)state;
	if (!have_tool("editcap")) {
		skip();
		return;
	}
	snprintf(out, sizeof(out), "%s/nm.cap", tmpdir);
	pcaputil_find(NEGSCOPE_SAMPLES_DIR, &files);
	for (size_t i = 0; i < files.n; i++) {
		struct seen a, b;

		if (run("editcap -F netmon2 %s %s", pcaputil_quote(files.v[i], q[0], sizeof(q[0])),
			pcaputil_quote(out, q[1], sizeof(q[1]))) != 0)
			continue;
		via_source(out, NULL, &a);
		via_source(files.v[i], NULL, &b);
		assert_int_equal(a.end, CAP_SRC_END);
		assert_int_equal(a.n, b.n);
		for (size_t k = 0; k < a.n; k++) {
			if (a.ts[k] - b.ts[k] > 1e-6 || b.ts[k] - a.ts[k] > 1e-6)
				fail_msg("%s frame %zu: %.9f, pcap %.9f", files.v[i], k + 1,
					 a.ts[k], b.ts[k]);
			assert_int_equal(a.caplen[k], b.caplen[k]);
			assert_int_equal(a.wirelen[k], b.wirelen[k]);
			assert_int_equal(a.sum[k], b.sum[k]);
			assert_int_equal(a.dlt[k], b.dlt[k]);
		}
		seen_free(&a);
		seen_free(&b);
		checked++;
	}
	pcaputil_list_free(&files);
	assert_true(checked > 0);
}

/* tshark's frame numbers, times and lengths of a file. */
static void via_tshark(const char *path, struct pcaputil_list *out)
{
	char q[1100];
	char cmd[1400];

	snprintf(cmd, sizeof(cmd), "tshark -n -r %s -T fields -e frame.time_epoch -e frame.cap_len "
		 "-e frame.len 2>/dev/null", pcaputil_quote(path, q, sizeof(q)));
	assert_int_equal(pcaputil_run(cmd, out), 0);
}

/* mergecap of two halves of a sample, one cut to a 120-byte snap length, the other
 * made raw IP: the frames are the sample's, in its order, as tshark numbers them. */
static void test_mergecap_snaplens_and_link_types(void **state)
{
	char s[1100], a[1024], b[1024], m[1024], q[4][1100];
	static char sel[2][8192];
	struct pcaputil_list tsh;
	struct seen got, orig;

	(void)state;
	if (!have_tool("editcap") || !have_tool("mergecap") || !pcaputil_have_tshark()) {
		skip();
		return;
	}
	snprintf(s, sizeof(s), "%s/stale-keytab.pcap", NEGSCOPE_SAMPLES_DIR);
	snprintf(a, sizeof(a), "%s/half1.pcapng", tmpdir);
	snprintf(b, sizeof(b), "%s/half2.pcapng", tmpdir);
	snprintf(m, sizeof(m), "%s/merged.pcapng", tmpdir);
	pcaputil_quote(s, q[0], sizeof(q[0]));
	pcaputil_quote(a, q[1], sizeof(q[1]));
	pcaputil_quote(b, q[2], sizeof(q[2]));
	pcaputil_quote(m, q[3], sizeof(q[3]));
	/* Odd frames keep Ethernet with snap 120; even ones become raw IP (editcap keeps
	 * the frames listed with -r). */
	via_source(s, NULL, &orig);
	sel[0][0] = sel[1][0] = '\0';
	for (size_t i = 1; i <= orig.n; i++) {
		size_t used = strlen(sel[i % 2]);

		snprintf(sel[i % 2] + used, sizeof(sel[0]) - used, " %zu", i);
	}
	assert_int_equal(run("editcap -F pcapng -s 120 -r %s %s%s", q[0], q[1], sel[1]), 0);
	assert_int_equal(run("editcap -F pcapng -r -C 14 -T rawip %s %s%s", q[0], q[2], sel[0]), 0);
	assert_int_equal(run("mergecap -F pcapng -w %s %s %s", q[3], q[1], q[2]), 0);
	via_tshark(m, &tsh);
	via_source(m, NULL, &got);
	assert_int_equal(got.n, tsh.n);
	assert_int_equal(got.n, orig.n);
	for (size_t i = 0; i < got.n; i++) {
		double t;
		size_t cl, wl;

		char *e;

		t = strtod(tsh.v[i], &e);
		cl = (size_t)strtoul(e, &e, 10);
		wl = (size_t)strtoul(e, &e, 10);
		assert_int_equal(*e, '\0');
		if (got.ts[i] - t > 1e-6 || t - got.ts[i] > 1e-6)
			fail_msg("frame %zu: ts %.9f, tshark %.9f", i + 1, got.ts[i], t);
		assert_int_equal(got.caplen[i], cl);
		assert_int_equal(got.wirelen[i], wl);
		assert_true(got.ts[i] == orig.ts[i]);
		assert_int_equal(got.dlt[i], i % 2 == 0 ? DLT_EN10MB : DLT_RAW);
	}
	pcaputil_list_free(&tsh);
	seen_free(&got);
	seen_free(&orig);
}

/* The cases that run editcap, mergecap, gzip, zstd, lz4 and tshark are a separate ctest
 * test (`test_pcapng_file --tools`, label oracle): `ctest -L unit` needs no external tool. */
int main(int argc, char **argv)
{
	const struct CMUnitTest unit[] = {
		cmocka_unit_test(test_single_interface_like_libpcap),
		cmocka_unit_test(test_single_cut_like_libpcap),
		cmocka_unit_test(test_sections_and_interfaces),
		cmocka_unit_test(test_mixed_every_prefix),
		cmocka_unit_test(test_damaged_blocks),
	};
	const struct CMUnitTest tools[] = {
		cmocka_unit_test(test_samples_converted_like_libpcap),
		cmocka_unit_test(test_mergecap_snaplens_and_link_types),
		cmocka_unit_test(test_injected_secrets),
		cmocka_unit_test(test_compressed_inputs),
		cmocka_unit_test(test_netmon_like_the_pcap),
	};

	if (argc > 1 && strcmp(argv[1], "--tools") == 0)
		return cmocka_run_group_tests(tools, setup, teardown);
	return cmocka_run_group_tests(unit, setup, teardown);
}
