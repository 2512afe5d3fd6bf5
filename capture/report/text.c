/* text.c - the human report: a ladder per conversation, then the findings (most severe
 * first), then a summary line.  Colour only when the caller says so (a terminal, no
 * NO_COLOR, no --no-color). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "negscope/report.h"

#define WRAP 100

struct out {
	FILE *fp;
	bool color;
	bool err;
};

static const char *C(const struct out *o, const char *code)
{
	return o->color ? code : "";
}

#define RESET "\033[0m"
#define BOLD "\033[1m"
#define DIM "\033[2m"
#define RED "\033[31m"
#define YELLOW "\033[33m"
#define CYAN "\033[36m"
#define GREEN "\033[32m"

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vfprintf(o->fp, fmt, ap) < 0)
		o->err = true;
	va_end(ap);
}

/* Writes text word-wrapped at WRAP columns; continuation lines get `indent` spaces
 * (the first line is assumed to be already indented by the caller to `indent`). */
static void wrapped(struct out *o, const char *text, int indent)
{
	int col = indent;
	const char *p = text;

	while (*p != '\0') {
		const char *w = p;
		int len;

		while (*w == ' ')
			w++;
		p = w;
		while (*p != '\0' && *p != ' ')
			p++;
		len = (int)(p - w);
		if (len == 0)
			break;
		if (col > indent && col + 1 + len > WRAP) {
			put(o, "\n%*s", indent, "");
			col = indent;
		} else if (col > indent) {
			put(o, " ");
			col++;
		}
		put(o, "%.*s", len, w);
		col += len;
	}
	put(o, "\n");
}

static const char *dir_label(enum cap_step_dir d)
{
	switch (d) {
	case CAP_STEP_TO_SERVER: return "client → server";
	case CAP_STEP_FROM_SERVER: return "client ← server";
	case CAP_STEP_TO_KDC: return "client → KDC   ";
	case CAP_STEP_FROM_KDC: return "client ← KDC   ";
	case CAP_STEP_NOTE: return "               ";
	}
	return "";
}

static void ladder(struct out *o, const struct cap_conversation *c)
{
	char cb[80], sb[80];

	cap_addr_str(&c->client, cb, sizeof(cb));
	cap_endpoint_str(&c->server, sb, sizeof(sb));
	if (c->kdc_only)
		put(o, "%sConversation %u%s  client %s ↔ KDC %s (Kerberos only)\n",
		    C(o, BOLD), c->id, C(o, RESET), cb, sb);
	else
		put(o, "%sConversation %u%s  client %s → server %s%s%s  (%u connection%s)\n",
		    C(o, BOLD), c->id, C(o, RESET), cb, sb, c->host[0] ? "  Host: " : "", c->host,
		    c->nstreams, c->nstreams == 1 ? "" : "s");
	for (size_t i = 0; i < c->nsteps; i++) {
		const struct cap_step *s = &c->steps[i];
		const char *col = "";

		if (s->bad)
			col = RED;
		else if (s->status >= 200 && s->status < 400)
			col = GREEN;
		if (s->dir == CAP_STEP_NOTE)
			put(o, "  %8llu  %s%s  %s%s\n", (unsigned long long)s->frame,
			    dir_label(s->dir), C(o, s->bad ? RED : DIM), s->text, C(o, RESET));
		else if ((s->dir == CAP_STEP_TO_SERVER || s->dir == CAP_STEP_FROM_SERVER) &&
			 c->nstreams > 1)
			put(o, "  %8llu  %s%s%s  %s%s%s  %s[conn %u]%s\n",
			    (unsigned long long)s->frame, C(o, DIM), dir_label(s->dir), C(o, RESET),
			    C(o, col), s->text, C(o, RESET), C(o, DIM), s->stream, C(o, RESET));
		else
			put(o, "  %8llu  %s%s%s  %s%s%s\n", (unsigned long long)s->frame, C(o, DIM),
			    dir_label(s->dir), C(o, RESET), C(o, col), s->text, C(o, RESET));
	}
	if (c->steps_dropped > 0)
		put(o, "  %8s  … %llu more message(s) not shown\n", "",
		    (unsigned long long)c->steps_dropped);
	put(o, "\n");
}

static const char *sev_color(enum cap_severity s)
{
	switch (s) {
	case CAP_SEV_ERROR: return RED BOLD;
	case CAP_SEV_WARNING: return YELLOW BOLD;
	case CAP_SEV_INFO: return CYAN;
	}
	return "";
}

static void finding(struct out *o, const struct cap_finding *f)
{
	const struct cap_finding_info *info = cap_finding_info(f->id);
	char sev[16];
	size_t n;

	snprintf(sev, sizeof(sev), "%s", cap_severity_name(f->severity));
	for (n = 0; sev[n] != '\0'; n++)
		sev[n] = (char)(sev[n] >= 'a' && sev[n] <= 'z' ? sev[n] - 'a' + 'A' : sev[n]);
	put(o, "%s%-7s%s %s%s%s — %s", C(o, sev_color(f->severity)), sev, C(o, RESET),
	    C(o, BOLD), cap_finding_slug(f->id), C(o, RESET), info != NULL ? info->title : "");
	if (f->conversation != 0)
		put(o, "  [conversation %u]", f->conversation);
	put(o, "\n");
	if (f->nframes > 0) {
		put(o, "        frames ");
		for (size_t i = 0; i < f->nframes; i++)
			put(o, "%s%llu", i ? ", " : "", (unsigned long long)f->frames[i]);
		if (f->count > 1)
			put(o, "  (%llu occurrences)", (unsigned long long)f->count);
		put(o, "\n");
	}
	if (info != NULL) {
		put(o, "        ");
		wrapped(o, info->explanation, 8);
	}
	if (f->detail != NULL) {
		put(o, "        ");
		wrapped(o, f->detail, 8);
	}
	for (size_t i = 0; i < f->nev; i++) {
		const struct cap_evidence *e = &f->ev[i];

		if (e->is_num)
			put(o, "        %s%s:%s %lld\n", C(o, DIM), e->key, C(o, RESET), (long long)e->num);
		else
			put(o, "        %s%s:%s %s\n", C(o, DIM), e->key, C(o, RESET), e->str);
	}
	put(o, "        What to do:\n");
	for (size_t i = 0; cap_finding_advice_line(f, i) != NULL; i++) {
		put(o, "          - ");
		wrapped(o, cap_finding_advice_line(f, i), 12);
	}
	put(o, "\n");
}

/* "; caps hit (raise to analyse all): --max-flows 934464": what was read only in part,
 * and the flag that raises each cap. */
static void caps_hit(struct out *o, const struct cap_pipeline_stats *st,
		     const struct cap_analysis_stats *as)
{
	struct cap_report_cap caps[CAP_REPORT_NCAPS];
	size_t n = cap_report_caps(st, as, caps), shown = 0;

	for (size_t i = 0; i < n; i++) {
		if (caps[i].hits == 0)
			continue;
		put(o, "%s--%s %llu", shown++ == 0 ? "; caps hit (raise to analyse all): " : ", ",
		    caps[i].name, (unsigned long long)caps[i].hits);
	}
}

int cap_report_text(FILE *fp, const struct cap_analysis *a, const struct cap_pipeline_stats *st,
		    const struct cap_report_input *in, const struct cap_report_opts *opts)
{
	struct out o = {fp, opts != NULL && opts->color, false};
	const struct cap_analysis_stats *as = cap_analysis_stats(a);
	size_t nf = cap_analysis_nfindings(a);
	bool quiet = opts != NULL && opts->quiet;

	if (!quiet) {
		for (size_t i = 0; i < cap_analysis_nconversations(a); i++)
			ladder(&o, cap_analysis_conversation(a, i));
		if (cap_analysis_nconversations(a) == 0)
			put(&o, "No authentication traffic (HTTP 401/Authorization or Kerberos) "
				"found.\n\n");
		put(&o, "%sFindings%s (most severe first)\n\n", C(&o, BOLD), C(&o, RESET));
	}
	for (size_t i = 0; i < nf; i++)
		finding(&o, cap_analysis_finding(a, i));
	if (nf == 0 && !quiet)
		put(&o, "No findings.\n\n");
	if (!quiet) {
		put(&o, "Summary: %llu packets, %llu bytes; %llu HTTP and %llu Kerberos messages; "
			"%llu conversation(s); findings: %llu error, %llu warning, %llu info",
		    (unsigned long long)(st != NULL ? st->packets : 0),
		    (unsigned long long)(st != NULL ? st->bytes : 0),
		    (unsigned long long)as->http_messages, (unsigned long long)as->krb_messages,
		    (unsigned long long)as->conversations,
		    (unsigned long long)as->findings_by_severity[CAP_SEV_ERROR],
		    (unsigned long long)as->findings_by_severity[CAP_SEV_WARNING],
		    (unsigned long long)as->findings_by_severity[CAP_SEV_INFO]);
		if (st != NULL && st->tcp_gaps > 0)
			put(&o, "; %llu TCP gap(s)", (unsigned long long)st->tcp_gaps);
		if (st != NULL && st->undecodable > 0) {
			/* never silent about what was skipped: how many, and why */
			const char *sep = " (";

			put(&o, "; %llu packet(s) not decoded", (unsigned long long)st->undecodable);
			for (int r = 0; r < CAP_UNDEC_N; r++) {
				if (st->undecodable_by[r] == 0)
					continue;
				put(&o, "%s%s %llu", sep, cap_undec_name((enum cap_undec)r),
				    (unsigned long long)st->undecodable_by[r]);
				sep = ", ";
			}
			put(&o, ")");
		}
		caps_hit(&o, st, as);
		if (in != NULL && in->live && in->pcap_dropped > 0)
			put(&o, "; %llu packet(s) dropped by the kernel",
			    (unsigned long long)in->pcap_dropped);
		if (in != NULL && in->interrupted)
			put(&o, "; interrupted");
		put(&o, "\n");
	}
	if (fflush(fp) != 0)
		o.err = true;
	return o.err ? -1 : 0;
}
