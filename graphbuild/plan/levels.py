"""Execution levels, and how many passes over the graph one loop iteration makes.

A level is a group of consecutive instructions that do not depend on each other: none
writes a register or slot another reads or writes, and at most one may fail at run time
(so the first error reported stays the program's first).  The parallel executor may run
the ops of one level side by side.  Levels are numbered through the whole plan: each jump
target and each control-flow instruction starts a new one, so a level never spans a
branch.  The plan records them per instruction in stats["op_levels"].
"""
from __future__ import annotations

from .effects import CONTROL, register_effects, slot_effects
from .model import Instr, Plan

_FAILING_TOP = {"floordiv_i", "mod_i", "pow_i", "f2i", "get", "gather_v", "check_iter"}
_FAILING_MICRO = {"floordiv_i", "mod_i", "pow_i", "f2i", "red_argmin_i", "red_argmin_f", "red_argmax_i",
                  "red_argmax_f"}


def may_fail(plan: Plan, ins: Instr) -> bool:
    if ins.op in ("kernel", "fused"):
        return any(m.op in _FAILING_MICRO for k in ins.args for m in plan.kernels[k].micro)
    return ins.op in _FAILING_TOP


def _touches(plan: Plan, ins: Instr) -> tuple[set, set]:
    """(what ins reads, what it writes) as ("r", index) and ("s", index) keys."""
    rr, rw = register_effects(plan, ins)
    se = slot_effects(plan, ins)
    reads = {("r", i) for i in rr} | {("s", i) for i in se.uses}
    writes = {("r", i) for i in rw} | {("s", i) for i in se.defs}
    return reads, writes


def op_levels(plan: Plan) -> list[int]:
    """Each instruction's level: one past the highest level, in its segment, of an earlier
    instruction it conflicts with (writes what it touches, reads what it writes, or may fail
    when it may).  The highest such levels are kept per register and slot, so this is one
    pass over the plan however long a segment is."""
    targets = {ins.args[-1] for ins in plan.code if ins.op in ("jump", "jump_if_false")}
    levels: list[int] = []
    base = 0        # the first level of the current segment
    next_free = 0   # the first level no instruction uses yet
    written: dict = {}    # key -> the highest level writing it in this segment
    read: dict = {}       # key -> the highest level reading it in this segment
    failing = -1          # the highest level of an op that may fail in this segment
    for pc, ins in enumerate(plan.code):
        if pc in targets or ins.op in CONTROL:
            written, read, failing, base = {}, {}, -1, next_free
        reads, writes = _touches(plan, ins)
        fails = may_fail(plan, ins)
        level = base
        for key in reads | writes:
            level = max(level, written.get(key, -1) + 1)
        for key in writes:
            level = max(level, read.get(key, -1) + 1)
        if fails:
            level = max(level, failing + 1)
        levels.append(level)
        next_free = max(next_free, level + 1)
        if ins.op in CONTROL:
            written, read, failing, base = {}, {}, -1, next_free
        else:
            for key in reads:
                read[key] = max(read.get(key, -1), level)
            for key in writes:
                written[key] = max(written.get(key, -1), level)
            if fails:
                failing = max(failing, level)
    return levels


def _loops(plan: Plan) -> list[tuple[int, int]]:
    """(first, last) instruction of every loop: a backward jump and its target."""
    found = []
    for pc, ins in enumerate(plan.code):
        if ins.op in ("jump", "jump_if_false") and ins.args[-1] <= pc:
            found.append((ins.args[-1], pc))
    return found


def passes_per_iteration(plan: Plan) -> tuple[int, int]:
    """(edge passes, node passes) in one iteration of the innermost loop that makes an edge
    pass (else the innermost loop with a node pass, else the whole plan).  A fused pair is
    one edge pass: its node kernel runs on each block while the aggregation's values are
    still in cache."""
    def count(first: int, last: int) -> tuple[int, int]:
        edge = node = 0
        for ins in plan.code[first:last + 1]:
            if ins.op == "fused":
                edge += 1
            elif ins.op == "kernel":
                if plan.kernels[ins.args[0]].domain == "edge":
                    edge += 1
                else:
                    node += 1
        return edge, node

    loops = sorted(_loops(plan), key=lambda r: r[1] - r[0])
    for want in (0, 1):
        for first, last in loops:
            if count(first, last)[want] > 0:
                return count(first, last)
    return count(0, len(plan.code) - 1)
