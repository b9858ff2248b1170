/*
 * active.c — a node kernel's active set: the claim checked, and the kernel run over it.
 *
 * The plan may say that a node kernel changes nothing where a bool slot G (its guard,
 * GB_KH_ACTIVE) is false (graphbuild/plan/active.py): at such a node each STORE writes
 * back what its slot holds, each reduction (any, count, int sum only) sees 0, and no
 * micro-op can fail.  gb_active_check proves it by running the micro-ops symbolically
 * under "G[v] is 0": a temp is 0, 1, the value slot s holds at v, or unknown.  A claim
 * it cannot prove is refused; a kernel may always claim no guard.
 *
 * gb_active_block then runs a block of such a kernel over G's true nodes only.  Scanning
 * G costs a byte per node, eight at a time where it is zero, against the micro-ops' cost
 * per node: a block with no true node runs nothing (its reductions' partials are 0, the
 * identity of any, count and sum); one whose true nodes form at most ACTIVE_RUNS runs of
 * consecutive nodes runs those runs; any other block runs whole, as before.  Each node
 * that runs computes exactly what a full sweep computes there, and each skipped one would
 * have written back its own values, so the slots and registers are a full sweep's bits.
 */
#include "exec_internal.h"

/* Runs of true nodes a block may have and still run run by run: a run costs one pass of
 * the micro-op switch (some tens of ns per micro-op), a whole block about 1024 lanes of
 * each micro-op's loop, so past some tens of runs the whole block is cheaper. */
#define ACTIVE_RUNS 32
/* Reductions a kernel may have and still run run by run (their partials are folded on
 * the stack); a kernel with more runs its blocks whole. */
#define ACTIVE_REDS 16

enum { SV_UNKNOWN = -3, SV_ZERO = -2, SV_ONE = -1 };   /* >= 0: the value slot s holds */

/* Micro-ops that cannot fail: a whitelist, so an opcode added later is never skipped. */
int gb_active_cannot_fail(int64_t op)
{
    switch (op) {
    case GB_OP_LOAD: case GB_OP_IMM: case GB_OP_BCAST: case GB_OP_NODE_ID: case GB_OP_IN_DEG:
    case GB_OP_OUT_DEG: case GB_OP_DEGREE: case GB_OP_RANDOM: case GB_OP_STORE:
    case GB_OP_ADD_I: case GB_OP_SUB_I: case GB_OP_MUL_I: case GB_OP_MIN_I: case GB_OP_MAX_I:
    case GB_OP_ADD_F: case GB_OP_SUB_F: case GB_OP_MUL_F: case GB_OP_DIV_F: case GB_OP_MIN_F:
    case GB_OP_MAX_F: case GB_OP_NEG_I: case GB_OP_ABS_I: case GB_OP_NEG_F: case GB_OP_ABS_F:
    case GB_OP_SQRT: case GB_OP_EXP: case GB_OP_LOG: case GB_OP_FLOOR: case GB_OP_CEIL:
    case GB_OP_I2F: case GB_OP_AND: case GB_OP_OR: case GB_OP_NOT: case GB_OP_WHERE:
    case GB_OP_EQ_I: case GB_OP_NE_I: case GB_OP_LT_I: case GB_OP_LE_I: case GB_OP_GT_I:
    case GB_OP_GE_I: case GB_OP_EQ_F: case GB_OP_NE_F: case GB_OP_LT_F: case GB_OP_LE_F:
    case GB_OP_GT_F: case GB_OP_GE_F: case GB_OP_RED_ANY: case GB_OP_RED_COUNT:
    case GB_OP_RED_SUM_I:
        return 1;
    default:
        return 0;
    }
}

static int boolish(const gb_plan *p, int64_t x)
{
    return x == SV_ZERO || x == SV_ONE || (x >= 0 && p->slot_dtypes[x] == GB_BOOL);
}

/* What AND (absorb 0, unit 1) or OR (absorb 1, unit 0) gives for symbolic a, b. */
static int64_t and_or(const gb_plan *p, int64_t a, int64_t b, int64_t absorb, int64_t unit)
{
    if (a == absorb || b == absorb)
        return absorb;
    if (a == unit && boolish(p, b))
        return b;
    if (b == unit && boolish(p, a))
        return a;
    return SV_UNKNOWN;
}

static int guard_holds(const gb_plan *p, const gb_kernel *k, int64_t g)
{
    int64_t val[GB_MAX_TEMPS];

    if (k->domain != GB_DOMAIN_NODE || p->slot_dtypes[g] != GB_BOOL || k->nred > ACTIVE_REDS)
        return 0;
    for (int i = 0; i < GB_MAX_TEMPS; i++)
        val[i] = SV_UNKNOWN;
    for (int64_t j = 0; j < k->nmicro; j++) {
        const int64_t *w = k->micro + j * GB_INSTR_WIDTH;
        int64_t out = SV_UNKNOWN;
        if (!gb_active_cannot_fail(w[0]))
            return 0;
        switch (w[0]) {
        case GB_OP_STORE:   /* writes back what the slot holds (0 in G itself) */
            if (val[w[4]] != (w[3] == g ? SV_ZERO : w[3]))
                return 0;
            continue;
        case GB_OP_RED_ANY: case GB_OP_RED_COUNT: case GB_OP_RED_SUM_I:
            if (val[w[4]] != SV_ZERO)
                return 0;
            continue;
        case GB_OP_LOAD:
            out = w[3] == g ? SV_ZERO : w[3];
            break;
        case GB_OP_IMM:
            out = w[3] == 0 ? SV_ZERO : w[3] == 1 ? SV_ONE : SV_UNKNOWN;
            break;
        case GB_OP_NOT:
            out = val[w[3]] == SV_ZERO ? SV_ONE : val[w[3]] == SV_ONE ? SV_ZERO : SV_UNKNOWN;
            break;
        case GB_OP_AND:
            out = and_or(p, val[w[3]], val[w[4]], SV_ZERO, SV_ONE);
            break;
        case GB_OP_OR:
            out = and_or(p, val[w[3]], val[w[4]], SV_ONE, SV_ZERO);
            break;
        case GB_OP_WHERE:
            out = val[w[3]] == SV_ZERO ? val[w[5]] : val[w[3]] == SV_ONE ? val[w[4]]
                : val[w[4]] == val[w[5]] ? val[w[4]] : SV_UNKNOWN;
            break;
        default:
            break;
        }
        val[w[2]] = out;
    }
    return 1;
}

gb_status gb_active_check(gb_plan *p, int64_t kidx, int64_t guard, gb_error *err)
{
    gb_kernel *k = &p->kernels[kidx];

    k->active = -1;
    if (guard == -1)
        return GB_OK;
    if (guard < 0 || guard >= p->nslots || !guard_holds(p, k, guard))
        return gb_err_set(err, GB_EINVAL, k->loc,
                          "kernel %lld: the plan claims the active set of slot %lld, which "
                          "its micro-ops do not allow", (long long)kidx, (long long)guard);
    k->active = guard;
    return GB_OK;
}

int64_t gb_active_find(const gb_plan *p, int64_t kidx)
{
    const gb_kernel *k = &p->kernels[kidx];
    for (int64_t j = 0; j < k->nmicro; j++) {
        const int64_t *w = k->micro + j * GB_INSTR_WIDTH;
        if (k->domain == GB_DOMAIN_NODE && w[0] == GB_OP_LOAD && guard_holds(p, k, w[3]))
            return w[3];
    }
    return -1;
}

/* ---- running over the active set ---- */

/* Each reduction's partial of this block, folded into acc (any: or; count, sum: add). */
static void fold_partials(const gb_ctx *c, const gb_kernel *k, int64_t red_base, int64_t block,
                          uint64_t *acc, int first)
{
    int64_t r = 0;
    for (int64_t j = 0; j < k->nmicro && r < k->nred; j++) {
        const int64_t *w = k->micro + j * GB_INSTR_WIDTH;
        uint64_t x;
        if (w[0] < GB_OP_RED_SUM_I)
            continue;
        x = (uint64_t)c->partials[(red_base + r) * c->nblocks + block].i;
        acc[r] = first ? x : w[0] == GB_OP_RED_ANY ? (acc[r] | x) : acc[r] + x;
        r++;
    }
}

gb_status gb_active_block(gb_ctx *c, const gb_kernel *k, gb_scratch *s, int64_t v0,
                          int64_t lanes, int64_t block, int *filled, int64_t red_base,
                          int64_t instr_loc)
{
    const uint8_t *g = k->active >= 0 && !c->dense_nodes ? c->slots[k->active] : NULL;
    const int64_t end = v0 + lanes;
    int64_t ra[ACTIVE_RUNS], rb[ACTIVE_RUNS], v = v0;
    uint64_t acc[ACTIVE_REDS];
    int nruns = 0;
    gb_status st;

    while (g != NULL && v < end) {
        int64_t a;
        uint64_t word;
        while (v + 8 <= end && (memcpy(&word, g + v, 8), word == 0))
            v += 8;
        while (v < end && g[v] == 0)
            v++;
        if (v == end)
            break;
        for (a = v; v < end && g[v] != 0; v++)
            ;
        if (nruns == ACTIVE_RUNS) {
            g = NULL;   /* too many runs: the whole block */
            break;
        }
        ra[nruns] = a;
        rb[nruns++] = v;
    }
    if (g == NULL) {
        st = gb_micro_run(c, k, s, v0, lanes, block, !*filled, red_base, instr_loc);
        *filled = 1;
        return st;
    }
    for (int i = 0; i < nruns; i++) {
        st = gb_micro_run(c, k, s, ra[i], rb[i] - ra[i], block, !*filled, red_base, instr_loc);
        *filled = 1;
        if (st != GB_OK)
            return st;
        fold_partials(c, k, red_base, block, acc, i == 0);
    }
    for (int64_t r = 0; r < k->nred; r++)
        c->partials[(red_base + r) * c->nblocks + block].i = nruns > 0 ? (int64_t)acc[r] : 0;
    return GB_OK;
}
