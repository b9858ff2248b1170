/*
 * exec_internal.h — what the executor's files share; not part of the API.
 *
 *   status.c   gb_strerror, filling a gb_error
 *   opcodes.c  the opcode table: where each opcode is valid, what its operands mean
 *   ops.c      arithmetic opcodes over a count of lanes (count 1 = a scalar register)
 *   plan.c     gb_plan_create: sizes, copy, kernel discovery, top-level instructions
 *              (FUSED pairs too)
 *   plan_kernel.c  kernel headers and micro-ops; per-kernel facts the run needs
 *   exec.c     gb_run: workers and their scratch, registers, control flow,
 *              top-level instructions
 *   pool.c     the thread pool: a parallel-for over work items with a barrier
 *   exec_items.c   work items (node ranges balanced by edge count, node block ranges);
 *              KERNEL and FUSED instructions run as items on the pool
 *   claims.c   the plan's claims checked: edge-kernel shapes and forms, levels
 *   exec_level.c   levels: independent consecutive kernels, run side by side when small
 *   kernels.c  micro-ops over a block of lanes; reductions: per-block partials, combined
 *   edge.c     edge kernels: lanes from the CSR, aggregation into out_slot
 *   special.c  the common edge-kernel shapes' loops, with no interpretation per edge
 *   mode.c     the mode aggregation's most frequent key (sorted or hashed)
 *   sort.c     sorting 64-bit keys (short neighborhoods' mode)
 *   incremental.c  passes that recompute only the nodes whose inputs changed
 *   active.c   node kernels' active sets: the claim checked, blocks run over it
 *   demand.c   edge kernels computed only where their consumer uses the result
 *   demand_full.c  the same for any kernel that is not incremental, by the ordinary pull
 *   changed.c  monotone min/max steps run over the last pass's changed nodes only
 *   afforest.c  min-label propagation loops run as union-find
 *   afforest_check.c  that claim checked against the plan (and delta-stepping's)
 *   deltastep.c  min-plus (Bellman-Ford) loops run as delta-stepping
 *   frontier.c frontier lists: BFS-like steps pushed from a node list or pulled bottom-up
 *   frontier_pull.c   their bottom-up passes (frontier_internal.h: what the two share)
 *   frontier_claim.c  their claim checked, and the node kernel's stores folded
 *   intersect.c    common neighbors: sorted adjacency, triangles found once each
 *   regions.c  loops over sources (GB_OP_SOURCES): the shape and parallel claim checked
 *   sources_run.c  a claimed loop run a batch of sources at a time, one per worker
 *   plan_effects.c what a top-level instruction reads, writes and jumps to
 */
#ifndef EXEC_INTERNAL_H
#define EXEC_INTERNAL_H

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "csr_index.h"
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

/* Edge-kernel shapes (gb_shape in graphbuild.h) are what special.c runs without
 * interpretation per edge. */
typedef gb_shape gb_special;

/* Facts about one micro-op (gb_kernel.mflags), found at gb_plan_create. */
enum {
    /* An IMM or BCAST whose temp nothing else in the kernel writes: its lanes hold the
     * same value in every block, so a worker fills them once per work item. */
    GB_MF_INVARIANT = 1,
    /* A node kernel's LOAD of a float or int slot the kernel never STOREs: the temp
     * reads the block's part of the slot in place instead of a copy. */
    GB_MF_ALIAS = 2
};

/* A validated kernel, with the facts gb_run needs precomputed. */
typedef struct gb_kernel {
    const int64_t *micro;      /* nmicro * GB_INSTR_WIDTH words inside the plan's copy */
    int64_t nmicro;
    int64_t ntemps;            /* temps actually used (highest index + 1) */
    int64_t stride;            /* lanes per temp: GB_NODE_BLOCK or GB_EDGE_BLOCK */
    int domain, dir, agg, agg_float, default_kind;
    int64_t out_slot, value_temp, filter_temp, default_index, loc;
    int64_t nred;              /* RED_* micro-ops: one partial per block each */
    int uses_owner, uses_nbr, uses_weight, uses_common;
    const unsigned char *mflags;   /* per micro-op: GB_MF_* bits */
    /* The plan's claims (claims.c checked them): the shape special.c runs, its value slot
     * and filter slot, or COUNT's immediate; incremental passes (incremental.c) in the
     * frontier form (gb_frontier_form), and whether they may push (incr_push.c). */
    int special;
    int64_t sp_slot, sp_filter, sp_imm;
    int incr, frontier, push;
    int64_t active;            /* a node kernel's guard slot (active.c), or -1 */
    int64_t demand_slot, demand_value;   /* demand.c: used only where slot == value; -1 */
    /* changed.c (GB_KH_CHANGED): the pair's changed set is carried between passes; the
     * node kernel's fold and compare opcodes, whether each reads x first, the register
     * any() writes, and the loop's backward jump */
    int changed;
    int64_t ch_fold, ch_cmp, ch_reg, ch_tail;
    int ch_fold_x_first, ch_cmp_m_first;
    /* afforest.c (GB_KH_UNION_FIND): the pair's loop runs as union-find; the loop's pass
     * counter register and the register holding its step */
    int union_find;
    int64_t uf_counter, uf_step;
    /* deltastep.c (GB_KH_UNION_FIND = 2): the pair's loop runs as delta-stepping; the
     * counter and step registers as union-find's */
    int delta_step;
    /* peel.c (GB_KH_ORDERED): the loop nest this kernel heads runs as bucketed peeling;
     * its slots and registers as peel.c found them */
    int64_t ordered;
    int64_t pl[16];
    /* frontier.c (GB_KH_CHANGED = 2): an edge kernel's lists are carried (flist); a node
     * kernel runs over the list of edge kernel fl_from - 1's gathered slot (0: none) */
    int flist;
    int64_t fl_from;
    /* frontier.c: at a node where E is 1 and S == c the pair's node kernel stores only
     * these (slot, immediate or register) in order, so a claimed node takes them directly
     * (fl_nstores >= 0); -1: the node kernel runs on the claimed nodes' blocks instead */
    int fl_nstores;
    int64_t fl_store_slot[4], fl_store_reg[4];   /* reg -1: the immediate */
    gb_value fl_store_imm[4];
    /* frontier.c: stores folded and nothing else in the loop writes S, so a bitmap of the
     * nodes where S == c, once built, stays right when the claims update it */
    int fl_unseen;
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
    unsigned char *mflags;     /* every kernel's micro-op flags, back to back */
    int64_t max_temp_values;   /* largest ntemps * stride */
    int64_t max_nred;
    int has_edge, has_mode;
    /* Per instruction (exec_level.c): level_len > 1 at the first of consecutive
     * independent KERNEL/FUSED instructions (how many); red_base: the first row of
     * reduction partials the instruction's RED_* micro-ops use. */
    int64_t *level_len;
    int64_t *red_base;
    /* Tuning that tests change through gb_plan_tune (never the public header): whether
     * recognized shapes run their specialized loops, and the least work (edges plus
     * nodes) a work item gets when more than one thread runs. */
    int specialize;
    int64_t min_item_work;
    int incremental;           /* incremental passes for kernels marked incr */
    struct gb_region *regions; /* regions.c: one per SOURCES instruction */
    int64_t nregions;
};

/* The default least work per item: a few microseconds, so hand-off costs stay small. */
#define GB_MIN_ITEM_WORK 16384

/* Tests only: set the tuning above (min_item_work >= 1). */
void gb_plan_tune(gb_plan *p, int specialize, int64_t min_item_work);
void gb_plan_tune_incremental(gb_plan *p, int incremental);
/* claims.c: checks kernel kidx's claimed shape and forms (header h) against its validated
 * micro-ops and sets them in the kernel. */
gb_status gb_claims_kernel(gb_plan *p, int64_t kidx, const int64_t *h, gb_error *err);
/* claims.c: checks the level claims of a validated plan's KERNEL/FUSED instructions; fills
 * level_len and red_base (and grows max_nred). */
gb_status gb_claims_levels(gb_plan *p, gb_error *err);
/* claims.c, for tests that hand-assemble plans: the most a plan may claim for kernel kidx
 * (GB_KH_SHAPE .. GB_KH_INCREMENTAL), and whether instructions pa and pb are independent. */
void gb_claims_allowed(const gb_plan *p, int64_t kidx, int64_t out[4]);
int gb_claims_independent(const gb_plan *p, int64_t pa, int64_t pb);
/* active.c: checks kernel kidx's active-set claim (a guard slot or -1) and sets it. */
gb_status gb_active_check(gb_plan *p, int64_t kidx, int64_t guard, gb_error *err);
/* active.c, for tests that hand-assemble plans: the first guard kernel kidx allows, or -1. */
int64_t gb_active_find(const gb_plan *p, int64_t kidx);
/* active.c: whether a micro-op can never fail (a whitelist). */
int gb_active_cannot_fail(int64_t op);
/* demand.c: checks edge kernel kidx's demand claim (header h; shape already set) and sets
 * it; gb_demand_check: every instruction that runs a kernel with one proves it. */
gb_status gb_demand_kernel(gb_plan *p, int64_t kidx, const int64_t *h, gb_error *err);
/* changed.c: reads kernel kidx's GB_KH_CHANGED (after gb_demand_kernel, which it calls
 * first) and checks what the kernel alone must allow; gb_changed_check then checks each
 * claimed kernel's FUSED pair and loop, after gb_loops_check. */
gb_status gb_changed_kernel(gb_plan *p, int64_t kidx, const int64_t *h, gb_error *err);
gb_status gb_changed_check(gb_plan *p, gb_error *err);
/* peel_check.c: checks each GB_KH_ORDERED claim against its loop nest, binding it. */
gb_status gb_peel_check(gb_plan *p, gb_error *err);
gb_status gb_demand_check(gb_plan *p, gb_error *err);
int gb_is_kernel_instr(const gb_plan *p, int64_t pc);
/* plan_loops.c: every backward jump closes a loop with an iteration check. */
gb_status gb_loops_check(const gb_plan *p, gb_error *err);

/* plan_kernel.c: validates the kernel whose header is at kcode word off (its micro-ops
 * fit, checked by the caller) into p->kernels[kidx]; flags gets its GB_MF_* marks. */
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
    gb_error err;              /* this worker's first failure (gb_run_items copies it out) */
    gb_value *temps;           /* plan->max_temp_values */
    int64_t *owner;            /* GB_EDGE_BLOCK lanes each (edge kernels) */
    int64_t *nbr_buf;
    double *weight_buf;        /* all 1.0 on an unweighted graph */
    /* The current chunk's neighbors and weights: straight into the CSR when the chunk is
     * one CSR range of 64-bit neighbors, else the buffers above (GB_DIR_BOTH on a
     * directed graph; 32-bit neighbors are widened into nbr_buf). */
    const int64_t *nbr;
    const double *weight;
    gb_seg *segs;              /* GB_EDGE_BLOCK segments */
    gb_value *res;             /* per segment: the finished node's result */
    int64_t *rcnt;             /* per segment: the kept edges of that node */
    uint64_t *keys;            /* mode: the largest neighborhood's values */
} gb_scratch;

/* ---- pool.c ---- */

#define GB_POOL_MAX_THREADS 64

/* Runs work item `item` on worker `worker` (0 = the calling thread). */
typedef gb_status (*gb_task_fn)(void *arg, int worker, int64_t item);

typedef struct gb_pool_helper {
    struct gb_pool *pool;
    int worker;
    pthread_t tid;
} gb_pool_helper;

typedef struct gb_pool {
    int nthreads;              /* workers, the caller included */
    int synced;                /* mu and the conds exist (nthreads > 1 is possible) */
    pthread_mutex_t mu;
    pthread_cond_t wake;       /* helpers: a new job, or shutdown */
    pthread_cond_t done;       /* the caller: an item finished */
    /* the job word: generation, a closed bit, the next item to claim (pool.c) */
    atomic_ullong job;
    atomic_llong finished;     /* claims of the current job run to the end */
    atomic_int sleepers;       /* helpers waiting on wake */
    atomic_int waiting;        /* the caller waits on done */
    atomic_int shutdown;
    gb_task_fn fn;             /* the current job, read only by a worker holding a claim */
    void *arg;
    int64_t nitems;
    int64_t fail_item[GB_POOL_MAX_THREADS];
    gb_status fail_status[GB_POOL_MAX_THREADS];
    gb_pool_helper helpers[GB_POOL_MAX_THREADS];
} gb_pool;

/* Starts up to threads - 1 helpers (threads <= 1: none); returns the workers running,
 * at least 1.  Never fails: what cannot start is left out. */
int gb_pool_start(gb_pool *pool, int threads);
/* Stops and joins every helper; the pool may be started again. */
void gb_pool_stop(gb_pool *pool);
/* Runs fn on items 0 .. nitems-1 across the workers and returns when all are done.
 * Returns GB_OK, or the status of the smallest failing item (its index and worker in
 * *fail_item and *fail_worker). */
gb_status gb_pool_for(gb_pool *pool, int64_t nitems, gb_task_fn fn, void *arg,
                      int64_t *fail_item, int *fail_worker);

/* ---- exec_items.c ---- */

/* Work items as boundaries: item i covers [bound[i], bound[i+1]). */
typedef struct gb_items {
    int64_t *bound;
    int64_t count;
} gb_items;

typedef struct gb_ctx {
    const gb_plan *p;
    gb_value *regs;
    void **slots;
    int64_t n;
    int directed;
    /* a relabeled graph's position -> input index and back (NULL: the input layout):
     * node_id(), nbr and random read input indices, get indexes through inv */
    const int64_t *perm, *inv;
    /* The CSR, indexed by GB_DIR_OUT / GB_DIR_IN: offsets of ob bytes per element,
     * neighbors of nb (csr_index.h); the in-CSR of a directed graph is there if the plan
     * reads it (gb_run checks). */
    const void *off[2], *adj[2];
    const double *wt[2];
    int ob, nb;
    volatile int32_t *interrupt;
    int64_t nblocks;                   /* node blocks of GB_NODE_BLOCK */
    gb_value *partials;                /* max_nred * nblocks reduction partials */
    int64_t *partial_idx;              /* argmin/argmax candidates beside them */
    gb_scratch *ws;                    /* one scratch per worker */
    int nscratch;                      /* scratches allocated */
    int nworkers;                      /* workers running: at most nscratch */
    gb_pool pool;
    /* Work items, computed once per run: node blocks for node kernels; per direction
     * (GB_DIR_OUT/IN/BOTH) node ranges of about equal edges + nodes for edge kernels,
     * and block ranges balanced the same way for FUSED (its epilogue needs whole blocks). */
    gb_items node_items;
    gb_items edge_items[3];
    gb_items fused_items[3];
    gb_error *err;
    /* incremental.c: per kernel (NULL when no kernel qualifies or they are off), the
     * nodes to recompute, and per node item the nodes that changed and their degree */
    struct gb_incr *incr;
    int dense_nodes;                   /* node kernels ignore their active sets */
    uint8_t *dirty;
    int64_t *changed, *item_changed, *item_degree;
    /* backward jumps taken so far and the pc of the last (changed.c: consecutive passes) */
    int64_t back_jumps, back_from;
    struct gb_tri *tri;                /* intersect.c: sorted adjacency, triangle counts */
    /* gb_run's options, for interpreters started inside it (regions.c) */
    int64_t max_iterations, edge_count;
    int64_t *counts;
    int incr_enabled;
} gb_ctx;

/* exec_items.c: fills c's work items for c->nworkers workers; GB_ENOMEM on failure. */
gb_status gb_items_init(gb_ctx *c);
void gb_items_free(gb_ctx *c);

/* exec.c: gb_pool_for over c's workers; a failure's message goes into c->err. */
gb_status gb_run_items(gb_ctx *c, int64_t nitems, gb_task_fn fn, void *arg);

/* exec_level.c: if the KERNEL/FUSED instruction at pc starts a level of several ops,
 * each too small to split, runs them side by side and returns how many (status in
 * *st); else returns 0 and runs nothing. */
int64_t gb_level_run(gb_ctx *c, int64_t pc, gb_status *st);

/* Offset v of direction dir (not for loops per edge: they use templates). */
static inline int64_t gb_ctx_off(const gb_ctx *c, int dir, int64_t v)
{
    return gb_idx_get(c->off[dir], c->ob, v);
}

/* v's arcs over the directions a push from v walks: what a changed-node list's cost counts. */
static inline int64_t gb_dirs_degree(const gb_ctx *c, const int dirs[2], int ndirs, int64_t v)
{
    int64_t degree = 0;
    for (int q = 0; q < ndirs; q++)
        degree += gb_ctx_off(c, dirs[q], v + 1) - gb_ctx_off(c, dirs[q], v);
    return degree;
}

/* A worker's buffered nodes appended to a shared node list: one atomic add reserves their
 * places (the lists of changed.c, frontier.c and peel.c; their order is not observed). */
static inline void gb_list_flush(int64_t *list, int64_t *count, int64_t *buf, int *len)
{
    if (*len == 0)
        return;
    memcpy(list + __atomic_fetch_add(count, *len, __ATOMIC_RELAXED), buf,
           (size_t)*len * sizeof *buf);
    *len = 0;
}

/* The nodes [*v0, *v1) of node item `item` (node_items counts whole blocks; the last is cut at n). */
static inline void gb_node_item_range(const gb_ctx *c, int64_t item, int64_t *v0, int64_t *v1)
{
    *v0 = c->node_items.bound[item] * GB_NODE_BLOCK;
    *v1 = c->node_items.bound[item + 1] * GB_NODE_BLOCK < c->n
              ? c->node_items.bound[item + 1] * GB_NODE_BLOCK : c->n;
}

/* An atomic read: another thread raises the flag while workers poll it. */
static inline int gb_interrupted(const gb_ctx *c)
{
    return c->interrupt != NULL && __atomic_load_n(c->interrupt, __ATOMIC_RELAXED) != 0;
}

/* The location an error inside kernel k names: the micro-op's, else the kernel's, else
 * the KERNEL instruction's. */
static inline int64_t gb_kernel_loc(const gb_kernel *k, int64_t micro_loc, int64_t instr_loc)
{
    if (micro_loc >= 0)
        return micro_loc;
    return k->loc >= 0 ? k->loc : instr_loc;
}

/* exec_items.c: runs kernel k over the whole graph (the KERNEL instruction); its RED_*
 * micro-ops use the partials from row red_base on (gb_plan.red_base). */
gb_status gb_kernel_run(gb_ctx *c, const gb_kernel *k, int64_t red_base, int64_t instr_loc);
/* exec_items.c: edge kernel ke with node kernel kn on each node block (FUSED).  The node
 * kernel's temps follow the edge kernel's in the scratch (plan.c sized it). */
gb_status gb_fused_run(gb_ctx *c, const gb_kernel *ke, const gb_kernel *kn, int64_t red_base,
                       int64_t instr_loc);
/* exec_items.c: one work item: node blocks [b0, b1) of node kernel k, or of a FUSED pair. */
gb_status gb_node_blocks(gb_ctx *c, const gb_kernel *k, gb_scratch *s, int64_t b0, int64_t b1,
                         int64_t red_base, int64_t instr_loc);
gb_status gb_fused_blocks(gb_ctx *c, const gb_kernel *ke, const gb_kernel *kn, gb_scratch *s,
                          int64_t b0, int64_t b1, int64_t red_base, int64_t instr_loc);
/* kernels.c: after all blocks, each RED_* micro-op's partials into its register. */
gb_status gb_combine_reductions(gb_ctx *c, const gb_kernel *k, int64_t red_base,
                                int64_t instr_loc);
/* kernels.c: runs k's micro-ops over `lanes` lanes.  Node kernels: lanes are nodes
 * v0 .. v0+lanes-1 of node block `block`; edge kernels: owner/nbr/weight lanes in s.
 * fresh: the first block or chunk this scratch runs of this kernel run (it fills the
 * invariant temps). */
gb_status gb_micro_run(gb_ctx *c, const gb_kernel *k, gb_scratch *s, int64_t v0,
                       int64_t lanes, int64_t block, int fresh, int64_t red_base,
                       int64_t instr_loc);
/* active.c: gb_micro_run of node block `block` (v0, lanes), over only its active nodes
 * when k has an active set; *filled: the invariant temps are filled (0 at an item's start). */
gb_status gb_active_block(gb_ctx *c, const gb_kernel *k, gb_scratch *s, int64_t v0,
                          int64_t lanes, int64_t block, int *filled, int64_t red_base,
                          int64_t instr_loc);
/* demand.c: edge kernel k (a demand claim) for the demanded nodes of [v0, v1). */
gb_status gb_demand_range(gb_ctx *c, const gb_kernel *k, gb_scratch *s, int64_t v0, int64_t v1,
                          int64_t instr_loc);
/* demand_full.c: whether only the node kernels FUSED with edge kernel kidx read its
 * result slot; the full form's pass over the demanded nodes of [v0, v1). */
int gb_demand_private(const gb_plan *p, int64_t kidx);
gb_status gb_demand_full_range(gb_ctx *c, const gb_kernel *k, gb_scratch *s, int64_t v0,
                               int64_t v1, int64_t instr_loc);
/* edge.c: runs edge kernel k for the nodes [v0, v1). */
gb_status gb_edge_range(gb_ctx *c, const gb_kernel *k, gb_scratch *s, int64_t v0, int64_t v1,
                        int64_t instr_loc);
/* edge.c: the largest neighborhood any direction can give (mode scratch size). */
int64_t gb_max_neighborhood(const gb_ctx *c);
/* special.c: whether the specialized loops take c's index widths (all but 32-bit offsets
 * with 64-bit neighbors, which only a graph of more than 2^31 - 1 nodes and fewer arcs
 * can have: the generic path runs those). */
int gb_special_handles(const gb_ctx *c);
/* special.c: edge kernel k (k->special set, c->p->specialize on) for the nodes [v0, v1). */
gb_status gb_special_range(gb_ctx *c, const gb_kernel *k, gb_scratch *s, int64_t v0,
                           int64_t v1, int64_t instr_loc);
/* edge.c: the value an empty neighborhood gets without a default. */
gb_value gb_agg_identity(const gb_kernel *k);

/* Mode keys: 64-bit patterns whose unsigned order is the values' order.  Floats map
 * -0.0 to 0.0 and every NaN to one NaN, so equal values (as == sees them, NaN aside)
 * count together; NaN sorts above +inf. */
static inline uint64_t gb_key_i(int64_t x) { return (uint64_t)x ^ (1ull << 63); }
static inline int64_t gb_unkey_i(uint64_t k) { return (int64_t)(k ^ (1ull << 63)); }

static inline uint64_t gb_key_f(double x)
{
    uint64_t b;
    if (x == 0.0)
        x = 0.0;
    if (x != x)
        x = NAN;
    memcpy(&b, &x, sizeof b);
    return (b >> 63) ? ~b : b | (1ull << 63);
}

static inline double gb_unkey_f(uint64_t k)
{
    uint64_t b = (k >> 63) ? k & ~(1ull << 63) : ~k;
    double x;
    memcpy(&x, &b, sizeof x);
    return x;
}

/* mode.c: the most frequent of n keys, ties to the smallest.  keys[n ..) is scratch:
 * the mode buffer holds GB_MODE_WORDS words per key of the largest neighborhood. */
#define GB_MODE_WORDS 8
uint64_t gb_mode_key(uint64_t *keys, int64_t n);

/* ---- incremental.c ---- */

/* One incremental kernel's memory between its passes in one gb_run: copies of its
 * inputs (value slot, filter slot, default slot) and of its raw result as last computed.
 * Element sizes are 0 for what it does not read. */
typedef struct gb_incr {
    int armed;                 /* the copies are those of the last pass */
    int pass;                  /* how the current pass runs (incremental.c) */
    unsigned char *prev_x, *prev_f, *prev_d, *prev_out;
    int x_size, f_size, d_size, out_size;
    int push;                  /* the kernel can take the push form (incr_push.c) */
    int demand;                /* this pass computes only the demanded nodes (demand.c) */
    int sticky;                /* a demand pass ran: the copies of results are partial */
    /* changed.c: the last pass's changed nodes (list, count, their arcs), valid for the
     * next pass when carry is set and it follows back jump number back_seen + 1 with the
     * two slots' buffers swapped; nodes pushes lowered (touched, flagged) */
    int carry;
    int64_t *list, *next, *touched, count, degree, back_seen;
    uint8_t *flag;
    void *buf_x, *buf_e;
    /* frontier.c: list holds X's true nodes (count, their arcs: degree), next E's stale
     * ones (ecount); bottom-up or top-down, the last frontier size, the arcs unexplored,
     * and a flag per node block the pass touched */
    int64_t ecount, prev_count, unexplored;
    int bottom_up;
    uint8_t *blocks;
    uint64_t *bits;            /* bitmaps for bottom-up passes (frontier.c) */
    /* in bits' allocation: X's bitmap and the next one (swapped after a bottom-up pass,
     * which writes E's claimed nodes there; front_ok: front is X's list), and the nodes
     * where S == c (fl_unseen; unseen_ok: built and kept since) */
    uint64_t *front, *nfront, *unseen;
    int front_ok, unseen_ok;
} gb_incr;

/* Bytes gb_run allocates for incremental passes on a graph of n nodes. */
int64_t gb_incr_bytes(const gb_plan *p, int64_t n);
/* After gb_items_init: the state of every qualifying kernel, unless !enabled. */
gb_status gb_incr_start(gb_ctx *c, int enabled);
void gb_incr_free(gb_ctx *c);
/* Around one KERNEL or FUSED run of edge kernel k: prepare finds what changed and how the
 * pass runs; gb_incr_range replaces gb_edge_range inside it; finish keeps the copies. */
gb_status gb_incr_prepare(gb_ctx *c, const gb_kernel *k);
gb_status gb_incr_range(gb_ctx *c, const gb_kernel *k, gb_scratch *s, int64_t v0, int64_t v1,
                        int64_t instr_loc);
void gb_incr_finish(gb_ctx *c, const gb_kernel *k);
/* How k's last pass ran: GB_COUNT_DENSE, GB_COUNT_SPARSE or GB_COUNT_PUSH. */
int gb_incr_last_pass(const gb_ctx *c, const gb_kernel *k);
/* k is about to run some other way (a level): its copies no longer describe it. */
void gb_incr_forget(gb_ctx *c, const gb_kernel *k);
/* k's state when it has one with full copies of results, else NULL; the CSR directions
 * whose arcs lead from a node to those gathering from it (incremental.c). */
struct gb_incr *gb_incr_state(const gb_ctx *c, const gb_kernel *k);
int gb_incr_reverse_dirs(const gb_ctx *c, const gb_kernel *k, int dirs[2]);
/* A pass over the carried changed set ran (it counts as a push pass). */
void gb_incr_carried(struct gb_incr *st);
/* changed.c: a FUSED pair of a GB_KH_CHANGED edge kernel runs as a pass over the carried
 * changed set when it can (*done = 1), else the caller runs it in full and then calls
 * gb_changed_capture to find the changed set the full pass left. */
gb_status gb_changed_pass(gb_ctx *c, const gb_kernel *ke, int *done);
gb_status gb_changed_capture(gb_ctx *c, const gb_kernel *ke);
/* changed.c: the backward jump closing the one loop around pc with no loop inside it
 * whose other instructions write x or e only by swapping the two, else -1. */
int64_t gb_loop_allows(const gb_plan *p, int64_t pc, int64_t x, int64_t e);
/* incremental.c: a frontier pass ran (push: top-down, else bottom-up); the copies are stale. */
void gb_incr_frontier_ran(struct gb_incr *st, int push);

/* ---- frontier.c ---- */

/* frontier_claim.c: GB_KH_CHANGED = 2 on edge kernel kidx (after gb_demand_kernel);
 * gb_frontier_check then checks its FUSED pair and loop, folds the node kernel's stores
 * and finds the node kernels that may run over its list. */
gb_status gb_frontier_kernel(gb_plan *p, int64_t kidx, gb_error *err);
gb_status gb_frontier_check(gb_plan *p, gb_error *err);
/* Allocations for a frontier kernel's state (gb_incr_start), beside the changed.c lists. */
int gb_frontier_alloc(gb_ctx *c, gb_incr *st);
/* A FUSED pair of a frontier kernel, or a node kernel with fl_from, run from the lists
 * when they are valid (*done = 1); else the caller runs it the usual way. */
gb_status gb_frontier_pass(gb_ctx *c, const gb_kernel *ke, const gb_kernel *kn,
                           int64_t red_base, int64_t instr_loc, int *done);
gb_status gb_frontier_node(gb_ctx *c, const gb_kernel *k, int64_t red_base, int64_t instr_loc,
                           int *done);

/* ---- afforest_check.c, afforest.c ---- */

/* Reads kernel kidx's GB_KH_UNION_FIND (after gb_changed_kernel) and checks what the kernel
 * alone must allow; gb_afforest_check (after gb_changed_check) checks its loop and entry. */
gb_status gb_afforest_kernel(gb_plan *p, int64_t kidx, const int64_t *h, gb_error *err);
gb_status gb_afforest_check(gb_plan *p, gb_error *err);
/* At the FUSED pair of a GB_KH_UNION_FIND edge kernel: on the loop's first pass, runs the
 * loop as union-find (*done = 1) unless the plain loop could have stopped at
 * max_iterations; else the caller runs the pair as usual. */
gb_status gb_afforest_pass(gb_ctx *c, const gb_kernel *ke, int64_t max_iterations,
                           int64_t loc, int *done);
/* deltastep.c: the same at a GB_KH_UNION_FIND = 2 edge kernel's pair (a min-plus loop),
 * run as delta-stepping unless a weight, the start or the limit does not allow it. */
gb_status gb_delta_pass(gb_ctx *c, const gb_kernel *ke, int64_t max_iterations,
                        int64_t loc, int *done);

/* ---- incr_push.c: the push form of an incremental pass (min and max) ---- */

/* Whether the value at now moved in the direction agg can follow (false for NaN). */
int gb_push_improves(int agg, int32_t dtype, const void *now, const void *was);
/* The nodes in c->changed push their candidates through the CSR directions dirs into
 * kept; *conflict is set when the fold's order could matter (run the pass in full). */
gb_status gb_push_run(gb_ctx *c, const gb_kernel *k, unsigned char *kept, int ndirs,
                      const int dirs[2], int *conflict);

/* ---- intersect.c: common(u) and the intersect shape ---- */

/* Builds what the plan's common micro-ops need (after start_workers); nothing on a directed
 * graph, where a kernel with common micro-ops fails when it runs (gb_edge_range). */
gb_status gb_tri_start(gb_ctx *c);
void gb_tri_free(gb_ctx *c);
/* d[l] = common neighbors of own[l] and nbr[l], for `lanes` edge lanes. */
void gb_common_lanes(const gb_ctx *c, const int64_t *own, const int64_t *nbr, gb_value *d,
                     int64_t lanes);
/* Whether intersect kernels take the triangle counts (else they run the generic loop). */
int gb_intersect_fast(const gb_ctx *c);
void gb_intersect_range(gb_ctx *c, const gb_kernel *k, int64_t v0, int64_t v1);

/* ---- sources.c ---- */

/* Source i (0 <= i < n) of `for s in sample(k, seed)`: position i of a seeded permutation
 * of [0, n), so the first k positions are k distinct nodes. */
int64_t gb_sample_source(int64_t i, int64_t n, int64_t seed);

/* gather_v.c: runs the GB_OP_GATHER_V instruction w. */
gb_status gb_gather_v(gb_ctx *c, const int64_t *w);
/* plan.c: GB_OP_GATHER_V's operands are consistent (distinct slots, dtypes, immediate). */
gb_status gb_gather_v_check(const gb_plan *p, int64_t pc, const int64_t *w, gb_error *err);

/* ---- regions.c: loops over sources ---- */

/* A SOURCES instruction's loop: its body is [head + 1, exit - 2], exit - 1 the JUMP back.
 * With a parallel claim (batch > 0): the slots and registers the body writes other than
 * the index and the accumulators (zeroed when the loop ends), and the accumulators: a
 * slot only one node kernel touches, as slot = slot + x (add_op, x first or second), and
 * a register read only by one ADD t, r, x and written only by one MOV r, t. */
typedef struct gb_region {
    int64_t head, exit, index, count, batch;
    int64_t *priv_slots, npriv_slots, *priv_regs, npriv_regs;
    int64_t *acc_slots, nacc, *acc_ops;
    int *acc_x_first;
    int64_t *racc, nracc, *racc_ops;
    int *racc_x_first;
} gb_region;

/* plan_effects.c: calls fn on each register (as bit r) and slot (as bit nregs + s) the
 * top-level instruction at pc reads (write 0) or writes (write 1); a FUSED pair's node
 * kernel's read of its edge kernel's result is not a read.  gb_instr_target: the jump
 * target of w (a SOURCES instruction: its exit) in *out; returns whether it has one. */
typedef void (*gb_effect_fn)(void *arg, int64_t bit);
void gb_instr_effects(const gb_plan *p, int64_t pc, int write, gb_effect_fn fn, void *arg);
int gb_instr_target(const int64_t *w, int64_t out[1]);
/* At gb_plan_create (after gb_loops_check): checks every SOURCES instruction's loop and
 * parallel claim, filling p->regions. */
gb_status gb_regions_check(gb_plan *p, gb_error *err);
void gb_regions_free(gb_plan *p);
/* The SOURCES instruction at pc: the next source, or the loop runs (or ends); *next_pc:
 * where to continue. */
gb_status gb_sources_step(gb_ctx *c, int64_t pc, int64_t *next_pc);
/* Bytes a run with `threads` workers allocates for parallel source loops on n nodes. */
int64_t gb_regions_bytes(const gb_plan *p, int64_t n, int threads);
/* exec.c: interprets instructions [pc, stop) of c's plan (stop: ninstr for the whole plan). */
gb_status gb_interpret(gb_ctx *c, int64_t pc, int64_t stop);
/* exec.c: scratch, partials, pool and items for `threads` workers, and their undoing. */
gb_status gb_start_workers(gb_ctx *c, int threads);
void gb_stop_workers(gb_ctx *c);

/* ---- sort.c ---- */

void gb_sort_u64(uint64_t *a, int64_t n);

/* peel.c: runs the peeling nest headed by ka from its head; *next_pc is the nest's exit,
 * or -1 when it cannot run here (a CSR direction missing) and the nest runs as written. */
gb_status gb_peel_run(gb_ctx *c, const gb_kernel *ka, int64_t max_iterations, int64_t *counts,
                      int64_t *next_pc);

#endif
