"""Every shipped algorithm on every zoo graph on both engines: the Spark engine runs the same
cached plan as the C engine and must give the same columns and values.  Ints, bools and nodes
exactly; floats within 1e-9 relative (Spark sums in another order than the executor's CSR order,
so last bits differ; NaN must meet NaN).  Algorithms with an iteration cap run a few passes
(the same few on both engines: the comparison is of engines, not of convergence); those without
one run to their fixed point, and are also checked against networkx (test_algorithms.check).
"""
from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from graphs import ZOO, ZooGraph
from test_algorithms import NO_SELF_LOOPS, SOURCES, check

from graphbuild.api import compile_file
from graphbuild.errors import ErrorKind, GraphbuildError
from graphbuild.runtime import Graph, execute
from graphbuild.spark import run_spark
from graphbuild.spark.support import check_plan

ALGORITHMS = Path(__file__).resolve().parents[1] / "algorithms"
FLOAT_TOLERANCE = 1e-9

# a few passes for the algorithms that have an iteration cap
CAPPED = {"pagerank": {"max_iter": 2}, "personalized_pagerank": {"max_iter": 2}, "hits": {"max_iter": 2},
          "katz": {"max_iter": 2}, "label_propagation": {"max_iter": 2},
          "weighted_katz": {"max_iter": 2}, "weighted_pagerank": {"max_iter": 2}}
SOURCED = ("personalized_pagerank", "bfs", "sssp", "bfs_tree", "sssp_tree")
TO_FIXED_POINT = ("bfs", "sssp", "bfs_tree", "sssp_tree", "connected_components", "degree_centrality",
                  "k_core")


def zoo_graph(g: ZooGraph) -> Graph:
    src, dst, weights = g.arrays()
    return Graph.from_edges(g.n, list(zip(src, dst)), weights, g.directed, list(g.nodes))


def close(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return a == b or abs(a - b) <= FLOAT_TOLERANCE * max(1.0, abs(a), abs(b))
    return type(a) is type(b) and a == b


def assert_same(c_result, spark_result) -> None:
    assert c_result.columns.keys() == spark_result.columns.keys()
    for name, want in c_result.columns.items():
        got = spark_result.columns[name]
        assert len(got) == len(want), name
        bad = [(i, w, g) for i, (w, g) in enumerate(zip(want, got)) if not close(w, g)]
        assert not bad, f"column {name}: (node, C, Spark) {bad[:5]}"
    assert c_result.values.keys() == spark_result.values.keys()
    for name, want in c_result.values.items():
        assert close(want, spark_result.values[name]), (name, want, spark_result.values[name])


def _params(algorithm: str, g: ZooGraph) -> dict:
    params = dict(CAPPED.get(algorithm, {}))
    if algorithm in SOURCED:
        params["source"] = SOURCES[g.name]
    return params



# common(u) (two hops) and loops over sources do not run on Spark: refused before any job,
# with their line (docs/spark.md)
COMMON = ("triangle_count", "clustering")
SOURCE_LOOPS = ("betweenness", "betweenness_sample", "closeness", "harmonic")
CASES = [pytest.param(a, g, id=f"{a}-{g.name}")
         for a in sorted(p.stem for p in ALGORITHMS.glob("*.gdsl")) if a not in COMMON + SOURCE_LOOPS
         for g in (NO_SELF_LOOPS if a == "k_core" else ZOO)]


def _run_spark(spark, algorithm: str, g: ZooGraph):
    plan = compile_file(ALGORITHMS / f"{algorithm}.gdsl").plan
    try:
        with run_spark(plan, zoo_graph(g), _params(algorithm, g), session=spark) as result:
            return result.collect()
    except Exception as exc:  # noqa: BLE001 (raised again by the case's own test)
        return exc


@pytest.fixture(scope="module")
def spark_results(spark, request) -> dict:
    """The Spark run of every selected case, four at a time from driver threads: one session
    runs concurrent jobs, and the jobs of these tiny graphs are mostly latency (planning,
    scheduling), so running cases side by side keeps the two cores busy."""
    selected = [item.callspec.params for item in request.session.items   # this test's cases only
                if item.module is request.module
                and getattr(item, "originalname", "") == "test_both_engines_agree"]
    with ThreadPoolExecutor(4) as pool:
        futures = {(p["algorithm"], p["g"].name): pool.submit(_run_spark, spark, p["algorithm"], p["g"])
                   for p in selected}
    return {key: future.result() for key, future in futures.items()}


@pytest.mark.parametrize("algorithm, g", CASES)
def test_both_engines_agree(spark_results, algorithm: str, g: ZooGraph) -> None:
    plan = compile_file(ALGORITHMS / f"{algorithm}.gdsl").plan
    params = _params(algorithm, g)
    want = execute(plan, zoo_graph(g), params)
    got = spark_results[(algorithm, g.name)]
    if isinstance(got, BaseException):
        raise got
    assert_same(want, got)
    if algorithm in TO_FIXED_POINT:
        check(algorithm, g, params, got.columns)


@pytest.mark.parametrize("algorithm", COMMON)
def test_common_neighbors_are_refused_before_any_job(algorithm: str) -> None:
    plan = compile_file(ALGORITHMS / f"{algorithm}.gdsl").plan
    with pytest.raises(GraphbuildError) as err:
        check_plan(plan)
    assert "the Spark engine does not run the edge-kernel operation 'common' yet" in str(err.value)
    assert f"{algorithm}.gdsl:" in str(err.value)


@pytest.mark.parametrize("algorithm", SOURCE_LOOPS)
def test_loops_over_sources_are_refused_before_any_job(algorithm: str) -> None:
    plan = compile_file(ALGORITHMS / f"{algorithm}.gdsl").plan
    with pytest.raises(GraphbuildError, match="does not run loops over sources") as info:
        check_plan(plan)
    line = next(i for i, text in enumerate((ALGORITHMS / f"{algorithm}.gdsl").read_text().split("\n"))
                if text.lstrip().startswith("for s in")) + 1
    assert info.value.location.line == line and info.value.kind is ErrorKind.USAGE


def test_every_shipped_algorithm_is_covered() -> None:
    shipped = {p.stem for p in ALGORITHMS.glob("*.gdsl")}
    assert {case.values[0] for case in CASES} | set(COMMON) | set(SOURCE_LOOPS) == shipped
    assert {case.values[1].name for case in CASES} == {g.name for g in ZOO}
