/* judges.c - the judge tables and the one loop that runs them.
 *
 * The engine (engine.c) observes facts into state; the judges in these tables read that
 * state and emit findings.  A file with more judges (negprobe's, for one) defines a
 * `const struct judge_table` and adds it to judge_tables[] below; nothing else changes.
 */
#include "findings/engine.h"

static const struct judge_table *const judge_tables[] = {
	&judges_kdc,
	&judges_http,
};

void engine_judge(struct cap_analysis *a, enum judge_when when, const struct judge_ctx *j)
{
	for (size_t t = 0; t < sizeof(judge_tables) / sizeof(judge_tables[0]); t++)
		for (size_t i = 0; i < judge_tables[t]->n; i++)
			if (judge_tables[t]->v[i].when == when)
				judge_tables[t]->v[i].fn(a, j);
}
