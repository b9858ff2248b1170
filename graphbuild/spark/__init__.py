"""The Spark engine: the same compiled plan, run as PySpark DataFrame jobs.

    plan (from the plan cache) ─ support.check_plan (fails before any job)
        ─ graph.read_graph (Spark reads the edges; the C loader's numbering)
        ─ engine.run_plan (driver runs the program; kernels are selects, joins, groupBys)
        ─ results.SparkResult (written by Spark, or collected)

Like the runtime, it never imports the compiler: a plan is all it needs.  pyspark is an
optional dependency (pip install 'graphbuild[spark]'); importing this package does not
import it, so `require_spark` can say what is missing.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..plan.model import Plan
from ..runtime.graph import LoadOptions
from .session import SparkSettings, get_session, load_spark_settings, parse_conf, require_spark

if TYPE_CHECKING:
    from .results import SparkResult


def run_spark(plan: Plan, graph: Any, params: dict[str, Any] | None = None, *,
              settings: SparkSettings | None = None, load: LoadOptions | None = None,
              max_iterations: int = 1_000_000, threads: int = 1, session: Any = None) -> SparkResult:
    """Run plan on graph (a path Spark reads, a generator spec, or a runtime Graph) on
    Spark; the session is the active one, the given one, or a new one from settings."""
    settings = settings or load_spark_settings()
    spark = session or get_session(settings)
    from .engine import RunOptions, run_plan
    from .graph import read_graph
    from .params import bind
    from .results import SparkResult
    from .support import check_plan

    check_plan(plan)   # before the graph is read: a construct we cannot run costs no job
    g = read_graph(spark, graph, (load or LoadOptions()).for_plan(plan), threads)
    registers = bind(plan, g, params or {})
    options = RunOptions(max_iterations, settings.checkpoint_interval, settings.checkpoint_dir)
    return SparkResult(run_plan(spark, plan, g, registers, options))


__all__ = ["SparkSettings", "get_session", "load_spark_settings", "parse_conf", "require_spark",
           "run_spark"]
