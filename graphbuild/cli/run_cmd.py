"""`graphbuild run`: compile on a cache miss, load the graph, execute, show the results."""
from __future__ import annotations

import math
import pathlib
import statistics
import time
from typing import Annotated, Any, Optional

import typer
from rich.table import Table

from ..api import compile_file
from ..errors import ErrorKind, GraphbuildError
from ..output import result_object, write_result
from ..runtime import Executable, Result
from ..runtime.executor import Trials
from ..runtime.graph import LoadOptions
from . import (Algorithm, CacheDir, NoCache, OptLevel, app, dumps, elapsed_ms, err, guarded, open_cache,
               out, settings_for, warn_all)
from .graph_cmd import Dedupe, GraphOpt, Ids, IdsMode, NoSelfLoops, Undirected, load_cli_graph
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
    param: Params = None,
    algorithm: Algorithm = None,
    threads: Threads = None,
    output: Annotated[Optional[str], typer.Option(
        "--output", "-o", help="Write every row to a .csv, .tsv, .json or .jsonl file.")] = None,
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
) -> None:
    """Run an algorithm on a graph and show the results.

    Examples:

      graphbuild run algorithms/pagerank.gdsl

      graphbuild run algorithms/bfs.gdsl --graph roads.txt --undirected --param source=42

      graphbuild run algorithms/pagerank.gdsl -g web.el.gz -p damping=0.9 --output ranks.csv

      graphbuild run algorithms/connected_components.gdsl -g kron:16 --dedupe --no-self-loops

      graphbuild run algorithms/pagerank.gdsl --engine spark -g hdfs:///web.parquet -o ranks.parquet
    """
    params = parse_params(param)
    check_engine_flags(engine, spark_master, spark_conf, trials)
    settings = settings_for(cache_dir, threads=threads, max_iterations=max_iterations)
    cache = open_cache(settings, no_cache)

    start = time.perf_counter()
    compiled = compile_file(file, algorithm, opt_level, cache, recache=recache)
    compile_ms = elapsed_ms(start)
    if cache is not None:
        warn_all(cache.warnings)
    if engine is Engine.spark:
        load = LoadOptions(undirected, dedupe, no_self_loops, IdsMode(ids).value)
        run_on_spark(compiled, compile_ms, graph, load, params, settings, spark_master, spark_conf, output,
                     json_, top)
        return

    start = time.perf_counter()
    g = load_cli_graph(graph, settings, no_cache, json_, undirected, dedupe, no_self_loops, ids,
                       plan=compiled.plan)
    load_ms = elapsed_ms(start)

    start = time.perf_counter()
    executable = Executable(compiled.plan)
    build_ms = elapsed_ms(start)
    start = time.perf_counter()
    runs = executable.run_trials(g, params, trials or 1, threads=settings.threads,
                                 max_iterations=settings.max_iterations)
    result = runs.result
    run_ms = elapsed_ms(start)

    if output:
        write_result(result, output)
    timings = {"compile_ms": round(compile_ms, 3), "cache_hit": compiled.cache_hit,
               "load_ms": round(load_ms, 3), "graph_cache": g.cache_status, "run_ms": round(run_ms, 3)}
    if trials:
        timings.update(trial_timings(build_ms, runs, settings.threads))
    graph_info = {"nodes": g.node_count, "edges": g.edge_count, "directed": g.directed}
    warn_unconverged(result)
    if json_:
        out.print(dumps(result_object(result, {"graph": graph_info, "timings": timings,
                                               "loops": result.loops})), markup=False)
        return
    show_result(result, top)
    if trials:
        print_trials(load_ms, compile_ms, compiled.cache_hit, build_ms, runs)
        return
    source = graph or "bundled karate club graph"
    err.print(f"{result.algorithm} on {source} ({g.node_count} nodes, {g.edge_count} edges): "
              f"{'cache hit' if compiled.cache_hit else 'compiled'} {compile_ms:.1f} ms, "
              f"load {load_ms:.1f} ms{' (graph cache hit)' if g.cache_status == 'hit' else ''}, "
              f"run {run_ms:.1f} ms"
              + (f"; wrote {output}" if output else ""), markup=False)


def warn_unconverged(result: Result) -> None:
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


def _sort_key(value: Any) -> tuple:
    """Largest first; None and NaN last."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return (1, 0)
    if isinstance(value, str):
        return (0, value)
    return (0, -float(value))


def show_result(result: Result, top: int, total: int | None = None) -> None:
    """A table of the top rows by the first output column, then the summary values; total:
    the rows there are, when result holds only some (the Spark engine collects the top)."""
    names = list(result.columns)
    if len(names) > 1 and top > 0:
        first = result.columns[names[1]]
        order = sorted(range(len(first)), key=lambda i: _sort_key(first[i]))[:top]
        title = f"{result.algorithm}: top {len(order)} of {total or len(first)} by {names[1]}"
        table = Table(*names, title=title)
        for i in order:
            table.add_row(*(_fmt(result.columns[name][i]) for name in names))
        out.print(table)
    for name, value in result.values.items():
        out.print(f"{name} = {_fmt(value)}", markup=False)


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    if value is None:
        return "-"
    return str(value)
