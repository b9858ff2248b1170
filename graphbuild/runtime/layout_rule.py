"""`--layout auto`: which layout a graph gets, from its size and degree skew (docs/graphs.md
"Layout", where the rule's figures are; bench/layout_algos.py measures them).

The degree layout pays off when a pull loop's random reads of x[u] miss the cache and a few
hubs take most of them: sorting the hubs together keeps their values in a few lines.  So
auto relabels a graph whose node values do not fit in a core's cache and whose degrees are
skewed; otherwise it keeps the input order (and today's bits)."""
from __future__ import annotations

import numpy as np

from .native import ffi, lib

# The `auto` rule's two thresholds (docs/graphs.md "Layout" has the measurements behind them).
AUTO_MIN_NODES = 1 << 17      # 1 MiB of float64 node values: past a core's L2 share
AUTO_MIN_HUB_SHARE = 0.10     # the top 1% of nodes hold at least 10% of the arcs


def degree_skew(graph) -> float:
    """The share of the arcs whose tail is one of the 1% of nodes (at least one) with the
    highest out-degree: where a pull loop's reads of x[u] concentrate.  0 with no arcs."""
    n = graph.node_count
    if n == 0:
        return 0.0
    offsets_p, neighbors_p = ffi.new("void **"), ffi.new("void **")
    weights_p, ob, nb = ffi.new("double **"), ffi.new("int *"), ffi.new("int *")
    lib.gb_graph_csr(graph.handle, lib.GB_DIR_OUT, offsets_p, neighbors_p, weights_p, ob, nb)
    offsets = np.frombuffer(ffi.buffer(offsets_p[0], (n + 1) * ob[0]),
                            dtype=np.int32 if ob[0] == 4 else np.int64)
    arcs = int(offsets[-1])
    if arcs == 0:
        return 0.0
    k = max(1, n // 100)
    return float(np.partition(np.diff(offsets), n - k)[n - k:].sum()) / arcs


def auto_layout(graph) -> str:
    """The layout `auto` picks for graph (in any layout: relabeling keeps the degrees)."""
    if graph.node_count < AUTO_MIN_NODES:
        return "original"
    return "degree" if degree_skew(graph) >= AUTO_MIN_HUB_SHARE else "original"
