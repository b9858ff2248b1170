"""Common-subexpression elimination by scoped value numbering.

Two ops are the same value when they have the same op, type, arg and operands.  Operands
are sorted only for commutative ops (ir.nodes.COMMUTATIVE), so `a - b` and `b - a` stay
apart.  A value is reused only where it dominates: an op in an enclosing block before
this one, or earlier in the same block; ops inside a loop body or an if arm are not
visible after it.  A repeated op that may raise is merged too: if the first did not
raise, the second, computing the same thing, cannot.  Aggregations compare by their
whole edge graph, which is numbered canonically first.
"""
from __future__ import annotations

from typing import Any

from ..ir.nodes import COMMUTATIVE, Block, Function, Node, Op, follow

_NEVER = frozenset({Op.LOOP, Op.IF, Op.RESULT, Op.ARG})


def cse(fn: Function) -> Function:
    numbering = _Cse()
    numbering.block(fn.body, {})
    fn.changes += bool(numbering.subst)   # every merge is a substitution
    return fn


def _arg_key(node: Node) -> Any:
    if node.op is Op.CONST:  # repr tells 0.0 from -0.0 and makes nan equal to itself
        return (type(node.arg), repr(node.arg))
    if node.op is Op.AGG:
        return (node.arg, edge_key(node.regions[0]))
    return node.arg


def _operands(node: Node, ids: list) -> tuple:
    return tuple(sorted(ids)) if node.op in COMMUTATIVE else tuple(ids)


def edge_key(block: Block) -> tuple:
    """A structural key of a closed edge graph: its ops numbered in order."""
    index: dict[Node, int] = {}
    parts = []
    for n in block.nodes:
        index[n] = len(index)
        parts.append((n.op, n.type, _arg_key(n), _operands(n, [index[s] for s in n.src])))
    return tuple(parts), tuple(index[y] for y in block.yields)


class _Cse:
    def __init__(self):
        self.subst: dict[Node, Node] = {}

    def look(self, node: Node) -> Node:
        return follow(self.subst, node)

    def block(self, block: Block, outer: dict) -> None:
        scope = dict(outer)
        out = []
        for n in block.nodes:
            n.src = tuple(self.look(s) for s in n.src)
            for region in n.regions:
                # an edge graph is closed: nothing outside it is visible inside
                self.block(region, {} if n.op is Op.AGG else scope)
            if n.op in _NEVER:
                out.append(n)
                continue
            key = (n.op, n.type, _arg_key(n), _operands(n, [id(s) for s in n.src]))
            seen = scope.get(key)
            if seen is not None:
                self.subst[n] = seen
            else:
                scope[key] = n
                out.append(n)
        block.nodes = out
        block.yields = [self.look(y) for y in block.yields]
