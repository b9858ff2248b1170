"""The optimization stage: `optimize(fn, level) -> Function`, the passes listed in order.

Every pass looks inside loop bodies, if arms and aggregations' edge graphs, and keeps
the program's run-time errors (ir/effects.py).  tests/test_passes.py runs the IR
verifier after each one.
"""
from __future__ import annotations

from collections.abc import Callable

from ..ir.nodes import Function, clone, count_ops
from .cse import cse
from .dce import dce
from .fold import fold
from .licm import licm

Pass = Callable[[Function], Function]

# Folding first exposes equal constants to CSE; CSE before LICM merges an op in a loop
# with the same op outside it; DCE last sweeps what the others left unused.
PIPELINE: tuple[tuple[str, Pass], ...] = (
    ("fold", fold),
    ("cse", cse),
    ("licm", licm),
    ("dce", dce),
)
MAX_ROUNDS = 4


def optimize(fn: Function, level: int = 1, check: Callable[[Function], None] | None = None) -> Function:
    """An optimized copy of fn (fn itself is not changed).  level 0: no passes; level >= 1:
    the pipeline, repeated while it still removes ops.  check (e.g. ir.verify) runs after
    every pass."""
    fn = clone(fn)
    if level <= 0:
        return fn
    before = count_ops(fn) + 1
    for _ in range(MAX_ROUNDS):
        if count_ops(fn) >= before:
            break
        before = count_ops(fn)
        for _name, run in PIPELINE:
            fn = run(fn)
            if check is not None:
                check(fn)
    return fn


__all__ = ["PIPELINE", "optimize"]
