"""The pipeline as the CLI drives it: programs (files, plan files, shipped names) through the
plan cache, graphs through the graph cache, results as Python lists.

    from graphbuild.api import run_file
    result = run_file("pagerank", graph="edges.txt", params={"damping": 0.9})
    result.columns["rank"]

A cache hit reads the plan and runs it without importing the compiler.  The numpy API
(graphbuild.api.program, graph, results) builds on these functions.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from collections.abc import Sequence
from typing import Any

from ..cache import PlanCache, cache_key
from ..errors import ErrorKind, GraphbuildError
from ..plan.model import Plan
from ..runtime import DEFAULT_MAX_ITERATIONS, Graph, Result, default_graph_path, execute
from ..runtime.graph import LoadOptions, Progress
from ..runtime.graph_cache import GraphCache, open_graph
from ..runtime.memory import MemoryLimit
from .shipped import is_name, shipped_names, shipped_path

PLAN_SUFFIXES = (".json", ".plan")


@dataclass
class Compiled:
    plan: Plan
    key: str | None   # None for a plan file given directly
    cache_hit: bool


MAX_TEXT_BYTES = 64 << 20   # a program or plan file larger than this is not one


def read_text(path: str | os.PathLike, what: str = "file") -> str:
    """The file's text (universal newlines); at most MAX_TEXT_BYTES are read, so a device or
    an endless pipe named by mistake is an error, not a machine out of memory."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read(MAX_TEXT_BYTES + 1)
        if len(text) > MAX_TEXT_BYTES:
            raise GraphbuildError(f"{path} is larger than {MAX_TEXT_BYTES >> 20} MiB: not a {what}",
                                  kind=ErrorKind.PROGRAM)
        return text
    except FileNotFoundError:
        raise GraphbuildError(f"{what} not found: {path}", kind=ErrorKind.MISSING) from None
    except IsADirectoryError:
        raise GraphbuildError(f"{path} is a directory, not a {what}", kind=ErrorKind.IO) from None
    except UnicodeDecodeError as exc:
        raise GraphbuildError(f"{path} is not UTF-8 text (byte {exc.start})",
                              kind=ErrorKind.PROGRAM) from None
    except OSError as exc:
        raise GraphbuildError(f"cannot read {path}: {exc.strerror}", kind=ErrorKind.IO) from None


def program_source(path: str | os.PathLike) -> tuple[str, str]:
    """(path, text) of a program file, or of the shipped program a bare name such as
    "pagerank" names when no file of that name exists."""
    path = str(path)
    if not os.path.exists(path):
        shipped = shipped_path(path)
        if shipped is None and is_name(path):
            raise GraphbuildError(f"program not found: {path}", kind=ErrorKind.MISSING,
                                  hint="not a file, nor a shipped algorithm: "
                                       + ", ".join(shipped_names()))
        path = shipped or path
    return path, read_text(path, "program" if not path.endswith(PLAN_SUFFIXES) else "plan file")


def compile_file(path: str | os.PathLike, algorithm: str | None = None, opt_level: int = 1,
                 cache: PlanCache | None = None, recache: bool = False) -> Compiled:
    """A plan for the algorithm in a .gdsl file (or the plan file itself), via the cache.
    A path that does not exist but names a shipped algorithm ("pagerank") is that program."""
    path, text = program_source(path)
    if path.endswith(PLAN_SUFFIXES):
        return Compiled(Plan.from_json(text), None, False)
    return compile_text(text, path, algorithm, opt_level, cache, recache)


def compile_text(text: str, path: str, algorithm: str | None = None, opt_level: int = 1,
                 cache: PlanCache | None = None, recache: bool = False) -> Compiled:
    """A plan for program text (read from path, which error messages name), via the cache."""
    key = cache_key(text, algorithm, opt_level)
    if cache is not None and not recache:
        plan = cache.get(key)
        if plan is not None:
            plan.source_path = path  # the same text may live at another path now
            return Compiled(plan, key, True)
    from ..compiler import compile_source  # only a miss pays for importing the compiler

    plan = compile_source(text, path, algorithm, opt_level)
    if cache is not None:
        cache.put(key, plan)
    return Compiled(plan, key, False)


def resolve_graph(graph: Graph | str | os.PathLike | None, undirected: bool = False, *,
                  dedupe: bool = False, no_self_loops: bool = False, ids: str = "map",
                  cache: GraphCache | None = None, threads: int = 1,
                  progress: Progress | None = None, plan: Plan | None = None,
                  budget: MemoryLimit | None = None, header: bool | None = None,
                  delimiter: str | None = None, columns: str | Sequence[int | str] | None = None,
                  layout: str | None = None) -> Graph:
    """A Graph as is; None: the bundled karate club graph; "kron:SCALE[:DEGREE]" or
    "uniform:...": a generated graph; else a file (edge list or Matrix Market, maybe
    gzipped), through the graph cache if one is given.  With a plan, a loaded graph keeps
    only what the plan reads (a directed graph's in-edges, the weights); without, all.
    header, delimiter, columns: how a text edge list's columns are read (LoadOptions).
    budget (runtime/memory.py): a load that would take more memory is refused (IO).
    layout: the CSR's node order, "auto" (default; a Graph given is kept as it is unless a
    layout is named), "original" or "degree": docs/graphs.md "Layout"; results are in input
    order under every layout."""
    options = LoadOptions(undirected=undirected, dedupe=dedupe, no_self_loops=no_self_loops, ids=ids,
                          header=header, delimiter=delimiter, columns=columns)
    if plan is not None:
        options = options.for_plan(plan)
    return open_graph(graph, options, cache, threads, progress, budget, layout=layout)


def run_file(path: str | os.PathLike, graph: Graph | str | os.PathLike | None = None,
             params: dict[str, Any] | None = None, algorithm: str | None = None, opt_level: int = 1,
             threads: int = 1, max_iterations: int = DEFAULT_MAX_ITERATIONS,
             cache: PlanCache | None = None, undirected: bool = False, engine: str = "c") -> Result:
    """Compile (or fetch from the cache) and run one algorithm on a graph; engine "spark"
    runs the plan on Apache Spark (graphbuild.spark.run_spark, docs/spark.md) and collects
    its result."""
    compiled = compile_file(path, algorithm, opt_level, cache)
    if engine == "spark":
        from ..spark import run_spark

        source = graph if graph is not None else default_graph_path()
        with run_spark(compiled.plan, source, params, load=LoadOptions(undirected=undirected),
                       max_iterations=max_iterations, threads=threads) as result:
            return result.collect()
    if engine != "c":
        raise GraphbuildError(f"unknown engine '{engine}': c or spark", kind=ErrorKind.USAGE)
    return execute(compiled.plan, resolve_graph(graph, undirected, plan=compiled.plan), params,
                   threads=threads, max_iterations=max_iterations)


__all__ = ["Compiled", "PLAN_SUFFIXES", "compile_file", "compile_text", "program_source", "run_file",
           "resolve_graph", "read_text"]
