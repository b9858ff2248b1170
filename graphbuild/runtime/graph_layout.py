"""How many bytes a graph takes in memory, from its counts alone.

The C graph (csrc/graph/graph_internal.h) stores each direction it keeps as a CSR:
offsets[n + 1] and neighbors[arcs] (and weights[arcs] when kept).  Index widths are the
narrowest that fit: neighbors are 32-bit while n <= 2^31 - 1, offsets are 32-bit while the
direction's arcs <= 2^31 - 1; 64-bit otherwise.  An undirected graph stores every input edge
as two arcs (a self-loop too) in one CSR that serves both directions; a directed graph keeps
its out-CSR always and its in-CSR (the transpose) only when a plan reads in-edges.

`graphbuild profile-memory --predict` sizes a run from these rules without loading the
graph, so they must match what C allocates (tests compare them with Graph.nbytes).
"""
from __future__ import annotations

INT32_MAX = 2**31 - 1


def index_bytes(largest: int) -> int:
    """Bytes per element of an index array whose largest value is `largest`."""
    return 4 if largest <= INT32_MAX else 8


def arcs_per_direction(edges: int, directed: bool) -> int:
    return edges if directed else 2 * edges


def csr_bytes(nodes: int, edges: int, *, directed: bool, weighted: bool, in_edges: bool) -> int:
    """Bytes of the CSR arrays: offsets, neighbors and weights of every stored direction.

    weighted: the weights are stored (the file has them and a plan reads them);
    in_edges: a directed graph's transpose is stored (ignored for undirected graphs)."""
    arcs = arcs_per_direction(edges, directed)
    one = (nodes + 1) * index_bytes(arcs) + arcs * index_bytes(nodes) + (arcs * 8 if weighted else 0)
    return one * (2 if directed and in_edges else 1)


def int_id_bytes(nodes: int) -> int:
    """Bytes of the input-id table of a graph whose ids are integers (one int64 per node)."""
    return nodes * 8
