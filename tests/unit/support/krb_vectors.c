/* krb_vectors.c - test support: Kerberos PDUs on port 88 out of pcaps.
 *
 * References: RFC 791/8200 (IP), RFC 768/9293 (UDP/TCP), RFC 4120 §7.2
 * (Kerberos over UDP and TCP, 4-byte record marker).  Test-only code, but
 * it still reads packet bytes only through cursor.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "krb_vectors.h"
#include "negscope/b64.h"
#include "negscope/cursor.h"
#include "negscope/der.h"

#define MAX_STREAMS 64
#define MAX_RECORD (1u << 20)

struct stream {
	int used;
	uint8_t key[40];      /* family, src, dst, ports */
	uint32_t next_seq;
	int have_seq;
	uint8_t *buf;
	size_t len;
};

struct loader {
	struct krb_pdus *out;
	struct stream st[MAX_STREAMS];
	unsigned frame;
	int http;             /* look for Negotiate tokens instead of port 88 */
	int oom;
};

const char *krb_captures_dir(void)
{
	const char *e = getenv("NEGSCOPE_CAPTURES_DIR");

	return e != NULL && e[0] != '\0' ? e : NEGSCOPE_CAPTURES_DIR;
}

const char *krb_samples_dir(void)
{
	const char *e = getenv("NEGSCOPE_SAMPLES_DIR");

	return e != NULL && e[0] != '\0' ? e : NEGSCOPE_SAMPLES_DIR;
}

static void emit(struct loader *L, struct cap_span s, int tcp)
{
	struct krb_pdus *o = L->out;
	struct krb_pdu *nv;
	uint8_t *d;

	if (s.len == 0)
		return;
	if (o->n == o->cap) {
		size_t nc = o->cap ? o->cap * 2 : 16;

		nv = realloc(o->v, nc * sizeof(*nv));
		if (nv == NULL) {
			L->oom = 1;
			return;
		}
		o->v = nv;
		o->cap = nc;
	}
	d = malloc(s.len);
	if (d == NULL) {
		L->oom = 1;
		return;
	}
	memcpy(d, s.p, s.len);
	o->v[o->n].frame = L->frame;
	o->v[o->n].tcp = tcp;
	o->v[o->n].data = d;
	o->v[o->n].len = s.len;
	o->n++;
}

static struct stream *find_stream(struct loader *L, const uint8_t *key)
{
	size_t i;

	for (i = 0; i < MAX_STREAMS; i++)
		if (L->st[i].used && memcmp(L->st[i].key, key, sizeof(L->st[i].key)) == 0)
			return &L->st[i];
	for (i = 0; i < MAX_STREAMS; i++)
		if (!L->st[i].used) {
			memset(&L->st[i], 0, sizeof(L->st[i]));
			L->st[i].used = 1;
			memcpy(L->st[i].key, key, sizeof(L->st[i].key));
			return &L->st[i];
		}
	return NULL;
}

static void stream_reset(struct stream *s)
{
	free(s->buf);
	s->buf = NULL;
	s->len = 0;
}

/* Appends a TCP payload and emits every complete record. */
static void tcp_data(struct loader *L, const uint8_t *key, uint32_t seq,
		     struct cap_span pay)
{
	struct stream *s = find_stream(L, key);
	struct cap_span pdu;
	uint32_t reclen;
	uint8_t *nb;

	if (s == NULL)
		return;
	if (s->have_seq) {
		int32_t diff = (int32_t)(seq - s->next_seq);

		if (diff < 0)
			return; /* retransmission of what we have */
		if (diff > 0)
			stream_reset(s); /* gap: start over */
	}
	if (s->len + pay.len > MAX_RECORD + 4) {
		stream_reset(s);
		return;
	}
	nb = realloc(s->buf, s->len + pay.len);
	if (nb == NULL) {
		L->oom = 1;
		return;
	}
	s->buf = nb;
	memcpy(s->buf + s->len, pay.p, pay.len);
	s->len += pay.len;
	s->next_seq = seq + (uint32_t)pay.len;
	s->have_seq = 1;
	for (;;) {
		struct cap_cursor c = cap_cur_init(s->buf, s->len);
		size_t used;

		if (s->len < 4)
			break;
		reclen = cap_cur_be32(&c);
		if ((reclen & 0x80000000u) || reclen > MAX_RECORD) {
			stream_reset(s);
			break;
		}
		if (reclen > cap_cur_left(&c))
			break;
		pdu = cap_cur_span(&c, reclen);
		emit(L, pdu, 1);
		used = 4 + (size_t)reclen;
		memmove(s->buf, s->buf + used, s->len - used);
		s->len -= used;
	}
}

/* Case-insensitive search for an ASCII needle in s from offset from. */
static size_t find_ci(struct cap_span s, size_t from, const char *needle)
{
	struct cap_cursor c = cap_cur_from_span(s);
	size_t n = strlen(needle), i, k;

	for (i = from; n <= s.len && i <= s.len - n; i++) {
		for (k = 0; k < n; k++) {
			int b = cap_cur_peek(&c, i + k);
			int a = needle[k];

			if (b >= 'A' && b <= 'Z')
				b += 'a' - 'A';
			if (a >= 'A' && a <= 'Z')
				a += 'a' - 'A';
			if (b != a)
				break;
		}
		if (k == n)
			return i;
	}
	return SIZE_MAX;
}

/* The Kerberos message inside a decoded GSS/SPNEGO token, if any. */
static void krb_in_token(struct loader *L, struct cap_span tok)
{
	static const char *const oids[] = {
		"\x06\x09\x2a\x86\x48\x86\xf7\x12\x01\x02\x02",
		"\x06\x09\x2a\x86\x48\x82\xf7\x12\x01\x02\x02",
	};
	struct cap_cursor c = cap_cur_from_span(tok);
	size_t i, k, o;

	for (i = 0; i + 13 < tok.len; i++) {
		for (o = 0; o < 2; o++) {
			for (k = 0; k < 11; k++)
				if (cap_cur_peek(&c, i + k) != (uint8_t)oids[o][k])
					break;
			if (k < 11)
				continue;
			/* TOK_ID 01 00 / 02 00 / 03 00, then [APPLICATION n] */
			if (cap_cur_peek(&c, i + 12) == 0x00 &&
			    cap_cur_peek(&c, i + 11) >= 1 &&
			    cap_cur_peek(&c, i + 11) <= 3) {
				struct cap_cursor r = cap_span_slice(tok, i + 13,
								     tok.len - i - 13);
				struct cap_der d;

				if (cap_der_get(&r, &d) && d.cls == CAP_DER_APPLICATION) {
					emit(L, d.tlv, 1);
					return;
				}
			}
		}
	}
}

static void http_data(struct loader *L, struct cap_span pay)
{
	size_t at = 0, start, n;
	struct cap_cursor c = cap_cur_from_span(pay);
	uint8_t *buf;

	while ((at = find_ci(pay, at, "Negotiate ")) != SIZE_MAX) {
		struct cap_b64_err e;
		size_t outlen = 0;

		start = at + 10;
		for (n = 0; cap_cur_peek(&c, start + n) >= 0 &&
			    (cap_b64_is_alpha(cap_cur_peek(&c, start + n)) ||
			     cap_cur_peek(&c, start + n) == '=');
		     n++)
			;
		at = start + n;
		if (n < 8)
			continue;
		buf = malloc(cap_b64_decoded_max(n));
		if (buf == NULL) {
			L->oom = 1;
			return;
		}
		{
			struct cap_cursor t = cap_span_slice(pay, start, n);

			if (cap_b64_decode(cap_cur_rest(&t), 0, buf,
					   cap_b64_decoded_max(n), &outlen, &e) == CAP_OK)
				krb_in_token(L, cap_span_of(buf, outlen));
		}
		free(buf);
	}
}

static void transport(struct loader *L, int proto, struct cap_cursor *c,
		      const uint8_t *addrs, size_t alen, int fam)
{
	uint8_t key[40];
	uint16_t sp, dp;
	uint32_t seq;
	size_t off;

	if (proto == 17) {
		sp = cap_cur_be16(c);
		dp = cap_cur_be16(c);
		(void)cap_cur_skip(c, 4);
		if (cap_cur_ok(c) && (sp == 88 || dp == 88) && !L->http)
			emit(L, cap_cur_rest(c), 0);
		return;
	}
	if (proto != 6)
		return;
	sp = cap_cur_be16(c);
	dp = cap_cur_be16(c);
	seq = cap_cur_be32(c);
	(void)cap_cur_be32(c);
	off = (size_t)(cap_cur_u8(c) >> 4) * 4;
	(void)cap_cur_u8(c);
	if (!cap_cur_ok(c) || off < 20 || !cap_cur_skip(c, off - 14))
		return;
	if (L->http) {
		if (sp != 88 && dp != 88 && cap_cur_left(c) > 0)
			http_data(L, cap_cur_rest(c));
		return;
	}
	if ((sp != 88 && dp != 88) || cap_cur_left(c) == 0)
		return;
	memset(key, 0, sizeof(key));
	key[0] = (uint8_t)fam;
	memcpy(key + 1, addrs, alen);
	key[33] = (uint8_t)(sp >> 8);
	key[34] = (uint8_t)sp;
	key[35] = (uint8_t)(dp >> 8);
	key[36] = (uint8_t)dp;
	tcp_data(L, key, seq, cap_cur_rest(c));
}

static void ip_packet(struct loader *L, struct cap_cursor *c)
{
	int v = cap_cur_peek(c, 0);

	if (v < 0)
		return;
	if ((v >> 4) == 4) {
		uint8_t vihl = cap_cur_u8(c), proto;
		uint16_t total, frag;
		const uint8_t *addrs;
		struct cap_cursor ip;
		size_t ihl = (size_t)(vihl & 15) * 4;

		(void)cap_cur_u8(c);
		total = cap_cur_be16(c);
		(void)cap_cur_be16(c);
		frag = cap_cur_be16(c);
		(void)cap_cur_u8(c);
		proto = cap_cur_u8(c);
		(void)cap_cur_be16(c);
		addrs = cap_cur_bytes(c, 8);
		if (addrs == NULL || ihl < 20 || total < ihl)
			return;
		if (frag & 0x3fff)
			return; /* IP fragments: not reassembled here */
		if (!cap_cur_skip(c, ihl - 20))
			return;
		/* Trim Ethernet padding to the IP total length. */
		ip = cap_cur_sub(c, total - ihl <= cap_cur_left(c) ? total - ihl
								   : cap_cur_left(c));
		transport(L, proto, &ip, addrs, 8, 4);
	} else if ((v >> 4) == 6) {
		uint16_t plen;
		uint8_t nh;
		const uint8_t *addrs;
		struct cap_cursor ip;

		(void)cap_cur_be32(c);
		plen = cap_cur_be16(c);
		nh = cap_cur_u8(c);
		(void)cap_cur_u8(c);
		addrs = cap_cur_bytes(c, 32);
		if (addrs == NULL)
			return;
		ip = cap_cur_sub(c, plen <= cap_cur_left(c) ? plen : cap_cur_left(c));
		transport(L, nh, &ip, addrs, 32, 6);
	}
}

static void packet(struct loader *L, int dlt, struct cap_cursor *c)
{
	uint16_t et;

	switch (dlt) {
	case DLT_EN10MB:
		(void)cap_cur_skip(c, 12);
		et = cap_cur_be16(c);
		while (cap_cur_ok(c) && (et == 0x8100 || et == 0x88a8)) {
			(void)cap_cur_be16(c);
			et = cap_cur_be16(c);
		}
		break;
	case DLT_LINUX_SLL:
		(void)cap_cur_skip(c, 14);
		et = cap_cur_be16(c);
		break;
	case DLT_NULL:
	case DLT_LOOP:
		(void)cap_cur_skip(c, 4);
		et = 0;
		break;
	case DLT_RAW:
#ifdef DLT_IPV4
	case DLT_IPV4:
	case DLT_IPV6:
#endif
	case 101: /* LINKTYPE_RAW as some libpcaps report it */
		et = 0;
		break;
	default:
		return;
	}
	if (!cap_cur_ok(c))
		return;
	if (et == 0 || et == 0x0800 || et == 0x86dd)
		ip_packet(L, c);
}

static int load(const char *pcap_path, struct krb_pdus *out, char *err,
		size_t errlen, int http)
{
	char ebuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	struct loader *L;
	pcap_t *p;
	int dlt, r;
	size_t i;

	memset(out, 0, sizeof(*out));
	p = pcap_open_offline(pcap_path, ebuf);
	if (p == NULL) {
		snprintf(err, errlen, "%s", ebuf);
		return -1;
	}
	L = calloc(1, sizeof(*L));
	if (L == NULL) {
		pcap_close(p);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	L->out = out;
	L->http = http;
	dlt = pcap_datalink(p);
	while ((r = pcap_next_ex(p, &h, &data)) == 1) {
		struct cap_cursor c = cap_cur_init(data, h->caplen);

		L->frame++;
		packet(L, dlt, &c);
	}
	for (i = 0; i < MAX_STREAMS; i++)
		free(L->st[i].buf);
	r = L->oom;
	free(L);
	pcap_close(p);
	if (r) {
		krb_pdus_free(out);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

int krb_pdus_load(const char *pcap_path, struct krb_pdus *out, char *err,
		  size_t errlen)
{
	return load(pcap_path, out, err, errlen, 0);
}

int krb_http_pdus_load(const char *pcap_path, struct krb_pdus *out, char *err,
		       size_t errlen)
{
	return load(pcap_path, out, err, errlen, 1);
}

void krb_pdus_free(struct krb_pdus *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->n; i++)
		free(p->v[i].data);
	free(p->v);
	memset(p, 0, sizeof(*p));
}

int krb_pcap_write_udp(const char *path, const struct cap_span *msgs, size_t n,
		       char *err, size_t errlen)
{
	static const uint8_t eth[14] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1,
					 0x08, 0x00 };
	pcap_t *p = pcap_open_dead(DLT_EN10MB, 65535);
	pcap_dumper_t *d;
	size_t i;

	if (p == NULL) {
		snprintf(err, errlen, "pcap_open_dead failed");
		return -1;
	}
	d = pcap_dump_open(p, path);
	if (d == NULL) {
		snprintf(err, errlen, "%s", pcap_geterr(p));
		pcap_close(p);
		return -1;
	}
	for (i = 0; i < n; i++) {
		struct pcap_pkthdr h;
		size_t ulen = 8 + msgs[i].len, tlen = 20 + ulen;
		uint8_t *pkt;
		uint32_t sum = 0;
		size_t k;

		if (tlen > 65535) {
			snprintf(err, errlen, "message %zu too large", i);
			break;
		}
		pkt = calloc(1, 14 + tlen);
		if (pkt == NULL) {
			snprintf(err, errlen, "out of memory");
			break;
		}
		memcpy(pkt, eth, 14);
		pkt[14] = 0x45;
		pkt[16] = (uint8_t)(tlen >> 8);
		pkt[17] = (uint8_t)tlen;
		pkt[22] = 64;
		pkt[23] = 17;
		pkt[26] = 10, pkt[29] = 1;
		pkt[30] = 10, pkt[33] = 2;
		for (k = 0; k < 20; k += 2)
			sum += (uint32_t)(pkt[14 + k] << 8 | pkt[15 + k]);
		while (sum >> 16)
			sum = (sum & 0xffff) + (sum >> 16);
		pkt[24] = (uint8_t)(~sum >> 8);
		pkt[25] = (uint8_t)~sum;
		pkt[34] = 50000 >> 8, pkt[35] = 50000 & 0xff;
		pkt[37] = 88;
		pkt[38] = (uint8_t)(ulen >> 8);
		pkt[39] = (uint8_t)ulen;
		memcpy(pkt + 42, msgs[i].p, msgs[i].len);
		memset(&h, 0, sizeof(h));
		h.ts.tv_sec = 1700000000 + (long)i;
		h.caplen = h.len = (bpf_u_int32)(14 + tlen);
		pcap_dump((u_char *)d, &h, pkt);
		free(pkt);
	}
	pcap_dump_close(d);
	pcap_close(p);
	return i == n ? 0 : -1;
}
