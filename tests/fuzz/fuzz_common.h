/* fuzz_common.h - helpers shared by the fuzz targets (static inline: no extra objects).
 *
 * Renders a decoded token every way negcap and negprobe do (classification, text tree,
 * JSON tree with and without secrets) and checks the one property a fuzzer can check
 * cheaply: the JSON writer never reports misuse (an unbalanced or keyless document would
 * be a bug in the tree printer, not in the input).
 */
#ifndef NEGSCOPE_FUZZ_COMMON_H
#define NEGSCOPE_FUZZ_COMMON_H

#include <stdio.h>
#include <stdlib.h>

#include "negscope/classify.h"
#include "negscope/json.h"
#include "negscope/token.h"
#include "negscope/tree.h"

/* Output that goes nowhere, opened once per process (libFuzzer runs in one process). */
static inline FILE *fuzz_devnull(void)
{
	static FILE *fp;

	if (fp == NULL) {
		fp = fopen("/dev/null", "w");
		if (fp == NULL)
			abort();
	}
	return fp;
}

static inline void fuzz_render_token(const struct cap_token *t)
{
	static char line[512];
	static char jbuf[1 << 20];
	struct cap_json j;
	unsigned flags;

	(void)cap_classify(t, line, sizeof(line));
	(void)cap_classify(t, line, 12);
	for (flags = 0; flags <= CAP_TREE_SHOW_SECRETS; flags += CAP_TREE_SHOW_SECRETS) {
		cap_tree_print(fuzz_devnull(), t, flags, 0);
		cap_json_init_buf(&j, jbuf, sizeof(jbuf));
		cap_tree_json(&j, t, flags);
		if (cap_json_status(&j) == CAP_JSON_MISUSE) {
			fprintf(stderr, "fuzz: tree JSON misuse: %s\n", jbuf);
			abort();
		}
	}
}

#endif /* NEGSCOPE_FUZZ_COMMON_H */
