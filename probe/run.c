/* run.c - the event loop: sessions in, legs over the multi handle, results out. */
#include "run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "expect.h"
#include "gss_worker.h"
#include "http_client.h"
#include "negotiate.h"

#define GSS_WORKERS_MAX 8 /* threads for GSS calls with --targets (probe-cb) */

struct slot {
	struct probe_result *res; /* heap: a result is large */
	struct probe_session *s;
	struct probe_http_conn *conn;
	double t0;
	bool busy;
	bool settled; /* probe_session_finish already ran (on a GSS worker) */
	struct probe_cred *cred; /* borrowed, for the worker's own copy */
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void slot_release(struct slot *sl)
{
	probe_session_free(sl->s);
	probe_http_conn_free(sl->conn);
	sl->s = NULL;
	sl->conn = NULL;
	sl->busy = false;
}

/* Settles a finished target and hands it to the callback; returns its exit status. */
static int slot_finish(const struct probe_config *cfg, struct probe_cred *cred, struct slot *sl,
		       probe_done_fn done, void *ctx)
{
	struct probe_result *r = sl->res;
	int code;

	if (!sl->settled)
		probe_session_finish(sl->s);
	r->t_total_ms = now_ms() - sl->t0;
	probe_expect_judge(r, cfg->expect, cfg->nexpect);
	code = r->exit_code;
	slot_release(sl);
	if (done == NULL || !done(r, ctx)) {
		probe_result_clear(r);
		free(r);
	}
	sl->res = NULL;
	return code;
}

static int send_leg(struct probe_http_multi *m, struct slot *sl)
{
	if (probe_http_conn_prepare(sl->conn, probe_session_url(sl->s),
				    probe_session_authz(sl->s)) != 0)
		return -1;
	return probe_http_multi_add(m, sl->conn);
}

/* Starts target `url` in a free slot; returns its exit status when it ended
 * at once (bad URL), -1 when it is running, -2 on allocation failure. */
static int slot_start(const struct probe_config *cfg, struct probe_cred *cred,
		      struct probe_http_multi *m, struct slot *sl, const char *url,
		      probe_done_fn done, void *ctx)
{
	sl->res = calloc(1, sizeof(*sl->res));
	if (sl->res == NULL)
		return -2;
	probe_result_init(sl->res, url);
	sl->t0 = now_ms();
	sl->busy = true;
	sl->settled = false;
	sl->cred = cred;
	sl->s = probe_session_new(cfg, cred, sl->res);
	sl->conn = probe_http_conn_new(&cfg->http);
	if (sl->s == NULL || sl->conn == NULL || sl->res->url == NULL) {
		snprintf(sl->res->fatal, sizeof(sl->res->fatal), "out of memory");
		return slot_finish(cfg, cred, sl, done, ctx);
	}
	probe_http_conn_set_user(sl->conn, sl);
	if (probe_session_begin(sl->s) == PROBE_NEXT_DONE)
		return slot_finish(cfg, cred, sl, done, ctx);
	if (send_leg(m, sl) != 0) {
		snprintf(sl->res->fatal, sizeof(sl->res->fatal), "could not start the request");
		return slot_finish(cfg, cred, sl, done, ctx);
	}
	return -1;
}

/* ---- probe-cb: GSS work on worker threads (gss_worker.h) ---- */

/* A worker's job: the target's response through GSS, and its end-of-run checks (which
 * ask the KDC too) when the handshake is over. */
static int gss_job(void *arg)
{
	struct slot *sl = arg;
	enum probe_next nx;

	probe_cred_thread_bind(sl->cred);
	nx = probe_session_on_response(sl->s, probe_http_conn_resp(sl->conn));

	if (nx == PROBE_NEXT_DONE) {
		probe_session_finish(sl->s);
		sl->settled = true;
	}
	return (int)nx;
}

static void wake_loop(void *m)
{
	probe_http_multi_wakeup(m);
}

/* The pool for many targets at once; NULL (GSS in the loop) for one at a time. */
static struct probe_gss_pool *gss_pool(struct probe_http_multi *m, size_t n, size_t parallel)
{
	if (n < 2 || parallel < 2)
		return NULL;
	return probe_gss_pool_new(parallel < GSS_WORKERS_MAX ? parallel : GSS_WORKERS_MAX,
				  parallel, wake_loop, m);
}

/* A finished job back in the loop: the next leg, or the target's end.  Returns the
 * target's exit status when it ended, -1 while it runs on. */
static int job_done(const struct probe_config *cfg, struct probe_cred *cred,
		    struct probe_http_multi *m, struct slot *sl, int nx, probe_done_fn done,
		    void *ctx)
{
	if (nx == PROBE_NEXT_REQUEST && send_leg(m, sl) == 0)
		return -1;
	return slot_finish(cfg, cred, sl, done, ctx);
}

/* ---- end probe-cb ---- */

int probe_run(const struct probe_config *cfg, struct probe_cred *cred, const char *const *urls,
	      size_t n, size_t parallel, probe_done_fn done, void *ctx, char *err, size_t errlen)
{
	struct probe_http_multi *m;
	struct probe_gss_pool *pool = NULL;
	struct slot *slots;
	size_t next = 0, running = 0;
	int worst = PROBE_EXIT_OK;

	if (n == 0 && cfg->nexpect > 0) {
		/* an empty or comment-only --targets file: no check could hold (issue 16) */
		snprintf(err, errlen, "nothing was checked: the targets hold no URL, so no "
			 "--expect can hold");
		return PROBE_EXIT_CANNOT_RUN;
	}
	m = probe_http_multi_new();
	if (parallel == 0)
		parallel = 1;
	if (parallel > n && n > 0)
		parallel = n;
	slots = calloc(parallel, sizeof(*slots));
	if (m == NULL || slots == NULL) {
		snprintf(err, errlen, "out of memory");
		probe_http_multi_free(m);
		free(slots);
		return PROBE_EXIT_CANNOT_RUN;
	}
	pool = gss_pool(m, n, parallel); /* NULL: GSS runs in the loop, as for one target */
	for (;;) {
		struct probe_http_conn *c;
		struct slot *sl;

		/* fill free slots */
		for (size_t i = 0; i < parallel && next < n; i++) {
			int rc;

			if (slots[i].busy)
				continue;
			rc = slot_start(cfg, cred, m, &slots[i], urls[next++], done, ctx);
			if (rc == -2) {
				snprintf(err, errlen, "out of memory");
				worst = PROBE_EXIT_CANNOT_RUN;
				goto out;
			}
			if (rc == -1)
				running++;
			else if (rc > worst)
				worst = rc;
		}
		if (running == 0 && next >= n)
			break;
		if (pool != NULL) {
			void *arg;
			int nx, rc;
			/* nothing on the wire: wait for a job (a target's GSS work) to finish */
			bool wait = !probe_http_multi_busy(m);

			if (probe_gss_pool_take(pool, wait, &arg, &nx)) {
				rc = job_done(cfg, cred, m, arg, nx, done, ctx);
				if (rc >= 0) {
					running--;
					worst = rc > worst ? rc : worst;
				}
				continue;
			}
		}
		c = probe_http_multi_next(m);
		if (c == NULL && pool != NULL && (probe_gss_pool_in_flight(pool) > 0 ||
						  probe_http_multi_busy(m)))
			continue; /* woken by a finished job (maybe one already taken) */
		if (c == NULL) {
			snprintf(err, errlen, "the transfer loop stopped unexpectedly");
			worst = PROBE_EXIT_CANNOT_RUN;
			goto out;
		}
		sl = probe_http_conn_user(c);
		if (pool != NULL && probe_gss_pool_submit(pool, gss_job, sl) == 0)
			continue;
		if (probe_session_on_response(sl->s, probe_http_conn_resp(c)) ==
		    PROBE_NEXT_REQUEST && send_leg(m, sl) == 0)
			continue;
		running--;
		{
			int rc = slot_finish(cfg, cred, sl, done, ctx);

			if (rc > worst)
				worst = rc;
		}
	}
out:
	probe_gss_pool_free(pool); /* waits for running jobs before their slots go */
	for (size_t i = 0; i < parallel; i++) {
		if (slots[i].busy)
			slot_release(&slots[i]);
		if (slots[i].res != NULL) {
			probe_result_clear(slots[i].res);
			free(slots[i].res);
		}
	}
	free(slots);
	probe_http_multi_free(m);
	return worst;
}
