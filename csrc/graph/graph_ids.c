/*
 * graph_ids.c — integer node ids compacted to dense indices.
 *
 * Node indices follow ascending id order over the ids that appear.  When the
 * largest id is small next to the number of endpoints (the usual case), a bitmap with
 * per-word rank counts maps an id to its index in two memory reads; otherwise the
 * endpoints are radix sorted, deduplicated and looked up through a bucket index on the
 * high bits of the id, so sparse 64-bit ids cost about the same.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph_internal.h"

/* ---- integer ids: dense range ---- */

/* One popcount per endpoint: the instruction where the build targets it, else a few
 * shifts and adds inline (the baseline __builtin_popcountll is a call into libgcc). */
static uint64_t popcount64(uint64_t x)
{
#ifdef __POPCNT__
    return (uint64_t)__builtin_popcountll(x);
#else
    x = x - ((x >> 1) & 0x5555555555555555ull);
    x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
    return (x * 0x0101010101010101ull) >> 56;
#endif
}

static gb_status compact_bitmap(int64_t *src, int64_t *dst, int64_t m, int64_t max_id,
                                int64_t **sorted_ids, int64_t *n)
{
    int64_t words = (max_id >> 6) + 1;
    uint64_t *bits = calloc((size_t)words, sizeof *bits);
    int64_t *rank = malloc((size_t)words * sizeof *rank);   /* set bits before word w */
    int64_t *ids = NULL;
    if (bits == NULL || rank == NULL)
        goto nomem;
    for (int64_t i = 0; i < m; i++) {
        bits[src[i] >> 6] |= 1ull << (src[i] & 63);
        bits[dst[i] >> 6] |= 1ull << (dst[i] & 63);
    }
    int64_t total = 0;
    for (int64_t w = 0; w < words; w++) {
        rank[w] = total;
        total += (int64_t)popcount64(bits[w]);
    }
    ids = malloc((size_t)(total > 0 ? total : 1) * sizeof *ids);
    if (ids == NULL)
        goto nomem;
    for (int64_t w = 0, k = 0; w < words; w++)
        for (uint64_t b = bits[w]; b != 0; b &= b - 1)
            ids[k++] = (w << 6) | __builtin_ctzll(b);
#define RANK(id) (rank[(id) >> 6] + (int64_t)popcount64(bits[(id) >> 6] & ((1ull << ((id) & 63)) - 1)))
    for (int64_t i = 0; i < m; i++) {
        src[i] = RANK(src[i]);
        dst[i] = RANK(dst[i]);
    }
#undef RANK
    free(bits);
    free(rank);
    *sorted_ids = ids;
    *n = total;
    return GB_OK;

nomem:
    free(bits);
    free(rank);
    free(ids);
    return GB_ENOMEM;
}

/* ---- integer ids: sparse range ---- */

/* LSD radix sort of keys[0..count) < 2^bits, 11 bits per pass; tmp has count entries.
 * Passes where every key has the same digit are skipped. Result ends in *keys_io. */
static void radix_sort(int64_t **keys_io, int64_t **tmp_io, int64_t count, int bits)
{
    enum { DIGIT = 11, RADIX = 1 << DIGIT };
    int64_t hist[RADIX];
    int64_t *keys = *keys_io, *tmp = *tmp_io;
    for (int shift = 0; shift < bits; shift += DIGIT) {
        memset(hist, 0, sizeof hist);
        for (int64_t i = 0; i < count; i++)
            hist[((uint64_t)keys[i] >> shift) & (RADIX - 1)]++;
        if (hist[((uint64_t)keys[0] >> shift) & (RADIX - 1)] == count)
            continue;
        for (int64_t d = 0, total = 0; d < RADIX; d++) {
            int64_t c = hist[d];
            hist[d] = total;
            total += c;
        }
        for (int64_t i = 0; i < count; i++)
            tmp[hist[((uint64_t)keys[i] >> shift) & (RADIX - 1)]++] = keys[i];
        int64_t *swap = keys;
        keys = tmp;
        tmp = swap;
    }
    *keys_io = keys;
    *tmp_io = tmp;
}

static gb_status compact_sorted(int64_t *src, int64_t *dst, int64_t m, int64_t max_id,
                                int64_t **sorted_ids, int64_t *n)
{
    int64_t count = 2 * m;
    int64_t *keys = malloc((size_t)count * sizeof *keys);
    int64_t *tmp = malloc((size_t)count * sizeof *tmp);
    int64_t *start = NULL;
    if (keys == NULL || tmp == NULL)
        goto nomem;
    memcpy(keys, src, (size_t)m * sizeof *keys);
    memcpy(keys + m, dst, (size_t)m * sizeof *keys);
    radix_sort(&keys, &tmp, count, 64 - __builtin_clzll((uint64_t)max_id | 1));
    free(tmp);
    tmp = NULL;

    int64_t u = 0;
    for (int64_t i = 0; i < count; i++)
        if (u == 0 || keys[i] != keys[u - 1])
            keys[u++] = keys[i];
    int64_t *shrunk = realloc(keys, (size_t)u * sizeof *keys);
    if (shrunk != NULL)
        keys = shrunk;

    /* Bucket b holds ids with (id - lo) >> shift == b; about one id per bucket. */
    int64_t lo = keys[0];
    int shift = 0;
    while ((((uint64_t)(keys[u - 1] - lo)) >> shift) >= (uint64_t)u)
        shift++;
    int64_t buckets = (int64_t)(((uint64_t)(keys[u - 1] - lo)) >> shift) + 1;
    start = malloc(((size_t)buckets + 1) * sizeof *start);
    if (start == NULL)
        goto nomem;
    for (int64_t b = 0, i = 0; b <= buckets; b++) {
        while (i < u && (int64_t)((uint64_t)(keys[i] - lo) >> shift) < b)
            i++;
        start[b] = i;
    }
    for (int64_t e = 0; e < count; e++) {
        int64_t *slot = e < m ? &src[e] : &dst[e - m];
        int64_t b = (int64_t)((uint64_t)(*slot - lo) >> shift);
        int64_t a = start[b], z = start[b + 1];
        while (a < z) {
            int64_t mid = a + (z - a) / 2;
            if (keys[mid] < *slot)
                a = mid + 1;
            else
                z = mid;
        }
        *slot = a;
    }
    free(start);
    *sorted_ids = keys;
    *n = u;
    return GB_OK;

nomem:
    free(keys);
    free(tmp);
    free(start);
    return GB_ENOMEM;
}

gb_status gb_compact_int_ids(int64_t *src, int64_t *dst, int64_t m, int64_t held,
                             const gb_load_options *opts, int64_t **sorted_ids, int64_t *n,
                             gb_error *err)
{
    int64_t max_id = 0;
    gb_status st;
    for (int64_t i = 0; i < m; i++) {
        if (src[i] > max_id)
            max_id = src[i];
        if (dst[i] > max_id)
            max_id = dst[i];
    }
    /* The bitmap costs 16 bytes per 64 ids; use it while that stays below the endpoints'
     * own 16 bytes per edge, which covers ids up to 64 per edge. */
    /* The bitmap and its ranks (16 bytes per 64 ids) with the ids (at most 2 per edge),
     * or the sort's keys and scratch (16 bytes per edge each): checked before either. */
    int bitmap = m > 0 && (max_id >> 6) < m;
    int64_t ids = gb_bytes_mul(max_id < 2 * m ? max_id + 1 : 2 * m, 8);
    int64_t need = bitmap ? gb_bytes_add(gb_bytes_mul((max_id >> 6) + 1, 16), ids)
                          : gb_bytes_mul(m, 32);
    char what[80];
    snprintf(what, sizeof what, "numbering the node ids of %lld edges", (long long)m);
    if ((st = gb_budget_check(opts, gb_bytes_add(held, need), err, what)) != GB_OK)
        return st;
    if (bitmap)
        st = compact_bitmap(src, dst, m, max_id, sorted_ids, n);
    else if (m > 0)
        st = compact_sorted(src, dst, m, max_id, sorted_ids, n);
    else {
        *sorted_ids = malloc(sizeof **sorted_ids);
        *n = 0;
        st = *sorted_ids != NULL ? GB_OK : GB_ENOMEM;
    }
    if (st != GB_OK)
        return gb_graph_fail(err, GB_ENOMEM, 0, 0, "out of memory numbering %lld edges' node ids",
                             (long long)m);
    return GB_OK;
}
