"""Demand: where an edge kernel's result is used (claimed in the plan; C checks it).

In BFS's fused step `frontier = any(frontier[u] for u in in_nbrs) and level == -1`, the
aggregation only matters at unvisited nodes.  An edge kernel in a FUSED pair claims the
demand (slot S, value c) when, at every node where S[v] != c, its node kernel stores and
reduces nothing that depends on the aggregation's result E and applies only ops that
cannot fail; and no uncomputed value of E is read later: the node kernel stores E's slot
itself, or (full form only) E is private to the pair.  Proved by a symbolic run of the
node kernel under "S[v] != c" (as active.py does) with a taint bit on the values that
depend on E.  Two forms:
- early exit: `any` of a bool gather (its pull stops at the first true neighbor, so
  skipping visited nodes is the bottom-up step's whole saving); may be incremental;
- full: any other edge kernel that is not incremental (incremental.c keeps copies of every
  node's result), e.g. Brandes' `sigma = where(frontier, sum(...), sigma)`: the ordinary
  pull at the demanded nodes only.  E is private when nothing but the node kernels FUSED
  with it reads E's slot and those run only in such pairs, and E is not an output.
C runs the same rule (csrc/exec/demand.c, demand_full.c).
"""
from __future__ import annotations

from .active import _SAFE, _word
from .model import Kernel, Plan

_ZERO, _ONE = "0", "1"
_REDUCTIONS = ("red_sum_i", "red_sum_f", "red_min_i", "red_min_f", "red_max_i", "red_max_f",
               "red_any", "red_all", "red_count", "red_argmin_i", "red_argmin_f",
               "red_argmax_i", "red_argmax_f")


def early_exit(plan: Plan, ke: Kernel) -> bool:
    return (ke.shape == "gather" and ke.agg == "any" and ke.default_kind == "identity"
            and plan.slots[ke.micro[0].args[1]] == "bool" and plan.slots[ke.out_slot] == "bool")


def kernel_allows(plan: Plan, ke: Kernel, s: int, c: int) -> bool:
    return (ke.domain == "edge" and 0 <= s < len(plan.slots) and s != ke.out_slot
            and (early_exit(plan, ke) or not ke.incremental)
            and plan.slots[s] != "float" and (plan.slots[s] != "bool" or c in (0, 1)))


def _reads(k: Kernel, e: int, micro: bool = True) -> bool:
    return (k.active_slot == e or k.demand_slot == e
            or (micro and any(m.op in ("load", "gather") and m.args[1] == e for m in k.micro)))


def private(plan: Plan, i: int) -> bool:
    """Whether only node kernels FUSED with edge kernel i read its result slot, and they
    run only in such pairs (demand_full.c's rule; C cannot see outputs, model.py can)."""
    e = plan.kernels[i].out_slot
    if any(o.kind == "vector" and o.index == e for o in plan.outputs):
        return False
    for ins in plan.code:
        a = ins.args
        if (ins.op == "get" and a[1] == e) or (ins.op in ("copy_v", "swap_v") and e in a[:2]):
            return False
        if ins.op == "kernel" and _reads(plan.kernels[a[0]], e):
            return False
        if ins.op == "fused" and (_reads(plan.kernels[a[0]], e)
                                  or _reads(plan.kernels[a[1]], e, micro=a[0] != i)):
            return False
    return True


def pair_holds(plan: Plan, ke: Kernel, kn: Kernel, s: int, c: int, need_store: bool) -> bool:
    e, s_bool = ke.out_slot, plan.slots[s] == "bool"
    val: dict[int, object] = {}
    taint: dict[int, bool] = {}
    imm: dict[int, int] = {}
    stores_e = False
    for m in kn.micro:
        op, a = m.op, m.args
        if op not in _SAFE and op not in _REDUCTIONS:
            return False
        if op == "store" or op in _REDUCTIONS:
            if taint.get(a[2], False):
                return False
            stores_e |= op == "store" and a[1] == e
            continue
        ins = a[1:] if op not in ("load", "imm", "bcast", "random") else []
        x = [val.get(t) for t in ins]
        t = any(taint.get(q, False) for q in ins)
        out = None
        if op == "load":
            t = a[1] == e
            out = None if t else (_ZERO if c else _ONE) if a[1] == s and s_bool else ("cur", a[1])
        elif op == "imm":
            imm[a[0]] = _word(a[1])
            val[a[0]], taint[a[0]] = {0: _ZERO, 1: _ONE}.get(imm[a[0]]), False
            continue
        elif op in ("eq_i", "ne_i") and not s_bool:
            hit = ((x[0] == ("cur", s) and imm.get(ins[1]) == c)
                   or (x[1] == ("cur", s) and imm.get(ins[0]) == c))
            if hit:
                out, t = (_ZERO if op == "eq_i" else _ONE), False
        elif op == "not":
            out = {_ZERO: _ONE, _ONE: _ZERO}.get(x[0])
        elif op in ("and", "or"):
            absorb = _ZERO if op == "and" else _ONE
            if any(x[i] == absorb and not taint.get(ins[i], False) for i in (0, 1)):
                out, t = absorb, False
        elif op == "where" and not taint.get(ins[0], False) and x[0] in (_ZERO, _ONE):
            pick = ins[1] if x[0] == _ONE else ins[2]
            out, t = val.get(pick), taint.get(pick, False)
        imm.pop(a[0], None)
        val[a[0]], taint[a[0]] = (None if t else out), t
    return stores_e or not need_store


def find_demand(plan: Plan, ke: Kernel, kn: Kernel, need_store: bool) -> tuple[int, int]:
    """The first (slot, value) the pair proves, from kn's int loads and immediates and its
    bool loads, or (-1, 0)."""
    imms = {_word(m.args[1]) for m in kn.micro if m.op == "imm"}
    for m in kn.micro:
        if m.op != "load" or m.args[1] == ke.out_slot:
            continue
        s = m.args[1]
        for c in ((0, 1) if plan.slots[s] == "bool" else sorted(imms)):
            if kernel_allows(plan, ke, s, c) and pair_holds(plan, ke, kn, s, c, need_store):
                return s, c
    return -1, 0


def claim_demand(plan: Plan, enabled: bool = True) -> None:
    for k in plan.kernels:
        k.demand_slot, k.demand_value = -1, 0
    if not enabled:
        return
    runs = [ins for ins in plan.code if ins.op in ("kernel", "fused")]
    for i, ke in enumerate(plan.kernels):
        mine = [ins for ins in runs if ins.args[0] == i]
        if ke.domain != "edge" or not mine or any(ins.op != "fused" for ins in mine):
            continue
        need_store = early_exit(plan, ke) or not private(plan, i)
        found = {find_demand(plan, ke, plan.kernels[ins.args[1]], need_store) for ins in mine}
        if len(found) == 1:
            ke.demand_slot, ke.demand_value = found.pop()
