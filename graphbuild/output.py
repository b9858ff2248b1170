"""Writing results: every row to .csv/.tsv/.json/.jsonl, and the `run --json` object.

Non-finite floats are written as the strings "inf", "-inf" and "nan" in JSON (strict JSON
has no spelling for them) and as inf/-inf/nan in CSV and TSV.
"""
from __future__ import annotations

import csv
import json
import math
import os
from typing import Any, Iterator

from .errors import ErrorKind, GraphbuildError
from .runtime import Result

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
        with open(path, "w", encoding="utf-8", newline="") as f:
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
