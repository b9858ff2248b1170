/*
 * graph_budget.c — the memory a load holds at its peak, and the budget it is checked
 * against (gb_load_options.max_bytes).
 *
 * A load holds its edge arrays (a generator's exact, a parser's grown by doubling) from
 * the first edge until the graph is built; on top of them come, one after the other, the
 * read buffer or a generator's permutation, the id numbering, and the CSR build: the
 * out-CSR with one count array per build thread, then (directed, unless skip_in_edges)
 * the transpose with its counts, and the ids.  The peak is the edge arrays plus the
 * largest of those.  Every size is checked before the allocation it stands for, so a
 * size line or a generator spec that asks for terabytes is refused at once, and a file
 * that keeps growing is refused when its arrays would pass the budget.
 * graphbuild/profile and graphbuild/runtime/memory.py read the same figure through
 * gb_graph_load_bytes.
 */
#include <stdio.h>

#include "graph_internal.h"

int64_t gb_bytes_add(int64_t a, int64_t b)
{
    int64_t r;
    return a < 0 || b < 0 || __builtin_add_overflow(a, b, &r) ? INT64_MAX : r;
}

int64_t gb_bytes_mul(int64_t a, int64_t b)
{
    int64_t r;
    return a < 0 || b < 0 || __builtin_mul_overflow(a, b, &r) ? INT64_MAX : r;
}

static int64_t max2(int64_t a, int64_t b) { return a > b ? a : b; }

int64_t gb_parse_capacity(int64_t m)
{
    int64_t cap = GB_PARSE_FIRST_CAP;
    while (cap < m && cap <= INT64_MAX / 2)
        cap *= 2;
    return cap < m ? m : cap;
}

int64_t gb_edge_array_bytes(int64_t cap, int weighted)
{
    return gb_bytes_mul(cap, weighted ? 24 : 16);
}

int64_t gb_build_bytes(int64_t n, int64_t m, int directed, int weighted,
                       const gb_load_options *opts)
{
    int wide = opts != NULL ? opts->wide_index : 0;
    int threads = gb_thread_count(opts != NULL ? opts->threads : 1, m > 0 ? m : 1);
    int64_t arcs = directed ? m : gb_bytes_mul(m, 2);
    int store_w = weighted && !(opts != NULL && opts->skip_weights);
    int64_t csr = gb_bytes_add(gb_bytes_mul(gb_bytes_add(n, 1), gb_off_bytes_for(arcs, wide)),
                               gb_bytes_mul(arcs, gb_nbr_bytes_for(n, wide)));
    if (store_w)
        csr = gb_bytes_add(csr, gb_bytes_mul(arcs, 8));
    int64_t counts = gb_bytes_mul(gb_bytes_mul(gb_bytes_add(n, 1), 8), threads);
    int transpose = directed && !(opts != NULL && opts->skip_in_edges);
    int64_t steps = transpose ? gb_bytes_add(csr, counts) : counts;
    return gb_bytes_add(gb_bytes_add(csr, gb_bytes_mul(n, 8)), steps);
}

int64_t gb_graph_load_bytes(int64_t n, int64_t m, int directed, int weighted, int source,
                            const gb_load_options *opts)
{
    if (n < 0 || m < 0)
        return INT64_MAX;
    int64_t edges, before;
    if (source == GB_SOURCE_GENERATED) {
        edges = gb_bytes_mul(m, 16);
        before = gb_bytes_mul(n, 8);   /* the Kronecker generator's permutation */
    } else {
        edges = gb_edge_array_bytes(gb_parse_capacity(m), weighted);
        before = GB_READ_CHUNK + 1;
        if (source == GB_SOURCE_EDGELIST)   /* numbering the ids: a bitmap and the sorted ids */
            before = max2(before, gb_bytes_add(gb_bytes_mul(n / 64 + 1, 16), gb_bytes_mul(n, 8)));
    }
    return gb_bytes_add(edges, max2(before, gb_build_bytes(n, m, directed, weighted, opts)));
}

gb_status gb_budget_check(const gb_load_options *opts, int64_t need, gb_error *err,
                          const char *what)
{
    if (opts == NULL || opts->max_bytes <= 0 || need <= opts->max_bytes)
        return GB_OK;
    gb_graph_fail(err, GB_EBUDGET, 0, 0,
                  "%s needs about %lld bytes of memory at its peak, more than the %lld bytes "
                  "it may use", what, (long long)need, (long long)opts->max_bytes);
    if (err != NULL)
        err->bytes = need;
    return GB_EBUDGET;
}
