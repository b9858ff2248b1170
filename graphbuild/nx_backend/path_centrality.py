"""Betweenness, closeness and harmonic centrality for networkx, on betweenness.gdsl,
closeness.gdsl and harmonic.gdsl (one breadth-first search per source, in .gdsl).

Each runs on the graph's "arcs" form, so distances follow edge directions as networkx's do.
The programs count edges, not weights: a weight or distance attribute is refused (networkx
runs instead), as are networkx's sampled betweenness (it draws sources with Python's random,
which sample(k, seed) does not copy), endpoints=True, and betweenness on a multigraph (its
parallel arcs would count as separate shortest paths; networkx counts neighbors once).
"""
from __future__ import annotations

from typing import Any

from .graph import BackendGraph
from .programs import run
from .registry import implements


def _weighted(a: dict[str, Any], name: str) -> str | None:
    if a[name] is not None:
        return f"{name}={a[name]!r}: the programs count edges, not edge weights"
    return None


def _betweenness_refusal(a: dict[str, Any]) -> str | None:
    if a["k"] is not None:
        return ("k sampled sources: networkx draws them with Python's random, "
                "betweenness_sample.gdsl's seed picks others")
    if a["endpoints"]:
        return "endpoints=True: betweenness.gdsl counts inner nodes of paths only"
    if a["G"].is_multigraph():
        return "a multigraph: parallel arcs would count as separate shortest paths"
    return _weighted(a, "weight")


@implements(refuse=_betweenness_refusal)
def betweenness_centrality(G: BackendGraph, k=None, normalized=True, weight=None, endpoints=False,
                           seed=None) -> dict:
    n = len(G)
    if n == 0:
        return {}
    bc = run(G.form("arcs"), "betweenness")["bc"]
    if not normalized and n > 2:
        # the program divides by the (n - 1)(n - 2) ordered pairs; networkx's raw counts are
        # per ordered pair on a directed graph and per unordered pair on an undirected one
        bc = bc * float((n - 1) * (n - 2) // (1 if G.is_directed() else 2))
    return G.to_dict(bc)


def _closeness_refusal(a: dict[str, Any]) -> str | None:
    if a["u"] is not None and a["u"] not in a["G"]:
        return f"u={a['u']!r} is not a node of the graph"
    return _weighted(a, "distance")


@implements(refuse=_closeness_refusal)
def closeness_centrality(G: BackendGraph, u=None, distance=None, wf_improved=True):
    if len(G) == 0:
        return {}
    values = run(G.form("arcs"), "closeness", wf_improved=bool(wf_improved))["closeness"]
    if u is not None:
        return values[G.index[u]].item()
    return G.to_dict(values)


_COLLECTIONS = (list, tuple, set, frozenset, dict)


def _harmonic_refusal(a: dict[str, Any]) -> str | None:
    G, nbunch = a["G"], a["nbunch"]
    if a["sources"] is not None:
        return "sources other than every node: harmonic.gdsl sums over all sources"
    if nbunch is not None and nbunch not in G and not isinstance(nbunch, _COLLECTIONS):
        return "nbunch is neither a node nor a list, tuple, set or dict of nodes"
    return _weighted(a, "distance")


@implements(refuse=_harmonic_refusal)
def harmonic_centrality(G: BackendGraph, nbunch=None, distance=None, sources=None) -> dict:
    if len(G) == 0:
        return {}
    values = run(G.form("arcs"), "harmonic")["harmonic"]
    if nbunch is None:
        return G.to_dict(values)
    nodes = [nbunch] if nbunch in G else [v for v in nbunch if v in G]
    return {v: values[G.index[v]].item() for v in nodes}
