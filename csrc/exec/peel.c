/*
 * peel.c — k-core's peeling loop nest run as bucketed peeling (GB_KH_ORDERED).
 *
 * The nest (peel_check.c) peels, for each level k, every alive node with D <= k, and
 * repeats with D recounted over the alive neighbors until none is left at that level.
 * Run as written, every pass sweeps all n nodes.  Here the same passes run in the same
 * order, each costing what it changes:
 * - the alive nodes are kept as a list, compacted once per level, so the level step
 *   min(where(A, D, top)) and the first peel set cost the alive nodes;
 * - after the nest's first recount, D[v] always equals v's count of alive neighbors, so a
 *   round's recount is a push: each peeled node subtracts 1 from D at the end of each of
 *   its arcs (the arcs the pull counts, reversed), and the next round's peel set is
 *   exactly the alive nodes whose D went from k + 1 to k -- every other alive node had
 *   D > k when the round began and moved by at most what it lost;
 * - P holds exactly the current peel set (cleared and set node by node).
 * The scalar instructions run one by one as the interpreter runs them (registers,
 * iteration checks, jump counts), so the slots and registers end bitwise as the
 * interpreter leaves them, for any thread count: D is an exact integer count, and C, A
 * and P depend only on which nodes peel at which level, not on the order of the pushes.
 * Each round counts as one push pass of the FUSED instruction (the first as a dense one).
 */
#include <stdlib.h>
#include <string.h>

#include "exec_internal.h"

#define SERIAL_PEEL 2048   /* a peel set this small pushes on the calling thread */

typedef struct peel_job {
    gb_ctx *c;
    const int64_t *from;       /* the peel set */
    int64_t count, k;
    int64_t *next, nnext;      /* the next peel set (appended atomically) */
    int ndirs, dirs[2];
    int64_t *d;
    const uint8_t *a;
} peel_job;

static inline void bump(int64_t *counts, int64_t pc, int i)
{
    if (counts != NULL)
        counts[pc * GB_COUNTS_PER_INSTR + i]++;
}

/* One scalar instruction as interpret runs it. */
static gb_status scalar(gb_ctx *c, int64_t pc, int64_t max_iterations)
{
    const int64_t *w = c->p->code + pc * GB_INSTR_WIDTH;
    gb_value *r = c->regs;
    int64_t bad = 0;
    gb_status st;

    switch (w[0]) {
    case GB_OP_CONST:
        r[w[2]].i = w[3];
        return GB_OK;
    case GB_OP_MOV:
        r[w[2]] = r[w[3]];
        return GB_OK;
    case GB_OP_CHECK_ITER:
        if (gb_interrupted(c))
            return gb_err_set(c->err, GB_EINTR, w[1], "interrupted");
        if (r[w[2]].i > max_iterations)
            return gb_err_set(c->err, GB_EITER, w[1], "while loop exceeded %lld iterations",
                              (long long)max_iterations);
        return GB_OK;
    default:   /* ADD_I, MAX_I */
        st = gb_ops_apply(w[0], 1, &r[w[2]], &r[w[3]], &r[w[4]], &r[w[5]], &bad);
        return st == GB_OK ? GB_OK : gb_ops_fail(c->err, w[1], w[0], st, r[w[3]], r[w[4]]);
    }
}

/* A jump at pc taken or not, counted as interpret counts it. */
static gb_status jump(gb_ctx *c, int64_t pc, int taken, int64_t *counts)
{
    bump(counts, pc, taken ? GB_COUNT_TAKEN : GB_COUNT_NOT_TAKEN);
    if (taken && c->p->code[pc * GB_INSTR_WIDTH + 2 + (c->p->code[pc * GB_INSTR_WIDTH] ==
                                                        GB_OP_JUMP_IF_FALSE)] <= pc) {
        if (gb_interrupted(c))
            return gb_err_set(c->err, GB_EINTR, c->p->code[pc * GB_INSTR_WIDTH + 1], "interrupted");
        c->back_jumps++, c->back_from = pc;
    }
    return GB_OK;
}

/* Subtracts 1 from D at the end of each arc of the peel set's nodes [i0, i1); appends
 * the alive nodes whose D fell to k. */
static inline __attribute__((always_inline)) void
push_range(peel_job *j, int64_t i0, int64_t i1, const int atomic, const int ob, const int nb)
{
    int64_t buf[256];
    int len = 0;

    for (int64_t i = i0; i < i1; i++) {
        const int64_t u = j->from[i];
        for (int q = 0; q < j->ndirs; q++) {
            const void *off = j->c->off[j->dirs[q]], *adj = j->c->adj[j->dirs[q]];
            const int64_t end = gb_idx_get(off, ob, u + 1);
            for (int64_t e = gb_idx_get(off, ob, u); e < end; e++) {
                const int64_t v = gb_idx_get(adj, nb, e);
                int64_t was;
                if (atomic)
                    was = (int64_t)__atomic_fetch_sub((uint64_t *)&j->d[v], 1, __ATOMIC_RELAXED);
                else
                    was = j->d[v]--;
                if (j->k == INT64_MAX || was != j->k + 1 || !j->a[v])
                    continue;
                buf[len++] = v;
                if (len == 256)
                    gb_list_flush(j->next, &j->nnext, buf, &len);
            }
        }
    }
    gb_list_flush(j->next, &j->nnext, buf, &len);
}

static gb_status push_item(void *arg, int worker, int64_t item)
{
    peel_job *j = arg;
    const int64_t i0 = item * SERIAL_PEEL;
    const int64_t i1 = i0 + SERIAL_PEEL < j->count ? i0 + SERIAL_PEEL : j->count;
    (void)worker;
#define PUSH(OB, NB) push_range(j, i0, i1, 1, OB, NB)
    GB_BY_WIDTHS(j->c->ob, j->c->nb, PUSH);
#undef PUSH
    return GB_OK;
}

static gb_status push_round(peel_job *j)
{
    if (j->count <= SERIAL_PEEL || j->c->nworkers <= 1) {
#define PUSH(OB, NB) push_range(j, 0, j->count, 0, OB, NB)
        GB_BY_WIDTHS(j->c->ob, j->c->nb, PUSH);
#undef PUSH
        return GB_OK;
    }
    return gb_run_items(j->c, (j->count + SERIAL_PEEL - 1) / SERIAL_PEEL, push_item, j);
}

/* D[v] = count of alive neighbors, pulled over the edge kernel's arcs at every node. */
static gb_status recount_item(void *arg, int worker, int64_t item)
{
    peel_job *j = arg;
    const gb_ctx *c = j->c;
    const int64_t v0 = c->node_items.bound[item] * GB_NODE_BLOCK;
    int64_t v1 = c->node_items.bound[item + 1] * GB_NODE_BLOCK;
    (void)worker;
    if (v1 > c->n)
        v1 = c->n;
    for (int64_t v = v0; v < v1; v++) {
        int64_t n = 0;
        for (int q = 0; q < j->ndirs; q++) {
            const int dir = j->dirs[q];
            const int64_t end = gb_ctx_off(c, dir, v + 1);
            for (int64_t e = gb_ctx_off(c, dir, v); e < end; e++)
                n += j->a[gb_idx_get(c->adj[dir], c->nb, e)] != 0;
        }
        j->d[v] = n;
    }
    return GB_OK;
}

/* The CSR directions the edge kernel pulls over at v (the pushes walk the reverse). */
static int pull_dirs(const gb_ctx *c, const gb_kernel *ke, int dirs[2])
{
    if (!c->directed || ke->dir == GB_DIR_OUT) {
        dirs[0] = GB_DIR_OUT;
        return 1;
    }
    dirs[0] = GB_DIR_IN;
    if (ke->dir == GB_DIR_IN)
        return 1;
    dirs[1] = GB_DIR_OUT;
    return 2;
}

typedef struct nest {
    gb_ctx *c;
    const int64_t *pl;
    int64_t max_it, *counts;
    int64_t *alive, nalive;    /* the alive nodes, and after a level the ones it peeled */
    int64_t left;              /* the alive nodes */
    int64_t *cur, *nxt;        /* a round's peel set and the next one's room (n each) */
} nest;

/* One level's rounds, from the peel step (h+6) to the inner loop's exit (h+16).  The first
 * `ties` entries of t->cur are the alive nodes whose D is lo, the least D among them. */
static gb_status level(nest *t, peel_job *pull, peel_job *push, int *first, int64_t lo,
                       int64_t ties)
{
    gb_ctx *c = t->c;
    const int64_t h = t->pl[0], k = c->regs[t->pl[6]].i;
    uint8_t *a = c->slots[t->pl[1]], *pp = c->slots[t->pl[4]];
    int64_t *d = c->slots[t->pl[2]], *core = c->slots[t->pl[3]];
    int64_t nf = 0;
    gb_status st;

    /* h+6: P = A and D <= k (P is 0 everywhere between levels): when k is the least D,
     * the nodes holding it */
    if (k == lo)
        nf = ties;
    else
        for (int64_t i = 0; i < t->nalive; i++)
            if (d[t->alive[i]] <= k)
                t->cur[nf++] = t->alive[i];
    for (int64_t i = 0; i < nf; i++)
        pp[t->cur[i]] = 1;
    bump(t->counts, h + 6, GB_COUNT_DENSE);
    for (int64_t q = h + 7; q <= h + 8; q++)
        if ((st = scalar(c, q, t->max_it)) != GB_OK)
            return st;
    for (;;) {
        c->regs[c->p->code[(h + 10) * GB_INSTR_WIDTH + 2]].i = nf > 0;   /* h+9: any(P) */
        bump(t->counts, h + 9, GB_COUNT_DENSE);
        if ((st = jump(c, h + 10, nf == 0, t->counts)) != GB_OK || nf == 0)
            return st;
        for (int64_t q = h + 11; q <= h + 12; q++)
            if ((st = scalar(c, q, t->max_it)) != GB_OK)
                return st;
        for (int64_t i = 0; i < nf; i++)   /* h+13: C = where(P, k, C); A = A and not P */
            core[t->cur[i]] = k, a[t->cur[i]] = 0, pp[t->cur[i]] = 0;
        t->left -= nf;
        bump(t->counts, h + 13, GB_COUNT_DENSE);
        if (*first) {   /* h+14 in full: D is exact from here on */
            if ((st = gb_run_items(c, c->node_items.count, recount_item, pull)) != GB_OK)
                return st;
            *first = 0;
            nf = 0;
            for (int64_t i = 0; i < t->nalive; i++)
                if (a[t->alive[i]] && d[t->alive[i]] <= k)
                    t->cur[nf++] = t->alive[i];
            bump(t->counts, h + 14, GB_COUNT_DENSE);
        } else {        /* h+14 as pushes from the peeled nodes */
            int64_t *was = t->cur;
            push->from = t->cur, push->count = nf, push->k = k;
            push->next = t->nxt, push->nnext = 0;
            if ((st = push_round(push)) != GB_OK)
                return st;
            t->cur = t->nxt, t->nxt = was;
            nf = push->nnext;
            bump(t->counts, h + 14, GB_COUNT_PUSH);
        }
        for (int64_t i = 0; i < nf; i++)
            pp[t->cur[i]] = 1;
        if ((st = jump(c, h + 15, 1, t->counts)) != GB_OK)
            return st;
    }
}

gb_status gb_peel_run(gb_ctx *c, const gb_kernel *ka, int64_t max_iterations, int64_t *counts,
                      int64_t *next_pc)
{
    const int64_t *pl = ka->pl, h = pl[0];
    const gb_kernel *ke = &c->p->kernels[pl[5]];
    const uint8_t *a = c->slots[pl[1]];
    const int64_t *d = c->slots[pl[2]];
    nest t = { c, pl, max_iterations, counts, NULL, 0, 0, NULL, NULL };
    peel_job pull = { c, NULL, 0, 0, NULL, 0, 0, { 0, 0 }, c->slots[pl[2]], c->slots[pl[1]] };
    peel_job push = pull;
    int first = 1;
    gb_status st = GB_OK;

    *next_pc = -1;
    pull.ndirs = pull_dirs(c, ke, pull.dirs);
    push.ndirs = gb_incr_reverse_dirs(c, ke, push.dirs);
    for (int q = 0; q < 2; q++)
        if ((q < pull.ndirs && c->off[pull.dirs[q]] == NULL) ||
            (q < push.ndirs && c->off[push.dirs[q]] == NULL))
            return GB_OK;   /* no CSR for a direction: the nest runs as written */
    /* the alive list, a peel set and the next one: n each */
    if ((uint64_t)c->n > SIZE_MAX / (3 * sizeof(int64_t)) ||
        (t.alive = malloc((size_t)(c->n > 0 ? c->n : 1) * 3 * sizeof(int64_t))) == NULL)
        return gb_err_set(c->err, GB_ENOMEM, ka->loc, "out of memory for bucketed peeling "
                          "(%lld nodes)", (long long)c->n);
    t.cur = t.alive + c->n, t.nxt = t.alive + 2 * c->n;
    for (int64_t v = 0; v < c->n; v++)
        if (a[v])
            t.alive[t.nalive++] = v;
    t.left = t.nalive;
    for (;;) {
        int64_t lo = INT64_MAX, kept = 0, ties = 0, least;
        /* h+0: any(A) */
        c->regs[c->p->code[(h + 1) * GB_INSTR_WIDTH + 2]].i = t.left > 0;
        bump(counts, h, GB_COUNT_PUSH);   /* the loop report's sign that the nest ran here */
        if ((st = jump(c, h + 1, t.left == 0, counts)) != GB_OK || t.left == 0)
            break;
        if ((st = scalar(c, h + 2, max_iterations)) != GB_OK ||
            (st = scalar(c, h + 3, max_iterations)) != GB_OK)
            break;
        for (int64_t i = 0; i < t.nalive; i++) {   /* h+4: min(where(A, D, top)) */
            const int64_t v = t.alive[i];
            if (!a[v])   /* the list loses the nodes the last level peeled */
                continue;
            t.alive[kept++] = v;
            if (d[v] < lo)
                lo = d[v], ties = 0;
            if (d[v] == lo)   /* the nodes holding the least D so far */
                t.cur[ties++] = v;
        }
        t.nalive = kept;
        least = lo;
        if (t.left < c->n && c->regs[pl[7]].i < lo)
            lo = c->regs[pl[7]].i;
        c->regs[pl[8]].i = lo;
        bump(counts, h + 4, GB_COUNT_DENSE);
        if ((st = scalar(c, h + 5, max_iterations)) != GB_OK)
            break;
        if (first)   /* P as the peel step leaves it: 0 off the peel set */
            memset(c->slots[pl[4]], 0, (size_t)c->n);
        if ((st = level(&t, &pull, &push, &first, least, ties)) != GB_OK)
            break;
        for (int64_t q = h + 16; q <= h + 17 && st == GB_OK; q++)
            st = scalar(c, q, max_iterations);
        if (st != GB_OK || (st = jump(c, h + 18, 1, counts)) != GB_OK)
            break;
    }
    free(t.alive);
    gb_incr_forget(c, ke);   /* D changed behind the incremental copies */
    if (st == GB_OK)
        *next_pc = h + 19;
    return st;
}
