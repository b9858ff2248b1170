/*
 * pagerank_layout.c — issue 14: how fast can a hand-written pull PageRank get on this machine,
 * against pagerank.c's GAP-style loop on the input graph?  One process, one graph, the variants
 * taking turns (the order rotates each round), so a change in the machine's load meets them all.
 *
 * Variants (the layouts and segment lists are built once, outside the timing):
 *   orig        pagerank.c's loop on the input CSR: int64 offsets, int32 neighbors, double,
 *               schedule(dynamic, 16384).  The reference: every other variant's ratio is to it.
 *   deg         the same loop on the degree-relabeled CSR (descending degree, ties by index,
 *               each node's arcs in input order: graphbuild's `--layout degree`).
 *   orig_t      the tuned loop (below) on the input CSR: what the kernel gains without a layout.
 *   deg_t       the tuned loop on the degree layout.
 *   deg_fine    deg with schedule(dynamic, 256): the degree layout's first chunk of 16384 nodes
 *               holds about half the arcs; are small chunks (not the rest of the tuned loop)
 *               what balances it?  (_fine applies to orig, deg, deg_sort.)
 *   deg_sort_t  deg_t with each node's in-neighbors sorted by source position (deg_sort: the
 *               plain loop on that CSR; orig_sort_t: the tuned loop on the input CSR sorted).
 *   deg_segS    deg_sort_t cut into source ranges of S nodes (CSR segmenting, Zhang et al. 2017):
 *               segment k keeps, for each node with in-neighbors in [kS, (k+1)S), those arcs;
 *               the segments run in order, each node's running sum carried from one to the
 *               next in acc[] (so the bits are deg_sort_t's: the same additions in the same
 *               order), then one pass over the nodes finishes the scores.
 *   *_a4        the variant with four accumulators per node (arcs e, e+1, e+2, e+3 go to
 *               s0..s3, summed (s0 + s1) + (s2 + s3) at the end): a fixed order, the same bits
 *               for any thread count, but not the one-accumulator loop's bits.
 *   *_f32       contributions stored as float (sums still in double).
 * The tuned loop: int32 offsets, the next iteration's contributions written in the same pass
 * as the scores (two buffers; no separate contribution sweep), work cut into chunks of equal
 * arc counts (the degree layout puts half the arcs in the first 1% of the nodes, which a
 * fixed node count per chunk hands to one thread), the L1 change and the dangling mass summed
 * per chunk and added in chunk order.
 *
 * Usage: pagerank_layout CSR_FILE ITERATIONS ROUNDS VARIANT...
 *   CSR_FILE as pagerank.c's (symmetric: in- and out-degree agree).  Prints one line per run,
 *   "run VARIANT round R seconds S", and per variant at the end "check VARIANT l1 L maxrel M"
 *   (its last scores, in input order, against orig's: the L1 difference and the largest
 *   |difference| / max(1, |value|)).
 * Build: cc -O3 -march=native -fopenmp -o pagerank_layout pagerank_layout.c -lm
 * Driven by bench/layout_best.py; results in bench/results/layout_best.md.
 */
#include <math.h>
#include <omp.h>
#include <string.h>

#include "driver.h"

#define DAMPING 0.85

/* ---- pagerank.c's loop, verbatim but for the types and the chunk (16384 there) ---- */
static double pr_plain(const csr_graph *g, int iterations, int chunk, double *scores, double *contrib)
{
    const int64_t n = g->n;
    const double teleport = (1.0 - DAMPING) / (double)n;
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
        const double base = teleport + DAMPING * dangling / (double)n;
        error = 0.0;
#pragma omp parallel for reduction(+ : error) schedule(dynamic, chunk)
        for (int64_t u = 0; u < n; u++) {
            double incoming = 0.0;
            for (int64_t e = g->offsets[u]; e < g->offsets[u + 1]; e++)
                incoming += contrib[g->neighbors[e]];
            double old = scores[u];
            scores[u] = base + DAMPING * incoming;
            error += fabs(scores[u] - old);
        }
    }
    return error;
}

/* ---- the tuned loop's graph: 32-bit offsets, optional segments, arc-balanced chunks ---- */
typedef struct {
    int64_t n;
    int32_t *off;         /* n + 1: the whole graph's offsets (degrees, unsegmented sweep) */
    int32_t *nbr;
    int64_t nseg;         /* 0: unsegmented */
    int64_t *seg_rows;    /* nseg + 1: segment k's rows are [seg_rows[k], seg_rows[k+1]) */
    int32_t *row_dst;     /* the node each row belongs to */
    int32_t *row_off;     /* rows + 1: a row's arcs in seg_nbr */
    int32_t *seg_nbr;
    int64_t *seg_chunks;  /* nseg + 1: segment k's chunks are [seg_chunks[k], seg_chunks[k+1]) */
    int64_t *chunk;       /* chunk c covers rows [chunk[c], chunk[c+1]) of its segment */
    int64_t nnode_chunks;
    int64_t *node_chunk;  /* arc-balanced node ranges for the unsegmented sweep / the finish */
} tgraph;

/* Cuts [lo, hi) of a monotone offset array into ranges of about `target` arcs, appending the
 * boundaries (the first one, lo, included) to out; returns the new count. */
static int64_t cut(const int32_t *offsets, int64_t lo, int64_t hi, int64_t target, int64_t *out,
                   int64_t count)
{
    out[count++] = lo;
    int64_t start = lo;
    for (int64_t r = lo; r < hi; r++)
        if (offsets[r + 1] - offsets[start] >= target && r + 1 < hi) {
            out[count++] = r + 1;
            start = r + 1;
        }
    return count;
}

#define CHUNKS_PER_THREAD 32

/* The tuned graph from a CSR (int64 offsets), unsegmented (seg = 0) or in segments of seg
 * source nodes (the neighbor lists must be sorted then).  0 when memory runs out. */
static int tbuild(const csr_graph *g, int64_t seg, int threads, tgraph *t)
{
    memset(t, 0, sizeof *t);
    const int64_t n = g->n, arcs = g->arcs;
    t->n = n;
    t->off = bl_alloc((size_t)n + 1, sizeof *t->off);
    t->nbr = bl_alloc((size_t)arcs, sizeof *t->nbr);
    t->node_chunk = bl_alloc((size_t)n + 2, sizeof *t->node_chunk);
    if (t->off == NULL || t->nbr == NULL || t->node_chunk == NULL || arcs >= INT32_MAX)
        return 0;
    for (int64_t v = 0; v <= n; v++)
        t->off[v] = (int32_t)g->offsets[v];
    memcpy(t->nbr, g->neighbors, (size_t)arcs * sizeof *t->nbr);
    int64_t target = arcs / (threads * CHUNKS_PER_THREAD) + 1;
    t->nnode_chunks = cut(t->off, 0, n, target, t->node_chunk, 0);
    t->node_chunk[t->nnode_chunks] = n;
    if (seg == 0)
        return 1;
    t->nseg = (n + seg - 1) / seg;
    int64_t rows = 0;
    for (int64_t v = 0; v < n; v++) {   /* rows: (segment, node) pairs with arcs */
        int64_t last = -1;
        for (int64_t e = g->offsets[v]; e < g->offsets[v + 1]; e++)
            if (g->neighbors[e] / seg != last) {
                last = g->neighbors[e] / seg;
                rows++;
            }
    }
    int64_t *count = calloc((size_t)t->nseg + 1, sizeof *count);
    t->seg_rows = bl_alloc((size_t)t->nseg + 1, sizeof *t->seg_rows);
    t->row_dst = bl_alloc((size_t)rows, sizeof *t->row_dst);
    t->row_off = bl_alloc((size_t)rows + 1, sizeof *t->row_off);
    t->seg_nbr = bl_alloc((size_t)arcs, sizeof *t->seg_nbr);
    t->seg_chunks = bl_alloc((size_t)t->nseg + 1, sizeof *t->seg_chunks);
    t->chunk = bl_alloc((size_t)rows + (size_t)t->nseg + 1, sizeof *t->chunk);
    if (count == NULL || t->seg_rows == NULL || t->row_dst == NULL || t->row_off == NULL ||
        t->seg_nbr == NULL || t->seg_chunks == NULL || t->chunk == NULL)
        return 0;
    for (int64_t v = 0; v < n; v++) {
        int64_t last = -1;
        for (int64_t e = g->offsets[v]; e < g->offsets[v + 1]; e++)
            if (g->neighbors[e] / seg != last) {
                last = g->neighbors[e] / seg;
                count[last + 1]++;
            }
    }
    t->seg_rows[0] = 0;
    for (int64_t k = 0; k < t->nseg; k++)
        t->seg_rows[k + 1] = t->seg_rows[k] + count[k + 1];
    /* Fill segment by segment: a node's arcs in segment k are contiguous (sorted lists). */
    int64_t *pos = calloc((size_t)n, sizeof *pos);   /* next unread arc of each node */
    if (pos == NULL)
        return 0;
    for (int64_t v = 0; v < n; v++)
        pos[v] = g->offsets[v];
    int64_t r = 0, a = 0;
    for (int64_t k = 0; k < t->nseg; k++) {
        for (int64_t v = 0; v < n; v++) {
            int64_t e = pos[v];
            if (e == g->offsets[v + 1] || g->neighbors[e] / seg != k)
                continue;
            t->row_dst[r] = (int32_t)v;
            t->row_off[r] = (int32_t)a;
            for (; e < g->offsets[v + 1] && g->neighbors[e] / seg == k; e++)
                t->seg_nbr[a++] = g->neighbors[e];
            pos[v] = e;
            r++;
        }
    }
    t->row_off[r] = (int32_t)a;
    int64_t c = 0;
    for (int64_t k = 0; k < t->nseg; k++) {
        t->seg_chunks[k] = c;
        c = cut(t->row_off, t->seg_rows[k], t->seg_rows[k + 1], target, t->chunk, c);
    }
    t->seg_chunks[t->nseg] = c;
    t->chunk[c] = rows;
    free(pos);
    free(count);
    return 1;
}

/* The sum of c[nbr[lo..hi)]: one accumulator, or four (arc i to s[i % 4]). */
#define ROWSUM(VAL, NAME, ACC4)                                                             \
    static inline double NAME(const VAL *c, const int32_t *nbr, int64_t lo, int64_t hi)    \
    {                                                                                       \
        if (!ACC4) {                                                                        \
            double s = 0.0;                                                                 \
            for (int64_t e = lo; e < hi; e++)                                               \
                s += c[nbr[e]];                                                             \
            return s;                                                                       \
        }                                                                                   \
        double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;                                      \
        int64_t e = lo;                                                                     \
        for (; e + 4 <= hi; e += 4) {                                                       \
            s0 += c[nbr[e]];                                                                \
            s1 += c[nbr[e + 1]];                                                            \
            s2 += c[nbr[e + 2]];                                                            \
            s3 += c[nbr[e + 3]];                                                            \
        }                                                                                   \
        if (e < hi) s0 += c[nbr[e++]];                                                      \
        if (e < hi) s1 += c[nbr[e++]];                                                      \
        if (e < hi) s2 += c[nbr[e++]];                                                      \
        return (s0 + s1) + (s2 + s3);                                                       \
    }

ROWSUM(double, rowsum_d1, 0)
ROWSUM(double, rowsum_d4, 1)
ROWSUM(float, rowsum_f1, 0)
ROWSUM(float, rowsum_f4, 1)

/* The tuned loop for one contribution type and accumulator count.  acc (segmented only)
 * carries each node's running sum across segments; part[2 * c] / part[2 * c + 1] hold
 * chunk c's L1 change and dangling mass. */
#define TUNED(VAL, NAME, ROWSUM_ONE, ROWSUM_FOUR)                                           \
    static double NAME(const tgraph *t, int iterations, int acc4, double *scores, VAL *cb0, \
                       VAL *cb1, double *acc, double *part)                                  \
    {                                                                                       \
        const int64_t n = t->n;                                                             \
        const double teleport = (1.0 - DAMPING) / (double)n;                                \
        VAL *cur = cb0, *next = cb1;                                                        \
        double dangling = 0.0;                                                              \
        for (int64_t v = 0; v < n; v++) {                                                   \
            scores[v] = 1.0 / (double)n;                                                    \
            int32_t d = t->off[v + 1] - t->off[v];                                          \
            cur[v] = d > 0 ? (VAL)(scores[v] / (double)d) : (VAL)0;                         \
            if (d == 0)                                                                     \
                dangling += scores[v];                                                      \
            if (acc)                                                                        \
                acc[v] = 0.0;                                                               \
        }                                                                                   \
        double error = 0.0;                                                                 \
        for (int it = 0; it < iterations; it++) {                                           \
            const double base = teleport + DAMPING * dangling / (double)n;                  \
            const int64_t nc = t->nnode_chunks;                                             \
            _Pragma("omp parallel")                                                         \
            {                                                                               \
                for (int64_t k = 0; k < t->nseg; k++) {                                     \
                    _Pragma("omp for schedule(dynamic, 1)")                                 \
                    for (int64_t c = t->seg_chunks[k]; c < t->seg_chunks[k + 1]; c++)       \
                        for (int64_t r = t->chunk[c]; r < t->chunk[c + 1]; r++) {           \
                            double s = acc[t->row_dst[r]];                                  \
                            if (acc4)                                                       \
                                s += ROWSUM_FOUR(cur, t->seg_nbr, t->row_off[r], t->row_off[r + 1]); \
                            else                                                            \
                                for (int64_t e = t->row_off[r]; e < t->row_off[r + 1]; e++) \
                                    s += cur[t->seg_nbr[e]];                                \
                            acc[t->row_dst[r]] = s;                                         \
                        }                                                                   \
                }                                                                           \
                _Pragma("omp for schedule(dynamic, 1)")                                     \
                for (int64_t c = 0; c < nc; c++) {                                          \
                    double err = 0.0, dang = 0.0;                                           \
                    for (int64_t u = t->node_chunk[c]; u < t->node_chunk[c + 1]; u++) {     \
                        double incoming;                                                    \
                        if (t->nseg) {                                                      \
                            incoming = acc[u];                                              \
                            acc[u] = 0.0;                                                   \
                        } else {                                                            \
                            incoming = acc4 ? ROWSUM_FOUR(cur, t->nbr, t->off[u], t->off[u + 1]) \
                                            : ROWSUM_ONE(cur, t->nbr, t->off[u], t->off[u + 1]); \
                        }                                                                   \
                        double now = fma(DAMPING, incoming, base);                          \
                        err += fabs(now - scores[u]);                                       \
                        scores[u] = now;                                                    \
                        int32_t d = t->off[u + 1] - t->off[u];                              \
                        next[u] = d > 0 ? (VAL)(now / (double)d) : (VAL)0;                  \
                        if (d == 0)                                                         \
                            dang += now;                                                    \
                    }                                                                       \
                    part[2 * c] = err;                                                      \
                    part[2 * c + 1] = dang;                                                 \
                }                                                                           \
            }                                                                               \
            error = 0.0;                                                                    \
            dangling = 0.0;                                                                 \
            for (int64_t c = 0; c < nc; c++) {                                              \
                error += part[2 * c];                                                       \
                dangling += part[2 * c + 1];                                                \
            }                                                                               \
            VAL *swap = cur;                                                                \
            cur = next;                                                                     \
            next = swap;                                                                    \
        }                                                                                   \
        return error;                                                                       \
    }

TUNED(double, pr_tuned_d, rowsum_d1, rowsum_d4)
TUNED(float, pr_tuned_f, rowsum_f1, rowsum_f4)

/* ---- layouts ---- */

/* The degree layout: order[i] = the input node at position i (descending degree, ties by
 * index); *out gets the relabeled CSR with each node's arcs in input order. */
static int relabel(const csr_graph *g, int32_t *order, csr_graph *out)
{
    const int64_t n = g->n;
    int64_t maxd = 0;
    for (int64_t v = 0; v < n; v++)
        maxd = csr_degree(g, v) > maxd ? csr_degree(g, v) : maxd;
    int64_t *start = calloc((size_t)maxd + 2, sizeof *start);
    int32_t *inv = bl_alloc((size_t)n, sizeof *inv);
    out->n = n;
    out->arcs = g->arcs;
    out->offsets = bl_alloc((size_t)n + 1, sizeof *out->offsets);
    out->neighbors = bl_alloc((size_t)g->arcs, sizeof *out->neighbors);
    out->weights = NULL;
    if (start == NULL || inv == NULL || out->offsets == NULL || out->neighbors == NULL)
        return 0;
    for (int64_t v = 0; v < n; v++)          /* counting sort, descending degree */
        start[maxd - csr_degree(g, v) + 1]++;
    for (int64_t d = 0; d <= maxd; d++)
        start[d + 1] += start[d];
    for (int64_t v = 0; v < n; v++)
        order[start[maxd - csr_degree(g, v)]++] = (int32_t)v;
    for (int64_t i = 0; i < n; i++)
        inv[order[i]] = (int32_t)i;
    out->offsets[0] = 0;
    for (int64_t i = 0; i < n; i++)
        out->offsets[i + 1] = out->offsets[i] + csr_degree(g, order[i]);
#pragma omp parallel for schedule(dynamic, 1024)
    for (int64_t i = 0; i < n; i++) {
        int64_t e = g->offsets[order[i]];
        for (int64_t a = out->offsets[i]; a < out->offsets[i + 1]; a++)
            out->neighbors[a] = inv[g->neighbors[e++]];
    }
    free(start);
    free(inv);
    return 1;
}

static int cmp_node(const void *a, const void *b)
{
    node_t x = *(const node_t *)a, y = *(const node_t *)b;
    return (x > y) - (x < y);
}

static int copy_sorted(const csr_graph *g, csr_graph *out)
{
    *out = *g;
    out->offsets = bl_alloc((size_t)g->n + 1, sizeof *out->offsets);
    out->neighbors = bl_alloc((size_t)g->arcs, sizeof *out->neighbors);
    if (out->offsets == NULL || out->neighbors == NULL)
        return 0;
    memcpy(out->offsets, g->offsets, ((size_t)g->n + 1) * sizeof *out->offsets);
    memcpy(out->neighbors, g->neighbors, (size_t)g->arcs * sizeof *out->neighbors);
#pragma omp parallel for schedule(dynamic, 1024)
    for (int64_t v = 0; v < g->n; v++)
        qsort(out->neighbors + g->offsets[v], (size_t)csr_degree(g, v), sizeof(node_t), cmp_node);
    return 1;
}

/* ---- variants ---- */
typedef struct {
    char name[32];
    int kind;            /* 0 plain, 1 tuned */
    int fine;            /* plain with chunks of 256 nodes */
    int degree, sorted, acc4, f32;
    int64_t seg;
    const csr_graph *g;  /* plain */
    tgraph t;            /* tuned */
    double *times;
    double *scores;      /* last run's, in the variant's order */
} variant;

/* Parses NAME into v: orig, deg, orig_t, deg_t, deg_sort_t, deg_segS, with _a4 / _f32
 * suffixes on the tuned ones.  0 when the name is unknown. */
static int parse_variant(const char *name, variant *v)
{
    memset(v, 0, sizeof *v);
    if (strlen(name) >= sizeof v->name)
        return 0;
    strcpy(v->name, name);
    char base[32];
    strcpy(base, name);
    for (;;) {
        size_t len = strlen(base);
        if (len > 5 && strcmp(base + len - 5, "_fine") == 0) {
            v->fine = 1;
            base[len - 5] = '\0';
            continue;
        }
        if (len > 3 && strcmp(base + len - 3, "_a4") == 0) {
            v->acc4 = 1;
            base[len - 3] = '\0';
        } else if (len > 4 && strcmp(base + len - 4, "_f32") == 0) {
            v->f32 = 1;
            base[len - 4] = '\0';
        } else {
            break;
        }
    }
    v->degree = strncmp(base, "deg", 3) == 0;
    v->sorted = strstr(base, "_sort") != NULL || strncmp(base, "deg_seg", 7) == 0;
    if (strcmp(base, "orig") == 0 || strcmp(base, "deg") == 0 || strcmp(base, "deg_sort") == 0)
        return !v->acc4 && !v->f32;
    if (v->fine)
        return 0;
    v->kind = 1;
    if (strcmp(base, "orig_t") == 0 || strcmp(base, "orig_sort_t") == 0 ||
        strcmp(base, "deg_t") == 0 || strcmp(base, "deg_sort_t") == 0)
        return 1;
    if (strncmp(base, "deg_seg", 7) == 0) {
        long long seg = parse_count(base + 7);
        v->seg = seg;
        return seg > 0;
    }
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: %s CSR_FILE ITERATIONS ROUNDS VARIANT...\n", argv[0]);
        return 2;
    }
    long long iterations = parse_count(argv[2]), rounds = parse_count(argv[3]);
    if (iterations < 1 || rounds < 1) {
        fprintf(stderr, "bad ITERATIONS or ROUNDS\n");
        return 2;
    }
    int nv = argc - 4;
    variant *vs = calloc((size_t)nv, sizeof *vs);
    if (vs == NULL)
        return 1;
    for (int i = 0; i < nv; i++)
        if (!parse_variant(argv[4 + i], &vs[i])) {
            fprintf(stderr, "unknown variant %s\n", argv[4 + i]);
            return 2;
        }
    csr_graph g;
    bl_status st = csr_load(argv[1], 0, &g);
    if (st != BL_OK) {
        fprintf(stderr, "%s: %s\n", argv[1], bl_message(st));
        return 1;
    }
    const int64_t n = g.n;
    const int threads = omp_get_max_threads();
    int32_t *order = bl_alloc((size_t)n, sizeof *order);
    csr_graph deg, deg_sorted, orig_sorted;
    double t0 = omp_get_wtime();
    if (order == NULL || !relabel(&g, order, &deg)) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    double relabel_s = omp_get_wtime() - t0;
    if (!copy_sorted(&deg, &deg_sorted) || !copy_sorted(&g, &orig_sorted)) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    printf("threads %d n %lld arcs %lld relabel_seconds %.6f\n", threads, (long long)n,
           (long long)g.arcs, relabel_s);
    double *scores = bl_alloc((size_t)n, sizeof *scores);
    double *contrib = bl_alloc((size_t)n, sizeof *contrib);
    double *cb[2] = {bl_alloc((size_t)n, sizeof(double)), bl_alloc((size_t)n, sizeof(double))};
    double *acc = bl_alloc((size_t)n, sizeof *acc);
    double *part = bl_alloc((size_t)(2 * n + 4), sizeof *part);
    if (scores == NULL || contrib == NULL || cb[0] == NULL || cb[1] == NULL || acc == NULL ||
        part == NULL) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    for (int i = 0; i < nv; i++) {
        variant *v = &vs[i];
        const csr_graph *src = v->sorted ? (v->degree ? &deg_sorted : &orig_sorted)
                                         : v->degree ? &deg : &g;
        v->g = src;
        v->times = bl_alloc((size_t)rounds, sizeof *v->times);
        v->scores = bl_alloc((size_t)n, sizeof *v->scores);
        if (v->times == NULL || v->scores == NULL || (v->kind == 1 && !tbuild(src, v->seg, threads, &v->t))) {
            fprintf(stderr, "out of memory building %s\n", v->name);
            return 1;
        }
    }
    for (long long r = 0; r < rounds; r++) {
        for (int j = 0; j < nv; j++) {
            variant *v = &vs[(j + r) % nv];   /* rotate the order each round */
            double start = omp_get_wtime();
            if (v->kind == 0)
                pr_plain(v->g, (int)iterations, v->fine ? 256 : 16384, scores, contrib);
            else if (v->f32)
                pr_tuned_f(&v->t, (int)iterations, v->acc4, scores, (float *)cb[0], (float *)cb[1],
                           v->seg ? acc : NULL, part);
            else
                pr_tuned_d(&v->t, (int)iterations, v->acc4, scores, cb[0], cb[1], v->seg ? acc : NULL,
                           part);
            double seconds = omp_get_wtime() - start;
            v->times[r] = seconds;
            memcpy(v->scores, scores, (size_t)n * sizeof *scores);
            printf("run %s round %lld seconds %.6f\n", v->name, r, seconds);
            fflush(stdout);
        }
    }
    /* Checks against orig (else the first variant), both in input order. */
    int ref = 0;
    for (int i = 0; i < nv; i++)
        if (strcmp(vs[i].name, "orig") == 0) {
            ref = i;
            break;
        }
    double *want = bl_alloc((size_t)n, sizeof *want);
    if (want == NULL)
        return 1;
    for (int64_t p = 0; p < n; p++)
        want[vs[ref].degree ? order[p] : p] = vs[ref].scores[p];
    for (int i = 0; i < nv; i++) {
        double l1 = 0.0, maxrel = 0.0;
        for (int64_t p = 0; p < n; p++) {
            double w = want[vs[i].degree ? order[p] : p];
            double diff = fabs(vs[i].scores[p] - w);
            l1 += diff;
            maxrel = fmax(maxrel, diff / fmax(1.0, fabs(w)));
        }
        qsort(vs[i].times, (size_t)rounds, sizeof(double), cmp_double);
        printf("check %s l1 %.3e maxrel %.3e min %.6f median %.6f\n", vs[i].name, l1, maxrel,
               vs[i].times[0], vs[i].times[rounds / 2]);
    }
    return 0;
}
