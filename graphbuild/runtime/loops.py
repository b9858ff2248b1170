"""What each loop of a run did, from the per-instruction counts gb_run keeps (gb_count).

A loop is a backward jump and its target.  Its passes are the times its body ran: the
backward jump taken, plus, for `repeat N until C` (whose backward jump is the until check),
the times that check let the loop end.  Such a loop converged unless its count check ended
it (the head's exit jump taken).  A `while` loop ends when its condition fails, and a plain
`repeat N` when the count runs out, so both count as converged.  The edge passes inside the
loop (nested loops included) are counted by how they ran: dense (every node), sparse (only
around changed inputs, pulling), push (the changed nodes push) or demand (pulling only at
the nodes whose result the consumer uses, GB_KH_DEMAND); pull = dense + sparse + demand.
`changed` counts the push passes that pushed from the last pass's carried changed set
(GB_KH_CHANGED) without scanning every node; `union_find` the passes that ran the loop as
union-find instead (GB_KH_UNION_FIND: the loop then ends after that one pass);
`delta_stepping` those that ran it as delta-stepping (GB_KH_UNION_FIND = 2, the same way).
`ordered` says how the loop ran in order: "peel" when it is (in) a nest run as bucketed peeling
(plan/ordered.py), when it ran so (its head kernel counts those passes as push; its rounds
after the first recount count as push passes of the edge kernel); "" otherwise.
"""
from __future__ import annotations

from typing import Any

from ..plan.claims import ordered_form
from ..plan.model import Plan

_JUMPS = ("jump", "jump_if_false")


def _kind(plan: Plan, first: int, back: int, exit_pc: int | None) -> str:
    if plan.code[first].op == "sources":
        return "sources"
    if plan.code[back].op == "jump_if_false":
        return "repeat_until"
    follows = plan.code[exit_pc + 2].op if exit_pc is not None and exit_pc + 2 < back else ""
    return "while" if follows == "check_iter" else "repeat"


def _ordered(plan: Plan, first: int, back: int, c: Any) -> str:
    """The nest's ordered form if it ran so: its head kernel counts those passes as push."""
    form = ordered_form(plan, first, back)
    heads = [h for h in range(max(0, first - 9), first + 1) if plan.code[h].op == "kernel"
             and plan.kernels[plan.code[h].args[0]].ordered]
    return form if form and heads and c(heads[-1], 2) > 0 else ""


def loop_reports(plan: Plan, counts: Any, per: int) -> list[dict[str, Any]]:
    """counts: gb_run's counters, `per` to an instruction."""
    def c(pc: int, i: int) -> int:
        return int(counts[pc * per + i])

    reports = []
    for back, ins in enumerate(plan.code):
        if ins.op not in _JUMPS or not ins.args or not 0 <= ins.args[-1] <= back:
            continue
        first = int(ins.args[-1])
        exit_pc = next((pc for pc in range(first, back) if plan.code[pc].op == "jump_if_false"
                        and plan.code[pc].args[-1] == back + 1), None)
        kind = _kind(plan, first, back, exit_pc)
        passes = c(back, 0) + (c(back, 1) if kind == "repeat_until" else 0)
        stopped_by_count = kind == "repeat_until" and exit_pc is not None and c(exit_pc, 0) > 0
        edge = [pc for pc in range(first, back + 1) if plan.code[pc].op in ("kernel", "fused")
                and plan.code[pc].args and 0 <= plan.code[pc].args[0] < len(plan.kernels)
                and plan.kernels[plan.code[pc].args[0]].domain == "edge"]
        dense = sum(c(pc, 0) for pc in edge)
        sparse = sum(c(pc, 1) for pc in edge)
        changed = sum(c(pc, 4) for pc in edge) if per > 4 else 0
        whole = {pc: c(pc, 5) if per > 5 else 0 for pc in edge}   # union-find or delta-stepping
        stepped = sum(n for pc, n in whole.items() if plan.kernels[plan.code[pc].args[0]].delta_step)
        union_find = sum(whole.values()) - stepped
        push = sum(c(pc, 2) for pc in edge) + changed
        demand = sum(c(pc, 3) for pc in edge)
        loc = ins.loc if 0 <= ins.loc < len(plan.locations) else -1
        reports.append({"line": plan.locations[loc].line if loc >= 0 else None, "kind": kind,
                        "passes": passes, "converged": not stopped_by_count,
                        "ordered": _ordered(plan, first, back, c),
                        "edge_passes": {"dense": dense, "sparse": sparse, "push": push,
                                        "changed": changed, "demand": demand,
                                        "union_find": union_find, "delta_stepping": stepped,
                                        "pull": dense + sparse + demand}})
    return reports
