/* l4.c - TCP, UDP and ICMP/ICMPv6 destination unreachable headers.
 *
 * References: RFC 9293 (TCP header, data offset), RFC 768 (UDP), RFC 792
 * (ICMP type 3 quotes the IP header and 64 bits of the datagram), RFC 4443
 * (ICMPv6 type 1 quotes as much of the packet as fits).
 */
#include "negscope/net.h"

enum cap_status cap_tcp_decode(const struct cap_ip *ip, struct cap_tcp *out)
{
	struct cap_cursor c = cap_cur_from_span(ip->payload);
	const uint8_t *b = cap_cur_bytes(&c, 20); /* the fixed header, in one check */
	size_t hlen;

	if (b == NULL)
		return c.status;
	out->sport = (uint16_t)((b[0] << 8) | b[1]);
	out->dport = (uint16_t)((b[2] << 8) | b[3]);
	out->seq = (uint32_t)b[4] << 24 | (uint32_t)b[5] << 16 | (uint32_t)b[6] << 8 | b[7];
	out->ack = (uint32_t)b[8] << 24 | (uint32_t)b[9] << 16 | (uint32_t)b[10] << 8 | b[11];
	/* b[14..19]: window, checksum (never checked), urgent pointer */
	hlen = (size_t)(b[12] >> 4) * 4;
	out->flags = b[13];
	out->payload = cap_span_of(NULL, 0);
	out->payload_len = 0;
	/* The fixed header is valid: ports, flags and numbers above are usable
	 * (tshark still counts the connection), the rest is not. */
	if (hlen < 20 || hlen > ip->payload_len)
		return CAP_MALFORMED;
	if (!cap_cur_skip(&c, hlen - 20)) /* options */
		return c.status;
	out->payload = cap_cur_rest(&c);
	out->payload_len = (uint32_t)(ip->payload_len - hlen);
	return CAP_OK;
}

enum cap_status cap_udp_decode(const struct cap_ip *ip, struct cap_udp *out)
{
	struct cap_cursor c = cap_cur_from_span(ip->payload);
	uint16_t ulen;

	out->sport = cap_cur_be16(&c);
	out->dport = cap_cur_be16(&c);
	ulen = cap_cur_be16(&c);
	cap_cur_skip(&c, 2); /* checksum: never checked */
	if (!cap_cur_ok(&c))
		return c.status;
	/* Length 0 happens with IPv6 jumbograms and offload: trust IP then. */
	if (ulen == 0)
		ulen = (uint16_t)(ip->payload_len > 0xffff ? 0xffff : ip->payload_len);
	if (ulen < 8 || ulen > ip->payload_len)
		return CAP_MALFORMED;
	out->payload_len = (uint32_t)ulen - 8;
	out->payload = cap_cur_rest(&c);
	if (out->payload.len > out->payload_len)
		out->payload.len = out->payload_len;
	return CAP_OK;
}

enum cap_status cap_icmp_decode(const struct cap_ip *ip, struct cap_icmp *out)
{
	struct cap_cursor c = cap_cur_from_span(ip->payload);
	struct cap_cursor q;
	enum cap_status st;

	out->type = cap_cur_u8(&c);
	out->code = cap_cur_u8(&c);
	cap_cur_skip(&c, 6); /* checksum, unused / next-hop MTU */
	if (!cap_cur_ok(&c))
		return c.status;
	out->unreach = ip->family == 4 ? out->type == 3 : out->type == 1;
	out->inner_sport = 0;
	out->inner_dport = 0;
	if (!out->unreach)
		return CAP_OK;
	st = cap_ip_decode(c, ip->family == 4 ? CAP_ETH_IPV4 : CAP_ETH_IPV6, &out->inner);
	if (st != CAP_OK)
		return st;
	/* The quoted datagram is cut on purpose: its declared length means nothing here. */
	q = cap_cur_from_span(out->inner.payload);
	if (out->inner.proto == 6 || out->inner.proto == 17) {
		out->inner_sport = cap_cur_be16(&q);
		out->inner_dport = cap_cur_be16(&q);
	}
	return CAP_OK;
}
