"""Kernel micro-ops as Spark column expressions, with the C executor's semantics.

Every value is a column of kind "i" (a LongType: ints, nodes and bools as 0/1, as the
executor's temps hold them) or "f" (a DoubleType).  Spark SQL differs from C where it
matters, so each op says C's rule explicitly: a division by 0.0 is null in Spark and
IEEE in C; NaN equals NaN and sorts above +inf in Spark, while in C every comparison
with NaN is false and min/max with a NaN give NaN; floor/ceil return longs in Spark and
floats in C; log(0) is null in Spark.  Integers wrap, as in C, because the engine's
session runs with spark.sql.ansi.enabled=false.  An op that fails in C (integer // or %
by zero, a negative integer exponent, int() of nan) raises through raise_error with a
message the engine turns back into the error C would give (fail_message/parse_failure).
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pyspark.sql import Column
from pyspark.sql import functions as F

INF = float("inf")
NAN = float("nan")
INT64_MIN, INT64_MAX = -2**63, 2**63 - 1


@dataclass(frozen=True)
class Val:
    col: Column
    kind: str   # "i" or "f"


def lit_i(x: int) -> Column:
    return F.lit(int(x)).cast("long")


def lit_f(x: float) -> Column:
    return F.lit(float(x)).cast("double")


def lit(x: Any, kind: str) -> Column:
    return lit_f(x) if kind == "f" else lit_i(x)


def as_kind(c: Column, kind: str) -> Column:
    return c.cast("double" if kind == "f" else "long")


def truth(c: Column) -> Column:
    """A 0/1 long from a boolean column (never null here)."""
    return c.cast("long")


# ---- failures ------------------------------------------------------------------

_FAIL = re.compile(r"graphbuild-failure\[(-?\d+)\]: ([^\n\]]*?)(?: SQLSTATE|\n|$)")


def fail_message(loc: int, message: str) -> str:
    return f"graphbuild-failure[{loc}]: {message}"


def parse_failure(text: str) -> tuple[int, str] | None:
    """(location index, C's message) from a Spark exception's text, or None."""
    match = _FAIL.search(text)
    return (int(match.group(1)), match.group(2).strip().rstrip(".")) if match else None


def _guard(bad: Column, loc: int, message: Column | str, value: Column) -> Column:
    msg = F.lit(fail_message(loc, message)) if isinstance(message, str) else \
        F.concat(F.lit(fail_message(loc, "")), message)
    return F.when(bad, F.raise_error(msg)).otherwise(value)


# ---- float helpers (C's rules) ---------------------------------------------------

def isnan(c: Column) -> Column:
    return F.isnan(c)


def _either_nan(a: Column, b: Column) -> Column:
    return F.isnan(a) | F.isnan(b)


def div_f(a: Column, b: Column) -> Column:
    # a * b ** -1 is IEEE's a / 0.0: +-inf by the signs (of the zero too), NaN for 0/0
    return F.when(b == 0.0, a * F.pow(b, -1.0)).otherwise(a / b)


def fmod(a: Column, b: Column) -> Column:
    """C's fmod: NaN for a zero divisor (Spark gives null)."""
    return F.when(b == 0.0, lit_f(NAN)).otherwise(a % b)


def _signed_zero(negative: Column) -> Column:
    return F.when(negative, lit_f(-0.0)).otherwise(lit_f(0.0))


def floor_f(c: Column) -> Column:
    # doubles of magnitude 2^52 and up are integers already; Spark's floor returns a long
    return F.when(F.isnan(c) | (F.abs(c) >= 2.0**52), c).otherwise(F.floor(c).cast("double"))


def ceil_f(c: Column) -> Column:
    return F.when(F.isnan(c) | (F.abs(c) >= 2.0**52), c).otherwise(F.ceil(c).cast("double"))


def mod_f(a: Column, b: Column) -> Column:
    r = fmod(a, b)
    moved = F.when((r < 0.0) != (b < 0.0), r + b).otherwise(r)
    return F.when(F.isnan(r), r).when(r != 0.0, moved).otherwise(_signed_zero(b < 0.0))


def floordiv_f(a: Column, b: Column) -> Column:
    mod = a % b
    div = (a - mod) / b
    div = F.when((mod != 0.0) & ((b < 0.0) != (mod < 0.0)), div - 1.0).otherwise(div)
    fl = floor_f(div)
    snapped = F.when(div - fl > 0.5, fl + 1.0).otherwise(fl)
    nonzero = F.when(F.isnan(div) | (F.abs(div) == INF), div).otherwise(snapped)
    rest = F.when(div == 0.0, _signed_zero(a / b < 0.0)).otherwise(nonzero)
    return F.when(b == 0.0, floor_f(div_f(a, b))).when(F.isnan(mod), lit_f(NAN)).otherwise(rest)


def pow_f(a: Column, b: Column) -> Column:
    # C99 pow: 1 ** anything and (-1) ** +-inf are 1 (Java's Math.pow gives NaN)
    return (F.when(a == 1.0, lit_f(1.0))
            .when((a == -1.0) & (F.abs(b) == INF), lit_f(1.0))
            .otherwise(F.pow(a, b)))


def min_f(a: Column, b: Column) -> Column:
    return F.when(_either_nan(a, b), a + b).when(b < a, b).otherwise(a)


def max_f(a: Column, b: Column) -> Column:
    return F.when(_either_nan(a, b), a + b).when(b > a, b).otherwise(a)


def log_f(a: Column) -> Column:
    return (F.when(F.isnan(a), a).when(a > 0.0, F.log(a))
            .when(a == 0.0, lit_f(-INF)).otherwise(lit_f(NAN)))


def _compare_f(fn: Callable[[Column, Column], Column], nan_result: bool) -> Callable[..., Column]:
    return lambda a, b: truth(F.when(_either_nan(a, b), F.lit(nan_result)).otherwise(fn(a, b)))


# ---- integer helpers (Python's // and %, wrapping) ---------------------------------

def floordiv_i(a: Column, b: Column, loc: int) -> Column:
    # Spark's `div` truncates (Java's long /, INT64_MIN div -1 wrapping); Python floors
    q = F.call_function("div", a, F.when(b == 0, lit_i(1)).otherwise(b))
    adjust = ((a % b) != 0) & ((a < 0) != (b < 0))
    return _guard(b == 0, loc, "integer division by zero", F.when(adjust, q - 1).otherwise(q))


def mod_i(a: Column, b: Column, loc: int) -> Column:
    r = a % F.when(b == 0, lit_i(1)).otherwise(b)
    moved = F.when((r != 0) & ((r < 0) != (b < 0)), r + b).otherwise(r)
    return _guard(b == 0, loc, "integer modulo by zero", moved)


def pow_i(a: Column, b: Column, loc: int) -> Column:
    # binary exponentiation over the exponent's 63 bits; long products wrap as C's do
    def step(s: Column, _i: Column) -> Column:
        return F.struct(F.when(s["e"] % 2 == 1, s["r"] * s["b"]).otherwise(s["r"]).alias("r"),
                        (s["b"] * s["b"]).alias("b"), F.shiftright(s["e"], 1).alias("e"))

    start = F.struct(lit_i(1).alias("r"), a.alias("b"), b.alias("e"))
    value = F.aggregate(F.sequence(F.lit(0), F.lit(62)), start, step, lambda s: s["r"])
    message = F.concat(F.lit("negative exponent "), b.cast("string"), F.lit(" in an integer power"))
    return _guard(b < 0, loc, message, value)


def f2i(a: Column, loc: int) -> Column:
    bad = F.isnan(a) | (a < -2.0**63) | (a >= 2.0**63)
    message = (F.when(F.isnan(a), F.lit("cannot convert nan to int"))
               .when(a == INF, F.lit("cannot convert inf to int"))
               .when(a == -INF, F.lit("cannot convert -inf to int"))
               .otherwise(F.concat(F.lit("float "), a.cast("string"), F.lit(" is out of the int range"))))
    return _guard(bad, loc, message, a.cast("long"))


# ---- the table ---------------------------------------------------------------------

# opcode -> (result kind, function of operand columns [, loc])
_F2 = {
    "add_f": lambda a, b: a + b, "sub_f": lambda a, b: a - b, "mul_f": lambda a, b: a * b,
    "div_f": div_f, "floordiv_f": floordiv_f, "mod_f": mod_f, "pow_f": pow_f,
    "min_f": min_f, "max_f": max_f,
}
_I2 = {
    "add_i": lambda a, b: a + b, "sub_i": lambda a, b: a - b, "mul_i": lambda a, b: a * b,
    "min_i": lambda a, b: F.least(a, b), "max_i": lambda a, b: F.greatest(a, b),
}
_CMP = {"eq": lambda a, b: a == b, "ne": lambda a, b: a != b, "lt": lambda a, b: a < b,
        "le": lambda a, b: a <= b, "gt": lambda a, b: a > b, "ge": lambda a, b: a >= b}
_F1 = {
    "neg_f": lambda a: -a, "abs_f": F.abs, "sqrt": F.sqrt, "exp": F.exp, "log": log_f,
    "floor": floor_f, "ceil": ceil_f,
}


def elementwise(op: str, args: list[Val], loc: int) -> Val | None:
    """The column of arithmetic opcode op on args; None if op is not elementwise."""
    cols = [a.col for a in args]
    if op in _F2:
        return Val(_F2[op](*cols), "f")
    if op in _I2:
        return Val(_I2[op](*cols), "i")
    if op in ("floordiv_i", "mod_i", "pow_i"):
        fn = {"floordiv_i": floordiv_i, "mod_i": mod_i, "pow_i": pow_i}[op]
        return Val(fn(*cols, loc), "i")
    name, _, suffix = op.rpartition("_")
    if name in _CMP and suffix in ("i", "f"):
        if suffix == "f":
            return Val(_compare_f(_CMP[name], name == "ne")(*cols), "i")
        return Val(truth(_CMP[name](*cols)), "i")
    if op in _F1:
        return Val(_F1[op](*cols), "f")
    if op == "and":
        return Val(truth((cols[0] != 0) & (cols[1] != 0)), "i")
    if op == "or":
        return Val(truth((cols[0] != 0) | (cols[1] != 0)), "i")
    if op == "not":
        return Val(truth(cols[0] == 0), "i")
    if op == "neg_i":
        return Val(-cols[0], "i")
    if op == "abs_i":
        return Val(F.when(cols[0] < 0, -cols[0]).otherwise(cols[0]), "i")
    if op == "i2f":
        return Val(cols[0].cast("double"), "f")
    if op == "f2i":
        return Val(f2i(cols[0], loc), "i")
    if op == "where":
        return Val(F.when(cols[0] != 0, cols[1]).otherwise(cols[2]), args[1].kind)
    return None


ELEMENTWISE_OPS = frozenset(
    list(_F2) + list(_I2) + ["floordiv_i", "mod_i", "pow_i"] + list(_F1)
    + [f"{c}_{s}" for c in _CMP for s in ("i", "f")]
    + ["and", "or", "not", "neg_i", "abs_i", "i2f", "f2i", "where"])


def splitmix64(z: Column) -> Column:
    """csrc/exec/kernels.c's splitmix64 on longs (multiplication wraps as uint64 does)."""
    z = z + lit_i(_signed(0x9E3779B97F4A7C15))
    z = (z.bitwiseXOR(F.shiftrightunsigned(z, 30))) * lit_i(_signed(0xBF58476D1CE4E5B9))
    z = (z.bitwiseXOR(F.shiftrightunsigned(z, 27))) * lit_i(_signed(0x94D049BB133111EB))
    return z.bitwiseXOR(F.shiftrightunsigned(z, 31))


def _signed(u: int) -> int:
    return u - 2**64 if u >= 2**63 else u


def random_f(seed: int, node: Column) -> Column:
    """random(seed) at node: (splitmix64(splitmix64(seed) ^ v) >> 11) * 2^-53."""
    h = _splitmix64_py(seed)
    return F.shiftrightunsigned(splitmix64(lit_i(h).bitwiseXOR(node)), 11).cast("double") * 2.0**-53


def _splitmix64_py(z: int) -> int:
    mask = 2**64 - 1
    z = (z + 0x9E3779B97F4A7C15) & mask
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
    return _signed(z ^ (z >> 31))
