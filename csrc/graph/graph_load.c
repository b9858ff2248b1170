/*
 * graph_load.c — gb_graph_load_edgelist: which format, the read loop, and the finish
 * (ids, CSR, policies).
 *
 * The format comes from the content where the content says it (gzip by its magic
 * bytes, in graph_read.c; Matrix Market by its %%MatrixMarket banner), else from the
 * file's suffix after any .gz: .mtx must be Matrix Market, .wel is a 3-column edge
 * list, anything else an edge list (graph_parse.c).  The file is read in large chunks
 * cut at the last newline, and progress is reported after each chunk.
 *
 * Node ids: Matrix Market nodes are 1..ROWS.  Edge lists map their ids (GB_IDS_MAP:
 * integers to ranks in ascending order, other tokens in order of first appearance) or
 * use them as indices (GB_IDS_DENSE: n = largest id + 1).
 */
#define _POSIX_C_SOURCE 200809L   /* strnlen */
#include <stdlib.h>
#include <string.h>

#include "graph_internal.h"

enum { CHUNK = GB_READ_CHUNK };

static int ends_with(const char *s, size_t len, const char *suffix)
{
    size_t k = strlen(suffix);
    if (len < k)
        return 0;
    for (size_t i = 0; i < k; i++) {
        char c = s[len - k + i];
        if ((c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c) != suffix[i])
            return 0;
    }
    return 1;
}

/* The file name of path, its length set without a trailing .gz. */
static const char *base_name(const char *path, size_t *len)
{
    const char *slash = strrchr(path, '/'), *base = slash != NULL ? slash + 1 : path;
    *len = strlen(base);
    if (ends_with(base, *len, ".gz"))
        *len -= 3;
    return base;
}

static int suffix_format(const char *path)
{
    size_t len;
    const char *base = base_name(path, &len);
    if (ends_with(base, len, ".mtx"))
        return GB_FORMAT_MTX;
    if (ends_with(base, len, ".wel"))
        return GB_FORMAT_WEL;
    return GB_FORMAT_EDGELIST;
}

/* ',' for a .csv file, '\t' for .tsv or .tab (after any .gz), else 0 (the content says). */
static int suffix_delimiter(const char *path)
{
    size_t len;
    const char *base = base_name(path, &len);
    if (ends_with(base, len, ".csv"))
        return ',';
    if (ends_with(base, len, ".tsv") || ends_with(base, len, ".tab"))
        return '\t';
    return 0;
}

/* The columns gb_load_options picks, checked; names are matched on the header line. */
static gb_status pick_columns(gb_parser *ps)
{
    const gb_load_options *o = ps->opts;
    for (int slot = 0; slot < 3; slot++) {
        int number = o->column_numbers[slot];
        const char *name = o->column_names[slot];
        if (number < 0 || number > GB_MAX_FIELDS)
            return gb_graph_fail(ps->err, GB_EINVAL, 0, 0, "column number %d is not 1..%d",
                                 number, GB_MAX_FIELDS);
        if (number != 0 && name != NULL)
            return gb_graph_fail(ps->err, GB_EINVAL, 0, 0, "a column is given by number and by name");
        if (name != NULL) {
            size_t n = strnlen(name, GB_MAX_COLUMN_NAME + 1);
            if (n == 0 || n > GB_MAX_COLUMN_NAME)
                return gb_graph_fail(ps->err, GB_EINVAL, 0, 0, "a column name must have 1 to %d "
                                     "bytes", GB_MAX_COLUMN_NAME);
            if (o->header == GB_HEADER_ABSENT)
                return gb_graph_fail(ps->err, GB_EINVAL, 0, 0, "columns are picked by name but "
                                     "the file has no header line");
            ps->name_len[slot] = (int64_t)n;
            ps->resolving = 1;
        }
        ps->col[slot] = number;
        ps->picked |= number != 0 || name != NULL;
        if (number > ps->max_col)
            ps->max_col = number;
    }
    if (ps->picked && (ps->col[0] == 0 && o->column_names[0] == NULL))
        return gb_graph_fail(ps->err, GB_EINVAL, 0, 0, "the source column is not given");
    if (ps->picked && (ps->col[1] == 0 && o->column_names[1] == NULL))
        return gb_graph_fail(ps->err, GB_EINVAL, 0, 0, "the target column is not given");
    if (o->delimiter < 0 || o->delimiter > 255 || o->delimiter == '\n' || o->delimiter == '\r' ||
        o->delimiter == '"' || o->delimiter == '#' || o->delimiter == '%')
        return gb_graph_fail(ps->err, GB_EINVAL, 0, 0, "a delimiter cannot be byte %d", o->delimiter);
    if (o->header < GB_HEADER_AUTO || o->header > GB_HEADER_ABSENT)
        return gb_graph_fail(ps->err, GB_EINVAL, 0, 0, "unknown header mode %d", o->header);
    return GB_OK;
}

/* Reads the whole file through gb_parse_chunk. */
static gb_status parse_file(gb_parser *ps)
{
    gb_reader r;
    char *buf = NULL;
    size_t cap = CHUNK, len = 0;
    gb_status st = gb_reader_open(&r, ps->path, ps->err);
    ps->rereadable = r.regular;
    if (st != GB_OK)
        goto done;
    /* A small file needs no 8 MiB buffer (a gzip one rarely inflates 16-fold; if it
     * does, the chunks are just smaller). */
    if (r.regular && !r.gzip && r.size < CHUNK)
        cap = (size_t)r.size + 64;
    else if (r.regular && r.gzip && r.size < CHUNK / 16)
        cap = (size_t)r.size * 16 + 4096;
    ps->buffer_bytes = (int64_t)cap + 1;
    if ((st = gb_parse_budget(ps, gb_parse_held(ps, ps->cap))) != GB_OK)
        goto done;
    buf = malloc(cap + 1);   /* + 1: room for a final '\n' the file may lack */
    if (buf == NULL) {
        st = gb_graph_fail(ps->err, GB_ENOMEM, 0, 0, "out of memory reading '%s'", ps->path);
        goto done;
    }
    for (int at_file_start = 1;;) {
        int64_t got = gb_reader_read(&r, buf + len, cap - len);
        if (got < 0) {
            st = (gb_status)got;
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
                ps->buffer_bytes = gb_bytes_add(gb_bytes_mul((int64_t)cap, 3), 2);   /* old + new */
                if ((st = gb_parse_budget(ps, gb_parse_held(ps, ps->cap))) != GB_OK)
                    goto done;
                ps->buffer_bytes = (int64_t)(2 * cap) + 1;
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
        if (upto > start && (st = gb_parse_chunk(ps, buf + start, buf + upto)) != GB_OK)
            goto done;
        at_file_start = 0;
        memmove(buf, buf + upto, len - upto);
        len -= upto;
        if ((ps->opts->progress != NULL &&
             ps->opts->progress(ps->opts->progress_ctx, r.raw_bytes, r.size, ps->m) != 0) ||
            gb_stop_requested(ps->opts->interrupt)) {
            st = gb_graph_fail(ps->err, GB_EINTR, 0, 0, "loading '%s' was interrupted", ps->path);
            goto done;
        }
        if (eof)
            break;
    }
done:
    gb_reader_close(&r);
    free(buf);
    ps->buffer_bytes = 0;
    return st;
}

/* Ready for reading the file again with names from the start. */
static void parser_reset(gb_parser *ps)
{
    ps->ncols = 0;
    ps->weighted = 0;
    ps->line = 0;
    ps->m = 0;
    ps->nbatch = 0;
    ps->noncanonical_int = 0;
    ps->header = GB_HEADER_NONE;
    ps->header_line = 0;
    ps->header_guess = GB_GUESS_NONE;
    ps->header_guess_line = 0;
    free(ps->header_text);
    ps->header_text = NULL;
    ps->delim = 0;
    ps->delim_guessed = 0;
    for (int slot = 0; slot < 3; slot++) {   /* names are matched again */
        ps->col[slot] = ps->opts->column_numbers[slot];
        ps->resolving |= ps->opts->column_names[slot] != NULL;
    }
}

/* Dense node numbers, the CSR and the ids, once the whole file is read. */
static gb_status finish(gb_parser *ps, gb_graph **out)
{
    const gb_load_options *opts = ps->opts;
    gb_graph *g = NULL;
    int64_t *int_ids = NULL, n = 0;
    int directed = !opts->undirected;
    gb_status st = GB_OK;

    int64_t held = gb_parse_held(ps, ps->cap);   /* the edge arrays (and names) */
    if (ps->format == GB_FORMAT_MTX) {
        n = ps->mtx.n;
        directed = directed && !ps->mtx.symmetric;
    } else if (ps->names_mode) {
        n = ps->names.count;
        /* finishing lays the names out once more, with an offset each */
        held = gb_bytes_add(held, gb_bytes_add(ps->names.nrecords, gb_bytes_mul(n + 1, 8)));
        if ((st = gb_parse_budget(ps, held)) != GB_OK)
            return st;
        if (gb_names_finish(&ps->names) != GB_OK)
            return gb_graph_fail(ps->err, GB_ENOMEM, 0, 0, "out of memory reading '%s'",
                                 ps->path);
    } else if (ps->dense) {
        n = ps->max_id + 1;
    } else if ((st = gb_compact_int_ids(ps->src, ps->dst, ps->m, held, opts, &int_ids, &n,
                                        ps->err)) != GB_OK) {
        return st;
    }
    /* The build's arrays, checked against the budget before any is allocated. */
    st = gb_parse_budget(ps, gb_bytes_add(held, gb_build_bytes(n, ps->m, directed, ps->weighted,
                                                               opts)));
    if (st != GB_OK)
        goto cleanup;

    st = gb_graph_finish(n, ps->m, ps->src, ps->dst, ps->weighted ? ps->w : NULL, directed, opts,
                         &g, ps->err);
    if (st != GB_OK)
        goto cleanup;
    if (ps->names_mode) {
        g->ids_kind = GB_IDS_NAME;
        g->names = ps->names;
        memset(&ps->names, 0, sizeof ps->names);
    } else if (int_ids != NULL) {
        g->int_ids = int_ids;
        int_ids = NULL;
    } else if ((st = gb_graph_identity_ids(g, ps->err)) != GB_OK) {
        goto cleanup;
    } else if (ps->format == GB_FORMAT_MTX) {
        for (int64_t v = 0; v < n; v++)
            g->int_ids[v] = v + 1;
    }
    g->stats.format = ps->format;
    g->stats.header_line = ps->header == GB_HEADER_SKIPPED ? ps->header_line : 0;
    if (ps->format != GB_FORMAT_MTX) {
        g->stats.delimiter = ps->delim;
        g->stats.delimiter_guessed = ps->delim_guessed;
        g->stats.header_guess = ps->header_guess;
        g->stats.header_guess_line = ps->header_guess != GB_GUESS_NONE ? ps->header_guess_line : 0;
    }
    *out = g;
    g = NULL;

cleanup:
    gb_graph_destroy(g);
    free(int_ids);
    return st;
}

gb_status gb_graph_load_edgelist(const char *path, const gb_load_options *opts,
                                 gb_graph **out, gb_error *err)
{
    gb_load_options defaults = { 0 };
    gb_parser ps = { .path = path, .err = err };
    gb_status st;

    gb_graph_clear_error(err);
    if (path == NULL || out == NULL)
        return gb_graph_fail(err, GB_EINVAL, 0, 0, "gb_graph_load_edgelist: NULL argument");
    *out = NULL;
    ps.opts = opts != NULL ? opts : &defaults;
    if (ps.opts->format < GB_FORMAT_AUTO || ps.opts->format > GB_FORMAT_MTX)
        return gb_graph_fail(err, GB_EINVAL, 0, 0, "unknown input format %d", ps.opts->format);
    ps.format = ps.opts->format;
    ps.suffix_format = suffix_format(path);
    ps.suffix_delim = suffix_delimiter(path);
    if ((st = pick_columns(&ps)) != GB_OK)
        return st;
    ps.dense = ps.opts->ids == GB_IDS_DENSE;
    ps.max_nodes = gb_max_nodes(ps.opts);
    if (gb_names_init(&ps.names) != GB_OK)
        return gb_graph_fail(err, GB_ENOMEM, 0, 0, "out of memory reading '%s'", path);

    st = parse_file(&ps);
    if (st == GB_RESTART && !ps.rereadable)
        st = gb_graph_fail(err, GB_EIO, 0, 0,
                           "cannot read '%s' twice (it is not a regular file) to take ids with "
                           "leading zeros as names", path);
    if (st == GB_RESTART) {
        parser_reset(&ps);
        ps.names_mode = 1;
        st = parse_file(&ps);
    }
    if (st == GB_OK)
        st = gb_parse_end(&ps);
    if (st == GB_OK && gb_stop_requested(ps.opts->interrupt))
        st = gb_graph_fail(err, GB_EINTR, 0, 0, "loading '%s' was interrupted", path);
    if (st == GB_OK)
        st = finish(&ps, out);

    free(ps.src);
    free(ps.dst);
    free(ps.w);
    free(ps.scratch);
    free(ps.header_text);
    gb_names_free(&ps.names);
    return st;
}
