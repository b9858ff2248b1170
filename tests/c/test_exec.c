/*
 * test_exec.c — the top-level interpreter: control flow, CHECK_ITER, GET bounds,
 * NODE_COUNT / EDGE_COUNT, COPY_V / SWAP_V, interrupts (before a run, from another thread
 * during an endless loop, inside a kernel), gb_run's argument checks and gb_strerror.
 * The arithmetic opcodes are in test_ops.c.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <time.h>

#include "check.h"
#include "plan_asm.h"

/* r0 counts up to r1 in a while loop guarded by CHECK_ITER (loc 3). */
static void build_count_loop(tplan *t, int64_t limit, int with_check)
{
    int64_t top, exit_jump;
    tp_init(t, 4);
    ins(t, GB_OP_CONST, -1, 0, 0, 0, 0);
    ins(t, GB_OP_CONST, -1, 1, limit, 0, 0);
    ins(t, GB_OP_CONST, -1, 3, 1, 0, 0);
    top = ins(t, GB_OP_LT_I, 2, 2, 0, 1, 0);
    exit_jump = ins(t, GB_OP_JUMP_IF_FALSE, -1, 2, 0, 0, 0);
    ins(t, GB_OP_ADD_I, -1, 0, 0, 3, 0);
    if (with_check)
        ins(t, GB_OP_CHECK_ITER, 3, 0, 0, 0, 0);
    ins(t, GB_OP_JUMP, -1, top, 0, 0, 0);
    t->code[exit_jump * GB_INSTR_WIDTH + 3] = t->ncode / GB_INSTR_WIDTH;
}

static void test_loops(const gb_graph *g)
{
    tplan t;
    gb_plan *p = NULL;
    gb_value regs[4] = { { 0 } };
    gb_error err;
    gb_run_options opts = { 10, 1, NULL, 0, NULL };

    build_count_loop(&t, 10, 1);
    CHECK_EQ_I(tp_create(&t, &p, &err), GB_OK);
    CHECK_EQ_I(gb_run(p, g, regs, NULL, &opts, &err), GB_OK);   /* exactly the limit is fine */
    CHECK_EQ_I(regs[0].i, 10);
    opts.max_iterations = 9;
    CHECK_EQ_I(gb_run(p, g, regs, NULL, &opts, &err), GB_EITER);
    CHECK_EQ_I(err.code, GB_EITER);
    CHECK_EQ_I(err.loc, 3);
    CHECK_CONTAINS(err.message, "while loop exceeded 9 iterations");
    CHECK_EQ_I(regs[0].i, 10);   /* stopped at the check after the 10th increment */
    /* no options: the default limit of 1000000 */
    CHECK_EQ_I(gb_run(p, g, regs, NULL, NULL, &err), GB_OK);
    gb_plan_destroy(p);

    build_count_loop(&t, 2000000, 1);
    CHECK_EQ_I(tp_create(&t, &p, &err), GB_OK);
    CHECK_EQ_I(gb_run(p, g, regs, NULL, NULL, &err), GB_EITER);
    CHECK_CONTAINS(err.message, "while loop exceeded 1000000 iterations");
    gb_plan_destroy(p);

    /* an empty plan does nothing, successfully */
    tp_init(&t, 0);
    CHECK_EQ_I(tp_create(&t, &p, &err), GB_OK);
    CHECK_EQ_I(gb_run(p, g, NULL, NULL, NULL, &err), GB_OK);
    CHECK_EQ_I(err.code, GB_OK);
    CHECK_EQ_I(err.loc, -1);
    gb_plan_destroy(p);
}

static void test_counts_and_get(void)
{
    /* a 34-node path, undirected: 33 input edges */
    int64_t src[33], dst[33];
    for (int i = 0; i < 33; i++) {
        src[i] = i;
        dst[i] = i + 1;
    }
    gb_graph *g = graph_new(34, 33, src, dst, NULL, 0);
    tplan t;
    gb_plan *p = NULL;
    gb_value regs[8] = { { 0 } };
    gb_error err;
    int64_t sf, si, sb;
    void **slots;

    tp_init(&t, 8);
    sf = tp_slot(&t, GB_F64);
    si = tp_slot(&t, GB_I64);
    sb = tp_slot(&t, GB_BOOL);
    ins(&t, GB_OP_NODE_COUNT, -1, 0, 0, 0, 0);
    ins(&t, GB_OP_EDGE_COUNT, -1, 1, 0, 0, 0);
    ins(&t, GB_OP_GET, 11, 2, sf, 7, 0);
    ins(&t, GB_OP_GET, 12, 3, si, 7, 0);
    ins(&t, GB_OP_GET, 13, 4, sb, 7, 0);
    CHECK_EQ_I(tp_create(&t, &p, &err), GB_OK);
    slots = slots_new(t.nslots, 34);
    ((double *)slots[sf])[33] = 2.5;
    ((int64_t *)slots[si])[33] = -9;
    ((uint8_t *)slots[sb])[33] = 1;
    regs[7].i = 33;
    CHECK_EQ_I(gb_run(p, g, regs, slots, NULL, &err), GB_OK);
    CHECK_EQ_I(regs[0].i, 34);
    CHECK_EQ_I(regs[1].i, 33);
    CHECK_EQ_F(regs[2].f, 2.5);
    CHECK_EQ_I(regs[3].i, -9);
    CHECK_EQ_I(regs[4].i, 1);

    regs[7].i = 40;
    CHECK_EQ_I(gb_run(p, g, regs, slots, NULL, &err), GB_EINDEX);
    CHECK_EQ_I(err.loc, 11);
    CHECK_CONTAINS(err.message, "index 40 is out of range for a graph of 34 nodes");
    regs[7].i = -1;
    CHECK_EQ_I(gb_run(p, g, regs, slots, NULL, &err), GB_EINDEX);
    CHECK_CONTAINS(err.message, "index -1 is out of range");
    regs[7].i = 34;
    CHECK_EQ_I(gb_run(p, g, regs, slots, NULL, &err), GB_EINDEX);
    gb_plan_destroy(p);
    slots_free(slots, t.nslots);
    gb_graph_destroy(g);
}

static void test_copy_swap(void)
{
    gb_graph *g = graph_new(3, 0, NULL, NULL, NULL, 1);
    tplan t;
    gb_plan *p = NULL;
    gb_error err;
    void **slots, *a0, *b0;
    int64_t a, b, c;

    tp_init(&t, 0);
    a = tp_slot(&t, GB_I64);
    b = tp_slot(&t, GB_I64);
    c = tp_slot(&t, GB_I64);
    ins(&t, GB_OP_SWAP_V, -1, a, b, 0, 0);
    ins(&t, GB_OP_COPY_V, -1, c, a, 0, 0);
    CHECK_EQ_I(tp_create(&t, &p, &err), GB_OK);
    slots = slots_new(3, 3);
    a0 = slots[a];
    b0 = slots[b];
    for (int v = 0; v < 3; v++) {
        ((int64_t *)slots[a])[v] = v;
        ((int64_t *)slots[b])[v] = 10 + v;
    }
    CHECK_EQ_I(gb_run(p, g, NULL, slots, NULL, &err), GB_OK);
    CHECK(slots[a] == b0 && slots[b] == a0);   /* buffers exchanged, not copied */
    for (int v = 0; v < 3; v++) {
        CHECK_EQ_I(((int64_t *)slots[a])[v], 10 + v);
        CHECK_EQ_I(((int64_t *)slots[c])[v], 10 + v);
    }
    gb_plan_destroy(p);
    slots_free(slots, 3);
    gb_graph_destroy(g);
}

/* Raises the flag after a delay, from another thread, like a Ctrl-C handler would. */
typedef struct raiser {
    volatile int32_t *flag;
    long delay_ms;
} raiser;

static void *raise_later(void *arg)
{
    raiser *r = arg;
    struct timespec ts = { r->delay_ms / 1000, (r->delay_ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
    *r->flag = 1;
    return NULL;
}

static void test_interrupt(const gb_graph *g)
{
    volatile int32_t flag = 1;
    gb_run_options opts = { 1000000, 1, &flag, 0, NULL };
    tplan t;
    gb_plan *p = NULL;
    gb_value regs[4] = { { 0 } };
    gb_error err;
    pthread_t th;
    raiser r = { &flag, 30 };

    /* raised before the run: the first CHECK_ITER stops it */
    build_count_loop(&t, 100, 1);
    CHECK_EQ_I(tp_create(&t, &p, &err), GB_OK);
    CHECK_EQ_I(gb_run(p, g, regs, NULL, &opts, &err), GB_EINTR);
    CHECK_EQ_I(err.loc, 3);
    CHECK_CONTAINS(err.message, "interrupted");
    flag = 0;
    CHECK_EQ_I(gb_run(p, g, regs, NULL, &opts, &err), GB_OK);
    gb_plan_destroy(p);

    /* a loop with no iteration check is rejected before it can run (plan_loops.c) */
    tp_init(&t, 1);
    ins(&t, GB_OP_CONST, -1, 0, 0, 0, 0);
    ins(&t, GB_OP_JUMP, 5, 0, 0, 0, 0);
    CHECK_EQ_I(tp_create(&t, &p, &err), GB_EINVAL);
    CHECK_CONTAINS(err.message, "without an iteration check");
    CHECK(p == NULL);

    /* a counted loop without CHECK_ITER, of 2^63 - 1 passes, still stops: backward jumps poll */
    build_count_loop(&t, INT64_MAX, 0);
    t.code[t.ncode - GB_INSTR_WIDTH + 1] = 5;
    CHECK_EQ_I(tp_create(&t, &p, &err), GB_OK);
    flag = 0;
    CHECK_EQ_I(pthread_create(&th, NULL, raise_later, &r), 0);
    CHECK_EQ_I(gb_run(p, g, regs, NULL, &opts, &err), GB_EINTR);
    CHECK_EQ_I(err.loc, 5);
    pthread_join(th, NULL);
    gb_plan_destroy(p);

    /* a kernel polls at every block: a raised flag stops it before any work */
    tp_init(&t, 1);
    {
        int64_t s = tp_slot(&t, GB_I64);
        int64_t k = kbegin(&t, GB_DOMAIN_NODE, 1, 9);
        micro(&t, GB_OP_IMM, -1, 0, 5, 0, 0);
        micro(&t, GB_OP_STORE, -1, 0, s, 0, 0);
        ins(&t, GB_OP_KERNEL, 4, k, 0, 0, 0);
    }
    CHECK_EQ_I(tp_create(&t, &p, &err), GB_OK);
    {
        void **slots = slots_new(1, 1);
        flag = 1;
        CHECK_EQ_I(gb_run(p, g, regs, slots, &opts, &err), GB_EINTR);
        CHECK_EQ_I(err.loc, 9);   /* the kernel's own location */
        CHECK_EQ_I(((int64_t *)slots[0])[0], 0);
        flag = 0;
        CHECK_EQ_I(gb_run(p, g, regs, slots, &opts, &err), GB_OK);
        CHECK_EQ_I(((int64_t *)slots[0])[0], 5);
        slots_free(slots, 1);
    }
    gb_plan_destroy(p);
}

static void test_run_arguments(const gb_graph *g)
{
    tplan t;
    gb_plan *p = NULL;
    gb_error err;
    gb_value regs[1];
    void *slots[1] = { NULL };

    tp_init(&t, 1);
    tp_slot(&t, GB_F64);
    ins(&t, GB_OP_CONST, -1, 0, 1, 0, 0);
    CHECK_EQ_I(tp_create(&t, &p, &err), GB_OK);
    CHECK_EQ_I(gb_run(NULL, g, regs, slots, NULL, &err), GB_EINVAL);
    CHECK_EQ_I(gb_run(p, NULL, regs, slots, NULL, &err), GB_EINVAL);
    CHECK_EQ_I(gb_run(p, g, NULL, slots, NULL, &err), GB_EINVAL);
    CHECK_EQ_I(gb_run(p, g, regs, NULL, NULL, &err), GB_EINVAL);
    CHECK_EQ_I(gb_run(p, g, regs, slots, NULL, &err), GB_EINVAL);   /* a NULL buffer */
    CHECK_CONTAINS(err.message, "slot 0");
    CHECK_EQ_I(gb_run(p, g, regs, slots, NULL, NULL), GB_EINVAL);  /* err may be NULL */
    gb_plan_destroy(p);
    gb_plan_destroy(NULL);
}

static void test_strerror(void)
{
    static const int codes[] = { GB_OK, GB_EINVAL, GB_ENOMEM, GB_EZERODIV, GB_EITER, GB_EINTR,
                                  GB_EINDEX, GB_EVALUE, GB_EIO, GB_EPARSE };
    size_t n = sizeof codes / sizeof codes[0];
    for (size_t i = 0; i < n; i++) {
        CHECK(gb_strerror(codes[i]) != NULL && gb_strerror(codes[i])[0] != '\0');
        for (size_t j = 0; j < i; j++)
            CHECK(strcmp(gb_strerror(codes[i]), gb_strerror(codes[j])) != 0);
    }
    CHECK_CONTAINS(gb_strerror(-100), "unknown");
}

int main(void)
{
    gb_graph *g = graph_new(1, 0, NULL, NULL, NULL, 1);
    CHECK(g != NULL);
    test_loops(g);
    test_counts_and_get();
    test_copy_swap();
    test_interrupt(g);
    test_run_arguments(g);
    test_strerror();
    gb_graph_destroy(g);
    return CHECK_DONE();
}
