/* txt.h - bounded text helpers for fixed-size fact fields: always NUL-terminated, cut
 * silently (facts hold display text; the cut is by design). */
#ifndef NEGSCOPE_FINDINGS_TXT_H
#define NEGSCOPE_FINDINGS_TXT_H

#include <stddef.h>

void txt_copy(char *dst, size_t cap, const char *src);
void txt_fmt(char *dst, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
