"""Writing graphs as text (`graph convert`) and describing them (`graph info`).

    write_graph(graph, "out.mtx.gz")    # format from the suffix, gzip if it ends in .gz
    describe(graph)["degree"]["out"]    # {"min": ..., "max": ..., "mean": ..., "median": ...}

Writing is C (csrc/graph/graph_write.c): an undirected edge is written once, weights with the
fewest digits that read back exactly.  A .csv or .tsv file is comma- or tab-separated with a
header line (source, target[, weight]) that pandas.read_csv reads, ids quoted where they need
it.  The file is written whole or not at all (safe_io.atomic_write).
"""
from __future__ import annotations

import array
import os
from typing import Any

from ..errors import ErrorKind, GraphbuildError
from ..safe_io import atomic_write
from .layout_rule import degree_skew
from .graph import Graph, _message
from .native import ffi, lib

WRITE_FORMATS = {"edgelist": 1, "wel": 2, "mtx": 3}
DELIMITED = {".csv": ",", ".tsv": "\t"}   # edge lists with a header, as tables


def output_format(path: str) -> tuple[str, bool]:
    """(format, gzip) that a path's name asks for: .el .txt .csv .tsv (edgelist), .wel, .mtx."""
    name = os.path.basename(path).lower()
    compress = name.endswith(".gz")
    name = name[:-3] if compress else name
    for suffix, fmt in ((".mtx", "mtx"), (".wel", "wel"), (".el", "edgelist"), (".txt", "edgelist"),
                        (".csv", "edgelist"), (".tsv", "edgelist")):
        if name.endswith(suffix):
            return fmt, compress
    raise GraphbuildError(f"cannot tell the output format of '{path}'",
                          kind=ErrorKind.USAGE,
                          hint="name it .el, .txt, .csv, .tsv, .wel or .mtx (optionally + .gz)")


def write_graph(graph: Graph, path: str | os.PathLike, fmt: str | None = None,
                compress: bool | None = None, all_arcs: bool = False) -> None:
    """Write graph to path; format and gzip from the name unless given.  all_arcs writes
    each undirected edge as its two arcs (the form GAP's converter writes)."""
    path = os.fspath(path)
    if fmt is None:
        fmt, name_gzip = output_format(path)
    else:
        name_gzip = path.lower().endswith(".gz")
    compress = name_gzip if compress is None else compress
    if fmt not in WRITE_FORMATS:
        raise GraphbuildError(f"unknown output format '{fmt}'", kind=ErrorKind.USAGE)
    bare = path[:-3] if path.lower().endswith(".gz") else path
    delimiter = DELIMITED.get(os.path.splitext(bare)[1].lower()) if fmt == "edgelist" else None
    opts = ffi.new("gb_write_options *", {"format": WRITE_FORMATS[fmt], "compress": int(compress),
                                          "all_arcs": int(all_arcs),
                                          "delimiter": ord(delimiter) if delimiter else 0,
                                          "header": int(delimiter is not None)})
    err = ffi.new("gb_error *")
    try:
        with atomic_write(path, durable=False) as f:
            status = lib.gb_graph_write_fd(graph.handle, f.fileno(), os.fsencode(path), opts, err)
            if status != lib.GB_OK:
                kind = ErrorKind.RUNTIME if status == lib.GB_ENOMEM else ErrorKind.IO
                raise GraphbuildError(_message(err), kind=kind)
    except OSError as exc:
        raise GraphbuildError(f"cannot write {path}: {exc.strerror or exc}", kind=ErrorKind.IO) from None


def ids_survive(graph: Graph, fmt: str) -> bool:
    """Whether writing in fmt keeps the node ids: Matrix Market numbers nodes 1..n."""
    if fmt != "mtx":
        return True
    ids = graph.node_ids()
    return ids == list(range(1, len(ids) + 1))


DELIMITER_WORDS = {",": "comma-separated", "\t": "tab-separated", " ": "separated by blanks"}


def delimiter_words(delimiter: str) -> str:
    return DELIMITER_WORDS.get(delimiter, f"separated by '{delimiter}'")


def guessed(report: dict[str, Any]) -> list[str]:
    """What the loader guessed about a text edge list (graph.stats or describe()), in words,
    with the option that would say it instead."""
    notes = []
    if report.get("delimiter_guessed"):
        notes.append(f"{delimiter_words(report['delimiter'])} (--delimiter sets it)")
    line = report.get("header_guess_line")
    if report.get("header_guess") == "header":
        notes.append(f"line {line} is a header (--no-header reads it as an edge)")
    elif report.get("header_guess") == "edge":
        notes.append(f"line {line} is an edge, not a header (--header skips it)")
    return notes


def _degrees(graph: Graph, direction: str) -> array.array:
    n = graph.node_count
    if direction == "in" and not graph.has_in_edges:
        _, neighbors, _ = graph.csr_arrays("out")   # count the heads instead
        degrees = array.array("q", bytes(8 * n))
        for u in neighbors:
            degrees[u] += 1
        return degrees
    offsets, _, _ = graph.csr_arrays(direction)
    return array.array("q", (offsets[v + 1] - offsets[v] for v in range(n)))


def _summary(degrees: array.array) -> dict[str, Any]:
    if not degrees:
        return {"min": 0, "max": 0, "mean": 0.0, "median": 0.0}
    ordered = sorted(degrees)
    mid = len(ordered) // 2
    median = ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2
    return {"min": ordered[0], "max": ordered[-1], "mean": sum(ordered) / len(ordered),
            "median": float(median)}


def describe(graph: Graph) -> dict[str, Any]:
    """Nodes, edges, directedness, weights, the loader's counts and degree statistics.
    On an undirected graph "out" is the degree (a self-loop counts twice)."""
    out = _degrees(graph, "out")
    degree = {"out": _summary(out)}
    isolated = sum(1 for d in out if d == 0)
    if graph.directed:
        into = _degrees(graph, "in")
        degree["in"] = _summary(into)
        isolated = sum(1 for a, b in zip(out, into) if a == 0 and b == 0)
    return {"nodes": graph.node_count, "edges": graph.edge_count, "directed": graph.directed,
            "weighted": graph.weighted, **graph.stats, "isolated_nodes": isolated,
            "degree": degree, "bytes": graph.nbytes, "cached": graph.cache_status,
            "layout": graph.layout, "hub_share": degree_skew(graph)}


__all__ = ["DELIMITER_WORDS", "WRITE_FORMATS", "delimiter_words", "describe", "guessed", "ids_survive",
           "output_format", "write_graph"]
