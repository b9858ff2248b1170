"""The Python API (import graphbuild as gb): graphs from numpy, pandas, scipy, networkx and
files; programs by name, path or text; results as numpy arrays, checked against the list-based
pipeline (run_file) and against networkx and scipy."""
from __future__ import annotations

import gc
import math
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest
import reference
import scipy.sparse
from graphs import BY_NAME, ZOO, to_networkx, write_edge_list
from test_algorithms import check

import graphbuild as gb
from graphbuild.api import run_file
from graphbuild.runtime import Graph as RuntimeGraph
from graphbuild.runtime.graph import load_graph

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("GRAPHBUILD_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "api-cache"))


def zoo_graph(g) -> gb.Graph:
    src, dst, weights = g.arrays()
    return gb.Graph.from_edges(np.array(src), np.array(dst), weights, n=g.n, directed=g.directed,
                               ids=list(g.nodes))


def test_numpy_graph_runs_every_shipped_algorithm_like_the_list_pipeline():
    # The same zoo graph through gb (numpy arrays in, numpy arrays out) and through run_file
    # (lists): the same values, and the reference checks of test_algorithms pass on both.
    sources = {"source": 16}
    for name in gb.api.shipped_names():
        g = BY_NAME["karate"]
        params = sources if "source" in gb.compile(name).params else {}
        result = gb.run(name, zoo_graph(g), **params)
        src, dst, weights = g.arrays()
        lists = run_file(name, RuntimeGraph.from_edges(g.n, list(zip(src, dst)), weights, g.directed,
                                                       list(g.nodes)), params)
        for column, values in lists.columns.items():
            if column == "node":
                assert result.ids.tolist() == values
            else:
                assert result.as_ids(column).tolist() == values, (name, column)
                assert result[column].dtype == gb.api.results.DTYPES[result.dtypes[column]]
        assert {k: result.values[k] for k in lists.values} == lists.values
        if name in ("pagerank", "bfs", "sssp", "k_core", "connected_components", "katz", "hits"):
            check(name, g, params, {"node": result.ids.tolist(),
                                    **{c: result.as_ids(c).tolist() for c in result.columns}})


def test_from_edges_on_numpy_builds_the_graph_the_loader_builds(tmp_path):
    g = BY_NAME["directed_random"]
    src, dst, _ = g.arrays()
    ours = gb.Graph.from_edges(np.array(src), np.array(dst), ids=list(g.nodes))
    loaded = load_graph(write_edge_list(g, tmp_path))
    assert ours.runtime.csr("out") == loaded.csr("out")
    assert ours.ids.tolist() == loaded.node_ids() == list(g.nodes)
    assert ours.node_count == g.n and ours.edge_count == len(g.edges) and ours.directed


def test_from_edges_takes_ids_in_first_appearance_order_like_the_reader(tmp_path):
    g = BY_NAME["string_ids"]
    src = np.array([e[0] for e in g.edges])
    dst = np.array([e[1] for e in g.edges])
    ours = gb.Graph.from_edges(src, dst, directed=False)
    loaded = load_graph(write_edge_list(g, tmp_path), undirected=True)
    assert ours.ids.tolist() == loaded.node_ids() == list(g.nodes)
    assert ours.runtime.csr("out") == loaded.csr("out")
    levels = gb.run("bfs", ours, source="carol").to_dict()
    assert levels == reference.bfs_levels(g, "carol")


def test_from_edges_size_and_arguments():
    g = gb.Graph.from_edges(np.array([0, 1]), np.array([1, 2]), n=5)
    assert g.node_count == 5 and g.ids.tolist() == [0, 1, 2, 3, 4]
    weighted = gb.Graph.from_edges([0, 1], [1, 2], weight=np.array([2.5, 0.5]))
    assert weighted.weighted
    assert gb.run("sssp", weighted, source=0).to_dict() == {0: 0.0, 1: 2.5, 2: 3.0}
    for bad in (lambda: gb.Graph.from_edges([0, -1], [1, 2]),
                lambda: gb.Graph.from_edges([0, 1], [1, 2], n=2),
                lambda: gb.Graph.from_edges([0, 1], [1]),
                lambda: gb.Graph.from_edges([0, 1], [1, 2], weight=[1.0]),
                lambda: gb.Graph.from_edges(["a"], ["b"], n=3),
                lambda: gb.Graph.from_edges(np.zeros((2, 2), int), np.zeros((2, 2), int)),
                lambda: gb.Graph.from_edges([0, 1], [1, 2], weight=[1.0, float("nan")])):
        with pytest.raises(ValueError) as info:
            bad()
        assert isinstance(info.value, gb.UsageError) and "Traceback" not in str(info.value)


def test_from_pandas_keeps_the_ids():
    df = pd.DataFrame({"a": [30, 10, 20, 10], "b": [10, 20, 40, 40], "w": [1.0, 2.0, 0.5, 4.0]})
    g = gb.Graph.from_pandas(df, source="a", target="b", weight="w")
    assert g.ids.tolist() == [10, 20, 30, 40]   # integers ascending, as the reader ranks them
    dist = gb.run("sssp", g, source=30).to_dict()
    assert dist == {10: 1.0, 20: 3.0, 30: 0.0, 40: 3.5}
    names = pd.DataFrame({"source": ["x", "y", "z"], "target": ["y", "z", "x"]})
    assert gb.Graph.from_pandas(names).ids.tolist() == ["x", "y", "z"]
    with pytest.raises(gb.UsageError, match="no column 'weight'"):
        gb.Graph.from_pandas(names, weight="weight")


def test_from_networkx_matches_networkx_on_the_zoo():
    for g in ZOO:
        G = to_networkx(g)
        ours = gb.Graph.from_networkx(G)
        assert ours.ids.tolist() == list(G) and ours.directed == G.is_directed()
        assert ours.edge_count == G.number_of_edges()
        comp = gb.run("connected_components", ours).as_ids("comp")
        parts = {}
        for node, label in zip(ours.ids.tolist(), comp.tolist()):
            parts.setdefault(label, set()).add(node)
        assert {frozenset(p) for p in parts.values()} == reference.components(g)
        if not g.has_self_loops:   # networkx counts an undirected self-loop once in A
            rank = gb.run("weighted_pagerank", ours).to_dict()
            want = nx.pagerank(G, tol=1e-13, max_iter=10_000)
            assert sum(abs(rank[v] - want[v]) for v in G) < 1e-8


def test_from_networkx_keeps_any_hashable_node_and_parallel_edges():
    G = nx.grid_2d_graph(3, 3)   # nodes are tuples
    g = gb.Graph.from_networkx(G)
    assert g.ids.dtype == object and g.ids[0] == (0, 0)
    assert gb.run("bfs", g, source=(1, 1)).to_dict() == nx.single_source_shortest_path_length(G, (1, 1))
    M = nx.MultiDiGraph([(0, 1), (0, 1), (1, 2)])
    assert gb.Graph.from_networkx(M).edge_count == 3
    mixed = nx.Graph([(3, "3"), ("3", "a")])   # 3 and "3" are different nodes
    assert gb.run("bfs", gb.Graph.from_networkx(mixed), source="3").to_dict() == {3: 1, "3": 0, "a": 1}


def test_from_scipy_reads_csr_and_coo():
    G = nx.karate_club_graph()
    A = nx.to_scipy_sparse_array(G, weight=None, format="csr")
    want = nx.pagerank(G, weight=None, tol=1e-13, max_iter=10_000)
    for matrix in (A, A.tocoo(), scipy.sparse.csr_matrix(A)):
        g = gb.Graph.from_scipy(matrix, weighted=False)
        assert g.directed and g.edge_count == 2 * G.number_of_edges()
        rank = gb.run("pagerank", g)["rank"]
        assert np.abs(rank - np.array([want[v] for v in G])).sum() < 1e-8
    undirected = gb.Graph.from_scipy(A, directed=False)
    assert not undirected.directed and undirected.edge_count == G.number_of_edges()
    with pytest.raises(gb.UsageError, match="symmetric"):
        gb.Graph.from_scipy(scipy.sparse.csr_array(np.triu(np.ones((3, 3)))), directed=False)
    with pytest.raises(gb.UsageError, match="square"):
        gb.Graph.from_scipy(scipy.sparse.csr_array(np.ones((2, 3))))


def test_load_reads_files_generators_and_the_bundled_graph(tmp_path):
    g = BY_NAME["weighted"]
    path = write_edge_list(g, tmp_path)
    loaded = gb.Graph.load(path)
    assert loaded.weighted and loaded.ids.tolist() == list(g.nodes)
    assert gb.run("sssp", loaded, source=0).to_dict() == reference.sssp(g, 0)
    assert gb.Graph.load("kron:8").node_count == 256
    assert gb.Graph.load().node_count == 34
    assert gb.run("pagerank", str(path)).to_dict().keys() == set(g.nodes)
    bad = tmp_path / "bad.el"
    bad.write_text("1 2\n3\n")
    with pytest.raises(gb.GraphbuildError) as info:
        gb.Graph.load(bad)
    assert (info.value.file, info.value.line) == (str(bad), 2)
    assert not isinstance(info.value, gb.ProgramError)   # the graph file is at fault, not a program
    with pytest.raises(gb.GraphbuildError, match="does not exist"):
        gb.Graph.load(tmp_path / "missing.el")


def test_compile_by_name_path_and_text_through_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("GRAPHBUILD_CACHE_DIR", str(tmp_path / "cache"))
    text = "algorithm twice(k: int = 2):\n    return degree() * k\n"
    program = gb.compile(text)
    assert program.name == "twice" and program.path is None and not program.cache_hit
    assert program.params == {"k": ("int", 2)} and program.outputs == {"result": ("vector", "int")}
    assert gb.compile(text) is program   # once per process
    assert any((tmp_path / "cache").iterdir())   # and stored for the next one
    g = gb.Graph.from_edges([0, 0], [1, 2], directed=False)
    assert gb.run(text, g, k=3)["result"].tolist() == [6, 3, 3]
    file = tmp_path / "twice.gdsl"
    file.write_text(text)
    assert gb.compile(file).path == str(file) and gb.compile(str(file)).name == "twice"
    assert gb.compile("pagerank").path.endswith("pagerank.gdsl")
    with pytest.raises(gb.GraphbuildError, match="program not found: nosuch"):
        gb.compile("nosuch")


def test_program_errors_carry_file_line_and_column(tmp_path):
    with pytest.raises(gb.ProgramError) as info:
        gb.compile("algorithm f():\n    x = 1 +\n    return x\n")
    error = info.value
    assert (error.file, error.line, error.column) == ("<string>", 2, 12)
    assert str(error).splitlines()[0] == "<string>:2:12: error: expected an expression, got end of line"
    bad = tmp_path / "bad.gdsl"
    bad.write_text("algorithm f():\n    return y\n")
    with pytest.raises(gb.ProgramError) as info:
        gb.compile(bad)
    assert (info.value.file, info.value.line) == (str(bad), 2)
    # a run-time fault points into the program, with its line even for program text
    divide = "algorithm f(d: int = 0):\n    x = node_id() // d\n    return x\n"
    with pytest.raises(gb.ProgramError) as info:
        gb.run(divide, gb.Graph.from_edges([0], [1]))
    assert info.value.line == 2 and "x = node_id() // d" in str(info.value)


def test_wrong_parameters_are_usage_errors():
    g = gb.Graph.from_networkx(nx.path_graph(4))
    for call, words in ((lambda: gb.run("bfs", g, source=9), "node 9 is not in the graph"),
                        (lambda: gb.run("bfs", g, nosuch=1), "unknown parameter 'nosuch'"),
                        (lambda: gb.run("pagerank", g, damping="high"), "expects a float"),
                        (lambda: gb.run("algorithm f(k: int):\n    return fill(k)\n", g),
                         "missing required parameter 'k'"),
                        (lambda: gb.run("bfs", object()), "cannot run on a object")):
        with pytest.raises(gb.UsageError, match=words):
            call()


def test_columns_are_numpy_views_that_outlive_the_next_run_and_their_owners():
    g = gb.Graph.from_edges(np.arange(999), np.arange(1, 1000))
    program = gb.compile("bfs")
    first = program.run(g, source=0)
    assert first.zero_copy   # bfs returns one int vector: most of its block, handed over
    second = program.run(g, source=500)
    assert first["level"][999] == 999 and second["level"][999] == 499   # not overwritten
    ranks = gb.run("pagerank", g)
    assert not ranks.zero_copy   # one vector of several: copied once, the block stays pooled
    level = first["level"]
    del first, second, g
    gc.collect()
    assert level.tolist() == list(range(1000))   # the view keeps its memory alive
    assert np.isclose(ranks["rank"].sum(), 1.0)


def test_results_as_ids_dicts_frames_and_scalars():
    G = nx.Graph([("a", "b"), ("c", "d"), ("d", "e")])
    r = gb.run("connected_components", G)
    assert r["comp"].tolist() == [0, 0, 2, 2, 2]   # node indices
    assert r.to_dict() == {"a": "a", "b": "a", "c": "c", "d": "c", "e": "c"}
    frame = r.to_pandas()
    assert list(frame.columns) == ["node", "comp"] and frame["comp"].tolist() == list("aaccc")
    hits = gb.run("hits", G)
    assert set(hits) == {"hub", "authority", "err"} and isinstance(hits["err"], float)
    assert hits["err"] < 1e-8 and hits.to_pandas().attrs["values"] == {"err": hits["err"]}
    assert set(r.timings) == {"prepare_ms", "run_ms", "collect_ms", "total_ms", "threads"}
    assert 0 < r.timings["run_ms"] <= r.timings["total_ms"]
    with pytest.raises(KeyError, match="returns no 'rank'"):
        r["rank"]


def test_convergence_is_reported():
    g = gb.Graph.from_networkx(nx.karate_club_graph())
    converged = gb.run("pagerank", g, tol=1e-10)
    assert converged["delta"] < g.node_count * 1e-10
    stopped = gb.run("pagerank", g, tol=1e-10, max_iter=3)
    assert stopped["delta"] > g.node_count * 1e-10
    assert math.isinf(gb.run("katz", g, max_iter=0)["err"])


def test_a_directed_graph_gets_its_in_edges_once():
    g = gb.Graph.from_edges(np.array([0, 1, 2]), np.array([1, 2, 0]))
    assert not g.runtime.has_in_edges   # built without them: from_edges stays fast
    gb.run("pagerank", g)
    assert g.runtime.has_in_edges       # the first program that pulls adds them, and they stay
