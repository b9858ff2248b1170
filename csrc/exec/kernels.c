/*
 * kernels.c — micro-ops over a block of lanes, and node kernels with their reductions.
 *
 * A kernel pays interpretation once per micro-op per block: one switch, then a tight
 * loop over the block's lanes (GB_NODE_BLOCK nodes, or up to GB_EDGE_BLOCK edges in
 * edge.c).  Temps are lane arrays: temp t of the current block is
 * s->temps[t * stride .. t * stride + lanes).
 *
 * Reductions keep one partial per node block and combine the partials in block order
 * after the last block, so a sum of floats is the same bits for any split of the blocks
 * across threads.  exec_items.c runs kernels as work items on the pool: node kernels
 * take ranges of whole blocks, edge kernels node ranges balanced by edge count, FUSED
 * pairs block ranges balanced the same way; each worker has its own scratch.
 */
#include <math.h>
#include <string.h>

#include "exec_internal.h"

/* splitmix64's output function (Steele, Lea, Flood, "Fast Splittable Pseudorandom
 * Number Generators", OOPSLA 2014): a bijective 64-bit mix, so random(seed) is a pure
 * function of (seed, v) and does not depend on block or thread order. */
static inline uint64_t splitmix64(uint64_t z)
{
    z += 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* d[l] = slot[v] for lane l, v = idx[l] if idx is given, else v0 + l. */
static void load_lanes(gb_value *d, const void *slot, int32_t dtype, int64_t v0,
                       const int64_t *idx, int64_t lanes)
{
    switch (dtype) {
    case GB_F64: {
        const double *s = slot;
        if (idx != NULL)
            for (int64_t l = 0; l < lanes; l++) d[l].f = s[idx[l]];
        else
            for (int64_t l = 0; l < lanes; l++) d[l].f = s[v0 + l];
        break;
    }
    case GB_I64: {
        const int64_t *s = slot;
        if (idx != NULL)
            for (int64_t l = 0; l < lanes; l++) d[l].i = s[idx[l]];
        else
            for (int64_t l = 0; l < lanes; l++) d[l].i = s[v0 + l];
        break;
    }
    default: {
        const uint8_t *s = slot;
        if (idx != NULL)
            for (int64_t l = 0; l < lanes; l++) d[l].i = s[idx[l]] != 0;
        else
            for (int64_t l = 0; l < lanes; l++) d[l].i = s[v0 + l] != 0;
        break;
    }
    }
}

/* slot[v0 + l] = t[l], as the slot's dtype: floats and ints by their 64 bits, bools 0/1. */
static void store_lanes(void *slot, int32_t dtype, const gb_value *t, int64_t v0, int64_t lanes)
{
    switch (dtype) {
    case GB_F64: {
        double *s = (double *)slot + v0;
        for (int64_t l = 0; l < lanes; l++) s[l] = t[l].f;
        break;
    }
    case GB_I64: {
        int64_t *s = (int64_t *)slot + v0;
        for (int64_t l = 0; l < lanes; l++) s[l] = t[l].i;
        break;
    }
    default: {
        uint8_t *s = (uint8_t *)slot + v0;
        for (int64_t l = 0; l < lanes; l++) s[l] = t[l].i != 0;
        break;
    }
    }
}

/* d[l] (+)= off[v + 1] - off[v]: a degree from CSR offsets of ob bytes (a constant). */
static inline __attribute__((always_inline)) void
degree_lanes_t(gb_value *d, const void *off, int add, int64_t v0, const int64_t *idx,
               int64_t lanes, const int ob)
{
    if (idx != NULL) {
        for (int64_t l = 0; l < lanes; l++) {
            int64_t deg = gb_idx_get(off, ob, idx[l] + 1) - gb_idx_get(off, ob, idx[l]);
            d[l].i = add ? d[l].i + deg : deg;
        }
    } else {
        for (int64_t l = 0; l < lanes; l++) {
            int64_t deg = gb_idx_get(off, ob, v0 + l + 1) - gb_idx_get(off, ob, v0 + l);
            d[l].i = add ? d[l].i + deg : deg;
        }
    }
}

static void degree_lanes(gb_value *d, const void *off, int ob, int add, int64_t v0,
                         const int64_t *idx, int64_t lanes)
{
    if (ob == 4)
        degree_lanes_t(d, off, add, v0, idx, lanes, 4);
    else
        degree_lanes_t(d, off, add, v0, idx, lanes, 8);
}

/* Whether x beats the best so far y of an arg reduction: strictly better, or equal
 * (NaN never is) with the smaller node index i vs j. */
static int arg_better(int64_t op, gb_value x, gb_value y, int64_t i, int64_t j)
{
    int is_min = op == GB_OP_RED_ARGMIN_I || op == GB_OP_RED_ARGMIN_F;
    if (op == GB_OP_RED_ARGMIN_F || op == GB_OP_RED_ARGMAX_F)
        return is_min ? x.f < y.f || (x.f == y.f && i < j) : x.f > y.f || (x.f == y.f && i < j);
    return is_min ? x.i < y.i || (x.i == y.i && i < j) : x.i > y.i || (x.i == y.i && i < j);
}

/* One block's partial of a RED_* micro-op over lanes v0 .. v0+lanes-1.  perm (a relabeled
 * graph's, else NULL): arg reductions give input indices, ties going to the smallest, as
 * on the input layout. */
static void reduce_block(int64_t op, const gb_value *x, int64_t lanes, int64_t v0,
                         const int64_t *perm, gb_value *part, int64_t *part_idx)
{
    int64_t best_l = -1;
    if (perm != NULL && op >= GB_OP_RED_ARGMIN_I && op <= GB_OP_RED_ARGMAX_F) {
        int is_f = op == GB_OP_RED_ARGMIN_F || op == GB_OP_RED_ARGMAX_F;
        for (int64_t l = 0; l < lanes; l++)
            if ((!is_f || x[l].f == x[l].f) &&
                (best_l < 0 || arg_better(op, x[l], x[best_l], perm[v0 + l], perm[v0 + best_l])))
                best_l = l;
        *part_idx = best_l < 0 ? -1 : perm[v0 + best_l];
        part->i = best_l < 0 ? 0 : x[best_l].i;
        return;
    }
    switch (op) {
    case GB_OP_RED_SUM_I: {
        uint64_t a = 0;
        for (int64_t l = 0; l < lanes; l++) a += (uint64_t)x[l].i;
        part->i = (int64_t)a;
        return;
    }
    case GB_OP_RED_SUM_F: {
        /* Eight running sums (lane l feeds sum l % 8), added pairwise at the end: a
         * fixed order, so still the same bits for any thread count, but eight
         * independent dependency chains instead of one add latency per node. */
        double a[8] = { 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0 };
        int64_t l = 0;
        for (; l + 8 <= lanes; l += 8)
            for (int q = 0; q < 8; q++) a[q] += x[l + q].f;
        for (int q = 0; l < lanes; l++, q++) a[q] += x[l].f;
        part->f = ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]));
        return;
    }
    case GB_OP_RED_MIN_I: {
        int64_t a = INT64_MAX;
        for (int64_t l = 0; l < lanes; l++) a = x[l].i < a ? x[l].i : a;
        part->i = a;
        return;
    }
    case GB_OP_RED_MAX_I: {
        int64_t a = INT64_MIN;
        for (int64_t l = 0; l < lanes; l++) a = x[l].i > a ? x[l].i : a;
        part->i = a;
        return;
    }
    /* A NaN stays once it is in: nothing compares below or above it. */
    case GB_OP_RED_MIN_F: {
        double a = INFINITY;
        for (int64_t l = 0; l < lanes; l++) a = (x[l].f < a || x[l].f != x[l].f) ? x[l].f : a;
        part->f = a;
        return;
    }
    case GB_OP_RED_MAX_F: {
        double a = -INFINITY;
        for (int64_t l = 0; l < lanes; l++) a = (x[l].f > a || x[l].f != x[l].f) ? x[l].f : a;
        part->f = a;
        return;
    }
    case GB_OP_RED_ANY: {
        int64_t a = 0;
        for (int64_t l = 0; l < lanes; l++) a |= x[l].i != 0;
        part->i = a;
        return;
    }
    case GB_OP_RED_ALL: {
        int64_t a = 1;
        for (int64_t l = 0; l < lanes; l++) a &= x[l].i != 0;
        part->i = a;
        return;
    }
    case GB_OP_RED_COUNT: {
        int64_t a = 0;
        for (int64_t l = 0; l < lanes; l++) a += x[l].i != 0;
        part->i = a;
        return;
    }
    /* arg reductions: the first strictly better lane wins, NaN is never a candidate */
    case GB_OP_RED_ARGMIN_I:
        for (int64_t l = 0; l < lanes; l++)
            if (best_l < 0 || x[l].i < x[best_l].i) best_l = l;
        break;
    case GB_OP_RED_ARGMAX_I:
        for (int64_t l = 0; l < lanes; l++)
            if (best_l < 0 || x[l].i > x[best_l].i) best_l = l;
        break;
    case GB_OP_RED_ARGMIN_F:
        for (int64_t l = 0; l < lanes; l++)
            if (x[l].f == x[l].f && (best_l < 0 || x[l].f < x[best_l].f)) best_l = l;
        break;
    default:   /* GB_OP_RED_ARGMAX_F */
        for (int64_t l = 0; l < lanes; l++)
            if (x[l].f == x[l].f && (best_l < 0 || x[l].f > x[best_l].f)) best_l = l;
        break;
    }
    *part_idx = best_l < 0 ? -1 : v0 + best_l;
    part->i = best_l < 0 ? 0 : x[best_l].i;
}

/* The partials of one RED_* micro-op, combined in block order into r[dst]. */
static gb_status combine_partials(gb_ctx *c, int64_t op, const gb_value *part,
                                  const int64_t *idx, gb_value *dst, int64_t loc)
{
    const int64_t nb = c->nblocks;
    gb_value r;
    int64_t best = -1;

    switch (op) {
    case GB_OP_RED_SUM_I: case GB_OP_RED_COUNT: {
        uint64_t a = 0;
        for (int64_t b = 0; b < nb; b++) a += (uint64_t)part[b].i;
        r.i = (int64_t)a;
        break;
    }
    case GB_OP_RED_SUM_F:
        r.f = 0.0;
        for (int64_t b = 0; b < nb; b++) r.f += part[b].f;
        break;
    case GB_OP_RED_MIN_I:
        r.i = INT64_MAX;
        for (int64_t b = 0; b < nb; b++) r.i = part[b].i < r.i ? part[b].i : r.i;
        break;
    case GB_OP_RED_MAX_I:
        r.i = INT64_MIN;
        for (int64_t b = 0; b < nb; b++) r.i = part[b].i > r.i ? part[b].i : r.i;
        break;
    case GB_OP_RED_MIN_F:
        r.f = INFINITY;
        for (int64_t b = 0; b < nb; b++)
            r.f = (part[b].f < r.f || part[b].f != part[b].f) ? part[b].f : r.f;
        break;
    case GB_OP_RED_MAX_F:
        r.f = -INFINITY;
        for (int64_t b = 0; b < nb; b++)
            r.f = (part[b].f > r.f || part[b].f != part[b].f) ? part[b].f : r.f;
        break;
    case GB_OP_RED_ANY:
        r.i = 0;
        for (int64_t b = 0; b < nb; b++) r.i |= part[b].i;
        break;
    case GB_OP_RED_ALL:
        r.i = 1;
        for (int64_t b = 0; b < nb; b++) r.i &= part[b].i;
        break;
    default: {   /* arg reductions: ties to the smaller node index (on the input layout
                    that is the earlier block) */
        int is_min = op == GB_OP_RED_ARGMIN_I || op == GB_OP_RED_ARGMIN_F;
        for (int64_t b = 0; b < nb; b++) {
            if (idx[b] < 0)
                continue;
            if (best >= 0 && !arg_better(op, part[b], part[best], idx[b], idx[best]))
                continue;
            best = b;
        }
        if (best < 0)
            return gb_err_set(c->err, GB_EVALUE, loc, "%s of nothing: %s",
                              is_min ? "argmin" : "argmax",
                              c->n == 0 ? "the graph has no nodes" : "every value is nan");
        r.i = idx[best];
        break;
    }
    }
    *dst = r;
    return GB_OK;
}

gb_status gb_micro_run(gb_ctx *c, const gb_kernel *k, gb_scratch *s, int64_t v0,
                       int64_t lanes, int64_t block, int fresh, int64_t red_base,
                       int64_t instr_loc)
{
    const int64_t S = k->stride;
    const int64_t *own = k->domain == GB_DOMAIN_EDGE ? s->owner : NULL;
    gb_value *t = s->temps;
    /* Where each temp's lanes are read from: its own scratch, or (GB_MF_ALIAS) the
     * slot it was loaded from.  Writes always go to the temp's own scratch. */
    const gb_value *at[GB_MAX_TEMPS];
    int64_t ri = red_base;

    for (int64_t i = 0; i < k->ntemps; i++)
        at[i] = t + i * S;
    for (int64_t j = 0; j < k->nmicro; j++) {
        const int64_t *w = k->micro + j * GB_INSTR_WIDTH;
        gb_value *d = t + w[2] * S;
        if (k->mflags[j] & GB_MF_INVARIANT) {
            /* every lane of the stride, since a later chunk may have more lanes */
            const gb_value r = w[0] == GB_OP_BCAST ? c->regs[w[3]] : (gb_value){ .i = w[3] };
            if (fresh)
                for (int64_t l = 0; l < S; l++) d[l] = r;
            continue;
        }
        switch (w[0]) {
        case GB_OP_LOAD:
            if (k->mflags[j] & GB_MF_ALIAS) {
                /* a float or int slot has the temps' layout: 8 bytes per node */
                at[w[2]] = (const gb_value *)c->slots[w[3]] + v0;
                continue;
            }
            load_lanes(d, c->slots[w[3]], c->p->slot_dtypes[w[3]], v0, own, lanes);
            break;
        case GB_OP_GATHER:
            load_lanes(d, c->slots[w[3]], c->p->slot_dtypes[w[3]], 0, s->nbr, lanes);
            break;
        case GB_OP_BCAST: {
            const gb_value r = c->regs[w[3]];
            for (int64_t l = 0; l < lanes; l++) d[l] = r;
            break;
        }
        case GB_OP_IMM:
            for (int64_t l = 0; l < lanes; l++) d[l].i = w[3];
            break;
        case GB_OP_NODE_ID:   /* the input index, whatever the layout */
            if (own != NULL && c->perm != NULL)
                for (int64_t l = 0; l < lanes; l++) d[l].i = c->perm[own[l]];
            else if (own != NULL)
                for (int64_t l = 0; l < lanes; l++) d[l].i = own[l];
            else if (c->perm != NULL)
                for (int64_t l = 0; l < lanes; l++) d[l].i = c->perm[v0 + l];
            else
                for (int64_t l = 0; l < lanes; l++) d[l].i = v0 + l;
            break;
        case GB_OP_NBR:
            if (c->perm != NULL)
                for (int64_t l = 0; l < lanes; l++) d[l].i = c->perm[s->nbr[l]];
            else
                for (int64_t l = 0; l < lanes; l++) d[l].i = s->nbr[l];
            break;
        case GB_OP_WEIGHT:
            for (int64_t l = 0; l < lanes; l++) d[l].f = s->weight[l];
            break;
        case GB_OP_COMMON:
            gb_common_lanes(c, own, s->nbr, d, lanes);
            break;
        case GB_OP_IN_DEG:
            degree_lanes(d, c->off[GB_DIR_IN], c->ob, 0, v0, own, lanes);
            break;
        case GB_OP_OUT_DEG:
            degree_lanes(d, c->off[GB_DIR_OUT], c->ob, 0, v0, own, lanes);
            break;
        case GB_OP_DEGREE:
            degree_lanes(d, c->off[GB_DIR_OUT], c->ob, 0, v0, own, lanes);
            if (c->directed)
                degree_lanes(d, c->off[GB_DIR_IN], c->ob, 1, v0, own, lanes);
            break;
        case GB_OP_RANDOM: {
            const uint64_t h = splitmix64((uint64_t)c->regs[w[3]].i);
            for (int64_t l = 0; l < lanes; l++) {
                int64_t at_l = own != NULL ? own[l] : v0 + l;
                uint64_t v = (uint64_t)(c->perm != NULL ? c->perm[at_l] : at_l);
                d[l].f = (double)(splitmix64(h ^ v) >> 11) * 0x1p-53;
            }
            break;
        }
        case GB_OP_STORE:
            store_lanes(c->slots[w[3]], c->p->slot_dtypes[w[3]], at[w[4]], v0, lanes);
            continue;
        case GB_OP_RED_SUM_I: case GB_OP_RED_SUM_F: case GB_OP_RED_MIN_I: case GB_OP_RED_MIN_F:
        case GB_OP_RED_MAX_I: case GB_OP_RED_MAX_F: case GB_OP_RED_ANY: case GB_OP_RED_ALL:
        case GB_OP_RED_COUNT: case GB_OP_RED_ARGMIN_I: case GB_OP_RED_ARGMIN_F:
        case GB_OP_RED_ARGMAX_I: case GB_OP_RED_ARGMAX_F: {
            int64_t p = ri * c->nblocks + block;
            reduce_block(w[0], at[w[4]], lanes, v0, c->perm, &c->partials[p], &c->partial_idx[p]);
            ri++;
            continue;
        }
        default: {
            int64_t bad = 0;
            const gb_value *x = at[w[3]], *y = at[w[4]];
            gb_status st = gb_ops_apply(w[0], lanes, d, x, y, at[w[5]], &bad);
            if (st != GB_OK)
                return gb_ops_fail(&s->err, gb_kernel_loc(k, w[1], instr_loc), w[0], st, x[bad],
                                   y[bad]);
            break;
        }
        }
        at[w[2]] = d;   /* the op wrote temp w[2]'s own lanes (STORE and RED_* continue) */
    }
    return GB_OK;
}

/* After the last block: each RED_* micro-op's partials into its register, so no block
 * ever sees a half-done reduction. */
gb_status gb_combine_reductions(gb_ctx *c, const gb_kernel *k, int64_t red_base,
                                int64_t instr_loc)
{
    int64_t ri = red_base;
    for (int64_t j = 0; j < k->nmicro && ri < red_base + k->nred; j++) {
        const int64_t *w = k->micro + j * GB_INSTR_WIDTH;
        gb_status st;
        if (w[0] < GB_OP_RED_SUM_I)
            continue;
        st = combine_partials(c, w[0], c->partials + ri * c->nblocks,
                              c->partial_idx + ri * c->nblocks, &c->regs[w[3]],
                              gb_kernel_loc(k, w[1], instr_loc));
        if (st != GB_OK)
            return st;
        ri++;
    }
    return GB_OK;
}
