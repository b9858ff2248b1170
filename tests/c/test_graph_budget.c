/*
 * test_graph_budget.c — gb_load_options.max_bytes: a load that would hold more than its
 * budget stops with GB_EBUDGET (err.bytes: what it needed) before allocating it, however
 * its size shows up (a Matrix Market size line, a generator's spec, a file that keeps
 * growing, one endless line, names, a gzip stream); within the budget the same loads
 * succeed, and gb_graph_load_bytes is an upper bound of what the graph keeps.
 */
#define _DEFAULT_SOURCE   /* mkdtemp */
#include <zlib.h>

#include "test_graph_util.h"

enum { MIB = 1 << 20 };

static gb_status try_load(const char *path, int64_t budget, gb_error *err)
{
    gb_load_options opts = { .max_bytes = budget, .threads = 2 };
    gb_graph *g = NULL;
    gb_status st = gb_graph_load_edgelist(path, &opts, &g, err);
    CHECK((st == GB_OK) == (g != NULL));
    gb_graph_destroy(g);
    return st;
}

/* A file of count lines "i j" (integer ids) or "a<i> b<j>" (names). */
static const char *write_edges(const char *name, int64_t count, int names)
{
    const char *path = path_of(name);
    FILE *f = fopen(path, "wb");
    for (int64_t i = 0; f != NULL && i < count; i++)
        fprintf(f, names ? "a%lld b%lld\n" : "%lld %lld\n", (long long)i, (long long)(i * 7 % count));
    if (f != NULL)
        fclose(f);
    return path;
}

static void test_size_line_bomb(void)
{
    /* 78 bytes asking for 2^31 - 1 nodes and 2^62 entries */
    const char *path = write_text("bomb.mtx", "%%MatrixMarket matrix coordinate pattern general\n"
                                              "2147483647 2147483647 4611686018427387904\n1 2\n");
    gb_error err;
    CHECK_EQ_I(try_load(path, 1LL << 31, &err), GB_EBUDGET);
    CHECK(err.bytes > (1LL << 31));
    CHECK_EQ_I(err.line, 2);
    CHECK_CONTAINS(err.message, "bytes of memory");
    /* The nodes alone: offsets, counts and ids of 2^31 nodes are far past 2 GiB. */
    path = write_text("nodes.mtx", "%%MatrixMarket matrix coordinate pattern general\n"
                                   "2147483647 2147483647 1\n1 2\n");
    CHECK_EQ_I(try_load(path, 1LL << 31, &err), GB_EBUDGET);
    CHECK(err.bytes >= 3 * 8 * (int64_t)2147483647);
    /* A sane one within the same budget. */
    path = write_text("ok.mtx", "%%MatrixMarket matrix coordinate pattern general\n3 3 2\n1 2\n2 3\n");
    CHECK_EQ_I(try_load(path, 1LL << 31, &err), GB_OK);
}

static void test_generator(void)
{
    gb_load_options opts = { .max_bytes = 64 * MIB };
    gb_graph *g = NULL;
    gb_error err;
    /* kron:30 needs 16 bytes per edge for its arrays alone: refused before any is made */
    CHECK_EQ_I(gb_graph_generate(GB_GEN_KRONECKER, 30, 16, &opts, &g, &err), GB_EBUDGET);
    CHECK(g == NULL && err.bytes > (16LL << 34));
    CHECK_CONTAINS(err.message, "kron:30:16");
    CHECK_EQ_I(gb_graph_generate(GB_GEN_KRONECKER, 10, 16, &opts, &g, &err), GB_OK);
    /* what the graph keeps is within the predicted peak */
    CHECK(gb_graph_bytes(g) < gb_graph_load_bytes(1 << 10, 16 << 10, 0, 0, GB_SOURCE_GENERATED, &opts));
    gb_graph_destroy(g);
    /* the peak exactly at the budget passes, a byte less does not */
    int64_t need = gb_graph_load_bytes(1 << 12, 16 << 12, 0, 0, GB_SOURCE_GENERATED, &opts);
    opts.max_bytes = need;
    CHECK_EQ_I(gb_graph_generate(GB_GEN_KRONECKER, 12, 16, &opts, &g, &err), GB_OK);
    gb_graph_destroy(g);
    opts.max_bytes = need - 1;
    CHECK_EQ_I(gb_graph_generate(GB_GEN_KRONECKER, 12, 16, &opts, &g, &err), GB_EBUDGET);
    CHECK_EQ_I(err.bytes, need);
}

static void test_growing_file(void)
{
    gb_error err;
    /* 300,000 edges: arrays of 2^19 x 16 bytes = 8 MiB, plus the read buffer */
    const char *path = write_edges("grow.el", 300000, 0);
    CHECK_EQ_I(try_load(path, 12 * MIB, &err), GB_EBUDGET);
    CHECK(err.bytes > 12 * MIB);
    CHECK_CONTAINS(err.message, "grow.el");
    CHECK_EQ_I(try_load(path, 256 * MIB, &err), GB_OK);
    /* names: their table and records count too */
    path = write_edges("names.el", 300000, 1);
    CHECK_EQ_I(try_load(path, 24 * MIB, &err), GB_EBUDGET);
    CHECK(err.bytes > 24 * MIB);
    CHECK_EQ_I(try_load(path, 512 * MIB, &err), GB_OK);
    /* one line longer than the read buffer, growing it */
    path = path_of("long.el");
    FILE *f = fopen(path, "wb");
    for (int k = 0; f != NULL && k < 20 * MIB; k++)
        fputc('7', f);
    if (f != NULL) {
        fputs(" 1\n", f);
        fclose(f);
    }
    CHECK_EQ_I(try_load(path, 16 * MIB, &err), GB_EBUDGET);
    CHECK(err.bytes > 16 * MIB);
}

static void test_gzip_stream(void)
{
    /* 64 MiB of "1 2\n" in a gzip file of a few hundred KiB: the edge arrays stop it */
    const char *path = path_of("bomb.el.gz");
    gzFile gz = gzopen(path, "wb9");
    static char block[1 << 16];
    for (size_t i = 0; i < sizeof block; i += 4)
        memcpy(block + i, "1 2\n", 4);
    for (int k = 0; gz != NULL && k < 1024; k++)
        gzwrite(gz, block, sizeof block);
    if (gz != NULL)
        gzclose(gz);
    gb_error err;
    CHECK_EQ_I(try_load(path, 48 * MIB, &err), GB_EBUDGET);
    CHECK(err.bytes > 48 * MIB);
}

static void test_estimates(void)
{
    gb_load_options opts = { .threads = 1 };
    /* overflow saturates rather than wrapping to a small figure */
    CHECK_EQ_I(gb_graph_load_bytes(INT64_MAX / 2, INT64_MAX / 2, 1, 1, GB_SOURCE_MTX, &opts), INT64_MAX);
    CHECK_EQ_I(gb_graph_load_bytes(-1, 5, 1, 1, GB_SOURCE_MTX, &opts), INT64_MAX);
    /* a directed graph with its transpose needs more than without */
    int64_t both = gb_graph_load_bytes(1000000, 10000000, 1, 0, GB_SOURCE_EDGELIST, &opts);
    opts.skip_in_edges = 1;
    CHECK(gb_graph_load_bytes(1000000, 10000000, 1, 0, GB_SOURCE_EDGELIST, &opts) < both);
}

int main(void)
{
    if (!make_tmpdir("/tmp/gb_budget_XXXXXX"))
        return 1;
    test_size_line_bomb();
    test_generator();
    test_growing_file();
    test_gzip_stream();
    test_estimates();
    remove_tmpdir();
    return CHECK_DONE();
}
