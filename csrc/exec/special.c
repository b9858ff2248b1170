/*
 * special.c — the common edge-kernel shapes as plain CSR loops, with no interpretation
 * per edge: for each node, one pass over its neighbor array reading the gathered slot
 * (and weight or filter slot), the aggregation in a register, the result stored.
 * PageRank's gather-sum over in-edges becomes exactly the hand-written pull loop
 * `for e in in_off[v] .. in_off[v+1]: sum += contrib[in_nbr[e]]`.
 *
 * The plan names each kernel's shape (gb_shape, GB_KH_SHAPE); claims.c checks it
 * against the micro-ops at gb_plan_create.  Each loop folds a node's values in CSR order with the same
 * expressions as edge.c's FOLD, so its results are the generic path's bits (a test runs
 * both through gb_plan_tune).  Loops are instantiated per aggregation, value type and
 * index widths (int32/int32, int64 offsets with int32 neighbors, int64/int64) from one
 * always-inline template whose shape and width arguments are constants, so no loop
 * branches on the width per edge.
 */
#include "exec_internal.h"

/* ---- the loops ---- */

/* Everything a loop reads, fixed for one node range. */
typedef struct sp_env {
    int nr;                          /* CSR ranges per node: 2 for BOTH on a directed graph */
    const void *off[2], *adj[2];     /* offsets and neighbors of the loop's widths */
    const double *wt[2];             /* NULL: unweighted */
    const void *xs, *fs;             /* the value slot and the filter slot */
    void *out;
    int32_t out_dt;
    int dkind;                       /* gb_default */
    gb_value dval;                   /* GB_DEFAULT_IDENTITY / GB_DEFAULT_REG */
    const void *dslot;               /* GB_DEFAULT_SLOT */
    int32_t ddt;
    uint64_t *keys;                  /* mode */
} sp_env;

enum { V_F, V_I, V_B };              /* the value slot: float, int, bool */
enum { F_NONE, F_I, F_B };           /* the filter slot: none, int, bool */
enum { W_NONE, W_PLUS, W_TIMES };    /* the value with the edge weight */

/* Writes v's result, or its default if no edge was kept.  The fold starts from the
 * aggregation's identity, so with no default given only mean and mode look at kept
 * (first, so that empty nodes cost no mispredicted branch). */
static inline void put(const sp_env *e, int64_t v, gb_value r, int64_t kept, int agg)
{
    if ((e->dkind != GB_DEFAULT_IDENTITY || agg == GB_AGG_MEAN || agg == GB_AGG_MODE) &&
        kept == 0) {
        if (e->dkind != GB_DEFAULT_SLOT)
            r = e->dval;
        else if (e->ddt == GB_F64)
            r.f = ((const double *)e->dslot)[v];
        else if (e->ddt == GB_I64)
            r.i = ((const int64_t *)e->dslot)[v];
        else
            r.i = ((const uint8_t *)e->dslot)[v] != 0;
    }
    if (e->out_dt == GB_F64)
        ((double *)e->out)[v] = r.f;
    else if (e->out_dt == GB_I64)
        ((int64_t *)e->out)[v] = r.i;
    else
        ((uint8_t *)e->out)[v] = r.i != 0;
}

static inline int64_t wrap_add(int64_t a, int64_t b)
{
    return (int64_t)((uint64_t)a + (uint64_t)b);
}

/* The template: agg, vk, fk, wk, weighted and the index widths ob, nb are constants at
 * every call site. */
static inline __attribute__((always_inline)) void
sp_loop(const sp_env *e, int64_t v0, int64_t v1, const int agg, const int vk, const int fk,
        const int wk, const int weighted, const int ob, const int nb)
{
    const double *xf = e->xs;
    const int64_t *xi = e->xs, *fi = e->fs;
    const uint8_t *xb = e->xs, *fb = e->fs;
    uint64_t *keys = e->keys;

    for (int64_t v = v0; v < v1; v++) {
        double af = agg == GB_AGG_MIN ? INFINITY : agg == GB_AGG_MAX ? -INFINITY : 0.0;
        int64_t ai = agg == GB_AGG_MIN ? INT64_MAX : agg == GB_AGG_MAX ? INT64_MIN
                     : agg == GB_AGG_ALL ? 1 : 0;
        int64_t kept = 0;
        gb_value r;
        for (int q = 0; q < e->nr; q++) {
            const void *adj = e->adj[q];
            const double *wt = e->wt[q];
            const int64_t start = gb_idx_get(e->off[q], ob, v);
            const int64_t end = gb_idx_get(e->off[q], ob, v + 1);
            if (fk == F_NONE && agg != GB_AGG_MODE)
                kept += end - start;
            for (int64_t j = start; j < end; j++) {
                const int64_t u = gb_idx_get(adj, nb, j);
                if ((fk == F_I && fi[u] == 0) || (fk == F_B && fb[u] == 0))
                    continue;
                if (vk == V_F) {
                    double x = xf[u];
                    if (wk == W_PLUS)
                        x = x + (weighted ? wt[j] : 1.0);
                    else if (wk == W_TIMES)
                        x = x * (weighted ? wt[j] : 1.0);
                    switch (agg) {
                    case GB_AGG_SUM: case GB_AGG_MEAN: af += x; break;
                    case GB_AGG_MIN: af = (x < af || x != x) ? x : af; break;
                    case GB_AGG_MAX: af = (x > af || x != x) ? x : af; break;
                    default: keys[kept] = gb_key_f(x); break;
                    }
                } else {
                    const int64_t x = vk == V_I ? xi[u] : xb[u] != 0;
                    switch (agg) {
                    case GB_AGG_SUM: ai = wrap_add(ai, x); break;
                    case GB_AGG_MIN: ai = x < ai ? x : ai; break;
                    case GB_AGG_MAX: ai = x > ai ? x : ai; break;
                    case GB_AGG_COUNT: ai += x != 0; break;
                    case GB_AGG_ANY: ai |= x != 0; break;
                    case GB_AGG_ALL: ai &= x != 0; break;
                    case GB_AGG_MEAN: af += (double)x; break;
                    default: keys[kept] = gb_key_i(x); break;
                    }
                }
                if (fk != F_NONE || agg == GB_AGG_MODE)
                    kept++;
                /* any and all are settled by the first true or false: bottom-up BFS */
                if ((agg == GB_AGG_ANY && ai) || (agg == GB_AGG_ALL && !ai))
                    goto settled;
            }
        }
settled:
        if (vk == V_F)
            r.f = af;
        else
            r.i = ai;
        if (agg == GB_AGG_MODE && kept > 0) {
            uint64_t m = gb_mode_key(keys, kept);
            if (vk == V_F)
                r.f = gb_unkey_f(m);
            else
                r.i = gb_unkey_i(m);
        } else if (agg == GB_AGG_MEAN && kept > 0) {
            r.f = af / (double)kept;
        }
        put(e, v, r, kept, agg);
    }
}

static inline __attribute__((always_inline)) void
count_all(const sp_env *e, int64_t v0, int64_t v1, int64_t imm, const int ob)
{
    for (int64_t v = v0; v < v1; v++) {
        int64_t deg = 0;
        gb_value r;
        for (int q = 0; q < e->nr; q++)
            deg += gb_idx_get(e->off[q], ob, v + 1) - gb_idx_get(e->off[q], ob, v);
        r.i = imm != 0 ? deg : 0;
        put(e, v, r, deg, GB_AGG_COUNT);
    }
}

#define SP(AGG, VK, FK, WK, WTD)                                                       \
    do {                                                                               \
        sp_loop(e, v0, v1, AGG, VK, FK, WK, WTD, ob, nb);                              \
        return;                                                                        \
    } while (0)

/* Float values: sum, min, max, mean, mode. */
#define AGGS_F(FK)                                                                     \
    switch (k->agg) {                                                                  \
    case GB_AGG_SUM: SP(GB_AGG_SUM, V_F, FK, W_NONE, 0);                               \
    case GB_AGG_MIN: SP(GB_AGG_MIN, V_F, FK, W_NONE, 0);                               \
    case GB_AGG_MAX: SP(GB_AGG_MAX, V_F, FK, W_NONE, 0);                               \
    case GB_AGG_MEAN: SP(GB_AGG_MEAN, V_F, FK, W_NONE, 0);                             \
    default: SP(GB_AGG_MODE, V_F, FK, W_NONE, 0);                                      \
    }

/* Int or bool values: every aggregation. */
#define AGGS_I(VK, FK)                                                                 \
    switch (k->agg) {                                                                  \
    case GB_AGG_SUM: SP(GB_AGG_SUM, VK, FK, W_NONE, 0);                                \
    case GB_AGG_MIN: SP(GB_AGG_MIN, VK, FK, W_NONE, 0);                                \
    case GB_AGG_MAX: SP(GB_AGG_MAX, VK, FK, W_NONE, 0);                                \
    case GB_AGG_COUNT: SP(GB_AGG_COUNT, VK, FK, W_NONE, 0);                            \
    case GB_AGG_ANY: SP(GB_AGG_ANY, VK, FK, W_NONE, 0);                                \
    case GB_AGG_ALL: SP(GB_AGG_ALL, VK, FK, W_NONE, 0);                                \
    case GB_AGG_MEAN: SP(GB_AGG_MEAN, VK, FK, W_NONE, 0);                              \
    default: SP(GB_AGG_MODE, VK, FK, W_NONE, 0);                                       \
    }

static inline __attribute__((always_inline)) void
run_gather(const sp_env *e, const gb_kernel *k, int vk, int fk, int64_t v0, int64_t v1,
           const int ob, const int nb)
{
    switch (vk * 3 + fk) {
    case V_F * 3 + F_NONE: AGGS_F(F_NONE);
    case V_F * 3 + F_I: AGGS_F(F_I);
    case V_F * 3 + F_B: AGGS_F(F_B);
    case V_I * 3 + F_NONE: AGGS_I(V_I, F_NONE);
    case V_I * 3 + F_I: AGGS_I(V_I, F_I);
    case V_I * 3 + F_B: AGGS_I(V_I, F_B);
    case V_B * 3 + F_NONE: AGGS_I(V_B, F_NONE);
    case V_B * 3 + F_I: AGGS_I(V_B, F_I);
    default: AGGS_I(V_B, F_B);
    }
}

static inline __attribute__((always_inline)) void
run_weighted(const sp_env *e, const gb_kernel *k, int64_t v0, int64_t v1, const int ob,
             const int nb)
{
    const int weighted = e->wt[0] != NULL;
    if (k->special == GB_SHAPE_TIMES_WEIGHT) {
        if (weighted)
            SP(GB_AGG_SUM, V_F, F_NONE, W_TIMES, 1);
        SP(GB_AGG_SUM, V_F, F_NONE, W_TIMES, 0);
    }
    switch (k->agg * 2 + weighted) {
    case GB_AGG_SUM * 2 + 1: SP(GB_AGG_SUM, V_F, F_NONE, W_PLUS, 1);
    case GB_AGG_SUM * 2: SP(GB_AGG_SUM, V_F, F_NONE, W_PLUS, 0);
    case GB_AGG_MIN * 2 + 1: SP(GB_AGG_MIN, V_F, F_NONE, W_PLUS, 1);
    case GB_AGG_MIN * 2: SP(GB_AGG_MIN, V_F, F_NONE, W_PLUS, 0);
    case GB_AGG_MAX * 2 + 1: SP(GB_AGG_MAX, V_F, F_NONE, W_PLUS, 1);
    default: SP(GB_AGG_MAX, V_F, F_NONE, W_PLUS, 0);
    }
}

/* One node range of the kernel's shape, at index widths ob, nb (constants). */
static inline __attribute__((always_inline)) void
run_shape(const sp_env *e, const gb_kernel *k, int vk, int fk, int64_t v0, int64_t v1,
          const int ob, const int nb)
{
    switch (k->special) {
    case GB_SHAPE_COUNT:
        count_all(e, v0, v1, k->sp_imm, ob);
        break;
    case GB_SHAPE_PLUS_WEIGHT: case GB_SHAPE_TIMES_WEIGHT:
        run_weighted(e, k, v0, v1, ob, nb);
        break;
    default:
        run_gather(e, k, vk, fk, v0, v1, ob, nb);
        break;
    }
}

static void run_44(const sp_env *e, const gb_kernel *k, int vk, int fk, int64_t v0, int64_t v1)
{
    run_shape(e, k, vk, fk, v0, v1, 4, 4);
}

static void run_84(const sp_env *e, const gb_kernel *k, int vk, int fk, int64_t v0, int64_t v1)
{
    run_shape(e, k, vk, fk, v0, v1, 8, 4);
}

static void run_88(const sp_env *e, const gb_kernel *k, int vk, int fk, int64_t v0, int64_t v1)
{
    run_shape(e, k, vk, fk, v0, v1, 8, 8);
}

int gb_special_handles(const gb_ctx *c)
{
    return !(c->ob == 4 && c->nb == 8);
}

static int value_kind(int32_t dt)
{
    return dt == GB_F64 ? V_F : dt == GB_I64 ? V_I : V_B;
}

/* Nodes between interrupt polls: small enough to stop within a millisecond or so. */
#define POLL_NODES 4096

gb_status gb_special_range(gb_ctx *c, const gb_kernel *k, gb_scratch *s, int64_t v0,
                           int64_t v1, int64_t instr_loc)
{
    const gb_plan *p = c->p;
    const int d1 = k->dir == GB_DIR_IN ? GB_DIR_IN : GB_DIR_OUT;
    sp_env e;
    int vk = V_I, fk = F_NONE;

    memset(&e, 0, sizeof e);
    e.nr = k->dir == GB_DIR_BOTH && c->directed ? 2 : 1;
    e.off[0] = c->off[d1];
    e.adj[0] = c->adj[d1];
    e.wt[0] = c->wt[d1];
    e.off[1] = c->off[GB_DIR_IN];
    e.adj[1] = c->adj[GB_DIR_IN];
    e.wt[1] = c->wt[GB_DIR_IN];
    e.out = c->slots[k->out_slot];
    e.out_dt = p->slot_dtypes[k->out_slot];
    e.dkind = k->default_kind;
    e.dval = k->default_kind == GB_DEFAULT_REG ? c->regs[k->default_index] : gb_agg_identity(k);
    if (k->default_kind == GB_DEFAULT_SLOT) {
        e.dslot = c->slots[k->default_index];
        e.ddt = p->slot_dtypes[k->default_index];
    }
    e.keys = s->keys;
    if (k->special != GB_SHAPE_COUNT) {
        e.xs = c->slots[k->sp_slot];
        vk = value_kind(p->slot_dtypes[k->sp_slot]);
    }
    if (k->special == GB_SHAPE_GATHER_IF) {
        e.fs = c->slots[k->sp_filter];
        fk = p->slot_dtypes[k->sp_filter] == GB_I64 ? F_I : F_B;
    }
    for (int64_t a = v0; a < v1; a += POLL_NODES) {
        const int64_t b = v1 - a < POLL_NODES ? v1 : a + POLL_NODES;
        if (gb_interrupted(c))
            return gb_err_set(&s->err, GB_EINTR, gb_kernel_loc(k, -1, instr_loc), "interrupted");
        if (c->nb == 4)
            (c->ob == 4 ? run_44 : run_84)(&e, k, vk, fk, a, b);
        else
            run_88(&e, k, vk, fk, a, b);
    }
    return GB_OK;
}
