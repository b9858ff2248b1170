/*
 * cc.c — Afforest connected components, the baseline for algorithms/connected_components.gdsl.
 *
 * Sutton, Ben-Nun, Barak, "Optimizing Parallel Graph Connectivity Computation via Subgraph
 * Sampling", IPDPS'18. Written from the paper: a union-find forest over parent pointers
 * (comp[v], roots point to themselves, a link always hangs the larger root under the smaller,
 * by compare-and-swap, §III), built in three phases:
 *   1. neighbor sampling (§IV-A): link each node with its first NEIGHBOR_ROUNDS neighbors, one
 *      round at a time, compressing the trees after each round;
 *   2. large-component skipping (§IV-B): sample SAMPLES nodes' roots and take the most frequent,
 *      which after sampling is very likely the giant component;
 *   3. finish: every node outside that component links its remaining neighbors (those past the
 *      first NEIGHBOR_ROUNDS); nodes inside it are skipped — on an undirected graph each edge
 *      leaving the component is seen from its other end. A final compression makes every comp[v]
 *      its root.
 * Output: a component label per node (the smallest node of the tree it ended in, though the bench
 * compares partitions only). The graph must be symmetric (the bench's is). OpenMP threads.
 *
 * Usage: cc CSR_FILE TRIALS OUT
 *   prints "trial T seconds S components C" per trial; writes int32 comp[n] of the last to OUT.
 */
#include <omp.h>

#include "driver.h"

#define NEIGHBOR_ROUNDS 2
#define SAMPLES 1024

/* Union of the trees of u and v (§III, the lock-free link): repeatedly take the two current
 * roots' larger one, high, and try to hang it under the smaller with a CAS on comp[high]; a
 * failed CAS means another thread moved high, so both are re-read one level up. */
static void link(node_t u, node_t v, node_t *comp)
{
    node_t p1 = __atomic_load_n(&comp[u], __ATOMIC_RELAXED);
    node_t p2 = __atomic_load_n(&comp[v], __ATOMIC_RELAXED);
    while (p1 != p2) {
        node_t high = p1 > p2 ? p1 : p2, low = p1 > p2 ? p2 : p1;
        node_t p_high = __atomic_load_n(&comp[high], __ATOMIC_RELAXED);
        if (p_high == low)
            break;  /* already linked */
        node_t expected = high;
        if (p_high == high && __atomic_compare_exchange_n(&comp[high], &expected, low, 0,
                                                          __ATOMIC_RELAXED, __ATOMIC_RELAXED))
            break;
        p1 = __atomic_load_n(&comp[__atomic_load_n(&comp[high], __ATOMIC_RELAXED)], __ATOMIC_RELAXED);
        p2 = __atomic_load_n(&comp[low], __ATOMIC_RELAXED);
    }
}

/* Path compression (§III): every node points straight at its root. */
static void compress(int64_t n, node_t *comp)
{
#pragma omp parallel for schedule(dynamic, 16384)
    for (int64_t v = 0; v < n; v++) {
        while (comp[v] != comp[comp[v]])
            comp[v] = comp[comp[v]];
    }
}

static int cmp_node(const void *a, const void *b)
{
    node_t x = *(const node_t *)a, y = *(const node_t *)b;
    return (x > y) - (x < y);
}

/* The most frequent root among SAMPLES random nodes (§IV-B); a fixed-seed xorshift, so every
 * trial samples the same nodes. */
static node_t most_frequent(int64_t n, const node_t *comp)
{
    node_t sample[SAMPLES];
    uint64_t state = 0x9E3779B97F4A7C15u;
    for (int i = 0; i < SAMPLES; i++) {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        sample[i] = comp[state % (uint64_t)n];
    }
    qsort(sample, SAMPLES, sizeof *sample, cmp_node);
    node_t best = sample[0];
    int best_run = 0;
    for (int i = 0, run = 0; i < SAMPLES; i++) {
        run = (i > 0 && sample[i] == sample[i - 1]) ? run + 1 : 1;
        if (run > best_run) {
            best_run = run;
            best = sample[i];
        }
    }
    return best;
}

static void afforest(const csr_graph *g, node_t *comp)
{
    const int64_t n = g->n;
    if (n == 0)
        return;
#pragma omp parallel for schedule(static)
    for (int64_t v = 0; v < n; v++)
        comp[v] = (node_t)v;

    /* Phase 1: neighbor sampling, one neighbor per round (§IV-A). */
    for (int r = 0; r < NEIGHBOR_ROUNDS; r++) {
#pragma omp parallel for schedule(dynamic, 16384)
        for (int64_t u = 0; u < n; u++) {
            int64_t e = g->offsets[u] + r;
            if (e < g->offsets[u + 1])
                link((node_t)u, g->neighbors[e], comp);
        }
        compress(n, comp);
    }

    /* Phase 2: the component to skip (§IV-B). */
    const node_t giant = most_frequent(n, comp);

    /* Phase 3: the remaining edges of nodes outside it (§IV-B, Algorithm 2's final loop). */
#pragma omp parallel for schedule(dynamic, 16384)
    for (int64_t u = 0; u < n; u++) {
        if (comp[u] == giant)
            continue;
        for (int64_t e = g->offsets[u] + NEIGHBOR_ROUNDS; e < g->offsets[u + 1]; e++)
            link((node_t)u, g->neighbors[e], comp);
    }
    compress(n, comp);
}

int main(int argc, char **argv)
{
    csr_graph g;
    long long trials;
    int rc = bl_start(argc, argv, 3, "CSR_FILE TRIALS OUT", 0, &g, &trials);
    if (rc != 0)
        return rc;
    bl_status st = BL_OK;
    node_t *comp = bl_alloc((size_t)g.n, sizeof *comp);
    if (comp == NULL) {
        fprintf(stderr, "%s\n", bl_message(BL_NOMEM));
        csr_free(&g);
        return 1;
    }
    printf("threads %d n %lld arcs %lld\n", omp_get_max_threads(), (long long)g.n, (long long)g.arcs);
    for (long long t = 0; t < trials; t++) {
        double start = omp_get_wtime();
        afforest(&g, comp);
        double seconds = omp_get_wtime() - start;
        int64_t roots = 0;
        for (int64_t v = 0; v < g.n; v++)
            roots += comp[v] == v;
        printf("trial %lld seconds %.9f components %lld\n", t, seconds, (long long)roots);
        fflush(stdout);
    }
    st = write_array(argv[3], comp, sizeof *comp, (size_t)g.n);
    if (st != BL_OK)
        fprintf(stderr, "%s: %s\n", argv[3], bl_message(st));
    free(comp);
    csr_free(&g);
    return st == BL_OK ? 0 : 1;
}
