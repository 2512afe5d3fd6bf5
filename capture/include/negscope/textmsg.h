/* textmsg.h - one-line messages about a bad character in pasted text (base64, hex). */
#ifndef NEGSCOPE_TEXTMSG_H
#define NEGSCOPE_TEXTMSG_H

#include <stddef.h>

/* Writes "WHAT 'c' at offset N" (printable c), "WHAT (byte 0xNN) at offset N" (other
 * bytes), or "WHAT at offset N" (c < 0) into msg. */
void cap_text_char_msg(char *msg, size_t cap, const char *what, int c, size_t off);

#endif /* NEGSCOPE_TEXTMSG_H */
