"""Which operations can raise a run-time error: the IR's only side effects besides outputs.

A program's observable behaviour is its outputs and the first run-time error it raises,
so every pass keeps these rules:
- an op that may raise is never removed, even when unused (DCE), never hoisted out of a
  loop or an if arm (LICM), and never folded (constant folding leaves `1 // 0` alone);
- it is removable, hoistable and foldable once its operands prove it cannot raise: an
  integer `//` or `%` by a nonzero constant, `**` with a constant exponent >= 0, int() of
  a finite constant.
Raising ops: integer // and % (division by zero), integer ** (negative exponent), int() of
a float (nan, inf, out of range), x[s] (index out of range), argmin/argmax (no candidate),
a `while` loop (the iteration limit), common(u) (a directed graph), and any region op that
contains one.
"""
from __future__ import annotations

import math

from ..types import DType
from .nodes import LoopKind, Node, Op, walk

_INT64 = (-2**63, 2**63)


def constant(node: Node):
    """The value of a scalar constant, or of fill(constant); None otherwise."""
    if node.op is Op.CONST:
        return node.arg
    if node.op is Op.FILL and node.src[0].op is Op.CONST:
        return node.src[0].arg
    return None


def raises_itself(node: Node) -> bool:
    """Whether node's own operation (not its regions) may raise a run-time error."""
    op = node.op
    if op in (Op.FLOORDIV, Op.MOD):
        if node.dtype is DType.FLOAT:
            return False
        divisor = constant(node.src[1])
        return divisor is None or divisor == 0
    if op is Op.POW:
        if node.dtype is DType.FLOAT:
            return False
        exponent = constant(node.src[1])
        return exponent is None or exponent < 0
    if op is Op.CAST:
        if node.src[0].dtype is not DType.FLOAT or node.dtype is DType.FLOAT:
            return False
        value = constant(node.src[0])
        return value is None or not (math.isfinite(value) and _INT64[0] <= math.trunc(value) < _INT64[1])
    if op in (Op.GET, Op.GATHER_V):   # an index out of range
        return True
    if op is Op.REDUCE:
        return node.arg in ("argmin", "argmax")
    if op is Op.LOOP:
        return node.arg is LoopKind.WHILE
    return op is Op.E_COMMON   # on a directed graph


def may_raise(node: Node) -> bool:
    """Whether running node (its regions included) may raise a run-time error."""
    if raises_itself(node):
        return True
    return any(raises_itself(n) for region in node.regions for n in walk(region))
