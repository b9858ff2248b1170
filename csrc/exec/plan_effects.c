/*
 * plan_effects.c — what a validated plan's top-level instruction reads and writes, and
 * where it may jump: the facts a dataflow analysis over a plan needs (regions.c's
 * must-be-written analysis of a loop over sources).
 */
#include "exec_internal.h"

static const int64_t *instr(const gb_plan *p, int64_t pc) { return p->code + pc * GB_INSTR_WIDTH; }

static void kernel_effects(const gb_plan *p, const gb_kernel *k, int write, int64_t skip_slot,
                           gb_effect_fn fn, void *arg)
{
    const int64_t R = p->nregs;
    for (int64_t m = 0; m < k->nmicro; m++) {
        const int64_t *u = k->micro + m * GB_INSTR_WIDTH;
        if (!write && (u[0] == GB_OP_LOAD || u[0] == GB_OP_GATHER) && u[3] != skip_slot)
            fn(arg, R + u[3]);
        else if (!write && (u[0] == GB_OP_BCAST || u[0] == GB_OP_RANDOM))
            fn(arg, u[3]);
        else if (write && u[0] == GB_OP_STORE)
            fn(arg, R + u[3]);
        else if (write && u[0] >= GB_OP_RED_SUM_I && u[0] <= GB_OP_RED_ARGMAX_F)
            fn(arg, u[3]);
    }
    if (k->domain != GB_DOMAIN_EDGE)
        return;
    if (write)
        fn(arg, R + k->out_slot);
    else if (k->default_kind == GB_DEFAULT_SLOT)
        fn(arg, R + k->default_index);
    else if (k->default_kind == GB_DEFAULT_REG)
        fn(arg, k->default_index);
}

void gb_instr_effects(const gb_plan *p, int64_t pc, int write, gb_effect_fn fn, void *arg)
{
    const int64_t *w = instr(p, pc);
    const int64_t R = p->nregs;
    const gb_op_info *info;
    switch (w[0]) {
    case GB_OP_CONST: case GB_OP_NODE_COUNT: case GB_OP_EDGE_COUNT:
        if (write)
            fn(arg, w[2]);
        return;
    case GB_OP_MOV:
        fn(arg, write ? w[2] : w[3]);
        return;
    case GB_OP_GET:
        if (write)
            fn(arg, w[2]);
        else
            fn(arg, R + w[3]), fn(arg, w[4]);
        return;
    case GB_OP_JUMP:
        return;
    case GB_OP_JUMP_IF_FALSE: case GB_OP_CHECK_ITER:
        if (!write)
            fn(arg, w[2]);
        return;
    case GB_OP_SOURCES:
        fn(arg, w[2]);
        if (!write)
            fn(arg, w[3]);
        return;
    case GB_OP_COPY_V:
        fn(arg, R + (write ? w[2] : w[3]));
        return;
    case GB_OP_SWAP_V:
        fn(arg, R + w[2]), fn(arg, R + w[3]);
        return;
    case GB_OP_GATHER_V:
        if (write)
            fn(arg, R + w[2]);
        else
            fn(arg, R + w[3]), fn(arg, R + w[4]);
        return;
    case GB_OP_KERNEL:
        kernel_effects(p, &p->kernels[w[2]], write, -1, fn, arg);
        return;
    case GB_OP_FUSED:
        kernel_effects(p, &p->kernels[w[2]], write, -1, fn, arg);
        kernel_effects(p, &p->kernels[w[3]], write, p->kernels[w[2]].out_slot, fn, arg);
        return;
    default:   /* arithmetic and SAMPLE: dst, then values */
        info = gb_op_lookup(w[0]);
        for (int i = 0; info != NULL && i < 4; i++)
            if ((write && info->args[i] == GB_ARG_DST) || (!write && info->args[i] == GB_ARG_VAL))
                fn(arg, w[2 + i]);
        return;
    }
}

int gb_instr_target(const int64_t *w, int64_t out[1])
{
    if (w[0] == GB_OP_JUMP)
        return out[0] = w[2], 1;
    if (w[0] == GB_OP_JUMP_IF_FALSE)
        return out[0] = w[3], 1;
    if (w[0] == GB_OP_SOURCES)
        return out[0] = w[5], 1;
    return 0;
}
