/*
 * pool.c — the executor's thread pool: workers started once per gb_run, then a
 * parallel-for over numbered work items for each kernel, with a barrier at its end.
 *
 * Method: the caller is worker 0 and runs items too.  A job is published under the
 * mutex with a new generation number; workers claim items with one atomic counter (so
 * a slow item never holds up the others) and the last helper to finish signals the
 * caller.  Items are claimed in ascending order and a claimed item always runs to the
 * end, so when items fail, every item below the smallest failing one has run: that
 * smallest failure is what one thread would have reported, whatever the timing.  After
 * a failure no new items are claimed.
 *
 * Helpers start with every signal blocked, so a Ctrl-C reaches the application's own
 * threads (Python's handler sets gb_run's interrupt flag).  A helper that cannot be
 * started just leaves fewer workers; the pool never fails a run.
 */
#include <pthread.h>
#include <signal.h>
#include <string.h>

#include "exec_internal.h"

/* Runs items until none are left or one has failed; records this worker's failure. */
static void run_items(gb_pool *pool, int worker)
{
    for (;;) {
        int64_t item;
        gb_status st;
        if (atomic_load_explicit(&pool->stop, memory_order_relaxed))
            return;
        item = atomic_fetch_add_explicit(&pool->next, 1, memory_order_relaxed);
        if (item >= pool->nitems)
            return;
        st = pool->fn(pool->arg, worker, item);
        if (st != GB_OK) {
            pool->fail_item[worker] = item;
            pool->fail_status[worker] = st;
            atomic_store_explicit(&pool->stop, 1, memory_order_relaxed);
            return;
        }
    }
}

static void *helper_main(void *arg)
{
    const gb_pool_helper *self = arg;
    gb_pool *pool = self->pool;
    const int worker = self->worker;
    uint64_t seen = 0;

    pthread_mutex_lock(&pool->mu);
    for (;;) {
        while (!pool->shutdown && pool->generation == seen)
            pthread_cond_wait(&pool->wake, &pool->mu);
        if (pool->shutdown)
            break;
        seen = pool->generation;
        pthread_mutex_unlock(&pool->mu);
        run_items(pool, worker);
        pthread_mutex_lock(&pool->mu);
        if (--pool->running == 0)
            pthread_cond_signal(&pool->done);
    }
    pthread_mutex_unlock(&pool->mu);
    return NULL;
}

int gb_pool_start(gb_pool *pool, int threads)
{
    sigset_t all, old;

    memset(pool, 0, sizeof *pool);
    pool->nthreads = 1;
    if (threads > GB_POOL_MAX_THREADS)
        threads = GB_POOL_MAX_THREADS;
    if (threads <= 1)
        return 1;
    if (pthread_mutex_init(&pool->mu, NULL) != 0)
        return 1;
    if (pthread_cond_init(&pool->wake, NULL) != 0) {
        pthread_mutex_destroy(&pool->mu);
        return 1;
    }
    if (pthread_cond_init(&pool->done, NULL) != 0) {
        pthread_cond_destroy(&pool->wake);
        pthread_mutex_destroy(&pool->mu);
        return 1;
    }
    pool->synced = 1;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    for (int w = 1; w < threads; w++) {
        gb_pool_helper *h = &pool->helpers[w];
        h->pool = pool;
        h->worker = w;
        if (pthread_create(&h->tid, NULL, helper_main, h) != 0)
            break;
        pool->nthreads = w + 1;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return pool->nthreads;
}

void gb_pool_stop(gb_pool *pool)
{
    if (!pool->synced)
        return;
    pthread_mutex_lock(&pool->mu);
    pool->shutdown = 1;
    pthread_cond_broadcast(&pool->wake);
    pthread_mutex_unlock(&pool->mu);
    for (int w = 1; w < pool->nthreads; w++)
        pthread_join(pool->helpers[w].tid, NULL);
    pthread_cond_destroy(&pool->done);
    pthread_cond_destroy(&pool->wake);
    pthread_mutex_destroy(&pool->mu);
    pool->synced = 0;
    pool->nthreads = 1;
}

gb_status gb_pool_for(gb_pool *pool, int64_t nitems, gb_task_fn fn, void *arg,
                      int64_t *fail_item, int *fail_worker)
{
    const int helpers = pool->nthreads > 1 && nitems > 1 ? pool->nthreads - 1 : 0;
    int best = -1;

    pool->fn = fn;
    pool->arg = arg;
    pool->nitems = nitems;
    atomic_store_explicit(&pool->next, 0, memory_order_relaxed);
    atomic_store_explicit(&pool->stop, 0, memory_order_relaxed);
    for (int w = 0; w < pool->nthreads; w++)
        pool->fail_item[w] = -1;
    /* One item or one worker: no hand-off, no wake-ups. */
    if (helpers > 0) {
        pthread_mutex_lock(&pool->mu);
        pool->running = helpers;
        pool->generation++;
        pthread_cond_broadcast(&pool->wake);
        pthread_mutex_unlock(&pool->mu);
    }
    run_items(pool, 0);
    if (helpers > 0) {
        pthread_mutex_lock(&pool->mu);
        while (pool->running > 0)
            pthread_cond_wait(&pool->done, &pool->mu);
        pthread_mutex_unlock(&pool->mu);
    }
    for (int w = 0; w < pool->nthreads; w++)
        if (pool->fail_item[w] >= 0 && (best < 0 || pool->fail_item[w] < pool->fail_item[best]))
            best = w;
    if (best < 0)
        return GB_OK;
    *fail_item = pool->fail_item[best];
    *fail_worker = best;
    return pool->fail_status[best];
}
