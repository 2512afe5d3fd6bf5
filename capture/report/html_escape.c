/* html_escape.c - text from the capture or a server as HTML text, never markup.
 *
 * Escapes the five characters HTML gives meaning to (& < > " ', so the result is safe in
 * text and in quoted attributes), and replaces with U+FFFD what could mislead a reader:
 * control characters (C0 but tab and newline, DEL, C1), the Unicode bidirectional
 * embedding, override and isolate controls and marks (Unicode TR #9; the "Trojan Source"
 * attack, CVE-2021-42574), and every byte that is not part of valid UTF-8 (RFC 3629:
 * overlong forms, surrogates, > U+10FFFF, cut sequences). */
#include <stdio.h>
#include <string.h>

#include "negscope/report.h"

#define REPLACEMENT "\xEF\xBF\xBD" /* U+FFFD in UTF-8 */

/* Decodes the UTF-8 sequence at s[0..n): returns its length and sets *cp, or 0 when the
 * bytes there are not a valid sequence. */
static size_t utf8_decode(const unsigned char *s, size_t n, unsigned long *cp)
{
	static const unsigned long min_for_len[5] = {0, 0, 0x80, 0x800, 0x10000};
	size_t len;
	unsigned long v;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0) {
		len = 2;
		v = s[0] & 0x1fu;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3;
		v = s[0] & 0x0fu;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4;
		v = s[0] & 0x07u;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3fu);
	}
	if (v < min_for_len[len] || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return len;
}

/* Code points shown as U+FFFD: controls and the bidi formatting characters. */
static bool neutralised(unsigned long cp)
{
	if (cp < 0x20)
		return cp != '\t' && cp != '\n';
	return (cp >= 0x7f && cp <= 0x9f) || cp == 0x061c || cp == 0x200e || cp == 0x200f ||
	       (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

static const char *entity(unsigned long cp)
{
	switch (cp) {
	case '&': return "&amp;";
	case '<': return "&lt;";
	case '>': return "&gt;";
	case '"': return "&quot;";
	case '\'': return "&#39;";
	default: return NULL;
	}
}

int cap_html_escape(FILE *fp, const void *text, size_t n)
{
	const unsigned char *s = text;
	size_t i = 0;

	while (i < n) {
		size_t run = i, len;
		unsigned long cp = 0;

		/* Copy plain printable ASCII in one write. */
		while (run < n && s[run] >= 0x20 && s[run] < 0x7f && entity(s[run]) == NULL)
			run++;
		if (run > i) {
			if (fwrite(s + i, 1, run - i, fp) != run - i)
				return -1;
			i = run;
			continue;
		}
		len = utf8_decode(s + i, n - i, &cp);
		if (len == 0 || neutralised(cp)) {
			if (fputs(REPLACEMENT, fp) == EOF)
				return -1;
			i += len == 0 ? 1 : len;
		} else if (entity(cp) != NULL) {
			if (fputs(entity(cp), fp) == EOF)
				return -1;
			i++;
		} else {
			if (fwrite(s + i, 1, len, fp) != len)
				return -1;
			i += len;
		}
	}
	return 0;
}

int cap_html_escape_str(FILE *fp, const char *s)
{
	return s == NULL ? 0 : cap_html_escape(fp, s, strlen(s));
}
