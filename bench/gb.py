"""graphbuild's side of the benchmarks: a Graph from numpy arrays, compile once, timed runs.

The time reported for graphbuild is the C executor's own time: the one gb_run call that runs
the whole plan (thread pool start included). Parameter binding, buffer allocation and copying
the result columns into Python lists are left out, as GAP leaves out everything but the kernel.
Executable.run_trials reports that time itself; with a runtime that predates it, the bench
measures around gb_run through a stand-in for the executor module's `lib`.
"""
from __future__ import annotations

import os
import signal
import sys
import time
from typing import Any

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:  # measure the source tree (built by `make native`), not an installed copy
    sys.path.insert(0, ROOT)

from graphbuild import api  # noqa: E402
from graphbuild.errors import ErrorKind, GraphbuildError  # noqa: E402
from graphbuild.runtime import Executable, Graph  # noqa: E402
from graphbuild.runtime import executor as _executor  # noqa: E402
from graphbuild.runtime.native import ffi, lib  # noqa: E402

ALGORITHMS = os.path.join(ROOT, "algorithms")


def algorithm_path(name: str) -> str:
    return os.path.join(ALGORITHMS, f"{name}.gdsl")


def shipped_algorithms() -> list[str]:
    return sorted(f[:-5] for f in os.listdir(ALGORITHMS) if f.endswith(".gdsl"))


def graph_from_arrays(n: int, src: np.ndarray, dst: np.ndarray, weights: np.ndarray | None = None,
                      directed: bool = False) -> Graph:
    """A graphbuild Graph straight from numpy buffers (Graph.from_edges takes Python lists,
    which for 16M edges costs minutes and gigabytes)."""
    src = np.ascontiguousarray(src, dtype=np.int64)
    dst = np.ascontiguousarray(dst, dtype=np.int64)
    w = ffi.NULL
    if weights is not None:
        weights = np.ascontiguousarray(weights, dtype=np.float64)
        w = ffi.cast("double *", ffi.from_buffer(weights))
    out = ffi.new("gb_graph **")
    err = ffi.new("gb_error *")
    status = lib.gb_graph_from_arrays(n, len(src), ffi.cast("int64_t *", ffi.from_buffer(src)),
                                      ffi.cast("int64_t *", ffi.from_buffer(dst)), w,
                                      int(directed), out, err)
    if status != lib.GB_OK:
        raise GraphbuildError(ffi.string(err.message).decode(errors="replace"),
                              kind=ErrorKind.RUNTIME)
    return Graph(out[0])


class _ClockedLib:
    """Stands in for the executor module's `lib`, timing each gb_run call (the C run itself)."""

    def __init__(self, real: Any):
        self._real = real
        self.last: float | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def gb_run(self, *args: Any) -> Any:
        start = time.perf_counter()
        try:
            return self._real.gb_run(*args)
        finally:
            self.last = time.perf_counter() - start


_CLOCK = _ClockedLib(lib)
if not hasattr(Executable, "run_trials"):
    _executor.lib = _CLOCK  # executor.py looks `lib` up at call time, so every run is clocked


class Deadline(Exception):
    """A graphbuild run took longer than the bench allows; it was interrupted cleanly."""


class _Alarm:
    """SIGALRM after `seconds`, turned into the KeyboardInterrupt the runtime already handles
    (it sets the C interrupt flag, so the run stops within a block and frees everything)."""

    def __init__(self, seconds: float | None):
        self.seconds = seconds
        self.fired = False

    def _handler(self, signum: int, frame: Any) -> None:
        self.fired = True
        raise KeyboardInterrupt

    def __enter__(self) -> "_Alarm":
        if self.seconds:
            self._old = signal.signal(signal.SIGALRM, self._handler)
            signal.setitimer(signal.ITIMER_REAL, self.seconds)
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.seconds:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self._old)


class Program:
    """One shipped algorithm, compiled once (no cache, so -O levels never mix)."""

    def __init__(self, name: str, opt_level: int = 1):
        self.name = name
        self.opt_level = opt_level
        start = time.perf_counter()
        compiled = api.compile_file(algorithm_path(name), opt_level=opt_level, cache=None)
        self.compile_s = time.perf_counter() - start
        self.plan = compiled.plan
        self.exe = Executable(compiled.plan)

    def run(self, graph: Graph, params: dict[str, Any], threads: int,
            deadline_s: float | None = None) -> tuple[dict[str, np.ndarray], float, float]:
        """(columns as numpy arrays, seconds in gb_run, wall seconds of the whole run).

        Raises Deadline when the run is cut off after deadline_s seconds.
        """
        _CLOCK.last = None
        kernel = None
        start = time.perf_counter()
        alarm = _Alarm(deadline_s)
        try:
            with alarm:
                if hasattr(self.exe, "run_trials"):
                    trials = self.exe.run_trials(graph, params, 1, threads=threads)
                    result, kernel = trials.result, trials.seconds[0]
                else:
                    result = self.exe.run(graph, params, threads=threads)
        except (GraphbuildError, KeyboardInterrupt) as exc:
            if alarm.fired:
                raise Deadline(f"{self.name}: stopped after {deadline_s:g} s") from None
            raise exc
        wall = time.perf_counter() - start
        if kernel is None:
            kernel = _CLOCK.last if _CLOCK.last is not None else wall
        columns = {name: _to_numpy(values, result.dtypes.get(name, ""))
                   for name, values in result.columns.items() if name != "node"}
        columns.update({f"${k}": np.asarray([v]) for k, v in result.values.items()})
        return columns, kernel, wall


def _to_numpy(values: list, dtype: str) -> np.ndarray:
    if dtype == "node":  # ids are the node indices here; "no node" becomes -1
        return np.fromiter((-1 if v is None else v for v in values), dtype=np.int64,
                           count=len(values))
    if dtype == "bool":
        return np.asarray(values, dtype=bool)
    return np.asarray(values, dtype=np.float64 if dtype == "float" else np.int64)


def plan_stats(program: Program) -> dict[str, Any]:
    """What the compiler says about the plan (op counts, passes, ...), when it says anything."""
    stats = dict(program.plan.stats or {})
    stats.setdefault("kernels", len(program.plan.kernels))
    stats.setdefault("slots", len(program.plan.slots))
    stats.setdefault("instructions", len(program.plan.code))
    return stats
