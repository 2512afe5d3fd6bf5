/* test_pcap_file.c - the fast classic-pcap reader against libpcap itself: files are
 * written here in every form the reader takes (either byte order, micro- and
 * nanosecond magic, records over the snapshot length, over 262144 bytes, larger than
 * the reader's chunk, negative timestamp fields) and in forms it hands back to libpcap
 * (version 2.3), cut at many offsets; cap_source must deliver exactly what
 * pcap_next_ex delivers (time stamps, lengths, bytes, count) and end the same way,
 * with libpcap's message.  Filters go through pcap_offline_filter. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <pcap/pcap.h>

#include "pipeline/readahead.h"
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
	pcaputil_rmdir(tmpdir);
	free(tmpdir);
	return 0;
}

struct writer {
	FILE *f;
	bool be;
};

static void w32(struct writer *w, uint32_t v)
{
	uint8_t b[4];

	if (w->be) {
		b[0] = (uint8_t)(v >> 24);
		b[1] = (uint8_t)(v >> 16);
		b[2] = (uint8_t)(v >> 8);
		b[3] = (uint8_t)v;
	} else {
		b[0] = (uint8_t)v;
		b[1] = (uint8_t)(v >> 8);
		b[2] = (uint8_t)(v >> 16);
		b[3] = (uint8_t)(v >> 24);
	}
	assert_int_equal(fwrite(b, 1, 4, w->f), 4);
}

static void w16(struct writer *w, uint16_t v)
{
	uint8_t b[2];

	b[0] = (uint8_t)(w->be ? v >> 8 : v);
	b[1] = (uint8_t)(w->be ? v : v >> 8);
	assert_int_equal(fwrite(b, 1, 2, w->f), 2);
}

static void file_header(struct writer *w, bool nano, uint16_t minor, uint32_t snaplen,
			uint32_t linktype)
{
	w32(w, nano ? 0xa1b23c4du : 0xa1b2c3d4u);
	w16(w, 2);
	w16(w, minor);
	w32(w, 0);
	w32(w, 0);
	w32(w, snaplen);
	w32(w, linktype);
}

/* A record whose bytes are an Ethernet/IPv4/UDP frame from port `sport` padded with a
 * pattern to `caplen` bytes (udp so that a filter can tell records apart). */
static void record(struct writer *w, uint32_t sec, uint32_t frac, uint32_t caplen,
		   uint32_t len, uint16_t sport)
{
	static uint8_t buf[300000];
	struct frame_buf fb;
	uint32_t i;

	udp_frame(&fb, 1, sport, 2, 9999, (const uint8_t *)"x", 1);
	for (i = 0; i < caplen; i++)
		buf[i] = i < fb.len ? fb.b[i] : (uint8_t)(i * 7 + sport);
	w32(w, sec);
	w32(w, frac);
	w32(w, caplen);
	w32(w, len);
	assert_int_equal(fwrite(buf, 1, caplen, w->f), caplen);
}

/* The packets and the end of a file as cap_source and as libpcap see them. */
struct seen {
	size_t n;
	double ts[64];
	size_t caplen[64], wirelen[64];
	uint32_t sum[64]; /* of the bytes */
	enum cap_source_status end;
	char msg[512];
};

static uint32_t checksum(const uint8_t *p, size_t n)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static void via_source(const char *path, const char *filter, struct seen *s)
{
	struct cap_source_opts o;
	struct cap_source *src;
	struct cap_source_pkt pkt;
	char err[512];
	bool fresh;

	memset(s, 0, sizeof(*s));
	memset(&o, 0, sizeof(o));
	o.filter = filter;
	assert_int_equal(cap_source_open_files(&src, &path, 1, &o, err, sizeof(err)), 0);
	while (cap_source_next(src, &pkt, &fresh) == 1) {
		assert_true(s->n < 64);
		s->ts[s->n] = pkt.ts;
		s->caplen[s->n] = pkt.caplen;
		s->wirelen[s->n] = pkt.wirelen;
		s->sum[s->n] = checksum(pkt.data, pkt.caplen);
		s->n++;
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

	memset(s, 0, sizeof(*s));
	assert_non_null(p);
	if (filter != NULL) {
		struct bpf_program prog;

		assert_int_equal(pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN), 0);
		assert_int_equal(pcap_setfilter(p, &prog), 0);
		pcap_freecode(&prog);
	}
	while ((r = pcap_next_ex(p, &h, &d)) == 1) {
		assert_true(s->n < 64);
		s->ts[s->n] = (double)h->ts.tv_sec + (double)h->ts.tv_usec / 1e9;
		s->caplen[s->n] = h->caplen;
		s->wirelen[s->n] = h->len;
		s->sum[s->n] = checksum(d, h->caplen);
		s->n++;
	}
	if (r == PCAP_ERROR_BREAK) {
		s->end = CAP_SRC_END;
	} else {
		const char *e = pcap_geterr(p);

		s->end = strstr(e, "truncated") != NULL ? CAP_SRC_TRUNCATED : CAP_SRC_ERROR;
		snprintf(s->msg, sizeof(s->msg), "%s: %s", path, e);
	}
	pcap_close(p);
}

static void same(const char *path, const char *filter)
{
	struct seen a, b;
	size_t i;

	via_source(path, filter, &a);
	via_libpcap(path, filter, &b);
	assert_int_equal(a.n, b.n);
	for (i = 0; i < a.n; i++) {
		if (a.ts[i] != b.ts[i])
			fail_msg("%s packet %zu: ts %.17g != %.17g", path, i, a.ts[i], b.ts[i]);
		assert_int_equal(a.caplen[i], b.caplen[i]);
		assert_int_equal(a.wirelen[i], b.wirelen[i]);
		assert_int_equal(a.sum[i], b.sum[i]);
	}
	assert_int_equal(a.end, b.end);
	assert_string_equal(a.msg, b.msg);
}

/* Writes a file of every record form; returns the offsets where records start. */
static size_t write_file(const char *path, bool be, bool nano, uint16_t minor, uint32_t snaplen,
			 long *offs, size_t max)
{
	struct writer w;
	size_t n = 0;
	int i;

	w.f = fopen(path, "wb");
	w.be = be;
	assert_non_null(w.f);
	file_header(&w, nano, minor, snaplen, 1);
#define REC(...)                                  \
	do {                                      \
		if (n < max)                      \
			offs[n++] = ftell(w.f);   \
		record(&w, __VA_ARGS__);          \
	} while (0)
	REC(1700000000u, nano ? 123456789u : 123456u, 60, 60, 1000);
	REC(0xfffffff0u, 0xffffffffu, 80, 1514, 1001);   /* negative fields, cut on the wire */
	REC(0x80000001u, nano ? 999999999u : 999999u, 150, 150, 1002); /* over a 100 snaplen */
	for (i = 0; i < 3; i++)                          /* crosses the reader's chunks */
		REC(5, (uint32_t)i, 100000, 100000, (uint16_t)(1003 + i));
	REC(6, 1, 262144, 262144, 1010);                 /* larger than a chunk: the reader grows */
	REC(7, 2, 64, 64, 1011);
#undef REC
	fclose(w.f);
	return n;
}

static void test_forms_like_libpcap(void **state)
{
	char path[1024];
	long offs[32];
	int be, nano;

	(void)state;
	for (be = 0; be < 2; be++) {
		for (nano = 0; nano < 2; nano++) {
			snprintf(path, sizeof(path), "%s/f%d%d.pcap", tmpdir, be, nano);
			write_file(path, be != 0, nano != 0, 4, 262144, offs, 32);
			same(path, NULL);
			same(path, "udp src port 1001 or udp src port 1010");
			/* snaplen 100: libpcap cuts records over it, the reader must too */
			write_file(path, be != 0, nano != 0, 4, 100, offs, 32);
			same(path, NULL);
			/* version 2.3: not the reader's, libpcap reads it */
			write_file(path, be != 0, nano != 0, 3, 262144, offs, 32);
			same(path, NULL);
		}
	}
}

static void test_cut_like_libpcap(void **state)
{
	char path[1024], cut[1024];
	long offs[32], size, at;
	size_t n, i;
	const long deltas[] = { 0, 1, 7, 15, 16, 17, 60, 99 };

	(void)state;
	snprintf(path, sizeof(path), "%s/whole.pcap", tmpdir);
	snprintf(cut, sizeof(cut), "%s/cut.pcap", tmpdir);
	n = write_file(path, false, true, 4, 100, offs, 32);
	size = pcaputil_file_size(path);
	for (i = 0; i < n; i++) {
		for (size_t k = 0; k < sizeof(deltas) / sizeof(deltas[0]); k++) {
			at = offs[i] + deltas[k];
			if (at >= size)
				continue;
			assert_int_equal(pcaputil_copy_prefix(path, cut, at), 0);
			same(cut, NULL);
		}
	}
}

/* A whole file's packets folded into one digest (count, times, lengths, bytes) and its
 * end, for files too large to keep packet by packet. */
struct digest {
	uint64_t n;
	uint32_t h;
	enum cap_source_status end;
	char msg[512];
};

static void fold(struct digest *d, double ts, size_t caplen, size_t wirelen, const uint8_t *p)
{
	/* Milliseconds since the epoch pass 2^32: wrap them as an integer (a double out of
	 * range converted straight to uint32_t is undefined behaviour, which UBSan reports). */
	uint32_t v[3] = { (uint32_t)(uint64_t)(ts * 1e3), (uint32_t)caplen, (uint32_t)wirelen };

	d->h = (d->h ^ checksum((const uint8_t *)v, sizeof(v))) * 16777619u;
	d->h = (d->h ^ checksum(p, caplen)) * 16777619u;
	d->n++;
}

static void digest_source(const char *path, struct digest *d)
{
	struct cap_source_opts o;
	struct cap_source *src;
	struct cap_source_pkt pkt;
	char err[512];
	bool fresh;

	memset(d, 0, sizeof(*d));
	memset(&o, 0, sizeof(o));
	assert_int_equal(cap_source_open_files(&src, &path, 1, &o, err, sizeof(err)), 0);
	while (cap_source_next(src, &pkt, &fresh) == 1)
		fold(d, pkt.ts, pkt.caplen, pkt.wirelen, pkt.data);
	d->end = cap_source_status(src);
	snprintf(d->msg, sizeof(d->msg), "%s", cap_source_message(src));
	cap_source_close(src);
}

static void digest_libpcap(const char *path, struct digest *d)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, err);
	struct pcap_pkthdr *h;
	const u_char *data;
	int r;

	memset(d, 0, sizeof(*d));
	assert_non_null(p);
	while ((r = pcap_next_ex(p, &h, &data)) == 1)
		fold(d, (double)h->ts.tv_sec + (double)h->ts.tv_usec / 1e9, h->caplen, h->len,
		     data);
	if (r == PCAP_ERROR_BREAK) {
		d->end = CAP_SRC_END;
	} else {
		const char *e = pcap_geterr(p);

		d->end = strstr(e, "truncated") != NULL ? CAP_SRC_TRUNCATED : CAP_SRC_ERROR;
		snprintf(d->msg, sizeof(d->msg), "%s: %s", path, e);
	}
	pcap_close(p);
}

/* A file above the size from which a thread reads ahead (capture/pipeline/readahead.h):
 * records of every size up to the largest, so that records run across the thread's blocks
 * with heads both smaller and larger than the room kept before a block; whole and cut
 * inside such records, cap_source must deliver what libpcap does. */
static void test_read_ahead_thread_like_libpcap(void **state)
{
	char path[1024], cut[1024];
	struct writer w;
	struct digest a, b;
	long size;
	uint32_t i, len;
	const long cuts[] = { 3, 1000003, 1048576 * 3 + 17, 0 };

	(void)state;
	snprintf(path, sizeof(path), "%s/big.pcap", tmpdir);
	snprintf(cut, sizeof(cut), "%s/bigcut.pcap", tmpdir);
	w.f = fopen(path, "wb");
	w.be = false;
	assert_non_null(w.f);
	file_header(&w, true, 4, 262144, 1);
	for (i = 0; ftell(w.f) < 12L * 1048576; i++) {
		/* mostly frames, every 7th up to 256 KiB */
		len = i % 7 == 6 ? 60 + (i * 40503u) % 262085u : 60 + (i * 2654435761u) % 1455u;
		record(&w, 1700000000u + i, i % 1000000000u, len, len + i % 3, (uint16_t)i);
	}
	fclose(w.f);
	size = pcaputil_file_size(path);
	assert_true(size >= READAHEAD_THREAD_MIN);
	digest_source(path, &a);
	digest_libpcap(path, &b);
	assert_int_equal(a.n, b.n);
	assert_int_equal(a.h, b.h);
	assert_int_equal(a.end, CAP_SRC_END);
	assert_int_equal(b.end, CAP_SRC_END);
	for (i = 0; cuts[i] != 0; i++) {
		assert_int_equal(pcaputil_copy_prefix(path, cut, size - cuts[i]), 0);
		digest_source(cut, &a);
		digest_libpcap(cut, &b);
		assert_int_equal(a.n, b.n);
		assert_int_equal(a.h, b.h);
		assert_int_equal(a.end, b.end);
		assert_string_equal(a.msg, b.msg);
	}
}

static void test_insane_length(void **state)
{
	char path[1024];
	struct writer w;
	struct seen s;

	(void)state;
	snprintf(path, sizeof(path), "%s/insane.pcap", tmpdir);
	for (int snap = 0; snap < 2; snap++) {
		w.f = fopen(path, "wb");
		w.be = false;
		assert_non_null(w.f);
		file_header(&w, false, 4, snap ? 65535 : 262144, 1);
		record(&w, 1, 1, 60, 60, 1);
		record(&w, 1, 2, 300000, 300000, 2);
		fclose(w.f);
		same(path, NULL);
		via_source(path, NULL, &s);
		assert_int_equal(s.n, 1);
		assert_int_equal(s.end, CAP_SRC_ERROR);
		assert_non_null(strstr(s.msg, "invalid packet capture length 300000"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forms_like_libpcap),
		cmocka_unit_test(test_cut_like_libpcap),
		cmocka_unit_test(test_insane_length),
		cmocka_unit_test(test_read_ahead_thread_like_libpcap),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
