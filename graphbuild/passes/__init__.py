"""The optimization stage: `optimize(fn, level) -> Function`, the passes listed in order.

Every pass looks inside loop bodies, if arms and aggregations' edge graphs, and keeps
the program's run-time errors (ir/effects.py).  tests/test_passes.py runs the IR
verifier after each one.
"""
from __future__ import annotations

from collections.abc import Callable, Collection

from ..ir.nodes import Function, clone
from ..ir.printer import format_ir
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
    the pipeline, repeated until a round changes nothing (at most MAX_ROUNDS).  check
    (e.g. ir.verify) runs after every pass; `without` names passes to leave out (tests
    compare programs with and without one)."""
    fn = clone(fn)
    if level <= 0:
        return fn
    text = format_ir(fn)
    for _ in range(MAX_ROUNDS):
        for name, run in PIPELINE:
            if name in without:
                continue
            fn = run(fn)
            if check is not None:
                check(fn)
        text, before = format_ir(fn), text
        if text == before:
            break
    return fn


__all__ = ["PIPELINE", "optimize"]
