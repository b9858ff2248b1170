"""Loop-invariant code motion: move ops that do not change between passes out of loops.

An op in a loop's condition or body is invariant when none of its operands is defined in
the loop (a region argument, or another op of the loop that stays); it moves to just
before the loop.  Inner loops are processed first, so an invariant climbs out of every
loop it does not depend on.  Only ops that cannot raise move (ir/effects.py): running a
raising op before a loop that might not run it, or before an earlier raising op of the
loop, would change which error a program reports.  Region ops stay put (an aggregation,
whose edge graph is closed, is not a region op in this sense and moves like any op).
"""
from __future__ import annotations

from ..ir.dataflow import loop_defined, may_raise
from ..ir.nodes import Block, Function, Node, Op

_FIXED = frozenset({Op.LOOP, Op.IF, Op.RESULT, Op.ARG, Op.PARAM})


def licm(fn: Function) -> Function:
    fn.changes += _block(fn.body)
    return fn


def _block(block: Block) -> bool:
    """Hoist out of every loop in block; whether anything moved."""
    out: list[Node] = []
    moved = False
    for n in block.nodes:
        if n.op is not Op.AGG:
            for region in n.regions:
                moved |= _block(region)
        if n.op is Op.LOOP:
            hoisted = _hoist(n)
            moved |= bool(hoisted)
            out.extend(hoisted)
        out.append(n)
    block.nodes = out
    return moved


def _hoist(loop: Node) -> list[Node]:
    """Remove the loop's invariant top-level ops from its regions and return them in order."""
    inside = loop_defined(loop)
    hoisted: list[Node] = []
    for region in loop.regions:
        stay: list[Node] = []
        for n in region.nodes:
            if n.op not in _FIXED and not may_raise(n) and not any(s in inside for s in n.src):
                hoisted.append(n)
                inside.discard(n)
            else:
                stay.append(n)
        region.nodes = stay
    return hoisted
