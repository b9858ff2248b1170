/*
 * frontier_internal.h — what frontier.c (the passes' driver), frontier_push.c (the top-down
 * push) and frontier_pull.c (the bottom-up claim) share.
 */
#ifndef FRONTIER_INTERNAL_H
#define FRONTIER_INTERNAL_H

#include "exec_internal.h"

enum { ALPHA = 15, BETA = 18, CHUNK = 2048, LOCAL = 256 };
/* A push splits its list into about PUSH_ITEMS items per worker (at most CHUNK nodes each)
 * once the frontier has PUSH_SPLIT arcs: BFS's second level is a hundred-odd nodes whose
 * arcs are a good part of the graph, which one CHUNK item would leave to one thread. */
enum { PUSH_ITEMS = 16, PUSH_SPLIT = 1024 };
/* A push over at least n / UNSEEN_PUSH arcs first builds unseen (one read of S), when it is
 * kept (fl_unseen) and a claim clears it: n/8 bytes of bits stay in cache where S does not. */
enum { UNSEEN_PUSH = 4 };

/* One pass's job, handed to every work item. */
typedef struct fl_job {
    gb_ctx *c;
    const gb_kernel *ke, *kn;
    gb_incr *st;
    int ndirs, dirs[2];
    int64_t red_base, loc;
    const int64_t *src;                /* the list a chunked step walks */
    int64_t nsrc;
    int64_t *dst;                      /* where it appends */
    int64_t ndst, degree;              /* appended / added to atomically */
    int64_t chunk;                     /* list nodes per push item */
    uint64_t *unseen;                  /* kept: read it for S == c; else NULL */
    int build;                         /* a bottom-up pass fills unseen (zeroed before) */
    int clears;                        /* a claim makes S != c */
    /* the folded stores this pass, E's own left out (a claim sets E itself): nstores of
     * them, each a bool slot's bytes (byte) or an int slot's words (word), and its value */
    int nstores;
    uint8_t *byte[4], byte_val[4];
    int64_t *word[4], word_val[4];
} fl_job;

/* A claimed node takes the folded stores (atomic: pushes read S meanwhile). */
static inline void apply_stores(const fl_job *j, int64_t v)
{
    for (int i = 0; i < j->nstores; i++) {
        if (j->byte[i] != NULL)
            __atomic_store_n(j->byte[i] + v, j->byte_val[i], __ATOMIC_RELAXED);
        else
            __atomic_store_n(j->word[i] + v, j->word_val[i], __ATOMIC_RELAXED);
    }
}

static inline int demanded(const gb_ctx *c, const gb_kernel *k, int64_t v)
{
    const void *s = c->slots[k->demand_slot];
    return c->p->slot_dtypes[k->demand_slot] == GB_BOOL
               ? __atomic_load_n((const uint8_t *)s + v, __ATOMIC_RELAXED) == (k->demand_value != 0)
               : __atomic_load_n((const int64_t *)s + v, __ATOMIC_RELAXED) == k->demand_value;
}

/* Bits lo .. hi-1 of the word of nodes from base: S == c there (plain loads: a claim writes
 * S only at its own node, and a build runs in a step of its own). */
static inline uint64_t demanded_word(const gb_ctx *c, const gb_kernel *k, int64_t base, int lo,
                                     int hi)
{
    const int64_t want = k->demand_value;
    uint64_t word = 0;
    if (c->p->slot_dtypes[k->demand_slot] == GB_BOOL) {
        const uint8_t *s8 = c->slots[k->demand_slot];
        for (int b = lo; b < hi; b++)
            word |= (uint64_t)(s8[base + b] == (want != 0)) << b;
    } else {
        const int64_t *s64 = c->slots[k->demand_slot];
        for (int b = lo; b < hi; b++)
            word |= (uint64_t)(s64[base + b] == want) << b;
    }
    return word;
}

static inline int unseen_at(const uint64_t *unseen, int64_t v)
{
    return __atomic_load_n(&unseen[v >> 6], __ATOMIC_RELAXED) >> (v & 63) & 1;
}

static inline int64_t chunks(int64_t count)
{
    return (count + CHUNK - 1) / CHUNK;
}

/* frontier_pull.c: X's list into the front bitmap (per CHUNK of the list); bottom-up with
 * folded stores (per edge item); bottom-up as the demand pull fused with the node kernel
 * (per fused item). */
gb_status gb_fl_bits_item(void *arg, int worker, int64_t item);
/* frontier_push.c: unseen's words from S (per node item); the top-down push (per chunk of
 * X's list) */
gb_status gb_fl_unseen_item(void *arg, int worker, int64_t item);
gb_status gb_fl_push_item(void *arg, int worker, int64_t item);
gb_status gb_fl_claim_item(void *arg, int worker, int64_t item);
gb_status gb_fl_pull_item(void *arg, int worker, int64_t item);

#endif
