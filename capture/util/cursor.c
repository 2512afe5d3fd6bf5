/* cursor.c - the parts of the bounds-checked reader that are not inline (negscope/cursor.h). */
#include "negscope/cursor.h"
#include "negscope/tok.h"

static const struct cap_tok status_names[] = {
	{ CAP_OK, "ok" },
	{ CAP_TRUNCATED, "truncated" },
	{ CAP_MALFORMED, "malformed" },
	{ CAP_LIMIT, "limit" },
	{ CAP_UNSUPPORTED, "unsupported" },
	{ 0, NULL },
};

const char *cap_status_name(enum cap_status s)
{
	return cap_tok_name(status_names, s, "?");
}
