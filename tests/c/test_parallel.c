/*
 * test_parallel.c — the thread pool and the parallel executor.  With 1, 2, 3 and 8
 * threads (and work cut into many small items) node kernels, every whole-graph
 * reduction, every edge aggregation (generic and specialized) and FUSED pairs give the
 * same bits; the first error in node order is the one reported; an interrupt during a
 * parallel run returns GB_EINTR promptly and leaves no thread behind; slots sharing a
 * buffer keep a run on one thread.  Built also under
 * ThreadSanitizer by `make test-tsan`.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <pthread.h>
#include <time.h>

#include "check.h"
#include "csr64.h"
#include "parallel_util.h"

/* ---- the pool on its own ---- */

typedef struct pool_job {
    atomic_int *runs;       /* per item: how often it ran */
    int64_t fail_from;      /* items >= this and divisible by 7 fail */
} pool_job;

static gb_status pool_task(void *arg, int worker, int64_t item)
{
    pool_job *j = arg;
    (void)worker;
    atomic_fetch_add(&j->runs[item], 1);
    if (item >= j->fail_from && item % 7 == 0)
        return item % 2 ? GB_EVALUE : GB_EZERODIV;
    return GB_OK;
}

static void test_pool(void)
{
    enum { N = 5000 };
    static atomic_int runs[N];
    for (int ti = 0; ti < NTHREADS; ti++) {
        gb_pool pool;
        pool_job j = { runs, N };
        int64_t item = -1;
        int worker = -1;
        CHECK_EQ_I(gb_pool_start(&pool, THREADS[ti]), THREADS[ti]);
        for (int round = 0; round < 20; round++) {   /* many jobs on one pool */
            int64_t wrong = 0;
            for (int i = 0; i < N; i++)
                atomic_store(&runs[i], 0);
            CHECK_EQ_I(gb_pool_for(&pool, N, pool_task, &j, &item, &worker), GB_OK);
            for (int i = 0; i < N; i++)
                wrong += atomic_load(&runs[i]) != 1;
            CHECK_EQ_I(wrong, 0);
        }
        /* failures: the smallest failing item wins, whichever worker ran it */
        j.fail_from = 1000;
        for (int i = 0; i < N; i++)
            atomic_store(&runs[i], 0);
        for (int round = 0; round < 20; round++) {
            CHECK_EQ_I(gb_pool_for(&pool, N, pool_task, &j, &item, &worker), GB_EVALUE);
            CHECK_EQ_I(item, 1001);
            CHECK(worker >= 0 && worker < THREADS[ti]);
            for (int i = 0; i < 1001; i++)
                if (atomic_load(&runs[i]) != round + 1) {
                    CHECK_EQ_I(atomic_load(&runs[i]), round + 1);
                    break;
                }
        }
        CHECK_EQ_I(gb_pool_for(&pool, 0, pool_task, &j, &item, &worker), GB_OK);
        gb_pool_stop(&pool);
        gb_pool_stop(&pool);   /* stopping twice is harmless */
    }
    {
        gb_pool pool;
        CHECK_EQ_I(gb_pool_start(&pool, 0), 1);
        gb_pool_stop(&pool);
        CHECK_EQ_I(gb_pool_start(&pool, -3), 1);
        gb_pool_stop(&pool);
        CHECK_EQ_I(gb_pool_start(&pool, 1000), GB_POOL_MAX_THREADS);
        gb_pool_stop(&pool);
    }
}

/* ---- node kernels and every reduction ---- */

static void test_node_kernels(void)
{
    const int64_t n = 50000;
    gb_graph *g = skewed_graph(n, 100000, 1, 0);
    tplan t;
    gb_plan *p = NULL;
    gb_error err;
    gb_value regs[16] = { { 0 } };
    void **init = slots_new(3, n);
    int64_t k;

    tp_init(&t, 16);
    tp_slot(&t, GB_F64);
    tp_slot(&t, GB_I64);
    tp_slot(&t, GB_BOOL);
    k = kbegin(&t, GB_DOMAIN_NODE, 8, -1);
    micro(&t, GB_OP_NODE_ID, -1, 0, 0, 0, 0);
    micro(&t, GB_OP_RANDOM, -1, 1, 0, 0, 0);
    micro(&t, GB_OP_OUT_DEG, -1, 2, 0, 0, 0);
    micro(&t, GB_OP_I2F, -1, 3, 2, 0, 0);
    micro(&t, GB_OP_ADD_F, -1, 4, 1, 3, 0);          /* random + degree: unequal magnitudes */
    micro(&t, GB_OP_IMM, -1, 5, 7, 0, 0);
    micro(&t, GB_OP_MOD_I, -1, 6, 2, 5, 0);
    micro(&t, GB_OP_GT_I, -1, 7, 6, 5, 0);           /* never: all() false, any() false */
    micro(&t, GB_OP_LT_I, -1, 5, 6, 5, 0);
    micro(&t, GB_OP_STORE, -1, 0, 0, 4, 0);
    micro(&t, GB_OP_STORE, -1, 0, 1, 6, 0);
    micro(&t, GB_OP_STORE, -1, 0, 2, 7, 0);
    for (int64_t op = GB_OP_RED_SUM_I; op <= GB_OP_RED_ARGMAX_F; op++) {
        int is_f = op == GB_OP_RED_SUM_F || op == GB_OP_RED_MIN_F || op == GB_OP_RED_MAX_F ||
                   op == GB_OP_RED_ARGMIN_F || op == GB_OP_RED_ARGMAX_F;
        int is_b = op == GB_OP_RED_ANY || op == GB_OP_RED_ALL || op == GB_OP_RED_COUNT;
        micro(&t, op, -1, 0, 1 + (op - GB_OP_RED_SUM_I), is_f ? 4 : is_b ? 5 : 6, 0);
    }
    ins(&t, GB_OP_KERNEL, -1, k, 0, 0, 0);
    CHECK_EQ_I(tp_create(&t, &p, &err), GB_OK);
    regs[0].i = 1234;
    CHECK_EQ_I(compare_threads(p, g, init, 3, regs, 16, 1, GB_OK), 0);
    CHECK_EQ_I(compare_threads(p, g, init, 3, regs, 16, GB_MIN_ITEM_WORK, GB_OK), 0);
    gb_plan_destroy(p);
    slots_free(init, 3);
    gb_graph_destroy(g);
}

/* ---- every edge aggregation ---- */

enum { X_F, X_I, FL_B, D_F, D_I, OUT_F, OUT_I, OUT_B, NES };
enum { VK_F, VK_FW, VK_I, NVK };   /* x[u]; x[u] * w + x[v] (generic); int x[u] */

static int64_t edge_case(const gb_graph *g, void **init, int dir, int agg, int vk, int filter,
                         int specialize)
{
    const int is_b = agg == GB_AGG_COUNT || agg == GB_AGG_ANY || agg == GB_AGG_ALL;
    const int is_f = vk != VK_I && !is_b;
    const int out = agg == GB_AGG_COUNT ? OUT_I : (agg == GB_AGG_ANY || agg == GB_AGG_ALL) ? OUT_B
                    : agg == GB_AGG_MEAN || is_f ? OUT_F : OUT_I;
    tplan t;
    gb_plan *p = NULL;
    gb_error err;
    gb_value regs[1] = { { 0 } };
    int64_t k, differ = 0;

    tp_init(&t, 1);
    for (int s = 0; s < NES; s++)
        tp_slot(&t, s == X_F || s == D_F || s == OUT_F ? GB_F64 : s == FL_B || s == OUT_B ? GB_BOOL
                                                                                   : GB_I64);
    k = kbegin(&t, GB_DOMAIN_EDGE, 5, -1);
    kedge(&t, k, dir, agg, is_f, out, 0, filter ? 4 : -1,
          agg == GB_AGG_MODE || dir == GB_DIR_IN ? GB_DEFAULT_SLOT : GB_DEFAULT_IDENTITY,
          out == OUT_F ? D_F : D_I);
    if (vk == VK_FW) {
        micro(&t, GB_OP_GATHER, -1, 1, X_F, 0, 0);
        micro(&t, GB_OP_WEIGHT, -1, 2, 0, 0, 0);
        micro(&t, GB_OP_MUL_F, -1, 1, 1, 2, 0);
        micro(&t, GB_OP_LOAD, -1, 3, X_F, 0, 0);
        micro(&t, GB_OP_ADD_F, -1, 0, 1, 3, 0);
    } else {
        micro(&t, GB_OP_GATHER, -1, 0, vk == VK_I ? X_I : X_F, 0, 0);
    }
    if (filter)
        micro(&t, GB_OP_GATHER, -1, 4, FL_B, 0, 0);
    ins(&t, GB_OP_KERNEL, -1, k, 0, 0, 0);
    CHECK_EQ_I(tp_create(&t, &p, &err), GB_OK);
    if (p == NULL)
        return 1;
    CHECK_EQ_I(p->kernels[0].special != GB_SHAPE_GENERIC, vk != VK_FW);
    gb_plan_tune(p, specialize, 1);
    differ += compare_threads(p, g, init, NES, regs, 1, 64, GB_OK);
    differ += compare_threads(p, g, init, NES, regs, 1, GB_MIN_ITEM_WORK, GB_OK);
    gb_plan_destroy(p);
    return differ;
}

static void test_edge_kernels(void)
{
    for (int directed = 0; directed <= 1; directed++) {
        const int64_t n = 6000;
        gb_graph *g = skewed_graph(n, 30000, directed, 1);
        void **init = slots_new(NES, n);
        int64_t differ = 0, cases = 0;
        rng_state = 77;
        for (int64_t v = 0; v < n; v++) {
            uint64_t r = rng();
            ((double *)init[X_F])[v] = (double)(r % 100000) / 7.0 - 5000.0;
            ((int64_t *)init[X_I])[v] = (int64_t)((r >> 17) % 11) - 5;
            ((uint8_t *)init[FL_B])[v] = (r >> 40) % 3 != 0;
            ((double *)init[D_F])[v] = -1.5 * (double)v;
            ((int64_t *)init[D_I])[v] = 3 * v;
        }
        for (int dir = GB_DIR_OUT; dir <= GB_DIR_BOTH; dir++)
            for (int agg = GB_AGG_SUM; agg <= GB_AGG_MODE; agg++)
                for (int vk = 0; vk < NVK; vk++)
                    for (int filter = 0; filter <= 1; filter++)
                        for (int spec = 0; spec <= 1; spec++) {
                            int is_b = agg == GB_AGG_COUNT || agg == GB_AGG_ANY ||
                                       agg == GB_AGG_ALL;
                            if (is_b && vk != VK_I)
                                continue;
                            differ += edge_case(g, init, dir, agg, vk, filter, spec);
                            cases++;
                        }
        CHECK_EQ_I(differ, 0);
        CHECK_EQ_I(cases, 3 * (5 * 3 + 3) * 4);
        slots_free(init, NES);
        gb_graph_destroy(g);
    }
}

/* ---- FUSED: an edge kernel with a node-kernel epilogue and reductions ---- */

static void test_fused(void)
{
    enum { RANK, CONTRIB, ACC, NEW_RANK, NSLOT };
    const int64_t n = 20000;
    gb_graph *g = skewed_graph(n, 120000, 1, 0);
    void **init = slots_new(NSLOT, n);
    gb_value regs[4] = { { 0 } };
    for (int specialize = 0; specialize <= 1; specialize++) {
        tplan t;
        gb_plan *p = NULL;
        gb_error err;
        int64_t ek, nk;
        tp_init(&t, 4);
        for (int s = 0; s < NSLOT; s++)
            tp_slot(&t, GB_F64);
        ek = kbegin(&t, GB_DOMAIN_EDGE, 1, -1);
        kedge(&t, ek, GB_DIR_IN, GB_AGG_SUM, 1, ACC, 0, -1, GB_DEFAULT_IDENTITY, -1);
        micro(&t, GB_OP_GATHER, -1, 0, CONTRIB, 0, 0);
        nk = kbegin(&t, GB_DOMAIN_NODE, 6, -1);
        micro(&t, GB_OP_LOAD, -1, 0, ACC, 0, 0);
        micro(&t, GB_OP_BCAST, -1, 1, 0, 0, 0);
        micro(&t, GB_OP_MUL_F, -1, 2, 0, 1, 0);
        micro(&t, GB_OP_LOAD, -1, 3, RANK, 0, 0);
        micro(&t, GB_OP_SUB_F, -1, 4, 2, 3, 0);
        micro(&t, GB_OP_ABS_F, -1, 4, 4, 0, 0);
        micro(&t, GB_OP_STORE, -1, 0, NEW_RANK, 2, 0);
        micro(&t, GB_OP_RED_SUM_F, -1, 0, 1, 4, 0);
        micro(&t, GB_OP_RED_ARGMAX_F, -1, 0, 2, 2, 0);
        micro(&t, GB_OP_RED_MIN_F, -1, 0, 3, 2, 0);
        ins(&t, GB_OP_FUSED, -1, ek, nk, 0, 0);
        CHECK_EQ_I(tp_create(&t, &p, &err), GB_OK);
        CHECK_EQ_I(p->kernels[0].special, GB_SHAPE_GATHER);
        gb_plan_tune(p, specialize, 1);
        csr64 out = csr64_get(g, GB_DIR_OUT);
        for (int64_t v = 0; v < n; v++) {
            int64_t d = out.off[v + 1] - out.off[v];
            ((double *)init[RANK])[v] = 1.0 / (double)(v + 3);
            ((double *)init[CONTRIB])[v] = d > 0 ? 1.0 / (double)(v + 3) / (double)d : 0.0;
        }
        csr64_free(&out);
        regs[0].f = 0.85;
        CHECK_EQ_I(compare_threads(p, g, init, NSLOT, regs, 4, 1, GB_OK), 0);
        CHECK_EQ_I(compare_threads(p, g, init, NSLOT, regs, 4, 3000, GB_OK), 0);
        CHECK_EQ_I(compare_threads(p, g, init, NSLOT, regs, 4, GB_MIN_ITEM_WORK, GB_OK), 0);
        gb_plan_destroy(p);
    }
    slots_free(init, NSLOT);
    gb_graph_destroy(g);
}

/* ---- errors: the first in node order wins ---- */

static void test_first_error(void)
{
    const int64_t n = 40000;
    gb_graph *g = skewed_graph(n, 80000, 1, 0);
    void **init = slots_new(2, n);
    gb_value regs[1] = { { 0 } };
    tplan t;
    gb_plan *p = NULL;
    gb_error err;
    int64_t k;

    for (int64_t v = 0; v < n; v++)
        ((double *)init[0])[v] = (double)v;
    /* a float with no int value at four nodes in different items: inf comes first */
    ((double *)init[0])[33333] = NAN;
    ((double *)init[0])[20001] = -1e300;
    ((double *)init[0])[9000] = -INFINITY;
    ((double *)init[0])[39999] = NAN;
    tp_init(&t, 1);
    tp_slot(&t, GB_F64);
    tp_slot(&t, GB_I64);
    k = kbegin(&t, GB_DOMAIN_NODE, 2, 70);
    micro(&t, GB_OP_LOAD, -1, 0, 0, 0, 0);
    micro(&t, GB_OP_F2I, 71, 1, 0, 0, 0);
    micro(&t, GB_OP_STORE, -1, 0, 1, 1, 0);
    ins(&t, GB_OP_KERNEL, 72, k, 0, 0, 0);
    CHECK_EQ_I(tp_create(&t, &p, &err), GB_OK);
    for (int64_t w = 1; w <= 4096; w *= 8)
        CHECK_EQ_I(compare_threads(p, g, init, 2, regs, 1, w, GB_EVALUE), 0);
    {
        gb_run_options opts = { 10, 8, NULL, 0, NULL };
        void **slots = slots_new(2, n);
        memcpy(slots[0], init[0], (size_t)n * 8);
        gb_plan_tune(p, 1, 1);
        CHECK_EQ_I(gb_run(p, g, regs, slots, &opts, &err), GB_EVALUE);
        CHECK_EQ_I(err.loc, 71);
        CHECK_CONTAINS(err.message, "cannot convert -inf to int");
        slots_free(slots, 2);
    }
    gb_plan_destroy(p);

    /* the same in an edge kernel: each node's value is int(x[u]) summed over in-edges */
    tp_init(&t, 1);
    tp_slot(&t, GB_F64);
    tp_slot(&t, GB_I64);
    k = kbegin(&t, GB_DOMAIN_EDGE, 2, 80);
    kedge(&t, k, GB_DIR_IN, GB_AGG_SUM, 0, 1, 1, -1, GB_DEFAULT_IDENTITY, -1);
    micro(&t, GB_OP_GATHER, -1, 0, 0, 0, 0);
    micro(&t, GB_OP_F2I, 81, 1, 0, 0, 0);
    ins(&t, GB_OP_KERNEL, 82, k, 0, 0, 0);
    CHECK_EQ_I(tp_create(&t, &p, &err), GB_OK);
    for (int64_t w = 1; w <= 4096; w *= 8)
        CHECK_EQ_I(compare_threads(p, g, init, 2, regs, 1, w, GB_EVALUE), 0);
    gb_plan_destroy(p);
    slots_free(init, 2);
    gb_graph_destroy(g);
}

/* ---- interrupts ---- */

typedef struct run_args {
    const gb_plan *p;
    const gb_graph *g;
    gb_value *regs;
    void **slots;
    gb_run_options *opts;
    gb_error err;
    gb_status st;
} run_args;

static void *run_thread(void *arg)
{
    run_args *a = arg;
    a->st = gb_run(a->p, a->g, a->regs, a->slots, a->opts, &a->err);
    return NULL;
}

/* An endless loop of an edge kernel and a node kernel; the flag raised from another
 * thread stops it within a fraction of a second, and the pool's helpers are gone. */
static void test_interrupt(void)
{
    const int64_t n = 100000;
    gb_graph *g = skewed_graph(n, 400000, 1, 0);
    void **slots = slots_new(2, n);
    gb_value regs[6] = { { 0 } };
    volatile int32_t flag = 0;
    gb_run_options opts = { 1000, 4, &flag, 0, NULL };
    run_args a = { NULL, g, regs, slots, &opts, { 0 }, GB_OK };
    tplan t;
    gb_plan *p = NULL;
    gb_error err;
    pthread_t tid;
    int64_t ek, nk, top, exit_jump;
    int before = thread_count(), during;
    double raised;

    tp_init(&t, 6);
    tp_slot(&t, GB_F64);
    tp_slot(&t, GB_F64);
    ek = kbegin(&t, GB_DOMAIN_EDGE, 1, 90);
    kedge(&t, ek, GB_DIR_IN, GB_AGG_SUM, 1, 1, 0, -1, GB_DEFAULT_IDENTITY, -1);
    micro(&t, GB_OP_GATHER, -1, 0, 0, 0, 0);
    nk = kbegin(&t, GB_DOMAIN_NODE, 2, 91);
    micro(&t, GB_OP_LOAD, -1, 0, 1, 0, 0);
    micro(&t, GB_OP_RED_SUM_F, -1, 0, 1, 0, 0);
    micro(&t, GB_OP_STORE, -1, 0, 0, 0, 0);
    /* repeat 2^63 - 1 times (a loop must count its passes: plan_loops.c) */
    ins(&t, GB_OP_CONST, -1, 2, 0, 0, 0);
    ins(&t, GB_OP_CONST, -1, 3, 1, 0, 0);
    ins(&t, GB_OP_CONST, -1, 4, INT64_MAX, 0, 0);
    top = ins(&t, GB_OP_LT_I, -1, 5, 2, 4, 0);
    exit_jump = ins(&t, GB_OP_JUMP_IF_FALSE, -1, 5, 0, 0, 0);
    ins(&t, GB_OP_ADD_I, -1, 2, 2, 3, 0);
    ins(&t, GB_OP_KERNEL, -1, ek, 0, 0, 0);
    ins(&t, GB_OP_KERNEL, -1, nk, 0, 0, 0);
    ins(&t, GB_OP_JUMP, 92, top, 0, 0, 0);
    t.code[exit_jump * GB_INSTR_WIDTH + 3] = t.ncode / GB_INSTR_WIDTH;
    CHECK_EQ_I(tp_create(&t, &p, &err), GB_OK);
    gb_plan_tune(p, 1, 1000);
    a.p = p;

    CHECK_EQ_I(pthread_create(&tid, NULL, run_thread, &a), 0);
    sleep_ms(150);
    during = thread_count();
    raised = now_s();
    __atomic_store_n(&flag, 1, __ATOMIC_RELAXED);
    pthread_join(tid, NULL);
    CHECK(now_s() - raised < 1.0);
    CHECK_EQ_I(a.st, GB_EINTR);
    CHECK_CONTAINS(a.err.message, "interrupted");
    CHECK(a.err.loc == 90 || a.err.loc == 91 || a.err.loc == 92);
    if (before > 0) {
        CHECK_EQ_I(during, before + 1 + 3);   /* the runner and three helpers */
        CHECK_EQ_I(thread_count(), before);
    }

    /* raised before the run: nothing runs, nothing is left */
    CHECK_EQ_I(gb_run(p, g, regs, slots, &opts, &err), GB_EINTR);
    if (before > 0)
        CHECK_EQ_I(thread_count(), before);

    /* two slots given one buffer: the run keeps to its own thread */
    {
        void *both[2] = { slots[0], slots[0] };
        a.slots = both;
        __atomic_store_n(&flag, 0, __ATOMIC_RELAXED);
        CHECK_EQ_I(pthread_create(&tid, NULL, run_thread, &a), 0);
        sleep_ms(150);
        during = thread_count();
        __atomic_store_n(&flag, 1, __ATOMIC_RELAXED);
        pthread_join(tid, NULL);
        CHECK_EQ_I(a.st, GB_EINTR);
        if (before > 0)
            CHECK_EQ_I(during, before + 1);
    }
    gb_plan_destroy(p);
    slots_free(slots, 2);
    gb_graph_destroy(g);
}

int main(void)
{
    test_pool();
    test_node_kernels();
    test_edge_kernels();
    test_fused();
    test_first_error();
    test_interrupt();
    return CHECK_DONE();
}
