/*
 * graph_edges.c — batched edge-list lines become edges: ids (integers, names or dense
 * indices) and weights, appended in file order.
 *
 * Ids are read as integers until a token is not a non-negative decimal; then every
 * token is a name, the edges read so far are re-interned as names (or, if an integer
 * token had leading zeros and so cannot be spelled back, the file is read again), and
 * reading goes on.  With named ids the batch's hash-table lookups are prefetched
 * together, so their cache misses overlap.  Matrix Market entries are graph_mtx.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph_internal.h"

gb_status gb_parse_budget(gb_parser *ps, int64_t need)
{
    char what[300];
    snprintf(what, sizeof what, "reading '%s'", ps->path);
    return gb_budget_check(ps->opts, need, ps->err, what);
}

int64_t gb_parse_held(const gb_parser *ps, int64_t cap)
{
    int64_t held = gb_bytes_add(ps->buffer_bytes, gb_edge_array_bytes(cap, ps->weighted));
    return ps->names_mode ? gb_bytes_add(held, gb_names_bytes(&ps->names)) : held;
}

/* The names' share of the budget: what the buffer and the edge arrays leave. */
static void limit_names(gb_parser *ps)
{
    int64_t budget = ps->opts->max_bytes;
    if (budget > 0) {
        int64_t left = budget - gb_bytes_add(ps->buffer_bytes, gb_edge_array_bytes(ps->cap, ps->weighted));
        ps->names.limit = left > 0 ? left : 1;
    }
}

gb_status gb_parse_reserve(gb_parser *ps, int64_t need)
{
    int64_t cap = ps->cap;
    gb_status st;
    if (need > cap || (ps->weighted && ps->w == NULL)) {
        if (need > cap) {
            cap = cap ? cap : GB_PARSE_FIRST_CAP;
            while (cap < need)
                cap *= 2;
        }
        /* Checked before growing: a file never makes the arrays pass the budget. */
        if ((st = gb_parse_budget(ps, gb_parse_held(ps, cap))) != GB_OK)
            return st;
    }
    if (need > ps->cap) {
        int64_t *src = realloc(ps->src, (size_t)cap * sizeof *src);
        if (src == NULL)
            return gb_parse_nomem(ps);
        ps->src = src;
        int64_t *dst = realloc(ps->dst, (size_t)cap * sizeof *dst);
        if (dst == NULL)
            return gb_parse_nomem(ps);
        ps->dst = dst;
    }
    if (ps->weighted && (ps->w == NULL || cap > ps->cap)) {
        double *w = realloc(ps->w, (size_t)cap * sizeof *w);
        if (w == NULL)
            return gb_parse_nomem(ps);
        ps->w = w;
    }
    ps->cap = cap;
    limit_names(ps);
    return GB_OK;
}

/* A failed gb_names_intern: over the names' share of the budget, or out of memory. */
static gb_status names_failed(gb_parser *ps, gb_status st)
{
    if (st == GB_EBUDGET)   /* the table would about double */
        return gb_parse_budget(ps, gb_bytes_add(gb_parse_held(ps, ps->cap), gb_names_bytes(&ps->names)));
    return gb_parse_nomem(ps);
}

static gb_status intern(gb_parser *ps, const char *s, int64_t len, int64_t *index)
{
    gb_status st = gb_names_intern(&ps->names, s, len, gb_names_hash(s, len), index);
    return st == GB_OK ? GB_OK : names_failed(ps, st);
}

/* The integer ids read so far become names, in order of first appearance (a pending
 * header stays pending: gb_parse_end decides it). */
gb_status gb_parse_ints_to_names(gb_parser *ps)
{
    char text[24];
    gb_status st;
    for (int64_t i = 0; i < ps->m; i++) {
        int64_t *ends[2] = { &ps->src[i], &ps->dst[i] };
        for (int k = 0; k < 2; k++) {
            int len = snprintf(text, sizeof text, "%lld", (long long)*ends[k]);
            if ((st = intern(ps, text, len, ends[k])) != GB_OK)
                return st;
        }
    }
    ps->names_mode = 1;
    return GB_OK;
}

gb_status gb_parse_header_edge(gb_parser *ps)
{
    int64_t *perm, a, b, n0 = ps->header_len[0];
    if (gb_names_put_first(&ps->names, ps->header_text, n0, ps->header_text + n0,
                           ps->header_len[1], &perm, &a, &b) != GB_OK)
        return gb_parse_nomem(ps);
    for (int64_t i = ps->m; i > 0; i--) {
        ps->src[i] = perm[ps->src[i - 1]];
        ps->dst[i] = perm[ps->dst[i - 1]];
    }
    free(perm);
    ps->src[0] = a;
    ps->dst[0] = b;
    ps->m++;
    ps->header = GB_HEADER_NONE;
    return GB_OK;
}

static gb_status add_weight(gb_parser *ps, const gb_pending *e)
{
    if (!ps->weighted)
        return GB_OK;
    return gb_parse_weight(ps, e->tok[2], e->len[2], e->line, e->tok[2] - e->line_start + 1,
                           &ps->w[ps->m]);
}

/* Named endpoints of batch[from..]: hash all, prefetch their slots, then their records,
 * then intern in order, so the batch's cache misses overlap. */
static gb_status add_named(gb_parser *ps, int from)
{
    uint64_t hash[GB_BATCH][2];
    gb_status st;
    for (int j = from; j < ps->nbatch; j++)
        for (int k = 0; k < 2; k++) {
            hash[j][k] = gb_names_hash(ps->batch[j].tok[k], ps->batch[j].len[k]);
            gb_names_prefetch_slot(&ps->names, hash[j][k]);
        }
    for (int j = from; j < ps->nbatch; j++)
        for (int k = 0; k < 2; k++)
            gb_names_prefetch_record(&ps->names, hash[j][k]);
    for (int j = from; j < ps->nbatch; j++) {
        const gb_pending *e = &ps->batch[j];
        if ((st = gb_names_intern(&ps->names, e->tok[0], e->len[0], hash[j][0], &ps->src[ps->m])) != GB_OK ||
            (st = gb_names_intern(&ps->names, e->tok[1], e->len[1], hash[j][1], &ps->dst[ps->m])) != GB_OK)
            return names_failed(ps, st);
        if ((st = add_weight(ps, e)) != GB_OK)
            return st;
        ps->m++;
    }
    return GB_OK;
}

int gb_all_digits(const char *s, int64_t len)
{
    for (int64_t i = 0; i < len; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return len > 0;
}

/* --ids dense: each id is the node index itself. */
static gb_status add_dense(gb_parser *ps, const gb_pending *e)
{
    int64_t id[2];
    for (int k = 0; k < 2; k++) {
        int canonical;
        if (!gb_parse_id(e->tok[k], e->len[k], &id[k], &canonical) && gb_all_digits(e->tok[k], e->len[k]))
            return gb_parse_fail_token(ps, e, k, "node id '%.*s'%s is too large for --ids dense "
                                       "(at most %lld)", gb_quote_len(e->len[k]), e->tok[k],
                                       gb_quote_more(e->len[k]), (long long)ps->max_nodes - 1);
        if (!gb_parse_id(e->tok[k], e->len[k], &id[k], &canonical))
            return gb_parse_fail_token(ps, e, k,
                                       "node id '%.*s'%s is not a non-negative integer "
                                       "(--ids dense)", gb_quote_len(e->len[k]), e->tok[k],
                                       gb_quote_more(e->len[k]));
        if (id[k] >= ps->max_nodes)
            return gb_parse_fail_token(ps, e, k,
                                       "node id %lld is too large for --ids dense "
                                       "(at most %lld)", (long long)id[k],
                                       (long long)ps->max_nodes - 1);
        if (id[k] > ps->max_id)
            ps->max_id = id[k];
    }
    ps->src[ps->m] = id[0];
    ps->dst[ps->m] = id[1];
    return add_weight(ps, e);
}

gb_status gb_parse_flush(gb_parser *ps)
{
    gb_status st;
    int j = 0;
    /* + 1: room for a pending header that turns out to be the first edge */
    if ((st = gb_parse_reserve(ps, ps->m + ps->nbatch + 1)) != GB_OK)
        goto done;
    if (ps->format == GB_FORMAT_MTX || ps->dense) {
        for (; j < ps->nbatch; j++) {
            const gb_pending *e = &ps->batch[j];
            st = ps->format == GB_FORMAT_MTX ? gb_mtx_entry(ps, e) : add_dense(ps, e);
            if (st != GB_OK)
                goto done;
            ps->m++;
        }
        goto done;
    }
    for (; j < ps->nbatch && !ps->names_mode; j++) {
        const gb_pending *e = &ps->batch[j];
        int canon0 = 1, canon1 = 1;
        if (!gb_parse_id(e->tok[0], e->len[0], &ps->src[ps->m], &canon0) ||
            !gb_parse_id(e->tok[1], e->len[1], &ps->dst[ps->m], &canon1)) {
            st = ps->noncanonical_int ? GB_RESTART : gb_parse_ints_to_names(ps);
            if (st != GB_OK)
                goto done;
            break;
        }
        ps->noncanonical_int |= !canon0 || !canon1;
        if ((st = add_weight(ps, e)) != GB_OK)
            goto done;
        ps->m++;
    }
    if (ps->names_mode)
        st = add_named(ps, j);
done:
    ps->nbatch = 0;
    return st;
}
