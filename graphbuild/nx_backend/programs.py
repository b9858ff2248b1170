"""Running a shipped program for a networkx call, and networkx's convergence rule.

    r = run(bg.form("arcs"), "pagerank", damping=0.85, tol=1e-6, max_iter=100)
    converged(r["delta"], n * tol, max_iter)   # or nx.PowerIterationFailedConvergence

Each program is compiled (through the plan cache) and checked by C once per process.
"""
from __future__ import annotations

import threading
from typing import Any

from ..api.graph import Graph
from ..api.program import Program, compile
from ..api.results import RunResult
from ..runtime import DEFAULT_MAX_ITERATIONS
from .graph import threads

_compiled: dict[str, Program] = {}
_lock = threading.Lock()


def program(name: str) -> Program:
    with _lock:
        if name not in _compiled:
            _compiled[name] = compile(name)
        return _compiled[name]


def run(graph: Graph, name: str, *, max_iterations: int | None = None, **params: Any) -> RunResult:
    """The shipped program `name` run on graph; node parameters as NodeIndex."""
    return program(name).run(graph, params, threads=threads(),
                             max_iterations=max_iterations or DEFAULT_MAX_ITERATIONS)


def converged(change: float, bound: float, max_iter: int) -> None:
    """networkx's power-iteration rule: the last pass changed the vector by less than bound
    (a program returns inf when no pass ran), else PowerIterationFailedConvergence."""
    import networkx as nx

    if not change < bound:
        raise nx.PowerIterationFailedConvergence(max_iter)


__all__ = ["converged", "program", "run"]
