"""Ordered processing (plan/ordered.py, csrc/exec/peel.c): k-core's peeling loop nest runs as
bucketed peeling when the plan says so, with bitwise the results of the plain run.

- the shipped k_core claims it, the frontier-off plan does not, and `--json` shows it per loop;
- on the zoo and on Kronecker-like graphs (directed and not), 1 to 16 threads, the claimed
  run gives networkx's core numbers and bitwise the columns, registers and pass counts of the
  same plan with the claim off and of the frontier-off plan; the loop report says it ran;
- a run with full passes runs the nest as written and reports so;
- a crafted claim on any other kernel or on a nest whose instructions differ is refused with
  a clear `invalid plan` error.
"""
from __future__ import annotations

import copy

import networkx as nx
import pytest

from graphbuild import runtime
from graphbuild.compiler import compile_source
from graphbuild.errors import GraphbuildError
from graphbuild.plan.ordered import nest_holds

from graphs import ZOO, to_networkx
from test_plan_claims import ALGORITHMS, compiled, kron_graph


def _off(plan):
    off = copy.deepcopy(plan)
    for k in off.kernels:
        k.ordered = ""
    return off


def _head(plan) -> int:
    return next(pc for pc, ins in enumerate(plan.code)
                if ins.op == "kernel" and plan.kernels[ins.args[0]].ordered)


def test_k_core_claims_bucketed_peeling_and_only_it():
    plan = compiled("k_core")
    assert [k.ordered for k in plan.kernels].count("peel") == 1
    assert [lp["ordered"] for lp in plan.stats["loops"]] == ["peel", "peel"]
    assert not any(k.ordered for k in compiled("k_core", frontier=False).kernels)
    for name in ("bfs", "sssp", "connected_components", "pagerank", "label_propagation"):
        assert not any(k.ordered for k in compiled(name).kernels), name


def _same_run(a, b):
    assert repr(a.columns) == repr(b.columns)
    assert repr(a.values) == repr(b.values)
    assert [lp["passes"] for lp in a.loops] == [lp["passes"] for lp in b.loops]


def _zoo_graph(g, wide_index=0):
    src, dst, _ = g.arrays()
    return runtime.Graph.from_edges(g.n, list(zip(src, dst)), None, g.directed, list(g.nodes),
                                    wide_index=wide_index)


@pytest.mark.parametrize("threads", [1, 2, 3, 16])
@pytest.mark.parametrize("g", ZOO, ids=lambda g: g.name)
def test_bucketed_peeling_matches_networkx_and_the_plain_runs_on_the_zoo(g, threads):
    plan = compiled("k_core")
    for wide in (0, 1):
        graph = _zoo_graph(g, wide)
        on = runtime.execute(plan, graph, {}, threads=threads)
        assert on.loops[0]["ordered"] == on.loops[1]["ordered"] == "peel"
        for other in (_off(plan), compiled("k_core", frontier=False)):
            off = runtime.execute(other, graph, {}, threads=threads)
            assert all(lp["ordered"] == "" for lp in off.loops)
            _same_run(on, off)
        # self-loops: the same bits as the plain runs above, but networkx's core numbers
        # count an undirected self-loop differently (the program's contract excludes them)
        if not g.has_self_loops:
            ref = nx.core_number(to_networkx(g))
            assert dict(zip(on.columns["node"], on.columns["core"])) == ref


@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize("threads", [1, 2, 4, 16])
def test_bucketed_peeling_is_bitwise_the_plain_run_on_larger_graphs(directed, threads):
    # big enough that peel sets are pushed by several threads (peel.c's SERIAL_PEEL)
    plan = compiled("k_core")
    graph = kron_graph(directed=directed, n=20000)
    on = runtime.execute(plan, graph, {}, threads=threads)
    off = runtime.execute(_off(plan), graph, {}, threads=threads)
    _same_run(on, off)
    assert on.loops[0]["edge_passes"]["push"] == on.loops[0]["passes"] - 1
    assert off.loops[0]["edge_passes"]["push"] < off.loops[0]["passes"]


def test_full_passes_run_the_nest_as_written():
    plan = compiled("k_core")
    graph = kron_graph(n=500)
    on = runtime.Executable(plan).run(graph, {}, full_passes=True)
    assert [lp["ordered"] for lp in on.loops] == ["", ""]
    _same_run(on, runtime.execute(plan, graph, {}))


def test_a_stopped_nest_stops_where_the_plain_run_does():
    # the iteration limit trips inside the nest: the same error either way
    plan = compiled("k_core")
    graph = kron_graph(n=500)
    for p in (plan, _off(plan)):
        with pytest.raises(GraphbuildError, match="exceeded 3 iterations"):
            runtime.execute(p, graph, {}, max_iterations=3)


def _refused(plan, match):
    with pytest.raises(GraphbuildError, match="invalid plan: .*" + match):
        runtime.Executable(plan)


def test_a_crafted_peeling_claim_is_refused():
    plan = compiled("k_core")
    h = _head(plan)
    # on another kernel
    other = _off(plan)
    other.kernels[other.code[h + 9].args[0]].ordered = "peel"
    assert not nest_holds(other, h + 9)
    _refused(other, "bucketed peeling")
    # a nest whose removal step keeps the peeled nodes alive
    bad = copy.deepcopy(plan)
    ks = bad.kernels[bad.code[h + 13].args[0]]
    not_op = next(m for m in ks.micro if m.op == "not")
    ks.micro.remove(not_op)
    ks.active_slot = -1
    for m in ks.micro:
        if m.op == "and":
            m.args[1:3] = [x if x != not_op.args[0] else not_op.args[1] for x in m.args[1:3]]
    assert not nest_holds(bad, h)
    _refused(bad, "removal step")
    # k written inside a level
    bad = copy.deepcopy(plan)
    bad.code[h + 7].args[0] = bad.code[h + 5].args[0]
    assert not nest_holds(bad, h)
    _refused(bad, "level k is written")
    # the peel step compares with <, not <=
    bad = copy.deepcopy(plan)
    kp = bad.kernels[bad.code[h + 6].args[0]]
    next(m for m in kp.micro if m.op == "le_i").op = "lt_i"
    _refused(bad, "peel steps")
    # an inner exit that skips k = k + 1
    bad = copy.deepcopy(plan)
    bad.code[h + 10].args[-1] = h + 17
    _refused(bad, "jumps")


def _variant():
    """k_core with the start level and top as parameters: a level may then start above the
    least D (the peel set is then every alive node at or below k, found by a scan), and top
    may undercut the alive nodes' D (levels that peel nothing)."""
    src = (ALGORITHMS / "k_core.gdsl").read_text()
    src = (src.replace("algorithm k_core():", "algorithm k_core(start: int = 0, cap: int = 0):")
           .replace("top = max(d)", "top = max(d) * 0 + cap").replace("k = 0", "k = start"))
    return compile_source(src, "k_core_variant.gdsl", None, 1)


@pytest.mark.parametrize("threads", [1, 2])
def test_levels_that_start_above_the_least_degree_or_peel_nothing(threads):
    plan = _variant()
    assert [k.ordered for k in plan.kernels].count("peel") == 1
    graph = kron_graph(directed=False, n=3000)
    for params in ({"start": 0, "cap": 0}, {"start": 9, "cap": 0}, {"start": 3, "cap": 2},
                   {"start": -4, "cap": 100}):
        on = runtime.execute(plan, graph, params, threads=threads)
        assert on.loops[0]["ordered"] == "peel"
        _same_run(on, runtime.execute(_off(plan), graph, params, threads=threads))
