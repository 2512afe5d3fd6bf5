/* ip.c - IPv4 and IPv6 headers, IPv6 extension header chain.
 *
 * References: RFC 791 (IPv4, options, fragmentation fields), RFC 8200
 * (IPv6, extension headers: hop-by-hop 0, routing 43, fragment 44,
 * destination options 60), RFC 4302 (AH 51, length in 32-bit words).
 */
#include "negscope/net.h"

#define MAX_EXT_HEADERS 16

/* The captured payload, clamped to the declared length. */
static struct cap_span clamp(const struct cap_cursor *c, uint32_t declared)
{
	struct cap_span s = cap_cur_rest(c);

	if (s.len > declared)
		s.len = declared;
	return s;
}

static uint16_t be16_at(const uint8_t *b)
{
	return (uint16_t)((b[0] << 8) | b[1]);
}

/* The fixed header and the options are taken in one bounds-checked step. */
static enum cap_status ipv4(struct cap_cursor c, struct cap_ip *out)
{
	int vihl = cap_cur_peek(&c, 0);
	size_t hlen, avail;
	const uint8_t *b;
	uint16_t total, frag;

	if (vihl < 0)
		return CAP_TRUNCATED;
	hlen = (size_t)(vihl & 0x0f) * 4;
	if ((vihl >> 4) != 4 || hlen < 20)
		return CAP_MALFORMED;
	avail = cap_cur_left(&c);
	b = cap_cur_bytes(&c, hlen);
	if (b == NULL)
		return c.status;
	total = be16_at(b + 2);
	out->frag_id = be16_at(b + 4);
	frag = be16_at(b + 6);
	out->proto = b[9];
	/* b[10..11]: checksum, never checked */
	out->src = b + 12;
	out->dst = b + 16;
	/* Total length 0 is what TCP segmentation offload leaves: use what is there. */
	if (total == 0)
		total = (uint16_t)(avail > 0xffff ? 0xffff : avail);
	if (total < hlen)
		return CAP_MALFORMED;
	out->family = 4;
	out->payload_len = (uint32_t)(total - hlen);
	out->payload = clamp(&c, out->payload_len);
	out->more_frags = (frag & 0x2000) != 0;
	out->frag_off = (uint32_t)(frag & 0x1fff) * 8;
	out->fragment = out->more_frags || out->frag_off != 0;
	return CAP_OK;
}

static enum cap_status ipv6(struct cap_cursor c, struct cap_ip *out)
{
	const uint8_t *b = cap_cur_bytes(&c, 40);
	uint32_t plen;
	uint8_t nh;
	int n;

	if (b == NULL)
		return c.status;
	if ((b[0] >> 4) != 6)
		return CAP_MALFORMED;
	plen = be16_at(b + 4);
	nh = b[6];
	/* b[7]: hop limit */
	out->src = b + 8;
	out->dst = b + 24;
	/* Payload length 0 means a jumbogram (RFC 2675) or offload: use what is there. */
	if (plen == 0)
		plen = (uint32_t)cap_cur_left(&c);
	out->family = 6;
	for (n = 0; n < MAX_EXT_HEADERS; n++) {
		size_t len;
		uint8_t next;

		if (nh != 0 && nh != 43 && nh != 44 && nh != 60 && nh != 51)
			break;
		next = cap_cur_u8(&c);
		len = cap_cur_u8(&c);
		if (nh == 44) {
			/* next header, reserved (read as len above), offset|M, id */
			uint16_t offm = cap_cur_be16(&c);

			out->frag_off = (uint32_t)(offm & 0xfff8);
			out->more_frags = (offm & 1) != 0;
			out->frag_id = cap_cur_be32(&c);
			out->fragment = out->frag_off != 0 || out->more_frags;
			if (plen < 8)
				return CAP_MALFORMED;
			plen -= 8;
			if (out->frag_off != 0) {
				/* Later fragments carry no further headers. */
				nh = next;
				break;
			}
		} else {
			len = nh == 51 ? (len + 2) * 4 : (len + 1) * 8;
			if (len > plen)
				return CAP_MALFORMED;
			cap_cur_skip(&c, len - 2);
			plen -= (uint32_t)len;
		}
		if (!cap_cur_ok(&c))
			return c.status;
		nh = next;
	}
	if (!cap_cur_ok(&c))
		return c.status;
	out->proto = nh;
	out->payload_len = plen;
	out->payload = clamp(&c, plen);
	return CAP_OK;
}

enum cap_status cap_ip_decode(struct cap_cursor c, uint16_t ethertype, struct cap_ip *out)
{
	out->fragment = false;
	out->more_frags = false;
	out->frag_off = 0;
	out->frag_id = 0;
	if (ethertype == CAP_ETH_IPV4)
		return ipv4(c, out);
	if (ethertype == CAP_ETH_IPV6)
		return ipv6(c, out);
	return CAP_UNSUPPORTED;
}
