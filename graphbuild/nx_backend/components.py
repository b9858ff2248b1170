"""Connected components and core numbers for networkx, on the shipped programs.

connected_components.gdsl labels every node with the smallest node index of its component,
which is networkx's order too: it yields components in the order of their first node.
networkx's decorators refuse the wrong kind of graph (directed for connected_components,
undirected for the weak ones, multigraphs for core_number) before a call reaches here.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from .graph import BackendGraph
from .programs import run
from .registry import implements


def _labels(G: BackendGraph) -> np.ndarray:
    """Each node's component label (the smallest node index in it), ignoring directions."""
    return run(G.form("edges"), "connected_components")["comp"]


def _components(G: BackendGraph) -> Iterator[set]:
    labels = _labels(G) if len(G) else np.empty(0, np.int64)
    order = np.argsort(labels, kind="stable")
    bounds = np.flatnonzero(np.diff(labels[order])) + 1
    nodes = G.nodes
    for part in np.split(order, bounds) if len(order) else []:
        yield set(map(nodes.__getitem__, part.tolist()))


def _count(G: BackendGraph) -> int:
    if len(G) == 0:
        return 0
    return int(np.count_nonzero(_labels(G) == np.arange(len(G))))


def _node_refusal(a: dict[str, Any]) -> str | None:
    return None if a["n"] in a["G"] else f"node {a['n']!r} is not in the graph"


@implements()
def connected_components(G: BackendGraph) -> Iterator[set]:
    return _components(G)


@implements()
def number_connected_components(G: BackendGraph) -> int:
    return _count(G)


@implements(refuse=_node_refusal)
def node_connected_component(G: BackendGraph, n: Any) -> set:
    labels = _labels(G)
    members = np.flatnonzero(labels == labels[G.index[n]])
    return set(map(G.nodes.__getitem__, members.tolist()))


def _one_component(G: BackendGraph) -> bool:
    if len(G) == 0:
        import networkx as nx

        raise nx.NetworkXPointlessConcept("Connectivity is undefined for the null graph.")
    return _count(G) == 1


@implements()
def is_connected(G: BackendGraph) -> bool:
    return _one_component(G)


@implements()
def weakly_connected_components(G: BackendGraph) -> Iterator[set]:
    return _components(G)


@implements()
def number_weakly_connected_components(G: BackendGraph) -> int:
    return _count(G)


@implements()
def is_weakly_connected(G: BackendGraph) -> bool:
    return _one_component(G)


@implements()
def core_number(G: BackendGraph) -> dict:
    arcs = G.arcs
    if np.any(arcs.src == arcs.dst):
        import networkx as nx

        raise nx.NetworkXNotImplemented(
            "Input graph has self loops which is not permitted; "
            "Consider using G.remove_edges_from(nx.selfloop_edges(G)).")
    if len(G) == 0:
        return {}
    return G.to_dict(run(G.form("edges"), "k_core")["core"])
