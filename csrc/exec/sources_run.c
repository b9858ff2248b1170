/*
 * sources_run.c — running a loop over sources (GB_OP_SOURCES; the claim: regions.c).
 *
 * One thread, or no claim: the SOURCES instruction steps the index and the body runs in
 * line, pass after pass.  A claimed loop with two or more workers runs its remaining
 * passes here in batches: each worker has a context of its own (registers and slots
 * copied from the loop's start, its own buffers for the slots the body writes, its own
 * scratch, kernel state and a one-thread pool), takes the next pass of the batch, and
 * runs the body in it with the accumulators bound to that pass's buffer; after the batch
 * the buffers are folded into the accumulators in source order.  Passes are claimed in
 * order, so when one fails every earlier pass has run: its error is the one a single
 * thread reports, after the earlier passes' folds.
 */
#include <stdlib.h>

#include "exec_internal.h"

static const int64_t *instr(const gb_plan *p, int64_t pc) { return p->code + pc * GB_INSTR_WIDTH; }

static size_t dsize(int32_t dtype) { return dtype == GB_BOOL ? 1 : 8; }

static const gb_region *region_at(const gb_plan *p, int64_t pc)
{
    int64_t lo = 0, hi = p->nregions - 1;
    while (lo <= hi) {   /* regions are in pc order */
        int64_t mid = lo + (hi - lo) / 2;
        if (p->regions[mid].head == pc)
            return &p->regions[mid];
        if (p->regions[mid].head < pc)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return NULL;
}

static inline void count_at(gb_ctx *c, int64_t pc, int i, int64_t by)
{
    if (c->counts != NULL)
        c->counts[pc * GB_COUNTS_PER_INSTR + i] += by;
}

/* A claimed loop's end, however it ran: its own registers and slots are zero. */
static void clear_region(gb_ctx *c, const gb_region *g)
{
    for (int64_t i = 0; i < g->npriv_regs; i++)
        c->regs[g->priv_regs[i]].i = 0;
    for (int64_t i = 0; i < g->npriv_slots && c->n > 0; i++)
        memset(c->slots[g->priv_slots[i]], 0,
               (size_t)c->n * dsize(c->p->slot_dtypes[g->priv_slots[i]]));
}

/* ---- one worker's context ---- */

typedef struct src_worker {
    gb_ctx ctx;
    gb_error err;
    void **own;                /* buffers of the private slots (NULL: the caller's) */
    int started;
} src_worker;

static void worker_free(const gb_region *g, src_worker *sw)
{
    if (sw->started) {
        gb_incr_free(&sw->ctx);
        gb_stop_workers(&sw->ctx);
    }
    for (int64_t i = 0; sw->own != NULL && i < g->npriv_slots; i++)
        free(sw->own[i]);
    free(sw->own);
    free(sw->ctx.regs);
    free(sw->ctx.slots);
    free(sw->ctx.counts);
}

static gb_status worker_init(gb_ctx *c, const gb_region *g, src_worker *sw, int w)
{
    const gb_plan *p = c->p;
    gb_ctx *x = &sw->ctx;
    gb_status st;

    memset(sw, 0, sizeof *sw);
    x->p = p;
    x->n = c->n;
    x->directed = c->directed;
    x->perm = c->perm;
    x->inv = c->inv;
    for (int d = 0; d < 2; d++)
        x->off[d] = c->off[d], x->adj[d] = c->adj[d], x->wt[d] = c->wt[d];
    x->ob = c->ob;
    x->nb = c->nb;
    x->interrupt = c->interrupt;
    x->nblocks = c->nblocks;
    x->err = &sw->err;
    x->dense_nodes = c->dense_nodes;
    x->max_iterations = c->max_iterations;
    x->edge_count = c->edge_count;
    x->incr_enabled = c->incr_enabled;
    x->regs = malloc((size_t)(p->nregs > 0 ? p->nregs : 1) * sizeof *x->regs);
    x->slots = malloc((size_t)(p->nslots > 0 ? p->nslots : 1) * sizeof *x->slots);
    if (c->counts != NULL)
        x->counts = calloc((size_t)(p->ninstr > 0 ? p->ninstr : 1) * GB_COUNTS_PER_INSTR,
                           sizeof *x->counts);
    if (w > 0)
        sw->own = calloc((size_t)(g->npriv_slots > 0 ? g->npriv_slots : 1), sizeof *sw->own);
    if (!x->regs || !x->slots || (c->counts != NULL && !x->counts) || (w > 0 && !sw->own))
        goto nomem;
    memcpy(x->regs, c->regs, (size_t)p->nregs * sizeof *x->regs);
    memcpy(x->slots, c->slots, (size_t)p->nslots * sizeof *x->slots);
    for (int64_t i = 0; w > 0 && i < g->npriv_slots; i++) {
        int64_t s = g->priv_slots[i];
        if ((sw->own[i] = calloc((size_t)c->n, dsize(p->slot_dtypes[s]))) == NULL)
            goto nomem;
        x->slots[s] = sw->own[i];
    }
    sw->started = 1;
    if ((st = gb_start_workers(x, 1)) != GB_OK || (st = gb_incr_start(x, x->incr_enabled)) != GB_OK)
        return gb_err_set(c->err, st, -1, "%s", sw->err.message);
    x->tri = NULL;   /* a claimed body has no common() */
    return GB_OK;

nomem:
    return gb_err_set(c->err, GB_ENOMEM, -1, "out of memory for a worker of a loop over "
                      "sources (%lld nodes)", (long long)c->n);
}

/* ---- a batch ---- */

typedef struct src_job {
    gb_ctx *c;
    const gb_region *g;
    src_worker *workers;
    int64_t first;             /* the batch's first source index */
    void **bufs;               /* bufs[a * batch + q]: accumulator a's x for pass first + q */
    gb_value *rbufs;           /* rbufs[a * batch + q]: register accumulator a's x */
    int64_t batch, npass;
} src_job;

static gb_status pass_task(void *arg, int worker, int64_t item)
{
    src_job *j = arg;
    const gb_region *g = j->g;
    gb_ctx *x = &j->workers[worker].ctx;
    gb_status st;

    if (gb_interrupted(j->c))
        st = gb_err_set(x->err, GB_EINTR, instr(x->p, g->exit - 1)[1], "interrupted");
    else {
        for (int64_t a = 0; a < g->nacc; a++) {
            void *buf = j->bufs[a * j->batch + item];
            if (x->p->slot_dtypes[g->acc_slots[a]] == GB_F64)
                for (int64_t v = 0; v < x->n; v++)
                    ((double *)buf)[v] = -0.0;   /* -0.0 + x is x, bit for bit */
            else
                memset(buf, 0, (size_t)x->n * sizeof(int64_t));
            x->slots[g->acc_slots[a]] = buf;
        }
        for (int64_t a = 0; a < g->nracc; a++) {
            if (g->racc_ops[a] == GB_OP_ADD_F)
                x->regs[g->racc[a]].f = -0.0;
            else
                x->regs[g->racc[a]].i = 0;
        }
        x->regs[g->index].i = j->first + item;
        x->back_jumps++, x->back_from = g->exit - 1;   /* as the closing jump would */
        st = gb_interpret(x, g->head + 1, g->exit - 1);
        for (int64_t a = 0; a < g->nracc && st == GB_OK; a++)
            j->rbufs[a * j->batch + item] = x->regs[g->racc[a]];
    }
    if (st != GB_OK)
        j->c->ws[worker].err = j->workers[worker].err;
    return st;
}

typedef struct fold_job {
    gb_ctx *c;
    const gb_region *g;
    void **bufs;
    int64_t batch, npass;
} fold_job;

/* Accumulator a += each pass's x, in source order, at the nodes of one node item. */
static gb_status fold_task(void *arg, int worker, int64_t item)
{
    fold_job *f = arg;
    const gb_region *g = f->g;
    int64_t v0, v1;
    (void)worker;
    gb_node_item_range(f->c, item, &v0, &v1);
    for (int64_t a = 0; a < g->nacc; a++) {
        void *acc = f->c->slots[g->acc_slots[a]];
        const int x_first = g->acc_x_first[a];
        for (int64_t q = 0; q < f->npass; q++) {
            const void *buf = f->bufs[a * f->batch + q];
            if (g->acc_ops[a] == GB_OP_ADD_F) {
                double *s = acc;
                const double *b = buf;
                for (int64_t v = v0; v < v1; v++)
                    s[v] = x_first ? b[v] + s[v] : s[v] + b[v];
            } else {
                int64_t *s = acc;
                const int64_t *b = buf;
                for (int64_t v = v0; v < v1; v++)   /* ADD_I wraps */
                    s[v] = (int64_t)((uint64_t)s[v] + (uint64_t)b[v]);
            }
        }
    }
    return GB_OK;
}

/* The register accumulators += each of npass passes' x, in source order. */
static void fold_registers(gb_ctx *c, const gb_region *g, const gb_value *rbufs, int64_t batch,
                           int64_t npass)
{
    for (int64_t a = 0; a < g->nracc; a++) {
        gb_value *acc = &c->regs[g->racc[a]];
        for (int64_t q = 0; q < npass; q++) {
            gb_value x = rbufs[a * batch + q];
            if (g->racc_ops[a] == GB_OP_ADD_F)
                acc->f = g->racc_x_first[a] ? x.f + acc->f : acc->f + x.f;
            else
                acc->i = (int64_t)((uint64_t)acc->i + (uint64_t)x.i);
        }
    }
}

/* Passes first .. count - 1 of claimed loop g on c's workers. */
static gb_status run_parallel(gb_ctx *c, const gb_region *g, int64_t first, int64_t count)
{
    const gb_plan *p = c->p;
    const int nw = c->nworkers;
    const int64_t batch = g->batch < count - first ? g->batch : count - first;
    src_worker *workers = calloc((size_t)nw, sizeof *workers);
    void **bufs = calloc((size_t)(g->nacc * batch > 0 ? g->nacc * batch : 1), sizeof *bufs);
    gb_value *rbufs = calloc((size_t)(g->nracc * batch > 0 ? g->nracc * batch : 1), sizeof *rbufs);
    gb_status st = GB_OK;

    if (workers == NULL || bufs == NULL || rbufs == NULL) {
        st = gb_err_set(c->err, GB_ENOMEM, -1, "out of memory for a loop over sources");
        goto done;
    }
    for (int64_t i = 0; i < g->nacc * batch; i++)
        if ((bufs[i] = malloc((size_t)(c->n > 0 ? c->n : 1) * sizeof(int64_t))) == NULL) {
            st = gb_err_set(c->err, GB_ENOMEM, -1, "out of memory for the accumulators of a "
                            "loop over sources (%lld passes of %lld nodes)", (long long)batch,
                            (long long)c->n);
            goto done;
        }
    for (int w = 0; w < nw && st == GB_OK; w++)
        st = worker_init(c, g, &workers[w], w);
    for (int64_t at = first; at < count && st == GB_OK; at += batch) {
        src_job job = { c, g, workers, at, bufs, rbufs, batch, count - at < batch ? count - at : batch };
        int64_t fail = -1;
        int fail_worker = 0;
        gb_status pst = gb_pool_for(&c->pool, job.npass, pass_task, &job, &fail, &fail_worker);
        fold_job fold = { c, g, bufs, batch, pst == GB_OK ? job.npass : fail };
        if (fold.npass > 0 && (st = gb_run_items(c, c->node_items.count, fold_task, &fold)) != GB_OK)
            break;
        fold_registers(c, g, rbufs, batch, fold.npass);
        if (pst != GB_OK) {
            if (c->err != NULL)
                *c->err = c->ws[fail_worker].err;
            st = pst;
        }
        /* as one thread counts: the failing pass was entered, its closing jump not taken */
        count_at(c, g->head, GB_COUNT_NOT_TAKEN, fold.npass + (pst != GB_OK));
        count_at(c, g->exit - 1, GB_COUNT_TAKEN, fold.npass);
        c->back_jumps += fold.npass, c->back_from = g->exit - 1;
    }
    for (int w = 0; w < nw; w++)
        for (int64_t i = 0; c->counts != NULL && workers[w].ctx.counts != NULL &&
                            i < p->ninstr * GB_COUNTS_PER_INSTR; i++)
            c->counts[i] += workers[w].ctx.counts[i];
done:
    for (int w = 0; workers != NULL && w < nw; w++)
        worker_free(g, &workers[w]);
    for (int64_t i = 0; bufs != NULL && i < g->nacc * batch; i++)
        free(bufs[i]);
    free(workers);
    free(bufs);
    free(rbufs);
    return st;
}

gb_status gb_sources_step(gb_ctx *c, int64_t pc, int64_t *next_pc)
{
    const int64_t *w = instr(c->p, pc);
    const gb_region *g = region_at(c->p, pc);
    gb_value *r = c->regs;
    int64_t i, count = r[w[3]].i;

    if (r[w[2]].i == INT64_MAX || r[w[2]].i < -1)
        return gb_err_set(c->err, GB_EVALUE, w[1], "source index %lld is out of range",
                          (long long)r[w[2]].i);
    i = ++r[w[2]].i;
    if (count > c->n)
        return gb_err_set(c->err, GB_EVALUE, w[1], "a loop over %lld sources of a graph of "
                          "%lld nodes", (long long)count, (long long)c->n);
    if (i < count && g->batch > 0 && c->nworkers > 1 && count - i > 1) {
        gb_status st = run_parallel(c, g, i, count);
        if (st != GB_OK)
            return st;
        r[w[2]].i = i = count;
    }
    if (i >= count) {
        count_at(c, pc, GB_COUNT_TAKEN, 1);
        if (g->batch > 0)
            clear_region(c, g);
        *next_pc = g->exit;
        return GB_OK;
    }
    count_at(c, pc, GB_COUNT_NOT_TAKEN, 1);
    *next_pc = pc + 1;
    return GB_OK;
}

int64_t gb_regions_bytes(const gb_plan *p, int64_t n, int threads)
{
    int64_t most = 0;
    if (threads < 2 || n <= 0)
        return 0;
    for (int64_t i = 0; i < p->nregions; i++) {
        const gb_region *g = &p->regions[i];
        int64_t priv = 0, bytes;
        if (g->batch == 0)
            continue;
        for (int64_t s = 0; s < g->npriv_slots; s++)
            priv += n * (int64_t)dsize(p->slot_dtypes[g->priv_slots[s]]);
        /* workers but the first keep their own private slots; every worker its own
         * kernel state; each pass of a batch its accumulators' x */
        bytes = (threads - 1) * priv + threads * gb_incr_bytes(p, n) +
                g->batch * g->nacc * n * (int64_t)sizeof(int64_t);
        if (bytes > most)
            most = bytes;
    }
    return most;
}
