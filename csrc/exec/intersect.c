/*
 * intersect.c — common neighbors: the `common` micro-op (common(u) in .gdsl) and the
 * intersect shape, `sum(common(u) for u in DIR)`, which is twice each node's triangles.
 *
 * Method.  The generic micro-op reads a sorted adjacency built once per gb_run
 * (gb_tri_start): each node's distinct neighbors other than itself, ascending, and counts
 * the common entries of v's and u's lists per edge lane.  The intersect shape finds every
 * triangle once, as GAP's tc does (Beamer, Asanovic, Patterson, "The GAP Benchmark Suite",
 * arXiv:1508.03619; Schank and Wagner, "Finding, Counting and Listing all Triangles in
 * Large Graphs", 2005): nodes get ranks in an order, each keeps only its arcs to higher
 * ranks, and for each node r and each kept u, the entries w of r's list past u that u
 * keeps too close the triangle r < u < w.  The order is (degree, index) when the degrees
 * are skewed, else the index: GAP's rule (WorthRelabelling), average degree at least 10
 * and above 1.3 times the median degree, on the degrees of up to 1000 nodes at a fixed
 * stride.  With the degree order no kept list is longer than sqrt(2m), and the oriented
 * copy is written in rank space (row r is the node of rank r, its entries ranks), so the
 * lists ascend in the order and hubs sit together; GAP relabels the whole graph instead,
 * here only the copy the pass reads is.  A merge walks two lists of similar length; when
 * one is 32 times longer, each entry of the short one gallops (doubles its step, then
 * bisects) through the long one.
 *
 * Each triangle adds 1 at w, u and v: v's count in a register, u's and w's with an atomic
 * add.  Integer adds commute, so the counts are the same for any thread count and any
 * order; the result at v is twice its count, what the per-edge sum gives.  Nodes are
 * handed out in chunks of 64 from an atomic counter (GAP's dynamic schedule).  A graph
 * with duplicate arcs (a multigraph) makes the per-edge sum count some pairs more than
 * once: there the intersect shape runs the generic loop instead (same bits).
 */
#include <stdlib.h>

#include "exec_internal.h"

#define CHUNK 64
#define GALLOP_RATIO 32

/* A sorted adjacency: node v's list is adj[off[v] .. off[v] + len[v]). */
typedef struct gb_sadj {
    int64_t *off, *len;
    int32_t *adj;
} gb_sadj;

struct gb_tri {
    gb_sadj all;           /* every distinct neighbor (generic micro-ops), or empty */
    int64_t *count;        /* intersect: twice each node's triangles, or NULL */
    int dup;               /* the graph has duplicate arcs */
};

static void sadj_free(gb_sadj *a)
{
    free(a->off);
    free(a->len);
    free(a->adj);
    memset(a, 0, sizeof *a);
}

/* ---- building a sorted adjacency (optionally oriented) ---- */

/* Row r of an adjacency holds node order[r]'s neighbors u as rank[u], ascending (order and
 * rank NULL: the identity).  Oriented, it keeps only the u with rank[u] > r. */
typedef struct build_job {
    gb_ctx *c;
    gb_sadj *a;
    int oriented;
    const int32_t *order, *rank;
    uint64_t *buf;         /* per worker: max_degree keys */
    int64_t max_degree;
    atomic_int dup;
} build_job;

static int64_t raw_degree(const gb_ctx *c, int64_t v)
{
    return gb_ctx_off(c, GB_DIR_OUT, v + 1) - gb_ctx_off(c, GB_DIR_OUT, v);
}

/* Row r's kept neighbors into keys (as ranks, unsorted); returns how many. */
static int64_t row_keys(const build_job *j, int64_t r, uint64_t *keys)
{
    const gb_ctx *c = j->c;
    const int64_t v = j->order != NULL ? j->order[r] : r;
    const int64_t e0 = gb_ctx_off(c, GB_DIR_OUT, v), e1 = gb_ctx_off(c, GB_DIR_OUT, v + 1);
    int64_t k = 0;
    for (int64_t e = e0; e < e1; e++) {
        int64_t u = gb_idx_get(c->adj[GB_DIR_OUT], c->nb, e);
        int64_t ru = j->rank != NULL ? j->rank[u] : u;
        if (u != v && (!j->oriented || ru > r)) {
            if (keys != NULL)
                keys[k] = (uint64_t)ru;
            k++;
        }
    }
    return k;
}

static gb_status count_item(void *arg, int worker, int64_t item)
{
    build_job *j = arg;
    const int64_t r1 = (item + 1) * CHUNK < j->c->n ? (item + 1) * CHUNK : j->c->n;
    (void)worker;
    for (int64_t r = item * CHUNK; r < r1; r++)
        j->a->len[r] = row_keys(j, r, NULL);
    return GB_OK;
}

static gb_status fill_item(void *arg, int worker, int64_t item)
{
    build_job *j = arg;
    uint64_t *keys = j->buf + (int64_t)worker * j->max_degree;
    const int64_t r1 = (item + 1) * CHUNK < j->c->n ? (item + 1) * CHUNK : j->c->n;
    int dup = 0;
    for (int64_t r = item * CHUNK; r < r1; r++) {
        int32_t *out = j->a->adj + j->a->off[r];
        int64_t k = row_keys(j, r, keys), kept = 0;
        gb_sort_u64(keys, k);
        for (int64_t i = 0; i < k; i++) {
            if (kept > 0 && (uint64_t)out[kept - 1] == keys[i]) {
                dup = 1;
                continue;
            }
            out[kept++] = (int32_t)keys[i];
        }
        j->a->len[r] = kept;
    }
    if (dup)
        atomic_store(&j->dup, 1);
    return GB_OK;
}

/* The rows of the arcs kept (every arc but self-loops, or oriented), sorted, duplicates
 * dropped (*dup set if there were any). */
static gb_status build(gb_ctx *c, int oriented, const int32_t *order, const int32_t *rank,
                       gb_sadj *a, int *dup)
{
    const int64_t n = c->n, chunks = (n + CHUNK - 1) / CHUNK;
    build_job j;
    int64_t total = 0;
    gb_status st;

    memset(&j, 0, sizeof j);
    j.c = c;
    j.a = a;
    j.oriented = oriented;
    j.order = order;
    j.rank = rank;
    atomic_init(&j.dup, 0);
    for (int64_t v = 0; v < n; v++)
        if (raw_degree(c, v) > j.max_degree)
            j.max_degree = raw_degree(c, v);
    a->off = malloc((size_t)(n + 1) * sizeof *a->off);
    a->len = malloc((size_t)(n > 0 ? n : 1) * sizeof *a->len);
    j.buf = malloc((size_t)(j.max_degree > 0 ? j.max_degree : 1) * (size_t)c->nworkers *
                   sizeof *j.buf);
    if (a->off == NULL || a->len == NULL || j.buf == NULL)
        goto nomem;
    if ((st = gb_run_items(c, chunks, count_item, &j)) != GB_OK)
        goto fail;
    for (int64_t r = 0; r < n; r++) {
        a->off[r] = total;
        total += a->len[r];
    }
    a->off[n] = total;
    if ((a->adj = malloc((size_t)(total > 0 ? total : 1) * sizeof *a->adj)) == NULL)
        goto nomem;
    if ((st = gb_run_items(c, chunks, fill_item, &j)) != GB_OK)
        goto fail;
    *dup = atomic_load(&j.dup);
    free(j.buf);
    return GB_OK;

nomem:
    st = gb_err_set(c->err, GB_ENOMEM, -1, "out of memory sorting the adjacency of %lld nodes "
                    "for common()", (long long)n);
fail:
    free(j.buf);
    sadj_free(a);
    return st;
}

/* order: the nodes by ascending (degree, index), by a counting sort; rank its inverse. */
static gb_status degree_order(gb_ctx *c, int32_t **order_out, int32_t **rank_out)
{
    const int64_t n = c->n;
    int64_t max_degree = 0, *start;
    int32_t *order = malloc((size_t)(n > 0 ? n : 1) * sizeof *order);
    int32_t *rank = malloc((size_t)(n > 0 ? n : 1) * sizeof *rank);
    for (int64_t v = 0; v < n; v++)
        if (raw_degree(c, v) > max_degree)
            max_degree = raw_degree(c, v);
    start = calloc((size_t)max_degree + 2, sizeof *start);
    if (order == NULL || rank == NULL || start == NULL) {
        free(order);
        free(rank);
        free(start);
        return gb_err_set(c->err, GB_ENOMEM, -1, "out of memory ordering %lld nodes by degree",
                          (long long)n);
    }
    for (int64_t v = 0; v < n; v++)
        start[raw_degree(c, v) + 1]++;
    for (int64_t d = 0; d <= max_degree; d++)
        start[d + 1] += start[d];
    for (int64_t v = 0; v < n; v++) {
        int64_t r = start[raw_degree(c, v)]++;
        order[r] = (int32_t)v;
        rank[v] = (int32_t)r;
    }
    free(start);
    *order_out = order;
    *rank_out = rank;
    return GB_OK;
}

/* ---- intersections ---- */

/* The first index i >= lo with b[i] >= x (nb if none): doubling steps, then bisection. */
static inline int64_t gallop(const int32_t *b, int64_t lo, int64_t nb, int32_t x)
{
    int64_t step = 1, hi = lo;
    while (hi < nb && b[hi] < x) {
        lo = hi + 1;
        hi += step;
        step *= 2;
    }
    if (hi > nb)
        hi = nb;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (b[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* |a ∩ b|; with hits != NULL, each common entry w gets an atomic +1 at hits[w]. */
static inline int64_t intersect(const int32_t *a, int64_t na, const int32_t *b, int64_t nb,
                                int64_t *hits)
{
    int64_t i = 0, k = 0, found = 0;
    if (na > nb) {
        const int32_t *t = a;
        int64_t tn = na;
        a = b;
        na = nb;
        b = t;
        nb = tn;
    }
    if (na == 0)
        return 0;
    if (na * GALLOP_RATIO < nb) {
        for (i = 0; i < na && k < nb; i++) {
            k = gallop(b, k, nb, a[i]);
            if (k < nb && b[k] == a[i]) {
                found++;
                if (hits != NULL)
                    __atomic_fetch_add(&hits[a[i]], 1, __ATOMIC_RELAXED);
                k++;
            }
        }
        return found;
    }
    while (i < na && k < nb) {
        if (a[i] < b[k]) {
            i++;
        } else if (a[i] > b[k]) {
            k++;
        } else {
            found++;
            if (hits != NULL)
                __atomic_fetch_add(&hits[a[i]], 1, __ATOMIC_RELAXED);
            i++;
            k++;
        }
    }
    return found;
}

void gb_common_lanes(const gb_ctx *c, const int64_t *own, const int64_t *nbr, gb_value *d,
                     int64_t lanes)
{
    const gb_sadj *a = &c->tri->all;
    for (int64_t l = 0; l < lanes; l++) {
        int64_t v = own[l], u = nbr[l];
        d[l].i = u == v ? 0 : intersect(a->adj + a->off[v], a->len[v], a->adj + a->off[u],
                                         a->len[u], NULL);
    }
}

typedef struct tri_job {
    gb_ctx *c;
    const gb_sadj *o;
    int64_t *count;        /* by row */
} tri_job;

/* Row r's triangles r < u < w: u in r's row, w in both rows past u (rows ascend). */
static gb_status tri_item(void *arg, int worker, int64_t item)
{
    tri_job *j = arg;
    const gb_sadj *o = j->o;
    const int64_t r1 = (item + 1) * CHUNK < j->c->n ? (item + 1) * CHUNK : j->c->n;
    if (gb_interrupted(j->c))
        return gb_err_set(&j->c->ws[worker].err, GB_EINTR, -1, "interrupted");
    for (int64_t r = item * CHUNK; r < r1; r++) {
        const int32_t *row = o->adj + o->off[r];
        const int64_t len = o->len[r];
        int64_t mine = 0;
        for (int64_t i = 0; i + 1 < len; i++) {
            const int64_t u = row[i];
            int64_t t = intersect(row + i + 1, len - i - 1, o->adj + o->off[u], o->len[u],
                                  j->count);
            if (t != 0) {
                mine += t;
                __atomic_fetch_add(&j->count[u], t, __ATOMIC_RELAXED);
            }
        }
        if (mine != 0)
            __atomic_fetch_add(&j->count[r], mine, __ATOMIC_RELAXED);
    }
    return GB_OK;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* GAP's rule: orient by degree when the average degree is at least 10 and more than 1.3
 * times the median (of up to 1000 nodes at a fixed stride). */
static int worth_degree_order(const gb_ctx *c)
{
    int64_t samples[1000], ns = c->n < 1000 ? c->n : 1000, total = 0;
    if (c->n == 0 || gb_ctx_off(c, GB_DIR_OUT, c->n) / c->n < 10)
        return 0;
    for (int64_t i = 0; i < ns; i++) {
        samples[i] = raw_degree(c, i * (c->n / ns));
        total += samples[i];
    }
    qsort(samples, (size_t)ns, sizeof *samples, cmp_i64);
    return (double)total / (double)ns / 1.3 > (double)samples[ns / 2];
}

static gb_status count_triangles(gb_ctx *c, struct gb_tri *t)
{
    int32_t *order = NULL, *rank = NULL;
    int64_t *by_row = NULL;
    gb_sadj o;
    tri_job j;
    gb_status st;

    memset(&o, 0, sizeof o);
    if (worth_degree_order(c) && (st = degree_order(c, &order, &rank)) != GB_OK)
        return st;
    if ((st = build(c, 1, order, rank, &o, &t->dup)) != GB_OK || t->dup)
        goto done;   /* a multigraph: the generic loop gives the per-edge sum */
    by_row = calloc((size_t)(c->n > 0 ? c->n : 1), sizeof *by_row);
    t->count = malloc((size_t)(c->n > 0 ? c->n : 1) * sizeof *t->count);
    if (by_row == NULL || t->count == NULL) {
        st = gb_err_set(c->err, GB_ENOMEM, -1, "out of memory for triangle counts");
        goto done;
    }
    j.c = c;
    j.o = &o;
    j.count = by_row;
    if ((st = gb_run_items(c, (c->n + CHUNK - 1) / CHUNK, tri_item, &j)) != GB_OK)
        goto done;
    for (int64_t v = 0; v < c->n; v++)
        t->count[v] = 2 * by_row[rank != NULL ? rank[v] : v];
done:
    if (st != GB_OK || t->dup) {
        free(t->count);
        t->count = NULL;
    }
    free(by_row);
    free(order);
    free(rank);
    sadj_free(&o);
    return st;
}

/* ---- per run ---- */

gb_status gb_tri_start(gb_ctx *c)
{
    const gb_plan *p = c->p;
    int generic = 0, fast = 0, dup = 0;
    struct gb_tri *t;
    gb_status st;

    for (int64_t i = 0; i < p->nkernels; i++) {
        const gb_kernel *k = &p->kernels[i];
        if (!k->uses_common)
            continue;
        if (k->special == GB_SHAPE_INTERSECT && p->specialize && gb_special_handles(c))
            fast = 1;
        else
            generic = 1;
    }
    if ((!generic && !fast) || c->directed)   /* directed: the kernels refuse when they run */
        return GB_OK;
    if (c->n > INT32_MAX)
        return gb_err_set(c->err, GB_EINVAL, -1, "common() handles graphs of at most "
                          "2147483647 nodes");
    if ((c->tri = t = calloc(1, sizeof *t)) == NULL)
        return gb_err_set(c->err, GB_ENOMEM, -1, "out of memory for common()");
    if (fast && (st = count_triangles(c, t)) != GB_OK)
        return st;
    if (generic || t->dup)
        return build(c, 0, NULL, NULL, &t->all, &dup);
    return GB_OK;
}

void gb_tri_free(gb_ctx *c)
{
    if (c->tri == NULL)
        return;
    sadj_free(&c->tri->all);
    free(c->tri->count);
    free(c->tri);
    c->tri = NULL;
}

int64_t gb_plan_common_bytes(const gb_plan *p, int64_t n, int64_t edges, int threads)
{
    const int64_t arcs = 2 * edges, rows = 16 * n + 8;   /* off and len */
    const int64_t sort_buf = (threads > 1 ? threads : 1) * 8 * (n < arcs ? n : arcs);
    int64_t fast = 0, generic = 0;
    if (p == NULL || n < 0 || edges < 0)
        return 0;
    for (int64_t i = 0; i < p->nkernels; i++) {
        const gb_kernel *k = &p->kernels[i];
        if (!k->uses_common)
            continue;
        if (k->special == GB_SHAPE_INTERSECT && p->specialize)
            fast = 1;
        else
            generic = 1;
    }
    /* the triangle pass: order, rank, the oriented copy (each edge once), its sort buffers,
     * the counts by row and by node; then the counts stay while the generic copy is built */
    fast = fast ? 8 * n + rows + 4 * edges + sort_buf + 16 * n : 0;
    generic = generic ? rows + 4 * arcs + sort_buf + (fast ? 8 * n : 0) : 0;
    return fast > generic ? fast : generic;
}

int gb_intersect_fast(const gb_ctx *c)
{
    return c->tri != NULL && c->tri->count != NULL;
}

void gb_intersect_range(gb_ctx *c, const gb_kernel *k, int64_t v0, int64_t v1)
{
    memcpy((int64_t *)c->slots[k->out_slot] + v0, c->tri->count + v0,
           (size_t)(v1 - v0) * sizeof(int64_t));
}
