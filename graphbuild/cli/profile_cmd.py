"""`graphbuild profile-memory`: run a plan (or predict a run) and show where the memory goes."""
from __future__ import annotations

import pathlib
from typing import Annotated, Any, Optional

import typer
from rich.table import Table

from ..api import compile_file
from ..profile import build_report
from ..profile.counts import predict_counts
from ..profile.model import graph_bytes, restart_rss_peak, rss_now, rss_peak
from ..profile.timeline import bars
from ..runtime import Executable
from ..runtime.graph import resolve_layout
from ..settings import human_size
from . import (Algorithm, CacheDir, NoCache, OptLevel, app, dumps, guarded, open_cache, out, settings_for,
               warn_all)
from ..profile.guard import check_before_load, check_run
from .graph_cmd import (ColumnsOpt, Dedupe, DelimiterOpt, GraphOpt, HeaderOpt, Ids, IdsMode, LayoutOpt,
                        MaxMemory, NoSelfLoops, Undirected, graph_in_cache, load_cli_graph, memory_budget,
                        text_options)
from .run_cmd import Params, Threads, parse_params

Count = Optional[int]


@app.command("profile-memory")
@guarded
def profile_memory(
    file: Annotated[pathlib.Path, typer.Argument(help="A .gdsl program or a plan file.")],
    graph: GraphOpt = None,
    undirected: Undirected = False,
    dedupe: Dedupe = False,
    no_self_loops: NoSelfLoops = False,
    ids: Ids = IdsMode.map,
    header: HeaderOpt = None,
    delimiter: DelimiterOpt = None,
    columns: ColumnsOpt = None,
    param: Params = None,
    algorithm: Algorithm = None,
    threads: Threads = None,
    predict: Annotated[bool, typer.Option(
        "--predict", help="Predict the report from the plan and the graph's size, without loading "
                          "the graph or running.")] = False,
    nodes: Annotated[Count, typer.Option("--nodes", min=0, help="With --predict: the node count.")] = None,
    edges: Annotated[Count, typer.Option("--edges", min=0, help="With --predict: the edge count.")] = None,
    json_: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    opt_level: OptLevel = 1,
    cache_dir: CacheDir = None,
    no_cache: NoCache = False,
    max_memory: MaxMemory = None,
    layout: LayoutOpt = None,
) -> None:
    """Run with memory accounting: each buffer and its live range, the planned peak against the
    theoretical minimum and a buffer per variable, the graph, the process peak RSS, a timeline.

    Examples: graphbuild profile-memory algorithms/pagerank.gdsl --graph web.el;
    graphbuild profile-memory algorithms/bfs.gdsl -g kron:24 --predict
    """
    settings = settings_for(cache_dir, threads=threads)
    memory = None if predict else memory_budget(max_memory)
    cache = open_cache(settings, no_cache)
    plan = compile_file(file, algorithm, opt_level, cache).plan
    if cache is not None:
        warn_all(cache.warnings)
    Executable(plan)   # C validates a plan file before anything reads it (a bad one: exit 65)
    baseline = rss_now()
    asked = resolve_layout(layout.value if layout is not None else None)
    if predict:
        c = predict_counts(graph, undirected=undirected, nodes=nodes, edges=edges)
        report = build_report(plan, nodes=c.nodes, edges=c.edges, directed=c.directed, weighted=c.weighted,
                              threads=settings.threads, baseline_rss=baseline,
                              graph_parts=graph_bytes(plan, c.nodes, c.edges, directed=c.directed,
                                                      weighted=c.weighted), counts=c, layout=asked)
    else:
        cached = graph_in_cache(graph, settings, no_cache, undirected, dedupe, no_self_loops, ids,
                                plan=plan, text=text_options(header, delimiter, columns), layout=asked)
        check_before_load(plan, graph, undirected=undirected, threads=settings.threads, limit=memory,
                          results=False, cached=cached, layout=asked)
        g = load_cli_graph(graph, settings, no_cache, json_, undirected, dedupe, no_self_loops, ids,
                           plan=plan, budget=memory, text=text_options(header, delimiter, columns),
                           layout=asked)
        check_run(plan, g, threads=settings.threads, limit=memory_budget(max_memory), results=False)
        scope = "run" if restart_rss_peak() else "process"
        # the run as it is, without turning its columns into Python values (`run` does that)
        Executable(plan).run_trials(g, parse_params(param), 1, threads=settings.threads,
                                    max_iterations=settings.max_iterations, collect=False)
        report = build_report(plan, nodes=g.node_count, edges=g.edge_count, directed=g.directed,
                              weighted=g.weighted, threads=settings.threads, baseline_rss=baseline,
                              graph_parts={"graph_bytes": g.nbytes}, measured_rss=rss_peak(),
                              rss_scope=scope)
    if json_:
        out.print(dumps(report), markup=False)
    else:
        show(report)


def _spans(spans: list[list[int]]) -> str:
    return ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in spans)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _fold(table: Table) -> None:
    """Long names and notes wrap onto more lines; rich would otherwise cut them with '…'."""
    for column in table.columns:
        column.overflow = "fold"


def show(r: dict[str, Any]) -> None:
    kind = "predicted" if r["mode"] == "predicted" else "measured"
    buffers = Table("slot", "holds", "dtype", "bytes", "first write", "live (plan ops)", "source lines",
                    title=f"{r['algorithm']}: node-vector buffers, {r['nodes']:,} nodes ({kind})")
    for b in r["buffers"]:
        buffers.add_row(f"s{b['slot']}", ", ".join(b["variables"]) or "(temporary)", b["dtype"],
                        human_size(b["bytes"]), str(b["first_write_pc"]), _spans(b["live"]),
                        ", ".join(map(str, b["source_lines"])))
    _fold(buffers)
    out.print(buffers)
    summary = Table("", "bytes", "", title="memory", show_header=False)
    rows = [
        ("planned buffer peak", r["peak_bytes"],
         "Every buffer at once: the pool allocates them as one block."),
        ("theoretical minimum", r["minimum_bytes"], "The most values live at any one moment."),
        ("one buffer per variable", r["naive_bytes"], "What a buffer for every variable would take."),
        ("saved by reuse", r["saved_bytes"],
         f"{_count(r['inplace_updates'], 'update')} made in place, {_count(r['swaps'], 'buffer swap')}, "
         f"and {_count(r['swaps_removed'] + r['copies_removed'], 'move')} made free."),
        ("graph", r["graph_bytes"], "The CSR, the weights and the id map."),
        ("executor scratch", r["scratch_bytes"], f"Scratch space of {_count(r['threads'], 'worker')}."),
        ("incremental passes", r["incremental_bytes"], "Inputs and results kept between passes."),
        ("sources side by side", r["sources_bytes"],
         "Each worker's own slots and kernel state, and a batch of passes' accumulator values."),
        ("common neighbors", r["common_bytes"], "common(u)'s sorted adjacency and triangle counts."),
        ("process before the graph", r["baseline_rss_bytes"], "The interpreter, graphbuild and the plan."),
        ("predicted peak RSS", r["predicted_rss_bytes"],
         "The process, the graph, the buffers, the scratch and the incremental state."),
    ]
    if r["load_peak_bytes"]:
        rows += [("first load", r["load_peak_bytes"],
                  "The edge arrays and the CSR build, before the graph is cached."),
                 ("predicted peak RSS of `run`, first load", r["first_load_rss_bytes"],
                  "The process and the larger of the first load and the run with its result columns."),
                 ("memory `run` needs, first load", r["first_load_need_bytes"],
                  "The peak less the process before the graph: what the memory guard checks."),
                 ("memory `run` needs, cached graph", r["cached_need_bytes"],
                  "The same with the graph in the graph cache.")]
    if r["mode"] == "measured":
        rows.append(("peak RSS", r["rss_peak_bytes"],
                     "Measured from the loaded graph to the end of the run." if r["rss_peak_scope"] == "run"
                     else "Measured over the whole process, building the graph included."))
    rows.append(("result columns", r["results_bytes"],
                 "Not part of this run: what `run` adds as Python lists."))
    for label, value, note in rows:
        summary.add_row(label, human_size(value), note)
    _fold(summary)
    out.print(summary)
    chart = Table("plan ops", "source lines", "live bytes", "", title="live buffer bytes over the plan")
    for row in bars(r["timeline"], width=max(10, out.width - 50)):
        a, b = row["pcs"]
        chart.add_row(f"{a}" if a == b else f"{a}-{b}", ", ".join(map(str, row["lines"])),
                      human_size(row["bytes"]), row["bar"])
    out.print(chart)
