/*
 * graph.c — the immutable graph: CSR adjacency in both directions plus the input ids.
 *
 * The builder is GAP's pipeline of named steps (Beamer, Asanović, Patterson, "The GAP
 * Benchmark Suite", arXiv:1508.03619): count degrees, prefix sum into offsets, fill.
 * The fill walks the edges in input order, so each node's neighbors keep the input
 * order and every result that depends on CSR order is deterministic.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* deg[v] = number of arcs v will own; an undirected edge gives one arc to each end. */
static void count_degrees(int64_t *deg, int64_t m, const int64_t *src, const int64_t *dst,
                          int both_ends)
{
    for (int64_t i = 0; i < m; i++) {
        deg[src[i]]++;
        if (both_ends)
            deg[dst[i]]++;
    }
}

/* In place: counts[0..n) become offsets[0..n], offsets[n] = total. */
static void prefix_sum(int64_t *counts, int64_t n)
{
    int64_t total = 0;
    for (int64_t v = 0; v < n; v++) {
        int64_t c = counts[v];
        counts[v] = total;
        total += c;
    }
    counts[n] = total;
}

/* Appends arcs tail->head in edge order; pos starts as a copy of the offsets. */
static void fill_directed(int64_t *pos, int64_t *nbr, double *wout, int64_t m,
                          const int64_t *tail, const int64_t *head, const double *w)
{
    if (w != NULL) {
        for (int64_t i = 0; i < m; i++) {
            int64_t p = pos[tail[i]]++;
            nbr[p] = head[i];
            wout[p] = w[i];
        }
    } else {
        for (int64_t i = 0; i < m; i++)
            nbr[pos[tail[i]]++] = head[i];
    }
}

/* Each edge u-v becomes arcs u->v then v->u (a self-loop: two arcs v->v). */
static void fill_undirected(int64_t *pos, int64_t *nbr, double *wout, int64_t m,
                            const int64_t *src, const int64_t *dst, const double *w)
{
    for (int64_t i = 0; i < m; i++) {
        int64_t u = src[i], v = dst[i];
        int64_t pu = pos[u]++;
        nbr[pu] = v;
        int64_t pv = pos[v]++;
        nbr[pv] = u;
        if (w != NULL) {
            wout[pu] = w[i];
            wout[pv] = w[i];
        }
    }
}

/* One direction: offsets and neighbors (and weights) of arcs tail->head. */
static gb_status build_csr(int64_t n, int64_t m, const int64_t *tail, const int64_t *head,
                           const double *w, int undirected, int64_t **offsets_out,
                           int64_t **nbr_out, double **w_out)
{
    int64_t arcs = undirected ? 2 * m : m;
    int64_t *offsets = calloc((size_t)n + 1, sizeof *offsets);
    int64_t *pos = malloc(((size_t)n + 1) * sizeof *pos);
    int64_t *nbr = malloc((size_t)(arcs > 0 ? arcs : 1) * sizeof *nbr);
    double *wout = w != NULL ? malloc((size_t)(arcs > 0 ? arcs : 1) * sizeof *wout) : NULL;
    if (offsets == NULL || pos == NULL || nbr == NULL || (w != NULL && wout == NULL))
        goto nomem;
    /* The fill writes at random across these arrays. */
    gb_advise_hugepages(nbr, (size_t)arcs * sizeof *nbr);
    if (wout != NULL)
        gb_advise_hugepages(wout, (size_t)arcs * sizeof *wout);
    gb_advise_hugepages(pos, ((size_t)n + 1) * sizeof *pos);
    gb_advise_hugepages(offsets, ((size_t)n + 1) * sizeof *offsets);

    count_degrees(offsets, m, tail, head, undirected);
    prefix_sum(offsets, n);
    memcpy(pos, offsets, ((size_t)n + 1) * sizeof *pos);
    if (undirected)
        fill_undirected(pos, nbr, wout, m, tail, head, w);
    else
        fill_directed(pos, nbr, wout, m, tail, head, w);
    free(pos);
    *offsets_out = offsets;
    *nbr_out = nbr;
    *w_out = wout;
    return GB_OK;

nomem:
    free(offsets);
    free(pos);
    free(nbr);
    free(wout);
    return GB_ENOMEM;
}

gb_status gb_graph_build(int64_t n, int64_t m, const int64_t *src, const int64_t *dst,
                         const double *weights, int directed, gb_graph **out, gb_error *err)
{
    gb_graph *g = calloc(1, sizeof *g);
    if (g == NULL)
        goto nomem;
    g->n = n;
    g->m = m;
    g->directed = directed != 0;
    g->weighted = weights != NULL;
    g->ids_kind = GB_IDS_INT;
    if (build_csr(n, m, src, dst, weights, !directed, &g->out_offsets, &g->out_neighbors,
                  &g->out_weights) != GB_OK)
        goto nomem;
    if (directed) {
        if (build_csr(n, m, dst, src, weights, 0, &g->in_offsets, &g->in_neighbors,
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

    st = gb_graph_build(n, m, src, dst, weights, directed, &g, err);
    if (st != GB_OK)
        return st;
    /* Generated graphs have no input ids: node v's id is v. */
    g->int_ids = malloc((size_t)(n > 0 ? n : 1) * sizeof *g->int_ids);
    if (g->int_ids == NULL) {
        gb_graph_destroy(g);
        return gb_graph_fail(err, GB_ENOMEM, 0, 0, "out of memory for %lld node ids",
                             (long long)n);
    }
    for (int64_t v = 0; v < n; v++)
        g->int_ids[v] = v;
    *out = g;
    return GB_OK;
}

void gb_graph_destroy(gb_graph *g)
{
    if (g == NULL)
        return;
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
