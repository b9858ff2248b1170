"""Running a plan on Spark: the top-level program on the driver, kernels as DataFrames.

The plan's meaning, lowered without the executor's hints:
- registers are Python values on the driver, and top-level arithmetic, jumps and loop
  counters run there (scalar.py), so loops (`repeat ... until`, `while`, `if`) are
  driven from the driver as Pregel drives supersteps;
- node vectors are columns of one node DataFrame, `state`, keyed by node index `_idx`
  (slot k is column s<k>; `_out`/`_in` hold the degrees when the plan reads them);
- a node kernel is one select of column expressions (columns.py) over `state`; its
  reductions are one Spark aggregation collected to the driver (aggregate.py);
- an edge kernel joins the graph's arcs with the neighbors' columns (gather) and the
  owners' (load), evaluates the value and filter per edge, groups by the owner and
  left-joins the result back, empty neighborhoods taking the default;
- copy_v/swap_v rename columns; get reads one row; gather_v (x[p]) checks p's range
  (one job) and left-joins state with its own (_idx, x) columns on p.
Every pass of a loop ends with `state` materialized (persisted), and every
`checkpoint_interval` passes it is checkpointed to files (checkpoints.py), so the RDD lineage
stays short too; the run's checkpoint files are removed at the end.
"""
from __future__ import annotations

import struct
import time
from dataclasses import dataclass, field
from typing import Any

from pyspark import StorageLevel
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from ..errors import ErrorKind, GraphbuildError
from ..plan.model import Kernel, Plan
from . import scalar
from .checkpoints import Checkpoints
from .aggregate import REDUCTIONS, aggregate_lanes, out_kind, reduction, reduction_value, with_default
from .columns import Val, elementwise, lit, parse_failure, random_f
from .graph import SparkGraph
from .support import check_plan, location

DEFAULT_CHECKPOINT_INTERVAL = 10
# A cut ends Spark's logical plan but not the plan information its SQL listener keeps for each
# job: that follows the cut frames back through every kernel, about three times wider per edge
# kernel (bfs_tree's tree of plan nodes grew 12x per pass and filled a 2 GB driver on a 34-node
# graph).  So a loop pass that ends after this many cuts since the last checkpoint ends with a
# checkpoint too, whatever the interval.
CUTS_PER_CHECKPOINT = 6


@dataclass
class RunOptions:
    max_iterations: int = 1_000_000
    checkpoint_interval: int = DEFAULT_CHECKPOINT_INTERVAL   # loop passes between checkpoints
    checkpoint_dir: str | None = None    # a directory every executor can reach; None: a temp dir
    broadcast_nodes: int = 1 << 21       # broadcast node columns to the edges up to this many nodes


@dataclass
class SparkRun:
    """What a run leaves: the final node DataFrame, the registers, and per-pass seconds."""

    plan: Plan
    graph: SparkGraph
    state: DataFrame
    registers: list[Any]
    slot_columns: dict[int, str]
    pass_seconds: list[float] = field(default_factory=list)

    def column(self, slot: int) -> Column:
        return F.col(self.slot_columns[slot])


def _kind(dtype: str) -> str:
    return "f" if dtype == "float" else "i"


class _Machine:
    def __init__(self, spark: SparkSession, plan: Plan, graph: SparkGraph, registers: list[Any],
                 options: RunOptions):
        self.spark, self.plan, self.graph, self.options = spark, plan, graph, options
        self.regs = registers
        self.cols: dict[int, str] = {}         # slot -> its current column in state
        self.fresh = 0
        self.state = graph.node_frame(with_degrees=_reads_degrees(plan))
        self.persisted: list[DataFrame] = []
        self.dirty = False                      # state has work not yet materialized
        self.passes = 0
        self.cuts = 0                           # cuts since the last checkpoint
        self.checkpoints = Checkpoints(spark, options.checkpoint_dir)
        self._clock = time.perf_counter
        self.pass_seconds: list[float] = []
        self._pass_start = self._clock()

    # ---- slots -------------------------------------------------------------------

    def slot_kind(self, slot: int) -> str:
        return _kind(self.plan.slots[slot])

    def slot_val(self, slot: int) -> Val:
        """Slot's column (zero until first written, as the executor's zeroed buffers)."""
        kind = self.slot_kind(slot)
        return Val(F.col(self.cols[slot]), kind) if slot in self.cols else Val(lit(0, kind), kind)

    def update(self, frame: DataFrame, updates: dict[int, Column], extra: tuple[Column, ...] = (),
               drop: tuple[str, ...] = ()) -> None:
        """state := frame with the given slots rewritten into new columns (their old columns
        and `drop` left out) plus extra columns; nothing is computed yet."""
        gone = {self.cols.get(s) for s in updates} | set(drop)
        named = {}
        for slot in updates:
            self.fresh += 1
            named[slot] = f"s{self.fresh}"
        keep = [c for c in frame.columns if c not in gone]
        self.state = frame.select(*keep, *(col.alias(named[s]) for s, col in updates.items()), *extra)
        self.cols.update(named)
        self.dirty = True

    # ---- the program -------------------------------------------------------------

    def run(self) -> None:
        code, pc = self.plan.code, 0
        while pc < len(code):
            ins = code[pc]
            op, a = ins.op, ins.args
            target = None
            try:
                if op == "const":
                    self.set_reg(a[0], a[1])
                elif op == "mov":
                    self.regs[a[0]] = self.regs[a[1]]
                elif op == "node_count":
                    self.regs[a[0]] = self.graph.node_count
                elif op == "edge_count":
                    self.regs[a[0]] = self.graph.edge_count
                elif op == "get":
                    self.regs[a[0]] = self.get(a[1], self.regs[a[2]], ins.loc)
                elif op == "jump":
                    target = a[0]
                elif op == "jump_if_false":
                    if self.regs[a[0]] == 0:
                        target = a[1]
                elif op == "check_iter":
                    if self.regs[a[0]] > self.options.max_iterations:
                        raise self.error(ins.loc, f"while loop exceeded {self.options.max_iterations} "
                                                  "iterations", ErrorKind.RUNTIME)
                elif op == "kernel":
                    self.kernel(self.plan.kernels[a[0]], ins.loc)
                elif op == "fused":   # the edge kernel, then the node kernel on its result
                    self.kernel(self.plan.kernels[a[0]], ins.loc)
                    self.kernel(self.plan.kernels[a[1]], ins.loc)
                elif op == "copy_v":
                    self.copy(a[0], a[1])
                elif op == "gather_v":
                    self.gather(a[0], a[1], a[2], a[3], ins.loc)
                elif op == "swap_v":
                    self.cols[a[0]], self.cols[a[1]] = self.cols.get(a[1]), self.cols.get(a[0])
                    self.cols = {s: c for s, c in self.cols.items() if c is not None}
                else:
                    values = [self.regs[r] for r in a[1:]]
                    self.set_reg(a[0], scalar.apply(op, values))
            except scalar.ScalarError as exc:
                raise self.error(ins.loc, str(exc), ErrorKind.RUNTIME) from None
            if target is not None:
                if target <= pc:
                    self.end_pass()
                pc = target
            else:
                pc += 1
        self.materialize()

    def set_reg(self, reg: int, value: Any) -> None:
        dtype = self.plan.registers[reg]
        self.regs[reg] = float(value) if dtype == "float" else int(value)

    def error(self, loc: int, message: str, kind: ErrorKind) -> GraphbuildError:
        return GraphbuildError(message, location=location(self.plan, loc), kind=kind)

    def get(self, slot: int, index: int, loc: int) -> Any:
        n = self.graph.node_count
        if not 0 <= index < n:
            raise self.error(loc, f"index {index} is out of range for a graph of {n} nodes",
                             ErrorKind.RUNTIME)
        value = self.slot_val(slot)
        row = self.state.where(F.col("_idx") == index).select(value.col.alias("v")).first()
        return float(row["v"]) if value.kind == "f" else int(row["v"])

    def gather(self, dst: int, x: int, p: int, none: int, loc: int) -> None:
        """slot dst = x at each node's p (none where p is -1), as the executor's gather_v:
        an index outside [0, n) is an error naming the first such node, in node order."""
        n = self.graph.node_count
        index, value = self.slot_val(p).col, self.slot_val(x)
        bad = self.state.where((index != -1) & ((index < 0) | (index >= n))).orderBy("_idx").select(
            index.alias("q"), F.col("_idx")).first()
        if bad is not None:
            raise self.error(loc, f"the index vector holds {bad['q']} at node index {bad['_idx']}, "
                                  f"out of range for a graph of {n} nodes", ErrorKind.RUNTIME)
        source = self.state.select(F.col("_idx").alias("_gk"), value.col.alias("_gv"))
        joined = self.state.join(source, index == F.col("_gk"), "left")
        if value.kind == "f":   # the plan gives a float's bits
            none = struct.unpack("<d", struct.pack("<q", none))[0]
        picked = F.when(index == -1, lit(none, value.kind)).otherwise(F.col("_gv"))
        self.update(joined, {dst: picked}, drop=("_gk", "_gv"))

    def copy(self, dst: int, src: int) -> None:
        if src not in self.cols:
            self.cols.pop(dst, None)
            return
        self.update(self.state, {dst: F.col(self.cols[src])})

    # ---- materializing and checkpointing -----------------------------------------------

    def materialize(self) -> None:
        """Compute state now and keep it, so later passes start from it."""
        if not self.dirty:
            return
        self.state = self.state.persist(StorageLevel.MEMORY_AND_DISK)
        self.persisted.append(self.state)
        self.state.count()
        self.release_old(keep=self.state)

    def release_old(self, keep: DataFrame) -> None:
        """Unpersist every frame persisted before `keep` was computed (state derives from
        it without recomputing), and mark state clean."""
        for df in self.persisted:
            if df is not keep and df is not self.state:
                df.unpersist()
        self.persisted = [keep] if self.state is keep else [keep, self.state]
        self.dirty = False

    def end_pass(self) -> None:
        """A backward jump: one loop pass is over.  The next pass starts from a cut (no job
        runs here), and every checkpoint_interval passes from a checkpoint."""
        self.passes += 1
        interval = self.options.checkpoint_interval
        if interval > 0 and (self.passes % interval == 0 or self.cuts >= CUTS_PER_CHECKPOINT):
            self.checkpoint()
        elif self.dirty:
            self.state = self.cut(self.state)
            self.dirty = False
        now = self._clock()
        self.pass_seconds.append(now - self._pass_start)
        self._pass_start = now

    def checkpoint(self) -> None:
        self.state = self.checkpoints.checkpoint(self.state)
        self.cuts = 0
        for df in self.persisted:
            df.unpersist()
        self.persisted = []
        self.dirty = False

    def cleanup(self) -> None:
        for df in self.persisted:
            df.unpersist()
        self.checkpoints.remove()

    # ---- kernels -------------------------------------------------------------------

    def kernel(self, k: Kernel, instr_loc: int) -> None:
        if k.domain == "node":
            self.node_kernel(k, instr_loc)
        else:
            self.edge_kernel(k, instr_loc)

    def leaf(self, op: str, args: list, owner: Column, prefix: str) -> Val | None:
        """Values that do not depend on other temps: constants, registers, graph facts."""
        if op == "imm":
            return Val(lit(args[1], "f" if isinstance(args[1], float) else "i"),
                       "f" if isinstance(args[1], float) else "i")
        if op == "bcast":
            kind = _kind(self.plan.registers[args[1]])
            return Val(lit(self.regs[args[1]], kind), kind)
        if op == "node_id":
            return Val(owner, "i")
        if op == "out_deg":
            return Val(F.col(prefix + "_out"), "i")
        if op == "in_deg":
            return Val(F.col(prefix + "_in"), "i")
        if op == "degree":
            if self.graph.directed:
                return Val(F.col(prefix + "_out") + F.col(prefix + "_in"), "i")
            return Val(F.col(prefix + "_out"), "i")
        if op == "random":
            return Val(random_f(self.regs[args[1]], owner), "f")
        return None

    def node_kernel(self, k: Kernel, instr_loc: int) -> None:
        temps: dict[int, Val] = {}
        stored: dict[int, Column] = {}
        reductions: list[tuple[int, str, Val, int]] = []  # (register, opcode, input, loc)
        for m in k.micro:
            op, a = m.op, m.args
            loc = m.loc if m.loc >= 0 else k.loc if k.loc >= 0 else instr_loc
            value = self.leaf(op, a, F.col("_idx"), "")
            if value is not None:
                temps[a[0]] = value
            elif op == "load":
                kind = self.slot_kind(a[1])
                temps[a[0]] = Val(stored[a[1]], kind) if a[1] in stored else self.slot_val(a[1])
            elif op == "store":
                stored[a[1]] = _convert(temps[a[2]], self.plan.slots[a[1]])
            elif op in REDUCTIONS:
                reductions.append((a[1], op, temps[a[2]], loc))
            else:
                temps[a[0]] = elementwise(op, [temps[t] for t in a[1:]], loc)
        if reductions:
            # the reductions' inputs become columns of the new state, so one job computes both
            extra = tuple(v.col.alias(f"_r{i}") for i, (_, _, v, _) in enumerate(reductions))
            self.update(self.state, stored, extra)
            self.reduce(reductions)
        elif stored:
            self.update(self.state, stored)

    def reduce(self, reductions: list[tuple[int, str, Val, int]]) -> None:
        """Persist the new state and aggregate over it: one job."""
        state = self.state.persist(StorageLevel.MEMORY_AND_DISK)
        self.persisted.append(state)
        aggs = [reduction(op, Val(F.col(f"_r{i}"), v.kind), F.col("_idx")).alias(f"r{i}")
                for i, (_, op, v, _) in enumerate(reductions)]
        row = _collect(state.agg(*aggs), self.plan)
        self.state = state.drop(*(f"_r{i}" for i in range(len(reductions))))
        self.persisted.append(self.state)
        self.release_old(keep=state)
        for i, (reg, op, _, loc) in enumerate(reductions):
            value = reduction_value(op, row[f"r{i}"])
            if value is None:
                what = "argmin" if "argmin" in op else "argmax"
                why = "the graph has no nodes" if self.graph.node_count == 0 else "every value is nan"
                raise self.error(loc, f"{what} of nothing: {why}", ErrorKind.RUNTIME)
            self.set_reg(reg, value)

    def edge_kernel(self, k: Kernel, instr_loc: int) -> None:
        owner, nbr = F.col("owner"), F.col("nbr")
        gathers = sorted({m.args[1] for m in k.micro if m.op == "gather" and m.args[1] in self.cols})
        loads = sorted({m.args[1] for m in k.micro if m.op == "load" and m.args[1] in self.cols})
        degrees = any(m.op in ("in_deg", "out_deg", "degree") for m in k.micro)
        lanes = self.graph.lanes(k.dir, weights=any(m.op == "weight" for m in k.micro))
        if gathers:
            lanes = lanes.join(self.small(self.state).select(F.col("_idx").alias("nbr"),
                                                 *(F.col(self.cols[s]).alias(f"g{s}") for s in gathers)),
                               "nbr")
        if loads or degrees:
            own = [F.col(self.cols[s]).alias(f"o{s}") for s in loads]
            own += [F.col(c).alias(f"o{c}") for c in ("_out", "_in") if degrees]
            lanes = lanes.join(self.small(self.state).select(F.col("_idx").alias("owner"), *own), "owner")
        temps: dict[int, Val] = {}
        for m in k.micro:
            op, a = m.op, m.args
            loc = m.loc if m.loc >= 0 else k.loc if k.loc >= 0 else instr_loc
            value = self.leaf(op, a, owner, "o")
            if value is not None:
                temps[a[0]] = value
            elif op == "gather":
                temps[a[0]] = self._lane(a[1], "g")
            elif op == "load":
                temps[a[0]] = self._lane(a[1], "o")
            elif op == "nbr":
                temps[a[0]] = Val(nbr, "i")
            elif op == "weight":
                temps[a[0]] = Val(F.col("w"), "f")
            else:
                temps[a[0]] = elementwise(op, [temps[t] for t in a[1:]], loc)
        value = temps[k.value_temp]
        kept = lanes
        if k.filter_temp >= 0:
            kept = kept.where(temps[k.filter_temp].col != 0)
        kept = kept.select(owner, value.col.alias("_v"))
        result = aggregate_lanes(kept, k.agg, value).withColumnRenamed("owner", "_idx")
        kind = out_kind(k.agg, value.kind)
        out = with_default(k.agg, value.kind, self._default(k, kind))
        self.update(self.state.join(self.small(result), "_idx", "left"),
                    {k.out_slot: _convert(Val(out, kind), self.plan.slots[k.out_slot])}, drop=("_agg",))
        self.state = self.cut(self.state)
        self.dirty = False

    def small(self, nodes: DataFrame) -> DataFrame:
        """A frame of one row per node, marked for a broadcast join when the graph has at
        most options.broadcast_nodes nodes: the edges then stay where they are."""
        return F.broadcast(nodes) if self.graph.node_count <= self.options.broadcast_nodes else nodes

    def cut(self, frame: DataFrame) -> DataFrame:
        """frame, kept once computed, as a new DataFrame over the same RDD: Spark's plan for
        the next kernel starts here.  An edge kernel reads state twice (the neighbors'
        values, and the rows the result joins back to), so without this cut the logical plan
        would double with every pass; the RDD lineage below stays a DAG (recomputable after
        a lost executor) until a checkpoint truncates it."""
        self.cuts += 1
        kept = frame.persist(StorageLevel.MEMORY_AND_DISK)
        self.persisted.append(kept)
        jdf = kept._jdf
        leaf = self.spark._jsparkSession.internalCreateDataFrame(jdf.queryExecution().toRdd(),
                                                                 jdf.schema(), False)
        return DataFrame(leaf, self.spark)

    def _lane(self, slot: int, prefix: str) -> Val:
        kind = self.slot_kind(slot)
        if slot not in self.cols:
            return Val(lit(0, kind), kind)
        return Val(F.col(f"{prefix}{slot}"), kind)

    def _default(self, k: Kernel, kind: str) -> Column | None:
        if k.default_kind == "reg":
            return lit(self.regs[k.default_index], kind)
        if k.default_kind == "slot":
            return self.slot_val(k.default_index).col
        return None


def _convert(v: Val, slot_dtype: str) -> Column:
    """A temp stored into a slot: bools as 0/1, the slot's storage type otherwise."""
    if slot_dtype == "bool":
        return (v.col != 0).cast("long")
    return v.col.cast("double" if slot_dtype == "float" else "long")


def _reads_degrees(plan: Plan) -> bool:
    return any(m.op in ("in_deg", "out_deg", "degree") for k in plan.kernels for m in k.micro)


def _collect(df: DataFrame, plan: Plan):
    try:
        return df.first()
    except Exception as exc:  # noqa: BLE001 (a Spark job failure; turned into C's error)
        raise spark_failure(exc, plan) from None


def spark_failure(exc: Exception, plan: Plan) -> GraphbuildError:
    """The GraphbuildError for an exception from a Spark job: an op that fails in C too
    (with its .gdsl location), or Spark's own failure in one line."""
    failure = parse_failure(str(exc))
    if failure is not None:
        loc, message = failure
        return GraphbuildError(message, location=location(plan, loc), kind=ErrorKind.RUNTIME)
    return GraphbuildError(f"the Spark job failed: {summary(exc)}", kind=ErrorKind.RUNTIME)


def summary(exc: BaseException) -> str:
    """The line of a Spark or Py4J exception that says what went wrong."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    for line in lines:
        if ("Exception:" in line or "Error:" in line) and not line.startswith("at "):
            return line
    return lines[0] if lines else type(exc).__name__


def run_plan(spark: SparkSession, plan: Plan, graph: SparkGraph, registers: list[Any],
             options: RunOptions | None = None) -> SparkRun:
    """Run plan on graph with the parameters already in registers; the final state stays
    a DataFrame (persisted) for the caller to collect or write."""
    check_plan(plan)
    machine = _Machine(spark, plan, graph, registers, options or RunOptions())
    try:
        machine.run()
    except GraphbuildError:
        machine.cleanup()
        raise
    except KeyboardInterrupt:
        machine.cleanup()
        raise
    except Exception as exc:  # noqa: BLE001
        machine.cleanup()
        raise spark_failure(exc, plan) from None
    if machine.checkpoints.files:
        # the results must outlive the checkpoint files: keep them on the executors
        machine.state = machine.state.localCheckpoint(eager=True)
        machine.checkpoints.remove()
    return SparkRun(plan, graph, machine.state, machine.regs, dict(machine.cols), machine.pass_seconds)
