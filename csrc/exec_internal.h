/*
 * exec_internal.h — what the executor's files share; not part of the API.
 *
 *   status.c   gb_strerror, filling a gb_error
 *   opcodes.c  the opcode table: where each opcode is valid, what its operands mean
 *   ops.c      arithmetic opcodes over a count of lanes (count 1 = a scalar register)
 *   plan.c     gb_plan_create: sizes, copy, kernel discovery, top-level instructions
 *              (FUSED pairs too)
 *   plan_kernel.c  kernel headers and micro-ops; per-kernel facts the run needs
 *   exec.c     gb_run: scratch, registers, control flow, top-level instructions
 *   kernels.c  micro-ops over a block of lanes; node kernels and their reductions;
 *              FUSED pairs (an edge kernel, then a node kernel, block by block)
 *   edge.c     edge kernels: lanes from the CSR, aggregation into out_slot
 *   sort.c     sorting 64-bit keys (the mode aggregation)
 */
#ifndef EXEC_INTERNAL_H
#define EXEC_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "graphbuild.h"

/* Temps per kernel: bounds the scratch a (possibly hostile) plan can make gb_run allocate
 * (1024 temps x GB_EDGE_BLOCK lanes x 8 bytes = 32 MiB). */
#define GB_MAX_TEMPS 1024
/* Used when gb_run gets no options. */
#define GB_DEFAULT_MAX_ITERATIONS 1000000

/* ---- status.c ---- */

void gb_err_clear(gb_error *err);
/* Fills *err (if not NULL) with code, loc and a printf-style message; returns code. */
gb_status gb_err_set(gb_error *err, gb_status code, int64_t loc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* ---- opcodes.c ---- */

/* What an operand word (2..5) of an opcode means. */
typedef enum gb_arg_kind {
    GB_ARG_NONE,      /* unused; the validator sets it to 0 in its copy */
    GB_ARG_VAL,       /* arithmetic operand: a register at top level, a temp in a kernel */
    GB_ARG_DST,       /* the GB_ARG_VAL an arithmetic opcode writes */
    GB_ARG_REG,
    GB_ARG_SLOT,
    GB_ARG_TEMP,      /* a temp that is read */
    GB_ARG_TDST,      /* a temp that is written */
    GB_ARG_IMM,       /* any 64-bit pattern */
    GB_ARG_TARGET,    /* an instruction index, 0..ninstr */
    GB_ARG_KERNEL     /* a kernel header's word offset in kcode */
} gb_arg_kind;

/* Where an opcode is valid. */
enum { GB_WHERE_TOP = 1, GB_WHERE_NODE = 2, GB_WHERE_EDGE = 4,
       GB_WHERE_KERNEL = GB_WHERE_NODE | GB_WHERE_EDGE };

typedef struct gb_op_info {
    const char *name;            /* the plan's lower-case op name */
    int where;
    unsigned char args[4];       /* gb_arg_kind of words 2..5 */
} gb_op_info;

/* The opcode's entry, or NULL if op is not an opcode. */
const gb_op_info *gb_op_lookup(int64_t op);

/* ---- ops.c ---- */
/* dst[k] = op(x[k], y[k], z[k]) for k < count; operands beyond the arity are not read.
 * dst may alias an operand.  On failure returns the status and sets *bad to the lane. */
gb_status gb_ops_apply(int64_t op, int64_t count, gb_value *dst, const gb_value *x,
                       const gb_value *y, const gb_value *z, int64_t *bad);
/* Fills *err for a gb_ops_apply failure on operands x, y of one lane. */
gb_status gb_ops_fail(gb_error *err, int64_t loc, int64_t op, gb_status st, gb_value x,
                      gb_value y);

/* ---- plan.c ---- */

/* A validated kernel, with the facts gb_run needs precomputed. */
typedef struct gb_kernel {
    const int64_t *micro;      /* nmicro * GB_INSTR_WIDTH words inside the plan's copy */
    int64_t nmicro;
    int64_t ntemps;            /* temps actually used (highest index + 1) */
    int64_t stride;            /* lanes per temp: GB_NODE_BLOCK or GB_EDGE_BLOCK */
    int domain, dir, agg, agg_float, default_kind;
    int64_t out_slot, value_temp, filter_temp, default_index, loc;
    int64_t nred;              /* RED_* micro-ops: one partial per block each */
    int uses_owner, uses_nbr, uses_weight;
    /* Per micro-op: 1 for an IMM or BCAST whose temp nothing else in the kernel writes.
     * Its lanes then hold the same value in every block, so a worker fills them once
     * per kernel run instead of once per block. */
    const unsigned char *invariant;
} gb_kernel;

struct gb_plan {
    int64_t *code;             /* KERNEL's operand rewritten to an index into kernels */
    int64_t ninstr;
    int64_t *kcode;
    int64_t nkcode;
    int32_t *slot_dtypes;
    int64_t nslots, nregs;
    gb_kernel *kernels;
    int64_t nkernels;
    unsigned char *invariant;  /* every kernel's flags, back to back */
    int64_t max_temp_values;   /* largest ntemps * stride */
    int64_t max_nred;
    int has_edge, has_mode;
};

/* plan_kernel.c: validates the kernel whose header is at kcode word off (its micro-ops
 * fit, checked by the caller) into p->kernels[kidx]; flags gets its invariant marks. */
gb_status gb_validate_kernel(gb_plan *p, int64_t kidx, int64_t off, unsigned char *flags,
                             gb_error *err);
static inline int gb_in_range(int64_t x, int64_t n) { return x >= 0 && x < n; }
static inline const char *gb_dtype_name(int64_t d)
{
    return d == GB_F64 ? "float" : d == GB_I64 ? "int" : "bool";
}

/* ---- exec.c, kernels.c, edge.c ---- */

/* An edge kernel's lanes are cut at node boundaries into segments: lanes [start, end)
 * belong to node v; first/last say whether they open/close v's neighborhood. */
typedef struct gb_seg {
    int64_t v;
    int32_t start, end;
    int32_t first, last;
} gb_seg;

/* Where an open neighborhood's partial result waits between chunks. */
typedef struct gb_fold {
    gb_value acc;
    int64_t cnt;
} gb_fold;

/* One worker's scratch, allocated once per gb_run. */
typedef struct gb_scratch {
    gb_value *temps;           /* plan->max_temp_values */
    int64_t *owner;            /* GB_EDGE_BLOCK lanes each (edge kernels) */
    int64_t *nbr_buf;
    double *weight_buf;        /* all 1.0 on an unweighted graph */
    /* The current chunk's neighbors and weights: straight into the CSR when the chunk is
     * one CSR range, else the buffers above (GB_DIR_BOTH on a directed graph). */
    const int64_t *nbr;
    const double *weight;
    gb_seg *segs;              /* GB_EDGE_BLOCK segments */
    gb_value *res;             /* per segment: the finished node's result */
    int64_t *rcnt;             /* per segment: the kept edges of that node */
    uint64_t *keys;            /* mode: the largest neighborhood's values */
} gb_scratch;

typedef struct gb_ctx {
    const gb_plan *p;
    gb_value *regs;
    void **slots;
    int64_t n;
    int directed;
    const int64_t *off[2], *adj[2];    /* indexed by GB_DIR_OUT / GB_DIR_IN */
    const double *wt[2];
    volatile int32_t *interrupt;
    int64_t nblocks;                   /* node blocks of GB_NODE_BLOCK */
    gb_value *partials;                /* max_nred * nblocks reduction partials */
    int64_t *partial_idx;              /* argmin/argmax candidates beside them */
    gb_scratch s;
    gb_error *err;
} gb_ctx;

static inline int gb_interrupted(const gb_ctx *c)
{
    return c->interrupt != NULL && *c->interrupt != 0;
}

/* The location an error inside kernel k names: the micro-op's, else the kernel's, else
 * the KERNEL instruction's. */
static inline int64_t gb_kernel_loc(const gb_kernel *k, int64_t micro_loc, int64_t instr_loc)
{
    if (micro_loc >= 0)
        return micro_loc;
    return k->loc >= 0 ? k->loc : instr_loc;
}

/* kernels.c: runs kernel k over the whole graph (the KERNEL instruction). */
gb_status gb_kernel_run(gb_ctx *c, const gb_kernel *k, int64_t instr_loc);
/* kernels.c: edge kernel ke with node kernel kn on each node block (FUSED).  The node
 * kernel's temps follow the edge kernel's in the scratch (plan.c sized it). */
gb_status gb_fused_run(gb_ctx *c, const gb_kernel *ke, const gb_kernel *kn, int64_t instr_loc);
/* kernels.c: runs k's micro-ops over `lanes` lanes.  Node kernels: lanes are nodes
 * v0 .. v0+lanes-1 of node block `block`; edge kernels: owner/nbr/weight lanes in s.
 * fresh: the first block or chunk this scratch runs of this kernel run (it fills the
 * invariant temps). */
gb_status gb_micro_run(gb_ctx *c, const gb_kernel *k, gb_scratch *s, int64_t v0,
                       int64_t lanes, int64_t block, int fresh, int64_t instr_loc);
/* edge.c: runs edge kernel k for the nodes [v0, v1). */
gb_status gb_edge_range(gb_ctx *c, const gb_kernel *k, gb_scratch *s, int64_t v0, int64_t v1,
                        int64_t instr_loc);
/* edge.c: the largest neighborhood any direction can give (mode scratch size). */
int64_t gb_max_neighborhood(const gb_ctx *c);

/* ---- sort.c ---- */

void gb_sort_u64(uint64_t *a, int64_t n);

#endif
