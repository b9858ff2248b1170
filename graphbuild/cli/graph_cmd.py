"""`graphbuild graph info|convert`, and the graph-loading options every command shares.

The loading options (--undirected, --dedupe, --no-self-loops, --ids, and --header,
--delimiter, --columns for text edge lists) are Annotated types
used by run, profile-memory and the graph commands alike; load_cli_graph reads a graph
through the graph cache with a progress bar on stderr for loads over a second (never
under --json or when stderr is not a terminal).
"""
from __future__ import annotations

import enum
import os
import pathlib
import time
from typing import Annotated, Any, Callable, Optional

import typer
from rich.progress import (BarColumn, DownloadColumn, Progress, TaskProgressColumn, TextColumn,
                           TimeElapsedColumn)
from rich.table import Table

from ..api import resolve_graph
from ..cache.trust import CachePolicy
from ..runtime import Graph
from ..runtime.graph import LoadOptions, parse_generator
from ..profile.model import relabels
from ..runtime.graph_cache import GraphCache, graph_cache_dir, layout_key
from ..runtime.layout_rule import AUTO_MIN_HUB_SHARE, AUTO_MIN_NODES
from ..runtime.graph_io import delimiter_words, describe, guessed, ids_survive, output_format, write_graph
from ..runtime.memory import MemoryLimit, memory_limit, parse_size
from ..settings import Settings
from . import CacheDir, app, dumps, err, guarded, out, settings_for, warn_all

GraphOpt = Annotated[Optional[str], typer.Option(
    "--graph", "-g", help="Edge list (.el .txt .csv .tsv .wel) or Matrix Market (.mtx) file, optionally "
                          "gzipped, or a generator kron:SCALE[:DEGREE] / uniform:SCALE[:DEGREE]; default: "
                          "the bundled karate club graph.")]
Undirected = Annotated[bool, typer.Option(
    "--undirected", "-u", help="Treat every edge as undirected (generated graphs and symmetric .mtx "
                               "files always are).")]
Dedupe = Annotated[bool, typer.Option(
    "--dedupe", help="Drop each edge that repeats an earlier one (undirected: either way round); "
                     "the first is kept.")]
NoSelfLoops = Annotated[bool, typer.Option("--no-self-loops", help="Drop edges from a node to itself.")]


class IdsMode(str, enum.Enum):
    map = "map"
    dense = "dense"


Ids = Annotated[IdsMode, typer.Option(
    "--ids", case_sensitive=False,
    help="map: integer ids in ascending order, other ids in order of appearance (default); "
         "dense: non-negative integer ids are the node numbers 0..max id (isolated ones included).")]
class LayoutMode(str, enum.Enum):
    original = "original"
    degree = "degree"
    auto = "auto"


LayoutOpt = Annotated[Optional[LayoutMode], typer.Option(
    "--layout", case_sensitive=False,
    help="The node order of the graph in memory: auto (the default: degree for a graph of "
         f"{AUTO_MIN_NODES:,} nodes or more whose 1% highest-degree nodes hold "
         f"{AUTO_MIN_HUB_SHARE:.0%} of the arcs or more, else original), "
         "original (the input's), or degree (relabeled by descending out-degree, kept in the graph "
         "cache). Results are in input order whatever the layout; floats may differ in the last "
         "bits (docs/graphs.md \"Layout\").")]
LAYOUT_WORDS = {"original": "original (input order)",
                "degree": "degree (relabeled by descending out-degree; results in input order)"}
MaxMemory = Annotated[Optional[str], typer.Option(
    "--max-memory", metavar="SIZE",
    help="The most memory the process may use, e.g. 2G or 512M, in place of what is detected "
         "(MemAvailable, ulimit -v, the cgroup limit), higher or lower. A load or run that will "
         "not fit stops first with exit 74 (docs/memory.md).")]


def memory_budget(max_memory: Optional[str]) -> MemoryLimit | None:
    """What the process may still allocate: --max-memory SIZE, or what is detected."""
    return memory_limit(parse_size(max_memory) if max_memory is not None else None)


NoGraphCache = Annotated[bool, typer.Option("--no-cache", help="Neither read nor write the graph cache.")]
HeaderOpt = Annotated[Optional[bool], typer.Option(
    "--header/--no-header", show_default=False,
    help="The first line of an edge list is (or is not) a header of column names; default: "
         "guessed (docs/graphs.md) and said in the summary.")]
DelimiterOpt = Annotated[Optional[str], typer.Option(
    "--delimiter", "-d", metavar="CHAR",
    help="What separates an edge list's columns: one character (',', ';', '|'), tab, or space "
         "(runs of blanks); default: .csv comma, .tsv tab, else guessed from the first lines.")]
ColumnsOpt = Annotated[Optional[str], typer.Option(
    "--columns", metavar="SRC,DST[,WEIGHT]",
    help="Which columns hold the source, target and weight: 1-based numbers (2,3) or names from "
         "the header line (source,target,weight); other columns are ignored.")]


def text_options(header: Optional[bool], delimiter: Optional[str], columns: Optional[str]) -> dict[str, Any]:
    """The --header/--delimiter/--columns values as LoadOptions fields."""
    return {"header": header, "delimiter": delimiter, "columns": columns}


class LoadProgress:
    """A rich progress bar on stderr, shown once a load has run for `delay` seconds.

    Passed as the loader's progress callback even when it shows nothing, so Ctrl-C
    interrupts a load between chunks."""

    def __init__(self, label: str, enabled: bool, unit: str = "bytes", delay: float = 1.0,
                 clock: Callable[[], float] = time.monotonic):
        self.label, self.enabled, self.unit, self.delay, self.clock = label, enabled, unit, delay, clock
        self.start = clock()
        self.bar: Progress | None = None
        self.task: Any = None

    def __call__(self, done: int, total: int, edges: int) -> None:
        if not self.enabled or (self.bar is None and self.clock() - self.start < self.delay):
            return
        if self.bar is None:
            self.bar = Progress(TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(),
                                DownloadColumn() if self.unit == "bytes" else TextColumn(""),
                                TextColumn("{task.fields[edges]:,} edges"), TimeElapsedColumn(),
                                console=err, transient=True)
            self.bar.start()
            self.task = self.bar.add_task(self.label, total=total or None, edges=0)
        self.bar.update(self.task, completed=done, edges=edges)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None


def graph_in_cache(graph: Optional[str], settings: Settings, no_cache: bool, undirected: bool = False,
                   dedupe: bool = False, no_self_loops: bool = False, ids: IdsMode = IdsMode.map,
                   plan: Any = None, text: dict[str, Any] | None = None, layout: str = "original") -> bool:
    """Whether the graph cache holds a reference for this generated graph in the layout the
    load will use, so that the memory guard counts a cached graph rather than a first load
    (a reference that does not verify is a first load after all, which C's budget still
    checks as it allocates).  A load that may relabel (model.relabels: auto on a big graph)
    counts as cached only with the degree layout stored."""
    if no_cache or graph is None or os.path.exists(graph) or parse_generator(graph) is None:
        return False
    cache = GraphCache(graph_cache_dir(settings.cache_dir), policy=CachePolicy.from_settings(settings))
    options = LoadOptions(undirected=undirected, dedupe=dedupe, no_self_loops=no_self_loops,
                          ids=IdsMode(ids).value, **(text or {}))
    if plan is not None:
        options = options.for_plan(plan)
    key = cache.spec_key(graph, options)
    if relabels(layout, 1 << parse_generator(graph)[1]):
        key = layout_key(key, "degree")
    return cache.usable() and cache.path(key).is_file()


def load_cli_graph(graph: Optional[str], settings: Settings, no_cache: bool, quiet: bool,
                   undirected: bool = False, dedupe: bool = False, no_self_loops: bool = False,
                   ids: IdsMode = IdsMode.map, plan: Any = None,
                   budget: MemoryLimit | None = None, text: dict[str, Any] | None = None,
                   layout: str | None = None) -> Graph:
    """The command's graph: read through the graph cache (unless --no-cache), with a progress
    bar for slow loads unless quiet (--json) or stderr is not a terminal.  With a plan, only
    what it reads is stored (resolve_graph); the graph commands keep everything.  budget:
    the memory a load may take (runtime/memory.py), checked by C as it allocates."""
    cache = None if no_cache else GraphCache(graph_cache_dir(settings.cache_dir), threads=settings.threads,
                                             policy=CachePolicy.from_settings(settings),
                                             max_size=settings.cache_max_size)
    generated = graph is not None and not os.path.exists(graph) and parse_generator(graph) is not None
    progress = LoadProgress(f"{'generating' if generated else 'loading'} {graph}",
                            enabled=not quiet and err.is_terminal, unit="edges" if generated else "bytes")
    try:
        g = resolve_graph(graph, undirected, dedupe=dedupe, no_self_loops=no_self_loops,
                          ids=IdsMode(ids).value, cache=cache, threads=settings.threads,
                          progress=progress, plan=plan, budget=budget, layout=layout, **(text or {}))
    finally:
        progress.close()
        if cache is not None:
            warn_all(cache.warnings)
    return g


graph_app = typer.Typer(
    help="Inspect and convert graph files.\n\n"
         "Examples: graphbuild graph info edges.csv --columns source,target; "
         "graphbuild graph convert web.el web.mtx.gz",
    no_args_is_help=True)
app.add_typer(graph_app, name="graph")

Json = Annotated[bool, typer.Option("--json", help="Print the report as one JSON object.")]


def _show_info(source: str, report: dict[str, Any]) -> None:
    table = Table("property", "value", title=f"graph {source}", show_header=False)
    kind = "directed" if report["directed"] else "undirected"
    rows = [("nodes", f"{report['nodes']:,}"), ("edges", f"{report['edges']:,} ({kind})"),
            ("weights", "yes" if report["weighted"] else "no"), ("format", report["format"]),
            ("self-loops", f"{report['self_loops']:,}" + (
                f" ({report['self_loops_dropped']:,} dropped)" if report["self_loops_dropped"] else "")),
            ("duplicate edges", f"{report['duplicates']:,}" + (
                f" ({report['duplicates_dropped']:,} dropped)" if report["duplicates_dropped"] else "")),
            ("isolated nodes", f"{report['isolated_nodes']:,}")]
    if report["header_line"]:
        rows.append(("header line", f"line {report['header_line']} skipped"))
    if report["delimiter"]:
        rows.append(("columns", delimiter_words(report["delimiter"])))
    guesses = guessed(report)
    if guesses:
        rows.append(("guessed", "; ".join(guesses)))
    for direction, s in report["degree"].items():
        name = "degree" if not report["directed"] else f"{direction}-degree"
        rows.append((name, f"min {s['min']}, median {s['median']:g}, mean {s['mean']:.2f}, max {s['max']}"))
    rows.append(("hub share", f"{100 * report['hub_share']:.1f}% of the arcs leave the 1% highest-degree "
                              "nodes"))
    rows.append(("layout", LAYOUT_WORDS.get(report["layout"], report["layout"])))
    rows.append(("memory", f"{report['bytes']:,} bytes"))
    cached = {"hit": "yes (read from the graph cache)", "stored": "stored in the graph cache now"}
    rows.append(("cached", cached.get(report["cached"] or "", "no")))
    for name, value in rows:
        table.add_row(name, value)
    out.print(table)


@graph_app.command("info")
@guarded
def info(
    file: Annotated[str, typer.Argument(help="A graph file or generator spec (kron:16).")],
    undirected: Undirected = False,
    dedupe: Dedupe = False,
    no_self_loops: NoSelfLoops = False,
    ids: Ids = IdsMode.map,
    header: HeaderOpt = None,
    delimiter: DelimiterOpt = None,
    columns: ColumnsOpt = None,
    json_: Json = False,
    cache_dir: CacheDir = None,
    no_cache: NoGraphCache = False,
    layout: LayoutOpt = None,
) -> None:
    """Nodes, edges, directedness, weights, self-loops, duplicate edges, degree statistics,
    and whether the graph is in the graph cache.

    Examples:

      graphbuild graph info roads.el.gz

      graphbuild graph info web.mtx --dedupe --json

      graphbuild graph info export.csv --columns source,target,weight
    """
    settings = settings_for(cache_dir)
    g = load_cli_graph(file, settings, no_cache, json_, undirected, dedupe, no_self_loops, ids,
                       budget=memory_budget(None), text=text_options(header, delimiter, columns),
                       layout=layout.value if layout is not None else None)
    report = describe(g)
    if json_:
        out.print(dumps({"graph": file, **report}), markup=False)
    else:
        _show_info(file, report)


@graph_app.command("convert")
@guarded
def convert(
    source: Annotated[str, typer.Argument(help="The graph to read: a file or generator spec.")],
    target: Annotated[pathlib.Path, typer.Argument(
        help="The file to write: .el .txt .csv .tsv (edge list), .wel or .mtx; gzipped if it ends in .gz.")],
    undirected: Undirected = False,
    dedupe: Dedupe = False,
    no_self_loops: NoSelfLoops = False,
    ids: Ids = IdsMode.map,
    header: HeaderOpt = None,
    delimiter: DelimiterOpt = None,
    columns: ColumnsOpt = None,
    all_arcs: Annotated[bool, typer.Option(
        "--all-arcs", help="Write each undirected edge as both of its arcs (as GAP's converter does).")
    ] = False,
    cache_dir: CacheDir = None,
    no_cache: NoGraphCache = False,
) -> None:
    """Write a graph in another format.  An undirected graph's edges are written once
    (read the result back with --undirected; a .mtx file records it as symmetric).

    Examples:

      graphbuild graph convert edges.csv edges.mtx.gz

      graphbuild graph convert kron:20 kron20.el --dedupe --no-self-loops --all-arcs
    """
    fmt, _ = output_format(str(target))   # a bad name fails before the load
    settings = settings_for(cache_dir)
    start = time.perf_counter()
    g = load_cli_graph(source, settings, no_cache, False, undirected, dedupe, no_self_loops, ids,
                       budget=memory_budget(None), text=text_options(header, delimiter, columns),
                       layout="original")   # the edges in the input's order, as before
    write_graph(g, target, all_arcs=all_arcs)
    if not ids_survive(g, fmt):
        warn_all([f"Matrix Market numbers nodes 1..n: the node ids of {source} are not kept in {target}"])
    err.print(f"wrote {target} ({g.node_count:,} nodes, {g.edge_count:,} "
              f"{'directed' if g.directed else 'undirected'} edges) in "
              f"{time.perf_counter() - start:.2f} s", markup=False, highlight=False)
