"""Strength reduction where it is exact: a cheaper op computing the same bits.

    x ** 2 -> x * x      ints only: the executor's float ** is libm's pow, which differs
                         from the correctly rounded x * x by an ulp for about 1 in 2,500
                         doubles (glibc 2.36), so for floats it stays a pow
    x ** 0 -> 1          ints (the exponent is not negative, so nothing can raise) and
                         floats (pow(x, 0.0) is 1.0 for every x, nan included)
    x / c -> x * (1/c)   c a power of two whose reciprocal is a normal float: both are
                         the correctly rounded x * 2**-k
    x * -1 -> -x         ints (wrapping) and floats (IEEE multiplication by -1 flips the sign)
Not done, because it is not faster or not exact: x * 2 -> x + x, x ** 0.5 -> sqrt(x)
(pow(-0.0, 0.5) is +0.0, sqrt(-0.0) is -0.0), x // 1.0 -> floor(x) (Python's float //
gives nan for inf // 1.0, floor gives inf), x / c -> x * (1/c) for other c.
"""
from __future__ import annotations

import math

from ..ir.nodes import COMMUTATIVE, Function, Node, Op
from ..types import DType
from .rewrite import Result, Rewrite, apply_rules, constant_like, is_const, node_like


def _const_value(node: Node):
    return node.arg if node.op is Op.CONST and not isinstance(node.arg, bool) else None


def square(n: Node, in_edge: bool) -> Result:
    if n.op is Op.POW and n.dtype is not DType.FLOAT and is_const(n.src[1], 2):
        new = node_like(n, Op.MUL, [n.src[0], n.src[0]])
        return Rewrite(new, [new])
    return None


def zeroth_power(n: Node, in_edge: bool) -> Result:
    if n.op is Op.POW and is_const(n.src[1], 0):
        return constant_like(n, 1.0 if n.dtype is DType.FLOAT else 1, in_edge)
    return None


def exact_reciprocal(c: float) -> float | None:
    """1/c when c is a power of two whose reciprocal is a normal float, else None."""
    if not math.isfinite(c) or c == 0.0 or abs(math.frexp(c)[0]) != 0.5:
        return None
    r = 1.0 / c
    return r if math.isfinite(r) and abs(r) >= 2.0 ** -1022 and r * c == 1.0 else None


def division_by_power_of_two(n: Node, in_edge: bool) -> Result:
    if n.op is not Op.DIV:
        return None
    c = _const_value(n.src[1])
    r = exact_reciprocal(float(c)) if isinstance(c, float) else None
    if r is None:
        return None
    const = Node(Op.CONST, n.src[1].type, (), r, n.loc)
    new = node_like(n, Op.MUL, [n.src[0], const])
    return Rewrite(new, [const, new])


def times_minus_one(n: Node, in_edge: bool) -> Result:
    if n.op is not Op.MUL:
        return None
    pairs = [(n.src[0], n.src[1]), (n.src[1], n.src[0])] if n.op in COMMUTATIVE else [n.src]
    for x, other in pairs:
        if _const_value(other) == -1:
            new = node_like(n, Op.NEG, [x])
            return Rewrite(new, [new])
    return None


RULES = (square, zeroth_power, division_by_power_of_two, times_minus_one)


def strength_reduce(fn: Function) -> Function:
    fn.changes += apply_rules(fn, RULES)
    return fn
