/*
 * test_ops.c — the arithmetic opcodes: each one on scalar registers through a real plan
 * (Python // and % signs, wrapping, IEEE and NaN cases, errors with their location),
 * then every one over blocks of lanes in a node kernel, lane for lane equal to the
 * scalar path.
 */
#include "check.h"
#include "exec_internal.h"
#include "plan_asm.h"

/* r3 = op(x, y, z) through a real plan and gb_run; the op instruction has loc 7. */
static gb_status scalar_op(const gb_graph *g, int64_t op, gb_value x, gb_value y, gb_value z,
                           gb_value *out, gb_error *err)
{
    tplan t;
    gb_plan *p = NULL;
    gb_value regs[4] = { { 0 } };
    gb_status st;

    tp_init(&t, 4);
    ins(&t, GB_OP_CONST, 0, 0, x.i, 0, 0);
    ins(&t, GB_OP_CONST, 1, 1, y.i, 0, 0);
    ins(&t, GB_OP_CONST, 2, 2, z.i, 0, 0);
    ins(&t, op, 7, 3, 0, 1, 2);
    st = tp_create(&t, &p, err);
    if (st != GB_OK)
        return st;
    st = gb_run(p, g, regs, NULL, NULL, err);
    *out = regs[3];
    gb_plan_destroy(p);
    return st;
}

static gb_value I(int64_t i) { gb_value v; v.i = i; return v; }
static gb_value F(double f) { gb_value v; v.f = f; return v; }

static int64_t op_i(const gb_graph *g, int64_t op, int64_t x, int64_t y)
{
    gb_value r;
    gb_error err;
    gb_status st = scalar_op(g, op, I(x), I(y), I(0), &r, &err);
    CHECK_EQ_I(st, GB_OK);
    return r.i;
}

static double op_f(const gb_graph *g, int64_t op, double x, double y)
{
    gb_value r;
    gb_error err;
    gb_status st = scalar_op(g, op, F(x), F(y), F(0), &r, &err);
    CHECK_EQ_I(st, GB_OK);
    return r.f;
}

static int64_t cmp_f(const gb_graph *g, int64_t op, double x, double y)
{
    gb_value r;
    gb_error err;
    gb_status st = scalar_op(g, op, F(x), F(y), F(0), &r, &err);
    CHECK_EQ_I(st, GB_OK);
    return r.i;
}

static void test_int_ops(const gb_graph *g)
{
    static const int64_t pairs[][2] = {
        { 7, 2 }, { -7, 2 }, { 7, -2 }, { -7, -2 }, { 6, 3 }, { -6, 3 }, { 0, 5 }, { 1, 1 },
        { INT64_MAX, 2 }, { INT64_MIN, 3 }, { INT64_MIN, -1 }, { INT64_MIN, INT64_MAX },
    };
    CHECK_EQ_I(op_i(g, GB_OP_FLOORDIV_I, 7, 2), 3);
    CHECK_EQ_I(op_i(g, GB_OP_FLOORDIV_I, -7, 2), -4);
    CHECK_EQ_I(op_i(g, GB_OP_FLOORDIV_I, 7, -2), -4);
    CHECK_EQ_I(op_i(g, GB_OP_FLOORDIV_I, -7, -2), 3);
    CHECK_EQ_I(op_i(g, GB_OP_MOD_I, 7, 2), 1);
    CHECK_EQ_I(op_i(g, GB_OP_MOD_I, -7, 2), 1);
    CHECK_EQ_I(op_i(g, GB_OP_MOD_I, 7, -2), -1);
    CHECK_EQ_I(op_i(g, GB_OP_MOD_I, -7, -2), -1);
    CHECK_EQ_I(op_i(g, GB_OP_MOD_I, -6, 3), 0);
    /* INT64_MIN // -1 overflows: it wraps like every int op instead of trapping */
    CHECK_EQ_I(op_i(g, GB_OP_FLOORDIV_I, INT64_MIN, -1), INT64_MIN);
    CHECK_EQ_I(op_i(g, GB_OP_MOD_I, INT64_MIN, -1), 0);
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        int64_t a = pairs[i][0], b = pairs[i][1];
        if (a == INT64_MIN && b == -1)
            continue;
        CHECK_EQ_I(op_i(g, GB_OP_FLOORDIV_I, a, b), ref_floordiv(a, b));
        CHECK_EQ_I(op_i(g, GB_OP_MOD_I, a, b), ref_mod(a, b));
    }

    CHECK_EQ_I(op_i(g, GB_OP_ADD_I, INT64_MAX, 1), INT64_MIN);
    CHECK_EQ_I(op_i(g, GB_OP_SUB_I, INT64_MIN, 1), INT64_MAX);
    CHECK_EQ_I(op_i(g, GB_OP_MUL_I, INT64_MAX, 2), -2);
    CHECK_EQ_I(op_i(g, GB_OP_MUL_I, -3, 4), -12);
    CHECK_EQ_I(op_i(g, GB_OP_POW_I, 2, 10), 1024);
    CHECK_EQ_I(op_i(g, GB_OP_POW_I, -3, 3), -27);
    CHECK_EQ_I(op_i(g, GB_OP_POW_I, 0, 0), 1);
    CHECK_EQ_I(op_i(g, GB_OP_POW_I, 5, 0), 1);
    CHECK_EQ_I(op_i(g, GB_OP_POW_I, 2, 64), 0);
    CHECK_EQ_I(op_i(g, GB_OP_POW_I, 3, 40), -6289078614652622815LL);   /* 3**40 mod 2**64 */
    CHECK_EQ_I(op_i(g, GB_OP_POW_I, -1, INT64_MAX), -1);
    CHECK_EQ_I(op_i(g, GB_OP_MIN_I, 3, -4), -4);
    CHECK_EQ_I(op_i(g, GB_OP_MAX_I, 3, -4), 3);
    CHECK_EQ_I(op_i(g, GB_OP_EQ_I, 3, 3), 1);
    CHECK_EQ_I(op_i(g, GB_OP_NE_I, 3, 3), 0);
    CHECK_EQ_I(op_i(g, GB_OP_LT_I, -1, 0), 1);
    CHECK_EQ_I(op_i(g, GB_OP_LE_I, 0, 0), 1);
    CHECK_EQ_I(op_i(g, GB_OP_GT_I, 0, 0), 0);
    CHECK_EQ_I(op_i(g, GB_OP_GE_I, INT64_MIN, INT64_MAX), 0);
    CHECK_EQ_I(op_i(g, GB_OP_AND, 1, 0), 0);
    CHECK_EQ_I(op_i(g, GB_OP_AND, 1, 1), 1);
    CHECK_EQ_I(op_i(g, GB_OP_OR, 0, 1), 1);
    CHECK_EQ_I(op_i(g, GB_OP_OR, 0, 0), 0);
    CHECK_EQ_I(op_i(g, GB_OP_NOT, 0, 0), 1);
    CHECK_EQ_I(op_i(g, GB_OP_NOT, 1, 0), 0);
    CHECK_EQ_I(op_i(g, GB_OP_NEG_I, 5, 0), -5);
    CHECK_EQ_I(op_i(g, GB_OP_NEG_I, INT64_MIN, 0), INT64_MIN);
    CHECK_EQ_I(op_i(g, GB_OP_ABS_I, -5, 0), 5);
    CHECK_EQ_I(op_i(g, GB_OP_ABS_I, INT64_MIN, 0), INT64_MIN);
}

static void test_float_ops(const gb_graph *g)
{
    CHECK_EQ_F(op_f(g, GB_OP_ADD_F, 0.5, 0.25), 0.75);
    CHECK_EQ_F(op_f(g, GB_OP_SUB_F, 0.5, 0.25), 0.25);
    CHECK_EQ_F(op_f(g, GB_OP_MUL_F, 0.5, -4.0), -2.0);
    CHECK_EQ_F(op_f(g, GB_OP_DIV_F, 1.0, 0.0), INFINITY);
    CHECK_EQ_F(op_f(g, GB_OP_DIV_F, -1.0, 0.0), -INFINITY);
    CHECK_EQ_F(op_f(g, GB_OP_DIV_F, 0.0, 0.0), NAN);
    CHECK_EQ_F(op_f(g, GB_OP_FLOORDIV_F, 7.5, 2.0), 3.0);
    CHECK_EQ_F(op_f(g, GB_OP_FLOORDIV_F, -7.5, 2.0), -4.0);
    CHECK_EQ_F(op_f(g, GB_OP_FLOORDIV_F, 7.5, -2.0), -4.0);
    /* Python's float //, not floor(x / y): 1.0 / 0.1 rounds up to 10.0 */
    CHECK_EQ_F(op_f(g, GB_OP_FLOORDIV_F, 1.0, 0.1), 9.0);
    CHECK_EQ_F(op_f(g, GB_OP_FLOORDIV_F, -0.0, 5.0), -0.0);
    CHECK_EQ_F(op_f(g, GB_OP_FLOORDIV_F, 0.0, -3.0), -0.0);
    CHECK_EQ_F(op_f(g, GB_OP_FLOORDIV_F, 5.0, INFINITY), 0.0);
    CHECK_EQ_F(op_f(g, GB_OP_FLOORDIV_F, -5.0, INFINITY), -1.0);
    CHECK(isnan(op_f(g, GB_OP_FLOORDIV_F, INFINITY, 2.0)));
    /* a zero divisor: IEEE, where Python would raise */
    CHECK_EQ_F(op_f(g, GB_OP_FLOORDIV_F, 1.0, 0.0), INFINITY);
    CHECK_EQ_F(op_f(g, GB_OP_FLOORDIV_F, -1.0, 0.0), -INFINITY);
    CHECK(isnan(op_f(g, GB_OP_FLOORDIV_F, 0.0, 0.0)));
    CHECK_EQ_F(op_f(g, GB_OP_MOD_F, 7.5, 2.0), 1.5);
    CHECK_EQ_F(op_f(g, GB_OP_MOD_F, -7.5, 2.0), 0.5);
    CHECK_EQ_F(op_f(g, GB_OP_MOD_F, 7.5, -2.0), -0.5);
    CHECK_EQ_F(op_f(g, GB_OP_MOD_F, -7.5, -2.0), -1.5);
    CHECK_EQ_F(op_f(g, GB_OP_MOD_F, 6.0, -3.0), -0.0);    /* a zero takes the divisor's sign */
    CHECK_EQ_F(op_f(g, GB_OP_MOD_F, -6.0, 3.0), 0.0);
    CHECK_EQ_F(op_f(g, GB_OP_MOD_F, 5.0, INFINITY), 5.0);
    CHECK_EQ_F(op_f(g, GB_OP_MOD_F, -5.0, INFINITY), INFINITY);
    CHECK_EQ_F(op_f(g, GB_OP_MOD_F, 5.0, -INFINITY), -INFINITY);
    CHECK(isnan(op_f(g, GB_OP_MOD_F, 5.0, 0.0)));
    CHECK_EQ_F(op_f(g, GB_OP_POW_F, 2.0, 0.5), sqrt(2.0));
    CHECK_EQ_F(op_f(g, GB_OP_POW_F, 2.0, -1.0), 0.5);

    /* NaN in either operand of min/max wins; otherwise ties keep the first (Python) */
    CHECK(isnan(op_f(g, GB_OP_MIN_F, NAN, 1.0)));
    CHECK(isnan(op_f(g, GB_OP_MIN_F, 1.0, NAN)));
    CHECK(isnan(op_f(g, GB_OP_MAX_F, NAN, 1.0)));
    CHECK(isnan(op_f(g, GB_OP_MAX_F, 1.0, NAN)));
    CHECK_EQ_F(op_f(g, GB_OP_MIN_F, -0.0, 0.0), -0.0);
    CHECK_EQ_F(op_f(g, GB_OP_MIN_F, 0.0, -0.0), 0.0);
    CHECK_EQ_F(op_f(g, GB_OP_MIN_F, 2.0, -INFINITY), -INFINITY);
    CHECK_EQ_F(op_f(g, GB_OP_MAX_F, 2.0, -INFINITY), 2.0);

    CHECK_EQ_I(cmp_f(g, GB_OP_EQ_F, NAN, NAN), 0);
    CHECK_EQ_I(cmp_f(g, GB_OP_NE_F, NAN, NAN), 1);
    CHECK_EQ_I(cmp_f(g, GB_OP_LT_F, NAN, 1.0), 0);
    CHECK_EQ_I(cmp_f(g, GB_OP_GE_F, NAN, 1.0), 0);
    CHECK_EQ_I(cmp_f(g, GB_OP_EQ_F, -0.0, 0.0), 1);
    CHECK_EQ_I(cmp_f(g, GB_OP_LT_F, 1.0, 2.0), 1);
    CHECK_EQ_I(cmp_f(g, GB_OP_LE_F, 2.0, 2.0), 1);
    CHECK_EQ_I(cmp_f(g, GB_OP_GT_F, 2.0, 2.0), 0);
    CHECK_EQ_I(cmp_f(g, GB_OP_GE_F, INFINITY, 2.0), 1);

    CHECK_EQ_F(op_f(g, GB_OP_NEG_F, 0.0, 0), -0.0);
    CHECK_EQ_F(op_f(g, GB_OP_ABS_F, -3.5, 0), 3.5);
    CHECK(isnan(op_f(g, GB_OP_SQRT, -1.0, 0)));
    CHECK_EQ_F(op_f(g, GB_OP_SQRT, 16.0, 0), 4.0);
    CHECK_EQ_F(op_f(g, GB_OP_EXP, 0.0, 0), 1.0);
    CHECK_EQ_F(op_f(g, GB_OP_LOG, 0.0, 0), -INFINITY);
    CHECK_EQ_F(op_f(g, GB_OP_LOG, 1.0, 0), 0.0);
    CHECK_EQ_F(op_f(g, GB_OP_FLOOR, -0.5, 0), -1.0);
    CHECK_EQ_F(op_f(g, GB_OP_CEIL, -0.5, 0), -0.0);
    {
        gb_value r;
        gb_error err;
        CHECK_EQ_I(scalar_op(g, GB_OP_I2F, I(-3), I(0), I(0), &r, &err), GB_OK);
        CHECK_EQ_F(r.f, -3.0);
        CHECK_EQ_I(scalar_op(g, GB_OP_F2I, F(2.9), I(0), I(0), &r, &err), GB_OK);
        CHECK_EQ_I(r.i, 2);
        CHECK_EQ_I(scalar_op(g, GB_OP_F2I, F(-2.9), I(0), I(0), &r, &err), GB_OK);
        CHECK_EQ_I(r.i, -2);
        CHECK_EQ_I(scalar_op(g, GB_OP_F2I, F(-0x1p63), I(0), I(0), &r, &err), GB_OK);
        CHECK_EQ_I(r.i, INT64_MIN);
        CHECK_EQ_I(scalar_op(g, GB_OP_WHERE, I(1), F(1.5), F(2.5), &r, &err), GB_OK);
        CHECK_EQ_F(r.f, 1.5);
        CHECK_EQ_I(scalar_op(g, GB_OP_WHERE, I(0), I(-7), I(9), &r, &err), GB_OK);
        CHECK_EQ_I(r.i, 9);
    }
}

static void test_op_errors(const gb_graph *g)
{
    gb_value r;
    gb_error err;

    CHECK_EQ_I(scalar_op(g, GB_OP_FLOORDIV_I, I(5), I(0), I(0), &r, &err), GB_EZERODIV);
    CHECK_EQ_I(err.code, GB_EZERODIV);
    CHECK_EQ_I(err.loc, 7);
    CHECK_CONTAINS(err.message, "integer division by zero");
    CHECK_EQ_I(scalar_op(g, GB_OP_MOD_I, I(5), I(0), I(0), &r, &err), GB_EZERODIV);
    CHECK_EQ_I(err.loc, 7);
    CHECK_CONTAINS(err.message, "modulo by zero");
    CHECK_EQ_I(scalar_op(g, GB_OP_POW_I, I(2), I(-1), I(0), &r, &err), GB_EVALUE);
    CHECK_EQ_I(err.loc, 7);
    CHECK_CONTAINS(err.message, "negative exponent -1");
    CHECK_EQ_I(scalar_op(g, GB_OP_F2I, F(NAN), I(0), I(0), &r, &err), GB_EVALUE);
    CHECK_CONTAINS(err.message, "nan");
    CHECK_EQ_I(scalar_op(g, GB_OP_F2I, F(INFINITY), I(0), I(0), &r, &err), GB_EVALUE);
    CHECK_CONTAINS(err.message, "inf");
    CHECK_EQ_I(scalar_op(g, GB_OP_F2I, F(-INFINITY), I(0), I(0), &r, &err), GB_EVALUE);
    CHECK_CONTAINS(err.message, "-inf");
    CHECK_EQ_I(scalar_op(g, GB_OP_F2I, F(0x1p63), I(0), I(0), &r, &err), GB_EVALUE);
    CHECK_CONTAINS(err.message, "out of the int range");
    CHECK_EQ_I(scalar_op(g, GB_OP_F2I, F(-0x1p64), I(0), I(0), &r, &err), GB_EVALUE);
    CHECK_EQ_I(err.loc, 7);
}

/* Deterministic test data (xorshift64*), independent of the executor's generator. */
static uint64_t rng_state = 88172645463325252ull;
static uint64_t rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ull;
}

static int64_t some_int(void)
{
    static const int64_t special[] = { 0, 1, -1, 2, -2, 3, 7, -7, INT64_MAX, INT64_MIN, 1000003 };
    uint64_t r = rng();
    if (r % 3 == 0)
        return special[(r >> 8) % (sizeof special / sizeof special[0])];
    return (int64_t)(rng() % 2001) - 1000;
}

static double some_float(void)
{
    static const double special[] = { 0.0, -0.0, 1.0, -1.0, 0.5, INFINITY, -INFINITY, NAN,
                                      1e300, 3.0 };
    uint64_t r = rng();
    if (r % 3 == 0)
        return special[(r >> 8) % (sizeof special / sizeof special[0])];
    return ((double)(rng() % 20001) - 10000.0) / 64.0;
}

static int is_float_input(int64_t op)
{
    return (op >= GB_OP_ADD_F && op <= GB_OP_GE_F && !(op >= GB_OP_EQ_I && op <= GB_OP_GE_I)) ||
           op == GB_OP_NEG_F || op == GB_OP_ABS_F || (op >= GB_OP_SQRT && op <= GB_OP_CEIL) ||
           op == GB_OP_F2I;
}

/* Every arithmetic opcode over 2500 lanes (three blocks) of a node kernel equals the
 * same opcode applied to each lane alone.  Slots are int64 holding raw 64-bit patterns:
 * LOAD and STORE of an int64 slot move the bits unchanged whatever they encode. */
static void test_vector_matches_scalar(void)
{
    const int64_t n = 2500;
    gb_graph *g = graph_new(n, 0, NULL, NULL, NULL, 1);
    void **slots = slots_new(4, n);
    int64_t *x = slots[0], *y = slots[1], *z = slots[2], *out = slots[3];
    int checked = 0;

    for (int64_t op = GB_OP_ADD_I; op <= GB_OP_WHERE; op++) {
        const gb_op_info *info = gb_op_lookup(op);
        tplan t;
        gb_plan *p = NULL;
        gb_error err;
        int64_t mismatches = 0, k;
        if (info == NULL || info->args[0] != GB_ARG_DST)   /* not arithmetic */
            continue;
        for (int64_t v = 0; v < n; v++) {
            if (is_float_input(op)) {
                double a = some_float(), b = some_float();
                if (op == GB_OP_F2I && !(a >= -0x1p63 && a < 0x1p63))
                    a = 0.5;
                x[v] = fbits(a);
                y[v] = fbits(b);
            } else {
                x[v] = some_int();
                y[v] = some_int();
                if ((op == GB_OP_FLOORDIV_I || op == GB_OP_MOD_I) && y[v] == 0)
                    y[v] = 3;
                if (op == GB_OP_POW_I)
                    y[v] = (int64_t)(rng() % 70);
            }
            z[v] = (int64_t)rng();
            if (op == GB_OP_WHERE)
                x[v] = (int64_t)(rng() % 2);
        }
        tp_init(&t, 0);
        for (int s = 0; s < 4; s++)
            tp_slot(&t, GB_I64);
        k = kbegin(&t, GB_DOMAIN_NODE, 4, -1);
        micro(&t, GB_OP_LOAD, -1, 0, 0, 0, 0);
        micro(&t, GB_OP_LOAD, -1, 1, 1, 0, 0);
        micro(&t, GB_OP_LOAD, -1, 2, 2, 0, 0);
        micro(&t, op, -1, 3, 0, 1, 2);
        micro(&t, GB_OP_STORE, -1, 0, 3, 3, 0);
        ins(&t, GB_OP_KERNEL, -1, k, 0, 0, 0);
        CHECK_EQ_I(tp_create(&t, &p, &err), GB_OK);
        CHECK_EQ_I(gb_run(p, g, NULL, slots, NULL, &err), GB_OK);
        for (int64_t v = 0; v < n; v++) {
            gb_value a, b, c, r;
            int64_t bad = -1;
            a.i = x[v];
            b.i = y[v];
            c.i = z[v];
            mismatches += gb_ops_apply(op, 1, &r, &a, &b, &c, &bad) != GB_OK || r.i != out[v];
        }
        if (mismatches != 0)
            fprintf(stderr, "opcode %lld: %lld lanes differ\n", (long long)op,
                    (long long)mismatches);
        CHECK_EQ_I(mismatches, 0);
        checked++;
        gb_plan_destroy(p);
    }
    CHECK_EQ_I(checked, 44);
    slots_free(slots, 4);
    gb_graph_destroy(g);
}

int main(void)
{
    gb_graph *g = graph_new(1, 0, NULL, NULL, NULL, 1);
    CHECK(g != NULL);
    test_int_ops(g);
    test_float_ops(g);
    test_op_errors(g);
    test_vector_matches_scalar();
    gb_graph_destroy(g);
    return CHECK_DONE();
}
