"""graphbuild — a build tool for graph algorithms.

The pipeline, one package per stage, each with one entry function:

    .gdsl source
      -> lang.load(source, path)          AST with spans, names resolved, types checked
      -> ir.lower(module, algorithm)      typed SSA IR with structured loops and ifs
      -> passes.optimize(fn, level)       folding, CSE, DCE, loop-invariant motion, ...
      -> plan.build_plan(fn, path)        ordered ops, slots, kernels, source locations
      -> cache.PlanCache                  content-hashed on-disk store of plans
      -> runtime.execute(plan, graph, …)  one call into the C executor (csrc/)

The plan is the only thing that crosses from the compiler to the runtime, so a cache
hit never imports the compiler.  Only graphbuild.cli prints.

The Python API (graphbuild.api, docs/python.md), imported on first use so the CLI and the
networkx backend's registration stay light:

    import graphbuild as gb
    g = gb.Graph.from_edges(src, dst)
    r = gb.run("pagerank", g)        # r["rank"]: a numpy array; r.ids: the node ids
"""
from typing import Any

from .errors import GraphbuildError, ProgramError, UsageError

__version__ = "0.1.0"

_API = ("Graph", "Program", "RunResult", "compile", "run")


def __getattr__(name: str) -> Any:
    if name in _API:
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module 'graphbuild' has no attribute {name!r}")


__all__ = ["Graph", "GraphbuildError", "Program", "ProgramError", "RunResult", "UsageError",
           "__version__", "compile", "run"]
