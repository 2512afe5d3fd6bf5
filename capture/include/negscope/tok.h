/* tok.h - code→name tables: one lookup for every protocol number negscope names.
 *
 * The idea of tcpdump's struct tok / tok2str(): a table of {value, name} pairs ending with
 * {0, NULL}, searched in order, instead of a switch statement per file that names codes.
 */
#ifndef NEGSCOPE_TOK_H
#define NEGSCOPE_TOK_H

#include <stddef.h>
#include <stdint.h>

struct cap_tok {
	int64_t v;
	const char *s;
};

/* The name of v in t (ended by an entry whose s is NULL), or dflt when it is absent. */
const char *cap_tok_name(const struct cap_tok *t, int64_t v, const char *dflt);

/* The value named s (compared without case) in t; returns 0 and sets *out when found,
 * -1 when no entry has that name. */
int cap_tok_value(const struct cap_tok *t, const char *s, int64_t *out);

#endif /* NEGSCOPE_TOK_H */
