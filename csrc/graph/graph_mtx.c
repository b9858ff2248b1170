/*
 * graph_mtx.c — Matrix Market coordinate files (the NIST format; SuiteSparse's graphs).
 *
 *   %%MatrixMarket matrix coordinate FIELD SYMMETRY     FIELD: pattern | real | integer
 *   % comments                                          SYMMETRY: general | symmetric
 *   ROWS COLUMNS ENTRIES
 *   ROW COLUMN [VALUE]                                  ENTRIES lines, indices from 1
 *
 * The matrix must be square: nodes are 1..ROWS, and every one of them exists even if
 * no entry names it.  Entry (i, j) is the edge i -> j, with VALUE as its weight; a
 * symmetric matrix is an undirected graph (an entry in either triangle is one edge).
 * The size line is checked against the entries: too many is an error at the first
 * extra one, too few an error at the size line.  Banner words ignore case.
 */
#include <stdlib.h>
#include <string.h>

#include "graph_internal.h"

static const char BANNER[] = "%%matrixmarket";

static int lower(int c) { return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c; }

/* [s, s + len) equals word, ignoring case. */
static int word_is(const char *s, int64_t len, const char *word)
{
    if ((size_t)len != strlen(word))
        return 0;
    for (int64_t i = 0; i < len; i++)
        if (lower((unsigned char)s[i]) != word[i])
            return 0;
    return 1;
}

int gb_mtx_is_banner(const char *p, const char *end)
{
    int64_t n = (int64_t)sizeof BANNER - 1, len = 0;
    while (p + len < end && len < n + 1 && p[len] != ' ' && p[len] != '\t' && p[len] != '\r')
        len++;
    return word_is(p, len, BANNER);
}

gb_status gb_mtx_banner(gb_parser *ps, const char *line, const char *end)
{
    static const char *const WANT[] = { "matrix", "coordinate", "FIELD", "SYMMETRY" };
    const char *tok[5];
    int64_t len[5];
    int found = 0;
    const char *p = line;
    ps->format = GB_FORMAT_MTX;
    while (p < end) {
        while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
            p++;
        if (p == end)
            break;
        const char *s = p;
        while (p < end && *p != ' ' && *p != '\t' && *p != '\r')
            p++;
        if (found == 5)
            return gb_graph_fail(ps->err, GB_EPARSE, 1, s - line + 1,
                                 "unexpected '%.*s' after the Matrix Market banner's 4 words",
                                 (int)(p - s < GB_QUOTE_MAX ? p - s : GB_QUOTE_MAX), s);
        tok[found] = s;
        len[found++] = p - s;
    }
    if (found < 5)
        return gb_graph_fail(ps->err, GB_EPARSE, 1, p - line + 1,
                             "the Matrix Market banner lacks %s (expected '%%%%MatrixMarket "
                             "matrix coordinate FIELD SYMMETRY')", WANT[found - 1]);
    int qlen[5];
    for (int k = 0; k < 5; k++)
        qlen[k] = len[k] < GB_QUOTE_MAX ? (int)len[k] : GB_QUOTE_MAX;
    if (!word_is(tok[1], len[1], "matrix"))
        return gb_graph_fail(ps->err, GB_EPARSE, 1, tok[1] - line + 1,
                             "Matrix Market object '%.*s' is not supported (only 'matrix')",
                             qlen[1], tok[1]);
    if (!word_is(tok[2], len[2], "coordinate"))
        return gb_graph_fail(ps->err, GB_EPARSE, 1, tok[2] - line + 1,
                             "Matrix Market format '%.*s' is not supported (only 'coordinate')",
                             qlen[2], tok[2]);
    if (word_is(tok[3], len[3], "pattern"))
        ps->mtx.field = GB_MTX_PATTERN;
    else if (word_is(tok[3], len[3], "real"))
        ps->mtx.field = GB_MTX_REAL;
    else if (word_is(tok[3], len[3], "integer"))
        ps->mtx.field = GB_MTX_INTEGER;
    else
        return gb_graph_fail(ps->err, GB_EPARSE, 1, tok[3] - line + 1,
                             "Matrix Market field '%.*s' is not supported (pattern, real, integer)",
                             qlen[3], tok[3]);
    if (word_is(tok[4], len[4], "general"))
        ps->mtx.symmetric = 0;
    else if (word_is(tok[4], len[4], "symmetric"))
        ps->mtx.symmetric = 1;
    else
        return gb_graph_fail(ps->err, GB_EPARSE, 1, tok[4] - line + 1,
                             "Matrix Market symmetry '%.*s' is not supported (general, symmetric)",
                             qlen[4], tok[4]);
    ps->ncols = ps->mtx.field == GB_MTX_PATTERN ? 2 : 3;
    ps->weighted = ps->ncols == 3;
    return GB_OK;
}

static gb_status size_line(gb_parser *ps, const char *const tok[4], const int64_t len[4],
                           int found, const char *line_start)
{
    static const char *const NAMES[] = { "row count", "column count", "entry count" };
    int64_t v[3];
    if (found != 3) {
        const char *at = found > 3 ? tok[3] : tok[found - 1] + len[found - 1];
        return gb_parse_fail_line(ps, at - line_start + 1,
                                  "expected the size line 'ROWS COLUMNS ENTRIES', found %d "
                                  "value%s", found, found == 1 ? "" : "s");
    }
    for (int k = 0; k < 3; k++) {
        int canonical;
        if (!gb_parse_id(tok[k], len[k], &v[k], &canonical))
            return gb_parse_fail_line(ps, tok[k] - line_start + 1,
                                      gb_all_digits(tok[k], len[k])
                                          ? "%s '%.*s' is too large (at most %lld)"
                                          : "invalid %s '%.*s' (expected a non-negative integer)",
                                      NAMES[k], (int)(len[k] < GB_QUOTE_MAX ? len[k] : GB_QUOTE_MAX),
                                      tok[k], (long long)(k < 2 ? ps->max_nodes : INT64_MAX));
    }
    if (v[0] != v[1])
        return gb_parse_fail_line(ps, tok[1] - line_start + 1,
                                  "the matrix is %lld x %lld; a graph needs a square matrix",
                                  (long long)v[0], (long long)v[1]);
    if (v[0] == 0)
        return gb_parse_fail_line(ps, tok[0] - line_start + 1, "the matrix has no rows");
    if (v[0] > ps->max_nodes)
        return gb_parse_fail_line(ps, tok[0] - line_start + 1,
                                  "the matrix has %lld rows, more than the limit of %lld nodes",
                                  (long long)v[0], (long long)ps->max_nodes);
    /* The sizes the file declares, checked against the budget before an entry is read:
     * a 78-byte file cannot ask for a graph of 2^31 nodes. */
    int directed = !ps->opts->undirected && !ps->mtx.symmetric;
    int64_t need = gb_graph_load_bytes(v[0], v[2], directed, ps->weighted, GB_SOURCE_MTX, ps->opts);
    gb_status st = gb_parse_budget(ps, need);
    if (st != GB_OK) {
        if (ps->err != NULL) {
            ps->err->line = ps->line + 1;
            ps->err->col = tok[0] - line_start + 1;
        }
        return st;
    }
    ps->mtx.have_size = 1;
    ps->mtx.n = v[0];
    ps->mtx.nnz = v[2];
    ps->mtx.size_line = ps->line + 1;
    ps->mtx.nnz_col = tok[2] - line_start + 1;
    return GB_OK;
}

gb_status gb_mtx_line(gb_parser *ps, const char *const tok[4], const int64_t len[4], int found,
                      const char *line_start)
{
    if (!ps->mtx.have_size)
        return size_line(ps, tok, len, found, line_start);
    if (found != ps->ncols) {
        const char *at = found > ps->ncols ? tok[ps->ncols] : tok[found - 1] + len[found - 1];
        return gb_parse_fail_line(ps, at - line_start + 1, "expected %d columns (%s), found %d",
                                  ps->ncols, ps->ncols == 2 ? "row column" : "row column value",
                                  found);
    }
    if (ps->m + ps->nbatch >= ps->mtx.nnz)
        return gb_parse_fail_line(ps, tok[0] - line_start + 1,
                                  "more entries than the %lld declared on line %lld",
                                  (long long)ps->mtx.nnz, (long long)ps->mtx.size_line);
    gb_pending *e = &ps->batch[ps->nbatch++];
    memcpy(e->tok, tok, sizeof e->tok);
    memcpy(e->len, len, sizeof e->len);
    e->line_start = line_start;
    e->line = ps->line + 1;
    return ps->nbatch == GB_BATCH ? gb_parse_flush(ps) : GB_OK;
}

/* An optionally signed decimal integer that fits int64. */
static int parse_signed(const char *s, int64_t len, int64_t *out)
{
    int neg = len > 0 && (s[0] == '-' || s[0] == '+');
    int64_t v;
    int canonical;
    if (!gb_parse_id(s + neg, len - neg, &v, &canonical))
        return 0;
    *out = s[0] == '-' ? -v : v;
    return 1;
}

gb_status gb_mtx_entry(gb_parser *ps, const gb_pending *e)
{
    static const char *const WHAT[] = { "row", "column" };
    int64_t index[2];
    for (int k = 0; k < 2; k++) {
        int canonical;
        int qlen = e->len[k] < GB_QUOTE_MAX ? (int)e->len[k] : GB_QUOTE_MAX;
        if (!gb_parse_id(e->tok[k], e->len[k], &index[k], &canonical))
            return gb_parse_fail_token(ps, e, k,
                                       gb_all_digits(e->tok[k], e->len[k])
                                           ? "%s index '%.*s' is outside 1..%lld"
                                           : "invalid %s index '%.*s'",
                                       WHAT[k], qlen, e->tok[k], (long long)ps->mtx.n);
        if (index[k] < 1 || index[k] > ps->mtx.n)
            return gb_parse_fail_token(ps, e, k, "%s index %lld is outside 1..%lld", WHAT[k],
                                       (long long)index[k], (long long)ps->mtx.n);
    }
    ps->src[ps->m] = index[0] - 1;
    ps->dst[ps->m] = index[1] - 1;
    if (ps->mtx.field == GB_MTX_REAL)
        return gb_parse_weight(ps, e->tok[2], e->len[2], e->line,
                               e->tok[2] - e->line_start + 1, &ps->w[ps->m]);
    if (ps->mtx.field == GB_MTX_INTEGER) {
        int64_t v;
        if (!parse_signed(e->tok[2], e->len[2], &v))
            return gb_parse_fail_token(ps, e, 2, "invalid integer value '%.*s'",
                                       e->len[2] < GB_QUOTE_MAX ? (int)e->len[2] : GB_QUOTE_MAX,
                                       e->tok[2]);
        ps->w[ps->m] = (double)v;
    }
    return GB_OK;
}

gb_status gb_mtx_end(gb_parser *ps)
{
    if (!ps->mtx.have_size)
        return gb_graph_fail(ps->err, GB_EPARSE, ps->line > 0 ? ps->line : 1, 1,
                             "the file ends before the size line 'ROWS COLUMNS ENTRIES'");
    if (ps->m != ps->mtx.nnz)
        return gb_graph_fail(ps->err, GB_EPARSE, ps->mtx.size_line, ps->mtx.nnz_col,
                             "the file has %lld entr%s, not the %lld declared here",
                             (long long)ps->m, ps->m == 1 ? "y" : "ies", (long long)ps->mtx.nnz);
    return GB_OK;
}
