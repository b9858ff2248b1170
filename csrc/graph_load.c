/*
 * graph_load.c — reads a text edge list (plain or gzip) into a gb_graph.
 *
 * Format: one edge per line, `src dst` or `src dst weight`, columns separated by blanks
 * or by a comma with optional blanks around it; `#` or `%` starts a comment; CRLF is
 * accepted.  Every data line has the same number of columns.
 *
 * Method: the file is read in large chunks cut at the last newline, and each chunk is
 * tokenized in place (a table lookup per byte, no allocation per line).  Ids are read
 * as integers until a token is not a non-negative decimal; then every token is a name,
 * the edges read so far are re-interned as names (or, if an integer token had leading
 * zeros and so cannot be spelled back, the file is read again), and reading goes on.
 * Lines are tokenized into a batch of BATCH edges first; with named ids the batch's
 * hash-table lookups are prefetched together, so their cache misses overlap.  Errors
 * are still reported for the first bad line: the batch is flushed before a later
 * line's error is raised.  Weights use strtod only when the fast exact path
 * (graph_numbers.c) does not apply.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph_internal.h"

enum { CHUNK = 8 << 20, QUOTE_MAX = 60 };

/* Bytes that end a token: blanks, comma, comment starts, newline, NUL. */
static const unsigned char END_OF_TOKEN[256] = {
    ['\0'] = 1, ['\t'] = 1, ['\n'] = 1, ['\r'] = 1, [' '] = 1, [','] = 1, ['#'] = 1, ['%'] = 1,
};

/* A data line waiting in the batch: its tokens point into the current chunk. */
typedef struct pending {
    const char *tok[3];
    int64_t len[3];
    const char *line_start;
    int64_t line;
} pending;

enum { BATCH = 64 };

typedef struct parser {
    const char *path;
    gb_error *err;
    int names_mode;          /* ids are names (else non-negative integers) */
    int noncanonical_int;    /* an integer token had leading zeros */
    int rereadable;          /* the file is a regular file */
    int ncols;               /* 0 until the first data line */
    int64_t first_data_line;
    int64_t line;            /* lines finished so far */
    int64_t m, cap;
    int64_t *src, *dst;
    double *w;
    gb_names names;
    char *scratch;           /* NUL-terminated copy of a weight token for strtod */
    size_t scratch_cap;
    pending batch[BATCH];    /* lines tokenized but not yet added */
    int nbatch;
} parser;

/* Returned by parse_chunk when the ids turn out to be names and the file must be reread. */
#define RESTART ((gb_status)1)

/* Up to QUOTE_MAX bytes of s, for quoting in messages. */
static int quote_len(int64_t len) { return len > QUOTE_MAX ? QUOTE_MAX : (int)len; }
static const char *quote_more(int64_t len) { return len > QUOTE_MAX ? "..." : ""; }

static gb_status parse_weight(parser *ps, const char *s, int64_t len, int64_t line, int64_t col,
                              double *out)
{
    if (gb_parse_float_fast(s, s + len, out))
        return GB_OK;
    if ((size_t)len + 1 > ps->scratch_cap) {
        char *scratch = realloc(ps->scratch, (size_t)len + 1);
        if (scratch == NULL)
            return gb_graph_fail(ps->err, GB_ENOMEM, 0, 0, "out of memory reading '%s'", ps->path);
        ps->scratch = scratch;
        ps->scratch_cap = (size_t)len + 1;
    }
    memcpy(ps->scratch, s, (size_t)len);
    ps->scratch[len] = '\0';
    char *stop;
    double v = strtod(ps->scratch, &stop);
    /* strtod skips leading blanks itself; a token never starts with one, so checking
     * stop also rejects empty and partial parses like "1.5x". */
    if (stop != ps->scratch + len || len == 0)
        return gb_graph_fail(ps->err, GB_EPARSE, line, col, "invalid weight '%.*s'%s",
                             quote_len(len), s, quote_more(len));
    if (isnan(v))
        return gb_graph_fail(ps->err, GB_EPARSE, line, col, "weight '%.*s' is NaN",
                             quote_len(len), s);
    *out = v;
    return GB_OK;
}

/* ---- edges ---- */

static gb_status out_of_memory(parser *ps)
{
    return gb_graph_fail(ps->err, GB_ENOMEM, 0, 0, "out of memory reading '%s'", ps->path);
}

static gb_status reserve_edges(parser *ps, int64_t need)
{
    if (need <= ps->cap)
        return GB_OK;
    int64_t cap = ps->cap ? ps->cap : 1 << 16;
    while (cap < need)
        cap *= 2;
    int64_t *src = realloc(ps->src, (size_t)cap * sizeof *src);
    if (src == NULL)
        return out_of_memory(ps);
    ps->src = src;
    int64_t *dst = realloc(ps->dst, (size_t)cap * sizeof *dst);
    if (dst == NULL)
        return out_of_memory(ps);
    ps->dst = dst;
    if (ps->ncols == 3) {
        double *w = realloc(ps->w, (size_t)cap * sizeof *w);
        if (w == NULL)
            return out_of_memory(ps);
        ps->w = w;
    }
    ps->cap = cap;
    return GB_OK;
}

/* The integer ids read so far become names, in order of first appearance. */
static gb_status ints_to_names(parser *ps)
{
    char text[24];
    for (int64_t i = 0; i < ps->m; i++) {
        int64_t *ends[2] = { &ps->src[i], &ps->dst[i] };
        for (int k = 0; k < 2; k++) {
            int len = snprintf(text, sizeof text, "%lld", (long long)*ends[k]);
            if (gb_names_intern(&ps->names, text, len, gb_names_hash(text, len), ends[k]) != GB_OK)
                return out_of_memory(ps);
        }
    }
    ps->names_mode = 1;
    return GB_OK;
}

static gb_status add_weight(parser *ps, const pending *e)
{
    if (ps->ncols != 3)
        return GB_OK;
    return parse_weight(ps, e->tok[2], e->len[2], e->line, e->tok[2] - e->line_start + 1,
                        &ps->w[ps->m]);
}

/* Named endpoints of batch[from..]: hash all, prefetch their slots, then their records,
 * then intern in order, so the batch's cache misses overlap. */
static gb_status add_named(parser *ps, int from)
{
    uint64_t hash[BATCH][2];
    gb_status st;
    for (int j = from; j < ps->nbatch; j++)
        for (int k = 0; k < 2; k++) {
            hash[j][k] = gb_names_hash(ps->batch[j].tok[k], ps->batch[j].len[k]);
            gb_names_prefetch_slot(&ps->names, hash[j][k]);
        }
    for (int j = from; j < ps->nbatch; j++)
        for (int k = 0; k < 2; k++)
            gb_names_prefetch_record(&ps->names, hash[j][k]);
    for (int j = from; j < ps->nbatch; j++) {
        const pending *e = &ps->batch[j];
        if (gb_names_intern(&ps->names, e->tok[0], e->len[0], hash[j][0], &ps->src[ps->m]) != GB_OK ||
            gb_names_intern(&ps->names, e->tok[1], e->len[1], hash[j][1], &ps->dst[ps->m]) != GB_OK)
            return out_of_memory(ps);
        if ((st = add_weight(ps, e)) != GB_OK)
            return st;
        ps->m++;
    }
    return GB_OK;
}

/* Adds the batched lines as edges, in order. */
static gb_status flush(parser *ps)
{
    gb_status st;
    int j = 0;
    if ((st = reserve_edges(ps, ps->m + ps->nbatch)) != GB_OK)
        goto done;
    for (; j < ps->nbatch && !ps->names_mode; j++) {
        const pending *e = &ps->batch[j];
        int canon0 = 1, canon1 = 1;
        if (!gb_parse_id(e->tok[0], e->len[0], &ps->src[ps->m], &canon0) ||
            !gb_parse_id(e->tok[1], e->len[1], &ps->dst[ps->m], &canon1)) {
            st = ps->noncanonical_int ? RESTART : ints_to_names(ps);
            if (st != GB_OK)
                goto done;
            break;
        }
        ps->noncanonical_int |= !canon0 || !canon1;
        if ((st = add_weight(ps, e)) != GB_OK)
            goto done;
        ps->m++;
    }
    if (ps->names_mode)
        st = add_named(ps, j);
done:
    ps->nbatch = 0;
    return st;
}

/* ---- lines ---- */

/* A parse error on the current line, reported after the lines before it are checked. */
static gb_status fail_line(parser *ps, int64_t col, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static gb_status fail_line(parser *ps, int64_t col, const char *fmt, ...)
{
    gb_status st = flush(ps);
    if (st != GB_OK)
        return st;
    va_list ap;
    va_start(ap, fmt);
    st = gb_graph_vfail(ps->err, GB_EPARSE, ps->line + 1, col, fmt, ap);
    va_end(ap);
    return st;
}

static gb_status column_error(parser *ps, int found, const char *const tok[4],
                              const int64_t len[4], const char *line_start)
{
    /* Too many columns: point at the first extra one; too few: just past the last. */
    int allowed = found > 3 || ps->ncols == 0 ? 3 : ps->ncols;
    const char *at = found > allowed ? tok[allowed] : tok[found - 1] + len[found - 1];
    int64_t col = at - line_start + 1;
    if (ps->ncols == 0 || found < 2 || found > 3)
        return fail_line(ps, col, "expected 2 or 3 columns, found %d", found);
    return fail_line(ps, col, "line has %d columns but earlier lines have %d (line %lld)",
                     found, ps->ncols, (long long)ps->first_data_line);
}

/* Parses the complete lines in [p, end); the last byte is '\n'.  Tokens point into the
 * chunk, so the batch is flushed before returning. */
static gb_status parse_chunk(parser *ps, const char *p, const char *end)
{
    gb_status st;
    while (p < end) {
        const char *line_start = p, *tok[4] = { 0 }, *comma = NULL;
        int64_t len[4] = { 0 };
        int found = 0;
        for (;;) {
            while (*p == ' ' || *p == '\t' || *p == '\r')
                p++;
            unsigned char c = (unsigned char)*p;
            if (c == '\n' || c == '#' || c == '%')
                break;
            if (c == ',') {
                if (found == 0 || comma != NULL)
                    return fail_line(ps, p - line_start + 1, "empty column before ','");
                comma = p++;
                continue;
            }
            if (c == '\0')
                return fail_line(ps, p - line_start + 1,
                                 "NUL byte in a text edge list (is '%s' a binary file?)", ps->path);
            const char *s = p;
            while (!END_OF_TOKEN[(unsigned char)*p])
                p++;
            if (found < 4) {
                tok[found] = s;
                len[found] = p - s;
            }
            found++;
            comma = NULL;
        }
        if (comma != NULL)
            return fail_line(ps, comma - line_start + 1, "empty column after ','");
        if (*p != '\n')
            p = memchr(p, '\n', (size_t)(end - p));
        p++;
        if (found > 0) {
            if (found < 2 || found > 3 || (ps->ncols != 0 && found != ps->ncols))
                return column_error(ps, found, tok, len, line_start);
            if (ps->ncols == 0) {
                ps->ncols = found;
                ps->first_data_line = ps->line + 1;
            }
            pending *e = &ps->batch[ps->nbatch++];
            memcpy(e->tok, tok, sizeof e->tok);
            memcpy(e->len, len, sizeof e->len);
            e->line_start = line_start;
            e->line = ps->line + 1;
            if (ps->nbatch == BATCH && (st = flush(ps)) != GB_OK)
                return st;
        }
        ps->line++;
    }
    return flush(ps);
}

/* Reads the whole file through parse_chunk. */
static gb_status parse_file(parser *ps)
{
    gb_reader r;
    size_t cap = CHUNK, len = 0;
    char *buf = malloc(cap + 1);   /* + 1: room for a final '\n' the file may lack */
    gb_status st = gb_reader_open(&r, ps->path, ps->err);
    ps->rereadable = r.regular;
    if (st != GB_OK)
        goto done;
    if (buf == NULL) {
        st = gb_graph_fail(ps->err, GB_ENOMEM, 0, 0, "out of memory reading '%s'", ps->path);
        goto done;
    }
    for (int at_file_start = 1;;) {
        int64_t got = gb_reader_read(&r, buf + len, cap - len);
        if (got < 0) {
            st = got;
            goto done;
        }
        int eof = (size_t)got < cap - len;
        size_t start = 0;
        len += (size_t)got;
        if (at_file_start && len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
            start = 3;   /* a UTF-8 byte order mark is not part of the first id */
        size_t upto = len;
        if (eof) {
            if (len > 0 && buf[len - 1] != '\n')
                buf[len++] = '\n';
            upto = len;
        } else {
            while (upto > 0 && buf[upto - 1] != '\n')
                upto--;
            if (upto == 0) {   /* one line longer than the buffer */
                char *bigger = realloc(buf, 2 * cap + 1);
                if (bigger == NULL) {
                    st = gb_graph_fail(ps->err, GB_ENOMEM, 0, 0, "out of memory reading '%s'",
                                       ps->path);
                    goto done;
                }
                buf = bigger;
                cap *= 2;
                continue;
            }
        }
        if ((st = parse_chunk(ps, buf + start, buf + upto)) != GB_OK)
            goto done;
        at_file_start = 0;
        memmove(buf, buf + upto, len - upto);
        len -= upto;
        if (eof)
            break;
    }
done:
    gb_reader_close(&r);
    free(buf);
    return st;
}

static void parser_reset(parser *ps)
{
    ps->ncols = 0;
    ps->line = 0;
    ps->m = 0;
    ps->nbatch = 0;
    ps->noncanonical_int = 0;
}

gb_status gb_graph_load_edgelist(const char *path, const gb_load_options *opts,
                                 gb_graph **out, gb_error *err)
{
    parser ps = { .path = path, .err = err };
    gb_graph *g = NULL;
    int64_t *int_ids = NULL, n = 0;
    gb_status st;

    gb_graph_clear_error(err);
    if (path == NULL || out == NULL)
        return gb_graph_fail(err, GB_EINVAL, 0, 0, "gb_graph_load_edgelist: NULL argument");
    *out = NULL;
    if (gb_names_init(&ps.names) != GB_OK)
        return gb_graph_fail(err, GB_ENOMEM, 0, 0, "out of memory reading '%s'", path);

    st = parse_file(&ps);
    if (st == RESTART && !ps.rereadable)
        st = gb_graph_fail(err, GB_EIO, 0, 0,
                           "cannot read '%s' twice (it is not a regular file) to take ids with "
                           "leading zeros as names", path);
    if (st == RESTART) {
        parser_reset(&ps);
        ps.names_mode = 1;
        st = parse_file(&ps);
    }
    if (st != GB_OK)
        goto cleanup;
    if (ps.m == 0) {
        st = gb_graph_fail(err, GB_EPARSE, ps.line > 0 ? ps.line : 1, 1, "no edges in file");
        goto cleanup;
    }
    if (ps.names_mode) {
        n = ps.names.count;
        if (gb_names_finish(&ps.names) != GB_OK) {
            st = gb_graph_fail(err, GB_ENOMEM, 0, 0, "out of memory reading '%s'", path);
            goto cleanup;
        }
    } else if ((st = gb_compact_int_ids(ps.src, ps.dst, ps.m, &int_ids, &n, err)) != GB_OK)
        goto cleanup;

    st = gb_graph_build(n, ps.m, ps.src, ps.dst, ps.ncols == 3 ? ps.w : NULL,
                        !(opts != NULL && opts->undirected), &g, err);
    if (st != GB_OK)
        goto cleanup;
    if (ps.names_mode) {
        g->ids_kind = GB_IDS_NAME;
        g->names = ps.names;
        memset(&ps.names, 0, sizeof ps.names);
    } else {
        g->ids_kind = GB_IDS_INT;
        g->int_ids = int_ids;
        int_ids = NULL;
    }
    *out = g;

cleanup:
    free(ps.src);
    free(ps.dst);
    free(ps.w);
    free(ps.scratch);
    free(int_ids);
    gb_names_free(&ps.names);
    return st;
}
