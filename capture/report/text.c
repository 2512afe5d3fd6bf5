/* text.c - the human report, answer first: the verdict (each finding, for which user and
 * which site), the ladders of the conversations a warning or error concerns (the quiet
 * ones one line each unless -v, so that background Kerberos traffic does not push the
 * answer off the screen), the findings in full (most severe first), then a summary line.
 * Colour only when the caller says so (a terminal, no NO_COLOR, no --no-color). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "negscope/report.h"

#define WRAP 100
/* Verdict lines before "... and N more"; quiet conversations listed before folding. */
#define VERDICT_MAX 12
#define QUIET_MAX 10
/* Ladders up to this many steps are shown whole. */
#define LADDER_FULL 24

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

static void conv_head(struct out *o, const struct cap_conversation *c)
{
	char cb[80], sb[80];

	cap_addr_str(&c->client, cb, sizeof(cb));
	cap_endpoint_str(&c->server, sb, sizeof(sb));
	if (c->kdc_only)
		put(o, "%sConversation %u%s  client %s ↔ KDC %s (Kerberos only)", C(o, BOLD), c->id,
		    C(o, RESET), cb, sb);
	else
		put(o, "%sConversation %u%s  client %s → server %s%s%s  (%u connection%s)",
		    C(o, BOLD), c->id, C(o, RESET), cb, sb, c->host[0] ? "  Host: " : "", c->host,
		    c->nstreams, c->nstreams == 1 ? "" : "s");
}

/* A quiet conversation in one line. */
static void conv_line(struct out *o, const struct cap_conversation *c)
{
	conv_head(o, c);
	put(o, "  %s%zu message%s, no problem%s\n", C(o, DIM),
	    (size_t)(c->nsteps + c->steps_dropped), c->nsteps + c->steps_dropped == 1 ? "" : "s",
	    C(o, RESET));
}

static void step_line(struct out *o, const struct cap_conversation *c, const struct cap_step *s)
{
	char text[512];
	const char *col = "";

	cap_report_step_text(s, text, sizeof(text));
	if (s->bad)
		col = RED;
	else if (s->status >= 200 && s->status < 400)
		col = GREEN;
	if (s->dir == CAP_STEP_NOTE)
		put(o, "  %8llu  %s%s  %s%s\n", (unsigned long long)s->frame, dir_label(s->dir),
		    C(o, s->bad ? RED : DIM), text, C(o, RESET));
	else if ((s->dir == CAP_STEP_TO_SERVER || s->dir == CAP_STEP_FROM_SERVER) &&
		 c->nstreams > 1)
		put(o, "  %8llu  %s%s%s  %s%s%s  %s[conn %u]%s\n", (unsigned long long)s->frame,
		    C(o, DIM), dir_label(s->dir), C(o, RESET), C(o, col), text, C(o, RESET),
		    C(o, DIM), s->stream, C(o, RESET));
	else
		put(o, "  %8llu  %s%s%s  %s%s%s\n", (unsigned long long)s->frame, C(o, DIM),
		    dir_label(s->dir), C(o, RESET), C(o, col), text, C(o, RESET));
}

/* Whether a finding about conversation c names this frame. */
static bool finding_frame(const struct cap_analysis *a, unsigned conv, uint64_t frame)
{
	for (size_t k = 0; k < cap_analysis_nfindings(a); k++) {
		const struct cap_finding *f = cap_analysis_finding(a, k);

		if (f->conversation != conv)
			continue;
		for (size_t i = 0; i < f->nframes; i++)
			if (f->frames[i] == frame)
				return true;
	}
	return false;
}

/* A step worth showing in a long ladder: an error, or a frame a finding names. */
static bool step_matters(const struct cap_analysis *a, const struct cap_conversation *c,
			 size_t i)
{
	return i < c->nsteps && (c->steps[i].bad || finding_frame(a, c->id, c->steps[i].frame));
}

/* The ladder.  Unless full, a long one shows the steps that matter and one step either
 * side of each, and folds each longer run of the others into one line. */
static void ladder(struct out *o, const struct cap_analysis *a, const struct cap_conversation *c,
		   bool full)
{
	size_t folded = 0;

	conv_head(o, c);
	put(o, "\n");
	full = full || c->nsteps <= LADDER_FULL;
	for (size_t i = 0; i < c->nsteps; i++) {
		bool show = full || step_matters(a, c, i) || step_matters(a, c, i + 1) ||
			    (i > 0 && step_matters(a, c, i - 1));

		if (!show) {
			folded++;
			continue;
		}
		if (folded > 0)
			put(o, "  %8s  %s… %zu message(s) without a problem (-v shows them)%s\n", "",
			    C(o, DIM), folded, C(o, RESET));
		folded = 0;
		step_line(o, c, &c->steps[i]);
	}
	if (folded > 0)
		put(o, "  %8s  %s… %zu message(s) without a problem (-v shows them)%s\n", "",
		    C(o, DIM), folded, C(o, RESET));
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

static void sev_upper(enum cap_severity sv, char *out, size_t cap)
{
	size_t n;

	snprintf(out, cap, "%s", cap_severity_name(sv));
	for (n = 0; out[n] != '\0'; n++)
		out[n] = (char)(out[n] >= 'a' && out[n] <= 'z' ? out[n] - 'a' + 'A' : out[n]);
}

/* The first evidence value present among keys, or NULL. */
static const char *first_ev(const struct cap_finding *f, const char *const *keys)
{
	for (; *keys != NULL; keys++) {
		const struct cap_evidence *e = cap_finding_get(f, *keys);

		if (e != NULL && !e->is_num && e->str != NULL && e->str[0] != '\0')
			return e->str;
	}
	return NULL;
}

/* One line per finding: what, for which user, at which site (or SPN, or KDC). */
static void verdict(struct out *o, const struct cap_analysis *a)
{
	static const char *const user_keys[] = {"user", "cname", NULL};
	static const char *const site_keys[] = {"host", "server", "spn", "kdc", NULL};
	const struct cap_analysis_stats *as = cap_analysis_stats(a);
	size_t nf = cap_analysis_nfindings(a);

	put(o, "%sVerdict:%s ", C(o, BOLD), C(o, RESET));
	if (nf == 0) {
		put(o, "no finding in %llu conversation(s).\n\n",
		    (unsigned long long)as->conversations);
		return;
	}
	for (int sv = CAP_SEV_ERROR, sep = 0; sv >= CAP_SEV_INFO; sv--) {
		if (as->findings_by_severity[sv] == 0)
			continue;
		put(o, "%s%llu %s", sep++ ? ", " : "", (unsigned long long)as->findings_by_severity[sv],
		    cap_severity_name((enum cap_severity)sv));
	}
	put(o, "\n");
	for (size_t i = 0; i < nf && i < VERDICT_MAX; i++) {
		const struct cap_finding *f = cap_analysis_finding(a, i);
		const struct cap_finding_info *info = cap_finding_info(f->id);
		const char *user = first_ev(f, user_keys), *site = first_ev(f, site_keys);
		char sev[16];

		sev_upper(f->severity, sev, sizeof(sev));
		put(o, "  %s%-7s%s %s%s", C(o, sev_color(f->severity)), sev, C(o, RESET),
		    cap_finding_slug(f->id), info != NULL ? ": " : "");
		if (info != NULL)
			put(o, "%s", info->title);
		if (user != NULL)
			put(o, "; user %s", user);
		if (site != NULL)
			put(o, "; %s %s", cap_finding_get(f, "host") != NULL ? "site" :
				cap_finding_get(f, "server") != NULL ? "server" :
				cap_finding_get(f, "spn") != NULL ? "SPN" : "KDC", site);
		if (f->conversation != 0)
			put(o, "  [conversation %u]", f->conversation);
		put(o, "\n");
	}
	if (nf > VERDICT_MAX)
		put(o, "  … and %zu more below\n", nf - VERDICT_MAX);
	put(o, "\n");
}

/* Ladders for the conversations a warning or error concerns; the others one line each
 * (at most QUIET_MAX, then a count), unless verbose. */
static void conversations(struct out *o, const struct cap_analysis *a, bool verbose)
{
	size_t nc = cap_analysis_nconversations(a), quiet = 0, shown = 0;
	bool after_line = false; /* a one-line conversation was the last thing written */

	if (nc == 0) {
		put(o, "No authentication traffic (HTTP 401/Authorization or Kerberos) found.\n\n");
		return;
	}
	for (size_t i = 0; i < nc; i++) {
		const struct cap_conversation *c = cap_analysis_conversation(a, i);
		bool loud = false;

		for (size_t k = 0; k < cap_analysis_nfindings(a) && !loud; k++) {
			const struct cap_finding *f = cap_analysis_finding(a, k);

			loud = f->conversation == c->id && f->severity >= CAP_SEV_WARNING;
		}
		if (loud || verbose) {
			if (after_line)
				put(o, "\n");
			after_line = false;
			ladder(o, a, c, verbose);
			continue;
		}
		quiet++;
		if (shown < QUIET_MAX) {
			conv_line(o, c);
			after_line = true;
			shown++;
		}
	}
	if (quiet > shown)
		put(o, "… %zu more conversation(s) without a problem\n", quiet - shown);
	if (quiet > 0)
		put(o, "%s(-v shows the ladders of the %zu conversation(s) without a problem)%s\n\n",
		    C(o, DIM), quiet, C(o, RESET));
}

static void finding(struct out *o, const struct cap_finding *f)
{
	const struct cap_finding_info *info = cap_finding_info(f->id);
	char sev[16];

	sev_upper(f->severity, sev, sizeof(sev));
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
		verdict(&o, a);
		conversations(&o, a, opts != NULL && opts->verbose);
		if (nf > 0)
			put(&o, "%sFindings%s (most severe first)\n\n", C(&o, BOLD), C(&o, RESET));
	}
	for (size_t i = 0; i < nf; i++)
		finding(&o, cap_analysis_finding(a, i));
	/* Always the summary line, -q too: it says the input was read. */
	{
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
