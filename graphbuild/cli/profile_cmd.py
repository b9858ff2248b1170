"""`graphbuild profile-memory`: run a plan and show where the memory goes."""
from __future__ import annotations

import pathlib
import resource
from typing import Annotated, Any

import typer
from rich.table import Table

from ..api import compile_file
from ..plan.model import Plan
from ..runtime import Executable, Graph
from . import Algorithm, CacheDir, NoCache, OptLevel, app, dumps, guarded, open_cache, out, settings_for, warn_all
from .graph_cmd import Dedupe, GraphOpt, Ids, IdsMode, NoSelfLoops, Undirected, load_cli_graph
from .run_cmd import Params, Threads, parse_params

_ELEMENT_BYTES = {"float": 8, "int": 8, "node": 8, "bool": 1}


def graph_bytes(g: Graph) -> int:
    """Bytes of the CSR arrays (offsets, neighbors, weights), one copy per stored direction."""
    directions = 2 if g.directed else 1
    arcs = g.edge_count * (1 if g.directed else 2)
    per_direction = (g.node_count + 1) * 8 + arcs * 8 + (arcs * 8 if g.weighted else 0)
    return directions * per_direction


def memory_report(plan: Plan, g: Graph) -> dict[str, Any]:
    n = g.node_count
    names = plan.stats.get("slot_names", [])
    buffers = [{"slot": i, "dtype": d, "bytes": n * _ELEMENT_BYTES[d],
                "variables": names[i] if i < len(names) else []}
               for i, d in enumerate(plan.slots)]
    planned = sum(b["bytes"] for b in buffers)
    return {
        "algorithm": plan.algorithm,
        "nodes": n,
        "edges": g.edge_count,
        "buffers": buffers,
        "peak_bytes": planned,
        "minimum_bytes": plan.stats.get("minimum_bytes_per_node", 0) * n or planned,
        "naive_bytes": plan.stats.get("naive_bytes_per_node", 0) * n or planned,
        "graph_bytes": graph_bytes(g),
        "rss_peak_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }


@app.command("profile-memory")
@guarded
def profile_memory(
    file: Annotated[pathlib.Path, typer.Argument(help="A .gdsl program or a plan file.")],
    graph: GraphOpt = None,
    undirected: Undirected = False,
    dedupe: Dedupe = False,
    no_self_loops: NoSelfLoops = False,
    ids: Ids = IdsMode.map,
    param: Params = None,
    algorithm: Algorithm = None,
    threads: Threads = None,
    json_: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    opt_level: OptLevel = 1,
    cache_dir: CacheDir = None,
    no_cache: NoCache = False,
) -> None:
    """Run with memory accounting: each buffer, the planned peak, the graph, the process peak RSS.

    Example: graphbuild profile-memory algorithms/pagerank.gdsl --graph web.el
    """
    settings = settings_for(cache_dir, threads=threads)
    cache = open_cache(settings, no_cache)
    compiled = compile_file(file, algorithm, opt_level, cache)
    if cache is not None:
        warn_all(cache.warnings)
    g = load_cli_graph(graph, settings, no_cache, json_, undirected, dedupe, no_self_loops, ids,
                       plan=compiled.plan)
    Executable(compiled.plan).run(g, parse_params(param), threads=settings.threads,
                                  max_iterations=settings.max_iterations)
    report = memory_report(compiled.plan, g)
    if json_:
        out.print(dumps(report), markup=False)
        return
    table = Table("slot", "dtype", "bytes", "variables", title=f"{report['algorithm']}: node-vector buffers")
    for b in report["buffers"]:
        table.add_row(str(b["slot"]), b["dtype"], f"{b['bytes']:,}", ", ".join(b["variables"]))
    out.print(table)
    for name in ("peak_bytes", "minimum_bytes", "naive_bytes", "graph_bytes", "rss_peak_bytes"):
        out.print(f"{name:<16} {report[name]:>14,}", markup=False)
