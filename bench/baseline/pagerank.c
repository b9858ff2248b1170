/*
 * pagerank.c — the hand-written baseline graphbuild's PageRank is measured against.
 *
 * A CSR pull PageRank the way the GAP Benchmark Suite's pr.cc does it (Beamer, Asanović,
 * Patterson, arXiv:1508.03619): one parallel sweep precomputes each node's outgoing
 * contribution score/out_degree, then one parallel pass over the in-edges sums the
 * contributions, writes the new score and accumulates the L1 change, with OpenMP dynamic
 * scheduling in large chunks so skewed degrees do not leave a thread idle.
 *
 * One addition to GAP, so the result is the same vector graphbuild's pagerank.gdsl computes:
 * the rank of dangling nodes (no out-edges) is gathered in the contribution sweep and spread
 * over all nodes (networkx's rule); GAP drops it. It costs one more reduction in a sweep that
 * already runs, no extra pass.
 *
 * Usage: pagerank CSR_FILE ITERATIONS TRIALS [SCORES_OUT] [DAMPING]
 *   CSR_FILE: int64 n, int64 arcs, int64 offsets[n+1], int32 neighbors[arcs] (the in-edges;
 *             the bench's graphs are symmetric, so in- and out-degree agree).
 *   Runs TRIALS times ITERATIONS iterations from the uniform vector; prints one line per
 *   trial, "trial T seconds S iterations K error E", and writes the last trial's scores
 *   (float64[n]) to SCORES_OUT.
 * Compile with -DINDEX64 to hold the neighbors as int64 in memory (graphbuild's layout)
 * instead of GAP's int32.
 */
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#ifdef INDEX64
typedef int64_t node_t;
#else
typedef int32_t node_t;
#endif

typedef struct {
    int64_t n, arcs;
    int64_t *offsets;
    node_t *neighbors;
} csr_graph;

static int read_exact(FILE *f, void *buf, size_t size, size_t count)
{
    return fread(buf, size, count, f) == count;
}

static int load(const char *path, csr_graph *g)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return 0;
    int ok = read_exact(f, &g->n, sizeof g->n, 1) && read_exact(f, &g->arcs, sizeof g->arcs, 1);
    if (ok) {
        g->offsets = malloc(((size_t)g->n + 1) * sizeof *g->offsets);
        g->neighbors = malloc(((size_t)g->arcs + 1) * sizeof *g->neighbors);
        ok = g->offsets != NULL && g->neighbors != NULL &&
             read_exact(f, g->offsets, sizeof *g->offsets, (size_t)g->n + 1);
    }
    if (ok) {
        /* The file holds int32 neighbors; read in blocks and widen when INDEX64. */
        int32_t *block = malloc(sizeof *block * (1 << 20));
        ok = block != NULL;
        for (int64_t done = 0; ok && done < g->arcs;) {
            int64_t count = g->arcs - done < (1 << 20) ? g->arcs - done : (1 << 20);
            ok = read_exact(f, block, sizeof *block, (size_t)count);
            for (int64_t i = 0; ok && i < count; i++)
                g->neighbors[done + i] = (node_t)block[i];
            done += count;
        }
        free(block);
    }
    fclose(f);
    return ok;
}

/* One run of `iterations` iterations; returns the L1 change of the last one. */
static double pagerank(const csr_graph *g, int iterations, double damping, double *scores,
                       double *contrib)
{
    const int64_t n = g->n;
    const double teleport = (1.0 - damping) / (double)n;
    double error = 0.0;

#pragma omp parallel for schedule(static)
    for (int64_t v = 0; v < n; v++)
        scores[v] = 1.0 / (double)n;

    for (int it = 0; it < iterations; it++) {
        double dangling = 0.0;
#pragma omp parallel for reduction(+ : dangling) schedule(static)
        for (int64_t v = 0; v < n; v++) {
            int64_t degree = g->offsets[v + 1] - g->offsets[v];
            if (degree > 0) {
                contrib[v] = scores[v] / (double)degree;
            } else {
                contrib[v] = 0.0;
                dangling += scores[v];
            }
        }
        const double base = teleport + damping * dangling / (double)n;
        error = 0.0;
#pragma omp parallel for reduction(+ : error) schedule(dynamic, 16384)
        for (int64_t u = 0; u < n; u++) {
            double incoming = 0.0;
            for (int64_t e = g->offsets[u]; e < g->offsets[u + 1]; e++)
                incoming += contrib[g->neighbors[e]];
            double old = scores[u];
            scores[u] = base + damping * incoming;
            error += fabs(scores[u] - old);
        }
    }
    return error;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s CSR_FILE ITERATIONS TRIALS [SCORES_OUT] [DAMPING]\n", argv[0]);
        return 2;
    }
    csr_graph g = {0};
    if (!load(argv[1], &g)) {
        fprintf(stderr, "cannot read CSR file %s\n", argv[1]);
        return 1;
    }
    int iterations = atoi(argv[2]);
    int trials = atoi(argv[3]);
    double damping = argc > 5 ? atof(argv[5]) : 0.85;
    double *scores = malloc(((size_t)g.n + 1) * sizeof *scores);
    double *contrib = malloc(((size_t)g.n + 1) * sizeof *contrib);
    if (scores == NULL || contrib == NULL) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    printf("threads %d n %lld arcs %lld index_bits %d\n", omp_get_max_threads(), (long long)g.n,
           (long long)g.arcs, (int)(8 * sizeof(node_t)));
    for (int t = 0; t < trials; t++) {
        double start = omp_get_wtime();
        double error = pagerank(&g, iterations, damping, scores, contrib);
        double seconds = omp_get_wtime() - start;
        printf("trial %d seconds %.9f iterations %d error %.17g\n", t, seconds, iterations, error);
        fflush(stdout);
    }
    if (argc > 4) {
        FILE *out = fopen(argv[4], "wb");
        if (out == NULL || fwrite(scores, sizeof *scores, (size_t)g.n, out) != (size_t)g.n) {
            fprintf(stderr, "cannot write %s\n", argv[4]);
            return 1;
        }
        fclose(out);
    }
    free(scores);
    free(contrib);
    free(g.offsets);
    free(g.neighbors);
    return 0;
}
