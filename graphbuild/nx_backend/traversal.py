"""Breadth-first search and shortest path lengths for networkx, on bfs.gdsl and sssp.gdsl.

bfs.gdsl gives every node its level; networkx's traversals also have an order (a layer lists
nodes as the previous layer's adjacency lists discover them).  `layers` recovers that order
from the levels and the adjacency, which the graph keeps in networkx's own order: a node of
layer d + 1 is discovered at its first arc from layer d, taking layer d's nodes in order.  Each
layer is a few numpy operations over its arcs, no per-node Python.

sssp.gdsl is Bellman-Ford relaxation: Dijkstra's distances where weights are non-negative
(negative ones are refused to networkx, whose Dijkstra does not define them), and networkx's
Bellman-Ford distances otherwise, a negative cycle showing as a loop that never settles.
"""
from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np

from ..errors import ProgramError
from ..runtime.params import NodeIndex
from .graph import BackendGraph
from .programs import run
from .registry import implements, is_callable_weight


def _nx() -> Any:
    import networkx as nx

    return nx


# ---- breadth-first search ----


def _levels(G: BackendGraph, source: int, cutoff: int = -1) -> np.ndarray:
    """Each node's number of hops from node index source (-1: unreached within cutoff)."""
    return run(G.form("arcs"), "bfs", source=NodeIndex(source), cutoff=cutoff)["level"]


def _cutoff(cutoff: float | None) -> int:
    """networkx's cutoff as bfs.gdsl's: None or inf is no limit (-1); networkx expands while
    cutoff > depth, so a level L is reached when L <= ceil(cutoff), and nothing past the
    source when cutoff <= 0."""
    if cutoff is None or cutoff == math.inf:
        return -1
    return max(0, math.ceil(cutoff))


def layers(G: BackendGraph, levels: np.ndarray, first: np.ndarray) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(parents, children) of each layer after `first`, children in networkx's discovery order
    and each with the node that discovered it."""
    offsets, heads = G.offsets, G.arcs.dst
    current, depth = first, 0
    while len(current):
        starts = offsets[current]
        counts = offsets[current + 1] - starts
        total = int(counts.sum())
        if total == 0:
            return
        positions = np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(total)
        found, owners = heads[positions], np.repeat(current, counts)
        new = levels[found] == depth + 1
        found, owners = found[new], owners[new]
        if not len(found):
            return
        _, first_seen = np.unique(found, return_index=True)
        first_seen.sort()
        yield owners[first_seen], found[first_seen]
        current, depth = found[first_seen], depth + 1


@implements()
def single_source_shortest_path_length(G: BackendGraph, source, cutoff=None) -> dict:
    if source not in G:
        raise _nx().NodeNotFound(f"Source {source} is not in G")
    s = G.index[source]
    levels = _levels(G, s, _cutoff(cutoff))
    order = np.concatenate([[s], *(children for _, children in layers(G, levels, np.array([s])))])
    return dict(zip(map(G.nodes.__getitem__, order.tolist()), levels[order].tolist()))


def _one_source(G: Any, sources: Any) -> Any:
    """The one node sources names (a node, or a list, tuple or set of one distinct node), or
    None: several sources, or an iterator that checking would use up."""
    try:
        if sources in G:
            return sources
    except TypeError:
        pass
    if isinstance(sources, (list, tuple, set, frozenset)) and len(set(sources)) == 1:
        (node,) = set(sources)
        return node if node in G else None
    return None


def _bfs_layers_refusal(a: dict[str, Any]) -> str | None:
    if _one_source(a["G"], a["sources"]) is None:
        return ("sources is not one node of the graph: bfs.gdsl starts from one node "
                "(an iterator of sources is refused too: checking it would use it up)")
    return None


@implements(refuse=_bfs_layers_refusal)
def bfs_layers(G: BackendGraph, sources) -> Iterator[list]:
    s = G.index[_one_source(G, sources)]
    levels = _levels(G, s)
    nodes = G.nodes
    yield [nodes[s]]
    for _, children in layers(G, levels, np.array([s])):
        yield list(map(nodes.__getitem__, children.tolist()))


def _bfs_edges_refusal(a: dict[str, Any]) -> str | None:
    G = a["G"]
    if a["sort_neighbors"] is not None:
        return "sort_neighbors: graphbuild visits neighbors in the graph's order"
    if a["reverse"] and G.is_directed():
        return "reverse=True: the backend's graph follows successors"
    if _one_source(G, [a["source"]]) is None:
        return f"node {a['source']!r} is not in the graph"
    return None


@implements(refuse=_bfs_edges_refusal)
def bfs_edges(G: BackendGraph, source, reverse=False, depth_limit=None,
              sort_neighbors=None) -> Iterator[tuple]:
    if depth_limit is not None and depth_limit <= 0:
        return
    s = G.index[source]
    levels = _levels(G, s, -1 if depth_limit is None else _cutoff(depth_limit))
    nodes = G.nodes
    for parents, children in layers(G, levels, np.array([s])):
        yield from zip(map(nodes.__getitem__, parents.tolist()), map(nodes.__getitem__, children.tolist()))


def _source_refusal(a: dict[str, Any]) -> str | None:
    if _one_source(a["G"], [a["source"]]) is None:
        return f"node {a['source']!r} is not in the graph"
    return None


@implements(refuse=_source_refusal)
def descendants_at_distance(G: BackendGraph, source, distance) -> set:
    if distance < 0:
        return set()
    levels = _levels(G, G.index[source], _cutoff(distance))
    return set(map(G.nodes.__getitem__, np.flatnonzero(levels == distance).tolist()))


# ---- weighted shortest paths ----


def _distances(G: BackendGraph, source: Any, weight: Any) -> np.ndarray:
    """sssp.gdsl's distances from source (inf where unreachable).  The loop gets n + 1
    passes: a graph without a negative cycle settles within n."""
    try:
        return run(G.form("arcs", weight), "sssp", source=NodeIndex(G.index[source]),
                   max_iterations=len(G) + 1)["dist"]
    except ProgramError:   # sssp.gdsl has no other way to fail: its loop never settled
        raise _nx().NetworkXUnbounded("Negative cycle detected.") from None


def _no_negative_weights(G: BackendGraph, weight: Any) -> None:
    w = G.weights_for(weight)
    if w is not None and bool(np.any(w < 0)):
        raise NotImplementedError("negative weights: Dijkstra's algorithm does not define them")


def _lengths(G: BackendGraph, dist: np.ndarray, weight: Any, keep: np.ndarray) -> dict:
    """{node: distance} nearest first; integers when every weight is 1, as networkx sums them."""
    order = np.flatnonzero(keep)
    order = order[np.argsort(dist[order], kind="stable")]
    values = dist[order]
    if G.weights_for(weight) is None:
        values = values.astype(np.int64)
    return dict(zip(map(G.nodes.__getitem__, order.tolist()), values.tolist()))


@implements(refuse=is_callable_weight)
def single_source_dijkstra_path_length(G: BackendGraph, source, cutoff=None, weight="weight") -> dict:
    if source not in G:
        raise _nx().NodeNotFound(f"Node {source} not found in graph")
    _no_negative_weights(G, weight)
    dist = _distances(G, source, weight)
    keep = np.isfinite(dist) if cutoff is None else np.isfinite(dist) & (dist <= cutoff)
    return _lengths(G, dist, weight, keep)


@implements(refuse=is_callable_weight)
def dijkstra_path_length(G: BackendGraph, source, target, weight="weight") -> Any:
    if source not in G:
        raise _nx().NodeNotFound(f"Node {source} not found in graph")
    if source == target:
        return 0
    _no_negative_weights(G, weight)
    return _one_length(G, _distances(G, source, weight), weight, target,
                       f"Node {target} not reachable from {source}")


@implements(refuse=is_callable_weight)
def single_source_bellman_ford_path_length(G: BackendGraph, source, weight="weight") -> dict:
    if source not in G:
        raise _nx().NodeNotFound(f"Source {source} not in G")
    dist = _distances(G, source, weight)
    return _lengths(G, dist, weight, np.isfinite(dist))


@implements(refuse=is_callable_weight)
def bellman_ford_path_length(G: BackendGraph, source, target, weight="weight") -> Any:
    if source == target:
        if source not in G:
            raise _nx().NodeNotFound(f"Node {source} not found in graph")
        return 0
    if source not in G:
        raise _nx().NodeNotFound(f"Source {source} not in G")
    return _one_length(G, _distances(G, source, weight), weight, target,
                       f"node {target} not reachable from {source}")


def _one_length(G: BackendGraph, dist: np.ndarray, weight: Any, target: Any, unreachable: str) -> Any:
    if target not in G or not np.isfinite(dist[G.index[target]]):
        raise _nx().NetworkXNoPath(unreachable)
    value = dist[G.index[target]].item()
    return int(value) if G.weights_for(weight) is None else value
