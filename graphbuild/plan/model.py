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

PLAN_FORMAT_VERSION = 1

Arg = int | float  # a register, slot, temp, kernel or jump index, or an immediate


@dataclass
class Param:
    name: str
    dtype: str                       # int, float, bool or node
    default: int | float | bool | None  # None: required at run time
    reg: int                         # the register the runtime binds it to


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
    stats: dict[str, Any] = field(default_factory=dict)  # summary for `compile` (op counts, ...)
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
            return Plan.from_dict(outer["plan"])
        except GraphbuildError:
            raise
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


def _constant(name: str) -> float:
    return {"Infinity": math.inf, "-Infinity": -math.inf, "NaN": math.nan}[name]


def _dumps(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), allow_nan=True)


def _bad(message: str) -> GraphbuildError:
    return GraphbuildError(message, kind=ErrorKind.PROGRAM)
