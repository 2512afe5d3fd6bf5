/* fuzz_pcap.c - fuzz target: the whole offline path, fed a capture file's bytes.
 *
 * The input is written to an anonymous memory file (memfd) and opened by name
 * (/proc/self/fd/N) through cap_source_open_files, exactly as `negcap -r FILE` opens a
 * file; then the loop negcap runs: packets into the pipeline (link type switched per
 * input), the analysis layer as the sink with the JSON event hooks on, the truncation
 * report, cap_analysis_finish, and both reports (text and JSON lines) to /dev/null.
 * libpcap parses the file format; what is fuzzed here is everything after it (link
 * types, IP, fragments, TCP, HTTP, Kerberos, tokens, rules, reports) plus our handling of
 * libpcap's errors and truncations.  Everything opened and allocated is closed and freed.
 */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "fuzz_memfile.h"
#include "fuzz_target.h"
#include "negscope/analysis.h"
#include "negscope/pipeline.h"
#include "negscope/report.h"
#include "negscope/source.h"

/* Packets per input: enough for every seed capture, few enough to keep execs fast. */
#define MAX_PACKETS 20000u

static void hook_http(void *ctx, const struct cap_http_fact *f)
{
	(void)cap_report_json_http(ctx, f);
}

static void hook_krb(void *ctx, const struct cap_krb_fact *f)
{
	(void)cap_report_json_krb(ctx, f);
}

static void analyse(struct cap_source *src)
{
	struct cap_analysis_hooks hooks = {NULL, hook_http, hook_krb};
	struct cap_analysis *an;
	struct cap_pipeline_limits plim;
	struct cap_analysis_limits alim;
	struct cap_pipeline *pl = NULL;
	struct cap_sink sink;
	struct cap_source_pkt pkt;
	struct cap_report_input in;
	struct cap_report_opts ro;
	struct cap_json json;
	const struct cap_pipeline_stats *st;
	enum cap_source_status status;
	bool new_input, link_ok = true;
	int linktype = cap_source_linktype(src);

	/* Smaller tables than the defaults (65536 flows, 131072 streams), which cost
	 * milliseconds per input to set up; still far above what a seed capture holds.  The
	 * default caps are covered by tests/hardening/adversarial.c. */
	memset(&plim, 0, sizeof(plim));
	plim.max_flows = 1024;
	memset(&alim, 0, sizeof(alim));
	alim.max_conversations = 1024;
	alim.max_streams = 2048;
	an = cap_analysis_new(&alim);
	if (an == NULL)
		return;
	cap_json_init_file(&json, fuzz_devnull());
	hooks.ctx = &json;
	cap_analysis_set_hooks(an, &hooks);
	cap_analysis_sink(an, &sink);
	pl = cap_pipeline_new(cap_linktype_supported(linktype) ? linktype : DLT_EN10MB, &plim,
			      &sink);
	if (pl == NULL)
		goto out_free;
	while (cap_source_next(src, &pkt, &new_input) == 1) {
		if (new_input) {
			linktype = cap_source_linktype(src);
			link_ok = cap_linktype_supported(linktype) &&
				  cap_pipeline_set_linktype(pl, linktype) == 0;
		}
		if (link_ok)
			cap_pipeline_packet(pl, pkt.ts, pkt.data, pkt.caplen, pkt.wirelen);
	}
	cap_pipeline_finish(pl);
	st = cap_pipeline_stats(pl);
	status = cap_source_status(src);
	memset(&in, 0, sizeof(in));
	in.files = 1;
	if (status == CAP_SRC_TRUNCATED || status == CAP_SRC_ERROR) {
		in.truncated = true;
		cap_analysis_truncated(an, cap_source_packets(src), cap_source_message(src));
	}
	cap_analysis_finish(an, st);
	memset(&ro, 0, sizeof(ro));
	(void)cap_report_text(fuzz_devnull(), an, st, &in, &ro);
	ro.quiet = true;
	ro.color = true;
	(void)cap_report_text(fuzz_devnull(), an, st, &in, &ro);
	(void)cap_report_json_conversations(&json, an);
	(void)cap_report_json_findings_and_summary(&json, an, st, &in);
out_free:
	cap_pipeline_free(pl);
	cap_analysis_free(an);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in;

	if (fuzz_input_open(&in, "fuzz_pcap", data, size, MAX_PACKETS) != 0)
		return 0;
	if (in.src != NULL) {
		analyse(in.src);
		(void)cap_source_message(in.src);
	}
	fuzz_input_close(&in);
	return 0;
}
