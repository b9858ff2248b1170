"""Changed sets carried between passes (claimed in the plan; issue 11.2).

A monotone `min` (`max`) fixpoint such as connected components or Bellman-Ford,
    new = min(x, min(x[u] (+ weight) for u in nbrs)); changed = any(new < x); x = new
changes x in a pass only at nodes whose aggregation fell, and the aggregation can fall
only at out-neighbors of nodes whose x changed in the pass before.  An edge kernel claims
`changed` when its FUSED pair and loop have exactly that form:
- the edge kernel pushes (pull+push: min or max of a gathered x, optionally + weight),
  its gathered slot X differs from its output slot E;
- the node kernel is the six micro-ops  a = load X; b = load E; m = min(a, b) (either
  order, the aggregation's own min or max of X's dtype); c = compare(m, a); then
  red_any c and store E = m in either order -- where compare is false whenever m and a
  have the same bits: lt/gt (the aggregation's way, either operand order) or, for ints, ne;
- the pair runs in a loop with no loop inside it, and no other instruction of that loop
  writes X or E except a swap_v of the two.
The executor (csrc/exec/changed.c, which checks the same rule) then keeps the nodes whose
x changed as a list, and a pass costs their out-arcs and the nodes their pushes lowered:
nothing is scanned over all n nodes.
"""
from __future__ import annotations

from .model import Kernel, Plan

_MIN = {"int": "min_i", "node": "min_i", "float": "min_f"}
_MAX = {"int": "max_i", "node": "max_i", "float": "max_f"}


def _gathered(ke: Kernel) -> int:
    slots = [m.args[1] for m in ke.micro if m.op == "gather"]
    return slots[0] if len(slots) == 1 else -1


def pair_carries(plan: Plan, ke: Kernel, kn: Kernel) -> bool:
    """Whether the FUSED pair (ke, kn) has the form above."""
    x, e = _gathered(ke), ke.out_slot
    if (ke.domain != "edge" or ke.directions != "pull+push" or ke.agg not in ("min", "max")
            or ke.shape not in ("gather", "plus_weight") or x < 0 or x == e
            or plan.slots[x] != plan.slots[e] or plan.slots[x] == "bool"
            or kn.domain != "node" or kn.active_slot >= 0 or len(kn.micro) != 6):
        return False
    dt = plan.slots[x]
    fold = (_MIN if ke.agg == "min" else _MAX)[dt]
    suffix = "_f" if dt == "float" else "_i"
    way, back = ("lt", "gt") if ke.agg == "min" else ("gt", "lt")
    loads = [m.args for m in kn.micro if m.op == "load"]
    if len(loads) != 2 or {a[1] for a in loads} != {x, e}:
        return False
    ta = next(a[0] for a in loads if a[1] == x)
    tb = next(a[0] for a in loads if a[1] == e)
    rest = [m for m in kn.micro if m.op != "load"]
    if [m.op for m in rest][:1] != [fold] or len(rest) != 4:
        return False
    tm = rest[0].args[0]
    if sorted(rest[0].args[1:]) != sorted([ta, tb]) or len({ta, tb, tm}) != 3:
        return False
    cmp = rest[1]
    allowed = {(way + suffix, tm, ta), (back + suffix, ta, tm)}
    if suffix == "_i":
        allowed |= {("ne_i", tm, ta), ("ne_i", ta, tm)}
    if (cmp.op, *cmp.args[1:]) not in allowed or len({ta, tb, tm, cmp.args[0]}) != 4:
        return False
    red, store = rest[2:] if rest[2].op == "red_any" else rest[:1:-1]
    return (red.op == "red_any" and red.args[2] == cmp.args[0] and store.op == "store"
            and store.args[1] == e and store.args[2] == tm)


def _innermost_loop(plan: Plan, pc: int) -> tuple[int, int] | None:
    loops = [(ins.args[-1], j) for j, ins in enumerate(plan.code)
             if ins.op in ("jump", "jump_if_false") and ins.args[-1] <= j]
    around = [(t, j) for t, j in loops if t <= pc <= j]
    if len(around) != 1:   # outside any loop, or a loop nested in another around it
        return None
    t, j = around[0]
    return (t, j) if all(not (t <= t2 and j2 <= j) or (t2, j2) == (t, j) for t2, j2 in loops) else None


def loop_allows(plan: Plan, pc: int, x: int, e: int) -> bool:
    """Whether pc is in a loop with none inside it whose other instructions write x or e
    only by swapping the two."""
    span = _innermost_loop(plan, pc)
    if span is None:
        return False
    for q in range(span[0], span[1] + 1):
        ins = plan.code[q]
        if q == pc:
            continue
        if ins.op == "swap_v" and sorted(ins.args[:2]) != sorted([x, e]) and {x, e} & set(ins.args[:2]):
            return False
        if ins.op in ("copy_v", "gather_v") and ins.args[0] in (x, e):
            return False
        if ins.op in ("kernel", "fused"):
            for i in ins.args:
                k = plan.kernels[i]
                stores = {m.args[1] for m in k.micro if m.op == "store"}
                if k.domain == "edge":
                    stores.add(k.out_slot)
                if stores & {x, e}:
                    return False
    return True


def claim_changed(plan: Plan, enabled: bool = True) -> None:
    for k in plan.kernels:
        k.changed = False
    if not enabled:
        return
    runs = [(pc, ins) for pc, ins in enumerate(plan.code) if ins.op in ("kernel", "fused")]
    for i, ke in enumerate(plan.kernels):
        mine = [(pc, ins) for pc, ins in runs if ins.args[0] == i]
        if ke.domain != "edge" or ke.demand_slot >= 0 or len(mine) != 1 or mine[0][1].op != "fused":
            continue
        pc, ins = mine[0]
        ke.changed = (pair_carries(plan, ke, plan.kernels[ins.args[1]])
                      and loop_allows(plan, pc, _gathered(ke), ke.out_slot))
