/* expect.h - --expect checks for scripts, and the exit status of a probe.
 *
 * Exit status: 0 every --expect check holds (without --expect: Kerberos
 * authenticated and no finding of warning or error severity); 1 a check
 * failed or a problem was found; 2 usage; 3 the probe could not run.
 */
#ifndef PROBE_EXPECT_H
#define PROBE_EXPECT_H

#include <stddef.h>

#include "probe.h"

/* Parses one --expect value ("kerberos", "ntlm", "status=401", "keepalive",
 * "mutual", "delegation").  0, or -1 with a one-line reason in err. */
int probe_expect_parse(const char *s, struct probe_expect *out, char *err, size_t errlen);

/* Evaluates the checks against r, fills r->outcomes, r->ok and r->exit_code. */
void probe_expect_judge(struct probe_result *r, const struct probe_expect *checks, size_t n);

/* The check a run without --expect applies, for reports ("kerberos-clean"). */
extern const char probe_default_check_name[];

#endif /* PROBE_EXPECT_H */
