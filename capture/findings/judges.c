/* judges.c - the judge tables and the one loop that runs them.
 *
 * The engine (engine.c) observes facts into state; the judges in these tables read that
 * state and emit findings.  To add judges from another file (negprobe's, for one):
 *   static const struct judge probe_judges[] = {
 *           {JUDGE_CONV_END, CAP_F_NO_CREDENTIALS, judge_no_credentials}, ...};
 *   const struct judge_table judges_probe = {probe_judges, <count>};
 * declare it next to judges_http in engine.h and list it in judge_tables[] below.  A
 * judge that needs a moment the engine does not name yet gets a new enum judge_when
 * value (and judge_ctx field); nothing else changes.
 */
#include "findings/engine.h"

static const struct judge_table *const judge_tables[] = {
	&judges_kdc,
	&judges_http,
	&judges_keys, /* after judges_http: a key verdict joins the finding of the refusal */
};

void engine_judge(struct cap_analysis *a, enum judge_when when, const struct judge_ctx *j)
{
	for (size_t t = 0; t < sizeof(judge_tables) / sizeof(judge_tables[0]); t++)
		for (size_t i = 0; i < judge_tables[t]->n; i++)
			if (judge_tables[t]->v[i].when == when)
				judge_tables[t]->v[i].fn(a, j);
}
