/*
 * test_gather_v.c — GB_OP_GATHER_V (x[p]): every dtype over several node blocks on 1 and 4
 * threads, -1 giving the immediate, one buffer handed in for dst and x (scratch, same
 * result), p's range checked before any read (the first bad node in node order, for any
 * thread count) and the operand checks of gb_plan_create.
 */
#include "check.h"
#include "plan_asm.h"

enum { N = 3000 };   /* three node blocks */

static int64_t ptr(int64_t v) { return v % 11 == 0 ? -1 : (v * 7 + 3) % N; }

static void test_values(int threads)
{
    gb_graph *g = graph_new(N, 0, NULL, NULL, NULL, 1);
    tplan t;
    gb_plan *p = NULL;
    gb_error err;
    gb_run_options opts = { 100, threads, NULL, 0, NULL };
    int64_t xf, xi, xb, sp, df, di, db;
    void **slots;

    tp_init(&t, 0);
    xf = tp_slot(&t, GB_F64), xi = tp_slot(&t, GB_I64), xb = tp_slot(&t, GB_BOOL);
    sp = tp_slot(&t, GB_I64);
    df = tp_slot(&t, GB_F64), di = tp_slot(&t, GB_I64), db = tp_slot(&t, GB_BOOL);
    ins(&t, GB_OP_GATHER_V, 5, df, xf, sp, 0);
    ins(&t, GB_OP_GATHER_V, 6, di, xi, sp, -1);
    ins(&t, GB_OP_GATHER_V, 7, db, xb, sp, 1);
    ins(&t, GB_OP_GATHER_V, 8, sp, sp, sp, -1);   /* refused: writes what it reads */
    CHECK_EQ_I(tp_create(&t, &p, &err), GB_EINVAL);
    CHECK_CONTAINS(err.message, "gather_v) writes a slot it reads");
    t.ncode -= GB_INSTR_WIDTH;
    CHECK_EQ_I(tp_create(&t, &p, &err), GB_OK);
    slots = slots_new(t.nslots, N);
    for (int64_t v = 0; v < N; v++) {
        ((double *)slots[xf])[v] = 0.5 * (double)v;
        ((int64_t *)slots[xi])[v] = -v;
        ((uint8_t *)slots[xb])[v] = v % 3 == 0;
        ((int64_t *)slots[sp])[v] = ptr(v);
    }
    CHECK_EQ_I(gb_run(p, g, NULL, slots, &opts, &err), GB_OK);
    for (int64_t v = 0; v < N; v++) {
        int64_t q = ptr(v);
        CHECK_EQ_F(((double *)slots[df])[v], q < 0 ? 0.0 : 0.5 * (double)q);
        CHECK_EQ_I(((int64_t *)slots[di])[v], q < 0 ? -1 : -q);
        CHECK_EQ_I(((uint8_t *)slots[db])[v], q < 0 ? 1 : q % 3 == 0);
    }

    /* one buffer for dst and x: gathered into scratch, the same values */
    free(slots[di]);
    slots[di] = slots[xi];
    CHECK_EQ_I(gb_run(p, g, NULL, slots, &opts, &err), GB_OK);
    for (int64_t v = 0; v < N; v++)
        CHECK_EQ_I(((int64_t *)slots[di])[v], ptr(v) < 0 ? -1 : -ptr(v));
    slots[di] = calloc(N, 8);

    /* bad indices: nothing past the check is read; the first in node order is named */
    ((int64_t *)slots[sp])[2500] = -7;
    ((int64_t *)slots[sp])[1500] = N;
    CHECK_EQ_I(gb_run(p, g, NULL, slots, &opts, &err), GB_EINDEX);
    CHECK_EQ_I(err.loc, 5);
    CHECK_CONTAINS(err.message, "the index vector holds 3000 at node index 1500, out of range "
                                "for a graph of 3000 nodes");
    ((int64_t *)slots[sp])[1500] = INT64_MIN;
    CHECK_EQ_I(gb_run(p, g, NULL, slots, &opts, &err), GB_EINDEX);
    CHECK_CONTAINS(err.message, "holds -9223372036854775808 at node index 1500");
    gb_plan_destroy(p);
    slots_free(slots, t.nslots);
    gb_graph_destroy(g);
}

static void test_operands(void)
{
    tplan t;
    gb_plan *p = NULL;
    gb_error err;
    int64_t f, i, b, b2;
    tp_init(&t, 0);
    f = tp_slot(&t, GB_F64), i = tp_slot(&t, GB_I64), b = tp_slot(&t, GB_BOOL), b2 = tp_slot(&t, GB_BOOL);
    ins(&t, GB_OP_GATHER_V, -1, b, b2, f, 0);
    CHECK_EQ_I(tp_create(&t, &p, &err), GB_EINVAL);
    CHECK_CONTAINS(err.message, "reads node indices from a slot that is not int64");
    t.ncode = 0;
    ins(&t, GB_OP_GATHER_V, -1, f, b, i, 0);
    CHECK_EQ_I(tp_create(&t, &p, &err), GB_EINVAL);
    CHECK_CONTAINS(err.message, "writes a slot of another dtype than the one it reads");
    t.ncode = 0;
    ins(&t, GB_OP_GATHER_V, -1, b, b2, i, 2);
    CHECK_EQ_I(tp_create(&t, &p, &err), GB_EINVAL);
    CHECK_CONTAINS(err.message, "gives a bool slot a value other than 0 or 1");
    t.ncode = 0;
    ins(&t, GB_OP_GATHER_V, -1, b, b2, 9, 0);
    CHECK_EQ_I(tp_create(&t, &p, &err), GB_EINVAL);
    CHECK_CONTAINS(err.message, "slot index out of range");
}

int main(void)
{
    test_values(1);
    test_values(4);
    test_operands();
    return CHECK_DONE();
}
