"""What the Spark engine runs, checked before any job starts.

A plan is lowered by what its instructions and kernels mean (the opcodes of
csrc/graphbuild.h and the kernel header), never by the executor's hints: fields the
executor reads to pick its fast paths are ignored, so they may grow freely.  An opcode,
aggregation or direction this engine does not know fails here, naming the construct and
its .gdsl line, instead of part-way through a cluster job.
"""
from __future__ import annotations

from ..errors import ErrorKind, GraphbuildError
from ..plan.model import Plan
from ..runtime.executor import plan_location as location
from .aggregate import REDUCTIONS
from .columns import ELEMENTWISE_OPS

TOP_LEVEL = frozenset({"const", "mov", "node_count", "edge_count", "get", "jump", "jump_if_false",
                       "check_iter", "kernel", "copy_v", "swap_v", "fused", "gather_v"}) | ELEMENTWISE_OPS
_LEAVES = frozenset({"imm", "bcast", "node_id", "in_deg", "out_deg", "degree", "random", "load"})
NODE_MICRO = _LEAVES | {"store"} | REDUCTIONS | ELEMENTWISE_OPS
EDGE_MICRO = _LEAVES | {"gather", "nbr", "weight"} | ELEMENTWISE_OPS
AGGREGATIONS = frozenset({"sum", "mean", "min", "max", "count", "any", "all", "mode"})
DIRECTIONS = frozenset({"in", "out", "both"})
DEFAULTS = frozenset({"identity", "reg", "slot"})


def _unsupported(plan: Plan, what: str, loc: int) -> GraphbuildError:
    return GraphbuildError(f"the Spark engine does not run {what} yet", location=location(plan, loc),
                           kind=ErrorKind.USAGE,
                           hint="run this program with the C engine (--engine c)")


def _at(plan: Plan, loop: dict):
    """The location of a source loop: the first instruction with its line and column."""
    for i, loc in enumerate(plan.locations):
        if (loc.line, loc.col) == (loop["line"], loop["col"]):
            return location(plan, i)
    return None


def check_plan(plan: Plan) -> None:
    """Raise for the first construct of plan that the Spark engine cannot run."""
    for loop in plan.stats.get("source_loops", []):
        # a traversal per source, each level a round of jobs: far too slow to be worth running
        raise GraphbuildError(
            f"the Spark engine does not run loops over sources "
            f"('for ... in {'sources()' if loop['sources'] == 'all' else 'sample(k, seed)'}')",
            location=_at(plan, loop), kind=ErrorKind.USAGE,
            hint="run this program with the C engine (--engine c)")
    for ins in plan.code:
        if ins.op not in TOP_LEVEL:
            raise _unsupported(plan, f"the instruction '{ins.op}'", ins.loc)
    for k in plan.kernels:
        if k.domain not in ("node", "edge"):
            raise _unsupported(plan, f"a kernel over '{k.domain}'", k.loc)
        allowed = NODE_MICRO if k.domain == "node" else EDGE_MICRO
        if k.domain == "edge":
            if k.agg not in AGGREGATIONS:
                raise _unsupported(plan, f"the neighbor aggregation '{k.agg}'", k.loc)
            if k.dir not in DIRECTIONS:
                raise _unsupported(plan, f"neighbors in direction '{k.dir}'", k.loc)
            if k.default_kind not in DEFAULTS:
                raise _unsupported(plan, f"an aggregation default of kind '{k.default_kind}'", k.loc)
        for m in k.micro:
            if m.op not in allowed:
                raise _unsupported(plan, f"the {k.domain}-kernel operation '{m.op}'",
                                   m.loc if m.loc >= 0 else k.loc)
