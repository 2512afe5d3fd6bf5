/* limit_opts.c - the --max-* flags: names, where each lands, and the range it takes. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "negscope/authhdr.h"
#include "negscope/der.h"
#include "negscope/token.h"
#include "cli/limit_opts.h"

int negcap_parse_size(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;
	uint64_t mult = 1;

	if (s == NULL || *s == '\0' || *s == '-')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s)
		return -1;
	if (*end == 'k' || *end == 'K')
		mult = 1024;
	else if (*end == 'm' || *end == 'M')
		mult = 1024 * 1024;
	else if (*end == 'g' || *end == 'G')
		mult = 1024ull * 1024 * 1024;
	else if (*end != '\0')
		return -1;
	if (mult != 1 && end[1] != '\0')
		return -1;
	if (v > max / mult)
		return -1;
	*out = (uint64_t)v * mult;
	return 0;
}

enum lim_home { IN_PIPELINE, IN_ANALYSIS, IN_DECODE };

struct limit_opt {
	const char *name;
	enum lim_home home;
	size_t off;       /* of the size_t field in its struct */
	uint64_t max;     /* largest value accepted */
	bool decode;      /* also a flag of --decode (one token, no header list) */
};

#define PL(f) IN_PIPELINE, offsetof(struct cap_pipeline_limits, f)
#define AN(f) IN_ANALYSIS, offsetof(struct cap_analysis_limits, f)
#define DE(f) IN_DECODE, offsetof(struct cap_decode_limits, f)

static const struct limit_opt limit_opts[] = {
	{"max-flows", PL(max_flows), SIZE_MAX, false},
	{"max-stream-buffer", PL(max_stream_buffer), SIZE_MAX, false},
	{"max-total-buffer", PL(max_total_buffer), SIZE_MAX, false},
	{"max-header-line", PL(max_header_line), SIZE_MAX, false},
	{"max-headers", PL(max_headers), SIZE_MAX, false},
	{"max-message", PL(max_message), SIZE_MAX, false},
	{"max-frag-bytes", PL(max_frag_bytes), SIZE_MAX, false},
	{"max-conversations", AN(max_conversations), SIZE_MAX, false},
	{"max-findings", AN(max_findings), SIZE_MAX, false},
	/* Decode caps: a buffer per token and fixed arrays bound how far they can go. */
	{"max-token", DE(max_token), CAP_TOKEN_MAX_BYTES_LIMIT, true},
	{"max-challenges", DE(max_challenges), CAP_AUTH_MAX_CHALLENGES_LIMIT, false},
	{"max-der-depth", DE(max_der_depth), CAP_DER_MAX_DEPTH_LIMIT, true},
	{"max-der-elements", DE(max_der_elems), CAP_DER_MAX_ELEMS_LIMIT, true},
};

#undef PL
#undef AN
#undef DE

int negcap_limit_opt(const char *name, size_t name_len, const char *val, bool decode_only,
		     struct cap_pipeline_limits *pl, struct cap_analysis_limits *al)
{
	for (size_t k = 0; k < sizeof(limit_opts) / sizeof(limit_opts[0]); k++) {
		const struct limit_opt *o = &limit_opts[k];
		uint64_t v;
		char *base;

		if (strlen(o->name) != name_len || memcmp(o->name, name, name_len) != 0)
			continue;
		if (decode_only && !o->decode)
			return 0;
		if (val == NULL) {
			fprintf(stderr, "negcap: option --%s needs a value\n", o->name);
			return -1;
		}
		if (negcap_parse_size(val, UINT64_MAX, &v) != 0 || v == 0) {
			fprintf(stderr, "negcap: bad value for --%s: '%s' (a positive number, K/M/G "
				"allowed)\n", o->name, val);
			return -1;
		}
		if (v > o->max) {
			fprintf(stderr, "negcap: --%s %s is more than this cap can be raised to; "
				"use at most %llu\n", o->name, val, (unsigned long long)o->max);
			return -1;
		}
		base = o->home == IN_PIPELINE ? (char *)pl
		       : o->home == IN_ANALYSIS ? (char *)al
						: (char *)&al->decode;
		*(size_t *)(void *)(base + o->off) = (size_t)v;
		return 1;
	}
	return 0;
}
