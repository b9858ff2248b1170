"""graphbuild's Python API.

    import graphbuild as gb
    g = gb.Graph.from_edges(src, dst)            # numpy, pandas, scipy, networkx, files
    r = gb.run("pagerank", g, damping=0.9)       # a RunResult of numpy arrays
    r["rank"], r.ids, r.to_pandas()

program.py (gb.compile, Program.run, gb.run), graph.py (gb.Graph), results.py (RunResult) need
numpy and are imported on first use; pipeline.py (compile_file, run_file, resolve_graph: what
the CLI calls) and shipped.py (the shipped algorithms by name) do not, so the CLI starts
without numpy.  docs/python.md is the walkthrough.
"""
from __future__ import annotations

from typing import Any

from .pipeline import (PLAN_SUFFIXES, Compiled, compile_file, compile_text, program_source,
                       read_text, resolve_graph, run_file)
from .shipped import shipped_names, shipped_path

_LAZY = {"Graph": "graph", "Program": "program", "compile": "program", "run": "program",
         "RunResult": "results"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["PLAN_SUFFIXES", "Compiled", "Graph", "Program", "RunResult", "compile", "compile_file",
           "compile_text", "program_source", "read_text", "resolve_graph", "run", "run_file",
           "shipped_names", "shipped_path"]
