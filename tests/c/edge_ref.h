/*
 * edge_ref.h — the slow reference for edge-kernel tests: neighborhoods rebuilt from the
 * edge arrays, and every aggregation written the obvious way (qsort-based mode).
 */
#ifndef GB_TEST_EDGE_REF_H
#define GB_TEST_EDGE_REF_H

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "plan_asm.h"

/* ---- reference adjacency, built the slow way from the edge arrays ---- */

typedef struct adj {
    int64_t *off;         /* n + 1 */
    int64_t *us;
    double *ws;
} adj;

typedef struct egraph {
    int64_t n, m;
    int64_t *src, *dst;
    double *w;            /* NULL: unweighted */
    int64_t *by_tail;     /* edge indices sorted by src, stably: the in-CSR's order */
    int directed;
    gb_graph *g;
    adj dirs[3];          /* by gb_dir */
} egraph;

/* Calls add(v, u, w) for every arc of direction dir in CSR order: out-arcs in input
 * order; in-arcs of a directed graph by ascending tail, each tail's in input order; BOTH
 * on a directed graph gives all out-arcs before any in-arc (so per node: out, then in);
 * undirected, edge u-v gives u the arc to v, then v the arc to u, whatever dir is. */
static inline void for_arcs(const egraph *e, int dir, adj *a, int fill, int64_t *pos)
{
    for (int pass = 0; pass < 2; pass++) {
        int want_out = e->directed ? pass == 0 && dir != GB_DIR_IN : pass == 0;
        int want_in = e->directed && pass == 1 && dir != GB_DIR_OUT;
        for (int64_t r = 0; r < e->m && (want_out || want_in); r++) {
            int64_t i = want_in ? e->by_tail[r] : r;
            double w = e->w != NULL ? e->w[i] : 1.0;
            int64_t arcs[2][2];
            int na = 0;
            if (!e->directed) {
                arcs[na][0] = e->src[i]; arcs[na++][1] = e->dst[i];
                arcs[na][0] = e->dst[i]; arcs[na++][1] = e->src[i];
            } else if (want_out) {
                arcs[na][0] = e->src[i]; arcs[na++][1] = e->dst[i];
            } else {
                arcs[na][0] = e->dst[i]; arcs[na++][1] = e->src[i];
            }
            for (int j = 0; j < na; j++) {
                int64_t v = arcs[j][0];
                if (!fill) {
                    a->off[v + 1]++;
                } else {
                    a->us[pos[v]] = arcs[j][1];
                    a->ws[pos[v]++] = w;
                }
            }
        }
    }
}

static inline void build_adj(const egraph *e, int dir, adj *a)
{
    int64_t *pos = calloc((size_t)e->n + 1, sizeof *pos);
    a->off = calloc((size_t)e->n + 1, sizeof *a->off);
    a->us = malloc((size_t)(2 * e->m + 1) * sizeof *a->us);
    a->ws = malloc((size_t)(2 * e->m + 1) * sizeof *a->ws);
    for_arcs(e, dir, a, 0, pos);
    for (int64_t v = 0; v < e->n; v++)
        a->off[v + 1] += a->off[v];
    memcpy(pos, a->off, (size_t)e->n * sizeof *pos);
    for_arcs(e, dir, a, 1, pos);
    free(pos);
}

static inline void egraph_init(egraph *e, int64_t n, int64_t m, int weighted, int directed)
{
    e->n = n;
    e->m = m;
    e->src = calloc((size_t)(m + 1), sizeof *e->src);
    e->dst = calloc((size_t)(m + 1), sizeof *e->dst);
    e->w = weighted ? calloc((size_t)(m + 1), sizeof *e->w) : NULL;
    e->directed = directed;
    e->g = NULL;
    e->by_tail = NULL;
    memset(e->dirs, 0, sizeof e->dirs);
}

static inline void egraph_build(egraph *e)
{
    e->g = graph_new(e->n, e->m, e->src, e->dst, e->w, e->directed);
    CHECK(e->g != NULL);
    /* a stable counting sort of the edges by tail */
    int64_t *start = calloc((size_t)e->n + 1, sizeof *start);
    free(e->by_tail);
    e->by_tail = malloc((size_t)(e->m + 1) * sizeof *e->by_tail);
    for (int64_t i = 0; i < e->m; i++)
        start[e->src[i] + 1]++;
    for (int64_t v = 0; v < e->n; v++)
        start[v + 1] += start[v];
    for (int64_t i = 0; i < e->m; i++)
        e->by_tail[start[e->src[i]]++] = i;
    free(start);
    for (int dir = GB_DIR_OUT; dir <= GB_DIR_BOTH; dir++)
        build_adj(e, dir, &e->dirs[dir]);
}

static inline void egraph_free(egraph *e)
{
    gb_graph_destroy(e->g);
    for (int dir = GB_DIR_OUT; dir <= GB_DIR_BOTH; dir++) {
        free(e->dirs[dir].off);
        free(e->dirs[dir].us);
        free(e->dirs[dir].ws);
    }
    free(e->src);
    free(e->dst);
    free(e->w);
    free(e->by_tail);
}

/* Small graphs with a self-loop, a multi-edge, an isolated node and fractional weights. */

/* ---- aggregations ---- */


/* Float order for the reference mode: -0.0 == 0.0, NaN equal to NaN and above all. */
static inline int cmp_f(const void *pa, const void *pb)
{
    double a = ((const gb_value *)pa)->f, b = ((const gb_value *)pb)->f;
    if (isnan(a) || isnan(b))
        return isnan(a) - isnan(b);
    return (a > b) - (a < b);
}

static inline int cmp_i(const void *pa, const void *pb)
{
    int64_t a = ((const gb_value *)pa)->i, b = ((const gb_value *)pb)->i;
    return (a > b) - (a < b);
}

/* The mode: sort, then the first longest run of equal values (so ties go to the
 * smallest).  Sorts vals in place. */
static inline gb_value ref_mode(gb_value *vals, int64_t k, int is_f)
{
    int (*cmp)(const void *, const void *) = is_f ? cmp_f : cmp_i;
    int64_t best = 0, best_run = 0;
    qsort(vals, (size_t)k, sizeof *vals, cmp);
    for (int64_t i = 0; i < k;) {
        int64_t j = i;
        while (j < k && cmp(&vals[i], &vals[j]) == 0)
            j++;
        if (j - i > best_run) {
            best = i;
            best_run = j - i;
        }
        i = j;
    }
    gb_value r = vals[best];
    if (is_f && r.f == 0.0)
        r.f = 0.0;
    return r;
}

static inline gb_value ref_agg(int agg, int is_f, gb_value *vals, int64_t k)
{
    gb_value r;
    r.i = 0;
    switch (agg) {
    case GB_AGG_SUM:
        if (is_f) {
            r.f = 0.0;
            for (int64_t i = 0; i < k; i++) r.f += vals[i].f;
        } else {
            uint64_t s = 0;
            for (int64_t i = 0; i < k; i++) s += (uint64_t)vals[i].i;
            r.i = (int64_t)s;
        }
        break;
    case GB_AGG_MIN: case GB_AGG_MAX: {
        int mn = agg == GB_AGG_MIN;
        if (is_f) {
            r.f = mn ? INFINITY : -INFINITY;
            for (int64_t i = 0; i < k; i++) {
                if (isnan(vals[i].f) || isnan(r.f)) { r.f = NAN; continue; }
                if (mn ? vals[i].f < r.f : vals[i].f > r.f) r.f = vals[i].f;
            }
        } else {
            r.i = mn ? INT64_MAX : INT64_MIN;
            for (int64_t i = 0; i < k; i++)
                if (mn ? vals[i].i < r.i : vals[i].i > r.i) r.i = vals[i].i;
        }
        break;
    }
    case GB_AGG_COUNT:
        for (int64_t i = 0; i < k; i++) r.i += vals[i].i != 0;
        break;
    case GB_AGG_ANY:
        for (int64_t i = 0; i < k; i++) r.i = r.i || vals[i].i != 0;
        break;
    case GB_AGG_ALL:
        r.i = 1;
        for (int64_t i = 0; i < k; i++) r.i = r.i && vals[i].i != 0;
        break;
    case GB_AGG_MEAN:
        r.f = 0.0;
        for (int64_t i = 0; i < k; i++) r.f += is_f ? vals[i].f : (double)vals[i].i;
        r.f /= (double)k;
        break;
    default:
        r = ref_mode(vals, k, is_f);
        break;
    }
    return r;
}

static inline gb_value ref_identity(int agg, int is_f)
{
    gb_value r;
    r.i = 0;
    if (agg == GB_AGG_MIN) { if (is_f) r.f = INFINITY; else r.i = INT64_MAX; }
    if (agg == GB_AGG_MAX) { if (is_f) r.f = -INFINITY; else r.i = INT64_MIN; }
    if (agg == GB_AGG_ALL) r.i = 1;
    if (agg == GB_AGG_MEAN) r.f = 0.0;
    return r;
}

#endif
