"""Lowering a neighbor aggregation into one AGG node with a closed edge graph.

While an aggregation's EXPR and FILTER are lowered, ops go into its edge block; a value
from outside enters only as a capture (an AGG operand) read through an edge leaf:
E_GATHER (x[u]), E_OWN (a bare vector, or a graph function: v's own value), E_SCALAR (a
scalar, computed once before the aggregation).  `mode` without default= gets its
default here, as node-level ops: EXPR with u := v.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..lang import ast
from ..types import DType, Type
from .dataflow import dependencies
from .nodes import AggArg, Block, Loc, Node, Op

_DIRECTIONS = {"in_nbrs": "in", "out_nbrs": "out", "nbrs": "both"}


def span_loc(span: ast.Span) -> Loc:
    return Loc(span.line, span.col)


@dataclass
class EdgeContext:
    """The aggregation being lowered: its edge block and the outer values it captures."""

    block: Block
    outer: Block
    captures: list[Node] = field(default_factory=list)

    def capture(self, node: Node) -> int:
        for i, c in enumerate(self.captures):
            if c is node:
                return i
        self.captures.append(node)
        return len(self.captures) - 1


class AggregationLowering:
    """The aggregation half of the lowerer (lower._Lowerer supplies emit, expr, cast, ...)."""

    def outside(self, e: ast.Expr, leaf: Op) -> Node:
        """Lower e before the aggregation and read it in the edge graph through leaf."""
        ctx = self.edge
        self.edge = None
        with self.in_block(ctx.outer):
            node = self.expr(e)
        self.edge = ctx
        return self.emit(leaf, node.type, arg=ctx.capture(node), loc=span_loc(e.span))

    def edge_block(self, e: ast.Aggregation, extra=None) -> EdgeContext:
        """A fresh edge graph yielding EXPR, then FILTER (and'ed with extra(ctx, value))."""
        ctx = EdgeContext(Block(), self.block)
        self.edge = ctx
        with self.in_block(ctx.block):
            value = self.expr(e.expr)
            keep = self.expr(e.filter) if e.filter is not None else None
            more = extra(ctx, value) if extra is not None else None
            if keep is not None and more is not None:
                keep = self.emit(Op.AND, Type.vector(DType.BOOL), (keep, more), loc=more.loc)
            elif keep is None:
                keep = more
            ctx.block.yields = [value] if keep is None else [value, keep]
        self.edge = None
        return ctx

    def arg_aggregation(self, e: ast.Aggregation, loc: Loc) -> Node:
        """argmin/argmax as two ordinary aggregations: the extreme m of the values (nan
        skipped), then the smallest neighbor u whose value equals m; an empty (or all-nan)
        neighborhood gives default=, else no_node() (-1)."""
        kind = "min" if e.func == "argmin" else "max"
        bool_vec = Type.vector(DType.BOOL)

        def not_nan(ctx: EdgeContext, value: Node) -> Node | None:
            if value.dtype is not DType.FLOAT:
                return None
            return self.emit(Op.EQ, bool_vec, (value, value), loc=value.loc)

        first = self.edge_block(e, not_nan)
        m_type = Type.vector(first.block.yields[0].dtype)
        m = self.emit(Op.AGG, m_type, tuple(first.captures),
                      AggArg(kind, _DIRECTIONS[e.direction], len(first.block.yields) > 1), loc,
                      (first.block,))

        def attains(ctx: EdgeContext, value: Node) -> Node:
            own = self.emit(Op.E_OWN, m_type, arg=ctx.capture(m), loc=loc)
            return self.emit(Op.EQ, bool_vec, (value, own), loc=loc)

        second = self.edge_block(e, attains)
        with self.in_block(second.block):
            second.block.yields[0] = self.emit(Op.E_NBR, Type.vector(DType.NODE), loc=loc)
        if e.default is not None:
            default = self.expr(e.default)
        else:
            default = self.emit(Op.CONST, Type.scalar(DType.NODE), arg=-1, loc=loc)
        arg = AggArg("min", _DIRECTIONS[e.direction], True, True)
        return self.emit(Op.AGG, e.ty, (*second.captures, default), arg, loc, (second.block,))

    def aggregation(self, e: ast.Aggregation, loc: Loc) -> Node:
        if e.func in ("argmin", "argmax"):
            return self.arg_aggregation(e, loc)
        ctx = EdgeContext(Block(), self.block)
        self.edge = ctx
        with self.in_block(ctx.block):
            ctx.block.yields = [self.expr(e.expr)]
            if e.filter is not None:
                ctx.block.yields.append(self.expr(e.filter))
        self.edge = None
        default = None
        if e.default is not None:
            default = self.cast(self.expr(e.default), e.ty.dtype, loc)
        elif e.func == "mode":
            default = self.cast(self.self_value(ctx, e), e.ty.dtype, loc)
        arg = AggArg(e.func, _DIRECTIONS[e.direction], e.filter is not None, default is not None)
        src = (*ctx.captures, default) if default is not None else tuple(ctx.captures)
        return self.emit(Op.AGG, e.ty, src, arg, loc, (ctx.block,))

    def self_value(self, ctx: EdgeContext, e: ast.Aggregation) -> Node:
        """EXPR with u := v, at node level: what `mode` gives an empty neighborhood."""
        needed = dependencies([ctx.block.yields[0]])
        mapped: dict[Node, Node] = {}
        for n in ctx.block.nodes:
            if n not in needed:
                continue
            if n.op in (Op.E_GATHER, Op.E_OWN, Op.E_SCALAR):
                mapped[n] = ctx.captures[n.arg]
            elif n.op is Op.E_NBR:
                mapped[n] = self.emit(Op.NODE_ID, Type.vector(DType.NODE), loc=n.loc)
            elif n.op is Op.E_WEIGHT:
                raise self.error(e.span, "mode() without default= reads weight, which an empty "
                                 "neighborhood does not have", hint="give a default, e.g. default=0")
            else:
                mapped[n] = self.emit(n.op, n.type, tuple(mapped[s] for s in n.src), n.arg, n.loc)
        return mapped[ctx.block.yields[0]]

