/*
 * rows.c — result columns as text: the rows of a CSV, TSV or JSON-lines file, or the
 * elements of a JSON array, formatted straight from the executor's buffers.
 *
 * Python (graphbuild/output.py) cuts the rows into chunks, formats them on a few threads
 * (cffi releases the GIL) and writes the text in order; this file only formats, never
 * does I/O, and writes nothing past the buffer it is given.  A double is written with the
 * fewest of 15, 16 or 17 significant digits that strtod reads back to the same value
 * (the digits graph_write.c gives weights), with ".0" added when that looks like an integer, so
 * a float column stays a float column for pandas; inf, -inf and nan as those words
 * (quoted under quote_nonfinite, for JSON).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graphbuild.h"

enum { MAX_NUMBER = 48 };   /* the longest int64 or double text, with room to spare */

static int64_t text_len(const char *s) { return s != NULL ? (int64_t)strlen(s) : 0; }

static void put(char *at, const char *text, int64_t len)
{
    if (len > 0)
        memcpy(at, text, (size_t)len);
}

static int format_int(char *out, int64_t v)
{
    char tmp[24];
    int len = 0;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[len++] = (char)('0' + u % 10);
        u /= 10;
    } while (u != 0);
    int at = 0;
    if (v < 0)
        out[at++] = '-';
    while (len > 0)
        out[at++] = tmp[--len];
    return at;
}

static int format_double(char *out, double x, int quote_nonfinite)
{
    const char *word = isnan(x) ? "nan" : x > 0 ? "inf" : "-inf";
    if (!isfinite(x)) {
        int len = (int)strlen(word);
        if (!quote_nonfinite) {
            memcpy(out, word, (size_t)len);
            return len;
        }
        out[0] = '"';
        memcpy(out + 1, word, (size_t)len);
        out[len + 1] = '"';
        return len + 2;
    }
    /* 16 digits first (most computed values need 16 or 17): if they read back, try 15
     * (%g drops trailing zeros, so 15 covers every shorter form); if not, 17 always does. */
    int len = snprintf(out, MAX_NUMBER, "%.16g", x);
    if (strtod(out, NULL) == x) {
        char shorter[MAX_NUMBER];
        int len15 = snprintf(shorter, sizeof shorter, "%.15g", x);
        if (strtod(shorter, NULL) == x) {
            memcpy(out, shorter, (size_t)len15 + 1);
            len = len15;
        }
    } else {
        len = snprintf(out, MAX_NUMBER, "%.17g", x);
    }
    if (strpbrk(out, ".e") == NULL) {   /* 3 -> 3.0: still a float when read back */
        out[len++] = '.';
        out[len++] = '0';
        out[len] = '\0';
    }
    return len;
}

/* The text of row i's value in column c into out (at least MAX_NUMBER bytes), or for a
 * text column a pointer into its bytes; returns the length, or -1 if the column's sizes
 * do not hold row i. */
static int64_t cell(const gb_row_column *c, const gb_row_style *s, int64_t i, char *out,
                    const char **text)
{
    int64_t j = i;
    *text = out;
    if (c->index != NULL) {
        j = c->index[i];
        if (j < 0 || j >= c->nvalues) {   /* no node */
            *text = s->null_text != NULL ? s->null_text : "";
            return text_len(*text);
        }
    } else if (i >= c->nvalues) {
        return -1;
    }
    switch (c->kind) {
    case GB_CELL_INT:
        return format_int(out, ((const int64_t *)c->values)[j]);
    case GB_CELL_FLOAT:
        return format_double(out, ((const double *)c->values)[j], s->quote_nonfinite);
    case GB_CELL_BOOL:
        *text = ((const uint8_t *)c->values)[j] ? s->true_text : s->false_text;
        return text_len(*text);
    case GB_CELL_TEXT: {
        int64_t lo = c->offsets[j], hi = c->offsets[j + 1];
        if (lo < 0 || hi < lo || hi > c->nbytes)
            return -1;   /* offsets that leave the text's bytes: never read */
        *text = (const char *)c->values + lo;
        return hi - lo;
    }
    default:
        return -1;
    }
}

int64_t gb_format_rows(int64_t first, int64_t count, int ncols, const gb_row_column *cols,
                       const gb_row_style *style, char *buf, int64_t cap, int64_t *used)
{
    char number[MAX_NUMBER];
    int64_t at = 0, done = 0;
    if (used != NULL)
        *used = 0;
    if (first < 0 || count < 0 || ncols < 0 || (ncols > 0 && cols == NULL) || style == NULL ||
        buf == NULL || cap < 0 || used == NULL)
        return -1;
    int64_t sep_len = text_len(style->row_sep), end_len = text_len(style->row_end);
    for (int64_t i = first; i < first + count; i++) {
        int64_t start = at;
        if (i > 0) {
            if (at + sep_len > cap)
                break;
            put(buf + at, style->row_sep, sep_len);
            at += sep_len;
        }
        int fits = 1;
        for (int c = 0; c < ncols && fits; c++) {
            const char *text;
            int64_t before = text_len(cols[c].before);
            int64_t len = cell(&cols[c], style, i, number, &text);
            if (len < 0)
                return -1;
            if (at + before + len > cap) {
                fits = 0;
                break;
            }
            put(buf + at, cols[c].before, before);
            put(buf + at + before, text, len);
            at += before + len;
        }
        if (!fits || at + end_len > cap) {
            at = start;   /* the row goes whole into the next call */
            break;
        }
        put(buf + at, style->row_end, end_len);
        at += end_len;
        done++;
    }
    *used = at;
    return done;
}
