"""The plan: the only thing that crosses from the compiler to the runtime.

A plan is plain data (no Python objects from the compiler), independent of the graph
and of parameter values, serialized as JSON with a format version and a checksum.
Op names are the C executor's opcodes (csrc/graphbuild.h, GB_OP_<NAME>) in lower case;
the runtime encodes the plan into the flat instruction stream C validates and runs.

Top-level instructions work on scalar registers and control flow; vector work happens
in kernels: a node kernel runs its micro-ops over blocks of nodes, an edge kernel
computes one neighbor aggregation. Argument meanings per op are in graphbuild.h.
"""
from __future__ import annotations

import hashlib
import json
import math
from dataclasses import asdict, dataclass, field
from typing import Any

from ..errors import ErrorKind, GraphbuildError
from . import bounds

# 2: needs_in_edges (the graph is loaded with only what the plan reads).
# 3: a parameter's declared range (Param.bounds), checked before every run.
# 4: the executor's decisions: each edge kernel's shape, direction forms, frontier form and
#    incremental flag, and the levels as executed (exec_levels), all checked by C.
# 5: each node kernel's active set (Kernel.active_slot, plan/active.py) and each edge
#    kernel's demand (Kernel.demand_slot, demand_value; plan/demand.py), checked by C.
# 6: an edge kernel's changed-set claim (Kernel.changed, plan/changed.py), checked by C.
# 7: an edge kernel's union-find claim (Kernel.union_find, plan/unionfind.py) and a
#    loop nest's ordered form (Kernel.ordered on its head kernel, plan/ordered.py),
#    and frontier lists (Kernel.frontier_list, plan/frontier.py: GB_KH_CHANGED = 2), the edge
#    micro-op common and the intersect shape (plan/claims.py), an edge kernel's
#    delta-stepping claim (Kernel.delta_step, plan/deltastep.py: GB_KH_UNION_FIND = 2), all
#    checked by C.
PLAN_FORMAT_VERSION = 7

# The executor ABI: the opcode set (csrc/graphbuild.h, gb_op) and operand layout the runtime
# encodes plans against.  Bump it with any change to the opcode set, so a cached plan built
# for the old executor is never handed to the new one; every plan cache key includes it.
# (Unchanged by compact graph storage: the opcodes and plan layout are the same; plans that
# predate needs_in_edges miss through PLAN_FORMAT_VERSION.)
# 2: kernel headers carry the claims (GB_KH_SHAPE .. GB_KH_INCREMENTAL), KERNEL/FUSED a level.
# 3: header words GB_KH_ACTIVE (a node kernel's guard slot), GB_KH_DEMAND and
#    GB_KH_DEMAND_VALUE (where an edge kernel's result is used), GB_COUNT_DEMAND.
# 4: header word GB_KH_CHANGED (a FUSED pair carries its changed set between passes).
# 5: header word GB_KH_UNION_FIND (the pair's loop runs as union-find), GB_COUNT_UNION_FIND;
#    header word GB_KH_ORDERED (a loop nest runs as bucketed peeling);
#    GB_OP_COMMON (common neighbors per edge) and GB_SHAPE_INTERSECT;
#    GB_OP_SAMPLE (the sources of `for s in sample(k, seed)`);
#    GB_KH_UNION_FIND = 2 (the pair's loop runs as delta-stepping).
# 6: GB_OP_GATHER_V (x[p], a node vector's gather).
# 7: GB_OP_SOURCES (a loop over sources, and its parallel claim).
# 8: GB_SHAPE_ACTIVE_SIZE (a node kernel's any/count results from its active list's length).
EXECUTOR_ABI = 8

Arg = int | float  # a register, slot, temp, kernel or jump index, or an immediate


@dataclass
class Param:
    name: str
    dtype: str                       # int, float, bool or node
    default: int | float | bool | None  # None: required at run time
    reg: int                         # the register the runtime binds it to
    bounds: list | None = None       # the declared range (plan/bounds.py), or None


@dataclass
class Output:
    name: str
    kind: str    # "vector" (an output column, in a slot) or "scalar" (a summary value, in a register)
    dtype: str   # int, float, bool or node
    index: int   # slot or register


@dataclass
class SourceLoc:
    line: int
    col: int


@dataclass
class Instr:
    """One top-level instruction or kernel micro-op: op name, arguments, source location index."""

    op: str
    args: list[Arg]
    loc: int = -1


@dataclass
class Kernel:
    domain: str                      # "node" or "edge"
    micro: list[Instr]
    ntemps: int
    loc: int = -1
    # edge kernels only
    dir: str = ""                    # "out", "in" or "both"
    agg: str = ""                    # sum min max count any all mean mode
    agg_float: bool = False          # the value temp holds floats
    out_slot: int = -1
    value_temp: int = -1
    filter_temp: int = -1
    default_kind: str = "identity"   # "identity", "reg" or "slot"
    default_index: int = -1
    # the compiler's decisions for an edge kernel (claims.py; C checks them)
    shape: str = "generic"           # generic gather gather_if plus_weight times_weight count intersect
    directions: str = ""             # "pull" or "pull+push" in an edge kernel, "" in a node kernel
    frontier: str = "dense"          # "dense", "sparse" or "switching"
    incremental: bool = False        # exactly when frontier is not dense
    # a node kernel's active set (active.py; C checks it): the bool slot whose true nodes are
    # the only ones where it can change a slot or a reduction, or -1 (every node)
    active_slot: int = -1
    # an edge kernel's demand (demand.py; C checks it): its result is used only where slot
    # demand_slot holds demand_value; -1: everywhere
    demand_slot: int = -1
    demand_value: int = 0
    # an edge kernel's changed set (changed.py; C checks it): its FUSED pair is a monotone
    # min/max step whose changed nodes are carried to the next pass as a list
    changed: bool = False
    # an edge kernel's union-find claim (unionfind.py; C checks it): its FUSED pair's loop is
    # min-label propagation from node_id(), run as union-find
    union_find: bool = False
    # an edge kernel's delta-stepping claim (deltastep.py; C checks it): its FUSED pair's loop
    # is a min-plus fixpoint (Bellman-Ford), run as delta-stepping
    delta_step: bool = False
    # a node kernel `any(A)` heading a loop nest (ordered.py; C checks it): "peel" runs the
    # nest as bucketed peeling, "" as written
    ordered: str = ""
    # an edge kernel's frontier lists (frontier.py; C checks it): its FUSED pair's inputs and
    # outputs are carried as node lists and each pass pushes or pulls (GB_KH_CHANGED = 2)
    frontier_list: bool = False


@dataclass
class Plan:
    algorithm: str
    source_path: str
    params: list[Param]
    registers: list[str]             # dtype of each scalar register
    slots: list[str]                 # dtype of each node-vector slot
    code: list[Instr]
    kernels: list[Kernel]
    locations: list[SourceLoc]
    outputs: list[Output]
    needs_weights: bool = False      # the plan reads edge weights
    # the plan reads a directed graph's in-edges: an edge kernel over "in" or "both",
    # or an in_deg/degree micro-op (reads_in_edges)
    needs_in_edges: bool = False
    stats: dict[str, Any] = field(default_factory=dict)  # summary for `compile` (op counts, ...)
    # per instruction, the level it starts as executed: n >= 2 at the first of n consecutive
    # independent kernel/fused instructions run side by side when small, 1 for a kernel run
    # alone, 0 inside a level and for other instructions (claims.py)
    exec_levels: list[int] = field(default_factory=list)
    format_version: int = PLAN_FORMAT_VERSION

    # -- serialization -----------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        """Canonical JSON with an embedded SHA-256 checksum of the body."""
        body = _dumps(self.to_dict())
        checksum = hashlib.sha256(body.encode()).hexdigest()
        return json.dumps({"graphbuild_plan": self.format_version, "checksum": checksum,
                           "plan": json.loads(body, parse_constant=_constant)},
                          sort_keys=True, allow_nan=True)

    @staticmethod
    def from_json(text: str) -> "Plan":
        """Parse and verify a plan file; any defect is a GraphbuildError, never a crash."""
        try:
            outer = json.loads(text, parse_constant=_constant)
            version = outer["graphbuild_plan"]
            if version != PLAN_FORMAT_VERSION:
                raise _bad(f"plan format version {version!r}, this graphbuild reads {PLAN_FORMAT_VERSION}")
            body = _dumps(outer["plan"])
            if hashlib.sha256(body.encode()).hexdigest() != outer["checksum"]:
                raise _bad("checksum mismatch (the plan was changed or truncated)")
            plan = Plan.from_dict(outer["plan"])
            _check_fields(plan)
            return plan
        except GraphbuildError:
            raise
        except RecursionError:   # json's decoder stops cleanly at Python's recursion limit
            raise _bad("not a valid plan: nested too deeply") from None
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise _bad(f"not a valid plan: {exc}") from None

    @staticmethod
    def from_dict(d: dict[str, Any]) -> "Plan":
        d = dict(d)
        d["params"] = [Param(**p) for p in d["params"]]
        d["code"] = [Instr(**i) for i in d["code"]]
        d["kernels"] = [Kernel(**{**k, "micro": [Instr(**i) for i in k["micro"]]}) for k in d["kernels"]]
        d["locations"] = [SourceLoc(**s) for s in d["locations"]]
        d["outputs"] = [Output(**o) for o in d["outputs"]]
        return Plan(**d)


def reads_in_edges(kernels: list[Kernel]) -> bool:
    """Whether kernels read a directed graph's in-CSR (C refuses to run them without it)."""
    return any((k.domain == "edge" and k.dir in ("in", "both"))
               or any(m.op in ("in_deg", "degree") for m in k.micro) for k in kernels)


def reads_weights(kernels: list[Kernel]) -> bool:
    return any(m.op == "weight" for k in kernels for m in k.micro)


_DTYPES = ("int", "float", "bool", "node")
_STORAGE = {"int": "int64", "node": "int64", "float": "double", "bool": "uint8"}


def _int64(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and -2**63 <= v < 2**63


def _immediate(op: str, index: int) -> bool:
    """Whether an operand may be a float: only the value of `const` and of the micro-op `imm`.
    Every other operand is a register, slot, temp, kernel or jump index."""
    return index == 1 and op in ("const", "imm")


def _demand_outputs_stored(plan: "Plan") -> bool:
    outs = {o.index for o in plan.outputs if o.kind == "vector"}
    nk = len(plan.kernels)
    for ins in plan.code:
        if ins.op != "fused" or len(ins.args) < 2 or not all(0 <= a < nk for a in ins.args[:2]):
            continue
        ke, kn = plan.kernels[ins.args[0]], plan.kernels[ins.args[1]]
        if ke.demand_slot >= 0 and ke.out_slot in outs and not any(
                m.op == "store" and m.args[1:2] == [ke.out_slot] for m in kn.micro):
            return False
    return True


def _check_fields(plan: "Plan") -> None:
    """The field types and cross-references Python relies on when it encodes a plan, binds its
    parameters and reads its outputs (C validates the instruction stream itself), so a
    hand-edited or damaged plan file gets an error instead of a crash."""

    def expect(ok: bool, what: str) -> None:
        if not ok:
            raise _bad(f"not a valid plan: {what}")

    lists = (plan.registers, plan.slots, plan.params, plan.code, plan.kernels, plan.locations, plan.outputs)
    expect(all(isinstance(x, list) for x in lists), "a list field is not a list")
    expect(isinstance(plan.algorithm, str) and isinstance(plan.source_path, str),
           "algorithm and source_path must be text")
    expect(all(d in _DTYPES for d in plan.registers + plan.slots),
           "register and slot dtypes must be int, float, bool or node")
    expect(isinstance(plan.needs_weights, bool) and isinstance(plan.needs_in_edges, bool)
           and isinstance(plan.stats, dict) and _int64(plan.format_version),
           "needs_weights, needs_in_edges, stats or format_version has the wrong type")
    micro = [m for k in plan.kernels for m in (k.micro if isinstance(k.micro, list) else [None])]
    for ins in plan.code + micro:
        expect(isinstance(ins, Instr) and isinstance(ins.op, str) and _int64(ins.loc)
               and isinstance(ins.args, list)
               and all(_int64(a) or (isinstance(a, float) and _immediate(ins.op, i))
                       for i, a in enumerate(ins.args)),
               f"malformed instruction {ins!r}")
    for k in plan.kernels:
        numbers = (k.ntemps, k.loc, k.out_slot, k.value_temp, k.filter_temp, k.default_index)
        expect(all(isinstance(x, str) for x in (k.domain, k.dir, k.agg, k.default_kind))
               and all(_int64(x) for x in numbers) and isinstance(k.agg_float, bool),
               f"malformed kernel header {k!r}")
        expect(isinstance(k.micro, list), f"malformed kernel header {k!r}")
        expect(all(isinstance(x, str) for x in (k.shape, k.directions, k.frontier, k.ordered))
               and isinstance(k.incremental, bool) and isinstance(k.changed, bool)
               and isinstance(k.union_find, bool) and isinstance(k.delta_step, bool)
               and isinstance(k.frontier_list, bool)
               and all(_int64(x) for x in (k.active_slot, k.demand_slot, k.demand_value)),
               f"malformed kernel claims {k!r}")
    expect(isinstance(plan.exec_levels, list) and len(plan.exec_levels) == len(plan.code)
           and all(_int64(x) for x in plan.exec_levels), "exec_levels must be one int per instruction")
    # The runtime loads the graph with what these flags say: a plan that reads more would
    # run on a graph without it (C refuses missing in-edges; dropped weights would read 1.0).
    expect(plan.needs_in_edges or not reads_in_edges(plan.kernels),
           "the kernels read in-edges but needs_in_edges is false")
    expect(plan.needs_weights or not reads_weights(plan.kernels),
           "the kernels read edge weights but needs_weights is false")
    # A loop run as union-find ends after one pass: its counter (C cannot see outputs) must
    # not be a summary value (plan/unionfind.py).
    counters = {a for ins in plan.code if ins.op == "check_iter" for a in ins.args[:1]}
    expect(not any(k.union_find or k.delta_step for k in plan.kernels)
           or not any(o.kind == "scalar" and o.index in counters for o in plan.outputs),
           "a loop claimed to run as union-find or delta-stepping has its pass counter as an output")
    # A demand claim whose node kernel does not store the result relies on nothing else
    # reading it (plan/demand.py); C checks the kernels but cannot see outputs.
    expect(_demand_outputs_stored(plan), "a demand claim leaves uncomputed values in an output")
    for s in plan.locations:
        expect(_int64(s.line) and _int64(s.col), f"malformed source location {s!r}")
    for p in plan.params:
        expect(isinstance(p.name, str) and p.dtype in _DTYPES and _int64(p.reg)
               and 0 <= p.reg < len(plan.registers), f"parameter {p.name!r} has a bad dtype or register")
        fits = {"float": lambda v: _int64(v) or isinstance(v, float), "bool": lambda v: isinstance(v, bool)}
        expect(p.default is None or fits.get(p.dtype, _int64)(p.default),
               f"parameter {p.name!r} has a default of the wrong type")
        expect(p.bounds is None or bounds.well_formed(p.bounds, p.dtype),
               f"parameter {p.name!r} has a malformed range")
        expect(p.bounds is None or p.default is None or bounds.contains(p.bounds, p.default),
               f"parameter {p.name!r} has a default outside its range")
    for o in plan.outputs:
        expect(isinstance(o.name, str) and o.kind in ("vector", "scalar") and o.dtype in _DTYPES
               and _int64(o.index), f"malformed output {o.name!r}")
        store = plan.slots if o.kind == "vector" else plan.registers
        expect(0 <= o.index < len(store), f"output {o.name!r} reads {o.kind} {o.index}, which does not exist")
        # A column is read as its slot's element type: a mismatch would read past the buffer.
        expect(o.kind == "scalar" or _STORAGE[o.dtype] == _STORAGE[store[o.index]],
               f"output {o.name!r} is {o.dtype} but slot {o.index} holds {store[o.index]}")


def _constant(name: str) -> float:
    return {"Infinity": math.inf, "-Infinity": -math.inf, "NaN": math.nan}[name]


def _dumps(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), allow_nan=True)


def _bad(message: str) -> GraphbuildError:
    return GraphbuildError(message, kind=ErrorKind.PROGRAM)
