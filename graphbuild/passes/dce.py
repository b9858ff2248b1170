"""Dead-code elimination that keeps every run-time error the program can raise.

An op is kept when its value is needed (by a returned value, a kept op, a carried value
that is itself needed) or when it may raise (ir/effects.py): removing `x // y` whose
result is unused would turn a failing run into a succeeding one, so it stays unless its
divisor is a nonzero constant.  A `while` loop may raise (the iteration limit), so it is
never removed; a `repeat` loop or an if whose results are unused and whose regions cannot
raise is removed whole.  Loop-carried values that nothing needs are dropped from the
loop (with their region arguments, yields and results), if results likewise, and an
aggregation's captures that its edge graph no longer reads.
"""
from __future__ import annotations

from ..ir.dataflow import may_raise, reads
from ..ir.nodes import (EDGE_LEAVES, Block, Function, LoopKind, Node, Op, agg_captures, keep_results,
                        result_count)


def dce(fn: Function) -> Function:
    before = _size(fn.body)
    _block(fn.body, set())
    fn.changes += _size(fn.body) != before   # DCE only removes: any change shrinks the IR
    return fn


def _size(block: Block) -> int:
    """Ops, operands, region arguments and yields, through every region."""
    total = len(block.nodes) + len(block.args) + len(block.yields)
    for n in block.nodes:
        total += len(n.src) + sum(_size(r) for r in n.regions)
    return total


def _block(block: Block, live: set[Node]) -> None:
    """Remove dead ops of block; on return live also holds every value block reads."""
    live.update(block.yields)
    out: list[Node] = []
    results: dict[Node, list[Node]] = {}
    for n in reversed(block.nodes):
        if n.op is Op.RESULT:
            results.setdefault(n.src[0], []).insert(0, n)
            continue
        if n.op in (Op.LOOP, Op.IF):
            owned = results.get(n, [])
            kept = _region_op(n, owned, live)
            if kept is None:
                continue
            out.extend(reversed(kept))
        elif n in live or may_raise(n):
            if n.op is Op.AGG:
                _agg(n)
        else:
            continue
        out.append(n)
        live.update(n.src)
    block.nodes = out[::-1]


def _region_op(n: Node, owned: list[Node], live: set[Node]) -> list[Node] | None:
    """Prune a LOOP/IF's unneeded results; None when the whole op is dead."""
    used = {r.arg for r in owned if r in live}
    if n.op is Op.LOOP:
        used = _needed_carried(n, used)
        if n.arg is LoopKind.SOURCES and (used or may_raise(n)):
            used = _needed_carried(n, used | {0})   # the pass index: plan/emit.py steps it
    if not used and not may_raise(n):
        return None
    keep = sorted(used)
    if len(keep) < result_count(n):
        keep_results(n, keep)
    kept = [r for r in owned if r.arg in used]
    for i, r in enumerate(kept):
        r.arg = i
    for region in n.regions:
        _block(region, live)
    return kept


def _needed_carried(loop: Node, used: set[int]) -> set[int]:
    """Carried values needed after the loop or to compute a needed one, to a fixed point."""
    needed = set(used)
    body = loop.regions[-1]
    while True:
        reads: set[Node] = set()
        for region in loop.regions:
            if region is body:  # the carried values, then the until condition if any
                roots = [body.yields[i] for i in needed] + body.yields[len(body.args):]
            else:               # a while loop's condition
                roots = list(region.yields)
            reads |= _dry_live(region, roots)
        grown = needed | {i for region in loop.regions for i, a in enumerate(region.args) if a in reads}
        if grown == needed:
            return needed
        needed = grown


def _dry_live(block: Block, roots: list[Node]) -> set[Node]:
    """The values block needs for roots, without changing it (regions counted whole)."""
    live = set(roots)
    for n in reversed(block.nodes):
        if n in live or may_raise(n):
            live |= reads(n)
    return live


def _agg(n: Node) -> None:
    """Drop dead edge-graph ops, then captures no leaf reads (renumbering the leaves)."""
    edge = n.regions[0]
    _block(edge, set())
    captures = agg_captures(n)
    leaves = [m for m in edge.nodes
              if m.op in EDGE_LEAVES and m.op not in (Op.E_NBR, Op.E_WEIGHT, Op.E_COMMON)]
    used = sorted({m.arg for m in leaves})
    if len(used) == len(captures):
        return
    renumber = {old: new for new, old in enumerate(used)}
    for m in leaves:
        m.arg = renumber[m.arg]
    tail = n.src[len(captures):]
    n.src = (*(captures[i] for i in used), *tail)
