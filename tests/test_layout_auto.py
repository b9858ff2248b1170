"""`--layout auto`, the default (docs/graphs.md "Layout"): the degree layout for a graph of
AUTO_MIN_NODES nodes or more whose 1% highest-degree nodes hold AUTO_MIN_HUB_SHARE of the
arcs or more, else the input's.  Its results are the input layout's (in input ids and
order; floats within FLOAT_TOL: only whole-graph sums add in another order), `--layout
original` gives today's bits, the graph cache keeps what auto chose, the memory guard and
--predict count the relabel, `cache list` shows an entry's layout, and Spark refuses --layout.
"""
from __future__ import annotations

import json

import pytest
from test_cli import gb
from test_layout import _same_results

from graphbuild.api import run_file
from graphbuild.errors import GraphbuildError
from graphbuild.profile.counts import predict_counts
from graphbuild.profile.guard import check_before_load
from graphbuild.profile.model import graph_bytes, need_bytes, relabel_peak_bytes
from graphbuild.compiler import compile_source
from graphbuild.runtime import Graph
from graphbuild.runtime.graph import LoadOptions, generate_graph
from graphbuild.runtime.graph_cache import GraphCache, open_graph
from graphbuild.runtime.layout_rule import AUTO_MIN_HUB_SHARE, AUTO_MIN_NODES, auto_layout, degree_skew
from graphbuild.runtime.memory import MemoryLimit

from test_algorithms import ALGORITHMS

BIG = AUTO_MIN_NODES.bit_length() - 1   # the smallest generator scale auto may relabel


@pytest.fixture(scope="module")
def kron_big() -> Graph:
    return generate_graph(f"kron:{BIG}", LoadOptions(), threads=2)


def test_degree_skew_counts_the_top_percent() -> None:
    # a star of 300 nodes: the top 1% (3 nodes) are the hub and two leaves, 301 of 598 arcs
    star = Graph.from_edges(300, [(0, v) for v in range(1, 300)], directed=False)
    assert degree_skew(star) == pytest.approx(301 / 598)
    assert degree_skew(Graph.from_edges(5, [], directed=True)) == 0.0
    assert degree_skew(Graph.from_edges(0, [], directed=True)) == 0.0
    # relabeling keeps the degrees, so the rule reads either layout the same way
    kron = generate_graph("kron:10")
    assert degree_skew(kron) == degree_skew(kron.relabel("degree")) > AUTO_MIN_HUB_SHARE
    assert degree_skew(generate_graph("uniform:10")) < AUTO_MIN_HUB_SHARE


def test_auto_relabels_big_skewed_graphs_only(kron_big) -> None:
    assert auto_layout(kron_big) == "degree"
    assert auto_layout(generate_graph(f"uniform:{BIG}", threads=2)) == "original"   # no skew
    assert auto_layout(generate_graph(f"kron:{BIG - 1}", threads=2)) == "original"  # small
    # the default is auto; a Graph object given to open_graph is left as it is
    assert open_graph(f"kron:{BIG}", threads=2).layout == "degree"
    assert open_graph(kron_big) is kron_big and open_graph(kron_big, layout="auto").layout == "degree"


def test_the_cache_keeps_what_auto_chose(tmp_path) -> None:
    cache = GraphCache(tmp_path / "graphs", min_bytes=0, threads=2)
    for spec, layout in ((f"kron:{BIG}", "degree"), (f"uniform:{BIG}", "original")):
        first = open_graph(spec, LoadOptions(), cache, 2)
        second = open_graph(spec, LoadOptions(), cache, 2, layout="auto")
        assert (first.layout, first.cache_status) == (layout, "stored")
        assert (second.layout, second.cache_status) == (layout, "hit")
    # an explicit --layout degree stored for a graph auto keeps in input order is not used by auto
    open_graph(f"uniform:{BIG}", LoadOptions(), cache, 2, layout="degree")
    again = open_graph(f"uniform:{BIG}", LoadOptions(), cache, 2)
    assert (again.layout, again.cache_status) == ("original", "hit")
    assert not cache.warnings


@pytest.mark.parametrize("algorithm", ["pagerank", "katz", "connected_components", "k_core"])
def test_auto_gives_the_input_layouts_results(kron_big, algorithm) -> None:
    params = {"alpha": 1e-4, "max_iter": 30} if algorithm == "katz" else {}
    path = ALGORITHMS / f"{algorithm}.gdsl"
    original = run_file(path, graph=kron_big, params=params, threads=2)
    auto = run_file(path, graph=open_graph(kron_big, layout="auto"), params=params, threads=2)
    _same_results(original, auto)   # integers exactly, floats within test_layout.FLOAT_TOL


def test_layout_original_reproduces_todays_bits(tmp_path) -> None:
    """--layout original is the graph exactly as before layouts existed, so its bits are."""
    spec = f"kron:{BIG}"
    path = ALGORITHMS / "pagerank.gdsl"
    today = run_file(path, graph=generate_graph(spec, LoadOptions(), threads=2), threads=2)
    cache = GraphCache(tmp_path / "graphs", min_bytes=0, threads=2)
    for _ in range(2):   # stored, then a hit
        g = open_graph(spec, LoadOptions(), cache, 2, layout="original")
        assert g.layout == "original"
        assert run_file(path, graph=g, threads=2).columns == today.columns


def test_the_guard_and_predict_count_the_relabel(kron_big) -> None:
    plan = compile_source((ALGORITHMS / "pagerank.gdsl").read_text(), "pagerank.gdsl")
    c = predict_counts(f"kron:{BIG}", undirected=False)
    graph = sum(graph_bytes(plan, c.nodes, c.edges, directed=c.directed, weighted=c.weighted).values())
    plain = need_bytes(plan, c, 2, first_load=False, results=True)
    relabeled = need_bytes(plan, c, 2, first_load=False, results=True, layout="degree")
    assert relabeled == plain + 16 * c.nodes   # the permutation and its inverse
    peak = relabel_peak_bytes(graph, c.nodes)
    assert need_bytes(plan, c, 2, first_load=True, results=True, layout="auto") >= peak
    assert relabel_peak_bytes(graph, c.nodes) > 2 * graph
    # the figure is a bound on what the relabeled graph really keeps
    assert kron_big.relabel("degree").nbytes <= graph + 16 * c.nodes
    # a small graph under auto is never relabeled, so nothing is counted for it
    small = predict_counts(f"kron:{BIG - 1}", undirected=False)
    assert need_bytes(plan, small, 2, first_load=True, results=True, layout="auto") == need_bytes(
        plan, small, 2, first_load=True, results=True)
    # the guard refuses the relabeled graph that would not fit where the input layout would
    limit = MemoryLimit(plain, "test")
    check_before_load(plan, f"kron:{BIG}", undirected=False, threads=2, limit=limit, cached=True)
    with pytest.raises(GraphbuildError, match="about"):
        check_before_load(plan, f"kron:{BIG}", undirected=False, threads=2, limit=limit, cached=True,
                          layout="degree")


def test_predict_and_cache_list_show_the_layout(tmp_path) -> None:
    cache = tmp_path / "cache"
    reports = {}
    for layout in ("original", "degree"):
        proc = gb("profile-memory", "algorithms/pagerank.gdsl", "-g", f"kron:{BIG}", "--predict", "--json",
                  "--layout", layout, cache=cache)
        assert proc.returncode == 0, proc.stderr
        reports[layout] = json.loads(proc.stdout)
        assert reports[layout]["layout"] == layout
    assert reports["degree"]["cached_need_bytes"] == reports["original"]["cached_need_bytes"] + (16 << BIG)
    proc = gb("graph", "info", "kron:8", "--layout", "degree", cache=cache)
    assert proc.returncode == 0 and "hub share" in proc.stdout
    listed = json.loads(gb("cache", "list", "--json", cache=cache).stdout)["entries"]
    assert [e["layout"] for e in listed if e["kind"] == "graph"] == ["degree"]
    assert "--layout degree" in gb("cache", "list", cache=cache, env={"COLUMNS": "200"}).stdout


def test_run_says_which_layout_ran(tmp_path) -> None:
    cache = tmp_path / "cache"
    for spec, layout in ((f"kron:{BIG}", "degree"), ("kron:8", "original")):
        proc = gb("run", "algorithms/connected_components.gdsl", "-g", spec, "--json", cache=cache)
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout)["graph"]["layout"] == layout


def test_spark_refuses_layout(tmp_path) -> None:
    proc = gb("run", "algorithms/pagerank.gdsl", "--engine", "spark", "--layout", "degree",
              cache=tmp_path / "c")
    assert proc.returncode == 2 and "--layout" in proc.stderr and "Traceback" not in proc.stderr
