/*
 * graph_parse.c — the text tokenizer and the lines of an edge list.
 *
 * Format: one edge per line, `src dst` or `src dst weight` (or the columns
 * gb_load_options.column_* pick), columns separated by blanks or by a comma with
 * optional blanks around it; `#` or `%` starts a comment; CRLF is accepted.  Every data
 * line has the same number of columns (a .wel file: 3).  A delimited file (a comma, tab
 * or other byte between fields, given or guessed on the first line) is graph_csv.c's.
 *
 * Header line (unless gb_load_options.header says): the first data line is a header,
 * and skipped, when none of its tokens is a number and the other lines show it is not
 * data: with 3 columns, its third token is then not a weight, so it is a header as soon
 * as another data line follows; with 2 columns, it is a header when every other line's
 * ids are integers, or, with word ids, when neither of its words has a digit or is an id
 * on any other line ("woman,event" over "Evelyn Jefferson,E1").  Otherwise it is the first edge.  A
 * header alone in a file is an edge if it could be one (2 columns, mapped ids), else
 * "no edges".
 *
 * Method: a line of plain digits is read in one pass (graph_fast.c); any other line is
 * tokenized in place (a table lookup per byte, no allocation per line) into a batch of
 * GB_BATCH lines that graph_edges.c turns into edges.  Errors are still reported for
 * the first bad line: the batch is flushed before a later line's error is raised.
 * Weights use strtod only when the fast exact path (graph_numbers.c) does not apply.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph_internal.h"

/* Bytes that end a token: blanks, comma, comment starts, newline, NUL. */
static const unsigned char END_OF_TOKEN[256] = {
    ['\0'] = 1, ['\t'] = 1, ['\n'] = 1, ['\r'] = 1, [' '] = 1, [','] = 1, ['#'] = 1, ['%'] = 1,
};

int gb_quote_len(int64_t len) { return len > GB_QUOTE_MAX ? GB_QUOTE_MAX : (int)len; }
const char *gb_quote_more(int64_t len) { return len > GB_QUOTE_MAX ? "..." : ""; }

gb_status gb_parse_nomem(gb_parser *ps)
{
    return gb_graph_fail(ps->err, GB_ENOMEM, 0, 0, "out of memory reading '%s'", ps->path);
}

/* strtod on a NUL-terminated copy; 1 if the whole token is a number. */
static int strtod_token(gb_parser *ps, const char *s, int64_t len, double *out, int *nomem)
{
    *nomem = 0;
    if ((size_t)len + 1 > ps->scratch_cap) {
        char *scratch = realloc(ps->scratch, (size_t)len + 1);
        if (scratch == NULL) {
            *nomem = 1;
            return 0;
        }
        ps->scratch = scratch;
        ps->scratch_cap = (size_t)len + 1;
    }
    memcpy(ps->scratch, s, (size_t)len);
    ps->scratch[len] = '\0';
    char *stop;
    *out = strtod(ps->scratch, &stop);
    /* strtod skips leading blanks itself; a token never starts with one, so checking
     * stop also rejects empty and partial parses like "1.5x". */
    return len > 0 && stop == ps->scratch + len;
}

gb_status gb_parse_weight(gb_parser *ps, const char *s, int64_t len, int64_t line, int64_t col,
                          double *out)
{
    int nomem;
    if (gb_parse_float_fast(s, s + len, out))
        return GB_OK;
    /* strtod also reads C's hexadecimal floats ("0x10" is 16): a weight is decimal. */
    if (memchr(s, 'x', (size_t)len) != NULL || memchr(s, 'X', (size_t)len) != NULL)
        return gb_graph_fail(ps->err, GB_EPARSE, line, col, "invalid weight '%.*s'%s (weights are "
                             "decimal; hexadecimal is not accepted)", gb_quote_len(len), s,
                             gb_quote_more(len));
    if (!strtod_token(ps, s, len, out, &nomem))
        return nomem ? gb_parse_nomem(ps)
                     : gb_graph_fail(ps->err, GB_EPARSE, line, col, "invalid weight '%.*s'%s",
                                     gb_quote_len(len), s, gb_quote_more(len));
    if (isnan(*out))
        return gb_graph_fail(ps->err, GB_EPARSE, line, col, "weight '%.*s' is NaN",
                             gb_quote_len(len), s);
    return GB_OK;
}

/* Any integer or float, as a header test: "source" is not a number, "-1" and "inf" are. */
static int is_number(gb_parser *ps, const char *s, int64_t len)
{
    int64_t id;
    int canonical, nomem;
    double v;
    return gb_parse_id(s, len, &id, &canonical) || gb_parse_float_fast(s, s + len, &v) ||
           strtod_token(ps, s, len, &v, &nomem);
}

/* ---- errors ---- */

gb_status gb_parse_fail_line(gb_parser *ps, int64_t col, const char *fmt, ...)
{
    gb_status st = gb_parse_flush(ps);
    if (st != GB_OK)
        return st;
    va_list ap;
    va_start(ap, fmt);
    st = gb_graph_vfail(ps->err, GB_EPARSE, ps->line + 1, col, fmt, ap);
    va_end(ap);
    return st;
}

gb_status gb_parse_fail_token(gb_parser *ps, const gb_pending *e, int k, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    gb_status st = gb_graph_vfail(ps->err, GB_EPARSE, e->line, e->tok[k] - e->line_start + 1,
                                  fmt, ap);
    va_end(ap);
    return st;
}

/* ---- lines ---- */

void gb_parse_take_field(gb_parser *ps, int k, const char *s, int64_t n, const char *tok[4],
                         int64_t len[4])
{
    if (!ps->picked) {
        if (k < 4) {
            tok[k] = s;
            len[k] = n;
        }
        return;
    }
    for (int slot = 0; slot < 3; slot++) {
        const char *name = ps->opts->column_names[slot];
        if (ps->resolving && ps->col[slot] == 0 && name != NULL && ps->name_len[slot] == n &&
            memcmp(name, s, (size_t)n) == 0)
            ps->col[slot] = k + 1;   /* the first field of that name */
        if (ps->col[slot] == k + 1) {
            tok[slot] = s;
            len[slot] = n;
        }
    }
    if (ps->ncols != 0 && k == ps->ncols) {
        tok[3] = s;
        len[3] = n;
    }
}

static const char *const SLOT_NAMES[3] = { "source", "target", "weight" };

/* After the header line: every named column was found in it. */
static gb_status resolve_columns(gb_parser *ps)
{
    ps->resolving = 0;
    for (int slot = 0; slot < 3; slot++) {
        const char *name = ps->opts->column_names[slot];
        if (name != NULL && ps->col[slot] == 0)
            return gb_parse_fail_line(ps, 1, "no column named '%.*s' (the %s column) in the "
                                      "header line", gb_quote_len(ps->name_len[slot]), name,
                                      SLOT_NAMES[slot]);
        if (ps->col[slot] > ps->max_col)
            ps->max_col = ps->col[slot];
    }
    return GB_OK;
}

static gb_status picked_column_error(gb_parser *ps, int found, const char *const tok[4],
                                     const int64_t len[4], const char *line_start)
{
    if (found < ps->max_col)
        return gb_parse_fail_line(ps, 1, "line has %d columns but the %s column is column %d",
                                  found, ps->col[0] == ps->max_col ? "source"
                                  : ps->col[1] == ps->max_col ? "target" : "weight",
                                  ps->max_col);
    int64_t col = found > ps->ncols && tok[3] != NULL ? tok[3] - line_start + 1 : 1;
    (void)len;
    return gb_parse_fail_line(ps, col, "line has %d columns but earlier lines have %d (line %lld)",
                              found, ps->ncols, (long long)ps->first_data_line);
}

static gb_status column_error(gb_parser *ps, int found, const char *const tok[4],
                              const int64_t len[4], const char *line_start)
{
    if (ps->picked)
        return picked_column_error(ps, found, tok, len, line_start);
    /* Too many columns: point at the first extra one; too few: just past the last. */
    int allowed = found > 3 || ps->ncols == 0 ? 3 : ps->ncols;
    const char *at = found > allowed ? tok[allowed] : tok[found - 1] + len[found - 1];
    int64_t col = at - line_start + 1;
    if (ps->ncols == 0 && ps->format == GB_FORMAT_WEL && found == 2)
        return gb_parse_fail_line(ps, col, "a .wel file has 3 columns (source target weight), "
                                  "found 2");
    if (ps->ncols == 0 || found < 2 || found > 3)
        return gb_parse_fail_line(ps, col, "expected 2 or 3 columns, found %d", found);
    return gb_parse_fail_line(ps, col, "line has %d columns but earlier lines have %d (line %lld)",
                              found, ps->ncols, (long long)ps->first_data_line);
}

/* The first data line: fixes the column count and may be a header. Returns 1 if the
 * line is held back as a (possible) header, 0 if it is data, or a negative status. */
static int first_data_line(gb_parser *ps, const char *const tok[4], const int64_t len[4],
                           int found)
{
    const char *const *names = ps->opts->column_names;
    int by_name = names[0] != NULL || names[1] != NULL || names[2] != NULL;
    int mode = by_name ? GB_HEADER_PRESENT : ps->opts->header;
    ps->ncols = found;
    ps->weighted = ps->picked ? ps->col[2] != 0 : found == 3;
    ps->first_data_line = ps->line + 1;
    if (mode == GB_HEADER_ABSENT)
        return 0;
    if (mode == GB_HEADER_PRESENT) {
        ps->header_line = ps->line + 1;
        ps->header = GB_HEADER_SKIPPED;
        return 1;
    }
    for (int k = 0; k < (ps->weighted ? 3 : 2); k++)
        if (is_number(ps, tok[k], len[k]))
            return 0;
    ps->header_line = ps->header_guess_line = ps->line + 1;
    if (ps->weighted) {
        ps->header = GB_HEADER_SKIPPED;
        ps->header_guess = GB_GUESS_HEADER;
        return 1;
    }
    ps->header_text = malloc((size_t)(len[0] + len[1] + 1));
    if (ps->header_text == NULL)
        return gb_parse_nomem(ps);
    memcpy(ps->header_text, tok[0], (size_t)len[0]);
    memcpy(ps->header_text + len[0], tok[1], (size_t)len[1]);
    ps->header_len[0] = len[0];
    ps->header_len[1] = len[1];
    ps->header = GB_HEADER_PENDING;
    return 1;
}

/* The first line decides the format: a Matrix Market banner, else the file's suffix. */
static gb_status first_line(gb_parser *ps, const char *p, const char *end)
{
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    if ((ps->format == GB_FORMAT_AUTO || ps->format == GB_FORMAT_MTX) && gb_mtx_is_banner(p, nl)) {
        if (ps->picked || ps->opts->delimiter != 0 || ps->opts->header != GB_HEADER_AUTO)
            return gb_graph_fail(ps->err, GB_EINVAL, 0, 0, "'%s' is a Matrix Market file: columns, "
                                 "a delimiter and a header line are for edge lists", ps->path);
        return gb_mtx_banner(ps, p, nl);
    }
    if (ps->format == GB_FORMAT_AUTO)
        ps->format = ps->suffix_format;
    if (ps->format == GB_FORMAT_MTX)
        return gb_graph_fail(ps->err, GB_EPARSE, 1, 1, "a Matrix Market file must start with "
                             "'%%%%MatrixMarket matrix coordinate FIELD SYMMETRY'");
    if (ps->opts->delimiter != 0) {
        ps->delim = ps->opts->delimiter;
    } else {
        ps->delim = gb_csv_sniff(p, end, ps->suffix_delim, &ps->delim_guessed);
    }
    return GB_OK;
}

static gb_status edge_list_line(gb_parser *ps, const char *const tok[4], const int64_t len[4],
                                int found, const char *line_start)
{
    gb_status st;
    if (ps->resolving && (st = resolve_columns(ps)) != GB_OK)
        return st;
    int bad = ps->picked ? found < ps->max_col || (ps->ncols != 0 && found != ps->ncols)
                         : found < 2 || found > 3 || (ps->ncols != 0 && found != ps->ncols) ||
                               (ps->ncols == 0 && ps->format == GB_FORMAT_WEL && found != 3);
    if (bad)
        return column_error(ps, found, tok, len, line_start);
    if (ps->ncols == 0) {
        int held = first_data_line(ps, tok, len, found);
        if (held != 0)
            return held > 0 ? GB_OK : (gb_status)held;
    }
    for (int k = 0; k < (ps->weighted ? 3 : 2); k++)
        if (len[k] == 0)
            return gb_parse_fail_line(ps, tok[k] - line_start + 1, "empty %s column",
                                      SLOT_NAMES[k]);
    gb_pending *e = &ps->batch[ps->nbatch++];
    memcpy(e->tok, tok, sizeof e->tok);
    memcpy(e->len, len, sizeof e->len);
    e->line_start = line_start;
    e->line = ps->line + 1;
    if (ps->nbatch == GB_BATCH && (st = gb_parse_flush(ps)) != GB_OK)
        return st;
    return GB_OK;
}

gb_status gb_parse_chunk(gb_parser *ps, char *p, const char *end)
{
    gb_status st;
    int mtx = ps->format == GB_FORMAT_MTX;
    while (p < end) {
        const char *line_start = p, *tok[4] = { 0 }, *comma = NULL;
        int64_t len[4] = { 0 };
        int found = 0;
        if (ps->line == 0) {
            if ((st = first_line(ps, p, end)) != GB_OK)
                return st;
            mtx = ps->format == GB_FORMAT_MTX;
            if (mtx) {   /* the banner line is done */
                p = (char *)memchr(p, '\n', (size_t)(end - p)) + 1;
                ps->line++;
                continue;
            }
        }
        int fast = gb_parse_fast_line(ps, p, (const char **)&p);
        if (fast != 0) {
            if (fast < 0)
                return (gb_status)fast;
            continue;
        }
        if (!mtx && ps->delim != ' ') {
            if ((st = gb_csv_line(ps, p, line_start, &p, tok, len, &found)) != GB_OK)
                return st;
            if (found > 0 && (st = edge_list_line(ps, tok, len, found, line_start)) != GB_OK)
                return st;
            ps->line++;
            continue;
        }
        for (;;) {
            while (*p == ' ' || *p == '\t' || *p == '\r')
                p++;
            unsigned char c = (unsigned char)*p;
            if (c == '\n' || c == '#' || c == '%')
                break;
            if (c == ',') {
                if (mtx)
                    return gb_parse_fail_line(ps, p - line_start + 1,
                                              "a Matrix Market file separates values by blanks, "
                                              "not ','");
                if (found == 0 || comma != NULL)
                    return gb_parse_fail_line(ps, p - line_start + 1, "empty column before ','");
                comma = p++;
                continue;
            }
            if (c == '\0')
                return gb_parse_fail_line(ps, p - line_start + 1,
                                          "NUL byte in a text file (is '%s' a binary file?)",
                                          ps->path);
            const char *s = p;
            while (!END_OF_TOKEN[(unsigned char)*p])
                p++;
            if (found >= GB_MAX_FIELDS)
                return gb_parse_fail_line(ps, s - line_start + 1, "more than %d columns",
                                          GB_MAX_FIELDS);
            gb_parse_take_field(ps, found, s, p - s, tok, len);
            found++;
            comma = NULL;
        }
        if (comma != NULL)
            return gb_parse_fail_line(ps, comma - line_start + 1, "empty column after ','");
        if (*p != '\n')
            p = (char *)memchr(p, '\n', (size_t)(end - p));
        p++;
        if (found > 0) {
            st = mtx ? gb_mtx_line(ps, tok, len, found, line_start)
                     : edge_list_line(ps, tok, len, found, line_start);
            if (st != GB_OK)
                return st;
        }
        ps->line++;
    }
    return gb_parse_flush(ps);
}

static int has_digit(const char *s, int64_t len)
{
    for (int64_t i = 0; i < len; i++)
        if (s[i] >= '0' && s[i] <= '9')
            return 1;
    return 0;
}

gb_status gb_parse_end(gb_parser *ps)
{
    gb_status st;
    if (ps->format == GB_FORMAT_AUTO && (st = first_line(ps, "\n", "\n" + 1)) != GB_OK)
        return st;   /* an empty file: its name decides */
    if (ps->format == GB_FORMAT_MTX)
        return gb_mtx_end(ps);
    if (ps->header == GB_HEADER_PENDING) {
        const char *h = ps->header_text;
        int64_t n0 = ps->header_len[0], n1 = ps->header_len[1];
        int header = ps->dense || (ps->m > 0 && (!ps->names_mode || (
            !has_digit(h, n0) && !has_digit(h + n0, n1) &&
            gb_names_lookup(&ps->names, h, n0) < 0 && gb_names_lookup(&ps->names, h + n0, n1) < 0)));
        if (header) {
            ps->header = GB_HEADER_SKIPPED;
            ps->header_guess = GB_GUESS_HEADER;
        } else {   /* the first edge, between two named nodes */
            if ((st = gb_parse_reserve(ps, ps->m + 1)) != GB_OK ||
                (!ps->names_mode && (st = gb_parse_ints_to_names(ps)) != GB_OK) ||
                (st = gb_parse_header_edge(ps)) != GB_OK)
                return st;
            ps->header_guess = GB_GUESS_EDGE;
        }
    }
    if (ps->m == 0) {
        if (ps->header == GB_HEADER_SKIPPED)
            return gb_graph_fail(ps->err, GB_EPARSE, ps->header_line, 1,
                                 "no edges in file (line %lld looks like a header)",
                                 (long long)ps->header_line);
        return gb_graph_fail(ps->err, GB_EPARSE, ps->line > 0 ? ps->line : 1, 1,
                             "no edges in file");
    }
    return GB_OK;
}
