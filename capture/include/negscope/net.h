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
#include "negscope/tok.h"

#define CAP_ETH_IPV4 0x0800u
#define CAP_ETH_IPV6 0x86ddu
#define CAP_ETH_MPLS 0x8847u
#define CAP_ETH_MPLS_MC 0x8848u

#ifndef DLT_NFLOG
#define DLT_NFLOG 239
#endif

/* Why a packet could not be decoded: the summary's undecodable_packets, split. */
enum cap_undec {
	CAP_UNDEC_LINK = 0,   /* link type not decoded, or its header is malformed */
	CAP_UNDEC_ETHERTYPE,  /* neither IPv4 nor IPv6 (ARP, LLDP, ...) */
	CAP_UNDEC_IP,         /* a malformed IP header */
	CAP_UNDEC_TRANSPORT,  /* a malformed TCP, UDP or ICMP header */
	CAP_UNDEC_GRE,        /* GRE of a version or protocol not decoded, or malformed */
	CAP_UNDEC_ERSPAN,     /* an ERSPAN header or its Ethernet frame malformed */
	CAP_UNDEC_VXLAN,      /* a VXLAN header or its Ethernet frame malformed */
	CAP_UNDEC_MPLS,       /* a label stack too deep, or neither IPv4 nor IPv6 under it */
	CAP_UNDEC_NFLOG,      /* an NFLOG record without a packet */
	CAP_UNDEC_DEPTH,      /* tunnels nested deeper than CAP_MAX_TUNNELS */
	CAP_UNDEC_N
};
#define CAP_MAX_TUNNELS 4

/* The reason's name in the summary ("gre"). */
const char *cap_undec_name(enum cap_undec r);

/* True when the DLT_* value is one cap_link_decode handles. */
bool cap_link_supported(int linktype);
/* Steps c over the link header (VLAN tags included) of a frame of the given
 * DLT_* type and returns the ethertype of what follows: CAP_ETH_IPV4,
 * CAP_ETH_IPV6, or another value the caller does not decode.  Returns
 * CAP_TRUNCATED when the header is cut, CAP_UNSUPPORTED for a link type or
 * address family it does not know. */
enum cap_status cap_link_decode(int linktype, struct cap_cursor *c, uint16_t *ethertype_out);

/* An MPLS label stack at c (RFC 3032): steps over it and says what is under the
 * bottom label by its first nibble (CAP_ETH_IPV4 or CAP_ETH_IPV6); CAP_UNSUPPORTED for
 * anything else or more than 8 labels. */
enum cap_status cap_mpls_pop(struct cap_cursor *c, uint16_t *ethertype_out);

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

/* What a tunnel packet carries: IP in IP (4), 6in4 (41), GRE (47; IPv4, IPv6, MPLS,
 * transparent Ethernet, ERSPAN I/II/III) and VXLAN (UDP 4789).  Returns 1 with *c at
 * the inner network header and *et its ethertype (CAP_ETH_IPV4/IPV6/MPLS), 0 when the
 * packet is no tunnel, -1 when the tunnel's contents cannot be decoded and -2 when they
 * are cut (*why says which tunnel). */
int cap_tunnel_inner(const struct cap_ip *ip, struct cap_cursor *c, uint16_t *et,
		     enum cap_undec *why);

#endif /* NEGSCOPE_NET_H */
