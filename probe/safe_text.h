/* safe_text.h - server-provided text made safe to show: on a terminal (no escape
 * sequences) and in XML (well-formed UTF-8, no forbidden characters).
 *
 * A reason phrase, Location or header value comes from a server the user does not
 * control; printed raw, ESC/CSI/OSC sequences retitle or clear the terminal (issue 16).
 */
#ifndef PROBE_SAFE_TEXT_H
#define PROBE_SAFE_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Length of the valid UTF-8 sequence at s[0..n) (1..4) with its code point in *cp, or 0
 * when the bytes there are not well-formed UTF-8 (RFC 3629 §4: no overlongs, no
 * surrogates, nothing past U+10FFFF). */
size_t probe_utf8_next(const unsigned char *s, size_t n, uint32_t *cp);

/* Whether the character probe_utf8_next found (len 0 = not UTF-8) must be shown as
 * \xNN: C0 controls but tab, DEL, C1 controls, invalid UTF-8. */
bool probe_char_unsafe(size_t len, uint32_t cp);

/* Copies s[0..n) into out (NUL-terminated, cut at a character boundary when out is full)
 * with every C0 control but tab, DEL, C1 control (U+0080..U+009F) and byte that is not
 * valid UTF-8 written as \xNN; valid UTF-8 text is kept.  Returns out. */
char *probe_text_safe(char *out, size_t cap, const char *s, size_t n);

/* probe_text_safe of a NUL-terminated string (NULL gives ""). */
char *probe_str_safe(char *out, size_t cap, const char *s);

#endif /* PROBE_SAFE_TEXT_H */
