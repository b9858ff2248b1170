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
 * Hand-offs spin before they sleep, as OpenMP runtimes do: a helper polls the generation
 * and the caller polls the running count for up to SPIN_NS before blocking on the condition
 * variable.  A kernel's passes dispatch jobs back to back (BFS: a few per level), so the
 * next job usually arrives while the helper still spins and no futex wake-up (tens of
 * microseconds on a virtual machine, more when its vCPU has halted) sits between two
 * jobs.  The spin is bounded, so an idle pool between gb_run calls or during a long serial
 * step costs at most SPIN_NS of one core per hand-off.  The mutex is still taken to
 * publish a job and by the last helper to finish (a waiter cannot miss either: it checks
 * under the mutex), so a sleeping thread always wakes.
 *
 * Helpers start with every signal blocked, so a Ctrl-C reaches the application's own
 * threads (Python's handler sets gb_run's interrupt flag).  A helper that cannot be
 * started just leaves fewer workers; the pool never fails a run.
 */
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "exec_internal.h"

#define SPIN_NS 100000   /* 0.1 ms: a few kernel hand-offs' worth, a small cost when idle */

static int64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

/* Polls until done(pool, arg) holds or SPIN_NS pass; returns whether it held. */
static int spin_until(gb_pool *pool, int (*done)(gb_pool *, uint64_t), uint64_t arg)
{
    int64_t deadline = 0;
    for (int i = 0;; i++) {
        if (done(pool, arg))
            return 1;
        if ((i & 63) == 0) {   /* the clock every 64 polls: a vDSO call, not a syscall */
            const int64_t t = now_ns();
            if (deadline == 0)
                deadline = t + SPIN_NS;
            else if (t >= deadline)
                return 0;
        }
        cpu_relax();
    }
}

static int new_job(gb_pool *pool, uint64_t seen)
{
    return atomic_load_explicit(&pool->shutdown, memory_order_acquire) ||
           atomic_load_explicit(&pool->generation, memory_order_acquire) != seen;
}

static int helpers_done(gb_pool *pool, uint64_t unused)
{
    (void)unused;
    return atomic_load_explicit(&pool->running, memory_order_acquire) == 0;
}

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

    for (;;) {
        if (!spin_until(pool, new_job, seen)) {
            pthread_mutex_lock(&pool->mu);
            while (!new_job(pool, seen))
                pthread_cond_wait(&pool->wake, &pool->mu);
            pthread_mutex_unlock(&pool->mu);
        }
        if (atomic_load_explicit(&pool->shutdown, memory_order_acquire))
            break;
        seen = atomic_load_explicit(&pool->generation, memory_order_acquire);
        run_items(pool, worker);
        if (atomic_fetch_sub_explicit(&pool->running, 1, memory_order_acq_rel) == 1) {
            pthread_mutex_lock(&pool->mu);   /* the caller may sleep: it checks under mu */
            pthread_cond_signal(&pool->done);
            pthread_mutex_unlock(&pool->mu);
        }
    }
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
    atomic_store_explicit(&pool->shutdown, 1, memory_order_release);
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
    if (helpers > 0) {   /* the job's fields above are released with the generation */
        atomic_store_explicit(&pool->running, helpers, memory_order_relaxed);
        pthread_mutex_lock(&pool->mu);
        atomic_fetch_add_explicit(&pool->generation, 1, memory_order_release);
        pthread_cond_broadcast(&pool->wake);
        pthread_mutex_unlock(&pool->mu);
    }
    run_items(pool, 0);
    if (helpers > 0 && !spin_until(pool, helpers_done, 0)) {
        pthread_mutex_lock(&pool->mu);
        while (!helpers_done(pool, 0))
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
