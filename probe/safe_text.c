/* safe_text.c - escaping of server-provided text for terminals and XML.
 * References: RFC 3629 (UTF-8), ECMA-48 (C0/C1 controls, ESC sequences),
 * XML 1.0 §2.2 (allowed characters).
 */
#include "safe_text.h"

#include <stdio.h>
#include <string.h>

size_t probe_utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t len;
	uint32_t c, min;

	if (n == 0)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xE0) == 0xC0) {
		len = 2, c = s[0] & 0x1F, min = 0x80;
	} else if ((s[0] & 0xF0) == 0xE0) {
		len = 3, c = s[0] & 0x0F, min = 0x800;
	} else if ((s[0] & 0xF8) == 0xF0) {
		len = 4, c = s[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return len;
}

bool probe_char_unsafe(size_t len, uint32_t cp)
{
	return len == 0 || (cp < 0x20 && cp != '\t') || (cp >= 0x7F && cp <= 0x9F);
}

char *probe_text_safe(char *out, size_t cap, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t at = 0, o = 0;

	if (cap == 0)
		return out;
	while (at < n) {
		uint32_t cp = 0;
		size_t len = probe_utf8_next(p + at, n - at, &cp);
		bool escape = probe_char_unsafe(len, cp);
		size_t need = escape ? 4 * (len == 0 ? 1 : len) : len;

		if (o + need + 1 > cap)
			break;
		if (escape) {
			size_t bytes = len == 0 ? 1 : len;

			for (size_t i = 0; i < bytes; i++)
				o += (size_t)snprintf(out + o, cap - o, "\\x%02x", p[at + i]);
			at += bytes;
		} else {
			memcpy(out + o, p + at, len);
			o += len;
			at += len;
		}
	}
	out[o] = '\0';
	return out;
}

char *probe_str_safe(char *out, size_t cap, const char *s)
{
	return probe_text_safe(out, cap, s != NULL ? s : "", s != NULL ? strlen(s) : 0);
}
