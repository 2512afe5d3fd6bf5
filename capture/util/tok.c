/* tok.c - code→name tables (see negscope/tok.h). */
#include <strings.h>

#include "negscope/tok.h"

const char *cap_tok_name(const struct cap_tok *t, int64_t v, const char *dflt)
{
	for (; t != NULL && t->s != NULL; t++)
		if (t->v == v)
			return t->s;
	return dflt;
}

int cap_tok_value(const struct cap_tok *t, const char *s, int64_t *out)
{
	if (s == NULL)
		return -1;
	for (; t != NULL && t->s != NULL; t++) {
		if (strcasecmp(t->s, s) == 0) {
			*out = t->v;
			return 0;
		}
	}
	return -1;
}
