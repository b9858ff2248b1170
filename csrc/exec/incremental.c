/*
 * incremental.c — re-running a selective edge aggregation only where its inputs changed.
 *
 * In Bellman-Ford, BFS or label propagation an edge kernel such as
 * `min(dist[u] + weight for u in in_nbrs)` runs once per pass, but after the first few
 * passes only a few of its inputs change.  Its result at v is a function of the gathered
 * slot (and filter slot) at v's neighbors, the edge weights and v's default alone, so only
 * the neighbors of a changed node can get a different result.  For the kernels the plan
 * marks incremental (checked by claims.c) a run keeps a copy of the inputs and of the raw result each pass last
 * computed.  The next pass compares the inputs with the copy, marks the neighbors of the
 * changed nodes through the reverse CSR, recomputes the marked nodes with the ordinary
 * loops (gb_edge_range) and copies the others' results.  A recomputed node runs the same
 * code on the same values as in a full pass, so the result is bitwise a full pass's, for
 * any thread count.  When the changed nodes have more than a quarter of the edges, the
 * pass runs in full and refreshes the copies.  A min or max whose changed inputs all moved
 * its way takes the push form instead (incr_push.c) while they have at most half of them.
 *
 * Only aggregations whose inputs tend to settle qualify: min, max, any, all, mode, and
 * count (k-core peeling flips a few flags per pass).  A float sum or mean changes wherever
 * any input does, so iterating one (PageRank) would pay for the copies and never skip a node.
 */
#include <stdlib.h>

#include "exec_internal.h"

enum { PASS_OFF, PASS_CAPTURE, PASS_DELTA, PASS_PUSH, PASS_CARRIED };

static size_t elem_size(int32_t dtype)
{
    return dtype == GB_BOOL ? 1 : 8;
}

/* The default slot, when it is a slot the kernel does not gather anyway. */
static int64_t own_default_slot(const gb_kernel *k)
{
    if (k->default_kind != GB_DEFAULT_SLOT || k->default_index == k->sp_slot ||
        (k->special == GB_SHAPE_GATHER_IF && k->default_index == k->sp_filter))
        return -1;
    return k->default_index;
}

int64_t gb_incr_bytes(const gb_plan *p, int64_t n)
{
    int64_t total = 0, any = 0;
    for (int64_t i = 0; i < p->nkernels; i++) {
        const gb_kernel *k = &p->kernels[i];
        int64_t d = own_default_slot(k);
        if (!k->incr)
            continue;
        any = 1;
        total += n * (int64_t)(elem_size(p->slot_dtypes[k->sp_slot]) +
                               elem_size(p->slot_dtypes[k->out_slot]));
        if (k->special == GB_SHAPE_GATHER_IF)
            total += n * (int64_t)elem_size(p->slot_dtypes[k->sp_filter]);
        if (d >= 0)
            total += n * (int64_t)elem_size(p->slot_dtypes[d]);
        if (k->changed || k->flist)   /* changed.c, frontier.c: three node lists, a flag */
            total += n * (int64_t)(3 * sizeof(int64_t) + sizeof(uint8_t));
    }
    /* the dirty marks and the changed-node lists, shared by all kernels */
    return any ? total + n * (int64_t)(sizeof(uint8_t) + sizeof(int64_t)) : 0;
}

static void *alloc_n(int64_t n, size_t size)
{
    if (n < 1)
        n = 1;
    if ((uint64_t)n > SIZE_MAX / size)
        return NULL;
    return malloc((size_t)n * size);
}

/* The CSR directions whose arcs lead from a node to the nodes that gather from it: a
 * kernel over in-edges reads u at v for every arc u->v, found in u's out-CSR. */
int gb_incr_reverse_dirs(const gb_ctx *c, const gb_kernel *k, int dirs[2])
{
    if (!c->directed || k->dir == GB_DIR_IN) {
        dirs[0] = GB_DIR_OUT;
        return 1;
    }
    dirs[0] = GB_DIR_IN;
    if (k->dir == GB_DIR_OUT)
        return 1;
    dirs[1] = GB_DIR_OUT;
    return 2;
}

gb_status gb_incr_start(gb_ctx *c, int enabled)
{
    const gb_plan *p = c->p;
    int any = 0;

    if (!enabled || !p->incremental || c->n == 0)
        return GB_OK;
    for (int64_t i = 0; i < p->nkernels; i++)
        any |= p->kernels[i].incr;
    if (!any)
        return GB_OK;
    c->incr = calloc((size_t)p->nkernels, sizeof *c->incr);
    c->dirty = alloc_n(c->n, sizeof *c->dirty);
    c->changed = alloc_n(c->n, sizeof *c->changed);
    c->item_changed = alloc_n(c->node_items.count, sizeof *c->item_changed);
    c->item_degree = alloc_n(c->node_items.count, sizeof *c->item_degree);
    if (!c->incr || !c->dirty || !c->changed || !c->item_changed || !c->item_degree)
        goto nomem;
    for (int64_t i = 0; i < p->nkernels; i++) {
        const gb_kernel *k = &p->kernels[i];
        gb_incr *st = &c->incr[i];
        int64_t d = own_default_slot(k);
        int dirs[2], ndirs;
        if (!k->incr)
            continue;
        /* marking needs the reverse CSR: a directed graph may lack its in-edges */
        ndirs = gb_incr_reverse_dirs(c, k, dirs);
        if (c->off[dirs[0]] == NULL || (ndirs == 2 && c->off[dirs[1]] == NULL))
            continue;
        st->x_size = elem_size(p->slot_dtypes[k->sp_slot]);
        st->out_size = elem_size(p->slot_dtypes[k->out_slot]);
        st->f_size = k->special == GB_SHAPE_GATHER_IF ? elem_size(p->slot_dtypes[k->sp_filter]) : 0;
        st->d_size = d >= 0 ? elem_size(p->slot_dtypes[d]) : 0;
        st->push = k->push;
        if ((st->prev_x = alloc_n(c->n, st->x_size)) == NULL ||
            (st->prev_out = alloc_n(c->n, st->out_size)) == NULL ||
            (st->f_size && (st->prev_f = alloc_n(c->n, st->f_size)) == NULL) ||
            (st->d_size && (st->prev_d = alloc_n(c->n, st->d_size)) == NULL))
            goto nomem;
        if (k->flist && !gb_frontier_alloc(c, st))
            goto nomem;
        if (k->changed && ((st->list = alloc_n(c->n, sizeof(int64_t))) == NULL ||
                           (st->next = alloc_n(c->n, sizeof(int64_t))) == NULL ||
                           (st->touched = alloc_n(c->n, sizeof(int64_t))) == NULL ||
                           (st->flag = calloc((size_t)c->n, 1)) == NULL))
            goto nomem;
    }
    return GB_OK;

nomem:
    return gb_err_set(c->err, GB_ENOMEM, -1,
                      "out of memory for incremental passes (%lld nodes)", (long long)c->n);
}

void gb_incr_free(gb_ctx *c)
{
    if (c->incr != NULL)
        for (int64_t i = 0; i < c->p->nkernels; i++) {
            free(c->incr[i].prev_x);
            free(c->incr[i].prev_f);
            free(c->incr[i].prev_d);
            free(c->incr[i].prev_out);
            free(c->incr[i].list);
            free(c->incr[i].next);
            free(c->incr[i].touched);
            free(c->incr[i].flag);
            free(c->incr[i].blocks);
            free(c->incr[i].bits);
        }
    free(c->incr);
    free(c->dirty);
    free(c->changed);
    free(c->item_changed);
    free(c->item_degree);
    c->incr = NULL;
}

static gb_incr *state_of(const gb_ctx *c, const gb_kernel *k)
{
    gb_incr *st = c->incr != NULL && k->incr ? &c->incr[k - c->p->kernels] : NULL;
    return st != NULL && st->prev_out != NULL ? st : NULL;
}

gb_incr *gb_incr_state(const gb_ctx *c, const gb_kernel *k)
{
    return state_of(c, k);
}

void gb_incr_frontier_ran(gb_incr *st, int push)
{
    st->pass = push ? PASS_PUSH : PASS_CAPTURE;
    st->demand = !push;
    st->armed = 0, st->sticky = 1;   /* neither pass keeps the copies */
}

void gb_incr_carried(gb_incr *st)
{
    st->pass = PASS_CARRIED;
    st->armed = 0;   /* the copies of the inputs were not kept: a pass in full is next */
}

int gb_incr_last_pass(const gb_ctx *c, const gb_kernel *k)
{
    const gb_incr *st = state_of(c, k);
    if (st == NULL)   /* a full-form demand pulls at the demanded nodes (gb_incr_range) */
        return k->demand_slot >= 0 && !c->dense_nodes ? GB_COUNT_DEMAND : GB_COUNT_DENSE;
    if (st->demand)
        return GB_COUNT_DEMAND;
    return st->pass == PASS_DELTA    ? GB_COUNT_SPARSE
         : st->pass == PASS_PUSH     ? GB_COUNT_PUSH
         : st->pass == PASS_CARRIED  ? GB_COUNT_CHANGED
                                     : GB_COUNT_DENSE;
}

void gb_incr_forget(gb_ctx *c, const gb_kernel *k)
{
    gb_incr *st = state_of(c, k);
    if (st != NULL)
        st->armed = 0, st->pass = PASS_OFF, st->demand = 0, st->carry = 0;
}

/* ---- finding what changed ---- */

typedef struct scan_job {
    gb_ctx *c;
    const gb_kernel *k;
    gb_incr *st;
    int copy_only;        /* first pass: fill the copies, find nothing */
    int ndirs, dirs[2];
    int moved_back;       /* a changed input moved against a push (set atomically) */
} scan_job;

/* Compares element v of slot s with its copy, refreshing the copy; nonzero if it differed. */
static inline int refresh(const void *slot, unsigned char *copy, int size, int64_t v)
{
    const unsigned char *now = (const unsigned char *)slot + v * size;
    unsigned char *was = copy + v * size;
    if (size == 8 ? memcmp(now, was, 8) == 0 : *now == *was)
        return 0;
    memcpy(was, now, (size_t)size);
    return 1;
}

static gb_status scan_item(void *arg, int worker, int64_t item)
{
    const scan_job *j = arg;
    gb_ctx *c = j->c;
    const gb_kernel *k = j->k;
    gb_incr *st = j->st;
    const int64_t v0 = c->node_items.bound[item] * GB_NODE_BLOCK;
    int64_t v1 = c->node_items.bound[item + 1] * GB_NODE_BLOCK;
    const void *x = c->slots[k->sp_slot];
    const void *f = st->f_size ? c->slots[k->sp_filter] : NULL;
    const void *d = st->d_size ? c->slots[k->default_index] : NULL;
    const int32_t xt = c->p->slot_dtypes[k->sp_slot];
    int64_t count = 0, degree = 0;
    int back = 0;

    (void)worker;
    if (v1 > c->n)
        v1 = c->n;
    if (j->copy_only) {
        memcpy(st->prev_x + v0 * st->x_size, (const char *)x + v0 * st->x_size,
               (size_t)((v1 - v0) * st->x_size));
        if (f != NULL)
            memcpy(st->prev_f + v0 * st->f_size, (const char *)f + v0 * st->f_size,
                   (size_t)((v1 - v0) * st->f_size));
        if (d != NULL)
            memcpy(st->prev_d + v0 * st->d_size, (const char *)d + v0 * st->d_size,
                   (size_t)((v1 - v0) * st->d_size));
        return GB_OK;
    }
    memset(c->dirty + v0, 0, (size_t)(v1 - v0));
    for (int64_t v = v0; v < v1; v++) {
        int changed;
        if (st->push && st->x_size == 8) {   /* min, max: compare before the refresh */
            const unsigned char *now = (const unsigned char *)x + v * 8;
            unsigned char *was = st->prev_x + v * 8;
            if ((changed = memcmp(now, was, 8) != 0)) {
                back |= !gb_push_improves(k->agg, xt, now, was);
                memcpy(was, now, 8);
            }
        } else if (st->push) {   /* count of a bool: a flip pushes, other changes do nothing */
            const uint8_t now = ((const uint8_t *)x)[v];
            changed = (now != 0) != (st->prev_x[v] != 0);
            st->prev_x[v] = now;
        } else {
            changed = refresh(x, st->prev_x, st->x_size, v);
        }
        if (f != NULL)
            changed |= refresh(f, st->prev_f, st->f_size, v);
        if (d != NULL && refresh(d, st->prev_d, st->d_size, v))
            c->dirty[v] = 1;   /* only v's own default moved */
        if (!changed)
            continue;
        c->changed[v0 + count++] = v;
        degree += gb_dirs_degree(c, j->dirs, j->ndirs, v);
    }
    c->item_changed[item] = count;
    c->item_degree[item] = degree;
    if (back)
        __atomic_store_n(&((scan_job *)arg)->moved_back, 1, __ATOMIC_RELAXED);
    return GB_OK;
}

/* Marks every node that gathers from a changed node in list, and the node itself (its
 * default may be its own value); ob and nb are constants at each call (GB_BY_WIDTHS). */
static inline __attribute__((always_inline)) void
mark(gb_ctx *c, const scan_job *j, const int64_t *list, int64_t count, const int ob, const int nb)
{
    for (int64_t i = 0; i < count; i++) {
        const int64_t u = list[i];
        __atomic_store_n(&c->dirty[u], 1, __ATOMIC_RELAXED);
        for (int q = 0; q < j->ndirs; q++) {
            const void *off = c->off[j->dirs[q]], *adj = c->adj[j->dirs[q]];
            const int64_t end = gb_idx_get(off, ob, u + 1);
            for (int64_t e = gb_idx_get(off, ob, u); e < end; e++)
                __atomic_store_n(&c->dirty[gb_idx_get(adj, nb, e)], 1, __ATOMIC_RELAXED);
        }
    }
}

static gb_status mark_item(void *arg, int worker, int64_t item)
{
    const scan_job *j = arg;
    gb_ctx *c = j->c;
    const int64_t *list = c->changed + c->node_items.bound[item] * GB_NODE_BLOCK;
    const int64_t count = c->item_changed[item];

    (void)worker;
#define MARK(OB, NB) mark(c, j, list, count, OB, NB)
    GB_BY_WIDTHS(c->ob, c->nb, MARK);
#undef MARK
    return GB_OK;
}

gb_status gb_incr_prepare(gb_ctx *c, const gb_kernel *k)
{
    gb_incr *st = state_of(c, k);
    scan_job j;
    int64_t degree = 0, arcs = 0;
    gb_status s;

    if (st == NULL)
        return GB_OK;
    memset(&j, 0, sizeof j);
    st->demand = 0;
    j.c = c;
    j.k = k;
    j.st = st;
    j.copy_only = !st->armed;
    j.ndirs = gb_incr_reverse_dirs(c, k, j.dirs);
    if ((s = gb_run_items(c, c->node_items.count, scan_item, &j)) != GB_OK)
        return s;
    if (!st->armed) {
        st->pass = PASS_CAPTURE;
        st->demand = st->sticky;
        return GB_OK;
    }
    for (int64_t i = 0; i < c->node_items.count; i++)
        degree += c->item_degree[i];
    for (int q = 0; q < j.ndirs; q++)
        arcs += gb_ctx_off(c, j.dirs[q], c->n);
    /* push while the changed nodes hold at most half of the arcs (of 1/4 to 2 tried on
     * Kronecker SSSP and components, 1/2 was fastest) */
    if (st->push && !j.moved_back && degree <= arcs / 2) {
        int conflict;
        if ((s = gb_push_run(c, k, st->prev_out, j.ndirs, j.dirs, &conflict)) != GB_OK)
            return s;
        st->pass = conflict ? PASS_CAPTURE : PASS_PUSH;   /* a conflict: recompute all */
        return GB_OK;
    }
    /* switching: recompute all once the changed nodes have a quarter of the arcs */
    if (k->frontier == GB_FRONTIER_SWITCHING && degree > arcs / 4) {
        st->pass = PASS_CAPTURE;   /* the copies of the inputs are current already */
        st->demand = k->demand_slot >= 0;   /* past here, the demanded nodes only (demand.c) */
        return GB_OK;
    }
    st->pass = PASS_DELTA;
    return gb_run_items(c, c->node_items.count, mark_item, &j);
}

void gb_incr_finish(gb_ctx *c, const gb_kernel *k)
{
    gb_incr *st = state_of(c, k);
    if (st != NULL && st->pass != PASS_OFF)
        st->armed = 1;
    if (st != NULL && st->demand)   /* its copies of results are partial from now on */
        st->armed = 0, st->sticky = 1;
}

/* ---- the pass ---- */

gb_status gb_incr_range(gb_ctx *c, const gb_kernel *k, gb_scratch *s, int64_t v0, int64_t v1,
                        int64_t instr_loc)
{
    gb_incr *st = state_of(c, k);
    const size_t size = st != NULL ? (size_t)st->out_size : 0;
    unsigned char *out = c->slots[k->out_slot];
    gb_status r;

    /* a demand pass leaves the copies of results partial: finish disarms them */
    if (k->demand_slot >= 0 && !c->dense_nodes && (st == NULL || st->demand))
        return gb_demand_range(c, k, s, v0, v1, instr_loc);
    if (st == NULL || st->pass == PASS_OFF)
        return gb_edge_range(c, k, s, v0, v1, instr_loc);
    if (st->pass == PASS_CAPTURE) {
        if ((r = gb_edge_range(c, k, s, v0, v1, instr_loc)) == GB_OK)
            memcpy(st->prev_out + v0 * size, out + v0 * size, (size_t)(v1 - v0) * size);
        return r;
    }
    if (st->pass == PASS_PUSH) {   /* the pushes left the results in the copy */
        memcpy(out + v0 * size, st->prev_out + v0 * size, (size_t)(v1 - v0) * size);
        return GB_OK;
    }
    for (int64_t v = v0; v < v1;) {
        const int64_t a = v;
        const uint8_t want = c->dirty[v];
        while (v < v1 && c->dirty[v] == want)
            v++;
        if (!want) {
            memcpy(out + a * size, st->prev_out + a * size, (size_t)(v - a) * size);
            continue;
        }
        if ((r = gb_edge_range(c, k, s, a, v, instr_loc)) != GB_OK)
            return r;
        memcpy(st->prev_out + a * size, out + a * size, (size_t)(v - a) * size);
    }
    return GB_OK;
}
