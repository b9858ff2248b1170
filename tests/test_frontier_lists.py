"""Frontier lists with push/pull switching (graphbuild/plan/frontier.py, csrc/exec/frontier.c).

- BFS's step claims them; its levels are bitwise those of -O0 plans, of plans built with
  `PlanOptions(frontier=False)` and of the same plan with the claim taken off, for 1 to 16
  threads, and networkx's, on graphs whose frontiers grow past the switch to bottom-up
  passes and shrink back to top-down ones;
- a node kernel whose stores do not fold to immediates or registers at a claimed node still
  runs (on the claimed nodes' blocks) with the same bits;
- loop reports count top-down passes as push and bottom-up ones as demand (pull);
- a crafted plan claiming lists where the kernel, its FUSED pair or its loop does not allow
  them is refused.
"""
from __future__ import annotations

import copy

import networkx as nx
import pytest

from graphbuild import runtime
from graphbuild.compiler import compile_source
from graphbuild.errors import ErrorKind, GraphbuildError
from test_plan_claims import ALGORITHMS, compiled, dense_graph, kron_graph

# bfs with a node kernel that stores degree() at claimed nodes: no folded stores
UNFOLDED = """
algorithm bfs_deg(source: node = 0):
    level = where(node_id() == source, 0, -1)
    seen = fill(0)
    frontier = node_id() == source
    depth = 0
    while any(frontier):
        depth = depth + 1
        frontier = any(frontier[u] for u in in_nbrs) and level == -1
        level = where(frontier, depth, level)
        seen = where(frontier, degree() + depth, seen)
    return level, seen
"""


def _edges(g_edges, directed):
    graph = nx.DiGraph() if directed else nx.Graph()
    graph.add_edges_from(g_edges)
    return graph


def _graphs():
    """(name, runtime graph, networkx graph, n) with frontiers that switch direction."""
    out = []
    for directed in (False, True):
        n = 9000
        edges = [(v, (v * k + 3) % n) for v in range(n) for k in (1, 2, 7, 31) if v % (k + 2)]
        out.append((f"kron-{directed}", kron_graph(directed, n), _edges(edges, directed), n))
    x, edges, n = 12345, [], 5000
    for v in range(n):
        for _ in range(8):
            x = (x * 6364136223846793005 + 1442695040888963407) % 2**64
            edges.append((v, (x >> 33) % n))
    out.append(("dense", dense_graph(), _edges(edges, False), n))
    return out


GRAPHS = _graphs()


def _listless(plan):
    plan = copy.deepcopy(plan)
    for k in plan.kernels:
        k.frontier_list = False
    return plan


def _o0(name: str):
    path = ALGORITHMS / f"{name}.gdsl"
    return compile_source(path.read_text(), str(path), None, 0)


def test_bfs_claims_frontier_lists_and_bfs_tree_does_not():
    plan = compiled("bfs")
    assert [k.frontier_list for k in plan.kernels if k.domain == "edge"] == [True]
    assert [lp["active_set"] for lp in plan.stats["loops"]] == ["list"]
    assert not any(k.frontier_list for k in compiled("bfs", frontier=False).kernels)
    assert not any(k.frontier_list for k in _o0("bfs").kernels)
    # bfs_tree's parents are an argmin pulled beside the step: no list claim, same bits
    assert not any(k.frontier_list for k in compiled("bfs_tree").kernels)


@pytest.mark.parametrize("threads", [1, 2, 3, 16])
@pytest.mark.parametrize("graph", GRAPHS, ids=[g[0] for g in GRAPHS])
def test_bfs_with_lists_matches_every_other_plan_and_networkx(graph, threads):
    _name, g, ref, n = graph
    plans = [compiled("bfs"), _listless(compiled("bfs")), compiled("bfs", frontier=False), _o0("bfs")]
    for source in (1, n // 2):
        runs = [runtime.execute(p, g, {"source": source}, threads=threads) for p in plans]
        for other in runs[1:]:
            assert repr(runs[0].columns["level"]) == repr(other.columns["level"])
        want = nx.single_source_shortest_path_length(ref, source)
        assert runs[0].columns["level"] == [want.get(v, -1) for v in range(n)]
        passes = runs[0].loops[0]["edge_passes"]
        assert passes["push"] + passes["pull"] == runs[0].loops[0]["passes"], passes


@pytest.mark.parametrize("threads", [1, 2])
def test_passes_switch_from_push_to_pull_and_back(threads):
    g = kron_graph(False, 9000)
    on = runtime.execute(compiled("bfs"), g, {"source": 1}, threads=threads).loops[0]
    assert on["edge_passes"]["push"] > 0 and on["edge_passes"]["demand"] > 0, on
    assert on["edge_passes"]["dense"] == on["edge_passes"]["sparse"] == 0, on
    off = runtime.execute(_listless(compiled("bfs")), g, {"source": 1}, threads=threads).loops[0]
    assert off["passes"] == on["passes"] and off["edge_passes"]["push"] == 0


@pytest.mark.parametrize("cutoff", [0, 1, 2, 3])
def test_bfs_cutoff_with_lists(cutoff):
    g = kron_graph(True, 9000)
    on = runtime.execute(compiled("bfs"), g, {"source": 1, "cutoff": cutoff}, threads=2)
    off = runtime.execute(compiled("bfs", frontier=False), g, {"source": 1, "cutoff": cutoff})
    assert repr(on.columns["level"]) == repr(off.columns["level"])


@pytest.mark.parametrize("threads", [1, 3])
def test_an_unfolded_node_kernel_runs_on_the_claimed_blocks(threads):
    plan = compile_source(UNFOLDED, "bfs_deg.gdsl", None, 1)
    assert [k.frontier_list for k in plan.kernels if k.domain == "edge"] == [True]
    off = _listless(plan)
    for _name, g, _ref, _n in GRAPHS:
        a = runtime.execute(plan, g, {"source": 1}, threads=threads)
        b = runtime.execute(off, g, {"source": 1}, threads=threads)
        assert a.loops[0]["edge_passes"]["push"] > 0
        for col in a.columns:
            assert repr(a.columns[col]) == repr(b.columns[col]), col


def _refused(plan, what: str) -> None:
    with pytest.raises(GraphbuildError) as err:
        runtime.execute(plan, kron_graph())
    assert err.value.kind is ErrorKind.PROGRAM
    assert "invalid plan" in str(err.value) and what in str(err.value), str(err.value)


def test_a_frontier_list_claim_the_plan_does_not_allow_is_refused():
    plan = compiled("sssp")   # no demand: a min is not BFS's any
    next(k for k in plan.kernels if k.domain == "edge").frontier_list = True
    _refused(plan, "claims frontier lists, which it does not allow")
    plan = compiled("bfs", frontier=False)   # not incremental
    edge = next(k for k in plan.kernels if k.domain == "edge")
    edge.demand_slot, edge.demand_value = plan.outputs[0].index, -1
    edge.frontier_list = True
    _refused(plan, "claims frontier lists, which it does not allow")
    plan = compiled("bfs")   # the node kernel's active set is no longer E
    next(k for k in plan.kernels if k.domain == "node" and k.active_slot >= 0
         and any(m.op == "store" for m in k.micro)).active_slot = -1
    _refused(plan, "which its FUSED pair or loop does not allow")


def test_a_frontier_list_claim_in_a_loop_that_rewrites_the_frontier_is_refused():
    plan = compiled("bfs")
    swap = next(ins for ins in plan.code if ins.op == "swap_v")
    swap.op = "copy_v"   # X = E each pass: no swap, so X's list would not follow
    _refused(plan, "which its FUSED pair or loop does not allow")


def test_a_step_that_filters_its_frontier_keeps_only_the_nodes_it_stores_true():
    src = """
algorithm bfs_filtered(source: node = 0):
    level = where(node_id() == source, 0, -1)
    frontier = node_id() == source
    depth = 0
    while any(frontier):
        depth = depth + 1
        frontier = any(frontier[u] for u in in_nbrs) and level == -1
        level = where(frontier, depth, level)
        frontier = frontier and degree() > 4
    return level
"""
    plan = compile_source(src, "bfs_filtered.gdsl", None, 1)
    assert [k.frontier_list for k in plan.kernels if k.domain == "edge"] == [True]
    for _name, g, _ref, _n in GRAPHS:
        for threads in (1, 2):
            a = runtime.execute(plan, g, {"source": 1}, threads=threads)
            b = runtime.execute(_listless(plan), g, {"source": 1}, threads=threads)
            assert repr(a.columns["level"]) == repr(b.columns["level"])


# count(frontier) over the listed frontier (bfs has any): results from the list's length
COUNTING = """
algorithm bfs_counting(source: node = 0):
    level = where(node_id() == source, 0, -1)
    frontier = node_id() == source
    depth = 0
    while count(frontier) > 0:
        depth = depth + 1
        frontier = any(frontier[u] for u in in_nbrs) and level == -1
        level = where(frontier, depth, level)
    return level, depth
"""


def _sized(plan) -> list[int]:
    return [i for i, k in enumerate(plan.kernels) if k.shape == "active_size"]


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_any_or_count_of_the_listed_frontier_comes_from_its_length(threads):
    plan = compile_source(COUNTING, "bfs_counting.gdsl", None, 1)
    sized = _sized(plan)
    reductions = sorted(m.op for i in sized for m in plan.kernels[i].micro if m.op.startswith("red_"))
    assert reductions == ["red_count"], reductions
    assert [k.frontier_list for k in plan.kernels if k.domain == "edge"] == [True]
    assert _sized(compiled("bfs")) and not _sized(compile_source(COUNTING, "c.gdsl", None, 0))
    unclaimed = copy.deepcopy(plan)
    for i in sized:
        unclaimed.kernels[i].shape = "generic"
    for _name, g, ref, _n in GRAPHS:
        a = runtime.execute(plan, g, {"source": 1}, threads=threads)
        for other in (unclaimed, _listless(plan)):
            b = runtime.execute(other, g, {"source": 1}, threads=threads)
            assert repr(a.columns["level"]) == repr(b.columns["level"]) and a.values == b.values
        assert a.values["depth"] == max(nx.single_source_shortest_path_length(ref, 1).values()) + 1


def test_results_from_the_active_sets_size_are_refused_where_the_kernel_does_more():
    plan = compiled("bfs")   # the step's node kernel stores: its results are not the size's
    next(k for k in plan.kernels if k.domain == "node" and k.active_slot >= 0
         and any(m.op == "store" for m in k.micro)).shape = "active_size"
    _refused(plan, "results from its active set's size")
    plan = compiled("bfs")   # without an active set there is no size to take
    next(k for k in plan.kernels if k.shape == "active_size").active_slot = -1
    _refused(plan, "results from its active set's size")
    plan = compiled("bfs")   # an edge kernel never takes it
    next(k for k in plan.kernels if k.domain == "edge").shape = "active_size"
    _refused(plan, "results from its active set's size")
