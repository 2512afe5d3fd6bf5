/* report_junit.c - JUnit XML (the de-facto schema CI systems read: testsuites >
 * testsuite > testcase [> failure]) with one test case per check and target.
 */
#include "report.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expect.h"
#include "negscope/report.h"
#include "safe_text.h"

#define JUNIT_MAX_CASES 100000

struct jcase {
	char *classname, *name, *failure, *detail;
	char *chanbind; /* the channel binding line, NULL when not HTTPS (probe-cb) */
	char *out;  /* system-out: the SPN of each URL asked */
	double seconds;
};

struct probe_junit {
	struct jcase *cases;
	size_t n, cap;
	size_t failures;
};

struct probe_junit *probe_junit_new(void)
{
	return calloc(1, sizeof(struct probe_junit));
}

void probe_junit_free(struct probe_junit *j)
{
	if (j == NULL)
		return;
	for (size_t i = 0; i < j->n; i++) {
		free(j->cases[i].classname);
		free(j->cases[i].name);
		free(j->cases[i].failure);
		free(j->cases[i].detail);
		free(j->cases[i].chanbind);
		free(j->cases[i].out);
	}
	free(j->cases);
	free(j);
}

static int add_case(struct probe_junit *j, const struct probe_result *r, const char *check,
		    bool pass, const char *actual)
{
	struct jcase *c;
	char *detail = NULL;
	size_t len = 0;
	FILE *mem;
	bool oom;

	if (j->n >= JUNIT_MAX_CASES)
		return -1;
	if (j->n == j->cap) {
		size_t ncap = j->cap > 0 ? j->cap * 2 : 16;
		struct jcase *nc = realloc(j->cases, ncap * sizeof(*nc));

		if (nc == NULL)
			return -1;
		j->cases = nc;
		j->cap = ncap;
	}
	c = &j->cases[j->n];
	memset(c, 0, sizeof(*c));
	c->classname = strdup(r->url);
	if (asprintf(&c->name, "%s", check) < 0)
		c->name = NULL;
	c->seconds = r->t_total_ms / 1e3;
	{
		char cb[400];

		probe_chanbind_describe(r, cb, sizeof(cb));
		if (cb[0] != '\0')
			c->chanbind = strdup(cb);
		oom = cb[0] != '\0' && c->chanbind == NULL;
	}
	/* which SPN each URL asked for (-L: every redirect) */
	mem = open_memstream(&detail, &len);
	if (mem != NULL) {
		fprintf(mem, "SPN %s", r->url_ok ? r->spn : "none");
		for (size_t i = 0; i < r->nhops; i++)
			fprintf(mem, "\nredirect %ld -> %s, SPN %s%s", r->hops[i].status,
				r->hops[i].url, r->hops[i].spn,
				r->hops[i].new_origin ? " (new origin)" : "");
		if (r->redirs_capped)
			fprintf(mem, "\nstopped at --max-redirs");
		fclose(mem);
		c->out = detail;
		detail = NULL;
	}
	if (!pass) {
		c->failure = strdup(actual);
		/* the findings explain a failure: put them in the failure body */
		mem = open_memstream(&detail, &len);
		if (mem != NULL) {
			if (r->fatal[0] != '\0')
				fprintf(mem, "could not run: %s\n", r->fatal);
			for (size_t i = 0; i < r->nfindings; i++) {
				const struct cap_finding *f = &r->findings[i].rec;
				char words[CAP_FINDING_TEXT_MAX];
				bool said = cap_finding_detail_text(f, words, sizeof(words)) > 0;

				fprintf(mem, "%s %s%s%s\n", cap_severity_name(f->severity),
					cap_finding_slug(f->id), said ? ": " : "", words);
			}
			fclose(mem);
			c->detail = detail;
		}
		j->failures++;
	}
	j->n++;
	return c->classname != NULL && c->name != NULL && !oom ? 0 : -1;
}

int probe_junit_add(struct probe_junit *j, const struct probe_result *r)
{
	char actual[160];

	if (r->noutcomes == 0) {
		snprintf(actual, sizeof(actual), "%s, mech %s, status %ld, worst finding %s",
			 r->fatal[0] != '\0' ? "could not run" :
			 r->authenticated ? "authenticated" : "not authenticated",
			 probe_used_mech_name(r->mech), r->status,
			 probe_result_worst(r) < 0 ? "none" :
			 cap_severity_name((enum cap_severity)probe_result_worst(r)));
		return add_case(j, r, probe_default_check_name, r->ok, actual);
	}
	for (size_t i = 0; i < r->noutcomes; i++)
		if (add_case(j, r, r->outcomes[i].expect.text, r->outcomes[i].pass,
			     r->outcomes[i].actual) != 0)
			return -1;
	return 0;
}

/* Character data and attribute values of XML 1.0 (§2.2, §2.4): markup characters as
 * entities; C0 controls (XML forbids them even as references), DEL, C1 and bytes that are
 * not UTF-8 shown as the text \xNN, so one hostile reason phrase or URL cannot make the
 * whole file unparseable (issue 16). */
static void xml_text(FILE *fp, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = s != NULL ? strlen(s) : 0;

	for (size_t at = 0; at < n;) {
		uint32_t cp = 0;
		size_t len = probe_utf8_next(p + at, n - at, &cp);

		if ((cp != '\n' && probe_char_unsafe(len, cp)) || cp == 0xFFFE || cp == 0xFFFF) {
			size_t bytes = len == 0 ? 1 : len;

			for (size_t i = 0; i < bytes; i++)
				fprintf(fp, "\\x%02x", p[at + i]);
			at += bytes;
			continue;
		}
		switch (cp) {
		case '<': fputs("&lt;", fp); break;
		case '>': fputs("&gt;", fp); break;
		case '&': fputs("&amp;", fp); break;
		case '"': fputs("&quot;", fp); break;
		case '\'': fputs("&apos;", fp); break;
		default: fwrite(p + at, 1, len, fp);
		}
		at += len;
	}
}

int probe_junit_write(const struct probe_junit *j, const char *path)
{
	FILE *fp = fopen(path, "w");
	double total = 0;
	int rc;

	if (fp == NULL)
		return -1;
	for (size_t i = 0; i < j->n; i++)
		total += j->cases[i].seconds;
	fprintf(fp, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(fp, "<testsuites name=\"negprobe\" tests=\"%zu\" failures=\"%zu\" time=\"%.3f\">\n",
		j->n, j->failures, total);
	fprintf(fp, "  <testsuite name=\"negprobe\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" "
		"time=\"%.3f\">\n", j->n, j->failures, total);
	for (size_t i = 0; i < j->n; i++) {
		const struct jcase *c = &j->cases[i];

		fprintf(fp, "    <testcase classname=\"");
		xml_text(fp, c->classname);
		fprintf(fp, "\" name=\"");
		xml_text(fp, c->name);
		fprintf(fp, "\" time=\"%.3f\">\n", c->seconds);
		if (c->chanbind != NULL) {
			fprintf(fp, "      <properties>"
				"<property name=\"channel_binding\" value=\"");
			xml_text(fp, c->chanbind);
			fprintf(fp, "\"/></properties>\n");
		}
		if (c->failure != NULL) {
			fprintf(fp, "      <failure message=\"");
			xml_text(fp, c->failure);
			fprintf(fp, "\" type=\"check\">");
			xml_text(fp, c->detail);
			fprintf(fp, "</failure>\n");
		}
		fprintf(fp, "      <system-out>");
		xml_text(fp, c->out);
		fprintf(fp, "</system-out>\n    </testcase>\n");
	}
	fprintf(fp, "  </testsuite>\n</testsuites>\n");
	rc = ferror(fp) ? -1 : 0;
	if (fclose(fp) != 0)
		rc = -1;
	if (rc != 0 && errno == 0)
		errno = EIO;
	return rc;
}
