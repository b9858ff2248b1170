/*
 * test_special.c — the specialized edge-kernel loops (special.c) give the generic
 * path's bits: every recognized shape, aggregation, value dtype, filter dtype,
 * direction and default kind, run with specialization on and off (gb_plan_tune) on
 * graphs with hubs, empty neighborhoods, self-loops, multi-edges, NaN, infinities, -0.0
 * and wrapping ints; the shapes are recognized (and near-misses are not).  Every run
 * is repeated on the same graph stored compact (int32 offsets and neighbors), wide
 * (int64 both) and mixed (int64 offsets, int32 neighbors), which must give the same
 * bits: each layout has its own instance of the loops.
 */
#include "check.h"
#include "exec_internal.h"
#include "plan_asm.h"

enum { X_F, X_I, X_B, FL_B, FL_I, OUT_F, OUT_I, OUT_B, D_F, D_I, NSLOTS };
static const int32_t DTYPES[NSLOTS] = { GB_F64, GB_I64, GB_BOOL, GB_BOOL, GB_I64,
                                        GB_F64, GB_I64, GB_BOOL, GB_F64, GB_I64 };

/* One case: shape, aggregation, value slot, filter slot (or -1), micro-op order. */
typedef struct scase {
    int shape, agg, xslot, fslot, swap, dir, dk;
} scase;

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ull;
}

static int is_float_agg(const scase *sc)
{
    return sc->shape != GB_SHAPE_COUNT && sc->agg != GB_AGG_COUNT && sc->agg != GB_AGG_ANY &&
           sc->agg != GB_AGG_ALL && sc->xslot == X_F;
}

static int out_slot(const scase *sc)
{
    switch (sc->agg) {
    case GB_AGG_COUNT: return OUT_I;
    case GB_AGG_ANY: case GB_AGG_ALL: return OUT_B;
    case GB_AGG_MEAN: return OUT_F;
    default: return is_float_agg(sc) ? OUT_F : OUT_I;
    }
}

static void build(tplan *t, const scase *sc)
{
    const int out = out_slot(sc);
    int64_t k, value = 0, filter = -1;

    tp_init(t, 2);
    for (int s = 0; s < NSLOTS; s++)
        tp_slot(t, DTYPES[s]);
    k = kbegin(t, GB_DOMAIN_EDGE, 4, -1);
    switch (sc->shape) {
    case GB_SHAPE_GATHER:
        micro(t, GB_OP_GATHER, -1, 0, sc->xslot, 0, 0);
        break;
    case GB_SHAPE_GATHER_IF:
        value = sc->swap ? 3 : 0;
        filter = sc->swap ? 0 : 3;
        micro(t, GB_OP_GATHER, -1, 0, sc->swap ? sc->fslot : sc->xslot, 0, 0);
        micro(t, GB_OP_GATHER, -1, 3, sc->swap ? sc->xslot : sc->fslot, 0, 0);
        break;
    case GB_SHAPE_COUNT:
        micro(t, GB_OP_IMM, -1, 2, sc->swap ? 0 : 1, 0, 0);
        value = 2;
        break;
    default:
        if (sc->swap)
            micro(t, GB_OP_WEIGHT, -1, 1, 0, 0, 0);
        micro(t, GB_OP_GATHER, -1, 0, sc->xslot, 0, 0);
        if (!sc->swap)
            micro(t, GB_OP_WEIGHT, -1, 1, 0, 0, 0);
        micro(t, sc->shape == GB_SHAPE_PLUS_WEIGHT ? GB_OP_ADD_F : GB_OP_MUL_F, -1, 2, 0, 1, 0);
        value = 2;
        break;
    }
    kedge(t, k, sc->dir, sc->agg, is_float_agg(sc), out, value, filter, sc->dk,
          sc->dk == GB_DEFAULT_REG ? (out == OUT_F ? 1 : 0)
          : sc->dk == GB_DEFAULT_SLOT ? (out == OUT_F ? D_F : D_I) : -1);
    ins(t, GB_OP_KERNEL, -1, k, 0, 0, 0);
}

static void fill_slots(void **slots, int64_t n)
{
    static const double SPECIAL_F[] = { NAN, -0.0, 0.0, INFINITY, -INFINITY, 1e308, -2.5 };
    rng_state = 0x9E3779B97F4A7C15ull;
    for (int64_t v = 0; v < n; v++) {
        uint64_t r = rng();
        double f = (double)(int64_t)(r % 2001) / 64.0 - 15.0;
        int64_t i = (int64_t)(r >> 20) % 9 - 4;
        if (r % 37 == 0)
            f = SPECIAL_F[(r >> 8) % 7];
        if (r % 41 == 0)
            i = (r >> 9) % 2 ? INT64_MAX - 3 : INT64_MIN + 2;   /* sums wrap */
        ((double *)slots[X_F])[v] = f;
        ((int64_t *)slots[X_I])[v] = i;
        ((uint8_t *)slots[X_B])[v] = (uint8_t)((r >> 30) % 3 == 0 ? 0 : (r >> 32) % 3);
        ((uint8_t *)slots[FL_B])[v] = (uint8_t)((r >> 34) % 4 != 0);
        ((int64_t *)slots[FL_I])[v] = (int64_t)((r >> 36) % 5) - 2;
        ((double *)slots[D_F])[v] = -(double)v - 0.5;
        ((int64_t *)slots[D_I])[v] = 1000 + v;
    }
}

/* The layouts every case runs on: gb_load_options.wide_index 0, 1, 2. */
enum { NLAYOUTS = 3 };

/* Runs one case with specialization on and off on each layout of the graph (gs[0] the
 * compact one); returns 1 if any output differs from the compact generic run's. */
static int compare_case(gb_graph *const *gs, const scase *sc, void **slots, int64_t *recognized)
{
    const int64_t n = gb_graph_node_count(gs[0]);
    const int out = out_slot(sc);
    const size_t bytes = (size_t)(n > 0 ? n : 1) * (DTYPES[out] == GB_BOOL ? 1 : 8);
    unsigned char *got[2 * NLAYOUTS];
    gb_value regs[2];
    tplan t;
    int differ = 0;

    build(&t, sc);
    for (int r = 0; r < 2 * NLAYOUTS; r++) {
        const int spec = r % 2, layout = r / 2;
        gb_plan *p = NULL;
        gb_error err;
        got[r] = malloc(bytes);
        if (tp_create(&t, &p, &err) != GB_OK) {
            CHECK(0);
            fprintf(stderr, "    shape %d agg %d: %s\n", sc->shape, sc->agg, err.message);
            memset(got[r], r, bytes);
            continue;
        }
        if (layout == 0)
            *recognized += p->kernels[0].special == sc->shape;
        gb_plan_tune(p, spec, GB_MIN_ITEM_WORK);
        regs[0].i = -77;
        regs[1].f = -0.0;
        memset(slots[out], 0xA5, bytes);
        CHECK_EQ_I(gb_run(p, gs[layout], regs, slots, NULL, &err), GB_OK);
        memcpy(got[r], slots[out], bytes);
        gb_plan_destroy(p);
    }
    /* Bits, except that two NaNs match: C lets a compiler commute a + b, and the NaN
     * an addition of two NaNs returns is the first operand's. */
    for (int r = 1; r < 2 * NLAYOUTS && !differ; r++) {
        if (DTYPES[out] == GB_F64) {
            for (int64_t v = 0; v < n && !differ; v++) {
                double a, b;
                memcpy(&a, got[0] + v * 8, 8);
                memcpy(&b, got[r] + v * 8, 8);
                differ = !(isnan(a) && isnan(b)) && memcmp(&a, &b, 8) != 0;
            }
        } else {
            differ = memcmp(got[0], got[r], bytes) != 0;
        }
        if (differ)
            fprintf(stderr, "    differs (layout %d, specialized %d): shape %d agg %d x %d "
                    "filter %d swap %d dir %d default %d\n", r / 2, r % 2, sc->shape, sc->agg,
                    sc->xslot, sc->fslot, sc->swap, sc->dir, sc->dk);
    }
    for (int r = 0; r < 2 * NLAYOUTS; r++)
        free(got[r]);
    return differ;
}

/* Every case on one graph (its layouts gs[0..NLAYOUTS)); returns the number of cases. */
static int64_t all_cases(gb_graph *const *gs)
{
    const int64_t n = gb_graph_node_count(gs[0]);
    void **slots = slots_new(NSLOTS, n);
    int64_t cases = 0, recognized = 0, differ = 0;
    scase sc;

    fill_slots(slots, n);
    for (sc.dir = GB_DIR_OUT; sc.dir <= GB_DIR_BOTH; sc.dir++)
        for (sc.dk = GB_DEFAULT_IDENTITY; sc.dk <= GB_DEFAULT_SLOT; sc.dk++)
            for (sc.agg = GB_AGG_SUM; sc.agg <= GB_AGG_MODE; sc.agg++) {
                if (sc.agg == GB_AGG_MODE && sc.dk == GB_DEFAULT_IDENTITY)
                    continue;
                for (sc.xslot = X_F; sc.xslot <= X_B; sc.xslot++) {
                    int float_ok = sc.agg != GB_AGG_COUNT && sc.agg != GB_AGG_ANY &&
                                   sc.agg != GB_AGG_ALL;
                    if (sc.xslot == X_F && !float_ok)
                        continue;
                    sc.shape = GB_SHAPE_GATHER;
                    sc.fslot = -1;
                    sc.swap = 0;
                    differ += compare_case(gs, &sc, slots, &recognized);
                    cases++;
                    sc.shape = GB_SHAPE_GATHER_IF;
                    for (sc.fslot = FL_B; sc.fslot <= FL_I; sc.fslot++)
                        for (sc.swap = 0; sc.swap <= 1; sc.swap++) {
                            differ += compare_case(gs, &sc, slots, &recognized);
                            cases++;
                        }
                }
                sc.xslot = X_F;
                sc.fslot = -1;
                for (sc.swap = 0; sc.swap <= 1; sc.swap++) {
                    if (sc.agg == GB_AGG_SUM || sc.agg == GB_AGG_MIN || sc.agg == GB_AGG_MAX) {
                        sc.shape = GB_SHAPE_PLUS_WEIGHT;
                        differ += compare_case(gs, &sc, slots, &recognized);
                        cases++;
                    }
                    if (sc.agg == GB_AGG_SUM) {
                        sc.shape = GB_SHAPE_TIMES_WEIGHT;
                        differ += compare_case(gs, &sc, slots, &recognized);
                        cases++;
                    }
                    if (sc.agg == GB_AGG_COUNT) {   /* swap: imm 0 instead of 1 */
                        sc.shape = GB_SHAPE_COUNT;
                        differ += compare_case(gs, &sc, slots, &recognized);
                        cases++;
                    }
                }
            }
    CHECK_EQ_I(differ, 0);
    CHECK_EQ_I(recognized, 2 * cases);
    slots_free(slots, NSLOTS);
    return cases;
}

/* g's edges (src, dst, w) stored in each layout: gs[i] with wide_index i. */
static void layouts(int64_t n, int64_t m, const int64_t *src, const int64_t *dst,
                    const double *w, int directed, gb_graph **gs)
{
    for (int i = 0; i < NLAYOUTS; i++) {
        gb_load_options opts = { .wide_index = i };
        gb_error err;
        gs[i] = NULL;
        CHECK_EQ_I(gb_graph_from_arrays_opts(n, m, src, dst, w, directed, &opts, &gs[i], &err),
                   GB_OK);
        if (gs[i] != NULL) {
            int ob, nb;
            gb_graph_csr(gs[i], GB_DIR_OUT, NULL, NULL, NULL, &ob, &nb);
            CHECK_EQ_I(ob, i == 0 ? 4 : 8);
            CHECK_EQ_I(nb, i == 1 ? 8 : 4);
        }
    }
}

static void layouts_free(gb_graph **gs)
{
    for (int i = 0; i < NLAYOUTS; i++)
        gb_graph_destroy(gs[i]);
}

static void random_layouts(int64_t n, int64_t m, int weighted, int directed, uint64_t seed,
                           gb_graph **gs)
{
    int64_t *src = malloc((size_t)(m + 1) * sizeof *src), *dst = malloc((size_t)(m + 1) * sizeof *dst);
    double *w = malloc((size_t)(m + 1) * sizeof *w);
    rng_state = seed;
    for (int64_t i = 0; i < m; i++) {
        uint64_t r = rng();
        /* the upper third of the nodes has no edges; node 7 is a hub */
        int64_t live = n - n / 3 > 1 ? n - n / 3 : 1;
        src[i] = (int64_t)(r % (uint64_t)live);
        dst[i] = (int64_t)((r >> 24) % (uint64_t)live);
        if (i % 4 == 0)
            dst[i] = 7 % n;
        if (i % 9 == 0)
            src[i] = 7 % n;
        w[i] = (double)(int64_t)((r >> 40) % 97) / 8.0 - 3.0;
        if (i % 53 == 0)
            w[i] = i % 2 ? -0.0 : INFINITY;   /* NaN weights are rejected at load */
    }
    layouts(n, m, src, dst, weighted ? w : NULL, directed, gs);
    free(src);
    free(dst);
    free(w);
}

static gb_graph *random_graph(int64_t n, int64_t m, int weighted, int directed, uint64_t seed)
{
    gb_graph *gs[NLAYOUTS], *g;
    random_layouts(n, m, weighted, directed, seed, gs);
    g = gs[0];
    gs[0] = NULL;
    layouts_free(gs);
    return g;
}

static void test_random_graphs(void)
{
    /* per direction: 3 default kinds x 115 cases, less mode's 15 without a default */
    const int64_t per_graph = 3 * (3 * 115 - 15);
    for (int directed = 0; directed <= 1; directed++)
        for (int weighted = 0; weighted <= 1; weighted++) {
            gb_graph *gs[NLAYOUTS];
            random_layouts(3000, 20000, weighted, directed, 11 + (uint64_t)directed, gs);
            CHECK(gs[0] != NULL && gs[1] != NULL && gs[2] != NULL);
            if (gs[0] != NULL && gs[1] != NULL && gs[2] != NULL)
                CHECK_EQ_I(all_cases(gs), per_graph);
            layouts_free(gs);
        }
    {
        /* small: a self-loop, a multi-edge, isolated nodes; and a graph with no edges */
        static const int64_t src[] = { 0, 0, 1, 2, 2, 3, 3, 4, 1, 2 };
        static const int64_t dst[] = { 1, 2, 2, 0, 3, 3, 4, 1, 2, 2 };
        gb_graph *gs[NLAYOUTS];
        layouts(7, 10, src, dst, NULL, 1, gs);
        all_cases(gs);
        layouts_free(gs);
        layouts(5, 0, NULL, NULL, NULL, 1, gs);
        all_cases(gs);
        layouts_free(gs);
    }
}

/* Near-misses of the shapes stay generic. */
static void test_not_recognized(void)
{
    tplan t;
    gb_plan *p = NULL;
    gb_error err;
    scase sc = { GB_SHAPE_GATHER, GB_AGG_SUM, X_I, -1, 0, GB_DIR_IN, GB_DEFAULT_IDENTITY };
    int64_t k;

    /* an int slot gathered for a float sum: the generic path reads its bits */
    build(&t, &sc);
    t.kcode[GB_KH_AGG_FLOAT] = 1;
    t.kcode[GB_KH_OUT_SLOT] = OUT_F;
    CHECK_EQ_I(tp_create(&t, &p, &err), GB_OK);
    CHECK_EQ_I(p->kernels[0].special, GB_SHAPE_GENERIC);
    gb_plan_destroy(p);

    /* a float filter */
    sc.shape = GB_SHAPE_GATHER_IF;
    sc.fslot = X_F;
    build(&t, &sc);
    CHECK_EQ_I(tp_create(&t, &p, &err), GB_OK);
    CHECK_EQ_I(p->kernels[0].special, GB_SHAPE_GENERIC);
    gb_plan_destroy(p);

    /* weight minus gather, a multiply under min, and two gathers with no filter */
    tp_init(&t, 0);
    for (int s = 0; s < NSLOTS; s++)
        tp_slot(&t, DTYPES[s]);
    k = kbegin(&t, GB_DOMAIN_EDGE, 3, -1);
    kedge(&t, k, GB_DIR_IN, GB_AGG_SUM, 1, OUT_F, 2, -1, GB_DEFAULT_IDENTITY, -1);
    micro(&t, GB_OP_GATHER, -1, 0, X_F, 0, 0);
    micro(&t, GB_OP_WEIGHT, -1, 1, 0, 0, 0);
    micro(&t, GB_OP_ADD_F, -1, 2, 1, 0, 0);
    k = kbegin(&t, GB_DOMAIN_EDGE, 3, -1);
    kedge(&t, k, GB_DIR_IN, GB_AGG_MIN, 1, OUT_F, 2, -1, GB_DEFAULT_IDENTITY, -1);
    micro(&t, GB_OP_GATHER, -1, 0, X_F, 0, 0);
    micro(&t, GB_OP_WEIGHT, -1, 1, 0, 0, 0);
    micro(&t, GB_OP_MUL_F, -1, 2, 0, 1, 0);
    k = kbegin(&t, GB_DOMAIN_EDGE, 3, -1);
    kedge(&t, k, GB_DIR_IN, GB_AGG_SUM, 1, OUT_F, 1, -1, GB_DEFAULT_IDENTITY, -1);
    micro(&t, GB_OP_GATHER, -1, 0, X_F, 0, 0);
    micro(&t, GB_OP_GATHER, -1, 1, X_F, 0, 0);
    CHECK_EQ_I(tp_create(&t, &p, &err), GB_OK);
    for (int i = 0; i < 3; i++)
        CHECK_EQ_I(p->kernels[i].special, GB_SHAPE_GENERIC);
    gb_plan_destroy(p);
}

/* An interrupt stops a specialized loop with the kernel's location. */
static void test_special_interrupt(void)
{
    gb_graph *g = random_graph(100, 300, 0, 1, 5);
    volatile int32_t flag = 1;
    gb_run_options opts = { 10, 1, &flag, 0, NULL };
    scase sc = { GB_SHAPE_GATHER, GB_AGG_SUM, X_F, -1, 0, GB_DIR_IN, GB_DEFAULT_IDENTITY };
    void **slots = slots_new(NSLOTS, 100);
    gb_value regs[2] = { { 0 } };
    tplan t;
    gb_plan *p = NULL;
    gb_error err;

    build(&t, &sc);
    t.kcode[GB_KH_LOC] = 12;
    CHECK_EQ_I(tp_create(&t, &p, &err), GB_OK);
    CHECK_EQ_I(p->kernels[0].special, GB_SHAPE_GATHER);
    CHECK_EQ_I(gb_run(p, g, regs, slots, &opts, &err), GB_EINTR);
    CHECK_EQ_I(err.loc, 12);
    gb_plan_destroy(p);
    slots_free(slots, NSLOTS);
    gb_graph_destroy(g);
}

int main(void)
{
    test_random_graphs();
    test_not_recognized();
    test_special_interrupt();
    return CHECK_DONE();
}
