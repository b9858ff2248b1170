/*
 * test_graph_binary.c — the binary graph file behind the graph cache, and the hash of its
 * keys: a round trip, a mapped graph saved again, and every kind of damage the loader
 * must refuse (bad arrays under a good checksum, truncation, flipped bytes, bad magic).
 */
#define _DEFAULT_SOURCE   /* mkdtemp */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "graph_internal.h"
#include "graphbuild.h"
#include "test_graph_util.h"

static void test_hash(void)
{
    /* Over three 8 MiB segments, so the pieces and their combination are both used. */
    size_t len = (20u << 20) + 5;
    char *data = malloc(len);
    for (size_t i = 0; i < len; i++)
        data[i] = (char)(i * 2654435761u >> 13);
    const char *path = path_of("h.bin");
    FILE *f = fopen(path, "wb");
    fwrite(data, 1, len, f);
    fclose(f);
    uint64_t h1[2], h3[2], again[2];
    gb_error err;
    CHECK_EQ_I(gb_hash_file(path, 1, NULL, h1, &err), GB_OK);
    CHECK_EQ_I(gb_hash_file(path, 3, NULL, h3, &err), GB_OK);
    CHECK(h1[0] == h3[0] && h1[1] == h3[1]);
    data[len - 1] ^= 1;   /* one bit in the last segment */
    f = fopen(path, "wb");
    fwrite(data, 1, len, f);
    fclose(f);
    CHECK_EQ_I(gb_hash_file(path, 2, NULL, again, &err), GB_OK);
    CHECK(again[0] != h1[0] && again[1] != h1[1]);
    free(data);
    CHECK_EQ_I(gb_hash_file(tmpdir, 1, NULL, again, &err), GB_EIO);
    CHECK_EQ_I(gb_hash_file("/nonexistent", 1, NULL, again, &err), GB_EIO);
}

/* Saves g, damaged by `damage` after a copy of the arrays is taken, and expects the map to
 * be refused with `problem`. */
static void expect_rejected(gb_graph *g, void (*damage)(gb_graph *), const char *problem)
{
    gb_error err;
    gb_graph *back = NULL;
    damage(g);
    CHECK_EQ_I(save_graph(g, path_of("bad.gbgraph"), &err), GB_OK);
    CHECK_EQ_I(gb_graph_load_binary(path_of("bad.gbgraph"), 2, &back, &err), GB_EPARSE);
    CHECK(back == NULL);
    CHECK_CONTAINS(err.message, problem);
}

static gb_graph *fresh(int names, int weighted)
{
    gb_load_options none = { 0 };
    return load(write_text("f.el", names ? (weighted ? "a b 1\nb c 2\nc a 3\n" : "a b\nb c\nc a\n")
                                         : (weighted ? "1 2 1\n2 3 2\n3 1 3\n" : "1 2\n2 3\n3 1\n")),
                none);
}

static void bad_neighbor(gb_graph *g) { gb_idx_set(g->out.nbr, g->nbr_bytes, 1, 3); }
static void bad_in_neighbor(gb_graph *g) { gb_idx_set(g->in.nbr, g->nbr_bytes, 0, -1); }
static void bad_offsets(gb_graph *g)
{
    gb_idx_set(g->out.off, g->off_bytes, 1, 3);
    gb_idx_set(g->out.off, g->off_bytes, 2, 2);
}
static void bad_ids(gb_graph *g) { g->int_ids[1] = g->int_ids[0]; }
static void bad_weight(gb_graph *g) { g->in.w[2] = NAN; }
/* On a wide graph: 64-bit arrays that the counts say should be 32-bit. */
static void bad_widths(gb_graph *g) { g->wide = 0; }
static void bad_names(gb_graph *g) { g->names.offsets[1] = 3; g->names.offsets[2] = 1; }

/* A relabeled graph: perm, inv and unpermute; its file round trip; and perms the loader
 * must refuse though the checksums are good. */
static gb_graph *relabeled(int names)
{
    gb_error err;
    gb_graph *g = fresh(names, 1), *r = NULL;
    if (g == NULL)
        return NULL;
    /* one more arc from the last node, so degrees differ: 1, 1, 2 */
    gb_graph_destroy(g);
    gb_load_options none = { 0 };
    g = load(write_text("r.el", names ? "a b 1\nb c 2\nc a 3\nc b 4\n" : "1 2 1\n2 3 2\n3 1 3\n3 2 4\n"),
             none);
    if (g == NULL)
        return NULL;
    CHECK_EQ_I(gb_graph_relabel(g, GB_LAYOUT_DEGREE, 2, NULL, &r, &err), GB_OK);
    gb_graph_destroy(g);
    return r;
}

static void bad_perm_range(gb_graph *g) { g->perm[1] = 3; }
static void bad_perm_twice(gb_graph *g) { g->perm[1] = g->perm[0]; }
static void bad_inv_range(gb_graph *g) { g->inv[0] = -1; }

static void test_relabel(void)
{
    gb_error err;
    gb_graph *r = relabeled(1), *back = NULL;
    if (r == NULL)
        return;
    /* degrees a:1 b:1 c:2 -> c, a, b */
    CHECK_EQ_I(gb_graph_layout(r), GB_LAYOUT_DEGREE);
    const int64_t *perm = gb_graph_perm(r), *inv = gb_graph_inv_perm(r);
    CHECK(perm[0] == 2 && perm[1] == 0 && perm[2] == 1);
    CHECK(inv[2] == 0 && inv[0] == 1 && inv[1] == 2);
    CHECK(strcmp(csr_text(r, GB_DIR_OUT), "0:1,2;1:2;2:0") == 0);
    CHECK_EQ_I(gb_graph_find_node(r, "c"), 2);   /* input indices, whatever the layout */
    double values[3] = { 20, 0, 10 };   /* by position: c, a, b */
    CHECK_EQ_I(gb_graph_unpermute(r, values, 8, &err), GB_OK);
    CHECK(values[0] == 0 && values[1] == 10 && values[2] == 20);
    CHECK_EQ_I(gb_graph_relabel(r, GB_LAYOUT_DEGREE, 1, NULL, &back, &err), GB_EINVAL);
    CHECK_EQ_I(gb_graph_unpermute(r, values, 4, &err), GB_EINVAL);
    CHECK_EQ_I(save_graph(r, path_of("r.gbgraph"), &err), GB_OK);
    CHECK_EQ_I(gb_graph_load_binary(path_of("r.gbgraph"), 2, &back, &err), GB_OK);
    if (back != NULL) {
        CHECK_EQ_I(gb_graph_layout(back), GB_LAYOUT_DEGREE);
        CHECK(memcmp(gb_graph_perm(back), perm, 3 * sizeof *perm) == 0);
        char want[2048];
        strcpy(want, csr_text(r, GB_DIR_IN));
        CHECK(strcmp(csr_text(back, GB_DIR_IN), want) == 0);
        gb_graph_destroy(back);
    }
    gb_graph_destroy(r);

    void (*damages[])(gb_graph *) = { bad_perm_range, bad_perm_twice, bad_inv_range };
    const char *problems[] = { "a layout index outside the graph", "a layout that is not a permutation",
                               "a layout index outside the graph" };
    for (int i = 0; i < 3; i++) {
        if ((r = relabeled(0)) == NULL)
            continue;
        expect_rejected(r, damages[i], problems[i]);
        gb_graph_destroy(r);
    }
}

static void test_binary(void)
{
    gb_error err;
    gb_graph *g = fresh(1, 1), *back = NULL;
    if (g == NULL)
        return;
    const char *path = path_of("g.gbgraph");
    CHECK_EQ_I(save_graph(g, path, &err), GB_OK);
    CHECK_EQ_I(gb_graph_load_binary(path, 1, &back, &err), GB_OK);
    if (back != NULL) {
        CHECK(strcmp(csr_text(back, GB_DIR_IN), "0:2;1:0;2:1") == 0);
        CHECK_EQ_I(gb_graph_find_node(back, "c"), 2);
        CHECK(memcmp(gb_graph_name_bytes(back), "abc", 3) == 0);
        const double *w;
        gb_graph_csr(back, GB_DIR_OUT, NULL, NULL, &w, NULL, NULL);
        CHECK_EQ_F(w[2], 3);
        /* A mapped graph saves again, and equally. */
        CHECK_EQ_I(save_graph(back, path_of("again.gbgraph"), &err), GB_OK);
        gb_graph_destroy(back);
    }
    gb_graph_destroy(g);

    struct { void (*damage)(gb_graph *); int names, weighted; const char *problem; } cases[] = {
        { bad_neighbor, 0, 0, "an out neighbor outside the graph" },
        { bad_in_neighbor, 0, 0, "an in neighbor outside the graph" },
        { bad_offsets, 0, 1, "out offsets out of order" },
        { bad_ids, 0, 0, "ids not strictly ascending" },
        { bad_weight, 0, 1, "a NaN weight" },
        { bad_names, 1, 0, "name offsets out of order" },
    };
    /* (path_of's buffer: the last file damaged below is the one the next checks read) */
    gb_load_options wide = { .wide_index = 1 };
    g = load(write_text("w.el", "1 2\n2 3\n3 1\n"), wide);
    if (g != NULL) {
        expect_rejected(g, bad_widths, "index widths that do not fit the counts");
        gb_graph_destroy(g);
    }
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        g = fresh(cases[i].names, cases[i].weighted);
        if (g == NULL)
            continue;
        expect_rejected(g, cases[i].damage, cases[i].problem);
        gb_graph_destroy(g);
    }

    /* Truncation, a flipped payload byte, a flipped header byte, not a graph file at all. */
    FILE *f = fopen(path, "rb");
    char data[8192];
    size_t len = f != NULL ? fread(data, 1, sizeof data, f) : 0;
    if (f != NULL)
        fclose(f);
    CHECK(len > 600 && len < sizeof data);
    struct { size_t keep; long flip; const char *problem; } files[] = {
        { 100, -1, "truncated" }, { 0, -1, "truncated" }, { 0, 600, "checksum mismatch" },
        { 0, 20, "another format version" }, { 0, 40, "header checksum mismatch" },
        { 0, 0, "bad magic" },
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char copy[8192];
        size_t n = files[i].keep ? files[i].keep : (files[i].flip < 0 ? len - 8 : len);
        memcpy(copy, data, len);
        if (files[i].flip >= 0)
            copy[files[i].flip] ^= 0x40;
        f = fopen(path_of("d.gbgraph"), "wb");
        fwrite(copy, 1, n, f);
        fclose(f);
        CHECK_EQ_I(gb_graph_load_binary(path_of("d.gbgraph"), 1, &back, &err), GB_EPARSE);
        CHECK_CONTAINS(err.message, files[i].problem);
    }
    CHECK_EQ_I(gb_graph_load_binary(path_of("missing.gbgraph"), 1, &back, &err), GB_EIO);
    CHECK_EQ_I(gb_graph_load_binary(tmpdir, 1, &back, &err), GB_EIO);
}

/* Files go through descriptors: a save writes the file it was handed even when its name
 * was swapped for a symbolic link to someone else's file meanwhile; a load by name refuses
 * a link and a FIFO (without blocking on it); an interrupt stops a save. */
static void test_descriptors(void)
{
    gb_error err;
    gb_graph *g = fresh(0, 1), *back = NULL;
    char victim[256], tmp[256], fifo[256], text[32] = { 0 };
    if (g == NULL)
        return;
    snprintf(victim, sizeof victim, "%s", write_text("victim.txt", "precious\n"));
    snprintf(tmp, sizeof tmp, "%s", path_of(".tmp-entry.gbgraph"));
    snprintf(fifo, sizeof fifo, "%s", path_of("fifo.gbgraph"));
    int fd = open(tmp, O_RDWR | O_CREAT | O_EXCL, 0600);
    CHECK(fd >= 0);
    CHECK(unlink(tmp) == 0 && symlink(victim, tmp) == 0);
    CHECK_EQ_I(gb_graph_save(g, fd, tmp, NULL, &err), GB_OK);
    FILE *f = fopen(victim, "rb");
    CHECK(f != NULL && fread(text, 1, sizeof text - 1, f) == 9);
    if (f != NULL)
        fclose(f);
    CHECK(strcmp(text, "precious\n") == 0);
    CHECK_EQ_I(gb_graph_load_binary_fd(fd, tmp, 2, &back, &err), GB_OK);
    CHECK(back != NULL && gb_graph_edge_count(back) == 3);
    gb_graph_destroy(back);
    back = NULL;
    close(fd);

    CHECK_EQ_I(gb_graph_load_binary(tmp, 1, &back, &err), GB_EIO);   /* the link */
    CHECK(mkfifo(fifo, 0600) == 0);
    CHECK_EQ_I(gb_graph_load_binary(fifo, 1, &back, &err), GB_EIO);
    CHECK_CONTAINS(err.message, "not a regular file");
    CHECK(back == NULL);

    volatile int32_t stop = 1;
    fd = open(path_of("stopped.gbgraph"), O_WRONLY | O_CREAT | O_EXCL, 0600);
    CHECK_EQ_I(gb_graph_save(g, fd, "stopped", &stop, &err), GB_EINTR);
    CHECK_CONTAINS(err.message, "interrupted");
    close(fd);
    CHECK_EQ_I(gb_graph_save(g, -1, "none", NULL, &err), GB_EINVAL);
    gb_graph_destroy(g);
}

/* A raised interrupt flag stops every long operation of a load with GB_EINTR. */
static void test_interrupts(void)
{
    volatile int32_t stop = 1;
    gb_load_options opts = { .interrupt = &stop, .threads = 2 };
    gb_graph *g = NULL;
    gb_error err;
    uint64_t digest[2];
    int64_t src[3] = { 0, 1, 2 }, dst[3] = { 1, 2, 0 };
    const char *path = write_text("i.el", "1 2\n2 3\n3 1\n");

    CHECK_EQ_I(gb_graph_load_edgelist(path, &opts, &g, &err), GB_EINTR);
    CHECK(g == NULL);
    CHECK_CONTAINS(err.message, "interrupted");
    CHECK_EQ_I(gb_graph_generate(GB_GEN_KRONECKER, 10, 8, &opts, &g, &err), GB_EINTR);
    CHECK(g == NULL);
    CHECK_EQ_I(gb_graph_from_arrays_opts(3, 3, src, dst, NULL, 1, &opts, &g, &err), GB_EINTR);
    CHECK(g == NULL);
    CHECK_EQ_I(gb_hash_file(path, 2, &stop, digest, &err), GB_EINTR);
    stop = 0;
    CHECK_EQ_I(gb_graph_load_edgelist(path, &opts, &g, &err), GB_OK);
    gb_graph_destroy(g);
}

int main(void)
{
    if (!make_tmpdir("/tmp/gb_test_binary_XXXXXX"))
        return 1;
    test_hash();
    test_binary();
    test_relabel();
    test_descriptors();
    test_interrupts();
    remove_tmpdir();
    return CHECK_DONE();
}
