"""Whole-graph reductions (red_* micro-ops) and neighbor aggregations as Spark aggregates.

The rules are csrc/exec's (graphbuild.h gb_agg and the RED_* opcodes): min and max keep a
NaN, argmin/argmax give the first extreme node and skip NaN, any/all/count read nonzero
as true; an empty neighborhood gets the kernel's default or the aggregation's identity;
mode is the most frequent value, ties to the smallest (Spark groups -0.0 with 0.0 and all
NaNs together and sorts NaN above +inf, as the executor's mode keys do).
"""
from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from .columns import INF, INT64_MAX, INT64_MIN, NAN, Val, lit, lit_f, lit_i

# ---- reductions over all nodes (node kernels) ------------------------------------------


def _nonzero(v: Val) -> Column:
    return (v.col != 0).cast("long")


def reduction(op: str, v: Val, node: Column) -> Column:
    """The aggregate column of red_* opcode op over v; null (empty graph) is handled by
    reduction_value, and argmin/argmax give a struct whose "n" is the node."""
    c = v.col
    if op == "red_sum_i":
        return F.sum(c)
    if op == "red_sum_f":
        return F.sum(c)
    if op in ("red_min_i", "red_max_i"):
        return F.min(c) if op == "red_min_i" else F.max(c)
    if op == "red_min_f":   # a NaN wins (Spark's min skips it)
        return F.when(F.max(F.isnan(c).cast("int")) == 1, lit_f(NAN)).otherwise(F.min(c))
    if op == "red_max_f":   # Spark's max already sorts NaN above every number
        return F.max(c)
    if op == "red_any":
        return F.max(_nonzero(v))
    if op == "red_all":
        return F.min(_nonzero(v))
    if op == "red_count":
        return F.sum(_nonzero(v))
    # argmin/argmax: the first node of the extreme value, NaN skipped
    candidate = c if v.kind == "i" else F.when(~F.isnan(c), c)
    if op.startswith("red_argmin"):
        return F.min(F.when(candidate.isNotNull(), F.struct(candidate.alias("x"), node.alias("n"))))
    # the largest first: ~x reverses the order of longs without overflowing at INT64_MIN
    flipped = F.bitwise_not(candidate) if v.kind == "i" else -candidate
    return F.min(F.when(candidate.isNotNull(), F.struct(flipped.alias("x"), node.alias("n"))))


_EMPTY = {"red_sum_i": 0, "red_sum_f": 0.0, "red_min_i": INT64_MAX, "red_min_f": INF,
          "red_max_i": INT64_MIN, "red_max_f": -INF, "red_any": 0, "red_all": 1, "red_count": 0}

REDUCTIONS = frozenset(list(_EMPTY) + ["red_argmin_i", "red_argmin_f", "red_argmax_i", "red_argmax_f"])


def reduction_value(op: str, raw):
    """The register value from the collected aggregate; None for an argmin/argmax with no
    candidate (the caller raises C's error)."""
    if op.startswith("red_arg"):
        return None if raw is None else int(raw["n"])
    if raw is None:
        return _EMPTY[op]
    return float(raw) if op.endswith("_f") else int(raw)


# ---- neighbor aggregations (edge kernels) ----------------------------------------------

def _identity(agg: str, kind: str):
    if agg == "min":
        return INF if kind == "f" else INT64_MAX
    if agg == "max":
        return -INF if kind == "f" else INT64_MIN
    if agg == "all":
        return 1
    return 0.0 if agg == "mean" else 0


def out_kind(agg: str, value_kind: str) -> str:
    if agg in ("count", "any", "all"):
        return "i"
    return "f" if agg == "mean" else value_kind


def aggregate_lanes(lanes: DataFrame, agg: str, value: Val) -> DataFrame:
    """(owner, _agg) for every owner with at least one kept lane; lanes has column owner
    and the value as column _v."""
    v = F.col("_v")
    if agg == "mode":
        counts = lanes.groupBy("owner", "_v").count()
        best = F.min(F.struct((-F.col("count")).alias("c"), v.alias("v")))
        return counts.groupBy("owner").agg(best["v"].alias("_agg"))
    if agg == "sum":
        expr = F.sum(v)
    elif agg == "min":
        expr = F.min(v) if value.kind == "i" else \
            F.when(F.max(F.isnan(v).cast("int")) == 1, lit_f(NAN)).otherwise(F.min(v))
    elif agg == "max":
        expr = F.max(v)
    elif agg == "count":
        expr = F.sum((v != 0).cast("long"))
    elif agg == "any":
        expr = F.max((v != 0).cast("long"))
    elif agg == "all":
        expr = F.min((v != 0).cast("long"))
    elif agg == "mean":
        expr = F.sum(v.cast("double")) / F.count(F.lit(1)).cast("double")
    else:
        raise ValueError(f"unknown aggregation {agg!r}")
    return lanes.groupBy("owner").agg(expr.alias("_agg"))


def with_default(agg: str, value_kind: str, default: Column | None) -> Column:
    """The out column after a left join of the aggregate: _agg, or for an empty
    neighborhood the default (a column) or the identity."""
    kind = out_kind(agg, value_kind)
    if default is None:
        default = lit(_identity(agg, kind), kind)
    return F.when(F.col("_agg").isNull(), default).otherwise(F.col("_agg"))


__all__ = ["REDUCTIONS", "aggregate_lanes", "lit_i", "out_kind", "reduction", "reduction_value",
           "with_default"]
