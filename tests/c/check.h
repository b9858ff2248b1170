/*
 * check.h — a tiny test harness for the C tests.
 *
 * CHECK(cond) and friends count passes and failures and report each failure with its
 * file and line; a failed check does not stop the test, so one run shows every problem.
 * main() ends with `return CHECK_DONE();`, which prints exactly "N passed, N failed" and
 * gives the exit status (0 only if nothing failed).
 */
#ifndef GB_TEST_CHECK_H
#define GB_TEST_CHECK_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static int check_passed, check_failed;

static inline int check_report(int ok, const char *file, int line, const char *what)
{
    if (ok) {
        check_passed++;
    } else {
        check_failed++;
        fprintf(stderr, "%s:%d: check failed: %s\n", file, line, what);
    }
    return ok;
}

#define CHECK(cond) check_report((cond) != 0, __FILE__, __LINE__, #cond)

/* Integers, with both values in the message. */
#define CHECK_EQ_I(a, b)                                                                   \
    do {                                                                                   \
        long long check_a_ = (long long)(a), check_b_ = (long long)(b);                    \
        if (!check_report(check_a_ == check_b_, __FILE__, __LINE__, #a " == " #b))         \
            fprintf(stderr, "    %lld != %lld\n", check_a_, check_b_);                     \
    } while (0)

/* Floats by value; NaN equals NaN, and the sign of a zero counts. */
#define CHECK_EQ_F(a, b)                                                                   \
    do {                                                                                   \
        double check_a_ = (a), check_b_ = (b);                                             \
        int check_ok_ = (isnan(check_a_) && isnan(check_b_)) ||                            \
                        (check_a_ == check_b_ && signbit(check_a_) == signbit(check_b_));  \
        if (!check_report(check_ok_, __FILE__, __LINE__, #a " == " #b))                    \
            fprintf(stderr, "    %.17g != %.17g\n", check_a_, check_b_);                   \
    } while (0)

/* Floats within a relative tolerance. */
#define CHECK_NEAR(a, b, tol)                                                              \
    do {                                                                                   \
        double check_a_ = (a), check_b_ = (b);                                             \
        int check_ok_ = fabs(check_a_ - check_b_) <= (tol) * (1.0 + fabs(check_b_));      \
        if (!check_report(check_ok_, __FILE__, __LINE__, #a " ~= " #b))                    \
            fprintf(stderr, "    %.17g !~ %.17g\n", check_a_, check_b_);                   \
    } while (0)

/* `hay` contains `needle`. */
#define CHECK_CONTAINS(hay, needle)                                                        \
    do {                                                                                   \
        const char *check_h_ = (hay);                                                      \
        if (!check_report(strstr(check_h_, (needle)) != NULL, __FILE__, __LINE__,          \
                          #hay " contains " #needle))                                      \
            fprintf(stderr, "    in: \"%s\"\n", check_h_);                                 \
    } while (0)

static inline int check_done(void)
{
    printf("%d passed, %d failed\n", check_passed, check_failed);
    return check_failed == 0 ? 0 : 1;
}

#define CHECK_DONE() check_done()

#endif
