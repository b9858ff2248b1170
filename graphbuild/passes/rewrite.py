"""Applying a table of local rewrite rules to every elementwise op, to a fixed point.

A rule sees one op whose operands are already rewritten and returns None to keep it, an
existing value that replaces it, or a Rewrite (new nodes to put just before it, and the
value that replaces it).  The driver enforces what every rule must respect:
- only elementwise ops that cannot raise are rewritten (ir/effects.py), so no run-time
  error appears or disappears; their operands stay in place (DCE decides about them);
- the replacement has exactly the op's type, so a rewrite never changes a shape or dtype;
- inside an aggregation's edge graph, new nodes must be edge-graph ops (no FILL).
Rules take (node, in_edge) and build nodes with `node_like` and `constant_like`.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ..ir.effects import raises_itself
from ..ir.nodes import ELEMENTWISE, Block, Function, Node, Op, follow
from ..types import DType, Shape, Type


@dataclass
class Rewrite:
    value: Node
    new: list[Node] = field(default_factory=list)


Result = Node | Rewrite | None
Rule = Callable[[Node, bool], Result]


def is_const(node: Node, value) -> bool:
    """node is the scalar constant value (an int 0 also matches 0.0, but not -0.0 or a bool)."""
    return (node.op is Op.CONST and not isinstance(node.arg, bool) and node.arg == value
            and math.copysign(1.0, node.arg) > 0)


def is_bool(node: Node, value: bool) -> bool:
    return node.op is Op.CONST and node.arg is value


def exact(node: Node) -> bool:
    """Integer-like or bool: arithmetic identities hold without IEEE's nan and signed zero."""
    return node.dtype is not DType.FLOAT


def node_like(n: Node, op: Op, src: Sequence[Node], dtype: DType | None = None) -> Node:
    """A new op at n's place: n's shape (vector when an operand is), n's dtype unless given."""
    shape = Shape.VECTOR if any(s.is_vector for s in src) else Shape.SCALAR
    return Node(op, Type(shape, dtype or n.dtype), tuple(src), None, n.loc, name=n.name)


def constant_like(n: Node, value, in_edge: bool) -> Rewrite | None:
    """The constant value with n's type: a CONST, or fill(CONST) for a node vector; None in
    an edge graph, where a per-lane constant has no node of its own."""
    const = Node(Op.CONST, Type.scalar(n.dtype), (), value, n.loc)
    if not n.is_vector:
        return Rewrite(const, [const])
    if in_edge:
        return None
    fill = Node(Op.FILL, n.type, (const,), None, n.loc, name=n.name)
    return Rewrite(fill, [const, fill])


def apply_rules(fn: Function, rules: Sequence[Rule]) -> bool:
    """Rewrite fn in place until no rule applies; whether anything changed."""
    changed = False
    while _Driver(rules).block(fn.body, False):
        changed = True
    return changed


class _Driver:
    def __init__(self, rules: Sequence[Rule]):
        self.rules = rules
        self.subst: dict[Node, Node] = {}
        self.changed = False

    def look(self, node: Node) -> Node:
        return follow(self.subst, node)

    def block(self, block: Block, in_edge: bool) -> bool:
        out: list[Node] = []
        for n in block.nodes:
            n.src = tuple(self.look(s) for s in n.src)
            for region in n.regions:
                self.block(region, in_edge or n.op is Op.AGG)
            rewrite = self.rewrite(n, in_edge)
            if rewrite is None:
                out.append(n)
                continue
            out.extend(rewrite.new)
            self.subst[n] = rewrite.value
            self.changed = True
        block.nodes = out
        block.yields = [self.look(y) for y in block.yields]
        return self.changed

    def rewrite(self, n: Node, in_edge: bool) -> Rewrite | None:
        if n.op not in ELEMENTWISE or raises_itself(n):
            return None
        for rule in self.rules:
            result = rule(n, in_edge)
            if result is None:
                continue
            if isinstance(result, Node):
                result = Rewrite(result)
            if result.value is n or result.value.type != n.type:
                continue
            if in_edge and any(m.op is Op.FILL for m in result.new):
                continue
            return result
        return None
