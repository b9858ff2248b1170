"""A Spark run's results: a DataFrame of the output columns, written by Spark or collected.

The frame has a "node" column of the input's ids, then one column per returned vector
(node-valued columns in input ids, bools as booleans); scalars are `values`.  `write`
writes the frame as a directory of part files without collecting it; `collect` gives
the runtime's Result (ordered by node index, as the C engine's) for small graphs and
tests; `top` collects only the rows the table shows.
"""
from __future__ import annotations

import math
import os
from typing import Any

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from ..errors import ErrorKind, GraphbuildError
from ..runtime import Result
from .engine import SparkRun

# output suffix -> Spark writer format and options; anything else is Parquet
WRITERS = {".csv": ("csv", {"header": "true"}), ".tsv": ("csv", {"header": "true", "sep": "\t"}),
           ".json": ("json", {}), ".jsonl": ("json", {}), ".parquet": ("parquet", {})}


class SparkResult:
    def __init__(self, run: SparkRun):
        self.run = run
        self.algorithm = run.plan.algorithm
        self.values = self._values()
        self.dtypes = {"node": "node", **{o.name: o.dtype for o in run.plan.outputs}}
        self._frame: DataFrame | None = None

    def release(self) -> None:
        """Unpersist the run's final state and the graph it read: a long-lived session (a
        notebook, a test run) otherwise keeps every run's blocks until it stops."""
        run = self.run
        for frame in (run.state, run.graph.nodes, run.graph.arcs):
            frame.unpersist()
        self._frame = None

    def __enter__(self) -> "SparkResult":
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    @property
    def pass_seconds(self) -> list[float]:
        """Wall time of each loop pass (every backward jump), on the driver."""
        return list(self.run.pass_seconds)

    def _values(self) -> dict[str, Any]:
        run, values = self.run, {}
        for out in run.plan.outputs:
            if out.kind != "scalar":
                continue
            raw = run.registers[out.index]
            if out.dtype == "bool":
                values[out.name] = bool(raw)
            elif out.dtype == "node":
                row = run.graph.nodes.where(F.col("_idx") == int(raw)).select("id").first()
                values[out.name] = None if row is None else row["id"]
            else:
                values[out.name] = float(raw) if out.dtype == "float" else int(raw)
        return values

    def frame(self) -> DataFrame:
        """_idx, node (input ids), then the output vectors by name."""
        if self._frame is not None:
            return self._frame
        run = self.run
        ids = run.graph.nodes
        frame = run.state.join(ids, "_idx")
        columns = [F.col("_idx"), F.col("id").alias("node")]
        for out in run.plan.outputs:
            if out.kind != "vector":
                continue
            col = run.column(out.index) if out.index in run.slot_columns else F.lit(0)
            if out.dtype == "bool":
                col = col != 0
            elif out.dtype == "float":
                col = col.cast("double")
            columns.append(col.alias(out.name))
        frame = frame.select(*columns)
        for out in run.plan.outputs:   # node-valued columns in input ids: one join each
            if out.kind == "vector" and out.dtype == "node":
                names = ids.select(F.col("_idx").alias("_n"), F.col("id").alias("_nid"))
                frame = frame.join(names, frame[out.name] == names["_n"], "left") \
                    .drop(out.name, "_n").withColumnRenamed("_nid", out.name)
        order = ["_idx", "node"] + [o.name for o in run.plan.outputs if o.kind == "vector"]
        self._frame = frame.select(*order)
        return self._frame

    def collect(self) -> Result:
        """Every row on the driver, in node order, as the C engine's Result."""
        rows = self.frame().orderBy("_idx").collect()
        names = ["node"] + [o.name for o in self.run.plan.outputs if o.kind == "vector"]
        columns = {name: [row[name] for row in rows] for name in names}
        return Result(self.algorithm, columns, dict(self.values), dict(self.dtypes))

    def top(self, k: int) -> Result:
        """The k rows with the largest first output column (NaN and None last)."""
        names = ["node"] + [o.name for o in self.run.plan.outputs if o.kind == "vector"]
        frame = self.frame()
        if len(names) > 1:
            first = F.col(names[1])
            key = first.cast("double") if self.dtypes[names[1]] in ("float", "int", "bool") else first
            nan_last = F.isnan(key) if self.dtypes[names[1]] in ("float", "int", "bool") else F.lit(False)
            frame = frame.orderBy(nan_last.asc(), key.desc_nulls_last(), F.col("_idx"))
        rows = frame.limit(k).collect()
        columns = {name: [row[name] for row in rows] for name in names}
        return Result(self.algorithm, columns, dict(self.values), dict(self.dtypes))

    def write(self, path: str) -> str:
        """Write every row as a directory of part files (format from the suffix: .csv,
        .tsv, .json/.jsonl, else Parquet); the format's name."""
        suffix = os.path.splitext(path.rstrip("/"))[1].lower()
        fmt, options = WRITERS.get(suffix, ("parquet", {}))
        frame = self.frame().drop("_idx")
        if fmt == "csv":   # as the C engine's files spell non-finite floats
            frame = frame.select(*(_csv_text(c, self.dtypes[c]) for c in frame.columns))
        try:
            frame.write.mode("overwrite").options(**options).format(fmt).save(path)
        except Exception as exc:  # noqa: BLE001
            text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise GraphbuildError(f"cannot write {path}: {text}", kind=ErrorKind.IO) from None
        return fmt


def _csv_text(name: str, dtype: str):
    col = F.col(name)
    if dtype != "float":
        return col
    return (F.when(F.isnan(col), F.lit("nan")).when(col == math.inf, F.lit("inf"))
            .when(col == -math.inf, F.lit("-inf")).otherwise(col.cast("string")).alias(name))
