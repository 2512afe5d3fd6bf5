/* limit_opts.h - negcap's cap flags (--max-*): one table for the capture mode and for
 * --decode, and the size parser they share. */
#ifndef NEGSCOPE_CLI_LIMIT_OPTS_H
#define NEGSCOPE_CLI_LIMIT_OPTS_H

#include <stdbool.h>
#include <stdint.h>

#include "negscope/analysis.h"
#include "negscope/pipeline.h"

/* Parses a count or size with an optional K/M/G suffix (powers of 1024), at most max.
 * Returns 0, or -1 when s is not such a number. */
int negcap_parse_size(const char *s, uint64_t max, uint64_t *out);

/* Looks `name` (an option without "--", before any '=') up among the cap flags; when it
 * is one, sets it from val and returns 1, or prints a one-line error and returns -1.
 * Returns 0 when name is not a cap flag.  decode_only: accept just the caps that apply to
 * decoding one token (--max-token, --max-der-depth, --max-der-elements). */
int negcap_limit_opt(const char *name, size_t name_len, const char *val, bool decode_only,
		     struct cap_pipeline_limits *pl, struct cap_analysis_limits *al);

#endif /* NEGSCOPE_CLI_LIMIT_OPTS_H */
