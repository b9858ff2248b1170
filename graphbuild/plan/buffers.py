"""The memory plan: what each node-vector buffer holds, when, and what reuse saved.

After alloc.py has shared slots, each slot is one buffer of n elements from the arena of its
element size (8 bytes: int, float, node; 1 byte: bool).  This module records, in
plan.stats, what `profile-memory` and the runtime's pool read:
- buffers: per slot its dtype, size class (element bytes), the variables it holds, the
  first instruction that writes it, its live range as intervals of top-level instruction
  indices, and the source lines that read or write it.  Liveness follows the jumps, so a
  value read around a loop's back edge is live over the whole loop;
- live_bytes_per_node: per instruction, the bytes per node of the buffers in use there
  (live across it, read or written by it): the timeline profile-memory draws;
- inplace: stores into a slot the same kernel loads (an elementwise update in place);
- swaps: swap_v instructions left (each a pointer swap, never a copy), copies: copy_v left;
  copies_removed and swaps_removed: the moves slot sharing made idle and dropped.
"""
from __future__ import annotations

from typing import Any

from .effects import slot_effects
from .liveness import BYTES, liveness
from .model import Instr, Plan

MOVES = ("copy_v", "swap_v")


def count_moves(plan: Plan) -> dict[str, int]:
    """How many copy_v and swap_v instructions the plan has."""
    return {op: sum(1 for ins in plan.code if ins.op == op) for op in MOVES}


def memory_stats(plan: Plan, moves_before: dict[str, int]) -> dict[str, Any]:
    """The stats entries above; moves_before is count_moves before slots were shared."""
    after = count_moves(plan)
    used = in_use(plan)
    return {
        "buffers": buffer_records(plan, used),
        "live_bytes_per_node": live_bytes_per_node(plan, used),
        "inplace": inplace_count(plan),
        "swaps": after["swap_v"],
        "copies": after["copy_v"],
        "copies_removed": moves_before["copy_v"] - after["copy_v"],
        "swaps_removed": moves_before["swap_v"] - after["swap_v"],
    }


def in_use(plan: Plan) -> list[set[int]]:
    """Per instruction, the slots live across it or read or written by it."""
    lv = liveness(plan)
    return [out | eff.uses | eff.defs for out, eff in zip(lv.live_out, lv.effects)]


def live_bytes_per_node(plan: Plan, used: list[set[int]] | None = None) -> list[int]:
    """used: in_use(plan), if the caller has it."""
    size = [BYTES[dtype] for dtype in plan.slots]
    return [sum(size[s] for s in slots) for slots in (in_use(plan) if used is None else used)]


def buffer_records(plan: Plan, used: list[set[int]] | None = None) -> list[dict[str, Any]]:
    """used: in_use(plan), if the caller has it."""
    used = in_use(plan) if used is None else used
    names = plan.stats.get("slot_names", [])
    if not (isinstance(names, list) and all(isinstance(n, list) and all(isinstance(v, str) for v in n)
                                            for n in names)):
        names = []   # a plan file's stats are anyone's text: no names rather than wrong ones
    first_write: dict[int, int] = {}
    for pc, ins in enumerate(plan.code):
        for s in slot_effects(plan, ins).defs:
            first_write.setdefault(s, pc)
    lines = source_lines(plan)
    live: list[list[int]] = [[] for _ in plan.slots]
    for pc, slots in enumerate(used):
        for s in slots:
            live[s].append(pc)
    records = []
    for s, dtype in enumerate(plan.slots):
        records.append({
            "slot": s,
            "dtype": dtype,
            "size_class": BYTES[dtype],
            "variables": list(names[s]) if s < len(names) else [],
            "first_write_pc": first_write.get(s, -1),
            "live": intervals(live[s]),
            "source_lines": sorted(lines.get(s, ())),
        })
    return records


def intervals(pcs: list[int]) -> list[list[int]]:
    """Sorted instruction indices -> inclusive [start, end] runs of consecutive ones."""
    runs: list[list[int]] = []
    for pc in pcs:
        if runs and runs[-1][1] == pc - 1:
            runs[-1][1] = pc
        else:
            runs.append([pc, pc])
    return runs


def inplace_count(plan: Plan) -> int:
    """Stores into a slot the same node kernel (or the node half of a fused pair) loads."""
    count = 0
    for ins in plan.code:
        if ins.op not in ("kernel", "fused"):
            continue
        k = plan.kernels[ins.args[-1]]
        if k.domain != "node":
            continue
        loads = {m.args[1] for m in k.micro if m.op == "load"}
        count += sum(1 for m in k.micro if m.op == "store" and m.args[1] in loads)
    return count


def source_lines(plan: Plan) -> dict[int, set[int]]:
    """Per slot, the .gdsl lines of the instructions and micro-ops that read or write it (a
    load's own location is the value's definition, so its instruction's line says who reads
    it): one pass over the plan."""
    found: dict[int, set[int]] = {}

    def line(m: Instr) -> int | None:
        return plan.locations[m.loc].line if 0 <= m.loc < len(plan.locations) else None

    for ins in plan.code:
        for slot, touching in _touching(plan, ins).items():
            lines = found.setdefault(slot, set())
            lines.update(x for x in map(line, touching + [ins]) if x is not None)
    return found


def _touching(plan: Plan, ins: Instr) -> dict[int, list[Instr]]:
    """The slots ins reads or writes, each with the instructions or micro-ops that do."""
    if ins.op in MOVES:
        return {s: [ins] for s in ins.args[:2]}
    if ins.op == "get":
        return {ins.args[1]: [ins]}
    if ins.op == "gather_v":
        return {s: [ins] for s in ins.args[:3]}
    found: dict[int, list[Instr]] = {}
    if ins.op not in ("kernel", "fused"):
        return found
    for k in (plan.kernels[x] for x in ins.args):
        for m in k.micro:
            if m.op in ("load", "gather", "store"):
                found.setdefault(m.args[1], []).append(m)
        if k.domain == "edge":
            header = Instr("kernel", [], k.loc)
            found.setdefault(k.out_slot, []).append(header)
            if k.default_kind == "slot" and k.default_index != k.out_slot:
                found.setdefault(k.default_index, []).append(header)
    return found
