"""The typed IR: one node type for every operation, blocks, and structured regions.

A `Node` is both an operation and the SSA value it defines: op, result type (shape and
dtype), ordered operands (`src`), a small constant `arg`, a source location, and for
structured ops the regions they own.  Blocks hold nodes in execution order; a node may
use any value defined earlier in its block or in an enclosing block before the op that
owns the region (implicit capture, as in MLIR), so passes see every use in one walk.

Structured ops (their results are the RESULT nodes that directly follow them):
  LOOP  arg=LoopKind.  WHILE: src=inits, regions=(cond, body); cond's yield is the
        condition, evaluated before every pass.  REPEAT: src=(count, *inits),
        regions=(body,).  REPEAT_UNTIL: as REPEAT, and body yields the `until`
        condition after the carried values.  SOURCES: as REPEAT, for `for s in ...`; lowering
        makes its first carried value the pass index i (a SOURCE op turns it into the
        source) and the others the accumulators; passes treat it as any carried value.
        Every region's args are the carried values (one ARG per init); body yields their
        next values.
  IF    src=(cond,), regions=(then, else); both arms yield the results.
  AGG   one neighbor aggregation, arg=AggArg.  src are its captures (the node-level
        values the per-edge expression reads), then the default if it has one.  Its one
        region is the *closed* edge graph: lanes are edges v-u, leaves are E_GATHER i
        (the neighbor's value of capture i), E_OWN i (v's own value), E_SCALAR i (a scalar
        capture), E_NBR (u), E_WEIGHT and CONST; it yields the value, then the filter.

Broadcast is implied by shape: an elementwise op whose result is a vector may take scalar
operands (each is broadcast to every lane); FILL makes a vector from a scalar on its own.
Conversions are explicit CAST nodes, except that int and node share one representation
and mix freely in integer ops (node arithmetic gives int).
"""
from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..types import DType, Shape, Type


class Op(enum.Enum):
    # leaves
    CONST = "const"            # arg: the Python value
    PARAM = "param"            # arg: index into Function.params
    NODE_COUNT = "node_count"
    EDGE_COUNT = "edge_count"
    NODE_ID = "node_id"        # vector leaves: one value per node
    IN_DEG = "in_deg"
    OUT_DEG = "out_deg"
    DEGREE = "degree"
    FILL = "fill"              # src: (scalar,)
    RANDOM = "random"          # src: (seed,)
    # elementwise (scalar or vector)
    ADD = "add"
    SUB = "sub"
    MUL = "mul"
    DIV = "div"
    FLOORDIV = "floordiv"
    MOD = "mod"
    POW = "pow"
    MIN = "min"
    MAX = "max"
    EQ = "eq"
    NE = "ne"
    LT = "lt"
    LE = "le"
    GT = "gt"
    GE = "ge"
    AND = "and"
    OR = "or"
    NOT = "not"
    NEG = "neg"
    ABS = "abs"
    SQRT = "sqrt"
    EXP = "exp"
    LOG = "log"
    FLOOR = "floor"
    CEIL = "ceil"
    CAST = "cast"              # to the node's dtype
    WHERE = "where"            # src: (cond, a, b)
    # vector -> scalar
    REDUCE = "reduce"          # arg: sum min max count any all argmin argmax
    GET = "get"                # src: (vector, index)
    GATHER_V = "gather_v"      # x[p]: src (x, p), p a node vector; the vector of x[p[v]]
    SOURCE = "source"          # the source of pass i of a SOURCES loop; arg "all": src=(i,),
                               # arg "sample": src=(i, n, seed) (plan/sources.py)
    # structure
    AGG = "agg"
    LOOP = "loop"
    IF = "if"
    RESULT = "result"          # src: (loop or if,), arg: result index
    ARG = "arg"                # a region argument, arg: its index
    # edge-graph leaves (only inside an AGG's region)
    E_GATHER = "gather"
    E_OWN = "own"
    E_SCALAR = "scalar"
    E_NBR = "nbr"
    E_WEIGHT = "weight"
    E_COMMON = "common"       # common(u): v's and u's common neighbors (an int per edge)


BINARY = frozenset({Op.ADD, Op.SUB, Op.MUL, Op.DIV, Op.FLOORDIV, Op.MOD, Op.POW, Op.MIN, Op.MAX,
                    Op.EQ, Op.NE, Op.LT, Op.LE, Op.GT, Op.GE, Op.AND, Op.OR})
UNARY = frozenset({Op.NOT, Op.NEG, Op.ABS, Op.SQRT, Op.EXP, Op.LOG, Op.FLOOR, Op.CEIL, Op.CAST})
ELEMENTWISE = BINARY | UNARY | {Op.WHERE}
# Only these may have their operands reordered (CSE keys, folding).  IEEE + and * are
# commutative, and min/max are too because a NaN operand gives NaN whichever side it is on.
COMMUTATIVE = frozenset({Op.ADD, Op.MUL, Op.MIN, Op.MAX, Op.EQ, Op.NE, Op.AND, Op.OR})
COMPARISONS = frozenset({Op.EQ, Op.NE, Op.LT, Op.LE, Op.GT, Op.GE})
FLOAT_MATH = frozenset({Op.SQRT, Op.EXP, Op.LOG, Op.FLOOR, Op.CEIL})
VECTOR_LEAVES = frozenset({Op.NODE_ID, Op.IN_DEG, Op.OUT_DEG, Op.DEGREE, Op.FILL, Op.RANDOM})
EDGE_LEAVES = frozenset({Op.E_GATHER, Op.E_OWN, Op.E_SCALAR, Op.E_NBR, Op.E_WEIGHT, Op.E_COMMON})
REGION_OPS = frozenset({Op.LOOP, Op.IF, Op.AGG})
REDUCTIONS = ("sum", "min", "max", "count", "any", "all", "argmin", "argmax")
AGGREGATIONS = ("sum", "mean", "min", "max", "count", "any", "all", "mode")
DIRECTIONS = ("in", "out", "both")


class LoopKind(enum.Enum):
    WHILE = "while"
    REPEAT = "repeat"
    REPEAT_UNTIL = "repeat_until"
    SOURCES = "sources"


@dataclass(frozen=True)
class AggArg:
    kind: str            # one of AGGREGATIONS
    direction: str       # one of DIRECTIONS
    has_filter: bool = False
    has_default: bool = False


@dataclass(frozen=True)
class Loc:
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.line}:{self.col}"


NOLOC = Loc(0, 0)


@dataclass(eq=False)
class Node:
    op: Op
    type: Type | None              # None only for LOOP and IF (see their RESULT nodes)
    src: tuple[Node, ...] = ()
    arg: Any = None
    loc: Loc = NOLOC
    regions: tuple[Block, ...] = ()
    name: str | None = None        # the variable it was first bound to, for printing

    def __repr__(self) -> str:  # dataclass repr would recurse through every operand
        return f"<{self.op.value} {self.type} @{self.loc}>"

    @property
    def is_vector(self) -> bool:
        return self.type is not None and self.type.shape is Shape.VECTOR

    @property
    def dtype(self) -> DType:
        assert self.type is not None, f"{self.op.value} has no single result type"
        return self.type.dtype


@dataclass(eq=False)
class Block:
    args: list[Node] = field(default_factory=list)
    nodes: list[Node] = field(default_factory=list)
    yields: list[Node] = field(default_factory=list)


@dataclass(eq=False)
class Param:
    name: str
    dtype: DType
    default: int | float | bool | None
    loc: Loc = NOLOC
    bounds: list | None = None   # the declared range (plan/bounds.py)


@dataclass(eq=False)
class Function:
    """One algorithm: parameters, a body block whose yields are the returned values."""

    name: str
    params: list[Param]
    body: Block
    outputs: list[str]             # the output name of each body yield
    path: str = ""
    lowered_ops: int = 0           # count_ops right after lowering, for the plan's stats
    changes: int = 0               # one per pass run that changed the IR (passes.optimize
                                   # stops when a whole round leaves it where it was)


# ---- structure helpers ---------------------------------------------------------


def loop_kind(loop: Node) -> LoopKind:
    return loop.arg


def loop_count(loop: Node) -> Node | None:
    return None if loop.arg is LoopKind.WHILE else loop.src[0]


def loop_inits(loop: Node) -> tuple[Node, ...]:
    return loop.src if loop.arg is LoopKind.WHILE else loop.src[1:]


def loop_body(loop: Node) -> Block:
    return loop.regions[-1]


def loop_cond(loop: Node) -> Block | None:
    return loop.regions[0] if loop.arg is LoopKind.WHILE else None


def loop_carried(loop: Node) -> list[Node]:
    """The body's yields that become the next pass's carried values."""
    return loop_body(loop).yields[:len(loop_inits(loop))]


def until_cond(loop: Node) -> Node | None:
    return loop_body(loop).yields[-1] if loop.arg is LoopKind.REPEAT_UNTIL else None


def result_count(node: Node) -> int:
    if node.op is Op.LOOP:
        return len(loop_inits(node))
    if node.op is Op.IF:
        return len(node.regions[0].yields)
    return 0


def agg_captures(agg: Node) -> tuple[Node, ...]:
    return agg.src[:-1] if agg.arg.has_default else agg.src


def agg_default(agg: Node) -> Node | None:
    return agg.src[-1] if agg.arg.has_default else None


def edge_value(agg: Node) -> Node:
    return agg.regions[0].yields[0]


def edge_filter(agg: Node) -> Node | None:
    return agg.regions[0].yields[1] if agg.arg.has_filter else None


def walk(block: Block) -> Iterator[Node]:
    """Every node of block and of the regions inside it, in program order."""
    for node in block.nodes:
        yield node
        for region in node.regions:
            yield from walk(region)


def all_blocks(block: Block) -> Iterator[Block]:
    yield block
    for node in block.nodes:
        for region in node.regions:
            yield from all_blocks(region)


def count_ops(fn: Function) -> int:
    """Operations that do work: every node except parameters, region args and results."""
    return sum(1 for n in walk(fn.body) if n.op not in (Op.PARAM, Op.ARG, Op.RESULT))


def follow(subst: dict[Node, Node], n: Node) -> Node:
    """The final replacement of n in a substitution map whose entries may chain."""
    while n in subst:
        n = subst[n]
    return n


def replace_uses(block: Block, subst: dict[Node, Node]) -> None:
    """Rewrite every operand and yield found in subst (chains are followed)."""
    if not subst:
        return
    for b in all_blocks(block):
        b.yields = [follow(subst, y) for y in b.yields]
        for node in b.nodes:
            if any(s in subst for s in node.src):
                node.src = tuple(follow(subst, s) for s in node.src)


def keep_results(n: Node, keep: list[int]) -> None:
    """Keep only the listed results of a LOOP or IF (for a loop, its carried values), in
    order; the caller renumbers or removes the RESULT nodes."""
    if n.op is Op.LOOP:
        inits = loop_inits(n)
        head = n.src[:len(n.src) - len(inits)]
        n.src = (*head, *(inits[i] for i in keep))
        for region in n.regions:
            ncarried = len(region.args)
            region.args = [region.args[i] for i in keep]
            for j, a in enumerate(region.args):
                a.arg = j
            if region is n.regions[-1]:
                region.yields = [region.yields[i] for i in keep] + region.yields[ncarried:]
    else:
        for region in n.regions:
            region.yields = [region.yields[i] for i in keep]


def clone(fn: Function) -> Function:
    """A deep copy with fresh nodes, so a pass pipeline never changes its input."""
    mapping: dict[Node, Node] = {}

    def copy_block(block: Block) -> Block:
        new = Block()
        new.args = [copy_node(a) for a in block.args]
        new.nodes = [copy_node(n) for n in block.nodes]
        new.yields = [mapping[y] for y in block.yields]
        return new

    def copy_node(node: Node) -> Node:
        copy = Node(node.op, node.type, tuple(mapping[s] for s in node.src), node.arg, node.loc,
                    (), node.name)
        mapping[node] = copy
        copy.regions = tuple(copy_block(r) for r in node.regions)
        return copy

    return Function(fn.name, list(fn.params), copy_block(fn.body), list(fn.outputs), fn.path,
                    fn.lowered_ops)
