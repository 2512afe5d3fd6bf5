/* main.c - negprobe: argument parsing and wiring; the work is in negprobe_core. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "expect.h"
#include "gss.h"
#include "options.h"
#include "probe.h"
#include "report.h"
#include "report_html.h"
#include "keylog.h"
#include "run.h"
#include "secret.h"

#define MAX_TARGETS 100000

struct sink {
	const struct probe_options *o;
	bool color;
	const char *principal;
	struct probe_junit *junit;
	struct probe_html *html;   /* --html */
	struct probe_result *kept; /* --capture: reported after the capture stops */
	bool write_failed;
};

static void report(struct sink *k, const struct probe_result *r)
{
	if (k->o->json) {
		if (probe_report_json(stdout, r) != 0)
			k->write_failed = true;
	} else {
		probe_report_text(stdout, r, k->color, k->principal);
	}
	if (k->junit != NULL && probe_junit_add(k->junit, r) != 0)
		k->write_failed = true;
	if (k->html != NULL)
		probe_report_html_target(k->html, r, k->principal);
}

/* --html: the file is opened before probing, so that a bad path fails early. */
static FILE *html_open(const char *path, struct probe_html *ph)
{
	FILE *fp = fopen(path, "w");

	if (fp == NULL) {
		fprintf(stderr, "negprobe: --html %s: %s\n", path, strerror(errno));
		return NULL;
	}
	probe_report_html_begin(ph, fp);
	return fp;
}

static int html_close(const char *path, struct probe_html *ph, FILE *fp)
{
	int rc = probe_report_html_end(ph), e = errno;

	if (fclose(fp) != 0 && rc == 0) {
		rc = -1;
		e = errno;
	}
	if (rc != 0)
		fprintf(stderr, "negprobe: --html %s: writing failed: %s\n", path,
			e != 0 ? strerror(e) : "write error");
	return rc;
}

static bool on_done(struct probe_result *r, void *ctx)
{
	struct sink *k = ctx;

	if (k->o->capture_iface != NULL) {
		k->kept = r;
		return true;
	}
	report(k, r);
	return false;
}

static bool use_color(int opt)
{
	if (opt >= 0)
		return opt == 1;
	return isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL;
}

int main(int argc, char **argv)
{
	struct probe_options o;
	struct probe_cred_opts co;
	struct probe_cred *cred = NULL;
	struct probe_gss_error gerr;
	struct probe_capture *cap = NULL;
	struct sink k;
	struct probe_html html;
	FILE *html_fp = NULL;
	char err[512];
	char **lines = NULL;
	const char **urls;
	long nurls;
	char *password = NULL;
	int rc;

	if (probe_options_parse(argc, argv, &o, err, sizeof(err)) != 0) {
		fprintf(stderr, "negprobe: %s\n", err);
		return PROBE_EXIT_USAGE;
	}
	if (o.help) {
		probe_usage(stdout);
		return PROBE_EXIT_OK;
	}
	if (o.version) {
		printf("negprobe %s\n", NEGSCOPE_VERSION);
		return PROBE_EXIT_OK;
	}
	o.cfg.ntlm_available = probe_gss_ntlm_available();
	if (o.cfg.mech == PROBE_MECH_NTLM && !o.cfg.ntlm_available) {
		fprintf(stderr, "negprobe: --mech ntlm needs the NTLM mechanism, and gss-ntlmssp is not "
			"installed here (Debian: apt-get install gss-ntlmssp)\n");
		return PROBE_EXIT_CANNOT_RUN;
	}
	if (o.user != NULL) {
		password = probe_secret_get(o.user, o.password_file, err, sizeof(err));
		if (password == NULL) {
			fprintf(stderr, "negprobe: %s\n", err);
			return PROBE_EXIT_USAGE;
		}
	}
	if (o.targets_file != NULL) {
		nurls = probe_read_lines(o.targets_file, MAX_TARGETS, &lines, err, sizeof(err));
		if (nurls < 0) {
			fprintf(stderr, "negprobe: %s\n", err);
			probe_secret_free(password);
			return PROBE_EXIT_CANNOT_RUN;
		}
		urls = (const char **)lines;
	} else {
		struct probe_url u;

		if (probe_url_parse(o.url, &u, err, sizeof(err)) != 0) {
			fprintf(stderr, "negprobe: %s\n", err);
			probe_secret_free(password);
			return PROBE_EXIT_USAGE;
		}
		nurls = 1;
		urls = &o.url;
	}
	if (probe_keylog_setup(o.keylog_file, err, sizeof(err)) != 0) {
		fprintf(stderr, "negprobe: %s\n", err);
		probe_free_lines(lines, lines != NULL ? nurls : 0);
		probe_secret_free(password);
		return PROBE_EXIT_CANNOT_RUN;
	}
	if (probe_http_global_init() != 0) {
		fprintf(stderr, "negprobe: libcurl could not initialise\n");
		probe_free_lines(lines, nurls);
		probe_secret_free(password);
		return PROBE_EXIT_CANNOT_RUN;
	}
	if (o.capture_iface != NULL) {
		/* before the credentials: the capture shows the AS exchange of -u / --keytab */
		cap = probe_capture_start(o.capture_iface, o.write_file, o.url, o.cfg.http.resolve,
					  err, sizeof(err));
		if (cap == NULL) {
			fprintf(stderr, "negprobe: --capture %s: %s\n", o.capture_iface, err);
			probe_http_global_cleanup();
			probe_free_lines(lines, o.targets_file != NULL ? nurls : 0);
			probe_secret_free(password);
			return PROBE_EXIT_CANNOT_RUN;
		}
	}
	memset(&co, 0, sizeof(co));
	co.ccache = o.ccache;
	co.keytab = o.keytab;
	co.principal = o.principal;
	co.user = o.user;
	co.password = password;
	co.mech = o.cfg.mech;
	if (probe_cred_acquire(&co, &cred, &gerr) != 0) {
		/* no usable credential at all: the probe still runs and reports no-credentials */
		cred = NULL;
	}
	probe_secret_free(password);

	memset(&k, 0, sizeof(k));
	k.o = &o;
	k.color = !o.json && use_color(o.color);
	k.principal = probe_cred_principal(cred);
	if (o.junit_file != NULL && (k.junit = probe_junit_new()) == NULL) {
		fprintf(stderr, "negprobe: out of memory\n");
		rc = PROBE_EXIT_CANNOT_RUN;
		goto out;
	}
	if (o.html_file != NULL) {
		if ((html_fp = html_open(o.html_file, &html)) == NULL) {
			rc = PROBE_EXIT_CANNOT_RUN;
			goto out;
		}
		k.html = &html;
	}
	err[0] = '\0';
	rc = probe_run(&o.cfg, cred, urls, (size_t)nurls, (size_t)o.parallel, on_done, &k, err,
		       sizeof(err));
	if (rc == PROBE_EXIT_CANNOT_RUN && err[0] != '\0' && k.kept == NULL)
		fprintf(stderr, "negprobe: %s\n", err);
	if (cap != NULL) {
		if (probe_capture_stop(cap, k.kept, err, sizeof(err)) != 0)
			fprintf(stderr, "negprobe: --capture: %s\n", err);
		cap = NULL;
		if (k.kept != NULL) {
			/* the wire may have added findings: judge again */
			probe_expect_judge(k.kept, o.cfg.expect, o.cfg.nexpect);
			rc = k.kept->exit_code;
			report(&k, k.kept);
			probe_result_clear(k.kept);
			free(k.kept);
			k.kept = NULL;
		}
	}
	if (k.junit != NULL && probe_junit_write(k.junit, o.junit_file) != 0) {
		fprintf(stderr, "negprobe: --junit %s: cannot write\n", o.junit_file);
		if (rc < PROBE_EXIT_CANNOT_RUN)
			rc = PROBE_EXIT_CANNOT_RUN;
	}
	if (html_fp != NULL) {
		if (html_close(o.html_file, &html, html_fp) != 0 && rc < PROBE_EXIT_CANNOT_RUN)
			rc = PROBE_EXIT_CANNOT_RUN;
		html_fp = NULL;
	}
	if (k.write_failed && rc < PROBE_EXIT_CANNOT_RUN) {
		fprintf(stderr, "negprobe: writing the report failed\n");
		rc = PROBE_EXIT_CANNOT_RUN;
	}
out:
	if (html_fp != NULL)
		(void)html_close(o.html_file, &html, html_fp);
	if (cap != NULL)
		probe_capture_stop(cap, NULL, err, sizeof(err));
	probe_junit_free(k.junit);
	probe_cred_free(cred);
	probe_http_global_cleanup();
	probe_free_lines(lines, o.targets_file != NULL ? nurls : 0);
	return rc;
}
