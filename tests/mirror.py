"""numpy transliterations of the shipped .gdsl algorithms, statement by statement.

Each function below is one algorithms/*.gdsl program: its docstring is the program's body,
verbatim (a test keeps them equal), and its code follows it line for line with the language's
semantics: whole-vector statements, `repeat N until C` as a loop that breaks after a pass
where C holds, neighbor aggregations over the arcs the executor stores (an undirected edge as
two arcs, a self-loop as two arcs v->v; `nbrs` = out-arcs then in-arcs on a directed graph,
the adjacency once on an undirected one). Tests compare these against tests/reference.py,
which proves the programs' math before the pipeline can run them; run_mirror returns what a
pipeline run returns, so the same checks apply to both.

A `node` parameter is given as a node id (as on the command line); left out, it is index 0.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import NamedTuple

import numpy as np
from graphs import ZooGraph

INT_MAX = np.iinfo(np.int64).max


class Arcs(NamedTuple):
    """The arcs of one direction: arc i belongs to node v[i] and reaches neighbor u[i]."""

    v: np.ndarray
    u: np.ndarray
    w: np.ndarray  # the edge weight, 1.0 on an unweighted graph


class Frame:
    """The graph as a program sees it: the graph functions and the neighbor aggregations.

    `sum(EXPR for u in in_nbrs)` is `f.sum(IN, values)` with values = EXPR per arc of IN,
    written with IN.u for u, IN.w for weight and IN.v for the node itself.
    """

    def __init__(self, g: ZooGraph):
        src, dst, weights = g.arrays()
        src, dst = np.asarray(src, dtype=np.int64), np.asarray(dst, dtype=np.int64)
        w = np.asarray(weights, dtype=float) if weights is not None else np.ones(len(src))
        if not g.directed:
            src, dst, w = np.concatenate([src, dst]), np.concatenate([dst, src]), np.concatenate([w, w])
        self.n = g.n
        self.directed = g.directed
        self.out_nbrs = Arcs(src, dst, w)
        self.in_nbrs = Arcs(dst, src, w)
        both = Arcs(*(np.concatenate(pair) for pair in zip(self.out_nbrs, self.in_nbrs)))
        self.nbrs = both if g.directed else self.out_nbrs

    def node_count(self) -> int:
        return self.n

    def node_id(self) -> np.ndarray:
        return np.arange(self.n, dtype=np.int64)

    def fill(self, x) -> np.ndarray:
        return np.full(self.n, x)

    def out_degree(self) -> np.ndarray:
        return np.bincount(self.out_nbrs.v, minlength=self.n).astype(np.int64)

    def in_degree(self) -> np.ndarray:
        return np.bincount(self.in_nbrs.v, minlength=self.n).astype(np.int64)

    def degree(self) -> np.ndarray:
        return self.in_degree() + self.out_degree() if self.directed else self.out_degree()

    def sum(self, arcs: Arcs, values: np.ndarray) -> np.ndarray:
        out = np.zeros(self.n, dtype=values.dtype)
        np.add.at(out, arcs.v, values)
        return out

    def min(self, arcs: Arcs, values: np.ndarray) -> np.ndarray:
        out = np.full(self.n, np.inf if values.dtype.kind == "f" else INT_MAX, dtype=values.dtype)
        np.minimum.at(out, arcs.v, values)
        return out

    def argmin(self, arcs: Arcs, values: np.ndarray, keep: np.ndarray) -> np.ndarray:
        """The kept neighbor u with the smallest value (nan skipped), ties to the smallest u;
        -1 (no node) where none is kept."""
        out = np.full(self.n, -1, dtype=np.int64)
        best: dict[int, tuple] = {}
        for v, u, x, k in zip(arcs.v.tolist(), arcs.u.tolist(), values.tolist(), keep.tolist()):
            if k and x == x and (v not in best or (x, u) < best[v]):
                best[v] = (x, u)
        for v, (_, u) in best.items():
            out[v] = u
        return out

    def common(self, arcs: Arcs) -> np.ndarray:
        """common(u) per arc: the distinct nodes w other than u and v adjacent to both (0 on a
        self-loop); the executor refuses directed graphs."""
        assert not self.directed, "common() needs an undirected graph"
        adj = [set() for _ in range(self.n)]
        for v, u in zip(self.nbrs.v.tolist(), self.nbrs.u.tolist()):
            if u != v:
                adj[v].add(u)
        return np.array([len(adj[v] & adj[u]) if u != v else 0
                         for v, u in zip(arcs.v.tolist(), arcs.u.tolist())], dtype=np.int64)

    def count(self, arcs: Arcs, values: np.ndarray) -> np.ndarray:
        return np.bincount(arcs.v[values.astype(bool)], minlength=self.n).astype(np.int64)

    def any(self, arcs: Arcs, values: np.ndarray) -> np.ndarray:
        return self.count(arcs, values) > 0

    def mode(self, arcs: Arcs, values: np.ndarray, own: np.ndarray) -> np.ndarray:
        """Most frequent value per node, ties to the smallest; with no arcs, `own` (the
        language's default: EXPR evaluated with u := v)."""
        out = own.copy()
        groups: dict[int, Counter] = {}
        for v, value in zip(arcs.v.tolist(), values.tolist()):
            groups.setdefault(v, Counter())[value] += 1
        for v, counts in groups.items():
            best = max(counts.values())
            out[v] = min(x for x, c in counts.items() if c == best)
        return out


def pagerank(f: Frame, damping=0.85, tol=1e-12, max_iter=1000):
    """
    n = node_count()
    deg = out_degree()
    rank = fill(1.0 / n)
    delta = inf
    repeat max_iter until delta < n * tol:
        leaked = sum(where(deg == 0, rank, 0.0)) / n
        incoming = sum(rank[u] / deg[u] for u in in_nbrs)
        new_rank = (1.0 - damping) / n + damping * (incoming + leaked)
        delta = sum(abs(new_rank - rank))
        rank = new_rank
    return rank, delta
    """
    IN = f.in_nbrs
    n = f.node_count()
    deg = f.out_degree()
    rank = f.fill(1.0 / n)
    delta = np.inf
    for _ in range(max_iter):
        leaked = np.sum(np.where(deg == 0, rank, 0.0)) / n
        incoming = f.sum(IN, rank[IN.u] / deg[IN.u])
        new_rank = (1.0 - damping) / n + damping * (incoming + leaked)
        delta = np.sum(np.abs(new_rank - rank))
        rank = new_rank
        if delta < n * tol:
            break
    return {"rank": rank, "delta": delta}


def personalized_pagerank(f: Frame, source=0, damping=0.85, tol=1e-12, max_iter=1000):
    """
    n = node_count()
    deg = out_degree()
    at_source = node_id() == source
    rank = fill(1.0 / n)
    delta = inf
    repeat max_iter until delta < n * tol:
        leaked = sum(where(deg == 0, rank, 0.0))
        incoming = sum(rank[u] / deg[u] for u in in_nbrs)
        new_rank = damping * incoming + where(at_source, 1.0 - damping + damping * leaked, 0.0)
        delta = sum(abs(new_rank - rank))
        rank = new_rank
    return rank, delta
    """
    IN = f.in_nbrs
    n = f.node_count()
    deg = f.out_degree()
    at_source = f.node_id() == source
    rank = f.fill(1.0 / n)
    delta = np.inf
    for _ in range(max_iter):
        leaked = np.sum(np.where(deg == 0, rank, 0.0))
        incoming = f.sum(IN, rank[IN.u] / deg[IN.u])
        new_rank = damping * incoming + np.where(at_source, 1.0 - damping + damping * leaked, 0.0)
        delta = np.sum(np.abs(new_rank - rank))
        rank = new_rank
        if delta < n * tol:
            break
    return {"rank": rank, "delta": delta}


def bfs(f: Frame, source=0, cutoff=-1):
    """
    level = where(node_id() == source, 0, -1)
    frontier = node_id() == source
    depth = 0
    while any(frontier) and (cutoff < 0 or depth < cutoff):
        depth = depth + 1
        frontier = any(frontier[u] for u in in_nbrs) and level == -1
        level = where(frontier, depth, level)
    return level
    """
    IN = f.in_nbrs
    level = np.where(f.node_id() == source, 0, -1)
    frontier = f.node_id() == source
    depth = 0
    while np.any(frontier) and (cutoff < 0 or depth < cutoff):
        depth = depth + 1
        frontier = f.any(IN, frontier[IN.u]) & (level == -1)
        level = np.where(frontier, depth, level)
    return {"level": level}


def sssp(f: Frame, source=0):
    """
    dist = where(node_id() == source, 0.0, inf)
    changed = true
    while changed:
        new_dist = min(dist, min(dist[u] + weight for u in in_nbrs))
        changed = any(new_dist < dist)
        dist = new_dist
    return dist
    """
    IN = f.in_nbrs
    dist = np.where(f.node_id() == source, 0.0, np.inf)
    changed = True
    while changed:
        new_dist = np.minimum(dist, f.min(IN, dist[IN.u] + IN.w))
        changed = np.any(new_dist < dist)
        dist = new_dist
    return {"dist": dist}


def bfs_tree(f: Frame, source=0):
    """
    level = where(node_id() == source, 0, -1)
    parent = fill(no_node())
    frontier = node_id() == source
    depth = 0
    while any(frontier):
        depth = depth + 1
        frontier = any(frontier[u] for u in in_nbrs) and level == -1
        parent = where(frontier, argmin(level[u] for u in in_nbrs if level[u] >= 0), parent)
        level = where(frontier, depth, level)
    return parent, level
    """
    IN = f.in_nbrs
    level = np.where(f.node_id() == source, 0, -1)
    parent = f.fill(-1)
    frontier = f.node_id() == source
    depth = 0
    while np.any(frontier):
        depth = depth + 1
        frontier = f.any(IN, frontier[IN.u]) & (level == -1)
        parent = np.where(frontier, f.argmin(IN, level[IN.u], level[IN.u] >= 0), parent)
        level = np.where(frontier, depth, level)
    return {"parent": parent, "level": level}


def sssp_tree(f: Frame, source=0):
    """
    dist = where(node_id() == source, 0.0, inf)
    changed = true
    while changed:
        new_dist = min(dist, min(dist[u] + weight for u in in_nbrs))
        changed = any(new_dist < dist)
        dist = new_dist
    best = argmin(dist[u] + weight for u in in_nbrs if dist[u] < inf)
    pred = where(node_id() == source or dist == inf, no_node(), best)
    return pred, dist
    """
    IN = f.in_nbrs
    dist = sssp(f, source)["dist"]
    best = f.argmin(IN, dist[IN.u] + IN.w, dist[IN.u] < np.inf)
    pred = np.where((f.node_id() == source) | (dist == np.inf), -1, best)
    return {"pred": pred, "dist": dist}


def connected_components(f: Frame):
    """
    comp = node_id()
    changed = true
    while changed:
        new_comp = min(comp, min(comp[u] for u in nbrs))
        changed = any(new_comp != comp)
        comp = new_comp
    return comp
    """
    NB = f.nbrs
    comp = f.node_id()
    changed = True
    while changed:
        new_comp = np.minimum(comp, f.min(NB, comp[NB.u]))
        changed = np.any(new_comp != comp)
        comp = new_comp
    return {"comp": comp}


def label_propagation(f: Frame, max_iter=30):
    """
    label = node_id()
    repeat max_iter until stable:
        new_label = mode(label[u] for u in nbrs)
        stable = all(new_label == label)
        label = new_label
    return label
    """
    NB = f.nbrs
    label = f.node_id()
    for _ in range(max_iter):
        new_label = f.mode(NB, label[NB.u], own=label)
        stable = np.all(new_label == label)
        label = new_label
        if stable:
            break
    return {"label": label}


def degree_centrality(f: Frame):
    """
    n = node_count()
    if n > 1:
        centrality = degree() / (n - 1)
    else:
        centrality = fill(1.0)
    return centrality
    """
    n = f.node_count()
    if n > 1:
        centrality = f.degree() / (n - 1)
    else:
        centrality = f.fill(1.0)
    return {"centrality": centrality}


def k_core(f: Frame):
    """
    d = degree()
    top = max(d)
    core = fill(0)
    alive = fill(true)
    k = 0
    while any(alive):
        k = max(k, min(where(alive, d, top)))
        peel = alive and d <= k
        while any(peel):
            core = where(peel, k, core)
            alive = alive and not peel
            d = count(alive[u] for u in nbrs)
            peel = alive and d <= k
        k = k + 1
    return core
    """
    NB = f.nbrs
    d = f.degree()
    top = np.max(d)
    core = f.fill(0)
    alive = f.fill(True)
    k = 0
    while np.any(alive):
        k = max(k, np.min(np.where(alive, d, top)))
        peel = alive & (d <= k)
        while np.any(peel):
            core = np.where(peel, k, core)
            alive = alive & ~peel
            d = f.count(NB, alive[NB.u])
            peel = alive & (d <= k)
        k = k + 1
    return {"core": core}


def hits(f: Frame, max_iter=100, tol=1e-8, normalized=True):
    """
    n = node_count()
    hub = fill(1.0 / n)
    authority = fill(0.0)
    err = inf
    repeat max_iter until err < tol:
        new_authority = sum(hub[u] * weight for u in in_nbrs)
        new_hub = sum(new_authority[u] * weight for u in out_nbrs)
        new_hub = new_hub / max(new_hub)
        authority = new_authority / max(new_authority)
        err = sum(abs(new_hub - hub))
        hub = new_hub
    if normalized:
        hub = hub / sum(hub)
        authority = authority / sum(authority)
    return hub, authority, err
    """
    IN, OUT = f.in_nbrs, f.out_nbrs
    n = f.node_count()
    hub = f.fill(1.0 / n)
    authority = f.fill(0.0)
    err = np.inf
    for _ in range(max_iter):
        new_authority = f.sum(IN, hub[IN.u] * IN.w)
        new_hub = f.sum(OUT, new_authority[OUT.u] * OUT.w)
        new_hub = new_hub / np.max(new_hub)
        authority = new_authority / np.max(new_authority)
        err = np.sum(np.abs(new_hub - hub))
        hub = new_hub
        if err < tol:
            break
    if normalized:
        hub = hub / np.sum(hub)
        authority = authority / np.sum(authority)
    return {"hub": hub, "authority": authority, "err": err}


def katz(f: Frame, alpha=0.1, beta=1.0, max_iter=1000, tol=1e-12, normalized=True):
    """
    n = node_count()
    centrality = fill(0.0)
    err = inf
    repeat max_iter until err < n * tol:
        new_centrality = alpha * sum(centrality[u] for u in in_nbrs) + beta
        err = sum(abs(new_centrality - centrality))
        centrality = new_centrality
    if normalized:
        norm = sqrt(sum(centrality * centrality))
        if norm > 0.0:
            centrality = centrality / norm
    return centrality, err
    """
    IN = f.in_nbrs
    return _katz(f, lambda x: f.sum(IN, x[IN.u]), alpha, beta, max_iter, tol, normalized)


def weighted_katz(f: Frame, alpha=0.1, beta=1.0, max_iter=1000, tol=1e-12, normalized=True):
    """
    n = node_count()
    centrality = fill(0.0)
    err = inf
    repeat max_iter until err < n * tol:
        new_centrality = alpha * sum(centrality[u] * weight for u in in_nbrs) + beta
        err = sum(abs(new_centrality - centrality))
        centrality = new_centrality
    if normalized:
        norm = sqrt(sum(centrality * centrality))
        if norm > 0.0:
            centrality = centrality / norm
    return centrality, err
    """
    IN = f.in_nbrs
    return _katz(f, lambda x: f.sum(IN, x[IN.u] * IN.w), alpha, beta, max_iter, tol, normalized)


def _katz(f: Frame, incoming, alpha, beta, max_iter, tol, normalized):
    """katz and weighted_katz, which differ only in the sum over in-edges (`incoming`)."""
    n = f.node_count()
    centrality = f.fill(0.0)
    err = np.inf
    for _ in range(max_iter):
        new_centrality = alpha * incoming(centrality) + beta
        err = np.sum(np.abs(new_centrality - centrality))
        centrality = new_centrality
        if err < n * tol:
            break
    if normalized:
        norm = np.sqrt(np.sum(centrality * centrality))
        if norm > 0.0:
            centrality = centrality / norm
    return {"centrality": centrality, "err": err}


def weighted_pagerank(f: Frame, damping=0.85, tol=1e-12, max_iter=1000):
    """
    n = node_count()
    strength = sum(weight for u in out_nbrs)
    dangling = strength == 0.0
    share = where(dangling, 0.0, 1.0 / strength)
    rank = fill(1.0 / n)
    delta = inf
    repeat max_iter until delta < n * tol:
        leaked = sum(where(dangling, rank, 0.0)) / n
        incoming = sum(rank[u] * (weight * share[u]) for u in in_nbrs)
        new_rank = (1.0 - damping) / n + damping * (incoming + leaked)
        delta = sum(abs(new_rank - rank))
        rank = new_rank
    return rank, delta
    """
    IN, OUT = f.in_nbrs, f.out_nbrs
    n = f.node_count()
    strength = f.sum(OUT, OUT.w)
    dangling = strength == 0.0
    with np.errstate(divide="ignore"):
        share = np.where(dangling, 0.0, 1.0 / strength)
    rank = f.fill(1.0 / n)
    delta = np.inf
    for _ in range(max_iter):
        leaked = np.sum(np.where(dangling, rank, 0.0)) / n
        incoming = f.sum(IN, rank[IN.u] * (IN.w * share[IN.u]))
        new_rank = (1.0 - damping) / n + damping * (incoming + leaked)
        delta = np.sum(np.abs(new_rank - rank))
        rank = new_rank
        if delta < n * tol:
            break
    return {"rank": rank, "delta": delta}


def in_degree_centrality(f: Frame):
    """
    n = node_count()
    if n > 1:
        centrality = in_degree() / (n - 1)
    else:
        centrality = fill(1.0)
    return centrality
    """
    n = f.node_count()
    return {"centrality": f.in_degree() / (n - 1) if n > 1 else f.fill(1.0)}


def out_degree_centrality(f: Frame):
    """
    n = node_count()
    if n > 1:
        centrality = out_degree() / (n - 1)
    else:
        centrality = fill(1.0)
    return centrality
    """
    n = f.node_count()
    return {"centrality": f.out_degree() / (n - 1) if n > 1 else f.fill(1.0)}


def triangle_count(f: Frame):
    """
    triangles = sum(common(u) for u in nbrs) // 2
    total = sum(triangles) // 3
    return triangles, total
    """
    NB = f.nbrs
    triangles = f.sum(NB, f.common(NB)) // 2
    total = np.sum(triangles) // 3
    return {"triangles": triangles, "total": total}


def clustering(f: Frame):
    """
    twice = sum(common(u) for u in nbrs)
    d = sum(1.0 for u in nbrs if u != node_id())
    clustering = where(twice == 0, 0.0, twice / (d * (d - 1.0)))
    return clustering
    """
    NB = f.nbrs
    twice = f.sum(NB, f.common(NB))
    d = f.sum(NB, np.where(NB.u != NB.v, 1.0, 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        clustering = np.where(twice == 0, 0.0, twice / (d * (d - 1.0)))
    return {"clustering": clustering}


from mirror_sources import betweenness, betweenness_sample, closeness, harmonic  # noqa: E402  (they use Frame)

PROGRAMS = {
    "pagerank": pagerank, "personalized_pagerank": personalized_pagerank, "bfs": bfs, "sssp": sssp,
    "bfs_tree": bfs_tree, "sssp_tree": sssp_tree,
    "connected_components": connected_components, "label_propagation": label_propagation,
    "degree_centrality": degree_centrality, "k_core": k_core, "hits": hits, "katz": katz,
    "weighted_katz": weighted_katz, "weighted_pagerank": weighted_pagerank,
    "in_degree_centrality": in_degree_centrality, "out_degree_centrality": out_degree_centrality,
    "triangle_count": triangle_count, "clustering": clustering,
    "betweenness": betweenness, "betweenness_sample": betweenness_sample, "closeness": closeness,
    "harmonic": harmonic,
}
NODE_PARAMS = {"source"}
NODE_COLUMNS = {"comp", "label", "parent", "pred"}  # columns of element type node: output in input ids


def run_mirror(algorithm_file: str | Path, graph: ZooGraph, params: dict) -> dict[str, list]:
    """Run the transliteration of algorithm_file on graph: {"node": ids, column: values, ...}."""
    program = PROGRAMS[Path(algorithm_file).stem]
    args = {k: graph.index[v] if k in NODE_PARAMS else v for k, v in params.items()}
    columns = {"node": list(graph.nodes)}
    for name, vector in program(Frame(graph), **args).items():
        if np.ndim(vector) == 0:
            continue   # a summary value (delta, err): the columns are what runs are checked by
        values = vector.tolist()
        if name in NODE_COLUMNS:   # -1 is no node
            values = [graph.nodes[i] if i >= 0 else None for i in values]
        columns[name] = values
    return columns
