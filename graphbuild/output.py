"""Writing results: every row to .csv/.tsv/.json/.jsonl, and the `run --json` object.

Non-finite floats are written as the strings "inf", "-inf" and "nan" in JSON (strict JSON
has no spelling for them) and as inf/-inf/nan in CSV and TSV.

A file is written whole or not at all: into a temporary file beside it, renamed over it once
complete (safe_io.atomic_write), so a failure leaves what was there.  Node ids that are not
valid UTF-8 (graph files are bytes; Python holds such ids with surrogate escapes) are
written as the graph file's own bytes in CSV and TSV, and as \\udcXX escapes in JSON (which
ensure_ascii keeps ASCII).  A target that is not a regular file (/dev/stdout, a FIFO) is
written in place.
"""
from __future__ import annotations

import csv
import json
import math
import os
import stat
from typing import IO, Any, ContextManager, Iterator

from .errors import ErrorKind, GraphbuildError
from .runtime import Result
from .safe_io import atomic_write

FORMATS = (".csv", ".tsv", ".json", ".jsonl")


def json_value(v: Any) -> Any:
    if isinstance(v, float) and not math.isfinite(v):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")
    return v


def result_object(result: Result, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The machine-readable form of a run: columns, values, and whatever the caller adds."""
    obj: dict[str, Any] = {
        "algorithm": result.algorithm,
        "columns": {name: [json_value(v) for v in col] for name, col in result.columns.items()},
        "values": {name: json_value(v) for name, v in result.values.items()},
        "dtypes": dict(result.dtypes),
    }
    obj.update(extra or {})
    return obj


def _rows(result: Result) -> Iterator[list[Any]]:
    cols = list(result.columns.values())
    return (list(row) for row in zip(*cols))


def write_result(result: Result, path: str) -> None:
    """Write every row; the format comes from the file's suffix."""
    suffix = os.path.splitext(path)[1].lower()
    if suffix not in FORMATS:
        raise GraphbuildError(f"cannot write '{path}': the output format is chosen by the suffix, one of "
                              + ", ".join(FORMATS), kind=ErrorKind.USAGE)
    names = list(result.columns)
    try:
        with _output_file(path) as f:
            if suffix in (".csv", ".tsv"):
                writer = csv.writer(f, delimiter="," if suffix == ".csv" else "\t", lineterminator="\n")
                writer.writerow(names)
                writer.writerows(_rows(result))
            elif suffix == ".json":
                json.dump(result_object(result), f)
                f.write("\n")
            else:
                for row in _rows(result):
                    f.write(json.dumps(dict(zip(names, map(json_value, row)))) + "\n")
    except OSError as exc:
        raise GraphbuildError(f"cannot write {path}: {exc.strerror}", kind=ErrorKind.IO) from None
    except UnicodeEncodeError as exc:   # a lone surrogate no graph file gives (Python API ids)
        raise GraphbuildError(f"cannot write {path}: an id holds {exc.object[exc.start:exc.end]!r}, "
                              "which has no UTF-8 form; nothing was written",
                              kind=ErrorKind.PROGRAM) from None


def _output_file(path: str) -> ContextManager[IO[str]]:
    """A text file for path: a temporary file renamed over it (through a symbolic link, the
    file it names), or the target itself when that is not a regular file."""
    try:
        regular = stat.S_ISREG(os.stat(path).st_mode)
    except FileNotFoundError:
        regular = True   # a new file (or a link to one not yet there)
    if not regular:
        return open(path, "w", encoding="utf-8", newline="", errors="surrogateescape")
    return atomic_write(os.path.realpath(path), encoding="utf-8", newline="", errors="surrogateescape",
                        durable=False)
