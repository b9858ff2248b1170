"""The test graph zoo: small graphs that exercise every corner the shipped algorithms care about.

A zoo graph is (name, directed, edges, nodes):
- edges are (u, v) or, on a weighted graph, (u, v, w) with w > 0, written in input ids;
- nodes lists every node id in the order the pipeline indexes them, so node index i is
  nodes[i]. That is the loader's order: integer ids ascending, string ids in order of first
  appearance in the edge list. Building with Graph.from_edges(n, edges, weights, directed, ids)
  uses the same order, so both routes give the same indices (ties in `mode`, the labels of
  connected_components and the default `source: node = 0` depend on it).

Isolated nodes. An edge list names only nodes that touch an edge, so a node without any edge
can exist only in a graph built from arrays with an explicit n. The zoo keeps such nodes truly
isolated (in `nodes`, in no edge): "isolated_selfloops" has two, and it is the one graph whose
edge-list file cannot be written (write_edge_list raises). Its twin "isolated_as_loops" gives
each of those nodes a self-loop instead: the form an edge list can carry, and a different graph
(a self-loop is an out-edge, so the node is no longer dangling), with its own reference results.

Multi-edges are not in the zoo (networkx's simple graphs could not represent them), and
undirected graphs have no self-loops: networkx counts an undirected self-loop once in its
adjacency matrix but twice in degree, while graphbuild stores it as two arcs, so the matrix-based
references (pagerank, hits, katz) would not describe the same graph.
"""
from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from pathlib import Path

import networkx as nx

NodeId = int | str


@dataclass(frozen=True)
class ZooGraph:
    name: str
    directed: bool
    edges: tuple[tuple, ...]
    nodes: tuple[NodeId, ...]

    @property
    def weighted(self) -> bool:
        return bool(self.edges) and len(self.edges[0]) == 3

    @property
    def n(self) -> int:
        return len(self.nodes)

    @property
    def index(self) -> dict[NodeId, int]:
        return {node: i for i, node in enumerate(self.nodes)}

    @property
    def has_self_loops(self) -> bool:
        return any(e[0] == e[1] for e in self.edges)

    @property
    def isolated(self) -> list[NodeId]:
        """Nodes in no edge at all (only an array-built graph can hold them)."""
        touched = {e[0] for e in self.edges} | {e[1] for e in self.edges}
        return [v for v in self.nodes if v not in touched]

    def arrays(self) -> tuple[list[int], list[int], list[float] | None]:
        """Edges as dense node indices (sources, targets) plus weights, None if unweighted."""
        index = self.index
        src = [index[e[0]] for e in self.edges]
        dst = [index[e[1]] for e in self.edges]
        weights = [float(e[2]) for e in self.edges] if self.weighted else None
        return src, dst, weights

    def __str__(self) -> str:
        return self.name


def to_networkx(g: ZooGraph) -> nx.Graph:
    """A networkx DiGraph or Graph with the nodes in index order and weights under "weight"."""
    graph = nx.DiGraph() if g.directed else nx.Graph()
    graph.add_nodes_from(g.nodes)
    for e in g.edges:
        if g.weighted:
            graph.add_edge(e[0], e[1], weight=float(e[2]))
        else:
            graph.add_edge(e[0], e[1])
    return graph


def write_edge_list(g: ZooGraph, directory: str | Path) -> Path:
    """Write g as `NAME.el` (or `NAME.wel` when weighted), one edge per line; return the path.

    The file does not say whether the graph is directed: load it with --undirected when
    g.directed is False.
    """
    if g.isolated:
        raise ValueError(
            f"graph {g.name!r} has nodes in no edge ({g.isolated}); an edge list cannot carry "
            "them: build it with Graph.from_edges, or use its self-loop twin for files")
    path = Path(directory) / f"{g.name}.{'wel' if g.weighted else 'el'}"
    kind = "directed" if g.directed else "undirected"
    lines = [f"# {g.name}: {kind}, {g.n} nodes, {len(g.edges)} edges"]
    lines += [" ".join(_token(x) for x in e) for e in g.edges]
    path.write_text("\n".join(lines) + "\n")
    return path


def _token(x: NodeId | float) -> str:
    # repr() round-trips floats exactly, so a file run sees the same weights as an array run.
    return repr(x) if isinstance(x, float) else str(x)


def _loader_order(edges: tuple[tuple, ...], extra: tuple[NodeId, ...] = ()) -> tuple[NodeId, ...]:
    ids = [x for e in edges for x in e[:2]] + list(extra)
    if all(isinstance(x, int) for x in ids):
        return tuple(sorted(set(ids)))
    return tuple(dict.fromkeys(ids))


def _check(g: ZooGraph) -> ZooGraph:
    """Refuse a zoo graph that breaks the rules in the module docstring."""
    seen = set()
    for e in g.edges:
        assert len(e) == (3 if g.weighted else 2), f"{g.name}: mixed weighted and unweighted edges"
        assert e[0] in g.index and e[1] in g.index, f"{g.name}: edge {e} names an unknown node"
        key = (e[0], e[1]) if g.directed else frozenset(e[:2])
        assert key not in seen, f"{g.name}: multi-edge {e}"
        seen.add(key)
        if g.weighted:
            assert e[2] > 0, f"{g.name}: weights must be positive"
    assert g.directed or not g.has_self_loops, f"{g.name}: undirected graphs have no self-loops"
    assert len(set(g.nodes)) == g.n, f"{g.name}: duplicate node ids"
    assert g.nodes == _loader_order(g.edges, tuple(g.isolated)), f"{g.name}: nodes not in loader order"
    return g


def karate() -> ZooGraph:
    """Zachary's karate club, undirected and unweighted (ids 0..33)."""
    edges = tuple(sorted((min(u, v), max(u, v)) for u, v in nx.karate_club_graph().edges()))
    return _check(ZooGraph("karate", False, edges, tuple(range(34))))


def directed_random(seed: int = 7, n: int = 40) -> ZooGraph:
    """A seeded sparse digraph, no self-loops, with dangling nodes (no out-edges).

    Ids are 3*i + 1, so an id differs from its index and a mix-up between them shows.
    """
    rng = random.Random(seed)
    ids = [3 * i + 1 for i in range(n)]
    dangling = set(rng.sample(range(n), 6))
    edges = set()
    for i in range(n):
        if i in dangling:
            continue
        for j in rng.sample([j for j in range(n) if j != i], rng.randint(1, 4)):
            edges.add((ids[i], ids[j]))
    # Every dangling node needs an in-edge, or it would be isolated and not in an edge list.
    for i in sorted(dangling):
        j = (i + 1) % n
        while j in dangling:
            j = (j + 1) % n
        edges.add((ids[j], ids[i]))
    return _check(ZooGraph("directed_random", True, tuple(sorted(edges)), tuple(ids)))


_ISOLATED_EDGES = (
    (0, 1), (1, 2), (2, 0), (2, 2), (3, 2), (3, 3), (5, 6), (6, 5), (6, 6), (7, 7), (8, 7), (9, 9),
)


def isolated_selfloops() -> ZooGraph:
    """Directed: a cycle with self-loops, a node whose only edge is a self-loop (9), a node whose
    self-loop is its only out-edge (7), and two truly isolated nodes (4 and 10)."""
    return _check(ZooGraph("isolated_selfloops", True, _ISOLATED_EDGES, tuple(range(11))))


def isolated_as_loops() -> ZooGraph:
    """isolated_selfloops with a self-loop on each isolated node, as an edge list carries them."""
    edges = _ISOLATED_EDGES + ((4, 4), (10, 10))
    return _check(ZooGraph("isolated_as_loops", True, edges, tuple(range(11))))


def weighted() -> ZooGraph:
    """Directed, positive weights, with reciprocal edges of different weights, where the
    lightest path is often not the one with the fewest hops. Weights are multiples of 1/4, so
    path lengths are exact in floating point and distances can be compared exactly."""
    edges = (
        (0, 1, 4.0), (0, 2, 1.0), (2, 1, 2.0), (1, 3, 1.0), (2, 3, 5.0), (3, 4, 3.0),
        (4, 3, 0.5), (2, 5, 8.0), (4, 5, 1.25), (5, 6, 0.75), (6, 4, 2.5), (6, 7, 1.5),
        (1, 7, 9.0), (7, 8, 0.25), (8, 9, 2.0), (9, 7, 1.0), (5, 9, 6.0), (3, 0, 7.5),
        (10, 0, 1.0), (10, 11, 3.0), (11, 10, 0.5),
    )
    return _check(ZooGraph("weighted", True, edges, tuple(range(12))))


def string_ids() -> ZooGraph:
    """Undirected friendships with string ids (indexed in order of first appearance)."""
    edges = (
        ("alice", "bob"), ("alice", "carol"), ("bob", "carol"), ("carol", "dave"),
        ("dave", "erin"), ("dave", "frank"), ("erin", "frank"), ("frank", "grace"),
        ("grace", "heidi"), ("heidi", "ivan"), ("grace", "ivan"), ("ivan", "judy"),
        ("erin", "grace"), ("bob", "dave"), ("mallory", "judy"),
    )
    return _check(ZooGraph("string_ids", False, edges, _loader_order(edges)))


def disconnected() -> ZooGraph:
    """Undirected, six components: a single edge, a path, a triangle with a tail, a star, and
    two identical 4-cliques with a pendant. The identical components carry the top singular
    value twice, where HITS depends on its starting vector; the lone edge keeps synchronous
    label propagation from ever settling (its ends swap labels each pass)."""
    edges = (
        (0, 1),
        (2, 3), (3, 4), (4, 5),
        (6, 7), (7, 8), (6, 8), (8, 9),
        (10, 11), (10, 12), (10, 13), (10, 14),
        (15, 16), (15, 17), (15, 18), (16, 17), (16, 18), (17, 18), (18, 19),
        (20, 21), (20, 22), (20, 23), (21, 22), (21, 23), (22, 23), (23, 24),
    )
    return _check(ZooGraph("disconnected", False, edges, tuple(range(25))))


def ring_of_cliques(cliques: int = 4, size: int = 5) -> ZooGraph:
    """Undirected: `cliques` complete graphs of `size` nodes, each joined to the next by one
    edge. Synchronous label propagation settles here on one label per clique."""
    edges = []
    for c in range(cliques):
        first = c * size
        edges += itertools.combinations(range(first, first + size), 2)
        edges.append((first + size - 1, (first + size) % (cliques * size)))
    edges = tuple(sorted((min(u, v), max(u, v)) for u, v in edges))
    return _check(ZooGraph("ring_of_cliques", False, edges, tuple(range(cliques * size))))


ZOO: tuple[ZooGraph, ...] = (
    karate(), directed_random(), isolated_selfloops(), isolated_as_loops(), weighted(), string_ids(),
    disconnected(), ring_of_cliques(),
)
BY_NAME: dict[str, ZooGraph] = {g.name: g for g in ZOO}
