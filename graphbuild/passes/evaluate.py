"""Evaluating one elementwise op on constants exactly as the C executor would.

`evaluate` returns None whenever the result is not certain to match the executor: an op
that would raise at run time (integer // or % by zero, a negative integer exponent,
int() of nan), and float cases where Python raises instead of following IEEE (x / 0.0,
sqrt(-1), log(0), exp overflow).  Leaving those unfolded is always correct.
Integers wrap to 64 bits, like the executor's.
"""
from __future__ import annotations

import math
import operator
from collections.abc import Callable
from typing import Any

from ..ir.nodes import Op
from ..types import DType


def wrap(x: int) -> int:
    """Two's-complement 64-bit wraparound."""
    return (x + 2**63) % 2**64 - 2**63


def _fmin(x: float, y: float) -> float:
    return math.nan if math.isnan(x) or math.isnan(y) else min(x, y)


def _fmax(x: float, y: float) -> float:
    return math.nan if math.isnan(x) or math.isnan(y) else max(x, y)


def _round(fn: Callable[[float], int]) -> Callable[[float], float]:
    """C's floor/ceil: Python's give ints, which lose the sign of a zero (ceil(-0.5) is -0.0)."""
    def rounded(x: float) -> float:
        if not math.isfinite(x):
            return x
        r = float(fn(x))
        return math.copysign(0.0, x) if r == 0 else r
    return rounded


_floor, _ceil = _round(math.floor), _round(math.ceil)


_INT: dict[Op, Callable[..., Any]] = {
    Op.ADD: lambda x, y: wrap(x + y), Op.SUB: lambda x, y: wrap(x - y), Op.MUL: lambda x, y: wrap(x * y),
    Op.FLOORDIV: lambda x, y: wrap(x // y) if y else None,
    Op.MOD: lambda x, y: x % y if y else None,
    Op.POW: lambda x, y: wrap(pow(x, y, 2**64)) if y >= 0 else None,
    Op.MIN: min, Op.MAX: max, Op.NEG: lambda x: wrap(-x), Op.ABS: lambda x: wrap(abs(x)),
}
_FLOAT: dict[Op, Callable[..., Any]] = {
    Op.ADD: operator.add, Op.SUB: operator.sub, Op.MUL: operator.mul,
    Op.DIV: lambda x, y: x / y if y else None,
    # Python's float // and % (CPython's divmod), as the executor's; y == 0.0 is not folded
    Op.FLOORDIV: lambda x, y: x // y if y else None,
    Op.MOD: lambda x, y: x % y if y else None,
    Op.POW: math.pow, Op.MIN: _fmin, Op.MAX: _fmax, Op.NEG: operator.neg, Op.ABS: abs,
    Op.SQRT: lambda x: math.sqrt(x) if x >= 0 else None,
    Op.EXP: math.exp, Op.LOG: lambda x: math.log(x) if x > 0 else None,
    Op.FLOOR: _floor, Op.CEIL: _ceil,
}
_COMPARE: dict[Op, Callable[[Any, Any], bool]] = {
    Op.EQ: operator.eq, Op.NE: operator.ne, Op.LT: operator.lt, Op.LE: operator.le,
    Op.GT: operator.gt, Op.GE: operator.ge,
}


def _cast(value: Any, to: DType) -> Any:
    if to is DType.FLOAT:
        return float(value)
    if to is DType.BOOL:
        return bool(value)
    if isinstance(value, float):
        if not math.isfinite(value) or not -2**63 <= math.trunc(value) < 2**63:
            return None  # the executor raises for int(nan), int(inf), out of range
        return math.trunc(value)
    return int(value)


def evaluate(op: Op, dtype: DType, values: list[Any]) -> Any:
    """op on constant operands giving dtype, or None when it must not be folded."""
    try:
        if op in _COMPARE:
            return _COMPARE[op](*values)
        if op is Op.AND:
            return values[0] and values[1]
        if op is Op.OR:
            return values[0] or values[1]
        if op is Op.NOT:
            return not values[0]
        if op is Op.CAST:
            return _cast(values[0], dtype)
        if op is Op.WHERE:
            return values[1] if values[0] else values[2]
        table = _FLOAT if dtype is DType.FLOAT or op in (Op.DIV, Op.SQRT, Op.EXP, Op.LOG) else _INT
        fn = table.get(op)
        if fn is None:
            return None
        result = fn(*values)
    except (OverflowError, ValueError, ZeroDivisionError):
        return None
    if isinstance(result, float) and dtype is not DType.FLOAT:
        return None
    return result
