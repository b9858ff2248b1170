"""A graph's size for `profile-memory --predict`, without loading it.

A generator's counts follow from its spec (kron:SCALE:DEGREE: 2^SCALE nodes, DEGREE *
2^SCALE undirected edges, unweighted); a Matrix Market file states them in its size
line; for other files the caller gives --nodes and --edges.  Explicit counts win.
"""
from __future__ import annotations

import gzip
import os
from dataclasses import dataclass

from ..errors import ErrorKind, GraphbuildError
from ..runtime.graph import parse_generator


@dataclass
class Counts:
    nodes: int
    edges: int
    directed: bool
    weighted: bool
    source: str = "edgelist"   # how the graph is made: "generated", "edgelist" or "mtx"


def predict_counts(graph: str | None, *, undirected: bool, nodes: int | None = None,
                   edges: int | None = None) -> Counts:
    spec = parse_generator(graph) if graph is not None and not os.path.exists(graph) else None
    if spec is not None:
        _, scale, degree = spec
        return Counts(nodes if nodes is not None else 1 << scale,
                      edges if edges is not None else degree << scale, False, False, "generated")
    if nodes is not None and edges is not None:
        weighted = graph is not None and graph.endswith((".wel", ".wel.gz"))
        source = "mtx" if graph is not None and graph.endswith((".mtx", ".mtx.gz")) else "edgelist"
        return Counts(nodes, edges, not undirected, weighted, source)
    if graph is not None and graph.endswith((".mtx", ".mtx.gz")):
        return _mtx_counts(graph, undirected, nodes, edges)
    raise GraphbuildError("--predict needs the graph's size: give a generator (e.g. -g kron:20), "
                          "a .mtx file, or --nodes and --edges", kind=ErrorKind.USAGE)


def _mtx_counts(path: str, undirected: bool, nodes: int | None, edges: int | None) -> Counts:
    if not os.path.exists(path):
        raise GraphbuildError(f"graph file '{path}' does not exist", kind=ErrorKind.MISSING)
    opener = gzip.open if path.endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8", errors="replace") as f:
            banner = f.readline().lower().split()
            for line in f:
                if line.strip() and not line.startswith("%"):
                    rows, cols, entries = (int(x) for x in line.split()[:3])
                    break
            else:
                raise ValueError("no size line")
    except (OSError, ValueError) as exc:
        raise GraphbuildError(f"{path}: cannot read the Matrix Market size line ({exc})",
                              kind=ErrorKind.PROGRAM) from None
    symmetric = "symmetric" in banner
    weighted = not {"pattern"} & set(banner)
    return Counts(nodes if nodes is not None else max(rows, cols),
                  edges if edges is not None else entries, not (undirected or symmetric), weighted, "mtx")
