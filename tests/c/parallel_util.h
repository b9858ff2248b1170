/*
 * parallel_util.h — shared by the parallel executor's tests: the thread counts, a
 * skewed test graph, thread counting, and running one plan at every thread count.
 */
#ifndef GB_TEST_PARALLEL_UTIL_H
#define GB_TEST_PARALLEL_UTIL_H

#include <dirent.h>
#include <pthread.h>
#include <time.h>

#include "check.h"
#include "exec_internal.h"
#include "plan_asm.h"

static const int THREADS[] = { 1, 2, 3, 8 };
#define NTHREADS ((int)(sizeof THREADS / sizeof THREADS[0]))

static uint64_t rng_state = 0x2545F4914F6CDD1Dull;
static inline uint64_t rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ull;
}

/* Threads of this process, from /proc (-1 if unreadable). */
static inline int thread_count(void)
{
    DIR *d = opendir("/proc/self/task");
    struct dirent *e;
    int count = 0;
    if (d == NULL)
        return -1;
    while ((e = readdir(d)) != NULL)
        count += e->d_name[0] != '.';
    closedir(d);
    return count;
}

static inline void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

static inline double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- running a plan at every thread count ---- */

/* Runs plan p from the same starting slots and registers at each thread count (cutting
 * work into items of min_work), and counts slots and registers that differ from the
 * 1-thread run by a single bit; for a run that fails (want), the error's location and
 * message. */
static inline int64_t compare_threads(gb_plan *p, const gb_graph *g, void **init, int64_t nslots,
                               const gb_value *regs0, int64_t nregs, int64_t min_work,
                               gb_status want)
{
    const int64_t n = gb_graph_node_count(g);
    const size_t bytes = (size_t)(n > 0 ? n : 1) * 8;
    void **first = slots_new(nslots, n), **slots = slots_new(nslots, n);
    gb_value first_regs[32], regs[32];
    gb_error first_err, err;
    int64_t differ = 0;

    gb_plan_tune(p, p->specialize, min_work);
    for (int ti = 0; ti < NTHREADS; ti++) {
        gb_run_options opts = { 1000, THREADS[ti], NULL, 0, NULL };
        void **out = ti == 0 ? first : slots;
        gb_value *r = ti == 0 ? first_regs : regs;
        gb_error *e = ti == 0 ? &first_err : &err;
        for (int64_t s = 0; s < nslots; s++)
            memcpy(out[s], init[s], bytes);
        memcpy(r, regs0, (size_t)nregs * sizeof *r);
        CHECK_EQ_I(gb_run(p, g, r, out, &opts, e), want);
        if (ti == 0)
            continue;
        if (want != GB_OK) {
            /* after a failure the slots hold whatever the items that ran wrote */
            differ += err.loc != first_err.loc;
            differ += strcmp(err.message, first_err.message) != 0;
            continue;
        }
        for (int64_t s = 0; s < nslots; s++)
            differ += memcmp(first[s], slots[s], bytes) != 0;
        differ += memcmp(first_regs, regs, (size_t)nregs * sizeof *r) != 0;
    }
    slots_free(first, nslots);
    slots_free(slots, nslots);
    return differ;
}

/* The skewed graph stored in layout wide_index (gb_load_options: 0 compact, 1 all 64-bit,
 * 2 64-bit offsets only). */
static inline gb_graph *skewed_graph_layout(int64_t n, int64_t m, int directed, int weighted,
                                            int wide_index)
{
    int64_t *src = malloc((size_t)m * sizeof *src), *dst = malloc((size_t)m * sizeof *dst);
    double *w = malloc((size_t)m * sizeof *w);
    gb_graph *g = NULL;
    rng_state = 0x2545F4914F6CDD1Dull + (uint64_t)n;
    for (int64_t i = 0; i < m; i++) {
        uint64_t r = rng();
        /* a power-law-ish source, a hub at node 5, the top tenth of nodes isolated */
        int64_t live = n - n / 10;
        src[i] = (int64_t)((r % (uint64_t)live) * ((r >> 20) % (uint64_t)live) / (uint64_t)live);
        dst[i] = i % 5 == 0 ? 5 : (int64_t)((r >> 32) % (uint64_t)live);
        w[i] = (double)((r >> 44) % 1000) / 37.0 - 4.0;
    }
    {
        gb_load_options opts = { .wide_index = wide_index };
        gb_error err;
        if (gb_graph_from_arrays_opts(n, m, src, dst, weighted ? w : NULL, directed, &opts, &g,
                                      &err) != GB_OK)
            g = NULL;
    }
    free(src);
    free(dst);
    free(w);
    return g;
}

static inline gb_graph *skewed_graph(int64_t n, int64_t m, int directed, int weighted)
{
    return skewed_graph_layout(n, m, directed, weighted, 0);
}

#endif
