/* link.c - link-layer headers: Ethernet + VLAN, Linux cooked v1/v2, BSD
 * loopback, raw IP.
 *
 * References: IEEE 802.3 and 802.1Q/802.1ad (tag 0x8100, 0x88a8, 0x9100);
 * tcpdump.org link-layer header types (LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2,
 * LINKTYPE_NULL, LINKTYPE_LOOP, LINKTYPE_RAW, LINKTYPE_IPV4, LINKTYPE_IPV6,
 * LINKTYPE_NFLOG: a 4-byte header, then TLVs whose length and type are in the
 * capturing host's byte order, the packet in NFULA_PAYLOAD, type 9).
 */
#include "negscope/net.h"

#include <pcap/dlt.h>

#define MAX_VLAN_TAGS 8

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif
#ifndef DLT_IPV4
#define DLT_IPV4 228
#endif
#ifndef DLT_IPV6
#define DLT_IPV6 229
#endif

bool cap_link_supported(int linktype)
{
	switch (linktype) {
	case DLT_EN10MB:
	case DLT_LINUX_SLL:
	case DLT_LINUX_SLL2:
	case DLT_NULL:
	case DLT_LOOP:
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
	case DLT_NFLOG:
		return true;
	default:
		return false;
	}
}

/* Steps over 802.1Q / 802.1ad tags, stacked (QinQ). */
static uint16_t skip_vlan(struct cap_cursor *c, uint16_t type)
{
	int n = 0;

	while ((type == 0x8100 || type == 0x88a8 || type == 0x9100) && n++ < MAX_VLAN_TAGS) {
		cap_cur_skip(c, 2); /* PCP/DEI/VID */
		type = cap_cur_be16(c);
	}
	return type;
}

/* Raw IP: the version nibble says which. */
static uint16_t ethertype_by_version(const struct cap_cursor *c)
{
	int b = cap_cur_peek(c, 0);

	if (b < 0)
		return 0;
	if ((b >> 4) == 4)
		return CAP_ETH_IPV4;
	if ((b >> 4) == 6)
		return CAP_ETH_IPV6;
	return 0;
}

/* BSD loopback: a 4-byte address family in the capturing host's byte order
 * (DLT_NULL) or network order (DLT_LOOP); both are accepted either way.
 * AF_INET6 differs per OS: 10 Linux, 24 NetBSD/OpenBSD, 28 FreeBSD, 30 macOS. */
static uint16_t null_family(struct cap_cursor *c)
{
	const uint8_t *b = cap_cur_bytes(c, 4);
	uint32_t af;

	if (b == NULL)
		return 0;
	af = b[0] != 0 ? b[0] : b[3];
	if (af == 2)
		return CAP_ETH_IPV4;
	if (af == 10 || af == 24 || af == 28 || af == 30)
		return CAP_ETH_IPV6;
	return ethertype_by_version(c);
}

/* NFLOG: the payload TLV becomes the cursor; the header's family says IPv4 or IPv6. */
static uint16_t nflog_payload(struct cap_cursor *c)
{
	int family = cap_cur_u8(c);

	cap_cur_skip(c, 3); /* version, resource id */
	while (cap_cur_ok(c) && cap_cur_left(c) >= 4) {
		int b0 = cap_cur_peek(c, 0), b1 = cap_cur_peek(c, 1);
		uint16_t le = (uint16_t)(b0 | b1 << 8), be = (uint16_t)(b0 << 8 | b1), len, type;
		bool little = le >= 4 && le <= cap_cur_left(c);

		len = little ? le : be;
		if (len < 4 || len > cap_cur_left(c))
			break;
		cap_cur_skip(c, 2);
		type = little ? cap_cur_le16(c) : cap_cur_be16(c);
		if (type == 9) {
			*c = cap_cur_sub(c, len - 4u);
			if (family == 2)
				return CAP_ETH_IPV4;
			if (family == 10)
				return CAP_ETH_IPV6;
			return ethertype_by_version(c);
		}
		cap_cur_skip(c, ((len + 3u) & ~3u) - 4u < cap_cur_left(c) ?
			     ((len + 3u) & ~3u) - 4u : cap_cur_left(c));
	}
	return 0;
}

enum cap_status cap_link_decode(int linktype, struct cap_cursor *c, uint16_t *ethertype_out)
{
	uint16_t type = 0;

	switch (linktype) {
	case DLT_EN10MB: {
		const uint8_t *b = cap_cur_bytes(c, 14); /* two addresses, ethertype */

		if (b == NULL)
			return c->status;
		type = skip_vlan(c, (uint16_t)((b[12] << 8) | b[13]));
		break;
	}
	case DLT_LINUX_SLL:
		/* packet type, ARPHRD type, address length, 8 address bytes, protocol */
		cap_cur_skip(c, 14);
		type = skip_vlan(c, cap_cur_be16(c));
		break;
	case DLT_LINUX_SLL2:
		/* protocol, reserved, ifindex, ARPHRD type, packet type, addr len, 8 addr */
		type = cap_cur_be16(c);
		cap_cur_skip(c, 18);
		type = skip_vlan(c, type);
		break;
	case DLT_NULL:
	case DLT_LOOP:
		type = null_family(c);
		break;
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
		type = ethertype_by_version(c);
		break;
	case DLT_NFLOG:
		type = nflog_payload(c);
		if (type == 0 && cap_cur_ok(c))
			return CAP_UNSUPPORTED;
		break;
	default:
		return CAP_UNSUPPORTED;
	}
	if (!cap_cur_ok(c))
		return c->status;
	*ethertype_out = type;
	return CAP_OK;
}
