"""Frontier lists with direction switching (claimed in the plan; issue 11 items 2-3).

BFS's step `frontier = any(frontier[u] for u in in_nbrs) and level == -1` is a FUSED pair
whose edge kernel claims a demand (demand.py: used only where level == -1) and whose node
kernel runs over the aggregation's true nodes only (active.py).  An edge kernel claims
`frontier list` when, besides those two claims,
- it is incremental (the executor keeps its per-pass state there) and only one
  instruction, that FUSED pair, runs it, its node kernel's active set being its own
  output slot E;
- the pair runs in a loop with no loop inside it whose other instructions write the
  gathered slot X or E only by swapping the two (changed.py's loop rule).
The executor (csrc/exec/frontier.c, which checks the same rule) then keeps X's and E's
true nodes as lists between passes and runs each pass top-down (push from X's list along
out-arcs, claiming each demanded node with an atomic exchange) or bottom-up (the demand
pull with early exit), switching by Beamer's rule; a node kernel of the same loop whose
active set is X runs over X's list (BFS's `any(frontier)`).  Encoded as GB_KH_CHANGED = 2.
"""
from __future__ import annotations

from .changed import _gathered, loop_allows
from .model import Plan


def claim_frontier(plan: Plan, enabled: bool = True) -> None:
    for k in plan.kernels:
        k.frontier_list = False
    if not enabled:
        return
    runs = [(pc, ins) for pc, ins in enumerate(plan.code) if ins.op in ("kernel", "fused")]
    for i, ke in enumerate(plan.kernels):
        mine = [(pc, ins) for pc, ins in runs if ins.args[0] == i]
        if (ke.domain != "edge" or ke.demand_slot < 0 or not ke.incremental or ke.changed
                or len(mine) != 1 or mine[0][1].op != "fused"):
            continue
        pc, ins = mine[0]
        x = _gathered(ke)
        ke.frontier_list = (x >= 0 and x != ke.out_slot
                            and plan.kernels[ins.args[1]].active_slot == ke.out_slot
                            and loop_allows(plan, pc, x, ke.out_slot))
