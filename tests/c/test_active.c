/*
 * test_active.c — node kernels' active sets (csrc/exec/active.c).
 *
 * The claim check: guards the micro-ops justify are accepted (a reduction of the guard,
 * an update that writes back its slot where the guard is false, a store of 0 into the
 * guard itself); guards they do not are refused with GB_EINVAL (a store of 1 where the
 * guard is false, a min reduction, an op that may fail, an int or out-of-range guard, a
 * guard on an edge kernel).  The run: a guarded kernel over 5000 nodes (5 blocks, the
 * last short) with guards that are empty, scattered, in long runs, and in more runs per
 * block than are run one by one, gives the slots and registers of a full sweep
 * (gb_run_options.full_passes) at 1, 2, 3 and 8 threads.
 */
#include "parallel_util.h"

enum { G, X, H, NSLOTS };
enum { R_COUNT, R_SUM, R_ANY, R_K, NREGS };

/* node kernel: X = where(G, X + v + k, X); H = G or H; counts, sum and any over G */
static void build_update(tplan *t, int64_t guard)
{
    int64_t k;
    tp_init(t, NREGS);
    tp_slot(t, GB_BOOL);
    tp_slot(t, GB_I64);
    tp_slot(t, GB_BOOL);
    k = kbegin(t, GB_DOMAIN_NODE, 10, 1);
    micro(t, GB_OP_LOAD, 2, 0, G, 0, 0);
    micro(t, GB_OP_LOAD, 3, 1, X, 0, 0);
    micro(t, GB_OP_NODE_ID, 4, 2, 0, 0, 0);
    micro(t, GB_OP_BCAST, 5, 3, R_K, 0, 0);
    micro(t, GB_OP_ADD_I, 6, 4, 1, 2, 0);
    micro(t, GB_OP_ADD_I, 7, 4, 4, 3, 0);
    micro(t, GB_OP_WHERE, 8, 5, 0, 4, 1);
    micro(t, GB_OP_STORE, 9, 0, X, 5, 0);
    micro(t, GB_OP_LOAD, 10, 6, H, 0, 0);
    micro(t, GB_OP_OR, 11, 7, 0, 6, 0);
    micro(t, GB_OP_STORE, 12, 0, H, 7, 0);
    micro(t, GB_OP_RED_COUNT, 13, 0, R_COUNT, 0, 0);
    micro(t, GB_OP_IMM, 14, 8, 0, 0, 0);
    micro(t, GB_OP_WHERE, 15, 9, 0, 2, 8);
    micro(t, GB_OP_RED_SUM_I, 16, 0, R_SUM, 9, 0);
    micro(t, GB_OP_RED_ANY, 17, 0, R_ANY, 0, 0);
    t->kcode[k + GB_KH_ACTIVE] = guard;
    ins(t, GB_OP_KERNEL, 18, k, 0, 0, 1);
}

static gb_status create_raw(const tplan *t, gb_plan **p, gb_error *err)
{
    *p = NULL;
    return tp_create_raw(t, p, err);
}

static void expect_refused(const tplan *t, const char *what)
{
    gb_plan *p = NULL;
    gb_error err;
    gb_status st = create_raw(t, &p, &err);
    CHECK_EQ_I(st, GB_EINVAL);
    if (st == GB_EINVAL && strstr(err.message, "claims the active set") == NULL)
        fprintf(stderr, "  %s: %s\n", what, err.message);
    CHECK(st != GB_EINVAL || strstr(err.message, "claims the active set") != NULL);
    gb_plan_destroy(p);
}

static void expect_accepted(const tplan *t)
{
    gb_plan *p = NULL;
    gb_error err;
    gb_status st = create_raw(t, &p, &err);
    CHECK_EQ_I(st, GB_OK);
    if (st != GB_OK)
        fprintf(stderr, "  %s\n", err.message);
    gb_plan_destroy(p);
}

/* a node kernel on slots G (bool), X (int), H (bool): `body` appends its micro-ops */
static void one_kernel(tplan *t, int64_t guard, int body)
{
    int64_t k;
    tp_init(t, NREGS);
    tp_slot(t, GB_BOOL);
    tp_slot(t, GB_I64);
    tp_slot(t, GB_BOOL);
    k = kbegin(t, GB_DOMAIN_NODE, 4, 1);
    micro(t, GB_OP_LOAD, 2, 0, G, 0, 0);
    switch (body) {
    case 0:   /* G = G and X > 0: 0 where G is 0 */
        micro(t, GB_OP_LOAD, 3, 1, X, 0, 0);
        micro(t, GB_OP_IMM, 3, 2, 0, 0, 0);
        micro(t, GB_OP_GT_I, 3, 3, 1, 2, 0);
        micro(t, GB_OP_AND, 3, 3, 0, 3, 0);
        micro(t, GB_OP_STORE, 3, 0, G, 3, 0);
        break;
    case 1:   /* H = not G: 1 where G is 0 */
        micro(t, GB_OP_NOT, 3, 1, 0, 0, 0);
        micro(t, GB_OP_STORE, 3, 0, H, 1, 0);
        break;
    case 2:   /* min(G): the identity is not 0 */
        micro(t, GB_OP_RED_MIN_I, 3, 0, R_COUNT, 0, 0);
        break;
    case 3:   /* X = where(G, X // 0, X): may fail where G is 0 */
        micro(t, GB_OP_LOAD, 3, 1, X, 0, 0);
        micro(t, GB_OP_FLOORDIV_I, 3, 2, 1, 1, 0);
        micro(t, GB_OP_WHERE, 3, 3, 0, 2, 1);
        micro(t, GB_OP_STORE, 3, 0, X, 3, 0);
        break;
    default:  /* X = X + 0 where G is 0: not recognized as X's own value */
        micro(t, GB_OP_LOAD, 3, 1, X, 0, 0);
        micro(t, GB_OP_IMM, 3, 2, 0, 0, 0);
        micro(t, GB_OP_ADD_I, 3, 3, 1, 2, 0);
        micro(t, GB_OP_STORE, 3, 0, X, 3, 0);
        break;
    }
    t->kcode[k + GB_KH_ACTIVE] = guard;
    ins(t, GB_OP_KERNEL, 4, k, 0, 0, 1);
}

static void test_claims(void)
{
    tplan *t = malloc(sizeof *t);
    int64_t ek;

    build_update(t, G);
    expect_accepted(t);
    build_update(t, -1);
    expect_accepted(t);
    build_update(t, H);   /* X changes where G holds, whatever H is */
    expect_refused(t, "guard H");
    build_update(t, X);
    expect_refused(t, "an int guard");
    build_update(t, NSLOTS);
    expect_refused(t, "a guard out of range");
    build_update(t, -2);
    expect_refused(t, "a negative guard");
    one_kernel(t, G, 0);
    expect_accepted(t);
    for (int body = 1; body <= 4; body++) {
        one_kernel(t, G, body);
        expect_refused(t, "a body the guard does not cover");
        one_kernel(t, -1, body);
        expect_accepted(t);
    }
    /* an edge kernel has no active set */
    tp_init(t, NREGS);
    tp_slot(t, GB_BOOL);
    tp_slot(t, GB_BOOL);
    ek = kbegin(t, GB_DOMAIN_EDGE, 1, 1);
    kedge(t, ek, GB_DIR_OUT, GB_AGG_ANY, 0, 1, 0, -1, GB_DEFAULT_IDENTITY, -1);
    micro(t, GB_OP_GATHER, 2, 0, 0, 0, 0);
    t->kcode[ek + GB_KH_ACTIVE] = 0;
    ins(t, GB_OP_KERNEL, 3, ek, 0, 0, 1);
    expect_refused(t, "an edge kernel");
    free(t);
}

/* G's true nodes by pattern: none, a few scattered, long runs, many short runs */
static void init(void **s, int pattern, int64_t n)
{
    for (int64_t v = 0; v < n; v++) {
        int on = pattern == 1 ? v % 701 == 3 : pattern == 2 ? (v / 300) % 3 == 1
               : pattern == 3 ? v % 5 == 0 : 0;
        ((uint8_t *)s[G])[v] = (uint8_t)on;
        ((int64_t *)s[X])[v] = v * 3 - 7;
        ((uint8_t *)s[H])[v] = v % 3 != 0;
    }
}

static void run(gb_plan *p, const gb_graph *g, int pattern, int threads, int full, void **s,
                gb_value *r)
{
    gb_run_options opts = { 1000, threads, NULL, full, NULL };
    gb_error err;
    init(s, pattern, gb_graph_node_count(g));
    memset(r, 0, NREGS * sizeof *r);
    r[R_K].i = 11;
    CHECK_EQ_I(gb_run(p, g, r, s, &opts, &err), GB_OK);
}

static void test_runs(void)
{
    const int64_t n = 5000;
    gb_graph *g = skewed_graph(n, 3 * n, 1, 0);
    void **ref = slots_new(NSLOTS, n), **got = slots_new(NSLOTS, n);
    gb_value rref[NREGS], rgot[NREGS];
    gb_plan *p = NULL;
    gb_error err;
    tplan *t = malloc(sizeof *t);

    build_update(t, G);
    if (create_raw(t, &p, &err) != GB_OK) {
        CHECK(!"the guarded update is accepted");
        fprintf(stderr, "  %s\n", err.message);
        return;
    }
    CHECK_EQ_I(p->kernels[0].active, G);
    gb_plan_tune(p, 1, 64);   /* many small items */
    for (int pattern = 0; pattern < 4; pattern++) {
        run(p, g, pattern, 1, 1, ref, rref);
        for (int ti = 0; ti < NTHREADS; ti++) {
            run(p, g, pattern, THREADS[ti], 0, got, rgot);
            for (int s = 0; s < NSLOTS; s++)
                CHECK(memcmp(ref[s], got[s], (size_t)n * 8) == 0);
            CHECK(memcmp(rref, rgot, sizeof rref) == 0);
        }
    }
    /* the full sweep itself, against a direct computation */
    run(p, g, 3, 2, 1, ref, rref);
    CHECK_EQ_I(rref[R_COUNT].i, (n + 4) / 5);
    CHECK_EQ_I(rref[R_ANY].i, 1);
    CHECK_EQ_I(((int64_t *)ref[X])[5], 5 * 3 - 7 + 5 + 11);
    CHECK_EQ_I(((int64_t *)ref[X])[6], 6 * 3 - 7);
    CHECK_EQ_I(((uint8_t *)ref[H])[6], 0);
    gb_plan_destroy(p);
    slots_free(ref, NSLOTS);
    slots_free(got, NSLOTS);
    gb_graph_destroy(g);
    free(t);
}

int main(void)
{
    test_claims();
    test_runs();
    return CHECK_DONE();
}
