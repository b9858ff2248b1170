/*
 * test_incremental.c — incremental passes (csrc/exec/incremental.c) give the bits of full
 * passes.  Loops shaped like Bellman-Ford (min of value + weight), BFS (any of a bool),
 * label propagation (mode with the gathered slot as default) and a filtered min with a
 * default slot of its own run for a fixed number of passes, fused and unfused, on
 * directed and undirected skewed graphs, with incremental passes off (the reference),
 * on at 1, 2, 3 and 8 threads, and off through gb_run_options.full_passes.  Two more
 * shapes take the push form (incr_push.c): an integer min over both directions, and a
 * float min whose inputs are signed zeros (ties the push must not decide) and now and
 * then move up (against the push).  A count of a bool slot pushes +1 and -1 (k-core
 * peeling, with nodes that come back).  The fused Bellman-Ford and integer-min shapes also
 * claim carried changed sets (changed.c), which must run and give the same bits.
 */
#include "parallel_util.h"

enum { PASSES = 12 };
enum { R_ITER, R_ONE, R_FLAG, R_LIMIT, R_LT, R_DEPTH, NREGS };
enum { X, OUT, AUX, OWN, NSLOTS };   /* gathered slot, edge kernel result, two more */
/* FLIST: BFS claiming frontier lists (frontier.c; its node kernel reduces, so the node
 * kernel runs on the claimed nodes' blocks); FFOLD: the same without the reduction, so its
 * stores fold into the claims and the unseen bitmap is kept (frontier_push.c, frontier_pull.c) */
enum { SSSP, BFS, MODE, FILTERED, CCMIN, SWING, PEEL, FLIST, FFOLD, NSHAPES };
static const char *NAMES[NSHAPES] = { "sssp", "bfs", "mode", "filtered", "ccmin", "swing", "peel",
                                      "bfs-lists", "bfs-folded" };

/* k-core peeling (the count's push form): OUT = count over both directions of X[u] (bool);
 * X = X and OUT > depth, or v % 7 == depth % 7 (some nodes come back: pushes of +1 and -1) */
static void build_peel(tplan *t)
{
    int64_t ek, nk, top;

    tp_init(t, NREGS);
    tp_slot(t, GB_BOOL);
    tp_slot(t, GB_I64);
    tp_slot(t, GB_I64);
    tp_slot(t, GB_I64);
    ek = kbegin(t, GB_DOMAIN_EDGE, 1, 10);
    kedge(t, ek, GB_DIR_BOTH, GB_AGG_COUNT, 0, OUT, 0, -1, GB_DEFAULT_IDENTITY, -1);
    micro(t, GB_OP_GATHER, 11, 0, X, 0, 0);
    nk = kbegin(t, GB_DOMAIN_NODE, 8, 20);
    micro(t, GB_OP_LOAD, 21, 0, OUT, 0, 0);
    micro(t, GB_OP_LOAD, 22, 1, X, 0, 0);
    micro(t, GB_OP_BCAST, 23, 2, R_DEPTH, 0, 0);
    micro(t, GB_OP_GT_I, 24, 3, 0, 2, 0);
    micro(t, GB_OP_AND, 25, 4, 1, 3, 0);
    micro(t, GB_OP_NODE_ID, 26, 5, 0, 0, 0);
    micro(t, GB_OP_IMM, 27, 6, 7, 0, 0);
    micro(t, GB_OP_MOD_I, 28, 5, 5, 6, 0);
    micro(t, GB_OP_MOD_I, 29, 7, 2, 6, 0);
    micro(t, GB_OP_EQ_I, 30, 5, 5, 7, 0);
    micro(t, GB_OP_OR, 31, 4, 4, 5, 0);
    micro(t, GB_OP_STORE, 32, 0, X, 4, 0);
    micro(t, GB_OP_RED_ANY, 33, 0, R_FLAG, 4, 0);
    top = ins(t, GB_OP_LT_I, 1, R_LT, R_ITER, R_LIMIT, 0);
    ins(t, GB_OP_JUMP_IF_FALSE, 2, R_LT, 7, 0, 0);
    ins(t, GB_OP_ADD_I, 3, R_ITER, R_ITER, R_ONE, 0);
    ins(t, GB_OP_ADD_I, 4, R_DEPTH, R_DEPTH, R_ONE, 0);
    ins(t, GB_OP_KERNEL, 5, ek, 0, 0, 0);
    ins(t, GB_OP_KERNEL, 6, nk, 0, 0, 0);
    ins(t, GB_OP_JUMP, 8, top, 0, 0, 0);
}

/* for r_iter < PASSES: edge kernel into OUT, node kernel epilogue, swap X and OUT */
static void build(tplan *t, int shape, int fused)
{
    int64_t ek, nk, top;
    const int lists = shape == FLIST || shape == FFOLD, fold = shape == FFOLD;

    if (lists)
        shape = BFS;
    if (shape == PEEL) {
        build_peel(t);
        return;
    }
    tp_init(t, NREGS);
    const int32_t xt = shape == SSSP || shape == SWING ? GB_F64 : shape == BFS ? GB_BOOL : GB_I64;

    tp_slot(t, xt);
    tp_slot(t, xt);
    tp_slot(t, shape == FILTERED ? GB_BOOL : GB_I64);
    tp_slot(t, GB_I64);
    ek = kbegin(t, GB_DOMAIN_EDGE, 3, 10);
    switch (shape) {
    case SSSP:    /* OUT = min over in-edges of X[u] + w */
        kedge(t, ek, GB_DIR_IN, GB_AGG_MIN, 1, OUT, 2, -1, GB_DEFAULT_IDENTITY, -1);
        micro(t, GB_OP_GATHER, 11, 0, X, 0, 0);
        micro(t, GB_OP_WEIGHT, 12, 1, 0, 0, 0);
        micro(t, GB_OP_ADD_F, 13, 2, 0, 1, 0);
        break;
    case BFS:     /* OUT = any over out-edges of X[u] */
        kedge(t, ek, GB_DIR_OUT, GB_AGG_ANY, 0, OUT, 0, -1, GB_DEFAULT_IDENTITY, -1);
        micro(t, GB_OP_GATHER, 11, 0, X, 0, 0);
        break;
    case MODE:    /* OUT = mode over both directions of X[u], else X[v] */
        kedge(t, ek, GB_DIR_BOTH, GB_AGG_MODE, 0, OUT, 0, -1, GB_DEFAULT_SLOT, X);
        micro(t, GB_OP_GATHER, 11, 0, X, 0, 0);
        break;
    case CCMIN:   /* OUT = min over both directions of X[u] */
        kedge(t, ek, GB_DIR_BOTH, GB_AGG_MIN, 0, OUT, 0, -1, GB_DEFAULT_IDENTITY, -1);
        micro(t, GB_OP_GATHER, 11, 0, X, 0, 0);
        break;
    case SWING:   /* OUT = min over out-edges of X[u] */
        kedge(t, ek, GB_DIR_OUT, GB_AGG_MIN, 1, OUT, 0, -1, GB_DEFAULT_IDENTITY, -1);
        micro(t, GB_OP_GATHER, 11, 0, X, 0, 0);
        break;
    default:      /* OUT = min over both directions of X[u] where AUX[u], else OWN[v] */
        kedge(t, ek, GB_DIR_BOTH, GB_AGG_MIN, 0, OUT, 0, 1, GB_DEFAULT_SLOT, OWN);
        micro(t, GB_OP_GATHER, 11, 0, X, 0, 0);
        micro(t, GB_OP_GATHER, 12, 1, AUX, 0, 0);
        break;
    }
    nk = kbegin(t, GB_DOMAIN_NODE, 10, 20);
    micro(t, GB_OP_LOAD, 21, 0, OUT, 0, 0);
    micro(t, GB_OP_LOAD, 22, 1, X, 0, 0);
    switch (shape) {
    case SSSP:    /* OUT = min(X, OUT); flag = any(OUT < X) */
        micro(t, GB_OP_MIN_F, 23, 2, 0, 1, 0);
        micro(t, GB_OP_LT_F, 24, 3, 2, 1, 0);
        micro(t, GB_OP_STORE, 25, 0, OUT, 2, 0);
        break;
    case BFS:     /* OUT = OUT and AUX == -1; AUX = where(OUT, depth, AUX) */
        micro(t, GB_OP_LOAD, 23, 4, AUX, 0, 0);
        micro(t, GB_OP_IMM, 24, 5, -1, 0, 0);
        micro(t, GB_OP_EQ_I, 25, 5, 4, 5, 0);
        micro(t, GB_OP_AND, 26, 3, 0, 5, 0);
        micro(t, GB_OP_BCAST, 27, 6, R_DEPTH, 0, 0);
        micro(t, GB_OP_WHERE, 28, 7, 3, 6, 4);
        micro(t, GB_OP_STORE, 29, 0, OUT, 3, 0);
        micro(t, GB_OP_STORE, 30, 0, AUX, 7, 0);
        break;
    case MODE:    /* flag = any(OUT != X) */
        micro(t, GB_OP_NE_I, 23, 3, 0, 1, 0);
        break;
    case CCMIN:   /* OUT = min(X, OUT); flag = any(OUT < X) */
        micro(t, GB_OP_MIN_I, 23, 2, 0, 1, 0);
        micro(t, GB_OP_LT_I, 24, 3, 2, 1, 0);
        micro(t, GB_OP_STORE, 25, 0, OUT, 2, 0);
        break;
    case SWING:   /* OUT = min(X, OUT) (X on a tie: no sign flips), plus random(depth)
                     where v is even on every 3rd pass (the inputs move up) */
        micro(t, GB_OP_MIN_F, 23, 2, 1, 0, 0);
        micro(t, GB_OP_LT_F, 24, 3, 2, 1, 0);
        micro(t, GB_OP_NODE_ID, 25, 4, 0, 0, 0);
        micro(t, GB_OP_IMM, 26, 5, 2, 0, 0);
        micro(t, GB_OP_MOD_I, 27, 4, 4, 5, 0);
        micro(t, GB_OP_IMM, 28, 6, 0, 0, 0);
        micro(t, GB_OP_EQ_I, 29, 4, 4, 6, 0);
        micro(t, GB_OP_BCAST, 30, 7, R_DEPTH, 0, 0);
        micro(t, GB_OP_IMM, 31, 5, 3, 0, 0);
        micro(t, GB_OP_MOD_I, 32, 7, 7, 5, 0);
        micro(t, GB_OP_EQ_I, 33, 7, 7, 6, 0);
        micro(t, GB_OP_AND, 34, 4, 4, 7, 0);
        micro(t, GB_OP_RANDOM, 35, 8, R_DEPTH, 0, 0);
        micro(t, GB_OP_ADD_F, 36, 8, 2, 8, 0);
        micro(t, GB_OP_WHERE, 37, 9, 4, 8, 2);
        micro(t, GB_OP_STORE, 38, 0, OUT, 9, 0);
        break;
    default:      /* OUT = min(X, OUT); AUX = OUT < X or v % 3 == 0 (the filter moves);
                     OWN = OUT - 1 where OUT < X (the default moves) */
        micro(t, GB_OP_MIN_I, 23, 2, 0, 1, 0);
        micro(t, GB_OP_LT_I, 24, 3, 2, 1, 0);
        micro(t, GB_OP_STORE, 25, 0, OUT, 2, 0);
        micro(t, GB_OP_LOAD, 33, 6, OWN, 0, 0);
        micro(t, GB_OP_IMM, 34, 7, 1, 0, 0);
        micro(t, GB_OP_SUB_I, 35, 7, 2, 7, 0);
        micro(t, GB_OP_WHERE, 36, 6, 3, 7, 6);
        micro(t, GB_OP_STORE, 37, 0, OWN, 6, 0);
        micro(t, GB_OP_NODE_ID, 26, 4, 0, 0, 0);
        micro(t, GB_OP_IMM, 27, 5, 3, 0, 0);
        micro(t, GB_OP_MOD_I, 28, 4, 4, 5, 0);
        micro(t, GB_OP_IMM, 29, 5, 0, 0, 0);
        micro(t, GB_OP_EQ_I, 30, 4, 4, 5, 0);
        micro(t, GB_OP_OR, 31, 4, 3, 4, 0);
        micro(t, GB_OP_STORE, 32, 0, AUX, 4, 0);
        break;
    }
    if (!fold)
        micro(t, GB_OP_RED_ANY, 40, 0, R_FLAG, 3, 0);
    top = ins(t, GB_OP_LT_I, 1, R_LT, R_ITER, R_LIMIT, 0);
    ins(t, GB_OP_JUMP_IF_FALSE, 2, R_LT, fused ? 7 : 8, 0, 0);
    ins(t, GB_OP_ADD_I, 3, R_ITER, R_ITER, R_ONE, 0);
    ins(t, GB_OP_ADD_I, 4, R_DEPTH, R_DEPTH, R_ONE, 0);
    if (fused) {
        ins(t, GB_OP_FUSED, 5, ek, nk, 0, 0);
    } else {
        ins(t, GB_OP_KERNEL, 5, ek, 0, 0, 0);
        ins(t, GB_OP_KERNEL, 6, nk, 0, 0, 0);
    }
    ins(t, GB_OP_SWAP_V, 7, X, OUT, 0, 0);
    ins(t, GB_OP_JUMP, 8, top, 0, 0, 0);
    if ((shape == SSSP || shape == CCMIN) && fused)   /* changed sets carried (changed.c) */
        t->kcode[ek + GB_KH_CHANGED] = 1;
    if (shape == BFS && fused) {   /* OUT is used only where AUX == -1 (demand.c) */
        t->kcode[ek + GB_KH_DEMAND] = AUX;
        t->kcode[ek + GB_KH_DEMAND_VALUE] = -1;
        t->kcode[ek + GB_KH_CHANGED] = lists ? 2 : 0;
    }
}

static void init_slots(void **s, int shape, int64_t n)
{
    if (shape == FLIST || shape == FFOLD)
        shape = BFS;
    for (int64_t v = 0; v < n; v++) {
        switch (shape) {
        case SSSP:
            ((double *)s[X])[v] = v == 3 ? 0.0 : INFINITY;
            break;
        case BFS:
            ((uint8_t *)s[X])[v] = v == 3;
            ((int64_t *)s[AUX])[v] = v == 3 ? 0 : -1;
            break;
        case MODE:
            ((int64_t *)s[X])[v] = v % 97;   /* few labels: many ties and changes */
            break;
        case CCMIN:
            ((int64_t *)s[X])[v] = (v * 7919) % 1009;
            break;
        case PEEL:
            ((uint8_t *)s[X])[v] = 1;
            break;
        case SWING:
            ((double *)s[X])[v] = v == 5 ? -0.0 : v % 401 == 7 ? 0.0 : (double)v + 1.0;
            break;
        default:
            ((int64_t *)s[X])[v] = v;
            ((uint8_t *)s[AUX])[v] = v % 2 == 0;
            ((int64_t *)s[OWN])[v] = v;
            break;
        }
    }
}

/* Runs p from the shape's start; slots into out (NSLOTS buffers of 8 n bytes). */
static void run(gb_plan *p, const gb_graph *g, int shape, int threads, int full, void **out,
                gb_value *regs)
{
    const int64_t n = gb_graph_node_count(g);
    gb_run_options opts = { 1000, threads, NULL, full, NULL };
    gb_error err;
    for (int s = 0; s < NSLOTS; s++)
        memset(out[s], 0, (size_t)n * 8);
    init_slots(out, shape, n);
    memset(regs, 0, NREGS * sizeof *regs);
    regs[R_ONE].i = 1;
    regs[R_LIMIT].i = PASSES;
    CHECK_EQ_I(gb_run(p, g, regs, out, &opts, &err), GB_OK);
}

static int64_t differences(void **a, void **b, const gb_value *ra, const gb_value *rb, int64_t n)
{
    int64_t differ = 0;
    for (int s = 0; s < NSLOTS; s++)
        differ += memcmp(a[s], b[s], (size_t)n * 8) != 0;
    return differ + (memcmp(ra, rb, NREGS * sizeof *ra) != 0);
}

static void test_shape(const gb_graph *g, int shape, int fused)
{
    const int64_t n = gb_graph_node_count(g);
    void **ref = slots_new(NSLOTS, n), **got = slots_new(NSLOTS, n);
    gb_value rref[NREGS], rgot[NREGS];
    gb_plan *p = NULL;
    gb_error err;
    tplan t;
    int64_t differ = 0;

    const int lists = shape == FLIST || shape == FFOLD, fold = shape == FFOLD;
    const int name = shape;
    build(&t, shape, fused);
    if (lists)
        shape = BFS;
    CHECK_EQ_I(tp_create(&t, &p, &err), GB_OK);
    CHECK_EQ_I(p->kernels[0].flist, lists);
    CHECK_EQ_I(p->kernels[0].fl_unseen, fold);   /* folded stores: the bitmap is kept */
    CHECK(p->kernels[0].incr);
    CHECK(shape != PEEL || p->kernels[0].push);
    CHECK_EQ_I(p->kernels[0].demand_slot, shape == BFS && fused ? AUX : -1);
    gb_plan_tune(p, 1, 64);   /* many small items */
    gb_plan_tune_incremental(p, 0);
    run(p, g, shape, 1, 0, ref, rref);
    gb_plan_tune_incremental(p, 1);
    for (int ti = 0; ti < NTHREADS; ti++) {
        run(p, g, shape, THREADS[ti], 0, got, rgot);
        differ += differences(ref, got, rref, rgot, n);
    }
    run(p, g, shape, 2, 1, got, rgot);
    differ += differences(ref, got, rref, rgot, n);
    CHECK_EQ_I(p->kernels[0].changed, (shape == SSSP || shape == CCMIN) && fused);
    if (shape == PEEL || (fused && (shape == BFS || shape == SSSP || shape == CCMIN))) {
        /* the pushes, the demand passes, the passes over carried changed sets ran */
        const int kind = shape == PEEL || lists ? GB_COUNT_PUSH
                         : shape == BFS ? GB_COUNT_DEMAND : GB_COUNT_CHANGED;
        int64_t counts[7 * GB_COUNTS_PER_INSTR] = { 0 };
        gb_run_options opts = { 1000, 2, NULL, 0, counts };
        init_slots(got, shape, n);
        memset(rgot, 0, sizeof rgot);
        rgot[R_ONE].i = 1;
        rgot[R_LIMIT].i = PASSES;
        CHECK_EQ_I(gb_run(p, g, rgot, got, &opts, &err), GB_OK);
        CHECK(counts[4 * GB_COUNTS_PER_INSTR + kind] > 0);
    }
    gb_plan_tune(p, 0, 64);   /* the generic edge loops too */
    run(p, g, shape, 2, 0, got, rgot);
    differ += differences(ref, got, rref, rgot, n);
    if (differ != 0)
        fprintf(stderr, "  %s (%s) differs from full passes\n", NAMES[name],
                fused ? "fused" : "unfused");
    CHECK_EQ_I(differ, 0);
    gb_plan_destroy(p);
    slots_free(ref, NSLOTS);
    slots_free(got, NSLOTS);
}

static void test_not_incremental(void)
{
    gb_plan *p = NULL;
    gb_error err;
    tplan t;
    int64_t ek;

    /* a sum changes wherever an input does: never incremental */
    tp_init(&t, 1);
    tp_slot(&t, GB_F64);
    tp_slot(&t, GB_F64);
    ek = kbegin(&t, GB_DOMAIN_EDGE, 1, 1);
    kedge(&t, ek, GB_DIR_IN, GB_AGG_SUM, 1, 1, 0, -1, GB_DEFAULT_IDENTITY, -1);
    micro(&t, GB_OP_GATHER, 2, 0, 0, 0, 0);
    ins(&t, GB_OP_KERNEL, 3, ek, 0, 0, 0);
    CHECK_EQ_I(tp_create(&t, &p, &err), GB_OK);
    CHECK(!p->kernels[0].incr);
    gb_plan_destroy(p);
}

int main(void)
{
    /* compact storage both ways; all 64-bit and 64-bit offsets on the directed graph */
    for (int variant = 0; variant < 4; variant++) {
        int directed = variant > 0, layout = variant > 1 ? variant - 1 : 0;
        gb_graph *g = skewed_graph_layout(3000, 9000, directed, 1, layout);
        for (int shape = 0; shape < NSHAPES; shape++)
            for (int fused = 0; fused <= 1; fused++)
                /* their epilogues store the slot the edge kernel gathers: never fused */
                if ((shape != FILTERED && shape != PEEL) || !fused) {
                    if ((shape == FLIST || shape == FFOLD) && !fused)
                        continue;   /* the claim needs the FUSED pair */
                    test_shape(g, shape, fused);
                }
        gb_graph_destroy(g);
    }
    test_not_incremental();
    return CHECK_DONE();
}
