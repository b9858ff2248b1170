/*
 * frontier_pull.c — frontier lists' bottom-up passes (frontier.c says when they run): the
 * frontier as a bitmap, each demanded node looking for a neighbor in it.
 */
#include "frontier_internal.h"

/* X's list into the bitmap (cleared before). */
gb_status gb_fl_bits_item(void *arg, int worker, int64_t item)
{
    fl_job *j = arg;
    const int64_t i1 = j->nsrc - item * CHUNK < CHUNK ? j->nsrc : (item + 1) * CHUNK;
    (void)worker;
    for (int64_t i = item * CHUNK; i < i1; i++)
        __atomic_fetch_or(&j->st->front[j->src[i] >> 6], 1ull << (j->src[i] & 63), __ATOMIC_RELAXED);
    return GB_OK;
}

/* Bottom-up with folded stores: each demanded node of the item looks for a neighbor in X
 * (demand.c's directions), stopping at the first; E is 0 everywhere before.  The demanded
 * nodes come 64 at a time, from unseen when it is kept (one bit per node instead of S's
 * 8 bytes, and a word of visited nodes skipped at once), else from S, building unseen
 * when asked.  A word may straddle two items: its bits change by atomic and/or. */
static inline __attribute__((always_inline)) void
claim_range(fl_job *j, int64_t v0, int64_t v1, const int ob, const int nb)
{
    gb_ctx *c = j->c;
    const gb_kernel *k = j->ke;
    const int dirs[2] = { k->dir == GB_DIR_IN ? GB_DIR_IN : GB_DIR_OUT, GB_DIR_IN };
    const int nr = k->dir == GB_DIR_BOTH && c->directed ? 2 : 1;
    const uint64_t *bits = j->st->front;
    uint64_t *unseen = j->st->unseen, *nfront = j->st->nfront;
    uint8_t *e = c->slots[k->out_slot];
    int64_t buf[LOCAL], degree = 0;
    int len = 0;

    for (int64_t base = v0 & ~(int64_t)63; base < v1; base += 64) {
        const int lo = v0 > base ? (int)(v0 - base) : 0;
        const int hi = v1 - base < 64 ? (int)(v1 - base) : 64;
        const uint64_t range = (hi == 64 ? ~0ull : (1ull << hi) - 1) & ~((1ull << lo) - 1);
        uint64_t todo = 0, hits = 0;
        if (j->unseen)
            todo = __atomic_load_n(&unseen[base >> 6], __ATOMIC_RELAXED) & range;
        else
            todo = demanded_word(c, k, base, lo, hi);
        for (uint64_t t = todo; t != 0; t &= t - 1) {
            const int64_t v = base + __builtin_ctzll(t);
            int hit = 0;
            for (int q = 0; q < nr && !hit; q++) {
                const void *off = c->off[dirs[q]], *adj = c->adj[dirs[q]];
                const int64_t end = gb_idx_get(off, ob, v + 1);
                for (int64_t a = gb_idx_get(off, ob, v); a < end; a++) {
                    const int64_t u = gb_idx_get(adj, nb, a);
                    if (bits[u >> 6] >> (u & 63) & 1) {
                        hit = 1;
                        break;
                    }
                }
            }
            if (!hit)
                continue;
            hits |= 1ull << (v - base);
            e[v] = 1;
            apply_stores(j, v);
            degree += gb_dirs_degree(c, j->dirs, j->ndirs, v);
            buf[len++] = v;
            if (len == LOCAL)
                gb_list_flush(j->st->touched, &j->ndst, buf, &len);
        }
        if (hits)   /* the next pass's X */
            __atomic_fetch_or(&nfront[base >> 6], hits, __ATOMIC_RELAXED);
        if (j->clears)
            todo &= ~hits;
        if (j->unseen && j->clears && hits)
            __atomic_fetch_and(&unseen[base >> 6], ~hits, __ATOMIC_RELAXED);
        else if (j->build && todo)
            __atomic_fetch_or(&unseen[base >> 6], todo, __ATOMIC_RELAXED);
    }
    gb_list_flush(j->st->touched, &j->ndst, buf, &len);
    __atomic_fetch_add(&j->degree, degree, __ATOMIC_RELAXED);
}

gb_status gb_fl_claim_item(void *arg, int worker, int64_t item)
{
    fl_job *j = arg;
    const gb_items *items = &j->c->edge_items[j->ke->dir];
    const int64_t v1 = items->bound[item + 1];
    (void)worker;
    for (int64_t a = items->bound[item]; a < v1; a += 4096) {
        const int64_t b = v1 - a < 4096 ? v1 : a + 4096;
        if (gb_interrupted(j->c))
            return gb_err_set(&j->c->ws[worker].err, GB_EINTR, j->loc, "interrupted");
#define CLAIM(OB, NB) claim_range(j, a, b, OB, NB)
        GB_BY_WIDTHS(j->c->ob, j->c->nb, CLAIM);
#undef CLAIM
    }
    return GB_OK;
}

gb_status gb_fl_pull_item(void *arg, int worker, int64_t item)
{
    fl_job *j = arg;
    const gb_items *items = &j->c->fused_items[j->ke->dir];
    return gb_fused_blocks(j->c, j->ke, j->kn, &j->c->ws[worker], items->bound[item],
                           items->bound[item + 1], j->red_base, j->loc);
}
