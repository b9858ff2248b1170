/*
 * test_levels.c — level parallelism: consecutive independent kernels are found at
 * gb_plan_create (not across a jump target, not past a dependence) and, when each is too
 * small to split, run side by side with the same bits as one after the other; when ops
 * of a level fail, the earlier instruction's error is reported.  Built also under
 * ThreadSanitizer by `make test-tsan`.
 */
#define _POSIX_C_SOURCE 200809L
#include "check.h"
#include "parallel_util.h"

/* ---- levels: small independent kernels side by side ---- */

enum { L_X, L_A, L_B, L_C, L_D, L_E, L_F, L_G, NLS };

/* Two levels: four independent ops (a node kernel with reductions, an edge kernel, a
 * FUSED pair, another node kernel), then two that read their results.  with_jump: a
 * jump may land on the second op, which then starts a level. */
static int64_t level_plan(tplan *t, int with_jump)
{
    int64_t k0, k1, k2e, k2n, k3, k4, k5, at;

    tp_init(t, 8);
    for (int s = 0; s < NLS; s++)
        tp_slot(t, GB_F64);
    k0 = kbegin(t, GB_DOMAIN_NODE, 1, -1);           /* A = random(r0); r1 = sum, r2 = argmax */
    micro(t, GB_OP_RANDOM, -1, 0, 0, 0, 0);
    micro(t, GB_OP_STORE, -1, 0, L_A, 0, 0);
    micro(t, GB_OP_RED_SUM_F, -1, 0, 1, 0, 0);
    micro(t, GB_OP_RED_ARGMAX_F, -1, 0, 2, 0, 0);
    k1 = kbegin(t, GB_DOMAIN_EDGE, 1, -1);           /* B = sum of X over in-edges */
    kedge(t, k1, GB_DIR_IN, GB_AGG_SUM, 1, L_B, 0, -1, GB_DEFAULT_IDENTITY, -1);
    micro(t, GB_OP_GATHER, -1, 0, L_X, 0, 0);
    k2e = kbegin(t, GB_DOMAIN_EDGE, 2, -1);          /* C = max of X * w over out-edges */
    kedge(t, k2e, GB_DIR_OUT, GB_AGG_MAX, 1, L_C, 1, -1, GB_DEFAULT_SLOT, L_X);
    micro(t, GB_OP_GATHER, -1, 0, L_X, 0, 0);
    micro(t, GB_OP_WEIGHT, -1, 1, 0, 0, 0);
    micro(t, GB_OP_MUL_F, -1, 1, 0, 1, 0);
    k2n = kbegin(t, GB_DOMAIN_NODE, 2, -1);          /* D = C + C; r3 = min D */
    micro(t, GB_OP_LOAD, -1, 0, L_C, 0, 0);
    micro(t, GB_OP_ADD_F, -1, 1, 0, 0, 0);
    micro(t, GB_OP_STORE, -1, 0, L_D, 1, 0);
    micro(t, GB_OP_RED_MIN_F, -1, 0, 3, 1, 0);
    k3 = kbegin(t, GB_DOMAIN_NODE, 2, -1);           /* E = X * X; r4 = sum E */
    micro(t, GB_OP_LOAD, -1, 0, L_X, 0, 0);
    micro(t, GB_OP_MUL_F, -1, 1, 0, 0, 0);
    micro(t, GB_OP_STORE, -1, 0, L_E, 1, 0);
    micro(t, GB_OP_RED_SUM_F, -1, 0, 4, 1, 0);
    k4 = kbegin(t, GB_DOMAIN_NODE, 3, -1);           /* F = A + B: needs k0 and k1 */
    micro(t, GB_OP_LOAD, -1, 0, L_A, 0, 0);
    micro(t, GB_OP_LOAD, -1, 1, L_B, 0, 0);
    micro(t, GB_OP_ADD_F, -1, 2, 0, 1, 0);
    micro(t, GB_OP_STORE, -1, 0, L_F, 2, 0);
    micro(t, GB_OP_RED_SUM_F, -1, 0, 5, 2, 0);
    k5 = kbegin(t, GB_DOMAIN_NODE, 3, -1);           /* G = E - r1: independent of k4 */
    micro(t, GB_OP_LOAD, -1, 0, L_E, 0, 0);
    micro(t, GB_OP_BCAST, -1, 1, 1, 0, 0);
    micro(t, GB_OP_SUB_F, -1, 2, 0, 1, 0);
    micro(t, GB_OP_STORE, -1, 0, L_G, 2, 0);
    micro(t, GB_OP_RED_MAX_F, -1, 0, 6, 2, 0);
    ins(t, GB_OP_CONST, -1, 7, 1, 0, 0);
    /* never taken, but a jump may land on k1: it starts a level (forward: a backward jump
     * would be a loop, which needs an iteration check) */
    int64_t jump = with_jump ? ins(t, GB_OP_JUMP_IF_FALSE, -1, 7, 0, 0, 0) : -1;
    ins(t, GB_OP_KERNEL, 10, k0, 0, 0, 0);
    at = ins(t, GB_OP_KERNEL, 11, k1, 0, 0, 0);
    if (jump >= 0)
        t->code[jump * GB_INSTR_WIDTH + 3] = at;
    ins(t, GB_OP_FUSED, 12, k2e, k2n, 0, 0);
    ins(t, GB_OP_KERNEL, 13, k3, 0, 0, 0);
    ins(t, GB_OP_KERNEL, 14, k4, 0, 0, 0);
    ins(t, GB_OP_KERNEL, 15, k5, 0, 0, 0);
    return at;
}

static void test_levels(void)
{
    const int64_t n = 3000;   /* every kernel one work item: levels run side by side */
    gb_graph *g = skewed_graph(n, 10000, 1, 1);
    void **init = slots_new(NLS, n);
    gb_value regs[8] = { { 0 } };
    tplan t;
    gb_plan *p = NULL;
    gb_error err;

    for (int64_t v = 0; v < n; v++)
        ((double *)init[L_X])[v] = (double)((v * 7919) % 1009) / 13.0 - 30.0;
    regs[0].i = 99;
    level_plan(&t, 0);
    CHECK_EQ_I(tp_create(&t, &p, &err), GB_OK);
    CHECK_EQ_I(p->level_len[1], 4);   /* k0, k1, the FUSED pair, k3 */
    CHECK_EQ_I(p->level_len[5], 2);   /* k4, k5 */
    CHECK_EQ_I(p->red_base[1], 0);
    CHECK_EQ_I(p->red_base[3], 2);    /* after k0's two reductions (k1 has none) */
    CHECK_EQ_I(p->red_base[4], 3);
    CHECK_EQ_I(p->red_base[6], 1);
    CHECK(p->max_nred >= 4);
    CHECK_EQ_I(compare_threads(p, g, init, NLS, regs, 8, GB_MIN_ITEM_WORK, GB_OK), 0);
    /* cut finer, the same ops are split into items instead: still the same bits */
    CHECK_EQ_I(compare_threads(p, g, init, NLS, regs, 8, 100, GB_OK), 0);
    gb_plan_destroy(p);

    level_plan(&t, 1);
    CHECK_EQ_I(tp_create(&t, &p, &err), GB_OK);
    CHECK_EQ_I(p->level_len[2], 1);   /* k0; the jump's target k1 starts the next level */
    CHECK_EQ_I(p->level_len[3], 3);
    CHECK_EQ_I(compare_threads(p, g, init, NLS, regs, 8, GB_MIN_ITEM_WORK, GB_OK), 0);
    gb_plan_destroy(p);

    slots_free(init, NLS);
    gb_graph_destroy(g);
}

/* Two ops of a level fail: the earlier instruction's error is reported, even when the
 * later one (failing at its first node, the other at its last) fails first. */
static void test_level_errors(void)
{
    const int64_t n = 3000;
    gb_graph *g = skewed_graph(n, 10000, 1, 0);
    void **init = slots_new(4, n);
    gb_value regs[1] = { { 0 } };
    tplan t;
    gb_plan *p = NULL;
    gb_error err;
    int64_t ka, kb;

    tp_init(&t, 1);
    tp_slot(&t, GB_F64);
    tp_slot(&t, GB_F64);
    tp_slot(&t, GB_I64);
    tp_slot(&t, GB_I64);
    ka = kbegin(&t, GB_DOMAIN_NODE, 2, 20);
    micro(&t, GB_OP_LOAD, -1, 0, 0, 0, 0);
    micro(&t, GB_OP_F2I, 21, 1, 0, 0, 0);
    micro(&t, GB_OP_STORE, -1, 0, 2, 1, 0);
    kb = kbegin(&t, GB_DOMAIN_NODE, 2, 30);
    micro(&t, GB_OP_LOAD, -1, 0, 1, 0, 0);
    micro(&t, GB_OP_F2I, 31, 1, 0, 0, 0);
    micro(&t, GB_OP_STORE, -1, 0, 3, 1, 0);
    ins(&t, GB_OP_KERNEL, 22, ka, 0, 0, 0);
    ins(&t, GB_OP_KERNEL, 32, kb, 0, 0, 0);
    CHECK_EQ_I(tp_create(&t, &p, &err), GB_OK);
    CHECK_EQ_I(p->level_len[0], 2);
    ((double *)init[0])[n - 1] = INFINITY;
    ((double *)init[1])[0] = NAN;
    CHECK_EQ_I(compare_threads(p, g, init, 4, regs, 1, GB_MIN_ITEM_WORK, GB_EVALUE), 0);
    for (int round = 0; round < 20; round++) {
        gb_run_options opts = { 10, 2, NULL, 0, NULL };
        void **slots = slots_new(4, n);
        memcpy(slots[0], init[0], (size_t)n * 8);
        memcpy(slots[1], init[1], (size_t)n * 8);
        CHECK_EQ_I(gb_run(p, g, regs, slots, &opts, &err), GB_EVALUE);
        CHECK_EQ_I(err.loc, 21);
        CHECK_CONTAINS(err.message, "cannot convert inf to int");
        slots_free(slots, 4);
    }
    gb_plan_destroy(p);
    slots_free(init, 4);
    gb_graph_destroy(g);
}

int main(void)
{
    test_levels();
    test_level_errors();
    return CHECK_DONE();
}
