/* dynbuf.h - the one growable byte buffer, with its cap set at init.
 *
 * The idea of curl's dynbuf (lib/dynbuf.h): a buffer that grows as bytes are added but
 * never past the most its owner allowed when creating it, so input can never make it
 * large.  Appending past the cap fails with CAP_DYN_TOO_LARGE and marks the buffer
 * `hit`; what fitted stays (cut at the cap), so a text summary stays readable and a
 * caller that needs all or nothing checks the result and discards.  cap_dynbuf_add_whole
 * adds all or none, for units that must not be cut (an escape, a UTF-8 sequence).  Once
 * hit, every later add is refused too, until reset: text with a hole would mislead.  The content is
 * always NUL-terminated (the NUL is not counted in len nor in the cap).
 *
 * Two kinds of storage, one type:
 *   cap_dynbuf_init(b, max)            heap, grown by doubling up to max bytes;
 *   cap_dynbuf_init_fixed(b, mem, n)   the caller's n bytes (max = n - 1), never
 *                                      allocates: for writing into an output array.
 */
#ifndef NEGSCOPE_DYNBUF_H
#define NEGSCOPE_DYNBUF_H

#include <stdarg.h>
#include <stddef.h>

#define CAP_DYN_WUR __attribute__((warn_unused_result))

enum cap_dyn_err {
	CAP_DYN_OK = 0,
	CAP_DYN_TOO_LARGE, /* the cap would be passed: content cut at the cap, hit set */
	CAP_DYN_NOMEM      /* the heap refused to grow the buffer: content unchanged */
};

struct cap_dynbuf {
	char *p;       /* NULL until the first byte (heap) or the caller's array (fixed) */
	size_t len;    /* bytes held, not counting the NUL */
	size_t alloc;  /* bytes of storage behind p */
	size_t max;    /* the cap on len, set at init */
	int fixed;     /* storage is the caller's: never grown, never freed */
	int hit;       /* an add was refused or cut because of max */
};

/* Heap storage: up to max bytes of content. */
void cap_dynbuf_init(struct cap_dynbuf *b, size_t max);
/* The caller's array mem of size bytes (size 0: a buffer that holds nothing). */
void cap_dynbuf_init_fixed(struct cap_dynbuf *b, char *mem, size_t size);
/* Frees heap storage; the buffer is empty and reusable with the same cap. */
void cap_dynbuf_free(struct cap_dynbuf *b);
/* Empties the buffer, keeping its storage and cap; clears hit. */
void cap_dynbuf_reset(struct cap_dynbuf *b);

CAP_DYN_WUR enum cap_dyn_err cap_dynbuf_add(struct cap_dynbuf *b, const void *mem, size_t n);
CAP_DYN_WUR enum cap_dyn_err cap_dynbuf_add_whole(struct cap_dynbuf *b, const void *mem,
						  size_t n);
CAP_DYN_WUR enum cap_dyn_err cap_dynbuf_addc(struct cap_dynbuf *b, char ch);
CAP_DYN_WUR enum cap_dyn_err cap_dynbuf_adds(struct cap_dynbuf *b, const char *s);
CAP_DYN_WUR enum cap_dyn_err cap_dynbuf_addf(struct cap_dynbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
CAP_DYN_WUR enum cap_dyn_err cap_dynbuf_vaddf(struct cap_dynbuf *b, const char *fmt,
					      va_list ap) __attribute__((format(printf, 2, 0)));

/* The content, NUL-terminated ("" when empty; never NULL). */
const char *cap_dynbuf_ptr(const struct cap_dynbuf *b);
size_t cap_dynbuf_len(const struct cap_dynbuf *b);
/* 1 when some add was refused or cut by the cap since init or reset. */
int cap_dynbuf_hit(const struct cap_dynbuf *b);
/* Hands the heap content to the caller (free() it) and leaves the buffer empty; NULL for
 * a fixed buffer or when nothing was ever added. */
char *cap_dynbuf_take(struct cap_dynbuf *b, size_t *len_out);

#endif /* NEGSCOPE_DYNBUF_H */
