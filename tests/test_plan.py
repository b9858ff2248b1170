"""The plan builder's output, checked like the C validator checks it (no executor needed).

check_plan mirrors gb_plan_create's rules from csrc/graphbuild.h (opcodes per level and
domain, operand kinds, temps written before read, jump targets, kernel fields) and adds
the builder's own promises: every op has a source location, an edge kernel never reads
its out_slot, a reduction's register is not read in the kernel that computes it, and a
node kernel does not load a slot it stores.  tests/test_plan_run.py runs plans.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from gdsl_programs import LANGUAGE_EXAMPLES, lowered, sources

from graphbuild import passes
from graphbuild.plan.build import build_plan
from graphbuild.plan.model import Plan
from graphbuild.plan.printer import format_plan

HEADER = (Path(__file__).resolve().parents[1] / "csrc" / "graphbuild.h").read_text()
OPCODES = set(re.findall(r"GB_OP_([A-Z0-9_]+)\s*=", HEADER)) - {"LAST"}

# operand kinds: r register, s slot, t temp read, T temp written, i immediate, @ jump target,
# k kernel, - unused (must be 0)
TOP = {"const": "ri", "mov": "rr", "node_count": "r", "edge_count": "r", "get": "rsr", "jump": "@",
       "jump_if_false": "r@", "check_iter": "r", "kernel": "k", "copy_v": "ss", "swap_v": "ss"}
MICRO = {"load": "Ts", "gather": "Ts", "bcast": "Tr", "imm": "Ti", "random": "Tr", "store": "-st",
         "node_id": "T", "nbr": "T", "weight": "T", "in_deg": "T", "out_deg": "T", "degree": "T"}
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
    for ki, k in enumerate(plan.kernels):
        _check_kernel(plan, ki, k)
    for out in plan.outputs:
        table = plan.slots if out.kind == "vector" else plan.registers
        assert 0 <= out.index < len(table) and table[out.index] == out.dtype


def _check_kernel(plan: Plan, ki: int, k) -> None:
    assert 0 <= k.loc < len(plan.locations)
    written: set[int] = set()
    loaded: set[int] = set()
    stored: set[int] = set()
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
            loaded.add(m.args[1])
        if m.op == "store":
            stored.add(m.args[1])
        if m.op.startswith("red_"):
            reduced.add(m.args[1])
        if m.op in ("bcast", "random"):
            assert m.args[1] not in reduced, f"kernel {ki} reads r{m.args[1]} before its reduction is final"
    assert not loaded & stored, f"kernel {ki} stores a slot it loads"
    if k.domain == "edge":
        assert k.out_slot not in loaded, f"edge kernel {ki} reads its own out_slot"
        assert k.value_temp in written and (k.filter_temp == -1 or k.filter_temp in written)
        out = plan.slots[k.out_slot]
        if k.default_kind == "slot":
            assert (plan.slots[k.default_index] == "float") == (out == "float")
        expected = {"count": "int", "any": "bool", "all": "bool", "mean": "float"}.get(k.agg)
        assert out == expected if expected else (out == "float") == k.agg_float


def plans(name: str) -> list[Plan]:
    fn = lowered(sources()[name])
    return [build_plan(passes.optimize(fn, level), "test.gdsl") for level in (0, 1)]


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
    assert [m.op for m in edge[0].micro] == ["gather", "gather", "i2f", "div_f"]
    assert not plan.needs_weights and plans("sssp")[1].needs_weights
    assert plan.outputs[0].name == "rank" and plan.outputs[0].kind == "vector"
    assert "swap_v" in [i.op for i in plan.code]  # new_rank becomes rank without a copy


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
        assert re.search(rf"^\s+{pc}  \S", text, re.MULTILINE), pc
    assert "edge kernel" in text and "incoming = sum(rank[u] / deg[u] for u in in_nbrs)" in text
    assert "; 7:20" in text
