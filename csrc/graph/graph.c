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
        err->bytes = 0;
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
        err->bytes = 0;
    }
}

/* ---- builder steps ---- */

/* The builder splits the edges into one contiguous range per thread.  Each thread counts
 * the arcs its range gives each node; a prefix sum over (node, thread) then gives every
 * thread its own slots inside each node's list, so the fill needs no atomics and each
 * list keeps the input order whatever the thread count.  Counting and the prefix sum are
 * 64-bit; only the stored offsets and neighbors take the graph's widths. */
typedef struct csr_job {
    int64_t n, m;
    const int64_t *tail, *head;
    const double *w;
    int undirected, threads;
    int off_bytes, nbr_bytes;
    int64_t **pos;             /* pos[t][v]: counts, then thread t's next slot in v's list */
    void *offsets, *nbr;
    double *wout;
    const volatile int32_t *interrupt;   /* polled every GB_POLL_EDGES edges */
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
    for (int64_t at = lo; at < hi && !gb_stop_requested(job->interrupt); at += GB_POLL_EDGES) {
        int64_t end = hi - at > GB_POLL_EDGES ? at + GB_POLL_EDGES : hi;
        for (int64_t i = at; i < end; i++) {
            deg[job->tail[i]]++;
            if (job->undirected)
                deg[job->head[i]]++;
        }
    }
}

/* Step 2: offsets[v] = arcs of nodes before v; pos[t][v] = where thread t starts in v. */
static void prefix_sum(int64_t n, int threads, int64_t **pos, void *offsets, int off_bytes)
{
    int64_t total = 0;
    for (int64_t v = 0; v < n; v++) {
        gb_idx_set(offsets, off_bytes, v, total);
        for (int t = 0; t < threads; t++) {
            int64_t c = pos[t][v];
            pos[t][v] = total;
            total += c;
        }
    }
    gb_idx_set(offsets, off_bytes, n, total);
}

/* Step 3: arcs tail->head in edge order; an undirected edge u-v gives u->v then v->u
 * (a self-loop: two arcs v->v, next to each other).  nb (the neighbor width) is a
 * constant in each instance. */
static inline __attribute__((always_inline)) void fill_edges(csr_job *job, int t, int64_t lo,
                                                             int64_t hi, const int nb)
{
    int64_t *pos = job->pos[t];
    void *nbr = job->nbr;
    const int64_t *tail = job->tail, *head = job->head;
    const double *w = job->w;
    if (!job->undirected && w == NULL) {
        for (int64_t i = lo; i < hi; i++)
            gb_idx_set(nbr, nb, pos[tail[i]]++, head[i]);
        return;
    }
    for (int64_t i = lo; i < hi; i++) {
        int64_t u = tail[i], v = head[i], pu = pos[u]++;
        gb_idx_set(nbr, nb, pu, v);
        if (w != NULL)
            job->wout[pu] = w[i];
        if (job->undirected) {
            int64_t pv = pos[v]++;
            gb_idx_set(nbr, nb, pv, u);
            if (w != NULL)
                job->wout[pv] = w[i];
        }
    }
}

/* This thread's edges, a block of GB_POLL_EDGES at a time (the interrupt is polled between). */
static inline __attribute__((always_inline)) void fill_range(csr_job *job, int t, const int nb)
{
    int64_t lo, hi;
    edge_range(job, t, &lo, &hi);
    for (int64_t at = lo; at < hi && !gb_stop_requested(job->interrupt); at += GB_POLL_EDGES)
        fill_edges(job, t, at, hi - at > GB_POLL_EDGES ? at + GB_POLL_EDGES : hi, nb);
}

static void fill(void *arg, int t)
{
    csr_job *job = arg;
    if (job->nbr_bytes == 4)
        fill_range(job, t, 4);
    else
        fill_range(job, t, 8);
}

/* Index arrays of count elements of bytes each (at least one element). */
static void *alloc_index(int64_t count, int bytes)
{
    return malloc((size_t)(count > 0 ? count : 1) * (size_t)bytes);
}

static void free_csr(gb_csr *c)
{
    free(c->off);
    free(c->nbr);
    free(c->w);
    memset(c, 0, sizeof *c);
}

/* Per-thread counts cost 8 bytes per node each: worth it only while they stay small next
 * to the arcs the threads share out. */
static int build_threads(int threads, int64_t n, int64_t arcs, int64_t units)
{
    int64_t per_thread = (n + 1) > 0 ? (arcs + n) / (n + 1) : 1;
    return gb_thread_count(threads, per_thread < units ? per_thread : units);
}

/* The out-CSR: offsets and neighbors (and weights) of arcs tail->head. */
static gb_status build_csr(int64_t n, int64_t m, const int64_t *tail, const int64_t *head,
                           const double *w, int undirected, int threads, int off_bytes,
                           int nbr_bytes, const volatile int32_t *interrupt, gb_csr *out)
{
    int64_t arcs = undirected ? 2 * m : m;
    csr_job job = { .n = n, .m = m, .tail = tail, .head = head, .w = w,
                    .undirected = undirected, .off_bytes = off_bytes, .nbr_bytes = nbr_bytes,
                    .threads = build_threads(threads, n, arcs, m), .interrupt = interrupt };
    int64_t *pos[GB_MAX_THREADS] = { 0 };
    gb_status st = GB_ENOMEM;
    job.pos = pos;
    job.offsets = alloc_index(n + 1, off_bytes);
    job.nbr = alloc_index(arcs, nbr_bytes);
    job.wout = w != NULL ? malloc((size_t)(arcs > 0 ? arcs : 1) * sizeof *job.wout) : NULL;
    if (job.offsets == NULL || job.nbr == NULL || (w != NULL && job.wout == NULL))
        goto cleanup;
    for (int t = 0; t < job.threads; t++)
        if ((pos[t] = calloc((size_t)n + 1, sizeof *pos[t])) == NULL)
            goto cleanup;
    /* The fill writes at random across these arrays. */
    gb_advise_hugepages(job.nbr, (size_t)arcs * (size_t)nbr_bytes);
    if (job.wout != NULL)
        gb_advise_hugepages(job.wout, (size_t)arcs * sizeof *job.wout);
    for (int t = 0; t < job.threads; t++)
        gb_advise_hugepages(pos[t], ((size_t)n + 1) * sizeof *pos[t]);

    st = GB_EINTR;
    gb_parallel(job.threads, count_degrees, &job);
    if (gb_stop_requested(interrupt))
        goto cleanup;
    prefix_sum(n, job.threads, pos, job.offsets, off_bytes);
    gb_parallel(job.threads, fill, &job);
    if (gb_stop_requested(interrupt))
        goto cleanup;
    out->off = job.offsets;
    out->nbr = job.nbr;
    out->w = job.wout;
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

/* ---- the transpose (a directed graph's in-CSR) ----
 * Built from the out-CSR, not from the edges, so that it is the same whenever it is
 * built (at load, or later for a plan that reads in-edges): thread t takes the tails in
 * bounds[t] .. bounds[t+1] (about equal arcs) and fills its own slots in each head's
 * list, so every in-list is sorted by tail and each tail's arcs keep out-list order. */
typedef struct transpose_job {
    const gb_graph *g;
    int threads;
    int64_t bounds[GB_MAX_THREADS + 1];
    int64_t **pos;
    gb_csr in;
    const volatile int32_t *interrupt;
} transpose_job;

static inline __attribute__((always_inline)) void
transpose_count_t(transpose_job *job, int t, const int ob, const int nb)
{
    const gb_csr *o = &job->g->out;
    int64_t *deg = job->pos[t];
    int64_t lo = gb_idx_get(o->off, ob, job->bounds[t]);
    int64_t hi = gb_idx_get(o->off, ob, job->bounds[t + 1]);
    for (int64_t at = lo; at < hi && !gb_stop_requested(job->interrupt); at += GB_POLL_EDGES)
        for (int64_t k = at, end = hi - at > GB_POLL_EDGES ? at + GB_POLL_EDGES : hi; k < end; k++)
            deg[gb_idx_get(o->nbr, nb, k)]++;
}

static inline __attribute__((always_inline)) void
transpose_fill_t(transpose_job *job, int t, const int ob, const int nb)
{
    const gb_csr *o = &job->g->out;
    int64_t *pos = job->pos[t];
    const double *w = o->w;
    for (int64_t v = job->bounds[t]; v < job->bounds[t + 1]; v++) {
        if (v % 4096 == 0 && gb_stop_requested(job->interrupt))
            return;
        int64_t end = gb_idx_get(o->off, ob, v + 1);
        for (int64_t k = gb_idx_get(o->off, ob, v); k < end; k++) {
            int64_t p = pos[gb_idx_get(o->nbr, nb, k)]++;
            gb_idx_set(job->in.nbr, nb, p, v);
            if (w != NULL)
                job->in.w[p] = w[k];
        }
    }
}

static void transpose_count(void *arg, int t)
{
    transpose_job *job = arg;
#define CALL(ob, nb) transpose_count_t(job, t, ob, nb)
    GB_BY_WIDTHS(job->g->off_bytes, job->g->nbr_bytes, CALL);
#undef CALL
}

static void transpose_fill(void *arg, int t)
{
    transpose_job *job = arg;
#define CALL(ob, nb) transpose_fill_t(job, t, ob, nb)
    GB_BY_WIDTHS(job->g->off_bytes, job->g->nbr_bytes, CALL);
#undef CALL
}

void gb_graph_arc_bounds(const gb_graph *g, int threads, int64_t *bounds)
{
    int64_t n = g->n, arcs = gb_idx_get(g->out.off, g->off_bytes, n);
    bounds[0] = 0;
    for (int t = 1; t < threads; t++) {
        int64_t target = (int64_t)((__int128)arcs * t / threads), lo = bounds[t - 1], hi = n;
        while (lo < hi) {
            int64_t mid = lo + (hi - lo) / 2;
            if (gb_idx_get(g->out.off, g->off_bytes, mid) < target)
                lo = mid + 1;
            else
                hi = mid;
        }
        bounds[t] = lo;
    }
    bounds[threads] = n;
}

gb_status gb_graph_build_in_edges(gb_graph *g, int threads, gb_error *err)
{
    return gb_graph_transpose(g, threads, NULL, err);
}

gb_status gb_graph_transpose(gb_graph *g, int threads, const volatile int32_t *interrupt,
                             gb_error *err)
{
    int64_t n, arcs, *pos[GB_MAX_THREADS] = { 0 };
    transpose_job job;

    gb_graph_clear_error(err);
    if (g == NULL)
        return gb_graph_fail(err, GB_EINVAL, 0, 0, "gb_graph_build_in_edges: g is NULL");
    if (!g->directed || g->in.off != NULL)
        return GB_OK;
    n = g->n;
    arcs = gb_idx_get(g->out.off, g->off_bytes, n);
    memset(&job, 0, sizeof job);
    job.g = g;
    job.pos = pos;
    job.interrupt = interrupt;
    job.threads = build_threads(threads, n, arcs, arcs);
    job.in.off = alloc_index(n + 1, g->off_bytes);
    job.in.nbr = alloc_index(arcs, g->nbr_bytes);
    job.in.w = g->out.w != NULL ? malloc((size_t)(arcs > 0 ? arcs : 1) * sizeof *job.in.w) : NULL;
    if (job.in.off == NULL || job.in.nbr == NULL || (g->out.w != NULL && job.in.w == NULL))
        goto nomem;
    for (int t = 0; t < job.threads; t++)
        if ((pos[t] = calloc((size_t)n + 1, sizeof *pos[t])) == NULL)
            goto nomem;
    gb_advise_hugepages(job.in.nbr, (size_t)arcs * (size_t)g->nbr_bytes);
    gb_graph_arc_bounds(g, job.threads, job.bounds);
    gb_parallel(job.threads, transpose_count, &job);
    if (!gb_stop_requested(interrupt))
        prefix_sum(n, job.threads, pos, job.in.off, g->off_bytes);
    if (!gb_stop_requested(interrupt))
        gb_parallel(job.threads, transpose_fill, &job);
    for (int t = 0; t < job.threads; t++)
        free(pos[t]);
    if (gb_stop_requested(interrupt)) {
        free_csr(&job.in);
        return gb_graph_fail(err, GB_EINTR, 0, 0, "building the in-edges was interrupted");
    }
    g->in = job.in;
    g->owns_in = 1;
    return GB_OK;

nomem:
    for (int t = 0; t < job.threads; t++)
        free(pos[t]);
    free_csr(&job.in);
    return gb_graph_fail(err, GB_ENOMEM, 0, 0,
                         "out of memory building the in-edges of a graph of %lld nodes and "
                         "%lld edges", (long long)n, (long long)g->m);
}

gb_status gb_graph_build(int64_t n, int64_t m, const int64_t *src, const int64_t *dst,
                         const double *weights, int directed, int wide, int threads,
                         const volatile int32_t *interrupt, gb_graph **out, gb_error *err)
{
    gb_status st;
    gb_graph *g = calloc(1, sizeof *g);
    if (g == NULL)
        goto nomem;
    g->n = n;
    g->m = m;
    g->directed = directed != 0;
    g->weighted = weights != NULL;
    g->wide = wide == 1 || wide == 2 ? wide : 0;
    g->nbr_bytes = gb_nbr_bytes_for(n, g->wide);
    g->off_bytes = gb_off_bytes_for(directed ? m : 2 * m, g->wide);
    g->ids_kind = GB_IDS_INT;
    g->stats.input_edges = m;
    g->owns_out = 1;
    st = build_csr(n, m, src, dst, weights, !directed, threads, g->off_bytes, g->nbr_bytes,
                   interrupt, &g->out);
    if (st == GB_EINTR) {
        gb_graph_destroy(g);
        return gb_graph_fail(err, GB_EINTR, 0, 0, "building the graph was interrupted");
    }
    if (st != GB_OK)
        goto nomem;
    if (!directed)
        g->in = g->out;
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
    int threads = opts != NULL ? opts->threads : 1;
    int drop_weights = weights != NULL && opts != NULL && opts->skip_weights;
    const volatile int32_t *interrupt = gb_load_interrupt(opts);
    gb_status st = gb_graph_build(n, m, src, dst, drop_weights ? NULL : weights, directed,
                                  opts != NULL ? opts->wide_index : 0, threads, interrupt, &g, err);
    if (st == GB_OK) {
        g->stats.weights_dropped = drop_weights;
        st = gb_graph_squish(g, opts, err);
    }
    if (st == GB_OK && gb_stop_requested(interrupt))
        st = gb_graph_fail(err, GB_EINTR, 0, 0, "building the graph was interrupted");
    if (st == GB_OK && directed && !(opts != NULL && opts->skip_in_edges))
        st = gb_graph_transpose(g, threads, interrupt, err);
    if (st != GB_OK) {
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
    return gb_graph_from_arrays_opts(n, m, src, dst, weights, directed, NULL, out, err);
}

gb_status gb_graph_from_arrays_opts(int64_t n, int64_t m, const int64_t *src,
                                    const int64_t *dst, const double *weights, int directed,
                                    const gb_load_options *opts, gb_graph **out,
                                    gb_error *err)
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

    st = gb_graph_finish(n, m, src, dst, weights, directed, opts, &g, err);
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
    if (g->owns_in)
        free_csr(&g->in);
    if (g->owns_out)
        free_csr(&g->out);
    if (g->map != NULL) {
        munmap(g->map, g->map_len);
    } else {
        free(g->int_ids);
        free(g->perm);
        free(g->inv);
    }
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

void gb_graph_csr(const gb_graph *g, int dir, const void **offsets, const void **neighbors,
                  const double **weights, int *off_bytes, int *nbr_bytes)
{
    const gb_csr *c = dir == GB_DIR_IN ? &g->in : &g->out;
    if (offsets != NULL)
        *offsets = c->off;
    if (neighbors != NULL)
        *neighbors = c->nbr;
    if (weights != NULL)
        *weights = c->w;
    if (off_bytes != NULL)
        *off_bytes = g->off_bytes;
    if (nbr_bytes != NULL)
        *nbr_bytes = g->nbr_bytes;
}

int gb_graph_has_in_edges(const gb_graph *g)
{
    return g->in.off != NULL;
}

static int64_t csr_bytes(const gb_graph *g, const gb_csr *c)
{
    int64_t arcs = gb_graph_arcs(g);
    if (c->off == NULL)
        return 0;
    return (g->n + 1) * g->off_bytes + arcs * g->nbr_bytes + (c->w != NULL ? arcs * 8 : 0);
}

int64_t gb_graph_bytes(const gb_graph *g)
{
    int64_t total = csr_bytes(g, &g->out);
    if (g->directed)
        total += csr_bytes(g, &g->in);
    if (g->ids_kind == GB_IDS_INT)
        total += g->int_ids != NULL ? g->n * 8 : 0;
    else if (g->names.offsets != NULL)
        total += (g->n + 1) * 8 + g->names.offsets[g->n];
    if (g->perm != NULL)
        total += 2 * g->n * 8;   /* perm and inv */
    return total;
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
