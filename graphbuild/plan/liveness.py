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


def bits(slots: set[int] | frozenset[int]) -> int:
    """A set of slots as an int whose bit s is set for each slot s."""
    b = 0
    for x in slots:
        b |= 1 << x
    return b


def members(b: int) -> list[int]:
    """The slots of a bit set, ascending.  A few members are peeled off one by one (each
    step costs the int's width in words); more are found in its binary text, whose making
    costs the width once."""
    found = []
    if b.bit_count() <= 16:
        while b:
            low = b & -b
            found.append(low.bit_length() - 1)
            b ^= low
        return found
    text = bin(b)[:1:-1]   # bit i at index i
    i = text.find("1")
    while i >= 0:
        found.append(i)
        i = text.find("1", i + 1)
    return found


def _effective(eff: SlotEffects, after: int) -> SlotEffects:
    """A swap as what it does given what is live after it (a bit set)."""
    if eff.swap is None:
        return eff
    a, b = eff.swap
    a_live, b_live = after >> a & 1, after >> b & 1
    if a_live and b_live:
        return eff
    if a_live:
        return SlotEffects({b}, {a}, swap=eff.swap)
    if b_live:
        return SlotEffects({a}, {b}, swap=eff.swap)
    return SlotEffects(set(), set(), swap=eff.swap)


@dataclass
class Liveness:
    """Live sets are kept as bit sets (ints): a plan before slot allocation may have tens of
    thousands of slots live across tens of thousands of instructions, too many for sets."""

    ops: list[str]
    out_bits: list[int]
    effects: list[SlotEffects]   # with each swap resolved against live_out

    @property
    def live_out(self) -> list[set[int]]:
        return [set(members(b)) for b in self.out_bits]

    def conflicts(self, pc: int) -> list[set[int]]:
        """Sets of slots that hold different values at one moment of instruction pc: what
        lives across it, with each set of slots it has in use at once."""
        return [set(members(b)) for b in self.conflict_bits(pc)]

    def conflict_bits(self, pc: int) -> list[int]:
        """conflicts(pc) as bit sets."""
        out = self.out_bits[pc]
        return [(out & ~bits(spared)) | bits(during) for during, spared in self.effects[pc].groups]

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
    succ = [successors(plan, pc) for pc in range(n)]
    raw_bits = [(bits(e.defs), bits(e.uses)) for e in raw]
    live_in = [0] * (n + 1)
    live_in[n] = bits({o.index for o in plan.outputs if o.kind == "vector"})
    out = [0] * n
    effects = list(raw)
    changed = True
    while changed:
        changed = False
        for pc in range(n - 1, -1, -1):
            after = 0
            for s in succ[pc]:
                after |= live_in[s]
            if raw[pc].swap is not None:
                effects[pc] = eff = _effective(raw[pc], after)
                defs, uses = bits(eff.defs), bits(eff.uses)
            else:
                defs, uses = raw_bits[pc]
            before = (after & ~defs) | uses
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
    masks: dict[int, int] = {}   # bytes per node -> the slots of that size
    for s, dtype in enumerate(plan.slots):
        masks[BYTES[dtype]] = masks.get(BYTES[dtype], 0) | 1 << s
    count = peak = 0
    for pc in range(len(plan.code)):
        for group in lv.conflict_bits(pc):
            count = max(count, group.bit_count())
            peak = max(peak, sum(size * (group & mask).bit_count() for size, mask in masks.items()))
    return count, peak


def peak_bytes_per_node(plan: Plan) -> int:
    """Bytes per node of the largest set of slots one instruction needs at once."""
    return max_live(plan)[1]
