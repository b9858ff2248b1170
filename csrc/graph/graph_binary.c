/*
 * graph_binary.c — the binary graph file behind the graph cache, and file hashing.
 *
 * Layout (native little-endian; sections 64-byte aligned, in this order, no gaps):
 *   header (HEADER_BYTES): magic, version, sizes, flags, index widths, load stats, the
 *                          section table, the payload hash, and a hash of the header; its
 *                          last GB_BINARY_MAC_BYTES are the caller's (zeros here)
 *   out offsets (n + 1), out neighbors (arcs), out weights (arcs, if weighted),
 *   in offsets, in neighbors, in weights (directed graphs that have their in-CSR only:
 *   undirected ones share),
 *   int ids (n) or name offsets (n + 1) and name bytes,
 *   perm (n) and inv (n) of a relabeled graph (graph_relabel.c)
 * Offsets and neighbors are 4 or 8 bytes each, as graph_internal.h's rule gives for the
 * counts and the wide flag (a file whose widths break the rule is rejected); ids and
 * name offsets are 8.  Version 1 files (all 64-bit, in-CSR always) and version 3 ones
 * (no layout) are rejected, so the graph cache rebuilds them.
 * Saving writes through a descriptor the caller created (never a path, which someone could
 * swap for a link meanwhile).  Loading maps the file read-only and trusts nothing: the header and payload hashes,
 * every size against n and m and the file length, offsets that start at 0, never
 * decrease and end at the arc count, neighbor indices below n, weights that are not
 * NaN, integer ids strictly ascending (find_node searches them), name offsets within
 * the name bytes, perm and inv inverse permutations of 0..n-1.  A file that passes cannot make the executor read out of bounds.
 * The hashes are graph_hash.c's; checking and hashing run on the loader's threads.
 */
#define _DEFAULT_SOURCE   /* mmap flags, open, O_CLOEXEC under -std=c11 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "graph_internal.h"

enum { HEADER_BYTES = 512, FORMAT_VERSION = 4, ALIGN = 64, PIECE = 1 << 20 };

static const char MAGIC[8] = { 'G', 'B', 'G', 'R', 'A', 'P', 'H', '\n' };
static const uint64_t ENDIAN = 0x0102030405060708ull;

typedef enum section {
    S_OUT_OFF, S_OUT_NBR, S_OUT_W, S_IN_OFF, S_IN_NBR, S_IN_W, S_INT_IDS, S_NAME_OFF,
    S_NAME_BYTES, S_PERM, S_INV, S_COUNT
} section;

typedef struct file_header {
    char magic[8];
    uint32_t version, header_bytes;
    uint64_t endian;
    int64_t n, m, name_bytes;
    int32_t directed, weighted, ids_kind, format;
    int32_t off_bytes, nbr_bytes, wide, has_in;
    int32_t layout, reserved;
    gb_graph_stats stats;
    uint64_t offset[S_COUNT], bytes[S_COUNT];
    uint64_t payload_hash[2];
    uint64_t header_hash[2];   /* of every byte before this field */
} file_header;

/* The header's last GB_BINARY_MAC_BYTES belong to the caller (the graph cache's MAC). */
_Static_assert(sizeof(file_header) <= GB_BINARY_MAC_OFFSET, "header leaves the MAC its place");
_Static_assert(GB_BINARY_MAC_OFFSET + GB_BINARY_MAC_BYTES == HEADER_BYTES, "MAC ends the header");

/* ---- layout ---- */

static uint64_t align_up(uint64_t x) { return (x + ALIGN - 1) / ALIGN * ALIGN; }

/* Section sizes from the counts, then offsets one after another; the file's length. */
static uint64_t layout(file_header *h)
{
    uint64_t n1 = (uint64_t)h->n + 1, arcs = (uint64_t)(h->directed ? h->m : 2 * h->m);
    uint64_t at = HEADER_BYTES;
    memset(h->bytes, 0, sizeof h->bytes);
    uint64_t ob = (uint64_t)h->off_bytes, nb = (uint64_t)h->nbr_bytes;
    h->bytes[S_OUT_OFF] = n1 * ob;
    h->bytes[S_OUT_NBR] = arcs * nb;
    h->bytes[S_OUT_W] = h->weighted ? arcs * 8 : 0;
    if (h->directed && h->has_in) {
        h->bytes[S_IN_OFF] = n1 * ob;
        h->bytes[S_IN_NBR] = arcs * nb;
        h->bytes[S_IN_W] = h->weighted ? arcs * 8 : 0;
    }
    if (h->ids_kind == GB_IDS_INT) {
        h->bytes[S_INT_IDS] = (uint64_t)h->n * 8;
    } else {
        h->bytes[S_NAME_OFF] = n1 * 8;
        h->bytes[S_NAME_BYTES] = (uint64_t)h->name_bytes;
    }
    if (h->layout != GB_LAYOUT_ORIGINAL) {
        h->bytes[S_PERM] = (uint64_t)h->n * 8;
        h->bytes[S_INV] = (uint64_t)h->n * 8;
    }
    for (int s = 0; s < S_COUNT; s++) {
        h->offset[s] = at;
        at = align_up(at + h->bytes[s]);
    }
    return at;
}

/* ---- save ---- */

static gb_status write_all(int fd, const void *data, size_t len, const char *name,
                           gb_seghash *hash, const volatile int32_t *interrupt, gb_error *err)
{
    const char *p = data;
    if (hash != NULL)
        gb_seghash_update(hash, data, len);
    while (len > 0) {
        if (interrupt != NULL && *interrupt)
            return gb_graph_fail(err, GB_EINTR, 0, 0, "writing '%s' was interrupted", name);
        ssize_t k = write(fd, p, len < PIECE * 8 ? len : PIECE * 8);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return gb_graph_fail(err, GB_EIO, 0, 0, "cannot write '%s': %s", name,
                                 strerror(k < 0 ? errno : EIO));
        p += k;
        len -= (size_t)k;
    }
    return GB_OK;
}

gb_status gb_graph_save(const gb_graph *g, int fd, const char *name,
                        const volatile int32_t *interrupt, gb_error *err)
{
    static const char zeros[ALIGN] = { 0 };
    union { file_header h; char block[HEADER_BYTES]; } head;
    file_header *h = &head.h;
    gb_seghash hash;
    gb_hasher header_hash;
    gb_status st = GB_OK;

    gb_graph_clear_error(err);
    if (g == NULL || fd < 0)
        return gb_graph_fail(err, GB_EINVAL, 0, 0, "gb_graph_save: no graph or no file");
    name = name != NULL ? name : "(graph file)";
    const void *data[S_COUNT] = {
        g->out.off, g->out.nbr, g->out.w, g->in.off, g->in.nbr,
        g->in.w, g->int_ids, g->names.offsets, g->names.bytes, g->perm, g->inv,
    };
    memset(&head, 0, sizeof head);
    memcpy(h->magic, MAGIC, sizeof MAGIC);
    h->version = FORMAT_VERSION;
    h->header_bytes = HEADER_BYTES;
    h->endian = ENDIAN;
    h->n = g->n;
    h->m = g->m;
    h->directed = g->directed;
    h->weighted = g->weighted;
    h->ids_kind = g->ids_kind;
    h->name_bytes = g->ids_kind == GB_IDS_NAME ? g->names.offsets[g->n] : 0;
    h->format = g->stats.format;
    h->off_bytes = g->off_bytes;
    h->nbr_bytes = g->nbr_bytes;
    h->wide = g->wide;
    h->has_in = g->directed && g->in.off != NULL;
    h->layout = g->layout;
    h->stats = g->stats;
    layout(h);

    if (lseek(fd, 0, SEEK_SET) != 0)
        return gb_graph_fail(err, GB_EIO, 0, 0, "cannot write '%s': %s", name, strerror(errno));
    gb_seghash_init(&hash);
    /* The header goes last, once the payload hash is known. */
    if ((st = write_all(fd, head.block, HEADER_BYTES, name, NULL, interrupt, err)) != GB_OK)
        return st;
    for (int s = 0; s < S_COUNT; s++) {
        uint64_t pad = align_up(h->offset[s] + h->bytes[s]) - (h->offset[s] + h->bytes[s]);
        if (h->bytes[s] > 0 && (st = write_all(fd, data[s], (size_t)h->bytes[s], name, &hash,
                                               interrupt, err)) != GB_OK)
            return st;
        if ((st = write_all(fd, zeros, (size_t)pad, name, &hash, interrupt, err)) != GB_OK)
            return st;
    }
    gb_seghash_final(&hash, h->payload_hash);
    gb_hasher_init(&header_hash);
    gb_hasher_update(&header_hash, head.block, offsetof(file_header, header_hash));
    gb_hasher_final(&header_hash, h->header_hash);
    if (lseek(fd, 0, SEEK_SET) != 0)
        return gb_graph_fail(err, GB_EIO, 0, 0, "cannot write '%s': %s", name, strerror(errno));
    return write_all(fd, head.block, HEADER_BYTES, name, NULL, interrupt, err);
}

/* ---- load ---- */

static gb_status corrupt(gb_error *err, const char *path, const char *what)
{
    return gb_graph_fail(err, GB_EPARSE, 0, 0, "'%s' is not a valid graph file: %s", path, what);
}

static const char *check_header(const file_header *h, uint64_t size)
{
    gb_hasher hash;
    uint64_t sum[2], length;
    file_header want;
    if (memcmp(h->magic, MAGIC, sizeof MAGIC) != 0)
        return "bad magic";
    if (h->version != FORMAT_VERSION || h->header_bytes != HEADER_BYTES || h->endian != ENDIAN)
        return "another format version or byte order";
    gb_hasher_init(&hash);
    gb_hasher_update(&hash, h, offsetof(file_header, header_hash));
    gb_hasher_final(&hash, sum);
    if (sum[0] != h->header_hash[0] || sum[1] != h->header_hash[1])
        return "header checksum mismatch";
    /* Counts bounded by the file length first, so the layout arithmetic cannot overflow. */
    /* (every node and every arc take at least 4 bytes of offsets and neighbors) */
    if (h->n < 0 || h->m < 0 || h->name_bytes < 0 || (uint64_t)h->n > size / 4 ||
        (uint64_t)h->m > size / 4 || (uint64_t)h->name_bytes > size ||
        (h->directed != 0 && h->directed != 1) || (h->weighted != 0 && h->weighted != 1) ||
        (h->ids_kind != GB_IDS_INT && h->ids_kind != GB_IDS_NAME) ||
        (h->ids_kind == GB_IDS_INT && h->name_bytes != 0) ||
        (h->wide < 0 || h->wide > 2) || (h->has_in != 0 && h->has_in != 1) ||
        (!h->directed && h->has_in) ||
        (h->layout != GB_LAYOUT_ORIGINAL && h->layout != GB_LAYOUT_DEGREE) || h->reserved != 0)
        return "impossible sizes or flags";
    if (h->nbr_bytes != gb_nbr_bytes_for(h->n, h->wide) ||
        h->off_bytes != gb_off_bytes_for(h->directed ? h->m : 2 * h->m, h->wide))
        return "index widths that do not fit the counts";
    want = *h;
    length = layout(&want);
    if (length != size)
        return size < length ? "truncated" : "wrong length";
    if (memcmp(want.offset, h->offset, sizeof want.offset) != 0 ||
        memcmp(want.bytes, h->bytes, sizeof want.bytes) != 0)
        return "bad section table";
    const gb_graph_stats *s = &h->stats;
    if (s->input_edges < 0 || s->self_loops < 0 || s->duplicates < 0 ||
        s->self_loops_dropped < 0 || s->duplicates_dropped < 0 || s->header_line < 0 ||
        (s->weights_dropped != 0 && s->weights_dropped != 1))
        return "negative counts";
    if (s->delimiter < 0 || s->delimiter > 255 || (s->delimiter_guessed & ~1) != 0 ||
        s->header_guess < GB_GUESS_NONE || s->header_guess > GB_GUESS_EDGE ||
        s->header_guess_line < 0)
        return "bad load stats";
    return NULL;
}

/* Checks over the mapped arrays, cut into PIECE-element pieces that threads share. */
typedef enum check_kind { C_OFFSETS, C_NEIGHBORS, C_WEIGHTS, C_ASCENDING, C_INVERSE } check_kind;

typedef struct check {
    int kind;                  /* check_kind */
    int bytes;                 /* offsets, neighbors: 4 or 8 per element */
    const void *data;
    const int64_t *other;      /* inverse: perm, with data inv, both checked below n */
    int64_t count, bound;      /* elements; offsets: the last value; neighbors: n */
    const char *problem;
} check;

enum { MAX_CHECKS = 10 };

typedef struct check_job {
    check checks[MAX_CHECKS];
    int nchecks, threads;
    int64_t first_piece[MAX_CHECKS + 1];
    int failed[GB_MAX_THREADS][MAX_CHECKS];
} check_job;

/* Whether elements [lo, hi) of c pass; ib: the index width, a constant per instance. */
static inline __attribute__((always_inline)) int
check_range_t(const check *c, int64_t lo, int64_t hi, const int ib)
{
    uint64_t bad = 0;
    if (c->kind == C_NEIGHBORS) {
        for (int64_t k = lo; k < hi; k++)
            bad |= (uint64_t)gb_idx_get(c->data, ib, k) >= (uint64_t)c->bound;
    } else if (c->kind == C_INVERSE) {
        /* perm[inv[k]] == k for every k: perm is onto, so both are permutations */
        const int64_t *inv = c->data;
        for (int64_t k = lo; k < hi; k++)
            bad |= (uint64_t)(c->other[inv[k]] != k);
    } else if (c->kind == C_WEIGHTS) {
        const double *w = c->data;
        for (int64_t k = lo; k < hi; k++)
            bad |= (uint64_t)isnan(w[k]);
    } else {
        /* offsets: off[k + 1] >= off[k]; ascending ids: ids[k + 1] > ids[k] */
        int strict = c->kind == C_ASCENDING;
        for (int64_t k = lo; k < hi && k + 1 < c->count; k++)
            bad |= (uint64_t)(gb_idx_get(c->data, ib, k + 1) <
                              gb_idx_get(c->data, ib, k) + strict);
    }
    return bad == 0;
}

static int check_range(const check *c, int64_t lo, int64_t hi)
{
    return c->bytes == 4 ? check_range_t(c, lo, hi, 4) : check_range_t(c, lo, hi, 8);
}

static void check_worker(void *arg, int t)
{
    check_job *job = arg;
    int64_t pieces = job->first_piece[job->nchecks];
    for (int64_t p = t; p < pieces; p += job->threads) {
        int c = 0;
        while (job->first_piece[c + 1] <= p)
            c++;
        int64_t lo = (p - job->first_piece[c]) * PIECE;
        int64_t hi = lo + PIECE < job->checks[c].count ? lo + PIECE : job->checks[c].count;
        if (!check_range(&job->checks[c], lo, hi))
            job->failed[t][c] = 1;
    }
}

static void add_check(check_job *job, int kind, int bytes, const void *data, int64_t count,
                      int64_t bound, const char *problem)
{
    job->checks[job->nchecks++] = (check){ kind, bytes, data, NULL, count, bound, problem };
}

/* Everything in the payload; returns what is wrong, or NULL. */
static const char *check_payload(const gb_graph *g, const file_header *h, const char *base,
                                 int threads)
{
    check_job job;
    int64_t n = g->n, arcs = g->directed ? g->m : 2 * g->m;
    const int64_t *names = h->ids_kind == GB_IDS_NAME
                               ? (const int64_t *)(base + h->offset[S_NAME_OFF]) : NULL;
    memset(&job, 0, sizeof job);
    int ob = g->off_bytes, nb = g->nbr_bytes, has_in = g->directed && g->in.off != NULL;
    if (gb_idx_get(g->out.off, ob, 0) != 0 || gb_idx_get(g->out.off, ob, n) != arcs ||
        (has_in && (gb_idx_get(g->in.off, ob, 0) != 0 || gb_idx_get(g->in.off, ob, n) != arcs)))
        return "offsets that do not span the arcs";
    if (names != NULL && (names[0] != 0 || names[n] != h->name_bytes))
        return "name offsets that do not span the names";
    add_check(&job, C_OFFSETS, ob, g->out.off, n + 1, 0, "out offsets out of order");
    add_check(&job, C_NEIGHBORS, nb, g->out.nbr, arcs, n, "an out neighbor outside the graph");
    if (g->out.w != NULL)
        add_check(&job, C_WEIGHTS, 8, g->out.w, arcs, 0, "a NaN weight");
    if (has_in) {
        add_check(&job, C_OFFSETS, ob, g->in.off, n + 1, 0, "in offsets out of order");
        add_check(&job, C_NEIGHBORS, nb, g->in.nbr, arcs, n, "an in neighbor outside the graph");
        if (g->in.w != NULL)
            add_check(&job, C_WEIGHTS, 8, g->in.w, arcs, 0, "a NaN weight");
    }
    if (g->int_ids != NULL)
        add_check(&job, C_ASCENDING, 8, g->int_ids, n, 0, "ids not strictly ascending");
    if (names != NULL)
        add_check(&job, C_OFFSETS, 8, names, n + 1, 0, "name offsets out of order");
    if (g->perm != NULL) {
        add_check(&job, C_NEIGHBORS, 8, g->perm, n, n, "a layout index outside the graph");
        add_check(&job, C_NEIGHBORS, 8, g->inv, n, n, "a layout index outside the graph");
    }
    for (int c = 0; c < job.nchecks; c++)
        job.first_piece[c + 1] = job.first_piece[c] + (job.checks[c].count + PIECE - 1) / PIECE;
    job.threads = gb_thread_count(threads, job.first_piece[job.nchecks]);
    gb_parallel(job.threads, check_worker, &job);
    for (int c = 0; c < job.nchecks; c++)
        for (int t = 0; t < job.threads; t++)
            if (job.failed[t][c])
                return job.checks[c].problem;
    if (g->perm != NULL) {
        /* only now that every index is below n */
        memset(&job, 0, sizeof job);
        add_check(&job, C_INVERSE, 8, g->inv, n, n, "a layout that is not a permutation");
        job.checks[0].other = g->perm;
        job.first_piece[1] = (n + PIECE - 1) / PIECE;
        job.threads = gb_thread_count(threads, job.first_piece[1]);
        gb_parallel(job.threads, check_worker, &job);
        for (int t = 0; t < job.threads; t++)
            if (job.failed[t][0])
                return job.checks[0].problem;
    }
    return NULL;
}

/* The header read through fd (pread: nothing is mapped yet) and checked against the file's
 * length, so a file whose length is not the one its header gives (a sparse file of any
 * size, a truncated one) is refused before a byte of its payload is mapped or hashed. */
static gb_status read_header(int fd, const char *path, file_header *h, uint64_t *size,
                             gb_error *err)
{
    struct stat info;
    const char *problem;
    if (fstat(fd, &info) != 0 || !S_ISREG(info.st_mode))
        return gb_graph_fail(err, GB_EIO, 0, 0, "cannot read '%s': not a regular file", path);
    *size = (uint64_t)info.st_size;
    if (*size < HEADER_BYTES)
        return corrupt(err, path, "truncated");
    size_t got = 0;
    while (got < sizeof *h) {
        ssize_t k = pread(fd, (char *)h + got, sizeof *h - got, (off_t)got);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return k < 0 ? gb_graph_fail(err, GB_EIO, 0, 0, "cannot read '%s': %s", path,
                                         strerror(errno))
                         : corrupt(err, path, "truncated");
        got += (size_t)k;
    }
    if ((problem = check_header(h, *size)) != NULL)
        return corrupt(err, path, problem);
    return GB_OK;
}

gb_status gb_graph_check_binary_fd(int fd, const char *path, gb_error *err)
{
    file_header h;
    uint64_t size;
    gb_graph_clear_error(err);
    if (fd < 0)
        return gb_graph_fail(err, GB_EINVAL, 0, 0, "gb_graph_check_binary_fd: bad argument");
    return read_header(fd, path != NULL ? path : "(graph file)", &h, &size, err);
}

gb_status gb_graph_load_binary(const char *path, int threads, gb_graph **out, gb_error *err)
{
    gb_graph_clear_error(err);
    if (path == NULL || out == NULL)
        return gb_graph_fail(err, GB_EINVAL, 0, 0, "gb_graph_load_binary: NULL argument");
    *out = NULL;
    /* no symbolic link, and a FIFO must not block the open (it is refused below) */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0)
        return gb_graph_fail(err, GB_EIO, 0, 0, "cannot open '%s': %s", path, strerror(errno));
    gb_status st = gb_graph_load_binary_fd(fd, path, threads, out, err);
    close(fd);
    return st;
}

gb_status gb_graph_load_binary_fd(int fd, const char *path, int threads, gb_graph **out,
                                  gb_error *err)
{
    gb_graph *g = NULL;
    const char *problem = NULL;
    gb_status st = GB_OK;
    uint64_t sum[2];

    gb_graph_clear_error(err);
    if (fd < 0 || out == NULL)
        return gb_graph_fail(err, GB_EINVAL, 0, 0, "gb_graph_load_binary_fd: bad argument");
    *out = NULL;
    path = path != NULL ? path : "(graph file)";
    file_header h;
    uint64_t size;
    if ((st = read_header(fd, path, &h, &size, err)) != GB_OK)
        return st;
    void *map = mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    if (map == MAP_FAILED)
        return gb_graph_fail(err, GB_EIO, 0, 0, "cannot map '%s': %s", path, strerror(errno));
    const char *base = map;
    /* the mapped header must be the one checked (the file may have changed since) */
    if (memcmp(&h, base, sizeof h) != 0) {
        problem = "changed while it was read";
        goto bad;
    }
    if (gb_hash_memory(base + HEADER_BYTES, size - HEADER_BYTES, threads, sum) != GB_OK) {
        st = gb_graph_fail(err, GB_ENOMEM, 0, 0, "out of memory reading '%s'", path);
        goto fail;
    }
    if (sum[0] != h.payload_hash[0] || sum[1] != h.payload_hash[1]) {
        problem = "checksum mismatch";
        goto bad;
    }

    if ((g = calloc(1, sizeof *g)) == NULL) {
        st = gb_graph_fail(err, GB_ENOMEM, 0, 0, "out of memory reading '%s'", path);
        goto fail;
    }
    g->map = map;
    g->map_len = (size_t)size;
    g->n = h.n;
    g->m = h.m;
    g->directed = h.directed;
    g->weighted = h.weighted;
    g->ids_kind = h.ids_kind;
    g->stats = h.stats;
    g->stats.format = h.format;
    g->off_bytes = h.off_bytes;
    g->nbr_bytes = h.nbr_bytes;
    g->wide = h.wide;
#define SECTION(s) ((void *)(base + h.offset[s]))
    g->out.off = SECTION(S_OUT_OFF);
    g->out.nbr = SECTION(S_OUT_NBR);
    g->out.w = h.weighted ? SECTION(S_OUT_W) : NULL;
    if (!h.directed) {
        g->in = g->out;
    } else if (h.has_in) {
        g->in.off = SECTION(S_IN_OFF);
        g->in.nbr = SECTION(S_IN_NBR);
        g->in.w = h.weighted ? SECTION(S_IN_W) : NULL;
    }
    g->int_ids = h.ids_kind == GB_IDS_INT ? SECTION(S_INT_IDS) : NULL;
    g->layout = h.layout;
    g->perm = h.layout != GB_LAYOUT_ORIGINAL ? SECTION(S_PERM) : NULL;
    g->inv = h.layout != GB_LAYOUT_ORIGINAL ? SECTION(S_INV) : NULL;
    if ((problem = check_payload(g, &h, base, threads)) != NULL)
        goto bad;
    if (h.ids_kind == GB_IDS_NAME &&
        gb_names_adopt(&g->names, SECTION(S_NAME_BYTES), SECTION(S_NAME_OFF), h.n) != GB_OK) {
        st = gb_graph_fail(err, GB_ENOMEM, 0, 0, "out of memory reading '%s'", path);
        goto fail;
    }
#undef SECTION
    *out = g;
    return GB_OK;

bad:
    st = corrupt(err, path, problem);
fail:
    if (g != NULL) {
        g->map = NULL;   /* unmapped below */
        gb_names_free(&g->names);
        free(g);
    }
    munmap(map, (size_t)size);
    return st;
}
