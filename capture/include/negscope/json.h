/* json.h - a small streaming JSON writer for JSON-lines output (RFC 8259).
 *
 * Used by negcap's report, `negcap --decode --json` and negprobe.  It writes straight to a
 * FILE* or into a caller-owned, capped buffer; it never allocates.  Structure is checked as
 * it is written (keys only inside objects, every object value preceded by a key, balanced
 * ends, at most CAP_JSON_MAX_DEPTH levels), and commas are inserted for you.
 *
 * Errors are sticky, like struct cap_cursor: the first one is kept, later calls do nothing,
 * and the caller checks cap_json_status() (or the return of cap_json_end_line()) once.
 *
 * Strings: any bytes may be passed.  '"', '\\' and control characters are escaped (\n, \t,
 * \r, \b, \f, else \u00XX; DEL too); valid UTF-8 passes through unchanged; each byte that
 * is not part of a valid UTF-8 sequence (stray continuation, overlong form, surrogate,
 * > U+10FFFF, cut short) becomes \uFFFD, so the output is always valid UTF-8 JSON.
 *
 * Example (one line per record):
 *
 *	struct cap_json j;
 *	cap_json_init_file(&j, stdout);
 *	cap_json_obj_begin(&j);
 *	cap_json_kv_str(&j, "id", "ntlm_fallback");
 *	cap_json_kv_uint(&j, "frame", 42);
 *	cap_json_key(&j, "mechs");
 *	cap_json_arr_begin(&j);
 *	cap_json_str(&j, "kerberos");
 *	cap_json_arr_end(&j);
 *	cap_json_obj_end(&j);
 *	if (cap_json_end_line(&j) != CAP_JSON_OK) ... report write error ...
 *
 * writes {"id":"ntlm_fallback","frame":42,"mechs":["kerberos"]} and a newline.
 *
 * With a buffer, the text is always NUL-terminated; when it does not fit, the status
 * becomes CAP_JSON_FULL and the buffer holds a cut (invalid) prefix.  cap_json_reset()
 * empties the buffer to write the next line.
 */
#ifndef NEGSCOPE_JSON_H
#define NEGSCOPE_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "negscope/cursor.h"
#include "negscope/dynbuf.h"

#define CAP_JSON_MAX_DEPTH 32

enum cap_json_status {
	CAP_JSON_OK = 0,
	CAP_JSON_FULL,  /* the buffer's capacity was reached */
	CAP_JSON_IO,    /* writing to the FILE* failed */
	CAP_JSON_MISUSE /* calls out of order: key outside an object, unbalanced end, depth */
};

/* Treat as opaque; the fields are public only so that it can live on the stack. */
struct cap_json {
	FILE *fp;
	struct cap_dynbuf out;  /* buffer mode: the caller's array (fixed storage) */
	enum cap_json_status status;
	unsigned depth;
	unsigned char is_obj[CAP_JSON_MAX_DEPTH];  /* 1 object, 0 array, per open level */
	unsigned char has_elem[CAP_JSON_MAX_DEPTH]; /* something written at that level */
	unsigned char have_key;                     /* a key waits for its value */
	unsigned char top_done;                     /* a top-level value is complete */
};

void cap_json_init_file(struct cap_json *j, FILE *fp);
/* buf must hold at least 1 byte; it is kept NUL-terminated. */
void cap_json_init_buf(struct cap_json *j, char *buf, size_t cap);
/* Empties the buffer (buffer mode) and clears state and status, for the next line. */
void cap_json_reset(struct cap_json *j);

enum cap_json_status cap_json_status(const struct cap_json *j);
const char *cap_json_status_name(enum cap_json_status s);
/* Bytes in the buffer (buffer mode), excluding the NUL. */
size_t cap_json_len(const struct cap_json *j);

void cap_json_obj_begin(struct cap_json *j);
void cap_json_obj_end(struct cap_json *j);
void cap_json_arr_begin(struct cap_json *j);
void cap_json_arr_end(struct cap_json *j);
/* The key of the next member of the current object (NUL-terminated). */
void cap_json_key(struct cap_json *j, const char *key);

/* Values: each one is an array element or the value of the last key. */
void cap_json_str(struct cap_json *j, const char *s); /* NULL writes null */
void cap_json_strn(struct cap_json *j, const void *s, size_t n);
void cap_json_span(struct cap_json *j, struct cap_span s);
void cap_json_int(struct cap_json *j, long long v);
void cap_json_uint(struct cap_json *j, unsigned long long v);
void cap_json_double(struct cap_json *j, double v); /* NaN and infinities write null */
void cap_json_bool(struct cap_json *j, int v);
void cap_json_null(struct cap_json *j);
/* Bytes as a string of lowercase hex digits. */
void cap_json_hex(struct cap_json *j, struct cap_span s);

/* key + value in one call. */
void cap_json_kv_str(struct cap_json *j, const char *key, const char *s);
void cap_json_kv_strn(struct cap_json *j, const char *key, const void *s, size_t n);
void cap_json_kv_span(struct cap_json *j, const char *key, struct cap_span s);
void cap_json_kv_int(struct cap_json *j, const char *key, long long v);
void cap_json_kv_uint(struct cap_json *j, const char *key, unsigned long long v);
void cap_json_kv_double(struct cap_json *j, const char *key, double v);
void cap_json_kv_bool(struct cap_json *j, const char *key, int v);
void cap_json_kv_null(struct cap_json *j, const char *key);
void cap_json_kv_hex(struct cap_json *j, const char *key, struct cap_span s);
void cap_json_kv_obj_begin(struct cap_json *j, const char *key);
void cap_json_kv_arr_begin(struct cap_json *j, const char *key);

/* Ends a complete top-level value with '\n' (and fflush for a FILE*).  Returns the status;
 * CAP_JSON_MISUSE when a container is still open or nothing was written. */
enum cap_json_status cap_json_end_line(struct cap_json *j);

#endif /* NEGSCOPE_JSON_H */
