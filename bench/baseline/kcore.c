/*
 * kcore.c — bucketed core decomposition, the baseline for algorithms/k_core.gdsl.
 *
 * Batagelj and Zaversnik, "An O(m) Algorithm for Cores Decomposition of Networks",
 * arXiv:cs/0310049 (2003), the algorithm k_core.gdsl cites. Written from the paper: nodes are
 * bucket-sorted by degree into one array (vert, with pos[v] the place of v and bin[d] the start
 * of degree d's bucket); taking the nodes in that order, the node v in hand has its final core
 * number deg[v], and each neighbor u with a larger current degree moves to the front of its
 * bucket (a swap with the bucket's first node), the bucket boundary moves past it, and deg[u]
 * drops by one — so the array stays sorted by current degree and every step is O(1): O(n + m)
 * in all. Sequential, as in the paper (one thread whatever the bench asks).
 * Core numbers per node, for simple undirected graphs (the bench's: no self-loops, no duplicate
 * edges, both arcs of every edge present).
 *
 * Usage: kcore CSR_FILE TRIALS OUT
 *   prints "trial T seconds S max_core K" per trial; writes int32 core[n] of the last to OUT.
 */
#include <omp.h>

#include "driver.h"

/* Core numbers into core[n] (used as the current degrees while peeling). */
static bl_status cores(const csr_graph *g, int32_t *core)
{
    const int64_t n = g->n;
    int64_t max_degree = 0;
    for (int64_t v = 0; v < n; v++) {
        int64_t d = csr_degree(g, v);
        if (d > INT32_MAX - 1)
            return BL_OVERFLOW;
        core[v] = (int32_t)d;
        if (d > max_degree)
            max_degree = d;
    }
    int64_t *bin = bl_alloc((size_t)max_degree + 1, sizeof *bin);
    node_t *vert = bl_alloc((size_t)n, sizeof *vert);
    int64_t *pos = bl_alloc((size_t)n, sizeof *pos);
    if (bin == NULL || vert == NULL || pos == NULL) {
        free(bin);
        free(vert);
        free(pos);
        return BL_NOMEM;
    }
    /* Bucket sort by degree (the paper's lines 1-16): bin[d] = first place of degree d. */
    memset(bin, 0, ((size_t)max_degree + 1) * sizeof *bin);
    for (int64_t v = 0; v < n; v++)
        bin[core[v]]++;
    for (int64_t d = 0, start = 0; d <= max_degree; d++) {
        int64_t count = bin[d];
        bin[d] = start;
        start += count;
    }
    for (int64_t v = 0; v < n; v++) {
        pos[v] = bin[core[v]]++;
        vert[pos[v]] = (node_t)v;
    }
    for (int64_t d = max_degree; d > 0; d--)
        bin[d] = bin[d - 1];
    bin[0] = 0;

    /* Peeling in degree order (lines 17-29): v's degree is final; larger neighbors move down
     * one bucket by swapping with their bucket's first node. */
    for (int64_t i = 0; i < n; i++) {
        node_t v = vert[i];
        for (int64_t e = g->offsets[v]; e < g->offsets[v + 1]; e++) {
            node_t u = g->neighbors[e];
            if (core[u] > core[v]) {
                int32_t du = core[u];
                int64_t pu = pos[u], pw = bin[du];
                node_t w = vert[pw];
                if (u != w) {
                    pos[u] = pw;
                    vert[pu] = w;
                    pos[w] = pu;
                    vert[pw] = u;
                }
                bin[du]++;
                core[u]--;
            }
        }
    }
    free(bin);
    free(vert);
    free(pos);
    return BL_OK;
}

int main(int argc, char **argv)
{
    csr_graph g;
    long long trials;
    int rc = bl_start(argc, argv, 3, "CSR_FILE TRIALS OUT", 0, &g, &trials);
    if (rc != 0)
        return rc;
    bl_status st = BL_OK;
    int32_t *core = bl_alloc((size_t)g.n, sizeof *core);
    if (core == NULL) {
        fprintf(stderr, "%s\n", bl_message(BL_NOMEM));
        csr_free(&g);
        return 1;
    }
    printf("threads 1 n %lld arcs %lld\n", (long long)g.n, (long long)g.arcs);
    for (long long t = 0; t < trials && st == BL_OK; t++) {
        double start = omp_get_wtime();
        st = cores(&g, core);
        double seconds = omp_get_wtime() - start;
        int32_t max_core = 0;
        for (int64_t v = 0; v < g.n; v++)
            max_core = core[v] > max_core ? core[v] : max_core;
        if (st == BL_OK)
            printf("trial %lld seconds %.9f max_core %d\n", t, seconds, max_core);
        fflush(stdout);
    }
    if (st == BL_OK)
        st = write_array(argv[3], core, sizeof *core, (size_t)g.n);
    if (st != BL_OK)
        fprintf(stderr, "%s\n", bl_message(st));
    free(core);
    csr_free(&g);
    return st == BL_OK ? 0 : 1;
}
