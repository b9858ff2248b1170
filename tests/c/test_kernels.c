/*
 * test_kernels.c — node kernels: STORE into each dtype, every whole-graph reduction
 * against a reference (the documented float summation order, NaN, first extreme, empty
 * graphs), RANDOM, the degree micro-ops, error locations inside kernels, LOADs that
 * read a slot in place, and sort.c.
 */
#include "check.h"
#include "exec_internal.h"
#include "plan_asm.h"

/* Deterministic test data (xorshift64*), independent of the executor's generator. */
static uint64_t rng_state = 88172645463325252ull;
static uint64_t rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ull;
}

/* STORE converts to the slot's dtype: floats and ints keep their value, bools are 0/1. */
static void test_store(void)
{
    const int64_t n = 1500;
    gb_graph *g = graph_new(n, 0, NULL, NULL, NULL, 1);
    tplan t;
    gb_plan *p = NULL;
    gb_error err;
    void **slots;
    int64_t si, sf, sb, sb2, k;

    tp_init(&t, 0);
    si = tp_slot(&t, GB_I64);
    sf = tp_slot(&t, GB_F64);
    sb = tp_slot(&t, GB_BOOL);
    sb2 = tp_slot(&t, GB_BOOL);
    k = kbegin(&t, GB_DOMAIN_NODE, 6, -1);
    micro(&t, GB_OP_NODE_ID, -1, 0, 0, 0, 0);
    micro(&t, GB_OP_IMM, -1, 1, -2, 0, 0);
    micro(&t, GB_OP_MUL_I, -1, 2, 0, 1, 0);         /* -2 v */
    micro(&t, GB_OP_STORE, -1, 0, si, 2, 0);
    micro(&t, GB_OP_I2F, -1, 3, 0, 0, 0);
    micro(&t, GB_OP_IMM, -1, 4, fbits(0.5), 0, 0);
    micro(&t, GB_OP_MUL_F, -1, 3, 3, 4, 0);         /* v / 2 */
    micro(&t, GB_OP_STORE, -1, 0, sf, 3, 0);
    micro(&t, GB_OP_IMM, -1, 5, 3, 0, 0);
    micro(&t, GB_OP_MOD_I, -1, 5, 0, 5, 0);
    micro(&t, GB_OP_STORE, -1, 0, sb, 5, 0);        /* v % 3 (0, 1, 2) as bool */
    micro(&t, GB_OP_LOAD, -1, 5, sb, 0, 0);         /* in-place: read back what was stored */
    micro(&t, GB_OP_NOT, -1, 5, 5, 0, 0);
    micro(&t, GB_OP_STORE, -1, 0, sb2, 5, 0);
    ins(&t, GB_OP_KERNEL, -1, k, 0, 0, 0);
    CHECK_EQ_I(tp_create(&t, &p, &err), GB_OK);
    slots = slots_new(t.nslots, n);
    CHECK_EQ_I(gb_run(p, g, NULL, slots, NULL, &err), GB_OK);
    {
        int64_t bad = 0;
        for (int64_t v = 0; v < n; v++) {
            bad += ((int64_t *)slots[si])[v] != -2 * v;
            bad += ((double *)slots[sf])[v] != 0.5 * (double)v;
            bad += ((uint8_t *)slots[sb])[v] != (v % 3 != 0);
            bad += ((uint8_t *)slots[sb2])[v] != (v % 3 == 0);
        }
        CHECK_EQ_I(bad, 0);
        /* bool slots hold exactly 0 or 1 (the slot buffers are 8 bytes per node here) */
        CHECK_EQ_I(((uint8_t *)slots[sb])[2], 1);
        CHECK_EQ_I(((uint8_t *)slots[sb])[3], 0);
    }
    gb_plan_destroy(p);
    slots_free(slots, t.nslots);
    gb_graph_destroy(g);
}

/* One node kernel with one reduction: r0 = red(op)(slot 0). */
static gb_status reduce(const gb_graph *g, int64_t op, int32_t dtype, void *data, gb_value *out,
                        gb_error *err)
{
    tplan t;
    gb_plan *p = NULL;
    gb_value regs[2] = { { 0 } };
    void *slots[1] = { data };
    int64_t k;
    gb_status st;

    tp_init(&t, 2);
    tp_slot(&t, dtype);
    k = kbegin(&t, GB_DOMAIN_NODE, 1, -1);
    micro(&t, GB_OP_LOAD, -1, 0, 0, 0, 0);
    micro(&t, op, 21, 0, 0, 0, 0);
    ins(&t, GB_OP_KERNEL, 4, k, 0, 0, 0);
    if ((st = tp_create(&t, &p, err)) != GB_OK)
        return st;
    st = gb_run(p, g, regs, slots, NULL, err);
    *out = regs[0];
    gb_plan_destroy(p);
    return st;
}

static void test_reductions(void)
{
    const int64_t n = 3003;   /* blocks of 1024, 1024 and 955 (not a multiple of 8) */
    gb_graph *g = graph_new(n, 0, NULL, NULL, NULL, 1);
    gb_graph *empty = graph_new(0, 0, NULL, NULL, NULL, 1);
    double *xf = calloc((size_t)n, sizeof *xf);
    int64_t *xi = calloc((size_t)n, sizeof *xi);
    uint8_t *xb = calloc((size_t)n, sizeof *xb);
    gb_value r;
    gb_error err;
    double block_sum = 0.0;
    uint64_t isum = 0;
    int64_t count = 0;

    for (int64_t v = 0; v < n; v++) {
        /* full mantissas over 2**-20 .. 2**20, so any change of summation order shows */
        xf[v] = ldexp(ref_random(1, v), (int)(v % 41) - 20);
        xi[v] = (v % 2 ? 1 : -1) * (INT64_MAX / 3) + v;
        xb[v] = (v % 5) == 1;
        isum += (uint64_t)xi[v];
        count += xb[v];
    }
    /* the documented order: in each block of 1024, node v feeds running sum v % 8, the
     * eight are added pairwise; the block partials are added in block order from 0.0 */
    for (int64_t b0 = 0; b0 < n; b0 += GB_NODE_BLOCK) {
        double s[8] = { 0 };
        for (int64_t v = b0; v < n && v < b0 + GB_NODE_BLOCK; v++)
            s[(v - b0) % 8] += xf[v];
        block_sum += ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
    }
    CHECK_EQ_I(reduce(g, GB_OP_RED_SUM_F, GB_F64, xf, &r, &err), GB_OK);
    CHECK_EQ_F(r.f, block_sum);
    {
        /* partials 1, 1e16, -1e16 give 0 in block order (1 is absorbed), 1 reversed */
        double *y = calloc((size_t)n, sizeof *y);
        y[5] = 1.0;
        y[1024] = 1e16;
        y[2048] = -1e16;
        CHECK_EQ_I(reduce(g, GB_OP_RED_SUM_F, GB_F64, y, &r, &err), GB_OK);
        CHECK_EQ_F(r.f, 0.0);
        /* inside a block: running sums 1e16, 1, -1e16, 1 added pairwise give 0 (each 1
         * is absorbed), left to right 1; the last block's tail lanes 952.. feed sums 0.. */
        memset(y, 0, (size_t)n * sizeof *y);
        y[1024] = 1e16;
        y[1025] = 1.0;
        y[1026] = -1e16;
        y[1027] = 1.0;
        y[3000] = 1e16;
        y[3001] = 1.0;
        y[3002] = -1e16;
        y[2051] = 1.0;
        CHECK_EQ_I(reduce(g, GB_OP_RED_SUM_F, GB_F64, y, &r, &err), GB_OK);
        CHECK_EQ_F(r.f, 0.0);
        free(y);
    }
    CHECK_EQ_I(reduce(g, GB_OP_RED_SUM_I, GB_I64, xi, &r, &err), GB_OK);
    CHECK_EQ_I(r.i, (int64_t)isum);   /* wraps */
    CHECK_EQ_I(reduce(g, GB_OP_RED_COUNT, GB_BOOL, xb, &r, &err), GB_OK);
    CHECK_EQ_I(r.i, count);
    CHECK_EQ_I(reduce(g, GB_OP_RED_ANY, GB_BOOL, xb, &r, &err), GB_OK);
    CHECK_EQ_I(r.i, 1);
    CHECK_EQ_I(reduce(g, GB_OP_RED_ALL, GB_BOOL, xb, &r, &err), GB_OK);
    CHECK_EQ_I(r.i, 0);
    memset(xb, 1, (size_t)n);
    CHECK_EQ_I(reduce(g, GB_OP_RED_ALL, GB_BOOL, xb, &r, &err), GB_OK);
    CHECK_EQ_I(r.i, 1);
    memset(xb, 0, (size_t)n);
    CHECK_EQ_I(reduce(g, GB_OP_RED_ANY, GB_BOOL, xb, &r, &err), GB_OK);
    CHECK_EQ_I(r.i, 0);

    /* extremes in the last block; equal minima in blocks 0 and 2: argmin is the first */
    xi[3002] = INT64_MIN;
    xi[3001] = INT64_MAX;
    CHECK_EQ_I(reduce(g, GB_OP_RED_MIN_I, GB_I64, xi, &r, &err), GB_OK);
    CHECK_EQ_I(r.i, INT64_MIN);
    CHECK_EQ_I(reduce(g, GB_OP_RED_MAX_I, GB_I64, xi, &r, &err), GB_OK);
    CHECK_EQ_I(r.i, INT64_MAX);
    xi[3002] = -5;
    xi[3001] = 9;
    for (int64_t v = 0; v < n; v++)
        xi[v] = v % 100;
    xi[700] = -4;
    xi[900] = -4;     /* a tie inside the block, too */
    xi[2100] = -4;
    xi[1500] = 500;
    xi[1600] = 500;
    CHECK_EQ_I(reduce(g, GB_OP_RED_ARGMIN_I, GB_I64, xi, &r, &err), GB_OK);
    CHECK_EQ_I(r.i, 700);
    CHECK_EQ_I(reduce(g, GB_OP_RED_ARGMAX_I, GB_I64, xi, &r, &err), GB_OK);
    CHECK_EQ_I(r.i, 1500);

    /* floats: NaN is skipped by argmin/argmax but wins min/max/sum */
    for (int64_t v = 0; v < n; v++)
        xf[v] = (double)(v % 50);
    xf[0] = NAN;
    xf[2500] = -3.5;
    xf[2600] = -3.5;
    xf[10] = 77.0;
    CHECK_EQ_I(reduce(g, GB_OP_RED_ARGMIN_F, GB_F64, xf, &r, &err), GB_OK);
    CHECK_EQ_I(r.i, 2500);
    CHECK_EQ_I(reduce(g, GB_OP_RED_ARGMAX_F, GB_F64, xf, &r, &err), GB_OK);
    CHECK_EQ_I(r.i, 10);
    CHECK_EQ_I(reduce(g, GB_OP_RED_MIN_F, GB_F64, xf, &r, &err), GB_OK);
    CHECK(isnan(r.f));
    CHECK_EQ_I(reduce(g, GB_OP_RED_MAX_F, GB_F64, xf, &r, &err), GB_OK);
    CHECK(isnan(r.f));
    CHECK_EQ_I(reduce(g, GB_OP_RED_SUM_F, GB_F64, xf, &r, &err), GB_OK);
    CHECK(isnan(r.f));
    xf[0] = 1.0;
    xf[3002] = NAN;   /* NaN in the last block, after the extremes */
    CHECK_EQ_I(reduce(g, GB_OP_RED_MIN_F, GB_F64, xf, &r, &err), GB_OK);
    CHECK(isnan(r.f));
    xf[3002] = 1.0;
    CHECK_EQ_I(reduce(g, GB_OP_RED_MIN_F, GB_F64, xf, &r, &err), GB_OK);
    CHECK_EQ_F(r.f, -3.5);
    CHECK_EQ_I(reduce(g, GB_OP_RED_MAX_F, GB_F64, xf, &r, &err), GB_OK);
    CHECK_EQ_F(r.f, 77.0);
    for (int64_t v = 0; v < n; v++)
        xf[v] = NAN;
    CHECK_EQ_I(reduce(g, GB_OP_RED_ARGMAX_F, GB_F64, xf, &r, &err), GB_EVALUE);
    CHECK_EQ_I(err.loc, 21);
    CHECK_CONTAINS(err.message, "argmax of nothing");

    /* no nodes: identities, and argmin fails */
    CHECK_EQ_I(reduce(empty, GB_OP_RED_SUM_F, GB_F64, xf, &r, &err), GB_OK);
    CHECK_EQ_F(r.f, 0.0);
    CHECK_EQ_I(reduce(empty, GB_OP_RED_SUM_I, GB_I64, xi, &r, &err), GB_OK);
    CHECK_EQ_I(r.i, 0);
    CHECK_EQ_I(reduce(empty, GB_OP_RED_MIN_F, GB_F64, xf, &r, &err), GB_OK);
    CHECK_EQ_F(r.f, INFINITY);
    CHECK_EQ_I(reduce(empty, GB_OP_RED_MAX_F, GB_F64, xf, &r, &err), GB_OK);
    CHECK_EQ_F(r.f, -INFINITY);
    CHECK_EQ_I(reduce(empty, GB_OP_RED_MIN_I, GB_I64, xi, &r, &err), GB_OK);
    CHECK_EQ_I(r.i, INT64_MAX);
    CHECK_EQ_I(reduce(empty, GB_OP_RED_MAX_I, GB_I64, xi, &r, &err), GB_OK);
    CHECK_EQ_I(r.i, INT64_MIN);
    CHECK_EQ_I(reduce(empty, GB_OP_RED_ALL, GB_BOOL, xb, &r, &err), GB_OK);
    CHECK_EQ_I(r.i, 1);
    CHECK_EQ_I(reduce(empty, GB_OP_RED_ANY, GB_BOOL, xb, &r, &err), GB_OK);
    CHECK_EQ_I(r.i, 0);
    CHECK_EQ_I(reduce(empty, GB_OP_RED_COUNT, GB_BOOL, xb, &r, &err), GB_OK);
    CHECK_EQ_I(r.i, 0);
    CHECK_EQ_I(reduce(empty, GB_OP_RED_ARGMIN_I, GB_I64, xi, &r, &err), GB_EVALUE);
    CHECK_CONTAINS(err.message, "no nodes");

    free(xf);
    free(xi);
    free(xb);
    gb_graph_destroy(g);
    gb_graph_destroy(empty);
}

/* Two reductions in one kernel (separate partials), then the results used in a loop:
 * the mean of node ids, and the registers the same with every thread count. */
static void test_several_reductions(void)
{
    const int64_t n = 2049;
    gb_graph *g = graph_new(n, 0, NULL, NULL, NULL, 1);
    tplan t;
    gb_plan *p = NULL;
    gb_error err;
    int64_t k;
    double first = 0.0;

    tp_init(&t, 4);
    k = kbegin(&t, GB_DOMAIN_NODE, 2, -1);
    micro(&t, GB_OP_NODE_ID, -1, 0, 0, 0, 0);
    micro(&t, GB_OP_RED_SUM_I, -1, 0, 0, 0, 0);
    micro(&t, GB_OP_I2F, -1, 1, 0, 0, 0);
    micro(&t, GB_OP_RED_SUM_F, -1, 0, 1, 1, 0);
    micro(&t, GB_OP_RED_ARGMAX_I, -1, 0, 2, 0, 0);
    ins(&t, GB_OP_KERNEL, -1, k, 0, 0, 0);
    ins(&t, GB_OP_NODE_COUNT, -1, 3, 0, 0, 0);
    ins(&t, GB_OP_I2F, -1, 3, 3, 0, 0);
    ins(&t, GB_OP_DIV_F, -1, 1, 1, 3, 0);
    CHECK_EQ_I(tp_create(&t, &p, &err), GB_OK);
    for (int threads = 0; threads <= 4; threads++) {
        gb_value regs[4] = { { 0 } };
        gb_run_options opts = { 100, threads, NULL, 0, NULL };
        CHECK_EQ_I(gb_run(p, g, regs, NULL, &opts, &err), GB_OK);
        CHECK_EQ_I(regs[0].i, n * (n - 1) / 2);
        CHECK_EQ_F(regs[1].f, (double)(n - 1) / 2.0);
        CHECK_EQ_I(regs[2].i, n - 1);
        if (threads == 0)
            first = regs[1].f;
        CHECK_EQ_F(regs[1].f, first);
    }
    gb_plan_destroy(p);
    gb_graph_destroy(g);
}

static void test_random_and_degrees(void)
{
    /* directed: 0->1, 0->2, 2->0, 3->3 (self-loop), 4 isolated */
    const int64_t src[] = { 0, 0, 2, 3 }, dst[] = { 1, 2, 0, 3 };
    const int64_t in_deg[] = { 1, 1, 1, 1, 0 }, out_deg[] = { 2, 0, 1, 1, 0 };
    const int64_t und_deg[] = { 3, 1, 2, 2, 0 };   /* a self-loop counts twice */
    for (int directed = 0; directed <= 1; directed++) {
        gb_graph *g = graph_new(5, 4, src, dst, NULL, directed);
        tplan t;
        gb_plan *p = NULL;
        gb_error err;
        gb_value regs[2];
        void **slots;
        int64_t k;

        tp_init(&t, 2);
        for (int s = 0; s < 4; s++)
            tp_slot(&t, s == 0 ? GB_F64 : GB_I64);
        k = kbegin(&t, GB_DOMAIN_NODE, 4, -1);
        micro(&t, GB_OP_RANDOM, -1, 0, 0, 0, 0);
        micro(&t, GB_OP_STORE, -1, 0, 0, 0, 0);
        micro(&t, GB_OP_IN_DEG, -1, 1, 0, 0, 0);
        micro(&t, GB_OP_STORE, -1, 0, 1, 1, 0);
        micro(&t, GB_OP_OUT_DEG, -1, 2, 0, 0, 0);
        micro(&t, GB_OP_STORE, -1, 0, 2, 2, 0);
        micro(&t, GB_OP_DEGREE, -1, 3, 0, 0, 0);
        micro(&t, GB_OP_STORE, -1, 0, 3, 3, 0);
        ins(&t, GB_OP_KERNEL, -1, k, 0, 0, 0);
        CHECK_EQ_I(tp_create(&t, &p, &err), GB_OK);
        slots = slots_new(4, 5);
        regs[0].i = 12345;
        CHECK_EQ_I(gb_run(p, g, regs, slots, NULL, &err), GB_OK);
        for (int64_t v = 0; v < 5; v++) {
            double x = ((double *)slots[0])[v];
            CHECK(x >= 0.0 && x < 1.0);
            CHECK_EQ_F(x, ref_random(12345, v));
            if (directed) {
                CHECK_EQ_I(((int64_t *)slots[1])[v], in_deg[v]);
                CHECK_EQ_I(((int64_t *)slots[2])[v], out_deg[v]);
                CHECK_EQ_I(((int64_t *)slots[3])[v], in_deg[v] + out_deg[v]);
            } else {
                CHECK_EQ_I(((int64_t *)slots[1])[v], und_deg[v]);
                CHECK_EQ_I(((int64_t *)slots[2])[v], und_deg[v]);
                CHECK_EQ_I(((int64_t *)slots[3])[v], und_deg[v]);
            }
        }
        /* another seed, another vector; the same seed again, the same bits */
        regs[0].i = 12346;
        CHECK_EQ_I(gb_run(p, g, regs, slots, NULL, &err), GB_OK);
        CHECK(((double *)slots[0])[0] != ref_random(12345, 0));
        CHECK_EQ_F(((double *)slots[0])[3], ref_random(12346, 3));
        gb_plan_destroy(p);
        slots_free(slots, 4);
        gb_graph_destroy(g);
    }
    /* uniform enough to be a random number: the mean of 100000 draws is near 1/2 */
    {
        double s = 0.0;
        for (int64_t v = 0; v < 100000; v++)
            s += ref_random(7, v);
        CHECK_NEAR(s / 100000.0, 0.5, 0.01);
    }
}

/* A failing micro-op names its own location, else the kernel's, else the instruction's. */
static void test_kernel_error_locations(void)
{
    const int64_t n = 1100;
    gb_graph *g = graph_new(n, 0, NULL, NULL, NULL, 1);
    int64_t locs[3][3] = { { 31, 32, 33 }, { -1, 32, 33 }, { -1, -1, 33 } };
    for (int c = 0; c < 3; c++) {
        tplan t;
        gb_plan *p = NULL;
        gb_error err;
        void **slots;
        int64_t k;
        tp_init(&t, 0);
        tp_slot(&t, GB_I64);
        k = kbegin(&t, GB_DOMAIN_NODE, 3, locs[c][1]);
        micro(&t, GB_OP_IMM, -1, 0, 1050, 0, 0);
        micro(&t, GB_OP_NODE_ID, -1, 1, 0, 0, 0);
        micro(&t, GB_OP_SUB_I, -1, 1, 1, 0, 0);          /* v - 1050: zero in block 1 */
        micro(&t, GB_OP_FLOORDIV_I, locs[c][0], 2, 0, 1, 0);
        micro(&t, GB_OP_STORE, -1, 0, 0, 2, 0);
        ins(&t, GB_OP_KERNEL, locs[c][2], k, 0, 0, 0);
        CHECK_EQ_I(tp_create(&t, &p, &err), GB_OK);
        slots = slots_new(1, n);
        CHECK_EQ_I(gb_run(p, g, NULL, slots, NULL, &err), GB_EZERODIV);
        CHECK_EQ_I(err.loc, c == 0 ? 31 : c == 1 ? 32 : 33);
        CHECK_CONTAINS(err.message, "integer division by zero");
        /* block 0 finished before the failure in block 1 */
        CHECK_EQ_I(((int64_t *)slots[0])[0], 1050 / -1050);
        gb_plan_destroy(p);
        slots_free(slots, 1);
    }
    gb_graph_destroy(g);
}

static void test_sort(void)
{
    for (int round = 0; round < 200; round++) {
        int64_t n = round < 50 ? round : (int64_t)(rng() % 3000);
        uint64_t *a = malloc((size_t)(n + 1) * sizeof *a);
        int64_t bad = 0;
        uint64_t sum = 0, sum2 = 0, xor = 0, xor2 = 0;
        for (int64_t i = 0; i < n; i++) {
            uint64_t r = rng();
            /* few distinct keys, ascending, descending, random, node-id-like labels */
            a[i] = round % 5 == 0 ? r % 5
                 : round % 5 == 1 ? (uint64_t)i
                 : round % 5 == 2 ? (uint64_t)(n - i)
                 : round % 5 == 3 ? (1ull << 63) | (r % 100000) : r;
            sum += a[i];
            xor ^= a[i] * 0x9E3779B97F4A7C15ull;
        }
        gb_sort_u64(a, n);
        for (int64_t i = 0; i < n; i++)
            xor2 ^= a[i] * 0x9E3779B97F4A7C15ull;
        CHECK(xor == xor2);
        for (int64_t i = 0; i < n; i++) {
            sum2 += a[i];
            if (i > 0 && a[i - 1] > a[i])
                bad++;
        }
        CHECK_EQ_I(bad, 0);
        CHECK(sum == sum2);
        free(a);
    }
}

/* gb_mode_key, sorted (short) or hashed (long), against the first longest run of the
 * sorted keys (gb_sort_u64 is tested above): the most frequent key, ties to the smallest,
 * for few or many distinct keys and every size around the switch between the two ways. */
static void test_mode_key(void)
{
    for (int round = 0; round < 400; round++) {
        int64_t n = round < 200 ? 1 + round : 1 + (int64_t)(rng() % 5000);
        uint64_t distinct = round % 3 == 0 ? 3 : round % 3 == 1 ? (uint64_t)n / 2 + 1 : 1ull << 40;
        uint64_t *keys = malloc((size_t)(GB_MODE_WORDS * n) * sizeof *keys);
        uint64_t *copy = malloc((size_t)n * sizeof *copy);
        uint64_t want = 0, got;
        int64_t want_count = 0;
        for (int64_t i = 0; i < n; i++)
            keys[i] = copy[i] = (1ull << 63) ^ (rng() % distinct) * 0x100000001ull;
        gb_sort_u64(copy, n);
        for (int64_t i = 0, j; i < n; i = j) {
            for (j = i + 1; j < n && copy[j] == copy[i]; j++)
                ;
            if (j - i > want_count) {
                want = copy[i];
                want_count = j - i;
            }
        }
        got = gb_mode_key(keys, n);
        if (got != want)
            fprintf(stderr, "    mode of %lld keys: got %llx, want %llx\n", (long long)n,
                    (unsigned long long)got, (unsigned long long)want);
        CHECK(got == want);
        free(keys);
        free(copy);
    }
}

/* A LOAD of a slot the kernel never stores reads the slot in place (GB_MF_ALIAS); the
 * temp can still be overwritten without touching the slot, and a slot the kernel does
 * store is copied, so its temp keeps the values from before the store. */
static void test_load_in_place(void)
{
    const int64_t n = 2500;
    gb_graph *g = graph_new(n, 0, NULL, NULL, NULL, 1);
    tplan t;
    gb_plan *p = NULL;
    gb_error err;
    gb_value regs[1] = { { 0 } };
    void **slots;
    int64_t k, bad = 0;
    double want_sum = 0.0;

    tp_init(&t, 1);
    tp_slot(&t, GB_F64);   /* x: only loaded */
    tp_slot(&t, GB_F64);   /* y: loaded, then stored */
    tp_slot(&t, GB_F64);   /* z */
    tp_slot(&t, GB_I64);   /* i: only loaded */
    k = kbegin(&t, GB_DOMAIN_NODE, 6, -1);
    micro(&t, GB_OP_LOAD, -1, 0, 0, 0, 0);          /* t0 = x (in place) */
    micro(&t, GB_OP_LOAD, -1, 1, 1, 0, 0);          /* t1 = y (a copy) */
    micro(&t, GB_OP_ADD_F, -1, 2, 0, 1, 0);         /* t2 = x + y */
    micro(&t, GB_OP_MUL_F, -1, 0, 0, 2, 0);         /* t0 = x * (x + y): not into x */
    micro(&t, GB_OP_STORE, -1, 0, 1, 0, 0);         /* y = t0 */
    micro(&t, GB_OP_LOAD, -1, 3, 1, 0, 0);          /* t3 = the new y */
    micro(&t, GB_OP_SUB_F, -1, 4, 1, 3, 0);         /* old y - new y */
    micro(&t, GB_OP_LOAD, -1, 5, 3, 0, 0);          /* t5 = i (in place) */
    micro(&t, GB_OP_I2F, -1, 5, 5, 0, 0);
    micro(&t, GB_OP_ADD_F, -1, 4, 4, 5, 0);
    micro(&t, GB_OP_STORE, -1, 0, 2, 4, 0);         /* z = old y - new y + i */
    micro(&t, GB_OP_RED_SUM_F, -1, 0, 0, 0, 0);     /* r0 = sum of t0 */
    ins(&t, GB_OP_KERNEL, -1, k, 0, 0, 0);
    CHECK_EQ_I(tp_create(&t, &p, &err), GB_OK);
    CHECK_EQ_I(p->kernels[0].mflags[0], GB_MF_ALIAS);
    CHECK_EQ_I(p->kernels[0].mflags[1], 0);
    CHECK_EQ_I(p->kernels[0].mflags[5], 0);
    CHECK_EQ_I(p->kernels[0].mflags[7], GB_MF_ALIAS);
    slots = slots_new(t.nslots, n);
    for (int64_t v = 0; v < n; v++) {
        ((double *)slots[0])[v] = (double)v * 0.25;
        ((double *)slots[1])[v] = 3.0 - (double)v;
        ((int64_t *)slots[3])[v] = v % 5;
    }
    CHECK_EQ_I(gb_run(p, g, regs, slots, NULL, &err), GB_OK);
    for (int64_t v = 0; v < n; v++) {
        double x = (double)v * 0.25, y = 3.0 - (double)v, ny = x * (x + y);
        bad += ((double *)slots[0])[v] != x;
        bad += ((double *)slots[1])[v] != ny;
        bad += ((double *)slots[2])[v] != (y - ny) + (double)(v % 5);
        bad += ((int64_t *)slots[3])[v] != v % 5;
    }
    CHECK_EQ_I(bad, 0);
    for (int64_t b = 0; b * GB_NODE_BLOCK < n; b++) {
        /* the documented order: eight running sums per block, blocks in order */
        double a[8] = { 0 };
        for (int64_t v = b * GB_NODE_BLOCK; v < n && v < (b + 1) * GB_NODE_BLOCK; v++) {
            double x = (double)v * 0.25;
            a[(v - b * GB_NODE_BLOCK) % 8] += x * (x + 3.0 - (double)v);
        }
        want_sum += ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]));
    }
    CHECK_EQ_F(regs[0].f, want_sum);
    gb_plan_destroy(p);
    slots_free(slots, t.nslots);
    gb_graph_destroy(g);
}

int main(void)
{
    test_store();
    test_reductions();
    test_several_reductions();
    test_random_and_degrees();
    test_kernel_error_locations();
    test_load_in_place();
    test_sort();
    test_mode_key();
    return CHECK_DONE();
}
