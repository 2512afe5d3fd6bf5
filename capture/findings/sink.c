/* sink.c - the pipeline sink of the analysis: each event decoded into a fact, then fed
 * to the engine. */
#include "negscope/analysis.h"

static void on_http(void *ctx, const struct cap_http_msg *m)
{
	struct cap_http_fact f;

	cap_facts_http(m, cap_analysis_decode_limits(ctx), &f);
	cap_analysis_http(ctx, &f);
}

static void on_krb(void *ctx, const struct cap_krb_pdu *k)
{
	struct cap_krb_fact f;

	cap_facts_krb(k, cap_analysis_decode_limits(ctx), &f);
	cap_analysis_krb(ctx, &f);
}

static void on_conn(void *ctx, const struct cap_conn_event *e)
{
	cap_analysis_conn(ctx, e);
}

static void on_icmp(void *ctx, const struct cap_icmp_unreach *u)
{
	cap_analysis_icmp(ctx, u);
}

static void on_tls(void *ctx, const struct cap_tls_event *e)
{
	cap_analysis_tls(ctx, e);
}

void cap_analysis_sink(struct cap_analysis *a, struct cap_sink *out)
{
	out->ctx = a;
	out->http = on_http;
	out->krb = on_krb;
	out->conn = on_conn;
	out->icmp = on_icmp;
	out->tls = on_tls;
}
