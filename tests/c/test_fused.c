/*
 * test_fused.c — GB_OP_FUSED: an edge kernel with a node kernel as its per-block
 * epilogue gives the same bits as the two kernels run one after the other (slots and
 * reductions, directed and undirected, a hub spanning chunks), and gb_plan_create
 * rejects the pairs that would not (the node kernel storing a gathered slot, wrong
 * kernel kinds).
 */
#include "check.h"
#include "csr64.h"
#include "plan_asm.h"

enum { RANK, INV_DEG, ACC, NEW_RANK, OWN, NSLOT };

/* One PageRank-like step.  Edge kernel: acc[v] = sum over in-edges of
 * rank[u] * inv_deg[u] + own[v] / 1024.  Node kernel: new_rank = 0.85 acc + r0, also
 * stored into own (which the edge kernel LOADs: safe, it reads only the block's own
 * nodes); r1 = sum |new_rank - rank|, r2 = argmax new_rank.  With `store_gathered`, the
 * node kernel also stores into rank, which the edge kernel gathers. */
static void build_step(tplan *t, int fused, int store_gathered)
{
    int64_t ek, nk;

    tp_init(t, 3);
    for (int s = 0; s < NSLOT; s++)
        tp_slot(t, GB_F64);
    ek = kbegin(t, GB_DOMAIN_EDGE, 7, 50);
    kedge(t, ek, GB_DIR_IN, GB_AGG_SUM, 1, ACC, 6, -1, GB_DEFAULT_IDENTITY, -1);
    micro(t, GB_OP_GATHER, 51, 0, RANK, 0, 0);
    micro(t, GB_OP_GATHER, 52, 1, INV_DEG, 0, 0);
    micro(t, GB_OP_MUL_F, 53, 2, 0, 1, 0);
    micro(t, GB_OP_LOAD, 54, 3, OWN, 0, 0);
    micro(t, GB_OP_IMM, 55, 4, fbits(1.0 / 1024.0), 0, 0);
    micro(t, GB_OP_MUL_F, 56, 5, 3, 4, 0);
    micro(t, GB_OP_ADD_F, 57, 6, 2, 5, 0);
    nk = kbegin(t, GB_DOMAIN_NODE, 7, 60);
    micro(t, GB_OP_LOAD, 61, 0, ACC, 0, 0);
    micro(t, GB_OP_IMM, 62, 1, fbits(0.85), 0, 0);
    micro(t, GB_OP_MUL_F, 63, 2, 0, 1, 0);
    micro(t, GB_OP_BCAST, 64, 3, 0, 0, 0);
    micro(t, GB_OP_ADD_F, 65, 4, 2, 3, 0);
    micro(t, GB_OP_STORE, 66, 0, NEW_RANK, 4, 0);
    micro(t, GB_OP_STORE, 67, 0, OWN, 4, 0);
    if (store_gathered)
        micro(t, GB_OP_STORE, 68, 0, RANK, 4, 0);
    micro(t, GB_OP_LOAD, 69, 5, RANK, 0, 0);
    micro(t, GB_OP_SUB_F, 70, 6, 4, 5, 0);
    micro(t, GB_OP_ABS_F, 71, 6, 6, 0, 0);
    micro(t, GB_OP_RED_SUM_F, 72, 0, 1, 6, 0);
    micro(t, GB_OP_RED_ARGMAX_F, 73, 0, 2, 4, 0);
    if (fused) {
        ins(t, GB_OP_FUSED, 80, ek, nk, 0, 0);
    } else {
        ins(t, GB_OP_KERNEL, 80, ek, 0, 0, 0);
        ins(t, GB_OP_KERNEL, 81, nk, 0, 0, 0);
    }
}

/* Runs the step twice (so the second pass starts from the first's rank); returns the
 * slots for comparison and fills regs. */
static void **run_step(const gb_plan *p, const gb_graph *g, gb_value *regs)
{
    int64_t n = gb_graph_node_count(g);
    void **slots = slots_new(NSLOT, n);
    csr64 out = csr64_get(g, GB_DIR_OUT);
    const int64_t *off = out.off;
    gb_error err;
    for (int64_t v = 0; v < n; v++) {
        int64_t d = off[v + 1] - off[v];
        ((double *)slots[RANK])[v] = 1.0 / (double)n;
        ((double *)slots[INV_DEG])[v] = d > 0 ? 1.0 / (double)d : 0.0;
        ((double *)slots[OWN])[v] = (double)(v % 17) * 0.001;
    }
    csr64_free(&out);
    regs[0].f = 0.15 / (double)n;
    for (int pass = 0; pass < 2; pass++) {
        CHECK_EQ_I(gb_run(p, g, regs, slots, NULL, &err), GB_OK);
        memcpy(slots[RANK], slots[NEW_RANK], (size_t)n * sizeof(double));
    }
    return slots;
}

static void test_fused_equals_unfused(void)
{
    const int64_t n = 5000, m = 40000;   /* five node blocks; node 77 owns a third of the edges */
    int64_t *src = malloc((size_t)m * sizeof *src), *dst = malloc((size_t)m * sizeof *dst);
    uint64_t r = 99;
    for (int64_t i = 0; i < m; i++) {
        r = r * 6364136223846793005ull + 1442695040888963407ull;
        src[i] = (int64_t)((r >> 33) % (uint64_t)n);
        dst[i] = i % 3 == 0 ? 77 : (int64_t)((r >> 13) % (uint64_t)n);
    }
    for (int directed = 0; directed <= 1; directed++) {
        gb_graph *g = graph_new(n, m, src, dst, NULL, directed);
        tplan t;
        gb_plan *pu = NULL, *pf = NULL;
        gb_error err;
        gb_value ru[3] = { { 0 } }, rf[3] = { { 0 } };
        void **su, **sf;
        int64_t differ = 0;

        build_step(&t, 0, 0);
        CHECK_EQ_I(tp_create(&t, &pu, &err), GB_OK);
        build_step(&t, 1, 0);
        CHECK_EQ_I(tp_create(&t, &pf, &err), GB_OK);
        su = run_step(pu, g, ru);
        sf = run_step(pf, g, rf);
        for (int s = 0; s < NSLOT; s++)
            differ += memcmp(su[s], sf[s], (size_t)n * sizeof(double)) != 0;
        CHECK_EQ_I(differ, 0);
        CHECK_EQ_I(ru[1].i, rf[1].i);   /* the same bits */
        CHECK_EQ_I(ru[2].i, rf[2].i);
        CHECK(ru[1].f > 0.0);
        CHECK_EQ_I(ru[2].i, 77);
        slots_free(su, NSLOT);
        slots_free(sf, NSLOT);
        gb_plan_destroy(pu);
        gb_plan_destroy(pf);
        gb_graph_destroy(g);
    }
    free(src);
    free(dst);
}

static void test_fused_validation(void)
{
    tplan t;
    gb_plan *p = NULL;
    gb_error err;

    build_step(&t, 1, 1);
    CHECK_EQ_I(tp_create(&t, &p, &err), GB_EINVAL);
    CHECK_CONTAINS(err.message, "stores a slot the edge kernel gathers");
    CHECK_EQ_I(err.loc, 80);
    build_step(&t, 0, 1);   /* unfused, the same kernels are fine */
    CHECK_EQ_I(tp_create(&t, &p, &err), GB_OK);
    gb_plan_destroy(p);

    build_step(&t, 1, 0);   /* operands swapped: a node kernel, then an edge kernel */
    {
        int64_t *w = t.code + (t.ncode - GB_INSTR_WIDTH);
        int64_t a = w[2];
        w[2] = w[3];
        w[3] = a;
    }
    CHECK_EQ_I(tp_create(&t, &p, &err), GB_EINVAL);
    CHECK_CONTAINS(err.message, "needs an edge kernel, then a node kernel");
    build_step(&t, 1, 0);
    t.code[t.ncode - GB_INSTR_WIDTH + 3] = 5;   /* not a kernel's offset */
    CHECK_EQ_I(tp_create(&t, &p, &err), GB_EINVAL);
    CHECK_CONTAINS(err.message, "no kernel starts");
}

/* An error in the epilogue names its micro-op; an interrupt stops the pair. */
static void test_fused_errors(void)
{
    static const int64_t src[] = { 0, 1 }, dst[] = { 1, 2 };
    gb_graph *g = graph_new(3, 2, src, dst, NULL, 1);
    volatile int32_t flag = 0;
    gb_run_options opts = { 10, 1, &flag, 0, NULL };
    tplan t;
    gb_plan *p = NULL;
    gb_error err;
    void **slots = slots_new(2, 3);
    int64_t ek, nk;

    tp_init(&t, 0);
    tp_slot(&t, GB_I64);
    tp_slot(&t, GB_I64);
    ek = kbegin(&t, GB_DOMAIN_EDGE, 1, 90);
    kedge(&t, ek, GB_DIR_IN, GB_AGG_COUNT, 0, 1, 0, -1, GB_DEFAULT_IDENTITY, -1);
    micro(&t, GB_OP_IMM, -1, 0, 1, 0, 0);
    nk = kbegin(&t, GB_DOMAIN_NODE, 3, 91);
    micro(&t, GB_OP_IMM, -1, 0, 6, 0, 0);
    micro(&t, GB_OP_LOAD, -1, 1, 1, 0, 0);
    micro(&t, GB_OP_FLOORDIV_I, 92, 2, 0, 1, 0);    /* node 0 has no in-edge: 6 // 0 */
    micro(&t, GB_OP_STORE, -1, 0, 0, 2, 0);
    ins(&t, GB_OP_FUSED, 93, ek, nk, 0, 0);
    CHECK_EQ_I(tp_create(&t, &p, &err), GB_OK);
    CHECK_EQ_I(gb_run(p, g, NULL, slots, &opts, &err), GB_EZERODIV);
    CHECK_EQ_I(err.loc, 92);
    CHECK_EQ_I(((int64_t *)slots[1])[2], 1);   /* the aggregation ran first */
    flag = 1;
    CHECK_EQ_I(gb_run(p, g, NULL, slots, &opts, &err), GB_EINTR);
    CHECK_EQ_I(err.loc, 90);
    gb_plan_destroy(p);
    slots_free(slots, 2);
    gb_graph_destroy(g);
}

int main(void)
{
    test_fused_equals_unfused();
    test_fused_validation();
    test_fused_errors();
    return CHECK_DONE();
}
