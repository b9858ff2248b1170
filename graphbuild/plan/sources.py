"""The sources of `for s in sample(k, seed)`, computed in Python exactly as the executor
does (csrc/exec/sources.c): source i is position i of a seeded permutation of the node
indices [0, n) -- a four-round Feistel network over 2h bits (the smallest even width with
2^2h >= n, splitmix64 as round function) restricted to [0, n) by cycle walking.  A pure
function of (i, n, seed), so the same seed picks the same nodes on every platform, thread
count and engine; tests and the networkx backend use it to name the sampled nodes.
"""
from __future__ import annotations

_MASK64 = (1 << 64) - 1


def _mix(z: int) -> int:
    z = (z + 0x9E3779B97F4A7C15) & _MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
    return z ^ (z >> 31)


def _feistel(x: int, h: int, seed: int) -> int:
    mask = (1 << h) - 1
    left, right = x >> h, x & mask
    for rnd in range(4):
        f = _mix(_mix((seed + rnd) & _MASK64) ^ right) & mask
        left, right = right, left ^ f
    return (left << h) | right


def sample_source(i: int, n: int, seed: int) -> int:
    """Source i (0 <= i < n) of a sample of the n nodes under seed."""
    h = 1
    while h < 32 and (1 << (2 * h)) < n:
        h += 1
    x = i
    while True:
        x = _feistel(x, h, seed & _MASK64)
        if x < n:
            return x


def sample_sources(n: int, k: int, seed: int) -> list[int]:
    """The node indices `for s in sample(k, seed)` visits on a graph of n nodes, in order
    (k is clamped to [0, n], as the loop does)."""
    return [sample_source(i, n, seed) for i in range(min(max(k, 0), n))]
