"""Builtin functions of .gdsl: their names, signatures and result types, and promotion.

Conversions are implicit: the checker only records each operand's own type and the result
type, and lowering converts an operand whose dtype differs from the one the operation works
in (see docs/language.md, "Types").
"""
from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import NoReturn

from ..types import DType, Shape, Type
from . import ast

INT, FLOAT, BOOL, NODE = DType.INT, DType.FLOAT, DType.BOOL, DType.NODE
SCALAR, VECTOR = Shape.SCALAR, Shape.VECTOR

# Graph functions: no arguments, and inside an aggregation they give v's own value.
GRAPH_FUNCTIONS = {
    "node_count": Type.scalar(INT),
    "edge_count": Type.scalar(INT),
    "node_id": Type.vector(NODE),
    "in_degree": Type.vector(INT),
    "out_degree": Type.vector(INT),
    "degree": Type.vector(INT),
    "no_node": Type.scalar(NODE),   # the node that is no node (-1): printed as an empty cell
}
FLOAT_MATH = ("sqrt", "exp", "log", "floor", "ceil")
REDUCTIONS = ("sum", "mean", "min", "max", "count", "any", "all", "argmin", "argmax")
AGGREGATIONS = ("sum", "mean", "min", "max", "count", "any", "all", "mode", "argmin", "argmax")
DIRECTIONS = ("in_nbrs", "out_nbrs", "nbrs")
BUILTIN_FUNCTIONS = frozenset(
    [*GRAPH_FUNCTIONS, *FLOAT_MATH, *REDUCTIONS, *AGGREGATIONS,
     "fill", "random", "where", "abs", "float", "int", "common"])
PARAM_TYPES = {"int": INT, "float": FLOAT, "bool": BOOL, "node": NODE}

BOOL_HINT = "bool is not a number; convert it with int(...) or choose with where(...)"

Fail = Callable[..., NoReturn]  # fail(node_or_span, message, hint=None)


def reserved_reason(name: str) -> str | None:
    """Why `name` cannot name a variable, parameter or neighbor variable, if it cannot."""
    if name in BUILTIN_FUNCTIONS:
        return "a builtin function"
    if name == "weight":
        return "the edge weight inside aggregations"
    if name in DIRECTIONS:
        return "a neighbor direction"
    return None


def suggest(name: str, candidates) -> str | None:
    close = difflib.get_close_matches(name, sorted(candidates), n=1)
    return f"did you mean '{close[0]}'?" if close else None


def article(ty: Type) -> str:
    """'an int', 'a float vector': for messages that name a single value."""
    text = str(ty)
    return ("an " if text[0] in "aeiou" else "a ") + text


def join_shape(*types: Type) -> Shape:
    """Scalars broadcast: the result is a vector if any operand is."""
    return VECTOR if any(t.shape is VECTOR for t in types) else SCALAR


def arithmetic_dtype(a: DType, b: DType) -> DType:
    """+ - * // % ** on numbers: float wins; node arithmetic gives int."""
    return FLOAT if FLOAT in (a, b) else INT


def unify(dtypes: list[DType]) -> DType | None:
    """The common dtype of values that are chosen between (min/max/where/mode/default=):
    node only if every value is node, bool only with bool; None if they cannot mix."""
    if BOOL in dtypes:
        return BOOL if all(d is BOOL for d in dtypes) else None
    if all(d is NODE for d in dtypes):
        return NODE
    return FLOAT if FLOAT in dtypes else INT


def reduced_dtype(func: str, value: Type, where: ast.Expr, fail: Fail) -> DType:
    """The element type of reduction or aggregation `func` over values of type `value`."""
    dtype = value.dtype
    if func in ("count", "any", "all"):
        if dtype is not BOOL:
            fail(where, f"{func}() needs bool values, got {value}",
                 hint=f"compare the values, e.g. {func}(x > 0)")
        return INT if func == "count" else BOOL
    if func == "mode":
        return dtype
    if dtype is BOOL:
        fail(where, f"{func}() needs numbers, got {value}",
             hint="for bool values use count(), any() or all()")
    if func == "mean":
        return FLOAT
    if func in ("argmin", "argmax"):
        return NODE
    if func == "sum":
        return arithmetic_dtype(dtype, dtype)
    return dtype  # min, max keep the element type, node included


def _arity(call: ast.Call, want: int, fail: Fail) -> None:
    if len(call.args) != want:
        words = {0: "no arguments", 1: "1 argument"}.get(want, f"{want} arguments")
        fail(call, f"{call.func}() takes {words} ({len(call.args)} given)")


def _number(call: ast.Call, i: int, ty: Type, fail: Fail) -> None:
    if not ty.dtype.is_numeric:
        fail(call.args[i], f"{call.func}() takes numbers, got {ty}", hint=BOOL_HINT)


def call_type(call: ast.Call, args: list[Type], fail: Fail) -> Type:
    """The result type of builtin `call` (not an aggregation) whose arguments have `args`."""
    name = call.func
    if name in GRAPH_FUNCTIONS:
        _arity(call, 0, fail)
        return GRAPH_FUNCTIONS[name]
    if name in ("min", "max") and len(args) >= 2:
        for i, ty in enumerate(args):
            _number(call, i, ty, fail)
        return Type(join_shape(*args), unify([t.dtype for t in args]))
    if name in REDUCTIONS:
        if not args:
            fail(call, f"{name}() needs at least 1 argument")
        _arity(call, 1, fail)
        (arg,) = args
        if arg.shape is SCALAR:
            fail(call.args[0], f"cannot reduce a scalar: {name}() takes a node vector, got {arg}")
        return Type.scalar(reduced_dtype(name, arg, call.args[0], fail))
    if name == "where":
        _arity(call, 3, fail)
        cond, a, b = args
        if cond.dtype is not BOOL:
            fail(call.args[0], f"first argument of where() must be bool, got {cond}",
                 hint="compare it, e.g. where(x > 0, a, b)")
        dtype = unify([a.dtype, b.dtype])
        if dtype is None:
            fail(call.args[2], f"where() cannot choose between {a} and {b}",
                 hint="both choices must be numbers, or both bool")
        return Type(join_shape(*args), dtype)
    _arity(call, 1, fail)
    (arg,) = args
    if name == "fill":
        if arg.shape is VECTOR:
            fail(call.args[0], f"fill() takes a scalar, got {arg}", hint="it is already a node vector")
        return Type.vector(arg.dtype)
    if name == "random":
        if arg != Type.scalar(INT):
            fail(call.args[0], f"random() takes a scalar int seed, got {arg}")
        return Type.vector(FLOAT)
    if name == "float":
        return Type(arg.shape, FLOAT)
    if name == "int":
        return Type(arg.shape, INT)
    _number(call, 0, arg, fail)
    if name == "abs":
        return Type(arg.shape, arithmetic_dtype(arg.dtype, arg.dtype))
    return Type(arg.shape, FLOAT)  # sqrt exp log floor ceil
