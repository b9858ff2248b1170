"""Graph500 Kronecker graphs for the benchmarks, generated with numpy and cached as .npy files.

    python bench/kron.py 16 18 20          # generate (or reuse) bench/data/kron-S<scale>-*.npy

The generator follows the GAP Benchmark Suite (Beamer, Asanović, Patterson, arXiv:1508.03619,
src/generator.h): 2^scale nodes, degree * 2^scale generated edges, each edge choosing one
quadrant of the adjacency matrix per level with probabilities A=0.57, B=C=0.19, D=0.05, node
ids randomly permuted, then symmetrized with self-loops and duplicate edges removed. Isolated
nodes stay (they are part of the graph, as in GAP).

It deliberately does not use graphbuild's own loader or generators, so the benchmark checks
graphbuild against peers on input it did not produce itself. The cached array holds each
undirected edge once as (u, v) with u < v, sorted; an undirected CSR built from that order has
sorted neighbor lists (graphbuild's builder keeps input order).
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass

import numpy as np

A, B, C = 0.57, 0.19, 0.19
DEFAULT_DEGREE = 16
DEFAULT_SEED = 27491095  # GAP's kRandSeed
DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")


@dataclass
class KronGraph:
    """An undirected graph: n nodes, edges src[i] - dst[i] with src < dst, each once."""

    scale: int
    degree: int
    seed: int
    n: int
    src: np.ndarray  # int64
    dst: np.ndarray  # int64

    @property
    def m(self) -> int:
        return len(self.src)

    @property
    def name(self) -> str:
        return f"kron{self.scale}"

    def sssp_weights(self) -> np.ndarray:
        """GAP's SSSP weights: integers uniform in [1, 255], as float; sums stay exact."""
        rng = np.random.default_rng(self.seed + 1)
        return rng.integers(1, 256, size=self.m).astype(np.float64)


def generate(scale: int, degree: int = DEFAULT_DEGREE,
             seed: int = DEFAULT_SEED) -> tuple[np.ndarray, np.ndarray]:
    """Cleaned edges (src < dst, unique, sorted) of a Kronecker graph of 2^scale nodes."""
    n = 1 << scale
    m = degree * n
    rng = np.random.default_rng(seed)
    src = np.zeros(m, dtype=np.int64)
    dst = np.zeros(m, dtype=np.int64)
    chunk = 1 << 22  # bounds the temporaries at scale 20+ to a few tens of MB
    for start in range(0, m, chunk):
        s = src[start:start + chunk]
        d = dst[start:start + chunk]
        for _ in range(scale):
            r = rng.random(len(s))
            # Quadrants in GAP's order: A (0,0), B (0,1), C (1,0), D (1,1).
            s <<= 1
            d <<= 1
            s |= r >= A + B
            d |= ((r > A) & (r < A + B)) | (r > A + B + C)
    perm = rng.permutation(n)
    src = perm[src]
    dst = perm[dst]
    keep = src != dst
    lo = np.minimum(src[keep], dst[keep])
    hi = np.maximum(src[keep], dst[keep])
    del src, dst, keep
    key = np.unique(lo * n + hi)  # sorted, so edges come out ordered by (lo, hi)
    return key // n, key % n


def cache_path(scale: int, degree: int, seed: int) -> str:
    return os.path.join(DATA_DIR, f"kron-S{scale}-d{degree}-seed{seed}.npy")


def load(scale: int, degree: int = DEFAULT_DEGREE, seed: int = DEFAULT_SEED,
         log=None) -> KronGraph:
    """The graph from bench/data/, generating and caching it first if needed."""
    path = cache_path(scale, degree, seed)
    if os.path.exists(path):
        edges = np.load(path)
    else:
        if log:
            log(f"generating Kronecker scale {scale} (degree {degree}, seed {seed}) -> {path}")
        src, dst = generate(scale, degree, seed)
        # int32 halves the file; node ids stay below 2^31 for every scale this bench uses.
        edges = np.stack([src, dst]).astype(np.int32 if scale < 31 else np.int64)
        os.makedirs(DATA_DIR, exist_ok=True)
        tmp = path + f".tmp{os.getpid()}.npy"
        np.save(tmp, edges)
        os.replace(tmp, path)  # atomic: a killed run never leaves a truncated cache file
    return KronGraph(scale, degree, seed, 1 << scale,
                     np.ascontiguousarray(edges[0], dtype=np.int64),
                     np.ascontiguousarray(edges[1], dtype=np.int64))


def csr(g: KronGraph, weights: np.ndarray | None = None):
    """A symmetric scipy CSR matrix (both arcs of every edge), built without graphbuild.

    Values are the weights (1.0 when None). Each row's column indices are sorted.
    """
    import scipy.sparse as sp

    rows = np.concatenate([g.src, g.dst])
    cols = np.concatenate([g.dst, g.src])
    data = np.ones(len(rows)) if weights is None else np.concatenate([weights, weights])
    mat = sp.csr_matrix((data, (rows, cols)), shape=(g.n, g.n))
    mat.sort_indices()
    return mat


def main(argv: list[str]) -> None:
    scales = [int(a) for a in argv] or [16, 18, 20]
    for scale in scales:
        g = load(scale, log=lambda msg: print(msg, file=sys.stderr))
        print(f"kron{scale}: {g.n} nodes, {g.m} undirected edges ({2 * g.m} arcs), "
              f"{int(np.count_nonzero(np.bincount(np.concatenate([g.src, g.dst]), minlength=g.n)))} "
              f"nodes with edges")


if __name__ == "__main__":
    main(sys.argv[1:])
