"""Graphs for the runtime: a Python handle on the C graph (CSR in both directions plus ids).

    g = load_graph("edges.el", undirected=True)   # parsed and built in C
    g.node_count, g.edge_count, g.node_ids(), g.find_node("42")

Edge lists are read by csrc/graph_load.c; this module turns its status codes into
GraphbuildError with the file's line shown, and reads the graph back for tests.
"""
from __future__ import annotations

import gzip
import os
from collections.abc import Iterable, Sequence
from importlib import resources
from typing import Any

from ..errors import ErrorKind, GraphbuildError, Location
from .native import ffi, lib


def default_graph_path() -> str:
    """The graph shipped with the package: Zachary's karate club (34 nodes, 78 edges)."""
    return str(resources.files("graphbuild").joinpath("data", "karate.el"))


class Graph:
    """An immutable graph owned by C; node indices are 0..node_count-1."""

    def __init__(self, handle: Any, ids: Sequence[int | str] | None = None):
        self._handle = ffi.gc(handle, lib.gb_graph_destroy)
        self._ids = list(ids) if ids is not None else None
        self._id_index: dict[str, int] | None = None

    @classmethod
    def from_edges(cls, n: int, edges: Iterable[tuple[int, int]],
                   weights: Sequence[float] | None = None, directed: bool = True,
                   ids: Sequence[int | str] | None = None) -> Graph:
        """A graph of n nodes from (u, v) pairs of node indices; ids[i] names node i (default i)."""
        pairs = list(edges)
        if ids is not None and len(ids) != n:
            raise GraphbuildError(f"{len(ids)} ids given for {n} nodes", kind=ErrorKind.USAGE)
        if weights is not None and len(weights) != len(pairs):
            raise GraphbuildError(f"{len(weights)} weights given for {len(pairs)} edges",
                                  kind=ErrorKind.USAGE)
        src = ffi.new("int64_t[]", [u for u, _ in pairs] or [0])
        dst = ffi.new("int64_t[]", [v for _, v in pairs] or [0])
        w = ffi.new("double[]", list(weights) or [0.0]) if weights is not None else ffi.NULL
        out = ffi.new("gb_graph **")
        err = ffi.new("gb_error *")
        status = lib.gb_graph_from_arrays(n, len(pairs), src, dst, w, int(directed), out, err)
        if status != lib.GB_OK:
            kind = ErrorKind.RUNTIME if status == lib.GB_ENOMEM else ErrorKind.USAGE
            raise GraphbuildError(_message(err), kind=kind)
        return cls(out[0], ids)

    # ---- properties ----

    @property
    def handle(self) -> Any:
        """The gb_graph * for calls into C; valid while this Graph is alive."""
        return self._handle

    @property
    def node_count(self) -> int:
        return lib.gb_graph_node_count(self._handle)

    @property
    def edge_count(self) -> int:
        """Input edges (lines); an undirected graph stores twice as many arcs."""
        return lib.gb_graph_edge_count(self._handle)

    @property
    def directed(self) -> bool:
        return bool(lib.gb_graph_is_directed(self._handle))

    @property
    def weighted(self) -> bool:
        return bool(lib.gb_graph_is_weighted(self._handle))

    @property
    def nbytes(self) -> int:
        """Bytes the C graph holds: offsets, neighbors and weights of each CSR, and the ids."""
        n, m, h = self.node_count, self.edge_count, self._handle
        csrs = 2 if self.directed else 1
        arcs_per_csr = m if self.directed else 2 * m
        total = csrs * ((n + 1) * 8 + arcs_per_csr * (16 if self.weighted else 8))
        if lib.gb_graph_ids_kind(h) == lib.GB_IDS_INT:
            return total + n * 8
        return total + (n + 1) * 8 + lib.gb_graph_name_offsets(h)[n]

    # ---- ids ----

    def node_ids(self) -> list[int] | list[str]:
        """The input id of each node, in node order."""
        if self._ids is not None:
            return list(self._ids)
        h, n = self._handle, self.node_count
        if n == 0:
            return []
        if lib.gb_graph_ids_kind(h) == lib.GB_IDS_INT:
            return ffi.unpack(lib.gb_graph_int_ids(h), n)
        offsets = ffi.unpack(lib.gb_graph_name_offsets(h), n + 1)
        data = ffi.buffer(lib.gb_graph_name_bytes(h), offsets[n])[:]
        return [data[offsets[i]:offsets[i + 1]].decode("utf-8", "surrogateescape")
                for i in range(n)]

    def find_node(self, token: str) -> int:
        """The index of the node whose input id is written token (e.g. "42" or "alice")."""
        token = str(token)
        if self._ids is not None:
            if self._id_index is None:
                self._id_index = {str(x): i for i, x in enumerate(self._ids)}
            index = self._id_index.get(token, -1)
        elif "\0" in token:
            index = -1
        else:
            index = lib.gb_graph_find_node(self._handle,
                                           token.encode("utf-8", "surrogateescape"))
        if index < 0:
            raise GraphbuildError(f"node '{token}' is not in the graph", kind=ErrorKind.USAGE)
        return index

    # ---- adjacency (tests) ----

    def csr(self, direction: str) -> tuple[list[int], list[int], list[float] | None]:
        """(offsets, neighbors, weights or None) of direction "out" or "in", as lists."""
        if direction not in ("out", "in"):
            raise GraphbuildError(f"direction must be 'out' or 'in', not {direction!r}",
                                  kind=ErrorKind.USAGE)
        offsets_p = ffi.new("int64_t **")
        neighbors_p = ffi.new("int64_t **")
        weights_p = ffi.new("double **")
        dir_code = lib.GB_DIR_OUT if direction == "out" else lib.GB_DIR_IN
        lib.gb_graph_csr(self._handle, dir_code, offsets_p, neighbors_p, weights_p)
        offsets = ffi.unpack(offsets_p[0], self.node_count + 1)
        arcs = offsets[-1]
        neighbors = ffi.unpack(neighbors_p[0], arcs) if arcs else []
        weights = None
        if weights_p[0] != ffi.NULL:
            weights = ffi.unpack(weights_p[0], arcs) if arcs else []
        return offsets, neighbors, weights

    def __repr__(self) -> str:
        kind = "directed" if self.directed else "undirected"
        return f"<Graph {kind}, {self.node_count} nodes, {self.edge_count} edges>"


def load_graph(path: str | os.PathLike[str], undirected: bool = False) -> Graph:
    """Read an edge list (optionally gzipped); see csrc/graph_load.c for the format.

    Raises GraphbuildError: MISSING if there is no such file, IO if it cannot be read,
    PROGRAM with the file's line and column if it is malformed.
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise GraphbuildError(f"graph file '{path}' does not exist", kind=ErrorKind.MISSING)
    opts = ffi.new("gb_load_options *", {"undirected": int(undirected)})
    out = ffi.new("gb_graph **")
    err = ffi.new("gb_error *")
    status = lib.gb_graph_load_edgelist(os.fsencode(path), opts, out, err)
    if status == lib.GB_OK:
        return Graph(out[0])
    message = _message(err)
    if status == lib.GB_EPARSE:
        raise GraphbuildError(message, _location(path, err.line, err.col), ErrorKind.PROGRAM)
    if status == lib.GB_EIO:
        raise GraphbuildError(message, kind=ErrorKind.IO)
    if status == lib.GB_ENOMEM:
        raise GraphbuildError(message, kind=ErrorKind.RUNTIME,
                              hint="the graph does not fit in memory")
    raise GraphbuildError(message, kind=ErrorKind.RUNTIME)


def _message(err: Any) -> str:
    text = ffi.string(err.message).decode("utf-8", "replace")
    return text or ffi.string(lib.gb_strerror(err.code)).decode()


def _location(path: str, line: int, col: int) -> Location:
    """A Location with that line of the file; C counts columns in bytes, Python in characters."""
    raw = _read_line(path, line)
    if raw is None:
        return Location(path, line, col)
    if line == 1 and raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]  # C skips a byte order mark and counts columns after it
    text = raw.decode("utf-8", "replace")
    char_col = len(raw[:max(col - 1, 0)].decode("utf-8", "replace")) + 1
    return Location(path, line, char_col, text)


def _read_line(path: str, line: int) -> bytes | None:
    """Line `line` (1-based, split on b"\\n" like the C reader) without its line ending."""
    try:
        with open(path, "rb") as f:
            gzipped = f.read(2) == b"\x1f\x8b"
        with (gzip.open(path, "rb") if gzipped else open(path, "rb")) as f:
            for number, raw in enumerate(f, 1):
                if number == line:
                    return raw.rstrip(b"\n").rstrip(b"\r")
    except (OSError, EOFError):
        pass
    return None
