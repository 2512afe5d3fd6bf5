/* caps.c - each cap's hits under the name of the negcap flag that sets it, for both
 * reporters: a capture that hit a cap was read in part, and the reader must know which
 * flag to raise. */
#include <string.h>

#include "negscope/report.h"

size_t cap_report_caps(const struct cap_pipeline_stats *st, const struct cap_analysis_stats *as,
		       struct cap_report_cap *out)
{
	static const struct cap_pipeline_stats no_pipeline;

	if (st == NULL)
		st = &no_pipeline;
	const struct cap_report_cap rows[CAP_REPORT_NCAPS] = {
		{"max-flows", st->flows_evicted},
		{"max-stream-buffer", st->stream_cap_hits},
		{"max-total-buffer", st->total_cap_hits},
		{"max-header-line", st->header_line_cap_hits},
		{"max-headers", st->headers_cap_hits},
		{"max-message", st->message_cap_hits},
		{"max-frag-bytes", st->frag_cap_hits},
		{"max-conversations", as->conversations_dropped},
		{"max-findings", as->findings_dropped},
		{"max-token", as->token_cap_hits},
		{"max-challenges", as->challenges_cap_hits},
		{"max-der-depth", as->der_depth_cap_hits},
		{"max-der-elements", as->der_elems_cap_hits},
	};

	memcpy(out, rows, sizeof(rows));
	return CAP_REPORT_NCAPS;
}
