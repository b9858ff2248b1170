/*
 * afforest.c — a min-label propagation loop run as union-find.
 *
 * What: the loop  while flag: E = min(x[u] for u in both directions); x' = min(x, E) into
 * E's slot; flag = any(x' != x); swap x, x'  started from x = node_id() ends with every
 * node labeled with the smallest node_id of its component of the undirected view.
 * Method: Afforest (Sutton, Ben-Nun, Barak, "Optimizing Parallel Graph Connectivity
 * Computation via Subgraph Sampling", IPDPS 2018): a parent array pi; link every node to
 * its first out-neighbor, compress, to its second, compress, find the most frequent root among 1024 sampled
 * nodes (the largest component, very likely), then link the remaining arcs of every node
 * outside it (and, on a directed graph, its in-arcs: an arc out of the skipped component
 * is then seen from its other end), and compress again.  link() always hangs the root
 * with the larger node_id under the other (one compare-and-swap), so a root is the
 * smallest node_id of its tree and, once every arc is linked, of its component: the
 * labels are the loop's bits whatever the threads, the sampling or the order of links.
 *
 * The last compression also counts the nodes of the skipped component: the largest
 * component is that one or a part of the rest, so max(its size, n - its size) bounds the
 * passes the plain loop would need, with no serial pass over the parents (the exact sizes
 * are counted only when that bound passes --max-iterations).
 *
 * The claim (GB_KH_UNION_FIND) is checked at gb_plan_create by afforest_check.c.
 * At run time the pass leaves x and E with the labels and any's register false, as the
 * loop's last pass does; the counter is not advanced, which nothing observes.  The plain
 * loop would have stopped with an error at --max-iterations if it needed more passes;
 * it needs at most the largest component's size, so when that could exceed the limit
 * (or the counter's step is not 1) the pass runs as the pair's other claims say instead.
 */
#include <stdlib.h>

#include "exec_internal.h"

#define NEIGHBOR_ROUNDS 2
#define SAMPLES 1024

typedef struct uf_job {
    gb_ctx *c;
    int32_t *pi;              /* parents, 32-bit (half the cache misses), in E's buffer */
    int64_t *x, *e;
    const int64_t *key;       /* node_id() of a position (the layout's perm), NULL: itself */
    const gb_items *items;
    int64_t skip;             /* phase 2 skips the nodes whose parent is this root */
    int64_t round;            /* phase 1 links each node's out-arc number `round` */
    int32_t big;              /* the last compression counts the nodes whose root is big */
    int64_t big_size;         /* (added to atomically, once per item) */
} uf_job;

static inline int64_t key_of(const uf_job *j, int64_t v)
{
    return j->key != NULL ? j->key[v] : v;
}

static inline int32_t parent(const uf_job *j, int64_t v)
{
    return __atomic_load_n(&j->pi[v], __ATOMIC_RELAXED);
}

/* Joins u's and v's trees: the root with the larger key goes under the other. */
static void link(const uf_job *j, int64_t u, int64_t v)
{
    int32_t p1 = parent(j, u), p2 = parent(j, v);
    while (p1 != p2) {
        const int32_t high = key_of(j, p1) > key_of(j, p2) ? p1 : p2;
        const int32_t low = high == p1 ? p2 : p1;
        /* read before the compare-and-swap: a high that is no longer a root (the common
         * case once trees grow) costs a shared read, not a locked write to a hot line */
        int32_t seen = parent(j, high);
        if (seen == high && __atomic_compare_exchange_n(&j->pi[high], &seen, low, 0,
                                                        __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
            return;
        if (seen == low)
            return;
        p1 = parent(j, seen);   /* high was linked meanwhile: climb on from there */
        p2 = parent(j, low);
    }
}

static void compress(const uf_job *j, int64_t v)
{
    int32_t p = parent(j, v), gp;
    while ((gp = parent(j, p)) != p) {
        __atomic_store_n(&j->pi[v], gp, __ATOMIC_RELAXED);
        p = gp;
    }
}

static gb_status init_item(void *arg, int worker, int64_t item)
{
    const uf_job *j = arg;
    (void)worker;
    for (int64_t v = j->items->bound[item]; v < j->items->bound[item + 1]; v++)
        j->pi[v] = (int32_t)v;
    return GB_OK;
}

/* One neighbor-sampling round: every node's out-arc number j->round, if it has one. */
static gb_status sample_item(void *arg, int worker, int64_t item)
{
    const uf_job *j = arg;
    const gb_ctx *c = j->c;
    (void)worker;
    for (int64_t v = j->items->bound[item]; v < j->items->bound[item + 1]; v++) {
        const int64_t q = gb_ctx_off(c, GB_DIR_OUT, v) + j->round;
        if (q < gb_ctx_off(c, GB_DIR_OUT, v + 1))
            link(j, v, gb_idx_get(c->adj[GB_DIR_OUT], c->nb, q));
    }
    return GB_OK;
}

static gb_status compress_item(void *arg, int worker, int64_t item)
{
    const uf_job *j = arg;
    (void)worker;
    for (int64_t v = j->items->bound[item]; v < j->items->bound[item + 1]; v++)
        compress(j, v);
    return GB_OK;
}

/* The last compression, counting the nodes it leaves under root j->big. */
static gb_status compress_count_item(void *arg, int worker, int64_t item)
{
    uf_job *j = arg;
    int64_t count = 0;
    (void)worker;
    for (int64_t v = j->items->bound[item]; v < j->items->bound[item + 1]; v++) {
        compress(j, v);
        count += parent(j, v) == j->big;
    }
    __atomic_fetch_add(&j->big_size, count, __ATOMIC_RELAXED);
    return GB_OK;
}

/* Every other arc of the nodes outside the skipped component. */
static gb_status finish_item(void *arg, int worker, int64_t item)
{
    const uf_job *j = arg;
    const gb_ctx *c = j->c;
    (void)worker;
    for (int64_t v = j->items->bound[item]; v < j->items->bound[item + 1]; v++) {
        int64_t a = gb_ctx_off(c, GB_DIR_OUT, v), b = gb_ctx_off(c, GB_DIR_OUT, v + 1);
        if (parent(j, v) == j->skip)
            continue;
        for (int64_t q = a + NEIGHBOR_ROUNDS; q < b; q++)
            link(j, v, gb_idx_get(c->adj[GB_DIR_OUT], c->nb, q));
        if (!c->directed)
            continue;
        a = gb_ctx_off(c, GB_DIR_IN, v), b = gb_ctx_off(c, GB_DIR_IN, v + 1);
        for (int64_t q = a; q < b; q++)
            link(j, v, gb_idx_get(c->adj[GB_DIR_IN], c->nb, q));
    }
    return GB_OK;
}

/* Roots are compressed: each node's label is its root's key, into x (E's buffer still
 * holds the parents: E is written in a second step, copy_item). */
static gb_status label_item(void *arg, int worker, int64_t item)
{
    const uf_job *j = arg;
    (void)worker;
    for (int64_t v = j->items->bound[item]; v < j->items->bound[item + 1]; v++)
        j->x[v] = key_of(j, j->pi[v]);
    return GB_OK;
}

static gb_status copy_item(void *arg, int worker, int64_t item)
{
    const uf_job *j = arg;
    const int64_t v0 = j->items->bound[item], v1 = j->items->bound[item + 1];
    (void)worker;
    memcpy(j->e + v0, j->x + v0, (size_t)(v1 - v0) * sizeof *j->e);
    return GB_OK;
}

/* The most frequent root among SAMPLES nodes drawn with a fixed seed (ties: the smaller). */
static int64_t frequent_root(const uf_job *j, int64_t n)
{
    uint64_t roots[SAMPLES], state = 0x9e3779b97f4a7c15ull;
    int64_t best = -1, best_run = 0;
    for (int i = 0; i < SAMPLES; i++) {
        state ^= state << 13, state ^= state >> 7, state ^= state << 17;
        roots[i] = (uint64_t)j->pi[state % (uint64_t)n];
    }
    gb_sort_u64(roots, SAMPLES);
    for (int i = 0, run = 1; i < SAMPLES; i++, run++)
        if (i + 1 == SAMPLES || roots[i + 1] != roots[i]) {
            if (run > best_run)
                best = (int64_t)roots[i], best_run = run;
            run = 0;
        }
    return best;
}

/* Whether the plain loop, at pass number first (the counter now), would stay within
 * max_iterations: it needs at most as many passes as the largest component has nodes,
 * which is big's or at most all the others'. */
static gb_status within_limit(const uf_job *j, int64_t n, int64_t first, int64_t max_iterations,
                              int *ok)
{
    int64_t *size, largest = j->big_size > n - j->big_size ? j->big_size : n - j->big_size;
    *ok = first <= max_iterations && largest - 1 <= max_iterations - first;
    if (*ok)
        return GB_OK;
    largest = 0;
    if ((size = calloc((size_t)n, sizeof *size)) == NULL)
        return gb_err_set(j->c->err, GB_ENOMEM, -1, "out of memory counting component sizes");
    for (int64_t v = 0; v < n; v++)
        if (++size[j->pi[v]] > largest)
            largest = size[j->pi[v]];
    free(size);
    *ok = first <= max_iterations && largest - 1 <= max_iterations - first;
    return GB_OK;
}

gb_status gb_afforest_pass(gb_ctx *c, const gb_kernel *ke, int64_t max_iterations,
                           int64_t loc, int *done)
{
    const int64_t n = c->n;
    uf_job j = { c, c->slots[ke->out_slot], c->slots[ke->sp_slot], c->slots[ke->out_slot],
                 c->perm, &c->edge_items[GB_DIR_OUT], -1, 0, 0, 0 };
    const int64_t nitems = j.items->count;
    gb_status st;
    int ok;

    *done = 0;
    if (c->regs[ke->uf_step].i != 1 || (c->back_jumps > 0 && c->back_from == ke->ch_tail) ||
        n > INT32_MAX)
        return GB_OK;   /* a step the limit argument does not cover, not the first pass, or
                           more nodes than 32-bit parents hold: the plain loop */
    if (n == 0) {
        c->regs[ke->ch_reg].i = 0;
        return *done = 1, GB_OK;
    }
    if ((st = gb_run_items(c, nitems, init_item, &j)) != GB_OK)
        return st;
    for (j.round = 0; j.round < NEIGHBOR_ROUNDS; j.round++)   /* compressing after each */
        if ((st = gb_run_items(c, nitems, sample_item, &j)) != GB_OK ||
            (st = gb_run_items(c, nitems, compress_item, &j)) != GB_OK)
            return st;
    if (gb_interrupted(c))
        return gb_err_set(c->err, GB_EINTR, loc, "interrupted");
    j.skip = frequent_root(&j, n);
    if ((st = gb_run_items(c, nitems, finish_item, &j)) != GB_OK)
        return st;
    for (j.big = (int32_t)j.skip; j.pi[j.big] != j.big;)   /* its root now: linking is over */
        j.big = j.pi[j.big];
    if ((st = gb_run_items(c, nitems, compress_count_item, &j)) != GB_OK)
        return st;
    if (gb_interrupted(c))
        return gb_err_set(c->err, GB_EINTR, loc, "interrupted");
    if ((st = within_limit(&j, n, c->regs[ke->uf_counter].i, max_iterations, &ok)) != GB_OK)
        return st;
    gb_incr_forget(c, ke);   /* its copies no longer describe E */
    if (!ok)
        return GB_OK;        /* E is scratch: the pass that runs now writes all of it */
    if ((st = gb_run_items(c, nitems, label_item, &j)) != GB_OK ||
        (st = gb_run_items(c, nitems, copy_item, &j)) != GB_OK)
        return st;
    c->regs[ke->ch_reg].i = 0;
    *done = 1;
    return GB_OK;
}
