"""Slot allocation from live ranges, in-place updates, dropped moves, and execution levels.

The allocator may share a slot only between values never live at once, counting a loop's
back edge; an edge kernel never writes a slot it reads; plans with and without reuse
give the same results; the default plan of every shipped algorithm uses exactly as many
slots as the largest number of node vectors live at once.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from gdsl_programs import lowered, sources
from test_opt_fusion import agree
from test_plan import check_plan

from graphbuild import passes
from graphbuild.plan.build import build_plan
from graphbuild.plan.effects import register_effects, slot_effects
from graphbuild.plan.levels import may_fail
from graphbuild.plan.liveness import liveness
from graphbuild.plan.model import Plan
from graphbuild.plan.options import PlanOptions

ALGORITHMS = sorted(p.stem for p in (Path(__file__).resolve().parents[1] / "algorithms").glob("*.gdsl"))
REUSE, NO_REUSE = PlanOptions(fuse_epilogue=False), PlanOptions(fuse_epilogue=False, reuse_slots=False)
FUSED = PlanOptions(fuse_epilogue=True)


def plan_of(source: str, options: PlanOptions = REUSE) -> Plan:
    return build_plan(passes.optimize(lowered(source), 1), "t.gdsl", options)


@pytest.mark.parametrize("options", [REUSE, FUSED], ids=["kernels", "fused"])
@pytest.mark.parametrize("name", ALGORITHMS)
def test_slot_count_is_the_most_vectors_live_at_once(name, options):
    plan = plan_of(sources()[name], options)
    check_plan(plan)
    assert plan.stats["slots"] == plan.stats["max_live"] == len(plan.slots)
    assert plan.stats["slots"] <= plan.stats["variables"]
    assert plan.stats["minimum_bytes_per_node"] == sum(8 if d != "bool" else 1 for d in plan.slots)


@pytest.mark.parametrize("name", sorted(sources()))
def test_reuse_keeps_results(name):
    agree(plan_of(sources()[name], REUSE), plan_of(sources()[name], NO_REUSE))


BACK_EDGE = """\
algorithm a(k: int = 3):
    x = float(node_id()) + 1.0
    y = fill(0.0)
    repeat k:
        z = y + x
        w = sqrt(z * z + 1.0)
        y = w - z
    return y
"""


def test_a_value_read_in_a_loop_keeps_its_slot_through_the_whole_loop():
    plan = plan_of(BACK_EDGE)
    lv = liveness(plan)
    loop_start = next(i.args[-1] for pc, i in enumerate(plan.code)
                      if i.op in ("jump", "jump_if_false") and i.args[-1] < pc)
    x_slot = next(o for o, names in enumerate(plan.stats["slot_names"]) if "x" in names)
    loop = range(loop_start, len(plan.code))
    # x is live after every instruction of the loop, the last one (the back edge) included
    assert all(x_slot in lv.live_out[pc] for pc in loop if plan.code[pc].op != "end")
    for pc in loop:
        assert x_slot not in slot_effects(plan, plan.code[pc]).defs
    agree(plan, plan_of(BACK_EDGE, NO_REUSE))


def test_an_edge_kernel_never_writes_a_slot_it_reads():
    for name in sorted(sources()):
        for options in (REUSE, FUSED):
            plan = plan_of(sources()[name], options)
            for k in plan.kernels:
                if k.domain == "edge":
                    reads = {m.args[1] for m in k.micro if m.op in ("gather", "load")}
                    if k.default_kind == "slot":
                        reads.add(k.default_index)
                    assert k.out_slot not in reads


def test_elementwise_updates_happen_in_place_and_carried_moves_disappear():
    plan = plan_of(sources()["bfs"])
    def slots(k, op):
        return {m.args[1] for m in k.micro if m.op == op}

    in_place = [k for k in plan.kernels if k.domain == "node" and slots(k, "load") & slots(k, "store")]
    assert in_place  # level = where(frontier, depth, level) overwrites level
    assert not {"copy_v", "swap_v"} & {i.op for i in plan.code}
    naive = plan_of(sources()["bfs"], NO_REUSE)
    assert {"copy_v", "swap_v"} & {i.op for i in naive.code} and len(naive.slots) > len(plan.slots)


def test_a_swap_stays_when_the_new_value_is_computed_from_a_gather_of_the_old():
    # sssp: new_dist is computed while other nodes still gather dist, so with the
    # fused pair it cannot overwrite dist in place; the loop swaps the two buffers
    plan = plan_of(sources()["sssp"], FUSED)
    assert "swap_v" in {i.op for i in plan.code} and plan.stats["slots"] == 2


def test_levels_group_independent_instructions_and_survive_json():
    for name in sorted(sources()):
        plan = plan_of(sources()[name])
        levels = plan.stats["op_levels"]
        assert Plan.from_json(plan.to_json()).stats["op_levels"] == levels
        assert plan.stats["levels"] == max(levels) + 1
        by_level: dict[int, list[int]] = {}
        for pc, level in enumerate(levels):
            by_level.setdefault(level, []).append(pc)
        for pcs in by_level.values():
            assert _independent(plan, pcs), pcs


def _independent(plan: Plan, pcs: list[int]) -> bool:
    """The instructions touch disjoint state (none writes what another reads or writes)
    and at most one of them may fail."""
    touched = []
    for pc in pcs:
        ins = plan.code[pc]
        rr, rw = register_effects(plan, ins)
        se = slot_effects(plan, ins)
        touched.append(({("r", r) for r in rr} | {("s", s) for s in se.uses},
                        {("r", r) for r in rw} | {("s", s) for s in se.defs}))
    for i, (ri, wi) in enumerate(touched):
        for rj, wj in touched[i + 1:]:
            if wi & (rj | wj) or ri & wj:
                return False
    return sum(may_fail(plan, plan.code[pc]) for pc in pcs) <= 1


def test_independent_work_shares_a_level():
    plan = plan_of("""\
algorithm a():
    x = float(out_degree())
    s = sum(x[u] for u in in_nbrs)
    t = max(x[u] for u in out_nbrs)
    return s, t
""")
    edges = [pc for pc, i in enumerate(plan.code)
             if i.op == "kernel" and plan.kernels[i.args[0]].domain == "edge"]
    assert len(edges) == 2 and len({plan.stats["op_levels"][pc] for pc in edges}) == 1


@pytest.mark.parametrize("name", sorted(sources()))
def test_span_coloring_keeps_results(name, monkeypatch):
    """Plans with too many conflicts to list (thousands of vectors live at once) are colored
    by spans instead: forced here on every program, the plan checks out, never uses fewer
    slots than vectors live at once, and gives the results of the plan without reuse."""
    from graphbuild.plan import alloc

    monkeypatch.setattr(alloc, "MAX_PAIRS", -1)
    plan = plan_of(sources()[name], REUSE)
    check_plan(plan)
    assert plan.stats["max_live"] <= len(plan.slots) <= plan.stats["variables"]
    agree(plan, plan_of(sources()[name], NO_REUSE))


@pytest.mark.parametrize("shape", ["loop", "live"])
def test_span_coloring_meets_the_minimum_on_many_live_vectors(shape, monkeypatch):
    """bench/compile.py's shapes with many vectors live at once (carried through a loop, or
    all returned) are colored by spans, moves coalesced: exactly the most vectors live at
    once, with the results of the plan without reuse."""
    import sys

    from graphbuild.plan import alloc

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    from compile import program

    called = []
    span = alloc._span_coloring
    monkeypatch.setattr(alloc, "_span_coloring", lambda *a: called.append(1) or span(*a))
    monkeypatch.setattr(alloc, "SPAN_PAIRS", -1)
    monkeypatch.setattr(alloc, "_graph_coloring", None)   # never needed here
    plan = plan_of(program(shape, 60), REUSE)
    check_plan(plan)
    assert called and plan.stats["slots"] == plan.stats["max_live"] == 60
    if shape == "loop":
        assert not any(i.op in ("copy_v", "swap_v") for i in plan.code)   # every move coalesced
    monkeypatch.undo()
    agree(plan, plan_of(program(shape, 60), NO_REUSE))
