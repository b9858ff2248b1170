"""The IR verifier: structural and type invariants, checked after lowering and every pass.

It raises VerifyError (an AssertionError) naming the broken rule and the node, so a pass
that breaks the IR fails its test at once instead of producing a wrong plan later.
"""
from __future__ import annotations

from ..types import DType, Shape, Type
from .nodes import (
    AGGREGATIONS,
    BINARY,
    COMPARISONS,
    DIRECTIONS,
    EDGE_LEAVES,
    ELEMENTWISE,
    FLOAT_MATH,
    REDUCTIONS,
    AggArg,
    Block,
    Function,
    Loc,
    LoopKind,
    Node,
    Op,
    loop_inits,
    result_count,
)


class VerifyError(AssertionError):
    pass


def _cls(dtype: DType) -> str:
    """Representation class: ints and nodes share one, floats and bools have their own."""
    return {DType.FLOAT: "f", DType.INT: "i", DType.NODE: "i", DType.BOOL: "b"}[dtype]


def verify(fn: Function) -> None:
    _Verifier(fn).run()


class _Verifier:
    def __init__(self, fn: Function):
        self.fn = fn
        self.defined: set[Node] = set()

    def fail(self, node: Node | None, message: str) -> None:
        where = f" at {node.op.value} ({node.type}) {node.loc}" if node is not None else ""
        raise VerifyError(f"{self.fn.name}: {message}{where}")

    def check(self, ok: bool, node: Node | None, message: str) -> None:
        if not ok:
            self.fail(node, message)

    def run(self) -> None:
        fn = self.fn
        self.check(not fn.body.args, None, "the function body takes no arguments")
        self.check(len(fn.outputs) == len(fn.body.yields), None, "one output name per returned value")
        self.check(len(set(fn.outputs)) == len(fn.outputs), None, "duplicate output names")
        self.block(fn.body, set(), edge=None, top=True)

    def block(self, block: Block, outer: set[Node], edge: Node | None, top: bool = False) -> None:
        visible = set(outer)
        for i, a in enumerate(block.args):
            self.check(a.op is Op.ARG and a.arg == i, a, f"block argument {i} must be ARG {i}")
            self.define(a)
            visible.add(a)
        expect_results: list[Node] = []  # RESULT nodes still owed by the last LOOP/IF
        owner: Node | None = None
        for node in block.nodes:
            if expect_results and node.op is not Op.RESULT:
                self.fail(owner, f"is followed by {len(expect_results)} missing RESULT node(s)")
            for s in node.src:
                self.check(s in visible, node, f"operand {s.op.value} is not defined before its use")
            self.define(node)
            self.check(isinstance(node.loc, Loc), node, "has no source location")
            if node.op is Op.RESULT:
                self.check(bool(expect_results) and node.src == (owner,) and node.arg == expect_results[0],
                           node, "RESULT must directly follow its LOOP/IF, in index order")
                expect_results.pop(0)
                self.check(node.type == self.result_type(owner, node.arg), node, "result type mismatch")
            else:
                self.node(node, visible, edge, top)
            if node.op in (Op.LOOP, Op.IF):
                owner = node
                expect_results = list(range(result_count(node)))
            visible.add(node)
        if expect_results:
            self.fail(owner, "is missing its RESULT nodes")
        for y in block.yields:
            self.check(y in visible, y, "yielded value is not defined in scope")

    def define(self, node: Node) -> None:
        self.check(node not in self.defined, node, "node appears twice in the function")
        self.defined.add(node)

    def result_type(self, owner: Node, i: int) -> Type:
        if owner.op is Op.LOOP:
            return loop_inits(owner)[i].type
        return owner.regions[0].yields[i].type

    # ---- per-op rules ----------------------------------------------------------

    def node(self, n: Node, visible: set[Node], edge: Node | None, top: bool) -> None:
        op, ty = n.op, n.type
        if edge is not None:
            self.check(op in EDGE_LEAVES or op in ELEMENTWISE or op is Op.CONST, n,
                       "not allowed inside an aggregation's edge graph")
        else:
            self.check(op not in EDGE_LEAVES, n, "edge leaves belong inside an aggregation")
        if op in (Op.LOOP, Op.IF):
            self.check(ty is None, n, "LOOP/IF have no type of their own (see their RESULTs)")
        else:
            self.check(isinstance(ty, Type), n, "has no type")
        if op is Op.ARG:
            self.fail(n, "ARG outside a block's argument list")
        elif op is Op.CONST:
            self.const(n)
        elif op is Op.PARAM:
            self.check(top and 0 <= n.arg < len(self.fn.params), n, "PARAM must index a parameter")
            self.check(ty == Type.scalar(self.fn.params[n.arg].dtype), n, "PARAM type mismatch")
        elif op in (Op.NODE_COUNT, Op.EDGE_COUNT):
            self.check(ty == Type.scalar(DType.INT) and not n.src, n, "must be a scalar int leaf")
        elif op is Op.NODE_ID:
            self.check(ty == Type.vector(DType.NODE) and not n.src, n, "must be a node vector leaf")
        elif op in (Op.IN_DEG, Op.OUT_DEG, Op.DEGREE):
            self.check(ty == Type.vector(DType.INT) and not n.src, n, "must be an int vector leaf")
        elif op is Op.FILL:
            self.check(len(n.src) == 1 and not n.src[0].is_vector and ty == Type.vector(n.src[0].dtype),
                       n, "fill takes one scalar and gives a vector of its dtype")
        elif op is Op.RANDOM:
            self.check(len(n.src) == 1 and n.src[0].type == Type.scalar(DType.INT)
                       and ty == Type.vector(DType.FLOAT), n, "random takes a scalar int seed")
        elif op in ELEMENTWISE:
            self.elementwise(n)
        elif op is Op.REDUCE:
            self.reduce(n)
        elif op is Op.SOURCE:
            self.check(ty == Type.scalar(DType.NODE) and len(n.src) == (1 if n.arg == "all" else 3)
                       and n.arg in ("all", "sample")
                       and all(s.type == Type.scalar(DType.INT) for s in n.src),
                       n, "source takes scalar ints (i) or (i, n, seed) and gives a scalar node")
        elif op is Op.GET:
            self.check(len(n.src) == 2 and n.src[0].is_vector and not n.src[1].is_vector
                       and _cls(n.src[1].dtype) == "i" and ty == Type.scalar(n.src[0].dtype),
                       n, "get takes a vector and a scalar int or node index")
        elif op is Op.GATHER_V:
            self.check(len(n.src) == 2 and n.src[0].is_vector and n.src[1].type == Type.vector(DType.NODE)
                       and ty == n.src[0].type, n, "gather_v takes a vector and a node vector")
        elif op is Op.AGG:
            self.agg(n)
        elif op is Op.LOOP:
            self.loop(n, visible)
        elif op is Op.IF:
            self.if_(n, visible)
        elif op in EDGE_LEAVES:
            self.edge_leaf(n, edge)
        else:
            self.fail(n, "unknown op")

    def const(self, n: Node) -> None:
        d, v = n.dtype, n.arg
        ok = {DType.BOOL: isinstance(v, bool), DType.FLOAT: isinstance(v, float),
              DType.INT: isinstance(v, int) and not isinstance(v, bool) and -2**63 <= v < 2**63,
              DType.NODE: isinstance(v, int) and not isinstance(v, bool)}[d]
        self.check(ok and not n.is_vector and not n.src, n, f"constant {v!r} does not fit {n.type}")

    def elementwise(self, n: Node) -> None:
        op, src, d = n.op, n.src, n.dtype
        arity = 3 if op is Op.WHERE else 2 if op in BINARY else 1
        self.check(len(src) == arity, n, f"takes {arity} operand(s)")
        shape = Shape.VECTOR if any(s.is_vector for s in src) else Shape.SCALAR
        self.check(n.type.shape is shape, n, "shape must be vector exactly when an operand is")
        ops = [_cls(s.dtype) for s in src]
        if op in COMPARISONS:
            ok = d is DType.BOOL and ops[0] == ops[1] and (ops[0] != "b" or op in (Op.EQ, Op.NE))
        elif op in (Op.AND, Op.OR, Op.NOT):
            ok = d is DType.BOOL and all(c == "b" for c in ops)
        elif op is Op.DIV or op in FLOAT_MATH:
            ok = d is DType.FLOAT and all(c == "f" for c in ops)
        elif op is Op.CAST:  # a truth test is a comparison, not a conversion
            ok = src[0].dtype is not d and d is not DType.BOOL
        elif op is Op.WHERE:
            ok = ops[0] == "b" and ops[1] == ops[2] == _cls(d) and \
                (d is not DType.NODE or src[1].dtype is src[2].dtype is DType.NODE)
        else:  # arithmetic, min, max, neg, abs: operands in the result's representation
            ok = d is not DType.BOOL and all(c == _cls(d) for c in ops)
            if d is DType.NODE:
                ok = ok and op in (Op.MIN, Op.MAX) and all(s.dtype is DType.NODE for s in src)
        self.check(ok, n, "operand types do not fit the op: "
                   + ", ".join(str(s.type) for s in src) + f" -> {n.type}")

    def reduce(self, n: Node) -> None:
        self.check(n.arg in REDUCTIONS and len(n.src) == 1 and n.src[0].is_vector and not n.is_vector,
                   n, "reduce takes one vector and gives a scalar")
        d, vd = n.dtype, n.src[0].dtype
        ok = {"count": vd is DType.BOOL and d is DType.INT,
              "any": vd is DType.BOOL and d is DType.BOOL, "all": vd is DType.BOOL and d is DType.BOOL,
              "argmin": vd is not DType.BOOL and d is DType.NODE,
              "argmax": vd is not DType.BOOL and d is DType.NODE,
              }.get(n.arg, vd is not DType.BOOL and _cls(d) == _cls(vd))
        self.check(ok, n, f"reduce {n.arg} of {n.src[0].type}")

    def agg(self, n: Node) -> None:
        arg = n.arg
        self.check(isinstance(arg, AggArg) and arg.kind in AGGREGATIONS and arg.direction in DIRECTIONS,
                   n, "AGG needs an AggArg")
        self.check(len(n.regions) == 1 and not n.regions[0].args, n, "AGG owns one edge graph")
        self.check(n.is_vector, n, "an aggregation gives a node vector")
        edge = n.regions[0]
        self.check(len(edge.yields) == 1 + arg.has_filter, n, "edge graph yields value [, filter]")
        self.block(edge, set(), edge=n)
        value = edge.yields[0]
        if arg.has_filter:
            self.check(edge.yields[1].dtype is DType.BOOL, n, "filter must be bool")
        d, vd = n.dtype, value.dtype
        ok = {"count": vd is DType.BOOL and d is DType.INT, "any": vd is DType.BOOL and d is DType.BOOL,
              "all": vd is DType.BOOL and d is DType.BOOL,
              "mean": vd is not DType.BOOL and d is DType.FLOAT,
              "mode": d is vd or (d is DType.INT and vd is DType.NODE),
              }.get(arg.kind, vd is not DType.BOOL and _cls(d) == _cls(vd))
        self.check(ok, n, f"{arg.kind} of {value.type} cannot give {n.type}")
        if arg.has_default:
            self.check(bool(n.src) and _cls(n.src[-1].dtype) == _cls(d), n, "default dtype must match")

    def edge_leaf(self, n: Node, agg: Node) -> None:
        captures = agg.src[:-1] if agg.arg.has_default else agg.src
        if n.op in (Op.E_GATHER, Op.E_OWN, Op.E_SCALAR):
            self.check(isinstance(n.arg, int) and 0 <= n.arg < len(captures), n, "capture index out of range")
            c = captures[n.arg]
            self.check(c.is_vector == (n.op is not Op.E_SCALAR) and n.type == c.type, n,
                       "leaf type must be its capture's type (a vector for gather/own, scalar for scalar)")
        elif n.op is Op.E_NBR:
            self.check(n.type == Type.vector(DType.NODE), n, "the neighbor is a node vector")
        elif n.op is Op.E_COMMON:
            self.check(n.type == Type.vector(DType.INT), n, "common(u) is an int vector")
        else:
            self.check(n.type == Type.vector(DType.FLOAT), n, "the weight is a float vector")

    def loop(self, n: Node, visible: set[Node]) -> None:
        kind = n.arg
        self.check(isinstance(kind, LoopKind), n, "LOOP needs a LoopKind")
        inits = loop_inits(n)
        if kind is LoopKind.WHILE:
            self.check(len(n.regions) == 2, n, "while has a cond and a body region")
        else:
            self.check(len(n.regions) == 1 and n.src and n.src[0].type == Type.scalar(DType.INT),
                       n, "repeat has a scalar int count and one body region")
        for region in n.regions:
            self.check(len(region.args) == len(inits), n, "each region takes one arg per carried value")
            for a, init in zip(region.args, inits):
                self.check(a.type == init.type, a, "carried arg type must match its init")
            self.block(region, visible, edge=None)
        body = n.regions[-1]
        extra = 1 if kind is LoopKind.REPEAT_UNTIL else 0
        self.check(len(body.yields) == len(inits) + extra, n, "body yields every carried value")
        for y, init in zip(body.yields, inits):
            self.check(y.type == init.type, y, "carried value changes type across the back edge")
        if extra:
            self.check(body.yields[-1].type == Type.scalar(DType.BOOL), n, "until must be a scalar bool")
        if kind is LoopKind.WHILE:
            cond = n.regions[0]
            self.check(len(cond.yields) == 1 and cond.yields[0].type == Type.scalar(DType.BOOL),
                       n, "while condition must be a scalar bool")

    def if_(self, n: Node, visible: set[Node]) -> None:
        self.check(len(n.src) == 1 and n.src[0].type == Type.scalar(DType.BOOL), n,
                   "if takes a scalar bool condition")
        self.check(len(n.regions) == 2 and not any(r.args for r in n.regions), n, "if has two arms")
        for region in n.regions:
            self.block(region, visible, edge=None)
        a, b = n.regions
        self.check([y.type for y in a.yields] == [y.type for y in b.yields], n, "arms yield different types")
