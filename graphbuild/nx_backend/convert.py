"""networkx graphs as edge arrays, read straight from their adjacency.

    arcs = adjacency_arrays(G, "weight")   # arcs.src, arcs.dst, arcs.weights, arcs.nodes

Node i is G's i-th node.  The arcs are networkx's adjacency (successors on a directed graph)
in its own order: grouped by source in node order, each source's neighbors in insertion
order, a multigraph's parallel edges once per key.  An undirected graph lists every edge from
both ends and a self-loop once, which is exactly its adjacency matrix: read as a directed
graph these arcs give networkx's answers for the matrix-defined algorithms (PageRank, HITS,
Katz), and their order is the order networkx's traversals visit neighbors in.

The loops are the few Python passes over the adjacency that cannot be avoided (one for the
neighbors, one for the weights), each a C-level iterator feeding np.fromiter.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain
from operator import methodcaller
from typing import Any

import numpy as np

from ..errors import UsageError


@dataclass
class Arcs:
    nodes: list[Any]               # node i's networkx node
    src: np.ndarray                # int64 node indices, ascending
    dst: np.ndarray                # int64 node indices
    weights: np.ndarray | None     # float64 per arc (default where missing); None if not asked
                                   # for, or when no edge has attributes (all default)
    directed: bool
    multigraph: bool

    @property
    def n(self) -> int:
        return len(self.nodes)

    def offsets(self) -> np.ndarray:
        """CSR offsets of the arcs by source: arcs of node v are offsets[v]:offsets[v + 1]."""
        return np.concatenate([[0], np.cumsum(np.bincount(self.src, minlength=self.n))]).astype(np.int64)


def adjacency_arrays(G: Any, weight: str | None = None, default: float = 1.0) -> Arcs:
    """G's arcs; with weight, each edge's attribute of that name (default where missing)."""
    nodes = list(G)
    n = len(nodes)
    adj = adjacency(G)
    multigraph = G.is_multigraph()
    plain = type(adj) is dict   # a plain graph's dict of dicts, where len() counts exactly
    if plain:
        counts = np.fromiter(map(len, adj.values()), dtype=np.int64, count=n)
        heads: Any = chain.from_iterable(adj.values())
    else:                   # a view (filtered, or a subclass's): count what iterating yields
        listed: list[Any] = []
        counts = np.empty(n, dtype=np.int64)
        for i, nbrs in enumerate(adj.values()):
            before = len(listed)
            listed.extend(nbrs)
            counts[i] = len(listed) - before
        heads = listed
    total = int(counts.sum())
    if not all(type(v) is int for v in nodes) or nodes != list(range(n)):
        index = dict(zip(nodes, range(n)))
        heads = map(index.__getitem__, heads)
    dst = np.fromiter(heads, dtype=np.int64, count=total)
    src = np.repeat(np.arange(n, dtype=np.int64), counts)
    if multigraph:   # one arc per key of each neighbor
        size = len if plain else (lambda keys: sum(1 for _ in keys))
        keys = np.fromiter((size(k) for nbrs in adj.values() for k in nbrs.values()),
                           dtype=np.int64, count=total)
        src, dst = np.repeat(src, keys), np.repeat(dst, keys)
    arcs = Arcs(nodes, src, dst, None, G.is_directed(), multigraph)
    if weight is not None:
        arcs.weights = edge_attribute(G, weight, default, len(dst))
    return arcs


def adjacency(G: Any) -> Any:
    """G's adjacency (successors on a directed graph) as networkx's own traversals see it: the
    internal dict, unless G's class redefines adjacency (networkx's complement graph in
    approximation.kcomponents does), then its public G.adj."""
    import networkx as nx

    base = next(c for c in type(G).__mro__ if c in (nx.MultiDiGraph, nx.MultiGraph, nx.DiGraph, nx.Graph))
    if type(G).adj is base.adj and type(G).__getitem__ is base.__getitem__:
        return G._adj
    return G.adj


def edge_attribute(G: Any, name: str, default: float, arcs: int) -> np.ndarray | None:
    """Attribute name of each of G's `arcs` arcs, in adjacency_arrays' order, as float64
    (default where an edge lacks it); None when no edge has any attribute and default is 1
    (the unweighted graph); a UsageError for a value that is not a number.  A graph without
    edge data is the common case, and finding that out touches each edge once, no lookup."""
    if next(filter(None, _edge_data(G)), None) is None:
        return None if default == 1 else np.full(arcs, float(default))
    try:
        return np.fromiter(map(methodcaller("get", name, default), _edge_data(G)), dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise UsageError(f"edge attribute '{name}' must be a number on every edge ({exc})") from None


def _edge_data(G: Any) -> Iterator[dict]:
    """Every arc's attribute dict, in adjacency_arrays' order."""
    adj = adjacency(G)
    if G.is_multigraph():
        return (d for nbrs in adj.values() for k in nbrs.values() for d in k.values())
    if type(adj) is dict:
        return chain.from_iterable(map(dict.values, adj.values()))
    return (d for nbrs in adj.values() for d in nbrs.values())


__all__ = ["Arcs", "adjacency_arrays", "edge_attribute"]
