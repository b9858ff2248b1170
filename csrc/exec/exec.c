/*
 * exec.c — gb_run: the top-level interpreter.
 *
 * Registers and control flow run one instruction at a time (they are scalars); all
 * vector work happens in kernels (kernels.c, edge.c), which split it across the
 * workers.  The workers (pool.c), their scratch (sized by the plan's largest kernel)
 * and the work items are set up once here per run, never per kernel or block.  The plan
 * was validated by gb_plan_create, so no index is checked again; what can still fail is
 * the data: division by zero, GET out of range, the iteration limit, an interrupt.
 */
#include <stdlib.h>
#include <string.h>

#include "exec_internal.h"

/* calloc with an overflow check; at least one element so a pointer is never NULL on
 * success (zeroed, so a malformed plan cannot read garbage either). */
static void *alloc_zeroed(int64_t count, size_t size)
{
    if (count < 1)
        count = 1;
    if ((uint64_t)count > SIZE_MAX / size)
        return NULL;
    return calloc((size_t)count, size);
}

static void free_scratch(gb_scratch *s)
{
    free(s->temps);
    free(s->owner);
    free(s->nbr_buf);
    free(s->weight_buf);
    free(s->segs);
    free(s->res);
    free(s->rcnt);
    free(s->keys);
}

/* One worker's scratch; 0 on success, else what was allocated is freed. */
static int alloc_scratch(const gb_ctx *c, gb_scratch *s, int64_t max_nbhd)
{
    const gb_plan *p = c->p;

    memset(s, 0, sizeof *s);
    if ((s->temps = alloc_zeroed(p->max_temp_values, sizeof *s->temps)) == NULL)
        goto nomem;
    if (p->has_edge) {
        s->owner = alloc_zeroed(GB_EDGE_BLOCK, sizeof *s->owner);
        s->nbr_buf = alloc_zeroed(GB_EDGE_BLOCK, sizeof *s->nbr_buf);
        s->weight_buf = alloc_zeroed(GB_EDGE_BLOCK, sizeof *s->weight_buf);
        s->segs = alloc_zeroed(GB_EDGE_BLOCK, sizeof *s->segs);
        s->res = alloc_zeroed(GB_EDGE_BLOCK, sizeof *s->res);
        s->rcnt = alloc_zeroed(GB_EDGE_BLOCK, sizeof *s->rcnt);
        if (!s->owner || !s->nbr_buf || !s->weight_buf || !s->segs || !s->res || !s->rcnt)
            goto nomem;
        /* an unweighted graph's weights are all 1.0, and nothing overwrites them */
        for (int64_t l = 0; l < GB_EDGE_BLOCK; l++)
            s->weight_buf[l] = 1.0;
    }
    /* the largest neighborhood's keys and gb_mode_key's scratch after them */
    if (p->has_mode && (s->keys = alloc_zeroed(GB_MODE_WORDS * max_nbhd, sizeof *s->keys)) == NULL)
        goto nomem;
    return 0;

nomem:
    free_scratch(s);
    return -1;
}

/* Scratch for up to `threads` workers, the reduction partials, the pool and the work
 * items.  Only worker 0's scratch is required: a helper whose scratch or thread
 * cannot be had is left out, which changes the speed, never the results. */
gb_status gb_start_workers(gb_ctx *c, int threads)
{
    const gb_plan *p = c->p;
    int64_t max_nbhd = p->has_mode ? gb_max_neighborhood(c) : 0;

    if (threads < 1)
        threads = 1;
    if (threads > GB_POOL_MAX_THREADS)
        threads = GB_POOL_MAX_THREADS;
    if ((c->ws = calloc((size_t)threads, sizeof *c->ws)) == NULL)
        goto nomem;
    while (c->nscratch < threads && alloc_scratch(c, &c->ws[c->nscratch], max_nbhd) == 0)
        c->nscratch++;
    if (c->nscratch == 0)
        goto nomem;
    if (p->max_nred > 0) {
        int64_t npart;
        if (c->nblocks > 0 && p->max_nred > INT64_MAX / c->nblocks)
            goto nomem;
        npart = p->max_nred * c->nblocks;
        c->partials = alloc_zeroed(npart, sizeof *c->partials);
        c->partial_idx = alloc_zeroed(npart, sizeof *c->partial_idx);
        if (c->partials == NULL || c->partial_idx == NULL)
            goto nomem;
    }
    c->nworkers = gb_pool_start(&c->pool, c->nscratch);
    return gb_items_init(c);

nomem:
    return gb_err_set(c->err, GB_ENOMEM, -1,
                      "out of memory for the executor's scratch (%lld nodes)", (long long)c->n);
}

/* Undoes start_workers, whatever part of it ran: the helpers are joined first. */
void gb_stop_workers(gb_ctx *c)
{
    gb_pool_stop(&c->pool);
    gb_items_free(c);
    for (int w = 0; w < c->nscratch; w++)
        free_scratch(&c->ws[w]);
    free(c->ws);
    free(c->partials);
    free(c->partial_idx);
}

gb_status gb_run_items(gb_ctx *c, int64_t nitems, gb_task_fn fn, void *arg)
{
    int64_t item = -1;
    int worker = 0;
    gb_status st = gb_pool_for(&c->pool, nitems, fn, arg, &item, &worker);
    if (st != GB_OK && c->err != NULL)
        *c->err = c->ws[worker].err;
    return st;
}

static size_t dtype_size(int32_t dtype)
{
    return dtype == GB_BOOL ? sizeof(uint8_t) : dtype == GB_I64 ? sizeof(int64_t) : sizeof(double);
}

/* slot s [v] as a register value: floats and ints as they are, bools as 0/1. */
static gb_value slot_value(const gb_ctx *c, int64_t s, int64_t v)
{
    gb_value r;
    switch (c->p->slot_dtypes[s]) {
    case GB_F64: r.f = ((const double *)c->slots[s])[v]; break;
    case GB_I64: r.i = ((const int64_t *)c->slots[s])[v]; break;
    default: r.i = ((const uint8_t *)c->slots[s])[v] != 0; break;
    }
    return r;
}

/* Adds one to counter i of instruction pc, if the caller asked for counts. */
static inline void count(int64_t *counts, int64_t pc, int i)
{
    if (counts != NULL)
        counts[pc * GB_COUNTS_PER_INSTR + i]++;
}

gb_status gb_interpret(gb_ctx *c, int64_t pc, int64_t stop)
{
    const gb_plan *p = c->p;
    gb_value *r = c->regs;
    const int64_t max_iterations = c->max_iterations, edge_count = c->edge_count;
    int64_t *counts = c->counts;

    while (pc < stop) {
        const int64_t *w = p->code + pc * GB_INSTR_WIDTH;
        const int64_t loc = w[1];
        gb_status st;
        switch (w[0]) {
        case GB_OP_CONST:
            r[w[2]].i = w[3];
            break;
        case GB_OP_MOV:
            r[w[2]] = r[w[3]];
            break;
        case GB_OP_NODE_COUNT:
            r[w[2]].i = c->n;
            break;
        case GB_OP_EDGE_COUNT:
            r[w[2]].i = edge_count;
            break;
        case GB_OP_GET: {
            int64_t idx = r[w[4]].i;
            if (idx < 0 || idx >= c->n)
                return gb_err_set(c->err, GB_EINDEX, loc,
                                  "index %lld is out of range for a graph of %lld nodes",
                                  (long long)idx, (long long)c->n);
            r[w[2]] = slot_value(c, w[3], c->inv != NULL ? c->inv[idx] : idx);
            break;
        }
        case GB_OP_JUMP:
        case GB_OP_JUMP_IF_FALSE: {
            int64_t target = w[0] == GB_OP_JUMP ? w[2] : w[3];
            if (w[0] == GB_OP_JUMP_IF_FALSE && r[w[2]].i != 0) {
                count(counts, pc, GB_COUNT_NOT_TAKEN);
                break;
            }
            count(counts, pc, GB_COUNT_TAKEN);
            /* every loop goes backward, so polling here makes any loop interruptible */
            if (target <= pc && gb_interrupted(c))
                return gb_err_set(c->err, GB_EINTR, loc, "interrupted");
            if (target <= pc)   /* changed.c tells consecutive passes by these */
                c->back_jumps++, c->back_from = pc;
            pc = target;
            continue;
        }
        case GB_OP_CHECK_ITER:
            if (gb_interrupted(c))
                return gb_err_set(c->err, GB_EINTR, loc, "interrupted");
            if (r[w[2]].i > max_iterations)
                return gb_err_set(c->err, GB_EITER, loc, "while loop exceeded %lld iterations",
                                  (long long)max_iterations);
            break;
        case GB_OP_SOURCES: {
            int64_t next;
            if ((st = gb_sources_step(c, pc, &next)) != GB_OK)
                return st;
            pc = next;
            continue;
        }
        case GB_OP_SAMPLE:
            if (r[w[4]].i < 1 || r[w[3]].i < 0 || r[w[3]].i >= r[w[4]].i)
                return gb_err_set(c->err, GB_EVALUE, loc, "source %lld of a sample of %lld nodes "
                                  "is out of range", (long long)r[w[3]].i, (long long)r[w[4]].i);
            r[w[2]].i = gb_sample_source(r[w[3]].i, r[w[4]].i, r[w[5]].i);
            break;
        case GB_OP_KERNEL:
        case GB_OP_FUSED: {
            int64_t ran;
            if (w[0] == GB_OP_FUSED && (p->kernels[w[2]].union_find || p->kernels[w[2]].delta_step) &&
                !c->dense_nodes) {
                int done;
                if ((st = (p->kernels[w[2]].delta_step ? gb_delta_pass : gb_afforest_pass)(
                         c, &p->kernels[w[2]], max_iterations, loc, &done)) != GB_OK)
                    return st;
                if (done) {
                    count(counts, pc, GB_COUNT_UNION_FIND);
                    break;
                }
            }
            if (w[0] == GB_OP_KERNEL && p->kernels[w[2]].ordered && !c->dense_nodes) {
                if ((st = gb_peel_run(c, &p->kernels[w[2]], max_iterations, counts, &ran)) != GB_OK)
                    return st;
                if (ran >= 0) {
                    pc = ran;
                    continue;
                }
            }
            ran = gb_level_run(c, pc, &st);
            if (ran > 0) {
                if (st != GB_OK)
                    return st;
                for (int64_t q = pc; q < pc + ran; q++)
                    count(counts, q, GB_COUNT_DENSE);
                pc += ran;
                continue;
            }
            if (w[0] == GB_OP_KERNEL)
                st = gb_kernel_run(c, &p->kernels[w[2]], p->red_base[pc], loc);
            else
                st = gb_fused_run(c, &p->kernels[w[2]], &p->kernels[w[3]], p->red_base[pc], loc);
            if (st != GB_OK)
                return st;
            count(counts, pc, gb_incr_last_pass(c, &p->kernels[w[2]]));
            break;
        }
        case GB_OP_COPY_V:
            /* memmove: the caller may have passed one buffer for two slots */
            if (c->n > 0 && c->slots[w[2]] != c->slots[w[3]])
                memmove(c->slots[w[2]], c->slots[w[3]],
                        (size_t)c->n * dtype_size(p->slot_dtypes[w[2]]));
            break;
        case GB_OP_GATHER_V:
            if ((st = gb_gather_v(c, w)) != GB_OK)
                return st;
            break;
        case GB_OP_SWAP_V: {
            void *t = c->slots[w[2]];
            c->slots[w[2]] = c->slots[w[3]];
            c->slots[w[3]] = t;
            break;
        }
        default: {
            /* arithmetic: unused operand words were set to register 0 by the validator */
            int64_t bad = 0;
            st = gb_ops_apply(w[0], 1, &r[w[2]], &r[w[3]], &r[w[4]], &r[w[5]], &bad);
            if (st != GB_OK)
                return gb_ops_fail(c->err, loc, w[0], st, r[w[3]], r[w[4]]);
            break;
        }
        }
        pc++;
    }
    return GB_OK;
}

static int cmp_ptr(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)*(void *const *)a, y = (uintptr_t)*(void *const *)b;
    return (x > y) - (x < y);
}

/* Whether two slots were given one buffer.  The executor's independence checks (a
 * kernel never gathers its own output; a level's ops touch disjoint slots) go by slot
 * index, so such a run keeps to one thread, where it means what it always meant. */
static int shares_buffers(void **slots, int64_t nslots)
{
    void **sorted;
    int shared = 0;
    if (nslots < 2)
        return 0;
    if ((sorted = malloc((size_t)nslots * sizeof *sorted)) == NULL)
        return 1;   /* cannot tell: the safe answer */
    memcpy(sorted, slots, (size_t)nslots * sizeof *sorted);
    qsort(sorted, (size_t)nslots, sizeof *sorted, cmp_ptr);
    for (int64_t i = 1; i < nslots && !shared; i++)
        shared = sorted[i] == sorted[i - 1];
    free(sorted);
    return shared;
}

/* A directed graph loaded without its in-CSR: GB_EINVAL if any kernel of p reads it (an
 * edge kernel over in- or both-direction edges, or an in_deg/degree micro-op). */
static gb_status check_in_edges(const gb_plan *p, gb_error *err)
{
    for (int64_t i = 0; i < p->nkernels; i++) {
        const gb_kernel *k = &p->kernels[i];
        const char *what = NULL;
        if (k->domain == GB_DOMAIN_EDGE && k->dir != GB_DIR_OUT)
            what = k->dir == GB_DIR_IN ? "in-edges" : "edges in both directions";
        for (int64_t j = 0; j < k->nmicro && what == NULL; j++) {
            int64_t op = k->micro[j * GB_INSTR_WIDTH];
            if (op == GB_OP_IN_DEG || op == GB_OP_DEGREE)
                what = op == GB_OP_IN_DEG ? "in-degrees" : "degrees (in + out)";
        }
        if (what != NULL)
            return gb_err_set(err, GB_EINVAL, k->loc,
                              "the plan reads %s but the directed graph was loaded without "
                              "its in-edges (gb_graph_build_in_edges builds them)", what);
    }
    return GB_OK;
}

gb_status gb_run(const gb_plan *p, const gb_graph *g, gb_value *regs, void **slots,
                 const gb_run_options *opts, gb_error *err)
{
    gb_ctx c;
    gb_status st;
    int64_t max_iterations = opts != NULL ? opts->max_iterations : GB_DEFAULT_MAX_ITERATIONS;
    int threads, shared;

    gb_err_clear(err);
    if (p == NULL || g == NULL)
        return gb_err_set(err, GB_EINVAL, -1, "gb_run: the plan or the graph is NULL");
    if ((p->nregs > 0 && regs == NULL) || (p->nslots > 0 && slots == NULL))
        return gb_err_set(err, GB_EINVAL, -1, "gb_run: the registers or slots array is NULL");
    memset(&c, 0, sizeof c);
    c.p = p;
    c.regs = regs;
    c.slots = slots;
    c.err = err;
    c.n = gb_graph_node_count(g);
    c.directed = gb_graph_is_directed(g);
    c.perm = gb_graph_perm(g);
    c.inv = gb_graph_inv_perm(g);
    c.interrupt = opts != NULL ? opts->interrupt : NULL;
    c.nblocks = (c.n + GB_NODE_BLOCK - 1) / GB_NODE_BLOCK;
    gb_graph_csr(g, GB_DIR_OUT, &c.off[GB_DIR_OUT], &c.adj[GB_DIR_OUT], &c.wt[GB_DIR_OUT],
                 &c.ob, &c.nb);
    gb_graph_csr(g, GB_DIR_IN, &c.off[GB_DIR_IN], &c.adj[GB_DIR_IN], &c.wt[GB_DIR_IN], NULL,
                 NULL);
    if (!gb_graph_has_in_edges(g) && (st = check_in_edges(p, err)) != GB_OK)
        return st;
    for (int64_t s = 0; s < p->nslots && c.n > 0; s++)
        if (slots[s] == NULL)
            return gb_err_set(err, GB_EINVAL, -1, "gb_run: slot %lld has no buffer", (long long)s);

    threads = opts != NULL ? opts->threads : 1;
    shared = shares_buffers(slots, p->nslots);
    if (shared)
        threads = 1;
    c.dense_nodes = shared || (opts != NULL && opts->full_passes);
    c.max_iterations = max_iterations;
    c.edge_count = gb_graph_edge_count(g);
    c.counts = opts != NULL ? opts->counts : NULL;
    c.incr_enabled = !shared && !(opts != NULL && opts->full_passes);
    st = gb_start_workers(&c, threads);
    if (st == GB_OK)
        st = gb_incr_start(&c, c.incr_enabled);
    if (st == GB_OK)
        st = gb_tri_start(&c);
    if (st == GB_OK)
        st = gb_interpret(&c, 0, p->ninstr);
    gb_incr_free(&c);
    gb_tri_free(&c);
    gb_stop_workers(&c);
    return st;
}
