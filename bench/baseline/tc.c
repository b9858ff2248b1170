/*
 * tc.c — ordered triangle counting, the baseline for algorithms/triangle_count.gdsl.
 *
 * The GAP Benchmark Suite's tc (Beamer, Asanovic, Patterson, "The GAP Benchmark Suite",
 * arXiv:1508.03619, 2015; its kernel follows Schank and Wagner, "Finding, Counting and Listing
 * all Triangles in Large Graphs", 2005), written from its description: count each triangle
 * once as w < v < u, walking u's sorted neighbors v while v < u and, for each, v's sorted
 * neighbors w while w < v, merging against u's list.  When the degrees are skewed (GAP's
 * WorthRelabelling: average degree at least 10 and above 1.3 times the median of 1000
 * sampled degrees) the graph is first relabeled by descending degree, so the walks stay among
 * the few higher-degree neighbors; the relabeling is part of the timed kernel, as in GAP.
 * Parallel over u with a dynamic schedule of 64 nodes and a sum reduction.
 * For simple undirected graphs (the bench's: no self-loops, no duplicate edges, both arcs of
 * every edge present).  Neighbor lists are sorted once after loading (GAP's builder does it
 * while building), outside the timing.
 *
 * Usage: tc CSR_FILE TRIALS OUT
 *   prints "trial T seconds S triangles K" per trial; writes int64 K of the last to OUT.
 */
#include <omp.h>

#include "driver.h"

static int cmp_node(const void *a, const void *b)
{
    node_t x = *(const node_t *)a, y = *(const node_t *)b;
    return (x > y) - (x < y);
}

/* Sorts one neighbor list: insertion sort when short (most lists of a Kronecker graph are),
 * else the C library's sort; GAP uses std::sort. */
static void sort_list(node_t *a, int64_t n)
{
    if (n > 32) {
        qsort(a, (size_t)n, sizeof *a, cmp_node);
        return;
    }
    for (int64_t i = 1; i < n; i++) {
        node_t x = a[i];
        int64_t j = i;
        for (; j > 0 && a[j - 1] > x; j--)
            a[j] = a[j - 1];
        a[j] = x;
    }
}

static void sort_lists(csr_graph *g)
{
#pragma omp parallel for schedule(dynamic, 1024)
    for (int64_t v = 0; v < g->n; v++)
        sort_list(g->neighbors + g->offsets[v], csr_degree(g, v));
}

static int worth_relabelling(const csr_graph *g)
{
    if (g->n == 0 || g->arcs / g->n < 10)
        return 0;
    int64_t samples[1000], ns = g->n < 1000 ? g->n : 1000, total = 0;
    for (int64_t i = 0; i < ns; i++) {
        samples[i] = csr_degree(g, i * (g->n / ns));
        total += samples[i];
    }
    for (int64_t i = 1; i < ns; i++)   /* insertion sort: 1000 values */
        for (int64_t j = i; j > 0 && samples[j - 1] > samples[j]; j--) {
            int64_t t = samples[j];
            samples[j] = samples[j - 1];
            samples[j - 1] = t;
        }
    return (double)total / (double)ns / 1.3 > (double)samples[ns / 2];
}

/* g relabeled by descending degree (ties by id, a counting sort) into *out, lists sorted. */
static bl_status relabel(const csr_graph *g, csr_graph *out)
{
    const int64_t n = g->n;
    node_t *order = bl_alloc((size_t)n, sizeof *order), *rank = bl_alloc((size_t)n, sizeof *rank);
    memset(out, 0, sizeof *out);
    out->n = n;
    out->arcs = g->arcs;
    out->offsets = bl_alloc((size_t)n + 1, sizeof *out->offsets);
    out->neighbors = bl_alloc((size_t)g->arcs, sizeof *out->neighbors);
    if (order == NULL || rank == NULL || out->offsets == NULL || out->neighbors == NULL) {
        free(order);
        free(rank);
        csr_free(out);
        return BL_NOMEM;
    }
    int64_t max_degree = 0;
    for (int64_t v = 0; v < n; v++)
        max_degree = csr_degree(g, v) > max_degree ? csr_degree(g, v) : max_degree;
    int64_t *start = calloc((size_t)max_degree + 2, sizeof *start);
    if (start == NULL) {
        free(order);
        free(rank);
        csr_free(out);
        return BL_NOMEM;
    }
    for (int64_t v = 0; v < n; v++)          /* bucket max_degree - d: descending degree */
        start[max_degree - csr_degree(g, v) + 1]++;
    for (int64_t d = 0; d <= max_degree; d++)
        start[d + 1] += start[d];
    for (int64_t v = 0; v < n; v++)
        order[start[max_degree - csr_degree(g, v)]++] = (node_t)v;
    free(start);
    out->offsets[0] = 0;
    for (int64_t i = 0; i < n; i++) {
        rank[order[i]] = (node_t)i;
        out->offsets[i + 1] = out->offsets[i] + csr_degree(g, order[i]);
    }
#pragma omp parallel for schedule(dynamic, 1024)
    for (int64_t i = 0; i < n; i++) {
        node_t v = order[i];
        node_t *dst = out->neighbors + out->offsets[i];
        for (int64_t e = g->offsets[v]; e < g->offsets[v + 1]; e++)
            *dst++ = rank[g->neighbors[e]];
        sort_list(out->neighbors + out->offsets[i], csr_degree(out, i));
    }
    free(order);
    free(rank);
    return BL_OK;
}

static int64_t ordered_count(const csr_graph *g)
{
    int64_t total = 0;
#pragma omp parallel for reduction(+ : total) schedule(dynamic, 64)
    for (int64_t u = 0; u < g->n; u++) {
        const node_t *nu = g->neighbors + g->offsets[u], *end_u = g->neighbors + g->offsets[u + 1];
        for (const node_t *pv = nu; pv < end_u && *pv < u; pv++) {
            const node_t v = *pv;
            const node_t *it = nu;
            for (int64_t e = g->offsets[v]; e < g->offsets[v + 1]; e++) {
                const node_t w = g->neighbors[e];
                if (w > v)
                    break;
                while (*it < w)
                    it++;
                if (*it == w)
                    total++;
            }
        }
    }
    return total;
}

static bl_status count(const csr_graph *g, int64_t *total)
{
    if (!worth_relabelling(g)) {
        *total = ordered_count(g);
        return BL_OK;
    }
    csr_graph r;
    bl_status st = relabel(g, &r);
    if (st != BL_OK)
        return st;
    *total = ordered_count(&r);
    csr_free(&r);
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
    int64_t total = 0;
    sort_lists(&g);
    printf("threads %d n %lld arcs %lld\n", omp_get_max_threads(), (long long)g.n,
           (long long)g.arcs);
    for (long long t = 0; t < trials && st == BL_OK; t++) {
        double start = omp_get_wtime();
        st = count(&g, &total);
        double seconds = omp_get_wtime() - start;
        if (st == BL_OK)
            printf("trial %lld seconds %.9f triangles %lld\n", t, seconds, (long long)total);
        fflush(stdout);
    }
    if (st == BL_OK)
        st = write_array(argv[3], &total, sizeof total, 1);
    if (st != BL_OK)
        fprintf(stderr, "%s\n", bl_message(st));
    csr_free(&g);
    return st == BL_OK ? 0 : 1;
}
