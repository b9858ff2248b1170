/*
 * frontier_push.c — frontier lists' top-down passes (frontier.c says when they run): each
 * node of X's list pushes along its arcs and claims the demanded nodes it reaches.
 */
#include "frontier_internal.h"

/* Per node item: unseen's words, a bit where S == c (items are whole blocks, so whole words). */
gb_status gb_fl_unseen_item(void *arg, int worker, int64_t item)
{
    fl_job *j = arg;
    int64_t v0, v1;

    (void)worker;
    gb_node_item_range(j->c, item, &v0, &v1);
    for (int64_t base = v0; base < v1; base += 64)
        j->st->unseen[base >> 6] =
            demanded_word(j->c, j->ke, base, 0, v1 - base < 64 ? (int)(v1 - base) : 64);
    return GB_OK;
}

/* The claimed nodes of buf take E (when the claim did not set it), the folded stores or their
 * block's flag, and are listed.  Done a buffer at a time after the claims: a locked claim
 * waits for every store before it, so stores between claims would each cost a miss. */
static void settle(fl_job *j, int64_t *buf, int *len, int set_e, int64_t *degree)
{
    gb_ctx *c = j->c;
    uint8_t *e = c->slots[j->ke->out_slot];
    for (int i = 0; i < *len; i++) {
        const int64_t v = buf[i];
        if (set_e)
            __atomic_store_n(&e[v], 1, __ATOMIC_RELAXED);
        if (j->ke->fl_nstores >= 0)
            apply_stores(j, v);
        else
            __atomic_store_n(&j->st->blocks[v / GB_NODE_BLOCK], 1, __ATOMIC_RELAXED);
        *degree += gb_dirs_degree(c, j->dirs, j->ndirs, v);
    }
    gb_list_flush(j->st->touched, &j->ndst, buf, len);
}

/* X's listed nodes push: each demanded neighbor is claimed by one of them and listed once.
 * With unseen kept and cleared by a claim, its bit is S == c and not claimed yet (E is 0 at
 * the start), so the claim takes the bit; else E's byte, read S or unseen first. */
static inline __attribute__((always_inline)) void
push_chunk(fl_job *j, int64_t i0, int64_t i1, const int ob, const int nb)
{
    gb_ctx *c = j->c;
    uint8_t *e = c->slots[j->ke->out_slot];
    uint64_t *unseen = j->unseen;
    const int by_bit = unseen != NULL && j->clears;
    int64_t buf[LOCAL], degree = 0;
    int len = 0;

    for (int64_t i = i0; i < i1; i++) {
        const int64_t u = j->src[i];
        for (int q = 0; q < j->ndirs; q++) {
            const void *off = c->off[j->dirs[q]], *adj = c->adj[j->dirs[q]];
            const int64_t end = gb_idx_get(off, ob, u + 1);
            for (int64_t a = gb_idx_get(off, ob, u); a < end; a++) {
                const int64_t v = gb_idx_get(adj, nb, a);
                if (by_bit) {
                    uint64_t *w = &unseen[v >> 6], bit = 1ull << (v & 63);
                    if (!(__atomic_load_n(w, __ATOMIC_RELAXED) & bit) ||
                        !(__atomic_fetch_and(w, ~bit, __ATOMIC_RELAXED) & bit))
                        continue;
                } else {
                    if (__atomic_load_n(&e[v], __ATOMIC_RELAXED) ||
                        !(unseen ? unseen_at(unseen, v) : demanded(c, j->ke, v)) ||
                        __atomic_exchange_n(&e[v], 1, __ATOMIC_RELAXED))
                        continue;
                }
                buf[len++] = v;
                if (len == LOCAL)
                    settle(j, buf, &len, by_bit, &degree);
            }
        }
    }
    settle(j, buf, &len, by_bit, &degree);
    __atomic_fetch_add(&j->degree, degree, __ATOMIC_RELAXED);
}

gb_status gb_fl_push_item(void *arg, int worker, int64_t item)
{
    fl_job *j = arg;
    const int64_t i1 = j->nsrc - item * j->chunk < j->chunk ? j->nsrc : (item + 1) * j->chunk;
    (void)worker;
    if (gb_interrupted(j->c))
        return gb_err_set(&j->c->ws[worker].err, GB_EINTR, j->loc, "interrupted");
#define PUSH(OB, NB) push_chunk(j, item * j->chunk, i1, OB, NB)
    GB_BY_WIDTHS(j->c->ob, j->c->nb, PUSH);
#undef PUSH
    return GB_OK;
}
