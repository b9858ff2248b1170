"""Bind parameter values (command-line strings or Python values) to a plan's registers.

A float parameter given at run time takes a finite number: NaN compares false with
everything, so no threshold, factor or loop test means anything with it, and no shipped
parameter (damping, tol, alpha, beta) has a sensible infinite value; "nan", "inf" and a
literal too large for a double ("1e999") are usage errors naming the parameter.  A program
says a parameter makes sense with them by its default: `cap: float = inf` accepts an
infinity, `x: float = nan` a NaN (docs/language.md section 3).
"""
from __future__ import annotations

import difflib
import math
from typing import Any

from ..errors import ErrorKind, GraphbuildError
from ..plan import bounds
from ..plan.model import Param, Plan
from .graph import Graph

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


class NodeIndex(int):
    """A node parameter given as a node index rather than an id: the Python API looks up its
    own ids (any hashable, not only strings) and passes the index it found."""


def _usage(message: str) -> GraphbuildError:
    return GraphbuildError(message, kind=ErrorKind.USAGE)


def parse_value(param: Param, value: Any, graph: Graph) -> int | float:
    """The register value for one parameter: ints, bools and node indices as int, floats as float."""
    name, dtype = param.name, param.dtype
    if dtype == "node":
        if isinstance(value, bool):
            raise _usage(f"parameter '{name}' expects a node id, got {value!r}")
        if isinstance(value, NodeIndex):
            if not 0 <= value < graph.node_count:
                raise _usage(f"node index {int(value)} of '{name}' is not in a graph of "
                             f"{graph.node_count} nodes")
            return int(value)
        return graph.find_node(str(value))
    if isinstance(value, str):
        text = value.strip()
        try:
            if dtype == "int":
                return int(text)
            if dtype == "float":
                return float(text)
        except ValueError:
            raise _usage(f"parameter '{name}' expects {_article(dtype)}, got '{value}'") from None
        if text.lower() in _TRUE:
            return 1
        if text.lower() in _FALSE:
            return 0
        raise _usage(f"parameter '{name}' expects a bool (true or false), got '{value}'")
    if dtype == "bool" and isinstance(value, bool):
        return int(value)
    if dtype == "int" and isinstance(value, int) and not isinstance(value, bool):
        return value
    if dtype == "float" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    raise _usage(f"parameter '{name}' expects {_article(dtype)}, got {value!r}")


def _allowed(value: float, default: Any) -> bool:
    """A finite value, or a non-finite one of the kind the parameter's default is."""
    if math.isfinite(value):
        return True
    if default is None or isinstance(default, bool):
        return False
    return math.isnan(value) == math.isnan(float(default)) and not math.isfinite(float(default))


def _article(dtype: str) -> str:
    return {"int": "an int", "float": "a float", "bool": "a bool", "node": "a node id"}[dtype]


def bind_params(plan: Plan, graph: Graph, values: dict[str, Any], regs: Any) -> None:
    """Fill each parameter's register; unknown, missing or malformed values are usage errors."""
    known = {p.name: p for p in plan.params}
    unknown = sorted(set(values) - set(known))
    if unknown:
        takes = ", ".join(known) or "no parameters"
        close = difflib.get_close_matches(unknown[0], list(known), n=1, cutoff=0.6)
        raise GraphbuildError(f"unknown parameter '{unknown[0]}'; {plan.algorithm} takes: {takes}",
                              kind=ErrorKind.USAGE,
                              hint=f"did you mean '{close[0]}'?" if close else None)
    for p in plan.params:
        if p.name in values:
            value = parse_value(p, values[p.name], graph)
        elif p.default is None:
            raise _usage(f"missing required parameter '{p.name}' (give --param {p.name}=VALUE)")
        elif p.dtype == "node":
            value = int(p.default)
            if not 0 <= value < graph.node_count:
                raise _usage(f"default node index {value} of '{p.name}' is not in a graph of "
                             f"{graph.node_count} nodes; give --param {p.name}=ID")
        else:
            value = float(p.default) if p.dtype == "float" else int(p.default)
        if p.dtype == "int" and not -2**63 <= value < 2**63:
            raise _usage(f"parameter '{p.name}' is out of the 64-bit range: {value}")
        if p.dtype == "float" and p.name in values and not _allowed(value, p.default):
            given = values[p.name]
            raise _usage(f"parameter '{p.name}' takes a finite number, got {given!r}"
                         + (f" ({value})" if str(given).strip() != str(value) else ""))
        if p.bounds is not None and not bounds.contains(p.bounds, value):
            raise _usage(f"parameter '{p.name}' = {value!r} is outside its range "
                         f"{bounds.describe(p.bounds)}")
        if p.dtype == "float":
            regs[p.reg].f = value
        else:
            regs[p.reg].i = value
