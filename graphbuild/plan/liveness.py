"""Slot liveness over a plan's instructions, and the memory it implies.

Backward dataflow over the instruction graph (jumps included, so a slot read in a loop
is live around the back edge): a slot is live after an instruction when some path from
there reads it before writing it.  The peak over instructions of the slots live across,
read or written by one instruction is the least node-vector memory any slot assignment
of this plan could use; `profile-memory` reports it as the theoretical minimum.
"""
from __future__ import annotations

from .model import Instr, Plan

BYTES = {"float": 8, "int": 8, "node": 8, "bool": 1}


def slot_effects(plan: Plan, ins: Instr) -> tuple[set[int], set[int]]:
    """(slots ins reads, slots it writes)."""
    if ins.op == "kernel":
        k = plan.kernels[ins.args[0]]
        reads = {m.args[1] for m in k.micro if m.op in ("load", "gather")}
        writes = {m.args[1] for m in k.micro if m.op == "store"}
        if k.domain == "edge":
            writes.add(k.out_slot)
            if k.default_kind == "slot":
                reads.add(k.default_index)
        return reads, writes
    if ins.op == "copy_v":
        return {ins.args[1]}, {ins.args[0]}
    if ins.op == "swap_v":
        return {ins.args[0], ins.args[1]}, {ins.args[0], ins.args[1]}
    if ins.op == "get":
        return {ins.args[1]}, set()
    return set(), set()


def _successors(plan: Plan, pc: int) -> list[int]:
    ins = plan.code[pc]
    if ins.op == "jump":
        return [ins.args[0]]
    if ins.op == "jump_if_false":
        return [pc + 1, ins.args[1]]
    return [pc + 1]


def live_out(plan: Plan) -> list[set[int]]:
    """For each instruction, the slots live after it (outputs are live at the end)."""
    n = len(plan.code)
    exit_live = {o.index for o in plan.outputs if o.kind == "vector"}
    effects = [slot_effects(plan, ins) for ins in plan.code]
    live_in: list[set[int]] = [set() for _ in range(n + 1)]
    live_in[n] = exit_live
    out: list[set[int]] = [set() for _ in range(n)]
    changed = True
    while changed:
        changed = False
        for pc in range(n - 1, -1, -1):
            after = set().union(*(live_in[s] for s in _successors(plan, pc)))
            ins = plan.code[pc]
            if ins.op == "swap_v":  # each slot's new content is the other's old one
                a, b = ins.args
                before = (after - {a, b}) | ({b} if a in after else set()) | ({a} if b in after else set())
            else:
                reads, writes = effects[pc]
                before = (after - writes) | reads
            if after != out[pc] or before != live_in[pc]:
                out[pc], live_in[pc] = after, before
                changed = True
    return out


def peak_bytes_per_node(plan: Plan) -> int:
    """Bytes per node of the largest set of slots one instruction needs at once."""
    peak = 0
    for pc, after in enumerate(live_out(plan)):
        reads, writes = slot_effects(plan, plan.code[pc])
        peak = max(peak, sum(BYTES[plan.slots[s]] for s in after | reads | writes))
    return peak
