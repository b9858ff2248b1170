"""The optimization stage: `optimize(fn, level) -> Function`, the passes listed in order.

Every pass looks inside loop bodies, if arms and aggregations' edge graphs, and keeps
the program's run-time errors (ir/effects.py).  tests/test_passes.py runs the IR
verifier after each one.
"""
from __future__ import annotations

from collections.abc import Callable, Collection

from ..ir.nodes import Function, clone
from .copyprop import copyprop
from .cse import cse
from .dce import dce
from .fold import fold
from .licm import licm
from .sides import hoist_sides
from .simplify import simplify
from .strength import strength_reduce

Pass = Callable[[Function], Function]

# Folding first turns constant work into constants the rule tables match; simplification
# and strength reduction rewrite single ops; copy propagation removes carried values and
# if results that only rename; CSE then merges what the rewrites made equal (an op in a
# loop with the same op outside it, too); source-side hoisting moves one-sided per-edge
# work to node level, where LICM can take it out of the loop when it does not change; DCE
# last sweeps what the others left unused.
PIPELINE: tuple[tuple[str, Pass], ...] = (
    ("fold", fold),
    ("simplify", simplify),
    ("strength", strength_reduce),
    ("copyprop", copyprop),
    ("cse", cse),
    ("sides", hoist_sides),
    ("licm", licm),
    ("dce", dce),
)
MAX_ROUNDS = 6


def optimize(fn: Function, level: int = 1, check: Callable[[Function], None] | None = None,
             without: Collection[str] = ()) -> Function:
    """An optimized copy of fn (fn itself is not changed).  level 0: no passes; level >= 1:
    the pipeline, repeated until a round changes nothing (at most MAX_ROUNDS): each pass
    counts in fn.changes the runs that changed the IR.  check
    (e.g. ir.verify) runs after every pass; `without` names passes to leave out (tests
    compare programs with and without one)."""
    fn = clone(fn)
    if level <= 0:
        return fn
    for _ in range(MAX_ROUNDS):
        before = fn.changes
        for name, run in PIPELINE:
            if name in without:
                continue
            fn = run(fn)
            if check is not None:
                check(fn)
        if fn.changes == before:   # every pass says it changed nothing: a fixed point
            break
    return fn


__all__ = ["PIPELINE", "optimize"]
