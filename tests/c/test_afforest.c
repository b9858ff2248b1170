/*
 * test_afforest.c — a min-label loop claimed to run as union-find (csrc/exec/afforest.c)
 * gives the bits of the plain loop and a serial union-find's labels (each component's
 * smallest input index), for 1 to 8 threads, directed and undirected, on the original and
 * the degree layout, with many components or one large one; the pass is counted; a
 * --max-iterations the plain loop would pass still stops the run; and a claim the loop or
 * its entry does not allow is refused by gb_plan_create.
 */
#include "parallel_util.h"

enum { R_TRUE, R_FLAG, R_ITER, R_ONE, R_ANY, R_SPARE, NREGS };
enum { X, E, NSLOTS };
enum { LOOP_PC = 8 };

/* comp = node_id(); while changed: E = min(comp, min(comp[u] for u in nbrs));
 * changed = any(E != comp); swap.  edit: 0 as the compiler writes it, 1 x starts as the
 * degree, 2 the counter copied after the loop, 3 in-neighbors only. */
static void build(tplan *t, int edit)
{
    int64_t k0, ek, nk;
    tp_init(t, NREGS);
    tp_slot(t, GB_I64);
    tp_slot(t, GB_I64);
    k0 = kbegin(t, GB_DOMAIN_NODE, 1, 1);
    micro(t, edit == 1 ? GB_OP_DEGREE : GB_OP_NODE_ID, 1, 0, 0, 0, 0);
    micro(t, GB_OP_STORE, 1, 0, X, 0, 0);
    ek = kbegin(t, GB_DOMAIN_EDGE, 1, 2);
    kedge(t, ek, edit == 3 ? GB_DIR_IN : GB_DIR_BOTH, GB_AGG_MIN, 0, E, 0, -1,
          GB_DEFAULT_IDENTITY, -1);
    micro(t, GB_OP_GATHER, 2, 0, X, 0, 0);
    nk = kbegin(t, GB_DOMAIN_NODE, 4, 3);
    micro(t, GB_OP_LOAD, 3, 0, X, 0, 0);
    micro(t, GB_OP_LOAD, 3, 1, E, 0, 0);
    micro(t, GB_OP_MIN_I, 3, 2, 0, 1, 0);
    micro(t, GB_OP_NE_I, 3, 3, 2, 0, 0);
    micro(t, GB_OP_RED_ANY, 3, 0, R_ANY, 3, 0);
    micro(t, GB_OP_STORE, 3, 0, E, 2, 0);
    ins(t, GB_OP_CONST, 0, R_TRUE, 1, 0, 0);
    ins(t, GB_OP_KERNEL, 1, k0, 0, 0, 0);
    ins(t, GB_OP_MOV, 4, R_FLAG, R_TRUE, 0, 0);
    ins(t, GB_OP_CONST, 4, R_ITER, 0, 0, 0);
    ins(t, GB_OP_CONST, 4, R_ONE, 1, 0, 0);
    ins(t, GB_OP_JUMP_IF_FALSE, 4, R_FLAG, edit == 2 ? 13 : 12, 0, 0);
    ins(t, GB_OP_ADD_I, 4, R_ITER, R_ITER, R_ONE, 0);
    ins(t, GB_OP_CHECK_ITER, 4, R_ITER, 0, 0, 0);
    ins(t, GB_OP_FUSED, 2, ek, nk, 0, 0);
    ins(t, GB_OP_MOV, 4, R_FLAG, R_ANY, 0, 0);
    ins(t, GB_OP_SWAP_V, 4, X, E, 0, 0);
    ins(t, GB_OP_JUMP, 4, 5, 0, 0, 0);
    if (edit == 2)
        ins(t, GB_OP_MOV, 5, R_SPARE, R_ITER, 0, 0);
    t->kcode[ek + GB_KH_CHANGED] = 1;
    t->kcode[ek + GB_KH_UNION_FIND] = 1;
}

static int64_t find(int64_t *parent, int64_t v)
{
    while (parent[v] != v)
        v = parent[v] = parent[parent[v]];
    return v;
}

/* Random arcs among the first 9/10 of the nodes, the rest isolated. */
static gb_graph *graph(int64_t n, int64_t m, int directed, int layout, int64_t *label)
{
    int64_t *src = malloc((size_t)m * sizeof *src), *dst = malloc((size_t)m * sizeof *dst);
    gb_graph *g = NULL, *r = NULL;
    gb_load_options opts = { 0 };
    gb_error err;
    rng_state = 0x9E3779B97F4A7C15ull + (uint64_t)m;
    for (int64_t v = 0; v < n; v++)
        label[v] = v;
    for (int64_t i = 0; i < m; i++) {
        int64_t live = n - n / 10, a, b;
        src[i] = (int64_t)(rng() % (uint64_t)live);
        dst[i] = i % 7 == 0 ? 5 : (int64_t)(rng() % (uint64_t)live);
        a = find(label, src[i]), b = find(label, dst[i]);
        label[a > b ? a : b] = a > b ? b : a;   /* the smaller index is the root */
    }
    for (int64_t v = 0; v < n; v++)
        label[v] = find(label, v);
    CHECK_EQ_I(gb_graph_from_arrays_opts(n, m, src, dst, NULL, directed, &opts, &g, &err), GB_OK);
    free(src);
    free(dst);
    if (layout == GB_LAYOUT_ORIGINAL)
        return g;
    CHECK_EQ_I(gb_graph_relabel(g, layout, 2, NULL, &r, &err), GB_OK);
    gb_graph_destroy(g);
    return r;
}

/* Runs p; the counts of the FUSED instruction's passes into counts (GB_COUNTS_PER_INSTR). */
static gb_status run(gb_plan *p, const gb_graph *g, int threads, int full, int64_t max_iterations,
                     void **slots, gb_value *regs, int64_t *counts)
{
    int64_t all[13 * GB_COUNTS_PER_INSTR] = { 0 };
    gb_run_options opts = { max_iterations, threads, NULL, full, all };
    gb_error err;
    gb_status st;
    memset(regs, 0, NREGS * sizeof *regs);
    st = gb_run(p, g, regs, slots, &opts, &err);
    memcpy(counts, all + LOOP_PC * GB_COUNTS_PER_INSTR, GB_COUNTS_PER_INSTR * sizeof *counts);
    return st;
}

static void test_graph(gb_plan *p, int64_t n, int64_t m, int directed, int layout)
{
    int64_t *label = malloc((size_t)n * sizeof *label), counts[GB_COUNTS_PER_INSTR];
    gb_graph *g = graph(n, m, directed, layout, label);
    const int64_t *perm = gb_graph_perm(g);
    void **ref = slots_new(NSLOTS, n), **got = slots_new(NSLOTS, n);
    gb_value rref[NREGS], rgot[NREGS];
    int64_t wrong = 0;

    CHECK_EQ_I(run(p, g, 2, 1, 1000000, ref, rref, counts), GB_OK);   /* the plain loop */
    CHECK_EQ_I(counts[GB_COUNT_UNION_FIND], 0);
    for (int64_t v = 0; v < n; v++)
        wrong += ((int64_t *)ref[X])[v] != label[perm != NULL ? perm[v] : v];
    CHECK_EQ_I(wrong, 0);
    for (int ti = 0; ti < NTHREADS; ti++) {
        CHECK_EQ_I(run(p, g, THREADS[ti], 0, 1000000, got, rgot, counts), GB_OK);
        CHECK_EQ_I(counts[GB_COUNT_UNION_FIND], 1);
        for (int s = 0; s < NSLOTS; s++)
            CHECK(memcmp(ref[s], got[s], (size_t)n * 8) == 0);
        CHECK_EQ_I(rgot[R_FLAG].i, 0);
        CHECK_EQ_I(rgot[R_ANY].i, 0);
    }
    /* a limit below the plain loop's passes still stops the run */
    CHECK_EQ_I(run(p, g, 2, 0, rref[R_ITER].i - 1, got, rgot, counts), GB_EITER);
    CHECK_EQ_I(counts[GB_COUNT_UNION_FIND], 0);
    slots_free(ref, NSLOTS);
    slots_free(got, NSLOTS);
    gb_graph_destroy(g);
    free(label);
}

static void test_refused(void)
{
    for (int edit = 1; edit <= 3; edit++) {
        tplan t;
        gb_plan *p = NULL;
        gb_error err;
        build(&t, edit);
        CHECK_EQ_I(tp_create(&t, &p, &err), GB_EINVAL);
        CHECK(strstr(err.message, "union-find") != NULL);
        CHECK(p == NULL);
    }
}

int main(void)
{
    tplan t;
    gb_plan *p = NULL;
    gb_error err;
    build(&t, 0);
    CHECK_EQ_I(tp_create(&t, &p, &err), GB_OK);
    CHECK(p->kernels[1].union_find);
    for (int directed = 0; directed <= 1; directed++)
        for (int layout = GB_LAYOUT_ORIGINAL; layout <= GB_LAYOUT_DEGREE; layout++) {
            test_graph(p, 3000, 1200, directed, layout);    /* many small components */
            test_graph(p, 5000, 20000, directed, layout);   /* one large one */
        }
    gb_plan_destroy(p);
    test_refused();
    return CHECK_DONE();
}
