/*
 * test_demand_full.c — the demand claim's full form (csrc/exec/demand_full.c): a masked sum
 * `out = where(mask, sum(x[u] for u in in_nbrs), out)` whose result slot only its node
 * kernel reads runs the pull at the masked nodes only (the others' results keep their old
 * bits) and stores bitwise what full passes store, at 1 and 4 threads; gb_plan_create
 * refuses the claim with a value the node kernel does not prove, on a result another
 * kernel reads, and on a float mask.
 */
#include "check.h"
#include "plan_asm.h"

enum { X, MASK, E, OUT, NSLOT };

/* FUSED (E = sum over in-edges of x[u]; out = where(mask, E, out)); `reader`: a later
 * KERNEL also reads E. */
static void build(tplan *t, int64_t slot, int64_t value, int reader)
{
    int64_t ek, nk, rk = -1;

    tp_init(t, 0);
    tp_slot(t, GB_F64);
    tp_slot(t, GB_BOOL);
    tp_slot(t, GB_F64);
    tp_slot(t, GB_F64);
    ek = kbegin(t, GB_DOMAIN_EDGE, 1, 10);
    kedge(t, ek, GB_DIR_IN, GB_AGG_SUM, 1, E, 0, -1, GB_DEFAULT_IDENTITY, -1);
    micro(t, GB_OP_GATHER, 11, 0, X, 0, 0);
    kset(t, ek, GB_KH_DEMAND, slot);
    kset(t, ek, GB_KH_DEMAND_VALUE, value);
    nk = kbegin(t, GB_DOMAIN_NODE, 4, 20);
    micro(t, GB_OP_LOAD, 21, 0, MASK, 0, 0);
    micro(t, GB_OP_LOAD, 22, 1, E, 0, 0);
    micro(t, GB_OP_LOAD, 23, 2, OUT, 0, 0);
    micro(t, GB_OP_WHERE, 24, 3, 0, 1, 2);
    micro(t, GB_OP_STORE, 25, 0, OUT, 3, 0);
    if (reader) {
        rk = kbegin(t, GB_DOMAIN_NODE, 1, 30);
        micro(t, GB_OP_LOAD, 31, 0, E, 0, 0);
        micro(t, GB_OP_STORE, 32, 0, X, 0, 0);
    }
    ins(t, GB_OP_FUSED, 40, ek, nk, 0, 0);
    if (reader)
        ins(t, GB_OP_KERNEL, 41, rk, 0, 0, 0);
}

static void **run(const gb_plan *p, const gb_graph *g, int64_t n, int threads, int full)
{
    void **s = slots_new(NSLOT, n);
    gb_run_options opts = { 0 };
    gb_error err;
    for (int64_t v = 0; v < n; v++) {
        ((double *)s[X])[v] = 1.0 / (double)(v % 97 + 3);
        ((uint8_t *)s[MASK])[v] = v % 5 == 0 || (v >= 3000 && v < 3100);
        ((double *)s[E])[v] = -7.0;
        ((double *)s[OUT])[v] = (double)v;
    }
    opts.threads = threads;
    opts.full_passes = full;
    CHECK_EQ_I(gb_run(p, g, NULL, s, &opts, &err), GB_OK);
    return s;
}

static void test_masked_sum(void)
{
    const int64_t n = 5000, m = 60000;   /* node 75 (masked) owns a third of the edges */
    int64_t *src = malloc((size_t)m * sizeof *src), *dst = malloc((size_t)m * sizeof *dst);
    uint64_t r = 7;
    for (int64_t i = 0; i < m; i++) {
        r = r * 6364136223846793005ull + 1442695040888963407ull;
        src[i] = (int64_t)((r >> 33) % (uint64_t)n);
        dst[i] = i % 3 == 0 ? 75 : (int64_t)((r >> 13) % (uint64_t)n);
    }
    for (int directed = 0; directed <= 1; directed++) {
        gb_graph *g = graph_new(n, m, src, dst, NULL, directed);
        gb_plan *p = NULL;
        gb_error err;
        tplan t;
        void **full, **part;

        build(&t, MASK, 1, 0);
        CHECK_EQ_I(tp_create(&t, &p, &err), GB_OK);
        CHECK_EQ_I(p->kernels[0].demand_slot, MASK);
        full = run(p, g, n, 1, 1);
        for (int threads = 1; threads <= 4; threads += 3) {
            int64_t kept = 0, computed = 0;
            part = run(p, g, n, threads, 0);
            CHECK(memcmp(full[OUT], part[OUT], (size_t)n * sizeof(double)) == 0);
            for (int64_t v = 0; v < n; v++) {
                const double e = ((double *)part[E])[v];
                if (((uint8_t *)part[MASK])[v])
                    computed += memcmp(&e, (double *)full[E] + v, sizeof e) == 0;
                else
                    kept += e == -7.0;
            }
            CHECK_EQ_I(computed, n / 5 + 80);   /* 3000..3099 adds the 80 not multiples of 5 */
            CHECK_EQ_I(kept, n - n / 5 - 80);
            slots_free(part, NSLOT);
        }
        slots_free(full, NSLOT);
        gb_plan_destroy(p);
        gb_graph_destroy(g);
    }
    free(src);
    free(dst);
}

static void test_refused(void)
{
    tplan t;
    gb_plan *p = NULL;
    gb_error err;

    build(&t, MASK, 0, 0);   /* where the mask is false the node kernel does not read E */
    CHECK_EQ_I(tp_create(&t, &p, &err), GB_EINVAL);
    CHECK_CONTAINS(err.message, "which its consumer does not allow");
    build(&t, MASK, 1, 1);   /* E is read by another kernel: its old bits would be seen */
    CHECK_EQ_I(tp_create(&t, &p, &err), GB_EINVAL);
    CHECK_CONTAINS(err.message, "which its consumer does not allow");
    build(&t, X, 1, 0);
    CHECK_EQ_I(tp_create(&t, &p, &err), GB_EINVAL);
    CHECK_CONTAINS(err.message, "which it does not allow");
    build(&t, -1, 0, 1);   /* no claim: the reader is fine */
    CHECK_EQ_I(tp_create(&t, &p, &err), GB_OK);
    gb_plan_destroy(p);
}

int main(void)
{
    test_masked_sum();
    test_refused();
    return CHECK_DONE();
}
