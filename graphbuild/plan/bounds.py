"""A parameter's valid range, as the language declares it (`damping: float in [0, 1]`) and
the plan carries it (Param.bounds = [low, high, low_closed, high_closed], None for an open
end at infinity).  The checker tests a default against it; the runtime tests every value
given at run time (CLI -p, the Python API, the networkx backend) before anything runs.
"""
from __future__ import annotations

import math
from typing import Any

Bounds = list   # [low | None, high | None, low_closed, high_closed]


def make(low: float, high: float, low_closed: bool, high_closed: bool) -> Bounds:
    """Bounds from the literal ends; an infinite end is stored as None (JSON has no inf)."""
    return [None if math.isinf(low) else low, None if math.isinf(high) else high,
            bool(low_closed), bool(high_closed)]


def contains(bounds: Bounds, value: float) -> bool:
    low, high, low_closed, high_closed = bounds
    if isinstance(value, float) and math.isnan(value):
        return False
    above = low is None or value > low or (low_closed and value == low)
    below = high is None or value < high or (high_closed and value == high)
    return above and below


def is_empty(bounds: Bounds) -> bool:
    low, high, low_closed, high_closed = bounds
    if low is None or high is None:
        return False
    return low > high or (low == high and not (low_closed and high_closed))


def describe(bounds: Bounds) -> str:
    """The range as written in the language: [0, 1], (0, inf), [-inf, 5)."""
    low, high, low_closed, high_closed = bounds
    return (("[" if low_closed else "(") + ("-inf" if low is None else _num(low)) + ", "
            + ("inf" if high is None else _num(high)) + ("]" if high_closed else ")"))


def well_formed(bounds: Any, dtype: str) -> bool:
    """A plan file's bounds (untrusted): four fields of the right types, not empty."""
    if not isinstance(bounds, list) or len(bounds) != 4 or dtype not in ("int", "float"):
        return False
    low, high, low_closed, high_closed = bounds
    ends_ok = all(e is None or (type(e) in (int, float) and math.isfinite(e)
                                and (dtype == "float" or type(e) is int)) for e in (low, high))
    return ends_ok and isinstance(low_closed, bool) and isinstance(high_closed, bool) \
        and not is_empty(bounds)


def _num(v: float) -> str:
    return repr(v) if isinstance(v, float) and not v.is_integer() else f"{v:g}" if isinstance(v, float) \
        else str(v)
