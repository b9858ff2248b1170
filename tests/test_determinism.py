"""Results do not depend on the thread count: every shipped algorithm (algorithms/*.gdsl) on the
test zoo and on larger random graphs, run with 1, 2, 3 and 8 threads, gives the same bytes.

Floats are compared by their IEEE bits (struct.pack), so even a changed last bit, a -0.0 for a
0.0 or a different NaN fails. The larger graphs have tens of thousands of nodes and edges with
hubs and empty neighborhoods, so the executor really cuts their kernels into several work items
(it keeps graphs smaller than a few work items on one thread); tests/c/test_parallel.c covers
the finer cuts.
"""
from __future__ import annotations

import random
import struct
from pathlib import Path

import pytest
from graphs import ZOO, ZooGraph

from graphbuild.api import compile_file
from graphbuild.errors import GraphbuildError
from graphbuild.runtime import Executable, Graph

ALGORITHMS = sorted((Path(__file__).resolve().parents[1] / "algorithms").glob("*.gdsl"))
THREADS = (1, 2, 3, 8)
UNDIRECTED_ONLY = {"triangle_count", "clustering"}   # common(u) refuses a directed graph


def _zoo_graph(g: ZooGraph) -> Graph:
    src, dst, weights = g.arrays()
    return Graph.from_edges(g.n, list(zip(src, dst)), weights, g.directed, list(g.nodes))


def _random_graph(directed: bool, n: int = 35_000, m: int = 50_000, seed: int = 2024) -> Graph:
    """Skewed degrees (a few hubs, node 0 the largest, so default sources reach far), a tail of
    nodes with no edges, positive weights with ties."""
    rng = random.Random(seed)
    live = n - n // 8
    edges, weights = [], []
    for i in range(m):
        u = int(live * rng.random() ** 2)  # low indices are hubs
        v = 0 if i % 11 == 0 else rng.randrange(live)
        edges.append((u, v))
        weights.append(float(rng.randint(1, 20)) / 4.0)
    return Graph.from_edges(n, edges, weights, directed)


GRAPHS = [pytest.param(g, id=g.name) for g in ZOO] + [
    pytest.param("random_directed", id="random_directed_50k"),
    pytest.param("random_undirected", id="random_undirected_50k"),
]
_BUILT: dict[str, Graph] = {}
# A loop over every source costs a traversal per node: those run on the zoo only (the sampled
# betweenness, a loop over 64 sources, covers the large graphs).
EVERY_SOURCE = {"betweenness", "closeness", "harmonic"}
CASES = [pytest.param(path.stem, g.values[0], id=f"{g.id}-{path.stem}") for path in ALGORITHMS
         for g in GRAPHS if not (path.stem in EVERY_SOURCE and isinstance(g.values[0], str))]


def _graph(g: ZooGraph | str) -> Graph:
    key = g if isinstance(g, str) else g.name
    if key not in _BUILT:
        _BUILT[key] = _random_graph(g == "random_directed") if isinstance(g, str) else _zoo_graph(g)
    return _BUILT[key]


def _fingerprint(result) -> dict[str, list]:
    """Every column and summary value, floats as their 8 bytes."""
    def key(value):
        return struct.pack("<d", value) if isinstance(value, float) else value
    out = {name: [key(v) for v in column] for name, column in result.columns.items()}
    out.update({f"value:{name}": [key(v)] for name, v in result.values.items()})
    return out


@pytest.fixture(scope="module")
def executables() -> dict[str, Executable]:
    return {path.stem: Executable(compile_file(path).plan) for path in ALGORITHMS}


def test_every_algorithm_is_covered(executables) -> None:
    assert len(executables) >= 10
    assert {"pagerank", "bfs", "sssp", "label_propagation"} <= set(executables)


@pytest.mark.parametrize("algorithm, g", CASES)
def test_same_bytes_for_every_thread_count(executables, algorithm: str, g) -> None:
    graph = _graph(g)
    ex = executables[algorithm]
    if algorithm in UNDIRECTED_ONLY and graph.directed:
        with pytest.raises(GraphbuildError, match="common\\(\\) needs an undirected graph"):
            ex.run(graph, threads=2)
        return
    first = _fingerprint(ex.run(graph, threads=THREADS[0]))
    assert len(first["node"]) == graph.node_count
    for threads in THREADS[1:]:
        again = _fingerprint(ex.run(graph, threads=threads))
        for name in first:
            assert again[name] == first[name], f"{algorithm}: column {name} differs with {threads} threads"


@pytest.mark.parametrize("algorithm, g", CASES)
def test_incremental_passes_give_the_bytes_of_full_passes(executables, algorithm: str, g) -> None:
    """csrc/exec/incremental.c recomputes only the nodes next to a changed input; every node
    recomputed in full instead must give the same bytes."""
    graph = _graph(g)
    ex = executables[algorithm]
    if algorithm in UNDIRECTED_ONLY and graph.directed:
        return   # refused: see test_same_bytes_for_every_thread_count
    full = _fingerprint(ex.run(graph, threads=2, full_passes=True))
    for threads in (1, 2):
        assert _fingerprint(ex.run(graph, threads=threads)) == full, f"{algorithm} with {threads} threads"


def test_the_selective_loops_run_incrementally(executables) -> None:
    incremental = {name for name, ex in executables.items() if ex.incremental_bytes(1000) > 0}
    assert {"bfs", "sssp", "connected_components", "label_propagation", "k_core"} <= incremental
    assert "pagerank" not in incremental and "katz" not in incremental   # sums change everywhere
