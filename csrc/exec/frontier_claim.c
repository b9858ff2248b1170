/*
 * frontier_claim.c — the frontier-list claim (GB_KH_CHANGED = 2) checked at gb_plan_create.
 *
 * frontier.c runs the passes; the rule is stated there and in graphbuild/plan/frontier.py.
 * Besides the check, a symbolic run of the pair's node kernel at a claimed node (E is 1,
 * S == c) finds whether it stores only immediates and registers there: then a claimed node
 * takes those stores directly and the node kernel never runs (fl_nstores).
 */
#include "exec_internal.h"

gb_status gb_frontier_kernel(gb_plan *p, int64_t kidx, gb_error *err)
{
    gb_kernel *k = &p->kernels[kidx];

    if (k->domain != GB_DOMAIN_EDGE || !k->incr || k->demand_slot < 0 ||
        k->sp_slot == k->out_slot)
        return gb_err_set(err, GB_EINVAL, k->loc,
                          "kernel %lld: the plan claims frontier lists, which it does not "
                          "allow", (long long)kidx);
    k->flist = 1;
    return GB_OK;
}

static int stores(const gb_kernel *k, int64_t s)
{
    for (int64_t j = 0; j < k->nmicro; j++)
        if (k->micro[j * GB_INSTR_WIDTH] == GB_OP_STORE && k->micro[j * GB_INSTR_WIDTH + 3] == s)
            return 1;
    return 0;
}

/* The one instruction running kernel kidx, else -1. */
static int64_t only_run(const gb_plan *p, int64_t kidx)
{
    int64_t at = -1;
    for (int64_t pc = 0; pc < p->ninstr; pc++) {
        const int64_t *w = p->code + pc * GB_INSTR_WIDTH;
        if ((w[0] == GB_OP_KERNEL || w[0] == GB_OP_FUSED) &&
            (w[2] == kidx || (w[0] == GB_OP_FUSED && w[3] == kidx))) {
            if (at >= 0)
                return -1;
            at = pc;
        }
    }
    return at;
}

enum { FV_UNKNOWN, FV_CONST, FV_REG };

/* A symbolic run of node kernel kn at a claimed node (E is 1, S is c): when every store
 * writes an immediate or a register, E's a nonzero one, and kn reduces nothing, ke gets
 * the stores (fl_nstores); else fl_nstores = -1.  Immediate-only ops fold through
 * gb_ops_apply itself, so the values are the bits a block run computes. */
static void fold_stores(const gb_plan *p, gb_kernel *ke, const gb_kernel *kn)
{
    int kind[GB_MAX_TEMPS];
    gb_value val[GB_MAX_TEMPS];
    int stores_e = 0;

    ke->fl_nstores = -1;
    if (kn->nred != 0)
        return;
    for (int i = 0; i < GB_MAX_TEMPS; i++)
        kind[i] = FV_UNKNOWN, val[i].i = 0;
    ke->fl_nstores = 0;
    for (int64_t j = 0; j < kn->nmicro; j++) {
        const int64_t *w = kn->micro + j * GB_INSTR_WIDTH;
        const gb_op_info *info = gb_op_lookup(w[0]);
        int out = FV_UNKNOWN, all_const = 1;
        gb_value r = { 0 };
        if (!gb_active_cannot_fail(w[0]) || w[0] >= GB_OP_RED_SUM_I)
            goto no;
        switch (w[0]) {
        case GB_OP_STORE: {
            const int n = ke->fl_nstores;
            if (kind[w[4]] == FV_UNKNOWN || n == 4 ||
                (w[3] == ke->out_slot && (kind[w[4]] != FV_CONST || val[w[4]].i == 0)))
                goto no;
            stores_e |= w[3] == ke->out_slot;
            ke->fl_store_slot[n] = w[3];
            ke->fl_store_reg[n] = kind[w[4]] == FV_REG ? val[w[4]].i : -1;
            ke->fl_store_imm[n] = val[w[4]];
            ke->fl_nstores = n + 1;
            continue;
        }
        case GB_OP_LOAD:
            for (int i = 0; i < ke->fl_nstores; i++)
                if (ke->fl_store_slot[i] == w[3])
                    goto no;   /* a slot read back after a store: not folded here */
            if (w[3] == ke->out_slot)
                out = FV_CONST, r.i = 1;
            else if (w[3] == ke->demand_slot)
                out = FV_CONST, r.i = p->slot_dtypes[w[3]] == GB_BOOL ? ke->demand_value != 0
                                                                      : ke->demand_value;
            break;
        case GB_OP_IMM:
            out = FV_CONST, r.i = w[3];
            break;
        case GB_OP_BCAST:
            out = FV_REG, r.i = w[3];
            break;
        case GB_OP_WHERE:
            if (kind[w[3]] == FV_CONST) {
                const int64_t pick = val[w[3]].i != 0 ? w[4] : w[5];
                out = kind[pick], r = val[pick];
                break;
            }
            /* a where of three immediates folds below */
            __attribute__((fallthrough));
        default: {
            gb_value a[3] = { { 0 }, { 0 }, { 0 } };
            int64_t bad = 0;
            for (int q = 1; q < 4; q++)
                if (info->args[q] == GB_ARG_VAL) {
                    all_const &= kind[w[2 + q]] == FV_CONST;
                    a[q - 1] = val[w[2 + q]];
                }
            if (all_const && gb_ops_apply(w[0], 1, &r, &a[0], &a[1], &a[2], &bad) == GB_OK)
                out = FV_CONST;
            break;
        }
        }
        kind[w[2]] = out;
        val[w[2]] = r;
    }
    if (stores_e)
        return;
no:
    ke->fl_nstores = -1;
}

gb_status gb_frontier_check(gb_plan *p, gb_error *err)
{
    for (int64_t kidx = 0; kidx < p->nkernels; kidx++) {
        gb_kernel *ke = &p->kernels[kidx];
        const int64_t at = ke->flist ? only_run(p, kidx) : -1;
        const int64_t *w = at >= 0 ? p->code + at * GB_INSTR_WIDTH : NULL;
        int64_t head;
        if (!ke->flist)
            continue;
        if (w == NULL || w[0] != GB_OP_FUSED || p->kernels[w[3]].active != ke->out_slot ||
            stores(&p->kernels[w[3]], ke->sp_slot) ||
            (ke->ch_tail = gb_loop_allows(p, at, ke->sp_slot, ke->out_slot)) < 0)
            return gb_err_set(err, GB_EINVAL, ke->loc,
                              "kernel %lld: the plan claims frontier lists, which its FUSED "
                              "pair or loop does not allow", (long long)kidx);
        fold_stores(p, ke, &p->kernels[w[3]]);
        ke->fl_unseen = ke->fl_nstores >= 0 &&
                        gb_loop_allows(p, at, ke->demand_slot, ke->demand_slot) >= 0;
        /* node kernels between the loop's head and the pair guarded by X use X's list */
        w = p->code + ke->ch_tail * GB_INSTR_WIDTH;
        head = w[0] == GB_OP_JUMP ? w[2] : w[3];
        for (int64_t pc = head; pc < at; pc++) {
            const int64_t *u = p->code + pc * GB_INSTR_WIDTH;
            gb_kernel *k = u[0] == GB_OP_KERNEL ? &p->kernels[u[2]] : NULL;
            if (k != NULL && k->domain == GB_DOMAIN_NODE && k->active == ke->sp_slot &&
                only_run(p, u[2]) == pc)
                k->fl_from = kidx + 1;
        }
    }
    return GB_OK;
}
