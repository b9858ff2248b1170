/*
 * afforest_check.c — the claim that a min-label loop runs as union-find (afforest.c),
 * checked against the plan at gb_plan_create, as graphbuild/plan/unionfind.py makes it.
 *
 * The claim holds when the edge kernel carries its changed set (changed.c checked the FUSED
 * pair and that its loop writes x and E only by swapping them), aggregates min of a
 * gathered int slot over both directions; the loop is exactly
 *     head: jump_if_false flag, tail + 1; add_i c, c, one; check_iter c; FUSED;
 *           mov flag, any's register; swap_v x, E; tail: jump head
 * with four distinct registers and no jump from elsewhere into it; x holds node_id() on
 * entry (walking back from head over straight-line code that no jump lands on, the first
 * instruction writing x is a KERNEL of a node kernel without an active set whose one
 * STORE to x stores a NODE_ID temp); and no other instruction names c but a CONST.
 */
#include "exec_internal.h"

gb_status gb_afforest_kernel(gb_plan *p, int64_t kidx, const int64_t *h, gb_error *err)
{
    gb_kernel *k = &p->kernels[kidx];
    const int64_t claim = h[GB_KH_UNION_FIND];

    k->union_find = k->delta_step = 0;
    if (claim == 0)
        return GB_OK;
    if (claim == 2 && k->domain == GB_DOMAIN_EDGE && k->changed && k->agg == GB_AGG_MIN &&
        k->special == GB_SHAPE_PLUS_WEIGHT && p->slot_dtypes[k->sp_slot] == GB_F64)
        return k->delta_step = 1, GB_OK;   /* a min-plus loop (deltastep.c) */
    if (claim != 1 || k->domain != GB_DOMAIN_EDGE || !k->changed || k->agg != GB_AGG_MIN ||
        k->dir != GB_DIR_BOTH || k->special != GB_SHAPE_GATHER ||
        p->slot_dtypes[k->sp_slot] != GB_I64)
        return gb_err_set(err, GB_EINVAL, k->loc,
                          "kernel %lld: the plan claims its loop runs as union-find (%lld), "
                          "which it does not allow", (long long)kidx, (long long)claim);
    k->union_find = 1;
    return GB_OK;
}

static const int64_t *instr(const gb_plan *p, int64_t pc)
{
    return p->code + pc * GB_INSTR_WIDTH;
}

static int is_jump(const int64_t *w)
{
    return w[0] == GB_OP_JUMP || w[0] == GB_OP_JUMP_IF_FALSE;
}

static int64_t target(const int64_t *w)
{
    return w[0] == GB_OP_JUMP ? w[2] : w[3];
}

/* Whether a jump other than the one at `except` lands in (lo, hi]. */
static int lands_in(const gb_plan *p, int64_t lo, int64_t hi, int64_t except)
{
    for (int64_t j = 0; j < p->ninstr; j++)
        if (j != except && is_jump(instr(p, j)) && lo < target(instr(p, j)) &&
            target(instr(p, j)) <= hi)
            return 1;
    return 0;
}

/* Whether kernel k names register r (bcast, a reduction's register, a default). */
static int kernel_names_reg(const gb_kernel *k, int64_t r)
{
    if (k->domain == GB_DOMAIN_EDGE && k->default_kind == GB_DEFAULT_REG && k->default_index == r)
        return 1;
    for (int64_t j = 0; j < k->nmicro; j++) {
        const int64_t *u = k->micro + j * GB_INSTR_WIDTH;
        const gb_op_info *info = gb_op_lookup(u[0]);
        for (int a = 0; a < 4; a++)
            if (info->args[a] == GB_ARG_REG && u[2 + a] == r)
                return 1;
    }
    return 0;
}

/* Whether the top-level instruction w names register r. */
static int instr_names_reg(const gb_plan *p, const int64_t *w, int64_t r)
{
    const gb_op_info *info = gb_op_lookup(w[0]);
    if (w[0] == GB_OP_KERNEL || w[0] == GB_OP_FUSED) {
        for (int i = 0; i < (w[0] == GB_OP_FUSED ? 2 : 1); i++)
            if (kernel_names_reg(&p->kernels[w[2 + i]], r))
                return 1;
        return 0;
    }
    for (int a = 0; a < 4; a++)
        if ((info->args[a] == GB_ARG_REG || info->args[a] == GB_ARG_VAL ||
             info->args[a] == GB_ARG_DST) && w[2 + a] == r)
            return 1;
    return 0;
}

static int kernel_stores(const gb_kernel *k, int64_t s)
{
    if (k->domain == GB_DOMAIN_EDGE && k->out_slot == s)
        return 1;
    for (int64_t j = 0; j < k->nmicro; j++)
        if (k->micro[j * GB_INSTR_WIDTH] == GB_OP_STORE && k->micro[j * GB_INSTR_WIDTH + 3] == s)
            return 1;
    return 0;
}

static int instr_writes_slot(const gb_plan *p, const int64_t *w, int64_t s)
{
    switch (w[0]) {
    case GB_OP_COPY_V:
    case GB_OP_GATHER_V:
        return w[2] == s;
    case GB_OP_SWAP_V:
        return w[2] == s || w[3] == s;
    case GB_OP_KERNEL:
        return kernel_stores(&p->kernels[w[2]], s);
    case GB_OP_FUSED:
        return kernel_stores(&p->kernels[w[2]], s) || kernel_stores(&p->kernels[w[3]], s);
    default:
        return 0;
    }
}

/* Whether node kernel k, with no active set, stores a NODE_ID temp into x, once. */
static int stores_node_id(const gb_kernel *k, int64_t x)
{
    int64_t at = -1, def = -1;
    if (k->domain != GB_DOMAIN_NODE || k->active >= 0)
        return 0;
    for (int64_t j = 0; j < k->nmicro; j++) {
        const int64_t *u = k->micro + j * GB_INSTR_WIDTH;
        if (u[0] == GB_OP_STORE && u[3] == x) {
            if (at >= 0)
                return 0;
            at = j;
        }
    }
    if (at < 0)
        return 0;
    for (int64_t j = 0; j < at; j++) {
        const int64_t *u = k->micro + j * GB_INSTR_WIDTH;
        const gb_op_info *info = gb_op_lookup(u[0]);
        if ((info->args[0] == GB_ARG_DST || info->args[0] == GB_ARG_TDST) &&
            u[2] == k->micro[at * GB_INSTR_WIDTH + 4])
            def = u[0];
    }
    return def == GB_OP_NODE_ID;
}

/* Whether the loop around edge kernel ke's FUSED pair at pc has the form above; fills
 * ke's uf_counter and uf_step.  Delta-stepping's loop may start from any x (deltastep.c
 * checks it at run time): its entry is not walked. */
static int loop_holds(const gb_plan *p, gb_kernel *ke, int64_t pc)
{
    const int64_t tail = ke->ch_tail, x = ke->sp_slot, e = ke->out_slot;
    const int64_t *h, *inc, *chk, *mov, *swap;
    int64_t head, flag, cnt, one, red = ke->ch_reg, landed = -1;

    if (tail < 0 || instr(p, tail)[0] != GB_OP_JUMP)
        return 0;
    head = target(instr(p, tail));
    if (tail - head != 6 || pc != head + 3)
        return 0;
    h = instr(p, head), inc = instr(p, head + 1), chk = instr(p, head + 2);
    mov = instr(p, head + 4), swap = instr(p, head + 5);
    if (h[0] != GB_OP_JUMP_IF_FALSE || h[3] != tail + 1 || inc[0] != GB_OP_ADD_I ||
        chk[0] != GB_OP_CHECK_ITER || mov[0] != GB_OP_MOV || swap[0] != GB_OP_SWAP_V ||
        !((swap[2] == x && swap[3] == e) || (swap[2] == e && swap[3] == x)))
        return 0;
    flag = h[2], cnt = inc[2], one = inc[4];
    if (inc[3] != cnt || chk[2] != cnt || mov[2] != flag || mov[3] != red || flag == cnt ||
        flag == one || flag == red || cnt == one || cnt == red || one == red)
        return 0;
    if (lands_in(p, head, tail, tail))
        return 0;   /* a jump into the loop */
    for (int64_t q = 0; q < p->ninstr; q++)
        if (q != head + 1 && q != head + 2 && instr(p, q)[0] != GB_OP_CONST &&
            instr_names_reg(p, instr(p, q), cnt))
            return 0;   /* something else observes the pass counter */
    if (ke->delta_step) {
        ke->uf_counter = cnt;
        ke->uf_step = one;
        return 1;
    }
    /* the last instruction before head that a jump (but the tail) lands on */
    for (int64_t j = 0; j < p->ninstr; j++)
        if (j != tail && is_jump(instr(p, j)) && target(instr(p, j)) <= head &&
            target(instr(p, j)) > landed)
            landed = target(instr(p, j));
    for (int64_t q = head - 1; q >= 0; q--) {
        const int64_t *w = instr(p, q);
        if (is_jump(w) || q < landed)
            return 0;
        if (instr_writes_slot(p, w, x)) {
            if (w[0] != GB_OP_KERNEL || !stores_node_id(&p->kernels[w[2]], x))
                return 0;
            ke->uf_counter = cnt;
            ke->uf_step = one;
            return 1;
        }
    }
    return 0;   /* x is never set before the loop */
}

gb_status gb_afforest_check(gb_plan *p, gb_error *err)
{
    for (int64_t kidx = 0; kidx < p->nkernels; kidx++) {
        gb_kernel *ke = &p->kernels[kidx];
        int64_t at = -1;
        if (!ke->union_find && !ke->delta_step)
            continue;
        for (int64_t pc = 0; pc < p->ninstr; pc++)
            if (instr(p, pc)[0] == GB_OP_FUSED && instr(p, pc)[2] == kidx)
                at = pc;
        if (at < 0 || !loop_holds(p, ke, at))
            return gb_err_set(err, GB_EINVAL, ke->loc,
                              "kernel %lld: the plan claims its loop runs as %s, which "
                              "its loop or the value x starts with does not allow",
                              (long long)kidx, ke->delta_step ? "delta-stepping" : "union-find");
    }
    return GB_OK;
}
