/*
 * incr_push.c — the push form of an incremental pass, for min, max and count.
 *
 * When every changed input of `min(x[u] + w for u in in_nbrs)` moved down (Bellman-Ford,
 * connected components), the new result at v is min(old result, new x[u] + w over the
 * changed u alone): no node has to read all of its neighbors again.  Each changed node
 * pushes its candidates along its reverse-CSR arcs into the kept results with an atomic
 * lower-if-less, so a pass costs the degrees of the changed nodes rather than those of
 * the nodes around them (the pull form in incremental.c), and in the middle rounds of
 * Bellman-Ford, where most nodes have a changed neighbor but few changed, that is the
 * difference between a full pass and a small one.
 *
 * The result must still be a full pass's bits.  min over doubles is order-free except
 * for NaN (the fold keeps one) and for a tie between 0.0 and -0.0 (the fold keeps the
 * first); a candidate that is NaN or ties with different bits makes the caller run the
 * pass in full instead.  Integers are order-free.
 *
 * count of a bool x[u] (k-core peeling) pushes too: a node whose x flipped adds +1 or -1
 * to the count of each node it is a neighbor of, once per arc, as the pull counts it.
 * Integer adds commute, so the counts are a full pass's whatever the order.
 */
#include <string.h>

#include "exec_internal.h"

int gb_push_improves(int agg, int32_t dtype, const void *now, const void *was)
{
    if (dtype == GB_F64) {
        double a, b;
        memcpy(&a, now, 8);
        memcpy(&b, was, 8);
        return agg == GB_AGG_MIN ? a < b : a > b;   /* false for NaN either side */
    }
    int64_t a, b;
    memcpy(&a, now, 8);
    memcpy(&b, was, 8);
    return agg == GB_AGG_MIN ? a < b : a > b;
}

typedef struct push_job {
    gb_ctx *c;
    const gb_kernel *k;
    uint64_t *kept;           /* the results of the last pass, lowered (raised) in place */
    int ndirs;
    const int *dirs;
    int conflict;             /* set (atomically) on a NaN candidate or a signed-zero tie */
} push_job;

/* Lowers (is_min) or raises *slot to the double cand; nonzero when the fold could have
 * kept other bits than this order-free update does. */
static inline int push_f(uint64_t *slot, double cand, const int is_min)
{
    uint64_t cur = __atomic_load_n(slot, __ATOMIC_RELAXED), want;
    double now;

    memcpy(&want, &cand, 8);
    for (;;) {
        memcpy(&now, &cur, 8);
        if (is_min ? !(cand < now) : !(cand > now))
            return cand != cand || (cand == now && cur != want);
        if (__atomic_compare_exchange_n(slot, &cur, want, 1, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
            return 0;
    }
}

static inline void push_i(uint64_t *slot, int64_t cand, const int is_min)
{
    uint64_t cur = __atomic_load_n(slot, __ATOMIC_RELAXED);
    for (;;) {
        if (is_min ? !(cand < (int64_t)cur) : !(cand > (int64_t)cur))
            return;
        if (__atomic_compare_exchange_n(slot, &cur, (uint64_t)cand, 1, __ATOMIC_RELAXED,
                                        __ATOMIC_RELAXED))
            return;
    }
}

/* The changed nodes of one item push along their arcs; all shape arguments are constants
 * at each call (GB_BY_WIDTHS, and the four shapes below). */
static inline __attribute__((always_inline)) int
push_list(const push_job *j, const int64_t *list, int64_t count, const int is_f,
          const int plus, const int is_min, const int ob, const int nb)
{
    const gb_ctx *c = j->c;
    const double *xf = c->slots[j->k->sp_slot];
    const int64_t *xi = c->slots[j->k->sp_slot];
    int conflict = 0;

    for (int64_t i = 0; i < count; i++) {
        const int64_t u = list[i];
        for (int q = 0; q < j->ndirs; q++) {
            const void *off = c->off[j->dirs[q]], *adj = c->adj[j->dirs[q]];
            const double *wt = c->wt[j->dirs[q]];
            const int64_t end = gb_idx_get(off, ob, u + 1);
            for (int64_t e = gb_idx_get(off, ob, u); e < end; e++) {
                uint64_t *slot = j->kept + gb_idx_get(adj, nb, e);
                if (is_f)
                    conflict |= push_f(slot, plus ? xf[u] + (wt != NULL ? wt[e] : 1.0) : xf[u],
                                       is_min);
                else
                    push_i(slot, xi[u], is_min);
            }
        }
    }
    return conflict;
}

static inline __attribute__((always_inline)) void
push_count(const push_job *j, const int64_t *list, int64_t count, const int ob, const int nb)
{
    const gb_ctx *c = j->c;
    const uint8_t *x = c->slots[j->k->sp_slot];

    for (int64_t i = 0; i < count; i++) {
        const int64_t u = list[i];
        const uint64_t delta = x[u] != 0 ? 1 : UINT64_MAX;   /* +1 or -1, wrapping */
        for (int q = 0; q < j->ndirs; q++) {
            const void *off = c->off[j->dirs[q]], *adj = c->adj[j->dirs[q]];
            const int64_t end = gb_idx_get(off, ob, u + 1);
            for (int64_t e = gb_idx_get(off, ob, u); e < end; e++)
                __atomic_fetch_add(j->kept + gb_idx_get(adj, nb, e), delta, __ATOMIC_RELAXED);
        }
    }
}

static gb_status push_item(void *arg, int worker, int64_t item)
{
    push_job *j = arg;
    const gb_ctx *c = j->c;
    const int64_t *list = c->changed + c->node_items.bound[item] * GB_NODE_BLOCK;
    const int64_t count = c->item_changed[item];
    const int is_f = c->p->slot_dtypes[j->k->sp_slot] == GB_F64;
    const int plus = j->k->special == GB_SHAPE_PLUS_WEIGHT, is_min = j->k->agg == GB_AGG_MIN;
    int conflict = 0;

    (void)worker;
    if (j->k->agg == GB_AGG_COUNT) {
#define COUNT(OB, NB) push_count(j, list, count, OB, NB)
        GB_BY_WIDTHS(c->ob, c->nb, COUNT);
#undef COUNT
        return GB_OK;
    }
#define PUSH(OB, NB)                                                                    \
    conflict = !is_f ? (is_min ? push_list(j, list, count, 0, 0, 1, OB, NB)             \
                               : push_list(j, list, count, 0, 0, 0, OB, NB))            \
             : plus  ? (is_min ? push_list(j, list, count, 1, 1, 1, OB, NB)             \
                               : push_list(j, list, count, 1, 1, 0, OB, NB))            \
                     : (is_min ? push_list(j, list, count, 1, 0, 1, OB, NB)             \
                               : push_list(j, list, count, 1, 0, 0, OB, NB))
    GB_BY_WIDTHS(c->ob, c->nb, PUSH);
#undef PUSH
    if (conflict)
        __atomic_store_n(&j->conflict, 1, __ATOMIC_RELAXED);
    return GB_OK;
}

gb_status gb_push_run(gb_ctx *c, const gb_kernel *k, unsigned char *kept, int ndirs,
                      const int dirs[2], int *conflict)
{
    push_job j = { c, k, (uint64_t *)(void *)kept, ndirs, dirs, 0 };
    gb_status s = gb_run_items(c, c->node_items.count, push_item, &j);
    *conflict = j.conflict;
    return s;
}
