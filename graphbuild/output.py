"""Results for other tools: every row as CSV, TSV, JSON lines or one JSON object, to a file or
stdout, formatted in C straight from the executor's buffers; and the top rows, found
without sorting every row.

    rows = Rows.from_run(...)                   # or the collect_rows Collector of a run
    save_rows(rows, "ranks.csv")                # atomically; "-" is stdout (format csv)
    top_indices(rows.columns["rank"], 10)       # the 10 largest, ties in node order

How values are written (docs/output.md has the table):
- floats: the fewest of 15-17 significant digits that read back exactly, ".0" added to an
  integral value; non-finite ones as inf, -inf, nan in CSV and TSV and as the strings
  "inf", "-inf", "nan" in JSON (strict JSON has no spelling for them; pandas.read_json
  reads those strings back as float64);
- a node-typed value with no node: empty in CSV and TSV, null in JSON;
- bools: True / False in CSV and TSV (as Python's csv module wrote them), true / false in JSON;
- ids: as read.  Graph files are bytes and Python holds ids that are not valid UTF-8 with
  surrogate escapes: CSV and TSV get the graph file's own bytes back (the file reads back
  as the same graph), JSON gets \\udcXX escapes (ensure_ascii keeps it ASCII), and a
  terminal shows each such byte as \\xNN (id_text).  An id with no byte form at all (a lone
  surrogate handed in from Python) is an error, and nothing is written.

A file is written whole or not at all: into a temporary file beside it, renamed over it once
complete (safe_io.atomic_write; through a symbolic link, over the file it names), so a
failure leaves what was there.  A target that is not a regular file (/dev/stdout, a FIFO) is
written in place.
"""
from __future__ import annotations

import concurrent.futures
import json
import math
import os
import stat
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any, ContextManager

import numpy as np

from .errors import ErrorKind, GraphbuildError
from .runtime import Result
from .runtime.native import ffi, lib
from .safe_io import atomic_write

FORMATS = ("csv", "tsv", "json", "jsonl")
STDOUT = "-"
CHUNK_ROWS = 1 << 16   # rows per call into C; a few calls in flight per thread

_CTYPES = {"q": "int64_t[]", "l": "int64_t[]", "d": "double[]", "B": "uint8_t[]"}
_alloc = ffi.new_allocator(should_clear_after_alloc=False)   # C fills what it returns


def id_text(node_id: Any) -> Any:
    """An id as shown on a terminal: str ids whose bytes were not UTF-8 (read with
    surrogateescape) get \\xNN for each such byte; everything else as it is."""
    if isinstance(node_id, str):
        try:
            node_id.encode("utf-8")
        except UnicodeEncodeError:
            return node_id.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return node_id


def json_value(v: Any) -> Any:
    if isinstance(v, float) and not math.isfinite(v):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")
    return v


@dataclass
class Rows:
    """One run's results as arrays: ids (int64, or objects), output columns as the executor
    left them (node-typed ones hold node indices, -1 for no node), dtypes, summary values."""

    algorithm: str
    ids: np.ndarray
    columns: dict[str, np.ndarray]
    dtypes: dict[str, str]
    values: dict[str, Any]
    # per loop: passes, whether it converged, how its edge passes ran (runtime/loops.py)
    loops: list[dict[str, Any]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.ids)

    @classmethod
    def from_result(cls, result: Result) -> Rows:
        """Rows from a Result of lists (the Spark engine's), node-typed columns made indices."""
        from .api.arrays import as_ids

        ids = as_ids(id for id in result.columns.get("node", []))
        where = {node: i for i, node in enumerate(ids.tolist())}
        columns = {}
        for name, column in result.columns.items():
            if name == "node":
                continue
            if result.dtypes.get(name) == "node":
                columns[name] = np.array([where.get(v, -1) for v in column], dtype=np.int64)
            else:
                columns[name] = np.asarray(column, dtype=_NUMPY[result.dtypes.get(name, "float")])
        return cls(result.algorithm, ids, columns,
                   {k: v for k, v in result.dtypes.items() if k != "node"}, dict(result.values))


_NUMPY = {"float": np.float64, "int": np.int64, "bool": np.bool_, "node": np.int64}


def collect_rows(executable: Any, graph: Any, regs: Any, slots: Any, pool: Any) -> Rows:
    """The runtime's Collector for Rows: columns as numpy arrays over (or copied from) the
    executor's buffers, the ids read in place where C holds integers."""
    from .api.arrays import view
    from .api.results import collect

    address = graph.int_ids_address()
    if address is not None:
        ids = view(address, graph.node_count, np.dtype(np.int64), graph)
    else:
        ids = np.fromiter(graph.node_ids(), dtype=object, count=graph.node_count)
    columns, values, _ = collect(executable, _IdsOf(ids), regs, slots, pool)
    dtypes = {out.name: out.dtype for out in executable.plan.outputs}
    return Rows(executable.plan.algorithm, ids, columns, dtypes, values)


class _IdsOf:
    """What api.results.collect reads of a graph: its node count and ids."""

    def __init__(self, ids: np.ndarray):
        self.ids = ids
        self.node_count = len(ids)


# ---- the top rows -----------------------------------------------------------------------

def top_indices(column: np.ndarray, k: int, ids: np.ndarray | None = None) -> np.ndarray:
    """Indices of the k rows with the largest values, largest first, ties in row order,
    NaN last: a partition and a sort of k, never a sort of every row.  A node-typed
    column (ids given) orders by the ids its indices name, no node last."""
    n = len(column)
    k = min(k, n)
    if k <= 0:
        return np.empty(0, dtype=np.int64)
    if ids is not None:
        missing = (column < 0) | (column >= len(ids))
        if ids.dtype == object:
            return _top_by_text(column, k, ids, missing)
        column = np.where(missing, 0, ids[np.where(missing, 0, column)]).astype(np.float64)
        column[missing] = np.nan
    key = -np.asarray(column, dtype=np.float64)   # smallest key first
    nan = np.isnan(key)
    if nan.any():
        key[nan] = np.inf
        last = np.flatnonzero(nan)
    else:
        last = np.empty(0, dtype=np.int64)
    finite_count = n - len(last)
    if k > finite_count:   # every value, then NaNs in row order
        chosen = np.flatnonzero(~nan)
        chosen = chosen[np.lexsort((chosen, key[chosen]))]
        return np.concatenate([chosen, last[:k - finite_count]])
    kth = np.partition(key[~nan] if len(last) else key, k - 1)[k - 1]
    below = np.flatnonzero((key < kth) & ~nan)
    equal = np.flatnonzero((key == kth) & ~nan)[:k - len(below)]
    chosen = np.concatenate([below, equal])
    return chosen[np.lexsort((chosen, key[chosen]))]


def _top_by_text(column: np.ndarray, k: int, ids: np.ndarray, missing: np.ndarray) -> np.ndarray:
    """Node-typed column over text ids: ascending by id (as the table always showed them),
    no node last; heapq keeps k of them."""
    import heapq

    present = np.flatnonzero(~missing).tolist()
    chosen = heapq.nsmallest(k, present, key=lambda i: (str(ids[column[i]]), i))
    if len(chosen) < k:
        chosen += np.flatnonzero(missing)[:k - len(chosen)].tolist()
    return np.array(chosen, dtype=np.int64)


# ---- formatting in C ---------------------------------------------------------------------

@dataclass(frozen=True)
class _Style:
    row_sep: str
    row_end: str
    null: str
    true: str
    false: str
    quote_nonfinite: bool
    text: str   # how a text id is written: "csv", "tsv" or "json"


_CSV = _Style("", "\n", "", "True", "False", False, "csv")
_TSV = _Style("", "\n", "", "True", "False", False, "tsv")
_JSONL = _Style("", "}\n", "null", "true", "false", True, "json")
_ARRAY = _Style(", ", "", "null", "true", "false", True, "json")


def _text_token(node_id: Any, how: str) -> str:
    if how == "json":
        return json.dumps(node_id)
    text = str(node_id)
    delimiter = "," if how == "csv" else "\t"
    if any(c in text for c in (delimiter, '"', "\r", "\n")):
        return '"' + text.replace('"', '""') + '"'
    return text


class _Cells:
    """The gb_row_column array of some columns, and the Python objects it points into."""

    def __init__(self, rows: Rows, names: list[str], befores: list[str], style: _Style):
        self.keep: list[Any] = []
        self.width = 0   # an upper bound on one row's bytes
        self.cells = ffi.new("gb_row_column[]", max(len(names), 1))
        text_ids: tuple[Any, Any, int] | None = None
        for cell, name, before in zip(self.cells, names, befores):
            dtype = "id" if name == "node" else rows.dtypes[name]
            cell.before = self._text(before)
            self.width += len(before.encode())
            if dtype in ("id", "node") and rows.ids.dtype == object:
                if text_ids is None:
                    text_ids = self._tokens(rows.ids, style.text)
                cell.kind = lib.GB_CELL_TEXT
                cell.values, cell.offsets, cell.nbytes = text_ids[0], text_ids[1], text_ids[2]
                cell.nvalues = rows.count
                self.width += max(text_ids[3], len(style.null))
            else:
                data = rows.ids if dtype in ("id", "node") else rows.columns[name]
                kind = {"float": lib.GB_CELL_FLOAT, "bool": lib.GB_CELL_BOOL}.get(dtype, lib.GB_CELL_INT)
                array = np.ascontiguousarray(data, dtype=np.uint8 if kind == lib.GB_CELL_BOOL
                                             else np.float64 if kind == lib.GB_CELL_FLOAT else np.int64)
                cell.kind, cell.values, cell.nvalues = kind, self._buffer(array), len(array)
                self.width += 48 + len(style.true) + len(style.false)
            if dtype == "node":   # the column's indices pick ids; -1 shows null
                cell.index = self._buffer(np.ascontiguousarray(rows.columns[name], dtype=np.int64))
        self.style = ffi.new("gb_row_style *")
        for attribute, text in (("row_sep", style.row_sep), ("row_end", style.row_end),
                            ("null_text", style.null), ("true_text", style.true),
                            ("false_text", style.false)):
            setattr(self.style, attribute, self._text(text))
        self.style.quote_nonfinite = int(style.quote_nonfinite)
        self.width += len(style.row_sep) + len(style.row_end) + len(style.null)
        self.ncols = len(names)

    def _text(self, text: str) -> Any:
        c = ffi.new("char[]", text.encode())
        self.keep.append(c)
        return c

    def _buffer(self, array: np.ndarray) -> Any:
        self.keep.append(array)
        if len(array) == 0:
            return ffi.NULL
        c = ffi.from_buffer(_CTYPES[array.dtype.char], array)
        self.keep.append(c)
        return c

    def _tokens(self, ids: np.ndarray, how: str) -> tuple[Any, Any, int, int]:
        encoded = [_text_token(v, how).encode("utf-8", "surrogateescape") for v in ids.tolist()]
        lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        blob = b"".join(encoded)
        data = ffi.from_buffer(blob) if blob else ffi.NULL
        self.keep += [blob, data, offsets]
        return data, self._buffer(offsets), len(blob), int(lengths.max(initial=0))

    def format(self, first: int, count: int) -> bytes:
        cap = max(count, 1) * self.width + 64
        buf = _alloc("char[]", cap)
        used = ffi.new("int64_t *")
        done = lib.gb_format_rows(first, count, self.ncols, self.cells, self.style, buf, cap, used)
        if done != count:   # the widths bound every row: only a bug gets here
            raise GraphbuildError(f"cannot format rows {first}..{first + count} of the results",
                                  kind=ErrorKind.RUNTIME)
        return ffi.buffer(buf, used[0])[:]


def _formatted(cells: _Cells, n: int, threads: int) -> Iterator[bytes]:
    """The text of rows 0..n-1 in order, CHUNK_ROWS at a time, on up to `threads` threads
    (cffi lets go of the GIL in C) with a few chunks in flight."""
    starts = range(0, n, CHUNK_ROWS)
    if threads <= 1 or n <= CHUNK_ROWS:
        for first in starts:
            yield cells.format(first, min(CHUNK_ROWS, n - first))
        return
    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        pending: list[concurrent.futures.Future] = []
        for first in starts:
            pending.append(pool.submit(cells.format, first, min(CHUNK_ROWS, n - first)))
            if len(pending) >= 2 * threads:
                yield pending.pop(0).result()
        for future in pending:
            yield future.result()


# ---- writers -----------------------------------------------------------------------------

def _names(rows: Rows) -> list[str]:
    return ["node", *rows.columns]


def write_delimited(rows: Rows, f: IO[bytes], fmt: str, threads: int = 1) -> None:
    style = _CSV if fmt == "csv" else _TSV
    sep = "," if fmt == "csv" else "\t"
    names = _names(rows)
    f.write((sep.join(_text_token(name, fmt) for name in names) + "\n").encode())
    cells = _Cells(rows, names, [""] + [sep] * (len(names) - 1), style)
    for chunk in _formatted(cells, rows.count, threads):
        f.write(chunk)


def write_jsonl(rows: Rows, f: IO[bytes], threads: int = 1) -> None:
    names = _names(rows)
    befores = [("{" if i == 0 else ", ") + json.dumps(name) + ": " for i, name in enumerate(names)]
    for chunk in _formatted(_Cells(rows, names, befores, _JSONL), rows.count, threads):
        f.write(chunk)


def write_object(rows: Rows, f: IO[bytes], extra: dict[str, Any] | None = None, threads: int = 1) -> None:
    """The result object (`run --json`, a .json file): algorithm, columns (one array per
    column, "node" first), values, dtypes, then whatever the caller adds."""
    f.write(b'{"algorithm": ' + json.dumps(rows.algorithm).encode() + b', "columns": {')
    for i, name in enumerate(_names(rows)):
        f.write((", " if i else "").encode() + json.dumps(name).encode() + b": [")
        for chunk in _formatted(_Cells(rows, [name], [""], _ARRAY), rows.count, threads):
            f.write(chunk)
        f.write(b"]")
    tail = {"values": {name: json_value(v) for name, v in rows.values.items()},
            "dtypes": {"node": "node", **rows.dtypes}, **(extra or {})}
    f.write(b"}, " + json.dumps(tail)[1:].encode() + b"\n")


def output_format(path: str, fmt: str | None) -> str:
    """The format to write: --format, else the file's suffix (stdout: csv)."""
    if fmt is not None:
        if fmt not in FORMATS:
            raise GraphbuildError(f"--format must be one of {', '.join(FORMATS)}, not '{fmt}'",
                                  kind=ErrorKind.USAGE)
        return fmt
    if path == STDOUT:
        return "csv"
    suffix = os.path.splitext(path)[1].lower().lstrip(".")
    if suffix not in FORMATS:
        raise GraphbuildError(f"cannot write '{path}': the output format is chosen by the suffix, one of "
                              + ", ".join("." + f for f in FORMATS) + ", or by --format",
                              kind=ErrorKind.USAGE)
    return suffix


def write_rows(rows: Rows, f: IO[bytes], fmt: str, threads: int = 1) -> None:
    if fmt in ("csv", "tsv"):
        write_delimited(rows, f, fmt, threads)
    elif fmt == "jsonl":
        write_jsonl(rows, f, threads)
    else:
        write_object(rows, f, threads=threads)


def save_rows(rows: Rows, path: str, fmt: str | None = None, threads: int = 1) -> str:
    """Write every row to path (STDOUT: standard output), whole or not at all; returns the
    format written."""
    fmt = output_format(path, fmt)
    try:
        if path == STDOUT:
            sys.stdout.flush()
            write_rows(rows, sys.stdout.buffer, fmt, threads)
            sys.stdout.buffer.flush()
            return fmt
        with _output_file(path) as f:
            write_rows(rows, f, fmt, threads)
    except OSError as exc:
        raise GraphbuildError(f"cannot write {path}: {exc.strerror or exc}", kind=ErrorKind.IO) from None
    except UnicodeEncodeError as exc:   # a lone surrogate no graph file gives (Python API ids)
        raise GraphbuildError(f"cannot write {path}: an id holds {exc.object[exc.start:exc.end]!r}, "
                              "which has no UTF-8 form; nothing was written",
                              kind=ErrorKind.PROGRAM) from None
    return fmt


def _output_file(path: str) -> ContextManager[IO[bytes]]:
    """A binary file for path: a temporary file renamed over it (through a symbolic link, the
    file it names), or the target itself when that is not a regular file."""
    try:
        regular = stat.S_ISREG(os.stat(path).st_mode)
    except FileNotFoundError:
        regular = True   # a new file (or a link to one not yet there)
    if not regular:
        return open(path, "wb")
    return atomic_write(os.path.realpath(path), durable=False)


def print_object(rows: Rows, extra: dict[str, Any], threads: int = 1) -> None:
    """`run --json`: the result object on stdout."""
    sys.stdout.flush()
    write_object(rows, sys.stdout.buffer, extra, threads)
    sys.stdout.buffer.flush()


def result_object(result: Result, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The result object of a Result of lists (the Spark engine's), as a dict."""
    obj: dict[str, Any] = {
        "algorithm": result.algorithm,
        "columns": {name: [json_value(v) for v in col] for name, col in result.columns.items()},
        "values": {name: json_value(v) for name, v in result.values.items()},
        "dtypes": dict(result.dtypes),
    }
    obj.update(extra or {})
    return obj


__all__ = ["FORMATS", "STDOUT", "Rows", "collect_rows", "id_text", "json_value", "output_format",
           "print_object", "result_object", "save_rows", "top_indices", "write_rows"]
