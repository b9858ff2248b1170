"""The profile-memory report: a plain dict built from a plan, the graph's counts and, for a
measured run, what the process saw.

Buffer records and the timeline come from plan.stats (plan/buffers.py) as stats.py checks
them; a plan without them, or with malformed ones, gets them computed here.  Bytes are per
run on this graph: a buffer of n elements of its size class.
"""
from __future__ import annotations

from typing import Any

from ..plan.model import Plan
from . import model
from .counts import Counts
from .stats import checked_stats
from .timeline import timeline


def build_report(plan: Plan, *, nodes: int, edges: int, directed: bool, weighted: bool, threads: int,
                 graph_parts: dict[str, int], baseline_rss: int,
                 measured_rss: int | None = None, rss_scope: str = "run",
                 counts: Counts | None = None, layout: str = "original") -> dict[str, Any]:
    """graph_parts: {"csr_bytes", "id_bytes"} (predicted) or {"graph_bytes"} (a loaded
    graph's own count); measured_rss: the run's peak RSS, None for a prediction; rss_scope:
    "run" when that peak was counted from the loaded graph on, "process" when building the
    graph is in it too; counts: the graph's counts and source, for a prediction: the first
    load's figures are then model.need_bytes, the ones the memory guard checks (without
    them, measured runs, the first load is taken to be the run); layout: the one asked for,
    whose relabel the prediction counts (model.need_bytes)."""
    st = checked_stats(plan)
    per_node = st["live_bytes_per_node"]
    buffers = [{**r, "bytes": nodes * r["size_class"]} for r in st["buffers"]]
    peak = sum(b["bytes"] for b in buffers)
    minimum = nodes * st["minimum_bytes_per_node"]
    naive = nodes * st["naive_bytes_per_node"]
    graph = graph_parts.get("graph_bytes", graph_parts.get("csr_bytes", 0) + graph_parts.get("id_bytes", 0))
    parts = {
        "baseline_rss_bytes": baseline_rss,
        "graph_bytes": graph,
        "pool_bytes": model.buffer_bytes(plan, nodes),
        "scratch_bytes": model.scratch_bytes(plan, nodes, threads),
        "incremental_bytes": model.incremental_bytes(plan, nodes),
        "sources_bytes": model.sources_bytes(plan, nodes, threads),
        "common_bytes": model.common_bytes(plan, nodes, edges, threads),
    }
    predicted = sum(parts.values())
    results = model.results_bytes(plan, nodes)
    # `graphbuild run` on a graph not yet in the graph cache: the graph is first built beside
    # its edge arrays (freed once it is built), then the run converts its columns.
    baseline = parts["baseline_rss_bytes"]
    if counts is not None:
        load_peak = model.load_peak_bytes(plan, counts.nodes, counts.edges, directed=counts.directed,
                                          weighted=counts.weighted, source=counts.source, threads=threads)
        first_need = model.need_bytes(plan, counts, threads, first_load=True, results=True,
                                       layout=layout)
        cached_need = model.need_bytes(plan, counts, threads, first_load=False, results=True, layout=layout)
    else:
        load_peak, first_need = 0, predicted - baseline + results
        cached_need = first_need
    first_load = baseline + first_need
    return {
        "algorithm": plan.algorithm,
        "mode": "predicted" if measured_rss is None else "measured",
        "nodes": nodes,
        "edges": edges,
        "directed": directed,
        "weighted": weighted and plan.needs_weights,
        "reads_in_edges": model.plan_reads_in_edges(plan),
        "threads": threads,
        "buffers": buffers,
        "peak_bytes": peak,
        "minimum_bytes": minimum,
        "naive_bytes": naive,
        "saved_bytes": naive - peak,
        "inplace_updates": st.get("inplace", 0),
        "swaps": st.get("swaps", 0),
        "swaps_removed": st.get("swaps_removed", 0),
        "copies_removed": st.get("copies_removed", 0),
        **graph_parts,
        **parts,
        "predicted_rss_bytes": predicted,
        "load_peak_bytes": load_peak,
        "first_load_rss_bytes": first_load,
        # what the memory guard of `run` checks: the bytes past the baseline, first load or cached
        "first_load_need_bytes": first_need,
        "layout": layout,
        "cached_need_bytes": cached_need,
        # not part of the profiled run: `graphbuild run` converts the columns to Python values
        "results_bytes": results,
        "rss_peak_bytes": first_load if measured_rss is None else measured_rss,
        "rss_peak_scope": "predicted" if measured_rss is None else rss_scope,
        "timeline": timeline(plan, per_node, nodes),
    }
