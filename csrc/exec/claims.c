/*
 * claims.c — the compiler's decisions, as the plan states them, checked.
 *
 * The plan says how each edge kernel runs (GB_KH_SHAPE, GB_KH_DIRECTIONS, GB_KH_FRONTIER,
 * GB_KH_INCREMENTAL) and which consecutive kernels form a level (word d of KERNEL and
 * FUSED).  The executor does what the plan says; this file makes sure it is allowed: a
 * shape must be what the micro-ops compute, an incremental or push form must give a full
 * pass's bits for this kernel, a level's ops must be independent.  Claiming less is always
 * allowed (the generic loop, pull, dense, every op alone give the same results); claiming
 * more than the micro-ops allow is an error, so a crafted plan can slow a run down but
 * never change its answer or crash it.
 */
#include <stdlib.h>

#include "exec_internal.h"

static const char *const SHAPE_NAMES[] = {
    "generic", "gather", "gather_if", "plus_weight", "times_weight", "count", "intersect",
    "active_size",
};

/* ---- the shape the micro-ops compute ---- */

static const int64_t *micro_at(const gb_kernel *k, int64_t j)
{
    return k->micro + j * GB_INSTR_WIDTH;
}

/* The generic path reads a float slot's bits for a float aggregation and an int or
 * bool slot's value otherwise; other pairings stay generic. */
static int value_slot_ok(const gb_plan *p, const gb_kernel *k, int64_t slot)
{
    return (p->slot_dtypes[slot] == GB_F64) == (k->agg_float != 0);
}

/* The shape of edge kernel k's micro-ops (GB_SHAPE_GENERIC if none), with its value slot,
 * filter slot or COUNT's immediate in sp. */
static int shape_of(const gb_plan *p, const gb_kernel *k, int64_t sp[3])
{
    const int64_t *a, *b, *op;

    sp[0] = sp[1] = sp[2] = -1;
    if (k->domain != GB_DOMAIN_EDGE)
        return GB_SHAPE_GENERIC;
    switch (k->nmicro) {
    case 1:
        a = micro_at(k, 0);
        if (k->filter_temp != -1 || a[2] != k->value_temp)
            return GB_SHAPE_GENERIC;
        if (a[0] == GB_OP_GATHER && value_slot_ok(p, k, a[3])) {
            sp[0] = a[3];
            return GB_SHAPE_GATHER;
        }
        if (a[0] == GB_OP_IMM && k->agg == GB_AGG_COUNT) {
            sp[2] = a[3];
            return GB_SHAPE_COUNT;
        }
        if (a[0] == GB_OP_COMMON && k->agg == GB_AGG_SUM && !k->agg_float &&
            k->default_kind == GB_DEFAULT_IDENTITY && p->slot_dtypes[k->out_slot] == GB_I64)
            return GB_SHAPE_INTERSECT;
        return GB_SHAPE_GENERIC;
    case 2:
        /* the value's gather and the filter's, in either order */
        a = micro_at(k, 0);
        b = micro_at(k, 1);
        if (a[0] != GB_OP_GATHER || b[0] != GB_OP_GATHER || k->filter_temp < 0 || a[2] == b[2])
            return GB_SHAPE_GENERIC;
        if (b[2] == k->value_temp) {
            const int64_t *t = a;
            a = b;
            b = t;
        }
        if (a[2] != k->value_temp || b[2] != k->filter_temp || !value_slot_ok(p, k, a[3]) ||
            p->slot_dtypes[b[3]] == GB_F64)   /* a float filter is tested by its bits */
            return GB_SHAPE_GENERIC;
        sp[0] = a[3];
        sp[1] = b[3];
        return GB_SHAPE_GATHER_IF;
    case 3: {
        const int64_t *g, *w;
        a = micro_at(k, 0);
        b = micro_at(k, 1);
        op = micro_at(k, 2);
        g = a[0] == GB_OP_GATHER ? a : b;
        w = a[0] == GB_OP_GATHER ? b : a;
        if (g[0] != GB_OP_GATHER || w[0] != GB_OP_WEIGHT || g[2] == w[2] || k->filter_temp != -1 ||
            op[2] != k->value_temp || op[3] != g[2] || op[4] != w[2] || !k->agg_float ||
            p->slot_dtypes[g[3]] != GB_F64)
            return GB_SHAPE_GENERIC;
        sp[0] = g[3];
        /* min/max over x * 1.0 is left out: a compiler may drop the multiply, which would
         * keep a signaling NaN that the generic path quiets */
        if (op[0] == GB_OP_ADD_F &&
            (k->agg == GB_AGG_SUM || k->agg == GB_AGG_MIN || k->agg == GB_AGG_MAX))
            return GB_SHAPE_PLUS_WEIGHT;
        if (op[0] == GB_OP_MUL_F && k->agg == GB_AGG_SUM)
            return GB_SHAPE_TIMES_WEIGHT;
        return GB_SHAPE_GENERIC;
    }
    default:
        return GB_SHAPE_GENERIC;
    }
}

/* ---- what the incremental and push forms need (k's shape already set) ---- */

/* The result at v is a function of the gathered slots at v's neighbors, the weights and
 * v's default alone, none of them the output, and the aggregation's inputs tend to settle
 * (a float sum changes wherever any input does: iterating one would never skip a node). */
static int incremental_ok(const gb_kernel *k)
{
    int selective = k->agg == GB_AGG_MIN || k->agg == GB_AGG_MAX || k->agg == GB_AGG_ANY ||
                    k->agg == GB_AGG_ALL || k->agg == GB_AGG_MODE || k->agg == GB_AGG_COUNT;
    int pure = k->special == GB_SHAPE_GATHER || k->special == GB_SHAPE_GATHER_IF ||
               k->special == GB_SHAPE_PLUS_WEIGHT || k->special == GB_SHAPE_TIMES_WEIGHT;
    return k->domain == GB_DOMAIN_EDGE && selective && pure &&
           k->default_kind != GB_DEFAULT_REG && k->out_slot != k->sp_slot &&
           (k->special != GB_SHAPE_GATHER_IF || k->out_slot != k->sp_filter) &&
           (k->default_kind != GB_DEFAULT_SLOT || k->default_index != k->out_slot);
}

/* min or max of x[u] or x[u] + weight, x and the result alike, or count of a bool x[u]
 * (incr_push.c); a slot default would change with the node's own input: only the pull
 * form tracks it. */
static int push_ok(const gb_plan *p, const gb_kernel *k)
{
    int32_t xt, ot;
    if (!incremental_ok(k) || (k->special != GB_SHAPE_GATHER && k->special != GB_SHAPE_PLUS_WEIGHT))
        return 0;
    xt = p->slot_dtypes[k->sp_slot];
    ot = p->slot_dtypes[k->out_slot];
    if (k->agg == GB_AGG_COUNT)
        return k->special == GB_SHAPE_GATHER && k->default_kind != GB_DEFAULT_SLOT &&
               xt == GB_BOOL && ot == GB_I64;
    return (k->agg == GB_AGG_MIN || k->agg == GB_AGG_MAX) && k->default_kind != GB_DEFAULT_SLOT &&
           xt == ot && (xt == GB_F64 || xt == GB_I64);
}

void gb_claims_allowed(const gb_plan *p, int64_t kidx, int64_t out[4])
{
    gb_kernel k = p->kernels[kidx];
    int64_t sp[3];

    out[0] = out[2] = out[3] = 0;
    out[1] = k.domain == GB_DOMAIN_EDGE ? GB_FORM_PULL : 0;
    if (k.domain != GB_DOMAIN_EDGE)
        return;
    k.special = shape_of(p, &k, sp);
    k.sp_slot = sp[0];
    k.sp_filter = sp[1];
    out[0] = k.special;
    if (incremental_ok(&k)) {
        out[2] = GB_FRONTIER_SWITCHING;
        out[3] = 1;
        if (push_ok(p, &k))
            out[1] |= GB_FORM_PUSH;
    }
}

/* Whether node kernel k (its active slot G already checked) only loads G and reduces those
 * loads by any or count: at G's true nodes every load is 1, so each result depends only on
 * how many there are. */
static int counts_active_set(const gb_kernel *k)
{
    int loaded[GB_MAX_TEMPS] = { 0 }, reductions = 0;
    if (k->active < 0)
        return 0;
    for (int64_t j = 0; j < k->nmicro; j++) {
        const int64_t *w = k->micro + j * GB_INSTR_WIDTH;
        if (w[0] == GB_OP_LOAD && w[3] == k->active && w[2] >= 0 && w[2] < GB_MAX_TEMPS)
            loaded[w[2]] = 1;
        else if ((w[0] == GB_OP_RED_ANY || w[0] == GB_OP_RED_COUNT) && w[4] >= 0 &&
                 w[4] < GB_MAX_TEMPS && loaded[w[4]])
            reductions++;
        else
            return 0;
    }
    return reductions > 0;
}

static gb_status cfail(gb_error *err, int64_t kidx, int64_t loc, const char *what, int64_t value)
{
    return gb_err_set(err, GB_EINVAL, loc,
                      "kernel %lld: the plan claims %s (%lld), which its micro-ops do not allow",
                      (long long)kidx, what, (long long)value);
}

gb_status gb_claims_kernel(gb_plan *p, int64_t kidx, const int64_t *h, gb_error *err)
{
    gb_kernel *k = &p->kernels[kidx];
    const int64_t shape = h[GB_KH_SHAPE], dirs = h[GB_KH_DIRECTIONS];
    const int64_t frontier = h[GB_KH_FRONTIER], incr = h[GB_KH_INCREMENTAL];
    int64_t sp[3];
    int actual;
    gb_status st;

    if ((st = gb_active_check(p, kidx, h[GB_KH_ACTIVE], err)) != GB_OK)
        return st;
    if (k->domain != GB_DOMAIN_EDGE) {
        if (shape == GB_SHAPE_ACTIVE_SIZE && !counts_active_set(k))
            return cfail(err, kidx, k->loc, "results from its active set's size", shape);
        if ((shape != 0 && shape != GB_SHAPE_ACTIVE_SIZE) || dirs != 0 || frontier != 0 || incr != 0)
            return cfail(err, kidx, k->loc, "an edge kernel's form for a node kernel",
                         shape | dirs | frontier | incr);
        k->special = (int)shape;
        return gb_changed_kernel(p, kidx, h, err);
    }
    if (shape == GB_SHAPE_ACTIVE_SIZE)   /* a node kernel's: an edge kernel has no active set */
        return cfail(err, kidx, k->loc, "results from its active set's size", shape);
    if (shape < GB_SHAPE_GENERIC || shape > GB_SHAPE_INTERSECT)
        return cfail(err, kidx, k->loc, "an unknown shape", shape);
    actual = shape_of(p, k, sp);
    if (shape != GB_SHAPE_GENERIC && shape != actual)
        return gb_err_set(err, GB_EINVAL, k->loc,
                          "kernel %lld: the plan claims shape %s, but its micro-ops are %s",
                          (long long)kidx, SHAPE_NAMES[shape], SHAPE_NAMES[actual]);
    k->special = (int)shape;
    if (shape != GB_SHAPE_GENERIC) {
        k->sp_slot = sp[0];
        k->sp_filter = sp[1];
        k->sp_imm = sp[2];
    }
    if (dirs != GB_FORM_PULL && dirs != (GB_FORM_PULL | GB_FORM_PUSH))
        return cfail(err, kidx, k->loc, "direction forms other than pull or pull+push", dirs);
    if (frontier < GB_FRONTIER_DENSE || frontier > GB_FRONTIER_SWITCHING)
        return cfail(err, kidx, k->loc, "an unknown frontier form", frontier);
    if (incr != (frontier != GB_FRONTIER_DENSE))
        return cfail(err, kidx, k->loc,
                     "incremental passes unlike its frontier form (incremental exactly when "
                     "not dense)", incr);
    if (incr && !incremental_ok(k))
        return cfail(err, kidx, k->loc, "incremental passes", incr);
    if ((dirs & GB_FORM_PUSH) && (!incr || !push_ok(p, k)))
        return cfail(err, kidx, k->loc, "the push form", dirs);
    k->incr = (int)incr;
    k->frontier = (int)frontier;
    k->push = (dirs & GB_FORM_PUSH) != 0;
    return gb_changed_kernel(p, kidx, h, err);
}

/* ---- levels ---- */

enum { ACC_READ = 1, ACC_WRITE = 2 };

/* How kernel k accesses slot (is_reg 0) or register (is_reg 1) `index`: ACC_* bits. */
static int kernel_access(const gb_kernel *k, int is_reg, int64_t index)
{
    int acc = 0;
    for (int64_t j = 0; j < k->nmicro; j++) {
        const int64_t *w = k->micro + j * GB_INSTR_WIDTH;
        if (w[3] != index)
            continue;
        switch (w[0]) {
        case GB_OP_LOAD: case GB_OP_GATHER:
            acc |= is_reg ? 0 : ACC_READ;
            break;
        case GB_OP_STORE:
            acc |= is_reg ? 0 : ACC_WRITE;
            break;
        case GB_OP_BCAST: case GB_OP_RANDOM:
            acc |= is_reg ? ACC_READ : 0;
            break;
        default:
            if (w[0] >= GB_OP_RED_SUM_I)
                acc |= is_reg ? ACC_WRITE : 0;
            break;
        }
    }
    if (k->domain == GB_DOMAIN_EDGE) {
        if (!is_reg && k->out_slot == index)
            acc |= ACC_WRITE;
        if (k->default_index == index &&
            k->default_kind == (is_reg ? GB_DEFAULT_REG : GB_DEFAULT_SLOT))
            acc |= ACC_READ;
    }
    return acc;
}

/* The kernels an instruction runs: one, or a FUSED pair. */
static int instr_kernels(const gb_plan *p, int64_t pc, const gb_kernel *out[2])
{
    const int64_t *w = p->code + pc * GB_INSTR_WIDTH;
    out[0] = &p->kernels[w[2]];
    out[1] = w[0] == GB_OP_FUSED ? &p->kernels[w[3]] : NULL;
    return out[1] != NULL ? 2 : 1;
}

/* Whether anything a writes, b reads or writes (slots and registers). */
static int writes_into(const gb_kernel *a, const gb_kernel *b)
{
    if (a->domain == GB_DOMAIN_EDGE && kernel_access(b, 0, a->out_slot) != 0)
        return 1;
    for (int64_t j = 0; j < a->nmicro; j++) {
        const int64_t *w = a->micro + j * GB_INSTR_WIDTH;
        if (w[0] == GB_OP_STORE && kernel_access(b, 0, w[3]) != 0)
            return 1;
        if (w[0] >= GB_OP_RED_SUM_I && kernel_access(b, 1, w[3]) != 0)
            return 1;
    }
    return 0;
}

int gb_claims_independent(const gb_plan *p, int64_t pa, int64_t pb)
{
    const gb_kernel *ka[2], *kb[2];
    int na = instr_kernels(p, pa, ka), nb = instr_kernels(p, pb, kb);
    for (int i = 0; i < na; i++)
        for (int j = 0; j < nb; j++)
            if (writes_into(ka[i], kb[j]) || writes_into(kb[j], ka[i]))
                return 0;
    return 1;
}

int gb_is_kernel_instr(const gb_plan *p, int64_t pc)
{
    int64_t op = p->code[pc * GB_INSTR_WIDTH];
    return op == GB_OP_KERNEL || op == GB_OP_FUSED;
}

static int64_t instr_nred(const gb_plan *p, int64_t pc)
{
    const gb_kernel *k[2];
    int nk = instr_kernels(p, pc, k);
    return nk == 2 ? k[1]->nred : k[0]->nred;   /* a FUSED pair reduces in its node kernel */
}

static gb_status lfail(gb_error *err, const gb_plan *p, int64_t pc, const char *what, int64_t v)
{
    return gb_err_set(err, GB_EINVAL, p->code[pc * GB_INSTR_WIDTH + 1],
                      "instruction %lld: the plan claims a level %s (%lld)", (long long)pc, what,
                      (long long)v);
}

gb_status gb_claims_levels(gb_plan *p, gb_error *err)
{
    unsigned char *target = calloc((size_t)(p->ninstr + 1), 1);
    gb_status st = GB_OK;

    p->level_len = calloc((size_t)(p->ninstr > 0 ? p->ninstr : 1), sizeof *p->level_len);
    p->red_base = calloc((size_t)(p->ninstr > 0 ? p->ninstr : 1), sizeof *p->red_base);
    if (target == NULL || p->level_len == NULL || p->red_base == NULL) {
        free(target);
        return gb_err_set(err, GB_ENOMEM, -1, "out of memory for %lld instructions",
                          (long long)p->ninstr);
    }
    for (int64_t pc = 0; pc < p->ninstr; pc++) {
        const int64_t *w = p->code + pc * GB_INSTR_WIDTH;
        if (w[0] == GB_OP_JUMP)
            target[w[2]] = 1;
        else if (w[0] == GB_OP_JUMP_IF_FALSE)
            target[w[3]] = 1;
    }
    for (int64_t pc = 0; pc < p->ninstr && st == GB_OK;) {
        const int64_t len = p->code[pc * GB_INSTR_WIDTH + 5];
        int64_t nred = 0;
        if (!gb_is_kernel_instr(p, pc)) {
            pc++;
            continue;
        }
        if (len < 1 || len > p->ninstr - pc) {
            st = lfail(err, p, pc, len == 0 ? "member outside any level" : "length out of range",
                       len);
            break;
        }
        for (int64_t q = pc + 1; q < pc + len && st == GB_OK; q++) {
            if (!gb_is_kernel_instr(p, q))
                st = lfail(err, p, q, "member that is not a kernel", 0);
            else if (p->code[q * GB_INSTR_WIDTH + 5] != 0)
                st = lfail(err, p, q, "member that starts a level of its own",
                           p->code[q * GB_INSTR_WIDTH + 5]);
            else if (target[q])
                st = lfail(err, p, q, "member a jump lands on", q);
            for (int64_t r = pc; r < q && st == GB_OK; r++)
                if (!gb_claims_independent(p, r, q))
                    st = lfail(err, p, q, "member that depends on instruction", r);
        }
        if (st != GB_OK)
            break;
        p->level_len[pc] = len;
        /* a level's ops reduce at once, so each gets its own rows of partials */
        for (int64_t q = pc; q < pc + len; q++) {
            p->red_base[q] = nred;
            nred += instr_nred(p, q);
        }
        if (nred > p->max_nred)
            p->max_nred = nred;
        pc += len;
    }
    free(target);
    return st;
}
