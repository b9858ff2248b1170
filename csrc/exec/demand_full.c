/*
 * demand_full.c — the full form of a demand claim (demand.c): any edge kernel that is not
 * incremental, computed by the ordinary pull at the demanded nodes only.
 *
 * Brandes' forward step `sigma = where(frontier, sum(... for u in in_nbrs ...), sigma)` reads
 * the sum only on the frontier; its backward step `delta = where(level == d, sum(...), delta)`
 * only on one level.  The claim (slot S, value c) is the same as the early-exit form's and
 * is proved the same way (demand.c's pair_holds), with one difference: the node kernel
 * need not store the result's slot E when E is private to the pair, i.e. nothing but the
 * node kernels FUSED with this edge kernel reads E (no other kernel loads or gathers it or
 * guards by it, no GET, COPY_V or SWAP_V names it) and those node kernels run only in
 * such pairs; then E's stale values at the other nodes are never read.  C cannot see the
 * plan's outputs: the plan's validation (graphbuild/plan/model.py) refuses a claim whose
 * E is an output unless its node kernel stores E.  Incremental kernels keep copies of
 * every node's result (incremental.c), so they take only the early-exit form.
 *
 * A pass sweeps the mask bytes of its range and runs gb_edge_range on each run of
 * demanded nodes: each node's fold is the dense pull's, in adjacency order, so its result
 * is bitwise the dense plan's whatever the runs and the threads.
 */
#include "exec_internal.h"

static int guards_by(const gb_kernel *k, int64_t e)
{
    return k->active == e || k->demand_slot == e;
}

static int reads_slot(const gb_kernel *k, int64_t e)
{
    for (int64_t j = 0; j < k->nmicro; j++) {
        const int64_t *w = k->micro + j * GB_INSTR_WIDTH;
        if ((w[0] == GB_OP_LOAD || w[0] == GB_OP_GATHER) && w[3] == e)
            return 1;
    }
    return guards_by(k, e);
}

int gb_demand_private(const gb_plan *p, int64_t kidx)
{
    const int64_t e = p->kernels[kidx].out_slot;

    for (int64_t pc = 0; pc < p->ninstr; pc++) {
        const int64_t *w = p->code + pc * GB_INSTR_WIDTH;
        switch (w[0]) {
        case GB_OP_GET:
            if (w[3] == e)
                return 0;
            break;
        case GB_OP_COPY_V: case GB_OP_SWAP_V:
            if (w[2] == e || w[3] == e)
                return 0;
            break;
        case GB_OP_KERNEL:
            if (reads_slot(&p->kernels[w[2]], e))
                return 0;
            break;
        case GB_OP_FUSED:
            if (reads_slot(&p->kernels[w[2]], e) ||
                (w[2] == kidx ? guards_by(&p->kernels[w[3]], e) : reads_slot(&p->kernels[w[3]], e)))
                return 0;
            break;
        default:
            break;
        }
    }
    return 1;
}

static inline int demanded(const void *ds, int s_bool, int64_t want, int64_t v)
{
    return s_bool ? ((const uint8_t *)ds)[v] == (want != 0) : ((const int64_t *)ds)[v] == want;
}

gb_status gb_demand_full_range(gb_ctx *c, const gb_kernel *k, gb_scratch *s, int64_t v0,
                               int64_t v1, int64_t instr_loc)
{
    const void *ds = c->slots[k->demand_slot];
    const int s_bool = c->p->slot_dtypes[k->demand_slot] == GB_BOOL;
    const int64_t want = k->demand_value;
    gb_status st;

    for (int64_t v = v0; v < v1;) {
        int64_t a;
        while (v < v1 && !demanded(ds, s_bool, want, v))
            v++;
        a = v;
        while (v < v1 && demanded(ds, s_bool, want, v))
            v++;
        if (a < v && (st = gb_edge_range(c, k, s, a, v, instr_loc)) != GB_OK)
            return st;
    }
    return GB_OK;
}
