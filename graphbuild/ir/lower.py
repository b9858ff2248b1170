"""Lowering: a checked AST algorithm -> an IR Function.

The checker has typed every expression and resolved every name; lowering reads those
facts and never guesses.  It inserts the conversions the checker left implicit (an int
operand of a float operation gets a CAST), turns loops and ifs into regions whose
carried values and results are explicit, and turns each neighbor aggregation into one
AGG node with a closed edge graph.

Evaluation-order choices, written down here because passes and the plan keep them:
- scalar `a and b` / `a or b` evaluate b only when needed (as Python does) whenever b
  could raise a run-time error; otherwise both sides are computed and combined.
- inside an aggregation, sub-expressions that do not vary per edge (scalars) are
  computed once before the aggregation, and graph functions (node_id(), out_degree(),
  fill(x), random(s)) are v's own node vectors captured from outside.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from ..errors import GraphbuildError, Location
from ..lang import ast
from ..types import DType, Shape, Type
from .effects import may_raise
from .lower_agg import AggregationLowering, EdgeContext, span_loc
from .nodes import Block, Function, Loc, LoopKind, Node, Op, Param

_BINARY = {"+": Op.ADD, "-": Op.SUB, "*": Op.MUL, "/": Op.DIV, "//": Op.FLOORDIV, "%": Op.MOD,
           "**": Op.POW, "==": Op.EQ, "!=": Op.NE, "<": Op.LT, "<=": Op.LE, ">": Op.GT, ">=": Op.GE,
           "and": Op.AND, "or": Op.OR}
_MATH = {"sqrt": Op.SQRT, "exp": Op.EXP, "log": Op.LOG, "floor": Op.FLOOR, "ceil": Op.CEIL}
_GRAPH_VECTORS = {"node_id": Op.NODE_ID, "in_degree": Op.IN_DEG, "out_degree": Op.OUT_DEG,
                  "degree": Op.DEGREE}
_OWN_VECTOR_CALLS = frozenset({*_GRAPH_VECTORS, "fill", "random"})


def lower_algorithm(module: ast.Module, alg: ast.Algorithm) -> Function:
    return _Lowerer(module).algorithm(alg)


class _Lowerer(AggregationLowering):
    def __init__(self, module: ast.Module):
        self.module = module
        self.block = Block()
        self.env: dict[str, Node] = {}
        self.params: dict[str, Node] = {}
        self.edge: EdgeContext | None = None

    # ---- helpers -----------------------------------------------------------

    def emit(self, op: Op, ty: Type | None, src: tuple[Node, ...] = (), arg=None,
             loc: Loc | None = None, regions: tuple[Block, ...] = ()) -> Node:
        node = Node(op, ty, tuple(src), arg, loc or Loc(0, 0), tuple(regions))
        self.block.nodes.append(node)
        return node

    def error(self, span: ast.Span, message: str, hint: str | None = None) -> GraphbuildError:
        lines = self.module.source.split("\n")
        text = lines[span.line - 1] if 0 < span.line <= len(lines) else None
        return GraphbuildError(message, Location(self.module.path, span.line, span.col, text), hint=hint)

    def cast(self, node: Node, dtype: DType, loc: Loc) -> Node:
        """node converted to dtype; int and node need no conversion between them."""
        have = node.dtype
        if have is dtype or (dtype is DType.INT and have is DType.NODE):
            return node
        return self.emit(Op.CAST, Type(node.type.shape, dtype), (node,), loc=loc)

    @contextmanager
    def in_block(self, block: Block) -> Iterator[None]:
        """Emit into block for the duration, then return to the current one."""
        saved, self.block = self.block, block
        try:
            yield
        finally:
            self.block = saved

    # ---- algorithm and statements ------------------------------------------

    def algorithm(self, alg: ast.Algorithm) -> Function:
        params = []
        for i, p in enumerate(alg.params):
            dtype = DType(p.type_name)
            loc = Loc(p.span.line, p.span.col)
            params.append(Param(p.name, dtype, _literal(p.default), loc,
                                p.bounds.value if p.bounds is not None else None))
            node = self.emit(Op.PARAM, Type.scalar(dtype), arg=i, loc=loc)
            node.name = p.name
            self.params[p.name] = node
        outputs: list[str] = []
        for stmt in alg.body:
            if isinstance(stmt, ast.Return):
                self.block.yields = [self.expr(v) for v in stmt.values]
                outputs = list(stmt.names)
            else:
                self.stmt(stmt)
        return Function(alg.name, params, self.block, outputs, self.module.path)

    def stmts(self, stmts: list[ast.Stmt], block: Block, env: dict[str, Node]) -> dict[str, Node]:
        """Lower stmts into block starting from a copy of env; returns the env after them."""
        saved = self.env
        self.env = dict(env)
        with self.in_block(block):
            for stmt in stmts:
                self.stmt(stmt)
        after, self.env = self.env, saved
        return after

    def stmt(self, stmt: ast.Stmt) -> None:
        if isinstance(stmt, ast.Assign):
            value = self.expr(stmt.value)
            if value.name is None and value.op is not Op.CONST:
                value.name = stmt.target
            self.env[stmt.target] = value
        elif isinstance(stmt, (ast.Repeat, ast.While)):
            self.loop(stmt)
        elif isinstance(stmt, ast.If):
            self.if_chain(stmt.arms, stmt.orelse, span_loc(stmt.span))
        elif isinstance(stmt, ast.For):
            self.sources_loop(stmt)
        else:
            raise self.error(stmt.span, "'return' must be the last statement of the algorithm")

    def loop(self, stmt: ast.Repeat | ast.While) -> None:
        loc = span_loc(stmt.span)
        carried = [v for v in _assigned(stmt.body) if v in self.env]
        inits = [self.env[v] for v in carried]

        def region() -> tuple[Block, dict[str, Node]]:
            block = Block(args=[Node(Op.ARG, init.type, (), i, loc, name=v)
                                for i, (v, init) in enumerate(zip(carried, inits))])
            return block, {**self.env, **dict(zip(carried, block.args))}

        regions = []
        if isinstance(stmt, ast.While):
            kind, head = LoopKind.WHILE, []
            cond, cond_env = region()
            saved = self.env
            self.env = cond_env
            with self.in_block(cond):
                cond.yields = [self.expr(stmt.cond)]
            self.env = saved
            regions.append(cond)
        else:
            kind = LoopKind.REPEAT_UNTIL if stmt.until is not None else LoopKind.REPEAT
            head = [self.expr(stmt.count)]
        body, body_env = region()
        after = self.stmts(stmt.body, body, body_env)
        body.yields = [after[v] for v in carried]
        if isinstance(stmt, ast.Repeat) and stmt.until is not None:
            saved = self.env
            self.env = after
            with self.in_block(body):
                body.yields.append(self.expr(stmt.until))
            self.env = saved
        regions.append(body)
        node = self.emit(Op.LOOP, None, (*head, *inits), kind, loc, tuple(regions))
        for i, v in enumerate(carried):
            result = self.emit(Op.RESULT, inits[i].type, (node,), i, loc)
            result.name = v
            self.env[v] = result

    def sources_loop(self, stmt: ast.For) -> None:
        """`for s in ...:` as a SOURCES loop carrying the pass index i, then the accumulators
        (the checker allows outer variables only as `x = x + EXPR`); the body's other
        variables are its own, fresh for each source."""
        loc = span_loc(stmt.span)
        int_ty = Type.scalar(DType.INT)
        accumulators = [v for v in _assigned(stmt.body) if v in self.env]
        n = self.emit(Op.NODE_COUNT, int_ty, loc=loc)
        if stmt.kind == "sample":
            k, seed = (self.expr(a) for a in stmt.args)
            zero = self.emit(Op.CONST, int_ty, arg=0, loc=loc)
            count = self.emit(Op.MIN, int_ty, (self.emit(Op.MAX, int_ty, (k, zero), loc=loc), n), loc=loc)
        else:
            count = n
        inits = [self.emit(Op.CONST, int_ty, arg=0, loc=loc), *(self.env[v] for v in accumulators)]
        names = ["source_index", *accumulators]
        body = Block(args=[Node(Op.ARG, init.type, (), i, loc, name=v)
                           for i, (v, init) in enumerate(zip(names, inits))])
        env = {**self.env, **dict(zip(accumulators, body.args[1:]))}
        with self.in_block(body):
            index = body.args[0]
            src = (index,) if stmt.kind == "sources" else (index, n, seed)
            source = self.emit(Op.SOURCE, Type.scalar(DType.NODE), src,
                               "all" if stmt.kind == "sources" else "sample", loc)
            source.name = stmt.var
        after = self.stmts(stmt.body, body, {**env, stmt.var: source})
        with self.in_block(body):
            one = self.emit(Op.CONST, int_ty, arg=1, loc=loc)
            body.yields = [self.emit(Op.ADD, int_ty, (index, one), loc=loc),
                           *(after[v] for v in accumulators)]
        node = self.emit(Op.LOOP, None, (count, *inits), LoopKind.SOURCES, loc, (body,))
        for i, v in enumerate(names):
            result = self.emit(Op.RESULT, inits[i].type, (node,), i, loc)
            result.name = v
            if i > 0:
                self.env[v] = result

    def if_chain(self, arms: list[tuple[ast.Expr, list[ast.Stmt]]], orelse: list[ast.Stmt] | None,
                 loc: Loc) -> None:
        """`if/elif/else` as nested two-armed IFs: an elif's condition is evaluated only
        when every earlier condition was false."""
        cond_expr, body = arms[0]
        cond = self.expr(cond_expr)
        before = self.env
        then_block, else_block = Block(), Block()
        then_env = self.stmts(body, then_block, before)
        if len(arms) > 1:
            saved = self.env
            self.env = dict(before)
            with self.in_block(else_block):
                self.if_chain(arms[1:], orelse, span_loc(arms[1][0].span))
            else_env, self.env = self.env, saved
        else:
            else_env = self.stmts(orelse or [], else_block, before)
        names = []
        for v in [*then_env, *else_env]:
            if v in names:
                continue
            changed = then_env.get(v) is not before.get(v) or else_env.get(v) is not before.get(v)
            available = v in before or (v in then_env and v in else_env)
            if changed and available:
                names.append(v)
        then_block.yields = [then_env.get(v, before.get(v)) for v in names]
        else_block.yields = [else_env.get(v, before.get(v)) for v in names]
        node = self.emit(Op.IF, None, (cond,), None, loc, (then_block, else_block))
        for i, v in enumerate(names):
            result = self.emit(Op.RESULT, then_block.yields[i].type, (node,), i, loc)
            result.name = v
            self.env[v] = result

    # ---- expressions -------------------------------------------------------

    def expr(self, e: ast.Expr) -> Node:
        if self.edge is not None and e.ty.shape is Shape.SCALAR and not isinstance(e, (ast.Num, ast.Bool)):
            return self.outside(e, Op.E_SCALAR)  # the same on every edge: computed once
        if self.edge is not None and isinstance(e, ast.Call) and e.func in _OWN_VECTOR_CALLS:
            return self.outside(e, Op.E_OWN)     # a graph function inside is v's own vector
        loc = span_loc(e.span)
        if isinstance(e, ast.Num):
            return self.emit(Op.CONST, e.ty, arg=e.value, loc=loc)
        if isinstance(e, ast.Bool):
            return self.emit(Op.CONST, e.ty, arg=bool(e.value), loc=loc)
        if isinstance(e, ast.Name):
            return self.name(e, loc)
        if isinstance(e, ast.Unary):
            operand = self.expr(e.operand)
            if e.op == "not":
                return self.emit(Op.NOT, e.ty, (operand,), loc=loc)
            return self.emit(Op.NEG, e.ty, (self.cast(operand, e.ty.dtype, loc),), loc=loc)
        if isinstance(e, ast.Binary):
            return self.binary(e, loc)
        if isinstance(e, ast.Call):
            return self.call(e, loc)
        if isinstance(e, ast.Index):
            return self.index(e, loc)
        if isinstance(e, ast.Aggregation):
            return self.aggregation(e, loc)
        raise TypeError(f"cannot lower {type(e).__name__}")

    def name(self, e: ast.Name, loc: Loc) -> Node:
        if e.kind == "nbr":
            return self.emit(Op.E_NBR, Type.vector(DType.NODE), loc=loc)
        if e.kind == "weight":
            return self.emit(Op.E_WEIGHT, Type.vector(DType.FLOAT), loc=loc)
        node = self.params[e.id] if e.kind == "param" else self.env[e.id]
        if self.edge is not None:  # a vector variable inside an aggregation is v's own value
            return self.emit(Op.E_OWN, node.type, arg=self.edge.capture(node), loc=loc)
        return node

    def binary(self, e: ast.Binary, loc: Loc) -> Node:
        op = _BINARY[e.op]
        left = self.expr(e.left)
        if op in (Op.AND, Op.OR) and e.ty.shape is Shape.SCALAR:
            return self.short_circuit(op, left, e.right, loc)
        right = self.expr(e.right)
        if op in (Op.AND, Op.OR):
            return self.emit(op, e.ty, (left, right), loc=loc)
        if op in (Op.EQ, Op.NE, Op.LT, Op.LE, Op.GT, Op.GE):
            if DType.FLOAT in (left.dtype, right.dtype):
                left, right = self.cast(left, DType.FLOAT, loc), self.cast(right, DType.FLOAT, loc)
            return self.emit(op, e.ty, (left, right), loc=loc)
        work = e.ty.dtype  # / gives float, so its operands are converted to float too
        return self.emit(op, e.ty, (self.cast(left, work, loc), self.cast(right, work, loc)), loc=loc)

    def short_circuit(self, op: Op, left: Node, right_expr: ast.Expr, loc: Loc) -> Node:
        right_block = Block()
        with self.in_block(right_block):
            right = self.expr(right_expr)
        if not any(may_raise(n) for n in right_block.nodes):
            self.block.nodes.extend(right_block.nodes)
            return self.emit(op, Type.scalar(DType.BOOL), (left, right), loc=loc)
        right_block.yields = [right]
        other = Block()
        with self.in_block(other):
            other.yields = [self.emit(Op.CONST, Type.scalar(DType.BOOL), arg=op is Op.OR, loc=loc)]
        arms = (right_block, other) if op is Op.AND else (other, right_block)
        node = self.emit(Op.IF, None, (left,), None, loc, arms)
        return self.emit(Op.RESULT, Type.scalar(DType.BOOL), (node,), 0, loc)

    def call(self, e: ast.Call, loc: Loc) -> Node:
        f, ty = e.func, e.ty
        if f == "node_count":
            return self.emit(Op.NODE_COUNT, ty, loc=loc)
        if f == "edge_count":
            return self.emit(Op.EDGE_COUNT, ty, loc=loc)
        if f in _GRAPH_VECTORS:
            return self.emit(_GRAPH_VECTORS[f], ty, loc=loc)
        if f == "no_node":
            return self.emit(Op.CONST, ty, arg=-1, loc=loc)
        if f == "common":   # the checker allows it only inside an aggregation, on u
            return self.emit(Op.E_COMMON, ty, loc=loc)
        args = [self.expr(a) for a in e.args]
        if f in ("min", "max") and len(args) >= 2:
            op = Op.MIN if f == "min" else Op.MAX
            acc = self.cast(args[0], ty.dtype, loc)
            for a in args[1:]:
                a = self.cast(a, ty.dtype, loc)
                shape = Shape.VECTOR if Shape.VECTOR in (acc.type.shape, a.type.shape) else Shape.SCALAR
                acc = self.emit(op, Type(shape, ty.dtype), (acc, a), loc=loc)
            return acc
        if f in ("sum", "mean", "min", "max", "count", "any", "all", "argmin", "argmax"):
            return self.reduction(f, args[0], ty, loc)
        if f == "where":
            cond, a, b = args
            return self.emit(Op.WHERE, ty, (cond, self.cast(a, ty.dtype, loc), self.cast(b, ty.dtype, loc)),
                             loc=loc)
        (arg,) = args
        if f == "fill":
            return self.emit(Op.FILL, ty, (arg,), loc=loc)
        if f == "random":
            return self.emit(Op.RANDOM, ty, (arg,), loc=loc)
        if f in ("float", "int"):
            return arg if arg.dtype is ty.dtype else self.emit(Op.CAST, ty, (arg,), loc=loc)
        if f == "abs":
            return self.emit(Op.ABS, ty, (self.cast(arg, ty.dtype, loc),), loc=loc)
        return self.emit(_MATH[f], ty, (self.cast(arg, DType.FLOAT, loc),), loc=loc)

    def reduction(self, f: str, vector: Node, ty: Type, loc: Loc) -> Node:
        if f != "mean":
            return self.emit(Op.REDUCE, ty, (vector,), f, loc)
        # mean = sum / node_count, in float (an empty graph gives nan, as 0.0 / 0.0 does)
        total = self.emit(Op.REDUCE, Type.scalar(vector.dtype if vector.dtype is DType.FLOAT else DType.INT),
                          (vector,), "sum", loc)
        count = self.emit(Op.NODE_COUNT, Type.scalar(DType.INT), loc=loc)
        return self.emit(Op.DIV, ty, (self.cast(total, DType.FLOAT, loc), self.cast(count, DType.FLOAT, loc)),
                         loc=loc)

    def index(self, e: ast.Index, loc: Loc) -> Node:
        vector = self.env[e.target.id] if e.target.kind == "var" else self.params[e.target.id]
        if e.neighbor:
            return self.emit(Op.E_GATHER, vector.type, arg=self.edge.capture(vector), loc=loc)
        op = Op.GATHER_V if e.ty.shape is Shape.VECTOR else Op.GET
        return self.emit(op, e.ty, (vector, self.expr(e.index)), loc=loc)


def _literal(e: ast.Expr | None) -> int | float | bool | None:
    if e is None:
        return None
    if isinstance(e, ast.Unary) and e.op == "-":
        return -_literal(e.operand)
    return e.value


def _assigned(stmts: list[ast.Stmt]) -> list[str]:
    """Variables assigned anywhere in stmts (nested blocks too), in first-assignment order."""
    names: list[str] = []

    def visit(body: list[ast.Stmt]) -> None:
        for s in body:
            if isinstance(s, ast.Assign):
                if s.target not in names:
                    names.append(s.target)
            elif isinstance(s, (ast.Repeat, ast.While)):
                visit(s.body)
            elif isinstance(s, ast.If):
                for _, arm in s.arms:
                    visit(arm)
                visit(s.orelse or [])

    visit(stmts)
    return names
