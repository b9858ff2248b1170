/*
 * ops.c — the arithmetic opcodes, applied over a count of lanes.
 *
 * One switch per call, then one tight typed loop per opcode, so a kernel pays the
 * dispatch once per block and a scalar register op (count 1) shares the same code.
 * Semantics follow Python where the language does: // and % floor toward -inf with the
 * divisor's sign, int ** int stays int; integers wrap on overflow (done in uint64_t,
 * since signed overflow is undefined in C); float ops are IEEE; min/max propagate NaN.
 */
#include <math.h>

#include "exec_internal.h"

/* Wrapping integer arithmetic: done in uint64_t, where overflow is defined. */
static inline int64_t wrap_add(int64_t a, int64_t b)
{
    return (int64_t)((uint64_t)a + (uint64_t)b);
}

static inline int64_t wrap_sub(int64_t a, int64_t b)
{
    return (int64_t)((uint64_t)a - (uint64_t)b);
}

static inline int64_t wrap_mul(int64_t a, int64_t b)
{
    return (int64_t)((uint64_t)a * (uint64_t)b);
}

static inline int64_t wrap_neg(int64_t a)
{
    return (int64_t)(0 - (uint64_t)a);
}

/* Python a // b for b != 0.  b == -1 is separate: INT64_MIN / -1 traps in C. */
static inline int64_t floordiv_i(int64_t a, int64_t b)
{
    if (b == -1)
        return wrap_neg(a);
    int64_t q = a / b;
    if (a % b != 0 && ((a ^ b) < 0))
        q--;
    return q;
}

/* Python a % b for b != 0: the result has the divisor's sign. */
static inline int64_t mod_i(int64_t a, int64_t b)
{
    if (b == -1)
        return 0;
    int64_t r = a % b;
    if (r != 0 && ((r ^ b) < 0))
        r += b;
    return r;
}

/* Exponentiation by squaring in uint64_t: wraps like the other int ops. */
static inline int64_t pow_i(int64_t base, int64_t e)
{
    uint64_t r = 1, b = (uint64_t)base;
    while (e > 0) {
        if (e & 1)
            r *= b;
        b *= b;
        e >>= 1;
    }
    return (int64_t)r;
}

/* Python float %: fmod, then moved into the divisor's sign; a zero takes the divisor's
 * sign too.  y == 0.0 gives NaN from fmod (IEEE, where Python would raise). */
static inline double mod_f(double x, double y)
{
    double r = fmod(x, y);
    if (r != 0.0) {
        if ((r < 0.0) != (y < 0.0))
            r += y;
    } else {
        r = copysign(0.0, y);
    }
    return r;
}

/* Python float //: the quotient that goes with mod_f, so x == (x // y) * y + x % y as
 * nearly as floats allow (CPython's float divmod: 1.0 // 0.1 is 9.0, not floor(10.0)).
 * y == 0.0 gives floor(x / y), IEEE inf or nan, where Python would raise. */
static inline double floordiv_f(double x, double y)
{
    if (y == 0.0)
        return floor(x / y);
    double mod = fmod(x, y);
    double div = (x - mod) / y;
    if (mod != 0.0 && (y < 0.0) != (mod < 0.0))
        div -= 1.0;
    if (div == 0.0)
        return copysign(0.0, x / y);
    /* (x - mod) / y is within rounding of an integer: snap to it */
    double fl = floor(div);
    return div - fl > 0.5 ? fl + 1.0 : fl;
}

/* Python min/max return the first argument on ties; NaN in either operand wins. */
static inline double min_f(double a, double b)
{
    if (a != a || b != b)
        return a + b;
    return b < a ? b : a;
}

static inline double max_f(double a, double b)
{
    if (a != a || b != b)
        return a + b;
    return b > a ? b : a;
}

/* True when x truncates to an int64 without overflow (false for NaN). */
static inline int f2i_ok(double x)
{
    return x >= -0x1p63 && x < 0x1p63;
}

/* Loop bodies: operands are read into locals before dst is written, so dst may alias.
 * OUT is dst's union member; T and IN the operands' type and member. */
#define MAP1(OUT, T, IN, EXPR)                                                 \
    for (int64_t k = 0; k < count; k++) {                                      \
        const T a = x[k].IN;                                                   \
        dst[k].OUT = (EXPR);                                                   \
    }                                                                          \
    return GB_OK
#define MAP2(OUT, T, IN, EXPR)                                                 \
    for (int64_t k = 0; k < count; k++) {                                      \
        const T a = x[k].IN, b = y[k].IN;                                      \
        dst[k].OUT = (EXPR);                                                   \
    }                                                                          \
    return GB_OK
#define II1(EXPR) MAP1(i, int64_t, i, EXPR)
#define FF1(EXPR) MAP1(f, double, f, EXPR)
#define II2(EXPR) MAP2(i, int64_t, i, EXPR)   /* int, int -> int */
#define FF2(EXPR) MAP2(f, double, f, EXPR)    /* float, float -> float */
#define FI2(EXPR) MAP2(i, double, f, EXPR)    /* float, float -> int (comparisons) */

/* The first lane that would fail (a zero divisor, a negative exponent, a float with no
 * int value), or -1.  Checked before any lane is written, so a failing op leaves dst
 * as it was (a register keeps its old value). */
static int64_t first_zero(int64_t count, const gb_value *y)
{
    for (int64_t k = 0; k < count; k++)
        if (y[k].i == 0)
            return k;
    return -1;
}

static int64_t first_negative(int64_t count, const gb_value *y)
{
    for (int64_t k = 0; k < count; k++)
        if (y[k].i < 0)
            return k;
    return -1;
}

static int64_t first_not_int(int64_t count, const gb_value *x)
{
    for (int64_t k = 0; k < count; k++)
        if (!f2i_ok(x[k].f))
            return k;
    return -1;
}

gb_status gb_ops_apply(int64_t op, int64_t count, gb_value *dst, const gb_value *x,
                       const gb_value *y, const gb_value *z, int64_t *bad)
{
    switch (op) {
    case GB_OP_ADD_I: II2(wrap_add(a, b));
    case GB_OP_SUB_I: II2(wrap_sub(a, b));
    case GB_OP_MUL_I: II2(wrap_mul(a, b));
    case GB_OP_FLOORDIV_I:
        if ((*bad = first_zero(count, y)) >= 0)
            return GB_EZERODIV;
        II2(floordiv_i(a, b));
    case GB_OP_MOD_I:
        if ((*bad = first_zero(count, y)) >= 0)
            return GB_EZERODIV;
        II2(mod_i(a, b));
    case GB_OP_POW_I:
        if ((*bad = first_negative(count, y)) >= 0)
            return GB_EVALUE;
        II2(pow_i(a, b));
    case GB_OP_MIN_I: II2(b < a ? b : a);
    case GB_OP_MAX_I: II2(b > a ? b : a);

    case GB_OP_ADD_F: FF2(a + b);
    case GB_OP_SUB_F: FF2(a - b);
    case GB_OP_MUL_F: FF2(a * b);
    case GB_OP_DIV_F: FF2(a / b);
    case GB_OP_FLOORDIV_F: FF2(floordiv_f(a, b));
    case GB_OP_MOD_F: FF2(mod_f(a, b));
    case GB_OP_POW_F: FF2(pow(a, b));
    case GB_OP_MIN_F: FF2(min_f(a, b));
    case GB_OP_MAX_F: FF2(max_f(a, b));

    case GB_OP_EQ_I: II2(a == b);
    case GB_OP_NE_I: II2(a != b);
    case GB_OP_LT_I: II2(a < b);
    case GB_OP_LE_I: II2(a <= b);
    case GB_OP_GT_I: II2(a > b);
    case GB_OP_GE_I: II2(a >= b);
    case GB_OP_EQ_F: FI2(a == b);
    case GB_OP_NE_F: FI2(a != b);
    case GB_OP_LT_F: FI2(a < b);
    case GB_OP_LE_F: FI2(a <= b);
    case GB_OP_GT_F: FI2(a > b);
    case GB_OP_GE_F: FI2(a >= b);

    /* Bools are 0/1, but any nonzero counts as true so a stray value cannot leak out. */
    case GB_OP_AND: II2((a != 0) & (b != 0));
    case GB_OP_OR: II2((a != 0) | (b != 0));
    case GB_OP_NOT: II1(a == 0);

    case GB_OP_NEG_I: II1(wrap_neg(a));
    case GB_OP_ABS_I: II1(a < 0 ? wrap_neg(a) : a);
    case GB_OP_NEG_F: FF1(-a);
    case GB_OP_ABS_F: FF1(fabs(a));
    case GB_OP_SQRT: FF1(sqrt(a));
    case GB_OP_EXP: FF1(exp(a));
    case GB_OP_LOG: FF1(log(a));
    case GB_OP_FLOOR: FF1(floor(a));
    case GB_OP_CEIL: FF1(ceil(a));
    case GB_OP_I2F: MAP1(f, int64_t, i, (double)a);
    case GB_OP_F2I:
        if ((*bad = first_not_int(count, x)) >= 0)
            return GB_EVALUE;
        MAP1(i, double, f, (int64_t)a);

    case GB_OP_WHERE:
        /* a mask, not a branch: conditions like deg == 0 follow no pattern, and a
         * mispredicted branch per lane costs more than the whole select */
        for (int64_t k = 0; k < count; k++) {
            const uint64_t m = (uint64_t)0 - (uint64_t)(x[k].i != 0);
            const uint64_t a = (uint64_t)y[k].i, b = (uint64_t)z[k].i;
            dst[k].i = (int64_t)((a & m) | (b & ~m));
        }
        return GB_OK;

    default:
        /* plan.c admits only the opcodes above here */
        *bad = 0;
        return GB_EINVAL;
    }
}

gb_status gb_ops_fail(gb_error *err, int64_t loc, int64_t op, gb_status st, gb_value x,
                      gb_value y)
{
    switch (op) {
    case GB_OP_FLOORDIV_I:
        return gb_err_set(err, st, loc, "integer division by zero");
    case GB_OP_MOD_I:
        return gb_err_set(err, st, loc, "integer modulo by zero");
    case GB_OP_POW_I:
        return gb_err_set(err, st, loc, "negative exponent %lld in an integer power",
                          (long long)y.i);
    case GB_OP_F2I:
        if (isnan(x.f))
            return gb_err_set(err, st, loc, "cannot convert nan to int");
        if (isinf(x.f))
            return gb_err_set(err, st, loc, "cannot convert %sinf to int", x.f < 0 ? "-" : "");
        return gb_err_set(err, st, loc, "float %.17g is out of the int range", x.f);
    default:
        return gb_err_set(err, st, loc, "opcode %lld failed: %s", (long long)op,
                          gb_strerror(st));
    }
}
