/*
 * edge.c — edge kernels: one neighbor aggregation out_slot[v] = AGG(value(v, u) for the
 * edges of v in direction dir, kept where filter(v, u) != 0).
 *
 * Method: the edges of consecutive nodes are laid out as lanes, up to GB_EDGE_BLOCK at a
 * time, straight from the CSR (GB_DIR_BOTH on a directed graph: v's out-range, then its
 * in-range).  A chunk ends when its lanes or segments run out, so a node's edges may span
 * chunks; the one open node's partial result waits in a gb_fold.  The micro-ops run once
 * over the chunk, then a per-aggregation loop folds each node's lanes in CSR order (so
 * float sums do not depend on chunking or threads) and the finished nodes are written.
 * A node range [v0, v1) is independent of every other: that is a worker's work item.
 * Recognized shapes (special.c) skip all of this and loop over the CSR directly.
 */
#include <math.h>
#include <string.h>

#include "exec_internal.h"

int64_t gb_max_neighborhood(const gb_ctx *c)
{
    int64_t best = 0;
    int in = c->directed && c->off[GB_DIR_IN] != NULL;
    for (int64_t v = 0; v < c->n; v++) {
        int64_t d = gb_ctx_off(c, GB_DIR_OUT, v + 1) - gb_ctx_off(c, GB_DIR_OUT, v) +
                    (in ? gb_ctx_off(c, GB_DIR_IN, v + 1) - gb_ctx_off(c, GB_DIR_IN, v) : 0);
        best = d > best ? d : best;
    }
    return best;
}

/* dst[0..cnt) = neighbors [start, start + cnt) of nb bytes each, widened. */
static inline __attribute__((always_inline)) void
copy_nbrs(int64_t *dst, const void *adj, int64_t start, int64_t cnt, const int nb)
{
    if (nb == 8) {
        memcpy(dst, (const int64_t *)adj + start, (size_t)cnt * sizeof *dst);
    } else {
        const int32_t *src = (const int32_t *)adj + start;
        for (int64_t l = 0; l < cnt; l++)
            dst[l] = src[l];
    }
}

/* GB_DIR_BOTH on a directed graph: lanes [lane, lane + take) get v's edges
 * [pos, pos + take), where positions below dout are out-edges from out-CSR index oo and
 * the rest in-edges from in-CSR index io. */
static inline __attribute__((always_inline)) void
copy_both(const gb_ctx *c, const gb_kernel *k, gb_scratch *s, int64_t pos, int64_t take,
          int64_t lane, int64_t oo, int64_t dout, int64_t io, const int nb)
{
    int64_t end = pos + take, l = lane;
    for (int dir = GB_DIR_OUT; dir <= GB_DIR_IN && pos < end; dir++) {
        int64_t start = dir == GB_DIR_OUT ? oo + pos : io + (pos - dout);
        int64_t stop = dir == GB_DIR_OUT ? (end < dout ? end : dout) : end;
        int64_t cnt = stop - pos;
        if (cnt <= 0)
            continue;
        if (k->uses_nbr)
            copy_nbrs(s->nbr_buf + l, c->adj[dir], start, cnt, nb);
        if (k->uses_weight && c->wt[dir] != NULL)
            memcpy(s->weight_buf + l, c->wt[dir] + start, (size_t)cnt * sizeof *s->weight_buf);
        l += cnt;
        pos += cnt;
    }
}

static inline int64_t wrap_add(int64_t a, int64_t b)
{
    return (int64_t)((uint64_t)a + (uint64_t)b);
}

/* Fold the chunk's lanes into per-node results.  T/F: the accumulator's type and union
 * member; INIT its start; STEP updates `a` from lane value `x`.  res[j]/rcnt[j] are set
 * for segments that close their node; the open node's state goes back into *st. */
#define FOLD(T, F, INIT, STEP)                                                         \
    do {                                                                               \
        T a = st->acc.F;                                                               \
        int64_t n = st->cnt;                                                           \
        for (int32_t j = 0; j < nseg; j++) {                                           \
            const gb_seg *sg = &segs[j];                                               \
            if (sg->first) {                                                           \
                a = (INIT);                                                            \
                n = 0;                                                                 \
            }                                                                          \
            if (filt == NULL) {                                                        \
                for (int32_t l = sg->start; l < sg->end; l++) {                        \
                    const gb_value x = val[l];                                         \
                    STEP;                                                              \
                }                                                                      \
                n += sg->end - sg->start;                                              \
            } else {                                                                   \
                for (int32_t l = sg->start; l < sg->end; l++) {                        \
                    const gb_value x = val[l];                                         \
                    if (filt[l].i != 0) {                                              \
                        STEP;                                                          \
                        n++;                                                           \
                    }                                                                  \
                }                                                                      \
            }                                                                          \
            if (sg->last) {                                                            \
                res[j].F = a;                                                          \
                rcnt[j] = n;                                                           \
            }                                                                          \
        }                                                                              \
        st->acc.F = a;                                                                 \
        st->cnt = n;                                                                   \
    } while (0)

/* The most frequent key, ties to the smallest (the first run of the longest length). */
/* Mode keeps every kept value of the open node in s->keys (sized for the largest
 * neighborhood); st->cnt is how many so far. */
static void fold_mode(const gb_kernel *k, gb_scratch *s, gb_fold *st, int32_t nseg,
                      const gb_value *val, const gb_value *filt)
{
    uint64_t *keys = s->keys;
    int64_t n = st->cnt;
    for (int32_t j = 0; j < nseg; j++) {
        const gb_seg *sg = &s->segs[j];
        if (sg->first)
            n = 0;
        if (k->agg_float) {
            for (int32_t l = sg->start; l < sg->end; l++)
                if (filt == NULL || filt[l].i != 0) keys[n++] = gb_key_f(val[l].f);
        } else {
            for (int32_t l = sg->start; l < sg->end; l++)
                if (filt == NULL || filt[l].i != 0) keys[n++] = gb_key_i(val[l].i);
        }
        if (sg->last) {
            s->rcnt[j] = n;
            if (n > 0) {
                uint64_t m = gb_mode_key(keys, n);
                if (k->agg_float)
                    s->res[j].f = gb_unkey_f(m);
                else
                    s->res[j].i = gb_unkey_i(m);
            }
        }
    }
    st->cnt = n;
}

static void fold_chunk(const gb_kernel *k, gb_scratch *s, gb_fold *st, int32_t nseg)
{
    const gb_value *val = s->temps + k->value_temp * k->stride;
    const gb_value *filt = k->filter_temp >= 0 ? s->temps + k->filter_temp * k->stride : NULL;
    const gb_seg *segs = s->segs;
    gb_value *res = s->res;
    int64_t *rcnt = s->rcnt;

    switch (k->agg) {
    case GB_AGG_SUM:
        if (k->agg_float)
            FOLD(double, f, 0.0, a += x.f);
        else
            FOLD(int64_t, i, 0, a = wrap_add(a, x.i));
        break;
    /* min/max: a NaN value stays, as in the elementwise MIN_F/MAX_F */
    case GB_AGG_MIN:
        if (k->agg_float)
            FOLD(double, f, INFINITY, a = (x.f < a || x.f != x.f) ? x.f : a);
        else
            FOLD(int64_t, i, INT64_MAX, a = x.i < a ? x.i : a);
        break;
    case GB_AGG_MAX:
        if (k->agg_float)
            FOLD(double, f, -INFINITY, a = (x.f > a || x.f != x.f) ? x.f : a);
        else
            FOLD(int64_t, i, INT64_MIN, a = x.i > a ? x.i : a);
        break;
    case GB_AGG_COUNT:
        FOLD(int64_t, i, 0, a += x.i != 0);
        break;
    case GB_AGG_ANY:
        FOLD(int64_t, i, 0, a |= x.i != 0);
        break;
    case GB_AGG_ALL:
        FOLD(int64_t, i, 1, a &= x.i != 0);
        break;
    case GB_AGG_MEAN:
        if (k->agg_float)
            FOLD(double, f, 0.0, a += x.f);
        else
            FOLD(double, f, 0.0, a += (double)x.i);
        for (int32_t j = 0; j < nseg; j++)
            if (segs[j].last && rcnt[j] > 0)
                res[j].f /= (double)rcnt[j];
        break;
    default:
        fold_mode(k, s, st, nseg, val, filt);
        break;
    }
}

/* The value an empty neighborhood gets without a default (graphbuild.h, gb_agg). */
gb_value gb_agg_identity(const gb_kernel *k)
{
    gb_value r;
    r.i = 0;
    switch (k->agg) {
    case GB_AGG_MIN:
        if (k->agg_float) r.f = INFINITY; else r.i = INT64_MAX;
        break;
    case GB_AGG_MAX:
        if (k->agg_float) r.f = -INFINITY; else r.i = INT64_MIN;
        break;
    case GB_AGG_ALL:
        r.i = 1;
        break;
    case GB_AGG_MEAN:
        r.f = 0.0;
        break;
    default:   /* sum, count, any: zero (0.0 has the same bits) */
        break;
    }
    return r;
}

/* Writes the closed nodes of the chunk into out_slot, empty ones from the default. */
static void emit(const gb_ctx *c, const gb_kernel *k, gb_scratch *s, int32_t nseg)
{
    const gb_seg *segs = s->segs;
    gb_value *res = s->res;
    const int64_t *rcnt = s->rcnt;
    void *out = c->slots[k->out_slot];

    switch (k->default_kind) {
    case GB_DEFAULT_IDENTITY:
    case GB_DEFAULT_REG: {
        /* a register holds the out dtype's value already; C cannot know its type */
        const gb_value d =
            k->default_kind == GB_DEFAULT_REG ? c->regs[k->default_index] : gb_agg_identity(k);
        for (int32_t j = 0; j < nseg; j++)
            if (segs[j].last && rcnt[j] == 0) res[j] = d;
        break;
    }
    default: {
        const void *src = c->slots[k->default_index];
        int32_t dt = c->p->slot_dtypes[k->default_index];
        for (int32_t j = 0; j < nseg; j++) {
            if (!segs[j].last || rcnt[j] != 0)
                continue;
            int64_t v = segs[j].v;
            if (dt == GB_F64)
                res[j].f = ((const double *)src)[v];
            else if (dt == GB_I64)
                res[j].i = ((const int64_t *)src)[v];
            else
                res[j].i = ((const uint8_t *)src)[v] != 0;
        }
        break;
    }
    }

    switch (c->p->slot_dtypes[k->out_slot]) {
    case GB_F64:
        for (int32_t j = 0; j < nseg; j++)
            if (segs[j].last) ((double *)out)[segs[j].v] = res[j].f;
        break;
    case GB_I64:
        for (int32_t j = 0; j < nseg; j++)
            if (segs[j].last) ((int64_t *)out)[segs[j].v] = res[j].i;
        break;
    default:
        for (int32_t j = 0; j < nseg; j++)
            if (segs[j].last) ((uint8_t *)out)[segs[j].v] = res[j].i != 0;
        break;
    }
}

/* The generic edge loop; ob, nb (the index widths) are constants in each instance. */
static inline __attribute__((always_inline)) gb_status
edge_range_t(gb_ctx *c, const gb_kernel *k, gb_scratch *s, int64_t v0, int64_t v1,
             int64_t instr_loc, const int ob, const int nb)
{
    /* The first CSR range is the out-CSR unless only in-edges are wanted; the in-range
     * follows only for GB_DIR_BOTH on a directed graph (undirected: in-CSR == out-CSR).
     * With one range, consecutive nodes' edges are consecutive in the CSR, so a chunk's
     * neighbors (if 64-bit) and weights are read in place. */
    const int d1 = k->dir == GB_DIR_IN ? GB_DIR_IN : GB_DIR_OUT;
    const void *off1 = c->off[d1];
    const void *off2 = k->dir == GB_DIR_BOTH && c->directed ? c->off[GB_DIR_IN] : NULL;
    gb_fold fold;
    int64_t v = v0, pos = 0;
    int fresh = 1;

    memset(&fold, 0, sizeof fold);
    while (v < v1) {
        int32_t lanes = 0, nseg = 0;
        int64_t chunk_start = gb_idx_get(off1, ob, v) + pos;
        gb_status st;
        if (gb_interrupted(c))
            return gb_err_set(&s->err, GB_EINTR, gb_kernel_loc(k, -1, instr_loc), "interrupted");
        while (v < v1 && lanes < GB_EDGE_BLOCK && nseg < GB_EDGE_BLOCK) {
            int64_t oo = gb_idx_get(off1, ob, v), dout = gb_idx_get(off1, ob, v + 1) - oo;
            int64_t io = off2 != NULL ? gb_idx_get(off2, ob, v) : 0;
            int64_t deg = dout + (off2 != NULL ? gb_idx_get(off2, ob, v + 1) - io : 0);
            int64_t take = deg - pos;
            gb_seg *sg = &s->segs[nseg++];
            if (take > GB_EDGE_BLOCK - lanes)
                take = GB_EDGE_BLOCK - lanes;
            if (k->uses_owner)
                for (int64_t x = 0; x < take; x++) s->owner[lanes + x] = v;
            if (off2 != NULL)
                copy_both(c, k, s, pos, take, lanes, oo, dout, io, nb);
            sg->v = v;
            sg->start = lanes;
            sg->end = lanes + (int32_t)take;
            sg->first = pos == 0;
            sg->last = pos + take == deg;
            lanes += (int32_t)take;
            pos += take;
            if (pos < deg)
                break;   /* the chunk is full; v continues in the next one */
            v++;
            pos = 0;
        }
        if (lanes > 0) {
            if (off2 == NULL) {
                if (nb == 8) {
                    s->nbr = (const int64_t *)c->adj[d1] + chunk_start;
                } else {
                    if (k->uses_nbr)
                        copy_nbrs(s->nbr_buf, c->adj[d1], chunk_start, lanes, nb);
                    s->nbr = s->nbr_buf;
                }
                s->weight = c->wt[d1] != NULL ? c->wt[d1] + chunk_start : s->weight_buf;
            } else {
                s->nbr = s->nbr_buf;
                s->weight = s->weight_buf;
            }
            if ((st = gb_micro_run(c, k, s, 0, lanes, 0, fresh, 0, instr_loc)) != GB_OK)
                return st;
            fresh = 0;
        }
        fold_chunk(k, s, &fold, nseg);
        emit(c, k, s, nseg);
    }
    return GB_OK;
}

gb_status gb_edge_range(gb_ctx *c, const gb_kernel *k, gb_scratch *s, int64_t v0, int64_t v1,
                        int64_t instr_loc)
{
    if (k->uses_common && c->directed)
        return gb_err_set(&s->err, GB_EINVAL, gb_kernel_loc(k, -1, instr_loc),
                          "common() needs an undirected graph");
    if (k->special == GB_SHAPE_INTERSECT && gb_intersect_fast(c)) {
        gb_intersect_range(c, k, v0, v1);
        return GB_OK;
    }
    if (k->special != GB_SHAPE_GENERIC && k->special != GB_SHAPE_INTERSECT &&
        c->p->specialize && gb_special_handles(c))
        return gb_special_range(c, k, s, v0, v1, instr_loc);
#define CALL(ob, nb) return edge_range_t(c, k, s, v0, v1, instr_loc, ob, nb)
    GB_BY_WIDTHS(c->ob, c->nb, CALL);
#undef CALL
    return GB_OK;   /* not reached */
}
