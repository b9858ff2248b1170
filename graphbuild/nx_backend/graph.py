"""The backend's graph: a networkx graph's arcs, and the graphbuild graphs built from them.

    bg = BackendGraph.from_networkx(G, {"weight": 1})   # what convert_from_nx returns
    bg.form("arcs")            # directed: the adjacency as arcs (an undirected edge both ways,
                               # a self-loop once): networkx's adjacency matrix
    bg.form("edges", "weight") # graphbuild's own reading: an undirected graph with each edge
                               # once (a self-loop is then degree 2, as networkx counts it)

Forms are built in C on first use and kept, so a graph converted once (networkx caches it in
G.__networkx_cache__) is built once per form, not once per call.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..api.graph import Graph
from ..runtime import Graph as CGraph
from ..settings import default_threads
from .convert import Arcs, adjacency_arrays, edge_attribute


class BackendGraph:
    __networkx_backend__ = "graphbuild"

    def __init__(self, arcs: Arcs, weights: dict[str, np.ndarray | None], graph_attrs: dict[str, Any]):
        self.arcs = arcs
        self.weights = weights          # edge attribute -> one float64 per arc (None: all 1)
        self.graph = graph_attrs        # networkx's G.graph
        self.__networkx_cache__: dict[str, Any] = {}
        self._forms: dict[tuple[str, str | None], Graph] = {}
        self._index: dict[Any, int] | None = None
        self._offsets: np.ndarray | None = None

    @classmethod
    def from_networkx(cls, G: Any, edge_attrs: dict[str, Any] | None = None,
                      graph_attrs: bool = False) -> BackendGraph:
        """G's arcs, and each attribute in edge_attrs ({name: default}) as a weight array."""
        arcs = adjacency_arrays(G)
        weights = {name: edge_attribute(G, name, 1.0 if default is None else default, len(arcs.dst))
                   for name, default in (edge_attrs or {}).items()}
        return cls(arcs, weights, dict(G.graph) if graph_attrs else {})

    # ---- what networkx asks of a graph ----

    @property
    def nodes(self) -> list[Any]:
        return self.arcs.nodes

    def __len__(self) -> int:
        return self.arcs.n

    def __iter__(self):
        return iter(self.arcs.nodes)

    def __contains__(self, node: Any) -> bool:
        try:
            return node in self.index
        except TypeError:   # unhashable: not a node
            return False

    def is_directed(self) -> bool:
        return self.arcs.directed

    def is_multigraph(self) -> bool:
        return self.arcs.multigraph

    def number_of_nodes(self) -> int:
        return self.arcs.n

    def number_of_edges(self) -> int:
        arcs = self.arcs
        if arcs.directed:
            return len(arcs.src)
        return int(np.count_nonzero(arcs.src < arcs.dst) + np.count_nonzero(arcs.src == arcs.dst))

    @property
    def offsets(self) -> np.ndarray:
        """Where each node's arcs start in arcs.src / arcs.dst (n + 1 entries)."""
        if self._offsets is None:
            self._offsets = self.arcs.offsets()
        return self._offsets

    @property
    def index(self) -> dict[Any, int]:
        if self._index is None:
            self._index = dict(zip(self.arcs.nodes, range(self.arcs.n)))
        return self._index

    # ---- for the algorithms ----

    def weights_for(self, weight: str | None) -> np.ndarray | None:
        """The arcs' weights under attribute `weight`, or None when every one is 1 (or there is
        no such attribute): the unweighted programs then give the same answer."""
        w = self.weights.get(weight) if weight is not None else None
        return None if w is None or bool(np.all(w == 1.0)) else w

    def form(self, kind: str, weight: str | None = None) -> Graph:
        """The graphbuild graph of kind "arcs" or "edges" (see the module docstring), weighted
        by attribute `weight` unless its weights are all 1."""
        w = self.weights_for(weight)
        key = (kind, weight if w is not None else None)
        if key not in self._forms:
            arcs = self.arcs
            src, dst = arcs.src, arcs.dst
            directed = arcs.directed or kind == "arcs"
            if not directed:        # each undirected edge once: the arc from its smaller end
                keep = src <= dst
                src, dst = src[keep], dst[keep]
                w = w[keep] if w is not None else None
            self._forms[key] = Graph(CGraph.from_arrays(arcs.n, src, dst, w, directed,
                                                        threads=threads()))
        return self._forms[key]

    def to_dict(self, values: np.ndarray, keep: np.ndarray | None = None) -> dict[Any, Any]:
        """{node: value} in node order (only where keep is true), values as Python scalars."""
        nodes = self.arcs.nodes
        if keep is None:
            return dict(zip(nodes, values.tolist()))
        where = np.flatnonzero(keep)
        return dict(zip(map(nodes.__getitem__, where.tolist()), values[where].tolist()))

    def __repr__(self) -> str:
        kind = "directed" if self.arcs.directed else "undirected"
        return f"<graphbuild backend graph, {kind}, {self.arcs.n} nodes, {len(self.arcs.src)} arcs>"


def threads() -> int:
    """Worker threads: nx.config.backends.graphbuild.threads, else every core."""
    import networkx as nx

    try:
        configured = nx.config.backends.graphbuild.threads
    except AttributeError:
        configured = None
    return configured or default_threads()


__all__ = ["BackendGraph", "threads"]
