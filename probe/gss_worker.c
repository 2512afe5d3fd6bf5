/* gss_worker.c - a fixed pool of threads running targets' GSS work (POSIX threads). */
#include "gss_worker.h"

#include <pthread.h>
#include <stdlib.h>

struct job {
	probe_gss_job_fn fn;
	void *arg;
	int result;
};

/* A ring of jobs: todo[] waiting for a worker, done[] waiting for the loop. */
struct ring {
	struct job *v;
	size_t head, n;
};

struct probe_gss_pool {
	pthread_mutex_t mu;
	pthread_cond_t work, finished;
	struct ring todo, done;
	size_t cap, in_flight;
	bool stop;
	void (*notify)(void *);
	void *notify_arg;
	pthread_t *threads;
	size_t nthreads;
};

static void ring_push(struct ring *r, size_t cap, struct job j)
{
	r->v[(r->head + r->n++) % cap] = j;
}

static struct job ring_pop(struct ring *r, size_t cap)
{
	struct job j = r->v[r->head];

	r->head = (r->head + 1) % cap;
	r->n--;
	return j;
}

static void *worker(void *arg)
{
	struct probe_gss_pool *p = arg;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		struct job j;

		while (p->todo.n == 0 && !p->stop)
			pthread_cond_wait(&p->work, &p->mu);
		if (p->todo.n == 0)
			break; /* stopping, nothing left */
		j = ring_pop(&p->todo, p->cap);
		pthread_mutex_unlock(&p->mu);
		j.result = j.fn(j.arg);
		pthread_mutex_lock(&p->mu);
		ring_push(&p->done, p->cap, j);
		pthread_cond_signal(&p->finished);
		if (p->notify != NULL)
			p->notify(p->notify_arg);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

struct probe_gss_pool *probe_gss_pool_new(size_t nthreads, size_t capacity,
					  void (*notify)(void *), void *notify_arg)
{
	struct probe_gss_pool *p = calloc(1, sizeof(*p));

	if (p == NULL || nthreads == 0 || capacity == 0)
		goto fail;
	p->cap = capacity;
	p->notify = notify;
	p->notify_arg = notify_arg;
	p->todo.v = calloc(capacity, sizeof(struct job));
	p->done.v = calloc(capacity, sizeof(struct job));
	p->threads = calloc(nthreads, sizeof(pthread_t));
	if (p->todo.v == NULL || p->done.v == NULL || p->threads == NULL ||
	    pthread_mutex_init(&p->mu, NULL) != 0)
		goto fail;
	if (pthread_cond_init(&p->work, NULL) != 0) {
		pthread_mutex_destroy(&p->mu);
		goto fail;
	}
	if (pthread_cond_init(&p->finished, NULL) != 0) {
		pthread_cond_destroy(&p->work);
		pthread_mutex_destroy(&p->mu);
		goto fail;
	}
	for (; p->nthreads < nthreads; p->nthreads++)
		if (pthread_create(&p->threads[p->nthreads], NULL, worker, p) != 0)
			break;
	if (p->nthreads == 0) {
		probe_gss_pool_free(p);
		return NULL;
	}
	return p;
fail:
	if (p != NULL) {
		free(p->todo.v);
		free(p->done.v);
		free(p->threads);
		free(p);
	}
	return NULL;
}

int probe_gss_pool_submit(struct probe_gss_pool *p, probe_gss_job_fn fn, void *arg)
{
	int rc = -1;

	pthread_mutex_lock(&p->mu);
	if (p->in_flight < p->cap) {
		ring_push(&p->todo, p->cap, (struct job){fn, arg, 0});
		p->in_flight++;
		pthread_cond_signal(&p->work);
		rc = 0;
	}
	pthread_mutex_unlock(&p->mu);
	return rc;
}

bool probe_gss_pool_take(struct probe_gss_pool *p, bool wait, void **arg, int *result)
{
	bool got = false;

	pthread_mutex_lock(&p->mu);
	while (wait && p->done.n == 0 && p->in_flight > 0)
		pthread_cond_wait(&p->finished, &p->mu);
	if (p->done.n > 0) {
		struct job j = ring_pop(&p->done, p->cap);

		*arg = j.arg;
		*result = j.result;
		p->in_flight--;
		got = true;
	}
	pthread_mutex_unlock(&p->mu);
	return got;
}

size_t probe_gss_pool_in_flight(struct probe_gss_pool *p)
{
	size_t n;

	pthread_mutex_lock(&p->mu);
	n = p->in_flight;
	pthread_mutex_unlock(&p->mu);
	return n;
}

void probe_gss_pool_free(struct probe_gss_pool *p)
{
	if (p == NULL)
		return;
	pthread_mutex_lock(&p->mu);
	p->stop = true;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->mu);
	for (size_t i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);
	pthread_cond_destroy(&p->finished);
	pthread_cond_destroy(&p->work);
	pthread_mutex_destroy(&p->mu);
	free(p->todo.v);
	free(p->done.v);
	free(p->threads);
	free(p);
}
