/*
 * test_sources.c — GB_OP_SOURCES: a loop over 40 sources whose passes each run a node and
 * an edge kernel into slots of their own and add into a float and an int accumulator,
 * claimed parallel (batch 16 and 3) and unclaimed, on 1, 2 and 4 threads: the same bits
 * as the reference, the loop's own registers and slots zero after a claimed loop, pass
 * counts as one thread counts them; a pass's failure reported as one thread reports it;
 * and the claims gb_plan_create refuses.
 */
#include "check.h"
#include "plan_asm.h"

enum { N = 3000, PASSES = 40 };

/* Plan pieces, so the refusal tests can assemble variants. */
enum { R_INDEX, R_COUNT, R_COEF, R_FLAG, R_TOT, R_SUM, NREGS };
enum { ACC, IACC, X, E };

typedef struct variant {
    int64_t batch;
    int coef_late;       /* i2f r_coef after the kernel that reads it */
    int acc_twice;       /* a second kernel loads the accumulator */
    int acc_mul;         /* the accumulator kernel multiplies */
    int jump_out;        /* a jump from the body to the loop's exit */
    int open_end;        /* no jump back closes the loop */
    int tot_skipped;     /* a jump over the register accumulator's mov */
    int64_t count;       /* the bound */
} variant;

static void build(tplan *t, const variant *v)
{
    int64_t kx, ke, ka, ki, kt = -1, head, x, e;
    tp_init(t, NREGS);
    tp_slot(t, GB_F64), tp_slot(t, GB_I64), tp_slot(t, GB_F64), tp_slot(t, GB_F64);
    x = X, e = E;

    kx = kbegin(t, GB_DOMAIN_NODE, 6, -1);   /* x = float(v) * coef + 1.0 */
    micro(t, GB_OP_NODE_ID, -1, 0, 0, 0, 0);
    micro(t, GB_OP_I2F, -1, 1, 0, 0, 0);
    micro(t, GB_OP_BCAST, -1, 2, R_COEF, 0, 0);
    micro(t, GB_OP_MUL_F, -1, 3, 1, 2, 0);
    micro(t, GB_OP_IMM, -1, 4, fbits(1.0), 0, 0);
    micro(t, GB_OP_ADD_F, -1, 5, 3, 4, 0);
    micro(t, GB_OP_STORE, -1, 0, x, 5, 0);
    ke = kbegin(t, GB_DOMAIN_EDGE, 1, -1);   /* e = sum of x over out-neighbors */
    micro(t, GB_OP_GATHER, -1, 0, x, 0, 0);
    kedge(t, ke, GB_DIR_OUT, GB_AGG_SUM, 1, e, 0, -1, GB_DEFAULT_IDENTITY, -1);
    ka = kbegin(t, GB_DOMAIN_NODE, 3, -1);   /* acc = acc + e */
    micro(t, GB_OP_LOAD, -1, 0, ACC, 0, 0);
    micro(t, GB_OP_LOAD, -1, 1, e, 0, 0);
    micro(t, v->acc_mul ? GB_OP_MUL_F : GB_OP_ADD_F, -1, 2, 0, 1, 0);
    micro(t, GB_OP_STORE, -1, 0, ACC, 2, 0);
    ki = kbegin(t, GB_DOMAIN_NODE, 3, -1);   /* iacc = index + iacc (x first) */
    micro(t, GB_OP_LOAD, -1, 0, IACC, 0, 0);
    micro(t, GB_OP_BCAST, -1, 1, R_INDEX, 0, 0);
    micro(t, GB_OP_ADD_I, -1, 2, 1, 0, 0);
    micro(t, GB_OP_STORE, -1, 0, IACC, 2, 0);
    if (v->acc_twice) {
        kt = kbegin(t, GB_DOMAIN_NODE, 1, -1);
        micro(t, GB_OP_LOAD, -1, 0, ACC, 0, 0);
        micro(t, GB_OP_STORE, -1, 0, x, 0, 0);
    }

    ins(t, GB_OP_CONST, -1, R_COUNT, v->count, 0, 0);
    ins(t, GB_OP_CONST, -1, R_INDEX, -1, 0, 0);
    head = ins(t, GB_OP_SOURCES, 3, R_INDEX, R_COUNT, v->batch, 0);
    if (!v->coef_late)
        ins(t, GB_OP_I2F, -1, R_COEF, R_INDEX, 0, 0);
    ins(t, GB_OP_KERNEL, -1, kx, 0, 0, 1);
    if (v->coef_late)
        ins(t, GB_OP_I2F, -1, R_COEF, R_INDEX, 0, 0);
    if (v->jump_out) {
        ins(t, GB_OP_CONST, -1, R_FLAG, 1, 0, 0);
        ins(t, GB_OP_JUMP_IF_FALSE, -1, R_FLAG, t->ncode / GB_INSTR_WIDTH + 5, 0, 0);
    }
    ins(t, GB_OP_KERNEL, -1, ke, 0, 0, 1);
    ins(t, GB_OP_KERNEL, -1, ka, 0, 0, 1);
    ins(t, GB_OP_KERNEL, -1, ki, 0, 0, 1);
    ins(t, GB_OP_ADD_I, -1, R_SUM, R_TOT, R_INDEX, 0);   /* tot = tot + index */
    if (v->tot_skipped) {
        ins(t, GB_OP_CONST, -1, R_FLAG, 0, 0, 0);
        ins(t, GB_OP_JUMP_IF_FALSE, -1, R_FLAG, t->ncode / GB_INSTR_WIDTH + 2, 0, 0);
    }
    ins(t, GB_OP_MOV, -1, R_TOT, R_SUM, 0, 0);
    if (kt >= 0)
        ins(t, GB_OP_KERNEL, -1, kt, 0, 0, 1);
    if (v->open_end)
        ins(t, GB_OP_CONST, -1, R_FLAG, 0, 0, 0);
    else
        ins(t, GB_OP_JUMP, -1, head, 0, 0, 0);
    t->code[head * GB_INSTR_WIDTH + 5] = t->ncode / GB_INSTR_WIDTH;
    if (v->jump_out)   /* the jump_if_false above: to the loop's exit */
        for (int64_t pc = head; pc < t->ncode / GB_INSTR_WIDTH; pc++)
            if (t->code[pc * GB_INSTR_WIDTH] == GB_OP_JUMP_IF_FALSE)
                t->code[pc * GB_INSTR_WIDTH + 3] = t->ncode / GB_INSTR_WIDTH;
}

static gb_graph *ring(void)
{
    static int64_t src[2 * N], dst[2 * N];
    for (int64_t v = 0; v < N; v++) {
        src[2 * v] = v, dst[2 * v] = (v + 1) % N;
        src[2 * v + 1] = v, dst[2 * v + 1] = (v * 7) % N;
    }
    return graph_new(N, 2 * N, src, dst, NULL, 1);
}

static void test_runs(gb_graph *g, int64_t batch, int threads)
{
    variant v = { batch, 0, 0, 0, 0, 0, 0, PASSES };
    tplan *t = malloc(sizeof *t);
    gb_plan *p = NULL;
    gb_error err;
    int64_t *counts = calloc(64 * GB_COUNTS_PER_INSTR, sizeof *counts);
    gb_run_options opts = { 100, threads, NULL, 0, counts };
    gb_value regs[NREGS];
    void **slots;
    int64_t head = 2, back;

    build(t, &v);
    back = t->ncode / GB_INSTR_WIDTH - 1;
    CHECK_EQ_I(tp_create_raw(t, &p, &err), GB_OK);
    slots = slots_new(t->nslots, N);
    memset(regs, 0, sizeof regs);
    regs[R_TOT].i = 7;
    for (int64_t u = 0; u < N; u++) {
        ((double *)slots[ACC])[u] = 0.5;
        ((int64_t *)slots[IACC])[u] = u;
    }
    CHECK_EQ_I(gb_run(p, g, regs, slots, &opts, &err), GB_OK);
    for (int64_t u = 0; u < N; u++) {
        /* e_i[u] = (u + 1) % N * i + 1 + (7u % N) * i + 1: whole numbers, exact sums */
        double want = 0.5;
        for (int64_t i = 0; i < PASSES; i++)
            want += (double)((u + 1) % N * i + 1) + (double)(u * 7 % N * i + 1);
        CHECK_EQ_F(((double *)slots[ACC])[u], want);
        CHECK_EQ_I(((int64_t *)slots[IACC])[u], u + PASSES * (PASSES - 1) / 2);
        if (batch > 0) {   /* a claimed loop leaves its own slots zero */
            CHECK_EQ_F(((double *)slots[X])[u], 0.0);
            CHECK_EQ_F(((double *)slots[E])[u], 0.0);
        }
    }
    CHECK_EQ_I(regs[R_INDEX].i, PASSES);
    CHECK_EQ_I(regs[R_TOT].i, 7 + PASSES * (PASSES - 1) / 2);
    if (batch > 0)
        CHECK_EQ_I(regs[R_SUM].i, 0);
    if (batch > 0)
        CHECK_EQ_F(regs[R_COEF].f, 0.0);
    else
        CHECK_EQ_F(regs[R_COEF].f, (double)(PASSES - 1));
    CHECK_EQ_I(counts[head * GB_COUNTS_PER_INSTR + GB_COUNT_NOT_TAKEN], PASSES);
    CHECK_EQ_I(counts[head * GB_COUNTS_PER_INSTR + GB_COUNT_TAKEN], 1);
    CHECK_EQ_I(counts[back * GB_COUNTS_PER_INSTR + GB_COUNT_TAKEN], PASSES);
    CHECK_EQ_I(counts[(head + 3) * GB_COUNTS_PER_INSTR + GB_COUNT_DENSE], PASSES);

    /* more sources than nodes: refused when the loop starts */
    regs[R_INDEX].i = 0;
    t->code[0 * GB_INSTR_WIDTH + 3] = N + 1;
    gb_plan_destroy(p);
    CHECK_EQ_I(tp_create_raw(t, &p, &err), GB_OK);
    CHECK_EQ_I(gb_run(p, g, regs, slots, &opts, &err), GB_EVALUE);
    CHECK_CONTAINS(err.message, "a loop over 3001 sources of a graph of 3000 nodes");
    CHECK_EQ_I(err.loc, 3);
    gb_plan_destroy(p);
    slots_free(slots, t->nslots);
    free(counts);
    free(t);
}

static void refused(const variant *v, const char *what)
{
    tplan *t = malloc(sizeof *t);
    gb_plan *p = NULL;
    gb_error err;
    build(t, v);
    CHECK_EQ_I(tp_create_raw(t, &p, &err), GB_EINVAL);
    CHECK_CONTAINS(err.message, what);
    CHECK(p == NULL);
    free(t);
}

static void test_refusals(void)
{
    variant v = { 16, 0, 0, 0, 0, 0, 0, PASSES };
    v.tot_skipped = 1;
    refused(&v, "not added to once on every pass");
    v.tot_skipped = 0, v.batch = 5000;
    refused(&v, "claims a batch out of range");
    v.batch = 16, v.coef_late = 1;
    refused(&v, "a register is read before the body writes it");
    v.coef_late = 0, v.acc_twice = 1;
    refused(&v, "more than one node kernel");
    v.acc_twice = 0, v.acc_mul = 1;
    refused(&v, "not an accumulator");
    v.acc_mul = 0, v.jump_out = 1;
    refused(&v, "has a jump out of its body");
    v.batch = 0;   /* unclaimed loops are held to their shape too */
    refused(&v, "has a jump out of its body");
    v.jump_out = 0, v.open_end = 1;
    refused(&v, "is not closed by a jump back");
    /* without the claim, a late coefficient and a multiplied accumulator are plain code */
    v.open_end = 0, v.coef_late = 1, v.acc_mul = 1;
    {
        tplan *t = malloc(sizeof *t);
        gb_plan *p = NULL;
        gb_error err;
        build(t, &v);
        CHECK_EQ_I(tp_create_raw(t, &p, &err), GB_OK);
        gb_plan_destroy(p);
        free(t);
    }
}

int main(void)
{
    gb_graph *g = ring();
    for (int threads = 1; threads <= 4; threads *= 2) {
        test_runs(g, 0, threads);
        test_runs(g, 16, threads);
        test_runs(g, 3, threads);
    }
    test_refusals();
    gb_graph_destroy(g);
    return CHECK_DONE();
}
