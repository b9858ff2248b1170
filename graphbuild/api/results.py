"""RunResult: what one run of a program returns, as numpy arrays and Python scalars.

    r = program.run(g)
    r["rank"]            # a numpy array, one value per node (in node order)
    r.ids                # the node ids, in the same order
    r["delta"]           # a summary value, as a Python scalar
    r.to_pandas()        # "node" then one column per returned vector
    r.to_dict("rank")    # {id: value}
    r.timings            # ms: prepare, run (inside C), collect, total

Columns come out of the executor's buffers without a copy when they make up most of the run's
buffer block: the block then moves from the program's pool to the result (the pool takes a
new one for its next run), and the arrays are views of it.  When they are a small part of it
(say one vector of PageRank's several), each is copied once and the block stays in the pool,
so a result never keeps more than twice its own size alive.  Node-typed columns hold node
indices (-1: no node); to_pandas and to_dict write them as ids.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np

from ..runtime.native import ffi
from .arrays import DTYPES, view

KEEP_BLOCK_SHARE = 0.5   # hand the block over when the columns fill at least this much of it


class RunResult(Mapping):
    """Output columns (numpy arrays) and summary values (Python scalars) of one run, by name."""

    def __init__(self, algorithm: str, graph: Any, columns: dict[str, np.ndarray],
                 values: dict[str, Any], dtypes: dict[str, str], timings: dict[str, float],
                 zero_copy: bool):
        self.algorithm = algorithm
        self.graph = graph
        self.columns = columns
        self.values = values
        self.dtypes = dtypes
        self.timings = timings
        self.zero_copy = zero_copy   # the columns are views of the executor's buffers

    @property
    def ids(self) -> np.ndarray:
        """The node ids, aligned with every column."""
        return self.graph.ids

    def __getitem__(self, name: str) -> Any:
        if name in self.columns:
            return self.columns[name]
        if name in self.values:
            return self.values[name]
        raise KeyError(f"{self.algorithm} returns no '{name}'; it returns: {', '.join(self)}")

    def __iter__(self) -> Iterator[str]:
        yield from self.columns
        yield from self.values

    def __len__(self) -> int:
        return len(self.columns) + len(self.values)

    def as_ids(self, name: str) -> np.ndarray:
        """Column name with node-typed values written as node ids (None for no node)."""
        column = self.columns[name]
        if self.dtypes[name] != "node":
            return column
        ids = self.ids
        missing = column < 0
        if not missing.any():
            return ids[column]
        out = np.empty(len(column), dtype=object)
        out[~missing] = ids[column[~missing]]
        out[missing] = None
        return out

    def to_dict(self, name: str | None = None) -> dict[Any, Any]:
        """{node id: value} of one column (the first returned vector if name is None)."""
        if name is None:
            if not self.columns:
                raise KeyError(f"{self.algorithm} returns no vector")
            name = next(iter(self.columns))
        return dict(zip(self.ids.tolist(), self.as_ids(name).tolist()))

    def to_pandas(self) -> Any:
        """A DataFrame: a "node" column of ids, then every returned vector (node-typed ones as
        ids); summary values in its .attrs["values"]."""
        import pandas as pd

        frame = pd.DataFrame({"node": self.ids, **{name: self.as_ids(name) for name in self.columns}})
        frame.attrs["values"] = dict(self.values)
        return frame

    def __repr__(self) -> str:
        columns = ", ".join(f"{k}: {self.dtypes[k]}[{len(v)}]" for k, v in self.columns.items())
        values = ", ".join(f"{k}={v!r}" for k, v in self.values.items())
        return (f"<RunResult {self.algorithm}: {columns}" + (f"; {values}" if values else "")
                + f"; run {self.timings.get('run_ms', 0.0):.3g} ms>")


def collect(executable: Any, graph: Any, regs: Any, slots: Any, pool: Any) -> tuple[dict, dict, bool]:
    """(columns, values, zero_copy) of a finished run: the runtime's Collector for arrays.
    graph is the gb.Graph (node-typed scalars are written as its ids)."""
    plan, n = executable.plan, graph.node_count
    vectors = [out for out in plan.outputs if out.kind == "vector"]
    slot_bytes = {out.index: n * DTYPES[out.dtype].itemsize for out in vectors}
    zero_copy = bool(vectors) and n > 0 and sum(slot_bytes.values()) >= KEEP_BLOCK_SHARE * pool.capacity
    owner = pool.detach() if zero_copy else None
    columns: dict[str, np.ndarray] = {}
    values: dict[str, Any] = {}
    for out in plan.outputs:
        dtype = DTYPES[out.dtype]
        if out.kind == "vector":
            address = int(ffi.cast("uintptr_t", slots[out.index]))
            column = view(address, n, dtype, owner)
            columns[out.name] = column if zero_copy else column.copy()
        else:
            reg = regs[out.index]
            raw = reg.f if out.dtype == "float" else reg.i
            values[out.name] = _scalar(raw, out.dtype, graph)
    return columns, values, zero_copy


def _scalar(raw: int | float, dtype: str, graph: Any) -> Any:
    if dtype == "bool":
        return bool(raw)
    if dtype == "node":
        if not 0 <= raw < graph.node_count:
            return None
        value = graph.ids[raw]
        return value.item() if isinstance(value, np.generic) else value
    return raw


__all__ = ["RunResult", "collect"]
