"""The backend object networkx loads (the `networkx.backends` entry point): conversions, the
can_run / should_run rules, and every implemented function by its networkx name.

    nx.pagerank(G, backend="graphbuild")
    nx.config.backend_priority.algos = ["graphbuild"]   # or NETWORKX_BACKEND_PRIORITY=graphbuild
"""
from __future__ import annotations

from typing import Any

from . import centrality, components, path_centrality, traversal, triangles  # noqa: F401  (each registers its functions)
from .graph import BackendGraph
from .registry import IMPLEMENTATIONS, refusal

globals().update(IMPLEMENTATIONS)


def convert_from_nx(G: Any, edge_attrs: dict | None = None, node_attrs: dict | None = None,
                    preserve_edge_attrs: bool = False, preserve_node_attrs: bool = False,
                    preserve_graph_attrs: bool = False, name: str | None = None,
                    graph_name: str | None = None) -> BackendGraph:
    """G as the backend's graph: its arcs, and each edge attribute the call reads."""
    if isinstance(G, BackendGraph):
        return G
    return BackendGraph.from_networkx(G, edge_attrs, preserve_graph_attrs)


def convert_to_nx(obj: Any, *, name: str | None = None) -> Any:
    """A backend graph back as a networkx graph; every other result as it is."""
    if not isinstance(obj, BackendGraph):
        return obj
    import networkx as nx

    arcs = obj.arcs
    cls = {(False, False): nx.Graph, (True, False): nx.DiGraph, (False, True): nx.MultiGraph,
           (True, True): nx.MultiDiGraph}[(arcs.directed, arcs.multigraph)]
    G = cls(**obj.graph)
    G.add_nodes_from(arcs.nodes)
    src, dst = arcs.src, arcs.dst
    keep = slice(None) if arcs.directed else src <= dst   # an undirected edge from one end
    columns = {attr: w[keep].tolist() for attr, w in obj.weights.items() if w is not None}
    nodes = arcs.nodes
    for i, (u, v) in enumerate(zip(src[keep].tolist(), dst[keep].tolist())):
        G.add_edge(nodes[u], nodes[v], **{attr: values[i] for attr, values in columns.items()})
    return G


def can_run(name: str, args: tuple, kwargs: dict[str, Any]) -> bool | str:
    """True, or why not: the reason networkx logs before running its own implementation."""
    reason = refusal(name, args, kwargs)
    return True if reason is None else reason


def should_run(name: str, args: tuple, kwargs: dict[str, Any]) -> bool | str:
    """Whether running here pays for itself: a graph already converted, or one with at least
    nx.config.backends.graphbuild.min_edges edges (conversion costs more than networkx's own
    run below that)."""
    G = args[0] if args else kwargs.get("G")
    if isinstance(G, BackendGraph) or G is None:
        return True
    import networkx as nx

    try:
        min_edges = nx.config.backends.graphbuild.min_edges
    except AttributeError:
        min_edges = 0
    edges = G.number_of_edges()
    if edges < min_edges:
        return f"{edges} edges is below min_edges={min_edges}: networkx is faster on a graph this small"
    return True


__all__ = ["can_run", "convert_from_nx", "convert_to_nx", "should_run",
           *IMPLEMENTATIONS]
