"""Algebraic simplification: exact identities, as a rule table applied to a fixed point.

Every rule is exact for the executor's arithmetic, nan and signed zeros included; rules
that hold only for integers (which wrap) and bools say so, and check it:
    x + 0, 0 + x -> x          (ints: -0.0 + 0.0 is 0.0, not -0.0)
    x + -0.0, -0.0 + x -> x    (floats: adding -0.0 changes nothing, -0.0 included)
    x - 0 -> x;  x * 1, 1 * x -> x;  x / 1.0 -> x;  x ** 1 -> x;  x // 1 -> x (ints)
    x % 1 -> 0;  x - x -> 0;  x * 0, 0 * x -> 0   (ints)
    x and true, x or false -> x;  x and false -> false;  x or true -> true
    x and x, x or x, min(x, x), max(x, x) -> x
    not not x -> x;  -(-x) -> x;  abs(-x), abs(abs(x)) -> abs(x)
    not (a == b) -> a != b  (and !=; floats too: nan == nan is false, nan != nan true)
    not (a < b) -> a >= b   (and the other orders; not floats, where nan breaks it)
    x == x, x <= x, x >= x -> true;  x != x, x < x, x > x -> false   (not floats: nan)
    x + (-y) -> x - y;  x - (-y) -> x + y;  (-x) * (-y) -> x * y
    where(const c, a, b) -> a or b;  where(c, a, a) -> a;  where(not c, a, b) -> where(c, b, a)
    where(c, true, false) -> c;  where(c, false, true) -> not c
    (x + c1) + c2 -> x + (c1 + c2);  (x * c1) * c2 -> x * (c1 * c2)   (ints: wrapping is associative)
"""
from __future__ import annotations

import math

from ..ir.nodes import COMMUTATIVE, Function, Node, Op
from ..types import DType
from .evaluate import evaluate
from .rewrite import Result, Rewrite, apply_rules, constant_like, exact, is_bool, is_const, node_like

_NEGATED = {Op.EQ: Op.NE, Op.NE: Op.EQ, Op.LT: Op.GE, Op.GE: Op.LT, Op.GT: Op.LE, Op.LE: Op.GT}
_REFLEXIVE = {Op.EQ: True, Op.LE: True, Op.GE: True, Op.NE: False, Op.LT: False, Op.GT: False}


def is_negative_zero(node: Node) -> bool:
    return node.op is Op.CONST and isinstance(node.arg, float) and node.arg == 0.0 \
        and math.copysign(1.0, node.arg) < 0


def _pairs(n: Node):
    """(x, other) for each operand order of a binary op (one order if not commutative)."""
    a, b = n.src
    return [(a, b), (b, a)] if n.op in COMMUTATIVE else [(a, b)]


def identity_operand(n: Node, in_edge: bool) -> Result:
    op, src = n.op, n.src
    if op is Op.ADD:
        for x, other in _pairs(n):
            if (exact(n) and is_const(other, 0)) or is_negative_zero(other):
                return x
    if op is Op.SUB and is_const(src[1], 0):
        return src[0]
    if op is Op.MUL:
        for x, other in _pairs(n):
            if is_const(other, 1):
                return x
    if (op is Op.DIV or op is Op.POW) and is_const(src[1], 1):
        return src[0]
    if op is Op.FLOORDIV and exact(n) and is_const(src[1], 1):
        return src[0]
    return None


def integer_zero(n: Node, in_edge: bool) -> Result:
    op, src = n.op, n.src
    if not exact(n) or n.dtype is DType.BOOL:
        return None
    if (op is Op.MOD and is_const(src[1], 1)) or (op is Op.SUB and src[0] is src[1]) or \
            (op is Op.MUL and any(is_const(s, 0) for s in src)):
        return constant_like(n, 0, in_edge)
    return None


def logic(n: Node, in_edge: bool) -> Result:
    if n.op not in (Op.AND, Op.OR):
        return None
    absorbing = n.op is Op.OR          # x or true -> true; x and false -> false
    for x, other in _pairs(n):
        if is_bool(other, not absorbing):
            return x
        if is_bool(other, absorbing):
            return constant_like(n, absorbing, in_edge)
    return None


def idempotent(n: Node, in_edge: bool) -> Result:
    if n.op in (Op.AND, Op.OR, Op.MIN, Op.MAX) and n.src[0] is n.src[1]:
        return n.src[0]
    return None


def double_negation(n: Node, in_edge: bool) -> Result:
    x = n.src[0] if n.src else None
    if n.op in (Op.NOT, Op.NEG) and x.op is n.op:
        return x.src[0]
    if n.op is Op.ABS and x.op in (Op.NEG, Op.ABS):
        if x.op is Op.ABS:
            return x
        new = node_like(n, Op.ABS, [x.src[0]])
        return Rewrite(new, [new])
    return None


def negated_comparison(n: Node, in_edge: bool) -> Result:
    if n.op is not Op.NOT or n.src[0].op not in _NEGATED:
        return None
    cmp = n.src[0]
    if cmp.op not in (Op.EQ, Op.NE) and not exact(cmp.src[0]):
        return None
    new = node_like(n, _NEGATED[cmp.op], cmp.src)
    return Rewrite(new, [new])


def reflexive_comparison(n: Node, in_edge: bool) -> Result:
    if n.op in _REFLEXIVE and n.src[0] is n.src[1] and exact(n.src[0]):
        return constant_like(n, _REFLEXIVE[n.op], in_edge)
    return None


def negation_in_arithmetic(n: Node, in_edge: bool) -> Result:
    if n.op in (Op.ADD, Op.SUB):
        flip = Op.SUB if n.op is Op.ADD else Op.ADD
        for x, other in _pairs(n):
            if other.op is Op.NEG and (n.op is Op.ADD or other is n.src[1]):
                new = node_like(n, flip, [x, other.src[0]])
                return Rewrite(new, [new])
    if n.op is Op.MUL and n.src[0].op is Op.NEG and n.src[1].op is Op.NEG:
        new = node_like(n, Op.MUL, [n.src[0].src[0], n.src[1].src[0]])
        return Rewrite(new, [new])
    return None


def choice(n: Node, in_edge: bool) -> Result:
    if n.op is not Op.WHERE:
        return None
    cond, a, b = n.src
    if cond.op is Op.CONST:
        return a if cond.arg else b
    if a is b:
        return a
    if cond.op is Op.NOT:
        new = node_like(n, Op.WHERE, [cond.src[0], b, a])
        return Rewrite(new, [new])
    if is_bool(a, True) and is_bool(b, False):
        return cond
    if is_bool(a, False) and is_bool(b, True):
        new = node_like(n, Op.NOT, [cond])
        return Rewrite(new, [new])
    return None


def integer_reassociation(n: Node, in_edge: bool) -> Result:
    if n.op not in (Op.ADD, Op.MUL) or not exact(n) or n.dtype is DType.BOOL:
        return None
    for inner, c2 in _pairs(n):
        if inner.op is not n.op or c2.op is not Op.CONST or inner.is_vector != n.is_vector:
            continue
        for x, c1 in _pairs(inner):
            if c1.op is Op.CONST:
                value = evaluate(n.op, n.dtype, [c1.arg, c2.arg])
                const = Node(Op.CONST, c2.type, (), value, n.loc)
                new = node_like(n, n.op, [x, const])
                return Rewrite(new, [const, new])
    return None


RULES = (identity_operand, integer_zero, logic, idempotent, double_negation, negated_comparison,
         reflexive_comparison, negation_in_arithmetic, choice, integer_reassociation)


def simplify(fn: Function) -> Function:
    fn.changes += apply_rules(fn, RULES)
    return fn
