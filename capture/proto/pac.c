/* pac.c - the counts of a Privilege Attribute Certificate (MS-PAC).
 *
 * References: MS-PAC §2.3 (PACTYPE), §2.4 (PAC_INFO_BUFFER), §2.5 (KERB_VALIDATION_INFO,
 * NDR-serialised per MS-RPCE §2.2.6: an 8-byte common header, an 8-byte private header,
 * a 4-byte referent id, then the structure's fixed part with its counts at fixed
 * offsets).  Only the sizes and counts are read: token-too-large names its cause (too
 * many groups) from them.  The signatures and the user session key are never read.
 */
#include <string.h>

#include "negscope/krbkeys.h"

enum { PAC_LOGON_INFO = 1 };

/* Buffers listed at most (a PAC has about ten; more is hostile). */
#define PAC_MAX_BUFFERS 64

/* Offsets in the LOGON_INFO buffer: 20 bytes of NDR headers, then 6 FILETIMEs (48) and
 * 6 RPC_UNICODE_STRINGs (48) of KERB_VALIDATION_INFO; GroupCount follows LogonCount,
 * BadPasswordCount, UserId and PrimaryGroupId. */
#define LI_GROUP_COUNT 128
#define LI_SID_COUNT 216
#define LI_RESOURCE_GROUP_COUNT 228
#define LI_FIXED_END 236
/* A group is a GROUP_MEMBERSHIP (8 bytes), an extra SID at least a KERB_SID_AND_ATTRIBUTES
 * (8) plus its SID (12): counts the buffer cannot hold are malformed. */
#define GROUP_BYTES 8

static uint32_t le32_at(struct cap_span s, size_t off)
{
	struct cap_cursor c = cap_span_slice(s, off, 4);

	return cap_cur_le32(&c);
}

static void logon_info(struct cap_span li, struct cap_krb_pac_view *v)
{
	size_t room;

	if (li.len < LI_FIXED_END) {
		v->malformed = true;
		return;
	}
	v->group_count = le32_at(li, LI_GROUP_COUNT);
	v->extra_sid_count = le32_at(li, LI_SID_COUNT);
	v->resource_group_count = le32_at(li, LI_RESOURCE_GROUP_COUNT);
	room = (li.len - LI_FIXED_END) / GROUP_BYTES;
	if (v->group_count > room || v->extra_sid_count > room ||
	    v->resource_group_count > room) {
		v->malformed = true;
		return;
	}
	v->logon_info = true;
}

/* PACTYPE: cBuffers (4, LE), Version (4, LE) = 0, then cBuffers PAC_INFO_BUFFERs:
 * ulType (4), cbBufferSize (4), Offset (8), all little-endian. */
enum cap_status cap_krb_pac_decode(struct cap_span pac, struct cap_krb_pac_view *out)
{
	struct cap_cursor c = cap_cur_from_span(pac);
	uint32_t n, version, type, size;
	uint64_t off;

	memset(out, 0, sizeof(*out));
	out->present = true;
	out->bytes = pac.len;
	n = cap_cur_le32(&c);
	version = cap_cur_le32(&c);
	if (!cap_cur_ok(&c))
		return CAP_TRUNCATED;
	out->buffers = n;
	if (version != 0 || n > PAC_MAX_BUFFERS) {
		out->malformed = true;
		return CAP_MALFORMED;
	}
	for (uint32_t i = 0; i < n; i++) {
		type = cap_cur_le32(&c);
		size = cap_cur_le32(&c);
		off = cap_cur_le64(&c);
		if (!cap_cur_ok(&c)) {
			out->malformed = true;
			return CAP_TRUNCATED;
		}
		if (off > pac.len || !cap_range_ok((size_t)off, size, pac.len)) {
			out->malformed = true;
			continue;
		}
		if (type == PAC_LOGON_INFO && !out->logon_info) {
			struct cap_cursor lc = cap_span_slice(pac, (size_t)off, size);

			logon_info(cap_cur_rest(&lc), out);
		}
	}
	return out->malformed ? CAP_MALFORMED : CAP_OK;
}
