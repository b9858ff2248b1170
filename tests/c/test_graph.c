/*
 * test_graph.c — the graph builder and the edge-list loader.
 *
 * Covers gb_graph_from_arrays (CSR both ways, stable order, undirected arcs, bad input),
 * the text format (separators, comments, CRLF, weights, ids), parse errors with their
 * line and column, gzip (whole, multi-member, truncated), and random inputs checked
 * edge by edge against the input order.
 */
#define _DEFAULT_SOURCE   /* mkdtemp */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "check.h"
#include "graph_internal.h"
#include "graphbuild.h"
#include "csr64.h"

static char tmpdir[64];

/* Writes bytes to tmpdir/name and returns the path (a static buffer per call site use). */
static const char *write_file(const char *name, const char *data, size_t len)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        return path;
    fwrite(data, 1, len, f);
    fclose(f);
    return path;
}

static const char *write_text(const char *name, const char *text)
{
    return write_file(name, text, strlen(text));
}

static const char *write_gzip(const char *name, const char *text, int members)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    size_t len = strlen(text), cut = len / 2;
    for (int k = 0; k < members; k++) {   /* a second member is appended with "ab" */
        gzFile gz = gzopen(path, k == 0 ? "wb" : "ab");
        if (members == 1)
            gzwrite(gz, text, (unsigned)len);
        else
            gzwrite(gz, k == 0 ? text : text + cut, (unsigned)(k == 0 ? cut : len - cut));
        gzclose(gz);
    }
    return path;
}

static gb_status load(const char *path, int undirected, gb_graph **g, gb_error *err)
{
    gb_load_options opts = { .undirected = undirected };
    return gb_graph_load_edgelist(path, &opts, g, err);
}

/* The out-CSR written as "v:a,b;..." for compact comparisons. */
static const char *csr_text(const gb_graph *g, int dir)
{
    static char buf[1024];
    csr64 c = csr64_get(g, dir);
    size_t at = 0;
    buf[0] = '\0';
    for (int64_t v = 0; c.off != NULL && v < gb_graph_node_count(g) && at < sizeof buf - 64; v++) {
        at += (size_t)snprintf(buf + at, sizeof buf - at, "%s%lld:", v ? ";" : "", (long long)v);
        for (int64_t k = c.off[v]; k < c.off[v + 1] && at < sizeof buf - 64; k++)
            at += (size_t)snprintf(buf + at, sizeof buf - at, "%s%lld", k > c.off[v] ? "," : "",
                                   (long long)c.nbr[k]);
    }
    csr64_free(&c);
    return buf;
}

static void test_from_arrays(void)
{
    gb_graph *g = NULL;
    gb_error err;
    int64_t src[] = { 0, 2, 0, 1, 3, 0 }, dst[] = { 1, 0, 2, 1, 0, 1 };
    double w[] = { 1.5, 2, 3, 4, 5, 6 };
    CHECK_EQ_I(gb_graph_from_arrays(5, 6, src, dst, w, 1, &g, &err), GB_OK);
    CHECK_EQ_I(gb_graph_node_count(g), 5);
    CHECK_EQ_I(gb_graph_edge_count(g), 6);
    CHECK(gb_graph_is_directed(g) && gb_graph_is_weighted(g));
    /* Stable: node 0's out-edges in input order 1, 2, 1 (a multi-edge kept). */
    CHECK(strcmp(csr_text(g, GB_DIR_OUT), "0:1,2,1;1:1;2:0;3:0;4:") == 0);
    /* In-lists by tail, each tail's arcs in input order. */
    CHECK(strcmp(csr_text(g, GB_DIR_IN), "0:2,3;1:0,0,1;2:0;3:;4:") == 0);
    const void *off, *nbr;
    const double *wo, *wi;
    int ob, nb;
    gb_graph_csr(g, GB_DIR_OUT, &off, &nbr, &wo, &ob, &nb);
    CHECK(ob == 4 && nb == 4);
    CHECK_EQ_F(wo[0], 1.5);
    CHECK_EQ_F(wo[1], 3);
    CHECK_EQ_F(wo[2], 6);
    gb_graph_csr(g, GB_DIR_IN, &off, &nbr, &wi, NULL, NULL);
    CHECK_EQ_F(wi[((const int32_t *)off)[1]], 1.5);
    CHECK_EQ_F(wi[((const int32_t *)off)[1] + 1], 6);
    CHECK_EQ_F(wi[((const int32_t *)off)[1] + 2], 4);
    CHECK_EQ_I(gb_graph_ids_kind(g), GB_IDS_INT);
    CHECK_EQ_I(gb_graph_int_ids(g)[4], 4);
    CHECK(gb_graph_name_bytes(g) == NULL);
    CHECK_EQ_I(gb_graph_find_node(g, "3"), 3);
    CHECK_EQ_I(gb_graph_find_node(g, "5"), -1);
    CHECK_EQ_I(gb_graph_find_node(g, "x"), -1);
    gb_graph_destroy(g);

    /* Undirected: each edge is two arcs, a self-loop two arcs v->v; in-CSR is out-CSR. */
    int64_t us[] = { 0, 1, 1, 0 }, ud[] = { 1, 1, 2, 1 };
    CHECK_EQ_I(gb_graph_from_arrays(3, 4, us, ud, NULL, 0, &g, &err), GB_OK);
    CHECK(!gb_graph_is_directed(g) && !gb_graph_is_weighted(g));
    CHECK(strcmp(csr_text(g, GB_DIR_OUT), "0:1,1;1:0,1,1,2,0;2:1") == 0);
    const void *in_off, *in_nbr;
    gb_graph_csr(g, GB_DIR_OUT, &off, &nbr, &wo, NULL, NULL);
    gb_graph_csr(g, GB_DIR_IN, &in_off, &in_nbr, &wi, NULL, NULL);
    CHECK(off == in_off && nbr == in_nbr && wo == NULL && wi == NULL);
    CHECK_EQ_I(gb_graph_edge_count(g), 4);
    gb_graph_destroy(g);

    /* Isolated nodes and the empty graph. */
    CHECK_EQ_I(gb_graph_from_arrays(0, 0, NULL, NULL, NULL, 1, &g, &err), GB_OK);
    CHECK_EQ_I(gb_graph_node_count(g), 0);
    gb_graph_destroy(g);

    int64_t bad[] = { 3 };
    g = NULL;
    CHECK_EQ_I(gb_graph_from_arrays(3, 1, bad, src, NULL, 1, &g, &err), GB_EINVAL);
    CHECK(g == NULL);
    CHECK_CONTAINS(err.message, "outside 0..2");
    double nan_w[] = { NAN };
    CHECK_EQ_I(gb_graph_from_arrays(3, 1, src, dst, nan_w, 1, &g, &err), GB_EINVAL);
    CHECK_EQ_I(gb_graph_from_arrays(-1, 0, NULL, NULL, NULL, 1, &g, &err), GB_EINVAL);
    gb_graph_destroy(NULL);
}

static void test_format(void)
{
    gb_graph *g;
    gb_error err;
    /* Blanks, comma with spaces, tabs, comments, CRLF, a BOM, no final newline. */
    const char *path = write_text("mix.el", "\xEF\xBB\xBF# header\n10 20\n20 , 30\r\n\n"
                                  "  30\t10   # trailing\n% percent\n30,30");
    CHECK_EQ_I(load(path, 0, &g, &err), GB_OK);
    CHECK_EQ_I(gb_graph_node_count(g), 3);
    CHECK_EQ_I(gb_graph_edge_count(g), 4);
    CHECK(strcmp(csr_text(g, GB_DIR_OUT), "0:1;1:2;2:0,2") == 0);
    CHECK_EQ_I(gb_graph_int_ids(g)[2], 30);
    CHECK_EQ_I(gb_graph_find_node(g, "20"), 1);
    CHECK_EQ_I(gb_graph_find_node(g, "020"), 1);
    CHECK_EQ_I(gb_graph_find_node(g, "+20"), -1);
    CHECK_EQ_I(gb_graph_find_node(g, "25"), -1);
    gb_graph_destroy(g);

    /* Weights: exact decimals, exponents, signs, infinity. */
    path = write_text("w.wel", "1 2 0.1\n2 3 -2.5e-3\n3 1 inf\n1 1 123456789012345678901234\n");
    CHECK_EQ_I(load(path, 0, &g, &err), GB_OK);
    const double *w;
    gb_graph_csr(g, GB_DIR_OUT, NULL, NULL, &w, NULL, NULL);
    CHECK(gb_graph_is_weighted(g));
    CHECK_EQ_F(w[0], 0.1);
    CHECK_EQ_F(w[1], 123456789012345678901234.0);
    CHECK_EQ_F(w[2], -2.5e-3);
    CHECK(isinf(w[3]) && w[3] > 0);
    gb_graph_destroy(g);

    /* Names in order of first appearance; an integer-looking name stays a name. */
    path = write_text("names.el", "bob alice\nalice 7\ncarol bob\n");
    CHECK_EQ_I(load(path, 0, &g, &err), GB_OK);
    CHECK_EQ_I(gb_graph_ids_kind(g), GB_IDS_NAME);
    CHECK_EQ_I(gb_graph_node_count(g), 4);
    const char *bytes = gb_graph_name_bytes(g);
    const int64_t *noff = gb_graph_name_offsets(g);
    CHECK(noff[4] - noff[0] == 14 && memcmp(bytes, "bobalice7carol", 14) == 0);
    CHECK_EQ_I(gb_graph_find_node(g, "7"), 2);
    CHECK_EQ_I(gb_graph_find_node(g, "carol"), 3);
    CHECK_EQ_I(gb_graph_find_node(g, "dave"), -1);
    CHECK(gb_graph_int_ids(g) == NULL);
    gb_graph_destroy(g);

    /* Integers first, then a name: the earlier ids become names in first-appearance order. */
    path = write_text("late.el", "5 3\n3 5\n3 x\n");
    CHECK_EQ_I(load(path, 0, &g, &err), GB_OK);
    CHECK_EQ_I(gb_graph_ids_kind(g), GB_IDS_NAME);
    CHECK(memcmp(gb_graph_name_bytes(g), "53x", 3) == 0);
    CHECK(strcmp(csr_text(g, GB_DIR_OUT), "0:1;1:0,2;2:") == 0);
    gb_graph_destroy(g);

    /* ... and if an earlier integer had leading zeros, it keeps its spelling. */
    path = write_text("zeros.el", "007 7\n7 x\n");
    CHECK_EQ_I(load(path, 0, &g, &err), GB_OK);
    CHECK_EQ_I(gb_graph_node_count(g), 3);
    CHECK_EQ_I(gb_graph_find_node(g, "007"), 0);
    CHECK_EQ_I(gb_graph_find_node(g, "7"), 1);
    gb_graph_destroy(g);

    /* Integer ids: leading zeros name the same node; ids beyond int64 are names. */
    path = write_text("ints.el", "007 7\n9223372036854775807 0\n");
    CHECK_EQ_I(load(path, 0, &g, &err), GB_OK);
    CHECK_EQ_I(gb_graph_ids_kind(g), GB_IDS_INT);
    CHECK_EQ_I(gb_graph_node_count(g), 3);
    CHECK_EQ_I(gb_graph_int_ids(g)[2], INT64_MAX);
    CHECK(strcmp(csr_text(g, GB_DIR_OUT), "0:;1:1;2:0") == 0);
    gb_graph_destroy(g);
    path = write_text("big.el", "9223372036854775808 1\n");
    CHECK_EQ_I(load(path, 0, &g, &err), GB_OK);
    CHECK_EQ_I(gb_graph_ids_kind(g), GB_IDS_NAME);
    gb_graph_destroy(g);

    /* Undirected load: a self-loop gives two arcs, multi-edges stay. */
    path = write_text("und.el", "1 2\n2 2\n1 2\n");
    CHECK_EQ_I(load(path, 1, &g, &err), GB_OK);
    CHECK(strcmp(csr_text(g, GB_DIR_OUT), "0:1,1;1:0,1,1,0") == 0);
    CHECK(strcmp(csr_text(g, GB_DIR_IN), "0:1,1;1:0,1,1,0") == 0);
    CHECK_EQ_I(gb_graph_edge_count(g), 3);
    gb_graph_destroy(g);
}

static void test_errors(void)
{
    static const struct {
        const char *text;
        int64_t line, col;
        const char *message;
    } cases[] = {
        { "1 2\n3 4 5 6\n", 2, 7, "expected 2 or 3 columns, found 4" },
        { "# c\n\n7\n", 3, 2, "expected 2 or 3 columns, found 1" },
        { "1 2\n1 2 3\n", 2, 5, "line has 3 columns but earlier lines have 2" },
        { "1 2 3\n4 5\n", 2, 4, "line has 2 columns but earlier lines have 3" },
        { "1 2 abc\n", 1, 5, "invalid weight 'abc'" },
        { "1 2 1.5\n1 2 1.5x\n", 2, 5, "invalid weight '1.5x'" },
        { "1 2 nan\n", 1, 5, "weight 'nan' is NaN" },
        { "1,,2\n", 1, 3, "empty target column" },
        { ",1,2\n", 1, 1, "empty source column" },
        { "1,2,\n", 1, 5, "empty weight column" },
        { "1 ,, 2\n3 4\n", 1, 4, "empty column before ','" },
        { "\"a,b\n", 1, 1, "quoted field is not closed" },
        { "1 2 # x\n", 0, 0, NULL },
        { "# nothing\n\n", 2, 1, "no edges in file" },
        { "", 1, 1, "no edges in file" },
        { "a b\n\tc d e f g\n", 2, 8, "expected 2 or 3 columns, found 5" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        gb_graph *g = NULL;
        gb_error err;
        gb_status st = load(write_text("bad.el", cases[i].text), 0, &g, &err);
        if (cases[i].message == NULL) {
            CHECK_EQ_I(st, GB_OK);
            gb_graph_destroy(g);
            continue;
        }
        CHECK_EQ_I(st, GB_EPARSE);
        CHECK(g == NULL);
        CHECK_EQ_I(err.line, cases[i].line);
        CHECK_EQ_I(err.col, cases[i].col);
        CHECK_CONTAINS(err.message, cases[i].message);
    }

    /* An error on a later line is not reported before one on an earlier line. */
    gb_graph *g = NULL;
    gb_error err;
    CHECK_EQ_I(load(write_text("order.el", "1 2 x\n1 2 3 4\n"), 0, &g, &err), GB_EPARSE);
    CHECK_EQ_I(err.line, 1);

    const char nul[] = "1 2\n3\0 4\n";
    CHECK_EQ_I(load(write_file("nul.el", nul, sizeof nul - 1), 0, &g, &err), GB_EPARSE);
    CHECK_EQ_I(err.line, 2);
    CHECK_EQ_I(err.col, 2);

    CHECK_EQ_I(load("/nonexistent/graph.el", 0, &g, &err), GB_EIO);
    CHECK_CONTAINS(err.message, "/nonexistent/graph.el");
    CHECK_CONTAINS(err.message, "No such file");
    CHECK_EQ_I(load(tmpdir, 0, &g, &err), GB_EIO);
    CHECK_CONTAINS(err.message, "Is a directory");
    CHECK(g == NULL);
}

static void test_gzip(void)
{
    gb_graph *g;
    gb_error err;
    const char *text = "# gz\n1 2 0.5\n2 3 1.5\n3 1 2.5\n";
    CHECK_EQ_I(load(write_gzip("a.el.gz", text, 1), 0, &g, &err), GB_OK);
    CHECK_EQ_I(gb_graph_edge_count(g), 3);
    CHECK(strcmp(csr_text(g, GB_DIR_OUT), "0:1;1:2;2:0") == 0);
    gb_graph_destroy(g);

    /* The extension does not matter; two members read as one stream. */
    CHECK_EQ_I(load(write_gzip("two.txt", text, 2), 0, &g, &err), GB_OK);
    CHECK_EQ_I(gb_graph_edge_count(g), 3);
    gb_graph_destroy(g);

    /* Parse errors inside gzip keep their position. */
    CHECK_EQ_I(load(write_gzip("bad.gz", "1 2\n3 4 5\n", 1), 0, &g, &err), GB_EPARSE);
    CHECK_EQ_I(err.line, 2);
    CHECK_EQ_I(err.col, 5);

    /* Truncated and corrupt data are read errors. */
    char big[64 * 1024];
    size_t at = 0;
    for (int i = 0; at < sizeof big - 32; i++)
        at += (size_t)snprintf(big + at, sizeof big - at, "%d %d\n", i * 7919 % 1000, i);
    const char *path = write_gzip("full.gz", big, 1);
    FILE *f = fopen(path, "rb");
    char raw[sizeof big];
    size_t n = f ? fread(raw, 1, sizeof raw, f) : 0;
    if (f)
        fclose(f);
    CHECK(n > 100);
    CHECK_EQ_I(load(write_file("cut.gz", raw, n / 2), 0, &g, &err), GB_EIO);
    CHECK_CONTAINS(err.message, "truncated");
    raw[n / 2] ^= 0x55;
    raw[n / 2 + 1] ^= 0x55;
    CHECK_EQ_I(load(write_file("corrupt.gz", raw, n), 0, &g, &err), GB_EIO);
    CHECK_CONTAINS(err.message, "corrupt.gz");
}

static uint64_t rng_state = 0x2545F4914F6CDD1Dull;
static uint64_t next_random(void)   /* xorshift64* */
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Dull;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* m random edges over ids drawn from [0, span); written, loaded, checked edge by edge. */
static void check_random(int64_t m, uint64_t span, int undirected, int names)
{
    int64_t *src = malloc((size_t)m * sizeof *src), *dst = malloc((size_t)m * sizeof *dst);
    int64_t *ids = malloc(2 * (size_t)m * sizeof *ids);
    char *text = malloc((size_t)m * 48);
    size_t at = 0;
    for (int64_t i = 0; i < m; i++) {
        src[i] = (int64_t)(next_random() % span);
        dst[i] = i % 17 == 0 ? src[i] : (int64_t)(next_random() % span);
        at += (size_t)sprintf(text + at, names ? "n%lld,n%lld\n" : "%lld\t%lld\n",
                              (long long)src[i], (long long)dst[i]);
    }
    gb_graph *g = NULL;
    gb_error err;
    CHECK_EQ_I(load(write_file("random.el", text, at), undirected, &g, &err), GB_OK);
    if (g == NULL)
        goto done;

    /* Node of each endpoint through find_node, which checks the id mapping too. */
    char token[32];
    for (int64_t i = 0; i < m; i++) {
        snprintf(token, sizeof token, names ? "n%lld" : "%lld", (long long)src[i]);
        ids[2 * i] = gb_graph_find_node(g, token);
        snprintf(token, sizeof token, names ? "n%lld" : "%lld", (long long)dst[i]);
        ids[2 * i + 1] = gb_graph_find_node(g, token);
    }
    if (!names) {   /* integer ids ascend over the distinct ids that appear */
        int64_t *sorted = malloc(2 * (size_t)m * sizeof *sorted), u = 0;
        memcpy(sorted, src, (size_t)m * sizeof *src);
        memcpy(sorted + m, dst, (size_t)m * sizeof *dst);
        qsort(sorted, 2 * (size_t)m, sizeof *sorted, cmp_i64);
        for (int64_t i = 0; i < 2 * m; i++)
            if (u == 0 || sorted[i] != sorted[u - 1])
                sorted[u++] = sorted[i];
        CHECK_EQ_I(gb_graph_node_count(g), u);
        CHECK(memcmp(sorted, gb_graph_int_ids(g), (size_t)u * sizeof *sorted) == 0);
        free(sorted);
    }

    /* Walking the edges in input order must meet each node's out-arcs in CSR order, and
     * walking the out-CSR (tails ascending) each node's in-arcs in in-CSR order. */
    int64_t n = gb_graph_node_count(g), bad = 0;
    csr64 o = csr64_get(g, GB_DIR_OUT), in = csr64_get(g, GB_DIR_IN);
    const int64_t *off = o.off, *nbr = o.nbr, *ioff = in.off, *inbr = in.nbr;
    int64_t *cur = calloc((size_t)n, sizeof *cur), *icur = calloc((size_t)n, sizeof *icur);
    for (int64_t i = 0; i < m; i++) {
        int64_t u = ids[2 * i], v = ids[2 * i + 1];
        if (u < 0 || v < 0) {
            bad++;
            continue;
        }
        bad += nbr[off[u] + cur[u]++] != v;
        if (undirected)
            bad += nbr[off[v] + cur[v]++] != u;
    }
    for (int64_t u = 0; u < n && !undirected; u++)
        for (int64_t k = off[u]; k < off[u + 1]; k++) {
            int64_t v = nbr[k];
            bad += inbr[ioff[v] + icur[v]++] != u;
        }
    for (int64_t v = 0; v < n; v++)
        bad += off[v] + cur[v] != off[v + 1] || (!undirected && ioff[v] + icur[v] != ioff[v + 1]);
    csr64_free(&o);
    csr64_free(&in);
    CHECK_EQ_I(bad, 0);
    free(cur);
    free(icur);
    gb_graph_destroy(g);
done:
    free(src);
    free(dst);
    free(ids);
    free(text);
}

static void test_random(void)
{
    check_random(200000, 5000, 0, 0);          /* dense ids: the bitmap path */
    check_random(100000, 1ull << 62, 0, 0);    /* sparse 62-bit ids: the sorted path */
    check_random(100000, 3000, 1, 0);          /* undirected, many self-loops and multi-edges */
    check_random(100000, 20000, 0, 1);         /* names, comma separated */
}

/* The fast float path must agree with strtod bit for bit whenever it answers. */
static void test_fast_float(void)
{
    char text[64];
    int answered = 0, disagree = 0;
    for (int i = 0; i < 200000; i++) {
        uint64_t r = next_random();
        int digits = 1 + (int)(r % 18), point = (int)((r >> 8) % (uint64_t)(digits + 1));
        size_t at = 0;
        if ((r >> 16) & 1)
            text[at++] = (r >> 17) & 1 ? '-' : '+';
        for (int d = 0; d < digits; d++) {
            if (d == point && (r >> 18) & 1)
                text[at++] = '.';
            text[at++] = (char)('0' + next_random() % 10);
        }
        if ((r >> 19) & 1)
            at += (size_t)sprintf(text + at, "e%d", (int)((r >> 20) % 61) - 30);
        text[at] = '\0';
        double fast, slow = strtod(text, NULL);
        if (gb_parse_float_fast(text, text + at, &fast)) {
            answered++;
            disagree += memcmp(&fast, &slow, sizeof fast) != 0;
        }
    }
    CHECK(answered > 50000);
    CHECK_EQ_I(disagree, 0);
    double v;
    CHECK(!gb_parse_float_fast("1e", "1e" + 2, &v));
    CHECK(!gb_parse_float_fast(".", "." + 1, &v));
    CHECK(!gb_parse_float_fast("-", "-" + 1, &v));
    CHECK(gb_parse_float_fast("-0", "-0" + 2, &v) && v == 0 && signbit(v));
    CHECK(gb_parse_float_fast(".5", ".5" + 2, &v) && v == 0.5);
}

static void test_long_line(void)
{
    /* A line longer than the reader's 8 MiB chunk. */
    size_t len = (9u << 20) + 10;
    char *text = malloc(len);
    memset(text, 'x', len);
    memcpy(text + len - 10, " y\n1 y\n\n\n", 9);
    text[len - 1] = '\n';
    gb_graph *g = NULL;
    gb_error err;
    CHECK_EQ_I(load(write_file("long.el", text, len), 0, &g, &err), GB_OK);
    CHECK_EQ_I(gb_graph_edge_count(g), 2);
    CHECK_EQ_I(gb_graph_find_node(g, "y"), 1);
    CHECK_EQ_I(gb_graph_name_offsets(g)[1], (int64_t)len - 10);
    gb_graph_destroy(g);
    free(text);
}

int main(void)
{
    strcpy(tmpdir, "/tmp/gb_test_graph_XXXXXX");
    if (mkdtemp(tmpdir) == NULL) {
        fprintf(stderr, "cannot create a temporary directory\n");
        return 1;
    }
    test_from_arrays();
    test_format();
    test_errors();
    test_gzip();
    test_random();
    test_fast_float();
    test_long_line();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    return CHECK_DONE();
}
