/*
 * sources.c — which nodes `for s in sample(k, seed)` visits.
 *
 * Source i is position i of a pseudo-random permutation of the node indices [0, n) chosen
 * by the seed, so sources 0 .. k-1 are k distinct nodes and sample(n, seed) is every node.
 * The permutation is a four-round Feistel network on the smallest even number of bits 2h
 * with 2^2h >= n (round function: splitmix64 of the seed, the round and the right half),
 * made a permutation of [0, n) by cycle walking (apply it again while the result is >= n;
 * 2^2h < 4n, so about four steps at most on average).  It is a pure function of (i, n,
 * seed) in 64-bit unsigned arithmetic: the same on every platform and thread count, and
 * graphbuild/plan/sources.py computes the same sources in Python.
 * Reference: Black, Rogaway, "Ciphers with Arbitrary Finite Domains", CT-RSA 2002.
 */
#include "exec_internal.h"

/* splitmix64's output function (as kernels.c's random). */
static uint64_t mix(uint64_t z)
{
    z += 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint64_t feistel(uint64_t x, int h, uint64_t seed)
{
    const uint64_t mask = (1ull << h) - 1;
    uint64_t left = x >> h, right = x & mask;
    for (uint64_t round = 0; round < 4; round++) {
        uint64_t f = mix(mix(seed + round) ^ right) & mask;
        uint64_t next = left ^ f;
        left = right;
        right = next;
    }
    return (left << h) | right;
}

int64_t gb_sample_source(int64_t i, int64_t n, int64_t seed)
{
    int h = 1;
    uint64_t x = (uint64_t)i;
    while (h < 32 && (1ull << (2 * h)) < (uint64_t)n)
        h++;
    do
        x = feistel(x, h, (uint64_t)seed);
    while (x >= (uint64_t)n);
    return (int64_t)x;
}
