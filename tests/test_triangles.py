"""common(u), the intersect shape, triangle_count and clustering (issue 12, two hops).

- triangle_count and clustering match nx.triangles / nx.clustering on every undirected zoo
  graph and on undirected views of the directed ones (self-loops, isolated nodes, string ids,
  disconnected), with -O0, -O1 (the intersect shape) and -O1 claiming generic shapes
  (per-edge common micro-ops on the sorted adjacency) giving the same bits for 1 to 16
  threads;
- larger skewed and flat random graphs take both orientations of the triangle pass (degree
  order, node order) and still match networkx bit for bit across plans and thread counts;
- a multigraph makes the intersect shape fall back to the per-edge loop (same bits as -O0,
  and the per-edge definition computed here);
- common(u) inside other expressions (a filter, arithmetic) runs the generic path correctly;
- a directed graph is refused with the program's location; a plan claiming intersect for
  other micro-ops is refused.
"""
from __future__ import annotations

import pathlib
import random
import struct

import networkx as nx
import pytest
from graphs import ZOO, ZooGraph, to_networkx

from graphbuild import runtime
from graphbuild.api import compile_file, compile_text
from graphbuild.errors import ErrorKind, GraphbuildError

ALGORITHMS = pathlib.Path(__file__).resolve().parent.parent / "algorithms"
THREADS = (1, 2, 3, 16)


def undirected(g: ZooGraph) -> ZooGraph:
    """g with its edges as undirected ones, each pair once (self-loops kept), weights dropped."""
    seen, edges = set(), []
    for e in g.edges:
        key = frozenset(e[:2])
        if key not in seen:
            seen.add(key)
            edges.append(tuple(e[:2]))
    name = g.name if not g.directed else g.name + "_undirected"
    return ZooGraph(name, False, tuple(edges), g.nodes)


GRAPHS = [undirected(g) for g in ZOO]


def build(g: ZooGraph) -> runtime.Graph:
    src, dst, _ = g.arrays()
    return runtime.Graph.from_edges(g.n, list(zip(src, dst)), None, False, list(g.nodes))


def generic(plan):
    """plan with every edge kernel claiming the generic shape (a weaker claim is always
    allowed): common(u) then runs per edge lane on the sorted adjacency."""
    for k in plan.kernels:
        if k.domain == "edge":
            k.shape = "generic"
    return plan


def plans(name: str):
    """-O0, -O1, and -O1 claiming generic shapes."""
    path = ALGORITHMS / f"{name}.gdsl"
    return [compile_file(path, opt_level=0).plan, compile_file(path).plan,
            generic(compile_text(path.read_text(), str(path)).plan)]


def bits(result) -> dict:
    def key(x):
        return struct.pack("<d", x) if isinstance(x, float) else x
    out = {name: [key(x) for x in col] for name, col in result.columns.items()}
    out.update({f"value:{k}": key(v) for k, v in result.values.items()})
    return out


def runs(name: str, graph: runtime.Graph) -> dict:
    """Every plan and thread count gives the same bits; returns them."""
    results = [bits(runtime.execute(plan, graph, {}, threads=t)) for plan in plans(name) for t in THREADS]
    for other in results[1:]:
        assert other == results[0], name
    return results[0]


def test_the_shapes_claimed():
    o0, o1, _ = plans("triangle_count")
    assert [k.shape for k in o1.kernels if k.domain == "edge"] == ["intersect"]
    assert [k.shape for k in o0.kernels if k.domain == "edge"] == ["intersect"]
    assert [(k.agg, k.shape) for k in plans("clustering")[1].kernels if k.domain == "edge"] == [
        ("sum", "intersect"), ("sum", "generic")]


@pytest.mark.parametrize("g", GRAPHS, ids=lambda g: g.name)
def test_triangles_and_clustering_match_networkx(g: ZooGraph):
    G = to_networkx(g)
    got = runs("triangle_count", build(g))
    assert dict(zip(got["node"], got["triangles"])) == nx.triangles(G)
    assert got["value:total"] == sum(nx.triangles(G).values()) // 3
    got = runs("clustering", build(g))
    want = {v: struct.pack("<d", float(c)) for v, c in nx.clustering(G).items()}
    assert dict(zip(got["node"], got["clustering"])) == want


def _random(n: int, m: int, skew: float, seed: int) -> tuple[int, list[tuple[int, int]]]:
    rng = random.Random(seed)
    edges = set()
    while len(edges) < m:
        u, v = int(n * rng.random() ** skew), rng.randrange(n)
        if u != v:
            edges.add((min(u, v), max(u, v)))
    return n, sorted(edges)


@pytest.mark.parametrize("n,m,skew", [(3000, 30000, 3.0), (2000, 8000, 1.0), (400, 6000, 1.0)],
                         ids=["skewed_degree_order", "flat_sparse_node_order", "flat_dense_node_order"])
def test_larger_graphs_in_either_orientation(n, m, skew):
    n, edges = _random(n, m, skew, seed=n + m)
    graph = runtime.Graph.from_edges(n, edges, None, False)
    G = nx.Graph(edges)
    G.add_nodes_from(range(n))
    got, want = runs("triangle_count", graph), nx.triangles(G)
    assert got["triangles"] == [want[v] for v in range(n)]
    got, want = runs("clustering", graph), nx.clustering(G)
    assert got["clustering"] == [struct.pack("<d", float(want[v])) for v in range(n)]


def _per_edge_common(n: int, edges: list[tuple[int, int]]) -> list[int]:
    """sum(common(u) for u in nbrs) by its definition: per arc v-u (u != v), the distinct
    nodes w other than u and v adjacent to both."""
    adj = [set() for _ in range(n)]
    for u, v in edges:
        adj[u].add(v)
        adj[v].add(u)
    out = [0] * n
    for u, v in edges:
        if u != v:
            c = len((adj[u] & adj[v]) - {u, v})
            out[u] += c
            out[v] += c
    return out


def test_a_multigraph_runs_the_per_edge_sum():
    edges = [(0, 1), (1, 2), (2, 0), (0, 1), (2, 3), (3, 0), (3, 3), (1, 3), (1, 3)]
    graph = runtime.Graph.from_edges(5, edges, None, False)
    prog = compile_text("algorithm t():\n    s = sum(common(u) for u in nbrs)\n    return s\n", "t.gdsl")
    o0 = generic(compile_text("algorithm t():\n    s = sum(common(u) for u in nbrs)\n    return s\n",
                              "t.gdsl", opt_level=0).plan)
    assert [k.shape for k in prog.plan.kernels if k.domain == "edge"] == ["intersect"]
    for t in THREADS:
        got = runtime.execute(prog.plan, graph, {}, threads=t).columns["s"]
        assert got == runtime.execute(o0, graph, {}, threads=t).columns["s"]
        assert got == _per_edge_common(5, edges)


def test_common_in_a_filtered_expression_runs_the_generic_loop():
    source = ("algorithm t():\n"
              "    below = sum(common(u) * 10 + 1 for u in nbrs if u < node_id())\n"
              "    most = max(common(u) for u in nbrs, default=-1)\n"
              "    return below, most\n")
    n, edges = _random(300, 2500, 2.0, seed=5)
    graph = runtime.Graph.from_edges(n, edges, None, False)
    adj = [set() for _ in range(n)]
    for u, v in edges:
        adj[u].add(v)
        adj[v].add(u)
    want_below = [sum(len(adj[v] & adj[u]) * 10 + 1 for u in adj[v] if u < v) for v in range(n)]
    want_most = [max((len(adj[v] & adj[u]) for u in adj[v]), default=-1) for v in range(n)]
    for opt in (0, 1):
        plan = compile_text(source, "t.gdsl", opt_level=opt).plan
        assert "intersect" not in [k.shape for k in plan.kernels]
        for t in (1, 3):
            cols = runtime.execute(plan, graph, {}, threads=t).columns
            assert cols["below"] == want_below and cols["most"] == want_most


def test_a_directed_graph_is_refused_with_the_programs_location():
    g = next(g for g in ZOO if g.directed)
    src, dst, _ = g.arrays()
    graph = runtime.Graph.from_edges(g.n, list(zip(src, dst)), None, True, list(g.nodes))
    for name in ("triangle_count", "clustering"):
        with pytest.raises(GraphbuildError) as err:
            runtime.execute(plans(name)[1], graph, {})
        assert "common() needs an undirected graph" in str(err.value)
        assert f"{name}.gdsl:" in str(err.value) and "^" in str(err.value)


def test_an_intersect_claim_on_other_micro_ops_is_refused():
    plan = compile_file(ALGORITHMS / "pagerank.gdsl").plan
    next(k for k in plan.kernels if k.domain == "edge" and k.agg == "sum").shape = "intersect"
    with pytest.raises(GraphbuildError) as err:
        runtime.execute(plan, build(GRAPHS[0]), {})
    assert err.value.kind is ErrorKind.PROGRAM
    assert "invalid plan" in str(err.value) and "claims shape intersect" in str(err.value)


def test_memory_accounts_for_the_sorted_adjacency():
    from graphbuild.profile import model
    nodes, edges = 1 << 16, 1 << 20
    fast = model.common_bytes(plans("triangle_count")[1], nodes, edges, threads=2)
    slow = model.common_bytes(plans("triangle_count")[2], nodes, edges, threads=2)
    assert fast >= 4 * edges + 16 * nodes     # the oriented copy: each edge once, int32
    assert slow >= 8 * edges + 16 * nodes     # every arc
    assert model.common_bytes(compile_file(ALGORITHMS / "pagerank.gdsl").plan, nodes, edges, 2) == 0
    run = model.run_bytes(plans("triangle_count")[1], nodes, 2, edges=edges, results=False)
    assert run - model.run_bytes(plans("triangle_count")[1], nodes, 2, edges=0, results=False) >= 4 * edges


def test_the_networkx_backend_functions():
    """nx.triangles / nx.clustering as the backend runs them (called directly: the tests do
    not install the backend's entry point)."""
    from graphbuild.nx_backend import interface
    for g in GRAPHS:
        G = to_networkx(g)
        B = interface.convert_from_nx(G)
        assert interface.triangles(B) == nx.triangles(G)
        assert interface.clustering(B) == nx.clustering(G)
        node = g.nodes[0]
        assert interface.triangles(B, node) == nx.triangles(G, node)
        assert interface.clustering(B, [node, "not a node"]) == nx.clustering(G, [node, "not a node"])
    D = nx.DiGraph([(0, 1), (1, 2), (2, 0)])
    assert "directed" in interface.can_run("clustering", (D,), {})
    assert "weighted" in interface.can_run("clustering", (nx.Graph(), None, "weight"), {})
