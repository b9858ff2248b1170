/*
 * graph.c — the immutable graph: CSR adjacency in both directions plus the input ids.
 *
 * The builder is GAP's pipeline of named steps (Beamer, Asanović, Patterson, "The GAP
 * Benchmark Suite", arXiv:1508.03619): count degrees, prefix sum into offsets, fill.
 * The fill walks the edges in input order (each thread a contiguous range, into slots
 * of its own in every list), so each node's neighbors keep the input order and every
 * result that depends on CSR order is deterministic, whatever the thread count.
 */
#define _DEFAULT_SOURCE   /* munmap under -std=c11 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "graph_internal.h"

gb_status gb_graph_vfail(gb_error *err, gb_status code, int64_t line, int64_t col,
                         const char *fmt, va_list ap)
{
    if (err != NULL) {
        err->code = code;
        err->loc = -1;
        err->line = line;
        err->col = col;
        vsnprintf(err->message, sizeof err->message, fmt, ap);
    }
    return code;
}

gb_status gb_graph_fail(gb_error *err, gb_status code, int64_t line, int64_t col,
                        const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    gb_graph_vfail(err, code, line, col, fmt, ap);
    va_end(ap);
    return code;
}

void gb_graph_clear_error(gb_error *err)
{
    if (err != NULL) {
        err->code = GB_OK;
        err->loc = -1;
        err->line = 0;
        err->col = 0;
        err->message[0] = '\0';
    }
}

/* ---- builder steps ---- */

/* The builder splits the edges into one contiguous range per thread.  Each thread counts
 * the arcs its range gives each node; a prefix sum over (node, thread) then gives every
 * thread its own slots inside each node's list, so the fill needs no atomics and each
 * list keeps the input order whatever the thread count. */
typedef struct csr_job {
    int64_t n, m;
    const int64_t *tail, *head;
    const double *w;
    int undirected, threads;
    int64_t **pos;             /* pos[t][v]: counts, then thread t's next slot in v's list */
    int64_t *offsets, *nbr;
    double *wout;
} csr_job;

static void edge_range(const csr_job *job, int t, int64_t *lo, int64_t *hi)
{
    *lo = (int64_t)((__int128)job->m * t / job->threads);
    *hi = (int64_t)((__int128)job->m * (t + 1) / job->threads);
}

/* Step 1: deg[v] = arcs v will own from this thread's edges; an undirected edge gives
 * one arc to each end. */
static void count_degrees(void *arg, int t)
{
    csr_job *job = arg;
    int64_t lo, hi, *deg = job->pos[t];
    edge_range(job, t, &lo, &hi);
    for (int64_t i = lo; i < hi; i++) {
        deg[job->tail[i]]++;
        if (job->undirected)
            deg[job->head[i]]++;
    }
}

/* Step 2: offsets[v] = arcs of nodes before v; pos[t][v] = where thread t starts in v. */
static void prefix_sum(csr_job *job)
{
    int64_t total = 0;
    for (int64_t v = 0; v < job->n; v++) {
        job->offsets[v] = total;
        for (int t = 0; t < job->threads; t++) {
            int64_t c = job->pos[t][v];
            job->pos[t][v] = total;
            total += c;
        }
    }
    job->offsets[job->n] = total;
}

/* Step 3: arcs tail->head in edge order; an undirected edge u-v gives u->v then v->u
 * (a self-loop: two arcs v->v, next to each other). */
static void fill(void *arg, int t)
{
    csr_job *job = arg;
    int64_t lo, hi, *pos = job->pos[t], *nbr = job->nbr;
    const int64_t *tail = job->tail, *head = job->head;
    const double *w = job->w;
    edge_range(job, t, &lo, &hi);
    if (!job->undirected && w == NULL) {
        for (int64_t i = lo; i < hi; i++)
            nbr[pos[tail[i]]++] = head[i];
        return;
    }
    for (int64_t i = lo; i < hi; i++) {
        int64_t u = tail[i], v = head[i], pu = pos[u]++;
        nbr[pu] = v;
        if (w != NULL)
            job->wout[pu] = w[i];
        if (job->undirected) {
            int64_t pv = pos[v]++;
            nbr[pv] = u;
            if (w != NULL)
                job->wout[pv] = w[i];
        }
    }
}

/* One direction: offsets and neighbors (and weights) of arcs tail->head. */
static gb_status build_csr(int64_t n, int64_t m, const int64_t *tail, const int64_t *head,
                           const double *w, int undirected, int threads, int64_t **offsets_out,
                           int64_t **nbr_out, double **w_out)
{
    int64_t arcs = undirected ? 2 * m : m;
    /* Per-thread counts cost 8 bytes per node each: worth it only while they stay
     * small next to the arcs the threads share out. */
    int64_t per_thread = (n + 1) > 0 ? (arcs + n) / (n + 1) : 1;
    csr_job job = { .n = n, .m = m, .tail = tail, .head = head, .w = w,
                    .undirected = undirected,
                    .threads = gb_thread_count(threads, per_thread < m ? per_thread : m) };
    int64_t *pos[GB_MAX_THREADS] = { 0 };
    gb_status st = GB_ENOMEM;
    job.pos = pos;
    job.offsets = malloc(((size_t)n + 1) * sizeof *job.offsets);
    job.nbr = malloc((size_t)(arcs > 0 ? arcs : 1) * sizeof *job.nbr);
    job.wout = w != NULL ? malloc((size_t)(arcs > 0 ? arcs : 1) * sizeof *job.wout) : NULL;
    if (job.offsets == NULL || job.nbr == NULL || (w != NULL && job.wout == NULL))
        goto cleanup;
    for (int t = 0; t < job.threads; t++)
        if ((pos[t] = calloc((size_t)n + 1, sizeof *pos[t])) == NULL)
            goto cleanup;
    /* The fill writes at random across these arrays. */
    gb_advise_hugepages(job.nbr, (size_t)arcs * sizeof *job.nbr);
    if (job.wout != NULL)
        gb_advise_hugepages(job.wout, (size_t)arcs * sizeof *job.wout);
    for (int t = 0; t < job.threads; t++)
        gb_advise_hugepages(pos[t], ((size_t)n + 1) * sizeof *pos[t]);

    gb_parallel(job.threads, count_degrees, &job);
    prefix_sum(&job);
    gb_parallel(job.threads, fill, &job);
    *offsets_out = job.offsets;
    *nbr_out = job.nbr;
    *w_out = job.wout;
    job.offsets = job.nbr = NULL;
    job.wout = NULL;
    st = GB_OK;

cleanup:
    for (int t = 0; t < job.threads; t++)
        free(pos[t]);
    free(job.offsets);
    free(job.nbr);
    free(job.wout);
    return st;
}

gb_status gb_graph_build(int64_t n, int64_t m, const int64_t *src, const int64_t *dst,
                         const double *weights, int directed, int threads, gb_graph **out,
                         gb_error *err)
{
    gb_graph *g = calloc(1, sizeof *g);
    if (g == NULL)
        goto nomem;
    g->n = n;
    g->m = m;
    g->directed = directed != 0;
    g->weighted = weights != NULL;
    g->ids_kind = GB_IDS_INT;
    g->stats.input_edges = m;
    if (build_csr(n, m, src, dst, weights, !directed, threads, &g->out_offsets,
                  &g->out_neighbors, &g->out_weights) != GB_OK)
        goto nomem;
    if (directed) {
        if (build_csr(n, m, dst, src, weights, 0, threads, &g->in_offsets, &g->in_neighbors,
                      &g->in_weights) != GB_OK)
            goto nomem;
    } else {
        g->in_offsets = g->out_offsets;
        g->in_neighbors = g->out_neighbors;
        g->in_weights = g->out_weights;
    }
    *out = g;
    return GB_OK;

nomem:
    gb_graph_destroy(g);
    return gb_graph_fail(err, GB_ENOMEM, 0, 0,
                         "out of memory building a graph of %lld nodes and %lld edges",
                         (long long)n, (long long)m);
}

gb_status gb_graph_finish(int64_t n, int64_t m, const int64_t *src, const int64_t *dst,
                          const double *weights, int directed, const gb_load_options *opts,
                          gb_graph **out, gb_error *err)
{
    gb_graph *g = NULL;
    gb_status st = gb_graph_build(n, m, src, dst, weights, directed,
                                  opts != NULL ? opts->threads : 1, &g, err);
    if (st == GB_OK && (st = gb_graph_squish(g, opts, err)) != GB_OK) {
        gb_graph_destroy(g);
        g = NULL;
    }
    *out = g;
    return st;
}

gb_status gb_graph_identity_ids(gb_graph *g, gb_error *err)
{
    free(g->int_ids);
    g->ids_kind = GB_IDS_INT;
    g->int_ids = malloc((size_t)(g->n > 0 ? g->n : 1) * sizeof *g->int_ids);
    if (g->int_ids == NULL)
        return gb_graph_fail(err, GB_ENOMEM, 0, 0, "out of memory for %lld node ids",
                             (long long)g->n);
    for (int64_t v = 0; v < g->n; v++)
        g->int_ids[v] = v;
    return GB_OK;
}

int64_t gb_max_nodes(const gb_load_options *opts)
{
    return opts != NULL && opts->max_nodes > 0 ? opts->max_nodes : INT32_MAX;
}

gb_status gb_graph_from_arrays(int64_t n, int64_t m, const int64_t *src, const int64_t *dst,
                               const double *weights, int directed,
                               gb_graph **out, gb_error *err)
{
    gb_graph *g = NULL;
    gb_status st;

    gb_graph_clear_error(err);
    if (out == NULL)
        return gb_graph_fail(err, GB_EINVAL, 0, 0, "gb_graph_from_arrays: out is NULL");
    *out = NULL;
    if (n < 0 || m < 0)
        return gb_graph_fail(err, GB_EINVAL, 0, 0,
                             "negative size: %lld nodes, %lld edges", (long long)n, (long long)m);
    if (m > 0 && (src == NULL || dst == NULL))
        return gb_graph_fail(err, GB_EINVAL, 0, 0, "edge arrays are NULL");
    for (int64_t i = 0; i < m; i++) {
        if (src[i] < 0 || src[i] >= n || dst[i] < 0 || dst[i] >= n)
            return gb_graph_fail(err, GB_EINVAL, 0, 0,
                                 "edge %lld (%lld, %lld) has an endpoint outside 0..%lld",
                                 (long long)i, (long long)src[i], (long long)dst[i],
                                 (long long)n - 1);
        if (weights != NULL && isnan(weights[i]))
            return gb_graph_fail(err, GB_EINVAL, 0, 0, "weight of edge %lld is NaN", (long long)i);
    }

    st = gb_graph_finish(n, m, src, dst, weights, directed, NULL, &g, err);
    if (st != GB_OK)
        return st;
    /* Graphs from arrays have no input ids: node v's id is v. */
    if ((st = gb_graph_identity_ids(g, err)) != GB_OK) {
        gb_graph_destroy(g);
        return st;
    }
    *out = g;
    return GB_OK;
}

void gb_graph_destroy(gb_graph *g)
{
    if (g == NULL)
        return;
    if (g->map != NULL) {
        munmap(g->map, g->map_len);
        gb_names_free(&g->names);
        free(g);
        return;
    }
    if (g->in_offsets != g->out_offsets) {
        free(g->in_offsets);
        free(g->in_neighbors);
        free(g->in_weights);
    }
    free(g->out_offsets);
    free(g->out_neighbors);
    free(g->out_weights);
    free(g->int_ids);
    gb_names_free(&g->names);
    free(g);
}

/* ---- accessors ---- */

int64_t gb_graph_node_count(const gb_graph *g) { return g->n; }
int64_t gb_graph_edge_count(const gb_graph *g) { return g->m; }
int gb_graph_is_directed(const gb_graph *g) { return g->directed; }
int gb_graph_is_weighted(const gb_graph *g) { return g->weighted; }
int gb_graph_ids_kind(const gb_graph *g) { return g->ids_kind; }

void gb_graph_get_stats(const gb_graph *g, gb_graph_stats *out)
{
    *out = g->stats;
}

void gb_graph_csr(const gb_graph *g, int dir, const int64_t **offsets,
                  const int64_t **neighbors, const double **weights)
{
    int in = dir == GB_DIR_IN;
    if (offsets != NULL)
        *offsets = in ? g->in_offsets : g->out_offsets;
    if (neighbors != NULL)
        *neighbors = in ? g->in_neighbors : g->out_neighbors;
    if (weights != NULL)
        *weights = in ? g->in_weights : g->out_weights;
}

const int64_t *gb_graph_int_ids(const gb_graph *g)
{
    return g->ids_kind == GB_IDS_INT ? g->int_ids : NULL;
}

const char *gb_graph_name_bytes(const gb_graph *g)
{
    return g->ids_kind == GB_IDS_NAME ? g->names.bytes : NULL;
}

const int64_t *gb_graph_name_offsets(const gb_graph *g)
{
    return g->ids_kind == GB_IDS_NAME ? g->names.offsets : NULL;
}

/* Strict decimal: digits only, value fits int64.  Returns 0 if the token is not one. */
static int parse_decimal(const char *s, int64_t *value)
{
    int64_t v = 0;
    if (*s == '\0')
        return 0;
    for (; *s != '\0'; s++) {
        if (*s < '0' || *s > '9')
            return 0;
        if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, *s - '0', &v))
            return 0;
    }
    *value = v;
    return 1;
}

int64_t gb_graph_find_node(const gb_graph *g, const char *token)
{
    if (g == NULL || token == NULL)
        return -1;
    if (g->ids_kind == GB_IDS_NAME)
        return gb_names_find(&g->names, token, (int64_t)strlen(token));

    int64_t id;
    if (!parse_decimal(token, &id))
        return -1;
    int64_t lo = 0, hi = g->n;   /* int_ids is ascending: binary search [lo, hi) */
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (g->int_ids[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < g->n && g->int_ids[lo] == id ? lo : -1;
}
