"""Top-level register arithmetic on the driver, exactly as csrc/exec/ops.c computes it.

Registers hold Python ints (int, node and bool, wrapped to 64 bits) and floats.  Where
Python raises and C follows IEEE (x / 0.0, sqrt(-1), log(0), exp overflow) these give
C's value; where C raises (integer // or % by zero, a negative integer exponent, int()
of nan) they raise ScalarError with C's message, which the engine places at the op.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any


class ScalarError(Exception):
    """An op that fails in C too; the message is C's."""


def wrap(x: int) -> int:
    """Two's-complement 64-bit wraparound."""
    return (x + 2**63) % 2**64 - 2**63


def _floordiv_i(a: int, b: int) -> int:
    if b == 0:
        raise ScalarError("integer division by zero")
    return wrap(a // b)


def _mod_i(a: int, b: int) -> int:
    if b == 0:
        raise ScalarError("integer modulo by zero")
    return a % b


def _pow_i(a: int, b: int) -> int:
    if b < 0:
        raise ScalarError(f"negative exponent {b} in an integer power")
    return wrap(pow(a, b, 2**64))


def _div_f(a: float, b: float) -> float:
    if b != 0.0:
        return a / b
    if a != a or a == 0.0:
        return math.nan
    return math.copysign(math.inf, a) * math.copysign(1.0, b)


def _fmod(a: float, b: float) -> float:
    """C's fmod: NaN for an infinite dividend or a zero divisor, else math.fmod."""
    if b == 0.0 or math.isinf(a) or a != a or b != b:
        return math.nan
    return math.fmod(a, b)


def mod_f(a: float, b: float) -> float:
    r = _fmod(a, b)
    if r != 0.0:
        if (r < 0.0) != (b < 0.0):
            r += b
        return r
    return math.copysign(0.0, b)


def floordiv_f(a: float, b: float) -> float:
    if b == 0.0:
        return _floor(_div_f(a, b))
    mod = _fmod(a, b)
    div = (a - mod) / b
    if mod != 0.0 and (b < 0.0) != (mod < 0.0):
        div -= 1.0
    if div == 0.0:
        return math.copysign(0.0, a / b)
    if not math.isfinite(div):
        return div
    fl = float(math.floor(div))
    return fl + 1.0 if div - fl > 0.5 else fl


def _pow_f(a: float, b: float) -> float:
    try:
        return math.pow(a, b)
    except OverflowError:
        # |a| > 1 with a large b, or a zero to a negative power: C's pow gives infinities
        if a == 0.0:
            odd = b == math.floor(b) and math.fmod(b, 2.0) != 0.0
            return math.copysign(math.inf, a) if odd else math.inf
        odd = b == math.floor(b) and math.fmod(b, 2.0) != 0.0
        return -math.inf if a < 0 and odd else math.inf
    except ValueError:
        if a == 0.0:   # 0 ** negative
            odd = b == math.floor(b) and math.fmod(b, 2.0) != 0.0
            return math.copysign(math.inf, a) if odd else math.inf
        return math.nan   # a negative base to a non-integer power


def min_f(a: float, b: float) -> float:
    if a != a or b != b:
        return a + b
    return b if b < a else a


def max_f(a: float, b: float) -> float:
    if a != a or b != b:
        return a + b
    return b if b > a else a


def _rounded(fn: Callable[[float], int]) -> Callable[[float], float]:
    def rounded(x: float) -> float:
        if not math.isfinite(x):
            return x
        r = float(fn(x))
        return math.copysign(0.0, x) if r == 0.0 else r
    return rounded


_floor, _ceil = _rounded(math.floor), _rounded(math.ceil)


def _sqrt(x: float) -> float:
    return math.sqrt(x) if x >= 0.0 else math.nan


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def _log(x: float) -> float:
    if x != x or x > 0.0:
        return math.log(x) if x == x else x
    return -math.inf if x == 0.0 else math.nan


def f2i(x: float) -> int:
    if x != x:
        raise ScalarError("cannot convert nan to int")
    if math.isinf(x):
        raise ScalarError(f"cannot convert {'-' if x < 0 else ''}inf to int")
    if not -2.0**63 <= x < 2.0**63:
        raise ScalarError(f"float {x!r} is out of the int range")
    return int(x)


def _cmp(fn: Callable[[Any, Any], bool]) -> Callable[[Any, Any], int]:
    return lambda a, b: int(fn(a, b))


# opcode -> function of the operand values (plan.model: [dst, x, y, z])
OPS: dict[str, Callable[..., Any]] = {
    "add_i": lambda a, b: wrap(a + b), "sub_i": lambda a, b: wrap(a - b),
    "mul_i": lambda a, b: wrap(a * b), "floordiv_i": _floordiv_i, "mod_i": _mod_i,
    "pow_i": _pow_i, "min_i": lambda a, b: b if b < a else a, "max_i": lambda a, b: b if b > a else a,
    "add_f": lambda a, b: a + b, "sub_f": lambda a, b: a - b, "mul_f": lambda a, b: a * b,
    "div_f": _div_f, "floordiv_f": floordiv_f, "mod_f": mod_f, "pow_f": _pow_f,
    "min_f": min_f, "max_f": max_f,
    "eq_i": _cmp(lambda a, b: a == b), "ne_i": _cmp(lambda a, b: a != b),
    "lt_i": _cmp(lambda a, b: a < b), "le_i": _cmp(lambda a, b: a <= b),
    "gt_i": _cmp(lambda a, b: a > b), "ge_i": _cmp(lambda a, b: a >= b),
    "eq_f": _cmp(lambda a, b: a == b), "ne_f": _cmp(lambda a, b: a != b),
    "lt_f": _cmp(lambda a, b: a < b), "le_f": _cmp(lambda a, b: a <= b),
    "gt_f": _cmp(lambda a, b: a > b), "ge_f": _cmp(lambda a, b: a >= b),
    "and": lambda a, b: int(a != 0 and b != 0), "or": lambda a, b: int(a != 0 or b != 0),
    "not": lambda a: int(a == 0),
    "neg_i": lambda a: wrap(-a), "abs_i": lambda a: wrap(abs(a)),
    "neg_f": lambda a: -a, "abs_f": abs,
    "sqrt": _sqrt, "exp": _exp, "log": _log, "floor": _floor, "ceil": _ceil,
    "i2f": float, "f2i": f2i,
    "where": lambda c, a, b: a if c != 0 else b,
}


def apply(op: str, values: list[Any]) -> Any:
    """op (an opcode of OPS) on register values."""
    return OPS[op](*values)
