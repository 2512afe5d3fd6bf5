/* textmsg.c - one-line messages about a bad character in pasted text. */
#include <stdio.h>

#include "negscope/textmsg.h"

void cap_text_char_msg(char *msg, size_t cap, const char *what, int c, size_t off)
{
	if (c >= 0x21 && c <= 0x7e)
		snprintf(msg, cap, "%s '%c' at offset %zu", what, c, off);
	else if (c >= 0)
		snprintf(msg, cap, "%s (byte 0x%02x) at offset %zu", what, (unsigned)c, off);
	else
		snprintf(msg, cap, "%s at offset %zu", what, off);
}
