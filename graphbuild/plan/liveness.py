"""Slot liveness over a plan's instructions, and the memory it implies.

Backward dataflow over the instruction graph (jumps included, so a slot read in a loop
is live around the back edge): a slot is live after an instruction when some path from
there reads it before writing it.  Outputs are live at the end.

`conflicts` lists, per instruction, the sets of slots that hold different values at the
same moment: what is live after it together with what it writes, or with the slots
effects.py says an instruction has in use at once.  Two slots in one set can never share
storage; the largest set is the least number of slots any assignment of this plan could
use (`max_live`), which `profile-memory` reports as the theoretical minimum.

A swap_v whose one side is dead afterwards is a move (the loop back edge's way of making
the body's new value the carried one); treating it as `a := b` lets the allocator give
both one slot and drop the swap.
"""
from __future__ import annotations

from dataclasses import dataclass

from .effects import SlotEffects, slot_effects, successors
from .model import Plan

BYTES = {"float": 8, "int": 8, "node": 8, "bool": 1}


def _effective(eff: SlotEffects, after: set[int]) -> SlotEffects:
    """A swap as what it does given what is live after it."""
    if eff.swap is None:
        return eff
    a, b = eff.swap
    if a in after and b in after:
        return eff
    if a in after:
        return SlotEffects({b}, {a}, swap=eff.swap)
    if b in after:
        return SlotEffects({a}, {b}, swap=eff.swap)
    return SlotEffects(set(), set(), swap=eff.swap)


@dataclass
class Liveness:
    ops: list[str]
    live_out: list[set[int]]
    effects: list[SlotEffects]   # with each swap resolved against live_out

    def conflicts(self, pc: int) -> list[set[int]]:
        """Sets of slots that hold different values at one moment of instruction pc: what
        lives across it, with each set of slots it has in use at once."""
        out = self.live_out[pc]
        return [(out - spared) | during for during, spared in self.effects[pc].groups]

    def moves(self) -> list[tuple[int, int, int]]:
        """(pc, dst, src) of every copy_v and move-like swap_v: candidates to share a slot."""
        found = []
        for pc, eff in enumerate(self.effects):
            if self.ops[pc] in ("copy_v", "swap_v") and len(eff.defs) == 1 and len(eff.uses) == 1:
                (dst,), (src,) = eff.defs, eff.uses
                found.append((pc, dst, src))
        return found


def liveness(plan: Plan) -> Liveness:
    n = len(plan.code)
    raw = [slot_effects(plan, ins) for ins in plan.code]
    exit_live = {o.index for o in plan.outputs if o.kind == "vector"}
    live_in: list[set[int]] = [set() for _ in range(n + 1)]
    live_in[n] = exit_live
    out: list[set[int]] = [set() for _ in range(n)]
    effects = list(raw)
    changed = True
    while changed:
        changed = False
        for pc in range(n - 1, -1, -1):
            after = set().union(*(live_in[s] for s in successors(plan, pc)))
            effects[pc] = eff = _effective(raw[pc], after)
            before = (after - eff.defs) | eff.uses
            if after != out[pc] or before != live_in[pc]:
                out[pc], live_in[pc] = after, before
                changed = True
    return Liveness([ins.op for ins in plan.code], out, effects)


def live_out(plan: Plan) -> list[set[int]]:
    """For each instruction, the slots live after it."""
    return liveness(plan).live_out


def max_live(plan: Plan) -> tuple[int, int]:
    """(slots, bytes per node) of the largest set of slots that must hold different values
    at one moment: no slot assignment of this plan can do with fewer."""
    lv = liveness(plan)
    count = peak = 0
    for pc in range(len(plan.code)):
        for group in lv.conflicts(pc):
            count = max(count, len(group))
            peak = max(peak, sum(BYTES[plan.slots[s]] for s in group))
    return count, peak


def peak_bytes_per_node(plan: Plan) -> int:
    """Bytes per node of the largest set of slots one instruction needs at once."""
    return max_live(plan)[1]
