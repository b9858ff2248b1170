"""Every fusion is checked by running the fused and the unfused plan and comparing results.

Fusions: chains of node-vector ops in one node kernel; reductions in the kernel that
computes their input; a node kernel run per block right after an aggregation ("fused",
when the executor has GB_OP_FUSED); source-side hoisting (per-edge work done per node).
Each runs every test program (LANGUAGE.md's examples, the corner programs, the shipped
algorithms) on every zoo graph; results must match bit for bit.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest
from gdsl_programs import lowered, sources
from graphs import ZOO

from graphbuild import passes, runtime
from graphbuild.errors import GraphbuildError
from graphbuild.plan.build import build_plan
from graphbuild.plan.options import PlanOptions

EXEC_C = Path(__file__).resolve().parents[1] / "csrc" / "exec" / "exec.c"
HAS_FUSED = "GB_OP_FUSED" in EXEC_C.read_text()

FULL = PlanOptions(fuse_epilogue=False)
VARIANTS = {
    "elementwise": PlanOptions(fuse_elementwise=False, fuse_reductions=True, fuse_epilogue=False),
    "reductions": PlanOptions(fuse_elementwise=True, fuse_reductions=False, fuse_epilogue=False),
    "nothing": PlanOptions(fuse_elementwise=False, fuse_reductions=False, fuse_epilogue=False),
}


@lru_cache(maxsize=None)
def graph(name: str) -> runtime.Graph:
    g = next(z for z in ZOO if z.name == name)
    src, dst, weights = g.arrays()
    return runtime.Graph.from_edges(g.n, list(zip(src, dst)), weights, g.directed, list(g.nodes))


@lru_cache(maxsize=None)
def optimized(name: str, without: tuple[str, ...] = ()):
    return passes.optimize(lowered(sources()[name]), 1, without=without)


def outcome(plan, gname: str) -> str:
    try:
        r = runtime.execute(plan, graph(gname))
    except GraphbuildError as err:
        return f"error {err.kind} {err.location.line if err.location else None}"
    return repr((r.columns, r.values))


def agree(a, b) -> None:
    for g in ZOO:
        assert outcome(a, g.name) == outcome(b, g.name), g.name


PROGRAMS = sorted(sources())


@pytest.mark.parametrize("variant", sorted(VARIANTS))
@pytest.mark.parametrize("name", PROGRAMS)
def test_node_kernel_fusion_keeps_results(name, variant):
    fn = optimized(name)
    fused, unfused = build_plan(fn, "t.gdsl", FULL), build_plan(fn, "t.gdsl", VARIANTS[variant])
    assert fused.stats["kernels"] <= unfused.stats["kernels"]
    agree(fused, unfused)


@pytest.mark.skipif(not HAS_FUSED, reason="the executor does not run GB_OP_FUSED yet")
@pytest.mark.parametrize("name", PROGRAMS)
def test_epilogue_fusion_keeps_results(name):
    fn = optimized(name)
    fused = build_plan(fn, "t.gdsl", PlanOptions(fuse_epilogue=True))
    plain = build_plan(fn, "t.gdsl", FULL)
    if any(k.domain == "edge" for k in plain.kernels):
        assert fused.stats["fused"] >= 1
    agree(fused, plain)


@pytest.mark.parametrize("name", PROGRAMS)
def test_source_side_hoisting_keeps_results(name):
    hoisted = build_plan(optimized(name), "t.gdsl", FULL)
    per_edge = build_plan(optimized(name, ("sides",)), "t.gdsl", FULL)
    agree(hoisted, per_edge)


def test_a_chain_of_node_ops_is_one_kernel():
    fn = passes.optimize(lowered("""\
algorithm a(k: float = 2.0):
    x = float(out_degree())
    y = sqrt(x * k + 1.0) - x / 3.0
    z = where(y > 1.0, y, -y) * 2.0
    return z
"""), 1)
    plan = build_plan(fn, "t.gdsl", FULL)
    assert [k.domain for k in plan.kernels] == ["node"]
    assert len(build_plan(fn, "t.gdsl", VARIANTS["nothing"]).kernels) > 4


def test_a_reduction_runs_in_the_sweep_that_computes_its_input():
    fn = passes.optimize(lowered(sources()["katz"]), 1)
    plan = build_plan(fn, "t.gdsl", FULL)
    # err = sum(abs(new - old)): abs, sub and the sum share the kernel computing new
    red = [k for k in plan.kernels if any(m.op == "red_sum_f" for m in k.micro)
           and any(m.op == "abs_f" for m in k.micro)]
    assert red and any(m.op == "store" for m in red[0].micro)
    split = build_plan(fn, "t.gdsl", VARIANTS["reductions"])
    assert all(not (any(m.op.startswith("red_") for m in k.micro) and any(m.op == "store" for m in k.micro))
               for k in split.kernels)


def test_the_per_edge_expression_runs_inside_the_edge_pass():
    # sum(x[u] * weight): no temporary edge vector, one edge kernel in the executor's shape
    fn = passes.optimize(lowered("""\
algorithm a():
    x = float(out_degree()) + 0.5
    s = sum(weight * x[u] for u in in_nbrs)
    d = min(x[u] + weight for u in in_nbrs)
    return s, d
"""), 1)
    plan = build_plan(fn, "t.gdsl", FULL)
    edges = [k for k in plan.kernels if k.domain == "edge"]
    assert [[m.op for m in k.micro] for k in edges] == [["gather", "weight", "mul_f"],
                                                         ["gather", "weight", "add_f"]]
    for k in edges:
        assert [m.args for m in k.micro][2][1:] == [0, 1] and k.value_temp == 2


CANONICAL = {
    "sum(x[u] for u in in_nbrs)": (["gather"], 0, -1),
    "min(x[u] + weight for u in in_nbrs)": (["gather", "weight", "add_f"], 2, -1),
    "min(weight + x[u] for u in in_nbrs)": (["gather", "weight", "add_f"], 2, -1),
    "sum(weight * x[u] for u in out_nbrs)": (["gather", "weight", "mul_f"], 2, -1),
    "float(count(true for u in nbrs))": (["imm"], 0, -1),
    "sum(x[u] for u in nbrs if x[u] > 1.0)": (["gather", "gather"], 0, 1),
    "sum(x[u] * 2.0 + 1.0 for u in in_nbrs)": (["gather"], 0, -1),
    "max(x[u] for u in nbrs if x[u] * 2.0 < 5.0)": (["gather", "gather"], 0, 1),
}


@pytest.mark.parametrize("expr", sorted(CANONICAL))
def test_common_aggregations_come_out_in_the_executors_specialized_shapes(expr):
    fn = passes.optimize(lowered(f"algorithm a():\n    x = float(out_degree()) + 0.5\n"
                                 f"    s = {expr}\n    return s\n"), 1)
    plan = build_plan(fn, "t.gdsl", FULL)
    (edge,) = [k for k in plan.kernels if k.domain == "edge"]
    micro, value, filt = CANONICAL[expr]
    assert [m.op for m in edge.micro] == micro
    assert [m.args[0] for m in edge.micro] == list(range(len(micro)))  # temps numbered from 0
    assert (edge.value_temp, edge.filter_temp) == (value, filt)
