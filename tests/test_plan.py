"""The plan builder's output, checked like the C validator checks it (no executor needed).

check_plan mirrors gb_plan_create's rules from csrc/graphbuild.h (opcodes per level and
domain, operand kinds, temps written before read, jump targets, kernel fields) and adds
the builder's own promises: every op has a source location, an edge kernel never reads
its out_slot, a reduction's register is not read in the kernel that computes it, a node
kernel that updates a slot in place loads it before it stores it, and a fused pair's node
kernel stores nothing its edge kernel gathers.  tests/test_plan_run.py runs plans.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from gdsl_programs import LANGUAGE_EXAMPLES, lowered, sources

from graphbuild import passes
from graphbuild.plan.build import build_plan
from graphbuild.plan.model import Plan
from graphbuild.plan.options import PlanOptions
from graphbuild.plan.printer import format_plan

HEADER = (Path(__file__).resolve().parents[1] / "csrc" / "graphbuild.h").read_text()
OPCODES = set(re.findall(r"GB_OP_([A-Z0-9_]+)\s*=", HEADER)) - {"LAST"}

# operand kinds: r register, s slot, t temp read, T temp written, i immediate, @ jump target,
# k kernel, - unused (must be 0)
TOP = {"const": "ri", "mov": "rr", "node_count": "r", "edge_count": "r", "get": "rsr", "jump": "@",
       "jump_if_false": "r@", "check_iter": "r", "kernel": "k", "fused": "kk", "copy_v": "ss", "swap_v": "ss",
       "sample": "rrrr", "gather_v": "sssi", "sources": "rri@"}
MICRO = {"load": "Ts", "gather": "Ts", "bcast": "Tr", "imm": "Ti", "random": "Tr", "store": "-st",
         "node_id": "T", "nbr": "T", "weight": "T", "common": "T", "in_deg": "T", "out_deg": "T",
         "degree": "T"}
EDGE_ONLY = {"gather", "nbr", "weight"}
UNARY = {"not", "neg_i", "abs_i", "neg_f", "abs_f", "sqrt", "exp", "log", "floor", "ceil", "i2f", "f2i"}


def _arith_kinds(op: str, dst: str, val: str) -> str:
    return dst + val * (3 if op == "where" else 1 if op in UNARY else 2)


def _kinds(op: str, micro: bool) -> str:
    if op.startswith("red_"):
        return "-rt"
    table = MICRO if micro else TOP
    return table.get(op) or _arith_kinds(op, "T" if micro else "r", "t" if micro else "r")


def check_plan(plan: Plan) -> None:
    nregs, nslots, nlocs = len(plan.registers), len(plan.slots), len(plan.locations)
    for i, p in enumerate(plan.params):
        assert p.reg == i and plan.registers[i] == p.dtype
    for pc, ins in enumerate(plan.code):
        assert ins.op.upper() in OPCODES and ins.op not in MICRO and not ins.op.startswith("red_"), ins.op
        assert 0 <= ins.loc < nlocs, f"instruction {pc} ({ins.op}) has no location"
        kinds = _kinds(ins.op, micro=False)
        assert len(ins.args) == len(kinds), (pc, ins)
        for kind, a in zip(kinds, ins.args):
            bound = {"r": nregs, "s": nslots, "@": len(plan.code) + 1, "k": len(plan.kernels)}.get(kind)
            if bound is not None:
                assert 0 <= a < bound, (pc, ins, kind)
        if ins.op == "fused":
            edge, node = (plan.kernels[k] for k in ins.args)
            assert edge.domain == "edge" and node.domain == "node"
            gathered = {m.args[1] for m in edge.micro if m.op == "gather"}
            stored = {m.args[1] for m in node.micro if m.op == "store"}
            loaded = {m.args[1] for m in node.micro if m.op == "load"} - {edge.out_slot}
            assert not gathered & stored, f"instruction {pc}: a fused node kernel stores a gathered slot"
            assert edge.out_slot not in loaded | {m.args[1] for m in edge.micro if m.op == "load"}
    for ki, k in enumerate(plan.kernels):
        _check_kernel(plan, ki, k)
    assert len(plan.stats["op_levels"]) == len(plan.code)
    for out in plan.outputs:
        table = plan.slots if out.kind == "vector" else plan.registers
        assert 0 <= out.index < len(table) and table[out.index] == out.dtype


def _check_kernel(plan: Plan, ki: int, k) -> None:
    assert 0 <= k.loc < len(plan.locations)
    written: set[int] = set()
    loaded: set[int] = set()
    stored: set[int] = set()   # a load of a stored slot must come first: an in-place update
    reduced: set[int] = set()
    for m in k.micro:
        assert m.op.upper() in OPCODES and m.op not in TOP, m.op
        assert not (k.domain == "node" and m.op in EDGE_ONLY), m.op
        assert not (k.domain == "edge" and (m.op == "store" or m.op.startswith("red_"))), m.op
        assert 0 <= m.loc < len(plan.locations), f"kernel {ki}: {m.op} has no location"
        kinds = _kinds(m.op, micro=True)
        assert len(m.args) == len(kinds), (ki, m)
        for kind, a in zip(kinds, m.args):
            if kind == "t":
                assert a in written, f"kernel {ki}: temp {a} read before written"
            elif kind == "T":
                assert 0 <= a < k.ntemps
                written.add(a)
            elif kind == "-":
                assert a == 0
            elif kind == "s":
                assert 0 <= a < len(plan.slots)
            elif kind == "r":
                assert 0 <= a < len(plan.registers)
        if m.op in ("load", "gather"):
            assert m.args[1] not in stored, f"kernel {ki} loads a slot after storing it"
            loaded.add(m.args[1])
        if m.op == "store":
            stored.add(m.args[1])
        if m.op.startswith("red_"):
            reduced.add(m.args[1])
        if m.op in ("bcast", "random"):
            assert m.args[1] not in reduced, f"kernel {ki} reads r{m.args[1]} before its reduction is final"
    if k.domain == "edge":
        assert k.out_slot not in loaded, f"edge kernel {ki} reads its own out_slot"
        assert k.value_temp in written and (k.filter_temp == -1 or k.filter_temp in written)
        out = plan.slots[k.out_slot]
        if k.default_kind == "slot":
            assert (plan.slots[k.default_index] == "float") == (out == "float")
        expected = {"count": "int", "any": "bool", "all": "bool", "mean": "float"}.get(k.agg)
        assert out == expected if expected else (out == "float") == k.agg_float


FUSED = PlanOptions(fuse_epilogue=True)


def plans(name: str) -> list[Plan]:
    """-O0, -O1, and -O1 with fused epilogues (built even where the executor lacks them)."""
    fn = lowered(sources()[name])
    levels = ((0, PlanOptions.for_level(0)), (1, PlanOptions(fuse_epilogue=False)), (1, FUSED))
    return [build_plan(passes.optimize(fn, level), "test.gdsl", options) for level, options in levels]


@pytest.mark.parametrize("name", sorted(sources()))
def test_plans_are_well_formed(name):
    for plan in plans(name):
        check_plan(plan)
        assert Plan.from_json(plan.to_json()) == plan
        for key in ("ops_before", "ops_after", "kernels", "edge_kernels", "node_kernels", "slots",
                    "registers", "minimum_bytes_per_node", "naive_bytes_per_node"):
            assert key in plan.stats
        assert plan.stats["kernels"] == len(plan.kernels)
        assert plan.stats["minimum_bytes_per_node"] <= plan.stats["naive_bytes_per_node"]


def test_while_loops_check_iterations_and_repeat_loops_count():
    bfs = plans("bfs")[1]
    ops = [i.op for i in bfs.code]
    assert ops.count("check_iter") == 1 and "lt_i" not in ops
    pagerank = plans("pagerank")[1]
    ops = [i.op for i in pagerank.code]
    assert "check_iter" not in ops and "lt_i" in ops
    back = [i for pc, i in enumerate(pagerank.code) if i.op == "jump_if_false" and i.args[1] < pc]
    assert len(back) == 1  # `until` continues with a backward jump while it is false


def test_pagerank_plan_shape():
    plan = plans("pagerank")[1]
    edge = [k for k in plan.kernels if k.domain == "edge"]
    assert len(edge) == 1 and edge[0].agg == "sum" and edge[0].dir == "in" and edge[0].agg_float
    # rank[u] / deg[u] is computed once per node before the edge pass, which only gathers
    assert [m.op for m in edge[0].micro] == ["gather"] and edge[0].value_temp == 0
    assert not plan.needs_weights and plans("sssp")[1].needs_weights
    assert plan.outputs[0].name == "rank" and plan.outputs[0].kind == "vector"
    # new_rank is written over rank in place: no copy, no swap
    assert not {"copy_v", "swap_v"} & {i.op for i in plan.code}
    assert plan.stats["slots"] == plan.stats["max_live"] == 3


def test_pagerank_iteration_is_one_edge_pass_and_one_node_sweep():
    _, unfused, fused = plans("pagerank")
    assert (unfused.stats["edge_passes_per_iteration"], unfused.stats["node_passes_per_iteration"]) == (1, 2)
    assert (fused.stats["edge_passes_per_iteration"], fused.stats["node_passes_per_iteration"]) == (1, 1)
    assert fused.stats["slots"] == fused.stats["max_live"] == 3


def test_mode_without_default_reads_a_slot_computed_before():
    plan = plans("label_propagation")[1]
    (kernel,) = [k for k in plan.kernels if k.domain == "edge"]
    assert kernel.agg == "mode" and kernel.default_kind == "slot"
    assert kernel.default_index != kernel.out_slot
    assert plan.slots[kernel.default_index] == plan.slots[kernel.out_slot] == "node"


def test_scalar_defaults_live_in_registers():
    plan = plans("aggregates")[1]
    t = next(k for k in plan.kernels if k.domain == "edge" and k.agg == "sum")
    assert t.default_kind == "reg" and plan.registers[t.default_index] == "float"
    assert t.filter_temp >= 0


def test_format_plan_shows_every_instruction_and_the_source():
    plan = build_plan(passes.optimize(lowered(LANGUAGE_EXAMPLES["pagerank"]), 1), "pagerank.gdsl")
    text = format_plan(plan, LANGUAGE_EXAMPLES["pagerank"])
    for pc in range(len(plan.code)):
        level = plan.stats["op_levels"][pc]
        assert re.search(rf"^\s+{pc}\s+L{level}  {plan.code[pc].op} ", text, re.MULTILINE), pc
    assert "edge kernel" in text and "incoming = sum(rank[u] / deg[u] for u in in_nbrs)" in text
    assert "; 7:20" in text
