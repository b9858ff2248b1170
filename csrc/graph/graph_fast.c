/*
 * graph_fast.c — the common line, parsed in one pass: `digits SEP digits [SEP weight]`
 * with a plain newline, in a file whose ids are integers.
 *
 * Big files are almost all such lines, and the general tokenizer (graph_parse.c) would
 * scan each token twice: once to find its end, once to read its digits.  Here the
 * digits are read as they are scanned and the edge is stored at once.  Anything else —
 * a comment, an id of 19 or more digits, a word, a weight the exact fast path cannot
 * read, a value the policies would reject — returns 0 and the line goes the general
 * way, which also owns every error message.  Lines only take this path while no
 * general line is waiting in the batch, so edges keep the file's order.
 */
#include "graph_internal.h"

/* 1 to 18 digits: no overflow possible.  Returns the end, or NULL. */
static const char *digits(const char *p, int64_t *value, int *noncanonical)
{
    const char *s = p;
    int64_t v = 0;
    for (; (unsigned)(*p - '0') <= 9u; p++) {
        if (p - s == 18)
            return NULL;
        v = v * 10 + (*p - '0');
    }
    if (p == s)
        return NULL;
    *noncanonical |= p - s > 1 && *s == '0';
    *value = v;
    return p;
}

/* delim ' ': blanks, or one comma with optional blanks around it (edge lists), 0:
 * blanks only (Matrix Market); ',' or '\t': that byte with optional blanks around it.
 * NULL if there is none. */
static const char *separator(const char *p, int delim)
{
    const char *s = p;
    int tab_blank = delim != '\t';   /* in a tab-separated file a tab is the separator */
    while (*p == ' ' || (*p == '\t' && tab_blank))
        p++;
    if (delim != 0 && *p == (delim == ' ' ? ',' : delim)) {
        p++;
        while (*p == ' ' || (*p == '\t' && tab_blank))
            p++;
    } else if (delim != 0 && delim != ' ') {
        return NULL;
    }
    return p == s ? NULL : p;
}

int gb_parse_fast_line(gb_parser *ps, const char *p, const char **next)
{
    int mtx = ps->format == GB_FORMAT_MTX, noncanonical = 0;
    int64_t a, b;
    double w = 0;
    int delim = mtx ? 0 : ps->delim;
    /* Other delimiters, picked columns: the general way. */
    if (ps->nbatch != 0 || ps->names_mode || ps->ncols == 0 || ps->picked ||
        (delim != 0 && delim != ' ' && delim != ',' && delim != '\t') ||
        (mtx && (!ps->mtx.have_size || ps->mtx.field == GB_MTX_INTEGER || ps->m >= ps->mtx.nnz)))
        return 0;
    if ((p = digits(p, &a, &noncanonical)) == NULL || (p = separator(p, delim)) == NULL ||
        (p = digits(p, &b, &noncanonical)) == NULL)
        return 0;
    if (ps->ncols == 3) {
        const char *s;
        if ((s = separator(p, delim)) == NULL)
            return 0;
        p = s;
        while (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n' && *p != ',' && *p != '#' &&
               *p != '%' && *p != '\0' && *p != '"')
            p++;
        if (!gb_parse_float_fast(s, p, &w))
            return 0;
    }
    while (*p == ' ' || *p == '\t' || *p == '\r')
        p++;
    if (*p != '\n')
        return 0;
    if (mtx) {
        if (a < 1 || a > ps->mtx.n || b < 1 || b > ps->mtx.n)
            return 0;
        a--;
        b--;
    } else if (ps->dense) {
        if (a >= ps->max_nodes || b >= ps->max_nodes)
            return 0;
        ps->max_id = a > ps->max_id ? a : ps->max_id;
        ps->max_id = b > ps->max_id ? b : ps->max_id;
    } else {
        ps->noncanonical_int |= noncanonical;
    }
    if (ps->m >= ps->cap) {
        gb_status st = gb_parse_reserve(ps, ps->m + 1);
        if (st != GB_OK)
            return st;
    }
    ps->src[ps->m] = a;
    ps->dst[ps->m] = b;
    if (ps->weighted)
        ps->w[ps->m] = w;
    ps->m++;
    ps->line++;
    *next = p + 1;
    return 1;
}
