/*
 * sort.c — in-place sort of 64-bit unsigned keys, for the mode aggregation.
 *
 * Introsort (Musser, "Introspective Sorting and Selection Algorithms", 1997): quicksort
 * with a median-of-three pivot, insertion sort for short ranges, and heapsort once the
 * depth passes 2 log2 n, so an adversarial neighborhood cannot make it quadratic.
 * Recursing into the smaller side and looping on the larger keeps the stack O(log n).
 */
#include "exec_internal.h"

static void insertion_sort(uint64_t *a, int64_t n)
{
    for (int64_t i = 1; i < n; i++) {
        uint64_t x = a[i];
        int64_t j = i;
        while (j > 0 && a[j - 1] > x) {
            a[j] = a[j - 1];
            j--;
        }
        a[j] = x;
    }
}

static void sift_down(uint64_t *a, int64_t root, int64_t n)
{
    uint64_t x = a[root];
    for (;;) {
        int64_t child = 2 * root + 1;
        if (child >= n)
            break;
        if (child + 1 < n && a[child + 1] > a[child])
            child++;
        if (a[child] <= x)
            break;
        a[root] = a[child];
        root = child;
    }
    a[root] = x;
}

static void heap_sort(uint64_t *a, int64_t n)
{
    for (int64_t i = n / 2 - 1; i >= 0; i--)
        sift_down(a, i, n);
    for (int64_t end = n - 1; end > 0; end--) {
        uint64_t t = a[0];
        a[0] = a[end];
        a[end] = t;
        sift_down(a, 0, end);
    }
}

static inline void swap_u64(uint64_t *a, uint64_t *b)
{
    uint64_t t = *a;
    *a = *b;
    *b = t;
}

static void intro_sort(uint64_t *a, int64_t n, int depth)
{
    while (n > 24) {
        uint64_t pivot;
        int64_t i, j;
        if (depth-- == 0) {
            heap_sort(a, n);
            return;
        }
        /* median of three into a[0], so the scans below stop at the ends */
        if (a[n / 2] < a[0]) swap_u64(&a[n / 2], &a[0]);
        if (a[n - 1] < a[0]) swap_u64(&a[n - 1], &a[0]);
        if (a[n - 1] < a[n / 2]) swap_u64(&a[n - 1], &a[n / 2]);
        swap_u64(&a[0], &a[n / 2]);
        pivot = a[0];
        /* Hoare partition: equal keys split evenly, so many duplicates stay fast */
        i = 0;
        j = n;
        for (;;) {
            do i++; while (i < n && a[i] < pivot);
            do j--; while (a[j] > pivot);
            if (i >= j)
                break;
            swap_u64(&a[i], &a[j]);
        }
        swap_u64(&a[0], &a[j]);
        /* a[0..j) <= pivot == a[j] <= a(j..n) */
        if (j < n - 1 - j) {
            intro_sort(a, j, depth);
            a += j + 1;
            n -= j + 1;
        } else {
            intro_sort(a + j + 1, n - j - 1, depth);
            n = j;
        }
    }
    insertion_sort(a, n);
}

void gb_sort_u64(uint64_t *a, int64_t n)
{
    int depth = 0;
    for (int64_t m = n; m > 1; m >>= 1)
        depth += 2;
    intro_sort(a, n, depth);
}
