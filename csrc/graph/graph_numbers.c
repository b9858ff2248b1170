/*
 * graph_numbers.c — the edge-list tokens that are numbers: node ids and weights.
 *
 * Both run once per token on files of millions of lines, so they are written out by
 * hand.  The float path is Clinger's fast path (W. D. Clinger, "How to Read Floating
 * Point Numbers Accurately", PLDI 1990): a decimal with at most 15 significant digits
 * is an exact double, and so is 10^k for k <= 22, so one IEEE multiply or divide gives
 * the correctly rounded result.  Everything else is left to strtod by the caller.
 */
#include "graph_internal.h"

static const double POW10[23] = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

/* A non-negative decimal that fits int64; *canonical is 0 if it has leading zeros. */
int gb_parse_id(const char *s, int64_t len, int64_t *value, int *canonical)
{
    uint64_t v = 0;
    if (len == 0)
        return 0;
    if (len <= 18) {
        for (int64_t i = 0; i < len; i++) {
            unsigned d = (unsigned char)s[i] - '0';
            if (d > 9)
                return 0;
            v = v * 10 + d;
        }
    } else {
        for (int64_t i = 0; i < len; i++) {
            unsigned d = (unsigned char)s[i] - '0';
            if (d > 9 || v > ((uint64_t)INT64_MAX - d) / 10)
                return 0;
            v = v * 10 + d;
        }
    }
    *value = (int64_t)v;
    *canonical = !(len > 1 && s[0] == '0');
    return 1;
}

/* Exactly rounded for [+-]digits[.digits][(e|E)[+-]digits] with at most 15 significant
 * digits and a net power of ten within +-22; returns 0 for everything else. */
int gb_parse_float_fast(const char *s, const char *end, double *out)
{
    int neg = 0, digits = 0, any = 0;
    uint64_t mant = 0;
    int64_t exp10 = 0;
    if (s < end && (*s == '+' || *s == '-'))
        neg = *s++ == '-';
    for (; s < end && (unsigned)(*s - '0') <= 9; s++, any = 1) {
        if (mant == 0 && *s == '0')
            continue;
        if (++digits > 15)
            return 0;
        mant = mant * 10 + (uint64_t)(*s - '0');
    }
    if (s < end && *s == '.') {
        for (s++; s < end && (unsigned)(*s - '0') <= 9; s++, any = 1) {
            exp10--;
            if (mant == 0 && *s == '0')
                continue;
            if (++digits > 15)
                return 0;
            mant = mant * 10 + (uint64_t)(*s - '0');
        }
    }
    if (!any)
        return 0;
    if (s < end && (*s == 'e' || *s == 'E')) {
        int eneg = 0;
        int64_t e = 0;
        s++;
        if (s < end && (*s == '+' || *s == '-'))
            eneg = *s++ == '-';
        if (s == end || (unsigned)(*s - '0') > 9)
            return 0;
        for (; s < end && (unsigned)(*s - '0') <= 9; s++)
            if ((e = e * 10 + (*s - '0')) > 1000)
                return 0;
        exp10 += eneg ? -e : e;
    }
    if (s != end || exp10 < -22 || exp10 > 22)
        return 0;
    double v = (double)mant;
    v = exp10 < 0 ? v / POW10[-exp10] : v * POW10[exp10];
    *out = neg ? -v : v;
    return 1;
}
