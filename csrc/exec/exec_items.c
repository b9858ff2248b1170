/*
 * exec_items.c — cutting a kernel's work into items for the pool, once per gb_run, and
 * running KERNEL and FUSED instructions as those items.
 *
 * Method (as GAP and Ligra balance their edge loops): the work of nodes [0, v) is
 * W(v) = v + the edges of those nodes, read straight from the CSR offsets, so it is
 * monotone and cutting at W = total * i / items is a binary search per cut.  A node's
 * edges are never split across items (that would change the order its floats are
 * added in), so a hub heavier than a share gets an item of its own, and items are
 * handed out dynamically so the others keep every thread busy meanwhile.  Items only
 * decide who computes what, never how: results are the same for any cut.
 */
#include <stdlib.h>

#include "exec_internal.h"

/* Items per worker: enough that dynamic hand-out evens out uneven items. */
#define ITEMS_PER_WORKER 16

/* W at position pos, where position pos is node min(pos * unit, n). */
static int64_t work_at(const gb_ctx *c, int dir, int64_t unit, int64_t pos)
{
    /* A directed graph without its in-CSR runs no plan that reads it (gb_run checks):
     * its in and both items are never used, so they are balanced on out-edges. */
    const int has_in = c->off[GB_DIR_IN] != NULL;
    const int d1 = dir == GB_DIR_IN && has_in ? GB_DIR_IN : GB_DIR_OUT;
    int64_t v = pos * unit < c->n ? pos * unit : c->n;
    int64_t w = v + gb_ctx_off(c, d1, v) - gb_ctx_off(c, d1, 0);
    if (dir == GB_DIR_BOTH && c->directed && has_in)
        w += gb_ctx_off(c, GB_DIR_IN, v) - gb_ctx_off(c, GB_DIR_IN, 0);
    return w;
}

/* How many items `total` work units make for c's workers. */
static int64_t item_count(const gb_ctx *c, int64_t total)
{
    int64_t most = (int64_t)c->nworkers * ITEMS_PER_WORKER;
    int64_t want = total / c->p->min_item_work;
    if (c->nworkers <= 1 || want < 1)
        return 1;
    return want < most ? want : most;
}

/* Cuts positions [0, npos] into items of about equal work. */
static gb_status balance(const gb_ctx *c, int dir, int64_t unit, int64_t npos, gb_items *out)
{
    const int64_t total = work_at(c, dir, unit, npos);
    const int64_t want = item_count(c, total);
    int64_t *bound = malloc((size_t)(want + 1) * sizeof *bound);
    int64_t count = 0;

    if (bound == NULL)
        return GB_ENOMEM;
    bound[0] = 0;
    for (int64_t i = 1; i < want; i++) {
        /* the smallest position whose work reaches the i-th share */
        int64_t goal = total / want * i + total % want * i / want;
        int64_t lo = bound[count], hi = npos;
        while (lo < hi) {
            int64_t mid = lo + (hi - lo) / 2;
            if (work_at(c, dir, unit, mid) < goal)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo > bound[count] && lo < npos)
            bound[++count] = lo;
    }
    if (npos > bound[count])
        bound[++count] = npos;
    out->bound = bound;
    out->count = count;
    return GB_OK;
}

gb_status gb_items_init(gb_ctx *c)
{
    const int64_t nb = c->nblocks;
    int64_t want = item_count(c, c->n), *bound;

    if (want > nb)
        want = nb > 0 ? nb : 1;
    if ((bound = malloc((size_t)(want + 1) * sizeof *bound)) == NULL)
        goto nomem;
    /* equal runs of whole blocks: node kernels cost the same per node */
    for (int64_t i = 0; i <= want; i++)
        bound[i] = nb / want * i + nb % want * i / want;
    c->node_items.bound = bound;
    c->node_items.count = nb > 0 ? want : 0;
    if (!c->p->has_edge)
        return GB_OK;
    for (int dir = GB_DIR_OUT; dir <= GB_DIR_BOTH; dir++)
        if (balance(c, dir, 1, c->n, &c->edge_items[dir]) != GB_OK ||
            balance(c, dir, GB_NODE_BLOCK, nb, &c->fused_items[dir]) != GB_OK)
            goto nomem;
    return GB_OK;

nomem:
    return gb_err_set(c->err, GB_ENOMEM, -1, "out of memory for the executor's work items");
}

void gb_items_free(gb_ctx *c)
{
    free(c->node_items.bound);
    for (int dir = GB_DIR_OUT; dir <= GB_DIR_BOTH; dir++) {
        free(c->edge_items[dir].bound);
        free(c->fused_items[dir].bound);
    }
}

/* ---- running a kernel as work items ---- */

gb_status gb_node_blocks(gb_ctx *c, const gb_kernel *k, gb_scratch *s, int64_t b0, int64_t b1,
                         int64_t red_base, int64_t instr_loc)
{
    int filled = 0;
    for (int64_t b = b0; b < b1; b++) {
        int64_t v0 = b * GB_NODE_BLOCK;
        int64_t lanes = c->n - v0 < GB_NODE_BLOCK ? c->n - v0 : GB_NODE_BLOCK;
        gb_status st;
        if (gb_interrupted(c))
            return gb_err_set(&s->err, GB_EINTR, gb_kernel_loc(k, -1, instr_loc), "interrupted");
        st = gb_active_block(c, k, s, v0, lanes, b, &filled, red_base, instr_loc);
        if (st != GB_OK)
            return st;
    }
    return GB_OK;
}

/* One KERNEL or FUSED instruction, shared by its workers (read only). */
typedef struct kernel_job {
    gb_ctx *c;
    const gb_kernel *k, *kn;     /* kn: a FUSED pair's node kernel */
    const gb_items *items;
    int64_t red_base, instr_loc;
} kernel_job;

static gb_status node_item(void *arg, int worker, int64_t item)
{
    const kernel_job *j = arg;
    return gb_node_blocks(j->c, j->k, &j->c->ws[worker], j->items->bound[item],
                          j->items->bound[item + 1], j->red_base, j->instr_loc);
}

static gb_status edge_item(void *arg, int worker, int64_t item)
{
    const kernel_job *j = arg;
    return gb_incr_range(j->c, j->k, &j->c->ws[worker], j->items->bound[item],
                         j->items->bound[item + 1], j->instr_loc);
}

gb_status gb_kernel_run(gb_ctx *c, const gb_kernel *k, int64_t red_base, int64_t instr_loc)
{
    kernel_job j = { c, k, NULL, NULL, red_base, instr_loc };
    gb_status st;
    int done = 0;

    if (k->domain == GB_DOMAIN_EDGE) {
        j.items = &c->edge_items[k->dir];
        if ((st = gb_incr_prepare(c, k)) != GB_OK ||
            (st = gb_run_items(c, j.items->count, edge_item, &j)) != GB_OK)
            return st;
        gb_incr_finish(c, k);
        return GB_OK;
    }
    j.items = &c->node_items;
    if (k->fl_from && ((st = gb_frontier_node(c, k, red_base, instr_loc, &done)) != GB_OK || done))
        return st;
    if ((st = gb_run_items(c, j.items->count, node_item, &j)) != GB_OK)
        return st;
    return gb_combine_reductions(c, k, red_base, instr_loc);
}

/* Block by block: the aggregation for the block's nodes, then the node kernel on the
 * same block while its values are still in cache. */
gb_status gb_fused_blocks(gb_ctx *c, const gb_kernel *ke, const gb_kernel *kn, gb_scratch *s,
                          int64_t b0, int64_t b1, int64_t red_base, int64_t instr_loc)
{
    gb_scratch sn = *s;
    int filled = 0;
    sn.temps = s->temps + ke->ntemps * ke->stride;
    for (int64_t b = b0; b < b1; b++) {
        int64_t v0 = b * GB_NODE_BLOCK;
        int64_t lanes = c->n - v0 < GB_NODE_BLOCK ? c->n - v0 : GB_NODE_BLOCK;
        gb_status st = gb_incr_range(c, ke, s, v0, v0 + lanes, instr_loc);
        if (st != GB_OK)
            return st;
        st = gb_active_block(c, kn, &sn, v0, lanes, b, &filled, red_base, instr_loc);
        if (st != GB_OK) {
            s->err = sn.err;
            return st;
        }
    }
    return GB_OK;
}

static gb_status fused_item(void *arg, int worker, int64_t item)
{
    const kernel_job *j = arg;
    return gb_fused_blocks(j->c, j->k, j->kn, &j->c->ws[worker], j->items->bound[item],
                           j->items->bound[item + 1], j->red_base, j->instr_loc);
}

gb_status gb_fused_run(gb_ctx *c, const gb_kernel *ke, const gb_kernel *kn, int64_t red_base,
                       int64_t instr_loc)
{
    kernel_job j = { c, ke, kn, &c->fused_items[ke->dir], red_base, instr_loc };
    gb_status st;
    int done = 0;
    if (ke->changed && ((st = gb_changed_pass(c, ke, &done)) != GB_OK || done))
        return st;
    if (ke->flist &&
        ((st = gb_frontier_pass(c, ke, kn, red_base, instr_loc, &done)) != GB_OK || done))
        return st;
    if ((st = gb_incr_prepare(c, ke)) != GB_OK ||
        (st = gb_run_items(c, j.items->count, fused_item, &j)) != GB_OK)
        return st;
    gb_incr_finish(c, ke);
    if (ke->changed && (st = gb_changed_capture(c, ke)) != GB_OK)
        return st;
    return gb_combine_reductions(c, kn, red_base, instr_loc);
}
