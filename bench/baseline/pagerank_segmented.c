/*
 * pagerank_segmented.c — issue 14, item 2's experiment: does cutting the in-edges into
 * source-range segments (CSR segmenting, Zhang et al., "Making caches work for graph
 * analytics", 2017) speed up the GAP-style pull loop of pagerank.c on top of the degree
 * layout?  The same loop as pagerank.c, plus a segmented variant: segment k holds, for each
 * node, its in-neighbors in [k*SEG, (k+1)*SEG), so one segment's contributions (SEG * 8
 * bytes) stay in cache while it is swept; each node's partial sums accumulate segment by
 * segment, in segment order (the same bits for any thread count, but not the unsegmented
 * loop's: the sum is split).  The segments are built once, serially, outside the timing.
 *
 * Usage: SEGS=0,131072,262144 pagerank_segmented CSR_FILE ITERATIONS TRIALS [SCORES_OUT] [DAMPING]
 *   CSR_FILE as pagerank.c's (bench/layout.py csr_file); SEGS: segment sizes in nodes, 0 for
 *   the unsegmented loop; each trial runs every size in turn and prints
 *   "seg S trial T seconds X iterations K error E".
 * Build: cc -O3 -march=native -fopenmp -o pagerank_segmented pagerank_segmented.c -lm
 * Measured: bench/results/layout.md, "Segmented pull loops".
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

/* Segmented (CSR segmenting, Zhang et al. 2017): the in-edges cut by source range into
 * segments of SEG nodes, so each segment's contributions stay in cache; per-node partials
 * accumulate segment by segment (a fixed order for any thread count). */
typedef struct { int64_t seg, nseg; int64_t **off; node_t **nbr; } segments;

static int segment(const csr_graph *g, int64_t seg, segments *s)
{
    const int64_t n = g->n;
    s->seg = seg;
    s->nseg = (n + seg - 1) / seg;
    s->off = calloc((size_t)s->nseg, sizeof *s->off);
    s->nbr = calloc((size_t)s->nseg, sizeof *s->nbr);
    for (int64_t k = 0; k < s->nseg; k++) {
        s->off[k] = calloc((size_t)n + 1, sizeof **s->off);
        if (s->off[k] == NULL)
            return 0;
    }
    for (int64_t v = 0; v < n; v++)
        for (int64_t e = g->offsets[v]; e < g->offsets[v + 1]; e++)
            s->off[g->neighbors[e] / seg][v + 1]++;
    for (int64_t k = 0; k < s->nseg; k++) {
        for (int64_t v = 0; v < n; v++)
            s->off[k][v + 1] += s->off[k][v];
        s->nbr[k] = malloc(((size_t)s->off[k][n] + 1) * sizeof **s->nbr);
        if (s->nbr[k] == NULL)
            return 0;
    }
    int64_t *fill = calloc((size_t)s->nseg, sizeof *fill);
    for (int64_t v = 0; v < n; v++) {
        for (int64_t e = g->offsets[v]; e < g->offsets[v + 1]; e++) {
            int64_t k = g->neighbors[e] / seg;
            s->nbr[k][s->off[k][v] + (fill[k]++)] = g->neighbors[e];
        }
        for (int64_t k = 0; k < s->nseg; k++)
            fill[k] = 0;
    }
    free(fill);
    return 1;
}

static double pagerank_segmented(const csr_graph *g, const segments *s, int iterations, double damping,
                                 double *scores, double *contrib, double *acc)
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
            acc[v] = 0.0;
        }
        const double base = teleport + damping * dangling / (double)n;
        for (int64_t k = 0; k < s->nseg; k++) {
            const int64_t *off = s->off[k];
            const node_t *nbr = s->nbr[k];
#pragma omp parallel for schedule(dynamic, 16384)
            for (int64_t u = 0; u < n; u++) {
                double incoming = 0.0;
                for (int64_t e = off[u]; e < off[u + 1]; e++)
                    incoming += contrib[nbr[e]];
                acc[u] += incoming;
            }
        }
        error = 0.0;
#pragma omp parallel for reduction(+ : error) schedule(static)
        for (int64_t u = 0; u < n; u++) {
            double old = scores[u];
            scores[u] = base + damping * acc[u];
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
    double *acc = malloc(((size_t)g.n + 1) * sizeof *acc);
    const char *env = getenv("SEGS");   /* segment sizes in nodes, comma-separated; 0 = unsegmented */
    int64_t sizes[16];
    int nsizes = 0;
    for (const char *p = env ? env : "0"; *p && nsizes < 16;) {
        sizes[nsizes++] = strtoll(p, (char **)&p, 10);
        if (*p == ',')
            p++;
    }
    segments segs[16];
    for (int i = 0; i < nsizes; i++)
        if (sizes[i] > 0 && !segment(&g, sizes[i], &segs[i]))
            return 1;
    for (int t = 0; t < trials; t++) {
        for (int i = 0; i < nsizes; i++) {
            double start = omp_get_wtime();
            double error = sizes[i] == 0 ? pagerank(&g, iterations, damping, scores, contrib)
                                         : pagerank_segmented(&g, &segs[i], iterations, damping, scores, contrib, acc);
            double seconds = omp_get_wtime() - start;
            printf("seg %lld trial %d seconds %.9f iterations %d error %.17g\n", (long long)sizes[i], t,
                   seconds, iterations, error);
            fflush(stdout);
        }
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
