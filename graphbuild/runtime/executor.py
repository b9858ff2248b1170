"""Run a plan on a graph: one call into C, with the GIL released and Ctrl-C honoured.

The runtime never imports the compiler: it sees a Plan, a Graph and parameter values.
"""
from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..errors import ErrorKind, GraphbuildError, Location
from ..plan.model import Plan
from ..plan.source import own_source
from .encode import encode
from .graph import Graph
from .interrupt import Interrupt, call_interruptibly
from .loops import loop_reports
from .native import ffi, lib
from .params import bind_params
from .pool import BufferPool

DEFAULT_MAX_ITERATIONS = 1_000_000

_CTYPES = {"float": "double", "int": "int64_t", "node": "int64_t", "bool": "uint8_t"}

# C status -> the error kind the CLI turns into an exit code.
_KINDS = {
    lib.GB_EINTR: ErrorKind.INTERRUPTED,
    lib.GB_EIO: ErrorKind.IO,
    lib.GB_EPARSE: ErrorKind.PROGRAM,
}


@dataclass
class Result:
    """Output columns (the "node" column first, in the input's ids) and summary values."""

    algorithm: str
    columns: dict[str, list[Any]] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)
    dtypes: dict[str, str] = field(default_factory=dict)
    # per loop: passes, whether it converged, how its edge passes ran (runtime/loops.py)
    loops: list[dict[str, Any]] = field(default_factory=list)


Collector = Callable[["Executable", Graph, Any, Any, BufferPool], Any]
"""collect(executable, graph, registers, slots, pool) -> the caller's result, called once C has
returned and before the pool can serve another run (the Python API makes numpy arrays)."""


@dataclass
class Trials:
    """The last run's result (None when not collected) and every run's time inside C, in seconds."""

    result: Any
    seconds: list[float]

    @property
    def min(self) -> float:
        return min(self.seconds)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


class Executable:
    """A plan validated by C once, runnable many times on any graph."""

    def __init__(self, plan: Plan):
        self.plan = plan
        enc = encode(plan)
        self._code = ffi.new("int64_t[]", enc.code or [0])
        self._kcode = ffi.new("int64_t[]", enc.kcode or [0])
        self._dtypes = ffi.new("int32_t[]", enc.slot_dtypes or [0])
        out = ffi.new("gb_plan **")
        err = ffi.new("gb_error *")
        status = lib.gb_plan_create(self._code, len(enc.code), self._kcode, len(enc.kcode),
                                    self._dtypes, len(enc.slot_dtypes), enc.nregs, out, err)
        if status != lib.GB_OK:
            raise GraphbuildError(f"invalid plan: {ffi.string(err.message).decode()}",
                                  kind=ErrorKind.PROGRAM)
        self._handle = ffi.gc(out[0], lib.gb_plan_destroy)
        self._nregs = enc.nregs
        self.pool = BufferPool()

    def run(self, graph: Graph, params: dict[str, Any] | None = None, *, threads: int = 1,
            max_iterations: int = DEFAULT_MAX_ITERATIONS, full_passes: bool = False) -> Result:
        return self.run_trials(graph, params, 1, threads=threads, max_iterations=max_iterations,
                               full_passes=full_passes).result

    def run_trials(self, graph: Graph, params: dict[str, Any] | None, trials: int, *, threads: int = 1,
                   max_iterations: int = DEFAULT_MAX_ITERATIONS, full_passes: bool = False,
                   collect: bool | Collector = True) -> Trials:
        """Run the plan `trials` times on one graph, each from freshly bound parameters and
        zeroed buffers from the pool; time only the call into C (as GAPBS times its kernels),
        collect the last run before the pool can serve another.  full_passes: every edge
        pass covers all nodes, never only those whose inputs changed (tests compare both);
        collect=False leaves the results in C's buffers (profile-memory measures the run, not
        the Python values `run` makes of its columns); a Collector makes the result instead of
        the Result of Python lists.  A result with a `loops` field gets the loop reports."""
        if trials < 1:
            raise GraphbuildError(f"trials must be at least 1, got {trials}", kind=ErrorKind.USAGE)
        ensure_graph_fits(self.plan, graph, threads)
        seconds: list[float] = []
        with self.pool.borrow() as pool:
            for _ in range(trials):
                regs, slots = self._prepare(graph, params, pool)
                counts = ffi.new("int64_t[]", max(len(self.plan.code), 1) * lib.GB_COUNTS_PER_INSTR)
                seconds.append(self._call(graph, regs, slots, threads, max_iterations, full_passes, counts))
            if collect:
                self._input_order(graph, slots)
            if callable(collect):
                result = collect(self, graph, regs, slots, pool)
            else:
                result = self._collect(graph, regs, slots) if collect else None
            if hasattr(result, "loops"):   # Result, output.Rows
                result.loops = loop_reports(self.plan, counts, lib.GB_COUNTS_PER_INSTR)
            return Trials(result, seconds)

    def _input_order(self, graph: Graph, slots: Any) -> None:
        """On a relabeled graph (graph.layout), each returned node vector from position
        order into the input's node order, in place, so every collector sees the input's
        order; node-valued entries are input indices already (C reads them so)."""
        if graph.layout == "original":
            return
        seen: set[int] = set()
        for out in self.plan.outputs:
            if out.kind == "vector" and out.index not in seen:
                seen.add(out.index)
                graph.unpermute(slots[out.index], 1 if out.dtype == "bool" else 8)

    def incremental_bytes(self, nodes: int) -> int:
        """What a run on `nodes` nodes allocates to run edge passes incrementally."""
        return lib.gb_plan_incremental_bytes(self._handle, nodes)

    def sources_bytes(self, nodes: int, threads: int) -> int:
        """What a run with `threads` workers allocates for the loop over sources that takes the
        most when its passes run side by side (csrc/exec/sources_run.c), kernel scratch aside."""
        return lib.gb_plan_sources_bytes(self._handle, nodes, threads)

    def common_bytes(self, nodes: int, edges: int, threads: int) -> int:
        """Bytes a run allocates for common(u): the intersect shape's oriented copy and
        counts, or the generic micro-ops' sorted adjacency (csrc/exec/intersect.c)."""
        return lib.gb_plan_common_bytes(self._handle, nodes, edges, threads)

    def _call(self, graph: Graph, regs: Any, slots: Any, threads: int, max_iterations: int,
              full_passes: bool = False, counts: Any = None) -> float:
        """One gb_run; its time in seconds.  counts: NULL or the per-instruction counters."""
        stop = Interrupt()
        opts = ffi.new("gb_run_options *", {"max_iterations": max_iterations, "threads": threads,
                                            "interrupt": stop.flag, "full_passes": int(full_passes),
                                            "counts": counts if counts is not None else ffi.NULL})
        err = ffi.new("gb_error *")
        start = time.perf_counter()
        status = run_interruptibly(lambda: lib.gb_run(self._handle, graph.handle, regs, slots, opts, err),
                                   stop)
        seconds = time.perf_counter() - start
        if status != lib.GB_OK:
            raise self._run_error(status, err)
        return seconds

    def _prepare(self, graph: Graph, params: dict[str, Any] | None, pool: BufferPool) -> tuple[Any, Any]:
        """Registers with the parameters bound, and the slots: zeroed, in pool's one block
        (which the caller holds while C uses them)."""
        regs = ffi.new("gb_value[]", max(self._nregs, 1))
        bind_params(self.plan, graph, params or {}, regs)
        return regs, pool.slots(self.plan.slots, graph.node_count)

    def _run_error(self, status: int, err: Any) -> GraphbuildError:
        message = (ffi.string(err.message).decode(errors="replace")
                   or ffi.string(lib.gb_strerror(status)).decode())
        return GraphbuildError(message, location=self.location(err.loc),
                               kind=_KINDS.get(status, ErrorKind.RUNTIME))

    def location(self, loc: int) -> Location | None:
        return plan_location(self.plan, loc)

    def _collect(self, graph: Graph, regs: Any, slots: Any) -> Result:
        plan, n = self.plan, graph.node_count
        ids = graph.node_ids()
        result = Result(plan.algorithm, {"node": ids}, {}, {"node": "node"})
        for out in plan.outputs:
            if out.kind == "vector":
                ptr = ffi.cast(_CTYPES[out.dtype] + " *", slots[out.index])
                values = ffi.unpack(ptr, n) if n else []
                result.columns[out.name] = _convert(values, out.dtype, ids)
            else:
                reg = regs[out.index]
                raw = reg.f if out.dtype == "float" else reg.i
                result.values[out.name] = _convert([raw], out.dtype, ids)[0]
            result.dtypes[out.name] = out.dtype
        return result


def plan_location(plan: Plan, loc: int) -> Location | None:
    """The .gdsl position of plan location index loc, with its source line when readable."""
    if not 0 <= loc < len(plan.locations):
        return None
    sl = plan.locations[loc]
    text = None
    lines = (own_source(plan) or "").split("\n")   # only the plan's own program is quoted
    if 0 < sl.line <= len(lines) and lines[sl.line - 1]:
        text = lines[sl.line - 1]
    return Location(plan.source_path, sl.line, sl.col, text)


def _convert(values: list, dtype: str, ids: list) -> list:
    if dtype == "bool":
        return [bool(v) for v in values]
    if dtype == "node":  # node indices print as the input's own ids; none for "no node"
        n = len(ids)
        return [ids[v] if 0 <= v < n else None for v in values]
    return list(values)


def run_interruptibly(call: Callable[[], int], stop: Interrupt) -> int:
    """gb_run on a worker thread (interrupt.py): Ctrl-C stops it with GB_EINTR, which the
    caller reports as an interrupted run (a KeyboardInterrupt after C finished, too)."""
    try:
        return call_interruptibly(call, stop)
    except KeyboardInterrupt:
        return lib.GB_EINTR


def ensure_graph_fits(plan: Plan, graph: Graph, threads: int = 1) -> None:
    """Makes sure graph holds what plan reads: builds a directed graph's in-edges if it was
    loaded without them; a plan that reads weights the load left out is a USAGE error
    (running it would read 1.0 for every edge)."""
    if plan.needs_weights and graph.weights_dropped:
        raise GraphbuildError(
            f"{plan.algorithm} reads edge weights but the graph was loaded without them",
            kind=ErrorKind.USAGE,
            hint="load the graph with need_weights=True (the CLI and API do this from the plan)")
    if plan.needs_in_edges and not graph.has_in_edges:
        graph.build_in_edges(threads)


def execute(plan: Plan, graph: Graph, params: dict[str, Any] | None = None, *, threads: int = 1,
            max_iterations: int = DEFAULT_MAX_ITERATIONS) -> Result:
    """Validate, run and collect: the runtime's one entry function."""
    return Executable(plan).run(graph, params, threads=threads, max_iterations=max_iterations)
