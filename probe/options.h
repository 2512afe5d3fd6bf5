/* options.h - negprobe's command line, parsed into a config (no side effects,
 * so it is unit tested).  Passwords never come from argv: see main.c.
 */
#ifndef PROBE_OPTIONS_H
#define PROBE_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "probe.h"

#define PROBE_MAX_RESOLVE 256

struct probe_options {
	struct probe_config cfg;
	const char *url;          /* the single target, or NULL with --targets */
	const char *targets_file; /* --targets FILE ("-" = stdin) */
	long parallel;            /* --parallel N */
	bool json;
	const char *junit_file;
	const char *html_file;     /* --html FILE */
	const char *capture_iface; /* --capture IFACE */
	const char *write_file;    /* -w FILE */
	const char *keylog_file;   /* --keylog FILE (keylog.c) */
	int color;                /* -1 auto, 0 never, 1 always */
	const char *ccache, *keytab, *principal, *user, *password_file;
	const char *resolve[PROBE_MAX_RESOLVE + 1]; /* NULL-terminated */
	size_t nresolve;
	bool help, version;
};

/* Parses argv.  0 on success; -1 with a one-line message in err (usage error). */
int probe_options_parse(int argc, char **argv, struct probe_options *o, char *err, size_t errlen);
void probe_usage(FILE *fp);

#endif /* PROBE_OPTIONS_H */
