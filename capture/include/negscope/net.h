/* net.h - link layer, IP and transport decoding for the capture pipeline.
 *
 * Pure decoders over a struct cap_cursor: nothing is copied, results alias
 * the packet (or, for a reassembled datagram, the fragment table's buffer)
 * and stay valid until the next packet.  Checksums are never verified:
 * loopback and offloaded captures carry none.
 */
#ifndef NEGSCOPE_NET_H
#define NEGSCOPE_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "negscope/cursor.h"

#define CAP_ETH_IPV4 0x0800u
#define CAP_ETH_IPV6 0x86ddu

/* True when the DLT_* value is one cap_link_decode handles. */
bool cap_link_supported(int linktype);
/* Steps c over the link header (VLAN tags included) of a frame of the given
 * DLT_* type and returns the ethertype of what follows: CAP_ETH_IPV4,
 * CAP_ETH_IPV6, or another value the caller does not decode.  Returns
 * CAP_TRUNCATED when the header is cut, CAP_UNSUPPORTED for a link type or
 * address family it does not know. */
enum cap_status cap_link_decode(int linktype, struct cap_cursor *c, uint16_t *ethertype_out);

/* An IPv4 or IPv6 packet, after the extension header chain. */
struct cap_ip {
	uint8_t family;          /* 4 or 6 */
	uint8_t proto;           /* upper-layer protocol (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6) */
	const uint8_t *src;      /* 4 or 16 bytes */
	const uint8_t *dst;
	struct cap_span payload; /* captured upper-layer bytes, clamped to the IP length */
	uint32_t payload_len;    /* upper-layer bytes the IP header declares */
	bool fragment;           /* part of a fragmented datagram */
	bool more_frags;
	uint32_t frag_off;       /* byte offset of this fragment */
	uint32_t frag_id;
};

/* Decodes an IP header at c (the ethertype says which version).  The total
 * or payload length clamps the view; a header cut by the snap length is
 * CAP_TRUNCATED, a contradiction CAP_MALFORMED. */
enum cap_status cap_ip_decode(struct cap_cursor c, uint16_t ethertype, struct cap_ip *out);

#define CAP_TCP_FIN 0x01u
#define CAP_TCP_SYN 0x02u
#define CAP_TCP_RST 0x04u
#define CAP_TCP_PSH 0x08u
#define CAP_TCP_ACK 0x10u

struct cap_tcp {
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;           /* CAP_TCP_* */
	struct cap_span payload; /* captured payload */
	uint32_t payload_len;    /* declared payload (>= payload.len when cut) */
};

struct cap_udp {
	uint16_t sport, dport;
	struct cap_span payload;
	uint32_t payload_len;
};

/* ICMP destination unreachable (type 3) / ICMPv6 (type 1) and what it quotes. */
struct cap_icmp {
	uint8_t type, code;
	bool unreach;            /* the message is a destination unreachable */
	struct cap_ip inner;     /* quoted IP header (payload mostly cut) */
	uint16_t inner_sport, inner_dport; /* when inner is TCP or UDP and 4 bytes are quoted */
};

/* TCP: CAP_MALFORMED with ports, numbers and flags filled (and no payload)
 * when only the data offset is bogus. */
enum cap_status cap_tcp_decode(const struct cap_ip *ip, struct cap_tcp *out);
enum cap_status cap_udp_decode(const struct cap_ip *ip, struct cap_udp *out);
enum cap_status cap_icmp_decode(const struct cap_ip *ip, struct cap_icmp *out);

/* IP fragment reassembly (RFC 791 section 3.2, RFC 8200 section 4.5): a
 * fixed number of datagrams in progress, each up to 64 KiB, total memory
 * capped by max_bytes, given up after a timeout of 30 s (capture time). */
struct cap_frag_table;

struct cap_frag_table *cap_frag_new(size_t max_bytes);
/* Datagrams given up because max_bytes (or the slot count) was reached. */
uint64_t cap_frag_cap_hits(const struct cap_frag_table *t);
void cap_frag_free(struct cap_frag_table *t);
/* Adds a fragment.  Returns 1 when it completes a datagram: *out is the
 * whole datagram (payload in table memory, valid until the next call), 0
 * when more fragments are needed, -1 when the fragment was dropped (cap,
 * bogus offset).  *dropped_out is increased by fragments given up. */
int cap_frag_add(struct cap_frag_table *t, const struct cap_ip *frag, double ts,
		 struct cap_ip *out, uint64_t *dropped_out);

#endif /* NEGSCOPE_NET_H */
