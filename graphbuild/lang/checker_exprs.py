"""Expression typing for the checker: names, operators, indexing, calls, aggregations.

Inside an aggregation a value that varies per edge (the neighbor `u`, `weight`, `x[u]`
and anything computed from them) has shape VECTOR, like a per-node value: both are
"one value per lane" of the kernel that evaluates them, and scalars broadcast into both.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..types import DType, Type
from . import ast
from .checker_builtins import (
    AGGREGATIONS,
    BOOL,
    BOOL_HINT,
    BUILTIN_FUNCTIONS,
    DIRECTIONS,
    FLOAT,
    INT,
    NODE,
    REDUCTIONS,
    SCALAR,
    VECTOR,
    Fail,
    arithmetic_dtype,
    article,
    call_type,
    join_shape,
    reduced_dtype,
    reserved_reason,
    suggest,
    unify,
)
from .tree import walk

ARITHMETIC = {"+": "cannot add {} and {}", "-": "cannot subtract {1} from {0}",
              "*": "cannot multiply {} and {}", "/": "cannot divide {} by {}",
              "//": "cannot floor-divide {} by {}", "%": "cannot take {} modulo {}",
              "**": "cannot raise {} to the power {}"}
EQUALITY = ("==", "!=")
ORDERING = ("<", "<=", ">", ">=")
REDUCTION_IN_AGGREGATION_HINT = "compute it into a variable before the aggregation"


@dataclass
class Scope:
    """What names mean in one algorithm; `defined`/`maybe` are set per statement."""

    params: dict[str, Type]
    assigned: set[str]                  # every assignment target in the algorithm
    variables: dict[str, Type] = field(default_factory=dict)       # in source order
    first_assigned: dict[str, ast.Span] = field(default_factory=dict)
    defined: frozenset[str] = frozenset()  # assigned on every path to this point
    maybe: frozenset[str] = frozenset()    # assigned on some path to this point
    loop_locals: dict[str, int] = field(default_factory=dict)  # a 'for' body's own: its line


def start_span(e: ast.Expr) -> ast.Span:
    """The leftmost token of an expression, where a caret for the whole of it goes."""
    while isinstance(e, (ast.Binary, ast.Index)):
        e = e.left if isinstance(e, ast.Binary) else e.target
    return e.span


class ExprChecker:
    def __init__(self, scope: Scope, fail: Fail):
        self.scope = scope
        self.fail = fail
        self.agg: ast.Aggregation | None = None  # the aggregation being checked, if any

    def expr(self, e: ast.Expr) -> Type:
        ty = getattr(self, "_" + type(e).__name__.lower())(e)
        e.ty = ty
        return ty

    def _num(self, e: ast.Num) -> Type:
        return Type.scalar(FLOAT if isinstance(e.value, float) else INT)

    def _bool(self, e: ast.Bool) -> Type:
        return Type.scalar(BOOL)

    def _name(self, e: ast.Name) -> Type:
        name, scope = e.id, self.scope
        if self.agg is not None and name == self.agg.var:
            e.kind = "nbr"
            return Type.vector(NODE)
        if name == "weight":
            if self.agg is None:
                self.fail(e, "'weight' is only defined inside a neighbor aggregation")
            e.kind = "weight"
            return Type.vector(FLOAT)
        if name in scope.params:
            e.kind = "param"
            return scope.params[name]
        if name in scope.defined:
            e.kind = "var"
            return scope.variables[name]
        if name in BUILTIN_FUNCTIONS:
            self.fail(e, f"'{name}' is a function; call it as {name}(...)")
        if name in DIRECTIONS:
            self.fail(e, f"'{name}' is a neighbor direction; use it as 'for u in {name}' "
                         "inside an aggregation")
        if name in scope.maybe:
            self.fail(e, f"'{name}' is used before it is assigned on every path",
                      hint="assign it on every path before this use: a loop may run zero "
                           "times, and an 'if' may skip its arms")
        if name in scope.loop_locals:
            self.fail(e, f"'{name}' belongs to the 'for' loop on line {scope.loop_locals[name]}; "
                      "each source has its own", hint=f"sum it over the sources into a variable "
                      f"assigned before the loop: 'total = total + {name}'")
        if name in scope.assigned:
            self.fail(e, f"'{name}' is used before it is assigned")
        known = set(scope.params) | scope.assigned
        if self.agg is not None:
            known |= {self.agg.var, "weight"}
        self.fail(e, f"unknown name '{name}'", hint=suggest(name, known))

    def _unary(self, e: ast.Unary) -> Type:
        ty = self.expr(e.operand)
        if e.op == "not":
            if ty.dtype is not BOOL:
                self.fail(e, f"'not' needs a bool, got {ty}", hint="compare it, e.g. not (x > 0)")
            return ty
        if not ty.dtype.is_numeric:
            self.fail(e, f"cannot negate {ty}", hint="use 'not' for bools")
        return Type(ty.shape, arithmetic_dtype(ty.dtype, ty.dtype))

    def _binary(self, e: ast.Binary) -> Type:
        lt, rt = self.expr(e.left), self.expr(e.right)
        shape, a, b = join_shape(lt, rt), lt.dtype, rt.dtype
        if e.op in ("and", "or"):
            if a is not BOOL or b is not BOOL:
                self.fail(e.span, f"'{e.op}' needs bool operands, got {lt} and {rt}",
                          hint="compare numbers first, e.g. x > 0")
            return Type(shape, BOOL)
        if e.op in EQUALITY or e.op in ORDERING:
            if a is BOOL and b is BOOL and e.op in ORDERING:
                self.fail(e.span, f"'{e.op}' needs numbers, got {lt} and {rt}")
            if (a is BOOL) != (b is BOOL) or {a, b} == {NODE, FLOAT}:
                self.fail(e.span, f"cannot compare {lt} and {rt}",
                          hint="a node compares with ints and nodes" if NODE in (a, b) else None)
            return Type(shape, BOOL)
        if BOOL in (a, b):
            self.fail(e.span, ARITHMETIC[e.op].format(lt, rt), hint=BOOL_HINT)
        return Type(shape, FLOAT if e.op == "/" else arithmetic_dtype(a, b))

    def _index(self, e: ast.Index) -> Type:
        target = e.target
        if not isinstance(target, ast.Name):
            self.fail(target, "only a variable can be indexed",
                      hint="compute the expression into a variable first")
        tt = self.expr(target)
        if target.kind in ("nbr", "weight") or tt.shape is SCALAR:
            what = {"nbr": "the neighbor node", "weight": "the edge weight"}.get(target.kind, article(tt))
            self.fail(target, f"cannot index '{target.id}', {what}; only a node vector can be indexed")
        index = e.index
        if self.agg is not None and isinstance(index, ast.Name) and index.id == self.agg.var:
            self.expr(index)
            e.neighbor = True
            return Type.vector(tt.dtype)
        it = self.expr(index)
        if it.shape is VECTOR:
            return self.gather(e, tt, it)
        if it.dtype not in (INT, NODE):
            self.fail(index, f"index must be a node or int, got {it}")
        return Type.scalar(tt.dtype)

    def gather(self, e: ast.Index, tt: Type, it: Type) -> Type:
        """`x[p]`, p a node vector: for every node v, x at node p[v] (docs/language.md)."""
        if self.agg is not None:
            self.fail(e.index, f"index must be a scalar node or int, got {it}",
                      hint=f"inside an aggregation, x[{self.agg.var}] reads the neighbor's value; "
                           "compute y = x[p] before the aggregation")
        if it.dtype is not NODE:
            self.fail(e.index, f"a vector index must be a node vector, got {it}",
                      hint="x[p] reads x at each node's p[v]; an int index must be a scalar")
        return Type.vector(tt.dtype)

    def _call(self, e: ast.Call) -> Type:
        name = e.func
        if name not in BUILTIN_FUNCTIONS:
            if name in self.scope.params or name in self.scope.assigned:
                self.fail(e, f"'{name}' is a variable, not a function")
            self.fail(e, f"unknown function '{name}'", hint=suggest(name, BUILTIN_FUNCTIONS))
        if name == "mode":
            self.fail(e, "mode() only aggregates over neighbors",
                      hint="write mode(EXPR for u in nbrs)")
        if name == "common":
            return self.common(e)
        if self.agg is not None and name in REDUCTIONS and (name not in ("min", "max")
                                                            or len(e.args) == 1):
            self.fail(e, f"a whole-graph reduction ({name}) cannot appear inside a neighbor "
                         "aggregation", hint=REDUCTION_IN_AGGREGATION_HINT)
        args = [self.expr(a) for a in e.args]
        return call_type(e, args, self.fail)

    def common(self, e: ast.Call) -> Type:
        """common(u): the two-hop construct, one int per edge (docs/language.md)."""
        if self.agg is None:
            self.fail(e, "common() is only defined inside a neighbor aggregation",
                      hint="count triangles with sum(common(u) for u in nbrs)")
        var = self.agg.var
        if len(e.args) != 1:
            self.fail(e, f"common() takes 1 argument ({len(e.args)} given)",
                      hint=f"write common({var})")
        (arg,) = e.args
        if not (isinstance(arg, ast.Name) and arg.id == var):
            self.fail(arg, f"common() takes the aggregation's neighbor variable '{var}'",
                      hint=f"common({var}) counts the neighbors {var} shares with v")
        self.expr(arg)
        return Type.vector(INT)

    def _aggregation(self, e: ast.Aggregation) -> Type:
        if e.func not in AGGREGATIONS:
            listing = "sum, mean, min, max, count, any, all, mode, argmin or argmax"
            if e.func in BUILTIN_FUNCTIONS:
                self.fail(e, f"{e.func}() cannot aggregate over neighbors; use {listing}")
            self.fail(e, f"unknown aggregation '{e.func}'", hint=suggest(e.func, AGGREGATIONS))
        if self.agg is not None:
            self.fail(e, "aggregations cannot nest", hint=REDUCTION_IN_AGGREGATION_HINT)
        if e.direction not in DIRECTIONS:
            self.fail(e.direction_span, f"unknown neighbor direction '{e.direction}'; expected "
                      "in_nbrs, out_nbrs or nbrs", hint=suggest(e.direction, DIRECTIONS))
        self.check_neighbor_variable(e)
        self.agg = e
        try:
            dtype = reduced_dtype(e.func, self.expr(e.expr), e.expr, self.fail)
            if e.filter is not None:
                ft = self.expr(e.filter)
                if ft.dtype is not BOOL:
                    self.fail(e.filter, f"filter of an aggregation must be bool, got {ft}")
        finally:
            self.agg = None
        if e.default is not None:
            dtype = self.default_dtype(e, dtype, self.expr(e.default))
        elif e.func == "mode" and any((isinstance(n, ast.Name) and n.kind == "weight") or
                                      (isinstance(n, ast.Call) and n.func == "common")
                                      for n in walk(e.expr)):
            self.fail(e, "mode() needs default= here: on an empty neighborhood it gives v's own "
                         "value of the expression, which has no edge (weight or common())",
                      hint=f"add a default, e.g. mode(... for {e.var} in {e.direction}, default=0.0)")
        return Type.vector(dtype)

    def default_dtype(self, e: ast.Aggregation, dtype: DType, default: Type) -> DType:
        """The aggregation's dtype given its default=: the default is converted to the
        values' kind (bool, whole number or float), never the values to the default's."""
        if e.func in ("argmin", "argmax"):
            if default.dtype is not NODE:
                self.fail(e.default, f"default= of {e.func}() must be a node, got {default}",
                          hint="an empty neighborhood gives no_node() without a default; "
                               "for v itself write default=node_id()")
            return NODE
        unified = unify([dtype, default.dtype])
        if unified is None:
            self.fail(e.default, f"default= of {e.func}() must be "
                      f"{'bool' if dtype is BOOL else 'a number'}, got {default}")
        if unified is FLOAT and dtype is not FLOAT:
            self.fail(e.default, f"default= of {e.func}() must be an int, got {default}",
                      hint=f"the aggregation gives {Type.vector(dtype)}; for a float default "
                           f"aggregate floats, e.g. {e.func}(float(...) for {e.var} in {e.direction}, "
                           "default=...)")
        return unified

    def check_neighbor_variable(self, e: ast.Aggregation) -> None:
        var = e.var
        reason = reserved_reason(var)
        if reason is not None:
            self.fail(e.var_span, f"cannot name the neighbor variable '{var}', {reason}")
        if var in self.scope.params or var in self.scope.assigned:
            kind = "parameter" if var in self.scope.params else "variable"
            self.fail(e.var_span, f"'{var}' is already a {kind}; name the neighbor variable "
                      "something else, e.g. u")

