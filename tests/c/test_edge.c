/*
 * test_edge.c — edge kernels against a slow reference: every aggregation, every
 * direction on directed and undirected graphs, filters, the three default kinds, weights,
 * bool/int/float values and outputs; graphs whose neighborhoods span lane chunks and
 * whose empty nodes fill the segment table; mode ties; owner-side micro-ops (LOAD,
 * NODE_ID, RANDOM, degrees); errors and interrupts inside edge kernels.
 */
#include "check.h"
#include "edge_ref.h"

/* ---- the test program's data: slots and registers ---- */

enum { S_XI, S_XF, S_OUT_I, S_OUT_F, S_OUT_B, S_DFLT_I, S_DFLT_F, S_DFLT_B, NSLOTS };
enum { VK_INT, VK_FLOAT, VK_BOOL, VK_DIFF, NVK };        /* xi[u], xf[u]*w, xi[u]>xi[v], u-v */
enum { FK_NONE, FK_MOD3, FK_NOLOOP, NFK };               /* -, xi[u] % 3 != 0, u != v */
static const int32_t slot_dtypes[NSLOTS] = { GB_I64, GB_F64, GB_I64, GB_F64, GB_BOOL,
                                             GB_I64, GB_F64, GB_BOOL };

static int64_t pymod(int64_t a, int64_t b)
{
    int64_t r = a % b;
    return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r;
}

static int agg_takes(int agg, int vk)
{
    switch (agg) {
    case GB_AGG_COUNT: case GB_AGG_ANY: case GB_AGG_ALL: return vk == VK_BOOL || vk == VK_INT;
    default: return 1;
    }
}

static int out_slot_for(int agg, int vk)
{
    switch (agg) {
    case GB_AGG_COUNT: return S_OUT_I;
    case GB_AGG_ANY: case GB_AGG_ALL: return S_OUT_B;
    case GB_AGG_MEAN: return S_OUT_F;
    default: return vk == VK_FLOAT ? S_OUT_F : vk == VK_BOOL ? S_OUT_B : S_OUT_I;
    }
}

static int default_slot_for(int out, int fk)
{
    if (out == S_OUT_F)
        return S_DFLT_F;
    if (out == S_OUT_B)
        return fk == FK_NONE ? S_DFLT_B : S_DFLT_I;   /* an int default converts to bool */
    return fk == FK_MOD3 ? S_DFLT_B : S_DFLT_I;
}

/* Per-edge value as the kernel computes it. */
static gb_value ref_value(const int64_t *xi, const double *xf, int vk, int64_t v, int64_t u,
                          double w)
{
    gb_value r;
    switch (vk) {
    case VK_INT: r.i = xi[u]; break;
    case VK_FLOAT: r.f = xf[u] * w; break;
    case VK_BOOL: r.i = xi[u] > xi[v]; break;
    default: r.i = u - v; break;
    }
    return r;
}

static int ref_keep(const int64_t *xi, int fk, int64_t v, int64_t u)
{
    return fk == FK_NONE || (fk == FK_MOD3 ? pymod(xi[u], 3) != 0 : u != v);
}
/* ---- building and checking one case ---- */

/* Micro-ops computing the value into temp 2 and the filter into temp 6. */
static void emit_value_filter(tplan *t, int vk, int fk)
{
    switch (vk) {
    case VK_INT:
        micro(t, GB_OP_GATHER, -1, 2, S_XI, 0, 0);
        break;
    case VK_FLOAT:
        micro(t, GB_OP_GATHER, -1, 0, S_XF, 0, 0);
        micro(t, GB_OP_WEIGHT, -1, 1, 0, 0, 0);
        micro(t, GB_OP_MUL_F, -1, 2, 0, 1, 0);
        break;
    case VK_BOOL:
        micro(t, GB_OP_GATHER, -1, 0, S_XI, 0, 0);
        micro(t, GB_OP_LOAD, -1, 1, S_XI, 0, 0);
        micro(t, GB_OP_GT_I, -1, 2, 0, 1, 0);
        break;
    default:
        micro(t, GB_OP_NBR, -1, 0, 0, 0, 0);
        micro(t, GB_OP_NODE_ID, -1, 1, 0, 0, 0);
        micro(t, GB_OP_SUB_I, -1, 2, 0, 1, 0);
        break;
    }
    if (fk == FK_MOD3) {
        micro(t, GB_OP_GATHER, -1, 3, S_XI, 0, 0);
        micro(t, GB_OP_IMM, -1, 4, 3, 0, 0);
        micro(t, GB_OP_MOD_I, -1, 3, 3, 4, 0);
        micro(t, GB_OP_IMM, -1, 5, 0, 0, 0);
        micro(t, GB_OP_NE_I, -1, 6, 3, 5, 0);
    } else if (fk == FK_NOLOOP) {
        micro(t, GB_OP_NBR, -1, 3, 0, 0, 0);
        micro(t, GB_OP_NODE_ID, -1, 4, 0, 0, 0);
        micro(t, GB_OP_NE_I, -1, 6, 3, 4, 0);
    }
}

/* Runs one aggregation case; returns the number of nodes whose output differs. */
static int64_t run_case(const egraph *e, void **slots, int dir, int agg, int vk, int fk, int dk)
{
    const int64_t *xi = slots[S_XI];
    const double *xf = slots[S_XF];
    int out = out_slot_for(agg, vk);
    int is_f = agg != GB_AGG_COUNT && agg != GB_AGG_ANY && agg != GB_AGG_ALL && vk == VK_FLOAT;
    int dslot = default_slot_for(out, fk);
    int dreg = out == S_OUT_F ? 1 : 0;
    tplan t;
    gb_plan *p = NULL;
    gb_error err;
    gb_value regs[2];
    const adj *a = &e->dirs[dir];
    int64_t k, bad = 0;
    gb_value *vals = malloc((size_t)(2 * e->m + 1) * sizeof *vals);

    tp_init(&t, 2);
    for (int s = 0; s < NSLOTS; s++)
        tp_slot(&t, slot_dtypes[s]);
    k = kbegin(&t, GB_DOMAIN_EDGE, 7, -1);
    kedge(&t, k, dir, agg, is_f, out, 2, fk == FK_NONE ? -1 : 6,
          dk, dk == GB_DEFAULT_REG ? dreg : dk == GB_DEFAULT_SLOT ? dslot : -1);
    emit_value_filter(&t, vk, fk);
    ins(&t, GB_OP_KERNEL, -1, k, 0, 0, 0);
    regs[0].i = 42;
    regs[1].f = 42.5;
    CHECK_EQ_I(tp_create(&t, &p, &err), GB_OK);
    if (p == NULL) {
        fprintf(stderr, "    %s\n", err.message);
        bad = e->n + 1;
        goto done;
    }
    CHECK_EQ_I(gb_run(p, e->g, regs, slots, NULL, &err), GB_OK);

    for (int64_t v = 0; v < e->n; v++) {
        int64_t deg = a->off[v + 1] - a->off[v], kept = 0;
        gb_value want, got;
        for (int64_t j = a->off[v]; j < a->off[v + 1]; j++)
            if (ref_keep(xi, fk, v, a->us[j]))
                vals[kept++] = ref_value(xi, xf, vk, v, a->us[j], a->ws[j]);
        if (kept > 0)
            want = ref_agg(agg, is_f, vals, kept);
        else if (dk == GB_DEFAULT_IDENTITY)
            want = ref_identity(agg, is_f);
        else if (dk == GB_DEFAULT_REG)
            want = regs[dreg];
        else if (slot_dtypes[dslot] == GB_F64)
            want.f = ((double *)slots[dslot])[v];
        else if (slot_dtypes[dslot] == GB_I64)
            want.i = ((int64_t *)slots[dslot])[v];
        else
            want.i = ((uint8_t *)slots[dslot])[v];
        int ok;
        if (out == S_OUT_F) {
            got.f = ((double *)slots[out])[v];
            ok = (isnan(got.f) && isnan(want.f)) ||
                 (got.f == want.f && signbit(got.f) == signbit(want.f));
        } else if (out == S_OUT_I) {
            got.i = ((int64_t *)slots[out])[v];
            ok = got.i == want.i;
        } else {
            got.i = ((uint8_t *)slots[out])[v];
            ok = got.i == (want.i != 0);
        }
        if (!ok && bad++ == 0)
            fprintf(stderr, "dir %d agg %d vk %d fk %d dk %d, node %lld (degree %lld, kept %lld): "
                    "got %lld / %g, want %lld / %g\n", dir, agg, vk, fk, dk, (long long)v,
                    (long long)deg, (long long)kept, (long long)got.i, got.f,
                    (long long)want.i, want.f);
    }
done:
    gb_plan_destroy(p);
    free(vals);
    return bad;
}

/* Every combination on one graph; returns the number of cases run. */
static int run_all_cases(const egraph *e)
{
    void **slots = slots_new(NSLOTS, e->n);
    int cases = 0;
    uint64_t h = 1469598103934665603ull;

    for (int64_t v = 0; v < e->n; v++) {
        h = (h ^ (uint64_t)v) * 1099511628211ull;
        ((int64_t *)slots[S_XI])[v] = (int64_t)(h >> 40) % 13 - 6;
        ((double *)slots[S_XF])[v] = (double)((int64_t)(h >> 40) % 13 - 6) * 0.37 + 0.1;
        ((int64_t *)slots[S_DFLT_I])[v] = v * 3 - 7;
        ((double *)slots[S_DFLT_F])[v] = (double)v * 0.5 - 1.25;
        ((uint8_t *)slots[S_DFLT_B])[v] = v % 2;
    }
    if (e->n > 6) {
        ((double *)slots[S_XF])[3] = NAN;     /* min/max/sum/mode see a NaN somewhere */
        ((double *)slots[S_XF])[4] = -0.0;    /* mode counts -0.0 with 0.0 */
        ((double *)slots[S_XF])[6] = 0.0;
    }
    for (int dir = GB_DIR_OUT; dir <= GB_DIR_BOTH; dir++)
        for (int agg = GB_AGG_SUM; agg <= GB_AGG_MODE; agg++)
            for (int vk = 0; vk < NVK; vk++)
                for (int fk = 0; fk < NFK; fk++)
                    for (int dk = GB_DEFAULT_IDENTITY; dk <= GB_DEFAULT_SLOT; dk++) {
                        if (!agg_takes(agg, vk) ||
                            (agg == GB_AGG_MODE && dk == GB_DEFAULT_IDENTITY))
                            continue;
                        CHECK_EQ_I(run_case(e, slots, dir, agg, vk, fk, dk), 0);
                        cases++;
                    }
    slots_free(slots, NSLOTS);
    return cases;
}

static void test_small_graphs(void)
{
    static const int64_t src[] = { 0, 0, 1, 2, 2, 3, 3, 4, 5, 5, 6, 1, 2 };
    static const int64_t dst[] = { 1, 2, 2, 0, 3, 3, 4, 5, 6, 1, 0, 2, 2 };
    const int64_t m = sizeof src / sizeof src[0];
    for (int directed = 0; directed <= 1; directed++) {
        egraph e;
        egraph_init(&e, 8, m, 1, directed);
        for (int64_t i = 0; i < m; i++) {
            e.src[i] = src[i];
            e.dst[i] = dst[i];
            e.w[i] = 0.5 + (double)(i % 7) * 0.25;
        }
        egraph_build(&e);
        if (e.g != NULL)
            CHECK_EQ_I(run_all_cases(&e), 3 * 222);
        egraph_free(&e);
    }
}

/* Node 123 holds a third of 30000 edges (its neighborhood spans several lane chunks);
 * unweighted, so WEIGHT gives 1.0. */
static void test_skewed_graphs(void)
{
    for (int directed = 0; directed <= 1; directed++) {
        egraph e;
        uint64_t r = 12345;
        egraph_init(&e, 6000, 30000, 0, directed);
        for (int64_t i = 0; i < e.m; i++) {
            r = r * 6364136223846793005ull + 1442695040888963407ull;
            e.src[i] = (int64_t)((r >> 33) % 6000);
            e.dst[i] = (int64_t)((r >> 13) % 6000);
            if (i % 3 == 0)
                e.src[i] = 123;
            else if (i % 3 == 1 && i % 2 == 0)
                e.dst[i] = 123;
        }
        egraph_build(&e);
        if (e.g != NULL)
            CHECK_EQ_I(run_all_cases(&e), 3 * 222);
        egraph_free(&e);
    }
}

/* A hub with 9000 out-edges after 11000 nodes with no out-edges: a chunk ends when its
 * segment table is full (thousands of empty nodes, no lanes) as well as when its lanes
 * are; in the IN direction 9000 one-edge nodes fill both at once. */
static void test_star_graph(void)
{
    egraph e;
    egraph_init(&e, 12000, 9001, 1, 1);
    for (int64_t i = 0; i < 9000; i++) {
        e.src[i] = 11000;
        e.dst[i] = i;
        e.w[i] = 1.0 + (double)(i % 3);
    }
    e.src[9000] = 5;
    e.dst[9000] = 5;
    e.w[9000] = 2.0;
    egraph_build(&e);
    if (e.g != NULL)
        CHECK_EQ_I(run_all_cases(&e), 3 * 222);
    egraph_free(&e);
}

/* Mode ties go to the smallest value; floats count -0.0 with 0.0, and every NaN (any
 * sign or payload) with every other NaN. */
static void test_mode_ties(void)
{
    static const int64_t src[] = { 0, 0, 0, 0, 0, 0, 7, 7, 7, 7, 7 };
    static const int64_t dst[] = { 1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 11 };
    gb_graph *g = graph_new(12, 11, src, dst, NULL, 1);
    const int64_t xi[12] = { 0, 5, 3, 5, 3, 9, 9, 0, 1, 1, 1, 5 };
    const int64_t nan_payload = 0x7ff8000000000001LL;
    const double xf[12] = { 0, -0.0, 0.0, 2.0, 2.0, NAN, NAN,
                            0, NAN, -NAN, bits_f(nan_payload), 5.0 };
    for (int is_f = 0; is_f <= 1; is_f++) {
        tplan t;
        gb_plan *p = NULL;
        gb_error err;
        void **slots = slots_new(3, 12);
        int64_t k;
        tp_init(&t, 0);
        tp_slot(&t, is_f ? GB_F64 : GB_I64);
        tp_slot(&t, is_f ? GB_F64 : GB_I64);
        tp_slot(&t, is_f ? GB_F64 : GB_I64);
        k = kbegin(&t, GB_DOMAIN_EDGE, 1, -1);
        kedge(&t, k, GB_DIR_OUT, GB_AGG_MODE, is_f, 1, 0, -1, GB_DEFAULT_SLOT, 2);
        micro(&t, GB_OP_GATHER, -1, 0, 0, 0, 0);
        ins(&t, GB_OP_KERNEL, -1, k, 0, 0, 0);
        CHECK_EQ_I(tp_create(&t, &p, &err), GB_OK);
        memcpy(slots[0], is_f ? (const void *)xf : (const void *)xi, sizeof xi);
        for (int v = 0; v < 12; v++)
            ((int64_t *)slots[2])[v] = is_f ? fbits(100.0 + v) : 100 + v;
        CHECK_EQ_I(gb_run(p, g, NULL, slots, NULL, &err), GB_OK);
        if (is_f) {
            CHECK_EQ_F(((double *)slots[1])[0], 0.0);    /* 0.0, 2.0 and NaN twice each */
            CHECK_EQ_F(((double *)slots[1])[1], 101.0);  /* no out-edges: the default slot */
            CHECK(isnan(((double *)slots[1])[7]));       /* three NaNs beat 5.0 twice */
        } else {
            CHECK_EQ_I(((int64_t *)slots[1])[0], 3);     /* 3, 5 and 9 twice each */
            CHECK_EQ_I(((int64_t *)slots[1])[6], 106);
            CHECK_EQ_I(((int64_t *)slots[1])[7], 1);
        }
        gb_plan_destroy(p);
        slots_free(slots, 3);
    }
    gb_graph_destroy(g);
}

/* Owner-side micro-ops in an edge kernel read v, not u: sum over v's out-edges of
 * random(seed)[v] + out_degree(v) + in_degree(v) * degree(v). */
static void test_owner_ops(void)
{
    static const int64_t src[] = { 0, 0, 1, 2, 2, 2 }, dst[] = { 1, 2, 2, 0, 1, 2 };
    gb_graph *g = graph_new(4, 6, src, dst, NULL, 1);
    const int64_t outd[4] = { 2, 1, 3, 0 }, ind[4] = { 1, 2, 3, 0 };
    tplan t;
    gb_plan *p = NULL;
    gb_error err;
    gb_value regs[1];
    void **slots = slots_new(1, 4);
    int64_t k;

    tp_init(&t, 1);
    tp_slot(&t, GB_F64);
    k = kbegin(&t, GB_DOMAIN_EDGE, 6, -1);
    kedge(&t, k, GB_DIR_OUT, GB_AGG_SUM, 1, 0, 5, -1, GB_DEFAULT_IDENTITY, -1);
    micro(&t, GB_OP_RANDOM, -1, 0, 0, 0, 0);
    micro(&t, GB_OP_OUT_DEG, -1, 1, 0, 0, 0);
    micro(&t, GB_OP_IN_DEG, -1, 2, 0, 0, 0);
    micro(&t, GB_OP_DEGREE, -1, 3, 0, 0, 0);
    micro(&t, GB_OP_MUL_I, -1, 2, 2, 3, 0);
    micro(&t, GB_OP_ADD_I, -1, 1, 1, 2, 0);
    micro(&t, GB_OP_I2F, -1, 4, 1, 0, 0);
    micro(&t, GB_OP_ADD_F, -1, 5, 0, 4, 0);
    ins(&t, GB_OP_KERNEL, -1, k, 0, 0, 0);
    CHECK_EQ_I(tp_create(&t, &p, &err), GB_OK);
    regs[0].i = 99;
    CHECK_EQ_I(gb_run(p, g, regs, slots, NULL, &err), GB_OK);
    for (int64_t v = 0; v < 4; v++) {
        double one = ref_random(99, v) + (double)(outd[v] + ind[v] * (ind[v] + outd[v]));
        double want = 0.0;
        for (int64_t j = 0; j < outd[v]; j++)
            want += one;
        CHECK_EQ_F(((double *)slots[0])[v], want);
    }
    gb_plan_destroy(p);
    slots_free(slots, 1);
    gb_graph_destroy(g);
}

/* Errors inside an edge kernel name the micro-op; an interrupt stops it with the
 * kernel's location; the output slot may also be the default slot (in-place update). */
static void test_edge_errors_and_in_place(void)
{
    static const int64_t src[] = { 0, 1, 2 }, dst[] = { 1, 2, 0 };
    gb_graph *g = graph_new(4, 3, src, dst, NULL, 1);
    volatile int32_t flag = 0;
    gb_run_options opts = { 100, 1, &flag, 0, NULL };
    tplan t;
    gb_plan *p = NULL;
    gb_error err;
    void **slots = slots_new(2, 4);
    int64_t k;

    tp_init(&t, 0);
    tp_slot(&t, GB_I64);
    tp_slot(&t, GB_I64);
    k = kbegin(&t, GB_DOMAIN_EDGE, 3, 40);
    kedge(&t, k, GB_DIR_IN, GB_AGG_MIN, 0, 1, 2, -1, GB_DEFAULT_SLOT, 1);
    micro(&t, GB_OP_GATHER, -1, 0, 0, 0, 0);
    micro(&t, GB_OP_IMM, -1, 1, 10, 0, 0);
    micro(&t, GB_OP_MOD_I, 41, 2, 1, 0, 0);          /* 10 % x[u] */
    ins(&t, GB_OP_KERNEL, 39, k, 0, 0, 0);
    CHECK_EQ_I(tp_create(&t, &p, &err), GB_OK);
    for (int v = 0; v < 4; v++) {
        ((int64_t *)slots[0])[v] = v + 3;     /* x: 3, 4, 5, 6 */
        ((int64_t *)slots[1])[v] = -100 - v;  /* out, and the default of empty nodes */
    }
    CHECK_EQ_I(gb_run(p, g, NULL, slots, &opts, &err), GB_OK);
    CHECK_EQ_I(((int64_t *)slots[1])[0], 10 % 5);   /* in-neighbor of 0 is 2 */
    CHECK_EQ_I(((int64_t *)slots[1])[1], 10 % 3);
    CHECK_EQ_I(((int64_t *)slots[1])[2], 10 % 4);
    CHECK_EQ_I(((int64_t *)slots[1])[3], -103);     /* no in-edges: keeps its own value */

    ((int64_t *)slots[0])[1] = 0;
    CHECK_EQ_I(gb_run(p, g, NULL, slots, &opts, &err), GB_EZERODIV);
    CHECK_EQ_I(err.loc, 41);
    CHECK_CONTAINS(err.message, "modulo by zero");
    flag = 1;
    CHECK_EQ_I(gb_run(p, g, NULL, slots, &opts, &err), GB_EINTR);
    CHECK_EQ_I(err.loc, 40);
    gb_plan_destroy(p);
    slots_free(slots, 2);
    gb_graph_destroy(g);
}

int main(void)
{
    test_small_graphs();
    test_skewed_graphs();
    test_star_graph();
    test_mode_ties();
    test_owner_ops();
    test_edge_errors_and_in_place();
    return CHECK_DONE();
}
