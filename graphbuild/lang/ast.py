"""The .gdsl abstract syntax tree.

Every node keeps the Span of its first token so any later stage can point at source.
The parser builds the tree; the checker fills in the fields marked "set by the checker"
(types, and how names and indexing resolve); lowering reads them and never guesses.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..types import Type


@dataclass(frozen=True)
class Span:
    """Where a node starts (1-based line and column) and how many columns its first token spans."""

    line: int
    col: int
    length: int = 1


# ---- expressions ---------------------------------------------------------------


@dataclass(eq=False)
class Expr:
    span: Span
    ty: Type | None = field(default=None, init=False)  # set by the checker


@dataclass(eq=False)
class Num(Expr):
    """An int or float literal; also `inf` and `nan` (as floats)."""

    value: int | float = 0


@dataclass(eq=False)
class Bool(Expr):
    value: bool = False


@dataclass(eq=False)
class Name(Expr):
    id: str = ""
    # Set by the checker: "var" (a variable of the algorithm), "param", "nbr" (the
    # aggregation's loop variable: the neighbor u) or "weight" (the edge weight).
    kind: str = field(default="", init=False)


@dataclass(eq=False)
class Unary(Expr):
    op: str = ""  # "-" or "not"
    operand: Expr | None = None


@dataclass(eq=False)
class Binary(Expr):
    """Arithmetic (+ - * / // % **), comparison (== != < <= > >=) or logic (and or)."""

    op: str = ""
    left: Expr | None = None
    right: Expr | None = None


@dataclass(eq=False)
class Call(Expr):
    """A builtin call: math, graph functions, fill, random, where, reductions, casts."""

    func: str = ""
    args: list[Expr] = field(default_factory=list)


@dataclass(eq=False)
class Index(Expr):
    """`x[s]`: one element of vector x at scalar s, or `x[u]` inside an aggregation."""

    target: Expr | None = None  # a Name of a node vector
    index: Expr | None = None
    # Set by the checker: True when index is the aggregation's neighbor variable.
    neighbor: bool = field(default=False, init=False)


@dataclass(eq=False)
class Aggregation(Expr):
    """`func(expr for var in direction [if filter] [, default=value])`."""

    func: str = ""        # sum mean min max count any all mode
    expr: Expr | None = None
    var: str = ""         # the neighbor variable, usually u
    var_span: Span | None = None
    direction: str = ""   # in_nbrs, out_nbrs, nbrs
    direction_span: Span | None = None
    filter: Expr | None = None
    default: Expr | None = None


# ---- statements ----------------------------------------------------------------


@dataclass(eq=False)
class Stmt:
    span: Span


@dataclass(eq=False)
class Assign(Stmt):
    target: str = ""
    value: Expr | None = None


@dataclass(eq=False)
class Repeat(Stmt):
    """`repeat count:` or `repeat count until cond:` (cond is checked after each pass)."""

    count: Expr | None = None
    until: Expr | None = None
    body: list[Stmt] = field(default_factory=list)


@dataclass(eq=False)
class While(Stmt):
    cond: Expr | None = None
    body: list[Stmt] = field(default_factory=list)


@dataclass(eq=False)
class For(Stmt):
    """`for s in sources():` (every node) or `for s in sample(k, seed):` (k of them): the
    body runs once per source with `s` its scalar node; outer variables only accumulate."""

    var: str = ""
    var_span: Span | None = None
    kind: str = ""                 # "sources" or "sample"
    args: list[Expr] = field(default_factory=list)   # sample: k, seed
    body: list[Stmt] = field(default_factory=list)


@dataclass(eq=False)
class If(Stmt):
    """`if`/`elif` arms in order as (condition, body) pairs, then an optional `else` body."""

    arms: list[tuple[Expr, list[Stmt]]] = field(default_factory=list)
    orelse: list[Stmt] | None = None


@dataclass(eq=False)
class Return(Stmt):
    values: list[Expr] = field(default_factory=list)
    # Set by the checker: the output name of each value (a bare name, else result, result2, ...).
    names: list[str] = field(default_factory=list, init=False)


# ---- definitions ---------------------------------------------------------------


@dataclass(eq=False)
class Bounds:
    """A parameter's valid range, `in [low, high]`: each end a number literal (inf for none),
    closed with [ or ], open with ( or )."""

    span: Span                 # the opening bracket
    low: Expr
    high: Expr
    low_closed: bool
    high_closed: bool
    value: list | None = None  # set by the checker: plan/bounds.py's form


@dataclass(eq=False)
class Param:
    span: Span
    name: str
    type_name: str             # int, float, bool or node
    default: Expr | None       # a literal (Num, Bool, or unary minus on a Num), or None
    bounds: Bounds | None = None


@dataclass(eq=False)
class Algorithm:
    span: Span
    name: str
    params: list[Param]
    body: list[Stmt]


@dataclass(eq=False)
class Module:
    """One .gdsl file: its path and text (for diagnostics) and its algorithms in order."""

    path: str
    source: str
    algorithms: list[Algorithm]
