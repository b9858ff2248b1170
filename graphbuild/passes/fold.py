"""Constant folding, applied to a fixed point (algebraic identities are in simplify.py).

Rules (each applies only to ops that cannot raise, see ir/effects.py, and only when the
replacement has exactly the node's type):
    op(const, ...)          -> const       # evaluate.py; never 1 // 0, int(nan), x / 0.0
    op(fill(a), fill(b))    -> fill(op(a, b))   # vector work on broadcasts is scalar work
    if const c              -> the taken arm, inlined
    repeat k (k <= 0)       -> the initial values;  while false -> its condition's ops, inlined
    E_SCALAR of a constant  -> the constant inside the edge graph
"""
from __future__ import annotations

from ..ir.effects import raises_itself
from ..ir.nodes import (
    ELEMENTWISE,
    Block,
    Function,
    LoopKind,
    follow,
    Node,
    Op,
    agg_captures,
    loop_cond,
    loop_inits,
    replace_uses,
)
from ..types import Type
from .evaluate import evaluate


def fold(fn: Function) -> Function:
    changed = False
    while _Folder().block(fn.body, None):
        changed = True
    fn.changes += changed
    return fn


class _Folder:
    def __init__(self):
        self.subst: dict[Node, Node] = {}
        self.changed = False

    def look(self, node: Node) -> Node:
        return follow(self.subst, node)

    def block(self, block: Block, agg: Node | None) -> bool:
        out: list[Node] = []
        results: dict[Node, list[Node]] = {}
        for n in block.nodes:
            if n.op is Op.RESULT:
                results.setdefault(n.src[0], []).append(n)
        for n in block.nodes:
            if n in self.subst:  # a RESULT of a region that was inlined
                continue
            n.src = tuple(self.look(s) for s in n.src)
            for region in n.regions:
                self.block(region, n if n.op is Op.AGG else None)
            rewrite = self.rewrite(n, agg, results.get(n, []))
            if rewrite is None:
                out.append(n)
                continue
            new_nodes, value = rewrite
            out.extend(new_nodes)
            if value is not None:
                self.subst[n] = value
            self.changed = True
        block.nodes = out
        block.yields = [self.look(y) for y in block.yields]
        return self.changed

    def rewrite(self, n: Node, agg: Node | None, results: list[Node]):
        """None to keep n, else (nodes to put in its place, the value that replaces it)."""
        if n.op is Op.E_SCALAR:
            capture = agg_captures(agg)[n.arg]
            if capture.op is Op.CONST:
                const = Node(Op.CONST, n.type, (), capture.arg, n.loc)
                return [const], const
            return None
        if n.op is Op.IF:
            return self.fold_if(n, results)
        if n.op is Op.LOOP:
            return self.fold_loop(n, results)
        if n.op not in ELEMENTWISE or raises_itself(n):
            return None
        if all(s.op is Op.CONST for s in n.src):
            value = evaluate(n.op, n.dtype, [s.arg for s in n.src])
            if value is None:
                return None
            const = Node(Op.CONST, n.type, (), value, n.loc)
            return [const], const
        if agg is None and n.is_vector and all(s.op is Op.FILL or not s.is_vector for s in n.src):
            scalar = Node(n.op, Type.scalar(n.dtype), tuple(s.src[0] if s.is_vector else s for s in n.src),
                          n.arg, n.loc, name=n.name)
            fill = Node(Op.FILL, n.type, (scalar,), None, n.loc, name=n.name)
            return [scalar, fill], fill
        return None

    def fold_if(self, n: Node, results: list[Node]):
        cond = n.src[0]
        if cond.op is not Op.CONST:
            return None
        arm = n.regions[0] if cond.arg else n.regions[1]
        for r in results:
            self.subst[r] = arm.yields[r.arg]
        return arm.nodes, None

    def fold_loop(self, n: Node, results: list[Node]):
        inits = loop_inits(n)
        if n.arg is LoopKind.WHILE:
            cond = loop_cond(n)
            if not (cond.yields[0].op is Op.CONST and cond.yields[0].arg is False):
                return None
            # The condition runs once (its ops may raise), then the loop exits.
            inlined = Block(nodes=cond.nodes)
            replace_uses(inlined, dict(zip(cond.args, inits)))
            new_nodes = inlined.nodes
        else:
            count = n.src[0]
            if not (count.op is Op.CONST and count.arg <= 0):
                return None
            new_nodes = []
        for r in results:
            self.subst[r] = inits[r.arg]
        return new_nodes, None
