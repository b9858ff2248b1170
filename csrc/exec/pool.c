/*
 * pool.c — the executor's thread pool: workers started once per gb_run, then a
 * parallel-for over numbered work items for each kernel, with a barrier at its end.
 *
 * Method: the caller is worker 0 and runs items too.  A job is one 64-bit word: a
 * generation, a closed bit and the next unclaimed item.  A worker claims an item with a
 * compare-and-swap that adds 1 to the word, so a claim is always on the job the word
 * holds; once it has one, the job cannot end before that item is done (the caller waits
 * for every claim), which is what makes fn, arg and nitems safe to read then.  When no
 * item is left (or one has failed, which closes the word), the caller closes the word
 * too, reading how many claims were made, and waits only until that many have finished:
 * a helper that wakes late finds a closed or newer job and delays no one.  Helpers sleep
 * on `wake` until the generation moves; the caller signals only when one sleeps.
 * Items are claimed in ascending order and a claimed item always runs to the end, so
 * when items fail, every item below the smallest failing one has run: that smallest
 * failure is what one thread would have reported, whatever the timing.
 *
 * Helpers start with every signal blocked, so a Ctrl-C reaches the application's own
 * threads (Python's handler sets gb_run's interrupt flag).  A helper that cannot be
 * started just leaves fewer workers; the pool never fails a run.
 */
#include <pthread.h>
#include <signal.h>
#include <string.h>

#include "exec_internal.h"

/* The job word: the next item in the low 40 bits, then the closed bit, then the generation. */
#define NEXT_MASK ((1ull << 40) - 1)
#define CLOSED (1ull << 40)
#define GEN_ONE (1ull << 41)
#define GEN_MASK (~(GEN_ONE - 1))
/* Jobs with more items than this run on the caller alone (the count must not reach CLOSED). */
#define MAX_ITEMS ((int64_t)1 << 39)

/* A claim has run to its end: count it, and wake the caller if it waits. */
static void finish(gb_pool *pool)
{
    atomic_fetch_add_explicit(&pool->finished, 1, memory_order_seq_cst);
    if (atomic_load_explicit(&pool->waiting, memory_order_seq_cst)) {
        pthread_mutex_lock(&pool->mu);
        pthread_cond_signal(&pool->done);
        pthread_mutex_unlock(&pool->mu);
    }
}

/* Claims and runs items, starting from word w, until the job is closed or spent (a
 * claim past nitems); returns the last word seen. */
static uint64_t run_items(gb_pool *pool, int worker, uint64_t w)
{
    for (;;) {
        int64_t item;
        int spent;
        if (w & CLOSED)
            return w;
        if (!atomic_compare_exchange_weak_explicit(&pool->job, &w, w + 1, memory_order_acq_rel,
                                                   memory_order_acquire))
            continue;
        /* the claim holds the job: its fields stay as they are until finish */
        item = (int64_t)(w & NEXT_MASK);
        spent = item >= pool->nitems;
        if (!spent) {
            gb_status st = pool->fn(pool->arg, worker, item);
            if (st != GB_OK) {
                pool->fail_item[worker] = item;
                pool->fail_status[worker] = st;
                atomic_fetch_or_explicit(&pool->job, CLOSED, memory_order_relaxed);
            }
        }
        finish(pool);
        if (spent)
            return w;
        w = atomic_load_explicit(&pool->job, memory_order_acquire);
    }
}

static void *helper_main(void *arg)
{
    const gb_pool_helper *self = arg;
    gb_pool *pool = self->pool;
    uint64_t w = atomic_load_explicit(&pool->job, memory_order_acquire);

    for (;;) {
        w = run_items(pool, self->worker, w);
        /* nothing left to claim in w's job: sleep until the next one */
        pthread_mutex_lock(&pool->mu);
        atomic_fetch_add_explicit(&pool->sleepers, 1, memory_order_seq_cst);
        while (!atomic_load_explicit(&pool->shutdown, memory_order_relaxed) &&
               ((atomic_load_explicit(&pool->job, memory_order_seq_cst) ^ w) & GEN_MASK) == 0)
            pthread_cond_wait(&pool->wake, &pool->mu);
        atomic_fetch_sub_explicit(&pool->sleepers, 1, memory_order_relaxed);
        pthread_mutex_unlock(&pool->mu);
        if (atomic_load_explicit(&pool->shutdown, memory_order_relaxed))
            return NULL;
        w = atomic_load_explicit(&pool->job, memory_order_acquire);
    }
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
    atomic_store_explicit(&pool->job, CLOSED, memory_order_relaxed);   /* no job yet */
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
    atomic_store_explicit(&pool->shutdown, 1, memory_order_relaxed);
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
    uint64_t word;
    int64_t claimed;
    int best = -1;

    /* One item or one worker: no hand-off, no wake-ups. */
    if (pool->nthreads <= 1 || nitems <= 1 || nitems > MAX_ITEMS) {
        for (int64_t item = 0; item < nitems; item++) {
            gb_status st = fn(arg, 0, item);
            if (st != GB_OK) {
                *fail_item = item;
                *fail_worker = 0;
                return st;
            }
        }
        return GB_OK;
    }
    /* every claim of the last job has finished, so no helper reads these now */
    pool->fn = fn;
    pool->arg = arg;
    pool->nitems = nitems;
    for (int w = 0; w < pool->nthreads; w++)
        pool->fail_item[w] = -1;
    atomic_store_explicit(&pool->finished, 0, memory_order_relaxed);
    word = (atomic_load_explicit(&pool->job, memory_order_relaxed) & GEN_MASK) + GEN_ONE;
    atomic_store_explicit(&pool->job, word, memory_order_seq_cst);
    if (atomic_load_explicit(&pool->sleepers, memory_order_seq_cst) > 0) {
        pthread_mutex_lock(&pool->mu);
        pthread_cond_broadcast(&pool->wake);
        pthread_mutex_unlock(&pool->mu);
    }
    run_items(pool, 0, word);
    /* no claims after this; wait for those made (late helpers made none) */
    claimed = (int64_t)(atomic_fetch_or_explicit(&pool->job, CLOSED, memory_order_acq_rel) &
                        NEXT_MASK);
    if (atomic_load_explicit(&pool->finished, memory_order_acquire) < claimed) {
        pthread_mutex_lock(&pool->mu);
        atomic_store_explicit(&pool->waiting, 1, memory_order_seq_cst);
        while (atomic_load_explicit(&pool->finished, memory_order_seq_cst) < claimed)
            pthread_cond_wait(&pool->done, &pool->mu);
        atomic_store_explicit(&pool->waiting, 0, memory_order_relaxed);
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
