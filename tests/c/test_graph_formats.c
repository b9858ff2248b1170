/*
 * test_graph_formats.c — what graph loading does beyond the plain edge list: Matrix
 * Market, header lines, dense ids, the self-loop and duplicate policies, GAP's
 * generators, the parallel builder, progress and cancelling, writing text.
 */
#define _DEFAULT_SOURCE   /* mkdtemp */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "graph_internal.h"
#include "graphbuild.h"

#include "test_graph_util.h"

static void test_matrix_market(void)
{
    gb_load_options none = { 0 };
    gb_graph *g = load(write_text("a.mtx", "%%MatrixMarket matrix coordinate real general\n"
                                           "% comment\n\n5 5 3\n1 2 0.5\n2 3 -1\n5 5 2\n"), none);
    if (g == NULL)
        return;
    CHECK_EQ_I(gb_graph_node_count(g), 5);   /* node 4 has no entry but exists */
    CHECK(gb_graph_is_directed(g) && gb_graph_is_weighted(g));
    CHECK(strcmp(csr_text(g, GB_DIR_OUT), "0:1;1:2;2:;3:;4:4") == 0);
    CHECK_EQ_I(gb_graph_int_ids(g)[3], 4);
    CHECK_EQ_I(gb_graph_find_node(g, "5"), 4);
    gb_graph_stats s;
    gb_graph_get_stats(g, &s);
    CHECK_EQ_I(s.format, GB_FORMAT_MTX);
    CHECK_EQ_I(s.self_loops, 1);
    gb_graph_destroy(g);

    /* Symmetric: undirected, an entry in either triangle is one edge. */
    g = load(write_text("s.mtx", "%%MatrixMarket matrix coordinate pattern symmetric\n"
                                 "3 3 3\n2 1\n1 3\n2 2\n"), none);
    if (g == NULL)
        return;
    CHECK(!gb_graph_is_directed(g) && !gb_graph_is_weighted(g));
    CHECK(strcmp(csr_text(g, GB_DIR_OUT), "0:1,2;1:0,1,1;2:0") == 0);
    gb_graph_destroy(g);

    /* Integer values become weights; the banner wins over the suffix. */
    g = load(write_text("i.el", "%%MatrixMarket matrix coordinate integer general\n2 2 1\n2 1 -7\n"),
             none);
    if (g == NULL)
        return;
    const double *w;
    gb_graph_csr(g, GB_DIR_OUT, NULL, NULL, &w, NULL, NULL);
    CHECK_EQ_F(w[0], -7.0);
    gb_graph_destroy(g);

    /* An explicit edge-list format reads the banner as a comment. */
    gb_load_options el = { .format = GB_FORMAT_EDGELIST };
    g = load(write_text("x.mtx", "%%MatrixMarket matrix coordinate pattern general\n7 8\n"), el);
    if (g != NULL) {
        CHECK_EQ_I(gb_graph_int_ids(g)[0], 7);
        gb_graph_destroy(g);
    }

    /* The node limit applies to the declared size. */
    gb_load_options small = { .max_nodes = 10 };
    gb_error err;
    CHECK_EQ_I(gb_graph_load_edgelist(write_text("big.mtx", "%%MatrixMarket matrix coordinate "
                                                 "pattern general\n11 11 0\n"), &small, &g, &err),
               GB_EPARSE);
    CHECK_CONTAINS(err.message, "more than the limit of 10 nodes");
}

static void test_headers_and_dense_ids(void)
{
    gb_load_options none = { 0 }, dense = { .ids = GB_IDS_DENSE };
    gb_graph_stats s;
    gb_graph *g = load(write_text("h.csv", "from,to\n3,1\n1,2\n"), none);
    if (g == NULL)
        return;
    gb_graph_get_stats(g, &s);
    CHECK_EQ_I(s.header_line, 1);
    CHECK_EQ_I(gb_graph_edge_count(g), 2);
    gb_graph_destroy(g);

    /* Word ids further down, one of them a word of the first line: the first line is an
     * edge after all, the first, and its nodes the first nodes. */
    g = load(write_text("h2.el", "from to\n3 1\n1 from\n"), none);
    if (g == NULL)
        return;
    gb_graph_get_stats(g, &s);
    CHECK_EQ_I(s.header_line, 0);
    CHECK_EQ_I(s.header_guess, GB_GUESS_EDGE);
    CHECK_EQ_I(s.header_guess_line, 1);
    CHECK_EQ_I(gb_graph_ids_kind(g), GB_IDS_NAME);
    CHECK_EQ_I(gb_graph_node_count(g), 4);
    CHECK(memcmp(gb_graph_name_bytes(g), "fromto31", 8) == 0);
    CHECK(strcmp(csr_text(g, GB_DIR_OUT), "0:1;1:;2:3;3:0") == 0);
    gb_graph_destroy(g);

    /* ... but words seen nowhere else, without digits, over word ids: a header. */
    g = load(write_text("h3.el", "from to\n3 1\n1 x\n"), none);
    if (g == NULL)
        return;
    gb_graph_get_stats(g, &s);
    CHECK_EQ_I(s.header_line, 1);
    CHECK_EQ_I(s.header_guess, GB_GUESS_HEADER);
    CHECK_EQ_I(gb_graph_node_count(g), 3);
    gb_graph_destroy(g);

    /* Delimited: blanks inside a field, quotes, picked columns by name (the header). */
    gb_load_options picked = { .column_names = { "dst", "src", NULL } };
    g = load(write_text("q.csv", "idx,src,dst\n0,\"Smith, J.\",Ann Lee\n1,\"a \"\"b\"\"\",Ann Lee\n"),
             picked);
    if (g == NULL)
        return;
    gb_graph_get_stats(g, &s);
    CHECK_EQ_I(s.delimiter, ',');
    CHECK_EQ_I(s.header_line, 1);
    CHECK_EQ_I(gb_graph_node_count(g), 3);
    CHECK(memcmp(gb_graph_name_bytes(g), "Ann LeeSmith, J.a \"b\"", 21) == 0);
    gb_graph_destroy(g);

    /* Dense ids: the ids are the nodes, gaps included. */
    g = load(write_text("d.el", "4 0\n0 2\n"), dense);
    if (g == NULL)
        return;
    CHECK_EQ_I(gb_graph_node_count(g), 5);
    CHECK(strcmp(csr_text(g, GB_DIR_OUT), "0:2;1:;2:;3:;4:0") == 0);
    CHECK_EQ_I(gb_graph_find_node(g, "3"), 3);
    gb_graph_destroy(g);

    gb_load_options limited = { .ids = GB_IDS_DENSE, .max_nodes = 100 };
    gb_error err;
    CHECK_EQ_I(gb_graph_load_edgelist(write_text("d2.el", "1 2\n3 100\n"), &limited, &g, &err),
               GB_EPARSE);
    CHECK_EQ_I(err.line, 2);
    CHECK_EQ_I(err.col, 3);
    CHECK_CONTAINS(err.message, "node id 100 is too large for --ids dense (at most 99)");
}

static void test_policies(void)
{
    /* edges: 0->1 w1, 1->1 w2, 0->1 w3, 1->0 w4, 1->1 w5, 2->0 w6 */
    const char *path = write_text("p.wel", "0 1 1\n1 1 2\n0 1 3\n1 0 4\n1 1 5\n2 0 6\n");
    gb_graph_stats s;
    gb_load_options keep = { 0 }, dedupe = { .dedupe = 1 }, both = { .dedupe = 1, .no_self_loops = 1 };
    gb_graph *g = load(path, keep);
    if (g == NULL)
        return;
    gb_graph_get_stats(g, &s);
    CHECK_EQ_I(s.self_loops, 2);
    CHECK_EQ_I(s.duplicates, 2);
    CHECK_EQ_I(gb_graph_edge_count(g), 6);
    gb_graph_destroy(g);

    g = load(path, dedupe);
    if (g == NULL)
        return;
    const double *w, *wi;
    gb_graph_csr(g, GB_DIR_OUT, NULL, NULL, &w, NULL, NULL);
    gb_graph_csr(g, GB_DIR_IN, NULL, NULL, &wi, NULL, NULL);
    CHECK(strcmp(csr_text(g, GB_DIR_OUT), "0:1;1:1,0;2:0") == 0);
    CHECK(strcmp(csr_text(g, GB_DIR_IN), "0:1,2;1:0,1;2:") == 0);
    CHECK(w[0] == 1 && w[1] == 2 && w[2] == 4 && w[3] == 6);
    CHECK(wi[0] == 4 && wi[1] == 6 && wi[2] == 1 && wi[3] == 2);
    CHECK_EQ_I(gb_graph_edge_count(g), 4);
    gb_graph_destroy(g);

    g = load(path, both);
    if (g == NULL)
        return;
    gb_graph_get_stats(g, &s);
    CHECK_EQ_I(s.self_loops_dropped, 2);
    CHECK_EQ_I(s.duplicates_dropped, 1);   /* the repeated loop went as a self-loop */
    CHECK(strcmp(csr_text(g, GB_DIR_OUT), "0:1;1:0;2:0") == 0);
    gb_graph_destroy(g);

    /* Undirected: 1-0 repeats 0-1, and a repeated loop keeps its first pair of arcs. */
    gb_load_options und = { .undirected = 1, .dedupe = 1 };
    g = load(path, und);
    if (g == NULL)
        return;
    gb_graph_get_stats(g, &s);
    CHECK_EQ_I(s.duplicates, 3);
    CHECK(strcmp(csr_text(g, GB_DIR_OUT), "0:1,2;1:0,1,1;2:0") == 0);
    gb_graph_csr(g, GB_DIR_OUT, NULL, NULL, &w, NULL, NULL);
    CHECK(w[0] == 1 && w[1] == 6 && w[2] == 1 && w[3] == 2 && w[4] == 2 && w[5] == 6);
    CHECK_EQ_I(gb_graph_edge_count(g), 3);
    gb_graph_destroy(g);
}

static uint64_t degree_sequence_hash(const gb_graph *g)
{
    int64_t n = gb_graph_node_count(g), *deg = malloc((size_t)n * sizeof *deg);
    csr64 c = csr64_get(g, GB_DIR_OUT);
    for (int64_t v = 0; v < n; v++)
        deg[v] = c.off[v + 1] - c.off[v];
    csr64_free(&c);
    /* counting sort of degrees, then FNV-1a over them in ascending order */
    uint64_t h = 1469598103934665603ull;
    int64_t max = 0;
    for (int64_t v = 0; v < n; v++)
        max = deg[v] > max ? deg[v] : max;
    int64_t *count = calloc((size_t)max + 1, sizeof *count);
    for (int64_t v = 0; v < n; v++)
        count[deg[v]]++;
    for (int64_t d = 0; d <= max; d++)
        for (int64_t k = 0; k < count[d]; k++)
            h = (h ^ (uint64_t)d) * 1099511628211ull;
    free(count);
    free(deg);
    return h;
}

static void test_generators(void)
{
    gb_mt19937 mt;
    uint32_t x = 0;
    gb_mt_seed(&mt, 5489);
    for (int i = 0; i < 10000; i++)
        x = gb_mt_next(&mt);
    CHECK_EQ_I(x, 4123659995u);   /* the C++ standard's check value for mt19937 */

    gb_graph *g[3] = { 0 };
    gb_error err;
    for (int t = 0; t < 3; t++) {
        gb_load_options opts = { .threads = 1 + 2 * t };
        CHECK_EQ_I(gb_graph_generate(GB_GEN_KRONECKER, 12, 16, &opts, &g[t], &err), GB_OK);
    }
    if (g[0] == NULL || g[1] == NULL || g[2] == NULL)
        return;
    CHECK_EQ_I(gb_graph_node_count(g[0]), 4096);
    CHECK_EQ_I(gb_graph_edge_count(g[0]), 4096 * 16);
    CHECK(!gb_graph_is_directed(g[0]));
    for (int t = 1; t < 3; t++) {
        CHECK(csr64_same(g[0], g[t], GB_DIR_OUT));
    }
    /* The degree sequence (which the id permutation leaves alone) of GAP's own generator,
     * compiled with libstdc++: the R-MAT draws are GAP's draw for draw. */
    CHECK_EQ_I(degree_sequence_hash(g[0]), 0xd7d0ed0a9b055b2dull);
    for (int t = 0; t < 3; t++)
        gb_graph_destroy(g[t]);

    gb_graph *u = NULL;
    gb_load_options opts = { .threads = 2 };
    CHECK_EQ_I(gb_graph_generate(GB_GEN_UNIFORM, 12, 16, &opts, &u, &err), GB_OK);
    if (u != NULL) {
        csr64 c = csr64_get(u, GB_DIR_OUT);
        CHECK_EQ_I(c.nbr[c.off[2531]], 28);   /* GAP's first uniform edge is 2531 - 28 */
        csr64_free(&c);
        CHECK_EQ_I(degree_sequence_hash(u), 0xe7c45fef6cb0583dull);
        gb_graph_destroy(u);
    }

    CHECK_EQ_I(gb_graph_generate(GB_GEN_KRONECKER, 0, 16, NULL, &u, &err), GB_EINVAL);
    CHECK_EQ_I(gb_graph_generate(GB_GEN_KRONECKER, 31, 16, NULL, &u, &err), GB_EINVAL);
    CHECK_EQ_I(gb_graph_generate(GB_GEN_UNIFORM, 4, 0, NULL, &u, &err), GB_EINVAL);
    CHECK_EQ_I(gb_graph_generate(7, 4, 4, NULL, &u, &err), GB_EINVAL);
}

/* Progress callback: counts calls; cancels on the call given by ctx's limit. */
typedef struct progress_log {
    int calls, cancel_at;
    int64_t last_done, last_total;
} progress_log;

static int on_progress(void *ctx, int64_t done, int64_t total, int64_t edges)
{
    progress_log *log = ctx;
    (void)edges;
    log->calls++;
    log->last_done = done;
    log->last_total = total;
    return log->calls == log->cancel_at;
}

static void test_progress_and_parallel_build(void)
{
    /* 3 MiB of edges: several chunks' worth of progress is not needed, one call per
     * chunk is; generators call once per block. */
    size_t cap = 3u << 20, at = 0;
    char *text = malloc(cap + 64);
    for (int64_t i = 0; at < cap; i++)
        at += (size_t)sprintf(text + at, "%lld %lld\n", (long long)(i * 7919 % 50000),
                              (long long)(i % 40000));
    const char *path = path_of("big.el");
    FILE *f = fopen(path, "wb");
    fwrite(text, 1, at, f);
    fclose(f);
    free(text);

    progress_log log = { 0, 0, 0, 0 };
    gb_load_options opts = { .progress = on_progress, .progress_ctx = &log, .threads = 1 };
    gb_graph *one = load(path, opts);
    CHECK(log.calls >= 1);
    CHECK_EQ_I(log.last_done, (int64_t)at);
    CHECK_EQ_I(log.last_total, (int64_t)at);
    gb_load_options four = { .threads = 4, .undirected = 0 };
    gb_graph *many = load(path, four);
    if (one != NULL && many != NULL) {
        CHECK(strcmp(csr_text(one, GB_DIR_IN), csr_text(many, GB_DIR_IN)) == 0);
        CHECK(csr64_same(one, many, GB_DIR_OUT));
    }
    gb_graph_destroy(one);
    gb_graph_destroy(many);

    gb_graph *g = NULL;
    gb_error err;
    log = (progress_log){ 0, 1, 0, 0 };
    CHECK_EQ_I(gb_graph_load_edgelist(path, &opts, &g, &err), GB_EINTR);
    CHECK(g == NULL);
    CHECK_CONTAINS(err.message, "interrupted");
    log = (progress_log){ 0, 2, 0, 0 };
    gb_load_options gen = { .progress = on_progress, .progress_ctx = &log, .threads = 2 };
    CHECK_EQ_I(gb_graph_generate(GB_GEN_UNIFORM, 16, 16, &gen, &g, &err), GB_EINTR);
    CHECK(g == NULL && log.calls == 2 && log.last_total == 16 << 16);
}

static void test_write_round_trip(void)
{
    gb_load_options none = { 0 };
    const char *in = write_text("w.el", "b a 0.1\na c 2.5\nc c -1e-300\nb a 7\n");
    gb_graph *g = load(in, none);
    if (g == NULL)
        return;
    static const struct { const char *name; int format, compress; } outs[] = {
        { "o.el", GB_FORMAT_EDGELIST, 0 }, { "o.wel.gz", GB_FORMAT_WEL, 1 }, { "o.mtx", GB_FORMAT_MTX, 0 },
    };
    gb_error err;
    for (size_t i = 0; i < sizeof outs / sizeof outs[0]; i++) {
        char path[256];
        snprintf(path, sizeof path, "%s", path_of(outs[i].name));
        CHECK_EQ_I(gb_graph_write(g, path, outs[i].format, outs[i].compress, 0, &err), GB_OK);
        gb_graph *back = load(path, none);
        if (back == NULL)
            continue;
        CHECK_EQ_I(gb_graph_edge_count(back), 4);
        const double *w0, *w1;
        gb_graph_csr(g, GB_DIR_OUT, NULL, NULL, &w0, NULL, NULL);
        gb_graph_csr(back, GB_DIR_OUT, NULL, NULL, &w1, NULL, NULL);
        CHECK(strcmp(csr_text(g, GB_DIR_OUT), csr_text(back, GB_DIR_OUT)) == 0);
        for (int k = 0; k < 4; k++)
            CHECK_EQ_F(w0[k], w1[k]);   /* exact: shortest digits that read back */
        gb_graph_destroy(back);
    }
    gb_graph_destroy(g);

    /* Undirected: once per edge, or both arcs. */
    gb_load_options und = { .undirected = 1 };
    g = load(write_text("u.el", "1 2\n3 3\n2 1\n"), und);
    if (g == NULL)
        return;
    CHECK_EQ_I(gb_graph_write(g, path_of("u1.el"), GB_FORMAT_EDGELIST, 0, 0, &err), GB_OK);
    gb_graph *back = load(path_of("u1.el"), none);
    if (back != NULL)
        CHECK_EQ_I(gb_graph_edge_count(back), 3);
    gb_graph_destroy(back);
    CHECK_EQ_I(gb_graph_write(g, path_of("u2.el"), GB_FORMAT_EDGELIST, 0, 1, &err), GB_OK);
    back = load(path_of("u2.el"), none);
    if (back != NULL)
        CHECK_EQ_I(gb_graph_edge_count(back), 6);
    gb_graph_destroy(back);
    CHECK_EQ_I(gb_graph_write(g, path_of("u.mtx"), GB_FORMAT_MTX, 0, 0, &err), GB_OK);
    back = load(path_of("u.mtx"), none);
    if (back != NULL) {
        CHECK(!gb_graph_is_directed(back));
        CHECK(strcmp(csr_text(g, GB_DIR_OUT), csr_text(back, GB_DIR_OUT)) == 0);
    }
    gb_graph_destroy(back);
    CHECK_EQ_I(gb_graph_write(g, "/nonexistent/dir/x.el", GB_FORMAT_EDGELIST, 0, 0, &err), GB_EIO);
    CHECK_CONTAINS(err.message, "/nonexistent/dir/x.el");
    gb_graph_destroy(g);
}

int main(void)
{
    if (!make_tmpdir("/tmp/gb_test_formats_XXXXXX"))
        return 1;
    test_matrix_market();
    test_headers_and_dense_ids();
    test_policies();
    test_generators();
    test_progress_and_parallel_build();
    test_write_round_trip();
    remove_tmpdir();
    return CHECK_DONE();
}
