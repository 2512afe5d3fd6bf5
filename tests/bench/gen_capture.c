/* gen_capture.c - writes the large, realistic benchmark capture of issue 6 from samples/.
 *
 * Background traffic: HTTP/1.x without authentication (keep-alive and not, Content-Length,
 * chunked and close-delimited bodies, GET and POST) and opaque TLS-like connections, with
 * three-way handshakes, FIN closes, consistent seq/ack numbers, a bare ACK for each data
 * segment and valid checksums, from thousands of client addresses to a few dozen servers.
 * Spread through it: every sample pcap replayed again and again, each time under a client
 * address of its own, shifted client ports and new sequence numbers (server ports and
 * payloads unchanged).  The findings negcap reports on each sample alone are mapped through
 * the frame numbers its packets got: that is the list negcap must report on the big file.
 *
 * Deterministic: the same options give the same bytes.  Only the output buffer, the sample
 * packets and the expected findings are allocated; no allocation per packet.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "findings_json.h"
#include "negscope/cursor.h"

#define FRAME_MAX (256 * 1024)
#define SNAPLEN 262144
#define OUTBUF_SIZE (8u << 20)
#define SRC_LEN (1u << 18)    /* text and random body sources, bytes */
#define MAX_SLOTS 4096        /* concurrent connections at most */
#define MAX_SAMPLES 128
#define MAX_SAMPLE_PKTS 1024  /* packets in one sample pcap at most */
#define MAX_SERVER_EPS 16     /* server endpoints in one sample at most */
#define BASE_EPOCH 1767261600 /* 2026-01-01 10:00 UTC: the capture's start */
#define NEGCAP_OUT_MAX (16u << 20)

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10

/* ---------------------------------------------------------------- options */

struct opts {
	const char *out_path, *expect_path, *placement_path, *samples_dir, *negcap;
	uint64_t seed, min_bytes, min_packets;
	unsigned embed_every, concurrency, nclients, nservers, max_gap_us;
	unsigned inst_clients; /* 0: a client address per sample instance; N: N addresses */
	bool loopback, quiet;
};

/* ---------------------------------------------------------------- random */

static uint64_t rng_s;

static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t rnd(void)
{
	rng_s += 0x9e3779b97f4a7c15ULL;
	return mix64(rng_s);
}

static uint32_t rnd_below(uint32_t n)
{
	return n ? (uint32_t)(((rnd() >> 32) * (uint64_t)n) >> 32) : 0;
}

static uint32_t rnd_range(uint32_t lo, uint32_t hi)
{
	return lo + rnd_below(hi - lo + 1);
}

/* Log-uniform in [lo, hi]: many small values, a long tail, as object sizes are. */
static uint32_t rnd_log(uint32_t lo, uint32_t hi)
{
	double u = (double)(rnd() >> 11) / 9007199254740992.0;
	double v = (double)lo * exp(u * log((double)hi / (double)lo));

	return v < lo ? lo : v > hi ? hi : (uint32_t)v;
}

/* ---------------------------------------------------------------- output */

struct out {
	FILE *f;
	uint8_t *buf;
	size_t len;
	uint64_t packets, bytes, acks;
	bool err;
};

static void out_flush(struct out *o)
{
	if (o->len && fwrite(o->buf, 1, o->len, o->f) != o->len)
		o->err = true;
	o->len = 0;
}

static void out_put(struct out *o, const void *p, size_t n)
{
	if (o->len + n > OUTBUF_SIZE)
		out_flush(o);
	memcpy(o->buf + o->len, p, n);
	o->len += n;
	o->bytes += n;
}

static void out_header(struct out *o)
{
	uint32_t magic = 0xa1b2c3d4, snap = SNAPLEN, link = 1 /* DLT_EN10MB */;
	uint16_t vmaj = 2, vmin = 4;
	int32_t zone = 0;
	uint32_t sigfigs = 0;

	out_put(o, &magic, 4);
	out_put(o, &vmaj, 2);
	out_put(o, &vmin, 2);
	out_put(o, &zone, 4);
	out_put(o, &sigfigs, 4);
	out_put(o, &snap, 4);
	out_put(o, &link, 4);
}

static void out_record(struct out *o, uint64_t ts_us, const uint8_t *frame, uint32_t caplen,
		       uint32_t wirelen)
{
	uint32_t h[4];

	h[0] = (uint32_t)(BASE_EPOCH + ts_us / 1000000);
	h[1] = (uint32_t)(ts_us % 1000000);
	h[2] = caplen;
	h[3] = wirelen;
	out_put(o, h, sizeof(h));
	out_put(o, frame, caplen);
	o->packets++;
}

/* ---------------------------------------------------------------- checksums */

/* One's complement sum over native-order words; the sum is byte-order independent
 * (RFC 1071), so storing the folded complement natively gives network order. */
static uint64_t csum_add(uint64_t sum, const uint8_t *p, size_t n)
{
	while (n >= 8) {
		uint32_t a, b;

		memcpy(&a, p, 4);
		memcpy(&b, p + 4, 4);
		sum += (uint64_t)a + b;
		p += 8;
		n -= 8;
	}
	if (n >= 4) {
		uint32_t a;

		memcpy(&a, p, 4);
		sum += a;
		p += 4;
		n -= 4;
	}
	if (n >= 2) {
		uint16_t a;

		memcpy(&a, p, 2);
		sum += a;
		p += 2;
		n -= 2;
	}
	if (n) {
		uint16_t a = 0;

		memcpy(&a, p, 1);
		sum += a;
	}
	return sum;
}

static void csum_store(uint8_t *at, uint64_t sum)
{
	uint16_t r;

	sum = (sum & 0xffffffffu) + (sum >> 32);
	sum = (sum & 0xffffffffu) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	r = (uint16_t)~sum;
	memcpy(at, &r, 2);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static void ip_checksum(uint8_t *ip, size_t ihl)
{
	ip[10] = ip[11] = 0;
	csum_store(ip + 10, csum_add(0, ip, ihl));
}

/* TCP/UDP checksum over the pseudo-header and l4 bytes; csum_off is the field's offset. */
static void l4_checksum(const uint8_t *ip, uint8_t proto, uint8_t *l4, size_t l4len,
			size_t csum_off)
{
	uint8_t ph[12];
	uint64_t sum;

	memcpy(ph, ip + 12, 8);
	ph[8] = 0;
	ph[9] = proto;
	put16(ph + 10, (uint16_t)l4len);
	l4[csum_off] = l4[csum_off + 1] = 0;
	sum = csum_add(csum_add(0, ph, 12), l4, l4len);
	csum_store(l4 + csum_off, sum);
	if (proto == 17 && l4[csum_off] == 0 && l4[csum_off + 1] == 0)
		l4[csum_off] = l4[csum_off + 1] = 0xff; /* UDP sends a zero sum as all ones */
}

/* ---------------------------------------------------------------- addresses */

static uint32_t net_a = 10; /* first octet: 10, or 127 for a file to replay on lo */

static uint32_t addr(uint32_t b, uint32_t c, uint32_t d)
{
	return (net_a << 24) | ((b & 255) << 16) | ((c & 255) << 8) | (d & 255);
}

/* Host i of a /8 block starting at second octet b0, avoiding .0 and .255. */
static uint32_t host_addr(uint32_t b0, uint32_t i)
{
	return addr(b0 + i / (254 * 254), 1 + (i / 254) % 254, 1 + i % 254);
}

static void mac_of(uint8_t *mac, uint32_t ip)
{
	mac[0] = 0x02; /* locally administered, and not lo's all-zero address */
	mac[1] = 0x00;
	put32(mac + 2, ip);
}

/* ---------------------------------------------------------------- samples */

enum role { ROLE_CLIENT, ROLE_WEB, ROLE_KDC };

struct endpoint {
	uint8_t proto;
	uint32_t ip;
	uint16_t port;
};

struct spkt {
	uint8_t *data;
	uint32_t caplen, wirelen;
	uint8_t proto;
	uint16_t ihl;          /* IPv4 header bytes, at offset 14 */
	uint32_t l4_off, l4_len; /* L4 bytes present in the capture */
	bool l4_whole;         /* every L4 byte the IP header announces was captured */
	uint32_t sip, dip;
	uint16_t sport, dport;
	uint8_t tcp_flags, tcp_hl;
	/* ICMP error: the quoted IPv4 header and the first bytes of its L4 header */
	bool quote;
	uint32_t q_ip_off, q_ihl, q_l4_off;
	uint8_t q_proto;
	uint32_t q_sip, q_dip;
	uint16_t q_sport, q_dport;
};

struct sample {
	char name[96];
	char path[PATH_MAX];
	struct spkt pkts[MAX_SAMPLE_PKTS];
	size_t npkts;
	struct endpoint servers[MAX_SERVER_EPS];
	size_t nservers;
	struct bench_finding *findings;
	size_t nfindings;
	uint64_t instances;
	unsigned syns; /* TCP connections opened in the sample */
};

static bool is_kdc_port(uint16_t port)
{
	return port == 88 || port == 464;
}

static int find_server(const struct sample *s, uint8_t proto, uint32_t ip, uint16_t port)
{
	for (size_t i = 0; i < s->nservers; i++)
		if (s->servers[i].proto == proto && s->servers[i].ip == ip &&
		    s->servers[i].port == port)
			return (int)i;
	return -1;
}

static int add_server(struct sample *s, uint8_t proto, uint32_t ip, uint16_t port)
{
	if (find_server(s, proto, ip, port) >= 0)
		return 0;
	if (s->nservers == MAX_SERVER_EPS) {
		fprintf(stderr, "gen_capture: %s: more than %d server endpoints\n", s->path,
			MAX_SERVER_EPS);
		return -1;
	}
	s->servers[s->nservers].proto = proto;
	s->servers[s->nservers].ip = ip;
	s->servers[s->nservers].port = port;
	s->nservers++;
	return 0;
}

/* Reads an L4 header's ports at the cursor. */
static void read_ports(struct cap_cursor *c, uint16_t *sport, uint16_t *dport)
{
	*sport = cap_cur_be16(c);
	*dport = cap_cur_be16(c);
}

/* Decodes one sample packet's headers through a cursor; fills the offsets the rewriter
 * patches.  Only Ethernet + IPv4 (TCP, UDP, ICMP) is supported: samples are lo captures. */
static int parse_spkt(const char *path, size_t frame, struct spkt *k)
{
	struct cap_cursor c = cap_cur_init(k->data, k->caplen);
	struct cap_cursor ip, l4;
	uint16_t etype, tot;
	uint8_t vihl;

	cap_cur_skip(&c, 12);
	etype = cap_cur_be16(&c);
	if (!cap_cur_ok(&c) || etype != 0x0800) {
		fprintf(stderr, "gen_capture: %s frame %zu: not Ethernet/IPv4 (samples are lo "
				"captures)\n", path, frame);
		return -1;
	}
	ip = c;
	vihl = cap_cur_u8(&ip);
	k->ihl = (uint16_t)((vihl & 15) * 4);
	cap_cur_skip(&ip, 1);
	tot = cap_cur_be16(&ip);
	cap_cur_skip(&ip, 5);
	k->proto = cap_cur_u8(&ip);
	cap_cur_skip(&ip, 2);
	k->sip = cap_cur_be32(&ip);
	k->dip = cap_cur_be32(&ip);
	if (!cap_cur_ok(&ip) || (vihl >> 4) != 4 || k->ihl < 20 || tot < k->ihl ||
	    !cap_range_ok(14, k->ihl, k->caplen)) {
		fprintf(stderr, "gen_capture: %s frame %zu: bad IPv4 header\n", path, frame);
		return -1;
	}
	k->l4_off = 14u + k->ihl;
	k->l4_len = k->caplen - k->l4_off;
	k->l4_whole = k->l4_len >= (uint32_t)(tot - k->ihl);
	if (k->l4_whole)
		k->l4_len = (uint32_t)(tot - k->ihl);
	l4 = cap_cur_init(k->data + k->l4_off, k->l4_len);
	if (k->proto == 6) {
		read_ports(&l4, &k->sport, &k->dport);
		cap_cur_skip(&l4, 8);
		k->tcp_hl = (uint8_t)((cap_cur_u8(&l4) >> 4) * 4);
		k->tcp_flags = cap_cur_u8(&l4);
		if (!cap_cur_ok(&l4) || k->tcp_hl < 20 || k->tcp_hl > k->l4_len) {
			fprintf(stderr, "gen_capture: %s frame %zu: bad TCP header\n", path, frame);
			return -1;
		}
	} else if (k->proto == 17) {
		read_ports(&l4, &k->sport, &k->dport);
		if (!cap_cur_ok(&l4)) {
			fprintf(stderr, "gen_capture: %s frame %zu: short UDP header\n", path, frame);
			return -1;
		}
	} else if (k->proto == 1) {
		uint8_t type = cap_cur_u8(&l4);
		struct cap_cursor q;
		uint8_t qv;

		cap_cur_skip(&l4, 7);
		if (!cap_cur_ok(&l4) || (type != 3 && type != 11 && type != 12))
			return 0; /* not an error message: addresses only */
		q = l4;
		qv = cap_cur_u8(&q);
		k->q_ihl = (qv & 15) * 4u;
		cap_cur_skip(&q, 8);
		k->q_proto = cap_cur_u8(&q);
		cap_cur_skip(&q, 2);
		k->q_sip = cap_cur_be32(&q);
		k->q_dip = cap_cur_be32(&q);
		if (!cap_cur_ok(&q) || (qv >> 4) != 4 || k->q_ihl < 20)
			return 0;
		k->q_ip_off = k->l4_off + 8;
		k->q_l4_off = k->q_ip_off + k->q_ihl;
		q = cap_cur_init(k->data + k->l4_off, k->l4_len);
		cap_cur_skip(&q, 8 + k->q_ihl);
		read_ports(&q, &k->q_sport, &k->q_dport);
		k->quote = cap_cur_ok(&q) && (k->q_proto == 6 || k->q_proto == 17);
	} else {
		fprintf(stderr, "gen_capture: %s frame %zu: IP protocol %u not supported\n", path,
			frame, k->proto);
		return -1;
	}
	return 0;
}

/* Server endpoints: the destination of a SYN, and the KDC ports. */
static int find_roles(struct sample *s)
{
	for (size_t i = 0; i < s->npkts; i++) {
		const struct spkt *k = &s->pkts[i];

		if (k->proto == 6 && (k->tcp_flags & (TH_SYN | TH_ACK)) == TH_SYN) {
			s->syns++;
			if (add_server(s, 6, k->dip, k->dport) != 0)
				return -1;
		}
		if ((k->proto == 6 || k->proto == 17) && is_kdc_port(k->dport) &&
		    add_server(s, k->proto, k->dip, k->dport) != 0)
			return -1;
		if ((k->proto == 6 || k->proto == 17) && is_kdc_port(k->sport) &&
		    add_server(s, k->proto, k->sip, k->sport) != 0)
			return -1;
	}
	/* A TCP connection whose SYN is not in the file: its lower port is the server's. */
	for (size_t i = 0; i < s->npkts; i++) {
		const struct spkt *k = &s->pkts[i];

		if (k->proto != 6 || find_server(s, 6, k->sip, k->sport) >= 0 ||
		    find_server(s, 6, k->dip, k->dport) >= 0)
			continue;
		if (add_server(s, 6, k->sport < k->dport ? k->sip : k->dip,
			       k->sport < k->dport ? k->sport : k->dport) != 0)
			return -1;
	}
	return 0;
}

static int load_sample(struct sample *s)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	pcap_t *p = pcap_open_offline(s->path, err);
	int r;

	if (p == NULL) {
		fprintf(stderr, "gen_capture: %s\n", err);
		return -1;
	}
	if (pcap_datalink(p) != DLT_EN10MB) {
		fprintf(stderr, "gen_capture: %s: link type %d, only Ethernet samples are "
				"supported\n", s->path, pcap_datalink(p));
		pcap_close(p);
		return -1;
	}
	while ((r = pcap_next_ex(p, &h, &d)) == 1) {
		struct spkt *k;

		if (s->npkts == MAX_SAMPLE_PKTS || h->caplen > FRAME_MAX) {
			fprintf(stderr, "gen_capture: %s: more than %d packets or a packet over "
					"%d bytes\n", s->path, MAX_SAMPLE_PKTS, FRAME_MAX);
			pcap_close(p);
			return -1;
		}
		k = &s->pkts[s->npkts++];
		memset(k, 0, sizeof(*k));
		k->caplen = h->caplen;
		k->wirelen = h->len;
		k->data = malloc(h->caplen);
		if (k->data == NULL) {
			fprintf(stderr, "gen_capture: out of memory\n");
			pcap_close(p);
			return -1;
		}
		memcpy(k->data, d, h->caplen);
		if (parse_spkt(s->path, s->npkts, k) != 0) {
			pcap_close(p);
			return -1;
		}
	}
	if (r == -1) {
		fprintf(stderr, "gen_capture: %s: %s\n", s->path, pcap_geterr(p));
		pcap_close(p);
		return -1;
	}
	pcap_close(p);
	if (s->npkts == 0) {
		fprintf(stderr, "gen_capture: %s: no packets\n", s->path);
		return -1;
	}
	return find_roles(s);
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(((const struct sample *)a)->name, ((const struct sample *)b)->name);
}

/* Every *.pcap of the directory, in name order (the order must not depend on readdir). */
static int load_samples(const char *dir, struct sample *ss, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	*n = 0;
	if (d == NULL) {
		fprintf(stderr, "gen_capture: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);

		if (len <= 5 || strcmp(e->d_name + len - 5, ".pcap") != 0)
			continue;
		if (*n == MAX_SAMPLES || len - 5 >= sizeof(ss[0].name)) {
			fprintf(stderr, "gen_capture: %s: too many samples or name too long\n", dir);
			closedir(d);
			return -1;
		}
		memcpy(ss[*n].name, e->d_name, len - 5);
		ss[*n].name[len - 5] = '\0';
		if ((size_t)snprintf(ss[*n].path, sizeof(ss[*n].path), "%s/%s", dir, e->d_name) >=
		    sizeof(ss[*n].path)) {
			fprintf(stderr, "gen_capture: %s: path too long\n", dir);
			closedir(d);
			return -1;
		}
		(*n)++;
	}
	closedir(d);
	if (*n == 0) {
		fprintf(stderr, "gen_capture: %s: no *.pcap samples\n", dir);
		return -1;
	}
	qsort(ss, *n, sizeof(ss[0]), cmp_name);
	for (size_t i = 0; i < *n; i++)
		if (load_sample(&ss[i]) != 0)
			return -1;
	return 0;
}

/* ---------------------------------------------------------------- negcap on a sample */

/* Runs `negcap --json -r SAMPLE` and keeps its finding records: the truth for that sample. */
static int sample_findings(const char *negcap, struct sample *s)
{
	int fd[2], status;
	pid_t pid;
	char *buf = malloc(NEGCAP_OUT_MAX + 1);
	size_t len = 0;
	ssize_t r;
	char *line;

	if (buf == NULL || pipe(fd) != 0) {
		fprintf(stderr, "gen_capture: pipe: %s\n", strerror(errno));
		free(buf);
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "gen_capture: fork: %s\n", strerror(errno));
		free(buf);
		return -1;
	}
	if (pid == 0) {
		close(fd[0]);
		if (dup2(fd[1], 1) < 0)
			_exit(127);
		execl(negcap, negcap, "--json", "-r", s->path, (char *)NULL);
		fprintf(stderr, "gen_capture: %s: %s\n", negcap, strerror(errno));
		_exit(127);
	}
	close(fd[1]);
	while ((r = read(fd[0], buf + len, NEGCAP_OUT_MAX - len)) > 0 && len < NEGCAP_OUT_MAX)
		len += (size_t)r;
	close(fd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	buf[len] = '\0';
	if (!WIFEXITED(status) || WEXITSTATUS(status) > 1) {
		fprintf(stderr, "gen_capture: `%s --json -r %s` failed (%s %d): cannot derive "
				"the expected findings\n", negcap, s->path,
			WIFEXITED(status) ? "exit" : "signal",
			WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		free(buf);
		return -1;
	}
	for (line = buf; *line != '\0';) {
		char *nl = strchr(line, '\n');
		size_t ll = nl ? (size_t)(nl - line) : strlen(line);
		struct bench_finding f;
		int k = ll ? bench_json_finding(line, ll, &f) : 0;

		if (k < 0) {
			fprintf(stderr, "gen_capture: %s on %s: unreadable JSON line: %.*s\n", negcap,
				s->path, (int)(ll > 200 ? 200 : ll), line);
			free(buf);
			return -1;
		}
		if (k == 1) {
			struct bench_finding *nf =
				realloc(s->findings, (s->nfindings + 1) * sizeof(*nf));

			if (nf == NULL) {
				free(buf);
				return -1;
			}
			s->findings = nf;
			for (size_t i = 0; i < f.nframes; i++)
				if (f.frames[i] < 1 || f.frames[i] > s->npkts) {
					fprintf(stderr, "gen_capture: %s: finding %s names frame %llu "
							"of %zu\n", s->path, f.id,
						(unsigned long long)f.frames[i], s->npkts);
					free(buf);
					return -1;
				}
			s->findings[s->nfindings++] = f;
		}
		line = nl ? nl + 1 : line + ll;
	}
	free(buf);
	return 0;
}

/* ---------------------------------------------------------------- the generator state */

enum framing { F_PLAIN, F_CHUNKED, F_TLS };

/* One message's bytes (headers, then a body in plain, chunked or TLS-record framing),
 * produced on demand segment by segment. */
struct stream {
	char hdr[1024];
	uint32_t hdr_len, hdr_pos;
	uint8_t framing;
	bool trailer_done, any_chunk;
	uint64_t body_left;  /* body bytes not yet put in a chunk/record */
	uint32_t chunk_left; /* body bytes left in the current chunk/record */
	uint32_t chunk_size;
	uint8_t pend[16];    /* framing bytes before the current chunk */
	uint8_t pend_len, pend_pos;
	const uint8_t *src;
	uint32_t src_pos;
};

struct side {
	uint32_t ip;
	uint16_t port;
	uint32_t seq; /* next sequence number to send */
	uint16_t ipid, win;
	uint8_t ttl, wscale;
	uint32_t ts_off, last_tsval;
	uint8_t mac[6];
};

enum kind { K_KEEPALIVE, K_CLOSE, K_HTTP10, K_TLS };
enum cstate { C_SYN, C_SYNACK, C_ACK, C_REQ, C_RESP, C_FIN1, C_FIN2, C_FIN3, C_DONE };

struct conn {
	struct side sd[2]; /* 0 client, 1 server */
	uint8_t kind, state;
	bool ts;            /* timestamps option (Linux-like) or not (Windows-like) */
	uint16_t mss;
	uint16_t exchanges; /* request/response pairs left, the current one included */
	uint8_t sender;     /* who sends the current message */
	int8_t ack_due;     /* side that owes a bare ACK next, or -1 */
	bool closes;        /* the server closes after the current response */
	uint8_t closer;
	uint32_t server;
	struct stream st;
};

struct inst {
	struct sample *s;
	uint64_t index, key;
	uint32_t client_ip, web_ip, kdc_ip, port_delta;
	size_t next;
	uint64_t frames[MAX_SAMPLE_PKTS];
};

struct slot {
	bool is_inst;
	struct conn c;
	struct inst in;
};

struct expect {
	struct bench_finding *v;
	size_t n, cap;
};

struct gen {
	const struct opts *o;
	struct out out;
	uint64_t now_us;
	uint8_t frame[FRAME_MAX];
	uint8_t text[SRC_LEN], noise[SRC_LEN];
	uint16_t *client_port; /* next ephemeral port per background client */
	struct sample *samples;
	size_t nsamples, next_sample;
	uint64_t conns, instances, starts;
	struct slot *slots;
	uint32_t *active;
	size_t nactive;
	struct expect ex;
	FILE *placement;
	bool have_findings;
};

/* ---------------------------------------------------------------- message bodies */

static const char *const words[] = {
	"the", "quarterly", "report", "customer", "account", "order", "invoice", "status",
	"service", "portal", "update", "meeting", "project", "support", "ticket", "review",
	"budget", "region", "north", "south", "team", "policy", "document", "shared",
	"intranet", "schedule", "approved", "pending", "details", "summary", "contact", "office",
};

static void fill_sources(struct gen *g)
{
	size_t n = 0;

	while (n < SRC_LEN) {
		char w[96];
		int k;

		if (rnd_below(12) == 0)
			k = snprintf(w, sizeof(w), "</p>\n<p class=\"c%u\">", rnd_below(40));
		else
			k = snprintf(w, sizeof(w), "%s ", words[rnd_below(32)]);
		for (int i = 0; i < k && n < SRC_LEN; i++)
			g->text[n++] = (uint8_t)w[i];
	}
	for (size_t i = 0; i < SRC_LEN; i += 8) {
		uint64_t r = rnd();

		memcpy(g->noise + i, &r, 8);
	}
}

static void stream_init(struct stream *st, uint8_t framing, uint64_t body,
			const uint8_t *src)
{
	st->hdr_len = st->hdr_pos = 0;
	st->framing = framing;
	st->any_chunk = false;
	st->trailer_done = framing != F_CHUNKED;
	st->body_left = body;
	st->chunk_left = 0;
	st->chunk_size = framing == F_PLAIN ? UINT32_MAX : framing == F_TLS ? 16384 : 8192;
	st->pend_len = st->pend_pos = 0;
	st->src = src;
	st->src_pos = rnd_below(SRC_LEN);
}

/* Sets up the next chunk or record, or the chunked trailer; false when nothing is left. */
static bool stream_advance(struct stream *st)
{
	st->pend_len = st->pend_pos = 0;
	if (st->body_left > 0) {
		uint32_t c = st->body_left < st->chunk_size ? (uint32_t)st->body_left
							     : st->chunk_size;
		char h[16];
		int k;

		st->body_left -= c;
		st->chunk_left = c;
		if (st->framing == F_CHUNKED) {
			k = snprintf(h, sizeof(h), "%s%x\r\n", st->any_chunk ? "\r\n" : "", c);
			memcpy(st->pend, h, (size_t)k);
			st->pend_len = (uint8_t)k;
		} else if (st->framing == F_TLS) {
			st->pend[0] = 0x17; /* application data, TLS 1.2 record version */
			st->pend[1] = 3;
			st->pend[2] = 3;
			put16(st->pend + 3, (uint16_t)c);
			st->pend_len = 5;
		}
		st->any_chunk = true;
		return true;
	}
	if (!st->trailer_done) {
		const char *t = st->any_chunk ? "\r\n0\r\n\r\n" : "0\r\n\r\n";

		st->trailer_done = true;
		st->pend_len = (uint8_t)strlen(t);
		memcpy(st->pend, t, st->pend_len);
		return true;
	}
	return false;
}

static bool stream_done(const struct stream *st)
{
	return st->hdr_pos == st->hdr_len && st->pend_pos == st->pend_len &&
	       st->chunk_left == 0 && st->body_left == 0 && st->trailer_done;
}

static size_t stream_fill(struct stream *st, uint8_t *dst, size_t cap)
{
	size_t n = 0;

	while (n < cap) {
		size_t k;

		if (st->hdr_pos < st->hdr_len) {
			k = st->hdr_len - st->hdr_pos;
			k = k < cap - n ? k : cap - n;
			memcpy(dst + n, st->hdr + st->hdr_pos, k);
			st->hdr_pos += (uint32_t)k;
		} else if (st->pend_pos < st->pend_len) {
			k = (size_t)(st->pend_len - st->pend_pos);
			k = k < cap - n ? k : cap - n;
			memcpy(dst + n, st->pend + st->pend_pos, k);
			st->pend_pos = (uint8_t)(st->pend_pos + k);
		} else if (st->chunk_left > 0) {
			k = st->chunk_left < cap - n ? st->chunk_left : cap - n;
			k = k < SRC_LEN - st->src_pos ? k : SRC_LEN - st->src_pos;
			memcpy(dst + n, st->src + st->src_pos, k);
			st->src_pos = (st->src_pos + (uint32_t)k) % SRC_LEN;
			st->chunk_left -= (uint32_t)k;
		} else if (!stream_advance(st)) {
			break;
		} else {
			k = 0;
		}
		n += k;
	}
	return n;
}

/* ---------------------------------------------------------------- HTTP messages */

static const char *const hosts[] = {
	"www.example.test", "intranet.example.test", "static.example.test",
	"api.example.test", "portal.example.test", "cdn.example.test", "wiki.example.test",
	"files.example.test",
};

static const char *const agents[] = {
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
	"Chrome/120.0.0.0 Safari/537.36",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
	"Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0",
	"curl/7.88.1",
	"Microsoft-WNS/10.0",
};

struct objtype {
	const char *pre, *suf; /* path: pre, a number when suf is not NULL, suf */
	const char *ctype;
	bool binary;
};

static const struct objtype objtypes[] = {
	{"/", NULL, "text/html; charset=utf-8", false},
	{"/app/dashboard", NULL, "text/html; charset=utf-8", false},
	{"/static/js/app.", ".js", "application/javascript", false},
	{"/static/css/site.", ".css", "text/css", false},
	{"/api/v2/items/", "", "application/json", false},
	{"/fonts/ui-", ".woff2", "font/woff2", true},
	{"/files/export-", ".bin", "application/octet-stream", true},
	{"/download?id=", "", "application/octet-stream", true},
	{"/search?q=item", "", "text/html; charset=utf-8", false},
};

#define NOBJTYPES (sizeof(objtypes) / sizeof(objtypes[0]))

static void start_request(struct gen *g, struct conn *c)
{
	struct stream *st = &c->st;
	const struct objtype *t = &objtypes[rnd_below(NOBJTYPES)];
	char path[96], clen[64] = "";
	bool post = c->kind != K_HTTP10 && rnd_below(10) == 0;
	uint32_t body = post ? rnd_log(60, 12000) : 0;
	const char *conn_hdr;
	int k;

	c->sender = 0;
	c->closes = c->kind == K_CLOSE || c->kind == K_HTTP10 ||
		    (c->kind == K_KEEPALIVE && c->exchanges == 1 && rnd_below(5) == 0);
	if (c->kind == K_TLS) {
		stream_init(st, F_TLS, rnd_range(180, 1400), g->noise);
		return;
	}
	stream_init(st, F_PLAIN, body, g->text);
	if (post)
		snprintf(path, sizeof(path), "/api/v2/submit");
	else if (t->suf == NULL)
		snprintf(path, sizeof(path), "%s", t->pre);
	else
		snprintf(path, sizeof(path), "%s%x%s", t->pre, rnd_below(1u << 30), t->suf);
	if (post)
		snprintf(clen, sizeof(clen),
			 "Content-Type: application/json\r\nContent-Length: %u\r\n", body);
	if (c->kind == K_HTTP10)
		conn_hdr = "";
	else if (c->closes)
		conn_hdr = "Connection: close\r\n";
	else
		conn_hdr = "Connection: keep-alive\r\n";
	k = snprintf(st->hdr, sizeof(st->hdr),
		     "%s %s HTTP/1.%c\r\nHost: %s\r\nUser-Agent: %s\r\n"
		     "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n"
		     "Accept-Language: en-US,en;q=0.9\r\nAccept-Encoding: gzip, deflate\r\n"
		     "Cookie: sid=%016llx; theme=light\r\n%s%s\r\n",
		     post ? "POST" : "GET", path, c->kind == K_HTTP10 ? '0' : '1',
		     hosts[c->server % 8], agents[c->sd[0].ip % 5],
		     (unsigned long long)mix64(c->sd[0].ip), clen, conn_hdr);
	st->hdr_len = (uint32_t)k;
}

static uint32_t body_size(void)
{
	uint32_t r = rnd_below(1000);

	if (r < 780)
		return rnd_log(100, 3000);
	if (r < 960)
		return rnd_log(3000, 20000);
	if (r < 996)
		return rnd_log(20000, 160000);
	return rnd_log(160000, 1200000);
}

static void start_response(struct gen *g, struct conn *c)
{
	struct stream *st = &c->st;
	uint32_t r = rnd_below(1000), body;
	int status = 200;
	const char *reason = "OK", *ctype = "text/html; charset=utf-8";
	char framing[48], date[40];
	uint8_t fr = F_PLAIN;
	bool binary = false;
	time_t t = (time_t)(BASE_EPOCH + g->now_us / 1000000);
	struct tm tm;
	int k;

	c->sender = 1;
	if (c->kind == K_TLS) {
		stream_init(st, F_TLS, body_size(), g->noise);
		return;
	}
	if (r < 60) {
		status = 304;
		reason = "Not Modified";
	} else if (r < 85) {
		status = 404;
		reason = "Not Found";
	} else if (r < 110) {
		status = 302;
		reason = "Found";
	} else if (r < 118) {
		status = 500;
		reason = "Internal Server Error";
	} else {
		const struct objtype *o = &objtypes[rnd_below(NOBJTYPES)];

		ctype = o->ctype;
		binary = o->binary;
	}
	body = status == 304 ? 0 : status == 200 ? body_size() : rnd_range(150, 1200);
	framing[0] = '\0';
	if (c->kind == K_HTTP10 && rnd_below(2) == 0 && status != 304) {
		/* close-delimited: the FIN ends the body */
	} else if (c->kind != K_HTTP10 && status == 200 && rnd_below(5) == 0) {
		fr = F_CHUNKED;
		snprintf(framing, sizeof(framing), "Transfer-Encoding: chunked\r\n");
	} else if (status != 304) {
		snprintf(framing, sizeof(framing), "Content-Length: %u\r\n", body);
	}
	stream_init(st, fr, body, binary ? g->noise : g->text);
	if (fr == F_CHUNKED)
		st->chunk_size = rnd_below(2) ? 8192 : 16384;
	gmtime_r(&t, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	k = snprintf(st->hdr, sizeof(st->hdr),
		     "HTTP/1.%c %d %s\r\nDate: %s\r\nServer: %s\r\nContent-Type: %s\r\n%s"
		     "Cache-Control: private, max-age=%u\r\nETag: \"%08x\"\r\n%s%s\r\n",
		     c->kind == K_HTTP10 ? '0' : '1', status, reason, date,
		     c->server % 3 == 0 ? "Microsoft-IIS/10.0" : c->server % 3 == 1
			     ? "Apache/2.4.57 (Debian)" : "nginx/1.22.1",
		     ctype, framing, rnd_below(3600), rnd_below(UINT32_MAX),
		     status == 302 ? "Location: /app/dashboard\r\n" : "",
		     c->kind == K_HTTP10 ? "" : c->closes ? "Connection: close\r\n"
							 : "Keep-Alive: timeout=5, max=100\r\n");
	st->hdr_len = (uint32_t)k;
}

/* ---------------------------------------------------------------- TCP packets */

static size_t tcp_opts_len(const struct conn *c, uint8_t flags)
{
	if (flags & TH_SYN)
		return c->ts ? 20 : 12;
	return c->ts ? 12 : 0;
}

static void write_opts(uint8_t *p, const struct conn *c, const struct side *me,
		       const struct side *peer, uint8_t flags, uint32_t tsval)
{
	if (flags & TH_SYN) {
		p[0] = 2; /* MSS */
		p[1] = 4;
		put16(p + 2, c->ts ? (uint16_t)(c->mss + 12) : c->mss);
		if (c->ts) {
			p[4] = 4; /* SACK permitted */
			p[5] = 2;
			p[6] = 8; /* timestamps */
			p[7] = 10;
			put32(p + 8, tsval);
			put32(p + 12, (flags & TH_ACK) ? peer->last_tsval : 0);
			p[16] = 1;
			p[17] = 3; /* window scale */
			p[18] = 3;
			p[19] = me->wscale;
		} else {
			p[4] = 1;
			p[5] = 3;
			p[6] = 3;
			p[7] = me->wscale;
			p[8] = 1;
			p[9] = 1;
			p[10] = 4;
			p[11] = 2;
		}
		return;
	}
	if (c->ts) {
		p[0] = 1;
		p[1] = 1;
		p[2] = 8;
		p[3] = 10;
		put32(p + 4, tsval);
		put32(p + 8, peer->last_tsval);
	}
}

/* Emits one TCP packet from side `from`; with data, the payload comes from the stream. */
static size_t emit_tcp(struct gen *g, struct conn *c, int from, uint8_t flags, bool data)
{
	struct side *me = &c->sd[from], *peer = &c->sd[1 - from];
	uint8_t *f = g->frame, *ip = f + 14, *tcp = ip + 20;
	size_t ol = tcp_opts_len(c, flags), thl = 20 + ol, n = 0;
	uint32_t tsval = me->ts_off + (uint32_t)(g->now_us / 1000);

	if (data) {
		n = stream_fill(&c->st, tcp + thl, c->mss);
		if (stream_done(&c->st))
			flags |= TH_PSH;
	}
	memcpy(f, peer->mac, 6);
	memcpy(f + 6, me->mac, 6);
	f[12] = 0x08;
	f[13] = 0x00;
	ip[0] = 0x45;
	ip[1] = 0;
	put16(ip + 2, (uint16_t)(20 + thl + n));
	put16(ip + 4, me->ipid++);
	put16(ip + 6, 0x4000);
	ip[8] = me->ttl;
	ip[9] = 6;
	put32(ip + 12, me->ip);
	put32(ip + 16, peer->ip);
	ip_checksum(ip, 20);
	put16(tcp, me->port);
	put16(tcp + 2, peer->port);
	put32(tcp + 4, me->seq);
	put32(tcp + 8, (flags & TH_ACK) ? peer->seq : 0);
	tcp[12] = (uint8_t)((thl / 4) << 4);
	tcp[13] = flags;
	put16(tcp + 14, (flags & TH_SYN) ? 64240 : me->win);
	tcp[16] = tcp[17] = tcp[18] = tcp[19] = 0;
	write_opts(tcp + 20, c, me, peer, flags, tsval);
	l4_checksum(ip, 6, tcp, thl + n, 16);
	me->last_tsval = tsval;
	me->seq += (uint32_t)n + ((flags & (TH_SYN | TH_FIN)) ? 1u : 0u);
	out_record(&g->out, g->now_us, f, (uint32_t)(34 + thl + n), (uint32_t)(34 + thl + n));
	if (!data && !(flags & (TH_SYN | TH_FIN | TH_RST)))
		g->out.acks++;
	return n;
}

/* ---------------------------------------------------------------- background connections */

static void side_init(struct side *s, uint32_t ip, uint16_t port, bool windows)
{
	s->ip = ip;
	s->port = port;
	s->seq = (uint32_t)rnd();
	s->ipid = (uint16_t)rnd();
	s->ttl = windows ? 128 : 64;
	s->wscale = windows ? 8 : 7;
	s->win = (uint16_t)rnd_range(500, 4000);
	s->ts_off = (uint32_t)rnd();
	s->last_tsval = 0;
	mac_of(s->mac, ip);
}

static void conn_init(struct gen *g, struct conn *c)
{
	const struct opts *o = g->o;
	uint32_t ci = rnd_below(o->nclients);
	/* a few busy servers take most connections */
	uint32_t si = (uint32_t)(((uint64_t)rnd_below(o->nservers) * rnd_below(o->nservers)) /
				 o->nservers);
	uint32_t r = rnd_below(100);
	bool windows = rnd_below(10) < 6;
	uint16_t sport;

	c->kind = r < 55 ? K_KEEPALIVE : r < 75 ? K_CLOSE : r < 82 ? K_HTTP10 : K_TLS;
	sport = c->kind == K_TLS ? 443 : si % 4 == 3 ? 8080 : 80;
	c->server = si;
	side_init(&c->sd[0], host_addr(64, ci), g->client_port[ci], windows);
	g->client_port[ci] = (uint16_t)(g->client_port[ci] >= 60999
						? 32768 : g->client_port[ci] + 1);
	side_init(&c->sd[1], addr(1, 200 + si / 254, 1 + si % 254), sport, false);
	c->ts = !windows;
	c->mss = c->ts ? 1448 : 1460;
	c->exchanges = c->kind == K_KEEPALIVE ? (uint16_t)rnd_range(1, 6)
		       : c->kind == K_TLS ? (uint16_t)rnd_range(1, 4) : 1;
	c->state = C_SYN;
	c->ack_due = -1;
	c->closes = false;
	c->closer = 0;
	g->conns++;
}

/* Emits the connection's next packet; true when the connection is over. */
static bool conn_step(struct gen *g, struct conn *c)
{
	if (c->ack_due >= 0) {
		int who = c->ack_due;

		c->ack_due = -1;
		emit_tcp(g, c, who, TH_ACK, false);
		return false;
	}
	switch (c->state) {
	case C_SYN:
		emit_tcp(g, c, 0, TH_SYN, false);
		c->state = C_SYNACK;
		break;
	case C_SYNACK:
		emit_tcp(g, c, 1, TH_SYN | TH_ACK, false);
		c->state = C_ACK;
		break;
	case C_ACK:
		emit_tcp(g, c, 0, TH_ACK, false);
		start_request(g, c);
		c->state = C_REQ;
		break;
	case C_REQ:
	case C_RESP:
		emit_tcp(g, c, c->sender, TH_ACK, true);
		if (!stream_done(&c->st)) {
			c->ack_due = (int8_t)(1 - c->sender);
			break;
		}
		if (c->state == C_REQ) {
			if (rnd_below(2) == 0)
				c->ack_due = 1; /* a slow server ACKs before it answers */
			start_response(g, c);
			c->state = C_RESP;
			break;
		}
		c->ack_due = 0;
		c->exchanges--;
		if (c->closes) {
			c->closer = 1;
			c->state = C_FIN1;
		} else if (c->exchanges > 0) {
			start_request(g, c);
			c->state = C_REQ;
		} else {
			c->closer = rnd_below(3) == 0 ? 1 : 0; /* idle timeout or client */
			c->state = C_FIN1;
		}
		break;
	case C_FIN1:
		emit_tcp(g, c, c->closer, TH_FIN | TH_ACK, false);
		c->state = C_FIN2;
		break;
	case C_FIN2:
		emit_tcp(g, c, 1 - c->closer, TH_FIN | TH_ACK, false);
		c->state = C_FIN3;
		break;
	case C_FIN3:
		emit_tcp(g, c, c->closer, TH_ACK, false);
		c->state = C_DONE;
		return true;
	default:
		return true;
	}
	return false;
}

/* ---------------------------------------------------------------- sample instances */

/* Shifts a client port within its range (Linux's ephemeral range, or the registered
 * ports below it), so distinct ports stay distinct and land on no well-known service. */
static uint16_t map_client_port(uint16_t port, uint32_t delta)
{
	if (port >= 32768 && port < 61000)
		return (uint16_t)(32768 + (port - 32768u + delta) % 28232u);
	if (port >= 1024 && port < 32768)
		return (uint16_t)(1024 + (port - 1024u + delta) % 31744u);
	return port;
}

static uint32_t seq_offset(const struct inst *in, uint16_t sport, uint16_t dport)
{
	return (uint32_t)mix64(in->key ^ ((uint64_t)sport << 16 | dport));
}

/* The instance's address and port for a sample endpoint. */
static void map_endpoint(const struct inst *in, uint8_t proto, uint32_t ip, uint16_t port,
			 uint32_t *ip_out, uint16_t *port_out)
{
	int sv = find_server(in->s, proto, ip, port);

	if (sv < 0) {
		*ip_out = in->client_ip;
		*port_out = map_client_port(port, in->port_delta);
	} else if (is_kdc_port(port)) {
		*ip_out = in->kdc_ip;
		*port_out = port;
	} else {
		*ip_out = in->web_ip + (uint32_t)sv;
		*port_out = port;
	}
}

/* SACK blocks name the peer's sequence numbers: shift them as the ACK field is. */
static void shift_sack(uint8_t *opt, size_t len, uint32_t off)
{
	struct cap_cursor c = cap_cur_init(opt, len);

	while (cap_cur_left(&c) > 0) {
		size_t at = len - cap_cur_left(&c);
		uint8_t kind = cap_cur_u8(&c), ol;

		if (kind == 0)
			break;
		if (kind == 1)
			continue;
		ol = cap_cur_u8(&c);
		if (!cap_cur_ok(&c) || ol < 2 || !cap_cur_skip(&c, ol - 2u))
			break;
		if (kind == 5)
			for (size_t b = at + 2; b + 4 <= at + ol; b += 4)
				put32(opt + b, get32(opt + b) + off);
	}
}

static void emit_inst_packet(struct gen *g, struct inst *in)
{
	const struct spkt *k = &in->s->pkts[in->next];
	uint8_t *f = g->frame, *ip = f + 14, *l4 = f + k->l4_off;
	uint32_t sip = in->client_ip, dip = in->client_ip;
	uint16_t sp = 0, dp = 0;

	memcpy(f, k->data, k->caplen);
	if (k->proto == 6 || k->proto == 17) {
		map_endpoint(in, k->proto, k->sip, k->sport, &sip, &sp);
		map_endpoint(in, k->proto, k->dip, k->dport, &dip, &dp);
		put16(l4, sp);
		put16(l4 + 2, dp);
	}
	if (k->proto == 6) {
		uint32_t so = seq_offset(in, k->sport, k->dport);
		uint32_t ao = seq_offset(in, k->dport, k->sport);

		put32(l4 + 4, get32(l4 + 4) + so);
		if (k->tcp_flags & TH_ACK)
			put32(l4 + 8, get32(l4 + 8) + ao);
		shift_sack(l4 + 20, (size_t)k->tcp_hl - 20, ao);
	}
	if (k->proto == 1 && k->quote) {
		/* the error names the packet it answers: rewrite the quote, then the outer
		 * addresses follow it (the quoted destination sends the error) */
		uint8_t *q = f + k->q_ip_off, *ql4 = f + k->q_l4_off;
		uint32_t qs, qd;
		uint16_t qsp, qdp;

		map_endpoint(in, k->q_proto, k->q_sip, k->q_sport, &qs, &qsp);
		map_endpoint(in, k->q_proto, k->q_dip, k->q_dport, &qd, &qdp);
		put32(q + 12, qs);
		put32(q + 16, qd);
		ip_checksum(q, k->q_ihl);
		put16(ql4, qsp);
		put16(ql4 + 2, qdp);
		if (k->q_proto == 6)
			put32(ql4 + 4, get32(ql4 + 4) + seq_offset(in, k->q_sport, k->q_dport));
		sip = qd;
		dip = qs;
	} else if (k->proto == 1) {
		sip = in->kdc_ip;
	}
	mac_of(f, dip);
	mac_of(f + 6, sip);
	put32(ip + 12, sip);
	put32(ip + 16, dip);
	ip_checksum(ip, k->ihl);
	if (k->l4_whole) {
		if (k->proto == 6)
			l4_checksum(ip, 6, l4, k->l4_len, 16);
		else if (k->proto == 17)
			l4_checksum(ip, 17, l4, k->l4_len, 6);
		else if (k->proto == 1) {
			l4[2] = l4[3] = 0;
			csum_store(l4 + 2, csum_add(0, l4, k->l4_len));
		}
	}
	out_record(&g->out, g->now_us, f, k->caplen, k->wirelen);
	in->frames[in->next++] = g->out.packets;
}

static int expect_add(struct expect *ex, const struct bench_finding *f)
{
	if (ex->n == ex->cap) {
		size_t nc = ex->cap ? ex->cap * 2 : 1024;
		struct bench_finding *nv = realloc(ex->v, nc * sizeof(*nv));

		if (nv == NULL)
			return -1;
		ex->v = nv;
		ex->cap = nc;
	}
	ex->v[ex->n++] = *f;
	return 0;
}

static int inst_finish(struct gen *g, struct inst *in)
{
	const struct sample *s = in->s;

	for (size_t i = 0; i < s->nfindings; i++) {
		struct bench_finding f = s->findings[i];

		for (size_t j = 0; j < f.nframes; j++)
			f.frames[j] = in->frames[f.frames[j] - 1];
		bench_finding_normalize(&f);
		if (expect_add(&g->ex, &f) != 0) {
			fprintf(stderr, "gen_capture: out of memory\n");
			return -1;
		}
	}
	if (g->placement != NULL)
		fprintf(g->placement, "%llu\t%s\t%u.%u.%u.%u\t%llu\t%llu\n",
			(unsigned long long)in->index, s->name, in->client_ip >> 24,
			(in->client_ip >> 16) & 255, (in->client_ip >> 8) & 255,
			in->client_ip & 255, (unsigned long long)in->frames[0],
			(unsigned long long)in->frames[s->npkts - 1]);
	return 0;
}

static void inst_init(struct gen *g, struct inst *in)
{
	size_t si = g->next_sample++ % g->nsamples;

	in->s = &g->samples[si];
	in->s->instances++;
	in->index = g->instances++;
	in->key = mix64(g->o->seed ^ mix64(in->index + 1));
	/* Each instance its own client (findings stay per instance, as --expect maps them),
	 * or a pool of N clients, as one site's users: per-client state stays bounded. */
	in->client_ip = host_addr(3, g->o->inst_clients > 0
					     ? (uint32_t)(in->index % g->o->inst_clients)
					     : (uint32_t)in->index);
	in->web_ip = addr(2, 1 + (uint32_t)si, 1 + rnd_below(4) * MAX_SERVER_EPS);
	in->kdc_ip = addr(0, 0, 10 + rnd_below(2));
	in->port_delta = rnd_below(28232);
	in->next = 0;
}

/* ---------------------------------------------------------------- scheduling */

static void slot_start(struct gen *g, struct slot *sl)
{
	g->starts++;
	sl->is_inst = g->o->embed_every > 0 && rnd_below(g->o->embed_every) == 0;
	if (sl->is_inst)
		inst_init(g, &sl->in);
	else
		conn_init(g, &sl->c);
}

static int run(struct gen *g)
{
	const struct opts *o = g->o;
	bool draining = false;

	for (size_t i = 0; i < o->concurrency; i++) {
		slot_start(g, &g->slots[i]);
		g->active[i] = (uint32_t)i;
	}
	g->nactive = o->concurrency;
	while (g->nactive > 0) {
		size_t ai = rnd_below((uint32_t)g->nactive);
		struct slot *sl = &g->slots[g->active[ai]];
		bool done;

		g->now_us += rnd_range(1, o->max_gap_us);
		if (sl->is_inst) {
			emit_inst_packet(g, &sl->in);
			done = sl->in.next == sl->in.s->npkts;
			if (done && inst_finish(g, &sl->in) != 0)
				return -1;
		} else {
			done = conn_step(g, &sl->c);
		}
		if (g->out.err)
			return -1;
		if (!draining && g->out.bytes >= o->min_bytes && g->out.packets >= o->min_packets)
			draining = true;
		if (!done)
			continue;
		if (!draining)
			slot_start(g, sl);
		else
			g->active[ai] = g->active[--g->nactive];
	}
	return 0;
}

/* ---------------------------------------------------------------- main */

static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (end == s || errno != 0)
		return -1;
	switch (*end) {
	case 'k': case 'K': v <<= 10; end++; break;
	case 'm': case 'M': v <<= 20; end++; break;
	case 'g': case 'G': v <<= 30; end++; break;
	default: break;
	}
	if (*end == 'i' || *end == 'B')
		end++;
	if (*end == 'B')
		end++;
	if (*end != '\0')
		return -1;
	*out = v;
	return 0;
}

static int parse_uint(const char *s, unsigned lo, unsigned hi, unsigned *out)
{
	uint64_t v;

	if (parse_size(s, &v) != 0 || v < lo || v > hi)
		return -1;
	*out = (unsigned)v;
	return 0;
}

static void usage(FILE *fp)
{
	fprintf(fp,
		"usage: gen_capture -o OUT.pcap --samples DIR [options]\n"
		"  -o, --output FILE        the capture to write (pcap, Ethernet)\n"
		"  -S, --samples DIR        sample pcaps to embed (every *.pcap)\n"
		"  -n, --negcap PATH        run PATH --json -r on each sample for its findings\n"
		"  -e, --expect FILE        write the expected findings (needs --negcap)\n"
		"  -p, --placement FILE     write where each embedded sample landed\n"
		"  -s, --size BYTES         at least this many bytes (K/M/G suffix; default 2G)\n"
		"  -c, --packets N          at least this many packets (default 4M)\n"
		"      --seed N             random seed (default 1)\n"
		"      --embed-every N      one new connection in N is a sample (default 50)\n"
		"      --concurrency N      connections open at once (default 128)\n"
		"      --clients N          background client addresses (default 20000)\n"
		"      --servers N          background server addresses (default 24)\n"
		"      --inst-clients N     sample instances come from N client addresses\n"
		"                           (default: one each; --expect needs that)\n"
		"      --loopback           addresses in 127.0.0.0/8 instead of 10.0.0.0/8\n"
		"  -q, --quiet              no statistics on stderr\n");
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{"output", required_argument, NULL, 'o'},
		{"samples", required_argument, NULL, 'S'},
		{"negcap", required_argument, NULL, 'n'},
		{"expect", required_argument, NULL, 'e'},
		{"placement", required_argument, NULL, 'p'},
		{"size", required_argument, NULL, 's'},
		{"packets", required_argument, NULL, 'c'},
		{"seed", required_argument, NULL, 1},
		{"embed-every", required_argument, NULL, 2},
		{"concurrency", required_argument, NULL, 3},
		{"clients", required_argument, NULL, 4},
		{"servers", required_argument, NULL, 5},
		{"loopback", no_argument, NULL, 6},
		{"inst-clients", required_argument, NULL, 7},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int ch;

	memset(o, 0, sizeof(*o));
	o->seed = 1;
	o->min_bytes = 2ull << 30;
	o->min_packets = 4000000;
	o->embed_every = 50;
	o->concurrency = 128;
	o->nclients = 20000;
	o->nservers = 24;
	o->max_gap_us = 40;
	while ((ch = getopt_long(argc, argv, "o:S:n:e:p:s:c:qh", lo, NULL)) != -1) {
		int bad = 0;

		switch (ch) {
		case 'o': o->out_path = optarg; break;
		case 'S': o->samples_dir = optarg; break;
		case 'n': o->negcap = optarg; break;
		case 'e': o->expect_path = optarg; break;
		case 'p': o->placement_path = optarg; break;
		case 's': bad = parse_size(optarg, &o->min_bytes); break;
		case 'c': bad = parse_size(optarg, &o->min_packets); break;
		case 1: bad = parse_size(optarg, &o->seed); break;
		case 2: bad = parse_uint(optarg, 0, 1000000, &o->embed_every); break;
		case 3: bad = parse_uint(optarg, 1, MAX_SLOTS, &o->concurrency); break;
		case 4: bad = parse_uint(optarg, 1, 60 * 254 * 254, &o->nclients); break;
		case 5: bad = parse_uint(optarg, 1, 254 * 50, &o->nservers); break;
		case 6: o->loopback = true; break;
		case 7: bad = parse_uint(optarg, 1, 60 * 254 * 254, &o->inst_clients); break;
		case 'q': o->quiet = true; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -1;
		}
		if (bad) {
			fprintf(stderr, "gen_capture: bad value for option: %s\n", optarg);
			return -1;
		}
	}
	if (optind != argc || o->out_path == NULL || o->samples_dir == NULL) {
		usage(stderr);
		return -1;
	}
	if (o->expect_path != NULL && o->inst_clients > 0) {
		fprintf(stderr, "gen_capture: --expect maps each instance's findings on their own: "
				"it cannot be combined with --inst-clients\n");
		return -1;
	}
	if (o->expect_path != NULL && o->negcap == NULL) {
		fprintf(stderr, "gen_capture: --expect needs --negcap (the findings of each "
				"sample come from negcap itself)\n");
		return -1;
	}
	return 0;
}

static int write_expect(struct gen *g, const char *path)
{
	FILE *fp = fopen(path, "w");
	bool bad = false;

	if (fp == NULL) {
		fprintf(stderr, "gen_capture: %s: %s\n", path, strerror(errno));
		return -1;
	}
	qsort(g->ex.v, g->ex.n, sizeof(g->ex.v[0]), bench_finding_cmp);
	fprintf(fp, "# negscope benchmark: findings negcap must report on this capture\n"
		    "# seed=%llu packets=%llu bytes=%llu instances=%llu\n",
		(unsigned long long)g->o->seed, (unsigned long long)g->out.packets,
		(unsigned long long)g->out.bytes, (unsigned long long)g->instances);
	for (size_t i = 0; i < g->ex.n && !bad; i++)
		bad = bench_finding_write(fp, &g->ex.v[i]) != 0;
	if (fclose(fp) != 0 || bad) {
		fprintf(stderr, "gen_capture: %s: write failed\n", path);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct gen g;
	static struct sample samples[MAX_SAMPLES];
	struct opts o;
	struct timespec t0, t1;
	uint64_t tcp_conns;
	int rc = 1;

	if (parse_opts(argc, argv, &o) != 0)
		return 2;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rng_s = mix64(o.seed);
	net_a = o.loopback ? 127 : 10;
	g.o = &o;
	g.samples = samples;
	if (load_samples(o.samples_dir, samples, &g.nsamples) != 0)
		return 1;
	if (o.negcap != NULL) {
		for (size_t i = 0; i < g.nsamples; i++)
			if (sample_findings(o.negcap, &samples[i]) != 0)
				return 1;
		g.have_findings = true;
	}
	g.out.buf = malloc(OUTBUF_SIZE);
	g.client_port = malloc(o.nclients * sizeof(g.client_port[0]));
	g.slots = calloc(o.concurrency, sizeof(g.slots[0]));
	g.active = calloc(o.concurrency, sizeof(g.active[0]));
	if (g.out.buf == NULL || g.client_port == NULL || g.slots == NULL || g.active == NULL) {
		fprintf(stderr, "gen_capture: out of memory\n");
		return 1;
	}
	fill_sources(&g);
	for (unsigned i = 0; i < o.nclients; i++)
		g.client_port[i] = (uint16_t)rnd_range(32768, 60999);
	g.out.f = fopen(o.out_path, "wb");
	if (g.out.f == NULL) {
		fprintf(stderr, "gen_capture: %s: %s\n", o.out_path, strerror(errno));
		return 1;
	}
	if (o.placement_path != NULL) {
		g.placement = fopen(o.placement_path, "w");
		if (g.placement == NULL) {
			fprintf(stderr, "gen_capture: %s: %s\n", o.placement_path, strerror(errno));
			return 1;
		}
		fprintf(g.placement, "# instance\tsample\tclient\tfirst_frame\tlast_frame\n");
	}
	out_header(&g.out);
	if (run(&g) != 0)
		goto done;
	out_flush(&g.out);
	if (g.out.err || fclose(g.out.f) != 0) {
		g.out.f = NULL;
		fprintf(stderr, "gen_capture: %s: write failed: %s\n", o.out_path,
			strerror(errno));
		goto done;
	}
	g.out.f = NULL;
	if (g.placement != NULL && fclose(g.placement) != 0) {
		g.placement = NULL;
		fprintf(stderr, "gen_capture: %s: write failed\n", o.placement_path);
		goto done;
	}
	g.placement = NULL;
	for (size_t i = 0; i < g.nsamples; i++)
		if (samples[i].instances == 0) {
			fprintf(stderr, "gen_capture: sample %s was never embedded: make the capture "
					"larger or --embed-every smaller\n", samples[i].name);
			goto done;
		}
	if (o.expect_path != NULL && write_expect(&g, o.expect_path) != 0)
		goto done;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	tcp_conns = g.conns;
	for (size_t i = 0; i < g.nsamples; i++)
		tcp_conns += samples[i].instances * samples[i].syns;
	if (!o.quiet)
		fprintf(stderr, "gen_capture: %s: %llu packets (%.1f%% bare ACKs), %llu bytes, "
				"%llu TCP connections (%llu in %llu sample instances of %zu samples), "
				"%zu expected findings, %.1f s of traffic, written in %.2f s\n",
			o.out_path, (unsigned long long)g.out.packets,
			100.0 * (double)g.out.acks / (double)(g.out.packets ? g.out.packets : 1),
			(unsigned long long)g.out.bytes, (unsigned long long)tcp_conns,
			(unsigned long long)(tcp_conns - g.conns),
			(unsigned long long)g.instances, g.nsamples, g.ex.n,
			(double)g.now_us / 1e6,
			(double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	rc = 0;
done:
	if (g.out.f != NULL)
		fclose(g.out.f);
	if (g.placement != NULL)
		fclose(g.placement);
	return rc;
}
