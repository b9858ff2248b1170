"""Loops over sources run side by side (docs/executor.md "Loops over sources").

- the shipped programs that loop over sources (betweenness, its sampled form, closeness,
  harmonic) claim it, and give the same bits on 1, 2, 3 and 16 threads as their plans with
  the claim taken out, on every zoo graph;
- a program with int and float accumulators, vectors and scalars, claims it
  and gives the same bits for every thread count, matching a Python reference;
- a pass that fails stops the run with the error one thread reports;
- the per-loop report counts the loop's passes the same way for every thread count;
- crafted plans whose claim the body does not allow are refused at gb_plan_create;
- profile-memory counts each worker's slots and state and a batch's accumulator values.
"""
from __future__ import annotations

import copy
import struct
from pathlib import Path

import networkx as nx
import pytest
from graphs import ZOO, ZooGraph, to_networkx
from test_plan import check_plan

from graphbuild import runtime
from graphbuild.api import compile_text
from graphbuild.errors import GraphbuildError
from graphbuild.plan.sources import sample_sources
from graphbuild.plan.sources_claim import BATCH
from graphbuild.profile import model

ALGORITHMS = Path(__file__).resolve().parents[1] / "graphbuild" / "algorithms"
SHIPPED = {"betweenness": {}, "betweenness_sample": {"k": 3, "seed": 7}, "closeness": {},
           "harmonic": {}}
THREADS = (1, 2, 3, 16)

ACCUMULATORS = """\
algorithm reach(k: int = 6):
    reached = fill(0)
    far = fill(0.0)
    total = 0
    spread = 0.5
    for s in sample(k, 3):
        level = where(node_id() == s, 0, -1)
        frontier = node_id() == s
        depth = 0
        while any(frontier):
            depth = depth + 1
            frontier = any(frontier[u] for u in out_nbrs) and level == -1
            level = where(frontier, depth, level)
        reached = reached + where(level >= 0, 1, 0)
        far = far + where(depth > 2, float(level) * 0.5, 0.0)
        total = total + count(level >= 0)
        spread = spread + float(depth) / 3.0
    return reached, far, total, spread
"""

FAILING = """\
algorithm failing():
    total = fill(0)
    for s in sources():
        level = where(node_id() == s, 0, -1)
        frontier = node_id() == s
        depth = 0
        while any(frontier):
            depth = depth + 1
            frontier = any(frontier[u] for u in nbrs) and level == -1
            level = where(frontier, depth, level)
        total = total + 10 // (depth - 8)
    return total
"""


def build(g: ZooGraph) -> runtime.Graph:
    src, dst, weights = g.arrays()
    return runtime.Graph.from_edges(g.n, list(zip(src, dst)), weights, g.directed, list(g.nodes))


def bits(result) -> dict:
    def key(x):
        return struct.pack("<d", x) if isinstance(x, float) else x
    return {**{name: [key(x) for x in col] for name, col in result.columns.items()},
            **{name: key(x) for name, x in result.values.items()}}


def batches(plan) -> list[int]:
    return [ins.args[2] for ins in plan.code if ins.op == "sources"]


def unclaimed(plan):
    plan = copy.deepcopy(plan)
    for ins in plan.code:
        if ins.op == "sources":
            ins.args[2] = 0
    return plan


def shipped(name: str):
    return compile_text((ALGORITHMS / f"{name}.gdsl").read_text(), f"{name}.gdsl").plan


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_shipped_programs_claim_it_and_keep_their_bits(name):
    plan = shipped(name)
    check_plan(plan)
    assert batches(plan) == [BATCH]
    assert plan.stats["source_loops"][0]["parallel_batch"] == BATCH
    serial = unclaimed(plan)
    for g in ZOO:
        graph = build(g)
        want = bits(runtime.execute(serial, graph, SHIPPED[name], threads=2))
        for t in THREADS:
            assert bits(runtime.execute(plan, graph, SHIPPED[name], threads=t)) == want, (g.name, t)


def test_the_optimizer_off_claims_nothing():
    plan = compile_text((ALGORITHMS / "betweenness.gdsl").read_text(), "b.gdsl", opt_level=0).plan
    assert batches(plan) == [0]


def _reach_reference(g: nx.Graph | nx.DiGraph, nodes: list, k: int) -> tuple[list, list, int, float]:
    # v joins when one of its out-neighbors is in the frontier: distances to s
    g = g.reverse() if g.is_directed() else g
    index = {v: i for i, v in enumerate(nodes)}
    reached, far, total, spread = [0] * len(nodes), [0.0] * len(nodes), 0, 0.5
    for s in sample_sources(len(nodes), k, 3):
        dist = nx.single_source_shortest_path_length(g, nodes[s])
        depth = max(dist.values()) + 1
        total += len(dist)
        spread += float(depth) / 3.0
        for v in nodes:
            reached[index[v]] += v in dist
            if depth > 2:
                far[index[v]] += float(dist.get(v, -1)) * 0.5
    return reached, far, total, spread


@pytest.mark.parametrize("g", ZOO, ids=lambda g: g.name)
def test_int_and_float_accumulators_vectors_and_scalars(g):
    plan = compile_text(ACCUMULATORS, "reach.gdsl").plan
    assert batches(plan) == [BATCH]
    graph = build(g)
    results = {t: runtime.execute(plan, graph, {"k": 6}, threads=t) for t in THREADS}
    assert all(bits(r) == bits(results[1]) for r in results.values())
    assert bits(runtime.execute(unclaimed(plan), graph, {"k": 6}, threads=2)) == bits(results[1])
    reached, far, total, spread = _reach_reference(to_networkx(g), list(g.nodes), 6)
    assert results[2].columns["reached"] == reached
    assert results[2].columns["far"] == pytest.approx(far)
    assert results[2].values["total"] == total
    assert results[2].values["spread"] == spread   # the same additions in the same order


def test_a_failing_pass_reports_what_one_thread_reports():
    plan = compile_text(FAILING, "failing.gdsl").plan
    assert batches(plan) == [BATCH]
    # a path of 10 nodes: the pass from node 2 has depth 8 (its eccentricity 7, plus one)
    graph = runtime.Graph.from_edges(10, [(i, i + 1) for i in range(9)], None, False, list(range(10)))
    messages = set()
    for t in THREADS:
        with pytest.raises(GraphbuildError) as info:
            runtime.execute(plan, graph, {}, threads=t)
        messages.add(str(info.value))
    assert len(messages) == 1 and "integer division by zero" in messages.pop()


def test_the_loop_report_counts_passes_alike():
    plan = shipped("betweenness_sample")
    graph = build(next(g for g in ZOO if g.n >= 10))
    reports = []
    for t in THREADS:
        loops = runtime.execute(plan, graph, {"k": 5, "seed": 1}, threads=t).loops
        outer = [lp for lp in loops if lp["kind"] == "sources"]
        assert len(outer) == 1 and outer[0]["passes"] == 5
        reports.append([(lp["kind"], lp["passes"]) for lp in loops])
    assert all(r == reports[0] for r in reports)


def _refused(plan, what: str) -> None:
    with pytest.raises(GraphbuildError) as info:
        runtime.execute(plan, build(ZOO[0]), {}, threads=2)
    assert "invalid plan" in info.value.message and what in info.value.message


def test_crafted_claims_are_refused():
    plan = shipped("harmonic")
    big = copy.deepcopy(plan)
    next(ins for ins in big.code if ins.op == "sources").args[2] = 5000
    _refused(big, "claims a batch out of range")
    # the accumulator's kernel doubled: two node kernels touch it
    twice = copy.deepcopy(plan)
    acc = max(pc for pc, ins in enumerate(twice.code) if ins.op == "kernel"
              and pc < next(ins.args[-1] for ins in twice.code if ins.op == "sources"))
    twice.code.insert(acc, copy.deepcopy(twice.code[acc]))
    for ins in twice.code:
        if ins.op in ("jump", "jump_if_false", "sources") and ins.args[-1] > acc:
            ins.args[-1] += 1
    twice.exec_levels.insert(acc, 1)
    twice.exec_levels[acc + 1] = 1
    _refused(twice, "more than one node kernel")


def test_profile_memory_counts_the_workers():
    plan = shipped("betweenness")
    n = 1000
    assert model.sources_bytes(plan, n, 1) == 0
    assert model.sources_bytes(shipped("harmonic"), n, 2) > 0
    two, four = model.sources_bytes(plan, n, 2), model.sources_bytes(plan, n, 4)
    # at least a batch of accumulator values and one more worker's private slots
    assert two >= BATCH * n * 8 + n * 8 and four > two
    assert model.sources_bytes(unclaimed(plan), n, 4) == 0
    pagerank = compile_text((ALGORITHMS / "pagerank.gdsl").read_text(), "p.gdsl").plan
    assert model.sources_bytes(pagerank, n, 4) == 0
