/*
 * changed.c — a monotone min/max step run over the last pass's changed nodes only.
 *
 * Connected components and Bellman-Ford are loops of one FUSED pair
 *     E = min(x[u] (+ weight) for u in nbrs);  x' = min(x, E) into E's slot;
 *     changed = any(x' < x)  (or x' != x);  swap x, x'
 * x' differs from x only where E fell, and E can fall only at the nodes gathering from a
 * node whose x changed in the pass before.  The plan says so (GB_KH_CHANGED, from
 * graphbuild/plan/changed.py); gb_changed_check accepts the claim only when
 *   - the edge kernel may push (min or max of a gathered x, + weight allowed; claims.c),
 *     x and E are distinct slots of one int or float dtype, and no other instruction runs
 *     the kernel;
 *   - its node kernel is exactly: a = load x; b = load E; m = fold(a, b) (the
 *     aggregation's min or max, either order); c = compare(m, a), false whenever m and a
 *     have the same bits (lt/gt the aggregation's way, either order, or ne_i); then
 *     red_any c and store E = m in either order;
 *   - the pair is in a loop with no loop inside it whose other instructions write x or E
 *     only by swapping the two.
 * After a pass in full, gb_changed_capture lists the nodes where x' and x differ.  The next
 * pass, when it follows the loop's backward jump directly with the two buffers swapped
 * and the listed nodes hold at most half of the arcs, runs here: each listed node u
 * checks that it moved the aggregation's way, copies its new value into the stale buffer
 * (which then holds x everywhere) and pushes its candidates into the kept results
 * (incremental.c's copy of E) with an atomic lower-if-less, listing each node it lowers
 * once; each lowered node v then computes m = fold(x[v], E[v]) and the compare with the
 * node kernel's own opcodes, stores m, and is listed for the next pass if m's bits differ
 * from x[v]'s.  Every other node would have stored x[v] and compared false, so slots and
 * the any() are a full pass's bits.  A NaN, a signed-zero tie or a move the wrong way
 * makes the pass run in full instead (as incr_push.c does).  The lists are sets whose
 * order depends on the threads; min and max do not, so the bits do not either.
 */
#include "exec_internal.h"

/* ---- the claim ---- */

gb_status gb_changed_kernel(gb_plan *p, int64_t kidx, const int64_t *h, gb_error *err)
{
    gb_kernel *k = &p->kernels[kidx];
    const int64_t claim = h[GB_KH_CHANGED];
    gb_status st;
    int32_t xt;

    if ((st = gb_demand_kernel(p, kidx, h, err)) != GB_OK)
        return st;
    k->changed = 0;
    if (claim == 0)
        return GB_OK;
    if (claim == 2)
        return gb_frontier_kernel(p, kidx, err);
    xt = k->domain == GB_DOMAIN_EDGE && k->sp_slot >= 0 ? p->slot_dtypes[k->sp_slot] : GB_BOOL;
    if (claim != 1 || k->domain != GB_DOMAIN_EDGE || !k->incr || !k->push ||
        (k->agg != GB_AGG_MIN && k->agg != GB_AGG_MAX) ||
        (k->special != GB_SHAPE_GATHER && k->special != GB_SHAPE_PLUS_WEIGHT) ||
        k->demand_slot >= 0 || k->sp_slot == k->out_slot || xt == GB_BOOL ||
        p->slot_dtypes[k->out_slot] != xt)
        return gb_err_set(err, GB_EINVAL, k->loc,
                          "kernel %lld: the plan claims its changed set is carried between "
                          "passes (%lld), which it does not allow", (long long)kidx,
                          (long long)claim);
    k->changed = 1;
    return GB_OK;
}

static const int64_t *micro(const gb_kernel *k, int64_t j)
{
    return k->micro + j * GB_INSTR_WIDTH;
}

/* Whether node kernel kn is the step above for edge kernel ke; fills ke's ch_* fields. */
static int pair_holds(const gb_plan *p, gb_kernel *ke, const gb_kernel *kn)
{
    const int64_t x = ke->sp_slot, e = ke->out_slot;
    const int is_f = p->slot_dtypes[x] == GB_F64, is_min = ke->agg == GB_AGG_MIN;
    const int64_t fold = is_min ? (is_f ? GB_OP_MIN_F : GB_OP_MIN_I)
                                : (is_f ? GB_OP_MAX_F : GB_OP_MAX_I);
    const int64_t way = is_min ? (is_f ? GB_OP_LT_F : GB_OP_LT_I) : (is_f ? GB_OP_GT_F : GB_OP_GT_I);
    const int64_t back = is_min ? (is_f ? GB_OP_GT_F : GB_OP_GT_I) : (is_f ? GB_OP_LT_F : GB_OP_LT_I);
    int64_t ta = -1, tb = -1, tm, tc;
    const int64_t *w[4];
    int nrest = 0;

    if (kn->domain != GB_DOMAIN_NODE || kn->active >= 0 || kn->nmicro != 6)
        return 0;
    for (int64_t j = 0; j < kn->nmicro; j++) {
        const int64_t *u = micro(kn, j);
        if (u[0] == GB_OP_LOAD && u[3] == x && ta < 0)
            ta = u[2];
        else if (u[0] == GB_OP_LOAD && u[3] == e && tb < 0)
            tb = u[2];
        else if (u[0] == GB_OP_LOAD || nrest == 4)
            return 0;
        else
            w[nrest++] = u;
    }
    if (ta < 0 || tb < 0 || ta == tb || nrest != 4)
        return 0;
    /* m = fold(a, b) */
    tm = w[0][2];
    if (w[0][0] != fold || tm == ta || tm == tb ||
        !((w[0][3] == ta && w[0][4] == tb) || (w[0][3] == tb && w[0][4] == ta)))
        return 0;
    /* c = compare(m, a), false on equal bits */
    tc = w[1][2];
    if (tc == ta || tc == tb || tc == tm)
        return 0;
    if (!((w[1][0] == way && w[1][3] == tm && w[1][4] == ta) ||
          (w[1][0] == back && w[1][3] == ta && w[1][4] == tm) ||
          (!is_f && w[1][0] == GB_OP_NE_I &&
           ((w[1][3] == tm && w[1][4] == ta) || (w[1][3] == ta && w[1][4] == tm)))))
        return 0;
    /* red_any c and store E = m, in either order */
    if (w[2][0] == GB_OP_STORE) {
        const int64_t *t = w[2];
        w[2] = w[3], w[3] = t;
    }
    if (w[2][0] != GB_OP_RED_ANY || w[2][4] != tc || w[3][0] != GB_OP_STORE ||
        w[3][3] != e || w[3][4] != tm)
        return 0;
    ke->ch_fold = fold;
    ke->ch_fold_x_first = w[0][3] == ta;
    ke->ch_cmp = w[1][0];
    ke->ch_cmp_m_first = w[1][3] == tm;
    ke->ch_reg = w[2][3];
    return 1;
}

static int is_back_jump(const int64_t *w, int64_t pc)
{
    return (w[0] == GB_OP_JUMP && w[2] <= pc) || (w[0] == GB_OP_JUMP_IF_FALSE && w[3] <= pc);
}

/* Whether kernel k (of an instruction other than the pair's) writes slot s. */
static int kernel_stores(const gb_kernel *k, int64_t s)
{
    if (k->domain == GB_DOMAIN_EDGE && k->out_slot == s)
        return 1;
    for (int64_t j = 0; j < k->nmicro; j++)
        if (micro(k, j)[0] == GB_OP_STORE && micro(k, j)[3] == s)
            return 1;
    return 0;
}

/* The backward jump closing the one loop around pc with no loop inside it, if pc is in
 * exactly such a loop and no other instruction of it writes x or e but a swap of the
 * two; else -1. */
int64_t gb_loop_allows(const gb_plan *p, int64_t pc, int64_t x, int64_t e)
{
    int64_t tail = -1, head = -1;

    for (int64_t j = 0; j < p->ninstr; j++) {
        const int64_t *w = p->code + j * GB_INSTR_WIDTH;
        int64_t t;
        if (!is_back_jump(w, j))
            continue;
        t = w[0] == GB_OP_JUMP ? w[2] : w[3];
        if (t <= pc && pc <= j) {
            if (tail >= 0)
                return -1;   /* in two loops */
            tail = j, head = t;
        }
    }
    if (tail < 0)
        return -1;
    for (int64_t q = head; q <= tail; q++) {
        const int64_t *w = p->code + q * GB_INSTR_WIDTH;
        if (q != tail && is_back_jump(w, q))
            return -1;   /* a loop inside */
        if (q == pc)
            continue;
        switch (w[0]) {
        case GB_OP_SWAP_V:
            if ((w[2] == x || w[2] == e || w[3] == x || w[3] == e) &&
                !((w[2] == x && w[3] == e) || (w[2] == e && w[3] == x)))
                return -1;
            break;
        case GB_OP_COPY_V:
        case GB_OP_GATHER_V:
            if (w[2] == x || w[2] == e)
                return -1;
            break;
        case GB_OP_KERNEL:
        case GB_OP_FUSED:
            for (int i = 0; i < (w[0] == GB_OP_FUSED ? 2 : 1); i++)
                if (kernel_stores(&p->kernels[w[2 + i]], x) || kernel_stores(&p->kernels[w[2 + i]], e))
                    return -1;
            break;
        default:
            break;
        }
    }
    return tail;
}

gb_status gb_changed_check(gb_plan *p, gb_error *err)
{
    for (int64_t kidx = 0; kidx < p->nkernels; kidx++) {
        gb_kernel *ke = &p->kernels[kidx];
        int64_t at = -1, runs = 0;
        if (!ke->changed)
            continue;
        for (int64_t pc = 0; pc < p->ninstr; pc++) {
            const int64_t *w = p->code + pc * GB_INSTR_WIDTH;
            if ((w[0] == GB_OP_KERNEL || w[0] == GB_OP_FUSED) && w[2] == kidx)
                runs++, at = pc;
        }
        if (runs != 1 || p->code[at * GB_INSTR_WIDTH] != GB_OP_FUSED ||
            !pair_holds(p, ke, &p->kernels[p->code[at * GB_INSTR_WIDTH + 3]]) ||
            (ke->ch_tail = gb_loop_allows(p, at, ke->sp_slot, ke->out_slot)) < 0)
            return gb_err_set(err, GB_EINVAL, ke->loc,
                              "kernel %lld: the plan claims its changed set is carried between "
                              "passes, which its FUSED pair or loop does not allow",
                              (long long)kidx);
    }
    return GB_OK;
}

/* ---- the pass ---- */

enum { CHUNK = 2048, LOCAL = 256 };

typedef struct carry_job {
    gb_ctx *c;
    const gb_kernel *k;
    gb_incr *st;
    int ndirs, dirs[2];
    int64_t ntouched, nnext, degree;   /* appended to atomically */
    int bad, any;                      /* set atomically */
} carry_job;

/* Appends buf[0..*len) to list at *count (atomically), emptying buf. */
/* Lowers (is_min) or raises *slot to cand; 1 if it moved it.  *bad when the fold could
 * have kept other bits than this order-free update does (incr_push.c's rule). */
static inline int lower_f(uint64_t *slot, double cand, const int is_min, int *bad)
{
    uint64_t cur = __atomic_load_n(slot, __ATOMIC_RELAXED), want;
    double now;

    memcpy(&want, &cand, 8);
    for (;;) {
        memcpy(&now, &cur, 8);
        if (is_min ? !(cand < now) : !(cand > now)) {
            *bad |= cand != cand || (cand == now && cur != want);
            return 0;
        }
        if (__atomic_compare_exchange_n(slot, &cur, want, 1, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
            return 1;
    }
}

static inline int lower_i(uint64_t *slot, int64_t cand, const int is_min)
{
    uint64_t cur = __atomic_load_n(slot, __ATOMIC_RELAXED);
    for (;;) {
        if (is_min ? !(cand < (int64_t)cur) : !(cand > (int64_t)cur))
            return 0;
        if (__atomic_compare_exchange_n(slot, &cur, (uint64_t)cand, 1, __ATOMIC_RELAXED,
                                        __ATOMIC_RELAXED))
            return 1;
    }
}

/* The listed nodes of one chunk push; shape arguments are constants at each call. */
static inline __attribute__((always_inline)) void
push_chunk(carry_job *j, int64_t i0, int64_t i1, const int is_f, const int plus,
           const int is_min, const int ob, const int nb)
{
    gb_ctx *c = j->c;
    gb_incr *st = j->st;
    const unsigned char *x = c->slots[j->k->sp_slot];
    unsigned char *stale = c->slots[j->k->out_slot];
    uint64_t *kept = (uint64_t *)(void *)st->prev_out;
    int64_t buf[LOCAL];
    int len = 0, bad = 0;

    for (int64_t i = i0; i < i1; i++) {
        const int64_t u = st->list[i];
        double xf;
        int64_t xi;
        bad |= !gb_push_improves(j->k->agg, is_f ? GB_F64 : GB_I64, x + u * 8, stale + u * 8);
        memcpy(stale + u * 8, x + u * 8, 8);
        memcpy(&xf, x + u * 8, 8);
        memcpy(&xi, x + u * 8, 8);
        for (int q = 0; q < j->ndirs; q++) {
            const void *off = c->off[j->dirs[q]], *adj = c->adj[j->dirs[q]];
            const double *wt = c->wt[j->dirs[q]];
            const int64_t end = gb_idx_get(off, ob, u + 1);
            for (int64_t e = gb_idx_get(off, ob, u); e < end; e++) {
                const int64_t v = gb_idx_get(adj, nb, e);
                const int moved = is_f ? lower_f(kept + v, plus ? xf + (wt != NULL ? wt[e] : 1.0)
                                                                : xf, is_min, &bad)
                                       : lower_i(kept + v, xi, is_min);
                if (!moved || __atomic_exchange_n(&st->flag[v], 1, __ATOMIC_RELAXED))
                    continue;
                buf[len++] = v;
                if (len == LOCAL)
                    gb_list_flush(st->touched, &j->ntouched, buf, &len);
            }
        }
    }
    gb_list_flush(st->touched, &j->ntouched, buf, &len);
    if (bad)
        __atomic_store_n(&j->bad, 1, __ATOMIC_RELAXED);
}

static gb_status push_item(void *arg, int worker, int64_t item)
{
    carry_job *j = arg;
    const gb_ctx *c = j->c;
    const int64_t i0 = item * CHUNK;
    const int64_t i1 = j->st->count - i0 < CHUNK ? j->st->count : i0 + CHUNK;
    const int is_f = c->p->slot_dtypes[j->k->sp_slot] == GB_F64;
    const int plus = j->k->special == GB_SHAPE_PLUS_WEIGHT, is_min = j->k->agg == GB_AGG_MIN;

    (void)worker;
#define PUSH(OB, NB)                                                                    \
    (!is_f ? (is_min ? push_chunk(j, i0, i1, 0, 0, 1, OB, NB)                           \
                     : push_chunk(j, i0, i1, 0, 0, 0, OB, NB))                          \
     : plus ? (is_min ? push_chunk(j, i0, i1, 1, 1, 1, OB, NB)                          \
                      : push_chunk(j, i0, i1, 1, 1, 0, OB, NB))                         \
            : (is_min ? push_chunk(j, i0, i1, 1, 0, 1, OB, NB)                          \
                      : push_chunk(j, i0, i1, 1, 0, 0, OB, NB)))
    GB_BY_WIDTHS(c->ob, c->nb, PUSH);
#undef PUSH
    return GB_OK;
}

/* The lowered nodes of one chunk take the node kernel's step. */
static gb_status settle_item(void *arg, int worker, int64_t item)
{
    carry_job *j = arg;
    gb_ctx *c = j->c;
    const gb_kernel *k = j->k;
    gb_incr *st = j->st;
    const int64_t i0 = item * CHUNK;
    const int64_t i1 = j->ntouched - i0 < CHUNK ? j->ntouched : i0 + CHUNK;
    const gb_value *x = c->slots[k->sp_slot], *kept = (const gb_value *)(void *)st->prev_out;
    gb_value *out = c->slots[k->out_slot];
    int64_t buf[LOCAL], degree = 0, any = 0;
    int len = 0;

    (void)worker;
    for (int64_t i = i0; i < i1; i++) {
        const int64_t v = st->touched[i];
        gb_value m, cmp, none = { 0 };
        int64_t bad = 0;
        st->flag[v] = 0;
        /* the node kernel's own opcodes, operands in its order (they cannot fail) */
        gb_ops_apply(k->ch_fold, 1, &m, k->ch_fold_x_first ? &x[v] : &kept[v],
                     k->ch_fold_x_first ? &kept[v] : &x[v], &none, &bad);
        gb_ops_apply(k->ch_cmp, 1, &cmp, k->ch_cmp_m_first ? &m : &x[v],
                     k->ch_cmp_m_first ? &x[v] : &m, &none, &bad);
        any |= cmp.i;
        out[v] = m;
        if (memcmp(&m, &x[v], 8) == 0)
            continue;
        degree += gb_dirs_degree(c, j->dirs, j->ndirs, v);
        buf[len++] = v;
        if (len == LOCAL)
            gb_list_flush(st->next, &j->nnext, buf, &len);
    }
    gb_list_flush(st->next, &j->nnext, buf, &len);
    __atomic_fetch_add(&j->degree, degree, __ATOMIC_RELAXED);
    if (any)
        __atomic_store_n(&j->any, 1, __ATOMIC_RELAXED);
    return GB_OK;
}

static int64_t arcs_of(const gb_ctx *c, const carry_job *j)
{
    int64_t arcs = 0;
    for (int q = 0; q < j->ndirs; q++)
        arcs += gb_ctx_off(c, j->dirs[q], c->n);
    return arcs;
}

static void remember(gb_ctx *c, const gb_kernel *k, gb_incr *st)
{
    st->carry = 1;
    st->back_seen = c->back_jumps;
    st->buf_x = c->slots[k->sp_slot];
    st->buf_e = c->slots[k->out_slot];
}

gb_status gb_changed_pass(gb_ctx *c, const gb_kernel *ke, int *done)
{
    gb_incr *st = gb_incr_state(c, ke);
    carry_job j;
    gb_status s;
    int64_t *t;

    *done = 0;
    if (st == NULL || !st->carry)
        return GB_OK;
    st->carry = 0;
    memset(&j, 0, sizeof j);
    j.c = c, j.k = ke, j.st = st;
    j.ndirs = gb_incr_reverse_dirs(c, ke, j.dirs);
    /* the next pass of the loop, with x' now in x's slot and x in E's */
    if (c->back_jumps != st->back_seen + 1 || c->back_from != ke->ch_tail ||
        c->slots[ke->sp_slot] != st->buf_e || c->slots[ke->out_slot] != st->buf_x ||
        st->degree > arcs_of(c, &j) / 2)
        return GB_OK;
    if ((s = gb_run_items(c, (st->count + CHUNK - 1) / CHUNK, push_item, &j)) != GB_OK)
        return s;
    if (j.bad) {   /* run in full: it recomputes every result and writes all of E */
        for (int64_t i = 0; i < j.ntouched; i++)
            st->flag[st->touched[i]] = 0;
        gb_incr_forget(c, ke);
        return GB_OK;
    }
    if ((s = gb_run_items(c, (j.ntouched + CHUNK - 1) / CHUNK, settle_item, &j)) != GB_OK)
        return s;
    c->regs[ke->ch_reg].i = j.any;
    t = st->list, st->list = st->next, st->next = t;
    st->count = j.nnext;
    st->degree = j.degree;
    gb_incr_carried(st);
    remember(c, ke, st);
    *done = 1;
    return GB_OK;
}

/* One node item's nodes whose x' and x differ, into c->changed (incremental.c's layout). */
static gb_status capture_item(void *arg, int worker, int64_t item)
{
    carry_job *j = arg;
    gb_ctx *c = j->c;
    int64_t v0, v1;
    const uint64_t *x = c->slots[j->k->sp_slot], *out = c->slots[j->k->out_slot];
    int64_t count = 0, degree = 0;

    (void)worker;
    gb_node_item_range(c, item, &v0, &v1);
    for (int64_t v = v0; v < v1; v++) {
        if (x[v] == out[v])
            continue;
        c->changed[v0 + count++] = v;
        degree += gb_dirs_degree(c, j->dirs, j->ndirs, v);
    }
    c->item_changed[item] = count;
    c->item_degree[item] = degree;
    return GB_OK;
}

gb_status gb_changed_capture(gb_ctx *c, const gb_kernel *ke)
{
    gb_incr *st = gb_incr_state(c, ke);
    carry_job j;
    gb_status s;

    if (st == NULL || c->dense_nodes)
        return GB_OK;
    memset(&j, 0, sizeof j);
    j.c = c, j.k = ke, j.st = st;
    j.ndirs = gb_incr_reverse_dirs(c, ke, j.dirs);
    if ((s = gb_run_items(c, c->node_items.count, capture_item, &j)) != GB_OK)
        return s;
    st->count = st->degree = 0;
    for (int64_t i = 0; i < c->node_items.count; i++) {
        memcpy(st->list + st->count, c->changed + c->node_items.bound[i] * GB_NODE_BLOCK,
               (size_t)c->item_changed[i] * sizeof(int64_t));
        st->count += c->item_changed[i];
        st->degree += c->item_degree[i];
    }
    remember(c, ke, st);
    return GB_OK;
}
