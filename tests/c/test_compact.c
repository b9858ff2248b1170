/*
 * test_compact.c — compact graph storage: index widths (compact, wide-forced, mixed),
 * the in-CSR built only on request and then equal to the one built at load, weights left
 * out on request, gb_graph_bytes, the binary file in every layout, and gb_run refusing a
 * plan that reads in-edges the graph does not have.
 */
#define _DEFAULT_SOURCE   /* mkdtemp */
#include <math.h>

#include "check.h"
#include "csr64.h"
#include "graph_internal.h"
#include "graphbuild.h"
#include "plan_asm.h"
#include "test_graph_util.h"

enum { N = 500, M = 4000 };

static int64_t src[M], dst[M];
static double wts[M];

static void make_edges(void)
{
    uint64_t s = 0x12345;
    for (int64_t i = 0; i < M; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        src[i] = (int64_t)((s >> 33) % (N - 50));        /* the last 50 nodes are isolated */
        dst[i] = i % 5 == 0 ? 3 : (int64_t)((s >> 13) % (N - 50));   /* node 3 is a hub */
        wts[i] = (double)((s >> 40) % 1000) / 8.0;
    }
}

static gb_graph *build(int directed, int weighted, gb_load_options opts)
{
    gb_graph *g = NULL;
    gb_error err;
    CHECK_EQ_I(gb_graph_from_arrays_opts(N, M, src, dst, weighted ? wts : NULL, directed, &opts,
                                         &g, &err), GB_OK);
    return g;
}

static int widths(const gb_graph *g, int ob, int nb)
{
    int o, n;
    gb_graph_csr(g, GB_DIR_OUT, NULL, NULL, NULL, &o, &n);
    return o == ob && n == nb;
}

static void test_widths_and_bytes(void)
{
    for (int directed = 0; directed <= 1; directed++)
        for (int weighted = 0; weighted <= 1; weighted++) {
            gb_load_options compact = { 0 }, wide = { .wide_index = 1 }, mixed = { .wide_index = 2 };
            gb_graph *a = build(directed, weighted, compact), *b = build(directed, weighted, wide);
            gb_graph *c = build(directed, weighted, mixed);
            if (a == NULL || b == NULL || c == NULL)
                goto next;
            CHECK(widths(a, 4, 4) && widths(b, 8, 8) && widths(c, 8, 4));
            for (int dir = GB_DIR_OUT; dir <= GB_DIR_IN; dir++)
                CHECK(csr64_same(a, b, dir) && csr64_same(a, c, dir));
            int64_t arcs = directed ? M : 2 * M, csrs = directed ? 2 : 1;
            int64_t w = weighted ? arcs * 8 : 0, ids = N * 8;
            CHECK_EQ_I(gb_graph_bytes(a), csrs * ((N + 1) * 4 + arcs * 4 + w) + ids);
            CHECK_EQ_I(gb_graph_bytes(b), csrs * ((N + 1) * 8 + arcs * 8 + w) + ids);
            CHECK_EQ_I(gb_graph_bytes(c), csrs * ((N + 1) * 8 + arcs * 4 + w) + ids);
        next:
            gb_graph_destroy(a);
            gb_graph_destroy(b);
            gb_graph_destroy(c);
        }
}

static void test_in_edges_on_demand(void)
{
    for (int wide = 0; wide <= 2; wide++)
        for (int weighted = 0; weighted <= 1; weighted++) {
            gb_load_options all = { .wide_index = wide, .threads = 3 };
            gb_load_options out_only = { .wide_index = wide, .skip_in_edges = 1 };
            gb_graph *full = build(1, weighted, all), *lazy = build(1, weighted, out_only);
            gb_error err;
            if (full == NULL || lazy == NULL)
                goto next;
            CHECK(gb_graph_has_in_edges(full) && !gb_graph_has_in_edges(lazy));
            const void *off = &off;
            gb_graph_csr(lazy, GB_DIR_IN, &off, NULL, NULL, NULL, NULL);
            CHECK(off == NULL);
            int64_t out_bytes = gb_graph_bytes(lazy);
            CHECK(csr64_same(full, lazy, GB_DIR_OUT));
            CHECK_EQ_I(gb_graph_build_in_edges(lazy, 2, &err), GB_OK);
            CHECK(gb_graph_has_in_edges(lazy));
            CHECK(csr64_same(full, lazy, GB_DIR_IN));
            CHECK_EQ_I(gb_graph_bytes(lazy), gb_graph_bytes(full));
            CHECK(2 * out_bytes - N * 8 == gb_graph_bytes(full));
            CHECK_EQ_I(gb_graph_build_in_edges(lazy, 1, &err), GB_OK);   /* a no-op now */
            CHECK(csr64_same(full, lazy, GB_DIR_IN));

            /* A file saved without the in-CSR maps without it; it is built in memory. */
            gb_graph *lazy2 = build(1, weighted, out_only), *back = NULL;
            CHECK_EQ_I(save_graph(lazy2, path_of("lazy.gbgraph"), &err), GB_OK);
            CHECK_EQ_I(gb_graph_load_binary(path_of("lazy.gbgraph"), 2, &back, &err), GB_OK);
            if (back == NULL)
                fprintf(stderr, "    wide %d weighted %d: %s\n", wide, weighted, err.message);
            if (back != NULL) {
                CHECK(!gb_graph_has_in_edges(back) && widths(back, full->off_bytes, full->nbr_bytes));
                CHECK_EQ_I(gb_graph_build_in_edges(back, 2, &err), GB_OK);
                CHECK(csr64_same(full, back, GB_DIR_IN) && csr64_same(full, back, GB_DIR_OUT));
                /* and saves again with it */
                CHECK_EQ_I(save_graph(back, path_of("again.gbgraph"), &err), GB_OK);
                gb_graph_destroy(back);
                back = NULL;
                CHECK_EQ_I(gb_graph_load_binary(path_of("again.gbgraph"), 1, &back, &err), GB_OK);
                CHECK(back != NULL && gb_graph_has_in_edges(back) &&
                      csr64_same(full, back, GB_DIR_IN));
                gb_graph_destroy(back);
            }
            gb_graph_destroy(lazy2);
        next:
            gb_graph_destroy(full);
            gb_graph_destroy(lazy);
        }
    /* Undirected graphs always have theirs (the out-CSR); from_arrays keeps the default. */
    gb_load_options skip = { .skip_in_edges = 1 };
    gb_graph *u = build(0, 0, skip), *d = NULL;
    gb_error err;
    CHECK(u != NULL && gb_graph_has_in_edges(u));
    CHECK_EQ_I(gb_graph_from_arrays(N, M, src, dst, NULL, 1, &d, &err), GB_OK);
    CHECK(d != NULL && gb_graph_has_in_edges(d));
    gb_graph_destroy(u);
    gb_graph_destroy(d);
}

/* Binary round trips of every layout keep the values and the widths. */
static void test_binary_layouts(void)
{
    for (int wide = 0; wide <= 2; wide++)
        for (int directed = 0; directed <= 1; directed++) {
            gb_load_options opts = { .wide_index = wide };
            gb_graph *g = build(directed, 1, opts), *back = NULL;
            gb_error err;
            if (g == NULL)
                continue;
            CHECK_EQ_I(save_graph(g, path_of("l.gbgraph"), &err), GB_OK);
            CHECK_EQ_I(gb_graph_load_binary(path_of("l.gbgraph"), 2, &back, &err), GB_OK);
            if (back != NULL) {
                CHECK(widths(back, g->off_bytes, g->nbr_bytes));
                CHECK(csr64_same(g, back, GB_DIR_OUT) && csr64_same(g, back, GB_DIR_IN));
                CHECK_EQ_I(gb_graph_bytes(back), gb_graph_bytes(g));
                gb_graph_destroy(back);
            }
            gb_graph_destroy(g);
        }
}

static void test_skip_weights(void)
{
    const char *path = write_text("w.wel", "1 2 0.5\n2 3 1.5\n3 1 2.5\n");
    gb_load_options keep = { 0 }, skip = { .skip_weights = 1, .skip_in_edges = 1 };
    gb_graph *a = load(path, keep), *b = load(path, skip);
    gb_graph_stats s;
    if (a == NULL || b == NULL)
        goto done;
    CHECK(gb_graph_is_weighted(a) && !gb_graph_is_weighted(b));
    gb_graph_get_stats(a, &s);
    CHECK_EQ_I(s.weights_dropped, 0);
    gb_graph_get_stats(b, &s);
    CHECK_EQ_I(s.weights_dropped, 1);
    CHECK(csr64_same(a, b, GB_DIR_OUT) == 0);   /* weights differ: one has none */
    CHECK(strcmp(csr_text(a, GB_DIR_OUT), csr_text(b, GB_DIR_OUT)) == 0);
    /* 3 nodes, 3 arcs: offsets 4x4, neighbors 3x4, ids 3x8; a also weights and the in-CSR */
    CHECK_EQ_I(gb_graph_bytes(b), 16 + 12 + 24);
    CHECK_EQ_I(gb_graph_bytes(a), 2 * (16 + 12 + 24) + 24);
    /* A wide load of the same file holds the same values. */
    gb_load_options wide = { .wide_index = 1 };
    gb_graph *c = load(path, wide);
    if (c != NULL) {
        CHECK(csr64_same(a, c, GB_DIR_OUT) && csr64_same(a, c, GB_DIR_IN));
        CHECK(widths(c, 8, 8));
        gb_graph_destroy(c);
    }
done:
    gb_graph_destroy(a);
    gb_graph_destroy(b);
}

/* One edge kernel: out[v] = sum over v's dir-edges of x[u] (or the in-degree micro-op). */
static gb_status run_one(const gb_graph *g, int dir, int in_deg, gb_error *err)
{
    tplan t;
    gb_plan *p = NULL;
    int64_t n = gb_graph_node_count(g);
    void **slots;
    gb_status st;
    tp_init(&t, 0);
    tp_slot(&t, GB_F64);
    tp_slot(&t, GB_F64);
    int64_t k;
    if (in_deg) {
        k = kbegin(&t, GB_DOMAIN_NODE, 2, 7);
        micro(&t, GB_OP_IN_DEG, -1, 0, 0, 0, 0);
        micro(&t, GB_OP_I2F, -1, 1, 0, 0, 0);
        micro(&t, GB_OP_STORE, -1, 0, 1, 1, 0);
    } else {
        k = kbegin(&t, GB_DOMAIN_EDGE, 1, 7);
        micro(&t, GB_OP_GATHER, -1, 0, 0, 0, 0);
        kedge(&t, k, dir, GB_AGG_SUM, 1, 1, 0, -1, GB_DEFAULT_IDENTITY, -1);
    }
    ins(&t, GB_OP_KERNEL, -1, k, 0, 0, 0);
    if ((st = tp_create(&t, &p, err)) != GB_OK)
        return st;
    slots = slots_new(2, n);
    for (int64_t v = 0; v < n; v++)
        ((double *)slots[0])[v] = (double)v;
    st = gb_run(p, g, NULL, slots, NULL, err);
    slots_free(slots, 2);
    gb_plan_destroy(p);
    return st;
}

static void test_run_needs_in_edges(void)
{
    gb_load_options out_only = { .skip_in_edges = 1 };
    gb_graph *g = build(1, 0, out_only);
    gb_error err;
    if (g == NULL)
        return;
    CHECK_EQ_I(run_one(g, GB_DIR_OUT, 0, &err), GB_OK);
    CHECK_EQ_I(run_one(g, GB_DIR_IN, 0, &err), GB_EINVAL);
    CHECK_CONTAINS(err.message, "without its in-edges");
    CHECK_EQ_I(err.loc, 7);
    CHECK_EQ_I(run_one(g, GB_DIR_BOTH, 0, &err), GB_EINVAL);
    CHECK_EQ_I(run_one(g, GB_DIR_OUT, 1, &err), GB_EINVAL);
    CHECK_CONTAINS(err.message, "in-degrees");
    CHECK_EQ_I(gb_graph_build_in_edges(g, 1, &err), GB_OK);
    CHECK_EQ_I(run_one(g, GB_DIR_IN, 0, &err), GB_OK);
    CHECK_EQ_I(run_one(g, GB_DIR_BOTH, 0, &err), GB_OK);
    CHECK_EQ_I(run_one(g, GB_DIR_OUT, 1, &err), GB_OK);
    gb_graph_destroy(g);
}

int main(void)
{
    if (!make_tmpdir("/tmp/gb_test_compact_XXXXXX"))
        return 1;
    make_edges();
    test_widths_and_bytes();
    test_in_edges_on_demand();
    test_binary_layouts();
    test_skip_weights();
    test_run_needs_in_edges();
    remove_tmpdir();
    return CHECK_DONE();
}
