"""`graphbuild run`: compile on a cache miss, load the graph, execute, show the results."""
from __future__ import annotations

import pathlib
import statistics
import time
from typing import Annotated, Any, Optional

import numpy as np
import typer
from rich.table import Table

from ..api import compile_file
from ..errors import ErrorKind, GraphbuildError
from ..output import STDOUT, Rows, collect_rows, id_text, print_object, save_rows, top_indices
from ..runtime import Executable, Result
from ..runtime.executor import Trials
from ..runtime.graph import LoadOptions, resolve_layout
from ..profile.guard import check_before_load, check_run
from ..runtime.graph_io import guessed
from . import (Algorithm, CacheDir, NoCache, OptLevel, app, elapsed_ms, err, guarded, open_cache,
               out, settings_for, warn_all)
from .graph_cmd import (ColumnsOpt, Dedupe, DelimiterOpt, GraphOpt, HeaderOpt, Ids, IdsMode, LayoutOpt,
                        MaxMemory, NoSelfLoops, Undirected, graph_in_cache, load_cli_graph, memory_budget,
                        text_options)
from .spark_cmd import Engine, EngineOpt, SparkConf, SparkMaster, check_engine_flags, run_on_spark

Params = Annotated[Optional[list[str]], typer.Option(
    "--param", "-p", help="A parameter as NAME=VALUE; repeatable. Node parameters take the graph's own ids.")]
Threads = Annotated[Optional[int], typer.Option(
    "--threads", "-t", min=1, help="Worker threads (default: GRAPHBUILD_THREADS or all cores).")]
MaxIter = Annotated[Optional[int], typer.Option(
    "--max-iterations", min=1, help="Stop a while loop after this many passes (default 1000000).")]
TrialCount = Annotated[Optional[int], typer.Option(
    "--trials", min=1, help="Run the plan K times on the loaded graph and print each run's time, "
                            "GAPBS-style, with the min and median (in --json: under \"timings\").")]


def parse_params(items: list[str] | None) -> dict[str, str]:
    params: dict[str, str] = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise GraphbuildError(f"--param takes NAME=VALUE, got '{item}'", kind=ErrorKind.USAGE)
        params[name.strip()] = value
    return params


@app.command("run")
@guarded
def run_command(
    file: Annotated[pathlib.Path, typer.Argument(help="A .gdsl program or a plan file (.json).")],
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
    output: Annotated[Optional[str], typer.Option(
        "--output", "-o", help="Write every row to a .csv, .tsv, .json or .jsonl file; - writes "
                               "them to stdout.")] = None,
    format_: Annotated[Optional[str], typer.Option(
        "--format", "-f", metavar="csv|tsv|json|jsonl",
        help="The format of --output (default: the file's suffix; csv for -).")] = None,
    json_: Annotated[bool, typer.Option("--json", help="Print the results as one JSON object.")] = False,
    top: Annotated[int, typer.Option("--top", min=0, help="Rows to show in the table.")] = 10,
    max_iterations: MaxIter = None,
    trials: TrialCount = None,
    opt_level: OptLevel = 1,
    cache_dir: CacheDir = None,
    no_cache: NoCache = False,
    recache: Annotated[bool, typer.Option(
        "--recache", help="Compile even on a cache hit (and store the new plan).")] = False,
    engine: EngineOpt = Engine.c,
    spark_master: SparkMaster = None,
    spark_conf: SparkConf = None,
    max_memory: MaxMemory = None,
    layout: LayoutOpt = None,
) -> None:
    """Run an algorithm on a graph and show the results.

    Examples:

      graphbuild run algorithms/pagerank.gdsl

      graphbuild run algorithms/bfs.gdsl --graph roads.txt --undirected --param source=42

      graphbuild run algorithms/pagerank.gdsl -g web.el.gz -p damping=0.9 --output ranks.csv

      graphbuild run algorithms/connected_components.gdsl -g kron:16 --dedupe --no-self-loops

      graphbuild run pagerank -g export.csv --columns source,target --undirected

      graphbuild run pagerank -g kron:20 --layout degree

      graphbuild run algorithms/pagerank.gdsl --engine spark -g hdfs:///web.parquet -o ranks.parquet

    A graph or run that will not fit in memory (MemAvailable, ulimit -v, the cgroup limit, or
    --max-memory SIZE) is refused before it is allocated, with exit 74.
    """
    params = parse_params(param)
    check_engine_flags(engine, spark_master, spark_conf, trials,
                       layout.value if layout is not None else None)
    memory = memory_budget(max_memory)   # a bad SIZE is a usage error before any work
    settings = settings_for(cache_dir, threads=threads, max_iterations=max_iterations)
    cache = open_cache(settings, no_cache)

    start = time.perf_counter()
    compiled = compile_file(file, algorithm, opt_level, cache, recache=recache)
    compile_ms = elapsed_ms(start)
    if cache is not None:
        warn_all(cache.warnings)
    if engine is Engine.spark:
        load = LoadOptions(undirected, dedupe, no_self_loops, IdsMode(ids).value,
                           **text_options(header, delimiter, columns))
        run_on_spark(compiled, compile_ms, graph, load, params, settings, spark_master, spark_conf, output,
                     json_, top)
        return

    asked = resolve_layout(layout.value if layout is not None else None)
    cached = graph_in_cache(graph, settings, no_cache, undirected, dedupe, no_self_loops, ids,
                            plan=compiled.plan, text=text_options(header, delimiter, columns), layout=asked)
    check_before_load(compiled.plan, graph, undirected=undirected, threads=settings.threads, limit=memory,
                      cached=cached, layout=asked)
    start = time.perf_counter()
    g = load_cli_graph(graph, settings, no_cache, json_, undirected, dedupe, no_self_loops, ids,
                       plan=compiled.plan, budget=memory, text=text_options(header, delimiter, columns),
                       layout=asked)
    load_ms = elapsed_ms(start)
    check_run(compiled.plan, g, threads=settings.threads, limit=memory_budget(max_memory))

    start = time.perf_counter()
    executable = Executable(compiled.plan)
    build_ms = elapsed_ms(start)
    start = time.perf_counter()
    runs = executable.run_trials(g, params, trials or 1, threads=settings.threads,
                                 max_iterations=settings.max_iterations, collect=collect_rows)
    rows = runs.result
    run_ms = elapsed_ms(start)

    if format_ is not None and not output:
        raise GraphbuildError("--format goes with --output (e.g. --output - --format jsonl)",
                              kind=ErrorKind.USAGE)
    if output:
        save_rows(rows, output, format_, threads=settings.threads)
        if output == STDOUT:
            return
    timings = {"compile_ms": round(compile_ms, 3), "cache_hit": compiled.cache_hit,
               "load_ms": round(load_ms, 3), "graph_cache": g.cache_status, "run_ms": round(run_ms, 3)}
    if trials:
        timings.update(trial_timings(build_ms, runs, settings.threads))
    graph_info = {"nodes": g.node_count, "edges": g.edge_count, "directed": g.directed,
                  "guessed": guessed(g.stats), "layout": g.layout}
    warn_unconverged(rows)
    if json_:
        print_object(rows, {"graph": graph_info, "timings": timings, "loops": rows.loops},
                     threads=settings.threads)
        return
    show_result(rows, top)
    if trials:
        print_trials(load_ms, compile_ms, compiled.cache_hit, build_ms, runs)
        return
    source = graph or "bundled karate club graph"
    kind = "directed" if g.directed else "undirected"
    guesses = guessed(g.stats)
    err.print(f"{rows.algorithm} on {source} ({g.node_count} nodes, {g.edge_count} {kind} edges"
              + (f"; guessed: {'; '.join(guesses)}" if guesses else "") + "): "
              f"{_plan_source(compiled)} {compile_ms:.1f} ms, "
              f"load {load_ms:.1f} ms{' (graph cache hit)' if g.cache_status == 'hit' else ''}"
              + (f" ({g.layout} layout)" if g.layout != "original" else "") + ", "
              f"run {run_ms:.1f} ms"
              + (f"; wrote {output}" if output else ""), markup=False)


def _plan_source(compiled: Any) -> str:
    """How the plan was had: a plan file is read, not compiled."""
    if compiled.key is None:
        return "plan file read"
    return "cache hit" if compiled.cache_hit else "compiled"


def warn_unconverged(result: Rows | Result) -> None:
    """A `repeat N until C` loop that stopped at N without meeting C says so on stderr."""
    for loop in result.loops:
        if not loop["converged"]:
            line = f"line {loop['line']}: " if loop["line"] is not None else ""
            err.print(f"[yellow]warning:[/] {line}the repeat loop stopped after {loop['passes']} passes "
                      "without meeting its until condition (raise the count to let it converge)",
                      markup=True)


def trial_timings(build_ms: float, runs: Trials, threads: int) -> dict[str, Any]:
    """What --trials adds to --json's "timings", in ms (min and median of the listed trials)."""
    trials_ms = [round(s * 1000.0, 3) for s in runs.seconds]
    return {"plan_build_ms": round(build_ms, 3), "threads": threads, "trials_ms": trials_ms,
            "trial_min_ms": min(trials_ms), "trial_median_ms": round(statistics.median(trials_ms), 3)}


def print_trials(load_ms: float, compile_ms: float, cache_hit: bool, build_ms: float, runs: Trials) -> None:
    """A fixed-width, grep-able block as GAPBS prints it: seconds, one line per trial.  Load
    is reading the graph and building its CSR (one call into C); plan build is validating the
    plan in C (gb_plan_create); trials time only the call that runs the plan."""
    lines = [("Load Time", load_ms / 1000.0),
             ("Cache Hit Time" if cache_hit else "Compile Time", compile_ms / 1000.0),
             ("Plan Build Time", build_ms / 1000.0)]
    lines += [("Trial Time", s) for s in runs.seconds]
    lines += [("Min Trial Time", runs.min), ("Median Trial Time", runs.median)]
    for label, seconds in lines:
        err.print(f"{label + ':':<21}{seconds:.5f}", markup=False)


def show_result(result: Rows | Result, top: int, total: int | None = None) -> None:
    """The top rows by the first output column (a partition, not a sort of every row), then
    the summary values.  On a terminal a table; otherwise plain text a program can read:
    a header line and one line per row, columns separated by two spaces, nothing cut.
    total: the rows there are, when result holds only some (the Spark engine collects the top)."""
    rows = result if isinstance(result, Rows) else Rows.from_result(result)
    names = list(rows.columns)
    if names and top > 0:
        by = names[0]
        node_ids = rows.ids if rows.dtypes[by] == "node" else None
        order = top_indices(rows.columns[by], top, node_ids).tolist()
        header = ["node", *names]
        lines = [[_fmt(id_text(rows.ids[i].item() if rows.ids.dtype != object else rows.ids[i])),
                  *(_fmt(_cell(rows, name, i)) for name in names)] for i in order]
        if out.is_terminal:
            title = f"{rows.algorithm}: top {len(order)} of {total or rows.count} by {by}"
            table = Table(*header, title=title)
            for line in lines:
                table.add_row(*line, end_section=False)
            out.print(table)
        else:
            widths = [max(len(c) for c in column) for column in zip(header, *lines)]
            for line in [header, *lines]:
                out.print("  ".join(c.ljust(w) for c, w in zip(line, widths)).rstrip(), markup=False,
                          crop=False, overflow="ignore")
    for name, value in rows.values.items():
        out.print(f"{name} = {_fmt(id_text(value))}", markup=False, crop=False, overflow="ignore")


def _cell(rows: Rows, name: str, i: int) -> Any:
    """Row i of a column as a Python value: a node-typed one as the id (None: no node)."""
    v = rows.columns[name][i].item()
    if rows.dtypes[name] != "node":
        return v
    if not 0 <= v < rows.count:
        return None
    node = rows.ids[v]
    return id_text(node.item() if isinstance(node, np.generic) else node)


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    if value is None:
        return "-"
    return str(value)
