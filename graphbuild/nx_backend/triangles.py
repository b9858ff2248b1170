"""Triangles and clustering for networkx, on triangle_count.gdsl and clustering.gdsl.

networkx's decorators refuse directed graphs for triangles and multigraphs for both before a
call reaches here; networkx's clustering of a directed graph counts directed triangles, which
clustering.gdsl does not (common(u) refuses directed graphs), so that call is refused and
networkx runs its own.  Self-loops close no triangle, in networkx and in the programs.
"""
from __future__ import annotations

from typing import Any

from .graph import BackendGraph
from .programs import run
from .registry import implements


def _select(G: BackendGraph, values, nodes: Any):
    """networkx's return shapes: every node, one node's value, or the nodes asked for."""
    if nodes is None:
        return G.to_dict(values)
    if nodes in G:
        return values[G.index[nodes]].item()
    return {v: values[G.index[v]].item() for v in nodes if v in G}


def _clustering_refusal(a: dict[str, Any]) -> str | None:
    if a["G"].is_directed():
        return "directed clustering counts directed triangles; clustering.gdsl is undirected"
    if a["weight"] is not None:
        return "weighted clustering (geometric mean of weights); clustering.gdsl counts triangles"
    return None


@implements()
def triangles(G: BackendGraph, nodes: Any = None):
    if len(G) == 0:
        return {} if nodes is None or nodes not in G else 0
    return _select(G, run(G.form("edges"), "triangle_count")["triangles"], nodes)


@implements(refuse=_clustering_refusal)
def clustering(G: BackendGraph, nodes: Any = None, weight: Any = None):
    if len(G) == 0:
        return {}
    return _select(G, run(G.form("edges"), "clustering")["clustering"], nodes)
