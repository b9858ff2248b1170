"""`graphbuild run --engine spark`: the same plan on Apache Spark (graphbuild/spark/).

The plan comes from the plan cache as for the C engine; the graph is read by Spark; the
top rows are collected for the table, and `--output` is written by Spark as a directory
of part files (never collected to the driver).
"""
from __future__ import annotations

import enum
import time
from typing import Annotated, Any, Optional

import typer

from ..api import Compiled
from ..errors import ErrorKind, GraphbuildError
from ..output import result_object
from ..runtime.graph import LoadOptions
from ..settings import Settings
from . import dumps, elapsed_ms, err, out


class Engine(str, enum.Enum):
    c = "c"
    spark = "spark"


EngineOpt = Annotated[Engine, typer.Option(
    "--engine", case_sensitive=False,
    help="c: the native executor on this machine (default); spark: the same plan as Apache Spark "
         "jobs (pip install 'graphbuild[spark]'; docs/spark.md).")]
SparkMaster = Annotated[Optional[str], typer.Option(
    "--spark-master", help="With --engine spark: the master URL (default: GRAPHBUILD_SPARK_MASTER, "
                           "[tool.graphbuild.spark] master, or local[*]).")]
SparkConf = Annotated[Optional[list[str]], typer.Option(
    "--spark-conf", help="With --engine spark: a Spark setting KEY=VALUE; repeatable.")]


def run_on_spark(compiled: Compiled, compile_ms: float, graph: Optional[str], load: LoadOptions,
                 params: dict[str, str], settings: Settings, master: Optional[str],
                 conf: Optional[list[str]], output: Optional[str], json_: bool, top: int) -> None:
    from ..runtime import default_graph_path
    from ..spark import load_spark_settings, parse_conf, run_spark

    spark_settings = load_spark_settings(master, parse_conf(conf))
    start = time.perf_counter()
    result = run_spark(compiled.plan, graph or default_graph_path(), params, settings=spark_settings,
                       load=load, max_iterations=settings.max_iterations, threads=settings.threads)
    run_ms = elapsed_ms(start)
    fmt = result.write(output) if output else None
    graph_run = result.run.graph
    info = {"nodes": graph_run.node_count, "edges": graph_run.edge_count, "directed": graph_run.directed}
    if json_:
        timings: dict[str, Any] = {"compile_ms": round(compile_ms, 3), "cache_hit": compiled.cache_hit,
                                   "run_ms": round(run_ms, 3), "engine": "spark",
                                   "pass_ms": [round(s * 1000.0, 3) for s in result.pass_seconds]}
        out.print(dumps(result_object(result.collect(), {"graph": info, "timings": timings})), markup=False)
        return
    from .run_cmd import show_result

    show_result(result.top(top), top, graph_run.node_count)
    source = graph or "bundled karate club graph"
    master = result.run.state.sparkSession.sparkContext.master
    err.print(f"{result.algorithm} on {source} ({info['nodes']} nodes, {info['edges']} edges) on Spark "
              f"({master}): {'cache hit' if compiled.cache_hit else 'compiled'} "
              f"{compile_ms:.1f} ms, load and run {run_ms:.1f} ms, {len(result.pass_seconds)} loop passes"
              + (f"; wrote {output} ({fmt})" if output else ""), markup=False)


def check_engine_flags(engine: Engine, master: Optional[str], conf: Optional[list[str]],
                       trials: Optional[int], layout: Optional[str] = None) -> None:
    """Spark flags without --engine spark, and C-only flags with it, are usage errors."""
    if engine is Engine.c and (master or conf):
        raise GraphbuildError("--spark-master and --spark-conf need --engine spark", kind=ErrorKind.USAGE)
    if engine is Engine.spark and trials:
        raise GraphbuildError("--trials times the C engine; with --engine spark the run prints "
                              "the time of each loop pass (--json: timings.pass_ms)", kind=ErrorKind.USAGE)
    if engine is Engine.spark and layout:
        raise GraphbuildError("--layout orders the C engine's graph in memory; Spark partitions "
                              "the edges itself, so drop --layout with --engine spark",
                              kind=ErrorKind.USAGE)
