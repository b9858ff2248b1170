/*
 * demand.c — an edge kernel computed only where its result is used (bottom-up BFS).
 *
 * In BFS's fused step `frontier = any(frontier[u] for u in in_nbrs) and level == -1`, the
 * aggregation matters only at unvisited nodes: elsewhere the node kernel that consumes it
 * stores the same values whatever it is.  The plan may say so (GB_KH_DEMAND: slot S and
 * value c): the edge kernel's result is used only where S[v] == c.  The claim holds when
 * every instruction that runs the edge kernel is a FUSED pair whose node kernel, under
 * "S[v] != c", stores nothing and reduces nothing that depends on the result, stores the
 * result's slot (so no junk outlives the pair), and applies no op that may fail to it.
 * gb_demand_check proves that by a symbolic run of the node kernel (as active.c does) with
 * a taint bit for values that depend on the result.
 *
 * `any` of a bool gather runs this way (its pull stops at the first true neighbor,
 * which is where skipping the nodes already visited pays); any other kernel that is not
 * incremental runs the full form (demand_full.c).  gb_demand_range computes it
 * at the nodes where S[v] == c and leaves the others' results as they are.  The
 * incremental state (incremental.c) keeps its copies valid only if every node is
 * computed, so a kernel takes a demand pass only where it would run in full anyway (past
 * the switching threshold) and from then on runs every pass that way.
 */
#include "exec_internal.h"

enum { SV_UNKNOWN = -3, SV_ZERO = -2, SV_ONE = -1 };   /* >= 0: the value slot s holds */

/* `any` of a bool gather: the form whose pull stops at the first true neighbor */
static int early_exit(const gb_plan *p, const gb_kernel *k)
{
    return k->special == GB_SHAPE_GATHER && k->agg == GB_AGG_ANY &&
           k->default_kind == GB_DEFAULT_IDENTITY && p->slot_dtypes[k->sp_slot] == GB_BOOL &&
           p->slot_dtypes[k->out_slot] == GB_BOOL;
}

gb_status gb_demand_kernel(gb_plan *p, int64_t kidx, const int64_t *h, gb_error *err)
{
    gb_kernel *k = &p->kernels[kidx];
    const int64_t s = h[GB_KH_DEMAND], c = h[GB_KH_DEMAND_VALUE];

    k->demand_slot = -1;
    if (s == -1 && c == 0)
        return GB_OK;
    /* the early-exit form, or the full form (demand_full.c) on a kernel that is not
     * incremental */
    if (k->domain != GB_DOMAIN_EDGE || s < 0 || s >= p->nslots ||
        (!early_exit(p, k) && k->incr) ||
        p->slot_dtypes[s] == GB_F64 || s == k->out_slot ||
        (p->slot_dtypes[s] == GB_BOOL && c != 0 && c != 1))
        return gb_err_set(err, GB_EINVAL, k->loc,
                          "kernel %lld: the plan claims its result is used only where slot %lld "
                          "is %lld, which it does not allow", (long long)kidx, (long long)s,
                          (long long)c);
    k->demand_slot = s;
    k->demand_value = c;
    return GB_OK;
}

/* Whether node kernel kn uses edge kernel ke's result only where S == c (the rule above):
 * -1 no, 1 yes and it stores E's slot, 0 yes without storing it. */
static int pair_holds(const gb_plan *p, const gb_kernel *ke, const gb_kernel *kn)
{
    int64_t val[GB_MAX_TEMPS], imm[GB_MAX_TEMPS];
    unsigned char taint[GB_MAX_TEMPS], is_imm[GB_MAX_TEMPS];
    const int64_t e = ke->out_slot, s = ke->demand_slot, c = ke->demand_value;
    const int s_bool = p->slot_dtypes[s] == GB_BOOL;
    int stores_e = 0;

    for (int i = 0; i < GB_MAX_TEMPS; i++)
        val[i] = SV_UNKNOWN, taint[i] = 0, is_imm[i] = 0, imm[i] = 0;
    for (int64_t j = 0; j < kn->nmicro; j++) {
        const int64_t *w = kn->micro + j * GB_INSTR_WIDTH;
        const gb_op_info *info = gb_op_lookup(w[0]);
        int64_t out = SV_UNKNOWN, a, b;
        int t = 0, nargs = 0;

        if (!gb_active_cannot_fail(w[0]) && (w[0] < GB_OP_RED_SUM_I || w[0] > GB_OP_RED_ARGMAX_F))
            return -1;   /* an op this rule does not know (a reduction's failure is untainted) */
        if (w[0] == GB_OP_STORE || w[0] >= GB_OP_RED_SUM_I) {
            if (taint[w[4]])
                return -1;
            stores_e |= w[0] == GB_OP_STORE && w[3] == e;
            continue;
        }
        for (int q = 1; q < 4; q++)
            if (info->args[q] == GB_ARG_VAL)
                nargs = q, t |= taint[w[2 + q]];
        a = nargs >= 1 ? val[w[3]] : SV_UNKNOWN;
        b = nargs >= 2 ? val[w[4]] : SV_UNKNOWN;
        switch (w[0]) {
        case GB_OP_LOAD:
            t = w[3] == e;
            out = w[3] == e ? SV_UNKNOWN
                : w[3] == s && s_bool ? (c ? SV_ZERO : SV_ONE) : w[3];
            break;
        case GB_OP_IMM:
            is_imm[w[2]] = 1;
            imm[w[2]] = w[3];
            out = w[3] == 0 ? SV_ZERO : w[3] == 1 ? SV_ONE : SV_UNKNOWN;
            val[w[2]] = out;
            taint[w[2]] = 0;
            continue;
        case GB_OP_EQ_I: case GB_OP_NE_I: {
            /* S == c is false, S != c true, under the premise */
            int hit = (a == s && is_imm[w[4]] && imm[w[4]] == c) ||
                      (b == s && is_imm[w[3]] && imm[w[3]] == c);
            if (hit && !s_bool)
                out = w[0] == GB_OP_EQ_I ? SV_ZERO : SV_ONE, t = 0;
            break;
        }
        case GB_OP_NOT:
            out = a == SV_ZERO ? SV_ONE : a == SV_ONE ? SV_ZERO : SV_UNKNOWN;
            break;
        case GB_OP_AND: case GB_OP_OR: {
            const int64_t absorb = w[0] == GB_OP_AND ? SV_ZERO : SV_ONE;
            if ((a == absorb && !taint[w[3]]) || (b == absorb && !taint[w[4]]))
                out = absorb, t = 0;
            break;
        }
        case GB_OP_WHERE:
            if (!taint[w[3]] && (a == SV_ZERO || a == SV_ONE)) {
                const int64_t pick = a == SV_ONE ? w[4] : w[5];
                out = val[pick];
                t = taint[pick];
            }
            break;
        default:
            break;
        }
        is_imm[w[2]] = 0;
        val[w[2]] = t ? SV_UNKNOWN : out;
        taint[w[2]] = (unsigned char)t;
    }
    return stores_e;
}

gb_status gb_demand_check(gb_plan *p, gb_error *err)
{
    for (int64_t pc = 0; pc < p->ninstr; pc++) {
        const int64_t *w = p->code + pc * GB_INSTR_WIDTH;
        const gb_kernel *ke;
        int holds;
        if (w[0] != GB_OP_KERNEL && w[0] != GB_OP_FUSED)
            continue;
        ke = &p->kernels[w[2]];
        if (ke->domain != GB_DOMAIN_EDGE || ke->demand_slot < 0)
            continue;
        /* E not stored: the full form, and E private to the pair (demand_full.c) */
        if (w[0] == GB_OP_KERNEL || (holds = pair_holds(p, ke, &p->kernels[w[3]])) < 0 ||
            (holds == 0 && (early_exit(p, ke) || !gb_demand_private(p, w[2]))))
            return gb_err_set(err, GB_EINVAL, w[1],
                              "instruction %lld: the plan claims kernel %lld's result is used "
                              "only where slot %lld is %lld, which its consumer does not allow",
                              (long long)pc, (long long)w[2], (long long)ke->demand_slot,
                              (long long)ke->demand_value);
    }
    return GB_OK;
}

/* any(x[u]) at the demanded nodes of [v0, v1), stopping at the first true neighbor. */
static inline __attribute__((always_inline)) void
any_range(const gb_ctx *c, const gb_kernel *k, int nr, const int *dirs, int64_t v0, int64_t v1,
          const int ob, const int nb)
{
    const uint8_t *x = c->slots[k->sp_slot];
    uint8_t *out = c->slots[k->out_slot];
    const void *ds = c->slots[k->demand_slot];
    const int s_bool = c->p->slot_dtypes[k->demand_slot] == GB_BOOL;
    const int64_t want = k->demand_value;

    for (int64_t v = v0; v < v1; v++) {
        uint8_t any = 0;
        if (s_bool ? ((const uint8_t *)ds)[v] != (want != 0) : ((const int64_t *)ds)[v] != want)
            continue;
        for (int q = 0; q < nr && !any; q++) {
            const void *off = c->off[dirs[q]], *adj = c->adj[dirs[q]];
            const int64_t end = gb_idx_get(off, ob, v + 1);
            for (int64_t e = gb_idx_get(off, ob, v); e < end; e++)
                if (x[gb_idx_get(adj, nb, e)] != 0) {
                    any = 1;
                    break;
                }
        }
        out[v] = any;
    }
}

gb_status gb_demand_range(gb_ctx *c, const gb_kernel *k, gb_scratch *s, int64_t v0, int64_t v1,
                          int64_t instr_loc)
{
    /* the edge kernel's lanes: its direction, or out- then in-edges for both on a
     * directed graph (edge.c's order; any does not depend on it) */
    int dirs[2] = { k->dir == GB_DIR_IN ? GB_DIR_IN : GB_DIR_OUT, GB_DIR_IN };
    const int nr = k->dir == GB_DIR_BOTH && c->directed ? 2 : 1;

    if (!early_exit(c->p, k))
        return gb_demand_full_range(c, k, s, v0, v1, instr_loc);

    for (int64_t a = v0; a < v1; a += 4096) {
        const int64_t b = v1 - a < 4096 ? v1 : a + 4096;
        if (gb_interrupted(c))
            return gb_err_set(&s->err, GB_EINTR, gb_kernel_loc(k, -1, instr_loc), "interrupted");
#define ANY(OB, NB) any_range(c, k, nr, dirs, a, b, OB, NB)
        GB_BY_WIDTHS(c->ob, c->nb, ANY);
#undef ANY
    }
    return GB_OK;
}
