/*
 * deltastep.c — a min-plus (Bellman-Ford) loop run as delta-stepping.
 *
 * What: the loop  while flag: E = min(x[u] + w); x' = min(x, E) into E's slot;
 * flag = any(x' < x); swap x, x'  ends at the greatest fixpoint below its start of the
 * monotone map x -> min(x, min_u fl(x[u] + w)).  Any order of single relaxations
 * x[v] = min(x[v], fl(x[u] + w)) that ends at a fixpoint ends at that same one, so the
 * floats are the plain loop's bit for bit, whatever the threads (plan/deltastep.py).
 * Method: delta-stepping (Meyer & Sanders, J. Algorithms 2003) with GAP's thread-local
 * bins: a node lowered to d goes into its worker's bin floor((d - base) / delta); the
 * smallest nonempty bin, gathered from every worker, is relaxed in parallel (lowering by
 * compare-and-swap), until no bin holds a node.  Bins past MAX_BIN share the last one
 * (label-correcting there: still the fixpoint, only slower).
 *
 * It is valid when every weight the pushes read is >= 0 and not NaN (fl(a + w) >= a: a
 * shortest walk repeats no node, and the plain loop needs at most n passes), and x holds
 * no NaN, -0.0 (min would not tell it from 0.0) or -inf: checked here once per run; if
 * not, or the counter's step is not 1, the pass runs as the pair's other claims say (the
 * plain loop).  The plain loop would stop with an error at --max-iterations if it needed
 * more passes: it needs at most n, and when n could pass the limit within_limit bounds
 * them by a BFS over the arcs the result is tight on.  Delta-stepping runs in E's buffer
 * (scratch: the plain pass rewrites all of it), so x still holds the start if it must not
 * be used.
 */
#include <math.h>
#include <stdlib.h>

#include "exec_internal.h"

#define MAX_BIN (1 << 20)
#define CHUNK 256            /* frontier nodes per work item */
#define ARCS_PER_ITEM (1 << 16)

typedef struct ds_bin {
    int64_t *v;
    int64_t len, cap;
} ds_bin;

typedef struct ds_worker {
    ds_bin *bins;
    int64_t nbins;
    double wmax;
    int bad;                 /* a weight < 0 or NaN */
} ds_worker;

typedef struct ds_job {
    gb_ctx *c;
    double *d;
    int ndirs, dirs[2];
    double base, inv_delta;
    int64_t cur, loc;
    int64_t *front, nfront;
    ds_worker *w;
    uint8_t *reached;        /* within_limit's BFS */
} ds_job;

static int64_t bin_of(const ds_job *j, double d)
{
    const double b = (d - j->base) * j->inv_delta;
    return b < (double)MAX_BIN ? (int64_t)b : MAX_BIN;
}

static gb_status put(ds_job *j, int worker, int64_t b, int64_t v)
{
    ds_worker *w = &j->w[worker];
    ds_bin *bin;
    if (b >= w->nbins) {
        const int64_t nb = b + 1 > 2 * w->nbins ? b + 1 : 2 * w->nbins;
        ds_bin *grown = realloc(w->bins, (size_t)nb * sizeof *grown);
        if (grown == NULL)
            goto oom;
        memset(grown + w->nbins, 0, (size_t)(nb - w->nbins) * sizeof *grown);
        w->bins = grown, w->nbins = nb;
    }
    bin = &w->bins[b];
    if (bin->len == bin->cap) {
        const int64_t cap = bin->cap < 64 ? 64 : 2 * bin->cap;
        int64_t *grown = realloc(bin->v, (size_t)cap * sizeof *grown);
        if (grown == NULL)
            goto oom;
        bin->v = grown, bin->cap = cap;
    }
    bin->v[bin->len++] = v;
    return GB_OK;
oom:
    return gb_err_set(&j->c->ws[worker].err, GB_ENOMEM, j->loc, "out of memory in delta-stepping");
}

/* Lowers d[v] to nd if smaller; whether it did. */
static int lower(double *d, int64_t v, double nd)
{
    uint64_t *slot = (uint64_t *)(void *)(d + v), seen = __atomic_load_n(slot, __ATOMIC_RELAXED);
    uint64_t want;
    memcpy(&want, &nd, 8);
    for (;;) {
        double cur;
        memcpy(&cur, &seen, 8);
        if (!(nd < cur))
            return 0;
        if (__atomic_compare_exchange_n(slot, &seen, want, 1, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
            return 1;
    }
}

/* The chunk's nodes push along their arcs; nb (the neighbors' width) a constant at each call. */
static inline __attribute__((always_inline)) gb_status
relax_chunk(ds_job *j, int worker, int64_t i0, int64_t i1, const int nb)
{
    const gb_ctx *c = j->c;
    gb_status st;
    for (int64_t i = i0; i < i1; i++) {
        const int64_t u = j->front[i];
        double du;
        uint64_t bits = __atomic_load_n((uint64_t *)(void *)(j->d + u), __ATOMIC_RELAXED);
        memcpy(&du, &bits, 8);
        if (bin_of(j, du) < j->cur)
            continue;   /* lowered since: relaxed from its lower bin already */
        for (int q = 0; q < j->ndirs; q++) {
            const void *off = c->off[j->dirs[q]], *adj = c->adj[j->dirs[q]];
            const double *wt = c->wt[j->dirs[q]];
            const int64_t end = gb_idx_get(off, c->ob, u + 1);
            for (int64_t e = gb_idx_get(off, c->ob, u); e < end; e++) {
                const int64_t v = gb_idx_get(adj, nb, e);
                const double nd = du + (wt != NULL ? wt[e] : 1.0);
                if (lower(j->d, v, nd) && (st = put(j, worker, bin_of(j, nd), v)) != GB_OK)
                    return st;
            }
        }
    }
    return GB_OK;
}

static gb_status relax_item(void *arg, int worker, int64_t item)
{
    ds_job *j = arg;
    const int64_t i0 = item * CHUNK, i1 = i0 + CHUNK < j->nfront ? i0 + CHUNK : j->nfront;
    return j->c->nb == 4 ? relax_chunk(j, worker, i0, i1, 4) : relax_chunk(j, worker, i0, i1, 8);
}

/* Every weight of the push directions >= 0 and not NaN; their largest per worker. */
static gb_status weight_item(void *arg, int worker, int64_t item)
{
    ds_job *j = arg;
    ds_worker *w = &j->w[worker];
    for (int q = 0; q < j->ndirs; q++) {
        const double *wt = j->c->wt[j->dirs[q]];
        const int64_t m = gb_ctx_off(j->c, j->dirs[q], j->c->n);
        const int64_t a = item * ARCS_PER_ITEM, b = a + ARCS_PER_ITEM < m ? a + ARCS_PER_ITEM : m;
        if (wt == NULL) {
            w->wmax = w->wmax > 1.0 ? w->wmax : 1.0;
            continue;
        }
        for (int64_t e = a; e < b; e++) {
            w->bad |= !(wt[e] >= 0.0);
            w->wmax = wt[e] > w->wmax ? wt[e] : w->wmax;
        }
    }
    return GB_OK;
}

/* The smallest bin >= j->cur some worker holds a node in, gathered into j->front; -1: none. */
static gb_status gather(ds_job *j, int nw, int64_t *cap)
{
    for (int64_t b = j->cur;; b++) {
        int64_t total = 0, more = 0;
        for (int w = 0; w < nw; w++) {
            total += b < j->w[w].nbins ? j->w[w].bins[b].len : 0;
            more |= b < j->w[w].nbins;
        }
        if (!more) {
            j->cur = -1;
            return GB_OK;
        }
        if (total == 0)
            continue;
        if (total > *cap) {
            int64_t *grown = realloc(j->front, (size_t)total * sizeof *grown);
            if (grown == NULL)
                return gb_err_set(j->c->err, GB_ENOMEM, j->loc, "out of memory in delta-stepping");
            j->front = grown, *cap = total;
        }
        j->nfront = 0;
        for (int w = 0; w < nw; w++)
            if (b < j->w[w].nbins) {
                ds_bin *bin = &j->w[w].bins[b];
                memcpy(j->front + j->nfront, bin->v, (size_t)bin->len * sizeof *bin->v);
                j->nfront += bin->len;
                bin->len = 0;
            }
        j->cur = b;
        return GB_OK;
    }
}

/* One level of the tight-arc BFS: the next level's nodes go into each worker's bin 0. */
static gb_status tight_item(void *arg, int worker, int64_t item)
{
    ds_job *j = arg;
    const gb_ctx *c = j->c;
    const int64_t i1 = (item + 1) * CHUNK < j->nfront ? (item + 1) * CHUNK : j->nfront;
    gb_status st;
    for (int64_t i = item * CHUNK; i < i1; i++) {
        const int64_t u = j->front[i];
        for (int q = 0; q < j->ndirs; q++) {
            const void *off = c->off[j->dirs[q]], *adj = c->adj[j->dirs[q]];
            const double *wt = c->wt[j->dirs[q]];
            const int64_t end = gb_idx_get(off, c->ob, u + 1);
            for (int64_t e = gb_idx_get(off, c->ob, u); e < end; e++) {
                const int64_t v = gb_idx_get(adj, c->nb, e);
                if (j->d[u] + (wt != NULL ? wt[e] : 1.0) == j->d[v] && !j->reached[v] &&
                    !__atomic_exchange_n(&j->reached[v], 1, __ATOMIC_RELAXED) &&
                    (st = put(j, worker, 0, v)) != GB_OK)
                    return st;
            }
        }
    }
    return GB_OK;
}

/* Whether the plain loop from x0 stops within `room` more passes than the first: its pass
 * k leaves the final d[v] at every node v whose d[v] == x0[v] or that a tight arc
 * (fl(d[u] + w) == d[v]) reaches from a node final at pass k - 1; so the tight arcs' BFS
 * depth from the nodes that kept x0 bounds the passes that change something. */
static gb_status within_limit(ds_job *j, const double *x0, int nw, int64_t room, int *ok)
{
    gb_ctx *c = j->c;
    int64_t cap = 0, depth = 0, reached = 0;
    gb_status st = GB_OK;
    *ok = 0;
    if ((j->reached = calloc((size_t)c->n, 1)) == NULL)
        return gb_err_set(c->err, GB_ENOMEM, j->loc, "out of memory in delta-stepping");
    for (int64_t v = 0; v < c->n; v++)
        if (memcmp(&x0[v], &j->d[v], 8) == 0) {
            j->reached[v] = 1, reached++;
            if (j->d[v] < INFINITY && (st = put(j, 0, 0, v)) != GB_OK) {
                *c->err = c->ws[0].err;
                goto out;
            }
        }
    for (j->cur = 0;; depth++) {
        if ((st = gather(j, nw, &cap)) != GB_OK || j->cur < 0)
            break;
        if (depth > room)
            goto out;   /* deeper than the limit allows */
        if (depth > 0)
            reached += j->nfront;
        if ((st = gb_run_items(c, (j->nfront + CHUNK - 1) / CHUNK, tight_item, j)) != GB_OK)
            goto out;
    }
    /* depth levels below the start: the passes that change something; one more sees none */
    *ok = st == GB_OK && reached == c->n && depth - 1 <= room;
out:
    free(j->reached);
    j->reached = NULL;
    return st;
}

/* Whether at most room nodes changed: each pass of the plain loop but its last changes one
 * more node at least on every tight walk, which repeats no node. */
static int changed_within(const double *x0, const double *d, int64_t n, int64_t room)
{
    int64_t changed = 0;
    for (int64_t v = 0; v < n && changed <= room; v++)
        changed += memcmp(&x0[v], &d[v], 8) != 0;
    return changed <= room;
}

/* The start allows it: no NaN, -0.0 or -inf; base is its smallest finite value (inf: none). */
static int start_allows(const double *d, int64_t n, double *base)
{
    *base = INFINITY;
    for (int64_t v = 0; v < n; v++) {
        if (isnan(d[v]) || d[v] == -INFINITY || (d[v] == 0.0 && signbit(d[v])))
            return 0;
        *base = d[v] < *base ? d[v] : *base;
    }
    return 1;
}

static gb_status run(ds_job *j, int nw)
{
    gb_ctx *c = j->c;
    int64_t cap = 0;
    gb_status st;
    for (int64_t v = 0; v < c->n; v++)
        if (j->d[v] < INFINITY && (st = put(j, 0, bin_of(j, j->d[v]), v)) != GB_OK)
            return *c->err = c->ws[0].err, st;
    for (j->cur = 0;;) {
        if ((st = gather(j, nw, &cap)) != GB_OK)
            return st;
        if (j->cur < 0)
            return GB_OK;
        if (gb_interrupted(c))
            return gb_err_set(c->err, GB_EINTR, j->loc, "interrupted");
        if ((st = gb_run_items(c, (j->nfront + CHUNK - 1) / CHUNK, relax_item, j)) != GB_OK)
            return st;
    }
}

gb_status gb_delta_pass(gb_ctx *c, const gb_kernel *ke, int64_t max_iterations,
                        int64_t loc, int *done)
{
    const int64_t n = c->n, first = c->regs[ke->uf_counter].i;
    const int nw = c->nworkers > 0 ? c->nworkers : 1;
    const double *x0 = c->slots[ke->sp_slot];
    ds_job j = { c, c->slots[ke->out_slot], 0, { 0, 0 }, 0, 1, 0, loc, NULL, 0, NULL, NULL };
    int64_t arcs = 0, most = 0;
    double wmax = 0;
    int bad = 0, ok = 0;
    gb_status st;

    *done = 0;
    if (c->regs[ke->uf_step].i != 1 || (c->back_jumps > 0 && c->back_from == ke->ch_tail) ||
        first > max_iterations)
        return GB_OK;   /* a step the limit argument does not cover, or not the first pass */
    if (!start_allows(x0, n, &j.base))
        return GB_OK;
    j.ndirs = gb_incr_reverse_dirs(c, ke, j.dirs);
    if ((j.w = calloc((size_t)nw, sizeof *j.w)) == NULL)
        return gb_err_set(c->err, GB_ENOMEM, loc, "out of memory in delta-stepping");
    for (int q = 0; q < j.ndirs; q++) {
        const int64_t m = gb_ctx_off(c, j.dirs[q], n);
        arcs += m, most = m > most ? m : most;
    }
    st = gb_run_items(c, (most + ARCS_PER_ITEM - 1) / ARCS_PER_ITEM, weight_item, &j);
    for (int w = 0; w < nw; w++)
        bad |= j.w[w].bad, wmax = j.w[w].wmax > wmax ? j.w[w].wmax : wmax;
    if (st == GB_OK && !bad) {
        /* bins half the largest weight over the average degree wide (Meyer & Sanders'
         * Theta(1/d) for weights up to 1; the half measured best on Kronecker graphs) */
        const double delta = arcs > 0 && n > 0 ? wmax * (double)n / (2.0 * (double)arcs) : 1.0;
        j.inv_delta = delta > 0 ? 1.0 / delta : 1.0;
        gb_incr_forget(c, ke);   /* E is scratch until the end: the plain pass rewrites it */
        memcpy(j.d, x0, (size_t)n * sizeof *j.d);
        if ((st = run(&j, nw)) == GB_OK && changed_within(x0, j.d, n, max_iterations - first))
            ok = 1;
        else if (st == GB_OK)
            st = within_limit(&j, x0, nw, max_iterations - first, &ok);
        if (st == GB_OK && ok) {
            memcpy(c->slots[ke->sp_slot], j.d, (size_t)n * sizeof *j.d);
            c->regs[ke->ch_reg].i = 0;
            *done = 1;
        }
    }
    for (int w = 0; w < nw; w++) {
        for (int64_t b = 0; b < j.w[w].nbins; b++)
            free(j.w[w].bins[b].v);
        free(j.w[w].bins);
    }
    free(j.w);
    free(j.front);
    return st;
}
