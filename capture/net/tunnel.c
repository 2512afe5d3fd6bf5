/* tunnel.c - what a tunnel carries: IP in IP, GRE (with ERSPAN I/II/III), VXLAN, MPLS.
 *
 * References: RFC 2003 (IP in IP, protocol 4), RFC 4213 (IPv6 in IPv4, protocol 41),
 * RFC 2784/2890 (GRE header, checksum/key/sequence bits), RFC 7348 (VXLAN on UDP 4789),
 * RFC 3032 (MPLS label stack, bottom-of-stack bit), draft-foschiano-erspan (ERSPAN type
 * I: GRE 0x88BE without sequence number and no ERSPAN header; type II: 0x88BE, 8-byte
 * header; type III: 0x22EB, 12-byte header plus an 8-byte platform subheader when its O
 * bit is set), IEEE 802.1 transparent Ethernet bridging over GRE (0x6558).
 */
#include "negscope/net.h"

#include <pcap/dlt.h>

#define GRE_C 0x8000u
#define GRE_K 0x2000u
#define GRE_S 0x1000u
#define MAX_MPLS_LABELS 8

static const struct cap_tok reasons[] = {
	{CAP_UNDEC_LINK, "link"},
	{CAP_UNDEC_ETHERTYPE, "ethertype"},
	{CAP_UNDEC_IP, "ip"},
	{CAP_UNDEC_TRANSPORT, "transport"},
	{CAP_UNDEC_GRE, "gre"},
	{CAP_UNDEC_ERSPAN, "erspan"},
	{CAP_UNDEC_VXLAN, "vxlan"},
	{CAP_UNDEC_MPLS, "mpls"},
	{CAP_UNDEC_NFLOG, "nflog"},
	{CAP_UNDEC_DEPTH, "tunnel_depth"},
	{0, NULL},
};

const char *cap_undec_name(enum cap_undec r)
{
	return cap_tok_name(reasons, r, "other");
}

enum cap_status cap_mpls_pop(struct cap_cursor *c, uint16_t *ethertype_out)
{
	int n = 0, b;

	for (;;) {
		const uint8_t *l = cap_cur_bytes(c, 4);

		if (l == NULL)
			return c->status;
		if (l[2] & 1u)
			break; /* bottom of stack */
		if (++n == MAX_MPLS_LABELS)
			return CAP_UNSUPPORTED;
	}
	/* No protocol field: the payload's first nibble says IPv4 or IPv6. */
	b = cap_cur_peek(c, 0);
	if (b >= 0 && (b >> 4) == 4)
		*ethertype_out = CAP_ETH_IPV4;
	else if (b >= 0 && (b >> 4) == 6)
		*ethertype_out = CAP_ETH_IPV6;
	else
		return CAP_UNSUPPORTED;
	return CAP_OK;
}

/* An Ethernet frame inside a tunnel: its ethertype after the MAC header and tags. */
static enum cap_status inner_ethernet(struct cap_cursor *c, uint16_t *et)
{
	return cap_link_decode(DLT_EN10MB, c, et);
}

static enum cap_status gre(struct cap_cursor *c, uint16_t *et, enum cap_undec *why)
{
	uint16_t flags = cap_cur_be16(c), proto = cap_cur_be16(c);

	*why = CAP_UNDEC_GRE;
	if (!cap_cur_ok(c))
		return c->status;
	if ((flags & 7u) != 0)
		return CAP_UNSUPPORTED; /* version 1 is PPTP's enhanced GRE */
	cap_cur_skip(c, ((flags & GRE_C) ? 4u : 0u) + ((flags & GRE_K) ? 4u : 0u) +
		     ((flags & GRE_S) ? 4u : 0u));
	if (!cap_cur_ok(c))
		return c->status;
	switch (proto) {
	case CAP_ETH_IPV4:
	case CAP_ETH_IPV6:
	case CAP_ETH_MPLS:
	case CAP_ETH_MPLS_MC:
		*et = proto;
		return CAP_OK;
	case 0x6558: /* transparent Ethernet bridging (gretap) */
		return inner_ethernet(c, et);
	case 0x88be: /* ERSPAN type II; type I has no sequence number and no header */
		*why = CAP_UNDEC_ERSPAN;
		if (flags & GRE_S)
			cap_cur_skip(c, 8);
		return inner_ethernet(c, et);
	case 0x22eb: { /* ERSPAN type III */
		const uint8_t *h;

		*why = CAP_UNDEC_ERSPAN;
		h = cap_cur_bytes(c, 12);
		if (h == NULL)
			return c->status;
		if (h[11] & 1u) /* O: an optional platform-specific subheader follows */
			cap_cur_skip(c, 8);
		return inner_ethernet(c, et);
	}
	default:
		return CAP_UNSUPPORTED;
	}
}

int cap_tunnel_inner(const struct cap_ip *ip, struct cap_cursor *c, uint16_t *et,
		     enum cap_undec *why)
{
	enum cap_status st;

	*c = cap_cur_from_span(ip->payload);
	switch (ip->proto) {
	case 4: /* IPv4 inside (RFC 2003) */
		*et = CAP_ETH_IPV4;
		return 1;
	case 41: /* IPv6 inside (6in4, RFC 4213) */
		*et = CAP_ETH_IPV6;
		return 1;
	case 47:
		st = gre(c, et, why);
		break;
	case 17: {
		struct cap_udp u;

		if (cap_udp_decode(ip, &u) != CAP_OK || u.dport != 4789)
			return 0;
		*why = CAP_UNDEC_VXLAN;
		*c = cap_cur_from_span(u.payload);
		cap_cur_skip(c, 8); /* flags (I set), reserved, VNI, reserved */
		st = cap_cur_ok(c) ? inner_ethernet(c, et) : c->status;
		break;
	}
	default:
		return 0;
	}
	return st == CAP_OK ? 1 : (st == CAP_TRUNCATED ? -2 : -1);
}
