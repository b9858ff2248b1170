"""The memory guard of `graphbuild run` and `profile-memory` (docs/memory.md, "The memory guard").

Before a graph is loaded, a generator's counts size the graph and the run, which must fit
what the process may still allocate (runtime/memory.py): model.need_bytes, the figure
`profile-memory --predict` reports for the same situation (a first load, whose edge arrays
and CSR build come first, or a graph already in the graph cache).  The load itself is
checked by C against the same limit, before each allocation (gb_load_options.max_bytes).  Once the graph
is there, the run's own bytes (pool, scratch, incremental copies, result columns) must fit
what is left.  Each refusal is one message naming the bytes needed and available, exit 74.
"""
from __future__ import annotations

import os

from ..plan.model import Plan
from ..runtime import Graph
from ..runtime.graph import parse_generator
from ..runtime.memory import MemoryLimit, check_fits
from .counts import predict_counts
from .model import need_bytes, run_bytes


def check_before_load(plan: Plan, graph: str | None, *, undirected: bool, threads: int,
                      limit: MemoryLimit | None, results: bool = True, cached: bool = False,
                      layout: str = "original") -> None:
    """A generated graph and the run on it must fit, before anything is generated (a file's
    counts are known only once C reads its size line or its edges: C checks those).
    cached: the graph cache holds the graph (no first load); results: `run` converts the
    result columns to Python values (profile-memory does not); layout: the one asked for
    (graph.resolve_layout), whose relabel model.need_bytes counts."""
    if limit is None or graph is None or os.path.exists(graph) or parse_generator(graph) is None:
        return
    c = predict_counts(graph, undirected=undirected)
    need = need_bytes(plan, c, threads, first_load=not cached, results=results, layout=layout)
    check_fits(need, limit, f"running {plan.algorithm} on {graph} ({c.nodes:,} nodes, {c.edges:,} edges"
                            f"{', cached' if cached else ', first load'})")


def check_run(plan: Plan, g: Graph, *, threads: int, limit: MemoryLimit | None,
              results: bool = True) -> None:
    """The run's own bytes on the loaded graph must fit what is left."""
    need = run_bytes(plan, g.node_count, threads, edges=g.edge_count, results=results)
    check_fits(need, limit, f"running {plan.algorithm} on a graph of {g.node_count:,} nodes")
