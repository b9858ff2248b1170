"""Independent reference results for the shipped algorithms, from networkx and scipy.

Each function takes a zoo graph (tests/graphs.py) and returns a dict keyed by input node id
(or, for components, a partition). None of them shares code with graphbuild or with
tests/mirror.py: they are computed the way networkx and scipy define the quantity, with
tolerances far tighter than the ones the tests compare at, so that a test failure means the
algorithm is wrong rather than the reference being loose.
"""
from __future__ import annotations

import random
from collections import Counter

import networkx as nx
import numpy as np
import scipy.linalg
import scipy.sparse
import scipy.sparse.csgraph
from graphs import NodeId, ZooGraph, to_networkx

from graphbuild.plan.sources import sample_sources

# networkx stops a power iteration when the L1 change is below n * tol; 1e-13 is a few hundred
# ulps of a probability vector, so its answer is within ~1e-12 of the exact fixed point.
_TIGHT_TOL = 1e-13


def pagerank(g: ZooGraph, damping: float = 0.85) -> dict[NodeId, float]:
    # weight=None: the shipped pagerank counts edges, as in LANGUAGE.md.
    return nx.pagerank(to_networkx(g), alpha=damping, weight=None, tol=_TIGHT_TOL, max_iter=100_000)


def personalized_pagerank(g: ZooGraph, source: NodeId, damping: float = 0.85) -> dict[NodeId, float]:
    # networkx sends dangling mass to the personalization vector when `dangling` is not given.
    return nx.pagerank(to_networkx(g), alpha=damping, personalization={source: 1.0}, weight=None,
                       tol=_TIGHT_TOL, max_iter=100_000)


def weighted_pagerank(g: ZooGraph, damping: float = 0.85) -> dict[NodeId, float]:
    # weight="weight": each row of the transition matrix divided by its weight sum (1.0 per edge
    # on an unweighted graph).
    return nx.pagerank(to_networkx(g), alpha=damping, weight="weight", tol=_TIGHT_TOL, max_iter=100_000)


def bfs_levels(g: ZooGraph, source: NodeId, cutoff: int | None = None) -> dict[NodeId, int]:
    """Hop counts along edge directions; -1 where unreachable (within cutoff hops)."""
    levels = nx.single_source_shortest_path_length(to_networkx(g), source, cutoff=cutoff)
    return {v: levels.get(v, -1) for v in g.nodes}


def sssp(g: ZooGraph, source: NodeId) -> dict[NodeId, float]:
    """Dijkstra distances with scipy (weights 1.0 on an unweighted graph); inf where unreachable."""
    src, dst, weights = g.arrays()
    data = np.asarray(weights if weights is not None else [1.0] * len(src), dtype=float)
    matrix = scipy.sparse.csr_array((data, (src, dst)), shape=(g.n, g.n))
    dist = scipy.sparse.csgraph.dijkstra(matrix, directed=g.directed, indices=g.index[source])
    return dict(zip(g.nodes, map(float, dist)))


def bfs_predecessors(g: ZooGraph, source: NodeId) -> dict[NodeId, list[NodeId]]:
    """Every valid BFS parent of each reached node (nx.predecessor): the in-neighbors one
    level up; [] at the source."""
    return nx.predecessor(to_networkx(g), source)


def sssp_predecessors(g: ZooGraph, source: NodeId) -> tuple[dict[NodeId, list[NodeId]], dict]:
    """Every predecessor on a shortest weighted path, and the distances, from networkx's
    Dijkstra; unreachable nodes are in neither."""
    return nx.dijkstra_predecessor_and_distance(to_networkx(g), source)


def components(g: ZooGraph) -> set[frozenset[NodeId]]:
    """Connected components, weakly connected on a directed graph, as a set of node sets."""
    graph = to_networkx(g)
    parts = nx.weakly_connected_components(graph) if g.directed else nx.connected_components(graph)
    return {frozenset(p) for p in parts}


def degree_centrality(g: ZooGraph, direction: str = "") -> dict[NodeId, float]:
    """direction "in" or "out": nx.in_degree_centrality / out_degree_centrality of a directed
    graph; on an undirected one every edge counts both ways, which is degree centrality."""
    graph = to_networkx(g)
    if direction and g.directed:
        return getattr(nx, f"{direction}_degree_centrality")(graph)
    return nx.degree_centrality(graph)


def triangles(g: ZooGraph) -> dict[NodeId, int]:
    """Triangles per node (undirected; self-loops close none)."""
    return nx.triangles(to_networkx(g))


def clustering(g: ZooGraph) -> dict[NodeId, float]:
    return nx.clustering(to_networkx(g))


def core_number(g: ZooGraph) -> dict[NodeId, int]:
    """Core numbers; networkx counts in + out neighbors on a directed graph."""
    return nx.core_number(to_networkx(g))


def katz(g: ZooGraph, alpha: float = 0.1, beta: float = 1.0,
         weight: str | None = None) -> dict[NodeId, float]:
    """Katz centrality by a direct linear solve of (I - alpha A^T) x = beta, L2-normalized;
    A counts edges, or with weight="weight" holds their weights."""
    return nx.katz_centrality_numpy(to_networkx(g), alpha=alpha, beta=beta, normalized=True, weight=weight)


def hits(g: ZooGraph) -> tuple[dict[NodeId, float], dict[NodeId, float]]:
    """Hubs and authorities, each normalized to sum 1, on the weighted adjacency matrix A.

    When the top singular value of A is simple this is nx.hits (a sparse SVD). When it is
    repeated (e.g. two identical components) HITS is not unique: the power iteration from
    networkx's uniform start converges to the projection of that start onto the top eigenspace
    of A A^T, which is computed here from a dense symmetric eigendecomposition instead.
    """
    graph = to_networkx(g)
    a_dense = nx.to_numpy_array(graph, nodelist=list(g.nodes), weight="weight")
    sigma = scipy.linalg.svdvals(a_dense)
    if len(sigma) < 2 or sigma[1] < sigma[0] * (1 - 1e-6):
        return nx.hits(graph, max_iter=10_000, tol=1e-14)
    eigval, eigvec = scipy.linalg.eigh(a_dense @ a_dense.T)
    top = eigvec[:, eigval >= eigval[-1] * (1 - 1e-9)]
    hub = top @ (top.T @ np.full(g.n, 1.0 / g.n))
    authority = a_dense.T @ hub
    hub, authority = hub / hub.sum(), authority / authority.sum()
    return dict(zip(g.nodes, map(float, hub))), dict(zip(g.nodes, map(float, authority)))


def neighbor_multiset(g: ZooGraph) -> dict[NodeId, list[NodeId]]:
    """Every node's neighbors, once per edge: predecessors then successors on a directed graph
    (a reciprocal pair counts twice, a self-loop twice), the adjacency on an undirected one."""
    graph = to_networkx(g)
    if g.directed:
        return {v: list(graph.predecessors(v)) + list(graph.successors(v)) for v in g.nodes}
    return {v: list(graph.neighbors(v)) for v in g.nodes}


def _mode(values: list[NodeId], order: dict[NodeId, int]) -> NodeId:
    counts = Counter(values)
    best = max(counts.values())
    return min((x for x, c in counts.items() if c == best), key=order.__getitem__)


def label_propagation(g: ZooGraph, max_iter: int = 30) -> tuple[dict[NodeId, NodeId], bool]:
    """Synchronous label propagation, ties to the smallest label (by node index); labels are
    node ids. Returns the labels and whether they became stable within max_iter passes."""
    nbrs = neighbor_multiset(g)
    label = {v: v for v in g.nodes}
    for _ in range(max_iter):
        new = {v: _mode([label[u] for u in nbrs[v]], g.index) if nbrs[v] else label[v] for v in g.nodes}
        stable = new == label
        label = new
        if stable:
            return label, True
    return label, False


def unstable_nodes(g: ZooGraph, label: dict[NodeId, NodeId]) -> list[NodeId]:
    """Nodes whose label is not the most frequent label among their neighbors (ties to the
    smallest label by node index), or, without neighbors, not their own: the defining
    property of a label propagation fixed point. Empty at convergence."""
    nbrs = neighbor_multiset(g)
    return [v for v in g.nodes
            if label[v] != (_mode([label[u] for u in nbrs[v]], g.index) if nbrs[v] else v)]


class _Picks(random.Random):
    """A seed object whose sample() returns given nodes: networkx's own sampled path and
    scaling, over the sources graphbuild's sample(k, seed) picks (plan/sources.py)."""

    def __init__(self, picks: list[NodeId]):
        super().__init__(0)
        self.picks = picks

    def sample(self, population, k):
        assert k == len(self.picks) and set(self.picks) <= set(population)
        return list(self.picks)


def source_centrality(g: ZooGraph, algorithm: str, params: dict) -> dict[NodeId, float]:
    """networkx's betweenness (exact or sampled), closeness or harmonic centrality, unweighted."""
    G = to_networkx(g)
    if algorithm == "closeness":
        return nx.closeness_centrality(G, wf_improved=params.get("wf_improved", True))
    if algorithm == "harmonic":
        return nx.harmonic_centrality(G)
    if algorithm == "betweenness":
        return nx.betweenness_centrality(G, normalized=True)
    k = min(params["k"], g.n)
    picks = [g.nodes[i] for i in sample_sources(g.n, k, params["seed"])]
    return nx.betweenness_centrality(G, k=k, normalized=True, seed=_Picks(picks))
