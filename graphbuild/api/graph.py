"""gb.Graph: a graph built once in C from numpy, pandas, scipy, networkx or a file, and run
by any number of programs without being rebuilt.

    g = gb.Graph.from_edges(src, dst)                     # numpy arrays of node indices
    g = gb.Graph.from_pandas(df, source="a", target="b")  # ids kept, mapped back in results
    g = gb.Graph.from_networkx(G)                         # G's nodes are the ids
    g = gb.Graph.from_scipy(A)                            # A[i, j] != 0: an edge i -> j
    g = gb.Graph.load("web.el.gz", undirected=True)       # a file or "kron:16", as the CLI reads

Edge arrays reach C in place when they are already contiguous int64 (float64 for weights);
C checks every index and weight and builds the CSR.  A directed graph is built without its
in-edges, which the first program that reads them adds (once; the graph keeps them).
"""
from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..cache.trust import CachePolicy
from ..errors import ErrorKind, GraphbuildError, UsageError, refine
from ..runtime import Graph as CGraph
from ..runtime.graph import LoadOptions
from ..runtime.graph_io import guessed
from ..runtime.graph_cache import GraphCache, graph_cache_dir, open_graph
from ..settings import load_settings
from .arrays import as_ids, view


class Graph:
    """A graph for graphbuild programs: nodes 0..n-1 inside, the input's own ids outside."""

    def __init__(self, graph: CGraph, ids: np.ndarray | None = None):
        """Wraps a runtime graph; ids (an array, one per node) replace the ids C holds."""
        self._graph = graph
        self._ids = ids
        self._index: dict[Any, int] | None = None

    # ---- constructors ----

    @classmethod
    def from_edges(cls, src: Any, dst: Any, weight: Any = None, n: int | None = None, *,
                   directed: bool = True, ids: Any = None, threads: int | None = None) -> Graph:
        """A graph from two arrays (numpy, pandas columns, lists) holding one edge per position.

        Integer arrays are node indices 0..n-1 (n defaults to the largest + 1; ids, one per
        node, name them).  Any other arrays (strings, objects) hold ids: nodes are numbered
        in order of first appearance, as the edge-list reader does.  weight: an array of
        edge weights, or None."""
        src, dst = _column(src, "src"), _column(dst, "dst")
        if len(src) != len(dst):
            raise UsageError(f"{len(src)} sources but {len(dst)} targets")
        if _is_integer(src) and _is_integer(dst):
            src, dst = _int64(src), _int64(dst)
            largest = max(int(src.max()), int(dst.max())) if len(src) else -1
            smallest = min(int(src.min()), int(dst.min())) if len(src) else 0
            if smallest < 0:
                raise UsageError(f"node index {smallest} is negative; integer arrays hold node "
                                 "indices 0..n-1")
            if n is None:
                n = largest + 1
            elif largest >= n:
                raise UsageError(f"node index {largest} is not below n={n}")
            node_ids = None if ids is None else _given_ids(ids, n)
        else:
            if n is not None or ids is not None:
                raise UsageError("n and ids apply to integer node indices; these arrays hold ids")
            node_ids, src, dst = _factorize(src, dst)
            n = len(node_ids)
        return cls._build(n, src, dst, weight, directed, node_ids, threads)

    @classmethod
    def from_pandas(cls, df: Any, source: str = "source", target: str = "target",
                    weight: str | None = None, *, directed: bool = True,
                    threads: int | None = None) -> Graph:
        """A graph from a DataFrame's edge columns.  The values are ids, kept and mapped back
        in results: integers are numbered in ascending order, other ids in order of first
        appearance (as the edge-list reader does)."""
        for name in (source, target) + ((weight,) if weight is not None else ()):
            if name not in df.columns:
                raise UsageError(f"the DataFrame has no column '{name}' (it has: "
                                 f"{', '.join(map(str, df.columns))})")
        src, dst = df[source].to_numpy(), df[target].to_numpy()
        if _is_integer(src) and _is_integer(dst):
            both = np.concatenate([_int64(src), _int64(dst)])
            node_ids, inverse = np.unique(both, return_inverse=True)
            m = len(src)
            src, dst = inverse[:m].astype(np.int64), inverse[m:].astype(np.int64)
        else:
            node_ids, src, dst = _factorize(src, dst)
        w = df[weight].to_numpy() if weight is not None else None
        return cls._build(len(node_ids), src, dst, w, directed, node_ids, threads)

    @classmethod
    def from_networkx(cls, G: Any, weight: str | None = "weight", *,
                      threads: int | None = None) -> Graph:
        """A graph with G's nodes (in G's order, as ids) and edges: directed if G is,
        parallel edges of a multigraph kept; each edge's `weight` attribute (1.0 where it is
        missing) unless weight is None."""
        from ..nx_backend.convert import adjacency_arrays

        arcs = adjacency_arrays(G, weight)
        src, dst, w = arcs.src, arcs.dst, arcs.weights
        if not arcs.directed:   # the adjacency lists every edge from both ends: keep one
            keep = src <= dst
            src, dst = src[keep], dst[keep]
            w = w[keep] if w is not None else None
        return cls._build(len(arcs.nodes), src, dst, w, arcs.directed, as_ids(arcs.nodes), threads)

    @classmethod
    def from_scipy(cls, A: Any, *, directed: bool = True, weighted: bool = True,
                   threads: int | None = None) -> Graph:
        """A graph of A.shape[0] nodes with an edge i -> j for every stored entry A[i, j] (its
        value the weight unless weighted=False).  directed=False reads a symmetric matrix's
        upper triangle, each undirected edge once."""
        shape = getattr(A, "shape", None)
        if shape is None or len(shape) != 2 or shape[0] != shape[1] or not hasattr(A, "tocoo"):
            raise UsageError(f"expected a square scipy sparse matrix, got {type(A).__name__}"
                             + (f" of shape {shape}" if shape is not None else ""))
        coo = A.tocoo()
        src, dst, data = _int64(coo.row), _int64(coo.col), coo.data
        if not directed:
            if (abs(A - A.T) > 0).sum() != 0:
                raise UsageError("directed=False needs a symmetric matrix (A == A.T)")
            keep = src <= dst
            src, dst, data = src[keep], dst[keep], data[keep]
        return cls._build(shape[0], src, dst, data if weighted else None, directed, None, threads)

    @classmethod
    def load(cls, source: str | os.PathLike | None = None, *, undirected: bool = False,
             dedupe: bool = False, no_self_loops: bool = False, ids: str = "map",
             header: bool | None = None, delimiter: str | None = None,
             columns: str | Sequence[int | str] | None = None,
             threads: int | None = None, cache: bool = True, layout: str | None = None) -> Graph:
        """A graph read as `graphbuild run --graph` reads it: an edge list or Matrix Market file
        (maybe gzipped), a generator ("kron:16", "uniform:12:8"), or None for the bundled
        karate club graph.  A big file is parsed once and mapped from the graph cache later
        (cache=False skips it); the options are the CLI's (docs/graphs.md): header None
        guesses, delimiter None guesses (",", "\t", " " for runs of blanks), columns picks
        (source, target[, weight]) by 1-based number or header name, e.g. ("from", "to").
        What was guessed is in graph.guessed.  layout: the node order in memory, "auto"
        (default: "degree" for a big graph with skewed degrees, else "original"), "original"
        or "degree" (relabeled by descending out-degree, kept in the graph cache); results
        are in input order whatever it is, floats within 1e-12 (docs/graphs.md "Layout")."""
        settings = _refined(load_settings)
        threads = threads or settings.threads
        store = (GraphCache(graph_cache_dir(settings.cache_dir), threads=threads,
                            policy=CachePolicy.from_settings(settings),
                            max_size=settings.cache_max_size) if cache else None)
        graph = cls(_refined(lambda: open_graph(source, LoadOptions(
            undirected=undirected, dedupe=dedupe, no_self_loops=no_self_loops, ids=ids,
            header=header, delimiter=delimiter, columns=columns),
            store, threads, layout=layout)))
        messages = settings.warnings + (store.warnings if store is not None else [])
        if messages:
            import warnings

            for message in messages:
                warnings.warn(message, RuntimeWarning, stacklevel=2)
        return graph

    @classmethod
    def coerce(cls, graph: Any) -> Graph:
        """graph as a Graph: a Graph as is, a runtime graph wrapped, a networkx graph converted,
        a path or generator spec (or None) loaded."""
        if isinstance(graph, Graph):
            return graph
        if isinstance(graph, CGraph):
            return cls(graph)
        if graph is None or isinstance(graph, (str, os.PathLike)):
            return cls.load(graph)
        if hasattr(graph, "adj") and hasattr(graph, "is_directed"):
            return cls.from_networkx(graph)
        if hasattr(graph, "tocoo"):
            return cls.from_scipy(graph)
        raise UsageError(f"cannot run on a {type(graph).__name__}: give a gb.Graph, a networkx "
                         "graph, a scipy sparse matrix, a file path or a generator spec")

    @classmethod
    def _build(cls, n: int, src: np.ndarray, dst: np.ndarray, weight: Any, directed: bool,
               ids: np.ndarray | None, threads: int | None) -> Graph:
        w = None
        if weight is not None:
            w = _column(weight, "weight")
            if w.dtype.kind not in "iuf" or len(w) != len(src):
                raise UsageError(f"weight must be {len(src)} numbers, got {len(w)} of "
                                 f"type {w.dtype}")
            w = np.ascontiguousarray(w, dtype=np.float64)
        threads = threads or _refined(load_settings).threads
        graph = _refined(lambda: CGraph.from_arrays(
            n, np.ascontiguousarray(src, np.int64), np.ascontiguousarray(dst, np.int64), w,
            directed, ids, threads=threads, need_in_edges=False))
        return cls(graph, ids)

    # ---- what it is ----

    @property
    def runtime(self) -> CGraph:
        """The runtime graph (graphbuild.runtime.Graph) the executor reads."""
        return self._graph

    @property
    def node_count(self) -> int:
        return self._graph.node_count

    @property
    def edge_count(self) -> int:
        """Input edges; an undirected graph stores each as two arcs."""
        return self._graph.edge_count

    @property
    def directed(self) -> bool:
        return self._graph.directed

    @property
    def weighted(self) -> bool:
        return self._graph.weighted

    @property
    def layout(self) -> str:
        """The node order in memory: "original" or "degree" (ids, results and node indices
        are the input's either way)."""
        return self._graph.layout

    @property
    def guessed(self) -> list[str]:
        """What loading a text edge list guessed (its delimiter, whether line 1 is a header),
        in words, with the option that says it instead; [] if nothing was guessed."""
        return guessed(self._graph.stats)

    @property
    def nbytes(self) -> int:
        return self._graph.nbytes

    def __len__(self) -> int:
        return self.node_count

    @property
    def ids(self) -> np.ndarray:
        """Each node's id, in node order: int64, or objects (strings, networkx's node objects).
        Integer ids held by C are read in place."""
        if self._ids is None:
            address = self._graph.int_ids_address()
            if address is not None:
                self._ids = view(address, self.node_count, np.dtype(np.int64), self._graph)
            else:
                self._ids = np.fromiter(self._graph.node_ids(), dtype=object, count=self.node_count)
        return self._ids

    def index_of(self, node: Any) -> int:
        """The node index of the node whose id is node; UsageError if there is none."""
        if self._index is None:
            if self._ids is None:   # C holds the ids and looks them up itself
                return self._graph.find_node(str(node))
            self._index = dict(zip(self._ids.tolist(), range(len(self._ids))))
        try:
            return self._index[node]
        except (KeyError, TypeError):
            raise UsageError(f"node {node!r} is not in the graph") from None

    def __contains__(self, node: Any) -> bool:
        try:
            self.index_of(node)
            return True
        except GraphbuildError:
            return False

    def __repr__(self) -> str:
        kind = "directed" if self.directed else "undirected"
        return f"<gb.Graph {kind}, {self.node_count:,} nodes, {self.edge_count:,} edges>"


def _refined(call: Any) -> Any:
    """call(), its graphbuild errors refined for Python callers (a UsageError for a bad
    argument); a malformed graph file stays a GraphbuildError with the file's line."""
    try:
        return call()
    except GraphbuildError as exc:
        if exc.kind is ErrorKind.INTERRUPTED:
            raise KeyboardInterrupt(exc.message) from None
        raise refine(exc) from None


def _column(values: Any, what: str) -> np.ndarray:
    array = values.to_numpy() if hasattr(values, "to_numpy") else np.asarray(values)
    if array.ndim != 1:
        raise UsageError(f"{what} must be one-dimensional, got shape {array.shape}")
    return array


def _is_integer(array: np.ndarray) -> bool:
    return array.dtype.kind in "iu"


def _int64(array: np.ndarray) -> np.ndarray:
    if array.dtype.kind == "u" and len(array) and int(array.max()) > np.iinfo(np.int64).max:
        raise UsageError("a node index does not fit in 64 bits")
    return np.ascontiguousarray(array, dtype=np.int64)


def _given_ids(ids: Any, n: int) -> np.ndarray:
    array = ids.to_numpy() if hasattr(ids, "to_numpy") else as_ids(ids)
    if len(array) != n:
        raise UsageError(f"{len(array)} ids given for {n} nodes")
    return array


def _factorize(src: np.ndarray, dst: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(ids in order of first appearance, src indices, dst indices) of two arrays of ids read
    edge by edge (src[0], dst[0], src[1], ...), as the edge-list reader numbers tokens."""
    m = len(src)
    both = np.empty(2 * m, dtype=np.result_type(src.dtype, dst.dtype))
    both[0::2], both[1::2] = src, dst
    try:
        uniques, first, inverse = np.unique(both, return_index=True, return_inverse=True)
        order = np.argsort(first, kind="stable")
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
        codes, ids = rank[inverse.reshape(-1)], uniques[order]
    except TypeError:   # ids that do not sort against each other (mixed types): hash them
        index: dict[Any, int] = {}
        codes = np.fromiter((index.setdefault(x, len(index)) for x in both.tolist()),
                            dtype=np.int64, count=2 * m)
        ids = as_ids(index)
    if ids.dtype.kind == "U":
        ids = ids.astype(object)
    return ids, np.ascontiguousarray(codes[0::2]), np.ascontiguousarray(codes[1::2])


__all__ = ["Graph"]
