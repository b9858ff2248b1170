/*
 * test_graph_fuzz.c — the graph loader against generated and mutated inputs, under
 * AddressSanitizer and UndefinedBehaviorSanitizer (make test-c).
 *
 * A seeded mutator (xorshift64*, so every run sees the same inputs) starts from a corpus
 * of small valid files in every format, or from random lines of interesting tokens, and
 * flips, inserts, deletes, duplicates and splices bytes, sometimes inside a gzip stream.
 * Each input is loaded with random options under a small node limit.  Every load must
 * end in a graph whose CSR, ids and counts are consistent, or in a parse error with a
 * line, a column and a message, or an I/O error with a message: never a crash, a leak
 * (ASan checks at exit), a hang (each load is timed) or another status.  Loaded graphs
 * also go through the binary cache format: saved and mapped back equal, and mapped back
 * after corruption either rejected or still consistent.
 */
#define _DEFAULT_SOURCE   /* mkdtemp */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "check.h"
#include "graph_internal.h"
#include "graphbuild.h"
#include "csr64.h"
#include "test_graph_util.h"

enum { INPUTS = 24000, INPUT_CAP = 4096, MAX_NODES = 1 << 16 };

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint64_t next_random(void)   /* xorshift64* */
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 0x2545F4914F6CDD1Dull;
}

static size_t below(size_t n) { return n == 0 ? 0 : (size_t)(next_random() % n); }

static const char *const CORPUS[] = {
    "1 2\n2 3\n3 1\n",
    "# comment\n10 20 0.5\n20 30 -1e3\n30 10 inf\n",
    "a,b\nb , c\nc,a\n",
    "src\tdst\tw\nx\ty\t1\ny\tz\t2\n",
    "source,target,weight\n1,2,0.5\n2,3,1.5\n",
    "from to\n5 6\n6 7\n7 5\n",
    "007 7\n7 x\n",
    "\xEF\xBB\xBF" "1 2\r\n2 2\r\n2 1\r\n",
    "9223372036854775807 0\n0 1\n",
    "n1 n2 % tail\n% whole line\nn2 n3\n",
    "%%MatrixMarket matrix coordinate pattern general\n% c\n4 4 3\n1 2\n2 3\n4 1\n",
    "%%MatrixMarket matrix coordinate real symmetric\n3 3 3\n2 1 0.5\n3 3 2\n3 1 -4\n",
    "%%MatrixMarket matrix coordinate integer general\n2 2 2\n1 2 -4\n2 1 9\n",
    "%%MatrixMarket matrix coordinate pattern symmetric\n\n5 5 2\n5 1\n2 2\n",
    "1 1\n1 1\n2 1\n1 2\n",
};
enum { NCORPUS = sizeof CORPUS / sizeof CORPUS[0] };

static const char *const TOKENS[] = {
    "0", "1", "7", "-1", "+3", "00", "1.5", "1e308", "1e999", "nan", "inf", "-inf", "x", "é",
    "99999999999999999999", "9223372036854775808", "65535", "65536", " ", "\t", ",", "\n",
    "\r\n", "#", "%", "%%MatrixMarket matrix coordinate real general\n", "3 3 2\n", "\0",
    "\xff", "source target\n", "a b c d\n",
};
enum { NTOKENS = sizeof TOKENS / sizeof TOKENS[0] };

static const char *const SUFFIXES[] = { ".el", ".csv", ".tsv", ".wel", ".mtx", ".txt" };

typedef struct input {
    char data[INPUT_CAP];
    size_t len;
} input;

static void append(input *in, const char *s, size_t len)
{
    if (in->len + len > INPUT_CAP)
        len = INPUT_CAP - in->len;
    memcpy(in->data + in->len, s, len);
    in->len += len;
}

static void append_token(input *in)
{
    size_t k = below(NTOKENS);
    /* TOKENS[k] may be "\0", which strlen would call empty */
    append(in, TOKENS[k], TOKENS[k][0] == '\0' ? 1 : strlen(TOKENS[k]));
}

/* Random lines of tokens and separators: short files of many shapes. */
static void generate(input *in)
{
    int lines = 1 + (int)below(12);
    in->len = 0;
    for (int l = 0; l < lines; l++) {
        int tokens = (int)below(5);
        for (int t = 0; t < tokens; t++) {
            append_token(in);
            append(in, " ,\t" + below(3), 1);
        }
        append(in, "\n", 1);
    }
}

static void mutate(input *in)
{
    int rounds = 1 + (int)below(3);
    for (int r = 0; r < rounds; r++) {
        size_t at = below(in->len + 1), span = 1 + below(16);
        switch (below(7)) {
        case 0:   /* flip a byte */
            if (in->len > 0)
                in->data[below(in->len)] ^= (char)(1 + below(255));
            break;
        case 1:   /* insert a token */
            if (in->len < INPUT_CAP - 64) {
                input tail = *in;
                in->len = at;
                append_token(in);
                append(in, tail.data + at, tail.len - at);
            }
            break;
        case 2:   /* delete a span */
            if (at + span > in->len)
                span = in->len - at;
            memmove(in->data + at, in->data + at + span, in->len - at - span);
            in->len -= span;
            break;
        case 3:   /* duplicate a span */
            if (at + span <= in->len && in->len + span <= INPUT_CAP) {
                memmove(in->data + at + span, in->data + at, in->len - at);
                in->len += span;
            }
            break;
        case 4:   /* truncate */
            in->len = at;
            break;
        case 5: { /* splice in part of another corpus file */
            const char *other = CORPUS[below(NCORPUS)];
            size_t olen = strlen(other), from = below(olen);
            append(in, other + from, olen - from);
            break;
        }
        default:  /* overwrite a byte with a digit or separator */
            if (in->len > 0)
                in->data[below(in->len)] = "0123456789 \n,#%."[below(16)];
            break;
        }
    }
}

/* gzip of in (window bits 31), possibly damaged afterwards. */
static size_t gzip_into(const input *in, unsigned char *out, size_t cap)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (deflateInit2(&zs, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return 0;
    zs.next_in = (Bytef *)in->data;
    zs.avail_in = (uInt)in->len;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    deflate(&zs, Z_FINISH);
    size_t len = cap - zs.avail_out;
    deflateEnd(&zs);
    if (len > 0 && below(4) == 0) {   /* cut or flip the compressed bytes */
        if (below(2))
            len = below(len);
        else
            out[below(len)] ^= (unsigned char)(1 + below(255));
    }
    return len;
}

static const char *write_input(const input *in, int *gzipped)
{
    static char path[128];
    static unsigned char packed[INPUT_CAP * 2];
    /* Mostly the suffix the content's format goes by; sometimes any, to test the mismatch. */
    const char *suffix = SUFFIXES[below(6)];
    if (below(8) != 0)
        suffix = in->len >= 2 && memcmp(in->data, "%%", 2) == 0 ? ".mtx" : SUFFIXES[below(3)];
    snprintf(path, sizeof path, "%s/in%s%s", tmpdir, suffix, below(5) ? "" : ".gz");
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        return NULL;
    *gzipped = below(5) == 0;
    if (*gzipped) {
        size_t len = gzip_into(in, packed, sizeof packed);
        fwrite(packed, 1, len, f);
    } else {
        fwrite(in->data, 1, in->len, f);
    }
    fclose(f);
    return path;
}

/* Everything a consistent graph satisfies; returns the number of violations. */
static int graph_problems(const gb_graph *g)
{
    int bad = 0;
    int64_t n = gb_graph_node_count(g), m = gb_graph_edge_count(g);
    gb_graph_stats s;
    gb_graph_get_stats(g, &s);
    bad += n < 1;
    bad += m != s.input_edges - s.self_loops_dropped - s.duplicates_dropped;
    bad += s.self_loops < s.self_loops_dropped || s.duplicates < s.duplicates_dropped;
    int64_t arcs = gb_graph_is_directed(g) ? m : 2 * m;
    for (int dir = 0; dir < 2; dir++) {
        csr64 c = csr64_get(g, dir);
        const int64_t *off = c.off, *nbr = c.nbr;
        const double *w = c.w;
        if (off == NULL) {
            bad++;
            continue;
        }
        bad += off[0] != 0 || off[n] != arcs;
        for (int64_t v = 0; v < n; v++)
            bad += off[v + 1] < off[v];
        for (int64_t k = 0; k < arcs; k++) {
            bad += nbr[k] < 0 || nbr[k] >= n;
            bad += w != NULL && isnan(w[k]);
        }
        bad += (w != NULL) != gb_graph_is_weighted(g);
        csr64_free(&c);
    }
    if (gb_graph_ids_kind(g) == GB_IDS_INT) {
        const int64_t *ids = gb_graph_int_ids(g);
        char token[24];
        for (int64_t v = 0; v < n; v++) {
            bad += v > 0 && ids[v] <= ids[v - 1];
            snprintf(token, sizeof token, "%lld", (long long)ids[v]);
            bad += gb_graph_find_node(g, token) != v;
        }
    } else {
        const int64_t *off = gb_graph_name_offsets(g);
        bad += off[0] != 0;
        for (int64_t v = 0; v < n; v++)
            bad += off[v + 1] < off[v];
    }
    return bad;
}

static int same_graph(const gb_graph *a, const gb_graph *b)
{
    int64_t n = gb_graph_node_count(a);
    if (n != gb_graph_node_count(b) || gb_graph_edge_count(a) != gb_graph_edge_count(b) ||
        gb_graph_is_directed(a) != gb_graph_is_directed(b) ||
        gb_graph_ids_kind(a) != gb_graph_ids_kind(b))
        return 0;
    for (int dir = 0; dir < 2; dir++)
        if (!csr64_same(a, b, dir))
            return 0;
    return 1;
}

static int binary_round_trips, binary_rejected;

/* Save, map back, compare; then damage the file and map it again. */
static void check_binary(const gb_graph *g)
{
    char path[128];
    gb_graph *back = NULL;
    gb_error err;
    snprintf(path, sizeof path, "%s/g.bin", tmpdir);
    CHECK_EQ_I(save_graph(g, path, &err), GB_OK);
    CHECK_EQ_I(gb_graph_load_binary(path, 1 + (int)below(3), &back, &err), GB_OK);
    if (back != NULL) {
        CHECK(same_graph(g, back));
        gb_graph_destroy(back);
        back = NULL;
        binary_round_trips++;
    }
    FILE *f = fopen(path, "r+b");
    if (f == NULL)
        return;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    if (below(3) == 0) {
        CHECK(ftruncate(fileno(f), (off_t)below((size_t)size)) == 0);
    } else {
        long at = (long)below((size_t)size);
        unsigned char byte;
        fseek(f, at, SEEK_SET);
        if (fread(&byte, 1, 1, f) == 1) {
            byte ^= (unsigned char)(1 + below(255));
            fseek(f, at, SEEK_SET);
            fwrite(&byte, 1, 1, f);
        }
    }
    fclose(f);
    gb_status st = gb_graph_load_binary(path, 1, &back, &err);
    CHECK(st == GB_OK || st == GB_EPARSE);
    if (st == GB_EPARSE) {
        binary_rejected++;
        CHECK(back == NULL);
        CHECK_CONTAINS(err.message, "is not a valid graph file");
    } else if (back != NULL) {
        CHECK_EQ_I(graph_problems(back), 0);
        gb_graph_destroy(back);
    }
}

int main(void)
{
    int outcomes[4] = { 0 };   /* ok, parse error, io error, other */
    double slowest = 0;
    /* tmpfs where there is one: thousands of small files, never meant for a disk */
    strcpy(tmpdir, "/dev/shm/gb_test_fuzz_XXXXXX");
    if (mkdtemp(tmpdir) == NULL) {
        strcpy(tmpdir, "/tmp/gb_test_fuzz_XXXXXX");
        if (mkdtemp(tmpdir) == NULL) {
            fprintf(stderr, "cannot create a temporary directory\n");
            return 1;
        }
    }
    for (int i = 0; i < INPUTS; i++) {
        input in;
        if (below(4) == 0) {
            generate(&in);
        } else {
            const char *seed = CORPUS[below(NCORPUS)];
            in.len = 0;
            append(&in, seed, strlen(seed));
        }
        mutate(&in);
        int gzipped;
        const char *path = write_input(&in, &gzipped);
        if (path == NULL) {
            CHECK(path != NULL);
            continue;
        }
        gb_load_options opts = {
            .undirected = (int)below(2), .dedupe = (int)below(2), .no_self_loops = (int)below(2),
            .ids = below(4) == 0 ? GB_IDS_DENSE : GB_IDS_MAP, .threads = 1 + (int)below(3),
            .max_nodes = MAX_NODES,
        };
        gb_graph *g = NULL;
        gb_error err;
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        gb_status st = gb_graph_load_edgelist(path, &opts, &g, &err);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
        if (seconds > slowest)
            slowest = seconds;
        if (st == GB_OK) {
            outcomes[0]++;
            int problems = graph_problems(g);
            CHECK_EQ_I(problems, 0);
            if (problems != 0)
                fprintf(stderr, "    inconsistent graph from input %d (%s)\n", i, path);
            if (i % 8 == 0)
                check_binary(g);
            gb_graph_destroy(g);
        } else if (st == GB_EPARSE) {
            outcomes[1]++;
            CHECK(g == NULL && err.line >= 1 && err.col >= 1 && err.message[0] != '\0');
        } else if (st == GB_EIO) {
            outcomes[2]++;
            CHECK(g == NULL && gzipped && err.message[0] != '\0');
        } else {
            outcomes[3]++;
            CHECK_EQ_I(st, GB_OK);
            fprintf(stderr, "    input %d: status %d: %s\n", i, st, err.message);
        }
    }
    CHECK(slowest < 10.0);   /* a hang; the inputs are a few KiB */
    CHECK(outcomes[0] > INPUTS / 10 && outcomes[1] > INPUTS / 10);
    CHECK(binary_round_trips > 100 && binary_rejected > 100);
    printf("fuzz: %d inputs: %d loaded, %d parse errors, %d read errors, %d other; "
           "%d binary round trips, %d damaged binaries rejected; slowest load %.3f s\n",
           INPUTS, outcomes[0], outcomes[1], outcomes[2], outcomes[3], binary_round_trips,
           binary_rejected, slowest);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    return CHECK_DONE();
}
