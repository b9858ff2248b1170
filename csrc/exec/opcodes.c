/*
 * opcodes.c — the opcode table: each opcode's name, where it is valid (top level, node
 * kernels, edge kernels) and what each operand word means.  plan.c validates against
 * it; graphbuild.h's comments are the prose version.
 */
#include "exec_internal.h"

enum { GB_WHERE_ALL = GB_WHERE_TOP | GB_WHERE_KERNEL };

/* Arithmetic: dst and 1 to 3 value operands (registers at top level, temps in kernels). */
#define ARITH(name, arity)                                                             \
    { name, GB_WHERE_ALL,                                                              \
      { GB_ARG_DST, GB_ARG_VAL, (arity) >= 2 ? GB_ARG_VAL : GB_ARG_NONE,               \
        (arity) >= 3 ? GB_ARG_VAL : GB_ARG_NONE } }
/* Whole-graph reductions: r[a] = reduce(t[b]); word 2 is unused. */
#define RED(name) { name, GB_WHERE_NODE, { GB_ARG_NONE, GB_ARG_REG, GB_ARG_TEMP } }

static const gb_op_info OPS[GB_OP_LAST] = {
    [GB_OP_CONST] = { "const", GB_WHERE_TOP, { GB_ARG_REG, GB_ARG_IMM } },
    [GB_OP_MOV] = { "mov", GB_WHERE_TOP, { GB_ARG_REG, GB_ARG_REG } },
    [GB_OP_NODE_COUNT] = { "node_count", GB_WHERE_TOP, { GB_ARG_REG } },
    [GB_OP_EDGE_COUNT] = { "edge_count", GB_WHERE_TOP, { GB_ARG_REG } },
    [GB_OP_GET] = { "get", GB_WHERE_TOP, { GB_ARG_REG, GB_ARG_SLOT, GB_ARG_REG } },
    [GB_OP_JUMP] = { "jump", GB_WHERE_TOP, { GB_ARG_TARGET } },
    [GB_OP_JUMP_IF_FALSE] = { "jump_if_false", GB_WHERE_TOP, { GB_ARG_REG, GB_ARG_TARGET } },
    [GB_OP_CHECK_ITER] = { "check_iter", GB_WHERE_TOP, { GB_ARG_REG } },
    [GB_OP_KERNEL] = { "kernel", GB_WHERE_TOP, { GB_ARG_KERNEL, GB_ARG_NONE, GB_ARG_NONE, GB_ARG_IMM } },
    [GB_OP_COPY_V] = { "copy_v", GB_WHERE_TOP, { GB_ARG_SLOT, GB_ARG_SLOT } },
    [GB_OP_SWAP_V] = { "swap_v", GB_WHERE_TOP, { GB_ARG_SLOT, GB_ARG_SLOT } },
    [GB_OP_GATHER_V] = { "gather_v", GB_WHERE_TOP, { GB_ARG_SLOT, GB_ARG_SLOT, GB_ARG_SLOT, GB_ARG_IMM } },
    [GB_OP_SOURCES] = { "sources", GB_WHERE_TOP, { GB_ARG_REG, GB_ARG_REG, GB_ARG_IMM, GB_ARG_TARGET } },
    [GB_OP_FUSED] = { "fused", GB_WHERE_TOP, { GB_ARG_KERNEL, GB_ARG_KERNEL, GB_ARG_NONE, GB_ARG_IMM } },

    [GB_OP_ADD_I] = ARITH("add_i", 2), [GB_OP_SUB_I] = ARITH("sub_i", 2),
    [GB_OP_MUL_I] = ARITH("mul_i", 2), [GB_OP_FLOORDIV_I] = ARITH("floordiv_i", 2),
    [GB_OP_MOD_I] = ARITH("mod_i", 2), [GB_OP_POW_I] = ARITH("pow_i", 2),
    [GB_OP_MIN_I] = ARITH("min_i", 2), [GB_OP_MAX_I] = ARITH("max_i", 2),
    [GB_OP_ADD_F] = ARITH("add_f", 2), [GB_OP_SUB_F] = ARITH("sub_f", 2),
    [GB_OP_MUL_F] = ARITH("mul_f", 2), [GB_OP_DIV_F] = ARITH("div_f", 2),
    [GB_OP_FLOORDIV_F] = ARITH("floordiv_f", 2), [GB_OP_MOD_F] = ARITH("mod_f", 2),
    [GB_OP_POW_F] = ARITH("pow_f", 2), [GB_OP_MIN_F] = ARITH("min_f", 2),
    [GB_OP_MAX_F] = ARITH("max_f", 2),
    [GB_OP_EQ_I] = ARITH("eq_i", 2), [GB_OP_NE_I] = ARITH("ne_i", 2),
    [GB_OP_LT_I] = ARITH("lt_i", 2), [GB_OP_LE_I] = ARITH("le_i", 2),
    [GB_OP_GT_I] = ARITH("gt_i", 2), [GB_OP_GE_I] = ARITH("ge_i", 2),
    [GB_OP_EQ_F] = ARITH("eq_f", 2), [GB_OP_NE_F] = ARITH("ne_f", 2),
    [GB_OP_LT_F] = ARITH("lt_f", 2), [GB_OP_LE_F] = ARITH("le_f", 2),
    [GB_OP_GT_F] = ARITH("gt_f", 2), [GB_OP_GE_F] = ARITH("ge_f", 2),
    [GB_OP_AND] = ARITH("and", 2), [GB_OP_OR] = ARITH("or", 2), [GB_OP_NOT] = ARITH("not", 1),
    [GB_OP_NEG_I] = ARITH("neg_i", 1), [GB_OP_ABS_I] = ARITH("abs_i", 1),
    [GB_OP_NEG_F] = ARITH("neg_f", 1), [GB_OP_ABS_F] = ARITH("abs_f", 1),
    [GB_OP_SQRT] = ARITH("sqrt", 1), [GB_OP_EXP] = ARITH("exp", 1), [GB_OP_LOG] = ARITH("log", 1),
    [GB_OP_FLOOR] = ARITH("floor", 1), [GB_OP_CEIL] = ARITH("ceil", 1),
    [GB_OP_I2F] = ARITH("i2f", 1), [GB_OP_F2I] = ARITH("f2i", 1),
    [GB_OP_WHERE] = ARITH("where", 3),
    [GB_OP_SAMPLE] = { "sample", GB_WHERE_TOP, { GB_ARG_DST, GB_ARG_VAL, GB_ARG_VAL, GB_ARG_VAL } },

    [GB_OP_LOAD] = { "load", GB_WHERE_KERNEL, { GB_ARG_TDST, GB_ARG_SLOT } },
    [GB_OP_GATHER] = { "gather", GB_WHERE_EDGE, { GB_ARG_TDST, GB_ARG_SLOT } },
    [GB_OP_BCAST] = { "bcast", GB_WHERE_KERNEL, { GB_ARG_TDST, GB_ARG_REG } },
    [GB_OP_IMM] = { "imm", GB_WHERE_KERNEL, { GB_ARG_TDST, GB_ARG_IMM } },
    [GB_OP_NODE_ID] = { "node_id", GB_WHERE_KERNEL, { GB_ARG_TDST } },
    [GB_OP_NBR] = { "nbr", GB_WHERE_EDGE, { GB_ARG_TDST } },
    [GB_OP_COMMON] = { "common", GB_WHERE_EDGE, { GB_ARG_TDST } },
    [GB_OP_WEIGHT] = { "weight", GB_WHERE_EDGE, { GB_ARG_TDST } },
    [GB_OP_IN_DEG] = { "in_deg", GB_WHERE_KERNEL, { GB_ARG_TDST } },
    [GB_OP_OUT_DEG] = { "out_deg", GB_WHERE_KERNEL, { GB_ARG_TDST } },
    [GB_OP_DEGREE] = { "degree", GB_WHERE_KERNEL, { GB_ARG_TDST } },
    [GB_OP_RANDOM] = { "random", GB_WHERE_KERNEL, { GB_ARG_TDST, GB_ARG_REG } },
    [GB_OP_STORE] = { "store", GB_WHERE_NODE, { GB_ARG_NONE, GB_ARG_SLOT, GB_ARG_TEMP } },
    [GB_OP_RED_SUM_I] = RED("red_sum_i"),
    [GB_OP_RED_SUM_F] = RED("red_sum_f"),
    [GB_OP_RED_MIN_I] = RED("red_min_i"),
    [GB_OP_RED_MIN_F] = RED("red_min_f"),
    [GB_OP_RED_MAX_I] = RED("red_max_i"),
    [GB_OP_RED_MAX_F] = RED("red_max_f"),
    [GB_OP_RED_ANY] = RED("red_any"),
    [GB_OP_RED_ALL] = RED("red_all"),
    [GB_OP_RED_COUNT] = RED("red_count"),
    [GB_OP_RED_ARGMIN_I] = RED("red_argmin_i"),
    [GB_OP_RED_ARGMIN_F] = RED("red_argmin_f"),
    [GB_OP_RED_ARGMAX_I] = RED("red_argmax_i"),
    [GB_OP_RED_ARGMAX_F] = RED("red_argmax_f"),
};

const gb_op_info *gb_op_lookup(int64_t op)
{
    if (op <= 0 || op >= GB_OP_LAST || OPS[op].name == NULL)
        return NULL;
    return &OPS[op];
}
