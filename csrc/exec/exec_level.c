/*
 * exec_level.c — level parallelism: consecutive KERNEL / FUSED instructions that are
 * independent (none writes a slot or register another reads or writes) form a level,
 * as the plan claims (claims.c checks the claim at gb_plan_create).  When every op of a level is too small to be split
 * into work items, the level's ops run side by side, one op per worker, instead of one
 * after the other on a single thread.
 *
 * Each op still runs exactly as alone (the same nodes in the same order, its reductions
 * into partials of its own, combined in instruction order afterwards), so results are
 * the same bits either way; when ops of a level fail, the earliest instruction's error
 * is reported, as a sequential run would.
 */
#include <stdlib.h>

#include "exec_internal.h"

/* ---- running a level ---- */

typedef struct level_job {
    gb_ctx *c;
    int64_t pc;
} level_job;

/* One op of the level, over the whole graph, on this worker. */
static gb_status level_item(void *arg, int worker, int64_t item)
{
    const level_job *j = arg;
    gb_ctx *c = j->c;
    const int64_t pc = j->pc + item;
    const int64_t *w = c->p->code + pc * GB_INSTR_WIDTH;
    const gb_kernel *k = &c->p->kernels[w[2]];
    gb_scratch *s = &c->ws[worker];

    if (w[0] == GB_OP_FUSED)
        return gb_fused_blocks(c, k, &c->p->kernels[w[3]], s, 0, c->nblocks, c->p->red_base[pc],
                               w[1]);
    if (k->domain == GB_DOMAIN_EDGE)
        return gb_edge_range(c, k, s, 0, c->n, w[1]);
    return gb_node_blocks(c, k, s, 0, c->nblocks, c->p->red_base[pc], w[1]);
}

/* Whether the op at pc would be a single work item (too small to split). */
static int single_item(const gb_ctx *c, int64_t pc)
{
    const int64_t *w = c->p->code + pc * GB_INSTR_WIDTH;
    const gb_kernel *k = &c->p->kernels[w[2]];
    if (w[0] == GB_OP_FUSED)
        return c->fused_items[k->dir].count <= 1;
    if (k->domain == GB_DOMAIN_EDGE)
        return c->edge_items[k->dir].count <= 1;
    return c->node_items.count <= 1;
}

int64_t gb_level_run(gb_ctx *c, int64_t pc, gb_status *st)
{
    const int64_t len = c->p->level_len[pc];
    level_job j = { c, pc };

    if (len < 2 || c->nworkers < 2)
        return 0;
    for (int64_t q = pc; q < pc + len; q++)
        if (!single_item(c, q))
            return 0;
    for (int64_t q = pc; q < pc + len; q++)
        gb_incr_forget(c, &c->p->kernels[c->p->code[q * GB_INSTR_WIDTH + 2]]);
    *st = gb_run_items(c, len, level_item, &j);
    for (int64_t q = pc; q < pc + len && *st == GB_OK; q++) {
        const int64_t *w = c->p->code + q * GB_INSTR_WIDTH;
        const gb_kernel *k = &c->p->kernels[w[0] == GB_OP_FUSED ? w[3] : w[2]];
        *st = gb_combine_reductions(c, k, c->p->red_base[q], w[1]);
    }
    return len;
}
