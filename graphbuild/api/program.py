"""gb.compile, Program.run and gb.run: programs through the plan cache, runs into numpy.

    pr = gb.compile("pagerank")                 # a shipped algorithm, a .gdsl path, or the text
    r = pr.run(g, damping=0.9, threads=2)       # a RunResult: numpy columns, scalars, timings
    r = gb.run("bfs", g, source=42)             # the same in one line

A program is compiled once per process and text (the plan cache makes that once per machine),
checked by C once (its Executable), and keeps its buffer pool between runs.  Errors are the
CLI's, as exceptions: ProgramError (file, line, column) for the program's faults, UsageError
for wrong arguments; Ctrl-C during a run stops C and raises KeyboardInterrupt.
"""
from __future__ import annotations

import os
import threading
import time
from typing import Any

from ..cache import PlanCache, cache_key
from ..cache.trust import CachePolicy
from ..errors import ErrorKind, GraphbuildError, Location, UsageError, refine
from ..plan.model import Plan
from ..runtime import Executable
from ..runtime.params import NodeIndex
from ..settings import load_settings
from .graph import Graph
from .pipeline import PLAN_SUFFIXES, compile_text, program_source
from .results import RunResult, collect

TEXT_PATH = "<string>"   # the path error messages give a program passed as text

_programs: dict[tuple[str, str], Program] = {}
_programs_lock = threading.Lock()


class Program:
    """A compiled program: its plan, validated by C on first use, runnable on any graph."""

    def __init__(self, plan: Plan, key: str | None, cache_hit: bool, compile_ms: float,
                 text: str | None = None):
        self.plan = plan
        self.key = key                 # the plan cache key (None for a plan file)
        self.cache_hit = cache_hit
        self.compile_ms = compile_ms
        self._text = text
        self._executable: Executable | None = None

    @property
    def name(self) -> str:
        return self.plan.algorithm

    @property
    def path(self) -> str | None:
        return None if self.plan.source_path == TEXT_PATH else self.plan.source_path

    @property
    def params(self) -> dict[str, tuple[str, Any]]:
        """{name: (type, default)}; a default of None means the parameter is required."""
        return {p.name: (p.dtype, p.default) for p in self.plan.params}

    @property
    def outputs(self) -> dict[str, tuple[str, str]]:
        """{name: ("vector" or "scalar", type)} in the order the program returns them."""
        return {o.name: (o.kind, o.dtype) for o in self.plan.outputs}

    @property
    def executable(self) -> Executable:
        if self._executable is None:
            self._executable = _checked(lambda: Executable(self.plan), self)
        return self._executable

    def run(self, graph: Any = None, params: dict[str, Any] | None = None, *,
            threads: int | None = None, max_iterations: int | None = None,
            **kwargs: Any) -> RunResult:
        """Run on graph (a gb.Graph; or anything gb.Graph.coerce takes: a networkx graph, a
        scipy matrix, a path, a generator spec, None for the bundled karate club graph) with
        parameters by keyword (or in params, for names that clash with these arguments).
        Node parameters take the graph's own ids."""
        start = time.perf_counter()
        g = Graph.coerce(graph)
        values = self._bind_nodes({**(params or {}), **kwargs}, g)
        if threads is None or max_iterations is None:   # the settings fill in what is not given
            settings = _checked(lambda: load_settings({"threads": threads,
                                                       "max_iterations": max_iterations}), None)
            threads, max_iterations = settings.threads, settings.max_iterations
        collected: dict[str, Any] = {}

        def collector(executable: Any, _graph: Any, regs: Any, slots: Any, pool: Any) -> None:
            began = time.perf_counter()
            collected["result"] = collect(executable, g, regs, slots, pool)
            collected["ms"] = (time.perf_counter() - began) * 1000.0

        trials = _checked(lambda: self.executable.run_trials(
            g.runtime, values, 1, threads=threads, max_iterations=max_iterations,
            collect=collector), self)
        total_ms = (time.perf_counter() - start) * 1000.0
        run_ms = trials.seconds[0] * 1000.0
        columns, scalars, zero_copy = collected["result"]
        timings = {"prepare_ms": total_ms - run_ms - collected["ms"], "run_ms": run_ms,
                   "collect_ms": collected["ms"], "total_ms": total_ms, "threads": threads}
        dtypes = {o.name: o.dtype for o in self.plan.outputs}
        return RunResult(self.name, g, columns, scalars, dtypes, timings, zero_copy)

    __call__ = run

    def _bind_nodes(self, values: dict[str, Any], graph: Graph) -> dict[str, Any]:
        """Node parameters looked up in graph's ids (any hashable, not only strings); a
        missing required parameter named the Python way."""
        bound = dict(values)
        for p in self.plan.params:
            if p.name in bound and p.dtype == "node" and not isinstance(bound[p.name], NodeIndex):
                if isinstance(bound[p.name], bool):
                    raise UsageError(f"parameter '{p.name}' expects a node id, got {bound[p.name]!r}")
                bound[p.name] = NodeIndex(graph.index_of(bound[p.name]))
            elif p.name not in bound and p.default is None:
                raise UsageError(f"missing required parameter '{p.name}' of {self.name}: "
                                 f"give it as run(..., {p.name}=VALUE)")
        return bound

    def source_line(self, line: int) -> str | None:
        if self._text is None:
            return None
        lines = self._text.splitlines()
        return lines[line - 1] if 0 < line <= len(lines) else None

    def __repr__(self) -> str:
        params = ", ".join(f"{k}: {t}" + ("" if d is None else f" = {d!r}")
                           for k, (t, d) in self.params.items())
        where = self.path or "program text"
        return f"<gb.Program {self.name}({params}) from {where}>"


def compile(source: str | os.PathLike, algorithm: str | None = None, *, opt_level: int = 1,
            cache: bool = True) -> Program:
    """A Program from a shipped algorithm's name ("pagerank"), a .gdsl file (or a plan file),
    or the program text itself (any string with a newline), through the plan cache."""
    start = time.perf_counter()
    if isinstance(source, str) and "\n" in source:
        path, text = TEXT_PATH, source
    else:
        path, text = _checked(lambda: program_source(source), None)
        if path.endswith(PLAN_SUFFIXES):
            plan = _checked(lambda: Plan.from_json(text), None)
            return Program(plan, None, False, (time.perf_counter() - start) * 1000.0)
    key = cache_key(text, algorithm, opt_level)
    with _programs_lock:
        known = _programs.get((key, path))
    if known is not None:
        return known
    settings = load_settings()
    store = (PlanCache(settings.cache_dir, max_size=settings.cache_max_size,
                       policy=CachePolicy.from_settings(settings)) if cache else None)
    compiled = _checked(lambda: compile_text(text, path, algorithm, opt_level, store), None)
    if store is not None and store.warnings:
        import warnings

        for message in store.warnings:
            warnings.warn(message, RuntimeWarning, stacklevel=2)
    program = Program(compiled.plan, compiled.key, compiled.cache_hit,
                      (time.perf_counter() - start) * 1000.0, text if path == TEXT_PATH else None)
    with _programs_lock:
        return _programs.setdefault((key, path), program)


def run(program: str | os.PathLike | Program, graph: Any = None, params: dict[str, Any] | None = None,
        *, threads: int | None = None, max_iterations: int | None = None, **kwargs: Any) -> RunResult:
    """compile(program).run(graph, ...) in one call; program may already be a Program."""
    if not isinstance(program, Program):
        program = compile(program)
    return program.run(graph, params, threads=threads, max_iterations=max_iterations, **kwargs)


def _checked(call: Any, program: Program | None) -> Any:
    """call(), with graphbuild's errors refined for Python callers (ProgramError, UsageError)
    and an interrupted run raised as KeyboardInterrupt."""
    try:
        return call()
    except GraphbuildError as exc:
        if exc.kind is ErrorKind.INTERRUPTED:
            raise KeyboardInterrupt(exc.message) from None
        error = refine(exc, program_fault=True)
        loc = error.location
        if program is not None and loc is not None and loc.source_line is None:
            text = program.source_line(loc.line)
            if text is not None:
                error.location = Location(loc.path, loc.line, loc.col, text)
        raise error from None


__all__ = ["Program", "compile", "run"]
