/* run.h - probes one or many targets concurrently on one curl multi handle.
 * Each target gets its own session, connection pool and result; when a target
 * is finished (handshake over, --check-spn done, judged) the callback gets
 * its result.
 */
#ifndef PROBE_RUN_H
#define PROBE_RUN_H

#include <stdbool.h>
#include <stddef.h>

#include "probe.h"

/* Called once per target, in completion order.  Return true to keep the
 * result (the callee then owns it and clears it with probe_result_clear);
 * false lets the runner clear it. */
typedef bool (*probe_done_fn)(struct probe_result *r, void *ctx);

/* Runs every URL, at most `parallel` at a time.  Returns the worst exit
 * status of the targets, or PROBE_EXIT_CANNOT_RUN when the runner itself
 * failed (then *err says why). */
int probe_run(const struct probe_config *cfg, struct probe_cred *cred, const char *const *urls,
	      size_t n, size_t parallel, probe_done_fn done, void *ctx, char *err, size_t errlen);

#endif /* PROBE_RUN_H */
