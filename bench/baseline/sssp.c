/*
 * sssp.c — delta-stepping single-source shortest paths, the baseline for algorithms/sssp.gdsl.
 *
 * Meyer and Sanders, "Δ-stepping: a parallelizable shortest path algorithm", J. Algorithms 49
 * (2003), in the form the GAP Benchmark Suite describes (Beamer, Asanović, Patterson,
 * arXiv:1508.03619, §5: buckets kept per thread, no light/heavy edge split). Written from those
 * descriptions:
 *   - nodes wait in buckets by tentative distance, bucket i holding [i·Δ, (i+1)·Δ) (§2 of the
 *     paper); the smallest non-empty bucket is the frontier of the next round;
 *   - a round relaxes every out-edge of the frontier in parallel; an improved distance is
 *     written with a compare-and-swap minimum and the node goes into the calling thread's own
 *     bucket for its new distance (GAP's thread-local bins: no shared bucket structure);
 *   - a frontier entry whose distance has since dropped below the current bucket was already
 *     settled through a lower bucket and is skipped (lazy deletion instead of bucket removal);
 *   - after a round the threads agree on the smallest non-empty bucket of any thread and copy
 *     their part of it into the shared frontier, which may hold a node more than once.
 * Weights are GAP's: non-negative int32 (the bench's are 1..255), distances int64, written as
 * float64 with inf for unreached nodes (sssp.gdsl's result). OpenMP threads.
 *
 * Usage: sssp WCSR_FILE TRIALS OUT SOURCE DELTA
 *   prints "trial T seconds S reached R" per trial; writes float64 dist[n] of the last to OUT.
 */
#include <math.h>
#include <omp.h>

#include "driver.h"

#define DIST_INF (INT64_MAX / 2)
#define NO_BIN INT64_MAX

typedef struct {
    node_list *bins;
    size_t count;
} bin_set;

/* Pushes v into bins->bins[b], growing the bin array; 0 when memory runs out. */
static int bin_push(bin_set *bins, size_t b, node_t v)
{
    if (b >= bins->count) {
        size_t count = bins->count ? bins->count : 16;
        while (count <= b)
            count *= 2;
        node_list *grown = count > SIZE_MAX / sizeof *grown ? NULL
                                                            : realloc(bins->bins, count * sizeof *grown);
        if (grown == NULL)
            return 0;
        memset(grown + bins->count, 0, (count - bins->count) * sizeof *grown);
        bins->bins = grown;
        bins->count = count;
    }
    return list_push(&bins->bins[b], v);
}

/* Distances from source into dist[n] (int64, DIST_INF unreached). */
static bl_status delta_stepping(const csr_graph *g, node_t source, int64_t delta, int64_t *dist,
                                node_t *frontier, size_t frontier_capacity)
{
    const int64_t n = g->n;
#pragma omp parallel for schedule(static)
    for (int64_t v = 0; v < n; v++)
        dist[v] = DIST_INF;
    dist[source] = 0;
    frontier[0] = source;

    int64_t size = 1;          /* the shared frontier's length this round */
    int64_t tail = 0;          /* filled while copying the next round's frontier */
    int64_t bin = 0;           /* the current bucket */
    int64_t next_bin = NO_BIN; /* the smallest non-empty bucket over all threads */
    int failed = 0;            /* 1: a thread ran out of memory, 2: the frontier overflowed */

#pragma omp parallel
    {
        bin_set mine = {NULL, 0};
        while (bin != NO_BIN && !failed) {
            const int64_t lower = bin * delta;
            /* Relax the frontier's out-edges (§2, relax; GAP's per-thread bins). */
#pragma omp for schedule(dynamic, 64) nowait
            for (int64_t i = 0; i < size; i++) {
                node_t u = frontier[i];
                int64_t du = __atomic_load_n(&dist[u], __ATOMIC_RELAXED);
                if (du < lower)
                    continue;  /* settled through an earlier bucket since it was queued */
                for (int64_t e = g->offsets[u]; e < g->offsets[u + 1]; e++) {
                    node_t v = g->neighbors[e];
                    int64_t nd = du + g->weights[e];
                    int64_t old = __atomic_load_n(&dist[v], __ATOMIC_RELAXED);
                    while (nd < old) {
                        if (__atomic_compare_exchange_n(&dist[v], &old, nd, 1, __ATOMIC_RELAXED,
                                                        __ATOMIC_RELAXED)) {
                            if (!bin_push(&mine, (size_t)(nd / delta), v))
                                __atomic_store_n(&failed, 1, __ATOMIC_RELAXED);
                            break;
                        }
                    }
                }
            }
            /* The smallest non-empty bucket, at or after the current one, over all threads. */
            for (size_t b = (size_t)bin; b < mine.count; b++) {
                if (mine.bins[b].size > 0) {
                    int64_t cur = __atomic_load_n(&next_bin, __ATOMIC_RELAXED);
                    while ((int64_t)b < cur &&
                           !__atomic_compare_exchange_n(&next_bin, &cur, (int64_t)b, 1,
                                                        __ATOMIC_RELAXED, __ATOMIC_RELAXED))
                        ;
                    break;
                }
            }
#pragma omp barrier
#pragma omp single
            {
                bin = next_bin;
                next_bin = NO_BIN;
                tail = 0;
            }
            /* Each thread moves its part of the next bucket into the shared frontier. */
            if (bin != NO_BIN && (size_t)bin < mine.count && mine.bins[bin].size > 0) {
                node_list *b = &mine.bins[bin];
                int64_t at = __atomic_fetch_add(&tail, (int64_t)b->size, __ATOMIC_RELAXED);
                if ((size_t)at + b->size > frontier_capacity)
                    __atomic_store_n(&failed, 2, __ATOMIC_RELAXED);
                else
                    memcpy(frontier + at, b->items, b->size * sizeof *b->items);
                b->size = 0;
            }
#pragma omp barrier
#pragma omp single
            size = tail;
        }
        for (size_t b = 0; b < mine.count; b++)
            free(mine.bins[b].items);
        free(mine.bins);
    }
    return failed == 0 ? BL_OK : failed == 1 ? BL_NOMEM : BL_OVERFLOW;
}

int main(int argc, char **argv)
{
    csr_graph g;
    long long trials;
    int rc = bl_start(argc, argv, 5, "WCSR_FILE TRIALS OUT SOURCE DELTA", 1, &g, &trials);
    if (rc != 0)
        return rc;
    bl_status st = BL_OK;
    long long source = parse_count(argv[4]), delta = parse_count(argv[5]);
    if (source < 0 || source >= g.n || delta < 1) {
        fprintf(stderr, "bad SOURCE or DELTA (n = %lld)\n", (long long)g.n);
        csr_free(&g);
        return 2;
    }
    /* A node enters the frontier once per improvement of its distance: at most once per arc
     * into it, plus the source (GAP sizes its frontier the same way). */
    size_t capacity = (size_t)g.arcs + 1;
    int64_t *dist = bl_alloc((size_t)g.n, sizeof *dist);
    double *out = bl_alloc((size_t)g.n, sizeof *out);
    node_t *frontier = bl_alloc(capacity, sizeof *frontier);
    if (dist == NULL || out == NULL || frontier == NULL) {
        fprintf(stderr, "%s\n", bl_message(BL_NOMEM));
        free(dist);
        free(out);
        free(frontier);
        csr_free(&g);
        return 1;
    }
    printf("threads %d n %lld arcs %lld delta %lld\n", omp_get_max_threads(), (long long)g.n,
           (long long)g.arcs, delta);
    for (long long t = 0; t < trials && st == BL_OK; t++) {
        double start = omp_get_wtime();
        st = delta_stepping(&g, (node_t)source, delta, dist, frontier, capacity);
        double seconds = omp_get_wtime() - start;
        int64_t reached = 0;
        for (int64_t v = 0; v < g.n; v++)
            reached += dist[v] < DIST_INF;
        if (st == BL_OK)
            printf("trial %lld seconds %.9f reached %lld\n", t, seconds, (long long)reached);
        fflush(stdout);
    }
    if (st == BL_OK) {
        for (int64_t v = 0; v < g.n; v++)
            out[v] = dist[v] < DIST_INF ? (double)dist[v] : INFINITY;
        st = write_array(argv[3], out, sizeof *out, (size_t)g.n);
    }
    if (st != BL_OK)
        fprintf(stderr, "%s\n", bl_message(st));
    free(dist);
    free(out);
    free(frontier);
    csr_free(&g);
    return st == BL_OK ? 0 : 1;
}
