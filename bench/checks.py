"""Result checks: a peer's time is only trusted when its answer agrees with graphbuild's.

Every check returns (ok, detail); detail is a short human-readable measure of the agreement
(the L1 distance, the number of differing nodes, ...), printed whether or not the check passes.
"""
from __future__ import annotations

import numpy as np

Check = tuple[bool, str]


def l1(peer: np.ndarray, gb: np.ndarray, tol: float) -> Check:
    """Scores: the L1 distance between the vectors is at most tol (nan anywhere fails)."""
    peer = np.asarray(peer, dtype=np.float64)
    gb = np.asarray(gb, dtype=np.float64)
    if peer.shape != gb.shape:
        return False, f"shape {peer.shape} vs {gb.shape}"
    dist = float(np.abs(peer - gb).sum())
    if not np.isfinite(dist):
        return False, "nan/inf in scores"
    return dist <= tol, f"L1 {dist:.2e} (tol {tol:.0e})"


def sum_normalized(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    return x / x.sum()


def exact(peer: np.ndarray, gb: np.ndarray, what: str = "values") -> Check:
    """Levels, distances, core numbers: equal at every node (inf equals inf)."""
    peer = np.asarray(peer)
    gb = np.asarray(gb)
    if peer.shape != gb.shape:
        return False, f"shape {peer.shape} vs {gb.shape}"
    differ = int(np.count_nonzero(peer != gb))
    return differ == 0, f"{what} differ at {differ} nodes" if differ else f"{what} equal"


def relative(peer: np.ndarray, gb: np.ndarray, rtol: float, what: str = "values") -> Check:
    """Distances: |peer - gb| <= rtol * |gb| at every node, inf only where the other is inf.

    Sums of the same weights along different shortest paths may round differently; with the
    bench's integer weights they are exact, so the detail also says how many differ at all."""
    peer = np.asarray(peer, dtype=np.float64)
    gb = np.asarray(gb, dtype=np.float64)
    if peer.shape != gb.shape:
        return False, f"shape {peer.shape} vs {gb.shape}"
    inf_p, inf_g = np.isinf(peer), np.isinf(gb)
    finite = ~inf_p & ~inf_g
    bad = int(np.count_nonzero(inf_p != inf_g))
    bad += int(np.count_nonzero(np.abs(peer[finite] - gb[finite]) > rtol * np.abs(gb[finite])))
    bad += int(np.count_nonzero(np.isnan(peer) | np.isnan(gb)))
    unequal = int(np.count_nonzero(peer != gb))
    if bad:
        return False, f"{what} differ at {bad} nodes (relative tolerance {rtol:.0e})"
    return True, (f"{what} equal" if not unequal
                  else f"{what} within {rtol:.0e} relative ({unequal} not bitwise equal)")


def canonical_partition(labels: np.ndarray) -> np.ndarray:
    """Each node labeled with the smallest node of its class: equal partitions give equal arrays."""
    labels = np.asarray(labels, dtype=np.int64)
    _, dense = np.unique(labels, return_inverse=True)
    smallest = np.full(dense.max() + 1 if len(dense) else 0, len(labels), dtype=np.int64)
    np.minimum.at(smallest, dense, np.arange(len(labels), dtype=np.int64))
    return smallest[dense]


def same_partition(peer: np.ndarray, gb: np.ndarray) -> Check:
    a, b = canonical_partition(peer), canonical_partition(gb)
    if a.shape != b.shape:
        return False, f"shape {a.shape} vs {b.shape}"
    differ = int(np.count_nonzero(a != b))
    classes = len(np.unique(b))
    return differ == 0, (f"{classes} components, same partition" if not differ
                         else f"partition differs at {differ} nodes")


def bfs_tree(order: np.ndarray, pred: np.ndarray, gb_levels: np.ndarray, source: int) -> Check:
    """A BFS tree (visit order, predecessors) against graphbuild's levels, exactly.

    The tree reaches exactly the nodes graphbuild reaches and every tree edge goes one level
    down. By induction along the tree graphbuild's level is then each node's depth in a BFS
    tree, which is its distance: the levels are checked exactly without recomputing them.
    """
    reached = np.zeros(len(gb_levels), dtype=bool)
    reached[order] = True
    if not np.array_equal(reached, gb_levels >= 0):
        return False, f"reach differs at {int(np.count_nonzero(reached != (gb_levels >= 0)))} nodes"
    if gb_levels[source] != 0:
        return False, "source level is not 0"
    rest = order[order != source]
    bad = int(np.count_nonzero(gb_levels[pred[rest]] != gb_levels[rest] - 1))
    return bad == 0, (f"tree consistent, {len(order)} reached" if not bad
                      else f"{bad} tree edges skip a level")


def levels_from_layers(vids: np.ndarray, layers: np.ndarray, n: int) -> np.ndarray:
    """igraph's bfs() gives visit order and layer start indices; levels with -1 unreached."""
    levels = np.full(n, -1, dtype=np.int64)
    sizes = np.diff(layers)
    levels[vids[:layers[-1]]] = np.repeat(np.arange(len(sizes)), sizes)
    return levels


def fixpoint_fraction(labels: np.ndarray, indptr: np.ndarray, indices: np.ndarray) -> float:
    """Share of nodes with neighbors whose label is one of the most frequent among them: 1.0
    at a label-propagation fixed point, whatever the update order that reached it."""
    labels = np.asarray(labels, dtype=np.int64)
    n = len(labels)
    deg = np.diff(indptr)
    rows = np.repeat(np.arange(n, dtype=np.int64), deg)
    _, dense = np.unique(labels, return_inverse=True)
    k = int(dense.max()) + 1 if n else 1
    keys = np.sort(rows * k + dense[indices])
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    counts = np.diff(np.r_[starts, len(keys)])
    owner = keys[starts] // k
    best = np.zeros(n, dtype=np.int64)
    np.maximum.at(best, owner, counts)
    own_key = np.arange(n, dtype=np.int64) * k + dense
    pos = np.searchsorted(keys[starts], own_key)
    pos = np.minimum(pos, len(starts) - 1)
    own = np.where(keys[starts][pos] == own_key, counts[pos], 0)
    active = deg > 0
    if not active.any():
        return 1.0
    return float(np.count_nonzero(own[active] == best[active]) / np.count_nonzero(active))


def fixpoint(labels: np.ndarray, indptr: np.ndarray, indices: np.ndarray,
             threshold: float = 0.99) -> Check:
    """Label propagation: different update orders give different (equally valid) partitions,
    so a peer is checked for being a fixed point rather than against graphbuild's labels."""
    frac = fixpoint_fraction(labels, indptr, indices)
    classes = len(np.unique(labels))
    return frac >= threshold, f"fixed point at {100 * frac:.2f}% of nodes, {classes} labels"
