/*
 * graph_relabel.c — a graph's CSR laid out in another node order (the graph cache's
 * layout step, docs/graphs.md "Layout").
 *
 * GB_LAYOUT_DEGREE places nodes by descending out-degree, ties by input index (a
 * stable counting sort), so the hubs whose values pull loops read most sit together
 * in a few cache lines (degree sorting, as in Faldu et al., "A Closer Look at
 * Lightweight Graph Reordering", IISWC 2019).  The new graph keeps:
 *   perm[p]  the input index of the node at position p, and inv = perm^-1;
 *   the ids in input order (id of position p is ids[perm[p]]), so finding a node by
 *   its id still gives its input index;
 *   each node's arcs in their input order, neighbors renamed to positions, so a node's
 *   fold over its arcs adds the same values in the same order as on the input layout.
 * Steps: out-degrees, the counting sort (one pass, serial: O(n)), the new offsets
 * (prefix sum of the degrees in the new order), then the arcs of each stored direction
 * copied in parallel over ranges of about equal arcs.
 */
#define _GNU_SOURCE   /* qsort_r under -std=c11 */
#include <stdlib.h>
#include <string.h>

#include "graph_internal.h"

typedef struct relabel_job {
    const gb_graph *g;
    gb_graph *r;
    const gb_csr *from;
    gb_csr *to;
    int threads;
    int64_t bounds[GB_MAX_THREADS + 1];
    const volatile int32_t *interrupt;
} relabel_job;

static int64_t degree(const gb_graph *g, const gb_csr *c, int64_t v)
{
    return gb_idx_get(c->off, g->off_bytes, v + 1) - gb_idx_get(c->off, g->off_bytes, v);
}

/* perm by descending out-degree, ties by input index.  Degrees above n (only multigraphs
 * have them) share the top bucket and are then ordered by a sort of that bucket. */
static int cmp_degree_desc(const void *a, const void *b, void *g);

static gb_status degree_order(const gb_graph *g, int64_t *perm, int64_t *inv, gb_error *err)
{
    int64_t n = g->n;
    int64_t *start = calloc((size_t)n + 2, sizeof *start);
    if (start == NULL)
        return gb_graph_fail(err, GB_ENOMEM, 0, 0, "out of memory ordering nodes by degree");
    /* bucket k = n - min(deg, n): bucket 0 holds the highest degrees */
    for (int64_t v = 0; v < n; v++) {
        int64_t d = degree(g, &g->out, v);
        start[n - (d < n ? d : n) + 1]++;
    }
    for (int64_t k = 1; k <= n + 1; k++)
        start[k] += start[k - 1];
    for (int64_t v = 0; v < n; v++) {
        int64_t d = degree(g, &g->out, v);
        perm[start[n - (d < n ? d : n)]++] = v;
    }
    free(start);
    /* the top bucket (degree >= n): by degree, ties by index; it is a prefix of perm */
    int64_t top = 0;
    while (top < n && degree(g, &g->out, perm[top]) >= n)
        top++;
    if (top > 1)
        qsort_r(perm, (size_t)top, sizeof *perm, cmp_degree_desc, (void *)g);
    for (int64_t p = 0; p < n; p++)
        inv[perm[p]] = p;
    return GB_OK;
}

static int cmp_degree_desc(const void *a, const void *b, void *arg)
{
    const gb_graph *g = arg;
    int64_t u = *(const int64_t *)a, v = *(const int64_t *)b;
    int64_t du = degree(g, &g->out, u), dv = degree(g, &g->out, v);
    return du != dv ? (du > dv ? -1 : 1) : (u > v) - (u < v);
}

/* Positions [bounds[t], bounds[t+1]) of one direction: each position's arcs are its
 * input node's, neighbors renamed. */
static void copy_arcs(void *arg, int t)
{
    relabel_job *job = arg;
    const gb_graph *g = job->g;
    const int ob = g->off_bytes, nb = g->nbr_bytes;
    const int64_t *perm = job->r->perm, *inv = job->r->inv;
    for (int64_t p = job->bounds[t]; p < job->bounds[t + 1]; p++) {
        if ((p & 0xffff) == 0 && gb_stop_requested(job->interrupt))
            return;
        int64_t v = perm[p];
        int64_t k = gb_idx_get(job->from->off, ob, v), end = gb_idx_get(job->from->off, ob, v + 1);
        int64_t at = gb_idx_get(job->to->off, ob, p);
        for (; k < end; k++, at++) {
            gb_idx_set(job->to->nbr, nb, at, inv[gb_idx_get(job->from->nbr, nb, k)]);
            if (job->from->w != NULL)
                job->to->w[at] = job->from->w[k];
        }
    }
}

/* One direction of r from the same direction of g. */
static gb_status relabel_csr(relabel_job *job, const gb_csr *from, gb_csr *to, gb_error *err)
{
    const gb_graph *g = job->g;
    const int64_t n = g->n, arcs = gb_graph_arcs(g);
    const int ob = g->off_bytes, nb = g->nbr_bytes;
    to->off = malloc((size_t)(n + 1) * (size_t)ob);
    to->nbr = malloc((size_t)(arcs > 0 ? arcs : 1) * (size_t)nb);
    to->w = from->w != NULL ? malloc((size_t)(arcs > 0 ? arcs : 1) * sizeof(double)) : NULL;
    if (to->off == NULL || to->nbr == NULL || (from->w != NULL && to->w == NULL))
        return gb_graph_fail(err, GB_ENOMEM, 0, 0, "out of memory relabeling the graph");
    int64_t sum = 0;
    gb_idx_set(to->off, ob, 0, 0);
    for (int64_t p = 0; p < n; p++) {
        sum += degree(g, from, job->r->perm[p]);
        gb_idx_set(to->off, ob, p + 1, sum);
    }
    /* ranges of about equal arcs, by binary search over the new offsets */
    job->from = from;
    job->to = to;
    job->bounds[0] = 0;
    for (int t = 1; t < job->threads; t++) {
        int64_t target = (int64_t)((__int128)arcs * t / job->threads), lo = job->bounds[t - 1], hi = n;
        while (lo < hi) {
            int64_t mid = lo + (hi - lo) / 2;
            if (gb_idx_get(to->off, ob, mid) < target)
                lo = mid + 1;
            else
                hi = mid;
        }
        job->bounds[t] = lo;
    }
    job->bounds[job->threads] = n;
    gb_parallel(job->threads, copy_arcs, job);
    if (gb_stop_requested(job->interrupt))
        return gb_graph_fail(err, GB_EINTR, 0, 0, "relabeling the graph was interrupted");
    return GB_OK;
}

/* r's own copy of g's ids, in input order. */
static gb_status copy_ids(const gb_graph *g, gb_graph *r, gb_error *err)
{
    const int64_t n = g->n;
    r->ids_kind = g->ids_kind;
    if (g->ids_kind == GB_IDS_INT) {
        if (g->int_ids == NULL)
            return GB_OK;
        if ((r->int_ids = malloc((size_t)(n > 0 ? n : 1) * sizeof(int64_t))) == NULL)
            return gb_graph_fail(err, GB_ENOMEM, 0, 0, "out of memory relabeling the graph");
        memcpy(r->int_ids, g->int_ids, (size_t)n * sizeof(int64_t));
        return GB_OK;
    }
    int64_t bytes = g->names.offsets[n];
    int64_t *offsets = malloc((size_t)(n + 1) * sizeof(int64_t));
    char *names = malloc((size_t)(bytes > 0 ? bytes : 1));
    if (offsets == NULL || names == NULL ||
        (memcpy(offsets, g->names.offsets, (size_t)(n + 1) * sizeof(int64_t)),
         memcpy(names, g->names.bytes, (size_t)bytes),
         gb_names_adopt(&r->names, names, offsets, n)) != GB_OK) {
        free(offsets);
        free(names);
        return gb_graph_fail(err, GB_ENOMEM, 0, 0, "out of memory relabeling the graph");
    }
    r->names.borrowed = 0;   /* r owns its copies */
    return GB_OK;
}

gb_status gb_graph_relabel(const gb_graph *g, int layout, int threads,
                           const volatile int32_t *interrupt, gb_graph **out, gb_error *err)
{
    gb_status st;
    relabel_job job;
    gb_graph *r;

    gb_graph_clear_error(err);
    if (g == NULL || out == NULL)
        return gb_graph_fail(err, GB_EINVAL, 0, 0, "gb_graph_relabel: NULL argument");
    *out = NULL;
    if (layout != GB_LAYOUT_DEGREE)
        return gb_graph_fail(err, GB_EINVAL, 0, 0, "gb_graph_relabel: unknown layout %d", layout);
    if (g->layout != GB_LAYOUT_ORIGINAL)
        return gb_graph_fail(err, GB_EINVAL, 0, 0, "gb_graph_relabel: the graph is relabeled already");
    if ((r = calloc(1, sizeof *r)) == NULL)
        return gb_graph_fail(err, GB_ENOMEM, 0, 0, "out of memory relabeling the graph");
    r->n = g->n;
    r->m = g->m;
    r->directed = g->directed;
    r->weighted = g->weighted;
    r->off_bytes = g->off_bytes;
    r->nbr_bytes = g->nbr_bytes;
    r->wide = g->wide;
    r->stats = g->stats;
    r->owns_out = 1;
    r->layout = layout;
    r->perm = malloc((size_t)(g->n > 0 ? g->n : 1) * sizeof(int64_t));
    r->inv = malloc((size_t)(g->n > 0 ? g->n : 1) * sizeof(int64_t));
    if (r->perm == NULL || r->inv == NULL) {
        st = gb_graph_fail(err, GB_ENOMEM, 0, 0, "out of memory relabeling the graph");
        goto fail;
    }
    if ((st = degree_order(g, r->perm, r->inv, err)) != GB_OK)
        goto fail;
    memset(&job, 0, sizeof job);
    job.g = g;
    job.r = r;
    job.interrupt = interrupt;
    job.threads = gb_thread_count(threads, gb_graph_arcs(g) / 4096 + 1);
    if ((st = relabel_csr(&job, &g->out, &r->out, err)) != GB_OK)
        goto fail;
    if (!g->directed) {
        r->in = r->out;
    } else if (g->in.off != NULL) {
        r->owns_in = 1;
        if ((st = relabel_csr(&job, &g->in, &r->in, err)) != GB_OK)
            goto fail;
    }
    if ((st = copy_ids(g, r, err)) != GB_OK)
        goto fail;
    *out = r;
    return GB_OK;
fail:
    gb_graph_destroy(r);
    return st;
}

int gb_graph_layout(const gb_graph *g) { return g->layout; }
const int64_t *gb_graph_perm(const gb_graph *g) { return g->perm; }
const int64_t *gb_graph_inv_perm(const gb_graph *g) { return g->inv; }

gb_status gb_graph_unpermute(const gb_graph *g, void *values, int elem_bytes, gb_error *err)
{
    gb_graph_clear_error(err);
    if (g == NULL || (values == NULL && g->n > 0) || (elem_bytes != 1 && elem_bytes != 8))
        return gb_graph_fail(err, GB_EINVAL, 0, 0, "gb_graph_unpermute: bad argument");
    if (g->perm == NULL || g->n == 0)
        return GB_OK;
    const size_t size = (size_t)g->n * (size_t)elem_bytes;
    char *copy = malloc(size);
    if (copy == NULL)
        return gb_graph_fail(err, GB_ENOMEM, 0, 0, "out of memory mapping results to input order");
    memcpy(copy, values, size);
    if (elem_bytes == 8) {
        const uint64_t *from = (const uint64_t *)copy;
        uint64_t *to = values;
        for (int64_t p = 0; p < g->n; p++)
            to[g->perm[p]] = from[p];
    } else {
        char *to = values;
        for (int64_t p = 0; p < g->n; p++)
            to[g->perm[p]] = copy[p];
    }
    free(copy);
    return GB_OK;
}
