/*
 * graph_csv.c — lines of a delimited edge list (a comma, a tab or another byte between
 * fields), and guessing the delimiter from a file's first lines.
 *
 * A field is everything between two delimiters, blanks around it trimmed and blanks
 * inside kept ("Evelyn Jefferson").  A field that starts with '"' is quoted as RFC 4180
 * says: it ends at the next lone '"', and '""' inside stands for one '"'.  The quotes are
 * removed in place (the text only shrinks), so the field stays a slice of the chunk.  A
 * quoted field cannot span lines: chunks are cut at newlines.  A line whose first
 * non-blank byte is '#' or '%' is a comment; elsewhere both belong to the field.
 */
#include <string.h>

#include "graph_internal.h"

static int is_blank(char c, int delim)
{
    return (c == ' ' || c == '\t' || c == '\r') && c != delim;
}

static gb_status nul_byte(gb_parser *ps, const char *at, const char *line_start)
{
    return gb_parse_fail_line(ps, at - line_start + 1,
                              "NUL byte in a text file (is '%s' a binary file?)", ps->path);
}

/* A quoted field from just after its opening quote; *end gets where the field ended. */
static gb_status quoted(gb_parser *ps, char *p, const char *line_start, char **end,
                        int64_t *n)
{
    char *s = p, *w = p;
    int delim = ps->delim;
    for (;;) {
        if (*p == '"') {
            if (p[1] == '"') {
                *w++ = '"';
                p += 2;
                continue;
            }
            p++;
            break;
        }
        if (*p == '\n')
            return gb_parse_fail_line(ps, s - line_start,
                                      "the quoted field is not closed on its line (a field "
                                      "cannot span lines)");
        if (*p == '\0')
            return nul_byte(ps, p, line_start);
        *w++ = *p++;
    }
    *n = w - s;
    while (is_blank(*p, delim))
        p++;
    if (*p != delim && *p != '\n')
        return gb_parse_fail_line(ps, p - line_start + 1,
                                  "text after the closing quote (a quote inside a quoted "
                                  "field is written twice: \"\")");
    *end = p;
    return GB_OK;
}

gb_status gb_csv_line(gb_parser *ps, char *p, const char *line_start, char **next,
                      const char *tok[4], int64_t len[4], int *found)
{
    int delim = ps->delim;
    gb_status st;
    *found = 0;
    while (is_blank(*p, delim))
        p++;
    if (*p == '\n' || *p == '#' || *p == '%') {
        while (*p != '\n')
            p++;
        *next = p + 1;
        return GB_OK;
    }
    for (int k = 0;; k++) {
        const char *s;
        int64_t n = 0;
        while (is_blank(*p, delim))
            p++;
        if (*p == '"') {
            s = p + 1;
            if ((st = quoted(ps, p + 1, line_start, &p, &n)) != GB_OK)
                return st;
        } else {
            s = p;
            for (; *p != delim && *p != '\n'; p++)
                if (*p == '\0')
                    return nul_byte(ps, p, line_start);
            const char *e = p;
            while (e > s && is_blank(e[-1], delim))
                e--;
            n = e - s;
        }
        if (k >= GB_MAX_FIELDS)
            return gb_parse_fail_line(ps, s - line_start + 1, "more than %d columns",
                                      GB_MAX_FIELDS);
        gb_parse_take_field(ps, k, s, n, tok, len);
        (*found)++;
        if (*p == '\n')
            break;
        p++;   /* the delimiter */
    }
    *next = p + 1;
    return GB_OK;
}

/* The first lines decide: the delimiter the file's name says (prefer) if any of them has
 * it; else a comma on every one makes a comma-separated file; else a tab on every one,
 * with blanks inside a tab-separated field somewhere ("Evelyn Jefferson\tE1"), a
 * tab-separated one; else columns are runs of blanks as in any .el file. */
int gb_csv_sniff(const char *p, const char *end, int prefer, int *guessed)
{
    enum { SNIFF_LINES = 100 };
    int lines = 0, all_comma = 1, all_tab = 1, inner_blank = 0, any_preferred = 0;
    *guessed = 0;
    while (p < end && lines < SNIFF_LINES) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *stop = nl != NULL ? nl : end;
        while (p < stop && (*p == ' ' || *p == '\t' || *p == '\r'))
            p++;
        if (p < stop && *p != '#' && *p != '%') {
            int comma = 0, tab = 0;
            for (const char *q = p; q < stop; q++) {
                comma |= *q == ',';
                tab |= *q == '\t';
                /* a blank between two bytes of a field: neither side a blank or a tab */
                if (*q == ' ' && q > p && q + 1 < stop && q[-1] != ' ' && q[-1] != '\t' &&
                    q[1] != ' ' && q[1] != '\t' && q[1] != '\r')
                    inner_blank = 1;
            }
            any_preferred |= (prefer == ',' && comma) || (prefer == '\t' && tab);
            all_comma &= comma;
            all_tab &= tab;
            lines++;
        }
        p = stop + 1;
    }
    if (prefer != 0 && (any_preferred || lines == 0))
        return prefer;
    if (lines == 0)
        return ' ';
    *guessed = all_comma || (all_tab && inner_blank);
    if (all_comma)
        return ',';
    if (all_tab && inner_blank)
        return '\t';
    return ' ';
}
