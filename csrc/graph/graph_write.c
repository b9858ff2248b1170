/*
 * graph_write.c — a graph as text: an edge list (`src dst [weight]`), a weighted edge
 * list (`.wel`, weight always) or a Matrix Market coordinate file, plain or gzipped.
 *
 * Edges come out grouped by source in CSR order.  An undirected edge is written once,
 * from its lower endpoint (a self-loop once per pair of loop arcs), or as both arcs if
 * all_arcs.  Weights are printed with the fewest digits that read back to the same
 * double, so a round trip through text is exact.  Matrix Market has no ids of its own:
 * node i is written as i + 1.  gb_graph_write_fd writes through a descriptor the caller
 * made (safe_io.atomic_write's temporary file); with ',' or '\t' as the delimiter an edge
 * list is a CSV or TSV file, ids quoted as RFC 4180 says where they need it.
 */
#define _DEFAULT_SOURCE   /* open, O_CLOEXEC under -std=c11 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "graph_internal.h"

enum { OUT_BUFFER = 1 << 20 };

typedef struct writer {
    const char *path;
    gb_error *err;
    int fd;
    gzFile gz;
    char *buf;
    size_t len;
    gb_status st;             /* the first failure; later output is skipped */
    const gb_graph *g;
    int mtx;                  /* ids are index + 1 */
    char delimiter;           /* between the fields of an edge list */
} writer;

static void fail_io(writer *w, int errnum)
{
    if (w->st == GB_OK)
        w->st = gb_graph_fail(w->err, GB_EIO, 0, 0, "cannot write '%s': %s", w->path,
                              strerror(errnum));
}

static void flush_out(writer *w)
{
    size_t done = 0;
    if (w->st != GB_OK || w->len == 0) {
        w->len = 0;
        return;
    }
    if (w->gz != NULL) {
        if (gzwrite(w->gz, w->buf, (unsigned)w->len) != (int)w->len) {
            int zerr;
            const char *msg = gzerror(w->gz, &zerr);
            if (zerr == Z_ERRNO)
                fail_io(w, errno);
            else if (w->st == GB_OK)
                w->st = gb_graph_fail(w->err, GB_EIO, 0, 0, "cannot write '%s': %s", w->path, msg);
        }
        w->len = 0;
        return;
    }
    while (done < w->len) {
        ssize_t k = write(w->fd, w->buf + done, w->len - done);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            fail_io(w, k < 0 ? errno : EIO);
            break;
        }
        done += (size_t)k;
    }
    w->len = 0;
}

static void put(writer *w, const char *s, size_t len)
{
    while (len > 0) {
        if (w->len == OUT_BUFFER)
            flush_out(w);
        size_t piece = len < OUT_BUFFER - w->len ? len : OUT_BUFFER - w->len;
        memcpy(w->buf + w->len, s, piece);
        w->len += piece;
        s += piece;
        len -= piece;
    }
}

static void put_int(writer *w, int64_t v)
{
    char text[24], *p = text + sizeof text;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u != 0);
    if (v < 0)
        *--p = '-';
    put(w, p, (size_t)(text + sizeof text - p));
}

/* A name as it is, or in a CSV / TSV file, quoted (with its quotes doubled) if it holds
 * the delimiter, a double quote, CR or LF. */
static void put_name(writer *w, const char *name, size_t len)
{
    int quote = 0;
    if (w->delimiter != ' ')
        for (size_t i = 0; i < len && !quote; i++)
            quote = name[i] == w->delimiter || name[i] == '"' || name[i] == '\r' || name[i] == '\n';
    if (!quote) {
        put(w, name, len);
        return;
    }
    put(w, "\"", 1);
    for (size_t i = 0; i < len; i++)
        put(w, name[i] == '"' ? "\"\"" : name + i, name[i] == '"' ? 2 : 1);
    put(w, "\"", 1);
}

static void put_node(writer *w, int64_t v)
{
    const gb_graph *g = w->g;
    if (g->perm != NULL)
        v = g->perm[v];   /* a position of a relabeled graph: its input index */
    if (w->mtx)
        put_int(w, v + 1);
    else if (g->ids_kind == GB_IDS_NAME)
        put_name(w, g->names.bytes + g->names.offsets[v],
                 (size_t)(g->names.offsets[v + 1] - g->names.offsets[v]));
    else
        put_int(w, g->int_ids[v]);
}

/* The shortest of %.15g, %.16g, %.17g that strtod maps back to x. */
static void put_weight(writer *w, double x)
{
    char text[40];
    int len = 0;
    for (int digits = 15; digits <= 17; digits++) {
        len = snprintf(text, sizeof text, "%.*g", digits, x);
        if (strtod(text, NULL) == x)
            break;
    }
    put(w, text, (size_t)len);
}

static void put_edge(writer *w, int64_t u, int64_t v, const double *weights, int64_t k,
                     int with_weight)
{
    put_node(w, u);
    put(w, &w->delimiter, 1);
    put_node(w, v);
    if (with_weight) {
        put(w, &w->delimiter, 1);
        put_weight(w, weights != NULL ? weights[k] : 1.0);
    }
    put(w, "\n", 1);
}

static void write_edges(writer *w, int with_weight, int all_arcs)
{
    const gb_graph *g = w->g;
    const void *off = g->out.off, *nbr = g->out.nbr;
    int ob = g->off_bytes, nb = g->nbr_bytes;   /* text output dwarfs a branch per arc */
    for (int64_t v = 0; v < g->n && w->st == GB_OK; v++) {
        int64_t loop_arcs = 0, end = gb_idx_get(off, ob, v + 1);
        for (int64_t k = gb_idx_get(off, ob, v); k < end; k++) {
            int64_t u = gb_idx_get(nbr, nb, k);
            if (!g->directed && !all_arcs && (u < v || (u == v && loop_arcs++ % 2 == 1)))
                continue;
            /* Matrix Market symmetric files keep the lower triangle: row >= column. */
            if (w->mtx && !g->directed && !all_arcs)
                put_edge(w, u, v, g->out.w, k, with_weight);
            else
                put_edge(w, v, u, g->out.w, k, with_weight);
        }
    }
}

gb_status gb_graph_write(const gb_graph *g, const char *path, int format, int compress,
                         int all_arcs, gb_error *err)
{
    gb_write_options opts = { .format = format, .compress = compress, .all_arcs = all_arcs };
    gb_graph_clear_error(err);
    if (g == NULL || path == NULL)
        return gb_graph_fail(err, GB_EINVAL, 0, 0, "gb_graph_write: NULL argument");
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return gb_graph_fail(err, GB_EIO, 0, 0, "cannot write '%s': %s", path, strerror(errno));
    gb_status st = gb_graph_write_fd(g, fd, path, &opts, err);
    if (close(fd) != 0 && st == GB_OK)
        st = gb_graph_fail(err, GB_EIO, 0, 0, "cannot write '%s': %s", path, strerror(errno));
    return st;
}

gb_status gb_graph_write_fd(const gb_graph *g, int fd, const char *path,
                            const gb_write_options *opts, gb_error *err)
{
    gb_graph_clear_error(err);
    if (g == NULL || opts == NULL || fd < 0)
        return gb_graph_fail(err, GB_EINVAL, 0, 0, "gb_graph_write_fd: bad argument");
    path = path != NULL ? path : "(graph file)";
    int format = opts->format, all_arcs = opts->all_arcs;
    int delimiter = opts->delimiter == 0 ? ' ' : opts->delimiter;
    writer w = { .path = path, .err = err, .fd = -1, .g = g, .mtx = format == GB_FORMAT_MTX,
                 .delimiter = (char)delimiter };
    if (format != GB_FORMAT_EDGELIST && format != GB_FORMAT_WEL && format != GB_FORMAT_MTX)
        return gb_graph_fail(err, GB_EINVAL, 0, 0, "cannot write format %d", format);
    if (delimiter != ' ' && delimiter != ',' && delimiter != '\t')
        return gb_graph_fail(err, GB_EINVAL, 0, 0, "cannot write with delimiter %d", delimiter);
    w.buf = malloc(OUT_BUFFER);
    if (w.buf == NULL)
        return gb_graph_fail(err, GB_ENOMEM, 0, 0, "out of memory writing '%s'", path);
    if (opts->compress) {
        int own = dup(fd);   /* gzclose closes its descriptor; the caller keeps fd */
        w.gz = own < 0 ? NULL : gzdopen(own, "wb");
        if (w.gz == NULL) {
            if (own >= 0)
                close(own);
            w.st = gb_graph_fail(err, GB_ENOMEM, 0, 0, "out of memory writing '%s'", path);
            goto done;
        }
        gzbuffer(w.gz, 1 << 18);
    } else {
        w.fd = fd;
    }
    int with_weight = format == GB_FORMAT_WEL || g->weighted;
    if (w.mtx) {
        char head[160];
        int len = snprintf(head, sizeof head,
                           "%%%%MatrixMarket matrix coordinate %s %s\n%% written by graphbuild\n",
                           g->weighted ? "real" : "pattern",
                           g->directed || all_arcs ? "general" : "symmetric");
        put(&w, head, (size_t)len);
        int64_t entries = g->directed || !all_arcs ? g->m : gb_idx_get(g->out.off, g->off_bytes, g->n);
        put_int(&w, g->n);
        put(&w, " ", 1);
        put_int(&w, g->n);
        put(&w, " ", 1);
        put_int(&w, entries);
        put(&w, "\n", 1);
    } else if (opts->header) {
        put(&w, "source", 6);
        put(&w, &w.delimiter, 1);
        put(&w, "target", 6);
        if (with_weight) {
            put(&w, &w.delimiter, 1);
            put(&w, "weight", 6);
        }
        put(&w, "\n", 1);
    }
    write_edges(&w, with_weight, all_arcs);
    flush_out(&w);

done:
    if (w.gz != NULL) {
        int zst = gzclose(w.gz);
        if (zst != Z_OK && w.st == GB_OK)
            w.st = zst == Z_ERRNO ? gb_graph_fail(err, GB_EIO, 0, 0, "cannot write '%s': %s",
                                                  path, strerror(errno))
                                  : gb_graph_fail(err, GB_EIO, 0, 0, "cannot write '%s'", path);
    }
    free(w.buf);
    return w.st;
}
