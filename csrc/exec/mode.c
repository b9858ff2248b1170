/*
 * mode.c — the most frequent of a neighborhood's values, ties to the smallest.
 *
 * Short neighborhoods are sorted (sort.c) and the longest run taken.  Longer ones are
 * counted in an open-addressing hash table instead, O(n) rather than O(n log n): the
 * running best is updated as each count grows, so no pass over the table is needed.  The
 * invariant: best is the smallest key whose count equals the largest count so far (a key
 * that first reaches a new largest count is the only one with it; a key that reaches an
 * equal count replaces best only if it is smaller).  Both ways give the same key.
 */
#include "exec_internal.h"

/* Below this, sorting a few dozen keys in cache beats hashing them. */
#define HASH_MIN 32

static uint64_t mode_sorted(uint64_t *keys, int64_t n)
{
    uint64_t best = keys[0];
    int64_t best_run = 0;
    gb_sort_u64(keys, n);
    for (int64_t i = 0; i < n;) {
        int64_t j = i + 1;
        while (j < n && keys[j] == keys[i])
            j++;
        if (j - i > best_run) {
            best_run = j - i;
            best = keys[i];
        }
        i = j;
    }
    return best;
}

/* Table of cap = 2^bits slots (cap >= 2n, so at most half full): the keys in
 * scratch[0 .. cap), the counts as uint32 after them (cap / 2 words).  Fits in the
 * GB_MODE_WORDS - 1 words per key after keys[0 .. n), since cap < 4n. */
static uint64_t mode_hashed(const uint64_t *keys, int64_t n, uint64_t *scratch)
{
    int bits = 1;
    while (((int64_t)1 << bits) < 2 * n)
        bits++;
    const uint64_t cap = (uint64_t)1 << bits, mask = cap - 1;
    uint64_t *slot_key = scratch;
    uint32_t *slot_count = (uint32_t *)(scratch + cap);
    uint64_t best = 0;
    uint32_t best_count = 0;

    memset(slot_count, 0, cap * sizeof *slot_count);
    for (int64_t i = 0; i < n; i++) {
        const uint64_t k = keys[i];
        uint64_t h = (k * 0x9E3779B97F4A7C15ull) >> (64 - bits);
        uint32_t c;
        while (slot_count[h] != 0 && slot_key[h] != k)
            h = (h + 1) & mask;
        slot_key[h] = k;
        c = ++slot_count[h];
        if (c > best_count || (c == best_count && k < best)) {
            best = k;
            best_count = c;
        }
    }
    return best;
}

uint64_t gb_mode_key(uint64_t *keys, int64_t n)
{
    return n < HASH_MIN ? mode_sorted(keys, n) : mode_hashed(keys, n, keys + n);
}
