/* gss_worker.h - GSS-API calls off the transfer loop.
 *
 * A GSS call can block for seconds on a slow or silent KDC (the TGS exchange of
 * gss_init_sec_context).  With many targets, the runner hands each target's GSS work (its
 * response handling, and its end-of-run checks) to a small pool of threads and keeps
 * driving the other targets' transfers; the finished jobs come back to the loop in
 * completion order.  A target has at most one job at a time and nothing else touches it
 * meanwhile, so a job needs no lock of its own: the queues' mutex orders the hand-over.
 * MIT krb5's GSS-API is thread-safe across separate contexts; the one credential handle
 * the targets share is only read after its set-up (gss.c locks its lazy NTLM part).
 */
#ifndef PROBE_GSS_WORKER_H
#define PROBE_GSS_WORKER_H

#include <stdbool.h>
#include <stddef.h>

struct probe_gss_pool;

/* The work of one job, run on a worker thread; its int result comes back with it. */
typedef int (*probe_gss_job_fn)(void *arg);

/* `nthreads` workers and room for `capacity` jobs in flight.  `notify(notify_arg)` is
 * called on the worker after each job is done (to wake the transfer loop; it must be
 * thread-safe).  NULL on failure (no thread could start). */
struct probe_gss_pool *probe_gss_pool_new(size_t nthreads, size_t capacity,
					  void (*notify)(void *), void *notify_arg);
/* Queues fn(arg).  0, or -1 when `capacity` jobs are already in flight. */
int probe_gss_pool_submit(struct probe_gss_pool *p, probe_gss_job_fn fn, void *arg);
/* A finished job: true with its arg and result; false when none is finished (with `wait`,
 * blocks until one is, unless no job is in flight). */
bool probe_gss_pool_take(struct probe_gss_pool *p, bool wait, void **arg, int *result);
/* Jobs submitted and not yet taken back. */
size_t probe_gss_pool_in_flight(struct probe_gss_pool *p);
/* Waits for the running jobs, stops the threads, frees the pool. */
void probe_gss_pool_free(struct probe_gss_pool *p);

#endif /* PROBE_GSS_WORKER_H */
