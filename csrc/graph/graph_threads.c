/*
 * graph_threads.c — running one function on a few pthreads, for the graph builder,
 * parser and generators.
 *
 * Workers never wait for each other, so a thread that cannot be started is no
 * problem: its share simply runs on the caller after the caller's own share.
 */
#include <pthread.h>

#include "graph_internal.h"

typedef struct worker {
    void (*fn)(void *arg, int t);
    void *arg;
    int t;
} worker;

static void *trampoline(void *p)
{
    worker *w = p;
    w->fn(w->arg, w->t);
    return NULL;
}

void gb_parallel(int threads, void (*fn)(void *arg, int t), void *arg)
{
    pthread_t ids[GB_MAX_THREADS];
    worker workers[GB_MAX_THREADS];
    int started[GB_MAX_THREADS] = { 0 };
    if (threads > GB_MAX_THREADS)
        threads = GB_MAX_THREADS;
    for (int t = 1; t < threads; t++) {
        workers[t] = (worker){ fn, arg, t };
        started[t] = pthread_create(&ids[t], NULL, trampoline, &workers[t]) == 0;
    }
    fn(arg, 0);
    for (int t = 1; t < threads; t++) {
        if (started[t])
            pthread_join(ids[t], NULL);
        else
            fn(arg, t);
    }
}

int gb_thread_count(int requested, int64_t work_units)
{
    int64_t t = requested < 1 ? 1 : requested;
    if (t > GB_MAX_THREADS)
        t = GB_MAX_THREADS;
    if (t > work_units)
        t = work_units < 1 ? 1 : work_units;
    return (int)t;
}
