"""Active sets: the nodes where a node kernel can change anything (claimed in the plan).

A node kernel's active set is the true nodes of a bool slot G, its guard, when at every
node v where G[v] is false as the kernel starts
- each STORE writes back the value its slot already holds there,
- each reduction's lane is 0 there and the reduction is any, count or an int sum (so a
  skipped lane is its identity, in any order), and
- no micro-op can fail (a skipped node must not hide an error a full sweep would raise).
Running the kernel only at G's true nodes then leaves every slot and register exactly
as a full sweep does.  BFS's `frontier = any(...) and level == -1; level = where(frontier,
depth, level)` is guarded by the aggregation's result, `any(frontier)` by frontier,
k-core's peeling step by peel.

The rule is a symbolic run of the micro-ops under "G[v] is 0": a temp is 0, 1, the
value slot s holds at v (cur s), or unknown.  C runs the same rule on the claim
(csrc/exec/active.c) and refuses a guard it does not prove; a kernel may always claim
none (every node).

A guarded kernel that only reduces loads of G by any or count (BFS's `any(frontier)`)
claims shape `active_size`: where the executor lists G's true nodes (frontier lists) it
takes the results from the list's length instead of running a pass.
"""
from __future__ import annotations

import struct

from .model import Kernel, Plan

# micro-ops that cannot fail (a whitelist, so an opcode added later is never skipped over)
_SAFE = {"load", "imm", "bcast", "node_id", "in_deg", "out_deg", "degree", "random", "store",
         "add_i", "sub_i", "mul_i", "min_i", "max_i", "add_f", "sub_f", "mul_f", "div_f",
         "min_f", "max_f", "neg_i", "abs_i", "neg_f", "abs_f", "sqrt", "exp", "log", "floor",
         "ceil", "i2f", "and", "or", "not", "where", "eq_i", "ne_i", "lt_i", "le_i", "gt_i",
         "ge_i", "eq_f", "ne_f", "lt_f", "le_f", "gt_f", "ge_f",
         "red_any", "red_count", "red_sum_i"}
_ZERO, _ONE = "0", "1"


def _word(value) -> int:
    """An immediate's 64-bit word, as the runtime encodes it."""
    if isinstance(value, float):
        return struct.unpack("<q", struct.pack("<d", value))[0]
    return int(value)


def guard_holds(plan: Plan, k: Kernel, g: int) -> bool:
    """Whether bool slot g guards node kernel k (the rule above)."""
    if k.domain != "node" or not 0 <= g < len(plan.slots) or plan.slots[g] != "bool":
        return False
    val: dict[int, object] = {}

    def boolish(x) -> bool:
        return x in (_ZERO, _ONE) or (isinstance(x, tuple) and plan.slots[x[1]] == "bool")

    for m in k.micro:
        op, a = m.op, m.args
        if op not in _SAFE:
            return False
        if op == "store":
            cur = _ZERO if a[1] == g else ("cur", a[1])
            if val.get(a[2]) != cur:
                return False
            continue
        if op.startswith("red_"):
            if val.get(a[2]) != _ZERO:
                return False
            continue
        x = [val.get(t) for t in a[1:]]
        out = None
        if op == "load":
            out = _ZERO if a[1] == g else ("cur", a[1])
        elif op == "imm":
            out = {0: _ZERO, 1: _ONE}.get(_word(a[1]))
        elif op == "not":
            out = {_ZERO: _ONE, _ONE: _ZERO}.get(x[0])
        elif op in ("and", "or"):
            absorb, unit = (_ZERO, _ONE) if op == "and" else (_ONE, _ZERO)
            if absorb in x:
                out = absorb
            elif x[0] == unit and boolish(x[1]):
                out = x[1]
            elif x[1] == unit and boolish(x[0]):
                out = x[0]
        elif op == "where":
            out = x[2] if x[0] == _ZERO else x[1] if x[0] == _ONE else x[1] if x[1] == x[2] else None
        val[a[0]] = out
    return True


def find_guard(plan: Plan, k: Kernel) -> int:
    """The first bool slot k loads that guards it, or -1 (every node)."""
    for m in k.micro:
        if m.op == "load" and guard_holds(plan, k, m.args[1]):
            return m.args[1]
    return -1


def counts_its_active_set(k: Kernel) -> bool:
    """Whether node kernel k only loads its active slot G and reduces those loads by any or
    count: at G's true nodes each load is 1, so each result is a function of how many they
    are (any: some; count: that many) and a run that lists them needs no pass."""
    if k.domain != "node" or k.active_slot < 0:
        return False
    loaded, reductions = set(), 0
    for m in k.micro:
        if m.op == "load" and m.args[1] == k.active_slot:
            loaded.add(m.args[0])
        elif m.op in ("red_any", "red_count") and m.args[2] in loaded:
            reductions += 1
        else:
            return False
    return reductions > 0


def claim_active(plan: Plan, enabled: bool = True) -> None:
    for k in plan.kernels:
        k.active_slot = find_guard(plan, k) if enabled and k.domain == "node" else -1
        if counts_its_active_set(k):
            k.shape = "active_size"
